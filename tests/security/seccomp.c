// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every syscall of nsbox's deny list (src/sandbox/seccomp_rules.c; the test
 * passes the names it finds there), called with arguments that would make
 * it fail harmlessly (or do nothing) if it did reach the kernel, must come
 * back with the filter's answer: EPERM, or ENOSYS for clone3. Each call runs
 * in a child of its own. Beyond the list: user namespaces through unshare,
 * clone and clone3, TIOCSTI/TIOCLINUX (also with bits above the 32 the
 * kernel reads, which a filter comparing 64 bits would miss), and mount
 * through the other ABIs of x86-64 (int 0x80, x32), which the filter must
 * kill (libseccomp's default for a foreign architecture) rather than pass.
 *
 *   seccomp NAME...
 *
 * The result of a call that reached the kernel is what the kernel says to
 * its harmless arguments (EFAULT, EBADF, ENOENT, EINVAL, or success); any
 * answer other than the filter's is an escape of the filter.
 */
#include "case.h"

#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>

#define NOPATH "/nonexistent-nsbox-sec"
#ifndef __NR_clone3
#define __NR_clone3 435
#endif

struct handle {
	unsigned int bytes;
	int type;
	unsigned char h[8];
};

/* -1 and errno, or the syscall's return value; -2 when the call does not
 * exist on this architecture; -3 for a name this program does not know. */
static long call(const char *n)
{
	static struct handle fh;
	static int mnt;
	static char tx[256]; /* struct timex, modes 0: read only */
#define IS(s)	    (!strcmp(n, s))
#define SYS(s, ...) return syscall(SYS_##s, ##__VA_ARGS__)
	if (IS("acct"))
		SYS(acct, NOPATH);
	if (IS("add_key"))
		SYS(add_key, "nsbox-no-such-key-type", "d", "x", 1, -2);
	if (IS("bpf"))
		SYS(bpf, 0x7fff, NULL, 0);
	if (IS("clock_adjtime"))
		SYS(clock_adjtime, 0, tx);
	if (IS("clock_settime"))
		SYS(clock_settime, 0, NULL);
	if (IS("create_module"))
		SYS(create_module, NULL, 0);
	if (IS("delete_module"))
		SYS(delete_module, "nsbox_no_such_module", 04000);
	if (IS("finit_module"))
		SYS(finit_module, -1, "", 0);
	if (IS("fsconfig"))
		SYS(fsconfig, -1, 0, NULL, NULL, 0);
	if (IS("fsmount"))
		SYS(fsmount, -1, 0, 0);
	if (IS("fsopen"))
		SYS(fsopen, "nsbox-no-such-fs", 0);
	if (IS("fspick"))
		SYS(fspick, -1, "", 0);
	if (IS("get_kernel_syms"))
		SYS(get_kernel_syms, NULL);
	if (IS("init_module"))
		SYS(init_module, NULL, 0, "");
	if (IS("ioperm")) /* turning ports off needs nothing */
		SYS(ioperm, 0, 0, 0);
	if (IS("iopl")) /* level 0 from 0 needs nothing */
		SYS(iopl, 0);
	if (IS("kcmp"))
		SYS(kcmp, getpid(), getpid(), 0, 0, 0);
	if (IS("kexec_file_load"))
		SYS(kexec_file_load, -1, -1, 0, NULL, 0xdead0000UL);
	if (IS("kexec_load"))
		SYS(kexec_load, 0, 100000, NULL, 0xdead0000UL);
	if (IS("keyctl")) /* KEYCTL_GET_KEYRING_ID of the session keyring, no create */
		SYS(keyctl, 0, -3, 0);
	if (IS("lookup_dcookie"))
		SYS(lookup_dcookie, 0, NULL, 0);
	if (IS("mount"))
		SYS(mount, "none", NOPATH, "tmpfs", 0, NULL);
	if (IS("mount_setattr"))
		SYS(mount_setattr, -1, "", 0, NULL, 0);
	if (IS("move_mount"))
		SYS(move_mount, -1, "", -1, "", 0);
	if (IS("name_to_handle_at")) /* a 0-byte handle: EOVERFLOW */
		SYS(name_to_handle_at, AT_FDCWD, "/", &fh, &mnt, 0);
	if (IS("nfsservctl"))
		SYS(nfsservctl, 0, NULL, NULL);
	if (IS("open_by_handle_at"))
		SYS(open_by_handle_at, -1, NULL, 0);
	if (IS("open_tree"))
		SYS(open_tree, AT_FDCWD, NOPATH, 0);
	if (IS("perf_event_open"))
		SYS(perf_event_open, NULL, 0, -1, -1, 0);
	if (IS("pivot_root"))
		SYS(pivot_root, NOPATH, NOPATH);
	if (IS("process_vm_readv"))
		SYS(process_vm_readv, getpid(), NULL, 0, NULL, 0, 0);
	if (IS("process_vm_writev"))
		SYS(process_vm_writev, getpid(), NULL, 0, NULL, 0, 0);
	if (IS("ptrace")) /* PTRACE_SEIZE of a pid that cannot exist */
		SYS(ptrace, 0x4206, 0x3ffffff0, 0, 0);
	if (IS("query_module"))
		SYS(query_module, NULL, 0, NULL, 0, NULL);
	if (IS("quotactl"))
		SYS(quotactl, 0x800004, NOPATH, 0, NULL); /* QCMD(Q_GETFMT, USRQUOTA) */
	if (IS("quotactl_fd"))
		SYS(quotactl_fd, -1, 0x800004, 0, NULL);
	if (IS("reboot")) /* no magic: EINVAL */
		SYS(reboot, 0, 0, 0, NULL);
	if (IS("request_key"))
		SYS(request_key, "user", "nsbox-no-such-key", NULL, 0);
	if (IS("setns"))
		SYS(setns, -1, 0);
	if (IS("settimeofday")) /* both NULL: nothing is set */
		SYS(settimeofday, NULL, NULL);
	if (IS("swapoff"))
		SYS(swapoff, NOPATH);
	if (IS("swapon"))
		SYS(swapon, NOPATH, 0);
	if (IS("syslog")) /* SYSLOG_ACTION_SIZE_BUFFER */
		SYS(syslog, 10, NULL, 0);
	if (IS("_sysctl"))
		SYS(_sysctl, NULL);
	if (IS("umount2"))
		SYS(umount2, NOPATH, 0);
	if (IS("uselib"))
		SYS(uselib, NOPATH);
	if (IS("userfaultfd")) /* invalid flags: EINVAL */
		SYS(userfaultfd, 0x7ff00000);
	if (IS("ustat"))
		SYS(ustat, 0, NULL);
	/* Not on x86-64: nsbox skips them too. */
	if (IS("stime") || IS("umount") || IS("vm86") || IS("vm86old"))
		return -2;
	/* Beyond the list. */
	if (IS("unshare(CLONE_NEWUSER)"))
		return unshare(CLONE_NEWUSER);
	if (IS("unshare(CLONE_NEWUSER|CLONE_NEWNS)"))
		return unshare(CLONE_NEWUSER | CLONE_NEWNS);
	if (IS("clone(CLONE_NEWUSER)")) {
		long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, NULL, NULL, 0);
		if (r == 0)
			_exit(0);
		return r;
	}
	if (IS("clone3(CLONE_NEWUSER)") || IS("clone3()")) {
		struct clone_args a = {.flags = IS("clone3()") ? 0 : CLONE_NEWUSER,
				       .exit_signal = SIGCHLD};
		long r = syscall(__NR_clone3, &a, sizeof(a));
		if (r == 0)
			_exit(0);
		return r;
	}
	char c = '#';
	if (IS("ioctl(TIOCSTI)"))
		return syscall(SYS_ioctl, -1, TIOCSTI, &c);
	if (IS("ioctl(TIOCSTI|1<<32)"))
		return syscall(SYS_ioctl, -1, (unsigned long)TIOCSTI | 1UL << 32, &c);
	if (IS("ioctl(TIOCLINUX)"))
		return syscall(SYS_ioctl, -1, TIOCLINUX, &c);
#if defined(__x86_64__)
	if (IS("int80-mount")) { /* i386's mount is 21; NULL args: EFAULT */
		long r;
		__asm__ volatile("int $0x80"
				 : "=a"(r)
				 : "a"(21L), "b"(0L), "c"(0L), "d"(0L), "S"(0L), "D"(0L)
				 : "memory");
		if (r < 0 && r > -4096) {
			errno = (int)-r;
			return -1;
		}
		return r;
	}
	if (IS("x32-mount")) /* x32's mount: 165 with the x32 bit */
		return syscall(0x40000000L | SYS_mount, NULL, NULL, NULL, 0, NULL);
#endif
	return -3;
#undef IS
#undef SYS
}

static int expected(const char *n)
{
	if (!strncmp(n, "clone3", 6))
		return ENOSYS;
	if (!strcmp(n, "int80-mount") || !strcmp(n, "x32-mount"))
		return -SIGSYS;
	return EPERM;
}

int main(int argc, char **argv)
{
	static const char *const extra[] = {
		"unshare(CLONE_NEWUSER)",
		"unshare(CLONE_NEWUSER|CLONE_NEWNS)",
		"clone(CLONE_NEWUSER)",
		"clone3(CLONE_NEWUSER)",
		"clone3()",
		"ioctl(TIOCSTI)",
		"ioctl(TIOCSTI|1<<32)",
		"ioctl(TIOCLINUX)",
#if defined(__x86_64__)
		"int80-mount",
		"x32-mount",
#endif
	};
	int n_extra = sizeof(extra) / sizeof(extra[0]);
	if (argc < 2) {
		fprintf(stderr, "usage: seccomp NAME...\n");
		return 2;
	}
	for (int i = 1; i < argc + n_extra; i++) {
		const char *n = i < argc ? argv[i] : extra[i - argc];
		int p[2];
		if (pipe(p) < 0)
			return 2;
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			close(p[0]);
			errno = 0;
			long r = call(n);
			int res[2] = {r >= 0 ? 0 : (int)r, r == -1 ? errno : 0};
			if (write(p[1], res, sizeof(res)) < 0)
				_exit(3);
			_exit(0);
		}
		close(p[1]);
		int res[2] = {0, 0}, st = 0;
		ssize_t got = read(p[0], res, sizeof(res));
		close(p[0]);
		if (pid < 0 || waitpid(pid, &st, 0) < 0) {
			broken("%s: fork/wait: %s", n, ename(errno));
			continue;
		}
		int want = expected(n);
		if (got != sizeof(res) && WIFSIGNALED(st)) {
			int sig = WTERMSIG(st);
			if (-sig == want)
				blocked("%s: killed by SIGSYS (a foreign ABI)", n);
			else if (want < 0 && sig == SIGSEGV)
				blocked("%s: SIGSEGV: the kernel lacks this ABI", n);
			else
				escaped("%s: killed by signal %d, expected %s", n, sig,
					want < 0 ? "SIGSYS" : ename(want));
			continue;
		}
		if (got != sizeof(res)) {
			broken("%s: the child said nothing (status %d)", n, st);
			continue;
		}
		if (res[0] == -3) {
			broken("%s: this case does not know the syscall (add it to seccomp.c)", n);
			continue;
		}
		if (res[0] == -2) {
			note("%s: not a syscall of this architecture", n);
			continue;
		}
		int e = res[0] == 0 ? 0 : res[1];
		if (e == want)
			blocked("%s: %s", n, ename(e));
		else if (want < 0 && e == ENOSYS)
			blocked("%s: ENOSYS: the kernel lacks this ABI", n);
		else
			escaped("%s: %s, expected %s: the call reached the kernel", n, ename(e),
				want < 0 ? "SIGSYS" : ename(want));
	}
	return case_finish();
}
