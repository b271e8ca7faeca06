// SPDX-License-Identifier: GPL-2.0-or-later
/* netcfg/parse.c and netcfg/err.c: names, addresses, numbers with units,
 * and the error type every parser fills. */
#include "helpers.h"

#include <limits.h>
#include <sys/socket.h>

/* One refused input: the code and a word of the cause the message must
 * hold besides the input itself. */
struct bad {
	const char *in;
	int code;
	const char *cause;
};

/* ---- nc_netns_name_valid ------------------------------------------------ */

static void netns_name_good(void **state)
{
	(void)state;
	/* iproute2 allows '%', '@' and ','; only the endpoint separators ':'
	 * and '=' are nsbox's own additions. */
	static const char *const good[] = {"a",	  "lab1",    "r1-router_x.y", "ns%1",	"a@b",
					   "a,b", "...",     "hosts",	      "myhost", "Host",
					   "-",	  "\xc3\xa9"};
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		struct nc_err err;
		err_reset(&err);
		assert_ok(nc_netns_name_valid(good[i], &err), &err, good[i]);
	}
	char name[NAME_MAX + 1];
	struct nc_err err;
	err_reset(&err);
	assert_ok(nc_netns_name_valid(repeat(name, 'n', NAME_MAX), &err), &err, "255 bytes");
}

static void netns_name_bad(void **state)
{
	(void)state;
	static const struct bad bad[] = {
	    {"", EINVAL, "empty"},
	    {".", EINVAL, "not a valid name"},
	    {"..", EINVAL, "not a valid name"},
	    {"host", EINVAL, "reserved"},
	    {"/", EINVAL, "may not contain"},
	    {"a/b", EINVAL, "may not contain"},
	    {"a:b", EINVAL, "may not contain"},
	    {"a=b", EINVAL, "may not contain"},
	    {"a b", EINVAL, "may not contain"},
	    {"a\tb", EINVAL, "may not contain"},
	    {" a", EINVAL, "may not contain"},
	    {"a ", EINVAL, "may not contain"},
	    {"a\n", EINVAL, "may not contain"},
	    {"a\x01z", EINVAL, "may not contain"},
	    {"a\x7fz", EINVAL, "may not contain"},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct nc_err err;
		err_reset(&err);
		assert_err(nc_netns_name_valid(bad[i].in, &err), bad[i].code, &err, bad[i].in,
			   bad[i].in, bad[i].cause);
	}
	struct nc_err err;
	err_reset(&err);
	assert_err(nc_netns_name_valid(NULL, &err), EINVAL, &err, "NULL", "empty");
}

static void netns_name_too_long(void **state)
{
	(void)state;
	char name[NAME_MAX + 2], start[33];
	struct nc_err err;
	err_reset(&err);
	repeat(name, 'n', NAME_MAX + 1);
	assert_err(nc_netns_name_valid(name, &err), EINVAL, &err, "256 bytes",
		   repeat(start, 'n', 32), "longer than 255 bytes");
	/* The message quotes only the start of a long name, so the cause
	 * still fits when a caller prefixes it. */
	assert_true(strlen(err.msg) < 100);

	/* A long name with a bad character: the cause must not be cut off. */
	repeat(name, 'n', 200);
	name[199] = ' ';
	err_reset(&err);
	assert_err(nc_netns_name_valid(name, &err), EINVAL, &err, "200 bytes with a space",
		   repeat(start, 'n', 32), "may not contain");
	assert_true(strlen(err.msg) < 160);
}

/* ---- nc_ifname_valid ---------------------------------------------------- */

static void ifname_good(void **state)
{
	(void)state;
	static const char *const good[] = {"eth0", "a",	      "lo", "veth-a.b_c",
					   "...",  "br0.100", "-",  "123456789012345"};
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		struct nc_err err;
		err_reset(&err);
		assert_ok(nc_ifname_valid(good[i], &err), &err, good[i]);
	}
}

static void ifname_bad(void **state)
{
	(void)state;
	static const struct bad bad[] = {
	    {"", EINVAL, "empty"},
	    {".", EINVAL, "not a valid name"},
	    {"..", EINVAL, "not a valid name"},
	    {"1234567890123456", EINVAL, "longer than 15 bytes"},
	    {"/", EINVAL, "may not contain"},
	    {"a/b", EINVAL, "may not contain"},
	    {"a:b", EINVAL, "may not contain"},
	    {"eth0:1", EINVAL, "may not contain"},
	    {"eth%d", EINVAL, "may not contain"},
	    {"%", EINVAL, "may not contain"},
	    {"a@b", EINVAL, "may not contain"},
	    {"a=b", EINVAL, "may not contain"},
	    {"a,b", EINVAL, "may not contain"},
	    {"a b", EINVAL, "may not contain"},
	    {"\teth", EINVAL, "may not contain"},
	    {"eth0\n", EINVAL, "may not contain"},
	    {"e\x01", EINVAL, "may not contain"},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct nc_err err;
		err_reset(&err);
		assert_err(nc_ifname_valid(bad[i].in, &err), bad[i].code, &err, bad[i].in,
			   bad[i].in, bad[i].cause);
	}
	struct nc_err err;
	err_reset(&err);
	assert_err(nc_ifname_valid(NULL, &err), EINVAL, &err, "NULL", "empty");
}

static void ifname_very_long(void **state)
{
	(void)state;
	char name[401], start[33];
	struct nc_err err;
	err_reset(&err);
	repeat(name, 'i', 400);
	assert_err(nc_ifname_valid(name, &err), EINVAL, &err, "400 bytes", repeat(start, 'i', 32),
		   "longer than 15 bytes");
}

/* ---- nc_cidr_parse, nc_ip_parse ----------------------------------------- */

struct addr_case {
	const char *in;
	int family;
	uint8_t addr[16];
	unsigned prefixlen;
};

static void check_addr(const struct addr_case *c, const struct nc_cidr *got)
{
	if (got->family != c->family || got->prefixlen != c->prefixlen ||
	    memcmp(got->addr, c->addr, sizeof(got->addr))) {
		print_error("'%s': got family %d prefix %u\n", c->in, got->family, got->prefixlen);
		fail();
	}
}

static const struct addr_case cidr_good[] = {
    {"10.0.0.1/24", AF_INET, {10, 0, 0, 1}, 24},
    {"0.0.0.0/0", AF_INET, {0}, 0},
    {"255.255.255.255/32", AF_INET, {255, 255, 255, 255}, 32},
    {"192.0.2.77/0", AF_INET, {192, 0, 2, 77}, 0},
    {"fd00::1/64", AF_INET6, {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 64},
    {"::/0", AF_INET6, {0}, 0},
    {"::1/128", AF_INET6, {[15] = 1}, 128},
    {"2001:0db8:0000:0000:0000:0000:0000:0001/128",
     AF_INET6,
     {0x20, 0x01, 0x0d, 0xb8, [15] = 1},
     128},
    {"2001:DB8:a:B::ff/48", AF_INET6, {0x20, 0x01, 0x0d, 0xb8, 0, 0x0a, 0, 0x0b, [15] = 0xff}, 48},
    {"::ffff:10.0.0.1/96", AF_INET6, {[10] = 0xff, 0xff, 10, 0, 0, 1}, 96},
};

static void cidr_parse_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cidr_good); i++) {
		struct nc_cidr c;
		struct nc_err err;
		err_reset(&err);
		/* Dirty bytes past an IPv4 address must come back zero:
		 * callers compare whole structs. */
		memset(&c, 0xaa, sizeof(c));
		assert_ok(nc_cidr_parse(cidr_good[i].in, &c, &err), &err, cidr_good[i].in);
		check_addr(&cidr_good[i], &c);
	}
}

static void cidr_parse_bad(void **state)
{
	(void)state;
	static const struct bad bad[] = {
	    {"", EINVAL, "missing /prefix"},
	    {"10.0.0.1", EINVAL, "missing /prefix"},
	    {"fd00::1", EINVAL, "missing /prefix"},
	    {"10.0.0.0/", EINVAL, "expected a number"},
	    {"10.0.0.0/33", ERANGE, "0..32"},
	    {"fd00::/129", ERANGE, "0..128"},
	    {"10.0.0.0/99999999999999999999999", ERANGE, "out of range"},
	    {"10.1/8", EINVAL, "not an IPv4 or IPv6 address"},
	    {"10/8", EINVAL, "not an IPv4 or IPv6 address"},
	    {"1.2.3/24", EINVAL, "not an IPv4 or IPv6 address"},
	    {"10.0.0.256/24", EINVAL, "not an IPv4 or IPv6 address"},
	    {"10.0.0.1.1/24", EINVAL, "not an IPv4 or IPv6 address"},
	    {"10.0.0.1/24x", EINVAL, "expected a number"},
	    {"10.0.0.1/24 ", EINVAL, "expected a number"},
	    {"10.0.0.1/24\n", EINVAL, "expected a number"},
	    {"10.0.0.1/+5", EINVAL, "expected a number"},
	    {"10.0.0.1/-1", EINVAL, "expected a number"},
	    {"10.0.0.1/ 24", EINVAL, "expected a number"},
	    {"10.0.0.1/0x10", EINVAL, "expected a number"},
	    {"10.0.0.1/2.5", EINVAL, "expected a number"},
	    {"10.0.0.1/24/8", EINVAL, "expected a number"},
	    {" 10.0.0.1/24", EINVAL, "not an IPv4 or IPv6 address"},
	    {"10.0.0.1 /24", EINVAL, "not an IPv4 or IPv6 address"},
	    {"/24", EINVAL, "not an IPv4 or IPv6 address"},
	    {"abc/24", EINVAL, "not an IPv4 or IPv6 address"},
	    {"default/0", EINVAL, "not an IPv4 or IPv6 address"},
	    {"fd00::1::2/64", EINVAL, "not an IPv4 or IPv6 address"},
	    {"fd00::g/64", EINVAL, "not an IPv4 or IPv6 address"},
	    {"fe80::1%eth0/64", EINVAL, "not an IPv4 or IPv6 address"},
	    {"1:2:3:4:5:6:7:8:9/64", EINVAL, "not an IPv4 or IPv6 address"},
	    {"fd00:0000:0000:0000:0000:0000:0000:0000:0001/64", EINVAL, "not an IPv4 or IPv6"},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct nc_cidr c;
		struct nc_err err;
		err_reset(&err);
		assert_err(nc_cidr_parse(bad[i].in, &c, &err), bad[i].code, &err, bad[i].in,
			   bad[i].in, bad[i].cause);
	}
	struct nc_cidr c;
	struct nc_err err;
	err_reset(&err);
	assert_err(nc_cidr_parse(NULL, &c, &err), EINVAL, &err, "NULL", "missing");
}

static void ip_parse_good(void **state)
{
	(void)state;
	static const struct addr_case good[] = {
	    {"10.0.0.1", AF_INET, {10, 0, 0, 1}, 32},
	    {"0.0.0.0", AF_INET, {0}, 32},
	    {"fd00::1", AF_INET6, {0xfd, [15] = 1}, 128},
	    {"::", AF_INET6, {0}, 128},
	};
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		struct nc_cidr c;
		struct nc_err err;
		err_reset(&err);
		memset(&c, 0xaa, sizeof(c));
		assert_ok(nc_ip_parse(good[i].in, &c, &err), &err, good[i].in);
		check_addr(&good[i], &c);
	}
}

static void ip_parse_bad(void **state)
{
	(void)state;
	static const struct bad bad[] = {
	    {"10.0.0.1/32", EINVAL, "without /prefix"},
	    {"fd00::1/128", EINVAL, "without /prefix"},
	    {"", EINVAL, "not an IPv4 or IPv6 address"},
	    {"10.1", EINVAL, "not an IPv4 or IPv6 address"},
	    {"default", EINVAL, "not an IPv4 or IPv6 address"},
	    {"10.0.0.1 ", EINVAL, "not an IPv4 or IPv6 address"},
	    {"fd00::1 ", EINVAL, "not an IPv4 or IPv6 address"},
	    {"eth0", EINVAL, "not an IPv4 or IPv6 address"},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct nc_cidr c;
		struct nc_err err;
		err_reset(&err);
		assert_err(nc_ip_parse(bad[i].in, &c, &err), bad[i].code, &err, bad[i].in,
			   bad[i].in, bad[i].cause);
	}
	struct nc_cidr c;
	struct nc_err err;
	err_reset(&err);
	assert_err(nc_ip_parse(NULL, &c, &err), EINVAL, &err, "NULL", "missing");
}

/* Parse s as ADDR/LEN, or as ADDR when it has no '/'. */
static struct nc_cidr cidr(const char *s)
{
	struct nc_cidr c;
	struct nc_err err;
	err_reset(&err);
	int r = strchr(s, '/') ? nc_cidr_parse(s, &c, &err) : nc_ip_parse(s, &c, &err);
	assert_ok(r, &err, s);
	return c;
}

/* ---- nc_cidr_str, nc_cidr_equal, nc_cidr_contains ----------------------- */

static void cidr_str(void **state)
{
	(void)state;
	static const struct {
		const char *in, *with, *without;
	} cases[] = {
	    {"10.0.0.1/24", "10.0.0.1/24", "10.0.0.1"},
	    {"0.0.0.0/0", "0.0.0.0/0", "0.0.0.0"},
	    {"fd00::1/64", "fd00::1/64", "fd00::1"},
	    {"::/0", "::/0", "::"},
	    {"2001:0db8:0000:0000:0000:0000:0000:0001/128", "2001:db8::1/128", "2001:db8::1"},
	    {"FD00:0:0:0:0:0:0:A/7", "fd00::a/7", "fd00::a"},
	    {"10.0.0.9", "10.0.0.9/32", "10.0.0.9"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct nc_cidr c = cidr(cases[i].in);
		char buf[64];
		assert_ptr_equal(nc_cidr_str(&c, true, buf, sizeof(buf)), buf);
		assert_string_equal(buf, cases[i].with);
		assert_ptr_equal(nc_cidr_str(&c, false, buf, sizeof(buf)), buf);
		assert_string_equal(buf, cases[i].without);
	}
	/* A short buffer gets a terminated prefix of the text. */
	struct nc_cidr c = cidr("10.0.0.1/24");
	char small[8];
	assert_string_equal(nc_cidr_str(&c, true, small, sizeof(small)), "10.0.0.");
}

static void cidr_equal(void **state)
{
	(void)state;
	struct nc_cidr a = cidr("10.0.0.1/24");
	struct nc_cidr b = cidr("10.0.0.1/24");
	assert_true(nc_cidr_equal(&a, &b));
	b = cidr("10.0.0.1/25");
	assert_false(nc_cidr_equal(&a, &b));
	b = cidr("10.0.0.2/24");
	assert_false(nc_cidr_equal(&a, &b));
	/* Only the address's own bytes count. */
	b = a;
	b.addr[10] = 0xff;
	assert_true(nc_cidr_equal(&a, &b));

	/* All-zero bytes and the same length, but not the same family. */
	a = cidr("0.0.0.0/0");
	b = cidr("::/0");
	assert_false(nc_cidr_equal(&a, &b));
	assert_false(nc_cidr_equal(&b, &a));

	a = cidr("2001:0db8:0000:0000:0000:0000:0000:0001/64");
	b = cidr("2001:db8::1/64");
	assert_true(nc_cidr_equal(&a, &b));
	b = cidr("2001:db8::1:1/64");
	assert_false(nc_cidr_equal(&a, &b));
}

static void cidr_contains(void **state)
{
	(void)state;
	static const struct {
		const char *net, *ip;
		bool want;
	} cases[] = {
	    {"10.0.0.0/8", "10.255.1.1", true},
	    {"10.0.0.0/8", "11.0.0.1", false},
	    {"10.0.0.0/8", "9.255.255.255", false},
	    {"0.0.0.0/0", "192.0.2.1", true},
	    {"0.0.0.0/0", "::1", false},
	    {"::/0", "10.0.0.1", false},
	    {"::/0", "fd00::1", true},
	    {"10.0.16.0/20", "10.0.31.255", true},
	    {"10.0.16.0/20", "10.0.16.0", true},
	    {"10.0.16.0/20", "10.0.32.0", false},
	    {"10.0.16.0/20", "10.0.15.255", false},
	    {"10.0.0.1/32", "10.0.0.1", true},
	    {"10.0.0.1/32", "10.0.0.0", false},
	    {"10.0.0.7/24", "10.0.0.200", true},
	    {"10.0.0.128/25", "10.0.0.127", false},
	    {"10.0.0.128/25", "10.0.0.255", true},
	    {"fd00::/64", "fd00::1", true},
	    {"fd00::/64", "fd00:0:0:1::1", false},
	    {"fd00::/127", "fd00::1", true},
	    {"fd00::/127", "fd00::2", false},
	    {"fc00::/7", "fdff::1", true},
	    {"fc00::/7", "fe00::1", false},
	    {"fd00::1/128", "fd00::1", true},
	    {"fd00::1/128", "fd00::", false},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct nc_cidr net = cidr(cases[i].net), ip = cidr(cases[i].ip);
		if (nc_cidr_contains(&net, &ip) != cases[i].want) {
			print_error("%s contains %s: want %s\n", cases[i].net, cases[i].ip,
				    cases[i].want ? "true" : "false");
			fail();
		}
	}
}

/* ---- nc_uint_parse, nc_mtu_parse ---------------------------------------- */

static void uint_parse_good(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		uint64_t min, max, want;
	} good[] = {
	    {"0", 0, 10, 0},
	    {"10", 0, 10, 10},
	    {"5", 5, 5, 5},
	    {"007", 0, 10, 7},
	    {"4294967295", 0, UINT32_MAX, UINT32_MAX},
	    {"18446744073709551615", 0, UINT64_MAX, UINT64_MAX},
	};
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		uint64_t v = 12345;
		struct nc_err err;
		err_reset(&err);
		assert_ok(nc_uint_parse(good[i].in, good[i].min, good[i].max, "widgets", &v, &err),
			  &err, good[i].in);
		assert_int_equal(v, good[i].want);
	}
}

static void uint_parse_bad(void **state)
{
	(void)state;
	static const struct bad bad[] = {
	    {"", EINVAL, "expected a number"},
	    {"-1", EINVAL, "expected a number"},
	    {"+1", EINVAL, "expected a number"},
	    {" 1", EINVAL, "expected a number"},
	    {"1 ", EINVAL, "expected a number"},
	    {"1x", EINVAL, "expected a number"},
	    {"0x1", EINVAL, "expected a number"},
	    {"1.5", EINVAL, "expected a number"},
	    {"1e2", EINVAL, "expected a number"},
	    {"abc", EINVAL, "expected a number"},
	    {"0", ERANGE, "out of range 1..10"},
	    {"11", ERANGE, "out of range 1..10"},
	    {"18446744073709551615", ERANGE, "out of range 1..10"},
	    {"18446744073709551616", ERANGE, "out of range 1..10"},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		uint64_t v = 12345;
		struct nc_err err;
		err_reset(&err);
		assert_err(nc_uint_parse(bad[i].in, 1, 10, "widgets", &v, &err), bad[i].code, &err,
			   bad[i].in, "widgets", bad[i].in, bad[i].cause);
		assert_int_equal(v, 12345);
	}
	uint64_t v;
	struct nc_err err;
	err_reset(&err);
	assert_err(nc_uint_parse(NULL, 1, 10, "widgets", &v, &err), EINVAL, &err, "NULL", "widgets",
		   "expected a number");
	/* Beyond 64 bits with the widest range: still ERANGE, not a wrap. */
	err_reset(&err);
	assert_err(nc_uint_parse("99999999999999999999999", 0, UINT64_MAX, "widgets", &v, &err),
		   ERANGE, &err, "overflow", "99999999999999999999999");
}

static void mtu_parse(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		uint32_t want;
	} good[] = {{"68", 68}, {"1500", 1500}, {"9000", 9000}, {"65535", 65535}};
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		uint32_t v = 0;
		struct nc_err err;
		err_reset(&err);
		assert_ok(nc_mtu_parse(good[i].in, &v, &err), &err, good[i].in);
		assert_int_equal(v, good[i].want);
	}
	static const struct bad bad[] = {
	    {"67", ERANGE, "68..65535"},
	    {"0", ERANGE, "68..65535"},
	    {"65536", ERANGE, "68..65535"},
	    {"4294967296", ERANGE, "68..65535"},
	    {"", EINVAL, "expected a number"},
	    {"abc", EINVAL, "expected a number"},
	    {"1500b", EINVAL, "expected a number"},
	    {"-1500", EINVAL, "expected a number"},
	    {"1500.0", EINVAL, "expected a number"},
	    {" 1500", EINVAL, "expected a number"},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		uint32_t v = 7;
		struct nc_err err;
		err_reset(&err);
		assert_err(nc_mtu_parse(bad[i].in, &v, &err), bad[i].code, &err, bad[i].in, "mtu",
			   bad[i].in, bad[i].cause);
		assert_int_equal(v, 7);
	}
}

/* ---- nc_rate_parse ------------------------------------------------------ */

static void rate_parse_good(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		uint64_t want;
	} good[] = {
	    {"1mbit", 1000000},
	    {"1kbit", 1000},
	    {"1gbit", 1000000000},
	    {"1tbit", 1000000000000},
	    {"8bit", 8},
	    {"1000", 1000}, /* bare number: bits, as tc */
	    {"8", 8},
	    {"1kibit", 1024},
	    {"1mibit", 1048576},
	    {"1gibit", 1073741824},
	    {"1tibit", 1099511627776},
	    {"1bps", 8}, /* bytes */
	    {"1kbps", 8000},
	    {"1mbps", 8000000},
	    {"1gbps", 8000000000},
	    {"1tbps", 8000000000000},
	    {"1kibps", 8192},
	    {"1mibps", 8388608},
	    {"1gibps", 8589934592},
	    {"1tibps", 8796093022208},
	    {"1.5mbit", 1500000},
	    {".5kbit", 500},
	    {"0.25mbps", 2000000},
	    {"1MBit", 1000000}, /* tc compares units without case */
	    {"1Mbps", 8000000},
	    {"1KiBit", 1024},
	    {"10tbit", 10000000000000},
	    {"100mbit", 100000000},
	};
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		uint64_t v = 0;
		struct nc_err err;
		err_reset(&err);
		assert_ok(nc_rate_parse(good[i].in, &v, &err), &err, good[i].in);
		if (v != good[i].want) {
			print_error("'%s': got %llu, want %llu\n", good[i].in,
				    (unsigned long long)v, (unsigned long long)good[i].want);
			fail();
		}
	}
}

static void rate_parse_bad(void **state)
{
	(void)state;
	static const struct bad bad[] = {
	    {"", EINVAL, "expected a number"},	     {"abc", EINVAL, "expected a number"},
	    {"mbit", EINVAL, "expected a number"},   {"-1mbit", EINVAL, "expected a number"},
	    {"+1mbit", EINVAL, "expected a number"}, {" 1mbit", EINVAL, "expected a number"},
	    {"nan", EINVAL, "expected a number"},    {"inf", EINVAL, "expected a number"},
	    {".", EINVAL, "not a valid number"},     {"1e999mbit", EINVAL, "not a valid number"},
	    {"1xbit", EINVAL, "unknown unit"},	     {"1mb", EINVAL, "unknown unit"},
	    {"1 mbit", EINVAL, "unknown unit"},	     {"1mbit ", EINVAL, "unknown unit"},
	    {"1mbitmbit", EINVAL, "unknown unit"},   {"1bits", EINVAL, "unknown unit"},
	    {"7bit", ERANGE, "out of range"},	     {"0", ERANGE, "out of range"},
	    {"0.5bps", ERANGE, "out of range"},	     {"11tbit", ERANGE, "out of range"},
	    {"2tbps", ERANGE, "out of range"},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		uint64_t v = 7;
		struct nc_err err;
		err_reset(&err);
		assert_err(nc_rate_parse(bad[i].in, &v, &err), bad[i].code, &err, bad[i].in, "rate",
			   bad[i].in, bad[i].cause);
		assert_int_equal(v, 7);
	}
	/* The unknown-unit message teaches the valid ones. */
	struct nc_err err;
	uint64_t v;
	err_reset(&err);
	assert_err(nc_rate_parse("10mbyte", &v, &err), EINVAL, &err, "10mbyte", "10mbyte", "bit",
		   "kbit", "mbit", "gbit", "bps", "mbps");
	err_reset(&err);
	assert_err(nc_rate_parse(NULL, &v, &err), EINVAL, &err, "NULL", "rate");
}

/* ---- nc_time_parse ------------------------------------------------------ */

static void time_parse_good(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		uint32_t want;
	} good[] = {
	    {"100ms", 100000},
	    {"1s", 1000000},
	    {"5us", 5},
	    {"10", 10},
	    {"0.5ms", 500},
	    {"0", 0},
	    {"2sec", 2000000},
	    {"3secs", 3000000},
	    {"4msec", 4000},
	    {"5msecs", 5000},
	    {"6usec", 6},
	    {"7usecs", 7},
	    {"1MS", 1000},
	    {"1.5s", 1500000},
	    {".25s", 250000},
	    {"4294s", 4294000000},
	    {"4294967295us", 4294967295},
	};
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		uint32_t v = 12345;
		struct nc_err err;
		err_reset(&err);
		assert_ok(nc_time_parse(good[i].in, &v, &err), &err, good[i].in);
		if (v != good[i].want) {
			print_error("'%s': got %u, want %u\n", good[i].in, v, good[i].want);
			fail();
		}
	}
}

static void time_parse_bad(void **state)
{
	(void)state;
	static const struct bad bad[] = {
	    {"", EINVAL, "expected a number"},
	    {"abc", EINVAL, "expected a number"},
	    {"ms", EINVAL, "expected a number"},
	    {"-5ms", EINVAL, "expected a number"},
	    {"+5ms", EINVAL, "expected a number"},
	    {" 5ms", EINVAL, "expected a number"},
	    {"1m", EINVAL, "unknown unit"},
	    {"1h", EINVAL, "unknown unit"},
	    {"1min", EINVAL, "unknown unit"},
	    {"5 ms", EINVAL, "unknown unit"},
	    {"5ms ", EINVAL, "unknown unit"},
	    {"5ns", EINVAL, "unknown unit"},
	    {"4295s", ERANGE, "too long"},
	    {"4294967296", ERANGE, "too long"},
	    {"1e999s", EINVAL, "not a valid number"},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		uint32_t v = 7;
		struct nc_err err;
		err_reset(&err);
		assert_err(nc_time_parse(bad[i].in, &v, &err), bad[i].code, &err, bad[i].in, "time",
			   bad[i].in, bad[i].cause);
		assert_int_equal(v, 7);
	}
	struct nc_err err;
	uint32_t v;
	err_reset(&err);
	assert_err(nc_time_parse("3min", &v, &err), EINVAL, &err, "3min", "3min", "s, ms, us");
}

/* ---- nc_percent_parse --------------------------------------------------- */

static void percent_parse(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		double want;
	} good[] = {{"5%", 5},	  {"5", 5},	 {"0", 0},	  {"0%", 0},	   {"100%", 100},
		    {"100", 100}, {"0.5%", 0.5}, {"100.0%", 100}, {"12.25", 12.25}};
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		double v = -1;
		struct nc_err err;
		err_reset(&err);
		assert_ok(nc_percent_parse(good[i].in, &v, &err), &err, good[i].in);
		if (v != good[i].want) {
			print_error("'%s': got %g, want %g\n", good[i].in, v, good[i].want);
			fail();
		}
	}
	static const struct bad bad[] = {
	    {"101%", ERANGE, "more than 100%"},	   {"100.1", ERANGE, "more than 100%"},
	    {"1e3%", ERANGE, "more than 100%"},	   {"-1%", EINVAL, "expected a number"},
	    {"-0.5", EINVAL, "expected a number"}, {"abc", EINVAL, "expected a number"},
	    {"", EINVAL, "expected a number"},	   {"%", EINVAL, "expected a number"},
	    {"5%%", EINVAL, "unknown unit"},	   {"5 %", EINVAL, "unknown unit"},
	    {"5pct", EINVAL, "unknown unit"},	   {"5%x", EINVAL, "unknown unit"},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		double v = -1;
		struct nc_err err;
		err_reset(&err);
		assert_err(nc_percent_parse(bad[i].in, &v, &err), bad[i].code, &err, bad[i].in,
			   "percentage", bad[i].in, bad[i].cause);
		assert_true(v == -1);
	}
}

/* ---- nc_err_set, nc_err_errno, nc_err_prefix ---------------------------- */

static void err_set(void **state)
{
	(void)state;
	struct nc_err err;
	err_reset(&err);
	assert_int_equal(nc_err_set(&err, EINVAL, "netns %s: %d bad", "lab", 3), -EINVAL);
	assert_int_equal(err.code, EINVAL);
	assert_string_equal(err.msg, "netns lab: 3 bad");

	/* A negative code is taken as its errno. */
	err_reset(&err);
	assert_int_equal(nc_err_set(&err, -ENOENT, "x"), -ENOENT);
	assert_int_equal(err.code, ENOENT);

	/* 0 is no failure code: the result must still be negative. */
	err_reset(&err);
	assert_int_equal(nc_err_set(&err, 0, "x"), -EIO);
	assert_int_equal(err.code, EIO);

	/* err is optional. */
	assert_int_equal(nc_err_set(NULL, ERANGE, "x %s", "y"), -ERANGE);

	/* Cut to the buffer, always terminated. */
	char long_word[501];
	err_reset(&err);
	assert_int_equal(nc_err_set(&err, EINVAL, "%s", repeat(long_word, 'w', 500)), -EINVAL);
	assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
}

static void err_errno(void **state)
{
	(void)state;
	struct nc_err err;
	err_reset(&err);
	assert_int_equal(nc_err_errno(&err, EEXIST, "link %s", "veth0"), -EEXIST);
	assert_int_equal(err.code, EEXIST);
	assert_string_equal(err.msg, "link veth0: already exists");

	err_reset(&err);
	assert_int_equal(nc_err_errno(&err, -ENODEV, "link %s", "veth1"), -ENODEV);
	assert_int_equal(err.code, ENODEV);
	assert_string_equal(err.msg, "link veth1: no such device");

	/* Codes without nsbox's own words read as strerror. */
	char want[128];
	snprintf(want, sizeof(want), "route x: %s", strerror(EMSGSIZE));
	err_reset(&err);
	assert_int_equal(nc_err_errno(&err, EMSGSIZE, "route %s", "x"), -EMSGSIZE);
	assert_string_equal(err.msg, want);

	assert_int_equal(nc_err_errno(NULL, EPERM, "x"), -EPERM);

	/* Too long for the cause: cut, terminated, not overrun. */
	char long_word[501];
	err_reset(&err);
	assert_int_equal(nc_err_errno(&err, EBUSY, "%s", repeat(long_word, 'w', 500)), -EBUSY);
	assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
}

static void err_prefix(void **state)
{
	(void)state;
	struct nc_err err;
	err_reset(&err);
	nc_err_set(&err, ERANGE, "prefix length 33 is out of range");
	assert_int_equal(nc_err_prefix(&err, "endpoint %s", "a:b"), -ERANGE);
	assert_int_equal(err.code, ERANGE);
	assert_string_equal(err.msg, "endpoint a:b: prefix length 33 is out of range");
	assert_int_equal(nc_err_prefix(&err, "lab %s", "l1"), -ERANGE);
	assert_string_equal(err.msg, "lab l1: endpoint a:b: prefix length 33 is out of range");

	/* Nothing to prefix: still a failure code. */
	assert_int_equal(nc_err_prefix(NULL, "x"), -EINVAL);
	struct nc_err blank = {0};
	assert_int_equal(nc_err_prefix(&blank, "lab %s", "l1"), -EIO);
	assert_string_equal(blank.msg, "lab l1: ");

	/* A long message is cut at its end; the prefix survives. */
	char long_word[501];
	err_reset(&err);
	nc_err_set(&err, EINVAL, "%s", repeat(long_word, 'w', 500));
	assert_int_equal(nc_err_prefix(&err, "first"), -EINVAL);
	assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
	assert_memory_equal(err.msg, "first: www", 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(netns_name_good),
	    cmocka_unit_test(netns_name_bad),
	    cmocka_unit_test(netns_name_too_long),
	    cmocka_unit_test(ifname_good),
	    cmocka_unit_test(ifname_bad),
	    cmocka_unit_test(ifname_very_long),
	    cmocka_unit_test(cidr_parse_good),
	    cmocka_unit_test(cidr_parse_bad),
	    cmocka_unit_test(ip_parse_good),
	    cmocka_unit_test(ip_parse_bad),
	    cmocka_unit_test(cidr_str),
	    cmocka_unit_test(cidr_equal),
	    cmocka_unit_test(cidr_contains),
	    cmocka_unit_test(uint_parse_good),
	    cmocka_unit_test(uint_parse_bad),
	    cmocka_unit_test(mtu_parse),
	    cmocka_unit_test(rate_parse_good),
	    cmocka_unit_test(rate_parse_bad),
	    cmocka_unit_test(time_parse_good),
	    cmocka_unit_test(time_parse_bad),
	    cmocka_unit_test(percent_parse),
	    cmocka_unit_test(err_set),
	    cmocka_unit_test(err_errno),
	    cmocka_unit_test(err_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
