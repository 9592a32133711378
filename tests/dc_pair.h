/*
 * dc_pair.h: a data-channel key pair for tests and fuzzers: a client and a
 * server key for one cipher from a fixed key block (P_DATA_V2, peer-id 0,
 * key_id 0; CBC with SHA256 and a counter as its "RNG", which is NOT random:
 * never for real traffic). Packets from client decrypt on server and vice
 * versa. Test code only: the library does not carry it.
 */
#ifndef VPNC_TESTS_DC_PAIR_H
#define VPNC_TESTS_DC_PAIR_H

#include <stdint.h>

#include <openssl/crypto.h>

#include "core/datachan.h"

static inline void dc_pair_rand(void *ctx, void *out, size_t len)
{
	static uint8_t counter;
	uint8_t *p = out;

	(void)ctx;
	for (size_t i = 0; i < len; i++)
		p[i] = counter++;
}

/* Returns as vpnc_dc_key_init(). */
static inline int dc_pair(const char *cipher, struct vpnc_dc_key *client, struct vpnc_dc_key *server)
{
	uint8_t block[VPNC_KEY_BLOCK];
	int ret;

	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = (uint8_t)(i * 7 + 1);
	ret = vpnc_dc_key_init(client, cipher, "SHA256", block, false, 0, 0);
	if (ret == 0)
		ret = vpnc_dc_key_init(server, cipher, "SHA256", block, true, 0, 0);
	if (ret == 0) {
		vpnc_dc_set_rand(client, dc_pair_rand, NULL);
		vpnc_dc_set_rand(server, dc_pair_rand, NULL);
	}
	OPENSSL_cleanse(block, sizeof(block));
	return ret;
}

#endif
