/*
 * dc_hmac.c: HMAC (RFC 2104) over precomputed inner and outer hash states.
 *
 * This file uses OpenSSL's low-level SHA functions, deprecated in 3.0, on
 * purpose: they keep the hash state in a plain struct that can be copied, so
 * each packet costs two struct copies and no allocation, where every EVP route
 * in OpenSSL 3.0 allocates when it re-initialises a context. The results are
 * checked against OpenSSL's HMAC() in tests/unit/test_datachan.c.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <errno.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "core/dc_hmac.h"

#define HMAC_IPAD 0x36
#define HMAC_OPAD 0x5c
#define HMAC_MAX_BLOCK 128

enum hmac_alg {
	ALG_NONE = 0,
	ALG_SHA1,
	ALG_SHA224,
	ALG_SHA256,
	ALG_SHA384,
	ALG_SHA512,
};

struct hmac_digest {
	const char *name; /* canonical OpenVPN name */
	uint8_t alg;
	uint8_t len;   /* digest length, also the HMAC key length OpenVPN uses */
	uint8_t block; /* hash block size */
};

static const struct hmac_digest digests[] = {
	{"SHA1", ALG_SHA1, 20, 64},
	{"SHA224", ALG_SHA224, 28, 64},
	{"SHA256", ALG_SHA256, 32, 64},
	{"SHA384", ALG_SHA384, 48, 128},
	{"SHA512", ALG_SHA512, 64, 128},
};

union hash_ctx {
	SHA_CTX s1;
	SHA256_CTX s256;
	SHA512_CTX s512;
};

_Static_assert(sizeof(union hash_ctx) <= VPNC_DC_HMAC_STATE, "VPNC_DC_HMAC_STATE too small");

static const struct hmac_digest *digest_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(digests) / sizeof(digests[0]); i++)
		if (strcasecmp(name, digests[i].name) == 0)
			return &digests[i];
	return NULL;
}

int vpnc_dc_hmac_lookup(const char *name, const char **canonical)
{
	const struct hmac_digest *d = digest_find(name);
	if (d == NULL)
		return -ENOENT;
	if (canonical != NULL)
		*canonical = d->name;
	return d->len;
}

static void hash_init(uint8_t alg, union hash_ctx *c)
{
	switch (alg) {
	case ALG_SHA1:
		SHA1_Init(&c->s1);
		break;
	case ALG_SHA224:
		SHA224_Init(&c->s256);
		break;
	case ALG_SHA256:
		SHA256_Init(&c->s256);
		break;
	case ALG_SHA384:
		SHA384_Init(&c->s512);
		break;
	default:
		SHA512_Init(&c->s512);
		break;
	}
}

static void hash_update(uint8_t alg, union hash_ctx *c, const uint8_t *p, size_t len)
{
	switch (alg) {
	case ALG_SHA1:
		SHA1_Update(&c->s1, p, len);
		break;
	case ALG_SHA224:
	case ALG_SHA256:
		SHA256_Update(&c->s256, p, len);
		break;
	default:
		SHA512_Update(&c->s512, p, len);
		break;
	}
}

static void hash_final(uint8_t alg, union hash_ctx *c, uint8_t *out)
{
	switch (alg) {
	case ALG_SHA1:
		SHA1_Final(out, &c->s1);
		break;
	case ALG_SHA224:
		SHA224_Final(out, &c->s256);
		break;
	case ALG_SHA256:
		SHA256_Final(out, &c->s256);
		break;
	case ALG_SHA384:
		SHA384_Final(out, &c->s512);
		break;
	default:
		SHA512_Final(out, &c->s512);
		break;
	}
}

/* A state starts wiped, so a failed init leaves nothing of an earlier key. */
static void hmac_clear(struct vpnc_dc_hmac *h)
{
	OPENSSL_cleanse(h, sizeof(*h));
}

int vpnc_dc_hmac_init(struct vpnc_dc_hmac *h, const char *name, const uint8_t *key)
{
	const struct hmac_digest *d = digest_find(name);
	uint8_t pad[HMAC_MAX_BLOCK];
	union hash_ctx c;

	hmac_clear(h);
	if (d == NULL || key == NULL)
		return -ENOENT;
	/* The key (L bytes) is never longer than the hash block, so it is used as is. */
	memset(pad, HMAC_IPAD, d->block);
	for (size_t i = 0; i < d->len; i++)
		pad[i] ^= key[i];
	hash_init(d->alg, &c);
	hash_update(d->alg, &c, pad, d->block);
	memcpy(h->inner, &c, sizeof(c));
	for (size_t i = 0; i < d->block; i++)
		pad[i] ^= HMAC_IPAD ^ HMAC_OPAD;
	hash_init(d->alg, &c);
	hash_update(d->alg, &c, pad, d->block);
	memcpy(h->outer, &c, sizeof(c));
	h->alg = d->alg;
	h->len = d->len;
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(&c, sizeof(c));
	return 0;
}

void vpnc_dc_hmac_mac(const struct vpnc_dc_hmac *h, const uint8_t *data, size_t len,
                      uint8_t mac[VPNC_DC_HMAC_MAX])
{
	uint8_t ih[VPNC_DC_HMAC_MAX];
	union hash_ctx c;

	memcpy(&c, h->inner, sizeof(c));
	hash_update(h->alg, &c, data, len);
	hash_final(h->alg, &c, ih);
	memcpy(&c, h->outer, sizeof(c));
	hash_update(h->alg, &c, ih, h->len);
	hash_final(h->alg, &c, mac);
	OPENSSL_cleanse(&c, sizeof(c));
	OPENSSL_cleanse(ih, sizeof(ih));
}
