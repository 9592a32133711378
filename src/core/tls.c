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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "core/tls.h"

struct vpnc_tls {
	SSL *ssl;
	BIO *rbio; /* ciphertext from the peer; owned by ssl */
	BIO *wbio; /* ciphertext for the peer; owned by ssl */
	bool done;
};

/* Index of the per-SSL verify note (first failing certificate subject). */
static int verify_note_index = -1;

struct verify_note {
	int error;
	int depth;
	char subject[256];
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

/* Loads the client certificate and any further certificates as its chain. */
static int load_cert_chain(SSL_CTX *ctx, const char *pem, const char *extra, char *err, size_t errlen)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x;
	int ret = -EINVAL;

	if (bio == NULL)
		return -ENOMEM;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (x == NULL || SSL_CTX_use_certificate(ctx, x) != 1) {
		last_ssl_error(err, errlen, "cannot load the certificate ('cert')");
		goto out;
	}
	X509_free(x);
	/* Certificates after the first in 'cert', then 'extra-certs', form the chain. */
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (SSL_CTX_add_extra_chain_cert(ctx, x) != 1) {
			X509_free(x);
			break;
		}
	}
	ERR_clear_error();
	if (extra != NULL) {
		BIO *eb = BIO_new_mem_buf(extra, -1);
		if (eb == NULL) {
			ret = -ENOMEM;
			goto out;
		}
		while ((x = PEM_read_bio_X509(eb, NULL, NULL, NULL)) != NULL) {
			if (SSL_CTX_add_extra_chain_cert(ctx, x) != 1) {
				X509_free(x);
				break;
			}
		}
		BIO_free(eb);
		ERR_clear_error();
	}
	ret = 0;
out:
	BIO_free(bio);
	return ret;
}

static int load_key(SSL_CTX *ctx, const char *pem, char *err, size_t errlen)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *pk;
	int ret = -EINVAL;

	if (bio == NULL)
		return -ENOMEM;
	pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	if (pk == NULL) {
		last_ssl_error(err, errlen, "cannot load the private key ('key')");
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

/* Records the first certificate that failed verification, for the error message. */
static int verify_cb(int ok, X509_STORE_CTX *sctx)
{
	if (ok)
		return ok;
	SSL *ssl = X509_STORE_CTX_get_ex_data(sctx, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct verify_note *note = ssl != NULL ? SSL_get_ex_data(ssl, verify_note_index) : NULL;
	if (note != NULL && note->error == 0) {
		X509 *cert = X509_STORE_CTX_get_current_cert(sctx);
		note->error = X509_STORE_CTX_get_error(sctx);
		note->depth = X509_STORE_CTX_get_error_depth(sctx);
		note->subject[0] = '\0';
		if (cert != NULL) {
			BIO *b = BIO_new(BIO_s_mem());
			if (b != NULL) {
				X509_NAME_print_ex(b, X509_get_subject_name(cert), 0,
				                   XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN);
				int n = BIO_read(b, note->subject, sizeof(note->subject) - 1);
				note->subject[n > 0 ? n : 0] = '\0';
				BIO_free(b);
			}
		}
	}
	return ok;
}

static SSL_CTX *ctx_common(const SSL_METHOD *method, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(method);

	if (ctx == NULL) {
		last_ssl_error(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	if (verify_note_index < 0)
		verify_note_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
	                             SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	return ctx;
}

SSL_CTX *vpnc_tls_ctx_client(const struct vpnc_config *cfg, char *err, size_t errlen)
{
	SSL_CTX *ctx = ctx_common(TLS_client_method(), err, errlen);

	if (ctx == NULL)
		return NULL;
	if (cfg->tls_version_min != 0 && SSL_CTX_set_min_proto_version(ctx, cfg->tls_version_min) != 1) {
		snprintf(err, errlen, "tls-version-min is not supported by this OpenSSL");
		goto fail;
	}
	if (cfg->tls_version_max != 0 && SSL_CTX_set_max_proto_version(ctx, cfg->tls_version_max) != 1) {
		snprintf(err, errlen, "tls-version-max is not supported by this OpenSSL");
		goto fail;
	}
	if (cfg->tls_cipher != NULL && SSL_CTX_set_cipher_list(ctx, cfg->tls_cipher) != 1) {
		last_ssl_error(err, errlen, "tls-cipher names no usable cipher");
		goto fail;
	}
	if (cfg->tls_ciphersuites != NULL && SSL_CTX_set_ciphersuites(ctx, cfg->tls_ciphersuites) != 1) {
		last_ssl_error(err, errlen, "tls-ciphersuites names no usable suite");
		goto fail;
	}
	if (cfg->tls_groups != NULL && SSL_CTX_set1_groups_list(ctx, cfg->tls_groups) != 1) {
		last_ssl_error(err, errlen, "tls-groups names no usable group");
		goto fail;
	}
	if (cfg->ca == NULL) {
		snprintf(err, errlen, "no CA certificate: the config needs 'ca' to verify the server");
		goto fail;
	}
	if (load_ca(ctx, cfg->ca, err, errlen) != 0)
		goto fail;
	if (cfg->cert != NULL || cfg->key != NULL) {
		if (cfg->cert == NULL || cfg->key == NULL) {
			snprintf(err, errlen, "'cert' and 'key' must be given together");
			goto fail;
		}
		if (load_cert_chain(ctx, cfg->cert, cfg->extra_certs, err, errlen) != 0)
			goto fail;
		if (load_key(ctx, cfg->key, err, errlen) != 0)
			goto fail;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *vpnc_tls_ctx_server(const char *ca_pem, const char *cert_pem, const char *key_pem,
                             char *err, size_t errlen)
{
	SSL_CTX *ctx = ctx_common(TLS_server_method(), err, errlen);

	if (ctx == NULL)
		return NULL;
	if (load_ca(ctx, ca_pem, err, errlen) != 0 ||
	    load_cert_chain(ctx, cert_pem, NULL, err, errlen) != 0 ||
	    load_key(ctx, key_pem, err, errlen) != 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
	return ctx;
}

struct vpnc_tls *vpnc_tls_new(SSL_CTX *ctx, bool server)
{
	struct vpnc_tls *t = calloc(1, sizeof(*t));
	struct verify_note *note = calloc(1, sizeof(*note));

	if (t == NULL || note == NULL)
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
	SSL_set_ex_data(t->ssl, verify_note_index, note);
	if (server)
		SSL_set_accept_state(t->ssl);
	else
		SSL_set_connect_state(t->ssl);
	return t;
fail:
	if (t != NULL)
		SSL_free(t->ssl);
	free(t);
	free(note);
	ERR_clear_error();
	return NULL;
}

void vpnc_tls_free(struct vpnc_tls *t)
{
	if (t == NULL)
		return;
	free(SSL_get_ex_data(t->ssl, verify_note_index));
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
	struct verify_note *note = SSL_get_ex_data(t->ssl, verify_note_index);
	long vr = SSL_get_verify_result(t->ssl);

	if (note != NULL && note->error != 0) {
		snprintf(err, errlen, "server certificate verification failed: %s (depth %d, subject %s)",
		         X509_verify_cert_error_string(note->error), note->depth,
		         note->subject[0] ? note->subject : "unknown");
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
	ERR_clear_error();
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	return -EPROTO;
}

static void subject_of(X509 *cert, char *out, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	out[0] = '\0';
	if (b == NULL)
		return;
	X509_NAME_print_ex(b, X509_get_subject_name(cert), 0, XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN);
	int n = BIO_read(b, out, (int)cap - 1);
	out[n > 0 ? n : 0] = '\0';
	BIO_free(b);
}

/* Copies the leaf's commonName into out; false if it has none or it holds a NUL. */
static bool common_name(X509 *cert, char *out, size_t cap)
{
	X509_NAME *name = X509_get_subject_name(cert);
	int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	if (i < 0)
		return false;
	ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	unsigned char *utf8 = NULL;
	int n = ASN1_STRING_to_UTF8(&utf8, s);
	if (n < 0)
		return false;
	bool ok = (size_t)n < cap && memchr(utf8, '\0', (size_t)n) == NULL;
	if (ok) {
		memcpy(out, utf8, (size_t)n);
		out[n] = '\0';
	}
	OPENSSL_free(utf8);
	return ok;
}

int vpnc_tls_check_peer(struct vpnc_tls *t, bool remote_cert_tls_server, const char *x509_name,
                        enum vpnc_x509_name_type x509_type, char *err, size_t errlen)
{
	X509 *cert = SSL_get0_peer_certificate(t->ssl);
	char subject[256];
	char cn[256];

	if (cert == NULL) {
		snprintf(err, errlen, "the server presented no certificate");
		return -EPERM;
	}
	subject_of(cert, subject, sizeof(subject));
	if (remote_cert_tls_server) {
		/* OpenVPN requires a keyUsage extension and serverAuth in extendedKeyUsage. */
		uint32_t flags = X509_get_extension_flags(cert);
		if (!(flags & EXFLAG_KUSAGE)) {
			snprintf(err, errlen,
			         "server certificate has no keyUsage extension (remote-cert-tls server), subject %s",
			         subject);
			return -EPERM;
		}
		if (!(flags & EXFLAG_XKUSAGE) || !(X509_get_extended_key_usage(cert) & XKU_SSL_SERVER)) {
			snprintf(err, errlen,
			         "server certificate lacks extendedKeyUsage serverAuth (remote-cert-tls server), subject %s",
			         subject);
			return -EPERM;
		}
	}
	if (x509_name != NULL) {
		bool ok;
		if (x509_type == VPNC_X509_SUBJECT) {
			ok = strcmp(subject, x509_name) == 0;
		} else if (!common_name(cert, cn, sizeof(cn))) {
			ok = false;
		} else if (x509_type == VPNC_X509_NAME) {
			ok = strcmp(cn, x509_name) == 0;
		} else {
			ok = strncmp(cn, x509_name, strlen(x509_name)) == 0;
		}
		if (!ok) {
			snprintf(err, errlen, "server certificate does not match verify-x509-name '%s', subject %s",
			         x509_name, subject);
			return -EPERM;
		}
	}
	return 0;
}

void vpnc_tls_describe(const struct vpnc_tls *t, char *out, size_t cap)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(t->ssl);
	snprintf(out, cap, "%s, %s", SSL_get_version(t->ssl), c != NULL ? SSL_CIPHER_get_name(c) : "none");
}

SSL *vpnc_tls_ssl(struct vpnc_tls *t)
{
	return t->ssl;
}
