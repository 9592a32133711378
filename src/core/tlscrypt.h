/*
 * tlscrypt.h: tls-crypt wrapping of control packets (OpenVPN 2.6:
 * src/openvpn/tls_crypt.c and the layout described in tls_crypt.h).
 *
 * Used for tls-crypt, tls-crypt-v2 (with the client key Kc) and dynamic
 * tls-crypt (with the EKM-derived key). Wire form of a wrapped packet:
 *
 *   op|kid (1) | own sid (8) | replay id (4) | replay time (4) | tag (32) | ENC(rest)
 *
 *   header = the first 17 bytes
 *   tag    = HMAC-SHA256(Ka, header || rest)
 *   ENC    = AES-256-CTR(Ke, IV = tag[0..16)), no padding
 *
 * The unwrapped form used by the rest of the core is the packet as it would be
 * with no wrapping: op|kid (1) | own sid (8) | rest (ack block, msg-id, payload).
 *
 * Key slots of the 256-byte static key K (layout 6.1): the client sends with
 * Ke = K[128..160) and Ka = K[192..224) and receives with Ke = K[0..32) and
 * Ka = K[64..96); the server role is the inverse.
 *
 * tls-crypt-v2: for opcodes 10 (HARD_RESET_CLIENT_V3) and 11 (CONTROL_WKC_V1)
 * the CALLER appends the wrapped client key WKc, unencrypted, right after the
 * wrapped packet returned by vpnc_tlscrypt_wrap(); nothing may follow WKc.
 * The client starts its send counter at 0x0F000000 so the server recognises
 * early negotiation (first id on the wire 0x0F000001).
 *
 * Ownership: vpnc_tlscrypt_new() allocates the context, which holds copies of
 * the keys inside OpenSSL contexts; vpnc_tlscrypt_free() frees and wipes it.
 * The caller's key buffer is not kept and may be wiped right after new().
 * Return codes: lengths (>= 0) on success, otherwise
 *   -EINVAL    input too short (or NULL arguments)
 *   -ENOSPC    out is too small
 *   -EBADMSG   authentication failed (unwrap)
 *   -EALREADY  replayed or too old replay id (unwrap, after a valid tag)
 *   -EOVERFLOW the send counter is exhausted (wrap); start a new session
 *   -ENOMEM / -EIO  allocation or OpenSSL failure
 * Not thread-safe: one context belongs to one session.
 */
#ifndef VPNC_TLSCRYPT_H
#define VPNC_TLSCRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/replay.h"

#define VPNC_TLSCRYPT_KEY 256      /* static key file size */
#define VPNC_TLSCRYPT_OPSID 9      /* op|kid (1) + session id (8) */
#define VPNC_TLSCRYPT_PID 8        /* replay id (4) + replay time (4) */
#define VPNC_TLSCRYPT_HDR 17       /* op|kid(1) sid(8) pid(4) time(4) */
#define VPNC_TLSCRYPT_TAG 32       /* HMAC-SHA256 */
#define VPNC_TLSCRYPT_IV 16        /* first 16 tag bytes are the CTR IV */
#define VPNC_TLSCRYPT_OVERHEAD (8 + 32)
#define VPNC_TLSCRYPT_MIN (VPNC_TLSCRYPT_HDR + VPNC_TLSCRYPT_TAG) /* 49 */
#define VPNC_TLSCRYPT_V2_FIRST_ID 0x0F000000u

struct vpnc_tlscrypt;

/*
 * Creates a context. server_role selects the key slots (see above).
 * first_send_id is the counter start (0 normally, VPNC_TLSCRYPT_V2_FIRST_ID
 * for a tls-crypt-v2 client); the first id sent is first_send_id + 1.
 * now_unix is the replay time written into every packet of this context.
 * Returns 0 or a negative errno; *out is NULL on failure.
 */
int vpnc_tlscrypt_new(struct vpnc_tlscrypt **out, const uint8_t key[256], bool server_role,
                      uint32_t first_send_id, uint32_t now_unix);

/* Frees t (NULL is fine); every key copy is wiped. */
void vpnc_tlscrypt_free(struct vpnc_tlscrypt *t);

/*
 * Wraps one control packet. in = op|kid | own sid | rest (at least 9 bytes).
 * Writes op|kid | sid | pid | time | tag | ENC(rest) into out (cap bytes) and
 * returns its length (in_len + 40). Uses a new replay id on every call,
 * including retransmits. in and out must not overlap.
 */
int vpnc_tlscrypt_wrap(struct vpnc_tlscrypt *t, const uint8_t *in, size_t in_len, uint8_t *out,
                       size_t cap);

/*
 * Unwraps one packet from the peer (WKc, if any, already removed by the
 * caller). Verifies the tag in constant time, then the replay window, and only
 * then records the replay id. On success writes op|kid | sid | rest into out
 * and returns its length (in_len - 40). On failure out holds nothing useful
 * (decrypted bytes are wiped). in and out must not overlap.
 */
int vpnc_tlscrypt_unwrap(struct vpnc_tlscrypt *t, const uint8_t *in, size_t in_len, uint8_t *out,
                         size_t cap);

#endif
