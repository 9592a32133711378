/*
 * datachan.h: data-channel packet protection for one key_id, in the formats of
 * OpenVPN 2.6 (openvpn_encrypt_aead() and openvpn_encrypt_v1() in
 * src/openvpn/crypto.c).
 *
 * Two formats, chosen by the cipher, as OpenVPN 2.6 does:
 *
 * AEAD (AES-128-GCM, AES-256-GCM, CHACHA20-POLY1305):
 *   P_DATA_V2: 0x48|kid | peer_id (3) | packet_id (4) | tag (16) | ciphertext
 *   P_DATA_V1: 0x30|kid               | packet_id (4) | tag (16) | ciphertext
 *   nonce = packet_id (4, BE) || implicit IV (8)
 *   AAD   = V2: the 4 header bytes || packet_id;  V1: packet_id only
 *
 * CBC + HMAC (AES-128/192/256-CBC and the other CBC ciphers in the table of
 * datachan.c, with `auth` SHA1/SHA224/SHA256/SHA384/SHA512):
 *   header (1 or 4) | HMAC (L) | IV (block) | CBC(packet_id (4) || plaintext, PKCS#7)
 *   HMAC = HMAC-auth(IV || CBC ciphertext): encrypt-then-MAC; the header is not covered.
 *   The IV is random per packet, from the RNG set with vpnc_dc_set_rand().
 *   `auth none` with a CBC cipher is refused (2.6 allows it with a warning):
 *   it leaves the data channel without integrity.
 *
 * The plaintext is the payload with the compression framing (dc_int.h) set by
 * vpnc_dc_set_comp() (default VPNC_COMP_NONE): encrypt adds it and decrypt
 * removes it, without copying the payload; nothing is ever compressed. With
 * VPNC_COMP_LZO, _LZ4 or _LZ4_V2 and a scratch buffer (vpnc_dc_set_decomp()),
 * decrypt also decompresses what the peer compressed (docs/compression.md):
 * the compressed bytes, decrypted into out, are copied to the scratch and
 * decompressed back into out, at most min(cap, limit) bytes.
 *
 * Key block slots (kdf.h): the client encrypts with the cipher key block[0..)
 * and the HMAC slot block[64..) (AEAD: its first 8 bytes are the implicit IV;
 * CBC: its first L bytes are the HMAC key), and decrypts with block[128..) /
 * block[192..); the server role is the reverse.
 *
 * Ownership: a struct vpnc_dc_key is owned (embedded) by the caller. It must
 * start zeroed ({0}); a zeroed or cleared key is "not initialised" and every
 * packet call on it returns -ENOKEY. vpnc_dc_key_init() keys it (clearing any
 * previous key, framing and RNG first); vpnc_dc_key_clear() frees the OpenSSL
 * contexts and wipes the struct. The key block passed to init is not kept; the
 * RNG context given to vpnc_dc_set_rand() is borrowed and must outlive the key.
 *
 * Hot path: encrypt/decrypt do no allocation, no formatting and no extra copy;
 * the contexts hold the key schedules (and the HMAC pad states), only the
 * IV/nonce is set per packet. OpenSSL error-queue calls happen on failure
 * paths only.
 *
 * Return codes of the packet functions:
 *   >= 0        output length
 *   -ENOKEY     key not initialised, the packet's key_id is not this key's, or
 *               a CBC key without an RNG
 *   -EINVAL     not a data packet, too short, not a whole number of blocks,
 *               an empty plaintext to encrypt, or buffers overlapping other
 *               than as allowed below
 *   -ENOSPC     out is too small
 *   -EBADMSG    authentication failed (bad tag, bad HMAC, or bad CBC padding
 *               after a good HMAC: the same code, so there is no padding oracle)
 *   -EALREADY   replayed or too old packet_id (after authentication)
 *   -ENOTSUP    authentic, but compressed where this key does not decompress
 *               (framing only, no scratch, or another algorithm's marker):
 *               drop, count as compression (VPNC_DROP_COMP)
 *   -EMSGSIZE   authentic and compressed, but the compressed bytes exceed the
 *               scratch or the result would exceed min(cap, limit) (VPNC_DROP_DECOMP)
 *   -EILSEQ     authentic, but the compressed data is corrupt or empty (LZ4:
 *               also when the result would not fit) (VPNC_DROP_DECOMP)
 *   -EPROTO     authentic, but the compression framing byte is wrong for the
 *               framing in effect (also VPNC_DROP_COMP)
 *   -EOVERFLOW  the send packet_id space is exhausted (never reuse a nonce; rekey)
 *   -EIO        unexpected OpenSSL failure
 * Not thread-safe: one key is used by one thread at a time.
 */
#ifndef VPNC_DATACHAN_H
#define VPNC_DATACHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "vpnc/config.h"
#include "core/dc_decomp.h"
#include "core/dc_hmac.h"
#include "core/kdf.h"
#include "core/replay.h"

#define VPNC_DC_TAG 16
#define VPNC_DC_PID 4
#define VPNC_DC_PID_LONG 8 /* static-key mode: packet id (4) and the sender's Unix time (4) */
#define VPNC_DC_IMPLICIT_IV 8
#define VPNC_DC_NONCE (VPNC_DC_PID + VPNC_DC_IMPLICIT_IV)
#define VPNC_DC_HDR_V1 1
#define VPNC_DC_HDR_V2 4
#define VPNC_DC_OP_DATA_V1 6
#define VPNC_DC_OP_DATA_V2 9
#define VPNC_DC_OVERHEAD_V1 (VPNC_DC_HDR_V1 + VPNC_DC_PID + VPNC_DC_TAG) /* 21 */
#define VPNC_DC_OVERHEAD_V2 (VPNC_DC_HDR_V2 + VPNC_DC_PID + VPNC_DC_TAG) /* 24 */
#define VPNC_DC_MAX_OVERHEAD VPNC_DC_OVERHEAD_V2 /* AEAD without framing; see VPNC_DC_MAX_EXPANSION */
#define VPNC_DC_MAX_PEER_ID 0xFFFFFF
#define VPNC_DC_PID_REKEY 0xFF000000u /* OpenVPN renegotiates once the send pid reaches this */
#define VPNC_DC_MAX_KEY 32            /* largest cipher key */
#define VPNC_DC_MAX_BLOCK 16          /* largest CBC block (and IV) */
#define VPNC_DC_MIN_BLOCK 8           /* smallest CBC block (64-bit ciphers) */
#define VPNC_DC_COMP_MAX 2            /* most framing bytes added to a payload */
/* Worst case added to a payload: V2 header, SHA512 HMAC, IV, pid, full padding block, framing. */
#define VPNC_DC_MAX_EXPANSION                                                                 \
	(VPNC_DC_HDR_V2 + VPNC_DC_HMAC_MAX + VPNC_DC_MAX_BLOCK + VPNC_DC_PID + VPNC_DC_MAX_BLOCK + \
	 VPNC_DC_COMP_MAX) /* 106 */

enum vpnc_dc_mode {
	VPNC_DC_MODE_NONE = 0, /* not initialised */
	VPNC_DC_MODE_AEAD = 1,
	VPNC_DC_MODE_CBC = 2,
};

/* Random bytes for CBC IVs; the engine's vpnc_rand_fn has this type. */
typedef void (*vpnc_dc_rand_fn)(void *ctx, void *out, size_t len);

struct vpnc_dc_key {
	EVP_CIPHER_CTX *enc;                      /* keyed once with the send key */
	EVP_CIPHER_CTX *dec;                      /* keyed once with the receive key */
	uint8_t enc_iv[VPNC_DC_IMPLICIT_IV];      /* AEAD: send implicit IV (secret) */
	uint8_t dec_iv[VPNC_DC_IMPLICIT_IV];      /* AEAD: receive implicit IV (secret) */
	struct vpnc_dc_hmac enc_mac;              /* CBC: send HMAC (secret) */
	struct vpnc_dc_hmac dec_mac;              /* CBC: receive HMAC (secret) */
	vpnc_dc_rand_fn rand;                     /* CBC: IV source; NULL = not set */
	void *rand_ctx;                           /* borrowed */
	uint32_t send_pid;                        /* last packet_id sent; the next is +1 */
	struct vpnc_replay replay;                /* receive window (short form) */
	int32_t peer_id;                          /* -1: send P_DATA_V1 */
	uint8_t key_id;                           /* 0..7 */
	uint8_t mode;                             /* enum vpnc_dc_mode */
	uint8_t comp;                             /* enum vpnc_comp: framing in effect (a stub value) */
	uint8_t decomp;                           /* enum vpnc_decomp_alg for received packets */
	uint8_t block;                            /* CBC: cipher block and IV size */
	const char *cipher;                       /* canonical name (static string) */
	const char *auth;                         /* CBC: canonical digest name; NULL for AEAD */
	bool static_fmt;                          /* static-key format: no header, long-form packet id */
	uint32_t pid_time;                        /* static-key: the time sent with every packet id */
	uint8_t *zbuf;                            /* borrowed scratch for compressed bytes; NULL = none */
	size_t zcap;                              /* its size */
	size_t zlimit;                            /* most bytes a packet decompresses to */
};

/* Returns 0 if name is a supported cipher (case-insensitive) that this OpenSSL
 * provides and sets *canonical (may be NULL) to its upper-case name; -ENOENT otherwise. */
int vpnc_dc_cipher_lookup(const char *name, const char **canonical);

/* True if name is a supported AEAD cipher (then `auth` does not matter). */
bool vpnc_dc_cipher_is_aead(const char *name);

/*
 * Keys k for one key_id. key_id must be 0..7 and peer_id -1 (send P_DATA_V1)
 * or 0..0xFFFFFF (send P_DATA_V2). Both formats are accepted on receive.
 * auth is the `auth` digest, used only by CBC ciphers (NULL means OpenVPN's
 * default SHA1; "none" is refused with -ENOTSUP); AEAD ciphers ignore it.
 * Framing starts as VPNC_COMP_NONE, the RNG and the decompression scratch unset.
 * Returns 0, -EINVAL (bad argument), -ENOENT (unknown cipher or digest),
 * -ENOTSUP (CBC with auth none), -EIO.
 */
int vpnc_dc_key_init(struct vpnc_dc_key *k, const char *cipher, const char *auth,
                     const uint8_t block[VPNC_KEY_BLOCK], bool server_role, uint8_t key_id,
                     int32_t peer_id);

/*
 * Switches a freshly initialised CBC key (key_id 0, peer_id -1) to the
 * static-key format of OpenVPN 2.6 (--secret; openvpn_encrypt_v1() with
 * CO_PACKET_ID_LONG_FORM): no opcode byte, and the packet id in long form,
 * id then time (both 4 bytes, network order), inside the encrypted part:
 *   HMAC (L) | IV (B) | CBC(packet_id (4) || time (4) || framed plaintext || PKCS#7)
 * time is the sender's Unix time when the key started; the receive window
 * checks (id, time) as the long form does (replay.h). Returns 0, or -EINVAL
 * for an AEAD or uninitialised key (2.6 has no AEAD in static-key mode).
 */
int vpnc_dc_set_static(struct vpnc_dc_key *k, uint32_t time);

/*
 * Sets the compression for both directions (enum vpnc_comp; unknown values act
 * as NONE). Sending always uses the framing alone (LZO: the LZO_STUB framing,
 * LZ4: STUB, LZ4_V2: STUB_V2); receiving also decompresses with LZO, LZ4 and
 * LZ4_V2 once a scratch is set. Keeps the scratch set by vpnc_dc_set_decomp().
 */
void vpnc_dc_set_comp(struct vpnc_dc_key *k, enum vpnc_comp c);

/*
 * Lends k a scratch buffer of zcap bytes for the compressed bytes of one
 * received packet (it must outlive the key, or be replaced first), and bounds
 * the decompressed size by limit. scratch NULL stops decompression (compressed
 * packets are then -ENOTSUP). One scratch may serve several keys used by one thread.
 */
void vpnc_dc_set_decomp(struct vpnc_dc_key *k, uint8_t *scratch, size_t zcap, size_t limit);

/* Sets the RNG for CBC IVs (the engine passes its rand callback). Required before a CBC encrypt. */
void vpnc_dc_set_rand(struct vpnc_dc_key *k, vpnc_dc_rand_fn rand, void *ctx);

/* Frees the contexts and wipes k; k is then "not initialised". Safe on a zeroed key. */
void vpnc_dc_key_clear(struct vpnc_dc_key *k);

static inline bool vpnc_dc_key_ready(const struct vpnc_dc_key *k)
{
	return k->mode != VPNC_DC_MODE_NONE;
}

/*
 * Where the payload starts in a packet this key sends, for in-place use.
 * AEAD: header + pid + tag, plus 1 with comp-lzo framing (its 0xFA goes just
 * before the payload). CBC: header + HMAC + IV (the start of the ciphertext;
 * CBC never works in place).
 */
static inline size_t vpnc_dc_hdr_len(const struct vpnc_dc_key *k)
{
	return k->static_fmt ? 0 : k->peer_id >= 0 ? VPNC_DC_HDR_V2 : VPNC_DC_HDR_V1;
}

static inline size_t vpnc_dc_head_len(const struct vpnc_dc_key *k)
{
	size_t hdr = vpnc_dc_hdr_len(k);
	if (k->mode == VPNC_DC_MODE_CBC)
		return hdr + k->enc_mac.len + k->block;
	return hdr + VPNC_DC_PID + VPNC_DC_TAG + (k->comp == VPNC_COMP_LZO_STUB ? 1 : 0);
}

/* Most bytes a sent packet can exceed its payload by (for MTU and MSS computations). */
static inline size_t vpnc_dc_max_overhead(const struct vpnc_dc_key *k)
{
	size_t hdr = vpnc_dc_hdr_len(k);
	size_t comp = k->comp == VPNC_COMP_NONE ? 0 : k->comp == VPNC_COMP_STUB_V2 ? 2 : 1;
	if (k->mode == VPNC_DC_MODE_CBC)
		return hdr + k->enc_mac.len + k->block + (k->static_fmt ? VPNC_DC_PID_LONG : VPNC_DC_PID) +
		       k->block + comp;
	return hdr + VPNC_DC_PID + VPNC_DC_TAG + comp;
}

/* True once the send packet_id reached VPNC_DC_PID_REKEY: start a renegotiation. */
static inline bool vpnc_dc_wants_rekey(const struct vpnc_dc_key *k)
{
	return k->send_pid >= VPNC_DC_PID_REKEY;
}

/*
 * Encrypts len (>= 1) bytes into one packet in out (cap >= len +
 * vpnc_dc_max_overhead(k) always suffices). Returns the packet length. For an
 * AEAD key, in may be exactly out + vpnc_dc_head_len(k) (in-place encryption
 * with headroom); no other overlap is allowed (-EINVAL).
 */
int vpnc_dc_encrypt(struct vpnc_dc_key *k, const uint8_t *in, size_t len, uint8_t *out,
                    size_t cap);

/*
 * Decrypts one whole P_DATA_V1/V2 packet (first byte included) into out and
 * removes the framing. cap must be at least the ciphertext length (the bytes
 * after header + pid + tag, or after header + HMAC + IV), which bounds the
 * payload. Returns the payload length. The tag or HMAC is verified first (in
 * constant time), then the CBC padding, then the replay window is checked and
 * updated, then the framing is checked. On any error out holds unspecified
 * bytes that must not be used. For an AEAD key, out may be exactly
 * pkt + (header + pid + tag), plus 1 with comp-lzo framing (in place); no
 * other overlap is allowed (-EINVAL).
 */
int vpnc_dc_decrypt(struct vpnc_dc_key *k, const uint8_t *pkt, size_t len, uint8_t *out,
                    size_t cap);

/*
 * Internal fragmentation (core/fragment.h) puts a 4-byte header in front of
 * the framed plaintext and may split the framed plaintext F (what
 * vpnc_dc_encrypt() would seal) into slices. These calls do that part:
 *
 * vpnc_dc_framed_len(): the length of F for a payload of len bytes.
 * vpnc_dc_encrypt_frag(): seals one packet whose plaintext is fhdr (big-endian)
 *   || F[off, off + n); in must not overlap out. Returns the packet length;
 *   -EINVAL if the slice is not inside F; else as vpnc_dc_encrypt().
 * vpnc_dc_decrypt_raw(): as vpnc_dc_decrypt(), but the plaintext comes back as
 *   it is, framing and all (nothing is checked or decompressed).
 * vpnc_dc_unframe(): checks the framing of a received F (flen bytes at f, in a
 *   buffer of cap bytes) and removes it in place, decompressing as decrypt
 *   would. Returns the payload length, which starts at f + *shift, or the
 *   framing codes of vpnc_dc_decrypt() (-ENOTSUP, -EPROTO, -EMSGSIZE, -EILSEQ).
 */
size_t vpnc_dc_framed_len(const struct vpnc_dc_key *k, const uint8_t *in, size_t len);
int vpnc_dc_encrypt_frag(struct vpnc_dc_key *k, uint32_t fhdr, const uint8_t *in, size_t len, size_t off,
                         size_t n, uint8_t *out, size_t cap);
int vpnc_dc_decrypt_raw(struct vpnc_dc_key *k, const uint8_t *pkt, size_t len, uint8_t *out, size_t cap);
int vpnc_dc_unframe(struct vpnc_dc_key *k, uint8_t *f, size_t flen, size_t cap, size_t *shift);

#endif
