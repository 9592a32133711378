/*
 * test_nmscan.c: the NetworkManager import's scan of a self-contained
 * profile for the secrets it needs (contrib/networkmanager/nm-vpnc-ovpn-scan.c,
 * compiled in here: the plugin itself needs libnm).
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

int main(void)
{
	test_password();
	test_key();
	test_challenge();
	printf("test_nmscan: %u passed, %u failed\n", passed, failed);
	return failed != 0;
}
