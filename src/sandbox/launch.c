// SPDX-License-Identifier: GPL-2.0-or-later
/* Launching a sandbox: clone3 into fresh namespaces, the child becomes PID
 * 1 (nsbox's init), builds the root, starts the command; the parent records
 * the sandbox and, in the foreground, waits for it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cap-ng.h>
#include <linux/capability.h>

#include "cleanup.h"
#include "clone.h"
#include "command.h"
#include "init.h"
#include "launch.h"
#include "rootfs.h"
#include "state/journal.h"
#include "wait.h"

struct child_ctx {
	const struct sandbox_spec *spec;
	int netns_fd;
	int err_w, go_r;
	int state_dirfd; /* detached: where the init leaves the exit status */
	int log_fd;	 /* detached: the command's stdout and stderr */
};

__attribute__((noreturn)) static void child_fail(int fd, struct nc_err *err)
{
	struct command_failure f = {.code = 125};
	snprintf(f.msg, sizeof(f.msg), "%s", err->msg);
	if (write(fd, &f, sizeof(f)) < 0) {
		/* nobody left to tell */
	}
	_exit(125);
}

/* The init drops everything but CAP_KILL (to signal a command that left
 * uid 0) and cannot be ptraced or have its memory read (non-dumpable). */
static int harden_init(struct nc_err *err)
{
	capng_clear(CAPNG_SELECT_ALL);
	capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET, CAP_KILL);
	if (capng_apply(CAPNG_SELECT_ALL) < 0)
		return nc_err_set(err, EPERM, "init: cannot drop capabilities");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return nc_err_errno(err, errno, "init: prctl");
	return 0;
}

__attribute__((noreturn)) static void child_main(const struct child_ctx *c)
{
	const struct sandbox_spec *spec = c->spec;
	struct nc_err err;
	/* Until nsbox has recorded us, its death must take us along; a
	 * foreground sandbox keeps this for good. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		_exit(125);
	umask(0);

	/* The netns first, so that the sysfs mounted below is its own. */
	if (spec->net == SANDBOX_NET_NETNS && setns(c->netns_fd, CLONE_NEWNET) < 0) {
		nc_err_errno(&err, errno, "netns %s: setns", spec->netns);
		child_fail(c->err_w, &err);
	}
	if (spec->net == SANDBOX_NET_NONE && nc_lo_up(&err) < 0)
		child_fail(c->err_w, &err);
	const char *hostname = spec->hostname ? spec->hostname : spec->name;
	if (sethostname(hostname, strlen(hostname)) < 0) {
		nc_err_errno(&err, errno, "hostname %s", hostname);
		child_fail(c->err_w, &err);
	}
	if (rootfs_build(spec, hostname, &err) < 0)
		child_fail(c->err_w, &err);

	if (spec->detach) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0 || dup2(c->log_fd, 1) < 0 ||
		    dup2(c->log_fd, 2) < 0) {
			nc_err_errno(&err, errno, "redirect output to the log");
			child_fail(c->err_w, &err);
		}
		close(null);
	}
	/* Without the terminal, a session of its own: the sandbox cannot
	 * push input into nsbox's terminal (TIOCSTI) nor get its signals;
	 * nsbox forwards them instead. */
	if (!spec->tty && setsid() < 0) {
		nc_err_errno(&err, errno, "setsid");
		child_fail(c->err_w, &err);
	}

	char go;
	if (read(c->go_r, &go, 1) != 1)
		_exit(125); /* nsbox died before recording us */
	if (spec->detach)
		prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);

	sigset_t set;
	init_signals(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid_t cmd = fork();
	if (cmd < 0) {
		nc_err_errno(&err, errno, "fork the command");
		child_fail(c->err_w, &err);
	}
	if (cmd == 0) {
		struct command command = {
		    .argv = spec->argv,
		    .env = spec->env,
		    .n_env = spec->n_env,
		    .workdir = spec->workdir,
		    .set_user = spec->set_user,
		    .uid = spec->uid,
		    .gid = spec->gid,
		    .caps = spec->caps,
		    .seccomp = spec->seccomp,
		    .keep_fds = spec->keep_fds,
		    .tty = spec->tty,
		};
		command_exec(&command, c->err_w);
	}
	/* The init keeps only the journal directory of a detached sandbox;
	 * as fd 3, above which everything else closes. */
	int exit_dirfd = -1;
	if (spec->detach && c->state_dirfd >= 0)
		exit_dirfd = dup2(c->state_dirfd, 3);
	close_range(exit_dirfd == 3 ? 4 : 3, ~0U, 0);
	if (harden_init(&err) < 0) {
		kill(cmd, SIGKILL);
		_exit(125);
	}
	init_run(cmd, exit_dirfd);
}

static int record(const struct sandbox_spec *spec, int dirfd, pid_t pid, struct nc_err *err)
{
	struct sandbox_rec rec = {
	    .pid = pid,
	    .start = proc_start_time(pid),
	    .detached = spec->detach,
	    .created = time(NULL),
	    .caps = spec->caps,
	    .seccomp = spec->seccomp,
	    .uid = spec->set_user ? spec->uid : 0,
	    .gid = spec->set_user ? spec->gid : 0,
	};
	snprintf(rec.name, sizeof(rec.name), "%s", spec->name);
	snprintf(rec.netns, sizeof(rec.netns), "%s",
		 spec->net == SANDBOX_NET_NETNS	 ? spec->netns
		 : spec->net == SANDBOX_NET_HOST ? "host"
						 : "none");
	snprintf(rec.rootfs, sizeof(rec.rootfs), "%s", spec->rootfs ? spec->rootfs : "host");
	size_t off = 0;
	for (char **a = spec->argv; *a && off < sizeof(rec.cmd) - 1; a++)
		off += (size_t)snprintf(rec.cmd + off, sizeof(rec.cmd) - off, "%s%s",
					a == spec->argv ? "" : " ", *a);
	/* Newlines would break the record's line format. */
	for (char *p = rec.cmd; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return sandbox_state_write(dirfd, &rec, err);
}

int sandbox_run(const struct sandbox_spec *spec, struct nc_err *err)
{
	sandbox_state_gc();
	_cleanup_close_ int dirfd = -1;
	{
		_cleanup_close_ int lock = -1;
		if (journal_lock(&lock, err) < 0 || sandbox_state_create(spec->name, &dirfd, err) < 0)
			return -125;
	}
	struct rootfs_fds fds = {.dir = -1, .etc_netns = -1};
	_cleanup_(nc_ns_freep) struct nc_ns *ns = NULL;
	_cleanup_close_ int log_fd = -1;
	int err_pipe[2] = {-1, -1}, go_pipe[2] = {-1, -1};
	int pidfd = -1, r;
	pid_t pid = -1;

	if ((r = rootfs_open(spec, &fds, err)) < 0)
		goto fail;
	rootfs_fds_close(&fds);
	if (spec->net == SANDBOX_NET_NETNS && (r = nc_ns_open(spec->netns, &ns, err)) < 0)
		goto fail;
	if (spec->detach) {
		log_fd = openat(dirfd, "log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (log_fd < 0) {
			r = nc_err_errno(err, errno, "sandbox %s: create its log", spec->name);
			goto fail;
		}
	}
	if (pipe2(err_pipe, O_CLOEXEC) < 0 || pipe2(go_pipe, O_CLOEXEC) < 0) {
		r = nc_err_errno(err, errno, "pipe");
		goto fail;
	}

	uint64_t flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID;
	if (spec->net == SANDBOX_NET_NONE)
		flags |= CLONE_NEWNET;
	pid = clone3_pidfd(flags, &pidfd);
	if (pid < 0) {
		r = nc_err_errno(err, errno, "clone3");
		goto fail;
	}
	if (pid == 0) {
		close(err_pipe[0]);
		close(go_pipe[1]);
		struct child_ctx c = {
		    .spec = spec,
		    .netns_fd = ns ? nc_ns_fd(ns) : -1,
		    .err_w = err_pipe[1],
		    .go_r = go_pipe[0],
		    .state_dirfd = dirfd,
		    .log_fd = log_fd,
		};
		child_main(&c);
	}
	close(err_pipe[1]);
	close(go_pipe[0]);
	err_pipe[1] = go_pipe[0] = -1;

	if ((r = record(spec, dirfd, pid, err)) < 0) {
		kill(pid, SIGKILL);
		goto fail;
	}
	if (write(go_pipe[1], "g", 1) != 1) {
		r = nc_err_errno(err, errno, "sandbox %s: start", spec->name);
		goto fail;
	}
	close(go_pipe[1]);
	go_pipe[1] = -1;

	int code;
	char msg[320];
	if (command_failure_read(err_pipe[0], &code, msg, sizeof(msg)) < 0) {
		code = 125;
		snprintf(msg, sizeof(msg), "sandbox %s: lost contact with its init", spec->name);
	}
	close(err_pipe[0]);
	err_pipe[0] = -1;
	if (code >= 0) {
		/* The init exits with the code it reported; reap it. */
		waitid(P_PIDFD, (id_t)pidfd, &(siginfo_t){0}, WEXITED);
		close(pidfd);
		sandbox_state_remove(spec->name);
		nc_err_set(err, code == 125 ? EINVAL : ENOEXEC, "%s", msg);
		return -code;
	}
	if (spec->detach) {
		close(pidfd);
		printf("%s\n", spec->name);
		return 0;
	}
	int status = wait_forwarding(pidfd, spec->tty);
	close(pidfd);
	sandbox_state_remove(spec->name);
	return status;

fail:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (pidfd >= 0)
		close(pidfd);
	for (int i = 0; i < 2; i++) {
		if (err_pipe[i] >= 0)
			close(err_pipe[i]);
		if (go_pipe[i] >= 0)
			close(go_pipe[i]);
	}
	rootfs_fds_close(&fds);
	sandbox_state_remove(spec->name);
	return r < 0 ? -125 : r;
}
