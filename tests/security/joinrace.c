// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The window of `nsbox exec` and `nsbox lab exec`: the joining process
 * enters the sandbox's namespaces as nsbox, drops its capabilities, and only
 * then execs the command. Meanwhile it is a process of the sandbox whose
 * /proc/PID/exe is the host's nsbox binary and whose fds are those of
 * nsbox's caller (runc's CVE-2016-9962 and CVE-2019-5736). This runs inside
 * for SECONDS while the test execs into the sandbox again and again, with a
 * host directory and a host file open in the caller, and looks at every
 * other process's exe, cwd, root and fds as they come and go.
 *
 *   joinrace SECONDS NSBOX-DEV:INO MARKER HOSTFILE-DEV:INO
 */
#include "case.h"

#include <dirent.h>
#include <time.h>

static unsigned long bin_dev, bin_ino, host_dev, host_ino;
static const char *marker;

enum { EXE, EXE_WRITE, HOSTFILE, DIR_OUT, OTHER_FD, N_KINDS };
static const char *const kinds[] = {
    "a joining process's exe is the nsbox binary, and opens",
    "the nsbox binary reopened for writing through a joining process's exe",
    "the host file nsbox's caller holds, through a joining process's fd",
    "a directory outside the sandbox, through a joining process",
    "fds of nsbox's caller (not its 0-2) opened through a joining process",
};
static long counts[N_KINDS];
static char first[N_KINDS][300];

static void hit(int kind, const char *what)
{
	if (!counts[kind]++) {
		size_t l = strlen(what);
		if (l > sizeof(first[0]) - 1)
			l = sizeof(first[0]) - 1;
		memcpy(first[kind], what, l);
		first[kind][l] = '\0';
	}
}

static void look(int pid)
{
	char p[64], q[400];
	snprintf(p, sizeof(p), "/proc/%d/exe", pid);
	int fd = open(p, O_PATH | O_CLOEXEC);
	if (fd >= 0) {
		struct stat st;
		if (fstat(fd, &st) == 0 && st.st_dev == bin_dev && st.st_ino == bin_ino) {
			hit(EXE, p);
			char re[64];
			snprintf(re, sizeof(re), "/proc/self/fd/%d", fd);
			int w = open(re, O_WRONLY | O_CLOEXEC);
			if (w >= 0) {
				hit(EXE_WRITE, p);
				close(w);
			}
		}
		close(fd);
	}
	for (int k = 0; k < 2; k++) {
		snprintf(p, sizeof(p), "/proc/%d/%s", pid, k ? "root" : "cwd");
		fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		char why[200];
		if (leads_out(fd, marker, why, sizeof(why))) {
			snprintf(q, sizeof(q), "%s: %s", p, why);
			hit(DIR_OUT, q);
		}
		close(fd);
	}
	snprintf(p, sizeof(p), "/proc/%d/fd", pid);
	DIR *d = opendir(p);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		int n = atoi(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		snprintf(q, sizeof(q), "%s/%s", p, e->d_name);
		fd = open(q, O_PATH | O_CLOEXEC);
		if (fd < 0)
			continue;
		struct stat st;
		char exe[256] = "", ep[64];
		snprintf(ep, sizeof(ep), "/proc/%d/exe", pid);
		ssize_t l = readlink(ep, exe, sizeof(exe) - 1);
		exe[l > 0 ? l : 0] = '\0';
		/* The command's own fds 0-2 are its by right; anything else of
		 * a process that is still nsbox is the caller's or nsbox's. */
		bool joining = strstr(exe, "nsbox") != NULL;
		if (fstat(fd, &st) == 0) {
			if (host_ino && st.st_dev == host_dev && st.st_ino == host_ino)
				hit(HOSTFILE, q);
			char why[200];
			if (S_ISDIR(st.st_mode) && leads_out(fd, marker, why, sizeof(why))) {
				char w[600];
				snprintf(w, sizeof(w), "%s: %s", q, why);
				hit(DIR_OUT, w);
			}
			if (joining && n > 2)
				hit(OTHER_FD, q);
		}
		close(fd);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	if (argc != 5 || sscanf(argv[2], "%lu:%lu", &bin_dev, &bin_ino) != 2 ||
	    sscanf(argv[4], "%lu:%lu", &host_dev, &host_ino) != 2) {
		fprintf(stderr, "usage: joinrace SECONDS NSBOX-DEV:INO MARKER HOSTFILE-DEV:INO\n");
		return 2;
	}
	marker = argv[3];
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	double secs = atof(argv[1]);
	long rounds = 0, seen = 0;
	int self = getpid(), last = 0;
	printf("racing\n");
	fflush(stdout);
	do {
		DIR *d = opendir("/proc");
		if (!d) {
			broken("opendir /proc: %s", ename(errno));
			return case_finish();
		}
		struct dirent *e;
		while ((e = readdir(d))) {
			int pid = atoi(e->d_name);
			if (pid <= 1 || pid == self)
				continue;
			if (pid > last) {
				seen++;
				last = pid;
			}
			look(pid);
		}
		closedir(d);
		rounds++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
	note("%ld scans of /proc, %ld new processes seen", rounds, seen);
	if (seen < 5)
		broken("only %ld new processes were seen: the test did not exec into the sandbox "
		       "while this ran",
		       seen);
	for (int k = 0; k < N_KINDS; k++)
		if (counts[k])
			escaped("%s: %ld times, first %s", kinds[k], counts[k], first[k]);
		else
			blocked("never: %s", kinds[k]);
	return case_finish();
}
