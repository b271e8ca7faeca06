// SPDX-License-Identifier: GPL-2.0-or-later
/* nsbox netns add|del|list|exec */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lab/lab.h"
#include "sandbox/netns_exec.h"
#include "state/journal.h"
#include "state/sandbox.h"
#include "uplink/uplink.h"
#include "util/json.h"

static const char usage[] =
    "Usage: nsbox netns add NAME...\n"
    "       nsbox netns del [--force] NAME...\n"
    "       nsbox netns list [--json]\n"
    "       nsbox netns exec NAME -- CMD [ARG...]\n"
    "\n"
    "Persistent named network namespaces in /run/netns, the layout iproute2 uses:\n"
    "'ip netns' sees nsbox's namespaces and nsbox sees and wires iproute2's.\n"
    "\n"
    "  add    create each NAME with its loopback up; all or none are created\n"
    "  del    remove each NAME; refuses a netns that processes still run in,\n"
    "         unless --force (they keep running in a netns that has no name)\n"
    "  list   every namespace, who made it, processes and interfaces in it\n"
    "  exec   run CMD in netns NAME, as 'ip netns exec' does (own /sys,\n"
    "         /etc/netns/NAME/* bound over /etc)\n"
    "\n"
    "Names follow iproute2's rules (1-255 bytes, no '/'), and may not contain\n"
    "':', '=' or white space, or be 'host' (it means nsbox's own netns).\n";

static int no_opts(int c, const char *arg, void *data)
{
	return cli_usage("netns", "unexpected option");
}

/* Undo the add of name (made: its netns exists); false when something
 * stays. A netns that cannot be deleted keeps its journal entry: without
 * it, nsbox cleanup would not know the netns is nsbox's. */
static bool undo_add(const char *name, bool made)
{
	int r = made ? nc_netns_del(name, NULL) : 0;
	return (r == 0 || r == -ENOENT) && journal_forget("netns", name, NULL) == 0;
}

static int netns_add(int argc, char **argv)
{
	int code;
	int i = cli_getopt(argc, argv, "netns add", usage, "", NULL, no_opts, NULL, &code);
	if (i < 0)
		return code;
	if (i == argc)
		return cli_usage("netns add", "missing NAME");
	struct nc_err err;
	for (int k = i; k < argc; k++) {
		if (nc_netns_name_valid(argv[k], &err) < 0)
			return cli_fail(EXIT_USAGE, &err);
		for (int m = i; m < k; m++)
			if (!strcmp(argv[m], argv[k]))
				return cli_usage("netns add", "'%s' given twice", argv[k]);
	}
	_cleanup_(journal_unlockp) int lock = 0;
	if (journal_lock(&lock, &err) < 0)
		return cli_fail(EXIT_OPFAIL, &err);
	for (int k = i; k < argc; k++) {
		int r = nc_netns_check(argv[k], &err);
		if (r == 0)
			nc_err_set(&err, EEXIST, "netns %s: already exists", argv[k]);
		if (r != -ENOENT)
			return cli_fail(EXIT_USAGE, &err);
	}
	for (int k = i; k < argc; k++) {
		bool made = false;
		int r = journal_intent("netns", argv[k], &err);
		if (r == 0 && (r = nc_netns_add(argv[k], 0, NULL, &err)) == 0) {
			made = true;
			r = journal_done("netns", argv[k], &err);
		}
		if (r < 0) {
			/* All or nothing: remove what this command made. */
			bool left = !undo_add(argv[k], made);
			for (int m = i; m < k; m++)
				left |= !undo_add(argv[m], true);
			if (left)
				nc_err_suffix(&err, "; not all of what it made could be removed "
						    "('nsbox cleanup' removes the rest)");
			/* Someone outside nsbox (ip netns add) won the race. */
			return cli_fail(r == -EEXIST && !left ? EXIT_USAGE : EXIT_OPFAIL, &err);
		}
		if (cli.verbose)
			printf("netns %s: created\n", argv[k]);
	}
	return 0;
}

/* The name of a running sandbox whose netns is name, or NULL. Only
 * nsbox's sandboxes count: scanning every process of the machine would
 * cost each delete milliseconds on a busy host (bench/RESULTS.md). */
static const char *sandbox_using(const char *name)
{
	static struct sandbox_rec rec;
	char **names = NULL;
	size_t n = 0;
	const char *found = NULL;
	if (sandbox_state_list(&names, &n, NULL) < 0)
		return NULL;
	for (size_t i = 0; i < n && !found; i++) {
		int pidfd;
		if (sandbox_state_read(names[i], &rec, NULL) < 0 || strcmp(rec.netns, name))
			continue;
		/* One that cannot be told gone counts as running. */
		int e = sandbox_pidfd(&rec, &pidfd);
		if (e == -ESRCH)
			continue;
		if (e == 0)
			close(pidfd);
		found = rec.name;
	}
	nc_strv_free(names);
	return found;
}

/* The lab whose journal names netns name as one of its nodes', or NULL.
 * Its netns go with `lab down`, which deletes them by name: one deleted
 * here and made again by someone else would go with it. */
static const char *lab_owning(const char *name)
{
	static char found[64];
	char **labs = NULL, ns[300];
	size_t n = 0;
	found[0] = '\0';
	if (lab_list(&labs, &n, NULL) < 0)
		return NULL;
	for (size_t i = 0; i < n && !found[0]; i++) {
		struct lab_rec rec;
		if (lab_rec_read(labs[i], &rec, NULL) < 0)
			continue;
		for (size_t k = 0; k < rec.n_nodes && !found[0]; k++) {
			lab_object_name(rec.name, rec.nodes[k], ns, sizeof(ns));
			if (!strcmp(ns, name))
				snprintf(found, sizeof(found), "%s", rec.name);
		}
		lab_rec_free(&rec);
	}
	nc_strv_free(labs);
	return found[0] ? found : NULL;
}

struct del_opts {
	bool force;
};

enum { OPT_FORCE = OPT_FIRST_LOCAL };

static int del_opt(int c, const char *arg, void *data)
{
	struct del_opts *o = data;
	if (c == OPT_FORCE || c == 'f') {
		o->force = true;
		return 0;
	}
	return cli_usage("netns del", "unexpected option");
}

static int netns_del(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"force", no_argument, NULL, OPT_FORCE},
	    {0},
	};
	struct del_opts o = {0};
	int code;
	int i = cli_getopt(argc, argv, "netns del", usage, "f", longopts, del_opt, &o, &code);
	if (i < 0)
		return code;
	if (i == argc)
		return cli_usage("netns del", "missing NAME");
	struct nc_err err;
	_cleanup_(journal_unlockp) int lock = 0;
	if (journal_lock(&lock, &err) < 0)
		return cli_fail(EXIT_OPFAIL, &err);
	for (int k = i; k < argc; k++) {
		for (int m = i; m < k; m++)
			if (!strcmp(argv[m], argv[k]))
				return cli_usage("netns del", "'%s' given twice", argv[k]);
		/* A leftover file with nothing mounted on it (an add that was
		 * killed) is not a netns, but del is how it goes away. */
		_cleanup_ns_ struct nc_ns *ns = NULL;
		int r = nc_ns_open(argv[k], &ns, &err);
		if (r == -EINVAL && nc_netns_name_valid(argv[k], NULL) == 0)
			continue;
		if (r < 0)
			return cli_fail(EXIT_USAGE, &err);
		const char *lab = lab_owning(argv[k]);
		if (lab) {
			fprintf(stderr,
				"nsbox: netns %s: belongs to lab %s; take it down with 'nsbox lab "
				"down %s'\n",
				argv[k], lab, lab);
			return EXIT_USAGE;
		}
		const char *user = o.force ? NULL : sandbox_using(argv[k]);
		if (user) {
			fprintf(stderr,
				"nsbox: netns %s: in use by sandbox %s; stop it or use --force\n",
				argv[k], user);
			return EXIT_USAGE;
		}
	}
	for (int k = i; k < argc; k++) {
		if (nc_netns_del(argv[k], &err) < 0)
			return cli_fail(EXIT_OPFAIL, &err);
		/* Its uplink's veth went with it; its rules and record go now. */
		char id[320];
		snprintf(id, sizeof(id), "netns:%s", argv[k]);
		if (uplink_del(id, NULL, &err) < 0 && err.code != ENOENT)
			return cli_fail(EXIT_OPFAIL, &err);
		if (journal_forget("netns", argv[k], &err) < 0)
			return cli_fail(EXIT_OPFAIL, &err);
		if (cli.verbose)
			printf("netns %s: deleted\n", argv[k]);
	}
	return 0;
}

struct ns_row {
	const char *name;
	bool ours;
	bool valid;
	size_t procs;
	size_t links;
};

static void fill_row(struct ns_row *row)
{
	row->ours = journal_get("netns", row->name) == JOURNAL_DONE;
	_cleanup_ns_ struct nc_ns *ns = NULL;
	if (nc_ns_open(row->name, &ns, NULL) < 0)
		return;
	row->valid = true;
	_cleanup_free_ int *pids = NULL;
	nc_ns_pids(ns, &pids, &row->procs, NULL);
	struct nc_link_info *links = NULL;
	if (nc_link_list(ns, &links, &row->links, NULL) == 0)
		nc_link_list_free(links, row->links);
}

static int netns_list(int argc, char **argv)
{
	int code;
	int i = cli_getopt(argc, argv, "netns list", usage, "", NULL, no_opts, NULL, &code);
	if (i < 0)
		return code;
	if (i != argc)
		return cli_usage("netns list", "unexpected argument '%s'", argv[i]);
	struct nc_err err;
	char **names = NULL;
	size_t n = 0;
	if (nc_netns_list(&names, &n, &err) < 0)
		return cli_fail(EXIT_OPFAIL, &err);
	struct ns_row rows[n ? n : 1];
	for (size_t k = 0; k < n; k++) {
		rows[k] = (struct ns_row){.name = names[k]};
		fill_row(&rows[k]);
	}
	int r = 0;
	if (cli.json) {
		struct json *j = json_new();
		if (!j) {
			nc_strv_free(names);
			return cli_fail(EXIT_OPFAIL, &(struct nc_err){ENOMEM, "out of memory"});
		}
		json_arr_begin(j);
		for (size_t k = 0; k < n; k++) {
			json_obj_begin(j);
			json_key(j, "name");
			json_str(j, rows[k].name);
			json_key(j, "made_by");
			json_str(j, rows[k].ours ? "nsbox" : "other");
			json_key(j, "valid");
			json_bool(j, rows[k].valid);
			json_key(j, "processes");
			json_int(j, (int64_t)rows[k].procs);
			json_key(j, "interfaces");
			json_int(j, (int64_t)rows[k].links);
			json_obj_end(j);
		}
		json_arr_end(j);
		r = json_print(j) < 0 ? EXIT_OPFAIL : 0;
		json_free(j);
	} else {
		int w = 4;
		for (size_t k = 0; k < n; k++)
			if ((int)strlen(rows[k].name) > w)
				w = (int)strlen(rows[k].name);
		if (n)
			printf("%-*s  %-7s  %9s  %10s\n", w, "NAME", "MADE-BY", "PROCESSES",
			       "INTERFACES");
		for (size_t k = 0; k < n; k++) {
			if (!rows[k].valid)
				printf("%-*s  %-7s  (not a network namespace: remove with "
				       "'nsbox netns del')\n",
				       w, rows[k].name, rows[k].ours ? "nsbox" : "other");
			else
				printf("%-*s  %-7s  %9zu  %10zu\n", w, rows[k].name,
				       rows[k].ours ? "nsbox" : "other", rows[k].procs,
				       rows[k].links);
		}
	}
	nc_strv_free(names);
	return r;
}

static int netns_exec_cmd(int argc, char **argv)
{
	int code;
	int i = cli_getopt(argc, argv, "netns exec", usage, "+", NULL, no_opts, NULL, &code);
	if (i < 0)
		return code == EXIT_USAGE ? EXIT_NSBOX : code;
	if (i == argc) {
		cli_usage("netns exec", "missing NAME");
		return EXIT_NSBOX;
	}
	const char *name = argv[i++];
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i == argc) {
		cli_usage("netns exec", "missing command");
		return EXIT_NSBOX;
	}
	struct nc_err err;
	int r = netns_exec(name, argv + i, &err);
	return cli_fail(r, &err);
}

int cmd_netns(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	if (sub && !strcmp(sub, "add"))
		return netns_add(argc - 1, argv + 1);
	if (sub && (!strcmp(sub, "del") || !strcmp(sub, "delete")))
		return netns_del(argc - 1, argv + 1);
	if (sub && (!strcmp(sub, "list") || !strcmp(sub, "ls")))
		return netns_list(argc - 1, argv + 1);
	if (sub && !strcmp(sub, "exec"))
		return netns_exec_cmd(argc - 1, argv + 1);
	return cli_bad_subcommand("netns", sub, usage);
}
