// SPDX-License-Identifier: GPL-2.0-or-later
/* src/lab: topology files, generators, the demo, validation. */
#include "helpers.h"

#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab/topo.h"

static struct topo *parse_ok(const char *yaml)
{
	struct topo *t = NULL;
	struct nc_err err;
	err_reset(&err);
	assert_ok(topo_parse_string("test.yaml", yaml, strlen(yaml), &t, &err), &err, yaml);
	assert_non_null(t);
	return t;
}

static const struct topo_node *node(const struct topo *t, const char *name)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (!strcmp(t->nodes[i].name, name))
			return &t->nodes[i];
	fail_msg("no node %s", name);
	return NULL;
}

static void check_strv(char *const *v, size_t n, const char *const *want, size_t n_want)
{
	assert_int_equal(n, n_want);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i], want[i]);
}

/* A NULL-terminated argv against want. */
static void check_argv(char *const *argv, const char *const *want, size_t n_want)
{
	assert_non_null(argv);
	size_t n = 0;
	while (argv[n])
		n++;
	check_strv(argv, n, want, n_want);
}

static void check_end(const struct topo *t, const struct topo_end *e, const char *node_name,
		      const char *ifname, const char *const *addrs, size_t n_addrs)
{
	assert_string_equal(t->nodes[e->node].name, node_name);
	assert_string_equal(e->ifname, ifname);
	assert_int_equal(e->n_addrs, n_addrs);
	for (size_t i = 0; i < n_addrs; i++) {
		char buf[64];
		assert_string_equal(nc_cidr_str(&e->addrs[i], true, buf, sizeof(buf)), addrs[i]);
	}
}

#define STRS(...)                                                                                  \
	(const char *const[]){__VA_ARGS__}, ARRAY_LEN(((const char *const[]){__VA_ARGS__}))

static const char full_yaml[] =
    "name: full-lab\n"									 /* 1 */
    "defaults:\n"									 /* 2 */
    "  rootfs: /srv/rootfs\n"								 /* 3 */
    "  binds: [\"/data:/data:ro\"]\n"							 /* 4 */
    "  env: {LANG: C, LEVEL: 3}\n"							 /* 5 */
    "  sysctls: {net.ipv6.conf.all.forwarding: 0}\n"					 /* 6 */
    "nodes:\n"										 /* 7 */
    "  h1:\n"										 /* 8 */
    "    hostname: web\n"								 /* 9 */
    "    rootfs: host\n"								 /* 10 */
    "    binds: [\"/tmp/a:/a\", \"/tmp/b:/b:ro\"]\n"					 /* 11 */
    "    env: [\"A=1\", \"B=x=y\", \"EMPTY=\"]\n"					 /* 12 */
    "    sysctls:\n"									 /* 13 */
    "      net.ipv4.conf.all.rp_filter: 2\n"						 /* 14 */
    "      net/ipv4/conf/eth0.1/forwarding: \"1\"\n"					 /* 15 */
    "    routes:\n"									 /* 16 */
    "      - default via 10.0.1.1\n"							 /* 17 */
    "      - 10.9.0.0/16 via 10.0.1.1 dev eth0 metric 5\n"				 /* 18 */
    "      - default via fd00:1::1\n"							 /* 19 */
    "      - 192.168.0.0/24 dev eth0\n"							 /* 20 */
    "    cmd: [busybox, httpd, \"-f\", \"-p\", 80]\n"					 /* 21 */
    "    exec:\n"									 /* 22 */
    "      - [ip, link, show]\n"							 /* 23 */
    "      - echo ready > /tmp/ready\n"							 /* 24 */
    "  r1: {kind: router, cmd: \"sleep 1 && echo hi\"}\n"				 /* 25 */
    "  sw:\n"										 /* 26 */
    "    kind: bridge\n"								 /* 27 */
    "  h2: {}\n"									 /* 28 */
    "  h3:\n"										 /* 29 */
    "links:\n"										 /* 30 */
    "  - [\"h1:eth0=10.0.1.2/24,fd00:1::2/64\", \"r1:eth0=10.0.1.1/24,fd00:1::1/64\"]\n" /* 31 */
    "  - endpoints: [\"r1:eth1=10.0.2.1/24\", \"sw:p1\"]\n"				 /* 32 */
    "    mtu: 1400\n"									 /* 33 */
    "    rate: 100mbit\n"								 /* 34 */
    "    delay: 10ms\n"									 /* 35 */
    "    jitter: 1ms\n"									 /* 36 */
    "    loss: 0.5%\n"									 /* 37 */
    "  - {endpoints: [h2:eth0=10.0.2.2/24, \"sw:p2\"], loss: 5, mtu: \"9000\"}\n"	 /* 38 */
    "  - [\"h3:eth0=10.0.2.3/24\", \"sw:p3\"]\n"					 /* 39 */
    "isolate:\n"									 /* 40 */
    "  - [h1, h3]\n";									 /* 41 */

static void full_file(void **state)
{
	(void)state;
	struct topo *t = parse_ok(full_yaml);
	assert_string_equal(t->name, "full-lab");
	assert_string_equal(t->source, "test.yaml");
	assert_int_equal(t->name_pos.line, 1);
	assert_int_equal(t->name_pos.col, 7);
	assert_int_equal(t->n_nodes, 5);
	assert_int_equal(t->n_links, 4);

	/* File order. */
	static const char *const names[] = {"h1", "r1", "sw", "h2", "h3"};
	static const enum node_kind kinds[] = {NODE_HOST, NODE_ROUTER, NODE_BRIDGE, NODE_HOST,
					       NODE_HOST};
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		assert_string_equal(t->nodes[i].name, names[i]);
		assert_int_equal(t->nodes[i].kind, kinds[i]);
	}

	const struct topo_node *h1 = node(t, "h1");
	assert_int_equal(h1->pos.line, 8);
	assert_int_equal(h1->pos.col, 3);
	assert_string_equal(h1->hostname, "web");
	/* The node's own keys replace the defaults. */
	assert_string_equal(h1->rootfs, "host");
	check_strv(h1->binds, h1->n_binds, STRS("/tmp/a:/a", "/tmp/b:/b:ro"));
	check_strv(h1->env, h1->n_env, STRS("A=1", "B=x=y", "EMPTY="));
	assert_int_equal(h1->n_sysctls, 2);
	assert_string_equal(h1->sysctls[0].key, "net.ipv4.conf.all.rp_filter");
	assert_string_equal(h1->sysctls[0].value, "2");
	assert_int_equal(h1->sysctls[0].pos.line, 14);
	assert_string_equal(h1->sysctls[1].key, "net/ipv4/conf/eth0.1/forwarding");
	assert_string_equal(h1->sysctls[1].value, "1");

	assert_int_equal(h1->n_routes, 4);
	const struct topo_route *rt = h1->routes;
	char buf[64];
	assert_string_equal(rt[0].text, "default via 10.0.1.1");
	assert_int_equal(rt[0].pos.line, 17);
	assert_int_equal(rt[0].pos.col, 9);
	assert_int_equal(rt[0].route.dst.family, AF_INET);
	assert_int_equal(rt[0].route.dst.prefixlen, 0);
	assert_true(rt[0].route.has_gw);
	assert_string_equal(nc_cidr_str(&rt[0].route.gw, false, buf, sizeof(buf)), "10.0.1.1");
	assert_string_equal(nc_cidr_str(&rt[1].route.dst, true, buf, sizeof(buf)), "10.9.0.0/16");
	assert_string_equal(rt[1].route.dev, "eth0");
	assert_true(rt[1].route.has_metric);
	assert_int_equal(rt[1].route.metric, 5);
	assert_int_equal(rt[2].route.dst.family, AF_INET6);
	assert_string_equal(nc_cidr_str(&rt[2].route.gw, false, buf, sizeof(buf)), "fd00:1::1");
	assert_false(rt[3].route.has_gw);
	assert_string_equal(rt[3].route.dev, "eth0");

	/* A number where a string is expected is its text. */
	check_argv(h1->cmd, STRS("busybox", "httpd", "-f", "-p", "80"));
	assert_int_equal(h1->n_exec, 2);
	check_argv(h1->exec[0].argv, STRS("ip", "link", "show"));
	assert_int_equal(h1->exec[0].pos.line, 23);
	check_argv(h1->exec[1].argv, STRS("/bin/sh", "-c", "echo ready > /tmp/ready"));
	assert_int_equal(h1->exec[1].pos.line, 24);

	const struct topo_node *r1 = node(t, "r1");
	check_argv(r1->cmd, STRS("/bin/sh", "-c", "sleep 1 && echo hi"));
	assert_null(r1->hostname);
	/* Defaults, for what the node does not set. */
	assert_string_equal(r1->rootfs, "/srv/rootfs");
	check_strv(r1->binds, r1->n_binds, STRS("/data:/data:ro"));
	check_strv(r1->env, r1->n_env, STRS("LANG=C", "LEVEL=3"));
	assert_int_equal(r1->n_sysctls, 1);
	assert_string_equal(r1->sysctls[0].key, "net.ipv6.conf.all.forwarding");
	assert_string_equal(r1->sysctls[0].value, "0");
	assert_int_equal(r1->sysctls[0].pos.line, 6);

	/* A bridge takes only the sysctls of the defaults. */
	const struct topo_node *sw = node(t, "sw");
	assert_null(sw->rootfs);
	assert_int_equal(sw->n_binds, 0);
	assert_int_equal(sw->n_env, 0);
	assert_int_equal(sw->n_sysctls, 1);
	assert_null(sw->cmd);

	/* An empty node is a host with the defaults. */
	const struct topo_node *h3 = node(t, "h3");
	assert_int_equal(h3->kind, NODE_HOST);
	assert_string_equal(h3->rootfs, "/srv/rootfs");
	assert_int_equal(h3->n_routes, 0);
	assert_null(h3->cmd);
	assert_int_equal(h3->n_exec, 0);

	/* Brief form. */
	const struct topo_link *l = &t->links[0];
	check_end(t, &l->a, "h1", "eth0", STRS("10.0.1.2/24", "fd00:1::2/64"));
	check_end(t, &l->b, "r1", "eth0", STRS("10.0.1.1/24", "fd00:1::1/64"));
	assert_int_equal(l->pos.line, 31);
	assert_int_equal(l->pos.col, 5);
	assert_int_equal(l->a.pos.line, 31);
	assert_int_equal(l->a.pos.col, 6);
	assert_int_equal(l->mtu, 0);
	assert_int_equal(l->rate_bps, 0);
	assert_int_equal(l->delay_us, 0);
	assert_int_equal(l->jitter_us, 0);
	assert_true(l->loss_pct == 0);

	/* Extended form. */
	l = &t->links[1];
	check_end(t, &l->a, "r1", "eth1", STRS("10.0.2.1/24"));
	check_end(t, &l->b, "sw", "p1", NULL, 0);
	assert_int_equal(l->pos.line, 32);
	assert_int_equal(l->mtu, 1400);
	assert_int_equal(l->rate_bps, 100000000);
	assert_int_equal(l->delay_us, 10000);
	assert_int_equal(l->jitter_us, 1000);
	assert_true(l->loss_pct == 0.5);

	l = &t->links[2];
	check_end(t, &l->a, "h2", "eth0", STRS("10.0.2.2/24"));
	assert_int_equal(l->mtu, 9000);
	assert_true(l->loss_pct == 5);

	assert_int_equal(t->n_isolated, 1);
	assert_string_equal(t->nodes[t->isolated[0].a].name, "h1");
	assert_string_equal(t->nodes[t->isolated[0].b].name, "h3");
	assert_int_equal(t->isolated[0].pos.line, 41);
	topo_free(t);
}

static void design_example(void **state)
{
	(void)state;
	/* The example of DESIGN.md, verbatim. */
	struct topo *t = parse_ok(
	    "name: tri                 # lab name: netns are named LAB-NODE\n"
	    "defaults: { rootfs: host }\n"
	    "nodes:\n"
	    "  h1: { routes: [\"default via 10.0.1.1\"] }\n"
	    "  h2: { routes: [\"default via 10.0.2.1\"], cmd: [\"busybox\", \"httpd\", \"-f\", "
	    "\"-p\", \"80\"] }\n"
	    "  r1: { kind: router }                      # host | router (forwarding on) | bridge "
	    "(L2 switch)\n"
	    "  sw: { kind: bridge }\n"
	    "links:\n"
	    "  - [\"h1:eth0=10.0.1.2/24\", \"r1:eth0=10.0.1.1/24\"]\n"
	    "  - endpoints: [\"r1:eth1=10.0.2.1/24\", \"sw:p1\"]\n"
	    "    mtu: 1400\n"
	    "    rate: 100mbit\n"
	    "  - [\"h2:eth0=10.0.2.2/24\", \"sw:p2\"]\n");
	assert_string_equal(t->name, "tri");
	assert_int_equal(t->n_nodes, 4);
	assert_int_equal(t->n_links, 3);
	assert_string_equal(node(t, "h1")->rootfs, "host");
	assert_null(node(t, "sw")->rootfs);
	assert_int_equal(t->links[1].mtu, 1400);
	topo_free(t);
}

static void aliases(void **state)
{
	(void)state;
	/* Anchors share settings; positions stay those of the anchor. */
	struct topo *t = parse_ok("name: a\n"
				  "nodes:\n"
				  "  h1: &web\n"
				  "    kind: host\n"
				  "    env: {A: \"1\"}\n"
				  "    cmd: [httpd]\n"
				  "  h2: *web\n"
				  "  h3:\n"
				  "    <<: *web\n"
				  "    kind: router\n");
	check_argv(node(t, "h2")->cmd, STRS("httpd"));
	check_strv(node(t, "h3")->env, node(t, "h3")->n_env, STRS("A=1"));
	assert_int_equal(node(t, "h3")->kind, NODE_ROUTER);
	topo_free(t);
}

static void gateways(void **state)
{
	(void)state;
	/* Reachable through an address's subnet, a device route of the node's,
	 * or on a link-local address of a named interface. */
	struct topo *t = parse_ok("name: gw\n"
				  "nodes:\n"
				  "  h1:\n"
				  "    routes:\n"
				  "      - 10.1.0.0/16 via 10.0.0.2 dev eth0\n"
				  "      - 192.168.0.0/24 dev eth0\n"
				  "      - 10.2.0.0/16 via 192.168.0.9\n"
				  "      - default via fe80::1 dev eth0\n"
				  "      - default via 10.0.0.2 metric 10\n"
				  "      - default via 10.0.0.3 metric 20\n"
				  "  h2: {}\n"
				  "links:\n"
				  "  - [\"h1:eth0=10.0.0.1/24\", \"h2:eth0=10.0.0.2/24\"]\n");
	assert_int_equal(t->nodes[0].n_routes, 6);
	topo_free(t);
}

static void document_markers(void **state)
{
	(void)state;
	/* One document, with or without its markers; an empty one after it
	 * is nothing. */
	static const char *const texts[] = {
	    "---\nname: a\nnodes: {h1: {}}\n",
	    "name: a\nnodes: {h1: {}}\n...\n",
	    "%YAML 1.2\n---\nname: a\nnodes: {h1: {}}\n---\n",
	    "{name: a, nodes: {h1: null}}",
	};
	for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
		struct topo *t = parse_ok(texts[i]);
		assert_int_equal(t->n_nodes, 1);
		assert_int_equal(t->nodes[0].kind, NODE_HOST);
		topo_free(t);
	}
}

static struct topo *generate_ok(const char *spec, const char *name)
{
	struct topo *t = NULL;
	struct nc_err err;
	err_reset(&err);
	assert_ok(topo_generate(spec, name, &t, &err), &err, spec);
	return t;
}

static void check_link(const struct topo *t, size_t i, const char *a, const char *b)
{
	char x[64], y[64];
	snprintf(x, sizeof(x), "%s:%s", t->nodes[t->links[i].a.node].name, t->links[i].a.ifname);
	snprintf(y, sizeof(y), "%s:%s", t->nodes[t->links[i].b.node].name, t->links[i].b.ifname);
	assert_string_equal(x, a);
	assert_string_equal(y, b);
}

static size_t count_kind(const struct topo *t, enum node_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n_nodes; i++)
		n += t->nodes[i].kind == kind;
	return n;
}

static void gen_single(void **state)
{
	(void)state;
	struct topo *t = generate_ok("single:3", "s3");
	assert_string_equal(t->name, "s3");
	assert_string_equal(t->source, "--topo single:3");
	assert_int_equal(t->n_nodes, 4);
	assert_int_equal(t->n_links, 3);
	assert_int_equal(count_kind(t, NODE_BRIDGE), 1);
	assert_string_equal(t->nodes[0].name, "s1");
	assert_int_equal(t->nodes[0].pos.line, 0);
	for (size_t i = 0; i < 3; i++) {
		char h[16], hi[16], si[16], addr[16];
		snprintf(h, sizeof(h), "h%zu", i + 1);
		snprintf(hi, sizeof(hi), "h%zu:h%zu-eth0", i + 1, i + 1);
		snprintf(si, sizeof(si), "s1:s1-eth%zu", i + 1);
		snprintf(addr, sizeof(addr), "10.0.0.%zu/8", i + 1);
		assert_int_equal(node(t, h)->kind, NODE_HOST);
		check_link(t, i, hi, si);
		check_end(t, &t->links[i].a, h, hi + strlen(h) + 1, STRS(addr));
		assert_int_equal(t->links[i].b.n_addrs, 0);
	}
	topo_free(t);
}

static void gen_linear(void **state)
{
	(void)state;
	/* Without a name the lab is named after the kind. */
	struct topo *t = generate_ok("linear:4", NULL);
	assert_string_equal(t->name, "linear");
	assert_int_equal(t->n_nodes, 8);
	assert_int_equal(t->n_links, 7);
	assert_int_equal(count_kind(t, NODE_BRIDGE), 4);
	assert_int_equal(count_kind(t, NODE_HOST), 4);
	/* Mininet's LinearTopo: each switch, its host, then the link to the
	 * switch before; ports numbered as Topo.addPort does. */
	static const char *const order[] = {"s1", "h1", "s2", "h2", "s3", "h3", "s4", "h4"};
	for (size_t i = 0; i < ARRAY_LEN(order); i++)
		assert_string_equal(t->nodes[i].name, order[i]);
	check_link(t, 0, "h1:h1-eth0", "s1:s1-eth1");
	check_link(t, 1, "h2:h2-eth0", "s2:s2-eth1");
	check_link(t, 2, "s2:s2-eth2", "s1:s1-eth2");
	check_link(t, 3, "h3:h3-eth0", "s3:s3-eth1");
	check_link(t, 4, "s3:s3-eth2", "s2:s2-eth3");
	check_link(t, 5, "h4:h4-eth0", "s4:s4-eth1");
	check_link(t, 6, "s4:s4-eth2", "s3:s3-eth3");
	check_end(t, &t->links[5].a, "h4", "h4-eth0", STRS("10.0.0.4/8"));
	topo_free(t);

	/* Addresses count on past .255 as Mininet's ipAdd does. */
	t = generate_ok("linear:300", "big");
	assert_int_equal(t->n_nodes, 600);
	const struct topo_link *l = NULL;
	for (size_t i = 0; i < t->n_links && !l; i++)
		if (!strcmp(t->nodes[t->links[i].a.node].name, "h256"))
			l = &t->links[i];
	assert_non_null(l);
	check_end(t, &l->a, "h256", "h256-eth0", STRS("10.0.1.0/8"));
	topo_free(t);

	t = generate_ok("linear:2048", "max");
	assert_int_equal(t->n_nodes, TOPO_MAX_NODES);
	topo_free(t);
}

static void gen_tree(void **state)
{
	(void)state;
	struct topo *t = generate_ok("tree:2,2", "t");
	assert_int_equal(count_kind(t, NODE_BRIDGE), 3);
	assert_int_equal(count_kind(t, NODE_HOST), 4);
	assert_int_equal(t->n_links, 6);
	/* TreeTopo.addTree, depth first, switches and hosts numbered as made. */
	static const char *const order[] = {"s1", "s2", "h1", "h2", "s3", "h3", "h4"};
	for (size_t i = 0; i < ARRAY_LEN(order); i++)
		assert_string_equal(t->nodes[i].name, order[i]);
	check_link(t, 0, "s2:s2-eth1", "h1:h1-eth0");
	check_link(t, 1, "s2:s2-eth2", "h2:h2-eth0");
	check_link(t, 2, "s1:s1-eth1", "s2:s2-eth3");
	check_link(t, 3, "s3:s3-eth1", "h3:h3-eth0");
	check_link(t, 4, "s3:s3-eth2", "h4:h4-eth0");
	check_link(t, 5, "s1:s1-eth2", "s3:s3-eth3");
	check_end(t, &t->links[4].b, "h4", "h4-eth0", STRS("10.0.0.4/8"));
	topo_free(t);

	/* Mininet's default fanout is 2; tree:3,4 has 64 hosts on 21 switches. */
	t = generate_ok("tree:3", "t");
	assert_int_equal(count_kind(t, NODE_HOST), 8);
	assert_int_equal(count_kind(t, NODE_BRIDGE), 7);
	topo_free(t);
	t = generate_ok("tree:3,4", "t");
	assert_int_equal(count_kind(t, NODE_HOST), 64);
	assert_int_equal(count_kind(t, NODE_BRIDGE), 21);
	assert_int_equal(t->n_links, 84);
	topo_free(t);
}

static void gen_bad(void **state)
{
	(void)state;
	static const struct {
		const char *spec, *want;
	} cases[] = {
	    {"linear:0", "--topo linear:0: number of switches: 0 is out of range 1..4096"},
	    {"single:0", "--topo single:0: number of hosts: 0 is out of range"},
	    {"ring:4", "--topo ring:4: unknown topology"},
	    {"linear", "--topo linear: missing the number of switches (as in linear:4)"},
	    {"single:", "--topo single:: missing the number of hosts"},
	    {"tree", "--topo tree: missing the depth"},
	    {"linear:4x", "--topo linear:4x: number of switches: expected a number, got '4x'"},
	    {"linear:-1", "expected a number"},
	    {"linear:4,2", "expected a number, got '4,2'"},
	    {"tree:0,2", "--topo tree:0,2: depth: 0 is out of range"},
	    {"tree:2,0", "--topo tree:2,0: fanout: 0 is out of range"},
	    {"tree:2,2,2", "fanout: expected a number, got '2,2'"},
	    {"tree:5,10", "--topo tree:5,10: more than 4096 nodes"},
	    {"tree:4096,4096", "more than 4096 nodes"},
	    {"linear:2049", "--topo linear:2049: more than 4096 nodes"},
	    {"single:4096", "more than 4096 nodes"},
	    {"linear:99999999999999999999", "out of range"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct topo *t = NULL;
		struct nc_err err;
		err_reset(&err);
		int r = topo_generate(cases[i].spec, "x", &t, &err);
		if (r >= 0 || !strstr(err.msg, cases[i].want))
			fail_msg("%s: returned %d, message '%s', want '%s'", cases[i].spec, r,
				 err.msg, cases[i].want);
		assert_null(t);
	}
	/* The lab name is checked too. */
	struct topo *t = NULL;
	struct nc_err err;
	err_reset(&err);
	assert_err(topo_generate("single:2", "bad name", &t, &err), EINVAL, &err, "single:2",
		   "--topo single:2: lab name 'bad name'");
}

static void demo(void **state)
{
	(void)state;
	struct topo *t = NULL;
	struct nc_err err;
	err_reset(&err);
	assert_ok(topo_demo(&t, &err), &err, "demo");
	assert_string_equal(t->name, "demo");
	assert_string_equal(t->source, "built-in demo");
	assert_int_equal(t->n_nodes, 5);
	assert_int_equal(t->n_links, 4);
	assert_int_equal(node(t, "r1")->kind, NODE_ROUTER);
	assert_int_equal(node(t, "sw")->kind, NODE_BRIDGE);
	assert_int_equal(count_kind(t, NODE_HOST), 3);
	/* h2's service is busybox's httpd, run by a shell that first makes
	 * its page. */
	char **cmd = node(t, "h2")->cmd;
	assert_non_null(cmd);
	assert_string_equal(cmd[0], "/bin/sh");
	assert_non_null(strstr(cmd[2], "exec busybox httpd -f -p 80"));
	assert_null(node(t, "h1")->cmd);
	check_end(t, &t->links[0].a, "h1", "eth0", STRS("10.0.1.2/24", "fd00:1::2/64"));
	check_end(t, &t->links[0].b, "r1", "eth0", STRS("10.0.1.1/24", "fd00:1::1/64"));
	check_end(t, &t->links[1].a, "r1", "eth1", STRS("10.0.2.1/24", "fd00:2::1/64"));
	check_end(t, &t->links[3].a, "h3", "eth0", STRS("10.0.2.3/24", "fd00:2::3/64"));
	/* Every host routes both families through r1. */
	static const char *const hosts[] = {"h1", "h2", "h3"};
	for (size_t i = 0; i < ARRAY_LEN(hosts); i++) {
		const struct topo_node *h = node(t, hosts[i]);
		assert_int_equal(h->n_routes, 2);
		assert_int_equal(h->routes[0].route.gw.family, AF_INET);
		assert_int_equal(h->routes[1].route.gw.family, AF_INET6);
	}
	topo_free(t);
}

static void names(void **state)
{
	(void)state;
	struct nc_err err;
	static const char *const good[] = {"a",	       "lab1", "1lab",
					   "my_lab-2", "A",    "abcdefghijklmnopqrstuvwxyz012345"};
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		err_reset(&err);
		assert_ok(topo_name_valid("lab", good[i], &err), &err, good[i]);
	}
	err_reset(&err);
	assert_err(topo_name_valid("lab", "", &err), EINVAL, &err, "", "lab name is empty");
	err_reset(&err);
	assert_err(topo_name_valid("node", "abcdefghijklmnopqrstuvwxyz0123456", &err), EINVAL, &err,
		   "33 bytes", "longer than 32 bytes");
	static const char *const bad[] = {"-a", "_a", "a.b", "a b", "a/b", "a:b", "h\xc3\xa9"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		err_reset(&err);
		assert_err(topo_name_valid("node", bad[i], &err), EINVAL, &err, bad[i],
			   "node name");
	}
}

static void missing_file(void **state)
{
	(void)state;
	struct topo *t = NULL;
	struct nc_err err;
	err_reset(&err);
	assert_err(topo_parse_file("/nonexistent/lab.yaml", &t, &err), ENOENT, &err, "missing",
		   "/nonexistent/lab.yaml: ");
	assert_null(t);
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "topo_parse_string hangs\n";
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

/* Found by fuzz/fuzz_topo: libfyaml 0.7.12 looped forever on a directive
 * line "%" followed by invalid UTF-8; invalid UTF-8 is refused first, at
 * the position of the first bad byte. */
static void invalid_utf8(void **state)
{
	(void)state;
	static const struct {
		const char *yaml;
		const char *want;
	} cases[] = {
	    {"%\xff", "t.yaml:1:2: invalid UTF-8"},
	    {"%\xc3", "t.yaml:1:2: invalid UTF-8"},
	    {"%YAML\xff", "t.yaml:1:6: invalid UTF-8"},
	    {"---\n%\xff", "t.yaml:2:2: invalid UTF-8"},
	    {"name: l\xc3\xa9\nx: \xc0\xaf", "t.yaml:2:4: invalid UTF-8"}, /* overlong '/' */
	    {"name: \xed\xa0\x80", "t.yaml:1:7: invalid UTF-8"},             /* surrogate */
	    {"name: \xf4\x90\x80\x80", "t.yaml:1:7: invalid UTF-8"},         /* > U+10FFFF */
	};
	signal(SIGALRM, on_alarm);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct topo *t = NULL;
		struct nc_err err;
		err_reset(&err);
		alarm(10);
		assert_err(topo_parse_string("t.yaml", cases[i].yaml, strlen(cases[i].yaml), &t, &err),
			   EINVAL, &err, cases[i].yaml, cases[i].want);
		alarm(0);
		assert_null(t);
	}
	/* Valid multi-byte text still reaches the YAML parser. */
	struct topo *t = NULL;
	struct nc_err err;
	err_reset(&err);
	assert_true(topo_parse_string("t.yaml", "# \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\n", 12, &t,
				      &err) < 0);
	assert_null(strstr(err.msg, "UTF-8"));
}

static int yaml_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 5 && !strcmp(d->d_name + n - 5, ".yaml");
}

/* tests/lab/bad/NN-what.yaml: each starts with "# expect: LINE:COL text";
 * the error must be "PATH:LINE:COL: ..." and hold the text. */
static void bad_files(void **state)
{
	(void)state;
	const char *dir = SOURCE_ROOT "/tests/lab/bad";
	struct dirent **list;
	int n = scandir(dir, &list, yaml_file, alphasort);
	assert_true(n >= 30);
	int failed = 0;
	for (int i = 0; i < n; i++) {
		char path[512], line[512];
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		free(list[i]);
		FILE *f = fopen(path, "re");
		assert_non_null(f);
		bool got = fgets(line, sizeof(line), f);
		fclose(f);
		int ln, col, off = 0;
		if (!got || sscanf(line, "# expect: %d:%d %n", &ln, &col, &off) != 2 || !off) {
			print_error("%s: first line is not '# expect: LINE:COL text'\n", path);
			failed++;
			continue;
		}
		line[strcspn(line, "\n")] = '\0';
		const char *want = line + off;
		char prefix[600];
		snprintf(prefix, sizeof(prefix), "%s:%d:%d: ", path, ln, col);

		struct topo *t = NULL;
		struct nc_err err;
		err_reset(&err);
		int r = topo_parse_file(path, &t, &err);
		if (r >= 0 || t || strncmp(err.msg, prefix, strlen(prefix)) ||
		    !strstr(err.msg, want)) {
			print_error("%s: returned %d, message\n  %s\nwant\n  %s...%s\n", path, r,
				    err.msg, prefix, want);
			failed++;
		}
		topo_free(t);
	}
	free(list);
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(full_file),
	    cmocka_unit_test(design_example),
	    cmocka_unit_test(aliases),
	    cmocka_unit_test(gateways),
	    cmocka_unit_test(document_markers),
	    cmocka_unit_test(gen_single),
	    cmocka_unit_test(gen_linear),
	    cmocka_unit_test(gen_tree),
	    cmocka_unit_test(gen_bad),
	    cmocka_unit_test(demo),
	    cmocka_unit_test(names),
	    cmocka_unit_test(missing_file),
	    cmocka_unit_test(invalid_utf8),
	    cmocka_unit_test(bad_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
