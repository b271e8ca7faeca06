// SPDX-License-Identifier: GPL-2.0-or-later
/* nftables through libnftables, loaded only when a command needs it: the
 * library pulls in libnftnl, libmnl, libjansson and libgmp, which every
 * other nsbox command would pay for at start-up (bench/RESULTS.md). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/membarrier.h>

#include <nftables/libnftables.h>

#include "internal.h"

struct nft_api {
	struct nft_ctx *(*ctx_new)(uint32_t flags);
	void (*ctx_free)(struct nft_ctx *ctx);
	int (*buffer_error)(struct nft_ctx *ctx);
	int (*buffer_output)(struct nft_ctx *ctx);
	const char *(*get_error)(struct nft_ctx *ctx);
	int (*run)(struct nft_ctx *ctx, const char *buf);
};

static int load(struct nft_api *api, struct nc_err *err)
{
	/* Loaded for good: dlclose of a library with its own constructors
	 * buys nothing in a short-lived process. */
	void *h = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return nc_err_set(err, ENOENT,
				  "cannot load libnftables.so.1 (apt-get install libnftables1)");
	api->ctx_new = (struct nft_ctx * (*)(uint32_t)) dlsym(h, "nft_ctx_new");
	api->ctx_free = (void (*)(struct nft_ctx *))dlsym(h, "nft_ctx_free");
	api->buffer_error = (int (*)(struct nft_ctx *))dlsym(h, "nft_ctx_buffer_error");
	api->buffer_output = (int (*)(struct nft_ctx *))dlsym(h, "nft_ctx_buffer_output");
	api->get_error = (const char *(*)(struct nft_ctx *))dlsym(h, "nft_ctx_get_error_buffer");
	api->run = (int (*)(struct nft_ctx *, const char *))dlsym(h, "nft_run_cmd_from_buffer");
	if (!api->ctx_new || !api->ctx_free || !api->buffer_error || !api->buffer_output ||
	    !api->get_error || !api->run)
		return nc_err_set(err, ENOENT, "libnftables.so.1 lacks the nft_ctx API");
	return 0;
}

/* The worker's channel is one SOCK_SEQPACKET pair: scripts one way, in
 * chunks whose first byte says whether one follows; reports the other, one
 * message each, starting with a NUL. libnftables' own words on stderr (the
 * same socket) come as messages of their own. */
enum { CHUNK = 16 * 1024 }; /* well below a socket's send buffer */

/* In the worker: the next script, to its end; NULL at the end of the
 * channel (the caller is done, or died). */
static char *recv_script(int fd)
{
	char *buf = NULL;
	size_t len = 0;
	for (;;) {
		char *more = realloc(buf, len + CHUNK + 1);
		if (!more)
			break;
		buf = more;
		ssize_t n = recv(fd, buf + len, CHUNK + 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		bool last = buf[len] == 'e';
		memmove(buf + len, buf + len + 1, (size_t)n - 1);
		len += (size_t)n - 1;
		if (last) {
			buf[len] = '\0';
			return buf;
		}
	}
	free(buf);
	return NULL;
}

/* In the worker: load libnftables, then run each script that comes on fd
 * and answer with a NUL, the outcome ('0' done, '1' failed, '2' not
 * supported by the kernel) and the first line of the error. Whether any
 * script ran. */
static bool run_worker(int fd)
{
	struct nft_api api = {0};
	struct nc_err err = {0};
	/* Loaded here, not in nsbox: the library's start-up (and its pages in
	 * every later fork) stays out of the caller, and happens while the
	 * caller gets on with its own work. */
	struct nft_ctx *ctx = load(&api, &err) < 0 ? NULL : api.ctx_new(NFT_CTX_DEFAULT);
	if (ctx) {
		/* Keep libnftables' messages for our error instead of its
		 * stderr. */
		api.buffer_error(ctx);
		api.buffer_output(ctx);
	}
	bool ran = false;
	char *script;
	while ((script = recv_script(fd))) {
		char res[2 + 200] = {'\0', '1'};
		const char *msg = err.msg[0] ? err.msg : "cannot make an nft context";
		if (ctx) {
			ran = true;
			msg = NULL;
			/* Read or not, the error buffer is emptied, for the
			 * next script's words alone. */
			if (api.run(ctx, script) == 0)
				api.get_error(ctx);
			else
				msg = api.get_error(ctx);
			res[1] = msg ? '1' : '0';
		}
		free(script);
		size_t n = msg ? strcspn(msg, "\n") : 0;
		n = n < sizeof(res) - 2 ? n : sizeof(res) - 2;
		if (n)
			memcpy(res + 2, msg, n);
		/* nf_tables_api answers EOPNOTSUPP when a hook or expression
		 * is not built; libnftables says "Operation not supported". */
		if (ctx && res[1] == '1' && memmem(res + 2, n, "not supported", 13))
			res[1] = '2';
		/* Unsent, the caller finds no report: a failure. */
		if (send(fd, res, 2 + n, MSG_NOSIGNAL) < 0)
			break;
	}
	return ran;
}

int nc_nft_prepare(struct nc_nft_job *ret_job, struct nc_err *err)
{
	/* In a process of its own: libnftables exits the process when it
	 * cannot open its netlink socket (exit(3) in mnl.c's
	 * netlink_init_error, say out of file descriptors), which would leave
	 * whatever nsbox had made so far. Its stderr is the channel, so that
	 * message is ours to pass on. Sent with MSG_NOSIGNAL, a script costs
	 * no SIGPIPE when the worker is gone. And a grandchild, which nobody
	 * waits for (nc_worker_fork): see the end of it. */
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return nc_err_errno(err, errno, "nftables: socketpair");
	pid_t middle;
	int r = nc_worker_fork(sv[1], sv[1], -1, &middle, err);
	if (r == 1) {
		prctl(PR_SET_NAME, "nsbox-nft");
		if (!run_worker(STDIN_FILENO))
			_exit(0);
		/* Every commit queues nf_tables' destroy work, which frees the
		 * transaction after an RCU grace period, additions too
		 * (nf_tables_commit_release). Closing an nftables socket
		 * flushes that work with the netns's commit mutex held
		 * (nft_rcv_nl_event), and every device registered or
		 * unregistered in the netns takes that mutex
		 * (nf_tables_netdev_event, Linux 6.16 on): closed at once,
		 * the socket would hold up the next veth for a grace period
		 * (5-8 ms here, bench/RESULTS.md). So the worker waits out
		 * two grace periods first (membarrier(2)'s GLOBAL command is
		 * a synchronize_rcu() where more than one CPU is online); the
		 * second one began after the work was queued, which by then
		 * has most likely run. Where the command is missing, it just
		 * ends. */
		close(STDIN_FILENO);
		close(STDERR_FILENO);
		if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0)
			syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
		_exit(0);
	}
	close(sv[1]);
	if (r < 0) {
		close(sv[0]);
		return nc_err_prefix(err, "nftables");
	}
	*ret_job = (struct nc_nft_job){.fd = sv[0], .middle = middle};
	return 0;
}

int nc_nft_send(struct nc_nft_job *job, const char *script, struct nc_err *err)
{
	size_t len = strlen(script), off = 0;
	for (;;) {
		size_t n = len - off < CHUNK ? len - off : CHUNK;
		char flag = off + n == len ? 'e' : 'c';
		struct iovec iov[2] = {{&flag, 1}, {(char *)script + off, n}};
		struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};
		if (sendmsg(job->fd, &m, MSG_NOSIGNAL) < 0) {
			if (errno == EINTR)
				continue;
			/* The worker, gone or not, waits for nothing more. */
			int r = nc_err_errno(err, errno, "nftables: send the script");
			shutdown(job->fd, SHUT_RDWR);
			return r;
		}
		off += n;
		if (flag == 'e')
			return 0;
	}
}

static int reap(struct nc_nft_job *job, struct nc_err *err)
{
	if (job->middle <= 0)
		return 0;
	int r = nc_worker_reap(job->middle, err);
	job->middle = 0;
	return r;
}

int nc_nft_finish(struct nc_nft_job *job, struct nc_err *err)
{
	char msg[256], words[256] = "";
	ssize_t n;
	/* Anything before the report is libnftables' own words: what it
	 * said before it exited, if no report follows. */
	while ((n = recv(job->fd, msg, sizeof(msg) - 1, 0)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || msg[0] == '\0')
			break;
		msg[n] = '\0';
		if (!words[0])
			snprintf(words, sizeof(words), "%.*s", (int)strcspn(msg, "\n"), msg);
	}
	struct nc_err reaped;
	int started = reap(job, &reaped);
	if (n < 2 || msg[0] != '\0')
		return nc_err_set(err, EIO, "nftables: %s",
				  words[0]	? words
				  : started < 0 ? reaped.msg
						: "its process died");
	msg[n] = '\0';
	const char *text = msg + 2;
	if (msg[1] == '0')
		return 0;
	if (msg[1] == '2')
		return nc_err_set(err, EOPNOTSUPP,
				  "nftables: %s (the kernel lacks nf_tables NAT: "
				  "CONFIG_NF_TABLES, CONFIG_NFT_NAT, CONFIG_NFT_MASQ)",
				  text);
	return nc_err_set(err, EIO, "nftables: %s", text[0] ? text : "failed");
}

void nc_nft_end(struct nc_nft_job *job)
{
	/* The worker sees the end of the channel, runs nothing more and
	 * ends; shut down, as a copy of the fd may live on in a child forked
	 * meanwhile. */
	if (job->fd >= 0) {
		shutdown(job->fd, SHUT_RDWR);
		close(job->fd);
		job->fd = -1;
	}
	reap(job, NULL);
}

int nc_nft_run(const char *script, struct nc_err *err)
{
	_cleanup_(nc_nft_end) struct nc_nft_job job = NC_NFT_JOB_NONE;
	int r = nc_nft_prepare(&job, err);
	if (r < 0)
		return r;
	if ((r = nc_nft_send(&job, script, err)) < 0)
		return r;
	return nc_nft_finish(&job, err);
}
