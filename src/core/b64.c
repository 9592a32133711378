/*
 * b64.c: owns base64 (b64.h), RFC 4648 section 4. The decoder is strict
 * (whole quads, padding only at the end) because what it reads comes from a
 * peer or a profile: anything else is refused, never guessed at.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/b64.h"

static const char b64_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int vpnc_b64_encode(const void *in, size_t len, char *out, size_t cap)
{
	const uint8_t *p = in;
	size_t n = vpnc_b64_len(len), o = 0;

	if (len > (size_t)0x7fffffff / 4 * 3 - 3 || n >= cap)
		return -ENOSPC;
	for (size_t i = 0; i < len; i += 3) {
		size_t left = len - i;
		uint32_t v = (uint32_t)p[i] << 16 | (left > 1 ? (uint32_t)p[i + 1] << 8 : 0) |
		             (left > 2 ? (uint32_t)p[i + 2] : 0);

		out[o++] = b64_alpha[v >> 18 & 63];
		out[o++] = b64_alpha[v >> 12 & 63];
		out[o++] = left > 1 ? b64_alpha[v >> 6 & 63] : '=';
		out[o++] = left > 2 ? b64_alpha[v & 63] : '=';
	}
	out[o] = '\0';
	return (int)o;
}

static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static bool b64_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * One quad q[0..3] into 1 to 3 bytes at out + *w. Returns the number of
 * '=' (0 to 2), or -EBADMSG, or -ENOSPC.
 */
static int b64_quad(const char q[4], uint8_t *out, size_t cap, size_t *w, unsigned flags)
{
	int pad = q[3] == '=' ? (q[2] == '=' ? 2 : 1) : 0;
	uint32_t acc = 0;

	for (int i = 0; i < 4 - pad; i++) {
		int v = b64_val(q[i]);

		if (v < 0)
			return -EBADMSG;
		acc |= (uint32_t)v << (18 - 6 * i);
	}
	/* The bits of the last character that no byte takes (4 with "==", 2 with "="). */
	if (!(flags & VPNC_B64_ANY_BITS) && (acc & (pad == 2 ? 0xffffu : pad == 1 ? 0xffu : 0)) != 0)
		return -EBADMSG;
	if (cap - *w < (size_t)(3 - pad))
		return -ENOSPC;
	out[(*w)++] = (uint8_t)(acc >> 16);
	if (pad < 2)
		out[(*w)++] = (uint8_t)(acc >> 8);
	if (pad < 1)
		out[(*w)++] = (uint8_t)acc;
	return pad;
}

int vpnc_b64_decode(const char *text, size_t len, uint8_t *out, size_t cap, size_t *outlen, unsigned flags)
{
	char q[4];
	size_t w = 0;
	int nq = 0, r = 0;
	bool done = false;

	for (size_t i = 0; i < len && r >= 0; i++) {
		if ((flags & VPNC_B64_SPACE) && b64_space(text[i]))
			continue;
		if (done) {
			r = -EBADMSG; /* something after the padded last quad */
			break;
		}
		q[nq++] = text[i];
		if (nq == 4) {
			r = b64_quad(q, out, cap, &w, flags);
			done = r > 0;
			nq = 0;
		}
	}
	if (r >= 0 && nq != 0)
		r = -EBADMSG;
	if (r < 0) {
		OPENSSL_cleanse(out, w);
		return r;
	}
	*outlen = w;
	return 0;
}

int vpnc_b64_decode_name(const char *text, size_t len, char *out, size_t cap)
{
	size_t n = 0;
	int r;

	if (cap == 0)
		return -EMSGSIZE;
	r = vpnc_b64_decode(text, len, (uint8_t *)out, cap - 1, &n, VPNC_B64_ANY_BITS);
	for (size_t i = 0; r == 0 && i < n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			r = -EBADMSG;
	if (r < 0) {
		OPENSSL_cleanse(out, cap);
		return r == -ENOSPC ? -EMSGSIZE : r;
	}
	out[n] = '\0';
	return 0;
}
