/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "topo.h"

struct check_pair {
	size_t from, to; /* node indexes */
	int family;
	struct nc_cidr dst; /* the address of `to` that was asked */
	bool expected;	    /* false: the topology isolates the pair */
	bool reached;
};

/* Ping every ordered pair of non-bridge nodes of the running lab over each
 * family both have (an address of `to` of that family), within timeout_ms
 * in all. Free *ret_pairs with free(). *ret_full: the kernel's neighbour
 * table was found full meanwhile (see lab_check_neighbours), so some pairs
 * may have failed for want of an entry rather than of a way. */
int lab_check(const struct topo *t, const char *lab, int timeout_ms, struct check_pair **ret_pairs,
	      size_t *ret_n, bool *ret_full, struct nc_err *err);

/* Neighbour entries the check needs: one for every pair on one link (the
 * kernel resolves each with ARP or ND). The kernel's neighbour tables are
 * host-wide, however many namespaces: net.ipv4.neigh.default.gc_thresh3
 * (1024 by default) caps them, and new entries can not push out ones
 * younger than five seconds (neigh_forced_gc), so a lab with more pairs on
 * one link than that cannot all reach each other at once. */
size_t lab_check_neighbours(const struct topo *t);
/* gc_thresh3 of family, or the kernel's default where it cannot be read
 * (outside the initial netns). */
int lab_neigh_table_size(int family);
