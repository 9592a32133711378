/*
 * loop_sleep.c: owns suspend and resume (docs/roaming.md, "Suspend and
 * resume"): the sd-bus connection of os/sleepwatch.h driven by the libuv
 * loop (a poll handle on its fd with the events sd-bus asks for, a timer for
 * its timeouts), and what a resume means: the path to the server is proved
 * at once through loop_roam_recheck(), exactly as after a network change.
 * After a sleep the server has often dropped the session (its keepalive ran
 * out) and NAT state on the way is gone; without this vpnc would notice only
 * at ping-restart. Going to sleep is only logged: nothing has to be sent
 * first, so no inhibitor lock is taken.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include <uv.h>

#include "daemon/log.h"
#include "daemon/loop_int.h"
#include "os/sleepwatch.h"

static void sleep_run(struct loop *l);

static void on_sleep_poll(uv_poll_t *h, int status, int events)
{
	(void)status;
	(void)events;
	sleep_run(h->data);
}

static void on_sleep_timer(uv_timer_t *t)
{
	sleep_run(t->data);
}

static void sw_poll_closed(uv_handle_t *h)
{
	struct loop *l = h->data;

	vpnc_sleepwatch_close(l->sw);
	l->sw = NULL;
}

/* Stops watching (bus gone or shutdown); the watch is freed once its poll handle is closed. */
static void sleep_close(struct loop *l)
{
	if (l->sw_timer.type == UV_TIMER && !uv_is_closing((uv_handle_t *)&l->sw_timer))
		uv_close((uv_handle_t *)&l->sw_timer, NULL);
	if (l->sw != NULL && l->sw_poll.type == UV_POLL && !uv_is_closing((uv_handle_t *)&l->sw_poll))
		uv_close((uv_handle_t *)&l->sw_poll, sw_poll_closed);
}

/* Asks sd-bus what it waits for next: fd events and a deadline. */
static int sleep_arm(struct loop *l)
{
	int ev = vpnc_sleepwatch_events(l->sw), uvev = 0, ret;
	int64_t ms = vpnc_sleepwatch_timeout_ms(l->sw);

	if (ev & POLLIN)
		uvev |= UV_READABLE;
	if (ev & POLLOUT)
		uvev |= UV_WRITABLE;
	ret = uv_poll_start(&l->sw_poll, uvev != 0 ? uvev : UV_READABLE, on_sleep_poll);
	if (ret == 0 && ms >= 0)
		ret = uv_timer_start(&l->sw_timer, on_sleep_timer, (uint64_t)ms, 0);
	else if (ret == 0)
		ret = uv_timer_stop(&l->sw_timer);
	return ret;
}

static void sleep_run(struct loop *l)
{
	int ret;

	if (l->sw == NULL || l->closing)
		return;
	ret = vpnc_sleepwatch_process(l->sw);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_WARN, "Lost the system bus (%s); no longer watching for suspend and resume",
		         strerror(-ret));
		sleep_close(l);
		return;
	}
	if ((ret & VPNC_SLEEP_SUSPEND) && !(ret & VPNC_SLEEP_RESUME))
		vpnc_log(VPNC_LOG_MORE, "The system is going to sleep");
	if (ret & VPNC_SLEEP_RESUME) {
		vpnc_log(VPNC_LOG_MORE, "The system resumed from sleep");
		loop_roam_recheck(l, "the system resumed from sleep");
	}
	if ((ret = sleep_arm(l)) < 0) {
		vpnc_log(VPNC_LOG_WARN, "Cannot watch for suspend and resume (%s)", uv_strerror(ret));
		sleep_close(l);
	}
}

int loop_sleep_start(struct loop *l)
{
	int ret;

	l->sw = NULL;
	ret = vpnc_sleepwatch_open(&l->sw);
	if (ret < 0) {
		/* Containers and minimal systems have no system bus: not worth more than verb 4. */
		vpnc_log(VPNC_LOG_NOTE, "Not watching for suspend and resume: no system bus (%s)", strerror(-ret));
		l->sw = NULL;
		return 0;
	}
	ret = uv_timer_init(&l->uv, &l->sw_timer);
	if (ret == 0) {
		l->sw_timer.data = l;
		ret = uv_poll_init(&l->uv, &l->sw_poll, vpnc_sleepwatch_fd(l->sw));
	}
	if (ret == 0) {
		l->sw_poll.data = l;
		ret = sleep_arm(l);
	}
	if (ret < 0) {
		vpnc_log(VPNC_LOG_NOTE, "Not watching for suspend and resume (%s)", uv_strerror(ret));
		if (l->sw_poll.type == UV_POLL) {
			sleep_close(l);
		} else {
			if (l->sw_timer.type == UV_TIMER)
				uv_close((uv_handle_t *)&l->sw_timer, NULL);
			vpnc_sleepwatch_close(l->sw);
			l->sw = NULL;
		}
		return 0;
	}
	/* Like the network watch: watching alone must not keep the loop alive. */
	uv_unref((uv_handle_t *)&l->sw_poll);
	uv_unref((uv_handle_t *)&l->sw_timer);
	return 0;
}

void loop_sleep_stop(struct loop *l)
{
	sleep_close(l);
}
