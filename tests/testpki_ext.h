/*
 * testpki_ext.h: more throwaway PKI pieces for the TLS tests, made in memory:
 * certificates with a chosen subject, keyUsage and extendedKeyUsage, an
 * intermediate CA, CRLs, passphrase-encrypted PEM keys and PKCS#12 blobs.
 * Header-only, like testpki.h; every string returned is malloc'ed PEM (or
 * DER for PKCS#12) that the caller frees.
 */
#ifndef VPNC_TESTPKI_EXT_H
#define VPNC_TESTPKI_EXT_H

#include <openssl/pkcs12.h>

#include "testpki.h"

/* Key types for tpx_key(). */
enum tpx_kind { TPX_EC, TPX_ED25519, TPX_RSA };

static inline EVP_PKEY *tpx_key(enum tpx_kind kind)
{
	if (kind == TPX_RSA)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	return testpki_key(kind == TPX_ED25519);
}

/*
 * A certificate for key, issued by issuer/issuer_key (self-signed if issuer is
 * NULL). subject is "C=NL/O=vpnc test/CN=server" style; ku and eku are
 * OpenSSL extension values or NULL to leave the extension out.
 */
static inline X509 *tpx_cert(EVP_PKEY *key, const char *subject, X509 *issuer, EVP_PKEY *issuer_key,
                             long serial, int ca, const char *ku, const char *eku)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);
	char buf[256];

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 30);
	X509_set_pubkey(x, key);
	snprintf(buf, sizeof(buf), "%s", subject);
	for (char *f = strtok(buf, "/"); f != NULL; f = strtok(NULL, "/")) {
		char *eq = strchr(f, '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		X509_NAME_add_entry_by_txt(name, f, MBSTRING_UTF8, (const unsigned char *)eq + 1, -1, -1, 0);
	}
	X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name);
	X509 *iss = issuer != NULL ? issuer : x;
	testpki_ext(x, iss, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	if (ku != NULL)
		testpki_ext(x, iss, NID_key_usage, ku);
	if (eku != NULL)
		testpki_ext(x, iss, NID_ext_key_usage, eku);
	testpki_ext(x, iss, NID_subject_key_identifier, "hash");
	int ed = EVP_PKEY_is_a(issuer_key, "ED25519");
	X509_sign(x, issuer_key, ed ? NULL : EVP_sha256());
	return x;
}

/* A CRL from ca revoking the given serials (n may be 0). */
static inline char *tpx_crl_pem(X509 *ca, EVP_PKEY *ca_key, const long *serials, int n)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_new();

	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca));
	X509_gmtime_adj(t, -60);
	X509_CRL_set1_lastUpdate(crl, t);
	X509_gmtime_adj(t, 86400);
	X509_CRL_set1_nextUpdate(crl, t);
	for (int i = 0; i < n; i++) {
		X509_REVOKED *r = X509_REVOKED_new();
		ASN1_INTEGER *s = ASN1_INTEGER_new();
		ASN1_INTEGER_set(s, serials[i]);
		X509_REVOKED_set_serialNumber(r, s);
		X509_gmtime_adj(t, -30);
		X509_REVOKED_set_revocationDate(r, t);
		X509_CRL_add0_revoked(crl, r);
		ASN1_INTEGER_free(s);
	}
	X509_CRL_sort(crl);
	int ed = EVP_PKEY_is_a(ca_key, "ED25519");
	X509_CRL_sign(crl, ca_key, ed ? NULL : EVP_sha256());
	BIO *b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509_CRL(b, crl);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	return testpki_bio_str(b);
}

/* The key as PEM encrypted with AES-256-CBC under pass. */
static inline char *tpx_key_pem_enc(EVP_PKEY *k, const char *pass)
{
	BIO *b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, k, EVP_aes_256_cbc(), (const unsigned char *)pass, (int)strlen(pass),
	                         NULL, NULL);
	return testpki_bio_str(b);
}

/* A PKCS#12 (DER) with key, cert and optionally one CA, under pass ("" for none). */
static inline unsigned char *tpx_pkcs12(EVP_PKEY *k, X509 *cert, X509 *ca, const char *pass, size_t *len)
{
	STACK_OF(X509) *cas = sk_X509_new_null();
	if (ca != NULL)
		sk_X509_push(cas, ca);
	PKCS12 *p12 = PKCS12_create(pass, "client", k, cert, cas, 0, 0, 0, 0, 0);
	sk_X509_free(cas);
	unsigned char *der = NULL;
	int n = i2d_PKCS12(p12, &der);
	PKCS12_free(p12);
	unsigned char *out = malloc((size_t)n);
	memcpy(out, der, (size_t)n);
	OPENSSL_free(der);
	*len = (size_t)n;
	return out;
}

/* Concatenates two malloc'ed strings into a new one. */
static inline char *tpx_cat(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);
	memcpy(s, a, la);
	memcpy(s + la, b, lb + 1);
	return s;
}

#endif
