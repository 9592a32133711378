/*
 * fuzz_data.c: libFuzzer target for data-channel decryption.
 *
 * Every input is (1) decrypted as a whole packet with a fixed server key whose
 * replay window is reset per input, and (2) used as plaintext for a client
 * encrypt followed by a server decrypt that must give it back. The seeds in
 * corpus/fuzz_data are valid packets for the vpnc_dc_bench_pair() key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/datachan.h"

static struct vpnc_dc_key cli, srv;
static uint8_t pkt[70000], out[70000];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		if (vpnc_dc_bench_pair("AES-256-GCM", &cli, &srv) != 0)
			abort();
		ready = 1;
	}
	if (size > 65536)
		return 0;

	vpnc_replay_init(&srv.replay);
	int n = vpnc_dc_decrypt(&srv, data, size, out, sizeof(out));
	if (n > (int)size)
		abort();
	/* A short output buffer must be refused, not overrun. */
	(void)vpnc_dc_decrypt(&srv, data, size, out, size > 30 ? size - 30 : 0);

	if (size == 0)
		return 0;
	vpnc_replay_init(&srv.replay);
	cli.send_pid = 0;
	n = vpnc_dc_encrypt(&cli, data, size, pkt, sizeof(pkt));
	if (n != (int)(size + VPNC_DC_OVERHEAD_V2))
		abort();
	int m = vpnc_dc_decrypt(&srv, pkt, (size_t)n, out, sizeof(out));
	if (m != (int)size || memcmp(out, data, size) != 0)
		abort();
	return 0;
}
