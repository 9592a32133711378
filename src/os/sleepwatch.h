/*
 * sleepwatch.h: hearing that the system goes to sleep and wakes up.
 *
 * systemd-logind announces both with the signal PrepareForSleep(b) of
 * org.freedesktop.login1.Manager on the system bus: true before the system
 * sleeps, false after it has resumed. The watch is one sd-bus connection
 * with a match for that signal from the owner of org.freedesktop.login1; the
 * caller polls its fd (events and timeout as sd-bus asks) and calls
 * vpnc_sleepwatch_process() when it is ready. Nothing here blocks after
 * vpnc_sleepwatch_open() and nothing here logs.
 */
#ifndef VPNC_OS_SLEEPWATCH_H
#define VPNC_OS_SLEEPWATCH_H

#include <stdint.h>

struct vpnc_sleepwatch;

/* What vpnc_sleepwatch_process() saw (a bit set: a short sleep can bring both). */
#define VPNC_SLEEP_SUSPEND 1u  /* PrepareForSleep(true): about to sleep */
#define VPNC_SLEEP_RESUME 2u   /* PrepareForSleep(false): woke up */

/* Connects to the system bus and adds the match. 0, or a negative errno code (-ENOENT: no bus). */
int vpnc_sleepwatch_open(struct vpnc_sleepwatch **out);

/* The fd to poll, the poll(2) events sd-bus wants on it now, and how long until
 * it must be processed anyway (ms; -1 = no limit). */
int vpnc_sleepwatch_fd(const struct vpnc_sleepwatch *w);
int vpnc_sleepwatch_events(struct vpnc_sleepwatch *w);
int64_t vpnc_sleepwatch_timeout_ms(struct vpnc_sleepwatch *w);

/* Reads and dispatches what is there: a VPNC_SLEEP_* bit set (0: nothing of interest), or a
 * negative errno code when the bus connection is gone (then close the watch). */
int vpnc_sleepwatch_process(struct vpnc_sleepwatch *w);

void vpnc_sleepwatch_close(struct vpnc_sleepwatch *w);

#endif
