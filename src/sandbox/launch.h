/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "command.h"
#include "spec.h"

/* Launch spec. Returns the command's exit status in the foreground (128+N
 * for signal N), 0 once a detached sandbox runs (its name printed), or
 * minus the exit status nsbox must use (-125 nsbox failed, -126 cannot
 * execute, -127 not found) with err filled. Nothing of a failed launch
 * is left: no record, no mount, no process. */
int sandbox_run(const struct sandbox_spec *spec, struct nc_err *err);

/* Run cmd in the running sandbox rec (all its namespaces and its root),
 * hardened as its own command was; same return convention. */
int sandbox_join(const struct sandbox_rec *rec, const struct command *cmd, struct nc_err *err);
