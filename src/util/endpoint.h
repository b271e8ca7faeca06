/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The endpoint grammar shared by the command line and topology files:
 *   NS:IFNAME[@BRIDGE][=ADDR[,ADDR...]]
 * NS "host" names the netns nsbox runs in. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "netcfg.h"

#define EP_MAX_ADDRS 16

enum {
	EP_ALLOW_BRIDGE = 1 << 0,
	EP_ALLOW_ADDRS = 1 << 1,
};

struct endpoint {
	char ns[NAME_MAX + 1];
	bool host; /* ns is "host" */
	char ifname[NC_IFNAMSIZ];
	char bridge[NC_IFNAMSIZ]; /* "" when not enslaved */
	struct nc_cidr addrs[EP_MAX_ADDRS];
	size_t n_addrs;
};

/* Parse and validate s completely; flags say which optional parts may
 * appear. Errors name the endpoint and what is wrong with it. */
int endpoint_parse(const char *s, unsigned flags, struct endpoint *ret_ep, struct nc_err *err);
/* The netns name to open: NULL for host. */
const char *endpoint_netns(const struct endpoint *ep);
