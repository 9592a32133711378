/*
 * test_privmsg.c: the privilege separation messages (src/priv/privmsg.h):
 * a push parsed from real PUSH_REPLY text passes through NET_APPLY and back
 * unchanged; every header and field rule rejects what it should, on both
 * directions; the replies are checked as strictly; a question's text
 * (ASK) is printable ASCII whatever the child puts in; the systemd
 * notifications the parent passes on (privsd.h) are exactly the ones vpnc
 * sends.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>

#include "os/tun_offload.h"
#include "priv/privio.h"
#include "priv/privmsg.h"
#include "priv/privsd.h"
#include "priv/privsrv.h"
#include "vpnc/config.h"
#include "vpnc/push.h"

#include "../check.h"

/* A reply in the shape stock OpenVPN 2.6 sends, with every network option vpnc applies. */
static const char REPLY[] =
	"route-gateway 10.8.0.1,topology subnet,ping 10,ping-restart 60,"
	"ifconfig 10.8.0.2 255.255.255.0,ifconfig-ipv6 fd00:8::1000/64 fd00:8::1,"
	"route 192.168.50.0 255.255.255.0,route 10.20.0.0 255.255.0.0 10.8.0.254 7,"
	"route remote_host 255.255.255.255 net_gateway,route-ipv6 fd00:99::/48,"
	"route-ipv6 2001:db8::/32 net_gateway_ipv6 5,redirect-gateway def1 ipv6 bypass-dhcp,"
	"dhcp-option DNS 10.8.0.1,dhcp-option DNS6 fd00:8::1,dhcp-option DOMAIN corp.example,"
	"dhcp-option DOMAIN-SEARCH lab.example,dhcp-option DOMAIN-ROUTE .,tun-mtu 1400,route-metric 50,"
	"dns server 1 address 10.8.0.53 [fd00:8::53]:5353,dns server 1 resolve-domains corp.example,"
	"dns server 1 dnssec yes,dns server 1 transport DoT,dns server 1 sni dns.corp.example,"
	"dns server 0 address 10.8.0.54,dns search-domains lab.example eng.example,"
	"cipher AES-256-GCM,peer-id 3,auth-token SESS_ID_secret";

static struct vpnc_push push, back;
static struct vpnc_priv_msg_net msg, msg2, bad;

static void parse_reply(void)
{
	vpnc_push_init(&push);
	CHECK(vpnc_push_parse(&push, REPLY, strlen(REPLY), NULL, NULL) == 0);
	CHECK(push.n_rejected == 0, "%u rejected", push.n_rejected);
	CHECK(push.n_routes == 3 && push.n_routes6 == 2 && push.n_domains == 2);
	CHECK(push.n_dns_servers == 2 && push.n_dns_search == 2);
}

static struct sockaddr_in server4(void)
{
	struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(1194)};

	inet_pton(AF_INET, "192.0.2.10", &s.sin_addr);
	return s;
}

/* NET_APPLY carries exactly the network fields, and nothing of the peer's other text. */
static void test_roundtrip(void)
{
	struct sockaddr_in s = server4();

	CHECK(vpnc_priv_net_from_push(&msg, &push, (struct sockaddr *)&s, NULL) == 0);
	CHECK(vpnc_priv_check(&msg, sizeof(msg), false) == VPNC_PRIV_NET_APPLY);
	CHECK(msg.h.len == sizeof(msg) && msg.net.server_family == AF_INET && msg.net.server_port == htons(1194));
	vpnc_priv_net_to_push(&msg.net, &back);
	CHECK(back.has_ifconfig && back.ifconfig_local == push.ifconfig_local &&
	      back.ifconfig_mask_or_peer == push.ifconfig_mask_or_peer && back.topology == VPNC_TOPO_SUBNET);
	CHECK(back.has_ifconfig6 && back.ifconfig6_bits == 64 &&
	      memcmp(back.ifconfig6_remote, push.ifconfig6_remote, 16) == 0);
	CHECK(back.n_routes == push.n_routes &&
	      memcmp(back.routes, push.routes, push.n_routes * sizeof(push.routes[0])) == 0);
	CHECK(back.n_routes6 == push.n_routes6 &&
	      memcmp(back.routes6, push.routes6, push.n_routes6 * sizeof(push.routes6[0])) == 0);
	CHECK(back.redirect_gateway == push.redirect_gateway && back.tun_mtu == 1400 && back.route_metric == 50);
	CHECK(back.n_dns4 == 1 && back.dns4[0] == push.dns4[0] && back.n_dns6 == 1);
	CHECK_STR(back.domains[0], "corp.example");
	CHECK_STR(back.domains[1], "lab.example");
	CHECK(back.domain_kind[0] == VPNC_DOM_DOMAIN && back.domain_kind[1] == VPNC_DOM_SEARCH);
	CHECK(back.n_route_domains == 1);
	CHECK_STR(back.route_domains[0], ".");
	/* 2.6's --dns, whole (the parent's DNS and scripts use it). */
	CHECK(back.n_dns_servers == 2 && back.n_dns_search == 2 &&
	      memcmp(back.dns_servers, push.dns_servers, 2 * sizeof(push.dns_servers[0])) == 0);
	CHECK(back.dns_servers[1].n_addr == 2 && back.dns_servers[1].addr[1].port == 5353 &&
	      back.dns_servers[1].transport == VPNC_DNST_DOT);
	CHECK_STR(back.dns_servers[1].sni, "dns.corp.example");
	CHECK_STR(back.dns_search[1], "eng.example");
	/* What the parent gets holds no crypto, no token, no timers. */
	CHECK(back.cipher[0] == '\0' && back.auth_token[0] == '\0' && !back.has_peer_id && back.ping == -1);
	/* And back again: byte for byte the same message. */
	CHECK(vpnc_priv_net_from_push(&msg2, &back, (struct sockaddr *)&s, NULL) == 0);
	CHECK(memcmp(&msg, &msg2, sizeof(msg)) == 0);

	/* Without a server, and with an empty push. */
	CHECK(vpnc_priv_net_from_push(&msg2, &push, NULL, NULL) == 0 && msg2.net.server_family == 0);
	vpnc_push_init(&back);
	CHECK(vpnc_priv_net_from_push(&msg2, &back, NULL, NULL) == 0);
	CHECK(vpnc_priv_check(&msg2, sizeof(msg2), false) == VPNC_PRIV_NET_APPLY);
	CHECK(vpnc_priv_check(&msg2, sizeof(msg2), true) == -EBADMSG, "a request from the parent");
}

/* Header: type, exact length, length field, reserved bytes, direction. */
static void test_header(void)
{
	struct vpnc_priv_hdr h;
	uint8_t big[sizeof(union vpnc_priv_msg) + 8] = {0};

	vpnc_priv_hdr_init(&h, VPNC_PRIV_TUN_OPEN);
	CHECK(vpnc_priv_check(&h, sizeof(h), false) == VPNC_PRIV_TUN_OPEN);
	CHECK(vpnc_priv_check(&h, sizeof(h), true) == -EBADMSG);
	CHECK(vpnc_priv_check(&h, sizeof(h) - 1, false) == -EBADMSG);
	CHECK(vpnc_priv_check(NULL, 0, false) == -EBADMSG);
	memcpy(big, &h, sizeof(h));
	CHECK(vpnc_priv_check(big, sizeof(h) + 1, false) == -EBADMSG, "trailing byte");
	CHECK(vpnc_priv_check(big, sizeof(big), false) == -EBADMSG, "longer than any message");
	h.len++;
	CHECK(vpnc_priv_check(&h, sizeof(h), false) == -EBADMSG, "length field");
	vpnc_priv_hdr_init(&h, VPNC_PRIV_REPIN);
	h.zero = 1;
	CHECK(vpnc_priv_check(&h, sizeof(h), false) == -EBADMSG, "reserved");
	for (int t = 0; t < 0x100; t++) {
		vpnc_priv_hdr_init(&h, t);
		if (vpnc_priv_len(t) == 0)
			CHECK(vpnc_priv_check(&h, sizeof(h), false) == -EBADMSG &&
			      vpnc_priv_check(&h, sizeof(h), true) == -EBADMSG, "type %d", t);
	}
	CHECK(vpnc_priv_len(VPNC_PRIV_NET_APPLY) == sizeof(struct vpnc_priv_msg_net));
	/* A NET_APPLY one byte short or long. */
	memcpy(big, &msg, sizeof(msg));
	CHECK(vpnc_priv_check(big, sizeof(msg) - 1, false) == -EBADMSG);
	CHECK(vpnc_priv_check(big, sizeof(msg) + 1, false) == -EBADMSG);
}

/* Each mutation of the good message must be refused. */
#define REFUSED(stmt)                                                                          \
	do {                                                                                   \
		bad = msg;                                                                     \
		stmt;                                                                          \
		CHECK(vpnc_priv_check(&bad, sizeof(bad), false) == -EBADMSG, "%s", #stmt);     \
	} while (0)

static void test_net_fields(void)
{
	struct vpnc_priv_net *n = &bad.net;

	/* flags, enums, counts */
	REFUSED(n->has_ifconfig = 2);
	REFUSED(n->has_ifconfig6 = 2);
	REFUSED(n->has_route_gateway = 2);
	REFUSED(n->topology = 3);
	REFUSED(n->zero[0] = 1);
	REFUSED(n->route_gateway_dhcp = 2);
	REFUSED(n->n_routes = VPNC_MAX_ROUTES + 1);
	REFUSED(n->n_routes6 = VPNC_MAX_ROUTES + 1);
	REFUSED(n->n_dns4 = VPNC_MAX_DNS + 1);
	REFUSED(n->n_dns6 = VPNC_MAX_DNS + 1);
	REFUSED(n->n_domains = VPNC_MAX_DOMAINS + 1);
	/* a count that puts a zeroed slot in use (invalid for DNS, domains), or leaves a used slot beyond it */
	REFUSED(n->n_dns4++);
	REFUSED(n->n_domains++);
	REFUSED(n->n_routes--);
	REFUSED(n->n_routes6--);
	REFUSED(n->n_dns6--);
	REFUSED(n->n_domains--);
	REFUSED(n->routes[VPNC_MAX_ROUTES - 1].metric = 1);
	REFUSED(n->dns4[VPNC_MAX_DNS - 1] = 1);
	/* ifconfig */
	REFUSED(n->ifconfig_local = 0);
	REFUSED(n->ifconfig_local = 0x7F000001);
	REFUSED(n->ifconfig_local = 0xE0000001);
	REFUSED(n->ifconfig_mask_or_peer = 0xFF00FF00);
	REFUSED(n->ifconfig_local = 0x0A080000);              /* the network address of the /24 */
	REFUSED(n->ifconfig_local = 0x0A0800FF);              /* its broadcast */
	REFUSED(n->has_ifconfig = 0);                         /* fields left set */
	REFUSED(n->ifconfig6_bits = 0);
	REFUSED(n->ifconfig6_bits = 129);
	REFUSED(n->ifconfig6_local[0] = 0xFF);
	REFUSED(memset(n->ifconfig6_remote, 0xFF, 16));
	REFUSED(n->has_ifconfig6 = 0);
	/* route-gateway, redirect-gateway, mtu, metric */
	REFUSED(n->route_gateway = 0xFFFFFFFF);
	REFUSED(n->has_route_gateway = 0);
	REFUSED(n->redirect_gateway = VPNC_RG_DEF1);
	REFUSED(n->tun_mtu = 575);
	REFUSED(n->tun_mtu = 9001);
	REFUSED(n->tun_mtu = -1);
	REFUSED(n->route_metric = -2);
	/* routes */
	REFUSED(n->routes[0].mask = 0xFF00FF00);
	REFUSED(n->routes[0].net |= 1);                       /* outside its mask */
	REFUSED(n->routes[0].metric = -5);
	REFUSED(n->routes[0].net_gateway = 2);
	REFUSED(n->routes[0].net_kind = VPNC_RT_NET_HOST + 1);
	REFUSED(n->routes[0].net_kind = VPNC_RT_NET_HOST);    /* a host name index must be < VPNC_MAX_ROUTE_HOSTS */
	REFUSED(n->routes[0].zero[0] = 1);
	REFUSED(n->routes[1].gw = 0xE0000001);
	REFUSED(n->routes[2].net = 0x0A000000);               /* a keyword route with a network */
	REFUSED(n->routes[2].gw = 0x0A080001);                /* net_gateway with a gateway */
	REFUSED(n->routes6[0].bits = 129);
	REFUSED(n->routes6[0].net[15] = 1);                   /* host bits of a /48 */
	REFUSED(n->routes6[0].gw[0] = 0xFF);
	REFUSED(n->routes6[1].gw[15] = 1);                    /* net_gateway with a gateway */
	REFUSED(n->routes6[0].zero[1] = 1);
	/* DNS */
	REFUSED(n->dns4[0] = 0);
	REFUSED(n->dns4[0] = 0xE00000FB);
	REFUSED(memset(n->dns6[0], 0, 16));
	REFUSED(n->dns6[0][0] = 0xFF);
	REFUSED(n->domains[0][3] = ' ');
	REFUSED(n->domains[0][3] = '\n');
	REFUSED(n->domains[0][0] = '-');
	REFUSED(n->domains[0][0] = '\0');
	REFUSED(memset(n->domains[0], 'a', VPNC_PRIV_DOMAIN_MAX));          /* no NUL */
	REFUSED(n->domains[0][VPNC_PRIV_DOMAIN_MAX - 1] = 'x');             /* bytes after the NUL */
	REFUSED(n->domains[VPNC_MAX_DOMAINS - 1][0] = 'x');                  /* an unused slot */
	REFUSED(n->domain_kind[0] = VPNC_DOM_ADAPTER + 1);
	REFUSED(n->domain_kind[VPNC_MAX_DOMAINS - 1] = 1);                   /* beyond n_domains */
	REFUSED(n->n_route_domains = VPNC_MAX_DOMAINS + 1);
	REFUSED(n->route_domains[0][0] = ';');
	REFUSED(n->route_domains[1][0] = 'x');                               /* an unused slot */
	REFUSED(n->zero2[0] = 1);
	/* 2.6's --dns */
	REFUSED(n->n_dns_servers = VPNC_DNSOPT_SERVERS + 1);
	REFUSED(n->n_dns_servers = 3);                                       /* a zeroed slot in use */
	REFUSED(n->n_dns_servers = 1);                                       /* a used slot beyond */
	REFUSED(n->zero3[0] = 1);
	REFUSED(n->dns_servers[0].priority = 128);
	REFUSED(n->dns_servers[0].priority = -1);                            /* pushed: 0..127 */
	REFUSED(n->dns_servers[0].pushed = 2);
	REFUSED(n->dns_servers[0].n_addr = VPNC_DNSOPT_ADDRS + 1);
	REFUSED(n->dns_servers[0].n_addr = 2);                               /* a zeroed address in use */
	REFUSED(n->dns_servers[1].n_addr = 1);                               /* a used address beyond */
	REFUSED(n->dns_servers[1].addr[0].family = AF_INET6 + 1);
	REFUSED(n->dns_servers[1].addr[0].zero = 1);
	REFUSED(memset(n->dns_servers[1].addr[0].addr, 0, 4));
	REFUSED(n->dns_servers[1].addr[0].addr[0] = 224);                    /* multicast */
	REFUSED(n->dns_servers[1].addr[0].addr[5] = 1);                      /* beyond an IPv4 address */
	REFUSED(n->dns_servers[1].addr[1].addr[0] = 0xFF);
	REFUSED(n->dns_servers[1].dnssec = VPNC_DNSSEC_NO + 1);
	REFUSED(n->dns_servers[1].transport = VPNC_DNST_DOT + 1);
	REFUSED(n->dns_servers[1].zero[2] = 1);
	REFUSED(n->dns_servers[1].zero2[1] = 1);
	REFUSED(n->dns_servers[1].n_domains = 2);
	REFUSED(n->dns_servers[1].domains[0][0] = '-');
	REFUSED(n->dns_servers[1].domains[1][0] = 'x');                      /* an unused slot */
	REFUSED(n->dns_servers[1].sni[0] = ' ');
	REFUSED(memset(n->dns_servers[1].sni, 'a', VPNC_DNSOPT_SNI_MAX));     /* no NUL */
	REFUSED(n->dns_servers[1].sni[VPNC_DNSOPT_SNI_MAX - 1] = 'x');        /* bytes after the NUL */
	REFUSED(n->n_dns_search = VPNC_DNSOPT_DOMAINS + 1);
	REFUSED(n->n_dns_search = 3);
	REFUSED(n->dns_search[0][0] = '.');
	REFUSED(n->dns_search[2][0] = 'x');
	REFUSED(n->redirect_gateway |= 1u << 10);
	/* server */
	REFUSED(n->server_port = 0);
	REFUSED(n->server_family = AF_INET6 + 1);
	REFUSED(n->server[5] = 1);                            /* beyond an IPv4 address */
	REFUSED(memset(n->server, 0, 4));
	REFUSED(n->server_family = 0);

	/* A route to a host name of the profile: its index only (the parent resolves its own copy). */
	bad = msg;
	n->routes[0] = (struct vpnc_priv_route4){.net = 3, .mask = 0xFFFFFF00u, .metric = -1,
	                                         .net_kind = VPNC_RT_NET_HOST};
	CHECK(vpnc_priv_check(&bad, sizeof(bad), false) == VPNC_PRIV_NET_APPLY, "host route index 3");
	REFUSED(n->routes[0].net = VPNC_MAX_ROUTE_HOSTS);
	REFUSED(n->routes[0].mask = 0xFF00FF00);
	REFUSED(n->routes[0].gw = 0xE0000001);
	REFUSED((n->routes[0].net_gateway = 1, n->routes[0].gw = 0x0A080001));

	/* The largest legal push passes: every slot used, longest names. */
	bad = msg;
	n->n_routes = VPNC_MAX_ROUTES;
	n->n_routes6 = VPNC_MAX_ROUTES;
	for (unsigned i = 0; i < VPNC_MAX_ROUTES; i++) {
		n->routes[i] = (struct vpnc_priv_route4){.net = 0x0B000000u | i << 8, .mask = 0xFFFFFF00u,
		                                         .metric = (int32_t)i};
		n->routes6[i] = (struct vpnc_priv_route6){.net = {0xfd, 0, 0, (uint8_t)i}, .bits = 64, .metric = -1};
	}
	n->n_dns4 = n->n_dns6 = VPNC_MAX_DNS;
	n->n_domains = VPNC_MAX_DOMAINS;
	for (unsigned i = 0; i < VPNC_MAX_DNS; i++) {
		n->dns4[i] = 0x0A080001u + i;
		memset(n->dns6[i], 0, 16);
		n->dns6[i][0] = 0xfd;
		n->dns6[i][15] = (uint8_t)(i + 1);
	}
	for (unsigned i = 0; i < VPNC_MAX_DOMAINS; i++) {
		char *d = n->domains[i];

		memset(d, 0, VPNC_PRIV_DOMAIN_MAX);
		/* four labels of 62 and one of 1..: 253 bytes */
		for (unsigned j = 0; j < 4; j++) {
			memset(d + j * 63, 'a' + (char)i, 62);
			d[j * 63 + 62] = '.';
		}
		d[252] = 'z';
	}
	CHECK(vpnc_priv_check(&bad, sizeof(bad), false) == VPNC_PRIV_NET_APPLY);
	vpnc_priv_net_to_push(&bad.net, &back);
	CHECK(vpnc_priv_net_from_push(&msg2, &back, (struct sockaddr *)&(struct sockaddr_in){
	                                                .sin_family = AF_INET, .sin_port = htons(1194),
	                                                .sin_addr.s_addr = htonl(0xC000020A)}, NULL) == 0);
	CHECK(memcmp(&msg2, &bad, sizeof(bad)) == 0);

	/* A push the child should not hold (an over-long domain) is refused on its own side too. */
	back.domains[0][0] = '.';
	CHECK(vpnc_priv_net_from_push(&msg2, &back, NULL, NULL) == -EBADMSG);
}

static void test_small_requests(void)
{
	struct vpnc_priv_msg_resolve r;
	struct vpnc_priv_msg_relay q;
	struct vpnc_priv_msg_down d;

	memset(&r, 0, sizeof(r));
	vpnc_priv_hdr_init(&r.h, VPNC_PRIV_RESOLVE);
	r.remote = VPNC_PRIV_MAX_REMOTES - 1;
	CHECK(vpnc_priv_check(&r, sizeof(r), false) == VPNC_PRIV_RESOLVE);
	r.remote++;
	CHECK(vpnc_priv_check(&r, sizeof(r), false) == -EBADMSG);
	r.remote = 0;
	r.what = VPNC_PRIV_RESOLVE_SOCKS_SERVER;
	CHECK(vpnc_priv_check(&r, sizeof(r), false) == VPNC_PRIV_RESOLVE);
	r.what++;
	CHECK(vpnc_priv_check(&r, sizeof(r), false) == -EBADMSG, "an unknown 'what'");
	r.what = 0;
	CHECK(vpnc_priv_check(&r, sizeof(r) - 4, false) == -EBADMSG, "RESOLVE without 'what'");

	/* RELAY: a unicast address with a port, for a remote index in range; nothing else. */
	memset(&q, 0, sizeof(q));
	vpnc_priv_hdr_init(&q.h, VPNC_PRIV_RELAY);
	q.remote = 3;
	q.relay = (struct vpnc_priv_addr){.family = AF_INET, .port = htons(40000), .addr = {192, 0, 2, 1}};
	CHECK(vpnc_priv_check(&q, sizeof(q), false) == VPNC_PRIV_RELAY);
	CHECK(vpnc_priv_check(&q, sizeof(q), true) == -EBADMSG, "a request from the parent");
	CHECK(q.h.len == 32 && vpnc_priv_check(&q, sizeof(q) - 1, false) == -EBADMSG);
	q.relay.family = AF_INET6;
	q.relay.addr[0] = 0x20;
	q.relay.addr[1] = 0x01;
	q.relay.addr[15] = 1;
	CHECK(vpnc_priv_check(&q, sizeof(q), false) == VPNC_PRIV_RELAY);
	q.relay = (struct vpnc_priv_addr){.family = AF_INET, .port = htons(40000), .addr = {192, 0, 2, 1}};
	q.relay.addr[4] = 1; /* past an IPv4 address */
	CHECK(vpnc_priv_check(&q, sizeof(q), false) == -EBADMSG);
	q.relay.addr[4] = 0;
	q.relay.port = 0;
	CHECK(vpnc_priv_check(&q, sizeof(q), false) == -EBADMSG, "no port");
	q.relay.port = htons(40000);
	q.relay.zero = 1;
	CHECK(vpnc_priv_check(&q, sizeof(q), false) == -EBADMSG);
	q.relay.zero = 0;
	q.relay.family = AF_UNIX;
	CHECK(vpnc_priv_check(&q, sizeof(q), false) == -EBADMSG);
	q.relay.family = AF_INET;
	for (int i = 0; i < 3; i++) {
		static const uint8_t not_unicast[3][4] = {{0, 0, 0, 0}, {255, 255, 255, 255}, {224, 0, 0, 1}};

		memcpy(q.relay.addr, not_unicast[i], 4);
		CHECK(vpnc_priv_check(&q, sizeof(q), false) == -EBADMSG, "relay %d", i);
	}
	q.relay.family = AF_INET6;
	memset(q.relay.addr, 0, 16);
	q.relay.addr[15] = 1; /* ::1 */
	CHECK(vpnc_priv_check(&q, sizeof(q), false) == -EBADMSG, "a relay on ::1");
	memcpy(q.relay.addr, (uint8_t[16]){0x20, 0x01, 0x0d, 0xb8, [15] = 1}, 16);
	q.remote = VPNC_PRIV_MAX_REMOTES;
	CHECK(vpnc_priv_check(&q, sizeof(q), false) == -EBADMSG);

	vpnc_priv_hdr_init(&d.h, VPNC_PRIV_DOWN);
	d.why = VPNC_PRIV_DOWN_FATAL;
	CHECK(vpnc_priv_check(&d, sizeof(d), false) == VPNC_PRIV_DOWN);
	d.why++;
	CHECK(vpnc_priv_check(&d, sizeof(d), false) == -EBADMSG);
}

static void test_replies(void)
{
	struct vpnc_priv_msg_result r;
	struct vpnc_priv_msg_tun t;
	struct vpnc_priv_msg_addrs a;

	memset(&r, 0, sizeof(r));
	vpnc_priv_hdr_init(&r.h, VPNC_PRIV_RESULT);
	r.request = VPNC_PRIV_NET_APPLY;
	r.mtu = 1400;
	r.n_failed = 2;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == VPNC_PRIV_RESULT);
	CHECK(vpnc_priv_check(&r, sizeof(r), false) == -EBADMSG, "a reply from the child");
	r.mtu = 67;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG);
	r.mtu = 0;
	/* Why DNS failed: text only with a failure, printable, NUL-padded. */
	memcpy(r.dns_why, "file: Read-only file system", 27);
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG, "a reason without a DNS failure");
	r.dns = VPNC_PRIV_DNS_FAILED;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == VPNC_PRIV_RESULT);
	r.dns_why[5] = '\n';
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG, "a control byte in the reason");
	r.dns_why[5] = ' ';
	r.dns_why[40] = 'x';
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG, "bytes after the NUL");
	r.dns_why[40] = '\0';
	memset(r.dns_why, 'a', sizeof(r.dns_why));
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG, "no NUL");
	memset(r.dns_why, 0, sizeof(r.dns_why));
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == VPNC_PRIV_RESULT, "a failure without a reason");
	r.dns = 0;
	r.err = -EPERM;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == VPNC_PRIV_RESULT);
	r.err = 1;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG);
	r.err = -4096;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG);
	r.err = 0;
	r.n_failed = VPNC_PRIV_MAX_ITEMS + 1;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG);
	r.n_failed = 0;
	r.request = VPNC_PRIV_TUN_OPEN;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG, "TUN_OPEN succeeds with TUN");
	r.err = -ENOENT;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == VPNC_PRIV_RESULT, "TUN_OPEN fails with RESULT");
	r.err = 0;
	r.request = VPNC_PRIV_RESOLVE;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG, "RESOLVE answers with ADDRS");
	r.request = VPNC_PRIV_RELAY;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == VPNC_PRIV_RESULT);
	r.err = -ENOSPC;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == VPNC_PRIV_RESULT, "a relay not let through");
	r.n_failed = 1;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG);
	r.n_failed = 0;
	r.err = 0;
	r.request = VPNC_PRIV_DOWN;
	r.mtu = 1500;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG);

	memset(&t, 0, sizeof(t));
	vpnc_priv_hdr_init(&t.h, VPNC_PRIV_TUN);
	strcpy(t.name, "tun0");
	t.ifindex = 7;
	CHECK(vpnc_priv_check(&t, sizeof(t), true) == VPNC_PRIV_TUN);
	t.offloads = VPNC_TUN_OFF_VNET | VPNC_TUN_OFF_TSO;
	CHECK(vpnc_priv_check(&t, sizeof(t), true) == VPNC_PRIV_TUN);
	t.offloads = VPNC_TUN_OFF_TSO; /* offloads without the header */
	CHECK(vpnc_priv_check(&t, sizeof(t), true) == -EBADMSG);
	t.offloads = 0x08;
	CHECK(vpnc_priv_check(&t, sizeof(t), true) == -EBADMSG);
	t.offloads = 0;
	t.ifindex = 0;
	CHECK(vpnc_priv_check(&t, sizeof(t), true) == -EBADMSG);
	t.ifindex = 7;
	t.name[6] = 'x'; /* after the NUL */
	CHECK(vpnc_priv_check(&t, sizeof(t), true) == -EBADMSG);
	memset(t.name, 'a', IFNAMSIZ);
	CHECK(vpnc_priv_check(&t, sizeof(t), true) == -EBADMSG);
	memset(t.name, 0, IFNAMSIZ);
	CHECK(vpnc_priv_check(&t, sizeof(t), true) == -EBADMSG, "empty name");
	strcpy(t.name, "tun/0");
	CHECK(vpnc_priv_check(&t, sizeof(t), true) == -EBADMSG);
	strcpy(t.name, "..");
	CHECK(vpnc_priv_check(&t, sizeof(t), true) == -EBADMSG);

	memset(&a, 0, sizeof(a));
	vpnc_priv_hdr_init(&a.h, VPNC_PRIV_ADDRS);
	a.remote = 1;
	a.n = 2;
	a.addrs[0] = (struct vpnc_priv_addr){.family = AF_INET, .port = htons(1194), .addr = {192, 0, 2, 1}};
	a.addrs[1] = (struct vpnc_priv_addr){.family = AF_INET6, .port = htons(443), .addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
	CHECK(vpnc_priv_check(&a, sizeof(a), true) == VPNC_PRIV_ADDRS);
	a.addrs[0].addr[4] = 1;
	CHECK(vpnc_priv_check(&a, sizeof(a), true) == -EBADMSG);
	a.addrs[0].addr[4] = 0;
	a.addrs[1].port = 0;
	CHECK(vpnc_priv_check(&a, sizeof(a), true) == -EBADMSG);
	a.addrs[1].port = htons(443);
	a.err = -ENOENT;
	CHECK(vpnc_priv_check(&a, sizeof(a), true) == -EBADMSG, "an error with addresses");
	a.n = 0;
	CHECK(vpnc_priv_check(&a, sizeof(a), true) == -EBADMSG, "slots beyond n");
	memset(a.addrs, 0, sizeof(a.addrs));
	CHECK(vpnc_priv_check(&a, sizeof(a), true) == VPNC_PRIV_ADDRS);
	a.n = VPNC_PRIV_MAX_ADDRS + 1;
	a.err = 0;
	CHECK(vpnc_priv_check(&a, sizeof(a), true) == -EBADMSG);

	/* 'what' echoes the request; a SOCKS server (never connected to) may be the proxy's ::1. */
	a.n = 1;
	a.addrs[0] = (struct vpnc_priv_addr){.family = AF_INET6, .port = htons(1194), .addr = {[15] = 1}};
	CHECK(vpnc_priv_check(&a, sizeof(a), true) == -EBADMSG, "::1 to connect to");
	a.what = VPNC_PRIV_RESOLVE_SOCKS_SERVER;
	CHECK(vpnc_priv_check(&a, sizeof(a), true) == VPNC_PRIV_ADDRS, "::1 behind a SOCKS proxy");
	a.addrs[0].addr[15] = 0;
	CHECK(vpnc_priv_check(&a, sizeof(a), true) == -EBADMSG, ":: behind a SOCKS proxy");
	a.addrs[0].addr[15] = 1;
	a.what = VPNC_PRIV_RESOLVE_SOCKS_SERVER + 1;
	CHECK(vpnc_priv_check(&a, sizeof(a), true) == -EBADMSG);
}

/* systemd notifications the parent passes on (privsd.h): exactly what sdnotify.c sends. */
static void test_sd(void)
{
	static const char *const good[] = {
		"READY=1\nSTATUS=connected: tun0 10.8.0.2/24, cipher AES-256-GCM",
		"STATUS=resolving vpn.example.com",
		"RELOADING=1\nMONOTONIC_USEC=123456789\nSTATUS=reconnecting (SIGHUP)",
		"STOPPING=1\nSTATUS=exiting (SIGTERM)",
		"WATCHDOG=1",
		"STATUS=",
	};
	static const char *const bad_msgs[] = {
		"", "MAINPID=1", "READY=1\nMAINPID=1", "FDSTORE=1", "EXTEND_TIMEOUT_USEC=99999999",
		"READY=2", "READY=1\n", "\nREADY=1", "READY=1\n\nWATCHDOG=1", "READY", "=1", "ready=1",
		"READY=1\nREADY=1", "STATUS=a\tb", "STATUS=a\x7f", "MONOTONIC_USEC=", "MONOTONIC_USEC=12a",
		"MONOTONIC_USEC=123456789012345678901", "WATCHDOG=trigger", "STATUS=x\nSTATUS=y",
	};
	char big[VPNC_PRIV_SD_MAX + 2];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(vpnc_priv_sd_check(good[i], strlen(good[i])) == 0, "%s", good[i]);
	for (size_t i = 0; i < sizeof(bad_msgs) / sizeof(bad_msgs[0]); i++)
		CHECK(vpnc_priv_sd_check(bad_msgs[i], strlen(bad_msgs[i])) == -EBADMSG, "'%s'", bad_msgs[i]);
	CHECK(vpnc_priv_sd_check("READY=1\0", 8) == -EBADMSG, "a NUL");
	memcpy(big, "STATUS=", 7);
	memset(big + 7, 'x', sizeof(big) - 7);
	CHECK(vpnc_priv_sd_check(big, VPNC_PRIV_SD_MAX) == 0, "the longest");
	CHECK(vpnc_priv_sd_check(big, VPNC_PRIV_SD_MAX + 1) == -EBADMSG, "one byte more");
}

/* ASK and ASK_DONE (privmsg.h): the text the parent shows on its terminal is printable ASCII. */
static void test_ask(void)
{
	struct vpnc_priv_msg_ask a, b;
	struct vpnc_priv_msg_ask_done d;
	struct vpnc_priv_msg_result r;
	char long_text[VPNC_PRIV_ASK_TEXT + 40];

	CHECK(vpnc_priv_ask_init(&a, 7, 4, true, "CHALLENGE: Enter the code from your app") == 0);
	CHECK(vpnc_priv_check(&a, sizeof(a), false) == VPNC_PRIV_ASK);
	CHECK(vpnc_priv_check(&a, sizeof(a), true) == -EBADMSG, "a request from the parent");
	CHECK(a.id == 7 && a.kind == 4 && a.echo == 1 && strcmp(a.text, "CHALLENGE: Enter the code from your app") == 0);
	CHECK(vpnc_priv_check(&a, sizeof(a) - 1, false) == -EBADMSG, "short");
	/* The child's own text is made safe before it is sent: control bytes, ESC, DEL, non-ASCII. */
	CHECK(vpnc_priv_ask_init(&a, 1, 1, false, "Pass\x1b[2J\r\nword\x7f\xc3\xa9:") == 0);
	CHECK(strcmp(a.text, "Pass?[2J??word???:") == 0, "%s", a.text);
	CHECK(vpnc_priv_check(&a, sizeof(a), false) == VPNC_PRIV_ASK);
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	CHECK(vpnc_priv_ask_init(&a, 1, 0, true, long_text) == 0 && strlen(a.text) == VPNC_PRIV_ASK_TEXT - 1);
	CHECK(vpnc_priv_check(&a, sizeof(a), false) == VPNC_PRIV_ASK, "cut, still NUL-terminated");
	CHECK(vpnc_priv_ask_init(&a, 1, 0, true, "") == 0 && vpnc_priv_check(&a, sizeof(a), false) == VPNC_PRIV_ASK);
	CHECK(vpnc_priv_ask_init(&a, 0, 0, true, "x") == -EINVAL, "id 0");
	CHECK(vpnc_priv_ask_init(&a, 1, VPNC_PRIV_ASK_KINDS, true, "x") == -EINVAL, "unknown kind");
	CHECK(vpnc_priv_ask_init(&a, 1, -1, true, "x") == -EINVAL, "negative kind");

	/* Each rule on a message that did not come from vpnc_priv_ask_init(). */
	CHECK(vpnc_priv_ask_init(&a, 9, 1, false, "Enter Auth Password:") == 0);
#define ASK_BAD(stmt)                                                                        \
	do {                                                                                 \
		b = a;                                                                       \
		stmt;                                                                        \
		CHECK(vpnc_priv_check(&b, sizeof(b), false) == -EBADMSG, "%s", #stmt);     \
	} while (0)
	ASK_BAD(b.id = 0);
	ASK_BAD(b.kind = VPNC_PRIV_ASK_KINDS);
	ASK_BAD(b.echo = 2);
	ASK_BAD(b.zero[1] = 1);
	ASK_BAD(b.text[0] = '\0');                                  /* empty */
	ASK_BAD(b.text[3] = '\x1b');                                /* a terminal escape */
	ASK_BAD(b.text[3] = '\n');
	ASK_BAD(b.text[3] = '\x7f');
	ASK_BAD(b.text[3] = (char)0x9b);                            /* a C1 CSI */
	ASK_BAD(b.text[3] = (char)0xc3);                            /* not ASCII */
	ASK_BAD(b.text[VPNC_PRIV_ASK_TEXT - 2] = 'x');              /* garbage after the NUL */
	ASK_BAD(memset(b.text, 'x', sizeof(b.text)));               /* no NUL */
	ASK_BAD(b.h.len = 12);
#undef ASK_BAD

	vpnc_priv_hdr_init(&d.h, VPNC_PRIV_ASK_DONE);
	d.id = 9;
	CHECK(vpnc_priv_check(&d, sizeof(d), false) == VPNC_PRIV_ASK_DONE);
	CHECK(vpnc_priv_check(&d, sizeof(d), true) == -EBADMSG, "a request from the parent");
	d.id = 0;
	CHECK(vpnc_priv_check(&d, sizeof(d), false) == -EBADMSG, "id 0");

	/* Their RESULTs: ASK may fail (-ENXIO: the parent has neither front end); ASK_DONE does not. */
	memset(&r, 0, sizeof(r));
	vpnc_priv_hdr_init(&r.h, VPNC_PRIV_RESULT);
	r.request = VPNC_PRIV_ASK;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == VPNC_PRIV_RESULT);
	r.err = -ENXIO;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == VPNC_PRIV_RESULT);
	r.mtu = 1400;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG, "an MTU for ASK");
	r.mtu = 0;
	r.n_failed = 1;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG, "n_failed for ASK");
	r.n_failed = 0;
	r.dns = 1;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG, "DNS state for ASK");
	r.dns = 0;
	r.request = VPNC_PRIV_ASK_DONE;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG, "ASK_DONE does not fail");
	r.err = 0;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == VPNC_PRIV_RESULT);
}

/* Sets a fixed string field, NUL-padded. */
#define SETF(field, text) (memset((field), 0, sizeof(field)), strcpy((field), (text)))

/* VERIFY (tls-verify under privsep): printable strings, digits, lowercase hex of the right length. */
/* MARK: a bare request from the child; its socket rides along (privio.c) and only with it. */
static void test_mark(void)
{
	struct vpnc_priv_hdr h;
	struct vpnc_priv_msg_result r;
	union vpnc_priv_msg m;
	int sv[2], s, fd = -1;

	CHECK(VPNC_PRIV_MARK == 13, "the wire number stays");
	vpnc_priv_hdr_init(&h, VPNC_PRIV_MARK);
	CHECK(vpnc_priv_check(&h, sizeof(h), false) == VPNC_PRIV_MARK);
	CHECK(vpnc_priv_check(&h, sizeof(h), true) == -EBADMSG, "a MARK from the parent");
	h.zero = 1;
	CHECK(vpnc_priv_check(&h, sizeof(h), false) == -EBADMSG, "reserved");
	memset(&r, 0, sizeof(r));
	vpnc_priv_hdr_init(&r.h, VPNC_PRIV_RESULT);
	r.request = VPNC_PRIV_MARK;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == VPNC_PRIV_RESULT);
	r.err = -EPERM;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == VPNC_PRIV_RESULT, "the kernel refused");
	r.mtu = 1500;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG, "an mtu in a MARK result");
	r.mtu = 0;
	r.n_failed = 1;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG, "n_failed in a MARK result");

	/* Through the socketpair: the parent takes the socket with MARK, refuses one without a slot for it. */
	CHECK(vpnc_priv_socketpair(sv) == 0);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	CHECK(s >= 0);
	vpnc_priv_hdr_init(&h, VPNC_PRIV_MARK);
	CHECK(vpnc_priv_send(sv[1], &h, sizeof(h), s) == 0);
	CHECK(vpnc_priv_recv(sv[0], &m, false, &fd) == VPNC_PRIV_MARK);
	CHECK(fd >= 0 && fd != s, "a descriptor of its own came along");
	if (fd >= 0)
		close(fd);
	CHECK(vpnc_priv_send(sv[1], &h, sizeof(h), s) == 0);
	CHECK(vpnc_priv_recv(sv[0], &m, false, NULL) == -EBADMSG, "no slot for the descriptor");
	CHECK(vpnc_priv_send(sv[1], &h, sizeof(h), -1) == 0);
	CHECK(vpnc_priv_recv(sv[0], &m, false, &fd) == -EBADMSG && fd == -1, "MARK without its socket");
	/* A RESULT from the parent may not carry a descriptor. */
	CHECK(vpnc_priv_send(sv[0], &r, sizeof(r), s) == 0);
	CHECK(vpnc_priv_recv(sv[1], &m, true, &fd) == -EBADMSG, "a descriptor with a RESULT");
	close(s);
	close(sv[0]);
	close(sv[1]);
}

/* The parent's side of MARK: its own profile's mark, on an IPv4/IPv6 UDP or TCP socket only. */
static void test_mark_srv(void)
{
	struct vpnc_config conf;
	struct vpnc_privsrv srv;
	union vpnc_priv_msg reply;
	int s, p[2], got = 0;
	socklen_t len = sizeof(got);

	memset(&conf, 0, sizeof(conf));
	memset(&srv, 0, sizeof(srv));
	conf.mark = 66;
	srv.conf = &conf;
	s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	CHECK(s >= 0);
	vpnc_privsrv_mark(&srv, dup(s), &reply);
	CHECK(vpnc_priv_check(&reply, reply.h.len, true) == VPNC_PRIV_RESULT && reply.result.request == VPNC_PRIV_MARK);
	if (reply.result.err == -EPERM) {
		printf("test_mark_srv: no CAP_NET_ADMIN, the mark itself not checked\n");
	} else {
		CHECK(reply.result.err == 0, "err %d", reply.result.err);
		CHECK(getsockopt(s, SOL_SOCKET, SO_MARK, &got, &len) == 0 && got == 66, "the mark is on the socket");
	}
	close(s);
	conf.mark = 0;
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	CHECK(s >= 0);
	vpnc_privsrv_mark(&srv, s, &reply);
	CHECK(reply.result.err == -EINVAL, "a profile without mark");
	conf.mark = 66;
	CHECK(pipe(p) == 0);
	vpnc_privsrv_mark(&srv, p[0], &reply);
	CHECK(reply.result.err == -ENOTSOCK, "a pipe");
	CHECK(fcntl(p[0], F_GETFD) < 0 && errno == EBADF, "the parent closed what it got");
	close(p[1]);
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, p) == 0);
	vpnc_privsrv_mark(&srv, p[0], &reply);
	CHECK(reply.result.err == -ENOTSOCK, "a unix socket");
	close(p[1]);
	s = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (s >= 0) {
		vpnc_privsrv_mark(&srv, s, &reply);
		CHECK(reply.result.err == -ENOTSOCK, "a raw socket");
	}
}

static void test_verify(void)
{
	static const char sha1[] = "7d:bb:41:f8:a0:ff:a1:85:48:71:18:b6:f3:5c:c4:27:29:29:12:5a";
	static const char sha256[] = "3c:41:0f:50:2b:ad:45:b3:3b:ce:6f:d2:a0:af:a1:ea:2d:30:b2:1e:62:6e:71:89:"
	                             "26:14:6c:a7:16:46:62:72";
	struct vpnc_priv_msg_verify v, ok;
	struct vpnc_priv_msg_result r;

	memset(&ok, 0, sizeof(ok));
	vpnc_priv_hdr_init(&ok.h, VPNC_PRIV_VERIFY);
	ok.depth = 1;
	SETF(ok.subject, "C=NL, O=Org \\ x, CN=vpn");
	SETF(ok.serial, "143726077921320055153123724520135915577826396995");
	SETF(ok.serial_hex, "19:2c:e6:75");
	SETF(ok.sha1, sha1);
	SETF(ok.sha256, sha256);
	SETF(ok.x509, "CN=vpn\nOU=a b\nOU_1=c\n");
	CHECK(vpnc_priv_check(&ok, sizeof(ok), false) == VPNC_PRIV_VERIFY);
	CHECK(vpnc_priv_check(&ok, sizeof(ok), true) == -EBADMSG, "a request from the parent");
	v = ok;
	SETF(v.x509, "");
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == VPNC_PRIV_VERIFY, "no X509 lines");
	v = ok;
	SETF(v.x509, "CN=vpn");
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "a line without its newline");
	v = ok;
	SETF(v.x509, "C N=vpn\n");
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "a space in a name");
	v = ok;
	SETF(v.x509, "=vpn\n");
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "an empty name");
	v = ok;
	SETF(v.x509, "CN=v\tpn\n");
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "a tab in a value");
	v = ok;
	SETF(v.x509, "CN\n");
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "a line without '='");
	/* tls-export-cert's PEM: empty, or one certificate block of base64 lines. */
	v = ok;
	SETF(v.pem, "-----BEGIN CERTIFICATE-----\nMIIB+/=\nAB==\n-----END CERTIFICATE-----\n");
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == VPNC_PRIV_VERIFY, "a PEM block");
	SETF(v.pem, "-----BEGIN CERTIFICATE-----\nMIIB;rm -rf\n-----END CERTIFICATE-----\n");
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "not base64 in the PEM");
	SETF(v.pem, "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n");
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "another PEM type");
	SETF(v.pem, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\nx");
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "bytes after the END line");
	v = ok;
	SETF(v.serial, "-12");
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == VPNC_PRIV_VERIFY, "a negative serial");
	v.serial[sizeof(v.serial) - 1] = 'x';
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "bytes after a negative serial's NUL");
	v = ok;
	v.serial[sizeof(v.serial) - 1] = 'x';
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "bytes after the serial's NUL");
	v = ok;
	v.depth = VPNC_PRIV_VERIFY_DEPTH;
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "depth 16");
	v = ok;
	v.subject[4] = '\n';
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "a newline in the subject");
	v = ok;
	v.subject[4] = (char)0xc3;
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "a non-ASCII byte in the subject");
	v = ok;
	memset(v.subject, 'A', sizeof(v.subject));
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "a subject without its NUL");
	v = ok;
	v.subject[sizeof(v.subject) - 1] = 'x';
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "bytes after the NUL");
	v = ok;
	v.subject[0] = '\0';
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "an empty subject");
	v = ok;
	SETF(v.serial, "12a");
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "a letter in the serial");
	v = ok;
	SETF(v.serial_hex, "19:2C");
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "uppercase hex");
	v = ok;
	v.sha1[58] = '\0';
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "a short SHA-1");
	v = ok;
	SETF(v.sha256, sha1);
	CHECK(vpnc_priv_check(&v, sizeof(v), false) == -EBADMSG, "a SHA-1 for the SHA-256");

	/* Its RESULT: accepted (0) or rejected (-EPERM), nothing else. */
	memset(&r, 0, sizeof(r));
	vpnc_priv_hdr_init(&r.h, VPNC_PRIV_RESULT);
	r.request = VPNC_PRIV_VERIFY;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == VPNC_PRIV_RESULT);
	r.err = -EPERM;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == VPNC_PRIV_RESULT);
	r.err = -EIO;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG, "another error");
	r.err = 0;
	r.mtu = 1400;
	CHECK(vpnc_priv_check(&r, sizeof(r), true) == -EBADMSG, "an MTU for VERIFY");
}

int main(void)
{
	test_sd();
	parse_reply();
	test_roundtrip();
	test_header();
	test_net_fields();
	test_small_requests();
	test_replies();
	test_ask();
	test_verify();
	test_mark();
	test_mark_srv();
	printf("test_privmsg: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
