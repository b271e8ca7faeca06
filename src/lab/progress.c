// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

struct progress {
	char label[128];
	size_t done, total;
	struct timespec last;
};

struct progress *progress_new(bool on, const char *what, const char *name, const char *verb,
			      size_t total)
{
	if (!on || !isatty(STDERR_FILENO))
		return NULL;
	struct progress *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	snprintf(p->label, sizeof(p->label), "%s %s: %s", what, name, verb);
	p->total = total;
	return p;
}

void progress_step(struct progress *p)
{
	if (!p)
		return;
	p->done++;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (now.tv_sec - p->last.tv_sec) * 1000 + (now.tv_nsec - p->last.tv_nsec) / 1000000;
	/* A terminal redrawn for every one of thousands of nodes would cost
	 * more than the nodes: ten times a second is enough for a person. */
	if (ms < 100 && p->done < p->total)
		return;
	p->last = now;
	fprintf(stderr, "\r%s %zu/%zu", p->label, p->done, p->total);
}

void progress_done(struct progress *p)
{
	if (!p)
		return;
	fprintf(stderr, "\r\033[K");
	free(p);
}
