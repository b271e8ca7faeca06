/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The last steps before a sandboxed command runs, shared by `run` (the
 * init's child) and `exec` (a joiner's child): environment, working
 * directory, identity, capabilities, no_new_privs, fds, syscall filter. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct command {
	char **argv;
	const char **env; /* "K=V" given by the user */
	size_t n_env;
	const char *workdir; /* NULL: / */
	bool set_user;
	uid_t uid;
	gid_t gid;
	uint64_t caps;
	bool seccomp;
	unsigned keep_fds;
	bool tty; /* take the terminal: own process group in the foreground */
};

/* Report failures through err_fd as a struct command_failure; on success
 * err_fd closes at exec (it must be O_CLOEXEC). Never returns. */
__attribute__((noreturn)) void command_exec(const struct command *cmd, int err_fd);

struct command_failure {
	int code; /* exit status to use: 125, 126 or 127 */
	char msg[320];
};

/* Read what command_exec reported: 0 and *ret_code=-1 when the pipe just
 * closed (the command runs), or the failure. */
int command_failure_read(int fd, int *ret_code, char *msg, size_t len);
