// SPDX-License-Identifier: GPL-2.0-or-later
/* Per-netns sysctls under /proc/sys/net. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "internal.h"

/* The path of key below /proc/sys/net. */
static int key_path(const char *key, char *buf, size_t len, struct nc_err *err)
{
	/* Only the per-netns subtree: anything else would be global and
	 * change the whole machine, whichever netns wrote it. As in sysctl(8),
	 * a key written with '/' keeps its dots (an interface "eth0.100"). */
	bool slashed = key && strchr(key, '/');
	if (!key || strncmp(key, slashed ? "net/" : "net.", 4) || !key[4] || strstr(key, ".."))
		return nc_err_set(err, EINVAL, "sysctl %s: only net.* keys can be set per netns",
				  key ? key : "");
	int n = snprintf(buf, len, "%s", key + 4);
	if (n < 0 || (size_t)n >= len)
		return nc_err_set(err, EINVAL, "sysctl %s: key too long", key);
	for (char *p = buf; *p && !slashed; p++)
		if (*p == '.')
			*p = '/';
	return 0;
}

int nc_sysctl_dir(const char *ns, struct nc_err *err)
{
	/* Looked up in a proc instance of its own (fsopen(2), Linux 5.2; a
	 * superblock per mount since 5.8): in the shared /proc, each netns
	 * that ever looked leaves a dentry "net" under /proc/sys, all of them
	 * in one hash chain that d_lookup walks calling proc_sys_compare() on
	 * each, so a new netns's first lookup costs O(namespaces): 0.7 ms at
	 * 2000 of them, where the mount costs 0.04 ms (bench/RESULTS.md).
	 * Where no proc may be mounted (mount_too_revealing(): a container
	 * whose /proc has masked paths), the shared one. */
	int fs = fsopen("proc", FSOPEN_CLOEXEC);
	if (fs >= 0) {
		int mnt = -1;
		if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
			mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
		close(fs);
		if (mnt >= 0) {
			/* The fd keeps the detached mount alive. */
			int fd = openat(mnt, "sys/net", O_PATH | O_DIRECTORY | O_CLOEXEC);
			close(mnt);
			if (fd >= 0)
				return fd;
		}
	}
	int fd = open("/proc/sys/net", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 ? fd : nc_err_errno(err, errno, "netns %s: open /proc/sys/net", ns);
}

struct io {
	int dir; /* /proc/sys/net, or -1: opened in the netns */
	const char *path, *key;
	const char *value; /* write if set */
	char *buf;	   /* read into if set */
	size_t len;
	const char *ns;
};

/* /proc/sys/net resolves to the netns of the task that opens it
 * (proc_net_ns_ops / net_ctl_header_lookup use current->nsproxy), so the
 * open happens inside ns and the fd keeps pointing there. */
static int do_io(void *arg, struct nc_err *err)
{
	struct io *io = arg;
	_cleanup_close_ int own = -1;
	int dir = io->dir;
	if (dir < 0 && (dir = own = nc_sysctl_dir(io->ns, err)) < 0)
		return dir;
	_cleanup_close_ int fd =
	    openat(dir, io->path, (io->value ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return nc_err_set(err, ENOENT, "sysctl %s in netns %s: no such key",
					  io->key, io->ns);
		return nc_err_errno(err, errno, "sysctl %s in netns %s", io->key, io->ns);
	}
	if (io->value) {
		size_t len = strlen(io->value);
		if (write(fd, io->value, len) != (ssize_t)len)
			return nc_err_errno(err, errno, "sysctl %s=%s in netns %s", io->key,
					    io->value, io->ns);
		return 0;
	}
	ssize_t n = read(fd, io->buf, io->len - 1);
	if (n < 0)
		return nc_err_errno(err, errno, "sysctl %s in netns %s", io->key, io->ns);
	while (n > 0 && io->buf[n - 1] == '\n')
		n--;
	io->buf[n] = '\0';
	return 0;
}

static int run_io(struct nc_ns *ns, struct io *io, struct nc_err *err)
{
	char path[256];
	int r = key_path(io->key, path, sizeof(path), err);
	if (r < 0)
		return r;
	io->path = path;
	io->ns = nc_ns_name(ns);
	io->dir = -1;
	/* The caller's own netns: its /proc/sys/net once per handle, as the
	 * last close of each proc mount costs an (expedited) RCU grace period
	 * (namespace_unlock). */
	if (!ns->name) {
		if (ns->sysctl_dir < 0 && (ns->sysctl_dir = nc_sysctl_dir(io->ns, err)) < 0)
			return ns->sysctl_dir;
		io->dir = ns->sysctl_dir;
	}
	return nc_ns_call(ns, do_io, io, err);
}

int nc_sysctl_set(struct nc_ns *ns, const char *key, const char *value, struct nc_err *err)
{
	struct io io = {.key = key, .value = value};
	return run_io(ns, &io, err);
}

int nc_sysctl_get(struct nc_ns *ns, const char *key, char *buf, size_t len, struct nc_err *err)
{
	if (len < 2)
		return nc_err_set(err, EINVAL, "sysctl %s: buffer too small", key);
	struct io io = {.key = key, .buf = buf, .len = len};
	return run_io(ns, &io, err);
}

int nc_forwarding_set(struct nc_ns *ns, bool on, struct nc_err *err)
{
	const char *v = on ? "1" : "0";
	int r = nc_sysctl_set(ns, "net.ipv4.ip_forward", v, err);
	if (r < 0)
		return r;
	/* conf.all.forwarding also turns the router role on for every
	 * interface (ipv6 addrconf_fixup_forwarding). */
	return nc_sysctl_set(ns, "net.ipv6.conf.all.forwarding", v, err);
}
