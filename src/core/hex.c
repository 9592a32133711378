/*
 * hex.c: owns the hex encoder (hex.h).
 */
#include <errno.h>
#include <stdint.h>

#include "core/hex.h"

int vpnc_hex_encode(const void *in, size_t n, char *out, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = in;

	if (n > (size_t)0x7fffffff / 2 - 1 || 2 * n >= cap)
		return -ENOSPC;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
	return (int)(2 * n);
}
