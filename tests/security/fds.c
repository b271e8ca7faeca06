// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reaching the host through a file descriptor or a working directory: every
 * fd the command holds, its cwd, /proc/self/fd/N used as a directory, and
 * the cwd, root and fds of every other process /proc shows. A directory
 * from which ".." climbs to somewhere else than the sandbox's "/" (or to
 * where the host-only MARKER is visible) is an escape; so is any fd but 0-2.
 * Last, the "shocker" attack (open_by_handle_at with a guessed handle of
 * the root inode of the filesystem under /).
 *
 *   fds MARKER [HOSTDEV:HOSTINO]
 *
 * HOSTDEV:HOSTINO name a host file the test holds open in nsbox's caller
 * (it must never show up inside).
 */
#include "case.h"

#include <dirent.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static const char *marker;
static unsigned long host_dev, host_ino;

static const char *kind(mode_t m)
{
	return S_ISDIR(m)    ? "directory"
	       : S_ISREG(m)  ? "file"
	       : S_ISCHR(m)  ? "char device"
	       : S_ISBLK(m)  ? "block device"
	       : S_ISFIFO(m) ? "pipe"
	       : S_ISSOCK(m) ? "socket"
			     : "other";
}

/* A directory fd: escape if it leads out. */
static void judge_dir(int fd, const char *what)
{
	char why[200];
	if (leads_out(fd, marker, why, sizeof(why)))
		escaped("%s: %s", what, why);
	else
		blocked("%s: a directory, but %s", what, why);
}

static void own_fds(void)
{
	struct rlimit rl;
	int max =
	    getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (int)rl.rlim_cur : 65536;
	int extra = 0;
	for (int fd = 0; fd < max; fd++) {
		struct stat st;
		if (fstat(fd, &st) < 0)
			continue;
		char what[128];
		snprintf(what, sizeof(what), "fd %d (%s)", fd, kind(st.st_mode));
		if (host_ino && st.st_dev == host_dev && st.st_ino == host_ino)
			escaped("%s is the host file the caller holds open", what);
		if (S_ISDIR(st.st_mode)) {
			judge_dir(fd, what);
			/* The same through the magic link, as a cwd. */
			char p[64];
			snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
			int d = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (d >= 0) {
				snprintf(what, sizeof(what), "%s reopened as a directory", p);
				judge_dir(d, what);
				close(d);
			}
		}
		if (fd > 2) {
			extra++;
			escaped("%s is open: only 0, 1 and 2 may be inherited", what);
		}
	}
	if (!extra)
		blocked("no fd beyond 0, 1 and 2 is open (%d looked at)", max);
}

static void cwd(void)
{
	char buf[4096];
	note("cwd is %s", getcwd(buf, sizeof(buf)) ? buf : ename(errno));
	int d = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0) {
		broken("open .: %s", ename(errno));
		return;
	}
	judge_dir(d, "the cwd");
	close(d);
	/* chdir through the magic link of the cwd, then ".." all the way. */
	int keep = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (chdir("/proc/self/cwd") == 0) {
		for (int i = 0; i < 256; i++)
			if (chdir("..") < 0)
				break;
		if (access(marker, F_OK) == 0)
			escaped("chdir /proc/self/cwd, then .. x256: %s visible", marker);
		d = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (d >= 0) {
			judge_dir(d, "chdir /proc/self/cwd, then .. x256");
			close(d);
		}
	}
	if (keep >= 0) {
		if (fchdir(keep) < 0)
			note("fchdir back: %s", ename(errno));
		close(keep);
	}
}

/* Whatever of other processes /proc lets us open. */
static void others(void)
{
	DIR *d = opendir("/proc");
	if (!d) {
		broken("opendir /proc: %s", ename(errno));
		return;
	}
	struct dirent *e;
	int opened = 0, refused = 0;
	while ((e = readdir(d))) {
		int pid = atoi(e->d_name);
		if (pid < 1 || pid == getpid())
			continue;
		char p[64];
		for (int k = 0; k < 2; k++) {
			snprintf(p, sizeof(p), "/proc/%d/%s", pid, k ? "root" : "cwd");
			int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0) {
				refused++;
				continue;
			}
			opened++;
			judge_dir(fd, p);
			close(fd);
		}
		snprintf(p, sizeof(p), "/proc/%d/fd", pid);
		DIR *fdd = opendir(p);
		if (!fdd) {
			refused++;
			continue;
		}
		struct dirent *f;
		while ((f = readdir(fdd))) {
			if (f->d_name[0] == '.')
				continue;
			char q[400];
			snprintf(q, sizeof(q), "%s/%s", p, f->d_name);
			int fd = open(q, O_PATH | O_CLOEXEC);
			if (fd < 0) {
				refused++;
				continue;
			}
			opened++;
			struct stat st;
			if (fstat(fd, &st) == 0) {
				if (host_ino && st.st_dev == host_dev && st.st_ino == host_ino)
					escaped("%s is the host file the caller holds open", q);
				if (S_ISDIR(st.st_mode)) {
					judge_dir(fd, q);
				}
			}
			close(fd);
		}
		closedir(fdd);
	}
	closedir(d);
	note("other processes: %d of their cwd/root/fds opened, %d refused", opened, refused);
}

struct handle {
	unsigned int bytes;
	int type;
	unsigned char h[8];
};

static void shocker(void)
{
	/* ext4's root inode: ino 2, generation 0 (FILEID_INO32_GEN). */
	struct handle fh = {.bytes = 8, .type = 1};
	unsigned int ino = 2;
	memcpy(fh.h, &ino, 4);
	int mnt = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long r = syscall(SYS_open_by_handle_at, mnt, &fh, O_RDONLY | O_DIRECTORY);
	if (r >= 0) {
		judge_dir((int)r, "open_by_handle_at(root inode)");
		escaped("open_by_handle_at opened an inode by handle");
		close((int)r);
	} else {
		blocked("open_by_handle_at (shocker): %s", ename(errno));
	}
	if (mnt >= 0)
		close(mnt);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: fds MARKER [HOSTDEV:HOSTINO]\n");
		return 2;
	}
	marker = argv[1];
	if (argc > 2 && sscanf(argv[2], "%lu:%lu", &host_dev, &host_ino) != 2)
		host_ino = 0;
	if (access(marker, F_OK) == 0)
		escaped("%s is visible", marker);
	own_fds();
	cwd();
	others();
	shocker();
	return case_finish();
}
