// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Probes the sandbox tests run inside a sandbox (built static, so they run
 * in a busybox root too).
 *
 *   probe fds            the open file descriptors, "0 1 2", without the
 *                        one this program reads /proc/self/fd through
 *   probe sys NAME...    for each syscall NAME, call it (in a child) with
 *                        arguments that make it fail harmlessly when it is
 *                        allowed (ENOENT, EINVAL, EFAULT, EBADF, ...) and
 *                        print "NAME OK" or "NAME ERRNONAME", one a line
 *   probe openw PATH...  open each PATH O_WRONLY (no O_CREAT, no O_TRUNC,
 *                        nothing written) and print "PATH OK|ERRNONAME"
 *   probe tiocsti        push one harmless byte (a newline-free '#') into
 *                        the input of the terminal on fd 0 (TIOCSTI) and
 *                        print "tiocsti OK|ERRNONAME": a sandboxed command
 *                        that can do this types into the caller's shell
 *
 * The sys arguments are chosen so that nothing happens even if the call is
 * allowed with every capability: reboot gets no magic, kexec_load bad
 * flags, init_module an empty image, swapon/mount/umount2/pivot_root a path
 * that does not exist, add_key a key type that does not exist.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOPATH "/nonexistent-nsbox-probe"

static long call(const char *name)
{
	if (!strcmp(name, "mount"))
		return mount("none", NOPATH, "tmpfs", 0, NULL);
	if (!strcmp(name, "umount2"))
		return umount2(NOPATH, 0);
	if (!strcmp(name, "pivot_root"))
		return syscall(SYS_pivot_root, NOPATH, NOPATH);
	if (!strcmp(name, "keyctl")) /* KEYCTL_GET_KEYRING_ID, session, no create */
		return syscall(SYS_keyctl, 0, -3, 0);
	if (!strcmp(name, "add_key"))
		return syscall(SYS_add_key, "nsbox-no-such-key-type", "d", "x", 1, -2);
	if (!strcmp(name, "bpf"))
		return syscall(SYS_bpf, 0x7fff, NULL, 0);
	if (!strcmp(name, "perf_event_open"))
		return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
	if (!strcmp(name, "kexec_load")) /* too many segments, bad flags: EINVAL */
		return syscall(SYS_kexec_load, 0, 100000, NULL, 0xdead0000);
	if (!strcmp(name, "init_module"))
		return syscall(SYS_init_module, NULL, 0, "");
	if (!strcmp(name, "finit_module"))
		return syscall(SYS_finit_module, -1, "", 0);
	if (!strcmp(name, "open_by_handle_at"))
		return syscall(SYS_open_by_handle_at, -1, NULL, 0);
	if (!strcmp(name, "reboot")) /* no magic: EINVAL when allowed */
		return syscall(SYS_reboot, 0, 0, 0, NULL);
	if (!strcmp(name, "swapon"))
		return syscall(SYS_swapon, NOPATH, 0);
	if (!strcmp(name, "unshare_user"))
		return unshare(CLONE_NEWUSER);
	errno = EDOM;
	return -1;
}

static int sys(int n, char **names)
{
	for (int i = 0; i < n; i++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0)
			return 2;
		if (pid == 0) {
			errno = 0;
			long r = call(names[i]);
			if (r < 0 && errno == EDOM)
				printf("%s unknown-probe\n", names[i]);
			else if (r < 0)
				printf("%s %s\n", names[i], strerrorname_np(errno));
			else
				printf("%s OK\n", names[i]);
			fflush(stdout);
			_exit(0);
		}
		int st;
		if (waitpid(pid, &st, 0) < 0)
			return 2;
		if (!WIFEXITED(st))
			printf("%s killed-by-signal-%d\n", names[i], WTERMSIG(st));
	}
	return 0;
}

static int fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		perror("opendir /proc/self/fd");
		return 2;
	}
	int self = dirfd(d), first = 1;
	int list[1024], n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 1024) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		if (fd != self)
			list[n++] = fd;
	}
	closedir(d);
	/* readdir order is numeric on procfs, but do not rely on it */
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (list[j] < list[i]) {
				int t = list[i];
				list[i] = list[j];
				list[j] = t;
			}
	for (int i = 0; i < n; i++) {
		printf("%s%d", first ? "" : " ", list[i]);
		first = 0;
	}
	printf("\n");
	return 0;
}

static int openw(int n, char **paths)
{
	for (int i = 0; i < n; i++) {
		int fd = open(paths[i], O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			printf("%s %s\n", paths[i], strerrorname_np(errno));
		} else {
			printf("%s OK\n", paths[i]);
			close(fd);
		}
	}
	return 0;
}

static int tiocsti(void)
{
	char c = '#';
	if (ioctl(0, TIOCSTI, &c) < 0)
		printf("tiocsti %s\n", strerrorname_np(errno));
	else
		printf("tiocsti OK\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "tiocsti"))
		return tiocsti();
	if (argc >= 2 && !strcmp(argv[1], "fds"))
		return fds();
	if (argc >= 2 && !strcmp(argv[1], "sys"))
		return sys(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "openw"))
		return openw(argc - 2, argv + 2);
	fprintf(stderr, "usage: probe fds | sys NAME... | openw PATH... | tiocsti\n");
	return 2;
}
