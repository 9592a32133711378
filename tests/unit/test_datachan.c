/*
 * test_datachan.c: data-channel AEAD for all ciphers in both formats: round
 * trips, a known answer computed with a separate one-shot OpenSSL path,
 * tampering, replay and reordering, bounds, and misuse.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "vpnc/buf.h"
#include "core/datachan.h"

#include "../check.h"
#include "../dc_pair.h"

static const char *ciphers[] = {"AES-128-GCM", "AES-256-GCM", "CHACHA20-POLY1305"};

static void fill_block(uint8_t block[VPNC_KEY_BLOCK], uint8_t salt)
{
	for (size_t i = 0; i < VPNC_KEY_BLOCK; i++)
		block[i] = (uint8_t)(i * 29 + salt);
}

/*
 * Independent one-shot AEAD: encrypts pt with (key, nonce, aad) and writes
 * ct || tag into out.
 */
static bool oneshot(const char *name, const uint8_t *key, const uint8_t nonce[12],
                    const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t len, uint8_t *out)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, name, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int l = 0, ok = c && ctx;
	ok = ok && EVP_EncryptInit_ex2(ctx, c, key, nonce, NULL);
	ok = ok && EVP_EncryptUpdate(ctx, NULL, &l, aad, (int)aad_len);
	ok = ok && EVP_EncryptUpdate(ctx, out, &l, pt, (int)len);
	ok = ok && EVP_EncryptFinal_ex(ctx, out + l, &l);
	ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out + len);
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return ok;
}

static void test_lookup(void)
{
	const char *canon = NULL;
	CHECK(vpnc_dc_cipher_lookup("aes-256-gcm", &canon) == 0 && strcmp(canon, "AES-256-GCM") == 0);
	CHECK(vpnc_dc_cipher_lookup("ChaCha20-Poly1305", &canon) == 0 &&
	      strcmp(canon, "CHACHA20-POLY1305") == 0);
	CHECK(vpnc_dc_cipher_lookup("AES-128-GCM", NULL) == 0);
	CHECK(vpnc_dc_cipher_lookup("AES-256-CBC", &canon) == 0 && strcmp(canon, "AES-256-CBC") == 0);
	CHECK(vpnc_dc_cipher_lookup("AES-256-OCB", &canon) == -ENOENT);
	CHECK(vpnc_dc_cipher_lookup("", &canon) == -ENOENT);
	CHECK(vpnc_dc_cipher_lookup(NULL, &canon) == -ENOENT);
	CHECK(vpnc_dc_cipher_lookup("AES-256-GCMX", &canon) == -ENOENT);
}

/* One cipher, one format (peer_id < 0: V1). */
static void test_cipher(size_t ci, int32_t peer_id)
{
	const char *name = ciphers[ci];
	uint8_t block[VPNC_KEY_BLOCK], pt[1400], pkt[1500], out[1500], ref[1500], nonce[12], aad[8];
	struct vpnc_dc_key cli = {0}, srv = {0};
	size_t hdr = peer_id >= 0 ? 4 : 1, head = hdr + 20;

	fill_block(block, (uint8_t)(ci + 1));
	for (size_t i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)(i ^ 0x5A);
	CHECK(vpnc_dc_key_init(&cli, name, NULL, block, false, 2, peer_id) == 0);
	CHECK(vpnc_dc_key_init(&srv, name, NULL, block, true, 2, peer_id) == 0);
	CHECK(vpnc_dc_head_len(&cli) == head);

	/* Client to server, with a known answer from the one-shot path. */
	int n = vpnc_dc_encrypt(&cli, pt, 100, pkt, sizeof(pkt));
	CHECK(n == (int)(head + 100));
	if (peer_id >= 0) {
		CHECK(pkt[0] == 0x4A); /* opcode 9, key_id 2 */
		CHECK(pkt[1] == (uint8_t)(peer_id >> 16) && pkt[2] == (uint8_t)(peer_id >> 8) &&
		      pkt[3] == (uint8_t)peer_id);
	} else {
		CHECK(pkt[0] == 0x32); /* opcode 6, key_id 2 */
	}
	CHECK(vpnc_get_u32(pkt + hdr) == 1);
	memcpy(nonce, pkt + hdr, 4);
	memcpy(nonce + 4, block + 64, 8);
	memcpy(aad, pkt, hdr == 4 ? 8 : 0);
	size_t aad_len = hdr == 4 ? 8 : 4;
	const uint8_t *aadp = hdr == 4 ? aad : pkt + hdr;
	CHECK(oneshot(name, block, nonce, aadp, aad_len, pt, 100, ref));
	CHECK(memcmp(pkt + head, ref, 100) == 0);     /* ciphertext */
	CHECK(memcmp(pkt + hdr + 4, ref + 100, 16) == 0); /* tag before the ciphertext */
	CHECK(vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) == 100);
	CHECK(memcmp(out, pt, 100) == 0);
	CHECK(vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) == -EALREADY);
	/* The client cannot decrypt its own direction. */
	CHECK(vpnc_dc_decrypt(&cli, pkt, (size_t)n, out, sizeof(out)) == -EBADMSG);

	/* Server to client, known answer with the other half of the block. */
	n = vpnc_dc_encrypt(&srv, pt, 1400, pkt, sizeof(pkt));
	CHECK(n == (int)(head + 1400));
	memcpy(nonce, pkt + hdr, 4);
	memcpy(nonce + 4, block + 192, 8);
	memcpy(aad, pkt, hdr == 4 ? 8 : 0);
	aadp = hdr == 4 ? aad : pkt + hdr;
	CHECK(oneshot(name, block + 128, nonce, aadp, aad_len, pt, 1400, ref));
	CHECK(memcmp(pkt + head, ref, 1400) == 0);
	CHECK(memcmp(pkt + hdr + 4, ref + 1400, 16) == 0);
	CHECK(vpnc_dc_decrypt(&cli, pkt, (size_t)n, out, sizeof(out)) == 1400);
	CHECK(memcmp(out, pt, 1400) == 0);

	/* Every bit flip of a packet is rejected and does not touch the window. */
	n = vpnc_dc_encrypt(&cli, pt, 40, pkt, sizeof(pkt));
	int rejected = 0;
	for (int bit = 0; bit < n * 8; bit++) {
		pkt[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		if (vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) < 0)
			rejected++;
		pkt[bit / 8] ^= (uint8_t)(1 << (bit % 8));
	}
	CHECK(rejected == n * 8);
	/* Truncated packets. */
	for (size_t l = 0; l < head; l++)
		CHECK(vpnc_dc_decrypt(&srv, pkt, l, out, sizeof(out)) == -EINVAL);
	CHECK(vpnc_dc_decrypt(&srv, pkt, head, out, sizeof(out)) == -EBADMSG);
	CHECK(vpnc_dc_decrypt(&srv, pkt, (size_t)n - 1, out, sizeof(out)) == -EBADMSG);
	CHECK(vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, 39) == -ENOSPC);
	CHECK(vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, 40) == 40);

	/* Reordering within the window is accepted once. */
	static uint8_t many[70][64];
	int len70[70];
	for (int i = 0; i < 70; i++)
		len70[i] = vpnc_dc_encrypt(&cli, pt, 10, many[i], sizeof(many[i]));
	CHECK(len70[69] == (int)(head + 10));
	CHECK(vpnc_dc_decrypt(&srv, many[69], (size_t)len70[69], out, sizeof(out)) == 10);
	CHECK(vpnc_dc_decrypt(&srv, many[5], (size_t)len70[5], out, sizeof(out)) == -EALREADY);  /* 64 back */
	CHECK(vpnc_dc_decrypt(&srv, many[6], (size_t)len70[6], out, sizeof(out)) == 10);         /* 63 back */
	CHECK(vpnc_dc_decrypt(&srv, many[6], (size_t)len70[6], out, sizeof(out)) == -EALREADY);
	for (int i = 68; i >= 7; i--)
		CHECK(vpnc_dc_decrypt(&srv, many[i], (size_t)len70[i], out, sizeof(out)) == 10);
	for (int i = 0; i < 70; i++)
		CHECK(vpnc_dc_decrypt(&srv, many[i], (size_t)len70[i], out, sizeof(out)) == -EALREADY);

	/* In place: plaintext at out + head, ciphertext decrypted back in place. */
	memcpy(pkt + head, pt, 300);
	n = vpnc_dc_encrypt(&cli, pkt + head, 300, pkt, sizeof(pkt));
	CHECK(n == (int)(head + 300));
	CHECK(vpnc_dc_decrypt(&srv, pkt, (size_t)n, pkt + head, sizeof(pkt) - head) == 300);
	CHECK(memcmp(pkt + head, pt, 300) == 0);

	/* Bounds and misuse on encrypt. */
	CHECK(vpnc_dc_encrypt(&cli, pt, 100, pkt, head + 99) == -ENOSPC);
	CHECK(vpnc_dc_encrypt(&cli, pt, 100, pkt, 3) == -ENOSPC);
	CHECK(vpnc_dc_encrypt(&cli, pt, 0, pkt, sizeof(pkt)) == -EINVAL);
	CHECK(vpnc_dc_encrypt(&cli, pt, 100, pkt, head + 100) == (int)(head + 100));

	/* The packet-id never wraps. */
	cli.send_pid = UINT32_MAX - 1;
	CHECK(vpnc_dc_wants_rekey(&cli));
	n = vpnc_dc_encrypt(&cli, pt, 10, pkt, sizeof(pkt));
	CHECK(n == (int)(head + 10) && vpnc_get_u32(pkt + hdr) == UINT32_MAX);
	CHECK(vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) == 10);
	CHECK(vpnc_dc_encrypt(&cli, pt, 10, pkt, sizeof(pkt)) == -EOVERFLOW);
	CHECK(vpnc_dc_encrypt(&cli, pt, 10, pkt, sizeof(pkt)) == -EOVERFLOW);

	/* A packet for another key_id is not for this key. */
	struct vpnc_dc_key other = {0};
	CHECK(vpnc_dc_key_init(&other, name, NULL, block, true, 3, peer_id) == 0);
	n = vpnc_dc_encrypt(&srv, pt, 10, pkt, sizeof(pkt));
	CHECK(vpnc_dc_decrypt(&other, pkt, (size_t)n, out, sizeof(out)) == -ENOKEY);
	vpnc_dc_key_clear(&other);

	vpnc_dc_key_clear(&cli);
	vpnc_dc_key_clear(&srv);
	CHECK(!vpnc_dc_key_ready(&cli));
	CHECK(vpnc_dc_encrypt(&cli, pt, 10, pkt, sizeof(pkt)) == -ENOKEY);
	CHECK(vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) == -ENOKEY);
}

static void test_mixed_formats(void)
{
	/* The client sends V2 (peer-id 7); the server answers with V1: both are accepted. */
	uint8_t block[VPNC_KEY_BLOCK], pt[50] = {1, 2, 3}, pkt[100], out[100];
	struct vpnc_dc_key cli = {0}, srv = {0};
	fill_block(block, 99);
	CHECK(vpnc_dc_key_init(&cli, "aes-256-gcm", NULL, block, false, 0, 7) == 0);
	CHECK(vpnc_dc_key_init(&srv, "AES-256-GCM", NULL, block, true, 0, -1) == 0);
	int n = vpnc_dc_encrypt(&cli, pt, sizeof(pt), pkt, sizeof(pkt));
	CHECK(n == 74 && pkt[0] == 0x48 && pkt[3] == 7);
	CHECK(vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) == 50);
	n = vpnc_dc_encrypt(&srv, pt, sizeof(pt), pkt, sizeof(pkt));
	CHECK(n == 71 && pkt[0] == 0x30);
	CHECK(vpnc_dc_decrypt(&cli, pkt, (size_t)n, out, sizeof(out)) == 50);
	/* Not a data opcode. */
	pkt[0] = 0x20;
	CHECK(vpnc_dc_decrypt(&cli, pkt, (size_t)n, out, sizeof(out)) == -EINVAL);
	/* Re-init on a live key replaces it and resets the counters. */
	CHECK(vpnc_dc_key_init(&cli, "CHACHA20-POLY1305", NULL, block, false, 1, 7) == 0);
	CHECK(cli.send_pid == 0 && cli.key_id == 1);
	/* Bad arguments leave the key not initialised. */
	CHECK(vpnc_dc_key_init(&cli, "AES-256-GCM", NULL, block, false, 8, 7) == -EINVAL);
	CHECK(!vpnc_dc_key_ready(&cli));
	CHECK(vpnc_dc_key_init(&cli, "AES-256-GCM", NULL, block, false, 0, 0x1000000) == -EINVAL);
	CHECK(vpnc_dc_key_init(&cli, "AES-256-GCM", NULL, block, false, 0, -2) == -EINVAL);
	CHECK(vpnc_dc_key_init(&cli, "BF-CBC", NULL, block, false, 0, 0) == -ENOENT);
	CHECK(vpnc_dc_key_init(&cli, "AES-256-GCM", NULL, NULL, false, 0, 0) == -EINVAL);
	CHECK(vpnc_dc_encrypt(NULL, pt, 1, pkt, sizeof(pkt)) == -ENOKEY);
	vpnc_dc_key_clear(&cli);
	vpnc_dc_key_clear(&srv);
	vpnc_dc_key_clear(NULL);

	/* The bench pair talks to itself. */
	CHECK(dc_pair("AES-128-GCM", &cli, &srv) == 0);
	n = vpnc_dc_encrypt(&cli, pt, sizeof(pt), pkt, sizeof(pkt));
	CHECK(vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) == 50);
	vpnc_dc_key_clear(&cli);
	vpnc_dc_key_clear(&srv);
}

int main(void)
{
	test_lookup();
	for (size_t i = 0; i < 3; i++) {
		test_cipher(i, 0x123456);
		test_cipher(i, 0);
		test_cipher(i, -1);
	}
	test_mixed_formats();
	printf("test_datachan: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
