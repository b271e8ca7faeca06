/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writing the lab journal; lab.h has the reading side. */
#pragma once

#include "lab.h"

const char *lab_kind_name(enum node_kind k);
/* mkdir the lab's record and write its source and node list; -EEXIST
 * (err untouched) when the lab is already recorded. */
int lab_rec_create(const struct topo *t, const char *source, struct nc_err *err);
int lab_rec_mark_up(const char *name, struct nc_err *err);
/* 0, or -errno with err filled and the rest of the record left. */
int lab_rec_remove(const char *name, struct nc_err *err);

/* lab_down without taking the journal lock (for a caller that holds it). */
int lab_teardown(const char *name, bool progress, struct nc_err *err);
