/*
 * fuzz_authcr.c: libFuzzer target for the parsers of the server's
 * authentication questions (authcr.h): the text after "AUTH_FAILED," and the
 * text of INFO_PRE, as they arrive from the peer.
 *
 * Invariants (trap on failure): a parsed question holds only printable,
 * NUL-terminated fields within their sizes (the decoded user name no control
 * byte), its kind matches the parser, a URL starts with http:// or https://;
 * a failed parse leaves the struct wiped. Each answer form then fits the
 * bounds its function promises.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "vpnc/authcr.h"

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

/* NUL-terminated within cap; printable ASCII, or (allow_high) any byte but a control byte. */
static void check_field(const char *f, size_t cap, int allow_high)
{
	size_t n = strnlen(f, cap);
	check(n < cap);
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)f[i];
		check(b >= 0x20 && b != 0x7f && (allow_high || b < 0x7f));
	}
}

static int all_zero(const struct vpnc_authcr *c)
{
	const unsigned char *p = (const unsigned char *)c;
	for (size_t i = 0; i < sizeof(*c); i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static void check_parsed(const struct vpnc_authcr *c, int r)
{
	if (r < 0) {
		check(r == -ENOENT || r == -EBADMSG || r == -EMSGSIZE || r == -EPROTO);
		check(all_zero(c));
		return;
	}
	check(r == 0);
	check(c->kind != VPNC_AUTHCR_NONE);
	check((c->flags & ~(VPNC_AUTHCR_ECHO | VPNC_AUTHCR_RESPONSE)) == 0);
	check_field(c->state_id, sizeof(c->state_id), 0);
	check_field(c->user, sizeof(c->user), 1);
	check_field(c->web_flags, sizeof(c->web_flags), 0);
	check_field(c->text, sizeof(c->text), 0);
	check(strchr(c->state_id, ':') == NULL);
	if (c->kind == VPNC_AUTHCR_WEB_AUTH || c->kind == VPNC_AUTHCR_OPEN_URL)
		check(strncmp(c->text, "http://", 7) == 0 || strncmp(c->text, "https://", 8) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vpnc_authcr c;
	char out[1024];

	if (size > 8192)
		return 0;
	int r = vpnc_authcr_parse_crv1((const char *)data, size, &c);
	check_parsed(&c, r);
	if (r == 0) {
		check(c.kind == VPNC_AUTHCR_CRV1);
		int n = vpnc_authcr_crv1_password(&c, c.text, out, sizeof(out));
		check(n == -ENOSPC || (n > 0 && (size_t)n < sizeof(out) && strlen(out) == (size_t)n &&
		                       strncmp(out, "CRV1::", 6) == 0));
		n = vpnc_authcr_cr_response(c.user, out, sizeof(out));
		check(n == -ENOSPC || (n >= 12 && (size_t)n < sizeof(out) && strlen(out) == (size_t)n));
	}
	r = vpnc_authcr_parse_info((const char *)data, size, &c);
	check_parsed(&c, r);
	if (r == 0)
		check(c.kind != VPNC_AUTHCR_CRV1);
	vpnc_authcr_wipe(&c);
	return 0;
}
