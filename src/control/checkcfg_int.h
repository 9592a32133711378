/*
 * checkcfg_int.h: what the two printers of `vpnc --check-config` share:
 * the loaded profile and TLS context (struct vpnc_chk_plan) and the helpers
 * that read certificates and name settings. checkcfg.c loads and prints
 * text; checkcfg_json.c prints the same plan as JSON (--json).
 */
#ifndef VPNC_CONTROL_CHECKCFG_INT_H
#define VPNC_CONTROL_CHECKCFG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "vpnc/config.h"

#define VPNC_CHK_NOTES_MAX 8192

/* The reader's notes, one per line, in file order. */
struct vpnc_chk_notes {
	char text[VPNC_CHK_NOTES_MAX];
	size_t len;
	bool lost; /* more did not fit */
};

struct vpnc_chk_plan {
	const char *path;
	bool untrusted;
	const struct vpnc_config *c;
	SSL_CTX *ctx;                       /* without the client credentials if encrypted */
	bool encrypted;                     /* the key or pkcs12 needs a passphrase not given */
	const struct vpnc_chk_notes *notes;
	int64_t now;
	int64_t profile_expires;            /* the '# Expires:' header, 0 = none */
};

/* Seconds since the epoch of an ASN.1 time, 0 if unreadable. */
int64_t vpnc_chk_asn1_time(const ASN1_TIME *a);
/* The subject in RFC 2253 form (control and non-ASCII bytes escaped by OpenSSL). */
void vpnc_chk_subject(X509 *x, char *out, size_t cap);
/* The client certificate (a new reference, or NULL): the loaded one, else the first in 'cert'. */
X509 *vpnc_chk_client_x509(const struct vpnc_chk_plan *p);
const char *vpnc_chk_proto(const struct vpnc_remote *r);
const char *vpnc_chk_mtu_disc(enum vpnc_mtu_disc d);
const char *vpnc_chk_tlsver(int v, const char *unset);
const char *vpnc_chk_wrap(enum vpnc_wrap_mode w);
/* 'http-proxy': the method's word, and where the credentials come from ("file", "inline",
 * "asked at start", "none"). */
const char *vpnc_chk_proxy_auth(enum vpnc_proxy_auth a);
const char *vpnc_chk_proxy_creds(const struct vpnc_http_proxy *hp);
const char *vpnc_chk_dns_mode(enum vpnc_dns_mode m);

/* Prints the plan as one JSON object on stdout. */
void vpnc_chk_json(const struct vpnc_chk_plan *p);
/* Prints {"ok":false,"error":...} on stdout. */
void vpnc_chk_json_error(const char *msg);

#endif
