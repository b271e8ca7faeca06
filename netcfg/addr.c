// SPDX-License-Identifier: GPL-2.0-or-later
/* Interface addresses, IPv4 and IPv6. */
#include <errno.h>
#include <string.h>

#include <linux/if_addr.h>

#include "internal.h"

static int build(struct nc_ns *ns, int ifindex, const char *ifname, const struct nc_cidr *addr,
		 struct nl_sock **ret_sk, struct rtnl_addr **ret_addr, struct nc_err *err)
{
	int r = nc_ns_sock(ns, ret_sk, err);
	if (r < 0)
		return r;
	if (!ifindex && (r = nc_ifindex(ns, ifname, &ifindex, err)) < 0)
		return r;
	_cleanup_nl_addr_ struct nl_addr *local = NULL;
	if ((r = nc_cidr_to_nl(addr, &local, err)) < 0)
		return r;
	struct rtnl_addr *a = rtnl_addr_alloc();
	if (!a)
		return nc_err_errno(err, ENOMEM, "address");
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, addr->family);
	r = rtnl_addr_set_local(a, local);
	if (r < 0) {
		rtnl_addr_put(a);
		return nc_err_nl(err, r, "address");
	}
	*ret_addr = a;
	return 0;
}

static int change(struct nc_ns *ns, int ifindex, const char *ifname, const struct nc_cidr *addr,
		  bool add, struct nc_err *err)
{
	char buf[64];
	struct nl_sock *sk;
	_cleanup_addr_ struct rtnl_addr *a = NULL;
	int r = build(ns, ifindex, ifname, addr, &sk, &a, err);
	if (r < 0)
		return r;
	nc_cidr_str(addr, true, buf, sizeof(buf));
	/* Without NODAD an IPv6 address stays "tentative" for about a second
	 * of duplicate address detection and cannot be bound or pinged from
	 * (RFC 4862 5.4); nsbox's addresses are planned, not discovered. */
	if (add && addr->family == AF_INET6)
		rtnl_addr_set_flags(a, IFA_F_NODAD);
	r = add ? rtnl_addr_add(sk, a, NLM_F_CREATE | NLM_F_EXCL) : rtnl_addr_delete(sk, a, 0);
	if (r == -NLE_EXIST)
		return nc_err_set(err, EEXIST, "address %s on %s:%s: already exists", buf,
				  nc_ns_name(ns), ifname);
	/* The kernel answers EADDRNOTAVAIL for an address that is not there. */
	if (!add && (r == -NLE_NOADDR || r == -NLE_OBJ_NOTFOUND))
		return nc_err_set(err, ENOENT, "address %s on %s:%s: no such address", buf,
				  nc_ns_name(ns), ifname);
	if (r < 0)
		return nc_err_nl(err, r, "address %s on %s:%s", buf, nc_ns_name(ns), ifname);
	return 0;
}

int nc_addr_add(struct nc_ns *ns, const char *ifname, const struct nc_cidr *addr,
		struct nc_err *err)
{
	return change(ns, 0, ifname, addr, true, err);
}

int nc_addr_add_at(struct nc_ns *ns, int ifindex, const char *ifname, const struct nc_cidr *addr,
		   struct nc_err *err)
{
	return change(ns, ifindex, ifname, addr, true, err);
}

int nc_addr_del(struct nc_ns *ns, const char *ifname, const struct nc_cidr *addr,
		struct nc_err *err)
{
	return change(ns, 0, ifname, addr, false, err);
}
