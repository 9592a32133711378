/*
 * csum.c: a fast one's complement sum over bytes (RFC 1071).
 *
 * The bytes are added as native 32-bit words into a 64-bit accumulator, 32
 * bytes per turn of an unrolled loop, then folded. One's complement addition
 * does not care about byte order as long as every word is read the same way,
 * so the folded native sum only needs one byte swap on little-endian hosts to
 * become the big-endian sum the protocols define (RFC 1071 section 2 (B)).
 */
#include "core/csum.h"

#include <string.h>

static inline uint32_t load32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint16_t load16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* Folds a 64-bit native accumulator to 16 bits. */
static inline uint32_t fold64(uint64_t acc)
{
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	uint32_t s = (uint32_t)acc;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s;
}

uint32_t vpnc_csum_partial(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	uint64_t acc = 0;

	while (len >= 32) {
		acc += (uint64_t)load32(p) + load32(p + 4) + load32(p + 8) + load32(p + 12);
		acc += (uint64_t)load32(p + 16) + load32(p + 20) + load32(p + 24) + load32(p + 28);
		p += 32;
		len -= 32;
	}
	while (len >= 4) {
		acc += load32(p);
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		acc += load16(p);
		p += 2;
		len -= 2;
	}
	if (len) {
		/* The odd last byte is the high byte of a big-endian word padded with zero. */
		uint8_t pad[2] = {p[0], 0};
		acc += load16(pad);
	}
	uint32_t s = fold64(acc);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = (uint32_t)(uint16_t)((s >> 8) | (s << 8));
#endif
	return vpnc_csum_add(sum, s);
}

uint32_t vpnc_csum_pseudo4(const uint8_t *src, const uint8_t *dst, uint8_t proto, uint32_t l4_len)
{
	uint32_t s = vpnc_csum_partial(src, 4, 0);
	s = vpnc_csum_partial(dst, 4, s);
	return vpnc_csum_add(s, (uint32_t)proto + (l4_len & 0xffff) + (l4_len >> 16));
}

uint32_t vpnc_csum_pseudo6(const uint8_t *src, const uint8_t *dst, uint8_t proto, uint32_t l4_len)
{
	uint32_t s = vpnc_csum_partial(src, 16, 0);
	s = vpnc_csum_partial(dst, 16, s);
	return vpnc_csum_add(s, (uint32_t)proto + (l4_len & 0xffff) + (l4_len >> 16));
}
