/*
 * tlsworld.h: the in-memory TLS test world shared by test_tls.c and
 * test_tls_opts.c: a root CA, an intermediate CA, server and client
 * certificates, a vpnc_tls server context, and a handshake loop between a
 * vpnc_tls client and server over memory. Include after check.h.
 */
#ifndef VPNC_TEST_TLSWORLD_H
#define VPNC_TEST_TLSWORLD_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testpki_ext.h"
#include "core/tls.h"
#include "core/tls_verify.h"
#include "vpnc/config.h"

#define CHECK_HAS(s, sub)                                                          \
	do {                                                                       \
		CHECK(strstr((s), (sub)) != NULL);                                 \
		if (strstr((s), (sub)) == NULL)                                    \
			fprintf(stderr, "  got '%s', want '%s' in it\n", (s), (sub)); \
	} while (0)

#define SERVER_SUBJECT "C=NL/O=vpnc test/OU=ops/CN=server.example"
#define SERVER_SUBJECT_OVPN "C=NL, O=vpnc test, OU=ops, CN=server.example"

/* The test world: root CA, intermediate CA, server and client certificates. */
struct world {
	EVP_PKEY *root_key, *int_key, *srv_key, *cli_key;
	X509 *root, *inter, *srv, *cli;
	char *root_pem, *int_pem, *srv_pem, *srv_key_pem, *cli_pem, *cli_key_pem;
};

static inline void world_make(struct world *w, enum tpx_kind kind, const char *srv_ku, const char *srv_eku)
{
	memset(w, 0, sizeof(*w));
	w->root_key = tpx_key(kind);
	w->int_key = tpx_key(kind);
	w->srv_key = tpx_key(kind);
	w->cli_key = tpx_key(kind);
	w->root = tpx_cert(w->root_key, "CN=root CA", NULL, w->root_key, 1, 1,
	                   "critical,keyCertSign,cRLSign", NULL);
	w->inter = tpx_cert(w->int_key, "CN=intermediate CA", w->root, w->root_key, 2, 1,
	                    "critical,keyCertSign,cRLSign", NULL);
	w->srv = tpx_cert(w->srv_key, SERVER_SUBJECT, w->inter, w->int_key, 10, 0, srv_ku, srv_eku);
	w->cli = tpx_cert(w->cli_key, "CN=client", w->inter, w->int_key, 11, 0,
	                  "critical,digitalSignature", "clientAuth");
	w->root_pem = testpki_cert_pem(w->root);
	w->int_pem = testpki_cert_pem(w->inter);
	w->srv_pem = testpki_cert_pem(w->srv);
	w->srv_key_pem = testpki_key_pem(w->srv_key);
	w->cli_pem = testpki_cert_pem(w->cli);
	w->cli_key_pem = testpki_key_pem(w->cli_key);
}

static inline void world_free(struct world *w)
{
	EVP_PKEY_free(w->root_key);
	EVP_PKEY_free(w->int_key);
	EVP_PKEY_free(w->srv_key);
	EVP_PKEY_free(w->cli_key);
	X509_free(w->root);
	X509_free(w->inter);
	X509_free(w->srv);
	X509_free(w->cli);
	free(w->root_pem);
	free(w->int_pem);
	free(w->srv_pem);
	free(w->srv_key_pem);
	free(w->cli_pem);
	free(w->cli_key_pem);
}

/* A client config trusting the root, with the client cert and the intermediate as extra-certs. */
static inline struct vpnc_config *client_cfg(const struct world *w)
{
	struct vpnc_config *c = calloc(1, sizeof(*c));
	c->ca = strdup(w->root_pem);
	c->cert = strdup(w->cli_pem);
	c->key = strdup(w->cli_key_pem);
	c->extra_certs = strdup(w->int_pem);
	return c;
}

/* A server ctx that sends its intermediate (unless bare) and trusts the root. */
static inline SSL_CTX *server_ctx(const struct world *w, bool bare, int max_version)
{
	char err[256] = "";
	char *chain = bare ? strdup(w->srv_pem) : tpx_cat(w->srv_pem, w->int_pem);
	SSL_CTX *s = vpnc_tls_ctx_server(w->root_pem, chain, w->srv_key_pem, err, sizeof(err));
	free(chain);
	if (s == NULL)
		fprintf(stderr, "server ctx: %s\n", err);
	else if (max_version != 0)
		SSL_CTX_set_max_proto_version(s, max_version);
	return s;
}

static inline void move(struct vpnc_tls *from, struct vpnc_tls *to)
{
	uint8_t buf[4096];
	size_t n;

	while ((n = vpnc_tls_take(from, buf, sizeof(buf))) > 0)
		vpnc_tls_feed(to, buf, n);
}

/*
 * Runs a handshake between a client on cctx and a server on sctx. Returns the
 * client's result (1 done, negative on failure) and fills err and desc.
 */
static inline int handshake(SSL_CTX *cctx, SSL_CTX *sctx, char *err, size_t errlen, char *desc, size_t dlen)
{
	struct vpnc_tls *c = vpnc_tls_new(cctx, false), *s = vpnc_tls_new(sctx, true);
	char serr[256] = "";
	int rc = 0, rs = 0;

	err[0] = desc[0] = '\0';
	for (int i = 0; i < 20 && (rc == 0 || rs == 0); i++) {
		if (rc == 0)
			rc = vpnc_tls_handshake(c, err, errlen);
		move(c, s);
		if (rs == 0)
			rs = vpnc_tls_handshake(s, serr, sizeof(serr));
		move(s, c);
		if (rc < 0)
			break;
		if (rs < 0 && rc == 0)
			rc = vpnc_tls_handshake(c, err, errlen);
		if (rs < 0)
			break;
	}
	if (rc == 1 && rs < 0) {
		/* TLS 1.3: the client finishes before the server checks its certificate. */
		snprintf(err, errlen, "server: %s", serr);
		rc = rs;
	}
	if (rc == 1) {
		uint8_t msg[8];
		/* Application data both ways proves the keys agree. */
		CHECK(vpnc_tls_write(c, (const uint8_t *)"ping", 5) == 0);
		move(c, s);
		CHECK(vpnc_tls_read(s, msg, sizeof(msg)) == 5 && strcmp((char *)msg, "ping") == 0);
		snprintf(desc, dlen, "%s, %s", vpnc_tls_version_name(c), vpnc_tls_cipher_name(c));
	}
	vpnc_tls_free(c);
	vpnc_tls_free(s);
	return rc;
}

/* Builds the client ctx from cfg and runs one handshake against sctx. */
static inline int connect_cfg(struct vpnc_config *cfg, SSL_CTX *sctx, char *err, size_t errlen, char *desc,
                       size_t dlen)
{
	SSL_CTX *cctx = vpnc_tls_ctx_client(cfg, NULL, err, errlen);
	int r;

	if (cctx == NULL)
		return -EINVAL;
	r = handshake(cctx, sctx, err, errlen, desc, dlen);
	SSL_CTX_free(cctx);
	return r;
}

#endif
