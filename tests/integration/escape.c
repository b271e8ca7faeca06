// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The chroot escape from the seeds (mkdir, chroot into it, chdir ".." many
 * times from outside the new root, chroot ".") made checkable: instead of
 * exec'ing a shell it reports where it landed.
 *
 *   escape MARKER [WORKDIR]
 *
 * MARKER is an absolute path that exists only outside the sandbox (the test
 * creates it on the host). WORKDIR (default /tmp) must be writable. Prints
 * "contained" and exits 0 when, after the escape attempt, the root is the
 * same directory as before and MARKER is not visible; prints "ESCAPED ..."
 * and exits 1 otherwise; exits 2 when the attempt itself could not be made
 * (the spec keeps SYS_CHROOT so that it can be). Built static by the tests
 * so that it runs in a busybox root too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: escape MARKER [WORKDIR]\n");
		return 2;
	}
	const char *marker = argv[1], *work = argc > 2 ? argv[2] : "/tmp";
	struct stat before, after;

	if (stat("/", &before) < 0) {
		printf("stat /: %s\n", strerror(errno));
		return 2;
	}
	if (access(marker, F_OK) == 0) {
		printf("ESCAPED: %s is visible before any escape attempt\n", marker);
		return 1;
	}
	if (chdir(work) < 0) {
		printf("chdir %s: %s\n", work, strerror(errno));
		return 2;
	}
	if (mkdir(".escape", 0755) < 0 && errno != EEXIST) {
		printf("mkdir %s/.escape: %s\n", work, strerror(errno));
		return 2;
	}
	if (chroot(".escape") < 0) {
		printf("chroot .escape: %s\n", strerror(errno));
		return 2;
	}
	/* The cwd is now outside the process root, so ".." is no longer
	 * stopped by it: only the root of the mount namespace stops it. */
	for (int i = 0; i < 256; i++)
		if (chdir("..") < 0)
			break;
	if (chroot(".") < 0) {
		printf("chroot .: %s\n", strerror(errno));
		return 2;
	}
	if (stat("/", &after) < 0) {
		printf("stat / after: %s\n", strerror(errno));
		return 2;
	}
	int moved = before.st_dev != after.st_dev || before.st_ino != after.st_ino;
	int seen = access(marker, F_OK) == 0;
	if (moved || seen) {
		printf("ESCAPED: root %s, %s %s\n", moved ? "changed" : "unchanged", marker,
		       seen ? "visible" : "invisible");
		return 1;
	}
	printf("contained\n");
	return 0;
}
