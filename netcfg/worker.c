// SPDX-License-Identifier: GPL-2.0-or-later
/* Workers: processes that finish a piece of kernel work nobody needs to
 * wait for (the RCU grace periods a deleted device or nf_tables object is
 * freed after), once they have reported what the caller needs to know. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

int nc_worker_fork(int input, int report, int netns, pid_t *ret_middle, struct nc_err *err)
{
	pid_t pid = fork();
	if (pid < 0)
		return nc_err_errno(err, errno, "fork");
	if (pid == 0) {
		/* A grandchild, so that nobody has to reap it. */
		pid_t worker = fork();
		if (worker != 0)
			_exit(worker < 0 ? 1 : 0);
		/* Nothing of the caller's but input and report: an inherited
		 * fd keeps what it refers to alive as long as the worker
		 * lives, the journal's flock (held by the open file, not the
		 * process) first, and a pipe to the user's shell would not see
		 * its end of file. */
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		/* A session of its own: the user's ^C to nsbox's job, or the
		 * terminal's hangup, is not for a worker, which may still have
		 * to remove what nsbox made. The root as its directory: one
		 * that outlives nsbox must not keep the user's busy (an
		 * unmount right after). The worker has no other thread to take
		 * along into netns. */
		if (setsid() < 0 || chdir("/") < 0 ||
		    (netns >= 0 && setns(netns, CLONE_NEWNET) < 0) || null < 0 ||
		    dup2(input >= 0 ? input : null, STDIN_FILENO) < 0 ||
		    dup2(null, STDOUT_FILENO) < 0 || dup2(report, STDERR_FILENO) < 0 ||
		    close_range(3, ~0U, 0) < 0)
			_exit(1);
		return 1;
	}
	*ret_middle = pid;
	return 0;
}

int nc_worker_reap(pid_t middle, struct nc_err *err)
{
	int status;
	while (waitpid(middle, &status, 0) < 0)
		if (errno != EINTR)
			return nc_err_errno(err, errno, "wait for a process of its own");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return nc_err_set(err, EIO, "could not start a process of its own");
	return 0;
}
