/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every escape case of tests/security/ shares: one line per attempt,
 *
 *   blocked: WHAT: WHY       the attempt failed, as it must
 *   ESCAPE: WHAT: HOW        it worked: the sandbox was escaped
 *   note: ...                information, judged by nobody
 *   BROKEN: WHAT: WHY        the attempt could not even be made (a bug of
 *                            the test, or a machine that lacks something)
 *
 * then "# N blocked, M escaped, K broken" and an exit status: 0 nothing
 * escaped and nothing broke, 1 something escaped, 2 nothing escaped but
 * some attempt could not be made. Cases are built static (gcc -static) so
 * that they run in a busybox root too.
 */
#pragma once
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int case_blocked, case_escaped, case_broken;

__attribute__((unused)) static void case_line(const char *tag, const char *fmt, va_list ap)
{
	printf("%s: ", tag);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

__attribute__((format(printf, 1, 2), unused)) static void blocked(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	case_line("blocked", fmt, ap);
	va_end(ap);
	case_blocked++;
}

__attribute__((format(printf, 1, 2), unused)) static void escaped(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	case_line("ESCAPE", fmt, ap);
	va_end(ap);
	case_escaped++;
}

__attribute__((format(printf, 1, 2), unused)) static void note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	case_line("note", fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 1, 2), unused)) static void broken(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	case_line("BROKEN", fmt, ap);
	va_end(ap);
	case_broken++;
}

__attribute__((unused)) static int case_finish(void)
{
	printf("# %d blocked, %d escaped, %d broken\n", case_blocked, case_escaped, case_broken);
	fflush(stdout);
	return case_escaped ? 1 : case_broken ? 2 : 0;
}

/* The errno's name (EPERM), or "OK" for 0. */
__attribute__((unused)) static const char *ename(int e)
{
	if (!e)
		return "OK";
	const char *n = strerrorname_np(e);
	return n ? n : "E?";
}

/* Where climbing ".." from the directory dfd ends, as an O_PATH fd (or -1):
 * inside the sandbox that is its own "/", where the kernel stops ".."; from
 * a directory of the host's tree it is the host's root. */
__attribute__((unused)) static int climb_top(int dfd)
{
	int cur = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
	for (int i = 0; cur >= 0 && i < 4096; i++) {
		struct stat a, b;
		int up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (up < 0 || fstat(cur, &a) < 0 || fstat(up, &b) < 0) {
			if (up >= 0)
				close(up);
			break;
		}
		if (a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
			close(up);
			return cur;
		}
		close(cur);
		cur = up;
	}
	if (cur >= 0)
		close(cur);
	return -1;
}

/* Whether the directory dfd leads out of the sandbox: climbing ".." from
 * it ends somewhere else than the process's own root, or marker (an
 * absolute path that exists only on the host) is found from where it ends.
 * why gets a few words. */
__attribute__((unused)) static bool leads_out(int dfd, const char *marker, char *why, size_t len)
{
	struct stat root, top_st;
	snprintf(why, len, "stays inside");
	if (stat("/", &root) < 0) {
		snprintf(why, len, "stat /: %s", ename(errno));
		return false;
	}
	int top = climb_top(dfd);
	if (top < 0) {
		snprintf(why, len, "cannot climb: %s", ename(errno));
		return false;
	}
	bool out = false;
	if (fstat(top, &top_st) == 0 &&
	    (top_st.st_dev != root.st_dev || top_st.st_ino != root.st_ino)) {
		snprintf(why, len, "'..' ends at %u:%u inode %lu, not at our / (%u:%u inode %lu)",
			 major(top_st.st_dev), minor(top_st.st_dev), (unsigned long)top_st.st_ino,
			 major(root.st_dev), minor(root.st_dev), (unsigned long)root.st_ino);
		out = true;
	}
	if (marker && *marker == '/' && faccessat(top, marker + 1, F_OK, 0) == 0) {
		snprintf(why, len, "the host's %s is reachable from there", marker);
		out = true;
	}
	close(top);
	return out;
}
