/*
 * fuzz_privsd.c: libFuzzer target for vpnc_priv_sd_check(), the check the
 * privileged parent runs on every systemd notification the network process
 * asks it to pass on (src/priv/privsd.h).
 *
 * Invariant (trap on failure): what passes is 1..VPNC_PRIV_SD_MAX bytes
 * without a NUL, and every line starts with one of the allowed keys.
 */
#include <stdint.h>
#include <string.h>

#include "priv/privsd.h"

static const char *const keys[] = {"READY=", "RELOADING=", "STOPPING=", "WATCHDOG=", "MONOTONIC_USEC=", "STATUS="};

static int starts_with_key(const char *p, size_t len)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (len >= strlen(keys[i]) && memcmp(p, keys[i], strlen(keys[i])) == 0)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;

	if (vpnc_priv_sd_check(p, size) != 0)
		return 0;
	if (size == 0 || size > VPNC_PRIV_SD_MAX || memchr(p, '\0', size) != NULL)
		__builtin_trap();
	for (size_t off = 0; off < size;) {
		const char *nl = memchr(p + off, '\n', size - off);
		size_t len = nl != NULL ? (size_t)(nl - (p + off)) : size - off;

		if (!starts_with_key(p + off, len))
			__builtin_trap();
		off += len + 1;
	}
	return 0;
}
