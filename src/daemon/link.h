/*
 * link.h: the transport to the VPN server, behind a small interface so UDP
 * (link_udp.c) and TCP (link_tcp.c) can be swapped without touching the loop.
 *
 * A link delivers whole OpenVPN packets (one UDP datagram, or one packet cut
 * from the TCP stream) to cbs->packet, and sends whole packets with
 * vpnc_link_send(). Sending never allocates and never blocks.
 *
 * Sending in batches: before the engine writes a packet, the caller asks
 * vpnc_link_tx_buf() for a buffer of VPNC_PKT_BUF bytes to build it in (NULL:
 * use your own). A packet built there at VPNC_HEADROOM or later is queued
 * without a copy; vpnc_link_flush() then hands every queued packet to the
 * kernel in one system call. UDP sends a batch with one sendmmsg (runs of
 * equal-sized packets as one UDP_SEGMENT message each), and on its own when
 * VPNC_UDP_BATCH_MAX packets are queued; TCP gathers them into one writev.
 * A caller must flush before returning to the event loop. When the kernel's buffer is
 * full, UDP drops the packet (-EAGAIN), as a UDP network would; TCP keeps the
 * unsent bytes, reports vpnc_link_busy() until the socket is writable again,
 * then calls cbs->writable. The engine retransmits dropped control packets.
 *
 * Receiving in batches: a link delivers every packet of one read (UDP: one
 * recvmmsg; TCP: one chunk of the stream) to cbs->packet, then calls
 * cbs->batch_end once, so the caller can do per-batch work (TUN GRO flush,
 * engine output) once instead of per packet.
 *
 * Ownership: each link owns its receive and send buffers (allocated once
 * with the link); a received packet is only valid during cbs->packet. vpnc_link_close() starts an
 * asynchronous close; the link frees itself afterwards and calls no callback
 * after vpnc_link_close() returns.
 */
#ifndef VPNC_DAEMON_LINK_H
#define VPNC_DAEMON_LINK_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>
#include <uv.h>

struct vpnc_link;

struct vpnc_link_cbs {
	void (*packet)(void *ctx, const uint8_t *pkt, size_t len);
	/* A negative errno code from the socket; not fatal. -EMSGSIZE: a datagram was larger than the
	 * path MTU (vpnc_link_path_mtu() says it); the link dropped it and sent the rest. */
	void (*error)(void *ctx, int err);
	/* The link is gone (TCP connect failure, reset, end of stream, bad framing); may be NULL. */
	void (*down)(void *ctx, int err);
	/* A busy link can take packets again; may be NULL. */
	void (*writable)(void *ctx);
	/* Every packet of one read has been passed to packet(); may be NULL. */
	void (*batch_end)(void *ctx);
	/*
	 * The link is about to talk to sa (proto IPPROTO_UDP or IPPROTO_TCP) too, besides the
	 * address it was opened for: a SOCKS proxy's UDP relay. Returns 0, or a negative errno
	 * code to refuse (the link then goes down). May be NULL.
	 */
	int (*endpoint)(void *ctx, const struct sockaddr *sa, int proto);
	/*
	 * The link's socket to the server (or its proxy) exists, before bind and connect: 'mark'
	 * sets SO_MARK on it here, as 2.6 does on its link socket. May be NULL.
	 */
	void (*opened)(void *ctx, int fd);
	void *ctx;
};

struct vpnc_link_ops {
	int (*send)(struct vpnc_link *l, const uint8_t *pkt, size_t len);
	void (*close)(struct vpnc_link *l);
	uint8_t *(*tx_buf)(struct vpnc_link *l);   /* may be NULL: no buffers of its own */
	int (*flush)(struct vpnc_link *l);         /* may be NULL: nothing is queued */
	bool (*busy)(const struct vpnc_link *l);   /* may be NULL: never busy */
	/* The socket's local address; may be NULL: unknown. */
	int (*local)(const struct vpnc_link *l, struct sockaddr_storage *out);
	/* Re-connects to the server so the kernel picks the source for today's route; may be NULL. */
	int (*repath)(struct vpnc_link *l);
	/* 'mtu-disc': IP(V6)_MTU_DISCOVER on the socket (IP_PMTUDISC_DONT/WANT/DO); may be NULL. */
	int (*mtu_disc)(struct vpnc_link *l, int mode);
	/* The kernel's path MTU to the server (IP_MTU/IPV6_MTU); may be NULL: unknown. */
	int (*path_mtu)(struct vpnc_link *l);
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

/* A buffer of VPNC_PKT_BUF bytes to build the next packet in, or NULL. */
static inline uint8_t *vpnc_link_tx_buf(struct vpnc_link *l)
{
	return l != NULL && l->ops->tx_buf != NULL ? l->ops->tx_buf(l) : NULL;
}

/* Hands queued packets to the kernel. Returns 0 or a negative errno code. */
static inline int vpnc_link_flush(struct vpnc_link *l)
{
	return l != NULL && l->ops->flush != NULL ? l->ops->flush(l) : 0;
}

/* True while the kernel cannot take more (stop reading the TUN until cbs->writable). */
static inline bool vpnc_link_busy(const struct vpnc_link *l)
{
	return l != NULL && l->ops->busy != NULL && l->ops->busy(l);
}

/* The socket's local address (getsockname). Returns 0 or a negative errno code. */
static inline int vpnc_link_local(const struct vpnc_link *l, struct sockaddr_storage *out)
{
	return l != NULL && l->ops->local != NULL ? l->ops->local(l, out) : -EOPNOTSUPP;
}

/*
 * Roaming (docs/roaming.md): lets the kernel choose the source address and
 * port again for the current route to the server, keeping the socket, its
 * poll handle and its buffers. UDP only; returns 0 or a negative errno code
 * (-EOPNOTSUPP when the link cannot).
 */
static inline int vpnc_link_repath(struct vpnc_link *l)
{
	return l != NULL && l->ops->repath != NULL ? l->ops->repath(l) : -EOPNOTSUPP;
}

/*
 * 'mtu-disc' (docs/fragment.md): sets the socket's path-MTU discovery to mode,
 * IP_PMTUDISC_DONT (no), _WANT (maybe) or _DO (yes); the IPv6 values are the
 * same. Returns 0 or a negative errno code (-EOPNOTSUPP: TCP, or through a
 * SOCKS proxy).
 */
static inline int vpnc_link_mtu_disc(struct vpnc_link *l, int mode)
{
	return l != NULL && l->ops->mtu_disc != NULL ? l->ops->mtu_disc(l, mode) : -EOPNOTSUPP;
}

/*
 * The path MTU the kernel knows for the connected UDP socket (outer IP
 * packet bytes): after an EMSGSIZE (cbs->error) it is what an ICMP
 * "fragmentation needed" or "packet too big" said. Returns it (> 0), or a
 * negative errno code (-EOPNOTSUPP: TCP, or through a SOCKS proxy).
 */
static inline int vpnc_link_path_mtu(struct vpnc_link *l)
{
	return l != NULL && l->ops->path_mtu != NULL ? l->ops->path_mtu(l) : -EOPNOTSUPP;
}

static inline void vpnc_link_close(struct vpnc_link *l)
{
	if (l != NULL)
		l->ops->close(l);
}

/*
 * Opens a non-blocking UDP socket connected to peer (bound to local when
 * not NULL: 'local', 'lport', 'bind') with large socket buffers, and starts receiving. With batch,
 * up to VPNC_UDP_BATCH_MAX datagrams move per system call (recvmmsg,
 * sendmmsg, UDP GSO where the kernel has it); without, one per call (for
 * comparison, --no-offload). Returns 0 and sets *out, or a negative errno
 * code.
 */
int vpnc_link_udp_open(uv_loop_t *uv, const struct sockaddr *peer, const struct sockaddr *local,
                       bool batch,
                       const struct vpnc_link_cbs *cbs, struct vpnc_link **out);

/* Bytes a handshake step may write at once (an HTTP CONNECT request with its headers). */
#define VPNC_LINK_PRE_MAX 16384

/*
 * A handshake on a fresh TCP connection before the OpenVPN stream starts: a
 * proxy's (docs/proxy.md). step is called once the TCP connection is up
 * (len 0), then with every chunk read. It consumes in[0..len) (*used bytes:
 * the rest already belongs to the OpenVPN stream), may write bytes to send
 * into out[0..cap) (*outlen), and returns 0 to go on, 1 when the stream
 * starts, or a negative errno code, which takes the link down (cbs->down).
 * Packets queued meanwhile are sent once it returns 1. The link wipes out
 * after sending it (it may hold credentials).
 */
struct vpnc_link_pre {
	int (*step)(void *ctx, const uint8_t *in, size_t len, size_t *used, uint8_t *out, size_t cap,
	            size_t *outlen);
	void *ctx;
};

/*
 * Starts a non-blocking TCP connect to peer (from local when not NULL),
 * then runs pre's handshake (pre may be NULL: none; a proxy's greeting).
 * Packets passed to vpnc_link_send() before the connection and handshake
 * are through are queued and sent then. A failed connect, a reset or the
 * end of the stream calls cbs->down once. Returns 0 and sets *out, or a
 * negative errno code. The caller bounds the connect time
 * (server-poll-timeout).
 */
int vpnc_link_tcp_open_pre(uv_loop_t *uv, const struct sockaddr *peer, const struct sockaddr *local,
                           const struct vpnc_link_pre *pre, const struct vpnc_link_cbs *cbs,
                           struct vpnc_link **out);

/*
 * Takes over fd, a connected TCP socket (the SOCKS proxy's, link_socks.c),
 * as a TCP link that is up at once. fd is closed on failure. Returns 0 and
 * sets *out, or a negative errno code.
 */
int vpnc_link_tcp_adopt(uv_loop_t *uv, int fd, const struct vpnc_link_cbs *cbs,
                        struct vpnc_link **out);

struct vpnc_socks_proxy;
struct vpnc_remote;

/*
 * Reaches the remote r through the SOCKS5 proxy sp (link_socks.c,
 * docs/proxy.md) at the address proxy: TCP through CONNECT, UDP through UDP
 * ASSOCIATE (a UDP link to the relay, with batch as for
 * vpnc_link_udp_open, each datagram carrying the SOCKS header, while the
 * TCP connection to the proxy stays open). Packets sent before the proxy
 * has answered are queued (a few; more are dropped, and the engine sends
 * them again). A failed handshake is logged with the proxy's name and
 * reported through cbs->down, as is the loss of the TCP connection. For
 * UDP, server is the server's address for the SOCKS header when the caller
 * resolved it (NULL: a literal remote is used as is, a name is resolved
 * here). Returns 0 and sets *out, or a negative errno code.
 */
int vpnc_link_socks_open(uv_loop_t *uv, const struct sockaddr *proxy, const struct sockaddr *local,
                         const struct sockaddr *server, const struct vpnc_socks_proxy *sp,
                         const struct vpnc_remote *r, bool batch, const struct vpnc_link_cbs *cbs,
                         struct vpnc_link **out);

#endif
