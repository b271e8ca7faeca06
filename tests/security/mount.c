// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mount, umount and pivot_root from inside, old API and new: a fresh proc
 * or sysfs (without the masks), a bind of "/", read-only mounts remounted
 * read-write, the masks unmounted, "/" detached, a pivot_root, the mount
 * tree made shared. The command has no CAP_SYS_ADMIN and the syscall filter
 * refuses these calls anyway: each must fail, and afterwards the mount
 * table must be what it was, /proc/kcore still masked, /proc/sys still
 * read-only.
 *
 *   mount [WORKDIR]       (writable, default /tmp)
 */
#include "case.h"

#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

static char *slurp(const char *path)
{
	static char buf[3][65536];
	static int k;
	char *b = buf[k++ % 3];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, b, sizeof(buf[0]) - 1);
	b[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	return b;
}

static void attempt(const char *what, long r)
{
	if (r >= 0)
		escaped("%s: succeeded", what);
	else
		blocked("%s: %s", what, ename(errno));
}

int main(int argc, char **argv)
{
	const char *w = argc > 1 ? argv[1] : "/tmp";
	char d[5][300];
	static const char *const sub[] = {"m", "p", "s", "b", "old"};
	for (int i = 0; i < 5; i++) {
		snprintf(d[i], sizeof(d[i]), "%s/nsbox-sec-%s", w, sub[i]);
		mkdir(d[i], 0755);
	}
	char *before = slurp("/proc/self/mountinfo");
	char before_copy[65536];
	snprintf(before_copy, sizeof(before_copy), "%s", before);

	attempt("mount tmpfs", mount("nsbox-sec", d[0], "tmpfs", 0, NULL));
	attempt("mount a new proc (no masks)", mount("proc", d[1], "proc", 0, NULL));
	attempt("mount a read-write sysfs", mount("sysfs", d[2], "sysfs", 0, NULL));
	attempt("bind / elsewhere", mount("/", d[3], NULL, MS_BIND | MS_REC, NULL));
	attempt("remount / read-write", mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL));
	attempt("remount /proc/sys read-write",
		mount(NULL, "/proc/sys", NULL, MS_REMOUNT | MS_BIND, NULL));
	attempt("remount /usr read-write", mount(NULL, "/usr", NULL, MS_REMOUNT | MS_BIND, NULL));
	attempt("remount /sys read-write", mount(NULL, "/sys", NULL, MS_REMOUNT, NULL));
	attempt("make / shared", mount(NULL, "/", NULL, MS_SHARED | MS_REC, NULL));
	attempt("umount /proc/kcore (a mask)", umount2("/proc/kcore", MNT_DETACH));
	attempt("umount /proc/sys", umount2("/proc/sys", MNT_DETACH));
	attempt("umount /proc", umount2("/proc", MNT_DETACH));
	attempt("umount /", umount2("/", MNT_DETACH));
	attempt("pivot_root", syscall(SYS_pivot_root, w, d[4]));
	long fs = syscall(SYS_fsopen, "tmpfs", 0);
	attempt("fsopen tmpfs", fs);
	if (fs >= 0) {
		syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
		long m = syscall(SYS_fsmount, fs, 0, 0);
		attempt("fsmount", m);
		if (m >= 0)
			attempt("move_mount the new tmpfs", syscall(SYS_move_mount, m, "", AT_FDCWD,
								    d[0], MOVE_MOUNT_F_EMPTY_PATH));
	}
	long t = syscall(SYS_open_tree, AT_FDCWD, "/", OPEN_TREE_CLONE | AT_RECURSIVE);
	attempt("open_tree(OPEN_TREE_CLONE) of /", t);
	if (t >= 0)
		attempt("move_mount the clone",
			syscall(SYS_move_mount, t, "", AT_FDCWD, d[3], MOVE_MOUNT_F_EMPTY_PATH));
	struct mount_attr clr = {.attr_clr = MOUNT_ATTR_RDONLY};
	attempt("mount_setattr: /proc/sys read-write",
		syscall(SYS_mount_setattr, AT_FDCWD, "/proc/sys", 0, &clr, sizeof(clr)));
	attempt("mount_setattr: / read-write",
		syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &clr, sizeof(clr)));
	attempt("fspick /proc/sys", syscall(SYS_fspick, AT_FDCWD, "/proc/sys", 0));

	char *after = slurp("/proc/self/mountinfo");
	if (strcmp(before_copy, after))
		escaped("the mount table changed");
	else
		blocked("the mount table is as it was");
	int fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
	char c;
	if (fd >= 0 && read(fd, &c, 1) == 1)
		escaped("/proc/kcore reads: unmasked");
	else
		blocked("/proc/kcore is still masked");
	if (fd >= 0)
		close(fd);
	struct statvfs sv;
	if (statvfs("/proc/sys", &sv) == 0 && !(sv.f_flag & ST_RDONLY))
		escaped("/proc/sys is read-write");
	else
		blocked("/proc/sys is still read-only");
	for (int i = 4; i >= 0; i--)
		rmdir(d[i]);
	return case_finish();
}
