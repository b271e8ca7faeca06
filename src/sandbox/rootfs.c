// SPDX-License-Identifier: GPL-2.0-or-later
/* The sandbox's root filesystem, built in its fresh mount namespace and
 * entered with pivot_root. Every mount target inside the new root is first
 * resolved to an fd with openat2(RESOLVE_IN_ROOT), so a symlink in a
 * rootfs DIR can never make nsbox mount over a host path; /proc, /sys and
 * /dev may not be symlinks at all. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "rootfs.h"

/* Everything is built under a tmpfs mounted over /tmp in the sandbox's own
 * mount namespace (as bubblewrap does): an existing directory, so nothing
 * is created on the host, and hidden from the host by MS_SLAVE. */
#define STAGE	   "/tmp"
#define STAGE_ROOT STAGE "/root"

static const char *const host_dirs[] = {"usr",	 "bin",	  "sbin",   "lib",
					"lib32", "lib64", "libx32", "etc"};

void rootfs_fds_close(struct rootfs_fds *fds)
{
	if (fds->dir >= 0)
		close(fds->dir);
	if (fds->etc_netns >= 0)
		close(fds->etc_netns);
	if (fds->tty >= 0)
		close(fds->tty);
	for (size_t i = 0; i < fds->n_binds; i++)
		if (fds->binds[i] >= 0)
			close(fds->binds[i]);
	free(fds->binds);
	fds->dir = fds->etc_netns = fds->tty = -1;
	fds->binds = NULL;
	fds->n_binds = 0;
}

int rootfs_open(const struct sandbox_spec *spec, struct rootfs_fds *ret_fds, struct nc_err *err)
{
	struct rootfs_fds fds = {.dir = -1, .etc_netns = -1, .tty = -1};
	int r = 0;
	if (spec->rootfs) {
		fds.dir = open(spec->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fds.dir < 0)
			return nc_err_errno(err, errno, "rootfs %s", spec->rootfs);
		static const char *const fixed[] = {"proc", "sys", "dev"};
		for (size_t i = 0; i < 3; i++) {
			struct stat st;
			if (fstatat(fds.dir, fixed[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    !S_ISDIR(st.st_mode)) {
				r = nc_err_set(err, EINVAL,
					       "rootfs %s: /%s is %s, not a directory (refused: "
					       "it could lead outside the root)",
					       spec->rootfs, fixed[i],
					       S_ISLNK(st.st_mode) ? "a symlink" : "a file");
				goto fail;
			}
		}
	}
	if (spec->net == SANDBOX_NET_NETNS) {
		char path[300];
		snprintf(path, sizeof(path), "/etc/netns/%s", spec->netns);
		fds.etc_netns = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (spec->tty) {
		const char *tty = ttyname(STDIN_FILENO);
		if (!tty || (fds.tty = open(tty, O_PATH | O_CLOEXEC)) < 0) {
			r = nc_err_errno(err, errno, "--tty: cannot find the terminal's device");
			goto fail;
		}
	}
	if (spec->n_binds) {
		fds.binds = calloc(spec->n_binds, sizeof(int));
		if (!fds.binds) {
			r = nc_err_errno(err, ENOMEM, "bind");
			goto fail;
		}
	}
	for (size_t i = 0; i < spec->n_binds; i++, fds.n_binds++) {
		fds.binds[i] = open(spec->binds[i].src, O_PATH | O_CLOEXEC);
		if (fds.binds[i] < 0) {
			r = nc_err_errno(err, errno, "bind %s:%s: source %s", spec->binds[i].src,
					 spec->binds[i].dst, spec->binds[i].src);
			goto fail;
		}
	}
	*ret_fds = fds;
	return 0;
fail:
	rootfs_fds_close(&fds);
	return r;
}

static int openat2_fd(int dirfd, const char *path, int flags, uint64_t resolve)
{
	struct open_how how = {.flags = (uint64_t)flags | O_CLOEXEC, .resolve = resolve};
	int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

static const char *fd_path(int fd, char buf[static 32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

/* Resolve path inside root to an O_PATH fd, creating what is missing: the
 * directories on the way, and the last component as a directory (dir) or
 * an empty file. nosymlinks refuses any symlink on the way. */
static int resolve_in_root(int root, const char *path, bool dir, bool nosymlinks, int *ret_fd,
			   struct nc_err *err)
{
	uint64_t res = nosymlinks ? RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS
				  : RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	while (*path == '/')
		path++;
	int fd = openat2_fd(root, *path ? path : ".", O_PATH, res);
	if (fd >= 0) {
		*ret_fd = fd;
		return 0;
	}
	if (fd == -ELOOP)
		return nc_err_set(err, ELOOP, "/%s in the sandbox root is a symlink (refused)",
				  path);
	if (fd != -ENOENT)
		return nc_err_errno(err, -fd, "/%s in the sandbox root", path);

	/* Create it component by component; each parent is resolved afresh
	 * from root, so a symlink met on the way still stays inside. */
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	char *p = buf;
	for (;;) {
		char *slash = strchr(p, '/');
		bool last = !slash;
		if (slash)
			*slash = '\0';
		char *name = strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
		_cleanup_close_ int parent = -1;
		if (name != buf) {
			name[-1] = '\0';
			parent = openat2_fd(root, buf, O_PATH | O_DIRECTORY, res);
			name[-1] = '/';
		} else {
			parent = dup(root);
		}
		if (parent < 0)
			return nc_err_errno(err, -parent, "/%s in the sandbox root", buf);
		int r = 0;
		if (!last || dir)
			r = mkdirat(parent, name, 0755);
		else {
			int f = openat(parent, name,
				       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
			r = f < 0 ? -1 : close(f);
		}
		if (r < 0 && errno != EEXIST)
			return nc_err_errno(err, errno, "create /%s in the sandbox root", buf);
		if (last)
			break;
		*slash = '/';
		p = slash + 1;
	}
	fd = openat2_fd(root, path, O_PATH, res);
	if (fd < 0)
		return nc_err_errno(err, -fd, "/%s in the sandbox root", path);
	*ret_fd = fd;
	return 0;
}

/* Mount a filesystem (or, with fstype NULL and source an fd path, nothing
 * else) on path inside root. */
static int mount_in(int root, const char *path, const char *fstype, unsigned long flags,
		    const char *data, bool nosymlinks, struct nc_err *err)
{
	_cleanup_close_ int fd = -1;
	int r = resolve_in_root(root, path, true, nosymlinks, &fd, err);
	if (r < 0)
		return r;
	char target[32];
	if (mount(fstype, fd_path(fd, target), fstype, flags, data) < 0)
		return nc_err_errno(err, errno, "mount %s on /%s in the sandbox", fstype, path);
	return 0;
}

/* A bind of the host's, read-only: no setuid, no devices. */
#define BIND_RO (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)

/* A recursive bind of the object src_fd (or src_dfd/src_path) onto the
 * object target_fd, with the mount attributes attrs (MOUNT_ATTR_*). The new
 * mount API works on fds throughout, so nothing is looked up by path twice.
 * A read-only bind is made private too: as a slave of the host's mounts
 * (MS_SLAVE of the whole namespace), it would take in mounts the host makes
 * beneath it later, with their own flags, read-write. */
static int bind_fd(int src_dfd, const char *src_path, int target_fd, uint64_t attrs,
		   const char *what, struct nc_err *err)
{
	unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE;
	if (!*src_path)
		flags |= AT_EMPTY_PATH;
	_cleanup_close_ int tree = open_tree(src_dfd, src_path, flags);
	if (tree < 0)
		return nc_err_errno(err, errno, "%s: clone the mount", what);
	if (attrs) {
		struct mount_attr attr = {.attr_set = attrs};
		if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
			return nc_err_errno(err, errno, "%s: set its attributes", what);
	}
	if (move_mount(tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0)
		return nc_err_errno(err, errno, "%s: attach", what);
	if (attrs & MOUNT_ATTR_RDONLY) {
		/* Once attached: propagation is changed on mounts of the
		 * caller's namespace only. */
		struct mount_attr attr = {.propagation = MS_PRIVATE};
		if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
			return nc_err_errno(err, errno, "%s: make private", what);
	}
	return 0;
}

static int populate_host(int root, struct nc_err *err)
{
	for (size_t i = 0; i < sizeof(host_dirs) / sizeof(host_dirs[0]); i++) {
		const char *name = host_dirs[i];
		char src[64], link[4096];
		snprintf(src, sizeof(src), "/%s", name);
		struct stat st;
		if (lstat(src, &st) < 0)
			continue; /* no /lib32 here: nothing to show */
		if (S_ISLNK(st.st_mode)) {
			/* Merged /usr: /bin -> usr/bin, kept as the same link. */
			ssize_t n = readlink(src, link, sizeof(link) - 1);
			if (n < 0)
				return nc_err_errno(err, errno, "readlink %s", src);
			link[n] = '\0';
			if (symlinkat(link, root, name) < 0)
				return nc_err_errno(err, errno, "symlink /%s in the sandbox", name);
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			continue;
		_cleanup_close_ int target = -1;
		int r = resolve_in_root(root, name, true, true, &target, err);
		if (r < 0)
			return r;
		char what[64];
		snprintf(what, sizeof(what), "bind %s", src);
		if ((r = bind_fd(AT_FDCWD, src, target, BIND_RO, what, err)) < 0)
			return r;
	}
	return 0;
}

struct dev_node {
	const char *name;
	unsigned major, minor;
};

static int populate_dev(int root, int tty, struct nc_err *err)
{
	static const struct dev_node nodes[] = {
	    {"null", 1, 3},   {"zero", 1, 5},	 {"full", 1, 7},
	    {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
	};
	int r =
	    mount_in(root, "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k", true, err);
	if (r < 0)
		return r;
	/* The fd resolved before the mount names the directory beneath it;
	 * resolve again to reach the new tmpfs. */
	_cleanup_close_ int dev =
	    openat2_fd(root, "dev", O_PATH | O_DIRECTORY, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
	if (dev < 0)
		return nc_err_errno(err, -dev, "/dev in the sandbox");
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		if (mknodat(dev, nodes[i].name, S_IFCHR | 0666,
			    makedev(nodes[i].major, nodes[i].minor)) < 0)
			return nc_err_errno(err, errno, "mknod /dev/%s in the sandbox",
					    nodes[i].name);
	static const char *const links[][2] = {
	    {"pts/ptmx", "ptmx"},	   {"/proc/self/fd", "fd"},
	    {"/proc/self/fd/0", "stdin"},  {"/proc/self/fd/1", "stdout"},
	    {"/proc/self/fd/2", "stderr"},
	};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlinkat(links[i][0], dev, links[i][1]) < 0)
			return nc_err_errno(err, errno, "symlink /dev/%s in the sandbox",
					    links[i][1]);
	/* The command keeps CAP_MKNOD (Docker's set), and nothing like
	 * Docker's device cgroup stops a node it makes from opening any of the
	 * host's devices (its disks raw): /dev becomes nodev, and the nodes
	 * above, each bound onto itself first, stay the only devices there. */
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		_cleanup_close_ int node = openat(dev, nodes[i].name, O_PATH | O_CLOEXEC);
		if (node < 0)
			return nc_err_errno(err, errno, "/dev/%s in the sandbox", nodes[i].name);
		if ((r = bind_fd(dev, nodes[i].name, node, 0, "bind a device node", err)) < 0)
			return r;
	}
	struct mount_attr nodev = {.attr_set = MOUNT_ATTR_NODEV};
	if (mount_setattr(dev, "", AT_EMPTY_PATH, &nodev, sizeof(nodev)) < 0)
		return nc_err_errno(err, errno, "make /dev nodev in the sandbox");
	/* The terminal the command was given (-t) is a pty of nsbox's devpts,
	 * which the sandbox cannot see: as /dev/console (as LXC does), so that
	 * ttyname() finds a name for it by scanning /dev. */
	if (tty >= 0) {
		_cleanup_close_ int target = -1;
		if ((r = resolve_in_root(root, "dev/console", false, true, &target, err)) < 0 ||
		    (r = bind_fd(tty, "", target, 0, "bind the terminal", err)) < 0)
			return r;
	}
	/* A devpts of its own: ptys made inside are numbered from 0 and the
	 * host's ptys are not there to open. */
	if ((r = mount_in(root, "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
			  "newinstance,ptmxmode=0666,mode=0620", true, err)) < 0 ||
	    (r = mount_in(root, "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", true, err)) <
		0 ||
	    (r = mount_in(root, "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
			  true, err)) < 0)
		return r;
	return 0;
}

/* /etc/netns/NAME/FILE over /etc/FILE, as ip netns exec does, but
 * read-only like the rest of /etc: they are the host's files. A file with
 * no counterpart in the root's /etc is left out, as there. */
static int bind_etc_netns(int root, int etc_netns, struct nc_err *err)
{
	int dfd = dup(etc_netns);
	if (dfd < 0)
		return nc_err_errno(err, errno, "/etc/netns");
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return nc_err_errno(err, errno, "/etc/netns");
	}
	struct dirent *de;
	int r = 0;
	while (r == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char dst[300];
		snprintf(dst, sizeof(dst), "etc/%s", de->d_name);
		int target = openat2_fd(root, dst, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
		if (target < 0)
			continue;
		char what[300];
		snprintf(what, sizeof(what), "bind /etc/netns/.../%s", de->d_name);
		r = bind_fd(etc_netns, de->d_name, target, BIND_RO, what, err);
		close(target);
	}
	closedir(d);
	return r;
}

static int bind_user(int root, const struct sandbox_bind *b, int src, struct nc_err *err)
{
	struct stat st;
	if (fstat(src, &st) < 0)
		return nc_err_errno(err, errno, "bind %s:%s", b->src, b->dst);
	_cleanup_close_ int target = -1;
	int r = resolve_in_root(root, b->dst, S_ISDIR(st.st_mode), false, &target, err);
	if (r < 0)
		return nc_err_prefix(err, "bind %s:%s", b->src, b->dst);
	struct stat tst;
	if (fstat(target, &tst) < 0)
		return nc_err_errno(err, errno, "bind %s:%s", b->src, b->dst);
	if (S_ISDIR(st.st_mode) != S_ISDIR(tst.st_mode))
		return nc_err_set(err, ENOTDIR, "bind %s:%s: cannot bind a %s onto a %s", b->src,
				  b->dst, S_ISDIR(st.st_mode) ? "directory" : "file",
				  S_ISDIR(tst.st_mode) ? "directory" : "file");
	char what[600];
	snprintf(what, sizeof(what), "bind %s:%s", b->src, b->dst);
	/* A writable bind takes no device node made inside (nodev): only one
	 * bound on purpose, on its own, is a device. */
	bool device = S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode);
	return bind_fd(src, "", target, b->ro ? BIND_RO : device ? 0 : MOUNT_ATTR_NODEV, what, err);
}

static int write_stage_file(const char *name, const char *content, struct nc_err *err)
{
	char path[64];
	snprintf(path, sizeof(path), STAGE "/%s", name);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	size_t len = strlen(content);
	if (fd < 0 || write(fd, content, len) != (ssize_t)len)
		return nc_err_errno(err, errno, "write %s", path);
	return 0;
}

/* A file of the root's /etc replaced by content: the file lives on the
 * staging tmpfs, outside the new root, and is bound over the root's (when
 * the root has one). */
static int bind_etc_file(int root, const char *name, const char *content, struct nc_err *err)
{
	char path[64], what[64];
	snprintf(path, sizeof(path), "etc/%s", name);
	int target = openat2_fd(root, path, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (target < 0)
		return 0;
	int r = write_stage_file(name, content, err);
	snprintf(path, sizeof(path), STAGE "/%s", name);
	snprintf(what, sizeof(what), "bind /etc/%s", name);
	if (r == 0)
		r = bind_fd(AT_FDCWD, path, target, BIND_RO, what, err);
	close(target);
	return r;
}

/* /etc/hostname agrees with the UTS hostname; behind an uplink, resolv.conf
 * names the servers the uplink lets through and hosts names the sandbox. */
static int bind_identity(int root, const struct sandbox_spec *spec, const char *hostname,
			 struct nc_err *err)
{
	char content[600];
	snprintf(content, sizeof(content), "%s\n", hostname);
	int r = bind_etc_file(root, "hostname", content, err);
	if (r < 0 || !spec->uplink)
		return r;
	uplink_resolv_conf(&spec->uplink_opts, content, sizeof(content));
	if ((r = bind_etc_file(root, "resolv.conf", content, err)) < 0)
		return r;
	snprintf(content, sizeof(content),
		 "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
		 "127.0.1.1\t%s\n",
		 hostname);
	return bind_etc_file(root, "hosts", content, err);
}

/* Docker's masked and read-only paths (moby oci/defaults.go). */
static int mask_proc(struct nc_err *err)
{
	static const char *const null_files[] = {
	    "/proc/kcore",	"/proc/keys",	     "/proc/latency_stats",
	    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
	};
	static const char *const empty_dirs[] = {"/proc/acpi", "/proc/asound", "/proc/scsi",
						 "/sys/firmware", "/sys/devices/virtual/powercap"};
	static const char *const ro_paths[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
					       "/proc/sysrq-trigger"};
	for (size_t i = 0; i < sizeof(null_files) / sizeof(null_files[0]); i++)
		if (mount("/dev/null", null_files[i], NULL, MS_BIND, NULL) < 0 && errno != ENOENT)
			return nc_err_errno(err, errno, "mask %s", null_files[i]);
	for (size_t i = 0; i < sizeof(empty_dirs) / sizeof(empty_dirs[0]); i++)
		if (mount("tmpfs", empty_dirs[i], "tmpfs", MS_RDONLY, "size=4k,nr_inodes=1") < 0 &&
		    errno != ENOENT)
			return nc_err_errno(err, errno, "mask %s", empty_dirs[i]);
	for (size_t i = 0; i < sizeof(ro_paths) / sizeof(ro_paths[0]); i++) {
		if (mount(ro_paths[i], ro_paths[i], NULL, MS_BIND | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			return nc_err_errno(err, errno, "read-only %s", ro_paths[i]);
		}
		if (mount(NULL, ro_paths[i], NULL,
			  MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  NULL) < 0)
			return nc_err_errno(err, errno, "read-only %s", ro_paths[i]);
	}
	return 0;
}

static void rootfs_fds_closep(struct rootfs_fds *fds)
{
	rootfs_fds_close(fds);
}

int rootfs_build(const struct sandbox_spec *spec, const char *hostname, struct nc_err *err)
{
	/* First of all: nothing mounted from here on may reach the host. */
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return nc_err_errno(err, errno, "make / a slave mount");
	/* Opened again here, in the sandbox's mount namespace: overlayfs and
	 * open_tree() clone only mounts of the caller's own namespace
	 * (clone_private_mount, may_copy_tree), and fds opened by nsbox
	 * before the clone name the mounts of the host's. Before the staging
	 * tmpfs, which hides whatever lives under the host's /tmp. */
	_cleanup_(rootfs_fds_closep) struct rootfs_fds fds_own = {
	    .dir = -1, .etc_netns = -1, .tty = -1};
	int r = rootfs_open(spec, &fds_own, err);
	if (r < 0)
		return r;
	const struct rootfs_fds *fds = &fds_own;
	if (mount("nsbox", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		return nc_err_errno(err, errno, "mount the staging tmpfs");
	if (mkdir(STAGE_ROOT, 0755) < 0)
		return nc_err_errno(err, errno, "mkdir " STAGE_ROOT);

	char src[32];
	if (!spec->rootfs) {
		/* pivot_root wants a mount point: bind the directory to itself. */
		if (mount(STAGE_ROOT, STAGE_ROOT, NULL, MS_BIND, NULL) < 0)
			return nc_err_errno(err, errno, "bind " STAGE_ROOT);
	} else if (spec->rootfs_rw) {
		if (mount(fd_path(fds->dir, src), STAGE_ROOT, NULL, MS_BIND | MS_REC, NULL) < 0)
			return nc_err_errno(err, errno, "rootfs %s: bind", spec->rootfs);
	} else {
		/* DIR is the lower layer only: writes land in upper, on the
		 * staging tmpfs, and vanish with the mount namespace. */
		char opts[128];
		snprintf(opts, sizeof(opts),
			 "lowerdir=%s,upperdir=" STAGE "/upper,workdir=" STAGE "/work",
			 fd_path(fds->dir, src));
		if (mkdir(STAGE "/upper", 0755) < 0 || mkdir(STAGE "/work", 0755) < 0)
			return nc_err_errno(err, errno, "mkdir overlay layers");
		if (mount("overlay", STAGE_ROOT, "overlay", 0, opts) < 0)
			return nc_err_errno(err, errno, "rootfs %s: mount overlay", spec->rootfs);
	}
	_cleanup_close_ int root = open(STAGE_ROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return nc_err_errno(err, errno, "open " STAGE_ROOT);
	/* No device node made in the root (a DIR's overlay, or DIR itself
	 * with --rootfs-rw) may open a device: see populate_dev. */
	struct mount_attr nodev = {.attr_set = MOUNT_ATTR_NODEV};
	if (mount_setattr(root, "", AT_EMPTY_PATH | AT_RECURSIVE, &nodev, sizeof(nodev)) < 0)
		return nc_err_errno(err, errno, "make the root nodev");

	if (!spec->rootfs && (r = populate_host(root, err)) < 0)
		return r;
	if ((r = mount_in(root, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, true,
			  err)) < 0)
		return r;
	/* sysfs shows the netns of whoever mounts it (sysfs_get_tree takes
	 * the current netns); the caller has joined the sandbox's already. */
	if ((r = mount_in(root, "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
			  true, err)) < 0)
		return r;
	if ((r = populate_dev(root, fds->tty, err)) < 0)
		return r;
	if ((r = mount_in(root, "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", false, err)) <
		0 ||
	    (r = mount_in(root, "run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", false, err)) < 0)
		return r;
	if (!spec->rootfs && (r = mount_in(root, "var/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
					   "mode=1777", false, err)) < 0)
		return r;
	if (fds->etc_netns >= 0 && (r = bind_etc_netns(root, fds->etc_netns, err)) < 0)
		return r;
	if ((r = bind_identity(root, spec, hostname, err)) < 0)
		return r;
	for (size_t i = 0; i < spec->n_binds; i++)
		if ((r = bind_user(root, &spec->binds[i], fds->binds[i], err)) < 0)
			return r;

	/* pivot_root(".", ".") stacks the old root on top of the new one;
	 * detaching it leaves the host's tree unreachable (pivot_root(2)). */
	if (fchdir(root) < 0)
		return nc_err_errno(err, errno, "chdir into the new root");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return nc_err_errno(err, errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return nc_err_errno(err, errno, "detach the old root");
	if (chdir("/") < 0)
		return nc_err_errno(err, errno, "chdir /");

	if ((r = mask_proc(err)) < 0)
		return r;
	if (!spec->rootfs) {
		/* The host view's root holds only mount points: read-only. */
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
		if (mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof(attr)) < 0)
			return nc_err_errno(err, errno, "make / read-only");
	}
	return 0;
}
