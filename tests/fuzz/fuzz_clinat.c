/*
 * fuzz_clinat.c: libFuzzer target for 'client-nat' (core/clinat.h), which
 * rewrites what the peer sends once decrypted, and what the TUN gives.
 *
 * Input: the first byte picks the direction and whether the rest is an IP
 * packet or a TAP frame, handed over in a buffer of exactly its size (so
 * ASan sees any read past the end). Invariants (trap on failure): nothing
 * changes unless the call says so, and then at most the two addresses, the
 * IP checksum and one TCP or UDP checksum (12 bytes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/clinat.h"

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* 192.168.0.0/16 <-> 10.64.0.0 (snat), 172.30.0.0/16 <-> 10.99.0.0 (dnat), all network order. */
	static const struct vpnc_client_nat rules[] = {
		{false, 0x0000a8c0u, 0x0000ffffu, 0x0000400au},
		{true, 0x00001eacu, 0x0000ffffu, 0x0000630au},
		{false, 0x00000000u, 0x00000000u, 0x0100000au}, /* everything else: into 10.0.0.0 | host */
	};
	size_t changed = 0, n;
	uint8_t *f;
	bool did;

	if (size < 1)
		return 0;
	n = size - 1;
	f = malloc(n ? n : 1);
	if (f == NULL)
		return 0;
	memcpy(f, data + 1, n);
	enum vpnc_clinat_dir dir = (data[0] & 1) ? VPNC_CLINAT_IN : VPNC_CLINAT_OUT;
	if (data[0] & 2)
		did = vpnc_clinat_frame(rules, 3, f, n, dir);
	else
		did = vpnc_clinat(rules, 3, f, n, dir);
	for (size_t i = 0; i < n; i++)
		changed += f[i] != data[1 + i];
	check(did || changed == 0);
	check(changed <= 12);
	free(f);
	return 0;
}
