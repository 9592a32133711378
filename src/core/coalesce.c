/*
 * coalesce.c: the wakeup-coalescing policy (coalesce.h): a packet rate
 * measured over short windows, and the decision to sleep before polling.
 */
#include "core/coalesce.h"

/* Longer gaps than this are all the same: not bulk. */
#define VPNC_COALESCE_ELAPSED_CAP_NS (3600ull * 1000000000ull)

void vpnc_coalesce_init(struct vpnc_coalesce *c, uint32_t delay_us, uint64_t now_ns)
{
	if (delay_us > VPNC_COALESCE_MAX_US)
		delay_us = VPNC_COALESCE_MAX_US;
	c->delay_ns = delay_us * 1000u;
	c->hot = false;
	c->win_start = now_ns;
	c->win_pkts = 0;
	c->iter_pkts = 0;
	c->sleeps = 0;
}

uint32_t vpnc_coalesce_idle(struct vpnc_coalesce *c, uint64_t now_ns)
{
	uint32_t n = c->iter_pkts;
	uint64_t elapsed;

	c->iter_pkts = 0;
	if (c->delay_ns == 0)
		return 0;
	c->win_pkts += n;
	elapsed = now_ns >= c->win_start ? now_ns - c->win_start : 0;
	if (elapsed >= VPNC_COALESCE_WINDOW_NS) {
		/*
		 * The rate over the whole time elapsed, so a quiet second followed
		 * by one packet is not bulk. With elapsed capped at an hour and
		 * win_pkts far below 2^32, neither product overflows.
		 */
		if (elapsed > VPNC_COALESCE_ELAPSED_CAP_NS)
			elapsed = VPNC_COALESCE_ELAPSED_CAP_NS;
		if (c->win_pkts > UINT32_MAX)
			c->win_pkts = UINT32_MAX;
		c->hot = c->win_pkts * VPNC_COALESCE_WINDOW_NS >= VPNC_COALESCE_HOT_PKTS * elapsed;
		c->win_start = now_ns;
		c->win_pkts = 0;
	}
	if (!c->hot || n == 0 || n >= VPNC_COALESCE_FULL_PKTS)
		return 0;
	c->sleeps++;
	return c->delay_ns;
}
