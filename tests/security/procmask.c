// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The /proc and /sys paths nsbox masks (src/sandbox/rootfs.c, mask_proc:
 * Docker's list) must show nothing of the host's: a masked file reads as
 * empty or does not open, a masked directory is empty and takes no new
 * entry, whatever the path it is reached by (/proc/self/root/..., the
 * init's root). Also /proc/kmsg, which is not masked but must not open
 * (it would hand out the host's kernel log; it is only opened, never read:
 * a read consumes the messages).
 *
 *   procmask PATH...       the masked paths, as rootfs.c lists them
 */
#include "case.h"

#include <dirent.h>

static void file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		blocked("read %s: %s", path, ename(errno));
		return;
	}
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n > 0)
		escaped("read %s: %zd bytes of the host's", path, n);
	else
		blocked("read %s: %s", path, n == 0 ? "empty" : ename(errno));
}

static void dir(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		blocked("list %s: %s", path, ename(errno));
		return;
	}
	struct dirent *e;
	int n = 0;
	char first[256] = "";
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			if (!n++)
				snprintf(first, sizeof(first), "%s", e->d_name);
	closedir(d);
	if (n)
		escaped("list %s: %d entries (%s...)", path, n, first);
	else
		blocked("list %s: empty", path);
	char p[600];
	snprintf(p, sizeof(p), "%s/nsbox-sec", path);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		escaped("create %s", p);
		close(fd);
		unlink(p);
	} else {
		blocked("create %s: %s", p, ename(errno));
	}
}

static void one(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			note("%s does not exist here (nothing to mask)", path);
		else
			blocked("lstat %s: %s", path, ename(errno));
		return;
	}
	if (S_ISDIR(st.st_mode))
		dir(path);
	else
		file(path);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: procmask PATH...\n");
		return 2;
	}
	static const char *const via[] = {"", "/proc/self/root", "/proc/thread-self/root",
					  "/proc/1/root"};
	for (int i = 1; i < argc; i++)
		for (size_t k = 0; k < sizeof(via) / sizeof(via[0]); k++) {
			char p[512];
			snprintf(p, sizeof(p), "%s%s", via[k], argv[i]);
			one(p);
		}
	int fd = open("/proc/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		escaped("open /proc/kmsg: the host's kernel log (not read)");
		close(fd);
	} else {
		blocked("open /proc/kmsg: %s", ename(errno));
	}
	return case_finish();
}
