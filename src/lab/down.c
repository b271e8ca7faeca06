// SPDX-License-Identifier: GPL-2.0-or-later
/* Taking a lab down from its journal alone. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "cleanup.h"
#include "lab.h"
#include "neigh.h"
#include "progress.h"
#include "state.h"
#include "state/journal.h"
#include "state/sandbox.h"
#include "uplink/uplink.h"

/* SIGKILL to every node's init first, then wait for each: the kernel tears
 * the pid namespaces down in parallel rather than one after the other. */
static int kill_sandboxes(const struct lab_rec *rec, struct progress *p, struct nc_err *err)
{
	int first = 0;
	struct node_sandbox {
		bool ours;
		int pidfd;
		pid_t pid;
		uint64_t start;
	} *sb = calloc(rec->n_nodes ? rec->n_nodes : 1, sizeof(*sb));
	if (!sb)
		return nc_err_errno(err, ENOMEM, "lab %s", rec->name);
	char name[300];
	for (size_t i = 0; i < rec->n_nodes; i++) {
		sb[i].pidfd = -1;
		if (rec->kinds[i] == NODE_BRIDGE)
			continue;
		lab_object_name(rec->name, rec->nodes[i], name, sizeof(name));
		struct sandbox_rec s;
		/* A launch under way (nsbox run --name LAB-NODE's, or ours
		 * in another process) names its init first. */
		int r = sandbox_state_read_settled(name, &s, NULL);
		if (r == -ENOENT)
			continue;
		if (r < 0) {
			/* Unread, it may still run: the lab stays for another
			 * `lab down`. */
			if (!first)
				first = nc_err_errno(err, -r, "lab %s: node %s: read its record",
						     rec->name, rec->nodes[i]);
			continue;
		}
		/* The node's sandbox lives in the node's netns; one of that
		 * name elsewhere is nsbox run's, not ours. One still without
		 * an init is a launch of ours cut short. */
		if (s.pid != 0 && strcmp(s.netns, name))
			continue;
		r = sandbox_pidfd(&s, &sb[i].pidfd);
		if (r < 0 && r != -ESRCH) {
			/* Not known to be gone: its record (and the lab) stay
			 * for another `lab down`. */
			if (!first)
				first = nc_err_errno(err, -r, "lab %s: node %s: find its init",
						     rec->name, rec->nodes[i]);
			continue;
		}
		/* sandbox_pidfd left the pidfd at -1 unless it found the init. */
		sb[i].ours = true;
		sb[i].pid = s.pid;
		sb[i].start = s.start;
		if (r == 0)
			pidfd_send_signal(sb[i].pidfd, SIGKILL, NULL, 0);
	}
	for (size_t i = 0; i < rec->n_nodes; i++) {
		if (sb[i].pidfd >= 0) {
			struct pollfd pfd = {.fd = sb[i].pidfd, .events = POLLIN};
			poll(&pfd, 1, 5000);
			close(sb[i].pidfd);
		}
		if (sb[i].ours) {
			lab_object_name(rec->name, rec->nodes[i], name, sizeof(name));
			/* Not a new sandbox that took the name meanwhile (after
			 * a `nsbox stop` of ours). */
			int r = sandbox_state_remove_if(name, sb[i].pid, sb[i].start);
			if (r < 0 && r != -ESTALE && !first)
				first = nc_err_errno(err, -r, "lab %s: node %s: remove its record",
						     rec->name, rec->nodes[i]);
		}
		progress_step(p);
	}
	free(sb);
	return first;
}

int lab_teardown(const char *name, bool progress, struct nc_err *err)
{
	struct lab_rec rec;
	int r = lab_rec_read(name, &rec, err);
	if (r < 0)
		return r;
	struct progress *p = progress_new(progress, "lab", name, "down", 2 * rec.n_nodes);
	/* The netns stay while their sandboxes may still run: no init goes on
	 * in a netns without a name. */
	if ((r = kill_sandboxes(&rec, p, err)) < 0) {
		progress_done(p);
		lab_rec_free(&rec);
		return r;
	}
	char ns[300];
	int first = 0;
	/* One nftables worker for every uplink, started by the first. */
	_cleanup_(nc_nft_end) struct nc_nft_job nft = NC_NFT_JOB_NONE;
	for (size_t i = 0; i < rec.n_nodes; i++) {
		lab_object_name(name, rec.nodes[i], ns, sizeof(ns));
		/* Ours are journaled from before they are made; any other
		 * netns of that name (up refused, or lost a race to iproute2)
		 * is someone else's. */
		enum journal_state js = journal_get("netns", ns);
		if (js == JOURNAL_NONE) {
			progress_step(p);
			continue;
		}
		struct nc_err e;
		if (js == JOURNAL_UNREADABLE) {
			if (!first)
				first = nc_err_errno(err, errno, "lab %s: journal of netns %s",
						     name, ns);
			progress_step(p);
			continue;
		}
		char id[320];
		snprintf(id, sizeof(id), "netns:%s", ns);
		/* Its rules and record; its veth goes with the netns anyway. */
		r = uplink_del(id, &nft, &e);
		if (r < 0 && r != -ENOENT && !first) {
			first = r;
			if (err)
				*err = e;
		}
		/* Deleting the netns takes its links along: a veth goes with
		 * either end's namespace. Already gone is fine: a crash may
		 * have come before it was made. */
		r = nc_netns_del(ns, &e);
		if (r < 0 && r != -ENOENT && !first) {
			first = r;
			if (err)
				*err = e;
		}
		if ((r == 0 || r == -ENOENT) && (r = journal_forget("netns", ns, &e)) < 0 &&
		    !first) {
			first = r;
			if (err)
				*err = e;
		}
		progress_step(p);
	}
	progress_done(p);
	if (!first && (first = lab_rec_remove(name, err)) == 0)
		lab_neigh_release_if_unused();
	lab_rec_free(&rec);
	return first;
}

int lab_down(const char *name, bool progress, struct nc_err *err)
{
	_cleanup_(journal_unlockp) int lock = 0;
	int r = journal_lock(&lock, err);
	if (r < 0)
		return r;
	return lab_teardown(name, progress, err);
}
