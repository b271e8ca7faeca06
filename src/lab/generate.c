// SPDX-License-Identifier: GPL-2.0-or-later
/* Mininet's built-in topologies (mininet/topo.py, topolib.py), so that the
 * two can be run on the same work, and the built-in demo lab. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "lab/internal.h"

NC_DEFINE_CLEANUP(struct topo *, topo_free)

struct gen {
	struct topo *t;
	/* Per node: the next port number, counted as Mininet's Topo.addPort
	 * does (switches from 1, hosts from 0), and a host's number. */
	struct gen_node {
		unsigned port;
		uint32_t host;
	} * nodes;
	uint32_t switches, hosts;
	struct nc_err *err;
};

static int add(struct gen *g, enum node_kind kind, size_t *ret)
{
	bool sw = kind == NODE_BRIDGE;
	char name[16];
	snprintf(name, sizeof(name), "%c%u", sw ? 's' : 'h', sw ? ++g->switches : ++g->hosts);
	struct topo_node *node;
	int r = topo_add_node(g->t, name, kind, (struct topo_pos){0, 0}, &node, g->err);
	if (r < 0)
		return r;
	*ret = g->t->n_nodes - 1;
	g->nodes[*ret] = (struct gen_node){.port = sw ? 1 : 0, .host = sw ? 0 : g->hosts};
	return 0;
}

static void end(struct gen *g, size_t node, struct topo_end *e)
{
	struct gen_node *n = &g->nodes[node];
	e->node = node;
	snprintf(e->ifname, sizeof(e->ifname), "%s-eth%u", g->t->nodes[node].name, n->port++);
	if (!n->host)
		return;
	/* Mininet's ipAdd(i, ipBaseNum=10.0.0.0, prefixLen=8): the base plus
	 * i, on past .255. */
	uint32_t ip = (10u << 24) + n->host;
	e->addrs[0] = (struct nc_cidr){.family = AF_INET, .prefixlen = 8};
	for (int i = 0; i < 4; i++)
		e->addrs[0].addr[i] = (uint8_t)(ip >> (24 - 8 * i));
	e->n_addrs = 1;
}

/* Mininet's addLink(a, b): a's end first, ports numbered at link time. */
static int add_link(struct gen *g, size_t a, size_t b)
{
	struct topo_link l = {0};
	end(g, a, &l.a);
	end(g, b, &l.b);
	return TOPO_APPEND(g->t->links, g->t->n_links, &l, g->err);
}

/* TreeTopo.addTree: a switch whose children are built (and linked
 * below) before it is linked to each, or a host at depth 0. */
static int tree(struct gen *g, uint64_t depth, uint64_t fanout, size_t *ret)
{
	if (depth == 0)
		return add(g, NODE_HOST, ret);
	int r = add(g, NODE_BRIDGE, ret);
	for (uint64_t i = 0; i < fanout && r == 0; i++) {
		size_t child;
		if ((r = tree(g, depth - 1, fanout, &child)) == 0)
			r = add_link(g, *ret, child);
	}
	return r;
}

static int build(struct gen *g, const char *kind, uint64_t n, uint64_t fanout)
{
	size_t sw, host, last = SIZE_MAX;
	int r = 0;
	if (!strcmp(kind, "tree"))
		return tree(g, n, fanout, &sw);
	if (!strcmp(kind, "single")) {
		if ((r = add(g, NODE_BRIDGE, &sw)) < 0)
			return r;
		for (uint64_t i = 0; i < n && r == 0; i++)
			if ((r = add(g, NODE_HOST, &host)) == 0)
				r = add_link(g, host, sw);
		return r;
	}
	/* LinearTopo: switch i, its host, then the link to switch i - 1. */
	for (uint64_t i = 0; i < n && r == 0; i++) {
		if ((r = add(g, NODE_BRIDGE, &sw)) < 0 || (r = add(g, NODE_HOST, &host)) < 0 ||
		    (r = add_link(g, host, sw)) < 0)
			return r;
		if (last != SIZE_MAX)
			r = add_link(g, sw, last);
		last = sw;
	}
	return r;
}

/* Nodes of the topology, or more than TOPO_MAX_NODES when it is larger. */
static uint64_t count_nodes(const char *kind, uint64_t n, uint64_t fanout)
{
	if (!strcmp(kind, "single"))
		return n + 1;
	if (!strcmp(kind, "linear"))
		return 2 * n;
	/* Levels of fanout^k switches, then fanout^depth hosts. */
	uint64_t total = 0, level = 1;
	for (uint64_t d = 0; d <= n && total <= TOPO_MAX_NODES; d++) {
		total += level;
		level *= fanout;
		if (level > TOPO_MAX_NODES)
			level = TOPO_MAX_NODES + 1;
	}
	return total;
}

int topo_generate(const char *spec, const char *name, struct topo **ret_topo, struct nc_err *err)
{
	static const struct {
		const char *name, *what, *example;
	} kinds[] = {
	    {"single", "number of hosts", "single:4"},
	    {"linear", "number of switches", "linear:4"},
	    {"tree", "depth", "tree:2,2"},
	};
	const char *colon = strchr(spec, ':');
	size_t klen = colon ? (size_t)(colon - spec) : strlen(spec);
	size_t k = 0;
	while (k < sizeof(kinds) / sizeof(kinds[0]) &&
	       (strlen(kinds[k].name) != klen || strncmp(spec, kinds[k].name, klen)))
		k++;
	if (k == sizeof(kinds) / sizeof(kinds[0]))
		return nc_err_set(err, EINVAL,
				  "--topo %s: unknown topology (expected single:N, linear:N or "
				  "tree:DEPTH[,FANOUT])",
				  spec);
	const char *kind = kinds[k].name;
	if (!colon || !colon[1])
		return nc_err_set(err, EINVAL, "--topo %s: missing the %s (as in %s)", spec,
				  kinds[k].what, kinds[k].example);

	char arg[32];
	if (strlen(colon + 1) >= sizeof(arg))
		return nc_err_set(err, EINVAL, "--topo %.40s...: too long", spec);
	snprintf(arg, sizeof(arg), "%s", colon + 1);
	bool is_tree = !strcmp(kind, "tree");
	char *comma = is_tree ? strchr(arg, ',') : NULL;
	if (comma)
		*comma = '\0';
	/* Mininet's TreeTopo defaults to a fanout of 2. */
	uint64_t n, fanout = 2;
	int r = nc_uint_parse(arg, 1, TOPO_MAX_NODES, kinds[k].what, &n, err);
	if (r == 0 && comma)
		r = nc_uint_parse(comma + 1, 1, TOPO_MAX_NODES, "fanout", &fanout, err);
	if (r < 0)
		return nc_err_prefix(err, "--topo %s", spec);
	uint64_t nodes = count_nodes(kind, n, fanout);
	if (nodes > TOPO_MAX_NODES)
		return nc_err_set(err, EINVAL, "--topo %s: more than %d nodes", spec,
				  TOPO_MAX_NODES);

	char source[64];
	snprintf(source, sizeof(source), "--topo %s", spec);
	_cleanup_(topo_freep) struct topo *t = NULL;
	if ((r = topo_new(name ? name : kind, source, &t, err)) < 0)
		return r;
	_cleanup_free_ struct gen_node *gn = calloc(nodes, sizeof(*gn));
	if (!gn)
		return nc_err_errno(err, ENOMEM, "%s", source);
	struct gen g = {.t = t, .nodes = gn, .err = err};
	if ((r = build(&g, kind, n, fanout)) < 0 || (r = topo_validate(t, err)) < 0)
		return r;
	*ret_topo = NC_TAKE(t);
	return 0;
}

int topo_demo(struct topo **ret_topo, struct nc_err *err)
{
	/* Two subnets, IPv4 and IPv6, routed by r1; h2 and h3 share a
	 * switch; h2 serves HTTP: a page holding its hostname. */
	static const char demo[] =
	    "name: demo\n"
	    "nodes:\n"
	    "  h1:\n"
	    "    routes: [\"default via 10.0.1.1\", \"default via fd00:1::1\"]\n"
	    "  r1: {kind: router}\n"
	    "  sw: {kind: bridge}\n"
	    "  h2:\n"
	    "    routes: [\"default via 10.0.2.1\", \"default via fd00:2::1\"]\n"
	    "    cmd: \"mkdir /tmp/www && hostname > /tmp/www/index.html &&\n"
	    "          exec busybox httpd -f -p 80 -h /tmp/www\"\n"
	    "  h3:\n"
	    "    routes: [\"default via 10.0.2.1\", \"default via fd00:2::1\"]\n"
	    "links:\n"
	    "  - [\"h1:eth0=10.0.1.2/24,fd00:1::2/64\", \"r1:eth0=10.0.1.1/24,fd00:1::1/64\"]\n"
	    "  - [\"r1:eth1=10.0.2.1/24,fd00:2::1/64\", \"sw:p1\"]\n"
	    "  - [\"h2:eth0=10.0.2.2/24,fd00:2::2/64\", \"sw:p2\"]\n"
	    "  - [\"h3:eth0=10.0.2.3/24,fd00:2::3/64\", \"sw:p3\"]\n";
	return topo_parse_string("built-in demo", demo, sizeof(demo) - 1, ret_topo, err);
}
