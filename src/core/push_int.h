/*
 * push_int.h: what push.c and push_dns.c share: the item a handler gets, the
 * "ignored on purpose" result, the number and address readers every handler
 * uses, and the DNS handlers push_dns.c owns.
 */
#ifndef VPNC_CORE_PUSH_INT_H
#define VPNC_CORE_PUSH_INT_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/lex.h"
#include "vpnc/push.h"

/* One item split into words by the shared lexer; w and n are its argv view. */
struct push_item {
	struct vpnc_lex_words lex;
	const char *w[VPNC_LEX_MAX_WORDS];
	size_t n;
	bool pulled;   /* from a PUSH_REPLY, not the client's profile */
};

/* Handlers return NULL when the option was applied, PUSH_IGNORED when it was skipped on purpose, or a reason. */
extern const char vpnc__push_ignored[];
#define PUSH_IGNORED vpnc__push_ignored

/* Parses a decimal number with no sign, no junk and no overflow past max. */
static inline bool push_num(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (unsigned long)(*s - '0')) / 10)
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return true;
}

static inline bool push_int(const char *s, long max, int *out)
{
	unsigned long v;

	if (!push_num(s, (unsigned long)max, &v))
		return false;
	*out = (int)v;
	return true;
}

static inline bool push_ip4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

static inline bool push_ip6(const char *s, uint8_t out[16])
{
	return inet_pton(AF_INET6, s, out) == 1;
}

/* A usable unicast IPv4 address: not 0.0.0.0, broadcast or multicast. */
static inline bool push_ip4_unicast(uint32_t a)
{
	return a != 0 && a != 0xFFFFFFFFu && (a & 0xF0000000u) != 0xE0000000u;
}

static inline bool push_ip6_zero(const uint8_t a[16])
{
	static const uint8_t z[16];

	return memcmp(a, z, 16) == 0;
}

/* A usable unicast IPv6 address: not ::, ::1 or multicast. */
static inline bool push_ip6_unicast(const uint8_t a[16])
{
	static const uint8_t lo[16] = {[15] = 1};

	return !push_ip6_zero(a) && memcmp(a, lo, 16) != 0 && a[0] != 0xFF;
}

/* push_dns.c: 'dhcp-option' and 'dns' items, and the check once all items are read (NULL or a reason). */
const char *vpnc__push_opt_dhcp_option(struct vpnc_push *p, const struct push_item *it);
const char *vpnc__push_opt_dns(struct vpnc_push *p, const struct push_item *it);
const char *vpnc__push_check_dns(struct vpnc_push *p);

#endif
