/*
 * test_nmscan.c: the NetworkManager import's scan of a self-contained
 * profile for the secrets it needs, and the service's reading of its device
 * type (contrib/networkmanager/nm-vpnc-ovpn-scan.c, compiled in here: the
 * plugin itself needs libnm).
 */
#include <string.h>

#include "../check.h"

#include "../../contrib/networkmanager/nm-vpnc-ovpn-scan.c"

static struct vpnc_nm_scan scan(const char *text)
{
	struct vpnc_nm_scan s;

	vpnc_nm_scan_profile(text, strlen(text), &s);
	return s;
}

static void test_password(void)
{
	CHECK(scan("client\nauth-user-pass\n").password);
	CHECK(scan("client\n  auth-user-pass \r\n").password);
	CHECK(!scan("client\nremote x\n").password);
	/* Inlined from a file: username and password there, nothing to ask. */
	CHECK(!scan("<auth-user-pass>\nalice\nsecret\n</auth-user-pass>\n").password);
	/* A username alone: the password is asked, as OpenVPN does. */
	CHECK(scan("<auth-user-pass>\nalice\n</auth-user-pass>\n").password);
	/* Not an option line: a word inside a key block. */
	CHECK(!scan("<key>\nauth-user-pass\n</key>\n").password);
}

static void test_key(void)
{
	CHECK(scan("<key>\n-----BEGIN ENCRYPTED PRIVATE KEY-----\nAA\n</key>\n").key_pass);
	CHECK(scan("<key>\n-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n</key>\n").key_pass);
	CHECK(!scan("<key>\n-----BEGIN PRIVATE KEY-----\nAA\n</key>\n").key_pass);
	/* ENCRYPTED outside <key> (a comment-like line, a certificate) is not a key. */
	CHECK(!scan("<cert>\nENCRYPTED\n</cert>\n").key_pass);
}

static void test_challenge(void)
{
	CHECK(scan("static-challenge \"Enter the code\" 1\n").challenge);
	CHECK(!scan("static-challengex\n").challenge);
	/* No NUL needed: the length bounds the scan. */
	{
		struct vpnc_nm_scan s;

		vpnc_nm_scan_profile("auth-user-passXXXX", 14, &s);
		CHECK(s.password);
	}
}

/* 2.6's rule (dev_type_enum()): the last dev-type, else the last dev's first three letters. */
static void test_tap(void)
{
	CHECK(scan("client\ndev tap\n").tap);
	CHECK(scan("dev tap0\r\n").tap);
	CHECK(scan("  dev\t\"tap3\"\n").tap);
	CHECK(scan("dev 'tapx'\n").tap);
	CHECK(scan("dev vpn0\ndev-type tap\n").tap);
	CHECK(scan("dev-type tap\ndev tun\n").tap, "dev-type wins over the name");
	CHECK(!scan("dev tap\ndev-type tun\n").tap);
	CHECK(!scan("dev tap\ndev tun\n").tap, "the last dev counts");
	CHECK(!scan("client\ndev tun\n").tap);
	CHECK(!scan("client\n").tap);
	CHECK(!scan("dev ta\n").tap);
	CHECK(!scan("dev-type tapx\n").tap);
	CHECK(!scan("devtap\n").tap);
	CHECK(!scan("# dev tap\n").tap);
	CHECK(!scan("<key>\ndev tap\n</key>\n").tap, "not an option line");
	CHECK(!scan("dev").tap && !scan("dev ").tap && !scan("dev-type").tap);
	{
		/* Reads only the given bytes. */
		struct vpnc_nm_scan s;

		vpnc_nm_scan_profile("dev tapXXXX", 7, &s);
		CHECK(s.tap);
		vpnc_nm_scan_profile("dev tapXXXX", 6, &s);
		CHECK(!s.tap);
	}
}

int main(void)
{
	test_tap();
	test_password();
	test_key();
	test_challenge();
	printf("test_nmscan: %u passed, %u failed\n", passed, failed);
	return failed != 0;
}
