/*
 * tlsauth.c: tls-auth HMAC wrap and unwrap. The HMAC contexts are keyed once;
 * per packet they are restarted with the stored key.
 */
#include <errno.h>
#include <stdlib.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "vpnc/buf.h"
#include "core/tlsauth.h"

#define TA_SLOT_H0 64  /* keys[0].hmac */
#define TA_SLOT_H1 192 /* keys[1].hmac */

struct vpnc_tlsauth {
	EVP_MAC_CTX *mac_send;
	EVP_MAC_CTX *mac_recv;
	size_t hlen;        /* digest size L */
	uint32_t send_id;   /* last replay id used */
	uint32_t send_time; /* replay time of every packet */
	struct vpnc_replay replay;
};

static const char *const ta_digests[] = {"SHA1", "SHA224", "SHA256", "SHA384", "SHA512"};

static const char *ta_digest_name(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(ta_digests) / sizeof(ta_digests[0]); i++)
		if (strcasecmp(name, ta_digests[i]) == 0)
			return ta_digests[i];
	return NULL;
}

static EVP_MAC_CTX *ta_mac_new(EVP_MAC *mac, const char *digest, const uint8_t *key, size_t len)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
	if (ctx == NULL)
		return NULL;
	if (!EVP_MAC_init(ctx, key, len, params)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int vpnc_tlsauth_new(struct vpnc_tlsauth **out, const uint8_t key[256], const char *digest,
                     int key_direction, bool server_role, uint32_t now_unix)
{
	struct vpnc_tlsauth *t = NULL;
	EVP_MAC *hmac = NULL;
	EVP_MD *md = NULL;
	const char *dname = ta_digest_name(digest);
	int ret = -EINVAL;

	(void)server_role;
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (key == NULL || dname == NULL || key_direction < -1 || key_direction > 1)
		goto out;
	ret = -ENOMEM;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		goto out;
	ret = -EIO;
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	md = EVP_MD_fetch(NULL, dname, NULL);
	if (hmac == NULL || md == NULL)
		goto out;
	int size = EVP_MD_get_size(md);
	if (size <= 0 || size > VPNC_TLSAUTH_MAX_HMAC)
		goto out;
	t->hlen = (size_t)size;
	size_t send_off = key_direction == 1 ? TA_SLOT_H1 : TA_SLOT_H0;
	size_t recv_off = key_direction == 0 ? TA_SLOT_H1 : TA_SLOT_H0;
	t->mac_send = ta_mac_new(hmac, dname, key + send_off, t->hlen);
	t->mac_recv = ta_mac_new(hmac, dname, key + recv_off, t->hlen);
	if (t->mac_send == NULL || t->mac_recv == NULL)
		goto out;
	t->send_time = now_unix;
	vpnc_replay_init(&t->replay);
	*out = t;
	t = NULL;
	ret = 0;
out:
	if (ret != 0)
		ERR_clear_error();
	vpnc_tlsauth_free(t);
	EVP_MAC_free(hmac);
	EVP_MD_free(md);
	return ret;
}

void vpnc_tlsauth_free(struct vpnc_tlsauth *t)
{
	if (t == NULL)
		return;
	EVP_MAC_CTX_free(t->mac_send);
	EVP_MAC_CTX_free(t->mac_recv);
	OPENSSL_cleanse(t, sizeof(*t));
	free(t);
}

/* HMAC(pid(8) || op|sid(9) || rest) with a keyed context; writes L bytes. */
static bool ta_hmac(EVP_MAC_CTX *mac, size_t hlen, const uint8_t *pid, const uint8_t *opsid,
                    const uint8_t *rest, size_t rest_len, uint8_t *outmac)
{
	size_t len = 0;
	if (!EVP_MAC_init(mac, NULL, 0, NULL) || !EVP_MAC_update(mac, pid, VPNC_TLSAUTH_PID) ||
	    !EVP_MAC_update(mac, opsid, VPNC_TLSAUTH_OPSID))
		return false;
	if (rest_len && !EVP_MAC_update(mac, rest, rest_len))
		return false;
	if (!EVP_MAC_final(mac, outmac, &len, hlen))
		return false;
	return len == hlen;
}

int vpnc_tlsauth_wrap(struct vpnc_tlsauth *t, const uint8_t *in, size_t in_len, uint8_t *out,
                      size_t cap)
{
	if (t == NULL || in == NULL || out == NULL || in_len < VPNC_TLSAUTH_OPSID)
		return -EINVAL;
	size_t over = t->hlen + VPNC_TLSAUTH_PID;
	if (in_len > INT32_MAX - over || cap < in_len + over)
		return -ENOSPC;
	if (t->send_id == UINT32_MAX)
		return -EOVERFLOW;

	const uint8_t *rest = in + VPNC_TLSAUTH_OPSID;
	size_t rest_len = in_len - VPNC_TLSAUTH_OPSID;
	uint8_t *mac = out + VPNC_TLSAUTH_OPSID;
	uint8_t *pid = mac + t->hlen;
	memcpy(out, in, VPNC_TLSAUTH_OPSID);
	vpnc_put_u32(pid, t->send_id + 1);
	vpnc_put_u32(pid + 4, t->send_time);
	memcpy(pid + VPNC_TLSAUTH_PID, rest, rest_len);
	if (!ta_hmac(t->mac_send, t->hlen, pid, out, rest, rest_len, mac)) {
		ERR_clear_error();
		return -EIO;
	}
	t->send_id++;
	return (int)(in_len + over);
}

int vpnc_tlsauth_unwrap(struct vpnc_tlsauth *t, const uint8_t *in, size_t in_len, uint8_t *out,
                        size_t cap)
{
	uint8_t mac[VPNC_TLSAUTH_MAX_HMAC];
	struct vpnc_rd rd;
	uint32_t id = 0, time = 0;
	int ret;

	if (t == NULL || in == NULL || out == NULL)
		return -EINVAL;
	vpnc_rd_init(&rd, in, in_len);
	const uint8_t *opsid = vpnc_rd_take(&rd, VPNC_TLSAUTH_OPSID);
	const uint8_t *rmac = vpnc_rd_take(&rd, t->hlen);
	const uint8_t *pid = vpnc_rd_take(&rd, VPNC_TLSAUTH_PID);
	if (rd.err || opsid == NULL || rmac == NULL || pid == NULL || in_len > INT32_MAX)
		return -EINVAL;
	id = vpnc_get_u32(pid);
	time = vpnc_get_u32(pid + 4);
	size_t rest_len = rd.left;
	if (cap < VPNC_TLSAUTH_OPSID + rest_len)
		return -ENOSPC;
	if (!ta_hmac(t->mac_recv, t->hlen, pid, opsid, rd.p, rest_len, mac)) {
		ERR_clear_error();
		ret = -EIO;
	} else if (CRYPTO_memcmp(mac, rmac, t->hlen) != 0) {
		ret = -EBADMSG;
	} else if (vpnc_replay_check(&t->replay, id, time) != 0) {
		ret = -EALREADY;
	} else {
		vpnc_replay_add(&t->replay, id, time);
		memcpy(out, opsid, VPNC_TLSAUTH_OPSID);
		memcpy(out + VPNC_TLSAUTH_OPSID, rd.p, rest_len);
		ret = (int)(VPNC_TLSAUTH_OPSID + rest_len);
	}
	/* The computed HMAC would be a valid tag for a forged packet: do not leave it behind. */
	OPENSSL_cleanse(mac, sizeof(mac));
	return ret;
}
