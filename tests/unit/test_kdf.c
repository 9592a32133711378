/*
 * test_kdf.c: the OpenVPN PRF against OpenVPN's own unit-test vector and against
 * OpenSSL's independent TLS1-PRF KDF, the key-method-2 derivation, and EKM
 * over an in-memory TLS handshake.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/kdf.h"

#include "../check.h"

/* OpenSSL's TLS1-PRF with MD5-SHA1; the label is empty and the seed carries it. */
static int ref_prf(const uint8_t *secret, size_t slen, const uint8_t *seed, size_t seedlen,
                   uint8_t *out, size_t outlen)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"MD5-SHA1", 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, slen),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)seed, seedlen),
		OSSL_PARAM_construct_end(),
	};
	int ok = ctx && EVP_KDF_derive(ctx, out, outlen, p) == 1;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok ? 0 : -1;
}

static void test_openvpn_vector(void)
{
	/* From OpenVPN tests/unit_tests/openvpn/test_crypto.c (crypto_test_tls_prf). */
	static const uint8_t good[32] = {0xd9, 0x8c, 0x85, 0x18, 0xc8, 0x5e, 0x94, 0x69,
	                                 0x27, 0x91, 0x6a, 0xcf, 0xc2, 0xd5, 0x92, 0xfb,
	                                 0xb1, 0x56, 0x7e, 0x4b, 0x4b, 0x14, 0x59, 0xe6,
	                                 0xa9, 0x04, 0xac, 0x2d, 0xda, 0xb7, 0x2d, 0x67};
	const char *secret = "Lorem ipsum dolor sit amet, consectetur "
	                     "adipisici elit, sed eiusmod tempor incidunt "
	                     "ut labore et dolore magna aliqua.";
	const char *seed = "Quis aute iure reprehenderit in voluptate velit esse cillum dolore";
	uint8_t out[32];
	CHECK(vpnc_kdf_prf((const uint8_t *)secret, strlen(secret), (const uint8_t *)seed,
	                   strlen(seed), out, sizeof(out)) == 0);
	CHECK(memcmp(out, good, sizeof(good)) == 0);
}

static void test_against_openssl(void)
{
	uint8_t secret[64], seed[120], a[300], b[300];
	for (size_t i = 0; i < sizeof(secret); i++)
		secret[i] = (uint8_t)(i * 11 + 3);
	for (size_t i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)(i * 5 + 1);
	int mism = 0, runs = 0;
	size_t slens[] = {1, 2, 7, 20, 47, 48, 64};
	size_t olens[] = {1, 15, 16, 20, 21, 48, 100, 256, 300};
	for (size_t i = 0; i < sizeof(slens) / sizeof(slens[0]); i++) {
		for (size_t j = 0; j < sizeof(olens) / sizeof(olens[0]); j++) {
			size_t seedlen = 20 + (i * 13 + j * 7) % 100;
			memset(a, 0xAA, sizeof(a));
			memset(b, 0x55, sizeof(b));
			if (vpnc_kdf_prf(secret, slens[i], seed, seedlen, a, olens[j]) != 0 ||
			    ref_prf(secret, slens[i], seed, seedlen, b, olens[j]) != 0 ||
			    memcmp(a, b, olens[j]) != 0)
				mism++;
			runs++;
		}
	}
	CHECK(runs == 63);
	CHECK(mism == 0);
	CHECK(vpnc_kdf_prf(secret, 48, seed, 10, NULL, 5) == -EINVAL);
	CHECK(vpnc_kdf_prf(NULL, 5, seed, 10, a, 5) == -EINVAL);
	CHECK(vpnc_kdf_prf(secret, 48, seed, 10, a, 0) == 0);
}

static void test_openvpn_prf(void)
{
	uint8_t pm[48], cr1[32], sr1[32], cr2[32], sr2[32], csid[8], ssid[8];
	uint8_t block[256], master[48], ref[256], seed[101];
	for (int i = 0; i < 48; i++)
		pm[i] = (uint8_t)(0x30 + i);
	for (int i = 0; i < 32; i++) {
		cr1[i] = (uint8_t)(i + 1);
		sr1[i] = (uint8_t)(i + 2);
		cr2[i] = (uint8_t)(i + 3);
		sr2[i] = (uint8_t)(i + 4);
	}
	for (int i = 0; i < 8; i++) {
		csid[i] = (uint8_t)(0xC0 + i);
		ssid[i] = (uint8_t)(0x50 + i);
	}
	CHECK(vpnc_kdf_openvpn_prf(pm, cr1, sr1, cr2, sr2, csid, ssid, block) == 0);

	/* The same derivation spelt out with OpenSSL's KDF. */
	memcpy(seed, "OpenVPN master secret", 21);
	memcpy(seed + 21, cr1, 32);
	memcpy(seed + 53, sr1, 32);
	CHECK(ref_prf(pm, 48, seed, 85, master, 48) == 0);
	memcpy(seed, "OpenVPN key expansion", 21);
	memcpy(seed + 21, cr2, 32);
	memcpy(seed + 53, sr2, 32);
	memcpy(seed + 85, csid, 8);
	memcpy(seed + 93, ssid, 8);
	CHECK(ref_prf(master, 48, seed, 101, ref, 256) == 0);
	CHECK(memcmp(block, ref, 256) == 0);

	/* Swapping the session ids changes the block. */
	CHECK(vpnc_kdf_openvpn_prf(pm, cr1, sr1, cr2, sr2, ssid, csid, ref) == 0);
	CHECK(memcmp(block, ref, 256) != 0);
	CHECK(vpnc_kdf_openvpn_prf(NULL, cr1, sr1, cr2, sr2, csid, ssid, ref) == -EINVAL);
}

/* A self-signed Ed25519 certificate for the in-memory server. */
static bool make_cert(EVP_PKEY **pkey, X509 **cert)
{
	*pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	*cert = X509_new();
	if (*pkey == NULL || *cert == NULL)
		return false;
	X509_NAME *n = X509_get_subject_name(*cert);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"kdf", -1, -1, 0);
	X509_set_issuer_name(*cert, n);
	ASN1_INTEGER_set(X509_get_serialNumber(*cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(*cert), -60);
	X509_gmtime_adj(X509_getm_notAfter(*cert), 3600);
	X509_set_pubkey(*cert, *pkey);
	return X509_sign(*cert, *pkey, NULL) > 0;
}

static void test_ekm(int version)
{
	EVP_PKEY *pkey = NULL;
	X509 *cert = NULL;
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	SSL *s = NULL, *c = NULL;
	BIO *bs = NULL, *bc = NULL;
	uint8_t ks[256], kc[256], raw[256];

	CHECK(sctx && cctx && make_cert(&pkey, &cert));
	if (!sctx || !cctx || !pkey || !cert)
		goto out;
	SSL_CTX_set_min_proto_version(sctx, version);
	SSL_CTX_set_max_proto_version(sctx, version);
	CHECK(SSL_CTX_use_certificate(sctx, cert) == 1 && SSL_CTX_use_PrivateKey(sctx, pkey) == 1);
	s = SSL_new(sctx);
	c = SSL_new(cctx);
	CHECK(BIO_new_bio_pair(&bs, 0, &bc, 0) == 1);
	SSL_set_bio(s, bs, bs);
	SSL_set_bio(c, bc, bc);
	SSL_set_accept_state(s);
	SSL_set_connect_state(c);
	int done_c = 0, done_s = 0;
	for (int i = 0; i < 20 && !(done_c && done_s); i++) {
		if (!done_c)
			done_c = SSL_do_handshake(c) == 1;
		if (!done_s)
			done_s = SSL_do_handshake(s) == 1;
	}
	CHECK(done_c && done_s);
	CHECK(vpnc_kdf_ekm(c, VPNC_KDF_EKM_LABEL, kc, sizeof(kc)) == 0);
	CHECK(vpnc_kdf_ekm(s, VPNC_KDF_EKM_LABEL, ks, sizeof(ks)) == 0);
	CHECK(memcmp(kc, ks, sizeof(kc)) == 0);
	CHECK(SSL_export_keying_material(c, raw, sizeof(raw), VPNC_KDF_EKM_LABEL,
	                                 strlen(VPNC_KDF_EKM_LABEL), NULL, 0, 0) == 1);
	CHECK(memcmp(kc, raw, sizeof(kc)) == 0);
	CHECK(vpnc_kdf_ekm(c, VPNC_KDF_DYN_TLS_CRYPT_LABEL, ks, sizeof(ks)) == 0);
	CHECK(memcmp(kc, ks, sizeof(kc)) != 0);
	CHECK(vpnc_kdf_ekm(NULL, VPNC_KDF_EKM_LABEL, ks, sizeof(ks)) == -EINVAL);
out:
	SSL_free(s);
	SSL_free(c);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	X509_free(cert);
	EVP_PKEY_free(pkey);
}

int main(void)
{
	test_openvpn_vector();
	test_against_openssl();
	test_openvpn_prf();
	test_ekm(TLS1_3_VERSION);
	test_ekm(TLS1_2_VERSION);
	printf("test_kdf: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
