/*
 * scrv1.h: the password field a static challenge sends (OpenVPN's
 * 'static-challenge'): "SCRV1:" base64(password) ":" base64(response), or,
 * with FORMAT 'concat', the password with the response appended. Pure: no
 * I/O, no allocation; the caller owns and wipes every buffer.
 */
#ifndef VPNC_CORE_SCRV1_H
#define VPNC_CORE_SCRV1_H

#include <stdbool.h>
#include <stddef.h>

/* Room the encoding of a password and a response of these lengths needs, NUL included. */
size_t vpnc_scrv1_len(size_t pass_len, size_t resp_len, bool concat);

/*
 * Writes the field for pass and resp into out (cap bytes, NUL-terminated).
 * Returns its length, or -ENOSPC when it does not fit (out is then wiped).
 */
int vpnc_scrv1_encode(const char *pass, const char *resp, bool concat, char *out, size_t cap);

#endif
