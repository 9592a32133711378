/*
 * test_engine_static.c: two engines in static-key mode ('secret') back to
 * back in memory: up at start with the profile's ifconfig and routes, data
 * both ways for each key direction, keepalive pings that never reach the TUN,
 * ping-restart, a wrong key (drops counted, one log line), replayed and
 * garbage packets, no control channel, and the creation errors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/engine_int.h"
#include "vpnc/engine.h"
#include "vpnc/push.h"

#include "../check.h"

struct side {
	unsigned drop_lines;      /* "dropped a packet" lines */
	bool no_fs_line;          /* the line about forward secrecy */
	unsigned hint_lines;      /* "... do not authenticate ..." */
	char last[512];
};

static void st_log(void *ctx, int level, const char *msg)
{
	struct side *s = ctx;
	(void)level;
	if (strstr(msg, "dropped a packet") != NULL)
		s->drop_lines++;
	if (strstr(msg, "do not authenticate") != NULL)
		s->hint_lines++;
	if (strstr(msg, "no forward secrecy") != NULL)
		s->no_fs_line = true;
	snprintf(s->last, sizeof(s->last), "%s", msg);
}

static void st_rand(void *ctx, void *out, size_t len)
{
	uint8_t *c = ctx, *p = out;
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)((*c)++ * 13 + 7);
}

static uint64_t st_clock(void *ctx)
{
	(void)ctx;
	return 1700000000u;
}

static uint8_t rng_state;
static int st_fragment; /* 'fragment N' for the next engines, 0 = off */

static void key_fill(uint8_t key[VPNC_STATIC_KEY_LEN], uint8_t salt)
{
	for (size_t i = 0; i < VPNC_STATIC_KEY_LEN; i++)
		key[i] = (uint8_t)(i * 37 + salt);
}

static int st_new(struct vpnc_engine **e, struct side *s, const uint8_t *key, int dir, const char *cipher,
                  const struct vpnc_push *net)
{
	struct vpnc_engine_cfg c;

	memset(&c, 0, sizeof(c));
	c.role = VPNC_ROLE_CLIENT;
	c.static_key = key;
	c.static_key_direction = dir;
	c.static_cipher = cipher;
	c.auth_digest = "SHA256";
	c.ping = 10;
	c.ping_restart = 60;
	c.rand = st_rand;
	c.rand_ctx = &rng_state;
	c.wallclock = st_clock;
	c.log = st_log;
	c.log_ctx = s;
	c.verb = 3;
	c.net = net;
	c.fragment = st_fragment;
	return vpnc_engine_new(&c, e);
}

/* An IPv4-looking packet of len bytes numbered n. */
static void ip_packet(uint8_t *p, size_t len, unsigned n)
{
	memset(p, 0, len);
	p[0] = 0x45;
	p[1] = 0;
	vpnc_put_u16(p + 2, (uint16_t)len);
	p[9] = 17;
	for (size_t i = 20; i < len; i++)
		p[i] = (uint8_t)(i + n);
}

/* Sends one TUN packet from a to b; returns b's link_in result and checks the copy. */
static int carry(struct vpnc_engine *a, struct vpnc_engine *b, size_t len, unsigned n)
{
	static uint8_t ip[1500], wire[VPNC_PKT_BUF], tunb[VPNC_PKT_BUF];
	struct vpnc_buf out, tun;

	ip_packet(ip, len, n);
	vpnc_buf_init(&out, wire, sizeof(wire), VPNC_HEADROOM);
	vpnc_buf_init(&tun, tunb, sizeof(tunb), VPNC_HEADROOM);
	if (vpnc_engine_tun_in(a, 1000, ip, len, &out) != 0)
		return -999;
	int r = vpnc_engine_link_in(b, 1000, vpnc_buf_data(&out), out.len, &tun);
	if (r == 1 && (tun.len != len || memcmp(vpnc_buf_data(&tun), ip, len) != 0))
		return -998;
	return r;
}

static void test_directions(void)
{
	static const int dirs[][2] = {{0, 1}, {1, 0}, {-1, -1}};
	static const char *ciphers[] = {"AES-256-CBC", "AES-128-CBC", "DES-EDE3-CBC"};
	uint8_t key[VPNC_STATIC_KEY_LEN];
	struct vpnc_push net;
	struct vpnc_event ev;

	key_fill(key, 3);
	vpnc_push_init(&net);
	static const char routes[] = "ifconfig 10.8.0.2 10.8.0.1,route 10.9.0.0 255.255.0.0";
	CHECK(vpnc_push_parse(&net, routes, strlen(routes), NULL, NULL) == 0);
	for (size_t d = 0; d < 3; d++) {
		for (size_t c = 0; c < 3; c++) {
			struct side sa = {0}, sb = {0};
			struct vpnc_engine *a = NULL, *b = NULL;

			CHECK(st_new(&a, &sa, key, dirs[d][0], ciphers[c], &net) == 0);
			CHECK(st_new(&b, &sb, key, dirs[d][1], ciphers[c], NULL) == 0);
			if (a == NULL || b == NULL) {
				vpnc_engine_free(a);
				vpnc_engine_free(b);
				continue;
			}
			CHECK(vpnc_engine_state(a) == VPNC_ST_INITIAL);
			CHECK(vpnc_engine_start(a, 0) == 0 && vpnc_engine_start(b, 0) == 0);
			CHECK(vpnc_engine_state(a) == VPNC_ST_CONNECTED);
			bool connected = false;
			while (vpnc_engine_event(a, &ev) == 1)
				if (ev.type == VPNC_EV_CONNECTED) {
					connected = true;
					CHECK(ev.push != NULL && ev.push->has_ifconfig && ev.push->n_routes == 1);
				}
			CHECK(connected);
			CHECK(sa.no_fs_line);
			CHECK(strcmp(vpnc_engine_cipher(a), ciphers[c]) == 0);
			for (unsigned i = 0; i < 200; i++) {
				size_t len = 20 + (i * 53) % 1400;
				CHECK(carry(a, b, len, i) == 1);
				CHECK(carry(b, a, len, i) == 1);
			}
			CHECK(vpnc_engine_stats(b)->tun_out_pkts == 200 && vpnc_engine_stats(a)->tun_out_pkts == 200);
			CHECK(sa.drop_lines == 0 && sb.drop_lines == 0 && sb.hint_lines == 0);
			vpnc_engine_free(a);
			vpnc_engine_free(b);
		}
	}
	vpnc_push_clear(&net);
}

/* Both ends with direction 0 (or one with a wrong key): nothing authenticates. */
static void test_wrong_key(void)
{
	uint8_t key[VPNC_STATIC_KEY_LEN], other[VPNC_STATIC_KEY_LEN];
	struct side sa = {0}, sb = {0};
	struct vpnc_engine *a = NULL, *b = NULL;

	key_fill(key, 3);
	key_fill(other, 4);
	CHECK(st_new(&a, &sa, key, 0, "AES-256-CBC", NULL) == 0);
	CHECK(st_new(&b, &sb, other, 1, "AES-256-CBC", NULL) == 0);
	if (a == NULL || b == NULL)
		goto out;
	vpnc_engine_start(a, 0);
	vpnc_engine_start(b, 0);
	for (unsigned i = 0; i < 5; i++)
		CHECK(carry(a, b, 100, i) == -EBADMSG);
	CHECK(vpnc_engine_stats(b)->drops[VPNC_DROP_DECRYPT] == 5);
	CHECK(sb.drop_lines == 1 && sb.hint_lines == 1); /* once, then only counted */
	CHECK(vpnc_engine_stats(b)->tun_out_pkts == 0);
	vpnc_engine_free(b);
	b = NULL;
	/* The same key with the same direction on both ends: each receives with the other half. */
	CHECK(st_new(&b, &sb, key, 0, "AES-256-CBC", NULL) == 0);
	if (b != NULL) {
		vpnc_engine_start(b, 0);
		CHECK(carry(a, b, 100, 1) == -EBADMSG);
	}
out:
	vpnc_engine_free(a);
	vpnc_engine_free(b);
}

/* Replays, garbage, pings and ping-restart; no control packet ever goes out. */
static void test_keepalive_and_hostile(void)
{
	static uint8_t wire[VPNC_PKT_BUF], tunb[VPNC_PKT_BUF], ip[200], saved[VPNC_PKT_BUF];
	uint8_t key[VPNC_STATIC_KEY_LEN];
	struct side sa = {0}, sb = {0};
	struct vpnc_engine *a = NULL, *b = NULL;
	struct vpnc_buf out, tun;
	struct vpnc_event ev;

	key_fill(key, 9);
	CHECK(st_new(&a, &sa, key, 0, "AES-256-CBC", NULL) == 0);
	CHECK(st_new(&b, &sb, key, 1, "AES-256-CBC", NULL) == 0);
	if (a == NULL || b == NULL)
		goto out;
	vpnc_engine_start(a, 0);
	vpnc_engine_start(b, 0);
	/* The first ping goes out at once (it tells a listening peer where we are). */
	CHECK(vpnc_engine_next_timer(a) == 0);
	vpnc_buf_init(&out, wire, sizeof(wire), VPNC_HEADROOM);
	CHECK(vpnc_engine_link_out(a, 0, &out) == 1);
	vpnc_buf_init(&tun, tunb, sizeof(tunb), VPNC_HEADROOM);
	CHECK(vpnc_engine_link_in(b, 1, vpnc_buf_data(&out), out.len, &tun) == 0); /* a ping: not for the TUN */
	vpnc_buf_init(&out, wire, sizeof(wire), VPNC_HEADROOM);
	CHECK(vpnc_engine_link_out(a, 0, &out) == 0); /* nothing else: no control channel */

	/* A replayed data packet is dropped as a replay. */
	ip_packet(ip, sizeof(ip), 1);
	vpnc_buf_init(&out, wire, sizeof(wire), VPNC_HEADROOM);
	CHECK(vpnc_engine_tun_in(a, 2, ip, sizeof(ip), &out) == 0);
	memcpy(saved, vpnc_buf_data(&out), out.len);
	size_t slen = out.len;
	CHECK(vpnc_engine_link_in(b, 2, saved, slen, &tun) == 1);
	CHECK(vpnc_engine_link_in(b, 2, saved, slen, &tun) == -EALREADY);
	CHECK(vpnc_engine_stats(b)->drops[VPNC_DROP_REPLAY] == 1);
	/* Garbage of every length up to the packet's, and each bit flipped: dropped, never delivered. */
	for (size_t len = 1; len < slen; len++)
		CHECK(vpnc_engine_link_in(b, 3, saved, len, &tun) < 0);
	for (size_t i = 0; i < slen; i++) {
		saved[i] ^= 0x01;
		CHECK(vpnc_engine_link_in(b, 3, saved, slen, &tun) < 0);
		saved[i] ^= 0x01;
	}
	CHECK(vpnc_engine_stats(b)->tun_out_pkts == 1);
	CHECK(vpnc_engine_state(b) == VPNC_ST_CONNECTED);

	/* ping 10: a ping after 10 s without sending; ping-restart 60: a restart without input. */
	vpnc_engine_tick(a, 10002);
	vpnc_buf_init(&out, wire, sizeof(wire), VPNC_HEADROOM);
	CHECK(vpnc_engine_link_out(a, 10002, &out) == 1);
	CHECK(vpnc_engine_next_timer(a) <= 61000);
	while (vpnc_engine_event(a, &ev) == 1)
		;
	vpnc_engine_tick(a, 61000);
	bool restart = false;
	while (vpnc_engine_event(a, &ev) == 1)
		if (ev.type == VPNC_EV_RESTART && ev.cause == VPNC_CAUSE_TIMEOUT)
			restart = true;
	CHECK(restart);
	CHECK(vpnc_engine_cr_response(b, "x") < 0);
out:
	vpnc_engine_free(a);
	vpnc_engine_free(b);
}

/* 'fragment' in static-key mode (2.6 allows it): the fragment limit is set when the key is. */
static void test_fragment(void)
{
	uint8_t key[VPNC_STATIC_KEY_LEN];
	struct side sa = {0}, sb = {0};
	struct vpnc_engine *a = NULL, *b = NULL;

	key_fill(key, 5);
	st_fragment = 1200;
	CHECK(st_new(&a, &sa, key, 0, "AES-256-CBC", NULL) == 0 && st_new(&b, &sb, key, 1, "AES-256-CBC", NULL) == 0);
	st_fragment = 0;
	if (a != NULL && b != NULL) {
		CHECK(vpnc_engine_start(a, 0) == 0 && vpnc_engine_start(b, 0) == 0);
		/* 2.6 outside TLS mode: no opcode, the long packet id: 1200 - 16 - 32, 1151, - 4 - 8. */
		CHECK(a->frag_max == 1139, "max_frag %zu", a->frag_max);
		for (unsigned i = 0; i < 20; i++)
			CHECK(carry(a, b, 20 + i * 50, i) == 1, "packet %u whole", i);
		/* 1400 bytes: two fragments, reassembled. */
		static uint8_t ip[1400], wire[VPNC_PKT_BUF], tunb[VPNC_PKT_BUF];
		struct vpnc_buf out, tun;
		int r = -1, links = 0;
		ip_packet(ip, sizeof(ip), 9);
		vpnc_buf_init(&out, wire, sizeof(wire), VPNC_HEADROOM);
		bool more = vpnc_engine_tun_in(a, 1000, ip, sizeof(ip), &out) == 0;
		while (more && links < 40) {
			links++;
			vpnc_buf_init(&tun, tunb, sizeof(tunb), VPNC_HEADROOM);
			r = vpnc_engine_link_in(b, 1000, vpnc_buf_data(&out), out.len, &tun);
			vpnc_buf_init(&out, wire, sizeof(wire), VPNC_HEADROOM);
			more = vpnc_engine_tun_more(a) && vpnc_engine_tun_in_next(a, 1000, ip, sizeof(ip), &out) == 1;
		}
		CHECK(links == 2 && r == 1 && tun.len == sizeof(ip) && memcmp(vpnc_buf_data(&tun), ip, sizeof(ip)) == 0,
		      "1400 bytes in %d fragments: %d", links, r);
	}
	vpnc_engine_free(a);
	vpnc_engine_free(b);
}

static void test_create_errors(void)
{
	uint8_t key[VPNC_STATIC_KEY_LEN];
	struct side s = {0};
	struct vpnc_engine *e = NULL;

	key_fill(key, 1);
	CHECK(st_new(&e, &s, key, 0, "AES-256-GCM", NULL) == -EINVAL && e == NULL);
	CHECK(strstr(s.last, "AEAD") != NULL);
	CHECK(st_new(&e, &s, key, 0, "NO-SUCH-CBC", NULL) == -ENOENT && e == NULL);
	CHECK(st_new(&e, &s, key, 0, NULL, NULL) == -ENOENT && e == NULL);
	/* Without a static key, an engine still needs its TLS context. */
	CHECK(st_new(&e, &s, NULL, 0, "AES-256-CBC", NULL) == -EINVAL && e == NULL);
}

int main(void)
{
	test_directions();
	test_wrong_key();
	test_keepalive_and_hostile();
	test_fragment();
	test_create_errors();
	printf("test_engine_static: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
