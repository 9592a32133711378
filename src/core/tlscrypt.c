/*
 * tlscrypt.c: tls-crypt wrap and unwrap (AES-256-CTR + HMAC-SHA256, SIV style).
 *
 * The AES and HMAC contexts are keyed once in vpnc_tlscrypt_new(); per packet
 * only the CTR IV is set and the HMAC is restarted with its stored key.
 */
#include <errno.h>
#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "vpnc/buf.h"
#include "core/tlscrypt.h"

#define TC_KE_LEN 32 /* AES-256-CTR key */
#define TC_KA_LEN 32 /* HMAC-SHA256 key */
#define TC_SLOT_C0 0   /* keys[0].cipher */
#define TC_SLOT_H0 64  /* keys[0].hmac */
#define TC_SLOT_C1 128 /* keys[1].cipher */
#define TC_SLOT_H1 192 /* keys[1].hmac */

struct vpnc_tlscrypt {
	EVP_CIPHER_CTX *enc;   /* AES-256-CTR with the send key */
	EVP_CIPHER_CTX *dec;   /* AES-256-CTR with the receive key */
	EVP_MAC_CTX *mac_send; /* HMAC-SHA256 with the send key */
	EVP_MAC_CTX *mac_recv; /* HMAC-SHA256 with the receive key */
	uint32_t send_id;      /* last replay id used */
	uint32_t send_time;    /* replay time written into every packet */
	struct vpnc_replay replay;
};

static EVP_MAC_CTX *tc_mac_new(EVP_MAC *mac, const uint8_t *key)
{
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
	if (ctx == NULL)
		return NULL;
	if (!EVP_MAC_init(ctx, key, TC_KA_LEN, params)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static EVP_CIPHER_CTX *tc_ctr_new(EVP_CIPHER *cipher, const uint8_t *key)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return NULL;
	if (!EVP_EncryptInit_ex2(ctx, cipher, key, NULL, NULL)) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int vpnc_tlscrypt_new(struct vpnc_tlscrypt **out, const uint8_t key[256], bool server_role,
                      uint32_t first_send_id, uint32_t now_unix)
{
	struct vpnc_tlscrypt *t = NULL;
	EVP_CIPHER *aes = NULL;
	EVP_MAC *hmac = NULL;
	int ret = -ENOMEM;

	if (out == NULL || key == NULL)
		return -EINVAL;
	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		goto out;
	aes = EVP_CIPHER_fetch(NULL, "AES-256-CTR", NULL);
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (aes == NULL || hmac == NULL) {
		ret = -EIO;
		goto out;
	}
	/* The server sends with keys[0] (NORMAL); the client with keys[1] (INVERSE). */
	const uint8_t *send_c = key + (server_role ? TC_SLOT_C0 : TC_SLOT_C1);
	const uint8_t *send_h = key + (server_role ? TC_SLOT_H0 : TC_SLOT_H1);
	const uint8_t *recv_c = key + (server_role ? TC_SLOT_C1 : TC_SLOT_C0);
	const uint8_t *recv_h = key + (server_role ? TC_SLOT_H1 : TC_SLOT_H0);
	t->enc = tc_ctr_new(aes, send_c);
	t->dec = tc_ctr_new(aes, recv_c);
	t->mac_send = tc_mac_new(hmac, send_h);
	t->mac_recv = tc_mac_new(hmac, recv_h);
	if (t->enc == NULL || t->dec == NULL || t->mac_send == NULL || t->mac_recv == NULL) {
		ret = -EIO;
		goto out;
	}
	t->send_id = first_send_id;
	t->send_time = now_unix;
	vpnc_replay_init(&t->replay);
	*out = t;
	t = NULL;
	ret = 0;
out:
	if (ret != 0)
		ERR_clear_error();
	vpnc_tlscrypt_free(t);
	EVP_CIPHER_free(aes);
	EVP_MAC_free(hmac);
	return ret;
}

void vpnc_tlscrypt_free(struct vpnc_tlscrypt *t)
{
	if (t == NULL)
		return;
	/* The *_free calls of OpenSSL cleanse the key schedules they hold. */
	EVP_CIPHER_CTX_free(t->enc);
	EVP_CIPHER_CTX_free(t->dec);
	EVP_MAC_CTX_free(t->mac_send);
	EVP_MAC_CTX_free(t->mac_recv);
	OPENSSL_cleanse(t, sizeof(*t));
	free(t);
}

/* Computes HMAC(header(17) || body) with a context keyed at creation. */
static bool tc_tag(EVP_MAC_CTX *mac, const uint8_t *hdr, const uint8_t *body, size_t body_len,
                   uint8_t tag[VPNC_TLSCRYPT_TAG])
{
	size_t tag_len = 0;
	if (!EVP_MAC_init(mac, NULL, 0, NULL))
		return false;
	if (!EVP_MAC_update(mac, hdr, VPNC_TLSCRYPT_HDR))
		return false;
	if (body_len && !EVP_MAC_update(mac, body, body_len))
		return false;
	if (!EVP_MAC_final(mac, tag, &tag_len, VPNC_TLSCRYPT_TAG))
		return false;
	return tag_len == VPNC_TLSCRYPT_TAG;
}

/* AES-256-CTR with IV = iv[0..16); the same call encrypts and decrypts. */
static bool tc_ctr(EVP_CIPHER_CTX *ctx, const uint8_t *iv, const uint8_t *in, size_t len,
                   uint8_t *out)
{
	int outl = 0;
	if (!EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv))
		return false;
	if (len == 0)
		return true;
	if (len > INT32_MAX)
		return false;
	if (!EVP_EncryptUpdate(ctx, out, &outl, in, (int)len))
		return false;
	return (size_t)outl == len;
}

int vpnc_tlscrypt_wrap(struct vpnc_tlscrypt *t, const uint8_t *in, size_t in_len, uint8_t *out,
                       size_t cap)
{
	if (t == NULL || in == NULL || out == NULL || in_len < VPNC_TLSCRYPT_OPSID)
		return -EINVAL;
	size_t body_len = in_len - VPNC_TLSCRYPT_OPSID;
	if (cap < VPNC_TLSCRYPT_MIN || cap - VPNC_TLSCRYPT_MIN < body_len || in_len > INT32_MAX)
		return -ENOSPC;
	if (t->send_id == UINT32_MAX)
		return -EOVERFLOW;

	const uint8_t *body = in + VPNC_TLSCRYPT_OPSID;
	uint8_t *tag = out + VPNC_TLSCRYPT_HDR;
	memcpy(out, in, VPNC_TLSCRYPT_OPSID);
	vpnc_put_u32(out + VPNC_TLSCRYPT_OPSID, t->send_id + 1);
	vpnc_put_u32(out + VPNC_TLSCRYPT_OPSID + 4, t->send_time);
	if (!tc_tag(t->mac_send, out, body, body_len, tag) ||
	    !tc_ctr(t->enc, tag, body, body_len, out + VPNC_TLSCRYPT_MIN)) {
		ERR_clear_error();
		return -EIO;
	}
	/* The id counts as used only once a packet carrying it exists. */
	t->send_id++;
	return (int)(in_len + VPNC_TLSCRYPT_OVERHEAD);
}

int vpnc_tlscrypt_unwrap(struct vpnc_tlscrypt *t, const uint8_t *in, size_t in_len, uint8_t *out,
                         size_t cap)
{
	uint8_t tag[VPNC_TLSCRYPT_TAG];
	struct vpnc_rd rd;
	const uint8_t *hdr, *rtag;
	uint32_t id = 0, time = 0;
	size_t body_len = 0;
	int ret;

	if (t == NULL || in == NULL || out == NULL)
		return -EINVAL;
	vpnc_rd_init(&rd, in, in_len);
	hdr = vpnc_rd_take(&rd, VPNC_TLSCRYPT_OPSID);
	vpnc_rd_u32(&rd, &id);
	vpnc_rd_u32(&rd, &time);
	rtag = vpnc_rd_take(&rd, VPNC_TLSCRYPT_TAG);
	if (rd.err || hdr == NULL || rtag == NULL || in_len > INT32_MAX)
		return -EINVAL;
	body_len = rd.left;
	if (cap < VPNC_TLSCRYPT_OPSID || cap - VPNC_TLSCRYPT_OPSID < body_len)
		return -ENOSPC;

	uint8_t *body = out + VPNC_TLSCRYPT_OPSID;
	if (!tc_ctr(t->dec, rtag, rd.p, body_len, body) ||
	    !tc_tag(t->mac_recv, in, body, body_len, tag)) {
		ERR_clear_error();
		ret = -EIO;
	} else if (CRYPTO_memcmp(tag, rtag, VPNC_TLSCRYPT_TAG) != 0) {
		ret = -EBADMSG;
	} else if (vpnc_replay_check(&t->replay, id, time) != 0) {
		ret = -EALREADY;
	} else {
		vpnc_replay_add(&t->replay, id, time);
		memcpy(out, in, VPNC_TLSCRYPT_OPSID);
		ret = (int)(VPNC_TLSCRYPT_OPSID + body_len);
	}
	/* Unauthenticated plaintext must not reach anyone; the computed tag is not kept either. */
	if (ret < 0)
		OPENSSL_cleanse(body, body_len);
	OPENSSL_cleanse(tag, sizeof(tag));
	return ret;
}
