/*
 * log.h: the daemon's logger: one line per event, filtered by the
 * OpenVPN-style --verb level (0 fatal errors only, 1 normal, 3 more detail,
 * 4 options and notes, 7+ debug) and thinned by --mute, written to one sink:
 *
 *   terminal  stderr is a tty: "YYYY-MM-DD HH:MM:SS message";
 *   journal   stderr is systemd's journal stream ($JOURNAL_STREAM names its
 *             device and inode): "<N>message" with N the syslog priority,
 *             no timestamp (the journal keeps its own);
 *   stderr    anything else (a pipe, a file, a service whose stderr is not
 *             the journal): the bare message;
 *   syslog    --syslog [name]: syslog(3), facility daemon, the priority;
 *   file      --log FILE / --log-append FILE: stdout and stderr are
 *             redirected to the file (as OpenVPN does), lines get timestamps.
 * A log file wins over syslog, which wins over stderr.
 *
 * A message is formatted only when its level passes the filter, so a call at
 * a high level costs one comparison. Control characters in a message (which
 * may quote text from the server) are replaced, so one call is one line.
 * Each line is one write(2), so lines never interleave.
 *
 * --mute N follows OpenVPN: every message has a mute category, and of a run
 * of consecutive messages of the same category only the first N are shown;
 * when the (N+1)th is dropped, "NOTE: --mute triggered..." is logged, and
 * when a message of another category ends the run, "K variation(s) on
 * previous N message(s) suppressed by --mute". Categories: the call site
 * (the format string) for vpnc_log(), the text up to the first digit or
 * ':' for engine messages; category 0, fatal errors and warnings are never
 * muted (they end a run, as OpenVPN's M_FATAL and M_WARN messages do).
 * Muting applies after the verb filter.
 *
 * Ownership: the module owns the log file descriptor (close-on-exec) and a
 * copy of the syslog name; vpnc_log_close() releases both. Not thread safe:
 * call it from the loop thread. Nothing logged may contain a secret.
 */
#ifndef VPNC_DAEMON_LOG_H
#define VPNC_DAEMON_LOG_H

#include <stdbool.h>

struct vpnc_config;

#define VPNC_LOG_FATAL 0
#define VPNC_LOG_INFO 1
#define VPNC_LOG_MORE 3
#define VPNC_LOG_NOTE 4
#define VPNC_LOG_DEBUG 7

/* The verb level is the low byte; the flag marks a warning (priority, never muted). */
#define VPNC_LOG_LEVEL_MASK 0xff
#define VPNC_LOG_F_WARN 0x100
#define VPNC_LOG_WARN (VPNC_LOG_INFO | VPNC_LOG_F_WARN)

/* Mute category 0: never muted. */
#define VPNC_LOG_CAT_NONE 0u

/* Longest syslog name kept (longer names are cut). */
#define VPNC_LOG_IDENT_MAX 64

enum vpnc_log_sink {
	VPNC_LOG_SINK_STDERR,
	VPNC_LOG_SINK_TERMINAL,
	VPNC_LOG_SINK_JOURNAL,
	VPNC_LOG_SINK_SYSLOG,
	VPNC_LOG_SINK_FILE,
};

/* The current verb; read through vpnc_log_enabled(). */
extern int vpnc_log_verb;

static inline bool vpnc_log_enabled(int level)
{
	return (level & VPNC_LOG_LEVEL_MASK) <= vpnc_log_verb;
}

/* Sets the verb level (negative values count as 0). */
void vpnc_log_set_verb(int verb);

/* Sets --mute N (0 or negative: off); a run in progress is reported first. */
void vpnc_log_set_mute(int n);

/*
 * Applies the config's verb, mute, 'log'/'log-append' and 'syslog'. Call it
 * once, before dropping privileges (the log file is opened here). Returns 0
 * or the negative errno of opening the log file (logging stays on stderr).
 */
int vpnc_log_setup(const struct vpnc_config *conf);

/*
 * Redirects stdout and stderr to `path` (created 0600, truncated unless
 * append) and logs there with timestamps. Returns 0 or a negative errno code.
 */
int vpnc_log_open_file(const char *path, bool append);

/* Logs through syslog(3) as `ident` (NULL: "vpnc"), connected at once. */
int vpnc_log_open_syslog(const char *ident);

/* Reports a pending mute run, closes syslog and the log file, back to stderr. */
void vpnc_log_close(void);

/* Looks at stderr and the environment again to pick terminal/journal/stderr. */
void vpnc_log_detect(void);

/* The sink lines go to now. */
enum vpnc_log_sink vpnc_log_sink(void);

/* The syslog priority (LOG_ERR ... LOG_DEBUG) of a level: also the journal's <N>. */
int vpnc_log_priority(int level);

/* Writes one line if level <= verb; its mute category is the call site. */
void vpnc_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adapter with the engine's vpnc_log_fn signature (ctx unused). */
void vpnc_log_engine(void *ctx, int level, const char *msg);

#endif
