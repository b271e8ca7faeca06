// SPDX-License-Identifier: GPL-2.0-or-later
/* Persistent named network namespaces, laid out as iproute2 lays them out
 * (ip/ipnetns.c): /run/netns is a shared mount point, each namespace a file
 * in it onto which /proc/.../ns/net is bind-mounted. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "internal.h"

#define NETNS_PATH_MAX (sizeof(NC_NETNS_DIR) + NAME_MAX + 2)

/* Validate name and give its path under /run/netns. */
static int netns_path(const char *name, char buf[static NETNS_PATH_MAX], struct nc_err *err)
{
	int r = nc_netns_name_valid(name, err);
	if (r < 0)
		return r;
	snprintf(buf, NETNS_PATH_MAX, "%s/%s", NC_NETNS_DIR, name);
	return 0;
}

/* Open and lock /run/netns, making it first if create is set. The lock
 * serialises nsbox's own adds and deletes; iproute2 takes none, so O_EXCL on
 * the file stays the final arbiter. */
static int lock_dir(bool create, int *ret_fd, struct nc_err *err)
{
	if (create && mkdir(NC_NETNS_DIR, 0755) < 0 && errno != EEXIST)
		return nc_err_errno(err, errno, "mkdir %s", NC_NETNS_DIR);
	_cleanup_close_ int fd = open(NC_NETNS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT
				       : nc_err_errno(err, errno, "open %s", NC_NETNS_DIR);
	if (flock(fd, LOCK_EX) < 0)
		return nc_err_errno(err, errno, "lock %s", NC_NETNS_DIR);
	*ret_fd = NC_TAKE_FD(fd);
	return 0;
}

/* Bind mounts of the namespace files must propagate to every mount
 * namespace that can see /run/netns, or a netns added from inside one would
 * be an empty file everywhere else. Hence a shared mount, made a mount
 * point by binding it onto itself when it is not one yet. */
static int make_dir_shared(struct nc_err *err)
{
	/* Once per process: MS_REC walks every mount below /run/netns
	 * (invent_group_ids, change_mnt_propagation), so each netns lab up
	 * added made the next one cost more; and a mount made below a shared
	 * one is shared from birth (attach_recursive_mnt), so one pass
	 * covers every netns this process adds. */
	static bool done;
	if (done)
		return 0;
	for (int tries = 0; tries < 2; tries++) {
		if (mount("", NC_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0) {
			done = true;
			return 0;
		}
		if (errno != EINVAL || tries > 0)
			return nc_err_errno(err, errno, "make %s a shared mount", NC_NETNS_DIR);
		if (mount(NC_NETNS_DIR, NC_NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
			return nc_err_errno(err, errno, "bind %s onto itself", NC_NETNS_DIR);
	}
	return 0;
}

int nc_netns_dir_prepare(struct nc_err *err)
{
	_cleanup_close_ int dirfd = -1;
	int r = lock_dir(true, &dirfd, err);
	if (r < 0)
		return r == -ENOENT ? nc_err_errno(err, ENOENT, "open %s", NC_NETNS_DIR) : r;
	return make_dir_shared(err);
}

static int set_lo_up(struct nl_sock *sk, struct nc_err *err)
{
	_cleanup_link_ struct rtnl_link *lo = rtnl_link_alloc();
	_cleanup_link_ struct rtnl_link *chg = rtnl_link_alloc();
	if (!lo || !chg)
		return nc_err_errno(err, ENOMEM, "link lo");
	/* lo is always ifindex 1: it is registered first in every netns
	 * (net/core/dev.c, loopback_net_init runs before any other device). */
	rtnl_link_set_ifindex(lo, 1);
	rtnl_link_set_flags(chg, IFF_UP);
	int r = rtnl_link_change(sk, lo, chg, 0);
	if (r < 0)
		return nc_err_nl(err, r, "link lo up");
	return 0;
}

int nc_lo_up(struct nc_err *err)
{
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	int r = nc_rtnl_connect(&sk, err);
	return r < 0 ? r : set_lo_up(sk, err);
}

struct create_ctx {
	const char *name, *path;
	unsigned flags;
	struct nl_sock *sk;
	bool mounted;
};

/* Runs on a thread of its own in a brand new netns (nc_in_netns). */
static int create_in_new_netns(void *arg, struct nc_err *err)
{
	struct create_ctx *c = arg;
	const char *name = c->name;
	if (mount("/proc/thread-self/ns/net", c->path, "none", MS_BIND, NULL) < 0)
		return nc_err_errno(err, errno, "netns %s: bind mount onto %s", name, c->path);
	c->mounted = true;
	static const struct {
		unsigned flag;
		const char *key, *value; /* key: below /proc/sys/net */
	} settings[] = {
	    {NC_NETNS_NODAD, "ipv6/conf/all/accept_dad", "0"},
	    {NC_NETNS_NODAD, "ipv6/conf/default/accept_dad", "0"},
	    {NC_NETNS_NOIPV6, "ipv6/conf/all/disable_ipv6", "1"},
	    {NC_NETNS_NOIPV6, "ipv6/conf/default/disable_ipv6", "1"},
	    {NC_NETNS_NOIGMP, "ipv4/igmp_link_local_mcast_reports", "0"},
	    /* IN6_ADDR_GEN_MODE_NONE */
	    {NC_NETNS_NOLINKLOCAL, "ipv6/conf/default/addr_gen_mode", "1"},
	    {NC_NETNS_LEARN, "ipv4/conf/all/arp_accept", "2"},
	};
	if (c->flags) {
		/* Still inside the new netns: its /proc/sys/net is the one
		 * opened. */
		_cleanup_close_ int dir = nc_sysctl_dir(name, err);
		if (dir < 0)
			return dir;
		for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
			if (!(c->flags & settings[i].flag))
				continue;
			_cleanup_close_ int fd = openat(dir, settings[i].key, O_WRONLY | O_CLOEXEC);
			/* No IPv6 in this kernel: nothing to turn off. */
			if (fd < 0 && errno == ENOENT)
				continue;
			if (fd < 0 || write(fd, settings[i].value, 1) != 1)
				return nc_err_errno(err, errno, "netns %s: /proc/sys/net/%s", name,
						    settings[i].key);
		}
	}
	int r = nc_rtnl_connect(&c->sk, err);
	if (r < 0)
		return r;
	return set_lo_up(c->sk, err);
}

int nc_netns_add(const char *name, unsigned flags, struct nc_ns **ret_ns, struct nc_err *err)
{
	char path[NETNS_PATH_MAX];
	int r = netns_path(name, path, err);
	if (r < 0)
		return r;

	_cleanup_close_ int dirfd = -1;
	r = lock_dir(true, &dirfd, err);
	if (r < 0)
		return r == -ENOENT ? nc_err_errno(err, ENOENT, "open %s", NC_NETNS_DIR) : r;
	r = make_dir_shared(err);
	if (r < 0)
		return r;

	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		if (errno == EEXIST)
			return nc_err_set(err, EEXIST, "netns %s: already exists", name);
		return nc_err_errno(err, errno, "netns %s: create %s", name, path);
	}
	close(fd);

	struct create_ctx c = {.name = name, .path = path, .flags = flags};
	r = nc_in_netns(-1, name, create_in_new_netns, &c, err);

	_cleanup_(nc_ns_freep) struct nc_ns *ns = NULL;
	if (r == 0 && ret_ns) {
		r = nc_ns_open(name, &ns, err);
		if (r == 0)
			ns->sk = NC_TAKE(c.sk);
	}
	nl_socket_free(c.sk);
	if (r < 0) {
		if (c.mounted)
			umount2(path, MNT_DETACH);
		unlink(path);
		return r;
	}
	if (ret_ns)
		*ret_ns = NC_TAKE(ns);
	return 0;
}

int nc_netns_del(const char *name, struct nc_err *err)
{
	char path[NETNS_PATH_MAX];
	int r = netns_path(name, path, err);
	if (r < 0)
		return r;

	_cleanup_close_ int dirfd = -1;
	r = lock_dir(false, &dirfd, err);
	if (r == -ENOENT)
		return nc_err_set(err, ENOENT, "netns %s: no such network namespace", name);
	if (r < 0)
		return r;
	/* EINVAL: the file is there but nothing is mounted on it (an add that
	 * was interrupted); removing it is still right. */
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL) {
		if (errno == ENOENT)
			return nc_err_set(err, ENOENT, "netns %s: no such network namespace", name);
		return nc_err_errno(err, errno, "netns %s: unmount %s", name, path);
	}
	if (unlink(path) < 0) {
		if (errno == ENOENT)
			return nc_err_set(err, ENOENT, "netns %s: no such network namespace", name);
		return nc_err_errno(err, errno, "netns %s: remove %s", name, path);
	}
	return 0;
}

int nc_netns_check(const char *name, struct nc_err *err)
{
	_cleanup_(nc_ns_freep) struct nc_ns *ns = NULL;
	return nc_ns_open(name, &ns, err);
}

void nc_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

NC_DEFINE_CLEANUP(char **, nc_strv_free)

int nc_netns_list(char ***ret_names, size_t *ret_n, struct nc_err *err)
{
	_cleanup_(nc_strv_freep) char **v = calloc(1, sizeof(char *));
	if (!v)
		return nc_err_errno(err, ENOMEM, "list %s", NC_NETNS_DIR);
	size_t n = 0;
	_cleanup_(closedirp) DIR *d = opendir(NC_NETNS_DIR);
	if (!d && errno != ENOENT)
		return nc_err_errno(err, errno, "list %s", NC_NETNS_DIR);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' &&
		    (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		char **nv = realloc(v, (n + 2) * sizeof(char *));
		if (!nv)
			return nc_err_errno(err, ENOMEM, "list %s", NC_NETNS_DIR);
		v = nv;
		if (!(v[n] = strdup(de->d_name)))
			return nc_err_errno(err, ENOMEM, "list %s", NC_NETNS_DIR);
		v[++n] = NULL;
	}
	qsort(v, n, sizeof(char *), cmp_str);
	*ret_names = NC_TAKE(v);
	*ret_n = n;
	return 0;
}
