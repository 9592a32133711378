/*
 * log.c: owns the daemon's log: the verb filter, OpenVPN's --mute, and the
 * one sink lines go to (terminal with timestamps, systemd journal with <N>
 * priorities, plain stderr, syslog, or a log file). One write(2) per line,
 * so lines from one process never interleave. See log.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"
#include "os/fsowner.h"
#include "vpnc/config.h"

/* Longest line written; longer messages are cut. */
#define VPNC_LOG_LINE_MAX 1024
/* Bytes of an engine message that name its mute category at most. */
#define VPNC_LOG_CAT_TEXT_MAX 64

int vpnc_log_verb = 1;

static enum vpnc_log_sink sink = VPNC_LOG_SINK_STDERR;
static bool sink_known;        /* terminal/journal/stderr detected */
static char ident[VPNC_LOG_IDENT_MAX];
static int saved_out = -1, saved_err = -1; /* stdout/stderr before --log redirected them */

/* --mute state, as OpenVPN keeps it. */
static int mute_cutoff;
static int mute_count;
static unsigned mute_cat;

/* syslog(3), replaceable by the unit test that includes this file. */
static void (*log_syslog_fn)(int, const char *, ...) = syslog;

void vpnc_log_set_verb(int verb)
{
	vpnc_log_verb = verb < 0 ? 0 : verb;
}

int vpnc_log_priority(int level)
{
	int lvl = level & VPNC_LOG_LEVEL_MASK;

	if (lvl == VPNC_LOG_FATAL)
		return LOG_ERR;
	if (level & VPNC_LOG_F_WARN)
		return LOG_WARNING;
	return lvl <= VPNC_LOG_NOTE ? LOG_INFO : LOG_DEBUG;
}

/* True when $JOURNAL_STREAM ("DEV:INODE") names the file stderr is open on. */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char *end;

	if (e == NULL || *e < '0' || *e > '9')
		return false;
	errno = 0;
	dev = strtoull(e, &end, 10);
	if (errno != 0 || *end != ':' || end[1] < '0' || end[1] > '9')
		return false;
	ino = strtoull(end + 1, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void vpnc_log_detect(void)
{
	sink_known = true;
	if (sink == VPNC_LOG_SINK_SYSLOG || sink == VPNC_LOG_SINK_FILE)
		return;
	if (stderr_is_journal())
		sink = VPNC_LOG_SINK_JOURNAL;
	else if (isatty(STDERR_FILENO))
		sink = VPNC_LOG_SINK_TERMINAL;
	else
		sink = VPNC_LOG_SINK_STDERR;
}

enum vpnc_log_sink vpnc_log_sink(void)
{
	if (!sink_known)
		vpnc_log_detect();
	return sink;
}

/* Formats one line for the current sink and writes it. */
static void log_write(int level, const char *fmt, va_list ap)
{
	char line[VPNC_LOG_LINE_MAX];
	size_t used = 0, start;
	int n;

	switch (vpnc_log_sink()) {
	case VPNC_LOG_SINK_TERMINAL:
	case VPNC_LOG_SINK_FILE: {
		time_t t = time(NULL);
		struct tm tm;
		if (localtime_r(&t, &tm) != NULL)
			used = strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S ", &tm);
		break;
	}
	case VPNC_LOG_SINK_JOURNAL:
		line[0] = '<';
		line[1] = (char)('0' + vpnc_log_priority(level));
		line[2] = '>';
		used = 3;
		break;
	default:
		break;
	}
	start = used;
	n = vsnprintf(line + used, sizeof(line) - used - 1, fmt, ap);
	if (n < 0)
		return;
	used += (size_t)n;
	if (used > sizeof(line) - 2)
		used = sizeof(line) - 2;
	for (size_t i = start; i < used; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c < 0x20 || c == 0x7f)
			line[i] = '?';
	}
	if (sink == VPNC_LOG_SINK_SYSLOG) {
		line[used] = '\0';
		log_syslog_fn(vpnc_log_priority(level), "%s", line);
		return;
	}
	line[used++] = '\n';
	/* A failed or short write to stderr has nowhere to be reported. */
	ssize_t w = write(STDERR_FILENO, line, used);
	(void)w;
}

/* Writes a line that bypasses the verb filter and muting (the mute's own notes). */
static void log_write_direct(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_write_direct(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_write(level, fmt, ap);
	va_end(ap);
}

/* Reports the messages a finished run dropped, if any. */
static void mute_report(void)
{
	if (mute_cutoff > 0 && mute_count > mute_cutoff)
		log_write_direct(VPNC_LOG_INFO, "%d variation(s) on previous %d message(s) suppressed by --mute",
		                 mute_count - mute_cutoff, mute_cutoff);
}

/* OpenVPN's dont_mute(): true when a message of category cat (and this level) may be shown. */
static bool mute_pass(int level, unsigned cat)
{
	if (mute_cutoff <= 0)
		return true;
	if ((level & VPNC_LOG_LEVEL_MASK) == VPNC_LOG_FATAL || (level & VPNC_LOG_F_WARN))
		cat = VPNC_LOG_CAT_NONE;
	if (cat != VPNC_LOG_CAT_NONE && cat == mute_cat) {
		if (mute_count == mute_cutoff)
			log_write_direct(VPNC_LOG_INFO, "NOTE: --mute triggered...");
		if (mute_count < INT32_MAX)
			mute_count++;
		return mute_count <= mute_cutoff;
	}
	mute_report();
	mute_count = 1;
	mute_cat = cat;
	return true;
}

void vpnc_log_set_mute(int n)
{
	mute_report();
	mute_cutoff = n > 0 ? n : 0;
	mute_count = 0;
	mute_cat = VPNC_LOG_CAT_NONE;
}

/* The mute category of a call site: its format string's address, never 0. */
static unsigned site_cat(const char *fmt)
{
	uint64_t x = (uint64_t)(uintptr_t)fmt;
	unsigned c = (unsigned)(x ^ (x >> 32));

	return c != VPNC_LOG_CAT_NONE ? c : 1u;
}

/* The mute category of a preformatted message: FNV-1a of its text up to a digit or ':'. */
static unsigned text_cat(const char *msg)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < VPNC_LOG_CAT_TEXT_MAX && msg[i] != '\0'; i++) {
		unsigned char c = (unsigned char)msg[i];
		if ((c >= '0' && c <= '9') || c == ':')
			break;
		h = (h ^ c) * 16777619u;
	}
	return h != VPNC_LOG_CAT_NONE ? h : 1u;
}

void vpnc_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (!vpnc_log_enabled(level) || !mute_pass(level, site_cat(fmt)))
		return;
	va_start(ap, fmt);
	log_write(level, fmt, ap);
	va_end(ap);
}

void vpnc_log_engine(void *ctx, int level, const char *msg)
{
	(void)ctx;
	if (vpnc_log_enabled(level) && mute_pass(level, text_cat(msg)))
		log_write_direct(level, "%s", msg);
}

/*
 * Where a log may go: a regular file, or a terminal or /dev/null (character
 * devices that take text); never a disk, /dev/mem or a FIFO a profile names.
 */
static bool log_target_ok(int fd, const struct stat *st)
{
	return S_ISREG(st->st_mode) || (S_ISCHR(st->st_mode) && (st->st_rdev == makedev(1, 3) || isatty(fd)));
}

int vpnc_log_open_file(const char *path, bool append)
{
	struct stat st;
	int fd, ret = 0;

	/* 0600 and truncated (or appended to), as OpenVPN's --log / --log-append; a symbolic link only
	 * if root or the profile's owner made it, and truncated only once it is known to be a regular
	 * file (os/fsowner.h). */
	fd = vpnc_fs_open(path, O_WRONLY | O_CREAT | O_NONBLOCK | (append ? O_APPEND : 0), 0600);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		ret = -errno;
	else if (!log_target_ok(fd, &st))
		ret = -EINVAL;
	else if (!append && S_ISREG(st.st_mode) && ftruncate(fd, 0) < 0)
		ret = -errno;
	else if (fcntl(fd, F_SETFL, append ? O_APPEND : 0) < 0) /* blocking again */
		ret = -errno;
	if (ret < 0) {
		close(fd);
		return ret;
	}
	/* Keep the original stdout/stderr once, so vpnc_log_close() can give them back. */
	if (saved_err < 0) {
		saved_out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
		saved_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	}
	/* As OpenVPN's --log: scripts' output lands in the file too, so both are redirected. */
	if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
		ret = -errno;
	close(fd);
	if (ret < 0)
		return ret;
	if (sink == VPNC_LOG_SINK_SYSLOG)
		closelog();
	tzset(); /* timestamps keep the local zone after a chroot */
	sink = VPNC_LOG_SINK_FILE;
	sink_known = true;
	return 0;
}

int vpnc_log_open_syslog(const char *name)
{
	if (sink == VPNC_LOG_SINK_FILE)
		return 0; /* a log file wins, as in OpenVPN */
	snprintf(ident, sizeof(ident), "%s", name != NULL && name[0] != '\0' ? name : "vpnc");
	/* LOG_NDELAY connects to /dev/log now, before any chroot. */
	openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	sink = VPNC_LOG_SINK_SYSLOG;
	sink_known = true;
	return 0;
}

void vpnc_log_close(void)
{
	mute_report();
	mute_count = 0;
	mute_cat = VPNC_LOG_CAT_NONE;
	if (sink == VPNC_LOG_SINK_SYSLOG)
		closelog();
	if (saved_err >= 0) {
		(void)dup2(saved_out, STDOUT_FILENO);
		(void)dup2(saved_err, STDERR_FILENO);
		close(saved_out);
		close(saved_err);
		saved_out = saved_err = -1;
	}
	sink = VPNC_LOG_SINK_STDERR;
	sink_known = false;
}

int vpnc_log_setup(const struct vpnc_config *conf)
{
	vpnc_log_set_verb(conf->verb);
	vpnc_log_set_mute(conf->mute);
	if (conf->log_path[0] != '\0')
		return vpnc_log_open_file(conf->log_path, conf->log_append);
	if (conf->syslog)
		return vpnc_log_open_syslog(conf->syslog_ident);
	return 0;
}
