/*
 * link_socks.c: owns the way to the server through a SOCKS5 proxy
 * ('socks-proxy', docs/proxy.md): the TCP connection to the proxy, the
 * handshake on it (core/socks.h does the protocol, this file the I/O), and
 * then the link the tunnel runs on, behind the same vpnc_link interface.
 *
 * TCP (CONNECT): once the proxy has connected the stream to the server, the
 * socket is handed to a plain TCP link (vpnc_link_tcp_adopt), and this link
 * only forwards to it.
 *
 * UDP (UDP ASSOCIATE): the TCP connection stays open for the whole session,
 * as RFC 1928 section 7 and OpenVPN 2.6 want: the proxy ends the
 * association when it closes, and so does vpnc (cbs->down: the session
 * restarts, as 2.6 does). Datagrams go through a plain UDP link connected to
 * the relay the proxy named (0.0.0.0 or :: meaning the proxy's own address),
 * so batching (recvmmsg/sendmmsg, GSO) stays. Each packet the engine built in
 * the UDP link's buffer gets the 10 (IPv4) or 22 (IPv6) byte SOCKS header
 * written into its headroom, so nothing is copied; a received datagram is
 * passed on past its header once the header says it came from the server.
 *
 * For UDP the server's address is needed in every header: a literal is used
 * as is, a name is resolved here (the loop resolved the proxy), unless the
 * caller did (under privilege separation the jailed process has no resolver:
 * the privileged parent resolves it). For TCP the proxy resolves the name,
 * as with 2.6.
 *
 * Ownership: one allocation per attempt holds the handles, the handshake
 * and the few packets queued before the proxy answered; it is freed (wiped:
 * the handshake held the proxy's password) once every handle is closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/crypto.h>

#include "core/socks.h"
#include "daemon/link.h"
#include "daemon/log.h"
#include "vpnc/config.h"
#include "vpnc/engine.h"

/* Packets the engine may send before the proxy has answered (its first hard reset or two). */
#define SOCKS_EARLY_PKTS 4

struct link_socks {
	struct vpnc_link base;   /* first: the link pointer is the struct pointer */
	uv_loop_t *uv;
	bool udp, batch, closed, dead, ctl_open, gai_busy;
	char name[300];          /* "HOST:PORT" of the proxy, for messages */
	struct sockaddr_storage proxy, local, server;
	bool have_local;
	size_t hdr;              /* UDP: SOCKS header bytes in front of each datagram */
	char host[256], port[8]; /* the remote as the profile names it */

	uv_tcp_t ctl;            /* the TCP connection to the proxy */
	uv_connect_t conn;
	uv_write_t wr;
	uv_getaddrinfo_t gai;
	struct vpnc_socks hs;
	uint8_t wbuf[VPNC_SOCKS_MSG_MAX];  /* the message being written (may hold the password) */
	uint8_t msg[VPNC_SOCKS_MSG_MAX];
	uint8_t rx[VPNC_SOCKS_MSG_MAX];

	struct vpnc_link *inner; /* the link the tunnel runs on, once the proxy answered */
	unsigned long bad_udp;   /* datagrams dropped: bad header or another source */

	unsigned n_early;
	size_t early_len[SOCKS_EARLY_PKTS];
	uint8_t early[SOCKS_EARLY_PKTS][VPNC_PKT_BUF];
};

static void socks_free_if_done(struct link_socks *s)
{
	if (!s->closed || s->ctl_open || s->gai_busy)
		return;
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

static socklen_t sa_len(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

/* The link is gone: once, unless the caller closed it. */
static void socks_down(struct link_socks *s, int err)
{
	if (s->dead || s->closed)
		return;
	s->dead = true;
	if (s->base.cbs.down != NULL)
		s->base.cbs.down(s->base.cbs.ctx, err);
}

/* A handshake failure: one line naming the proxy, then the attempt ends. */
static void socks_fail(struct link_socks *s, int err, const char *why)
{
	if (s->dead || s->closed)
		return;
	if (err == -ECONNREFUSED && s->hs.rep != 0)
		vpnc_log(VPNC_LOG_WARN, "SOCKS proxy %s: %s: %s (reply code %d)", s->name, why,
		         vpnc_socks_rep_str(s->hs.rep), s->hs.rep);
	else
		vpnc_log(VPNC_LOG_WARN, "SOCKS proxy %s: %s", s->name, why);
	vpnc_socks_wipe(&s->hs);
	socks_down(s, err);
}

static void ctl_closed(uv_handle_t *h)
{
	struct link_socks *s = h->data;

	s->ctl_open = false;
	socks_free_if_done(s);
}

static void ctl_close(struct link_socks *s)
{
	if (!s->ctl_open || uv_is_closing((uv_handle_t *)&s->ctl))
		return;
	uv_read_stop((uv_stream_t *)&s->ctl);
	uv_close((uv_handle_t *)&s->ctl, ctl_closed);
}

static void ctl_written(uv_write_t *req, int status)
{
	struct link_socks *s = req->data;

	OPENSSL_cleanse(s->wbuf, sizeof(s->wbuf)); /* the username/password message */
	if (status < 0 && status != UV_ECANCELED && !s->closed)
		socks_fail(s, status, "cannot write to the proxy");
}

/* Writes one handshake message; the handshake is lock-step, so one write at a time. */
static int ctl_send(struct link_socks *s, const uint8_t *msg, size_t len)
{
	uv_buf_t b;

	memcpy(s->wbuf, msg, len);
	b = uv_buf_init((char *)s->wbuf, (unsigned)len);
	s->wr.data = s;
	return uv_write(&s->wr, (uv_stream_t *)&s->ctl, &b, 1, ctl_written);
}

/* ---- the tunnel's side ---- */

static int socks_send(struct vpnc_link *l, const uint8_t *pkt, size_t len);

/* UDP: a datagram from the relay; passed on past its header if it came from the server. */
static void udp_packet(void *ctx, const uint8_t *pkt, size_t len)
{
	struct link_socks *s = ctx;
	int h = vpnc_socks_udp_strip(pkt, len, (const struct sockaddr *)&s->server);

	if (h < 0 || (size_t)h >= len) {
		/* Logged once per attempt, then only counted: the relay or anyone can send these. */
		if (s->bad_udp++ == 0)
			vpnc_log(VPNC_LOG_WARN, "SOCKS proxy %s: dropping a UDP datagram from the relay: %s",
			         s->name, h == -EPERM ? "it is not from the server" : "bad SOCKS header");
		return;
	}
	s->base.cbs.packet(s->base.cbs.ctx, pkt + h, len - (size_t)h);
}

static void udp_error(void *ctx, int err)
{
	struct link_socks *s = ctx;

	if (s->base.cbs.error != NULL)
		s->base.cbs.error(s->base.cbs.ctx, err);
}

static void udp_batch_end(void *ctx)
{
	struct link_socks *s = ctx;

	if (s->base.cbs.batch_end != NULL)
		s->base.cbs.batch_end(s->base.cbs.ctx);
}

static void udp_opened(void *ctx, int fd)
{
	struct link_socks *s = ctx;

	if (s->base.cbs.opened != NULL)
		s->base.cbs.opened(s->base.cbs.ctx, fd);
}

/* The proxy answered: the tunnel's link goes up, and what was queued is sent. */
static void socks_ready(struct link_socks *s)
{
	int ret;

	if (!s->udp) {
		uv_os_fd_t fd;
		int dup;

		/* The stream is the tunnel now: a TCP link takes a copy of the socket, ours closes. */
		if (uv_fileno((uv_handle_t *)&s->ctl, &fd) < 0 ||
		    (dup = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
			socks_fail(s, -errno, "cannot take over the connection");
			return;
		}
		ctl_close(s);
		ret = vpnc_link_tcp_adopt(s->uv, dup, &s->base.cbs, &s->inner);
		if (ret < 0) {
			socks_fail(s, ret, "cannot start the TCP link");
			return;
		}
		vpnc_log(VPNC_LOG_INFO, "SOCKS proxy %s: connected to %s:%s", s->name, s->host, s->port);
	} else {
		struct sockaddr_storage relay = s->hs.bound;
		struct vpnc_link_cbs cbs = {.packet = udp_packet, .error = udp_error,
		                            .batch_end = udp_batch_end, .opened = udp_opened, .ctx = s};
		char addr[INET6_ADDRSTRLEN] = "?";
		const struct sockaddr *local = NULL;

		if (relay.ss_family == AF_UNSPEC) {
			socks_fail(s, -EPROTO, "the proxy named its UDP relay by a host name, which vpnc "
			                       "does not resolve");
			return;
		}
		/* RFC 1928 leaves an unspecified address to mean the proxy itself, as 2.6 reads it. */
		if ((relay.ss_family == AF_INET &&
		     ((struct sockaddr_in *)&relay)->sin_addr.s_addr == htonl(INADDR_ANY)) ||
		    (relay.ss_family == AF_INET6 &&
		     IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&relay)->sin6_addr))) {
			in_port_t port = relay.ss_family == AF_INET
			                         ? ((struct sockaddr_in *)&relay)->sin_port
			                         : ((struct sockaddr_in6 *)&relay)->sin6_port;

			relay = s->proxy;
			if (relay.ss_family == AF_INET)
				((struct sockaddr_in *)&relay)->sin_port = port;
			else
				((struct sockaddr_in6 *)&relay)->sin6_port = port;
		}
		if (s->have_local && s->local.ss_family == relay.ss_family)
			local = (const struct sockaddr *)&s->local;
		/* The kill switch lets the relay through before the first datagram goes there. */
		if (s->base.cbs.endpoint != NULL &&
		    (ret = s->base.cbs.endpoint(s->base.cbs.ctx, (const struct sockaddr *)&relay,
		                                IPPROTO_UDP)) < 0) {
			socks_fail(s, ret, "the UDP relay cannot be let through the kill switch");
			return;
		}
		ret = vpnc_link_udp_open(s->uv, (const struct sockaddr *)&relay, local, s->batch, &cbs,
		                         &s->inner);
		if (ret < 0) {
			socks_fail(s, ret, "cannot open the UDP socket to the relay");
			return;
		}
		uv_ip_name((const struct sockaddr *)&relay, addr, sizeof(addr));
		vpnc_log(VPNC_LOG_INFO, "SOCKS proxy %s: UDP relay [%s]:%u for the server %s:%s", s->name,
		         addr, (unsigned)ntohs(relay.ss_family == AF_INET
		                                       ? ((struct sockaddr_in *)&relay)->sin_port
		                                       : ((struct sockaddr_in6 *)&relay)->sin6_port),
		         s->host, s->port);
	}
	vpnc_socks_wipe(&s->hs);
	for (unsigned i = 0; i < s->n_early && s->inner != NULL; i++)
		(void)socks_send(&s->base, s->early[i], s->early_len[i]);
	s->n_early = 0;
	(void)vpnc_link_flush(s->inner);
}

/* ---- the handshake on the TCP connection ---- */

static void ctl_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct link_socks *s = h->data;

	(void)hint;
	*buf = uv_buf_init((char *)s->rx, sizeof(s->rx));
}

static void ctl_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	struct link_socks *s = st->data;
	size_t used = 0, outlen = 0;
	int ret;

	if (nread == 0 || s->closed || s->dead)
		return;
	if (nread < 0) {
		if (s->hs.state == VPNC_SOCKS_DONE) {
			/* UDP: the association ends with this connection; the session restarts. */
			vpnc_log(VPNC_LOG_WARN, "SOCKS proxy %s: the TCP connection that keeps the UDP "
			                        "association closed", s->name);
			socks_down(s, nread == UV_EOF ? -ECONNRESET : (int)nread);
		} else {
			socks_fail(s, nread == UV_EOF ? -ECONNRESET : (int)nread,
			           nread == UV_EOF ? "the proxy closed the connection during the handshake"
			                           : "the connection to the proxy failed during the handshake");
		}
		return;
	}
	if (s->hs.state == VPNC_SOCKS_DONE)
		return; /* UDP: nothing is expected here (RFC 1928); ignore */
	ret = vpnc_socks_feed(&s->hs, (const uint8_t *)buf->base, (size_t)nread, &used, s->msg,
	                      sizeof(s->msg), &outlen);
	if (ret < 0) {
		socks_fail(s, ret, s->hs.why != NULL ? s->hs.why : "bad reply");
		return;
	}
	if (outlen > 0) {
		/* The proxy answers each message before it is sent the next: more now is a protocol error. */
		int w = (size_t)nread > used ? -EPROTO : ctl_send(s, s->msg, outlen);

		OPENSSL_cleanse(s->msg, outlen);
		if (w < 0)
			socks_fail(s, w, w == -EPROTO ? "the proxy sent more than its reply"
			                              : "cannot write to the proxy");
		return;
	}
	if (ret == 1) {
		/* Nothing may follow the reply: the server speaks only after the first packet. */
		if ((size_t)nread > used) {
			socks_fail(s, -EPROTO, "the proxy sent data after its reply");
			return;
		}
		socks_ready(s);
	}
}

static void ctl_connected(uv_connect_t *req, int status)
{
	struct link_socks *s = req->data;
	size_t n;
	int ret;

	if (s->closed || status == UV_ECANCELED)
		return;
	if (status < 0) {
		vpnc_log(VPNC_LOG_WARN, "SOCKS proxy %s: cannot connect: %s", s->name, uv_strerror(status));
		socks_down(s, status);
		return;
	}
	(void)uv_tcp_nodelay(&s->ctl, 1);
	ret = uv_read_start((uv_stream_t *)&s->ctl, ctl_alloc, ctl_read);
	n = vpnc_socks_start(&s->hs, s->msg, sizeof(s->msg));
	if (ret == 0)
		ret = ctl_send(s, s->msg, n);
	if (ret < 0)
		socks_fail(s, ret, "cannot write to the proxy");
}

static int ctl_open(struct link_socks *s)
{
	int ret = uv_tcp_init_ex(s->uv, &s->ctl, s->proxy.ss_family);
	if (ret < 0)
		return ret;
	s->ctl.data = s;
	s->ctl_open = true;
	/* TCP: the proxy's connection is the link socket, marked as 2.6 marks it; UDP: the relay's. */
	if (!s->udp && s->base.cbs.opened != NULL) {
		uv_os_fd_t fd;

		if (uv_fileno((uv_handle_t *)&s->ctl, &fd) == 0)
			s->base.cbs.opened(s->base.cbs.ctx, fd);
	}
	/* TCP: the proxy's connection is the tunnel's, so it is bound as a direct one would be. */
	if (!s->udp && s->have_local && s->local.ss_family == s->proxy.ss_family) {
		ret = uv_tcp_bind(&s->ctl, (const struct sockaddr *)&s->local, 0);
		if (ret < 0)
			return ret;
	}
	s->conn.data = s;
	return uv_tcp_connect(&s->conn, &s->ctl, (const struct sockaddr *)&s->proxy, ctl_connected);
}

/* UDP: the server's address, for the SOCKS header, resolved from the remote's name. */
static void server_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct link_socks *s = req->data;
	struct addrinfo *a;

	s->gai_busy = false;
	if (s->closed) {
		uv_freeaddrinfo(res);
		socks_free_if_done(s);
		return;
	}
	for (a = status == 0 ? res : NULL; a != NULL; a = a->ai_next)
		if ((a->ai_family == AF_INET || a->ai_family == AF_INET6) &&
		    a->ai_addrlen <= sizeof(s->server))
			break;
	if (a == NULL) {
		uv_freeaddrinfo(res);
		vpnc_log(VPNC_LOG_WARN, "Cannot resolve %s for the SOCKS proxy's UDP header: %s", s->host,
		         status < 0 ? uv_strerror(status) : "no address");
		socks_down(s, -EHOSTUNREACH);
		return;
	}
	memcpy(&s->server, a->ai_addr, a->ai_addrlen);
	uv_freeaddrinfo(res);
	s->hdr = vpnc_socks_udp_hdr_len(s->server.ss_family);
	int ret = ctl_open(s);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_WARN, "SOCKS proxy %s: cannot connect: %s", s->name, uv_strerror(ret));
		socks_down(s, ret);
	}
}

/* ---- vpnc_link operations ---- */

static int socks_send(struct vpnc_link *l, const uint8_t *pkt, size_t len)
{
	struct link_socks *s = (struct link_socks *)l;
	uint8_t *slot;

	if (s->closed || s->dead)
		return -ENOTCONN;
	if (len == 0 || len > VPNC_PKT_BUF - VPNC_HEADROOM)
		return -EMSGSIZE;
	if (s->inner == NULL) {
		/* The proxy has not answered yet: keep the first few, as a TCP connect would. */
		if (s->n_early >= SOCKS_EARLY_PKTS)
			return -EAGAIN;
		memcpy(s->early[s->n_early], pkt, len);
		s->early_len[s->n_early++] = len;
		return 0;
	}
	if (!s->udp)
		return vpnc_link_send(s->inner, pkt, len);
	/* Built in the UDP link's buffer at VPNC_HEADROOM: the header goes into the headroom. */
	slot = vpnc_link_tx_buf(s->inner);
	if (slot == NULL)
		return -ENOTCONN;
	if (!(pkt >= slot + s->hdr && pkt + len <= slot + VPNC_PKT_BUF)) {
		memmove(slot + VPNC_HEADROOM, pkt, len); /* built elsewhere: one copy */
		pkt = slot + VPNC_HEADROOM;
	}
	uint8_t *h = (uint8_t *)(uintptr_t)(pkt - s->hdr);
	(void)vpnc_socks_udp_put(h, (const struct sockaddr *)&s->server);
	return vpnc_link_send(s->inner, h, len + s->hdr);
}

static uint8_t *socks_tx_buf(struct vpnc_link *l)
{
	struct link_socks *s = (struct link_socks *)l;

	return s->inner != NULL && !s->dead ? vpnc_link_tx_buf(s->inner) : NULL;
}

static int socks_flush(struct vpnc_link *l)
{
	struct link_socks *s = (struct link_socks *)l;

	return s->inner != NULL ? vpnc_link_flush(s->inner) : 0;
}

static bool socks_busy(const struct vpnc_link *l)
{
	const struct link_socks *s = (const struct link_socks *)l;

	return s->inner != NULL && vpnc_link_busy(s->inner);
}

static int socks_local(const struct vpnc_link *l, struct sockaddr_storage *out)
{
	const struct link_socks *s = (const struct link_socks *)l;

	return s->inner != NULL ? vpnc_link_local(s->inner, out) : -ENOTCONN;
}

static void socks_close(struct vpnc_link *l)
{
	struct link_socks *s = (struct link_socks *)l;

	s->closed = true;
	if (s->bad_udp > 1)
		vpnc_log(VPNC_LOG_MORE, "SOCKS proxy %s: %lu UDP datagrams from the relay were dropped",
		         s->name, s->bad_udp);
	if (s->inner != NULL) {
		vpnc_link_close(s->inner);
		s->inner = NULL;
	}
	if (s->gai_busy)
		(void)uv_cancel((uv_req_t *)&s->gai); /* server_resolved frees us then */
	ctl_close(s);
	socks_free_if_done(s);
}

static const struct vpnc_link_ops socks_ops = {
	.send = socks_send,
	.close = socks_close,
	.tx_buf = socks_tx_buf,
	.flush = socks_flush,
	.busy = socks_busy,
	.local = socks_local,
};

int vpnc_link_socks_open(uv_loop_t *uv, const struct sockaddr *proxy, const struct sockaddr *local,
                         const struct sockaddr *server, const struct vpnc_socks_proxy *sp,
                         const struct vpnc_remote *r, bool batch, const struct vpnc_link_cbs *cbs,
                         struct vpnc_link **out)
{
	struct link_socks *s;
	int port = atoi(r->port[0] ? r->port : "1194");
	int ret;

	*out = NULL;
	if (proxy->sa_family != AF_INET && proxy->sa_family != AF_INET6)
		return -EAFNOSUPPORT;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->base.ops = &socks_ops;
	s->base.cbs = *cbs;
	s->uv = uv;
	s->udp = r->transport == VPNC_TRANSPORT_UDP;
	s->batch = batch;
	memcpy(&s->proxy, proxy, sa_len(proxy));
	if (local != NULL) {
		memcpy(&s->local, local, sa_len(local));
		s->have_local = true;
	}
	snprintf(s->name, sizeof(s->name), strchr(sp->host, ':') != NULL ? "[%s]:%s" : "%s:%s",
	         sp->host, sp->port);
	snprintf(s->host, sizeof(s->host), "%s", r->host);
	snprintf(s->port, sizeof(s->port), "%d", port);
	/*
	 * UDP ASSOCIATE names the address datagrams will come from: "any", as 2.6 sends it
	 * (0.0.0.0 port 0), or :: over IPv6, so that the proxy opens a relay of that family.
	 */
	if (s->udp)
		ret = vpnc_socks_init(&s->hs, VPNC_SOCKS_CMD_UDP_ASSOCIATE,
		                      proxy->sa_family == AF_INET6 ? "::" : NULL, 0, sp->user, sp->pass);
	else
		ret = vpnc_socks_init(&s->hs, VPNC_SOCKS_CMD_CONNECT, r->host, (uint16_t)port,
		                      sp->user, sp->pass);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_WARN, "SOCKS proxy %s: %s", s->name, s->hs.why);
		goto fail;
	}
	if (s->udp) {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&s->server;
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&s->server;

		if (server != NULL && (server->sa_family == AF_INET || server->sa_family == AF_INET6)) {
			/* Resolved by the caller (under privilege separation, the parent). */
			memcpy(&s->server, server, sa_len(server));
		} else if (r->family != AF_INET6 && inet_pton(AF_INET, r->host, &a4->sin_addr) == 1) {
			a4->sin_family = AF_INET;
			a4->sin_port = htons((uint16_t)port);
		} else if (r->family != AF_INET && inet_pton(AF_INET6, r->host, &a6->sin6_addr) == 1) {
			a6->sin6_family = AF_INET6;
			a6->sin6_port = htons((uint16_t)port);
		} else {
			/* 'proto udp' means IPv4 here, as 2.6 forces it for a SOCKS proxy; udp6 is honoured. */
			struct addrinfo hints = {.ai_family = r->family == AF_INET6 ? AF_INET6 : AF_INET,
			                         .ai_socktype = SOCK_DGRAM, .ai_protocol = IPPROTO_UDP};

			s->gai.data = s;
			ret = uv_getaddrinfo(uv, &s->gai, server_resolved, r->host, s->port, &hints);
			if (ret < 0)
				goto fail;
			s->gai_busy = true;
			*out = &s->base;
			return 0;
		}
		s->hdr = vpnc_socks_udp_hdr_len(s->server.ss_family);
	}
	ret = ctl_open(s);
	if (ret < 0) {
		s->closed = true;
		vpnc_socks_wipe(&s->hs);
		if (s->ctl_open)
			uv_close((uv_handle_t *)&s->ctl, ctl_closed);
		else
			socks_free_if_done(s);
		return ret;
	}
	*out = &s->base;
	return 0;
fail:
	vpnc_socks_wipe(&s->hs);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
	return ret;
}
