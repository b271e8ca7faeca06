// SPDX-License-Identifier: GPL-2.0-or-later
/* All-pairs reachability of a lab, from this one process: a raw ICMP (and
 * ICMPv6) socket opened inside each node's netns, every echo request sent
 * at once, the replies collected with poll. Raw sockets rather than
 * unprivileged "ping" sockets: those need net.ipv4.ping_group_range, which
 * a new netns leaves closed ("1 0"). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cleanup.h"
#include "lab.h"

struct node_sock {
	int fd[2]; /* [0] IPv4, [1] IPv6; -1 when the node has no such address */
};

struct open_ctx {
	struct node_sock *s;
	bool v4, v6;
};

static int open_sockets(void *arg, struct nc_err *err)
{
	struct open_ctx *c = arg;
	/* Opened inside the node's netns, a socket stays bound to it after
	 * the thread switches back (sock_net is fixed at creation). */
	if (c->v4) {
		c->s->fd[0] =
		    socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
		if (c->s->fd[0] < 0)
			return nc_err_errno(err, errno, "raw ICMP socket");
	}
	if (c->v6) {
		c->s->fd[1] =
		    socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
		if (c->s->fd[1] < 0)
			return nc_err_errno(err, errno, "raw ICMPv6 socket");
		/* Only echo replies: not the neighbour discovery chatter. */
		struct icmp6_filter f;
		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		setsockopt(c->s->fd[1], IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	}
	return 0;
}

static uint16_t inet_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* The first address of family fam on node i, or NULL. */
/* Each node's first address of each family (ret[2 * node + (fam ==
 * AF_INET6)]), in one pass over the links: looking them up pair by pair
 * made a check of N nodes cost N^2 x links. NULL with ENOMEM. */
static const struct nc_cidr **first_addrs(const struct topo *t)
{
	const struct nc_cidr **fa = calloc(2 * t->n_nodes + 1, sizeof(*fa));
	if (!fa)
		return NULL;
	for (size_t l = 0; l < t->n_links; l++) {
		const struct topo_end *ends[2] = {&t->links[l].a, &t->links[l].b};
		for (int e = 0; e < 2; e++)
			for (size_t k = 0; k < ends[e]->n_addrs; k++) {
				const struct nc_cidr *c = &ends[e]->addrs[k];
				size_t slot = 2 * ends[e]->node + (c->family == AF_INET6);
				if (!fa[slot])
					fa[slot] = c;
			}
	}
	return fa;
}

/* Every node's gratuitous ARP for each IPv4 address of its interfaces:
 * its neighbours (NC_NETNS_LEARN) make their entry for it from that one
 * broadcast, where resolving it pair by pair would cost a broadcast per
 * pair, each flooded through every bridge between them: on linear:100,
 * 4950 broadcasts through up to 100 bridges made three quarters of the
 * check's time (bench/RESULTS.md). Only an optimisation: a node that
 * could not announce is resolved as before, and the pings alone decide
 * what is reachable. */
static void announce(const struct topo *t, const char *lab)
{
	struct nc_announce *a = calloc(2 * t->n_links + 1, sizeof(*a));
	char(*names)[NAME_MAX + 1] = calloc(t->n_nodes + 1, sizeof(*names));
	size_t n = 0;
	for (size_t i = 0; a && names && i < t->n_nodes; i++)
		lab_object_name(lab, t->nodes[i].name, names[i], sizeof(names[i]));
	for (size_t l = 0; a && names && l < t->n_links; l++) {
		const struct topo_end *ends[2] = {&t->links[l].a, &t->links[l].b};
		for (int e = 0; e < 2; e++)
			if (t->nodes[ends[e]->node].kind != NODE_BRIDGE)
				a[n++] = (struct nc_announce){.netns = names[ends[e]->node],
							      .ifname = ends[e]->ifname,
							      .addrs = ends[e]->addrs,
							      .n_addrs = ends[e]->n_addrs};
	}
	struct nc_err ignored;
	nc_neigh_announce(a, n, &ignored);
	free(a);
	free(names);
}

static bool isolated(const struct topo *t, size_t a, size_t b)
{
	for (size_t k = 0; k < t->n_isolated; k++)
		if ((t->isolated[k].a == a && t->isolated[k].b == b) ||
		    (t->isolated[k].a == b && t->isolated[k].b == a))
			return true;
	return false;
}

static int send_echo(int fd, int fam, const struct nc_cidr *dst, uint16_t id, uint16_t seq)
{
	uint8_t pkt[16] = {0};
	if (fam == AF_INET) {
		struct icmphdr *h = (struct icmphdr *)pkt;
		h->type = ICMP_ECHO;
		h->un.echo.id = htons(id);
		h->un.echo.sequence = htons(seq);
		h->checksum = inet_checksum(pkt, sizeof(pkt));
		struct sockaddr_in sa = {.sin_family = AF_INET};
		memcpy(&sa.sin_addr, dst->addr, 4);
		return sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0
			   ? -errno
			   : 0;
	}
	/* The kernel fills in the ICMPv6 checksum (RFC 3542 3.1). */
	struct icmp6_hdr *h = (struct icmp6_hdr *)pkt;
	h->icmp6_type = ICMP6_ECHO_REQUEST;
	h->icmp6_id = htons(id);
	h->icmp6_seq = htons(seq);
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6};
	memcpy(&sa.sin6_addr, dst->addr, 16);
	return sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
}

/* Read every reply waiting on fd; mark the pair of seq (the target index). */
static void drain(int fd, int fam, uint16_t id, size_t from, const struct topo *t,
		  struct check_pair *pairs, size_t n_pairs, size_t *index_of)
{
	uint8_t buf[1500];
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &sl);
		if (n <= 0)
			return;
		uint16_t rid, seq;
		if (fam == AF_INET) {
			/* A raw IPv4 socket hands over the IP header too. */
			size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
			if ((size_t)n < ihl + 8)
				continue;
			struct icmphdr *h = (struct icmphdr *)(buf + ihl);
			if (h->type != ICMP_ECHOREPLY)
				continue;
			rid = ntohs(h->un.echo.id);
			seq = ntohs(h->un.echo.sequence);
		} else {
			if (n < 8)
				continue;
			struct icmp6_hdr *h = (struct icmp6_hdr *)buf;
			if (h->icmp6_type != ICMP6_ECHO_REPLY)
				continue;
			rid = ntohs(h->icmp6_id);
			seq = ntohs(h->icmp6_seq);
		}
		if (rid != id || seq >= t->n_nodes)
			continue;
		size_t k = index_of[(from * t->n_nodes + seq) * 2 + (fam == AF_INET6)];
		if (k >= n_pairs)
			continue;
		/* The reply must come from the address asked. */
		const struct nc_cidr *want = &pairs[k].dst;
		const void *src = fam == AF_INET
				      ? (const void *)&((struct sockaddr_in *)&ss)->sin_addr
				      : (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr;
		if (!memcmp(src, want->addr, fam == AF_INET ? 4 : 16))
			pairs[k].reached = true;
	}
}

struct collector {
	struct pollfd *pfds;
	size_t npfd;
	const size_t *pfd_node;
	const struct node_sock *socks;
	const struct topo *t;
	struct check_pair *pairs;
	size_t n_pairs;
	size_t *index_of;
	uint16_t id;
};

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* Unanswered pairs in [from, to) that should answer. */
static size_t missing(const struct collector *c, size_t from, size_t to)
{
	size_t n = 0;
	for (size_t k = from; k < to; k++)
		n += !c->pairs[k].reached && c->pairs[k].expected;
	return n;
}

/* Take the replies that come within limit_ms; return at the first batch. */
static void collect(struct collector *c, long limit_ms)
{
	if (poll(c->pfds, c->npfd, (int)limit_ms) <= 0)
		return;
	for (size_t p = 0; p < c->npfd; p++)
		if (c->pfds[p].revents & POLLIN)
			drain(c->pfds[p].fd,
			      c->pfds[p].fd == c->socks[c->pfd_node[p]].fd[0] ? AF_INET : AF_INET6,
			      c->id, c->pfd_node[p], c->t, c->pairs, c->n_pairs, c->index_of);
}

/* nc_neigh_table_fulls, or 0 when it cannot be read: nothing to say then. */
static uint64_t neigh_table_fulls(void)
{
	uint64_t n = 0;
	nc_neigh_table_fulls(&n, NULL);
	return n;
}

int lab_check(const struct topo *t, const char *lab, int timeout_ms, struct check_pair **ret_pairs,
	      size_t *ret_n, bool *ret_full, struct nc_err *err)
{
	*ret_full = false;
	size_t n = t->n_nodes;
	struct node_sock *socks = calloc(n ? n : 1, sizeof(*socks));
	struct check_pair *pairs = calloc(n * n * 2 + 1, sizeof(*pairs));
	_cleanup_free_ const struct nc_cidr **fa = NULL;
	size_t *index_of = malloc((n * n * 2 + 1) * sizeof(size_t));
	int r = 0;
	if (!socks || !pairs || !index_of) {
		r = nc_err_errno(err, ENOMEM, "lab %s: check", lab);
		goto out;
	}
	size_t n_pairs = 0;
	if (!(fa = first_addrs(t))) {
		r = nc_err_errno(err, ENOMEM, "lab %s: check", lab);
		goto out;
	}
	for (size_t i = 0; i < n * n * 2; i++)
		index_of[i] = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		socks[i].fd[0] = socks[i].fd[1] = -1;
		if (t->nodes[i].kind == NODE_BRIDGE)
			continue;
		for (size_t j = 0; j < n; j++) {
			if (j == i || t->nodes[j].kind == NODE_BRIDGE)
				continue;
			for (int f = 0; f < 2; f++) {
				int fam = f ? AF_INET6 : AF_INET;
				const struct nc_cidr *a = fa[2 * i + f], *b = fa[2 * j + f];
				if (!a || !b)
					continue;
				index_of[(i * n + j) * 2 + (size_t)f] = n_pairs;
				pairs[n_pairs++] =
				    (struct check_pair){.from = i,
							.to = j,
							.family = fam,
							.dst = *b,
							.expected = !isolated(t, i, j)};
			}
		}
		struct open_ctx oc = {
		    .s = &socks[i], .v4 = fa[2 * i] != NULL, .v6 = fa[2 * i + 1] != NULL};
		char name[300];
		lab_object_name(lab, t->nodes[i].name, name, sizeof(name));
		_cleanup_(nc_ns_freep) struct nc_ns *ns = NULL;
		if ((r = nc_ns_open(name, &ns, err)) < 0 ||
		    (r = nc_ns_call(ns, open_sockets, &oc, err)) < 0) {
			nc_err_prefix(err, "lab %s: node %s", lab, t->nodes[i].name);
			goto out;
		}
	}

	uint16_t id = (uint16_t)getpid();
	struct pollfd *pfds = calloc(2 * n + 1, sizeof(*pfds));
	size_t *pfd_node = calloc(2 * n + 1, sizeof(size_t));
	if (!pfds || !pfd_node) {
		free(pfds);
		free(pfd_node);
		r = nc_err_errno(err, ENOMEM, "lab %s: check", lab);
		goto out;
	}
	size_t npfd = 0;
	for (size_t i = 0; i < n; i++)
		for (int f = 0; f < 2; f++)
			if (socks[i].fd[f] >= 0) {
				pfds[npfd] =
				    (struct pollfd){.fd = socks[i].fd[f], .events = POLLIN};
				pfd_node[npfd++] = i;
			}
	struct collector col = {.pfds = pfds,
				.npfd = npfd,
				.pfd_node = pfd_node,
				.socks = socks,
				.t = t,
				.pairs = pairs,
				.n_pairs = n_pairs,
				.index_of = index_of,
				.id = id};
	uint64_t fulls = neigh_table_fulls();
	announce(t, lab);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* At most `window` requests in flight, the next sent as each is
	 * answered: a burst of thousands, each to a neighbour still to be
	 * resolved, floods every bridge with ARP/ND broadcasts and overflows
	 * the per-CPU backlog (net.core.netdev_max_backlog), losing most.
	 * One unanswered for lost_ms is given up for this pass; passes repeat
	 * what is still unanswered until the time is up. */
	enum { window = 256 };
	const long lost_ms = 300;
	struct inflight {
		size_t pair;
		long sent_ms;
	} inf[window];
	for (int pass = 0; (pass < 5 || *ret_full) && elapsed_ms(&t0) < timeout_ms; pass++) {
		size_t cursor = 0, ninf = 0;
		while ((cursor < n_pairs || ninf) && elapsed_ms(&t0) < timeout_ms) {
			for (; ninf < window && cursor < n_pairs; cursor++) {
				const struct check_pair *q = &pairs[cursor];
				if (q->reached)
					continue;
				send_echo(socks[q->from].fd[q->family == AF_INET6], q->family,
					  &q->dst, id, (uint16_t)q->to);
				inf[ninf++] = (struct inflight){cursor, elapsed_ms(&t0)};
			}
			long wait = inf[0].sent_ms + lost_ms - elapsed_ms(&t0);
			collect(&col, wait > 1 ? wait : 1);
			/* Keep in flight what is neither answered nor given up. */
			size_t keep = 0;
			long now = elapsed_ms(&t0);
			for (size_t f = 0; f < ninf; f++)
				if (!pairs[inf[f].pair].reached && now - inf[f].sent_ms < lost_ms)
					inf[keep++] = inf[f];
			ninf = keep;
		}
		if (missing(&col, 0, n_pairs) == 0)
			break;
		/* The table full (of every namespace's entries, also those of
		 * namespaces the kernel is still tearing down): new entries
		 * push out ones over five seconds old, so passes go on while
		 * there is time, one a second. */
		if (!*ret_full)
			*ret_full = neigh_table_fulls() != fulls;
		if (*ret_full)
			collect(&col, 1000 - lost_ms);
	}
	free(pfds);
	free(pfd_node);
	*ret_pairs = pairs;
	*ret_n = n_pairs;
	pairs = NULL;
out:
	for (size_t i = 0; socks && i < n; i++)
		for (int f = 0; f < 2; f++)
			if (socks[i].fd[f] >= 0)
				close(socks[i].fd[f]);
	free(socks);
	free(pairs);
	free(index_of);
	return r;
}

size_t lab_check_neighbours(const struct topo *t)
{
	_cleanup_free_ const struct nc_cidr **fa = first_addrs(t);
	size_t n = 0;
	/* Without memory for the table, count as if everyone neighboured. */
	if (!fa)
		return t->n_nodes * t->n_nodes * 2;
	for (size_t i = 0; i < t->n_nodes; i++)
		for (int f = 0; f < 2; f++) {
			const struct nc_cidr *a = fa[2 * i + f];
			if (!a || t->nodes[i].kind == NODE_BRIDGE)
				continue;
			for (size_t j = 0; j < t->n_nodes; j++) {
				const struct nc_cidr *b = fa[2 * j + f];
				n += j != i && b && t->nodes[j].kind != NODE_BRIDGE &&
				     nc_cidr_contains(a, b);
			}
		}
	return n;
}

int lab_neigh_table_size(int family)
{
	/* Only the initial netns has these files: the table is the host's. */
	char buf[32] = {0};
	FILE *f = fopen(family == AF_INET ? "/proc/sys/net/ipv4/neigh/default/gc_thresh3"
					  : "/proc/sys/net/ipv6/neigh/default/gc_thresh3",
			"re");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	return buf[0] ? atoi(buf) : 1024;
}
