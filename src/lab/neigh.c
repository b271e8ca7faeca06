// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "lab.h"
#include "neigh.h"
#include "state/journal.h"

#define SAVED NSBOX_STATE_DIR "/neigh"

static const char *const keys[2][3] = {
    {"/proc/sys/net/ipv4/neigh/default/gc_thresh1", "/proc/sys/net/ipv4/neigh/default/gc_thresh2",
     "/proc/sys/net/ipv4/neigh/default/gc_thresh3"},
    {"/proc/sys/net/ipv6/neigh/default/gc_thresh1", "/proc/sys/net/ipv6/neigh/default/gc_thresh2",
     "/proc/sys/net/ipv6/neigh/default/gc_thresh3"},
};

static long read_long(const char *path)
{
	char buf[32] = {0};
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

static int write_long(const char *path, long v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld", v);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	return fd < 0 || write(fd, buf, (size_t)n) != n ? -errno : 0;
}

int lab_neigh_reserve(size_t entries, struct nc_err *err)
{
	long cur[2][3];
	for (int f = 0; f < 2; f++)
		for (int k = 0; k < 3; k++)
			/* Outside the initial netns the files do not exist and
			 * nothing can be done from here. */
			if ((cur[f][k] = read_long(keys[f][k])) < 0)
				return 0;
	/* Twice the need: entries of other labs and of the host itself
	 * share the table, and those younger than 5 s cannot be evicted. */
	long want3 = (long)entries * 2, want2 = (long)entries;
	if (cur[0][2] >= want3 && cur[1][2] >= want3)
		return 0;
	/* The values found before the first raise are what gets restored. */
	if (access(SAVED, F_OK) < 0) {
		FILE *f = fopen(SAVED ".tmp", "we");
		if (!f)
			return nc_err_errno(err, errno, "journal: %s", SAVED);
		fprintf(f, "%ld %ld %ld\n%ld %ld %ld\n", cur[0][0], cur[0][1], cur[0][2], cur[1][0],
			cur[1][1], cur[1][2]);
		if (fclose(f) != 0 || rename(SAVED ".tmp", SAVED) < 0)
			return nc_err_errno(err, errno, "journal: %s", SAVED);
	}
	for (int f = 0; f < 2; f++) {
		/* thresh3 first: the kernel wants thresh2 <= thresh3. */
		int r = write_long(keys[f][2], want3 > cur[f][2] ? want3 : cur[f][2]);
		if (r == 0)
			r = write_long(keys[f][1], want2 > cur[f][1] ? want2 : cur[f][1]);
		if (r < 0)
			return nc_err_errno(err, -r, "raise %s", keys[f][2]);
	}
	return 0;
}

void lab_neigh_release_if_unused(void)
{
	char **labs = NULL;
	size_t n = 0;
	if (lab_list(&labs, &n, NULL) < 0)
		return;
	nc_strv_free(labs);
	if (n > 0)
		return;
	FILE *f = fopen(SAVED, "re");
	if (!f)
		return;
	long v[2][3];
	int got = fscanf(f, "%ld %ld %ld %ld %ld %ld", &v[0][0], &v[0][1], &v[0][2], &v[1][0],
			 &v[1][1], &v[1][2]);
	fclose(f);
	if (got == 6)
		for (int fam = 0; fam < 2; fam++) {
			/* thresh2 first, lowering: it must stay <= thresh3. */
			write_long(keys[fam][1], v[fam][1]);
			write_long(keys[fam][2], v[fam][2]);
		}
	unlink(SAVED);
}
