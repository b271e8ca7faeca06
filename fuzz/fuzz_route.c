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
	size_t n = 0;

	/* Each word in its own allocation, to catch reads past its end. */
	size_t i = 0;
	while (i < size && n < MAX_WORDS) {
		while (i < size && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\0'))
			i++;
		size_t start = i;
		while (i < size && !(s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\0'))
			i++;
		if (i > start) {
			copies[n] = fuzz_str((const uint8_t *)s + start, i - start);
			words[n] = copies[n];
			n++;
		}
	}

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
