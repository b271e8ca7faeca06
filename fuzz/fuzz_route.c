// SPDX-License-Identifier: GPL-2.0-or-later
/* nc_route_parse (netcfg/route.c): the input is split into words at
 * spaces, tabs, newlines and NULs, as a shell would give them. */
#include "fuzz.h"

#define MAX_WORDS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	char *copies[MAX_WORDS];
	const char *words[MAX_WORDS];
	size_t n = fuzz_words(s, size, copies, MAX_WORDS);
	for (size_t k = 0; k < n; k++)
		words[k] = copies[k];

	struct nc_route rt;
	struct nc_err err;
	fuzz_err_reset(&err);
	memset(&rt, 0x5a, sizeof(rt));
	int r = nc_route_parse(n ? words : NULL, n, &rt, &err);
	fuzz_check_err(r, &err);
	if (r >= 0 && !memchr(rt.dev, '\0', sizeof(rt.dev)))
		abort();

	for (size_t k = 0; k < n; k++)
		free(copies[k]);
	free(s);
	return 0;
}
