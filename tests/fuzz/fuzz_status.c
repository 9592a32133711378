/*
 * fuzz_status.c: libFuzzer target for the status module's parsers and
 * escaping: the "# Expires:" header search and ISO 8601 parser on config
 * text, and the JSON and text formatters with strings taken from the input
 * (which must come out NUL-terminated, within the buffer, and in the JSON
 * case without a raw control byte).
 */
#include <stdlib.h>
#include <string.h>

#include "../../src/control/status.c"
#include "../../src/control/status_netev.c"
#include "../../src/control/status_expiry.c"

static char fuzz_out[VPNC_STATUS_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct vpnc_status_snap s = {0};
	int64_t t = 0;
	int n;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	(void)vpnc_status_find_expires(text, size, &t);
	(void)vpnc_status_parse_time(text, size, &t);

	/* The same bytes as every string of a snapshot (up to the first NUL). */
	s.host = s.address = s.instance = s.last_error = s.dev = s.cipher = text;
	s.profile_expires = t;
	s.dns_backend = s.dns_scope = text;
	/* A waiting question (its text from a profile's static-challenge) and an informational item. */
	s.prompt_id = size > 0 ? data[0] : 0;
	s.prompt_kind = s.prompt_text = s.prompt_info = text;
	s.prompt_echo = size > 1 && (data[1] & 1);
	/* The network event: any kind and action (even out of range), an interface name from the bytes. */
	if (size >= 2) {
		s.netev.kind = data[0];
		s.netev.action = data[1];
		s.netev.socket_moved = data[0] & 1;
		s.netev.at = t;
		s.netev.answer_ms = t;
		memcpy(s.netev.ifname, data, size < sizeof(s.netev.ifname) ? size : sizeof(s.netev.ifname) - 1);
	}
	n = vpnc_status_json(&s, 1800000000, fuzz_out, sizeof(fuzz_out));
	if (n >= (int)sizeof(fuzz_out) || strlen(fuzz_out) >= sizeof(fuzz_out))
		abort();
	for (const char *p = fuzz_out; *p; p++)
		if ((unsigned char)*p < 0x20)
			abort();
	/* Human units and --raw: neither may pass a control character through. */
	for (unsigned flags = 0; flags <= VPNC_STATUS_RAW; flags++) {
		n = vpnc_status_text_fmt(&s, 1800000000, flags, fuzz_out, sizeof(fuzz_out));
		if (n >= (int)sizeof(fuzz_out) || strlen(fuzz_out) >= sizeof(fuzz_out))
			abort();
		for (const char *p = fuzz_out; *p; p++)
			if (((unsigned char)*p < 0x20 && *p != '\n') || *p == 0x7f)
				abort();
	}
	free(text);
	return 0;
}
