/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the libFuzzer harnesses: see scripts/fuzz. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string in its own allocation, so that ASan
 * sees a read one past its end. */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Split s[0..size) into at most max words at spaces, tabs, newlines and
 * NULs, as a shell would give them, each in its own allocation (to catch
 * reads past its end) in ret_words; free each. Returns how many. */
static inline size_t fuzz_words(const char *s, size_t size, char **ret_words, size_t max)
{
	size_t n = 0, i = 0;
	while (i < size && n < max) {
		while (i < size && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\0'))
			i++;
		size_t start = i;
		while (i < size && !(s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\0'))
			i++;
		if (i > start)
			ret_words[n++] = fuzz_str((const uint8_t *)s + start, i - start);
	}
	return n;
}

/* Every failure must say what failed: a positive code and a message. */
static inline void fuzz_check_err(int r, const struct nc_err *err)
{
	if (r < 0 && (err->code <= 0 || -r != err->code || err->msg[0] == '\0' ||
		      !memchr(err->msg, '\0', sizeof(err->msg)))) {
		fprintf(stderr, "failure without an error: r=%d code=%d\n", r, err->code);
		abort();
	}
}

static inline void fuzz_err_reset(struct nc_err *err)
{
	err->code = -1;
	err->msg[0] = '\0';
}
