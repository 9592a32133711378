/*
 * loop_data.c: the event loop's packet path: link input (each packet
 * decrypted into the TUN write buffer, merged TUN writes flushed once per
 * batch), TUN input (frames read, split and encrypted straight into the
 * link's send buffers), draining the engine's output to the link, pausing
 * the TUN while a TCP link is busy, and wakeup coalescing before each poll
 * (core/coalesce.h). Nothing here allocates or formats per packet; a log
 * line is built only for a failure, once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netinet/in.h>

#include "daemon/log.h"
#include "daemon/loop_int.h"

/* Sends everything the engine has queued for the link, built in the link's own slots if it has them. */
void loop_drain_link_out(struct loop *l, uint64_t now)
{
	struct vpnc_buf out;

	for (int i = 0; i < VPNC_LINK_OUT_BUDGET && l->eng != NULL; i++) {
		uint8_t *base = vpnc_link_tx_buf(l->link);
		vpnc_buf_init(&out, base != NULL ? base : loop_buf(l, VPNC_BUF_LINK_TX), VPNC_PKT_BUF,
		              VPNC_HEADROOM);
		if (vpnc_engine_link_out(l->eng, now, &out) <= 0)
			break;
		if (l->link != NULL)
			(void)vpnc_link_send(l->link, vpnc_buf_data(&out), out.len);
	}
	/* A send refused at once (no route): its hint, once per attempt. */
	int ret = vpnc_link_flush(l->link);
	if (ret < 0 && ret != -EAGAIN && l->eng != NULL)
		loop_hint_link_error(l, ret);
	if (l->shaper_bps > 0) /* 'shaper' (loop_shaper.c) */
		loop_shaper_wrote(l);
}

static void on_link_packet(void *ctx, const uint8_t *pkt, size_t len)
{
	struct loop *l = ctx;
	struct vpnc_buf tun_out;
	uint64_t now = uv_now(&l->uv);

	if (l->eng == NULL)
		return;
	vpnc_coalesce_count(&l->coal, 1);
	vpnc_buf_init(&tun_out, loop_buf(l, VPNC_BUF_TUN_TX), VPNC_PKT_BUF, VPNC_HEADROOM);
	if (vpnc_engine_link_in(l->eng, now, pkt, len, &tun_out) == 1)
		vpnc_tunio_write(&l->tio, &tun_out);
}

/* Once per receive batch: merged packets to the TUN, then the engine's answers to the link. */
static void on_link_batch_end(void *ctx)
{
	struct loop *l = ctx;

	vpnc_tunio_flush(&l->tio);
	loop_drain_link_out(l, uv_now(&l->uv));
	l->dirty = true;
}

static void on_link_error(void *ctx, int err)
{
	struct loop *l = ctx;

	/* A datagram above the path MTU, or an ICMP that says so: the engine's limits follow it. */
	if (err == UV_EMSGSIZE)
		loop_pmtu_emsgsize(l);
	/* ICMP errors on a connected UDP socket (server not listening yet): the engine retries. */
	if (err != l->last_link_err)
		vpnc_log(VPNC_LOG_MORE, "link error: %s", uv_strerror(err));
	l->last_link_err = err;
	loop_hint_link_error(l, err); /* refused or unreachable: once per attempt, at verb 1 */
}

/* A TCP connection failed, was reset or ended: restart once this iteration's input is handled. */
static void on_link_down(void *ctx, int err)
{
	struct loop *l = ctx;

	l->link_down = true;
	l->link_down_err = err;
	l->dirty = true;
}

void loop_tun_resume(struct loop *l)
{
	if (!l->tun_paused)
		return;
	l->tun_paused = false;
	loop_tun_poll_update(l); /* unless the shaper holds it (loop_shaper.c) */
}

static void on_link_writable(void *ctx)
{
	loop_tun_resume(ctx);
}

void loop_on_tun_readable(uv_poll_t *h, int status, int events)
{
	struct loop *l = h->data;
	bool up = l->eng != NULL && vpnc_engine_state(l->eng) == VPNC_ST_CONNECTED;
	uint64_t now = uv_now(&l->uv);
	int ret;

	(void)status; /* an error shows up as a failing read() */
	(void)events;
	ret = vpnc_tunio_read(&l->tio, up ? l->eng : NULL, up ? l->link : NULL, now,
	                      loop_buf(l, VPNC_BUF_LINK_TX));
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Reading from %s failed: %s.", l->tun.name, strerror(-ret));
		loop_shutdown(l, 1);
		return;
	}
	vpnc_coalesce_count(&l->coal, (uint32_t)ret);
	if (up) {
		loop_drain_link_out(l, now);
		l->dirty = true;
		if (vpnc_link_busy(l->link) && !l->tun_paused) {
			l->tun_paused = true;
			loop_tun_poll_update(l);
		}
	}
}

/*
 * Runs just before the loop polls: during a bulk transfer whose wakeups find
 * only a few packets each, sleeps a little so that the next wakeup finds a
 * batch (core/coalesce.h). Signals cut the sleep short.
 */
static void on_prepare(uv_prepare_t *p)
{
	struct loop *l = p->data;
	uint32_t ns = vpnc_coalesce_idle(&l->coal, uv_hrtime());

	if (ns > 0) {
		struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)ns };
		(void)nanosleep(&ts, NULL);
	}
}

/* The link callbacks of every attempt; the caller sets .ctx. */
/* A SOCKS UDP relay (link_socks.c): the kill switch lets it through. */
static int on_link_endpoint(void *ctx, const struct sockaddr *sa, int proto)
{
	return proto == IPPROTO_UDP ? loop_ks_relay(ctx, sa) : -EPROTONOSUPPORT;
}

/* The link socket exists: 'mark' goes on it before it binds or connects. */
static void on_link_opened(void *ctx, int fd)
{
	loop_priv_mark(ctx, fd);
}

const struct vpnc_link_cbs loop_link_cbs_template = {
	.endpoint = on_link_endpoint,
	.opened = on_link_opened,
	.packet = on_link_packet,
	.error = on_link_error,
	.down = on_link_down,
	.writable = on_link_writable,
	.batch_end = on_link_batch_end,
	.ctx = NULL,
};

int loop_coalesce_start(struct loop *l)
{
	int ret;

	vpnc_coalesce_init(&l->coal, (uint32_t)l->conf->coalesce_us, uv_hrtime()); /* 'coalesce-us' */
	if ((ret = uv_prepare_init(&l->uv, &l->prepare)) < 0)
		return ret;
	l->prepare.data = l;
	if ((ret = uv_prepare_start(&l->prepare, on_prepare)) < 0)
		return ret;
	/* Like the check handle, it must not keep the loop alive on its own. */
	uv_unref((uv_handle_t *)&l->prepare);
	return 0;
}
