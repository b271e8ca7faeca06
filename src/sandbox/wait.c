// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "init.h"
#include "wait.h"

int wait_forwarding(int pidfd, bool tty)
{
	sigset_t set, old;
	init_signal_set(&set);
	sigdelset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC);
	int code = 125;
	for (;;) {
		struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN},
				      {.fd = sfd, .events = POLLIN}};
		if (poll(p, sfd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == sizeof(si))
				pidfd_send_signal(pidfd, (int)si.ssi_signo, NULL, 0);
		}
		if (p[0].revents & POLLIN) {
			siginfo_t info = {0};
			if (waitid(P_PIDFD, (id_t)pidfd, &info, WEXITED) < 0)
				break;
			code = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
			break;
		}
	}
	if (sfd >= 0)
		close(sfd);
	if (tty && isatty(STDIN_FILENO)) {
		/* The command's group had the terminal; take it back. */
		signal(SIGTTOU, SIG_IGN);
		tcsetpgrp(STDIN_FILENO, getpgrp());
		signal(SIGTTOU, SIG_DFL);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return code;
}
