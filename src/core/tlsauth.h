/*
 * tlsauth.h: tls-auth HMAC wrapping of control packets (OpenVPN 2.6:
 * src/openvpn/ssl_pkt.c for the wrapping, key_direction_state_init() in
 * src/openvpn/crypto.c for which half of the key each side uses).
 *
 * Wire form of a wrapped packet (L = digest size: SHA1 20, SHA256 32, SHA512 64):
 *
 *   op|kid (1) | own sid (8) | HMAC (L) | replay id (4) | replay time (4) | rest
 *
 *   HMAC = HMAC-<digest>(K_send, replay id || replay time || op|kid || own sid || rest)
 *
 * The unwrapped form is op|kid (1) | own sid (8) | rest, as for tls-crypt.
 *
 * Key selection from the 256-byte static key K: key_direction is the value
 * configured for THIS endpoint (the d in `tls-auth ta.key d`):
 *   d = 0  send K[64..64+L),  receive K[192..192+L)   (usual server setting)
 *   d = 1  send K[192..192+L), receive K[64..64+L)    (usual client setting)
 *   d = -1 send and receive K[64..64+L)               (no key-direction)
 * A server configured with d talks to a client configured with the other
 * direction; server_role does not change the selection and is kept only for
 * symmetry with tls-crypt.
 *
 * Ownership and return codes as in tlscrypt.h: new() allocates, free() wipes;
 *   -EINVAL short input / bad argument (unknown digest, direction not -1..1),
 *   -ENOSPC out too small, -EBADMSG bad HMAC, -EALREADY replay,
 *   -EOVERFLOW send counter exhausted, -ENOMEM / -EIO allocation or OpenSSL.
 */
#ifndef VPNC_TLSAUTH_H
#define VPNC_TLSAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/replay.h"

#define VPNC_TLSAUTH_OPSID 9   /* op|kid (1) + session id (8) */
#define VPNC_TLSAUTH_PID 8     /* replay id (4) + replay time (4) */
#define VPNC_TLSAUTH_MAX_HMAC 64

struct vpnc_tlsauth;

/* digest: "SHA1", "SHA256" or "SHA512" (also SHA224/SHA384; case-insensitive). */
int vpnc_tlsauth_new(struct vpnc_tlsauth **out, const uint8_t key[256], const char *digest,
                     int key_direction, bool server_role, uint32_t now_unix);
void vpnc_tlsauth_free(struct vpnc_tlsauth *t);

/* Wraps op|kid | sid | rest into out; returns in_len + L + 8. New replay id per call. No overlap. */
int vpnc_tlsauth_wrap(struct vpnc_tlsauth *t, const uint8_t *in, size_t in_len, uint8_t *out,
                      size_t cap);

/* Verifies (constant time), checks and records the replay id, writes op|kid | sid | rest. No overlap. */
int vpnc_tlsauth_unwrap(struct vpnc_tlsauth *t, const uint8_t *in, size_t in_len, uint8_t *out,
                        size_t cap);

#endif
