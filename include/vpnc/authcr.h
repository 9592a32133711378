/*
 * authcr.h: the questions an OpenVPN server asks during authentication, in
 * their checked form, and the wire form of the answers.
 *
 * - A dynamic challenge (CRV1) ends a session: AUTH_FAILED,CRV1:flags:state:
 *   base64(user):text. The client reconnects with the decoded user name and
 *   the password "CRV1::state::response".
 * - During pending authentication (AUTH_PENDING) the server's INFO_PRE
 *   carries CR_TEXT:flags:text (answered with CR_RESPONSE,base64(response)
 *   on the same session), WEB_AUTH:flags:url or OPEN_URL:url (the user signs
 *   in with a browser; the server then lets the session go on).
 *
 * Formats: OpenVPN's management-notes.txt ("Challenge/Response Protocol",
 * "client-pending-auth"), https://github.com/OpenVPN/openvpn/blob/release/2.6/doc/management-notes.txt
 *
 * Every field is checked before it is stored: printable ASCII only, bounded
 * lengths, a decoded user name without control bytes, a URL with an http or
 * https scheme. The caller still escapes text for display (logesc.h): a
 * backslash is printable but ambiguous in a log line.
 */
#ifndef VPNC_AUTHCR_H
#define VPNC_AUTHCR_H

#include <stddef.h>

#define VPNC_AUTHCR_STATE_MAX 256  /* CRV1 state id, incl. NUL */
#define VPNC_AUTHCR_USER_MAX 256   /* decoded CRV1 user name, incl. NUL */
#define VPNC_AUTHCR_TEXT_MAX 1024  /* challenge text or URL, incl. NUL */
#define VPNC_AUTHCR_FLAGS_MAX 128  /* WEB_AUTH flags as sent (e.g. "external"), incl. NUL */
/* Longest response accepted from the user, incl. NUL (OpenVPN's USER_PASS_LEN is 128 on most builds). */
#define VPNC_AUTHCR_RESPONSE_MAX 512

enum vpnc_authcr_kind {
	VPNC_AUTHCR_NONE = 0,
	VPNC_AUTHCR_CRV1,      /* AUTH_FAILED,CRV1:...: reconnect with the response */
	VPNC_AUTHCR_CR_TEXT,   /* INFO_PRE,CR_TEXT:...: answer with CR_RESPONSE */
	VPNC_AUTHCR_WEB_AUTH,  /* INFO_PRE,WEB_AUTH:flags:url */
	VPNC_AUTHCR_OPEN_URL,  /* INFO_PRE,OPEN_URL:url (deprecated form of WEB_AUTH) */
};

/* Challenge flags (CRV1 and CR_TEXT): E and R. */
#define VPNC_AUTHCR_ECHO (1u << 0)      /* show the response while it is typed */
#define VPNC_AUTHCR_RESPONSE (1u << 1)  /* a response is required */

struct vpnc_authcr {
	enum vpnc_authcr_kind kind;
	unsigned flags;                          /* VPNC_AUTHCR_ECHO | VPNC_AUTHCR_RESPONSE */
	char state_id[VPNC_AUTHCR_STATE_MAX];    /* CRV1: opaque, no ':' */
	char user[VPNC_AUTHCR_USER_MAX];         /* CRV1: the decoded user name */
	char web_flags[VPNC_AUTHCR_FLAGS_MAX];   /* WEB_AUTH: the flags as sent */
	char text[VPNC_AUTHCR_TEXT_MAX];         /* the challenge text, or the URL */
};

/*
 * Parses the text after "AUTH_FAILED," when it starts with "CRV1:". Returns
 * 0 and fills *out, -ENOENT if it is not a CRV1 challenge, -EBADMSG if it is
 * malformed (a missing field, bad base64, a control byte in the user name),
 * -EMSGSIZE if a field is too long. *out is cleared first in every case.
 */
int vpnc_authcr_parse_crv1(const char *s, size_t len, struct vpnc_authcr *out);

/*
 * Parses the text of an INFO_PRE (or INFO) message: CR_TEXT:flags:text,
 * WEB_AUTH:flags:url or OPEN_URL:url. Returns 0 and fills *out, -ENOENT when
 * it is none of these (plain information), -EBADMSG when one of them is
 * malformed, -EPROTO for a URL whose scheme is not http or https, -EMSGSIZE
 * when a field is too long.
 */
int vpnc_authcr_parse_info(const char *s, size_t len, struct vpnc_authcr *out);

/*
 * Writes "CRV1::<state>::<response>" (the password that answers a CRV1
 * challenge) into out. Returns its length, or -ENOSPC (out is then wiped).
 */
int vpnc_authcr_crv1_password(const struct vpnc_authcr *c, const char *response, char *out, size_t cap);

/*
 * Writes "CR_RESPONSE,<base64(response)>" into out. Returns its length, or
 * -ENOSPC (out is then wiped).
 */
int vpnc_authcr_cr_response(const char *response, char *out, size_t cap);

/* Wipes a challenge (its state id and user name are secrets of a kind). */
void vpnc_authcr_wipe(struct vpnc_authcr *c);

#endif
