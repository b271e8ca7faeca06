/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every command shares: global options, exit codes, error printing. */
#pragma once

#include <getopt.h>
#include <stdbool.h>

#include "cleanup.h"
#include "netcfg.h"

enum {
	EXIT_OPFAIL = 1, /* the operation failed; anything it made was removed */
	EXIT_USAGE = 2,	 /* usage or validation error; nothing was changed */
	EXIT_NSBOX = 125,
	EXIT_NOEXEC = 126,
	EXIT_NOTFOUND = 127,
};

struct cli_opts {
	bool json;
	bool quiet;
	int verbose;
};

/* The only global mutable state: the options of this invocation. */
extern struct cli_opts cli;

enum { OPT_JSON = 0x1000, OPT_FIRST_LOCAL = 0x1100 };

/* Print "nsbox: <msg>" and return code. */
int cli_fail(int code, const struct nc_err *err);
/* Print "nsbox: <cmd>: <formatted>" and a hint to --help; return EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print the usage text of a command to stdout; return 0. */
int cli_help(const char *usage);
/* A unknown or missing subcommand of cmd. */
int cli_bad_subcommand(const char *cmd, const char *sub, const char *usage);

/* Runs getopt_long over argv with the common options added; returns the
 * index of the first operand, or -1 with *ret_code set when the command
 * must end now (help printed, or a usage error). handler gets every
 * command-specific option. */
typedef int (*cli_opt_handler)(int c, const char *arg, void *data);
int cli_getopt(int argc, char **argv, const char *cmd, const char *usage, const char *shortopts,
	       const struct option *longopts, cli_opt_handler handler, void *data, int *ret_code);

/* Commands */
int cmd_netns(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_addr(int argc, char **argv);
int cmd_route(int argc, char **argv);
int cmd_bridge(int argc, char **argv);
int cmd_sysctl(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_lab(int argc, char **argv);
int cmd_cleanup(int argc, char **argv);
int cmd_uplink(int argc, char **argv);

/* The parsing of `run` and `exec` apart from what they do (fuzz/fuzz_cli.c
 * drives it): it reads (--rootfs's realpath, passwd and group, the host's
 * name servers) but changes nothing, and opens no namespace or socket. 0,
 * or -1 with *ret_code the exit status (0 after --help) once it is printed. */
struct sandbox_spec;
struct command;
/* *spec validated, for sandbox_run; run_spec_free it whatever the result. */
int run_parse(int argc, char **argv, struct sandbox_spec *spec, int *ret_code);
void run_spec_free(struct sandbox_spec *spec);
/* *ret_name and *cmd's argv, env, workdir, tty; free cmd->env whatever
 * the result. */
int exec_parse(int argc, char **argv, struct command *cmd, const char **ret_name, int *ret_code);

struct uplink_opts;
/* The uplink options shared by `uplink add` and `run --uplink`. */
enum {
	OPT_UP_SUBNET = 0x1200,
	OPT_UP_IPV6,
	OPT_UP_DNS,
	OPT_UP_PUBLISH,
	OPT_UP_ALLOW,
};
/* 0, -ENOENT when c is not one of them, or an error in err. */
int uplink_opt_parse(int c, const char *arg, struct uplink_opts *o, struct nc_err *err);

/* Open netns name ("host": nsbox's own) into *ret_ns and, if ifname is not
 * NULL, check that the interface exists there. 0, or the exit code after
 * printing why (2: nothing exists to change; 1: the kernel failed). */
int cli_open(const char *name, const char *ifname, struct nc_ns **ret_ns);

/* Exit code for a failure that happened before anything changed: the
 * kernel's or the user's fault alike, nothing was touched. */
static inline int cli_fail_validate(const struct nc_err *err)
{
	return cli_fail(EXIT_USAGE, err);
}

#define _cleanup_ns_ _cleanup_(nc_ns_freep)
