/*
 * datachan.c: AEAD encryption and decryption of data-channel packets.
 *
 * Per packet: build the 12-byte nonce on the stack, re-init the keyed context
 * with only the IV, feed the AAD straight from the packet header, and run the
 * cipher between the caller's buffers. Nothing is allocated or formatted.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "vpnc/buf.h"
#include "core/datachan.h"

#define DC_SLOT_C2S_KEY 0
#define DC_SLOT_C2S_IV 64
#define DC_SLOT_S2C_KEY 128
#define DC_SLOT_S2C_IV 192
#define DC_OP_SHIFT 3
#define DC_KID_MASK 0x07
#define DC_MAX_KEY_ID 7

struct dc_cipher {
	const char *name; /* canonical OpenVPN name, also the OpenSSL fetch name */
	size_t key_len;
};

static const struct dc_cipher dc_ciphers[] = {
	{"AES-128-GCM", 16},
	{"AES-256-GCM", 32},
	{"CHACHA20-POLY1305", 32},
};

static const struct dc_cipher *dc_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(dc_ciphers) / sizeof(dc_ciphers[0]); i++)
		if (strcasecmp(name, dc_ciphers[i].name) == 0)
			return &dc_ciphers[i];
	return NULL;
}

int vpnc_dc_cipher_lookup(const char *name, const char **canonical)
{
	const struct dc_cipher *c = dc_find(name);
	if (c == NULL)
		return -ENOENT;
	if (canonical != NULL)
		*canonical = c->name;
	return 0;
}

void vpnc_dc_key_clear(struct vpnc_dc_key *k)
{
	if (k == NULL)
		return;
	EVP_CIPHER_CTX_free(k->enc);
	EVP_CIPHER_CTX_free(k->dec);
	OPENSSL_cleanse(k, sizeof(*k));
	k->peer_id = -1;
}

static EVP_CIPHER_CTX *dc_ctx_new(EVP_CIPHER *cipher, const uint8_t *key, bool enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return NULL;
	if (!EVP_CipherInit_ex2(ctx, cipher, key, NULL, enc ? 1 : 0, NULL) ||
	    EVP_CIPHER_CTX_get_iv_length(ctx) != VPNC_DC_NONCE) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int vpnc_dc_key_init(struct vpnc_dc_key *k, const char *cipher, const uint8_t block[VPNC_KEY_BLOCK],
                     bool server_role, uint8_t key_id, int32_t peer_id)
{
	const struct dc_cipher *c = dc_find(cipher);
	EVP_CIPHER *evp = NULL;
	int ret = -EINVAL;

	if (k == NULL)
		return -EINVAL;
	if (k->mode != VPNC_DC_MODE_NONE || k->enc != NULL || k->dec != NULL)
		vpnc_dc_key_clear(k);
	if (block == NULL || key_id > DC_MAX_KEY_ID || peer_id < -1 || peer_id > VPNC_DC_MAX_PEER_ID)
		goto out;
	ret = -ENOENT;
	if (c == NULL)
		goto out;
	ret = -EIO;
	evp = EVP_CIPHER_fetch(NULL, c->name, NULL);
	if (evp == NULL)
		goto out;
	/* The client sends with the client-to-server half; the server receives with it. */
	size_t send_key = server_role ? DC_SLOT_S2C_KEY : DC_SLOT_C2S_KEY;
	size_t send_iv = server_role ? DC_SLOT_S2C_IV : DC_SLOT_C2S_IV;
	size_t recv_key = server_role ? DC_SLOT_C2S_KEY : DC_SLOT_S2C_KEY;
	size_t recv_iv = server_role ? DC_SLOT_C2S_IV : DC_SLOT_S2C_IV;
	k->enc = dc_ctx_new(evp, block + send_key, true);
	k->dec = dc_ctx_new(evp, block + recv_key, false);
	if (k->enc == NULL || k->dec == NULL)
		goto out;
	memcpy(k->enc_iv, block + send_iv, VPNC_DC_IMPLICIT_IV);
	memcpy(k->dec_iv, block + recv_iv, VPNC_DC_IMPLICIT_IV);
	k->send_pid = 0;
	vpnc_replay_init(&k->replay);
	k->peer_id = peer_id;
	k->key_id = key_id;
	k->cipher = c->name;
	k->mode = VPNC_DC_MODE_AEAD;
	ret = 0;
out:
	if (ret != 0) {
		ERR_clear_error();
		vpnc_dc_key_clear(k);
	}
	EVP_CIPHER_free(evp);
	return ret;
}

void vpnc_dc_set_send_pid(struct vpnc_dc_key *k, uint32_t last_sent)
{
	k->send_pid = last_sent;
}

int vpnc_dc_encrypt(struct vpnc_dc_key *k, const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	uint8_t nonce[VPNC_DC_NONCE];
	size_t hdr, head;
	int outl = 0, fin = 0;

	if (k == NULL || k->mode != VPNC_DC_MODE_AEAD)
		return -ENOKEY;
	if (in == NULL || out == NULL || len == 0)
		return -EINVAL;
	hdr = k->peer_id >= 0 ? VPNC_DC_HDR_V2 : VPNC_DC_HDR_V1;
	head = hdr + VPNC_DC_PID + VPNC_DC_TAG;
	if (len > (size_t)INT_MAX - head || cap < head + len)
		return -ENOSPC;
	if (k->send_pid == UINT32_MAX)
		return -EOVERFLOW;
	uint32_t pid = k->send_pid + 1;

	if (hdr == VPNC_DC_HDR_V2) {
		vpnc_put_u32(out, ((uint32_t)((VPNC_DC_OP_DATA_V2 << DC_OP_SHIFT) | k->key_id) << 24) |
		                      (uint32_t)k->peer_id);
	} else {
		out[0] = (uint8_t)((VPNC_DC_OP_DATA_V1 << DC_OP_SHIFT) | k->key_id);
	}
	uint8_t *pidp = out + hdr;
	uint8_t *tag = pidp + VPNC_DC_PID;
	uint8_t *ct = tag + VPNC_DC_TAG;
	vpnc_put_u32(pidp, pid);
	memcpy(nonce, pidp, VPNC_DC_PID);
	memcpy(nonce + VPNC_DC_PID, k->enc_iv, VPNC_DC_IMPLICIT_IV);

	/* V2 authenticates the 4-byte header and the pid, V1 only the pid. */
	const uint8_t *aad = hdr == VPNC_DC_HDR_V2 ? out : pidp;
	int aad_len = hdr == VPNC_DC_HDR_V2 ? VPNC_DC_HDR_V2 + VPNC_DC_PID : VPNC_DC_PID;
	if (!EVP_EncryptInit_ex(k->enc, NULL, NULL, NULL, nonce) ||
	    !EVP_EncryptUpdate(k->enc, NULL, &outl, aad, aad_len) ||
	    !EVP_EncryptUpdate(k->enc, ct, &outl, in, (int)len) ||
	    !EVP_EncryptFinal_ex(k->enc, ct + outl, &fin) ||
	    !EVP_CIPHER_CTX_ctrl(k->enc, EVP_CTRL_AEAD_GET_TAG, VPNC_DC_TAG, tag)) {
		ERR_clear_error();
		return -EIO;
	}
	/* The pid is spent even if the caller never sends the packet. */
	k->send_pid = pid;
	return (int)(head + len);
}

int vpnc_dc_decrypt(struct vpnc_dc_key *k, const uint8_t *pkt, size_t len, uint8_t *out, size_t cap)
{
	uint8_t nonce[VPNC_DC_NONCE];
	struct vpnc_rd rd;
	size_t hdr;
	uint32_t pid = 0;
	int outl = 0, fin = 0;

	if (k == NULL || k->mode != VPNC_DC_MODE_AEAD)
		return -ENOKEY;
	if (pkt == NULL || out == NULL || len == 0)
		return -EINVAL;
	switch (pkt[0] >> DC_OP_SHIFT) {
	case VPNC_DC_OP_DATA_V2:
		hdr = VPNC_DC_HDR_V2;
		break;
	case VPNC_DC_OP_DATA_V1:
		hdr = VPNC_DC_HDR_V1;
		break;
	default:
		return -EINVAL;
	}
	if ((pkt[0] & DC_KID_MASK) != k->key_id)
		return -ENOKEY;

	vpnc_rd_init(&rd, pkt, len);
	const uint8_t *h = vpnc_rd_take(&rd, hdr);
	const uint8_t *pidp = vpnc_rd_take(&rd, VPNC_DC_PID);
	const uint8_t *tag = vpnc_rd_take(&rd, VPNC_DC_TAG);
	if (rd.err || h == NULL || pidp == NULL || tag == NULL || rd.left > (size_t)INT_MAX)
		return -EINVAL;
	size_t ct_len = rd.left;
	if (cap < ct_len)
		return -ENOSPC;
	pid = vpnc_get_u32(pidp);
	memcpy(nonce, pidp, VPNC_DC_PID);
	memcpy(nonce + VPNC_DC_PID, k->dec_iv, VPNC_DC_IMPLICIT_IV);

	const uint8_t *aad = hdr == VPNC_DC_HDR_V2 ? h : pidp;
	int aad_len = (int)(hdr == VPNC_DC_HDR_V2 ? VPNC_DC_HDR_V2 + VPNC_DC_PID : VPNC_DC_PID);
	if (!EVP_DecryptInit_ex(k->dec, NULL, NULL, NULL, nonce) ||
	    !EVP_CIPHER_CTX_ctrl(k->dec, EVP_CTRL_AEAD_SET_TAG, VPNC_DC_TAG, (void *)(uintptr_t)tag) ||
	    !EVP_DecryptUpdate(k->dec, NULL, &outl, aad, aad_len))
		goto io;
	outl = 0;
	if (ct_len && !EVP_DecryptUpdate(k->dec, out, &outl, rd.p, (int)ct_len))
		goto io;
	if (!EVP_DecryptFinal_ex(k->dec, out + outl, &fin)) {
		ERR_clear_error();
		return -EBADMSG;
	}
	if (vpnc_replay_check(&k->replay, pid, 0) != 0)
		return -EALREADY;
	vpnc_replay_add(&k->replay, pid, 0);
	return (int)ct_len;
io:
	ERR_clear_error();
	return -EIO;
}

int vpnc_dc_bench_pair(const char *cipher, struct vpnc_dc_key *client, struct vpnc_dc_key *server)
{
	uint8_t block[VPNC_KEY_BLOCK];
	int ret;

	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = (uint8_t)(i * 7 + 1);
	ret = vpnc_dc_key_init(client, cipher, block, false, 0, 0);
	if (ret == 0)
		ret = vpnc_dc_key_init(server, cipher, block, true, 0, 0);
	OPENSSL_cleanse(block, sizeof(block));
	return ret;
}
