/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "command.h"
#include "spec.h"

/* A launch under way: started, not yet known to have run its command. */
struct sandbox_launch {
	char name[SANDBOX_NAME_MAX + 1];
	pid_t pid;
	int pidfd; /* of the init */
	int err_r; /* the init's report: closes when the command runs */
	int go_w;  /* spec->held: what lets the init go on; else -1 */
	/* With spec->uplink: the worker that committed the uplink's rules,
	 * kept to remove them when the sandbox ends (nc_nft_prepare). */
	struct nc_nft_job nft;
};

/* Record and clone the sandbox; its init builds the root and starts the
 * command on its own from here. 0, or -125 with err filled and nothing
 * left. Many launches can be started before any is waited for. */
int sandbox_start(const struct sandbox_spec *spec, struct sandbox_launch *ret_launch,
		  struct nc_err *err);
/* Wait until the command runs (or, without one, the init idles): 0, or
 * minus the exit status to use (-125, -126, -127) with err filled and the
 * sandbox gone. */
int sandbox_started(struct sandbox_launch *l, struct nc_err *err);
/* Wait until a sandbox started held has built its root (it can be joined
 * from then on): 0, or as sandbox_started for one that failed. */
int sandbox_ready(struct sandbox_launch *l, struct nc_err *err);
/* Let a sandbox started held go on to its command. */
int sandbox_release(struct sandbox_launch *l, struct nc_err *err);
/* Kill a started sandbox and remove its record; if the record stays,
 * err's message (the failure's, when not NULL) says so. */
void sandbox_launch_abort(struct sandbox_launch *l, struct nc_err *err);

/* Launch spec. Returns the command's exit status in the foreground (128+N
 * for signal N), 0 once a detached sandbox runs, or
 * minus the exit status nsbox must use (-125 nsbox failed, -126 cannot
 * execute, -127 not found) with err filled. Nothing of a failed launch
 * is left: no record, no mount, no process. A detached sandbox is handed
 * over in *ret_launch, for sandbox_launch_abort should what the caller
 * does next fail; the caller closes its pidfd otherwise. */
int sandbox_run(const struct sandbox_spec *spec, struct sandbox_launch *ret_launch,
		struct nc_err *err);

/* Run cmd in the running sandbox rec (all its namespaces and its root),
 * hardened as its own command was; same return convention. */
int sandbox_join(const struct sandbox_rec *rec, const struct command *cmd, struct nc_err *err);
