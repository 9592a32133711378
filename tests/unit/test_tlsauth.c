/*
 * test_tlsauth.c: tls-auth against packets captured from stock OpenVPN 2.6.14
 * (auth SHA256, server key-direction 0, client 1), plus round trips for every
 * digest and direction, tampering, replay and bounds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vpnc/buf.h"
#include "core/tlsauth.h"

#include "../cryptodata.h"
#include "../check.h"

static void test_captured(void)
{
	uint8_t key[256], c2s[128], s2c[128], out[256], re[256];
	struct vpnc_tlsauth *srv = NULL, *cli = NULL;

	CHECK(load_key("tls-auth.key", key));
	size_t c2s_len = load_hex("tlsauth_c2s_reset.hex", c2s, sizeof(c2s));
	size_t s2c_len = load_hex("tlsauth_s2c_reset.hex", s2c, sizeof(s2c));
	CHECK(c2s_len == 54 && s2c_len == 66);
	if (c2s_len != 54 || s2c_len != 66)
		return;
	/* 38 | sid(8) | hmac(32) | pid(4) | time(4) | rest */
	CHECK(vpnc_get_u32(c2s + 41) == 1);
	CHECK(vpnc_tlsauth_new(&srv, key, "SHA256", 0, true, vpnc_get_u32(s2c + 45)) == 0);
	CHECK(vpnc_tlsauth_new(&cli, key, "sha256", 1, false, vpnc_get_u32(c2s + 45)) == 0);
	if (srv == NULL || cli == NULL)
		goto out;

	int n = vpnc_tlsauth_unwrap(srv, c2s, c2s_len, out, sizeof(out));
	CHECK(n == 14);
	CHECK(out[0] == 0x38 && memcmp(out + 1, c2s + 1, 8) == 0);
	CHECK(out[9] == 0 && vpnc_get_u32(out + 10) == 0);
	CHECK(vpnc_tlsauth_wrap(cli, out, 14, re, sizeof(re)) == 54);
	CHECK(memcmp(re, c2s, 54) == 0);
	CHECK(vpnc_tlsauth_unwrap(srv, c2s, c2s_len, out, sizeof(out)) == -EALREADY);
	CHECK(vpnc_tlsauth_unwrap(cli, c2s, c2s_len, out, sizeof(out)) == -EBADMSG);

	n = vpnc_tlsauth_unwrap(cli, s2c, s2c_len, out, sizeof(out));
	CHECK(n == 26);
	CHECK(out[0] == 0x40 && out[9] == 1 && vpnc_get_u32(out + 10) == 0);
	CHECK(memcmp(out + 14, c2s + 1, 8) == 0);
	CHECK(vpnc_get_u32(out + 22) == 0);
	CHECK(vpnc_tlsauth_wrap(srv, out, 26, re, sizeof(re)) == 66);
	CHECK(memcmp(re, s2c, 66) == 0);
out:
	vpnc_tlsauth_free(srv);
	vpnc_tlsauth_free(cli);
}

/* Wraps with a and checks that b reads it back, for one digest/direction pair. */
static void roundtrip(const char *digest, size_t hlen, int dir_a, int dir_b, bool expect_ok)
{
	uint8_t key[256], in[64], w[200], out[200];
	struct vpnc_tlsauth *a = NULL, *b = NULL;
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 31 + 7);
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(200 - i);
	CHECK(vpnc_tlsauth_new(&a, key, digest, dir_a, false, 100) == 0);
	CHECK(vpnc_tlsauth_new(&b, key, digest, dir_b, true, 200) == 0);
	if (a == NULL || b == NULL)
		goto out;
	int n = vpnc_tlsauth_wrap(a, in, sizeof(in), w, sizeof(w));
	CHECK(n == (int)(sizeof(in) + hlen + 8));
	CHECK(memcmp(w, in, 9) == 0);
	CHECK(vpnc_get_u32(w + 9 + hlen) == 1 && vpnc_get_u32(w + 13 + hlen) == 100);
	CHECK(memcmp(w + 17 + hlen, in + 9, sizeof(in) - 9) == 0); /* not encrypted */
	int r = vpnc_tlsauth_unwrap(b, w, (size_t)n, out, sizeof(out));
	if (!expect_ok) {
		CHECK(r == -EBADMSG);
		goto out;
	}
	CHECK(r == (int)sizeof(in));
	CHECK(memcmp(out, in, sizeof(in)) == 0);
	CHECK(vpnc_tlsauth_unwrap(b, w, (size_t)n, out, sizeof(out)) == -EALREADY);
	/* Every bit flip is rejected (the replay id included: 2 was never seen). */
	n = vpnc_tlsauth_wrap(a, in, sizeof(in), w, sizeof(w));
	int rejected = 0;
	for (int bit = 0; bit < n * 8; bit++) {
		w[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		r = vpnc_tlsauth_unwrap(b, w, (size_t)n, out, sizeof(out));
		if (r == -EBADMSG)
			rejected++;
		w[bit / 8] ^= (uint8_t)(1 << (bit % 8));
	}
	CHECK(rejected == n * 8);
	CHECK(vpnc_tlsauth_unwrap(b, w, (size_t)n, out, sizeof(in) - 1) == -ENOSPC);
	CHECK(vpnc_tlsauth_unwrap(b, w, 9 + hlen + 7, out, sizeof(out)) == -EINVAL);
	CHECK(vpnc_tlsauth_unwrap(b, w, 9 + hlen + 8, out, sizeof(out)) == -EBADMSG);
	CHECK(vpnc_tlsauth_unwrap(b, w, (size_t)n, out, sizeof(out)) == (int)sizeof(in));
	/* And the reverse direction. */
	n = vpnc_tlsauth_wrap(b, in, 9, w, sizeof(w));
	CHECK(n == (int)(9 + hlen + 8));
	CHECK(vpnc_tlsauth_unwrap(a, w, (size_t)n, out, sizeof(out)) == 9);
	CHECK(vpnc_tlsauth_wrap(a, in, 8, w, sizeof(w)) == -EINVAL);
	CHECK(vpnc_tlsauth_wrap(a, in, sizeof(in), w, sizeof(in) + hlen + 7) == -ENOSPC);
out:
	vpnc_tlsauth_free(a);
	vpnc_tlsauth_free(b);
}

static void test_directions(void)
{
	const char *dig[] = {"SHA1", "SHA256", "SHA512"};
	size_t len[] = {20, 32, 64};
	for (int i = 0; i < 3; i++) {
		roundtrip(dig[i], len[i], 1, 0, true);
		roundtrip(dig[i], len[i], 0, 1, true);
		roundtrip(dig[i], len[i], -1, -1, true);
		roundtrip(dig[i], len[i], 1, 1, false);
		roundtrip(dig[i], len[i], 0, 0, false);
		roundtrip(dig[i], len[i], 1, -1, false);
	}
	/* A different digest does not verify. */
	uint8_t key[256] = {9}, in[9] = {0x20}, w[100], out[100];
	struct vpnc_tlsauth *a = NULL, *b = NULL;
	CHECK(vpnc_tlsauth_new(&a, key, "SHA256", -1, false, 1) == 0);
	CHECK(vpnc_tlsauth_new(&b, key, "SHA512", -1, true, 1) == 0);
	if (a && b) {
		int n = vpnc_tlsauth_wrap(a, in, sizeof(in), w, sizeof(w));
		CHECK(vpnc_tlsauth_unwrap(b, w, (size_t)n, out, sizeof(out)) < 0);
	}
	vpnc_tlsauth_free(a);
	vpnc_tlsauth_free(b);
	a = NULL;
	CHECK(vpnc_tlsauth_new(&a, key, "MD5", 1, false, 1) == -EINVAL && a == NULL);
	CHECK(vpnc_tlsauth_new(&a, key, NULL, 1, false, 1) == -EINVAL);
	CHECK(vpnc_tlsauth_new(&a, key, "SHA1", 2, false, 1) == -EINVAL);
	CHECK(vpnc_tlsauth_new(&a, key, "SHA1", -2, false, 1) == -EINVAL);
}

int main(void)
{
	test_captured();
	test_directions();
	printf("test_tlsauth: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
