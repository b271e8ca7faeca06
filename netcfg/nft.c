// SPDX-License-Identifier: GPL-2.0-or-later
/* nftables through libnftables, loaded only when a command needs it: the
 * library pulls in libnftnl, libmnl, libjansson and libgmp, which every
 * other nsbox command would pay for at start-up (bench/RESULTS.md). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
		return nc_err_set(
		    err, ENOENT,
		    "nftables: cannot load libnftables.so.1 (apt-get install libnftables1)");
	api->ctx_new = (struct nft_ctx * (*)(uint32_t)) dlsym(h, "nft_ctx_new");
	api->ctx_free = (void (*)(struct nft_ctx *))dlsym(h, "nft_ctx_free");
	api->buffer_error = (int (*)(struct nft_ctx *))dlsym(h, "nft_ctx_buffer_error");
	api->buffer_output = (int (*)(struct nft_ctx *))dlsym(h, "nft_ctx_buffer_output");
	api->get_error = (const char *(*)(struct nft_ctx *))dlsym(h, "nft_ctx_get_error_buffer");
	api->run = (int (*)(struct nft_ctx *, const char *))dlsym(h, "nft_run_cmd_from_buffer");
	if (!api->ctx_new || !api->ctx_free || !api->buffer_error || !api->buffer_output ||
	    !api->get_error || !api->run)
		return nc_err_set(err, ENOENT, "nftables: libnftables.so.1 lacks %s",
				  "the nft_ctx API");
	return 0;
}

/* In the worker: run script, then write to fd a NUL, the outcome ('0'
 * done, '1' failed, '2' not supported by the kernel) and the first line of
 * libnftables' error. */
static void run_worker(const struct nft_api *api, const char *script, int fd)
{
	struct nft_ctx *ctx = api->ctx_new(NFT_CTX_DEFAULT);
	char res[2 + 200] = {'\0', '1'};
	size_t len = 2;
	if (ctx) {
		/* Keep libnftables' messages for our error instead of its
		 * stderr. */
		api->buffer_error(ctx);
		api->buffer_output(ctx);
		if (api->run(ctx, script) == 0) {
			res[1] = '0';
		} else {
			const char *msg = api->get_error(ctx);
			size_t n = msg ? strcspn(msg, "\n") : 0;
			n = n < sizeof(res) - 2 ? n : sizeof(res) - 2;
			memcpy(res + 2, msg, n);
			len += n;
			/* nf_tables_api answers EOPNOTSUPP when a hook or
			 * expression is not built; libnftables says "Operation
			 * not supported". */
			if (memmem(res + 2, n, "not supported", 13))
				res[1] = '2';
		}
	}
	/* Unwritten, the caller finds no report: a failure. */
	write(fd, res, len);
}

int nc_nft_run(const char *script, struct nc_err *err)
{
	struct nft_api api = {0};
	int r = load(&api, err);
	if (r < 0)
		return r;
	/* In a process of its own: libnftables exits the process when it
	 * cannot open its netlink socket (exit(3) in mnl.c's
	 * netlink_init_error, say out of file descriptors), which would leave
	 * whatever nsbox had made so far. Its stderr is the pipe, so that
	 * message is ours to pass on. And a grandchild, which nobody waits
	 * for: once a transaction has deleted anything, closing its socket
	 * waits for the kernel to free the objects after an RCU grace period
	 * (nft_rcv_nl_event flushes nf_tables' destroy work; 11-16 ms here,
	 * bench/RESULTS.md). The worker reports first, and the rules are gone
	 * from the ruleset by then; its exit finishes the kernel's freeing
	 * without making nsbox wait. */
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return nc_err_errno(err, errno, "nftables: pipe");
	r = nc_worker_fork(p[1], -1, err);
	if (r == 1) {
		run_worker(&api, script, STDERR_FILENO);
		/* The report is complete only at end of file: before the exit
		 * that waits for the kernel, close the pipe. Nobody reads the
		 * exit status. */
		close(STDERR_FILENO);
		_exit(0);
	}
	close(p[1]);
	if (r < 0) {
		close(p[0]);
		return nc_err_prefix(err, "nftables");
	}
	char msg[256];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(msg) - 1 && ((n = read(p[0], msg + len, sizeof(msg) - 1 - len)) > 0 ||
					 (n < 0 && errno == EINTR)))
		len += n > 0 ? (size_t)n : 0;
	close(p[0]);
	msg[len] = '\0';
	/* Without the NUL, what came is libnftables' own words before it
	 * exited, or nothing (the worker was killed). */
	if (len < 2 || msg[0] != '\0') {
		msg[strcspn(msg, "\n")] = '\0';
		return nc_err_set(err, EIO, "nftables: %s", msg[0] ? msg : "its process died");
	}
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
