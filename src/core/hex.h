/*
 * hex.h: bytes as lowercase hex digits, the one encoder for what vpnc writes
 * in hex: HTTP Digest's hashes and client nonce (RFC 7616), the random label
 * of 'remote-random-hostname', and the escapes of log lines and kill-switch
 * chain names. Pure: writes only into the caller's buffer.
 */
#ifndef VPNC_CORE_HEX_H
#define VPNC_CORE_HEX_H

#include <stddef.h>

/*
 * Writes in[0..n) as 2n lowercase hex digits and a NUL into out (cap bytes).
 * Returns 2n, or -ENOSPC when that does not fit (out is left untouched).
 */
int vpnc_hex_encode(const void *in, size_t n, char *out, size_t cap);

#endif
