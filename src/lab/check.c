// SPDX-License-Identifier: GPL-2.0-or-later
/* All-pairs reachability of a lab, from this one process: a raw ICMP (and
 * ICMPv6) socket opened inside each node's netns, every echo request sent
 * at once, the replies collected with poll. Raw sockets rather than
 * unprivileged "ping" sockets: those need net.ipv4.ping_group_range, which
 * a new netns leaves closed ("1 0"). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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
static const struct nc_cidr *first_addr(const struct topo *t, size_t i, int fam)
{
	for (size_t l = 0; l < t->n_links; l++) {
		const struct topo_end *ends[2] = {&t->links[l].a, &t->links[l].b};
		for (int e = 0; e < 2; e++) {
			if (ends[e]->node != i)
				continue;
			for (size_t k = 0; k < ends[e]->n_addrs; k++)
				if (ends[e]->addrs[k].family == fam)
					return &ends[e]->addrs[k];
		}
	}
	return NULL;
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

int lab_check(const struct topo *t, const char *lab, int timeout_ms, struct check_pair **ret_pairs,
	      size_t *ret_n, struct nc_err *err)
{
	size_t n = t->n_nodes;
	struct node_sock *socks = calloc(n ? n : 1, sizeof(*socks));
	struct check_pair *pairs = calloc(n * n * 2 + 1, sizeof(*pairs));
	size_t *index_of = malloc((n * n * 2 + 1) * sizeof(size_t));
	int r = 0;
	if (!socks || !pairs || !index_of) {
		r = nc_err_errno(err, ENOMEM, "lab %s: check", lab);
		goto out;
	}
	size_t n_pairs = 0;
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
				const struct nc_cidr *a = first_addr(t, i, fam);
				const struct nc_cidr *b = first_addr(t, j, fam);
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
		struct open_ctx oc = {.s = &socks[i],
				      .v4 = first_addr(t, i, AF_INET) != NULL,
				      .v6 = first_addr(t, i, AF_INET6) != NULL};
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
	/* A few rounds, each resending only what is still unanswered: the
	 * first packet to a neighbour may wait on ARP/ND while the queue for
	 * unresolved neighbours is full (neigh unres_qlen). */
	const int rounds = 3;
	for (int round = 0; round < rounds; round++) {
		for (size_t k = 0; k < n_pairs; k++)
			if (!pairs[k].reached)
				send_echo(socks[pairs[k].from].fd[pairs[k].family == AF_INET6],
					  pairs[k].family, &pairs[k].dst, id,
					  (uint16_t)pairs[k].to);
		struct timespec start, now;
		clock_gettime(CLOCK_MONOTONIC, &start);
		int budget = timeout_ms / rounds;
		for (;;) {
			size_t missing = 0, isolated_quiet = 0;
			for (size_t k = 0; k < n_pairs; k++) {
				missing += !pairs[k].reached && pairs[k].expected;
				isolated_quiet += !pairs[k].reached && !pairs[k].expected;
			}
			clock_gettime(CLOCK_MONOTONIC, &now);
			long spent = (now.tv_sec - start.tv_sec) * 1000 +
				     (now.tv_nsec - start.tv_nsec) / 1000000;
			/* Pairs that must stay silent get a fair chance to
			 * answer anyway before they count as isolated. */
			if (!missing && (!isolated_quiet || spent >= budget / 2))
				break;
			if (spent >= budget)
				break;
			if (poll(pfds, npfd, (int)(budget - spent)) <= 0)
				continue;
			for (size_t p = 0; p < npfd; p++)
				if (pfds[p].revents & POLLIN)
					drain(pfds[p].fd,
					      pfds[p].fd == socks[pfd_node[p]].fd[0] ? AF_INET
										     : AF_INET6,
					      id, pfd_node[p], t, pairs, n_pairs, index_of);
		}
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
