// SPDX-License-Identifier: GPL-2.0-or-later
/* endpoint_parse (src/util/endpoint.c): the first byte chooses the flags,
 * the rest is the endpoint. */
#include "fuzz.h"

#include "util/endpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned flags = data[0] & (EP_ALLOW_BRIDGE | EP_ALLOW_ADDRS);
	char *s = fuzz_str(data + 1, size - 1);

	struct endpoint ep;
	struct nc_err err;
	fuzz_err_reset(&err);
	memset(&ep, 0x5a, sizeof(ep));
	int r = endpoint_parse(s, flags, &ep, &err);
	fuzz_check_err(r, &err);
	if (r >= 0) {
		if (!memchr(ep.ns, '\0', sizeof(ep.ns)) ||
		    !memchr(ep.ifname, '\0', sizeof(ep.ifname)) ||
		    !memchr(ep.bridge, '\0', sizeof(ep.bridge)) || ep.n_addrs > EP_MAX_ADDRS)
			abort();
		if (!(flags & EP_ALLOW_BRIDGE) && ep.bridge[0])
			abort();
		if (!(flags & EP_ALLOW_ADDRS) && ep.n_addrs)
			abort();
		for (size_t i = 0; i < ep.n_addrs; i++) {
			char buf[64];
			nc_cidr_str(&ep.addrs[i], true, buf, sizeof(buf));
		}
		(void)endpoint_netns(&ep);
	}
	free(s);
	return 0;
}
