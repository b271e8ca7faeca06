// SPDX-License-Identifier: GPL-2.0-or-later
/* launch-floor: the kernel work of `nsbox run --netns NAME -- CMD` and
 * nothing else, for bench/launch. libc only: no libcap-ng, no libseccomp
 * (so no syscall filter: the one thing nsbox does that this does not), no
 * journal, no error pipe, no checks beyond the return values.
 *
 *   launch-floor NAME [CMD [ARG...]]      (CMD defaults to /bin/true)
 *
 * The same sequence and the same mounts as src/sandbox/launch.c and
 * rootfs.c with --rootfs host:
 *   clone3(NEWNS|NEWUTS|NEWIPC|NEWPID) -> setns(/run/netns/NAME),
 *   sethostname, / MS_SLAVE|MS_REC, a staging tmpfs on /tmp, /tmp/root bound
 *   to itself; the host's /usr /bin /sbin /lib* /etc as read-only recursive
 *   binds, or as the same symlinks where the host has symlinks (merged /usr);
 *   proc, sysfs (ro), /dev (tmpfs, 6 nodes, 5 links, devpts, shm, mqueue),
 *   tmpfs on /tmp /run /var/tmp, /etc/netns/NAME/FILE over /etc/FILE, a hostname
 *   file bound over /etc/hostname; pivot_root(".", ".") + umount2(".",
 *   MNT_DETACH); the /proc and /sys masks (6 /dev/null binds, 5 empty
 *   tmpfs, 5 read-only binds); / read-only; then PID 1 forks the command
 *   (PID 2) and waits for it, after dropping its own capabilities to
 *   CAP_KILL; PID 2 keeps Docker's 14 capabilities (bounding set shrunk
 *   with PR_CAPBSET_DROP, then capset), clears the ambient set, sets
 *   no_new_privs and execs CMD. The caller waits for PID 1 and exits with
 *   its status.
 *
 * Where nsbox has to look a path up safely (openat2 RESOLVE_IN_ROOT, new
 * mount API on fds), this uses plain paths: the floor is the cheapest way
 * to the same mount table. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "floor_root.h"

static const char *netns;

__attribute__((noreturn)) static void die(const char *what)
{
	fprintf(stderr, "launch-floor: %s: %s\n", what, strerror(errno));
	_exit(125);
}

/* Keep exactly the capabilities in mask: the bounding set first (needs
 * CAP_SETPCAP, still held), then the effective, permitted and inheritable
 * sets, then the ambient set cleared. */
static void caps_keep(uint64_t mask, bool inheritable)
{
	for (int cap = 0; cap < 64; cap++) {
		if (mask & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break; /* past the last capability */
			die("PR_CAPBSET_DROP");
		}
	}
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {0};
	for (int i = 0; i < 2; i++) {
		data[i].effective = data[i].permitted = (uint32_t)(mask >> (32 * i));
		data[i].inheritable = inheritable ? data[i].permitted : 0;
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		die("capset");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		die("PR_CAP_AMBIENT");
}

static uint64_t docker_caps(void)
{
	static const int caps[] = {
	    CAP_CHOWN,	 CAP_DAC_OVERRIDE, CAP_FSETID,		 CAP_FOWNER,
	    CAP_MKNOD,	 CAP_NET_RAW,	   CAP_SETGID,		 CAP_SETUID,
	    CAP_SETFCAP, CAP_SETPCAP,	   CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
	    CAP_KILL,	 CAP_AUDIT_WRITE};
	uint64_t m = 0;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		m |= 1ULL << caps[i];
	return m;
}

__attribute__((noreturn)) static void sandbox_init(int netns_fd, char **argv)
{
	const char *hostname = "floor";
	umask(0); /* the /dev nodes get exactly 0666 */
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		die("setns");
	close(netns_fd);
	if (sethostname(hostname, strlen(hostname)) < 0)
		die("sethostname");
	floor_build_root(netns, hostname);

	pid_t cmd = fork();
	if (cmd < 0)
		die("fork");
	if (cmd == 0) {
		caps_keep(docker_caps(), true);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			die("no_new_privs");
		umask(022);
		execv(argv[0], argv);
		die(argv[0]);
	}
	/* PID 1: CAP_KILL only, as nsbox's init, then wait. */
	caps_keep(1ULL << CAP_KILL, false);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die("prctl");
	int status;
	while (waitpid(cmd, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

int main(int argc, char **argv)
{
	static char *deflt[] = {"/bin/true", NULL};
	if (argc < 2) {
		fprintf(stderr, "usage: launch-floor NETNS [CMD [ARG...]]\n");
		return 2;
	}
	netns = argv[1];
	char **cmd = argc > 2 ? argv + 2 : deflt;
	char path[300];
	snprintf(path, sizeof(path), "/run/netns/%s", netns);
	int netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (netns_fd < 0)
		die(path);

	struct {
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	} args = {
	    .flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID,
	    .exit_signal = SIGCHLD,
	};
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0)
		die("clone3");
	if (pid == 0)
		sandbox_init(netns_fd, cmd);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
