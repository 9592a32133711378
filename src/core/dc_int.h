/*
 * dc_int.h: what datachan.c (AEAD) and dc_cbc.c (CBC+HMAC) share: the packet
 * header and the compression framing OpenVPN 2.6 puts in front of the payload
 * even when nothing is compressed (src/openvpn/comp.h: NO_COMPRESS_BYTE 0xFA,
 * NO_COMPRESS_BYTE_SWAP 0xFB; COMP_ALGV2_INDICATOR_BYTE 0x50 for stub-v2).
 *
 * Framing on send: the cipher input is pre[0..npre) || body || post[0..npost),
 * fed to the cipher piece by piece, so the plaintext is never copied:
 *
 *   comp         framed plaintext                 compressed markers (receive)
 *   NONE         payload                          -
 *   LZO_STUB     FA || payload                    66 (LZO)
 *   STUB         FB || payload[1..] || payload[0] 69 (LZ4), 66 (LZO)
 *   STUB_V2      payload, or 50 00 || payload     50 01, 50 02, 50 03
 *                when payload[0] == 0x50
 *
 * On receive, "lead" framing bytes precede the payload; the payload byte j
 * lands at out[j - lead + swap] as it is decrypted, and for the swap format
 * the last byte is then moved to out[0]. Framing is checked only after the
 * packet authenticated; so is decompression (VPNC_COMP_LZO, _LZ4, _LZ4_V2 use
 * the framing of the stub above them, plus the compressed markers). Internal to the data channel; not a public API.
 */
#ifndef VPNC_DC_INT_H
#define VPNC_DC_INT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vpnc/buf.h"
#include "vpnc/config.h"
#include "core/datachan.h"

#define DC_OP_SHIFT 3
#define DC_KID_MASK 0x07

#define DC_COMP_NO_COMPRESS 0xFA   /* LZO stub: uncompressed */
#define DC_COMP_NO_COMPRESS_SWAP 0xFB
#define DC_COMP_LZO 0x66
#define DC_COMP_LZ4 0x69
#define DC_COMP_V2_INDICATOR 0x50
#define DC_COMP_V2_UNCOMPRESSED 0x00
#define DC_COMP_V2_LZ4 0x01
#define DC_COMP_V2_SNAPPY 0x03     /* highest v2 algorithm byte 2.x ever used */
#define DC_COMP_MAX_LEAD 2

struct dc_frame {
	uint8_t pre[DC_COMP_MAX_LEAD];
	uint8_t npre;
	uint8_t post;
	uint8_t npost;
	const uint8_t *body;
	size_t body_len;
};

/* Writes the P_DATA_V1 (1 byte) or P_DATA_V2 (4 bytes) header; returns its length. */
static inline size_t dc_put_header(const struct vpnc_dc_key *k, uint8_t *out)
{
	if (k->static_fmt)
		return 0; /* static-key packets carry no opcode */
	if (k->peer_id >= 0) {
		vpnc_put_u32(out, ((uint32_t)((VPNC_DC_OP_DATA_V2 << DC_OP_SHIFT) | k->key_id) << 24) |
		                      (uint32_t)k->peer_id);
		return VPNC_DC_HDR_V2;
	}
	out[0] = (uint8_t)((VPNC_DC_OP_DATA_V1 << DC_OP_SHIFT) | k->key_id);
	return VPNC_DC_HDR_V1;
}

/* Returns the header length of a received packet for this key, or a negative code. */
static inline int dc_header_len(const struct vpnc_dc_key *k, const uint8_t *pkt)
{
	int hdr;
	if (k->static_fmt)
		return 0;
	switch (pkt[0] >> DC_OP_SHIFT) {
	case VPNC_DC_OP_DATA_V2:
		hdr = VPNC_DC_HDR_V2;
		break;
	case VPNC_DC_OP_DATA_V1:
		hdr = VPNC_DC_HDR_V1;
		break;
	default:
		return -EINVAL;
	}
	if ((pkt[0] & DC_KID_MASK) != k->key_id)
		return -ENOKEY;
	return hdr;
}

/* Splits a plaintext (len >= 1) into the pieces the cipher consumes. */
static inline void dc_frame_out(uint8_t comp, const uint8_t *in, size_t len, struct dc_frame *f)
{
	f->npre = 0;
	f->npost = 0;
	f->body = in;
	f->body_len = len;
	switch (comp) {
	case VPNC_COMP_LZO_STUB:
		f->pre[0] = DC_COMP_NO_COMPRESS;
		f->npre = 1;
		break;
	case VPNC_COMP_STUB:
		f->pre[0] = DC_COMP_NO_COMPRESS_SWAP;
		f->npre = 1;
		f->post = in[0];
		f->npost = 1;
		f->body = in + 1;
		f->body_len = len - 1;
		break;
	case VPNC_COMP_STUB_V2:
		if (in[0] == DC_COMP_V2_INDICATOR) {
			f->pre[0] = DC_COMP_V2_INDICATOR;
			f->pre[1] = DC_COMP_V2_UNCOMPRESSED;
			f->npre = 2;
		}
		break;
	default:
		break;
	}
}

/* One run of plaintext bytes fed to the cipher. */
struct dc_piece {
	const uint8_t *p;
	size_t n;
};

/* A fragment header plus the three framing pieces: the most a sealed plaintext is made of. */
#define DC_MAX_PIECES 4

/*
 * The pieces of hdr[0..hlen) || F[off, off + n), F being the framed plaintext
 * f describes (the whole of it: hlen 0, off 0, n = its length). The caller
 * checked off + n against F's length. f must outlive the pieces (pre and post
 * live in it). Returns how many pieces it wrote.
 */
static inline size_t dc_frame_pieces(const struct dc_frame *f, const uint8_t *hdr, size_t hlen,
                                     size_t off, size_t n, struct dc_piece *pc)
{
	const struct dc_piece all[3] = {{f->pre, f->npre}, {f->body, f->body_len}, {&f->post, f->npost}};
	size_t c = 0;

	if (hlen > 0)
		pc[c++] = (struct dc_piece){hdr, hlen};
	for (size_t i = 0; i < 3 && n > 0; i++) {
		if (off >= all[i].n) {
			off -= all[i].n;
			continue;
		}
		size_t take = all[i].n - off < n ? all[i].n - off : n;
		pc[c++] = (struct dc_piece){all[i].p + off, take};
		n -= take;
		off = 0;
	}
	return c;
}

/* Framing bytes in front of the payload, from the first framed byte. */
static inline size_t dc_frame_lead(uint8_t comp, uint8_t b0)
{
	switch (comp) {
	case VPNC_COMP_LZO_STUB:
	case VPNC_COMP_STUB:
		return 1;
	case VPNC_COMP_STUB_V2:
		return b0 == DC_COMP_V2_INDICATOR ? 2 : 0;
	default:
		return 0;
	}
}

/* How far back the decrypted framed bytes are written: lead - swap. */
static inline size_t dc_frame_shift(uint8_t comp, uint8_t b0)
{
	return dc_frame_lead(comp, b0) - (comp == VPNC_COMP_STUB ? 1 : 0);
}

/*
 * Checks the framing of an authenticated framed plaintext of flen bytes whose
 * first bytes are b0, b1 (b1 is only read when flen >= 2). Returns the payload
 * length, -ENOTSUP for a compressed packet this key does not decompress,
 * -EPROTO for a bad framing byte. For a compressed packet it does decompress,
 * sets *z and returns the length of the compressed bytes (they are where the
 * payload would be, the swap format's first byte still last).
 */
static inline int dc_frame_check(const struct vpnc_dc_key *k, uint8_t b0, uint8_t b1, size_t flen,
                                 bool *z)
{
	bool lzo = k->decomp == VPNC_DECOMP_LZO && k->zbuf != NULL;
	bool lz4 = k->decomp == VPNC_DECOMP_LZ4 && k->zbuf != NULL;

	*z = false;
	if (flen == 0)
		return 0;
	switch (k->comp) {
	case VPNC_COMP_LZO_STUB:
		if (b0 == DC_COMP_NO_COMPRESS)
			return (int)flen - 1;
		if (b0 != DC_COMP_LZO)
			return -EPROTO;
		*z = lzo;
		return lzo ? (int)flen - 1 : -ENOTSUP;
	case VPNC_COMP_STUB:
		if (b0 == DC_COMP_NO_COMPRESS_SWAP)
			return (int)flen - 1;
		if (b0 == DC_COMP_LZ4 && lz4) {
			*z = true;
			return (int)flen - 1;
		}
		return b0 == DC_COMP_LZ4 || b0 == DC_COMP_LZO ? -ENOTSUP : -EPROTO;
	case VPNC_COMP_STUB_V2:
		if (b0 != DC_COMP_V2_INDICATOR)
			return (int)flen;
		if (flen == 1)
			return 0; /* as 2.6: an indicator alone leaves an empty packet */
		if (b1 == DC_COMP_V2_UNCOMPRESSED)
			return (int)flen - 2;
		if (b1 == DC_COMP_V2_LZ4 && lz4) {
			*z = true;
			return (int)flen - 2;
		}
		return b1 >= DC_COMP_V2_LZ4 && b1 <= DC_COMP_V2_SNAPPY ? -ENOTSUP : -EPROTO;
	default:
		return (int)flen;
	}
}

/*
 * Copies the m compressed bytes at out to the key's scratch and decompresses
 * them back into out, at most min(cap, k->zlimit) bytes (datachan.c).
 * Returns the payload length, -EMSGSIZE or -EILSEQ.
 */
int vpnc_dc_decompress(struct vpnc_dc_key *k, uint8_t *out, size_t m, size_t cap);

/* After dc_frame_check() returned m: puts the swap format's first byte back, decompresses if z. */
static inline int dc_frame_finish(struct vpnc_dc_key *k, int m, bool z, uint8_t *out, size_t cap)
{
	if (m > 0 && k->comp == VPNC_COMP_STUB)
		out[0] = out[m]; /* the swap format carries the first byte last */
	if (!z || m < 0)
		return m;
	return vpnc_dc_decompress(k, out, (size_t)m, cap);
}

/* True if [a, a+al) and [b, b+bl) share a byte. */
static inline int dc_overlap(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	return (uintptr_t)a < (uintptr_t)b + bl && (uintptr_t)b < (uintptr_t)a + al;
}

/*
 * The CBC half of sealing (dc_cbc.c), called after the common checks: one
 * packet whose plaintext is the plen bytes of the pieces. in/len is the
 * caller's input, which must not overlap what is written.
 */
int vpnc_dc_cbc_seal(struct vpnc_dc_key *k, const struct dc_piece *pc, size_t npc, size_t plen,
                     const uint8_t *in, size_t len, uint8_t *out, size_t cap);
/* hdr: the header length dc_header_len() found for pkt. */
int vpnc_dc_cbc_decrypt(struct vpnc_dc_key *k, const uint8_t *pkt, size_t len, size_t hdr, uint8_t *out,
                        size_t cap);

#endif
