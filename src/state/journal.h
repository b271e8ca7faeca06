/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The journal under /run/nsbox: one file per object nsbox creates, written
 * before the object exists (state "intent") and completed after ("done"),
 * removed once the object is gone. What nsbox made can therefore be told
 * from what others made, and found again after a crash. */
#pragma once

#include <stdbool.h>

#include "netcfg.h"

#define NSBOX_STATE_DIR "/run/nsbox"

enum journal_state {
	JOURNAL_NONE,
	JOURNAL_INTENT,
	JOURNAL_DONE,
	JOURNAL_UNREADABLE, /* there, but cannot be read now (errno) */
};

/* kind: "netns", ...; id: the object's name (no '/'). */
int journal_intent(const char *kind, const char *id, struct nc_err *err);
int journal_done(const char *kind, const char *id, struct nc_err *err);
int journal_forget(const char *kind, const char *id, struct nc_err *err);
enum journal_state journal_get(const char *kind, const char *id);
/* Remove the temporaries of writes that were cut short (a SIGKILL between
 * writing and renaming). Only with the journal lock held, which every
 * writer holds. */
void journal_sweep(const char *kind);

/* Serialise nsbox's mutations: an exclusive flock on /run/nsbox/lock,
 * reentrant within the process. Hold it in a variable initialised to 0
 * with _cleanup_(journal_unlockp); released when the last holder goes. */
int journal_lock(int *ret_token, struct nc_err *err);
void journal_unlockp(int *token);

/* Names in dir but dot files, sorted (none when dir is missing); free
 * with nc_strv_free. */
int journal_dir_names(const char *dir, char ***ret_names, size_t *ret_n, struct nc_err *err);
/* Ids of every entry of kind, sorted; free with nc_strv_free. */
int journal_list(const char *kind, char ***ret_ids, size_t *ret_n, struct nc_err *err);
