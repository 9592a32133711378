/*
 * eth.h: reading the Ethernet frames of a TAP device: where the IP packet
 * starts behind the 14-byte header and one 802.1Q tag, as OpenVPN 2.6's
 * is_ipv4()/is_ipv6() find it (proto.c). Nothing else is parsed.
 */
#ifndef VPNC_ETH_H
#define VPNC_ETH_H

#include <stddef.h>
#include <stdint.h>

#define VPNC_ETH_HLEN 14          /* destination, source, EtherType */
#define VPNC_ETH_VLAN_HLEN 18     /* with one 802.1Q tag */
#define VPNC_ETH_P_IPV4 0x0800
#define VPNC_ETH_P_IPV6 0x86DD
#define VPNC_ETH_P_8021Q 0x8100

/*
 * The offset of the IPv4 or IPv6 packet in the frame (len bytes), and its
 * EtherType in *type: 14, or 18 behind one 802.1Q tag. Returns -1 for any
 * other frame (ARP, a second tag, 802.1ad, too short), which is then
 * passed on untouched. Reads no byte past len.
 */
int vpnc_eth_ip_offset(const uint8_t *frame, size_t len, uint16_t *type);

#endif
