/*
 * status.c: owns the formatting of a status snapshot (status.h) as one JSON
 * object for machines and as aligned lines for people. Both writers work in
 * a caller buffer, stop cleanly when it is full, and never pass a raw byte
 * from the config or the server through unescaped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/ip4.h"
#include "control/status.h"
#include "daemon/version.h"
#include "os/tun_offload.h"

/* A bounded string writer: after an overflow it keeps a NUL-terminated prefix. */
struct sw {
	char *p;
	size_t cap, len;
	bool full;
	bool json;     /* escape for JSON, else replace control characters */
};

static void put(struct sw *w, const char *s, size_t n)
{
	if (w->full)
		return;
	if (n >= w->cap - w->len) {
		n = w->cap - w->len - 1;
		w->full = true;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
	w->p[w->len] = '\0';
}

static void puts_(struct sw *w, const char *s)
{
	put(w, s, strlen(s));
}

static void putu(struct sw *w, uint64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v);

	put(w, tmp, (size_t)n);
}

static void puti(struct sw *w, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%" PRId64, v);

	put(w, tmp, (size_t)n);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (n > left || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

/* Writes s as the body of a JSON string, or as terminal-safe text. */
static void put_safe(struct sw *w, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t left = strlen(str);

	while (left > 0 && !w->full) {
		size_t n = utf8_len(s, left);
		char esc[8];

		if (n == 0) {
			puts_(w, w->json ? "\\ufffd" : "?");
			n = 1;
		} else if (n == 1 && (s[0] < 0x20 || s[0] == 0x7F)) {
			if (w->json) {
				snprintf(esc, sizeof(esc), "\\u%04x", s[0]);
				puts_(w, esc);
			} else {
				puts_(w, "?");
			}
		} else if (n == 1 && w->json && (s[0] == '"' || s[0] == '\\')) {
			esc[0] = '\\';
			esc[1] = (char)s[0];
			put(w, esc, 2);
		} else if (n == 2 && s[0] == 0xC2 && s[1] < 0xA0 && !w->json) {
			puts_(w, "?"); /* C1 control characters: terminals act on some */
		} else {
			put(w, (const char *)s, n);
		}
		s += n;
		left -= n;
	}
}

/* JSON helpers: a quoted string or null, and object keys with separators. */
static void jstr(struct sw *w, const char *s)
{
	if (s == NULL) {
		puts_(w, "null");
		return;
	}
	puts_(w, "\"");
	put_safe(w, s);
	puts_(w, "\"");
}

static void jkey(struct sw *w, bool *first, const char *key)
{
	if (!*first)
		puts_(w, ",");
	*first = false;
	puts_(w, "\"");
	puts_(w, key);
	puts_(w, "\":");
}

static void fmt_time(int64_t t, bool json, char *out, size_t cap)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, cap, json ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, cap, "?");
}

static void fmt_ip4(uint32_t host_order, char *out, size_t cap)
{
	struct in_addr a = {.s_addr = htonl(host_order)};

	if (inet_ntop(AF_INET, &a, out, (socklen_t)cap) == NULL)
		snprintf(out, cap, "?");
}

static void fmt_ip6(const uint8_t *a, char *out, size_t cap)
{
	if (inet_ntop(AF_INET6, a, out, (socklen_t)cap) == NULL)
		snprintf(out, cap, "?");
}

/* "10.8.0.0/24" (or "10.8.0.0/255.0.255.0" for a mask that is not a prefix). */
static void fmt_net4(uint32_t net, uint32_t mask, char *out, size_t cap)
{
	char a[INET_ADDRSTRLEN], m[INET_ADDRSTRLEN];
	int p = vpnc_ip4_mask_prefix(mask);

	fmt_ip4(net, a, sizeof(a));
	if (p >= 0) {
		snprintf(out, cap, "%s/%d", a, p);
	} else {
		fmt_ip4(mask, m, sizeof(m));
		snprintf(out, cap, "%s/%s", a, m);
	}
}

static const char *route_net_word(uint8_t kind)
{
	switch (kind) {
	case VPNC_RT_NET_REMOTE_HOST: return "remote_host";
	case VPNC_RT_NET_VPN_GATEWAY: return "vpn_gateway";
	case VPNC_RT_NET_NET_GATEWAY: return "net_gateway";
	default: return NULL;
	}
}

/* Destination, gateway (NULL = the VPN gateway) and metric of route i, IPv4 then IPv6. */
struct route_txt {
	char dest[64];
	char gw[INET6_ADDRSTRLEN];
	bool has_gw;
	int metric;
};

static void route_at(const struct vpnc_push *p, size_t i, struct route_txt *r)
{
	r->has_gw = false;
	if (i < p->n_routes) {
		const struct vpnc_route4 *rt = &p->routes[i];
		const char *word = route_net_word(rt->net_kind);

		if (word != NULL)
			snprintf(r->dest, sizeof(r->dest), "%s", word);
		else
			fmt_net4(rt->net, rt->mask, r->dest, sizeof(r->dest));
		if (rt->net_gateway) {
			snprintf(r->gw, sizeof(r->gw), "net_gateway");
			r->has_gw = true;
		} else if (rt->gw != 0) {
			fmt_ip4(rt->gw, r->gw, sizeof(r->gw));
			r->has_gw = true;
		}
		r->metric = rt->metric;
		return;
	}
	const struct vpnc_route6 *r6 = &p->routes6[i - p->n_routes];
	static const uint8_t zero[16];
	char a[INET6_ADDRSTRLEN];

	fmt_ip6(r6->net, a, sizeof(a));
	snprintf(r->dest, sizeof(r->dest), "%s/%u", a, r6->bits);
	if (r6->net_gateway) {
		snprintf(r->gw, sizeof(r->gw), "net_gateway_ipv6");
		r->has_gw = true;
	} else if (memcmp(r6->gw, zero, sizeof(zero)) != 0) {
		fmt_ip6(r6->gw, r->gw, sizeof(r->gw));
		r->has_gw = true;
	}
	r->metric = r6->metric;
}

static size_t n_routes(const struct vpnc_push *p)
{
	size_t n4 = p->n_routes <= VPNC_MAX_ROUTES ? p->n_routes : VPNC_MAX_ROUTES;
	size_t n6 = p->n_routes6 <= VPNC_MAX_ROUTES ? p->n_routes6 : VPNC_MAX_ROUTES;

	return n4 + n6;
}

/* The tunnel addresses: "10.8.0.2/24" with topology subnet, else the local address and its peer. */
static bool addr4(const struct vpnc_push *p, char *addr, size_t cap, char *peer, size_t pcap)
{
	char a[INET_ADDRSTRLEN];

	peer[0] = '\0';
	if (p == NULL || !p->has_ifconfig)
		return false;
	fmt_ip4(p->ifconfig_local, a, sizeof(a));
	if (p->topology == VPNC_TOPO_SUBNET && vpnc_ip4_mask_prefix(p->ifconfig_mask_or_peer) >= 0) {
		snprintf(addr, cap, "%s/%d", a, vpnc_ip4_mask_prefix(p->ifconfig_mask_or_peer));
	} else {
		snprintf(addr, cap, "%s/32", a);
		fmt_ip4(p->ifconfig_mask_or_peer, peer, pcap);
	}
	return true;
}

static bool addr6(const struct vpnc_push *p, char *addr, size_t cap)
{
	char a[INET6_ADDRSTRLEN];

	if (p == NULL || !p->has_ifconfig6)
		return false;
	fmt_ip6(p->ifconfig6_local, a, sizeof(a));
	snprintf(addr, cap, "%s/%u", a, p->ifconfig6_bits);
	return true;
}

/* A flag bit and its name as the status prints it. */
struct flag_name {
	unsigned bit;
	const char *name;
};

#define FLAG_COUNT(t) (sizeof(t) / sizeof((t)[0]))

/* Writes the names of the flags set in bits as a JSON array. */
static void jflags(struct sw *w, unsigned bits, const struct flag_name *names, size_t n)
{
	bool f = true;

	puts_(w, "[");
	for (size_t i = 0; i < n; i++) {
		if (!(bits & names[i].bit))
			continue;
		puts_(w, f ? "" : ",");
		f = false;
		jstr(w, names[i].name);
	}
	puts_(w, "]");
}

/* Appends " name" for each flag set in bits to the text line (cap bytes). */
static void tflags(char *line, size_t cap, unsigned bits, const struct flag_name *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t used = strlen(line);
		if ((bits & names[i].bit) && used < cap)
			snprintf(line + used, cap - used, " %s", names[i].name);
	}
}

/* The DNS servers in use: 2.6's dns option when it names servers, else dhcp-option DNS/DNS6. */
static size_t n_dns_addrs(const struct vpnc_push *p)
{
	size_t n = 0;

	if (p->n_dns_servers == 0)
		return (p->n_dns4 < VPNC_MAX_DNS ? p->n_dns4 : VPNC_MAX_DNS) +
		       (p->n_dns6 < VPNC_MAX_DNS ? p->n_dns6 : VPNC_MAX_DNS);
	for (size_t s = 0; s < p->n_dns_servers && s < VPNC_DNSOPT_SERVERS; s++)
		n += p->dns_servers[s].n_addr < VPNC_DNSOPT_ADDRS ? p->dns_servers[s].n_addr : VPNC_DNSOPT_ADDRS;
	return n;
}

static void dns_addr_at(const struct vpnc_push *p, size_t i, char *out, size_t cap)
{
	size_t n4 = p->n_dns4 < VPNC_MAX_DNS ? p->n_dns4 : VPNC_MAX_DNS;

	if (p->n_dns_servers == 0) {
		if (i < n4)
			fmt_ip4(p->dns4[i], out, cap);
		else
			fmt_ip6(p->dns6[i - n4], out, cap);
		return;
	}
	for (size_t s = 0; s < p->n_dns_servers && s < VPNC_DNSOPT_SERVERS; s++) {
		const struct vpnc_dnsopt_server *d = &p->dns_servers[s];
		size_t k = d->n_addr < VPNC_DNSOPT_ADDRS ? d->n_addr : VPNC_DNSOPT_ADDRS;

		if (i >= k) {
			i -= k;
			continue;
		}
		if (inet_ntop(d->addr[i].family, d->addr[i].addr, out, (socklen_t)cap) == NULL)
			snprintf(out, cap, "?");
		return;
	}
	snprintf(out, cap, "?");
}

static const struct flag_name rg_flags[] = {
	{VPNC_RG_DEF1, "def1"},
	{VPNC_RG_IPV6, "ipv6"},
	{VPNC_RG_NO_IPV4, "!ipv4"},
	{VPNC_RG_LOCAL, "local"},
	{VPNC_RG_AUTO_LOCAL, "autolocal"},
	{VPNC_RG_BYPASS_DHCP, "bypass-dhcp"},
	{VPNC_RG_BYPASS_DNS, "bypass-dns"},
	{VPNC_RG_BLOCK_LOCAL, "block-local"},
	{VPNC_RG_PRIVATE, "private"},
};

static const char *vpnc_status_state_name(enum vpnc_status_state s)
{
	switch (s) {
	case VPNC_STATUS_STARTING: return "starting";
	case VPNC_STATUS_CONNECTING: return "connecting";
	case VPNC_STATUS_CONNECTED: return "connected";
	case VPNC_STATUS_RECONNECTING: return "reconnecting";
	case VPNC_STATUS_EXITING: return "exiting";
	}
	return "unknown";
}

static void j_expiry(struct sw *w, bool *first, const char *key, int64_t t, int64_t now)
{
	char ts[40];
	bool f = true;

	jkey(w, first, key);
	if (t == 0) {
		puts_(w, "null");
		return;
	}
	fmt_time(t, true, ts, sizeof(ts));
	puts_(w, "{");
	jkey(w, &f, "expires");
	jstr(w, ts);
	jkey(w, &f, "expires_unix");
	puti(w, t);
	jkey(w, &f, "seconds_left");
	puti(w, t - now);
	jkey(w, &f, "warning");
	puts_(w, vpnc_status_expiry_level(t, now) ? "true" : "false");
	puts_(w, "}");
}

static void j_push(struct sw *w, bool *first, const struct vpnc_push *p, bool dns_failed,
                   const char *why, const char *backend, const char *scope)
{
	char a[INET6_ADDRSTRLEN + 8], peer[INET_ADDRSTRLEN];
	struct route_txt r;
	bool f;

	jkey(w, first, "ipv4");
	jstr(w, addr4(p, a, sizeof(a), peer, sizeof(peer)) ? a : NULL);
	jkey(w, first, "ipv4_peer");
	jstr(w, peer[0] ? peer : NULL);
	jkey(w, first, "ipv6");
	jstr(w, addr6(p, a, sizeof(a)) ? a : NULL);

	jkey(w, first, "routes");
	puts_(w, "[");
	for (size_t i = 0; p != NULL && i < n_routes(p); i++) {
		route_at(p, i, &r);
		f = true;
		puts_(w, i ? ",{" : "{");
		jkey(w, &f, "dest");
		jstr(w, r.dest);
		jkey(w, &f, "gateway");
		jstr(w, r.has_gw ? r.gw : NULL);
		jkey(w, &f, "metric");
		if (r.metric >= 0)
			puti(w, r.metric);
		else
			puts_(w, "null");
		puts_(w, "}");
	}
	puts_(w, "]");

	jkey(w, first, "redirect_gateway");
	if (p == NULL || !(p->redirect_gateway & VPNC_RG_ENABLE)) {
		puts_(w, "null");
	} else {
		jflags(w, p->redirect_gateway, rg_flags, FLAG_COUNT(rg_flags));
	}

	jkey(w, first, "dns");
	puts_(w, "{\"servers\":[");
	f = true;
	for (size_t i = 0; p != NULL && i < n_dns_addrs(p); i++, f = false) {
		dns_addr_at(p, i, a, sizeof(a));
		puts_(w, f ? "" : ",");
		jstr(w, a);
	}
	puts_(w, "],\"domains\":[");
	for (size_t i = 0; p != NULL && i < p->n_domains && i < VPNC_MAX_DOMAINS; i++) {
		puts_(w, i ? "," : "");
		jstr(w, p->domains[i]);
	}
	for (size_t i = 0; p != NULL && i < p->n_dns_search && i < VPNC_DNSOPT_DOMAINS; i++) {
		puts_(w, i || p->n_domains ? "," : "");
		jstr(w, p->dns_search[i]);
	}
	/* Pushed is not applied: say when the servers above are not in use. */
	puts_(w, dns_failed ? "],\"failed\":true" : "],\"failed\":false");
	/* And why: "<backend>: <reason>", null unless failed. */
	puts_(w, ",\"error\":");
	jstr(w, dns_failed ? why : NULL);
	/* Which backend was used, and whether every name or only the tunnel's domains go to it. */
	puts_(w, ",\"backend\":");
	jstr(w, backend);
	puts_(w, ",\"scope\":");
	jstr(w, scope);
	puts_(w, "}");
}

static void j_netev(struct sw *w, bool *first, const struct vpnc_status_netev *e, int64_t now)
{
	char ts[40], line[192];
	bool f = true;

	jkey(w, first, "network_event");
	if (e->kind == VPNC_NETEV_NONE) {
		puts_(w, "null");
		return;
	}
	puts_(w, "{");
	jkey(w, &f, "event");
	jstr(w, vpnc_status_netev_kind_name(e->kind));
	jkey(w, &f, "interface");
	jstr(w, e->ifname[0] ? e->ifname : NULL);
	jkey(w, &f, "at");
	fmt_time(e->at, true, ts, sizeof(ts));
	jstr(w, ts);
	jkey(w, &f, "seconds_ago");
	puti(w, now > e->at ? now - e->at : 0);
	jkey(w, &f, "action");
	jstr(w, vpnc_status_netev_action_name(e->action));
	jkey(w, &f, "socket_moved");
	puts_(w, e->socket_moved ? "true" : "false");
	jkey(w, &f, "probe_failed");
	puts_(w, e->probe_failed ? "true" : "false");
	jkey(w, &f, "probe_ms");
	if (e->action == VPNC_NETACT_ANSWERED)
		puti(w, e->answer_ms);
	else
		puts_(w, "null");
	jkey(w, &f, "text");
	vpnc_status_netev_text(e, now, line, sizeof(line));
	jstr(w, line);
	puts_(w, "}");
}

/* One "key":number member. */
static void jnum(struct sw *w, bool *first, const char *key, uint64_t v)
{
	jkey(w, first, key);
	putu(w, v);
}

static void j_stats(struct sw *w, bool *first, const struct vpnc_stats *st)
{
	static const struct vpnc_stats none;
	uint64_t drops = 0;
	bool f = true;

	if (st == NULL)
		st = &none;
	for (size_t i = 0; i < VPNC_DROP__COUNT; i++)
		drops += st->drops[i];
	jkey(w, first, "stats");
	puts_(w, "{");
	jnum(w, &f, "bytes_in", st->link_in_bytes);
	jnum(w, &f, "bytes_out", st->link_out_bytes);
	jnum(w, &f, "packets_in", st->link_in_pkts);
	jnum(w, &f, "packets_out", st->link_out_pkts);
	jnum(w, &f, "tun_bytes_in", st->tun_out_bytes);
	jnum(w, &f, "tun_bytes_out", st->tun_in_bytes);
	jnum(w, &f, "tun_packets_in", st->tun_out_pkts);
	jnum(w, &f, "tun_packets_out", st->tun_in_pkts);
	jnum(w, &f, "dropped", drops);
	jnum(w, &f, "renegotiations", st->renegotiations);
	puts_(w, "}");
}

/* The TUN offload bits by name, as the status shows them. */
static const struct flag_name offload_names[] = {
	{VPNC_TUN_OFF_VNET, "vnet"},
	{VPNC_TUN_OFF_TSO, "tso"},
	{VPNC_TUN_OFF_USO, "uso"},
};

static void j_datapath(struct sw *w, bool *first, const struct vpnc_status_datapath *dp)
{
	bool f = true;

	jkey(w, first, "datapath");
	if (dp == NULL) {
		puts_(w, "null");
		return;
	}
	puts_(w, "{");
	jkey(w, &f, "tun_offloads");
	jflags(w, (unsigned)dp->tun_offloads, offload_names, FLAG_COUNT(offload_names));
	jnum(w, &f, "coalesce_us", dp->coalesce_us);
	jnum(w, &f, "coalesce_sleeps", dp->coalesce_sleeps);
	jnum(w, &f, "tun_write_errors", dp->tun_write_errors);
	jnum(w, &f, "tun_bad_frames", dp->tun_bad_frames);
	jnum(w, &f, "tun_dropped", dp->tun_dropped);
	puts_(w, "}");
}

static int finish(struct sw *w)
{
	if (w->full)
		return -ENOSPC;
	return w->len > (size_t)INT32_MAX ? -ENOSPC : (int)w->len;
}

int vpnc_status_json(const struct vpnc_status_snap *s, int64_t now, char *out, size_t cap)
{
	struct sw w = {.p = out, .cap = cap, .json = true};
	char ts[40];
	bool first = true, f = true;

	if (cap == 0)
		return -ENOSPC;
	out[0] = '\0';
	puts_(&w, "{");
	jkey(&w, &first, "version");
	jstr(&w, VPNC_VERSION);
	jkey(&w, &first, "instance");
	jstr(&w, s->instance);
	jkey(&w, &first, "pid");
	puti(&w, s->pid);
	jkey(&w, &first, "config");
	jstr(&w, s->config_path);
	jkey(&w, &first, "state");
	jstr(&w, vpnc_status_state_name(s->state));
	jkey(&w, &first, "last_error");
	jstr(&w, s->last_error != NULL && s->last_error[0] ? s->last_error : NULL);
	jkey(&w, &first, "kill_switch");
	f = true;
	puts_(&w, "{");
	jkey(&w, &f, "on");
	puts_(&w, s->kill_switch ? "true" : "false");
	jkey(&w, &f, "allow_lan");
	puts_(&w, s->kill_switch && s->kill_switch_lan ? "true" : "false");
	puts_(&w, "}");
	f = true;

	jkey(&w, &first, "server");
	puts_(&w, "{");
	jkey(&w, &f, "host");
	jstr(&w, s->host);
	jkey(&w, &f, "address");
	jstr(&w, s->address);
	jkey(&w, &f, "port");
	jstr(&w, s->port);
	jkey(&w, &f, "proto");
	jstr(&w, s->proto);
	puts_(&w, "}");

	jkey(&w, &first, "cipher");
	jstr(&w, s->cipher != NULL && s->cipher[0] ? s->cipher : NULL);
	jkey(&w, &first, "tls");
	f = true;
	puts_(&w, "{");
	jkey(&w, &f, "version");
	jstr(&w, s->tls_version);
	jkey(&w, &f, "cipher");
	jstr(&w, s->tls_cipher);
	puts_(&w, "}");

	jkey(&w, &first, "dev");
	jstr(&w, s->dev);
	j_push(&w, &first, s->push, s->dns_failed, s->dns_why, s->dns_backend, s->dns_scope);
	j_netev(&w, &first, &s->netev, now);
	j_stats(&w, &first, s->stats);
	j_datapath(&w, &first, s->datapath);

	jkey(&w, &first, "attempt");
	putu(&w, s->attempt);
	jkey(&w, &first, "reconnects");
	putu(&w, s->reconnects);
	jkey(&w, &first, "last_received_ms_ago");
	if (s->last_recv_ms_ago >= 0)
		puti(&w, s->last_recv_ms_ago);
	else
		puts_(&w, "null");
	jkey(&w, &first, "last_sent_ms_ago");
	if (s->last_sent_ms_ago >= 0)
		puti(&w, s->last_sent_ms_ago);
	else
		puts_(&w, "null");

	jkey(&w, &first, "connected_since");
	if (s->connected_since != 0) {
		fmt_time(s->connected_since, true, ts, sizeof(ts));
		jstr(&w, ts);
	} else {
		puts_(&w, "null");
	}
	jkey(&w, &first, "connected_since_unix");
	if (s->connected_since != 0)
		puti(&w, s->connected_since);
	else
		puts_(&w, "null");
	j_expiry(&w, &first, "certificate", s->cert_not_after, now);
	j_expiry(&w, &first, "profile", s->profile_expires, now);
	jkey(&w, &first, "prompt");
	if (s->prompt_id != 0) {
		f = true;
		puts_(&w, "{");
		jkey(&w, &f, "id");
		puti(&w, s->prompt_id);
		jkey(&w, &f, "kind");
		jstr(&w, s->prompt_kind);
		jkey(&w, &f, "text");
		jstr(&w, s->prompt_text);
		jkey(&w, &f, "echo");
		puts_(&w, s->prompt_echo ? "true" : "false");
		puts_(&w, "}");
	} else {
		puts_(&w, "null");
	}
	jkey(&w, &first, "info");
	jstr(&w, s->prompt_info);
	puts_(&w, "}");
	return finish(&w);
}

/* "3d 4h", "2h 5m", "42s": a rough duration for people. */
static void fmt_dur(int64_t secs, char *out, size_t cap)
{
	if (secs < 0)
		secs = -secs;
	if (secs >= 86400)
		snprintf(out, cap, "%" PRId64 "d %" PRId64 "h", secs / 86400, secs % 86400 / 3600);
	else if (secs >= 3600)
		snprintf(out, cap, "%" PRId64 "h %" PRId64 "m", secs / 3600, secs % 3600 / 60);
	else if (secs >= 60)
		snprintf(out, cap, "%" PRId64 "m %" PRId64 "s", secs / 60, secs % 60);
	else
		snprintf(out, cap, "%" PRId64 "s", secs);
}

static void t_line(struct sw *w, const char *label, const char *value)
{
	char pad[16];

	snprintf(pad, sizeof(pad), "%-14s", label);
	puts_(w, pad);
	put_safe(w, value != NULL && value[0] ? value : "-");
	puts_(w, "\n");
}

static void t_expiry(struct sw *w, const char *label, const char *what, int64_t t, int64_t now)
{
	char ts[40], d[32], line[128];
	int level = vpnc_status_expiry_level(t, now);

	if (t == 0)
		return;
	fmt_time(t, false, ts, sizeof(ts));
	fmt_dur(t - now, d, sizeof(d));
	if (level == 2)
		snprintf(line, sizeof(line), "%s (expired %s ago)", ts, d);
	else
		snprintf(line, sizeof(line), "%s (in %s)", ts, d);
	t_line(w, label, line);
	if (level == 0)
		return;
	if (level == 2)
		snprintf(line, sizeof(line), "warning: the %s expired %s ago (%s)\n", what, d, ts);
	else
		snprintf(line, sizeof(line), "warning: the %s expires in %s (%s)\n", what, d, ts);
	puts_(w, line);
}

static void t_push(struct sw *w, const struct vpnc_push *p, bool dns_failed, const char *why,
                   const char *backend, const char *scope)
{
	char a[INET6_ADDRSTRLEN + 8], peer[INET_ADDRSTRLEN], line[192];
	struct route_txt r;
	size_t n;

	if (addr4(p, a, sizeof(a), peer, sizeof(peer))) {
		if (peer[0])
			snprintf(line, sizeof(line), "%s peer %s", a, peer);
		else
			snprintf(line, sizeof(line), "%s", a);
		t_line(w, "ipv4:", line);
	}
	if (addr6(p, a, sizeof(a)))
		t_line(w, "ipv6:", a);
	n = p != NULL ? n_routes(p) : 0;
	for (size_t i = 0; i < n; i++) {
		route_at(p, i, &r);
		snprintf(line, sizeof(line), "%s via %s", r.dest, r.has_gw ? r.gw : "vpn");
		if (r.metric >= 0)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), " metric %d", r.metric);
		t_line(w, i == 0 ? "routes:" : "", line);
	}
	if (p != NULL && (p->redirect_gateway & VPNC_RG_ENABLE)) {
		snprintf(line, sizeof(line), "yes");
		tflags(line, sizeof(line), p->redirect_gateway, rg_flags, FLAG_COUNT(rg_flags));
		t_line(w, "redirect-gw:", line);
	}
	for (size_t i = 0; p != NULL && i < n_dns_addrs(p); i++) {
		dns_addr_at(p, i, a, sizeof(a));
		t_line(w, i == 0 ? "dns:" : "", a);
	}
	if (dns_failed) { /* pushed is not applied: say so, and why, next to the servers */
		snprintf(line, sizeof(line), "NOT applied: %s", why != NULL ? why : "see the log");
		t_line(w, p == NULL || n_dns_addrs(p) == 0 ? "dns:" : "", line);
	}
	if (backend != NULL) {
		snprintf(line, sizeof(line), "%s%s", backend,
		         scope == NULL ? ""
		         : !strcmp(scope, "full-tunnel") ? ", full tunnel (every name goes to the VPN)"
		         : !strcmp(scope, "domains") ? ", split (only the tunnel's domains go to the VPN)"
		         : !strcmp(scope, "shared")  ? ", split (the VPN's servers are used alongside the local ones)"
		                                      : ", split (the VPN's servers are asked first)");
		t_line(w, "dns mode:", line);
	}
	for (size_t i = 0; p != NULL && i < p->n_domains && i < VPNC_MAX_DOMAINS; i++)
		t_line(w, i == 0 ? "domains:" : "", p->domains[i]);
	for (size_t i = 0; p != NULL && i < p->n_dns_search && i < VPNC_DNSOPT_DOMAINS; i++)
		t_line(w, i == 0 && p->n_domains == 0 ? "domains:" : "", p->dns_search[i]);
}

void vpnc_status_bytes(uint64_t n, char *out, size_t cap)
{
	static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	uint64_t div = 1024;
	size_t u = 0;

	if (n < 1024) {
		snprintf(out, cap, "%" PRIu64 " B", n);
		return;
	}
	while (u + 1 < sizeof(unit) / sizeof(unit[0]) && n / div >= 1024) {
		div *= 1024;
		u++;
	}
	/* Two decimals, rounded, in integers: no floating point rounding surprises. */
	uint64_t whole = n / div, rest = n % div;
	uint64_t cents = (uint64_t)(((unsigned __int128)rest * 100 + div / 2) / div);
	if (cents == 100) {
		whole++;
		cents = 0;
	}
	snprintf(out, cap, "%" PRIu64 ".%02" PRIu64 " %s", whole, cents, unit[u]);
}

/* Appends "N unit(s)" to out. */
static void ago_part(char *out, size_t cap, int64_t n, const char *unit)
{
	size_t used = strlen(out);

	if (used < cap)
		snprintf(out + used, cap - used, "%s%" PRId64 " %s%s", used ? ", " : "", n, unit,
		         n == 1 ? "" : "s");
}

void vpnc_status_ago(int64_t secs, char *out, size_t cap)
{
	if (cap == 0)
		return;
	out[0] = '\0';
	if (secs < 0)
		secs = 0;
	if (secs >= 86400) {
		ago_part(out, cap, secs / 86400, "day");
		if (secs % 86400 / 3600)
			ago_part(out, cap, secs % 86400 / 3600, "hour");
	} else if (secs >= 3600) {
		ago_part(out, cap, secs / 3600, "hour");
		if (secs % 3600 / 60)
			ago_part(out, cap, secs % 3600 / 60, "minute");
	} else if (secs >= 60) {
		ago_part(out, cap, secs / 60, "minute");
		if (secs % 60)
			ago_part(out, cap, secs % 60, "second");
	} else {
		ago_part(out, cap, secs, "second");
	}
}

/* "1.50 MiB (123 packets), last 2 seconds ago" or the raw "1572864 bytes (123 packets), last 2000 ms ago". */
static void t_traffic(struct sw *w, const char *label, uint64_t bytes, uint64_t pkts, int64_t ago_ms,
                      bool raw)
{
	char line[160], num[32], ago[64];

	if (raw)
		snprintf(num, sizeof(num), "%" PRIu64 " bytes", bytes);
	else
		vpnc_status_bytes(bytes, num, sizeof(num));
	if (ago_ms < 0)
		snprintf(ago, sizeof(ago), "%s", pkts ? "" : ", none yet");
	else if (raw)
		snprintf(ago, sizeof(ago), ", last %" PRId64 " ms ago", ago_ms);
	else {
		char d[48];
		vpnc_status_ago(ago_ms / 1000, d, sizeof(d));
		snprintf(ago, sizeof(ago), ", last %s ago", d);
	}
	snprintf(line, sizeof(line), "%s (%" PRIu64 " packet%s)%s", num, pkts, pkts == 1 ? "" : "s", ago);
	t_line(w, label, line);
}

int vpnc_status_text_fmt(const struct vpnc_status_snap *s, int64_t now, unsigned flags, char *out,
                         size_t cap)
{
	struct sw w = {.p = out, .cap = cap, .json = false};
	const struct vpnc_stats *st = s->stats;
	bool raw = (flags & VPNC_STATUS_RAW) != 0;
	char line[256], ts[40], d[48];

	if (cap == 0)
		return -ENOSPC;
	out[0] = '\0';
	t_line(&w, "instance:", s->instance);
	snprintf(line, sizeof(line), "%s", vpnc_status_state_name(s->state));
	if (s->state == VPNC_STATUS_CONNECTED && s->connected_since != 0) {
		fmt_time(s->connected_since, false, ts, sizeof(ts));
		if (raw)
			snprintf(d, sizeof(d), "%" PRId64 " s", now - s->connected_since);
		else
			fmt_dur(now - s->connected_since, d, sizeof(d));
		snprintf(line, sizeof(line), "connected since %s (%s)", ts, d);
	} else if ((s->state == VPNC_STATUS_CONNECTING || s->state == VPNC_STATUS_RECONNECTING) &&
	           s->attempt > 0) {
		/* Which try this is: the server line below names its remote. */
		snprintf(line, sizeof(line), "%s (attempt %u)", vpnc_status_state_name(s->state), s->attempt);
	}
	t_line(&w, "state:", line);
	if (s->reconnects > 0) {
		snprintf(line, sizeof(line), "%u", s->reconnects);
		t_line(&w, "reconnects:", line);
	}
	if (s->last_error != NULL && s->last_error[0])
		t_line(&w, "last error:", s->last_error);
	t_line(&w, "kill switch:", !s->kill_switch ? "off" : s->kill_switch_lan ? "on (local networks allowed)" : "on");
	if (s->host != NULL) {
		snprintf(line, sizeof(line), "%s%s%s%s port %s %s", s->host, s->address ? " [" : "",
		         s->address ? s->address : "", s->address ? "]" : "", s->port ? s->port : "?",
		         s->proto ? s->proto : "");
		t_line(&w, "server:", line);
	}
	if (s->cipher != NULL && s->cipher[0]) {
		snprintf(line, sizeof(line), "%s%s%s%s%s", s->cipher, s->tls_version ? ", " : "",
		         s->tls_version ? s->tls_version : "", s->tls_cipher ? " " : "",
		         s->tls_cipher ? s->tls_cipher : "");
		t_line(&w, "cipher:", line);
	}
	if (s->dev != NULL)
		t_line(&w, "device:", s->dev);
	t_push(&w, s->push, s->dns_failed, s->dns_why, s->dns_backend, s->dns_scope);
	if (s->netev.kind != VPNC_NETEV_NONE) {
		vpnc_status_netev_text(&s->netev, now, line, sizeof(line));
		t_line(&w, "network:", line);
	}
	if (st != NULL) {
		t_traffic(&w, "received:", st->link_in_bytes, st->link_in_pkts, s->last_recv_ms_ago, raw);
		t_traffic(&w, "sent:", st->link_out_bytes, st->link_out_pkts, s->last_sent_ms_ago, raw);
	}
	if (s->datapath != NULL) {
		const struct vpnc_status_datapath *dp = s->datapath;
		char offl[64] = "";
		tflags(offl, sizeof(offl), (unsigned)dp->tun_offloads, offload_names, FLAG_COUNT(offload_names));
		snprintf(line, sizeof(line), "TUN offloads%s, coalescing %" PRIu32 " us (%" PRIu64 " sleeps)",
		         offl[0] ? offl : " none", dp->coalesce_us, dp->coalesce_sleeps);
		t_line(&w, "data path:", line);
	}
	t_expiry(&w, "certificate:", "certificate", s->cert_not_after, now);
	t_expiry(&w, "profile:", "profile (eduVPN session)", s->profile_expires, now);
	if (s->prompt_id != 0) {
		snprintf(line, sizeof(line), "%s (%s; answer with: vpnc answer %s)",
		         s->prompt_text != NULL ? s->prompt_text : "?", s->prompt_kind != NULL ? s->prompt_kind : "?",
		         s->instance != NULL ? s->instance : "");
		t_line(&w, "waiting for:", line);
	}
	if (s->prompt_info != NULL && s->prompt_info[0])
		t_line(&w, "info:", s->prompt_info);
	return finish(&w);
}
