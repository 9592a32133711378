/*
 * link_udp.c: owns the UDP transport: one connected, non-blocking socket per
 * connection attempt, watched with a uv_poll_t and moved in batches through
 * os/udp_batch.h.
 *
 * Receive: on readability, up to VPNC_UDP_RX_TURNS recvmmsg calls of up to
 * VPNC_UDP_BATCH_MAX datagrams each, into the link's own receive buffers;
 * every datagram goes to cbs->packet, then cbs->batch_end once per call.
 *
 * Send: VPNC_UDP_BATCH_MAX packet buffers live in the link. The caller
 * builds each packet in the next free one (vpnc_link_tx_buf), queues it with
 * vpnc_link_send (no copy) and vpnc_link_flush hands the queue to the kernel
 * with one sendmmsg, runs of equal-sized packets as one UDP_SEGMENT (GSO)
 * message. A full queue is flushed at once. A full socket buffer drops the
 * packets, as a full network queue would. The kernel refuses GSO segments
 * larger than the path MTU (outer IP fragmentation, as OpenVPN's default
 * tun-mtu 1500 needs for full-sized packets), so a batch holding a packet
 * above the MTU learnt at connect goes as plain datagrams, and a GSO send
 * refused with EINVAL is tried again that way. A datagram the kernel refuses
 * as larger than the path MTU (EMSGSIZE, under 'mtu-disc yes') is dropped,
 * the rest of the batch sent, and the error reported (cbs->error) once per
 * flush, so that the loop can ask for the path MTU (vpnc_link_path_mtu).
 *
 * Being connected, the socket only accepts datagrams from the server's
 * address and port, and sending needs no route lookup per packet. Nothing
 * is allocated or formatted per packet. After a network change the loop
 * re-connects it (udp_repath) so that it sends from the new source address.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <openssl/crypto.h>

#include "core/socks.h"
#include "daemon/link.h"
#include "os/udp_batch.h"
#include "vpnc/engine.h"

/*
 * Socket buffers asked for: 7 MiB, as wireguard-go does (conn/controlfns.go). The
 * FORCE variants (socket(7): SO_RCVBUFFORCE, CAP_NET_ADMIN) pass net.core.rmem_max.
 */
#define VPNC_UDP_SOCKBUF (7 << 20)
/* recvmmsg calls per wakeup before other work gets a turn. */
#define VPNC_UDP_RX_TURNS 4
/* IP and UDP header bytes in front of a datagram's payload. */
#define VPNC_IPV4_UDP_HDRS (20 + 8)
#define VPNC_IPV6_UDP_HDRS (40 + 8)
/* Assumed path MTU when the kernel does not say. */
#define VPNC_UDP_MIN_MTU 1280
/* Without batching: single-datagram reads per wakeup (what libuv did). */
#define VPNC_UDP_RX_SINGLE 32
/*
 * A receive buffer: a packet buffer's worth, plus room for the header a SOCKS
 * relay puts in front (link_socks.c), so that a datagram through a relay
 * holds packets as large as a direct one. Larger datagrams are cut by the
 * kernel (MSG_TRUNC) and dropped: no OpenVPN packet the engine takes is that
 * large.
 */
#define VPNC_UDP_RX_BUF (VPNC_PKT_BUF + VPNC_SOCKS_UDP_HDR6)

struct link_udp {
	struct vpnc_link base;   /* first: the link pointer is the struct pointer */
	uv_poll_t poll;
	int fd;
	bool batch;              /* many datagrams per system call */
	bool closed;
	unsigned err_rearms;     /* POLLERR re-arms since the last datagram read (udp_poll_error) */
	struct sockaddr_storage peer;  /* the server, for re-connecting after a network change */
	socklen_t peerlen;
	unsigned ntx;            /* packets queued in tx[0..ntx) */
	size_t txmax;            /* longest packet queued */
	size_t gso_limit;        /* longest datagram the kernel segments without IP fragments */
	struct vpnc_buf tx[VPNC_UDP_BATCH_MAX];
	struct vpnc_buf rx[VPNC_UDP_BATCH_MAX];
	struct vpnc_udp_batch ub;
	uint8_t txmem[VPNC_UDP_BATCH_MAX][VPNC_PKT_BUF];
	uint8_t rxmem[VPNC_UDP_BATCH_MAX][VPNC_UDP_RX_BUF];
};

static int udp_flush(struct vpnc_link *l)
{
	struct link_udp *u = (struct link_udp *)l;
	unsigned done = 0;
	int ret = 0;

	bool gso = u->ub.gso;

	bool too_big = false;

	/* Datagrams that need IP fragments cannot be GSO segments. */
	if (gso && u->txmax > u->gso_limit)
		u->ub.gso = false;
	while (done < u->ntx) {
		ret = vpnc_udp_send(&u->ub, u->tx + done, u->ntx - done);
		if ((ret == -EINVAL || ret == -EMSGSIZE) && u->ub.gso) {
			u->ub.gso = false; /* the path MTU shrank: plain datagrams for this batch */
			continue;
		}
		if (ret == -EMSGSIZE) {
			/* Above the path MTU with DF ('mtu-disc yes'): this one is dropped, the rest goes. */
			too_big = true;
			done++;
			ret = 0;
			continue;
		}
		if (ret <= 0)
			break; /* -EAGAIN: the rest is dropped, as a full network queue would */
		done += (unsigned)ret;
		ret = 0;
	}
	/* Back to GSO unless udp_batch turned it off for good (EIO). */
	if (gso && u->ub.gso_disabled == 0)
		u->ub.gso = true;
	u->ntx = 0;
	u->txmax = 0;
	if (too_big && u->base.cbs.error != NULL)
		u->base.cbs.error(u->base.cbs.ctx, -EMSGSIZE);
	return ret < 0 ? ret : 0;
}

static uint8_t *udp_tx_buf(struct vpnc_link *l)
{
	struct link_udp *u = (struct link_udp *)l;

	return u->closed ? NULL : u->txmem[u->ntx];
}

static int udp_send(struct vpnc_link *l, const uint8_t *pkt, size_t len)
{
	struct link_udp *u = (struct link_udp *)l;
	uint8_t *slot = u->txmem[u->ntx];
	struct vpnc_buf *b = &u->tx[u->ntx];

	if (u->closed)
		return -ENOTCONN;
	/*
	 * Built in place by the caller, maybe with a header in the headroom in front (a SOCKS
	 * relay's, link_socks.c): the slot's end is the limit. Built elsewhere: it is copied
	 * behind the headroom.
	 */
	bool in_slot = pkt >= slot && pkt < slot + VPNC_PKT_BUF;
	if (len == 0 || len > (in_slot ? (size_t)(slot + VPNC_PKT_BUF - pkt) : VPNC_PKT_BUF - VPNC_HEADROOM))
		return -EMSGSIZE;
	if (in_slot) {
		vpnc_buf_init(b, slot, VPNC_PKT_BUF, (size_t)(pkt - slot));
	} else {
		vpnc_buf_init(b, slot, VPNC_PKT_BUF, VPNC_HEADROOM);
		memcpy(vpnc_buf_data(b), pkt, len);
	}
	b->len = len;
	if (len > u->txmax)
		u->txmax = len;
	if (++u->ntx == VPNC_UDP_BATCH_MAX || !u->batch)
		return udp_flush(l);
	return 0;
}

/* Re-arms after this many POLLERRs in a row without a datagram read in between, then gives up. */
#define VPNC_UDP_ERR_REARMS 64

/*
 * libuv stops a poll handle when poll() says POLLERR and reports UV_EBADF.
 * On a connected UDP socket POLLERR is an ICMP error the kernel queued (the
 * server's port closed for a moment, a host unreachable on the way): the
 * socket is fine, and the next datagram may come in a moment. Reading
 * SO_ERROR clears the error; vpnc reports it and watches the socket again,
 * so the session does not go deaf until ping-restart. A socket that keeps
 * failing without ever delivering a datagram is given up on (the error is
 * reported as libuv gave it; the engine's timers restart the attempt).
 */
static void udp_readable(uv_poll_t *h, int status, int events);

static void udp_poll_error(struct link_udp *u, int status)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (!u->closed && u->err_rearms < VPNC_UDP_ERR_REARMS &&
	    getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 &&
	    uv_poll_start(&u->poll, UV_READABLE, udp_readable) == 0) {
		u->err_rearms++;
		if (soerr != 0)
			status = -soerr;
		else
			return;
	}
	if (u->base.cbs.error != NULL)
		u->base.cbs.error(u->base.cbs.ctx, status);
}

static void udp_readable(uv_poll_t *h, int status, int events)
{
	struct link_udp *u = h->data;
	unsigned want = u->batch ? VPNC_UDP_BATCH_MAX : 1;
	unsigned turns = u->batch ? VPNC_UDP_RX_TURNS : VPNC_UDP_RX_SINGLE;

	(void)events;
	if (status < 0) {
		udp_poll_error(u, status);
		return;
	}
	for (unsigned turn = 0; turn < turns && !u->closed; turn++) {
		for (unsigned i = 0; i < want; i++)
			vpnc_buf_init(&u->rx[i], u->rxmem[i], VPNC_UDP_RX_BUF, 0);
		int r = vpnc_udp_recv(&u->ub, u->rx, want);
		if (r == 0)
			break;
		if (r < 0) {
			/* An ICMP error queued on the connected socket (server not listening yet). */
			if (r != -EINTR && u->base.cbs.error != NULL)
				u->base.cbs.error(u->base.cbs.ctx, r);
			continue;
		}
		u->err_rearms = 0;
		for (int i = 0; i < r && !u->closed; i++) {
			/* len 0: larger than any OpenVPN packet, or empty: drop. */
			if (u->rx[i].len > 0)
				u->base.cbs.packet(u->base.cbs.ctx, vpnc_buf_data(&u->rx[i]), u->rx[i].len);
		}
		if (!u->closed && u->base.cbs.batch_end != NULL)
			u->base.cbs.batch_end(u->base.cbs.ctx);
		if ((unsigned)r < want)
			break; /* the socket is empty */
	}
}

static void udp_closed(uv_handle_t *h)
{
	struct link_udp *u = h->data;

	if (u->fd >= 0)
		close(u->fd);
	/* The buffers hold ciphertext only, but it costs little to wipe. */
	OPENSSL_cleanse(u, sizeof(*u));
	free(u);
}

static void udp_close(struct vpnc_link *l)
{
	struct link_udp *u = (struct link_udp *)l;

	u->closed = true;
	u->ntx = 0;
	uv_poll_stop(&u->poll);
	uv_close((uv_handle_t *)&u->poll, udp_closed);
}

static int udp_local(const struct vpnc_link *l, struct sockaddr_storage *out)
{
	const struct link_udp *u = (const struct link_udp *)l;
	socklen_t len = sizeof(*out);

	return getsockname(u->fd, (struct sockaddr *)out, &len) < 0 ? -errno : 0;
}

static size_t gso_limit(int fd, int family);

/*
 * Roaming: a connected socket keeps the source address it got at connect
 * even when that address is gone. Dissolving the association
 * (connect(AF_UNSPEC)) and connecting again makes the kernel pick the source
 * for the current route (and a new port unless one was bound), while the fd,
 * the poll handle, the buffers and the batching stay as they are.
 */
static int udp_repath(struct vpnc_link *l)
{
	struct link_udp *u = (struct link_udp *)l;
	struct sockaddr unspec = {.sa_family = AF_UNSPEC};

	if (u->closed)
		return -ENOTCONN;
	(void)udp_flush(l); /* whatever is queued goes the old way */
	if (connect(u->fd, &unspec, sizeof(unspec)) < 0)
		return -errno;
	if (connect(u->fd, (struct sockaddr *)&u->peer, u->peerlen) < 0)
		return -errno;
	u->gso_limit = gso_limit(u->fd, u->peer.ss_family);
	return 0;
}

static int udp_mtu_disc(struct vpnc_link *l, int mode)
{
	struct link_udp *u = (struct link_udp *)l;
	int r = u->peer.ss_family == AF_INET
	                ? setsockopt(u->fd, IPPROTO_IP, IP_MTU_DISCOVER, &mode, sizeof(mode))
	                : setsockopt(u->fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &mode, sizeof(mode));

	return r < 0 ? -errno : 0;
}

/* The connected route's MTU; the GSO limit follows it, so a smaller path stops the EINVAL retries. */
static int udp_path_mtu(struct vpnc_link *l)
{
	struct link_udp *u = (struct link_udp *)l;
	int mtu = 0;
	socklen_t len = sizeof(mtu);
	int r = u->peer.ss_family == AF_INET ? getsockopt(u->fd, IPPROTO_IP, IP_MTU, &mtu, &len)
	                                     : getsockopt(u->fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &len);

	if (r < 0)
		return -errno;
	if (mtu <= 0)
		return -ENOTCONN;
	u->gso_limit = gso_limit(u->fd, u->peer.ss_family);
	return mtu;
}

static const struct vpnc_link_ops udp_ops = {
	.local = udp_local,
	.repath = udp_repath,
	.mtu_disc = udp_mtu_disc,
	.path_mtu = udp_path_mtu,
	.send = udp_send,
	.close = udp_close,
	.tx_buf = udp_tx_buf,
	.flush = udp_flush,
};

/* Large buffers absorb a whole GSO burst; FORCE needs CAP_NET_ADMIN, else the capped size. */
static void set_sockbufs(int fd)
{
	int sz = VPNC_UDP_SOCKBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

static int bind_local(int fd, const struct sockaddr *local)
{
	socklen_t alen = local->sa_family == AF_INET ? sizeof(struct sockaddr_in)
	                                             : sizeof(struct sockaddr_in6);
	int one = 1;

	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return bind(fd, local, alen) < 0 ? -errno : 0;
}

/* The largest UDP payload that fits the connected route's MTU without IP fragments. */
static size_t gso_limit(int fd, int family)
{
	int mtu = 0;
	socklen_t len = sizeof(mtu);
	int hdrs = family == AF_INET ? VPNC_IPV4_UDP_HDRS : VPNC_IPV6_UDP_HDRS;

	if (family == AF_INET)
		(void)getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &len);
	else
		(void)getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &len);
	if (mtu <= hdrs)
		mtu = VPNC_UDP_MIN_MTU; /* unknown: the smallest MTU every IPv6 path has */
	return (size_t)(mtu - hdrs);
}

int vpnc_link_udp_open(uv_loop_t *uv, const struct sockaddr *peer, const struct sockaddr *local,
                       bool batch,
                       const struct vpnc_link_cbs *cbs, struct vpnc_link **out)
{
	struct link_udp *u;
	socklen_t plen;
	int ret;

	*out = NULL;
	if (peer->sa_family == AF_INET)
		plen = sizeof(struct sockaddr_in);
	else if (peer->sa_family == AF_INET6)
		plen = sizeof(struct sockaddr_in6);
	else
		return -EAFNOSUPPORT;
	/* One allocation per connection: the batch state and every packet buffer are inside. */
	u = calloc(1, sizeof(*u));
	if (u == NULL)
		return -ENOMEM;
	u->base.ops = &udp_ops;
	u->base.cbs = *cbs;
	u->batch = batch;
	u->fd = socket(peer->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (u->fd < 0) {
		ret = -errno;
		free(u);
		return ret;
	}
	if (local != NULL && local->sa_family != peer->sa_family) {
		ret = -EAFNOSUPPORT;
		goto fail;
	}
	if (cbs->opened != NULL)
		cbs->opened(cbs->ctx, u->fd);
	if (local != NULL && (ret = bind_local(u->fd, local)) < 0)
		goto fail;
	memcpy(&u->peer, peer, plen);
	u->peerlen = plen;
	if (connect(u->fd, peer, plen) < 0) {
		ret = -errno;
		goto fail;
	}
	set_sockbufs(u->fd);
	u->gso_limit = gso_limit(u->fd, peer->sa_family);
	vpnc_udp_batch_init(&u->ub, u->fd, batch);
	ret = uv_poll_init(uv, &u->poll, u->fd);
	if (ret < 0)
		goto fail;
	u->poll.data = u;
	ret = uv_poll_start(&u->poll, UV_READABLE, udp_readable);
	if (ret < 0) {
		uv_close((uv_handle_t *)&u->poll, udp_closed);
		return ret;
	}
	*out = &u->base;
	return 0;
fail:
	close(u->fd);
	free(u);
	return ret;
}
