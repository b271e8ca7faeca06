// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bind targets in a root filesystem someone else controls: nsbox resolves
 * every mount target inside the new root (openat2 RESOLVE_IN_ROOT), so a
 * symlink to /etc or / in a rootfs DIR means the sandbox's /etc or /, never
 * the host's, even while another process swaps a directory and such a
 * symlink back and forth (renameat2 RENAME_EXCHANGE) during the launch.
 *
 *   bindrace race DIR A B SECONDS
 *       the racer, on the host: exchange DIR/A and DIR/B until SECONDS
 *       are over, printing the number of swaps
 *   bindrace check HOSTMARKER SRCNAME SRCMARKER PATH...
 *       inside: the host-only HOSTMARKER must be invisible, and the bind
 *       (of a directory named SRCNAME holding SRCMARKER) must have landed
 *       inside the root: SRCMARKER under one of the PATHs, or at least the
 *       bind in our mountinfo (which lists only the mounts below our root:
 *       a bind onto a symlink to "/" lands on the root itself, hidden
 *       beneath it). Neither: the bind went outside the root, onto a host
 *       path.
 */
#include "case.h"

#include <linux/fs.h>
#include <stdio.h>
#include <time.h>

static int race(const char *dir, const char *a, const char *b, double secs)
{
	int d = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (d < 0) {
		perror(dir);
		return 2;
	}
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long n = 0, fails = 0;
	do {
		for (int i = 0; i < 64; i++)
			renameat2(d, a, d, b, RENAME_EXCHANGE) == 0 ? n++ : fails++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
	printf("%ld swaps, %ld failed\n", n, fails);
	return n ? 0 : 2;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "race"))
		return race(argv[2], argv[3], argv[4], atof(argv[5]));
	if (argc < 6 || strcmp(argv[1], "check")) {
		fprintf(stderr, "usage: bindrace race DIR A B SECONDS | "
				"bindrace check HOSTMARKER SRCNAME SRCMARKER PATH...\n");
		return 2;
	}
	if (access(argv[2], F_OK) == 0)
		escaped("the host's %s is visible", argv[2]);
	else
		blocked("the host's %s is invisible", argv[2]);
	char where[4096] = "";
	for (int i = 5; i < argc; i++) {
		char p[600];
		snprintf(p, sizeof(p), "%s/%s", argv[i], argv[4]);
		if (access(p, F_OK) == 0) {
			size_t l = strlen(where);
			snprintf(where + l, sizeof(where) - l, " %s", argv[i]);
		}
	}
	if (where[0]) {
		blocked("the bind landed inside the root, on%s", where);
		return case_finish();
	}
	/* mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT ... */
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], root[2048], mp[2048], suffix[300];
	snprintf(suffix, sizeof(suffix), "/%s", argv[3]);
	size_t sl = strlen(suffix);
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*d %*d %*s %2047s %2047s", root, mp) == 2 &&
		    strlen(root) >= sl && !strcmp(root + strlen(root) - sl, suffix)) {
			size_t l = strlen(where);
			snprintf(where + l, sizeof(where) - l, " %s", mp);
		}
	if (f)
		fclose(f);
	if (where[0])
		blocked("the bind landed inside the root, on%s (hidden: %s is not visible)", where,
			argv[4]);
	else
		escaped("the bind of %s is nowhere below our root: it was mounted outside it",
			argv[3]);
	return case_finish();
}
