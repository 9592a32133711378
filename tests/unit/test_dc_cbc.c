/*
 * test_dc_cbc.c: the CBC+HMAC data channel: known answers from independent
 * one-shot OpenSSL CBC and HMAC computations for every cipher x auth x format,
 * both directions, tampering, truncation at every length, padding-oracle
 * safety (bad padding after a good HMAC gives the same error as a bad HMAC,
 * and neither touches the replay window), replay, bounds and misuse; and the
 * static-key format (no header, long-form packet id with time).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "vpnc/buf.h"
#include "core/datachan.h"
#include "core/dc_hmac.h"

#include "../check.h"

static const char *ciphers[] = {"AES-128-CBC", "AES-256-CBC", "AES-192-CBC", "CAMELLIA-128-CBC",
                                "ARIA-256-CBC", "DES-EDE3-CBC"};
static const char *auths[] = {"SHA1", "SHA256", "SHA512", "SHA224", "SHA384"};
static const size_t auth_len[] = {20, 32, 64, 28, 48};

/* A predictable IV source for the tests: a counter. */
static void test_rand(void *ctx, void *out, size_t len)
{
	uint8_t *c = ctx, *p = out;
	for (size_t i = 0; i < len; i++)
		p[i] = (*c)++;
}
static uint8_t rand_counter;

static void fill_block(uint8_t block[VPNC_KEY_BLOCK], uint8_t salt)
{
	for (size_t i = 0; i < VPNC_KEY_BLOCK; i++)
		block[i] = (uint8_t)(i * 31 + salt);
}

/* Independent one-shot CBC; pad = false encrypts whole blocks as given. Returns the length. */
static int oneshot_cbc(const char *name, const uint8_t *key, const uint8_t *iv, const uint8_t *pt,
                       size_t len, bool pad, uint8_t *out)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, name, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0, ok = c && ctx;
	ok = ok && EVP_EncryptInit_ex2(ctx, c, key, iv, NULL);
	ok = ok && EVP_CIPHER_CTX_set_padding(ctx, pad ? 1 : 0);
	ok = ok && EVP_EncryptUpdate(ctx, out, &l1, pt, (int)len);
	ok = ok && EVP_EncryptFinal_ex(ctx, out + l1, &l2);
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return ok ? l1 + l2 : -1;
}

static void oneshot_hmac(const char *md, const uint8_t *key, size_t klen, const uint8_t *d, size_t n,
                         uint8_t *out)
{
	unsigned int l = 0;
	HMAC(EVP_get_digestbyname(md), key, (int)klen, d, n, out, &l);
}

/* Builds a packet for the receiving side by hand: header, HMAC, IV, CBC(pt) (pt already padded unless pad). */
static size_t forge(const char *cipher, const char *md, size_t L, size_t B, const uint8_t *block,
                    bool to_server, uint8_t hdr_byte, const uint8_t *pt, size_t len, bool pad,
                    const uint8_t *hmac_key_override, uint8_t *pkt)
{
	size_t ko = to_server ? 0 : 128, ho = to_server ? 64 : 192;
	pkt[0] = hdr_byte;
	uint8_t *iv = pkt + 1 + L;
	for (size_t i = 0; i < B; i++)
		iv[i] = (uint8_t)(0xA0 + i);
	int n = oneshot_cbc(cipher, block + ko, iv, pt, len, pad, iv + B);
	oneshot_hmac(md, hmac_key_override ? hmac_key_override : block + ho, L, iv, B + (size_t)n, pkt + 1);
	return 1 + L + B + (size_t)n;
}

static void test_lookup(void)
{
	const char *canon = NULL;
	CHECK(vpnc_dc_cipher_lookup("aes-256-cbc", &canon) == 0 && strcmp(canon, "AES-256-CBC") == 0);
	CHECK(vpnc_dc_cipher_lookup("Aes-128-Cbc", &canon) == 0 && strcmp(canon, "AES-128-CBC") == 0);
	CHECK(vpnc_dc_cipher_lookup("AES-128-CFB", &canon) == -ENOENT);
	CHECK(vpnc_dc_cipher_lookup("AES-128-CTR", &canon) == -ENOENT);
	CHECK(vpnc_dc_cipher_lookup("none", &canon) == -ENOENT);
	CHECK(vpnc_dc_cipher_is_aead("aes-256-gcm"));
	CHECK(vpnc_dc_cipher_is_aead("CHACHA20-POLY1305"));
	CHECK(!vpnc_dc_cipher_is_aead("AES-256-CBC"));
	CHECK(!vpnc_dc_cipher_is_aead("nonsense"));
	CHECK(!vpnc_dc_cipher_is_aead(NULL));
	CHECK(vpnc_dc_hmac_lookup("sha256", &canon) == 32 && strcmp(canon, "SHA256") == 0);
	CHECK(vpnc_dc_hmac_lookup("SHA1", NULL) == 20);
	CHECK(vpnc_dc_hmac_lookup("SHA512", NULL) == 64);
	CHECK(vpnc_dc_hmac_lookup("MD4", NULL) == -ENOENT);
	CHECK(vpnc_dc_hmac_lookup("none", NULL) == -ENOENT);
	CHECK(vpnc_dc_hmac_lookup(NULL, NULL) == -ENOENT);
	/* BF-CBC is listed but only counts when the legacy provider is loaded. */
	EVP_CIPHER *bf = EVP_CIPHER_fetch(NULL, "BF-CBC", NULL);
	CHECK((vpnc_dc_cipher_lookup("BF-CBC", NULL) == 0) == (bf != NULL));
	EVP_CIPHER_free(bf);
}

static void test_init_misuse(void)
{
	uint8_t block[VPNC_KEY_BLOCK], pt[64] = {0x45}, pkt[256], out[256];
	struct vpnc_dc_key k = {0};
	fill_block(block, 3);
	CHECK(vpnc_dc_key_init(&k, "AES-256-CBC", "none", block, false, 0, -1) == -ENOTSUP);
	CHECK(!vpnc_dc_key_ready(&k));
	CHECK(vpnc_dc_key_init(&k, "AES-256-CBC", "NONE", block, false, 0, -1) == -ENOTSUP);
	CHECK(vpnc_dc_key_init(&k, "AES-256-CBC", "MD5X", block, false, 0, -1) == -ENOENT);
	/* AEAD ignores auth, even none. */
	CHECK(vpnc_dc_key_init(&k, "AES-256-GCM", "none", block, false, 0, -1) == 0);
	CHECK(k.mode == VPNC_DC_MODE_AEAD && k.auth == NULL);
	/* NULL auth is OpenVPN's default SHA1; the old init is the same. */
	CHECK(vpnc_dc_key_init(&k, "aes-128-cbc", NULL, block, false, 0, -1) == 0);
	CHECK(k.mode == VPNC_DC_MODE_CBC && strcmp(k.auth, "SHA1") == 0 && strcmp(k.cipher, "AES-128-CBC") == 0);
	CHECK(vpnc_dc_head_len(&k) == 1 + 20 + 16);
	CHECK(vpnc_dc_max_overhead(&k) == 1 + 20 + 16 + 4 + 16);
	/* No RNG, no CBC packet. */
	CHECK(vpnc_dc_encrypt(&k, pt, 10, pkt, sizeof(pkt)) == -ENOKEY);
	vpnc_dc_set_rand(&k, test_rand, &rand_counter);
	int n = vpnc_dc_encrypt(&k, pt, 10, pkt, sizeof(pkt));
	CHECK(n == 1 + 20 + 16 + 16);
	CHECK(vpnc_dc_encrypt(&k, pt, 0, pkt, sizeof(pkt)) == -EINVAL);
	/* CBC never works in place or with any overlap. */
	CHECK(vpnc_dc_encrypt(&k, pkt + vpnc_dc_head_len(&k), 10, pkt, sizeof(pkt)) == -EINVAL);
	CHECK(vpnc_dc_encrypt(&k, pkt + 100, 10, pkt, sizeof(pkt)) == 53);
	CHECK(vpnc_dc_decrypt(&k, pkt, 53, pkt + 37, 100) == -EINVAL);
	/* Exact output sizes: 11 bytes + pid pad to 16; 12 bytes + pid = 16 pad to 32. */
	CHECK(vpnc_dc_encrypt(&k, pt, 11, out, 37 + 16 - 1) == -ENOSPC);
	CHECK(vpnc_dc_encrypt(&k, pt, 11, out, 37 + 16) == 53);
	CHECK(vpnc_dc_encrypt(&k, pt, 12, out, 37 + 31) == -ENOSPC);
	CHECK(vpnc_dc_encrypt(&k, pt, 12, out, 37 + 32) == 69);
	CHECK(vpnc_dc_encrypt(&k, pt, 12, out, 3) == -ENOSPC);
	vpnc_dc_key_clear(&k);
	CHECK(!vpnc_dc_key_ready(&k) && k.rand == NULL);
	CHECK(vpnc_dc_encrypt(&k, pt, 10, pkt, sizeof(pkt)) == -ENOKEY);
	/* Re-init forgets the RNG and the framing. */
	CHECK(vpnc_dc_key_init(&k, "AES-256-CBC", "SHA256", block, false, 0, 5) == 0);
	vpnc_dc_set_rand(&k, test_rand, &rand_counter);
	vpnc_dc_set_comp(&k, VPNC_COMP_STUB);
	CHECK(vpnc_dc_key_init(&k, "AES-256-CBC", "SHA256", block, false, 1, 5) == 0);
	CHECK(k.rand == NULL && k.comp == VPNC_COMP_NONE && k.key_id == 1 && k.send_pid == 0);
	vpnc_dc_key_clear(&k);
}

/* One cipher x auth x format: known answers both ways, tampering, truncation, replay. */
static void test_cbc(const char *cipher, size_t ai, int32_t peer_id)
{
	const char *md = auths[ai];
	size_t L = auth_len[ai];
	uint8_t block[VPNC_KEY_BLOCK], pt[1400], pkt[1600], out[1600], ref[1600], plain[1600];
	struct vpnc_dc_key cli = {0}, srv = {0};
	size_t hdr = peer_id >= 0 ? 4 : 1;

	fill_block(block, (uint8_t)(ai * 7 + strlen(cipher)));
	for (size_t i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)(i ^ 0xA5);
	CHECK(vpnc_dc_key_init(&cli, cipher, md, block, false, 3, peer_id) == 0);
	CHECK(vpnc_dc_key_init(&srv, cipher, md, block, true, 3, peer_id) == 0);
	vpnc_dc_set_rand(&cli, test_rand, &rand_counter);
	vpnc_dc_set_rand(&srv, test_rand, &rand_counter);
	size_t B = cli.block, head = hdr + L + B;
	CHECK(B == (strcmp(cipher, "DES-EDE3-CBC") == 0 ? 8 : 16));
	CHECK(vpnc_dc_head_len(&cli) == head);

	for (int dir = 0; dir < 2; dir++) {
		struct vpnc_dc_key *tx = dir == 0 ? &cli : &srv, *rx = dir == 0 ? &srv : &cli;
		size_t ko = dir == 0 ? 0 : 128, ho = dir == 0 ? 64 : 192;
		for (size_t len = 1; len <= 1400; len += len < 40 ? 1 : 199) {
			uint32_t pid = tx->send_pid + 1;
			int n = vpnc_dc_encrypt(tx, pt, len, pkt, sizeof(pkt));
			size_t ct_len = ((4 + len) / B + 1) * B;
			CHECK(n == (int)(head + ct_len));
			CHECK((size_t)n - len <= vpnc_dc_max_overhead(tx));
			if (peer_id >= 0)
				CHECK(pkt[0] == 0x4B && vpnc_get_u32(pkt) == (0x4Bu << 24 | (uint32_t)peer_id));
			else
				CHECK(pkt[0] == 0x33);
			/* Known answer: CBC(key slot, IV, pid || pt) and HMAC(hmac slot, IV || ct). */
			const uint8_t *iv = pkt + hdr + L;
			vpnc_put_u32(plain, pid);
			memcpy(plain + 4, pt, len);
			CHECK(oneshot_cbc(cipher, block + ko, iv, plain, 4 + len, true, ref) == (int)ct_len);
			CHECK(memcmp(pkt + head, ref, ct_len) == 0);
			oneshot_hmac(md, block + ho, L, iv, B + ct_len, ref);
			CHECK(memcmp(pkt + hdr, ref, L) == 0);
			CHECK(vpnc_dc_decrypt(rx, pkt, (size_t)n, out, ct_len - 1) == -ENOSPC);
			CHECK(vpnc_dc_decrypt(rx, pkt, (size_t)n, out, ct_len) == (int)len);
			CHECK(memcmp(out, pt, len) == 0);
			CHECK(vpnc_dc_decrypt(rx, pkt, (size_t)n, out, sizeof(out)) == -EALREADY);
			/* Each side cannot decrypt its own direction. */
			CHECK(vpnc_dc_decrypt(tx, pkt, (size_t)n, out, sizeof(out)) == -EBADMSG);
		}
	}
	/* The IVs come from the RNG: two packets of the same payload differ. */
	uint8_t pkt2[1600];
	int n = vpnc_dc_encrypt(&cli, pt, 100, pkt, sizeof(pkt));
	int n2 = vpnc_dc_encrypt(&cli, pt, 100, pkt2, sizeof(pkt2));
	CHECK(n == n2 && memcmp(pkt + hdr + L, pkt2 + hdr + L, B) != 0);

	/* Tampering: every bit after the header is covered by the HMAC. */
	n = vpnc_dc_encrypt(&cli, pt, 33, pkt, sizeof(pkt));
	int bad = 0;
	for (int bit = (int)hdr * 8; bit < n * 8; bit++) {
		pkt[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		if (vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) != -EBADMSG)
			bad++;
		pkt[bit / 8] ^= (uint8_t)(1 << (bit % 8));
	}
	CHECK(bad == 0);
	/* Opcode and key_id are checked before anything else. */
	pkt[0] ^= 0x80;
	CHECK(vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) == -EINVAL);
	pkt[0] ^= 0x81;
	CHECK(vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) == -ENOKEY);
	pkt[0] ^= 0x01;
	/* Truncation at every length: malformed lengths are -EINVAL, whole blocks fail the HMAC. */
	bad = 0;
	for (size_t l = 0; l < (size_t)n; l++) {
		int r = vpnc_dc_decrypt(&srv, pkt, l, out, sizeof(out));
		bool whole = l >= head + B && (l - head) % B == 0;
		if (r != (l == 0 ? -EINVAL : whole ? -EBADMSG : -EINVAL))
			bad++;
	}
	CHECK(bad == 0);
	/* Extended by one block of garbage: the HMAC fails. */
	CHECK(vpnc_dc_decrypt(&srv, pkt, (size_t)n + B, out, sizeof(out)) == -EBADMSG);
	/* None of that touched the window: the original still decrypts, once. */
	CHECK(vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) == 33);
	CHECK(memcmp(out, pt, 33) == 0);
	CHECK(vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) == -EALREADY);

	/* Reordering within the window is accepted once. */
	static uint8_t many[70][128];
	int len70[70];
	for (int i = 0; i < 70; i++)
		len70[i] = vpnc_dc_encrypt(&cli, pt, 10, many[i], sizeof(many[i]));
	CHECK(len70[0] > 0);
	CHECK(vpnc_dc_decrypt(&srv, many[69], (size_t)len70[69], out, sizeof(out)) == 10);
	CHECK(vpnc_dc_decrypt(&srv, many[5], (size_t)len70[5], out, sizeof(out)) == -EALREADY);
	CHECK(vpnc_dc_decrypt(&srv, many[6], (size_t)len70[6], out, sizeof(out)) == 10);
	CHECK(vpnc_dc_decrypt(&srv, many[6], (size_t)len70[6], out, sizeof(out)) == -EALREADY);

	/* The packet-id never wraps. */
	cli.send_pid = UINT32_MAX - 1;
	n = vpnc_dc_encrypt(&cli, pt, 10, pkt, sizeof(pkt));
	CHECK(n > 0 && vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) == 10);
	CHECK(vpnc_dc_encrypt(&cli, pt, 10, pkt, sizeof(pkt)) == -EOVERFLOW);

	vpnc_dc_key_clear(&cli);
	vpnc_dc_key_clear(&srv);
}

/*
 * Padding oracle: packets forged with a valid HMAC but bad padding fail with
 * the same -EBADMSG as a bad HMAC, and neither records the packet id.
 */
static void test_padding(const char *cipher, size_t B)
{
	uint8_t block[VPNC_KEY_BLOCK], pt[64], pkt[256], out[256], wrong[64];
	struct vpnc_dc_key srv = {0};
	fill_block(block, 77);
	memset(wrong, 0x11, sizeof(wrong));
	CHECK(vpnc_dc_key_init(&srv, cipher, "SHA256", block, true, 0, -1) == 0);

	/* Sanity: a hand-made packet with correct padding decrypts. pid 5, payload 3 bytes. */
	memset(pt, 0, sizeof(pt));
	vpnc_put_u32(pt, 5);
	pt[4] = 0x45, pt[5] = 0x46, pt[6] = 0x47;
	for (size_t i = 7; i < B; i++)
		pt[i] = (uint8_t)(B - 7);
	size_t n = forge(cipher, "SHA256", 32, B, block, true, 0x30, pt, B, false, NULL, pkt);
	CHECK(vpnc_dc_decrypt(&srv, pkt, n, out, sizeof(out)) == 3 && memcmp(out, "EFG", 3) == 0);

	/* Bad paddings, each with a valid HMAC; pids 10.. so a replay cannot explain the error. */
	const int pads[][2] = {{0, 0}, {(int)B + 1, 0}, {2, 1}, {(int)B, 1}, {255, 0}};
	for (size_t c = 0; c < sizeof(pads) / sizeof(pads[0]); c++) {
		memset(pt, 0x45, sizeof(pt));
		vpnc_put_u32(pt, (uint32_t)(10 + c));
		pt[2 * B - 1] = (uint8_t)pads[c][0];
		if (pads[c][1]) /* the last byte is right but an earlier pad byte is not */
			pt[2 * B - 2] = (uint8_t)(pads[c][0] + 1);
		n = forge(cipher, "SHA256", 32, B, block, true, 0x30, pt, 2 * B, false, NULL, pkt);
		CHECK(vpnc_dc_decrypt(&srv, pkt, n, out, sizeof(out)) == -EBADMSG);
		/* The same packet with a wrong HMAC key: the same error. */
		n = forge(cipher, "SHA256", 32, B, block, true, 0x30, pt, 2 * B, false, wrong, pkt);
		CHECK(vpnc_dc_decrypt(&srv, pkt, n, out, sizeof(out)) == -EBADMSG);
	}
	/* A full-block pad covering the pid in a one-block packet is bad padding, not a crash. */
	memset(pt, (int)B, B);
	n = forge(cipher, "SHA256", 32, B, block, true, 0x30, pt, B, false, NULL, pkt);
	CHECK(vpnc_dc_decrypt(&srv, pkt, n, out, sizeof(out)) == -EBADMSG);
	/* A bad-HMAC packet with pid 20 does not spend pid 20. */
	memset(pt, 0, sizeof(pt));
	vpnc_put_u32(pt, 20);
	n = forge(cipher, "SHA256", 32, B, block, true, 0x30, pt, 4, true, wrong, pkt);
	CHECK(vpnc_dc_decrypt(&srv, pkt, n, out, sizeof(out)) == -EBADMSG);
	n = forge(cipher, "SHA256", 32, B, block, true, 0x30, pt, 4, true, NULL, pkt);
	CHECK(vpnc_dc_decrypt(&srv, pkt, n, out, sizeof(out)) == 0); /* empty payload, like a 2.6 peer's */
	CHECK(vpnc_dc_decrypt(&srv, pkt, n, out, sizeof(out)) == -EALREADY);
	/* The bad-padding packets did not spend their pids either. */
	vpnc_put_u32(pt, 10);
	pt[4] = 0x99;
	n = forge(cipher, "SHA256", 32, B, block, true, 0x30, pt, 5, true, NULL, pkt);
	CHECK(vpnc_dc_decrypt(&srv, pkt, n, out, sizeof(out)) == 1 && out[0] == 0x99);
	vpnc_dc_key_clear(&srv);
}

/*
 * Static-key format (2.6 --secret): HMAC | IV | CBC(pid (4) || time (4) || framed payload),
 * no opcode. Known answers, both directions, framing with 64- and 128-bit blocks (the
 * framing then sits in the second block of a 64-bit cipher), the (id, time) replay rules,
 * truncation and misuse.
 */
static void test_static(const char *cipher, enum vpnc_comp comp)
{
	uint8_t block[VPNC_KEY_BLOCK], pt[600], pkt[800], out[800], ref[800], plain[800];
	struct vpnc_dc_key a = {0}, b = {0};
	const size_t L = 20;

	fill_block(block, 0x5A);
	for (size_t i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)(i * 7 + 1);
	CHECK(vpnc_dc_key_init(&a, cipher, "SHA1", block, false, 0, -1) == 0);
	CHECK(vpnc_dc_key_init(&b, cipher, "SHA1", block, true, 0, -1) == 0);
	CHECK(vpnc_dc_set_static(&a, 1700000000u) == 0 && vpnc_dc_set_static(&b, 1700000005u) == 0);
	vpnc_dc_set_rand(&a, test_rand, &rand_counter);
	vpnc_dc_set_rand(&b, test_rand, &rand_counter);
	vpnc_dc_set_comp(&a, comp);
	vpnc_dc_set_comp(&b, comp);
	size_t B = a.block, head = L + B, lead = comp == VPNC_COMP_NONE ? 0 : 1;
	CHECK(vpnc_dc_head_len(&a) == head);

	for (int dir = 0; dir < 2; dir++) {
		struct vpnc_dc_key *tx = dir == 0 ? &a : &b, *rx = dir == 0 ? &b : &a;
		size_t ko = dir == 0 ? 0 : 128, ho = dir == 0 ? 64 : 192;
		for (size_t len = 1; len <= 600; len += len < 40 ? 1 : 97) {
			uint32_t pid = tx->send_pid + 1;
			int n = vpnc_dc_encrypt(tx, pt, len, pkt, sizeof(pkt));
			size_t ct_len = ((8 + lead + len) / B + 1) * B;
			CHECK(n == (int)(head + ct_len));
			CHECK((size_t)n - len <= vpnc_dc_max_overhead(tx));
			const uint8_t *iv = pkt + L;
			vpnc_put_u32(plain, pid);
			vpnc_put_u32(plain + 4, tx->pid_time);
			if (comp == VPNC_COMP_LZO_STUB) {
				plain[8] = 0xFA;
				memcpy(plain + 9, pt, len);
			} else if (comp == VPNC_COMP_STUB) {
				plain[8] = 0xFB;
				memcpy(plain + 9, pt + 1, len - 1);
				plain[8 + len] = pt[0];
			} else {
				memcpy(plain + 8, pt, len);
			}
			CHECK(oneshot_cbc(cipher, block + ko, iv, plain, 8 + lead + len, true, ref) == (int)ct_len);
			CHECK(memcmp(pkt + head, ref, ct_len) == 0);
			oneshot_hmac("SHA1", block + ho, L, iv, B + ct_len, ref);
			CHECK(memcmp(pkt, ref, L) == 0);
			CHECK(vpnc_dc_decrypt(rx, pkt, (size_t)n, out, sizeof(out)) == (int)len);
			CHECK(memcmp(out, pt, len) == 0);
			CHECK(vpnc_dc_decrypt(rx, pkt, (size_t)n, out, sizeof(out)) == -EALREADY);
			CHECK(vpnc_dc_decrypt(tx, pkt, (size_t)n, out, sizeof(out)) == -EBADMSG);
		}
	}
	/* Every truncation is refused without reading past the packet. */
	int n = vpnc_dc_encrypt(&a, pt, 50, pkt, sizeof(pkt));
	CHECK(n > 0);
	for (int cut = 0; cut < n; cut++) {
		int r = vpnc_dc_decrypt(&b, pkt, (size_t)cut, out, sizeof(out));
		CHECK(r == -EINVAL || r == -EBADMSG);
	}
	CHECK(vpnc_dc_decrypt(&b, pkt, (size_t)n, out, sizeof(out)) == 50);

	/* Replay by (id, time): a peer that restarted (a later time) starts over at id 1; an
	 * earlier time is refused, as 2.6's long form does. */
	uint32_t t0 = a.pid_time;
	a.pid_time = t0 + 10;
	a.send_pid = 0;
	n = vpnc_dc_encrypt(&a, pt, 20, pkt, sizeof(pkt));
	CHECK(vpnc_dc_decrypt(&b, pkt, (size_t)n, out, sizeof(out)) == 20);
	a.pid_time = t0;
	a.send_pid = 1000;
	n = vpnc_dc_encrypt(&a, pt, 20, pkt, sizeof(pkt));
	CHECK(vpnc_dc_decrypt(&b, pkt, (size_t)n, out, sizeof(out)) == -EALREADY);

	/* A TLS-mode key does not read a static packet, nor the reverse. */
	struct vpnc_dc_key t = {0};
	CHECK(vpnc_dc_key_init(&t, cipher, "SHA1", block, true, 0, -1) == 0);
	vpnc_dc_set_comp(&t, comp);
	a.pid_time = t0 + 20;
	n = vpnc_dc_encrypt(&a, pt, 20, pkt, sizeof(pkt));
	CHECK(vpnc_dc_decrypt(&t, pkt, (size_t)n, out, sizeof(out)) < 0);
	vpnc_dc_key_clear(&t);
	vpnc_dc_key_clear(&a);
	vpnc_dc_key_clear(&b);
}

static void test_static_misuse(void)
{
	uint8_t block[VPNC_KEY_BLOCK];
	struct vpnc_dc_key k = {0};

	fill_block(block, 1);
	CHECK(vpnc_dc_set_static(&k, 1) == -EINVAL); /* not keyed */
	CHECK(vpnc_dc_key_init(&k, "AES-256-GCM", NULL, block, false, 0, -1) == 0);
	CHECK(vpnc_dc_set_static(&k, 1) == -EINVAL); /* AEAD: 2.6 has none in static-key mode */
	CHECK(vpnc_dc_key_init(&k, "AES-256-CBC", "SHA1", block, false, 1, -1) == 0);
	CHECK(vpnc_dc_set_static(&k, 1) == -EINVAL); /* key id 0 only */
	CHECK(vpnc_dc_key_init(&k, "AES-256-CBC", "SHA1", block, false, 0, 7) == 0);
	CHECK(vpnc_dc_set_static(&k, 1) == -EINVAL); /* no peer-id */
	vpnc_dc_key_clear(&k);
}

int main(void)
{
	test_static_misuse();
	for (int c = 0; c < 3; c++) {
		enum vpnc_comp comp = c == 0 ? VPNC_COMP_NONE : c == 1 ? VPNC_COMP_LZO_STUB : VPNC_COMP_STUB;
		test_static("AES-256-CBC", comp);
		test_static("DES-EDE3-CBC", comp);
		test_static("AES-128-CBC", comp);
	}
	test_lookup();
	test_init_misuse();
	for (size_t c = 0; c < sizeof(ciphers) / sizeof(ciphers[0]); c++)
		for (size_t a = 0; a < sizeof(auths) / sizeof(auths[0]); a++) {
			test_cbc(ciphers[c], a, 0x00ABCD);
			test_cbc(ciphers[c], a, -1);
		}
	test_padding("AES-256-CBC", 16);
	test_padding("AES-128-CBC", 16);
	test_padding("DES-EDE3-CBC", 8);
	printf("test_dc_cbc: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
