/*
 * b64.h: base64 (RFC 4648 section 4, the standard alphabet with '=' padding),
 * the one encoder and the one strict decoder of the program: the config
 * reader (inline PKCS#12, tls-crypt-v2 client keys), the server's
 * authentication questions (CRV1 user names, auth-token-user), and the
 * answers and headers vpnc sends (SCRV1, CR_RESPONSE, HTTP Basic). Pure: no
 * I/O, no allocation; the caller owns every buffer and wipes its secrets.
 */
#ifndef VPNC_CORE_B64_H
#define VPNC_CORE_B64_H

#include <stddef.h>
#include <stdint.h>

/* Decoder flags. */
#define VPNC_B64_SPACE    0x1u /* ASCII white space anywhere is skipped (a PEM-like body) */
#define VPNC_B64_ANY_BITS 0x2u /* the unused bits of a padded last quad may be non-zero (as OpenSSL reads it) */

/* Characters the encoding of n bytes takes, NUL not included. */
static inline size_t vpnc_b64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

/*
 * Encodes in[0..len) into out (cap bytes) as one line, NUL-terminated.
 * Returns the text's length, or -ENOSPC when it does not fit (out is left
 * untouched).
 */
int vpnc_b64_encode(const void *in, size_t len, char *out, size_t cap);

/*
 * Decodes text[0..len): whole quads of the alphabet, '=' only as the last one
 * or two characters of the last quad, nothing after it (but white space with
 * VPNC_B64_SPACE); an empty text is zero bytes. Writes the bytes into out
 * (cap) and their count into *outlen. Returns 0, -EBADMSG for text that is not
 * base64, or -ENOSPC when the bytes do not fit; on an error what was written
 * into out is wiped.
 */
int vpnc_b64_decode(const char *text, size_t len, uint8_t *out, size_t cap, size_t *outlen, unsigned flags);

/*
 * Decodes text[0..len) (strict, VPNC_B64_ANY_BITS) into a NUL-terminated name
 * in out (cap incl. NUL) that holds no NUL or other control byte (bytes from
 * 0x80 up pass: UTF-8). Returns 0, -EBADMSG, or -EMSGSIZE when it does not
 * fit; on an error out is wiped.
 */
int vpnc_b64_decode_name(const char *text, size_t len, char *out, size_t cap);

#endif
