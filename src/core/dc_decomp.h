/*
 * dc_decomp.h: decompression of what the peer compressed (LZO or LZ4), for
 * the data channel (docs/compression.md). vpnc never compresses; it only
 * undoes what an OpenVPN peer compressed, bounded by the caller's limit.
 */
#ifndef VPNC_DC_DECOMP_H
#define VPNC_DC_DECOMP_H

#include <stddef.h>
#include <stdint.h>

enum vpnc_decomp_alg {
	VPNC_DECOMP_NONE = 0, /* compressed packets are refused */
	VPNC_DECOMP_LZO = 1,  /* LZO1X, as comp-lzo and compress lzo */
	VPNC_DECOMP_LZ4 = 2,  /* LZ4 block format, as compress lz4 and lz4-v2 */
};

/*
 * Decompresses len bytes at in into out, writing at most bound bytes; in and
 * out must not overlap. Returns the decompressed length (>= 1), -EMSGSIZE if
 * the result would exceed bound (LZO tells this apart; LZ4 does not, see
 * -EILSEQ), -EILSEQ if the data is corrupt, empty or (LZ4) too big, or
 * -ENOTSUP for VPNC_DECOMP_NONE or an unknown alg. Allocates nothing.
 */
int vpnc_decomp(enum vpnc_decomp_alg alg, const uint8_t *in, size_t len, uint8_t *out, size_t bound);

/* Checks the LZO library once (lzo_init()); returns 0 or -EIO. Safe to call again. */
int vpnc_decomp_init(void);

#endif
