/*
 * sleepwatch.c: owns the sd-bus connection that hears logind's
 * PrepareForSleep(b) (sleepwatch.h; docs/roaming.md, "Suspend and resume").
 *
 * The match names logind's well-known name as the sender, so the bus daemon
 * delivers the signal only when it comes from the process that owns
 * org.freedesktop.login1: no other local program can make vpnc think that
 * the system woke up. No inhibitor lock is taken: vpnc has nothing that must
 * be sent before the system sleeps (see docs/roaming.md).
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <systemd/sd-bus.h>

#include "os/sleepwatch.h"

#define VPNC_SLEEPWATCH_OPEN_USEC (2 * 1000 * 1000)

struct vpnc_sleepwatch {
	sd_bus *bus;
	unsigned seen;                   /* VPNC_SLEEP_* since the last process() */
};

static int on_prepare_for_sleep(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
	struct vpnc_sleepwatch *w = userdata;
	int sleeping = 0;

	(void)err;
	if (sd_bus_message_read(m, "b", &sleeping) < 0)
		return 0; /* a malformed signal is ignored, as if not sent */
	w->seen |= sleeping ? VPNC_SLEEP_SUSPEND : VPNC_SLEEP_RESUME;
	return 0;
}

int vpnc_sleepwatch_open(struct vpnc_sleepwatch **out)
{
	struct vpnc_sleepwatch *w = calloc(1, sizeof(*w));
	int ret;

	if (w == NULL)
		return -ENOMEM;
	ret = sd_bus_open_system(&w->bus);
	if (ret >= 0) /* the one blocking call (AddMatch), at start-up: bounded */
		(void)sd_bus_set_method_call_timeout(w->bus, VPNC_SLEEPWATCH_OPEN_USEC);
	if (ret >= 0)
		ret = sd_bus_match_signal(w->bus, NULL, "org.freedesktop.login1", "/org/freedesktop/login1",
		                          "org.freedesktop.login1.Manager", "PrepareForSleep",
		                          on_prepare_for_sleep, w);
	if (ret < 0) {
		sd_bus_flush_close_unref(w->bus);
		free(w);
		return ret == -ECONNREFUSED ? -ENOENT : ret;
	}
	*out = w;
	return 0;
}

int vpnc_sleepwatch_fd(const struct vpnc_sleepwatch *w)
{
	return sd_bus_get_fd(w->bus);
}

int vpnc_sleepwatch_events(struct vpnc_sleepwatch *w)
{
	int ev = sd_bus_get_events(w->bus);

	return ev < 0 ? POLLIN : ev;
}

int64_t vpnc_sleepwatch_timeout_ms(struct vpnc_sleepwatch *w)
{
	uint64_t until = 0;
	struct timespec ts;
	uint64_t now;

	if (sd_bus_get_timeout(w->bus, &until) < 0 || until == UINT64_MAX)
		return -1;
	if (until == 0 || clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	now = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	return until <= now ? 0 : (int64_t)((until - now + 999) / 1000);
}

int vpnc_sleepwatch_process(struct vpnc_sleepwatch *w)
{
	unsigned seen;
	int ret;

	/* Bounded: sd_bus_process() handles one message per call and returns 0 once idle. */
	for (int i = 0; i < 64; i++) {
		ret = sd_bus_process(w->bus, NULL);
		if (ret < 0)
			return ret;
		if (ret == 0)
			break;
	}
	seen = w->seen;
	w->seen = 0;
	return (int)seen;
}

void vpnc_sleepwatch_close(struct vpnc_sleepwatch *w)
{
	if (w == NULL)
		return;
	sd_bus_flush_close_unref(w->bus);
	free(w);
}
