/*
 * fuzz_b64.c: libFuzzer target for the strict base64 decoder (b64.h), which
 * reads peer text (CRV1 user names, auth-token-user) and profile text (inline
 * PKCS#12, tls-crypt-v2 client keys).
 *
 * Invariants (trap on failure): the decoder never writes past cap, fills
 * *outlen only on success, and what it accepts without VPNC_B64_ANY_BITS
 * re-encodes to the same text (white space aside); a decoded name is
 * NUL-terminated within its buffer and holds no control byte.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/b64.h"

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[96 + 8];
	char text[2 * sizeof(out)], name[48];
	size_t cap = size > 0 ? data[0] % 97 : 0, n = 12345;
	const char *in = size > 0 ? (const char *)data + 1 : "";
	size_t len = size > 0 ? size - 1 : 0;

	memset(out, 0xa5, sizeof(out));
	for (unsigned flags = 0; flags < 4; flags++) {
		int r = vpnc_b64_decode(in, len, out, cap, &n, flags);

		check(r == 0 || r == -EBADMSG || r == -ENOSPC);
		for (size_t i = cap; i < sizeof(out); i++)
			check(out[i] == 0xa5);
		if (r != 0)
			continue;
		check(n <= cap && n <= len / 4 * 3);
		if (flags == 0) {
			check(vpnc_b64_encode(out, n, text, sizeof(text)) == (int)len);
			check(memcmp(text, in, len) == 0);
		}
	}
	if (vpnc_b64_decode_name(in, len, name, sizeof(name)) == 0) {
		size_t l = strnlen(name, sizeof(name));
		check(l < sizeof(name));
		for (size_t i = 0; i < l; i++)
			check((unsigned char)name[i] >= 0x20 && name[i] != 0x7f);
	}
	return 0;
}
