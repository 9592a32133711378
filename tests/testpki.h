/*
 * testpki.h: a throwaway PKI made in memory for tests and benchmarks: a CA, a
 * server certificate (keyUsage + extendedKeyUsage serverAuth, CN=server) and a
 * client certificate (clientAuth, CN=client), all EC P-256 or Ed25519, as PEM
 * strings. Header-only so that tests, benchmarks and fuzzers can include it.
 */
#ifndef VPNC_TESTPKI_H
#define VPNC_TESTPKI_H

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

struct testpki {
	char *ca;
	char *server_cert, *server_key;
	char *client_cert, *client_key;
};

static inline EVP_PKEY *testpki_key(int ed25519)
{
	return ed25519 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519") : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static inline char *testpki_bio_str(BIO *b)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);
	char *s = malloc((size_t)n + 1);
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	BIO_free(b);
	return s;
}

static inline char *testpki_cert_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(b, x);
	return testpki_bio_str(b);
}

static inline char *testpki_key_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	return testpki_bio_str(b);
}

static inline void testpki_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
}

static inline X509 *testpki_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, long serial,
                          const char *eku, int ca)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 30);
	X509_set_pubkey(x, key);
	X509_NAME *name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name);
	X509 *iss = issuer != NULL ? issuer : x;
	if (ca) {
		testpki_ext(x, iss, NID_basic_constraints, "critical,CA:TRUE");
		testpki_ext(x, iss, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		testpki_ext(x, iss, NID_basic_constraints, "CA:FALSE");
		testpki_ext(x, iss, NID_key_usage, "critical,digitalSignature,keyAgreement");
		testpki_ext(x, iss, NID_ext_key_usage, eku);
	}
	testpki_ext(x, iss, NID_subject_key_identifier, "hash");
	int ed = EVP_PKEY_is_a(issuer_key, "ED25519");
	X509_sign(x, issuer_key, ed ? NULL : EVP_sha256());
	return x;
}

/* Makes the PKI; ed25519 selects Ed25519 keys instead of EC P-256. */
static inline void testpki_make(struct testpki *p, int ed25519)
{
	EVP_PKEY *cak = testpki_key(ed25519), *sk = testpki_key(ed25519), *ck = testpki_key(ed25519);
	X509 *ca = testpki_cert(cak, "test CA", NULL, cak, 1, NULL, 1);
	X509 *sc = testpki_cert(sk, "server", ca, cak, 2, "serverAuth", 0);
	X509 *cc = testpki_cert(ck, "client", ca, cak, 3, "clientAuth", 0);
	p->ca = testpki_cert_pem(ca);
	p->server_cert = testpki_cert_pem(sc);
	p->server_key = testpki_key_pem(sk);
	p->client_cert = testpki_cert_pem(cc);
	p->client_key = testpki_key_pem(ck);
	X509_free(ca);
	X509_free(sc);
	X509_free(cc);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(ck);
}

static inline void testpki_free(struct testpki *p)
{
	free(p->ca);
	free(p->server_cert);
	free(p->server_key);
	free(p->client_cert);
	free(p->client_key);
}

#endif
