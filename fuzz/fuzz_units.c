// SPDX-License-Identifier: GPL-2.0-or-later
/* netcfg/parse.c: nc_cidr_parse, nc_ip_parse, nc_rate_parse, nc_time_parse,
 * nc_percent_parse, nc_mtu_parse. The first byte chooses the parser, the
 * rest is the text. A parsed address printed and parsed again is the same
 * address. */
#include "fuzz.h"

#include <math.h>

static void roundtrip(const struct nc_cidr *c, bool with_prefix)
{
	char buf[64];
	struct nc_cidr again;
	struct nc_err err;
	fuzz_err_reset(&err);
	const char *s = nc_cidr_str(c, with_prefix, buf, sizeof(buf));
	int r = with_prefix ? nc_cidr_parse(s, &again, &err) : nc_ip_parse(s, &again, &err);
	if (r < 0 || !nc_cidr_equal(c, &again)) {
		fprintf(stderr, "\"%s\" does not parse back: %s\n", s, r < 0 ? err.msg : "differs");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned which = data[0] % 6;
	char *s = fuzz_str(data + 1, size - 1);
	struct nc_err err;
	fuzz_err_reset(&err);
	int r;

	switch (which) {
	case 0: {
		struct nc_cidr c;
		r = nc_cidr_parse(s, &c, &err);
		if (r >= 0)
			roundtrip(&c, true);
		break;
	}
	case 1: {
		struct nc_cidr c;
		r = nc_ip_parse(s, &c, &err);
		if (r >= 0)
			roundtrip(&c, false);
		break;
	}
	case 2: {
		uint64_t bps;
		r = nc_rate_parse(s, &bps, &err);
		break;
	}
	case 3: {
		uint32_t us;
		r = nc_time_parse(s, &us, &err);
		break;
	}
	case 4: {
		double pct;
		r = nc_percent_parse(s, &pct, &err);
		if (r >= 0 && !(pct >= 0 && pct <= 100)) {
			fprintf(stderr, "percent %g out of range\n", pct);
			abort();
		}
		break;
	}
	default: {
		uint32_t mtu;
		r = nc_mtu_parse(s, &mtu, &err);
		break;
	}
	}
	fuzz_check_err(r, &err);
	free(s);
	return 0;
}
