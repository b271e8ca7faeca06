// SPDX-License-Identifier: GPL-2.0-or-later
/* nftables through libnftables, loaded only when a command needs it: the
 * library pulls in libnftnl, libmnl, libjansson and libgmp, which every
 * other nsbox command would pay for at start-up (bench/RESULTS.md). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
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

/* In the child: run script, write the first line of libnftables' error
 * to fd, exit 0, 1 (failed) or 2 (not supported by the kernel). */
static int run_child(const struct nft_api *api, const char *script, int fd)
{
	struct nft_ctx *ctx = api->ctx_new(NFT_CTX_DEFAULT);
	if (!ctx)
		return 1;
	/* Keep libnftables' messages for our error instead of its stderr. */
	api->buffer_error(ctx);
	api->buffer_output(ctx);
	if (api->run(ctx, script) == 0)
		return 0;
	const char *msg = api->get_error(ctx);
	size_t len = msg ? strcspn(msg, "\n") : 0;
	if (len && write(fd, msg, len) < 0)
		return 1;
	/* nf_tables_api answers EOPNOTSUPP when a hook or expression is not
	 * built; libnftables says "Operation not supported". */
	return msg && memmem(msg, len, "not supported", 13) ? 2 : 1;
}

int nc_nft_run(const char *script, void (*meanwhile)(void *arg), void *arg, struct nc_err *err)
{
	struct nft_api api = {0};
	int r = load(&api, err);
	if (r < 0) {
		if (meanwhile)
			meanwhile(arg);
		return r;
	}
	/* In a child of its own: libnftables exits the process when it
	 * cannot open its netlink socket (exit(3) in mnl.c's
	 * netlink_init_error, say out of file descriptors), which would leave
	 * whatever nsbox had made so far. Its stderr is the pipe, so that
	 * message is ours to pass on. */
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		r = nc_err_errno(err, errno, "nftables: pipe");
		if (meanwhile)
			meanwhile(arg);
		return r;
	}
	/* Forked before meanwhile starts a thread of its own, if it does:
	 * a fork with other threads running (and maybe holding a lock of the
	 * allocator: ASan's has no fork handler) would be no safe child. */
	pid_t pid = fork();
	if (pid < 0) {
		r = nc_err_errno(err, errno, "nftables: fork");
		close(p[0]);
		close(p[1]);
		if (meanwhile)
			meanwhile(arg);
		return r;
	}
	if (pid == 0) {
		close(p[0]);
		if (dup2(p[1], STDERR_FILENO) < 0)
			_exit(1);
		_exit(run_child(&api, script, p[1]));
	}
	close(p[1]);
	if (meanwhile)
		meanwhile(arg);
	char msg[200];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(msg) - 1 && ((n = read(p[0], msg + len, sizeof(msg) - 1 - len)) > 0 ||
					 (n < 0 && errno == EINTR)))
		len += n > 0 ? (size_t)n : 0;
	close(p[0]);
	msg[len] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return nc_err_errno(err, errno, "nftables: wait for its process");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		return nc_err_set(err, EOPNOTSUPP,
				  "nftables: %s (the kernel lacks nf_tables NAT: "
				  "CONFIG_NF_TABLES, CONFIG_NFT_NAT, CONFIG_NFT_MASQ)",
				  msg);
	return nc_err_set(err, EIO, "nftables: %s", msg[0] ? msg : "failed");
}
