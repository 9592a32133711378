/*
 * test_fragment.c: 'fragment' (core/fragment.c, the data channel's fragment
 * calls, core/engine_frag.c). The header bits, the sizes 2.6 computes, and
 * reassembly against every edge a peer can make: out of order, duplicates,
 * interleaved packets, sizes that disagree or lie, fragments past the buffer,
 * the sequence window and the time-out. Then the data channel with every
 * compression framing, and two engines talking through a wire that drops,
 * duplicates and reorders. Last, 2.6's answer to a path MTU the socket
 * reports (vpnc_engine_path_mtu): the new limits, the log lines, the split.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/datachan.h"
#include "core/fragment.h"

#include "../check.h"
#include "../dc_pair.h"
#include "../pair.h"

#define CAP 2176

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void test_header(void)
{
	/* Bit positions of 2.6's fragment.h: type 0..1, seq 2..9, id 10..14, size/4 15..28. */
	CHECK(vpnc_frag_hdr(VPNC_FRAG_WHOLE, 0, 0, 0) == 0);
	CHECK(vpnc_frag_hdr(VPNC_FRAG_NOT_LAST, 5, 1, 1172) == (1u | 5u << 2 | 1u << 10));
	CHECK(vpnc_frag_hdr(VPNC_FRAG_LAST, 255, 31, 1172) == (2u | 255u << 2 | 31u << 10 | 293u << 15));
	CHECK(vpnc_frag_hdr(VPNC_FRAG_LAST, 256, 32, 65532) == (2u | 0x3fffu << 15), "fields are masked");
}

static void test_sizes(void)
{
	/* 2.6's frame_calculate_fragment(): AEAD with peer-id: 4 + 4 + 16, then the 4-byte header. */
	CHECK(vpnc_frag_max_payload(1200, false, false, true, 0, 0, false) == 1172);
	CHECK(vpnc_frag_max_payload(1200, false, false, false, 0, 0, false) == 1175, "P_DATA_V1: 1-byte opcode");
	CHECK(vpnc_frag_max_payload(1200, true, false, true, 0, 0, false) == 1144, "'mtu' takes IPv4 + UDP off");
	CHECK(vpnc_frag_max_payload(1200, true, true, true, 0, 0, false) == 1124, "... IPv6 + UDP");
	/* CBC: 1200 - 4 - (16 IV + 32 HMAC) = 1148 -> 1136 whole blocks - 1 pad - 4 header - 4 pid. */
	CHECK(vpnc_frag_max_payload(1200, false, false, true, 16, 32, false) == 1127);
	CHECK(vpnc_frag_max_payload(68, true, true, true, 16, 64, false) == VPNC_FRAG_ROUND, "never below 4");
	/* Static-key mode: no opcode, the long packet id: 1200 - 16 - 32 = 1152, 1151, - 4 - 8. */
	CHECK(vpnc_frag_max_payload(1200, false, false, false, 16, 32, true) == 1139);
	/* optimal_fragment_size(): the last fragment about as long as the others. */
	CHECK(vpnc_frag_size_for(1172, 1172) == 1172);
	CHECK(vpnc_frag_size_for(1500, 1172) == 752);
	CHECK(vpnc_frag_size_for(2000, 1172) == 1000);
	CHECK(vpnc_frag_size_for(2500, 1172) == 836);
	CHECK(vpnc_frag_size_for(2200, 1172) == 1172, "a last part above 3/4 stays as it is");
	CHECK(vpnc_frag_size_for(1500, 1173) == 752, "sizes are multiples of 4");
	CHECK(vpnc_frag_size_for(1500, 3) == 0, "no size below 4");
}

/* Builds fragment i of data[0..len) with fragment size sz as a plaintext in out; returns its length. */
static size_t frag_of(const uint8_t *data, size_t len, size_t sz, unsigned seq, unsigned i, uint8_t *out)
{
	size_t off = (size_t)i * sz, n = len - off > sz ? sz : len - off;
	bool last = off + n == len;
	put32(out, vpnc_frag_hdr(last ? VPNC_FRAG_LAST : VPNC_FRAG_NOT_LAST, seq, i, sz));
	memcpy(out + 4, data + off, n);
	return 4 + n;
}

static void test_reassembly(void)
{
	struct vpnc_frag_rx rx;
	enum vpnc_frag_err err;
	uint8_t data[2000], pkt[CAP + 8], *out;
	size_t olen;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + 1);
	CHECK(vpnc_frag_rx_init(&rx, CAP) == 0);

	/* WHOLE: passed through from behind the header. */
	put32(pkt, 0);
	memcpy(pkt + 4, data, 100);
	CHECK(vpnc_frag_in(&rx, 0, pkt, 104, &out, &olen, &err) == 1 && out == pkt + 4 && olen == 100);
	CHECK(vpnc_frag_in(&rx, 0, pkt, 4, &out, &olen, &err) == 1 && olen == 0, "an empty WHOLE");
	CHECK(vpnc_frag_in(&rx, 0, pkt, 0, &out, &olen, &err) == 1 && olen == 0, "an empty plaintext");
	CHECK(vpnc_frag_in(&rx, 0, pkt, 3, &out, &olen, &err) == -1 && err == VPNC_FRAG_E_SHORT);
	put32(pkt, 1u << 2);
	CHECK(vpnc_frag_in(&rx, 0, pkt, 104, &out, &olen, &err) == -1 && err == VPNC_FRAG_E_WHOLE_FLAGS);
	put32(pkt, 1u << 10);
	CHECK(vpnc_frag_in(&rx, 0, pkt, 104, &out, &olen, &err) == 1,
	      "2.6 checks WHOLE's ids at their unshifted bits only");
	put32(pkt, VPNC_FRAG_TEST);
	CHECK(vpnc_frag_in(&rx, 0, pkt, 104, &out, &olen, &err) == -1 && err == VPNC_FRAG_E_TEST);

	/* Three fragments in every order, each order with a duplicate: one packet, identical. */
	static const unsigned orders[6][4] = {{0, 1, 2, 1}, {0, 2, 1, 0}, {1, 0, 2, 2},
	                                      {1, 2, 0, 1}, {2, 0, 1, 0}, {2, 1, 0, 2}};
	for (unsigned o = 0; o < 6; o++) {
		unsigned seq = 10 + o, done = 0, at = 0;
		for (unsigned k = 0; k < 4; k++) {
			size_t n = frag_of(data, 1800, 752, seq, orders[o][k], pkt);
			int r = vpnc_frag_in(&rx, 100, pkt, n, &out, &olen, &err);
			if (r == 1) {
				done++;
				at = k;
				CHECK(olen == 1800 && memcmp(out, data, 1800) == 0, "order %u: the packet", o);
			}
			CHECK(r >= 0, "order %u step %u", o, k);
		}
		/* Complete at the third distinct fragment; a later duplicate starts a new partial packet. */
		CHECK(done == 1 && at == 2, "order %u: completed once, at the third fragment", o);
	}

	/* Two packets interleaved. */
	{
		uint8_t a[4][CAP], b[4][CAP];
		size_t al[2], bl[2];
		uint8_t data2[1000];
		for (size_t i = 0; i < sizeof(data2); i++)
			data2[i] = (uint8_t)(255 - i);
		al[0] = frag_of(data, 1000, 600, 40, 0, a[0]);
		al[1] = frag_of(data, 1000, 600, 40, 1, a[1]);
		bl[0] = frag_of(data2, 1000, 600, 41, 0, b[0]);
		bl[1] = frag_of(data2, 1000, 600, 41, 1, b[1]);
		CHECK(vpnc_frag_in(&rx, 1, b[1], bl[1], &out, &olen, &err) == 0);
		CHECK(vpnc_frag_in(&rx, 1, a[0], al[0], &out, &olen, &err) == 0);
		CHECK(vpnc_frag_in(&rx, 1, b[0], bl[0], &out, &olen, &err) == 1 && olen == 1000 &&
		      memcmp(out, data2, 1000) == 0, "the newer packet first");
		CHECK(vpnc_frag_in(&rx, 1, a[1], al[1], &out, &olen, &err) == 1 && olen == 1000 &&
		      memcmp(out, data, 1000) == 0, "the older one, still in the window");
	}

	/* A size that is not a multiple of 4 is refused; so is a fragment that ends past the buffer. */
	put32(pkt, vpnc_frag_hdr(VPNC_FRAG_NOT_LAST, 50, 0, 0));
	CHECK(vpnc_frag_in(&rx, 2, pkt, 4 + 601, &out, &olen, &err) == -1 && err == VPNC_FRAG_E_SIZE);
	put32(pkt, vpnc_frag_hdr(VPNC_FRAG_LAST, 51, 31, 65532));
	CHECK(vpnc_frag_in(&rx, 2, pkt, 104, &out, &olen, &err) == -1 && err == VPNC_FRAG_E_OVERFLOW,
	      "a LAST claiming fragments of 64 KB");
	put32(pkt, vpnc_frag_hdr(VPNC_FRAG_NOT_LAST, 52, 3, 0));
	CHECK(vpnc_frag_in(&rx, 2, pkt, 4 + 600, &out, &olen, &err) == -1 && err == VPNC_FRAG_E_OVERFLOW,
	      "fragment 3 of 600 bytes ends at 2400, past the buffer");
	put32(pkt, vpnc_frag_hdr(VPNC_FRAG_LAST, 53, 0, 0));
	CHECK(vpnc_frag_in(&rx, 2, pkt, 4 + CAP, &out, &olen, &err) == 1 && olen == CAP,
	      "a packet as long as the buffer (size 0: everything at offset 0)");
	put32(pkt, vpnc_frag_hdr(VPNC_FRAG_LAST, 54, 0, 0));
	CHECK(vpnc_frag_in(&rx, 2, pkt, 4 + CAP + 1, &out, &olen, &err) == -1 && err == VPNC_FRAG_E_OVERFLOW);

	/* A peer that lies: LAST says 8-byte fragments, the others are 12: they never agree. */
	{
		int r1, r2, r3;
		put32(pkt, vpnc_frag_hdr(VPNC_FRAG_NOT_LAST, 60, 0, 0));
		r1 = vpnc_frag_in(&rx, 3, pkt, 4 + 12, &out, &olen, &err);
		put32(pkt, vpnc_frag_hdr(VPNC_FRAG_LAST, 60, 1, 8));
		r2 = vpnc_frag_in(&rx, 3, pkt, 4 + 5, &out, &olen, &err);
		put32(pkt, vpnc_frag_hdr(VPNC_FRAG_NOT_LAST, 60, 0, 0));
		r3 = vpnc_frag_in(&rx, 3, pkt, 4 + 12, &out, &olen, &err);
		CHECK(r1 == 0 && r2 == 0 && r3 == 0, "a size change restarts the packet (%d %d %d)", r1, r2, r3);
		/* LAST alone at id 0 with a size: complete at once, as 2.6 (its length is its own). */
		put32(pkt, vpnc_frag_hdr(VPNC_FRAG_LAST, 61, 0, 8));
		CHECK(vpnc_frag_in(&rx, 3, pkt, 4 + 5, &out, &olen, &err) == 1 && olen == 5);
	}

	/* A peer that lies: fragment 2 (of 8-byte fragments) arrives, then LAST as fragment 0 with
	 * 5 bytes: the map is full, but bytes 5..15 were never written: refused, not passed on. */
	{
		put32(pkt, vpnc_frag_hdr(VPNC_FRAG_NOT_LAST, 62, 2, 0));
		CHECK(vpnc_frag_in(&rx, 3, pkt, 4 + 8, &out, &olen, &err) == 0);
		put32(pkt, vpnc_frag_hdr(VPNC_FRAG_LAST, 62, 0, 8));
		CHECK(vpnc_frag_in(&rx, 3, pkt, 4 + 5, &out, &olen, &err) == -1 && err == VPNC_FRAG_E_GAP,
		      "a fragment past LAST's end");
	}

	/* The window: 25 sequence ids; one farther ahead empties it. */
	{
		size_t n0 = frag_of(data, 1000, 600, 70, 0, pkt);
		CHECK(vpnc_frag_in(&rx, 4, pkt, n0, &out, &olen, &err) == 0);
		uint8_t far[CAP];
		size_t nf = frag_of(data, 1000, 600, 70 + VPNC_FRAG_BUFS, 0, far);
		CHECK(vpnc_frag_in(&rx, 4, far, nf, &out, &olen, &err) == 0);
		size_t n1 = frag_of(data, 1000, 600, 70, 1, pkt);
		CHECK(vpnc_frag_in(&rx, 4, pkt, n1, &out, &olen, &err) == 0, "seq 70 was dropped from the window");
		/* Sequence ids wrap at 256. */
		n0 = frag_of(data, 1000, 600, 255, 0, pkt);
		CHECK(vpnc_frag_in(&rx, 4, pkt, n0, &out, &olen, &err) == 0);
		nf = frag_of(data, 1000, 600, 3, 0, far);
		CHECK(vpnc_frag_in(&rx, 4, far, nf, &out, &olen, &err) == 0);
		n1 = frag_of(data, 1000, 600, 255, 1, pkt);
		CHECK(vpnc_frag_in(&rx, 4, pkt, n1, &out, &olen, &err) == 1 && olen == 1000 &&
		      memcmp(out, data, 1000) == 0, "255 is 4 behind 3");
	}

	/* Time-out: a partial packet goes once its last fragment is 10 s old. */
	{
		struct vpnc_frag_rx r2;
		CHECK(vpnc_frag_rx_init(&r2, CAP) == 0);
		size_t n0 = frag_of(data, 1000, 600, 1, 0, pkt);
		CHECK(vpnc_frag_in(&r2, 1000, pkt, n0, &out, &olen, &err) == 0 && vpnc_frag_pending(&r2));
		CHECK(vpnc_frag_reap(&r2, 10999) == 0 && vpnc_frag_pending(&r2));
		CHECK(vpnc_frag_reap(&r2, 11000) == 1 && !vpnc_frag_pending(&r2) && r2.expired == 1);
		size_t n1 = frag_of(data, 1000, 600, 1, 1, pkt);
		CHECK(vpnc_frag_in(&r2, 11001, pkt, n1, &out, &olen, &err) == 0, "the rest alone is not a packet");
		vpnc_frag_rx_free(&r2);
		vpnc_frag_rx_free(&r2);
	}
	vpnc_frag_rx_free(&rx);
}

/* Sealing slices and opening them raw, with each framing: the pieces and the swap byte land right. */
static void test_datachan(void)
{
	static const char *const ciphers[] = {"AES-256-GCM", "AES-128-CBC"};
	static const enum vpnc_comp comps[] = {VPNC_COMP_NONE, VPNC_COMP_LZO_STUB, VPNC_COMP_STUB,
	                                       VPNC_COMP_STUB_V2};
	uint8_t ip[1500], pkt[VPNC_PKT_BUF], plain[VPNC_PKT_BUF], whole[4096];

	for (size_t i = 0; i < sizeof(ip); i++)
		ip[i] = (uint8_t)(i + 3);
	for (size_t c = 0; c < 2; c++) {
		for (size_t m = 0; m < 4; m++) {
			for (int first = 0; first < 2; first++) {
				struct vpnc_dc_key a = {0}, b = {0};
				if (dc_pair(ciphers[c], &a, &b) != 0) {
					CHECK(0, "keys %s", ciphers[c]);
					continue;
				}
				vpnc_dc_set_comp(&a, comps[m]);
				vpnc_dc_set_comp(&b, comps[m]);
				ip[0] = first ? 0x50 : 0x45; /* 0x50 takes the stub-v2 escape */
				size_t flen = vpnc_dc_framed_len(&a, ip, sizeof(ip));
				size_t got = 0;
				for (size_t off = 0; off < flen; off += 600) {
					size_t n = flen - off < 600 ? flen - off : 600;
					int l = vpnc_dc_encrypt_frag(&a, 0xA1B2C3D4u, ip, sizeof(ip), off, n, pkt, sizeof(pkt));
					CHECK(l > 0, "%s comp %zu seal at %zu", ciphers[c], m, off);
					int r = l > 0 ? vpnc_dc_decrypt_raw(&b, pkt, (size_t)l, plain, sizeof(plain)) : -1;
					CHECK(r == (int)(n + 4) && plain[0] == 0xA1 && plain[3] == 0xD4, "%s comp %zu open at %zu: %d",
					      ciphers[c], m, off, r);
					if (r == (int)(n + 4)) {
						memcpy(whole + got, plain + 4, n);
						got += n;
					}
				}
				size_t shift;
				int pl = vpnc_dc_unframe(&b, whole, got, sizeof(whole), &shift);
				CHECK(pl == (int)sizeof(ip) && memcmp(whole + shift, ip, sizeof(ip)) == 0,
				      "%s comp %zu first %d: unframed %d", ciphers[c], m, first, pl);
				CHECK(vpnc_dc_encrypt_frag(&a, 0, ip, sizeof(ip), flen - 1, 2, pkt, sizeof(pkt)) == -EINVAL,
				      "a slice past the end");
				CHECK(vpnc_dc_encrypt_frag(&a, 0, ip, sizeof(ip), 0, flen, ip + 10, 3000) == -EINVAL,
				      "overlapping buffers");
				vpnc_dc_key_clear(&a);
				vpnc_dc_key_clear(&b);
			}
		}
	}
	/* Bad framing in a reassembled packet is reported like decrypt reports it. */
	{
		struct vpnc_dc_key a = {0}, b = {0};
		size_t shift;
		if (dc_pair("AES-256-GCM", &a, &b) == 0) {
			vpnc_dc_set_comp(&b, VPNC_COMP_LZO_STUB);
			whole[0] = 0x42;
			CHECK(vpnc_dc_unframe(&b, whole, 10, sizeof(whole), &shift) == -EPROTO);
			whole[0] = 0x66; /* LZO-compressed, but this key only frames */
			CHECK(vpnc_dc_unframe(&b, whole, 10, sizeof(whole), &shift) == -ENOTSUP);
			CHECK(vpnc_dc_unframe(&b, whole, 0, sizeof(whole), &shift) == 0);
		}
		vpnc_dc_key_clear(&a);
		vpnc_dc_key_clear(&b);
	}
}

/* Sends one packet of len bytes from src through q (the wire's chaos applies); returns the link packets. */
static unsigned send_pkt(struct pair *p, struct vpnc_engine *src, struct wire_q *q, const uint8_t *ip, size_t len)
{
	static uint8_t mem[VPNC_PKT_BUF];
	struct vpnc_buf b;
	unsigned n = 0;

	vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
	if (vpnc_engine_tun_in(src, p->now, (uint8_t *)(uintptr_t)ip, len, &b) != 0)
		return 0;
	wire_q_send(q, &p->chaos, vpnc_buf_data(&b), b.len);
	n++;
	while (vpnc_engine_tun_more(src)) {
		vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
		if (vpnc_engine_tun_in_next(src, p->now, ip, len, &b) != 1)
			break;
		CHECK(b.len <= 600, "a fragment of %zu bytes", b.len);
		wire_q_send(q, &p->chaos, vpnc_buf_data(&b), b.len);
		n++;
	}
	return n;
}

/* Delivers q to dst; counts packets that arrive intact (pattern by id) and bad ones. */
static void deliver(struct pair *p, struct vpnc_engine *dst, struct wire_q *q, size_t len, uint8_t *seen,
                    unsigned *got, unsigned *bad)
{
	static uint8_t out[VPNC_PKT_BUF];
	struct wire_pkt *w;

	while ((w = wire_q_pop(q)) != NULL) {
		struct vpnc_buf t;
		vpnc_buf_init(&t, out, sizeof(out), VPNC_HEADROOM);
		if (vpnc_engine_link_in(dst, p->now, w->data, w->len, &t) != 1)
			continue;
		const uint8_t *d = vpnc_buf_data(&t);
		unsigned id = d[1];
		bool ok = t.len == len;
		for (size_t k = 2; ok && k < len; k++)
			ok = d[k] == (uint8_t)(id * 31 + k);
		if (!ok || d[0] != 0x45)
			(*bad)++;
		else if (!seen[id]++)
			(*got)++;
	}
}

static void test_engines(void)
{
	static const char *const ciphers[] = {"AES-256-GCM", "CHACHA20-POLY1305", "AES-256-CBC"};
	static const enum vpnc_comp comps[] = {VPNC_COMP_NONE, VPNC_COMP_LZO_STUB, VPNC_COMP_STUB_V2};
	static const size_t sizes[] = {100, 560, 1000, 1400, 2000};

	for (size_t c = 0; c < 3; c++) {
		for (size_t m = 0; m < 3; m++) {
			struct pair p;
			struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = ciphers[c],
			                      .server_ciphers = ciphers[c], .fragment = 600, .comp = comps[m]};
			if (pair_new(&p, &o) != 0) {
				CHECK(0, "pair_new");
				pair_free(&p);
				continue;
			}
			pair_handshake(&p);
			CHECK(p.c_connected && p.s_connected, "%s comp %zu: handshake (%s)", ciphers[c], m, p.c_reason);
			for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
				for (int dir = 0; dir < 2; dir++) {
					struct vpnc_engine *src = dir ? p.s : p.c, *dst = dir ? p.c : p.s;
					struct wire_q *q = dir ? &p.s2c : &p.c2s;
					uint8_t ip[2000], seen[256] = {0};
					unsigned links = 0, got = 0, bad = 0;
					for (unsigned id = 0; id < 60; id++) {
						for (size_t k = 0; k < sizes[s]; k++)
							ip[k] = (uint8_t)(id * 31 + k);
						ip[0] = 0x45;
						ip[1] = (uint8_t)id;
						links += send_pkt(&p, src, q, ip, sizes[s]);
						if (id % 7 == 6)
							deliver(&p, dst, q, sizes[s], seen, &got, &bad);
					}
					deliver(&p, dst, q, sizes[s], seen, &got, &bad);
					CHECK(got == 60 && bad == 0, "%s comp %zu size %zu dir %d: %u intact, %u bad", ciphers[c], m,
					      sizes[s], dir, got, bad);
					CHECK(links > 60 || sizes[s] < 1000, "%s size %zu: split (%u link packets)", ciphers[c],
					      sizes[s], links);
				}
			}
			/* Chaos: drops lose whole packets, nothing arrives corrupted or twice. */
			p.chaos = (struct wire_chaos){.drop_pct = 5, .dup_pct = 10, .reorder_pct = 20};
			{
				uint8_t ip[1400], seen[256] = {0};
				unsigned got = 0, bad = 0;
				for (unsigned id = 0; id < 200; id++) {
					for (size_t k = 0; k < sizeof(ip); k++)
						ip[k] = (uint8_t)(id * 31 + k);
					ip[0] = 0x45;
					ip[1] = (uint8_t)id;
					send_pkt(&p, p.c, &p.c2s, ip, sizeof(ip));
					if (id % 5 == 4)
						deliver(&p, p.s, &p.c2s, sizeof(ip), seen, &got, &bad);
				}
				deliver(&p, p.s, &p.c2s, sizeof(ip), seen, &got, &bad);
				CHECK(bad == 0 && got > 100 && got <= 200, "%s comp %zu chaos: %u intact, %u bad", ciphers[c], m,
				      got, bad);
			}
			p.chaos = (struct wire_chaos){0};
			/* The session lives on: keepalive pings cross whole. */
			for (int i = 0; i < 300; i++)
				pair_step(&p, 100);
			CHECK(p.c_connected && p.c_end_events == 0, "%s comp %zu: still up (%s)", ciphers[c], m, p.c_reason);
			/* A lost fragment: the rest expires between 10 and 15 s, counted once. */
			{
				uint8_t ip[1400];
				memset(ip, 0x45, sizeof(ip));
				const struct vpnc_stats *st = vpnc_engine_stats(p.s);
				uint64_t before = st->drops[VPNC_DROP_FRAG_EXPIRED];
				unsigned n = send_pkt(&p, p.c, &p.c2s, ip, sizeof(ip));
				struct wire_pkt *w = wire_q_pop(&p.c2s); /* the first fragment is lost */
				(void)w;
				unsigned got = 0, bad = 0;
				uint8_t seen[256] = {0};
				deliver(&p, p.s, &p.c2s, sizeof(ip), seen, &got, &bad);
				CHECK(n == 3 && got == 0 && vpnc_engine_next_timer(p.s) <= p.now + VPNC_FRAG_WAKEUP_MS,
				      "partial packet kept, reaper armed");
				for (int i = 0; i < 90; i++)
					pair_step(&p, 100);
				CHECK(st->drops[VPNC_DROP_FRAG_EXPIRED] == before, "not before 10 s");
				for (int i = 0; i < 70; i++)
					pair_step(&p, 100);
				CHECK(st->drops[VPNC_DROP_FRAG_EXPIRED] == before + 1, "expired by 16 s");
			}
			pair_free(&p);
		}
	}
	/* A peer that sends a bad fragment header: dropped, counted, logged once; the session lives. */
	{
		struct pair p;
		struct pair_opts o = {.client_ciphers = "AES-256-GCM", .server_ciphers = "AES-256-GCM", .fragment = 1200};
		if (pair_new(&p, &o) == 0 && pair_handshake(&p)) {
			struct vpnc_keystate *ks = p.s->ks;
			uint8_t msg[40] = {0}, pkt[200], out[VPNC_PKT_BUF];
			struct vpnc_buf t;
			unsigned lines = p.clog.drop_lines;
			for (int i = 0; i < 5; i++) {
				int l = vpnc_dc_encrypt(&ks->dc, msg, sizeof(msg), pkt, sizeof(pkt));
				msg[3] = 3; /* FRAG_TEST, and the rest zero */
				vpnc_buf_init(&t, out, sizeof(out), VPNC_HEADROOM);
				if (i > 0)
					CHECK(vpnc_engine_link_in(p.c, p.now, pkt, (size_t)l, &t) < 0, "refused");
			}
			CHECK(vpnc_engine_stats(p.c)->drops[VPNC_DROP_FRAG] == 4);
			CHECK(p.clog.drop_lines == lines + 1, "one log line");
			for (int i = 0; i < 50; i++)
				pair_step(&p, 100);
			CHECK(p.c_connected && p.c_end_events == 0, "still up");
		} else {
			CHECK(0, "fragment 1200 pair");
		}
		pair_free(&p);
	}
}

/* The MSS clamp and fragment limit 2.6 prints for the same settings ("mss_fix", "max_frag"). */
static void test_mss(void)
{
	static const struct {
		int fragment, mssfix;
		enum vpnc_mssfix_mode mode;
		unsigned mss;
		size_t max_frag;
	} cases[] = {
		{1200, -1, VPNC_MSSFIX_MTU, 1104, 1172},         /* fragment alone: mssfix 1200 mtu */
		{1200, 1200, VPNC_MSSFIX_PAYLOAD, 1132, 1172},   /* 'mssfix 1200': the UDP payload */
		{1200, 1200, VPNC_MSSFIX_MTU, 1104, 1172},
		{1200, 1200, VPNC_MSSFIX_FIXED, 1160, 1172},
		{0, 1450, VPNC_MSSFIX_PAYLOAD, 1386, 0},
		{0, -1, VPNC_MSSFIX_MTU, 1400, 0},               /* 2.6's default mssfix 1492 mtu */
		{600, -1, VPNC_MSSFIX_MTU, 504, 572},            /* no floor at 536, as 2.6 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pair p;
		struct pair_opts o = {.client_ciphers = "AES-256-GCM", .server_ciphers = "AES-256-GCM",
		                      .fragment = cases[i].fragment, .mssfix = cases[i].mssfix,
		                      .mssfix_mode = cases[i].mode};
		if (pair_new(&p, &o) == 0 && pair_handshake(&p)) {
			CHECK(p.c->mss4 == cases[i].mss && p.c->mss6 == cases[i].mss - 20, "case %zu: MSS %u/%u, want %u", i,
			      p.c->mss4, p.c->mss6, cases[i].mss);
			CHECK(p.c->frag_max == cases[i].max_frag, "case %zu: max_frag %zu", i, p.c->frag_max);
		} else {
			CHECK(0, "case %zu: handshake", i);
		}
		pair_free(&p);
	}
}

/* The engine's log lines, for the path-MTU notes. */
struct note_log {
	unsigned lines;
	char all[1024];
};

static void note_cb(void *ctx, int level, const char *msg)
{
	struct note_log *l = ctx;
	size_t n = strlen(l->all);

	(void)level;
	if (strstr(msg, "according to path MTU discovery") == NULL)
		return;
	l->lines++;
	snprintf(l->all + n, sizeof(l->all) - n, "%s|", msg);
}

/* Sends a len-byte packet from the client whole or in fragments; checks each link packet fits max. */
static unsigned send_fitting(struct pair *p, const uint8_t *ip, size_t len, size_t max)
{
	static uint8_t mem[VPNC_PKT_BUF];
	struct vpnc_buf b;
	unsigned n = 0;

	vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
	if (vpnc_engine_tun_in(p->c, p->now, (uint8_t *)(uintptr_t)ip, len, &b) != 0)
		return 0;
	do {
		CHECK(b.len <= max, "a link packet of %zu bytes, want at most %zu", b.len, max);
		wire_q_send(&p->c2s, &p->chaos, vpnc_buf_data(&b), b.len);
		n++;
		vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
	} while (vpnc_engine_tun_more(p->c) && vpnc_engine_tun_in_next(p->c, p->now, ip, len, &b) == 1);
	return n;
}

/* 2.6's frame_adjust_path_mtu(), with its own comparisons (src/openvpn/mss.c, release/2.6). */
static void test_path_mtu(void)
{
	struct pair p;
	struct pair_opts o = {.client_ciphers = "AES-256-GCM", .server_ciphers = "AES-256-GCM", .fragment = 1200,
	                      .mssfix = -1};
	struct note_log nl = {0};

	if (pair_new(&p, &o) != 0 || !pair_handshake(&p)) {
		CHECK(0, "fragment 1200 pair");
		pair_free(&p);
		return;
	}
	p.c->log = note_cb;
	p.c->log_ctx = &nl;
	CHECK(p.c->frag_max == 1172 && p.c->mss4 == 1104, "start: max_frag %zu, MSS %u", p.c->frag_max, p.c->mss4);
	CHECK(vpnc_engine_path_mtu(p.c, p.now, 67) == -EINVAL, "below 68 refused");
	/* 1210: above 'fragment 1200' (2.6 compares N with the path MTU as it is), but below the
	 * default 'mssfix 1200 mtu' plus 28: mssfix becomes 1210 mtu, fragment stays. */
	CHECK(vpnc_engine_path_mtu(p.c, p.now, 1210) == -EMSGSIZE, "1210: 1228-byte packets do not fit");
	CHECK(p.c->fragment == 1200 && !p.c->fragment_mtu && p.c->frag_max == 1172, "1210: fragment %d, max_frag %zu",
	      p.c->fragment, p.c->frag_max);
	CHECK(p.c->mssfix == 1210 && p.c->mss4 == 1114, "1210: mssfix %d, MSS %u", p.c->mssfix, p.c->mss4);
	CHECK(nl.lines == 1 && strstr(nl.all, "'mssfix 1200 mtu' to 'mssfix 1210 mtu'") != NULL, "1210: %s", nl.all);
	/* 1100: both lowered, 'fragment 1100 mtu': 1100 - 28 - 24 - 4 per fragment. */
	nl.lines = 0;
	nl.all[0] = '\0';
	CHECK(vpnc_engine_path_mtu(p.c, p.now, 1100) == 0);
	CHECK(p.c->fragment == 1100 && p.c->fragment_mtu && p.c->frag_max == 1044, "1100: fragment %d, max_frag %zu",
	      p.c->fragment, p.c->frag_max);
	CHECK(p.c->mssfix == 1100 && p.c->mss4 == 1004 && p.c->mss6 == 984, "1100: MSS %u/%u", p.c->mss4, p.c->mss6);
	CHECK(nl.lines == 2 && strstr(nl.all, "Note adjusting 'mssfix 1210 mtu' to 'mssfix 1100 mtu'") != NULL &&
	      strstr(nl.all, "Note adjusting 'fragment 1200' to 'fragment 1100 mtu' according to path MTU discovery") !=
	              NULL,
	      "1100: %s", nl.all);
	/* The same value again changes nothing and logs nothing (2.6 only acts on a new value). */
	CHECK(vpnc_engine_path_mtu(p.c, p.now, 1100) == 0 && nl.lines == 2, "repeated: %u lines", nl.lines);
	/* Every link packet now fits a 1100-byte path (1072 bytes of UDP payload), and arrives. */
	{
		uint8_t ip[1400], seen[256] = {0};
		unsigned got = 0, bad = 0, links = 0;
		for (unsigned id = 0; id < 20; id++) {
			for (size_t k = 0; k < sizeof(ip); k++)
				ip[k] = (uint8_t)(id * 31 + k);
			ip[0] = 0x45;
			ip[1] = (uint8_t)id;
			links += send_fitting(&p, ip, sizeof(ip), 1100 - 28);
		}
		deliver(&p, p.s, &p.c2s, sizeof(ip), seen, &got, &bad);
		CHECK(got == 20 && bad == 0 && links == 40, "1400 bytes at 1100: %u intact, %u bad, %u link packets", got,
		      bad, links);
	}
	/* 'fragment 1100 mtu' now: a path MTU of 1120 is below 1100 + 28, so 2.6 takes it (up) to
	 * 'fragment 1120 mtu', which still fits that path. */
	CHECK(vpnc_engine_path_mtu(p.c, p.now, 1120) == 0 && p.c->fragment == 1120 && p.c->frag_max == 1064,
	      "1120: fragment %d, max_frag %zu", p.c->fragment, p.c->frag_max);
	/* A packet being split keeps its fragment size; the next one takes the new limit. */
	{
		static uint8_t mem[VPNC_PKT_BUF];
		uint8_t ip[2000], seen[256] = {0};
		struct vpnc_buf b;
		unsigned got = 0, bad = 0, links = 0;
		size_t first = 0, later = 0;
		for (size_t k = 0; k < sizeof(ip); k++)
			ip[k] = (uint8_t)(7 * 31 + k);
		ip[0] = 0x45;
		ip[1] = 7;
		vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
		CHECK(vpnc_engine_tun_in(p.c, p.now, ip, sizeof(ip), &b) == 0 && vpnc_engine_tun_more(p.c));
		first = b.len;
		wire_q_send(&p.c2s, &p.chaos, vpnc_buf_data(&b), b.len);
		links++;
		CHECK(vpnc_engine_path_mtu(p.c, p.now, 700) == 0 && p.c->fragment == 700, "700 mid-packet");
		while (vpnc_engine_tun_more(p.c)) {
			vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
			if (vpnc_engine_tun_in_next(p.c, p.now, ip, sizeof(ip), &b) != 1)
				break;
			wire_q_send(&p.c2s, &p.chaos, vpnc_buf_data(&b), b.len);
			links++;
		}
		deliver(&p, p.s, &p.c2s, sizeof(ip), seen, &got, &bad);
		CHECK(got == 1 && bad == 0 && links == 2 && first > 700 - 28, "split across the change: %u intact, %u links",
		      got, links);
		memset(seen, 0, sizeof(seen));
		got = 0;
		links = send_fitting(&p, ip, sizeof(ip), 700 - 28);
		deliver(&p, p.s, &p.c2s, sizeof(ip), seen, &got, &bad);
		later = links;
		CHECK(got == 1 && bad == 0 && later == 4, "the next packet at 700: %u intact, %zu links", got, later);
	}
	for (int i = 0; i < 50; i++)
		pair_step(&p, 100);
	CHECK(p.c_connected && p.c_end_events == 0, "still up");
	pair_free(&p);

	/* Without 'fragment' 2.6 never looks at the hint: mssfix stays too. */
	struct pair_opts o2 = {.client_ciphers = "AES-256-GCM", .server_ciphers = "AES-256-GCM", .mssfix = -1};
	if (pair_new(&p, &o2) == 0 && pair_handshake(&p)) {
		CHECK(vpnc_engine_path_mtu(p.c, p.now, 1000) == -EMSGSIZE && p.c->mssfix == 1492 && p.c->mss4 == 1400,
		      "no fragment: mssfix %d, MSS %u", p.c->mssfix, p.c->mss4);
	} else {
		CHECK(0, "no-fragment pair");
	}
	pair_free(&p);

	/* 'mssfix 1300 fixed' stays fixed at the path MTU (2.6 keeps the flag): MSS 1250 - 40. */
	struct pair_opts o3 = {.client_ciphers = "AES-256-GCM", .server_ciphers = "AES-256-GCM", .fragment = 1200,
	                       .mssfix = 1300, .mssfix_mode = VPNC_MSSFIX_FIXED};
	if (pair_new(&p, &o3) == 0 && pair_handshake(&p)) {
		CHECK(vpnc_engine_path_mtu(p.c, p.now, 1250) == 0 && p.c->mssfix == 1250 &&
		      p.c->mssfix_mode == VPNC_MSSFIX_FIXED && p.c->mss4 == 1210 && p.c->fragment == 1200,
		      "fixed: mssfix %d, MSS %u, fragment %d", p.c->mssfix, p.c->mss4, p.c->fragment);
	} else {
		CHECK(0, "fixed pair");
	}
	pair_free(&p);

	/* Before the keys: the values change, and the first key's limits come from them. */
	if (pair_new(&p, &o) == 0) {
		CHECK(vpnc_engine_path_mtu(p.c, p.now, 1000) == 0 && p.c->fragment == 1000);
		CHECK(pair_handshake(&p) && p.c->frag_max == 1000 - 28 - 24 - 4 && p.c->mss4 == 1104 - 200,
		      "before keys: max_frag %zu, MSS %u", p.c->frag_max, p.c->mss4);
	} else {
		CHECK(0, "early pair");
	}
	pair_free(&p);
}

int main(void)
{
	test_header();
	test_sizes();
	test_reassembly();
	test_datachan();
	testpki_make(&pair_pki, 0);
	wire_rand(NULL, pair_wrap_key, sizeof(pair_wrap_key));
	test_engines();
	test_mss();
	test_path_mtu();
	testpki_free(&pair_pki);
	printf("test_fragment: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
