/*
 * test_dc_alloc.c: the data path allocates nothing. OpenSSL's allocator is
 * replaced by a counting one before anything else runs; after one warm-up
 * packet, thousands of encrypt+decrypt rounds for every format (AEAD and
 * CBC+HMAC with each digest, every framing) must not allocate once; with the
 * decompressing settings, packets compressed by liblzo2/liblz4 are received
 * too. libc's malloc is counted as well (except under AddressSanitizer, which
 * owns malloc), so the compression libraries are covered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lz4.h>
#include <lzo/lzo1x.h>
#include <openssl/crypto.h>

#include "core/datachan.h"

#include "../check.h"

static long allocs;

static void *count_malloc(size_t n, const char *file, int line)
{
	allocs++;
	return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line)
{
	allocs++;
	return realloc(p, n);
}

static void count_free(void *p, const char *file, int line)
{
	free(p);
}

#if defined(__SANITIZE_ADDRESS__)
#define COUNT_LIBC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COUNT_LIBC 0
#endif
#endif
#ifndef COUNT_LIBC
#define COUNT_LIBC 1
#endif

#if COUNT_LIBC
/* glibc's own entry points: these count and forward (free stays glibc's), as bench/malloc_count.c. */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
static long libc_allocs;

void *malloc(size_t n)
{
	libc_allocs++;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	libc_allocs++;
	return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	libc_allocs++;
	return __libc_realloc(p, n);
}
#endif

static void test_rand(void *ctx, void *out, size_t len)
{
	memset(out, 0x5C, len);
}

/* Framed bytes a 2.6 server sends for a compressed ip[0..len) (the real libraries, no allocation). */
static size_t compressed(enum vpnc_comp comp, const uint8_t *ip, size_t len, uint8_t *f)
{
	static uint8_t wrk[LZO1X_1_MEM_COMPRESS], z[1600];
	size_t zl;
	if (comp == VPNC_COMP_LZO) {
		lzo_uint ol = sizeof(z);
		lzo1x_1_compress(ip, len, z, &ol, wrk);
		zl = ol;
	} else {
		zl = (size_t)LZ4_compress_default((const char *)ip, (char *)z, (int)len, (int)sizeof(z));
	}
	if (comp == VPNC_COMP_LZO) {
		f[0] = 0x66;
		memcpy(f + 1, z, zl);
		return zl + 1;
	}
	if (comp == VPNC_COMP_LZ4) {
		f[0] = 0x69;
		memcpy(f + 1, z + 1, zl - 1);
		f[zl] = z[0];
		return zl + 1;
	}
	f[0] = 0x50;
	f[1] = 0x01;
	memcpy(f + 2, z, zl);
	return zl + 2;
}

static void run(const char *cipher, const char *auth, enum vpnc_comp comp)
{
	static uint8_t block[VPNC_KEY_BLOCK], ip[1400], pkt[1600], out[1600], f[1600], zbuf[1600];
	struct vpnc_dc_key cli = {0}, srv = {0}, raw = {0};
	bool real = vpnc_comp_is_real(comp);
	ip[0] = 0x45;
	allocs = 0;
	CHECK(vpnc_dc_key_init(&cli, cipher, auth, block, false, 0, 1) == 0);
	CHECK(vpnc_dc_key_init(&srv, cipher, auth, block, true, 0, 1) == 0);
	CHECK(vpnc_dc_key_init(&raw, cipher, auth, block, false, 0, 1) == 0);
	vpnc_dc_set_rand(&cli, test_rand, NULL);
	vpnc_dc_set_rand(&raw, test_rand, NULL);
	vpnc_dc_set_comp(&cli, comp);
	vpnc_dc_set_comp(&srv, comp);
	vpnc_dc_set_decomp(&srv, zbuf, sizeof(zbuf), sizeof(ip));
	int ok = 1;
	for (int i = 0; i < 2000; i++) {
		if (i == 1) {
			CHECK(allocs > 0); /* key setup allocated: the counter sees OpenSSL */
			allocs = 0;        /* after the warm-up packet */
#if COUNT_LIBC
			CHECK(libc_allocs > 0); /* and the libc counter sees them too */
			libc_allocs = 0;
#endif
		}
		size_t len = 1 + (size_t)(i * 37) % sizeof(ip);
		int n = vpnc_dc_encrypt(&cli, ip, len, pkt, sizeof(pkt));
		if (n <= 0 || vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) != (int)len)
			ok = 0;
		/* Failure paths too: a forged packet. */
		pkt[n - 1] ^= 1;
		if (vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) >= 0)
			ok = 0;
		if (real) {
			/* A compressed packet from the server (built here, as by the peer) and a corrupt one. */
			ip[len / 2] = (uint8_t)i;
			raw.send_pid = cli.send_pid; /* one packet_id sequence for the receiver */
			size_t fl = compressed(comp, ip, len, f);
			n = vpnc_dc_encrypt(&raw, f, fl, pkt, sizeof(pkt));
			if (n <= 0 || vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) != (int)len ||
			    memcmp(out, ip, len) != 0)
				ok = 0;
			memset(f + fl / 2, 0xFF, fl - fl / 2);
			n = vpnc_dc_encrypt(&raw, f, fl, pkt, sizeof(pkt));
			if (n <= 0 || vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) > (int)sizeof(ip))
				ok = 0;
			cli.send_pid = raw.send_pid;
		}
	}
	CHECK(ok);
	if (allocs != 0)
		fprintf(stderr, "%s/%s/comp %d: %ld allocations\n", cipher, auth, comp, allocs);
	CHECK(allocs == 0);
#if COUNT_LIBC
	if (libc_allocs != 0)
		fprintf(stderr, "%s/%s/comp %d: %ld libc allocations\n", cipher, auth, comp, libc_allocs);
	CHECK(libc_allocs == 0);
#endif
	vpnc_dc_key_clear(&cli);
	vpnc_dc_key_clear(&srv);
	vpnc_dc_key_clear(&raw);
}

int main(void)
{
	if (!CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free)) {
		printf("test_dc_alloc: 0 passed, 1 failed\n");
		return 1;
	}
	static const char *c[] = {"AES-128-GCM", "AES-256-GCM", "CHACHA20-POLY1305", "AES-128-CBC", "AES-256-CBC"};
	static const char *a[] = {"SHA1", "SHA256", "SHA512"};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		for (size_t j = 0; j < sizeof(a) / sizeof(a[0]); j++)
			for (int m = VPNC_COMP_NONE; m <= VPNC_COMP_LZ4_V2; m++)
				run(c[i], a[j], (enum vpnc_comp)m);
	printf("test_dc_alloc: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
