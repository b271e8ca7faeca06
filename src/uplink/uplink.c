// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "state/journal.h"
#include "uplink.h"

#define FORWARD_SAVED UPLINK_STATE_DIR "/.forward"

static int parse_port(const char *s, size_t len, uint16_t *ret, const char *what,
		      struct nc_err *err)
{
	char buf[8];
	uint64_t v;
	if (len == 0 || len >= sizeof(buf))
		return nc_err_set(err, EINVAL, "%s: expected a port number", what);
	memcpy(buf, s, len);
	buf[len] = '\0';
	int r = nc_uint_parse(buf, 1, 65535, what, &v, err);
	if (r < 0)
		return r;
	*ret = (uint16_t)v;
	return 0;
}

/* "/tcp" or "/udp" at the end of s (cut off), or neither: TCP. */
static int split_proto(char *s, bool *ret_udp, const char *what, struct nc_err *err)
{
	char *slash = strrchr(s, '/');
	*ret_udp = false;
	/* A digit after the last '/' is a CIDR's prefix, not a protocol. */
	if (!slash || !slash[1] || isdigit((unsigned char)slash[1]) || strchr(slash, ':') ||
	    strchr(slash, '.'))
		return 0;
	if (!strcmp(slash, "/udp"))
		*ret_udp = true;
	else if (strcmp(slash, "/tcp"))
		return nc_err_set(err, EINVAL, "%s: unknown protocol '%s' (tcp or udp)", what,
				  slash + 1);
	*slash = '\0';
	return 0;
}

int uplink_publish_parse(const char *s, struct uplink_publish *ret, struct nc_err *err)
{
	char what[128], buf[128];
	snprintf(what, sizeof(what), "--publish %s", s);
	if (strlen(s) >= sizeof(buf))
		return nc_err_set(err, EINVAL, "%s: too long", what);
	snprintf(buf, sizeof(buf), "%s", s);
	struct uplink_publish p = {0};
	int r = split_proto(buf, &p.udp, what, err);
	if (r < 0)
		return r;
	/* HOSTADDR may be IPv6 ([...] or bare): the ports are the last two
	 * colon-separated fields. */
	char *last = strrchr(buf, ':');
	if (!last)
		return nc_err_set(err, EINVAL, "%s: expected [HOSTADDR:]HOSTPORT:PORT", what);
	if ((r = parse_port(last + 1, strlen(last + 1), &p.port, what, err)) < 0)
		return r;
	*last = '\0';
	char *mid = strrchr(buf, ':');
	char *hp = mid ? mid + 1 : buf;
	if ((r = parse_port(hp, strlen(hp), &p.host_port, what, err)) < 0)
		return r;
	if (mid) {
		*mid = '\0';
		char *a = buf;
		size_t alen = strlen(a);
		if (alen > 2 && a[0] == '[' && a[alen - 1] == ']') {
			a[alen - 1] = '\0';
			a++;
		}
		if ((r = nc_ip_parse(a, &p.addr, err)) < 0)
			return nc_err_prefix(err, "%s", what);
		p.has_addr = true;
	}
	*ret = p;
	return 0;
}

int uplink_allow_parse(const char *s, struct uplink_allow *ret, struct nc_err *err)
{
	char what[128], buf[128];
	snprintf(what, sizeof(what), "--allow %s", s);
	if (strlen(s) >= sizeof(buf))
		return nc_err_set(err, EINVAL, "%s: too long", what);
	snprintf(buf, sizeof(buf), "%s", s);
	struct uplink_allow a = {0};
	int r = split_proto(buf, &a.udp, what, err);
	if (r < 0)
		return r;
	/* An IPv4 CIDR may be followed by :PORT; an IPv6 one needs [ ]. */
	char *net = buf, *port = NULL;
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');
		if (!close)
			return nc_err_set(err, EINVAL, "%s: missing ']'", what);
		*close = '\0';
		net = buf + 1;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return nc_err_set(err, EINVAL, "%s: expected [CIDR]:PORT", what);
	} else if (!strchr(buf, '.') || strchr(buf, ':') == strrchr(buf, ':')) {
		char *colon = strchr(buf, ':');
		if (colon && strchr(buf, '.')) {
			*colon = '\0';
			port = colon + 1;
		}
	}
	if ((r = strchr(net, '/') ? nc_cidr_parse(net, &a.net, err)
				  : nc_ip_parse(net, &a.net, err)) < 0)
		return nc_err_prefix(err, "%s", what);
	if (port && (r = parse_port(port, strlen(port), &a.port, what, err)) < 0)
		return r;
	*ret = a;
	return 0;
}

void uplink_publish_str(const struct uplink_publish *p, char *buf, size_t len)
{
	char a[64] = "";
	if (p->has_addr) {
		char ip[48];
		nc_cidr_str(&p->addr, false, ip, sizeof(ip));
		snprintf(a, sizeof(a), p->addr.family == AF_INET6 ? "[%s]:" : "%s:", ip);
	}
	snprintf(buf, len, "%s%u:%u/%s", a, p->host_port, p->port, p->udp ? "udp" : "tcp");
}

void uplink_allow_str(const struct uplink_allow *a, char *buf, size_t len)
{
	char net[64];
	nc_cidr_str(&a->net, true, net, sizeof(net));
	if (!a->port)
		snprintf(buf, len, "%s", net);
	else
		snprintf(buf, len, a->net.family == AF_INET6 ? "[%s]:%u/%s" : "%s:%u/%s", net,
			 a->port, a->udp ? "udp" : "tcp");
}

static int record_path(const char *id, char *buf, size_t len)
{
	return snprintf(buf, len, "%s/%s", UPLINK_STATE_DIR, id) >= (int)len ? -ENAMETOOLONG : 0;
}

bool uplink_exists(const char *id)
{
	char path[400];
	return record_path(id, path, sizeof(path)) == 0 && access(path, F_OK) == 0;
}

static int write_record(const struct uplink *u, struct nc_err *err)
{
	char path[400], tmp[410];
	if (record_path(u->id, path, sizeof(path)) < 0)
		return nc_err_set(err, ENAMETOOLONG, "uplink %s: name too long", u->id);
	if (mkdir(NSBOX_STATE_DIR, 0700) < 0 && errno != EEXIST)
		return nc_err_errno(err, errno, "mkdir %s", NSBOX_STATE_DIR);
	if (mkdir(UPLINK_STATE_DIR, 0700) < 0 && errno != EEXIST)
		return nc_err_errno(err, errno, "mkdir %s", UPLINK_STATE_DIR);
	snprintf(tmp, sizeof(tmp), "%s/.%s", UPLINK_STATE_DIR, u->id);
	_cleanup_(fclosep) FILE *f = fopen(tmp, "we");
	if (!f)
		return nc_err_errno(err, errno, "journal: %s", tmp);
	char a[64], b[64];
	fprintf(f, "slot=%u\nhost_if=%s\nhost=%s\ninside=%s\n", u->slot, u->host_if,
		nc_cidr_str(&u->host_addr, true, a, sizeof(a)),
		nc_cidr_str(&u->inside_addr, true, b, sizeof(b)));
	if (u->has_ipv6)
		fprintf(f, "host6=%s\ninside6=%s\n",
			nc_cidr_str(&u->host_addr6, true, a, sizeof(a)),
			nc_cidr_str(&u->inside_addr6, true, b, sizeof(b)));
	for (size_t i = 0; i < u->opts.n_dns; i++)
		fprintf(f, "dns=%s\n", nc_cidr_str(&u->opts.dns[i], false, a, sizeof(a)));
	char rule[128];
	for (size_t i = 0; i < u->opts.n_publish; i++) {
		uplink_publish_str(&u->opts.publish[i], rule, sizeof(rule));
		fprintf(f, "publish=%s\n", rule);
	}
	for (size_t i = 0; i < u->opts.n_allow; i++) {
		uplink_allow_str(&u->opts.allow[i], rule, sizeof(rule));
		fprintf(f, "allow=%s\n", rule);
	}
	fprintf(f, "wrote_resolv=%d\n", u->wrote_resolv);
	if (fflush(f) != 0 || rename(tmp, path) < 0) {
		int r = nc_err_errno(err, errno, "journal: %s", path);
		unlink(tmp);
		return r;
	}
	return 0;
}

int uplink_read(const char *id, struct uplink *ret, struct nc_err *err)
{
	char path[400];
	if (record_path(id, path, sizeof(path)) < 0)
		return nc_err_set(err, ENAMETOOLONG, "uplink %s: name too long", id);
	_cleanup_(fclosep) FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? nc_err_set(err, ENOENT, "uplink %s: no such uplink", id)
				       : nc_err_errno(err, errno, "journal: %s", path);
	struct uplink u = {0};
	snprintf(u.id, sizeof(u.id), "%s", id);
	char line[256];
	int r = 0;
	while (r == 0 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *v = strchr(line, '=');
		if (!v)
			continue;
		*v++ = '\0';
		struct uplink_opts *o = &u.opts;
		if (!strcmp(line, "slot"))
			u.slot = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(line, "host_if"))
			snprintf(u.host_if, sizeof(u.host_if), "%s", v);
		else if (!strcmp(line, "host"))
			r = nc_cidr_parse(v, &u.host_addr, err);
		else if (!strcmp(line, "inside"))
			r = nc_cidr_parse(v, &u.inside_addr, err);
		else if (!strcmp(line, "host6"))
			u.has_ipv6 = (r = nc_cidr_parse(v, &u.host_addr6, err)) == 0;
		else if (!strcmp(line, "inside6"))
			r = nc_cidr_parse(v, &u.inside_addr6, err);
		else if (!strcmp(line, "dns") && o->n_dns < 4)
			r = nc_ip_parse(v, &o->dns[o->n_dns++], err);
		else if (!strcmp(line, "publish") && o->n_publish < UPLINK_MAX_RULES)
			r = uplink_publish_parse(v, &o->publish[o->n_publish++], err);
		else if (!strcmp(line, "allow") && o->n_allow < UPLINK_MAX_RULES)
			r = uplink_allow_parse(v, &o->allow[o->n_allow++], err);
		else if (!strcmp(line, "wrote_resolv"))
			u.wrote_resolv = *v == '1';
	}
	if (r < 0)
		return nc_err_prefix(err, "journal: %s", path);
	*ret = u;
	return 0;
}

int uplink_list(char ***ret_ids, size_t *ret_n, struct nc_err *err)
{
	return journal_dir_names(UPLINK_STATE_DIR, ret_ids, ret_n, err);
}

/* ---- nftables ---------------------------------------------------------- */

static void fputs_ip(FILE *f, const struct nc_cidr *c, bool prefix)
{
	char buf[64];
	fputs(nc_cidr_str(c, prefix, buf, sizeof(buf)), f);
}

static void nft_uplink(FILE *nat, FILE *pre, FILE *out, FILE *fwd, const struct uplink *u)
{
	const char *ifn = u->host_if;
	struct nc_cidr net = u->inside_addr;
	fprintf(nat, "\t\tip saddr ");
	fputs_ip(nat, &net, true);
	fprintf(nat, " oifname != \"%s\" masquerade\n", ifn);
	if (u->has_ipv6) {
		fprintf(nat, "\t\tip6 saddr ");
		fputs_ip(nat, &u->inside_addr6, true);
		fprintf(nat, " oifname != \"%s\" masquerade\n", ifn);
	}
	for (size_t i = 0; i < u->opts.n_publish; i++) {
		const struct uplink_publish *p = &u->opts.publish[i];
		bool v6 = p->has_addr && p->addr.family == AF_INET6;
		if (v6 && !u->has_ipv6)
			continue;
		const struct nc_cidr *to = v6 ? &u->inside_addr6 : &u->inside_addr;
		for (int k = 0; k < 2; k++) {
			FILE *f = k ? out : pre;
			fprintf(f, "\t\t");
			if (p->has_addr) {
				fprintf(f, "%s daddr ", v6 ? "ip6" : "ip");
				fputs_ip(f, &p->addr, false);
				fprintf(f, " ");
			} else if (k) {
				/* From the host itself: only to its own addresses,
				 * or every outgoing connection to that port would
				 * land in the sandbox. */
				fprintf(f, "fib daddr type local ");
			}
			fprintf(f, "%s dport %u dnat %s to %s", p->udp ? "udp" : "tcp",
				p->host_port, v6 ? "ip6" : "ip", v6 ? "[" : "");
			fputs_ip(f, to, false);
			fprintf(f, "%s:%u\n", v6 ? "]" : "", p->port);
		}
	}
	if (!u->opts.n_allow)
		return;
	/* Only the listed destinations (and DNS) through this uplink; the
	 * rest is rejected, so a client fails at once instead of timing out. */
	fprintf(fwd, "\t\tiifname \"%s\" ct state established,related accept\n", ifn);
	for (size_t i = 0; i < u->opts.n_allow; i++) {
		const struct uplink_allow *a = &u->opts.allow[i];
		fprintf(fwd, "\t\tiifname \"%s\" %s daddr ", ifn,
			a->net.family == AF_INET6 ? "ip6" : "ip");
		fputs_ip(fwd, &a->net, true);
		if (a->port)
			fprintf(fwd, " %s dport %u", a->udp ? "udp" : "tcp", a->port);
		fprintf(fwd, " accept\n");
	}
	for (size_t i = 0; i < u->opts.n_dns; i++)
		for (int k = 0; k < 2; k++) {
			fprintf(fwd, "\t\tiifname \"%s\" %s daddr ", ifn,
				u->opts.dns[i].family == AF_INET6 ? "ip6" : "ip");
			fputs_ip(fwd, &u->opts.dns[i], false);
			fprintf(fwd, " %s dport 53 accept\n", k ? "tcp" : "udp");
		}
	fprintf(fwd, "\t\tiifname \"%s\" meta l4proto tcp reject with tcp reset\n", ifn);
	fprintf(fwd, "\t\tiifname \"%s\" reject with icmpx type admin-prohibited\n", ifn);
}

/* The chain, made if it is not there, and each line of lines ("\t\tRULE\n")
 * as a rule of it. A chain with no rules is not made: each base chain
 * registers netfilter hooks, and the first hook at a place in the whole
 * machine patches the kernel's code (a static key: text_poke and an IPI to
 * every CPU), again when the last one goes; on a machine with no other
 * firewall, that was a third of the nftables worker's time. */
static void add_chain(FILE *s, const char *chain, const char *hook, const char *lines)
{
	if (!*lines)
		return;
	fprintf(s, "add chain inet nsbox %s { %s; policy accept; }\n", chain, hook);
	for (const char *p = lines; *p;) {
		while (*p == '\t')
			p++;
		size_t len = strcspn(p, "\n");
		if (len)
			fprintf(s, "add rule inet nsbox %s %.*s\n", chain, (int)len, p);
		p += len + (p[len] == '\n');
	}
}

enum sync_mode {
	SYNC_REBUILD, /* the table from every record, replacing what is there */
	SYNC_APPEND,  /* only the rules of one uplink, added to the table */
	SYNC_REMOVE,  /* rebuilt from every record but one's, going away */
};

/* The script that brings table inet nsbox in line with the records, in
 * one transaction; no records, no table. Nothing else of the ruleset is
 * touched. Deleting anything from nf_tables costs an RCU grace period when
 * its socket is closed (10-16 ms here, bench/RESULTS.md), so a new uplink
 * only adds: its rules to the table, or the table itself when it is the
 * first. */
static int nft_script(enum sync_mode mode, const char *id, char **ret_script, struct nc_err *err)
{
	char **ids = NULL;
	size_t n = 0;
	int r = uplink_list(&ids, &n, err);
	if (r < 0)
		return r;
	char *nat = NULL, *pre = NULL, *out = NULL, *fwd = NULL, *script = NULL;
	size_t l1, l2, l3, l4, l5;
	FILE *fn = open_memstream(&nat, &l1), *fp = open_memstream(&pre, &l2),
	     *fo = open_memstream(&out, &l3), *ff = open_memstream(&fwd, &l4);
	size_t kept = 0;
	/* A record that cannot be read fails the sync: rebuilt without it,
	 * the table would drop that uplink's rules and say nothing. */
	for (size_t i = 0; i < n && fn && fp && fo && ff && r == 0; i++) {
		struct uplink u;
		bool take = mode == SYNC_REBUILD || (mode == SYNC_APPEND) == !strcmp(ids[i], id);
		if (take && (r = uplink_read(ids[i], &u, err)) == 0) {
			nft_uplink(fn, fp, fo, ff, &u);
			kept++;
		}
	}
	if (fn)
		fclose(fn);
	if (fp)
		fclose(fp);
	if (fo)
		fclose(fo);
	if (ff)
		fclose(ff);
	FILE *s = open_memstream(&script, &l5);
	if (s && nat && pre && out && fwd) {
		/* "add" then "delete" removes a table whether or not it
		 * exists. An uplink that comes only adds, so that nothing is
		 * deleted: "add" leaves what is there as it is. But the table
		 * only for the first: one that went missing under the others
		 * must fail the addition of chains and rules (and be rebuilt),
		 * not come back with the new uplink's rules alone. */
		if (mode != SYNC_APPEND)
			fprintf(s, "add table inet nsbox\ndelete table inet nsbox\n");
		if (kept && (mode != SYNC_APPEND || n == 1))
			fprintf(s, "add table inet nsbox\n");
		if (kept) {
			add_chain(s, "postrouting", "type nat hook postrouting priority srcnat",
				  nat);
			add_chain(s, "prerouting", "type nat hook prerouting priority dstnat", pre);
			add_chain(s, "output", "type nat hook output priority -100", out);
			add_chain(s, "forward", "type filter hook forward priority filter", fwd);
		}
	}
	if (s)
		fclose(s);
	if (r == 0 && !(script && nat && pre && out && fwd))
		r = nc_err_errno(err, ENOMEM, "nftables");
	free(nat);
	free(pre);
	free(out);
	free(fwd);
	nc_strv_free(ids);
	if (r < 0) {
		free(script);
		return r;
	}
	*ret_script = script;
	return 0;
}

/* Sends job the script for mode. */
static int nft_sync_send(enum sync_mode mode, const char *id, struct nc_nft_job *job,
			 struct nc_err *err)
{
	_cleanup_free_ char *script = NULL;
	int r = nft_script(mode, id, &script, err);
	return r < 0 ? r : nc_nft_send(job, script, err);
}

static int nft_sync(enum sync_mode mode, const char *id, struct nc_err *err);

static int nft_sync_finish(enum sync_mode mode, struct nc_nft_job *job, struct nc_err *err)
{
	int r = nc_nft_finish(job, err);
	/* A table someone else removed (or a first that is not): rebuild. */
	if (r < 0 && mode == SYNC_APPEND)
		return nft_sync(SYNC_REBUILD, NULL, err);
	return r;
}

/* *ret_job: the caller's worker nft, started now if it is not yet, or,
 * without one, own. */
static int nft_job(struct nc_nft_job *nft, struct nc_nft_job *own, struct nc_nft_job **ret_job,
		   struct nc_err *err)
{
	*ret_job = nft ? nft : own;
	return (*ret_job)->fd >= 0 ? 0 : nc_nft_prepare(*ret_job, err);
}

static int nft_sync(enum sync_mode mode, const char *id, struct nc_err *err)
{
	_cleanup_(nc_nft_end) struct nc_nft_job job = NC_NFT_JOB_NONE;
	int r = nc_nft_prepare(&job, err);
	if (r == 0 && (r = nft_sync_send(mode, id, &job, err)) == 0)
		r = nft_sync_finish(mode, &job, err);
	return r;
}

/* ---- forwarding -------------------------------------------------------- */

static int forwarding_on(struct nc_ns *host, bool v6, struct nc_err *err)
{
	char v4old[8] = "", v6old[8] = "";
	int r = nc_sysctl_get(host, "net.ipv4.ip_forward", v4old, sizeof(v4old), err);
	if (r == 0)
		r = nc_sysctl_get(host, "net.ipv6.conf.all.forwarding", v6old, sizeof(v6old), err);
	if (r < 0)
		return r;
	/* The values before the first uplink are the ones restored. */
	if (access(FORWARD_SAVED, F_OK) < 0) {
		FILE *f = fopen(FORWARD_SAVED ".tmp", "we");
		if (!f)
			return nc_err_errno(err, errno, "journal: %s", FORWARD_SAVED);
		fprintf(f, "%s %s\n", v4old, v6old);
		if (fclose(f) != 0 || rename(FORWARD_SAVED ".tmp", FORWARD_SAVED) < 0) {
			r = nc_err_errno(err, errno, "journal: %s", FORWARD_SAVED);
			unlink(FORWARD_SAVED ".tmp");
			return r;
		}
	}
	if (strcmp(v4old, "1") && (r = nc_sysctl_set(host, "net.ipv4.ip_forward", "1", err)) < 0)
		return r;
	/* IPv6 forwarding also stops the host from taking router
	 * advertisements on accept_ra=1 links: only when an uplink has IPv6. */
	if (v6 && strcmp(v6old, "1") &&
	    (r = nc_sysctl_set(host, "net.ipv6.conf.all.forwarding", "1", err)) < 0)
		return r;
	return 0;
}

/* The saved values go back, and the file with them; until they are back
 * it stays, for the next uplink del or cleanup to try again. */
static int forwarding_restore(struct nc_ns *host, struct nc_err *err)
{
	char v4[8], v6[8];
	FILE *f = fopen(FORWARD_SAVED, "re");
	if (!f)
		return errno == ENOENT ? 0 : nc_err_errno(err, errno, "journal: %s", FORWARD_SAVED);
	int got = fscanf(f, "%7s %7s", v4, v6);
	fclose(f);
	int r;
	if (got == 2 && ((r = nc_sysctl_set(host, "net.ipv4.ip_forward", v4, err)) < 0 ||
			 (r = nc_sysctl_set(host, "net.ipv6.conf.all.forwarding", v6, err)) < 0))
		return nc_err_prefix(err, "forwarding: put back as before the first uplink");
	/* Left, the next first uplink would not save the values of then. */
	if (unlink(FORWARD_SAVED) < 0 && errno != ENOENT)
		return nc_err_errno(err, errno, "journal: remove %s", FORWARD_SAVED);
	return 0;
}

/* 1 when no uplink is recorded, 0 when some are, or -errno. */
static int none_left(struct nc_err *err)
{
	char **ids = NULL;
	size_t n = 0;
	int r = uplink_list(&ids, &n, err);
	if (r < 0)
		return r;
	nc_strv_free(ids);
	return n == 0;
}

int uplink_forwarding_release_if_unused(struct nc_err *err)
{
	/* Nothing saved, nothing to do: the common case (every sandbox's
	 * removal asks), without the lock. Saved, under it: an uplink add
	 * in between would find forwarding put back under it. */
	if (access(FORWARD_SAVED, F_OK) < 0)
		return 0;
	_cleanup_(journal_unlockp) int lock = 0;
	int r = journal_lock(&lock, err);
	if (r < 0 || (r = none_left(err)) <= 0)
		return r;
	_cleanup_(nc_ns_freep) struct nc_ns *host = NULL;
	if ((r = nc_ns_open(NULL, &host, err)) < 0)
		return r;
	return forwarding_restore(host, err);
}

/* ---- DNS --------------------------------------------------------------- */

/* A file that is not there names no server; one that cannot be read is
 * an error: an uplink without the host's servers would fail later, and
 * not say why. */
static int read_nameservers(const char *path, bool skip_loopback, struct nc_cidr *ret, size_t max,
			    size_t *n, struct nc_err *err)
{
	_cleanup_(fclosep) FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : nc_err_errno(err, errno, "read %s", path);
	char line[256];
	while (*n < max && fgets(line, sizeof(line), f)) {
		char addr[128];
		struct nc_cidr c;
		if (sscanf(line, " nameserver %127s", addr) != 1 || nc_ip_parse(addr, &c, NULL) < 0)
			continue;
		bool loop = (c.family == AF_INET && c.addr[0] == 127) ||
			    (c.family == AF_INET6 && !memcmp(c.addr, &in6addr_loopback, 16));
		if (skip_loopback && loop)
			continue;
		ret[(*n)++] = c;
	}
	return ferror(f) ? nc_err_errno(err, EIO, "read %s", path) : 0;
}

int uplink_host_dns(struct nc_cidr *ret, size_t max, size_t *ret_n, struct nc_err *err)
{
	size_t n = 0;
	int r = read_nameservers("/etc/resolv.conf", true, ret, max, &n, err);
	/* A stub on the host's loopback is out of reach from another netns;
	 * systemd-resolved lists the servers behind it here. */
	if (r == 0 && n == 0)
		r = read_nameservers("/run/systemd/resolve/resolv.conf", true, ret, max, &n, err);
	*ret_n = n;
	return r;
}

void uplink_resolv_conf(const struct uplink_opts *o, char *buf, size_t len)
{
	size_t off = (size_t)snprintf(buf, len, "# written by nsbox for an uplink\n");
	for (size_t i = 0; i < o->n_dns && off < len; i++) {
		char a[64];
		off += (size_t)snprintf(buf + off, len - off, "nameserver %s\n",
					nc_cidr_str(&o->dns[i], false, a, sizeof(a)));
	}
}

static int write_netns_resolv(const char *netns, const struct uplink_opts *o, bool *ret_wrote,
			      struct nc_err *err)
{
	char dir[300], path[320], text[512];
	*ret_wrote = false;
	if (!o->n_dns)
		return 0;
	snprintf(dir, sizeof(dir), "/etc/netns/%s", netns);
	snprintf(path, sizeof(path), "%s/resolv.conf", dir);
	/* One the user put there stays theirs. */
	if (access(path, F_OK) == 0)
		return 0;
	bool made_top = mkdir("/etc/netns", 0755) == 0;
	if (!made_top && errno != EEXIST)
		return nc_err_errno(err, errno, "mkdir /etc/netns");
	bool made_dir = mkdir(dir, 0755) == 0;
	int r = 0;
	if (!made_dir && errno != EEXIST) {
		r = nc_err_errno(err, errno, "mkdir %s", dir);
	} else {
		uplink_resolv_conf(o, text, sizeof(text));
		_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		size_t len = strlen(text);
		ssize_t n = fd < 0 ? -1 : write(fd, text, len);
		if (n != (ssize_t)len) {
			r = nc_err_errno(err, n < 0 ? errno : EIO, "write %s", path);
			if (fd >= 0)
				unlink(path);
		}
	}
	/* Only what this call made goes. */
	if (r < 0 && made_dir)
		rmdir(dir);
	if (r < 0 && made_top)
		rmdir("/etc/netns");
	*ret_wrote = r == 0;
	return r;
}

static int remove_netns_resolv(const char *netns, struct nc_err *err)
{
	char dir[300], path[320];
	snprintf(dir, sizeof(dir), "/etc/netns/%s", netns);
	snprintf(path, sizeof(path), "%s/resolv.conf", dir);
	if (unlink(path) < 0 && errno != ENOENT)
		return nc_err_errno(err, errno, "remove %s", path);
	/* Directories nsbox may have made; left alone if anything else is in. */
	if (rmdir(dir) < 0 && errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST)
		return nc_err_errno(err, errno, "remove %s", dir);
	if (rmdir("/etc/netns") < 0 && errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST)
		return nc_err_errno(err, errno, "remove /etc/netns");
	return 0;
}

/* ---- add / del --------------------------------------------------------- */

static bool overlaps(const struct nc_cidr *a, const struct nc_cidr *b)
{
	if (a->family != b->family)
		return false;
	return a->prefixlen <= b->prefixlen ? nc_cidr_contains(a, b) : nc_cidr_contains(b, a);
}

/* The first /30 of the pool that no route of the host and no other uplink
 * covers, and whose nsbu<SLOT> is free. */
static int allocate(struct nc_ns *host, const struct uplink_opts *o, struct uplink *u,
		    struct nc_err *err)
{
	struct nc_cidr pool;
	const char *env = getenv("NSBOX_UPLINK_POOL");
	if (o->has_subnet)
		pool = o->subnet;
	else if (nc_cidr_parse(env && *env ? env : UPLINK_POOL_DEFAULT, &pool, err) < 0)
		return nc_err_prefix(err, "NSBOX_UPLINK_POOL");
	if (o->has_subnet && (pool.family != AF_INET || pool.prefixlen != 30))
		return nc_err_set(err, EINVAL, "--subnet: an IPv4 /30 (outside .1, inside .2)");
	if (pool.family != AF_INET || pool.prefixlen > 30)
		return nc_err_set(err, EINVAL,
				  "NSBOX_UPLINK_POOL %s: an IPv4 prefix of /30 or shorter", env);
	_cleanup_free_ struct nc_cidr *routes = NULL;
	size_t n_routes = 0;
	int r = nc_route_dsts(host, AF_INET, &routes, &n_routes, err);
	if (r < 0)
		return r;
	char **ids = NULL;
	size_t n_ids = 0;
	if ((r = uplink_list(&ids, &n_ids, err)) < 0)
		return r;
	struct uplink *others = calloc(n_ids + 1, sizeof(*others));
	if (!others) {
		nc_strv_free(ids);
		return nc_err_errno(err, ENOMEM, "uplink");
	}
	for (size_t i = 0; i < n_ids; i++)
		uplink_read(ids[i], &others[i], NULL);
	nc_strv_free(ids);
	/* A host port goes to one place: the first DNAT rule would win and
	 * the second publish would silently do nothing. */
	for (size_t i = 0; i < n_ids; i++)
		for (size_t a = 0; a < others[i].opts.n_publish; a++)
			for (size_t b = 0; b < o->n_publish; b++) {
				const struct uplink_publish *x = &others[i].opts.publish[a];
				const struct uplink_publish *y = &o->publish[b];
				if (x->host_port != y->host_port || x->udp != y->udp ||
				    (x->has_addr && y->has_addr &&
				     !nc_cidr_equal(&x->addr, &y->addr)))
					continue;
				char rule[128];
				uplink_publish_str(y, rule, sizeof(rule));
				r = nc_err_set(
				    err, EADDRINUSE,
				    "--publish %s: the host port is published by uplink %s", rule,
				    others[i].id);
				free(others);
				return r;
			}

	uint32_t base = ntohl(*(uint32_t *)pool.addr) & ~((1U << (32 - pool.prefixlen)) - 1);
	uint32_t slots = 1U << (30 - pool.prefixlen);
	r = nc_err_set(err, ENOSPC,
		       "uplink: no free /30 left in %s (every one is used or overlaps a route "
		       "of the host; NSBOX_UPLINK_POOL sets another pool)",
		       o->has_subnet ? "--subnet"
		       : env && *env ? env
				     : UPLINK_POOL_DEFAULT);
	for (uint32_t s = 0; s < slots; s++) {
		struct nc_cidr net = {.family = AF_INET, .prefixlen = 30};
		uint32_t a = htonl(base + 4 * s);
		memcpy(net.addr, &a, 4);
		bool taken = false;
		for (size_t i = 0; i < n_routes && !taken; i++)
			taken = routes[i].prefixlen > 0 && overlaps(&routes[i], &net);
		unsigned slot = 0;
		for (size_t i = 0; i < n_ids && !taken; i++)
			taken = overlaps(&others[i].inside_addr, &net);
		/* The interface name counts slots across pools. */
		for (size_t i = 0; i < n_ids; i++)
			if (others[i].slot >= slot)
				slot = others[i].slot + 1;
		if (taken)
			continue;
		u->slot = slot;
		snprintf(u->host_if, sizeof(u->host_if), "nsbu%u", slot);
		u->host_addr = u->inside_addr = net;
		uint32_t h = htonl(base + 4 * s + 1), in = htonl(base + 4 * s + 2);
		memcpy(u->host_addr.addr, &h, 4);
		memcpy(u->inside_addr.addr, &in, 4);
		r = 0;
		break;
	}
	free(others);
	return r;
}

static int wire(struct nc_ns *host, struct nc_ns *inside, const struct uplink *u,
		struct nc_err *err)
{
	struct nc_link_opts lo = {.up = true};
	int r = nc_veth_add(host, u->host_if, inside, "uplink0", &lo, err);
	if (r == 0)
		r = nc_addr_add(host, u->host_if, &u->host_addr, err);
	if (r == 0)
		r = nc_addr_add(inside, "uplink0", &u->inside_addr, err);
	struct nc_route def = {.has_gw = true};
	def.dst.family = AF_INET;
	def.gw = u->host_addr;
	def.gw.prefixlen = 32;
	if (r == 0)
		r = nc_route_add(inside, &def, err);
	if (r == 0 && u->has_ipv6) {
		struct nc_route def6 = {.has_gw = true};
		def6.dst.family = AF_INET6;
		def6.gw = u->host_addr6;
		def6.gw.prefixlen = 128;
		r = nc_addr_add(host, u->host_if, &u->host_addr6, err);
		if (r == 0)
			r = nc_addr_add(inside, "uplink0", &u->inside_addr6, err);
		if (r == 0)
			r = nc_route_add(inside, &def6, err);
	}
	return r;
}

int uplink_add(const char *id, struct nc_ns *inside, const struct uplink_opts *o,
	       struct nc_nft_job *nft, struct uplink *ret_uplink, struct nc_err *err)
{
	struct uplink u = {.opts = *o};
	snprintf(u.id, sizeof(u.id), "%s", id);
	if (uplink_read(id, &(struct uplink){0}, NULL) == 0)
		return nc_err_set(err, EEXIST, "uplink %s: already exists", id);
	if (o->has_ipv6) {
		if (o->ipv6.family != AF_INET6 || o->ipv6.prefixlen > 126)
			return nc_err_set(err, EINVAL, "--ipv6: an IPv6 prefix of /126 or shorter");
		u.has_ipv6 = true;
		u.host_addr6 = u.inside_addr6 = o->ipv6;
		u.host_addr6.addr[15] |= 1;
		u.inside_addr6.addr[15] |= 2;
	}
	if (!o->n_dns && uplink_host_dns(u.opts.dns, 4, &u.opts.n_dns, err) < 0)
		return -EIO;

	/* The worker that will commit the rules starts first (if the caller
	 * did not), loading libnftables while the uplink is allocated and its
	 * veth made: the rules need nothing of the veth but its name. */
	_cleanup_(nc_nft_end) struct nc_nft_job own = NC_NFT_JOB_NONE;
	struct nc_nft_job *job;
	_cleanup_(nc_ns_freep) struct nc_ns *host = NULL;
	_cleanup_(journal_unlockp) int lock = 0;
	int r = nft_job(nft, &own, &job, err);
	if (r == 0)
		r = journal_lock(&lock, err);
	if (r == 0)
		r = nc_ns_open(NULL, &host, err);
	if (r == 0)
		r = allocate(host, o, &u, err);
	/* Recorded before anything is made: a crash leaves a record that
	 * uplink_del (and nsbox cleanup) can act on. */
	if (r < 0 || (r = write_record(&u, err)) < 0)
		return r;
	bool is_netns = !strncmp(id, "netns:", 6);
	if ((r = nft_sync_send(SYNC_APPEND, id, job, err)) == 0) {
		r = wire(host, inside, &u, err);
		if (r == 0)
			r = forwarding_on(host, u.has_ipv6, err);
		if (r == 0 && is_netns)
			r = write_netns_resolv(id + 6, &u.opts, &u.wrote_resolv, err);
		if (r == 0)
			r = write_record(&u, err);
		/* Waited for whatever happened, so that the rollback's
		 * rebuild comes after it; the first error is the one
		 * reported. */
		struct nc_err ignored;
		if (r < 0)
			nc_nft_finish(job, &ignored);
		else
			r = nft_sync_finish(SYNC_APPEND, job, err);
	}
	if (r < 0) {
		/* The lock is ours: undo without asking for it again. */
		if (u.wrote_resolv)
			remove_netns_resolv(id + 6, NULL);
		nc_link_del(host, u.host_if, NULL);
		char path[400];
		record_path(id, path, sizeof(path));
		unlink(path);
		if (none_left(NULL) == 1)
			forwarding_restore(host, NULL);
		nft_sync(SYNC_REBUILD, NULL, NULL);
		/* A failure, not a refusal (see uplink.h), whatever its errno
		 * (a full disk's ENOSPC is not a full address pool's). */
		return -EIO;
	}
	if (ret_uplink)
		*ret_uplink = u;
	return 0;
}

int uplink_del(const char *id, struct nc_nft_job *nft, struct nc_err *err)
{
	struct uplink u;
	int r = uplink_read(id, &u, err);
	if (r < 0)
		return r;
	/* The rules' worker starts first, loading libnftables while the veth
	 * goes (gone already when its netns went: the veth dies with either
	 * end). The veth before the rules: deleting the table unregisters
	 * its hooks with nf_tables' commit mutex held, which unregistering a
	 * device waits for (nf_tables_netdev_event). Neither waits for the
	 * kernel to free what it deleted (nc_link_del_unwaited, nc_nft_prepare).
	 * Either failed, the record stays, for `uplink del` or `cleanup` to
	 * retry (its rules come back with the next rebuild, or go with it). */
	_cleanup_(nc_nft_end) struct nc_nft_job own = NC_NFT_JOB_NONE;
	struct nc_nft_job *job;
	_cleanup_(nc_ns_freep) struct nc_ns *host = NULL;
	_cleanup_(journal_unlockp) int lock = 0;
	if ((r = nft_job(nft, &own, &job, err)) < 0 || (r = journal_lock(&lock, err)) < 0 ||
	    (r = nc_ns_open(NULL, &host, err)) < 0)
		return r;
	r = nc_link_del_unwaited(host, u.host_if, err);
	if (r < 0 && r != -ENODEV)
		return r;
	if ((r = nft_sync_send(SYNC_REMOVE, id, job, err)) == 0)
		r = nft_sync_finish(SYNC_REMOVE, job, err);
	/* The caller's worker, waiting all along, may have been killed
	 * meanwhile: once more with one of our own. */
	if (r < 0 && nft)
		r = nft_sync(SYNC_REMOVE, id, err);
	if (r < 0)
		return r;
	/* Before the record that says it is nsbox's: a retry finishes it. */
	if (u.wrote_resolv && !strncmp(id, "netns:", 6) &&
	    (r = remove_netns_resolv(id + 6, err)) < 0)
		return r;
	char path[400];
	record_path(id, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT)
		return nc_err_errno(err, errno, "journal: %s", path);
	if ((r = none_left(err)) < 0)
		return r;
	return r ? forwarding_restore(host, err) : 0;
}
