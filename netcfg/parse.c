// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netcfg.h"

int nc_netns_name_valid(const char *name, struct nc_err *err)
{
	/* iproute2 (ip/ipnetns.c, invalid_name): non-empty, at most NAME_MAX,
	 * no '/', not "." or "..". nsbox also refuses ':', '=' and white space
	 * (they would split an endpoint NS:IFNAME=ADDR) and "host", which on
	 * nsbox's command line means the caller's own netns. */
	if (!name || !*name)
		return nc_err_set(err, EINVAL, "netns name is empty");
	size_t len = strlen(name);
	if (len > NAME_MAX)
		return nc_err_set(err, EINVAL, "netns %.32s...: name longer than %d bytes", name,
				  NAME_MAX);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return nc_err_set(err, EINVAL, "netns %s: not a valid name", name);
	if (!strcmp(name, "host"))
		return nc_err_set(err, EINVAL,
				  "netns host: the name is reserved for nsbox's own netns");
	for (const char *p = name; *p; p++) {
		if (*p == '/' || *p == ':' || *p == '=' || isspace((unsigned char)*p) ||
		    iscntrl((unsigned char)*p))
			return nc_err_set(
			    err, EINVAL,
			    "netns %.64s%s: name may not contain '/', ':', '=' or white space",
			    name, len > 64 ? "..." : "");
	}
	return 0;
}

int nc_ifname_valid(const char *name, struct nc_err *err)
{
	/* net/core/dev.c dev_valid_name(): 1..IFNAMSIZ-1 bytes, not "." or "..",
	 * no '/', ':' or white space. '%' would make the kernel pick a name
	 * from a template ("eth%d") and '@' is nsbox's bridge separator. */
	if (!name || !*name)
		return nc_err_set(err, EINVAL, "interface name is empty");
	/* Quote at most the start of an overlong name: callers prefix the
	 * message, and the cause must still fit in it. */
	if (strlen(name) >= NC_IFNAMSIZ)
		return nc_err_set(err, EINVAL, "interface %.32s%s: name longer than %d bytes", name,
				  strlen(name) > 32 ? "..." : "", NC_IFNAMSIZ - 1);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return nc_err_set(err, EINVAL, "interface %s: not a valid name", name);
	for (const char *p = name; *p; p++) {
		if (*p == '/' || *p == ':' || *p == '%' || *p == '@' || *p == '=' || *p == ',' ||
		    isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return nc_err_set(
			    err, EINVAL,
			    "interface %s: name may not contain '/', ':', '%%', '@', '=', ',' "
			    "or white space",
			    name);
	}
	return 0;
}

static int parse_ip(const char *s, size_t len, struct nc_cidr *ret, const char *orig,
		    struct nc_err *err)
{
	char buf[INET6_ADDRSTRLEN + 1];
	if (len == 0 || len >= sizeof(buf))
		return nc_err_set(err, EINVAL, "address %s: not an IPv4 or IPv6 address", orig);
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(ret, 0, sizeof(*ret));
	/* inet_pton takes only the dotted quad for IPv4, unlike inet_aton,
	 * which would read "10.1" as 10.0.0.1. */
	if (inet_pton(AF_INET, buf, ret->addr) == 1) {
		ret->family = AF_INET;
		ret->prefixlen = 32;
	} else if (inet_pton(AF_INET6, buf, ret->addr) == 1) {
		ret->family = AF_INET6;
		ret->prefixlen = 128;
	} else {
		return nc_err_set(err, EINVAL, "address %s: not an IPv4 or IPv6 address", orig);
	}
	return 0;
}

int nc_ip_parse(const char *s, struct nc_cidr *ret_ip, struct nc_err *err)
{
	if (!s)
		return nc_err_set(err, EINVAL, "address is missing");
	if (strchr(s, '/'))
		return nc_err_set(err, EINVAL, "address %s: expected an address without /prefix",
				  s);
	return parse_ip(s, strlen(s), ret_ip, s, err);
}

int nc_cidr_parse(const char *s, struct nc_cidr *ret_cidr, struct nc_err *err)
{
	if (!s)
		return nc_err_set(err, EINVAL, "address is missing");
	const char *slash = strchr(s, '/');
	if (!slash)
		return nc_err_set(err, EINVAL, "address %s: missing /prefix (as in 10.0.0.1/24)",
				  s);
	struct nc_cidr c;
	int r = parse_ip(s, slash - s, &c, s, err);
	if (r < 0)
		return r;
	uint64_t len;
	char what[128];
	snprintf(what, sizeof(what), "address %s: prefix length", s);
	r = nc_uint_parse(slash + 1, 0, c.family == AF_INET ? 32 : 128, what, &len, err);
	if (r < 0)
		return r;
	c.prefixlen = (unsigned)len;
	*ret_cidr = c;
	return 0;
}

const char *nc_cidr_str(const struct nc_cidr *c, bool with_prefix, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	if (!inet_ntop(c->family, c->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	if (with_prefix)
		snprintf(buf, len, "%s/%u", a, c->prefixlen);
	else
		snprintf(buf, len, "%s", a);
	return buf;
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

bool nc_cidr_equal(const struct nc_cidr *a, const struct nc_cidr *b)
{
	return a->family == b->family && a->prefixlen == b->prefixlen &&
	       !memcmp(a->addr, b->addr, addr_len(a->family));
}

bool nc_cidr_contains(const struct nc_cidr *net, const struct nc_cidr *ip)
{
	if (net->family != ip->family)
		return false;
	unsigned bits = net->prefixlen;
	size_t full = bits / 8;
	if (memcmp(net->addr, ip->addr, full))
		return false;
	if (bits % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits % 8));
		if ((net->addr[full] & mask) != (ip->addr[full] & mask))
			return false;
	}
	return true;
}

int nc_uint_parse(const char *s, uint64_t min, uint64_t max, const char *what, uint64_t *ret,
		  struct nc_err *err)
{
	if (!s || !*s || !isdigit((unsigned char)*s))
		return nc_err_set(err, EINVAL, "%s: expected a number, got '%s'", what, s ? s : "");
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end)
		return nc_err_set(err, EINVAL, "%s: expected a number, got '%s'", what, s);
	if (errno == ERANGE || v < min || v > max)
		return nc_err_set(err, ERANGE, "%s: %s is out of range %llu..%llu", what, s,
				  (unsigned long long)min, (unsigned long long)max);
	*ret = v;
	return 0;
}

int nc_mtu_parse(const char *s, uint32_t *ret_mtu, struct nc_err *err)
{
	uint64_t v;
	int r = nc_uint_parse(s, 68, 65535, "mtu", &v, err);
	if (r < 0)
		return r;
	*ret_mtu = (uint32_t)v;
	return 0;
}

struct unit {
	const char *name;
	double factor;
};

/* Split "12.5mbit" into 12.5 and "mbit"; the number must be finite, >= 0. */
static int split_number(const char *s, const char *what, double *ret_v, const char **ret_unit,
			struct nc_err *err)
{
	if (!s || !*s || !(isdigit((unsigned char)*s) || *s == '.'))
		return nc_err_set(err, EINVAL, "%s: expected a number with a unit, got '%s'", what,
				  s ? s : "");
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return nc_err_set(err, EINVAL, "%s: '%s' is not a valid number", what, s);
	*ret_v = v;
	*ret_unit = end;
	return 0;
}

static int apply_unit(const char *s, const char *what, const struct unit *units, size_t n,
		      const char *unit_help, double *ret, struct nc_err *err)
{
	double v = 0;
	const char *u = "";
	int r = split_number(s, what, &v, &u, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (!strcasecmp(u, units[i].name)) {
			*ret = v * units[i].factor;
			return 0;
		}
	}
	return nc_err_set(err, EINVAL, "%s: unknown unit in '%s' (use %s)", what, s, unit_help);
}

int nc_rate_parse(const char *s, uint64_t *ret_bps, struct nc_err *err)
{
	/* As tc(8) reads rates (tc/tc_util.c get_rate): bit-based units in
	 * decimal or IEC multiples, and "bps"-based units meaning bytes. */
	static const struct unit units[] = {
	    {"bit", 1},
	    {"kbit", 1e3},
	    {"mbit", 1e6},
	    {"gbit", 1e9},
	    {"tbit", 1e12},
	    {"kibit", 1024.},
	    {"mibit", 1048576.},
	    {"gibit", 1073741824.},
	    {"tibit", 1099511627776.},
	    {"bps", 8},
	    {"kbps", 8e3},
	    {"mbps", 8e6},
	    {"gbps", 8e9},
	    {"tbps", 8e12},
	    {"kibps", 8192.},
	    {"mibps", 8388608.},
	    {"gibps", 8589934592.},
	    {"tibps", 8796093022208.},
	    {"", 1},
	};
	double v;
	int r = apply_unit(s, "rate", units, sizeof(units) / sizeof(units[0]),
			   "bit, kbit, mbit, gbit, bps, kbps, mbps, gbps", &v, err);
	if (r < 0)
		return r;
	if (v < 8 || v > 1e13)
		return nc_err_set(err, ERANGE, "rate: %s is out of range (8bit..10tbit)", s);
	*ret_bps = (uint64_t)(v + 0.5);
	return 0;
}

int nc_time_parse(const char *s, uint32_t *ret_us, struct nc_err *err)
{
	/* tc/tc_util.c get_time: a bare number is microseconds. */
	static const struct unit units[] = {
	    {"s", 1e6},	    {"sec", 1e6}, {"secs", 1e6}, {"ms", 1e3},  {"msec", 1e3},
	    {"msecs", 1e3}, {"us", 1},	  {"usec", 1},	 {"usecs", 1}, {"", 1},
	};
	double v;
	int r =
	    apply_unit(s, "time", units, sizeof(units) / sizeof(units[0]), "s, ms, us", &v, err);
	if (r < 0)
		return r;
	if (v > 4294967295.0)
		return nc_err_set(err, ERANGE, "time: %s is too long", s);
	*ret_us = (uint32_t)(v + 0.5);
	return 0;
}

int nc_percent_parse(const char *s, double *ret_pct, struct nc_err *err)
{
	static const struct unit units[] = {{"%", 1}, {"", 1}};
	double v;
	int r = apply_unit(s, "percentage", units, 2, "%", &v, err);
	if (r < 0)
		return r;
	if (v > 100)
		return nc_err_set(err, ERANGE, "percentage: %s is more than 100%%", s);
	*ret_pct = v;
	return 0;
}
