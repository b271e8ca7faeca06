// SPDX-License-Identifier: GPL-2.0-or-later
/* The sandbox root of nsbox's rootfs_build (--rootfs host), with libc
 * alone: shared by bench/launch-floor.c and bench/floor.c. */
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
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "floor_root.h"

#define STAGE "/tmp"
#define ROOT  STAGE "/root"

__attribute__((noreturn)) static void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what, strerror(errno));
	_exit(125);
}

void floor_mount(const char *src, const char *dst, const char *type, unsigned long flags,
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

/* Read-only, nosuid, nodev, and private (nsbox's bind_fd with BIND_RO):
 * not a slave of the host's mount, which would take in, read-write, what
 * the host mounts beneath it later. */
static void bind_ro(const char *src, const char *dst)
{
	struct mount_attr attr = {.attr_set =
				      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
	floor_mount(src, dst, NULL, MS_BIND | MS_REC, NULL);
	if (mount_setattr(AT_FDCWD, dst, AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		die(dst);
	floor_mount(NULL, dst, NULL, MS_PRIVATE | MS_REC, NULL);
}

/* nsbox's rootfs_build for --rootfs host, as bench/launch-floor.c does it
 * (27 mounts where /bin, /lib... are symlinks to /usr: 21, and the six
 * device nodes of /dev, each bound onto itself). */
void floor_build_root(const char *netns, const char *hostname)
{
	static const char *const host_dirs[] = {"usr",	 "bin",	  "sbin",   "lib",
						"lib32", "lib64", "libx32", "etc"};
	char src[300], dst[600], link[4096];
	struct stat st;

	floor_mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL);
	floor_mount("nsbox", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	xmkdir(ROOT);
	floor_mount(ROOT, ROOT, NULL, MS_BIND, NULL);
	for (size_t i = 0; i < sizeof(host_dirs) / sizeof(host_dirs[0]); i++) {
		snprintf(src, sizeof(src), "/%s", host_dirs[i]);
		snprintf(dst, sizeof(dst), ROOT "/%s", host_dirs[i]);
		if (lstat(src, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			ssize_t len = readlink(src, link, sizeof(link) - 1);
			if (len < 0)
				die(src);
			link[len] = '\0';
			if (symlink(link, dst) < 0)
				die(dst);
		} else if (S_ISDIR(st.st_mode)) {
			xmkdir(dst);
			bind_ro(src, dst);
		}
	}
	xmkdir(ROOT "/proc");
	floor_mount("proc", ROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	xmkdir(ROOT "/sys");
	floor_mount("sysfs", ROOT "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		    NULL);

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
	floor_mount("tmpfs", ROOT "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k");
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
	/* nsbox's populate_dev: each node bound onto itself, then /dev nodev,
	 * so that those six stay the only devices there. */
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		snprintf(dst, sizeof(dst), ROOT "/dev/%s", nodes[i].name);
		floor_mount(dst, dst, NULL, MS_BIND | MS_REC, NULL);
	}
	struct mount_attr nodev = {.attr_set = MOUNT_ATTR_NODEV};
	if (mount_setattr(AT_FDCWD, ROOT "/dev", 0, &nodev, sizeof(nodev)) < 0)
		die(ROOT "/dev nodev");
	xmkdir(ROOT "/dev/pts");
	floor_mount("devpts", ROOT "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		    "newinstance,ptmxmode=0666,mode=0620");
	xmkdir(ROOT "/dev/shm");
	floor_mount("tmpfs", ROOT "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	xmkdir(ROOT "/dev/mqueue");
	floor_mount("mqueue", ROOT "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	xmkdir(ROOT "/tmp");
	floor_mount("tmpfs", ROOT "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	xmkdir(ROOT "/run");
	floor_mount("tmpfs", ROOT "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	xmkdir(ROOT "/var");
	xmkdir(ROOT "/var/tmp");
	floor_mount("tmpfs", ROOT "/var/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");

	/* /etc/netns/NAME/FILE over /etc/FILE where both exist. */
	snprintf(src, sizeof(src), "/etc/netns/%s", netns);
	DIR *d = opendir(src);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			char from[600];
			snprintf(from, sizeof(from), "%s/%s", src, de->d_name);
			snprintf(dst, sizeof(dst), ROOT "/etc/%s", de->d_name);
			if (access(dst, F_OK) == 0)
				bind_ro(from, dst);
		}
		closedir(d);
	}
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
		floor_mount(NULL, ro_paths[i], NULL,
			    MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			    NULL);
	}
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	if (mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof(attr)) < 0)
		die("/ read-only");
}
