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

#define STAGE "/tmp"
#define ROOT  STAGE "/root"

static const char *netns;

__attribute__((noreturn)) static void die(const char *what)
{
	fprintf(stderr, "launch-floor: %s: %s\n", what, strerror(errno));
	_exit(125);
}

static void xmount(const char *src, const char *dst, const char *type, unsigned long flags,
		   const char *data)
{
	if (mount(src, dst, type, flags, data) < 0)
		die(dst);
}

static void xmkdir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		die(path);
}

/* A read-only (nosuid, nodev) recursive bind, as nsbox's bind_fd. */
static void bind_ro(const char *src, const char *dst)
{
	struct mount_attr attr = {.attr_set =
				      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
	xmount(src, dst, NULL, MS_BIND | MS_REC, NULL);
	if (mount_setattr(AT_FDCWD, dst, AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		die(dst);
}

static void build_root(const char *hostname)
{
	static const char *const host_dirs[] = {"usr",	 "bin",	  "sbin",   "lib",
						"lib32", "lib64", "libx32", "etc"};
	char src[64], dst[600], link[4096];
	struct stat st;

	xmount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL);
	xmount("nsbox", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	xmkdir(ROOT);
	xmount(ROOT, ROOT, NULL, MS_BIND, NULL);

	for (size_t i = 0; i < sizeof(host_dirs) / sizeof(host_dirs[0]); i++) {
		snprintf(src, sizeof(src), "/%s", host_dirs[i]);
		snprintf(dst, sizeof(dst), ROOT "/%s", host_dirs[i]);
		if (lstat(src, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(src, link, sizeof(link) - 1);
			if (n < 0)
				die(src);
			link[n] = '\0';
			if (symlink(link, dst) < 0)
				die(dst);
		} else if (S_ISDIR(st.st_mode)) {
			xmkdir(dst);
			bind_ro(src, dst);
		}
	}

	xmkdir(ROOT "/proc");
	xmount("proc", ROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	xmkdir(ROOT "/sys");
	xmount("sysfs", ROOT "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);

	static const struct {
		const char *name;
		unsigned major, minor;
	} nodes[] = {{"null", 1, 3},   {"zero", 1, 5},	  {"full", 1, 7},
		     {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
	static const char *const links[][2] = {{"pts/ptmx", "ptmx"},
					       {"/proc/self/fd", "fd"},
					       {"/proc/self/fd/0", "stdin"},
					       {"/proc/self/fd/1", "stdout"},
					       {"/proc/self/fd/2", "stderr"}};
	xmkdir(ROOT "/dev");
	xmount("tmpfs", ROOT "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k");
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		snprintf(dst, sizeof(dst), ROOT "/dev/%s", nodes[i].name);
		if (mknod(dst, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) < 0)
			die(dst);
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(dst, sizeof(dst), ROOT "/dev/%s", links[i][1]);
		if (symlink(links[i][0], dst) < 0)
			die(dst);
	}
	xmkdir(ROOT "/dev/pts");
	xmount("devpts", ROOT "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	       "newinstance,ptmxmode=0666,mode=0620");
	xmkdir(ROOT "/dev/shm");
	xmount("tmpfs", ROOT "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	xmkdir(ROOT "/dev/mqueue");
	xmount("mqueue", ROOT "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);

	xmkdir(ROOT "/tmp");
	xmount("tmpfs", ROOT "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	xmkdir(ROOT "/run");
	xmount("tmpfs", ROOT "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	xmkdir(ROOT "/var");
	xmkdir(ROOT "/var/tmp");
	xmount("tmpfs", ROOT "/var/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");

	/* /etc/netns/NAME/FILE over /etc/FILE where both exist. */
	snprintf(src, sizeof(src), "/etc/netns/%s", netns);
	DIR *d = opendir(src);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			char from[400];
			snprintf(from, sizeof(from), "%s/%s", src, de->d_name);
			snprintf(dst, sizeof(dst), ROOT "/etc/%s", de->d_name);
			if (access(dst, F_OK) == 0)
				xmount(from, dst, NULL, MS_BIND | MS_REC, NULL);
		}
		closedir(d);
	}

	/* /etc/hostname agrees with the UTS name: a file on the staging
	 * tmpfs bound (read-only) over it. */
	if (access(ROOT "/etc/hostname", F_OK) == 0) {
		int fd = open(STAGE "/hostname", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 || dprintf(fd, "%s\n", hostname) < 0)
			die(STAGE "/hostname");
		close(fd);
		bind_ro(STAGE "/hostname", ROOT "/etc/hostname");
	}

	if (chdir(ROOT) < 0)
		die(ROOT);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		die("umount2");
	if (chdir("/") < 0)
		die("/");

	/* Docker's masked and read-only paths, as nsbox's mask_proc. */
	static const char *const null_files[] = {"/proc/kcore",		"/proc/keys",
						 "/proc/latency_stats", "/proc/timer_list",
						 "/proc/timer_stats",	"/proc/sched_debug"};
	static const char *const empty_dirs[] = {"/proc/acpi", "/proc/asound", "/proc/scsi",
						 "/sys/firmware", "/sys/devices/virtual/powercap"};
	static const char *const ro_paths[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
					       "/proc/sysrq-trigger"};
	for (size_t i = 0; i < sizeof(null_files) / sizeof(null_files[0]); i++)
		if (mount("/dev/null", null_files[i], NULL, MS_BIND, NULL) < 0 && errno != ENOENT)
			die(null_files[i]);
	for (size_t i = 0; i < sizeof(empty_dirs) / sizeof(empty_dirs[0]); i++)
		if (mount("tmpfs", empty_dirs[i], "tmpfs", MS_RDONLY, "size=4k,nr_inodes=1") < 0 &&
		    errno != ENOENT)
			die(empty_dirs[i]);
	for (size_t i = 0; i < sizeof(ro_paths) / sizeof(ro_paths[0]); i++) {
		if (mount(ro_paths[i], ro_paths[i], NULL, MS_BIND | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			die(ro_paths[i]);
		}
		xmount(NULL, ro_paths[i], NULL,
		       MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	}
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	if (mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof(attr)) < 0)
		die("/ read-only");
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
	build_root(hostname);

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
