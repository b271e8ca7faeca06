/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdio.h>

#include "topo.h"

/* Nodes (hosts as boxes, routers as diamonds, bridges as ellipses), links
 * labelled with interfaces and addresses, isolated pairs dotted. */
void topo_graph_dot(const struct topo *t, FILE *out);
