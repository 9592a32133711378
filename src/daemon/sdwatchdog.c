/*
 * sdwatchdog.c: owns the libuv timer that sends systemd's "WATCHDOG=1"
 * keep-alives at half the interval given in $WATCHDOG_USEC. See sdwatchdog.h.
 */
#include <string.h>

#include "daemon/sdnotify.h"
#include "daemon/sdwatchdog.h"

static void on_watchdog(uv_timer_t *t)
{
	/* A failed send is retried at the next tick; systemd acts if they all fail. */
	(void)vpnc_sd_watchdog();
}

int vpnc_sd_watchdog_start(struct vpnc_sd_watchdog *w, uv_loop_t *loop)
{
	uint64_t usec = 0;
	int ret;

	memset(w, 0, sizeof(*w));
	ret = vpnc_sd_watchdog_usec(&usec);
	if (ret <= 0)
		return ret;
	w->period_ms = vpnc_sd_watchdog_period_ms(usec);
	ret = uv_timer_init(loop, &w->timer);
	if (ret < 0)
		return ret;
	w->active = true;
	uv_unref((uv_handle_t *)&w->timer);
	/* The first keep-alive at once, so a slow start is covered too. */
	(void)vpnc_sd_watchdog();
	ret = uv_timer_start(&w->timer, on_watchdog, w->period_ms, w->period_ms);
	if (ret < 0) {
		vpnc_sd_watchdog_stop(w);
		return ret;
	}
	return 1;
}

void vpnc_sd_watchdog_stop(struct vpnc_sd_watchdog *w)
{
	if (!w->active)
		return;
	w->active = false;
	uv_timer_stop(&w->timer);
	if (!uv_is_closing((uv_handle_t *)&w->timer))
		uv_close((uv_handle_t *)&w->timer, NULL);
}
