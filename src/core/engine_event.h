/*
 * engine_event.h: how the engine's files report (engine_event.c): events and
 * state changes for the caller, the end of a session with its cause, log
 * lines, and drop counters. Nothing declared here calls back into the rest
 * of the engine.
 */
#ifndef VPNC_CORE_ENGINE_EVENT_H
#define VPNC_CORE_ENGINE_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "vpnc/engine.h"

void vpnc__log(struct vpnc_engine *e, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Formats only when the line will be logged (needs core/engine_int.h for the fields). */
#define VPNC_LOG(e, lvl, ...)                        \
	do {                                         \
		if ((e)->log != NULL && (e)->verb >= (lvl)) \
			vpnc__log((e), (lvl), __VA_ARGS__);  \
	} while (0)
/*
 * A log line the peer can cause again and again (its messages, its refused
 * options, its renegotiations): rate-limited by e->peer_log (loglimit.h).
 * `now` is the caller's monotonic time in ms.
 */
void vpnc__peer_log(struct vpnc_engine *e, uint64_t now, int level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define VPNC_PEER_LOG(e, now, lvl, ...)                          \
	do {                                                      \
		if ((e)->log != NULL && (e)->verb >= (lvl))       \
			vpnc__peer_log((e), (now), (lvl), __VA_ARGS__); \
	} while (0)
/* Counts a dropped packet (the first of each kind is logged once); returns code. */
int vpnc__drop(struct vpnc_engine *e, enum vpnc_drop why, int code);
void vpnc__event(struct vpnc_engine *e, enum vpnc_event_type type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vpnc__set_state(struct vpnc_engine *e, enum vpnc_state st);
/*
 * Ends the session: a restart (retry) or a fatal failure, with its cause (what
 * the caller acts on, e.g. the exit code) and one sentence. Only the first call
 * of a session counts.
 */
void vpnc__fail(struct vpnc_engine *e, enum vpnc_cause cause, bool fatal, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The server's RESTART: a restart with VPNC_CAUSE_SERVER_RESTART and its VPNC_RESTART_* flags. */
void vpnc__fail_restart(struct vpnc_engine *e, unsigned restart_flags, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
