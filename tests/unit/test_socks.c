/*
 * test_socks.c: the SOCKS5 handshake (core/socks.c) against byte-exact
 * RFC 1928/1929 exchanges, fed whole and one byte at a time, the proxy's
 * refusals and malformed replies, and the UDP header both ways.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/socks.h"

#include "../check.h"

static uint8_t out[VPNC_SOCKS_MSG_MAX];
static size_t outlen;

/* Feeds reply in pieces of step bytes; returns the last result, *sent the bytes asked to send. */
static int feed(struct vpnc_socks *s, const uint8_t *reply, size_t len, size_t step, size_t *usedall)
{
	int ret = 0;
	size_t off = 0;

	*usedall = 0;
	while (off < len) {
		size_t n = len - off < step ? len - off : step, used = 0;

		ret = vpnc_socks_feed(s, reply + off, n, &used, out, sizeof(out), &outlen);
		CHECK(used <= n);
		*usedall += used;
		off += used;
		if (ret != 0 || outlen > 0)
			return ret;
		if (used < n)
			return -1000; /* took less without a reason */
	}
	return ret;
}

static void test_connect_noauth(size_t step)
{
	struct vpnc_socks s;
	size_t n, used;
	static const uint8_t method[] = {5, 0};
	static const uint8_t reply[] = {5, 0, 0, 1, 10, 0, 0, 1, 0x04, 0x38, 0xAA};

	CHECK(vpnc_socks_init(&s, VPNC_SOCKS_CMD_CONNECT, "vpn.example.org", 1194, NULL, NULL) == 0);
	n = vpnc_socks_start(&s, out, sizeof(out));
	CHECK(n == 3 && memcmp(out, "\x05\x01\x00", 3) == 0);
	CHECK(feed(&s, method, sizeof(method), step, &used) == 0 && used == 2);
	/* CONNECT with ATYP 3: the name as the profile spells it. */
	CHECK(outlen == 4 + 1 + 15 + 2);
	CHECK(memcmp(out, "\x05\x01\x00\x03\x0fvpn.example.org\x04\xaa", outlen) == 0);
	/* The byte after the reply belongs to the tunnel: not consumed. */
	CHECK(feed(&s, reply, sizeof(reply), step, &used) == 1);
	CHECK(used == sizeof(reply) - 1, "used %zu", used);
	CHECK(s.bound.ss_family == AF_INET);
	CHECK(((struct sockaddr_in *)&s.bound)->sin_port == htons(1080));
	vpnc_socks_wipe(&s);
}

static void test_userpass(size_t step, bool ok)
{
	struct vpnc_socks s;
	size_t used;
	static const uint8_t method[] = {5, 2};
	const uint8_t verdict[] = {1, ok ? 0 : 1};
	/* UDP ASSOCIATE's reply with an IPv6 relay. */
	static const uint8_t reply[] = {5, 0, 0, 4, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	                                0x12, 0x34};

	CHECK(vpnc_socks_init(&s, VPNC_SOCKS_CMD_UDP_ASSOCIATE, NULL, 1194, "alice", "s3cret") == 0);
	CHECK(vpnc_socks_start(&s, out, sizeof(out)) == 3 && out[2] == 2);
	CHECK(feed(&s, method, sizeof(method), step, &used) == 0);
	CHECK(outlen == 3 + 5 + 6 && memcmp(out, "\x01\x05" "alice\x06s3cret", outlen) == 0);
	if (!ok) {
		CHECK(feed(&s, verdict, sizeof(verdict), step, &used) == -EACCES);
		CHECK_STR(s.why, "the proxy refused the username and password");
		CHECK(s.ulen == 0 || s.user[0] == 0); /* the secret is gone */
		return;
	}
	CHECK(feed(&s, verdict, sizeof(verdict), step, &used) == 0);
	/* 2.6's UDP ASSOCIATE: 0.0.0.0 port 0. */
	CHECK(outlen == 10 && memcmp(out, "\x05\x03\x00\x01\x00\x00\x00\x00\x00\x00", 10) == 0);
	CHECK(feed(&s, reply, sizeof(reply), step, &used) == 1 && used == sizeof(reply));
	CHECK(s.bound.ss_family == AF_INET6);
	CHECK(((struct sockaddr_in6 *)&s.bound)->sin6_port == htons(0x1234));
	CHECK(((struct sockaddr_in6 *)&s.bound)->sin6_addr.s6_addr[15] == 2);
	vpnc_socks_wipe(&s);
}

static int run_replies(const uint8_t *method, size_t mlen, const uint8_t *reply, size_t rlen,
                       struct vpnc_socks *s)
{
	size_t used;
	int ret;

	CHECK(vpnc_socks_init(s, VPNC_SOCKS_CMD_CONNECT, "192.0.2.7", 443, NULL, NULL) == 0);
	CHECK(s->req_len == 10 && s->req[3] == 1);
	ret = feed(s, method, mlen, mlen, &used);
	if (ret != 0)
		return ret;
	return feed(s, reply, rlen, 1, &used);
}

static void test_refusals(void)
{
	struct vpnc_socks s;
	static const uint8_t ok[] = {5, 0};

	CHECK(run_replies((const uint8_t *)"\x05\xff", 2, NULL, 0, &s) == -EACCES);
	CHECK(strstr(s.why, "requires authentication") != NULL);
	CHECK(run_replies((const uint8_t *)"\x04\x00", 2, NULL, 0, &s) == -EPROTO);
	CHECK(run_replies((const uint8_t *)"\x05\x02", 2, NULL, 0, &s) == -EPROTO);
	CHECK(run_replies(ok, 2, (const uint8_t *)"\x05\x02\x00\x01\0\0\0\0\0\0", 10, &s) == -ECONNREFUSED);
	CHECK(s.rep == 2);
	CHECK_STR(vpnc_socks_rep_str(s.rep), "connection not allowed by ruleset");
	CHECK_STR(vpnc_socks_rep_str(200), "unknown reply code");
	CHECK(run_replies(ok, 2, (const uint8_t *)"\x05\x00\x00\x07\0\0\0\0\0\0", 10, &s) == -EPROTO);
	/* A domain-name BND.ADDR is read by its length and leaves no address. */
	CHECK(run_replies(ok, 2, (const uint8_t *)"\x05\x00\x00\x03\x02hi\x00\x50", 9, &s) == 1);
	CHECK(s.bound.ss_family == AF_UNSPEC);
	/* Nothing more is taken once failed or done. */
	size_t used = 9;
	CHECK(vpnc_socks_feed(&s, ok, 2, &used, out, sizeof(out), &outlen) == 1 && used == 0);
	/* Bad inputs at init. */
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	CHECK(vpnc_socks_init(&s, VPNC_SOCKS_CMD_CONNECT, longname, 1, NULL, NULL) == -EINVAL);
	CHECK(vpnc_socks_init(&s, VPNC_SOCKS_CMD_CONNECT, "h", 1, longname, "p") == -EINVAL);
	CHECK(vpnc_socks_init(&s, VPNC_SOCKS_CMD_CONNECT, "h", 1, "u", "") == -EINVAL);
	CHECK(vpnc_socks_init(&s, 2, "h", 1, NULL, NULL) == -EINVAL);
	CHECK(vpnc_socks_init(&s, VPNC_SOCKS_CMD_CONNECT, "2001:db8::1", 1, NULL, NULL) == 0 &&
	      s.req_len == 22 && s.req[3] == 4);
}

static void test_udp_header(void)
{
	uint8_t pkt[64];
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons(1194)};
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(1195)};
	struct sockaddr_in other = a4;

	inet_pton(AF_INET, "198.51.100.3", &a4.sin_addr);
	inet_pton(AF_INET6, "2001:db8::3", &a6.sin6_addr);
	other.sin_port = htons(1196);
	CHECK(vpnc_socks_udp_hdr_len(AF_INET) == 10 && vpnc_socks_udp_hdr_len(AF_INET6) == 22);
	CHECK(vpnc_socks_udp_hdr_len(AF_UNIX) == 0);
	CHECK(vpnc_socks_udp_put(pkt, (struct sockaddr *)&a4) == 10);
	CHECK(memcmp(pkt, "\0\0\0\x01\xc6\x33\x64\x03\x04\xaa", 10) == 0);
	CHECK(vpnc_socks_udp_strip(pkt, 10, (struct sockaddr *)&a4) == 10);
	CHECK(vpnc_socks_udp_strip(pkt, 9, (struct sockaddr *)&a4) == -EBADMSG);
	CHECK(vpnc_socks_udp_strip(pkt, 10, (struct sockaddr *)&other) == -EPERM);
	CHECK(vpnc_socks_udp_strip(pkt, 10, (struct sockaddr *)&a6) == -EPERM);
	pkt[2] = 1; /* a fragment */
	CHECK(vpnc_socks_udp_strip(pkt, 10, (struct sockaddr *)&a4) == -EBADMSG);
	CHECK(vpnc_socks_udp_put(pkt, (struct sockaddr *)&a6) == 22);
	CHECK(vpnc_socks_udp_strip(pkt, 22, (struct sockaddr *)&a6) == 22);
	CHECK(vpnc_socks_udp_strip(pkt, 21, (struct sockaddr *)&a6) == -EBADMSG);
	pkt[3] = 3; /* a domain name: vpnc never sends one, so never accepts one */
	CHECK(vpnc_socks_udp_strip(pkt, 22, (struct sockaddr *)&a6) == -EBADMSG);
	struct sockaddr un = {.sa_family = AF_UNIX};
	CHECK(vpnc_socks_udp_put(pkt, &un) == -EAFNOSUPPORT);
}

int main(void)
{
	for (size_t step = 1; step <= 32; step *= 2) {
		test_connect_noauth(step);
		test_userpass(step, true);
		test_userpass(step, false);
	}
	test_refusals();
	test_udp_header();
	printf("test_socks: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
