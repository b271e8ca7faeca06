/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the topology parser, generators and validator. */
#pragma once

#include "lab/topo.h"

/* Fill err with "SOURCE:LINE:COL: <formatted>" ("SOURCE: ..." for an item
 * with no position); return -EINVAL. */
int topo_err(const struct topo *t, struct topo_pos pos, struct nc_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Put "SOURCE:LINE:COL: " before the message already in err; return -code. */
int topo_err_prefix(const struct topo *t, struct topo_pos pos, struct nc_err *err);

/* An empty topology named name (NULL: none yet) with source for errors. */
int topo_new(const char *name, const char *source, struct topo **ret_topo, struct nc_err *err);

/* Append a copy of *item (size bytes) to the array *arr of *n items. */
int topo_append(void *arr, size_t *n, const void *item, size_t size, struct nc_err *err);
#define TOPO_APPEND(arr, n, item, err) topo_append(&(arr), &(n), (item), sizeof(*(arr)), (err))

/* A new node at the end of t->nodes; the name is copied. */
int topo_add_node(struct topo *t, const char *name, enum node_kind kind, struct topo_pos pos,
		  struct topo_node **ret_node, struct nc_err *err);

/* Free what a node holds and zero it. */
void topo_node_clear(struct topo_node *n);

/* Node indices sorted by name, for lookups (topo_find) and duplicate
 * checks; free() it. */
int topo_name_index(const struct topo *t, size_t **ret_index, struct nc_err *err);
/* Look name up in an index from topo_name_index. */
bool topo_find(const struct topo *t, const size_t *index, const char *name, size_t *ret_node);
/* Refuse two nodes of one name, at the second. */
int topo_check_unique(const struct topo *t, const size_t *index, struct nc_err *err);

/* " (line N)", naming where the first of two clashing items is, or "". */
const char *topo_first_at(struct topo_pos first, char *buf, size_t len);

/* "NODE:IFNAME" of a link end, for messages. */
const char *topo_end_str(const struct topo *t, const struct topo_end *e, char *buf, size_t len);
