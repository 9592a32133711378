/*
 * loop_shaper.c: 'shaper N', OpenVPN 2.6's limit on the bytes per second
 * sent to the server. 2.6's rule: after a datagram of b bytes (with its
 * outer IP and UDP or TCP header) is handed to the socket, the next write
 * waits at least b / N seconds. vpnc keeps the time the next write may go;
 * after each drain of the engine's output it adds what was sent (the
 * engine's link byte and packet counters, so the packet path itself does
 * nothing more) and, while that time is more than a millisecond away (2.6
 * waits only from a millisecond too), stops reading the TUN device and arms
 * a timer. Packets wait in the device's queue as they wait in 2.6's. The
 * engine's own control and keepalive packets are counted but never held.
 * The rate is the profile's or, once pushed, the server's (as 2.6 applies
 * a pushed 'shaper'). Without either, none of this runs.
 */
#include <stdint.h>

#include "daemon/log.h"
#include "daemon/loop_int.h"

#define NS_PER_S 1000000000ull
#define NS_PER_MS 1000000ull

/* Starts or stops polling the TUN device: only while the link takes packets and the shaper lets it. */
void loop_tun_poll_update(struct loop *l)
{
	if (l->tun.fd < 0 || l->closing || l->tun_poll.type != UV_POLL)
		return;
	if (l->tun_paused || l->shaper_wait)
		(void)uv_poll_stop(&l->tun_poll);
	else
		(void)uv_poll_start(&l->tun_poll, UV_READABLE, loop_on_tun_readable);
}

static void on_shaper_timer(uv_timer_t *t)
{
	struct loop *l = t->data;

	l->shaper_wait = false;
	loop_tun_poll_update(l);
}

int loop_shaper_start(struct loop *l)
{
	int ret;

	l->shaper_bps = l->conf->shaper > 0 ? l->conf->shaper : 0;
	if ((ret = uv_timer_init(&l->uv, &l->shaper_timer)) < 0)
		return ret;
	l->shaper_timer.data = l;
	return 0;
}

/*
 * A pushed 'shaper N': 2.6 takes it (OPT_P_SHAPER) and sets its shaper to N
 * at once; the rate then stays for later connections of the run (2.6 does
 * not restore it before a pull). A TUN device already open keeps its
 * offloads: a super-packet leaves as one burst, and the wait after it keeps
 * the average at N.
 */
void loop_shaper_pushed(struct loop *l, int bps)
{
	if (bps <= 0 || bps == l->shaper_bps)
		return;
	vpnc_log(VPNC_LOG_INFO, "shaper: the server set it to %d bytes per second%s", bps,
	         l->tun.fd >= 0 && l->offload && !l->conf->dev_tap ? " (the TUN device keeps its offloads: "
	         "'tun-offload no' in the profile spaces single packets as 2.6 does)" : "");
	l->shaper_bps = bps;
	l->tio.one_per_read = true;
}

/* 2.6's datagram_overhead(): the outer IP header and the UDP or TCP header of each link packet. */
void loop_shaper_attempt(struct loop *l, bool tcp, bool ipv6)
{
	l->shaper_overhead = (tcp ? 20u : 8u) + (ipv6 ? 40u : 20u);
}

void loop_shaper_wrote(struct loop *l)
{
	const struct vpnc_stats *st;
	uint64_t bytes, now, wait;

	if (l->eng == NULL)
		return;
	st = vpnc_engine_stats(l->eng);
	/* A new engine (a reconnect) starts its counters at zero. */
	if (l->shaper_eng != l->eng || st->link_out_bytes < l->shaper_bytes ||
	    st->link_out_pkts < l->shaper_pkts) {
		l->shaper_eng = l->eng;
		l->shaper_bytes = l->shaper_pkts = 0;
	}
	bytes = (st->link_out_bytes - l->shaper_bytes) +
	        (st->link_out_pkts - l->shaper_pkts) * l->shaper_overhead;
	l->shaper_bytes = st->link_out_bytes;
	l->shaper_pkts = st->link_out_pkts;
	if (bytes == 0)
		return;
	now = uv_hrtime();
	if (l->shaper_next < now)
		l->shaper_next = now;
	l->shaper_next += bytes * NS_PER_S / (uint64_t)l->shaper_bps;
	wait = l->shaper_next - now;
	if (wait < NS_PER_MS || l->shaper_wait)
		return;
	l->shaper_wait = true;
	loop_tun_poll_update(l);
	(void)uv_timer_start(&l->shaper_timer, on_shaper_timer, (wait + NS_PER_MS - 1) / NS_PER_MS, 0);
}
