// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The chroot escape of the seeds (../../shared/seeds: mkdir, chroot into
 * it, chdir("..") from the cwd now outside the root, chroot(".")), and two
 * variants: through an fd of "/" kept across the chroot, and through a
 * chroot nested in a chroot. Each runs in a child of its own; it escaped
 * if, at the end, "/" is another directory than the sandbox's root or the
 * host-only MARKER is visible.
 *
 *   chroot MARKER [WORKDIR]       (WORKDIR writable, default /tmp)
 */
#include "case.h"

#include <sys/wait.h>

static const char *marker, *work;
static struct stat root0;

/* In the child: where the attempt landed. 0 contained, 1 escaped. */
static int landed(const char *how)
{
	struct stat st;
	if (stat("/", &st) < 0) {
		printf("BROKEN: %s: stat / after: %s\n", how, ename(errno));
		return 2;
	}
	bool moved = st.st_dev != root0.st_dev || st.st_ino != root0.st_ino;
	bool seen = access(marker, F_OK) == 0;
	if (moved || seen) {
		printf("ESCAPE: %s: / is %s, %s is %s\n", how,
		       moved ? "another directory" : "the same", marker,
		       seen ? "visible" : "invisible");
		return 1;
	}
	printf("blocked: %s: still in the sandbox's own root, %s invisible\n", how, marker);
	return 0;
}

static void up_all(void)
{
	for (int i = 0; i < 256; i++)
		if (chdir("..") < 0)
			break;
}

static int seeds(void)
{
	if (mkdir(".out", 0755) < 0 && errno != EEXIST)
		return printf("BROKEN: seeds: mkdir .out: %s\n", ename(errno)), 2;
	if (chroot(".out") < 0)
		return printf("blocked: seeds: chroot .out: %s\n", ename(errno)), 0;
	if (chdir("../../../../../") < 0)
		return printf("BROKEN: seeds: chdir ../../../../../: %s\n", ename(errno)), 2;
	up_all();
	if (chroot(".") < 0)
		return printf("blocked: seeds: chroot .: %s\n", ename(errno)), 0;
	return landed("seeds (mkdir .out, chroot .out, chdir ../../.., chroot .)");
}

static int kept_fd(void)
{
	int fd = open("/", O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return printf("BROKEN: kept fd: open /: %s\n", ename(errno)), 2;
	if (mkdir(".out2", 0755) < 0 && errno != EEXIST)
		return printf("BROKEN: kept fd: mkdir: %s\n", ename(errno)), 2;
	if (chroot(".out2") < 0)
		return printf("blocked: kept fd: chroot: %s\n", ename(errno)), 0;
	if (fchdir(fd) < 0)
		return printf("blocked: kept fd: fchdir: %s\n", ename(errno)), 0;
	up_all();
	if (chroot(".") < 0)
		return printf("blocked: kept fd: chroot .: %s\n", ename(errno)), 0;
	return landed("fd of / kept across chroot, fchdir, chdir .. x256, chroot .");
}

static int nested(void)
{
	if (mkdir(".out3", 0755) < 0 && errno != EEXIST)
		return printf("BROKEN: nested: mkdir: %s\n", ename(errno)), 2;
	if (chroot(".out3") < 0 || chdir("/") < 0)
		return printf("blocked: nested: chroot: %s\n", ename(errno)), 0;
	if (mkdir("in", 0755) < 0 && errno != EEXIST)
		return printf("BROKEN: nested: mkdir in: %s\n", ename(errno)), 2;
	if (chroot("in") < 0)
		return printf("blocked: nested: chroot in: %s\n", ename(errno)), 0;
	up_all();
	if (chroot(".") < 0)
		return printf("blocked: nested: chroot .: %s\n", ename(errno)), 0;
	return landed("chroot in a chroot, chdir .. x256, chroot .");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: chroot MARKER [WORKDIR]\n");
		return 2;
	}
	marker = argv[1];
	work = argc > 2 ? argv[2] : "/tmp";
	if (stat("/", &root0) < 0 || chdir(work) < 0) {
		broken("stat / or chdir %s: %s", work, ename(errno));
		return case_finish();
	}
	if (access(marker, F_OK) == 0)
		escaped("%s is visible before any attempt", marker);
	int (*attempts[])(void) = {seeds, kept_fd, nested};
	for (size_t i = 0; i < sizeof(attempts) / sizeof(attempts[0]); i++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			int r = attempts[i]();
			fflush(stdout);
			_exit(r);
		}
		int st;
		if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st)) {
			broken("attempt %zu: the child failed", i);
			continue;
		}
		int r = WEXITSTATUS(st);
		r == 0 ? case_blocked++ : r == 1 ? case_escaped++ : case_broken++;
	}
	return case_finish();
}
