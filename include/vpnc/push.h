/*
 * push.h: the validated form of what an OpenVPN server pushes (PUSH_REPLY).
 *
 * vpnc_push_parse() turns the text after "PUSH_REPLY," into this struct. Every
 * value is checked (families, ranges, charset) before it is stored, so nothing
 * downstream (netlink, DNS, scripts) sees an unvalidated byte from the peer.
 * Options outside the allow-list are counted and skipped, not applied.
 */
#ifndef VPNC_PUSH_H
#define VPNC_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vpnc/config.h"

#define VPNC_MAX_ROUTES 128
#define VPNC_MAX_DNS 8
#define VPNC_MAX_DOMAINS 8
#define VPNC_MAX_TOKEN_LEN 256

enum vpnc_topology {
	VPNC_TOPO_NET30 = 0, /* OpenVPN's default */
	VPNC_TOPO_P2P,
	VPNC_TOPO_SUBNET,
};

/* IPv4 values are in host byte order. */
struct vpnc_route4 {
	uint32_t net;
	uint32_t mask;
	uint32_t gw;       /* 0 = use route-gateway / the VPN gateway */
	int metric;        /* -1 = none */
	bool net_gateway;  /* gateway 'net_gateway': route outside the VPN (gw is 0) */
	uint8_t net_kind;  /* enum vpnc_route_net: a keyword in the network position (net is 0) */
};

/* 'route' network keywords, resolved when the route is added (src/os/netcfg.c). */
enum vpnc_route_net {
	VPNC_RT_NET_ADDR = 0,      /* a literal address */
	VPNC_RT_NET_REMOTE_HOST,   /* the VPN server's IPv4 address */
	VPNC_RT_NET_VPN_GATEWAY,   /* route-gateway, else the net30/p2p peer */
	VPNC_RT_NET_NET_GATEWAY,   /* the gateway the server is reached through */
	VPNC_RT_NET_HOST,          /* a host name of the profile, route_hosts[net]: resolved at connect */
};

#define VPNC_MAX_ROUTE_HOSTS 16    /* distinct host names in a profile's routes */

struct vpnc_route6 {
	uint8_t net[16];
	uint8_t bits;
	uint8_t gw[16];    /* all zero = on-link via the TUN */
	int metric;        /* -1 = none */
	bool net_gateway;  /* gateway 'net_gateway_ipv6': route outside the VPN (gw is zero) */
};

/* protocol-flags bits. */
#define VPNC_PF_CC_EXIT (1u << 0)
#define VPNC_PF_TLS_EKM (1u << 1)
#define VPNC_PF_DYN_TLS_CRYPT (1u << 2)

/* redirect-gateway flags. */
#define VPNC_RG_ENABLE (1u << 0)
#define VPNC_RG_DEF1 (1u << 1)
#define VPNC_RG_IPV6 (1u << 2)
#define VPNC_RG_NO_IPV4 (1u << 3)
#define VPNC_RG_LOCAL (1u << 4)
#define VPNC_RG_BYPASS_DHCP (1u << 5)
#define VPNC_RG_BLOCK_LOCAL (1u << 6)
#define VPNC_RG_AUTO_LOCAL (1u << 7)   /* no host route when the server is on a local subnet */
#define VPNC_RG_BYPASS_DNS (1u << 8)   /* Windows only in OpenVPN; no effect on Linux */
#define VPNC_RG_PRIVATE (1u << 9)      /* redirect-private was given (ENABLE without the IPv4 default) */

/*
 * True when the IPv4 default route goes into the tunnel: OpenVPN's RG_REROUTE_GW,
 * set by redirect-gateway, cleared by a later '!ipv4'. redirect-private alone
 * sets ENABLE with NO_IPV4.
 */
static inline bool vpnc_rg_ipv4(unsigned rg)
{
	return (rg & VPNC_RG_ENABLE) && !(rg & VPNC_RG_NO_IPV4);
}

/* 'dhcp-option' domain kinds, kept so scripts see the type that was given. */
enum vpnc_domain_kind {
	VPNC_DOM_DOMAIN = 0,
	VPNC_DOM_SEARCH,           /* DOMAIN-SEARCH */
	VPNC_DOM_ADAPTER,          /* ADAPTER_DOMAIN_SUFFIX */
};

/* OpenVPN 2.6's --dns: limits are 2.6's (8 addresses per server) or ours (servers, domains). */
#define VPNC_DNSOPT_SERVERS 8
#define VPNC_DNSOPT_ADDRS 8
#define VPNC_DNSOPT_DOMAINS 8
#define VPNC_DNSOPT_SNI_MAX 254       /* a DNS name and its NUL */

enum vpnc_dnssec { VPNC_DNSSEC_UNSET = 0, VPNC_DNSSEC_YES, VPNC_DNSSEC_OPTIONAL, VPNC_DNSSEC_NO };
enum vpnc_dns_transport { VPNC_DNST_UNSET = 0, VPNC_DNST_PLAIN, VPNC_DNST_DOH, VPNC_DNST_DOT };

struct vpnc_dnsopt_addr {
	uint8_t family;            /* AF_INET or AF_INET6 */
	uint8_t addr[16];          /* network byte order */
	uint16_t port;             /* 0 = default */
};

/* One 'dns server N ...' entry; the list is kept sorted by priority, as 2.6 does. */
struct vpnc_dnsopt_server {
	int priority;              /* -128..127 in a profile, 0..127 pushed */
	bool pushed;               /* came from the server (a pushed N replaces the profile's N) */
	struct vpnc_dnsopt_addr addr[VPNC_DNSOPT_ADDRS];
	size_t n_addr;
	char domains[VPNC_DNSOPT_DOMAINS][254]; /* resolve-domains */
	size_t n_domains;
	enum vpnc_dnssec dnssec;
	enum vpnc_dns_transport transport;
	char sni[VPNC_DNSOPT_SNI_MAX]; /* "" = none */
};

struct vpnc_push {
	/*
	 * Set by the caller before parsing: the device is a TAP. Then ifconfig's
	 * second word is always a netmask (topology is read and ignored, as 2.6
	 * does on TAP) and IPv6 routes take route-ipv6-gateway, else the
	 * ifconfig-ipv6 remote, as their next hop.
	 */
	bool tap;

	/* ifconfig LOCAL NETMASK|REMOTE */
	bool has_ifconfig;
	uint32_t ifconfig_local;
	uint32_t ifconfig_mask_or_peer; /* netmask with topology subnet, peer address otherwise */
	enum vpnc_topology topology;

	/* ifconfig-ipv6 ADDR/BITS [REMOTE] */
	bool has_ifconfig6;
	uint8_t ifconfig6_local[16];
	uint8_t ifconfig6_bits;
	uint8_t ifconfig6_remote[16];

	bool has_route_gateway;
	uint32_t route_gateway;
	/* route-gateway dhcp: on a TAP the gateway is the router option of the DHCP ACK that comes
	 * through the tunnel (core/dhcp.h); routes that need it wait for it (docs/tap.md). */
	bool route_gateway_dhcp;
	bool has_route6_gateway;     /* route-ipv6-gateway (used on TAP only, as 2.6) */
	uint8_t route6_gateway[16];

	struct vpnc_route4 routes[VPNC_MAX_ROUTES];
	size_t n_routes;
	struct vpnc_route6 routes6[VPNC_MAX_ROUTES];
	size_t n_routes6;
	unsigned redirect_gateway; /* VPNC_RG_* */

	/* dhcp-option DNS / DNS6 / DOMAIN / DOMAIN-SEARCH / DOMAIN-ROUTE */
	uint32_t dns4[VPNC_MAX_DNS];
	size_t n_dns4;
	uint8_t dns6[VPNC_MAX_DNS][16];
	size_t n_dns6;
	char domains[VPNC_MAX_DOMAINS][254];
	uint8_t domain_kind[VPNC_MAX_DOMAINS]; /* enum vpnc_domain_kind */
	size_t n_domains;
	/* dhcp-option DOMAIN-ROUTE: names whose lookups go to these servers; "." = all of them. */
	char route_domains[VPNC_MAX_DOMAINS][254];
	size_t n_route_domains;

	/* 2.6's --dns: when it names servers (search domains), they replace the
	 * dhcp-option DNS servers (DOMAIN-SEARCH domains) for DNS and scripts. */
	struct vpnc_dnsopt_server dns_servers[VPNC_DNSOPT_SERVERS];
	size_t n_dns_servers;
	char dns_search[VPNC_DNSOPT_DOMAINS][254];
	size_t n_dns_search;

	bool block_ipv6;           /* block-ipv6: IPv6 packets from the TUN are not sent */

	/* Host names in the network position of the profile's routes (never pushed). */
	char route_hosts[VPNC_MAX_ROUTE_HOSTS][254];
	size_t n_route_hosts;

	/* Crypto negotiation. */
	char cipher[32];           /* "" = not pushed */
	bool key_derivation_ekm;   /* key-derivation tls-ekm */
	unsigned protocol_flags;   /* VPNC_PF_* */
	bool has_peer_id;
	uint32_t peer_id;          /* 0 .. 0xFFFFFE */

	/* Timers, seconds; -1 = not pushed. */
	int ping;
	int ping_restart;
	int inactive;
	long long inactive_bytes;  /* the optional BYTES of a pushed inactive; 0 = not given */
	int explicit_exit_notify;  /* -1 = not pushed */

	int tun_mtu;               /* 0 = not pushed */

	int shaper;                /* 'shaper' bytes per second; 0 = not pushed */

	/* 'client-nat' rules pushed, in order; 2.6 adds them after the profile's own. */
	struct vpnc_client_nat client_nat[VPNC_CLIENT_NAT_MAX];
	size_t n_client_nat;
	enum vpnc_comp comp;       /* compression the server uses (allow-compression decides, keyex.c) */
	bool comp_pushed;

	char auth_token[VPNC_MAX_TOKEN_LEN]; /* secret; "" = none */
	char auth_token_user[VPNC_MAX_TOKEN_LEN];

	/* push-continuation: 2 = more parts follow, 1 = last, 0 = not used. */
	int continuation;

	/* Options seen but not applied, for the log. */
	unsigned n_ignored;        /* known, harmless here (e.g. block-outside-dns) */
	unsigned n_rejected;       /* not allowed or invalid */

	/* Route metric and filtering. */
	int route_metric;          /* pushed 'route-metric': default for routes without one; -1 = not pushed */
	unsigned n_filtered;       /* removed by pull-filter ignore or route-nopull */
	unsigned n_logged;         /* log lines given so far; bounded by VPNC_PUSH_LOG_MAX */
};

/* At most this many options are described through the log per struct (a flood is counted, not logged). */
#define VPNC_PUSH_LOG_MAX 16

/* Sets every field to its "not pushed" value. */
void vpnc_push_init(struct vpnc_push *p);

/*
 * Parses the options of one PUSH_REPLY message (the text after "PUSH_REPLY,",
 * without the NUL; len bytes) into p, adding to what is already there (so
 * continuation parts accumulate). Invalid or forbidden options are counted in
 * p->n_rejected and described through log (may be NULL) once each; they never
 * fail the whole reply. Returns 0, or a negative errno code if the text itself
 * is unusable (e.g. embedded NUL or non-printable bytes).
 */
typedef void (*vpnc_push_log_fn)(void *ctx, const char *option, const char *reason);
int vpnc_push_parse(struct vpnc_push *p, const char *text, size_t len, vpnc_push_log_fn log, void *log_ctx);

/*
 * What the client allows a PUSH_REPLY to set, from its own config. filters
 * (pull-filter, may be NULL when n_filters is 0) are tried in order against
 * each pushed option with its leading spaces removed: the first whose text is
 * a prefix of the option decides (accept keeps it, ignore drops it, reject
 * fails the whole reply, as OpenVPN 2.6 does). route_nopull then drops the
 * options OpenVPN classes as routes and DHCP/DNS (route, route-ipv6,
 * route-metric, redirect-gateway, redirect-private, block-ipv6, dhcp-option,
 * dns, block-outside-dns and the Windows DHCP options); route-gateway stays.
 * The caller keeps the filters alive during the call.
 */
struct vpnc_push_policy {
	const struct vpnc_pull_filter *filters;
	size_t n_filters;
	bool route_nopull;
};

/*
 * vpnc_push_parse() under a policy (NULL = none). Returns 0; -EPERM when a
 * 'pull-filter reject' matched (the option is named through log with the
 * reason "rejected by pull-filter"; the session should restart, as OpenVPN's
 * does); or the errors of vpnc_push_parse(). Options before the rejected
 * one may already be in p: discard p on -EPERM.
 */
int vpnc_push_parse_filtered(struct vpnc_push *p, const char *text, size_t len,
                             const struct vpnc_push_policy *policy, vpnc_push_log_fn log, void *log_ctx);

/*
 * Applies one option from the client's own profile (words as split by the
 * config reader; w[0] is the name) with the same checks as a pushed one.
 * Only the route and DNS options a profile may hold are taken (route,
 * route-ipv6, route-gateway, route-ipv6-gateway, route-metric,
 * redirect-gateway, redirect-private, block-ipv6, dhcp-option, dns,
 * ifconfig, ifconfig-ipv6, topology). Returns 0 when stored, 1 when
 * accepted without effect (a duplicate, a Windows-only type), or -EINVAL
 * with *why set; p is unchanged then.
 */
int vpnc_push_profile_option(struct vpnc_push *p, const char *const *w, size_t n, const char **why);

/*
 * Checks that ends a profile (or a push): ifconfig against topology, and that
 * every 'dns server' has an address. Returns NULL or the reason.
 */
const char *vpnc_push_profile_finish(struct vpnc_push *p);

/* Wipes the auth token. */
void vpnc_push_clear(struct vpnc_push *p);

/*
 * auth-token-user's value, pushed or in the profile: base64 of the name that
 * goes with the auth-token. Decodes b64 into out (size bytes, NUL included).
 * Returns 0, or -EINVAL when b64 is not base64 (no blanks, padding only at
 * the end) of a name of printable bytes that fits; out is "" then.
 */
int vpnc_push_token_user_decode(const char *b64, char *out, size_t size);

/*
 * The IPv4 gateway of pushed routes that name none (OpenVPN's vpn_gateway):
 * route-gateway, else the peer of a net30/p2p ifconfig. 0 means there is none.
 */
static inline uint32_t vpnc_push_vpn_gateway4(const struct vpnc_push *p)
{
	if (p->has_route_gateway && p->route_gateway != 0)
		return p->route_gateway;
	if (p->has_ifconfig && p->topology != VPNC_TOPO_SUBNET)
		return p->ifconfig_mask_or_peer;
	return 0;
}

/*
 * The IPv6 next hop of routes on a TAP device: route-ipv6-gateway, else the
 * ifconfig-ipv6 remote; NULL when there is none (2.6 then skips the route).
 */
static inline const uint8_t *vpnc_push_vpn_gateway6(const struct vpnc_push *p)
{
	static const uint8_t zero[16];

	if (p->has_route6_gateway)
		return p->route6_gateway;
	if (p->has_ifconfig6 && memcmp(p->ifconfig6_remote, zero, 16) != 0)
		return p->ifconfig6_remote;
	return NULL;
}

#endif
