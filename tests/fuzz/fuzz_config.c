/*
 * fuzz_config.c: libFuzzer target for the config reader.
 *
 * Feeds arbitrary bytes to vpnc_config_parse_text() as a config file. Any
 * outcome is fine except a crash, a leak or a sanitizer report; on success the
 * result is freed (which also wipes it).
 */
#include <stddef.h>
#include <stdint.h>

#include "vpnc/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vpnc_config *cfg = NULL;
	char err[256];

	if (vpnc_config_parse_text("fuzz.ovpn", (const char *)data, size, NULL, &cfg, err, sizeof(err)) == 0)
		vpnc_config_free(cfg);
	return 0;
}
