/*
 * dc_decomp.c: LZO and LZ4 decompression for the data channel. Only the
 * libraries' bounds-checked decoders are used (lzo1x_decompress_safe,
 * LZ4_decompress_safe): they never read past the input nor write past the
 * bound, whatever the peer sends. Neither allocates.
 */
#include <errno.h>
#include <limits.h>

#include <lz4.h>
#include <lzo/lzo1x.h>

#include "core/dc_decomp.h"

int vpnc_decomp_init(void)
{
	static int done; /* 0 not yet, 1 ok, -1 the library is unusable */

	if (done == 0)
		done = lzo_init() == LZO_E_OK ? 1 : -1;
	return done > 0 ? 0 : -EIO;
}

static int decomp_lzo(const uint8_t *in, size_t len, uint8_t *out, size_t bound)
{
	lzo_uint olen = bound;

	if (vpnc_decomp_init() != 0)
		return -ENOTSUP;
	/* wrkmem is unused by the LZO1X decoders. */
	int r = lzo1x_decompress_safe(in, len, out, &olen, NULL);
	if (r == LZO_E_OUTPUT_OVERRUN)
		return -EMSGSIZE;
	/* Trailing input (LZO_E_INPUT_NOT_CONSUMED) is an error too, as in OpenVPN. */
	if (r != LZO_E_OK || olen == 0 || olen > bound)
		return -EILSEQ;
	return (int)olen;
}

static int decomp_lz4(const uint8_t *in, size_t len, uint8_t *out, size_t bound)
{
	if (len > INT_MAX)
		return -EILSEQ;
	int cap = bound > INT_MAX ? INT_MAX : (int)bound;
	int r = LZ4_decompress_safe((const char *)in, (char *)out, (int)len, cap);
	/* LZ4 reports "corrupt" and "does not fit" alike; an empty result is refused, as by OpenVPN. */
	if (r <= 0)
		return -EILSEQ;
	return r;
}

int vpnc_decomp(enum vpnc_decomp_alg alg, const uint8_t *in, size_t len, uint8_t *out, size_t bound)
{
	if (len == 0 || bound == 0)
		return len == 0 ? -EILSEQ : -EMSGSIZE;
	if (bound > INT_MAX)
		bound = INT_MAX;
	switch (alg) {
	case VPNC_DECOMP_LZO:
		return decomp_lzo(in, len, out, bound);
	case VPNC_DECOMP_LZ4:
		return decomp_lz4(in, len, out, bound);
	default:
		return -ENOTSUP;
	}
}
