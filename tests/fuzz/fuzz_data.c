/*
 * fuzz_data.c: libFuzzer target for data-channel decryption, AEAD and CBC+HMAC,
 * with every compression framing.
 *
 * Every input is (1) decrypted as a whole packet by a fixed AES-256-GCM server
 * key and a fixed AES-256-CBC/SHA256 server key, under each framing, with the
 * replay window reset per try, also into a short output buffer, and (2) used
 * as plaintext for a client encrypt followed by a server decrypt that must give
 * it back, for both keys and every framing. The seeds in corpus/fuzz_data are
 * valid packets for the dc_pair() keys (cbc_* for the CBC pair).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/datachan.h"
#include "../dc_pair.h"

static struct vpnc_dc_key cli[2], srv[2];
static uint8_t pkt[70000], out[70000];

static const enum vpnc_comp comps[] = {VPNC_COMP_NONE, VPNC_COMP_LZO_STUB, VPNC_COMP_STUB,
                                       VPNC_COMP_STUB_V2};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		if (dc_pair("AES-256-GCM", &cli[0], &srv[0]) != 0 ||
		    dc_pair("AES-256-CBC", &cli[1], &srv[1]) != 0)
			abort();
		ready = 1;
	}
	if (size > 65536)
		return 0;

	for (int k = 0; k < 2; k++) {
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
