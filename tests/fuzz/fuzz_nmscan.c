/*
 * fuzz_nmscan.c: libFuzzer target for the NetworkManager editor plugin's
 * profile scan (contrib/networkmanager/nm-vpnc-ovpn-scan.c), which reads
 * `vpnc --inline-config` output at import to learn which secrets a profile
 * needs. The scan is plain C, so it is compiled in here (the plugin itself
 * needs libnm). Besides no crash or sanitizer report, two properties: the
 * scan reads only the given bytes (no NUL is added), and a profile cut at
 * any line end never needs a key passphrase its whole text would not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../contrib/networkmanager/nm-vpnc-ovpn-scan.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: ASan reports any read past the end. */
	char *buf = malloc(size > 0 ? size : 1);
	struct vpnc_nm_scan all, part;
	const char *nl;

	if (buf == NULL)
		return 0;
	if (size > 0)
		memcpy(buf, data, size);
	vpnc_nm_scan_profile(buf, size, &all);
	nl = size > 0 ? memchr(buf, '\n', size) : NULL;
	if (nl != NULL) {
		vpnc_nm_scan_profile(buf, (size_t)(nl - buf) + 1, &part);
		if (part.key_pass && !all.key_pass)
			abort();
	}
	free(buf);
	return 0;
}
