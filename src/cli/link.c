// SPDX-License-Identifier: GPL-2.0-or-later
/* nsbox link add|set|del|list */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util/endpoint.h"
#include "util/json.h"

static const char usage[] =
    "Usage: nsbox link add EP EP [--mtu N] [--down] [SHAPING]\n"
    "       nsbox link set NS:IFNAME [up|down] [--mtu N] [--mac MAC] [SHAPING]\n"
    "       nsbox link del NS:IFNAME\n"
    "       nsbox link list [NS] [--json]\n"
    "\n"
    "  add    a veth pair between two endpoints EP = NS:IFNAME[@BRIDGE][=ADDR[,ADDR...]]:\n"
    "         each end is created in its netns, enslaved to BRIDGE if given,\n"
    "         addressed, and up (unless --down). On any failure nothing is left.\n"
    "  set    bring up or down, change the MTU or the MAC address; shaping\n"
    "         applies to both ends of a veth pair\n"
    "  del    remove the interface; for a veth, both ends go\n"
    "  list   interfaces of NS (all namespaces when NS is absent), with\n"
    "         state, MTU, MAC, bridge, veth peer and addresses\n"
    "\n"
    "SHAPING (each end's egress; units as tc writes them):\n"
    "  --rate R         tbf: R in bit, kbit, mbit, gbit (or bps, kbps... for bytes)\n"
    "  --delay D        netem: D in us, ms, s     --jitter J   netem: J likewise\n"
    "  --loss P         netem: P%% of packets      --clear-shaping   remove it all\n"
    "netem needs the kernel's sch_netem (CONFIG_NET_SCH_NETEM).\n"
    "\n"
    "NS 'host' is nsbox's own netns. IPv6 addresses are usable at once (no DAD).\n"
    "Example: nsbox link add a:eth0=10.0.0.1/24,fd00::1/64 b:eth0=10.0.0.2/24,fd00::2/64\n";

enum {
	OPT_MTU = OPT_FIRST_LOCAL,
	OPT_DOWN,
	OPT_MAC,
	OPT_RATE,
	OPT_DELAY,
	OPT_JITTER,
	OPT_LOSS,
	OPT_CLEAR_SHAPING,
};

struct link_opts {
	const char *mtu, *mac;
	const char *rate, *delay, *jitter, *loss;
	bool down, clear_shaping;
};

static int link_opt(int c, const char *arg, void *data)
{
	struct link_opts *o = data;
	switch (c) {
	case OPT_MTU:
		o->mtu = arg;
		return 0;
	case OPT_DOWN:
		o->down = true;
		return 0;
	case OPT_MAC:
		o->mac = arg;
		return 0;
	case OPT_RATE:
		o->rate = arg;
		return 0;
	case OPT_DELAY:
		o->delay = arg;
		return 0;
	case OPT_JITTER:
		o->jitter = arg;
		return 0;
	case OPT_LOSS:
		o->loss = arg;
		return 0;
	case OPT_CLEAR_SHAPING:
		o->clear_shaping = true;
		return 0;
	}
	return cli_usage("link", "unexpected option");
}

static const struct option longopts[] = {
    {"mtu", required_argument, NULL, OPT_MTU},
    {"down", no_argument, NULL, OPT_DOWN},
    {"mac", required_argument, NULL, OPT_MAC},
    {"rate", required_argument, NULL, OPT_RATE},
    {"delay", required_argument, NULL, OPT_DELAY},
    {"jitter", required_argument, NULL, OPT_JITTER},
    {"loss", required_argument, NULL, OPT_LOSS},
    {"clear-shaping", no_argument, NULL, OPT_CLEAR_SHAPING},
    {0},
};

/* The shaping options: 1 if any was given, 0 if none, or -errno. */
static int parse_shaping(const struct link_opts *o, struct nc_shaping *ret, struct nc_err *err)
{
	struct nc_shaping sh = {0};
	if (o->rate && nc_rate_parse(o->rate, &sh.rate_bps, err) < 0)
		return -EINVAL;
	if (o->delay && nc_time_parse(o->delay, &sh.delay_us, err) < 0)
		return -EINVAL;
	if (o->jitter && nc_time_parse(o->jitter, &sh.jitter_us, err) < 0)
		return -EINVAL;
	if (o->loss && nc_percent_parse(o->loss, &sh.loss_pct, err) < 0)
		return -EINVAL;
	if (sh.jitter_us && !sh.delay_us)
		return nc_err_set(err, EINVAL, "--jitter needs --delay");
	bool any = o->rate || o->delay || o->jitter || o->loss;
	if (any && o->clear_shaping)
		return nc_err_set(err, EINVAL, "--clear-shaping with other shaping options");
	*ret = sh;
	return any || o->clear_shaping;
}

/* Everything a failed add must undo is the veth itself: deleting one end
 * takes the peer, its addresses and its bridge membership with it. */
static int configure_end(struct nc_ns *ns, const struct endpoint *ep, struct nc_err *err)
{
	int r;
	if (ep->bridge[0] && (r = nc_link_set_master(ns, ep->ifname, ep->bridge, err)) < 0)
		return r;
	for (size_t i = 0; i < ep->n_addrs; i++)
		if ((r = nc_addr_add(ns, ep->ifname, &ep->addrs[i], err)) < 0)
			return r;
	return 0;
}

/* The bridge must exist before the pair is made. The interface names need
 * no look-up: the one RTM_NEWLINK that creates the pair is refused as a
 * whole with EEXIST when either end's name is taken, and nc_veth_add says
 * which. */
static int check_bridge(struct nc_ns *ns, const struct endpoint *ep, struct nc_err *err)
{
	int r;
	if (ep->bridge[0]) {
		char kind[16];
		if ((r = nc_link_kind(ns, ep->bridge, kind, sizeof(kind), err)) < 0)
			return nc_err_set(err, ENODEV,
					  "bridge %s:%s: no such bridge (create it "
					  "with 'nsbox bridge add %s:%s')",
					  nc_ns_name(ns), ep->bridge, ep->ns, ep->bridge);
		if (strcmp(kind, "bridge"))
			return nc_err_set(err, EINVAL, "bridge %s:%s: is a %s device, not a bridge",
					  nc_ns_name(ns), ep->bridge, kind[0] ? kind : "plain");
	}
	return 0;
}

static int link_add(int argc, char **argv)
{
	struct link_opts o = {0};
	int code;
	int i = cli_getopt(argc, argv, "link add", usage, "", longopts, link_opt, &o, &code);
	if (i < 0)
		return code;
	if (argc - i != 2)
		return cli_usage("link add", "expected two endpoints, got %d", argc - i);
	struct nc_err err;
	struct endpoint a, b;
	unsigned flags = EP_ALLOW_BRIDGE | EP_ALLOW_ADDRS;
	if (endpoint_parse(argv[i], flags, &a, &err) < 0 ||
	    endpoint_parse(argv[i + 1], flags, &b, &err) < 0)
		return cli_fail(EXIT_USAGE, &err);
	struct nc_link_opts lo = {.up = !o.down};
	if (o.mtu && nc_mtu_parse(o.mtu, &lo.mtu, &err) < 0)
		return cli_fail(EXIT_USAGE, &err);
	if (o.mac)
		return cli_usage("link add", "--mac is for 'link set'");
	if (o.clear_shaping)
		return cli_usage("link add", "--clear-shaping is for 'link set'");
	struct nc_shaping sh;
	int shaped = parse_shaping(&o, &sh, &err);
	if (shaped < 0)
		return cli_fail(EXIT_USAGE, &err);
	bool same_ns = !strcmp(a.ns, b.ns);
	if (same_ns && !strcmp(a.ifname, b.ifname))
		return cli_usage("link add", "both ends are %s:%s", a.ns, a.ifname);

	_cleanup_ns_ struct nc_ns *nsa = NULL, *nsb_own = NULL;
	if (nc_ns_open(endpoint_netns(&a), &nsa, &err) < 0 ||
	    (!same_ns && nc_ns_open(endpoint_netns(&b), &nsb_own, &err) < 0))
		return cli_fail(EXIT_USAGE, &err);
	struct nc_ns *nsb = same_ns ? nsa : nsb_own;
	if (check_bridge(nsa, &a, &err) < 0 || check_bridge(nsb, &b, &err) < 0)
		return cli_fail(EXIT_USAGE, &err);

	int r = nc_veth_add(nsa, a.ifname, nsb, b.ifname, &lo, &err);
	if (r < 0)
		return cli_fail(r == -EEXIST ? EXIT_USAGE : EXIT_OPFAIL, &err);
	if (configure_end(nsa, &a, &err) < 0 || configure_end(nsb, &b, &err) < 0 ||
	    (shaped && (nc_shaping_set(nsa, a.ifname, &sh, &err) < 0 ||
			nc_shaping_set(nsb, b.ifname, &sh, &err) < 0))) {
		nc_link_del(nsa, a.ifname, NULL);
		return cli_fail(EXIT_OPFAIL, &err);
	}
	if (cli.verbose)
		printf("link %s:%s <-> %s:%s: created\n", a.ns, a.ifname, b.ns, b.ifname);
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &tail) != 6)
		return -EINVAL;
	for (int k = 0; k < 6; k++)
		mac[k] = (uint8_t)v[k];
	/* The kernel refuses multicast (and all-zero) unicast addresses
	 * (eth_validate_addr); say so before asking it. */
	if (mac[0] & 1)
		return -EINVAL;
	return 0;
}

static bool find_peer(const char *ns, const char *ifname, char *peer_ns, size_t ns_len,
		      char *peer_if, size_t if_len);

static int link_set(int argc, char **argv)
{
	struct link_opts o = {0};
	int code;
	int i = cli_getopt(argc, argv, "link set", usage, "", longopts, link_opt, &o, &code);
	if (i < 0)
		return code;
	if (i == argc)
		return cli_usage("link set", "missing NS:IFNAME");
	struct nc_err err;
	struct endpoint ep;
	if (endpoint_parse(argv[i], 0, &ep, &err) < 0)
		return cli_fail(EXIT_USAGE, &err);
	struct nc_link_change chg = {.up = -1};
	for (int k = i + 1; k < argc; k++) {
		if (!strcmp(argv[k], "up") && chg.up == -1)
			chg.up = 1;
		else if (!strcmp(argv[k], "down") && chg.up == -1)
			chg.up = 0;
		else
			return cli_usage("link set", "unexpected '%s' (expected up or down)",
					 argv[k]);
	}
	if (o.down)
		chg.up = 0;
	if (o.mtu && nc_mtu_parse(o.mtu, &chg.mtu, &err) < 0)
		return cli_fail(EXIT_USAGE, &err);
	if (o.mac) {
		if (parse_mac(o.mac, chg.mac) < 0)
			return cli_usage("link set",
					 "--mac %s: expected a unicast MAC such as "
					 "02:00:00:00:00:01",
					 o.mac);
		chg.set_mac = true;
	}
	struct nc_shaping sh;
	int shaped = parse_shaping(&o, &sh, &err);
	if (shaped < 0)
		return cli_fail(EXIT_USAGE, &err);
	if (chg.up == -1 && !chg.mtu && !chg.set_mac && !shaped)
		return cli_usage("link set", "nothing to change");
	_cleanup_ns_ struct nc_ns *ns = NULL;
	int r = cli_open(ep.ns, ep.ifname, &ns);
	if (r)
		return r;
	if ((chg.up != -1 || chg.mtu || chg.set_mac) && nc_link_set(ns, ep.ifname, &chg, &err) < 0)
		return cli_fail(EXIT_OPFAIL, &err);
	if (shaped) {
		/* Both ends of a veth: each shapes what it sends. */
		char peer_ns[300], peer_if[NC_IFNAMSIZ];
		_cleanup_ns_ struct nc_ns *pns = NULL;
		bool peer = find_peer(ep.ns, ep.ifname, peer_ns, sizeof(peer_ns), peer_if,
				      sizeof(peer_if)) &&
			    nc_ns_open(strcmp(peer_ns, "host") ? peer_ns : NULL, &pns, NULL) == 0;
		if (nc_shaping_set(ns, ep.ifname, &sh, &err) < 0 ||
		    (peer && nc_shaping_set(pns, peer_if, &sh, &err) < 0)) {
			/* Both ends as they were before is more than nsbox
			 * knows; none shaped is the state it can promise. */
			nc_shaping_clear(ns, ep.ifname, NULL);
			if (peer)
				nc_shaping_clear(pns, peer_if, NULL);
			return cli_fail(EXIT_OPFAIL, &err);
		}
	}
	return 0;
}

static int link_del(int argc, char **argv)
{
	struct link_opts o = {0};
	int code;
	int i = cli_getopt(argc, argv, "link del", usage, "", NULL, link_opt, &o, &code);
	if (i < 0)
		return code;
	if (argc - i != 1)
		return cli_usage("link del", "expected one NS:IFNAME");
	struct nc_err err;
	struct endpoint ep;
	if (endpoint_parse(argv[i], 0, &ep, &err) < 0)
		return cli_fail(EXIT_USAGE, &err);
	_cleanup_ns_ struct nc_ns *ns = NULL;
	if (nc_ns_open(endpoint_netns(&ep), &ns, &err) < 0)
		return cli_fail(EXIT_USAGE, &err);
	int r = nc_link_del(ns, ep.ifname, &err);
	if (r < 0)
		return cli_fail(r == -ENODEV ? EXIT_USAGE : EXIT_OPFAIL, &err);
	return 0;
}

struct ns_links {
	char *name; /* NULL: host */
	struct nc_link_info *links;
	size_t n;
};

static void ns_links_free(struct ns_links *v, size_t n)
{
	for (size_t k = 0; k < n; k++)
		nc_link_list_free(v[k].links, v[k].n);
	free(v);
}

/* Links of host and of every netns in /run/netns: a veth's peer can only
 * be named by looking at all of them, since libnl has no RTM_GETNSID to
 * map the peer's netnsid to a namespace. A pair is the two veths that
 * point at each other's ifindex, from different namespaces exactly when
 * a netnsid is set. */
static int gather(char **names, size_t n_names, struct ns_links **ret, size_t *ret_n,
		  struct nc_err *err)
{
	struct ns_links *v = calloc(n_names + 1, sizeof(*v));
	if (!v)
		return nc_err_errno(err, ENOMEM, "list links");
	size_t n = 0;
	for (size_t k = 0; k <= n_names; k++) {
		const char *name = k == 0 ? NULL : names[k - 1];
		_cleanup_ns_ struct nc_ns *ns = NULL;
		/* Not a netns (a leftover file): nothing to list there. */
		if (nc_ns_open(name, &ns, NULL) < 0)
			continue;
		v[n].name = (char *)name;
		int r = nc_link_list(ns, &v[n].links, &v[n].n, err);
		if (r < 0) {
			ns_links_free(v, n);
			return r;
		}
		n++;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static const char *peer_name(const struct ns_links *all, size_t n_all, size_t home,
			     const struct nc_link_info *l, char *buf, size_t len)
{
	if (!l->peer_ifindex)
		return NULL;
	size_t found = 0;
	for (size_t k = 0; k < n_all; k++) {
		if ((l->peer_netnsid < 0) != (k == home))
			continue;
		for (size_t m = 0; m < all[k].n; m++) {
			const struct nc_link_info *p = &all[k].links[m];
			if (p->ifindex == l->peer_ifindex && p->peer_ifindex == l->ifindex &&
			    !strcmp(p->kind, "veth")) {
				snprintf(buf, len, "%s:%s", all[k].name ? all[k].name : "host",
					 p->name);
				found++;
			}
		}
	}
	if (found == 1)
		return buf;
	/* Outside every named netns (a container's, say), or ambiguous. */
	snprintf(buf, len, "ifindex %d%s", l->peer_ifindex,
		 l->peer_netnsid >= 0 ? " (other netns)" : "");
	return buf;
}

static bool find_peer(const char *ns, const char *ifname, char *peer_ns, size_t ns_len,
		      char *peer_if, size_t if_len)
{
	char **names = NULL;
	size_t n_names = 0;
	struct ns_links *all = NULL;
	size_t n_all = 0;
	bool found = false;
	if (nc_netns_list(&names, &n_names, NULL) < 0)
		return false;
	if (gather(names, n_names, &all, &n_all, NULL) == 0) {
		for (size_t k = 0; k < n_all && !found; k++) {
			if (strcmp(all[k].name ? all[k].name : "host", ns))
				continue;
			for (size_t m = 0; m < all[k].n && !found; m++) {
				char buf[300];
				const char *p =
				    peer_name(all, n_all, k, &all[k].links[m], buf, sizeof(buf));
				const char *colon = p ? strchr(p, ':') : NULL;
				if (strcmp(all[k].links[m].name, ifname) || !colon ||
				    !strncmp(p, "ifindex ", 8))
					continue;
				snprintf(peer_ns, ns_len, "%.*s", (int)(colon - p), p);
				snprintf(peer_if, if_len, "%s", colon + 1);
				found = true;
			}
		}
		ns_links_free(all, n_all);
	}
	nc_strv_free(names);
	return found;
}

static void print_json(const struct ns_links *all, size_t n_all, const char *only)
{
	struct json *j = json_new();
	if (!j)
		return;
	json_arr_begin(j);
	for (size_t k = 0; k < n_all; k++) {
		const char *ns = all[k].name ? all[k].name : "host";
		if (only && strcmp(only, ns))
			continue;
		for (size_t m = 0; m < all[k].n; m++) {
			const struct nc_link_info *l = &all[k].links[m];
			char peer[300], a[64];
			json_obj_begin(j);
			json_key(j, "netns");
			json_str(j, ns);
			json_key(j, "ifname");
			json_str(j, l->name);
			json_key(j, "ifindex");
			json_int(j, l->ifindex);
			json_key(j, "kind");
			json_str(j, l->kind[0] ? l->kind : NULL);
			json_key(j, "up");
			json_bool(j, l->up);
			json_key(j, "carrier");
			json_bool(j, l->lower_up);
			json_key(j, "operstate");
			json_str(j, l->operstate);
			json_key(j, "mtu");
			json_int(j, l->mtu);
			json_key(j, "mac");
			json_str(j, l->mac[0] ? l->mac : NULL);
			json_key(j, "bridge");
			json_str(j, l->master[0] ? l->master : NULL);
			json_key(j, "peer");
			json_str(j, peer_name(all, n_all, k, l, peer, sizeof(peer)));
			json_key(j, "addresses");
			json_arr_begin(j);
			for (size_t q = 0; q < l->n_addrs; q++)
				json_str(j, nc_cidr_str(&l->addrs[q], true, a, sizeof(a)));
			json_arr_end(j);
			json_key(j, "shaping");
			const struct nc_shaping *sh = &l->shaping;
			if (sh->rate_bps || sh->delay_us || sh->jitter_us || sh->loss_pct > 0) {
				json_obj_begin(j);
				json_key(j, "rate_bps");
				json_int(j, (int64_t)sh->rate_bps);
				json_key(j, "delay_us");
				json_int(j, sh->delay_us);
				json_key(j, "jitter_us");
				json_int(j, sh->jitter_us);
				json_key(j, "loss_pct");
				json_double(j, sh->loss_pct);
				json_obj_end(j);
			} else {
				json_str(j, NULL);
			}
			json_obj_end(j);
		}
	}
	json_arr_end(j);
	json_print(j);
	json_free(j);
}

static void print_text(const struct ns_links *all, size_t n_all, const char *only)
{
	int w = 5;
	for (size_t k = 0; k < n_all; k++)
		if (all[k].name && (int)strlen(all[k].name) > w)
			w = (int)strlen(all[k].name);
	printf("%-*s  %-15s %-8s %-5s %5s  %-17s  %-15s %-24s %s\n", w, "NETNS", "IFNAME", "KIND",
	       "STATE", "MTU", "MAC", "BRIDGE", "PEER", "ADDRESSES");
	for (size_t k = 0; k < n_all; k++) {
		const char *ns = all[k].name ? all[k].name : "host";
		if (only && strcmp(only, ns))
			continue;
		for (size_t m = 0; m < all[k].n; m++) {
			const struct nc_link_info *l = &all[k].links[m];
			char peer[300], a[64];
			const char *p = peer_name(all, n_all, k, l, peer, sizeof(peer));
			printf("%-*s  %-15s %-8s %-5s %5u  %-17s  %-15s %-24s", w, ns, l->name,
			       l->kind[0] ? l->kind : "-", l->up ? "up" : "down", l->mtu,
			       l->mac[0] ? l->mac : "-", l->master[0] ? l->master : "-",
			       p ? p : "-");
			for (size_t q = 0; q < l->n_addrs; q++)
				printf(" %s", nc_cidr_str(&l->addrs[q], true, a, sizeof(a)));
			const struct nc_shaping *sh = &l->shaping;
			if (sh->rate_bps)
				printf("  rate %gmbit", (double)sh->rate_bps / 1e6);
			if (sh->delay_us)
				printf("  delay %gms", sh->delay_us / 1e3);
			if (sh->jitter_us)
				printf("  jitter %gms", sh->jitter_us / 1e3);
			if (sh->loss_pct > 0)
				printf("  loss %g%%", sh->loss_pct);
			printf("\n");
		}
	}
}

static int link_list(int argc, char **argv)
{
	struct link_opts o = {0};
	int code;
	int i = cli_getopt(argc, argv, "link list", usage, "", NULL, link_opt, &o, &code);
	if (i < 0)
		return code;
	if (argc - i > 1)
		return cli_usage("link list", "expected at most one NS");
	const char *only = i < argc ? argv[i] : NULL;
	struct nc_err err;
	if (only) {
		_cleanup_ns_ struct nc_ns *ns = NULL;
		if (nc_ns_open(strcmp(only, "host") ? only : NULL, &ns, &err) < 0)
			return cli_fail(EXIT_USAGE, &err);
	}
	char **names = NULL;
	size_t n_names = 0;
	if (nc_netns_list(&names, &n_names, &err) < 0)
		return cli_fail(EXIT_OPFAIL, &err);
	struct ns_links *all = NULL;
	size_t n_all = 0;
	int r = gather(names, n_names, &all, &n_all, &err);
	if (r == 0) {
		if (cli.json)
			print_json(all, n_all, only);
		else
			print_text(all, n_all, only);
		ns_links_free(all, n_all);
	}
	nc_strv_free(names);
	return r < 0 ? cli_fail(EXIT_OPFAIL, &err) : 0;
}

int cmd_link(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	if (sub && !strcmp(sub, "add"))
		return link_add(argc - 1, argv + 1);
	if (sub && !strcmp(sub, "set"))
		return link_set(argc - 1, argv + 1);
	if (sub && (!strcmp(sub, "del") || !strcmp(sub, "delete")))
		return link_del(argc - 1, argv + 1);
	if (sub && (!strcmp(sub, "list") || !strcmp(sub, "ls") || !strcmp(sub, "show")))
		return link_list(argc - 1, argv + 1);
	return cli_bad_subcommand("link", sub, usage);
}
