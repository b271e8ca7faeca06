// SPDX-License-Identifier: GPL-2.0-or-later
/* Link shaping: tbf for a rate, netem for delay, jitter and loss, through
 * libnl-route-3's qdisc objects. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <linux/pkt_sched.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/tc.h>

#include "internal.h"

NC_DEFINE_CLEANUP(struct rtnl_qdisc *, rtnl_qdisc_put)

/* The handles nsbox gives its qdiscs: netem at the root when there is
 * delay or loss, with tbf as its only child when there is also a rate. */
#define ROOT_HANDLE  TC_H_MAKE(1U << 16, 0)
#define CHILD_HANDLE TC_H_MAKE(10U << 16, 0)

/* The socket of ns and the ifindex of ifname there. */
static int target(struct nc_ns *ns, const char *ifname, struct nl_sock **ret_sk, int *ret_ifindex,
		  struct nc_err *err)
{
	int r = nc_ns_sock(ns, ret_sk, err);
	return r < 0 ? r : nc_ifindex(ns, ifname, ret_ifindex, err);
}

static int qdisc_error(int r, struct nc_ns *ns, const char *ifname, const char *kind,
		       const char *kconfig, struct nc_err *err)
{
	const char *ack;
	int kerr = nc_nl_last_error(&ack);
	/* tc_lookup_qdisc_ops() fails with ENOENT when no such qdisc is built
	 * in and request_module() finds none: name what the kernel lacks. */
	if (kerr == ENOENT || r == -NLE_OBJ_NOTFOUND)
		return nc_err_set(err, EOPNOTSUPP,
				  "shaping %s:%s: the kernel lacks the %s qdisc (%s)",
				  nc_ns_name(ns), ifname, kind, kconfig);
	return nc_err_nl(err, r, "shaping %s:%s: %s", nc_ns_name(ns), ifname, kind);
}

static int add_tbf(struct nl_sock *sk, struct nc_ns *ns, const char *ifname, int ifindex,
		   uint32_t parent, uint64_t rate_bps, struct nc_err *err)
{
	_cleanup_(rtnl_qdisc_putp) struct rtnl_qdisc *q = rtnl_qdisc_alloc();
	if (!q)
		return nc_err_errno(err, ENOMEM, "shaping %s:%s", nc_ns_name(ns), ifname);
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	rtnl_tc_set_parent(TC_CAST(q), parent);
	rtnl_tc_set_handle(TC_CAST(q), parent == TC_H_ROOT ? ROOT_HANDLE : CHILD_HANDLE);
	if (rtnl_tc_set_kind(TC_CAST(q), "tbf") < 0)
		return nc_err_set(err, EINVAL, "shaping: libnl has no tbf");
	uint64_t bytes = rate_bps / 8;
	if (bytes > INT_MAX)
		bytes = INT_MAX;
	/* The bucket must hold what arrives in one timer tick or the rate is
	 * never reached (tc-tbf(8): burst >= rate / HZ); 10 ms of traffic
	 * covers HZ=100 and up, and never less than a few full frames. */
	uint64_t bucket = bytes / 100;
	if (bucket < 32 * 1024)
		bucket = 32 * 1024;
	rtnl_qdisc_tbf_set_rate(q, (int)bytes, (int)bucket, 0);
	/* 50 ms of queue, as tc examples use for latency. */
	int r = rtnl_qdisc_tbf_set_limit_by_latency(q, 50000);
	if (r < 0)
		return nc_err_nl(err, r, "shaping %s:%s: tbf limit", nc_ns_name(ns), ifname);
	r = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_REPLACE);
	return r < 0 ? qdisc_error(r, ns, ifname, "tbf", "CONFIG_NET_SCH_TBF", err) : 0;
}

int nc_shaping_set(struct nc_ns *ns, const char *ifname, const struct nc_shaping *s,
		   struct nc_err *err)
{
	struct nl_sock *sk;
	int ifindex;
	int r = target(ns, ifname, &sk, &ifindex, err);
	if (r < 0)
		return r;
	bool netem = s->delay_us || s->jitter_us || s->loss_pct > 0;
	if (!netem && !s->rate_bps)
		return nc_shaping_clear(ns, ifname, err);
	/* Replacing the root drops whatever nsbox (or anyone) put there. */
	if ((r = nc_shaping_clear(ns, ifname, err)) < 0)
		return r;
	if (!netem)
		return add_tbf(sk, ns, ifname, ifindex, TC_H_ROOT, s->rate_bps, err);

	_cleanup_(rtnl_qdisc_putp) struct rtnl_qdisc *q = rtnl_qdisc_alloc();
	if (!q)
		return nc_err_errno(err, ENOMEM, "shaping %s:%s", nc_ns_name(ns), ifname);
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
	rtnl_tc_set_handle(TC_CAST(q), ROOT_HANDLE);
	if (rtnl_tc_set_kind(TC_CAST(q), "netem") < 0)
		return nc_err_set(err, EINVAL, "shaping: libnl has no netem");
	rtnl_netem_set_limit(q, 1000);
	if (s->delay_us)
		rtnl_netem_set_delay(q, (int)s->delay_us);
	if (s->jitter_us)
		rtnl_netem_set_jitter(q, (int)s->jitter_us);
	if (s->loss_pct > 0)
		/* The kernel's probability scale: UINT32_MAX is 100 %. */
		rtnl_netem_set_loss(q, (int)(uint32_t)(s->loss_pct / 100.0 * UINT32_MAX));
	r = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_REPLACE);
	if (r < 0)
		return qdisc_error(r, ns, ifname, "netem", "CONFIG_NET_SCH_NETEM", err);
	if (s->rate_bps && (r = add_tbf(sk, ns, ifname, ifindex, TC_H_MAKE(ROOT_HANDLE, 1),
					s->rate_bps, err)) < 0) {
		nc_shaping_clear(ns, ifname, NULL);
		return r;
	}
	return 0;
}

void nc_shaping_from_cache(struct nl_cache *qdiscs, int ifindex, struct nc_shaping *ret)
{
	memset(ret, 0, sizeof(*ret));
	struct rtnl_qdisc *root = rtnl_qdisc_get_by_parent(qdiscs, ifindex, TC_H_ROOT);
	if (!root)
		return;
	const char *kind = rtnl_tc_get_kind(TC_CAST(root));
	struct rtnl_qdisc *tbf = NULL;
	if (kind && !strcmp(kind, "netem")) {
		ret->delay_us = (uint32_t)rtnl_netem_get_delay(root);
		ret->jitter_us = (uint32_t)rtnl_netem_get_jitter(root);
		ret->loss_pct = (double)(uint32_t)rtnl_netem_get_loss(root) / UINT32_MAX * 100.0;
		tbf = rtnl_qdisc_get_by_parent(qdiscs, ifindex, TC_H_MAKE(ROOT_HANDLE, 1));
	} else if (kind && !strcmp(kind, "tbf")) {
		tbf = root;
		nl_object_get(OBJ_CAST(tbf)); /* put below, as the child would be */
	}
	if (tbf) {
		const char *k = rtnl_tc_get_kind(TC_CAST(tbf));
		if (k && !strcmp(k, "tbf"))
			ret->rate_bps = (uint64_t)rtnl_qdisc_tbf_get_rate(tbf) * 8;
		rtnl_qdisc_put(tbf);
	}
	rtnl_qdisc_put(root);
}

int nc_shaping_clear(struct nc_ns *ns, const char *ifname, struct nc_err *err)
{
	struct nl_sock *sk;
	int ifindex;
	int r = target(ns, ifname, &sk, &ifindex, err);
	if (r < 0)
		return r;
	_cleanup_(rtnl_qdisc_putp) struct rtnl_qdisc *q = rtnl_qdisc_alloc();
	if (!q)
		return nc_err_errno(err, ENOMEM, "shaping %s:%s", nc_ns_name(ns), ifname);
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
	r = rtnl_qdisc_delete(sk, q);
	/* No root qdisc of its own (the default noqueue/pfifo_fast): nothing
	 * to clear; the kernel says ENOENT or EINVAL. */
	if (r < 0 && r != -NLE_OBJ_NOTFOUND && r != -NLE_INVAL &&
	    nc_nl_last_error(&(const char *){0}) != ENOENT)
		return nc_err_nl(err, r, "shaping %s:%s: clear", nc_ns_name(ns), ifname);
	return 0;
}
