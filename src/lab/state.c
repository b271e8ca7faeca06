// SPDX-License-Identifier: GPL-2.0-or-later
/* The journal of labs under /run/nsbox/lab. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "lab.h"
#include "state.h"
#include "state/journal.h"

static const char *const kind_names[] = {
    [NODE_HOST] = "host",
    [NODE_ROUTER] = "router",
    [NODE_BRIDGE] = "bridge",
    [NODE_NAT] = "nat",
};

const char *lab_kind_name(enum node_kind k)
{
	return kind_names[k];
}

void lab_object_name(const char *lab, const char *node, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s", lab, node);
}

static int lab_dir(const char *name, char *buf, size_t len)
{
	return snprintf(buf, len, "%s/%s", LAB_STATE_DIR, name) >= (int)len ? -ENAMETOOLONG : 0;
}

static int write_file(int dirfd, const char *name, const char *data, size_t len, struct nc_err *err)
{
	char tmp[64];
	snprintf(tmp, sizeof(tmp), ".%s", name);
	_cleanup_close_ int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return nc_err_errno(err, errno, "lab journal: write %s", name);
	int r = 0;
	for (size_t off = 0; off < len && r == 0;) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0)
			r = nc_err_errno(err, errno, "lab journal: write %s", name);
		else
			off += (size_t)n;
	}
	/* Complete or absent, never torn: a crash may come at any point. */
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = nc_err_errno(err, errno, "lab journal: write %s", name);
	if (r < 0)
		unlinkat(dirfd, tmp, 0);
	return r;
}

int lab_rec_create(const struct topo *t, const char *source, struct nc_err *err)
{
	char path[256];
	if (lab_dir(t->name, path, sizeof(path)) < 0)
		return nc_err_set(err, ENAMETOOLONG, "lab %s: name too long", t->name);
	if (mkdir(NSBOX_STATE_DIR, 0700) < 0 && errno != EEXIST)
		return nc_err_errno(err, errno, "mkdir %s", NSBOX_STATE_DIR);
	if (mkdir(LAB_STATE_DIR, 0700) < 0 && errno != EEXIST)
		return nc_err_errno(err, errno, "mkdir %s", LAB_STATE_DIR);
	if (mkdir(path, 0700) < 0)
		return errno == EEXIST ? -EEXIST : nc_err_errno(err, errno, "mkdir %s", path);
	_cleanup_close_ int dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t cap = 64 * (t->n_nodes + 1), len = 0;
	_cleanup_free_ char *nodes = dirfd < 0 ? NULL : malloc(cap);
	int r = 0;
	if (dirfd < 0)
		r = nc_err_errno(err, errno, "open %s", path);
	else if (!nodes)
		r = nc_err_errno(err, ENOMEM, "lab %s", t->name);
	for (size_t i = 0; r == 0 && i < t->n_nodes; i++)
		len += (size_t)snprintf(nodes + len, cap - len, "%s %s\n", t->nodes[i].name,
					kind_names[t->nodes[i].kind]);
	/* The source first: a lab whose node list exists can be compared. */
	if (r == 0)
		r = write_file(dirfd, "source", source, strlen(source), err);
	if (r == 0)
		r = write_file(dirfd, "nodes", nodes, len, err);
	/* Nothing was made under it yet: the record goes. */
	if (r < 0)
		lab_rec_remove(t->name, NULL);
	return r;
}

int lab_rec_mark_up(const char *name, struct nc_err *err)
{
	char path[256];
	lab_dir(name, path, sizeof(path));
	_cleanup_close_ int dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return nc_err_errno(err, errno, "open %s", path);
	return write_file(dirfd, "up", "", 0, err);
}

int lab_rec_remove(const char *name, struct nc_err *err)
{
	char path[256];
	if (lab_dir(name, path, sizeof(path)) < 0)
		return nc_err_set(err, ENAMETOOLONG, "lab %s: name too long", name);
	_cleanup_close_ int dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return errno == ENOENT ? 0 : nc_err_errno(err, errno, "lab journal: open %s", path);
	/* "up" first: a record that lost it reads as a lab not (all) up,
	 * which lab down finishes. */
	static const char *const files[] = {"up", ".up", "nodes", ".nodes", "source", ".source"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (unlinkat(dirfd, files[i], 0) < 0 && errno != ENOENT)
			return nc_err_errno(err, errno, "lab journal: remove %s/%s", path,
					    files[i]);
	if (rmdir(path) < 0 && errno != ENOENT)
		return nc_err_errno(err, errno, "lab journal: remove %s", path);
	return 0;
}

/* The file's text in *ret (NULL when there is no such file): 0 or -errno. */
static int read_all(int dirfd, const char *name, char **ret)
{
	*ret = NULL;
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	char *buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	ssize_t n = read(fd, buf, (size_t)st.st_size);
	if (n < 0) {
		int r = -errno;
		free(buf);
		return r;
	}
	buf[n] = '\0';
	*ret = buf;
	return 0;
}

void lab_rec_free(struct lab_rec *rec)
{
	for (size_t i = 0; i < rec->n_nodes; i++)
		free(rec->nodes[i]);
	free(rec->nodes);
	free(rec->kinds);
	free(rec->source);
	memset(rec, 0, sizeof(*rec));
}

int lab_rec_read(const char *name, struct lab_rec *ret_rec, struct nc_err *err)
{
	struct lab_rec rec = {0};
	char path[256];
	if (topo_name_valid("lab", name, err) < 0)
		return -EINVAL;
	lab_dir(name, path, sizeof(path));
	_cleanup_close_ int dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return errno == ENOENT ? nc_err_set(err, ENOENT, "lab %s: no such lab", name)
				       : nc_err_errno(err, errno, "open %s", path);
	snprintf(rec.name, sizeof(rec.name), "%s", name);
	_cleanup_free_ char *nodes = NULL;
	int r = read_all(dirfd, "source", &rec.source);
	if (r == 0)
		r = read_all(dirfd, "nodes", &nodes);
	if (r < 0) {
		free(rec.source);
		return nc_err_errno(err, -r, "lab %s: read its record in %s", name, path);
	}
	rec.complete = faccessat(dirfd, "up", F_OK, 0) == 0;
	/* Without a node list (a crash before it was written) nothing of
	 * the lab was made yet: an empty lab, still to be removed. A list
	 * that cannot be read is not an empty one. */
	for (char *line = nodes, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (!next)
			break; /* a torn last line cannot be: the file is renamed in */
		*next++ = '\0';
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		char **nn = realloc(rec.nodes, (rec.n_nodes + 1) * sizeof(char *));
		enum node_kind *nk = realloc(rec.kinds, (rec.n_nodes + 1) * sizeof(*nk));
		if (nn)
			rec.nodes = nn;
		if (nk)
			rec.kinds = nk;
		if (!nn || !nk || !(rec.nodes[rec.n_nodes] = strdup(line))) {
			lab_rec_free(&rec);
			return nc_err_errno(err, ENOMEM, "lab %s", name);
		}
		enum node_kind k = NODE_HOST;
		for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
			if (!strcmp(sp + 1, kind_names[i]))
				k = (enum node_kind)i;
		rec.kinds[rec.n_nodes++] = k;
	}
	*ret_rec = rec;
	return 0;
}

int lab_list(char ***ret_names, size_t *ret_n, struct nc_err *err)
{
	return journal_dir_names(LAB_STATE_DIR, ret_names, ret_n, err);
}
