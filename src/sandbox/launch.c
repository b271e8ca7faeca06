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
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
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

	/* Held, "ready": the root is built, the sandbox can be joined
	 * (sandbox_ready) before its command starts. Only then: a byte left
	 * unread in nsbox's end when it closes it would make this read fail
	 * with ECONNRESET (unix_release_sock). */
	char go;
	if ((spec->held && send(c->go_r, "r", 1, MSG_NOSIGNAL) != 1) ||
	    read(c->go_r, &go, 1) != 1) {
		/* Said to nobody, most likely: nsbox died before recording
		 * us. Said all the same, lest a lost init look like a command
		 * that ran. */
		nc_err_errno(&err, errno ? errno : EPIPE, "sandbox %s: lost nsbox before the start",
			     spec->name);
		child_fail(c->err_w, &err);
	}
	if (spec->detach)
		prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);

	sigset_t set;
	init_signals(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* No command (a lab node): the init alone keeps the namespaces. */
	pid_t cmd = spec->argv ? fork() : 0;
	if (cmd < 0) {
		nc_err_errno(&err, errno, "fork the command");
		child_fail(c->err_w, &err);
	}
	if (cmd == 0 && spec->argv) {
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
	uint64_t start = 0;
	/* One that died already (start 0: never taken for a live one) says
	 * why through its error pipe, which sandbox_started reads. */
	int r = proc_start_time(pid, &start);
	if (r < 0 && r != -ESRCH)
		return nc_err_errno(err, -r, "sandbox %s: read /proc/%d/stat", spec->name,
				    (int)pid);
	struct sandbox_rec rec = {
	    .pid = pid,
	    .start = start,
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
	for (char **a = spec->argv; a && *a && off < sizeof(rec.cmd) - 1; a++)
		off += (size_t)snprintf(rec.cmd + off, sizeof(rec.cmd) - off, "%s%s",
					a == spec->argv ? "" : " ", *a);
	/* Newlines would break the record's line format. */
	for (char *p = rec.cmd; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return sandbox_state_write(dirfd, &rec, err);
}

void sandbox_launch_abort(struct sandbox_launch *l, struct nc_err *err)
{
	if (l->pidfd >= 0) {
		/* SIGKILL of the init takes its whole pid namespace along. */
		pidfd_send_signal(l->pidfd, SIGKILL, NULL, 0);
		waitid(P_PIDFD, (id_t)l->pidfd, &(siginfo_t){0}, WEXITED);
		close(l->pidfd);
		l->pidfd = -1;
	}
	if (l->err_r >= 0) {
		close(l->err_r);
		l->err_r = -1;
	}
	if (l->go_w >= 0) {
		close(l->go_w);
		l->go_w = -1;
	}
	/* The failure's message stays the message; where the record stays
	 * is added to it. */
	if (l->name[0] && sandbox_state_remove(l->name, l->nft.fd >= 0 ? &l->nft : NULL) < 0)
		nc_err_suffix(err, "; its record stays ('nsbox stop %s' removes it)", l->name);
	l->name[0] = '\0';
	nc_nft_end(&l->nft);
}

int sandbox_start(const struct sandbox_spec *spec, struct sandbox_launch *ret_launch,
		  struct nc_err *err)
{
	struct sandbox_launch l = {.pidfd = -1, .err_r = -1, .go_w = -1, .nft = NC_NFT_JOB_NONE};
	/* netns del refuses a netns a recorded sandbox runs in, looking under
	 * the journal lock: held from before the record exists until it names
	 * the init, no del comes in between to leave the sandbox in a netns
	 * without a name (or the record naming a new one). Taken before the
	 * record's own lock, as netns del and lab down take them. A lab's
	 * nodes come with their netns open, while nsbox holds it already. */
	_cleanup_(journal_unlockp) int lock = 0;
	if (spec->net == SANDBOX_NET_NETNS && !spec->netns_handle && journal_lock(&lock, err) < 0)
		return -125;
	/* mkdir is the arbiter of a name: no lock needed. */
	_cleanup_close_ int dirfd = -1;
	if (sandbox_state_create(spec->name, &dirfd, err) < 0)
		return -125;
	snprintf(l.name, sizeof(l.name), "%s", spec->name);

	struct rootfs_fds fds = {.dir = -1, .etc_netns = -1, .tty = -1};
	_cleanup_(nc_ns_freep) struct nc_ns *ns = NULL;
	_cleanup_close_ int log_fd = -1;
	int err_pipe[2] = {-1, -1}, go_pipe[2] = {-1, -1};
	int r;

	/* Checked here, before anything runs; opened again by the init. */
	if ((r = rootfs_open(spec, &fds, err)) < 0)
		goto fail;
	/* The uplink's rules are committed by a worker that loads
	 * libnftables first: started now, it does that while the sandbox is
	 * made, not after; and it stays for their removal. */
	if (spec->uplink && (r = nc_nft_prepare(&l.nft, err)) < 0)
		goto fail;
	rootfs_fds_close(&fds);
	if (spec->net == SANDBOX_NET_NETNS && !spec->netns_handle &&
	    (r = nc_ns_open(spec->netns, &ns, err)) < 0)
		goto fail;
	const struct nc_ns *netns = spec->netns_handle ? spec->netns_handle : ns;
	if (spec->detach) {
		log_fd = openat(dirfd, "log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (log_fd < 0) {
			r = nc_err_errno(err, errno, "sandbox %s: create its log", spec->name);
			goto fail;
		}
	}
	/* "go" travels over a socket, not a pipe: send(MSG_NOSIGNAL) to an
	 * init that died first fails with EPIPE instead of killing nsbox
	 * with SIGPIPE. */
	if (pipe2(err_pipe, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, go_pipe) < 0) {
		r = nc_err_errno(err, errno, "pipe");
		goto fail;
	}

	uint64_t flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID;
	if (spec->net == SANDBOX_NET_NONE)
		flags |= CLONE_NEWNET;
	/* Born with the signals its init forwards blocked: one sent before
	 * the init has handlers would be dropped (PID 1 of a pid namespace
	 * ignores what it has no handler for), and a `stop` of a sandbox still
	 * starting would wait its whole --timeout. Blocked, it stays pending
	 * for init_run. */
	sigset_t forwarded, old_mask;
	init_signal_set(&forwarded);
	sigprocmask(SIG_BLOCK, &forwarded, &old_mask);
	pid_t pid = clone3_pidfd(flags, &l.pidfd);
	if (pid != 0)
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
	if (pid < 0) {
		r = nc_err_errno(err, errno, "sandbox %s: clone3", spec->name);
		goto fail;
	}
	if (pid == 0) {
		close(err_pipe[0]);
		close(go_pipe[1]);
		struct child_ctx c = {
		    .spec = spec,
		    .netns_fd = netns ? nc_ns_fd(netns) : -1,
		    .err_w = err_pipe[1],
		    .go_r = go_pipe[0],
		    .state_dirfd = dirfd,
		    .log_fd = log_fd,
		};
		child_main(&c);
	}
	l.pid = pid;
	close(err_pipe[1]);
	close(go_pipe[0]);
	l.err_r = err_pipe[0];
	err_pipe[0] = err_pipe[1] = go_pipe[0] = -1;

	/* Recorded before it may go on: from here, a crash of nsbox leaves a
	 * record that finds the sandbox, and before here the init dies with
	 * nsbox (PR_SET_PDEATHSIG). */
	if ((r = record(spec, dirfd, pid, err)) < 0)
		goto fail;
	if (spec->uplink) {
		/* Its netns exists from the clone on; the init waits for "go",
		 * so the command starts with its way out in place. */
		char id[320];
		snprintf(id, sizeof(id), "sandbox:%s", spec->name);
		_cleanup_(nc_ns_freep) struct nc_ns *inside = NULL;
		if ((r = nc_ns_open_pid(pid, id, &inside, err)) < 0 ||
		    (r = uplink_add(id, inside, &spec->uplink_opts, &l.nft, NULL, err)) < 0)
			goto fail;
	}
	l.go_w = go_pipe[1];
	go_pipe[1] = -1;
	if (!spec->held && (r = sandbox_release(&l, err)) < 0)
		goto fail;
	*ret_launch = l;
	return 0;

fail:
	for (int i = 0; i < 2; i++) {
		if (err_pipe[i] >= 0)
			close(err_pipe[i]);
		if (go_pipe[i] >= 0)
			close(go_pipe[i]);
	}
	rootfs_fds_close(&fds);
	sandbox_launch_abort(&l, err);
	return -125;
}

int sandbox_ready(struct sandbox_launch *l, struct nc_err *err)
{
	char ready;
	if (recv(l->go_w, &ready, 1, 0) == 1)
		return 0;
	/* It died on the way; its report says why. */
	char name[sizeof(l->name)];
	snprintf(name, sizeof(name), "%s", l->name);
	int r = sandbox_started(l, err);
	if (r < 0)
		return r;
	r = nc_err_set(err, ECHILD, "sandbox %s: its init ended before it was ready", name);
	sandbox_launch_abort(l, err);
	return r;
}

int sandbox_release(struct sandbox_launch *l, struct nc_err *err)
{
	ssize_t n = send(l->go_w, "g", 1, MSG_NOSIGNAL);
	int saved = errno;
	close(l->go_w);
	l->go_w = -1;
	if (n != 1)
		return nc_err_errno(err, saved, "sandbox %s: start", l->name);
	return 0;
}

int sandbox_started(struct sandbox_launch *l, struct nc_err *err)
{
	int code;
	char msg[320];
	if (command_failure_read(l->err_r, &code, msg, sizeof(msg)) < 0) {
		code = 125;
		snprintf(msg, sizeof(msg), "sandbox %s: lost contact with its init", l->name);
	}
	close(l->err_r);
	l->err_r = -1;
	if (code < 0)
		return 0;
	nc_err_set(err, code == 125 ? EINVAL : ENOEXEC, "%s", msg);
	sandbox_launch_abort(l, err);
	return -code;
}

int sandbox_run(const struct sandbox_spec *spec, struct sandbox_launch *ret_launch,
		struct nc_err *err)
{
	sandbox_state_gc();
	struct sandbox_launch l;
	int r = sandbox_start(spec, &l, err);
	if (r < 0)
		return r;
	if ((r = sandbox_started(&l, err)) < 0)
		return r;
	if (spec->detach) {
		/* Whoever stops it removes the uplink with a worker of its
		 * own. */
		nc_nft_end(&l.nft);
		*ret_launch = l;
		return 0;
	}
	int status = wait_forwarding(l.pidfd, spec->tty);
	close(l.pidfd);
	r = sandbox_state_remove(spec->name, &l.nft);
	nc_nft_end(&l.nft);
	/* Its status would hide that something stays behind. */
	if (r < 0) {
		nc_err_errno(err, r,
			     "sandbox %s: ended (status %d), but its record in %s/%s stays "
			     "('nsbox stop %s' removes it)",
			     spec->name, status, SANDBOX_STATE_DIR, spec->name, spec->name);
		return -125;
	}
	return status;
}
