/*
 * privsign.c: the network process's stand-in for the token's key
 * (privsign.h): RSA and EC keys whose private operations are SIGN requests
 * to the privileged parent (privcli.h).
 *
 * OpenSSL 3 has two ways to do a key's private operation elsewhere: a
 * provider, or the RSA_METHOD and EC_KEY_METHOD hooks it keeps, deprecated,
 * for keys like this. The hooks are three small functions, and they are what
 * pkcs11-helper's own key uses, so the TLS code treats the stand-in exactly
 * like the key it stands for; a provider would be hundreds of lines of
 * dispatch tables for the same calls. So this one file is built with the
 * deprecated declarations allowed.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include "priv/privsign.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "priv/privcli.h"
#include "priv/privmsg.h"

static int sign_sock = -1;
static RSA_METHOD *rsa_meth;
static EC_KEY_METHOD *ec_meth;

/* PKCS#1 v1.5 (TLS 1.2) or a block OpenSSL padded itself (RSA-PSS, TLS 1.3). */
static int rsa_priv_enc(int flen, const unsigned char *from, unsigned char *to, RSA *rsa, int padding)
{
	int op = padding == RSA_PKCS1_PADDING ? VPNC_PRIV_SIGN_RSA_PKCS1
	         : padding == RSA_NO_PADDING  ? VPNC_PRIV_SIGN_RSA_RAW
	                                      : 0;
	int size = RSA_size(rsa), n;

	if (op == 0 || flen <= 0 || size <= 0)
		return -1;
	n = vpnc_privc_sign(sign_sock, op, from, (size_t)flen, to, (size_t)size);
	return n == size ? n : -1;
}

/* Decryption (TLS's RSA key exchange) is not offered: vpnc's cipher lists exclude it by default. */
static int rsa_priv_dec(int flen, const unsigned char *from, unsigned char *to, RSA *rsa, int padding)
{
	(void)flen;
	(void)from;
	(void)to;
	(void)rsa;
	(void)padding;
	return -1;
}

static int ec_sign(int type, const unsigned char *dgst, int dlen, unsigned char *sig, unsigned int *siglen,
                   const BIGNUM *kinv, const BIGNUM *r, EC_KEY *eckey)
{
	int size = ECDSA_size(eckey), n;

	(void)type;
	(void)kinv;
	(void)r;
	if (dlen <= 0 || size <= 0)
		return 0;
	n = vpnc_privc_sign(sign_sock, VPNC_PRIV_SIGN_ECDSA, dgst, (size_t)dlen, sig, (size_t)size);
	if (n <= 0)
		return 0;
	*siglen = (unsigned int)n;
	return 1;
}

static ECDSA_SIG *ec_do_sign(const unsigned char *dgst, int dlen, const BIGNUM *kinv, const BIGNUM *r,
                             EC_KEY *eckey)
{
	unsigned char buf[VPNC_PRIV_SIGN_MAX];
	const unsigned char *p = buf;
	unsigned int len = 0;

	if (ECDSA_size(eckey) > (int)sizeof(buf) || ec_sign(0, dgst, dlen, buf, &len, kinv, r, eckey) != 1)
		return NULL;
	return d2i_ECDSA_SIG(NULL, &p, (long)len);
}

static EVP_PKEY *rsa_key(const EVP_PKEY *pub)
{
	const RSA *r = EVP_PKEY_get0_RSA(pub);
	RSA *dup = r != NULL ? RSAPublicKey_dup(r) : NULL;
	EVP_PKEY *pk = NULL;

	if (rsa_meth == NULL && (rsa_meth = RSA_meth_dup(RSA_PKCS1_OpenSSL())) != NULL) {
		RSA_meth_set1_name(rsa_meth, "vpnc token via the privileged process");
		RSA_meth_set_priv_enc(rsa_meth, rsa_priv_enc);
		RSA_meth_set_priv_dec(rsa_meth, rsa_priv_dec);
	}
	if (dup == NULL || rsa_meth == NULL || RSA_set_method(dup, rsa_meth) != 1 || (pk = EVP_PKEY_new()) == NULL ||
	    EVP_PKEY_assign_RSA(pk, dup) != 1) {
		EVP_PKEY_free(pk);
		RSA_free(dup);
		return NULL;
	}
	return pk;
}

static EVP_PKEY *ec_key(const EVP_PKEY *pub)
{
	const EC_KEY *e = EVP_PKEY_get0_EC_KEY(pub);
	EC_KEY *dup = e != NULL ? EC_KEY_dup(e) : NULL;
	EVP_PKEY *pk = NULL;

	if (ec_meth == NULL && (ec_meth = EC_KEY_METHOD_new(EC_KEY_OpenSSL())) != NULL) {
		int (*setup)(EC_KEY *, BN_CTX *, BIGNUM **, BIGNUM **) = NULL;

		EC_KEY_METHOD_get_sign(ec_meth, NULL, &setup, NULL);
		EC_KEY_METHOD_set_sign(ec_meth, ec_sign, setup, ec_do_sign);
	}
	if (dup == NULL || ec_meth == NULL || EC_KEY_set_method(dup, ec_meth) != 1 || (pk = EVP_PKEY_new()) == NULL ||
	    EVP_PKEY_assign_EC_KEY(pk, dup) != 1) {
		EVP_PKEY_free(pk);
		EC_KEY_free(dup);
		return NULL;
	}
	return pk;
}

EVP_PKEY *vpnc_privsign_key(X509 *cert, int sock, char *err, size_t errlen)
{
	EVP_PKEY *pub = X509_get0_pubkey(cert), *pk = NULL;
	int type = pub != NULL ? EVP_PKEY_get_base_id(pub) : EVP_PKEY_NONE;

	if (type == EVP_PKEY_RSA)
		pk = rsa_key(pub);
	else if (type == EVP_PKEY_EC)
		pk = ec_key(pub);
	else {
		snprintf(err, errlen, "the token's key is neither RSA nor EC, which is what the privileged process "
		                      "can sign with for the network process");
		ERR_clear_error();
		return NULL;
	}
	if (pk == NULL) {
		snprintf(err, errlen, "cannot set up the token's key for the network process");
		ERR_clear_error();
		return NULL;
	}
	sign_sock = sock;
	return pk;
}
