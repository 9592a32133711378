/*
 * clinat.c: 'client-nat', the address rewrite of clinat.h.
 */
#include <string.h>

#include "vpnc/buf.h"

#include "core/clinat.h"
#include "core/csum.h"
#include "core/eth.h"

#define IP_PROTO_TCP 6
#define IP_PROTO_UDP 17

/* One's complement sum of the two 16-bit halves of a 32-bit value in network order. */
static uint32_t sum32(uint32_t net)
{
	const uint8_t *b = (const uint8_t *)&net;

	return (uint32_t)vpnc_get_u16(b) + vpnc_get_u16(b + 2);
}

/* The checksum at field after changes whose RFC 1624 sum is delta (csum.h). */
static void adjust(uint8_t *field, uint32_t delta)
{
	vpnc_put_u16(field, vpnc_csum_update(vpnc_get_u16(field), delta));
}

bool vpnc_clinat(const struct vpnc_client_nat *rules, size_t n, uint8_t *pkt, size_t len,
                 enum vpnc_clinat_dir dir)
{
	uint32_t delta = 0;
	unsigned done = 0; /* 1: source rewritten, 2: destination */
	size_t ihl;

	if (len < 20 || (pkt[0] >> 4) != 4)
		return false;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len)
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct vpnc_client_nat *r = &rules[i];
		/* 2.6: type ^ direction picks the destination (snat in, dnat out), else the source. */
		unsigned which = ((unsigned)r->dnat ^ (unsigned)dir) != 0 ? 2u : 1u;
		uint8_t *at = pkt + (which == 2 ? 16 : 12);
		uint32_t from = dir == VPNC_CLINAT_OUT ? r->network : r->foreign;
		uint32_t to = dir == VPNC_CLINAT_OUT ? r->foreign : r->network;
		uint32_t addr, naddr;

		if (done & which)
			continue;
		memcpy(&addr, at, 4);
		if ((addr & r->netmask) != from)
			continue;
		naddr = (addr & ~r->netmask) | to;
		memcpy(at, &naddr, 4);
		/* ~old + new, word by word. */
		delta += (0xffffu - vpnc_get_u16((const uint8_t *)&addr)) + (0xffffu - vpnc_get_u16((const uint8_t *)&addr + 2)) +
		         sum32(naddr);
		done |= which;
	}
	if (done == 0)
		return false;
	adjust(pkt + 10, delta);
	/* The pseudo-header holds the addresses: TCP and UDP checksums change too, in the first fragment. */
	if ((vpnc_get_u16(pkt + 6) & 0x1fff) == 0) {
		uint8_t *l4 = pkt + ihl;
		size_t l4len = len - ihl;

		if (pkt[9] == IP_PROTO_TCP && l4len >= 20) {
			adjust(l4 + 16, delta);
		} else if (pkt[9] == IP_PROTO_UDP && l4len >= 8 && vpnc_get_u16(l4 + 6) != 0) {
			adjust(l4 + 6, delta);
			if (vpnc_get_u16(l4 + 6) == 0) /* 0 means "no checksum" in UDP: its equal is 0xffff */
				vpnc_put_u16(l4 + 6, 0xffff);
		}
	}
	return true;
}

bool vpnc_clinat_frame(const struct vpnc_client_nat *rules, size_t n, uint8_t *frame, size_t len,
                       enum vpnc_clinat_dir dir)
{
	uint16_t type;
	int off = vpnc_eth_ip_offset(frame, len, &type);

	if (off < 0 || type != VPNC_ETH_P_IPV4)
		return false;
	return vpnc_clinat(rules, n, frame + off, len - (size_t)off, dir);
}
