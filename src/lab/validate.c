// SPDX-License-Identifier: GPL-2.0-or-later
/* Cross-checks of a whole topology. Sorting, not pairwise comparison, finds
 * duplicates: labs of thousands of nodes are validated on every `up`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "lab/internal.h"

#define END_STR_MAX (TOPO_NAME_MAX + NC_IFNAMSIZ + 2)

/* The uplink of a node gives it its IPv4 default route; publish and allow
 * are rules of an uplink. */
static int check_uplink(const struct topo *t, const struct topo_node *n, struct nc_err *err)
{
	if (n->kind == NODE_NAT && !n->uplink)
		return topo_err(t, n->uplink_pos, err,
				"node %s is a nat: its outside is its uplink", n->name);
	if (!n->uplink && (n->uplink_opts.n_publish || n->uplink_opts.n_allow))
		return topo_err(t, n->pos, err, "node %s: publish and allow need 'uplink: true'",
				n->name);
	for (size_t i = 0; n->uplink && i < n->n_routes; i++)
		if (n->routes[i].route.dst.prefixlen == 0 &&
		    n->routes[i].route.dst.family == AF_INET)
			return topo_err(t, n->routes[i].pos, err,
					"node %s: the uplink gives it its IPv4 default route",
					n->name);
	return 0;
}

static int check_nodes(const struct topo *t, struct nc_err *err)
{
	int r = topo_name_valid("lab", t->name, err);
	if (r < 0)
		return topo_err_prefix(t, t->name_pos, err);
	if (t->n_nodes > TOPO_MAX_NODES)
		return topo_err(t, t->nodes[TOPO_MAX_NODES].pos, err, "more than %d nodes",
				TOPO_MAX_NODES);
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];
		if ((r = topo_name_valid("node", n->name, err)) < 0)
			return topo_err_prefix(t, n->pos, err);
		if ((r = check_uplink(t, n, err)) < 0)
			return r;
	}
	_cleanup_free_ size_t *index = NULL;
	if ((r = topo_name_index(t, &index, err)) < 0)
		return r;
	return topo_check_unique(t, index, err);
}

static unsigned families(const struct topo_end *e)
{
	unsigned f = 0;
	for (size_t i = 0; i < e->n_addrs; i++)
		f |= e->addrs[i].family == AF_INET ? 1 : 2;
	return f;
}

static const char *families_str(unsigned f)
{
	return f == 1 ? "IPv4 only" : f == 2 ? "IPv6 only" : "IPv4 and IPv6";
}

static int check_end(const struct topo *t, const struct topo_end *e, struct nc_err *err)
{
	const struct topo_node *node = &t->nodes[e->node];
	int r = nc_ifname_valid(e->ifname, err);
	if (r < 0) {
		nc_err_prefix(err, "node %s", node->name);
		return topo_err_prefix(t, e->pos, err);
	}
	if (!strcmp(e->ifname, "lo"))
		return topo_err(t, e->pos, err, "node %s: lo is the loopback of every netns",
				node->name);
	if (node->kind != NODE_BRIDGE)
		return 0;
	if (!strcmp(e->ifname, "br0"))
		return topo_err(t, e->pos, err,
				"node %s is a bridge: br0 is the name of its bridge, not of a port",
				node->name);
	if (e->n_addrs)
		return topo_err(t, e->pos, err,
				"node %s is a bridge (layer 2): its port %s takes no address",
				node->name, e->ifname);
	return 0;
}

static int check_link(const struct topo *t, const struct topo_link *l, struct nc_err *err)
{
	int r;
	if ((r = check_end(t, &l->a, err)) < 0 || (r = check_end(t, &l->b, err)) < 0)
		return r;
	char a[END_STR_MAX], b[END_STR_MAX];
	topo_end_str(t, &l->a, a, sizeof(a));
	topo_end_str(t, &l->b, b, sizeof(b));
	if (l->a.node == l->b.node && !strcmp(l->a.ifname, l->b.ifname))
		return topo_err(t, l->pos, err, "link %s -- %s: both ends are the same interface",
				a, b);
	/* An unaddressed end (a bridge port, a node that only bridges or
	 * routes through a dev route) is fine; two addressed ends must be
	 * able to talk in every family either of them speaks. */
	unsigned fa = families(&l->a), fb = families(&l->b);
	if (fa && fb && fa != fb)
		return topo_err(t, l->b.pos, err,
				"link %s -- %s: address families differ (%s on %s, %s on %s)", a, b,
				families_str(fa), a, families_str(fb), b);
	if (l->jitter_us && !l->delay_us)
		return topo_err(t, l->pos, err, "link %s -- %s: jitter needs a delay", a, b);
	return 0;
}

static int cmp_end(const void *x, const void *y)
{
	const struct topo_end *a = *(const struct topo_end *const *)x;
	const struct topo_end *b = *(const struct topo_end *const *)y;
	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	int c = strcmp(a->ifname, b->ifname);
	/* Ends lie in link order in memory: equal ones stay in file order. */
	return c ? c : (a > b) - (a < b);
}

struct addr_ref {
	const struct nc_cidr *addr;
	const struct topo_end *end;
};

static int cmp_addr(const void *x, const void *y)
{
	const struct addr_ref *a = x, *b = y;
	if (a->addr->family != b->addr->family)
		return a->addr->family < b->addr->family ? -1 : 1;
	/* The kernel keys addresses by address, not prefix. */
	int c = memcmp(a->addr->addr, b->addr->addr, sizeof(a->addr->addr));
	return c ? c : (a->addr > b->addr) - (a->addr < b->addr);
}

static int check_links(const struct topo *t, const struct topo_end **ends, struct nc_err *err)
{
	int r;
	size_t n_addrs = 0;
	for (size_t i = 0; i < t->n_links; i++) {
		if ((r = check_link(t, &t->links[i], err)) < 0)
			return r;
		ends[2 * i] = &t->links[i].a;
		ends[2 * i + 1] = &t->links[i].b;
		n_addrs += t->links[i].a.n_addrs + t->links[i].b.n_addrs;
	}
	size_t n_ends = 2 * t->n_links;
	qsort(ends, n_ends, sizeof(*ends), cmp_end);
	char a[END_STR_MAX], b[END_STR_MAX], line[32];
	for (size_t i = 1; i < n_ends; i++) {
		if (ends[i - 1]->node == ends[i]->node &&
		    !strcmp(ends[i - 1]->ifname, ends[i]->ifname))
			return topo_err(t, ends[i]->pos, err,
					"interface %s is already used by another link%s",
					topo_end_str(t, ends[i], a, sizeof(a)),
					topo_first_at(ends[i - 1]->pos, line, sizeof(line)));
	}

	_cleanup_free_ struct addr_ref *addrs = calloc(n_addrs ? n_addrs : 1, sizeof(*addrs));
	if (!addrs)
		return nc_err_errno(err, ENOMEM, "%s", t->source);
	size_t k = 0;
	for (size_t i = 0; i < n_ends; i++)
		for (size_t j = 0; j < ends[i]->n_addrs; j++)
			addrs[k++] = (struct addr_ref){&ends[i]->addrs[j], ends[i]};
	qsort(addrs, n_addrs, sizeof(*addrs), cmp_addr);
	for (size_t i = 1; i < n_addrs; i++) {
		const struct addr_ref *x = &addrs[i - 1], *y = &addrs[i];
		if (x->addr->family != y->addr->family ||
		    memcmp(x->addr->addr, y->addr->addr, sizeof(x->addr->addr)))
			continue;
		char ip[64];
		return topo_err(t, y->end->pos, err, "address %s on %s is already on %s%s",
				nc_cidr_str(y->addr, false, ip, sizeof(ip)),
				topo_end_str(t, y->end, a, sizeof(a)),
				topo_end_str(t, x->end, b, sizeof(b)),
				topo_first_at(x->end->pos, line, sizeof(line)));
	}
	return 0;
}

static bool link_local(const struct nc_cidr *ip)
{
	return ip->family == AF_INET6 && ip->addr[0] == 0xfe && (ip->addr[1] & 0xc0) == 0x80;
}

/* ends: a node's link ends (those with dev as their name, if dev). */
static int check_gateway(const struct topo *t, const struct topo_node *node,
			 const struct topo_route *rt, const struct topo_end *const *ends, size_t n,
			 struct nc_err *err)
{
	char ip[64];
	nc_cidr_str(&rt->route.gw, false, ip, sizeof(ip));
	/* Every interface has a link-local address of its own; the kernel
	 * only needs to know which one. */
	if (link_local(&rt->route.gw)) {
		if (!rt->route.dev[0])
			return topo_err(
			    t, rt->pos, err,
			    "node %s: route '%s': a link-local gateway needs 'dev IFNAME'",
			    node->name, rt->text);
		return 0;
	}
	bool reached = false;
	for (size_t i = 0; i < n; i++) {
		if (rt->route.dev[0] && strcmp(ends[i]->ifname, rt->route.dev))
			continue;
		for (size_t j = 0; j < ends[i]->n_addrs; j++) {
			const struct nc_cidr *a = &ends[i]->addrs[j];
			if (a->family == rt->route.gw.family &&
			    !memcmp(a->addr, rt->route.gw.addr, sizeof(a->addr)))
				return topo_err(t, rt->pos, err,
						"node %s: route '%s': gateway %s is the node's own "
						"address",
						node->name, rt->text, ip);
			reached = reached || nc_cidr_contains(a, &rt->route.gw);
		}
	}
	/* The kernel also finds a gateway through a route of the node's
	 * own that names a device and no gateway ("10.5.0.0/16 dev eth0"). */
	for (size_t i = 0; i < node->n_routes && !reached; i++) {
		const struct nc_route *o = &node->routes[i].route;
		reached = !o->has_gw && o->dev[0] && nc_cidr_contains(&o->dst, &rt->route.gw) &&
			  (!rt->route.dev[0] || !strcmp(o->dev, rt->route.dev));
	}
	if (!reached)
		return topo_err(t, rt->pos, err,
				"node %s: route '%s': gateway %s is on no subnet of %s", node->name,
				rt->text, ip,
				rt->route.dev[0] ? rt->route.dev : "the node's interfaces");
	return 0;
}

static bool same_route(const struct nc_route *a, const struct nc_route *b)
{
	return nc_cidr_equal(&a->dst, &b->dst) && a->has_metric == b->has_metric &&
	       (!a->has_metric || a->metric == b->metric);
}

static int check_routes(const struct topo *t, const struct topo_node *node,
			const struct topo_end *const *ends, size_t n, struct nc_err *err)
{
	for (size_t i = 0; i < node->n_routes; i++) {
		const struct topo_route *rt = &node->routes[i];
		if (node->kind == NODE_BRIDGE)
			return topo_err(t, rt->pos, err,
					"node %s is a bridge (layer 2): it takes no routes",
					node->name);
		bool has_dev = !rt->route.dev[0] || !strcmp(rt->route.dev, "lo");
		for (size_t j = 0; j < n && !has_dev; j++)
			has_dev = !strcmp(ends[j]->ifname, rt->route.dev);
		if (!has_dev)
			return topo_err(t, rt->pos, err, "node %s: route '%s': no interface %s",
					node->name, rt->text, rt->route.dev);
		int r;
		if (rt->route.has_gw && (r = check_gateway(t, node, rt, ends, n, err)) < 0)
			return r;
		for (size_t j = 0; j < i; j++)
			if (same_route(&node->routes[j].route, &rt->route))
				return topo_err(t, rt->pos, err,
						"node %s: route '%s' is the same as '%s'",
						node->name, rt->text, node->routes[j].text);
	}
	return 0;
}

static int check_isolated(const struct topo *t, struct nc_err *err)
{
	for (size_t i = 0; i < t->n_isolated; i++) {
		const struct topo_pair *p = &t->isolated[i];
		const struct topo_node *a = &t->nodes[p->a], *b = &t->nodes[p->b];
		if (p->a == p->b)
			return topo_err(t, p->pos, err, "isolate: node %s with itself", a->name);
		const struct topo_node *bridge = a->kind == NODE_BRIDGE	  ? a
						 : b->kind == NODE_BRIDGE ? b
									  : NULL;
		if (bridge)
			return topo_err(t, p->pos, err,
					"isolate: node %s is a bridge, which has no address to "
					"reach or be reached at",
					bridge->name);
	}
	return 0;
}

int topo_validate(const struct topo *t, struct nc_err *err)
{
	int r = check_nodes(t, err);
	if (r < 0)
		return r;
	_cleanup_free_ const struct topo_end **ends =
	    calloc(t->n_links ? 2 * t->n_links : 1, sizeof(*ends));
	if (!ends)
		return nc_err_errno(err, ENOMEM, "%s", t->source);
	if ((r = check_links(t, ends, err)) < 0)
		return r;
	/* check_links left the ends sorted by node: each node's are a run. */
	size_t first = 0, n_ends = 2 * t->n_links;
	for (size_t i = 0; i < t->n_nodes; i++) {
		size_t last = first;
		while (last < n_ends && ends[last]->node == i)
			last++;
		if ((r = check_routes(t, &t->nodes[i], ends + first, last - first, err)) < 0)
			return r;
		first = last;
	}
	return check_isolated(t, err);
}
