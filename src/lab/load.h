/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "topo.h"

/* From a FILE, a generator SPEC (--topo), or the built-in demo when both
 * are NULL; name (may be NULL) overrides the lab's name. *ret_source is
 * what the journal keeps to rebuild it (the file's text, "topo SPEC",
 * "demo"); free it. */
int lab_topo_from_args(const char *file, const char *spec, const char *name, struct topo **ret_topo,
		       char **ret_source, struct nc_err *err);
/* The topology of running lab `lab` from its recorded source. */
int lab_topo_from_source(const char *lab, const char *source, struct topo **ret_topo,
			 struct nc_err *err);
