// SPDX-License-Identifier: GPL-2.0-or-later
/* nftables through libnftables, loaded only when a command needs it: the
 * library pulls in libnftnl, libmnl, libjansson and libgmp, which every
 * other nsbox command would pay for at start-up (bench/RESULTS.md). */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

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

int nc_nft_run(const char *script, struct nc_err *err)
{
	struct nft_api api = {0};
	int r = load(&api, err);
	if (r < 0)
		return r;
	struct nft_ctx *ctx = api.ctx_new(NFT_CTX_DEFAULT);
	if (!ctx)
		return nc_err_errno(err, ENOMEM, "nftables");
	/* Keep libnftables' messages for our error instead of its stderr. */
	api.buffer_error(ctx);
	api.buffer_output(ctx);
	r = api.run(ctx, script);
	if (r != 0) {
		const char *msg = api.get_error(ctx);
		char first[200] = "";
		if (msg)
			snprintf(first, sizeof(first), "%.*s", (int)strcspn(msg, "\n"), msg);
		/* nf_tables_api answers EOPNOTSUPP when a hook or expression
		 * is not built; libnftables says "Operation not supported". */
		if (strstr(first, "not supported"))
			r = nc_err_set(err, EOPNOTSUPP,
				       "nftables: %s (the kernel lacks nf_tables NAT: "
				       "CONFIG_NF_TABLES, CONFIG_NFT_NAT, CONFIG_NFT_MASQ)",
				       first);
		else
			r = nc_err_set(err, EIO, "nftables: %s", first[0] ? first : "failed");
	}
	api.ctx_free(ctx);
	return r;
}
