/*
 * fuzz_dhcp.c: libFuzzer target for route-gateway dhcp's reader of the
 * DHCP replies that reach a TAP through the tunnel (core/dhcp.h): peer
 * input, rewritten in place.
 *
 * Input: the Ethernet frame, in a buffer of exactly its size (so ASan sees
 * any access past the end). Invariants (trap on failure): a frame that is
 * not a reply is left as it was; a learned router is never 0; a second
 * pass over the rewritten frame learns nothing and changes nothing (every
 * router option is gone the first time).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/dhcp.h"

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *f = malloc(size ? size : 1), *g;
	uint32_t gw = 0;
	enum vpnc_dhcp_snoop r;

	if (f == NULL)
		return 0;
	memcpy(f, data, size);
	r = vpnc_dhcp_snoop(f, size, &gw);
	check(r != VPNC_DHCP_NONE || memcmp(f, data, size) == 0);
	check(r == VPNC_DHCP_ACK_ROUTER ? gw != 0 : gw == 0);
	g = malloc(size ? size : 1);
	if (g != NULL) {
		memcpy(g, f, size);
		gw = 0;
		check(vpnc_dhcp_snoop(g, size, &gw) != VPNC_DHCP_ACK_ROUTER);
		check(memcmp(f, g, size) == 0);
		free(g);
	}
	free(f);
	return 0;
}
