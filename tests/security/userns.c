// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Regaining capabilities through a new namespace: a user namespace (in
 * which the creator holds every capability) by unshare, clone and clone3,
 * alone or with a mount namespace, and the other namespaces without one
 * (which need CAP_SYS_ADMIN). None may be created; if one is, the child
 * goes on to show what it gained: it maps itself to root, makes a mount
 * namespace and mounts over /etc, and tries the host-wide knobs.
 *
 *   userns
 */
#include "case.h"

#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef __NR_clone3
#define __NR_clone3 435
#endif

/* In a child that got a new user namespace: what can it do with it? */
static void exploit(void)
{
	int fd = open("/proc/self/setgroups", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "deny", 4) < 0) {
		}
		close(fd);
	}
	fd = open("/proc/self/uid_map", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "0 0 1", 5) < 0) {
		}
		close(fd);
	}
	if (unshare(CLONE_NEWNS) == 0 && mount("nsbox-sec", "/etc", "tmpfs", 0, NULL) == 0)
		printf(" then mounted a tmpfs over /etc in a mount namespace of its own;");
	fd = open("/proc/sys/kernel/core_pattern", O_WRONLY);
	if (fd >= 0)
		printf(" and opened core_pattern for writing;");
}

static int run(const char *what, long (*fn)(void))
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 1);
		errno = 0;
		long r = fn();
		if (r < 0) {
			printf("%s", ename(errno));
			_exit(0);
		}
		printf("CREATED;");
		exploit();
		fflush(stdout);
		_exit(1);
	}
	close(p[1]);
	char out[512];
	ssize_t n = read(p[0], out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = '\0';
	close(p[0]);
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st)) {
		broken("%s: the child failed", what);
		return -1;
	}
	if (WEXITSTATUS(st))
		escaped("%s: %s", what, out);
	else
		blocked("%s: %s", what, out);
	return 0;
}

static long u_user(void)
{
	return unshare(CLONE_NEWUSER);
}
static long u_user_ns(void)
{
	return unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET);
}
static long c_user(void)
{
	long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, NULL, NULL, 0);
	if (r > 0) { /* the parent: the namespace exists (in the child) */
		waitpid((pid_t)r, NULL, 0);
		return 0;
	}
	if (r == 0)
		_exit(0);
	return r;
}
static long c3_user(void)
{
	struct clone_args a = {.flags = CLONE_NEWUSER, .exit_signal = SIGCHLD};
	long r = syscall(__NR_clone3, &a, sizeof(a));
	if (r > 0) {
		waitpid((pid_t)r, NULL, 0);
		return 0;
	}
	if (r == 0)
		_exit(0);
	return r;
}
static long u_ns(void)
{
	return unshare(CLONE_NEWNS);
}
static long u_net(void)
{
	return unshare(CLONE_NEWNET);
}
static long u_pid(void)
{
	return unshare(CLONE_NEWPID);
}
static long u_uts(void)
{
	return unshare(CLONE_NEWUTS);
}
static long u_cgroup(void)
{
	return unshare(CLONE_NEWCGROUP);
}
static long setns_user(void)
{
	int fd = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -1 : setns(fd, CLONE_NEWUSER);
}
static long setns_init_mnt(void)
{
	int fd = open("/proc/1/ns/mnt", O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -1 : setns(fd, CLONE_NEWNS);
}

int main(void)
{
	run("unshare(CLONE_NEWUSER)", u_user);
	run("unshare(CLONE_NEWUSER|NEWNS|NEWPID|NEWNET)", u_user_ns);
	run("clone(CLONE_NEWUSER)", c_user);
	run("clone3(CLONE_NEWUSER)", c3_user);
	run("unshare(CLONE_NEWNS) without a user namespace", u_ns);
	run("unshare(CLONE_NEWNET) without a user namespace", u_net);
	run("unshare(CLONE_NEWPID) without a user namespace", u_pid);
	run("unshare(CLONE_NEWUTS) without a user namespace", u_uts);
	run("unshare(CLONE_NEWCGROUP) without a user namespace", u_cgroup);
	run("setns into its own user namespace", setns_user);
	run("setns into the init's mount namespace", setns_init_mnt);
	return case_finish();
}
