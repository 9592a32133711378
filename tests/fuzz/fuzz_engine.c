/*
 * fuzz_engine.c: feeds arbitrary link packets to a started client engine.
 *
 * Input: one selector byte (bit 0: tls-crypt wrapping or none), then packets,
 * each as a 2-byte big-endian length and that many bytes. Without wrapping the
 * fuzzer reaches the control packet parser, the reliability layer, the reset
 * TLV parser and TLS; with tls-crypt it exercises the unwrap path. After each
 * packet the engine's output is drained and its timers run, as the daemon does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/tls.h"
#include "vpnc/engine.h"

#include "../testpki.h"
#include "../wire.h"

static SSL_CTX *ctx;
static uint8_t key[VPNC_STATIC_KEY_LEN];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[VPNC_PKT_BUF], tun[VPNC_PKT_BUF];
	struct vpnc_engine_cfg cfg;
	struct vpnc_engine *e;
	struct vpnc_buf b;
	struct vpnc_event ev;

	if (ctx == NULL) {
		struct testpki pki;
		struct vpnc_config conf;
		char err[256];
		testpki_make(&pki, 0);
		memset(&conf, 0, sizeof(conf));
		conf.ca = pki.ca;
		conf.cert = pki.client_cert;
		conf.key = pki.client_key;
		ctx = vpnc_tls_ctx_client(&conf, NULL, err, sizeof(err));
		testpki_free(&pki);
		if (ctx == NULL)
			abort();
		memset(key, 0x5a, sizeof(key));
	}
	if (size < 1)
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	cfg.ssl_ctx = ctx;
	cfg.wrap = (data[0] & 1) ? VPNC_WRAP_TLS_CRYPT : VPNC_WRAP_NONE;
	cfg.wrap_key = key;
	cfg.rand = wire_rand;
	cfg.wallclock = wire_wallclock;
	wire_rng_state = 0x9e3779b97f4a7c15ull; /* the same session ids every run */
	if (vpnc_engine_new(&cfg, &e) != 0)
		abort();
	uint64_t now = 1000;
	vpnc_engine_start(e, now);
	data++;
	size--;
	while (size >= 2) {
		size_t len = ((size_t)data[0] << 8) | data[1];
		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		vpnc_buf_init(&b, tun, sizeof(tun), VPNC_HEADROOM);
		vpnc_engine_link_in(e, now, data, len, &b);
		data += len;
		size -= len;
		for (int i = 0; i < 64; i++) {
			vpnc_buf_init(&b, out, sizeof(out), 0);
			if (vpnc_engine_link_out(e, now, &b) != 1)
				break;
		}
		now += 500;
		vpnc_engine_tick(e, now);
		while (vpnc_engine_event(e, &ev))
			;
	}
	vpnc_engine_free(e);
	return 0;
}
