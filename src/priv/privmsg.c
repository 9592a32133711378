/*
 * privmsg.c: checks, builds and unpacks the parent/child messages of
 * privilege separation (privmsg.h). The checks mirror what the push parser
 * (core/push.c) lets through, so every push it produces passes, and nothing
 * else does: the parent must not trust the child any more than the child
 * trusts the peer.
 */
#include "priv/privmsg.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "core/dnsname.h"
#include "core/ip4.h"
#include "vpnc/buf.h"
#include "vpnc/config.h"
#include "os/tun_offload.h"

/* The wire layouts have no hidden padding: every byte is a named field. */
_Static_assert(sizeof(struct vpnc_priv_hdr) == 8, "hdr layout");
_Static_assert(sizeof(struct vpnc_priv_route4) == 20, "route4 layout");
_Static_assert(sizeof(struct vpnc_priv_route6) == 40, "route6 layout");
_Static_assert(offsetof(struct vpnc_priv_net, server) == 76, "net layout");
_Static_assert(sizeof(struct vpnc_priv_dnsaddr) == 20, "dns addr layout");
_Static_assert(sizeof(struct vpnc_priv_dnsserver) ==
                   12 + VPNC_DNSOPT_ADDRS * 20 + VPNC_DNSOPT_DOMAINS * VPNC_PRIV_DOMAIN_MAX + VPNC_DNSOPT_SNI_MAX + 2,
               "dns server layout");
_Static_assert(offsetof(struct vpnc_priv_net, n_dns_servers) ==
                   92 + VPNC_MAX_ROUTES * (20 + 40) + VPNC_MAX_DNS * (4 + 16) +
                       VPNC_MAX_DOMAINS * (2 * VPNC_PRIV_DOMAIN_MAX + 1) + 8 + 24,
               "net layout");
_Static_assert(offsetof(struct vpnc_priv_net, dns_servers) % 4 == 0, "net layout");
_Static_assert(sizeof(struct vpnc_priv_net) ==
                   offsetof(struct vpnc_priv_net, dns_servers) +
                       VPNC_DNSOPT_SERVERS * sizeof(struct vpnc_priv_dnsserver) +
                       VPNC_DNSOPT_DOMAINS * VPNC_PRIV_DOMAIN_MAX,
               "net layout");
_Static_assert(offsetof(struct vpnc_priv_net, dns_servers) ==
                   offsetof(struct vpnc_priv_net, n_dns_servers) + 8, "net layout");
_Static_assert(sizeof(((struct vpnc_push *)0)->dns_servers[0].domains[0]) == VPNC_PRIV_DOMAIN_MAX, "dns domain size");
_Static_assert(sizeof(((struct vpnc_push *)0)->dns_search[0]) == VPNC_PRIV_DOMAIN_MAX, "dns search size");
_Static_assert(sizeof(((struct vpnc_push *)0)->route_domains[0]) == VPNC_PRIV_DOMAIN_MAX, "route domain size");
_Static_assert(sizeof(struct vpnc_priv_msg_result) == 24 + VPNC_PRIV_DNS_WHY_MAX, "result layout");
_Static_assert(sizeof(struct vpnc_priv_msg_tun) == 8 + IFNAMSIZ + 8, "tun layout");
_Static_assert(sizeof(struct vpnc_priv_addr) == 20, "addr layout");
_Static_assert(sizeof(struct vpnc_priv_msg_addrs) == 24 + VPNC_PRIV_MAX_ADDRS * 20, "addrs layout");
_Static_assert(sizeof(((struct vpnc_priv_net *)0)->domains[0]) == sizeof(((struct vpnc_push *)0)->domains[0]),
               "domain size");
_Static_assert(VPNC_PRIV_MAX_ITEMS < 65536, "n_failed range");
_Static_assert(sizeof(struct vpnc_priv_msg_sign) == 16 + VPNC_PRIV_SIGN_MAX, "sign layout");
_Static_assert(sizeof(struct vpnc_priv_msg_verify) == 12 + VPNC_TLS_CI_SUBJECT + VPNC_TLS_CI_SERIAL + VPNC_TLS_CI_HEX +
                                                          VPNC_TLS_CI_SHA1 + VPNC_TLS_CI_SHA256 + VPNC_TLS_CI_X509 +
                                                          VPNC_TLS_CI_PEM,
               "verify layout");
_Static_assert(sizeof(struct vpnc_priv_msg_signature) == 16 + VPNC_PRIV_SIGN_MAX, "signature layout");

_Static_assert(sizeof(struct vpnc_priv_msg_ask) == 16 + VPNC_PRIV_ASK_TEXT, "ask layout");
_Static_assert(sizeof(struct vpnc_priv_msg_ask_done) == 12, "ask done layout");
_Static_assert(sizeof(struct vpnc_priv_msg_resolve) == 16, "resolve layout");
_Static_assert(sizeof(struct vpnc_priv_msg_relay) == 12 + 20, "relay layout");

#define PRIV_METRIC_MAX 0x7FFFFFFF /* as the push parser's */
#define PRIV_TUN_MTU_MIN 576
#define PRIV_TUN_MTU_MAX 9000
#define PRIV_LINK_MTU_MIN 68       /* the smallest MTU IPv4 allows (RFC 791) */
#define PRIV_LINK_MTU_MAX 65535
#define PRIV_ERRNO_MAX 4095
#define PRIV_RG_ALL                                                                                    \
	(VPNC_RG_ENABLE | VPNC_RG_DEF1 | VPNC_RG_IPV6 | VPNC_RG_NO_IPV4 | VPNC_RG_LOCAL |               \
	 VPNC_RG_BYPASS_DHCP | VPNC_RG_BLOCK_LOCAL | VPNC_RG_AUTO_LOCAL | VPNC_RG_BYPASS_DNS | VPNC_RG_PRIVATE)

size_t vpnc_priv_len(int type)
{
	switch (type) {
	case VPNC_PRIV_TUN_OPEN:
	case VPNC_PRIV_NET_UNAPPLY:
	case VPNC_PRIV_REPIN:
	case VPNC_PRIV_MARK: return sizeof(struct vpnc_priv_hdr);
	case VPNC_PRIV_NET_APPLY: return sizeof(struct vpnc_priv_msg_net);
	case VPNC_PRIV_RESOLVE: return sizeof(struct vpnc_priv_msg_resolve);
	case VPNC_PRIV_DOWN: return sizeof(struct vpnc_priv_msg_down);
	case VPNC_PRIV_RESULT: return sizeof(struct vpnc_priv_msg_result);
	case VPNC_PRIV_TUN: return sizeof(struct vpnc_priv_msg_tun);
	case VPNC_PRIV_ADDRS: return sizeof(struct vpnc_priv_msg_addrs);
	case VPNC_PRIV_SIGN: return sizeof(struct vpnc_priv_msg_sign);
	case VPNC_PRIV_SIGNATURE: return sizeof(struct vpnc_priv_msg_signature);
	case VPNC_PRIV_ASK: return sizeof(struct vpnc_priv_msg_ask);
	case VPNC_PRIV_ASK_DONE: return sizeof(struct vpnc_priv_msg_ask_done);
	case VPNC_PRIV_RELAY: return sizeof(struct vpnc_priv_msg_relay);
	case VPNC_PRIV_NET_GATEWAY: return sizeof(struct vpnc_priv_msg_gateway);
	case VPNC_PRIV_VERIFY: return sizeof(struct vpnc_priv_msg_verify);
	default: return 0;
	}
}

void vpnc_priv_hdr_init(struct vpnc_priv_hdr *h, int type)
{
	h->type = (uint16_t)type;
	h->zero = 0;
	h->len = (uint32_t)vpnc_priv_len(type);
}

/* ---- small checks ---- */

static bool zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

static bool flag(uint8_t v)
{
	return v <= 1;
}

/* The push parser's "usable unicast" for IPv4 (host order) and IPv6. */
static bool ip4_unicast(uint32_t a)
{
	return a != 0 && a != 0xFFFFFFFFu && (a & 0xF0000000u) != 0xE0000000u;
}

static bool ip6_unicast(const uint8_t a[16])
{
	static const uint8_t lo[16] = {[15] = 1};

	return !zero(a, 16) && memcmp(a, lo, 16) != 0 && a[0] != 0xFF;
}

/* No bit set beyond the first `bits`. */
static bool ip6_host_bits_clear(const uint8_t a[16], unsigned bits)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = bits >= 8 ? 8 : bits;
		uint8_t m = (uint8_t)(0xFF00u >> keep);

		if ((a[i] & (uint8_t)~m) != 0)
			return false;
		bits -= keep;
	}
	return true;
}

static bool metric_ok(int32_t m)
{
	return m == -1 || (m >= 0 && m <= PRIV_METRIC_MAX);
}

/* A NUL-terminated name within cap, NUL-padded after it. */
static bool padded_string(const char *s, size_t cap, size_t *len)
{
	const char *nul = memchr(s, '\0', cap);

	if (nul == NULL)
		return false;
	*len = (size_t)(nul - s);
	return zero(nul, cap - *len);
}

static bool addr_ok(int family, const uint8_t a[16])
{
	if (family == AF_INET) {
		return ip4_unicast(vpnc_get_u32(a)) && zero(a + 4, 12);
	}
	if (family == AF_INET6)
		return ip6_unicast(a);
	return false;
}

/* ---- NET_APPLY ---- */

static bool route4_ok(const struct vpnc_priv_route4 *r)
{
	if (!flag(r->net_gateway) || r->net_kind > VPNC_RT_NET_HOST || !zero(r->zero, sizeof(r->zero)))
		return false;
	/* A host name of the profile: net is its index; the parent resolves its own copy of the name. */
	if (r->net_kind == VPNC_RT_NET_HOST)
		return r->net < VPNC_MAX_ROUTE_HOSTS && vpnc_ip4_mask_prefix(r->mask) >= 0 && metric_ok(r->metric) &&
		       (r->gw == 0 || (!r->net_gateway && ip4_unicast(r->gw)));
	if (vpnc_ip4_mask_prefix(r->mask) < 0 || (r->net & r->mask) != r->net || !metric_ok(r->metric))
		return false;
	if (r->net_kind != VPNC_RT_NET_ADDR && r->net != 0)
		return false;
	if (r->gw != 0 && (r->net_gateway || !ip4_unicast(r->gw)))
		return false;
	return true;
}

static bool route6_ok(const struct vpnc_priv_route6 *r)
{
	if (!flag(r->net_gateway) || r->bits > 128 || !zero(r->zero, sizeof(r->zero)) || !metric_ok(r->metric))
		return false;
	if (!ip6_host_bits_clear(r->net, r->bits))
		return false;
	if (!zero(r->gw, 16) && (r->net_gateway || !ip6_unicast(r->gw)))
		return false;
	return true;
}

static bool ifconfig_ok(const struct vpnc_priv_net *n)
{
	uint32_t local = n->ifconfig_local, m = n->ifconfig_mask_or_peer;

	if (!flag(n->has_ifconfig) || n->topology > VPNC_TOPO_SUBNET)
		return false;
	if (!n->has_ifconfig)
		return local == 0 && m == 0;
	if (!ip4_unicast(local) || (local >> 24) == 127 || m == 0 || m == local)
		return false;
	if (n->topology == VPNC_TOPO_SUBNET) {
		uint32_t host = local & ~m;

		if (vpnc_ip4_mask_prefix(m) < 0 || (~m > 1 && (host == 0 || host == ~m)))
			return false;
	}
	return true;
}

static bool ifconfig6_ok(const struct vpnc_priv_net *n)
{
	if (!flag(n->has_ifconfig6))
		return false;
	if (!n->has_ifconfig6)
		return n->ifconfig6_bits == 0 && zero(n->ifconfig6_local, 16) && zero(n->ifconfig6_remote, 16);
	return n->ifconfig6_bits >= 1 && n->ifconfig6_bits <= 128 && ip6_unicast(n->ifconfig6_local) &&
	       (zero(n->ifconfig6_remote, 16) || ip6_unicast(n->ifconfig6_remote));
}

static bool server_ok(const struct vpnc_priv_net *n)
{
	if (n->server_family == 0)
		return n->server_port == 0 && zero(n->server, 16);
	return n->server_port != 0 && addr_ok(n->server_family, n->server);
}

/* A list of names in slots of VPNC_PRIV_DOMAIN_MAX: n used (each a DNS name), the rest zero. */
static bool names_ok(const char (*names)[VPNC_PRIV_DOMAIN_MAX], size_t slots, size_t n)
{
	size_t len;

	if (n > slots)
		return false;
	for (size_t i = 0; i < slots; i++) {
		if (i >= n ? !zero(names[i], VPNC_PRIV_DOMAIN_MAX)
		           : !padded_string(names[i], VPNC_PRIV_DOMAIN_MAX, &len) || !vpnc_dnsname_ok(names[i]))
			return false;
	}
	return true;
}

/* 2.6's --dns, within the push parser's rules (core/push.c, opt_dns). */
static bool dnsserver_ok(const struct vpnc_priv_dnsserver *d)
{
	size_t len;

	if (!flag(d->pushed) || d->priority > 127 || d->priority < (d->pushed ? 0 : -128) ||
	    d->n_addr == 0 || d->n_addr > VPNC_DNSOPT_ADDRS || d->dnssec > VPNC_DNSSEC_NO || d->transport > VPNC_DNST_DOT ||
	    !zero(d->zero, sizeof(d->zero)) || !zero(d->zero2, sizeof(d->zero2)))
		return false;
	for (size_t i = 0; i < VPNC_DNSOPT_ADDRS; i++) {
		const struct vpnc_priv_dnsaddr *a = &d->addr[i];

		if (i >= d->n_addr ? !zero(a, sizeof(*a)) : a->zero != 0 || !addr_ok(a->family, a->addr))
			return false;
	}
	if (!names_ok(d->domains, VPNC_DNSOPT_DOMAINS, d->n_domains))
		return false;
	if (!padded_string(d->sni, sizeof(d->sni), &len))
		return false;
	return len == 0 || vpnc_dnsname_ok(d->sni);
}

static bool dnsopt_ok(const struct vpnc_priv_net *n)
{
	if (n->n_dns_servers > VPNC_DNSOPT_SERVERS || !zero(n->zero3, sizeof(n->zero3)))
		return false;
	for (size_t i = 0; i < VPNC_DNSOPT_SERVERS; i++)
		if (i < n->n_dns_servers ? !dnsserver_ok(&n->dns_servers[i])
		                         : !zero(&n->dns_servers[i], sizeof(n->dns_servers[i])))
			return false;
	return names_ok(n->dns_search, VPNC_DNSOPT_DOMAINS, n->n_dns_search);
}

static bool net_ok(const struct vpnc_priv_net *n)
{
	if (!ifconfig_ok(n) || !ifconfig6_ok(n) || !server_ok(n) || !zero(n->zero, sizeof(n->zero)))
		return false;
	if (!flag(n->has_route_gateway) || !flag(n->route_gateway_dhcp) || (n->has_route_gateway ? !ip4_unicast(n->route_gateway) : n->route_gateway != 0))
		return false;
	if ((n->redirect_gateway & ~(uint32_t)PRIV_RG_ALL) != 0 ||
	    (n->redirect_gateway != 0 && !(n->redirect_gateway & VPNC_RG_ENABLE)))
		return false;
	if (n->tun_mtu != 0 && (n->tun_mtu < PRIV_TUN_MTU_MIN || n->tun_mtu > PRIV_TUN_MTU_MAX))
		return false;
	if (!metric_ok(n->route_metric))
		return false;
	if (n->n_routes > VPNC_MAX_ROUTES || n->n_routes6 > VPNC_MAX_ROUTES || n->n_dns4 > VPNC_MAX_DNS ||
	    n->n_dns6 > VPNC_MAX_DNS || n->n_domains > VPNC_MAX_DOMAINS)
		return false;
	for (size_t i = 0; i < VPNC_MAX_ROUTES; i++) {
		if (i < n->n_routes ? !route4_ok(&n->routes[i]) : !zero(&n->routes[i], sizeof(n->routes[i])))
			return false;
		if (i < n->n_routes6 ? !route6_ok(&n->routes6[i]) : !zero(&n->routes6[i], sizeof(n->routes6[i])))
			return false;
	}
	for (size_t i = 0; i < VPNC_MAX_DNS; i++) {
		if (i < n->n_dns4 ? !ip4_unicast(n->dns4[i]) : n->dns4[i] != 0)
			return false;
		if (i < n->n_dns6 ? !ip6_unicast(n->dns6[i]) : !zero(n->dns6[i], 16))
			return false;
	}
	for (size_t i = 0; i < VPNC_MAX_DOMAINS; i++) {
		size_t len;

		if (i >= n->n_domains) {
			if (!zero(n->domains[i], VPNC_PRIV_DOMAIN_MAX))
				return false;
			continue;
		}
		if (!padded_string(n->domains[i], VPNC_PRIV_DOMAIN_MAX, &len) || !vpnc_dnsname_ok(n->domains[i]))
			return false;
	}
	for (size_t i = 0; i < VPNC_MAX_DOMAINS; i++)
		if (i < n->n_domains ? n->domain_kind[i] > VPNC_DOM_ADAPTER : n->domain_kind[i] != 0)
			return false;
	if (!flag(n->has_route6_gateway) || !zero(n->zero4, sizeof(n->zero4)) ||
	    (n->has_route6_gateway ? !ip6_unicast(n->route6_gateway) : !zero(n->route6_gateway, 16)))
		return false;
	if (n->n_route_domains > VPNC_MAX_DOMAINS || !zero(n->zero2, sizeof(n->zero2)))
		return false;
	if (!dnsopt_ok(n))
		return false;
	for (size_t i = 0; i < VPNC_MAX_DOMAINS; i++) {
		size_t len;

		if (i >= n->n_route_domains) {
			if (!zero(n->route_domains[i], VPNC_PRIV_DOMAIN_MAX))
				return false;
			continue;
		}
		if (!padded_string(n->route_domains[i], VPNC_PRIV_DOMAIN_MAX, &len) ||
		    (strcmp(n->route_domains[i], ".") != 0 && !vpnc_dnsname_ok(n->route_domains[i])))
			return false;
	}
	return true;
}

/* ---- the replies ---- */

/* dns_why: text only with a failed DNS, printable (it reaches the log, STATUS= and status). */
static bool why_ok(const struct vpnc_priv_msg_result *r)
{
	size_t len;

	if (!padded_string(r->dns_why, sizeof(r->dns_why), &len))
		return false;
	if (len > 0 && (r->request != VPNC_PRIV_NET_APPLY || r->dns != VPNC_PRIV_DNS_FAILED))
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)r->dns_why[i] < 0x20 || (unsigned char)r->dns_why[i] > 0x7e)
			return false;
	return true;
}

static bool result_ok(const struct vpnc_priv_msg_result *r)
{
	if (r->err > 0 || r->err < -PRIV_ERRNO_MAX || r->n_failed > VPNC_PRIV_MAX_ITEMS)
		return false;
	if (r->request != VPNC_PRIV_NET_APPLY && (r->dns != 0 || r->dns_mode != 0))
		return false;
	if (!why_ok(r))
		return false;
	switch (r->request) {
	case VPNC_PRIV_NET_APPLY:
		if (r->dns > VPNC_PRIV_DNS_SHARED || r->dns_mode > VPNC_DNS_NONE)
			return false;
		return r->mtu == 0 || (r->mtu >= PRIV_LINK_MTU_MIN && r->mtu <= PRIV_LINK_MTU_MAX);
	case VPNC_PRIV_NET_UNAPPLY:
	case VPNC_PRIV_REPIN:
	case VPNC_PRIV_DOWN:
		return r->mtu == 0; /* n_failed: deletions that failed */
	case VPNC_PRIV_NET_GATEWAY:
		return r->mtu == 0; /* n_failed: routes the kernel refused */
	case VPNC_PRIV_TUN_OPEN:
		return r->err < 0 && r->mtu == 0 && r->n_failed == 0; /* success is a TUN message */
	case VPNC_PRIV_ASK:
		return r->mtu == 0 && r->n_failed == 0;
	case VPNC_PRIV_ASK_DONE:
		return r->err == 0 && r->mtu == 0 && r->n_failed == 0;
	case VPNC_PRIV_RELAY:
	case VPNC_PRIV_MARK:
		return r->mtu == 0 && r->n_failed == 0;
	case VPNC_PRIV_VERIFY:
		return (r->err == 0 || r->err == -EPERM) && r->mtu == 0 && r->n_failed == 0;
	default:
		return false; /* RESOLVE has its own reply, with its own error */
	}
}

/* What the kernel accepts as an interface name (dev_valid_name()). */
static bool ifname_ok(const char *name)
{
	size_t len;

	if (!padded_string(name, IFNAMSIZ, &len) || len == 0 || len >= IFNAMSIZ)
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= 0x20 || c >= 0x7f || c == '/' || c == ':')
			return false;
	}
	return true;
}

/* A server reached through a SOCKS proxy may listen on the proxy host's loopback, ::1 too. */
static bool socks_server_ok(int family, const uint8_t a[16])
{
	static const uint8_t lo[16] = {[15] = 1};

	return addr_ok(family, a) || (family == AF_INET6 && memcmp(a, lo, 16) == 0);
}

static bool addrs_ok(const struct vpnc_priv_msg_addrs *a)
{
	if (a->remote >= VPNC_PRIV_MAX_REMOTES || a->n > VPNC_PRIV_MAX_ADDRS || a->what > VPNC_PRIV_RESOLVE_SOCKS_SERVER)
		return false;
	if (a->err > 0 || a->err < -PRIV_ERRNO_MAX || (a->err != 0 && a->n != 0))
		return false;
	for (size_t i = 0; i < VPNC_PRIV_MAX_ADDRS; i++) {
		const struct vpnc_priv_addr *e = &a->addrs[i];

		if (i >= a->n) {
			if (!zero(e, sizeof(*e)))
				return false;
			continue;
		}
		if (e->zero != 0 || e->port == 0 ||
		    !(a->what == VPNC_PRIV_RESOLVE_SOCKS_SERVER ? socks_server_ok(e->family, e->addr)
		                                                : addr_ok(e->family, e->addr)))
			return false;
	}
	return true;
}

static bool sign_ok(const struct vpnc_priv_msg_sign *m)
{
	size_t max = m->op == VPNC_PRIV_SIGN_ECDSA ? VPNC_PRIV_DIGEST_MAX : VPNC_PRIV_SIGN_MAX;

	if (m->op < VPNC_PRIV_SIGN_RSA_PKCS1 || m->op > VPNC_PRIV_SIGN_ECDSA || m->len == 0 || m->len > max)
		return false;
	return zero(m->data + m->len, VPNC_PRIV_SIGN_MAX - m->len);
}

static bool signature_ok(const struct vpnc_priv_msg_signature *m)
{
	if (m->err > 0 || m->err < -PRIV_ERRNO_MAX || m->len > VPNC_PRIV_SIGN_MAX || (m->err < 0) != (m->len == 0))
		return false;
	return zero(m->sig + m->len, VPNC_PRIV_SIGN_MAX - m->len);
}

/* A VERIFY string: NUL-terminated and NUL-padded, 1..cap-1 bytes, each printable ASCII or in set. */
static bool verify_str_ok(const char *s, size_t cap, const char *set)
{
	size_t len;

	if (!padded_string(s, cap, &len) || len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (set != NULL ? strchr(set, c) == NULL : (c < 0x20 || c > 0x7e))
			return false;
	}
	return true;
}

/* The X509 lines: NUL-padded "NAME=value\n" lines, NAME [A-Za-z0-9_]{1,48}, value printable ASCII. */
static bool x509_lines_ok(const char *s, size_t cap)
{
	size_t len, i = 0;

	if (!padded_string(s, cap, &len))
		return false;
	while (i < len) {
		size_t name = 0;

		for (; i < len && s[i] != '='; i++, name++) {
			char c = s[i];

			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
				return false;
		}
		if (i == len || name == 0 || name > 48)
			return false;
		for (i++; i < len && s[i] != '\n'; i++)
			if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
				return false;
		if (i == len)
			return false; /* every line ends with '\n' */
		i++;
	}
	return true;
}

/* Empty, or exactly one PEM certificate: its BEGIN line, base64 lines, its END line. */
static bool pem_ok(const char *s, size_t cap)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----\n", end[] = "-----END CERTIFICATE-----\n";
	size_t len;

	if (!padded_string(s, cap, &len))
		return false;
	if (len == 0)
		return true;
	if (len < sizeof(begin) + sizeof(end) || memcmp(s, begin, sizeof(begin) - 1) != 0 ||
	    memcmp(s + len - (sizeof(end) - 1), end, sizeof(end) - 1) != 0)
		return false;
	for (size_t i = sizeof(begin) - 1; i < len - (sizeof(end) - 1); i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
		      c == '/' || c == '=' || c == '\n'))
			return false;
	}
	return true;
}

static bool verify_ok(const struct vpnc_priv_msg_verify *m)
{
	static const char hex[] = "0123456789abcdef:";

	return m->depth < VPNC_PRIV_VERIFY_DEPTH && verify_str_ok(m->subject, sizeof(m->subject), NULL) &&
	       verify_str_ok(m->serial + (m->serial[0] == '-'), sizeof(m->serial) - (m->serial[0] == '-'),
	                     "0123456789") &&
	       verify_str_ok(m->serial_hex, sizeof(m->serial_hex), hex) &&
	       verify_str_ok(m->sha1, sizeof(m->sha1), hex) && verify_str_ok(m->sha256, sizeof(m->sha256), hex) &&
	       strlen(m->sha1) == 59 && strlen(m->sha256) == 95 && x509_lines_ok(m->x509, sizeof(m->x509)) &&
	       pem_ok(m->pem, sizeof(m->pem));
}

/* ASK's text: printable ASCII, at least one byte, NUL-terminated and NUL-padded. */
static bool ask_text_ok(const char *text)
{
	size_t len;

	if (!padded_string(text, VPNC_PRIV_ASK_TEXT, &len) || len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7e)
			return false;
	return true;
}

static bool ask_ok(const struct vpnc_priv_msg_ask *m)
{
	return m->id != 0 && m->kind < VPNC_PRIV_ASK_KINDS && flag(m->echo) && zero(m->zero, sizeof(m->zero)) &&
	       ask_text_ok(m->text);
}

int vpnc_priv_ask_init(struct vpnc_priv_msg_ask *m, unsigned id, int kind, bool echo, const char *text)
{
	size_t len = text != NULL ? strnlen(text, VPNC_PRIV_ASK_TEXT - 1) : 0;

	memset(m, 0, sizeof(*m));
	vpnc_priv_hdr_init(&m->h, VPNC_PRIV_ASK);
	if (id == 0 || kind < 0 || kind >= VPNC_PRIV_ASK_KINDS)
		return -EINVAL;
	m->id = (uint32_t)id;
	m->kind = (uint8_t)kind;
	m->echo = echo;
	for (size_t i = 0; i < len; i++)
		m->text[i] = (unsigned char)text[i] >= 0x20 && (unsigned char)text[i] <= 0x7e ? text[i] : '?';
	if (len == 0)
		m->text[0] = '?'; /* an empty question is still a question */
	return 0;
}

int vpnc_priv_check(const void *msg, size_t len, bool from_parent)
{
	union vpnc_priv_msg m;
	size_t want;

	if (msg == NULL || len < sizeof(struct vpnc_priv_hdr) || len > sizeof(m))
		return -EBADMSG;
	memcpy(&m, msg, len); /* aligned copy; the buffer may be anywhere */
	want = vpnc_priv_len(m.h.type);
	if (want == 0 || len != want || m.h.len != want || m.h.zero != 0)
		return -EBADMSG;
	if (from_parent != (m.h.type >= VPNC_PRIV_RESULT))
		return -EBADMSG;
	switch (m.h.type) {
	case VPNC_PRIV_TUN_OPEN:
	case VPNC_PRIV_NET_UNAPPLY:
	case VPNC_PRIV_REPIN:
	case VPNC_PRIV_MARK: break;
	case VPNC_PRIV_NET_APPLY:
		if (!net_ok(&m.net.net))
			return -EBADMSG;
		break;
	case VPNC_PRIV_RESOLVE:
		if (m.resolve.remote >= VPNC_PRIV_MAX_REMOTES || m.resolve.what > VPNC_PRIV_RESOLVE_SOCKS_SERVER)
			return -EBADMSG;
		break;
	case VPNC_PRIV_RELAY:
		if (m.relay.remote >= VPNC_PRIV_MAX_REMOTES || m.relay.relay.zero != 0 || m.relay.relay.port == 0 ||
		    !addr_ok(m.relay.relay.family, m.relay.relay.addr))
			return -EBADMSG;
		break;
	case VPNC_PRIV_DOWN:
		if (m.down.why > VPNC_PRIV_DOWN_FATAL)
			return -EBADMSG;
		break;
	case VPNC_PRIV_RESULT:
		if (!result_ok(&m.result))
			return -EBADMSG;
		break;
	case VPNC_PRIV_TUN:
		if (!ifname_ok(m.tun.name) || m.tun.ifindex <= 0 ||
		    (m.tun.offloads & ~(uint32_t)(VPNC_TUN_OFF_VNET | VPNC_TUN_OFF_TSO | VPNC_TUN_OFF_USO)) != 0 ||
		    (m.tun.offloads != 0 && !(m.tun.offloads & VPNC_TUN_OFF_VNET)))
			return -EBADMSG;
		break;
	case VPNC_PRIV_ADDRS:
		if (!addrs_ok(&m.addrs))
			return -EBADMSG;
		break;
	case VPNC_PRIV_SIGN:
		if (!sign_ok(&m.sign))
			return -EBADMSG;
		break;
	case VPNC_PRIV_SIGNATURE:
		if (!signature_ok(&m.signature))
			return -EBADMSG;
		break;
	case VPNC_PRIV_ASK:
		if (!ask_ok(&m.ask))
			return -EBADMSG;
		break;
	case VPNC_PRIV_ASK_DONE:
		if (m.ask_done.id == 0)
			return -EBADMSG;
		break;
	case VPNC_PRIV_NET_GATEWAY:
		/* The engine's own rule for a DHCP router (engine.c, dhcp_in()): no loopback either. */
		if (!ip4_unicast(m.gateway.gateway) || (m.gateway.gateway >> 24) == 127)
			return -EBADMSG;
		break;
	case VPNC_PRIV_VERIFY:
		if (!verify_ok(&m.verify))
			return -EBADMSG;
		break;
	default: return -EBADMSG;
	}
	return m.h.type;
}

/* ---- push <-> NET_APPLY ---- */

int vpnc_priv_net_from_push(struct vpnc_priv_msg_net *m, const struct vpnc_push *p,
                            const struct sockaddr *server, unsigned *dropped)
{
	struct vpnc_priv_net *n = &m->net;
	unsigned left = 0;

	memset(m, 0, sizeof(*m));
	vpnc_priv_hdr_init(&m->h, VPNC_PRIV_NET_APPLY);
	if (p->n_routes > VPNC_MAX_ROUTES || p->n_routes6 > VPNC_MAX_ROUTES || p->n_dns4 > VPNC_MAX_DNS ||
	    p->n_dns6 > VPNC_MAX_DNS || p->n_domains > VPNC_MAX_DOMAINS)
		return -EBADMSG;
	n->has_ifconfig = p->has_ifconfig;
	n->topology = (uint8_t)p->topology;
	if (p->has_ifconfig) {
		n->ifconfig_local = p->ifconfig_local;
		n->ifconfig_mask_or_peer = p->ifconfig_mask_or_peer;
	}
	n->has_ifconfig6 = p->has_ifconfig6;
	if (p->has_ifconfig6) {
		n->ifconfig6_bits = p->ifconfig6_bits;
		memcpy(n->ifconfig6_local, p->ifconfig6_local, 16);
		memcpy(n->ifconfig6_remote, p->ifconfig6_remote, 16);
	}
	n->has_route_gateway = p->has_route_gateway;
	n->route_gateway_dhcp = p->route_gateway_dhcp;
	if (p->has_route_gateway)
		n->route_gateway = p->route_gateway;
	n->has_route6_gateway = p->has_route6_gateway;
	if (p->has_route6_gateway)
		memcpy(n->route6_gateway, p->route6_gateway, 16);
	n->redirect_gateway = p->redirect_gateway;
	n->tun_mtu = p->tun_mtu;
	n->route_metric = p->route_metric;
	for (size_t i = 0; i < p->n_routes; i++) {
		const struct vpnc_route4 *r = &p->routes[i];

		if (r->net_kind > VPNC_RT_NET_HOST) {
			left++;
			continue;
		}
		n->routes[n->n_routes++] = (struct vpnc_priv_route4){.net = r->net, .mask = r->mask, .gw = r->gw,
		                                                     .metric = r->metric, .net_gateway = r->net_gateway,
		                                                     .net_kind = r->net_kind};
	}
	n->n_routes6 = (uint16_t)p->n_routes6;
	for (size_t i = 0; i < p->n_routes6; i++) {
		const struct vpnc_route6 *r = &p->routes6[i];
		struct vpnc_priv_route6 *o = &n->routes6[i];

		memcpy(o->net, r->net, 16);
		memcpy(o->gw, r->gw, 16);
		o->metric = r->metric;
		o->bits = r->bits;
		o->net_gateway = r->net_gateway;
	}
	n->n_dns4 = (uint16_t)p->n_dns4;
	memcpy(n->dns4, p->dns4, p->n_dns4 * sizeof(n->dns4[0]));
	n->n_dns6 = (uint16_t)p->n_dns6;
	memcpy(n->dns6, p->dns6, p->n_dns6 * 16);
	n->n_domains = (uint16_t)p->n_domains;
	for (size_t i = 0; i < p->n_domains; i++) {
		size_t len = strnlen(p->domains[i], sizeof(p->domains[i]));

		if (len == sizeof(p->domains[i]))
			return -EBADMSG;
		memcpy(n->domains[i], p->domains[i], len); /* the rest stays zero */
		n->domain_kind[i] = p->domain_kind[i];
	}
	if (p->n_route_domains > VPNC_MAX_DOMAINS)
		return -EBADMSG;
	n->n_route_domains = (uint16_t)p->n_route_domains;
	for (size_t i = 0; i < p->n_route_domains; i++) {
		size_t len = strnlen(p->route_domains[i], sizeof(p->route_domains[i]));

		if (len == sizeof(p->route_domains[i]))
			return -EBADMSG;
		memcpy(n->route_domains[i], p->route_domains[i], len);
	}
	if (p->n_dns_servers > VPNC_DNSOPT_SERVERS || p->n_dns_search > VPNC_DNSOPT_DOMAINS)
		return -EBADMSG;
	n->n_dns_servers = (uint16_t)p->n_dns_servers;
	for (size_t i = 0; i < p->n_dns_servers; i++) {
		const struct vpnc_dnsopt_server *d = &p->dns_servers[i];
		struct vpnc_priv_dnsserver *o = &n->dns_servers[i];

		if (d->n_addr > VPNC_DNSOPT_ADDRS || d->n_domains > VPNC_DNSOPT_DOMAINS)
			return -EBADMSG;
		o->priority = d->priority;
		o->pushed = d->pushed;
		o->n_addr = (uint8_t)d->n_addr;
		o->n_domains = (uint8_t)d->n_domains;
		o->dnssec = (uint8_t)d->dnssec;
		o->transport = (uint8_t)d->transport;
		for (size_t k = 0; k < d->n_addr; k++) {
			o->addr[k].family = d->addr[k].family;
			o->addr[k].port = d->addr[k].port;
			memcpy(o->addr[k].addr, d->addr[k].addr, d->addr[k].family == AF_INET ? 4 : 16);
		}
		for (size_t k = 0; k < d->n_domains; k++)
			memcpy(o->domains[k], d->domains[k], strnlen(d->domains[k], VPNC_PRIV_DOMAIN_MAX - 1));
		memcpy(o->sni, d->sni, strnlen(d->sni, sizeof(o->sni) - 1));
	}
	n->n_dns_search = (uint16_t)p->n_dns_search;
	for (size_t i = 0; i < p->n_dns_search; i++)
		memcpy(n->dns_search[i], p->dns_search[i], strnlen(p->dns_search[i], VPNC_PRIV_DOMAIN_MAX - 1));
	if (dropped != NULL)
		*dropped = left;
	if (server != NULL && server->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)server;

		n->server_family = AF_INET;
		n->server_port = s->sin_port;
		memcpy(n->server, &s->sin_addr, 4);
	} else if (server != NULL && server->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)server;

		n->server_family = AF_INET6;
		n->server_port = s->sin6_port;
		memcpy(n->server, &s->sin6_addr, 16);
	}
	return vpnc_priv_check(m, sizeof(*m), false) == VPNC_PRIV_NET_APPLY ? 0 : -EBADMSG;
}

void vpnc_priv_net_to_push(const struct vpnc_priv_net *n, struct vpnc_push *p)
{
	vpnc_push_init(p);
	p->has_ifconfig = n->has_ifconfig;
	p->topology = (enum vpnc_topology)n->topology;
	p->ifconfig_local = n->ifconfig_local;
	p->ifconfig_mask_or_peer = n->ifconfig_mask_or_peer;
	p->has_ifconfig6 = n->has_ifconfig6;
	p->ifconfig6_bits = n->ifconfig6_bits;
	memcpy(p->ifconfig6_local, n->ifconfig6_local, 16);
	memcpy(p->ifconfig6_remote, n->ifconfig6_remote, 16);
	p->has_route_gateway = n->has_route_gateway;
	p->route_gateway = n->route_gateway;
	p->route_gateway_dhcp = n->route_gateway_dhcp;
	p->has_route6_gateway = n->has_route6_gateway;
	memcpy(p->route6_gateway, n->route6_gateway, 16);
	p->redirect_gateway = n->redirect_gateway;
	p->tun_mtu = n->tun_mtu;
	p->route_metric = n->route_metric;
	p->n_routes = n->n_routes;
	for (size_t i = 0; i < n->n_routes; i++) {
		const struct vpnc_priv_route4 *r = &n->routes[i];

		p->routes[i] = (struct vpnc_route4){.net = r->net, .mask = r->mask, .gw = r->gw, .metric = r->metric,
		                                    .net_gateway = r->net_gateway, .net_kind = r->net_kind};
	}
	p->n_routes6 = n->n_routes6;
	for (size_t i = 0; i < n->n_routes6; i++) {
		struct vpnc_route6 *r = &p->routes6[i];

		memcpy(r->net, n->routes6[i].net, 16);
		memcpy(r->gw, n->routes6[i].gw, 16);
		r->bits = n->routes6[i].bits;
		r->metric = n->routes6[i].metric;
		r->net_gateway = n->routes6[i].net_gateway;
	}
	p->n_dns4 = n->n_dns4;
	memcpy(p->dns4, n->dns4, sizeof(n->dns4[0]) * n->n_dns4);
	p->n_dns6 = n->n_dns6;
	memcpy(p->dns6, n->dns6, 16 * n->n_dns6);
	p->n_domains = n->n_domains;
	memcpy(p->domains, n->domains, sizeof(p->domains));
	memcpy(p->domain_kind, n->domain_kind, sizeof(p->domain_kind));
	p->n_route_domains = n->n_route_domains;
	memcpy(p->route_domains, n->route_domains, sizeof(p->route_domains));
	p->n_dns_servers = n->n_dns_servers;
	for (size_t i = 0; i < n->n_dns_servers; i++) {
		const struct vpnc_priv_dnsserver *d = &n->dns_servers[i];
		struct vpnc_dnsopt_server *o = &p->dns_servers[i];

		memset(o, 0, sizeof(*o));
		o->priority = d->priority;
		o->pushed = d->pushed;
		o->n_addr = d->n_addr;
		o->n_domains = d->n_domains;
		o->dnssec = (enum vpnc_dnssec)d->dnssec;
		o->transport = (enum vpnc_dns_transport)d->transport;
		for (size_t k = 0; k < d->n_addr; k++) {
			o->addr[k].family = d->addr[k].family;
			o->addr[k].port = d->addr[k].port;
			memcpy(o->addr[k].addr, d->addr[k].addr, 16);
		}
		memcpy(o->domains, d->domains, sizeof(o->domains));
		memcpy(o->sni, d->sni, sizeof(o->sni));
	}
	p->n_dns_search = n->n_dns_search;
	memcpy(p->dns_search, n->dns_search, sizeof(p->dns_search));
}
