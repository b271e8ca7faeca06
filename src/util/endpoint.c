// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"

static int copy_part(const char *ep, const char *start, size_t len, char *dst, size_t dstlen,
		     const char *what, struct nc_err *err)
{
	if (len >= dstlen)
		return nc_err_set(err, EINVAL, "endpoint %s: %s longer than %zu bytes", ep, what,
				  dstlen - 1);
	memcpy(dst, start, len);
	dst[len] = '\0';
	return 0;
}

/* Every message quotes the endpoint; a long one (sixteen IPv6 addresses) would
 * push the cause out of the fixed-size nc_err message, so quote its start. */
#define QUOTE_MAX 96

static const char *quote(const char *s, char *buf, size_t len)
{
	if (strlen(s) <= QUOTE_MAX)
		snprintf(buf, len, "%s", s);
	else
		snprintf(buf, len, "%.*s...", QUOTE_MAX, s);
	return buf;
}

int endpoint_parse(const char *s, unsigned flags, struct endpoint *ret_ep, struct nc_err *err)
{
	struct endpoint ep = {0};
	if (!s || !*s)
		return nc_err_set(err, EINVAL, "endpoint is empty (expected NS:IFNAME)");
	char q[QUOTE_MAX + 4];
	quote(s, q, sizeof(q));
	/* NS may not contain ':' (nc_netns_name_valid), IFNAME neither
	 * (dev_valid_name), so the first ':' splits them; addresses, which
	 * may hold ':' themselves, only start after the first '='. */
	const char *colon = strchr(s, ':');
	const char *eq = strchr(s, '=');
	if (!colon || (eq && eq < colon))
		return nc_err_set(err, EINVAL, "endpoint %s: expected NS:IFNAME", q);
	int r = copy_part(q, s, colon - s, ep.ns, sizeof(ep.ns), "netns name", err);
	if (r < 0)
		return r;
	ep.host = !strcmp(ep.ns, "host");
	if (!ep.host && (r = nc_netns_name_valid(ep.ns, err)) < 0) {
		nc_err_prefix(err, "endpoint %s", q);
		return r;
	}

	const char *ifstart = colon + 1;
	const char *ifend = eq ? eq : ifstart + strlen(ifstart);
	const char *at = memchr(ifstart, '@', ifend - ifstart);
	if ((r = copy_part(q, ifstart, (at ? at : ifend) - ifstart, ep.ifname, sizeof(ep.ifname),
			   "interface name", err)) < 0)
		return r;
	if ((r = nc_ifname_valid(ep.ifname, err)) < 0) {
		nc_err_prefix(err, "endpoint %s", q);
		return r;
	}
	if (at) {
		if (!(flags & EP_ALLOW_BRIDGE))
			return nc_err_set(err, EINVAL,
					  "endpoint %s: a bridge (@BRIDGE) is not allowed here", q);
		if ((r = copy_part(q, at + 1, ifend - at - 1, ep.bridge, sizeof(ep.bridge),
				   "bridge name", err)) < 0)
			return r;
		if ((r = nc_ifname_valid(ep.bridge, err)) < 0) {
			nc_err_prefix(err, "endpoint %s: bridge", q);
			return r;
		}
		if (!strcmp(ep.bridge, ep.ifname))
			return nc_err_set(err, EINVAL,
					  "endpoint %s: an interface cannot be its own bridge", q);
	}
	if (eq) {
		if (!(flags & EP_ALLOW_ADDRS))
			return nc_err_set(err, EINVAL,
					  "endpoint %s: addresses (=ADDR) are not allowed here", q);
		const char *p = eq + 1;
		if (!*p)
			return nc_err_set(err, EINVAL, "endpoint %s: '=' without an address", q);
		while (*p) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			char buf[64];
			if (len == 0)
				return nc_err_set(err, EINVAL, "endpoint %s: empty address in list",
						  q);
			if (len >= sizeof(buf))
				return nc_err_set(err, EINVAL,
						  "endpoint %s: address %.32s...: too long", q, p);
			if (ep.n_addrs == EP_MAX_ADDRS)
				return nc_err_set(err, EINVAL,
						  "endpoint %s: more than %d addresses", q,
						  EP_MAX_ADDRS);
			memcpy(buf, p, len);
			buf[len] = '\0';
			struct nc_cidr *c = &ep.addrs[ep.n_addrs];
			if ((r = nc_cidr_parse(buf, c, err)) < 0) {
				nc_err_prefix(err, "endpoint %s", q);
				return r;
			}
			for (size_t i = 0; i < ep.n_addrs; i++) {
				/* The kernel keys addresses by address, not prefix. */
				if (ep.addrs[i].family == c->family &&
				    !memcmp(ep.addrs[i].addr, c->addr, sizeof(c->addr)))
					return nc_err_set(err, EINVAL,
							  "endpoint %s: address %s given twice", q,
							  buf);
			}
			ep.n_addrs++;
			if (!comma)
				break;
			p = comma + 1;
			if (!*p)
				return nc_err_set(err, EINVAL, "endpoint %s: trailing ','", q);
		}
	}
	*ret_ep = ep;
	return 0;
}

const char *endpoint_netns(const struct endpoint *ep)
{
	return ep->host ? NULL : ep->ns;
}
