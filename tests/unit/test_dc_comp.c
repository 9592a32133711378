/*
 * test_dc_comp.c: compression framing (dc_int.h) in the data
 * channel, for AEAD and CBC keys, P_DATA_V1 and V2: the exact framed bytes a
 * key with each framing puts in the cipher (seen through a receiver with no
 * framing, whose output is the raw plaintext), a known answer from a one-shot
 * AEAD over the framed bytes, the receive side for every marker (uncompressed,
 * compressed, bad byte, empty), that errors come only after authentication,
 * and in-place operation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "vpnc/buf.h"
#include "core/datachan.h"

#include "../check.h"

static const char *ciphers[] = {"AES-256-GCM", "CHACHA20-POLY1305", "AES-128-CBC", "AES-256-CBC",
                                "DES-EDE3-CBC"};
static const enum vpnc_comp comps[] = {VPNC_COMP_NONE, VPNC_COMP_LZO_STUB, VPNC_COMP_STUB,
                                       VPNC_COMP_STUB_V2};

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
	CHECK(vpnc_dc_key_init2(&p->tx, cipher, "SHA512", block, false, 1, peer_id) == 0);
	CHECK(vpnc_dc_key_init2(&p->rx, cipher, "SHA512", block, true, 1, peer_id) == 0);
	CHECK(vpnc_dc_key_init2(&p->raw_rx, cipher, "SHA512", block, true, 1, peer_id) == 0);
	CHECK(vpnc_dc_key_init2(&p->raw_tx, cipher, "SHA512", block, false, 1, peer_id) == 0);
	vpnc_dc_set_rand(&p->tx, test_rand, NULL);
	vpnc_dc_set_rand(&p->raw_tx, test_rand, NULL);
	vpnc_dc_set_comp(&p->tx, comp);
	vpnc_dc_set_comp(&p->rx, comp);
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
	case VPNC_COMP_LZO_STUB:
		f[0] = 0xFA;
		memcpy(f + 1, p, len);
		return len + 1;
	case VPNC_COMP_STUB:
		f[0] = 0xFB;
		memcpy(f + 1, p + 1, len - 1);
		f[len] = p[0];
		return len + 1;
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
	for (size_t c = 0; c < 4; c++) {
		struct vpnc_dc_key k = {0};
		CHECK(vpnc_dc_key_init2(&k, "AES-128-GCM", NULL, block, false, 0, 9) == 0);
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
		      (comp == VPNC_COMP_STUB_V2 && !first && n == (int)(sizeof(p) + head)));
		int r = vpnc_dc_decrypt(&k.rx, pkt, (size_t)n, pkt + head, sizeof(pkt) - head);
		CHECK(r == (int)sizeof(p) && memcmp(pkt + head, p, sizeof(p)) == 0);
		/* Any other overlap is refused. */
		memcpy(pkt + head + 1, p, 100);
		CHECK(vpnc_dc_encrypt(&k.tx, pkt + head + 1 - (comp == VPNC_COMP_LZO_STUB ? 2 : 0), 100, pkt,
		                      sizeof(pkt)) == -EINVAL);
	}
	pair_clear(&k);
}

int main(void)
{
	for (size_t c = 0; c < sizeof(ciphers) / sizeof(ciphers[0]); c++) {
		for (size_t m = 0; m < 4; m++) {
			test_send(ciphers[c], 0x10203, comps[m]);
			test_send(ciphers[c], -1, comps[m]);
			if (c < 2) {
				test_inplace(ciphers[c], 77, comps[m]);
				test_inplace(ciphers[c], -1, comps[m]);
			}
		}
		test_receive(ciphers[c], 5);
		test_receive(ciphers[c], -1);
	}
	test_aead_kat();
	printf("test_dc_comp: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
