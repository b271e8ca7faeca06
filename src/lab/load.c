// SPDX-License-Identifier: GPL-2.0-or-later
/* Where a lab's topology comes from: a file, a generator, the demo; and
 * the same again from what the journal recorded of it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "load.h"

#define SOURCE_TOPO "topo "
#define SOURCE_DEMO "demo"

static int read_file(const char *path, char **ret, size_t *ret_len, struct nc_err *err)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return nc_err_errno(err, errno, "%s", path);
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	char chunk[65536];
	size_t n;
	while (mem && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	bool failed = ferror(f) || !mem;
	fclose(f);
	if (mem)
		fclose(mem);
	if (failed) {
		free(buf);
		return nc_err_errno(err, EIO, "%s: read", path);
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

static int rename_lab(struct topo *t, const char *name, struct nc_err *err)
{
	if (!name)
		return 0;
	char *dup = strdup(name);
	if (!dup)
		return nc_err_errno(err, ENOMEM, "lab %s", name);
	free(t->name);
	t->name = dup;
	/* The names it makes (NAME-NODE) depend on it. */
	return topo_validate(t, err);
}

int lab_topo_from_args(const char *file, const char *spec, const char *name, struct topo **ret_topo,
		       char **ret_source, struct nc_err *err)
{
	if (name && topo_name_valid("lab", name, err) < 0)
		return -EINVAL;
	struct topo *t = NULL;
	char *source = NULL;
	int r;
	if (file) {
		size_t len;
		if ((r = read_file(file, &source, &len, err)) < 0)
			return r;
		r = topo_parse_string(file, source, len, &t, err);
	} else if (spec) {
		char defname[64];
		/* "linear:100" is lab "linear-100" unless named. */
		snprintf(defname, sizeof(defname), "%s", spec);
		for (char *p = defname; *p; p++)
			if (*p == ':' || *p == ',')
				*p = '-';
		r = topo_generate(spec, name ? name : defname, &t, err);
		if (r == 0 && asprintf(&source, SOURCE_TOPO "%s", spec) < 0)
			r = nc_err_errno(err, ENOMEM, "--topo %s", spec);
	} else {
		r = topo_demo(&t, err);
		if (r == 0 && !(source = strdup(SOURCE_DEMO)))
			r = nc_err_errno(err, ENOMEM, "demo lab");
	}
	if (r == 0)
		r = rename_lab(t, name, err);
	if (r < 0) {
		topo_free(t);
		free(source);
		return r;
	}
	*ret_topo = t;
	*ret_source = source;
	return 0;
}

int lab_topo_from_source(const char *lab, const char *source, struct topo **ret_topo,
			 struct nc_err *err)
{
	struct topo *t = NULL;
	int r;
	if (!source)
		return nc_err_set(err, ENOENT, "lab %s: its journal has no topology", lab);
	if (!strncmp(source, SOURCE_TOPO, strlen(SOURCE_TOPO)))
		r = topo_generate(source + strlen(SOURCE_TOPO), lab, &t, err);
	else if (!strcmp(source, SOURCE_DEMO))
		r = topo_demo(&t, err);
	else {
		char path[128];
		snprintf(path, sizeof(path), "lab %s (as recorded)", lab);
		r = topo_parse_string(path, source, strlen(source), &t, err);
	}
	if (r == 0)
		r = rename_lab(t, lab, err);
	if (r < 0) {
		topo_free(t);
		return r;
	}
	*ret_topo = t;
	return 0;
}
