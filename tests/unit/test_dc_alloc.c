/*
 * test_dc_alloc.c: the data path allocates nothing. OpenSSL's allocator is
 * replaced by a counting one before anything else runs; after one warm-up
 * packet, thousands of encrypt+decrypt rounds for every format (AEAD and
 * CBC+HMAC with each digest, every framing) must not allocate once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void test_rand(void *ctx, void *out, size_t len)
{
	memset(out, 0x5C, len);
}

static void run(const char *cipher, const char *auth, enum vpnc_comp comp)
{
	static uint8_t block[VPNC_KEY_BLOCK], ip[1400], pkt[1600], out[1600];
	struct vpnc_dc_key cli = {0}, srv = {0};
	ip[0] = 0x45;
	allocs = 0;
	CHECK(vpnc_dc_key_init2(&cli, cipher, auth, block, false, 0, 1) == 0);
	CHECK(vpnc_dc_key_init2(&srv, cipher, auth, block, true, 0, 1) == 0);
	vpnc_dc_set_rand(&cli, test_rand, NULL);
	vpnc_dc_set_comp(&cli, comp);
	vpnc_dc_set_comp(&srv, comp);
	int ok = 1;
	for (int i = 0; i < 2000; i++) {
		if (i == 1) {
			CHECK(allocs > 0); /* key setup allocated: the counter sees OpenSSL */
			allocs = 0;        /* after the warm-up packet */
		}
		size_t len = 1 + (size_t)(i * 37) % sizeof(ip);
		int n = vpnc_dc_encrypt(&cli, ip, len, pkt, sizeof(pkt));
		if (n <= 0 || vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) != (int)len)
			ok = 0;
		/* Failure paths too: a forged packet. */
		pkt[n - 1] ^= 1;
		if (vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out)) >= 0)
			ok = 0;
	}
	CHECK(ok);
	if (allocs != 0)
		fprintf(stderr, "%s/%s/comp %d: %ld allocations\n", cipher, auth, comp, allocs);
	CHECK(allocs == 0);
	vpnc_dc_key_clear(&cli);
	vpnc_dc_key_clear(&srv);
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
			for (int m = VPNC_COMP_NONE; m <= VPNC_COMP_STUB_V2; m++)
				run(c[i], a[j], (enum vpnc_comp)m);
	printf("test_dc_alloc: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
