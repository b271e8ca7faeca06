// SPDX-License-Identifier: GPL-2.0-or-later
/* nsbox cleanup: everything the journal names, and nothing else. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "cli.h"
#include "lab/lab.h"
#include "lab/neigh.h"
#include "lab/state.h"
#include "state/journal.h"
#include "state/sandbox.h"
#include "uplink/uplink.h"

static const char usage[] =
    "Usage: nsbox cleanup [--dry-run]\n"
    "\n"
    "Remove every object nsbox's journal (/run/nsbox) names: labs (their sandboxes\n"
    "and namespaces), sandboxes (killed), namespaces made by nsbox netns add, and\n"
    "the records themselves. Anything nsbox did not make is left alone. For after a\n"
    "crash, or to start afresh; --dry-run says what would go.\n";

enum { OPT_DRY_RUN = OPT_FIRST_LOCAL };

static int opt(int c, const char *arg, void *data)
{
	if (c != OPT_DRY_RUN)
		return cli_usage("cleanup", "unexpected option");
	*(bool *)data = true;
	return 0;
}

static void say(bool dry, const char *what, const char *name)
{
	if (!cli.quiet)
		printf("%s %s %s\n", dry ? "would remove" : "removed", what, name);
}

int cmd_cleanup(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
	    {0},
	};
	bool dry = false;
	int code;
	int i = cli_getopt(argc, argv, "cleanup", usage, "", longopts, opt, &dry, &code);
	if (i < 0)
		return code;
	if (i != argc)
		return cli_usage("cleanup", "unexpected argument '%s'", argv[i]);
	struct nc_err err;
	_cleanup_(journal_unlockp) int lock = 0;
	if (journal_lock(&lock, &err) < 0)
		return cli_fail(EXIT_OPFAIL, &err);
	int ret = 0;

	/* Labs first: they own sandboxes and namespaces of their own. */
	char **names = NULL;
	size_t n = 0;
	if (lab_list(&names, &n, &err) == 0) {
		for (size_t k = 0; k < n; k++) {
			if (!dry && lab_teardown(names[k], false, &err) < 0) {
				ret = cli_fail(EXIT_OPFAIL, &err);
				continue;
			}
			say(dry, "lab", names[k]);
		}
		nc_strv_free(names);
	}
	/* A lab up killed before its record was written may have raised the
	 * neighbour tables; with no lab left, they go back. */
	if (!dry)
		lab_neigh_release_if_unused();
	if (sandbox_state_list(&names, &n, &err) == 0) {
		for (size_t k = 0; k < n; k++) {
			struct sandbox_rec rec;
			int pidfd;
			/* A launch under way first names its init. */
			if (!dry && sandbox_state_read_settled(names[k], &rec, NULL) == 0) {
				int e = sandbox_pidfd(&rec, &pidfd);
				if (e == 0) {
					pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
					poll(&(struct pollfd){.fd = pidfd, .events = POLLIN}, 1,
					     5000);
					close(pidfd);
				}
				/* Not knowing whether it runs, its record stays. */
				if (e == 0 || e == -ESRCH)
					e = sandbox_state_remove_if(names[k], rec.pid, rec.start);
				if (e < 0 && e != -ESTALE) {
					nc_err_errno(&err, -e, "sandbox %s", names[k]);
					ret = cli_fail(EXIT_OPFAIL, &err);
					continue;
				}
			}
			say(dry, "sandbox", names[k]);
		}
		nc_strv_free(names);
	}
	/* Uplinks of namespaces (those of sandboxes went with them above). */
	if (uplink_list(&names, &n, &err) == 0) {
		for (size_t k = 0; k < n; k++) {
			if (!dry && uplink_del(names[k], NULL, &err) < 0 && err.code != ENOENT) {
				ret = cli_fail(EXIT_OPFAIL, &err);
				continue;
			}
			say(dry, "uplink", names[k]);
		}
		nc_strv_free(names);
	}
	if (!dry && uplink_forwarding_release_if_unused(&err) < 0)
		ret = cli_fail(EXIT_OPFAIL, &err);
	if (journal_list("netns", &names, &n, &err) == 0) {
		for (size_t k = 0; k < n; k++) {
			int r = dry ? 0 : nc_netns_del(names[k], &err);
			if (r < 0 && r != -ENOENT) {
				ret = cli_fail(EXIT_OPFAIL, &err);
				continue;
			}
			if (!dry && journal_forget("netns", names[k], &err) < 0) {
				ret = cli_fail(EXIT_OPFAIL, &err);
				continue;
			}
			say(dry, "netns", names[k]);
		}
		nc_strv_free(names);
	}
	/* What a writer killed between write and rename left (nothing
	 * names these: write_state's .ID.PID). */
	if (!dry)
		journal_sweep("netns");
	return ret;
}
