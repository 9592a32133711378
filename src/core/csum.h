/*
 * csum.h: the Internet one's complement checksum (RFC 1071) for the offload
 * code: IPv4 header checksums and TCP/UDP checksums with their pseudo-headers.
 *
 * A running sum is a uint32_t that always holds a folded 16-bit value read as
 * big-endian words, so sums of separate pieces can be added with
 * vpnc_csum_add() in any order. A piece must have an even length unless it is
 * the last one of the checksummed range. vpnc_csum_finish() turns a running
 * sum into the 16-bit value to store (host order; write it big-endian).
 * Nothing here allocates; every function is safe on the data path.
 */
#ifndef VPNC_CSUM_H
#define VPNC_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds len bytes at p to the running sum and returns the new (folded) sum. */
uint32_t vpnc_csum_partial(const void *p, size_t len, uint32_t sum);

/* Adds two running sums. */
static inline uint32_t vpnc_csum_add(uint32_t a, uint32_t b)
{
	uint32_t s = a + b;
	s = (s & 0xffff) + (s >> 16);
	return (s & 0xffff) + (s >> 16);
}

/* The value for a checksum field: the complement of the folded sum. */
static inline uint16_t vpnc_csum_finish(uint32_t sum)
{
	return (uint16_t)~vpnc_csum_add(sum, 0);
}

/*
 * RFC 1624 eqn. 3 for a checksum already in a packet: HC' = ~(~HC + ~m + m'),
 * where delta is the running sum of ~m + m' over every 16-bit word changed.
 * Returns the new field value (host order).
 */
static inline uint16_t vpnc_csum_update(uint16_t field, uint32_t delta)
{
	return (uint16_t)~vpnc_csum_add((uint16_t)~field, delta);
}

/* Sum of the IPv4 pseudo-header (addresses are 4 bytes each, network order). */
uint32_t vpnc_csum_pseudo4(const uint8_t *src, const uint8_t *dst, uint8_t proto, uint32_t l4_len);

/* Sum of the IPv6 pseudo-header (addresses are 16 bytes each, network order). */
uint32_t vpnc_csum_pseudo6(const uint8_t *src, const uint8_t *dst, uint8_t proto, uint32_t l4_len);

#endif
