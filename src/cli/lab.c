// SPDX-License-Identifier: GPL-2.0-or-later
/* nsbox lab up|down|list|status|exec|check|graph */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "lab/check.h"
#include "lab/graph.h"
#include "lab/lab.h"
#include "lab/load.h"
#include "lab/state.h"
#include "sandbox/launch.h"
#include "util/json.h"

static const char usage[] =
    "Usage: nsbox lab up [FILE | --topo SPEC] [--name LAB]\n"
    "       nsbox lab down LAB|FILE\n"
    "       nsbox lab list [--json]\n"
    "       nsbox lab status LAB [--json]\n"
    "       nsbox lab exec LAB NODE [--] CMD [ARG...]\n"
    "       nsbox lab check LAB [--timeout MS] [--json]\n"
    "       nsbox lab graph LAB|FILE [--format dot|svg]\n"
    "\n"
    "Labs: whole topologies of hosts, routers and switches, each node a netns\n"
    "(named LAB-NODE, usable with ip netns exec) and, for hosts and routers, a\n"
    "sandbox whose PID 1 keeps it alive.\n"
    "\n"
    "  up      from a YAML FILE, a generator SPEC (single:N, linear:N, tree:D,F, as\n"
    "          Mininet builds them) or, with neither, the built-in demo lab. Any\n"
    "          failure removes everything up made; up of a lab that is already\n"
    "          up from the same topology does nothing.\n"
    "  down    remove everything of the lab, from nsbox's journal alone\n"
    "  list    the labs, with their node count and whether they are complete\n"
    "  status  nodes with kind, netns, pid, interfaces and addresses\n"
    "  exec    run CMD in NODE (its namespaces and root), like nsbox exec\n"
    "  check   ping every pair of non-bridge nodes over each address family they\n"
    "          share; a matrix (. reached, X not, - self, o isolated as declared,\n"
    "          ! isolated yet reached); exit 0 iff every pair is as expected\n"
    "  graph   Graphviz dot, or SVG rendered with dot(1)\n";

static int no_opts(int c, const char *arg, void *data)
{
	return cli_usage("lab", "unexpected option");
}

enum { OPT_TOPO = OPT_FIRST_LOCAL, OPT_NAME, OPT_TIMEOUT, OPT_FORMAT };

struct up_opts {
	const char *topo, *name;
};

static int up_opt(int c, const char *arg, void *data)
{
	struct up_opts *o = data;
	if (c == OPT_TOPO)
		o->topo = arg;
	else if (c == OPT_NAME)
		o->name = arg;
	else
		return cli_usage("lab up", "unexpected option");
	return 0;
}

static int lab_up_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"topo", required_argument, NULL, OPT_TOPO},
	    {"name", required_argument, NULL, OPT_NAME},
	    {0},
	};
	struct up_opts o = {0};
	int code;
	int i = cli_getopt(argc, argv, "lab up", usage, "", longopts, up_opt, &o, &code);
	if (i < 0)
		return code;
	if (argc - i > 1 || (argc - i == 1 && o.topo))
		return cli_usage("lab up", "expected one FILE or --topo SPEC");
	struct nc_err err;
	struct topo *t = NULL;
	_cleanup_free_ char *source = NULL;
	if (lab_topo_from_args(i < argc ? argv[i] : NULL, o.topo, o.name, &t, &source, &err) < 0)
		return cli_fail(EXIT_USAGE, &err);
	struct lab_up_opts uo = {.source = source, .progress = !cli.quiet};
	int r = lab_up(t, &uo, &err);
	int ret = 0;
	if (r == -EALREADY) {
		if (!cli.quiet)
			printf("lab %s: already up\n", t->name);
	} else if (r < 0) {
		ret = cli_fail(r == -EEXIST ? EXIT_USAGE : EXIT_OPFAIL, &err);
	} else if (!cli.quiet) {
		size_t hosts = 0;
		for (size_t k = 0; k < t->n_nodes; k++)
			hosts += t->nodes[k].kind != NODE_BRIDGE;
		printf("lab %s: up, %zu nodes (%zu hosts and routers), %zu links\n", t->name,
		       t->n_nodes, hosts, t->n_links);
		printf("  nsbox lab status %s | nsbox lab check %s | nsbox lab exec %s NODE -- CMD "
		       "| nsbox lab down %s\n",
		       t->name, t->name, t->name, t->name);
	}
	topo_free(t);
	return ret;
}

/* LAB, or a FILE naming one (its `name:`). */
static int lab_name_arg(const char *arg, char *buf, size_t len, struct nc_err *err)
{
	if (strchr(arg, '/') || strstr(arg, ".yaml") || strstr(arg, ".yml")) {
		struct topo *t = NULL;
		int r = topo_parse_file(arg, &t, err);
		if (r < 0)
			return r;
		snprintf(buf, len, "%s", t->name);
		topo_free(t);
		return 0;
	}
	snprintf(buf, len, "%s", arg);
	return topo_name_valid("lab", buf, err);
}

static int lab_down_cmd(int argc, char **argv)
{
	int code;
	int i = cli_getopt(argc, argv, "lab down", usage, "", NULL, no_opts, NULL, &code);
	if (i < 0)
		return code;
	if (argc - i != 1)
		return cli_usage("lab down", "expected one LAB or FILE");
	struct nc_err err;
	char name[64];
	if (lab_name_arg(argv[i], name, sizeof(name), &err) < 0)
		return cli_fail(EXIT_USAGE, &err);
	int r = lab_down(name, !cli.quiet, &err);
	if (r < 0)
		return cli_fail(r == -ENOENT ? EXIT_USAGE : EXIT_OPFAIL, &err);
	if (cli.verbose)
		printf("lab %s: down\n", name);
	return 0;
}

static int lab_list_cmd(int argc, char **argv)
{
	int code;
	int i = cli_getopt(argc, argv, "lab list", usage, "", NULL, no_opts, NULL, &code);
	if (i < 0)
		return code;
	if (i != argc)
		return cli_usage("lab list", "unexpected argument '%s'", argv[i]);
	struct nc_err err;
	char **names = NULL;
	size_t n = 0;
	if (lab_list(&names, &n, &err) < 0)
		return cli_fail(EXIT_OPFAIL, &err);
	struct json *j = cli.json ? json_new() : NULL;
	if (j)
		json_arr_begin(j);
	else if (n)
		printf("%-24s %6s  %s\n", "LAB", "NODES", "STATE");
	for (size_t k = 0; k < n; k++) {
		struct lab_rec rec;
		if (lab_rec_read(names[k], &rec, NULL) < 0)
			continue;
		const char *state = rec.complete ? "up" : "incomplete";
		if (j) {
			json_obj_begin(j);
			json_key(j, "name");
			json_str(j, rec.name);
			json_key(j, "nodes");
			json_int(j, (int64_t)rec.n_nodes);
			json_key(j, "state");
			json_str(j, state);
			json_obj_end(j);
		} else {
			printf("%-24s %6zu  %s\n", rec.name, rec.n_nodes, state);
		}
		lab_rec_free(&rec);
	}
	if (j) {
		json_arr_end(j);
		json_print(j);
		json_free(j);
	}
	nc_strv_free(names);
	return 0;
}

/* The running lab's record and topology; an exit code on failure. */
static int load_lab(const char *arg, struct lab_rec *rec, struct topo **t)
{
	struct nc_err err;
	char name[64];
	if (lab_name_arg(arg, name, sizeof(name), &err) < 0 || lab_rec_read(name, rec, &err) < 0)
		return cli_fail(EXIT_USAGE, &err);
	if (lab_topo_from_source(name, rec->source, t, &err) < 0) {
		lab_rec_free(rec);
		return cli_fail(EXIT_OPFAIL, &err);
	}
	return 0;
}

static void status_node(struct json *j, const struct lab_rec *rec, const struct topo_node *n)
{
	char name[300];
	lab_object_name(rec->name, n->name, name, sizeof(name));
	struct sandbox_rec s = {0};
	int pid = 0;
	if (n->kind != NODE_BRIDGE && sandbox_state_read(name, &s, NULL) == 0) {
		int fd;
		if (sandbox_pidfd(&s, &fd) == 0) {
			pid = s.pid;
			close(fd);
		}
	}
	struct nc_link_info *links = NULL;
	size_t nl = 0;
	_cleanup_ns_ struct nc_ns *ns = NULL;
	bool have_ns = nc_ns_open(name, &ns, NULL) == 0;
	if (have_ns)
		nc_link_list(ns, &links, &nl, NULL);
	const char *state = !have_ns				? "missing"
			    : n->kind == NODE_BRIDGE || pid > 0 ? "running"
								: "stopped";
	char a[64];
	if (j) {
		json_obj_begin(j);
		json_key(j, "node");
		json_str(j, n->name);
		json_key(j, "kind");
		json_str(j, lab_kind_name(n->kind));
		json_key(j, "netns");
		json_str(j, name);
		json_key(j, "state");
		json_str(j, state);
		json_key(j, "pid");
		if (pid)
			json_int(j, pid);
		else
			json_str(j, NULL);
		json_key(j, "interfaces");
		json_arr_begin(j);
		for (size_t k = 0; k < nl; k++) {
			if (!strcmp(links[k].kind, "loopback"))
				continue;
			json_obj_begin(j);
			json_key(j, "ifname");
			json_str(j, links[k].name);
			json_key(j, "up");
			json_bool(j, links[k].up);
			json_key(j, "addresses");
			json_arr_begin(j);
			for (size_t q = 0; q < links[k].n_addrs; q++)
				json_str(j, nc_cidr_str(&links[k].addrs[q], true, a, sizeof(a)));
			json_arr_end(j);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_obj_end(j);
	} else {
		char pidstr[16];
		snprintf(pidstr, sizeof(pidstr), pid ? "%d" : "-", pid);
		printf("%-12s %-7s %-8s %8s  ", n->name, lab_kind_name(n->kind), state, pidstr);
		bool first = true;
		for (size_t k = 0; k < nl; k++) {
			if (!strcmp(links[k].kind, "loopback") || !strcmp(links[k].kind, "bridge"))
				continue;
			printf("%s%s", first ? "" : ", ", links[k].name);
			first = false;
			for (size_t q = 0; q < links[k].n_addrs; q++)
				if (!(links[k].addrs[q].family == AF_INET6 &&
				      links[k].addrs[q].addr[0] == 0xfe &&
				      (links[k].addrs[q].addr[1] & 0xc0) == 0x80))
					printf(" %s",
					       nc_cidr_str(&links[k].addrs[q], true, a, sizeof(a)));
		}
		printf("\n");
	}
	nc_link_list_free(links, nl);
}

static int lab_status_cmd(int argc, char **argv)
{
	int code;
	int i = cli_getopt(argc, argv, "lab status", usage, "", NULL, no_opts, NULL, &code);
	if (i < 0)
		return code;
	if (argc - i != 1)
		return cli_usage("lab status", "expected one LAB");
	struct lab_rec rec;
	struct topo *t;
	int r = load_lab(argv[i], &rec, &t);
	if (r)
		return r;
	struct json *j = cli.json ? json_new() : NULL;
	if (j) {
		json_obj_begin(j);
		json_key(j, "name");
		json_str(j, rec.name);
		json_key(j, "state");
		json_str(j, rec.complete ? "up" : "incomplete");
		json_key(j, "nodes");
		json_arr_begin(j);
	} else {
		printf("lab %s: %s, %zu nodes, %zu links\n", rec.name,
		       rec.complete ? "up" : "incomplete", t->n_nodes, t->n_links);
		printf("%-12s %-7s %-8s %8s  %s\n", "NODE", "KIND", "STATE", "PID", "INTERFACES");
	}
	for (size_t k = 0; k < t->n_nodes; k++)
		status_node(j, &rec, &t->nodes[k]);
	if (j) {
		json_arr_end(j);
		json_obj_end(j);
		json_print(j);
		json_free(j);
	}
	topo_free(t);
	lab_rec_free(&rec);
	return 0;
}

static int lab_exec_cmd(int argc, char **argv)
{
	int code;
	int i = cli_getopt(argc, argv, "lab exec", usage, "+", NULL, no_opts, NULL, &code);
	if (i < 0)
		return code == 0 ? 0 : EXIT_NSBOX;
	if (argc - i < 2) {
		cli_usage("lab exec", "expected LAB NODE -- CMD");
		return EXIT_NSBOX;
	}
	struct nc_err err;
	char name[300];
	if (topo_name_valid("lab", argv[i], &err) < 0 ||
	    topo_name_valid("node", argv[i + 1], &err) < 0)
		return cli_fail(EXIT_NSBOX, &err);
	lab_object_name(argv[i], argv[i + 1], name, sizeof(name));
	/* The node's own environment first, as its service has it. */
	struct lab_rec rec;
	struct topo *t = NULL;
	int r = load_lab(argv[i], &rec, &t);
	if (r)
		return EXIT_NSBOX;
	const struct topo_node *node = NULL;
	for (size_t n = 0; n < t->n_nodes; n++)
		if (!strcmp(t->nodes[n].name, argv[i + 1]))
			node = &t->nodes[n];
	size_t n_env = node ? node->n_env : 0;
	/* The rest is nsbox exec on the node's sandbox. */
	char *args[argc - i + 2 * n_env + 1];
	int k = 0;
	args[k++] = "exec";
	for (size_t e = 0; e < n_env; e++) {
		args[k++] = "-e";
		args[k++] = node->env[e];
	}
	args[k++] = name;
	for (int m = i + 2; m < argc; m++)
		args[k++] = argv[m];
	args[k] = NULL;
	r = cmd_exec(k, args);
	topo_free(t);
	lab_rec_free(&rec);
	return r;
}

struct check_opts {
	const char *timeout;
};

static int check_opt(int c, const char *arg, void *data)
{
	if (c != OPT_TIMEOUT)
		return cli_usage("lab check", "unexpected option");
	((struct check_opts *)data)->timeout = arg;
	return 0;
}

static char cell(const struct check_pair *p)
{
	if (p->expected)
		return p->reached ? '.' : 'X';
	return p->reached ? '!' : 'o';
}

static int lab_check_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"timeout", required_argument, NULL, OPT_TIMEOUT},
	    {0},
	};
	struct check_opts o = {0};
	int code;
	int i = cli_getopt(argc, argv, "lab check", usage, "", longopts, check_opt, &o, &code);
	if (i < 0)
		return code;
	if (argc - i != 1)
		return cli_usage("lab check", "expected one LAB");
	struct nc_err err;
	/* A healthy lab answers in well under a second and the check ends
	 * there; on a loaded machine ARP requests lost to a full backlog are
	 * retried by the kernel only a second later (retrans_time), so the
	 * limit, which only a broken lab waits out, is generous. */
	uint64_t timeout = 10000;
	if (o.timeout && nc_uint_parse(o.timeout, 10, 600000, "--timeout", &timeout, &err) < 0)
		return cli_fail(EXIT_USAGE, &err);
	struct lab_rec rec;
	struct topo *t;
	int r = load_lab(argv[i], &rec, &t);
	if (r)
		return r;
	struct check_pair *pairs = NULL;
	size_t n = 0;
	bool full;
	if (lab_check(t, rec.name, (int)timeout, &pairs, &n, &full, &err) < 0) {
		topo_free(t);
		lab_rec_free(&rec);
		return cli_fail(EXIT_OPFAIL, &err);
	}
	size_t bad = 0, reached = 0;
	for (size_t k = 0; k < n; k++) {
		bad += pairs[k].reached != pairs[k].expected;
		reached += pairs[k].reached;
	}
	if (cli.json) {
		struct json *j = json_new();
		json_obj_begin(j);
		json_key(j, "lab");
		json_str(j, rec.name);
		json_key(j, "ok");
		json_bool(j, bad == 0);
		json_key(j, "pairs");
		json_arr_begin(j);
		char a[64];
		for (size_t k = 0; k < n; k++) {
			json_obj_begin(j);
			json_key(j, "from");
			json_str(j, t->nodes[pairs[k].from].name);
			json_key(j, "to");
			json_str(j, t->nodes[pairs[k].to].name);
			json_key(j, "address");
			json_str(j, nc_cidr_str(&pairs[k].dst, false, a, sizeof(a)));
			json_key(j, "family");
			json_str(j, pairs[k].family == AF_INET ? "ipv4" : "ipv6");
			json_key(j, "reached");
			json_bool(j, pairs[k].reached);
			json_key(j, "expected");
			json_bool(j, pairs[k].expected);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_obj_end(j);
		json_print(j);
		json_free(j);
	} else {
		for (int fam = AF_INET; fam <= AF_INET6; fam += AF_INET6 - AF_INET) {
			size_t count = 0;
			for (size_t k = 0; k < n; k++)
				count += pairs[k].family == fam;
			if (!count)
				continue;
			printf("%s:\n%-12s", fam == AF_INET ? "IPv4" : "IPv6", "");
			for (size_t c = 0; c < t->n_nodes; c++)
				if (t->nodes[c].kind != NODE_BRIDGE)
					printf(" %.3s", t->nodes[c].name);
			printf("\n");
			for (size_t row = 0; row < t->n_nodes; row++) {
				if (t->nodes[row].kind == NODE_BRIDGE)
					continue;
				printf("%-12s", t->nodes[row].name);
				for (size_t c = 0; c < t->n_nodes; c++) {
					if (t->nodes[c].kind == NODE_BRIDGE)
						continue;
					char ch = row == c ? '-' : ' ';
					for (size_t k = 0; k < n; k++)
						if (pairs[k].from == row && pairs[k].to == c &&
						    pairs[k].family == fam)
							ch = cell(&pairs[k]);
					printf("   %c", ch);
				}
				printf("\n");
			}
		}
		printf("lab %s: %zu of %zu pairs reached, %zu not as expected\n", rec.name, reached,
		       n, bad);
	}
	if (bad) {
		size_t need = lab_check_neighbours(t);
		int table = lab_neigh_table_size(AF_INET);
		if (full)
			nc_err_set(&err, EHOSTUNREACH,
				   "lab %s: %zu of %zu pairs not as expected; the kernel's "
				   "neighbour table was full: its limit, %d entries, is for the "
				   "whole host, every namespace's together (raise "
				   "net.ipv4.neigh.default.gc_thresh3 and "
				   "net.ipv6.neigh.default.gc_thresh3 in the initial netns, or "
				   "check again once other namespaces are gone)",
				   rec.name, bad, n, table);
		else if (need > (size_t)table)
			nc_err_set(&err, EHOSTUNREACH,
				   "lab %s: %zu of %zu pairs not as expected; the check needs %zu "
				   "neighbour entries and the kernel keeps at most %d for the "
				   "whole host (raise net.ipv4.neigh.default.gc_thresh3 and "
				   "net.ipv6.neigh.default.gc_thresh3 in the initial netns)",
				   rec.name, bad, n, need, table);
		else
			nc_err_set(&err, EHOSTUNREACH, "lab %s: %zu of %zu pairs not as expected",
				   rec.name, bad, n);
		cli_fail(EXIT_OPFAIL, &err);
	}
	free(pairs);
	topo_free(t);
	lab_rec_free(&rec);
	return bad ? EXIT_OPFAIL : 0;
}

static int format_opt(int c, const char *arg, void *data)
{
	if (c != OPT_FORMAT)
		return cli_usage("lab graph", "unexpected option");
	*(const char **)data = arg;
	return 0;
}

static int lab_graph_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {0},
	};
	const char *format = "dot";
	int code;
	int i =
	    cli_getopt(argc, argv, "lab graph", usage, "", longopts, format_opt, &format, &code);
	if (i < 0)
		return code;
	if (argc - i != 1)
		return cli_usage("lab graph", "expected one LAB or FILE");
	if (strcmp(format, "dot") && strcmp(format, "svg"))
		return cli_usage("lab graph", "--format %s: expected dot or svg", format);
	struct nc_err err;
	struct topo *t = NULL;
	const char *arg = argv[i];
	if (strchr(arg, '/') || strstr(arg, ".yaml") || strstr(arg, ".yml")) {
		if (topo_parse_file(arg, &t, &err) < 0)
			return cli_fail(EXIT_USAGE, &err);
	} else {
		struct lab_rec rec;
		int r = load_lab(arg, &rec, &t);
		if (r)
			return r;
		lab_rec_free(&rec);
	}
	int ret = 0;
	if (!strcmp(format, "dot")) {
		topo_graph_dot(t, stdout);
	} else {
		/* Rendering is dot(1)'s job (graphviz); nsbox only feeds it. */
		fflush(stdout);
		FILE *p = popen("dot -Tsvg", "w");
		if (!p) {
			nc_err_errno(&err, errno, "lab graph: run dot");
			ret = cli_fail(EXIT_OPFAIL, &err);
		} else {
			topo_graph_dot(t, p);
			int st = pclose(p);
			if (st != 0) {
				nc_err_set(&err, ENOENT,
					   "lab graph: dot(1) failed (exit %d); --format svg needs "
					   "graphviz (apt-get install graphviz)",
					   WIFEXITED(st) ? WEXITSTATUS(st) : -1);
				ret = cli_fail(EXIT_OPFAIL, &err);
			}
		}
	}
	topo_free(t);
	return ret;
}

int cmd_lab(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} subs[] = {
	    {"up", lab_up_cmd},	      {"down", lab_down_cmd},	  {"list", lab_list_cmd},
	    {"ls", lab_list_cmd},     {"status", lab_status_cmd}, {"exec", lab_exec_cmd},
	    {"check", lab_check_cmd}, {"graph", lab_graph_cmd},
	};
	const char *sub = argc > 1 ? argv[1] : NULL;
	for (size_t k = 0; sub && k < sizeof(subs) / sizeof(subs[0]); k++)
		if (!strcmp(sub, subs[k].name))
			return subs[k].fn(argc - 1, argv + 1);
	return cli_bad_subcommand("lab", sub, usage);
}
