// SPDX-License-Identifier: GPL-2.0-or-later
/* nsbox uplink add|del|list */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "uplink/uplink.h"
#include "util/json.h"

static const char usage[] =
    "Usage: nsbox uplink add NS [--subnet CIDR] [--ipv6 CIDR] [--dns ADDR]...\n"
    "                           [--publish [HOSTADDR:]HOSTPORT:PORT[/tcp|/udp]]...\n"
    "                           [--allow CIDR[:PORT[/tcp|/udp]]]...\n"
    "       nsbox uplink del NS\n"
    "       nsbox uplink list [--json]\n"
    "\n"
    "Connect netns NS to the netns nsbox runs in: a veth pair (nsbu<N> outside,\n"
    "uplink0 inside) on a /30 from a pool that avoids every route the host has\n"
    "(NSBOX_UPLINK_POOL, default " UPLINK_POOL_DEFAULT "; --subnet picks one),\n"
    "a default route inside, forwarding on outside, and masquerade in nsbox's own\n"
    "nftables table (inet nsbox). /etc/netns/NS/resolv.conf gets the host's name\n"
    "servers (the upstreams of a local stub such as 127.0.0.53), or --dns ones.\n"
    "\n"
    "  --ipv6 CIDR      IPv6 too, on that prefix (::1 outside, ::2 inside)\n"
    "  --publish ...    forward HOSTPORT of the host to PORT inside (DNAT)\n"
    "  --allow ...      let NS reach only these destinations (and its DNS\n"
    "                   servers); anything else is rejected at once\n"
    "\n"
    "del removes all of it; forwarding returns to what it was when the last uplink\n"
    "goes. Nothing else of the host's nftables ruleset is touched.\n";

struct opts {
	struct uplink_opts up;
	struct nc_err err;
	bool failed;
};

int uplink_opt_parse(int c, const char *arg, struct uplink_opts *o, struct nc_err *err)
{
	switch (c) {
	case OPT_UP_SUBNET:
		o->has_subnet = true;
		return nc_cidr_parse(arg, &o->subnet, err);
	case OPT_UP_IPV6:
		o->has_ipv6 = true;
		return nc_cidr_parse(arg, &o->ipv6, err);
	case OPT_UP_DNS:
		if (o->n_dns == sizeof(o->dns) / sizeof(o->dns[0]))
			return nc_err_set(err, E2BIG, "--dns: at most 4 servers");
		return nc_ip_parse(arg, &o->dns[o->n_dns++], err);
	case OPT_UP_PUBLISH:
		if (o->n_publish == UPLINK_MAX_RULES)
			return nc_err_set(err, E2BIG, "--publish: at most %d", UPLINK_MAX_RULES);
		return uplink_publish_parse(arg, &o->publish[o->n_publish++], err);
	case OPT_UP_ALLOW:
		if (o->n_allow == UPLINK_MAX_RULES)
			return nc_err_set(err, E2BIG, "--allow: at most %d", UPLINK_MAX_RULES);
		return uplink_allow_parse(arg, &o->allow[o->n_allow++], err);
	}
	return -ENOENT;
}

static const struct option uplink_longopts[] = {
    {"subnet", required_argument, NULL, OPT_UP_SUBNET},
    {"ipv6", required_argument, NULL, OPT_UP_IPV6},
    {"dns", required_argument, NULL, OPT_UP_DNS},
    {"publish", required_argument, NULL, OPT_UP_PUBLISH},
    {"allow", required_argument, NULL, OPT_UP_ALLOW},
    {0},
};

static int add_opt(int c, const char *arg, void *data)
{
	struct opts *o = data;
	int r = uplink_opt_parse(c, arg, &o->up, &o->err);
	if (r == -ENOENT)
		return cli_usage("uplink add", "unexpected option");
	if (r < 0) {
		o->failed = true;
		return cli_fail(EXIT_USAGE, &o->err);
	}
	return 0;
}

static int uplink_add_cmd(int argc, char **argv)
{
	struct opts o = {0};
	int code;
	int i =
	    cli_getopt(argc, argv, "uplink add", usage, "", uplink_longopts, add_opt, &o, &code);
	if (i < 0)
		return code;
	if (argc - i != 1)
		return cli_usage("uplink add", "expected one NS");
	struct nc_err err;
	_cleanup_ns_ struct nc_ns *ns = NULL;
	if (nc_ns_open(argv[i], &ns, &err) < 0)
		return cli_fail(EXIT_USAGE, &err);
	char id[320];
	snprintf(id, sizeof(id), "netns:%s", argv[i]);
	struct uplink u;
	int r = uplink_add(id, ns, &o.up, NULL, &u, &err);
	if (r < 0)
		/* Refused before anything was made: a validation error. */
		return cli_fail(r == -EEXIST || r == -ENOSPC || r == -EINVAL || r == -EADDRINUSE
				    ? EXIT_USAGE
				    : EXIT_OPFAIL,
				&err);
	if (cli.verbose) {
		char a[64];
		printf("uplink %s: %s inside, via %s\n", argv[i],
		       nc_cidr_str(&u.inside_addr, true, a, sizeof(a)), u.host_if);
	}
	return 0;
}

static int no_opts(int c, const char *arg, void *data)
{
	return cli_usage("uplink", "unexpected option");
}

static int uplink_del_cmd(int argc, char **argv)
{
	int code;
	int i = cli_getopt(argc, argv, "uplink del", usage, "", NULL, no_opts, NULL, &code);
	if (i < 0)
		return code;
	if (argc - i != 1)
		return cli_usage("uplink del", "expected one NS");
	struct nc_err err;
	char id[320];
	snprintf(id, sizeof(id), "netns:%s", argv[i]);
	int r = uplink_del(id, NULL, &err);
	if (r < 0)
		return cli_fail(r == -ENOENT ? EXIT_USAGE : EXIT_OPFAIL, &err);
	return 0;
}

static void json_rules(struct json *j, const struct uplink *u)
{
	char buf[128];
	json_key(j, "dns");
	json_arr_begin(j);
	for (size_t k = 0; k < u->opts.n_dns; k++)
		json_str(j, nc_cidr_str(&u->opts.dns[k], false, buf, sizeof(buf)));
	json_arr_end(j);
	json_key(j, "publish");
	json_arr_begin(j);
	for (size_t k = 0; k < u->opts.n_publish; k++) {
		uplink_publish_str(&u->opts.publish[k], buf, sizeof(buf));
		json_str(j, buf);
	}
	json_arr_end(j);
	json_key(j, "allow");
	json_arr_begin(j);
	for (size_t k = 0; k < u->opts.n_allow; k++) {
		uplink_allow_str(&u->opts.allow[k], buf, sizeof(buf));
		json_str(j, buf);
	}
	json_arr_end(j);
}

static int uplink_list_cmd(int argc, char **argv)
{
	int code;
	int i = cli_getopt(argc, argv, "uplink list", usage, "", NULL, no_opts, NULL, &code);
	if (i < 0)
		return code;
	if (i != argc)
		return cli_usage("uplink list", "unexpected argument '%s'", argv[i]);
	struct nc_err err;
	char **ids = NULL;
	size_t n = 0;
	if (uplink_list(&ids, &n, &err) < 0)
		return cli_fail(EXIT_OPFAIL, &err);
	struct json *j = cli.json ? json_new() : NULL;
	if (j)
		json_arr_begin(j);
	else if (n)
		printf("%-24s %-8s %-18s %-18s %s\n", "NAME", "HOST-IF", "INSIDE", "GATEWAY",
		       "IPV6");
	for (size_t k = 0; k < n; k++) {
		struct uplink u;
		if (uplink_read(ids[k], &u, NULL) < 0)
			continue;
		char in[64], gw[64], v6[64] = "-";
		nc_cidr_str(&u.inside_addr, true, in, sizeof(in));
		nc_cidr_str(&u.host_addr, false, gw, sizeof(gw));
		if (u.has_ipv6)
			nc_cidr_str(&u.inside_addr6, true, v6, sizeof(v6));
		const char *name = strchr(ids[k], ':') + 1;
		if (j) {
			json_obj_begin(j);
			json_key(j, "name");
			json_str(j, name);
			json_key(j, "kind");
			json_str(j, strncmp(ids[k], "netns:", 6) ? "sandbox" : "netns");
			/* A sandbox's own netns has no name: null. */
			json_key(j, "netns");
			json_str(j, strncmp(ids[k], "netns:", 6) ? NULL : name);
			json_key(j, "subnet");
			struct nc_cidr net = u.inside_addr;
			for (unsigned bit = net.prefixlen; bit < 32; bit++)
				net.addr[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
			char sn[64];
			json_str(j, nc_cidr_str(&net, true, sn, sizeof(sn)));
			json_key(j, "host_if");
			json_str(j, u.host_if);
			json_key(j, "address");
			json_str(j, in);
			json_key(j, "gateway");
			json_str(j, gw);
			json_key(j, "ipv6");
			json_str(j, u.has_ipv6 ? v6 : NULL);
			json_rules(j, &u);
			json_obj_end(j);
		} else {
			printf("%-24s %-8s %-18s %-18s %s\n", ids[k], u.host_if, in, gw, v6);
		}
	}
	if (j) {
		json_arr_end(j);
		json_print(j);
		json_free(j);
	}
	nc_strv_free(ids);
	return 0;
}

int cmd_uplink(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	if (sub && !strcmp(sub, "add"))
		return uplink_add_cmd(argc - 1, argv + 1);
	if (sub && (!strcmp(sub, "del") || !strcmp(sub, "delete")))
		return uplink_del_cmd(argc - 1, argv + 1);
	if (sub && (!strcmp(sub, "list") || !strcmp(sub, "ls")))
		return uplink_list_cmd(argc - 1, argv + 1);
	return cli_bad_subcommand("uplink", sub, usage);
}
