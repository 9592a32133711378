/*
 * fuzz_killswitch.c: libFuzzer target for the kill switch's text handling
 * (src/os/killswitch_rules.c): resolv.conf parsing, and the rule text made
 * from what it found plus an interface and an instance name taken from the
 * input. Whatever the input, the text must stay within the buffer, hold only
 * printable ASCII and newlines, and quote nothing but an accepted name.
 */
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "os/killswitch.h"

static char fuzz_out[VPNC_KS_RULES_MAX];
static struct vpnc_ks_allow fuzz_allow;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char name[IFNAMSIZ + 8];
	int n;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&fuzz_allow, 0, sizeof(fuzz_allow));
	(void)vpnc_ks_parse_resolvers(&fuzz_allow, text);
	(void)vpnc_ks_add_literal(&fuzz_allow, text, "1194", IPPROTO_UDP);
	fuzz_allow.resolving = size > 0 && (data[0] & 1);
	fuzz_allow.lan = size > 0 && (data[0] & 2);
	/* The first bytes as the TUN name: set only if the check lets it through. */
	memset(name, 0, sizeof(name));
	memcpy(name, text, size < sizeof(name) - 1 ? size : sizeof(name) - 1);
	(void)vpnc_ks_set_tun(&fuzz_allow, name);
	n = vpnc_ks_rules(text[0] != '\0' ? text : "x", &fuzz_allow, fuzz_out, sizeof(fuzz_out));
	if (n >= 0) {
		if ((size_t)n >= sizeof(fuzz_out) || fuzz_out[n] != '\0')
			abort();
		for (int i = 0; i < n; i++) {
			unsigned char c = (unsigned char)fuzz_out[i];

			if (c != '\n' && (c < ' ' || c > '~'))
				abort();
		}
		/* Every quoted string is an interface name the check accepts. */
		for (char *q = strchr(fuzz_out, '"'); q != NULL; q = strchr(q + 1, '"')) {
			char *end = strchr(q + 1, '"');

			if (end == NULL || end - q - 1 >= IFNAMSIZ)
				abort();
			memcpy(name, q + 1, (size_t)(end - q - 1));
			name[end - q - 1] = '\0';
			if (vpnc_ks_ifname_valid(name) < 0)
				abort();
			q = end;
		}
	}
	free(text);
	return 0;
}
