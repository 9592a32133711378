/*
 * test_dc_comp.c: compression framing (dc_int.h) in the data
 * channel, for AEAD and CBC keys, P_DATA_V1 and V2: the exact framed bytes a
 * key with each framing puts in the cipher (seen through a receiver with no
 * framing, whose output is the raw plaintext), a known answer from a one-shot
 * AEAD over the framed bytes, the receive side for every marker (uncompressed,
 * compressed, bad byte, empty), that errors come only after authentication,
 * and in-place operation. Decompression (VPNC_COMP_LZO, _LZ4, _LZ4_V2):
 * packets compressed by the real liblzo2 and liblz4 in each framing, the
 * bounds (limit, caller's cap, scratch size), corrupt and empty data, other
 * algorithms' markers, no scratch, in place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lz4.h>
#include <lzo/lzo1x.h>
#include <openssl/evp.h>

#include "vpnc/buf.h"
#include "core/datachan.h"

#include "../check.h"

static const char *ciphers[] = {"AES-256-GCM", "CHACHA20-POLY1305", "AES-128-CBC", "AES-256-CBC",
                                "DES-EDE3-CBC"};
static const enum vpnc_comp comps[] = {VPNC_COMP_NONE, VPNC_COMP_LZO_STUB, VPNC_COMP_STUB,
                                       VPNC_COMP_STUB_V2, VPNC_COMP_LZO, VPNC_COMP_LZ4,
                                       VPNC_COMP_LZ4_V2};
#define N_COMPS (sizeof(comps) / sizeof(comps[0]))

static uint8_t scratch[2048];

static void test_rand(void *ctx, void *out, size_t len)
{
	uint8_t *p = out;
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 13 + 1);
}

struct pair {
	struct vpnc_dc_key tx, rx, raw_rx, raw_tx; /* raw_*: the same keys without framing */
};

static void pair_init(struct pair *p, const char *cipher, int32_t peer_id, enum vpnc_comp comp)
{
	uint8_t block[VPNC_KEY_BLOCK];
	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = (uint8_t)(i * 3 + 9);
	memset(p, 0, sizeof(*p));
	CHECK(vpnc_dc_key_init(&p->tx, cipher, "SHA512", block, false, 1, peer_id) == 0);
	CHECK(vpnc_dc_key_init(&p->rx, cipher, "SHA512", block, true, 1, peer_id) == 0);
	CHECK(vpnc_dc_key_init(&p->raw_rx, cipher, "SHA512", block, true, 1, peer_id) == 0);
	CHECK(vpnc_dc_key_init(&p->raw_tx, cipher, "SHA512", block, false, 1, peer_id) == 0);
	vpnc_dc_set_rand(&p->tx, test_rand, NULL);
	vpnc_dc_set_rand(&p->raw_tx, test_rand, NULL);
	vpnc_dc_set_comp(&p->tx, comp);
	vpnc_dc_set_comp(&p->rx, comp);
	/* The sender's scratch is never used: vpnc never compresses. */
	vpnc_dc_set_decomp(&p->tx, scratch, sizeof(scratch), 1500);
	vpnc_dc_set_decomp(&p->rx, scratch, sizeof(scratch), 1500);
}

static void pair_clear(struct pair *p)
{
	vpnc_dc_key_clear(&p->tx);
	vpnc_dc_key_clear(&p->rx);
	vpnc_dc_key_clear(&p->raw_rx);
	vpnc_dc_key_clear(&p->raw_tx);
}

/* What the doc's table says goes into the cipher for payload p. */
static size_t expected_framing(enum vpnc_comp comp, const uint8_t *p, size_t len, uint8_t *f)
{
	switch (comp) {
	case VPNC_COMP_LZO:
	case VPNC_COMP_LZO_STUB:
		f[0] = 0xFA;
		memcpy(f + 1, p, len);
		return len + 1;
	case VPNC_COMP_LZ4:
	case VPNC_COMP_STUB:
		f[0] = 0xFB;
		memcpy(f + 1, p + 1, len - 1);
		f[len] = p[0];
		return len + 1;
	case VPNC_COMP_LZ4_V2:
	case VPNC_COMP_STUB_V2:
		if (p[0] == 0x50) {
			f[0] = 0x50;
			f[1] = 0x00;
			memcpy(f + 2, p, len);
			return len + 2;
		}
		memcpy(f, p, len);
		return len;
	default:
		memcpy(f, p, len);
		return len;
	}
}

/* Send side: framed bytes, round trip, lengths, for payloads of many lengths and first bytes. */
static void test_send(const char *cipher, int32_t peer_id, enum vpnc_comp comp)
{
	uint8_t p[1500], pkt[1700], out[1700], f[1700];
	struct pair k;
	pair_init(&k, cipher, peer_id, comp);
	int bad = 0;
	for (size_t len = 1; len < 1500; len += len < 70 ? 1 : 173) {
		for (int first = 0; first < 3; first++) {
			for (size_t i = 0; i < len; i++)
				p[i] = (uint8_t)(i * 7 + len);
			p[0] = first == 0 ? 0x45 : first == 1 ? 0x50 : 0xFB;
			if (len > 1)
				p[len - 1] = 0x60;
			size_t flen = expected_framing(comp, p, len, f);
			int n = vpnc_dc_encrypt(&k.tx, p, len, pkt, sizeof(pkt));
			if (n <= 0 || (size_t)n - len > vpnc_dc_max_overhead(&k.tx)) {
				bad++;
				continue;
			}
			/* Through a receiver without framing: the raw framed plaintext. */
			int r = vpnc_dc_decrypt(&k.raw_rx, pkt, (size_t)n, out, sizeof(out));
			if (r != (int)flen || memcmp(out, f, flen) != 0)
				bad++;
			/* Round trip: a second packet, decrypted with framing. */
			n = vpnc_dc_encrypt(&k.tx, p, len, pkt, sizeof(pkt));
			memset(out, 0xEE, sizeof(out));
			r = vpnc_dc_decrypt(&k.rx, pkt, (size_t)n, out, sizeof(out));
			if (r != (int)len || memcmp(out, p, len) != 0)
				bad++;
		}
	}
	CHECK(bad == 0);
	pair_clear(&k);
}

struct rx_case {
	enum vpnc_comp comp;
	uint8_t in[6];
	size_t in_len;
	int want; /* payload length or error */
	uint8_t out[4];
};

/* Receive side: the raw sender puts exact framed bytes in; the framed receiver decodes them. */
static const struct rx_case rx_cases[] = {
	{VPNC_COMP_NONE, {0x45, 1, 2}, 3, 3, {0x45, 1, 2}},
	{VPNC_COMP_NONE, {0x66, 1}, 2, 2, {0x66, 1}},
	{VPNC_COMP_NONE, {0xFA}, 1, 1, {0xFA}},
	{VPNC_COMP_LZO_STUB, {0xFA, 0x45, 1, 2}, 4, 3, {0x45, 1, 2}},
	{VPNC_COMP_LZO_STUB, {0xFA}, 1, 0, {0}},
	{VPNC_COMP_LZO_STUB, {0x66, 1, 2, 3}, 4, -ENOTSUP, {0}},
	{VPNC_COMP_LZO_STUB, {0x45, 1, 2, 3}, 4, -EPROTO, {0}},
	{VPNC_COMP_LZO_STUB, {0xFB, 1, 2, 0x45}, 4, -EPROTO, {0}},
	{VPNC_COMP_STUB, {0xFB, 1, 2, 0x45}, 4, 3, {0x45, 1, 2}},
	{VPNC_COMP_STUB, {0xFB, 0x45}, 2, 1, {0x45}},
	{VPNC_COMP_STUB, {0xFB}, 1, 0, {0}},
	{VPNC_COMP_STUB, {0x69, 1, 2, 3}, 4, -ENOTSUP, {0}},
	{VPNC_COMP_STUB, {0x66, 1, 2, 3}, 4, -ENOTSUP, {0}},
	{VPNC_COMP_STUB, {0xFA, 1, 2, 3}, 4, -EPROTO, {0}},
	{VPNC_COMP_STUB, {0x45, 1, 2, 3}, 4, -EPROTO, {0}},
	{VPNC_COMP_STUB_V2, {0x45, 1, 2}, 3, 3, {0x45, 1, 2}},
	{VPNC_COMP_STUB_V2, {0x60}, 1, 1, {0x60}},
	{VPNC_COMP_STUB_V2, {0x50, 0x00, 0x50, 7}, 4, 2, {0x50, 7}},
	{VPNC_COMP_STUB_V2, {0x50, 0x00}, 2, 0, {0}},
	{VPNC_COMP_STUB_V2, {0x50}, 1, 0, {0}},
	{VPNC_COMP_STUB_V2, {0x50, 0x01, 9, 9}, 4, -ENOTSUP, {0}},
	{VPNC_COMP_STUB_V2, {0x50, 0x02, 9}, 3, -ENOTSUP, {0}},
	{VPNC_COMP_STUB_V2, {0x50, 0x03}, 2, -ENOTSUP, {0}},
	{VPNC_COMP_STUB_V2, {0x50, 0x07, 9}, 3, -EPROTO, {0}},
	{VPNC_COMP_STUB_V2, {0x50, 0xFF}, 2, -EPROTO, {0}},
};

static void test_receive(const char *cipher, int32_t peer_id)
{
	uint8_t pkt[256], out[256];
	for (size_t c = 0; c < sizeof(rx_cases) / sizeof(rx_cases[0]); c++) {
		const struct rx_case *rc = &rx_cases[c];
		struct pair k;
		pair_init(&k, cipher, peer_id, rc->comp);
		int n = vpnc_dc_encrypt(&k.raw_tx, rc->in, rc->in_len, pkt, sizeof(pkt));
		CHECK(n > 0);
		/* A forged copy (last byte flipped) fails authentication before any framing check. */
		pkt[n - 1] ^= 1;
		CHECK(vpnc_dc_decrypt(&k.rx, pkt, (size_t)n, out, sizeof(out)) == -EBADMSG);
		pkt[n - 1] ^= 1;
		int r = vpnc_dc_decrypt(&k.rx, pkt, (size_t)n, out, sizeof(out));
		if (r != rc->want || (r > 0 && memcmp(out, rc->out, (size_t)r) != 0)) {
			fprintf(stderr, "rx case %zu (%s, comp %d): got %d\n", c, cipher, rc->comp, r);
			CHECK(0);
		} else {
			CHECK(1);
		}
		/* Authentic packets spend their packet id even when dropped for framing. */
		CHECK(vpnc_dc_decrypt(&k.rx, pkt, (size_t)n, out, sizeof(out)) == -EALREADY);
		pair_clear(&k);
	}
}

/* Known answer for AEAD with framing: a one-shot AEAD over the table's framed bytes. */
static void test_aead_kat(void)
{
	uint8_t block[VPNC_KEY_BLOCK], p[40], f[48], pkt[128], ref[64], nonce[12];
	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = (uint8_t)(i * 3 + 9);
	for (size_t i = 0; i < sizeof(p); i++)
		p[i] = (uint8_t)(0x45 + i);
	for (size_t c = 0; c < N_COMPS; c++) {
		struct vpnc_dc_key k = {0};
		CHECK(vpnc_dc_key_init(&k, "AES-128-GCM", NULL, block, false, 0, 9) == 0);
		vpnc_dc_set_comp(&k, comps[c]);
		int n = vpnc_dc_encrypt(&k, p, sizeof(p), pkt, sizeof(pkt));
		size_t flen = expected_framing(comps[c], p, sizeof(p), f);
		CHECK(n == (int)(24 + flen));
		memcpy(nonce, pkt + 4, 4);
		memcpy(nonce + 4, block + 64, 8);
		EVP_CIPHER *ci = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
		EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
		int l = 0, ok = EVP_EncryptInit_ex2(ctx, ci, block, nonce, NULL) &&
		                EVP_EncryptUpdate(ctx, NULL, &l, pkt, 8) &&
		                EVP_EncryptUpdate(ctx, ref, &l, f, (int)flen) &&
		                EVP_EncryptFinal_ex(ctx, ref + l, &l) &&
		                EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, ref + flen);
		CHECK(ok);
		CHECK(memcmp(pkt + 24, ref, flen) == 0 && memcmp(pkt + 8, ref + flen, 16) == 0);
		EVP_CIPHER_CTX_free(ctx);
		EVP_CIPHER_free(ci);
		vpnc_dc_key_clear(&k);
	}
}

/* AEAD in place: payload at pkt + head_len, decrypted back at pkt + head_len. */
static void test_inplace(const char *cipher, int32_t peer_id, enum vpnc_comp comp)
{
	uint8_t p[300], pkt[400];
	struct pair k;
	pair_init(&k, cipher, peer_id, comp);
	for (int first = 0; first < 2; first++) {
		for (size_t i = 0; i < sizeof(p); i++)
			p[i] = (uint8_t)(i * 11);
		p[0] = first ? 0x50 : 0x45;
		size_t head = vpnc_dc_head_len(&k.tx);
		memcpy(pkt + head, p, sizeof(p));
		int n = vpnc_dc_encrypt(&k.tx, pkt + head, sizeof(p), pkt, sizeof(pkt));
		CHECK(n == (int)(sizeof(p) + vpnc_dc_max_overhead(&k.tx)) ||
		      ((comp == VPNC_COMP_STUB_V2 || comp == VPNC_COMP_LZ4_V2) && !first && n == (int)(sizeof(p) + head)));
		int r = vpnc_dc_decrypt(&k.rx, pkt, (size_t)n, pkt + head, sizeof(pkt) - head);
		CHECK(r == (int)sizeof(p) && memcmp(pkt + head, p, sizeof(p)) == 0);
		/* Any other overlap is refused. */
		memcpy(pkt + head + 1, p, 100);
		CHECK(vpnc_dc_encrypt(&k.tx, pkt + head + 1 - (comp == VPNC_COMP_LZO_STUB ? 2 : 0), 100, pkt,
		                      sizeof(pkt)) == -EINVAL);
	}
	pair_clear(&k);
}

/* The bytes a 2.6 peer puts in the cipher for a compressed payload: compressed by the real library. */
static size_t compress_framed(enum vpnc_comp comp, const uint8_t *p, size_t len, uint8_t *f, size_t cap)
{
	static uint8_t wrk[LZO1X_1_MEM_COMPRESS];
	uint8_t z[4096];
	size_t zl;
	if (comp == VPNC_COMP_LZO) {
		lzo_uint ol = sizeof(z);
		CHECK(lzo1x_1_compress(p, len, z, &ol, wrk) == LZO_E_OK);
		zl = ol;
	} else {
		int r = LZ4_compress_default((const char *)p, (char *)z, (int)len, (int)sizeof(z));
		CHECK(r > 0);
		zl = (size_t)r;
	}
	CHECK(zl + 2 <= cap && zl >= 1);
	switch (comp) {
	case VPNC_COMP_LZO: /* 0x66 || LZO */
		f[0] = 0x66;
		memcpy(f + 1, z, zl);
		return zl + 1;
	case VPNC_COMP_LZ4: /* swap format: 0x69 || LZ4[1..] || LZ4[0] */
		f[0] = 0x69;
		memcpy(f + 1, z + 1, zl - 1);
		f[zl] = z[0];
		return zl + 1;
	default: /* LZ4_V2: 0x50 0x01 || LZ4 */
		f[0] = 0x50;
		f[1] = 0x01;
		memcpy(f + 2, z, zl);
		return zl + 2;
	}
}

/* A compressible payload: an IPv4 echo request with a zero-filled body (`ping -p 00`). */
static void ping_payload(uint8_t *p, size_t len, uint8_t first)
{
	memset(p, 0, len);
	for (size_t i = 0; i < len && i < 28; i++)
		p[i] = (uint8_t)(i * 29 + 3);
	p[0] = first;
}

static const enum vpnc_comp real_comps[] = {VPNC_COMP_LZO, VPNC_COMP_LZ4, VPNC_COMP_LZ4_V2};

/* Packets compressed by the real libraries decrypt and decompress to the payload; forged ones do not. */
static void test_decomp(const char *cipher, int32_t peer_id)
{
	static uint8_t p[1500], f[1600], pkt[1800], out[1800];
	for (size_t c = 0; c < 3; c++) {
		enum vpnc_comp comp = real_comps[c];
		struct pair k;
		pair_init(&k, cipher, peer_id, comp);
		int bad = 0;
		for (size_t len = 1; len <= 1500; len += len < 40 ? 3 : 97) {
			for (int first = 0; first < 3; first++) {
				ping_payload(p, len, first == 0 ? 0x45 : first == 1 ? 0x60 : 0x50);
				size_t flen = compress_framed(comp, p, len, f, sizeof(f));
				int n = vpnc_dc_encrypt(&k.raw_tx, f, flen, pkt, sizeof(pkt));
				CHECK(n > 0);
				pkt[n - 1] ^= 0x80;
				if (vpnc_dc_decrypt(&k.rx, pkt, (size_t)n, out, sizeof(out)) != -EBADMSG)
					bad++;
				pkt[n - 1] ^= 0x80;
				memset(out, 0xEE, sizeof(out));
				int r = vpnc_dc_decrypt(&k.rx, pkt, (size_t)n, out, sizeof(out));
				if (r != (int)len || memcmp(out, p, len) != 0) {
					fprintf(stderr, "decomp %s comp %d len %zu: got %d\n", cipher, comp, len, r);
					bad++;
				}
				if (vpnc_dc_decrypt(&k.rx, pkt, (size_t)n, out, sizeof(out)) != -EALREADY)
					bad++;
			}
		}
		CHECK(bad == 0);
		/* What vpnc sends stays uncompressed, in the stub framing, however compressible. */
		ping_payload(p, 1400, 0x45);
		int n = vpnc_dc_encrypt(&k.tx, p, 1400, pkt, sizeof(pkt));
		size_t want = expected_framing(comp, p, 1400, f);
		int r = vpnc_dc_decrypt(&k.raw_rx, pkt, (size_t)n, out, sizeof(out));
		CHECK(n > 1400 && r == (int)want && memcmp(out, f, want) == 0);
		pair_clear(&k);
	}
}

/* One framed plaintext sent raw and received with comp; returns what decrypt returns. */
static int rx_one(const char *cipher, enum vpnc_comp comp, const uint8_t *f, size_t flen, uint8_t *zbuf,
                  size_t zcap, size_t limit, uint8_t *out, size_t cap)
{
	static uint8_t pkt[1800];
	struct pair k;
	pair_init(&k, cipher, 3, comp);
	vpnc_dc_set_decomp(&k.rx, zbuf, zcap, limit);
	int n = vpnc_dc_encrypt(&k.raw_tx, f, flen, pkt, sizeof(pkt));
	CHECK(n > 0);
	int r = vpnc_dc_decrypt(&k.rx, pkt, (size_t)n, out, cap);
	pair_clear(&k);
	return r;
}

/* Bounds, corrupt data, foreign markers, no scratch. */
static void test_decomp_errors(const char *cipher)
{
	static uint8_t p[1500], f[1600], out[1800], small[64];
	for (size_t c = 0; c < 3; c++) {
		enum vpnc_comp comp = real_comps[c];
		ping_payload(p, 1200, 0x45);
		size_t flen = compress_framed(comp, p, 1200, f, sizeof(f));
		size_t lead = comp == VPNC_COMP_LZ4_V2 ? 2 : 1;
		int over = comp == VPNC_COMP_LZO ? -EMSGSIZE : -EILSEQ; /* LZ4 cannot tell overflow apart */
		/* The exact limit passes; one byte less is refused, by the limit or by the caller's cap. */
		CHECK(rx_one(cipher, comp, f, flen, scratch, sizeof(scratch), 1200, out, sizeof(out)) == 1200);
		CHECK(rx_one(cipher, comp, f, flen, scratch, sizeof(scratch), 1199, out, sizeof(out)) == over);
		CHECK(rx_one(cipher, comp, f, flen, scratch, sizeof(scratch), 1500, out, 1199) == over);
		/* Compressed bytes larger than the scratch. */
		CHECK(rx_one(cipher, comp, f, flen, small, flen - lead - 1, 1500, out, sizeof(out)) == -EMSGSIZE);
		CHECK(rx_one(cipher, comp, f, flen, small, flen - lead, 1500, out, sizeof(out)) == 1200);
		/* No scratch: compressed packets are refused as compression. */
		CHECK(rx_one(cipher, comp, f, flen, NULL, 0, 1500, out, sizeof(out)) == -ENOTSUP);
		/* Truncated compressed data; a marker with nothing after it. */
		uint8_t t[8];
		memcpy(t, f, sizeof(t));
		if (comp == VPNC_COMP_LZ4)
			t[sizeof(t) - 1] = f[flen - 1];
		int r = rx_one(cipher, comp, t, sizeof(t), scratch, sizeof(scratch), 1500, out, sizeof(out));
		CHECK(r == -EILSEQ || r == -EMSGSIZE);
		CHECK(rx_one(cipher, comp, f, lead, scratch, sizeof(scratch), 1500, out, sizeof(out)) == -EILSEQ);
		/* Garbage after the marker never crashes and is never accepted as a longer packet. */
		memset(t + lead, 0xFF, sizeof(t) - lead);
		r = rx_one(cipher, comp, t, sizeof(t), scratch, sizeof(scratch), 1500, out, sizeof(out));
		CHECK(r == -EILSEQ || r == -EMSGSIZE);
	}
	/* Another algorithm's marker in the framing in effect. */
	static const uint8_t lz4_in_lzo[] = {0x69, 1, 2, 3}, lzo_in_swap[] = {0x66, 1, 2, 3},
	                     lzo_v2[] = {0x50, 0x02, 1, 2}, bad_v2[] = {0x50, 0x09, 1};
	CHECK(rx_one(cipher, VPNC_COMP_LZO, lz4_in_lzo, 4, scratch, sizeof(scratch), 1500, out, 64) == -EPROTO);
	CHECK(rx_one(cipher, VPNC_COMP_LZ4, lzo_in_swap, 4, scratch, sizeof(scratch), 1500, out, 64) == -ENOTSUP);
	CHECK(rx_one(cipher, VPNC_COMP_LZ4_V2, lzo_v2, 4, scratch, sizeof(scratch), 1500, out, 64) == -ENOTSUP);
	CHECK(rx_one(cipher, VPNC_COMP_LZ4_V2, bad_v2, 3, scratch, sizeof(scratch), 1500, out, 64) == -EPROTO);
	/* Uncompressed packets in the same framings still pass. */
	static const uint8_t plain_lzo[] = {0xFA, 0x45, 7}, plain_swap[] = {0xFB, 7, 0x45},
	                     plain_v2[] = {0x45, 7}, esc_v2[] = {0x50, 0x00, 0x50, 7};
	CHECK(rx_one(cipher, VPNC_COMP_LZO, plain_lzo, 3, scratch, sizeof(scratch), 1500, out, 64) == 2 &&
	      out[0] == 0x45 && out[1] == 7);
	CHECK(rx_one(cipher, VPNC_COMP_LZ4, plain_swap, 3, scratch, sizeof(scratch), 1500, out, 64) == 2 &&
	      out[0] == 0x45 && out[1] == 7);
	CHECK(rx_one(cipher, VPNC_COMP_LZ4_V2, plain_v2, 2, scratch, sizeof(scratch), 1500, out, 64) == 2 &&
	      out[0] == 0x45);
	CHECK(rx_one(cipher, VPNC_COMP_LZ4_V2, esc_v2, 4, scratch, sizeof(scratch), 1500, out, 64) == 2 &&
	      out[0] == 0x50 && out[1] == 7);
	/* The stub framings (no decompression) still refuse every compressed marker. */
	static const uint8_t lzo_stub[] = {0x66, 1, 2}, lz4_swap[] = {0x69, 1, 2}, lz4_v2[] = {0x50, 0x01, 1};
	CHECK(rx_one(cipher, VPNC_COMP_LZO_STUB, lzo_stub, 3, scratch, sizeof(scratch), 1500, out, 64) == -ENOTSUP);
	CHECK(rx_one(cipher, VPNC_COMP_STUB, lz4_swap, 3, scratch, sizeof(scratch), 1500, out, 64) == -ENOTSUP);
	CHECK(rx_one(cipher, VPNC_COMP_STUB_V2, lz4_v2, 3, scratch, sizeof(scratch), 1500, out, 64) == -ENOTSUP);
}

/* AEAD in place: a compressed packet decompresses at the payload position of the packet buffer. */
static void test_decomp_inplace(const char *cipher)
{
	static uint8_t p[1400], f[1600], pkt[1800];
	for (size_t c = 0; c < 3; c++) {
		struct pair k;
		pair_init(&k, cipher, 12, real_comps[c]);
		ping_payload(p, sizeof(p), 0x45);
		size_t flen = compress_framed(real_comps[c], p, sizeof(p), f, sizeof(f));
		int n = vpnc_dc_encrypt(&k.raw_tx, f, flen, pkt, sizeof(pkt));
		size_t head = vpnc_dc_head_len(&k.rx);
		int r = vpnc_dc_decrypt(&k.rx, pkt, (size_t)n, pkt + head, sizeof(pkt) - head);
		CHECK(r == (int)sizeof(p) && memcmp(pkt + head, p, sizeof(p)) == 0);
		pair_clear(&k);
	}
}

int main(void)
{
	for (size_t c = 0; c < sizeof(ciphers) / sizeof(ciphers[0]); c++) {
		for (size_t m = 0; m < N_COMPS; m++) {
			test_send(ciphers[c], 0x10203, comps[m]);
			test_send(ciphers[c], -1, comps[m]);
			if (c < 2) {
				test_inplace(ciphers[c], 77, comps[m]);
				test_inplace(ciphers[c], -1, comps[m]);
			}
		}
		test_receive(ciphers[c], 5);
		test_receive(ciphers[c], -1);
		test_decomp(ciphers[c], 0x10203);
		test_decomp(ciphers[c], -1);
		test_decomp_errors(ciphers[c]);
		if (c < 2)
			test_decomp_inplace(ciphers[c]);
	}
	test_aead_kat();
	printf("test_dc_comp: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
