// SPDX-License-Identifier: GPL-2.0-or-later
/* src/util/endpoint.c: NS:IFNAME[@BRIDGE][=ADDR[,ADDR...]] */
#include "helpers.h"

#include <limits.h>
#include <sys/socket.h>

#include "util/endpoint.h"

#define EP_ALL (EP_ALLOW_BRIDGE | EP_ALLOW_ADDRS)

static struct endpoint parse_ok(const char *s, unsigned flags)
{
	struct endpoint ep;
	struct nc_err err;
	err_reset(&err);
	memset(&ep, 0x5a, sizeof(ep));
	assert_ok(endpoint_parse(s, flags, &ep, &err), &err, s);
	return ep;
}

static void check_addrs(const struct endpoint *ep, const char *const *want, size_t n)
{
	assert_int_equal(ep->n_addrs, n);
	for (size_t i = 0; i < n; i++) {
		char buf[64];
		assert_string_equal(nc_cidr_str(&ep->addrs[i], true, buf, sizeof(buf)), want[i]);
	}
}

static void plain(void **state)
{
	(void)state;
	static const unsigned flag_sets[] = {0, EP_ALLOW_BRIDGE, EP_ALLOW_ADDRS, EP_ALL};
	for (size_t i = 0; i < ARRAY_LEN(flag_sets); i++) {
		struct endpoint ep = parse_ok("ns1:eth0", flag_sets[i]);
		assert_string_equal(ep.ns, "ns1");
		assert_false(ep.host);
		assert_string_equal(ep.ifname, "eth0");
		assert_string_equal(ep.bridge, "");
		assert_int_equal(ep.n_addrs, 0);
		assert_ptr_equal(endpoint_netns(&ep), ep.ns);
	}
	/* Characters netns names may hold though interface names may not. */
	struct endpoint ep = parse_ok("a@b,c%d:veth-a.1", 0);
	assert_string_equal(ep.ns, "a@b,c%d");
	assert_string_equal(ep.ifname, "veth-a.1");
}

static void host(void **state)
{
	(void)state;
	/* "host" is refused as a netns name, but names the caller's netns
	 * in an endpoint. */
	struct nc_err err;
	err_reset(&err);
	assert_err(nc_netns_name_valid("host", &err), EINVAL, &err, "host", "host");

	struct endpoint ep = parse_ok("host:eth0", 0);
	assert_true(ep.host);
	assert_string_equal(ep.ns, "host");
	assert_string_equal(ep.ifname, "eth0");
	assert_null(endpoint_netns(&ep));

	ep = parse_ok("host:veth0@br0=10.0.0.1/24", EP_ALL);
	assert_true(ep.host);
	assert_null(endpoint_netns(&ep));
	assert_string_equal(ep.bridge, "br0");
	check_addrs(&ep, (const char *const[]){"10.0.0.1/24"}, 1);

	/* Only the exact word. */
	static const char *const not_host[] = {"hosts:eth0", "Host:eth0", "myhost:eth0",
					       "host1:eth0"};
	for (size_t i = 0; i < ARRAY_LEN(not_host); i++) {
		ep = parse_ok(not_host[i], 0);
		assert_false(ep.host);
		assert_non_null(endpoint_netns(&ep));
		assert_string_equal(endpoint_netns(&ep), ep.ns);
	}
}

static void bridge(void **state)
{
	(void)state;
	struct endpoint ep = parse_ok("sw:p1@br0", EP_ALLOW_BRIDGE);
	assert_string_equal(ep.ns, "sw");
	assert_string_equal(ep.ifname, "p1");
	assert_string_equal(ep.bridge, "br0");
	assert_int_equal(ep.n_addrs, 0);

	ep = parse_ok("sw:123456789012345@abcdefghijklmno", EP_ALL);
	assert_string_equal(ep.ifname, "123456789012345");
	assert_string_equal(ep.bridge, "abcdefghijklmno");
}

static void addrs(void **state)
{
	(void)state;
	struct endpoint ep = parse_ok("r1:eth1=10.0.2.1/24", EP_ALLOW_ADDRS);
	assert_string_equal(ep.ns, "r1");
	assert_string_equal(ep.ifname, "eth1");
	assert_string_equal(ep.bridge, "");
	check_addrs(&ep, (const char *const[]){"10.0.2.1/24"}, 1);
	assert_int_equal(ep.addrs[0].family, AF_INET);

	ep = parse_ok("r1:eth1=10.0.2.1/24,fd00::1/64", EP_ALLOW_ADDRS);
	check_addrs(&ep, (const char *const[]){"10.0.2.1/24", "fd00::1/64"}, 2);
	assert_int_equal(ep.addrs[1].family, AF_INET6);

	ep = parse_ok("r1:eth1=2001:0db8:0000:0000:0000:0000:0000:0001/64,::/0", EP_ALLOW_ADDRS);
	check_addrs(&ep, (const char *const[]){"2001:db8::1/64", "::/0"}, 2);

	ep = parse_ok("r1:eth1@br0=10.0.0.1/24,10.0.0.2/24", EP_ALL);
	assert_string_equal(ep.ifname, "eth1");
	assert_string_equal(ep.bridge, "br0");
	check_addrs(&ep, (const char *const[]){"10.0.0.1/24", "10.0.0.2/24"}, 2);

	/* Same bytes, different families: not a duplicate. */
	ep = parse_ok("r1:eth1=0.0.0.0/8,::/8", EP_ALLOW_ADDRS);
	check_addrs(&ep, (const char *const[]){"0.0.0.0/8", "::/8"}, 2);
}

/* "ns:eth0=10.0.0.1/24,10.0.0.2/24,..." with n addresses, in buf. */
static const char *addr_list(char *buf, size_t len, size_t n)
{
	int w = snprintf(buf, len, "ns:eth0=");
	for (size_t i = 1; i <= n; i++)
		w += snprintf(buf + w, len - (size_t)w, "%s10.0.0.%zu/24", i > 1 ? "," : "", i);
	assert_true((size_t)w < len);
	return buf;
}

static void max_addrs(void **state)
{
	(void)state;
	char s[512];
	struct endpoint ep = parse_ok(addr_list(s, sizeof(s), EP_MAX_ADDRS), EP_ALLOW_ADDRS);
	assert_int_equal(ep.n_addrs, EP_MAX_ADDRS);
	char buf[64];
	assert_string_equal(nc_cidr_str(&ep.addrs[EP_MAX_ADDRS - 1], true, buf, sizeof(buf)),
			    "10.0.0.16/24");

	struct nc_err err;
	err_reset(&err);
	addr_list(s, sizeof(s), EP_MAX_ADDRS + 1);
	/* The message quotes the start of so long an endpoint. */
	assert_err(endpoint_parse(s, EP_ALLOW_ADDRS, &ep, &err), EINVAL, &err, s,
		   "endpoint ns:eth0=10.0.0.1/24,10.0.0.2/24,", "more than 16 addresses");
}

/* One refused endpoint: flags, code, and a word of the cause the message
 * must hold besides the endpoint itself. */
struct bad {
	const char *in;
	unsigned flags;
	int code;
	const char *cause;
};

static const struct bad bad[] = {
    /* the NS:IFNAME split */
    {"", EP_ALL, EINVAL, "empty"},
    {"eth0", EP_ALL, EINVAL, "expected NS:IFNAME"},
    {"ns=10.0.0.1/24", EP_ALL, EINVAL, "expected NS:IFNAME"},
    {"a=b:eth0", EP_ALL, EINVAL, "expected NS:IFNAME"},
    {"eth0=fd00::1/64", EP_ALL, EINVAL, "expected NS:IFNAME"},
    /* NS */
    {":eth0", EP_ALL, EINVAL, "netns name is empty"},
    {".:eth0", EP_ALL, EINVAL, "not a valid name"},
    {"..:eth0", EP_ALL, EINVAL, "not a valid name"},
    {"/:eth0", EP_ALL, EINVAL, "may not contain"},
    {"a/b:eth0", EP_ALL, EINVAL, "may not contain"},
    {"a b:eth0", EP_ALL, EINVAL, "may not contain"},
    {" ns:eth0", EP_ALL, EINVAL, "may not contain"},
    {"ns\t:eth0", EP_ALL, EINVAL, "may not contain"},
    /* IFNAME */
    {"ns:", EP_ALL, EINVAL, "interface name is empty"},
    {"host:", EP_ALL, EINVAL, "interface name is empty"},
    {"ns:.", EP_ALL, EINVAL, "not a valid name"},
    {"ns:..", EP_ALL, EINVAL, "not a valid name"},
    {"ns:eth0:1", EP_ALL, EINVAL, "may not contain"},
    {"ns::eth0", EP_ALL, EINVAL, "may not contain"},
    {"ns:eth%d", EP_ALL, EINVAL, "may not contain"},
    {"ns:a b", EP_ALL, EINVAL, "may not contain"},
    {"ns:eth0 ", EP_ALL, EINVAL, "may not contain"},
    {"ns:a,b", EP_ALL, EINVAL, "may not contain"},
    {"ns:a/b", EP_ALL, EINVAL, "may not contain"},
    {"ns:1234567890123456", EP_ALL, EINVAL, "longer than 15 bytes"},
    /* @BRIDGE */
    {"ns:eth0@br0", 0, EINVAL, "bridge (@BRIDGE) is not allowed"},
    {"ns:eth0@br0", EP_ALLOW_ADDRS, EINVAL, "bridge (@BRIDGE) is not allowed"},
    {"ns:eth0@br0=10.0.0.1/24", EP_ALLOW_ADDRS, EINVAL, "bridge (@BRIDGE) is not allowed"},
    {"ns:eth0@", EP_ALL, EINVAL, "bridge: interface name is empty"},
    {"ns:@br0", EP_ALL, EINVAL, "interface name is empty"},
    {"ns:eth0@eth0", EP_ALL, EINVAL, "cannot be its own bridge"},
    {"host:eth0@eth0", EP_ALL, EINVAL, "cannot be its own bridge"},
    {"ns:eth0@br0@x", EP_ALL, EINVAL, "bridge: interface br0@x"},
    {"ns:eth0@br,0", EP_ALL, EINVAL, "may not contain"},
    {"ns:eth0@br 0", EP_ALL, EINVAL, "may not contain"},
    {"ns:eth0@.", EP_ALL, EINVAL, "not a valid name"},
    {"ns:eth0@1234567890123456", EP_ALL, EINVAL, "bridge name longer than 15 bytes"},
    /* =ADDR,... */
    {"ns:eth0=10.0.0.1/24", 0, EINVAL, "addresses (=ADDR) are not allowed"},
    {"ns:eth0=10.0.0.1/24", EP_ALLOW_BRIDGE, EINVAL, "addresses (=ADDR) are not allowed"},
    {"ns:eth0@br0=10.0.0.1/24", EP_ALLOW_BRIDGE, EINVAL, "addresses (=ADDR) are not allowed"},
    {"ns:eth0=", EP_ALL, EINVAL, "'=' without an address"},
    {"ns:eth0=10.0.0.1/24,", EP_ALL, EINVAL, "trailing ','"},
    {"ns:eth0=,10.0.0.1/24", EP_ALL, EINVAL, "empty address"},
    {"ns:eth0=10.0.0.1/24,,10.0.0.2/24", EP_ALL, EINVAL, "empty address"},
    {"ns:eth0=,", EP_ALL, EINVAL, "empty address"},
    {"ns:eth0=10.0.0.1", EP_ALL, EINVAL, "missing /prefix"},
    {"ns:eth0=10.0.0.1/24,fd00::1", EP_ALL, EINVAL, "address fd00::1: missing /prefix"},
    {"ns:eth0=10.1/8", EP_ALL, EINVAL, "address 10.1/8: not an IPv4 or IPv6 address"},
    {"ns:eth0=10.0.0.256/24", EP_ALL, EINVAL, "not an IPv4 or IPv6 address"},
    {"ns:eth0= 10.0.0.1/24", EP_ALL, EINVAL, "not an IPv4 or IPv6 address"},
    {"ns:eth0=10.0.0.1/24 ", EP_ALL, EINVAL, "expected a number"},
    {"ns:eth0=10.0.0.1/24;10.0.0.2/24", EP_ALL, EINVAL, "expected a number"},
    {"ns:eth0=10.0.0.1/24=10.0.0.2/24", EP_ALL, EINVAL, "expected a number"},
    {"ns:eth0=10.0.0.1/+5", EP_ALL, EINVAL, "expected a number"},
    {"ns:eth0=10.0.0.1/33", EP_ALL, ERANGE, "0..32"},
    {"ns:eth0=fd00::1/129", EP_ALL, ERANGE, "0..128"},
    {"ns:eth0=10.0.0.1/24,10.0.0.1/24", EP_ALL, EINVAL, "address 10.0.0.1/24 given twice"},
    /* The kernel keys addresses by address alone. */
    {"ns:eth0=10.0.0.1/24,10.0.0.1/16", EP_ALL, EINVAL, "address 10.0.0.1/16 given twice"},
    {"ns:eth0=10.0.0.1/24,10.0.0.2/24,10.0.0.1/8", EP_ALL, EINVAL, "10.0.0.1/8 given twice"},
    {"ns:eth0=fd00::1/64,10.0.0.1/24,fd00:0::1/128", EP_ALL, EINVAL, "fd00:0::1/128 given twice"},
    {"ns:eth0=10.0.0.1/24,0123456789012345678901234567890123456789012345678901234567890123", EP_ALL,
     EINVAL, "too long"},
};

static void refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct endpoint ep;
		struct nc_err err;
		err_reset(&err);
		assert_err(endpoint_parse(bad[i].in, bad[i].flags, &ep, &err), bad[i].code, &err,
			   bad[i].in, bad[i].in, bad[i].cause);
	}
	struct endpoint ep;
	struct nc_err err;
	err_reset(&err);
	assert_err(endpoint_parse(NULL, EP_ALL, &ep, &err), EINVAL, &err, "NULL", "empty");
}

static void untouched_on_failure(void **state)
{
	(void)state;
	/* Every refusal, including those after some parts were read. */
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct endpoint ep, before;
		memset(&ep, 0x5a, sizeof(ep));
		before = ep;
		struct nc_err err;
		assert_true(endpoint_parse(bad[i].in, bad[i].flags, &ep, &err) < 0);
		if (memcmp(&ep, &before, sizeof(ep))) {
			print_error("'%s': *ret_ep written on failure\n", bad[i].in);
			fail();
		}
	}
}

static void lengths(void **state)
{
	(void)state;
	char ns[NAME_MAX + 2], s[NAME_MAX + 32];
	repeat(ns, 'n', NAME_MAX);
	snprintf(s, sizeof(s), "%s:eth0", ns);
	struct endpoint ep = parse_ok(s, 0);
	assert_string_equal(ep.ns, ns);
	assert_string_equal(endpoint_netns(&ep), ns);

	repeat(ns, 'n', NAME_MAX + 1);
	snprintf(s, sizeof(s), "%s:eth0", ns);
	struct nc_err err;
	err_reset(&err);
	assert_err(endpoint_parse(s, 0, &ep, &err), EINVAL, &err, "256-byte netns",
		   "netns name longer than 255 bytes");

	ep = parse_ok("ns:123456789012345", 0);
	assert_string_equal(ep.ifname, "123456789012345");
}

/* "ns:eth0=" and n IPv6 addresses of 41 bytes each, in buf; its length. */
static size_t long_list(char *buf, size_t len, int n)
{
	int w = snprintf(buf, len, "ns:eth0=");
	for (int i = 1; i <= n; i++)
		w += snprintf(buf + w, len - (size_t)w, "%s2001:db8:aaaa:bbbb:cccc:dddd:eeee:%x/64",
			      i > 1 ? "," : "", i);
	assert_true((size_t)w < len);
	return (size_t)w;
}

/* Messages quote the endpoint; a long one must not push the cause out of
 * the fixed-size message. */
static void long_endpoint_keeps_cause(void **state)
{
	(void)state;
	char s[2048];
	struct endpoint ep;
	struct nc_err err;
	long_list(s, sizeof(s), EP_MAX_ADDRS + 1);
	err_reset(&err);
	assert_err(endpoint_parse(s, EP_ALLOW_ADDRS, &ep, &err), EINVAL, &err, "17 long addresses",
		   "endpoint ns:eth0=2001:db8:", "more than 16 addresses");

	/* The duplicate is named even when the endpoint is cut short. */
	size_t w = long_list(s, sizeof(s), 10);
	snprintf(s + w, sizeof(s) - w, ",2001:db8:aaaa:bbbb:cccc:dddd:eeee:3/128");
	err_reset(&err);
	assert_err(endpoint_parse(s, EP_ALLOW_ADDRS, &ep, &err), EINVAL, &err, "duplicate",
		   "address 2001:db8:aaaa:bbbb:cccc:dddd:eeee:3/128 given twice");

	/* A bad address at the end of a long list. */
	snprintf(s + w, sizeof(s) - w, ",2001:db8::1/200");
	err_reset(&err);
	assert_err(endpoint_parse(s, EP_ALLOW_ADDRS, &ep, &err), ERANGE, &err, "bad prefix",
		   "2001:db8::1/200", "0..128");

	/* Too long a netns name inside a very long endpoint. */
	char ns[301];
	snprintf(s, sizeof(s), "%s:eth0", repeat(ns, 'n', 300));
	err_reset(&err);
	assert_err(endpoint_parse(s, 0, &ep, &err), EINVAL, &err, "300-byte netns",
		   "netns name longer than 255 bytes");

	/* A bad character late in a long netns name. */
	repeat(ns, 'n', 250);
	ns[249] = ' ';
	snprintf(s, sizeof(s), "%s:eth0", ns);
	err_reset(&err);
	assert_err(endpoint_parse(s, 0, &ep, &err), EINVAL, &err, "250-byte netns with a space",
		   "may not contain");
}

static void null_err(void **state)
{
	(void)state;
	/* err is optional; the code must not depend on it. */
	struct endpoint ep;
	assert_int_equal(endpoint_parse("ns:eth0=10.0.0.1/33", EP_ALL, &ep, NULL), -ERANGE);
	assert_int_equal(endpoint_parse("ns:eth 0", EP_ALL, &ep, NULL), -EINVAL);
	assert_int_equal(endpoint_parse("a b:eth0", EP_ALL, &ep, NULL), -EINVAL);
	assert_int_equal(endpoint_parse(NULL, EP_ALL, &ep, NULL), -EINVAL);
	assert_int_equal(endpoint_parse("ns:eth0", EP_ALL, &ep, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain),
	    cmocka_unit_test(host),
	    cmocka_unit_test(bridge),
	    cmocka_unit_test(addrs),
	    cmocka_unit_test(max_addrs),
	    cmocka_unit_test(refused),
	    cmocka_unit_test(untouched_on_failure),
	    cmocka_unit_test(lengths),
	    cmocka_unit_test(long_endpoint_keeps_cause),
	    cmocka_unit_test(null_err),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
