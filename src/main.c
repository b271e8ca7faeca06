// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "config.h"

static const char usage[] =
    "Usage: nsbox [--json] [-q] [-v] COMMAND [ARGS...]\n"
    "\n"
    "Network-namespace sandbox manager.\n"
    "\n"
    "Commands:\n"
    "  netns add|del|list|exec   persistent named network namespaces (/run/netns)\n"
    "  link add|set|del|list     veth pairs between namespaces\n"
    "  addr add|del              interface addresses (IPv4, IPv6)\n"
    "  route add|del             routes\n"
    "  bridge add|del            Linux bridges\n"
    "  sysctl NS KEY[=VALUE]...  network sysctls of a netns (forwarding, ...)\n"
    "  run [OPTIONS] -- CMD...   run CMD in a sandbox (namespaces, pivot_root, init)\n"
    "  exec NAME -- CMD...       run CMD inside a running sandbox\n"
    "  ps                        sandboxes, running and exited\n"
    "  stop NAME...              stop sandboxes (SIGTERM, then SIGKILL)\n"
    "  logs NAME                 output of a detached sandbox\n"
    "  lab up|down|list|status|exec|check|graph   whole topologies\n"
    "  cleanup [--dry-run]       remove everything nsbox's journal names\n"
    "  uplink add|del|list       a netns's way out: veth, NAT, published ports\n"
    "\n"
    "An endpoint is NS:IFNAME[@BRIDGE][=ADDR[,ADDR...]]; NS 'host' is nsbox's own netns.\n"
    "\n"
    "Options:\n"
    "      --json      machine-readable output for listings\n"
    "  -q, --quiet     print nothing on success\n"
    "  -v, --verbose   say what is done\n"
    "      --version   print the version\n"
    "  -h, --help      this text; 'nsbox COMMAND --help' for a command\n"
    "\n"
    "Exit status: 0 success, 1 the operation failed (and was rolled back),\n"
    "2 usage or validation error (nothing was changed).\n";

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
    {"netns", cmd_netns},     {"link", cmd_link},     {"addr", cmd_addr}, {"route", cmd_route},
    {"bridge", cmd_bridge},   {"sysctl", cmd_sysctl}, {"run", cmd_run},	  {"exec", cmd_exec},
    {"ps", cmd_ps},	      {"stop", cmd_stop},     {"logs", cmd_logs}, {"lab", cmd_lab},
    {"cleanup", cmd_cleanup}, {"uplink", cmd_uplink},
};

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--json"))
			cli.json = true;
		else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
			cli.quiet = true;
		else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
			cli.verbose++;
		else if (!strcmp(a, "--version")) {
			printf("nsbox %s\n", NSBOX_VERSION);
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return cli_help(usage);
		else {
			fprintf(stderr, "nsbox: unknown option '%s' (see 'nsbox --help')\n", a);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		fprintf(stderr, "nsbox: missing command (see 'nsbox --help')\n");
		return EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help"))
		return cli_help(usage);
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (!strcmp(argv[i], commands[c].name)) {
			int r = commands[c].fn(argc - i, argv + i);
			/* Output that never arrived (a full disk) is an error,
			 * as coreutils' close_stdout makes it; but what the
			 * command did stands, and the message says so. */
			if (fflush(stdout) == EOF && r == 0) {
				fprintf(stderr,
					"nsbox: standard output: %s (the command was carried out; "
					"only its output is lost)\n",
					nc_strerror(errno));
				return EXIT_OPFAIL;
			}
			return r;
		}
	fprintf(stderr, "nsbox: unknown command '%s' (see 'nsbox --help')\n", argv[i]);
	return EXIT_USAGE;
}
