// SPDX-License-Identifier: GPL-2.0-or-later
/* Joining a running sandbox: one setns() through a pidfd of its init
 * enters every namespace at once (setns(2), since Linux 5.8), the mount
 * namespace bringing its root along; the pid namespace applies to children,
 * hence the fork. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "clone.h"
#include "launch.h"
#include "wait.h"

int sandbox_join(const struct sandbox_rec *rec, const struct command *cmd, struct nc_err *err)
{
	_cleanup_close_ int pidfd = -1;
	if (sandbox_pidfd(rec, &pidfd) < 0) {
		nc_err_set(err, ESRCH, "sandbox %s: not running", rec->name);
		return -125;
	}
	if (setns(pidfd, CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC) <
	    0) {
		nc_err_errno(err, errno, "sandbox %s: join its namespaces", rec->name);
		return -125;
	}
	int pipe_fd[2];
	if (pipe2(pipe_fd, O_CLOEXEC) < 0) {
		nc_err_errno(err, errno, "pipe");
		return -125;
	}
	int child_pidfd = -1;
	pid_t pid = clone3_pidfd(0, &child_pidfd);
	if (pid < 0) {
		nc_err_errno(err, errno, "sandbox %s: fork into it", rec->name);
		close(pipe_fd[0]);
		close(pipe_fd[1]);
		return -125;
	}
	if (pid == 0) {
		close(pipe_fd[0]);
		/* Like the sandbox's own command: no terminal of nsbox's
		 * unless asked for. */
		if (!cmd->tty)
			setsid();
		command_exec(cmd, pipe_fd[1]);
	}
	close(pipe_fd[1]);
	int code;
	char msg[320];
	int r = command_failure_read(pipe_fd[0], &code, msg, sizeof(msg));
	close(pipe_fd[0]);
	if (r < 0 || code >= 0) {
		waitid(P_PIDFD, (id_t)child_pidfd, &(siginfo_t){0}, WEXITED);
		close(child_pidfd);
		nc_err_set(err, EINVAL, "%s", r < 0 ? "lost the joined process" : msg);
		return r < 0 ? -125 : -code;
	}
	int status = wait_forwarding(child_pidfd, cmd->tty);
	close(child_pidfd);
	return status;
}
