/*
 * httpproxy.h: the HTTP CONNECT handshake with a proxy ('http-proxy',
 * docs/proxy.md), sans-I/O: the request is written into a caller's buffer,
 * the proxy's reply is fed in as bytes arrive, and the parser says when the
 * reply header is complete, with its status and the authentication schemes
 * the proxy offers. Bytes after the header belong to the OpenVPN stream.
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
#define VPNC_HTTPPROXY_LINE_MAX 512
/* Room for the largest request: the line, Host, User-Agent, ten custom headers, credentials. */
#define VPNC_HTTPPROXY_REQ_MAX 16384

/* Schemes named by Proxy-Authenticate fields of a reply. */
#define VPNC_HTTPPROXY_AUTH_BASIC 0x1u
#define VPNC_HTTPPROXY_AUTH_DIGEST 0x2u
#define VPNC_HTTPPROXY_AUTH_NTLM 0x4u
#define VPNC_HTTPPROXY_AUTH_OTHER 0x8u

struct vpnc_httpproxy_reply {
	size_t total;               /* header bytes consumed so far */
	bool have_status;           /* the status line has been read */
	bool done;
	int err;                    /* the error returned, 0 = none */
	int status;                 /* 100..999 once have_status */
	unsigned auth;              /* VPNC_HTTPPROXY_AUTH_* offered */
	char status_line[VPNC_HTTPPROXY_LINE_MAX]; /* as received, NUL-terminated (unescaped) */
	char line[VPNC_HTTPPROXY_LINE_MAX];        /* the line being read, first bytes */
	size_t line_len;            /* bytes of the line stored in line[] */
	bool line_cut;              /* the line was longer than line[] */
};

/*
 * Writes the CONNECT request for host:port (the remote as the profile names
 * it; an IPv6 literal is put in brackets) with hp's HTTP version, custom
 * headers, Host (unless a custom header gave one) and User-Agent, and, with
 * basic, "Proxy-Authorization: Basic" from hp->user and hp->pass. Returns
 * the length written (no NUL counted), -EINVAL for missing credentials, or
 * -ENOSPC if cap is too small.
 */
int vpnc_httpproxy_request(const struct vpnc_http_proxy *hp, const char *host, const char *port,
                           bool basic, char *out, size_t cap);

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
