// SPDX-License-Identifier: GPL-2.0-or-later
/* nsbox exec | ps | stop | logs: running sandboxes. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "sandbox/launch.h"
#include "util/json.h"

static const char exec_usage[] =
    "Usage: nsbox exec [-t] [-e K=V] [-w DIR] NAME [--] CMD [ARG...]\n"
    "\n"
    "Run CMD inside the running sandbox NAME: its network, mount (and so its\n"
    "root), PID, UTS and IPC namespaces, with the same user, capabilities,\n"
    "no_new_privs and syscall filter as its own command.\n"
    "\n"
    "  -t, --tty           give CMD this terminal\n"
    "  -e, --env K=V       set a variable (repeatable)\n"
    "  -w, --workdir DIR   working directory inside (default /)\n"
    "\n"
    "Exit status: CMD's; 125 nsbox failed; 126 cannot execute; 127 not found.\n";

static const char ps_usage[] = "Usage: nsbox ps [--json]\n"
			       "\n"
			       "Sandboxes: name, state (running or exited), pid of the init,\n"
			       "netns, rootfs, uptime, and the exit status of finished ones.\n";

static const char stop_usage[] =
    "Usage: nsbox stop [--timeout S] NAME...\n"
    "\n"
    "Send SIGTERM to each sandbox's command (through its init), SIGKILL after S\n"
    "seconds (default 10), wait for it to end, and remove its state.\n";

static const char logs_usage[] = "Usage: nsbox logs NAME\n"
				 "\n"
				 "Print what a detached sandbox's command wrote to stdout and "
				 "stderr.\n";

static int exec_opt(int c, const char *arg, void *data)
{
	struct command *cmd = data;
	switch (c) {
	case 't':
		cmd->tty = true;
		return 0;
	case 'e': {
		if (!strchr(arg, '=') || arg[0] == '=')
			return cli_usage("exec", "--env %s: expected K=V", arg);
		const char **nv = realloc(cmd->env, (cmd->n_env + 1) * sizeof(char *));
		if (!nv)
			return cli_usage("exec", "out of memory");
		nv[cmd->n_env++] = arg;
		cmd->env = nv;
		return 0;
	}
	case 'w':
		if (arg[0] != '/')
			return cli_usage("exec", "--workdir %s: must be an absolute path", arg);
		cmd->workdir = arg;
		return 0;
	}
	return cli_usage("exec", "unexpected option");
}

int exec_parse(int argc, char **argv, struct command *cmd, const char **ret_name, int *ret_code)
{
	static const struct option longopts[] = {
	    {"tty", no_argument, NULL, 't'},
	    {"env", required_argument, NULL, 'e'},
	    {"workdir", required_argument, NULL, 'w'},
	    {0},
	};
	*cmd = (struct command){0};
	*ret_code = EXIT_NSBOX;
	int code;
	int i =
	    cli_getopt(argc, argv, "exec", exec_usage, "+te:w:", longopts, exec_opt, cmd, &code);
	if (i < 0) {
		if (code == 0)
			*ret_code = 0;
		return -1;
	}
	if (i == argc) {
		cli_usage("exec", "missing NAME");
		return -1;
	}
	*ret_name = argv[i++];
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i == argc) {
		cli_usage("exec", "missing command");
		return -1;
	}
	cmd->argv = argv + i;
	return 0;
}

int cmd_exec(int argc, char **argv)
{
	struct command cmd;
	const char *name;
	int r;
	if (exec_parse(argc, argv, &cmd, &name, &r) < 0)
		goto out;
	r = EXIT_NSBOX;
	struct nc_err err;
	struct sandbox_rec rec;
	if (sandbox_state_read(name, &rec, &err) < 0) {
		cli_fail(EXIT_NSBOX, &err);
		goto out;
	}
	if (cmd.tty && !isatty(STDIN_FILENO)) {
		cli_usage("exec", "--tty: standard input is not a terminal");
		goto out;
	}
	cmd.caps = rec.caps;
	cmd.seccomp = rec.seccomp;
	cmd.set_user = rec.uid != 0 || rec.gid != 0;
	cmd.uid = rec.uid;
	cmd.gid = rec.gid;
	r = sandbox_join(&rec, &cmd, &err);
	if (r < 0)
		r = cli_fail(-r, &err);
out:
	free(cmd.env);
	return r;
}

static int no_opts(int c, const char *arg, void *data)
{
	return cli_usage("ps", "unexpected option");
}

struct ps_row {
	struct sandbox_rec rec;
	bool running;
	int exit_status;
};

static void format_uptime(time_t secs, char *buf, size_t len)
{
	if (secs < 120)
		snprintf(buf, len, "%llds", (long long)secs);
	else if (secs < 7200)
		snprintf(buf, len, "%lldm", (long long)secs / 60);
	else if (secs < 172800)
		snprintf(buf, len, "%lldh", (long long)secs / 3600);
	else
		snprintf(buf, len, "%lldd", (long long)secs / 86400);
}

int cmd_ps(int argc, char **argv)
{
	int code;
	int i = cli_getopt(argc, argv, "ps", ps_usage, "", NULL, no_opts, NULL, &code);
	if (i < 0)
		return code;
	if (i != argc)
		return cli_usage("ps", "unexpected argument '%s'", argv[i]);
	sandbox_state_gc();
	struct nc_err err;
	char **names = NULL;
	size_t n = 0;
	if (sandbox_state_list(&names, &n, &err) < 0)
		return cli_fail(EXIT_OPFAIL, &err);
	struct ps_row *rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		nc_strv_free(names);
		return EXIT_OPFAIL;
	}
	size_t m = 0;
	for (size_t k = 0; k < n; k++) {
		struct ps_row *row = &rows[m];
		/* A launch still under way has no init yet: not listed. */
		if (sandbox_state_read(names[k], &row->rec, NULL) < 0 || row->rec.pid == 0)
			continue;
		int pidfd, e = sandbox_pidfd(&row->rec, &pidfd);
		if (e < 0 && e != -ESRCH) {
			nc_err_errno(&err, -e, "sandbox %s: find its init (pid %d)", names[k],
				     (int)row->rec.pid);
			free(rows);
			nc_strv_free(names);
			return cli_fail(EXIT_OPFAIL, &err);
		}
		row->running = e == 0;
		if (row->running)
			close(pidfd);
		row->exit_status = row->running ? -1 : sandbox_state_exit_status(names[k]);
		m++;
	}
	time_t now = time(NULL);
	if (cli.json) {
		struct json *j = json_new();
		json_arr_begin(j);
		for (size_t k = 0; k < m; k++) {
			const struct ps_row *row = &rows[k];
			json_obj_begin(j);
			json_key(j, "name");
			json_str(j, row->rec.name);
			json_key(j, "state");
			json_str(j, row->running ? "running" : "exited");
			json_key(j, "pid");
			json_int(j, row->rec.pid);
			json_key(j, "netns");
			json_str(j, row->rec.netns);
			json_key(j, "rootfs");
			json_str(j, row->rec.rootfs);
			json_key(j, "detached");
			json_bool(j, row->rec.detached);
			json_key(j, "uptime");
			json_int(j, (int64_t)(now - row->rec.created));
			json_key(j, "exit_status");
			if (row->exit_status >= 0)
				json_int(j, row->exit_status);
			else
				json_str(j, NULL);
			json_key(j, "command");
			json_str(j, row->rec.cmd);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_print(j);
		json_free(j);
	} else {
		printf("%-16s %-8s %8s %-12s %-12s %7s %6s  %s\n", "NAME", "STATE", "PID", "NETNS",
		       "ROOTFS", "UPTIME", "STATUS", "COMMAND");
		for (size_t k = 0; k < m; k++) {
			const struct ps_row *row = &rows[k];
			char up[16], st[16];
			format_uptime(now - row->rec.created, up, sizeof(up));
			if (row->exit_status >= 0)
				snprintf(st, sizeof(st), "%d", row->exit_status);
			else
				snprintf(st, sizeof(st), "-");
			printf("%-16s %-8s %8d %-12s %-12s %7s %6s  %s\n", row->rec.name,
			       row->running ? "running" : "exited", (int)row->rec.pid,
			       row->rec.netns, row->rec.rootfs, up, st, row->rec.cmd);
		}
	}
	free(rows);
	nc_strv_free(names);
	return 0;
}

/* Wait up to ms for the process behind pidfd to end. */
static bool wait_gone(int pidfd, int ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int r;
	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	return r > 0;
}

enum { OPT_TIMEOUT = OPT_FIRST_LOCAL };

static int stop_opt(int c, const char *arg, void *data)
{
	if (c == OPT_TIMEOUT) {
		*(const char **)data = arg;
		return 0;
	}
	return cli_usage("stop", "unexpected option");
}

int cmd_stop(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"timeout", required_argument, NULL, OPT_TIMEOUT},
	    {0},
	};
	const char *timeout = NULL;
	int code;
	int i = cli_getopt(argc, argv, "stop", stop_usage, "", longopts, stop_opt, &timeout, &code);
	if (i < 0)
		return code;
	if (i == argc)
		return cli_usage("stop", "missing NAME");
	struct nc_err err;
	uint64_t secs = 10;
	if (timeout && nc_uint_parse(timeout, 0, 3600, "--timeout", &secs, &err) < 0)
		return cli_fail(EXIT_USAGE, &err);
	struct sandbox_rec recs[argc - i];
	for (int k = i; k < argc; k++)
		if (sandbox_state_read(argv[k], &recs[k - i], &err) < 0)
			return cli_fail(EXIT_USAGE, &err);
	int r = 0;
	for (int k = i; k < argc; k++) {
		struct sandbox_rec *rec = &recs[k - i];
		/* No init yet: a launch under way (stopped once it names its
		 * init) or one that died (its record goes). */
		if (rec->pid == 0 && sandbox_state_read_settled(argv[k], rec, NULL) < 0)
			continue;
		int pidfd, e = sandbox_pidfd(rec, &pidfd);
		if (e < 0 && e != -ESRCH) {
			nc_err_errno(&err, -e, "sandbox %s: find its init (pid %d)", rec->name,
				     (int)rec->pid);
			r = cli_fail(EXIT_OPFAIL, &err);
			continue;
		}
		if (e == 0) {
			/* The init passes SIGTERM on to the command; SIGKILL of
			 * the init takes the whole pid namespace with it. */
			pidfd_send_signal(pidfd, SIGTERM, NULL, 0);
			if (!wait_gone(pidfd, (int)secs * 1000)) {
				pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
				if (!wait_gone(pidfd, 10000)) {
					nc_err_set(&err, ETIMEDOUT,
						   "sandbox %s: still running after SIGKILL",
						   rec->name);
					r = cli_fail(EXIT_OPFAIL, &err);
					close(pidfd);
					continue;
				}
			}
			close(pidfd);
		}
		/* Another stop may have removed the record meanwhile and a new
		 * sandbox taken the name: that one stays. */
		e = sandbox_state_remove_if(rec->name, rec->pid, rec->start);
		if (e < 0 && e != -ESTALE) {
			nc_err_errno(&err, e,
				     "sandbox %s: stopped, but its record stays (run 'nsbox stop "
				     "%s' again)",
				     rec->name, rec->name);
			r = cli_fail(EXIT_OPFAIL, &err);
			continue;
		}
		if (cli.verbose)
			printf("sandbox %s: stopped\n", rec->name);
	}
	return r;
}

int cmd_logs(int argc, char **argv)
{
	int code;
	int i = cli_getopt(argc, argv, "logs", logs_usage, "", NULL, no_opts, NULL, &code);
	if (i < 0)
		return code;
	if (argc - i != 1)
		return cli_usage("logs", "expected one NAME");
	struct nc_err err;
	struct sandbox_rec rec;
	if (sandbox_state_read(argv[i], &rec, &err) < 0)
		return cli_fail(EXIT_USAGE, &err);
	char path[300];
	snprintf(path, sizeof(path), "%s/%s/log", SANDBOX_STATE_DIR, argv[i]);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		nc_err_set(&err, ENOENT, "sandbox %s: no log (only detached sandboxes have one)",
			   argv[i]);
		return cli_fail(EXIT_USAGE, &err);
	}
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return EXIT_OPFAIL;
	return 0;
}
