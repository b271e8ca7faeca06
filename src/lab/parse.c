// SPDX-License-Identifier: GPL-2.0-or-later
/* Topology files: YAML through libfyaml's document API, every error at
 * PATH:LINE:COL. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libfyaml.h>

#include "cleanup.h"
#include "lab/internal.h"
#include "sandbox/spec.h"
#include "util/endpoint.h"

NC_DEFINE_CLEANUP(struct fy_diag *, fy_diag_destroy)
NC_DEFINE_CLEANUP(struct topo *, topo_free)
NC_DEFINE_CLEANUP(char **, nc_strv_free)

_Static_assert(sizeof(((struct topo_end *)0)->addrs) / sizeof(struct nc_cidr) == EP_MAX_ADDRS,
	       "a link end holds as many addresses as an endpoint");

/* A file larger than this is not a topology (a device, a wrong path). */
#define TOPO_FILE_MAX (16 << 20)
/* sethostname(2) */
#define HOSTNAME_MAX 64
/* More words than "DEST via GW dev IF metric N" has, to catch junk. */
#define ROUTE_WORDS_MAX 8

struct parser {
	struct topo *t;
	struct fy_diag *diag; /* collects, never prints; also finds node positions */
	struct nc_err *err;
	const size_t *index; /* nodes by name, once all are read */
};

/* The keys of one mapping, looked up against a table of known names. */
#define KEYS_MAX 16
struct keys {
	struct fy_node *val[KEYS_MAX];
	struct topo_pos at[KEYS_MAX]; /* the key's position */
	bool set[KEYS_MAX];
};

static const char *const top_keys[] = {"name", "defaults", "nodes", "links", "isolate", NULL};
enum { TOP_NAME, TOP_DEFAULTS, TOP_NODES, TOP_LINKS, TOP_ISOLATE };

static const char *const node_keys[] = {"kind",	   "hostname", "rootfs", "binds", "env",
					"sysctls", "caps",     "routes", "cmd",	  "exec",
					"uplink",  "publish",  "allow",	 NULL};
enum {
	K_KIND,
	K_HOSTNAME,
	K_ROOTFS,
	K_BINDS,
	K_ENV,
	K_SYSCTLS,
	K_CAPS,
	K_ROUTES,
	K_CMD,
	K_EXEC,
	K_UPLINK,
	K_PUBLISH,
	K_ALLOW,
	K_COUNT
};
_Static_assert(K_COUNT <= KEYS_MAX, "struct keys holds every node key");
/* Those of the node keys that defaults may set, in the same order, so
 * default key i is node key K_ROOTFS + i. */
static const char *const default_keys[] = {"rootfs", "binds", "env", "sysctls", "caps", NULL};

static const char *const link_keys[] = {"endpoints", "mtu",  "rate", "delay",
					"jitter",    "loss", NULL};
enum { L_ENDPOINTS, L_MTU, L_RATE, L_DELAY, L_JITTER, L_LOSS };

static struct topo_pos node_pos(struct parser *p, struct fy_node *n)
{
	if (!n)
		return (struct topo_pos){0, 0};
	if (fy_node_is_scalar(n)) {
		struct fy_token *tok = fy_node_get_scalar_token(n);
		if (!tok) /* an empty value */
			return (struct topo_pos){0, 0};
		const struct fy_mark *m = fy_token_start_mark(tok);
		struct topo_pos pos = {m->line + 1, m->column + 1};
		/* A quoted scalar's token starts after its opening quote. */
		enum fy_node_style style = fy_node_get_style(n);
		if ((style == FYNS_SINGLE_QUOTED || style == FYNS_DOUBLE_QUOTED) && pos.col > 1)
			pos.col--;
		return pos;
	}
	/* libfyaml 0.7 has no accessor for where a mapping or sequence
	 * starts, but a report about a node carries it: make one into the
	 * diag, which only collects. */
	fy_diag_reset_error(p->diag);
	fy_diag_node_report(p->diag, n, FYET_ERROR, "position");
	void *it = NULL;
	struct fy_diag_error *e = fy_diag_errors_iterate(p->diag, &it);
	if (e && e->line > 0 && e->column > 0)
		return (struct topo_pos){e->line, e->column};
	/* A copy made for an alias has no place of its own; its first
	 * element has the place it was copied from. */
	it = NULL;
	if (fy_node_is_mapping(n)) {
		struct fy_node_pair *pair = fy_node_mapping_iterate(n, &it);
		return pair ? node_pos(p, fy_node_pair_key(pair)) : (struct topo_pos){0, 0};
	}
	return node_pos(p, fy_node_sequence_iterate(n, &it));
}

/* Where n is, or fallback when n has no position (an empty value). */
static struct topo_pos pos_or(struct parser *p, struct fy_node *n, struct topo_pos fallback)
{
	struct topo_pos pos = node_pos(p, n);
	return pos.line > 0 ? pos : fallback;
}

/* No value: "key:" with nothing after it, or YAML's plain null, ~. */
static bool is_empty(struct fy_node *n)
{
	if (!n || fy_node_is_null(n))
		return true;
	if (!fy_node_is_scalar(n) || fy_node_get_style(n) != FYNS_PLAIN)
		return false;
	size_t len;
	const char *s = fy_node_get_scalar(n, &len);
	static const char *const nulls[] = {"~", "null", "Null", "NULL"};
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (len == strlen(nulls[i]) && !memcmp(s, nulls[i], len))
			return true;
	return false;
}

static const char *node_type(struct fy_node *n)
{
	if (fy_node_is_mapping(n))
		return "a mapping";
	if (fy_node_is_sequence(n))
		return "a list";
	if (fy_node_is_alias(n))
		return "an alias of an undefined anchor";
	return is_empty(n) ? "nothing" : "a string";
}

/* The text of a scalar; what names it in errors. */
static int get_str(struct parser *p, struct fy_node *n, struct topo_pos fallback, const char *what,
		   const char **ret)
{
	struct topo_pos pos = pos_or(p, n, fallback);
	if (!n || !fy_node_is_scalar(n) || is_empty(n) || fy_node_is_alias(n))
		return topo_err(p->t, pos, p->err, "%s: expected a string, got %s", what,
				n ? node_type(n) : "nothing");
	const char *s = fy_node_get_scalar0(n);
	if (!s)
		return nc_err_errno(p->err, ENOMEM, "%s", p->t->source);
	if (strlen(s) != fy_node_get_scalar_length(n))
		return topo_err(p->t, pos, p->err, "%s: contains a NUL byte", what);
	*ret = s;
	return 0;
}

/* As get_str, for a string that may not be empty. */
static int get_word(struct parser *p, struct fy_node *n, struct topo_pos fallback, const char *what,
		    const char **ret)
{
	int r = get_str(p, n, fallback, what, ret);
	if (r == 0 && !**ret)
		return topo_err(p->t, pos_or(p, n, fallback), p->err, "%s is empty", what);
	return r;
}

static int dup_str(struct parser *p, const char *s, char **ret)
{
	if (!(*ret = strdup(s)))
		return nc_err_errno(p->err, ENOMEM, "%s", p->t->source);
	return 0;
}

/* Append a copy of s to the string array *v of *n. */
static int push_str(struct parser *p, char ***v, size_t *n, const char *s)
{
	char *copy;
	int r = dup_str(p, s, &copy);
	if (r == 0 && (r = topo_append(v, n, &copy, sizeof(copy), p->err)) < 0)
		free(copy);
	return r;
}

/* A mapping or nothing (an empty value, taken as an empty mapping), or a
 * list or nothing: what other values the caller accepts, it checks first. */
static int expect(struct parser *p, struct fy_node *n, struct topo_pos fallback, bool mapping,
		  const char *what, const char *hint)
{
	if (is_empty(n) || (mapping ? fy_node_is_mapping(n) : fy_node_is_sequence(n)))
		return 0;
	return topo_err(p->t, pos_or(p, n, fallback), p->err, "%s: expected %s%s, got %s", what,
			mapping ? "a mapping" : "a list", hint, node_type(n));
}

static int gather(struct parser *p, struct fy_node *map, const char *const *names,
		  const char *where, struct keys *ret)
{
	*ret = (struct keys){0};
	if (is_empty(map))
		return 0;
	void *it = NULL;
	struct fy_node_pair *pair;
	while ((pair = fy_node_mapping_iterate(map, &it))) {
		struct fy_node *key = fy_node_pair_key(pair);
		struct topo_pos at = node_pos(p, key);
		if (at.line == 0)
			at = node_pos(p, map);
		const char *name;
		int r = get_str(p, key, at, "key", &name);
		if (r < 0)
			return r;
		size_t i = 0;
		while (names[i] && strcmp(names[i], name))
			i++;
		if (!names[i]) {
			char expected[256] = "";
			for (size_t j = 0; names[j]; j++)
				snprintf(expected + strlen(expected),
					 sizeof(expected) - strlen(expected), "%s%s", j ? ", " : "",
					 names[j]);
			return topo_err(p->t, at, p->err, "unknown key '%s' %s (expected %s)", name,
					where, expected);
		}
		char line[32];
		if (ret->set[i])
			return topo_err(p->t, at, p->err, "duplicate key '%s'%s", name,
					topo_first_at(ret->at[i], line, sizeof(line)));
		ret->val[i] = fy_node_pair_value(pair);
		ret->at[i] = at;
		ret->set[i] = true;
	}
	return 0;
}

static int parse_kind(struct parser *p, struct fy_node *n, struct topo_pos at, const char *node,
		      enum node_kind *ret)
{
	static const char *const kinds[] = {[NODE_HOST] = "host",
					    [NODE_ROUTER] = "router",
					    [NODE_BRIDGE] = "bridge",
					    [NODE_NAT] = "nat"};
	char what[96];
	snprintf(what, sizeof(what), "node %s: kind", node);
	const char *s;
	int r = get_str(p, n, at, what, &s);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strcmp(s, kinds[i])) {
			*ret = (enum node_kind)i;
			return 0;
		}
	}
	return topo_err(p->t, pos_or(p, n, at), p->err,
			"node %s: unknown kind '%s' (expected host, router, bridge or nat)", node,
			s);
}

/* Append "K=V" to the node's environment. */
static int add_env(struct parser *p, struct topo_node *node, const char *kv, struct topo_pos at,
		   const char *what)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv)
		return topo_err(p->t, at, p->err, "%s: '%s' is not K=V", what, kv);
	for (size_t i = 0; i < node->n_env; i++)
		if (!strncmp(node->env[i], kv, (size_t)(eq - kv) + 1))
			return topo_err(p->t, at, p->err, "%s: %.*s is set twice", what,
					(int)(eq - kv), kv);
	return push_str(p, &node->env, &node->n_env, kv);
}

static int parse_env(struct parser *p, struct topo_node *node, struct fy_node *n,
		     struct topo_pos at, const char *what)
{
	if (fy_node_is_mapping(n)) {
		void *it = NULL;
		struct fy_node_pair *pair;
		while ((pair = fy_node_mapping_iterate(n, &it))) {
			struct fy_node *k = fy_node_pair_key(pair);
			struct topo_pos kat = pos_or(p, k, at);
			const char *key, *val;
			int r = get_word(p, k, kat, what, &key);
			if (r == 0 && strchr(key, '='))
				r = topo_err(p->t, kat, p->err,
					     "%s: variable name '%s' contains '='", what, key);
			if (r == 0)
				r = get_str(p, fy_node_pair_value(pair), kat, what, &val);
			if (r < 0)
				return r;
			_cleanup_free_ char *kv = NULL;
			if (asprintf(&kv, "%s=%s", key, val) < 0)
				return nc_err_errno(p->err, ENOMEM, "%s", p->t->source);
			if ((r = add_env(p, node, kv, kat, what)) < 0)
				return r;
		}
		return 0;
	}
	int r = expect(p, n, at, false, what, " of K=V or a mapping");
	if (r < 0 || is_empty(n))
		return r;
	void *it = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(n, &it))) {
		struct topo_pos iat = pos_or(p, item, at);
		const char *kv;
		if ((r = get_str(p, item, iat, what, &kv)) < 0 ||
		    (r = add_env(p, node, kv, iat, what)) < 0)
			return r;
	}
	return 0;
}

static int parse_sysctls(struct parser *p, struct topo_node *node, struct fy_node *n,
			 struct topo_pos at, const char *what)
{
	int r = expect(p, n, at, true, what, " of key: value");
	if (r < 0 || is_empty(n))
		return r;
	void *it = NULL;
	struct fy_node_pair *pair;
	while ((pair = fy_node_mapping_iterate(n, &it))) {
		struct fy_node *k = fy_node_pair_key(pair);
		struct topo_pos kat = pos_or(p, k, at);
		const char *key, *val;
		if ((r = get_word(p, k, kat, what, &key)) < 0)
			return r;
		/* nc_sysctl_set's rule, checked here so that a bad key fails
		 * before anything is made: only the per-netns subtree. */
		bool slashed = strchr(key, '/');
		if (strncmp(key, slashed ? "net/" : "net.", 4) || strstr(key, ".."))
			return topo_err(p->t, kat, p->err,
					"%s: %s is not a net.* key (only those are per netns)",
					what, key);
		if ((r = get_word(p, fy_node_pair_value(pair), kat, what, &val)) < 0)
			return r;
		char line[32];
		for (size_t i = 0; i < node->n_sysctls; i++)
			if (!strcmp(node->sysctls[i].key, key))
				return topo_err(
				    p->t, kat, p->err, "%s: %s is set twice%s", what, key,
				    topo_first_at(node->sysctls[i].pos, line, sizeof(line)));
		struct topo_kv kv = {.pos = kat};
		if ((r = dup_str(p, key, &kv.key)) < 0)
			return r;
		if ((r = dup_str(p, val, &kv.value)) == 0)
			r = TOPO_APPEND(node->sysctls, node->n_sysctls, &kv, p->err);
		if (r < 0) {
			free(kv.key);
			free(kv.value);
			return r;
		}
	}
	return 0;
}

static int parse_route(struct parser *p, struct topo_node *node, struct fy_node *n,
		       struct topo_pos at, const char *what)
{
	const char *s;
	int r = get_word(p, n, at, what, &s);
	if (r < 0)
		return r;
	struct topo_route rt = {.pos = pos_or(p, n, at)};
	_cleanup_free_ char *copy = NULL;
	if ((r = dup_str(p, s, &copy)) < 0)
		return r;
	const char *words[ROUTE_WORDS_MAX];
	size_t nw = 0;
	char *save = NULL;
	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		if (nw == ROUTE_WORDS_MAX)
			return topo_err(p->t, rt.pos, p->err,
					"%s: too many words in '%s' (expected DEST|default via GW "
					"[dev IF] [metric N])",
					what, s);
		words[nw++] = w;
	}
	if ((r = nc_route_parse(words, nw, &rt.route, p->err)) < 0) {
		nc_err_prefix(p->err, "%s", what);
		return topo_err_prefix(p->t, rt.pos, p->err);
	}
	if ((r = dup_str(p, s, &rt.text)) == 0 &&
	    (r = TOPO_APPEND(node->routes, node->n_routes, &rt, p->err)) < 0)
		free(rt.text);
	return r;
}

/* A command: a list of strings (argv) or one string for /bin/sh -c. */
static int parse_argv(struct parser *p, struct fy_node *n, struct topo_pos at, const char *what,
		      char ***ret)
{
	at = pos_or(p, n, at);
	size_t count = 1;
	if (n && fy_node_is_sequence(n)) {
		count = (size_t)fy_node_sequence_item_count(n);
		if (count == 0)
			return topo_err(p->t, at, p->err, "%s: the command is empty", what);
	} else if (!n || !fy_node_is_scalar(n) || is_empty(n)) {
		return topo_err(p->t, at, p->err,
				"%s: expected a command (a list of strings, or a string run by "
				"/bin/sh -c), got %s",
				what, n ? node_type(n) : "nothing");
	}
	bool shell = !fy_node_is_sequence(n);
	_cleanup_(nc_strv_freep) char **argv = calloc(shell ? 4 : count + 1, sizeof(*argv));
	if (!argv)
		return nc_err_errno(p->err, ENOMEM, "%s", p->t->source);
	int r;
	if (shell) {
		const char *s;
		if ((r = get_word(p, n, at, what, &s)) < 0 ||
		    (r = dup_str(p, "/bin/sh", &argv[0])) < 0 ||
		    (r = dup_str(p, "-c", &argv[1])) < 0 || (r = dup_str(p, s, &argv[2])) < 0)
			return r;
	} else {
		void *it = NULL;
		struct fy_node *item;
		for (size_t i = 0; (item = fy_node_sequence_iterate(n, &it)); i++) {
			const char *s;
			r = i == 0 ? get_word(p, item, at, what, &s)
				   : get_str(p, item, at, what, &s);
			if (r < 0 || (r = dup_str(p, s, &argv[i])) < 0)
				return r;
		}
	}
	*ret = NC_TAKE(argv);
	return 0;
}

static int parse_exec(struct parser *p, struct topo_node *node, struct fy_node *n,
		      struct topo_pos at, const char *what)
{
	int r = expect(p, n, at, false, what, " of commands");
	if (r < 0 || is_empty(n))
		return r;
	void *it = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(n, &it))) {
		struct topo_argv a = {.pos = pos_or(p, item, at)};
		if ((r = parse_argv(p, item, a.pos, what, &a.argv)) < 0)
			return r;
		if ((r = TOPO_APPEND(node->exec, node->n_exec, &a, p->err)) < 0) {
			nc_strv_free(a.argv);
			return r;
		}
	}
	return 0;
}

/* A list of strings, each appended to *v. */
static int parse_strings(struct parser *p, struct fy_node *n, struct topo_pos at, const char *what,
			 char ***v, size_t *nv)
{
	int r = expect(p, n, at, false, what, " of strings");
	if (r < 0 || is_empty(n))
		return r;
	void *it = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(n, &it))) {
		const char *s;
		if ((r = get_word(p, item, at, what, &s)) < 0 || (r = push_str(p, v, nv, s)) < 0)
			return r;
	}
	return 0;
}

/* caps: capabilities a node's processes keep besides Docker's set, named
 * as for --cap-add. */
static int parse_caps(struct parser *p, struct topo_node *node, struct fy_node *n,
		      struct topo_pos at, const char *what)
{
	int r = expect(p, n, at, false, what, " of capabilities");
	if (r < 0 || is_empty(n))
		return r;
	void *it = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(n, &it))) {
		const char *s;
		if ((r = get_word(p, item, at, what, &s)) < 0)
			return r;
		int cap;
		bool all;
		struct nc_err e;
		if (caps_parse(s, &cap, &all, &e) < 0)
			return topo_err(p->t, pos_or(p, item, at), p->err, "%s: %s", what, e.msg);
		node->caps |= all ? ~0ULL : 1ULL << cap;
	}
	return 0;
}

/* publish: or allow: of a node, each item in the grammar of --publish and
 * --allow. */
static int parse_uplink_rules(struct parser *p, struct topo_node *node, bool allow,
			      struct fy_node *n, struct topo_pos at, const char *what)
{
	int r = expect(p, n, at, false, what, " of strings");
	if (r < 0 || is_empty(n))
		return r;
	struct uplink_opts *o = &node->uplink_opts;
	void *it = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(n, &it))) {
		const char *s;
		struct topo_pos ip = pos_or(p, item, at);
		if ((r = get_word(p, item, at, what, &s)) < 0)
			return r;
		size_t *count = allow ? &o->n_allow : &o->n_publish;
		if (*count == UPLINK_MAX_RULES)
			return topo_err(p->t, ip, p->err, "%s: at most %d", what, UPLINK_MAX_RULES);
		struct nc_err e;
		r = allow ? uplink_allow_parse(s, &o->allow[*count], &e)
			  : uplink_publish_parse(s, &o->publish[*count], &e);
		if (r < 0)
			return topo_err(p->t, ip, p->err, "%s: %s", what, e.msg);
		(*count)++;
	}
	return 0;
}

/* One node key other than kind; where is "node h1" or "defaults". */
static int parse_node_key(struct parser *p, struct topo_node *node, const char *where, int key,
			  struct fy_node *n, struct topo_pos at)
{
	char what[96];
	snprintf(what, sizeof(what), "%s: %s", where, node_keys[key]);
	const char *s;
	int r = 0;
	switch (key) {
	case K_HOSTNAME:
		if ((r = get_word(p, n, at, what, &s)) < 0)
			return r;
		if (strlen(s) > HOSTNAME_MAX)
			return topo_err(p->t, pos_or(p, n, at), p->err, "%s: longer than %d bytes",
					what, HOSTNAME_MAX);
		return dup_str(p, s, &node->hostname);
	case K_ROOTFS:
		if ((r = get_word(p, n, at, what, &s)) < 0)
			return r;
		return dup_str(p, s, &node->rootfs);
	case K_BINDS:
		return parse_strings(p, n, at, what, &node->binds, &node->n_binds);
	case K_ENV:
		return parse_env(p, node, n, at, what);
	case K_SYSCTLS:
		return parse_sysctls(p, node, n, at, what);
	case K_CAPS:
		return parse_caps(p, node, n, at, what);
	case K_ROUTES: {
		if ((r = expect(p, n, at, false, what, " of routes")) < 0 || is_empty(n))
			return r;
		void *it = NULL;
		struct fy_node *item;
		while ((item = fy_node_sequence_iterate(n, &it)))
			if ((r = parse_route(p, node, item, at, what)) < 0)
				return r;
		return 0;
	}
	case K_CMD:
		return parse_argv(p, n, at, what, &node->cmd);
	case K_EXEC:
		return parse_exec(p, node, n, at, what);
	case K_UPLINK:
		if ((r = get_word(p, n, at, what, &s)) < 0)
			return r;
		if (strcmp(s, "true") && strcmp(s, "false"))
			return topo_err(p->t, pos_or(p, n, at), p->err,
					"%s: expected true or false", what);
		node->uplink = !strcmp(s, "true");
		node->uplink_pos = pos_or(p, n, at);
		return 0;
	case K_PUBLISH:
	case K_ALLOW:
		return parse_uplink_rules(p, node, key == K_ALLOW, n, at, what);
	}
	return 0;
}

static int parse_defaults(struct parser *p, struct fy_node *n, struct topo_pos at, struct keys *ret)
{
	int r = expect(p, n, at, true, "defaults", " of node keys");
	if (r < 0 || (r = gather(p, n, default_keys, "in defaults", ret)) < 0)
		return r;
	/* Read them once on their own, so that an error in them is found
	 * even when no node takes them. */
	struct topo_node scratch = {0};
	for (size_t i = 0; default_keys[i] && r == 0; i++)
		if (ret->set[i])
			r = parse_node_key(p, &scratch, "defaults", K_ROOTFS + (int)i, ret->val[i],
					   ret->at[i]);
	topo_node_clear(&scratch);
	return r;
}

static int parse_node(struct parser *p, struct fy_node_pair *pair, struct topo_pos fallback,
		      const struct keys *defaults)
{
	struct fy_node *key = fy_node_pair_key(pair), *val = fy_node_pair_value(pair);
	struct topo_pos at = pos_or(p, key, fallback);
	const char *name;
	int r = get_str(p, key, at, "node name", &name);
	if (r < 0)
		return r;
	char where[96];
	snprintf(where, sizeof(where), "node %s", name);
	struct keys k;
	char in[128];
	snprintf(in, sizeof(in), "in node %s", name);
	if ((r = expect(p, val, at, true, where, " of node keys")) < 0 ||
	    (r = gather(p, val, node_keys, in, &k)) < 0)
		return r;
	enum node_kind kind = NODE_HOST;
	if (k.set[K_KIND] && (r = parse_kind(p, k.val[K_KIND], k.at[K_KIND], name, &kind)) < 0)
		return r;
	struct topo_node *node;
	if ((r = topo_add_node(p->t, name, kind, at, &node, p->err)) < 0)
		return r;
	if (kind == NODE_NAT) {
		node->uplink = true;
		node->uplink_pos = at;
	}
	for (int i = K_KIND + 1; i < K_COUNT; i++) {
		bool own = k.set[i];
		size_t d = (size_t)(i - K_ROOTFS);
		bool inherited = !own && i >= K_ROOTFS && i <= K_CAPS && defaults->set[d];
		if (!own && !inherited)
			continue;
		/* A bridge is a netns with a bridge in it and no processes;
		 * its sysctls are the only node keys that mean anything. */
		if (kind == NODE_BRIDGE && i != K_SYSCTLS && i != K_ROUTES) {
			if (inherited)
				continue;
			return topo_err(p->t, k.at[i], p->err,
					"node %s is a bridge: it runs no processes and takes no %s",
					name, node_keys[i]);
		}
		r = own ? parse_node_key(p, node, where, i, k.val[i], k.at[i])
			: parse_node_key(p, node, where, i, defaults->val[d], defaults->at[d]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_end(struct parser *p, struct fy_node *n, struct topo_pos at, struct topo_end *ret)
{
	const char *s;
	int r = get_word(p, n, at, "link endpoint", &s);
	if (r < 0)
		return r;
	at = pos_or(p, n, at);
	/* The ports of a bridge node are enslaved to its bridge without
	 * being told: the CLI's @BRIDGE has no place here. */
	const char *sep = strpbrk(s, "@=");
	if (sep && *sep == '@')
		return topo_err(p->t, at, p->err,
				"endpoint %s: no @BRIDGE in a topology: link to a node of kind "
				"bridge instead",
				s);
	struct endpoint ep;
	if ((r = endpoint_parse(s, EP_ALLOW_ADDRS, &ep, p->err)) < 0)
		return topo_err_prefix(p->t, at, p->err);
	if (!topo_find(p->t, p->index, ep.ns, &ret->node))
		return topo_err(p->t, at, p->err, "link endpoint %s: no node named '%s'", s, ep.ns);
	memcpy(ret->ifname, ep.ifname, sizeof(ret->ifname));
	memcpy(ret->addrs, ep.addrs, sizeof(ret->addrs));
	ret->n_addrs = ep.n_addrs;
	ret->pos = at;
	return 0;
}

/* A list of exactly two items (link endpoints, isolated pairs). */
static int get_pair(struct parser *p, struct fy_node *n, struct topo_pos at, const char *what,
		    struct fy_node **ret_a, struct fy_node **ret_b)
{
	at = pos_or(p, n, at);
	if (!n || !fy_node_is_sequence(n))
		return topo_err(p->t, at, p->err, "%s: expected a list of two, got %s", what,
				n ? node_type(n) : "nothing");
	int count = fy_node_sequence_item_count(n);
	if (count != 2)
		return topo_err(p->t, at, p->err, "%s: expected a list of two, got %d items", what,
				count);
	*ret_a = fy_node_sequence_get_by_index(n, 0);
	*ret_b = fy_node_sequence_get_by_index(n, 1);
	return 0;
}

static int parse_link(struct parser *p, struct fy_node *n, struct topo_pos at)
{
	struct topo_link l = {.pos = pos_or(p, n, at)};
	struct fy_node *ends = n;
	int r;
	if (n && fy_node_is_mapping(n)) {
		struct keys k;
		if ((r = gather(p, n, link_keys, "in a link", &k)) < 0)
			return r;
		if (!k.set[L_ENDPOINTS])
			return topo_err(p->t, l.pos, p->err, "link: missing key 'endpoints'");
		ends = k.val[L_ENDPOINTS];
		at = k.at[L_ENDPOINTS];
		for (int i = L_MTU; i <= L_LOSS; i++) {
			if (!k.set[i])
				continue;
			char what[32];
			snprintf(what, sizeof(what), "link: %s", link_keys[i]);
			const char *s;
			if ((r = get_word(p, k.val[i], k.at[i], what, &s)) < 0)
				return r;
			switch (i) {
			case L_MTU:
				r = nc_mtu_parse(s, &l.mtu, p->err);
				break;
			case L_RATE:
				r = nc_rate_parse(s, &l.rate_bps, p->err);
				break;
			case L_DELAY:
				r = nc_time_parse(s, &l.delay_us, p->err);
				break;
			case L_JITTER:
				r = nc_time_parse(s, &l.jitter_us, p->err);
				break;
			case L_LOSS:
				r = nc_percent_parse(s, &l.loss_pct, p->err);
				break;
			}
			if (r < 0) {
				nc_err_prefix(p->err, "link");
				return topo_err_prefix(p->t, pos_or(p, k.val[i], k.at[i]), p->err);
			}
		}
	} else if (!n || !fy_node_is_sequence(n)) {
		return topo_err(p->t, l.pos, p->err,
				"link: expected a list of two endpoints or a mapping with "
				"endpoints, got %s",
				n ? node_type(n) : "nothing");
	}
	struct fy_node *a, *b;
	if ((r = get_pair(p, ends, at, "link endpoints", &a, &b)) < 0 ||
	    (r = parse_end(p, a, at, &l.a)) < 0 || (r = parse_end(p, b, at, &l.b)) < 0)
		return r;
	return TOPO_APPEND(p->t->links, p->t->n_links, &l, p->err);
}

static int parse_isolated(struct parser *p, struct fy_node *n, struct topo_pos at)
{
	struct topo_pair pair = {.pos = pos_or(p, n, at)};
	struct fy_node *ends[2];
	int r = get_pair(p, n, at, "isolate", &ends[0], &ends[1]);
	for (int i = 0; i < 2 && r == 0; i++) {
		const char *name;
		struct topo_pos eat = pos_or(p, ends[i], pair.pos);
		if ((r = get_word(p, ends[i], eat, "isolate", &name)) < 0)
			break;
		if (!topo_find(p->t, p->index, name, i ? &pair.b : &pair.a))
			r = topo_err(p->t, eat, p->err, "isolate: no node named '%s'", name);
	}
	if (r == 0)
		r = TOPO_APPEND(p->t->isolated, p->t->n_isolated, &pair, p->err);
	return r;
}

/* Call fn on each item of the list n (an empty value is an empty list). */
static int each_item(struct parser *p, struct fy_node *n, struct topo_pos at, const char *what,
		     const char *hint,
		     int (*fn)(struct parser *, struct fy_node *, struct topo_pos))
{
	int r = expect(p, n, at, false, what, hint);
	if (r < 0 || is_empty(n))
		return r;
	at = pos_or(p, n, at);
	void *it = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(n, &it)))
		if ((r = fn(p, item, at)) < 0)
			return r;
	return 0;
}

static int parse_root(struct parser *p, struct fy_node *root)
{
	struct topo_pos at = pos_or(p, root, (struct topo_pos){1, 1});
	if (!fy_node_is_mapping(root))
		return topo_err(p->t, at, p->err,
				"expected a mapping with name, nodes and links, got %s",
				node_type(root));
	struct keys top, defaults;
	int r = gather(p, root, top_keys, "at the top level", &top);
	if (r < 0)
		return r;
	if (!top.set[TOP_NAME])
		return topo_err(p->t, at, p->err, "missing key 'name' (the lab's name)");
	const char *name;
	if ((r = get_str(p, top.val[TOP_NAME], top.at[TOP_NAME], "name", &name)) < 0 ||
	    (r = dup_str(p, name, &p->t->name)) < 0)
		return r;
	p->t->name_pos = pos_or(p, top.val[TOP_NAME], top.at[TOP_NAME]);
	if ((r = parse_defaults(p, top.val[TOP_DEFAULTS], top.at[TOP_DEFAULTS], &defaults)) < 0)
		return r;

	if (!top.set[TOP_NODES])
		return topo_err(p->t, at, p->err, "missing key 'nodes'");
	struct fy_node *nodes = top.val[TOP_NODES];
	struct topo_pos nodes_at = pos_or(p, nodes, top.at[TOP_NODES]);
	if ((r = expect(p, nodes, nodes_at, true, "nodes", " of node names to nodes")) < 0)
		return r;
	if (is_empty(nodes) || fy_node_mapping_item_count(nodes) == 0)
		return topo_err(p->t, nodes_at, p->err, "nodes: the lab has no nodes");
	void *it = NULL;
	struct fy_node_pair *pair;
	while ((pair = fy_node_mapping_iterate(nodes, &it)))
		if ((r = parse_node(p, pair, nodes_at, &defaults)) < 0)
			return r;

	_cleanup_free_ size_t *index = NULL;
	if ((r = topo_name_index(p->t, &index, p->err)) < 0 ||
	    (r = topo_check_unique(p->t, index, p->err)) < 0)
		return r;
	p->index = index;
	r = each_item(p, top.val[TOP_LINKS], top.at[TOP_LINKS], "links", " of links", parse_link);
	if (r == 0)
		r = each_item(p, top.val[TOP_ISOLATE], top.at[TOP_ISOLATE], "isolate",
			      " of node pairs", parse_isolated);
	p->index = NULL;
	return r;
}

/* A diag that collects errors with their positions and prints nothing:
 * with neither fp nor output_fn, libfyaml's unpositioned chatter
 * ("fy_parse_load_document() failed") goes nowhere. */
static struct fy_diag *quiet_diag(void)
{
	struct fy_diag_cfg cfg;
	fy_diag_cfg_default(&cfg);
	cfg.fp = NULL;
	cfg.output_fn = NULL;
	cfg.colorize = false;
	struct fy_diag *diag = fy_diag_create(&cfg);
	if (diag)
		fy_diag_set_collect_errors(diag, true);
	return diag;
}

/* A parser and the documents it loaded, which only it can destroy. */
struct yaml {
	struct fy_parser *fyp;
	struct fy_document *doc, *next;
};

static void yaml_close(struct yaml *y)
{
	if (y->fyp) {
		if (y->next)
			fy_parse_document_destroy(y->fyp, y->next);
		if (y->doc)
			fy_parse_document_destroy(y->fyp, y->doc);
		fy_parser_destroy(y->fyp);
	}
	*y = (struct yaml){0};
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0
 * (RFC 3629: no overlong forms, surrogates or code points past U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	size_t len = 0;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	if (!len || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return len;
}

/* YAML text is Unicode, and libfyaml 0.7 loops forever on some invalid
 * UTF-8 (a directive line "%" followed by the byte 0xff): so it gets none.
 * The position of the first invalid byte, or line 0. */
static struct topo_pos utf8_invalid(const char *text, size_t len)
{
	struct topo_pos pos = {1, 1};
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(s + i, len - i);
		if (!n)
			return pos;
		if (s[i] == '\n') {
			pos.line++;
			pos.col = 1;
		} else {
			pos.col++;
		}
		i += n;
	}
	return (struct topo_pos){0, 0};
}

/* The stream's first document and the next, which should not exist:
 * fy_document_build_from_string would ignore it. */
static int yaml_load(struct yaml *y, enum fy_parse_cfg_flags flags, struct fy_diag *diag,
		     const char *text, size_t len)
{
	struct fy_parse_cfg cfg = {.flags = flags, .diag = diag};
	if (!(y->fyp = fy_parser_create(&cfg)) || fy_parser_set_string(y->fyp, text, len) < 0)
		return -ENOMEM;
	if ((y->doc = fy_parse_load_document(y->fyp)))
		y->next = fy_parse_load_document(y->fyp);
	return 0;
}

int topo_parse_string(const char *path, const char *yaml, size_t len, struct topo **ret_topo,
		      struct nc_err *err)
{
	_cleanup_(topo_freep) struct topo *t = NULL;
	int r = topo_new(NULL, path, &t, err);
	if (r < 0)
		return r;
	struct topo_pos bad = utf8_invalid(yaml, len);
	if (bad.line)
		return topo_err(t, bad, err, "invalid UTF-8");
	_cleanup_(fy_diag_destroyp) struct fy_diag *diag = quiet_diag();
	if (!diag)
		return nc_err_errno(err, ENOMEM, "%s", path);
	/* libfyaml 0.7 compares every key of a mapping with every other,
	 * when building (unless duplicates are allowed) and when resolving:
	 * seconds for a lab of 4096 nodes. So duplicates are found here, by
	 * key table or sorted names, and only a document with anchors is
	 * loaded again, resolved: with duplicates allowed, its resolver takes
	 * a key that overrides a << merge for a duplicate. */
	_cleanup_(yaml_close) struct yaml y = {0};
	r = yaml_load(&y, FYPCF_QUIET | FYPCF_ALLOW_DUPLICATE_KEYS, diag, yaml, len);
	void *anchors = NULL;
	if (r == 0 && y.doc && fy_document_anchor_iterate(y.doc, &anchors)) {
		yaml_close(&y);
		fy_diag_reset_error(diag);
		r = yaml_load(&y, FYPCF_QUIET | FYPCF_RESOLVE_DOCUMENT, diag, yaml, len);
	}
	if (r < 0)
		return nc_err_errno(err, ENOMEM, "%s", path);
	void *it = NULL;
	struct fy_diag_error *e;
	while ((e = fy_diag_errors_iterate(diag, &it)))
		if (e->type >= FYET_ERROR)
			return topo_err(t, (struct topo_pos){e->line, e->column}, err, "%s",
					e->msg);
	struct fy_node *root = y.doc ? fy_document_root(y.doc) : NULL;
	/* An empty stream (nothing but comments) makes no document at all. */
	if (!root)
		return topo_err(t, (struct topo_pos){1, 1}, err,
				"empty topology (expected a mapping with name, nodes and links)");
	struct parser p = {.t = t, .diag = diag, .err = err};
	struct fy_node *extra = y.next ? fy_document_root(y.next) : NULL;
	if (!is_empty(extra))
		return topo_err(t, node_pos(&p, extra), err,
				"a second YAML document: a topology file holds one lab");
	if ((r = parse_root(&p, root)) < 0 || (r = topo_validate(t, err)) < 0)
		return r;
	*ret_topo = NC_TAKE(t);
	return 0;
}

static int read_all(const char *path, char **ret_buf, size_t *ret_len, struct nc_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return nc_err_errno(err, errno, "%s", path);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			if (cap >= TOPO_FILE_MAX)
				return nc_err_set(err, EFBIG, "%s: larger than %d MiB", path,
						  TOPO_FILE_MAX >> 20);
			cap = cap ? cap * 2 : 64 << 10;
			char *nb = realloc(buf, cap);
			if (!nb)
				return nc_err_errno(err, ENOMEM, "%s", path);
			buf = nb;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return nc_err_errno(err, errno, "%s", path);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*ret_buf = NC_TAKE(buf);
	*ret_len = len;
	return 0;
}

int topo_parse_file(const char *path, struct topo **ret_topo, struct nc_err *err)
{
	/* Read here rather than by libfyaml, so that a missing or unreadable
	 * file is reported with its errno. */
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = read_all(path, &buf, &len, err);
	if (r < 0)
		return r;
	return topo_parse_string(path, buf, len, ret_topo, err);
}
