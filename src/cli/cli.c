// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct cli_opts cli;

int cli_fail(int code, const struct nc_err *err)
{
	fprintf(stderr, "nsbox: %s\n", err->msg);
	return code;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "nsbox: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'nsbox %s --help')\n", cmd);
	return EXIT_USAGE;
}

int cli_help(const char *usage)
{
	fputs(usage, stdout);
	return 0;
}

int cli_bad_subcommand(const char *cmd, const char *sub, const char *usage)
{
	if (!sub)
		return cli_usage(cmd, "missing subcommand");
	if (!strcmp(sub, "help") || !strcmp(sub, "--help") || !strcmp(sub, "-h"))
		return cli_help(usage);
	return cli_usage(cmd, "unknown subcommand '%s'", sub);
}

int cli_getopt(int argc, char **argv, const char *cmd, const char *usage, const char *shortopts,
	       const struct option *longopts, cli_opt_handler handler, void *data, int *ret_code)
{
	static const struct option common[] = {
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"verbose", no_argument, NULL, 'v'},
	};
	const size_t ncommon = sizeof(common) / sizeof(common[0]);
	size_t nlocal = 0;
	while (longopts && longopts[nlocal].name)
		nlocal++;
	struct option all[nlocal + ncommon + 1];
	memcpy(all, common, sizeof(common));
	if (nlocal)
		memcpy(all + ncommon, longopts, nlocal * sizeof(*longopts));
	memset(&all[nlocal + ncommon], 0, sizeof(all[0]));
	char shorts[64];
	/* ':' right after the optional '+': getopt then reports a missing
	 * argument as ':' rather than '?'. */
	bool in_order = shortopts[0] == '+';
	snprintf(shorts, sizeof(shorts), "%s:hqv%s", in_order ? "+" : "", shortopts + in_order);

	/* 0, not 1: glibc then starts afresh, rather than going on inside a
	 * cluster of short options (-abc) of an argv it was given before, or
	 * in that call's order ('+'). */
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, shorts, all, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			cli.json = true;
			break;
		case 'h':
			*ret_code = cli_help(usage);
			return -1;
		case 'q':
			cli.quiet = true;
			break;
		case 'v':
			cli.verbose++;
			break;
		case ':':
			*ret_code = cli_usage(cmd, "option '%s' needs a value", argv[optind - 1]);
			return -1;
		case '?':
			/* optopt: an unknown short option; 0 for an unknown long
			 * one; or the val of a long one given a value it takes
			 * none of (--detach=x, --json=1): not a character then,
			 * or one of the short options. */
			if (optopt && optopt < 0x100 &&
			    (optopt == ':' || !strchr(shorts + in_order, optopt)))
				*ret_code = cli_usage(cmd, "unknown option '-%c'", optopt);
			else if (optopt)
				*ret_code = cli_usage(cmd, "option '%.*s' takes no value",
						      (int)strcspn(argv[optind - 1], "="),
						      argv[optind - 1]);
			else
				*ret_code = cli_usage(cmd, "unknown option '%s'", argv[optind - 1]);
			return -1;
		default:
			if ((*ret_code = handler(c, optarg, data)) != 0)
				return -1;
		}
	}
	return optind;
}

int cli_open(const char *name, const char *ifname, struct nc_ns **ret_ns)
{
	struct nc_err err;
	struct nc_ns *ns = NULL;
	if (nc_ns_open(strcmp(name, "host") ? name : NULL, &ns, &err) < 0)
		return cli_fail(EXIT_USAGE, &err);
	bool exists = true;
	if (ifname && nc_link_exists(ns, ifname, &exists, &err) < 0) {
		nc_ns_free(ns);
		return cli_fail(EXIT_OPFAIL, &err);
	}
	if (!exists) {
		nc_err_set(&err, ENODEV, "link %s:%s: no such device", name, ifname);
		nc_ns_free(ns);
		return cli_fail(EXIT_USAGE, &err);
	}
	*ret_ns = ns;
	return 0;
}
