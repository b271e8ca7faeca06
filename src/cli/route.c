// SPDX-License-Identifier: GPL-2.0-or-later
/* nsbox route add|del */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "Usage: nsbox route add NS DEST|default [via GW] [dev IFNAME] [metric N]\n"
    "       nsbox route del NS DEST|default [via GW] [dev IFNAME] [metric N]\n"
    "\n"
    "Add or remove a route in the main table of netns NS ('host': nsbox's own).\n"
    "DEST is ADDR/LEN or a single address; 'default' takes the family of GW.\n"
    "A route needs a gateway (via), an interface (dev) or both.\n"
    "Example: nsbox route add a default via 10.0.0.254\n"
    "         nsbox route add r1 fd00:2::/64 via fd00:1::2 metric 10\n";

static int no_opts(int c, const char *arg, void *data)
{
	return cli_usage("route", "unexpected option");
}

static int route_change(int argc, char **argv, bool add)
{
	const char *cmd = add ? "route add" : "route del";
	int code;
	int i = cli_getopt(argc, argv, cmd, usage, "", NULL, no_opts, NULL, &code);
	if (i < 0)
		return code;
	if (argc - i < 2)
		return cli_usage(cmd, "expected NS and a route");
	const char *name = argv[i];
	struct nc_err err;
	struct nc_route rt;
	if (nc_route_parse((const char *const *)argv + i + 1, (size_t)(argc - i - 1), &rt, &err) <
	    0)
		return cli_fail(EXIT_USAGE, &err);
	_cleanup_ns_ struct nc_ns *ns = NULL;
	int r = cli_open(name, rt.dev[0] ? rt.dev : NULL, &ns);
	if (r)
		return r;
	r = add ? nc_route_add(ns, &rt, &err) : nc_route_del(ns, &rt, &err);
	if (r < 0)
		/* Refused as a whole by the kernel, so nothing changed. */
		return cli_fail(r == -EEXIST || r == -ESRCH || r == -ENETUNREACH ? EXIT_USAGE
										 : EXIT_OPFAIL,
				&err);
	return 0;
}

int cmd_route(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	if (sub && !strcmp(sub, "add"))
		return route_change(argc - 1, argv + 1, true);
	if (sub && (!strcmp(sub, "del") || !strcmp(sub, "delete")))
		return route_change(argc - 1, argv + 1, false);
	return cli_bad_subcommand("route", sub, usage);
}
