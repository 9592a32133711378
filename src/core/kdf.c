/*
 * kdf.c: the TLS 1.0 PRF used by OpenVPN key-method 2, and the EKM wrapper.
 *
 * The PRF is written out (P_hash over HMAC) rather than taken from OpenSSL's
 * TLS1-PRF KDF so that the unit test can compare two independent paths.
 */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "core/kdf.h"

#define KDF_MAX_MD 20 /* SHA1 output; MD5 is 16 */
#define KDF_LABEL_MASTER "OpenVPN master secret"
#define KDF_LABEL_EXPANSION "OpenVPN key expansion"
#define KDF_LABEL_LEN 21

/*
 * P_hash(secret, seed) XORed into out: A(1) = HMAC(seed), A(i+1) = HMAC(A(i)),
 * output blocks HMAC(A(i) || seed).
 */
static int kdf_p_hash_xor(EVP_MAC *hmac, const char *digest, const uint8_t *secret,
                          size_t secret_len, const uint8_t *seed, size_t seed_len, uint8_t *out,
                          size_t out_len)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
		OSSL_PARAM_construct_end(),
	};
	uint8_t a[KDF_MAX_MD], blk[KDF_MAX_MD];
	size_t alen = 0, blen = 0;
	int ret = -EIO;
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmac);

	if (ctx == NULL)
		goto out;
	/* A(1) = HMAC(secret, seed). An empty secret is a legal HMAC key. */
	if (!EVP_MAC_init(ctx, secret_len ? secret : (const uint8_t *)"", secret_len, params) ||
	    !EVP_MAC_update(ctx, seed, seed_len) || !EVP_MAC_final(ctx, a, &alen, sizeof(a)))
		goto out;
	for (size_t done = 0; done < out_len;) {
		if (!EVP_MAC_init(ctx, NULL, 0, NULL) || !EVP_MAC_update(ctx, a, alen) ||
		    !EVP_MAC_update(ctx, seed, seed_len) || !EVP_MAC_final(ctx, blk, &blen, sizeof(blk)))
			goto out;
		for (size_t i = 0; i < blen && done < out_len; i++)
			out[done++] ^= blk[i];
		if (!EVP_MAC_init(ctx, NULL, 0, NULL) || !EVP_MAC_update(ctx, a, alen) ||
		    !EVP_MAC_final(ctx, a, &alen, sizeof(a)))
			goto out;
	}
	ret = 0;
out:
	EVP_MAC_CTX_free(ctx);
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(blk, sizeof(blk));
	return ret;
}

int vpnc_kdf_prf(const uint8_t *secret, size_t secret_len, const uint8_t *seed, size_t seed_len,
                 uint8_t *out, size_t out_len)
{
	EVP_MAC *hmac = NULL;
	int ret = -EINVAL;

	if ((secret == NULL && secret_len) || (seed == NULL && seed_len) || (out == NULL && out_len))
		return -EINVAL;
	if (out_len == 0)
		return 0;
	if (seed == NULL)
		seed = (const uint8_t *)"";
	if (secret == NULL)
		secret = (const uint8_t *)"";
	memset(out, 0, out_len);
	size_t half = (secret_len + 1) / 2;
	ret = -EIO;
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (hmac == NULL)
		goto out;
	ret = kdf_p_hash_xor(hmac, "MD5", secret, half, seed, seed_len, out, out_len);
	if (ret == 0)
		ret = kdf_p_hash_xor(hmac, "SHA1", secret + (secret_len - half), half, seed, seed_len,
		                     out, out_len);
out:
	if (ret != 0) {
		OPENSSL_cleanse(out, out_len);
		ERR_clear_error();
	}
	EVP_MAC_free(hmac);
	return ret;
}

int vpnc_kdf_openvpn_prf(const uint8_t pre_master[48], const uint8_t c_rand1[32],
                         const uint8_t s_rand1[32], const uint8_t c_rand2[32],
                         const uint8_t s_rand2[32], const uint8_t client_sid[8],
                         const uint8_t server_sid[8], uint8_t out[VPNC_KEY_BLOCK])
{
	uint8_t seed[KDF_LABEL_LEN + 2 * VPNC_KDF_RANDOM + 2 * VPNC_KDF_SID];
	uint8_t master[VPNC_KDF_MASTER];
	size_t n;
	int ret = -EINVAL;

	if (pre_master == NULL || c_rand1 == NULL || s_rand1 == NULL || c_rand2 == NULL ||
	    s_rand2 == NULL || client_sid == NULL || server_sid == NULL || out == NULL)
		return -EINVAL;

	n = 0;
	memcpy(seed + n, KDF_LABEL_MASTER, KDF_LABEL_LEN), n += KDF_LABEL_LEN;
	memcpy(seed + n, c_rand1, VPNC_KDF_RANDOM), n += VPNC_KDF_RANDOM;
	memcpy(seed + n, s_rand1, VPNC_KDF_RANDOM), n += VPNC_KDF_RANDOM;
	ret = vpnc_kdf_prf(pre_master, VPNC_KDF_PRE_MASTER, seed, n, master, sizeof(master));
	if (ret != 0)
		goto out;

	n = 0;
	memcpy(seed + n, KDF_LABEL_EXPANSION, KDF_LABEL_LEN), n += KDF_LABEL_LEN;
	memcpy(seed + n, c_rand2, VPNC_KDF_RANDOM), n += VPNC_KDF_RANDOM;
	memcpy(seed + n, s_rand2, VPNC_KDF_RANDOM), n += VPNC_KDF_RANDOM;
	memcpy(seed + n, client_sid, VPNC_KDF_SID), n += VPNC_KDF_SID;
	memcpy(seed + n, server_sid, VPNC_KDF_SID), n += VPNC_KDF_SID;
	ret = vpnc_kdf_prf(master, sizeof(master), seed, n, out, VPNC_KEY_BLOCK);
out:
	OPENSSL_cleanse(seed, sizeof(seed));
	OPENSSL_cleanse(master, sizeof(master));
	return ret;
}

int vpnc_kdf_ekm(SSL *ssl, const char *label, uint8_t *out, size_t len)
{
	if (ssl == NULL || label == NULL || out == NULL || len == 0)
		return -EINVAL;
	if (SSL_export_keying_material(ssl, out, len, label, strlen(label), NULL, 0, 0) != 1) {
		OPENSSL_cleanse(out, len);
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}
