/*
 * test_dhcp.c: `route-gateway dhcp` (core/dhcp.h, docs/tap.md): the router
 * option read out of DHCP ACKs and taken out of OFFERs and ACKs on their
 * way to a TAP, with a UDP checksum that still verifies; everything else
 * (other message types, other ports, requests, fragments, IPv6, ARP, every
 * truncation, options that run past their end) left untouched. Then the
 * option in a profile and in a push, and the privsep message that carries
 * the learned gateway to the privileged parent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csum.h"
#include "core/dhcp.h"
#include "priv/privmsg.h"
#include "vpnc/buf.h"
#include "vpnc/config.h"
#include "vpnc/push.h"

#include "../check.h"

#define OPTS_AT(ipoff, ihl) ((ipoff) + (ihl) + 8 + 240)

/*
 * An Ethernet frame (tags: 0 or 1 802.1Q tag; ihl: IPv4 header bytes) with a
 * UDP datagram from sport to dport carrying a BOOTP message of op with the
 * DHCP options opt[0..olen) after the magic cookie, and pad bytes of
 * Ethernet padding behind the IP packet. Returns the frame's length.
 */
static size_t make(uint8_t *f, int tags, size_t ihl, uint16_t sport, uint16_t dport, uint8_t op,
                   const uint8_t *opt, size_t olen, size_t pad)
{
	size_t off = 12, ulen, tot;
	uint8_t *ip, *udp;

	memset(f, 0, 2048);
	memset(f, 0xff, 6);
	memset(f + 6, 0x02, 6);
	if (tags) {
		vpnc_put_u16(f + off, 0x8100);
		vpnc_put_u16(f + off + 2, 7);
		off += 4;
	}
	vpnc_put_u16(f + off, 0x0800);
	ip = f + off + 2;
	ulen = 8 + 240 + olen;
	tot = ihl + ulen;
	ip[0] = (uint8_t)(0x40 | (ihl / 4));
	vpnc_put_u16(ip + 2, (uint16_t)tot);
	ip[8] = 64;
	ip[9] = 17;
	vpnc_put_u32(ip + 12, 0x0a000101); /* 10.0.1.1 */
	vpnc_put_u32(ip + 16, 0xffffffff);
	udp = ip + ihl;
	vpnc_put_u16(udp, sport);
	vpnc_put_u16(udp + 2, dport);
	vpnc_put_u16(udp + 4, (uint16_t)ulen);
	udp[8] = op;
	udp[9] = 1;
	udp[10] = 6;
	vpnc_put_u32(udp + 8 + 16, 0x0a000132); /* yiaddr 10.0.1.50 */
	vpnc_put_u32(udp + 8 + 236, 0x63825363); /* magic cookie */
	memcpy(udp + 8 + 240, opt, olen);
	vpnc_put_u16(udp + 6, vpnc_csum_finish(vpnc_csum_partial(udp, ulen, vpnc_csum_pseudo4(ip + 12, ip + 16, 17,
	                                                                                       (uint32_t)ulen))));
	return (size_t)(ip - f) + tot + pad;
}

/* The UDP checksum of the datagram at ip verifies. */
static int udp_ok(const uint8_t *ip)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	const uint8_t *udp = ip + ihl;
	uint16_t ulen = vpnc_get_u16(udp + 4);

	return vpnc_csum_finish(vpnc_csum_partial(udp, ulen, vpnc_csum_pseudo4(ip + 12, ip + 16, 17, ulen))) == 0;
}

static const uint8_t ack[] = {53, 1, 5, 1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 1, 1, 6, 4, 10, 0, 1, 1, 255};
static const uint8_t ack_stripped[] = {53, 1, 5, 1, 4, 255, 255, 255, 0, 6, 4, 10, 0, 1, 1, 255, 0, 0, 0, 0, 0, 0};

static void test_ack(void)
{
	static uint8_t f[2048], g[2048];
	uint32_t gw = 0;
	size_t len = make(f, 0, 20, 67, 68, 2, ack, sizeof(ack), 0);

	memcpy(g, f, len);
	CHECK(vpnc_dhcp_snoop(f, len, &gw) == VPNC_DHCP_ACK_ROUTER);
	CHECK(gw == 0x0a000101, "gw %08x", gw);
	CHECK(memcmp(f + OPTS_AT(14, 20), ack_stripped, sizeof(ack_stripped)) == 0, "router option taken out");
	CHECK(udp_ok(f + 14), "checksum computed again");
	CHECK(memcmp(f, g, OPTS_AT(14, 20) - 248 + 6) == 0, "headers before the checksum unchanged");
	/* Once stripped, the same frame has nothing more to give, and stays as it is. */
	memcpy(g, f, len);
	gw = 0;
	CHECK(vpnc_dhcp_snoop(f, len, &gw) == VPNC_DHCP_REPLY && gw == 0);
	CHECK(memcmp(f, g, len) == 0);

	/* Behind one 802.1Q tag, with IP options, with Ethernet padding behind the packet. */
	len = make(f, 1, 24, 67, 68, 2, ack, sizeof(ack), 9);
	gw = 0;
	CHECK(vpnc_dhcp_snoop(f, len, &gw) == VPNC_DHCP_ACK_ROUTER && gw == 0x0a000101);
	CHECK(memcmp(f + OPTS_AT(18, 24), ack_stripped, sizeof(ack_stripped)) == 0);
	CHECK(udp_ok(f + 18));
}

static void test_routers(void)
{
	static uint8_t f[2048];
	uint32_t gw;
	size_t len;

	/* Two router options, the first with two addresses: the first address wins, both go. */
	static const uint8_t two[] = {53, 1, 5, 3, 8, 10, 0, 1, 254, 10, 0, 1, 253, 3, 4, 10, 0, 1, 7, 255};
	len = make(f, 0, 20, 67, 68, 2, two, sizeof(two), 0);
	gw = 0;
	CHECK(vpnc_dhcp_snoop(f, len, &gw) == VPNC_DHCP_ACK_ROUTER && gw == 0x0a0001fe);
	CHECK(memcmp(f + OPTS_AT(14, 20), (const uint8_t[]){53, 1, 5, 255}, 4) == 0);
	for (size_t i = 4; i < sizeof(two); i++)
		CHECK(f[OPTS_AT(14, 20) + i] == 0, "padded at %zu", i);
	CHECK(udp_ok(f + 14));

	/* A router option of 3 bytes is taken out but names no gateway (2.6: a multiple of 4). */
	static const uint8_t odd[] = {53, 1, 5, 3, 3, 10, 0, 1, 255};
	len = make(f, 0, 20, 67, 68, 2, odd, sizeof(odd), 0);
	gw = 0;
	CHECK(vpnc_dhcp_snoop(f, len, &gw) == VPNC_DHCP_REPLY && gw == 0);
	CHECK(f[OPTS_AT(14, 20) + 3] == 255);

	/* A router option longer than what is left: nothing is moved past the end. */
	static const uint8_t over[] = {53, 1, 5, 3, 40, 10, 0, 1, 1};
	len = make(f, 0, 20, 67, 68, 2, over, sizeof(over), 0);
	gw = 0;
	CHECK(vpnc_dhcp_snoop(f, len, &gw) == VPNC_DHCP_REPLY && gw == 0);
	CHECK(f[OPTS_AT(14, 20) + 3] == 3 && f[OPTS_AT(14, 20) + 4] == 40, "left as it was");

	/* An OFFER loses its router too, but only an ACK names the gateway (2.6's rule). */
	static const uint8_t offer[] = {53, 1, 2, 3, 4, 10, 0, 1, 1, 255};
	len = make(f, 0, 20, 67, 68, 2, offer, sizeof(offer), 0);
	gw = 0;
	CHECK(vpnc_dhcp_snoop(f, len, &gw) == VPNC_DHCP_REPLY && gw == 0);
	CHECK(f[OPTS_AT(14, 20) + 3] == 255 && udp_ok(f + 14));

	/* The message type after the router, and PADs before it. */
	static const uint8_t late[] = {0, 0, 3, 4, 10, 0, 1, 9, 53, 1, 5, 255};
	len = make(f, 0, 20, 67, 68, 2, late, sizeof(late), 0);
	gw = 0;
	CHECK(vpnc_dhcp_snoop(f, len, &gw) == VPNC_DHCP_ACK_ROUTER && gw == 0x0a000109);
	CHECK(udp_ok(f + 14));
}

/* Frames that are not an OFFER or ACK to a client are never changed. */
static void test_untouched(void)
{
	static uint8_t f[2048], g[2048];
	static const uint8_t nak[] = {53, 1, 6, 3, 4, 10, 0, 1, 1, 255};
	static const uint8_t notype[] = {3, 4, 10, 0, 1, 1, 255};
	static const uint8_t badtype[] = {53, 2, 5, 5, 3, 4, 10, 0, 1, 1, 255};
	struct {
		const char *what;
		uint16_t sport, dport;
		uint8_t op;
		const uint8_t *opt;
		size_t olen;
	} cases[] = {
		{"NAK", 67, 68, 2, nak, sizeof(nak)},
		{"no message type", 67, 68, 2, notype, sizeof(notype)},
		{"message type of length 2", 67, 68, 2, badtype, sizeof(badtype)},
		{"BOOTREQUEST", 67, 68, 1, ack, sizeof(ack)},
		{"to the server port", 68, 67, 2, ack, sizeof(ack)},
		{"from another port", 1067, 68, 2, ack, sizeof(ack)},
	};
	uint32_t gw;
	size_t len;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = make(f, 0, 20, cases[i].sport, cases[i].dport, cases[i].op, cases[i].opt, cases[i].olen, 0);
		memcpy(g, f, len);
		gw = 0;
		CHECK(vpnc_dhcp_snoop(f, len, &gw) == VPNC_DHCP_NONE && gw == 0, "%s", cases[i].what);
		CHECK(memcmp(f, g, len) == 0, "%s", cases[i].what);
	}
	/* Not UDP; a fragment; IPv6; ARP; a second tag. */
	len = make(f, 0, 20, 67, 68, 2, ack, sizeof(ack), 0);
	f[14 + 9] = 6;
	CHECK(vpnc_dhcp_snoop(f, len, &gw) == VPNC_DHCP_NONE);
	len = make(f, 0, 20, 67, 68, 2, ack, sizeof(ack), 0);
	vpnc_put_u16(f + 14 + 6, 0x2000); /* more fragments */
	CHECK(vpnc_dhcp_snoop(f, len, &gw) == VPNC_DHCP_NONE);
	vpnc_put_u16(f + 14 + 6, 0x0001); /* an offset */
	CHECK(vpnc_dhcp_snoop(f, len, &gw) == VPNC_DHCP_NONE);
	vpnc_put_u16(f + 14 + 6, 0x4000); /* don't fragment: a whole datagram */
	CHECK(vpnc_dhcp_snoop(f, len, &gw) == VPNC_DHCP_ACK_ROUTER);
	len = make(f, 0, 20, 67, 68, 2, ack, sizeof(ack), 0);
	vpnc_put_u16(f + 12, 0x86dd);
	f[14] = 0x60;
	CHECK(vpnc_dhcp_snoop(f, len, &gw) == VPNC_DHCP_NONE);
	vpnc_put_u16(f + 12, 0x0806);
	CHECK(vpnc_dhcp_snoop(f, len, &gw) == VPNC_DHCP_NONE);
	/* IHL below 5, a UDP length past the IP packet, an IP length past the frame. */
	len = make(f, 0, 20, 67, 68, 2, ack, sizeof(ack), 0);
	f[14] = 0x44;
	CHECK(vpnc_dhcp_snoop(f, len, &gw) == VPNC_DHCP_NONE);
	len = make(f, 0, 20, 67, 68, 2, ack, sizeof(ack), 0);
	vpnc_put_u16(f + 14 + 20 + 4, (uint16_t)(vpnc_get_u16(f + 14 + 20 + 4) + 1));
	CHECK(vpnc_dhcp_snoop(f, len, &gw) == VPNC_DHCP_NONE);
	len = make(f, 0, 20, 67, 68, 2, ack, sizeof(ack), 0);
	vpnc_put_u16(f + 14 + 2, (uint16_t)(vpnc_get_u16(f + 14 + 2) + 1));
	CHECK(vpnc_dhcp_snoop(f, len, &gw) == VPNC_DHCP_NONE);
}

/* Every truncation of a valid ACK, in a buffer of exactly that size (for ASan). */
static void test_truncated(void)
{
	static uint8_t f[2048];
	size_t len = make(f, 0, 20, 67, 68, 2, ack, sizeof(ack), 0);

	for (size_t n = 0; n < len; n++) {
		uint8_t *b = malloc(n ? n : 1);
		uint32_t gw = 0;

		memcpy(b, f, n);
		CHECK(vpnc_dhcp_snoop(b, n, &gw) == VPNC_DHCP_NONE && gw == 0, "length %zu", n);
		free(b);
	}
}

static void test_options(void)
{
	static const char base[] = "client\ndev tap\n<ca>\nCA\n</ca>\nauth-user-pass\nremote vpn.example.org\n";
	char text[512], err[512];
	struct vpnc_config *c = NULL;
	struct vpnc_push p;

	snprintf(text, sizeof(text), "%sroute-gateway dhcp\nroute 192.0.2.0 255.255.255.0\n", base);
	CHECK(vpnc_config_parse_text("t.ovpn", text, strlen(text), NULL, &c, err, sizeof(err)) == 0, "%s", err);
	CHECK(c != NULL && c->net != NULL && c->net->route_gateway_dhcp && !c->net->has_route_gateway);
	vpnc_config_free(c);

	/* Pushed, as 2.6 takes it from the server (OPT_P_ROUTE_EXTRAS). */
	vpnc_push_init(&p);
	p.tap = true;
	static const char push[] = "route-gateway dhcp,route 198.51.100.0 255.255.255.0";
	CHECK(vpnc_push_parse(&p, push, strlen(push), NULL, NULL) == 0);
	CHECK(p.route_gateway_dhcp && !p.has_route_gateway && vpnc_push_vpn_gateway4(&p) == 0);
	vpnc_push_clear(&p);
}

static void test_privmsg(void)
{
	struct vpnc_priv_msg_gateway m;
	static struct vpnc_priv_msg_net n;
	struct vpnc_push p;

	memset(&m, 0, sizeof(m));
	vpnc_priv_hdr_init(&m.h, VPNC_PRIV_NET_GATEWAY);
	m.gateway = 0x0a000101;
	CHECK(vpnc_priv_check(&m, sizeof(m), false) == VPNC_PRIV_NET_GATEWAY);
	CHECK(vpnc_priv_check(&m, sizeof(m), true) == -EBADMSG, "only the child asks");
	static const uint32_t bad[] = {0, 0xffffffff, 0xe0000001, 0x7f000001};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m.gateway = bad[i];
		CHECK(vpnc_priv_check(&m, sizeof(m), false) == -EBADMSG, "%08x", bad[i]);
	}
	/* The flag crosses NET_APPLY, so the parent knows which routes wait. */
	vpnc_push_init(&p);
	p.tap = true;
	p.route_gateway_dhcp = true;
	CHECK(vpnc_priv_net_from_push(&n, &p, NULL, NULL) == 0);
	CHECK(n.net.route_gateway_dhcp == 1);
	vpnc_push_clear(&p);
	vpnc_priv_net_to_push(&n.net, &p);
	CHECK(p.route_gateway_dhcp);
	vpnc_push_clear(&p);
}

int main(void)
{
	test_ack();
	test_routers();
	test_untouched();
	test_truncated();
	test_options();
	test_privmsg();
	printf("test_dhcp: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
