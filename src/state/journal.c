// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "journal.h"

static int entry_path(const char *kind, const char *id, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s/%s", NSBOX_STATE_DIR, kind, id);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int ensure_dirs(const char *kind, struct nc_err *err)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/%s", NSBOX_STATE_DIR, kind);
	/* 0700: the journal names every object and is root's business. */
	if (mkdir(NSBOX_STATE_DIR, 0700) < 0 && errno != EEXIST)
		return nc_err_errno(err, errno, "journal: mkdir %s", NSBOX_STATE_DIR);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return nc_err_errno(err, errno, "journal: mkdir %s", dir);
	return 0;
}

/* Write the state to a temporary file and rename it over the entry, so a
 * crash leaves either the old or the new state, never a torn one. */
static int write_state(const char *kind, const char *id, const char *state, struct nc_err *err)
{
	char path[512], tmp[520];
	if (entry_path(kind, id, path, sizeof(path)) < 0)
		return nc_err_set(err, ENAMETOOLONG, "journal: %s %s: name too long", kind, id);
	int r = ensure_dirs(kind, err);
	if (r < 0)
		return r;
	snprintf(tmp, sizeof(tmp), "%s/%s/.%s.%d", NSBOX_STATE_DIR, kind, id, (int)getpid());
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return nc_err_errno(err, errno, "journal: create %s", tmp);
	size_t len = strlen(state);
	if (write(fd, state, len) != (ssize_t)len) {
		r = nc_err_errno(err, errno, "journal: write %s", tmp);
		unlink(tmp);
		return r;
	}
	if (rename(tmp, path) < 0) {
		r = nc_err_errno(err, errno, "journal: rename to %s", path);
		unlink(tmp);
		return r;
	}
	return 0;
}

int journal_intent(const char *kind, const char *id, struct nc_err *err)
{
	return write_state(kind, id, "intent\n", err);
}

int journal_done(const char *kind, const char *id, struct nc_err *err)
{
	return write_state(kind, id, "done\n", err);
}

int journal_forget(const char *kind, const char *id, struct nc_err *err)
{
	char path[512];
	if (entry_path(kind, id, path, sizeof(path)) < 0)
		return nc_err_set(err, ENAMETOOLONG, "journal: %s %s: name too long", kind, id);
	if (unlink(path) < 0 && errno != ENOENT)
		return nc_err_errno(err, errno, "journal: remove %s", path);
	return 0;
}

enum journal_state journal_get(const char *kind, const char *id)
{
	char path[512], buf[16] = {0};
	if (entry_path(kind, id, path, sizeof(path)) < 0)
		return JOURNAL_NONE;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? JOURNAL_NONE : JOURNAL_UNREADABLE;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		return JOURNAL_UNREADABLE;
	return strncmp(buf, "done", 4) ? JOURNAL_INTENT : JOURNAL_DONE;
}

void journal_sweep(const char *kind)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/%s", NSBOX_STATE_DIR, kind);
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
}

/* One lock per process, taken once however deeply nested: code that holds
 * it (lab up, cleanup) calls code that takes it (uplinks, sandboxes), and a
 * second flock() on a new open file description would wait for ever. */
static int lock_fd = -1;
static unsigned lock_depth;

int journal_lock(int *ret_token, struct nc_err *err)
{
	if (lock_depth == 0) {
		if (mkdir(NSBOX_STATE_DIR, 0700) < 0 && errno != EEXIST)
			return nc_err_errno(err, errno, "journal: mkdir %s", NSBOX_STATE_DIR);
		int fd = open(NSBOX_STATE_DIR "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return nc_err_errno(err, errno, "journal: open %s/lock", NSBOX_STATE_DIR);
		if (flock(fd, LOCK_EX) < 0) {
			int r = nc_err_errno(err, errno, "journal: lock %s/lock", NSBOX_STATE_DIR);
			close(fd);
			return r;
		}
		lock_fd = fd;
	}
	lock_depth++;
	*ret_token = 1;
	return 0;
}

void journal_unlockp(int *token)
{
	if (*token <= 0)
		return;
	*token = 0;
	if (--lock_depth == 0) {
		close(lock_fd);
		lock_fd = -1;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int journal_dir_names(const char *dir, char ***ret_names, size_t *ret_n, struct nc_err *err)
{
	char **v = calloc(1, sizeof(char *));
	if (!v)
		return nc_err_errno(err, ENOMEM, "journal: list %s", dir);
	size_t n = 0;
	DIR *d = opendir(dir);
	/* Not made yet: nothing recorded. Not readable: not known to be empty
	 * (a table rebuilt from no records would drop every rule). */
	if (!d && errno != ENOENT) {
		int r = nc_err_errno(err, errno, "journal: list %s", dir);
		free(v);
		return r;
	}
	struct dirent *de;
	while (d && (de = readdir(d))) {
		/* Dot files are temporaries of write-then-rename, and . and .. */
		if (de->d_name[0] == '.')
			continue;
		char **nv = realloc(v, (n + 2) * sizeof(char *));
		if (!nv || !(nv[n] = strdup(de->d_name))) {
			nc_strv_free(nv ? nv : v);
			closedir(d);
			return nc_err_errno(err, ENOMEM, "journal: list %s", dir);
		}
		v = nv;
		v[++n] = NULL;
	}
	if (d)
		closedir(d);
	qsort(v, n, sizeof(char *), cmp_str);
	*ret_names = v;
	*ret_n = n;
	return 0;
}

int journal_list(const char *kind, char ***ret_ids, size_t *ret_n, struct nc_err *err)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/%s", NSBOX_STATE_DIR, kind);
	return journal_dir_names(dir, ret_ids, ret_n, err);
}
