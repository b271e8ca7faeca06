/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* mount(2), or the program dies saying what failed. */
void floor_mount(const char *src, const char *dst, const char *type, unsigned long flags,
		 const char *data);
/* In a new mount namespace (and the netns, for /sys): build the root nsbox
 * builds for --rootfs host, pivot into it and mask /proc as nsbox does.
 * netns names /etc/netns/NETNS, or NULL. */
void floor_build_root(const char *netns, const char *hostname);
