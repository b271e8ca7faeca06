// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's global knobs must not open for writing from inside: /proc/sys
 * (core_pattern runs a program as the host's root, modprobe likewise),
 * /proc/sysrq-trigger, /proc/irq, /proc/bus, /proc/fs, and /sys (uevent_helper
 * runs a program as the host's root). Nothing is ever written: an open for
 * writing that succeeds is already the escape. New entries must not be
 * creatable in /proc/sys or /sys either.
 *
 *   procwrite [PATH...]      more paths to try, besides the built-in ones
 *                            (a directory: nothing may be created in it)
 */
#include "case.h"

#include <sys/statvfs.h>

static const char *const paths[] = {
    "/proc/sys/kernel/core_pattern",
    "/proc/sys/kernel/modprobe",
    "/proc/sys/kernel/hostname",
    "/proc/sys/kernel/domainname",
    "/proc/sys/kernel/sysrq",
    "/proc/sys/kernel/panic",
    "/proc/sys/vm/drop_caches",
    "/proc/sys/fs/binfmt_misc/register",
    "/proc/sys/fs/file-max",
    "/proc/sys/net/ipv4/ip_forward",
    "/proc/sys/net/core/somaxconn",
    "/proc/sys/net/ipv4/neigh/default/gc_thresh3",
    "/proc/sysrq-trigger",
    "/proc/irq/default_smp_affinity",
    "/proc/sys/kernel/ns_last_pid",
    "/sys/kernel/uevent_helper",
    "/sys/kernel/profiling",
    "/sys/kernel/mm/transparent_hugepage/enabled",
    "/sys/power/state",
    "/sys/class/net/lo/mtu",
    "/sys/class/net/lo/tx_queue_len",
    "/sys/module/printk/parameters/time",
    "/sys/fs/cgroup/cgroup.procs",
};

static void try_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd >= 0) {
		escaped("open %s for writing (nothing written)", path);
		close(fd);
	} else if (errno == ENOENT) {
		note("%s does not exist here", path);
	} else {
		blocked("open %s for writing: %s", path, ename(errno));
	}
}

static void try_create(const char *dir)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/nsbox-sec-new", dir);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		escaped("create %s", p);
		close(fd);
		unlink(p);
	} else {
		blocked("create %s: %s", p, ename(errno));
	}
	if (mkdir(p, 0700) == 0) {
		escaped("mkdir %s", p);
		rmdir(p);
	} else {
		blocked("mkdir %s: %s", p, ename(errno));
	}
}

int main(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		try_open(paths[i]);
	/* Directories among them (rootfs.c's read-only paths) must not take a
	 * new entry; files must not open for writing. */
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			try_create(argv[i]);
		else
			try_open(argv[i]);
	}
	static const char *const dirs[] = {"/proc/sys", "/proc/sys/kernel", "/sys", "/sys/kernel",
					   "/sys/fs/cgroup"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		try_create(dirs[i]);
	static const char *const ro[] = {"/proc/sys", "/sys"};
	for (size_t i = 0; i < 2; i++) {
		struct statvfs sv;
		if (statvfs(ro[i], &sv) < 0)
			broken("statvfs %s: %s", ro[i], ename(errno));
		else if (sv.f_flag & ST_RDONLY)
			blocked("%s is mounted read-only", ro[i]);
		else
			escaped("%s is mounted read-write", ro[i]);
	}
	return case_finish();
}
