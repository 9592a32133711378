/*
 * test_push.c: the PUSH_REPLY parser against real 2.6 and eduVPN replies and
 * against the hostile cases of docs/hostile.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vpnc/push.h"

#include "../check.h"

/* Records the last rejection for the checks. */
struct logbuf {
	int calls;
	char option[64];
	char reason[128];
};

static void logcb(void *ctx, const char *option, const char *reason)
{
	struct logbuf *l = ctx;

	l->calls++;
	snprintf(l->option, sizeof(l->option), "%s", option);
	snprintf(l->reason, sizeof(l->reason), "%s", reason);
}

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return ntohl(a.s_addr);
}

static bool ip6eq(const uint8_t *a, const char *s)
{
	uint8_t b[16];

	if (inet_pton(AF_INET6, s, b) != 1)
		abort();
	return memcmp(a, b, 16) == 0;
}

/* Parses text into a fresh struct; returns the parse result. */
static int parse(struct vpnc_push *p, struct logbuf *l, const char *text)
{
	vpnc_push_init(p);
	memset(l, 0, sizeof(*l));
	return vpnc_push_parse(p, text, strlen(text), logcb, l);
}

static struct vpnc_push P;
static struct logbuf L;

static void test_doc_example(void)
{
	const char *t = "route 192.168.77.0 255.255.255.0,dhcp-option DNS 10.8.0.1,redirect-gateway def1 bypass-dhcp,"
	                "route-gateway 10.8.0.1,topology subnet,ping 10,ping-restart 60,ifconfig 10.8.0.2 255.255.255.0,"
	                "peer-id 0,cipher AES-256-GCM,protocol-flags cc-exit tls-ekm dyn-tls-crypt,tun-mtu 1500";

	CHECK(parse(&P, &L, t) == 0);
	CHECK(P.n_routes == 1);
	CHECK(P.routes[0].net == ip4("192.168.77.0"));
	CHECK(P.routes[0].mask == ip4("255.255.255.0"));
	CHECK(P.routes[0].gw == 0);
	CHECK(P.routes[0].metric == -1);
	CHECK(!P.routes[0].net_gateway);
	CHECK(P.n_dns4 == 1 && P.dns4[0] == ip4("10.8.0.1"));
	CHECK(P.n_dns6 == 0);
	CHECK(P.redirect_gateway == (VPNC_RG_ENABLE | VPNC_RG_DEF1 | VPNC_RG_BYPASS_DHCP));
	CHECK(P.has_route_gateway && P.route_gateway == ip4("10.8.0.1"));
	CHECK(P.topology == VPNC_TOPO_SUBNET);
	CHECK(P.ping == 10);
	CHECK(P.ping_restart == 60);
	CHECK(P.has_ifconfig);
	CHECK(P.ifconfig_local == ip4("10.8.0.2"));
	CHECK(P.ifconfig_mask_or_peer == ip4("255.255.255.0"));
	CHECK(P.has_peer_id && P.peer_id == 0);
	CHECK(strcmp(P.cipher, "AES-256-GCM") == 0);
	CHECK(P.protocol_flags == (VPNC_PF_CC_EXIT | VPNC_PF_TLS_EKM | VPNC_PF_DYN_TLS_CRYPT));
	CHECK(!P.key_derivation_ekm);
	CHECK(P.tun_mtu == 1500);
	CHECK(!P.has_ifconfig6);
	CHECK(P.n_routes6 == 0);
	CHECK(P.n_domains == 0);
	CHECK(P.inactive == -1);
	CHECK(P.explicit_exit_notify == -1);
	CHECK(P.comp == VPNC_COMP_NONE && !P.comp_pushed);
	CHECK(P.auth_token[0] == '\0');
	CHECK(P.continuation == 0);
	CHECK(P.n_ignored == 0);
	CHECK(P.n_rejected == 0);
	CHECK(L.calls == 0);
}

static void test_eduvpn(void)
{
	const char *t = "explicit-exit-notify 1,redirect-gateway def1 ipv6,route 0.0.0.0 0.0.0.0,dhcp-option DNS 9.9.9.9,"
	                "dhcp-option DNS 2620:fe::fe,block-outside-dns,tun-ipv6,route-gateway 10.42.42.1,topology subnet,"
	                "ping 10,ping-restart 60,ifconfig-ipv6 fd42::2/112 fd42::1,ifconfig 10.42.42.2 255.255.255.128,"
	                "peer-id 0,cipher AES-256-GCM,protocol-flags cc-exit tls-ekm dyn-tls-crypt,tun-mtu 1500";

	CHECK(parse(&P, &L, t) == 0);
	CHECK(P.explicit_exit_notify == 1);
	CHECK(P.redirect_gateway == (VPNC_RG_ENABLE | VPNC_RG_DEF1 | VPNC_RG_IPV6));
	CHECK(P.n_routes == 1 && P.routes[0].net == 0 && P.routes[0].mask == 0);
	CHECK(P.n_dns4 == 1 && P.dns4[0] == ip4("9.9.9.9"));
	CHECK(P.n_dns6 == 1 && ip6eq(P.dns6[0], "2620:fe::fe"));
	CHECK(P.n_ignored == 2); /* block-outside-dns, tun-ipv6 */
	CHECK(P.has_route_gateway && P.route_gateway == ip4("10.42.42.1"));
	CHECK(P.topology == VPNC_TOPO_SUBNET);
	CHECK(P.has_ifconfig6 && ip6eq(P.ifconfig6_local, "fd42::2") && P.ifconfig6_bits == 112);
	CHECK(ip6eq(P.ifconfig6_remote, "fd42::1"));
	CHECK(P.has_ifconfig && P.ifconfig_local == ip4("10.42.42.2"));
	CHECK(P.ifconfig_mask_or_peer == ip4("255.255.255.128"));
	CHECK(P.n_rejected == 0 && L.calls == 0);

	/* eduVPN extras: split-tunnel routes, an IPv6 route, exclusions, search domain, block-local. */
	t = "route 192.168.1.0 255.255.255.0,route-ipv6 fd11::/64,route 10.0.0.0 255.0.0.0 net_gateway,"
	    "route-ipv6 2001:db8::/32 net_gateway_ipv6,dhcp-option DOMAIN-SEARCH example.org,"
	    "dhcp-option DNS6 fd42::1,redirect-gateway def1 ipv6 block-local,topology subnet,"
	    "ifconfig-ipv6 fd42::1:2/112 fd42::1:1,ifconfig 10.42.42.130 255.255.255.128,socket-flags TCP_NODELAY";
	CHECK(parse(&P, &L, t) == 0);
	CHECK(P.n_routes == 2);
	CHECK(P.routes[1].net == ip4("10.0.0.0") && P.routes[1].mask == ip4("255.0.0.0"));
	CHECK(P.routes[1].net_gateway && P.routes[1].gw == 0);
	CHECK(P.n_routes6 == 2);
	CHECK(ip6eq(P.routes6[0].net, "fd11::") && P.routes6[0].bits == 64 && !P.routes6[0].net_gateway);
	CHECK(ip6eq(P.routes6[0].gw, "::") && P.routes6[0].metric == -1);
	CHECK(ip6eq(P.routes6[1].net, "2001:db8::") && P.routes6[1].bits == 32 && P.routes6[1].net_gateway);
	CHECK(P.n_domains == 1 && strcmp(P.domains[0], "example.org") == 0);
	CHECK(P.n_dns6 == 1 && ip6eq(P.dns6[0], "fd42::1"));
	CHECK(P.redirect_gateway & VPNC_RG_BLOCK_LOCAL);
	CHECK(P.ifconfig_local == ip4("10.42.42.130"));
	CHECK(P.n_ignored == 1 && P.n_rejected == 0);
}

static void test_routes(void)
{
	CHECK(parse(&P, &L, "route 10.1.0.0 255.255.0.0 10.8.0.5 7") == 0);
	CHECK(P.n_routes == 1 && P.routes[0].gw == ip4("10.8.0.5") && P.routes[0].metric == 7);
	CHECK(parse(&P, &L, "route 10.1.2.3") == 0);
	CHECK(P.n_routes == 1 && P.routes[0].mask == 0xFFFFFFFFu);
	CHECK(parse(&P, &L, "route 10.1.0.0 255.255.0.0 vpn_gateway default") == 0);
	CHECK(P.n_routes == 1 && P.routes[0].gw == 0 && P.routes[0].metric == -1);

	/* Bad: wrong family, non-contiguous mask, net outside mask, hostname, bad gateway, bad metric. */
	const char *bad[] = {
		"route fd00::1 255.255.255.0",
		"route 10.0.0.0 255.0.255.0",
		"route 10.1.2.0 255.255.0.0",
		"route example.com 255.255.255.255",
		"route 10.0.0.0 255.0.0.0 224.0.0.1",
		"route 10.0.0.0 255.0.0.0 10.8.0.1 -1",
		"route 10.0.0.0 255.0.0.0 10.8.0.1 99999999999999999999",
		"route 10.0.0.0 255.0.0.0 10.8.0.1 5x",
		"route 10.0.0.0 255.0.0.0 10.8.0.1 5 6",
		"route",
		"route 10.0.0.256",
		"route 010.0.0.0",
		"route-ipv6 fd00::/129",
		"route-ipv6 fd00::",
		"route-ipv6 10.0.0.0/8",
		"route-ipv6 fd00::/64 ff02::1",
		"route-ipv6 fd00::/6a",
		"route-ipv6 fd00::/-1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(parse(&P, &L, bad[i]) == 0);
		CHECK(P.n_routes == 0 && P.n_routes6 == 0);
		CHECK(P.n_rejected == 1 && L.calls == 1);
		if (P.n_rejected != 1)
			fprintf(stderr, "  case: %s\n", bad[i]);
	}
	CHECK(parse(&P, &L, "route 10.0.0.0 255.0.255.0") == 0 && strcmp(L.option, "route") == 0 &&
	      strcmp(L.reason, "netmask not contiguous") == 0);

	/* route-ipv6 host bits are cleared, as OpenVPN does; gateway and metric. */
	CHECK(parse(&P, &L, "route-ipv6 2001:db8::1/48 fd42::1 100") == 0);
	CHECK(P.n_routes6 == 1 && ip6eq(P.routes6[0].net, "2001:db8::") && P.routes6[0].bits == 48);
	CHECK(ip6eq(P.routes6[0].gw, "fd42::1") && P.routes6[0].metric == 100);
	CHECK(parse(&P, &L, "route-ipv6 ::/0,route-ipv6 2000::/3") == 0 && P.n_routes6 == 2);
	CHECK(P.routes6[0].bits == 0 && P.routes6[1].bits == 3);
	CHECK(parse(&P, &L, "route-ipv6 fd00::/128") == 0 && P.n_routes6 == 1 && P.routes6[0].bits == 128);

	/* Limits: thousands of routes. */
	{
		size_t cap = 200 * 40, o = 0;
		char *t = malloc(cap);

		for (int i = 0; i < 200; i++)
			o += (size_t)snprintf(t + o, cap - o, "%sroute 10.%d.%d.0 255.255.255.0", i ? "," : "",
			                      i / 256, i % 256);
		CHECK(parse(&P, &L, t) == 0);
		CHECK(P.n_routes == VPNC_MAX_ROUTES);
		CHECK(P.n_rejected == 200 - VPNC_MAX_ROUTES);
		/* A flood is logged a bounded number of times, then counted only. */
		CHECK(L.calls == VPNC_PUSH_LOG_MAX + 1 && strcmp(L.option, "...") == 0);
		CHECK(P.n_logged == VPNC_PUSH_LOG_MAX + 1);
		free(t);
	}
}

static void test_ifconfig(void)
{
	/* net30: second word is the peer. */
	CHECK(parse(&P, &L, "ifconfig 10.8.0.6 10.8.0.5") == 0);
	CHECK(P.has_ifconfig && P.topology == VPNC_TOPO_NET30 && P.ifconfig_mask_or_peer == ip4("10.8.0.5"));
	/* topology after ifconfig in the same message is honoured. */
	CHECK(parse(&P, &L, "ifconfig 10.8.0.2 255.255.255.0,topology subnet") == 0);
	CHECK(P.has_ifconfig && P.n_rejected == 0);
	/* subnet with a non-contiguous "mask" (really a peer address) is rejected. */
	CHECK(parse(&P, &L, "topology subnet,ifconfig 10.8.0.2 10.8.0.1") == 0);
	CHECK(!P.has_ifconfig && P.n_rejected == 1 && strcmp(L.option, "ifconfig") == 0);
	CHECK(parse(&P, &L, "ifconfig 10.8.0.2 10.8.0.1,topology subnet") == 0);
	CHECK(!P.has_ifconfig && P.n_rejected == 1);
	/* network and broadcast addresses. */
	CHECK(parse(&P, &L, "topology subnet,ifconfig 10.8.0.0 255.255.255.0") == 0 && !P.has_ifconfig);
	CHECK(parse(&P, &L, "topology subnet,ifconfig 10.8.0.255 255.255.255.0") == 0 && !P.has_ifconfig);
	CHECK(parse(&P, &L, "topology subnet,ifconfig 10.8.0.1 255.255.255.254") == 0 && P.has_ifconfig);
	CHECK(parse(&P, &L, "ifconfig 0.0.0.0 255.255.255.0") == 0 && !P.has_ifconfig);
	CHECK(parse(&P, &L, "ifconfig 224.0.0.1 10.0.0.1") == 0 && !P.has_ifconfig);
	CHECK(parse(&P, &L, "ifconfig 127.0.0.2 127.0.0.1") == 0 && !P.has_ifconfig);
	CHECK(parse(&P, &L, "ifconfig 10.0.0.1 10.0.0.1") == 0 && !P.has_ifconfig);
	CHECK(parse(&P, &L, "ifconfig 10.0.0.1") == 0 && !P.has_ifconfig && P.n_rejected == 1);
	CHECK(parse(&P, &L, "ifconfig fd00::1 fd00::2") == 0 && !P.has_ifconfig && P.n_rejected == 1);
	CHECK(parse(&P, &L, "topology bogus") == 0 && P.n_rejected == 1 && P.topology == VPNC_TOPO_NET30);
	CHECK(parse(&P, &L, "topology p2p") == 0 && P.topology == VPNC_TOPO_P2P);

	/* ifconfig-ipv6 */
	CHECK(parse(&P, &L, "ifconfig-ipv6 fd42::2/64") == 0 && P.has_ifconfig6 && ip6eq(P.ifconfig6_remote, "::"));
	const char *bad6[] = {
		"ifconfig-ipv6 fd42::2/129 fd42::1", "ifconfig-ipv6 fd42::2 fd42::1", "ifconfig-ipv6 10.0.0.1/24 fd42::1",
		"ifconfig-ipv6 ff02::1/64 fd42::1", "ifconfig-ipv6 ::/64 fd42::1", "ifconfig-ipv6 fd42::2/64 ff02::2",
		"ifconfig-ipv6 fd42::2/64 10.0.0.1", "ifconfig-ipv6 fd42::2/0", "ifconfig-ipv6 fd42::2/64 fd42::1 x",
		"ifconfig-ipv6 fd42::2/1000",
	};
	for (size_t i = 0; i < sizeof(bad6) / sizeof(bad6[0]); i++) {
		CHECK(parse(&P, &L, bad6[i]) == 0);
		CHECK(!P.has_ifconfig6 && P.n_rejected == 1);
	}
}

static void test_dns(void)
{
	CHECK(parse(&P, &L, "dhcp-option DOMAIN corp.example.com,dhcp-option DOMAIN-SEARCH a_b.example,"
	                    "dhcp-option ADAPTER_DOMAIN_SUFFIX x-y.example,dhcp-option NTP 10.0.0.1,"
	                    "dhcp-option WINS 10.0.0.2,dhcp-option DISABLE-NBT,dhcp-option DNS6 2001:db8::53,"
	                    "dhcp-option DNS 10.0.0.53,dhcp-option DNS 10.0.0.53") == 0);
	CHECK(P.n_domains == 3);
	CHECK(strcmp(P.domains[0], "corp.example.com") == 0);
	CHECK(strcmp(P.domains[1], "a_b.example") == 0);
	CHECK(strcmp(P.domains[2], "x-y.example") == 0);
	CHECK(P.n_dns6 == 1 && ip6eq(P.dns6[0], "2001:db8::53"));
	CHECK(P.n_dns4 == 1 && P.dns4[0] == ip4("10.0.0.53"));
	CHECK(P.n_ignored == 4); /* NTP, WINS, DISABLE-NBT, duplicate DNS */
	CHECK(P.n_rejected == 0);
	CHECK(P.domain_kind[0] == VPNC_DOM_DOMAIN && P.domain_kind[1] == VPNC_DOM_SEARCH &&
	      P.domain_kind[2] == VPNC_DOM_ADAPTER && P.n_route_domains == 0);

	/* DOMAIN-ROUTE: a routing-only domain, kept apart; pushed also as DOMAIN it is searched too. */
	CHECK(parse(&P, &L, "dhcp-option DOMAIN-ROUTE corp.example,dhcp-option DOMAIN-ROUTE lab.example,"
	                    "dhcp-option DOMAIN lab.example,dhcp-option DOMAIN-ROUTE a$b") == 0);
	CHECK(P.n_route_domains == 2 && strcmp(P.route_domains[0], "corp.example") == 0 &&
	      strcmp(P.route_domains[1], "lab.example") == 0);
	CHECK(P.n_domains == 1 && strcmp(P.domains[0], "lab.example") == 0);
	CHECK(P.n_rejected == 1);

	/* Metacharacters and non-ASCII-like junk in domains (CVE-2025-10680). */
	const char *bad[] = {
		"dhcp-option DOMAIN \"evil.com; rm -rf /\"",
		"dhcp-option DOMAIN a$(reboot).com",
		"dhcp-option DOMAIN-SEARCH `id`.example",
		"dhcp-option DOMAIN \"a b\"",
		"dhcp-option DOMAIN a|b",
		"dhcp-option DOMAIN a&b",
		"dhcp-option DOMAIN a'b",
		"dhcp-option DOMAIN -opt.example",
		"dhcp-option DOMAIN a..b",
		"dhcp-option DOMAIN .a",
		"dhcp-option DOMAIN a.",
		"dhcp-option DOMAIN a/b",
		"dhcp-option DOMAIN \"a\\\\b\"",
		"dhcp-option DOMAIN a@b",
		"dhcp-option DOMAIN a%0ab",
		"dhcp-option DOMAIN",
		"dhcp-option DNS 10.0.0.1 10.0.0.2",
		"dhcp-option DNS not-an-ip",
		"dhcp-option DNS 0.0.0.0",
		"dhcp-option DNS 255.255.255.255",
		"dhcp-option DNS6 ff02::1",
		"dhcp-option DNS6 ::",
		"dhcp-option BOGUS 1",
		"dhcp-option",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(parse(&P, &L, bad[i]) == 0);
		CHECK(P.n_domains == 0 && P.n_dns4 == 0 && P.n_dns6 == 0);
		CHECK(P.n_rejected == 1);
		if (P.n_rejected != 1)
			fprintf(stderr, "  case: %s\n", bad[i]);
	}
	/* Length: an item holds at most 255 chars, so the longest domain that fits (236) is fine and a
	 * 253-char one is refused as too long; a 64-char label is refused. */
	{
		char t[400], d[300];

		memset(d, 'a', sizeof(d));
		for (int i = 63; i < 253; i += 64)
			d[i] = '.';
		d[236] = '\0';
		snprintf(t, sizeof(t), "dhcp-option DOMAIN %s", d);
		CHECK(strlen(t) == 255);
		CHECK(parse(&P, &L, t) == 0 && P.n_domains == 1 && strlen(P.domains[0]) == 236);
		d[236] = 'a';
		d[253] = '\0';
		snprintf(t, sizeof(t), "dhcp-option DOMAIN %s", d);
		CHECK(parse(&P, &L, t) == 0 && P.n_domains == 0 && P.n_rejected == 1);
		memset(d, 'b', 64);
		d[64] = '\0';
		snprintf(t, sizeof(t), "dhcp-option DOMAIN %s.com", d);
		CHECK(parse(&P, &L, t) == 0 && P.n_domains == 0 && P.n_rejected == 1);
		CHECK(strcmp(L.reason, "bad domain name") == 0);
	}
	/* Limits. */
	{
		char t[1024];
		size_t o = 0;

		for (int i = 0; i < VPNC_MAX_DNS + 2; i++)
			o += (size_t)snprintf(t + o, sizeof(t) - o, "%sdhcp-option DNS 10.0.0.%d", i ? "," : "", i + 1);
		CHECK(parse(&P, &L, t) == 0 && P.n_dns4 == VPNC_MAX_DNS && P.n_rejected == 2);
	}
}

static void test_numbers(void)
{
	CHECK(parse(&P, &L, "peer-id 16777214") == 0 && P.has_peer_id && P.peer_id == 0xFFFFFE);
	CHECK(parse(&P, &L, "peer-id 16777215") == 0 && !P.has_peer_id && P.n_rejected == 1);
	CHECK(parse(&P, &L, "peer-id 4294967296") == 0 && !P.has_peer_id && P.n_rejected == 1);
	CHECK(parse(&P, &L, "peer-id -1") == 0 && !P.has_peer_id && P.n_rejected == 1);
	CHECK(parse(&P, &L, "peer-id 1x") == 0 && !P.has_peer_id && P.n_rejected == 1);
	CHECK(parse(&P, &L, "peer-id") == 0 && !P.has_peer_id && P.n_rejected == 1);
	CHECK(parse(&P, &L, "peer-id +5") == 0 && !P.has_peer_id && P.n_rejected == 1);
	CHECK(parse(&P, &L, "ping 0,ping-restart 0") == 0 && P.ping == 0 && P.ping_restart == 0);
	CHECK(parse(&P, &L, "ping 99999999999999999999999,ping-restart 86401") == 0);
	CHECK(P.ping == -1 && P.ping_restart == -1 && P.n_rejected == 2);
	CHECK(parse(&P, &L, "ping 10 20") == 0 && P.ping == -1 && P.n_rejected == 1);
	CHECK(parse(&P, &L, "inactive 3600 100000") == 0 && P.inactive == 3600);
	CHECK(parse(&P, &L, "inactive 3600 99999999999") == 0 && P.inactive == -1 && P.n_rejected == 1);
	CHECK(parse(&P, &L, "explicit-exit-notify") == 0 && P.explicit_exit_notify == 1);
	CHECK(parse(&P, &L, "explicit-exit-notify 3") == 0 && P.explicit_exit_notify == 3);
	CHECK(parse(&P, &L, "explicit-exit-notify 100000") == 0 && P.explicit_exit_notify == -1);
	CHECK(parse(&P, &L, "tun-mtu 1400") == 0 && P.tun_mtu == 1400);
	CHECK(parse(&P, &L, "tun-mtu 575") == 0 && P.tun_mtu == 0 && P.n_rejected == 1);
	CHECK(parse(&P, &L, "tun-mtu 9001") == 0 && P.tun_mtu == 0 && P.n_rejected == 1);
	CHECK(parse(&P, &L, "tun-mtu 0") == 0 && P.tun_mtu == 0 && P.n_rejected == 1);
	CHECK(parse(&P, &L, "tun-mtu 1500,tun-mtu 65536") == 0 && P.tun_mtu == 1500 && P.n_rejected == 1);
	/* 'shaper': 2.6's OPT_P_SHAPER, pushable, its bounds 100..100000000 bytes per second. */
	CHECK(P.shaper == 0);
	CHECK(parse(&P, &L, "shaper 20000") == 0 && P.shaper == 20000 && P.n_rejected == 0);
	CHECK(parse(&P, &L, "shaper 100,shaper 100000000") == 0 && P.shaper == 100000000);
	CHECK(parse(&P, &L, "shaper 99") == 0 && P.shaper == 0 && P.n_rejected == 1 && strstr(L.reason, "100") != NULL);
	CHECK(parse(&P, &L, "shaper 100000001") == 0 && P.shaper == 0 && P.n_rejected == 1);
	CHECK(parse(&P, &L, "shaper 5000,shaper x") == 0 && P.shaper == 5000 && P.n_rejected == 1);
	CHECK(parse(&P, &L, "shaper") == 0 && P.shaper == 0 && P.n_rejected == 1);
	CHECK(parse(&P, &L, "shaper 1000 2") == 0 && P.shaper == 0 && P.n_rejected == 1);
}

static void test_crypto_and_comp(void)
{
	CHECK(parse(&P, &L, "cipher AES-128-GCM,key-derivation tls-ekm,protocol-flags cc-exit aead-epoch") == 0);
	CHECK(strcmp(P.cipher, "AES-128-GCM") == 0 && P.key_derivation_ekm && P.protocol_flags == VPNC_PF_CC_EXIT);
	CHECK(P.n_rejected == 0);
	CHECK(parse(&P, &L, "cipher AES;rm") == 0 && P.cipher[0] == '\0' && P.n_rejected == 1);
	CHECK(parse(&P, &L, "cipher AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") == 0 && P.cipher[0] == '\0');
	CHECK(parse(&P, &L, "cipher AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") == 0 && strlen(P.cipher) == 31);
	CHECK(parse(&P, &L, "cipher AES_256") == 0 && P.cipher[0] == '\0');
	CHECK(parse(&P, &L, "key-derivation prf") == 0 && !P.key_derivation_ekm && P.n_rejected == 1);

	CHECK(parse(&P, &L, "comp-lzo no") == 0 && P.comp == VPNC_COMP_LZO_STUB && P.comp_pushed);
	CHECK(parse(&P, &L, "compress") == 0 && P.comp == VPNC_COMP_STUB && P.comp_pushed);
	CHECK(parse(&P, &L, "compress stub") == 0 && P.comp == VPNC_COMP_STUB);
	CHECK(parse(&P, &L, "compress stub-v2") == 0 && P.comp == VPNC_COMP_STUB_V2);
	/* Real compression is recorded; whether it is allowed is the engine's decision (keyex.c). */
	static const struct {
		const char *opt;
		enum vpnc_comp c;
	} real[] = {{"comp-lzo", VPNC_COMP_LZO},     {"comp-lzo yes", VPNC_COMP_LZO},
	            {"comp-lzo adaptive", VPNC_COMP_LZO}, {"compress lzo", VPNC_COMP_LZO},
	            {"compress lz4", VPNC_COMP_LZ4},  {"compress lz4-v2", VPNC_COMP_LZ4_V2}};
	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		CHECK(parse(&P, &L, real[i].opt) == 0);
		CHECK(P.comp == real[i].c && P.comp_pushed && P.n_rejected == 0);
	}
	CHECK(parse(&P, &L, "comp-lzo maybe") == 0 && !P.comp_pushed && P.n_rejected == 1);
	CHECK(parse(&P, &L, "compress lz4 x") == 0 && !P.comp_pushed && P.n_rejected == 1);
	CHECK(parse(&P, &L, "compress zstd") == 0 && !P.comp_pushed && P.n_rejected == 1);
}

/* auth-token-user's base64 name, decoded for a push and for a profile alike. */
static void test_token_user_decode(void)
{
	char out[VPNC_MAX_TOKEN_LEN];
	static const char *const bad[] = {"", "Ym9", "Ym 9i", "Ym=i", "=Ym9", "AAEC", "Cg==", "not*base64", "Ym9i\n"};

	CHECK(vpnc_push_token_user_decode("Ym9i", out, sizeof(out)) == 0 && strcmp(out, "bob") == 0);
	CHECK(vpnc_push_token_user_decode("dXNlcg==", out, sizeof(out)) == 0 && strcmp(out, "user") == 0);
	CHECK(vpnc_push_token_user_decode("YWxpY2UgQg==", out, sizeof(out)) == 0 && strcmp(out, "alice B") == 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(out, "left");
		CHECK(vpnc_push_token_user_decode(bad[i], out, sizeof(out)) == -EINVAL && out[0] == '\0');
	}
	/* The name and its NUL must fit. */
	CHECK(vpnc_push_token_user_decode("Ym9i", out, 3) == -EINVAL && out[0] == '\0');
	CHECK(vpnc_push_token_user_decode("Ym9i", out, 4) == 0 && strcmp(out, "bob") == 0);
}

static void test_auth_token(void)
{
	struct logbuf l2;

	CHECK(parse(&P, &L, "auth-token SESS_ID_abc=,auth-token-user dXNlcg==") == 0);
	CHECK(strcmp(P.auth_token, "SESS_ID_abc=") == 0);
	CHECK(strcmp(P.auth_token_user, "dXNlcg==") == 0);
	/* A new token replaces the old one (a later PUSH_REPLY after renegotiation). */
	memset(&l2, 0, sizeof(l2));
	CHECK(vpnc_push_parse(&P, "auth-token NEWTOKEN", 19, logcb, &l2) == 0);
	CHECK(strcmp(P.auth_token, "NEWTOKEN") == 0);
	vpnc_push_clear(&P);
	CHECK(P.auth_token[0] == '\0' && P.auth_token_user[0] == '\0');

	CHECK(parse(&P, &L, "auth-token \"a b\"") == 0 && P.auth_token[0] == '\0' && P.n_rejected == 1);
	/* The log never carries the token. */
	CHECK(strstr(L.option, "a b") == NULL && strcmp(L.option, "auth-token") == 0);
	CHECK(parse(&P, &L, "auth-token-user not*base64") == 0 && P.auth_token_user[0] == '\0');
	{
		char t[300];

		memset(t, 'T', sizeof(t));
		memcpy(t, "auth-token ", 11);
		t[11 + 256] = '\0';
		CHECK(parse(&P, &L, t) == 0 && P.auth_token[0] == '\0' && P.n_rejected == 1);
		CHECK(strcmp(L.option, "auth-token") == 0);
		t[11 + 255] = '\0'; /* 255-char token: item is 266 > 255, too long as an item */
		CHECK(parse(&P, &L, t) == 0 && P.auth_token[0] == '\0');
		t[11 + 240] = '\0';
		CHECK(parse(&P, &L, t) == 0 && strlen(P.auth_token) == 240);
	}
}

static void test_tokenizer_and_limits(void)
{
	/* Quoting as in a config line. */
	CHECK(parse(&P, &L, "dhcp-option \"DOMAIN\" 'example.com'") == 0 && P.n_domains == 1);
	CHECK(parse(&P, &L, "  route   10.0.0.0   255.0.0.0  ") == 0 && P.n_routes == 1);
	CHECK(parse(&P, &L, "route 10.0.0.0 255.0.0.0 # comment") == 0 && P.n_routes == 1);
	CHECK(parse(&P, &L, "# only a comment") == 0 && P.n_rejected == 0 && P.n_ignored == 0);
	CHECK(parse(&P, &L, "route \"10.0.0.0") == 0 && P.n_routes == 0 && P.n_rejected == 1);
	CHECK(parse(&P, &L, "route 10.0.0.0\\") == 0 && P.n_routes == 0 && P.n_rejected == 1);
	CHECK(parse(&P, &L, "route 10.0.0.0\\x") == 0 && P.n_routes == 0 && P.n_rejected == 1);

	/* 16 words are allowed (then the option decides), 17 are not. */
	CHECK(parse(&P, &L, "protocol-flags a b c d e f g h i j k l m n cc-exit") == 0);
	CHECK(P.protocol_flags == VPNC_PF_CC_EXIT && P.n_rejected == 0);
	CHECK(parse(&P, &L, "protocol-flags a b c d e f g h i j k l m n o cc-exit") == 0);
	CHECK(P.protocol_flags == 0 && P.n_rejected == 1 && strcmp(L.reason, "too many words (16 at most)") == 0);

	/* A 300-byte item is rejected but does not stop the reply. */
	{
		char t[400];

		memset(t, 'x', sizeof(t));
		memcpy(t, "echo ", 5);
		t[300] = '\0';
		strcat(t, ",ping 5");
		CHECK(parse(&P, &L, t) == 0 && P.n_rejected == 1 && P.ping == 5);
		CHECK(strcmp(L.option, "echo") == 0 && strcmp(L.reason, "option too long") == 0);
	}

	/* Forbidden options. */
	const char *forbidden[] = {"up /bin/sh", "down /tmp/x", "script-security 3", "plugin /lib/evil.so",
	                           "setenv opt x", "route-up /bin/true", "iproute /bin/evil", "management 0.0.0.0 1",
	                           "auth-user-pass-verify x", "client-connect x", "tls-verify x", "ipchange x",
	                           "learn-address x", "config /etc/passwd", "dev tap0", "remote 1.2.3.4",
	                           "tls-auth k 1", "push \"route 1.2.3.0\"", "ROUTE 10.0.0.0", "fragment 1"};
	for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
		CHECK(parse(&P, &L, forbidden[i]) == 0);
		CHECK(P.n_rejected == 1 && strcmp(L.reason, "option not allowed") == 0);
	}

	/* Empty reply and empty items. */
	CHECK(parse(&P, &L, "") == 0 && P.n_rejected == 0 && P.n_ignored == 0 && !P.has_ifconfig);
	CHECK(parse(&P, &L, ",,, ,") == 0 && P.n_rejected == 0 && P.n_ignored == 0);

	/* Embedded NUL and non-printable bytes fail the whole text. */
	vpnc_push_init(&P);
	CHECK(vpnc_push_parse(&P, "ping 1\0,ping 2", 14, NULL, NULL) == -EBADMSG);
	CHECK(vpnc_push_parse(&P, "ping 1\n", 7, NULL, NULL) == -EBADMSG);
	CHECK(vpnc_push_parse(&P, "dhcp-option DOMAIN \xc3\xa9.com", 24, NULL, NULL) == -EBADMSG);
	CHECK(vpnc_push_parse(&P, "ping\t1", 6, NULL, NULL) == -EBADMSG);
	CHECK(vpnc_push_parse(&P, NULL, 0, NULL, NULL) == 0);
	CHECK(vpnc_push_parse(&P, NULL, 3, NULL, NULL) == -EINVAL);
	CHECK(P.ping == -1);
	/* A NULL log is fine. */
	CHECK(vpnc_push_parse(&P, "up evil", 7, NULL, NULL) == 0 && P.n_rejected == 1);

	/* Duplicates: scalars take the last value, lists are de-duplicated. */
	CHECK(parse(&P, &L, "ping 10,ping 20,cipher AES-128-GCM,cipher AES-256-GCM,route 10.0.0.0 255.0.0.0,"
	                    "route 10.0.0.0 255.0.0.0,route-ipv6 fd00::/8,route-ipv6 fd00::/8,"
	                    "dhcp-option DOMAIN a.example,dhcp-option DOMAIN-SEARCH A.EXAMPLE") == 0);
	CHECK(P.ping == 20 && strcmp(P.cipher, "AES-256-GCM") == 0);
	CHECK(P.n_routes == 1 && P.n_routes6 == 1 && P.n_domains == 1 && P.n_ignored == 3);

	/* Ignored-but-known options. */
	CHECK(parse(&P, &L, "block-outside-dns,register-dns,echo hello,setenv-safe FOO bar,persist-tun,persist-key,"
	                    "route-delay 2,route-metric 5,dns server 1 address 10.0.0.1,route-gateway dhcp") == 0);
	CHECK(P.n_ignored == 7 && P.n_rejected == 0 && !P.has_route_gateway && P.route_metric == 5);
	CHECK(P.n_dns_servers == 1 && P.dns_servers[0].n_addr == 1 && P.dns_servers[0].pushed);
	CHECK(parse(&P, &L, "route-gateway 10.8.0.1.1") == 0 && !P.has_route_gateway && P.n_rejected == 1);
	CHECK(parse(&P, &L, "redirect-gateway") == 0 && P.redirect_gateway == VPNC_RG_ENABLE);
	CHECK(parse(&P, &L, "redirect-gateway def1 !ipv4 local autolocal bypass-dns") == 0);
	CHECK(P.redirect_gateway == (VPNC_RG_ENABLE | VPNC_RG_DEF1 | VPNC_RG_NO_IPV4 | VPNC_RG_LOCAL |
	                             VPNC_RG_AUTO_LOCAL | VPNC_RG_BYPASS_DNS));
	CHECK(parse(&P, &L, "redirect-gateway def1 evil") == 0 && P.redirect_gateway == 0 && P.n_rejected == 1);
}

static void test_continuation(void)
{
	struct logbuf l = {0};

	vpnc_push_init(&P);
	CHECK(vpnc_push_parse(&P, "route 10.1.0.0 255.255.0.0,push-continuation 2", 46, logcb, &l) == 0);
	CHECK(P.continuation == 2 && P.n_routes == 1);
	CHECK(vpnc_push_parse(&P, "route 10.2.0.0 255.255.0.0,topology subnet,push-continuation 2", 62, logcb, &l) == 0);
	CHECK(P.continuation == 2 && P.n_routes == 2);
	const char *last = "ifconfig 10.8.0.2 255.255.255.0,peer-id 3,push-continuation 1";
	CHECK(vpnc_push_parse(&P, last, strlen(last), logcb, &l) == 0);
	CHECK(P.continuation == 1 && P.n_routes == 2 && P.has_ifconfig && P.topology == VPNC_TOPO_SUBNET);
	CHECK(P.peer_id == 3 && P.n_rejected == 0);
	/* A repeated final part adds nothing new (routes de-duplicated). */
	CHECK(vpnc_push_parse(&P, last, strlen(last), logcb, &l) == 0 && P.n_routes == 2);
	CHECK(parse(&P, &L, "push-continuation 3") == 0 && P.continuation == 0 && P.n_rejected == 1);
	CHECK(parse(&P, &L, "push-continuation") == 0 && P.continuation == 0 && P.n_rejected == 1);
}

static int parse_pol(struct vpnc_push *p, struct logbuf *l, const char *text, const struct vpnc_push_policy *pol)
{
	vpnc_push_init(p);
	memset(l, 0, sizeof(*l));
	return vpnc_push_parse_filtered(p, text, strlen(text), pol, logcb, l);
}

/* pull-filter: a prefix of the raw option, first match wins, as OpenVPN's apply_pull_filter(). */
static void test_pull_filter(void)
{
	static const char *const reply =
		"route 10.1.0.0 255.255.0.0,route-ipv6 fd01::/64, route 10.2.0.0 255.255.0.0,"
		"dhcp-option DNS 10.0.0.53,redirect-gateway def1,ping 5,route-gateway 10.8.0.1";
	struct vpnc_pull_filter f[4];
	struct vpnc_push_policy pol = {.filters = f};

	memset(f, 0, sizeof(f));
	/* ignore "route " drops both IPv4 routes (one after a leading space), not route-ipv6 or route-gateway. */
	f[0] = (struct vpnc_pull_filter){.action = VPNC_PULL_IGNORE, .text = "route "};
	pol.n_filters = 1;
	CHECK(parse_pol(&P, &L, reply, &pol) == 0);
	CHECK(P.n_routes == 0 && P.n_routes6 == 1 && P.has_route_gateway && P.n_dns4 == 1);
	CHECK(P.n_filtered == 2 && P.n_rejected == 0 && L.calls == 0);
	CHECK(P.ping == 5 && (P.redirect_gateway & VPNC_RG_DEF1));

	/* "route" without the space also matches route-ipv6 and route-gateway, as in OpenVPN. */
	memcpy(f[0].text, "route", 6);
	CHECK(parse_pol(&P, &L, reply, &pol) == 0);
	CHECK(P.n_routes == 0 && P.n_routes6 == 0 && !P.has_route_gateway && P.n_filtered == 4);

	/* The first match decides: accept one route, ignore the others. */
	f[0] = (struct vpnc_pull_filter){.action = VPNC_PULL_ACCEPT, .text = "route 10.2.0.0 "};
	f[1] = (struct vpnc_pull_filter){.action = VPNC_PULL_IGNORE, .text = "route"};
	pol.n_filters = 2;
	CHECK(parse_pol(&P, &L, reply, &pol) == 0);
	CHECK(P.n_routes == 1 && P.routes[0].net == ip4("10.2.0.0") && P.n_routes6 == 0);

	/* reject fails the whole reply and names the option, never its value. */
	f[0] = (struct vpnc_pull_filter){.action = VPNC_PULL_REJECT, .text = "redirect-gateway"};
	pol.n_filters = 1;
	CHECK(parse_pol(&P, &L, reply, &pol) == -EPERM);
	CHECK(L.calls == 1 && strcmp(L.option, "redirect-gateway") == 0 &&
	      strcmp(L.reason, "rejected by pull-filter") == 0);
	f[0] = (struct vpnc_pull_filter){.action = VPNC_PULL_REJECT, .text = "auth-token"};
	CHECK(parse_pol(&P, &L, "ping 1,auth-token SECRETVALUE", &pol) == -EPERM);
	CHECK(strstr(L.option, "SECRET") == NULL && strcmp(L.option, "auth-token") == 0);
	/* An accept before it wins; filters are case-sensitive and match only at the start. */
	f[0] = (struct vpnc_pull_filter){.action = VPNC_PULL_ACCEPT, .text = "redirect-gateway def1"};
	f[1] = (struct vpnc_pull_filter){.action = VPNC_PULL_REJECT, .text = "redirect-gateway"};
	f[2] = (struct vpnc_pull_filter){.action = VPNC_PULL_REJECT, .text = "DHCP-OPTION"};
	f[3] = (struct vpnc_pull_filter){.action = VPNC_PULL_REJECT, .text = "def1"};
	pol.n_filters = 4;
	CHECK(parse_pol(&P, &L, reply, &pol) == 0 && P.n_dns4 == 1 && P.n_routes == 2);
	CHECK(parse_pol(&P, &L, "redirect-gateway ipv6", &pol) == -EPERM);
	/* An empty text matches everything (OpenVPN's strncmp with length 0). */
	f[0] = (struct vpnc_pull_filter){.action = VPNC_PULL_IGNORE, .text = ""};
	CHECK(parse_pol(&P, &L, reply, &pol) == 0 && P.n_filtered == 7 && P.n_routes == 0 && P.ping == -1);
	/* Filters do not loosen the allow-list: an accepted 'up' is still refused. */
	f[0] = (struct vpnc_pull_filter){.action = VPNC_PULL_ACCEPT, .text = "up"};
	CHECK(parse_pol(&P, &L, "up /bin/evil", &pol) == 0 && P.n_rejected == 1);
	/* Bad policy arguments. */
	pol.filters = NULL;
	CHECK(parse_pol(&P, &L, "ping 1", &pol) == -EINVAL);
	pol.n_filters = 0;
	CHECK(parse_pol(&P, &L, "ping 1", &pol) == 0 && P.ping == 1);
	/* The text checks still come first. */
	CHECK(parse_pol(&P, &L, "ping 1\n", &pol) == -EBADMSG);
}

/* route-nopull drops OpenVPN's OPT_P_ROUTE and OPT_P_DHCPDNS classes; route-gateway stays. */
/* 'client-nat': 2.6 takes it pushed (OPT_P_ROUTE), in order, checked as in a profile. */
static void test_client_nat(void)
{
	struct vpnc_push_policy nopull = {.route_nopull = true};

	CHECK(parse(&P, &L, "client-nat dnat 192.168.50.0 255.255.255.0 10.88.0.0,"
	                    "client-nat snat 10.8.0.2 255.255.255.255 10.99.0.2") == 0);
	CHECK(P.n_client_nat == 2 && P.n_rejected == 0);
	CHECK(P.client_nat[0].dnat && ntohl(P.client_nat[0].network) == ip4("192.168.50.0") &&
	      ntohl(P.client_nat[0].netmask) == ip4("255.255.255.0") &&
	      ntohl(P.client_nat[0].foreign) == ip4("10.88.0.0"));
	CHECK(!P.client_nat[1].dnat && ntohl(P.client_nat[1].foreign) == ip4("10.99.0.2"));
	CHECK(parse(&P, &L, "client-nat xnat 1.2.3.0 255.255.255.0 4.5.6.0") == 0 && P.n_client_nat == 0 &&
	      P.n_rejected == 1 && strstr(L.reason, "snat") != NULL);
	CHECK(parse(&P, &L, "client-nat dnat host.example 255.255.255.0 4.5.6.0") == 0 && P.n_client_nat == 0 &&
	      strcmp(L.reason, "bad network") == 0);
	CHECK(parse(&P, &L, "client-nat dnat 1.2.3.0 255.255.255.0") == 0 && P.n_client_nat == 0 &&
	      P.n_rejected == 1);
	CHECK(parse(&P, &L, "client-nat dnat 1.2.3.0 255.255.255.0 4.5.6.0 x") == 0 && P.n_client_nat == 0 &&
	      P.n_rejected == 1);
	CHECK(parse(&P, &L, "client-nat dnat 1.2.3.0 255.255.255.0 4.5.6.256") == 0 && P.n_client_nat == 0 &&
	      strcmp(L.reason, "bad foreign network") == 0);
	/* The table holds VPNC_CLIENT_NAT_MAX; more are refused, each counted. */
	vpnc_push_init(&P);
	memset(&L, 0, sizeof(L));
	for (int i = 0; i < VPNC_CLIENT_NAT_MAX + 2; i++) {
		const char *r = "client-nat snat 10.0.0.1 255.255.255.255 10.1.0.1";
		CHECK(vpnc_push_parse(&P, r, strlen(r), logcb, &L) == 0);
	}
	CHECK(P.n_client_nat == VPNC_CLIENT_NAT_MAX && P.n_rejected == 2 && strstr(L.reason, "overflow") != NULL);
	/* route-nopull drops it with the routes, as 2.6's OPT_P_ROUTE class. */
	CHECK(parse_pol(&P, &L, "client-nat dnat 1.2.3.0 255.255.255.0 4.5.6.0", &nopull) == 0 &&
	      P.n_client_nat == 0 && P.n_filtered == 1 && P.n_rejected == 0);
	/* ... but not shaper (2.6's OPT_P_SHAPER is not a route class). */
	CHECK(parse_pol(&P, &L, "shaper 3000", &nopull) == 0 && P.shaper == 3000 && P.n_filtered == 0);
}

static void test_route_nopull(void)
{
	struct vpnc_push_policy pol = {.route_nopull = true};

	CHECK(parse_pol(&P, &L,
	                "ifconfig 10.8.0.2 255.255.255.0,topology subnet,route-gateway 10.8.0.1,"
	                "route 10.1.0.0 255.255.0.0,route-ipv6 fd01::/64,redirect-gateway def1 ipv6,"
	                "route-metric 7,dhcp-option DNS 10.0.0.53,dhcp-option DOMAIN example.org,"
	                "block-outside-dns,dns server 1 address 10.0.0.1,block-ipv6,ping 10,tun-mtu 1400",
	                &pol) == 0);
	CHECK(P.has_ifconfig && P.has_route_gateway && P.ping == 10 && P.tun_mtu == 1400);
	CHECK(P.n_routes == 0 && P.n_routes6 == 0 && P.redirect_gateway == 0 && P.route_metric == -1);
	CHECK(P.n_dns4 == 0 && P.n_domains == 0);
	CHECK(P.n_filtered == 9 && P.n_rejected == 0 && P.n_ignored == 0);
	/* Options outside the allow-list are still refused and logged. */
	CHECK(parse_pol(&P, &L, "route-up /bin/evil", &pol) == 0 && P.n_rejected == 1 && L.calls == 1);
}

/* Keywords in route's network and gateway positions, route-metric. */
static void test_route_keywords(void)
{
	CHECK(parse(&P, &L, "route remote_host 255.255.255.255 net_gateway,route vpn_gateway,"
	                    "route net_gateway 255.255.255.255 vpn_gateway 5,route 10.5.0.0 255.255.0.0 default default,"
	                    "route 10.6.0.0 255.255.0.0 vpn_gateway default,route-metric 50") == 0);
	CHECK(P.n_routes == 5 && P.n_rejected == 0 && P.route_metric == 50);
	CHECK(P.routes[0].net_kind == VPNC_RT_NET_REMOTE_HOST && P.routes[0].net == 0 &&
	      P.routes[0].mask == 0xFFFFFFFFu && P.routes[0].net_gateway);
	CHECK(P.routes[1].net_kind == VPNC_RT_NET_VPN_GATEWAY && P.routes[1].mask == 0xFFFFFFFFu &&
	      !P.routes[1].net_gateway && P.routes[1].gw == 0);
	CHECK(P.routes[2].net_kind == VPNC_RT_NET_NET_GATEWAY && P.routes[2].metric == 5);
	CHECK(P.routes[3].net_kind == VPNC_RT_NET_ADDR && P.routes[3].mask == 0xFFFF0000u &&
	      P.routes[3].gw == 0 && P.routes[3].metric == -1);
	CHECK(P.routes[4].gw == 0 && P.routes[4].metric == -1);
	/* remote_host cannot be a gateway on a tun; keywords are case-sensitive; a keyword with a mask. */
	CHECK(parse(&P, &L, "route 10.0.0.0 255.0.0.0 remote_host") == 0 && P.n_routes == 0 &&
	      strstr(L.reason, "remote_host") != NULL);
	CHECK(parse(&P, &L, "route REMOTE_HOST") == 0 && P.n_routes == 0 && P.n_rejected == 1);
	CHECK(parse(&P, &L, "route remote_host 255.255.0.0") == 0 && P.n_routes == 1);
	/* The same keyword route twice is one route; a literal 0.0.0.0/32 is not a keyword route. */
	CHECK(parse(&P, &L, "route vpn_gateway,route vpn_gateway,route 0.0.0.0") == 0 && P.n_routes == 2 &&
	      P.n_ignored == 1);
	/* route-metric bounds. */
	CHECK(parse(&P, &L, "route-metric -1") == 0 && P.route_metric == -1 && P.n_rejected == 1);
	CHECK(parse(&P, &L, "route-metric 2147483648") == 0 && P.route_metric == -1 && P.n_rejected == 1);
	CHECK(parse(&P, &L, "route-metric 0") == 0 && P.route_metric == 0);
	/* route-gateway dhcp: the gateway comes later, from a DHCP ACK on a TAP (test_dhcp.c). */
	CHECK(parse(&P, &L, "route-gateway dhcp") == 0 && !P.has_route_gateway && P.route_gateway_dhcp &&
	      P.n_ignored == 0);
}

static void test_init(void)
{
	vpnc_push_init(&P);
	CHECK(P.ping == -1 && P.ping_restart == -1 && P.inactive == -1 && P.explicit_exit_notify == -1);
	CHECK(P.tun_mtu == 0 && P.topology == VPNC_TOPO_NET30 && P.comp == VPNC_COMP_NONE);
	CHECK(P.n_routes == 0 && P.cipher[0] == '\0' && !P.has_peer_id);
}

/* One profile line through vpnc_push_profile_option(); words split on single spaces. */
static int prof(struct vpnc_push *p, const char *line)
{
	char buf[256], *save = NULL;
	const char *w[16], *why = NULL;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok_r(buf, " ", &save); t != NULL && n < 16; t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	int ret = vpnc_push_profile_option(p, w, n, &why);
	CHECK((ret < 0) == (why != NULL));
	return ret;
}

/* Profile options merged with a push as 2.6 does: lists appended, redirect flags ORed, --dns by priority. */
static void test_profile_merge(void)
{
	static struct vpnc_push base;
	struct vpnc_push_policy nopull = {.route_nopull = true};

	vpnc_push_init(&base);
	CHECK(prof(&base, "route 10.1.0.0 255.255.0.0 net_gateway 7") == 0);
	CHECK(prof(&base, "route-ipv6 fd01::/64") == 0);
	CHECK(prof(&base, "redirect-gateway def1") == 0);
	CHECK(prof(&base, "dhcp-option DNS 10.0.0.53") == 0);
	CHECK(prof(&base, "dhcp-option DOMAIN-SEARCH corp.example") == 0);
	CHECK(prof(&base, "dhcp-option DOMAIN-ROUTE .") == 0);
	CHECK(prof(&base, "dns server 0 address 10.0.0.1 [fd00::1]:853") == 0);
	CHECK(prof(&base, "dns server -5 address 10.0.0.5:5353") == 0);
	CHECK(prof(&base, "dns server 9 address 10.0.0.9") == 0);
	CHECK(prof(&base, "dns server 9 resolve-domains a.example b.example") == 0);
	CHECK(prof(&base, "dns search-domains s1.example") == 0);
	CHECK(prof(&base, "route-delay 5 30") == 1 && prof(&base, "max-routes 300") == 1);
	CHECK(prof(&base, "route-ipv6-gateway fd00::7") == 1 && prof(&base, "route-gateway dhcp") == 0);
	CHECK(base.route_gateway_dhcp);
	CHECK(vpnc_push_profile_finish(&base) == NULL);
	CHECK(base.n_routes == 1 && base.routes[0].net_gateway && base.routes[0].metric == 7);
	CHECK(base.n_dns_servers == 3 && base.dns_servers[0].priority == -5 && base.dns_servers[0].addr[0].port == 5353);
	CHECK(base.dns_servers[1].n_addr == 2 && base.dns_servers[1].addr[1].family == AF_INET6 &&
	      base.dns_servers[1].addr[1].port == 853 && ip6eq(base.dns_servers[1].addr[1].addr, "fd00::1"));
	CHECK(base.dns_servers[2].n_domains == 2 && !base.dns_servers[2].pushed);
	CHECK(base.n_route_domains == 1 && strcmp(base.route_domains[0], ".") == 0);
	CHECK(base.n_domains == 1 && base.domain_kind[0] == VPNC_DOM_SEARCH);

	/* Bad values name the reason and leave the struct as it was. */
	CHECK(prof(&base, "dns server 0 address vpn.example") < 0 && base.dns_servers[1].n_addr == 2);
	CHECK(prof(&base, "dns server 0 address [fd00::1]") < 0);
	CHECK(prof(&base, "dns server 128 address 10.0.0.1") < 0 && prof(&base, "dns server -129 address 10.0.0.1") < 0);
	CHECK(prof(&base, "dns server 1 dnssec maybe") < 0 && prof(&base, "dns server 1 transport DoQ") < 0);
	CHECK(prof(&base, "dns server 1 address 1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 5.5.5.5 6.6.6.6 7.7.7.7 8.8.8.8 9.9.9.9") < 0);
	CHECK(base.n_dns_servers == 3);
	CHECK(prof(&base, "redirect-gateway def1 bogus") < 0 && prof(&base, "route vpn.example 255.0.0.0 a.b") < 0);
	CHECK(prof(&base, "ping 10") < 0 && prof(&base, "route-delay soon") < 0);

	/* The push: routes appended, redirect flags added, a pushed server 0 replaces the profile's 0. */
	memcpy(&P, &base, sizeof(P));
	memset(&L, 0, sizeof(L));
	CHECK(vpnc_push_parse(&P, "route 10.2.0.0 255.255.0.0,redirect-gateway ipv6,dns server 0 address 10.9.9.9,"
	                          "dns server 0 dnssec yes,dns server 0 transport DoT,dns server 0 sni dns.example,"
	                          "dns search-domains s2.example,dhcp-option DNS 10.0.0.54,"
	                          "dns server -1 address 10.0.0.2",
	                      strlen("route 10.2.0.0 255.255.0.0,redirect-gateway ipv6,dns server 0 address 10.9.9.9,"
	                             "dns server 0 dnssec yes,dns server 0 transport DoT,dns server 0 sni dns.example,"
	                             "dns search-domains s2.example,dhcp-option DNS 10.0.0.54,"
	                             "dns server -1 address 10.0.0.2"),
	                      logcb, &L) == 0);
	CHECK(P.n_rejected == 1 && strcmp(L.option, "dns") == 0); /* pushed priorities are 0..127 */
	CHECK(P.n_routes == 2 && P.routes[0].net == ip4("10.1.0.0") && P.routes[1].net == ip4("10.2.0.0"));
	CHECK(P.redirect_gateway == (VPNC_RG_ENABLE | VPNC_RG_DEF1 | VPNC_RG_IPV6) && vpnc_rg_ipv4(P.redirect_gateway));
	CHECK(P.n_dns_servers == 3 && P.dns_servers[1].priority == 0 && P.dns_servers[1].pushed);
	CHECK(P.dns_servers[1].n_addr == 1 && P.dns_servers[1].dnssec == VPNC_DNSSEC_YES &&
	      P.dns_servers[1].transport == VPNC_DNST_DOT && strcmp(P.dns_servers[1].sni, "dns.example") == 0);
	CHECK(P.n_dns_search == 2 && strcmp(P.dns_search[1], "s2.example") == 0 && P.n_dns4 == 2);

	/* A pushed server without an address is dropped (2.6 fails the pull), and logged. */
	memcpy(&P, &base, sizeof(P));
	memset(&L, 0, sizeof(L));
	CHECK(vpnc_push_parse(&P, "dns server 3 dnssec no", 22, logcb, &L) == 0);
	CHECK(P.n_dns_servers == 3 && P.n_rejected == 1 && strcmp(L.reason, "a dns server has no address") == 0);

	/* route-nopull: the profile's routes and DNS stay, the pushed ones are dropped. */
	memcpy(&P, &base, sizeof(P));
	{
		const char *t = "route 10.2.0.0 255.255.0.0,redirect-gateway !ipv4,dhcp-option DNS 10.0.0.54";

		CHECK(vpnc_push_parse_filtered(&P, t, strlen(t), &nopull, NULL, NULL) == 0 && P.n_filtered == 3);
	}
	CHECK(P.n_routes == 1 && P.n_dns4 == 1 && vpnc_rg_ipv4(P.redirect_gateway));

	/* redirect-private, '!ipv4' and their order, as 2.6's flag arithmetic. */
	vpnc_push_init(&base);
	CHECK(prof(&base, "redirect-private local") == 0);
	CHECK((base.redirect_gateway & VPNC_RG_PRIVATE) && !vpnc_rg_ipv4(base.redirect_gateway));
	memcpy(&P, &base, sizeof(P));
	CHECK(vpnc_push_parse(&P, "redirect-gateway def1", 21, NULL, NULL) == 0 && vpnc_rg_ipv4(P.redirect_gateway));
	CHECK(P.redirect_gateway & VPNC_RG_LOCAL);
	vpnc_push_init(&base);
	CHECK(prof(&base, "redirect-gateway def1") == 0 && vpnc_rg_ipv4(base.redirect_gateway));
	CHECK(vpnc_push_parse(&base, "redirect-gateway ipv6 !ipv4", 27, NULL, NULL) == 0);
	CHECK(!vpnc_rg_ipv4(base.redirect_gateway) && (base.redirect_gateway & VPNC_RG_IPV6));

	/* A dns server with no address fails the profile; block-ipv6 and ifconfig with topology. */
	vpnc_push_init(&base);
	CHECK(prof(&base, "dns server 3 dnssec yes") == 0 && vpnc_push_profile_finish(&base) != NULL);
	vpnc_push_init(&base);
	CHECK(prof(&base, "block-ipv6") == 0 && base.block_ipv6);
	CHECK(prof(&base, "ifconfig 10.8.0.0 255.255.255.0") == 0 && prof(&base, "topology subnet") == 0);
	CHECK(vpnc_push_profile_finish(&base) != NULL); /* the network address */
}

int main(void)
{
	test_init();
	test_doc_example();
	test_eduvpn();
	test_routes();
	test_ifconfig();
	test_dns();
	test_numbers();
	test_crypto_and_comp();
	test_auth_token();
	test_token_user_decode();
	test_tokenizer_and_limits();
	test_continuation();
	test_pull_filter();
	test_route_nopull();
	test_client_nat();
	test_route_keywords();
	test_profile_merge();
	printf("test_push: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
