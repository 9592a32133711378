/*
 * datachan.h: data-channel packet protection for one key_id (protocol notes 10).
 *
 * Supported now: the AEAD format of OpenVPN 2.6 with AES-128-GCM, AES-256-GCM
 * and CHACHA20-POLY1305:
 *
 *   P_DATA_V2: 0x48|kid | peer_id (3) | packet_id (4) | tag (16) | ciphertext
 *   P_DATA_V1: 0x30|kid               | packet_id (4) | tag (16) | ciphertext
 *
 *   nonce = packet_id (4, BE) || implicit IV (8)
 *   AAD   = V2: the 4 header bytes || packet_id;  V1: packet_id only
 *
 * Key block slots (kdf.h): the client encrypts with block[0..keylen) and the
 * implicit IV block[64..72), and decrypts with block[128..) / block[192..200);
 * the server role is the reverse. Legacy CBC+HMAC would be another `mode`
 * with its own branch in encrypt/decrypt; the struct already separates the
 * mode from the contexts.
 *
 * Ownership: a struct vpnc_dc_key is owned (embedded) by the caller. It must
 * start zeroed ({0}); a zeroed or cleared key is "not initialised" and every
 * packet call on it returns -ENOKEY. vpnc_dc_key_init() keys it (clearing any
 * previous key first); vpnc_dc_key_clear() frees the OpenSSL contexts and wipes
 * the struct. The key block passed to init is not kept.
 *
 * Hot path: encrypt/decrypt do no allocation, no formatting and no extra copy;
 * the contexts hold the key schedules, only the nonce is set per packet.
 * OpenSSL error-queue calls happen on failure paths only.
 *
 * Return codes of the packet functions:
 *   >= 0        output length
 *   -ENOKEY     key not initialised, or the packet's key_id is not this key's
 *   -EINVAL     not a data packet, too short, or an empty plaintext to encrypt
 *   -ENOSPC     out is too small
 *   -EBADMSG    authentication failed
 *   -EALREADY   replayed or too old packet_id (after a valid tag)
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

#include "core/kdf.h"
#include "core/replay.h"

#define VPNC_DC_TAG 16
#define VPNC_DC_PID 4
#define VPNC_DC_IMPLICIT_IV 8
#define VPNC_DC_NONCE (VPNC_DC_PID + VPNC_DC_IMPLICIT_IV)
#define VPNC_DC_HDR_V1 1
#define VPNC_DC_HDR_V2 4
#define VPNC_DC_OP_DATA_V1 6
#define VPNC_DC_OP_DATA_V2 9
#define VPNC_DC_OVERHEAD_V1 (VPNC_DC_HDR_V1 + VPNC_DC_PID + VPNC_DC_TAG) /* 21 */
#define VPNC_DC_OVERHEAD_V2 (VPNC_DC_HDR_V2 + VPNC_DC_PID + VPNC_DC_TAG) /* 24 */
#define VPNC_DC_MAX_OVERHEAD VPNC_DC_OVERHEAD_V2
#define VPNC_DC_MAX_PEER_ID 0xFFFFFF
#define VPNC_DC_PID_REKEY 0xFF000000u /* OpenVPN renegotiates once the send pid reaches this */
#define VPNC_DC_MAX_KEY 32            /* largest AEAD key */

enum vpnc_dc_mode {
	VPNC_DC_MODE_NONE = 0, /* not initialised */
	VPNC_DC_MODE_AEAD = 1,
};

struct vpnc_dc_key {
	EVP_CIPHER_CTX *enc;                      /* keyed once with the send key */
	EVP_CIPHER_CTX *dec;                      /* keyed once with the receive key */
	uint8_t enc_iv[VPNC_DC_IMPLICIT_IV];      /* send implicit IV (secret) */
	uint8_t dec_iv[VPNC_DC_IMPLICIT_IV];      /* receive implicit IV (secret) */
	uint32_t send_pid;                        /* last packet_id sent; the next is +1 */
	struct vpnc_replay replay;                /* receive window (short form) */
	int32_t peer_id;                          /* -1: send P_DATA_V1 */
	uint8_t key_id;                           /* 0..7 */
	uint8_t mode;                             /* enum vpnc_dc_mode */
	const char *cipher;                       /* canonical name (static string) */
};

/* Returns 0 if name is a supported cipher (case-insensitive) and sets *canonical
 * (may be NULL) to its upper-case name; -ENOENT otherwise. */
int vpnc_dc_cipher_lookup(const char *name, const char **canonical);

/*
 * Keys k for one key_id. key_id must be 0..7 and peer_id -1 (send P_DATA_V1)
 * or 0..0xFFFFFF (send P_DATA_V2). Both formats are accepted on receive.
 * Returns 0, -EINVAL (bad argument), -ENOENT (unknown cipher), -EIO.
 */
int vpnc_dc_key_init(struct vpnc_dc_key *k, const char *cipher, const uint8_t block[VPNC_KEY_BLOCK],
                     bool server_role, uint8_t key_id, int32_t peer_id);

/* Frees the contexts and wipes k; k is then "not initialised". Safe on a zeroed key. */
void vpnc_dc_key_clear(struct vpnc_dc_key *k);

static inline bool vpnc_dc_key_ready(const struct vpnc_dc_key *k)
{
	return k->mode != VPNC_DC_MODE_NONE;
}

/* Bytes before the ciphertext in a packet this key sends (header + pid + tag). */
static inline size_t vpnc_dc_head_len(const struct vpnc_dc_key *k)
{
	return k->peer_id >= 0 ? VPNC_DC_OVERHEAD_V2 : VPNC_DC_OVERHEAD_V1;
}

/* True once the send packet_id reached VPNC_DC_PID_REKEY: start a renegotiation. */
static inline bool vpnc_dc_wants_rekey(const struct vpnc_dc_key *k)
{
	return k->send_pid >= VPNC_DC_PID_REKEY;
}

/*
 * Encrypts len (>= 1) bytes into one packet in out (cap >= head_len + len).
 * Returns the packet length. in may be exactly out + vpnc_dc_head_len(k)
 * (in-place encryption with headroom); no other overlap is allowed.
 */
int vpnc_dc_encrypt(struct vpnc_dc_key *k, const uint8_t *in, size_t len, uint8_t *out,
                    size_t cap);

/*
 * Decrypts one whole P_DATA_V1/V2 packet (first byte included) into out
 * (cap >= payload length). Returns the plaintext length. The tag is verified
 * first, then the replay window is checked and updated. On any error out holds
 * unspecified bytes that must not be used. out may be exactly
 * pkt + (header + pid + tag) (in-place); no other overlap is allowed.
 */
int vpnc_dc_decrypt(struct vpnc_dc_key *k, const uint8_t *pkt, size_t len, uint8_t *out,
                    size_t cap);

/* For tests and benchmarks: sets the last packet_id sent (e.g. to check -EOVERFLOW). */
void vpnc_dc_set_send_pid(struct vpnc_dc_key *k, uint32_t last_sent);

/*
 * For benchmarks: keys a client/server pair for cipher from a fixed key block
 * (P_DATA_V2, peer-id 0, key_id 0). Packets from client decrypt on server and
 * vice versa. Returns as vpnc_dc_key_init().
 */
int vpnc_dc_bench_pair(const char *cipher, struct vpnc_dc_key *client, struct vpnc_dc_key *server);

#endif
