// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "journal.h"
#include "sandbox.h"
#include "uplink/uplink.h"

int sandbox_name_valid(const char *name, struct nc_err *err)
{
	size_t len = name ? strlen(name) : 0;
	if (len == 0)
		return nc_err_set(err, EINVAL, "sandbox name is empty");
	if (len > SANDBOX_NAME_MAX)
		return nc_err_set(err, EINVAL, "sandbox %.32s...: name longer than %d bytes", name,
				  SANDBOX_NAME_MAX);
	if (!isalnum((unsigned char)name[0]))
		return nc_err_set(err, EINVAL, "sandbox %s: name must start with a letter or digit",
				  name);
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return nc_err_set(err, EINVAL,
					  "sandbox %s: name may hold only letters, digits, '_', "
					  "'.' and '-'",
					  name);
	return 0;
}

void sandbox_name_generate(char buf[static SANDBOX_NAME_MAX + 1])
{
	uint8_t r[3] = {0};
	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != sizeof(r)) {
		/* Early boot without entropy: unique enough for a name. */
		unsigned v = (unsigned)getpid() ^ (unsigned)time(NULL);
		memcpy(r, &v, sizeof(r));
	}
	snprintf(buf, SANDBOX_NAME_MAX + 1, "sb-%02x%02x%02x", r[0], r[1], r[2]);
}

static int dir_path(const char *name, char *buf, size_t len)
{
	return snprintf(buf, len, "%s/%s", SANDBOX_STATE_DIR, name) >= (int)len ? -ENAMETOOLONG : 0;
}

int sandbox_state_create(const char *name, int *ret_dirfd, struct nc_err *err)
{
	char path[256];
	if (dir_path(name, path, sizeof(path)) < 0)
		return nc_err_set(err, ENAMETOOLONG, "sandbox %s: name too long", name);
	if (mkdir(NSBOX_STATE_DIR, 0700) < 0 && errno != EEXIST)
		return nc_err_errno(err, errno, "mkdir %s", NSBOX_STATE_DIR);
	if (mkdir(SANDBOX_STATE_DIR, 0700) < 0 && errno != EEXIST)
		return nc_err_errno(err, errno, "mkdir %s", SANDBOX_STATE_DIR);
	if (mkdir(path, 0700) < 0) {
		if (errno == EEXIST)
			return nc_err_set(err, EEXIST, "sandbox %s: already exists", name);
		return nc_err_errno(err, errno, "mkdir %s", path);
	}
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* Locked until sandbox_state_write names the init: whoever finds a
	 * record without one can wait for a launch under way to name it
	 * (sandbox_state_read_settled) and tell it from one that died, whose lock
	 * went with it. */
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		int r = nc_err_errno(err, errno, "open %s", path);
		if (fd >= 0)
			close(fd);
		rmdir(path);
		return r;
	}
	*ret_dirfd = fd;
	return 0;
}

static int write_info(int dirfd, const struct sandbox_rec *rec, struct nc_err *err)
{
	char buf[6144];
	int n = snprintf(buf, sizeof(buf),
			 "name=%s\npid=%d\nstart=%" PRIu64 "\nnetns=%s\nrootfs=%s\ndetached=%d\n"
			 "created=%lld\ncaps=%" PRIx64 "\nseccomp=%d\nuid=%u\ngid=%u\ncmd=%s\n",
			 rec->name, (int)rec->pid, rec->start, rec->netns, rec->rootfs,
			 rec->detached, (long long)rec->created, rec->caps, rec->seccomp,
			 (unsigned)rec->uid, (unsigned)rec->gid, rec->cmd);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return nc_err_set(err, ENAMETOOLONG, "sandbox %s: record too long", rec->name);
	/* Write-then-rename: a reader sees the old record or the new one. */
	_cleanup_close_ int fd =
	    openat(dirfd, ".info", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return nc_err_errno(err, errno, "sandbox %s: write record", rec->name);
	if (write(fd, buf, (size_t)n) != n || renameat(dirfd, ".info", dirfd, "info") < 0)
		return nc_err_errno(err, errno, "sandbox %s: write record", rec->name);
	return 0;
}

int sandbox_state_write(int dirfd, const struct sandbox_rec *rec, struct nc_err *err)
{
	int r = write_info(dirfd, rec, err);
	/* Named, or never to be: see sandbox_state_create. The init shares
	 * this open file, so unlock rather than count on a close. */
	flock(dirfd, LOCK_UN);
	return r;
}

static void set_field(struct sandbox_rec *rec, const char *key, const char *v)
{
	if (!strcmp(key, "name"))
		snprintf(rec->name, sizeof(rec->name), "%s", v);
	else if (!strcmp(key, "pid"))
		rec->pid = (pid_t)strtol(v, NULL, 10);
	else if (!strcmp(key, "start"))
		rec->start = strtoull(v, NULL, 10);
	else if (!strcmp(key, "netns"))
		snprintf(rec->netns, sizeof(rec->netns), "%s", v);
	else if (!strcmp(key, "rootfs"))
		snprintf(rec->rootfs, sizeof(rec->rootfs), "%s", v);
	else if (!strcmp(key, "detached"))
		rec->detached = *v == '1';
	else if (!strcmp(key, "created"))
		rec->created = (time_t)strtoll(v, NULL, 10);
	else if (!strcmp(key, "caps"))
		rec->caps = strtoull(v, NULL, 16);
	else if (!strcmp(key, "seccomp"))
		rec->seccomp = *v == '1';
	else if (!strcmp(key, "uid"))
		rec->uid = (uid_t)strtoul(v, NULL, 10);
	else if (!strcmp(key, "gid"))
		rec->gid = (gid_t)strtoul(v, NULL, 10);
	else if (!strcmp(key, "cmd"))
		snprintf(rec->cmd, sizeof(rec->cmd), "%s", v);
}

int sandbox_state_read(const char *name, struct sandbox_rec *ret_rec, struct nc_err *err)
{
	char path[300];
	if (sandbox_name_valid(name, err) < 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/%s/info", SANDBOX_STATE_DIR, name);
	_cleanup_(fclosep) FILE *f = fopen(path, "re");
	if (!f) {
		char dir[300];
		snprintf(dir, sizeof(dir), "%s/%s", SANDBOX_STATE_DIR, name);
		if (errno == ENOENT && access(dir, F_OK) < 0)
			return nc_err_set(err, ENOENT, "sandbox %s: no such sandbox", name);
		if (errno == ENOENT) {
			/* Made, but not launched (yet, or ever). */
			memset(ret_rec, 0, sizeof(*ret_rec));
			snprintf(ret_rec->name, sizeof(ret_rec->name), "%s", name);
			return 0;
		}
		return nc_err_errno(err, errno, "sandbox %s: read %s", name, path);
	}
	struct sandbox_rec rec = {0};
	char line[5000];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		set_field(&rec, line, eq + 1);
	}
	*ret_rec = rec;
	return 0;
}

/* The record's directory, open, in *ret_fd (-1 when there is none) and
 * its path in path: 0 or -errno. */
static int open_dir(const char *name, char path[static 300], int *ret_fd)
{
	*ret_fd = -1;
	if (dir_path(name, path, 300) < 0)
		return -ENAMETOOLONG;
	*ret_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return *ret_fd < 0 && errno != ENOENT ? -errno : 0;
}

/* Removes the record of name, open as dfd at path. */
static int remove_at(const char *name, const char *path, int dfd, struct nc_nft_job *nft)
{
	/* What nsbox made for the sandbox goes with its record, first: the
	 * record stays while its uplink does, for a retry to find it. A retry
	 * after an uplink del that failed last, putting forwarding back,
	 * finds no uplink but still has that to do. */
	char id[320];
	snprintf(id, sizeof(id), "sandbox:%s", name);
	int r = uplink_exists(id) ? uplink_del(id, nft, NULL)
				  : uplink_forwarding_release_if_unused(NULL);
	if (r < 0 && r != -ENOENT)
		return r;
	r = 0;
	static const char *const files[] = {"info", ".info", "log", "exit", ".exit"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (unlinkat(dfd, files[i], 0) < 0 && errno != ENOENT && !r)
			r = -errno;
	if (rmdir(path) < 0 && errno != ENOENT && !r)
		r = -errno;
	return r;
}

int sandbox_state_remove(const char *name, struct nc_nft_job *nft)
{
	char path[300];
	_cleanup_close_ int dfd = -1;
	int r = open_dir(name, path, &dfd);
	return r < 0 || dfd < 0 ? r : remove_at(name, path, dfd, nft);
}

int sandbox_state_read_settled(const char *name, struct sandbox_rec *ret_rec, struct nc_err *err)
{
	int r = sandbox_state_read(name, ret_rec, err);
	if (r < 0 || ret_rec->pid != 0)
		return r;
	/* No init named yet: a launch under way holds the lock until it
	 * names one (sandbox_state_create); one that died, no longer. */
	char path[300];
	_cleanup_close_ int fd = -1;
	if (open_dir(name, path, &fd) == 0 && fd >= 0)
		flock(fd, LOCK_SH);
	return sandbox_state_read(name, ret_rec, err);
}

int sandbox_state_remove_if(const char *name, pid_t pid, uint64_t start)
{
	char path[300];
	_cleanup_close_ int fd = -1;
	int r = open_dir(name, path, &fd);
	if (r < 0 || fd < 0)
		return r;
	if (flock(fd, LOCK_EX) < 0)
		return -errno;
	/* Under the lock, the record at path is still the one opened (not a
	 * new launch's after another remover's rmdir) and names its init. */
	struct stat a, b;
	if (fstat(fd, &a) < 0)
		return -errno;
	if (stat(path, &b) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (a.st_ino != b.st_ino)
		return 0;
	struct sandbox_rec now;
	r = sandbox_state_read(name, &now, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (now.pid != pid || now.start != start)
		return -ESTALE;
	return remove_at(name, path, fd, NULL);
}

int sandbox_state_list(char ***ret_names, size_t *ret_n, struct nc_err *err)
{
	char **v;
	size_t n;
	int r = journal_dir_names(SANDBOX_STATE_DIR, &v, &n, err);
	if (r < 0)
		return r;
	size_t keep = 0;
	for (size_t i = 0; i < n; i++) {
		if (sandbox_name_valid(v[i], NULL) == 0)
			v[keep++] = v[i];
		else
			free(v[i]);
	}
	v[keep] = NULL;
	*ret_names = v;
	*ret_n = keep;
	return 0;
}

int sandbox_state_exit_status(const char *name)
{
	char path[300], buf[16] = {0};
	snprintf(path, sizeof(path), "%s/%s/exit", SANDBOX_STATE_DIR, name);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		return -1;
	return atoi(buf);
}

int proc_start_time(pid_t pid, uint64_t *ret_start)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return errno == ESRCH ? -ESRCH : -errno;
	if (n == 0)
		return -ESRCH;
	buf[n] = '\0';
	/* comm (field 2) may hold spaces and ')'; fields resume after the
	 * last ')'. starttime is field 22, the 20th after it. */
	char *p = strrchr(buf, ')');
	/* A zombie has ended; only its reaper has yet to look (an orphaned
	 * init waits for whoever adopted it). */
	if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return -ESRCH;
	for (int field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -EIO;
	*ret_start = strtoull(p + 1, NULL, 10);
	return 0;
}

int sandbox_pidfd(const struct sandbox_rec *rec, int *ret_pidfd)
{
	if (rec->pid <= 0)
		return -ESRCH;
	int fd = pidfd_open(rec->pid, 0);
	if (fd < 0)
		return -errno;
	/* Checked after the pidfd exists: if the start time matches now, the
	 * pidfd refers to that process, whatever happens to the pid later. */
	uint64_t start;
	int r = proc_start_time(rec->pid, &start);
	if (r == 0 && start != rec->start)
		r = -ESRCH;
	if (r < 0) {
		close(fd);
		return r;
	}
	*ret_pidfd = fd;
	return 0;
}

void sandbox_state_gc(void)
{
	char **names = NULL;
	size_t n = 0;
	if (sandbox_state_list(&names, &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		struct sandbox_rec rec;
		/* A detached sandbox's record stays until it is stopped, alive
		 * or not: no need to look at its process. */
		if (sandbox_state_read(names[i], &rec, NULL) < 0 || (rec.detached && rec.pid != 0))
			continue;
		int pidfd, r = sandbox_pidfd(&rec, &pidfd);
		if (r == 0)
			close(pidfd);
		if (r != -ESRCH)
			continue;
		/* A record without an init is a launch in progress for a
		 * moment; one older than a minute is a launch that died. */
		char path[300];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", SANDBOX_STATE_DIR, names[i]);
		if (rec.pid == 0 && (stat(path, &st) < 0 || time(NULL) - st.st_mtime < 60))
			continue;
		sandbox_state_remove_if(names[i], rec.pid, rec.start);
	}
	nc_strv_free(names);
}
