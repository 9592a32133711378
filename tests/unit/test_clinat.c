/*
 * test_clinat.c: 'client-nat' (core/clinat.h): snat and dnat both ways as
 * OpenVPN 2.6's clinat.c maps them, the first matching rule per address,
 * IP, TCP and UDP checksums still valid after the rewrite (checked with an
 * independent checksum), a UDP checksum of 0 left alone, IP options, later
 * fragments, IPv6, TAP frames, and every truncation read without going past
 * the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "core/clinat.h"

#include "../naive_csum.h"
#include "../check.h"

static uint32_t a4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static struct vpnc_client_nat rule(bool dnat, const char *net, const char *mask, const char *foreign)
{
	return (struct vpnc_client_nat){.dnat = dnat, .network = a4(net), .netmask = a4(mask), .foreign = a4(foreign)};
}

static bool ip_ok(const uint8_t *ip)
{
	return fold(sum16(ip, (size_t)(ip[0] & 15) * 4, 0)) == 0xffff;
}

/* The TCP or UDP checksum with its pseudo-header folds to 0xffff. */
static bool l4_ok(const uint8_t *ip, size_t len)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	uint32_t s = sum16(ip + 12, 8, 0) + ip[9] + (uint32_t)(len - ihl);

	return fold(sum16(ip + ihl, len - ihl, s)) == 0xffff;
}

static void fill_csums(uint8_t *ip, size_t len)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	size_t off = ip[9] == 6 ? 16 : 6;

	p16(ip + 10, 0);
	p16(ip + 10, (uint16_t)~fold(sum16(ip, ihl, 0)));
	p16(ip + ihl + off, 0);
	uint32_t s = sum16(ip + 12, 8, 0) + ip[9] + (uint32_t)(len - ihl);
	p16(ip + ihl + off, (uint16_t)~fold(sum16(ip + ihl, len - ihl, s)));
}

/* An IPv4 packet from src to dst: TCP (proto 6, 20-byte header) or UDP (17), 40 bytes of payload. */
static size_t make(uint8_t *p, uint8_t proto, const char *src, const char *dst, size_t optlen)
{
	size_t ihl = 20 + optlen, l4 = proto == 6 ? 20 : 8, len = ihl + l4 + 40;
	uint32_t s = a4(src), d = a4(dst);

	memset(p, 0, len);
	p[0] = (uint8_t)(0x40 | (ihl / 4));
	p16(p + 2, (uint16_t)len);
	p16(p + 4, 0x1234);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, &s, 4);
	memcpy(p + 16, &d, 4);
	for (size_t i = 20; i < ihl; i++)
		p[i] = 1; /* NOP options */
	p16(p + ihl, 40000);
	p16(p + ihl + 2, 80);
	if (proto == 6) {
		p[ihl + 12] = 0x50;
		p[ihl + 13] = 0x18;
	} else {
		p16(p + ihl + 4, (uint16_t)(l4 + 40));
	}
	for (size_t i = ihl + l4; i < len; i++)
		p[i] = (uint8_t)(i * 7);
	fill_csums(p, len);
	return len;
}

static bool addrs(const uint8_t *p, const char *src, const char *dst)
{
	uint32_t s = a4(src), d = a4(dst);

	return memcmp(p + 12, &s, 4) == 0 && memcmp(p + 16, &d, 4) == 0;
}

int main(void)
{
	/* The manual's example shape: the client's 192.168.0.0/16 is 10.64.0.0/16 to the server,
	 * and the server's 10.99.0.0/16 is reached as 172.30.0.0/16 locally. */
	struct vpnc_client_nat r[3] = {
		rule(false, "192.168.0.0", "255.255.0.0", "10.64.0.0"),
		rule(true, "172.30.0.0", "255.255.0.0", "10.99.0.0"),
		rule(false, "192.168.0.0", "255.255.0.0", "10.65.0.0"), /* never used: the first wins */
	};
	uint8_t p[256], q[256];
	size_t len;

	/* Out: snat rewrites the source, dnat the destination; checksums stay valid. */
	for (int proto = 6; proto <= 17; proto += 11) {
		len = make(p, (uint8_t)proto, "192.168.3.4", "172.30.7.8", 0);
		CHECK(vpnc_clinat(r, 3, p, len, VPNC_CLINAT_OUT), "proto %d out", proto);
		CHECK(addrs(p, "10.64.3.4", "10.99.7.8"), "proto %d: both addresses mapped", proto);
		CHECK(ip_ok(p) && l4_ok(p, len), "proto %d: checksums valid after the rewrite", proto);
		/* In: the answer comes back from 10.99.7.8 to 10.64.3.4 and is mapped back. */
		len = make(p, (uint8_t)proto, "10.99.7.8", "10.64.3.4", 0);
		CHECK(vpnc_clinat(r, 3, p, len, VPNC_CLINAT_IN), "proto %d in", proto);
		CHECK(addrs(p, "172.30.7.8", "192.168.3.4"), "proto %d: mapped back", proto);
		CHECK(ip_ok(p) && l4_ok(p, len), "proto %d: checksums valid on the way in", proto);
	}
	/* Only one side matches: only it changes. */
	len = make(p, 6, "192.168.1.1", "8.8.8.8", 0);
	CHECK(vpnc_clinat(r, 3, p, len, VPNC_CLINAT_OUT) && addrs(p, "10.64.1.1", "8.8.8.8") && ip_ok(p) &&
	      l4_ok(p, len));
	/* snat does not touch a matching destination going out (2.6's type ^ direction rule). */
	len = make(p, 6, "8.8.8.8", "192.168.1.1", 0);
	memcpy(q, p, len);
	CHECK(!vpnc_clinat(r, 1, p, len, VPNC_CLINAT_OUT) && memcmp(p, q, len) == 0, "snat out: source only");
	/* Nothing matches: untouched. */
	len = make(p, 17, "1.2.3.4", "5.6.7.8", 0);
	memcpy(q, p, len);
	CHECK(!vpnc_clinat(r, 3, p, len, VPNC_CLINAT_OUT) && memcmp(p, q, len) == 0);
	CHECK(!vpnc_clinat(r, 0, p, len, VPNC_CLINAT_OUT), "no rules");
	/* Host bits of the foreign network are ORed in, as 2.6 does. */
	{
		struct vpnc_client_nat h = rule(false, "192.168.0.0", "255.255.255.0", "10.0.0.1");

		len = make(p, 6, "192.168.0.6", "9.9.9.9", 0);
		CHECK(vpnc_clinat(&h, 1, p, len, VPNC_CLINAT_OUT) && addrs(p, "10.0.0.7", "9.9.9.9"));
	}
	/* IP options: the TCP header is found behind them. */
	len = make(p, 6, "192.168.3.4", "172.30.7.8", 8);
	CHECK(vpnc_clinat(r, 3, p, len, VPNC_CLINAT_OUT) && ip_ok(p) && l4_ok(p, len), "IP options");
	/* UDP without a checksum: stays without one. */
	len = make(p, 17, "192.168.3.4", "172.30.7.8", 0);
	p16(p + 26, 0);
	CHECK(vpnc_clinat(r, 3, p, len, VPNC_CLINAT_OUT) && ip_ok(p) && g16(p + 26) == 0, "UDP checksum 0");
	/* A later fragment: the IP header only (its payload is no TCP header). */
	len = make(p, 6, "192.168.3.4", "172.30.7.8", 0);
	p16(p + 6, 185); /* fragment offset 185 * 8 */
	p16(p + 10, 0);
	p16(p + 10, (uint16_t)~fold(sum16(p, 20, 0)));
	memcpy(q, p, len);
	CHECK(vpnc_clinat(r, 3, p, len, VPNC_CLINAT_OUT) && ip_ok(p) && memcmp(p + 20, q + 20, len - 20) == 0,
	      "later fragment: payload untouched");
	/* IPv6: untouched. */
	memset(p, 0, 60);
	p[0] = 0x60;
	memcpy(q, p, 60);
	CHECK(!vpnc_clinat(r, 3, p, 60, VPNC_CLINAT_OUT) && memcmp(p, q, 60) == 0, "IPv6");
	/* Every truncation and a bad header length: no read past the end (ASan), no change that breaks. */
	len = make(q, 6, "192.168.3.4", "172.30.7.8", 0);
	for (size_t n = 0; n <= len; n++) {
		uint8_t *t = malloc(n ? n : 1);
		memcpy(t, q, n);
		(void)vpnc_clinat(r, 3, t, n, VPNC_CLINAT_OUT);
		free(t);
	}
	memcpy(p, q, len);
	p[0] = 0x4f; /* 60-byte header in a 20-byte packet's place */
	CHECK(!vpnc_clinat(r, 3, p, 40, VPNC_CLINAT_OUT), "header length past the end");
	p[0] = 0x44;
	CHECK(!vpnc_clinat(r, 3, p, len, VPNC_CLINAT_OUT), "header length below 20");
	/* A TAP frame: the IPv4 packet behind the Ethernet header; ARP and the like untouched. */
	memset(p, 0, 14);
	p16(p + 12, 0x0800);
	len = make(p + 14, 6, "192.168.3.4", "172.30.7.8", 0);
	CHECK(vpnc_clinat_frame(r, 3, p, len + 14, VPNC_CLINAT_OUT) && addrs(p + 14, "10.64.3.4", "10.99.7.8") &&
	      ip_ok(p + 14) && l4_ok(p + 14, len), "TAP frame");
	p16(p + 12, 0x0806);
	CHECK(!vpnc_clinat_frame(r, 3, p, len + 14, VPNC_CLINAT_OUT), "ARP");
	printf("test_clinat: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
