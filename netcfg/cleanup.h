/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scope-bound release of libnl and libc resources, systemd style. Every
 * destructor takes a pointer to the variable and accepts NULL. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

#define NC_DEFINE_CLEANUP(type, func)                                                              \
	static inline void func##p(type *p)                                                        \
	{                                                                                          \
		if (*p)                                                                            \
			func(*p);                                                                  \
	}

static inline void nc_freep(void *p)
{
	free(*(void **)p);
}

static inline void nc_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

NC_DEFINE_CLEANUP(FILE *, fclose)

#define _cleanup_free_	_cleanup_(nc_freep)
#define _cleanup_close_ _cleanup_(nc_closep)

/* Hand ownership out of a cleanup-bound variable. */
#define NC_TAKE(p)                                                                                 \
	({                                                                                         \
		__typeof__(p) _t = (p);                                                            \
		(p) = NULL;                                                                        \
		_t;                                                                                \
	})
#define NC_TAKE_FD(fd)                                                                             \
	({                                                                                         \
		int _t = (fd);                                                                     \
		(fd) = -1;                                                                         \
		_t;                                                                                \
	})
