// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The nsbox binary must not be reachable from inside, least of all for
 * writing (runc's CVE-2019-5736: a container overwrote the runtime through
 * /proc/PID/exe). Sandboxes' PID 1 is nsbox itself, so its /proc/1/exe is
 * the host's binary; and whatever else /proc shows (mem, environ, cwd, root,
 * fds of PID 1) must stay closed.
 *
 *   binary DEV:INO MARKER [BOUND]
 *
 * DEV:INO identify the nsbox binary on the host (stat -c %d:%i). BOUND is
 * where the test bound the binary read-only into the sandbox (optional): it
 * may be read there, but never written, truncated, chmod'ed or remounted.
 * Every process in /proc is looked at; an exe that is the nsbox binary and
 * opens (even O_PATH) is an escape, and so is any open for writing.
 */
#include "case.h"

#include <dirent.h>
#include <sys/mount.h>

static dev_t bin_dev;
static ino_t bin_ino;
static const char *marker;

static bool is_nsbox(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && st.st_dev == bin_dev && st.st_ino == bin_ino;
}

/* Open path in every way that could lead to writing it. */
static void try_write(const char *path)
{
	static const struct {
		int flags;
		const char *name;
	} modes[] = {{O_WRONLY, "O_WRONLY"}, {O_RDWR, "O_RDWR"}, {O_WRONLY | O_APPEND, "O_APPEND"}};
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		int fd = open(path, modes[i].flags | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0) {
			/* Nothing is written: the open alone is the escape. */
			escaped("open %s %s succeeded%s", path, modes[i].name,
				is_nsbox(fd) ? " (it is the nsbox binary)" : "");
			close(fd);
		} else {
			blocked("open %s %s: %s", path, modes[i].name, ename(errno));
		}
	}
	/* O_PATH first, then reopened through /proc/self/fd: the CVE-2019-5736
	 * way around ETXTBSY and around a check made only at the first open. */
	int p = open(path, O_PATH | O_CLOEXEC);
	if (p < 0) {
		blocked("open %s O_PATH: %s", path, ename(errno));
		return;
	}
	char re[64];
	snprintf(re, sizeof(re), "/proc/self/fd/%d", p);
	int fd = open(re, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		escaped("%s: O_PATH, then reopened O_WRONLY through %s", path, re);
		close(fd);
	} else {
		blocked("%s: O_PATH, then reopen O_WRONLY: %s", path, ename(errno));
	}
	close(p);
}

/* PID 1 is nsbox's init: none of its /proc files may give anything. Some
 * open for anyone and check at read time (syscall, stack), directories
 * list names (fd numbers) but open none of them to whom may not ptrace:
 * judged by what they give. */
static void init_files(void)
{
	static const char *const files[] = {
	    "/proc/1/exe",  "/proc/1/mem",     "/proc/1/environ", "/proc/1/cwd",
	    "/proc/1/root", "/proc/1/fd/0",    "/proc/1/fd/3",	  "/proc/1/map_files",
	    "/proc/1/auxv", "/proc/1/syscall", "/proc/1/stack",	  "/proc/1/fd"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int fd = open(files[i], O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0 && errno == ENOENT) {
			note("%s does not exist", files[i]);
			continue;
		}
		if (fd < 0) {
			blocked("open %s: %s", files[i], ename(errno));
			continue;
		}
		struct stat st;
		char why[200] = "";
		if (is_nsbox(fd)) {
			escaped("open %s: the nsbox binary, readable", files[i]);
		} else if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			DIR *d = fdopendir(fcntl(fd, F_DUPFD_CLOEXEC, 0));
			int n = 0, opened = 0;
			struct dirent *e;
			char first[300] = "";
			while (d && (e = readdir(d))) {
				if (e->d_name[0] == '.')
					continue;
				n++;
				int o = openat(dirfd(d), e->d_name, O_PATH | O_CLOEXEC);
				if (o < 0)
					continue;
				if (!opened++)
					snprintf(first, sizeof(first), "%s", e->d_name);
				close(o);
			}
			if (d)
				closedir(d);
			if (leads_out(fd, marker, why, sizeof(why)))
				escaped("open %s: a directory that %s", files[i], why);
			else if (opened)
				escaped("%s: %d of its %d entries open (%s...)", files[i], opened,
					n, first);
			else
				blocked("%s: %d entries listed, none opens", files[i], n);
		} else {
			char buf[256];
			ssize_t n = read(fd, buf, sizeof(buf));
			if (n > 0)
				escaped("read %s: %zd bytes", files[i], n);
			else
				blocked("read %s: %s", files[i], n == 0 ? "nothing" : ename(errno));
		}
		close(fd);
	}
	try_write("/proc/1/exe");
}

/* Every process's exe: none may be the nsbox binary, openable. */
static void all_exes(void)
{
	DIR *d = opendir("/proc");
	if (!d) {
		broken("opendir /proc: %s", ename(errno));
		return;
	}
	struct dirent *e;
	int seen = 0;
	while ((e = readdir(d))) {
		int pid = atoi(e->d_name);
		if (pid <= 1 || pid == getpid())
			continue;
		char p[64];
		snprintf(p, sizeof(p), "/proc/%d/exe", pid);
		int fd = open(p, O_PATH | O_CLOEXEC);
		if (fd < 0)
			continue;
		seen++;
		if (is_nsbox(fd)) {
			escaped("%s is the nsbox binary and opens", p);
			try_write(p);
		}
		close(fd);
	}
	closedir(d);
	blocked("no other process's exe is the nsbox binary (%d exes open)", seen);
}

static void bound(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		broken("the bound binary %s: %s", path, ename(errno));
		return;
	}
	if (!is_nsbox(fd))
		note("%s is not the nsbox binary (another inode)", path);
	close(fd);
	try_write(path);
	if (truncate(path, 0) == 0)
		escaped("truncate %s", path);
	else
		blocked("truncate %s: %s", path, ename(errno));
	if (chmod(path, 04777) == 0)
		escaped("chmod %s", path);
	else
		blocked("chmod %s: %s", path, ename(errno));
	if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND, NULL) == 0)
		escaped("remount %s read-write", path);
	else
		blocked("remount %s read-write: %s", path, ename(errno));
	if (unlink(path) == 0)
		escaped("unlink %s", path);
	else
		blocked("unlink %s: %s", path, ename(errno));
}

int main(int argc, char **argv)
{
	unsigned long dev, ino;
	if (argc < 3 || sscanf(argv[1], "%lu:%lu", &dev, &ino) != 2) {
		fprintf(stderr, "usage: binary DEV:INO MARKER [BOUND]\n");
		return 2;
	}
	bin_dev = (dev_t)dev;
	bin_ino = (ino_t)ino;
	marker = argv[2];
	init_files();
	all_exes();
	if (argc > 3)
		bound(argv[3]);
	return case_finish();
}
