/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The process that starts a lab's node sandboxes while nsbox wires the lab:
 * forked before the lab's namespaces are mounted, in a mount namespace of
 * its own that never sees them, so each init it clones copies a small
 * mount table (not the lab's thousands of nsfs mounts) and inherits a
 * handful of fds. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "netcfg.h"
#include "progress.h"
#include "topo.h"

struct spawner {
	pid_t pid;
	int sock;
};

/* Fork the spawner for t. */
int spawner_start(const struct topo *t, struct spawner *ret_spawner, struct nc_err *err);
/* Hand it host or router node i and its netns: it records and starts the
 * node's sandbox at once, held (root built, command not started). A
 * failure of the spawner's surfaces here or in spawner_finish. */
int spawner_node(struct spawner *s, size_t node, const struct nc_ns *ns, struct nc_err *err);
/* Wait until every node's root is built: from then on each can be joined,
 * its command not yet started. */
int spawner_ready(struct spawner *s, struct nc_err *err);
/* Let every node go on to its command, wait until each runs (a step of p
 * each), and reap the spawner. */
int spawner_finish(struct spawner *s, struct progress *p, struct nc_err *err);
/* Kill it, if it runs; the inits it holds die with it (PR_SET_PDEATHSIG),
 * their records stay for the lab's teardown. */
void spawner_kill(struct spawner *s);
