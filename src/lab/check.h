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
 * in all. Free *ret_pairs with free(). */
int lab_check(const struct topo *t, const char *lab, int timeout_ms, struct check_pair **ret_pairs,
	      size_t *ret_n, struct nc_err *err);
