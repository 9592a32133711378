/*
 * tcpframe.h: OpenVPN's TCP framing: every packet is preceded by its length
 * as a 16-bit big-endian number.
 *
 * The decoder takes the byte stream in whatever pieces the socket returns
 * (several packets per read, a packet split across reads) and hands out whole
 * packets. Packets that arrive whole in one read are handed out in place,
 * without a copy; only a packet split across reads is gathered in the
 * decoder's own buffer.
 */
#ifndef VPNC_TCPFRAME_H
#define VPNC_TCPFRAME_H

#include <stddef.h>
#include <stdint.h>

#include "vpnc/engine.h"

#define VPNC_TCPFRAME_LEN 2

struct vpnc_tcpframe {
	uint8_t hdr[VPNC_TCPFRAME_LEN];
	size_t hdr_have;          /* bytes of the length field gathered */
	size_t need;              /* length of the packet being gathered, 0 = reading a length */
	size_t have;              /* bytes of it gathered */
	uint8_t pkt[VPNC_LINK_MAX + VPNC_MAX_WKC_LEN];
};

typedef void (*vpnc_tcpframe_cb)(void *ctx, const uint8_t *pkt, size_t len);

void vpnc_tcpframe_init(struct vpnc_tcpframe *f);

/*
 * Feeds len bytes of the stream. Calls cb once per complete packet (the
 * pointer is valid only during the call). Returns the number of packets, or
 * -EBADMSG if a length is 0 or larger than the decoder can hold: the stream
 * cannot be resynchronised then, and the connection must be dropped.
 */
int vpnc_tcpframe_feed(struct vpnc_tcpframe *f, const uint8_t *data, size_t len, vpnc_tcpframe_cb cb, void *ctx);

/* Writes the 2-byte length of a packet of len bytes at out; returns -EMSGSIZE if it does not fit. */
int vpnc_tcpframe_put_len(uint8_t out[VPNC_TCPFRAME_LEN], size_t len);

#endif
