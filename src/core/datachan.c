/*
 * datachan.c: data-channel keys (cipher table, key slots, framing and RNG
 * settings) and the AEAD packet format; the CBC+HMAC format is in dc_cbc.c.
 *
 * AEAD per packet: build the 12-byte nonce on the stack, re-init the keyed
 * context with only the IV, feed the AAD straight from the packet header, and
 * run the cipher between the caller's buffers, the framing bytes (dc_int.h)
 * fed as separate pieces. Nothing is allocated or formatted. A compressed
 * packet (only with a decompressing setting) is decompressed after it
 * authenticated, through the scratch the caller lent (dc_decomp.c).
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
#include "core/dc_int.h"

#define DC_SLOT_C2S_KEY 0
#define DC_SLOT_C2S_HMAC 64
#define DC_SLOT_S2C_KEY 128
#define DC_SLOT_S2C_HMAC 192
#define DC_MAX_KEY_ID 7
#define DC_DEFAULT_AUTH "SHA1" /* OpenVPN's default `auth` */
#define DC_AUTH_NONE "none"

struct dc_cipher {
	const char *name; /* canonical OpenVPN name, also the OpenSSL fetch name */
	size_t key_len;
	bool aead;
};

/* AEAD ciphers first; then the CBC ciphers a 2.6 client accepts for the data channel. */
static const struct dc_cipher dc_ciphers[] = {
	{"AES-128-GCM", 16, true},
	{"AES-256-GCM", 32, true},
	{"CHACHA20-POLY1305", 32, true},
	{"AES-128-CBC", 16, false},
	{"AES-192-CBC", 24, false},
	{"AES-256-CBC", 32, false},
	{"CAMELLIA-128-CBC", 16, false},
	{"CAMELLIA-192-CBC", 24, false},
	{"CAMELLIA-256-CBC", 32, false},
	{"ARIA-128-CBC", 16, false},
	{"ARIA-192-CBC", 24, false},
	{"ARIA-256-CBC", 32, false},
	{"DES-EDE3-CBC", 24, false},
	{"BF-CBC", 16, false}, /* needs OpenSSL's legacy provider, as in 2.6 */
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
	/* A table entry counts only if this OpenSSL (and its loaded providers) has it. */
	EVP_CIPHER *evp = EVP_CIPHER_fetch(NULL, c->name, NULL);
	if (evp == NULL) {
		ERR_clear_error();
		return -ENOENT;
	}
	EVP_CIPHER_free(evp);
	if (canonical != NULL)
		*canonical = c->name;
	return 0;
}

bool vpnc_dc_cipher_is_aead(const char *name)
{
	const struct dc_cipher *c = dc_find(name);
	return c != NULL && c->aead;
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

/* A context keyed once; AEAD contexts must take a 12-byte nonce, CBC ones a block-sized IV. */
static EVP_CIPHER_CTX *dc_ctx_new(EVP_CIPHER *cipher, const struct dc_cipher *c, const uint8_t *key,
                                  bool enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return NULL;
	if (!EVP_CipherInit_ex2(ctx, cipher, key, NULL, enc ? 1 : 0, NULL) ||
	    EVP_CIPHER_CTX_get_key_length(ctx) != (int)c->key_len)
		goto fail;
	if (c->aead) {
		if (EVP_CIPHER_CTX_get_iv_length(ctx) != VPNC_DC_NONCE)
			goto fail;
		return ctx;
	}
	int b = EVP_CIPHER_CTX_get_block_size(ctx);
	if (EVP_CIPHER_CTX_get_mode(ctx) != EVP_CIPH_CBC_MODE ||
	    (b != VPNC_DC_MIN_BLOCK && b != VPNC_DC_MAX_BLOCK) || EVP_CIPHER_CTX_get_iv_length(ctx) != b)
		goto fail;
	/* Decryption removes the PKCS#7 padding itself, after the HMAC (dc_cbc.c). */
	if (!enc && !EVP_CIPHER_CTX_set_padding(ctx, 0))
		goto fail;
	return ctx;
fail:
	EVP_CIPHER_CTX_free(ctx);
	return NULL;
}

int vpnc_dc_key_init(struct vpnc_dc_key *k, const char *cipher, const char *auth,
                     const uint8_t block[VPNC_KEY_BLOCK], bool server_role, uint8_t key_id,
                     int32_t peer_id)
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
	if (!c->aead) {
		if (auth == NULL)
			auth = DC_DEFAULT_AUTH;
		ret = -ENOTSUP;
		if (strcasecmp(auth, DC_AUTH_NONE) == 0)
			goto out;
		ret = -ENOENT;
		if (vpnc_dc_hmac_lookup(auth, &k->auth) < 0)
			goto out;
	}
	evp = EVP_CIPHER_fetch(NULL, c->name, NULL);
	if (evp == NULL)
		goto out;
	ret = -EIO;
	/* The client sends with the client-to-server half; the server receives with it. */
	size_t send_key = server_role ? DC_SLOT_S2C_KEY : DC_SLOT_C2S_KEY;
	size_t send_hmac = server_role ? DC_SLOT_S2C_HMAC : DC_SLOT_C2S_HMAC;
	size_t recv_key = server_role ? DC_SLOT_C2S_KEY : DC_SLOT_S2C_KEY;
	size_t recv_hmac = server_role ? DC_SLOT_C2S_HMAC : DC_SLOT_S2C_HMAC;
	k->enc = dc_ctx_new(evp, c, block + send_key, true);
	k->dec = dc_ctx_new(evp, c, block + recv_key, false);
	if (k->enc == NULL || k->dec == NULL)
		goto out;
	if (c->aead) {
		memcpy(k->enc_iv, block + send_hmac, VPNC_DC_IMPLICIT_IV);
		memcpy(k->dec_iv, block + recv_hmac, VPNC_DC_IMPLICIT_IV);
		k->mode = VPNC_DC_MODE_AEAD;
	} else {
		if (vpnc_dc_hmac_init(&k->enc_mac, k->auth, block + send_hmac) != 0 ||
		    vpnc_dc_hmac_init(&k->dec_mac, k->auth, block + recv_hmac) != 0)
			goto out;
		k->block = (uint8_t)EVP_CIPHER_CTX_get_block_size(k->enc);
		k->mode = VPNC_DC_MODE_CBC;
	}
	k->send_pid = 0;
	vpnc_replay_init(&k->replay);
	k->peer_id = peer_id;
	k->key_id = key_id;
	k->cipher = c->name;
	k->comp = VPNC_COMP_NONE;
	k->decomp = VPNC_DECOMP_NONE;
	vpnc_dc_set_decomp(k, NULL, 0, 0);
	ret = 0;
out:
	if (ret != 0) {
		ERR_clear_error();
		vpnc_dc_key_clear(k);
	}
	EVP_CIPHER_free(evp);
	return ret;
}

int vpnc_dc_set_static(struct vpnc_dc_key *k, uint32_t time)
{
	if (k == NULL || k->mode != VPNC_DC_MODE_CBC || k->key_id != 0 || k->peer_id != -1)
		return -EINVAL;
	k->static_fmt = true;
	k->pid_time = time;
	return 0;
}

void vpnc_dc_set_comp(struct vpnc_dc_key *k, enum vpnc_comp c)
{
	k->decomp = VPNC_DECOMP_NONE;
	switch (c) {
	case VPNC_COMP_LZO_STUB:
	case VPNC_COMP_STUB:
	case VPNC_COMP_STUB_V2:
		k->comp = (uint8_t)c;
		break;
	/* Real compression: send in the stub framing of the same family, receive both. */
	case VPNC_COMP_LZO:
		k->comp = VPNC_COMP_LZO_STUB;
		k->decomp = VPNC_DECOMP_LZO;
		break;
	case VPNC_COMP_LZ4:
		k->comp = VPNC_COMP_STUB;
		k->decomp = VPNC_DECOMP_LZ4;
		break;
	case VPNC_COMP_LZ4_V2:
		k->comp = VPNC_COMP_STUB_V2;
		k->decomp = VPNC_DECOMP_LZ4;
		break;
	default:
		k->comp = VPNC_COMP_NONE;
		break;
	}
}

void vpnc_dc_set_decomp(struct vpnc_dc_key *k, uint8_t *scratch, size_t zcap, size_t limit)
{
	/* A library that fails its self-check is not used: compressed packets are then refused. */
	if (scratch != NULL && vpnc_decomp_init() != 0)
		scratch = NULL;
	k->zbuf = scratch;
	k->zcap = scratch != NULL ? zcap : 0;
	k->zlimit = limit;
}

int vpnc_dc_decompress(struct vpnc_dc_key *k, uint8_t *out, size_t m, size_t cap)
{
	if (m > k->zcap)
		return -EMSGSIZE;
	memcpy(k->zbuf, out, m);
	return vpnc_decomp((enum vpnc_decomp_alg)k->decomp, k->zbuf, m, out,
	                   cap < k->zlimit ? cap : k->zlimit);
}

void vpnc_dc_set_rand(struct vpnc_dc_key *k, vpnc_dc_rand_fn rand, void *ctx)
{
	k->rand = rand;
	k->rand_ctx = ctx;
}

/* Runs one piece of the plaintext through the AEAD context; empty pieces are skipped. */
static bool aead_piece(EVP_CIPHER_CTX *ctx, uint8_t *out, const uint8_t *in, size_t len)
{
	int outl = 0;
	return len == 0 || EVP_CipherUpdate(ctx, out, &outl, in, (int)len);
}

/* Seals one AEAD packet whose plaintext is the plen bytes of the pieces; out has room (checked). */
static int aead_seal(struct vpnc_dc_key *k, const struct dc_piece *pc, size_t npc, size_t plen, uint8_t *out)
{
	uint8_t nonce[VPNC_DC_NONCE];
	size_t done = 0;
	int fin = 0;

	size_t hdr = k->peer_id >= 0 ? VPNC_DC_HDR_V2 : VPNC_DC_HDR_V1;
	size_t base = hdr + VPNC_DC_PID + VPNC_DC_TAG;
	uint8_t *ct = out + base;
	if (k->send_pid == UINT32_MAX)
		return -EOVERFLOW;
	uint32_t pid = k->send_pid + 1;

	dc_put_header(k, out);
	uint8_t *pidp = out + hdr;
	uint8_t *tag = pidp + VPNC_DC_PID;
	vpnc_put_u32(pidp, pid);
	memcpy(nonce, pidp, VPNC_DC_PID);
	memcpy(nonce + VPNC_DC_PID, k->enc_iv, VPNC_DC_IMPLICIT_IV);

	/* V2 authenticates the 4-byte header and the pid, V1 only the pid. */
	const uint8_t *aad = hdr == VPNC_DC_HDR_V2 ? out : pidp;
	size_t aad_len = hdr == VPNC_DC_HDR_V2 ? VPNC_DC_HDR_V2 + VPNC_DC_PID : VPNC_DC_PID;
	bool ok = EVP_EncryptInit_ex(k->enc, NULL, NULL, NULL, nonce) && aead_piece(k->enc, NULL, aad, aad_len);
	for (size_t i = 0; ok && i < npc; i++) {
		ok = aead_piece(k->enc, ct + done, pc[i].p, pc[i].n);
		done += pc[i].n;
	}
	if (!ok || !EVP_EncryptFinal_ex(k->enc, ct + plen, &fin) ||
	    !EVP_CIPHER_CTX_ctrl(k->enc, EVP_CTRL_AEAD_GET_TAG, VPNC_DC_TAG, tag)) {
		ERR_clear_error();
		return -EIO;
	}
	/* The pid is spent even if the caller never sends the packet. */
	k->send_pid = pid;
	return (int)(base + plen);
}

static int aead_encrypt(struct vpnc_dc_key *k, const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	struct dc_piece pc[DC_MAX_PIECES];
	struct dc_frame f;

	size_t hdr = k->peer_id >= 0 ? VPNC_DC_HDR_V2 : VPNC_DC_HDR_V1;
	size_t base = hdr + VPNC_DC_PID + VPNC_DC_TAG;
	/* Read in[0] (the swap format moves it) before anything is written. */
	dc_frame_out(k->comp, in, len, &f);
	size_t flen = f.npre + f.body_len + f.npost;
	if (flen > (size_t)INT_MAX - base || cap < base + flen)
		return -ENOSPC;
	uint8_t *ct = out + base;
	bool inplace = in == out + vpnc_dc_head_len(k);
	if (!inplace && dc_overlap(in, len, out, base + flen))
		return -EINVAL;
	if (k->send_pid == UINT32_MAX)
		return -EOVERFLOW;

	if (inplace && f.npre == DC_COMP_MAX_LEAD) {
		/* A stub-v2 escape in place (a payload starting with 0x50, never IP): make room. */
		memmove(ct + f.npre, in, len);
		f.body = ct + f.npre;
	}
	size_t npc = dc_frame_pieces(&f, NULL, 0, 0, flen, pc);
	return aead_seal(k, pc, npc, flen, out);
}

int vpnc_dc_encrypt(struct vpnc_dc_key *k, const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	struct dc_piece pc[DC_MAX_PIECES];
	struct dc_frame f;

	if (k == NULL || k->mode == VPNC_DC_MODE_NONE)
		return -ENOKEY;
	if (in == NULL || out == NULL || len == 0)
		return -EINVAL;
	if (k->mode == VPNC_DC_MODE_CBC) {
		dc_frame_out(k->comp, in, len, &f);
		size_t flen = f.npre + f.body_len + f.npost;
		size_t npc = dc_frame_pieces(&f, NULL, 0, 0, flen, pc);
		return vpnc_dc_cbc_seal(k, pc, npc, flen, in, len, out, cap);
	}
	return aead_encrypt(k, in, len, out, cap);
}

size_t vpnc_dc_framed_len(const struct vpnc_dc_key *k, const uint8_t *in, size_t len)
{
	struct dc_frame f;

	if (len == 0)
		return 0;
	dc_frame_out(k->comp, in, len, &f);
	return f.npre + f.body_len + f.npost;
}

int vpnc_dc_encrypt_frag(struct vpnc_dc_key *k, uint32_t fhdr, const uint8_t *in, size_t len, size_t off,
                         size_t n, uint8_t *out, size_t cap)
{
	struct dc_piece pc[DC_MAX_PIECES];
	uint8_t hb[4];
	struct dc_frame f;

	if (k == NULL || k->mode == VPNC_DC_MODE_NONE)
		return -ENOKEY;
	if (in == NULL || out == NULL || len == 0)
		return -EINVAL;
	dc_frame_out(k->comp, in, len, &f);
	size_t flen = f.npre + f.body_len + f.npost;
	if (off > flen || n > flen - off)
		return -EINVAL;
	vpnc_put_u32(hb, fhdr);
	size_t npc = dc_frame_pieces(&f, hb, sizeof(hb), off, n, pc);
	size_t plen = sizeof(hb) + n;
	if (k->mode == VPNC_DC_MODE_CBC)
		return vpnc_dc_cbc_seal(k, pc, npc, plen, in, len, out, cap);
	size_t base = (k->peer_id >= 0 ? VPNC_DC_HDR_V2 : VPNC_DC_HDR_V1) + VPNC_DC_PID + VPNC_DC_TAG;
	if (plen > (size_t)INT_MAX - base || cap < base + plen)
		return -ENOSPC;
	if (dc_overlap(in, len, out, base + plen))
		return -EINVAL;
	return aead_seal(k, pc, npc, plen, out);
}

/*
 * Decrypts L framed bytes at ct into out, removing the framing as it goes: the
 * first two bytes go to hb (they decide the framing), the rest straight to
 * their final place. Sets *b0, *b1. Returns false on an OpenSSL failure.
 */
static bool aead_unframe(struct vpnc_dc_key *k, const uint8_t *ct, size_t L, uint8_t *out,
                         bool inplace, uint8_t *b0, uint8_t *b1)
{
	uint8_t hb[DC_COMP_MAX_LEAD] = {0, 0};
	size_t hb_n = L < DC_COMP_MAX_LEAD ? L : DC_COMP_MAX_LEAD;

	if (!aead_piece(k->dec, hb, ct, hb_n))
		return false;
	*b0 = hb[0];
	*b1 = hb[1];
	size_t shift = hb_n > 0 ? dc_frame_shift(k->comp, hb[0]) : 0;
	size_t rest = L - hb_n;
	if (rest > 0) {
		uint8_t *dst = out + hb_n - shift;
		const uint8_t *src = ct + hb_n;
		if (inplace && dst != src) {
			/* Only a stub-v2 escape in place: decrypt in place, then move down. */
			if (!aead_piece(k->dec, (uint8_t *)(uintptr_t)src, src, rest))
				return false;
			memmove(dst, src, rest);
		} else if (!aead_piece(k->dec, dst, src, rest)) {
			return false;
		}
	}
	for (size_t i = shift; i < hb_n; i++)
		out[i - shift] = hb[i];
	return true;
}

static int aead_decrypt(struct vpnc_dc_key *k, const uint8_t *pkt, size_t len, int hdr,
                        uint8_t *out, size_t cap)
{
	uint8_t nonce[VPNC_DC_NONCE];
	struct vpnc_rd rd;
	uint8_t b0 = 0, b1 = 0;
	int fin = 0;

	vpnc_rd_init(&rd, pkt, len);
	const uint8_t *h = vpnc_rd_take(&rd, (size_t)hdr);
	const uint8_t *pidp = vpnc_rd_take(&rd, VPNC_DC_PID);
	const uint8_t *tag = vpnc_rd_take(&rd, VPNC_DC_TAG);
	if (rd.err || h == NULL || pidp == NULL || tag == NULL || rd.left > (size_t)INT_MAX)
		return -EINVAL;
	const uint8_t *ct = rd.p;
	size_t ct_len = rd.left;
	if (cap < ct_len)
		return -ENOSPC;
	bool inplace = out == ct + (k->comp == VPNC_COMP_LZO_STUB ? 1 : 0);
	if (!inplace && dc_overlap(out, ct_len, pkt, len))
		return -EINVAL;
	uint32_t pid = vpnc_get_u32(pidp);
	memcpy(nonce, pidp, VPNC_DC_PID);
	memcpy(nonce + VPNC_DC_PID, k->dec_iv, VPNC_DC_IMPLICIT_IV);

	const uint8_t *aad = hdr == VPNC_DC_HDR_V2 ? h : pidp;
	size_t aad_len = hdr == VPNC_DC_HDR_V2 ? VPNC_DC_HDR_V2 + VPNC_DC_PID : VPNC_DC_PID;
	if (!EVP_DecryptInit_ex(k->dec, NULL, NULL, NULL, nonce) ||
	    !EVP_CIPHER_CTX_ctrl(k->dec, EVP_CTRL_AEAD_SET_TAG, VPNC_DC_TAG, (void *)(uintptr_t)tag) ||
	    !aead_piece(k->dec, NULL, aad, aad_len))
		goto io;
	if (k->comp == VPNC_COMP_NONE) {
		if (!aead_piece(k->dec, out, ct, ct_len))
			goto io;
	} else if (!aead_unframe(k, ct, ct_len, out, inplace, &b0, &b1)) {
		goto io;
	}
	if (!EVP_DecryptFinal_ex(k->dec, out, &fin)) {
		ERR_clear_error();
		return -EBADMSG;
	}
	if (vpnc_replay_check(&k->replay, pid, 0) != 0)
		return -EALREADY;
	vpnc_replay_add(&k->replay, pid, 0);
	bool z;
	int m = dc_frame_check(k, b0, b1, ct_len, &z);
	return dc_frame_finish(k, m, z, out, cap);
io:
	ERR_clear_error();
	return -EIO;
}

int vpnc_dc_decrypt(struct vpnc_dc_key *k, const uint8_t *pkt, size_t len, uint8_t *out, size_t cap)
{
	if (k == NULL || k->mode == VPNC_DC_MODE_NONE)
		return -ENOKEY;
	if (pkt == NULL || out == NULL || len == 0)
		return -EINVAL;
	int hdr = dc_header_len(k, pkt);
	if (hdr < 0)
		return hdr;
	if (k->mode == VPNC_DC_MODE_CBC)
		return vpnc_dc_cbc_decrypt(k, pkt, len, (size_t)hdr, out, cap);
	return aead_decrypt(k, pkt, len, hdr, out, cap);
}

int vpnc_dc_decrypt_raw(struct vpnc_dc_key *k, const uint8_t *pkt, size_t len, uint8_t *out, size_t cap)
{
	if (k == NULL)
		return -ENOKEY;
	/* Without framing, decrypt hands back the plaintext as it is; the caller unframes it later. */
	uint8_t comp = k->comp;
	k->comp = VPNC_COMP_NONE;
	int r = vpnc_dc_decrypt(k, pkt, len, out, cap);
	k->comp = comp;
	return r;
}

int vpnc_dc_unframe(struct vpnc_dc_key *k, uint8_t *f, size_t flen, size_t cap, size_t *shift)
{
	bool z;

	*shift = 0;
	if (flen == 0 || flen > (size_t)INT_MAX || cap < flen)
		return flen == 0 ? 0 : -EINVAL;
	uint8_t b0 = f[0], b1 = flen > 1 ? f[1] : 0;
	int m = dc_frame_check(k, b0, b1, flen, &z);
	if (m <= 0)
		return m;
	size_t s = dc_frame_shift(k->comp, b0);
	*shift = s;
	return dc_frame_finish(k, m, z, f + s, cap - s);
}
