/*
 * test_token_heap.c: a pushed auth-token is a secret, also in the heap. A
 * client and a server engine back to back (pair.h) with a PUSH_REPLY that
 * carries an auth-token; every block OpenSSL allocates goes through this
 * test (CRYPTO_set_mem_functions), every block vpnc's own code frees through
 * ld's --wrap=free (tests/CMakeLists.txt). Checked: after the PUSH_REPLY is
 * consumed and ACKed, no live OpenSSL block holds the token (its record
 * buffer decrypts in place, and would keep the plaintext until the next
 * record), and no block freed during the whole session and teardown, by
 * OpenSSL or by vpnc, held it when it was freed (freed memory is not
 * cleared). test_engine.c's test_token_wiped searches the engine struct
 * itself. glibc only (malloc_usable_size).
 */
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "../pair.h"
#include "../check.h"

#define TOKEN "SESS_ID_heap_t0ken_5b1e77d0"
#define LIVE_MAX (1u << 16) /* OpenSSL blocks alive at once: far more than two engines hold */

void __real_free(void *p);
void __wrap_free(void *p);

static void *live[LIVE_MAX];   /* open addressing on the pointer; NULL = free slot, TOMB = removed */
static bool live_overflow;
static unsigned freed_hits;    /* blocks that held the token when freed */
static unsigned freed_scanned;
#define TOMB ((void *)1)

static size_t live_slot(const void *p)
{
	return (size_t)(((uintptr_t)p >> 4) * 2654435761u) & (LIVE_MAX - 1);
}

static void live_add(void *p)
{
	for (size_t i = live_slot(p), n = 0; n < LIVE_MAX; i = (i + 1) & (LIVE_MAX - 1), n++)
		if (live[i] == NULL || live[i] == TOMB) {
			live[i] = p;
			return;
		}
	live_overflow = true;
}

static void live_del(const void *p)
{
	for (size_t i = live_slot(p), n = 0; n < LIVE_MAX && live[i] != NULL; i = (i + 1) & (LIVE_MAX - 1), n++)
		if (live[i] == p) {
			live[i] = TOMB;
			return;
		}
}

/* Whether the block at p (its usable size) holds the token. */
static bool holds_token(const void *p)
{
	size_t len = malloc_usable_size((void *)p), n = strlen(TOKEN);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp((const char *)p + i, TOKEN, n) == 0)
			return true;
	return false;
}

static void scan_and_free(void *p)
{
	if (p == NULL)
		return;
	freed_scanned++;
	if (holds_token(p))
		freed_hits++;
	__real_free(p);
}

/* vpnc's own frees (and this test's). */
void __wrap_free(void *p)
{
	scan_and_free(p);
}

static void *ossl_malloc(size_t n, const char *file, int line)
{
	void *p = malloc(n);

	(void)file;
	(void)line;
	if (p != NULL)
		live_add(p);
	return p;
}

/* As malloc, copy, free: the old block is scanned like any freed one. */
static void *ossl_realloc(void *old, size_t n, const char *file, int line)
{
	void *p;

	if (old == NULL)
		return ossl_malloc(n, file, line);
	if (n == 0) {
		live_del(old);
		scan_and_free(old);
		return NULL;
	}
	p = ossl_malloc(n, file, line);
	if (p == NULL)
		return NULL;
	size_t keep = malloc_usable_size(old);
	memcpy(p, old, keep < n ? keep : n);
	live_del(old);
	scan_and_free(old);
	return p;
}

static void ossl_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	if (p == NULL)
		return;
	live_del(p);
	scan_and_free(p);
}

/* The live OpenSSL blocks that hold the token now. */
static unsigned live_hits(void)
{
	unsigned hits = 0;

	for (size_t i = 0; i < LIVE_MAX; i++)
		if (live[i] != NULL && live[i] != TOMB && holds_token(live[i]))
			hits++;
	return hits;
}

static void test_token_heap(void)
{
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .client_ciphers = "AES-256-GCM", .server_ciphers = "AES-256-GCM",
	                      .push = "ping 10,ping-restart 60,topology subnet,ifconfig 10.8.0.2 255.255.255.0,"
	                              "auth-token " TOKEN};
	struct pair p;

	if (pair_new(&p, &o) != 0 || !pair_handshake(&p)) {
		CHECK(0, "token pair (%s)", p.c_reason);
		pair_free(&p);
		return;
	}
	for (int i = 0; i < 50; i++) /* 500 ms: the ACKs of the last packets go both ways */
		pair_step(&p, 10);
	CHECK(strcmp(vpnc_engine_auth_token(p.c), TOKEN) == 0, "the engine keeps the pushed token for later");
	CHECK(!live_overflow, "every OpenSSL block tracked");
	unsigned n = live_hits();
	CHECK(n == 0, "no live OpenSSL block holds the token after the ACK (%u do)", n);
	CHECK(freed_hits == 0, "no block held the token when it was freed during the session (%u of %u did)",
	      freed_hits, freed_scanned);
	pair_free(&p);
	CHECK(freed_hits == 0, "nor at teardown (%u of %u did)", freed_hits, freed_scanned);
	CHECK(freed_scanned > 100, "the frees were seen (%u)", freed_scanned);
}

int main(void)
{
	if (!CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free)) {
		printf("test_token_heap: OpenSSL allocated before main; 0 passed, 1 failed\n");
		return 1;
	}
	testpki_make(&pair_pki, 0);
	wire_rand(NULL, pair_wrap_key, sizeof(pair_wrap_key));
	test_token_heap();
	testpki_free(&pair_pki);
	printf("test_token_heap: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
