/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <seccomp.h>

/* Add nsbox's rules to a filter whose default action is SCMP_ACT_ALLOW:
 * what Docker's default profile denies. 0 or a negative errno. */
int seccomp_rules_add(scmp_filter_ctx ctx);
