/*
 * log.h: the daemon's logger: one line per event on stderr, filtered by the
 * OpenVPN-style --verb level (0 fatal errors only, 1 normal, 3 more detail,
 * 4 options and notes, 7+ debug), with a timestamp when stderr is a terminal.
 *
 * A message is formatted only when its level passes the filter, so a call at
 * a high level costs one comparison. Control characters in a message (which
 * may quote text from the server) are replaced, so one call is one line.
 */
#ifndef VPNC_DAEMON_LOG_H
#define VPNC_DAEMON_LOG_H

#include <stdbool.h>

#define VPNC_LOG_FATAL 0
#define VPNC_LOG_INFO 1
#define VPNC_LOG_MORE 3
#define VPNC_LOG_NOTE 4
#define VPNC_LOG_DEBUG 7

/* The current verb; read through vpnc_log_enabled(). */
extern int vpnc_log_verb;

static inline bool vpnc_log_enabled(int level) { return level <= vpnc_log_verb; }

/* Sets the verb level (negative values count as 0). */
void vpnc_log_set_verb(int verb);

/* Writes one line if level <= verb. */
void vpnc_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adapter with the engine's vpnc_log_fn signature (ctx unused). */
void vpnc_log_engine(void *ctx, int level, const char *msg);

/* Adapter for config notes (printed at verb 4 and above). */
void vpnc_log_note(void *ctx, const char *msg);

#endif
