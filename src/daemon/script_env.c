/*
 * script_env.c: owns what a script sees: the environment built from the push
 * and the tunnel, the appended up/down arguments, and the split command line.
 * Pure functions without I/O, so tests include and check them exactly.
 *
 * Every value written comes from a validated struct vpnc_push, from the
 * kernel (device name) or from the config; vpnc_script_env_set() still maps
 * any non-printable byte to '_' and accepts only [A-Za-z0-9_] names, so no
 * value can smuggle a second variable or a control character into a script.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/lex.h"
#include "daemon/script.h"

/* The four blocks OpenVPN 2.6 routes for 'redirect-gateway ipv6', in its order. */
static const struct {
	uint8_t first;   /* first byte of the prefix; the rest is zero */
	uint8_t bits;
} env_rg6_blocks[] = {{0x00, 3}, {0x20, 4}, {0x30, 4}, {0xfc, 7}};

void vpnc_script_env_init(struct vpnc_script_env *env)
{
	env->n = 0;
	env->used = 0;
	env->vars[0] = NULL;
}

static bool env_name_ok(const char *name, size_t n)
{
	if (n == 0 || n >= VPNC_SCRIPT_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

int vpnc_script_env_set(struct vpnc_script_env *env, const char *name, const char *value)
{
	size_t nlen = strlen(name), vlen = strlen(value), need = nlen + 1 + vlen + 1;
	char *dst;

	if (!env_name_ok(name, nlen))
		return -EINVAL;
	if (env->n >= VPNC_SCRIPT_MAX_VARS || need > sizeof(env->buf) - env->used)
		return -ENOSPC;
	/* A replaced value stays in buf unused; environments are built once and thrown away. */
	for (size_t i = 0; i < env->n; i++) {
		if (strncmp(env->vars[i], name, nlen) == 0 && env->vars[i][nlen] == '=') {
			memmove(&env->vars[i], &env->vars[i + 1], (env->n - i) * sizeof(env->vars[0]));
			env->n--;
			break;
		}
	}
	dst = env->buf + env->used;
	memcpy(dst, name, nlen);
	dst[nlen] = '=';
	for (size_t i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)value[i];

		dst[nlen + 1 + i] = c >= 0x20 && c < 0x7f ? (char)c : '_';
	}
	dst[need - 1] = '\0';
	env->used += need;
	env->vars[env->n++] = dst;
	env->vars[env->n] = NULL;
	return 0;
}

/* Sets a variable whose name is formatted (route_network_N and friends). */
static int env_setf(struct vpnc_script_env *env, const char *value, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int env_setf(struct vpnc_script_env *env, const char *value, const char *fmt, ...)
{
	char name[VPNC_SCRIPT_NAME_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(name))
		return -EINVAL;
	return vpnc_script_env_set(env, name, value);
}

static int env_set_int(struct vpnc_script_env *env, const char *name, long v)
{
	char s[24];

	snprintf(s, sizeof(s), "%ld", v);
	return vpnc_script_env_set(env, name, s);
}

/* Formats an address given in host order (IPv4) into s. */
static const char *ip4(uint32_t host, char s[INET_ADDRSTRLEN])
{
	uint32_t a = htonl(host);

	return inet_ntop(AF_INET, &a, s, INET_ADDRSTRLEN);
}

static const char *ip6(const uint8_t a[16], char s[INET6_ADDRSTRLEN])
{
	return inet_ntop(AF_INET6, a, s, INET6_ADDRSTRLEN);
}

static bool zero16(const uint8_t a[16])
{
	static const uint8_t z[16];

	return memcmp(a, z, 16) == 0;
}

static int env_ifconfig(struct vpnc_script_env *env, const struct vpnc_push *p)
{
	char s[INET6_ADDRSTRLEN];
	int ret = 0;

	if (p->has_ifconfig) {
		ret |= vpnc_script_env_set(env, "ifconfig_local", ip4(p->ifconfig_local, s));
		ret |= vpnc_script_env_set(env, p->topology == VPNC_TOPO_SUBNET ? "ifconfig_netmask"
		                                                                : "ifconfig_remote",
		                           ip4(p->ifconfig_mask_or_peer, s));
	}
	if (p->has_ifconfig6) {
		ret |= vpnc_script_env_set(env, "ifconfig_ipv6_local", ip6(p->ifconfig6_local, s));
		ret |= env_set_int(env, "ifconfig_ipv6_netbits", p->ifconfig6_bits);
		if (!zero16(p->ifconfig6_remote))
			ret |= vpnc_script_env_set(env, "ifconfig_ipv6_remote", ip6(p->ifconfig6_remote, s));
	}
	return ret;
}

static int env_routes4(struct vpnc_script_env *env, const struct vpnc_push *p,
                       const struct vpnc_script_info *info)
{
	char s[INET_ADDRSTRLEN], net_gw[INET_ADDRSTRLEN] = "";
	uint32_t vgw = vpnc_push_vpn_gateway4(p);
	int ret = 0;

	if (info->net_gateway4 != NULL)
		inet_ntop(AF_INET, info->net_gateway4, net_gw, sizeof(net_gw));
	for (size_t i = 0; i < p->n_routes && i < VPNC_MAX_ROUTES; i++) {
		const struct vpnc_route4 *r = &p->routes[i];
		size_t n = i + 1;

		ret |= env_setf(env, ip4(r->net, s), "route_network_%zu", n);
		ret |= env_setf(env, ip4(r->mask, s), "route_netmask_%zu", n);
		if (r->net_gateway) {
			if (net_gw[0])
				ret |= env_setf(env, net_gw, "route_gateway_%zu", n);
		} else if (r->gw != 0 || vgw != 0) {
			ret |= env_setf(env, ip4(r->gw != 0 ? r->gw : vgw, s), "route_gateway_%zu", n);
		}
		if (r->metric >= 0) {
			char m[16];

			snprintf(m, sizeof(m), "%d", r->metric);
			ret |= env_setf(env, m, "route_metric_%zu", n);
		}
	}
	return ret;
}

static int env_route6(struct vpnc_script_env *env, size_t n, const uint8_t net[16], int bits,
                      const uint8_t gw[16])
{
	char a[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN + 4];
	int ret;

	snprintf(s, sizeof(s), "%s/%d", ip6(net, a), bits);
	ret = env_setf(env, s, "route_ipv6_network_%zu", n);
	if (gw != NULL && !zero16(gw))
		ret |= env_setf(env, ip6(gw, a), "route_ipv6_gateway_%zu", n);
	return ret;
}

static int env_routes6(struct vpnc_script_env *env, const struct vpnc_push *p)
{
	const uint8_t *gw = p->has_ifconfig6 ? p->ifconfig6_remote : NULL;
	size_t n = 0;
	int ret = 0;

	if ((p->redirect_gateway & VPNC_RG_ENABLE) && (p->redirect_gateway & VPNC_RG_IPV6)) {
		for (size_t i = 0; i < sizeof(env_rg6_blocks) / sizeof(env_rg6_blocks[0]); i++) {
			uint8_t net[16] = {env_rg6_blocks[i].first};

			ret |= env_route6(env, ++n, net, env_rg6_blocks[i].bits, gw);
		}
	}
	for (size_t i = 0; i < p->n_routes6 && i < VPNC_MAX_ROUTES; i++) {
		const struct vpnc_route6 *r = &p->routes6[i];

		if (r->net_gateway)
			continue; /* the gateway outside the VPN is not known here */
		ret |= env_route6(env, ++n, r->net, r->bits, zero16(r->gw) ? gw : r->gw);
	}
	return ret;
}

/*
 * dhcp-option lines as OpenVPN exports them; IPv6 servers under "DNS", as eduVPN
 * pushes them. As 2.6's foreign_options_copy_dns(): when --dns names servers
 * (search domains), the dhcp-option DNS (DOMAIN-SEARCH) lines are replaced by
 * "dhcp-option DNS|DNS6 ADDR" ("dhcp-option DOMAIN-SEARCH D") built from it.
 */
static int env_foreign(struct vpnc_script_env *env, const struct vpnc_push *p)
{
	static const char *const kind[] = {"DOMAIN", "DOMAIN-SEARCH", "ADAPTER_DOMAIN_SUFFIX"};
	char s[INET6_ADDRSTRLEN], v[300];
	size_t n = 0;
	int ret = 0;

	for (size_t i = 0; p->n_dns_servers == 0 && i < p->n_dns4 && i < VPNC_MAX_DNS; i++) {
		snprintf(v, sizeof(v), "dhcp-option DNS %s", ip4(p->dns4[i], s));
		ret |= env_setf(env, v, "foreign_option_%zu", ++n);
	}
	for (size_t i = 0; p->n_dns_servers == 0 && i < p->n_dns6 && i < VPNC_MAX_DNS; i++) {
		snprintf(v, sizeof(v), "dhcp-option DNS %s", ip6(p->dns6[i], s));
		ret |= env_setf(env, v, "foreign_option_%zu", ++n);
	}
	for (size_t i = 0; i < p->n_domains && i < VPNC_MAX_DOMAINS; i++) {
		unsigned k = p->domain_kind[i] < 3 ? p->domain_kind[i] : 0;

		if (k == VPNC_DOM_SEARCH && p->n_dns_search > 0)
			continue;
		snprintf(v, sizeof(v), "dhcp-option %s %.*s", kind[k], (int)sizeof(p->domains[i]),
		         p->domains[i]);
		ret |= env_setf(env, v, "foreign_option_%zu", ++n);
	}
	for (size_t i = 0; i < p->n_route_domains && i < VPNC_MAX_DOMAINS; i++) {
		snprintf(v, sizeof(v), "dhcp-option DOMAIN-ROUTE %.*s", (int)sizeof(p->route_domains[i]),
		         p->route_domains[i]);
		ret |= env_setf(env, v, "foreign_option_%zu", ++n);
	}
	for (size_t i = 0; i < p->n_dns_servers && i < VPNC_DNSOPT_SERVERS; i++) {
		const struct vpnc_dnsopt_server *d = &p->dns_servers[i];

		for (size_t j = 0; j < d->n_addr && j < VPNC_DNSOPT_ADDRS; j++) {
			inet_ntop(d->addr[j].family, d->addr[j].addr, s, sizeof(s));
			snprintf(v, sizeof(v), "dhcp-option %s %s", d->addr[j].family == AF_INET ? "DNS" : "DNS6", s);
			ret |= env_setf(env, v, "foreign_option_%zu", ++n);
		}
	}
	for (size_t i = 0; i < p->n_dns_search && i < VPNC_DNSOPT_DOMAINS; i++) {
		snprintf(v, sizeof(v), "dhcp-option DOMAIN-SEARCH %.*s", (int)sizeof(p->dns_search[i]),
		         p->dns_search[i]);
		ret |= env_setf(env, v, "foreign_option_%zu", ++n);
	}
	return ret;
}

/* 2.6's --dns as setenv_dns_options() exports it: dns_search_domain_N, dns_server_N_*. */
static int env_dns(struct vpnc_script_env *env, const struct vpnc_push *p)
{
	static const char *const dnssec[] = {"unset", "yes", "optional", "no"};
	static const char *const transport[] = {"unset", "plain", "DoH", "DoT"};
	char s[INET6_ADDRSTRLEN];
	int ret = 0;

	for (size_t i = 0; i < p->n_dns_search && i < VPNC_DNSOPT_DOMAINS; i++)
		ret |= env_setf(env, p->dns_search[i], "dns_search_domain_%zu", i + 1);
	for (size_t i = 0; i < p->n_dns_servers && i < VPNC_DNSOPT_SERVERS; i++) {
		const struct vpnc_dnsopt_server *d = &p->dns_servers[i];

		for (size_t j = 0; j < d->n_addr && j < VPNC_DNSOPT_ADDRS; j++) {
			inet_ntop(d->addr[j].family, d->addr[j].addr, s, sizeof(s));
			ret |= env_setf(env, s, "dns_server_%zu_address_%zu", i + 1, j + 1);
			if (d->addr[j].port != 0) {
				snprintf(s, sizeof(s), "%u", d->addr[j].port);
				ret |= env_setf(env, s, "dns_server_%zu_port_%zu", i + 1, j + 1);
			}
		}
		for (size_t j = 0; j < d->n_domains && j < VPNC_DNSOPT_DOMAINS; j++)
			ret |= env_setf(env, d->domains[j], "dns_server_%zu_resolve_domain_%zu", i + 1, j + 1);
		if (d->dnssec != VPNC_DNSSEC_UNSET && (unsigned)d->dnssec < 4)
			ret |= env_setf(env, dnssec[d->dnssec], "dns_server_%zu_dnssec", i + 1);
		if (d->transport != VPNC_DNST_UNSET && (unsigned)d->transport < 4)
			ret |= env_setf(env, transport[d->transport], "dns_server_%zu_transport", i + 1);
		if (d->sni[0] != '\0')
			ret |= env_setf(env, d->sni, "dns_server_%zu_sni", i + 1);
	}
	return ret;
}

static int env_trusted(struct vpnc_script_env *env, const struct sockaddr *sa)
{
	char s[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, s, sizeof(s));
		return vpnc_script_env_set(env, "trusted_ip", s) |
		       env_set_int(env, "trusted_port", ntohs(in->sin_port)) |
		       vpnc_script_env_set(env, "untrusted_ip", s) |
		       env_set_int(env, "untrusted_port", ntohs(in->sin_port));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, s, sizeof(s));
		return vpnc_script_env_set(env, "trusted_ip6", s) |
		       env_set_int(env, "trusted_port", ntohs(in6->sin6_port)) |
		       vpnc_script_env_set(env, "untrusted_ip6", s) |
		       env_set_int(env, "untrusted_port", ntohs(in6->sin6_port));
	}
	return 0;
}

/* remote_N, remote_port_N, proto_N from the config's remote list, as OpenVPN exports them. */
/* setenv-safe's "OPENVPN_NAME=value" lines (names and values checked by the config). */
static int env_safe(struct vpnc_script_env *env, const char *lines)
{
	char name[VPNC_SCRIPT_NAME_MAX], value[256];
	int ret = 0;

	while (*lines != '\0') {
		const char *eq = strchr(lines, '='), *nl = strchr(lines, '\n');

		if (eq == NULL || nl == NULL || eq > nl)
			return -EINVAL;
		if ((size_t)(eq - lines) >= sizeof(name) || (size_t)(nl - eq - 1) >= sizeof(value))
			return -ENOSPC;
		memcpy(name, lines, (size_t)(eq - lines));
		name[eq - lines] = '\0';
		memcpy(value, eq + 1, (size_t)(nl - eq - 1));
		value[nl - eq - 1] = '\0';
		ret |= vpnc_script_env_set(env, name, value);
		lines = nl + 1;
	}
	return ret;
}

static int env_remotes(struct vpnc_script_env *env, const struct vpnc_config *c)
{
	int ret = 0;

	for (size_t i = 0; i < c->n_remotes && i < VPNC_MAX_REMOTES; i++) {
		const struct vpnc_remote *r = &c->remotes[i];

		ret |= env_setf(env, r->host, "remote_%zu", i + 1);
		ret |= env_setf(env, r->port[0] ? r->port : "1194", "remote_port_%zu", i + 1);
		ret |= env_setf(env, r->transport == VPNC_TRANSPORT_TCP ? "tcp-client" : "udp",
		                "proto_%zu", i + 1);
	}
	return ret;
}

int vpnc_script_env_build(struct vpnc_script_env *env, const struct vpnc_script_info *info,
                          const struct vpnc_push *p)
{
	const char *type = info->script_type != NULL ? info->script_type : "up";
	char s[INET_ADDRSTRLEN];
	int ret = 0;

	vpnc_script_env_init(env);
	ret |= vpnc_script_env_set(env, "script_type", type);
	ret |= vpnc_script_env_set(env, "script_context",
	                           info->script_context != NULL ? info->script_context : "init");
	if (info->dev != NULL)
		ret |= vpnc_script_env_set(env, "dev", info->dev);
	ret |= vpnc_script_env_set(env, "dev_type", info->conf != NULL && info->conf->dev_tap ? "tap" : "tun");
	ret |= env_set_int(env, "tun_mtu", info->tun_mtu);
	ret |= env_set_int(env, "verb", info->verb);
	ret |= env_set_int(env, "daemon", 0);
	if (info->config != NULL)
		ret |= vpnc_script_env_set(env, "config", info->config);
	if (info->trusted != NULL)
		ret |= env_trusted(env, info->trusted);
	if (info->conf != NULL)
		ret |= env_remotes(env, info->conf) | env_safe(env, info->conf->script_safe_env);
	if (info->pid > 0)
		ret |= env_set_int(env, "daemon_pid", info->pid);
	if (info->common_name != NULL)
		ret |= vpnc_script_env_set(env, "common_name", info->common_name);
	if (info->net_gateway4 != NULL) {
		inet_ntop(AF_INET, info->net_gateway4, s, sizeof(s));
		ret |= vpnc_script_env_set(env, "route_net_gateway", s);
	}
	if (info->signal != NULL && (strcmp(type, "down") == 0 || strcmp(type, "route-pre-down") == 0))
		ret |= vpnc_script_env_set(env, "signal", info->signal);
	if (p != NULL) {
		unsigned rg = p->redirect_gateway;
		int level = (rg & VPNC_RG_BLOCK_LOCAL) ? 2 : 1;

		ret |= env_ifconfig(env, p);
		if (vpnc_push_vpn_gateway4(p) != 0)
			ret |= vpnc_script_env_set(env, "route_vpn_gateway", ip4(vpnc_push_vpn_gateway4(p), s));
		ret |= env_routes4(env, p, info);
		ret |= env_routes6(env, p);
		ret |= env_foreign(env, p);
		ret |= env_dns(env, p);
		if ((rg & VPNC_RG_ENABLE) && !(rg & VPNC_RG_NO_IPV4))
			ret |= env_set_int(env, "route_redirect_gateway_ipv4", level);
		if ((rg & VPNC_RG_ENABLE) && (rg & VPNC_RG_IPV6))
			ret |= env_set_int(env, "route_redirect_gateway_ipv6", level);
		if ((rg & VPNC_RG_ENABLE) && strcmp(type, "up") != 0)
			ret |= env_set_int(env, "redirect_gateway", 1);
	}
	/* Each setter returns 0 or a negative code; OR-ing keeps "some failed". */
	return ret < 0 ? -ENOSPC : 0;
}

void vpnc_script_updown_args(struct vpnc_script_updown *a, const struct vpnc_script_info *info,
                             const struct vpnc_push *p)
{
	char s[INET_ADDRSTRLEN];

	snprintf(a->mtu, sizeof(a->mtu), "%d", info->tun_mtu);
	a->local[0] = a->remote[0] = '\0';
	if (p != NULL && p->has_ifconfig) {
		snprintf(a->local, sizeof(a->local), "%s", ip4(p->ifconfig_local, s));
		snprintf(a->remote, sizeof(a->remote), "%s", ip4(p->ifconfig_mask_or_peer, s));
	}
	a->v[0] = info->dev != NULL ? info->dev : "";
	a->v[1] = a->mtu;
	a->v[2] = "0"; /* was link_mtu; a literal 0 since OpenVPN 2.6 */
	a->v[3] = a->local;
	a->v[4] = a->remote;
	a->v[5] = info->script_context != NULL ? info->script_context : "init";
	a->v[6] = NULL;
}

bool vpnc_script_allowed(int script_security)
{
	return script_security >= VPNC_SCRIPT_SECURITY_SCRIPTS;
}

int vpnc_script_argv_build(struct vpnc_script_argv *a, const char *cmd, const char *const extra[])
{
	struct vpnc_lex_words w;
	const char *why = NULL;
	size_t used = 0;

	a->n = 0;
	a->argv[0] = NULL;
	if (vpnc_lex_line(cmd, strlen(cmd), &w, &why) < 0 || w.n == 0)
		return -EINVAL;
	for (int i = 0; i < w.n; i++) {
		size_t len = strlen(w.p[i]);

		if (a->n >= VPNC_SCRIPT_MAX_ARGS || len + 1 > sizeof(a->store) - used)
			return -E2BIG;
		memcpy(a->store + used, w.p[i], len + 1);
		a->argv[a->n++] = a->store + used;
		used += len + 1;
	}
	for (size_t i = 0; extra != NULL && extra[i] != NULL; i++) {
		size_t len = strlen(extra[i]);

		if (a->n >= VPNC_SCRIPT_MAX_ARGS || len + 1 > sizeof(a->store) - used)
			return -E2BIG;
		memcpy(a->store + used, extra[i], len + 1);
		a->argv[a->n++] = a->store + used;
		used += len + 1;
	}
	a->argv[a->n] = NULL;
	return 0;
}
