/*
 * test_tlscrypt.c: tls-crypt against packets captured from stock OpenVPN 2.6.14
 * (tests/data/crypto), plus round trips, tampering, replay and bounds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vpnc/buf.h"
#include "core/tlscrypt.h"

#include "../cryptodata.h"
#include "../check.h"

static void test_captured(void)
{
	uint8_t key[256], c2s[128], s2c[128], hello[512], out[512], re[512];
	struct vpnc_tlscrypt *srv = NULL, *cli = NULL;

	CHECK(load_key("tls-crypt.key", key));
	size_t c2s_len = load_hex("tlscrypt_c2s_reset.hex", c2s, sizeof(c2s));
	size_t s2c_len = load_hex("tlscrypt_s2c_reset.hex", s2c, sizeof(s2c));
	size_t hello_len = load_hex("tlscrypt_c2s_hello.hex", hello, sizeof(hello));
	CHECK(c2s_len == 54);
	CHECK(s2c_len == 66);
	CHECK(hello_len == 343);
	if (c2s_len != 54 || s2c_len != 66 || hello_len != 343)
		return;
	uint32_t t_cli = vpnc_get_u32(c2s + 13), t_srv = vpnc_get_u32(s2c + 13);

	CHECK(vpnc_tlscrypt_new(&srv, key, true, 0, t_srv) == 0);
	CHECK(vpnc_tlscrypt_new(&cli, key, false, 0, t_cli) == 0);
	if (srv == NULL || cli == NULL)
		goto out;

	/* Client HARD_RESET_CLIENT_V2, read by the server role. */
	int n = vpnc_tlscrypt_unwrap(srv, c2s, c2s_len, out, sizeof(out));
	CHECK(n == 14);
	CHECK(out[0] == 0x38);                  /* opcode 7, key_id 0 */
	CHECK(memcmp(out + 1, c2s + 1, 8) == 0); /* client sid */
	CHECK(out[9] == 0);                     /* no ACKs */
	CHECK(vpnc_get_u32(out + 10) == 0);     /* msg-id 0 */
	CHECK(vpnc_get_u32(c2s + 9) == 1);      /* first replay id on the wire is 1 */
	/* Re-wrapping with the same counter and time gives the captured bytes. */
	CHECK(vpnc_tlscrypt_wrap(cli, out, 14, re, sizeof(re)) == 54);
	CHECK(memcmp(re, c2s, 54) == 0);
	/* The same packet again is a replay; the client role cannot read it. */
	CHECK(vpnc_tlscrypt_unwrap(srv, c2s, c2s_len, out, sizeof(out)) == -EALREADY);
	CHECK(vpnc_tlscrypt_unwrap(cli, c2s, c2s_len, out, sizeof(out)) == -EBADMSG);

	/* Server HARD_RESET_SERVER_V2, read by the client role. */
	n = vpnc_tlscrypt_unwrap(cli, s2c, s2c_len, out, sizeof(out));
	CHECK(n == 26);
	CHECK(out[0] == 0x40);                       /* opcode 8 */
	CHECK(out[9] == 1);                          /* one ACK */
	CHECK(vpnc_get_u32(out + 10) == 0);          /* of msg-id 0 */
	CHECK(memcmp(out + 14, c2s + 1, 8) == 0);    /* remote sid = the client's */
	CHECK(vpnc_get_u32(out + 22) == 0);          /* server msg-id 0 */
	CHECK(memcmp(out + 1, s2c + 1, 8) == 0);
	CHECK(vpnc_tlscrypt_wrap(srv, out, 26, re, sizeof(re)) == 66);
	CHECK(memcmp(re, s2c, 66) == 0);

	/* Client P_CONTROL_V1 with the ClientHello (replay id 2). */
	n = vpnc_tlscrypt_unwrap(srv, hello, hello_len, out, sizeof(out));
	CHECK(n == 303);
	CHECK(out[0] == 0x20);
	CHECK(out[9] == 1 && vpnc_get_u32(out + 10) == 0);
	CHECK(memcmp(out + 14, s2c + 1, 8) == 0);
	CHECK(vpnc_get_u32(out + 22) == 1);
	CHECK(out[26] == 0x16 && out[27] == 0x03); /* TLS handshake record */
	CHECK(vpnc_tlscrypt_wrap(cli, out, 303, re, sizeof(re)) == 343);
	CHECK(memcmp(re, hello, 343) == 0);
	CHECK(vpnc_get_u32(re + 9) == 2); /* the replay id the client wrote */
out:
	vpnc_tlscrypt_free(srv);
	vpnc_tlscrypt_free(cli);
}

static void test_roundtrip_tamper(void)
{
	uint8_t key[256], in[100], w[200], out[200];
	struct vpnc_tlscrypt *srv = NULL, *cli = NULL;
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 13 + 5);
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	in[0] = 0x20;
	CHECK(vpnc_tlscrypt_new(&srv, key, true, 0, 1700000000) == 0);
	CHECK(vpnc_tlscrypt_new(&cli, key, false, VPNC_TLSCRYPT_V2_FIRST_ID, 1700000001) == 0);
	if (srv == NULL || cli == NULL)
		goto out;

	int n = vpnc_tlscrypt_wrap(cli, in, sizeof(in), w, sizeof(w));
	CHECK(n == (int)sizeof(in) + VPNC_TLSCRYPT_OVERHEAD);
	CHECK(vpnc_get_u32(w + 9) == 0x0F000001);
	CHECK(vpnc_get_u32(w + 13) == 1700000001);
	CHECK(memcmp(w + 49, in + 9, sizeof(in) - 9) != 0); /* encrypted */

	/* Every single-bit flip is rejected, and does not poison the window. */
	int rejected = 0;
	for (int bit = 0; bit < n * 8; bit++) {
		w[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		if (vpnc_tlscrypt_unwrap(srv, w, (size_t)n, out, sizeof(out)) == -EBADMSG)
			rejected++;
		w[bit / 8] ^= (uint8_t)(1 << (bit % 8));
	}
	CHECK(rejected == n * 8);
	/* Truncation and extension fail too. */
	CHECK(vpnc_tlscrypt_unwrap(srv, w, (size_t)n - 1, out, sizeof(out)) == -EBADMSG);
	CHECK(vpnc_tlscrypt_unwrap(srv, w, 48, out, sizeof(out)) == -EINVAL);
	CHECK(vpnc_tlscrypt_unwrap(srv, w, 0, out, sizeof(out)) == -EINVAL);
	CHECK(vpnc_tlscrypt_unwrap(srv, w, (size_t)n, out, sizeof(in) - 1) == -ENOSPC);

	CHECK(vpnc_tlscrypt_unwrap(srv, w, (size_t)n, out, sizeof(out)) == (int)sizeof(in));
	CHECK(memcmp(out, in, sizeof(in)) == 0);
	CHECK(vpnc_tlscrypt_unwrap(srv, w, (size_t)n, out, sizeof(out)) == -EALREADY);

	/* Retransmitting the same packet gives a new id and new ciphertext. */
	int n2 = vpnc_tlscrypt_wrap(cli, in, sizeof(in), out, sizeof(out));
	CHECK(n2 == n && vpnc_get_u32(out + 9) == 0x0F000002);
	CHECK(memcmp(out + 17, w + 17, 32) != 0);

	/* Server to client; minimal packet (op + sid, empty rest). */
	n = vpnc_tlscrypt_wrap(srv, in, 9, w, sizeof(w));
	CHECK(n == 49);
	CHECK(vpnc_get_u32(w + 9) == 1);
	CHECK(vpnc_tlscrypt_unwrap(cli, w, (size_t)n, out, sizeof(out)) == 9);
	CHECK(memcmp(out, in, 9) == 0);
	/* The other direction's key does not verify. */
	CHECK(vpnc_tlscrypt_unwrap(srv, w, (size_t)n, out, sizeof(out)) == -EBADMSG);

	/* Bounds on wrap. */
	CHECK(vpnc_tlscrypt_wrap(cli, in, 8, w, sizeof(w)) == -EINVAL);
	CHECK(vpnc_tlscrypt_wrap(cli, in, sizeof(in), w, sizeof(in) + 39) == -ENOSPC);
	CHECK(vpnc_tlscrypt_wrap(cli, in, sizeof(in), w, 10) == -ENOSPC);
out:
	vpnc_tlscrypt_free(srv);
	vpnc_tlscrypt_free(cli);
}

static void test_counter_and_window(void)
{
	uint8_t key[256] = {1}, in[20] = {0x20}, w[8][80], out[80];
	struct vpnc_tlscrypt *srv = NULL, *cli = NULL;
	CHECK(vpnc_tlscrypt_new(&srv, key, true, 0, 42) == 0);
	CHECK(vpnc_tlscrypt_new(&cli, key, false, UINT32_MAX - 8, 42) == 0);
	if (srv == NULL || cli == NULL)
		goto out;
	for (int i = 0; i < 8; i++)
		CHECK(vpnc_tlscrypt_wrap(cli, in, sizeof(in), w[i], sizeof(w[i])) == 60);
	CHECK(vpnc_tlscrypt_wrap(cli, in, sizeof(in), out, sizeof(out)) == -EOVERFLOW);
	/* Out of order within the window is accepted once. */
	int order[8] = {3, 0, 7, 1, 2, 6, 5, 4};
	for (int i = 0; i < 8; i++)
		CHECK(vpnc_tlscrypt_unwrap(srv, w[order[i]], 60, out, sizeof(out)) == 20);
	for (int i = 0; i < 8; i++)
		CHECK(vpnc_tlscrypt_unwrap(srv, w[i], 60, out, sizeof(out)) == -EALREADY);
	CHECK(vpnc_tlscrypt_new(NULL, key, true, 0, 0) == -EINVAL);
out:
	vpnc_tlscrypt_free(srv);
	vpnc_tlscrypt_free(cli);
	vpnc_tlscrypt_free(NULL);
}

int main(void)
{
	test_captured();
	test_roundtrip_tamper();
	test_counter_and_window();
	printf("test_tlscrypt: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
