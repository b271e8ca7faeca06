/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* clone3 with CLONE_PIDFD and the given flags, returning twice like fork.
 * glibc has no wrapper; struct clone_args is spelled out at its first size
 * (CLONE_ARGS_SIZE_VER0) so older headers do. nsbox is single-threaded, so
 * the child may go on in C. */
static inline pid_t clone3_pidfd(uint64_t flags, int *ret_pidfd)
{
	struct {
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	} args = {
	    .flags = flags | 0x00001000 /* CLONE_PIDFD */,
	    .pidfd = (uint64_t)(uintptr_t)ret_pidfd,
	    .exit_signal = SIGCHLD,
	};
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}
