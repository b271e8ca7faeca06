/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Room in the kernel's neighbour tables for big labs. The tables are one
 * per host, however many network namespaces (net.ipv{4,6}.neigh.default.
 * gc_thresh3 caps all entries together, 1024 by default), so a lab whose
 * hosts talk to hundreds of neighbours each runs out. When nsbox runs in
 * the initial netns, where those sysctls live, lab up raises them to fit
 * and the last lab down puts the values found back; the journal keeps
 * them (/run/nsbox/neigh) so that a crash in between loses nothing. */
#pragma once

#include <stddef.h>

#include "netcfg.h"

/* Make room for `entries` more neighbours (both families). A no-op outside
 * the initial netns or when there is room already. */
int lab_neigh_reserve(size_t entries, struct nc_err *err);
/* With no lab left in the journal, restore what lab_neigh_reserve found. */
void lab_neigh_release_if_unused(void);
