/*
 * fuzz_km2.c: libFuzzer target for the key-method-2 parser. The first input
 * byte picks the direction; a message that parses must survive a write and
 * a second read unchanged, and its strings must be NUL-terminated. Its
 * peer info then goes through what P2P mode reads of it (engine_p2p.c):
 * IV_PROTO and IV_CIPHERS, and the cipher rule with the list either side; a
 * chosen cipher must be in both lists.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/colonlist.h"
#include "core/engine_p2p.h"
#include "core/km2.h"
static void p2p_reads(const char *info)
{
	static const char ours[] = "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305";
	char v[16], list[1024], out[32];

	(void)vpnc_km2_info_get(info, "IV_PROTO", v, sizeof(v));
	if (!vpnc_km2_info_get(info, "IV_CIPHERS", list, sizeof(list)))
		return;
	if (strnlen(list, sizeof(list)) == sizeof(list))
		abort();
	if (vpnc_p2p_cipher(list, ours, out, sizeof(out)) == 0 &&
	    (!vpnc_colon_list_has(list, out, strlen(out)) || !vpnc_colon_list_has(ours, out, strlen(out))))
		abort();
	if (vpnc_p2p_cipher(ours, list, out, sizeof(out)) == 0 &&
	    (!vpnc_colon_list_has(list, out, strlen(out)) || !vpnc_colon_list_has(ours, out, strlen(out))))
		abort();
}

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
	p2p_reads(a.peer_info);
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
