/*
 * coalesce.h: wakeup coalescing for the data path, the daemon's counterpart
 * of a network card's adaptive interrupt moderation. Pure policy: the caller
 * counts the packets each loop iteration handled and asks, just before the
 * loop blocks, how long to sleep first. Time is passed in (nanoseconds), so
 * tests drive it without a clock.
 *
 * Why: a stock server sends one datagram (or one TCP write) at a time, and a
 * client that keeps up wakes once per packet; on a VM each wakeup costs more
 * than the packet's crypto. When the packet rate is high but each wakeup
 * finds only a few packets, a short sleep before the next poll lets a batch
 * build up in the socket and TUN queues, so one wakeup, one recvmmsg and one
 * GRO-merged TUN write serve many packets. A lone packet (a ping, a DNS
 * query, a keepalive) never waits: the rate test keeps the sleep off until
 * the traffic is a bulk transfer, and then it adds at most the delay to a
 * packet's latency.
 */
#ifndef VPNC_COALESCE_H
#define VPNC_COALESCE_H

#include <stdbool.h>
#include <stdint.h>

/* Default sleep before polling again while coalescing, in microseconds. */
#define VPNC_COALESCE_DEFAULT_US 200
/* Largest delay accepted from the caller, in microseconds. */
#define VPNC_COALESCE_MAX_US 5000
/* The rate is judged over windows of this many nanoseconds. */
#define VPNC_COALESCE_WINDOW_NS 1000000u
/* Packets per window from which traffic counts as bulk (16 per ms: ~190 Mbit/s of full packets). */
#define VPNC_COALESCE_HOT_PKTS 16u
/* An iteration that handled this many packets or more is batched well enough already. */
#define VPNC_COALESCE_FULL_PKTS 32u

struct vpnc_coalesce {
	uint32_t delay_ns;      /* 0: coalescing off */
	bool hot;               /* the last full window was bulk traffic */
	uint64_t win_start;     /* ns; start of the current window */
	uint64_t win_pkts;      /* packets counted in the current window */
	uint32_t iter_pkts;     /* packets counted since the last vpnc_coalesce_idle() */
	uint64_t sleeps;        /* how often a sleep was asked for (statistics) */
};

/* Sets up c with a sleep of delay_us microseconds (0 turns coalescing off, larger than the maximum is capped). */
void vpnc_coalesce_init(struct vpnc_coalesce *c, uint32_t delay_us, uint64_t now_ns);

/* Counts n packets (datagrams, TCP frames or TUN segments) handled in this loop iteration. */
static inline void vpnc_coalesce_count(struct vpnc_coalesce *c, uint32_t n)
{
	c->iter_pkts += n;
}

/*
 * Ends a loop iteration: returns how many nanoseconds to sleep before
 * polling again (0: poll at once). A sleep is asked for only when the
 * packet rate over the last window was bulk and this iteration handled some
 * packets but fewer than a full batch.
 */
uint32_t vpnc_coalesce_idle(struct vpnc_coalesce *c, uint64_t now_ns);

#endif
