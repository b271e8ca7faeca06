/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libnetcfg: network configuration over libnl-route-3.
 *
 * Knows network namespaces, links, addresses, routes and sysctls; knows
 * nothing of sandboxes, labs or the command line. Every function returns 0
 * or a negative errno-style code and, on failure, fills a struct nc_err whose
 * message names the object and the cause. Nothing here prints or exits.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* IFNAMSIZ, without <net/if.h>, which clashes with the <linux/if.h> libnl
 * pulls in. */
#define NC_IFNAMSIZ 16

/* ---- errors (err.c) ---------------------------------------------------- */

struct nc_err {
	int code; /* positive errno value */
	char msg[320];
};

/* Fill err ("<formatted>") and return -code. */
int nc_err_set(struct nc_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Fill err ("<formatted>: <strerror-like cause of code>") and return -code. */
int nc_err_errno(struct nc_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* As nc_err_errno, for a negative libnl error code (NLE_*). */
int nc_err_nl(struct nc_err *err, int nlerr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Put "<formatted>: " before the message already in err; return -code. */
int nc_err_prefix(struct nc_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append to err's message (code unchanged), e.g. what a failed rollback
 * left; nothing when err is NULL. */
void nc_err_suffix(struct nc_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Short cause for an errno value, in the words iproute2 users know. */
const char *nc_strerror(int code);

/* ---- names, addresses and units (parse.c) ------------------------------ */

/* iproute2's netns name rules, plus what nsbox needs for its endpoint
 * grammar and its own "host" keyword (see nc_netns_name_valid). */
int nc_netns_name_valid(const char *name, struct nc_err *err);
/* The kernel's dev_valid_name(), plus no '%' (a template) and no '@'. */
int nc_ifname_valid(const char *name, struct nc_err *err);

struct nc_cidr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned prefixlen;
};

/* "ADDR/LEN" (IPv4 or IPv6). The prefix is required. */
int nc_cidr_parse(const char *s, struct nc_cidr *ret_cidr, struct nc_err *err);
/* "ADDR" with no prefix: prefixlen is the full length. */
int nc_ip_parse(const char *s, struct nc_cidr *ret_ip, struct nc_err *err);
/* "ADDR/LEN", or "ADDR" alone when with_prefix is false. */
const char *nc_cidr_str(const struct nc_cidr *c, bool with_prefix, char *buf, size_t len);
bool nc_cidr_equal(const struct nc_cidr *a, const struct nc_cidr *b);
/* True if ip lies within net's prefix (same family). */
bool nc_cidr_contains(const struct nc_cidr *net, const struct nc_cidr *ip);

/* MTU: 68..65535 (the IPv4 minimum up to the largest a veth takes). */
int nc_mtu_parse(const char *s, uint32_t *ret_mtu, struct nc_err *err);
/* tc's rate units: bit kbit mbit gbit tbit, bps kbps mbps gbps (bytes/s),
 * kibit mibit...; result in bits per second. */
int nc_rate_parse(const char *s, uint64_t *ret_bps, struct nc_err *err);
/* tc's time units: s, ms, us (or usec, msec, sec); result in microseconds. */
int nc_time_parse(const char *s, uint32_t *ret_us, struct nc_err *err);
/* "P%" or "P" with 0 <= P <= 100. */
int nc_percent_parse(const char *s, double *ret_pct, struct nc_err *err);
/* Unsigned decimal within [min, max]; what names the value in the error. */
int nc_uint_parse(const char *s, uint64_t min, uint64_t max, const char *what, uint64_t *ret,
		  struct nc_err *err);

/* ---- network namespaces (netns.c, nl.c) -------------------------------- */

#define NC_NETNS_DIR "/run/netns"

/* A handle on one network namespace: its fd and, opened on first use, an
 * rtnetlink socket living in it. name NULL means the netns of the caller. */
struct nc_ns;

int nc_ns_open(const char *name, struct nc_ns **ret_ns, struct nc_err *err);
/* The netns of process pid; label names it in messages (not a /run/netns
 * name). */
int nc_ns_open_pid(pid_t pid, const char *label, struct nc_ns **ret_ns, struct nc_err *err);
/* A handle on the netns fd refers to (an fd received from another process,
 * say); takes fd, whatever happens. name is the /run/netns name. */
int nc_ns_from_fd(int fd, const char *name, struct nc_ns **ret_ns, struct nc_err *err);
void nc_ns_free(struct nc_ns *ns);
/* For __attribute__((cleanup)). */
static inline void nc_ns_freep(struct nc_ns **ns)
{
	nc_ns_free(*ns);
}
/* "host" for the caller's own netns. */
const char *nc_ns_name(const struct nc_ns *ns);
int nc_ns_fd(const struct nc_ns *ns);
/* Processes whose netns is ns (by nsfs inode), from a scan of /proc.
 * Free *ret_pids with free(). */
int nc_ns_pids(const struct nc_ns *ns, int **ret_pids, size_t *ret_n, struct nc_err *err);
/* Run fn(arg) in ns: on a thread of its own, joined before this returns;
 * in place for the caller's own netns (nc_ns_open(NULL)). */
int nc_ns_call(struct nc_ns *ns, int (*fn)(void *arg, struct nc_err *err), void *arg,
	       struct nc_err *err);

enum {
	/* No IPv6 duplicate address detection on any interface of the new
	 * netns (net.ipv6.conf.{all,default}.accept_dad = 0): link-local
	 * addresses are usable at once, not after a second of DAD. */
	NC_NETNS_NODAD = 1 << 0,
	/* No IPv6 at all (net.ipv6.conf.{all,default}.disable_ipv6 = 1), for
	 * a netns that only switches frames: its devices then have no
	 * link-local address and send no MLD reports or router solicitations,
	 * which every bridge of a lab would flood to every port. */
	NC_NETNS_NOIPV6 = 1 << 1,
	/* No IGMP reports for link-local groups
	 * (net.ipv4.igmp_link_local_mcast_reports = 0), for the same: a
	 * bridge with multicast snooping joins 224.0.0.106 (RFC 4286's
	 * all-snoopers group) and, having no address, reports it from
	 * 0.0.0.0 four times, flooded through every bridge of a lab. */
	NC_NETNS_NOIGMP = 1 << 4,
	/* IPv6 on, but no link-local address on new interfaces
	 * (net.ipv6.conf.default.addr_gen_mode = none), for a netns that is
	 * to have no IPv6 address: its interfaces then send no MLD reports
	 * and router solicitations either. */
	NC_NETNS_NOLINKLOCAL = 1 << 2,
	/* New IPv4 neighbour entries from gratuitous ARP of the same subnet
	 * (net.ipv4.conf.all.arp_accept = 2; the kernel takes the larger of
	 * all and the interface's): one announcement per address
	 * (nc_neigh_announce) then spares every host of the segment a
	 * broadcast of its own to resolve it. */
	NC_NETNS_LEARN = 1 << 3,
};

/* Create /run/netns/NAME the way iproute2 does, with lo up. If ret_ns is
 * not NULL, it receives an open handle on the new namespace. */
int nc_netns_add(const char *name, unsigned flags, struct nc_ns **ret_ns, struct nc_err *err);
int nc_netns_del(const char *name, struct nc_err *err);
/* Make /run/netns exist as the shared mount point nc_netns_add makes of it,
 * so that a mount namespace copied from the caller's afterwards holds the
 * very mount that later namespaces are bound under. */
int nc_netns_dir_prepare(struct nc_err *err);
/* Bring lo up in the calling thread's netns (a fresh one has it down). */
int nc_lo_up(struct nc_err *err);
/* 0 if /run/netns/NAME is a mounted netns, -ENOENT if absent. */
int nc_netns_check(const char *name, struct nc_err *err);
/* Sorted names of everything in /run/netns; free with nc_strv_free. */
int nc_netns_list(char ***ret_names, size_t *ret_n, struct nc_err *err);
void nc_strv_free(char **v);

/* ---- neighbours (neigh.c) ---------------------------------------------- */

struct nc_announce {
	const char *netns; /* a /run/netns name */
	const char *ifname;
	const struct nc_cidr *addrs; /* only the IPv4 ones are announced */
	size_t n_addrs;
};
/* Announce each item's IPv4 addresses with gratuitous ARP (RFC 5227 2.3)
 * on its interface, if that has ARP; all of them, then the first error. */
int nc_neigh_announce(const struct nc_announce *a, size_t n, struct nc_err *err);
/* How often the kernel found its neighbour tables (ARP and ND) full: they
 * are the host's, every namespace's entries together, capped by
 * net.ipv{4,6}.neigh.default.gc_thresh3. */
int nc_neigh_table_fulls(uint64_t *ret_fulls, struct nc_err *err);

/* ---- links (link.c) ---------------------------------------------------- */

/* Shaping of an interface's egress (tc.c). */
struct nc_shaping {
	uint64_t rate_bps;  /* 0: no rate limit */
	uint32_t delay_us;  /* 0: none */
	uint32_t jitter_us; /* 0: none */
	double loss_pct;    /* 0: none */
};

struct nc_link_opts {
	uint32_t mtu; /* 0: kernel default */
	bool up;
	/* The interface indexes to ask for, of the link and (veth) its peer;
	 * 0: the kernel's choice. Whoever chose them need not look them up. */
	int ifindex, peer_ifindex;
	/* The bridge (its ifindex, in the same netns) to enslave the link and
	 * (veth) its peer to; 0: none. */
	int master, peer_master;
};

/* A veth pair: a_name in a, b_name in b (b may equal a). The peer is created
 * directly in b by the one RTM_NEWLINK. */
int nc_veth_add(struct nc_ns *a, const char *a_name, struct nc_ns *b, const char *b_name,
		const struct nc_link_opts *opts, struct nc_err *err);
int nc_bridge_add(struct nc_ns *ns, const char *name, const struct nc_link_opts *opts,
		  struct nc_err *err);
/* Deleting either end of a veth removes the pair. */
int nc_link_del(struct nc_ns *ns, const char *name, struct nc_err *err);
/* nc_link_del, returning once the link is gone from ns's links, without
 * waiting while the kernel frees it (a process of its own does). */
int nc_link_del_unwaited(struct nc_ns *ns, const char *name, struct nc_err *err);
/* Enslave name to bridge master, or release it when master is NULL. */
int nc_link_set_master(struct nc_ns *ns, const char *name, const char *master, struct nc_err *err);

struct nc_link_change {
	int ifindex;  /* the link's index when known (saves a look-up), or 0 */
	int up;	      /* -1 unchanged, 0 down, 1 up */
	uint32_t mtu; /* 0 unchanged */
	int master;   /* enslave to the bridge of that ifindex; 0 unchanged */
	bool set_mac;
	uint8_t mac[6];
};
int nc_link_set(struct nc_ns *ns, const char *name, const struct nc_link_change *chg,
		struct nc_err *err);

struct nc_link_info {
	char name[NC_IFNAMSIZ];
	int ifindex;
	char kind[16]; /* "veth", "bridge", ... or "" for a plain device */
	bool up;       /* IFF_UP */
	bool lower_up; /* carrier */
	char operstate[16];
	uint32_t mtu;
	char mac[18];
	char master[NC_IFNAMSIZ]; /* bridge it is enslaved to, or "" */
	int peer_ifindex;	  /* veth: the peer's ifindex in its netns; 0 otherwise */
	int32_t peer_netnsid;	  /* veth: netnsid of the peer's netns as seen here; -1 same */
	struct nc_cidr *addrs;
	size_t n_addrs;
	struct nc_shaping shaping; /* what nsbox's qdiscs (tbf, netem) impose */
};

/* 0 and *ret_exists set; a missing link is not an error here. */
int nc_link_exists(struct nc_ns *ns, const char *name, bool *ret_exists, struct nc_err *err);
/* The kind of an existing link ("bridge", "veth", "" ...). */
int nc_link_kind(struct nc_ns *ns, const char *name, char *buf, size_t len, struct nc_err *err);
/* Every link of ns with its addresses, by ifindex; free with nc_link_list_free. */
int nc_link_list(struct nc_ns *ns, struct nc_link_info **ret_links, size_t *ret_n,
		 struct nc_err *err);
void nc_link_list_free(struct nc_link_info *links, size_t n);

/* ---- addresses (addr.c) ------------------------------------------------ */

/* IPv6 addresses are added with IFA_F_NODAD so they are usable at once. */
int nc_addr_add(struct nc_ns *ns, const char *ifname, const struct nc_cidr *addr,
		struct nc_err *err);
/* The same on the interface whose index is known (ifname for messages). */
int nc_addr_add_at(struct nc_ns *ns, int ifindex, const char *ifname, const struct nc_cidr *addr,
		   struct nc_err *err);
int nc_addr_del(struct nc_ns *ns, const char *ifname, const struct nc_cidr *addr,
		struct nc_err *err);

/* ---- routes (route.c) -------------------------------------------------- */

struct nc_route {
	struct nc_cidr dst; /* prefixlen 0 for default */
	bool has_gw;
	struct nc_cidr gw;     /* full-length address */
	char dev[NC_IFNAMSIZ]; /* "" for none */
	bool has_metric;
	uint32_t metric;
};

int nc_route_add(struct nc_ns *ns, const struct nc_route *rt, struct nc_err *err);
int nc_route_del(struct nc_ns *ns, const struct nc_route *rt, struct nc_err *err);
/* Destinations of the routes of the main table of ns (family AF_INET or
 * AF_INET6; "default" as prefix length 0). Free *ret_dsts with free(). */
int nc_route_dsts(struct nc_ns *ns, int family, struct nc_cidr **ret_dsts, size_t *ret_n,
		  struct nc_err *err);
/* "DEST|default [via GW] [dev IF] [metric N]", the words iproute2 uses. */
int nc_route_parse(const char *const *words, size_t n, struct nc_route *ret_rt, struct nc_err *err);

/* ---- shaping (tc.c) ---------------------------------------------------- */

/* Replace the root qdisc of the interface: tbf for a rate alone; netem for
 * delay, jitter or loss, with tbf under it when there is a rate too. A
 * kernel without the qdisc gives EOPNOTSUPP naming its config option. */
int nc_shaping_set(struct nc_ns *ns, const char *ifname, const struct nc_shaping *s,
		   struct nc_err *err);
/* Back to the kernel's default root qdisc. */
int nc_shaping_clear(struct nc_ns *ns, const char *ifname, struct nc_err *err);

/* ---- nftables (nft.c) --------------------------------------------------- */

/* Run an nft script (nft(8) syntax) as one transaction, in the calling
 * thread's netns, through libnftables (loaded only there) in a worker
 * process; returns once the transaction is committed (or failed), while
 * the worker may still wait for the kernel to free what it deleted. */
int nc_nft_run(const char *script, struct nc_err *err);
/* The same in steps, for the caller to get on with other work while the
 * worker starts and loads libnftables, and while it runs a script:
 * prepare, then send a script and finish it (wait for its outcome), as
 * many times as there are scripts, and end. A worker that ran a script
 * outlives its job by a few RCU grace periods. */
struct nc_nft_job {
	int fd;
	pid_t middle; /* the worker's parent, to reap */
};
#define NC_NFT_JOB_NONE ((struct nc_nft_job){.fd = -1})
int nc_nft_prepare(struct nc_nft_job *ret_job, struct nc_err *err);
int nc_nft_send(struct nc_nft_job *job, const char *script, struct nc_err *err);
int nc_nft_finish(struct nc_nft_job *job, struct nc_err *err);
/* No-op on NC_NFT_JOB_NONE; for __attribute__((cleanup)) too. */
void nc_nft_end(struct nc_nft_job *job);

/* ---- sysctls (sysctl.c) ------------------------------------------------ */

/* key in dotted form ("net.ipv4.ip_forward"); written in ns's view of
 * /proc/sys/net, which the kernel picks by the netns of the opener. */
int nc_sysctl_set(struct nc_ns *ns, const char *key, const char *value, struct nc_err *err);
int nc_sysctl_get(struct nc_ns *ns, const char *key, char *buf, size_t len, struct nc_err *err);
/* IPv4 and IPv6 forwarding on or off. */
int nc_forwarding_set(struct nc_ns *ns, bool on, struct nc_err *err);
