/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/* Wait for the child behind pidfd to exit, passing it the signals a user
 * sends nsbox (SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
 * SIGWINCH) through the pidfd. Returns its exit status, 128+N for signal N.
 * With tty, gives the terminal back to nsbox's process group afterwards. */
int wait_forwarding(int pidfd, bool tty);
