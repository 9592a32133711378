/*
 * test_km2.c: key-method-2 round trips, every truncation and malformed string,
 * the peer-info block and the OCC string against what 2.6.14 sends.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/km2.h"

#include "../check.h"

static struct vpnc_km2 A, B;
static uint8_t msg[VPNC_KM2_MAX + 64];

static void fill(struct vpnc_km2 *m, bool client)
{
	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < VPNC_KM2_PRE_MASTER; i++)
		m->pre_master[i] = client ? (uint8_t)(i + 1) : 0;
	for (size_t i = 0; i < VPNC_KM2_RANDOM; i++) {
		m->random1[i] = (uint8_t)(0x40 + i);
		m->random2[i] = (uint8_t)(0x80 + i);
	}
	strcpy(m->options, client ? "V4,dev-type tun,link-mtu 1541,tun-mtu 1500,proto UDPv4,auth SHA1,keysize 128,"
	                            "key-method 2,tls-client"
	                          : "V4,dev-type tun,link-mtu 1541,tun-mtu 1500,proto UDPv4,auth SHA1,keysize 128,"
	                            "key-method 2,tls-server");
	if (client) {
		strcpy(m->username, "alice");
		strcpy(m->password, "s3cret");
		strcpy(m->peer_info, "IV_VER=2.6.14\nIV_PLAT=linux\n");
	}
}

static bool same(const struct vpnc_km2 *a, const struct vpnc_km2 *b, bool client)
{
	return (!client || memcmp(a->pre_master, b->pre_master, sizeof(a->pre_master)) == 0) &&
	       memcmp(a->random1, b->random1, sizeof(a->random1)) == 0 &&
	       memcmp(a->random2, b->random2, sizeof(a->random2)) == 0 && strcmp(a->options, b->options) == 0 &&
	       strcmp(a->username, b->username) == 0 && strcmp(a->password, b->password) == 0 &&
	       strcmp(a->peer_info, b->peer_info) == 0;
}

static void test_roundtrip(void)
{
	int n;

	/* Client -> server. */
	fill(&A, true);
	n = vpnc_km2_write(&A, true, msg, sizeof(msg));
	CHECK(n == 4 + 1 + 48 + 32 + 32 + 2 + (int)strlen(A.options) + 1 + 2 + 6 + 2 + 7 + 2 +
	               (int)strlen(A.peer_info) + 1);
	CHECK(msg[0] == 0 && msg[1] == 0 && msg[2] == 0 && msg[3] == 0 && msg[4] == 2);
	CHECK(msg[5] == 1 && msg[52] == 48 && msg[53] == 0x40 && msg[85] == 0x80);
	CHECK(msg[117] == 0 && msg[118] == strlen(A.options) + 1);
	CHECK(vpnc_km2_read(msg, (size_t)n, true, &B) == 0);
	CHECK(same(&A, &B, true));

	/* Server -> client: no pre-master, empty user/pass/peer-info as 00 00. */
	fill(&A, false);
	n = vpnc_km2_write(&A, false, msg, sizeof(msg));
	CHECK(n == 4 + 1 + 32 + 32 + 2 + (int)strlen(A.options) + 1 + 2 + 2 + 2);
	CHECK(msg[n - 1] == 0 && msg[n - 2] == 0 && msg[n - 3] == 0 && msg[n - 4] == 0);
	CHECK(msg[5] == 0x40);
	CHECK(vpnc_km2_read(msg, (size_t)n, false, &B) == 0);
	CHECK(same(&A, &B, false));
	/* Reading with the wrong direction fails (lengths no longer line up). */
	CHECK(vpnc_km2_read(msg, (size_t)n, true, &B) == -EBADMSG);

	/* Peer-info absent at the end is accepted; bytes after peer-info are ignored. */
	CHECK(vpnc_km2_read(msg, (size_t)n - 2, false, &B) == 0 && B.peer_info[0] == '\0');
	msg[n] = 0xAA;
	CHECK(vpnc_km2_read(msg, (size_t)n + 1, false, &B) == 0);

	/* The key-method byte: only the low nibble counts. */
	msg[4] = 0x12;
	CHECK(vpnc_km2_read(msg, (size_t)n, false, &B) == 0);
	msg[4] = 0x01;
	CHECK(vpnc_km2_read(msg, (size_t)n, false, &B) == -EBADMSG);
	msg[4] = 0x03;
	CHECK(vpnc_km2_read(msg, (size_t)n, false, &B) == -EBADMSG);
	msg[4] = 0x02;

	/* A string written by OpenVPN's write_string("") (01 00) reads as empty. */
	{
		uint8_t m2[4 + 1 + 64 + 3 + 3 + 3];
		size_t o = 0;

		memset(m2, 0, sizeof(m2));
		o = 4;
		m2[o++] = 2;
		o += 64;
		for (int i = 0; i < 3; i++) {
			m2[o++] = 0;
			m2[o++] = 1;
			m2[o++] = 0;
		}
		CHECK(vpnc_km2_read(m2, o, false, &B) == 0 && B.options[0] == 0 && B.username[0] == 0);
	}
}

static void test_truncations(void)
{
	int n;
	size_t pi_start;

	fill(&A, true);
	n = vpnc_km2_write(&A, true, msg, sizeof(msg));
	CHECK(n > 0);
	pi_start = (size_t)n - 2 - strlen(A.peer_info) - 1;
	for (size_t l = 0; l < (size_t)n; l++) {
		int r = vpnc_km2_read(msg, l, true, &B);

		if (l == pi_start)
			CHECK(r == 0); /* ends right after the password: peer-info absent */
		else
			CHECK(r == -EBADMSG);
	}
	/* A failed read leaves nothing behind. */
	CHECK(vpnc_km2_read(msg, (size_t)n - 1, true, &B) == -EBADMSG);
	CHECK(B.password[0] == 0 && B.pre_master[0] == 0);

	fill(&A, false);
	n = vpnc_km2_write(&A, false, msg, sizeof(msg));
	for (size_t l = 0; l < (size_t)n; l++) {
		int r = vpnc_km2_read(msg, l, false, &B);

		CHECK(r == (l == (size_t)n - 2 ? 0 : -EBADMSG));
	}
}

static void test_bad_strings(void)
{
	int n;
	size_t opt = 4 + 1 + 48 + 64; /* offset of the options length */
	uint16_t olen;

	fill(&A, true);
	n = vpnc_km2_write(&A, true, msg, sizeof(msg));
	olen = (uint16_t)((msg[opt] << 8) | msg[opt + 1]);

	/* Length without its NUL: the last byte is not 0. */
	msg[opt + 2 + olen - 1] = 'x';
	CHECK(vpnc_km2_read(msg, (size_t)n, true, &B) == -EBADMSG);
	msg[opt + 2 + olen - 1] = 0;
	/* Embedded NUL. */
	msg[opt + 2 + 3] = 0;
	CHECK(vpnc_km2_read(msg, (size_t)n, true, &B) == -EBADMSG);
	msg[opt + 2 + 3] = ',';
	CHECK(vpnc_km2_read(msg, (size_t)n, true, &B) == 0);
	/* Length one short (the NUL of the options is then the username length's high byte). */
	msg[opt + 1] = (uint8_t)(olen - 1);
	CHECK(vpnc_km2_read(msg, (size_t)n, true, &B) == -EBADMSG);
	/* Length past the end. */
	msg[opt] = 0xFF;
	msg[opt + 1] = 0xFF;
	CHECK(vpnc_km2_read(msg, (size_t)n, true, &B) == -EBADMSG);

	/* Oversize options (> 512 incl. NUL) in a well-formed message. */
	{
		uint8_t big[4 + 1 + 48 + 64 + 2 + 600 + 6];
		size_t o = 0;

		memset(big, 0, sizeof(big));
		big[4] = 2;
		o = 4 + 1 + 48 + 64;
		big[o++] = 513 >> 8;
		big[o++] = 513 & 0xFF;
		memset(big + o, 'A', 512);
		o += 512;
		big[o++] = 0;
		o += 6; /* three empty strings */
		CHECK(vpnc_km2_read(big, o, true, &B) == -EBADMSG);
		/* 512 incl. NUL is fine. */
		o = 4 + 1 + 48 + 64;
		big[o++] = 512 >> 8;
		big[o++] = 512 & 0xFF;
		memset(big + o, 'A', 511);
		o += 511;
		big[o++] = 0;
		memset(big + o, 0, 6);
		o += 6;
		CHECK(vpnc_km2_read(big, o, true, &B) == 0 && strlen(B.options) == 511);
	}
	/* Oversize peer-info (> 1024). */
	{
		static uint8_t big[4 + 1 + 64 + 6 + 2 + 1100];
		size_t o = 4 + 1 + 64 + 6;

		memset(big, 0, sizeof(big));
		big[4] = 2;
		big[o++] = 1025 >> 8;
		big[o++] = 1025 & 0xFF;
		memset(big + o, 'I', 1024);
		o += 1025;
		CHECK(vpnc_km2_read(big, o, false, &B) == -EBADMSG);
	}
	/* Oversize username (> 4096) cannot even be written; on read the length is checked first. */
	{
		static uint8_t big[4 + 1 + 64 + 2 + 2 + 4200];
		size_t o = 4 + 1 + 64 + 2;

		memset(big, 0, sizeof(big));
		big[4] = 2;
		big[o++] = 4097 >> 8;
		big[o++] = 4097 & 0xFF;
		memset(big + o, 'u', 4096);
		o += 4097;
		CHECK(vpnc_km2_read(big, o, false, &B) == -EBADMSG);
		/* 4096 incl. NUL is accepted on read. */
		o = 4 + 1 + 64 + 2;
		big[o++] = 4096 >> 8;
		big[o++] = 4096 & 0xFF;
		memset(big + o, 'u', 4095);
		o += 4095;
		big[o++] = 0;
		big[o++] = 0;
		big[o++] = 0;
		CHECK(vpnc_km2_read(big, o, false, &B) == 0 && strlen(B.username) == 4095);
	}
}

static void test_write_errors(void)
{
	int n;

	fill(&A, true);
	n = vpnc_km2_write(&A, true, msg, sizeof(msg));
	CHECK(n > 0);
	CHECK(vpnc_km2_write(&A, true, msg, (size_t)n) == n);
	CHECK(vpnc_km2_write(&A, true, msg, (size_t)n - 1) == -ENOSPC);
	CHECK(vpnc_km2_write(&A, true, msg, 0) == -ENOSPC);
	/* Unterminated field. */
	memset(A.options, 'A', sizeof(A.options));
	CHECK(vpnc_km2_write(&A, true, msg, sizeof(msg)) == -EINVAL);
	fill(&A, true);
	memset(A.password, 'p', sizeof(A.password));
	CHECK(vpnc_km2_write(&A, true, msg, sizeof(msg)) == -EINVAL);
	/* A password that fits its field but makes the message exceed 2048 bytes. */
	fill(&A, true);
	memset(A.password, 'p', 2000);
	A.password[2000] = 0;
	CHECK(vpnc_km2_write(&A, true, msg, sizeof(msg)) == -EINVAL);
	A.password[1500] = 0;
	n = vpnc_km2_write(&A, true, msg, sizeof(msg));
	CHECK(n > 0 && n <= VPNC_KM2_MAX);
	CHECK(vpnc_km2_read(msg, (size_t)n, true, &B) == 0 && strlen(B.password) == 1500);
	vpnc_km2_wipe(&B);
	CHECK(B.password[0] == 0 && B.password[1499] == 0 && B.pre_master[5] == 0);
}

static void test_peer_info(void)
{
	char out[1024];
	int n;

	n = vpnc_km2_peer_info(out, sizeof(out), "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305", 990, 1600, NULL, NULL);
	CHECK(n > 0 && (size_t)n == strlen(out));
	/* Exactly what 2.6.14 sends, in its order. */
	CHECK(strcmp(out, "IV_VER=2.6.14\nIV_PLAT=linux\nIV_TCPNL=1\nIV_MTU=1600\nIV_NCP=2\n"
	                  "IV_CIPHERS=AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305\nIV_PROTO=990\n"
	                  "IV_LZO_STUB=1\nIV_COMP_STUB=1\nIV_COMP_STUBv2=1\n") == 0);
	/* eduVPN-like list: no IV_NCP without both GCM ciphers; no IV_MTU when 0. */
	n = vpnc_km2_peer_info(out, sizeof(out), "AES-256-GCM:CHACHA20-POLY1305", 414, 0, NULL, NULL);
	CHECK(n > 0 && strstr(out, "IV_NCP") == NULL && strstr(out, "IV_MTU") == NULL);
	CHECK(strstr(out, "IV_CIPHERS=AES-256-GCM:CHACHA20-POLY1305\nIV_PROTO=414\n") != NULL);
	/* Case-insensitive membership for IV_NCP. */
	n = vpnc_km2_peer_info(out, sizeof(out), "aes-128-gcm:AES-256-GCM", 414, 1500, NULL, NULL);
	CHECK(n > 0 && strstr(out, "IV_NCP=2\n") != NULL);
	/* AES-128-GCM-SIV is not AES-128-GCM. */
	n = vpnc_km2_peer_info(out, sizeof(out), "AES-128-GCMX:AES-256-GCM", 414, 1500, NULL, NULL);
	CHECK(n > 0 && strstr(out, "IV_NCP") == NULL);
	/* SSO and GUI version. */
	n = vpnc_km2_peer_info(out, sizeof(out), "AES-256-GCM", 414, 1600, "vpnc 0.1.0", "webauth,openurl,crtext");
	CHECK(n > 0 && strstr(out, "IV_GUI_VER=vpnc 0.1.0\nIV_SSO=webauth,openurl,crtext\n") != NULL);
	CHECK(vpnc_km2_peer_info(out, sizeof(out), "AES-256-GCM", 414, 1600, NULL, "x\nIV_PROTO=1") == -EINVAL);
	/* Bad inputs. */
	CHECK(vpnc_km2_peer_info(out, sizeof(out), "AES-256-GCM\nIV_X=1", 414, 1600, NULL, NULL) == -EINVAL);
	CHECK(vpnc_km2_peer_info(out, sizeof(out), "", 414, 1600, NULL, NULL) == -EINVAL);
	CHECK(vpnc_km2_peer_info(out, sizeof(out), NULL, 414, 1600, NULL, NULL) == -EINVAL);
	CHECK(vpnc_km2_peer_info(out, sizeof(out), "AES-256-GCM", 3, 1600, NULL, NULL) == -EINVAL);
	CHECK(vpnc_km2_peer_info(out, sizeof(out), "AES-256-GCM", 4, 1600, NULL, NULL) == -EINVAL);
	CHECK(vpnc_km2_peer_info(out, sizeof(out), "AES-256-GCM", 0, 1600, NULL, NULL) > 0);
	/* Short buffers never overflow and leave an empty string. */
	n = vpnc_km2_peer_info(out, sizeof(out), "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305", 990, 1600, NULL, NULL);
	for (size_t cap = 1; cap <= (size_t)n; cap++) {
		char small[300];

		memset(small, 'Z', sizeof(small));
		CHECK(vpnc_km2_peer_info(small, cap, "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305", 990, 1600, NULL, NULL) ==
		      -ENOSPC);
		CHECK(small[0] == 0 && small[cap] == 'Z');
	}
	CHECK(vpnc_km2_peer_info(out, (size_t)n + 1, "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305", 990, 1600, NULL, NULL) == n);
}

static void test_occ(void)
{
	char out[512];
	char name[32];

	CHECK(vpnc_km2_occ_string(out, sizeof(out), &(struct vpnc_km2_occ){.tcp = false, .server = false, .tun_mtu = 1500, .key_direction = -1, .auth_digest = "SHA1", .tls_auth = false, .comp = false}) > 0);
	CHECK(strcmp(out, "V4,dev-type tun,link-mtu 1541,tun-mtu 1500,proto UDPv4,auth SHA1,keysize 128,"
	                  "key-method 2,tls-client") == 0);
	CHECK(vpnc_km2_occ_string(out, sizeof(out), &(struct vpnc_km2_occ){.tcp = false, .server = false, .tun_mtu = 1500, .key_direction = 1, .auth_digest = "sha256", .tls_auth = true, .comp = false}) > 0);
	CHECK(strcmp(out, "V4,dev-type tun,link-mtu 1553,tun-mtu 1500,proto UDPv4,keydir 1,auth SHA256,keysize 128,"
	                  "tls-auth,key-method 2,tls-client") == 0);
	CHECK(vpnc_km2_occ_string(out, sizeof(out), &(struct vpnc_km2_occ){.tcp = true, .server = false, .tun_mtu = 1500, .key_direction = -1, .auth_digest = NULL, .tls_auth = false, .comp = false}) > 0);
	CHECK(strcmp(out, "V4,dev-type tun,link-mtu 1543,tun-mtu 1500,proto TCPv4_CLIENT,auth SHA1,keysize 128,"
	                  "key-method 2,tls-client") == 0);
	CHECK(vpnc_km2_occ_string(out, sizeof(out), &(struct vpnc_km2_occ){.tcp = true, .server = true, .tun_mtu = 1400, .key_direction = 0, .auth_digest = "SHA512", .tls_auth = true, .comp = false}) > 0);
	CHECK(strcmp(out, "V4,dev-type tun,link-mtu 1487,tun-mtu 1400,proto TCPv4_SERVER,keydir 0,auth SHA512,"
	                  "keysize 128,tls-auth,key-method 2,tls-server") == 0);
	CHECK(vpnc_km2_occ_string(out, sizeof(out), &(struct vpnc_km2_occ){.tcp = false, .server = false, .tun_mtu = 1500, .key_direction = -1, .auth_digest = "none", .tls_auth = false, .comp = false}) > 0);
	CHECK(strstr(out, "link-mtu 1521,") != NULL && strstr(out, "auth [null-digest],") != NULL);
	/* 'fragment': 2.6 counts its 4-byte header in link-mtu and names it by its old name. */
	CHECK(vpnc_km2_occ_string(out, sizeof(out), &(struct vpnc_km2_occ){.tun_mtu = 1500, .key_direction = -1,
	                                                                   .auth_digest = "SHA1", .comp = true,
	                                                                   .fragment = true}) > 0);
	CHECK(strcmp(out, "V4,dev-type tun,link-mtu 1545,tun-mtu 1500,proto UDPv4,comp-lzo,mtu-dynamic,auth SHA1,"
	                  "keysize 128,key-method 2,tls-client") == 0, "%s", out);
	CHECK(vpnc_km2_occ_string(out, sizeof(out), &(struct vpnc_km2_occ){.tcp = false, .server = false, .tun_mtu = 1500, .key_direction = -1, .auth_digest = "NOPE", .tls_auth = false, .comp = false}) == -EINVAL);
	CHECK(vpnc_km2_occ_string(out, sizeof(out), &(struct vpnc_km2_occ){.tcp = false, .server = false, .tun_mtu = 1500, .key_direction = 2, .auth_digest = "SHA1", .tls_auth = false, .comp = false}) == -EINVAL);
	CHECK(vpnc_km2_occ_string(out, sizeof(out), &(struct vpnc_km2_occ){.tcp = false, .server = false, .tun_mtu = 10, .key_direction = -1, .auth_digest = "SHA1", .tls_auth = false, .comp = false}) == -EINVAL);
	CHECK(vpnc_km2_occ_string(out, 20, &(struct vpnc_km2_occ){.tcp = false, .server = false, .tun_mtu = 1500, .key_direction = -1, .auth_digest = "SHA1", .tls_auth = false, .comp = false}) == -ENOSPC && out[0] == 0);

	CHECK(vpnc_km2_occ_cipher("V4,dev-type tun,cipher AES-256-CBC,auth SHA1", name, sizeof(name)) == 1);
	CHECK(strcmp(name, "AES-256-CBC") == 0);
	CHECK(vpnc_km2_occ_cipher("V4,dev-type tun,auth SHA1", name, sizeof(name)) == 0 && name[0] == 0);
	CHECK(vpnc_km2_occ_cipher("V4,cipher AES-256-CBC", name, 5) == -ENOSPC);
	
}

int main(void)
{
	test_roundtrip();
	test_truncations();
	test_bad_strings();
	test_write_errors();
	test_peer_info();
	test_occ();
	printf("test_km2: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
