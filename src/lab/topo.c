// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/internal.h"

int topo_name_valid(const char *what, const char *name, struct nc_err *err)
{
	/* A short, shell- and path-safe alphabet: LAB-NODE (at most 65 bytes
	 * of these) is always a valid netns name and a journal file name, and
	 * '-' cannot start it, so no name reads as an option. */
	size_t len = name ? strlen(name) : 0;
	if (len == 0)
		return nc_err_set(err, EINVAL, "%s name is empty", what);
	if (len > TOPO_NAME_MAX)
		return nc_err_set(err, EINVAL, "%s name '%.40s%s': longer than %d bytes", what,
				  name, len > 40 ? "..." : "", TOPO_NAME_MAX);
	for (const char *p = name; *p; p++) {
		char c = *p;
		bool alnum =
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (p == name && !alnum)
			return nc_err_set(err, EINVAL,
					  "%s name '%s': must start with a letter or digit", what,
					  name);
		if (!alnum && c != '_' && c != '-')
			return nc_err_set(
			    err, EINVAL,
			    "%s name '%s': may contain only letters, digits, '_' and '-'", what,
			    name);
	}
	return 0;
}

static void pos_prefix(const struct topo *t, struct topo_pos pos, char *buf, size_t len)
{
	if (pos.line > 0)
		snprintf(buf, len, "%s:%d:%d", t->source, pos.line, pos.col);
	else
		snprintf(buf, len, "%s", t->source);
}

int topo_err(const struct topo *t, struct topo_pos pos, struct nc_err *err, const char *fmt, ...)
{
	char msg[sizeof(err->msg)], where[sizeof(err->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pos_prefix(t, pos, where, sizeof(where));
	return nc_err_set(err, EINVAL, "%s: %s", where, msg);
}

int topo_err_prefix(const struct topo *t, struct topo_pos pos, struct nc_err *err)
{
	char where[sizeof(err->msg)];
	pos_prefix(t, pos, where, sizeof(where));
	return nc_err_prefix(err, "%s", where);
}

int topo_new(const char *name, const char *source, struct topo **ret_topo, struct nc_err *err)
{
	struct topo *t = calloc(1, sizeof(*t));
	if (!t || !(t->source = strdup(source)) || (name && !(t->name = strdup(name)))) {
		topo_free(t);
		return nc_err_errno(err, ENOMEM, "%s", source);
	}
	*ret_topo = t;
	return 0;
}

int topo_append(void *arr, size_t *n, const void *item, size_t size, struct nc_err *err)
{
	/* The capacity is implicit: 8, then the next power of two, so the
	 * array is reallocated exactly when n reaches one of those. */
	void **a = arr;
	if (*n == 0 || (*n >= 8 && !(*n & (*n - 1)))) {
		size_t cap = *n ? *n * 2 : 8;
		void *na = reallocarray(*a, cap, size);
		if (!na)
			return nc_err_errno(err, ENOMEM, "topology");
		*a = na;
	}
	memcpy((char *)*a + *n * size, item, size);
	(*n)++;
	return 0;
}

int topo_add_node(struct topo *t, const char *name, enum node_kind kind, struct topo_pos pos,
		  struct topo_node **ret_node, struct nc_err *err)
{
	struct topo_node node = {.kind = kind, .pos = pos, .name = strdup(name)};
	if (!node.name)
		return nc_err_errno(err, ENOMEM, "node %s", name);
	int r = TOPO_APPEND(t->nodes, t->n_nodes, &node, err);
	if (r < 0) {
		free(node.name);
		return r;
	}
	*ret_node = &t->nodes[t->n_nodes - 1];
	return 0;
}

static int cmp_by_name(const void *a, const void *b, void *arg)
{
	const struct topo *t = arg;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	int c = strcmp(t->nodes[ia].name, t->nodes[ib].name);
	/* Equal names keep file order, so a duplicate is reported where it
	 * is written second. */
	return c ? c : (ia > ib) - (ia < ib);
}

int topo_name_index(const struct topo *t, size_t **ret_index, struct nc_err *err)
{
	size_t *idx = calloc(t->n_nodes ? t->n_nodes : 1, sizeof(*idx));
	if (!idx)
		return nc_err_errno(err, ENOMEM, "topology");
	for (size_t i = 0; i < t->n_nodes; i++)
		idx[i] = i;
	qsort_r(idx, t->n_nodes, sizeof(*idx), cmp_by_name, (void *)t);
	*ret_index = idx;
	return 0;
}

bool topo_find(const struct topo *t, const size_t *index, const char *name, size_t *ret_node)
{
	size_t lo = 0, hi = t->n_nodes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, t->nodes[index[mid]].name);
		if (c == 0) {
			*ret_node = index[mid];
			return true;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

int topo_check_unique(const struct topo *t, const size_t *index, struct nc_err *err)
{
	for (size_t i = 1; i < t->n_nodes; i++) {
		const struct topo_node *a = &t->nodes[index[i - 1]], *b = &t->nodes[index[i]];
		char line[32];
		if (!strcmp(a->name, b->name))
			return topo_err(t, b->pos, err, "node %s is defined twice%s", b->name,
					topo_first_at(a->pos, line, sizeof(line)));
	}
	return 0;
}

const char *topo_first_at(struct topo_pos first, char *buf, size_t len)
{
	if (first.line > 0)
		snprintf(buf, len, " (line %d)", first.line);
	else if (len)
		buf[0] = '\0';
	return buf;
}

const char *topo_end_str(const struct topo *t, const struct topo_end *e, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%s", t->nodes[e->node].name, e->ifname);
	return buf;
}

static void strv_free_n(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void topo_node_clear(struct topo_node *n)
{
	free(n->name);
	free(n->hostname);
	free(n->rootfs);
	strv_free_n(n->binds, n->n_binds);
	strv_free_n(n->env, n->n_env);
	for (size_t j = 0; j < n->n_sysctls; j++) {
		free(n->sysctls[j].key);
		free(n->sysctls[j].value);
	}
	free(n->sysctls);
	for (size_t j = 0; j < n->n_routes; j++)
		free(n->routes[j].text);
	free(n->routes);
	nc_strv_free(n->cmd);
	for (size_t j = 0; j < n->n_exec; j++)
		nc_strv_free(n->exec[j].argv);
	free(n->exec);
	*n = (struct topo_node){0};
}

void topo_free(struct topo *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_nodes; i++)
		topo_node_clear(&t->nodes[i]);
	free(t->nodes);
	free(t->links);
	free(t->isolated);
	free(t->name);
	free(t->source);
	free(t);
}
