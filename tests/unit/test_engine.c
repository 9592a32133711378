/*
 * test_engine.c: a client and a server engine back to back in memory: the
 * handshake for each wrapping and cipher, 10,000 data packets each way through
 * a wire that drops, duplicates and reorders, keepalive and ping-restart,
 * verification failures, and hostile input after the handshake.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <lz4.h>

#include "core/engine_int.h"
#include "core/keyex.h"
#include "core/tls.h"
#include "vpnc/engine.h"

#include "../pair.h"
#include "../check.h"

static void test_handshakes(void)
{
	static const enum vpnc_wrap_mode wraps[] = {VPNC_WRAP_TLS_CRYPT, VPNC_WRAP_NONE, VPNC_WRAP_TLS_AUTH};
	static const char *ciphers[] = {"AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"};

	for (size_t w = 0; w < 3; w++) {
		for (size_t c = 0; c < 3; c++) {
			struct pair p;
			struct pair_opts o = {.wrap = wraps[w], .client_ciphers = "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305",
			                      .server_ciphers = ciphers[c], .verify_name = "server",
			                      .verify_type = VPNC_X509_NAME};
			if (pair_new(&p, &o) != 0) {
				CHECK(0, "pair_new");
				continue;
			}
			uint64_t start = p.now;
			pair_handshake(&p);
			uint64_t ms = p.now - start;
			CHECK(p.c_connected && p.s_connected, "handshake wrap %zu cipher %s (%s)", w, ciphers[c], p.c_reason);
			CHECK(strcmp(vpnc_engine_cipher(p.c), ciphers[c]) == 0, "negotiated %s, want %s",
			      vpnc_engine_cipher(p.c), ciphers[c]);
			CHECK(ms < 2000, "handshake took %llu simulated ms", (unsigned long long)ms);
			/* One packet each way proves the keys match. */
			uint8_t mem[VPNC_PKT_BUF], ip[100];
			struct vpnc_buf b;
			memset(ip, 0x45, sizeof(ip));
			vpnc_buf_init(&b, mem, sizeof(mem), 0);
			CHECK(vpnc_engine_tun_in(p.c, p.now, ip, sizeof(ip), &b) == 0, "client encrypt");
			wire_q_push(&p.c2s, vpnc_buf_data(&b), b.len);
			vpnc_buf_init(&b, mem, sizeof(mem), 0);
			CHECK(vpnc_engine_tun_in(p.s, p.now, ip, sizeof(ip), &b) == 0, "server encrypt");
			wire_q_push(&p.s2c, vpnc_buf_data(&b), b.len);
			unsigned st = 0, ct = 0;
			wire_deliver(p.s, p.now, &p.c2s, &st);
			wire_deliver(p.c, p.now, &p.s2c, &ct);
			CHECK(st == 1 && ct == 1, "data both ways (server got %u, client got %u)", st, ct);
			const struct vpnc_push *push = NULL;
			(void)push;
			pair_free(&p);
		}
	}
}

/* Sends n numbered packets from a to b through the chaotic wire; returns how many arrived intact, once each. */
static unsigned send_numbered(struct pair *p, bool from_client, unsigned n, unsigned *dups, unsigned *bad)
{
	struct vpnc_engine *src = from_client ? p->c : p->s;
	struct vpnc_engine *dst = from_client ? p->s : p->c;
	struct wire_q *q = from_client ? &p->c2s : &p->s2c;
	static uint8_t seen[20000];
	static uint8_t mem[VPNC_PKT_BUF], out[VPNC_PKT_BUF];
	uint8_t ip[1400];
	unsigned got = 0;

	memset(seen, 0, sizeof(seen));
	*dups = *bad = 0;
	for (unsigned i = 0; i < n; i++) {
		struct vpnc_buf b;
		for (size_t k = 0; k < sizeof(ip); k++)
			ip[k] = (uint8_t)(i * 7 + k);
		memcpy(ip, &i, sizeof(i));
		vpnc_buf_init(&b, mem, sizeof(mem), 0);
		if (vpnc_engine_tun_in(src, p->now, ip, sizeof(ip), &b) != 0) {
			(*bad)++;
			continue;
		}
		wire_q_send(q, &p->chaos, vpnc_buf_data(&b), b.len);
		if (q->count > 32 || i == n - 1) {
			struct wire_pkt *w;
			while ((w = wire_q_pop(q)) != NULL) {
				struct vpnc_buf t;
				vpnc_buf_init(&t, out, sizeof(out), VPNC_HEADROOM);
				if (vpnc_engine_link_in(dst, p->now, w->data, w->len, &t) != 1)
					continue;
				unsigned id;
				memcpy(&id, vpnc_buf_data(&t), sizeof(id));
				uint8_t expect[1400];
				for (size_t k = 0; k < sizeof(expect); k++)
					expect[k] = (uint8_t)(id * 7 + k);
				memcpy(expect, &id, sizeof(id));
				if (t.len != sizeof(ip) || id >= n || memcmp(vpnc_buf_data(&t), expect, sizeof(expect)) != 0) {
					(*bad)++;
				} else if (seen[id]) {
					(*dups)++;
				} else {
					seen[id] = 1;
					got++;
				}
			}
		}
	}
	return got;
}

static void test_bulk_chaos(void)
{
	struct pair p;
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM:CHACHA20-POLY1305",
	                      .server_ciphers = "AES-256-GCM:CHACHA20-POLY1305"};
	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		return;
	}
	/* The handshake itself runs through a bad wire: the reliability layer has to cope. */
	p.chaos = (struct wire_chaos){.drop_pct = 10, .dup_pct = 5, .reorder_pct = 10};
	pair_handshake(&p);
	CHECK(p.c_connected && p.s_connected, "handshake over a lossy wire (%s)", p.c_reason);
	const struct vpnc_stats *st = vpnc_engine_stats(p.c);
	CHECK(st->retransmits > 0, "retransmissions happened on the lossy wire");

	unsigned dups, bad;
	unsigned got = send_numbered(&p, true, 10000, &dups, &bad);
	CHECK(dups == 0 && bad == 0, "upload: %u duplicates, %u bad delivered", dups, bad);
	CHECK(got > 8500 && got < 10000, "upload delivered %u of 10000 with 10%% loss", got);
	got = send_numbered(&p, false, 10000, &dups, &bad);
	CHECK(dups == 0 && bad == 0, "download: %u duplicates, %u bad delivered", dups, bad);
	CHECK(got > 8500 && got < 10000, "download delivered %u of 10000 with 10%% loss", got);
	CHECK(vpnc_engine_stats(p.s)->drops[VPNC_DROP_REPLAY] > 0, "the server dropped the duplicates as replays");

	/* A clean wire delivers everything. */
	p.chaos = (struct wire_chaos){0};
	got = send_numbered(&p, true, 10000, &dups, &bad);
	CHECK(got == 10000 && dups == 0 && bad == 0, "clean upload delivered %u", got);
	got = send_numbered(&p, false, 10000, &dups, &bad);
	CHECK(got == 10000 && dups == 0 && bad == 0, "clean download delivered %u", got);
	pair_free(&p);
}

static void test_keepalive(void)
{
	struct pair p;
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM", .server_ciphers = "AES-256-GCM",
	                      .push = "ping 2,ping-restart 7"};
	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		return;
	}
	pair_handshake(&p);
	CHECK(p.c_connected, "connected for keepalive");
	uint64_t in0 = vpnc_engine_stats(p.s)->link_in_pkts;
	/* 30 s of silence: pings flow, nobody restarts, nothing reaches a TUN. */
	for (int i = 0; i < 300; i++)
		pair_step(&p, 100);
	uint64_t pings = vpnc_engine_stats(p.s)->link_in_pkts - in0;
	CHECK(pings >= 10 && pings <= 20, "client sent %llu pings in 30 s with ping 2", (unsigned long long)pings);
	CHECK(!p.c_restart && !p.c_fatal, "no restart while pings flow (%s)", p.c_reason);
	CHECK(p.s_tun == 0 && p.c_tun == 0, "pings never reach the TUN");
	CHECK(vpnc_engine_next_timer(p.c) <= p.now + 2000, "a timer is armed for the next ping");

	/* The server goes silent: ping-restart fires after 7 s. */
	for (int i = 0; i < 100 && !p.c_restart; i++) {
		wire_drain(p.c, p.now, &p.c2s, NULL);
		p.c2s.count = 0;
		p.now += 100;
		vpnc_engine_tick(p.c, p.now);
		pair_events(&p);
	}
	CHECK(p.c_restart, "ping-restart fired");
	CHECK(strstr(p.c_reason, "ping-restart") != NULL, "reason names ping-restart: %s", p.c_reason);
	pair_free(&p);
}

static void test_verify_failures(void)
{
	struct testpki other;
	testpki_make(&other, 0);
	struct pair p;
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM", .server_ciphers = "AES-256-GCM",
	                      .client_ca = other.ca};
	if (pair_new(&p, &o) == 0) {
		pair_handshake(&p);
		CHECK(p.c_fatal && !p.c_connected, "wrong CA is fatal");
		CHECK(strstr(p.c_reason, "verification failed") != NULL, "reason: %s", p.c_reason);
		pair_free(&p);
	}
	struct pair_opts o2 = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM", .server_ciphers = "AES-256-GCM",
	                       .verify_name = "someone-else", .verify_type = VPNC_X509_NAME};
	if (pair_new(&p, &o2) == 0) {
		pair_handshake(&p);
		CHECK(p.c_fatal && !p.c_connected, "wrong verify-x509-name is fatal");
		CHECK(strstr(p.c_reason, "verify-x509-name") != NULL, "reason: %s", p.c_reason);
		pair_free(&p);
	}
	struct pair_opts o3 = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-128-GCM", .server_ciphers = "CHACHA20-POLY1305"};
	if (pair_new(&p, &o3) == 0) {
		pair_handshake(&p);
		CHECK(!p.c_connected, "no common cipher: not connected");
		CHECK(p.c_fatal && strstr(p.c_reason, "authentication failed") != NULL, "reason: %s", p.c_reason);
		pair_free(&p);
	}
	testpki_free(&other);
}

/* Garbage of every length after the handshake: dropped, counted, and the tunnel still works. */
static void test_garbage(void)
{
	struct pair p;
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM", .server_ciphers = "AES-256-GCM"};
	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		return;
	}
	pair_handshake(&p);
	uint8_t junk[1600], mem[VPNC_PKT_BUF];
	struct vpnc_buf b;
	int accepted = 0;
	for (unsigned len = 0; len < sizeof(junk); len++) {
		wire_rand(NULL, junk, len);
		if (len > 0)
			junk[0] = (uint8_t)((len % 12) << 3); /* every opcode in turn */
		vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
		if (vpnc_engine_link_in(p.c, p.now, junk, len, &b) >= 0)
			accepted++;
	}
	CHECK(accepted == 0, "%d garbage packets were accepted", accepted);
	CHECK(!p.c_restart && !p.c_fatal, "garbage does not end the session (%s)", p.c_reason);
	unsigned dups, bad;
	unsigned got = send_numbered(&p, false, 100, &dups, &bad);
	CHECK(got == 100, "tunnel works after garbage (%u)", got);
	pair_free(&p);
}

/* Replayed, truncated, tampered and unauthenticated packets: each dropped and counted by reason. */
static void test_drop_reasons(void)
{
	struct pair p;
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM", .server_ciphers = "AES-256-GCM"};
	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		return;
	}
	pair_handshake(&p);
	uint8_t mem[VPNC_PKT_BUF], pkt[VPNC_PKT_BUF], ip[64];
	struct vpnc_buf b;
	memset(ip, 0x45, sizeof(ip));
	vpnc_buf_init(&b, mem, sizeof(mem), 0);
	CHECK(vpnc_engine_tun_in(p.s, p.now, ip, sizeof(ip), &b) == 0, "server encrypt");
	size_t len = b.len;
	memcpy(pkt, vpnc_buf_data(&b), len);
	const struct vpnc_stats *st = vpnc_engine_stats(p.c);

	vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
	CHECK(vpnc_engine_link_in(p.c, p.now, pkt, len, &b) == 1, "first copy delivered");
	CHECK(b.len == sizeof(ip) && memcmp(vpnc_buf_data(&b), ip, sizeof(ip)) == 0, "plaintext intact");
	vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
	CHECK(vpnc_engine_link_in(p.c, p.now, pkt, len, &b) < 0, "replay dropped");
	CHECK(st->drops[VPNC_DROP_REPLAY] == 1, "replay counted (%llu)", (unsigned long long)st->drops[VPNC_DROP_REPLAY]);

	pkt[len - 1] ^= 1;
	vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
	CHECK(vpnc_engine_link_in(p.c, p.now, pkt, len, &b) < 0, "tampered data dropped");
	CHECK(st->drops[VPNC_DROP_DECRYPT] == 1, "tampering counted");

	vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
	CHECK(vpnc_engine_link_in(p.c, p.now, pkt, 10, &b) < 0, "truncated data dropped");
	CHECK(st->drops[VPNC_DROP_SHORT] >= 1, "truncation counted");

	pkt[0] = (uint8_t)((9 << 3) | 3); /* a key id we do not have */
	vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
	CHECK(vpnc_engine_link_in(p.c, p.now, pkt, len, &b) < 0, "unknown key id dropped");
	CHECK(st->drops[VPNC_DROP_KEY_ID] == 1, "key id counted");

	/* A control packet with a forged tls-crypt tag. */
	uint8_t ctl[80];
	wire_rand(NULL, ctl, sizeof(ctl));
	ctl[0] = (uint8_t)(4 << 3);
	vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
	CHECK(vpnc_engine_link_in(p.c, p.now, ctl, sizeof(ctl), &b) < 0, "forged control packet dropped");
	CHECK(st->drops[VPNC_DROP_AUTH] == 1, "authentication failure counted");
	CHECK(vpnc_engine_state(p.c) == VPNC_ST_CONNECTED, "still connected after all that");
	pair_free(&p);
}

/*
 * Real compression pushed: refused when the profile does not allow it; when it
 * does, the client decompresses what the server compresses (made here with
 * liblz4 and sent by the server's key), sends uncompressed, and counts and
 * logs once what is corrupt or decompresses past the MTU.
 */
static void test_compression(void)
{
	struct pair p;
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM",
	                      .server_ciphers = "AES-256-GCM", .push = PAIR_PUSH_DEFAULT ",compress lz4-v2",
	                      .server_comp = VPNC_COMP_LZ4_V2};
	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		return;
	}
	CHECK(!pair_handshake(&p) && p.c_fatal && strstr(p.c_reason, "compression") != NULL,
	      "pushed compression refused without allow-compression (%s)", p.c_reason);
	pair_free(&p);

	o.client_comp_allowed = true;
	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		return;
	}
	CHECK(pair_handshake(&p), "connected with compression allowed");
	CHECK(p.c->comp == VPNC_COMP_LZ4_V2 && p.c->zbuf != NULL, "client uses lz4-v2 with a scratch");
	static uint8_t mem[VPNC_PKT_BUF], pkt[VPNC_PKT_BUF], ip[1600], f[1700];
	struct vpnc_buf b;
	const struct vpnc_stats *st = vpnc_engine_stats(p.c);
	memset(ip, 0, sizeof(ip));
	ip[0] = 0x45;
	struct vpnc_dc_key *sk = &p.s->ks->dc;
	for (int round = 0; round < 3; round++) {
		/* 1400 bytes decompress within the MTU; 1600 would pass it; the third is corrupt. */
		size_t len = round == 1 ? 1600 : 1400;
		int zl = LZ4_compress_default((const char *)ip, (char *)f + 2, (int)len, (int)sizeof(f) - 2);
		CHECK(zl > 0 && zl < 100, "compressible");
		f[0] = 0x50;
		f[1] = 0x01;
		if (round == 2)
			memset(f + 2, 0xF0, (size_t)zl);
		vpnc_dc_set_comp(sk, VPNC_COMP_NONE); /* the raw framed bytes go out as they are */
		int n = vpnc_dc_encrypt(sk, f, (size_t)zl + 2, pkt, sizeof(pkt));
		vpnc_dc_set_comp(sk, VPNC_COMP_LZ4_V2);
		CHECK(n > 0, "server key encrypts");
		vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
		int r = vpnc_engine_link_in(p.c, p.now, pkt, (size_t)n, &b);
		if (round == 0)
			CHECK(r == 1 && b.len == len && memcmp(vpnc_buf_data(&b), ip, len) == 0,
			      "compressed packet delivered decompressed (%d, %zu)", r, b.len);
		else
			CHECK(r < 0 && st->drops[VPNC_DROP_DECOMP] == (uint64_t)round,
			      "round %d dropped and counted as decompression", round);
	}
	CHECK(p.clog.drop_lines == 1, "logged once (%d)", p.clog.drop_lines);
	/* What the client sends is uncompressed, in the lz4-v2 family's framing: the server reads it. */
	vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
	CHECK(vpnc_engine_tun_in(p.c, p.now, ip, 1400, &b) == 0 && b.len > 1400, "client sends 1400 zero bytes whole");
	memcpy(pkt, vpnc_buf_data(&b), b.len);
	size_t n = b.len;
	vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
	CHECK(vpnc_engine_link_in(p.s, p.now, pkt, n, &b) == 1 && b.len == 1400, "server reads it");
	CHECK(vpnc_engine_state(p.c) == VPNC_ST_CONNECTED, "still connected");
	pair_free(&p);
}

/* A SYN with MSS 1460 in an Ethernet frame (tags 802.1Q tags), or as a bare IP packet (eth false). */
static size_t syn(uint8_t *f, bool eth, int tags, bool v6)
{
	size_t off = 0, ipl = v6 ? 40 : 20;

	memset(f, 0, 128);
	if (eth) {
		memset(f, 0x02, 12);
		off = 12;
		for (int i = 0; i < tags; i++, off += 4)
			f[off] = 0x81, f[off + 3] = 5;
		f[off] = v6 ? 0x86 : 0x08;
		f[off + 1] = v6 ? 0xDD : 0x00;
		off += 2;
	}
	f[off] = v6 ? 0x60 : 0x45;
	f[off + (v6 ? 6 : 9)] = 6;
	f[off + ipl + 12] = 6 << 4;
	f[off + ipl + 13] = 0x02;
	f[off + ipl + 20] = 2;
	f[off + ipl + 21] = 4;
	f[off + ipl + 22] = 1460 >> 8;
	f[off + ipl + 23] = 1460 & 0xFF;
	return off + ipl + 24;
}

/* Client to server: what the server's engine hands to its device (len, or -1), into out. */
static int through(struct pair *p, const uint8_t *in, size_t len, uint8_t *out)
{
	static uint8_t mem[VPNC_PKT_BUF], pkt[VPNC_PKT_BUF];
	struct vpnc_buf b;
	uint8_t copy[256];
	int r;

	memcpy(copy, in, len);
	vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
	r = vpnc_engine_tun_in(p->c, p->now, copy, len, &b);
	if (r != 0)
		return r;
	memcpy(pkt, vpnc_buf_data(&b), b.len);
	size_t n = b.len;
	vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
	if (vpnc_engine_link_in(p->s, p->now, pkt, n, &b) != 1)
		return -1;
	memcpy(out, vpnc_buf_data(&b), b.len);
	return (int)b.len;
}

/*
 * dev tap: frames cross whole, the MSS of a SYN inside a frame (behind at most
 * one 802.1Q tag) is clamped, 32 bytes (tun-mtu-extra) below what a TUN gets,
 * and block-ipv6 drops IPv6 frames; pings still flow.
 */
static void test_tap_frames(void)
{
	struct pair p;
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM",
	                      .server_ciphers = "AES-256-GCM", .tap = true,
	                      .push = PAIR_PUSH_DEFAULT ",block-ipv6"};
	uint8_t f[128], out[256];
	size_t len;
	int n;

	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		return;
	}
	CHECK(pair_handshake(&p), "TAP pair connected (%s)", p.c_reason);
	uint16_t mss4 = p.c->mss4;
	CHECK(mss4 > 1000 && p.c->mss6 == mss4 - 20, "clamp values %u/%u", mss4, p.c->mss6);
	for (int tags = 0; tags < 3; tags++) {
		len = syn(f, true, tags, false);
		n = through(&p, f, len, out);
		uint16_t got = (uint16_t)(out[len - 2] << 8 | out[len - 1]);
		CHECK(n == (int)len && memcmp(out, f, len - 8) == 0,
		      "frame with %d tags crosses whole up to the TCP checksum", tags);
		CHECK(tags < 2 ? got == mss4 : got == 1460, "%d tags: MSS %u", tags, got);
	}
	/* The same bytes as a bare IPv4 packet are no frame: the first byte is a MAC's. */
	len = syn(f, false, 0, false);
	n = through(&p, f, len, out);
	CHECK(n == (int)len && memcmp(out, f, len) == 0, "a bare IP packet is not parsed on a TAP");
	/* block-ipv6: IPv6 frames (plain or tagged) stay off the tunnel; IPv4 and ARP go. */
	const struct vpnc_stats *st = vpnc_engine_stats(p.c);
	len = syn(f, true, 0, true);
	CHECK(through(&p, f, len, out) == -EPERM && st->tun_blocked_pkts == 1, "IPv6 frame blocked");
	len = syn(f, true, 1, true);
	CHECK(through(&p, f, len, out) == -EPERM && st->tun_blocked_pkts == 2, "tagged IPv6 frame blocked");
	len = syn(f, true, 0, false);
	f[12] = 0x08, f[13] = 0x06;
	CHECK(through(&p, f, len, out) == (int)len && memcmp(out, f, len) == 0, "ARP crosses untouched");
	/* Keepalive still works: a minute of pings only, no restart. */
	for (int i = 0; i < 60; i++)
		pair_step(&p, 1000);
	CHECK(!p.c_restart && !p.c_fatal && vpnc_engine_state(p.c) == VPNC_ST_CONNECTED, "%s", p.c_reason);
	pair_free(&p);

	/* The same profile on a TUN clamps 32 bytes higher: 2.6's tun-mtu-extra. */
	o.tap = false;
	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		return;
	}
	p.c->mssfix = 1492; /* the pair turns mssfix off on a TUN; 2.6's default here */
	CHECK(pair_handshake(&p));
	CHECK(p.c->mss4 == mss4 + 32, "TUN %u, TAP %u", p.c->mss4, mss4);
	pair_free(&p);
}

/* Renegotiation started by either side, with data flowing both ways all the time. */
static void test_renegotiation(bool by_client)
{
	struct pair p;
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM", .server_ciphers = "AES-256-GCM",
	                      .push = "ping 1,ping-restart 10"};
	if (by_client)
		o.client_reneg = 3;
	else
		o.server_reneg = 3;
	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		return;
	}
	pair_handshake(&p);
	CHECK(p.c_connected, "connected before renegotiating");
	unsigned sent = 0, lost = 0;
	for (int i = 0; i < 1000; i++) {
		unsigned dups, bad;
		/* A few packets each way every 20 ms for 20 s, through several key changes. */
		unsigned got = send_numbered(&p, true, 2, &dups, &bad) + send_numbered(&p, false, 2, &dups, &bad);
		sent += 4;
		lost += 4 - got;
		pair_step(&p, 20);
	}
	const struct vpnc_stats *cs = vpnc_engine_stats(p.c), *ss = vpnc_engine_stats(p.s);
	CHECK(cs->renegotiations >= 5 && ss->renegotiations >= 5, "%s renegotiations: client %llu, server %llu",
	      by_client ? "client" : "server", (unsigned long long)cs->renegotiations,
	      (unsigned long long)ss->renegotiations);
	CHECK(!p.c_restart && !p.c_fatal, "no restart while renegotiating (%s)", p.c_reason);
	CHECK(lost <= 8, "%u of %u packets lost across key changes", lost, sent);
	pair_free(&p);
}

/* Control messages from the server end the session with the right cause and flags. */
static void test_server_messages(void)
{
	static const struct {
		const char *msg;
		enum vpnc_event_type type;
		enum vpnc_cause cause;
		unsigned flags;
	} cases[] = {
		{"RESTART", VPNC_EV_RESTART, VPNC_CAUSE_SERVER_RESTART, 0},
		{"RESTART,[N]", VPNC_EV_RESTART, VPNC_CAUSE_SERVER_RESTART, VPNC_RESTART_NEXT},
		{"RESTART,[PN] going down", VPNC_EV_RESTART, VPNC_CAUSE_SERVER_RESTART,
		 VPNC_RESTART_NEXT | VPNC_RESTART_PRESERVE},
		{"RESTART,server shutdown [N]", VPNC_EV_RESTART, VPNC_CAUSE_SERVER_RESTART, 0},
		{"HALT,bye", VPNC_EV_FATAL, VPNC_CAUSE_SERVER_HALT, 0},
		{"EXIT", VPNC_EV_RESTART, VPNC_CAUSE_SERVER_EXIT, 0},
		{"AUTH_FAILED,nope", VPNC_EV_FATAL, VPNC_CAUSE_AUTH_FAILED, 0},
		{"AUTH_FAILED,TEMP[backoff 5]:later", VPNC_EV_RESTART, VPNC_CAUSE_OTHER, 0},
		{"AUTH_FAILED,CRV1:R,E:st1:YWxpY2U=:Code?", VPNC_EV_FATAL, VPNC_CAUSE_AUTH_CHALLENGE, 0},
		{"AUTH_FAILED,CRV1:R,E:st1", VPNC_EV_FATAL, VPNC_CAUSE_AUTH_FAILED, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pair p;
		struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM",
		                      .server_ciphers = "AES-256-GCM"};
		if (pair_new(&p, &o) != 0)
			continue;
		pair_handshake(&p);
		vpnc__send_ctrl_msg(p.s, p.s->ks, cases[i].msg);
		struct vpnc_event ev, last = {0};
		for (int k = 0; k < 5; k++) {
			wire_drain(p.s, p.now, &p.s2c, NULL);
			wire_deliver(p.c, p.now, &p.s2c, NULL);
			while (vpnc_engine_event(p.c, &ev))
				if (ev.type == VPNC_EV_RESTART || ev.type == VPNC_EV_FATAL)
					last = ev;
		}
		CHECK(last.type == cases[i].type && last.cause == cases[i].cause &&
		          last.restart_flags == cases[i].flags,
		      "'%s': event %d cause %d flags %u", cases[i].msg, last.type, last.cause, last.restart_flags);
		pair_free(&p);
	}
}

/* Sends msg from the server and runs the wire a few rounds; returns the client's last event of type. */
static struct vpnc_event server_says(struct pair *p, const char *msg, enum vpnc_event_type type, unsigned *count)
{
	struct vpnc_event ev, last = {0};

	vpnc__send_ctrl_msg(p->s, p->s->ks, msg);
	for (int k = 0; k < 5; k++) {
		wire_drain(p->s, p->now, &p->s2c, NULL);
		wire_deliver(p->c, p->now, &p->s2c, NULL);
		wire_drain(p->c, p->now, &p->c2s, NULL); /* ACKs, so the server's send window moves */
		wire_deliver(p->s, p->now, &p->c2s, NULL);
		while (vpnc_engine_event(p->c, &ev))
			if (ev.type == type) {
				last = ev;
				if (count != NULL)
					(*count)++;
			}
	}
	return last;
}

/*
 * The server's authentication questions: CRV1 ends the session with its
 * fields; CR_TEXT and WEB_AUTH are passed on while the session goes on, at
 * most VPNC_CHALLENGES_MAX of them; the CR_TEXT answer goes out, and cannot
 * once the session ended.
 */
static void test_challenges(void)
{
	struct pair p;
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM",
	                      .server_ciphers = "AES-256-GCM"};
	struct vpnc_event ev;
	unsigned n = 0;

	if (pair_new(&p, &o) != 0)
		return;
	pair_handshake(&p);
	ev = server_says(&p, "AUTH_FAILED,CRV1:R,E:st1:YWxpY2U=:Your code?", VPNC_EV_FATAL, NULL);
	CHECK(ev.cause == VPNC_CAUSE_AUTH_CHALLENGE && ev.challenge != NULL);
	if (ev.challenge != NULL) {
		CHECK(ev.challenge->kind == VPNC_AUTHCR_CRV1);
		CHECK_STR(ev.challenge->state_id, "st1");
		CHECK_STR(ev.challenge->user, "alice");
		CHECK_STR(ev.challenge->text, "Your code?");
	}
	CHECK(strstr(ev.reason, "Your code?") != NULL, "%s", ev.reason);
	CHECK(vpnc_engine_cr_response(p.c, "123") == -ENOTCONN);
	pair_free(&p);

	memset(&p, 0, sizeof(p));
	if (pair_new(&p, &o) != 0)
		return;
	pair_handshake(&p);
	ev = server_says(&p, "INFO_PRE,CR_TEXT:R:Enter the code", VPNC_EV_AUTH_CHALLENGE, &n);
	CHECK(n == 1 && ev.challenge != NULL && ev.challenge->kind == VPNC_AUTHCR_CR_TEXT);
	if (ev.challenge != NULL)
		CHECK_STR(ev.challenge->text, "Enter the code");
	CHECK(vpnc_engine_state(p.c) == VPNC_ST_CONNECTED);
	uint64_t before = vpnc_engine_stats(p.c)->link_out_pkts;
	CHECK(vpnc_engine_cr_response(p.c, "123456") == 0);
	wire_drain(p.c, p.now, &p.c2s, NULL);
	CHECK(vpnc_engine_stats(p.c)->link_out_pkts > before, "the CR_RESPONSE went out");
	ev = server_says(&p, "INFO_PRE,WEB_AUTH:external:https://sso.example/a", VPNC_EV_AUTH_CHALLENGE, &n);
	CHECK(n == 2 && ev.challenge != NULL && ev.challenge->kind == VPNC_AUTHCR_WEB_AUTH);
	/* Not http(s), malformed: plain information, no event. */
	server_says(&p, "INFO_PRE,OPEN_URL:file:///etc/shadow", VPNC_EV_AUTH_CHALLENGE, &n);
	server_says(&p, "INFO_PRE,CR_TEXT:R", VPNC_EV_AUTH_CHALLENGE, &n);
	CHECK(n == 2, "%u", n);
	for (int i = 0; i < VPNC_CHALLENGES_MAX + 3; i++)
		server_says(&p, "INFO,CR_TEXT:R:again", VPNC_EV_AUTH_CHALLENGE, &n);
	CHECK(n == VPNC_CHALLENGES_MAX, "%u", n);
	CHECK(vpnc_engine_state(p.c) == VPNC_ST_CONNECTED);
	char big[VPNC_AUTHCR_RESPONSE_MAX + 1];
	memset(big, '7', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(vpnc_engine_cr_response(p.c, big) == -ENOSPC);
	CHECK(vpnc_engine_cr_response(p.s, "1") == -EINVAL);
	pair_free(&p);
}

/* How often needle occurs in mem[0..len), leaving out mem[skip .. skip + skip_len). */
static unsigned occurrences(const uint8_t *mem, size_t len, const char *needle, size_t skip, size_t skip_len)
{
	size_t n = strlen(needle);
	unsigned count = 0;

	for (size_t i = 0; i + n <= len; i++)
		if (!(i + n > skip && i < skip + skip_len) && memcmp(mem + i, needle, n) == 0)
			count++;
	return count;
}

/* True if no byte of a reliability entry that is not in use is left over. */
static bool rel_unused_clean(const struct vpnc_reliable *r)
{
	for (size_t i = 0; i < VPNC_REL_SEND_WINDOW; i++)
		for (size_t k = 0; !r->tx[i].active && k < VPNC_REL_PAYLOAD_MAX; k++)
			if (r->tx[i].payload[k] != 0)
				return false;
	for (size_t i = 0; i < VPNC_REL_RECV_WINDOW; i++)
		for (size_t k = 0; !r->rx[i].active && k < VPNC_REL_PAYLOAD_MAX; k++)
			if (r->rx[i].payload[k] != 0)
				return false;
	return true;
}

/*
 * A pushed auth-token is a secret: once the PUSH_REPLY is consumed and
 * ACKed, the client engine holds it only where it needs it (e->auth_token,
 * for the next authentication). The whole engine struct is searched: the
 * TLS plaintext buffer, the control-message reassembly buffer, the push
 * struct, the reliability layer. Acknowledged or delivered reliability
 * entries are wiped as well.
 */
static void test_token_wiped(void)
{
	static const char token[] = "SESS_ID_lingering_t0ken_7f3a9c";
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM", .server_ciphers = "AES-256-GCM",
	                      .push = "ping 10,ping-restart 60,topology subnet,ifconfig 10.8.0.2 255.255.255.0,"
	                              "auth-token SESS_ID_lingering_t0ken_7f3a9c"};
	struct pair p;

	if (pair_new(&p, &o) != 0 || !pair_handshake(&p)) {
		CHECK(0, "token pair (%s)", p.c_reason);
		pair_free(&p);
		return;
	}
	for (int i = 0; i < 50; i++) /* 500 ms: the ACKs of the last packets go both ways */
		pair_step(&p, 10);
	CHECK(strcmp(vpnc_engine_auth_token(p.c), token) == 0, "the engine keeps the pushed token for later");
	unsigned left = occurrences((const uint8_t *)p.c, sizeof(*p.c), token, offsetof(struct vpnc_engine, auth_token),
	                            sizeof(p.c->auth_token));
	CHECK(left == 0, "the auth-token is nowhere else in the client engine after the ACK (%u copies)", left);
	for (int k = 0; k < 2; k++)
		CHECK(rel_unused_clean(&p.c->slots[k].rel), "acknowledged and delivered control packets are wiped (slot %d)", k);
	pair_free(&p);
}

/*
 * When the previous key's transition window ends its key state is cleared:
 * the slot's reliability layer (queued and received control packets) and
 * control-message buffer are wiped whole, as reliable.h and ctrlmsg.h ask,
 * not just marked unused until a renegotiation reuses the slot.
 */
static void test_lame_slot_wiped(void)
{
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM", .server_ciphers = "AES-256-GCM",
	                      .push = "ping 1,ping-restart 30", .client_reneg = 4, .client_tran_window = 1};
	struct pair p;
	bool dropped = false;

	if (pair_new(&p, &o) != 0 || !pair_handshake(&p)) {
		CHECK(0, "lame-duck pair (%s)", p.c_reason);
		pair_free(&p);
		return;
	}
	/* Up to 10 s: the renegotiation at 4 s or a little before, then 1 s of transition window. */
	for (int i = 0; i < 1000 && !dropped; i++) {
		pair_step(&p, 10);
		dropped = vpnc_engine_stats(p.c)->renegotiations >= 1 && p.c->lame == NULL && p.c->ks->dc_ready;
	}
	CHECK(dropped && !p.c_restart && !p.c_fatal, "the old key is dropped after the transition window (%s)",
	      p.c_reason);
	const struct vpnc_keystate *old = p.c->ks == &p.c->slots[0] ? &p.c->slots[1] : &p.c->slots[0];
	CHECK(old->phase == KS_IDLE && old->tls == NULL, "the old key state is unused");
	static const struct vpnc_reliable zero_rel;
	static const struct vpnc_ctrlmsg_rx zero_rx;
	CHECK(memcmp(&old->rel, &zero_rel, sizeof(zero_rel)) == 0, "the old key state's reliability layer is all zero");
	CHECK(memcmp(&old->rx, &zero_rx, sizeof(zero_rx)) == 0, "the old key state's control-message buffer is all zero");
	pair_free(&p);
}

/*
 * Roaming: after a path change the client probes (a ping, then an OCC request
 * the server answers). Answered: the session goes on; unanswered: it ends
 * with a restart after max(1 s, 4 RTT). No probe before the keys or on TCP.
 */
static void test_probe(void)
{
	struct pair p;
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM",
	                      .server_ciphers = "AES-256-GCM"};
	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		return;
	}
	CHECK(vpnc_engine_probe(p.c, p.now) == -ENOTCONN, "no probe before the session is up");
	pair_handshake(&p);
	CHECK(p.c_connected, "connected for the probe");
	CHECK(vpnc_engine_can_float(p.c), "a UDP session with a pushed peer-id can float");
	CHECK(!vpnc_engine_probing(p.c), "no probe running yet");
	for (int i = 0; i < 5; i++)
		pair_step(&p, 10); /* the handshake's last ACKs go out */

	/* Answered: two data packets go out (ping and OCC request), the reply comes back. */
	uint64_t out0 = vpnc_engine_stats(p.c)->link_out_pkts, in0 = vpnc_engine_stats(p.s)->link_in_pkts;
	CHECK(vpnc_engine_probe(p.c, p.now) == 0, "probe started");
	CHECK(vpnc_engine_probing(p.c), "probe running");
	CHECK(vpnc_engine_next_timer(p.c) <= p.now + 1000, "the probe arms a timer within 1 s");
	unsigned n = 0;
	uint8_t mem[VPNC_PKT_BUF];
	struct vpnc_buf b;
	vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
	while (vpnc_engine_link_out(p.c, p.now, &b) == 1) {
		CHECK(vpnc_op_of(vpnc_buf_data(&b)[0]) == VPNC_OP_DATA_V2, "probe packet %u is P_DATA_V2", n);
		wire_q_push(&p.c2s, vpnc_buf_data(&b), b.len);
		vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
		n++;
	}
	CHECK(n == 2, "the probe is a ping and an OCC request (%u packets)", n);
	CHECK(vpnc_engine_stats(p.c)->link_out_pkts - out0 == 2, "both counted as sent");
	for (int i = 0; i < 5; i++)
		pair_step(&p, 10);
	CHECK(vpnc_engine_stats(p.s)->link_in_pkts - in0 >= 2, "the server got both");
	CHECK(!vpnc_engine_probing(p.c), "the server's OCC reply answered the probe");
	CHECK(p.s_tun == 0 && p.c_tun == 0, "probe packets never reach a TUN");
	for (int i = 0; i < 30; i++)
		pair_step(&p, 100);
	CHECK(!p.c_restart && !p.c_fatal, "an answered probe keeps the session (%s)", p.c_reason);

	/* Unanswered: the server hears nothing; the session ends after the 1 s minimum, not before. */
	uint64_t t0 = p.now;
	CHECK(vpnc_engine_probe(p.c, p.now) == 0, "second probe started");
	for (int i = 0; i < 40 && !p.c_restart; i++) {
		wire_drain(p.c, p.now, &p.c2s, NULL);
		p.c2s.count = 0;
		p.now += 50;
		vpnc_engine_tick(p.c, p.now);
		pair_events(&p);
	}
	CHECK(p.c_restart, "an unanswered probe restarts the session");
	CHECK(p.now - t0 >= 1000 && p.now - t0 <= 1100, "after %llu ms (want 1000)",
	      (unsigned long long)(p.now - t0));
	CHECK(strstr(p.c_reason, "path changed") != NULL, "reason: %s", p.c_reason);
	CHECK(p.c->cause == VPNC_CAUSE_PROBE, "cause %d: a failed probe (the daemon reconnects at once)",
	      (int)p.c->cause);
	pair_free(&p);

	/* No peer-id: cannot float. */
	if (pair_new(&p, &o) == 0) {
		pair_handshake(&p);
		p.c->peer_id = -1;
		CHECK(!vpnc_engine_can_float(p.c), "without a peer-id the session cannot float");
		p.c->transport = VPNC_TRANSPORT_TCP;
		CHECK(vpnc_engine_probe(p.c, p.now) == -EOPNOTSUPP, "no probe on TCP");
		pair_free(&p);
	}
}

/*
 * A handshake on a slow path: the server's first reset reaches the client
 * delay_ms late, so the client's round-trip estimate (rtt_ms) is about that.
 * The delay stays under tls-timeout (2 s), so nothing is retransmitted and
 * the estimate is not thrown away as ambiguous.
 */
static bool slow_handshake(struct pair *p, uint64_t delay_ms)
{
	vpnc_engine_start(p->c, p->now);
	vpnc_engine_start(p->s, p->now);
	wire_drain(p->c, p->now, &p->c2s, NULL);
	wire_deliver(p->s, p->now, &p->c2s, &p->s_tun);
	wire_drain(p->s, p->now, &p->s2c, NULL); /* the server's reset, held back */
	for (uint64_t t = 0; t < delay_ms; t += 10) {
		p->now += 10;
		vpnc_engine_tick(p->c, p->now);
		vpnc_engine_tick(p->s, p->now);
	}
	for (int i = 0; i < PAIR_HANDSHAKE_ROUNDS && !(p->c_connected && p->s_connected) && p->c_end_events == 0; i++)
		pair_step(p, 10);
	for (int i = 0; i < 5; i++)
		pair_step(p, 10); /* the handshake's last ACKs go out */
	return p->c_connected && p->s_connected;
}

/*
 * Probes the path with the server silent, in 10 ms steps; returns how long the
 * client waited before it ended the session (0: it did not within limit_ms).
 */
static uint64_t unanswered_probe(struct pair *p, uint64_t limit_ms)
{
	uint64_t t0 = p->now;
	if (vpnc_engine_probe(p->c, p->now) != 0)
		return 0;
	while (!p->c_restart && !p->c_fatal && p->now - t0 < limit_ms) {
		wire_drain(p->c, p->now, &p->c2s, NULL);
		p->c2s.count = 0;
		p->now += 10;
		vpnc_engine_tick(p->c, p->now);
		pair_events(p);
	}
	return p->c_restart ? p->now - t0 : 0;
}

/*
 * The probe's wait follows the path's round trip: 4 x RTT when that is over
 * the 1 s floor (a 400 ms path waits 1.6 s, not 1 s), and never more than 5 s,
 * however slow the path was. An answered probe refreshes the estimate.
 */
static void test_probe_rtt(void)
{
	struct pair p;
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM",
	                      .server_ciphers = "AES-256-GCM"};

	/* 400 ms round trip: the unanswered probe ends the session at 1600 ms, not before. */
	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		return;
	}
	CHECK(slow_handshake(&p, 400), "connected over a 400 ms path (%s)", p.c_reason);
	uint64_t rtt = p.c->rtt_ms;
	CHECK(rtt >= 400 && rtt <= 420, "the first reset's answer gave rtt %llu ms (want ~400)",
	      (unsigned long long)rtt);
	uint64_t waited = unanswered_probe(&p, 3000);
	CHECK(waited >= 4 * rtt && waited <= 4 * rtt + 10, "an unanswered probe restarted after %llu ms (want 4 x %llu)",
	      (unsigned long long)waited, (unsigned long long)rtt);
	CHECK(waited > 1500, "the wait is the RTT's, not the 1 s floor (%llu ms)", (unsigned long long)waited);
	CHECK(strstr(p.c_reason, "did not answer within 1") != NULL, "reason names the wait: %s", p.c_reason);
	pair_free(&p);

	/*
	 * A probe whose answer takes 1400 ms (within the 1600 ms wait) keeps the
	 * session and raises the estimate; 4 x 1400 is over the cap, so the next
	 * unanswered probe ends the session at 5 s exactly.
	 */
	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		return;
	}
	CHECK(slow_handshake(&p, 400), "connected over a 400 ms path (%s)", p.c_reason);
	uint64_t t0 = p.now;
	CHECK(vpnc_engine_probe(p.c, p.now) == 0, "slow probe started");
	wire_drain(p.c, p.now, &p.c2s, NULL);
	wire_deliver(p.s, p.now, &p.c2s, &p.s_tun);
	wire_drain(p.s, p.now, &p.s2c, NULL); /* the OCC reply, held back */
	while (p.now - t0 < 1400) {
		p.now += 10;
		vpnc_engine_tick(p.c, p.now);
		vpnc_engine_tick(p.s, p.now);
		pair_events(&p);
	}
	CHECK(vpnc_engine_probing(p.c) && !p.c_restart, "still waiting after 1400 ms (%s)", p.c_reason);
	wire_deliver(p.c, p.now, &p.s2c, &p.c_tun);
	p.s2c.count = 0;
	for (int i = 0; i < 3; i++)
		pair_step(&p, 10);
	CHECK(!vpnc_engine_probing(p.c) && !p.c_restart, "the late answer kept the session (%s)", p.c_reason);
	CHECK(p.c->rtt_ms >= 1400 && p.c->rtt_ms <= 1440, "the answered probe set rtt %llu ms (want ~1400)",
	      (unsigned long long)p.c->rtt_ms);
	waited = unanswered_probe(&p, 8000);
	CHECK(waited >= 5000 && waited <= 5010, "with 4 x RTT over 5 s the wait is capped: %llu ms (want 5000)",
	      (unsigned long long)waited);
	pair_free(&p);

	/* A huge first round trip (1.9 s): the cap holds from the start. */
	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		return;
	}
	CHECK(slow_handshake(&p, 1900), "connected over a 1.9 s path (%s)", p.c_reason);
	CHECK(p.c->rtt_ms >= 1900 && p.c->rtt_ms <= 1920, "rtt %llu ms (want ~1900)", (unsigned long long)p.c->rtt_ms);
	waited = unanswered_probe(&p, 8000);
	CHECK(waited >= 5000 && waited <= 5010, "capped at 5 s, not 4 x RTT: %llu ms", (unsigned long long)waited);
	pair_free(&p);
}

/* 'reneg-sec 20 10': the client renegotiates after a time drawn in (10, 20] s, as 2.6 does. */
static void test_reneg_sec_min(void)
{
	uint64_t seen_min = UINT64_MAX, seen_max = 0;

	for (int run = 0; run < 4; run++) {
		struct pair p;
		struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM",
		                      .server_ciphers = "AES-256-GCM", .push = "ping 1,ping-restart 60",
		                      .client_reneg = 20, .client_reneg_min = 10};
		if (pair_new(&p, &o) != 0) {
			CHECK(0, "pair_new");
			return;
		}
		pair_handshake(&p);
		uint64_t t0 = p.now;
		while (vpnc_engine_stats(p.c)->renegotiations == 0 && p.now - t0 < 30000)
			pair_step(&p, 100);
		uint64_t took = p.now - t0;
		CHECK(took > 9000 && took <= 20500, "reneg-sec 20 10: renegotiated after %llu ms",
		      (unsigned long long)took);
		seen_min = took < seen_min ? took : seen_min;
		seen_max = took > seen_max ? took : seen_max;
		pair_free(&p);
	}
	/* Four draws from ten seconds: the test RNG makes them differ. */
	CHECK(seen_max > seen_min, "reneg-sec MAX MIN draws differ (%llu..%llu ms)",
	      (unsigned long long)seen_min, (unsigned long long)seen_max);
}

/* Lets the server fall silent: the client's packets are dropped unread for up to ms. */
static void server_silent(struct pair *p, uint64_t ms, bool until_end)
{
	for (uint64_t t = 0; t < ms && !(until_end && (p->c_fatal || p->c_restart)); t += 100) {
		wire_drain(p->c, p->now, &p->c2s, NULL);
		p->c2s.count = 0;
		p->now += 100;
		vpnc_engine_tick(p->c, p->now);
		pair_events(p);
	}
}

/* ping-exit in the profile: a clean end after N s of silence, unless the server pushes ping-restart. */
static void test_ping_exit(void)
{
	struct pair p;
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM",
	                      .server_ciphers = "AES-256-GCM", .push = "ping 1", .client_ping_exit = 4};
	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		return;
	}
	pair_handshake(&p);
	CHECK(p.c_connected, "connected for ping-exit");
	for (int i = 0; i < 100; i++) /* 10 s of pings both ways: no exit */
		pair_step(&p, 100);
	CHECK(!p.c_fatal && !p.c_restart, "pings keep ping-exit away (%s)", p.c_reason);
	uint64_t t0 = p.now;
	server_silent(&p, 10000, true);
	CHECK(p.c_fatal && !p.c_restart && p.c_cause == VPNC_CAUSE_IDLE_EXIT,
	      "ping-exit ends the run cleanly: %s", p.c_reason);
	CHECK(strstr(p.c_reason, "(ping-exit)") != NULL, "reason names ping-exit: %s", p.c_reason);
	CHECK(p.now - t0 <= 4100, "ping-exit after %llu ms of silence",
	      (unsigned long long)(p.now - t0));
	pair_free(&p);

	/* A pushed ping-restart replaces the profile's ping-exit, as in 2.6. */
	o.push = "ping 1,ping-restart 6";
	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		return;
	}
	pair_handshake(&p);
	server_silent(&p, 10000, true);
	CHECK(p.c_restart && !p.c_fatal && strstr(p.c_reason, "ping-restart") != NULL,
	      "pushed ping-restart wins over ping-exit: %s", p.c_reason);
	pair_free(&p);
}

/* session-timeout: a clean end N s after the attempt started, traffic or not. */
static void test_session_timeout(void)
{
	struct pair p;
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM",
	                      .server_ciphers = "AES-256-GCM", .push = "ping 1,ping-restart 60",
	                      .client_session_timeout = 6};
	unsigned dups, bad;

	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		return;
	}
	uint64_t t0 = p.now;
	pair_handshake(&p);
	CHECK(p.c_connected, "connected for session-timeout");
	for (int i = 0; i < 100 && !p.c_fatal; i++) {
		send_numbered(&p, true, 1, &dups, &bad);
		pair_step(&p, 100);
	}
	CHECK(p.c_fatal && p.c_cause == VPNC_CAUSE_IDLE_EXIT &&
	      strstr(p.c_reason, "(session-timeout)") != NULL, "session-timeout ends the run: %s",
	      p.c_reason);
	CHECK(p.now - t0 >= 5900 && p.now - t0 <= 6200, "session-timeout after %llu ms",
	      (unsigned long long)(p.now - t0));
	pair_free(&p);
}

/* inactive SECONDS BYTES from the profile: less than BYTES in SECONDS ends the run; pings never count. */
static void test_inactive_profile(void)
{
	struct pair p;
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM",
	                      .server_ciphers = "AES-256-GCM", .push = "ping 1,ping-restart 60",
	                      .client_inactive = 5, .client_inactive_bytes = 20000};
	unsigned dups, bad;

	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		return;
	}
	pair_handshake(&p);
	/* 1400 bytes every 100 ms: 20000 bytes pass every 1.5 s, so the timer keeps restarting. */
	for (int i = 0; i < 80; i++) {
		send_numbered(&p, true, 1, &dups, &bad);
		pair_step(&p, 100);
	}
	CHECK(!p.c_fatal && !p.c_restart, "enough traffic keeps the session (%s)", p.c_reason);
	/* 1400 bytes every 500 ms: 14000 bytes in 5 s, below the threshold, so it ends. */
	uint64_t t0 = p.now;
	for (int i = 0; i < 200 && !p.c_fatal; i++) {
		if (i % 5 == 0)
			send_numbered(&p, true, 1, &dups, &bad);
		pair_step(&p, 100);
	}
	CHECK(p.c_fatal && p.c_cause == VPNC_CAUSE_IDLE_EXIT && strstr(p.c_reason, "inactive") != NULL,
	      "too little traffic ends the run: %s", p.c_reason);
	CHECK(p.now - t0 <= 6600, "inactive ended after %llu ms", (unsigned long long)(p.now - t0));
	pair_free(&p);

	/* Without BYTES every packet counts, and the timer runs before the push too. */
	o.client_inactive_bytes = 0;
	o.client_inactive = 3;
	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		return;
	}
	pair_handshake(&p);
	for (int i = 0; i < 60; i++) {
		send_numbered(&p, i % 2 == 0, 1, &dups, &bad);
		pair_step(&p, 100);
	}
	CHECK(!p.c_fatal, "a packet each way keeps inactive away (%s)", p.c_reason);
	for (int i = 0; i < 50 && !p.c_fatal; i++)
		pair_step(&p, 100);
	CHECK(p.c_fatal && strstr(p.c_reason, "no data through the tunnel for 3 s") != NULL,
	      "pings alone do not count: %s", p.c_reason);
	pair_free(&p);
}

int main(int argc, char **argv)
{
	pair_verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	testpki_make(&pair_pki, 0);
	wire_rand(NULL, pair_wrap_key, sizeof(pair_wrap_key));
	test_handshakes();
	test_bulk_chaos();
	test_keepalive();
	test_verify_failures();
	test_garbage();
	test_drop_reasons();
	test_compression();
	test_server_messages();
	test_token_wiped();
	test_lame_slot_wiped();
	test_probe();
	test_probe_rtt();
	test_ping_exit();
	test_reneg_sec_min();
	test_session_timeout();
	test_inactive_profile();
	{
		/* A pushed inactive 5: pings do not count as activity, data does; then the client leaves. */
		struct pair p;
		struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM",
		                      .server_ciphers = "AES-256-GCM", .push = "ping 1,ping-restart 30,inactive 5"};
		if (pair_new(&p, &o) == 0) {
			pair_handshake(&p);
			unsigned dups, bad;
			for (int i = 0; i < 40; i++) { /* 4 s with data: still there */
				send_numbered(&p, true, 1, &dups, &bad);
				pair_step(&p, 100);
			}
			CHECK(!p.c_fatal && !p.c_restart, "active tunnel not ended (%s)", p.c_reason);
			for (int i = 0; i < 70 && !p.c_fatal; i++)
				pair_step(&p, 100);
			CHECK(p.c_fatal && strstr(p.c_reason, "inactive") != NULL, "inactive ends the session: %s",
			      p.c_reason);
			pair_free(&p);
		}
	}
	test_renegotiation(true);
	test_renegotiation(false);
	{
		/* reneg-pkts: the client renegotiates every 500 data packets. */
		struct pair p;
		struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM",
		                      .server_ciphers = "AES-256-GCM", .client_reneg_pkts = 500};
		if (pair_new(&p, &o) == 0) {
			pair_handshake(&p);
			unsigned got = 0, dups, bad;
			for (int i = 0; i < 300; i++) {
				got += send_numbered(&p, true, 10, &dups, &bad);
				pair_step(&p, 20);
			}
			CHECK(vpnc_engine_stats(p.c)->renegotiations >= 4, "reneg-pkts renegotiations: %llu",
			      (unsigned long long)vpnc_engine_stats(p.c)->renegotiations);
			CHECK(got >= 2990, "reneg-pkts: %u of 3000 delivered", got);
			pair_free(&p);
		}
	}
	{
		/* Keys by the OpenVPN PRF (a server without TLS-EKM) work as well as by EKM. */
		struct pair p;
		struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM",
		                      .server_ciphers = "AES-256-GCM", .prf = true};
		if (pair_new(&p, &o) == 0) {
			pair_handshake(&p);
			CHECK(p.c_connected && p.s_connected, "PRF handshake (%s)", p.c_reason);
			unsigned dups, bad;
			CHECK(send_numbered(&p, true, 100, &dups, &bad) == 100, "PRF keys carry data up");
			CHECK(send_numbered(&p, false, 100, &dups, &bad) == 100, "PRF keys carry data down");
			pair_free(&p);
		}
	}
	testpki_free(&pair_pki);
	/* Ed25519 certificates work the same way. */
	testpki_make(&pair_pki, 1);
	{
		struct pair p;
		struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "CHACHA20-POLY1305",
		                      .server_ciphers = "CHACHA20-POLY1305"};
		if (pair_new(&p, &o) == 0) {
			pair_handshake(&p);
			CHECK(p.c_connected && p.s_connected, "Ed25519 handshake (%s)", p.c_reason);
			pair_free(&p);
		}
	}
	test_challenges(); /* last: the wire RNG sequence the timing tests above were tuned on stays */
	test_tap_frames(); /* after them for the same reason */
	testpki_free(&pair_pki);
	printf("test_engine: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
