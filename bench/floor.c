// SPDX-License-Identifier: GPL-2.0-or-later
/* floor: the kernel objects of `nsbox lab up --topo linear:N` and nothing
 * else, made by one single-threaded process with libc alone, then torn
 * down; for bench/lab. Mininet's linear topology: switches s1..sN in a
 * chain, host hI on switch sI.
 *
 *   floor [-n N] [-p PREFIX] [-b] [-z] [-c CMD]
 *     -n N       switches and hosts (default 100)
 *     -p PREFIX  netns names PREFIX-s1, PREFIX-h1, ... (default floor-N)
 *     -b         bare hosts: each host process only joins its netns and
 *                pause()s; no root filesystem (see below)
 *     -z         the host processes are cloned as nsbox clones its nodes'
 *                inits (src/lab/spawn.c): by a helper forked once /run/netns
 *                is a shared mount and before any netns is bound under it,
 *                in a mount namespace of its own (/ a slave, /run/netns
 *                detached), which receives each host's netns fd by
 *                SCM_RIGHTS as soon as the netns exists; so a clone copies
 *                ~25 mounts and a few fds, not the 2N nsfs mounts of
 *                /run/netns as well. Still one step after the other: the
 *                helper clones once the lab is wired (nsbox clones while it
 *                wires), so the phases' times stay apart.
 *     -c CMD     run CMD (sh -c) between up and down; a failure stops
 *                floor with status 1 after the teardown
 *   prints: up S down S netns S bridges S links S procs S
 *
 * What it makes, in nsbox's order (src/lab/up.c):
 *   1. per node (s1, h1, s2, h2, ...): /run/netns/PREFIX-NODE as iproute2
 *      and nsbox make it (the directory a shared mount, an empty file,
 *      unshare(CLONE_NEWNET), /proc/thread-self/ns/net bound onto the file),
 *      then, inside, before any device but lo: in a switch IPv6 off,
 *      net.ipv6.conf.{all,default}.disable_ipv6 = 1 (nsbox's
 *      NC_NETNS_NOIPV6), in a host no IPv6 link-local address,
 *      net.ipv6.conf.default.addr_gen_mode = 1 (NC_NETNS_NOLINKLOCAL: the
 *      hosts of linear:N have no IPv6 address; accept_dad is left alone),
 *      in a switch no IGMP reports (NC_NETNS_NOIGMP), in a host arp_accept
 *      2 (NC_NETNS_LEARN); written through a proc instance of its own,
 *      as nsbox does (nc_sysctl_dir);
 *      a NETLINK_ROUTE socket opened inside, lo up; back to the first
 *      netns; with -z, the host's netns fd sent to the helper;
 *   2. per switch: br0, a Linux bridge, up;
 *   3. per link, in Mininet's order and orientation (hI-sI, then sI-sI-1;
 *      the first end made, the other born in its netns through
 *      IFLA_NET_NS_FD), 2 or 3 requests: the veth pair, its end up and, in
 *      a switch, enslaved to br0 (IFLA_MASTER) in the RTM_NEWLINK; the
 *      peer up and, in a switch, into br0 in one RTM_NEWLINK; for hI-eth0,
 *      10.0.0.I/8; names as Mininet's and nsbox's (hI-eth0, sI-eth1 to the
 *      host, sI-eth2 to sI-1, sI-eth3 to sI+1; s1-eth2 to s2);
 *   4. per host, one process: clone3(CLONE_NEWNS|NEWUTS|NEWIPC|NEWPID)
 *      that setns()es into the host's netns, keeps no inherited fd but
 *      stdin, stdout and stderr, sets the hostname (hI), and, unless -b,
 *      builds the same root as nsbox's lab node (floor_root.c, shared
 *      with bench/launch-floor.c: host rootfs, read-only private binds of
 *      /usr /etc ..., proc, sysfs, a nodev /dev tmpfs with six device
 *      nodes each bound onto itself, devpts, shm, mqueue, tmpfs /tmp /run
 *      /var/tmp, /etc/hostname, pivot_root, Docker's /proc masks, /
 *      read-only: 27 mounts here), starts a session (setsid), drops its
 *      capabilities to CAP_KILL, no_new_privs, non-dumpable (nsbox's
 *      init), then pause()s as PID 1 of its pid namespace. up ends when
 *      every host process is ready (as nsbox's waits for every init).
 * Teardown: SIGKILL to every host process, reap them, then per netns
 * umount2(MNT_DETACH) + unlink (the veths and bridges go with them).
 *
 * Not made: nsbox's journal (/run/nsbox), its lab and sandbox records and
 * the nodes' log files, the error pipes, go sockets and pidfds, the
 * seccomp filter (lab nodes have no command, so nsbox installs none
 * either). Netlink is hand-written: one request, one ACK, interface indexes
 * fixed at creation as nsbox fixes them (lo is 1; in a switch br0 is 2 and
 * its ports 3, 4, 5; in a host hI-eth0 is 2). Without -z the parent keeps
 * no fd across the clones: each child opens its netns by path, so a clone
 * copies 4 fds, not thousands. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "floor_root.h"

#define NETNS_DIR "/run/netns"
#define STAGE	  "/tmp"
#define ROOT	  STAGE "/root"

static int n = 100;
static char prefix[64];
static bool bare;
static bool zygote;

__attribute__((noreturn)) static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	_exit(125);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- nodes ---------------------------------------------------------------- */

/* Node k of 2N, in nsbox's order: s1 h1 s2 h2 ... (k even: a switch). */
static void node_name(int k, char *buf, size_t len)
{
	snprintf(buf, len, "%c%d", k % 2 ? 'h' : 's', k / 2 + 1);
}

static void netns_path(int k, char *buf, size_t len)
{
	char node[16];
	node_name(k, node, sizeof(node));
	snprintf(buf, len, NETNS_DIR "/%s-%s", prefix, node);
}

/* ---- rtnetlink, by hand ------------------------------------------------------ */

struct req {
	struct nlmsghdr h;
	char buf[1024];
};

static int *sk; /* per node: NETLINK_ROUTE socket opened in its netns */
static uint32_t seq;

static struct rtattr *attr(struct req *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

static void attr_str(struct req *r, unsigned short type, const char *s)
{
	attr(r, type, s, strlen(s) + 1);
}

static void attr_u32(struct req *r, unsigned short type, uint32_t v)
{
	attr(r, type, &v, sizeof(v));
}

static void nest_end(struct req *r, struct rtattr *a)
{
	a->rta_len = (unsigned short)((char *)r + r->h.nlmsg_len - (char *)a);
}

/* Send one request, wait for its ACK. */
static void talk(int fd, struct req *r, const char *what)
{
	r->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	r->h.nlmsg_seq = ++seq;
	if (send(fd, r, r->h.nlmsg_len, 0) < 0)
		die(what);
	char buf[4096];
	ssize_t len = recv(fd, buf, sizeof(buf), 0);
	if (len < 0)
		die(what);
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(h, (size_t)len) || h->nlmsg_type != NLMSG_ERROR) {
		errno = EPROTO;
		die(what);
	}
	int e = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	if (e) {
		errno = -e;
		die(what);
	}
}

static struct ifinfomsg *link_req(struct req *r, uint16_t type, uint16_t flags, int index, bool up)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = flags;
	struct ifinfomsg *i = NLMSG_DATA(&r->h);
	i->ifi_family = AF_UNSPEC;
	i->ifi_index = index;
	if (up)
		i->ifi_flags = i->ifi_change = IFF_UP;
	return i;
}

static void lo_up(int fd)
{
	struct req r;
	link_req(&r, RTM_NEWLINK, 0, 1, true);
	talk(fd, &r, "lo up");
}

static void bridge_add(int fd)
{
	struct req r;
	link_req(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 2, true);
	attr_str(&r, IFLA_IFNAME, "br0");
	struct rtattr *li = attr(&r, IFLA_LINKINFO, NULL, 0);
	attr_str(&r, IFLA_INFO_KIND, "bridge");
	nest_end(&r, li);
	talk(fd, &r, "add br0");
}

/* A veth pair: name/index in node a (enslaved to br0 when master), its
 * peer name/peer_index born in node b; both up. */
static void veth_add(int a, const char *name, int index, bool master, const char *peer,
		     int peer_index, int b_fd)
{
	struct req r;
	link_req(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, index, true);
	attr_str(&r, IFLA_IFNAME, name);
	if (master)
		attr_u32(&r, IFLA_MASTER, 2);
	struct rtattr *li = attr(&r, IFLA_LINKINFO, NULL, 0);
	attr_str(&r, IFLA_INFO_KIND, "veth");
	struct rtattr *data = attr(&r, IFLA_INFO_DATA, NULL, 0);
	struct rtattr *pi = attr(&r, VETH_INFO_PEER, NULL, 0);
	/* The peer's ifinfomsg, then its attributes. */
	struct ifinfomsg *pm = (struct ifinfomsg *)RTA_DATA(pi);
	memset(pm, 0, sizeof(*pm));
	pm->ifi_family = AF_UNSPEC;
	pm->ifi_index = peer_index;
	r.h.nlmsg_len += NLMSG_ALIGN(sizeof(*pm));
	attr_str(&r, IFLA_IFNAME, peer);
	attr_u32(&r, IFLA_NET_NS_FD, (uint32_t)b_fd);
	nest_end(&r, pi);
	nest_end(&r, data);
	nest_end(&r, li);
	talk(sk[a], &r, name);
}

/* The peer up (and into br0) in one request, as nsbox's peer_finish():
 * not at creation, where the kernel opens it before it is paired
 * (veth_open: ENOTCONN). */
static void peer_up(int b, const char *name, int index, bool master)
{
	struct req r;
	link_req(&r, RTM_NEWLINK, 0, index, true);
	if (master)
		attr_u32(&r, IFLA_MASTER, 2);
	talk(sk[b], &r, name);
}

static void addr_add(int a, int index, uint32_t ip, int plen)
{
	struct req r;
	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	r.h.nlmsg_type = RTM_NEWADDR;
	r.h.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	struct ifaddrmsg *m = NLMSG_DATA(&r.h);
	m->ifa_family = AF_INET;
	m->ifa_prefixlen = (unsigned char)plen;
	m->ifa_index = (unsigned)index;
	uint32_t be = htonl(ip);
	attr(&r, IFA_LOCAL, &be, 4);
	attr(&r, IFA_ADDRESS, &be, 4);
	talk(sk[a], &r, "address");
}

/* ---- 1. namespaces ---------------------------------------------------------- */

/* /proc/sys/net of the calling netns, looked up in a proc mounted for the
 * purpose, as nsbox's nc_sysctl_dir does: in the shared /proc the first
 * lookup from a new netns walks one dentry per netns (proc_sys_compare). */
static int sysctl_dir(void)
{
	int fs = fsopen("proc", FSOPEN_CLOEXEC);
	if (fs < 0 || fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		die("fsopen proc");
	int mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		die("fsmount proc");
	close(fs);
	int fd = openat(mnt, "sys/net", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		die("proc sys/net");
	close(mnt);
	return fd;
}

static void write_file(int dir, const char *path, const char *s)
{
	int fd = openat(dir, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return;
		die(path);
	}
	if (write(fd, s, strlen(s)) < 0)
		die(path);
	close(fd);
}

/* /run/netns a shared mount point, as nsbox's nc_netns_dir_prepare makes it
 * (before its helper is forked) and iproute2 does. */
static void netns_dir_prepare(void)
{
	if (mkdir(NETNS_DIR, 0755) < 0 && errno != EEXIST)
		die(NETNS_DIR);
	if (mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (errno != EINVAL ||
		    mount(NETNS_DIR, NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0 ||
		    mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0)
			die(NETNS_DIR);
	}
}

static void spawner_send(int k);

static void make_netns(int self)
{
	for (int k = 0; k < 2 * n; k++) {
		char path[300];
		netns_path(k, path, sizeof(path));
		int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
		if (fd < 0)
			die(path);
		close(fd);
		if (unshare(CLONE_NEWNET) < 0)
			die("unshare(CLONE_NEWNET)");
		if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0)
			die(path);
		/* nsbox's netns_flags() for linear:N: a switch has no IPv6
		 * (NC_NETNS_NOIPV6), a host, without an IPv6 address in the
		 * topology, no link-local one (NC_NETNS_NOLINKLOCAL,
		 * IN6_ADDR_GEN_MODE_NONE). */
		int dir = sysctl_dir();
		if (k % 2 == 0) {
			write_file(dir, "ipv6/conf/all/disable_ipv6", "1");
			write_file(dir, "ipv6/conf/default/disable_ipv6", "1");
			write_file(dir, "ipv4/igmp_link_local_mcast_reports", "0");
		} else {
			write_file(dir, "ipv6/conf/default/addr_gen_mode", "1");
			write_file(dir, "ipv4/conf/all/arp_accept", "2");
		}
		close(dir);
		sk[k] = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (sk[k] < 0)
			die("netlink socket");
		lo_up(sk[k]);
		if (setns(self, CLONE_NEWNET) < 0)
			die("setns back");
		/* -z: the host's process can be started from now on. */
		if (zygote && k % 2 == 1)
			spawner_send(k);
	}
}

/* ---- 2. and 3. bridges, links, addresses ----------------------------------- */

static int ns_fd(int k)
{
	char path[300];
	netns_path(k, path, sizeof(path));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	return fd;
}

static void make_bridges(void)
{
	for (int i = 0; i < n; i++)
		bridge_add(sk[2 * i]);
}

static void make_links(void)
{
	char name[32], peer[32];
	for (int i = 1; i <= n; i++) {
		int s = 2 * (i - 1), h = s + 1;
		/* hI-eth0 (index 2), made in hI as nsbox makes it (Mininet's
		 * addLink(host, switch): the host's end first) <-> sI-eth1
		 * (index 3, in br0). */
		int fd = ns_fd(s);
		snprintf(name, sizeof(name), "h%d-eth0", i);
		snprintf(peer, sizeof(peer), "s%d-eth1", i);
		veth_add(h, name, 2, false, peer, 3, fd);
		close(fd);
		peer_up(s, peer, 3, true);
		addr_add(h, 2, 0x0a000000u + (uint32_t)i, 8);
		if (i == 1)
			continue;
		/* sI-eth2 (index 4) <-> sI-1-eth2 (s1) or -eth3 (index 4 or 5). */
		int p = s - 2;
		fd = ns_fd(p);
		snprintf(name, sizeof(name), "s%d-eth2", i);
		snprintf(peer, sizeof(peer), "s%d-eth%d", i - 1, i - 1 == 1 ? 2 : 3);
		veth_add(s, name, 4, true, peer, i - 1 == 1 ? 4 : 5, fd);
		close(fd);
		peer_up(p, peer, i - 1 == 1 ? 4 : 5, true);
	}
}

/* ---- 4. one process per host ------------------------------------------------ */

/* nsbox's init keeps CAP_KILL alone, sets no_new_privs, is not dumpable. */
static void harden(void)
{
	for (int cap = 0; cap < 64; cap++) {
		if (cap == CAP_KILL)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break;
			die("PR_CAPBSET_DROP");
		}
	}
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {0};
	data[0].effective = data[0].permitted = 1u << CAP_KILL;
	if (syscall(SYS_capset, &hdr, data) < 0)
		die("capset");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die("prctl");
}

/* Host k's process: its netns from netns_fd (-z) or by path; ready_w is
 * the one fd kept past the netns, closed when ready. */
__attribute__((noreturn)) static void host_main(int k, int netns_fd, int ready_w)
{
	char path[300], node[16];
	netns_path(k, path, sizeof(path));
	node_name(k, node, sizeof(node));
	umask(0);
	int fd = netns_fd >= 0 ? netns_fd : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
		die(path);
	/* Nothing inherited stays open but stdio and ready_w (as fd 3). */
	if (dup2(ready_w, 3) < 0)
		die("dup2");
	if (syscall(SYS_close_range, 4U, ~0U, 0U) < 0)
		die("close_range");
	ready_w = 3;
	if (sethostname(node, strlen(node)) < 0)
		die("sethostname");
	if (!bare)
		floor_build_root(path + sizeof(NETNS_DIR), node);
	if (setsid() < 0)
		die("setsid");
	if (!bare)
		harden();
	/* Ready: the last host to close its end ends the waiter's read. */
	close(ready_w);
	for (;;)
		pause();
}

static pid_t *pids;

static pid_t clone_host(void)
{
	struct {
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	} args = {
	    .flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID,
	    .exit_signal = SIGCHLD,
	};
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0)
		die("clone3");
	return pid;
}

/* Wait until every host has closed its end of ready (ready_w closed
 * here already); false if one has died instead. */
static bool hosts_ready(int ready_r)
{
	char c;
	ssize_t r;
	while ((r = read(ready_r, &c, 1)) < 0 && errno == EINTR)
		;
	close(ready_r);
	bool ok = true;
	for (int i = 0; i < n; i++)
		if (waitpid(pids[i], NULL, WNOHANG) != 0) {
			fprintf(stderr, "floor: host h%d failed to start\n", i + 1);
			ok = false;
		}
	return ok;
}

static void kill_hosts(void)
{
	for (int i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		if (pids[i] > 0)
			while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
				;
}

/* -z: the helper (nsbox's spawner, src/lab/spawn.c). Forked once
 * /run/netns is a shared mount and before any netns is bound there; its
 * mount namespace a slave of ours with /run/netns detached, so the lab's
 * nsfs mounts never reach it nor the hosts it clones. Main sends it each
 * host's netns fd as soon as the netns exists (SCM_RIGHTS, one message per
 * host); it clones the hosts on 'g' (after the wiring: the floor stays
 * sequential), answers 'r' once every host is ready ('f' if one died), and
 * on 'k' (or main's death) kills and reaps them and exits. */
static pid_t spawner = -1;
static int spawner_sock = -1, spawner_go = -1, spawner_status = -1;

__attribute__((noreturn)) static void spawner_main(int sock, int go_r, int status_w)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* Only these three stay open (3, 4, 5): every host cloned from here
	 * inherits what is open. Copied above all three first, so that no
	 * dup2() closes one still to be moved. */
	int top = sock > go_r ? sock : go_r;
	top = (top > status_w ? top : status_w) + 1;
	int tmp[3] = {fcntl(sock, F_DUPFD, top), fcntl(go_r, F_DUPFD, top),
		      fcntl(status_w, F_DUPFD, top)};
	for (int i = 0; i < 3; i++)
		if (tmp[i] < 0 || dup2(tmp[i], 3 + i) < 0)
			die("dup2");
	sock = 3, go_r = 4, status_w = 5;
	if (syscall(SYS_close_range, 6U, ~0U, 0U) < 0)
		die("close_range");
	if (unshare(CLONE_NEWNS) < 0)
		die("unshare(CLONE_NEWNS)");
	floor_mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL);
	if (umount2(NETNS_DIR, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		die("umount " NETNS_DIR);
	char c;
	if (read(go_r, &c, 1) != 1)
		_exit(1);
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		die("pipe");
	for (int i = 0; i < n; i++) {
		uint32_t k;
		int fd = -1;
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		struct iovec iov = {.iov_base = &k, .iov_len = sizeof(k)};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = u.buf,
				    .msg_controllen = sizeof(u.buf)};
		if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != sizeof(k))
			die("spawner: recvmsg");
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		if (fd < 0 || k >= (uint32_t)(2 * n)) {
			errno = EPROTO;
			die("spawner: bad request");
		}
		pid_t pid = clone_host();
		if (pid == 0)
			host_main((int)k, fd, ready[1]);
		close(fd);
		pids[i] = pid;
	}
	close(ready[1]);
	c = hosts_ready(ready[0]) ? 'r' : 'f';
	if (write(status_w, &c, 1) != 1)
		c = 'k';
	while (c != 'k' && read(go_r, &c, 1) == 1)
		;
	kill_hosts();
	_exit(0);
}

static void start_spawner(void)
{
	int sv[2], go[2], status[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(go, O_CLOEXEC) < 0 || pipe2(status, O_CLOEXEC) < 0)
		die("socketpair");
	/* Every host's message waits in the socket until 'g': room for all
	 * of them (nsbox sizes its socket the same way). */
	int size = n * 4096 > 16 << 20 ? n * 4096 : 16 << 20;
	if (setsockopt(sv[0], SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		die("SO_SNDBUFFORCE");
	fflush(NULL);
	spawner = fork();
	if (spawner < 0)
		die("fork");
	if (spawner == 0)
		spawner_main(sv[1], go[0], status[1]);
	close(sv[1]);
	close(go[0]);
	close(status[1]);
	spawner_sock = sv[0];
	spawner_go = go[1];
	spawner_status = status[0];
}

/* Host k's netns, as nsbox hands it over: an fd opened by path once the
 * netns exists. */
static void spawner_send(int k)
{
	char path[300];
	netns_path(k, path, sizeof(path));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	uint32_t node = (uint32_t)k;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct iovec iov = {.iov_base = &node, .iov_len = sizeof(node)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(spawner_sock, &mh, MSG_NOSIGNAL) != sizeof(node))
		die("spawner: sendmsg");
	close(fd);
}

static void make_procs(void)
{
	if (zygote) {
		char c = 'g';
		if (write(spawner_go, &c, 1) != 1)
			die("spawner");
		ssize_t r;
		while ((r = read(spawner_status, &c, 1)) < 0 && errno == EINTR)
			;
		if (r != 1 || c != 'r') {
			fprintf(stderr, "floor: a host failed to start\n");
			exit(1);
		}
		return;
	}
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		die("pipe");
	for (int i = 0; i < n; i++) {
		pid_t pid = clone_host();
		if (pid == 0) {
			close(ready[0]);
			host_main(2 * i + 1, -1, ready[1]);
		}
		pids[i] = pid;
	}
	close(ready[1]);
	if (!hosts_ready(ready[0]))
		exit(1);
}

/* ---- teardown ------------------------------------------------------------- */

static void teardown(void)
{
	if (zygote) {
		if (write(spawner_go, "k", 1) != 1)
			die("spawner");
		while (waitpid(spawner, NULL, 0) < 0 && errno == EINTR)
			;
		close(spawner_sock);
		close(spawner_go);
		close(spawner_status);
	} else {
		kill_hosts();
	}
	for (int k = 0; k < 2 * n; k++) {
		char path[300];
		netns_path(k, path, sizeof(path));
		if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL)
			die(path);
		if (unlink(path) < 0)
			die(path);
	}
}

int main(int argc, char **argv)
{
	const char *cmd = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "n:p:bc:z")) != -1) {
		switch (opt) {
		case 'n':
			n = atoi(optarg);
			break;
		case 'p':
			snprintf(prefix, sizeof(prefix), "%s", optarg);
			break;
		case 'b':
			bare = true;
			break;
		case 'c':
			cmd = optarg;
			break;
		case 'z':
			zygote = true;
			break;
		default:
			fprintf(stderr, "usage: floor [-n N] [-p PREFIX] [-b] [-z] [-c CMD]\n");
			return 2;
		}
	}
	if (n < 1 || n > 20000 || optind != argc) {
		fprintf(stderr, "usage: floor [-n N] [-p PREFIX] [-b] [-z] [-c CMD]\n");
		return 2;
	}
	if (!prefix[0])
		snprintf(prefix, sizeof(prefix), "floor-%d", n);
	/* 2N netlink sockets stay open during up. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	sk = calloc((size_t)(2 * n), sizeof(int));
	pids = calloc((size_t)n, sizeof(pid_t));
	if (!sk || !pids)
		die("calloc");
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		die("/proc/thread-self/ns/net");

	double t0 = now();
	netns_dir_prepare();
	if (zygote)
		start_spawner();
	make_netns(self);
	double t1 = now();
	make_bridges();
	double t2 = now();
	make_links();
	for (int k = 0; k < 2 * n; k++)
		close(sk[k]);
	double t3 = now();
	make_procs();
	double t4 = now();

	int status = 0;
	if (cmd) {
		fflush(NULL);
		status = system(cmd);
	}

	double t5 = now();
	teardown();
	double t6 = now();
	printf("up %.6f down %.6f netns %.6f bridges %.6f links %.6f procs %.6f\n", t4 - t0,
	       t6 - t5, t1 - t0, t2 - t1, t3 - t2, t4 - t3);
	if (status != 0) {
		fprintf(stderr, "floor: -c %s: failed (status %d)\n", cmd, status);
		return 1;
	}
	return 0;
}
