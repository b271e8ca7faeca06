/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Records of sandboxes under /run/nsbox/sandbox/NAME/: "info" (what was
 * launched, and its init's pid and start time once it exists), "log" (the
 * output of a detached sandbox), "exit" (written by a detached sandbox's
 * init as it ends). The directory is made before anything is launched, so
 * a sandbox can always be found again, and cleared when it is gone. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "netcfg.h"

#define SANDBOX_STATE_DIR "/run/nsbox/sandbox"
#define SANDBOX_NAME_MAX  63

struct sandbox_rec {
	char name[SANDBOX_NAME_MAX + 1];
	pid_t pid;	   /* the init, in nsbox's pid namespace; 0 before it exists */
	uint64_t start;	   /* its start time (clock ticks after boot, proc(5) field 22) */
	char netns[256];   /* "none" (its own), "host", or a /run/netns name */
	char rootfs[4096]; /* "host" or a directory */
	bool detached;
	time_t created;
	uint64_t caps; /* capability mask its processes keep */
	bool seccomp;
	uid_t uid;
	gid_t gid;
	char cmd[512];
};

/* [A-Za-z0-9][A-Za-z0-9_.-]{0,62} */
int sandbox_name_valid(const char *name, struct nc_err *err);
/* "sb-" and six random hex digits. */
void sandbox_name_generate(char buf[static SANDBOX_NAME_MAX + 1]);

/* mkdir the record's directory; -EEXIST if the name is taken. */
int sandbox_state_create(const char *name, int *ret_dirfd, struct nc_err *err);
int sandbox_state_write(int dirfd, const struct sandbox_rec *rec, struct nc_err *err);
int sandbox_state_read(const char *name, struct sandbox_rec *ret_rec, struct nc_err *err);
/* Remove the record (its owner's way: no questions asked): 0, or the
 * first -errno of its files' unlinks and the rmdir (what is left stays
 * for `nsbox cleanup`). nft: the worker for the uplink's rules, or NULL
 * (uplink_del). */
int sandbox_state_remove(const char *name, struct nc_nft_job *nft);
/* As sandbox_state_read; a record without an init yet is read again
 * once a launch under way has named it (or has died). */
int sandbox_state_read_settled(const char *name, struct sandbox_rec *ret_rec, struct nc_err *err);
/* Remove the record only if it still names the init pid (started at
 * start; 0 and 0: none, a launch that died), after waiting for a launch
 * under way: -ESTALE when it names another, i.e. the name went to a new
 * sandbox since the caller read it (it stopped ours meanwhile); 0 when it
 * is gone already; another -errno when it could not be read or removed. */
int sandbox_state_remove_if(const char *name, pid_t pid, uint64_t start);
/* Sorted names; free with nc_strv_free. */
int sandbox_state_list(char ***ret_names, size_t *ret_n, struct nc_err *err);
/* The exit status a detached sandbox's init left, or -1. */
int sandbox_state_exit_status(const char *name);

/* A pidfd for the record's init, checked to be that very process (pid and
 * start time); -ESRCH when it is gone; another -errno when that cannot be
 * told (pidfd_open or /proc failing): not a reason to think it gone. */
int sandbox_pidfd(const struct sandbox_rec *rec, int *ret_pidfd);
/* proc(5) field 22 of pid: 0, -ESRCH when it is gone or a zombie, or
 * another -errno. */
int proc_start_time(pid_t pid, uint64_t *ret_start);

/* Remove the records of sandboxes whose init is gone and that nobody will
 * come back for (foreground ones whose nsbox was killed; records of a
 * launch that never got an init). Detached ones that exited are kept for
 * `nsbox ps` until stopped. */
void sandbox_state_gc(void);
