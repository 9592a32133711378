/*
 * killswitch_rules.c: owns the kill switch's allowed set (struct
 * vpnc_ks_allow) and the nftables text made from it (killswitch.h). Pure:
 * no I/O. Every address is printed from its bytes with inet_ntop and every
 * port as a number; names are checked before they are quoted.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/hex.h"
#include "os/killswitch.h"
#include "vpnc/config.h"

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static bool same_addr(const struct vpnc_ks_addr *x, const struct vpnc_ks_addr *y)
{
	return x->family == y->family && memcmp(x->addr, y->addr, addr_len(x->family)) == 0;
}

static int add_ep(struct vpnc_ks_allow *a, const struct vpnc_ks_endpoint *e)
{
	for (size_t i = 0; i < a->n_ep; i++)
		if (same_addr(&a->ep[i].a, &e->a) && a->ep[i].proto == e->proto && a->ep[i].port == e->port)
			return 0;
	if (a->n_ep >= VPNC_KS_MAX_ENDPOINTS)
		return -ENOSPC;
	a->ep[a->n_ep++] = *e;
	return 1;
}

/* The endpoint sa/proto names, or a negative errno code (killswitch.h's rules). */
static int ep_of(struct vpnc_ks_endpoint *e, const struct sockaddr *sa, int proto)
{
	if (proto != IPPROTO_UDP && proto != IPPROTO_TCP)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	e->proto = (uint8_t)proto;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		memcpy(e->a.addr, &s4->sin_addr, 4);
		e->port = ntohs(s4->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		memcpy(e->a.addr, &s6->sin6_addr, 16);
		e->port = ntohs(s6->sin6_port);
	} else {
		return -EAFNOSUPPORT;
	}
	e->a.family = sa->sa_family;
	return e->port == 0 ? -EINVAL : 0;
}

int vpnc_ks_add_endpoint(struct vpnc_ks_allow *a, const struct sockaddr *sa, int proto)
{
	struct vpnc_ks_endpoint e;
	int ret = ep_of(&e, sa, proto);

	return ret < 0 ? ret : add_ep(a, &e);
}

int vpnc_ks_del_endpoint(struct vpnc_ks_allow *a, const struct sockaddr *sa, int proto)
{
	struct vpnc_ks_endpoint e;
	int ret = ep_of(&e, sa, proto);

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < a->n_ep; i++) {
		if (!same_addr(&a->ep[i].a, &e.a) || a->ep[i].proto != e.proto || a->ep[i].port != e.port)
			continue;
		/* The order stays, so the rule text stays the same for the same set. */
		memmove(&a->ep[i], &a->ep[i + 1], (a->n_ep - i - 1) * sizeof(a->ep[0]));
		a->n_ep--;
		memset(&a->ep[a->n_ep], 0, sizeof(a->ep[0]));
		return 1;
	}
	return 0;
}

int vpnc_ks_add_literal(struct vpnc_ks_allow *a, const char *host, const char *port, int proto)
{
	struct vpnc_ks_endpoint e;
	char *end;
	long p;

	if (proto != IPPROTO_UDP && proto != IPPROTO_TCP)
		return -EINVAL;
	memset(&e, 0, sizeof(e));
	if (inet_pton(AF_INET, host, e.a.addr) == 1)
		e.a.family = AF_INET;
	else if (inet_pton(AF_INET6, host, e.a.addr) == 1)
		e.a.family = AF_INET6;
	else
		return -EINVAL;
	errno = 0;
	p = strtol(port, &end, 10);
	if (errno != 0 || end == port || *end != '\0' || p < 1 || p > 65535)
		return -EINVAL;
	e.port = (uint16_t)p;
	e.proto = (uint8_t)proto;
	return add_ep(a, &e);
}

int vpnc_ks_ifname_valid(const char *name)
{
	size_t len;

	if (name == NULL)
		return -EINVAL;
	len = strnlen(name, IFNAMSIZ);
	if (len == 0 || len >= IFNAMSIZ || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= ' ' || c >= 0x7f || c == '/' || c == ':' || c == '"' || c == '\\' || c == '*')
			return -EINVAL;
	}
	return 0;
}

int vpnc_ks_set_tun(struct vpnc_ks_allow *a, const char *ifname)
{
	if (vpnc_ks_ifname_valid(ifname) < 0)
		return -EINVAL;
	memcpy(a->tun, ifname, strlen(ifname) + 1);
	return 0;
}

int vpnc_ks_chain_suffix(const char *instance, char *out, size_t cap)
{
	size_t o = 0;

	if (instance == NULL || instance[0] == '\0')
		return -EINVAL;
	for (const unsigned char *p = (const unsigned char *)instance; *p != '\0'; p++) {
		bool keep = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');

		if (o + (keep ? 1 : 3) >= cap)
			return -ENOSPC;
		if (keep) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '_';
			o += (size_t)vpnc_hex_encode(p, 1, out + o, cap - o);
		}
	}
	out[o] = '\0';
	return 0;
}

/* An appender that remembers running out of room, so the callers need not check each line. */
struct text {
	char *buf;
	size_t cap, len;
	bool full;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->cap - t->len) {
		t->full = true;
		return;
	}
	t->len += (size_t)n;
}

static const char *ip_kw(int family)
{
	return family == AF_INET ? "ip" : "ip6";
}

static void ntop(const struct vpnc_ks_addr *a, char out[INET6_ADDRSTRLEN])
{
	if (inet_ntop(a->family, a->addr, out, INET6_ADDRSTRLEN) == NULL)
		out[0] = '\0';
}

/* The local networks (--kill-switch-allow-lan): RFC 1918, link-local, ULA, multicast, broadcast. */
static const char lan4[] = "{ 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16, "
                           "224.0.0.0/4, 255.255.255.255 }";
static const char lan6[] = "{ fe80::/10, fc00::/7, ff00::/8 }";

/*
 * IP protocol numbers (IANA): nft looks protocol names up in /etc/protocols,
 * which a minimal system (Debian's minbase, a container without netbase) does
 * not have, and then refuses the whole ruleset. Numbers need no lookup.
 */
#define KS_PROTO_TCP "6"
#define KS_PROTO_UDP "17"
#define KS_PROTO_ICMP "1"
#define KS_PROTO_ICMPV6 "58"
/* Router and neighbour solicitation and advertisement (ICMPv6 types 133-136). */
static const char nd[] = "icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, "
                         "nd-neighbor-advert }";

/*
 * One direction: out (dir "out": daddr, dport, oifname) or in (saddr, sport,
 * iifname). Anything not accepted here returns to the base chain, whose
 * policy is drop.
 */
static void chain(struct text *t, const char *sfx, const struct vpnc_ks_allow *a, bool out)
{
	const char *dir = out ? "out" : "in", *addr = out ? "daddr" : "saddr";
	const char *port = out ? "dport" : "sport", *ifn = out ? "oifname" : "iifname";
	char s[INET6_ADDRSTRLEN];

	put(t, "add chain inet " VPNC_KS_TABLE " %s_%s\n", dir, sfx);
	put(t, "flush chain inet " VPNC_KS_TABLE " %s_%s\n", dir, sfx);
#define RULE(...)                                                              \
	do {                                                                   \
		put(t, "add rule inet " VPNC_KS_TABLE " %s_%s ", dir, sfx);    \
		put(t, __VA_ARGS__);                                           \
		put(t, "\n");                                                  \
	} while (0)
	RULE("%s \"lo\" accept", ifn);
	if (a->tun[0] != '\0')
		RULE("%s \"%s\" accept", ifn, a->tun);
	for (size_t i = 0; i < a->n_ep; i++) {
		const struct vpnc_ks_endpoint *e = &a->ep[i];

		ntop(&e->a, s);
		RULE("%s %s %s %s %s %u accept", ip_kw(e->a.family), addr, s,
		     e->proto == IPPROTO_TCP ? "tcp" : "udp", port, (unsigned)e->port);
	}
	for (size_t i = 0; a->resolving && i < a->n_dns; i++) {
		ntop(&a->dns[i], s);
		RULE("%s %s %s meta l4proto { " KS_PROTO_UDP ", " KS_PROTO_TCP " } th %s 53 accept", ip_kw(a->dns[i].family), addr, s,
		     port);
	}
	/* DHCP (v4: client 68, server 67; v6: client 546, server 547). */
	RULE("udp sport %d udp dport %d accept", out ? 68 : 67, out ? 67 : 68);
	RULE("udp sport %d udp dport %d accept", out ? 546 : 547, out ? 547 : 546);
	RULE("%s accept", nd);
	/* ICMP errors about allowed flows (path MTU to the server). */
	if (!out)
		RULE("meta l4proto { " KS_PROTO_ICMP ", " KS_PROTO_ICMPV6 " } ct state related accept");
	if (a->lan) {
		RULE("ip %s %s accept", addr, lan4);
		RULE("ip6 %s %s accept", addr, lan6);
	}
#undef RULE
}

int vpnc_ks_rules(const char *instance, const struct vpnc_ks_allow *a, char *out, size_t cap)
{
	char sfx[4 * 64 + 1];
	struct text t = {out, cap, 0, false};

	if (cap == 0 || vpnc_ks_chain_suffix(instance, sfx, sizeof(sfx)) < 0)
		return -EINVAL;
	if (a->n_ep > VPNC_KS_MAX_ENDPOINTS || a->n_dns > VPNC_KS_MAX_RESOLVERS ||
	    (a->tun[0] != '\0' && vpnc_ks_ifname_valid(a->tun) < 0))
		return -EINVAL;
	for (size_t i = 0; i < a->n_ep; i++)
		if ((a->ep[i].a.family != AF_INET && a->ep[i].a.family != AF_INET6) || a->ep[i].port == 0 ||
		    (a->ep[i].proto != IPPROTO_UDP && a->ep[i].proto != IPPROTO_TCP))
			return -EINVAL;
	for (size_t i = 0; i < a->n_dns; i++)
		if (a->dns[i].family != AF_INET && a->dns[i].family != AF_INET6)
			return -EINVAL;
	out[0] = '\0';
	chain(&t, sfx, a, true);
	chain(&t, sfx, a, false);
	return t.full ? -ENOSPC : (int)t.len;
}

static void add_dns(struct vpnc_ks_allow *a, const struct vpnc_ks_addr *d, int *added)
{
	for (size_t i = 0; i < a->n_dns; i++)
		if (same_addr(&a->dns[i], d))
			return;
	if (a->n_dns >= VPNC_KS_MAX_RESOLVERS)
		return;
	a->dns[a->n_dns++] = *d;
	(*added)++;
}

int vpnc_ks_parse_resolvers(struct vpnc_ks_allow *a, const char *text)
{
	int added = 0;

	/* Bounded by the text: one line per turn. */
	while (text != NULL && *text != '\0') {
		const char *nl = strchr(text, '\n');
		size_t len = nl != NULL ? (size_t)(nl - text) : strlen(text);
		char line[256], word[INET6_ADDRSTRLEN + 1];
		struct vpnc_ks_addr d;

		if (len < sizeof(line)) {
			memcpy(line, text, len);
			line[len] = '\0';
			memset(&d, 0, sizeof(d));
			/* "nameserver ADDR[%scope]", blanks around; anything else is skipped. */
			if (sscanf(line, " nameserver %46[0-9A-Fa-f.:]", word) == 1) {
				if (inet_pton(AF_INET, word, d.addr) == 1)
					d.family = AF_INET;
				else if (inet_pton(AF_INET6, word, d.addr) == 1)
					d.family = AF_INET6;
				if (d.family != 0)
					add_dns(a, &d, &added);
			}
		}
		text = nl != NULL ? nl + 1 : NULL;
	}
	return added;
}

int vpnc_ks_target(const struct vpnc_config *c, const struct vpnc_remote *r, const char **host,
                   const char **port)
{
	const struct vpnc_socks_proxy *sp = vpnc_remote_socks(c, r);

	if (sp != NULL) {
		*host = sp->host;
		*port = sp->port;
		return IPPROTO_TCP;
	}
	if (c->http_proxy.set) {
		*host = c->http_proxy.host;
		*port = c->http_proxy.port;
		return IPPROTO_TCP;
	}
	*host = r->host;
	*port = r->port[0] ? r->port : "1194";
	return r->transport == VPNC_TRANSPORT_TCP ? IPPROTO_TCP : IPPROTO_UDP;
}
