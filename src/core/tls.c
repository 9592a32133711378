/*
 * tls.c: TLS contexts built from the config, and TLS sessions over memory BIOs.
 *
 * The control channel carries a TLS byte stream; this file owns the OpenSSL
 * objects for it and nothing else. It never sees a socket: the engine moves
 * ciphertext in and out of the BIOs.
 *
 * Like OpenVPN 2.6, sessions disable tickets, the session cache, TLS
 * renegotiation and compression, and send no SNI.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#include "core/logesc.h"
#include "core/tls.h"
#include "core/tls_names.h"
#include "core/tls_verify.h"

struct vpnc_tls {
	SSL *ssl;
	BIO *rbio; /* ciphertext from the peer; owned by ssl */
	BIO *wbio; /* ciphertext for the peer; owned by ssl */
	bool done;
	struct vpnc_tls_note note; /* the first verification failure */
	char read_err[128];        /* vpnc_tls_read_error(); OpenSSL's reason text, or "" */
};

/* OpenVPN 2.6's tls-cipher default (tls_ctx_restrict_ciphers). */
#define TLS_CIPHER_DEFAULT "DEFAULT:!EXP:!LOW:!MEDIUM:!kDH:!kECDH:!DSS:!PSK:!SRP:!kRSA"
#define TLS_CIPHER_LIST_MAX 4096

/* Where the private key passphrase comes from while a ctx is built. */
struct pass_state {
	const char *fixed;       /* from 'askpass FILE', or NULL */
	vpnc_tls_pass_fn ask;    /* asks the user, or NULL */
	void *arg;
	int asked;               /* 0 not yet, 1 in buf, negative errno when asking failed */
	char buf[VPNC_TLS_PASS_MAX]; /* secret, wiped by pass_wipe() */
};

static void last_ssl_error(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char buf[256];

	if (e != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		const char *reason = ERR_reason_error_string(e);
		snprintf(err, errlen, "%s: %s", what, reason != NULL ? reason : buf);
	} else {
		snprintf(err, errlen, "%s", what);
	}
	ERR_clear_error();
}

/* Loads every PEM certificate in pem into the context's trust store. */
static int load_ca(SSL_CTX *ctx, const char *pem, char *err, size_t errlen)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	BIO *bio = BIO_new_mem_buf(pem, -1);
	int n = 0;
	X509 *x;

	if (bio == NULL)
		return -ENOMEM;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		X509_STORE_add_cert(store, x);
		X509_free(x);
		n++;
	}
	BIO_free(bio);
	ERR_clear_error();
	if (n == 0) {
		snprintf(err, errlen, "the CA certificate ('ca') contains no PEM certificate");
		return -EINVAL;
	}
	return 0;
}

/*
 * capath: the directory's certificates and CRLs (read at start), and CRL
 * checks for the whole chain, as 2.6 turns them on with capath (a CA without
 * a CRL there fails verification, as in 2.6).
 */
static int load_capath(SSL_CTX *ctx, const struct vpnc_config *cfg, char *err, size_t errlen)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	const char *pems[2] = {cfg->capath_certs, cfg->capath_crls};

	for (int i = 0; i < 2; i++) {
		BIO *bio = pems[i] != NULL ? BIO_new_mem_buf(pems[i], -1) : NULL;
		X509_CRL *crl;
		X509 *x;

		if (pems[i] != NULL && bio == NULL) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		while (i == 0 && bio != NULL && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
			X509_STORE_add_cert(store, x);
			X509_free(x);
		}
		while (i == 1 && bio != NULL && (crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL) {
			X509_STORE_add_crl(store, crl);
			X509_CRL_free(crl);
		}
		BIO_free(bio);
	}
	ERR_clear_error();
	X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
	return 0;
}

/* Adds every PEM certificate in pem to the chain the context sends after its own certificate. */
static int add_extra_certs(SSL_CTX *ctx, const char *pem, const char *opt, char *err, size_t errlen)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x;
	int ret = 0;

	if (bio == NULL)
		return -ENOMEM;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (SSL_CTX_add_extra_chain_cert(ctx, x) != 1) {
			X509_free(x);
			last_ssl_error(err, errlen, opt);
			ret = -EINVAL;
			break;
		}
	}
	BIO_free(bio);
	ERR_clear_error();
	return ret;
}

/* Loads the certificate; certificates after the first in 'cert' join the chain, as in OpenVPN. */
static int load_cert_chain(SSL_CTX *ctx, const char *pem, char *err, size_t errlen)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x;
	int ret = -EINVAL;

	if (bio == NULL)
		return -ENOMEM;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (x == NULL || SSL_CTX_use_certificate(ctx, x) != 1) {
		last_ssl_error(err, errlen, "cannot load the certificate ('cert')");
		X509_free(x);
		goto out;
	}
	X509_free(x);
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (SSL_CTX_add_extra_chain_cert(ctx, x) != 1) {
			X509_free(x);
			break;
		}
	}
	ERR_clear_error();
	ret = 0;
out:
	BIO_free(bio);
	return ret;
}

/* Fetches the passphrase once: the askpass file's, or the caller's prompt. */
static int pass_get(struct pass_state *ps, const char **out)
{
	if (ps->fixed != NULL) {
		*out = ps->fixed;
		return 0;
	}
	if (ps->asked == 0) {
		ps->asked = ps->ask != NULL ? ps->ask(ps->buf, sizeof(ps->buf), ps->arg) : -ENXIO;
		if (ps->asked == 0) {
			ps->buf[sizeof(ps->buf) - 1] = '\0';
			ps->asked = 1;
		}
	}
	if (ps->asked < 0)
		return ps->asked;
	*out = ps->buf;
	return 0;
}

/* OpenSSL's PEM passphrase callback; never falls back to OpenSSL's own terminal prompt. */
static int pem_pass_cb(char *buf, int size, int rwflag, void *u)
{
	struct pass_state *ps = u;
	const char *pass;
	size_t len;

	if (size <= 0 || pass_get(ps, &pass) != 0)
		return -1;
	len = strlen(pass);
	if (len >= (size_t)size)
		return -1;
	memcpy(buf, pass, len);
	return (int)len;
}

static void pass_wipe(struct pass_state *ps)
{
	OPENSSL_cleanse(ps->buf, sizeof(ps->buf));
	ps->asked = 0;
}

static void no_pass_error(const struct pass_state *ps, const char *what, char *err, size_t errlen)
{
	if (ps->asked < 0 && ps->asked != -ENXIO)
		snprintf(err, errlen, "%s: reading the passphrase failed", what);
	else
		snprintf(err, errlen, "%s: it is encrypted and no passphrase is available "
		         "(use 'askpass FILE', or run vpnc on a terminal)", what);
}

static int load_key(SSL_CTX *ctx, const char *pem, struct pass_state *ps, char *err, size_t errlen)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *pk;
	int ret = -EINVAL;

	if (bio == NULL)
		return -ENOMEM;
	pk = PEM_read_bio_PrivateKey(bio, NULL, pem_pass_cb, ps);
	if (pk == NULL) {
		if (ps->fixed == NULL && ps->asked < 0) {
			no_pass_error(ps, "cannot load the private key ('key')", err, errlen);
			ERR_clear_error();
		} else {
			last_ssl_error(err, errlen, "cannot load the private key ('key')");
		}
		goto out;
	}
	if (SSL_CTX_use_PrivateKey(ctx, pk) != 1) {
		last_ssl_error(err, errlen, "cannot use the private key ('key')");
		goto out;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		last_ssl_error(err, errlen, "the private key ('key') does not match the certificate ('cert')");
		goto out;
	}
	ret = 0;
out:
	EVP_PKEY_free(pk);
	BIO_free(bio);
	return ret;
}

/*
 * pkcs12: certificate, key and CA certificates from one PKCS#12 file. As in
 * OpenVPN, an empty passphrase is tried first; the CAs are trusted only when
 * there is no 'ca', otherwise they are sent as chain certificates.
 */
static int load_pkcs12(SSL_CTX *ctx, const struct vpnc_config *cfg, struct pass_state *ps, char *err,
                       size_t errlen)
{
	const unsigned char *der = cfg->pkcs12;
	PKCS12 *p12 = NULL;
	EVP_PKEY *pk = NULL;
	X509 *cert = NULL, *x;
	STACK_OF(X509) *cas = NULL;
	const char *pass;
	int ret = -EINVAL, n = 0;

	if (cfg->pkcs12_len > LONG_MAX || (p12 = d2i_PKCS12(NULL, &der, (long)cfg->pkcs12_len)) == NULL) {
		last_ssl_error(err, errlen, "cannot read the PKCS#12 file ('pkcs12')");
		goto out;
	}
	if (PKCS12_parse(p12, "", &pk, &cert, &cas) != 1) {
		ERR_clear_error();
		if (pass_get(ps, &pass) != 0) {
			no_pass_error(ps, "cannot decode the PKCS#12 file ('pkcs12')", err, errlen);
			goto out;
		}
		if (PKCS12_parse(p12, pass, &pk, &cert, &cas) != 1) {
			last_ssl_error(err, errlen, "cannot decode the PKCS#12 file ('pkcs12'): wrong "
			               "passphrase or unsupported encryption; OpenSSL says");
			goto out;
		}
	}
	if (cert == NULL || pk == NULL) {
		snprintf(err, errlen, "the PKCS#12 file ('pkcs12') holds no certificate and key");
		goto out;
	}
	if (SSL_CTX_use_certificate(ctx, cert) != 1 || SSL_CTX_use_PrivateKey(ctx, pk) != 1) {
		last_ssl_error(err, errlen, "cannot use the certificate or key from 'pkcs12'");
		goto out;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		last_ssl_error(err, errlen, "the key in 'pkcs12' does not match its certificate");
		goto out;
	}
	while (cas != NULL && (x = sk_X509_shift(cas)) != NULL) {
		int ok = cfg->ca == NULL ? X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), x)
		                         : SSL_CTX_add_extra_chain_cert(ctx, x);
		if (cfg->ca == NULL || ok != 1)
			X509_free(x);
		if (ok != 1) {
			last_ssl_error(err, errlen, "cannot add a CA certificate from 'pkcs12'");
			goto out;
		}
		n++;
	}
	if (cfg->ca == NULL && n == 0 && cfg->n_peer_fp == 0) {
		snprintf(err, errlen, "no 'ca' given and the PKCS#12 file holds no CA certificate");
		goto out;
	}
	ret = 0;
out:
	sk_X509_pop_free(cas, X509_free);
	X509_free(cert);
	EVP_PKEY_free(pk);
	PKCS12_free(p12);
	ERR_clear_error();
	return ret;
}

/* tls-cert-profile mapped to OpenSSL security levels, as OpenVPN 2.6 does. */
static int set_cert_profile(SSL_CTX *ctx, const char *profile, char *err, size_t errlen)
{
	if (profile == NULL || strcmp(profile, "legacy") == 0) {
		SSL_CTX_set_security_level(ctx, 1);
	} else if (strcmp(profile, "insecure") == 0) {
		SSL_CTX_set_security_level(ctx, 0);
	} else if (strcmp(profile, "preferred") == 0) {
		SSL_CTX_set_security_level(ctx, 2);
	} else if (strcmp(profile, "suiteb") == 0) {
		SSL_CTX_set_security_level(ctx, 3);
		if (SSL_CTX_set_cipher_list(ctx, "SUITEB128") != 1) {
			last_ssl_error(err, errlen, "tls-cert-profile suiteb is not supported by this OpenSSL");
			return -EINVAL;
		}
	} else {
		snprintf(err, errlen, "tls-cert-profile must be legacy, preferred, suiteb or insecure");
		return -EINVAL;
	}
	return 0;
}

/*
 * tls-cipher: like OpenVPN, IANA names (TLS-ECDHE-...-WITH-...) are
 * translated to OpenSSL's names (core/tls_names.c). The config reader has
 * already dropped, with a warning, the words this OpenSSL does not know.
 */
static int set_tls_cipher(SSL_CTX *ctx, const char *list, char *err, size_t errlen)
{
	char out[TLS_CIPHER_LIST_MAX];
	int n = vpnc_tls_cipher_list(list, out, sizeof(out), NULL, NULL);

	if (n == -ENAMETOOLONG) {
		snprintf(err, errlen, "tls-cipher is too long");
		return -EINVAL;
	}
	if (n < 0) {
		snprintf(err, errlen, "out of memory");
		return n;
	}
	if (n == 0 || SSL_CTX_set_cipher_list(ctx, out) != 1) {
		last_ssl_error(err, errlen, "tls-cipher names no usable cipher");
		return -EINVAL;
	}
	return 0;
}

/* tls-ciphersuites: OpenVPN accepts '-' for '_' in the TLS 1.3 names. */
static int set_tls_ciphersuites(SSL_CTX *ctx, const char *list, char *err, size_t errlen)
{
	char out[TLS_CIPHER_LIST_MAX];
	size_t len = strlen(list);

	if (len >= sizeof(out)) {
		snprintf(err, errlen, "tls-ciphersuites is too long");
		return -EINVAL;
	}
	for (size_t i = 0; i <= len; i++)
		out[i] = list[i] == '-' ? '_' : list[i];
	if (SSL_CTX_set_ciphersuites(ctx, out) != 1) {
		last_ssl_error(err, errlen, "tls-ciphersuites names no usable suite");
		return -EINVAL;
	}
	return 0;
}

static SSL_CTX *ctx_common(const SSL_METHOD *method, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(method);

	if (ctx == NULL) {
		last_ssl_error(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	/*
	 * CLEANSE_PLAINTEXT: OpenSSL decrypts a record in place in its read buffer
	 * and would keep the plaintext there until the next record, and leave it
	 * in freed memory at the end. The control channel carries secrets (the
	 * password, a pushed auth-token, key material), and little else, so the
	 * OPENSSL_cleanse of each record costs nothing that matters
	 * (tests/unit/test_token_heap.c).
	 */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
	                             SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_CLEANSE_PLAINTEXT);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	return ctx;
}

/* Versions, profile and algorithm lists, in the order OpenVPN's init_ssl() applies them. */
static int ctx_algorithms(SSL_CTX *ctx, const struct vpnc_config *cfg, char *err, size_t errlen)
{
	if (set_cert_profile(ctx, cfg->tls_cert_profile, err, errlen) != 0)
		return -EINVAL;
	if (set_tls_cipher(ctx, cfg->tls_cipher != NULL ? cfg->tls_cipher : TLS_CIPHER_DEFAULT, err,
	                   errlen) != 0)
		return -EINVAL;
	if (cfg->tls_ciphersuites != NULL &&
	    set_tls_ciphersuites(ctx, cfg->tls_ciphersuites, err, errlen) != 0)
		return -EINVAL;
	if (cfg->tls_groups != NULL && SSL_CTX_set1_groups_list(ctx, cfg->tls_groups) != 1) {
		last_ssl_error(err, errlen, "tls-groups names no usable group");
		return -EINVAL;
	}
	/* Never below TLS 1.2 (ctx_common): the config reader raises a lower minimum. */
	if (cfg->tls_version_min > TLS1_2_VERSION &&
	    SSL_CTX_set_min_proto_version(ctx, cfg->tls_version_min) != 1) {
		snprintf(err, errlen, "tls-version-min is not supported by this OpenSSL");
		return -EINVAL;
	}
	if (cfg->tls_version_max != 0 && SSL_CTX_set_max_proto_version(ctx, cfg->tls_version_max) != 1) {
		snprintf(err, errlen, "tls-version-max is not supported by this OpenSSL");
		return -EINVAL;
	}
	return 0;
}

/* A certificate and key handed over as objects (e.g. from a PKCS#11 token). */
static int use_ext_key(SSL_CTX *ctx, X509 *cert, EVP_PKEY *key, char *err, size_t errlen)
{
	if (SSL_CTX_use_certificate(ctx, cert) != 1) {
		last_ssl_error(err, errlen, "cannot use the token's certificate");
		return -EINVAL;
	}
	if (SSL_CTX_use_PrivateKey(ctx, key) != 1) {
		last_ssl_error(err, errlen, "cannot use the token's private key");
		return -EINVAL;
	}
	/* Compares the public halves only: the private key stays where it is. */
	if (SSL_CTX_check_private_key(ctx) != 1) {
		last_ssl_error(err, errlen, "the token's private key does not match its certificate");
		return -EINVAL;
	}
	return 0;
}

static SSL_CTX *ctx_client(const struct vpnc_config *cfg, vpnc_tls_pass_fn ask, void *arg,
                           X509 *ext_cert, EVP_PKEY *ext_key, char *err, size_t errlen)
{
	struct pass_state ps = {.fixed = cfg->key_pass, .ask = ask, .arg = arg};
	SSL_CTX *ctx = ctx_common(TLS_client_method(), err, errlen);

	if (ctx == NULL)
		return NULL;
	if (ctx_algorithms(ctx, cfg, err, errlen) != 0)
		goto fail;
	if (cfg->ca == NULL && !cfg->capath && cfg->pkcs12 == NULL && cfg->n_peer_fp == 0) {
		snprintf(err, errlen,
		         "no CA certificate: the config needs 'ca' or 'peer-fingerprint' to verify the server");
		goto fail;
	}
	if (cfg->ca != NULL && load_ca(ctx, cfg->ca, err, errlen) != 0)
		goto fail;
	if (cfg->capath && load_capath(ctx, cfg, err, errlen) != 0)
		goto fail;
	if (cfg->pkcs12 != NULL) {
		if (cfg->cert != NULL || cfg->key != NULL) {
			snprintf(err, errlen, "'pkcs12' excludes 'cert' and 'key'");
			goto fail;
		}
		if (load_pkcs12(ctx, cfg, &ps, err, errlen) != 0)
			goto fail;
	} else if (ext_cert != NULL || ext_key != NULL) {
		if (cfg->cert != NULL || cfg->key != NULL) {
			snprintf(err, errlen, "'pkcs11-id' excludes 'cert' and 'key'");
			goto fail;
		}
		if (ext_cert == NULL || ext_key == NULL) {
			snprintf(err, errlen, "a certificate needs its key");
			goto fail;
		}
		if (use_ext_key(ctx, ext_cert, ext_key, err, errlen) != 0)
			goto fail;
	} else if (cfg->cert != NULL || cfg->key != NULL) {
		if (cfg->cert == NULL || cfg->key == NULL) {
			snprintf(err, errlen, "'cert' and 'key' must be given together");
			goto fail;
		}
		if (load_cert_chain(ctx, cfg->cert, err, errlen) != 0 ||
		    load_key(ctx, cfg->key, &ps, err, errlen) != 0)
			goto fail;
	}
	if (cfg->extra_certs != NULL &&
	    add_extra_certs(ctx, cfg->extra_certs, "cannot add 'extra-certs'", err, errlen) != 0)
		goto fail;
	if (vpnc_tls_verify_setup(ctx, cfg, err, errlen) != 0)
		goto fail;
	pass_wipe(&ps);
	return ctx;
fail:
	pass_wipe(&ps);
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *vpnc_tls_ctx_client(const struct vpnc_config *cfg, const struct vpnc_tls_key_src *src, char *err,
                             size_t errlen)
{
	static const struct vpnc_tls_key_src none;

	if (src == NULL)
		src = &none;
	return ctx_client(cfg, src->ask, src->ask_arg, src->cert, src->key, err, errlen);
}

SSL_CTX *vpnc_tls_ctx_server(const char *ca_pem, const char *cert_pem, const char *key_pem,
                             char *err, size_t errlen)
{
	struct pass_state ps = {0};
	SSL_CTX *ctx = ctx_common(TLS_server_method(), err, errlen);

	if (ctx == NULL)
		return NULL;
	if (load_ca(ctx, ca_pem, err, errlen) != 0 || load_cert_chain(ctx, cert_pem, err, errlen) != 0 ||
	    load_key(ctx, key_pem, &ps, err, errlen) != 0 ||
	    vpnc_tls_verify_setup_plain(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT) != 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

struct vpnc_tls *vpnc_tls_new(SSL_CTX *ctx, bool server)
{
	struct vpnc_tls *t = calloc(1, sizeof(*t));

	if (t == NULL)
		goto fail;
	t->ssl = SSL_new(ctx);
	if (t->ssl == NULL)
		goto fail;
	t->rbio = BIO_new(BIO_s_mem());
	t->wbio = BIO_new(BIO_s_mem());
	if (t->rbio == NULL || t->wbio == NULL) {
		BIO_free(t->rbio);
		BIO_free(t->wbio);
		goto fail;
	}
	/* An empty memory BIO means "try again", not end of file. */
	BIO_set_mem_eof_return(t->rbio, -1);
	BIO_set_mem_eof_return(t->wbio, -1);
	SSL_set_bio(t->ssl, t->rbio, t->wbio);
	if (vpnc_tls_verify_attach(t->ssl, &t->note) != 0)
		goto fail;
	if (server)
		SSL_set_accept_state(t->ssl);
	else
		SSL_set_connect_state(t->ssl);
	return t;
fail:
	if (t != NULL)
		SSL_free(t->ssl);
	free(t);
	ERR_clear_error();
	return NULL;
}

void vpnc_tls_free(struct vpnc_tls *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	free(t);
}

int vpnc_tls_feed(struct vpnc_tls *t, const uint8_t *data, size_t len)
{
	if (len == 0)
		return 0;
	if (len > INT32_MAX || BIO_write(t->rbio, data, (int)len) != (int)len)
		return -ENOMEM;
	return 0;
}

/* Describes a failed handshake; returns -EPERM for a verification failure, else -EPROTO. */
static int verify_error(struct vpnc_tls *t, char *err, size_t errlen)
{
	int ret = -EPERM;
	long vr = SSL_get_verify_result(t->ssl);

	if (t->note.failed) {
		char esc[VPNC_TLS_SUBJECT_MAX];

		/* The subject is the server's text: escaped before it reaches a log line (logesc.h). */
		vpnc_log_escape(esc, sizeof(esc), t->note.subject, strlen(t->note.subject));
		snprintf(err, errlen, "server certificate verification failed: %s (depth %d, subject %s)",
		         t->note.reason, t->note.depth, esc);
	} else if (vr != X509_V_OK) {
		snprintf(err, errlen, "server certificate verification failed: %s",
		         X509_verify_cert_error_string(vr));
	} else {
		last_ssl_error(err, errlen, "TLS handshake failed");
		ret = -EPROTO;
	}
	ERR_clear_error();
	return ret;
}

int vpnc_tls_handshake(struct vpnc_tls *t, char *err, size_t errlen)
{
	if (t->done)
		return 1;
	int r = SSL_do_handshake(t->ssl);
	if (r == 1) {
		char why[VPNC_TLS_REASON_MAX], subject[VPNC_TLS_SUBJECT_MAX];
		X509 *peer = SSL_get0_peer_certificate(t->ssl);

		if (vpnc_tls_verify_done(t->ssl, why, sizeof(why)) != 0) {
			if (peer == NULL || (!vpnc_tls_subject(peer, subject, sizeof(subject)) &&
			                     subject[0] == '\0'))
				snprintf(subject, sizeof(subject), "unknown");
			snprintf(err, errlen,
			         "server certificate verification failed: %s (depth 0, subject %s)", why,
			         subject);
			return -EPERM;
		}
		t->done = true;
		return 1;
	}
	int e = SSL_get_error(t->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		ERR_clear_error();
		return 0;
	}
	return verify_error(t, err, errlen);
}

size_t vpnc_tls_pending(const struct vpnc_tls *t)
{
	return BIO_ctrl_pending(t->wbio);
}

size_t vpnc_tls_take(struct vpnc_tls *t, uint8_t *out, size_t max)
{
	if (max > INT32_MAX)
		max = INT32_MAX;
	int n = BIO_read(t->wbio, out, (int)max);
	return n > 0 ? (size_t)n : 0;
}

int vpnc_tls_write(struct vpnc_tls *t, const uint8_t *data, size_t len)
{
	if (len == 0 || len > INT32_MAX)
		return -EINVAL;
	int r = SSL_write(t->ssl, data, (int)len);
	if (r != (int)len) {
		ERR_clear_error();
		return -EPROTO;
	}
	return 0;
}

int vpnc_tls_read(struct vpnc_tls *t, uint8_t *out, size_t cap)
{
	if (cap > INT32_MAX)
		cap = INT32_MAX;
	int r = SSL_read(t->ssl, out, (int)cap);
	if (r > 0)
		return r;
	int e = SSL_get_error(t->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		ERR_clear_error();
		return 0;
	}
	/* After the handshake, e.g. TLS 1.3's alert when the server rejects our certificate. */
	const char *why = ERR_reason_error_string(ERR_peek_last_error());
	snprintf(t->read_err, sizeof(t->read_err), "%s",
	         why != NULL ? why : e == SSL_ERROR_ZERO_RETURN ? "the server closed it" : "");
	ERR_clear_error();
	return -EPROTO;
}

const char *vpnc_tls_read_error(const struct vpnc_tls *t)
{
	return t->read_err;
}

int vpnc_tls_check_peer(struct vpnc_tls *t, bool remote_cert_tls_server, const char *x509_name,
                        enum vpnc_x509_name_type x509_type, char *err, size_t errlen)
{
	X509 *cert = SSL_get0_peer_certificate(t->ssl);
	char subject[VPNC_TLS_SUBJECT_MAX];
	char why[VPNC_TLS_REASON_MAX];

	if (cert == NULL) {
		snprintf(err, errlen, "the server presented no certificate");
		return -EPERM;
	}
	if (!vpnc_tls_subject(cert, subject, sizeof(subject)) && subject[0] == '\0')
		snprintf(subject, sizeof(subject), "unknown");
	/* remote-cert-tls server: a keyUsage extension and serverAuth in extendedKeyUsage. */
	if (remote_cert_tls_server &&
	    (vpnc_tls_check_ku(cert, NULL, 0, why, sizeof(why)) != 0 ||
	     vpnc_tls_check_eku(cert, "TLS Web Server Authentication", why, sizeof(why)) != 0))
		goto fail;
	if (x509_name != NULL && vpnc_tls_check_name(cert, x509_name, x509_type, why, sizeof(why)) != 0)
		goto fail;
	return 0;
fail:
	{
		char esc[VPNC_TLS_SUBJECT_MAX];

		vpnc_log_escape(esc, sizeof(esc), subject, strlen(subject));
		snprintf(err, errlen, "server certificate verification failed: %s (depth 0, subject %s)", why,
		         esc);
	}
	return -EPERM;
}

SSL *vpnc_tls_ssl(struct vpnc_tls *t)
{
	return t->ssl;
}

const char *vpnc_tls_version_name(const struct vpnc_tls *t)
{
	const char *v = SSL_get_version(t->ssl);
	return v != NULL ? v : "";
}

const char *vpnc_tls_cipher_name(const struct vpnc_tls *t)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(t->ssl);
	return c != NULL ? SSL_CIPHER_get_name(c) : "";
}
