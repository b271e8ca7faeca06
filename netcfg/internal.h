/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between the files of libnetcfg; not installed. */
#pragma once

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include <dirent.h>
#include <pthread.h>
#include <linux/if.h>
#include <sys/types.h>

#include "cleanup.h"
#include "netcfg.h"

NC_DEFINE_CLEANUP(struct nl_sock *, nl_socket_free)
NC_DEFINE_CLEANUP(struct nl_addr *, nl_addr_put)
NC_DEFINE_CLEANUP(struct nl_cache *, nl_cache_free)
NC_DEFINE_CLEANUP(struct rtnl_link *, rtnl_link_put)
NC_DEFINE_CLEANUP(struct rtnl_addr *, rtnl_addr_put)
NC_DEFINE_CLEANUP(struct rtnl_route *, rtnl_route_put)
NC_DEFINE_CLEANUP(DIR *, closedir)

#define _cleanup_nl_sock_  _cleanup_(nl_socket_freep)
#define _cleanup_nl_addr_  _cleanup_(nl_addr_putp)
#define _cleanup_nl_cache_ _cleanup_(nl_cache_freep)
#define _cleanup_link_	   _cleanup_(rtnl_link_putp)
#define _cleanup_addr_	   _cleanup_(rtnl_addr_putp)
#define _cleanup_route_	   _cleanup_(rtnl_route_putp)

struct nc_ns {
	char *name; /* NULL: the caller's own netns */
	int fd;
	dev_t dev; /* identity of the netns: its nsfs inode */
	ino_t ino;
	struct nl_sock *sk; /* NETLINK_ROUTE, bound in this netns; lazily */
	int sysctl_dir;	    /* nc_sysctl_dir() of the caller's own netns; lazily */
};

/* The rtnetlink socket of ns, connected on first use. */
int nc_ns_sock(struct nc_ns *ns, struct nl_sock **ret_sk, struct nc_err *err);
/* The errno and extended-ack text of the kernel's last NLMSG_ERROR on this
 * thread since nc_nl_reset() (nc_ns_sock resets it); 0 if none. */
int nc_nl_last_error(const char **ret_msg);
void nc_nl_reset(void);
/* Run fn(arg) on a new thread that first enters the netns of fd (-1: a
 * new netns of its own) and ends there. */
int nc_in_netns(int fd, const char *name, int (*fn)(void *arg, struct nc_err *err), void *arg,
		struct nc_err *err);
/* nc_in_netns in two halves, for work that runs on several threads at
 * once: start returns when the thread runs (or could not be started, an
 * error), join when it has ended, with what fn returned. job, name, arg
 * and err must live until the join. */
struct nc_ns_job {
	pthread_t tid;
	int fd;
	const char *name;
	int (*fn)(void *arg, struct nc_err *err);
	void *arg;
	struct nc_err *err;
	int r;
};
int nc_in_netns_start(struct nc_ns_job *job, int fd, const char *name,
		      int (*fn)(void *arg, struct nc_err *err), void *arg, struct nc_err *err);
int nc_in_netns_join(struct nc_ns_job *job);
/* Fork a worker (worker.c): a grandchild nobody waits for, in the netns of
 * the fd netns (-1: the caller's), holding nothing of the caller's but
 * input (-1: /dev/null) as its stdin, report as its stderr, and /dev/null
 * as its stdout. 1 in the worker, which ends with _exit; 0 in the caller,
 * or a negative errno. The caller reaps *ret_middle, the child between
 * them, with nc_worker_reap: not at once, as the middle's fork and exit
 * need not hold it up. */
int nc_worker_fork(int input, int report, int netns, pid_t *ret_middle, struct nc_err *err);
/* 0 once middle is reaped, if the worker was forked. */
int nc_worker_reap(pid_t middle, struct nc_err *err);
/* An O_PATH fd on /proc/sys/net of the calling thread's netns (ns names
 * it in the error). */
int nc_sysctl_dir(const char *ns, struct nc_err *err);
/* A new connected NETLINK_ROUTE socket in the calling thread's netns. */
int nc_rtnl_connect(struct nl_sock **ret_sk, struct nc_err *err);
/* ifindex of name in ns, or -ENODEV with "link NS:NAME: no such device". */
int nc_ifindex(struct nc_ns *ns, const char *name, int *ret_ifindex, struct nc_err *err);
/* The shaping of ifindex as the qdiscs in the cache say (tc.c). */
void nc_shaping_from_cache(struct nl_cache *qdiscs, int ifindex, struct nc_shaping *ret);
/* libnl address <-> nc_cidr */
int nc_cidr_to_nl(const struct nc_cidr *c, struct nl_addr **ret_addr, struct nc_err *err);
void nc_cidr_from_nl(const struct nl_addr *a, struct nc_cidr *ret_cidr);
