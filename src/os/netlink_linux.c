/*
 * netlink_linux.c: owns the rtnetlink socket (libmnl) and the requests vpnc
 * makes through it: link MTU/up, address and route add/delete, route lookup,
 * and the dumps used to check that something is (or is no longer) there.
 *
 * Every request is sent with NLM_F_ACK and waits for its answer, so a caller
 * knows the outcome of each change. Replies are parsed with libmnl's attribute
 * validation plus explicit payload length checks before any read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "os/os.h"

/* The carrier flag of ifi_flags: linux/if.h has it, but cannot be included with net/if.h (os.h). */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif
/* Receive buffer: large enough for any dump part the kernel sends. */
#define VPNC_NL_RXBUF 32768
/* A reply must arrive within this many seconds. */
#define VPNC_NL_TIMEOUT_S 5
/* Upper bound on receive calls for one request (a dump of a huge table). */
#define VPNC_NL_MAX_RECV 100000

struct vpnc_nl {
	struct mnl_socket *sock;
	unsigned portid;
	unsigned seq;
	uint8_t rx[VPNC_NL_RXBUF];
};

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

int vpnc_nl_open(struct vpnc_nl **out)
{
	struct vpnc_nl *nl;
	struct timeval tv = {.tv_sec = VPNC_NL_TIMEOUT_S};
	int ret;

	*out = NULL;
	nl = calloc(1, sizeof(*nl));
	if (nl == NULL)
		return -ENOMEM;
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (nl->sock == NULL) {
		ret = -errno;
		goto fail;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto fail;
	}
	(void)setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned)time(NULL);
	*out = nl;
	return 0;
fail:
	if (nl->sock != NULL)
		mnl_socket_close(nl->sock);
	free(nl);
	return ret;
}

void vpnc_nl_close(struct vpnc_nl *nl)
{
	if (nl == NULL)
		return;
	mnl_socket_close(nl->sock);
	free(nl);
}

/* Sends one request and runs cb on each reply until the ACK or NLMSG_DONE. */
static int nl_talk(struct vpnc_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	unsigned seq = ++nl->seq;

	nlh->nlmsg_seq = seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (int i = 0; i < VPNC_NL_MAX_RECV; i++) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->rx, sizeof(nl->rx));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		int r = mnl_cb_run(nl->rx, (size_t)n, seq, nl->portid, cb, data);
		if (r == MNL_CB_ERROR)
			return errno ? -errno : -EPROTO;
		if (r == MNL_CB_STOP)
			return 0;
	}
	return -ETIMEDOUT;
}

/* An RTM_NEWLINK request for ifindex in buf, its link header zeroed but for family and index. */
static struct nlmsghdr *link_msg(uint8_t *buf, int ifindex, struct ifinfomsg **ifi)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	*ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(**ifi));
	(*ifi)->ifi_family = AF_UNSPEC;
	(*ifi)->ifi_index = ifindex;
	return nlh;
}

int vpnc_nl_link_up(struct vpnc_nl *nl, int ifindex, int mtu, int txqlen)
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = link_msg(buf, ifindex, &ifi);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (mtu > 0)
		mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	if (txqlen > 0)
		mnl_attr_put_u32(nlh, IFLA_TXQLEN, (uint32_t)txqlen);
	return nl_talk(nl, nlh, NULL, NULL);
}

int vpnc_nl_link_set_lladdr(struct vpnc_nl *nl, int ifindex, const uint8_t mac[6])
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = link_msg(buf, ifindex, &ifi);

	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	return nl_talk(nl, nlh, NULL, NULL);
}

struct link_info {
	int mtu;
	unsigned flags; /* ifi_flags: IFF_UP, IFF_LOWER_UP (carrier), ... */
	bool found;
};

static int link_attr_cb(const struct nlattr *a, void *data)
{
	struct link_info *li = data;

	if (mnl_attr_get_type(a) == IFLA_MTU && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		li->mtu = (int)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_info *li = data;
	const struct ifinfomsg *ifi;

	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return MNL_CB_OK;
	ifi = mnl_nlmsg_get_payload(nlh);
	li->flags = ifi->ifi_flags;
	li->found = true;
	mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, li);
	return MNL_CB_OK;
}

static int link_info_get(struct vpnc_nl *nl, int ifindex, struct link_info *li)
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	int ret;

	memset(li, 0, sizeof(*li));
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ret = nl_talk(nl, nlh, link_cb, li);
	if (ret < 0)
		return ret;
	return li->found ? 0 : -ENODEV;
}

int vpnc_nl_link_get(struct vpnc_nl *nl, int ifindex, int *mtu, bool *up)
{
	struct link_info li;
	int ret = link_info_get(nl, ifindex, &li);

	if (ret < 0)
		return ret;
	*mtu = li.mtu;
	*up = (li.flags & IFF_UP) != 0;
	return 0;
}

int vpnc_nl_addr(struct vpnc_nl *nl, bool add, int ifindex, int family, const uint8_t *local,
                 int prefix, const uint8_t *peer)
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	size_t alen = addr_len(family);

	if (alen == 0 || prefix < 0 || (size_t)prefix > alen * 8 || ifindex <= 0)
		return -EINVAL;
	nlh->nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)ifindex;
	if (family == AF_INET6 && add) {
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	}
	mnl_attr_put(nlh, IFA_LOCAL, alen, local);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, peer != NULL ? peer : local);
	return nl_talk(nl, nlh, NULL, NULL);
}

int vpnc_nl_route(struct vpnc_nl *nl, bool add, int family, const uint8_t *dst, int prefix,
                  const uint8_t *gw, int ifindex, int metric)
{
	return vpnc_nl_route_onlink(nl, add, family, dst, prefix, gw, ifindex, metric, false);
}

int vpnc_nl_route_onlink(struct vpnc_nl *nl, bool add, int family, const uint8_t *dst, int prefix,
                         const uint8_t *gw, int ifindex, int metric, bool onlink)
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	size_t alen = addr_len(family);

	if (alen == 0 || prefix < 0 || (size_t)prefix > alen * 8 || (gw == NULL && ifindex <= 0))
		return -EINVAL;
	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = (uint8_t)prefix;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_type = RTN_UNICAST;
	if (onlink && gw != NULL && ifindex > 0)
		rtm->rtm_flags = RTNH_F_ONLINK;
	if (add) {
		rtm->rtm_protocol = RTPROT_BOOT;
		rtm->rtm_scope = (family == AF_INET && gw == NULL) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	} else {
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	}
	mnl_attr_put(nlh, RTA_DST, alen, dst);
	if (gw != NULL)
		mnl_attr_put(nlh, RTA_GATEWAY, alen, gw);
	if (ifindex > 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	if (metric >= 0)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, (uint32_t)metric);
	return nl_talk(nl, nlh, NULL, NULL);
}

/* The fields of one RTM_NEWROUTE message that vpnc compares. */
struct route_msg {
	int family;
	int dst_len;
	int type;
	uint32_t table;
	uint8_t dst[16];
	bool has_gw;
	uint8_t gw[16];
	int oif;
	bool has_src;
	uint8_t src[16];         /* RTA_PREFSRC: the source address the kernel picks */
	uint32_t priority;       /* RTA_PRIORITY (the metric), 0 when absent */
	unsigned flags;          /* rtm_flags (RTNH_F_LINKDOWN, RTNH_F_DEAD, ...) */
};

struct route_attr_ctx {
	struct route_msg *m;
	size_t alen;
};

/* Reads the first nexthop of RTA_MULTIPATH (gateway and interface). */
static void route_first_nexthop(const struct nlattr *a, struct route_msg *m, size_t alen)
{
	const struct rtnexthop *nh = mnl_attr_get_payload(a);
	size_t len = mnl_attr_get_payload_len(a);

	if (len < sizeof(*nh) || nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > len)
		return;
	m->oif = nh->rtnh_ifindex;
	size_t off = RTNH_ALIGN(sizeof(*nh));
	while (off + sizeof(struct nlattr) <= nh->rtnh_len) {
		const struct nlattr *na = (const struct nlattr *)((const uint8_t *)nh + off);
		if (na->nla_len < sizeof(*na) || off + na->nla_len > nh->rtnh_len)
			return;
		if ((na->nla_type & NLA_TYPE_MASK) == RTA_GATEWAY && na->nla_len - sizeof(*na) == alen) {
			memcpy(m->gw, (const uint8_t *)na + sizeof(*na), alen);
			m->has_gw = true;
		}
		off += NLA_ALIGN(na->nla_len);
	}
}

static int route_attr_cb(const struct nlattr *a, void *data)
{
	struct route_attr_ctx *c = data;
	uint16_t type = mnl_attr_get_type(a);
	size_t plen = mnl_attr_get_payload_len(a);

	switch (type) {
	case RTA_DST:
		if (plen == c->alen)
			memcpy(c->m->dst, mnl_attr_get_payload(a), c->alen);
		break;
	case RTA_GATEWAY:
		if (plen == c->alen) {
			memcpy(c->m->gw, mnl_attr_get_payload(a), c->alen);
			c->m->has_gw = true;
		}
		break;
	case RTA_PREFSRC:
		if (plen == c->alen) {
			memcpy(c->m->src, mnl_attr_get_payload(a), c->alen);
			c->m->has_src = true;
		}
		break;
	case RTA_OIF:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			c->m->oif = (int)mnl_attr_get_u32(a);
		break;
	case RTA_PRIORITY:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			c->m->priority = mnl_attr_get_u32(a);
		break;
	case RTA_TABLE:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			c->m->table = mnl_attr_get_u32(a);
		break;
	case RTA_MULTIPATH:
		route_first_nexthop(a, c->m, c->alen);
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

/* Parses one route message; returns false if it is not a usable route message. */
static bool route_parse(const struct nlmsghdr *nlh, struct route_msg *m)
{
	const struct rtmsg *rtm;
	struct route_attr_ctx c = {.m = m};

	memset(m, 0, sizeof(*m));
	if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return false;
	rtm = mnl_nlmsg_get_payload(nlh);
	c.alen = addr_len(rtm->rtm_family);
	if (c.alen == 0)
		return false;
	m->family = rtm->rtm_family;
	m->dst_len = rtm->rtm_dst_len;
	m->type = rtm->rtm_type;
	m->table = rtm->rtm_table;
	m->flags = rtm->rtm_flags;
	if (mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, &c) < 0)
		return false;
	return true;
}

struct lookup_ctx {
	struct vpnc_nl_path *out;
	bool found;
};

static int lookup_cb(const struct nlmsghdr *nlh, void *data)
{
	struct lookup_ctx *lc = data;
	struct route_msg m;

	if (!route_parse(nlh, &m))
		return MNL_CB_OK;
	lc->found = true;
	lc->out->local = m.type == RTN_LOCAL;
	lc->out->ifindex = m.oif;
	lc->out->has_gw = m.has_gw;
	if (m.has_gw)
		memcpy(lc->out->gw, m.gw, sizeof(m.gw));
	lc->out->no_carrier = (m.flags & RTNH_F_LINKDOWN) != 0;
	lc->out->has_src = m.has_src;
	if (m.has_src)
		memcpy(lc->out->src, m.src, sizeof(m.src));
	return MNL_CB_OK;
}

int vpnc_nl_route_lookup(struct vpnc_nl *nl, int family, const uint8_t *dst, struct vpnc_nl_path *out)
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	struct lookup_ctx lc = {.out = out};
	size_t alen = addr_len(family);
	int ret;

	memset(out, 0, sizeof(*out));
	if (alen == 0)
		return -EINVAL;
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = (uint8_t)(alen * 8);
	mnl_attr_put(nlh, RTA_DST, alen, dst);
	ret = nl_talk(nl, nlh, lookup_cb, &lc);
	if (ret < 0)
		return ret;
	if (!lc.found)
		return -ENETUNREACH;
	/*
	 * The answer's rtm_flags lack RTNH_F_LINKDOWN on a device without
	 * carrier (neither IPv4 nor IPv6 sets it in a lookup's answer; IPv4
	 * does when RTM_F_FIB_MATCH asks for the route itself), so the device
	 * says. IFF_LOWER_UP is the carrier itself; IFF_RUNNING (the
	 * operational state up, or unknown for devices that keep none) follows
	 * once the kernel's link watch has taken the carrier in and opened the
	 * device's queue: until then what is sent there is dropped. Without
	 * IFF_RUNNING, `ip link` shows NO-CARRIER (so does a dormant link, e.g.
	 * Wi-Fi before its authentication).
	 */
	struct link_info li;
	if (!out->no_carrier && !out->local && out->ifindex > 0 && link_info_get(nl, out->ifindex, &li) == 0)
		out->no_carrier = (li.flags & (IFF_LOWER_UP | IFF_RUNNING)) != (IFF_LOWER_UP | IFF_RUNNING);
	return 0;
}

/* Does prefix/len cover dst? */
static bool covers(const uint8_t *prefix, int len, const uint8_t *dst, size_t alen)
{
	size_t full = (size_t)len / 8;
	unsigned rest = (unsigned)len % 8;

	if (len < 0 || (size_t)len > alen * 8 || memcmp(prefix, dst, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (prefix[full] & mask) == (dst[full] & mask);
}

struct outside_ctx {
	int family;
	const uint8_t *dst;
	int exclude;
	const struct vpnc_nl_path *skip;
	bool found;
	int best_len;
	uint32_t best_prio;
	struct vpnc_nl_path *out;
};

static int outside_cb(const struct nlmsghdr *nlh, void *data)
{
	struct outside_ctx *c = data;
	struct route_msg m;
	size_t alen = addr_len(c->family);

	if (!route_parse(nlh, &m) || m.family != c->family || m.table != RT_TABLE_MAIN ||
	    m.type != RTN_UNICAST || m.oif <= 0 || m.oif == c->exclude ||
	    (m.flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN)) != 0 || !covers(m.dst, m.dst_len, c->dst, alen))
		return MNL_CB_OK;
	/* The host route being moved is not a way out of its own. */
	if (c->skip != NULL && (size_t)m.dst_len == alen * 8 && m.oif == c->skip->ifindex &&
	    m.has_gw == c->skip->has_gw && (!m.has_gw || memcmp(m.gw, c->skip->gw, alen) == 0))
		return MNL_CB_OK;
	if (c->found && (m.dst_len < c->best_len ||
	                 (m.dst_len == c->best_len && m.priority >= c->best_prio)))
		return MNL_CB_OK;
	c->found = true;
	c->best_len = m.dst_len;
	c->best_prio = m.priority;
	memset(c->out, 0, sizeof(*c->out));
	c->out->ifindex = m.oif;
	c->out->has_gw = m.has_gw;
	memcpy(c->out->gw, m.gw, sizeof(m.gw));
	return MNL_CB_OK;
}

/* Dumps every route of one family through cb: the walks below differ only in
 * what their callback keeps. */
static int nl_route_dump(struct vpnc_nl *nl, int family, mnl_cb_t cb, void *data)
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	if (addr_len(family) == 0)
		return -EINVAL;
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	return nl_talk(nl, nlh, cb, data);
}

int vpnc_nl_route_lookup_outside(struct vpnc_nl *nl, int family, const uint8_t *dst, int exclude_ifindex,
                                 const struct vpnc_nl_path *skip, struct vpnc_nl_path *out)
{
	struct outside_ctx c = {family, dst, exclude_ifindex, skip, false, 0, 0, out};
	int ret;

	memset(out, 0, sizeof(*out));
	ret = nl_route_dump(nl, family, outside_cb, &c);
	if (ret < 0)
		return ret;
	return c.found ? 0 : -ENETUNREACH;
}

struct route_find_ctx {
	int family;
	const uint8_t *dst;
	int prefix;
	const uint8_t *gw;
	int ifindex;
	bool found;
};

static int route_find_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_find_ctx *f = data;
	struct route_msg m;
	size_t alen = addr_len(f->family);

	if (!route_parse(nlh, &m) || m.family != f->family || m.table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	if (m.dst_len != f->prefix || memcmp(m.dst, f->dst, alen) != 0)
		return MNL_CB_OK;
	if (f->gw != NULL && (!m.has_gw || memcmp(m.gw, f->gw, alen) != 0))
		return MNL_CB_OK;
	if (f->ifindex > 0 && m.oif != f->ifindex)
		return MNL_CB_OK;
	f->found = true;
	return MNL_CB_OK;
}

int vpnc_nl_route_exists(struct vpnc_nl *nl, int family, const uint8_t *dst, int prefix,
                         const uint8_t *gw, int ifindex)
{
	struct route_find_ctx f = {family, dst, prefix, gw, ifindex, false};
	int ret;

	ret = nl_route_dump(nl, family, route_find_cb, &f);
	if (ret < 0)
		return ret;
	return f.found ? 1 : 0;
}

struct addr_find_ctx {
	int ifindex;
	int family;
	const uint8_t *local;
	int prefix;
	bool found;
	/* Per message: */
	bool has_local, has_addr;
	uint8_t a_local[16], a_addr[16];
};

static int addr_attr_cb(const struct nlattr *a, void *data)
{
	struct addr_find_ctx *f = data;
	size_t alen = addr_len(f->family);

	if (mnl_attr_get_payload_len(a) != alen)
		return MNL_CB_OK;
	if (mnl_attr_get_type(a) == IFA_LOCAL) {
		memcpy(f->a_local, mnl_attr_get_payload(a), alen);
		f->has_local = true;
	} else if (mnl_attr_get_type(a) == IFA_ADDRESS) {
		memcpy(f->a_addr, mnl_attr_get_payload(a), alen);
		f->has_addr = true;
	}
	return MNL_CB_OK;
}

static int addr_find_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_find_ctx *f = data;
	const struct ifaddrmsg *ifa;

	if (nlh->nlmsg_type != RTM_NEWADDR || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return MNL_CB_OK;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != f->family || (int)ifa->ifa_index != f->ifindex ||
	    ifa->ifa_prefixlen != f->prefix)
		return MNL_CB_OK;
	f->has_local = f->has_addr = false;
	if (mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, f) < 0)
		return MNL_CB_OK;
	const uint8_t *mine = f->has_local ? f->a_local : f->has_addr ? f->a_addr : NULL;
	if (mine != NULL && memcmp(mine, f->local, addr_len(f->family)) == 0)
		f->found = true;
	return MNL_CB_OK;
}

int vpnc_nl_addr_exists(struct vpnc_nl *nl, int ifindex, int family, const uint8_t *local, int prefix)
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	struct addr_find_ctx f = {.ifindex = ifindex, .family = family, .local = local, .prefix = prefix};
	int ret;

	if (addr_len(family) == 0)
		return -EINVAL;
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ret = nl_talk(nl, nlh, addr_find_cb, &f);
	if (ret < 0)
		return ret;
	return f.found ? 1 : 0;
}
