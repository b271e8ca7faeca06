// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "netns_exec.h"

NC_DEFINE_CLEANUP(DIR *, closedir)

/* /etc/netns/NAME/FILE is bound over /etc/FILE (ip-netns(8)), so a netns
 * can carry its own resolv.conf, hosts, ... */
static int bind_etc(const char *name, struct nc_err *err)
{
	char dir[300];
	snprintf(dir, sizeof(dir), "/etc/netns/%s", name);
	_cleanup_(closedirp) DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char src[600], dst[600];
		snprintf(src, sizeof(src), "%s/%s", dir, de->d_name);
		snprintf(dst, sizeof(dst), "/etc/%s", de->d_name);
		if (mount(src, dst, "none", MS_BIND, NULL) < 0)
			return nc_err_errno(err, errno, "netns %s: bind %s onto %s", name, src,
					    dst);
	}
	return 0;
}

int netns_exec(const char *name, char **argv, struct nc_err *err)
{
	_cleanup_(nc_ns_freep) struct nc_ns *ns = NULL;
	int r = nc_ns_open(name, &ns, err);
	if (r < 0)
		return 125;
	if (setns(nc_ns_fd(ns), CLONE_NEWNET) < 0)
		return nc_err_errno(err, errno, "netns %s: setns", name), 125;
	if (unshare(CLONE_NEWNS) < 0)
		return nc_err_errno(err, errno, "netns %s: unshare(CLONE_NEWNS)", name), 125;
	/* Slave, so nothing mounted below propagates back to the host. */
	if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL) < 0)
		return nc_err_errno(err, errno, "netns %s: make / a slave mount", name), 125;
	/* sysfs shows the netns of the task that mounts it
	 * (sysfs_get_tree -> kobj_ns_grab_current), so a fresh mount made
	 * from inside shows this netns's interfaces under /sys/class/net. */
	struct statvfs sv;
	unsigned long flags = 0;
	if (statvfs("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY))
		flags |= MS_RDONLY;
	if (umount2("/sys", MNT_DETACH) == 0 && mount(name, "/sys", "sysfs", flags, NULL) < 0)
		return nc_err_errno(err, errno, "netns %s: mount /sys", name), 125;
	if ((r = bind_etc(name, err)) < 0)
		return 125;
	execvp(argv[0], argv);
	r = errno;
	nc_err_errno(err, r, "%s", argv[0]);
	return r == ENOENT ? 127 : 126;
}
