/*
 * cfg_keyfile.c: decodes the key files OpenVPN writes with --genkey.
 *
 * "OpenVPN Static key V1" (tls-auth, tls-crypt): 256 bytes as hex between the
 * BEGIN/END markers; text outside the markers (comments) is ignored.
 * "OpenVPN tls-crypt-v2 client key": base64 between the markers; the first 256
 * bytes are Kc, the rest is the wrapped key WKc, whose last two bytes hold its
 * own length (network order).
 *
 * Decoded key bytes go straight into the caller's buffers; temporary copies are
 * wiped before return.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "vpnc/buf.h"
#include "config/cfg_internal.h"
#include "core/b64.h"

#define STATIC_KEY_BEGIN "-----BEGIN OpenVPN Static key V1-----"
#define STATIC_KEY_END "-----END OpenVPN Static key V1-----"
#define V2_CLIENT_BEGIN "-----BEGIN OpenVPN tls-crypt-v2 client key-----"
#define V2_CLIENT_END "-----END OpenVPN tls-crypt-v2 client key-----"
#define V2_SERVER_BEGIN "-----BEGIN OpenVPN tls-crypt-v2 server key-----"
#define V2_WKC_TAG_LEN 32   /* HMAC-SHA256 tag at the start of WKc */
#define V2_WKC_LENFIELD 2   /* trailing length of WKc */
#define V2_WKC_MIN (V2_WKC_TAG_LEN + VPNC_STATIC_KEY_LEN + V2_WKC_LENFIELD)
#define V2_DECODED_MAX (VPNC_STATIC_KEY_LEN + VPNC_MAX_WKC_LEN)

static bool key_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Finds needle in text[0..len) and returns its offset, or -1. */
static long key_find(const char *text, size_t len, const char *needle, size_t from)
{
	size_t nl = strlen(needle);

	for (size_t i = from; i + nl <= len; i++)
		if (memcmp(text + i, needle, nl) == 0)
			return (long)i;
	return -1;
}

/* Locates the body between begin and end markers. */
static int key_body(const char *text, size_t len, const char *begin, const char *end,
                    size_t *boff, size_t *blen)
{
	long b = key_find(text, len, begin, 0);
	long e;

	if (b < 0)
		return -EBADMSG;
	*boff = (size_t)b + strlen(begin);
	e = key_find(text, len, end, *boff);
	if (e < 0)
		return -EBADMSG;
	*blen = (size_t)e - *boff;
	return 0;
}

int vpnc_cfg_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int vpnc_cfg_static_key_decode(const char *text, size_t len, uint8_t out[VPNC_STATIC_KEY_LEN],
                               const char **why)
{
	struct vpnc_wr wr;
	size_t off, blen;
	int hi = -1;

	if (key_body(text, len, STATIC_KEY_BEGIN, STATIC_KEY_END, &off, &blen) < 0) {
		*why = "no '" STATIC_KEY_BEGIN "' ... '" STATIC_KEY_END "' block";
		return -EBADMSG;
	}
	vpnc_wr_init(&wr, out, VPNC_STATIC_KEY_LEN);
	for (size_t i = off; i < off + blen; i++) {
		int v;

		if (key_space(text[i]))
			continue;
		v = vpnc_cfg_hex_digit(text[i]);
		if (v < 0) {
			*why = "the static key holds a character that is not a hex digit";
			goto fail;
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (!vpnc_wr_u8(&wr, (uint8_t)(hi << 4 | v))) {
			*why = "the static key is longer than 2048 bits";
			goto fail;
		}
		hi = -1;
	}
	if (hi >= 0 || wr.len != VPNC_STATIC_KEY_LEN) {
		*why = "the static key is shorter than 2048 bits";
		goto fail;
	}
	return 0;
fail:
	OPENSSL_cleanse(out, VPNC_STATIC_KEY_LEN);
	return -EBADMSG;
}

int vpnc_cfg_tls_crypt_v2_decode(const char *text, size_t len, uint8_t kc[VPNC_STATIC_KEY_LEN],
                                 uint8_t *wkc, size_t *wkc_len, const char **why)
{
	uint8_t raw[V2_DECODED_MAX];
	size_t off, blen, rawlen = 0;
	struct vpnc_rd rd;
	uint16_t inner;
	const uint8_t *p;
	int ret = -EBADMSG;

	if (key_find(text, len, V2_SERVER_BEGIN, 0) >= 0) {
		*why = "this is a tls-crypt-v2 server key; a client needs a client key";
		return -EBADMSG;
	}
	if (key_body(text, len, V2_CLIENT_BEGIN, V2_CLIENT_END, &off, &blen) < 0) {
		*why = "no '" V2_CLIENT_BEGIN "' ... '" V2_CLIENT_END "' block";
		return -EBADMSG;
	}
	ret = vpnc_b64_decode(text + off, blen, raw, sizeof(raw), &rawlen, VPNC_B64_SPACE);
	if (ret < 0) {
		*why = ret == -ENOSPC ? "the tls-crypt-v2 client key is too long"
		                      : "the tls-crypt-v2 client key is not valid base64";
		ret = -EBADMSG;
		goto out;
	}
	ret = -EBADMSG;
	vpnc_rd_init(&rd, raw, rawlen);
	p = vpnc_rd_take(&rd, VPNC_STATIC_KEY_LEN);
	if (p == NULL || rd.left < V2_WKC_MIN || rd.left > VPNC_MAX_WKC_LEN) {
		*why = "the tls-crypt-v2 client key has a bad length";
		goto out;
	}
	inner = vpnc_get_u16(rd.p + rd.left - V2_WKC_LENFIELD);
	if (inner != rd.left) {
		*why = "the wrapped client key's length field does not match its size";
		goto out;
	}
	memcpy(kc, p, VPNC_STATIC_KEY_LEN);
	memcpy(wkc, rd.p, rd.left);
	*wkc_len = rd.left;
	ret = 0;
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	return ret;
}
