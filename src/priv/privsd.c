/*
 * privsd.c: the check of a systemd notification the network process asks
 * the privileged parent to pass on (privsd.h).
 */
#include "priv/privsd.h"

#include <errno.h>
#include <string.h>

static const char *const keys[] = {"READY", "RELOADING", "STOPPING", "WATCHDOG", "MONOTONIC_USEC", "STATUS"};

enum { K_MONOTONIC = 4, K_STATUS = 5, K_COUNT = 6 };

static int key_of(const char *s, size_t len)
{
	for (int i = 0; i < K_COUNT; i++)
		if (strlen(keys[i]) == len && memcmp(keys[i], s, len) == 0)
			return i;
	return -1;
}

static int value_ok(int key, const char *v, size_t len)
{
	if (key == K_STATUS) {
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] == 0x7f) /* as sdnotify.c writes it */
				return 0;
		return 1;
	}
	if (key == K_MONOTONIC) {
		if (len == 0 || len > 20)
			return 0;
		for (size_t i = 0; i < len; i++)
			if (v[i] < '0' || v[i] > '9')
				return 0;
		return 1;
	}
	return len == 1 && v[0] == '1';
}

int vpnc_priv_sd_check(const char *msg, size_t len)
{
	unsigned seen = 0;
	size_t off = 0;

	if (len == 0 || len > VPNC_PRIV_SD_MAX)
		return -EBADMSG;
	while (off < len) {
		const char *line = msg + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t llen = nl != NULL ? (size_t)(nl - line) : len - off;
		const char *eq = memchr(line, '=', llen);
		int key;

		if (eq == NULL || (key = key_of(line, (size_t)(eq - line))) < 0 || (seen & (1u << key)) != 0 ||
		    !value_ok(key, eq + 1, llen - (size_t)(eq - line) - 1))
			return -EBADMSG;
		seen |= 1u << key;
		off += llen;
		if (nl != NULL) {
			off++;
			if (off == len) /* a trailing '\n' would be an empty line */
				return -EBADMSG;
		}
	}
	return 0;
}
