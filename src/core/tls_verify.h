/*
 * tls_verify.h: checks on the peer's certificate chain, done inside OpenSSL's
 * verify callback as OpenVPN 2.6 does them (ssl_verify.c): CRL directory,
 * chain depth, and for the peer's own certificate peer-fingerprint,
 * ns-cert-type, remote-cert-ku, remote-cert-eku and verify-x509-name.
 *
 * Ownership: vpnc_tls_verify_setup() copies the rules from the config into
 * the SSL_CTX (freed with it). A struct vpnc_tls_note lives inside each TLS
 * session and records the first failure: the reason OpenSSL or our check
 * gives, the depth and the certificate subject.
 */
#ifndef VPNC_TLS_VERIFY_H
#define VPNC_TLS_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "vpnc/config.h"

#define VPNC_TLS_SUBJECT_MAX 512 /* longest subject string we format */
#define VPNC_TLS_CN_MAX 64       /* OpenVPN's TLS_USERNAME_LEN */
#define VPNC_TLS_MAX_DEPTH 16    /* OpenVPN's MAX_CERT_DEPTH */
#define VPNC_TLS_REASON_MAX 200

/* The first verification failure of one TLS session. */
struct vpnc_tls_note {
	bool failed;
	int error;                          /* X509_V_ERR_*, or X509_V_ERR_APPLICATION_VERIFICATION */
	int depth;
	char reason[VPNC_TLS_REASON_MAX];
	char subject[VPNC_TLS_SUBJECT_MAX];
};

/*
 * Attaches the config's peer rules (remote-cert-ku/-eku, verify-x509-name,
 * crl-verify) to a client ctx, loads the CRL into its store and installs the
 * verify callback. Returns 0, or a negative errno with a sentence in err.
 */
int vpnc_tls_verify_setup(SSL_CTX *ctx, const struct vpnc_config *cfg, char *err, size_t errlen);

/* Installs only the recording verify callback (servers, tests). Returns 0 or -ENOMEM. */
int vpnc_tls_verify_setup_plain(SSL_CTX *ctx, int mode);

/* Points the session's verify callback at its note. Returns 0 or -ENOMEM. */
int vpnc_tls_verify_attach(SSL *ssl, struct vpnc_tls_note *note);

/*
 * The subject as OpenVPN prints and matches it ("C=NL, O=Org, CN=vpn"):
 * X509_NAME_print_ex with OpenVPN's flags, control characters turned into
 * '_' and leading '-' into '_'. Returns false if it does not fit in cap.
 */
bool vpnc_tls_subject(X509 *cert, char *out, size_t cap);

/* The last commonName, UTF-8, at most VPNC_TLS_CN_MAX bytes, remapped as OpenVPN does. */
bool vpnc_tls_common_name(X509 *cert, char *out, size_t cap);

/* Each check returns 0, or -EPERM with one sentence in why. */
int vpnc_tls_check_ku(X509 *cert, const unsigned *ku, size_t n, char *why, size_t cap);
int vpnc_tls_check_eku(X509 *cert, const char *eku, char *why, size_t cap);
int vpnc_tls_check_name(X509 *cert, const char *name, enum vpnc_x509_name_type type, char *why,
                        size_t cap);
/* The SHA-256 fingerprint of the DER certificate. Returns 0 or -EINVAL. */
int vpnc_tls_fingerprint(X509 *cert, uint8_t out[VPNC_PEER_FP_LEN]);

/*
 * After a completed handshake, checks the peer's certificate once more
 * against peer-fingerprint and ns-cert-type (a second line of defence
 * behind the verify callback). Returns 0, or -EPERM with a sentence in why.
 */
int vpnc_tls_verify_done(SSL *ssl, char *why, size_t cap);

#endif
