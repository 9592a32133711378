/*
 * test_b64.c: base64 (b64.h) against the test vectors of RFC 4648 section
 * 10, both ways; the strict decoder's refusals (a broken quad, padding in the
 * middle, bits the encoding leaves unused set, text after the padding); white
 * space only with VPNC_B64_SPACE; the buffer limits; and the name decoder's
 * refusal of control bytes.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/b64.h"

#include "../check.h"

static int dec(const char *t, uint8_t *out, size_t cap, size_t *n, unsigned flags)
{
	return vpnc_b64_decode(t, strlen(t), out, cap, n, flags);
}

static void test_rfc4648(void)
{
	static const char *const vec[][2] = {
		{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
		{"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
	};
	char text[16];
	uint8_t raw[16];
	size_t n;

	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		size_t rl = strlen(vec[i][0]);

		CHECK(vpnc_b64_len(rl) == strlen(vec[i][1]));
		CHECK(vpnc_b64_encode(vec[i][0], rl, text, sizeof(text)) == (int)strlen(vec[i][1]));
		CHECK_STR(text, vec[i][1]);
		n = 99;
		CHECK(dec(vec[i][1], raw, sizeof(raw), &n, 0) == 0 && n == rl && memcmp(raw, vec[i][0], rl) == 0,
		      "%s", vec[i][1]);
	}
	/* Every byte value and the two last characters of the alphabet. */
	uint8_t all[256], back[256];
	char enc[400];
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	CHECK(vpnc_b64_encode(all, sizeof(all), enc, sizeof(enc)) == 344);
	CHECK(strchr(enc, '+') != NULL && strchr(enc, '/') != NULL);
	CHECK(dec(enc, back, sizeof(back), &n, 0) == 0 && n == 256 && memcmp(all, back, 256) == 0);
	CHECK(vpnc_b64_encode("\xfb\xff", 2, text, sizeof(text)) == 4);
	CHECK_STR(text, "+/8=");
}

static void test_refused(void)
{
	static const char *const bad[] = {
		"Zm9",      /* not a whole quad */
		"Zg",       /* padding left out */
		"Z===",     /* three '=' */
		"====",     /* padding alone */
		"Zg=a",     /* '=' in the middle of a quad */
		"Zg==Zm9v", /* a quad after the padded one */
		"Zm9v=",    /* a lone '=' after whole quads */
		"Zm*v",     /* not in the alphabet */
		"Zm9v\n",   /* white space without VPNC_B64_SPACE */
		"Zm-_",     /* the URL-safe alphabet (RFC 4648 section 5) is another encoding */
		"Zh==",     /* unused bits set: "f" is Zg== */
		"Zm9=",     /* unused bits set: "fo" is Zm8= */
	};
	uint8_t out[16];
	size_t n = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(dec(bad[i], out, sizeof(out), &n, 0) == -EBADMSG, "%s", bad[i]);
	CHECK(n == 7); /* left as it was */
	/* OpenSSL and OpenVPN read unused bits that are set; so does VPNC_B64_ANY_BITS. */
	CHECK(dec("Zh==", out, sizeof(out), &n, VPNC_B64_ANY_BITS) == 0 && n == 1 && out[0] == 'f');
	CHECK(dec("Zm9=", out, sizeof(out), &n, VPNC_B64_ANY_BITS) == 0 && n == 2 && memcmp(out, "fo", 2) == 0);
	/* Length is honoured, not a NUL. */
	CHECK(vpnc_b64_decode("Zm9vYmFy", 4, out, sizeof(out), &n, 0) == 0 && n == 3);
}

static void test_space(void)
{
	uint8_t out[16];
	size_t n;

	CHECK(dec("Zm9v\nYmFy\n", out, sizeof(out), &n, VPNC_B64_SPACE) == 0 && n == 6 &&
	      memcmp(out, "foobar", 6) == 0);
	CHECK(dec(" \tZm 9v\r\nYg=\n=\n", out, sizeof(out), &n, VPNC_B64_SPACE) == 0 && n == 4);
	CHECK(dec("\n\n", out, sizeof(out), &n, VPNC_B64_SPACE) == 0 && n == 0);
	CHECK(dec("Zg==\nZg==", out, sizeof(out), &n, VPNC_B64_SPACE) == -EBADMSG);
	CHECK(dec("Zm9\n", out, sizeof(out), &n, VPNC_B64_SPACE) == -EBADMSG);
}

static void test_limits(void)
{
	uint8_t out[8];
	char text[9];
	size_t n = 5;

	/* Exactly full, one byte short (what was written is wiped). */
	CHECK(dec("Zm9vYmFy", out, 6, &n, 0) == 0 && n == 6);
	memset(out, 'x', sizeof(out));
	CHECK(dec("Zm9vYmFy", out, 5, &n, 0) == -ENOSPC && n == 6);
	CHECK(out[0] == 0 && out[2] == 0 && out[5] == 'x');
	CHECK(dec("Zm9vYg==", out, 3, &n, 0) == -ENOSPC);
	CHECK(dec("", out, 0, &n, 0) == 0 && n == 0);
	/* The encoder wants room for the NUL too, and leaves out alone when it lacks it. */
	memset(text, 'x', sizeof(text));
	CHECK(vpnc_b64_encode("foobar", 6, text, 8) == -ENOSPC && text[0] == 'x');
	CHECK(vpnc_b64_encode("foobar", 6, text, 9) == 8 && text[8] == '\0');
	CHECK(vpnc_b64_encode("", 0, text, 1) == 0 && text[0] == '\0');
	CHECK(vpnc_b64_encode("", 0, text, 0) == -ENOSPC);
}

static void test_name(void)
{
	char name[6];

	CHECK(vpnc_b64_decode_name("YWxpY2U=", 8, name, sizeof(name)) == 0);
	CHECK_STR(name, "alice");
	CHECK(vpnc_b64_decode_name("", 0, name, sizeof(name)) == 0 && name[0] == '\0');
	CHECK(vpnc_b64_decode_name("w6lh", 4, name, sizeof(name)) == 0); /* UTF-8 passes */
	CHECK_STR(name, "\xc3\xa9" "a");
	CHECK(vpnc_b64_decode_name("YWxpY2Ux", 8, name, sizeof(name)) == -EMSGSIZE && name[0] == '\0');
	CHECK(vpnc_b64_decode_name("YQ0K", 4, name, sizeof(name)) == -EBADMSG); /* "a\r\n" */
	CHECK(vpnc_b64_decode_name("AGE=", 4, name, sizeof(name)) == -EBADMSG); /* "\0a" */
	CHECK(vpnc_b64_decode_name("fw==", 4, name, sizeof(name)) == -EBADMSG); /* DEL */
	CHECK(vpnc_b64_decode_name("YR==", 4, name, sizeof(name)) == 0);        /* unused bits, as OpenSSL */
	CHECK(vpnc_b64_decode_name("YQ", 2, name, sizeof(name)) == -EBADMSG);
	CHECK(vpnc_b64_decode_name("YQ==", 4, name, 0) == -EMSGSIZE);
}

int main(void)
{
	test_rfc4648();
	test_refused();
	test_space();
	test_limits();
	test_name();
	printf("test_b64: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
