/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "netcfg.h"

/* Become a process of netns name as `ip netns exec` makes one: its netns,
 * a private mount namespace with that netns's /sys, and the files of
 * /etc/netns/NAME bound over /etc. Then exec argv. Returns only on failure,
 * with the exit status to use (125 nsbox failed, 126 cannot execute, 127
 * not found). */
int netns_exec(const char *name, char **argv, struct nc_err *err);
