// SPDX-License-Identifier: GPL-2.0-or-later
/* nsbox bridge add|del */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util/endpoint.h"

static const char usage[] =
    "Usage: nsbox bridge add NS:BRNAME [--mtu N]\n"
    "       nsbox bridge del NS:BRNAME\n"
    "\n"
    "Create (up) or remove a Linux bridge in netns NS. Enslave interfaces to it\n"
    "with 'nsbox link add NS:IFNAME@BRNAME ...'. 'bridge del' refuses anything\n"
    "that is not a bridge.\n";

enum { OPT_MTU = OPT_FIRST_LOCAL };

static int bridge_opt(int c, const char *arg, void *data)
{
	if (c == OPT_MTU) {
		*(const char **)data = arg;
		return 0;
	}
	return cli_usage("bridge", "unexpected option");
}

static int bridge_change(int argc, char **argv, bool add)
{
	static const struct option longopts[] = {
	    {"mtu", required_argument, NULL, OPT_MTU},
	    {0},
	};
	const char *cmd = add ? "bridge add" : "bridge del";
	const char *mtu = NULL;
	int code;
	int i = cli_getopt(argc, argv, cmd, usage, "", longopts, bridge_opt, &mtu, &code);
	if (i < 0)
		return code;
	if (argc - i != 1)
		return cli_usage(cmd, "expected one NS:BRNAME");
	struct nc_err err;
	struct endpoint ep;
	if (endpoint_parse(argv[i], 0, &ep, &err) < 0)
		return cli_fail(EXIT_USAGE, &err);
	struct nc_link_opts lo = {.up = true};
	if (mtu && (!add || nc_mtu_parse(mtu, &lo.mtu, &err) < 0))
		return add ? cli_fail(EXIT_USAGE, &err)
			   : cli_usage(cmd, "--mtu is for 'bridge add'");
	_cleanup_ns_ struct nc_ns *ns = NULL;
	if (nc_ns_open(endpoint_netns(&ep), &ns, &err) < 0)
		return cli_fail(EXIT_USAGE, &err);
	if (add) {
		int r = nc_bridge_add(ns, ep.ifname, &lo, &err);
		return r < 0 ? cli_fail(r == -EEXIST ? EXIT_USAGE : EXIT_OPFAIL, &err) : 0;
	}
	char kind[16];
	int r = nc_link_kind(ns, ep.ifname, kind, sizeof(kind), &err);
	if (r < 0)
		return cli_fail(EXIT_USAGE, &err);
	if (strcmp(kind, "bridge")) {
		nc_err_set(&err, EINVAL, "bridge %s:%s: is a %s device, not a bridge", ep.ns,
			   ep.ifname, kind[0] ? kind : "plain");
		return cli_fail(EXIT_USAGE, &err);
	}
	if (nc_link_del(ns, ep.ifname, &err) < 0)
		return cli_fail(EXIT_OPFAIL, &err);
	return 0;
}

int cmd_bridge(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	if (sub && !strcmp(sub, "add"))
		return bridge_change(argc - 1, argv + 1, true);
	if (sub && (!strcmp(sub, "del") || !strcmp(sub, "delete")))
		return bridge_change(argc - 1, argv + 1, false);
	return cli_bad_subcommand("bridge", sub, usage);
}
