// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"

static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

static void noop(int sig)
{
	(void)sig;
}

void init_signal_set(sigset_t *ret_set)
{
	sigemptyset(ret_set);
	sigaddset(ret_set, SIGCHLD);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(ret_set, forwarded[i]);
}

void init_signals(sigset_t *ret_set)
{
	init_signal_set(ret_set);
	/* PID 1 of a pid namespace gets only the signals it has a handler
	 * for (sig_task_ignored() drops SIG_DFL ones for SIGNAL_UNKILLABLE
	 * tasks); a handler, even unused since they are blocked and taken
	 * with sigwaitinfo, makes sure each arrives. */
	struct sigaction sa = {.sa_handler = noop};
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaction(forwarded[i], &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
}

static void write_status(int dirfd, int status)
{
	if (dirfd < 0)
		return;
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d\n", status);
	int fd = openat(dirfd, ".exit", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, buf, (size_t)n) == n)
		renameat(dirfd, ".exit", dirfd, "exit");
	close(fd);
}

void init_run(pid_t cmd, int exit_dirfd)
{
	sigset_t set;
	init_signals(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD && cmd > 0) {
			kill(cmd, sig);
			continue;
		}
		if (sig != SIGCHLD) {
			/* Idle: the signals that end a process end the sandbox. */
			if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT) {
				write_status(exit_dirfd, 128 + sig);
				_exit(128 + sig);
			}
			continue;
		}
		/* Reap everything: orphans of the sandbox land on PID 1. */
		int status;
		pid_t p;
		while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
			if (cmd <= 0 || p != cmd)
				continue;
			int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			write_status(exit_dirfd, code);
			/* The kernel kills whatever else is left in the pid
			 * namespace when its PID 1 exits. */
			_exit(code);
		}
	}
}
