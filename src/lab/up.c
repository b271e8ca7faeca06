// SPDX-License-Identifier: GPL-2.0-or-later
/* Bringing a lab up, all of it from this one process: namespaces, bridges,
 * links, addresses, shaping, sysctls, routes, then one sandbox per host or
 * router (started all at once, waited for after), then the nodes' exec
 * commands. The journal is written first; any failure tears down what was
 * made, from the journal, as `lab down` would. */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "lab.h"
#include "check.h"
#include "neigh.h"
#include "progress.h"
#include "sandbox/launch.h"
#include "state.h"
#include "state/journal.h"
#include "uplink/uplink.h"

struct up_ctx {
	const struct topo *t;
	struct nc_ns **ns; /* per node */
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

static int make_netns(struct up_ctx *c)
{
	char name[300];
	for (size_t i = 0; i < c->t->n_nodes; i++) {
		lab_object_name(c->t->name, node_name(c, i), name, sizeof(name));
		int r = journal_intent("netns", name, c->err);
		if (r == 0 && (r = nc_netns_add(name, NC_NETNS_NODAD, &c->ns[i], c->err)) == 0)
			r = journal_done("netns", name, c->err);
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

static int configure_end(struct up_ctx *c, const struct topo_end *e)
{
	int r;
	struct nc_ns *ns = c->ns[e->node];
	if (c->t->nodes[e->node].kind == NODE_BRIDGE &&
	    (r = nc_link_set_master(ns, e->ifname, "br0", c->err)) < 0)
		return r;
	for (size_t k = 0; k < e->n_addrs; k++)
		if ((r = nc_addr_add(ns, e->ifname, &e->addrs[k], c->err)) < 0)
			return r;
	return 0;
}

static int make_links(struct up_ctx *c)
{
	for (size_t i = 0; i < c->t->n_links; i++) {
		const struct topo_link *l = &c->t->links[i];
		struct nc_link_opts lo = {.mtu = l->mtu, .up = true};
		int r = nc_veth_add(c->ns[l->a.node], l->a.ifname, c->ns[l->b.node], l->b.ifname,
				    &lo, c->err);
		if (r == 0)
			r = configure_end(c, &l->a);
		if (r == 0)
			r = configure_end(c, &l->b);
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
		if (n->kind == NODE_BRIDGE) {
			struct nc_link_opts up = {.up = true};
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
	for (size_t i = 0; i < c->t->n_nodes; i++) {
		const struct topo_node *n = &c->t->nodes[i];
		if (!n->uplink)
			continue;
		lab_object_name(c->t->name, n->name, name, sizeof(name));
		snprintf(id, sizeof(id), "netns:%s", name);
		int r = uplink_add(id, c->ns[i], &n->uplink_opts, NULL, c->err);
		if (r == 0 && n->kind == NODE_NAT)
			r = nc_ns_call(c->ns[i], nat_masquerade, NULL, c->err);
		if (r < 0)
			return nc_err_prefix(c->err, "node %s: uplink", n->name);
	}
	return 0;
}

static void node_spec(const struct topo *t, const struct topo_node *n, char *netns,
		      struct sandbox_spec *ret_spec)
{
	struct sandbox_spec s = {
	    .net = SANDBOX_NET_NETNS,
	    .netns = netns,
	    .rootfs = n->rootfs && strcmp(n->rootfs, "host") ? n->rootfs : NULL,
	    .hostname = n->hostname ? n->hostname : n->name,
	    .env = (const char **)n->env,
	    .n_env = n->n_env,
	    .detach = true,
	    .seccomp = true,
	    /* Lab nodes configure their own netns (DESIGN.md). */
	    .caps = caps_default() | (1ULL << CAP_NET_ADMIN),
	    .argv = n->cmd,
	};
	snprintf(s.name, sizeof(s.name), "%s", netns);
	*ret_spec = s;
}

static int start_sandboxes(struct up_ctx *c)
{
	const struct topo *t = c->t;
	struct sandbox_launch *launches = calloc(t->n_nodes, sizeof(*launches));
	struct sandbox_spec *specs = calloc(t->n_nodes, sizeof(*specs));
	struct sandbox_bind **binds = calloc(t->n_nodes, sizeof(*binds));
	char(*names)[300] = calloc(t->n_nodes, sizeof(*names));
	int r = 0;
	if (!launches || !specs || !binds || !names) {
		r = nc_err_errno(c->err, ENOMEM, "lab %s", t->name);
		goto out;
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		launches[i].pidfd = launches[i].err_r = -1;
	/* All started first: each init builds its root while the next is
	 * cloned, on every core; then each is waited for. */
	size_t started = 0;
	for (size_t i = 0; i < t->n_nodes && r == 0; i++) {
		const struct topo_node *n = &t->nodes[i];
		if (n->kind == NODE_BRIDGE)
			continue;
		lab_object_name(t->name, n->name, names[i], sizeof(names[i]));
		node_spec(t, n, names[i], &specs[i]);
		if (n->n_binds) {
			binds[i] = calloc(n->n_binds, sizeof(**binds));
			if (!binds[i]) {
				r = nc_err_errno(c->err, ENOMEM, "node %s", n->name);
				break;
			}
			for (size_t k = 0; k < n->n_binds && r == 0; k++)
				r = bind_parse(n->binds[k], &binds[i][k], c->err);
			specs[i].binds = binds[i];
			specs[i].n_binds = n->n_binds;
		}
		if (r == 0)
			r = sandbox_start(&specs[i], &launches[i], c->err);
		if (r < 0)
			r = nc_err_prefix(c->err, "node %s", n->name);
		started = i + 1;
	}
	for (size_t i = 0; i < started; i++) {
		if (launches[i].err_r < 0)
			continue;
		int s = sandbox_started(&launches[i], c->err);
		if (s < 0 && r == 0)
			r = nc_err_prefix(c->err, "node %s", t->nodes[i].name);
		if (launches[i].pidfd >= 0)
			close(launches[i].pidfd);
		progress_step(c->progress);
	}
out:
	for (size_t i = 0; binds && i < t->n_nodes; i++) {
		for (size_t k = 0; binds[i] && k < t->nodes[i].n_binds; k++) {
			free((char *)binds[i][k].src);
			free((char *)binds[i][k].dst);
		}
		free(binds[i]);
	}
	free(binds);
	free(launches);
	free(specs);
	free(names);
	return r;
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
		struct command cmd = {.argv = argv,
				      .caps = rec.caps,
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

	size_t hosts = 0;
	for (size_t i = 0; i < t->n_nodes; i++)
		hosts += t->nodes[i].kind != NODE_BRIDGE;
	if ((r = lab_neigh_reserve(lab_check_neighbours(t), err)) < 0)
		goto fail_record;
	struct up_ctx c = {.t = t, .err = err};
	c.ns = calloc(t->n_nodes ? t->n_nodes : 1, sizeof(*c.ns));
	if (!c.ns) {
		r = nc_err_errno(err, ENOMEM, "lab %s", t->name);
		goto fail;
	}
	c.progress = progress_new(o->progress, "lab", t->name, "up", t->n_nodes + hosts);
	if ((r = make_netns(&c)) < 0 || (r = configure_nodes(&c)) < 0 || (r = make_links(&c)) < 0 ||
	    (r = add_routes(&c)) < 0 || (r = add_uplinks(&c)) < 0 ||
	    (r = start_sandboxes(&c)) < 0 || (r = run_execs(&c)) < 0 ||
	    (r = lab_rec_mark_up(t->name, err)) < 0)
		goto fail;
	progress_done(c.progress);
	for (size_t i = 0; i < t->n_nodes; i++)
		nc_ns_free(c.ns[i]);
	free(c.ns);
	return 0;

fail:
	progress_done(c.progress);
	for (size_t i = 0; c.ns && i < t->n_nodes; i++)
		nc_ns_free(c.ns[i]);
	free(c.ns);
	/* The message is about the failure; the teardown's own troubles,
	 * if any, would only hide it. */
	lab_teardown(t->name, false, NULL);
	return r;
fail_record:
	lab_teardown(t->name, false, NULL);
	return r;
}
