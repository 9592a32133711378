/*
 * nm-vpnc-ovpn-scan.c: owns reading, from a profile made self-contained by
 * `vpnc --inline-config`, which secrets it will need under NetworkManager:
 * a password (a bare auth-user-pass line, or an <auth-user-pass> block with
 * no password line), a key passphrase (an encrypted PEM key in <key>) and a
 * one-time code (a static-challenge line).
 * The editor plugin's import declares those secrets (nm-vpnc-ovpn-editor.c).
 * Plain C over a bounded buffer, no GLib, so tests/fuzz/fuzz_nmscan.c runs
 * it on arbitrary bytes.
 */
#include <stdbool.h>
#include <string.h>

#include "nm-vpnc-ovpn-scan.h"

static bool scan_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Whether the n bytes at s, blanks trimmed, are exactly word. */
static bool scan_is(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);

	while (n > 0 && scan_blank(*s))
		s++, n--;
	while (n > 0 && scan_blank(s[n - 1]))
		n--;
	return n == w && memcmp(s, word, w) == 0;
}

static bool scan_has(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);

	for (size_t i = 0; i + w <= n; i++)
		if (memcmp(s + i, word, w) == 0)
			return true;
	return false;
}

static bool scan_empty(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!scan_blank(s[i]))
			return false;
	return true;
}

void vpnc_nm_scan_profile(const char *text, size_t len, struct vpnc_nm_scan *out)
{
	enum { OUTSIDE, IN_KEY, IN_AUP } where = OUTSIDE;
	size_t pos = 0, aup_lines = 0;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - line) : len - pos;

		pos += n + (nl != NULL ? 1 : 0);
		switch (where) {
		case OUTSIDE:
			if (scan_is(line, n, "<key>"))
				where = IN_KEY;
			else if (scan_is(line, n, "<auth-user-pass>"))
				where = IN_AUP, aup_lines = 0;
			else if (scan_is(line, n, "auth-user-pass"))
				out->password = true;
			else if (n >= 17 && memcmp(line, "static-challenge ", 17) == 0)
				out->challenge = true;
			break;
		case IN_KEY:
			if (scan_is(line, n, "</key>"))
				where = OUTSIDE;
			else if (scan_has(line, n, "ENCRYPTED")) /* PKCS#8 or the old Proc-Type header */
				out->key_pass = true;
			break;
		case IN_AUP:
			if (scan_is(line, n, "</auth-user-pass>")) {
				/* A username alone: OpenVPN asks for the password. */
				if (aup_lines < 2)
					out->password = true;
				where = OUTSIDE;
			} else if (!scan_empty(line, n)) {
				aup_lines++;
			}
			break;
		}
	}
}
