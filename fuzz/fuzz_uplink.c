// SPDX-License-Identifier: GPL-2.0-or-later
/* uplink_publish_parse and uplink_allow_parse (src/uplink/uplink.c): the
 * first byte chooses the parser, the rest is the rule. */
#include "fuzz.h"

#include "uplink/uplink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *s = fuzz_str(data + 1, size - 1);
	struct nc_err err;
	fuzz_err_reset(&err);
	int r;

	if (data[0] & 1) {
		struct uplink_allow a;
		r = uplink_allow_parse(s, &a, &err);
	} else {
		struct uplink_publish p;
		r = uplink_publish_parse(s, &p, &err);
		if (r >= 0 && (p.host_port == 0 || p.port == 0)) {
			fprintf(stderr, "port 0 published\n");
			abort();
		}
	}
	fuzz_check_err(r, &err);
	free(s);
	return 0;
}
