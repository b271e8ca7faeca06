/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <signal.h>
#include <sys/types.h>

/* The signals the init passes on to the command, and SIGCHLD. */
void init_signal_set(sigset_t *ret_set);
/* The same, with a handler installed for each (see init.c). */
void init_signals(sigset_t *ret_set);

/* PID 1 of the sandbox, once its command is started as child cmd (with
 * the signals of init_signals blocked since before the fork): reap every
 * child, pass the forwarded signals to cmd, and when cmd ends write its
 * status to exit_dirfd/"exit" (if >= 0) and exit with it (128+N for
 * signal N). With cmd 0 (no command) it idles until SIGTERM, SIGINT,
 * SIGHUP or SIGQUIT. */
__attribute__((noreturn)) void init_run(pid_t cmd, int exit_dirfd);
