// SPDX-License-Identifier: GPL-2.0-or-later
/* Neighbours: announcing interfaces' IPv4 addresses with gratuitous ARP,
 * so that the hosts on their segments which accept such announcements
 * (NC_NETNS_LEARN) hold an entry for them before they need one; and how
 * often the kernel's tables had no room for one. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "internal.h"

/* RFC 5227 2.3's ARP Announcement: a request whose sender and target
 * protocol addresses are both the address announced. A request rather
 * than a reply: every stack, Linux's arp_is_garp() included, takes it as
 * gratuitous. */
struct announcement {
	struct arphdr h;
	uint8_t sha[ETH_ALEN], sip[4], tha[ETH_ALEN], tip[4];
} __attribute__((packed));

static int send_announcements(void *arg, struct nc_err *err)
{
	const struct nc_announce *a = arg;
	/* Protocol 0: a socket that only sends, so nothing is queued on it. */
	_cleanup_close_ int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return nc_err_errno(err, errno, "link %s:%s: packet socket", a->netns, a->ifname);
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", a->ifname);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		return nc_err_errno(err, errno, "link %s:%s", a->netns, a->ifname);
	struct sockaddr_ll to = {.sll_family = AF_PACKET,
				 .sll_protocol = htons(ETH_P_ARP),
				 .sll_ifindex = ifr.ifr_ifindex,
				 .sll_halen = ETH_ALEN};
	memset(to.sll_addr, 0xff, ETH_ALEN);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return nc_err_errno(err, errno, "link %s:%s", a->netns, a->ifname);
	/* ARP is Ethernet's (veth, bridge); other links have no neighbours
	 * to tell. */
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		return 0;
	for (size_t k = 0; k < a->n_addrs; k++) {
		if (a->addrs[k].family != AF_INET)
			continue;
		struct announcement m = {.h = {.ar_hrd = htons(ARPHRD_ETHER),
					       .ar_pro = htons(ETH_P_IP),
					       .ar_hln = ETH_ALEN,
					       .ar_pln = 4,
					       .ar_op = htons(ARPOP_REQUEST)}};
		memcpy(m.sha, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
		memcpy(m.sip, a->addrs[k].addr, 4);
		memcpy(m.tip, a->addrs[k].addr, 4);
		if (sendto(fd, &m, sizeof(m), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			return nc_err_errno(err, errno, "link %s:%s: gratuitous ARP", a->netns,
					    a->ifname);
	}
	return 0;
}

static bool has_ipv4(const struct nc_announce *a)
{
	for (size_t k = 0; k < a->n_addrs; k++)
		if (a->addrs[k].family == AF_INET)
			return true;
	return false;
}

int nc_neigh_announce(const struct nc_announce *a, size_t n, struct nc_err *err)
{
	/* Many at once, each on a thread of its own: closing a packet socket
	 * waits for an RCU grace period (packet_release() calls
	 * synchronize_net(), 10-20 ms here), which threads waiting together
	 * wait for once, and one thread would wait for per socket. */
	enum { batch = 64 };
	struct {
		struct nc_ns *ns;
		struct nc_ns_job job;
		struct nc_err err;
		bool started;
	} jobs[batch];
	int first = 0;
	for (size_t b = 0; b < n; b += batch) {
		size_t m = n - b < batch ? n - b : batch;
		for (size_t j = 0; j < m; j++) {
			jobs[j].ns = NULL;
			jobs[j].started = false;
			if (!has_ipv4(&a[b + j]))
				continue;
			int r = nc_ns_open(a[b + j].netns, &jobs[j].ns, &jobs[j].err);
			if (r == 0)
				r = nc_in_netns_start(&jobs[j].job, nc_ns_fd(jobs[j].ns),
						      a[b + j].netns, send_announcements,
						      (void *)&a[b + j], &jobs[j].err);
			jobs[j].started = r == 0;
			if (r < 0 && !first)
				first = nc_err_set(err, jobs[j].err.code, "%s", jobs[j].err.msg);
		}
		for (size_t j = 0; j < m; j++) {
			if (jobs[j].started && nc_in_netns_join(&jobs[j].job) < 0 && !first)
				first = nc_err_set(err, jobs[j].err.code, "%s", jobs[j].err.msg);
			nc_ns_free(jobs[j].ns);
		}
	}
	return first;
}

static int add_fulls(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[NDTA_MAX + 1];
	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ndtmsg), tb, NDTA_MAX, NULL) < 0 ||
	    !tb[NDTA_NAME] || !tb[NDTA_STATS] ||
	    nla_len(tb[NDTA_STATS]) < (int)sizeof(struct ndt_stats))
		return NL_OK;
	const char *name = nla_get_string(tb[NDTA_NAME]);
	if (!strcmp(name, "arp_cache") || !strcmp(name, "ndisc_cache")) {
		struct ndt_stats st;
		memcpy(&st, nla_data(tb[NDTA_STATS]), sizeof(st));
		*(uint64_t *)arg += st.ndts_table_fulls;
	}
	return NL_OK;
}

int nc_neigh_table_fulls(uint64_t *ret_fulls, struct nc_err *err)
{
	/* RTM_GETNEIGHTBL answers in any netns with the tables' own figures
	 * (/proc/net/stat/arp_cache exists in the initial netns only). A
	 * socket of its own: the dump's messages go to add_fulls. */
	_cleanup_nl_sock_ struct nl_sock *sk = NULL;
	int r = nc_rtnl_connect(&sk, err);
	if (r < 0)
		return r;
	uint64_t sum = 0;
	struct ndtmsg req = {.ndtm_family = AF_UNSPEC};
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, add_fulls, &sum);
	if ((r = nl_send_simple(sk, RTM_GETNEIGHTBL, NLM_F_DUMP, &req, sizeof(req))) < 0 ||
	    (r = nl_recvmsgs_default(sk)) < 0)
		return nc_err_nl(err, r, "neighbour tables");
	*ret_fulls = sum;
	return 0;
}
