/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Uplinks: a namespace's way out through the netns nsbox runs in. A veth
 * pair (host end nsbu<SLOT>, inside end uplink0) on a /30 from a pool that
 * avoids the host's routes, a default route inside, forwarding on outside,
 * and nsbox's one nftables table (inet nsbox) with masquerade, published
 * ports and allow-lists, rebuilt from the journal (/run/nsbox/uplink) on
 * every change, so that teardown is one delete. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netcfg.h"

#define UPLINK_STATE_DIR    "/run/nsbox/uplink"
#define UPLINK_POOL_DEFAULT "10.213.0.0/16"
#define UPLINK_MAX_RULES    16

/* [HOSTADDR:]HOSTPORT:PORT[/tcp|/udp] */
struct uplink_publish {
	bool has_addr;
	struct nc_cidr addr;
	uint16_t host_port, port;
	bool udp;
};

/* CIDR[:PORT[/tcp|/udp]] */
struct uplink_allow {
	struct nc_cidr net;
	uint16_t port; /* 0: any */
	bool udp;
};

struct uplink_opts {
	bool has_subnet;
	struct nc_cidr subnet; /* a /30 (or shorter) to use instead of the pool */
	bool has_ipv6;
	struct nc_cidr ipv6; /* the link's IPv6 prefix (/64 to /126) */
	struct nc_cidr dns[4];
	size_t n_dns;
	struct uplink_publish publish[UPLINK_MAX_RULES];
	size_t n_publish;
	struct uplink_allow allow[UPLINK_MAX_RULES];
	size_t n_allow;
};

/* The parsers, for the command line and topology files. */
int uplink_publish_parse(const char *s, struct uplink_publish *ret, struct nc_err *err);
int uplink_allow_parse(const char *s, struct uplink_allow *ret, struct nc_err *err);

/* As the parsers read them. */
void uplink_publish_str(const struct uplink_publish *p, char *buf, size_t len);
void uplink_allow_str(const struct uplink_allow *a, char *buf, size_t len);

/* An uplink as recorded. id: "netns:NAME" or "sandbox:NAME". */
struct uplink {
	char id[300];
	char host_if[NC_IFNAMSIZ];
	unsigned slot;
	struct nc_cidr host_addr, inside_addr; /* prefix = the link's */
	bool has_ipv6;
	struct nc_cidr host_addr6, inside_addr6;
	struct uplink_opts opts; /* dns as resolved */
	bool wrote_resolv;	 /* /etc/netns/NAME/resolv.conf is nsbox's */
};

/* Connect inside (the netns of id) to nsbox's netns. Validates all first:
 * a refusal returns -EEXIST (id has one already), -EINVAL, -EADDRINUSE or
 * -ENOSPC (no free subnet) with nothing made; a failure after that removes
 * what it made and returns -EIO, whatever the cause in err. nft: the
 * worker for the rules, which the caller ends (nc_nft_end): one it started
 * early (nc_nft_prepare) so that libnftables loads while it works on, or
 * NC_NFT_JOB_NONE, started here and kept there for the caller's next
 * uplink; NULL for one of uplink_add's own. */
int uplink_add(const char *id, struct nc_ns *inside, const struct uplink_opts *o,
	       struct nc_nft_job *nft, struct uplink *ret_uplink, struct nc_err *err);
/* Remove the uplink of id: veth, rules, record, resolv.conf it wrote;
 * forwarding back to what it was when the last goes. -ENOENT if none.
 * nft as for uplink_add. */
int uplink_del(const char *id, struct nc_nft_job *nft, struct nc_err *err);
/* With no uplink left, forwarding back to what it was before the first
 * (after an uplink del that could not put it back). */
int uplink_forwarding_release_if_unused(struct nc_err *err);
int uplink_read(const char *id, struct uplink *ret, struct nc_err *err);
/* Whether id has a record: access(2) alone, nothing read. */
bool uplink_exists(const char *id);
/* Ids of every uplink; free with nc_strv_free. */
int uplink_list(char ***ret_ids, size_t *ret_n, struct nc_err *err);

/* The name servers a namespace behind an uplink should use: from the
 * host's resolv.conf, or the upstreams of a local stub resolver (such as
 * systemd-resolved's 127.0.0.53, unreachable from another netns). */
int uplink_host_dns(struct nc_cidr *ret, size_t max, size_t *ret_n, struct nc_err *err);
/* resolv.conf text for o's servers. */
void uplink_resolv_conf(const struct uplink_opts *o, char *buf, size_t len);
