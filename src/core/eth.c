/*
 * eth.c: where the IP packet sits in a TAP device's Ethernet frame (eth.h).
 */
#include "core/eth.h"
#include "vpnc/buf.h"

int vpnc_eth_ip_offset(const uint8_t *frame, size_t len, uint16_t *type)
{
	size_t off = VPNC_ETH_HLEN;
	uint16_t t;

	if (len < VPNC_ETH_HLEN)
		return -1;
	t = vpnc_get_u16(frame + 12);
	/* 2.6 looks through exactly one 802.1Q tag (its openvpn_8021qhdr), never a second one. */
	if (t == VPNC_ETH_P_8021Q) {
		if (len < VPNC_ETH_VLAN_HLEN)
			return -1;
		t = vpnc_get_u16(frame + 16);
		off = VPNC_ETH_VLAN_HLEN;
	}
	if (t != VPNC_ETH_P_IPV4 && t != VPNC_ETH_P_IPV6)
		return -1;
	/* The IP version must match the EtherType, as 2.6 checks. */
	if (len <= off || (frame[off] >> 4) != (t == VPNC_ETH_P_IPV4 ? 4 : 6))
		return -1;
	*type = t;
	return (int)off;
}
