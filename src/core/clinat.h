/*
 * clinat.h: 'client-nat' (OpenVPN 2.6's clinat.c): stateless one-to-one NAT
 * of the IPv4 addresses (not ports) in packets to and from the tunnel.
 *
 * A rule maps the local view of a network (network/netmask) to the server's
 * view (foreign). Going into the tunnel, snat rewrites a source address in
 * network to foreign's, dnat a destination address; coming out, the other
 * way round (snat: destination, dnat: source, from foreign back to network).
 * As in 2.6: the first rule whose (address & netmask) equals the rule's
 * network (foreign on the way back) rewrites each address, to
 * (address & ~netmask) | target; later rules leave that address alone.
 * Checksums are adjusted incrementally (RFC 1624): the IPv4 header's, and a
 * TCP or UDP checksum behind it (a UDP checksum of 0, "none", stays 0).
 * Unlike 2.6, the IP header length is honoured and fragments after the
 * first carry no TCP/UDP header to adjust. IPv6 and other frames pass
 * untouched. Nothing allocates; no byte past len is read.
 */
#ifndef VPNC_CLINAT_H
#define VPNC_CLINAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vpnc/config.h"

enum vpnc_clinat_dir {
	VPNC_CLINAT_OUT = 0, /* from the TUN into the tunnel (2.6's CN_OUTGOING) */
	VPNC_CLINAT_IN = 1,  /* from the tunnel to the TUN (CN_INCOMING) */
};

/* Rewrites the IPv4 packet pkt (len bytes); returns true if an address changed. */
bool vpnc_clinat(const struct vpnc_client_nat *rules, size_t n, uint8_t *pkt, size_t len,
                 enum vpnc_clinat_dir dir);

/* The same for the IPv4 packet in a TAP device's Ethernet frame (core/eth.h). */
bool vpnc_clinat_frame(const struct vpnc_client_nat *rules, size_t n, uint8_t *frame, size_t len,
                       enum vpnc_clinat_dir dir);

#endif
