/*
 * push.c: parses the options of a PUSH_REPLY into struct vpnc_push.
 *
 * The text is split on ',' (a pushed value can never contain a comma), each
 * item is split into words by the shared lexer (core/lex.h) as a config line
 * is, and the first word picks a handler from an allow-list. Every handler
 * validates all of its words before it stores anything, so a rejected option
 * leaves the struct as it was. An
 * option we know but do not apply is counted in n_ignored; anything else,
 * and any option with a bad value, is counted in n_rejected and described
 * through the log callback. Secrets (auth-token) are never passed to the log.
 *
 * vpnc_push_parse_filtered() first applies the client's own limits to each
 * item: pull-filter (prefix match on the raw item, first match decides, as
 * OpenVPN does) and route-nopull (drops the route and DHCP/DNS classes).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/b64.h"
#include "core/dnsname.h"
#include "core/ip4.h"
#include "core/lex.h"
#include "core/push_int.h"
#include "vpnc/push.h"

#define PUSH_ITEM_MAX 255      /* chars per item; OpenVPN's line buffer is 256 with the NUL */
#define PUSH_NAME_LOG_MAX 32   /* longest option name passed to the log */
#define PUSH_PEER_ID_MAX 0xFFFFFEu
#define PUSH_TIMER_MAX 86400   /* ping, ping-restart: one day */
#define PUSH_INACTIVE_MAX 0x3FFFFFFF
#define PUSH_EEN_MAX 60        /* explicit-exit-notify seconds */
#define PUSH_TUN_MTU_MIN 576
#define PUSH_TUN_MTU_MAX 9000
#define PUSH_METRIC_MAX 0x7FFFFFFF
#define PUSH_CIPHER_MAX 31
#define PUSH_SHAPER_MIN 100        /* 2.6's SHAPER_MIN and SHAPER_MAX (its shaper.h) */
#define PUSH_SHAPER_MAX 100000000

/* Handlers return NULL when the option was applied, PUSH_IGNORED when it was skipped on purpose, or a reason. */
const char vpnc__push_ignored[] = "ignored";

/* Splits one item into words as OpenVPN's apply_push_options() does (lex.h). Returns NULL or a reason. */
static const char *push_tokenise(const char *s, size_t len, struct push_item *it)
{
	const char *why = NULL;
	int n = vpnc_lex_line(s, len, &it->lex, &why);

	it->n = 0;
	if (n < 0)
		return why;
	for (int i = 0; i < n; i++)
		it->w[i] = it->lex.p[i];
	it->n = (size_t)n;
	return NULL;
}

/* "ADDR/BITS" with BITS 0..128. */
static bool push_ip6_prefix(const char *s, uint8_t addr[16], uint8_t *bits)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	unsigned long b;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(tmp) || !push_num(slash + 1, 128, &b))
		return false;
	memcpy(tmp, s, (size_t)(slash - s));
	tmp[slash - s] = '\0';
	if (!push_ip6(tmp, addr))
		return false;
	*bits = (uint8_t)b;
	return true;
}

static void push_ip6_mask(uint8_t a[16], unsigned bits)
{
	for (unsigned i = 0; i < 16; i++) {
		if (bits >= 8) {
			bits -= 8;
			continue;
		}
		a[i] &= (uint8_t)(0xFF00u >> bits);
		bits = 0;
	}
}

static const char *opt_ifconfig(struct vpnc_push *p, const struct push_item *it)
{
	uint32_t local, second;

	if (it->n != 3)
		return "expects LOCAL NETMASK|REMOTE";
	if (!push_ip4(it->w[1], &local) || !push_ip4(it->w[2], &second))
		return "not an IPv4 address";
	if (!push_ip4_unicast(local) || (local >> 24) == 127)
		return "local address not usable";
	/* The second word is a netmask or a peer depending on the topology,
	 * which may come later; push_check_ifconfig() checks it as a netmask
	 * once the whole message is read. As a peer it must be a plain address. */
	if (second == local)
		return "peer address equals the local address";
	if (second == 0)
		return "netmask or peer is 0.0.0.0";
	p->has_ifconfig = true;
	p->ifconfig_local = local;
	p->ifconfig_mask_or_peer = second;
	return NULL;
}

/*
 * With topology subnet, ifconfig's second word must be a netmask that makes
 * local a host address. On a TAP it is always a netmask (2.6's
 * ifconfig_sanity_check() for TAP), whatever topology says.
 */
static const char *push_check_ifconfig(struct vpnc_push *p)
{
	uint32_t m = p->ifconfig_mask_or_peer, host;

	if (p->tap)
		p->topology = VPNC_TOPO_SUBNET;

	if (!p->has_ifconfig || p->topology != VPNC_TOPO_SUBNET)
		return NULL;
	if (m == 0 || vpnc_ip4_mask_prefix(m) < 0)
		return "netmask not contiguous (topology subnet)";
	host = p->ifconfig_local & ~m;
	if (~m > 1 && (host == 0 || host == ~m))
		return "local address is the network or broadcast address";
	return NULL;
}

static const char *opt_ifconfig6(struct vpnc_push *p, const struct push_item *it)
{
	uint8_t local[16], remote[16] = {0}, bits;

	if (it->n != 2 && it->n != 3)
		return "expects ADDR/BITS [REMOTE]";
	if (!push_ip6_prefix(it->w[1], local, &bits))
		return "not an IPv6 ADDR/BITS with BITS <= 128";
	if (bits == 0 || !push_ip6_unicast(local))
		return "address not usable";
	if (it->n == 3 && (!push_ip6(it->w[2], remote) || !push_ip6_unicast(remote)))
		return "remote is not a usable IPv6 address";
	p->has_ifconfig6 = true;
	memcpy(p->ifconfig6_local, local, 16);
	p->ifconfig6_bits = bits;
	memcpy(p->ifconfig6_remote, remote, 16);
	return NULL;
}

static const char *opt_topology(struct vpnc_push *p, const struct push_item *it)
{
	if (it->n != 2)
		return "expects net30|p2p|subnet";
	if (strcmp(it->w[1], "net30") == 0)
		p->topology = VPNC_TOPO_NET30;
	else if (strcmp(it->w[1], "p2p") == 0)
		p->topology = VPNC_TOPO_P2P;
	else if (strcmp(it->w[1], "subnet") == 0)
		p->topology = VPNC_TOPO_SUBNET;
	else
		return "unknown topology";
	return NULL;
}

static bool push_is_default(const char *s)
{
	return strcmp(s, "default") == 0;
}

static const char *opt_route(struct vpnc_push *p, const struct push_item *it)
{
	struct vpnc_route4 r = {.mask = 0xFFFFFFFFu, .metric = -1};
	unsigned long v;

	if (it->n < 2 || it->n > 5)
		return "expects NET [MASK [GW [METRIC]]]";
	if (strcmp(it->w[1], "remote_host") == 0)
		r.net_kind = VPNC_RT_NET_REMOTE_HOST;
	else if (strcmp(it->w[1], "vpn_gateway") == 0)
		r.net_kind = VPNC_RT_NET_VPN_GATEWAY;
	else if (strcmp(it->w[1], "net_gateway") == 0)
		r.net_kind = VPNC_RT_NET_NET_GATEWAY;
	else if (!push_ip4(it->w[1], &r.net) && (it->pulled || !vpnc_dnsname_ok(it->w[1])))
		return it->pulled ? "network is not an IPv4 address" : "network is not an IPv4 address or host name";
	else if (!push_ip4(it->w[1], &r.net))
		r.net_kind = VPNC_RT_NET_HOST; /* 2.6 resolves it when routes are added; so do we */
	if (it->n > 2 && !push_is_default(it->w[2]) && !push_ip4(it->w[2], &r.mask))
		return "netmask is not an IPv4 address";
	if (vpnc_ip4_mask_prefix(r.mask) < 0)
		return "netmask not contiguous";
	if (r.net_kind == VPNC_RT_NET_ADDR && (r.net & r.mask) != r.net)
		return "network has bits outside the netmask";
	if (it->n > 3) {
		const char *gw = it->w[3];

		if (strcmp(gw, "net_gateway") == 0)
			r.net_gateway = true;
		else if (strcmp(gw, "remote_host") == 0)
			return "remote_host is not usable as a gateway on a tun device";
		else if (strcmp(gw, "vpn_gateway") != 0 && !push_is_default(gw) &&
		         (!push_ip4(gw, &r.gw) || !push_ip4_unicast(r.gw)))
			return "gateway is not a usable IPv4 address";
	}
	if (it->n > 4 && !push_is_default(it->w[4])) {
		if (!push_num(it->w[4], PUSH_METRIC_MAX, &v))
			return "bad metric";
		r.metric = (int)v;
	}
	if (r.net_kind == VPNC_RT_NET_HOST) {
		size_t h = 0;

		while (h < p->n_route_hosts && strcasecmp(p->route_hosts[h], it->w[1]) != 0)
			h++;
		if (h == VPNC_MAX_ROUTE_HOSTS)
			return "too many host names in routes";
		r.net = (uint32_t)h; /* the name's index; stored below once the route is kept */
	}
	for (size_t i = 0; i < p->n_routes; i++) {
		const struct vpnc_route4 *o = &p->routes[i];

		if (o->net == r.net && o->mask == r.mask && o->gw == r.gw && o->metric == r.metric &&
		    o->net_gateway == r.net_gateway && o->net_kind == r.net_kind)
			return PUSH_IGNORED;
	}
	if (p->n_routes >= VPNC_MAX_ROUTES)
		return "too many routes";
	if (r.net_kind == VPNC_RT_NET_HOST && r.net == p->n_route_hosts)
		strcpy(p->route_hosts[p->n_route_hosts++], it->w[1]); /* length checked by vpnc_dnsname_ok */
	p->routes[p->n_routes++] = r;
	return NULL;
}

static const char *opt_route6(struct vpnc_push *p, const struct push_item *it)
{
	struct vpnc_route6 r;
	unsigned long v;

	memset(&r, 0, sizeof(r));
	r.metric = -1;
	if (it->n < 2 || it->n > 4)
		return "expects NET/BITS [GW [METRIC]]";
	if (!push_ip6_prefix(it->w[1], r.net, &r.bits))
		return "not an IPv6 NET/BITS with BITS <= 128";
	push_ip6_mask(r.net, r.bits); /* as OpenVPN does, host bits are cleared */
	if (it->n > 2) {
		const char *gw = it->w[2];

		if (strcmp(gw, "net_gateway_ipv6") == 0 || strcmp(gw, "net_gateway") == 0)
			r.net_gateway = true;
		else if (strcmp(gw, "vpn_gateway") != 0 && !push_is_default(gw) &&
		         (!push_ip6(gw, r.gw) || !push_ip6_unicast(r.gw)))
			return "gateway is not a usable IPv6 address";
	}
	if (it->n > 3 && !push_is_default(it->w[3])) {
		if (!push_num(it->w[3], PUSH_METRIC_MAX, &v))
			return "bad metric";
		r.metric = (int)v;
	}
	for (size_t i = 0; i < p->n_routes6; i++) {
		const struct vpnc_route6 *o = &p->routes6[i];

		if (memcmp(o->net, r.net, 16) == 0 && o->bits == r.bits && memcmp(o->gw, r.gw, 16) == 0 &&
		    o->metric == r.metric && o->net_gateway == r.net_gateway)
			return PUSH_IGNORED;
	}
	if (p->n_routes6 >= VPNC_MAX_ROUTES)
		return "too many routes";
	p->routes6[p->n_routes6++] = r;
	return NULL;
}

static const char *opt_route_metric(struct vpnc_push *p, const struct push_item *it)
{
	unsigned long v;

	if (it->n != 2 || !push_num(it->w[1], PUSH_METRIC_MAX, &v))
		return "expects a metric 0..2147483647";
	p->route_metric = (int)v;
	return NULL;
}

static const char *opt_route_gateway(struct vpnc_push *p, const struct push_item *it)
{
	uint32_t gw;

	if (it->n != 2)
		return "expects GW|dhcp";
	if (strcmp(it->w[1], "dhcp") == 0) {
		p->route_gateway_dhcp = true; /* acted on with a TAP only (engine.c) */
		return NULL;
	}
	if (!push_ip4(it->w[1], &gw) || !push_ip4_unicast(gw))
		return "gateway is not a usable IPv4 address";
	p->has_route_gateway = true;
	p->route_gateway = gw;
	return NULL;
}

/*
 * redirect-gateway and redirect-private, as OpenVPN 2.6's options.c: the flags
 * are ORed into what is there (the profile's, an earlier pushed line), so a
 * pushed line adds to the profile's; redirect-gateway turns the IPv4 default
 * on and a later '!ipv4' turns it off again.
 */
static const char *opt_redirect(struct vpnc_push *p, const struct push_item *it, bool gateway)
{
	unsigned f = p->redirect_gateway;

	if (gateway)
		f = (f | VPNC_RG_ENABLE) & ~VPNC_RG_NO_IPV4;
	else if (!vpnc_rg_ipv4(f))
		f |= VPNC_RG_ENABLE | VPNC_RG_PRIVATE | VPNC_RG_NO_IPV4;
	else
		f |= VPNC_RG_PRIVATE;
	for (size_t i = 1; i < it->n; i++) {
		const char *w = it->w[i];

		if (strcmp(w, "def1") == 0)
			f |= VPNC_RG_DEF1;
		else if (strcmp(w, "ipv6") == 0)
			f |= VPNC_RG_IPV6;
		else if (strcmp(w, "!ipv4") == 0)
			f |= VPNC_RG_NO_IPV4;
		else if (strcmp(w, "local") == 0)
			f |= VPNC_RG_LOCAL;
		else if (strcmp(w, "bypass-dhcp") == 0)
			f |= VPNC_RG_BYPASS_DHCP;
		else if (strcmp(w, "block-local") == 0)
			f |= VPNC_RG_BLOCK_LOCAL;
		else if (strcmp(w, "autolocal") == 0)
			f |= VPNC_RG_AUTO_LOCAL;
		else if (strcmp(w, "bypass-dns") == 0)
			f |= VPNC_RG_BYPASS_DNS;
		else
			return gateway ? "unknown redirect-gateway flag" : "unknown redirect-private flag";
	}
	p->redirect_gateway = f;
	return NULL;
}

static const char *opt_redirect_gateway(struct vpnc_push *p, const struct push_item *it)
{
	return opt_redirect(p, it, true);
}

static const char *opt_redirect_private(struct vpnc_push *p, const struct push_item *it)
{
	return opt_redirect(p, it, false);
}

/* 2.6 uses it on TAP devices only; on a TUN the IPv6 routes go on-link. Stored for TAP. */
static const char *opt_route6_gateway(struct vpnc_push *p, const struct push_item *it)
{
	uint8_t a[16];

	if (it->n != 2 || !push_ip6(it->w[1], a) || !push_ip6_unicast(a))
		return "expects a usable IPv6 address";
	/* Kept either way: a profile's 'dev' may come after it; netcfg reads it on TAP only. */
	p->has_route6_gateway = true;
	memcpy(p->route6_gateway, a, 16);
	return p->tap ? NULL : PUSH_IGNORED;
}

static const char *opt_block_ipv6(struct vpnc_push *p, const struct push_item *it)
{
	if (it->n != 1)
		return "takes no arguments";
	p->block_ipv6 = true;
	return NULL;
}

/* route-delay [N [W]]: vpnc sets routes once the TUN is up and configured, so the delay has no use. */
static const char *opt_route_delay(struct vpnc_push *p, const struct push_item *it)
{
	unsigned long v;

	(void)p;
	for (size_t i = 1; i < it->n; i++)
		if (!push_num(it->w[i], PUSH_TIMER_MAX, &v))
			return "expects [SECONDS [WINDOW]]";
	return it->n > 3 ? "expects [SECONDS [WINDOW]]" : PUSH_IGNORED;
}

/* max-routes N: 2.6 accepts it with a deprecation warning and ignores it. */
static const char *opt_max_routes(struct vpnc_push *p, const struct push_item *it)
{
	(void)p;
	return it->n == 2 ? PUSH_IGNORED : "expects N";
}

static const char *opt_cipher(struct vpnc_push *p, const struct push_item *it)
{
	size_t n;

	if (it->n != 2)
		return "expects NAME";
	n = strlen(it->w[1]);
	if (n == 0 || n > PUSH_CIPHER_MAX)
		return "cipher name length";
	for (size_t i = 0; i < n; i++) {
		char c = it->w[1][i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
			return "bad cipher name";
	}
	memcpy(p->cipher, it->w[1], n + 1);
	return NULL;
}

static const char *opt_key_derivation(struct vpnc_push *p, const struct push_item *it)
{
	if (it->n != 2 || strcmp(it->w[1], "tls-ekm") != 0)
		return "only tls-ekm is known";
	p->key_derivation_ekm = true;
	return NULL;
}

static const char *opt_protocol_flags(struct vpnc_push *p, const struct push_item *it)
{
	for (size_t i = 1; i < it->n; i++) {
		if (strcmp(it->w[i], "cc-exit") == 0)
			p->protocol_flags |= VPNC_PF_CC_EXIT;
		else if (strcmp(it->w[i], "tls-ekm") == 0)
			p->protocol_flags |= VPNC_PF_TLS_EKM;
		else if (strcmp(it->w[i], "dyn-tls-crypt") == 0)
			p->protocol_flags |= VPNC_PF_DYN_TLS_CRYPT;
		/* Unknown flags (e.g. 2.7's aead-epoch) are ignored, as 2.6 does. */
	}
	return NULL;
}

static const char *opt_peer_id(struct vpnc_push *p, const struct push_item *it)
{
	unsigned long v;

	if (it->n != 2 || !push_num(it->w[1], PUSH_PEER_ID_MAX, &v))
		return "expects a number 0..16777214";
	p->has_peer_id = true;
	p->peer_id = (uint32_t)v;
	return NULL;
}

static const char *opt_ping(struct vpnc_push *p, const struct push_item *it)
{
	if (it->n != 2 || !push_int(it->w[1], PUSH_TIMER_MAX, &p->ping))
		return "expects seconds 0..86400";
	return NULL;
}

static const char *opt_ping_restart(struct vpnc_push *p, const struct push_item *it)
{
	if (it->n != 2 || !push_int(it->w[1], PUSH_TIMER_MAX, &p->ping_restart))
		return "expects seconds 0..86400";
	return NULL;
}

static const char *opt_inactive(struct vpnc_push *p, const struct push_item *it)
{
	unsigned long bytes;
	int v;

	if (it->n < 2 || it->n > 3 || !push_int(it->w[1], PUSH_INACTIVE_MAX, &v))
		return "expects SECONDS [BYTES]";
	if (it->n == 3 && !push_num(it->w[2], 0xFFFFFFFFul, &bytes))
		return "bad byte count";
	p->inactive = v;
	p->inactive_bytes = it->n == 3 ? (long long)bytes : 0;
	return NULL;
}

/* 'shaper N' (2.6: OPT_P_SHAPER, pushable): the daemon applies it (loop_shaper.c). */
static const char *opt_shaper(struct vpnc_push *p, const struct push_item *it)
{
	int v;

	if (it->n != 2 || !push_int(it->w[1], PUSH_SHAPER_MAX, &v) || v < PUSH_SHAPER_MIN)
		return "must be between 100 and 100000000 (bytes per second)";
	p->shaper = v;
	return NULL;
}

/* An IPv4 address as 2.6's getaddr() without resolving reads it (inet_aton's forms); network order. */
static bool push_cnat_addr(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_aton(s, &a) == 0)
		return false;
	*out = a.s_addr;
	return true;
}

/* 'client-nat snat|dnat NETWORK NETMASK ALIAS' (2.6: OPT_P_ROUTE, so route-nopull drops it). */
static const char *opt_client_nat(struct vpnc_push *p, const struct push_item *it)
{
	struct vpnc_client_nat r;

	if (it->n != 5)
		return "expects snat|dnat NETWORK NETMASK ALIAS";
	if (strcmp(it->w[1], "snat") != 0 && strcmp(it->w[1], "dnat") != 0)
		return "type must be 'snat' or 'dnat'";
	r.dnat = strcmp(it->w[1], "dnat") == 0;
	if (!push_cnat_addr(it->w[2], &r.network))
		return "bad network";
	if (!push_cnat_addr(it->w[3], &r.netmask))
		return "bad netmask";
	if (!push_cnat_addr(it->w[4], &r.foreign))
		return "bad foreign network";
	if (p->n_client_nat >= VPNC_CLIENT_NAT_MAX)
		return "client-nat table overflow (max 64 entries), as in 2.6";
	p->client_nat[p->n_client_nat++] = r;
	return NULL;
}

static const char *opt_explicit_exit_notify(struct vpnc_push *p, const struct push_item *it)
{
	int v = 1;

	if (it->n > 2 || (it->n == 2 && !push_int(it->w[1], PUSH_EEN_MAX, &v)))
		return "expects [seconds 0..60]";
	p->explicit_exit_notify = v;
	return NULL;
}

static const char *opt_tun_mtu(struct vpnc_push *p, const struct push_item *it)
{
	int v;

	if (it->n != 2 || !push_int(it->w[1], PUSH_TUN_MTU_MAX, &v) || v < PUSH_TUN_MTU_MIN)
		return "expects 576..9000";
	p->tun_mtu = v;
	return NULL;
}

/* A pushed comp-lzo or compress: recorded here, checked against allow-compression in keyex.c. */
static void push_comp(struct vpnc_push *p, enum vpnc_comp c)
{
	p->comp = c;
	p->comp_pushed = true;
}

static const char *opt_comp_lzo(struct vpnc_push *p, const struct push_item *it)
{
	if (it->n > 2)
		return "expects [no|yes|adaptive]";
	if (it->n == 2 && strcmp(it->w[1], "no") == 0)
		push_comp(p, VPNC_COMP_LZO_STUB);
	else if (it->n == 1 || strcmp(it->w[1], "yes") == 0 || strcmp(it->w[1], "adaptive") == 0)
		push_comp(p, VPNC_COMP_LZO);
	else
		return "expects [no|yes|adaptive]";
	return NULL;
}

static const char *opt_compress(struct vpnc_push *p, const struct push_item *it)
{
	static const struct {
		const char *name;
		enum vpnc_comp c;
	} algs[] = {{"stub", VPNC_COMP_STUB}, {"stub-v2", VPNC_COMP_STUB_V2}, {"lzo", VPNC_COMP_LZO},
	            {"lz4", VPNC_COMP_LZ4},   {"lz4-v2", VPNC_COMP_LZ4_V2}};

	if (it->n > 2)
		return "expects [stub|stub-v2|lzo|lz4|lz4-v2]";
	const char *a = it->n == 1 ? "stub" : it->w[1];
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (strcmp(a, algs[i].name) == 0) {
			push_comp(p, algs[i].c);
			return NULL;
		}
	}
	return "unknown compression";
}

static const char *opt_auth_token(struct vpnc_push *p, const struct push_item *it)
{
	size_t n;

	if (it->n != 2)
		return "expects TOKEN";
	n = strlen(it->w[1]);
	if (n == 0 || n >= VPNC_MAX_TOKEN_LEN || strchr(it->w[1], ' ') != NULL)
		return "bad token";
	OPENSSL_cleanse(p->auth_token, sizeof(p->auth_token));
	memcpy(p->auth_token, it->w[1], n + 1);
	return NULL;
}

static bool b64_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
	       c == '=';
}

int vpnc_push_token_user_decode(const char *b64, char *out, size_t size)
{
	int r = vpnc_b64_decode_name(b64, strlen(b64), out, size);

	if (r == 0 && out[0] == '\0')
		r = -EINVAL; /* an empty name names no one */
	if (r < 0 && size > 0)
		out[0] = '\0';
	return r < 0 ? -EINVAL : 0;
}

static const char *opt_auth_token_user(struct vpnc_push *p, const struct push_item *it)
{
	size_t n;

	if (it->n != 2)
		return "expects BASE64USER";
	n = strlen(it->w[1]);
	if (n == 0 || n >= VPNC_MAX_TOKEN_LEN)
		return "bad length";
	for (size_t i = 0; i < n; i++)
		if (!b64_char(it->w[1][i]))
			return "not base64";
	OPENSSL_cleanse(p->auth_token_user, sizeof(p->auth_token_user));
	memcpy(p->auth_token_user, it->w[1], n + 1);
	return NULL;
}

static const char *opt_push_continuation(struct vpnc_push *p, const struct push_item *it)
{
	if (it->n != 2 || (strcmp(it->w[1], "1") != 0 && strcmp(it->w[1], "2") != 0))
		return "expects 1|2";
	p->continuation = it->w[1][0] - '0';
	return NULL;
}

static const char *opt_ignore(struct vpnc_push *p, const struct push_item *it)
{
	(void)p;
	(void)it;
	return PUSH_IGNORED;
}

/* OpenVPN's option classes that route-nopull removes (OPT_P_ROUTE, OPT_P_DHCPDNS). */
#define PUSH_C_ROUTE 0x1
#define PUSH_C_DNS 0x2

struct push_opt {
	const char *name;
	const char *(*fn)(struct vpnc_push *p, const struct push_item *it);
	unsigned cls;
};

static const struct push_opt push_opts[] = {
	{"ifconfig", opt_ifconfig, 0},
	{"ifconfig-ipv6", opt_ifconfig6, 0},
	{"topology", opt_topology, 0},
	{"route", opt_route, PUSH_C_ROUTE},
	{"route-ipv6", opt_route6, PUSH_C_ROUTE},
	{"route-gateway", opt_route_gateway, 0},
	{"route-metric", opt_route_metric, PUSH_C_ROUTE},
	{"redirect-gateway", opt_redirect_gateway, PUSH_C_ROUTE},
	{"redirect-private", opt_redirect_private, PUSH_C_ROUTE},
	{"block-ipv6", opt_block_ipv6, PUSH_C_ROUTE},
	{"route-ipv6-gateway", opt_route6_gateway, 0},
	{"route-delay", opt_route_delay, 0},
	{"max-routes", opt_max_routes, 0},
	{"dns", vpnc__push_opt_dns, PUSH_C_DNS},
	{"dhcp-option", vpnc__push_opt_dhcp_option, PUSH_C_DNS},
	{"cipher", opt_cipher, 0},
	{"key-derivation", opt_key_derivation, 0},
	{"protocol-flags", opt_protocol_flags, 0},
	{"peer-id", opt_peer_id, 0},
	{"ping", opt_ping, 0},
	{"ping-restart", opt_ping_restart, 0},
	{"inactive", opt_inactive, 0},
	{"client-nat", opt_client_nat, PUSH_C_ROUTE},
	{"shaper", opt_shaper, 0},
	{"explicit-exit-notify", opt_explicit_exit_notify, 0},
	{"tun-mtu", opt_tun_mtu, 0},
	{"comp-lzo", opt_comp_lzo, 0},
	{"compress", opt_compress, 0},
	{"auth-token", opt_auth_token, 0},
	{"auth-token-user", opt_auth_token_user, 0},
	{"push-continuation", opt_push_continuation, 0},
	/* Known to 2.6 as pushable, harmless to skip here. */
	{"block-outside-dns", opt_ignore, PUSH_C_DNS},
	{"tun-ipv6", opt_ignore, 0},
	{"register-dns", opt_ignore, PUSH_C_DNS},
	{"echo", opt_ignore, 0},
	{"parameter", opt_ignore, 0},
	{"setenv-safe", opt_ignore, 0},
	{"persist-tun", opt_ignore, 0},
	{"persist-key", opt_ignore, 0},
	{"route-method", opt_ignore, 0},
	{"ifconfig-nowarn", opt_ignore, 0},
	{"dhcp-renew", opt_ignore, PUSH_C_DNS},
	{"dhcp-pre-release", opt_ignore, PUSH_C_DNS},
	{"tap-sleep", opt_ignore, PUSH_C_DNS},
	{"ping-exit", opt_ignore, 0},
	{"ping-timer-rem", opt_ignore, 0},
	{"session-timeout", opt_ignore, 0},
	{"comp-noadapt", opt_ignore, 0},
	{"socket-flags", opt_ignore, 0},
	{"sndbuf", opt_ignore, 0},
	{"rcvbuf", opt_ignore, 0},
	{"verb", opt_ignore, 0},
	{"mute", opt_ignore, 0},
};

/* Copies the first word of an item (at most PUSH_NAME_LOG_MAX chars) for the log, never more. */
static void push_name(const char *s, size_t len, char *out, size_t cap)
{
	size_t i = 0, j = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (i < len && s[i] != ' ' && s[i] != '\t' && j + 1 < cap)
		out[j++] = s[i++];
	out[j] = '\0';
}

/* Counts a refused option and describes it, up to VPNC_PUSH_LOG_MAX lines per struct. */
static void push_reject(struct vpnc_push *p, const char *name, const char *why, vpnc_push_log_fn log,
                        void *ctx)
{
	p->n_rejected++;
	if (log == NULL || p->n_logged > VPNC_PUSH_LOG_MAX)
		return;
	if (p->n_logged++ == VPNC_PUSH_LOG_MAX)
		log(ctx, "...", "more options were refused; they are counted, not logged");
	else
		log(ctx, name, why);
}

/* The first pull-filter whose text starts the item (leading spaces skipped), or NULL. */
static const struct vpnc_pull_filter *push_filter_match(const struct vpnc_push_policy *pol, const char *s,
                                                        size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	for (size_t i = 0; i < pol->n_filters; i++) {
		const struct vpnc_pull_filter *f = &pol->filters[i];
		size_t n = strnlen(f->text, sizeof(f->text));

		if (n <= len && memcmp(s, f->text, n) == 0)
			return f;
	}
	return NULL;
}

static int push_item(struct vpnc_push *p, const char *s, size_t len, const struct vpnc_push_policy *pol,
                     vpnc_push_log_fn log, void *ctx)
{
	const struct vpnc_pull_filter *f = pol != NULL ? push_filter_match(pol, s, len) : NULL;
	const struct push_opt *opt = NULL;
	struct push_item it;
	char name[PUSH_NAME_LOG_MAX + 1];
	const char *why;

	if (f != NULL && f->action != VPNC_PULL_ACCEPT) {
		if (f->action == VPNC_PULL_IGNORE) {
			p->n_filtered++;
			return 0;
		}
		push_name(s, len, name, sizeof(name));
		push_reject(p, name, "rejected by pull-filter", log, ctx);
		return -EPERM;
	}
	if (len > PUSH_ITEM_MAX) {
		push_name(s, len, name, sizeof(name));
		push_reject(p, name, "option too long", log, ctx);
		return 0;
	}
	why = push_tokenise(s, len, &it);
	if (why != NULL) {
		push_name(s, len, name, sizeof(name));
		push_reject(p, name, why, log, ctx);
		goto out;
	}
	if (it.n == 0)
		goto out;
	it.pulled = true;
	for (size_t i = 0; i < sizeof(push_opts) / sizeof(push_opts[0]); i++) {
		if (strcmp(it.w[0], push_opts[i].name) == 0) {
			opt = &push_opts[i];
			break;
		}
	}
	if (opt == NULL) {
		push_reject(p, it.w[0], "option not allowed", log, ctx);
		goto out;
	}
	if (pol != NULL && pol->route_nopull && (opt->cls & (PUSH_C_ROUTE | PUSH_C_DNS)) != 0) {
		p->n_filtered++;
		goto out;
	}
	why = opt->fn(p, &it);
	if (why == PUSH_IGNORED)
		p->n_ignored++;
	else if (why != NULL)
		push_reject(p, it.w[0], why, log, ctx);
out:
	OPENSSL_cleanse(&it, sizeof(it)); /* it may have held an auth-token */
	return 0;
}

void vpnc_push_init(struct vpnc_push *p)
{
	vpnc_push_clear(p);
	memset(p, 0, sizeof(*p));
	p->topology = VPNC_TOPO_NET30;
	p->ping = -1;
	p->ping_restart = -1;
	p->inactive = -1;
	p->explicit_exit_notify = -1;
	p->comp = VPNC_COMP_NONE;
	p->route_metric = -1;
}

int vpnc_push_parse_filtered(struct vpnc_push *p, const char *text, size_t len,
                             const struct vpnc_push_policy *policy, vpnc_push_log_fn log, void *log_ctx)
{
	const char *why;
	size_t start = 0;
	int ret;

	if (p == NULL || (text == NULL && len > 0) ||
	    (policy != NULL && policy->filters == NULL && policy->n_filters > 0))
		return -EINVAL;
	if (len == 0)
		text = ""; /* an empty reply: no arithmetic on a null pointer below */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7e)
			return -EBADMSG;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != ',')
			continue;
		ret = push_item(p, text + start, i - start, policy, log, log_ctx);
		if (ret < 0)
			return ret;
		start = i + 1;
	}
	why = push_check_ifconfig(p);
	if (why != NULL) {
		p->has_ifconfig = false;
		push_reject(p, "ifconfig", why, log, log_ctx);
	}
	while ((why = vpnc__push_check_dns(p)) != NULL)
		push_reject(p, "dns", why, log, log_ctx);
	return 0;
}

int vpnc_push_profile_option(struct vpnc_push *p, const char *const *w, size_t n, const char **why)
{
	static const char *const allowed[] = {
		"route", "route-ipv6", "route-gateway", "route-ipv6-gateway", "route-metric",
		"redirect-gateway", "redirect-private", "block-ipv6", "dhcp-option", "dns",
		"ifconfig", "ifconfig-ipv6", "topology", "route-delay", "max-routes",
	};
	struct push_item it;
	const char *r = "not a route or DNS option";

	*why = NULL;
	if (p == NULL || w == NULL || n == 0 || n > VPNC_LEX_MAX_WORDS)
		return -EINVAL;
	memset(&it, 0, sizeof(it));
	for (size_t i = 0; i < n; i++)
		it.w[i] = w[i];
	it.n = n;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		if (strcmp(w[0], allowed[i]) != 0)
			continue;
		for (size_t j = 0; j < sizeof(push_opts) / sizeof(push_opts[0]); j++)
			if (strcmp(w[0], push_opts[j].name) == 0) {
				r = push_opts[j].fn(p, &it);
				break;
			}
		break;
	}
	if (r == PUSH_IGNORED)
		return 1;
	if (r != NULL) {
		*why = r;
		return -EINVAL;
	}
	return 0;
}

const char *vpnc_push_profile_finish(struct vpnc_push *p)
{
	const char *why = push_check_ifconfig(p);

	return why != NULL ? why : vpnc__push_check_dns(p);
}

int vpnc_push_parse(struct vpnc_push *p, const char *text, size_t len, vpnc_push_log_fn log, void *log_ctx)
{
	return vpnc_push_parse_filtered(p, text, len, NULL, log, log_ctx);
}

void vpnc_push_clear(struct vpnc_push *p)
{
	OPENSSL_cleanse(p->auth_token, sizeof(p->auth_token));
	OPENSSL_cleanse(p->auth_token_user, sizeof(p->auth_token_user));
}
