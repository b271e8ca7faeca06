/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "spec.h"

/* What the new root is made of: opened by nsbox before the launch only to
 * check it (a bad rootfs or bind source fails with nothing created), and
 * again by the sandbox's init in its own mount namespace. */
struct rootfs_fds {
	int dir;       /* --rootfs DIR, O_PATH; -1 for the host view */
	int etc_netns; /* /etc/netns/NAME, or -1 */
	int tty;       /* with -t: the terminal on stdin, or -1 */
	int *binds;    /* O_PATH fds of the bind sources, as spec->binds */
	size_t n_binds;
};

int rootfs_open(const struct sandbox_spec *spec, struct rootfs_fds *ret_fds, struct nc_err *err);
void rootfs_fds_close(struct rootfs_fds *fds);

/* In the sandbox's new mount namespace (and netns, for /sys): build the
 * root, pivot into it, detach the old one, mask /proc. */
int rootfs_build(const struct sandbox_spec *spec, const char *hostname, struct nc_err *err);
