/*
 * dc_hmac.h: HMAC for the CBC data channel without a heap allocation per packet.
 *
 * OpenSSL 3.0's EVP_MAC and EVP_MD contexts allocate on every re-initialisation
 * (measured: two allocations per HMAC with EVP_MAC_init(ctx, NULL, ...)), so the
 * data path keeps its own HMAC: the inner and outer hash states after the
 * ipad/opad block are computed once per key and copied per packet. Digests:
 * SHA1, SHA224, SHA256, SHA384, SHA512 (names case-insensitive).
 *
 * Ownership: a struct vpnc_dc_hmac is embedded by its owner, holds secret state,
 * and is wiped with the data-channel key that embeds it (vpnc_dc_key_clear()).
 * It allocates nothing.
 */
#ifndef VPNC_DC_HMAC_H
#define VPNC_DC_HMAC_H

#include <stddef.h>
#include <stdint.h>

#define VPNC_DC_HMAC_MAX 64      /* largest digest (SHA512) */
#define VPNC_DC_HMAC_STATE 224   /* room for one hash state (sizeof(SHA512_CTX) = 216) */

struct vpnc_dc_hmac {
	uint64_t inner[VPNC_DC_HMAC_STATE / 8]; /* hash state after key ^ ipad (secret) */
	uint64_t outer[VPNC_DC_HMAC_STATE / 8]; /* hash state after key ^ opad (secret) */
	uint8_t alg;                            /* internal digest id; 0 = not keyed */
	uint8_t len;                            /* digest length L */
};

/* Returns the digest length for a supported name and sets *canonical (may be NULL); -ENOENT otherwise. */
int vpnc_dc_hmac_lookup(const char *name, const char **canonical);

/* Keys h with the first L bytes of key (key must hold at least L bytes). Returns 0 or -ENOENT. */
int vpnc_dc_hmac_init(struct vpnc_dc_hmac *h, const char *name, const uint8_t *key);

/* Writes HMAC(key, data) (L bytes) to mac. h must be keyed. */
void vpnc_dc_hmac_mac(const struct vpnc_dc_hmac *h, const uint8_t *data, size_t len,
                      uint8_t mac[VPNC_DC_HMAC_MAX]);

#endif
