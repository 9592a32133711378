/*
 * dhcp.h: `route-gateway dhcp` on a TAP: the router option of a DHCP reply
 * that comes from the server's side through the tunnel, read and taken out
 * on its way to the device, as OpenVPN 2.6's dhcp_extract_router_msg()
 * (dhcp.c) does. Only the few fields needed are read; nothing else of
 * DHCP is parsed.
 */
#ifndef VPNC_DHCP_H
#define VPNC_DHCP_H

#include <stddef.h>
#include <stdint.h>

enum vpnc_dhcp_snoop {
	VPNC_DHCP_NONE = 0,   /* not a DHCPOFFER or DHCPACK to a client: untouched */
	VPNC_DHCP_REPLY,      /* an OFFER, or an ACK without a usable router: router options taken out */
	VPNC_DHCP_ACK_ROUTER, /* an ACK: *router holds its first router (host order, not 0) */
};

/*
 * Looks at one Ethernet frame (len bytes) going to the TAP device. For an
 * IPv4 UDP datagram from port 67 to port 68 carrying a BOOTREPLY whose DHCP
 * message type is OFFER or ACK, every router option (3) is removed (the
 * options behind it move up, the end is padded) and the UDP checksum is
 * computed again, so the device's own DHCP client does not make the VPN
 * its default route: 2.6 does the same, the routes come from the profile.
 * Honours the IPv4 header length, the IPv4 and UDP length fields (never the
 * frame's padding) and skips fragments. Reads and writes no byte past len.
 */
enum vpnc_dhcp_snoop vpnc_dhcp_snoop(uint8_t *frame, size_t len, uint32_t *router);

#endif
