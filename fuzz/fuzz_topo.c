// SPDX-License-Identifier: GPL-2.0-or-later
/* topo_parse_string (src/lab/parse.c, validated by src/lab/validate.c):
 * the input is a lab file, given with its length and no terminating NUL. */
#include "fuzz.h"

#include "lab/topo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: no NUL after it. */
	char *yaml = malloc(size ? size : 1);
	if (!yaml)
		abort();
	memcpy(yaml, data, size);

	struct topo *t = NULL;
	struct nc_err err;
	fuzz_err_reset(&err);
	int r = topo_parse_string("fuzz.yaml", yaml, size, &t, &err);
	fuzz_check_err(r, &err);
	if (r >= 0) {
		if (!t)
			abort();
		/* What parsed must still validate. */
		fuzz_err_reset(&err);
		if (topo_validate(t, &err) < 0) {
			fprintf(stderr, "parsed but invalid: %s\n", err.msg);
			abort();
		}
		topo_free(t);
	} else if (t) {
		abort(); /* a failure leaves nothing to free */
	}
	free(yaml);
	return 0;
}
