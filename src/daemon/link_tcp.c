/*
 * link_tcp.c: owns the TCP transport (OpenVPN's tcp-client): one uv_tcp_t
 * per connection attempt with a non-blocking connect, the stream cut into
 * packets by the 2-byte length framing (core/tcpframe.h), and sends gathered
 * into one writev per batch.
 *
 * Receive: libuv reads up to VPNC_TCP_RX_CHUNK bytes per read into the
 * link's one chunk buffer; every packet in the chunk is handed to the
 * caller, in place when it arrived whole (the decoder gathers only packets
 * split across reads), then cbs->batch_end once per chunk.
 *
 * Send: VPNC_TCP_SLOTS packet buffers are allocated with the link. The
 * caller builds each packet in the next free slot (vpnc_link_tx_buf), the
 * length prefix is written into the headroom just before it, and flush
 * hands all queued [len][packet] frames to the kernel with one
 * uv_try_write (writev). What the kernel does not take stays queued: one
 * uv_write is started for the rest (the slots stay untouched until its
 * callback), the link reports busy, and cbs->writable is called when the
 * socket has taken everything. Nothing is allocated per packet.
 *
 * A handshake first (vpnc_link_tcp_open_pre, a proxy's CONNECT): once the
 * socket is up, its step callback exchanges raw bytes until it says the
 * OpenVPN stream starts; the bytes of that read after the handshake go to
 * the framing decoder, and the packets queued meanwhile are flushed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <openssl/crypto.h>

#include "core/tcpframe.h"
#include "daemon/link.h"
#include "vpnc/engine.h"

/* Buffers a uv_write_t holds inline (its bufsml[]); more would make libuv allocate. */
#define VPNC_TCP_UV_INLINE_BUFS 4

/* Packets that can be queued (and sent with one writev). */
#define VPNC_TCP_SLOTS 128
/* Most bytes taken from the socket per read. */
#define VPNC_TCP_RX_CHUNK (64 * 1024)
/* Socket buffers asked for; the kernel caps them at rmem_max / wmem_max. */
#define VPNC_TCP_SOCKBUF (1 << 20)

struct tcp_frame_ref {
	uint8_t *p;   /* [len][packet] inside its slot */
	size_t len;   /* VPNC_TCPFRAME_LEN + packet length */
};

struct link_tcp {
	struct vpnc_link base;   /* first: the link pointer is the struct pointer */
	uv_tcp_t tcp;
	uv_connect_t conn;
	uv_write_t wr;
	bool connected, reading, writing, dead, closed;
	bool sock_up;            /* TCP is connected; 'connected' waits for the handshake too */

	/* The handshake before the stream (link.h: struct vpnc_link_pre). */
	struct vpnc_link_pre pre;
	bool pre_active;
	uv_write_t pre_wr;
	uint8_t pre_out[VPNC_LINK_PRE_MAX]; /* one step's output; wiped once written */
	size_t pre_len;

	/* Send queue: a ring of frames, frame i lives in slot i. */
	struct tcp_frame_ref q[VPNC_TCP_SLOTS];
	size_t head, count;      /* oldest frame, frames queued */
	size_t off;              /* bytes of the oldest frame already sent */
	size_t inflight;         /* frames (from head) owned by the pending uv_write */
	uv_buf_t iov[VPNC_TCP_SLOTS];
	uint8_t slots[VPNC_TCP_SLOTS][VPNC_PKT_BUF];

	struct vpnc_tcpframe frame;
	uint8_t rx[VPNC_TCP_RX_CHUNK];
};

static void tcp_down(struct link_tcp *t, int err)
{
	if (t->dead || t->closed)
		return;
	t->dead = true;
	if (t->base.cbs.down != NULL)
		t->base.cbs.down(t->base.cbs.ctx, err);
}

static void on_frame(void *ctx, const uint8_t *pkt, size_t len)
{
	struct link_tcp *t = ctx;

	if (!t->dead && !t->closed)
		t->base.cbs.packet(t->base.cbs.ctx, pkt, len);
}

static void tcp_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct link_tcp *t = h->data;

	(void)hint;
	*buf = uv_buf_init((char *)t->rx, sizeof(t->rx));
}

static int tcp_flush(struct vpnc_link *l);
static int pre_step(struct link_tcp *t, const uint8_t *in, size_t len, size_t *used);

static void tcp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct link_tcp *t = s->data;
	const uint8_t *data = (const uint8_t *)buf->base;
	size_t len = (size_t)nread, used = 0;

	if (nread == 0 || t->closed)
		return;
	if (nread < 0) {
		/* The server closing the stream is a reset for OpenVPN too. */
		tcp_down(t, nread == UV_EOF ? -ECONNRESET : (int)nread);
		return;
	}
	if (t->pre_active) {
		int ret = pre_step(t, data, len, &used);

		if (ret <= 0 || t->dead || t->closed)
			return;
		data += used;
		len -= used;
		(void)tcp_flush(&t->base); /* what the engine queued during the handshake */
		if (len == 0 || t->dead || t->closed)
			return;
	}
	if (vpnc_tcpframe_feed(&t->frame, data, len, on_frame, t) < 0) {
		tcp_down(t, -EBADMSG); /* a bad length: the stream cannot be resynchronised */
		return;
	}
	/* Every packet of this chunk is delivered: per-batch work (GRO flush, engine output) now. */
	if (!t->dead && !t->closed && t->base.cbs.batch_end != NULL)
		t->base.cbs.batch_end(t->base.cbs.ctx);
}

/* Forgets the frames (and bytes of the first) that the kernel has taken. */
static void consume(struct link_tcp *t, size_t bytes)
{
	while (bytes > 0 && t->count > 0) {
		struct tcp_frame_ref *f = &t->q[t->head];
		size_t left = f->len - t->off;
		if (bytes < left) {
			t->off += bytes;
			return;
		}
		bytes -= left;
		t->off = 0;
		t->head = (t->head + 1) % VPNC_TCP_SLOTS;
		t->count--;
	}
}

/* Fills t->iov with the queued frames, the first from t->off; returns how many. */
static unsigned gather(struct link_tcp *t)
{
	unsigned n = 0;

	for (size_t i = 0; i < t->count; i++) {
		struct tcp_frame_ref *f = &t->q[(t->head + i) % VPNC_TCP_SLOTS];
		size_t skip = i == 0 ? t->off : 0;
		t->iov[n++] = uv_buf_init((char *)f->p + skip, (unsigned)(f->len - skip));
	}
	return n;
}

static void tcp_written(uv_write_t *req, int status)
{
	struct link_tcp *t = req->data;

	t->writing = false;
	if (t->closed)
		return;
	if (status < 0) {
		tcp_down(t, status);
		return;
	}
	/* uv_write finishes only when every byte of its frames is in the kernel. */
	t->count -= t->inflight;
	t->head = (t->head + t->inflight) % VPNC_TCP_SLOTS;
	t->inflight = 0;
	t->off = 0;
	(void)tcp_flush(&t->base);
	if (!t->writing && !t->dead && t->base.cbs.writable != NULL)
		t->base.cbs.writable(t->base.cbs.ctx);
}

static int tcp_flush(struct vpnc_link *l)
{
	struct link_tcp *t = (struct link_tcp *)l;
	unsigned n;
	int ret;

	if (!t->connected || t->writing || t->dead || t->closed || t->count == 0)
		return 0;
	n = gather(t);
	ret = uv_try_write((uv_stream_t *)&t->tcp, t->iov, n);
	if (ret == UV_EAGAIN)
		ret = 0;
	if (ret < 0) {
		tcp_down(t, ret);
		return ret;
	}
	consume(t, (size_t)ret);
	if (t->count == 0)
		return 0;
	/*
	 * The kernel is full: let libuv write the rest when the socket is writable.
	 * libuv copies a buffer list longer than its inline array (4) into a fresh
	 * allocation, so hand it at most that many frames; tcp_written() flushes
	 * the remainder the same way.
	 */
	n = gather(t);
	if (n > VPNC_TCP_UV_INLINE_BUFS)
		n = VPNC_TCP_UV_INLINE_BUFS;
	t->inflight = n;
	t->wr.data = t;
	ret = uv_write(&t->wr, (uv_stream_t *)&t->tcp, t->iov, n, tcp_written);
	if (ret < 0) {
		t->inflight = 0;
		tcp_down(t, ret);
		return ret;
	}
	t->writing = true;
	return 0;
}

static uint8_t *tcp_tx_buf(struct vpnc_link *l)
{
	struct link_tcp *t = (struct link_tcp *)l;

	if (t->count >= VPNC_TCP_SLOTS)
		return NULL;
	return t->slots[(t->head + t->count) % VPNC_TCP_SLOTS];
}

static int tcp_send(struct vpnc_link *l, const uint8_t *pkt, size_t len)
{
	struct link_tcp *t = (struct link_tcp *)l;
	size_t idx = (t->head + t->count) % VPNC_TCP_SLOTS;
	uint8_t *slot = t->slots[idx];
	uint8_t *frame;

	if (t->dead || t->closed)
		return -ENOTCONN;
	if (t->count >= VPNC_TCP_SLOTS)
		return -EAGAIN; /* a full queue: drop, as a congested network would */
	if (len == 0 || len > VPNC_PKT_BUF - VPNC_HEADROOM)
		return -EMSGSIZE;
	if (pkt >= slot + VPNC_TCPFRAME_LEN && pkt + len <= slot + VPNC_PKT_BUF) {
		frame = (uint8_t *)(uintptr_t)(pkt - VPNC_TCPFRAME_LEN); /* built in place */
	} else {
		frame = slot + VPNC_HEADROOM - VPNC_TCPFRAME_LEN;
		memcpy(frame + VPNC_TCPFRAME_LEN, pkt, len);
	}
	if (vpnc_tcpframe_put_len(frame, len) < 0)
		return -EMSGSIZE;
	t->q[idx].p = frame;
	t->q[idx].len = len + VPNC_TCPFRAME_LEN;
	t->count++;
	return 0;
}

static bool tcp_busy(const struct vpnc_link *l)
{
	const struct link_tcp *t = (const struct link_tcp *)l;

	return t->writing || t->count >= VPNC_TCP_SLOTS;
}

static void tcp_closed(uv_handle_t *h)
{
	struct link_tcp *t = h->data;

	/* The queue holds ciphertext and framing only, but it costs little to wipe. */
	OPENSSL_cleanse(t, sizeof(*t));
	free(t);
}

static void tcp_close(struct vpnc_link *l)
{
	struct link_tcp *t = (struct link_tcp *)l;

	t->closed = true;
	if (t->reading)
		uv_read_stop((uv_stream_t *)&t->tcp);
	uv_close((uv_handle_t *)&t->tcp, tcp_closed);
}

static void pre_written(uv_write_t *req, int status)
{
	struct link_tcp *t = req->data;

	OPENSSL_cleanse(t->pre_out, t->pre_len); /* a request may carry the proxy password */
	t->pre_len = 0;
	if (!t->closed && status < 0)
		tcp_down(t, status);
}

/*
 * Runs one handshake step on in[0..len); sends what it writes. Returns its
 * result: 1 the stream starts (t->connected set), 0 more to come, < 0 the
 * link went down.
 */
static int pre_step(struct link_tcp *t, const uint8_t *in, size_t len, size_t *used)
{
	size_t cap = t->pre_len == 0 ? sizeof(t->pre_out) : 0; /* no room while a write is pending */
	size_t outlen = 0;
	uv_buf_t b;
	int ret, wret;

	*used = 0;
	ret = t->pre.step(t->pre.ctx, in, len, used, t->pre_out, cap, &outlen);
	if (ret >= 0 && (*used > len || outlen > cap))
		ret = -EPROTO;
	if (ret < 0) {
		OPENSSL_cleanse(t->pre_out, sizeof(t->pre_out));
		tcp_down(t, ret);
		return ret;
	}
	if (outlen > 0) {
		t->pre_len = outlen;
		b = uv_buf_init((char *)t->pre_out, (unsigned)outlen);
		t->pre_wr.data = t;
		wret = uv_write(&t->pre_wr, (uv_stream_t *)&t->tcp, &b, 1, pre_written);
		if (wret < 0) {
			OPENSSL_cleanse(t->pre_out, outlen);
			t->pre_len = 0;
			tcp_down(t, wret);
			return wret;
		}
	}
	if (ret == 1) {
		t->pre_active = false;
		t->connected = true;
	}
	return ret;
}

static int tcp_start(struct link_tcp *t);

static void tcp_connected(uv_connect_t *req, int status)
{
	struct link_tcp *t = req->data;
	int ret;

	if (t->closed || status == UV_ECANCELED)
		return;
	if (status < 0) {
		tcp_down(t, status);
		return;
	}
	ret = tcp_start(t);
	if (ret < 0)
		tcp_down(t, ret);
}

/* The stream is up: start reading and send what was queued. */
static int tcp_start(struct link_tcp *t)
{
	uv_os_fd_t fd;
	int ret;

	t->sock_up = true;
	t->connected = !t->pre_active;
	/* Writes are batched already; Nagle would only add latency to control packets. */
	(void)uv_tcp_nodelay(&t->tcp, 1);
	if (uv_fileno((uv_handle_t *)&t->tcp, &fd) == 0) {
		int sz = VPNC_TCP_SOCKBUF;
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	ret = uv_read_start((uv_stream_t *)&t->tcp, tcp_alloc, tcp_read);
	if (ret < 0)
		return ret;
	t->reading = true;
	if (t->pre_active) {
		size_t used;

		/* The handshake speaks first (len 0); the stream waits until it is done. A failed
		 * step has taken the link down itself. */
		if (pre_step(t, NULL, 0, &used) != 1)
			return 0;
	}
	(void)tcp_flush(&t->base);
	return 0;
}

static int tcp_local(const struct vpnc_link *l, struct sockaddr_storage *out)
{
	const struct link_tcp *t = (const struct link_tcp *)l;
	int len = (int)sizeof(*out);

	if (!t->sock_up)
		return -ENOTCONN;
	return uv_tcp_getsockname(&t->tcp, (struct sockaddr *)out, &len);
}

static const struct vpnc_link_ops tcp_ops = {
	.local = tcp_local,
	.send = tcp_send,
	.close = tcp_close,
	.tx_buf = tcp_tx_buf,
	.flush = tcp_flush,
	.busy = tcp_busy,
};

int vpnc_link_tcp_open_pre(uv_loop_t *uv, const struct sockaddr *peer, const struct sockaddr *local,
                           const struct vpnc_link_pre *pre, const struct vpnc_link_cbs *cbs,
                           struct vpnc_link **out)
{
	struct link_tcp *t;
	int ret;

	*out = NULL;
	if (peer->sa_family != AF_INET && peer->sa_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (local != NULL && local->sa_family != peer->sa_family)
		return -EAFNOSUPPORT;
	/* One allocation per connection: the queue slots and the read chunk are inside. */
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	t->base.ops = &tcp_ops;
	t->base.cbs = *cbs;
	if (pre != NULL && pre->step != NULL) {
		t->pre = *pre;
		t->pre_active = true;
	}
	vpnc_tcpframe_init(&t->frame);
	ret = uv_tcp_init_ex(uv, &t->tcp, peer->sa_family);
	if (ret < 0) {
		free(t);
		return ret;
	}
	t->tcp.data = t;
	if (cbs->opened != NULL) {
		uv_os_fd_t fd;

		if (uv_fileno((uv_handle_t *)&t->tcp, &fd) == 0)
			cbs->opened(cbs->ctx, fd);
	}
	if (local != NULL) {
		ret = uv_tcp_bind(&t->tcp, local, 0);
		if (ret < 0)
			goto fail;
	}
	t->conn.data = t;
	ret = uv_tcp_connect(&t->conn, &t->tcp, peer, tcp_connected);
	if (ret < 0)
		goto fail;
	*out = &t->base;
	return 0;
fail:
	t->closed = true;
	uv_close((uv_handle_t *)&t->tcp, tcp_closed);
	return ret;
}

int vpnc_link_tcp_adopt(uv_loop_t *uv, int fd, const struct vpnc_link_cbs *cbs,
                        struct vpnc_link **out)
{
	struct link_tcp *t;
	int ret;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		close(fd);
		return -ENOMEM;
	}
	t->base.ops = &tcp_ops;
	t->base.cbs = *cbs;
	vpnc_tcpframe_init(&t->frame);
	ret = uv_tcp_init(uv, &t->tcp);
	if (ret < 0) {
		close(fd);
		free(t);
		return ret;
	}
	t->tcp.data = t;
	ret = uv_tcp_open(&t->tcp, fd);
	if (ret < 0) {
		close(fd); /* not the handle's yet */
		goto fail;
	}
	ret = tcp_start(t);
	if (ret < 0)
		goto fail;
	*out = &t->base;
	return 0;
fail:
	t->closed = true;
	uv_close((uv_handle_t *)&t->tcp, tcp_closed);
	return ret;
}
