// SPDX-License-Identifier: GPL-2.0-or-later
/* nsbox sysctl NS KEY[=VALUE]... */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util/json.h"

static const char usage[] =
    "Usage: nsbox sysctl NS KEY[=VALUE]... [--json]\n"
    "\n"
    "Read or set network sysctls (net.*) of netns NS ('host': nsbox's own), as\n"
    "seen from inside it. KEY alone prints the value; KEY=VALUE sets it. All\n"
    "keys are read first; if one cannot be set, those set before it are put back.\n"
    "Keys use dots (net.ipv4.ip_forward) or slashes (net/ipv4/conf/eth0.100/rp_filter).\n"
    "Example: nsbox sysctl r1 net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1\n";

static int no_opts(int c, const char *arg, void *data)
{
	return cli_usage("sysctl", "unexpected option");
}

struct item {
	char key[200];
	const char *value; /* NULL: read */
	char old[256];
};

int cmd_sysctl(int argc, char **argv)
{
	int code;
	int i = cli_getopt(argc, argv, "sysctl", usage, "", NULL, no_opts, NULL, &code);
	if (i < 0)
		return code;
	if (argc - i < 2)
		return cli_usage("sysctl", "expected NS and at least one KEY");
	const char *name = argv[i++];
	size_t n = (size_t)(argc - i);
	struct item items[n];
	for (size_t k = 0; k < n; k++) {
		const char *arg = argv[i + k];
		const char *eq = strchr(arg, '=');
		size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
		if (len == 0 || len >= sizeof(items[k].key))
			return cli_usage("sysctl", "'%s' is not KEY or KEY=VALUE", arg);
		memcpy(items[k].key, arg, len);
		items[k].key[len] = '\0';
		items[k].value = eq ? eq + 1 : NULL;
	}
	struct nc_err err;
	_cleanup_ns_ struct nc_ns *ns = NULL;
	if (nc_ns_open(strcmp(name, "host") ? name : NULL, &ns, &err) < 0)
		return cli_fail(EXIT_USAGE, &err);
	for (size_t k = 0; k < n; k++)
		if (nc_sysctl_get(ns, items[k].key, items[k].old, sizeof(items[k].old), &err) < 0)
			return cli_fail(EXIT_USAGE, &err);
	for (size_t k = 0; k < n; k++) {
		if (!items[k].value)
			continue;
		if (nc_sysctl_set(ns, items[k].key, items[k].value, &err) < 0) {
			for (size_t m = k; m-- > 0;)
				if (items[m].value)
					nc_sysctl_set(ns, items[m].key, items[m].old, NULL);
			return cli_fail(k == 0 ? EXIT_USAGE : EXIT_OPFAIL, &err);
		}
	}
	if (cli.json) {
		struct json *j = json_new();
		if (!j)
			return EXIT_OPFAIL;
		json_obj_begin(j);
		for (size_t k = 0; k < n; k++) {
			json_key(j, items[k].key);
			json_str(j, items[k].value ? items[k].value : items[k].old);
		}
		json_obj_end(j);
		int r = json_print(j);
		json_free(j);
		return r < 0 ? EXIT_OPFAIL : 0;
	}
	for (size_t k = 0; k < n; k++)
		if (!items[k].value || cli.verbose)
			printf("%s = %s\n", items[k].key,
			       items[k].value ? items[k].value : items[k].old);
	return 0;
}
