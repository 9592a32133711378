/*
 * kdf.h: data-channel key derivation, as OpenVPN 2.6 does it
 * (generate_key_expansion() in src/openvpn/ssl.c; TLS-EKM is RFC 5705).
 *
 * Both methods give a 256-byte key block in the static-key layout:
 *   [0..64)    client->server cipher key      [64..128)  client->server HMAC key / implicit IV
 *   [128..192) server->client cipher key      [192..256) server->client HMAC key / implicit IV
 * Method A (OpenVPN 2.6 default) is TLS-EKM, label "EXPORTER-OpenVPN-datakeys",
 * no context; method B is the legacy OpenVPN PRF (TLS 1.0 PRF).
 *
 * All outputs are secrets: callers wipe them with OPENSSL_cleanse() after use.
 * The functions keep no state and wipe their own intermediates.
 * Return codes: 0, -EINVAL (bad argument), -EIO (OpenSSL failure, e.g. MD5
 * unavailable in FIPS mode).
 */
#ifndef VPNC_KDF_H
#define VPNC_KDF_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#define VPNC_KEY_BLOCK 256
#define VPNC_KDF_PRE_MASTER 48
#define VPNC_KDF_RANDOM 32
#define VPNC_KDF_SID 8
#define VPNC_KDF_MASTER 48
#define VPNC_KDF_EKM_LABEL "EXPORTER-OpenVPN-datakeys"
#define VPNC_KDF_DYN_TLS_CRYPT_LABEL "EXPORTER-OpenVPN-dynamic-tls-crypt"

/*
 * The TLS 1.0 PRF: P_MD5(S1, seed) XOR P_SHA1(S2, seed), where S1 is the first
 * and S2 the last ceil(secret_len / 2) bytes of the secret. The label, if any,
 * is part of seed. out_len may be any size.
 */
int vpnc_kdf_prf(const uint8_t *secret, size_t secret_len, const uint8_t *seed, size_t seed_len,
                 uint8_t *out, size_t out_len);

/*
 * Key-method-2 PRF derivation:
 *   master = PRF(pre_master, "OpenVPN master secret" || c_rand1 || s_rand1, 48)
 *   block  = PRF(master, "OpenVPN key expansion" || c_rand2 || s_rand2 || client_sid || server_sid, 256)
 */
int vpnc_kdf_openvpn_prf(const uint8_t pre_master[48], const uint8_t c_rand1[32],
                         const uint8_t s_rand1[32], const uint8_t c_rand2[32],
                         const uint8_t s_rand2[32], const uint8_t client_sid[8],
                         const uint8_t server_sid[8], uint8_t out[VPNC_KEY_BLOCK]);

/* TLS-EKM with no context (RFC 5705): SSL_export_keying_material(ssl, out, len, label, strlen(label), NULL, 0, 0). */
int vpnc_kdf_ekm(SSL *ssl, const char *label, uint8_t *out, size_t len);

#endif
