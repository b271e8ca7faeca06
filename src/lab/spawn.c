// SPDX-License-Identifier: GPL-2.0-or-later
/* Starting a lab's node sandboxes from a helper process (spawn.h says why).
 * nsbox sends it each node with the node's netns fd (SCM_RIGHTS) as soon as
 * the netns exists; it starts the node's init held. "Ready" waits until
 * every root is built (the nodes can be joined, for the exec commands);
 * "release" lets them all go on to their commands. It reports each node
 * running, then that all are, or the first failure. */
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "lab.h"
#include "sandbox/launch.h"
#include "spawn.h"

/* Requests besides node numbers. */
#define READY	UINT32_MAX
#define RELEASE (UINT32_MAX - 1)

enum { REPORT_DONE = 0, REPORT_RUNNING = 1, REPORT_READY = 2 };

struct report {
	int32_t code; /* REPORT_*, or minus an errno with msg */
	char msg[sizeof(((struct nc_err *)0)->msg)];
};

/* What a node's sandbox is: its init keeps the namespaces; its command is
 * the node's cmd, if any. */
static void node_spec(const struct topo_node *n, char *netns, const struct nc_ns *ns,
		      struct sandbox_spec *ret_spec)
{
	struct sandbox_spec s = {
	    .net = SANDBOX_NET_NETNS,
	    .netns = netns,
	    .netns_handle = ns,
	    .rootfs = n->rootfs && strcmp(n->rootfs, "host") ? n->rootfs : NULL,
	    .hostname = n->hostname ? n->hostname : n->name,
	    .env = (const char **)n->env,
	    .n_env = n->n_env,
	    .detach = true,
	    .held = true,
	    .seccomp = true,
	    /* Docker's set, and what the node's caps: add. Not NET_ADMIN
	     * unless asked: with it, a process can reach every netns its
	     * interfaces lead to through their ids (IFLA_TARGET_NETNSID),
	     * the host's and the other nodes' (README, "Labs"). */
	    .caps = caps_default() | n->caps,
	    .argv = n->cmd,
	};
	snprintf(s.name, sizeof(s.name), "%s", netns);
	*ret_spec = s;
}

static void binds_free(struct sandbox_bind *b, size_t n)
{
	for (size_t k = 0; b && k < n; k++) {
		free((char *)b[k].src);
		free((char *)b[k].dst);
	}
	free(b);
}

static int start_node(const struct topo *t, size_t i, int netns_fd, struct sandbox_launch *ret,
		      struct nc_err *err)
{
	const struct topo_node *n = &t->nodes[i];
	char name[300];
	lab_object_name(t->name, n->name, name, sizeof(name));
	_cleanup_(nc_ns_freep) struct nc_ns *ns = NULL;
	int r = nc_ns_from_fd(netns_fd, name, &ns, err);
	if (r < 0)
		return r;
	struct sandbox_spec spec;
	node_spec(n, name, ns, &spec);
	struct sandbox_bind *binds = NULL;
	if (n->n_binds) {
		if (!(binds = calloc(n->n_binds, sizeof(*binds))))
			return nc_err_errno(err, ENOMEM, "node %s", n->name);
		for (size_t k = 0; k < n->n_binds && r == 0; k++)
			r = bind_parse(n->binds[k], &binds[k], err);
		spec.binds = binds;
		spec.n_binds = n->n_binds;
	}
	if (r == 0)
		r = sandbox_start(&spec, ret, err);
	binds_free(binds, n->n_binds);
	return r;
}

__attribute__((noreturn)) static void spawner_fail(int sock, int code, struct nc_err *err)
{
	struct report rep = {.code = -code};
	snprintf(rep.msg, sizeof(rep.msg), "%s", err->msg);
	send(sock, &rep, sizeof(rep), MSG_NOSIGNAL);
	_exit(1);
}

/* Slave mounts (nothing made here reaches nsbox), and /run/netns detached:
 * the lab's nsfs mounts, bound there from now on, propagate no further
 * than the mount that is gone. */
static int isolate_mounts(struct nc_err *err)
{
	if (unshare(CLONE_NEWNS) < 0)
		return nc_err_errno(err, errno, "node launcher: unshare the mount namespace");
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return nc_err_errno(err, errno, "node launcher: make / a slave mount");
	if (umount2(NC_NETNS_DIR, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return nc_err_errno(err, errno, "node launcher: detach %s", NC_NETNS_DIR);
	return 0;
}

/* Read one request: a node and its netns fd, or RELEASE. */
static int receive(int sock, uint32_t *ret_node, int *ret_fd)
{
	uint32_t node = 0;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = &node, .iov_len = sizeof(node)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	if (n != sizeof(node))
		return n < 0 ? -errno : -EPIPE;
	*ret_fd = -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
	*ret_node = node;
	return 0;
}

__attribute__((noreturn)) static void spawner_main(const struct topo *t, int sock, pid_t parent)
{
	struct nc_err err;
	/* nsbox's death takes the spawner along, and it the inits it holds. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
		_exit(1);
	/* Only the socket is kept: every init cloned from here inherits
	 * what is open, and closes it one by one. */
	if (dup2(sock, 3) < 0)
		_exit(1);
	sock = 3;
	close_range(4, ~0U, 0);
	int r = isolate_mounts(&err);
	if (r < 0)
		spawner_fail(sock, -r, &err);
	struct sandbox_launch *launches = calloc(t->n_nodes + 1, sizeof(*launches));
	if (!launches)
		spawner_fail(sock, ENOMEM, &(struct nc_err){.msg = "node launcher: out of memory"});
	for (size_t i = 0; i < t->n_nodes; i++)
		launches[i].pidfd = launches[i].err_r = launches[i].go_w = -1;

	for (;;) {
		uint32_t node = RELEASE;
		int fd = -1;
		if ((r = receive(sock, &node, &fd)) < 0)
			_exit(1); /* nsbox is gone or gave up */
		if (node == RELEASE)
			break;
		if (node == READY) {
			for (size_t i = 0; i < t->n_nodes; i++)
				if (launches[i].go_w >= 0 &&
				    sandbox_ready(&launches[i], &err) < 0) {
					nc_err_prefix(&err, "node %s", t->nodes[i].name);
					spawner_fail(sock, err.code, &err);
				}
			struct report ready = {.code = REPORT_READY};
			send(sock, &ready, sizeof(ready), MSG_NOSIGNAL);
			continue;
		}
		if (node >= t->n_nodes || fd < 0 || launches[node].pidfd >= 0) {
			nc_err_set(&err, EPROTO, "node launcher: bad request");
			spawner_fail(sock, EPROTO, &err);
		}
		if ((r = start_node(t, node, fd, &launches[node], &err)) < 0) {
			nc_err_prefix(&err, "node %s", t->nodes[node].name);
			spawner_fail(sock, err.code, &err);
		}
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		if (launches[i].go_w >= 0 && (r = sandbox_release(&launches[i], &err)) < 0) {
			nc_err_prefix(&err, "node %s", t->nodes[i].name);
			spawner_fail(sock, err.code, &err);
		}
	for (size_t i = 0; i < t->n_nodes; i++) {
		if (launches[i].err_r < 0)
			continue;
		if (sandbox_started(&launches[i], &err) < 0) {
			nc_err_prefix(&err, "node %s", t->nodes[i].name);
			spawner_fail(sock, err.code, &err);
		}
		close(launches[i].pidfd);
		struct report running = {.code = REPORT_RUNNING};
		send(sock, &running, sizeof(running), MSG_NOSIGNAL);
	}
	struct report done = {.code = REPORT_DONE};
	send(sock, &done, sizeof(done), MSG_NOSIGNAL);
	_exit(0);
}

int spawner_start(const struct topo *t, struct spawner *ret_spawner, struct nc_err *err)
{
	/* The mount every netns will be bound under must exist before the
	 * fork, for the spawner to detach it (spawn.h). */
	int r = nc_netns_dir_prepare(err);
	if (r < 0)
		return r;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return nc_err_errno(err, errno, "node launcher: socketpair");
	/* A netns is made faster than a sandbox is started: room for every
	 * request at once, so that nsbox never waits for the spawner (a
	 * socketpair's queue is bounded by the sender's buffer alone). */
	int size = 16 << 20;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
	pid_t parent = getpid();
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		r = nc_err_errno(err, errno, "node launcher: fork");
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0) {
		close(sv[0]);
		spawner_main(t, sv[1], parent);
	}
	close(sv[1]);
	*ret_spawner = (struct spawner){.pid = pid, .sock = sv[0]};
	return 0;
}

/* The spawner's last word: its failure, or what became of it. */
static int spawner_result(struct spawner *s, struct nc_err *err)
{
	struct report rep;
	ssize_t n = recv(s->sock, &rep, sizeof(rep), 0);
	int status = 0;
	if (n != sizeof(rep) || rep.code >= 0) {
		spawner_kill(s);
		return nc_err_set(err, EPROTO, "node launcher: ended before its work was done");
	}
	waitpid(s->pid, &status, 0);
	s->pid = 0;
	rep.msg[sizeof(rep.msg) - 1] = '\0';
	return nc_err_set(err, -rep.code, "%s", rep.msg);
}

static int request(struct spawner *s, uint32_t node, int fd, struct nc_err *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct iovec iov = {.iov_base = &node, .iov_len = sizeof(node)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (fd >= 0) {
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	if (sendmsg(s->sock, &mh, MSG_NOSIGNAL) == sizeof(node))
		return 0;
	if (errno == EPIPE || errno == ECONNRESET)
		return spawner_result(s, err);
	return nc_err_errno(err, errno, "node launcher: send");
}

int spawner_node(struct spawner *s, size_t node, const struct nc_ns *ns, struct nc_err *err)
{
	return request(s, (uint32_t)node, nc_ns_fd(ns), err);
}

int spawner_ready(struct spawner *s, struct nc_err *err)
{
	int r = request(s, READY, -1, err);
	if (r < 0)
		return r;
	struct report rep;
	if (recv(s->sock, &rep, sizeof(rep), MSG_PEEK) != sizeof(rep) || rep.code != REPORT_READY)
		return spawner_result(s, err);
	recv(s->sock, &rep, sizeof(rep), 0);
	return 0;
}

int spawner_finish(struct spawner *s, struct progress *p, struct nc_err *err)
{
	int r = request(s, RELEASE, -1, err);
	if (r < 0)
		return r;
	for (;;) {
		struct report rep;
		ssize_t n = recv(s->sock, &rep, sizeof(rep), MSG_PEEK);
		if (n != sizeof(rep) || rep.code < 0)
			return spawner_result(s, err);
		recv(s->sock, &rep, sizeof(rep), 0);
		if (rep.code == REPORT_DONE)
			break;
		progress_step(p);
	}
	int status;
	waitpid(s->pid, &status, 0);
	s->pid = 0;
	close(s->sock);
	s->sock = -1;
	return 0;
}

void spawner_kill(struct spawner *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
	if (s->sock >= 0) {
		close(s->sock);
		s->sock = -1;
	}
}
