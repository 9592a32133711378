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
 * The MSS values for `mssfix N`, as OpenVPN 2.6's frame_calculate_mssfix()
 * (src/openvpn/mss.c): N less the outer IP and UDP headers when `encap` (`mssfix
 * N mtu` and the default), less proto (opcode or peer-id, and the cipher's
 * AEAD packet id and tag, or CBC IV and HMAC); with a CBC block size, rounded
 * down to whole blocks less one padding byte; less payload (compression
 * framing byte, fragment header, CBC packet id) and 40 for the IPv4 and TCP
 * headers (60 for IPv6). `fixed` (`mssfix N fixed`): N - 40 and N - 60.
 * Nothing left means no clamping (65535).
 */
struct vpnc_mss_frame {
	int mssfix;
	bool encap, fixed;
	bool link_ipv6;
	size_t proto;     /* per-packet bytes outside the plaintext */
	size_t block;     /* CBC block size, 0 for AEAD */
	size_t payload;   /* bytes the plaintext carries besides the packet */
};
void vpnc_mss_for_frame(const struct vpnc_mss_frame *f, uint16_t *mss4, uint16_t *mss6);

#endif
