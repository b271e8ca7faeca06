// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wire_inproc: the work of bench/wire done inside one process, through
 * libnetcfg, the way 'nsbox lab up' does it.
 *
 *   wire_inproc [-n COUNT] [-p PREFIX] [-c CMD]
 *
 * Creates COUNT (default 200) persistent namespaces PREFIX1..PREFIXCOUNT
 * (default prefix "w"), each with lo up, and a veth pair between namespace
 * i and i+1: PREFIXi:eth1 = 10.(i/250).(i%250).1/24 and PREFIX(i+1):eth0 =
 * 10.(i/250).(i%250).2/24, both up. Then deletes every namespace. With -c,
 * CMD is run by the shell between the two phases, untimed (bench/wire checks
 * the chain that way); its failure fails the run, after the teardown.
 *
 * Prints one line that bench/wire parses:
 *   create S teardown S user S sys S netns S links S
 * wall seconds of each phase (CLOCK_MONOTONIC), the user and system CPU time
 * of the whole run (getrusage), and create split into its namespaces and
 * its links. Needs root, and is meant to run in a
 * private mount + network namespace (bench/wire sets that up).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "netcfg.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static int fail(const char *what, const struct nc_err *err)
{
	fprintf(stderr, "wire_inproc: %s: %s\n", what, err->msg);
	return 1;
}

static int add_addr(struct nc_ns *ns, const char *ifname, unsigned link, unsigned host,
		    struct nc_err *err)
{
	char s[32];
	struct nc_cidr c;
	snprintf(s, sizeof(s), "10.%u.%u.%u/24", link / 250, link % 250, host);
	int r = nc_cidr_parse(s, &c, err);
	if (r < 0)
		return r;
	return nc_addr_add(ns, ifname, &c, err);
}

int main(int argc, char **argv)
{
	unsigned n = 200;
	const char *prefix = "w", *check = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "n:p:c:")) != -1) {
		switch (opt) {
		case 'n':
			n = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			prefix = optarg;
			break;
		case 'c':
			check = optarg;
			break;
		default:
			fprintf(stderr, "usage: wire_inproc [-n COUNT] [-p PREFIX] [-c CMD]\n");
			return 2;
		}
	}
	/* 10.X.Y.0/24 with X = i/250 must stay a valid octet. */
	if (n < 2 || n > 60000) {
		fprintf(stderr, "wire_inproc: COUNT must be 2..60000\n");
		return 2;
	}

	struct nc_ns **ns = calloc(n + 1, sizeof(*ns));
	char(*names)[64] = calloc(n + 1, sizeof(*names));
	if (!ns || !names) {
		perror("wire_inproc");
		return 1;
	}
	for (unsigned i = 1; i <= n; i++)
		snprintf(names[i], sizeof(names[i]), "%s%u", prefix, i);

	struct nc_err err;
	struct nc_link_opts up = {.up = true};
	int rc = 0;
	unsigned made = 0;
	double t1 = 0, tn = 0;

	double t0 = now();
	for (unsigned i = 1; i <= n; i++, made++)
		if (nc_netns_add(names[i], 0, &ns[i], &err) < 0) {
			rc = fail(names[i], &err);
			goto teardown;
		}
	tn = now();
	for (unsigned i = 1; i < n; i++) {
		if (nc_veth_add(ns[i], "eth1", ns[i + 1], "eth0", &up, &err) < 0 ||
		    add_addr(ns[i], "eth1", i, 1, &err) < 0 ||
		    add_addr(ns[i + 1], "eth0", i, 2, &err) < 0) {
			rc = fail("link", &err);
			goto teardown;
		}
	}
	t1 = now();
	if (check) {
		fflush(stdout);
		if (system(check) != 0) {
			fprintf(stderr, "wire_inproc: check failed: %s\n", check);
			rc = 1;
		}
	}

teardown:;
	double t2 = now();
	for (unsigned i = 1; i <= made; i++) {
		nc_ns_free(ns[i]);
		if (nc_netns_del(names[i], &err) < 0 && !rc)
			rc = fail(names[i], &err);
	}
	double t3 = now();

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	if (!rc)
		printf("create %.6f teardown %.6f user %.6f sys %.6f netns %.6f links %.6f\n",
		       t1 - t0, t3 - t2, tv_s(ru.ru_utime), tv_s(ru.ru_stime), tn - t0, t1 - tn);
	free(ns);
	free(names);
	return rc;
}
