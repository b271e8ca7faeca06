/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a sandbox is to be: everything `nsbox run` was asked, validated. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "netcfg.h"
#include "state/sandbox.h"
#include "uplink/uplink.h"

enum sandbox_net {
	SANDBOX_NET_NONE,  /* a fresh netns with lo up */
	SANDBOX_NET_HOST,  /* nsbox's own netns */
	SANDBOX_NET_NETNS, /* a persistent netns from /run/netns */
};

struct sandbox_bind {
	const char *src, *dst;
	bool ro;
};

struct sandbox_spec {
	char name[SANDBOX_NAME_MAX + 1];
	enum sandbox_net net;
	const char *netns; /* SANDBOX_NET_NETNS */
	/* SANDBOX_NET_NETNS: that netns, already open (received from another
	 * process, say); NULL: netns is opened by name. */
	const struct nc_ns *netns_handle;
	const char *rootfs; /* NULL: the host's */
	bool rootfs_rw;
	const char *hostname; /* NULL: the name */
	struct sandbox_bind *binds;
	size_t n_binds;
	const char **env; /* "K=V" */
	size_t n_env;
	const char *workdir;
	bool set_user;
	uid_t uid;
	gid_t gid;
	uint64_t caps; /* bit N: capability N kept */
	bool tty;
	unsigned keep_fds; /* fds 3 .. 3+keep_fds-1 pass through */
	bool detach;
	/* sandbox_start leaves the init waiting, root built, command not yet
	 * started, until sandbox_release(). */
	bool held;
	bool seccomp;
	char **argv;
	/* --uplink: a way out through nsbox's netns (with SANDBOX_NET_NONE) */
	bool uplink;
	struct uplink_opts uplink_opts;
};

/* Docker's default capability set (moby oci/caps/defaults.go). */
uint64_t caps_default(void);
/* "NET_ADMIN", "cap_net_admin", or "ALL" (ret_all). */
int caps_parse(const char *name, int *ret_cap, bool *ret_all, struct nc_err *err);
/* Bounding, permitted, effective and inheritable sets to mask (ambient
 * emptied), for a process that stays root; a later change of uid drops
 * the rest as the kernel does on leaving uid 0. */
int caps_apply(uint64_t mask, struct nc_err *err);

/* SRC:DST[:ro] */
int bind_parse(const char *s, struct sandbox_bind *ret_bind, struct nc_err *err);
/* UID[:GID], numbers or names from the host's passwd/group. */
int user_parse(const char *s, uid_t *ret_uid, gid_t *ret_gid, struct nc_err *err);

/* Install the syscall filter (libseccomp) that denies what Docker's
 * default profile denies. Needs no_new_privs or CAP_SYS_ADMIN. */
int seccomp_apply(struct nc_err *err);
