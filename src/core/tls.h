/*
 * tls.h: the TLS side of a control channel, through OpenSSL memory BIOs.
 *
 * vpnc_tls_ctx_client() builds the SSL_CTX for a client from the config
 * (CA, certificate, key, extra certs, TLS versions and cipher lists).
 * A struct vpnc_tls is one TLS session (one key state): ciphertext from the
 * peer goes in with vpnc_tls_feed(), ciphertext to send comes out with
 * vpnc_tls_pending()/vpnc_tls_take(), and plaintext is written and read with
 * vpnc_tls_write()/vpnc_tls_read(). No socket is involved.
 */
#ifndef VPNC_TLS_H
#define VPNC_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "vpnc/config.h"

#define VPNC_TLS_PASS_MAX 512 /* longest private key passphrase, NUL included */

/*
 * One certificate of the peer's chain as OpenVPN 2.6 hands it to its
 * tls-verify script (ssl_verify.c, verify_cert_set_env): the subject as
 * vpnc_tls_subject() prints it, the serial number in decimal and as
 * colon-separated hex bytes, and the SHA-1 and SHA-256 fingerprints as
 * colon-separated lowercase hex. Every string is NUL-terminated printable
 * ASCII (the subject's control characters are already '_').
 */
#define VPNC_TLS_CI_SUBJECT 512 /* VPNC_TLS_SUBJECT_MAX */
#define VPNC_TLS_CI_SERIAL 128  /* a serial of up to 52 bytes in decimal */
#define VPNC_TLS_CI_HEX 160     /* up to 52 bytes as "xx:" */
#define VPNC_TLS_CI_SHA1 64     /* 20 bytes: 59 characters */
#define VPNC_TLS_CI_SHA256 104  /* 32 bytes: 95 characters */
#define VPNC_TLS_CI_X509 2048   /* the X509_N_* lines */
#define VPNC_TLS_CI_PEM 8192    /* the certificate in PEM, for tls-export-cert */
struct vpnc_tls_cert_info {
	int depth;
	char subject[VPNC_TLS_CI_SUBJECT];
	char serial[VPNC_TLS_CI_SERIAL];
	char serial_hex[VPNC_TLS_CI_HEX];
	char sha1[VPNC_TLS_CI_SHA1];
	char sha256[VPNC_TLS_CI_SHA256];
	/*
	 * What 2.6 puts into X509_<depth>_<NAME>, as "NAME=value\n" lines (NAME
	 * [A-Za-z0-9_], value printable ASCII): without x509-track every subject
	 * field by its short name (a repeated one as NAME_1, NAME_2, ...), with
	 * it only the tracked attributes (a subject field, an extension as
	 * OpenSSL prints it, or SHA1/SHA256 as uppercase hex).
	 */
	char x509[VPNC_TLS_CI_X509];
	char pem[VPNC_TLS_CI_PEM];  /* with tls-export-cert only, else "" */
};

/*
 * Fills ci for cert at depth; track: the config's x509-track entries (n of
 * them, "[+]ATTR"). Returns 0, or -E2BIG / -EINVAL when a field does not fit
 * or cannot be read.
 */
int vpnc_tls_cert_info(X509 *cert, int depth, const char (*track)[VPNC_X509_TRACK_NAME], size_t n,
                       struct vpnc_tls_cert_info *ci);

/* The certificate in PEM into ci->pem. Returns 0, or -E2BIG when it does not fit. */
int vpnc_tls_cert_pem(X509 *cert, struct vpnc_tls_cert_info *ci);

/*
 * tls-verify: after vpnc's own checks pass for a certificate of the chain
 * (deepest first, the peer's own last), fn(arg, ci) decides: 0 accepts it,
 * anything else fails the handshake ("the tls-verify script rejected ...").
 * The caller runs the script (and waits for it, as 2.6 does). The context
 * must come from vpnc_tls_ctx_client(). Returns 0 or -EINVAL.
 */
typedef int (*vpnc_tls_verify_fn)(void *arg, const struct vpnc_tls_cert_info *ci);
int vpnc_tls_set_verify_hook(SSL_CTX *ctx, vpnc_tls_verify_fn fn, void *arg);

/*
 * Asks the user for the private key or PKCS#12 passphrase (e.g. on the
 * terminal). Writes a NUL-terminated passphrase of at most cap - 1 bytes into
 * buf and returns 0, or returns a negative errno (-ENXIO: nobody to ask).
 * buf belongs to the caller of the callback, who wipes it.
 */
typedef int (*vpnc_tls_pass_fn)(char *buf, size_t cap, void *arg);

/*
 * Where a client's key comes from, besides cfg: ask(ask_arg) is called once
 * for the passphrase of an encrypted key file when cfg->key_pass (askpass
 * FILE) has none (NULL: nobody to ask, loading fails); cert and key, when
 * set, replace cfg's cert/key/pkcs12 with objects whose private operations
 * are done elsewhere, such as on a PKCS#11 token (os/pkcs11.h): the context
 * takes its own references, they stay the caller's.
 */
struct vpnc_tls_key_src {
	vpnc_tls_pass_fn ask;
	void *ask_arg;
	X509 *cert;
	EVP_PKEY *key;
};

/*
 * Builds a client SSL_CTX from cfg: tls-cert-profile, tls-cipher (IANA names
 * translated), tls-ciphersuites, tls-groups, TLS versions, CA, cert and key
 * or pkcs12 (or src's objects), extra-certs, crl-verify and the peer rules
 * (tls_verify.h). src may be NULL (cfg's files, nobody to ask). Returns NULL
 * and writes one sentence into err on failure (e.g. "cannot load the private
 * key ('key'): bad decrypt"). The caller frees it with SSL_CTX_free();
 * engines hold their own reference. No passphrase is kept after it returns.
 */
SSL_CTX *vpnc_tls_ctx_client(const struct vpnc_config *cfg, const struct vpnc_tls_key_src *src, char *err,
                             size_t errlen);

/* Builds a server SSL_CTX from PEM text (for the test and benchmark server role). */
SSL_CTX *vpnc_tls_ctx_server(const char *ca_pem, const char *cert_pem, const char *key_pem,
                             char *err, size_t errlen);

/* One TLS session over memory BIOs. */
struct vpnc_tls;

/* Creates a TLS session on ctx (a reference is taken). Returns NULL on allocation failure. */
struct vpnc_tls *vpnc_tls_new(SSL_CTX *ctx, bool server);
void vpnc_tls_free(struct vpnc_tls *t);

/* Hands ciphertext from the peer to TLS. Returns 0 or -ENOMEM. */
int vpnc_tls_feed(struct vpnc_tls *t, const uint8_t *data, size_t len);

/*
 * Advances the handshake. Returns 1 once it is complete, 0 while it needs more
 * input, -EPERM if the peer's certificate failed verification, or -EPROTO on
 * another failure. On -EPERM err reads "server certificate verification
 * failed: REASON (depth N, subject SUBJECT)", REASON being OpenSSL's verify
 * error or the failed rule (remote-cert-ku/-eku, verify-x509-name, CRL).
 */
int vpnc_tls_handshake(struct vpnc_tls *t, char *err, size_t errlen);

/* Bytes of ciphertext waiting to be sent, and taking up to max of them into out. */
size_t vpnc_tls_pending(const struct vpnc_tls *t);
size_t vpnc_tls_take(struct vpnc_tls *t, uint8_t *out, size_t max);

/* Writes plaintext as one TLS record. Returns 0 or -EPROTO. */
int vpnc_tls_write(struct vpnc_tls *t, const uint8_t *data, size_t len);

/* Reads plaintext: returns bytes read (> 0), 0 if none is available, or -EPROTO. */
int vpnc_tls_read(struct vpnc_tls *t, uint8_t *out, size_t cap);

/* Why the last vpnc_tls_read() returned -EPROTO (OpenSSL's reason, e.g. "tlsv1 alert unknown
 * ca"), or "" when it did not say. Valid while t lives. */
const char *vpnc_tls_read_error(const struct vpnc_tls *t);

/*
 * Checks the peer's leaf certificate beyond the chain: remote-cert-tls server
 * (keyUsage present, extendedKeyUsage serverAuth) and verify-x509-name.
 * Returns 0, or -EPERM with a sentence in err naming the subject. A client
 * ctx from vpnc_tls_ctx_client() already enforces these (and remote-cert-ku,
 * remote-cert-eku, crl-verify) during the handshake; this is a second check.
 */
int vpnc_tls_check_peer(struct vpnc_tls *t, bool remote_cert_tls_server, const char *x509_name,
                        enum vpnc_x509_name_type x509_type, char *err, size_t errlen);

SSL *vpnc_tls_ssl(struct vpnc_tls *t);

/* The protocol version and cipher suite names of the session (static strings, "" if unknown). */
const char *vpnc_tls_version_name(const struct vpnc_tls *t);
const char *vpnc_tls_cipher_name(const struct vpnc_tls *t);

#endif
