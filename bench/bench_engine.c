/*
 * bench_engine.c: the in-memory engine benchmark. A client and a server engine
 * run back to back (no I/O): after the handshake, 1400-byte packets go through
 * client encrypt -> server decrypt (upload) and server encrypt -> client
 * decrypt (download) for a fixed time each. It prints MB/s, ns per packet,
 * heap allocations per packet in steady state (counted by wrapping malloc),
 * and, in the same run, a bare OpenSSL loop (encrypt + decrypt of the same
 * packets with one reused context each; a CBC cipher with its HMAC) as the
 * reference ratio.
 *
 * Usage: bench_engine [seconds-per-case] [cipher] [fragment]
 * With a third argument, both engines run 'fragment N' (docs/fragment.md):
 * each packet then leaves as several link packets, all delivered.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "core/tls.h"
#include "vpnc/defaults.h"
#include "vpnc/engine.h"

#include "../tests/testpki.h"
#include "../tests/wire.h"

#if defined(__SANITIZE_ADDRESS__)
#define BENCH_NO_ALLOC_COUNT 1 /* gcc */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BENCH_NO_ALLOC_COUNT 1 /* clang */
#endif
#endif

#ifndef BENCH_NO_ALLOC_COUNT
/* Allocation counting: every malloc in the process, OpenSSL's included, goes through here. */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static atomic_ulong n_allocs;

void *malloc(size_t n)
{
	atomic_fetch_add_explicit(&n_allocs, 1, memory_order_relaxed);
	return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
	atomic_fetch_add_explicit(&n_allocs, 1, memory_order_relaxed);
	return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
	atomic_fetch_add_explicit(&n_allocs, 1, memory_order_relaxed);
	return __libc_realloc(p, n);
}
void free(void *p) { __libc_free(p); }
#else
/* Under AddressSanitizer malloc belongs to the sanitizer: allocations are not counted (shown as 0). */
static atomic_ulong n_allocs;
#endif

#define PKT 1400

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nolog(void *ctx, int level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

struct result {
	double mbps, ns_per_pkt, allocs_per_pkt;
	unsigned long pkts;
	bool aead; /* the bare reference: an AEAD cipher, else CBC with HMAC */
};

/* One packet from src to dst: its link packets (one, or its fragments) each delivered. Returns
 * 1 if it came out of dst, 0 if not, -1 if src refused it. */
static int one_pkt(struct vpnc_engine *src, struct vpnc_engine *dst, uint8_t *ip)
{
	static uint8_t link[VPNC_PKT_BUF], tun[VPNC_PKT_BUF];
	struct vpnc_buf lb, tb;
	int got = 0;

	vpnc_buf_init(&lb, link, sizeof(link), 0);
	if (vpnc_engine_tun_in(src, 1, ip, PKT, &lb) != 0)
		return -1;
	for (;;) {
		vpnc_buf_init(&tb, tun, sizeof(tun), VPNC_HEADROOM);
		if (vpnc_engine_link_in(dst, 1, vpnc_buf_data(&lb), lb.len, &tb) == 1)
			got = 1;
		if (!vpnc_engine_tun_more(src))
			return got;
		vpnc_buf_init(&lb, link, sizeof(link), 0);
		if (vpnc_engine_tun_in_next(src, 1, ip, PKT, &lb) != 1)
			return -1;
	}
}

/* Pushes packets from src to dst for `secs`; every packet must arrive. */
static int run_dir(struct vpnc_engine *src, struct vpnc_engine *dst, double secs, struct result *r)
{
	static uint8_t ip[PKT];
	unsigned long n = 0, lost = 0;

	memset(ip, 0x45, sizeof(ip));
	/* Warm up, then count allocations only in steady state. */
	for (int i = 0; i < 1000; i++)
		(void)one_pkt(src, dst, ip);
	unsigned long a0 = atomic_load(&n_allocs);
	double t0 = now_s(), t1;
	do {
		for (int i = 0; i < 1000; i++) {
			int got = one_pkt(src, dst, ip);
			if (got < 0)
				return -1;
			if (got == 0)
				lost++;
		}
		n += 1000;
		t1 = now_s();
	} while (t1 - t0 < secs);
	unsigned long a1 = atomic_load(&n_allocs);
	if (lost != 0)
		return -1;
	r->pkts = n;
	r->mbps = (double)n * PKT / (t1 - t0) / 1e6;
	r->ns_per_pkt = (t1 - t0) * 1e9 / (double)n;
	r->allocs_per_pkt = (double)(a1 - a0) / (double)n;
	return 0;
}

static void bare_result(struct result *r, unsigned long n, double t0, double t1, unsigned long a0)
{
	r->pkts = n;
	r->mbps = (double)n * PKT / (t1 - t0) / 1e6;
	r->ns_per_pkt = (t1 - t0) * 1e9 / (double)n;
	r->allocs_per_pkt = (double)(atomic_load(&n_allocs) - a0) / (double)n;
}

/* An AEAD cipher: encrypt, tag, check and decrypt each packet with one reused context each way. */
static int bare_aead(const EVP_CIPHER *c, EVP_CIPHER_CTX *enc, EVP_CIPHER_CTX *dec, double secs, struct result *r)
{
	static uint8_t ip[PKT], ct[PKT + 32], pt[PKT + 32];
	uint8_t key[EVP_MAX_KEY_LENGTH] = {1}, iv[EVP_MAX_IV_LENGTH] = {2}, tag[16], aad[8] = {0x48};
	unsigned long n = 0;
	int len;

	EVP_EncryptInit_ex(enc, c, NULL, key, iv);
	EVP_DecryptInit_ex(dec, c, NULL, key, iv);
	unsigned long a0 = atomic_load(&n_allocs);
	double t0 = now_s(), t1;
	do {
		for (int i = 0; i < 1000; i++) {
			memcpy(iv, &n, sizeof(n));
			EVP_EncryptInit_ex(enc, NULL, NULL, NULL, iv);
			EVP_EncryptUpdate(enc, NULL, &len, aad, sizeof(aad));
			EVP_EncryptUpdate(enc, ct, &len, ip, sizeof(ip));
			EVP_EncryptFinal_ex(enc, ct + len, &len);
			EVP_CIPHER_CTX_ctrl(enc, EVP_CTRL_AEAD_GET_TAG, 16, tag);
			EVP_DecryptInit_ex(dec, NULL, NULL, NULL, iv);
			EVP_DecryptUpdate(dec, NULL, &len, aad, sizeof(aad));
			EVP_DecryptUpdate(dec, pt, &len, ct, sizeof(ip));
			EVP_CIPHER_CTX_ctrl(dec, EVP_CTRL_AEAD_SET_TAG, 16, tag);
			if (EVP_DecryptFinal_ex(dec, pt + len, &len) != 1)
				return -1;
			n++;
		}
		t1 = now_s();
	} while (t1 - t0 < secs);
	bare_result(r, n, t0, t1, a0);
	return 0;
}

/* HMAC of iv and ct into tag with the reused context (its key set once). */
static int bare_mac(EVP_MAC_CTX *m, const uint8_t *iv, int ivlen, const uint8_t *ct, int clen, uint8_t *tag)
{
	size_t tl = 0;

	return EVP_MAC_init(m, NULL, 0, NULL) == 1 && EVP_MAC_update(m, iv, (size_t)ivlen) == 1 &&
	                       EVP_MAC_update(m, ct, (size_t)clen) == 1 && EVP_MAC_final(m, tag, &tl, 64) == 1
	               ? (int)tl
	               : -1;
}

/*
 * A CBC cipher, as OpenVPN's data channel uses it (no AEAD tag): encrypt with a fresh IV and
 * padding, HMAC (the engine's default digest, the bench sets no other) over IV and ciphertext;
 * then check the HMAC and decrypt.
 */
static int bare_cbc(const EVP_CIPHER *c, EVP_CIPHER_CTX *enc, EVP_CIPHER_CTX *dec, double secs, struct result *r)
{
	static uint8_t ip[PKT], ct[PKT + 32], pt[PKT + 32];
	uint8_t key[EVP_MAX_KEY_LENGTH] = {1}, iv[EVP_MAX_IV_LENGTH] = {2}, hkey[64] = {3}, tag[64], tag2[64];
	const int ivlen = EVP_CIPHER_get_iv_length(c);
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *m = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", (char *)VPNC_DEFAULT_AUTH, 0),
	                       OSSL_PARAM_construct_end()};
	unsigned long n = 0;
	int ret = -1, len, fin, tl;

	EVP_MAC_free(mac); /* the context keeps what it needs */
	if (m == NULL || ivlen <= 0 || ivlen > (int)sizeof(iv) || EVP_MAC_init(m, hkey, sizeof(hkey), params) != 1)
		goto out;
	EVP_EncryptInit_ex(enc, c, NULL, key, iv);
	EVP_DecryptInit_ex(dec, c, NULL, key, iv);
	unsigned long a0 = atomic_load(&n_allocs);
	double t0 = now_s(), t1;
	do {
		for (int i = 0; i < 1000; i++) {
			memcpy(iv, &n, sizeof(n));
			if (EVP_EncryptInit_ex(enc, NULL, NULL, NULL, iv) != 1 || EVP_EncryptUpdate(enc, ct, &len, ip, PKT) != 1 ||
			    EVP_EncryptFinal_ex(enc, ct + len, &fin) != 1)
				goto out;
			len += fin;
			tl = bare_mac(m, iv, ivlen, ct, len, tag);
			if (tl < 0 || bare_mac(m, iv, ivlen, ct, len, tag2) != tl || CRYPTO_memcmp(tag, tag2, (size_t)tl) != 0)
				goto out;
			if (EVP_DecryptInit_ex(dec, NULL, NULL, NULL, iv) != 1 || EVP_DecryptUpdate(dec, pt, &fin, ct, len) != 1 ||
			    EVP_DecryptFinal_ex(dec, pt + fin, &fin) != 1)
				goto out;
			n++;
		}
		t1 = now_s();
	} while (t1 - t0 < secs);
	bare_result(r, n, t0, t1, a0);
	ret = 0;
out:
	EVP_MAC_CTX_free(m);
	return ret;
}

/*
 * The reference: the same packets through bare OpenSSL, contexts reused: an AEAD cipher as
 * it is (encrypt, tag, decrypt), a CBC cipher with its HMAC.
 */
static int run_bare(const char *cipher, double secs, struct result *r)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, cipher, NULL);
	EVP_CIPHER_CTX *enc = EVP_CIPHER_CTX_new(), *dec = EVP_CIPHER_CTX_new();
	int ret = -1;

	if (c != NULL && enc != NULL && dec != NULL) {
		r->aead = (EVP_CIPHER_get_flags(c) & EVP_CIPH_FLAG_AEAD_CIPHER) != 0;
		ret = r->aead ? bare_aead(c, enc, dec, secs, r) : bare_cbc(c, enc, dec, secs, r);
	}
	EVP_CIPHER_CTX_free(enc);
	EVP_CIPHER_CTX_free(dec);
	EVP_CIPHER_free(c);
	return ret;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3.0;
	const char *cipher = argc > 2 ? argv[2] : "AES-256-GCM";
	int fragment = argc > 3 ? atoi(argv[3]) : 0;
	struct testpki pki;
	struct vpnc_config conf;
	struct vpnc_engine_cfg cc, sc;
	struct vpnc_engine *c = NULL, *s = NULL;
	uint8_t key[VPNC_STATIC_KEY_LEN];
	char err[256];

	if (secs <= 0)
		secs = 3.0;
	testpki_make(&pki, 0);
	memset(&conf, 0, sizeof(conf));
	conf.ca = pki.ca;
	conf.cert = pki.client_cert;
	conf.key = pki.client_key;
	SSL_CTX *cctx = vpnc_tls_ctx_client(&conf, NULL, err, sizeof(err));
	SSL_CTX *sctx = vpnc_tls_ctx_server(pki.ca, pki.server_cert, pki.server_key, err, sizeof(err));
	if (cctx == NULL || sctx == NULL) {
		fprintf(stderr, "bench_engine: cannot make the TLS contexts: %s\n", err);
		return 1;
	}
	wire_rand(NULL, key, sizeof(key));
	memset(&cc, 0, sizeof(cc));
	cc.ssl_ctx = cctx;
	cc.wrap = VPNC_WRAP_TLS_CRYPT;
	cc.wrap_key = key;
	cc.data_ciphers = cipher;
	cc.rand = wire_rand;
	cc.wallclock = wire_wallclock;
	cc.log = nolog;
	cc.fragment = fragment;
	sc = cc;
	sc.role = VPNC_ROLE_SERVER;
	sc.ssl_ctx = sctx;
	sc.push_reply = "topology subnet,ifconfig 10.8.0.2 255.255.255.0";
	if (vpnc_engine_new(&cc, &c) != 0 || vpnc_engine_new(&sc, &s) != 0) {
		fprintf(stderr, "bench_engine: cannot create the engines\n");
		return 1;
	}
	struct wire_q c2s, s2c;
	wire_q_init(&c2s);
	wire_q_init(&s2c);
	uint64_t now = 1;
	vpnc_engine_start(c, now);
	vpnc_engine_start(s, now);
	for (int i = 0; i < 1000 && !(vpnc_engine_state(c) == VPNC_ST_CONNECTED &&
	                              vpnc_engine_state(s) == VPNC_ST_CONNECTED); i++) {
		wire_drain(c, now, &c2s, NULL);
		wire_drain(s, now, &s2c, NULL);
		wire_deliver(s, now, &c2s, NULL);
		wire_deliver(c, now, &s2c, NULL);
		now += 10;
	}
	if (vpnc_engine_state(c) != VPNC_ST_CONNECTED) {
		fprintf(stderr, "bench_engine: the handshake did not complete\n");
		return 1;
	}
	struct result up, down, bare;
	if (run_dir(c, s, secs, &up) != 0 || run_dir(s, c, secs, &down) != 0) {
		fprintf(stderr, "bench_engine: a packet was lost or the engine refused one\n");
		return 1;
	}
	if (run_bare(cipher, secs, &bare) != 0) {
		fprintf(stderr, "bench_engine: the bare OpenSSL reference failed for %s\n", cipher);
		return 1;
	}
	printf("in-memory engine benchmark: %s, %d-byte packets, %.1f s per case, %s\n", vpnc_engine_cipher(c), PKT,
	       secs, OpenSSL_version(OPENSSL_VERSION));
	if (fragment > 0)
		printf("fragment %d: each packet in %llu link packets\n", fragment,
		       (unsigned long long)(vpnc_engine_stats(c)->link_out_pkts / (vpnc_engine_stats(c)->tun_in_pkts + 1)));
	printf("%-22s %10s %10s %14s %10s\n", "case", "MB/s", "ns/pkt", "allocs/pkt", "vs bare");
	printf("%-22s %10.1f %10.1f %14.4f %9.1f%%\n", "upload (c->s)", up.mbps, up.ns_per_pkt, up.allocs_per_pkt,
	       100.0 * up.mbps / bare.mbps);
	printf("%-22s %10.1f %10.1f %14.4f %9.1f%%\n", "download (s->c)", down.mbps, down.ns_per_pkt,
	       down.allocs_per_pkt, 100.0 * down.mbps / bare.mbps);
	printf("%-22s %10.1f %10.1f %14.4f %9s\n", bare.aead ? "bare OpenSSL AEAD" : "bare OpenSSL CBC+HMAC", bare.mbps,
	       bare.ns_per_pkt,
	       bare.allocs_per_pkt, "100.0%");
#ifdef BENCH_NO_ALLOC_COUNT
	printf("note: built with AddressSanitizer: allocations are not counted, and timings mean little\n");
#endif
	int bad = up.allocs_per_pkt > 0 || down.allocs_per_pkt > 0;
	if (bad)
		printf("FAIL: the data path allocates in steady state\n");
	vpnc_engine_free(c);
	vpnc_engine_free(s);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	wire_q_free(&c2s);
	wire_q_free(&s2c);
	testpki_free(&pki);
	return bad;
}
