/*
 * nm-vpnc-ovpn-scan.c: owns reading, from a profile made self-contained by
 * `vpnc --inline-config`, which secrets it will need under NetworkManager:
 * a password (a bare auth-user-pass line, or an <auth-user-pass> block with
 * no password line), a key passphrase (an encrypted PEM key in <key>) and a
 * one-time code (a static-challenge line); and the device type its dev and
 * dev-type lines ask for, by 2.6's rule (dev_type_enum() in OpenVPN's tun.c).
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

/*
 * If the line is "WORD VALUE ..." (blanks before, VALUE possibly in one pair
 * of quotes), points *v at VALUE and returns its length; else -1.
 */
static long scan_option(const char *s, size_t n, const char *word, const char **v)
{
	size_t w = strlen(word), i = 0, start;
	char q = 0;

	while (i < n && scan_blank(s[i]))
		i++;
	if (n - i <= w || memcmp(s + i, word, w) != 0 || !scan_blank(s[i + w]))
		return -1;
	i += w;
	while (i < n && scan_blank(s[i]))
		i++;
	if (i < n && (s[i] == '"' || s[i] == '\''))
		q = s[i++];
	start = i;
	while (i < n && (q ? s[i] != q : !scan_blank(s[i])))
		i++;
	*v = s + start;
	return (long)(i - start);
}

void vpnc_nm_scan_profile(const char *text, size_t len, struct vpnc_nm_scan *out)
{
	enum { OUTSIDE, IN_KEY, IN_AUP } where = OUTSIDE;
	size_t pos = 0, aup_lines = 0;
	int dev_tap = 0, type_tap = -1; /* the last dev (1 = tap...), the last dev-type (-1 = none) */
	const char *v;
	long vn;

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
			else if ((vn = scan_option(line, n, "dev", &v)) >= 0)
				dev_tap = vn >= 3 && memcmp(v, "tap", 3) == 0;
			else if ((vn = scan_option(line, n, "dev-type", &v)) >= 0)
				type_tap = vn == 3 && memcmp(v, "tap", 3) == 0;
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
	out->tap = type_tap >= 0 ? type_tap == 1 : dev_tap == 1;
}
