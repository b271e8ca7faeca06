// SPDX-License-Identifier: GPL-2.0-or-later
/* The command line (src/cli): cli_getopt, and the parsing of `nsbox run`
 * (run_parse: its options, then their validation into a sandbox_spec) and
 * of `nsbox exec` (exec_parse). The input is split into words at spaces,
 * tabs, newlines and NULs, as a shell would give them, each word in its own
 * allocation; the first word is argv[0] and names the command: "run",
 * "exec", or anything else for cli_getopt alone with options of every kind
 * (a first word starting with '+' parses in order, as run and exec do).
 * Each input is parsed twice (see below). Nothing is executed: sandbox_run
 * and sandbox_join, which the parsers' files call once parsing is done,
 * and sandbox_launch_abort abort here. */
#include "fuzz.h"

#include "cli/cli.h"
#include "sandbox/launch.h"

#define MAX_WORDS 64

int sandbox_run(const struct sandbox_spec *spec, struct sandbox_launch *ret_launch,
		struct nc_err *err)
{
	fprintf(stderr, "sandbox_run called while parsing\n");
	abort();
}

void sandbox_launch_abort(struct sandbox_launch *l, struct nc_err *err)
{
	fprintf(stderr, "sandbox_launch_abort called while parsing\n");
	abort();
}

int sandbox_join(const struct sandbox_rec *rec, const struct command *cmd, struct nc_err *err)
{
	fprintf(stderr, "sandbox_join called while parsing\n");
	abort();
}

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_cli: %s\n", what);
		abort();
	}
}

/* argv[from..argc) is the command, NULL-terminated, as execvp needs it. */
static void check_argv(char **cmd, char **argv, int argc)
{
	check(cmd && cmd > argv && cmd < argv + argc && cmd[0], "no command");
	check(argv[argc] == NULL, "command not NULL-terminated");
}

static void check_env(const char **env, size_t n)
{
	for (size_t k = 0; k < n; k++)
		check(env[k] && env[k][0] != '=' && strchr(env[k], '='), "bad --env kept");
}

static int fuzz_run(int argc, char **argv)
{
	struct sandbox_spec s;
	int code = -1;
	memset(&s, 0x5a, sizeof(s));
	int r = run_parse(argc, argv, &s, &code);
	if (r < 0) {
		check(r == -1 && (code == 0 || code == EXIT_NSBOX), "run: bad exit status");
	} else {
		check(r == 0, "run: bad result");
		check_argv(s.argv, argv, argc);
		check(sandbox_name_valid(s.name, NULL) == 0, "run: invalid name");
		check(s.net == SANDBOX_NET_NONE || s.net == SANDBOX_NET_HOST ||
			  s.net == SANDBOX_NET_NETNS,
		      "run: bad net");
		check(s.net != SANDBOX_NET_NETNS || nc_netns_name_valid(s.netns, NULL) == 0,
		      "run: invalid netns");
		check(!s.rootfs || (s.rootfs[0] == '/' && strcmp(s.rootfs, "/")),
		      "run: bad rootfs");
		check(!s.rootfs_rw || s.rootfs, "run: --rootfs-rw without a rootfs");
		check(!s.hostname ||
			  (s.hostname[0] && strlen(s.hostname) <= 64 && !strchr(s.hostname, '/')),
		      "run: bad hostname");
		for (size_t k = 0; k < s.n_binds; k++)
			check(s.binds[k].src[0] == '/' && s.binds[k].dst[0] == '/' &&
				  strcmp(s.binds[k].dst, "/"),
			      "run: bad bind");
		check_env(s.env, s.n_env);
		check(!s.workdir || s.workdir[0] == '/', "run: bad workdir");
		check(s.keep_fds <= 1024, "run: too many fds kept");
		check(!(s.tty && s.detach), "run: --tty with --detach");
		check(!s.uplink || s.net == SANDBOX_NET_NONE, "run: uplink without own netns");
		const struct uplink_opts *u = &s.uplink_opts;
		check(u->n_dns <= 4 && u->n_publish <= UPLINK_MAX_RULES &&
			  u->n_allow <= UPLINK_MAX_RULES,
		      "run: too many uplink rules");
		check(s.uplink || (!u->n_publish && !u->n_allow && !u->n_dns),
		      "run: uplink rules without --uplink");
	}
	/* Whatever the result: the options given so far are the caller's. */
	run_spec_free(&s);
	return r < 0 ? code : -1;
}

static int fuzz_exec(int argc, char **argv)
{
	struct command cmd;
	const char *name = NULL;
	int code = -1;
	memset(&cmd, 0x5a, sizeof(cmd));
	int r = exec_parse(argc, argv, &cmd, &name, &code);
	if (r < 0) {
		check(r == -1 && (code == 0 || code == EXIT_NSBOX), "exec: bad exit status");
	} else {
		check(r == 0, "exec: bad result");
		check(name != NULL, "exec: no name");
		check_argv(cmd.argv, argv, argc);
		check_env(cmd.env, cmd.n_env);
		check(!cmd.workdir || cmd.workdir[0] == '/', "exec: bad workdir");
	}
	free(cmd.env);
	return r < 0 ? code : -1;
}

/* cli_getopt alone: every kind of option, short and long. */
enum { OPT_FLAG = OPT_FIRST_LOCAL, OPT_VALUE, OPT_MAYBE };

struct words {
	char **v; /* as split: getopt permutes argv */
	int n;
};

/* A value is (the end of) one of the words. */
static bool in_words(const struct words *w, const char *arg)
{
	for (int k = 0; k < w->n; k++)
		if (arg >= w->v[k] && arg <= w->v[k] + strlen(w->v[k]))
			return true;
	return false;
}

static int any_opt(int c, const char *arg, void *data)
{
	const struct words *w = data;
	check(!arg || in_words(w, arg), "getopt: a value outside the words");
	switch (c) {
	case 'a':
	case OPT_FLAG:
		check(arg == NULL, "getopt: a value for a flag");
		return 0;
	case 'b':
	case OPT_VALUE:
		check(arg != NULL, "getopt: no value for a required one");
		/* A handler that refuses: the parse ends there. */
		return strcmp(arg, "fail") ? 0 : cli_usage("fuzz", "refused '%s'", arg);
	case 'c':
	case OPT_MAYBE:
		return 0;
	}
	fprintf(stderr, "fuzz_cli: getopt: unexpected option %d\n", c);
	abort();
}

static int fuzz_getopt(int argc, char **argv, char **copies)
{
	static const struct option longopts[] = {
	    {"flag", no_argument, NULL, OPT_FLAG},
	    {"value", required_argument, NULL, OPT_VALUE},
	    {"maybe", optional_argument, NULL, OPT_MAYBE},
	    {"alpha", no_argument, NULL, 'a'},
	    {"beta", required_argument, NULL, 'b'},
	    {0},
	};
	struct words w = {copies, argc};
	int code = -1;
	const char *shorts = argv[0][0] == '+' ? "+ab:c::" : "ab:c::";
	int i =
	    cli_getopt(argc, argv, "fuzz", "Usage: fuzz\n", shorts, longopts, any_opt, &w, &code);
	if (i < 0)
		check(code == 0 || code == EXIT_USAGE, "getopt: bad exit status");
	else
		check(i >= 1 && i <= argc, "getopt: operand index out of range");
	return i < 0 ? code : i + 1000;
}

/* One invocation on the words of s: how it ended (an exit status, or -1
 * for a command ready to run). */
static int parse(const char *s, size_t size)
{
	char *copies[MAX_WORDS];
	char *argv[MAX_WORDS + 1];
	int argc = (int)fuzz_words(s, size, copies, MAX_WORDS);
	for (int k = 0; k < argc; k++)
		argv[k] = copies[k];
	argv[argc] = NULL;

	/* The options of one invocation: as nsbox starts. */
	cli = (struct cli_opts){0};
	int r = 0;
	if (argc > 0) {
		if (!strcmp(argv[0], "run"))
			r = fuzz_run(argc, argv);
		else if (!strcmp(argv[0], "exec"))
			r = fuzz_exec(argc, argv);
		else
			r = fuzz_getopt(argc, argv, copies);
	}

	for (int k = 0; k < argc; k++)
		free(copies[k]);
	return r;
}

/* Twice, the first words freed before the second parse: a parse that
 * depends on what came before (getopt keeps state between calls) shows,
 * from a single input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	int first = parse(s, size);
	check(parse(s, size) == first, "a second parse of the same words ends otherwise");
	free(s);
	return 0;
}
