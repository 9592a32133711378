/*
 * log.c: owns the daemon's stderr log: level filter, optional timestamp, one
 * write(2) per line so lines from one process never interleave.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"

/* Longest line written; longer messages are cut. */
#define VPNC_LOG_LINE_MAX 1024

int vpnc_log_verb = 1;

static int tty_state = -1; /* -1 unknown, 0 no, 1 yes */

void vpnc_log_set_verb(int verb)
{
	vpnc_log_verb = verb < 0 ? 0 : verb;
}

static void log_write(const char *msg, va_list ap)
{
	char line[VPNC_LOG_LINE_MAX];
	size_t used = 0;

	if (tty_state < 0)
		tty_state = isatty(STDERR_FILENO) ? 1 : 0;
	if (tty_state) {
		time_t t = time(NULL);
		struct tm tm;
		if (localtime_r(&t, &tm) != NULL)
			used = strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S ", &tm);
	}
	int n = vsnprintf(line + used, sizeof(line) - used - 1, msg, ap);
	if (n < 0)
		return;
	size_t end = used + (size_t)n;
	if (end > sizeof(line) - 2)
		end = sizeof(line) - 2;
	for (size_t i = used; i < end; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c < 0x20 || c == 0x7f)
			line[i] = '?';
	}
	line[end++] = '\n';
	/* A failed or short write to stderr has nowhere to be reported. */
	ssize_t w = write(STDERR_FILENO, line, end);
	(void)w;
}

void vpnc_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (!vpnc_log_enabled(level))
		return;
	va_start(ap, fmt);
	log_write(fmt, ap);
	va_end(ap);
}

void vpnc_log_engine(void *ctx, int level, const char *msg)
{
	(void)ctx;
	if (vpnc_log_enabled(level))
		vpnc_log(level, "%s", msg);
}

void vpnc_log_note(void *ctx, const char *msg)
{
	(void)ctx;
	vpnc_log(VPNC_LOG_NOTE, "%s", msg);
}
