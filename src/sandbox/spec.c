// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

int bind_parse(const char *s, struct sandbox_bind *ret_bind, struct nc_err *err)
{
	/* SRC:DST[:ro]. Paths holding ':' cannot be written here. */
	const char *c1 = strchr(s, ':');
	if (!c1 || c1 == s)
		return nc_err_set(err, EINVAL, "bind %s: expected SRC:DST[:ro]", s);
	const char *c2 = strchr(c1 + 1, ':');
	struct sandbox_bind b = {0};
	char *src = strndup(s, (size_t)(c1 - s));
	char *dst = c2 ? strndup(c1 + 1, (size_t)(c2 - c1 - 1)) : strdup(c1 + 1);
	if (!src || !dst) {
		free(src);
		free(dst);
		return nc_err_errno(err, ENOMEM, "bind %s", s);
	}
	int r = 0;
	if (c2 && strcmp(c2 + 1, "ro") && strcmp(c2 + 1, "rw"))
		r = nc_err_set(err, EINVAL, "bind %s: unknown option '%s' (expected ro or rw)", s,
			       c2 + 1);
	else if (src[0] != '/' || dst[0] != '/')
		r = nc_err_set(err, EINVAL, "bind %s: SRC and DST must be absolute paths", s);
	else if (!strcmp(dst, "/"))
		r = nc_err_set(err, EINVAL, "bind %s: cannot bind over the root", s);
	if (r < 0) {
		free(src);
		free(dst);
		return r;
	}
	b.src = src;
	b.dst = dst;
	b.ro = c2 && !strcmp(c2 + 1, "ro");
	*ret_bind = b;
	return 0;
}

static int parse_id(const char *s, bool group, uint32_t *ret, struct nc_err *err)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*s && !*end && !errno && v < 0xffffffffUL) {
		*ret = (uint32_t)v;
		return 0;
	}
	/* Names are looked up in the host's databases: the sandbox's /etc
	 * is the host's by default, and a rootfs DIR may have none. */
	if (group) {
		struct group *g = getgrnam(s);
		if (g) {
			*ret = g->gr_gid;
			return 0;
		}
	} else {
		struct passwd *p = getpwnam(s);
		if (p) {
			*ret = p->pw_uid;
			return 0;
		}
	}
	return nc_err_set(err, EINVAL, "user %s: no such %s", s, group ? "group" : "user");
}

int user_parse(const char *s, uid_t *ret_uid, gid_t *ret_gid, struct nc_err *err)
{
	char buf[256];
	/* Not cut short: 255 zeros and a 5 would be user 0. */
	if (strlen(s) >= sizeof(buf))
		return nc_err_set(err, EINVAL, "user %.32s...: longer than %zu bytes", s,
				  sizeof(buf) - 1);
	snprintf(buf, sizeof(buf), "%s", s);
	char *colon = strchr(buf, ':');
	if (colon)
		*colon = '\0';
	uint32_t uid, gid;
	int r = parse_id(buf, false, &uid, err);
	if (r < 0)
		return r;
	if (colon) {
		if ((r = parse_id(colon + 1, true, &gid, err)) < 0)
			return r;
	} else {
		/* The user's primary group when named, else the same number. */
		struct passwd *p = getpwuid(uid);
		gid = p ? p->pw_gid : uid;
	}
	*ret_uid = uid;
	*ret_gid = gid;
	return 0;
}
