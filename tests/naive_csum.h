/*
 * naive_csum.h: an independent, naive RFC 1071 internet checksum and
 * big-endian field accessors, for the tests that check the packets the core
 * builds or rewrites (test_mss, test_vnet, test_tun_offload) without using the
 * core's own checksum code. Header-only, like wire.h.
 */
#ifndef VPNC_TEST_NAIVE_CSUM_H
#define VPNC_TEST_NAIVE_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds len bytes as big-endian 16-bit words to s; an odd last byte is padded with zero. */
static inline uint32_t sum16(const uint8_t *p, size_t len, uint32_t s)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

/* Folds the carries of a sum into 16 bits (not complemented: a valid packet folds to 0xffff). */
static inline uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static inline uint16_t g16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t g32(const uint8_t *p) { return (uint32_t)g16(p) << 16 | g16(p + 2); }
static inline void p16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void p32(uint8_t *p, uint32_t v) { p16(p, (uint16_t)(v >> 16)); p16(p + 2, (uint16_t)v); }

#endif
