/*
 * netcfg.c: owns applying a validated push to the TUN (MTU, link up,
 * addresses, routes, redirect-gateway) and undoing exactly what was added.
 *
 * Every change that the kernel accepted is recorded as a struct
 * vpnc_netcfg_item; unapply deletes those, newest first, and nothing else.
 * Something that already existed (EEXIST) was not added by vpnc and is
 * therefore never removed by it.
 *
 * Choices, following OpenVPN 2.6 on Linux:
 *  - IPv4 routes go through route-gateway, else (net30/p2p) the ifconfig
 *    peer; if the kernel finds that gateway unreachable the route is added
 *    on-link through the TUN, which is equivalent on a point-to-point device.
 *  - IPv6 routes are on-link through the TUN. On a TAP (opts->tap) they go
 *    through a next hop, as 2.6's add_route_ipv6(): the route's own gateway,
 *    else route-ipv6-gateway, else the ifconfig-ipv6 remote; a route with
 *    none is skipped (counted as failed), one with metric 0 stays on-link.
 *    IPv4 routes without a gateway are skipped on a TAP too, and a gateway
 *    the kernel finds unreachable is not turned into an on-link route.
 *  - route-gateway dhcp on a TAP: IPv4 routes (and redirect-gateway) that
 *    need the VPN gateway wait, counted in n_waiting, not n_failed, until
 *    vpnc_netcfg_add_gateway() brings the router of the DHCP ACK.
 *  - On a TAP, ifconfig's second word is a netmask whatever the topology,
 *    and 'lladdr' sets the device's MAC address before anything else.
 *  - redirect-gateway adds 0.0.0.0/1 + 128.0.0.0/1 (with or without def1:
 *    vpnc never deletes the existing default route), and with "ipv6" the
 *    blocks ::/3, 2000::/4, 3000::/4, fc00::/7. A pushed 0.0.0.0/0 route is
 *    split into the same two halves.
 *  - Routes with gateway net_gateway / net_gateway_ipv6 go through the path
 *    the kernel used for their destination before vpnc changed anything
 *    (they are added first, right after the server's path is looked up).
 *  - Whenever a route about to be added covers the VPN server's address
 *    (and redirect-gateway has no "local" flag, nor "autolocal" with the
 *    server on a directly connected subnet), a host route to the server
 *    through the path it had before any change is added first.
 *  - redirect-gateway block-local (IPv4, as OpenVPN does on Linux): when the
 *    server is reached through a gateway, the subnet of the address that
 *    gateway sits on is routed into the tunnel as two halves, and the
 *    gateway itself keeps an on-link host route. bypass-dhcp and bypass-dns
 *    only act on Windows in OpenVPN; they change nothing here.
 *  - route keywords: remote_host (the server), vpn_gateway, net_gateway (the
 *    gateway the server is reached through) in the network position;
 *    pushed route-metric, else the configured one, is the metric of routes
 *    that have none (not of the def1 halves, as in OpenVPN). A metric of 0
 *    means none. route-ipv6 ::/0 is split into ::/1 and 8000::/1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <openssl/evp.h>
#include <sys/socket.h>

#include "core/ip4.h"
#include "os/os.h"
#include "vpnc/buf.h"
#include "vpnc/defaults.h"

/* The TUN's transmit queue: longer than the default 500 so bursts are not dropped. */
#define VPNC_NETCFG_TXQLEN 1000
#define VPNC_NETCFG_DEFAULT_MTU VPNC_DEFAULT_TUN_MTU
#define VPNC_NETCFG_MIN_MTU 576
#define VPNC_NETCFG_MAX_MTU 65535

/* The blocks OpenVPN routes into the tunnel for "redirect-gateway ipv6". */
static const struct {
	uint8_t first;
	uint8_t bits;
} redirect6_blocks[] = {
	{0x00, 3},  /* ::/3 */
	{0x20, 4},  /* 2000::/4 */
	{0x30, 4},  /* 3000::/4 */
	{0xfc, 7},  /* fc00::/7 */
};

/* Per-apply working state. */
struct apply_ctx {
	struct vpnc_netcfg *nc;
	struct vpnc_nl *nl;
	const struct vpnc_tun *tun;
	const struct vpnc_push *push;
	const struct vpnc_netcfg_opts *opts;
	bool no_host_route;          /* redirect-gateway local */
	bool path_known[2];          /* [0] IPv4, [1] IPv6: server path looked up */
	struct vpnc_nl_path path[2];
	bool host_route_done[2];
};

void vpnc_netcfg_init(struct vpnc_netcfg *nc)
{
	memset(nc, 0, sizeof(*nc));
}

static size_t fam_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* True if addr lies inside net/prefix. */
static bool prefix_covers(const uint8_t *net, int prefix, const uint8_t *addr)
{
	int full = prefix / 8, rest = prefix % 8;

	if (memcmp(net, addr, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t m = (uint8_t)(0xff << (8 - rest));
	return (net[full] & m) == (addr[full] & m);
}

static bool item_same(const struct vpnc_netcfg_item *a, const struct vpnc_netcfg_item *b)
{
	size_t alen = fam_len(a->family);

	return a->kind == b->kind && a->family == b->family && a->prefix == b->prefix &&
	       memcmp(a->addr, b->addr, alen) == 0;
}

/* Makes one change and records it; -EEXIST and refusals are counted, not recorded. */
static int apply_item(struct apply_ctx *c, struct vpnc_netcfg_item *it)
{
	struct vpnc_netcfg *nc = c->nc;
	int ret;

	for (size_t i = 0; i < nc->n; i++) {
		if (item_same(&nc->items[i], it))
			return 0;
	}
	if (nc->n >= VPNC_NETCFG_MAX_ITEMS) {
		nc->n_failed++;
		return -ENOSPC;
	}
	if (it->kind == VPNC_NETCFG_ADDR) {
		ret = vpnc_nl_addr(c->nl, true, it->ifindex, it->family, it->addr, it->prefix,
		                   it->has_peer ? it->peer : NULL);
	} else {
		ret = vpnc_nl_route(c->nl, true, it->family, it->addr, it->prefix,
		                    it->has_gw ? it->gw : NULL, it->ifindex, it->metric);
		/*
		 * route-gateway dhcp: the gateway comes from the ACK on its way to
		 * the device's DHCP client, which puts the address of its subnet on
		 * the TAP only afterwards; the route is made on-link to the TAP
		 * rather than lost to that race (the kernel resolves the gateway by
		 * ARP on the TAP either way).
		 */
		if (ret == -ENETUNREACH && it->has_gw && it->ifindex == c->tun->ifindex && c->opts->tap &&
		    c->push->route_gateway_dhcp && it->family == AF_INET)
			ret = vpnc_nl_route_onlink(c->nl, true, it->family, it->addr, it->prefix, it->gw,
			                           it->ifindex, it->metric, true);
		/* On a TAP the gateway is a neighbour to resolve, not the far end of a point-to-point link. */
		if (ret == -ENETUNREACH && it->has_gw && it->ifindex == c->tun->ifindex && !c->opts->tap) {
			it->has_gw = false;
			ret = vpnc_nl_route(c->nl, true, it->family, it->addr, it->prefix, NULL,
			                    it->ifindex, it->metric);
		}
	}
	if (ret < 0) {
		nc->n_failed++;
		return ret;
	}
	nc->items[nc->n++] = *it;
	return 0;
}

/* Adds the host route to the server through its original path, once per family. */
static void ensure_host_route(struct apply_ctx *c, int family)
{
	const struct vpnc_netcfg_opts *o = c->opts;
	int k = family == AF_INET ? 0 : 1;
	struct vpnc_netcfg_item it;

	if (c->no_host_route || o->server_family != family || !c->path_known[k] ||
	    c->host_route_done[k])
		return;
	c->host_route_done[k] = true;
	const struct vpnc_nl_path *p = &c->path[k];
	if (p->local || p->ifindex <= 0 || p->ifindex == c->tun->ifindex)
		return;
	/* autolocal: a server on a directly connected subnet needs no host route. */
	if ((c->push->redirect_gateway & VPNC_RG_AUTO_LOCAL) && !p->has_gw)
		return;
	memset(&it, 0, sizeof(it));
	it.kind = VPNC_NETCFG_ROUTE;
	it.family = (uint8_t)family;
	it.prefix = (uint8_t)(fam_len(family) * 8);
	memcpy(it.addr, o->server, fam_len(family));
	it.has_gw = p->has_gw;
	memcpy(it.gw, p->gw, sizeof(it.gw));
	it.ifindex = p->ifindex;
	it.metric = -1;
	(void)apply_item(c, &it);
}

/* Adds one route through the TUN (with gateway gw when not NULL). */
static void add_route(struct apply_ctx *c, int family, const uint8_t *dst, int prefix,
                      const uint8_t *gw, int metric)
{
	struct vpnc_netcfg_item it;
	size_t alen = fam_len(family);

	if (c->opts->server_family == family && prefix_covers(dst, prefix, c->opts->server))
		ensure_host_route(c, family);
	memset(&it, 0, sizeof(it));
	it.kind = VPNC_NETCFG_ROUTE;
	it.family = (uint8_t)family;
	it.prefix = (uint8_t)prefix;
	memcpy(it.addr, dst, alen);
	if (gw != NULL) {
		it.has_gw = true;
		memcpy(it.gw, gw, alen);
	}
	it.ifindex = c->tun->ifindex;
	it.metric = metric;
	(void)apply_item(c, &it);
}

static void apply_addresses(struct apply_ctx *c)
{
	const struct vpnc_push *p = c->push;
	struct vpnc_netcfg_item it;

	if (p->has_ifconfig) {
		memset(&it, 0, sizeof(it));
		it.kind = VPNC_NETCFG_ADDR;
		it.family = AF_INET;
		it.ifindex = c->tun->ifindex;
		it.metric = -1;
		vpnc_put_u32(it.addr, p->ifconfig_local);
		if (p->topology == VPNC_TOPO_SUBNET || c->opts->tap) {
			int prefix = vpnc_ip4_mask_prefix(p->ifconfig_mask_or_peer);
			if (prefix < 0) {
				c->nc->n_failed++;
				goto v6;
			}
			it.prefix = (uint8_t)prefix;
		} else {
			it.prefix = 32;
			it.has_peer = true;
			vpnc_put_u32(it.peer, p->ifconfig_mask_or_peer);
		}
		(void)apply_item(c, &it);
	}
v6:
	if (p->has_ifconfig6) {
		memset(&it, 0, sizeof(it));
		it.kind = VPNC_NETCFG_ADDR;
		it.family = AF_INET6;
		it.ifindex = c->tun->ifindex;
		it.metric = -1;
		it.prefix = p->ifconfig6_bits;
		memcpy(it.addr, p->ifconfig6_local, 16);
		(void)apply_item(c, &it);
	}
}

/* The metric of a pushed route: its own, else route-metric (pushed, else configured); 0 means none. */
static int route_metric(const struct apply_ctx *c, int metric)
{
	int def = c->push->route_metric >= 0 ? c->push->route_metric : c->opts->route_metric;

	if (metric < 0)
		metric = def;
	return metric > 0 ? metric : -1;
}

/*
 * Adds an IPv6 route through the device: on-link on a TUN; on a TAP through
 * gw (the route's own, all zero for none), else the VPN's IPv6 gateway.
 */
static void add_route6(struct apply_ctx *c, const uint8_t *dst, int bits, const uint8_t *gw, int metric_cfg)
{
	static const uint8_t zero[16];
	const uint8_t *hop = NULL;

	if (c->opts->tap && metric_cfg != 0) {
		hop = gw != NULL && memcmp(gw, zero, 16) != 0 ? gw : vpnc_push_vpn_gateway6(c->push);
		if (hop == NULL) {
			c->nc->n_failed++; /* 2.6: "needs a gateway parameter", the route is not installed */
			return;
		}
	}
	add_route(c, AF_INET6, dst, bits, hop, route_metric(c, metric_cfg));
}

/* route-gateway dhcp on a TAP with no gateway yet: what needs one waits for the DHCP ACK. */
static bool waits_for_dhcp(const struct apply_ctx *c)
{
	return c->opts->tap && c->push->route_gateway_dhcp && vpnc_push_vpn_gateway4(c->push) == 0;
}

/* The network of an IPv4 route, with the keywords resolved; false if a keyword has no value here. */
static bool route_net4(const struct apply_ctx *c, const struct vpnc_route4 *r, uint32_t *net)
{
	uint32_t a = r->net, vgw;

	switch (r->net_kind) {
	case VPNC_RT_NET_ADDR:
		break;
	case VPNC_RT_NET_REMOTE_HOST:
		if (c->opts->server_family != AF_INET)
			return false;
		a = vpnc_get_u32(c->opts->server);
		break;
	case VPNC_RT_NET_VPN_GATEWAY:
		vgw = vpnc_push_vpn_gateway4(c->push);
		if (vgw == 0)
			return false;
		a = vgw;
		break;
	case VPNC_RT_NET_NET_GATEWAY:
		if (!c->path_known[0] || !c->path[0].has_gw)
			return false;
		a = vpnc_get_u32(c->path[0].gw);
		break;
	default:
		return false;
	}
	*net = a & r->mask;
	return true;
}

static void add_route4(struct apply_ctx *c, uint32_t net, int prefix, uint32_t gw, bool has_gw,
                       int metric)
{
	uint8_t dst[4], g[4];

	/* 2.6 installs no IPv4 route without a gateway ("needs a gateway parameter"); on a TAP an
	 * on-link route would make the kernel ARP for every destination behind it. */
	if (c->opts->tap && !has_gw) {
		if (waits_for_dhcp(c))
			c->nc->n_waiting++;
		else
			c->nc->n_failed++;
		return;
	}
	vpnc_put_u32(dst, net);
	vpnc_put_u32(g, gw);
	add_route(c, AF_INET, dst, prefix, has_gw ? g : NULL, metric);
}

/* Adds dst/prefix outside the VPN, through the path the kernel has for dst now. */
static void add_net_gateway_route(struct apply_ctx *c, int family, const uint8_t *dst, int prefix,
                                  int metric)
{
	struct vpnc_nl_path path;
	struct vpnc_netcfg_item it;

	if (vpnc_nl_route_lookup(c->nl, family, dst, &path) < 0 || path.local || path.ifindex <= 0 ||
	    path.ifindex == c->tun->ifindex) {
		c->nc->n_failed++;
		return;
	}
	memset(&it, 0, sizeof(it));
	it.kind = VPNC_NETCFG_ROUTE;
	it.family = (uint8_t)family;
	it.prefix = (uint8_t)prefix;
	memcpy(it.addr, dst, fam_len(family));
	it.has_gw = path.has_gw;
	memcpy(it.gw, path.gw, sizeof(it.gw));
	it.ifindex = path.ifindex;
	it.metric = metric;
	(void)apply_item(c, &it);
}

/* Clears the bits of an IPv6 address past prefix bits. */
static void mask6(uint8_t out[16], const uint8_t in[16], int bits)
{
	for (int b = 0; b < 16; b++) {
		int keep = bits - b * 8;
		uint8_t m = keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
		out[b] = in[b] & m;
	}
}

static void apply_net_gateway_routes(struct apply_ctx *c)
{
	const struct vpnc_push *p = c->push;

	for (size_t i = 0; i < p->n_routes && i < VPNC_MAX_ROUTES; i++) {
		const struct vpnc_route4 *r = &p->routes[i];
		int prefix = vpnc_ip4_mask_prefix(r->mask);
		uint32_t net;
		uint8_t dst[4];

		if (!r->net_gateway)
			continue;
		if (prefix < 0 || !route_net4(c, r, &net)) {
			if (prefix >= 0 && r->net_kind == VPNC_RT_NET_VPN_GATEWAY && waits_for_dhcp(c))
				c->nc->n_waiting++;
			else
				c->nc->n_failed++;
			continue;
		}
		vpnc_put_u32(dst, net);
		add_net_gateway_route(c, AF_INET, dst, prefix, route_metric(c, r->metric));
	}
	for (size_t i = 0; i < p->n_routes6 && i < VPNC_MAX_ROUTES; i++) {
		const struct vpnc_route6 *r = &p->routes6[i];
		int bits = r->bits > 128 ? 128 : r->bits;
		uint8_t dst[16];

		if (!r->net_gateway)
			continue;
		mask6(dst, r->net, bits);
		add_net_gateway_route(c, AF_INET6, dst, bits, route_metric(c, r->metric));
	}
}

/* The prefix of the IPv4 subnet on ifindex that holds gw (host order), or -1. */
static int local_subnet_of(int ifindex, uint32_t gw)
{
	char name[IF_NAMESIZE];
	struct ifaddrs *all = NULL;
	int prefix = -1;

	if (if_indextoname((unsigned)ifindex, name) == NULL || getifaddrs(&all) != 0)
		return -1;
	for (const struct ifaddrs *a = all; a != NULL && prefix < 0; a = a->ifa_next) {
		uint32_t addr, mask;

		if (a->ifa_addr == NULL || a->ifa_netmask == NULL || a->ifa_addr->sa_family != AF_INET ||
		    strcmp(a->ifa_name, name) != 0)
			continue;
		addr = ntohl(((const struct sockaddr_in *)(const void *)a->ifa_addr)->sin_addr.s_addr);
		mask = ntohl(((const struct sockaddr_in *)(const void *)a->ifa_netmask)->sin_addr.s_addr);
		if (((addr ^ gw) & mask) == 0)
			prefix = vpnc_ip4_mask_prefix(mask);
	}
	freeifaddrs(all);
	return prefix;
}

/*
 * redirect-gateway block-local, as OpenVPN's add_block_local_routes() on
 * Linux: only when the server is reached through a gateway (so it is not on
 * the LAN) and there is a VPN gateway. The gateway keeps an on-link host
 * route (OpenVPN's bypass route); its subnet goes into the tunnel as two
 * halves, more specific than the connected route.
 */
static void apply_block_local(struct apply_ctx *c, uint32_t vgw, bool has_vgw)
{
	const struct vpnc_nl_path *path = &c->path[0];
	struct vpnc_netcfg_item it;
	uint32_t gw, net, half;
	int prefix;

	if (!has_vgw || c->opts->server_family != AF_INET || !c->path_known[0] || !path->has_gw ||
	    path->local || path->ifindex <= 0 || path->ifindex == c->tun->ifindex)
		return;
	gw = vpnc_get_u32(path->gw);
	prefix = local_subnet_of(path->ifindex, gw);
	if (prefix < 0 || prefix >= 32) {
		c->nc->n_failed++;
		return;
	}
	memset(&it, 0, sizeof(it));
	it.kind = VPNC_NETCFG_ROUTE;
	it.family = AF_INET;
	it.prefix = 32;
	memcpy(it.addr, path->gw, 4);
	it.ifindex = path->ifindex;
	it.metric = -1;
	(void)apply_item(c, &it);
	net = prefix == 0 ? 0 : gw & (0xFFFFFFFFu << (32 - prefix));
	half = 1u << (31 - prefix);
	add_route4(c, net, prefix + 1, vgw, true, -1);
	add_route4(c, net + half, prefix + 1, vgw, true, -1);
}

static void apply_routes(struct apply_ctx *c)
{
	const struct vpnc_push *p = c->push;
	uint32_t vgw = vpnc_push_vpn_gateway4(p);
	bool has_vgw = vgw != 0;

	for (size_t i = 0; i < p->n_routes && i < VPNC_MAX_ROUTES; i++) {
		const struct vpnc_route4 *r = &p->routes[i];
		int prefix = vpnc_ip4_mask_prefix(r->mask);
		uint32_t gw = r->gw != 0 ? r->gw : vgw, net;
		bool has_gw = r->gw != 0 || has_vgw;
		int metric = route_metric(c, r->metric);

		if (r->net_gateway)
			continue;
		if (prefix < 0 || !route_net4(c, r, &net)) {
			c->nc->n_failed++;
			continue;
		}
		if (prefix == 0) {
			add_route4(c, 0x00000000u, 1, gw, has_gw, metric);
			add_route4(c, 0x80000000u, 1, gw, has_gw, metric);
			continue;
		}
		add_route4(c, net, prefix, gw, has_gw, metric);
	}
	for (size_t i = 0; i < p->n_routes6 && i < VPNC_MAX_ROUTES; i++) {
		const struct vpnc_route6 *r = &p->routes6[i];
		uint8_t dst[16];
		int bits = r->bits > 128 ? 128 : r->bits;

		if (r->net_gateway)
			continue;
		mask6(dst, r->net, bits);
		if (bits == 0) {
			static const uint8_t upper[16] = {0x80};

			add_route6(c, dst, 1, r->gw, r->metric);
			add_route6(c, upper, 1, r->gw, r->metric);
			continue;
		}
		add_route6(c, dst, bits, r->gw, r->metric);
	}
	if (p->redirect_gateway & VPNC_RG_ENABLE) {
		if (!(p->redirect_gateway & VPNC_RG_NO_IPV4) && !has_vgw && waits_for_dhcp(c))
			c->nc->n_waiting++;
		else if (!(p->redirect_gateway & VPNC_RG_NO_IPV4) && (has_vgw || p->has_ifconfig)) {
			add_route4(c, 0x00000000u, 1, vgw, has_vgw, -1);
			add_route4(c, 0x80000000u, 1, vgw, has_vgw, -1);
		}
		if (p->redirect_gateway & VPNC_RG_BLOCK_LOCAL)
			apply_block_local(c, vgw, has_vgw);
		/* OpenVPN adds the IPv6 blocks only when there is an IPv6 address, with route-metric. */
		if ((p->redirect_gateway & VPNC_RG_IPV6) && p->has_ifconfig6) {
			for (size_t i = 0; i < sizeof(redirect6_blocks) / sizeof(redirect6_blocks[0]); i++) {
				uint8_t dst[16] = {redirect6_blocks[i].first};
				add_route6(c, dst, redirect6_blocks[i].bits, NULL, -1);
			}
		}
	}
}

static int effective_mtu(const struct vpnc_push *p, const struct vpnc_netcfg_opts *o)
{
	int mtu = p->tun_mtu > 0 ? p->tun_mtu : o->mtu > 0 ? o->mtu : VPNC_NETCFG_DEFAULT_MTU;

	if (mtu < VPNC_NETCFG_MIN_MTU || mtu > VPNC_NETCFG_MAX_MTU)
		mtu = VPNC_NETCFG_DEFAULT_MTU;
	return mtu;
}

/* Hashes exactly the inputs that decide what apply does. */
static void fingerprint(const struct vpnc_push *p, const struct vpnc_netcfg_opts *o, uint8_t out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned outlen = 32;
	int mtu = effective_mtu(p, o);
	uint8_t flags[11] = {o->ifconfig_noexec, o->route_noexec, o->route_nopull, p->has_ifconfig,
	                     p->has_ifconfig6, p->has_route_gateway, (uint8_t)p->topology,
	                     p->ifconfig6_bits, o->tap, o->tap && p->has_route6_gateway,
	                     o->tap && p->route_gateway_dhcp};
	size_t n4 = p->n_routes < VPNC_MAX_ROUTES ? p->n_routes : VPNC_MAX_ROUTES;
	size_t n6 = p->n_routes6 < VPNC_MAX_ROUTES ? p->n_routes6 : VPNC_MAX_ROUTES;

	memset(out, 0, 32);
	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto out;
	EVP_DigestUpdate(md, flags, sizeof(flags));
	EVP_DigestUpdate(md, &mtu, sizeof(mtu));
	EVP_DigestUpdate(md, &o->server_family, sizeof(o->server_family));
	EVP_DigestUpdate(md, o->server, sizeof(o->server));
	EVP_DigestUpdate(md, &p->ifconfig_local, sizeof(p->ifconfig_local));
	EVP_DigestUpdate(md, &p->ifconfig_mask_or_peer, sizeof(p->ifconfig_mask_or_peer));
	EVP_DigestUpdate(md, p->ifconfig6_local, sizeof(p->ifconfig6_local));
	if (o->tap) { /* the IPv6 next hops count on a TAP only */
		EVP_DigestUpdate(md, p->ifconfig6_remote, sizeof(p->ifconfig6_remote));
		EVP_DigestUpdate(md, p->route6_gateway, sizeof(p->route6_gateway));
		EVP_DigestUpdate(md, o->lladdr, sizeof(o->lladdr));
		EVP_DigestUpdate(md, &o->has_lladdr, sizeof(o->has_lladdr));
	}
	EVP_DigestUpdate(md, &p->route_gateway, sizeof(p->route_gateway));
	EVP_DigestUpdate(md, &p->redirect_gateway, sizeof(p->redirect_gateway));
	EVP_DigestUpdate(md, &p->route_metric, sizeof(p->route_metric));
	EVP_DigestUpdate(md, &o->route_metric, sizeof(o->route_metric));
	for (size_t i = 0; i < n4; i++) {
		const struct vpnc_route4 *r = &p->routes[i];
		uint32_t v[6] = {r->net, r->mask, r->gw, (uint32_t)r->metric, r->net_gateway, r->net_kind};
		EVP_DigestUpdate(md, v, sizeof(v));
	}
	for (size_t i = 0; i < n6; i++) {
		const struct vpnc_route6 *r = &p->routes6[i];
		EVP_DigestUpdate(md, r->net, sizeof(r->net));
		EVP_DigestUpdate(md, &r->bits, sizeof(r->bits));
		if (o->tap)
			EVP_DigestUpdate(md, r->gw, sizeof(r->gw));
		EVP_DigestUpdate(md, &r->metric, sizeof(r->metric));
		EVP_DigestUpdate(md, &r->net_gateway, sizeof(r->net_gateway));
	}
	EVP_DigestFinal_ex(md, out, &outlen);
out:
	EVP_MD_CTX_free(md);
}

bool vpnc_netcfg_matches(const struct vpnc_netcfg *nc, const struct vpnc_push *push,
                         const struct vpnc_netcfg_opts *opts)
{
	uint8_t fp[32];

	if (!nc->applied)
		return false;
	fingerprint(push, opts, fp);
	return memcmp(fp, nc->fingerprint, sizeof(fp)) == 0;
}

int vpnc_netcfg_apply(struct vpnc_netcfg *nc, struct vpnc_nl *nl, const struct vpnc_tun *tun,
                      const struct vpnc_push *push, const struct vpnc_netcfg_opts *opts)
{
	struct apply_ctx c = {.nc = nc, .nl = nl, .tun = tun, .push = push, .opts = opts};
	int ret;

	if (nc->applied)
		return -EALREADY;
	if (tun->fd < 0 || tun->ifindex <= 0)
		return -EBADF;
	nc->n = 0;
	nc->n_failed = 0;
	nc->n_waiting = 0;
	nc->mtu = effective_mtu(push, opts);
	/* 2.6 sets lladdr right after opening the device, before ifconfig; a refusal is only logged there. */
	if (opts->tap && opts->has_lladdr &&
	    vpnc_nl_link_set_lladdr(nl, tun->ifindex, opts->lladdr) < 0)
		nc->n_failed++;
	ret = vpnc_nl_link_up(nl, tun->ifindex, nc->mtu, VPNC_NETCFG_TXQLEN);
	/*
	 * With both no-exec options another party (NetworkManager) owns the
	 * device's configuration and sets its MTU and up flag from what the up
	 * script reports; vpnc, then running without CAP_NET_ADMIN, leaves them.
	 */
	nc->link_by_other = ret == -EPERM && opts->ifconfig_noexec && opts->route_noexec;
	if (ret < 0 && !nc->link_by_other)
		return ret;
	nc->applied = true;
	fingerprint(push, opts, nc->fingerprint);
	nc->server_family = opts->server_family;
	memcpy(nc->server, opts->server, sizeof(nc->server));

	/* Look up the server's path before anything changes the routing table. */
	c.no_host_route = (push->redirect_gateway & VPNC_RG_LOCAL) != 0;
	if (opts->server_family == AF_INET || opts->server_family == AF_INET6) {
		int k = opts->server_family == AF_INET ? 0 : 1;
		c.path_known[k] = vpnc_nl_route_lookup(nl, opts->server_family, opts->server,
		                                       &c.path[k]) == 0;
	}
	if (!opts->route_noexec)
		apply_net_gateway_routes(&c);
	if (!opts->ifconfig_noexec)
		apply_addresses(&c);
	if (!opts->route_noexec)
		apply_routes(&c);
	return 0;
}

int vpnc_netcfg_add_gateway(struct vpnc_netcfg *nc, struct vpnc_nl *nl, const struct vpnc_tun *tun,
                            const struct vpnc_push *push, const struct vpnc_netcfg_opts *opts)
{
	struct apply_ctx c = {.nc = nc, .nl = nl, .tun = tun, .push = push, .opts = opts};
	unsigned failed = nc->n_failed;

	if (!nc->applied || tun->fd < 0 || tun->ifindex <= 0)
		return -EBADF;
	if (vpnc_push_vpn_gateway4(push) == 0)
		return -EINVAL;
	if (opts->route_noexec)
		return 0;
	/*
	 * Every route added so far is in the record and apply_item() skips it,
	 * so this adds only what waited. Nothing covering the server was added
	 * without its host route, so the lookup still finds the original path.
	 */
	c.no_host_route = (push->redirect_gateway & VPNC_RG_LOCAL) != 0;
	if (opts->server_family == AF_INET || opts->server_family == AF_INET6) {
		int k = opts->server_family == AF_INET ? 0 : 1;
		c.path_known[k] = vpnc_nl_route_lookup(nl, opts->server_family, opts->server,
		                                       &c.path[k]) == 0;
	}
	nc->n_waiting = 0;
	apply_routes(&c);
	return (int)(nc->n_failed - failed);
}

/* Errors meaning the item is already gone (e.g. removed with the TUN). */
static bool gone(int err)
{
	return err == -ESRCH || err == -ENODEV || err == -EADDRNOTAVAIL || err == -ENOENT;
}

int vpnc_netcfg_unapply(struct vpnc_netcfg *nc, struct vpnc_nl *nl)
{
	int failed = 0;

	while (nc->n > 0) {
		const struct vpnc_netcfg_item *it = &nc->items[--nc->n];
		int ret;

		if (it->kind == VPNC_NETCFG_ADDR)
			ret = vpnc_nl_addr(nl, false, it->ifindex, it->family, it->addr, it->prefix,
			                   it->has_peer ? it->peer : NULL);
		else
			ret = vpnc_nl_route(nl, false, it->family, it->addr, it->prefix,
			                    it->has_gw ? it->gw : NULL, it->ifindex, it->metric);
		if (ret < 0 && !gone(ret))
			failed++;
	}
	nc->applied = false;
	return failed;
}

void vpnc_netcfg_describe(const struct vpnc_netcfg *nc, char *out, size_t cap)
{
	size_t used = 0;

	if (cap == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < nc->n; i++) {
		const struct vpnc_netcfg_item *it = &nc->items[i];
		char a[INET6_ADDRSTRLEN];

		if (it->kind != VPNC_NETCFG_ADDR || inet_ntop(it->family, it->addr, a, sizeof(a)) == NULL)
			continue;
		int n = snprintf(out + used, cap - used, "%s%s/%u", used ? ", " : "", a, it->prefix);
		if (n < 0 || (size_t)n >= cap - used)
			break;
		used += (size_t)n;
	}
	if (used == 0)
		snprintf(out, cap, "no address");
}
