/*
 * link.h: the transport to the VPN server, behind a small interface so UDP
 * (link_udp.c) and later TCP can be swapped without touching the loop.
 *
 * A link delivers whole OpenVPN packets (one UDP datagram, or one packet cut
 * from the TCP stream) to cbs->packet, and sends whole packets with
 * vpnc_link_send(). Sending never allocates and never blocks: when the
 * kernel's buffer is full the packet is dropped (-EAGAIN), as a UDP network
 * would; the engine retransmits control packets itself.
 *
 * Ownership: the receive buffer (rx, rxcap) belongs to the caller and must
 * outlive the link; it is reused for every packet, so cbs->packet must be
 * done with it when it returns. vpnc_link_close() starts an asynchronous
 * close; the link frees itself afterwards and calls no callback after
 * vpnc_link_close() returns.
 */
#ifndef VPNC_DAEMON_LINK_H
#define VPNC_DAEMON_LINK_H

#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>
#include <uv.h>

struct vpnc_link;

struct vpnc_link_cbs {
	void (*packet)(void *ctx, const uint8_t *pkt, size_t len);
	void (*error)(void *ctx, int err); /* a negative errno code from the socket; not fatal */
	void *ctx;
};

struct vpnc_link_ops {
	int (*send)(struct vpnc_link *l, const uint8_t *pkt, size_t len);
	void (*close)(struct vpnc_link *l);
};

struct vpnc_link {
	const struct vpnc_link_ops *ops;
	struct vpnc_link_cbs cbs;
};

/* Returns 0 (or the bytes sent) or a negative errno code; the packet is dropped on failure. */
static inline int vpnc_link_send(struct vpnc_link *l, const uint8_t *pkt, size_t len)
{
	return l->ops->send(l, pkt, len);
}

static inline void vpnc_link_close(struct vpnc_link *l)
{
	if (l != NULL)
		l->ops->close(l);
}

/*
 * Opens a UDP socket connected to peer (bound to lport when lport > 0) and
 * starts receiving. Returns 0 and sets *out, or a negative errno code.
 */
int vpnc_link_udp_open(uv_loop_t *uv, const struct sockaddr *peer, int lport, uint8_t *rx,
                       size_t rxcap, const struct vpnc_link_cbs *cbs, struct vpnc_link **out);

#endif
