/*
 * sdwatchdog.h: systemd's service watchdog on the daemon's libuv loop.
 *
 * When the unit sets WatchdogSec=, systemd passes $WATCHDOG_USEC and kills
 * (and, with Restart=on-failure, restarts) the service if no "WATCHDOG=1"
 * arrives within that time. vpnc_sd_watchdog_start() arms a repeating timer
 * at half the interval that sends it, so a loop that stops turning (a hang,
 * a busy spin outside libuv) stops the keep-alives and systemd steps in.
 *
 * Ownership: struct vpnc_sd_watchdog is caller-owned storage (embed it in
 * the loop's state); it holds a uv_timer_t that vpnc_sd_watchdog_stop()
 * closes. The timer is unreferenced, so it never keeps the loop alive.
 * Needs vpnc_sd_open() to have connected the notify socket.
 */
#ifndef VPNC_DAEMON_SDWATCHDOG_H
#define VPNC_DAEMON_SDWATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

struct vpnc_sd_watchdog {
	uv_timer_t timer;
	bool active;          /* the timer was initialised and must be closed */
	uint64_t period_ms;   /* keep-alive period, half of WATCHDOG_USEC */
};

/*
 * Starts the keep-alive timer when systemd asked for a watchdog. Returns 1
 * when started, 0 when no watchdog is configured for this process, or a
 * negative errno code (a malformed WATCHDOG_USEC, or a libuv error).
 */
int vpnc_sd_watchdog_start(struct vpnc_sd_watchdog *w, uv_loop_t *loop);

/* Stops and closes the timer; safe to call when it was never started. */
void vpnc_sd_watchdog_stop(struct vpnc_sd_watchdog *w);

#endif
