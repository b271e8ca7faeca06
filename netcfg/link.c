// SPDX-License-Identifier: GPL-2.0-or-later
/* Links: veth pairs, bridges, enslaving, up/down, MTU, MAC, delete, list. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <linux/if_arp.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/qdisc.h>

#include "internal.h"

static int link_get(struct nc_ns *ns, const char *name, struct rtnl_link **ret_link,
		    struct nc_err *err)
{
	struct nl_sock *sk;
	int r = nc_ns_sock(ns, &sk, err);
	if (r < 0)
		return r;
	r = rtnl_link_get_kernel(sk, 0, name, ret_link);
	if (r == -NLE_NODEV || r == -NLE_OBJ_NOTFOUND)
		return nc_err_set(err, ENODEV, "link %s:%s: no such device", nc_ns_name(ns), name);
	if (r < 0)
		return nc_err_nl(err, r, "link %s:%s", nc_ns_name(ns), name);
	return 0;
}

int nc_link_exists(struct nc_ns *ns, const char *name, bool *ret_exists, struct nc_err *err)
{
	_cleanup_link_ struct rtnl_link *link = NULL;
	int r = link_get(ns, name, &link, err);
	if (r == -ENODEV) {
		*ret_exists = false;
		return 0;
	}
	if (r < 0)
		return r;
	*ret_exists = true;
	return 0;
}

int nc_link_kind(struct nc_ns *ns, const char *name, char *buf, size_t len, struct nc_err *err)
{
	_cleanup_link_ struct rtnl_link *link = NULL;
	int r = link_get(ns, name, &link, err);
	if (r < 0)
		return r;
	const char *kind = rtnl_link_get_type(link);
	snprintf(buf, len, "%s", kind ? kind : "");
	return 0;
}

static void apply_opts(struct rtnl_link *link, const struct nc_link_opts *opts)
{
	if (!opts)
		return;
	if (opts->mtu)
		rtnl_link_set_mtu(link, opts->mtu);
	/* IFF_UP in the RTM_NEWLINK itself: rtnl_configure_link() applies
	 * ifi_flags right after registration, which saves a round trip. */
	if (opts->up)
		rtnl_link_set_flags(link, IFF_UP);
	if (opts->ifindex)
		rtnl_link_set_ifindex(link, opts->ifindex);
	/* IFLA_MASTER in the RTM_NEWLINK: rtnl_newlink_create() enslaves the
	 * new device itself (do_set_master), another round trip saved. */
	if (opts->master)
		rtnl_link_set_master(link, opts->master);
}

/* Map the kernel's answer to a create to words about the right object. */
static int create_error(int r, const char *what, const char *ns, const char *name,
			const char *kconfig, struct nc_err *err)
{
	/* rtnl_newlink() answers EOPNOTSUPP when no rtnl_link_ops of that
	 * kind is registered and request_module() found no module either. */
	if (r == -NLE_OPNOTSUPP)
		return nc_err_set(err, EOPNOTSUPP,
				  "%s %s:%s: the kernel lacks this device type (%s)", what, ns,
				  name, kconfig);
	return nc_err_nl(err, r, "%s %s:%s", what, ns, name);
}

int nc_veth_add(struct nc_ns *a, const char *a_name, struct nc_ns *b, const char *b_name,
		const struct nc_link_opts *opts, struct nc_err *err)
{
	struct nl_sock *sk;
	int r = nc_ns_sock(a, &sk, err);
	if (r < 0)
		return r;
	_cleanup_link_ struct rtnl_link *link = rtnl_link_veth_alloc();
	if (!link)
		return nc_err_errno(err, ENOMEM, "link %s:%s", nc_ns_name(a), a_name);
	/* rtnl_link_veth_get_peer() takes a reference; link keeps its own. */
	struct rtnl_link *peer = rtnl_link_veth_get_peer(link);
	rtnl_link_set_name(link, a_name);
	rtnl_link_set_name(peer, b_name);
	/* One queue each way, which is what veth_init_queues() brings a pair
	 * down to after registering it, with a synchronize_net() per end
	 * (netif_set_real_num_tx_queues on a registered device) when the
	 * sizes are not given (drivers/net/veth.c). */
	rtnl_link_set_num_tx_queues(link, 1);
	rtnl_link_set_num_rx_queues(link, 1);
	rtnl_link_set_num_tx_queues(peer, 1);
	rtnl_link_set_num_rx_queues(peer, 1);
	apply_opts(link, opts);
	/* Not IFF_UP on the peer: veth_newlink() configures the peer before
	 * the pair is joined, and veth_open() refuses a device without a
	 * peer (ENOTCONN). It is brought up once both ends exist. */
	if (opts && opts->mtu)
		rtnl_link_set_mtu(peer, opts->mtu);
	/* veth_newlink() takes the peer's ifi_index from VETH_INFO_PEER's
	 * ifinfomsg (drivers/net/veth.c). */
	if (opts && opts->peer_ifindex)
		rtnl_link_set_ifindex(peer, opts->peer_ifindex);
	/* IFLA_NET_NS_FD inside VETH_INFO_PEER: the kernel creates the peer
	 * directly in b (drivers/net/veth.c, veth_newlink -> rtnl_link_get_net),
	 * so it never appears, even briefly, in a's netns under b's name. */
	rtnl_link_set_ns_fd(peer, nc_ns_fd(b));
	rtnl_link_put(peer);
	r = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	if (r == -NLE_EXIST) {
		/* EEXIST does not say which end clashed; look. */
		bool exists = false;
		struct nc_err ignored;
		if (nc_link_exists(a, a_name, &exists, &ignored) == 0 && exists)
			return nc_err_set(err, EEXIST, "link %s:%s: already exists", nc_ns_name(a),
					  a_name);
		return nc_err_set(err, EEXIST, "link %s:%s: already exists", nc_ns_name(b), b_name);
	}
	if (r < 0)
		return create_error(r, "link", nc_ns_name(a), a_name, "CONFIG_VETH", err);
	/* The peer's up and master in one request. */
	struct nc_link_change peer_chg = {.ifindex = opts ? opts->peer_ifindex : 0,
					  .up = opts && opts->up ? 1 : -1,
					  .master = opts ? opts->peer_master : 0};
	if ((peer_chg.up == 1 || peer_chg.master) &&
	    (r = nc_link_set(b, b_name, &peer_chg, err)) < 0) {
		nc_link_del(a, a_name, NULL);
		return r;
	}
	return 0;
}

int nc_bridge_add(struct nc_ns *ns, const char *name, const struct nc_link_opts *opts,
		  struct nc_err *err)
{
	struct nl_sock *sk;
	int r = nc_ns_sock(ns, &sk, err);
	if (r < 0)
		return r;
	_cleanup_link_ struct rtnl_link *link = rtnl_link_bridge_alloc();
	if (!link)
		return nc_err_errno(err, ENOMEM, "bridge %s:%s", nc_ns_name(ns), name);
	rtnl_link_set_name(link, name);
	apply_opts(link, opts);
	r = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	if (r == -NLE_EXIST)
		return nc_err_set(err, EEXIST, "bridge %s:%s: already exists", nc_ns_name(ns),
				  name);
	if (r < 0)
		return create_error(r, "bridge", nc_ns_name(ns), name, "CONFIG_BRIDGE", err);
	return 0;
}

int nc_link_del(struct nc_ns *ns, const char *name, struct nc_err *err)
{
	struct nl_sock *sk;
	int r = nc_ns_sock(ns, &sk, err);
	if (r < 0)
		return r;
	_cleanup_link_ struct rtnl_link *link = rtnl_link_alloc();
	if (!link)
		return nc_err_errno(err, ENOMEM, "link %s:%s", nc_ns_name(ns), name);
	rtnl_link_set_name(link, name);
	r = rtnl_link_delete(sk, link);
	if (r == -NLE_NODEV || r == -NLE_OBJ_NOTFOUND)
		return nc_err_set(err, ENODEV, "link %s:%s: no such device", nc_ns_name(ns), name);
	if (r == -NLE_OPNOTSUPP)
		return nc_err_set(err, EOPNOTSUPP,
				  "link %s:%s: this kind of device cannot be deleted",
				  nc_ns_name(ns), name);
	if (r < 0)
		return nc_err_nl(err, r, "link %s:%s", nc_ns_name(ns), name);
	return 0;
}

struct watch {
	struct nl_sock *sk;
	int ifindex;
	bool gone;
};

static int watch_connect(void *arg, struct nc_err *err)
{
	struct watch *w = arg;
	int r = nc_rtnl_connect(&w->sk, err);
	if (r < 0)
		return r;
	nl_socket_disable_seq_check(w->sk);
	r = nl_socket_add_membership(w->sk, RTNLGRP_LINK);
	return r < 0 ? nc_err_nl(err, r, "netlink: link notifications") : 0;
}

static int watch_msg(struct nl_msg *msg, void *arg)
{
	struct watch *w = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	if (h->nlmsg_type == RTM_DELLINK && nlmsg_datalen(h) >= (int)sizeof(struct ifinfomsg) &&
	    ((struct ifinfomsg *)nlmsg_data(h))->ifi_index == w->ifindex)
		w->gone = true;
	return NL_OK;
}

/* In the worker, in the netns to delete from: delete ifindex from a
 * socket of its own; write the outcome (0 or a negative errno) to fd. */
static void delete_worker(int ifindex, int fd)
{
	int res = -EIO;
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	_cleanup_link_ struct rtnl_link *link = rtnl_link_alloc();
	if (link && nc_rtnl_connect(&sk, NULL) == 0) {
		rtnl_link_set_ifindex(link, ifindex);
		int r = rtnl_link_delete(sk, link);
		const char *msg;
		int kerr = nc_nl_last_error(&msg);
		res = r == 0					  ? 0
		      : r == -NLE_NODEV || r == -NLE_OBJ_NOTFOUND ? -ENODEV
		      : kerr					  ? -kerr
								  : -EIO;
	}
	if (write(fd, &res, sizeof(res)) != sizeof(res))
		_exit(1);
}

/* Until the announcement of w's device going (*ret_res 0), or the
 * worker's report on rd (*ret_res its outcome, -EPIPE when none came): 0,
 * or -errno of poll. */
static int wait_gone(struct watch *w, struct nl_sock *watched, int rd, int *ret_res)
{
	*ret_res = 0;
	struct pollfd pfd[2] = {{.fd = nl_socket_get_fd(watched), .events = POLLIN},
				{.fd = rd, .events = POLLIN}};
	while (!w->gone) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* An overrun of the notifications (ENOBUFS) is no answer:
		 * the worker's is. */
		if (pfd[0].revents && nl_recvmsgs_default(watched) < 0)
			pfd[0].fd = -1;
		if (w->gone || !pfd[1].revents)
			continue;
		ssize_t n = read(rd, ret_res, sizeof(*ret_res));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(*ret_res))
			*ret_res = -EPIPE;
		return 0;
	}
	return 0;
}

int nc_link_del_unwaited(struct nc_ns *ns, const char *name, struct nc_err *err)
{
	/* Unregistering a device announces RTM_DELLINK and takes it off the
	 * netns's list, then (netdev_run_todo(), after RTNL is released)
	 * waits in rcu_barrier() for the kernel to free it: 20 ms here, and
	 * the request's answer comes after that. So a worker process sends
	 * the request, and this returns on the announcement; the worker is a
	 * grandchild nobody waits for, which ends once the kernel is done. */
	struct watch w = {0};
	_cleanup_nl_sock_ struct nl_sock *watched = NULL;
	int r = nc_ns_call(ns, watch_connect, &w, err);
	watched = w.sk;
	if (r < 0)
		return nc_err_prefix(err, "link %s:%s", nc_ns_name(ns), name);
	/* Looked up once the announcements are heard, so none is missed. */
	if ((r = nc_ifindex(ns, name, &w.ifindex, err)) < 0)
		return r;
	nl_socket_modify_cb(watched, NL_CB_VALID, NL_CB_CUSTOM, watch_msg, &w);
	nl_socket_set_nonblocking(watched);
	_cleanup_close_ int rd = -1, wr = -1;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return nc_err_errno(err, errno, "link %s:%s: pipe", nc_ns_name(ns), name);
	rd = p[0];
	wr = p[1];
	pid_t middle;
	r = nc_worker_fork(-1, wr, nc_ns_fd(ns), &middle, err);
	if (r == 1) {
		prctl(PR_SET_NAME, "nsbox-dellink");
		delete_worker(w.ifindex, STDERR_FILENO);
		_exit(0);
	}
	close(wr);
	wr = -1;
	if (r < 0)
		return nc_err_prefix(err, "link %s:%s", nc_ns_name(ns), name);
	int res;
	r = wait_gone(&w, watched, rd, &res);
	struct nc_err reaped;
	int started = nc_worker_reap(middle, &reaped);
	if (r < 0)
		return nc_err_errno(err, -r, "link %s:%s: poll", nc_ns_name(ns), name);
	r = res;
	if (r == -ENODEV)
		return nc_err_set(err, ENODEV, "link %s:%s: no such device", nc_ns_name(ns), name);
	if (r == -EPIPE)
		return nc_err_set(err, EIO, "link %s:%s: %s", nc_ns_name(ns), name,
				  started < 0 ? reaped.msg : "its process died");
	if (r < 0)
		return nc_err_errno(err, -r, "link %s:%s", nc_ns_name(ns), name);
	return 0;
}

int nc_link_set_master(struct nc_ns *ns, const char *name, const char *master, struct nc_err *err)
{
	struct nl_sock *sk;
	int r = nc_ns_sock(ns, &sk, err);
	if (r < 0)
		return r;
	int ifindex, master_index = 0;
	if ((r = nc_ifindex(ns, name, &ifindex, err)) < 0)
		return r;
	if (master && (r = nc_ifindex(ns, master, &master_index, err)) < 0)
		return r;
	_cleanup_link_ struct rtnl_link *orig = rtnl_link_alloc();
	_cleanup_link_ struct rtnl_link *chg = rtnl_link_alloc();
	if (!orig || !chg)
		return nc_err_errno(err, ENOMEM, "link %s:%s", nc_ns_name(ns), name);
	rtnl_link_set_ifindex(orig, ifindex);
	rtnl_link_set_master(chg, master_index);
	r = rtnl_link_change(sk, orig, chg, 0);
	if (r < 0)
		return nc_err_nl(err, r, "link %s:%s: %s %s", nc_ns_name(ns), name,
				 master ? "enslave to" : "release from bridge",
				 master ? master : "");
	return 0;
}

int nc_link_set(struct nc_ns *ns, const char *name, const struct nc_link_change *chg,
		struct nc_err *err)
{
	struct nl_sock *sk;
	int r = nc_ns_sock(ns, &sk, err);
	if (r < 0)
		return r;
	_cleanup_link_ struct rtnl_link *orig = rtnl_link_alloc();
	_cleanup_link_ struct rtnl_link *c = rtnl_link_alloc();
	if (!orig || !c)
		return nc_err_errno(err, ENOMEM, "link %s:%s", nc_ns_name(ns), name);
	/* By index, or by name alone: rtnl_setlink() looks a device up by
	 * IFLA_IFNAME when ifi_index is 0, which saves asking for the index
	 * first. */
	if (chg->ifindex) {
		rtnl_link_set_ifindex(orig, chg->ifindex);
	} else {
		rtnl_link_set_name(orig, name);
		rtnl_link_set_name(c, name);
	}
	if (chg->master)
		rtnl_link_set_master(c, chg->master);
	if (chg->up == 1)
		rtnl_link_set_flags(c, IFF_UP);
	else if (chg->up == 0)
		rtnl_link_unset_flags(c, IFF_UP);
	if (chg->mtu)
		rtnl_link_set_mtu(c, chg->mtu);
	if (chg->set_mac) {
		_cleanup_nl_addr_ struct nl_addr *mac = nl_addr_build(AF_LLC, chg->mac, 6);
		if (!mac)
			return nc_err_errno(err, ENOMEM, "link %s:%s", nc_ns_name(ns), name);
		rtnl_link_set_addr(c, mac);
	}
	r = rtnl_link_change(sk, orig, c, 0);
	if (r == -NLE_NODEV || r == -NLE_OBJ_NOTFOUND)
		return nc_err_set(err, ENODEV, "link %s:%s: no such device", nc_ns_name(ns), name);
	if (r == -NLE_INVAL && chg->mtu)
		return nc_err_set(err, EINVAL, "link %s:%s: mtu %u: refused by the device",
				  nc_ns_name(ns), name, chg->mtu);
	if (r < 0)
		return nc_err_nl(err, r, "link %s:%s", nc_ns_name(ns), name);
	return 0;
}

static const char *operstate_str(uint8_t st, char *buf, size_t len)
{
	rtnl_link_operstate2str(st, buf, len);
	return buf;
}

static void fill_info(struct rtnl_link *link, struct nl_cache *links, struct nc_link_info *li)
{
	memset(li, 0, sizeof(*li));
	snprintf(li->name, sizeof(li->name), "%s", rtnl_link_get_name(link));
	li->ifindex = rtnl_link_get_ifindex(link);
	const char *kind = rtnl_link_get_type(link);
	if (!kind && rtnl_link_get_arptype(link) == ARPHRD_LOOPBACK)
		kind = "loopback";
	snprintf(li->kind, sizeof(li->kind), "%s", kind ? kind : "");
	unsigned flags = rtnl_link_get_flags(link);
	li->up = flags & IFF_UP;
	li->lower_up = flags & IFF_LOWER_UP;
	char st[32];
	snprintf(li->operstate, sizeof(li->operstate), "%s",
		 operstate_str(rtnl_link_get_operstate(link), st, sizeof(st)));
	li->mtu = rtnl_link_get_mtu(link);
	struct nl_addr *mac = rtnl_link_get_addr(link);
	if (mac && nl_addr_get_len(mac) == 6)
		nl_addr2str(mac, li->mac, sizeof(li->mac));
	int master = rtnl_link_get_master(link);
	if (master > 0)
		rtnl_link_i2name(links, master, li->master, sizeof(li->master));
	li->peer_netnsid = -1;
	if (kind && !strcmp(kind, "veth")) {
		/* IFLA_LINK holds the peer's ifindex in the peer's own netns,
		 * IFLA_LINK_NETNSID that netns's id as seen from here. */
		li->peer_ifindex = rtnl_link_get_link(link);
		int32_t id;
		if (rtnl_link_get_link_netnsid(link, &id) == 0)
			li->peer_netnsid = id;
	}
}

static int add_addr(struct nc_link_info *li, struct nl_addr *local)
{
	struct nc_cidr *na = realloc(li->addrs, (li->n_addrs + 1) * sizeof(*na));
	if (!na)
		return -ENOMEM;
	li->addrs = na;
	nc_cidr_from_nl(local, &li->addrs[li->n_addrs++]);
	return 0;
}

void nc_link_list_free(struct nc_link_info *links, size_t n)
{
	if (!links)
		return;
	for (size_t i = 0; i < n; i++)
		free(links[i].addrs);
	free(links);
}

int nc_link_list(struct nc_ns *ns, struct nc_link_info **ret_links, size_t *ret_n,
		 struct nc_err *err)
{
	struct nl_sock *sk;
	int r = nc_ns_sock(ns, &sk, err);
	if (r < 0)
		return r;
	_cleanup_nl_cache_ struct nl_cache *links = NULL, *addrs = NULL;
	if ((r = rtnl_link_alloc_cache(sk, AF_UNSPEC, &links)) < 0)
		return nc_err_nl(err, r, "netns %s: list links", nc_ns_name(ns));
	if ((r = rtnl_addr_alloc_cache(sk, &addrs)) < 0)
		return nc_err_nl(err, r, "netns %s: list addresses", nc_ns_name(ns));
	_cleanup_nl_cache_ struct nl_cache *qdiscs = NULL;
	if ((r = rtnl_qdisc_alloc_cache(sk, &qdiscs)) < 0)
		return nc_err_nl(err, r, "netns %s: list qdiscs", nc_ns_name(ns));

	size_t n = (size_t)nl_cache_nitems(links), i = 0;
	struct nc_link_info *out = calloc(n ? n : 1, sizeof(*out));
	if (!out)
		return nc_err_errno(err, ENOMEM, "netns %s: list links", nc_ns_name(ns));
	for (struct nl_object *o = nl_cache_get_first(links); o && i < n;
	     o = nl_cache_get_next(o), i++) {
		fill_info((struct rtnl_link *)o, links, &out[i]);
		nc_shaping_from_cache(qdiscs, out[i].ifindex, &out[i].shaping);
	}
	for (struct nl_object *o = nl_cache_get_first(addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		int idx = rtnl_addr_get_ifindex(a);
		for (size_t j = 0; j < i; j++) {
			if (out[j].ifindex == idx &&
			    add_addr(&out[j], rtnl_addr_get_local(a)) < 0) {
				nc_link_list_free(out, i);
				return nc_err_errno(err, ENOMEM, "netns %s: list addresses",
						    nc_ns_name(ns));
			}
		}
	}
	*ret_links = out;
	*ret_n = i;
	return 0;
}
