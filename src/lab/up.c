// SPDX-License-Identifier: GPL-2.0-or-later
/* Bringing a lab up: namespaces, bridges, links, addresses, shaping,
 * sysctls, routes, all from this one process, while a helper process starts
 * one sandbox per host or router (spawn.c); then the nodes' exec commands,
 * then their services.
 * The journal is written first; any failure tears down what was made, from
 * the journal, as `lab down` would. */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "lab.h"
#include "check.h"
#include "neigh.h"
#include "progress.h"
#include "sandbox/launch.h"
#include "spawn.h"
#include "state.h"
#include "state/journal.h"
#include "uplink/uplink.h"

struct up_ctx {
	const struct topo *t;
	struct nc_ns **ns; /* per node */
	struct spawner *spawner;
	/* Per node, the next interface index to ask for: lo is 1 in a new
	 * netns, and nsbox makes every other device, so it can number them
	 * and never ask the kernel which index one got. */
	int *next_ifindex;
	struct progress *progress;
	struct nc_err *err;
};

static const char *node_name(const struct up_ctx *c, size_t i)
{
	return c->t->nodes[i].name;
}

/* Every lab node has a netns of its own and thousands of them stay open
 * at once, each with a netlink socket: more fds than the usual soft limit. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static bool has_ipv6(const struct topo *t, size_t node)
{
	for (size_t l = 0; l < t->n_links; l++) {
		const struct topo_end *ends[2] = {&t->links[l].a, &t->links[l].b};
		for (int e = 0; e < 2; e++)
			for (size_t k = 0; ends[e]->node == node && k < ends[e]->n_addrs; k++)
				if (ends[e]->addrs[k].family == AF_INET6)
					return true;
	}
	return false;
}

/* Quiet on the wire, unless asked for: a switch has no address of its
 * own, so no IPv6 at all and no IGMP reports; a node the topology gives
 * no IPv6 address gets no link-local one either (as Docker turns IPv6 off
 * on IPv4-only networks). Their interfaces then send no MLD or IGMP
 * reports or router solicitations, which every bridge of a lab would
 * flood to every port: O(nodes x bridges) frames (bench/RESULTS.md).
 * Where IPv6 is used, DAD is off: planned addresses, usable at once.
 * Hosts and routers learn their neighbours from the gratuitous ARP lab
 * check sends first: one broadcast per address instead of one per pair,
 * each of which floods every bridge of the segment. */
static unsigned netns_flags(const struct topo *t, size_t node)
{
	const struct topo_node *n = &t->nodes[node];
	if (n->kind == NODE_BRIDGE)
		return NC_NETNS_NOIPV6 | NC_NETNS_NOIGMP;
	if (!n->uplink && !has_ipv6(t, node))
		return NC_NETNS_NOLINKLOCAL | NC_NETNS_LEARN;
	return NC_NETNS_NODAD | NC_NETNS_LEARN;
}

static int make_netns(struct up_ctx *c)
{
	char name[300];
	for (size_t i = 0; i < c->t->n_nodes; i++) {
		lab_object_name(c->t->name, node_name(c, i), name, sizeof(name));
		int r = journal_intent("netns", name, c->err);
		if (r == 0 &&
		    (r = nc_netns_add(name, netns_flags(c->t, i), &c->ns[i], c->err)) == 0)
			r = journal_done("netns", name, c->err);
		/* Someone outside nsbox (ip netns add) made it since
		 * names_free looked: not ours, so the teardown must leave it. */
		if (r == -EEXIST)
			journal_forget("netns", name, NULL);
		/* Its sandbox can start now, its netns still empty: the init
		 * only builds its root until it is released. A node with an
		 * uplink waits for it: its root takes /etc/netns/NS/ from it. */
		if (r == 0 && c->t->nodes[i].kind != NODE_BRIDGE && !c->t->nodes[i].uplink)
			r = spawner_node(c->spawner, i, c->ns[i], c->err);
		if (r < 0)
			return nc_err_prefix(c->err, "node %s", node_name(c, i));
		progress_step(c->progress);
	}
	return 0;
}

static int shape_end(struct up_ctx *c, const struct topo_link *l, const struct topo_end *e)
{
	struct nc_shaping s = {.rate_bps = l->rate_bps,
			       .delay_us = l->delay_us,
			       .jitter_us = l->jitter_us,
			       .loss_pct = l->loss_pct};
	if (!s.rate_bps && !s.delay_us && !s.jitter_us && !(s.loss_pct > 0))
		return 0;
	return nc_shaping_set(c->ns[e->node], e->ifname, &s, c->err);
}

/* lo is 1 in a new netns; in a bridge node br0 comes next. */
enum { FIRST_IFINDEX = 2, BR0_IFINDEX = FIRST_IFINDEX };

static int configure_end(struct up_ctx *c, const struct topo_end *e, int ifindex)
{
	for (size_t k = 0; k < e->n_addrs; k++) {
		int r = nc_addr_add_at(c->ns[e->node], ifindex, e->ifname, &e->addrs[k], c->err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int make_links(struct up_ctx *c)
{
	for (size_t i = 0; i < c->t->n_links; i++) {
		const struct topo_link *l = &c->t->links[i];
		bool a_br = c->t->nodes[l->a.node].kind == NODE_BRIDGE;
		bool b_br = c->t->nodes[l->b.node].kind == NODE_BRIDGE;
		struct nc_link_opts lo = {.mtu = l->mtu,
					  .up = true,
					  .ifindex = c->next_ifindex[l->a.node]++,
					  .peer_ifindex = c->next_ifindex[l->b.node]++,
					  .master = a_br ? BR0_IFINDEX : 0,
					  .peer_master = b_br ? BR0_IFINDEX : 0};
		int r = nc_veth_add(c->ns[l->a.node], l->a.ifname, c->ns[l->b.node], l->b.ifname,
				    &lo, c->err);
		if (r == 0)
			r = configure_end(c, &l->a, lo.ifindex);
		if (r == 0)
			r = configure_end(c, &l->b, lo.peer_ifindex);
		if (r == 0)
			r = shape_end(c, l, &l->a);
		if (r == 0)
			r = shape_end(c, l, &l->b);
		if (r < 0)
			return nc_err_prefix(c->err, "link %s:%s - %s:%s", node_name(c, l->a.node),
					     l->a.ifname, node_name(c, l->b.node), l->b.ifname);
	}
	return 0;
}

static int configure_nodes(struct up_ctx *c)
{
	for (size_t i = 0; i < c->t->n_nodes; i++) {
		const struct topo_node *n = &c->t->nodes[i];
		int r = 0;
		c->next_ifindex[i] = FIRST_IFINDEX;
		if (n->kind == NODE_BRIDGE) {
			struct nc_link_opts up = {.up = true, .ifindex = BR0_IFINDEX};
			c->next_ifindex[i] = BR0_IFINDEX + 1;
			r = nc_bridge_add(c->ns[i], "br0", &up, c->err);
		}
		if (r == 0 && (n->kind == NODE_ROUTER || n->kind == NODE_NAT))
			r = nc_forwarding_set(c->ns[i], true, c->err);
		for (size_t k = 0; r == 0 && k < n->n_sysctls; k++)
			r = nc_sysctl_set(c->ns[i], n->sysctls[k].key, n->sysctls[k].value, c->err);
		if (r < 0)
			return nc_err_prefix(c->err, "node %s", n->name);
	}
	return 0;
}

static int add_routes(struct up_ctx *c)
{
	for (size_t i = 0; i < c->t->n_nodes; i++) {
		const struct topo_node *n = &c->t->nodes[i];
		for (size_t k = 0; k < n->n_routes; k++)
			if (nc_route_add(c->ns[i], &n->routes[k].route, c->err) < 0)
				return nc_err_prefix(c->err, "node %s: route %s", n->name,
						     n->routes[k].text);
	}
	return 0;
}

static int nat_masquerade(void *arg, struct nc_err *err)
{
	/* Inside the nat node: what leaves through its uplink takes the
	 * uplink's address, which nsbox's netns knows the way back to. */
	return nc_nft_run("table inet nsbox-nat {\n"
			  "\tchain postrouting {\n"
			  "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
			  "\t\toifname \"uplink0\" masquerade\n"
			  "\t}\n"
			  "}\n",
			  err);
}

static int add_uplinks(struct up_ctx *c)
{
	char name[300], id[320];
	/* One nftables worker for all of them, started by the first. */
	_cleanup_(nc_nft_end) struct nc_nft_job nft = NC_NFT_JOB_NONE;
	for (size_t i = 0; i < c->t->n_nodes; i++) {
		const struct topo_node *n = &c->t->nodes[i];
		if (!n->uplink)
			continue;
		lab_object_name(c->t->name, n->name, name, sizeof(name));
		snprintf(id, sizeof(id), "netns:%s", name);
		int r = uplink_add(id, c->ns[i], &n->uplink_opts, &nft, NULL, c->err);
		if (r == 0 && n->kind == NODE_NAT)
			r = nc_ns_call(c->ns[i], nat_masquerade, NULL, c->err);
		if (r == 0)
			r = spawner_node(c->spawner, i, c->ns[i], c->err);
		if (r < 0)
			return nc_err_prefix(c->err, "node %s: uplink", n->name);
	}
	return 0;
}

/* An exec command joins the node's sandbox, which moves the joiner into
 * all its namespaces: done in a child, so that this process stays put. */
static int run_exec(const char *sandbox, char **argv, int *ret_status, struct nc_err *err)
{
	struct sandbox_rec rec;
	int r = sandbox_state_read(sandbox, &rec, err);
	if (r < 0)
		return r;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return nc_err_errno(err, errno, "fork");
	if (pid == 0) {
		/* With NET_ADMIN whatever the node's caps: they configure the
		 * node, and run before its service, when nothing else runs in
		 * it that could take hold of them. */
		struct command cmd = {.argv = argv,
				      .caps = rec.caps | (1ULL << CAP_NET_ADMIN),
				      .seccomp = rec.seccomp,
				      .set_user = rec.uid != 0 || rec.gid != 0,
				      .uid = rec.uid,
				      .gid = rec.gid};
		struct nc_err e;
		int s = sandbox_join(&rec, &cmd, &e);
		if (s < 0)
			fprintf(stderr, "nsbox: %s\n", e.msg);
		_exit(s < 0 ? -s : s);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0)
		return nc_err_errno(err, errno, "wait");
	*ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return 0;
}

static int run_execs(struct up_ctx *c)
{
	char name[300];
	for (size_t i = 0; i < c->t->n_nodes; i++) {
		const struct topo_node *n = &c->t->nodes[i];
		lab_object_name(c->t->name, n->name, name, sizeof(name));
		for (size_t k = 0; k < n->n_exec; k++) {
			int status;
			int r = run_exec(name, n->exec[k].argv, &status, c->err);
			if (r < 0)
				return nc_err_prefix(c->err, "node %s: exec", n->name);
			if (status != 0)
				return nc_err_set(c->err, ECANCELED,
						  "node %s: exec %s: exited with status %d",
						  n->name, n->exec[k].argv[0], status);
		}
	}
	return 0;
}

/* A failed up tears down by LAB-NODE name, so each must be free first: a
 * netns of `nsbox netns add`, of iproute2 or of another lab whose LAB-NODE
 * names collide, or a sandbox of `nsbox run --name`, is not this lab's to
 * remove. Under the journal lock nsbox's own netns cannot appear meanwhile;
 * make_netns and lab_teardown take care of the others. */
static int names_free(const struct topo *t, struct nc_err *err)
{
	char name[300], path[400];
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];
		lab_object_name(t->name, n->name, name, sizeof(name));
		snprintf(path, sizeof(path), "%s/%s", NC_NETNS_DIR, name);
		if (access(path, F_OK) == 0)
			return nc_err_set(err, EEXIST, "node %s: netns %s: already exists", n->name,
					  name);
		snprintf(path, sizeof(path), "%s/%s", SANDBOX_STATE_DIR, name);
		if (n->kind != NODE_BRIDGE && access(path, F_OK) == 0)
			return nc_err_set(err, EEXIST, "node %s: sandbox %s: already exists",
					  n->name, name);
	}
	return 0;
}

int lab_up(const struct topo *t, const struct lab_up_opts *o, struct nc_err *err)
{
	raise_fd_limit();
	sandbox_state_gc();
	_cleanup_(journal_unlockp) int lock = 0;
	int r = journal_lock(&lock, err);
	if (r < 0)
		return r;
	r = lab_rec_create(t, o->source, err);
	if (r == -EEXIST) {
		struct lab_rec rec;
		if (lab_rec_read(t->name, &rec, err) < 0)
			return -EIO;
		bool same = rec.complete && rec.source && !strcmp(rec.source, o->source);
		lab_rec_free(&rec);
		if (same)
			return -EALREADY;
		return nc_err_set(err, EEXIST,
				  "lab %s: already up from another topology (take it down first "
				  "with 'nsbox lab down %s')",
				  t->name, t->name);
	}
	if (r < 0)
		return r;
	if ((r = names_free(t, err)) < 0) {
		lab_rec_remove(t->name, NULL);
		return r;
	}

	size_t hosts = 0;
	for (size_t i = 0; i < t->n_nodes; i++)
		hosts += t->nodes[i].kind != NODE_BRIDGE;
	if ((r = lab_neigh_reserve(lab_check_neighbours(t), err)) < 0)
		goto fail_record;
	struct spawner spawner = {.sock = -1};
	struct up_ctx c = {.t = t, .spawner = &spawner, .err = err};
	c.ns = calloc(t->n_nodes ? t->n_nodes : 1, sizeof(*c.ns));
	c.next_ifindex = calloc(t->n_nodes ? t->n_nodes : 1, sizeof(*c.next_ifindex));
	if (!c.ns || !c.next_ifindex) {
		r = nc_err_errno(err, ENOMEM, "lab %s", t->name);
		goto fail;
	}
	c.progress = progress_new(o->progress, "lab", t->name, "up", t->n_nodes + hosts);
	/* Wiring and the nodes' sandboxes go on side by side: the spawner
	 * starts each node's init as soon as its netns exists; once the lab
	 * is wired and every root built, the exec commands run, then the
	 * nodes' services (cmd) start. */
	if ((r = spawner_start(t, &spawner, err)) < 0 || (r = make_netns(&c)) < 0 ||
	    (r = configure_nodes(&c)) < 0 || (r = make_links(&c)) < 0 || (r = add_routes(&c)) < 0 ||
	    (r = add_uplinks(&c)) < 0 || (r = spawner_ready(&spawner, err)) < 0 ||
	    (r = run_execs(&c)) < 0 || (r = spawner_finish(&spawner, c.progress, err)) < 0 ||
	    (r = lab_rec_mark_up(t->name, err)) < 0)
		goto fail;
	progress_done(c.progress);
	for (size_t i = 0; i < t->n_nodes; i++)
		nc_ns_free(c.ns[i]);
	free(c.ns);
	free(c.next_ifindex);
	return 0;

fail:
	spawner_kill(&spawner);
	progress_done(c.progress);
	for (size_t i = 0; c.ns && i < t->n_nodes; i++)
		nc_ns_free(c.ns[i]);
	free(c.ns);
	free(c.next_ifindex);
fail_record:
	/* The message is about the failure; a teardown that failed too only
	 * adds where the rest stays (the lab's record names it). */
	if (lab_teardown(t->name, false, NULL) < 0)
		nc_err_suffix(err,
			      "; the rollback failed too ('nsbox lab down %s' removes the rest)",
			      t->name);
	return r;
}
