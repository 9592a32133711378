/*
 * fuzz_decomp.c: libFuzzer target for decompression in the data channel: the
 * LZO and LZ4 decoders alone and behind each framing (comp-lzo/compress lzo,
 * compress lz4 with the swapped byte, compress lz4-v2), AEAD and CBC+HMAC.
 *
 * Every input is (1) decompressed directly with LZO and LZ4 under a bound
 * taken from its first byte, and compared with the libraries' own decoders
 * into a large buffer; (2) encrypted as a framed plaintext by a key without
 * framing and decrypted by keys that decompress, with a small and a normal
 * limit, where the result must stay within the bound and, for a compressed
 * marker, equal the direct decompression; (3) compressed with the real
 * libraries, framed, encrypted and decrypted: it must come back unchanged.
 * The seeds in corpus/fuzz_decomp are compressed streams and framed packets.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lz4.h>
#include <lzo/lzo1x.h>

#include "core/datachan.h"
#include "../dc_pair.h"

#define LIMIT 1600

static struct vpnc_dc_key raw[2], srv[2];
static uint8_t pkt[8192], out[8192], ref[70000], z[8192], f[8192], scratch[LIMIT];
static uint8_t wrk[LZO1X_1_MEM_COMPRESS];

static const enum vpnc_comp comps[] = {VPNC_COMP_LZO, VPNC_COMP_LZ4, VPNC_COMP_LZ4_V2};

/* Reference decompression into a buffer far larger than any bound; -1 on error. */
static long reference(enum vpnc_decomp_alg alg, const uint8_t *in, size_t len)
{
	if (alg == VPNC_DECOMP_LZO) {
		lzo_uint ol = sizeof(ref);
		if (lzo1x_decompress_safe(in, len, ref, &ol, NULL) != LZO_E_OK)
			return -1;
		return (long)ol;
	}
	int r = LZ4_decompress_safe((const char *)in, (char *)ref, (int)len, (int)sizeof(ref));
	return r < 0 ? -1 : r;
}

/* (1) The decoders alone: never past the bound, and the same bytes as the reference. */
static void direct(const uint8_t *data, size_t size, size_t bound)
{
	for (int a = VPNC_DECOMP_LZO; a <= VPNC_DECOMP_LZ4; a++) {
		int n = vpnc_decomp((enum vpnc_decomp_alg)a, data, size, out, bound);
		if (n > (int)bound || n == 0)
			abort();
		if (n > 0) {
			long r = reference((enum vpnc_decomp_alg)a, data, size);
			if (r != n || memcmp(ref, out, (size_t)n) != 0)
				abort();
		}
	}
}

/* The compressed stream inside a framed plaintext, or NULL when it is not marked compressed. */
static const uint8_t *stream(enum vpnc_comp c, const uint8_t *fr, size_t len, size_t *zl)
{
	if (c == VPNC_COMP_LZO && len >= 1 && fr[0] == 0x66) {
		*zl = len - 1;
		return fr + 1;
	}
	if (c == VPNC_COMP_LZ4 && len >= 1 && fr[0] == 0x69) {
		/* Undo the swap: the stream's first byte travels last. */
		if (len >= 2) {
			z[0] = fr[len - 1];
			memcpy(z + 1, fr + 1, len - 2);
		}
		*zl = len - 1;
		return z;
	}
	if (c == VPNC_COMP_LZ4_V2 && len >= 2 && fr[0] == 0x50 && fr[1] == 0x01) {
		*zl = len - 2;
		return fr + 2;
	}
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		if (dc_pair("AES-256-GCM", &raw[0], &srv[0]) != 0 ||
		    dc_pair("AES-256-CBC", &raw[1], &srv[1]) != 0)
			abort();
		ready = 1;
	}
	if (size == 0 || size > 4000)
		return 0;
	size_t bound = 1 + (size_t)data[0] * 8;
	direct(data, size, bound);
	direct(data + 1, size - 1, LIMIT);

	for (int k = 0; k < 2; k++) {
		for (size_t c = 0; c < sizeof(comps) / sizeof(comps[0]); c++) {
			vpnc_dc_set_comp(&srv[k], comps[c]);
			enum vpnc_decomp_alg alg = comps[c] == VPNC_COMP_LZO ? VPNC_DECOMP_LZO : VPNC_DECOMP_LZ4;
			/* (2) The input as a framed plaintext, with a small and a normal limit. */
			for (int l = 0; l < 2; l++) {
				size_t limit = l == 0 ? bound : LIMIT;
				vpnc_dc_set_decomp(&srv[k], scratch, sizeof(scratch), limit);
				vpnc_replay_init(&srv[k].replay);
				int n = vpnc_dc_encrypt(&raw[k], data, size, pkt, sizeof(pkt));
				if (n <= 0)
					abort();
				int m = vpnc_dc_decrypt(&srv[k], pkt, (size_t)n, out, sizeof(out));
				size_t zl = 0;
				const uint8_t *zs = stream(comps[c], data, size, &zl);
				if (zs != NULL && m > 0) {
					if (m > (int)limit)
						abort();
					long r = reference(alg, zs, zl);
					if (r != m || memcmp(ref, out, (size_t)m) != 0)
						abort();
				} else if (m > (int)size) {
					abort(); /* unframing never grows a packet */
				}
			}
			/* (3) Round trip through the real compressors. */
			vpnc_dc_set_decomp(&srv[k], scratch, sizeof(scratch), LIMIT);
			const uint8_t *p = data + 1;
			size_t len = size - 1;
			if (len == 0 || len > LIMIT)
				continue;
			size_t zl;
			if (alg == VPNC_DECOMP_LZO) {
				lzo_uint ol = sizeof(z);
				if (lzo1x_1_compress(p, len, z, &ol, wrk) != LZO_E_OK)
					abort();
				zl = ol;
			} else {
				int r = LZ4_compress_default((const char *)p, (char *)z, (int)len, (int)sizeof(z));
				if (r <= 0)
					abort();
				zl = (size_t)r;
			}
			if (zl + 1 > sizeof(scratch))
				continue; /* incompressible: a peer would have sent it uncompressed */
			size_t fl;
			if (comps[c] == VPNC_COMP_LZO) {
				f[0] = 0x66;
				memcpy(f + 1, z, zl);
				fl = zl + 1;
			} else if (comps[c] == VPNC_COMP_LZ4) {
				f[0] = 0x69;
				memcpy(f + 1, z + 1, zl - 1);
				f[zl] = z[0];
				fl = zl + 1;
			} else {
				f[0] = 0x50;
				f[1] = 0x01;
				memcpy(f + 2, z, zl);
				fl = zl + 2;
			}
			vpnc_replay_init(&srv[k].replay);
			int n = vpnc_dc_encrypt(&raw[k], f, fl, pkt, sizeof(pkt));
			int m = n > 0 ? vpnc_dc_decrypt(&srv[k], pkt, (size_t)n, out, sizeof(out)) : -1;
			if (m != (int)len || memcmp(out, p, len) != 0)
				abort();
		}
	}
	return 0;
}
