/*
 * push_dns.c: the DNS options of a PUSH_REPLY (or of the profile, through
 * vpnc_push_profile_option()): 'dhcp-option DNS|DNS6|DOMAIN|...' and 2.6's
 * 'dns server N ...' / 'dns search-domains', with the merge check that runs
 * once all items are read. Same rules as push.c: validate every word, then store.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "core/dnsname.h"
#include "core/push_int.h"
#include "vpnc/push.h"

static const char *push_add_dns4(struct vpnc_push *p, uint32_t a)
{
	if (!push_ip4_unicast(a))
		return "DNS address not usable";
	for (size_t i = 0; i < p->n_dns4; i++)
		if (p->dns4[i] == a)
			return PUSH_IGNORED;
	if (p->n_dns4 >= VPNC_MAX_DNS)
		return "too many DNS servers";
	p->dns4[p->n_dns4++] = a;
	return NULL;
}

static const char *push_add_dns6(struct vpnc_push *p, const uint8_t a[16])
{
	if (!push_ip6_unicast(a))
		return "DNS6 address not usable";
	for (size_t i = 0; i < p->n_dns6; i++)
		if (memcmp(p->dns6[i], a, 16) == 0)
			return PUSH_IGNORED;
	if (p->n_dns6 >= VPNC_MAX_DNS)
		return "too many DNS servers";
	memcpy(p->dns6[p->n_dns6++], a, 16);
	return NULL;
}

static const char *push_add_domain(struct vpnc_push *p, const char *d, enum vpnc_domain_kind kind)
{
	if (!vpnc_dnsname_ok(d))
		return "bad domain name";
	for (size_t i = 0; i < p->n_domains; i++)
		if (strcasecmp(p->domains[i], d) == 0)
			return PUSH_IGNORED;
	if (p->n_domains >= VPNC_MAX_DOMAINS)
		return "too many domains";
	p->domain_kind[p->n_domains] = (uint8_t)kind;
	strcpy(p->domains[p->n_domains++], d); /* length checked by vpnc_dnsname_ok */
	return NULL;
}

/* A name into a list of up to VPNC_MAX_DOMAINS; "." only when root_ok. */
static const char *push_add_name(char (*list)[254], size_t *n, size_t max, const char *d, bool root_ok)
{
	if (!(root_ok && strcmp(d, ".") == 0) && !vpnc_dnsname_ok(d))
		return "bad domain name";
	for (size_t i = 0; i < *n; i++)
		if (strcasecmp(list[i], d) == 0)
			return PUSH_IGNORED;
	if (*n >= max)
		return "too many domains";
	strcpy(list[(*n)++], d); /* length checked above */
	return NULL;
}

const char *vpnc__push_opt_dhcp_option(struct vpnc_push *p, const struct push_item *it)
{
	static const char *const ignored[] = {"NTP", "NBS", "NBDD", "WINS", "NBT", "DISABLE-NBT",
	                                       "PROXY_HTTP"};
	const char *t;
	uint32_t a4;
	uint8_t a6[16];

	if (it->n < 2)
		return "expects TYPE [VALUE]";
	t = it->w[1];
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		if (strcmp(t, ignored[i]) == 0)
			return PUSH_IGNORED;
	if (it->n != 3)
		return "expects TYPE VALUE";
	if (strcmp(t, "DNS") == 0 || strcmp(t, "DNS6") == 0) {
		/* eduVPN pushes IPv6 servers as "DNS"; 2.6 accepts either family under both. */
		if (push_ip4(it->w[2], &a4))
			return push_add_dns4(p, a4);
		if (push_ip6(it->w[2], a6))
			return push_add_dns6(p, a6);
		return "DNS server is not an IP address";
	}
	if (strcmp(t, "DOMAIN") == 0)
		return push_add_domain(p, it->w[2], VPNC_DOM_DOMAIN);
	if (strcmp(t, "DOMAIN-SEARCH") == 0)
		return push_add_domain(p, it->w[2], VPNC_DOM_SEARCH);
	if (strcmp(t, "ADAPTER_DOMAIN_SUFFIX") == 0)
		return push_add_domain(p, it->w[2], VPNC_DOM_ADAPTER);
	if (strcmp(t, "DOMAIN-ROUTE") == 0)
		return push_add_name(p->route_domains, &p->n_route_domains, VPNC_MAX_DOMAINS, it->w[2], true);
	return "unknown dhcp-option type";
}

/* "A.B.C.D[:PORT]", "X::Y" or "[X::Y]:PORT", as 2.6's dns_server_addr_parse(); literals only. */
static bool push_dns_addr(const char *s, struct vpnc_dnsopt_addr *a)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	const char *first = strchr(s, ':'), *last = strrchr(s, ':'), *host = s;
	size_t hlen = strlen(s);
	unsigned long port = 0;
	uint32_t a4;

	memset(a, 0, sizeof(*a));
	if (first == NULL || first == last) {
		if (last != NULL) {
			if (last == s || !push_num(last + 1, 65535, &port) || port == 0)
				return false;
			hlen = (size_t)(last - s);
		}
		a->family = AF_INET;
	} else {
		if (s[0] == '[') {
			if (last[-1] != ']' || last - 1 == s + 1 || !push_num(last + 1, 65535, &port) || port == 0)
				return false;
			host = s + 1;
			hlen = (size_t)(last - 1 - host);
		}
		a->family = AF_INET6;
	}
	if (hlen >= sizeof(tmp))
		return false;
	memcpy(tmp, host, hlen);
	tmp[hlen] = '\0';
	a->port = (uint16_t)port;
	if (a->family == AF_INET) {
		if (!push_ip4(tmp, &a4) || !push_ip4_unicast(a4))
			return false;
		a4 = htonl(a4);
		memcpy(a->addr, &a4, 4);
		return true;
	}
	return push_ip6(tmp, a->addr) && push_ip6_unicast(a->addr);
}

/* The 'dns server N' entry to change, as a copy in *out; *at is where it goes (or is). */
static const char *push_dns_server_get(const struct vpnc_push *p, int prio, bool pulled,
                                       struct vpnc_dnsopt_server *out, size_t *at, bool *exists)
{
	size_t i = 0;

	while (i < p->n_dns_servers && p->dns_servers[i].priority < prio)
		i++;
	*at = i;
	*exists = i < p->n_dns_servers && p->dns_servers[i].priority == prio;
	if (*exists && (p->dns_servers[i].pushed || !pulled)) {
		*out = p->dns_servers[i];
		return NULL;
	}
	/* New, or a pushed N replacing the profile's N whole (2.6's dns_options_postprocess_pull). */
	if (!*exists && p->n_dns_servers >= VPNC_DNSOPT_SERVERS)
		return "too many dns servers";
	memset(out, 0, sizeof(*out));
	out->priority = prio;
	out->pushed = pulled;
	return NULL;
}

/* 2.6's --dns: 'dns search-domains D...' and 'dns server N address|resolve-domains|dnssec|transport|sni ...'. */
const char *vpnc__push_opt_dns(struct vpnc_push *p, const struct push_item *it)
{
	struct vpnc_dnsopt_server srv;
	size_t at;
	bool exists;
	int prio;
	const char *why, *k;

	if (it->n >= 3 && strcmp(it->w[1], "search-domains") == 0) {
		size_t fresh = 0;

		for (size_t i = 2; i < it->n; i++) {
			if (!vpnc_dnsname_ok(it->w[i]))
				return "bad search domain";
			fresh++;
		}
		if (p->n_dns_search + fresh > VPNC_DNSOPT_DOMAINS)
			return "too many search domains";
		for (size_t i = 2; i < it->n; i++)
			(void)push_add_name(p->dns_search, &p->n_dns_search, VPNC_DNSOPT_DOMAINS, it->w[i], false);
		return NULL;
	}
	if (it->n < 5 || strcmp(it->w[1], "server") != 0)
		return "expects 'server N KEY VALUE...' or 'search-domains D...'";
	/* 2.6: -128..127 in a profile, 0..127 when pushed. */
	if (it->w[2][0] == '-' && !it->pulled) {
		if (!push_int(it->w[2] + 1, 128, &prio))
			return "priority is not -128..127";
		prio = -prio;
	} else if (!push_int(it->w[2], 127, &prio)) {
		return it->pulled ? "priority is not 0..127" : "priority is not -128..127";
	}
	why = push_dns_server_get(p, prio, it->pulled, &srv, &at, &exists);
	if (why != NULL)
		return why;
	k = it->w[3];
	if (strcmp(k, "address") == 0) {
		for (size_t i = 4; i < it->n; i++) {
			if (srv.n_addr >= VPNC_DNSOPT_ADDRS)
				return "more than 8 addresses";
			if (!push_dns_addr(it->w[i], &srv.addr[srv.n_addr++]))
				return "not an address literal [with :port]";
		}
	} else if (strcmp(k, "resolve-domains") == 0) {
		for (size_t i = 4; i < it->n; i++) {
			why = push_add_name(srv.domains, &srv.n_domains, VPNC_DNSOPT_DOMAINS, it->w[i], false);
			if (why != NULL && why != PUSH_IGNORED)
				return why;
		}
	} else if (it->n != 5) {
		return "expects one value";
	} else if (strcmp(k, "dnssec") == 0) {
		if (strcmp(it->w[4], "yes") == 0)
			srv.dnssec = VPNC_DNSSEC_YES;
		else if (strcmp(it->w[4], "optional") == 0)
			srv.dnssec = VPNC_DNSSEC_OPTIONAL;
		else if (strcmp(it->w[4], "no") == 0)
			srv.dnssec = VPNC_DNSSEC_NO;
		else
			return "dnssec is not yes|optional|no";
	} else if (strcmp(k, "transport") == 0) {
		if (strcmp(it->w[4], "plain") == 0)
			srv.transport = VPNC_DNST_PLAIN;
		else if (strcmp(it->w[4], "DoH") == 0)
			srv.transport = VPNC_DNST_DOH;
		else if (strcmp(it->w[4], "DoT") == 0)
			srv.transport = VPNC_DNST_DOT;
		else
			return "transport is not plain|DoH|DoT";
	} else if (strcmp(k, "sni") == 0) {
		if (!vpnc_dnsname_ok(it->w[4]))
			return "sni is not a DNS name";
		strcpy(srv.sni, it->w[4]); /* length checked by vpnc_dnsname_ok */
	} else {
		return "unknown dns server option";
	}
	if (!exists) {
		memmove(&p->dns_servers[at + 1], &p->dns_servers[at],
		        (p->n_dns_servers - at) * sizeof(p->dns_servers[0]));
		p->n_dns_servers++;
	}
	p->dns_servers[at] = srv;
	return NULL;
}

/* 2.6's dns_options_verify(): a server without an address fails the pull (or the profile). */
const char *vpnc__push_check_dns(struct vpnc_push *p)
{
	for (size_t i = 0; i < p->n_dns_servers; i++) {
		if (p->dns_servers[i].n_addr > 0)
			continue;
		memmove(&p->dns_servers[i], &p->dns_servers[i + 1],
		        (p->n_dns_servers - i - 1) * sizeof(p->dns_servers[0]));
		p->n_dns_servers--;
		return "a dns server has no address";
	}
	return NULL;
}
