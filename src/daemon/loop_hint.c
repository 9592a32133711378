/*
 * loop_hint.c: why a connection attempt is not getting anywhere, said once
 * per attempt at verb 1 with a hint: the server refused (ICMP port
 * unreachable on UDP, a RST on TCP), there is no route to it, it did
 * not answer at all within VPNC_HINT_SILENT_S seconds, or the TLS handshake
 * failed or made no progress. Without these lines, verb 1 said nothing
 * until hand-window or server-poll-timeout ran out. Each kind is logged at
 * most once per attempt (loop_hint_reset()).
 *
 * A stock 2.6 server that rejects a handshake (no common TLS version, our
 * certificate from a CA it does not trust) restarts its side at once and
 * sends nothing more, so the client often learns nothing but silence after
 * the server's first answer: the stalled hint covers that case.
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

/* What to check for OpenSSL's reason (its fixed reason strings and alert names). */
static const char *tls_advice(const char *reason)
{
	static const struct {
		const char *word, *advice;
	} table[] = {
		/* First: OpenSSL's "wrong version number" is a record that is not TLS at all. */
		{"wrong version number", "what came back is not TLS: is it an OpenVPN server on that "
		                         "port?"},
		{"version", "no TLS version both sides allow: compare tls-version-min and tls-version-max "
		            "with the server's"},
		{"unsupported protocol", "no TLS version both sides allow: compare tls-version-min and "
		                         "tls-version-max with the server's"},
		{"no protocols available", "tls-version-min and tls-version-max leave no TLS version"},
		{"unknown ca", "the server does not trust this client's certificate: is it signed by the CA "
		               "the server uses (its 'ca')?"},
		{"certificate", "the server did not accept this client's certificate: is it signed by the "
		                "server's CA, and neither expired nor revoked?"},
		{"access denied", "the server did not accept this client's certificate (or its tls-verify "
		                  "refused it)"},
		{"cipher", "no TLS cipher both sides allow: compare tls-cipher and tls-ciphersuites with "
		           "the server's"},
		{"handshake failure", "no TLS cipher, key exchange group or signature algorithm both sides "
		                      "allow: compare tls-cipher, tls-ciphersuites and tls-groups (and the "
		                      "certificates' key types) with the server's"},
	};

	for (size_t i = 0; reason != NULL && i < sizeof(table) / sizeof(table[0]); i++)
		if (strstr(reason, table[i].word) != NULL)
			return table[i].advice;
	return "compare tls-version-min/max, tls-cipher, tls-ciphersuites and tls-groups with the "
	       "server's, and check that the server accepts this client's certificate; the server's "
	       "log says which";
}

/* "UDP 192.0.2.1 port 1194", or "through the HTTP proxy 192.0.2.1 port 3128". */
static void tls_server_name(struct loop *l, char *out, size_t cap)
{
	size_t n = 0;

	if (l->conf->http_proxy.set)
		n = (size_t)snprintf(out, cap, "through the ");
	if (n < cap)
		server_name(l, out + n, cap - n);
}

void loop_hint_tls(struct loop *l, const char *reason)
{
	char who[INET6_ADDRSTRLEN + 420]; /* a remote's name has up to 255 bytes */
	const char *colon = reason != NULL ? strstr(reason, ": ") : NULL;

	if (l->hints & LOOP_HINT_TLS)
		return;
	l->hints |= LOOP_HINT_TLS;
	tls_server_name(l, who, sizeof(who));
	/* The advice goes by OpenSSL's reason, after "TLS handshake failed: " (core/tls.c). */
	vpnc_log(VPNC_LOG_WARN, "The TLS handshake with the server (%s) failed: %s.", who,
	         tls_advice(colon != NULL ? colon + 2 : NULL));
}

void loop_hint_tls_stalled(struct loop *l, bool closed)
{
	char who[INET6_ADDRSTRLEN + 420]; /* a remote's name has up to 255 bytes */
	enum vpnc_state st;
	char what[64];

	if (l->eng == NULL || (l->hints & LOOP_HINT_TLS))
		return;
	st = vpnc_engine_state(l->eng);
	if (st != VPNC_ST_TLS && st != VPNC_ST_KEYEX)
		return;
	if (!closed && vpnc_prompt_waiting(l->prompt))
		return; /* waiting for the user (a key's passphrase, a token's PIN), not the server */
	l->hints |= LOOP_HINT_TLS;
	tls_server_name(l, who, sizeof(who));
	if (closed)
		snprintf(what, sizeof(what), "closed the connection during the TLS handshake");
	else
		snprintf(what, sizeof(what), "answered, but the TLS handshake stalled for %d s",
		         VPNC_HINT_SILENT_S);
	/* In KEYEX our side of TLS is done (TLS 1.3): what is left is the server checking us. */
	if (st == VPNC_ST_KEYEX)
		vpnc_log(VPNC_LOG_WARN, "The server (%s) %s: did it refuse this client's certificate (not "
		         "signed by its CA, expired or revoked)? The server's log says why.", who, what);
	else
		vpnc_log(VPNC_LOG_WARN, "The server (%s) %s: no TLS version or cipher both sides allow "
		         "(tls-version-min/max, tls-cipher, tls-ciphersuites, tls-groups), or the server "
		         "refused this client's certificate? The server's log says why.", who, what);
}
