/*
 * httpproxy.h: the HTTP CONNECT handshake with a proxy ('http-proxy',
 * docs/proxy.md), sans-I/O: the request is written into a caller's buffer,
 * the proxy's reply is fed in as bytes arrive, and the parser says when the
 * reply header is complete, with its status and the authentication schemes
 * the proxy offers (and a Digest challenge, read by
 * vpnc_httpproxy_digest_parse). Bytes after the header belong to the
 * OpenVPN stream.
 *
 * The reply is peer input: every line is bounded, the whole header is
 * bounded (VPNC_HTTPPROXY_HDR_MAX), a control byte other than CR, LF or TAB
 * is refused, and nothing is kept but the status line (for messages; escape
 * it with vpnc_log_escape() before logging) and what is needed to decide.
 *
 * Ownership: the request buffer may hold the proxy password (Basic); the
 * caller wipes it once it is sent.
 */
#ifndef VPNC_CORE_HTTPPROXY_H
#define VPNC_CORE_HTTPPROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vpnc/config.h"

/* Most bytes of a reply header (status line, fields, blank line) vpnc reads. */
#define VPNC_HTTPPROXY_HDR_MAX 16384
/* Bytes of one header line kept to look at (longer lines are read, their tail is skipped). */
#define VPNC_HTTPPROXY_LINE_MAX 1024
/* Bytes of a Digest challenge's realm, nonce or opaque value, NUL included. */
#define VPNC_HTTPPROXY_PARAM_MAX 256
/* Room for the largest request: the line, Host, User-Agent, ten custom headers, credentials. */
#define VPNC_HTTPPROXY_REQ_MAX 16384

/* Schemes named by Proxy-Authenticate fields of a reply. */
#define VPNC_HTTPPROXY_AUTH_BASIC 0x1u
#define VPNC_HTTPPROXY_AUTH_DIGEST 0x2u
#define VPNC_HTTPPROXY_AUTH_NTLM 0x4u
#define VPNC_HTTPPROXY_AUTH_OTHER 0x8u

/* How a request authenticates. */
enum vpnc_httpproxy_scheme {
	VPNC_HTTPPROXY_NONE = 0,
	VPNC_HTTPPROXY_BASIC,   /* RFC 7617 */
	VPNC_HTTPPROXY_DIGEST,  /* RFC 7616 with MD5 or MD5-sess and qop=auth, as 2.6 sends it */
};

/* A Digest challenge (Proxy-Authenticate: Digest ...), its values unquoted. */
struct vpnc_httpproxy_digest {
	char realm[VPNC_HTTPPROXY_PARAM_MAX];
	char nonce[VPNC_HTTPPROXY_PARAM_MAX];
	char opaque[VPNC_HTTPPROXY_PARAM_MAX];
	bool has_opaque;
	bool md5_sess;               /* algorithm=MD5-sess */
	bool stale;                  /* stale=true: the nonce expired, the credentials were fine */
};

struct vpnc_httpproxy_reply {
	size_t total;               /* header bytes consumed so far */
	bool have_status;           /* the status line has been read */
	bool done;
	int err;                    /* the error returned, 0 = none */
	int status;                 /* 100..999 once have_status */
	unsigned auth;              /* VPNC_HTTPPROXY_AUTH_* offered */
	char status_line[VPNC_HTTPPROXY_LINE_MAX]; /* as received, NUL-terminated (unescaped) */
	char digest[VPNC_HTTPPROXY_LINE_MAX];      /* the first Digest challenge's parameters */
	bool digest_cut;            /* ... which did not fit */
	char line[VPNC_HTTPPROXY_LINE_MAX];        /* the line being read, first bytes */
	size_t line_len;            /* bytes of the line stored in line[] */
	bool line_cut;              /* the line was longer than line[] */
};

/*
 * Writes the CONNECT request for host:port (the remote as the profile names
 * it; an IPv6 literal is put in brackets) with hp's HTTP version, custom
 * headers, Host (unless a custom header gave one) and User-Agent, and the
 * Proxy-Authorization of scheme from hp->user and hp->pass: Basic, or Digest
 * answering challenge d with the client nonce cnonce (printable, no quote).
 * Returns the length written (no NUL counted), -EINVAL for missing
 * credentials or challenge, -ENOSPC if cap is too small.
 */
int vpnc_httpproxy_request(const struct vpnc_http_proxy *hp, const char *host, const char *port,
                           enum vpnc_httpproxy_scheme scheme, const struct vpnc_httpproxy_digest *d,
                           const char *cnonce, char *out, size_t cap);

/*
 * Reads the parameters of a Digest challenge (r->digest of a reply):
 * comma-separated name=value or name="quoted value" (RFC 7616 section 3.3).
 * Returns 0, -EBADMSG when it cannot be read (no realm or nonce, a value too
 * long or with a control byte) or -EPROTONOSUPPORT for an algorithm other
 * than MD5 and MD5-sess, or a qop list without "auth".
 */
int vpnc_httpproxy_digest_parse(const char *params, struct vpnc_httpproxy_digest *d);

void vpnc_httpproxy_reply_init(struct vpnc_httpproxy_reply *r);

/*
 * Feeds len bytes of the proxy's reply. Returns 0 when more is needed (all
 * bytes consumed), 1 when the header is complete (*used = the bytes of in
 * that were header; the rest is the tunnel's), or a negative errno:
 * -EBADMSG for a reply that is not HTTP (no "HTTP/x.y NNN" status line, a
 * control byte in the header), -EMSGSIZE for a header over
 * VPNC_HTTPPROXY_HDR_MAX. After 1 or an error, further calls return the same.
 */
int vpnc_httpproxy_feed(struct vpnc_httpproxy_reply *r, const uint8_t *in, size_t len,
                        size_t *used);

#endif
