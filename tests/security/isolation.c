// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host seen from inside: its processes (pid namespace), its network
 * interfaces (network namespace, also through a netnsid: RTM_GETLINK with
 * IFLA_TARGET_NETNSID reaches a namespace the kernel numbered, as it does
 * the far end of every veth, for whoever has CAP_NET_ADMIN over it; when
 * the host's is reached, DELNAME is deleted there, the proof that it can
 * be changed too), its abstract unix sockets (they belong to the network
 * namespace), its hostname, its System V shared memory.
 *
 *   isolation inside SLEEP IFNAME SOCKNAME HOSTNAME SHMID DELNAME
 *       SLEEP: the argument of a host process "sleep SLEEP"; IFNAME:
 *       an interface only the host's netns has; SOCKNAME: an abstract
 *       socket bound on the host; HOSTNAME: the host's; SHMID: a host
 *       segment; DELNAME: a host interface the test does not mind losing
 *       (to show that a netns seen can be changed too)
 *   isolation listen SOCKNAME SECONDS
 *       the host's side: bind and listen on the abstract SOCKNAME (stream)
 *       and on SOCKNAME.dgram (datagram) for SECONDS
 */
#include "case.h"

#include <dirent.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stddef.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>

static socklen_t abstract(struct sockaddr_un *a, const char *name, const char *suffix)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	int n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "%s%s", name, suffix);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

static int listen_mode(const char *name, int secs)
{
	struct sockaddr_un a;
	socklen_t len = abstract(&a, name, "");
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, len) < 0 || listen(s, 16) < 0) {
		perror("bind/listen");
		return 2;
	}
	len = abstract(&a, name, ".dgram");
	int d = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (d < 0 || bind(d, (struct sockaddr *)&a, len) < 0) {
		perror("bind dgram");
		return 2;
	}
	printf("listening\n");
	fflush(stdout);
	sleep((unsigned)secs);
	return 0;
}

static void processes(const char *arg)
{
	/* Built here: no command line (ours, nsbox's) holds it as such. */
	char mark[128];
	snprintf(mark, sizeof(mark), "sleep %s", arg);
	DIR *d = opendir("/proc");
	if (!d) {
		broken("opendir /proc: %s", ename(errno));
		return;
	}
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		int pid = atoi(e->d_name);
		if (pid < 1)
			continue;
		n++;
		if (pid == getpid())
			continue;
		char p[64], cmd[4096];
		snprintf(p, sizeof(p), "/proc/%d/cmdline", pid);
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		ssize_t len = fd < 0 ? -1 : read(fd, cmd, sizeof(cmd) - 1);
		if (fd >= 0)
			close(fd);
		for (ssize_t i = 0; i < len; i++)
			if (!cmd[i])
				cmd[i] = ' ';
		cmd[len > 0 ? len : 0] = '\0';
		if (strstr(cmd, mark))
			escaped("the host's process '%s' is visible as pid %d", mark, pid);
	}
	closedir(d);
	if (n > 16)
		escaped("%d processes are visible: more than a sandbox holds", n);
	else
		blocked("%d processes visible, none of the host's", n);
}

/* RTM_GETLINK dump, in our netns (nsid < 0) or the one numbered nsid;
 * names into out, names with index and address into sig (which tells
 * our own namespace, which may have a number too, from another). -errno,
 * or the number of links. */

static int dump_links(int nsid, char *out, size_t len, char *sig, size_t siglen)
{
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		return -errno;
	struct {
		struct nlmsghdr n;
		struct ifinfomsg i;
		char attrs[64];
	} req;
	memset(&req, 0, sizeof(req));
	req.n.nlmsg_type = RTM_GETLINK;
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	if (nsid >= 0) {
		struct rtattr *a = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.n.nlmsg_len));
		a->rta_type = IFLA_TARGET_NETNSID;
		a->rta_len = RTA_LENGTH(4);
		memcpy(RTA_DATA(a), &nsid, 4);
		req.n.nlmsg_len = NLMSG_ALIGN(req.n.nlmsg_len) + a->rta_len;
	}
	out[0] = sig[0] = '\0';
	if (send(s, &req, req.n.nlmsg_len, 0) < 0) {
		close(s);
		return -errno;
	}
	int links = 0, err = 0;
	char buf[32768];
	for (bool done = false; !done;) {
		ssize_t n = recv(s, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		int left = (int)n;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
				done = true;
				break;
			}
			struct ifinfomsg *ifi = NLMSG_DATA(h);
			int alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)));
			size_t l = strlen(sig);
			snprintf(sig + l, siglen - l, " #%d", ifi->ifi_index);
			for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, alen);
			     a = RTA_NEXT(a, alen)) {
				l = strlen(sig);
				if (a->rta_type == IFLA_ADDRESS)
					for (size_t k = 0; k < RTA_PAYLOAD(a) && l + 3 < siglen;
					     k++)
						l += (size_t)snprintf(
						    sig + l, siglen - l, "%02x",
						    ((unsigned char *)RTA_DATA(a))[k]);
				if (a->rta_type != IFLA_IFNAME)
					continue;
				snprintf(sig + l, siglen - l, "=%s", (char *)RTA_DATA(a));
				l = strlen(out);
				snprintf(out + l, len - l, "%s%s", l ? " " : "",
					 (char *)RTA_DATA(a));
				links++;
			}
		}
	}
	close(s);
	return err ? err : links;
}

/* RTM_DELLINK of the interface name in the netns numbered nsid. 0 or
 * -errno. */
static int del_link(int nsid, const char *name)
{
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		return -errno;
	struct {
		struct nlmsghdr n;
		struct ifinfomsg i;
		char attrs[256];
	} req;
	memset(&req, 0, sizeof(req));
	req.n.nlmsg_type = RTM_DELLINK;
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	struct rtattr *a = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.n.nlmsg_len));
	a->rta_type = IFLA_TARGET_NETNSID;
	a->rta_len = RTA_LENGTH(4);
	memcpy(RTA_DATA(a), &nsid, 4);
	req.n.nlmsg_len = NLMSG_ALIGN(req.n.nlmsg_len) + RTA_ALIGN(a->rta_len);
	a = (struct rtattr *)((char *)&req + req.n.nlmsg_len);
	a->rta_type = IFLA_IFNAME;
	a->rta_len = (unsigned short)RTA_LENGTH(strlen(name) + 1);
	memcpy(RTA_DATA(a), name, strlen(name) + 1);
	req.n.nlmsg_len += RTA_ALIGN(a->rta_len);
	int r = -EIO;
	char buf[4096];
	if (send(s, &req, req.n.nlmsg_len, 0) >= 0) {
		ssize_t n = recv(s, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (void *)buf;
		if (n > 0 && h->nlmsg_type == NLMSG_ERROR)
			r = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
	close(s);
	return r;
}

/* Whether word is one of the space-separated words of list. */
static bool has_word(const char *list, const char *word)
{
	size_t l = strlen(word);
	for (const char *p = list; (p = strstr(p, word)); p += l)
		if ((p == list || p[-1] == ' ') && (p[l] == ' ' || p[l] == '\0'))
			return true;
	return false;
}

static void network(const char *ifname, const char *delname)
{
	char own[4096], other[4096], own_sig[8192], other_sig[8192];
	int r = dump_links(-1, own, sizeof(own), own_sig, sizeof(own_sig));
	if (r < 0)
		broken("list our links: %s", ename(-r));
	else if (strstr(own, ifname))
		escaped("the host's %s is among our links (%s)", ifname, own);
	else
		blocked("our links are %s: not the host's %s", own, ifname);
	if (if_nametoindex(ifname))
		escaped("if_nametoindex finds the host's %s", ifname);
	char p[300];
	snprintf(p, sizeof(p), "/sys/class/net/%s", ifname);
	if (access(p, F_OK) == 0)
		escaped("%s exists", p);
	else
		blocked("%s: %s", p, ename(errno));
	/* Namespaces the kernel numbered for us: the far end of each veth. */
	int reached = 0;
	for (int id = 0; id < 64; id++) {
		r = dump_links(id, other, sizeof(other), other_sig, sizeof(other_sig));
		if (r <= 0)
			continue;
		if (!strcmp(other_sig, own_sig)) {
			note("IFLA_TARGET_NETNSID %d is our own netns", id);
			continue;
		}
		reached++;
		if (has_word(other, ifname)) {
			escaped(
			    "RTM_GETLINK with IFLA_TARGET_NETNSID %d lists the host's netns: %s",
			    id, other);
			/* And changes it: DELNAME, which the test made for this. */
			r = del_link(id, delname);
			dump_links(id, other, sizeof(other), other_sig, sizeof(other_sig));
			if (!has_word(other, delname))
				escaped(
				    "RTM_DELLINK with IFLA_TARGET_NETNSID %d deleted the host's %s "
				    "(%s)",
				    id, delname, ename(-r));
			else
				blocked("RTM_DELLINK of the host's %s: %s", delname, ename(-r));
		} else
			escaped("RTM_GETLINK with IFLA_TARGET_NETNSID %d lists another netns: %s",
				id, other);
	}
	if (!reached)
		blocked("no other netns reachable through IFLA_TARGET_NETNSID 0-63");
}

static void sockets(const char *name)
{
	struct sockaddr_un a;
	socklen_t len = abstract(&a, name, "");
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (connect(s, (struct sockaddr *)&a, len) == 0)
		escaped("connected to the host's abstract socket @%s", name);
	else
		blocked("connect to the host's abstract socket @%s: %s", name, ename(errno));
	close(s);
	len = abstract(&a, name, ".dgram");
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sendto(s, "x", 1, 0, (struct sockaddr *)&a, len) == 1)
		escaped("sent a datagram to the host's abstract socket @%s.dgram", name);
	else
		blocked("send to the host's abstract socket @%s.dgram: %s", name, ename(errno));
	close(s);
	/* Bound inside, the same name is free: another namespace. */
	len = abstract(&a, name, "");
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bind(s, (struct sockaddr *)&a, len) == 0)
		blocked("@%s can be bound inside: the name is not the host's", name);
	else
		escaped("@%s cannot be bound inside (%s): it is the host's", name, ename(errno));
	close(s);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "listen"))
		return listen_mode(argv[2], atoi(argv[3]));
	if (argc != 8 || strcmp(argv[1], "inside")) {
		fprintf(stderr,
			"usage: isolation inside SLEEP IFNAME SOCKNAME HOSTNAME SHMID DELNAME | "
			"isolation listen SOCKNAME SECONDS\n");
		return 2;
	}
	processes(argv[2]);
	network(argv[3], argv[7]);
	sockets(argv[4]);
	char h[256] = "";
	gethostname(h, sizeof(h));
	if (!strcmp(h, argv[5]))
		escaped("the hostname is the host's (%s)", h);
	else
		blocked("the hostname is %s, not the host's %s", h, argv[5]);
	int id = atoi(argv[6]);
	struct shmid_ds ds;
	if (shmctl(id, IPC_STAT, &ds) == 0)
		escaped("the host's shared memory segment %d is visible", id);
	else
		blocked("the host's shared memory segment %d: %s", id, ename(errno));
	void *p = shmat(id, NULL, SHM_RDONLY);
	if (p != (void *)-1)
		escaped("the host's shared memory segment %d attaches", id);
	else
		blocked("attach the host's segment %d: %s", id, ename(errno));
	return case_finish();
}
