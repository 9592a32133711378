/*
 * fuzz_data.c: libFuzzer target for data-channel decryption, AEAD and CBC+HMAC,
 * with every compression framing.
 *
 * Every input is (1) decrypted as a whole packet by a fixed AES-256-GCM server
 * key and a fixed AES-256-CBC/SHA256 server key, under each framing, with the
 * replay window reset per try, also into a short output buffer, and (2) used
 * as plaintext for a client encrypt followed by a server decrypt that must give
 * it back, for every key and framing. The seeds in corpus/fuzz_data are
 * valid packets for the dc_pair() keys (cbc_* for the CBC pair). Two more
 * pairs use the static-key format ('secret': no header, long-form packet id),
 * AES-256-CBC and the 64-bit-block DES-EDE3-CBC, whose framing bytes sit in
 * the second block.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/datachan.h"
#include "../dc_pair.h"

static struct vpnc_dc_key cli[4], srv[4];
static uint8_t pkt[70000], out[70000];

static const enum vpnc_comp comps[] = {VPNC_COMP_NONE, VPNC_COMP_LZO_STUB, VPNC_COMP_STUB,
                                       VPNC_COMP_STUB_V2};

/* A static-key pair: dc_pair()'s keys with peer-id -1, then the static-key format. */
static int static_pair(const char *cipher, int i)
{
	uint8_t block[VPNC_KEY_BLOCK];
	int ret;

	for (size_t j = 0; j < sizeof(block); j++)
		block[j] = (uint8_t)(j * 11 + 3);
	ret = vpnc_dc_key_init(&cli[i], cipher, "SHA1", block, false, 0, -1);
	if (ret == 0)
		ret = vpnc_dc_key_init(&srv[i], cipher, "SHA1", block, true, 0, -1);
	if (ret == 0)
		ret = vpnc_dc_set_static(&cli[i], 1700000000u);
	if (ret == 0)
		ret = vpnc_dc_set_static(&srv[i], 1700000000u);
	vpnc_dc_set_rand(&cli[i], dc_pair_rand, NULL);
	vpnc_dc_set_rand(&srv[i], dc_pair_rand, NULL);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		if (dc_pair("AES-256-GCM", &cli[0], &srv[0]) != 0 ||
		    dc_pair("AES-256-CBC", &cli[1], &srv[1]) != 0 || static_pair("AES-256-CBC", 2) != 0 ||
		    static_pair("DES-EDE3-CBC", 3) != 0)
			abort();
		ready = 1;
	}
	if (size > 65536)
		return 0;

	for (int k = 0; k < 4; k++) {
		for (size_t c = 0; c < sizeof(comps) / sizeof(comps[0]); c++) {
			vpnc_dc_set_comp(&cli[k], comps[c]);
			vpnc_dc_set_comp(&srv[k], comps[c]);
			vpnc_replay_init(&srv[k].replay);
			int n = vpnc_dc_decrypt(&srv[k], data, size, out, sizeof(out));
			if (n > (int)size)
				abort();
			/* A short output buffer must be refused, not overrun. */
			vpnc_replay_init(&srv[k].replay);
			(void)vpnc_dc_decrypt(&srv[k], data, size, out, size > 30 ? size - 30 : 0);

			if (size == 0)
				continue;
			vpnc_replay_init(&srv[k].replay);
			cli[k].send_pid = 0;
			n = vpnc_dc_encrypt(&cli[k], data, size, pkt, sizeof(pkt));
			if (n <= 0 || (size_t)n > size + vpnc_dc_max_overhead(&cli[k]))
				abort();
			if (k == 0 && comps[c] == VPNC_COMP_NONE && n != (int)(size + VPNC_DC_OVERHEAD_V2))
				abort();
			int m = vpnc_dc_decrypt(&srv[k], pkt, (size_t)n, out, sizeof(out));
			if (m != (int)size || memcmp(out, data, size) != 0)
				abort();
		}
	}
	return 0;
}
