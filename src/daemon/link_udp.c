/*
 * link_udp.c: owns the UDP transport: one connected uv_udp_t per connection
 * attempt, received with uv_udp_recv_start() into the caller's single
 * preallocated buffer (libuv reads up to 32 datagrams per wakeup, one
 * recvmsg each), sent with uv_udp_try_send() (a direct sendmsg: no request,
 * no allocation). Being connected, the socket only accepts datagrams from the
 * server's address and port, and avoids a route lookup per packet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "daemon/link.h"

/* Socket buffers asked for; the kernel caps them at rmem_max / wmem_max. */
#define VPNC_UDP_SOCKBUF (1 << 20)

struct link_udp {
	struct vpnc_link base;   /* first: the link pointer is the struct pointer */
	uv_udp_t udp;
	uint8_t *rx;
	size_t rxcap;
};

static void udp_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct link_udp *u = h->data;

	(void)hint;
	*buf = uv_buf_init((char *)u->rx, (unsigned)u->rxcap);
}

static void udp_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *addr,
                     unsigned flags)
{
	struct link_udp *u = h->data;

	(void)addr;
	if (nread == 0)
		return; /* nothing more to read, or an empty datagram */
	if (nread < 0) {
		if (u->base.cbs.error != NULL)
			u->base.cbs.error(u->base.cbs.ctx, (int)nread);
		return;
	}
	if (flags & UV_UDP_PARTIAL)
		return; /* larger than any OpenVPN packet: drop */
	u->base.cbs.packet(u->base.cbs.ctx, (const uint8_t *)buf->base, (size_t)nread);
}

static int udp_send(struct vpnc_link *l, const uint8_t *pkt, size_t len)
{
	struct link_udp *u = (struct link_udp *)l;
	uv_buf_t b = uv_buf_init((char *)(uintptr_t)pkt, (unsigned)len);

	return uv_udp_try_send(&u->udp, &b, 1, NULL);
}

static void udp_closed(uv_handle_t *h)
{
	free(h->data);
}

static void udp_close(struct vpnc_link *l)
{
	struct link_udp *u = (struct link_udp *)l;

	uv_udp_recv_stop(&u->udp);
	uv_close((uv_handle_t *)&u->udp, udp_closed);
}

static const struct vpnc_link_ops udp_ops = {
	.send = udp_send,
	.close = udp_close,
};

int vpnc_link_udp_open(uv_loop_t *uv, const struct sockaddr *peer, int lport, uint8_t *rx,
                       size_t rxcap, const struct vpnc_link_cbs *cbs, struct vpnc_link **out)
{
	struct link_udp *u;
	int ret;

	*out = NULL;
	if (peer->sa_family != AF_INET && peer->sa_family != AF_INET6)
		return -EAFNOSUPPORT;
	u = calloc(1, sizeof(*u));
	if (u == NULL)
		return -ENOMEM;
	u->base.ops = &udp_ops;
	u->base.cbs = *cbs;
	u->rx = rx;
	u->rxcap = rxcap;
	ret = uv_udp_init_ex(uv, &u->udp, peer->sa_family);
	if (ret < 0) {
		free(u);
		return ret;
	}
	u->udp.data = u;
	if (lport > 0) {
		struct sockaddr_storage any;
		memset(&any, 0, sizeof(any));
		if (peer->sa_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&any;
			a->sin_family = AF_INET;
			a->sin_port = htons((uint16_t)lport);
		} else {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&any;
			a->sin6_family = AF_INET6;
			a->sin6_port = htons((uint16_t)lport);
		}
		ret = uv_udp_bind(&u->udp, (struct sockaddr *)&any, UV_UDP_REUSEADDR);
		if (ret < 0)
			goto fail;
	}
	ret = uv_udp_connect(&u->udp, peer);
	if (ret < 0)
		goto fail;
	uv_os_fd_t fd;
	if (uv_fileno((uv_handle_t *)&u->udp, &fd) == 0) {
		int sz = VPNC_UDP_SOCKBUF;
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	}
	ret = uv_udp_recv_start(&u->udp, udp_alloc, udp_recv);
	if (ret < 0)
		goto fail;
	*out = &u->base;
	return 0;
fail:
	uv_close((uv_handle_t *)&u->udp, udp_closed);
	return ret;
}
