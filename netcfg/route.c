// SPDX-License-Identifier: GPL-2.0-or-later
/* Routes, IPv4 and IPv6, in the main table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <netlink/route/nexthop.h>

#include "internal.h"

int nc_route_parse(const char *const *words, size_t n, struct nc_route *ret_rt, struct nc_err *err)
{
	struct nc_route rt = {0};
	const char *gw_word = NULL;
	if (n == 0)
		return nc_err_set(err, EINVAL, "route: missing destination (DEST or default)");
	bool is_default = !strcmp(words[0], "default");
	if (!is_default) {
		int r = strchr(words[0], '/') ? nc_cidr_parse(words[0], &rt.dst, err)
					      : nc_ip_parse(words[0], &rt.dst, err);
		if (r < 0)
			return r;
		/* A host part beyond the prefix is a typo more often than not;
		 * the kernel refuses it too (EINVAL from fib_table_insert). */
		struct nc_cidr net = rt.dst;
		net.prefixlen = rt.dst.family == AF_INET ? 32 : 128;
		struct nc_cidr masked = rt.dst;
		for (unsigned bit = rt.dst.prefixlen; bit < net.prefixlen; bit++)
			masked.addr[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
		if (memcmp(masked.addr, rt.dst.addr, sizeof(rt.dst.addr))) {
			char buf[64];
			return nc_err_set(
			    err, EINVAL,
			    "route %s: host bits set beyond the prefix (did you mean %s?)",
			    words[0], nc_cidr_str(&masked, true, buf, sizeof(buf)));
		}
	}
	for (size_t i = 1; i < n; i += 2) {
		const char *key = words[i], *val = i + 1 < n ? words[i + 1] : NULL;
		/* A misspelt last word is unknown, not a keyword missing its value. */
		bool known = !strcmp(key, "via") || !strcmp(key, "dev") || !strcmp(key, "metric");
		if (!val && known)
			return nc_err_set(err, EINVAL, "route %s: '%s' needs a value", words[0],
					  key);
		int r;
		if (known &&
		    ((!strcmp(key, "via") && rt.has_gw) || (!strcmp(key, "dev") && rt.dev[0]) ||
		     (!strcmp(key, "metric") && rt.has_metric)))
			return nc_err_set(err, EINVAL, "route %s: '%s' given twice", words[0], key);
		if (!strcmp(key, "via")) {
			if ((r = nc_ip_parse(val, &rt.gw, err)) < 0)
				return r;
			rt.has_gw = true;
			gw_word = val;
		} else if (!strcmp(key, "dev")) {
			if ((r = nc_ifname_valid(val, err)) < 0)
				return r;
			snprintf(rt.dev, sizeof(rt.dev), "%s", val);
		} else if (!strcmp(key, "metric")) {
			uint64_t m;
			if ((r = nc_uint_parse(val, 0, UINT32_MAX, "route metric", &m, err)) < 0)
				return r;
			rt.metric = (uint32_t)m;
			rt.has_metric = true;
		} else {
			return nc_err_set(
			    err, EINVAL,
			    "route %s: unknown word '%s' (expected via, dev or metric)", words[0],
			    key);
		}
	}
	if (!rt.has_gw && !rt.dev[0])
		return nc_err_set(err, EINVAL, "route %s: needs 'via GW' or 'dev IFNAME'",
				  words[0]);
	if (is_default)
		rt.dst.family = rt.has_gw ? rt.gw.family : AF_INET;
	if (rt.has_gw && rt.gw.family != rt.dst.family)
		return nc_err_set(err, EINVAL, "route %s: gateway %s is of another address family",
				  words[0], gw_word);
	*ret_rt = rt;
	return 0;
}

static const char *route_str(const struct nc_route *rt, char *buf, size_t len)
{
	if (rt->dst.prefixlen == 0)
		snprintf(buf, len, "default");
	else
		nc_cidr_str(&rt->dst, true, buf, len);
	return buf;
}

static int build(struct nc_ns *ns, const struct nc_route *rt, struct rtnl_route **ret_route,
		 struct nc_err *err)
{
	char what[64];
	route_str(rt, what, sizeof(what));
	_cleanup_route_ struct rtnl_route *route = rtnl_route_alloc();
	if (!route)
		return nc_err_errno(err, ENOMEM, "route %s", what);
	_cleanup_nl_addr_ struct nl_addr *dst = NULL, *gw = NULL;
	int r = nc_cidr_to_nl(&rt->dst, &dst, err);
	if (r < 0)
		return r;
	rtnl_route_set_family(route, (uint8_t)rt->dst.family);
	if ((r = rtnl_route_set_dst(route, dst)) < 0)
		return nc_err_nl(err, r, "route %s", what);
	rtnl_route_set_table(route, RT_TABLE_MAIN);
	rtnl_route_set_protocol(route, RTPROT_STATIC);
	/* A route without a gateway reaches its destination directly on the
	 * link, as iproute2 infers ("scope link") for "dev X" alone. */
	rtnl_route_set_scope(route, rt->has_gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	if (rt->has_metric)
		rtnl_route_set_priority(route, rt->metric);
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	if (!nh)
		return nc_err_errno(err, ENOMEM, "route %s", what);
	if (rt->dev[0]) {
		int ifindex;
		if ((r = nc_ifindex(ns, rt->dev, &ifindex, err)) < 0) {
			rtnl_route_nh_free(nh);
			return r;
		}
		rtnl_route_nh_set_ifindex(nh, ifindex);
	}
	if (rt->has_gw) {
		if ((r = nc_cidr_to_nl(&rt->gw, &gw, err)) < 0) {
			rtnl_route_nh_free(nh);
			return r;
		}
		rtnl_route_nh_set_gateway(nh, gw);
	}
	rtnl_route_add_nexthop(route, nh); /* route owns nh from here */
	*ret_route = NC_TAKE(route);
	return 0;
}

static int change(struct nc_ns *ns, const struct nc_route *rt, bool add, struct nc_err *err)
{
	char what[64];
	route_str(rt, what, sizeof(what));
	struct nl_sock *sk;
	int r = nc_ns_sock(ns, &sk, err);
	if (r < 0)
		return r;
	_cleanup_route_ struct rtnl_route *route = NULL;
	if ((r = build(ns, rt, &route, err)) < 0)
		return r;
	r = add ? rtnl_route_add(sk, route, NLM_F_CREATE | NLM_F_EXCL)
		: rtnl_route_delete(sk, route, 0);
	if (r == -NLE_EXIST)
		return nc_err_set(err, EEXIST, "route %s in netns %s: already exists", what,
				  nc_ns_name(ns));
	if (r == -NLE_OBJ_NOTFOUND)
		return nc_err_set(err, ESRCH, "route %s in netns %s: no such route", what,
				  nc_ns_name(ns));
	/* ENETUNREACH from fib_check_nh(): no connected route covers the
	 * gateway. */
	if (r < 0)
		return nc_err_nl(err, r, "route %s in netns %s", what, nc_ns_name(ns));
	return 0;
}

int nc_route_add(struct nc_ns *ns, const struct nc_route *rt, struct nc_err *err)
{
	return change(ns, rt, true, err);
}

int nc_route_del(struct nc_ns *ns, const struct nc_route *rt, struct nc_err *err)
{
	return change(ns, rt, false, err);
}

int nc_route_dsts(struct nc_ns *ns, int family, struct nc_cidr **ret_dsts, size_t *ret_n,
		  struct nc_err *err)
{
	struct nl_sock *sk;
	int r = nc_ns_sock(ns, &sk, err);
	if (r < 0)
		return r;
	_cleanup_nl_cache_ struct nl_cache *cache = NULL;
	if ((r = rtnl_route_alloc_cache(sk, family, 0, &cache)) < 0)
		return nc_err_nl(err, r, "netns %s: list routes", nc_ns_name(ns));
	size_t n = 0, cap = (size_t)nl_cache_nitems(cache) + 1;
	struct nc_cidr *v = calloc(cap, sizeof(*v));
	if (!v)
		return nc_err_errno(err, ENOMEM, "netns %s: list routes", nc_ns_name(ns));
	for (struct nl_object *o = nl_cache_get_first(cache); o && n < cap;
	     o = nl_cache_get_next(o)) {
		struct rtnl_route *rt = (struct rtnl_route *)o;
		if (rtnl_route_get_table(rt) != RT_TABLE_MAIN || !rtnl_route_get_dst(rt))
			continue;
		nc_cidr_from_nl(rtnl_route_get_dst(rt), &v[n]);
		v[n].family = family;
		n++;
	}
	*ret_dsts = v;
	*ret_n = n;
	return 0;
}
