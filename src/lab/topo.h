/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A lab topology: nodes and the links between them, from a YAML file
 * (parse.c), a generator with Mininet's meaning (generate.c), or the
 * built-in demo. Validated completely (validate.c) before anything is made.
 * Knows nothing of how a lab is brought up. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netcfg.h"
#include "uplink/uplink.h"

enum node_kind {
	NODE_HOST,   /* a netns and a sandbox */
	NODE_ROUTER, /* a host with forwarding on */
	NODE_BRIDGE, /* a netns holding a Linux bridge "br0"; its interfaces are ports */
	NODE_NAT,    /* a router whose outside is an uplink: it masquerades what leaves */
};

/* Where something was written, for errors ("file:line:column: ..."). */
struct topo_pos {
	int line, col; /* 1-based; 0 when generated */
};

struct topo_kv {
	char *key, *value;
	struct topo_pos pos;
};

struct topo_route {
	char *text; /* as written: "default via 10.0.0.1", "10.9.0.0/16 via ... metric 5" */
	struct nc_route route;
	struct topo_pos pos;
};

struct topo_argv {
	char **argv; /* NULL-terminated */
	struct topo_pos pos;
};

struct topo_node {
	char *name;
	enum node_kind kind;
	char *hostname; /* NULL: the node's name */
	char *rootfs;	/* NULL: defaults.rootfs, else the host's */
	char **binds;	/* "SRC:DST[:ro]" */
	size_t n_binds;
	char **env; /* "K=V" */
	size_t n_env;
	struct topo_kv *sysctls;
	size_t n_sysctls;
	uint64_t caps; /* kept besides Docker's set (bit N: capability N) */
	struct topo_route *routes;
	size_t n_routes;
	char **cmd;		/* the node's service, NULL-terminated; NULL: none */
	struct topo_argv *exec; /* one-shot commands after wiring */
	size_t n_exec;
	bool uplink;			/* a way out through nsbox's netns (always for NODE_NAT) */
	struct uplink_opts uplink_opts; /* its publish and allow rules */
	struct topo_pos uplink_pos;
	struct topo_pos pos;
};

struct topo_end {
	size_t node; /* index into topo.nodes */
	char ifname[NC_IFNAMSIZ];
	struct nc_cidr addrs[16];
	size_t n_addrs;
	struct topo_pos pos;
};

struct topo_link {
	struct topo_end a, b;
	uint32_t mtu;	    /* 0: default */
	uint64_t rate_bps;  /* 0: unshaped */
	uint32_t delay_us;  /* 0: none */
	uint32_t jitter_us; /* 0: none */
	double loss_pct;    /* 0: none */
	struct topo_pos pos;
};

/* A pair of nodes that must NOT reach each other (firewall labs). */
struct topo_pair {
	size_t a, b;
	struct topo_pos pos;
};

struct topo {
	char *name; /* lab name: netns are named NAME-NODE */
	struct topo_pos name_pos;
	char *source; /* file path, "--topo linear:3" or "built-in demo", for errors */
	struct topo_node *nodes;
	size_t n_nodes;
	struct topo_link *links;
	size_t n_links;
	struct topo_pair *isolated;
	size_t n_isolated;
};

#define TOPO_NAME_MAX  32
#define TOPO_MAX_NODES 4096

/* Lab names: 1-32 bytes of [A-Za-z0-9_-], starting with a letter or digit;
 * node names the same. LAB-NODE must make a valid netns name. */
int topo_name_valid(const char *what, const char *name, struct nc_err *err);

/* Parse YAML (libfyaml). path names the file in errors; every error is
 * "PATH:LINE:COL: what is wrong". Unknown keys are errors. The result is
 * validated (topo_validate). */
int topo_parse_file(const char *path, struct topo **ret_topo, struct nc_err *err);
int topo_parse_string(const char *path, const char *yaml, size_t len, struct topo **ret_topo,
		      struct nc_err *err);

/* "single:N", "linear:N", "tree:D[,F]" as Mininet builds them (hosts hI on
 * switches sJ, interfaces hI-eth0 / sJ-ethK, addresses 10.0.0.I/8 counting
 * on past .255 as Mininet's ipBase does; tree's fanout defaults to 2 as in
 * Mininet). name: the lab name; NULL names it after the kind ("linear"). */
int topo_generate(const char *spec, const char *name, struct topo **ret_topo, struct nc_err *err);

/* The built-in demo lab "demo": two hosts on different subnets, a router
 * between them, a switch on one side, a service on one host. */
int topo_demo(struct topo **ret_topo, struct nc_err *err);

/* Cross-checks, each error naming file:line:column of the offending item:
 * unknown node in a link, an interface used twice on a node, a duplicate
 * address across the lab, address family mismatch across a link, names too
 * long for the netns (LAB-NODE) or interface they become, a route whose
 * gateway no interface of the node can reach, an address on a bridge port. */
int topo_validate(const struct topo *t, struct nc_err *err);

void topo_free(struct topo *t);
