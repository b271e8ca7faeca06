// SPDX-License-Identifier: GPL-2.0-or-later
/* Per-netns handles and their rtnetlink sockets. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <netlink/attr.h>

#include "internal.h"

static int ns_path_open(const char *name, int *ret_fd, struct nc_err *err)
{
	char path[sizeof(NC_NETNS_DIR) + NAME_MAX + 2];
	if (!name) {
		/* thread-self, not self: a thread of ours may sit in another netns. */
		int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return nc_err_errno(err, errno,
					    "netns host: open /proc/thread-self/ns/net");
		*ret_fd = fd;
		return 0;
	}
	int r = nc_netns_name_valid(name, err);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/%s", NC_NETNS_DIR, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return nc_err_set(err, ENOENT, "netns %s: no such network namespace", name);
		return nc_err_errno(err, errno, "netns %s: open %s", name, path);
	}
	*ret_fd = fd;
	return 0;
}

int nc_ns_open(const char *name, struct nc_ns **ret_ns, struct nc_err *err)
{
	int fd = -1;
	int r = ns_path_open(name, &fd, err);
	if (r < 0)
		return r;
	return nc_ns_from_fd(fd, name, ret_ns, err);
}

int nc_ns_open_pid(pid_t pid, const char *label, struct nc_ns **ret_ns, struct nc_err *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return nc_err_errno(err, errno, "netns of %s: open %s", label, path);
	return nc_ns_from_fd(fd, label, ret_ns, err);
}

int nc_ns_from_fd(int fd_in, const char *name, struct nc_ns **ret_ns, struct nc_err *err)
{
	_cleanup_close_ int fd = fd_in;

	/* A file under /run/netns that is not the mount of a netns inode is the
	 * leftover of an interrupted add (or something else entirely); setns()
	 * would refuse it later with a far less helpful EINVAL. */
	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET)
		return nc_err_set(err, EINVAL, "netns %s: %s/%s is not a network namespace",
				  name ? name : "host", NC_NETNS_DIR, name ? name : "");
	struct stat st;
	if (fstat(fd, &st) < 0)
		return nc_err_errno(err, errno, "netns %s: stat", name ? name : "host");

	struct nc_ns *ns = calloc(1, sizeof(*ns));
	if (!ns)
		return nc_err_errno(err, ENOMEM, "netns %s", name ? name : "host");
	if (name && !(ns->name = strdup(name))) {
		free(ns);
		return nc_err_errno(err, ENOMEM, "netns %s", name);
	}
	ns->fd = NC_TAKE_FD(fd);
	ns->sysctl_dir = -1;
	ns->dev = st.st_dev;
	ns->ino = st.st_ino;
	*ret_ns = ns;
	return 0;
}

void nc_ns_free(struct nc_ns *ns)
{
	if (!ns)
		return;
	nl_socket_free(ns->sk);
	if (ns->fd >= 0)
		close(ns->fd);
	if (ns->sysctl_dir >= 0)
		close(ns->sysctl_dir);
	free(ns->name);
	free(ns);
}

const char *nc_ns_name(const struct nc_ns *ns)
{
	return ns->name ? ns->name : "host";
}

int nc_ns_fd(const struct nc_ns *ns)
{
	return ns->fd;
}

int nc_ns_pids(const struct nc_ns *ns, int **ret_pids, size_t *ret_n, struct nc_err *err)
{
	_cleanup_(closedirp) DIR *d = opendir("/proc");
	if (!d)
		return nc_err_errno(err, errno, "open /proc");
	_cleanup_free_ int *pids = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	char path[64];
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
		struct stat st;
		/* Processes come and go during the scan; a vanished one or a
		 * kernel thread (no ns links readable) simply does not count. */
		if (stat(path, &st) < 0 || st.st_dev != ns->dev || st.st_ino != ns->ino)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			int *np = realloc(pids, cap * sizeof(int));
			if (!np)
				return nc_err_errno(err, ENOMEM, "netns %s: list processes",
						    nc_ns_name(ns));
			pids = np;
		}
		pids[n++] = (int)pid;
	}
	*ret_pids = NC_TAKE(pids);
	*ret_n = n;
	return 0;
}

static void *ns_thread_main(void *p)
{
	struct nc_ns_job *t = p;
	if (t->fd < 0 && unshare(CLONE_NEWNET) < 0)
		t->r = nc_err_errno(t->err, errno, "netns %s: unshare(CLONE_NEWNET)", t->name);
	else if (t->fd >= 0 && setns(t->fd, CLONE_NEWNET) < 0)
		t->r = nc_err_errno(t->err, errno, "netns %s: setns", t->name);
	else
		t->r = t->fn(t->arg, t->err);
	return NULL;
}

int nc_in_netns_start(struct nc_ns_job *job, int fd, const char *name,
		      int (*fn)(void *arg, struct nc_err *err), void *arg, struct nc_err *err)
{
	/* On a thread of its own, which ends there: the caller's thread
	 * never leaves its netns, so there is no way back that could fail
	 * (setns can, with ENOMEM) and leave it, and what it does next, in
	 * the wrong one. */
	*job = (struct nc_ns_job){.fd = fd, .name = name, .fn = fn, .arg = arg, .err = err};
	int e = pthread_create(&job->tid, NULL, ns_thread_main, job);
	if (e)
		return nc_err_errno(err, e, "netns %s: start a thread", name);
	return 0;
}

int nc_in_netns_join(struct nc_ns_job *job)
{
	pthread_join(job->tid, NULL);
	return job->r;
}

int nc_in_netns(int fd, const char *name, int (*fn)(void *arg, struct nc_err *err), void *arg,
		struct nc_err *err)
{
	struct nc_ns_job job;
	int r = nc_in_netns_start(&job, fd, name, fn, arg, err);
	return r < 0 ? r : nc_in_netns_join(&job);
}

int nc_ns_call(struct nc_ns *ns, int (*fn)(void *arg, struct nc_err *err), void *arg,
	       struct nc_err *err)
{
	/* The caller's own netns (as in nc_ns_sock): no thread to start. */
	if (!ns->name)
		return fn(arg, err);
	return nc_in_netns(ns->fd, nc_ns_name(ns), fn, arg, err);
}

/* What the kernel last answered on this thread: libnl folds the errno of
 * an NLMSG_ERROR into its NLE_* codes (nl_syserr2nlerr), losing most of
 * them (ENETUNREACH becomes "Unspecific failure"), and drops the extended
 * ack text. Like errno, it is per thread and read right after a failure. */
static __thread struct {
	int error;
	char msg[160];
} last_ack;

static int record_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	last_ack.error = -e->error;
	last_ack.msg[0] = '\0';
	const struct nlmsghdr *h = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	/* The TLVs follow the echoed request, which NLM_F_CAPPED cuts to its
	 * header (netlink_ack() in net/netlink/af_netlink.c). */
	size_t off = sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	size_t total = h->nlmsg_len - NLMSG_HDRLEN;
	if (off >= total)
		return NL_STOP;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off), (int)(total - off),
		      NULL) == 0 &&
	    tb[NLMSGERR_ATTR_MSG])
		snprintf(last_ack.msg, sizeof(last_ack.msg), "%s",
			 (const char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	return NL_STOP;
}

void nc_nl_reset(void)
{
	last_ack.error = 0;
}

int nc_nl_last_error(const char **ret_msg)
{
	*ret_msg = last_ack.msg[0] ? last_ack.msg : NULL;
	return last_ack.error;
}

/* recvmsg(2) failing with ENOMEM leaves the message queued (the copy to
 * user space failed, not its delivery): read it again. Given up, the
 * answer to a request the kernel has carried out would be lost, and the
 * caller could not roll back what it does not know was made. */
static int recv_retrying(struct nl_sock *sk, struct sockaddr_nl *nla, unsigned char **buf,
			 struct ucred **creds)
{
	int r;
	for (int tries = 0; tries < 3; tries++)
		if ((r = nl_recv(sk, nla, buf, creds)) != -NLE_NOMEM)
			break;
	return r;
}

int nc_rtnl_connect(struct nl_sock **ret_sk, struct nc_err *err)
{
	_cleanup_nl_sock_ struct nl_sock *sk = nl_socket_alloc();
	if (!sk)
		return nc_err_errno(err, ENOMEM, "netlink socket");
	int r = nl_connect(sk, NETLINK_ROUTE);
	if (r < 0)
		return nc_err_nl(err, r, "netlink socket");
	/* Large dumps (hundreds of links) overflow the default buffer. */
	nl_socket_set_buffer_size(sk, 1 << 20, 1 << 20);
	/* libnl reads each reply twice (MSG_PEEK for its size, then for real)
	 * unless told a buffer that always fits: netlink_dump() fills at most
	 * 32 KiB per skb (net/netlink/af_netlink.c), so 64 KiB always does. */
	nl_socket_disable_msg_peek(sk);
	nl_socket_set_msg_buf_size(sk, 64 * 1024);
	int one = 1;
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, record_error, NULL);
	struct nl_cb *cb = nl_socket_get_cb(sk);
	if (cb) {
		nl_cb_overwrite_recv(cb, recv_retrying);
		nl_cb_put(cb);
	}
	*ret_sk = NC_TAKE(sk);
	return 0;
}

static int connect_cb(void *arg, struct nc_err *err)
{
	return nc_rtnl_connect(arg, err);
}

int nc_ns_sock(struct nc_ns *ns, struct nl_sock **ret_sk, struct nc_err *err)
{
	nc_nl_reset();
	if (!ns->sk) {
		int r = ns->name ? nc_ns_call(ns, connect_cb, &ns->sk, err)
				 : nc_rtnl_connect(&ns->sk, err);
		if (r < 0)
			return r;
	}
	*ret_sk = ns->sk;
	return 0;
}

int nc_ifindex(struct nc_ns *ns, const char *name, int *ret_ifindex, struct nc_err *err)
{
	struct nl_sock *sk;
	int r = nc_ns_sock(ns, &sk, err);
	if (r < 0)
		return r;
	_cleanup_link_ struct rtnl_link *link = NULL;
	r = rtnl_link_get_kernel(sk, 0, name, &link);
	if (r < 0) {
		if (r == -NLE_NODEV || r == -NLE_OBJ_NOTFOUND)
			return nc_err_set(err, ENODEV, "link %s:%s: no such device", nc_ns_name(ns),
					  name);
		return nc_err_nl(err, r, "link %s:%s", nc_ns_name(ns), name);
	}
	*ret_ifindex = rtnl_link_get_ifindex(link);
	return 0;
}

int nc_cidr_to_nl(const struct nc_cidr *c, struct nl_addr **ret_addr, struct nc_err *err)
{
	struct nl_addr *a = nl_addr_build(c->family, c->addr, c->family == AF_INET ? 4 : 16);
	if (!a)
		return nc_err_errno(err, ENOMEM, "address");
	nl_addr_set_prefixlen(a, (int)c->prefixlen);
	*ret_addr = a;
	return 0;
}

void nc_cidr_from_nl(const struct nl_addr *a, struct nc_cidr *ret_cidr)
{
	memset(ret_cidr, 0, sizeof(*ret_cidr));
	ret_cidr->family = nl_addr_get_family(a);
	unsigned len = nl_addr_get_len(a);
	if (len > sizeof(ret_cidr->addr))
		len = sizeof(ret_cidr->addr);
	memcpy(ret_cidr->addr, nl_addr_get_binary_addr(a), len);
	ret_cidr->prefixlen = nl_addr_get_prefixlen(a);
}
