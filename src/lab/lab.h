/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Labs: bringing a topology up as namespaces, links and sandboxes, and
 * down again from the journal alone. */
#pragma once

#include <stdbool.h>

#include "topo.h"

#define LAB_STATE_DIR "/run/nsbox/lab"

/* The journal of a lab, /run/nsbox/lab/NAME/: "source" (what it was made
 * from: the file's text, "topo SPEC" or "demo"), "nodes" (one "NAME KIND"
 * line per node, written before anything is made), "up" (present once
 * everything is). */
struct lab_rec {
	char name[64];
	char **nodes; /* node names */
	enum node_kind *kinds;
	size_t n_nodes;
	bool complete;
	char *source;
};

int lab_rec_read(const char *name, struct lab_rec *ret_rec, struct nc_err *err);
void lab_rec_free(struct lab_rec *rec);
/* Names of every lab in the journal, sorted; free with nc_strv_free. */
int lab_list(char ***ret_names, size_t *ret_n, struct nc_err *err);

/* LAB-NODE: the netns and the sandbox of a node. */
void lab_object_name(const char *lab, const char *node, char *buf, size_t len);

struct lab_up_opts {
	const char *source; /* recorded as is; an existing lab with the same source is "up" */
	bool progress;	    /* a progress line on stderr */
};

/* Bring t up. 0; -EALREADY when a lab of that name is up from the same
 * source (nothing done); -EEXIST when one is up from another; other
 * negative codes when a step failed, after everything made was removed. */
int lab_up(const struct topo *t, const struct lab_up_opts *o, struct nc_err *err);

/* Remove everything the journal says lab name has: its sandboxes, its
 * namespaces (and with them its links), its records. Works after a crash
 * at any point of lab_up. */
int lab_down(const char *name, bool progress, struct nc_err *err);
