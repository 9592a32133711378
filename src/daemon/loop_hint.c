/*
 * loop_hint.c: why a connection attempt is not getting anywhere, said once
 * per attempt at verb 1 with a hint: the server refused (ICMP port
 * unreachable on UDP, a RST on TCP), there is no route to it, or it did
 * not answer at all within VPNC_HINT_SILENT_S seconds. Without these
 * lines, verb 1 said nothing until hand-window or server-poll-timeout ran
 * out. Each kind is logged at most once per attempt (loop_hint_reset()).
 */
#include <errno.h>
#include <string.h>

#include <uv.h>

#include "daemon/log.h"
#include "daemon/loop_int.h"

void loop_hint_reset(struct loop *l)
{
	l->hints = 0;
}

/* "UDP 192.0.2.1 port 1194" for the server of the current attempt. */
static void server_name(struct loop *l, char *out, size_t cap)
{
	const struct vpnc_remote *r = vpnc_remote_current(&l->sel);
	const struct vpnc_socks_proxy *socks = vpnc_remote_socks(l->conf, r);
	char host[INET6_ADDRSTRLEN] = "?";

	if (l->have_server)
		uv_ip_name((const struct sockaddr *)&l->server, host, sizeof(host));
	if (l->conf->http_proxy.set) /* the attempt goes to the proxy (loop_proxy.c) */
		snprintf(out, cap, "HTTP proxy %s port %s", host, l->conf->http_proxy.port);
	/* Through a SOCKS proxy, l->server is the proxy's address (docs/proxy.md). */
	else if (socks != NULL)
		snprintf(out, cap, "%s %s port %s, through the SOCKS proxy %s port %s",
		         r->transport == VPNC_TRANSPORT_TCP ? "TCP" : "UDP", r->host,
		         r->port[0] ? r->port : "1194", host, socks->port);
	else
		snprintf(out, cap, "%s %s port %s", r->transport == VPNC_TRANSPORT_TCP ? "TCP" : "UDP",
		         host, r->port[0] ? r->port : "1194");
}

void loop_hint_link_error(struct loop *l, int err)
{
	char who[INET6_ADDRSTRLEN + 400]; /* a remote's name has up to 255 bytes */
	unsigned kind;

	/* Through a SOCKS proxy the link said what failed, naming the proxy (link_socks.c). */
	if (vpnc_remote_socks(l->conf, vpnc_remote_current(&l->sel)) != NULL)
		return;
	if (err == UV_ECONNREFUSED)
		kind = LOOP_HINT_REFUSED;
	else if (err == UV_ENETUNREACH || err == UV_EHOSTUNREACH || err == UV_EADDRNOTAVAIL)
		kind = LOOP_HINT_UNREACH;
	else
		return;
	if (l->hints & kind)
		return;
	l->hints |= kind;
	server_name(l, who, sizeof(who));
	if (kind == LOOP_HINT_REFUSED)
		vpnc_log(VPNC_LOG_WARN, "The %s refused the connection (%s): is the %s running on that "
		         "port?", l->conf->http_proxy.set ? "HTTP proxy" : "server", who,
		         l->conf->http_proxy.set ? "proxy" : "server");
	else
		vpnc_log(VPNC_LOG_WARN, "Cannot reach the %s (%s): %s: no route to it; check the "
		                        "address and this machine's network.",
		         l->conf->http_proxy.set ? "HTTP proxy" : "server", who, uv_strerror(err));
}

void loop_hint_silent(struct loop *l)
{
	char who[INET6_ADDRSTRLEN + 400]; /* a remote's name has up to 255 bytes */

	/* Something came back (an answer, a refusal, no route): this hint would mislead. */
	if (l->eng == NULL || (l->hints & (LOOP_HINT_SILENT | LOOP_HINT_REFUSED | LOOP_HINT_UNREACH)) ||
	    vpnc_engine_stats(l->eng)->link_in_pkts > 0)
		return;
	l->hints |= LOOP_HINT_SILENT;
	server_name(l, who, sizeof(who));
	/* Through an HTTP proxy (loop_proxy.c): stuck at the proxy, or behind it. */
	if (l->conf->http_proxy.set && !l->proxy.done) {
		vpnc_log(VPNC_LOG_WARN, "The HTTP proxy (%s) did not %s within %d s: wrong address or "
		         "port, or a firewall in between?", who + strlen("HTTP proxy "),
		         l->proxy.requested ? "answer CONNECT" : "accept the connection", VPNC_HINT_SILENT_S);
		return;
	}
	vpnc_log(VPNC_LOG_WARN, "The server (%s) did not answer within %d s: wrong address, port or "
	                        "protocol, or tls-auth/tls-crypt key mismatch?", who, VPNC_HINT_SILENT_S);
}
