/*
 * logesc.h: escaping text that comes from the peer (INFO messages,
 * AUTH_FAILED reasons, AUTH_PENDING URLs, pushed option names, certificate
 * subjects) before it is put into a log line or an event reason, so that a
 * server cannot forge log lines or send terminal control sequences.
 *
 * Printable ASCII (0x20 to 0x7e) is copied, except the backslash, which
 * becomes "\\" so that an escape can never be faked; every other byte
 * (control characters, CR, LF, DEL, non-ASCII) becomes "\xNN".
 */
#ifndef VPNC_LOGESC_H
#define VPNC_LOGESC_H

#include <stddef.h>

/* The most bytes one input byte turns into. */
#define VPNC_LOGESC_MAX_PER_BYTE 4

/*
 * Writes the escaped form of in[0..len) to out, NUL-terminated, cutting it
 * at a whole escape if cap is too small. Returns the length written (without
 * the NUL); 0 if cap is 0. out and in must not overlap.
 */
size_t vpnc_log_escape(char *out, size_t cap, const char *in, size_t len);

#endif
