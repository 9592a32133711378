/*
 * fuzz_push.c: libFuzzer target for the PUSH_REPLY parser. The input is split
 * at '\n' into continuation parts parsed into one struct (so accumulation and
 * limits are exercised); every stored value is then checked against the
 * invariants the parser promises.
 */
#include <stdlib.h>
#include <string.h>

#include "vpnc/push.h"

static void fuzz_check_str(const char *s, size_t cap, bool domain)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c < 0x21 || c > 0x7e)
			abort();
		if (domain && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		                c == '-' || c == '_' || c == '.'))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vpnc_push p;
	size_t start = 0;

	vpnc_push_init(&p);
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		(void)vpnc_push_parse(&p, (const char *)data + start, i - start, NULL, NULL);
		start = i + 1;
	}
	if (p.n_routes > VPNC_MAX_ROUTES || p.n_routes6 > VPNC_MAX_ROUTES || p.n_dns4 > VPNC_MAX_DNS ||
	    p.n_dns6 > VPNC_MAX_DNS || p.n_domains > VPNC_MAX_DOMAINS)
		abort();
	for (size_t i = 0; i < p.n_routes; i++) {
		const struct vpnc_route4 *r = &p.routes[i];
		uint32_t inv = ~r->mask;

		if ((r->net & r->mask) != r->net || (inv & (inv + 1)) != 0)
			abort();
	}
	for (size_t i = 0; i < p.n_routes6; i++)
		if (p.routes6[i].bits > 128)
			abort();
	if (p.has_ifconfig6 && (p.ifconfig6_bits == 0 || p.ifconfig6_bits > 128))
		abort();
	if (p.has_peer_id && p.peer_id > 0xFFFFFE)
		abort();
	if (p.tun_mtu != 0 && (p.tun_mtu < 576 || p.tun_mtu > 9000))
		abort();
	for (size_t i = 0; i < p.n_domains; i++)
		fuzz_check_str(p.domains[i], sizeof(p.domains[i]), true);
	fuzz_check_str(p.cipher, sizeof(p.cipher), false);
	fuzz_check_str(p.auth_token, sizeof(p.auth_token), false);
	fuzz_check_str(p.auth_token_user, sizeof(p.auth_token_user), false);
	vpnc_push_clear(&p);
	return 0;
}
