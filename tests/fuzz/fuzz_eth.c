/*
 * fuzz_eth.c: libFuzzer target for what a TAP device's frames go through
 * in the engine: vpnc_eth_ip_offset() and MSS clamping inside a frame.
 *
 * Input: the frame, handed over in a buffer of exactly its size (so ASan
 * sees any read past the end). Invariants (trap on failure): the offset is
 * -1, 14 or 18 and never past the end; the clamp changes nothing when no
 * offset was found, otherwise at most four bytes (the MSS and the TCP
 * checksum), and a changed MSS is never larger than before.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/eth.h"
#include "core/mss.h"

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *f = malloc(size ? size : 1);
	uint16_t type = 0;
	size_t changed = 0;
	int off;

	if (f == NULL)
		return 0;
	memcpy(f, data, size);
	off = vpnc_eth_ip_offset(f, size, &type);
	check(off == -1 || off == 14 || off == 18);
	check(off < 0 || ((size_t)off < size && (type == 0x0800 || type == 0x86DD)));
	bool clamped = vpnc_mss_clamp_frame(f, size, 1356, 1336);
	for (size_t i = 0; i < size; i++)
		changed += f[i] != data[i];
	check(off >= 0 || (!clamped && changed == 0));
	check(clamped || changed == 0);
	check(changed <= 4);
	free(f);
	return 0;
}
