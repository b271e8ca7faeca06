/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "lab NAME: up 120/1000" on stderr, rewritten in place, when stderr is a
 * terminal and progress was asked for; nothing otherwise. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct progress;

/* NULL (a no-op progress) when off or not on a terminal. */
struct progress *progress_new(bool on, const char *what, const char *name, const char *verb,
			      size_t total);
void progress_step(struct progress *p);
/* Clear the line and free p. */
void progress_done(struct progress *p);
