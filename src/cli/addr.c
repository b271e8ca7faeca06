// SPDX-License-Identifier: GPL-2.0-or-later
/* nsbox addr add|del */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util/endpoint.h"

static const char usage[] =
    "Usage: nsbox addr add NS:IFNAME ADDR/LEN...\n"
    "       nsbox addr del NS:IFNAME ADDR/LEN...\n"
    "\n"
    "Add or remove IPv4 and IPv6 addresses of an interface. All addresses are\n"
    "checked first; if one cannot be added, those added before it are removed.\n"
    "IPv6 addresses are added without duplicate address detection (usable at once).\n";

static int no_opts(int c, const char *arg, void *data)
{
	return cli_usage("addr", "unexpected option");
}

static int addr_change(int argc, char **argv, bool add)
{
	const char *cmd = add ? "addr add" : "addr del";
	int code;
	int i = cli_getopt(argc, argv, cmd, usage, "", NULL, no_opts, NULL, &code);
	if (i < 0)
		return code;
	if (argc - i < 2)
		return cli_usage(cmd, "expected NS:IFNAME and at least one ADDR/LEN");
	struct nc_err err;
	struct endpoint ep;
	if (endpoint_parse(argv[i], 0, &ep, &err) < 0)
		return cli_fail(EXIT_USAGE, &err);
	size_t n = (size_t)(argc - i - 1);
	struct nc_cidr addrs[n];
	for (size_t k = 0; k < n; k++) {
		if (nc_cidr_parse(argv[i + 1 + k], &addrs[k], &err) < 0)
			return cli_fail(EXIT_USAGE, &err);
		for (size_t m = 0; m < k; m++)
			if (nc_cidr_equal(&addrs[m], &addrs[k]))
				return cli_usage(cmd, "%s given twice", argv[i + 1 + k]);
	}
	_cleanup_ns_ struct nc_ns *ns = NULL;
	int r = cli_open(ep.ns, ep.ifname, &ns);
	if (r)
		return r;
	for (size_t k = 0; k < n; k++) {
		r = add ? nc_addr_add(ns, ep.ifname, &addrs[k], &err)
			: nc_addr_del(ns, ep.ifname, &addrs[k], &err);
		if (r < 0) {
			/* Undo this command's own changes, newest first. */
			for (size_t m = k; m-- > 0;) {
				if (add)
					nc_addr_del(ns, ep.ifname, &addrs[m], NULL);
				else
					nc_addr_add(ns, ep.ifname, &addrs[m], NULL);
			}
			/* Nothing changed when the first one was refused as a
			 * duplicate or as missing: a validation error. */
			bool nothing = r == -EEXIST || r == -ENOENT;
			return cli_fail(nothing ? EXIT_USAGE : EXIT_OPFAIL, &err);
		}
	}
	return 0;
}

int cmd_addr(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	if (sub && !strcmp(sub, "add"))
		return addr_change(argc - 1, argv + 1, true);
	if (sub && (!strcmp(sub, "del") || !strcmp(sub, "delete")))
		return addr_change(argc - 1, argv + 1, false);
	return cli_bad_subcommand("addr", sub, usage);
}
