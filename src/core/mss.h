/*
 * mss.h: TCP MSS clamping for packets through the tunnel (OpenVPN's mssfix).
 */
#ifndef VPNC_MSS_H
#define VPNC_MSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Lowers the MSS option of a TCP SYN in the IPv4 or IPv6 packet pkt (len
 * bytes) to mss4 / mss6 when it is larger, fixing the TCP checksum. Returns
 * true if the packet was changed. Anything that is not a well-formed TCP SYN
 * is left alone; no byte past len is read.
 */
bool vpnc_mss_clamp(uint8_t *pkt, size_t len, uint16_t mss4, uint16_t mss6);

/*
 * The same for an Ethernet frame of a TAP device: the IP packet behind the
 * 14-byte header or one 802.1Q tag (core/eth.h); other frames are left alone.
 */
bool vpnc_mss_clamp_frame(uint8_t *frame, size_t len, uint16_t mss4, uint16_t mss6);

/*
 * Computes the MSS values for `mssfix N` (N = largest encapsulated packet,
 * outer IP and UDP headers included) given the tunnel's per-packet overhead.
 */
void vpnc_mss_for_mtu(int mssfix, bool ipv6_transport, size_t overhead, uint16_t *mss4, uint16_t *mss6);

#endif
