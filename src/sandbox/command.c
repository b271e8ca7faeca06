// SPDX-License-Identifier: GPL-2.0-or-later
#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "command.h"
#include "init.h"
#include "netcfg.h"
#include "spec.h"

__attribute__((noreturn, format(printf, 3, 4))) static void fail(int fd, int code, const char *fmt,
								 ...)
{
	struct command_failure f = {.code = code};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f.msg, sizeof(f.msg), fmt, ap);
	va_end(ap);
	/* One write below PIPE_BUF is atomic; a reader sees all or nothing. */
	if (write(fd, &f, sizeof(f)) < 0) {
		/* The parent is gone; the exit status is all that is left. */
	}
	_exit(code);
}

int command_failure_read(int fd, int *ret_code, char *msg, size_t len)
{
	struct command_failure f;
	ssize_t n;
	do
		n = read(fd, &f, sizeof(f));
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		*ret_code = -1;
		return 0;
	}
	if (n != (ssize_t)sizeof(f))
		return -EIO;
	f.msg[sizeof(f.msg) - 1] = '\0';
	*ret_code = f.code;
	snprintf(msg, len, "%s", f.msg);
	return 0;
}

static void apply_identity_and_caps(const struct command *cmd, int fd)
{
	bool root = !cmd->set_user || cmd->uid == 0;
	/* Only what nsbox holds can be kept: "ALL" means all of those (a
	 * container that runs nsbox may lack CAP_SYS_RESOURCE, say). */
	uint64_t held = 0;
	if (capng_get_caps_process() == 0)
		for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
			if (capng_have_capability(CAPNG_PERMITTED, (unsigned)cap))
				held |= 1ULL << cap;
	capng_clear(CAPNG_SELECT_ALL);
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
		if (!(cmd->caps & held & (1ULL << cap)))
			continue;
		unsigned type = CAPNG_BOUNDING_SET;
		/* A user other than root keeps none, as in Docker: the kernel
		 * clears them anyway when uid 0 is left (capabilities(7)). */
		if (root)
			type |= CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE;
		capng_update(CAPNG_ADD, type, (unsigned)cap);
	}
	if (cmd->set_user) {
		if (setgroups(0, NULL) < 0 || setresgid(cmd->gid, cmd->gid, cmd->gid) < 0)
			fail(fd, 125, "user: set group %u: %s", (unsigned)cmd->gid,
			     strerror(errno));
	}
	/* The bounding set needs CAP_SETPCAP to shrink, the uid change
	 * CAP_SETUID: both are still held in full until the sets below. */
	if (capng_apply(CAPNG_SELECT_BOUNDS) < 0)
		fail(fd, 125, "capabilities: cannot set the bounding set");
	if (cmd->set_user && setresuid(cmd->uid, cmd->uid, cmd->uid) < 0)
		fail(fd, 125, "user: set user %u: %s", (unsigned)cmd->uid, strerror(errno));
	if (capng_apply(CAPNG_SELECT_CAPS) < 0)
		fail(fd, 125, "capabilities: cannot set the capability sets");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		fail(fd, 125, "capabilities: clear the ambient set: %s", strerror(errno));
}

static char **build_env(const struct command *cmd)
{
	static const char *const base[] = {
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	    "HOME=/root",
	};
	size_t n = 2 + cmd->n_env + 1;
	char **env = calloc(n + 1, sizeof(char *));
	if (!env)
		return NULL;
	size_t k = 0;
	const char *term = getenv("TERM");
	char *t = NULL;
	if (cmd->tty && term && asprintf(&t, "TERM=%s", term) > 0)
		env[k++] = t;
	for (size_t i = 0; i < 2; i++) {
		/* A user's K=V of the same key wins. */
		size_t klen = strcspn(base[i], "=") + 1;
		bool overridden = false;
		for (size_t j = 0; j < cmd->n_env; j++)
			overridden |= !strncmp(cmd->env[j], base[i], klen);
		if (!overridden)
			env[k++] = (char *)base[i];
	}
	for (size_t j = 0; j < cmd->n_env; j++)
		env[k++] = (char *)cmd->env[j];
	env[k] = NULL;
	return env;
}

void command_exec(const struct command *cmd, int fd)
{
	/* Until the exec (which makes it dumpable again), this process is
	 * nsbox: its /proc/PID/exe is the host's binary, its fds those of
	 * nsbox's caller. Once its capabilities are the sandbox's, any process
	 * there could open them (runc's CVE-2016-9962, CVE-2019-5736);
	 * non-dumpable, only CAP_SYS_PTRACE can. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		fail(fd, 125, "prctl: %s", strerror(errno));
	/* Back to defaults: what the init (or nsbox) caught, and SIGPIPE in
	 * case whoever started nsbox ignored it. */
	sigset_t none, caught;
	sigemptyset(&none);
	init_signal_set(&caught);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig == SIGPIPE || sigismember(&caught, sig) == 1)
			signal(sig, SIG_DFL);
	if (cmd->tty) {
		/* Become the terminal's foreground process group, so ^C and ^Z
		 * reach the command and nothing else. tcsetpgrp from a
		 * background group raises SIGTTOU unless it is ignored. */
		signal(SIGTTOU, SIG_IGN);
		if (setpgid(0, 0) < 0 || tcsetpgrp(STDIN_FILENO, getpgrp()) < 0)
			fail(fd, 125, "tty: cannot take the terminal: %s", strerror(errno));
		signal(SIGTTOU, SIG_DFL);
	}
	sigprocmask(SIG_SETMASK, &none, NULL);

	const char *wd = cmd->workdir ? cmd->workdir : "/";
	struct stat st;
	if (chdir(wd) < 0)
		fail(fd, 125, "workdir %s: %s", wd, nc_strerror(errno));
	/* Inside the pivoted root every path resolves within it; still make
	 * sure the directory reached is reachable from the root ("/.."). */
	if (stat(".", &st) < 0 || !S_ISDIR(st.st_mode))
		fail(fd, 125, "workdir %s: not a directory", wd);

	char **env = build_env(cmd);
	if (!env)
		fail(fd, 125, "out of memory");
	apply_identity_and_caps(cmd, fd);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(fd, 125, "no_new_privs: %s", strerror(errno));
	umask(022);
	/* Every fd past the kept ones closes at exec; fd (the error pipe)
	 * is among them and tells the parent the exec happened. */
	if (close_range(3 + cmd->keep_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		fail(fd, 125, "close inherited fds: %s", strerror(errno));
	if (cmd->seccomp) {
		struct nc_err err;
		if (seccomp_apply(&err) < 0)
			fail(fd, 125, "%s", err.msg);
	}
	extern char **environ;
	environ = env;
	/* execvp searches the PATH of environ, which is now the sandbox's. */
	execvp(cmd->argv[0], cmd->argv);
	int e = errno;
	fail(fd, e == ENOENT ? 127 : 126, "%s: %s", cmd->argv[0],
	     e == ENOENT ? "command not found" : nc_strerror(e));
}
