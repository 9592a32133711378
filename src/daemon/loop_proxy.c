/*
 * loop_proxy.c: the event loop's side of 'http-proxy' (docs/proxy.md): the
 * proxy is what an attempt resolves and connects to, and the TCP link runs
 * the CONNECT handshake (src/core/httpproxy.c) as its first step
 * (struct vpnc_link_pre) before the OpenVPN stream.
 *
 * How an attempt ends follows OpenVPN 2.6's proxy.c: any failure of the
 * handshake is a soft restart (2.6 raises SIGUSR1 "HTTP proxy error"), so
 * connect-retry and connect-retry-max pace and bound it; with 'auto' a 407
 * naming Digest or Basic makes the next attempt, at once, send the
 * credentials (Digest preferred: the password does not cross the network),
 * and a Digest 407 saying stale=true does the same with the new nonce. Two
 * ends cannot be helped by retrying and exit: a 407 asking for credentials
 * the profile does not have (vpnc cannot ask once it runs), and a scheme
 * vpnc does not speak (NTLM, Negotiate). Every message names the proxy; the
 * proxy's status line is escaped (core/logesc.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/hex.h"
#include "core/httpproxy.h"
#include "core/logesc.h"
#include "daemon/exitcode.h"
#include "daemon/log.h"
#include "daemon/loop_int.h"

const struct vpnc_remote *loop_proxy_target(struct loop *l)
{
	const struct vpnc_http_proxy *hp = &l->conf->http_proxy;
	struct vpnc_remote *t = &l->proxy.target;

	if (!hp->set)
		return vpnc_remote_current(&l->sel);
	memset(t, 0, sizeof(*t));
	memcpy(t->host, hp->host, sizeof(t->host));
	memcpy(t->port, hp->port, sizeof(t->port));
	t->transport = VPNC_TRANSPORT_TCP;
	t->family = AF_UNSPEC;
	return t;
}

static void loop_proxy_attempt(struct loop *l)
{
	vpnc_httpproxy_reply_init(&l->proxy.rep);
	l->proxy.requested = false;
	l->proxy.sent = VPNC_HTTPPROXY_NONE;
	l->proxy.done = false;
	l->proxy.now = false;
	l->proxy.fatal = 0;
	l->proxy.reason[0] = '\0';
}

/* Why the handshake failed, "HTTP proxy HOST:PORT " + fmt; fatal: the exit code, 0 = retry. */
static void proxy_fail(struct loop *l, int fatal, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void proxy_fail(struct loop *l, int fatal, const char *fmt, ...)
{
	const struct vpnc_http_proxy *hp = &l->conf->http_proxy;
	char what[VPNC_REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* A long host name or status line is cut: the start of the sentence says enough. */
	if (snprintf(l->proxy.reason, sizeof(l->proxy.reason), "HTTP proxy %s:%s %s", hp->host,
	             hp->port, what) < 0)
		l->proxy.reason[0] = '\0';
	l->proxy.fatal = fatal;
}

/* The first scheme named in a 407 that vpnc does not speak, for messages. */
static const char *scheme_name(unsigned auth)
{
	if (auth & VPNC_HTTPPROXY_AUTH_NTLM)
		return "NTLM or Negotiate";
	return "an unknown";
}

/* 'auto' after a 407 offering Digest: the challenge for the next attempt. */
static int proxy_take_digest(struct loop *l, const char *status)
{
	int ret = vpnc_httpproxy_digest_parse(l->proxy.rep.digest, &l->proxy.digest);

	if (ret == 0 && l->proxy.rep.digest_cut)
		ret = -EBADMSG;
	if (ret == -EPROTONOSUPPORT) {
		proxy_fail(l, VPNC_EXIT_RUNTIME, "asks for a Digest variant vpnc does not support (only "
		           "MD5 and MD5-sess with qop auth) (%s)", status);
		return ret;
	}
	if (ret < 0) {
		/* 2.6: "digest auth failed, malformed response from server". */
		proxy_fail(l, 0, "sent a Digest challenge vpnc cannot read (%s)", status);
		return ret;
	}
	l->proxy.scheme = VPNC_HTTPPROXY_DIGEST;
	return 0;
}

/*
 * The next attempt at once (the proxy told what to send): at most
 * PROXY_QUICK_MAX times in a row, so that a proxy answering every try with a
 * new challenge gets connect-retry's pause rather than a storm.
 */
#define PROXY_QUICK_MAX 3
static void proxy_again(struct loop *l)
{
	if (l->proxy.quick < PROXY_QUICK_MAX) {
		l->proxy.quick++;
		l->proxy.now = true;
	}
}

/* A complete 407: what the next attempt does, or why there is none. Returns the step's result. */
static int proxy_407(struct loop *l, const char *status)
{
	const struct vpnc_http_proxy *hp = &l->conf->http_proxy;
	unsigned offered = l->proxy.rep.auth;
	bool is_auto = hp->auth == VPNC_PROXY_AUTH_AUTO || hp->auth == VPNC_PROXY_AUTH_AUTO_NCT;
	int ret;

	if (l->proxy.sent == VPNC_HTTPPROXY_DIGEST && (offered & VPNC_HTTPPROXY_AUTH_DIGEST)) {
		/* stale=true: the nonce ran out, not the password (RFC 7616 section 3.3). */
		struct vpnc_httpproxy_digest fresh;

		if (vpnc_httpproxy_digest_parse(l->proxy.rep.digest, &fresh) == 0 &&
		    !l->proxy.rep.digest_cut) {
			/* The next try answers the latest challenge, whatever this one's outcome. */
			l->proxy.digest = fresh;
			if (fresh.stale) {
				proxy_again(l);
				proxy_fail(l, 0, "says the Digest nonce is stale; connecting again with the "
				           "new one");
				return -EAGAIN;
			}
		}
	}
	if (l->proxy.sent == VPNC_HTTPPROXY_BASIC && !(offered & VPNC_HTTPPROXY_AUTH_BASIC) &&
	    (offered & VPNC_HTTPPROXY_AUTH_DIGEST)) {
		/* 2.6 fails the same way; the hint saves guessing at the password. */
		proxy_fail(l, 0, "does not take Basic authentication, only Digest (%s): use "
		           "'http-proxy HOST PORT auto' with http-proxy-user-pass", status);
		return -EACCES;
	}
	if (l->proxy.sent != VPNC_HTTPPROXY_NONE) {
		proxy_fail(l, 0, "refused the username and password (%s)", status);
		return -EACCES;
	}
	if (!is_auto) {
		proxy_fail(l, 0, "wants a username and password (%s), and 'http-proxy' gives none (add "
		           "an authfile, or 'auto')", status);
		return -EACCES;
	}
	if (!(offered & (VPNC_HTTPPROXY_AUTH_BASIC | VPNC_HTTPPROXY_AUTH_DIGEST))) {
		proxy_fail(l, VPNC_EXIT_RUNTIME, "asks for %s authentication, which vpnc does not "
		           "support (only Basic and Digest)", scheme_name(offered));
		return -EPROTONOSUPPORT;
	}
	if (hp->auth == VPNC_PROXY_AUTH_AUTO_NCT && !(offered & VPNC_HTTPPROXY_AUTH_DIGEST)) {
		/* 2.6: "support for basic auth and other cleartext proxy auth methods is disabled". */
		proxy_fail(l, 0, "asks for Basic authentication, which 'auto-nct' refuses (the password "
		           "would cross the network in clear text)");
		return -EACCES;
	}
	if (hp->user == NULL || hp->pass == NULL) {
		proxy_fail(l, VPNC_EXIT_CONFIG, "asks for a username and password, and the profile has "
		           "none (give them with http-proxy-user-pass)");
		return -EACCES;
	}
	if (offered & VPNC_HTTPPROXY_AUTH_DIGEST) {
		ret = proxy_take_digest(l, status);
		if (ret < 0)
			return ret;
	} else {
		l->proxy.scheme = VPNC_HTTPPROXY_BASIC;
	}
	/* As 2.6 does: a new connection to the proxy, at once, with the credentials. */
	proxy_again(l);
	proxy_fail(l, 0, "asks for %s authentication; connecting again with the username and "
	           "password", l->proxy.scheme == VPNC_HTTPPROXY_DIGEST ? "Digest" : "Basic");
	return -EAGAIN;
}

static int proxy_step(void *ctx, const uint8_t *in, size_t len, size_t *used, uint8_t *out,
                      size_t cap, size_t *outlen)
{
	struct loop *l = ctx;
	const struct vpnc_http_proxy *hp = &l->conf->http_proxy;
	const struct vpnc_remote *r = vpnc_remote_current(&l->sel);
	char status[VPNC_HTTPPROXY_LINE_MAX];
	int ret;

	*outlen = 0;
	*used = 0;
	if (!l->proxy.requested) {
		enum vpnc_httpproxy_scheme scheme =
			hp->auth == VPNC_PROXY_AUTH_BASIC ? VPNC_HTTPPROXY_BASIC : l->proxy.scheme;
		char cnonce[17] = "";

		if (scheme == VPNC_HTTPPROXY_DIGEST) {
			unsigned char rnd[(sizeof(cnonce) - 1) / 2];

			loop_rand_bytes(l, rnd, sizeof(rnd)); /* a fresh client nonce per request */
			vpnc_hex_encode(rnd, sizeof(rnd), cnonce, sizeof(cnonce));
		}
		ret = vpnc_httpproxy_request(hp, r->host, r->port[0] ? r->port : "1194", scheme,
		                             &l->proxy.digest, cnonce, (char *)out, cap);
		if (ret < 0) {
			proxy_fail(l, VPNC_EXIT_RUNTIME, "cannot be asked: the CONNECT request %s",
			           ret == -ENOSPC ? "is too long" : "has no credentials to send");
			return ret;
		}
		*outlen = (size_t)ret;
		l->proxy.requested = true;
		l->proxy.sent = scheme;
		vpnc_log(VPNC_LOG_MORE, "HTTP proxy %s:%s: CONNECT %s:%s%s", hp->host, hp->port, r->host,
		         r->port[0] ? r->port : "1194",
		         scheme == VPNC_HTTPPROXY_BASIC    ? " with Basic authentication"
		         : scheme == VPNC_HTTPPROXY_DIGEST ? " with Digest authentication"
		                                           : "");
		if (len == 0)
			return 0;
	}
	ret = vpnc_httpproxy_feed(&l->proxy.rep, in, len, used);
	if (ret == 0)
		return 0;
	if (ret < 0) {
		proxy_fail(l, 0, "%s", ret == -EMSGSIZE ? "sent a reply header over 16 KiB"
		                                        : "did not answer CONNECT in HTTP");
		return ret;
	}
	vpnc_log_escape(status, sizeof(status), l->proxy.rep.status_line,
	                strlen(l->proxy.rep.status_line));
	if (l->proxy.rep.status == 200) {
		l->proxy.done = true;
		l->proxy.quick = 0;
		vpnc_log(VPNC_LOG_INFO, "HTTP proxy %s:%s connected to %s:%s (%s)", hp->host, hp->port,
		         r->host, r->port[0] ? r->port : "1194", status);
		return 1;
	}
	if (l->proxy.rep.status == 407)
		return proxy_407(l, status);
	/* Only 200 opens the tunnel (2.6: "HTTP proxy returned bad status"). */
	proxy_fail(l, 0, "refused CONNECT to the server: '%s'", status);
	return -ECONNREFUSED;
}

const struct vpnc_link_pre *loop_proxy_pre(struct loop *l)
{
	if (!l->conf->http_proxy.set)
		return NULL;
	loop_proxy_attempt(l);
	l->proxy.pre.step = proxy_step;
	l->proxy.pre.ctx = l;
	return &l->proxy.pre;
}

bool loop_proxy_link_down(struct loop *l, int err)
{
	const struct vpnc_http_proxy *hp = &l->conf->http_proxy;

	if (!hp->set || l->proxy.done)
		return false;
	if (l->proxy.reason[0] == '\0' &&
	    snprintf(l->proxy.reason, sizeof(l->proxy.reason), "HTTP proxy %s:%s %s: %s", hp->host,
	             hp->port, l->proxy.requested ? "ended the connection before answering CONNECT"
	                                          : "cannot be reached",
	             uv_strerror(err)) < 0)
		l->proxy.reason[0] = '\0';
	snprintf(l->reason, sizeof(l->reason), "%s", l->proxy.reason);
	return true;
}
