/*
 * fuzz_tlsauth.c: libFuzzer target for tls-auth unwrap (HMAC check, replay
 * window) and its round trip with wrap.
 *
 * Input: one selector byte, then the packet. The selector picks the digest
 * (SHA1, SHA256, SHA512) and the key direction pair; the key is fixed, so the
 * seeds in corpus/fuzz_tlsauth authenticate and reach the replay logic.
 * Invariants (trap on failure): an accepted packet unwraps to exactly
 * size - (HMAC + 8) bytes; the same bytes never authenticate twice; anything
 * wrapped by one side unwraps byte for byte on the other.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/tlsauth.h"

#define FUZZ_MAX 65536

static const char *const digests[] = {"SHA1", "SHA256", "SHA512"};
/* Bytes wrapping adds: the HMAC and the replay id and time (8). */
static const size_t overheads[] = {20 + 8, 32 + 8, 64 + 8};
/* Each pair is (receiver's direction, sender's direction) as a server and client would be set up. */
static const int dirs[][2] = {{0, 1}, {1, 0}, {-1, -1}};

static uint8_t key[256];
static uint8_t buf[FUZZ_MAX + 128], back[FUZZ_MAX + 128];

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vpnc_tlsauth *rx = NULL, *tx = NULL, *rx2 = NULL;

	if (size < 1 || size > FUZZ_MAX)
		return 0;
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 37 + 11);
	const char *dg = digests[data[0] % 3];
	const int *d = dirs[(data[0] / 3) % 3];
	data++;
	size--;
	check(vpnc_tlsauth_new(&rx, key, dg, d[0], true, 1) == 0);
	check(vpnc_tlsauth_new(&tx, key, dg, d[1], false, 1) == 0);
	check(vpnc_tlsauth_new(&rx2, key, dg, d[0], true, 1) == 0);
	size_t over = overheads[data[-1] % 3];

	int n = vpnc_tlsauth_unwrap(rx, data, size, buf, sizeof(buf));
	if (n >= 0)
		check((size_t)n + over == size);
	/* A second delivery is a replay, and a buffer that is too small is refused, never overrun. */
	if (n >= 0)
		check(vpnc_tlsauth_unwrap(rx, data, size, buf, sizeof(buf)) < 0);
	(void)vpnc_tlsauth_unwrap(rx, data, size, buf, size > over + 2 ? size - over - 2 : 0);

	n = vpnc_tlsauth_wrap(tx, data, size, buf, sizeof(buf));
	if (size < VPNC_TLSAUTH_OPSID) {
		check(n < 0);
	} else {
		check(n == (int)(size + over));
		int m = vpnc_tlsauth_unwrap(rx2, buf, (size_t)n, back, sizeof(back));
		check(m == (int)size && memcmp(back, data, size) == 0);
		/* One flipped bit anywhere makes it fail. */
		buf[(size_t)data[size - 1] % (size_t)n] ^= 0x10;
		check(vpnc_tlsauth_unwrap(rx2, buf, (size_t)n, back, sizeof(back)) < 0);
	}
	vpnc_tlsauth_free(rx);
	vpnc_tlsauth_free(tx);
	vpnc_tlsauth_free(rx2);
	return 0;
}
