/*
 * test_compat_options.c: options stock OpenVPN 2.6 takes in a client profile
 * that vpnc once refused: how each is read (values, messages, notes, the
 * untrusted-profile rule) and, where the engine acts on it, a client and a
 * server engine back to back in memory (pair.h): tun-mtu-max and the pushed
 * tun-mtu.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/engine_int.h"
#include "core/lex.h"
#include "vpnc/config.h"
#include "vpnc/engine.h"
#include "vpnc/push.h"

#include "config/cfg_internal.h"

/* pair.h before cfgparse.h: cfgparse.h's global err would shadow pair.h's local one. */
#include "../pair.h"
#include "../cfgparse.h"
#include "../check.h"

/* A minimal valid client: 6 lines, so a test's own first line is line 7. */
#define BASE "client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote vpn.example.org\n"

static char notes[2048];

static void note_cb(void *ctx, const char *msg)
{
	(void)ctx;
	size_t have = strlen(notes);

	snprintf(notes + have, sizeof(notes) - have, "%s\n", msg);
}

static const struct vpnc_config_notes note_sink = {note_cb, NULL};

static void reset_notes(void)
{
	notes[0] = '\0';
}

static void test_tun_mtu_max_config(void)
{
	struct vpnc_config *c = parse_ok(BASE "tun-mtu-max 1800\n");

	CHECK(c != NULL && c->tun_mtu_max == 1800);
	vpnc_config_free(c);
	/* 2.6's range is 68..65536; a second word is allowed (and ignored) as in 2.6. */
	c = parse_ok(BASE "<connection>\nremote a.example.org\ntun-mtu-max 68 x\n</connection>\n");
	CHECK(c != NULL && c->tun_mtu_max == 68);
	vpnc_config_free(c);
	parse_err(BASE "tun-mtu-max 67\n", "t.ovpn:7: option 'tun-mtu-max': must be a number from 68 to 65536",
	          __LINE__);
	parse_err(BASE "tun-mtu-max 65537\n",
	          "t.ovpn:7: option 'tun-mtu-max': must be a number from 68 to 65536", __LINE__);
	/* More than vpnc's buffers carry: announced as that, with a note. */
	note_to = &note_sink;
	c = parse_ok(BASE "tun-mtu-max 9000\n");
	CHECK(c != NULL && c->tun_mtu_max == VPNC_TUN_MTU_CARRY);
	CHECK(strstr(notes, "t.ovpn:7: option 'tun-mtu-max 9000': vpnc carries tunnel packets of up to 1920 "
	                    "bytes") != NULL, "notes: %s", notes);
	vpnc_config_free(c);
	note_to = NULL;
	/* Nothing in it runs, reads or writes: fine in an untrusted profile. */
	CHECK(vpnc_cfg_trust("tun-mtu-max") == UT_OK);
}

/* The tun-mtu the client ends up with when the server pushes 'tun-mtu push_mtu'. */
static int pushed_mtu(int tun_mtu_max, int push_mtu, bool *connected, char *last, size_t cap)
{
	struct pair p;
	char push[256];
	int mtu = -1;

	snprintf(push, sizeof(push), "%s,tun-mtu %d", PAIR_PUSH_DEFAULT, push_mtu);
	struct pair_opts o = {.push = push, .client_tun_mtu_max = tun_mtu_max};

	*connected = false;
	if (pair_new(&p, &o) == 0) {
		*connected = pair_handshake(&p);
		if (*connected && p.push != NULL)
			mtu = p.push->tun_mtu;
		snprintf(last, cap, "%s", p.c_reason[0] ? p.c_reason : "");
	}
	pair_free(&p);
	return mtu;
}

static void test_tun_mtu_max_engine(void)
{
	bool up;
	char why[VPNC_REASON_LEN];
	int mtu;

	/* Without tun-mtu-max: 2.6 announces 1600 and a push up to it is taken. */
	mtu = pushed_mtu(0, 1600, &up, why, sizeof(why));
	CHECK(up && mtu == 1600, "push 1600: up %d mtu %d %s", up, mtu, why);
	/* Above it: cut to 1600 and the session goes on, as 2.6 ("Server-pushed tun-mtu is too large"). */
	mtu = pushed_mtu(0, 1700, &up, why, sizeof(why));
	CHECK(up && mtu == 1600, "push 1700: up %d mtu %d %s", up, mtu, why);
	/* tun-mtu-max 1800 takes it. */
	mtu = pushed_mtu(1800, 1700, &up, why, sizeof(why));
	CHECK(up && mtu == 1700, "max 1800, push 1700: up %d mtu %d %s", up, mtu, why);
	mtu = pushed_mtu(1800, 1900, &up, why, sizeof(why));
	CHECK(up && mtu == 1800, "max 1800, push 1900: up %d mtu %d %s", up, mtu, why);
	/* A tun-mtu-max below 1600 does not lower 2.6's floor. */
	mtu = pushed_mtu(1400, 1600, &up, why, sizeof(why));
	CHECK(up && mtu == 1600, "max 1400, push 1600: up %d mtu %d %s", up, mtu, why);
}

/* IV_MTU in the client's peer info: the largest of tun-mtu-max, tun-mtu (1500 here) and 1600. */
static void test_iv_mtu(void)
{
	const int cases[][2] = {{0, 1600}, {1800, 1800}, {1000, 1600}, {1920, 1920}};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pair p;
		struct pair_opts o = {.client_tun_mtu_max = cases[i][0]};

		CHECK(pair_new(&p, &o) == 0);
		if (p.c != NULL)
			CHECK(p.c->iv_mtu == cases[i][1], "case %zu: iv_mtu %d", i, p.c->iv_mtu);
		pair_free(&p);
	}
}

static void test_plugin(void)
{
	struct vpnc_config *c;

	/* One word: split when it runs, as OpenVPN's plugin loader splits it. */
	c = parse_ok(BASE "plugin /usr/lib/openvpn/openvpn-plugin-down-root.so \"/etc/openvpn/down.sh a b\"\n");
	CHECK(c != NULL && strcmp(c->down_root, "/etc/openvpn/down.sh a b") == 0 && c->down[0] == '\0');
	vpnc_config_free(c);
	/* Several words stay words, also with blanks and quotes in them. */
	c = parse_ok(BASE "plugin openvpn-plugin-down-root.so /bin/sh -c 'echo \"x\\y\" > /tmp/f'\ndown d.sh\n");
	CHECK(c != NULL && strcmp(c->down_root, "\"/bin/sh\" \"-c\" \"echo \\\"x\\\\y\\\" > /tmp/f\"") == 0 &&
	      strcmp(c->down, "d.sh") == 0, "down_root: %s", c != NULL ? c->down_root : "");
	if (c != NULL) {
		struct vpnc_lex_words w;
		const char *why = NULL;

		/* The script runner's splitter gives back exactly the profile's words. */
		CHECK(vpnc_lex_line(c->down_root, strlen(c->down_root), &w, &why) == 3 &&
		      strcmp(w.p[0], "/bin/sh") == 0 && strcmp(w.p[1], "-c") == 0 &&
		      strcmp(w.p[2], "echo \"x\\y\" > /tmp/f") == 0);
	}
	vpnc_config_free(c);
	/* Any other plugin is refused with the reason. */
	parse_err(BASE "plugin /usr/lib/openvpn/plugins/openvpn-plugin-auth-pam.so login\n",
	          "t.ovpn:7: option 'plugin': only openvpn-plugin-down-root.so is taken (its command runs as vpnc's "
	          "down script); any other plugin is code that would run inside vpnc's root process, and vpnc loads "
	          "no code from a profile", __LINE__);
	parse_err(BASE "plugin /x/openvpn-plugin-down-root.so.evil cmd\n",
	          "t.ovpn:7: option 'plugin': only openvpn-plugin-down-root.so is taken (its command runs as vpnc's "
	          "down script); any other plugin is code that would run inside vpnc's root process, and vpnc loads "
	          "no code from a profile", __LINE__);
	/* 2.6's down-root plugin fails to start without a command. */
	parse_err(BASE "plugin openvpn-plugin-down-root.so\n",
	          "t.ovpn:7: option 'plugin': openvpn-plugin-down-root.so needs the command to run", __LINE__);
	parse_err(BASE "plugin openvpn-plugin-down-root.so a\nplugin openvpn-plugin-down-root.so b\n",
	          "t.ovpn:8: option 'plugin': vpnc takes one openvpn-plugin-down-root.so command", __LINE__);
	/* Its point is root after 'user': with 'privsep no' nothing keeps root. */
	parse_err(BASE "plugin openvpn-plugin-down-root.so a\nuser nobody\nprivsep no\n",
	          "t.ovpn: the down-root plugin's command needs root when the tunnel goes down, and with "
	          "'privsep no' and 'user' vpnc keeps none: leave privilege separation on", __LINE__);
	c = parse_ok(BASE "plugin openvpn-plugin-down-root.so a\nuser nobody\n");
	CHECK(c != NULL && c->privsep);
	vpnc_config_free(c);
	/* It runs a program: not in an untrusted profile. */
	CHECK(vpnc_cfg_trust("plugin") == UT_RUN);
}

static void test_verify_hash_config(void)
{
	struct vpnc_config *c;
	static const char sha1[] = "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:01:02:03:04";
	static const char sha256[] = "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:"
	                             "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:FF";

	note_to = &note_sink;
	/* The option form defaults to SHA1; 2.6 warns that the option is deprecated. */
	c = parse_ok(BASE "verify-hash 00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:01:02:03:04\n");
	CHECK(c != NULL && c->n_verify_hash == 1 && c->verify_hash_sha1 && c->verify_hash_len[0] == 20 &&
	      c->verify_hash[0][0] == 0x00 && c->verify_hash[0][19] == 0x04);
	CHECK(strstr(notes, "t.ovpn:7: option 'verify-hash' is deprecated in OpenVPN 2.6") != NULL, "%s", notes);
	vpnc_config_free(c);
	note_to = NULL;
	/* The block defaults to SHA256; several lines, comments and blank lines as in 2.6. */
	char text[1024];
	snprintf(text, sizeof(text), BASE "<verify-hash>\n# ca\n%s\n\n%s\n</verify-hash>\nverify-hash %s SHA1\n", sha256,
	         sha256, sha1);
	c = parse_ok(text);
	CHECK(c != NULL && c->n_verify_hash == 3 && c->verify_hash_len[0] == 32 && c->verify_hash_len[1] == 32 &&
	      c->verify_hash_len[2] == 20 && c->verify_hash[1][31] == 0xff);
	/* 2.6 hashes with the last line's algorithm. */
	CHECK(c != NULL && c->verify_hash_sha1);
	vpnc_config_free(c);
	snprintf(text, sizeof(text), BASE "verify-hash %s SHA256\n", sha256);
	c = parse_ok(text);
	CHECK(c != NULL && c->n_verify_hash == 1 && !c->verify_hash_sha1 && c->verify_hash_len[0] == 32);
	vpnc_config_free(c);
	/* A SHA-256 value where SHA1 is meant, a bad algorithm, and the mix with peer-fingerprint. */
	snprintf(text, sizeof(text), BASE "verify-hash %s\n", sha256);
	parse_err(text, "t.ovpn:7: option 'verify-hash': '00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:"
	                "44:55:66:77:88:99:aa:bb:cc:dd:ee:FF' is not a SHA-1 fingerprint (20 hex bytes separated by ':')",
	          __LINE__);
	snprintf(text, sizeof(text), BASE "verify-hash %s MD5\n", sha1);
	parse_err(text, "t.ovpn:7: option 'verify-hash': the hash must be SHA1 or SHA256, as in OpenVPN 2.6", __LINE__);
	snprintf(text, sizeof(text), BASE "peer-fingerprint %s\nverify-hash %s\n", sha256, sha1);
	parse_err(text, "t.ovpn:8: option 'verify-hash': options 'verify-hash' and 'peer-fingerprint' exclude each other",
	          __LINE__);
	snprintf(text, sizeof(text), BASE "verify-hash %s\npeer-fingerprint %s\n", sha1, sha256);
	parse_err(text,
	          "t.ovpn:8: option 'peer-fingerprint': options 'verify-hash' and 'peer-fingerprint' exclude each other",
	          __LINE__);
	/* Like 2.6: without 'ca' nothing vouches for the server (only peer-fingerprint works without one). */
	snprintf(text, sizeof(text), "client\nauth-user-pass\nremote vpn.example.org\nverify-hash %s\n", sha1);
	parse_err(text, "t.ovpn: no 'ca' or 'peer-fingerprint' given; the server cannot be verified", __LINE__);
	CHECK(vpnc_cfg_trust("verify-hash") == UT_OK);
}

/* The client's verify-hash for the pair: the CA's real fingerprint, a wrong one, or a list. */
static int vh_mode;

static void vh_hook(struct vpnc_config *conf)
{
	BIO *bio = BIO_new_mem_buf(pair_pki.ca, -1);
	X509 *ca = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	unsigned len = 0;
	bool sha1 = vh_mode == 1 || vh_mode == 3;

	if (ca != NULL)
		X509_digest(ca, sha1 ? EVP_sha1() : EVP_sha256(), conf->verify_hash[1], &len);
	memset(conf->verify_hash[0], 0xab, sizeof(conf->verify_hash[0]));
	conf->verify_hash_len[0] = conf->verify_hash_len[1] = (uint8_t)len;
	conf->verify_hash_sha1 = sha1;
	conf->n_verify_hash = 2;
	if (vh_mode == 3) /* wrong: only a value that never matches */
		conf->n_verify_hash = 1;
	if (vh_mode == 4) { /* the right SHA-256 value, but the list is hashed with SHA-1 (last line's) */
		conf->verify_hash_sha1 = true;
	}
	X509_free(ca);
	BIO_free(bio);
}

static void test_verify_hash_engine(void)
{
	static const char *const what[] = {"", "SHA-1 of the CA", "SHA-256 of the CA", "a wrong SHA-1",
	                                   "a SHA-256 value, hashed with SHA-1"};
	const bool want[] = {false, true, true, false, false};

	for (vh_mode = 1; vh_mode <= 4; vh_mode++) {
		struct pair p;
		struct pair_opts o = {.client_conf_hook = vh_hook};
		bool up = false;

		if (pair_new(&p, &o) == 0)
			up = pair_handshake(&p);
		CHECK(up == want[vh_mode], "verify-hash %s: connected %d (%s)", what[vh_mode], up, p.c_reason);
		if (!want[vh_mode])
			CHECK(strstr(p.c_reason, "not in verify-hash") != NULL, "reason: %s", p.c_reason);
		pair_free(&p);
	}
}

static void test_http_proxy_override(void)
{
	struct vpnc_config *c;

	/* TCP remotes go through it (auth auto, HTTP/1.0, 2.6's agent); UDP remotes are left out. */
	c = parse_ok("client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote u.example.org 1194 udp\n"
	             "remote t.example.org 443 tcp-client\nhttp-proxy old.example.org 8080 auto-nct\n"
	             "http-proxy-option AGENT x\nhttp-proxy-override proxy.example.org 3128\n");
	CHECK(c != NULL && c->n_remotes == 1 && strcmp(c->remotes[0].host, "t.example.org") == 0);
	CHECK(c != NULL && c->http_proxy.set && strcmp(c->http_proxy.host, "proxy.example.org") == 0 &&
	      strcmp(c->http_proxy.port, "3128") == 0 && c->http_proxy.auth == VPNC_PROXY_AUTH_AUTO &&
	      strcmp(c->http_proxy.version, "1.0") == 0 &&
	      strcmp(c->http_proxy.agent, "OpenVPN-Autoproxy/1.0") == 0);
	vpnc_config_free(c);
	c = parse_ok(BASE "proto tcp\nhttp-proxy-override proxy.example.org 3128 nct\n");
	CHECK(c != NULL && c->http_proxy.auth == VPNC_PROXY_AUTH_AUTO_NCT && c->n_remotes == 1);
	vpnc_config_free(c);
	/* No TCP remote: ignored with 2.6's note, and the UDP remote stays. */
	note_to = &note_sink;
	c = parse_ok(BASE "http-proxy-override proxy.example.org 3128\n");
	CHECK(c != NULL && !c->http_proxy.set && c->n_remotes == 1);
	CHECK(strstr(notes, "option 'http-proxy-override' ignored because no TCP remote is given") != NULL,
	      "notes: %s", notes);
	vpnc_config_free(c);
	note_to = NULL;
	parse_err(BASE "http-proxy-override proxy.example.org 0\n",
	          "t.ovpn:7: option 'http-proxy-override': the port must be a number from 1 to 65535", __LINE__);
	parse_err(BASE "http-proxy-override proxy.example.org 3128 nct x\n",
	          "t.ovpn:7: option 'http-proxy-override' takes at most 3 arguments", __LINE__);
	CHECK(vpnc_cfg_trust("http-proxy-override") == UT_OK);
}

static void test_capath(void)
{
	char dir[] = "/tmp/vpnc-capath-XXXXXX", path[256], text[512];
	struct vpnc_config *c;
	FILE *f;

	if (mkdtemp(dir) == NULL) {
		CHECK(false, "mkdtemp");
		return;
	}
	/* Certificates as HASH.N, CRLs as HASH.rN; other names are not read. */
	snprintf(path, sizeof(path), "%s/0123abcd.0", dir);
	f = fopen(path, "w");
	CHECK(f != NULL && fputs(pair_pki.ca, f) >= 0);
	if (f != NULL)
		fclose(f);
	snprintf(path, sizeof(path), "%s/0123abcd.r0", dir);
	f = fopen(path, "w");
	CHECK(f != NULL && fputs("CRL\n", f) >= 0);
	if (f != NULL)
		fclose(f);
	snprintf(path, sizeof(path), "%s/README", dir);
	f = fopen(path, "w");
	CHECK(f != NULL && fputs("not read\n", f) >= 0);
	if (f != NULL)
		fclose(f);
	snprintf(text, sizeof(text), "client\nauth-user-pass\nremote vpn.example.org\ncapath %s\n", dir);
	c = parse_ok(text);
	CHECK(c != NULL && c->capath && c->ca == NULL && c->capath_certs != NULL &&
	      strstr(c->capath_certs, "-----BEGIN CERTIFICATE-----") != NULL && c->capath_crls != NULL &&
	      strcmp(c->capath_crls, "CRL\n\n") == 0 && strstr(c->capath_certs, "not read") == NULL);
	vpnc_config_free(c);
	snprintf(text, sizeof(text), "client\nauth-user-pass\nremote vpn.example.org\ncapath %s/none\n", dir);
	parse_err_prefix(text, "t.ovpn: option 'capath': cannot open the directory: ", __LINE__);
	/* A directory to read: not in an untrusted profile. */
	CHECK(vpnc_cfg_trust("capath") == UT_DIR);
	snprintf(path, sizeof(path), "%s/0123abcd.0", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/0123abcd.r0", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/README", dir);
	unlink(path);
	rmdir(dir);
}

/* Before test_providers(): the legacy provider (BF-CBC) is not loaded yet. */
static void test_compat_mode(void)
{
	struct vpnc_config *c;

	/* 2.6.0 and later change nothing. */
	c = parse_ok(BASE "compat-mode 2.6.0\ncipher AES-128-CBC\ndata-ciphers AES-256-GCM\n");
	CHECK(c != NULL && strcmp(c->data_ciphers, "AES-256-GCM") == 0 && c->allow_comp == VPNC_ALLOW_COMP_UNSET);
	vpnc_config_free(c);
	/* Before 2.6.0: what the server compresses is decompressed, unless the profile says otherwise. */
	c = parse_ok(BASE "compat-mode 2.5.9\n");
	CHECK(c != NULL && c->allow_comp == VPNC_ALLOW_COMP_ASYM && vpnc_config_comp_allowed(c));
	vpnc_config_free(c);
	c = parse_ok(BASE "compat-mode 2.5.9\nallow-compression no\n");
	CHECK(c != NULL && c->allow_comp == VPNC_ALLOW_COMP_NO && !vpnc_config_comp_allowed(c));
	vpnc_config_free(c);
	/* Before 2.5.0: 'cipher' joins data-ciphers, even a list the profile gives. */
	c = parse_ok(BASE "compat-mode 2.4.12\ncipher AES-128-CBC\ndata-ciphers AES-256-GCM\n");
	CHECK(c != NULL && strcmp(c->data_ciphers, "AES-256-GCM:AES-128-CBC") == 0, "%s", c ? c->data_ciphers : "");
	vpnc_config_free(c);
	/* Before 2.4.0: no cipher means BF-CBC, which OpenSSL 3 has only in its legacy provider: 2.6 fails too. */
	parse_err(BASE "compat-mode 2.3.18\n",
	          "t.ovpn: option 'compat-mode' adds cipher 'BF-CBC' to data-ciphers, and it is not available "
	          "(add 'providers legacy default')", __LINE__);
	c = parse_ok(BASE "compat-mode 2.3.18\ncipher AES-256-CBC\n");
	CHECK(c != NULL && strcmp(c->data_ciphers_fallback, "AES-256-CBC") == 0 &&
	      strstr(c->data_ciphers, "AES-256-CBC") != NULL);
	vpnc_config_free(c);
	/* Before 2.3.7 2.6 would allow TLS 1.0: a note says vpnc does not. */
	note_to = &note_sink;
	c = parse_ok(BASE "compat-mode 2.3.6\ncipher AES-256-CBC\n");
	CHECK(c != NULL && c->tls_version_min == 0);
	CHECK(strstr(notes, "vpnc does not use TLS below 1.2") != NULL, "notes: %s", notes);
	vpnc_config_free(c);
	note_to = NULL;
	parse_err(BASE "compat-mode 2.4\n", "t.ovpn:7: option 'compat-mode': cannot parse the version number "
	          "(MAJOR.MINOR.PATCH, as in 2.4.0)", __LINE__);
	parse_err(BASE "compat-mode x.4.0\n", "t.ovpn:7: option 'compat-mode': cannot parse the version number "
	          "(MAJOR.MINOR.PATCH, as in 2.4.0)", __LINE__);
	CHECK(vpnc_cfg_trust("compat-mode") == UT_OK);
}

static void test_providers(void)
{
	struct vpnc_config *c;

	/* As 2.6: loaded when the profile is read, so BF-CBC (legacy) is there for what follows. */
	/* After data-ciphers in the file: 2.6 loads them first, and so does vpnc (the pre-scan). */
	c = parse_ok(BASE "data-ciphers AES-256-GCM:BF-CBC\nproviders legacy default\n");
	CHECK(c != NULL && strcmp(c->data_ciphers, "AES-256-GCM:BF-CBC") == 0);
	CHECK(c != NULL && c->n_providers == 2 && strcmp(c->providers[0], "legacy") == 0 &&
	      strcmp(c->providers[1], "default") == 0);
	vpnc_config_free(c);
	EVP_CIPHER *bf = EVP_CIPHER_fetch(NULL, "BF-CBC", NULL);
	CHECK(bf != NULL, "BF-CBC after 'providers legacy default'");
	EVP_CIPHER_free(bf);
	/* A later line replaces the list. */
	c = parse_ok(BASE "providers legacy\nproviders default\n");
	CHECK(c != NULL && c->n_providers == 1 && strcmp(c->providers[0], "default") == 0);
	vpnc_config_free(c);
	parse_err(BASE "providers nosuchprovider\n",
	          "t.ovpn:7: option 'providers': OpenSSL cannot load the provider 'nosuchprovider'", __LINE__);
	parse_err(BASE "providers ../x\n",
	          "t.ovpn:7: option 'providers': a provider name is 1 to 63 bytes without '/'", __LINE__);
	/* It loads code: not in an untrusted profile. */
	CHECK(vpnc_cfg_trust("providers") == UT_LOAD);
	{
		char text[] = BASE "providers default\n";
		char path[] = "/tmp/vpnc-test-XXXXXX";
		int fd = mkstemp(path);
		char *argv[] = {"--untrusted-config"};

		CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
		if (fd >= 0)
			close(fd);
		c = NULL;
		CHECK(vpnc_config_load(path, 1, argv, NULL, &c, err, sizeof(err)) < 0 && c == NULL);
		CHECK(strstr(err, ":7: option 'providers': not allowed in an untrusted profile (it would load a library "
		                  "into vpnc: an OpenSSL provider is code)") != NULL, "err: %s", err);
		vpnc_config_free(c);
		unlink(path);
	}
}

int main(int argc, char **argv)
{
	pair_verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	parse_reset = reset_notes;
	testpki_make(&pair_pki, 0);
	wire_rand(NULL, pair_wrap_key, sizeof(pair_wrap_key));
	test_tun_mtu_max_config();
	test_iv_mtu();
	test_tun_mtu_max_engine();
	test_plugin();
	test_verify_hash_config();
	test_verify_hash_engine();
	test_http_proxy_override();
	test_capath();
	test_compat_mode();
	test_providers();
	testpki_free(&pair_pki);
	printf("test_compat_options: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
