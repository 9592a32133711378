/*
 * test_cfg_pkcs11.c: the PKCS#11 options (src/config/cfg_opt_pkcs11.c) and
 * the token module's refusals that need no token (src/os/pkcs11.c).
 *
 * Covers how each option's words are read (as OpenVPN 2.6 reads them), the
 * whole-config rules (pkcs11-id needed, excludes cert/key/pkcs12, the p11-kit
 * proxy as the default provider), the notes for values 2.6 takes silently,
 * pkcs11-id-management's refusal, the untrusted-profile rule (no provider
 * library from the profile), and the sentences for a provider that does not
 * exist and an id that is not one. The connection itself, with real tokens,
 * is tests/interop/test_pkcs11.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vpnc/config.h"
#include "os/pkcs11.h"

#include "../cfgparse.h"
#include "../check.h"

/* A minimal valid client (the token brings the certificate): line 5 is a test's first. */
#define BASE "client\n<ca>\nCA\n</ca>\nremote vpn.example.org\n"
#define SOFTHSM "/usr/lib/softhsm/libsofthsm2.so"

static char notes[2048];

static void note_cb(void *ctx, const char *msg)
{
	(void)ctx;
	strncat(notes, msg, sizeof(notes) - strlen(notes) - 2);
	strcat(notes, "\n");
}

static const struct vpnc_config_notes collect_notes = {note_cb, NULL};

static void notes_clear(void)
{
	notes[0] = '\0';
}

/* Loads text from a file with --untrusted-config; err keeps what follows the file name. */
static int load_untrusted(const char *text)
{
	char path[] = "/tmp/vpnc-test-XXXXXX";
	char *argv[] = {"--config", path, "--untrusted-config"};
	struct vpnc_config *c = NULL;
	int fd = mkstemp(path), ret;

	CHECK(fd >= 0);
	if (fd < 0)
		return -EIO;
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	ret = vpnc_config_load(NULL, 3, argv, NULL, &c, err, sizeof(err));
	vpnc_config_free(c);
	unlink(path);
	if (ret < 0 && strncmp(err, path, strlen(path)) == 0)
		memmove(err, err + strlen(path), strlen(err + strlen(path)) + 1);
	return ret;
}

static void test_values(void)
{
	struct vpnc_config *c;

	c = parse_ok(BASE "pkcs11-providers /a.so /b.so\n"
	             "pkcs11-id 'SoftHSM\\x20project/SoftHSM\\x20v2/1234/vpnc/01'\n"
	             "pkcs11-pin-cache 300\npkcs11-protected-authentication 0 1\n"
	             "pkcs11-cert-private 1 0\npkcs11-private-mode 0x3 8\n");
	if (c != NULL) {
		CHECK(c->n_pkcs11_providers == 2);
		CHECK_STR(c->pkcs11_providers[0], "/a.so");
		CHECK_STR(c->pkcs11_providers[1], "/b.so");
		/* Single quotes keep the backslashes of the serialized id, as in 2.6. */
		CHECK_STR(c->pkcs11_id, "SoftHSM\\x20project/SoftHSM\\x20v2/1234/vpnc/01");
		CHECK(c->pkcs11_pin_cache == 300);
		CHECK(!c->pkcs11_protected_auth[0] && c->pkcs11_protected_auth[1]);
		CHECK(c->pkcs11_cert_private[0] && !c->pkcs11_cert_private[1]);
		CHECK(c->pkcs11_private_mode[0] == 3 && c->pkcs11_private_mode[1] == 8);
		CHECK(notes[0] == '\0');
	}
	vpnc_config_free(c);

	/* Defaults: the PIN cached until the token goes; no token without pkcs11-id. */
	c = parse_ok(BASE "auth-user-pass\n");
	if (c != NULL) {
		CHECK(c->pkcs11_pin_cache == -1);
		CHECK(c->pkcs11_id == NULL && c->n_pkcs11_providers == 0);
	}
	vpnc_config_free(c);

	/* pkcs11-id alone: the p11-kit proxy, as 2.6 built with p11-kit. */
	c = parse_ok(BASE "pkcs11-id x/y\n");
	if (c != NULL) {
		CHECK(c->n_pkcs11_providers == 1);
		CHECK(c->pkcs11_providers[0] != NULL && strstr(c->pkcs11_providers[0], "p11-kit-proxy.so"));
		CHECK(!c->pkcs11_protected_auth[0] && !c->pkcs11_cert_private[0]);
	}
	vpnc_config_free(c);

	/* A later pkcs11-providers replaces the list. */
	c = parse_ok(BASE "pkcs11-providers /a.so /b.so\npkcs11-providers /c.so\npkcs11-id x\n");
	if (c != NULL) {
		CHECK(c->n_pkcs11_providers == 1);
		CHECK_STR(c->pkcs11_providers[0], "/c.so");
	}
	vpnc_config_free(c);

	/* What 2.6 takes without complaint is kept as 2.6 keeps it, with a note. */
	c = parse_ok(BASE "pkcs11-id x\npkcs11-pin-cache -5\npkcs11-private-mode zz\n"
	             "pkcs11-protected-authentication yes\n");
	if (c != NULL) {
		CHECK(c->pkcs11_pin_cache == 0);
		CHECK(c->pkcs11_private_mode[0] == 0);
		CHECK(!c->pkcs11_protected_auth[0]);
		CHECK(strstr(notes, "t.ovpn:7: pkcs11-pin-cache: -5 is negative; taken as 0") != NULL);
		CHECK(strstr(notes, "t.ovpn:8: pkcs11-private-mode: 'zz' is not a hex mask") != NULL);
		CHECK(strstr(notes, "t.ovpn:9: pkcs11-protected-authentication: 'yes' is not a number") != NULL);
	}
	vpnc_config_free(c);
	/* The per-provider options alone do nothing (2.6 ignores them too). */
	c = parse_ok(BASE "auth-user-pass\npkcs11-pin-cache 5\npkcs11-cert-private 1\n");
	if (c != NULL)
		CHECK(c->n_pkcs11_providers == 0 && c->pkcs11_id == NULL);
	vpnc_config_free(c);
}

static void test_errors(void)
{
	parse_err(BASE "pkcs11-providers " SOFTHSM "\n",
	          "t.ovpn: option 'pkcs11-providers' needs 'pkcs11-id' to name the certificate "
	          "(vpnc --show-pkcs11-ids lists them)", __LINE__);
	parse_err(BASE "pkcs11-id x\n<cert>\nC\n</cert>\n<key>\nK\n</key>\n",
	          "t.ovpn: option 'pkcs11-id' excludes 'cert', 'key' and 'pkcs12': the certificate and "
	          "key come from the token", __LINE__);
	parse_err(BASE "pkcs11-id-management\n",
	          "t.ovpn:6: option 'pkcs11-id-management' is not supported: vpnc has no management "
	          "interface to ask for the id; name the certificate with 'pkcs11-id' (vpnc "
	          "--show-pkcs11-ids lists them)", __LINE__);
	parse_err(BASE "pkcs11-id ''\n",
	          "t.ovpn:6: option 'pkcs11-id': the id is empty (vpnc --show-pkcs11-ids lists the ids)",
	          __LINE__);
	/* An empty name after a good one: refused, and nothing copied is left behind (LeakSanitizer). */
	parse_err(BASE "pkcs11-providers /a.so ''\n", "t.ovpn:6: option 'pkcs11-providers': a provider name is empty",
	          __LINE__);
	parse_err(BASE "pkcs11-pin-cache soon\npkcs11-id x\n",
	          "t.ovpn:6: option 'pkcs11-pin-cache': must be a number of seconds", __LINE__);
	/* A line holds at most 16 words, so 15 providers, as in 2.6 (MAX_PARMS). */
	parse_err(BASE "pkcs11-providers 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",
	          "t.ovpn:6: the line has too many words (16 at most)", __LINE__);
	parse_err(BASE "pkcs11-id\n", "t.ovpn:6: option 'pkcs11-id' needs at least 1 argument", __LINE__);
}

/* An untrusted profile may not name a library to load; the p11-kit proxy is fine. */
static void test_untrusted(void)
{
	const char *want = ":6: option 'pkcs11-providers': not allowed in an untrusted profile (it "
	                   "would load a library into vpnc; without 'pkcs11-providers' the system's "
	                   "p11-kit proxy is used)";

	CHECK(load_untrusted(BASE "pkcs11-providers /tmp/evil.so\npkcs11-id x\n") < 0);
	if (strcmp(err, want) != 0)
		fprintf(stderr, "got '%s'\nwant '%s'\n", err, want);
	CHECK(strcmp(err, want) == 0);
	CHECK(load_untrusted(BASE "pkcs11-id x\npkcs11-pin-cache 60\npkcs11-cert-private 1\n"
	                     "pkcs11-protected-authentication 1\npkcs11-private-mode 1\n") == 0);
	/* Through 'setenv opt' the option's own rule holds. */
	CHECK(load_untrusted(BASE "setenv opt pkcs11-providers /tmp/evil.so\npkcs11-id x\n") < 0);
}

static int no_pin(const char *question, char *buf, size_t cap, void *arg)
{
	(void)question;
	(void)buf;
	(void)cap;
	(void)arg;
	return -ENXIO;
}

/* The token module's sentences that need no token. */
static void test_open_refusals(void)
{
	struct vpnc_config *c = parse_ok(BASE "pkcs11-providers /nonexistent/provider.so\npkcs11-id x\n");
	X509 *x = (X509 *)1;
	EVP_PKEY *k = (EVP_PKEY *)1;
	int ret;

	if (c == NULL)
		return;
	ret = vpnc_p11_open(c, no_pin, NULL, &x, &k, err, sizeof(err));
	CHECK(ret == -ELIBBAD && x == NULL && k == NULL);
	CHECK(strcmp(err, "cannot load the PKCS#11 provider '/nonexistent/provider.so': No such file "
	                  "or directory") == 0);
	vpnc_p11_close();
	vpnc_config_free(c);

	/* A malformed id, with a provider that loads (SoftHSM2, where installed). */
	if (access(SOFTHSM, R_OK) != 0) {
		printf("skip: %s not installed\n", SOFTHSM);
		return;
	}
	setenv("SOFTHSM2_CONF", "/nonexistent/softhsm2.conf", 1);
	c = parse_ok(BASE "pkcs11-providers " SOFTHSM "\npkcs11-id not-an-id\n");
	if (c == NULL)
		return;
	ret = vpnc_p11_open(c, no_pin, NULL, &x, &k, err, sizeof(err));
	/* Without its config SoftHSM2 does not initialize: either sentence is about the real cause. */
	CHECK(ret == -EINVAL || ret == -ELIBBAD);
	CHECK(strncmp(err, "'pkcs11-id' is not a serialized PKCS#11 id", 42) == 0 ||
	      strncmp(err, "cannot load the PKCS#11 provider", 32) == 0);
	vpnc_p11_close();
	vpnc_config_free(c);
}

int main(void)
{
	note_to = &collect_notes;
	parse_reset = notes_clear;
	test_values();
	test_errors();
	test_untrusted();
	test_open_refusals();
	printf("test_cfg_pkcs11: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
