// SPDX-License-Identifier: GPL-2.0-or-later
/* netcfg/route.c nc_route_parse: "DEST|default [via GW] [dev IF] [metric N]" */
#include "helpers.h"

#include <stdlib.h>
#include <sys/socket.h>

#define MAX_WORDS 16

/* Split line at spaces, as the shell hands words to the CLI, and parse. */
static int parse_line(const char *line, struct nc_route *ret_rt, struct nc_err *err)
{
	char copy[256];
	const char *words[MAX_WORDS];
	size_t n = 0;
	assert_true(strlen(line) < sizeof(copy));
	strcpy(copy, line);
	char *save = NULL;
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		assert_true(n < MAX_WORDS);
		words[n++] = w;
	}
	return nc_route_parse(words, n, ret_rt, err);
}

static const char *str(const struct nc_cidr *c, char *buf, size_t len)
{
	return nc_cidr_str(c, true, buf, len);
}

static void good(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		int family;
		const char *dst; /* with prefix */
		const char *gw;	 /* NULL for none */
		const char *dev;
		bool has_metric;
		uint32_t metric;
	} cases[] = {
	    {"default via 10.0.0.1", AF_INET, "0.0.0.0/0", "10.0.0.1/32", "", false, 0},
	    {"10.9.0.0/16 via 10.0.0.1 dev eth0 metric 5", AF_INET, "10.9.0.0/16", "10.0.0.1/32",
	     "eth0", true, 5},
	    {"fd99::/64 via fd00::1", AF_INET6, "fd99::/64", "fd00::1/128", "", false, 0},
	    /* The family of "default" is the gateway's. */
	    {"default via fd00::1", AF_INET6, "::/0", "fd00::1/128", "", false, 0},
	    {"default dev eth0", AF_INET, "0.0.0.0/0", NULL, "eth0", false, 0},
	    {"default dev eth0 metric 100", AF_INET, "0.0.0.0/0", NULL, "eth0", true, 100},
	    /* No prefix: a host route. */
	    {"10.0.0.5 dev eth0", AF_INET, "10.0.0.5/32", NULL, "eth0", false, 0},
	    {"fd00::5 via fd00::1", AF_INET6, "fd00::5/128", "fd00::1/128", "", false, 0},
	    {"0.0.0.0/0 via 10.0.0.1", AF_INET, "0.0.0.0/0", "10.0.0.1/32", "", false, 0},
	    {"10.0.0.0/8 dev eth0 via 10.0.0.1", AF_INET, "10.0.0.0/8", "10.0.0.1/32", "eth0",
	     false, 0},
	    {"10.0.0.0/8 metric 0 dev eth0", AF_INET, "10.0.0.0/8", NULL, "eth0", true, 0},
	    {"10.0.0.0/8 dev 123456789012345 metric 4294967295", AF_INET, "10.0.0.0/8", NULL,
	     "123456789012345", true, 4294967295u},
	    {"10.0.16.0/20 via 10.0.0.1", AF_INET, "10.0.16.0/20", "10.0.0.1/32", "", false, 0},
	    {"10.0.0.128/25 via 10.0.0.1", AF_INET, "10.0.0.128/25", "10.0.0.1/32", "", false, 0},
	    {"fc00::/7 dev eth0", AF_INET6, "fc00::/7", NULL, "eth0", false, 0},
	    {"2001:0db8:0000:0000:0000:0000:0000:0000/32 via fe80::1 dev eth0", AF_INET6,
	     "2001:db8::/32", "fe80::1/128", "eth0", false, 0},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct nc_route rt;
		struct nc_err err;
		char buf[64];
		memset(&rt, 0x5a, sizeof(rt));
		err_reset(&err);
		assert_ok(parse_line(cases[i].line, &rt, &err), &err, cases[i].line);
		if (rt.dst.family != cases[i].family) {
			print_error("'%s': family %d, want %d\n", cases[i].line, rt.dst.family,
				    cases[i].family);
			fail();
		}
		assert_string_equal(str(&rt.dst, buf, sizeof(buf)), cases[i].dst);
		assert_int_equal(rt.has_gw, cases[i].gw != NULL);
		if (cases[i].gw) {
			assert_int_equal(rt.gw.family, cases[i].family);
			assert_string_equal(str(&rt.gw, buf, sizeof(buf)), cases[i].gw);
		}
		assert_string_equal(rt.dev, cases[i].dev);
		assert_int_equal(rt.has_metric, cases[i].has_metric);
		if (cases[i].has_metric)
			assert_int_equal(rt.metric, cases[i].metric);
	}
}

/* A refused route: the code, and two strings the message must hold (the
 * offending word and a word of the cause). */
static const struct {
	const char *line;
	int code;
	const char *what, *cause;
} bad[] = {
    {"", EINVAL, "route", "missing destination"},
    /* host bits, with the intended prefix as a hint */
    {"10.0.0.1/24 via 10.0.0.254", EINVAL, "route 10.0.0.1/24", "did you mean 10.0.0.0/24?"},
    {"fd99::1/64 via fd00::1", EINVAL, "route fd99::1/64", "did you mean fd99::/64?"},
    {"10.0.17.0/20 dev eth0", EINVAL, "route 10.0.17.0/20", "did you mean 10.0.16.0/20?"},
    {"10.0.0.128/24 dev eth0", EINVAL, "10.0.0.128/24", "did you mean 10.0.0.0/24?"},
    {"10.0.0.1/0 dev eth0", EINVAL, "10.0.0.1/0", "did you mean 0.0.0.0/0?"},
    {"fd00::1/127 dev eth0", EINVAL, "fd00::1/127", "did you mean fd00::/127?"},
    /* missing values */
    {"default via", EINVAL, "route default", "'via' needs a value"},
    {"default dev", EINVAL, "route default", "'dev' needs a value"},
    {"10.0.0.0/8 via 10.0.0.1 metric", EINVAL, "route 10.0.0.0/8", "'metric' needs a value"},
    /* unknown words, with or without something after them */
    {"default via 10.0.0.1 gateway 10.0.0.2", EINVAL, "'gateway'", "unknown word"},
    {"default via 10.0.0.1 proto static", EINVAL, "'proto'", "unknown word"},
    {"default via 10.0.0.1 onlink", EINVAL, "'onlink'", "unknown word"},
    {"default 10.0.0.1", EINVAL, "'10.0.0.1'", "unknown word"},
    {"default VIA 10.0.0.1", EINVAL, "'VIA'", "unknown word"},
    /* neither via nor dev */
    {"default", EINVAL, "route default", "needs 'via GW' or 'dev IFNAME'"},
    {"10.0.0.0/8", EINVAL, "route 10.0.0.0/8", "needs 'via GW' or 'dev IFNAME'"},
    {"10.0.0.0/8 metric 5", EINVAL, "route 10.0.0.0/8", "needs 'via GW' or 'dev IFNAME'"},
    /* families */
    {"10.0.0.0/8 via fd00::1", EINVAL, "gateway fd00::1", "another address family"},
    {"fd99::/64 via 10.0.0.1", EINVAL, "gateway 10.0.0.1", "another address family"},
    {"10.0.0.5 via fd00::1", EINVAL, "gateway fd00::1", "another address family"},
    {"10.0.0.0/8 dev eth0 via fd00::1", EINVAL, "gateway fd00::1", "another address family"},
    {"fd99::/64 metric 5 via 10.0.0.1", EINVAL, "gateway 10.0.0.1", "another address family"},
    /* the gateway */
    {"default via 10.0.0.1 via 10.0.0.2", EINVAL, "route default", "'via' given twice"},
    {"default dev eth0 dev eth1", EINVAL, "route default", "'dev' given twice"},
    {"default dev eth0 metric 1 metric 2", EINVAL, "route default", "'metric' given twice"},
    {"default via 10.0.0.1/32", EINVAL, "10.0.0.1/32", "without /prefix"},
    {"default via eth0", EINVAL, "address eth0", "not an IPv4 or IPv6 address"},
    {"default via default", EINVAL, "address default", "not an IPv4 or IPv6 address"},
    {"default via 10.0.0.256", EINVAL, "10.0.0.256", "not an IPv4 or IPv6 address"},
    /* the device */
    {"default dev eth0:1", EINVAL, "interface eth0:1", "may not contain"},
    {"default dev eth%d", EINVAL, "interface eth%d", "may not contain"},
    {"default dev a@b", EINVAL, "interface a@b", "may not contain"},
    {"default dev .", EINVAL, "interface .", "not a valid name"},
    {"default dev 1234567890123456", EINVAL, "interface 1234567890123456", "longer than 15"},
    /* the destination */
    {"10.1/8 via 10.0.0.1", EINVAL, "address 10.1/8", "not an IPv4 or IPv6 address"},
    {"foo via 10.0.0.1", EINVAL, "address foo", "not an IPv4 or IPv6 address"},
    {"Default via 10.0.0.1", EINVAL, "address Default", "not an IPv4 or IPv6 address"},
    {"10.0.0.0/ via 10.0.0.1", EINVAL, "10.0.0.0/", "expected a number"},
    {"10.0.0.0/33 dev eth0", ERANGE, "10.0.0.0/33", "0..32"},
    {"fd00::/129 dev eth0", ERANGE, "fd00::/129", "0..128"},
    /* the metric */
    {"default dev eth0 metric -1", EINVAL, "route metric", "'-1'"},
    {"default dev eth0 metric x", EINVAL, "route metric", "'x'"},
    {"default dev eth0 metric 5ms", EINVAL, "route metric", "'5ms'"},
    {"default dev eth0 metric 4294967296", ERANGE, "route metric", "4294967296"},
};

static void refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct nc_route rt;
		struct nc_err err;
		err_reset(&err);
		assert_err(parse_line(bad[i].line, &rt, &err), bad[i].code, &err, bad[i].line,
			   bad[i].what, bad[i].cause);
	}
}

static void untouched_on_failure(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct nc_route rt, before;
		struct nc_err err;
		memset(&rt, 0x5a, sizeof(rt));
		before = rt;
		assert_true(parse_line(bad[i].line, &rt, &err) < 0);
		if (memcmp(&rt, &before, sizeof(rt))) {
			print_error("'%s': *ret_rt written on failure\n", bad[i].line);
			fail();
		}
	}
}

/* Words the shell can pass but a space-split line cannot show. */
static void odd_words(void **state)
{
	(void)state;
	static const struct {
		const char *words[4];
		size_t n;
		const char *cause;
	} cases[] = {
	    {{"default", "dev", ""}, 3, "interface name is empty"},
	    {{"default", "via", ""}, 3, "not an IPv4 or IPv6 address"},
	    {{"default", "dev", "eth 0"}, 3, "interface eth 0: name may not contain"},
	    {{"default", "via", " 10.0.0.1"}, 3, "address  10.0.0.1"},
	    {{"", "dev", "eth0"}, 3, "not an IPv4 or IPv6 address"},
	    {{"default ", "dev", "eth0"}, 3, "address default "},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct nc_route rt;
		struct nc_err err;
		err_reset(&err);
		assert_err(nc_route_parse(cases[i].words, cases[i].n, &rt, &err), EINVAL, &err,
			   cases[i].words[0], cases[i].cause);
	}
	struct nc_route rt;
	struct nc_err err;
	err_reset(&err);
	assert_err(nc_route_parse(NULL, 0, &rt, &err), EINVAL, &err, "no words",
		   "missing destination");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(good),
	    cmocka_unit_test(refused),
	    cmocka_unit_test(untouched_on_failure),
	    cmocka_unit_test(odd_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
