/*
 * fuzz_km2.c: libFuzzer target for the key-method-2 parser. The first input
 * byte picks the direction; a message that parses must survive a write and
 * a second read unchanged, and its strings must be NUL-terminated.
 */
#include <stdlib.h>
#include <string.h>

#include "core/km2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vpnc_km2 a, b;
	static uint8_t out[VPNC_KM2_MAX];
	bool from_client;
	int n;

	if (size < 1)
		return 0;
	from_client = data[0] & 1;
	if (vpnc_km2_read(data + 1, size - 1, from_client, &a) != 0)
		return 0;
	if (strnlen(a.options, sizeof(a.options)) == sizeof(a.options) ||
	    strnlen(a.username, sizeof(a.username)) == sizeof(a.username) ||
	    strnlen(a.password, sizeof(a.password)) == sizeof(a.password) ||
	    strnlen(a.peer_info, sizeof(a.peer_info)) == sizeof(a.peer_info))
		abort();
	n = vpnc_km2_write(&a, from_client, out, sizeof(out));
	if (n < 0)
		return 0; /* e.g. a 4096-byte username does not fit in 2048 bytes */
	if (vpnc_km2_read(out, (size_t)n, from_client, &b) != 0)
		abort();
	if (memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	vpnc_km2_wipe(&a);
	vpnc_km2_wipe(&b);
	return 0;
}
