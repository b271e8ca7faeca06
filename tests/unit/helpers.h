/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared checks for the unit tests. cmocka.h needs these system headers
 * first; every test file includes this header before anything else. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netcfg.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Set err to something no parser writes, so a check cannot pass on a
 * message left over from an earlier call. */
static inline void err_reset(struct nc_err *err)
{
	err->code = -1;
	snprintf(err->msg, sizeof(err->msg), "(untouched)");
}

static inline void check_ok(int r, const struct nc_err *err, const char *input, const char *file,
			    int line)
{
	if (r != 0) {
		print_error("'%s': returned %d, want 0 (err %d: %s)\n", input, r, err->code,
			    err->msg);
		_fail(file, line);
	}
}

/* r must be -code, err must carry code, and err->msg must contain every
 * string of the NULL-terminated needles. */
static inline void check_err(int r, int code, const struct nc_err *err, const char *input,
			     const char *const *needles, const char *file, int line)
{
	if (r != -code || err->code != code) {
		print_error("'%s': returned %d with err code %d, want %d (msg: %s)\n", input, r,
			    err->code, -code, err->msg);
		_fail(file, line);
	}
	for (const char *const *n = needles; *n; n++) {
		if (!strstr(err->msg, *n)) {
			print_error("'%s': message \"%s\" lacks \"%s\"\n", input, err->msg, *n);
			_fail(file, line);
		}
	}
}

/* assert_ok(call-result, &err, input) */
#define assert_ok(r, err, input) check_ok((r), (err), (input), __FILE__, __LINE__)

/* assert_err(call-result, EINVAL, &err, input, "substring", ...): at least
 * one substring; pass input itself to check the message names it. */
#define assert_err(r, code, err, input, ...)                                                       \
	check_err((r), (code), (err), (input), (const char *const[]){__VA_ARGS__, NULL}, __FILE__, \
		  __LINE__)

/* A string of n copies of c, in buf (which holds at least n + 1 bytes). */
static inline char *repeat(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}
