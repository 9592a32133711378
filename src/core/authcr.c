/*
 * authcr.c: owns the checked parsing of the server's authentication questions
 * (CRV1 in AUTH_FAILED; CR_TEXT, WEB_AUTH and OPEN_URL in INFO_PRE) and the
 * wire form of the answers (authcr.h). Pure functions: no state, no I/O.
 *
 * Fields are split at ':' the way OpenVPN 2.6 does it (misc.c
 * get_auth_challenge): flags, then the state id, then the user name; the
 * challenge text is the rest and may hold colons. Flags are read as 2.6
 * reads them: any 'E' means echo, any 'R' means a response is required,
 * other characters (the commas between them) are ignored.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/crypto.h>

#include "vpnc/authcr.h"
#include "core/b64.h"

static bool printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* Copies s[0..len) into out (cap incl. NUL) if it is printable and fits. */
static int copy_field(char *out, size_t cap, const char *s, size_t len)
{
	if (len >= cap)
		return -EMSGSIZE;
	if (!printable(s, len))
		return -EBADMSG;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

/* Takes the next ':'-terminated field of *s; false if there is no ':' left. */
static bool next_field(const char **s, size_t *len, const char **f, size_t *flen)
{
	const char *c = memchr(*s, ':', *len);
	if (c == NULL)
		return false;
	*f = *s;
	*flen = (size_t)(c - *s);
	*len -= *flen + 1;
	*s = c + 1;
	return true;
}

static unsigned parse_flags(const char *f, size_t len)
{
	unsigned flags = 0;
	for (size_t i = 0; i < len; i++) {
		if (f[i] == 'E')
			flags |= VPNC_AUTHCR_ECHO;
		else if (f[i] == 'R')
			flags |= VPNC_AUTHCR_RESPONSE;
	}
	return flags;
}

static bool has_prefix(const char *s, size_t len, const char *p)
{
	size_t pl = strlen(p);
	return len >= pl && memcmp(s, p, pl) == 0;
}

int vpnc_authcr_parse_crv1(const char *s, size_t len, struct vpnc_authcr *out)
{
	const char *f;
	size_t flen;
	int r;

	memset(out, 0, sizeof(*out));
	if (!has_prefix(s, len, "CRV1:"))
		return -ENOENT;
	s += 5;
	len -= 5;
	if (!next_field(&s, &len, &f, &flen))
		goto bad;
	out->flags = parse_flags(f, flen);
	if (!next_field(&s, &len, &f, &flen))
		goto bad;
	r = copy_field(out->state_id, sizeof(out->state_id), f, flen);
	if (r < 0)
		goto fail;
	if (!next_field(&s, &len, &f, &flen))
		goto bad;
	r = vpnc_b64_decode_name(f, flen, out->user, sizeof(out->user));
	if (r < 0)
		goto fail;
	r = copy_field(out->text, sizeof(out->text), s, len);
	if (r < 0)
		goto fail;
	out->kind = VPNC_AUTHCR_CRV1;
	return 0;
bad:
	r = -EBADMSG;
fail:
	vpnc_authcr_wipe(out);
	return r;
}

/* An http or https URL with something after the scheme. */
static bool web_url(const char *s, size_t len)
{
	size_t skip = has_prefix(s, len, "https://") ? 8 : has_prefix(s, len, "http://") ? 7 : 0;
	return skip > 0 && len > skip;
}

int vpnc_authcr_parse_info(const char *s, size_t len, struct vpnc_authcr *out)
{
	const char *f;
	size_t flen;
	int r;

	memset(out, 0, sizeof(*out));
	if (has_prefix(s, len, "CR_TEXT:")) {
		s += 8;
		len -= 8;
		if (!next_field(&s, &len, &f, &flen))
			return -EBADMSG;
		out->flags = parse_flags(f, flen);
		out->kind = VPNC_AUTHCR_CR_TEXT;
	} else if (has_prefix(s, len, "WEB_AUTH:")) {
		s += 9;
		len -= 9;
		if (!next_field(&s, &len, &f, &flen))
			return -EBADMSG;
		r = copy_field(out->web_flags, sizeof(out->web_flags), f, flen);
		if (r < 0)
			goto fail;
		out->kind = VPNC_AUTHCR_WEB_AUTH;
	} else if (has_prefix(s, len, "OPEN_URL:")) {
		s += 9;
		len -= 9;
		out->kind = VPNC_AUTHCR_OPEN_URL;
	} else {
		return -ENOENT;
	}
	r = copy_field(out->text, sizeof(out->text), s, len);
	if (r == 0 && out->kind != VPNC_AUTHCR_CR_TEXT && !web_url(s, len))
		r = -EPROTO;
	if (r == 0)
		return 0;
fail:
	vpnc_authcr_wipe(out);
	return r;
}

int vpnc_authcr_crv1_password(const struct vpnc_authcr *c, const char *response, char *out, size_t cap)
{
	size_t sl = strlen(c->state_id), rl = strlen(response);

	if (cap == 0)
		return -ENOSPC;
	if (6 + sl + 2 + rl >= cap) {
		OPENSSL_cleanse(out, cap);
		return -ENOSPC;
	}
	memcpy(out, "CRV1::", 6);
	memcpy(out + 6, c->state_id, sl);
	memcpy(out + 6 + sl, "::", 2);
	memcpy(out + 8 + sl, response, rl + 1);
	return (int)(8 + sl + rl);
}

int vpnc_authcr_cr_response(const char *response, char *out, size_t cap)
{
	static const char head[] = "CR_RESPONSE,";
	size_t hl = sizeof(head) - 1, rl = strlen(response);

	if (cap == 0)
		return -ENOSPC;
	if (rl >= VPNC_AUTHCR_RESPONSE_MAX || hl + vpnc_b64_len(rl) + 1 > cap) {
		OPENSSL_cleanse(out, cap);
		return -ENOSPC;
	}
	memcpy(out, head, hl);
	return (int)hl + vpnc_b64_encode(response, rl, out + hl, cap - hl);
}

void vpnc_authcr_wipe(struct vpnc_authcr *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
}
