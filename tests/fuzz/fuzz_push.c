/*
 * fuzz_push.c: libFuzzer target for the PUSH_REPLY parser. The input is split
 * at '\n' into continuation parts parsed into one struct (so accumulation and
 * limits are exercised); every stored value is then checked against the
 * invariants the parser promises. The same bytes are also fed to the
 * control-message reassembler in uneven chunks, and each message it yields
 * is classified (and parsed if it is a PUSH_REPLY). The pushed
 * auth-token-user, and the raw input, go through the base64 name decoder.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctrlmsg.h"
#include "vpnc/push.h"

static struct vpnc_push fuzz_msgpush;

static void fuzz_on_msg(void *ctx, const char *msg, size_t len)
{
	const char *arg;
	size_t alen;

	(void)ctx;
	if (msg == NULL)
		return;
	if (len > VPNC_CTRLMSG_MAX || strlen(msg) != len)
		abort();
	if (vpnc_ctrlmsg_classify(msg, len, &arg, &alen) == VPNC_MSG_PUSH_REPLY) {
		if (alen > 0 && (arg < msg || arg + alen > msg + len))
			abort();
		if (vpnc_push_parse(&fuzz_msgpush, arg, alen, NULL, NULL) != 0)
			abort(); /* the reassembler only passes printable text */
	}
}

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
	    p.n_dns6 > VPNC_MAX_DNS || p.n_domains > VPNC_MAX_DOMAINS || p.n_client_nat > VPNC_CLIENT_NAT_MAX)
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
	if (p.n_route_domains > VPNC_MAX_DOMAINS || p.n_dns_servers > VPNC_DNSOPT_SERVERS ||
	    p.n_dns_search > VPNC_DNSOPT_DOMAINS)
		abort();
	for (size_t i = 0; i < p.n_route_domains; i++)
		fuzz_check_str(p.route_domains[i], sizeof(p.route_domains[i]), true);
	for (size_t i = 0; i < p.n_dns_search; i++)
		fuzz_check_str(p.dns_search[i], sizeof(p.dns_search[i]), true);
	for (size_t i = 0; i < p.n_dns_servers; i++) {
		const struct vpnc_dnsopt_server *d = &p.dns_servers[i];

		/* Pushed: priority 0..127, sorted, unique, at least one address (2.6's rules). */
		if (d->priority < 0 || d->priority > 127 || d->n_addr == 0 || d->n_addr > VPNC_DNSOPT_ADDRS ||
		    d->n_domains > VPNC_DNSOPT_DOMAINS || !d->pushed ||
		    (i > 0 && p.dns_servers[i - 1].priority >= d->priority))
			abort();
		for (size_t j = 0; j < d->n_addr; j++)
			if (d->addr[j].family != 2 /* AF_INET */ && d->addr[j].family != 10 /* AF_INET6 */)
				abort();
		for (size_t j = 0; j < d->n_domains; j++)
			fuzz_check_str(d->domains[j], sizeof(d->domains[j]), true);
		fuzz_check_str(d->sni, sizeof(d->sni), true);
	}
	fuzz_check_str(p.cipher, sizeof(p.cipher), false);
	fuzz_check_str(p.auth_token, sizeof(p.auth_token), false);
	fuzz_check_str(p.auth_token_user, sizeof(p.auth_token_user), false);
	{
		/* auth-token-user's name (pushed, or from a profile): decoded to printable bytes, or refused. */
		char name[VPNC_MAX_TOKEN_LEN];
		char raw[VPNC_MAX_TOKEN_LEN];
		size_t n = size < sizeof(raw) ? size : sizeof(raw) - 1;

		memcpy(raw, data, n);
		raw[n] = '\0';
		for (int k = 0; k < 2; k++) {
			const char *in = k == 0 ? p.auth_token_user : raw;
			int r = vpnc_push_token_user_decode(in, name, sizeof(name));

			if (r != 0 && (r != -EINVAL || name[0] != '\0'))
				abort();
			for (size_t i = 0; r == 0 && name[i] != '\0'; i++)
				if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
					abort();
			if (r == 0 && (name[0] == '\0' || strlen(name) >= sizeof(name)))
				abort();
		}
	}
	vpnc_push_clear(&p);

	static struct vpnc_ctrlmsg_rx rx;
	size_t off = 0, step = 1;

	vpnc_ctrlmsg_rx_init(&rx);
	vpnc_push_init(&fuzz_msgpush);
	while (off < size) {
		size_t n = size - off < step ? size - off : step;

		if (vpnc_ctrlmsg_feed(&rx, data + off, n, fuzz_on_msg, NULL) < 0)
			abort();
		off += n;
		step = step * 3 + 1;
	}
	vpnc_push_clear(&fuzz_msgpush);
	return 0;
}
