/*
 * test_tls.c: TLS contexts and certificate checks (src/core/tls.c,
 * tls_verify.c) over in-memory handshakes between a vpnc_tls client and a
 * vpnc_tls server: TLS 1.2 and 1.3, EC/Ed25519/RSA, intermediate CAs and
 * extra-certs, encrypted keys and PKCS#12, tls-cert-profile and cipher lists,
 * verify-x509-name, remote-cert-eku/-ku, crl-verify, and the config options
 * that feed them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../testpki_ext.h"
#include "core/tls.h"
#include "core/tls_verify.h"
#include "vpnc/config.h"

#include "../check.h"
#include "../tlsworld.h"

static void test_versions_and_keys(void)
{
	static const enum tpx_kind kinds[] = {TPX_EC, TPX_ED25519, TPX_RSA};
	char err[512], desc[128];

	for (size_t k = 0; k < 3; k++) {
		struct world w;
		world_make(&w, kinds[k], "critical,digitalSignature,keyEncipherment", "serverAuth");
		SSL_CTX *s13 = server_ctx(&w, false, 0), *s12 = server_ctx(&w, false, TLS1_2_VERSION);
		struct vpnc_config *cfg = client_cfg(&w);

		CHECK(connect_cfg(cfg, s13, err, sizeof(err), desc, sizeof(desc)) == 1);
		CHECK_HAS(desc, "TLSv1.3");
		/* A TLS 1.2-only server (tls-version-max 1.2 on its side). */
		CHECK(connect_cfg(cfg, s12, err, sizeof(err), desc, sizeof(desc)) == 1);
		CHECK_HAS(desc, "TLSv1.2");
		/* tls-version-min 1.3 against it fails, but not as a verification failure. */
		cfg->tls_version_min = TLS1_3_VERSION;
		CHECK(connect_cfg(cfg, s12, err, sizeof(err), desc, sizeof(desc)) == -EPROTO);
		CHECK_HAS(err, "TLS handshake failed");
		/* tls-version-max 1.2 on our side against a 1.3 server. */
		cfg->tls_version_min = 0;
		cfg->tls_version_max = TLS1_2_VERSION;
		CHECK(connect_cfg(cfg, s13, err, sizeof(err), desc, sizeof(desc)) == 1);
		CHECK_HAS(desc, "TLSv1.2");
		vpnc_config_free(cfg);
		SSL_CTX_free(s13);
		SSL_CTX_free(s12);
		world_free(&w);
	}
}

static void test_chain(void)
{
	struct world w;
	char err[512], desc[128];

	world_make(&w, TPX_EC, "critical,digitalSignature", "serverAuth");
	SSL_CTX *full = server_ctx(&w, false, 0), *bare = server_ctx(&w, true, 0);
	struct vpnc_config *cfg = client_cfg(&w);

	CHECK(connect_cfg(cfg, full, err, sizeof(err), desc, sizeof(desc)) == 1);
	/* The server omits its intermediate: we cannot build the chain. */
	CHECK(connect_cfg(cfg, bare, err, sizeof(err), desc, sizeof(desc)) == -EPERM);
	CHECK_HAS(err, "server certificate verification failed: unable to get local issuer certificate");
	CHECK_HAS(err, "subject " SERVER_SUBJECT_OVPN);
	/* Without extra-certs the server cannot verify our certificate. */
	free(cfg->extra_certs);
	cfg->extra_certs = NULL;
	CHECK(connect_cfg(cfg, full, err, sizeof(err), desc, sizeof(desc)) < 0);
	/* The intermediate appended to 'cert' works as a chain too. */
	char *both = tpx_cat(w.cli_pem, w.int_pem);
	free(cfg->cert);
	cfg->cert = both;
	CHECK(connect_cfg(cfg, full, err, sizeof(err), desc, sizeof(desc)) == 1);
	/* A CA that did not sign the server. */
	struct world other;
	world_make(&other, TPX_EC, "critical,digitalSignature", "serverAuth");
	free(cfg->ca);
	cfg->ca = strdup(other.root_pem);
	CHECK(connect_cfg(cfg, full, err, sizeof(err), desc, sizeof(desc)) == -EPERM);
	CHECK_HAS(err, "verification failed");
	world_free(&other);
	vpnc_config_free(cfg);
	SSL_CTX_free(full);
	SSL_CTX_free(bare);
	world_free(&w);
}

struct asker {
	const char *answer;
	int calls;
};

static int ask_cb(char *buf, size_t cap, void *arg)
{
	struct asker *a = arg;
	a->calls++;
	if (a->answer == NULL)
		return -ENXIO;
	snprintf(buf, cap, "%s", a->answer);
	return 0;
}

static void test_encrypted_key(void)
{
	struct world w;
	char err[512], desc[128];

	world_make(&w, TPX_EC, "critical,digitalSignature", "serverAuth");
	SSL_CTX *s = server_ctx(&w, false, 0);
	struct vpnc_config *cfg = client_cfg(&w);
	free(cfg->key);
	cfg->key = tpx_key_pem_enc(w.cli_key, "sesame");
	CHECK(strstr(cfg->key, "ENCRYPTED") != NULL);

	/* No passphrase and nobody to ask. */
	SSL_CTX *c = vpnc_tls_ctx_client(cfg, NULL, err, sizeof(err));
	CHECK(c == NULL);
	CHECK_HAS(err, "cannot load the private key ('key'): it is encrypted");
	/* askpass FILE: the passphrase is in the config. */
	cfg->key_pass = strdup("sesame");
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == 1);
	free(cfg->key_pass);
	cfg->key_pass = strdup("wrong");
	c = vpnc_tls_ctx_client(cfg, NULL, err, sizeof(err));
	CHECK(c == NULL);
	CHECK_HAS(err, "cannot load the private key ('key')");
	free(cfg->key_pass);
	cfg->key_pass = NULL;
	/* The prompt callback, asked exactly once. */
	struct asker a = {"sesame", 0};
	const struct vpnc_tls_key_src asksrc = {.ask = ask_cb, .ask_arg = &a};
	c = vpnc_tls_ctx_client(cfg, &asksrc, err, sizeof(err));
	CHECK(c != NULL && a.calls == 1);
	if (c != NULL)
		CHECK(handshake(c, s, err, sizeof(err), desc, sizeof(desc)) == 1);
	SSL_CTX_free(c);
	a = (struct asker){"nope", 0};
	CHECK(vpnc_tls_ctx_client(cfg, &asksrc, err, sizeof(err)) == NULL && a.calls == 1);
	a = (struct asker){NULL, 0};
	CHECK(vpnc_tls_ctx_client(cfg, &asksrc, err, sizeof(err)) == NULL);
	CHECK_HAS(err, "no passphrase is available");
	/* An unencrypted key never calls the callback. */
	free(cfg->key);
	cfg->key = strdup(w.cli_key_pem);
	a = (struct asker){"x", 0};
	c = vpnc_tls_ctx_client(cfg, &asksrc, err, sizeof(err));
	CHECK(c != NULL && a.calls == 0);
	SSL_CTX_free(c);
	vpnc_config_free(cfg);
	SSL_CTX_free(s);
	world_free(&w);
}

static void test_pkcs12(void)
{
	struct world w;
	char err[512], desc[128];

	world_make(&w, TPX_EC, "critical,digitalSignature", "serverAuth");
	SSL_CTX *s = server_ctx(&w, false, 0);
	struct vpnc_config *cfg = client_cfg(&w);
	free(cfg->cert);
	free(cfg->key);
	cfg->cert = cfg->key = NULL;

	/* No passphrase; CA from 'ca', the PKCS#12's CA (the intermediate) goes into the chain. */
	cfg->pkcs12 = tpx_pkcs12(w.cli_key, w.cli, w.inter, "", &cfg->pkcs12_len);
	free(cfg->extra_certs);
	cfg->extra_certs = NULL;
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == 1);
	free(cfg->pkcs12);

	/* With a passphrase, from askpass or the callback. */
	cfg->pkcs12 = tpx_pkcs12(w.cli_key, w.cli, w.inter, "p12pass", &cfg->pkcs12_len);
	CHECK(vpnc_tls_ctx_client(cfg, NULL, err, sizeof(err)) == NULL);
	CHECK_HAS(err, "PKCS#12");
	cfg->key_pass = strdup("p12pass");
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == 1);
	free(cfg->key_pass);
	cfg->key_pass = strdup("bad");
	CHECK(vpnc_tls_ctx_client(cfg, NULL, err, sizeof(err)) == NULL);
	CHECK_HAS(err, "wrong passphrase");
	free(cfg->key_pass);
	cfg->key_pass = NULL;
	struct asker a = {"p12pass", 0};
	const struct vpnc_tls_key_src asksrc = {.ask = ask_cb, .ask_arg = &a};
	SSL_CTX *c = vpnc_tls_ctx_client(cfg, &asksrc, err, sizeof(err));
	CHECK(c != NULL && a.calls == 1);
	SSL_CTX_free(c);
	free(cfg->pkcs12);

	/* No 'ca': the PKCS#12's CA (here the root) is trusted; the intermediate goes in extra-certs. */
	cfg->pkcs12 = tpx_pkcs12(w.cli_key, w.cli, w.root, "", &cfg->pkcs12_len);
	free(cfg->ca);
	cfg->ca = NULL;
	cfg->extra_certs = strdup(w.int_pem);
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == 1);
	free(cfg->pkcs12);
	cfg->pkcs12 = tpx_pkcs12(w.cli_key, w.cli, NULL, "", &cfg->pkcs12_len);
	CHECK(vpnc_tls_ctx_client(cfg, NULL, err, sizeof(err)) == NULL);
	CHECK_HAS(err, "holds no CA certificate");
	/* Garbage is refused, not crashed on. */
	memset(cfg->pkcs12, 0x30, cfg->pkcs12_len);
	CHECK(vpnc_tls_ctx_client(cfg, NULL, err, sizeof(err)) == NULL);
	CHECK_HAS(err, "cannot read the PKCS#12 file");
	vpnc_config_free(cfg);
	SSL_CTX_free(s);
	world_free(&w);
}

static void test_x509_name(void)
{
	struct world w;
	char err[512], desc[128];

	world_make(&w, TPX_EC, "critical,digitalSignature", "serverAuth");
	SSL_CTX *s = server_ctx(&w, false, 0);
	struct vpnc_config *cfg = client_cfg(&w);
	static const struct {
		const char *name;
		enum vpnc_x509_name_type type;
		int want;
	} cases[] = {
		{SERVER_SUBJECT_OVPN, VPNC_X509_SUBJECT, 1},
		{"C=NL, O=vpnc test, CN=server.example", VPNC_X509_SUBJECT, -EPERM},
		{"/C=NL/O=vpnc test/OU=ops/CN=server.example", VPNC_X509_SUBJECT, -EPERM},
		{"server.example", VPNC_X509_NAME, 1},
		{"server", VPNC_X509_NAME, -EPERM},
		{"server.", VPNC_X509_NAME_PREFIX, 1},
		{"server.example", VPNC_X509_NAME_PREFIX, 1},
		{"srv", VPNC_X509_NAME_PREFIX, -EPERM},
		{"server.example.org", VPNC_X509_NAME_PREFIX, -EPERM},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		free(cfg->verify_x509_name);
		cfg->verify_x509_name = strdup(cases[i].name);
		cfg->verify_x509_type = cases[i].type;
		int r = connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc));
		CHECK(r == cases[i].want);
		if (r != cases[i].want)
			fprintf(stderr, "  case %zu: %d, %s\n", i, r, err);
		if (cases[i].want < 0) {
			CHECK_HAS(err, "server certificate verification failed: the certificate does not "
			               "match verify-x509-name");
			CHECK_HAS(err, "(depth 0, subject " SERVER_SUBJECT_OVPN ")");
		}
	}
	vpnc_config_free(cfg);
	SSL_CTX_free(s);
	world_free(&w);

	/* The subject string itself, with OpenVPN's remapping of a leading '-' and control characters. */
	EVP_PKEY *k = tpx_key(TPX_EC);
	X509 *x = tpx_cert(k, "CN=-odd\x01name", NULL, k, 5, 0, NULL, NULL);
	char subj[128], cn[80];
	CHECK(vpnc_tls_subject(x, subj, sizeof(subj)));
	CHECK(strcmp(subj, "CN=-odd\\01name") == 0);
	CHECK(vpnc_tls_common_name(x, cn, sizeof(cn)) && strcmp(cn, "-odd_name") == 0);
	X509_free(x);
	x = tpx_cert(k, "CN=first/CN=second", NULL, k, 5, 0, NULL, NULL);
	CHECK(vpnc_tls_common_name(x, cn, sizeof(cn)) && strcmp(cn, "second") == 0);
	X509_free(x);
	x = tpx_cert(k, "O=no common name", NULL, k, 5, 0, NULL, NULL);
	CHECK(!vpnc_tls_common_name(x, cn, sizeof(cn)));
	CHECK(vpnc_tls_check_name(x, "x", VPNC_X509_NAME, err, sizeof(err)) == -EPERM);
	X509_free(x);
	EVP_PKEY_free(k);
}

/*
 * The server's certificate subject is the server's text: in a verification
 * failure it comes escaped (core/logesc.h), so a UTF-8 or crafted subject
 * cannot put raw bytes into a log line.
 */
static void test_subject_escaped(void)
{
	struct world w;
	char err[512], desc[128];

	world_make(&w, TPX_EC, "critical,digitalSignature", "serverAuth");
	X509_free(w.srv);
	free(w.srv_pem);
	w.srv = tpx_cert(w.srv_key, "O=caf\xc3\xa9/CN=server.example", w.inter, w.int_key, 12, 0,
	                 "critical,digitalSignature", "serverAuth");
	w.srv_pem = testpki_cert_pem(w.srv);
	SSL_CTX *s = server_ctx(&w, false, 0);
	struct vpnc_config *cfg = client_cfg(&w);
	cfg->verify_x509_name = strdup("someone.else");
	cfg->verify_x509_type = VPNC_X509_NAME;
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == -EPERM);
	CHECK_HAS(err, "(depth 0, subject O=caf\\xc3\\xa9, CN=server.example)");
	CHECK(strchr(err, '\xc3') == NULL);
	vpnc_config_free(cfg);
	SSL_CTX_free(s);
	world_free(&w);
}

/* What tls-verify's script gets for one certificate (core/tls.h): printable subject, X509 lines. */
static void test_cert_info(void)
{
	static const char track[][VPNC_X509_TRACK_NAME] = {"+SHA1", "CN", "OU", "basicConstraints"};
	struct vpnc_tls_cert_info ci;
	struct world w;

	world_make(&w, TPX_EC, "critical,digitalSignature", "serverAuth");
	X509_free(w.srv);
	free(w.srv_pem);
	w.srv = tpx_cert(w.srv_key, "O=caf\xc3\xa9/OU=a/OU=b/CN=server.example", w.inter, w.int_key, 12, 0,
	                 "critical,digitalSignature", "serverAuth");
	w.srv_pem = testpki_cert_pem(w.srv);
	CHECK(vpnc_tls_cert_info(w.srv, 0, NULL, 0, &ci) == 0);
	CHECK_STR(ci.subject, "O=caf__, OU=a, OU=b, CN=server.example");
	CHECK_STR(ci.x509, "O=caf__\nOU=a\nOU_1=b\nCN=server.example\n");
	CHECK(strlen(ci.sha1) == 59 && strlen(ci.sha256) == 95 && strcmp(ci.serial, "12") == 0 &&
	      strcmp(ci.serial_hex, "0c") == 0);
	CHECK(vpnc_tls_cert_info(w.srv, 0, track, 4, &ci) == 0);
	CHECK(strncmp(ci.x509, "SHA1=", 5) == 0 && strstr(ci.x509, "\nCN=server.example\nOU=a\n") != NULL);
	if (strstr(ci.x509, "basicConstraints=") != NULL) /* only if the test PKI gave the leaf one */
		CHECK(strstr(ci.x509, "\nbasicConstraints=CA:FALSE\n") != NULL, "%s", ci.x509);
	CHECK(strpbrk(ci.x509 + 5, "abcdef") == strstr(ci.x509, "erver")); /* uppercase hex */
	/* At depth 1 only what '+' tracks. */
	CHECK(vpnc_tls_cert_info(w.inter, 1, track, 4, &ci) == 0);
	CHECK(strncmp(ci.x509, "SHA1=", 5) == 0 && strchr(ci.x509, '\n') == ci.x509 + 64 && ci.x509[65] == '\0');
	world_free(&w);
}

static void test_eku_ku(void)
{
	struct world w;
	char err[512], desc[128];

	world_make(&w, TPX_EC, "critical,digitalSignature,keyEncipherment", "serverAuth,codeSigning");
	SSL_CTX *s = server_ctx(&w, false, 0);
	struct vpnc_config *cfg = client_cfg(&w);

	/* remote-cert-eku by OID, by long name; OpenVPN does not match the short name. */
	static const struct {
		const char *eku;
		int want;
	} ekus[] = {
		{"1.3.6.1.5.5.7.3.1", 1}, {"TLS Web Server Authentication", 1}, {"Code Signing", 1},
		{"serverAuth", -EPERM}, {"TLS Web Client Authentication", -EPERM}, {"1.3.6.1.5.5.7.3.2", -EPERM},
	};
	for (size_t i = 0; i < sizeof(ekus) / sizeof(ekus[0]); i++) {
		free(cfg->remote_cert_eku);
		cfg->remote_cert_eku = strdup(ekus[i].eku);
		CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == ekus[i].want);
		if (ekus[i].want < 0)
			CHECK_HAS(err, "lacks extended key usage");
	}
	free(cfg->remote_cert_eku);
	cfg->remote_cert_eku = NULL;

	/* remote-cert-ku: digitalSignature (80) + keyEncipherment (20) = a0. */
	static const struct {
		unsigned ku[3];
		int want;
	} kus[] = {
		{{0}, 1}, {{0xa0}, 1}, {{0x80}, 1}, {{0x88}, -EPERM}, {{0x88, 0xa0}, 1}, {{0x08, 0x04}, -EPERM},
	};
	for (size_t i = 0; i < sizeof(kus) / sizeof(kus[0]); i++) {
		memset(cfg->remote_cert_ku, 0, sizeof(cfg->remote_cert_ku));
		memcpy(cfg->remote_cert_ku, kus[i].ku, sizeof(kus[i].ku));
		cfg->remote_cert_ku_set = true;
		CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == kus[i].want);
		if (kus[i].want < 0)
			CHECK_HAS(err, "the certificate has key usage 00a0, expected one of");
	}
	vpnc_config_free(cfg);
	SSL_CTX_free(s);
	world_free(&w);

	/* remote-cert-tls server: a cert without keyUsage, and one with clientAuth only. */
	world_make(&w, TPX_EC, NULL, "serverAuth");
	s = server_ctx(&w, false, 0);
	cfg = client_cfg(&w);
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == 1);
	cfg->remote_cert_tls_server = true;
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == -EPERM);
	CHECK_HAS(err, "no keyUsage extension");
	vpnc_config_free(cfg);
	SSL_CTX_free(s);
	world_free(&w);
	world_make(&w, TPX_EC, "critical,digitalSignature", "clientAuth");
	s = server_ctx(&w, false, 0);
	cfg = client_cfg(&w);
	cfg->remote_cert_tls_server = true;
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == -EPERM);
	/* OpenSSL's own purpose check (as for OpenVPN) refuses it before our EKU rule. */
	CHECK_HAS(err, "verification failed: unsuitable certificate purpose (depth 0");
	CHECK_HAS(err, "subject " SERVER_SUBJECT_OVPN);
	vpnc_config_free(cfg);
	SSL_CTX_free(s);
	world_free(&w);
}

static void test_crl(void)
{
	struct world w;
	char err[512], desc[128];
	long revoked[] = {10}, other[] = {99};

	world_make(&w, TPX_EC, "critical,digitalSignature", "serverAuth");
	SSL_CTX *s = server_ctx(&w, false, 0);
	struct vpnc_config *cfg = client_cfg(&w);
	char *root_empty = tpx_crl_pem(w.root, w.root_key, NULL, 0);
	char *int_revoked = tpx_crl_pem(w.inter, w.int_key, revoked, 1);
	char *int_other = tpx_crl_pem(w.inter, w.int_key, other, 1);

	/* OpenVPN checks the whole chain (X509_V_FLAG_CRL_CHECK_ALL) against the CRLs there are. */
	cfg->crl = tpx_cat(root_empty, int_other);
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == 1);
	free(cfg->crl);
	cfg->crl = tpx_cat(root_empty, int_revoked);
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == -EPERM);
	CHECK_HAS(err, "server certificate verification failed: certificate revoked (depth 0, subject " SERVER_SUBJECT_OVPN ")");
	free(cfg->crl);
	/*
	 * A CA with no CRL in the file passes, as 2.6's verify_callback() lets
	 * X509_V_ERR_UNABLE_TO_GET_CRL pass; a CRL that is there still counts.
	 */
	cfg->crl = strdup(int_other);
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == 1);
	free(cfg->crl);
	cfg->crl = strdup(root_empty);
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == 1);
	free(cfg->crl);
	cfg->crl = strdup(int_revoked);
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == -EPERM);
	CHECK_HAS(err, "certificate revoked (depth 0");
	free(cfg->crl);
	cfg->crl = strdup("not a CRL\n");
	CHECK(vpnc_tls_ctx_client(cfg, NULL, err, sizeof(err)) == NULL);
	CHECK_HAS(err, "'crl-verify' holds no PEM CRL");
	free(cfg->crl);
	cfg->crl = NULL;

	/* crl-verify DIR dir: a file named by the decimal serial revokes it, at any depth. */
	char dir[] = "/tmp/vpnc-test-crl-XXXXXX", path[64];
	CHECK(mkdtemp(dir) != NULL);
	cfg->crl_dir = strdup(dir);
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == 1);
	snprintf(path, sizeof(path), "%s/10", dir);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f != NULL)
		fclose(f);
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == -EPERM);
	CHECK_HAS(err, "serial 10 is revoked (crl-verify dir) (depth 0, subject " SERVER_SUBJECT_OVPN ")");
	unlink(path);
	snprintf(path, sizeof(path), "%s/2", dir);
	f = fopen(path, "w");
	if (f != NULL)
		fclose(f);
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == -EPERM);
	CHECK_HAS(err, "(depth 1, subject CN=intermediate CA)");
	unlink(path);
	rmdir(dir);

	free(root_empty);
	free(int_revoked);
	free(int_other);
	vpnc_config_free(cfg);
	SSL_CTX_free(s);
	world_free(&w);
}

static void test_algorithms(void)
{
	struct world w, rsa;
	char err[512], desc[128];

	world_make(&w, TPX_EC, "critical,digitalSignature", "serverAuth");
	SSL_CTX *s = server_ctx(&w, false, 0);
	struct vpnc_config *cfg = client_cfg(&w);

	/* tls-cipher with an IANA name, translated for OpenSSL; TLS 1.2. */
	cfg->tls_version_max = TLS1_2_VERSION;
	cfg->tls_cipher = strdup("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == 1);
	CHECK_HAS(desc, "TLSv1.2, ECDHE-ECDSA-AES128-GCM-SHA256");
	free(cfg->tls_cipher);
	cfg->tls_cipher = strdup("ECDHE-ECDSA-CHACHA20-POLY1305");
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == 1);
	CHECK_HAS(desc, "ECDHE-ECDSA-CHACHA20-POLY1305");
	free(cfg->tls_cipher);
	cfg->tls_cipher = strdup("NO-SUCH-CIPHER");
	CHECK(vpnc_tls_ctx_client(cfg, NULL, err, sizeof(err)) == NULL);
	CHECK_HAS(err, "tls-cipher names no usable cipher");
	free(cfg->tls_cipher);
	cfg->tls_cipher = NULL;
	cfg->tls_version_max = 0;

	/* tls-ciphersuites, with the '-' spelling OpenVPN also accepts. */
	cfg->tls_ciphersuites = strdup("TLS-CHACHA20-POLY1305-SHA256");
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == 1);
	CHECK_HAS(desc, "TLSv1.3, TLS_CHACHA20_POLY1305_SHA256");
	free(cfg->tls_ciphersuites);
	cfg->tls_ciphersuites = NULL;
	cfg->tls_groups = strdup("X25519");
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == 1);
	free(cfg->tls_groups);
	cfg->tls_groups = strdup("nonsense");
	CHECK(vpnc_tls_ctx_client(cfg, NULL, err, sizeof(err)) == NULL);
	free(cfg->tls_groups);
	cfg->tls_groups = NULL;

	/* tls-cert-profile: P-256 keys pass at every level but suiteb's cipher list. */
	static const char *profiles[] = {"legacy", "preferred", "insecure"};
	for (size_t i = 0; i < 3; i++) {
		free(cfg->tls_cert_profile);
		cfg->tls_cert_profile = strdup(profiles[i]);
		CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == 1);
	}
	vpnc_config_free(cfg);
	SSL_CTX_free(s);

	/* suiteb (security level 3) refuses a 2048-bit RSA client key; preferred takes it. */
	world_make(&rsa, TPX_RSA, "critical,digitalSignature,keyEncipherment", "serverAuth");
	cfg = client_cfg(&rsa);
	cfg->tls_cert_profile = strdup("suiteb");
	SSL_CTX *c = vpnc_tls_ctx_client(cfg, NULL, err, sizeof(err));
	CHECK(c == NULL);
	SSL_CTX_free(c);
	free(cfg->tls_cert_profile);
	cfg->tls_cert_profile = strdup("preferred");
	c = vpnc_tls_ctx_client(cfg, NULL, err, sizeof(err));
	CHECK(c != NULL);
	CHECK(c != NULL && SSL_CTX_get_security_level(c) == 2);
	SSL_CTX_free(c);
	free(cfg->tls_cert_profile);
	cfg->tls_cert_profile = NULL;
	c = vpnc_tls_ctx_client(cfg, NULL, err, sizeof(err));
	CHECK(c != NULL && SSL_CTX_get_security_level(c) == 1); /* legacy is the default */
	SSL_CTX_free(c);
	vpnc_config_free(cfg);
	world_free(&rsa);
	world_free(&w);
}

/* The config options reach struct vpnc_config with OpenVPN's meaning. */
static void test_config_options(void)
{
	struct vpnc_config *c = NULL;
	char err[512] = "", text[2048];

	snprintf(text, sizeof(text), "client\ndev tun\nremote 192.0.2.1\nauth-user-pass\n"
	                             "<ca>\nx\n</ca>\nremote-cert-tls server\nremote-cert-ku a0 0x88\n"
	                             "remote-cert-eku 1.3.6.1.5.5.7.3.1\ncrl-verify /tmp dir\naskpass\n");
	CHECK(vpnc_config_parse_text("t.ovpn", text, strlen(text), NULL, &c, err, sizeof(err)) == 0);
	if (c != NULL) {
		CHECK(c->remote_cert_ku_set && c->remote_cert_ku[0] == 0xa0 && c->remote_cert_ku[1] == 0x88 &&
		      c->remote_cert_ku[2] == 0);
		CHECK(c->remote_cert_eku != NULL && strcmp(c->remote_cert_eku, "1.3.6.1.5.5.7.3.1") == 0);
		CHECK(!c->remote_cert_tls_server);
		CHECK(c->crl_dir != NULL && strcmp(c->crl_dir, "/tmp") == 0 && c->crl == NULL);
		CHECK(c->askpass && c->key_pass == NULL);
	} else {
		fprintf(stderr, "  %s\n", err);
	}
	vpnc_config_free(c);
	c = NULL;

	snprintf(text, sizeof(text), "client\ndev tun\nremote 192.0.2.1\nauth-user-pass\n<ca>\nx\n</ca>\n"
	                             "remote-cert-tls server\n");
	CHECK(vpnc_config_parse_text("t.ovpn", text, strlen(text), NULL, &c, err, sizeof(err)) == 0);
	if (c != NULL) {
		CHECK(c->remote_cert_tls_server && c->remote_cert_ku_set && c->remote_cert_ku[0] == 0);
		CHECK(c->remote_cert_eku != NULL &&
		      strcmp(c->remote_cert_eku, "TLS Web Server Authentication") == 0);
	}
	vpnc_config_free(c);
	c = NULL;

	snprintf(text, sizeof(text), "client\ndev tun\nremote 192.0.2.1\nauth-user-pass\n<ca>\nx\n</ca>\n"
	                             "remote-cert-ku zz\n");
	CHECK(vpnc_config_parse_text("t.ovpn", text, strlen(text), NULL, &c, err, sizeof(err)) < 0 && c == NULL);
	CHECK_HAS(err, "t.ovpn:8: option 'remote-cert-ku'");
	snprintf(text, sizeof(text), "client\ndev tun\nremote 192.0.2.1\nauth-user-pass\n<ca>\nx\n</ca>\n"
	                             "crl-verify x.pem nodir\n");
	CHECK(vpnc_config_parse_text("t.ovpn", text, strlen(text), NULL, &c, err, sizeof(err)) < 0 && c == NULL);

	/* askpass FILE keeps only the first line; inline <pkcs12> is base64 and replaces 'ca'. */
	char askfile[] = "/tmp/vpnc-test-askpass-XXXXXX";
	int fd = mkstemp(askfile);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK(write(fd, "s3cret\r\nsecond line\n", 20) == 20);
		close(fd);
	}
	snprintf(text, sizeof(text), "client\ndev tun\nremote 192.0.2.1\naskpass %s\n"
	                             "<pkcs12>\nMIIB\nAAAA\n</pkcs12>\n<crl-verify>\nCRLTEXT\n</crl-verify>\n",
	         askfile);
	CHECK(vpnc_config_parse_text("t.ovpn", text, strlen(text), NULL, &c, err, sizeof(err)) == 0);
	if (c != NULL) {
		CHECK(c->key_pass != NULL && strcmp(c->key_pass, "s3cret") == 0);
		CHECK(c->pkcs12 != NULL && c->pkcs12_len == 6 && c->pkcs12[0] == 0x30);
		CHECK(c->crl != NULL && strstr(c->crl, "CRLTEXT") != NULL);
		CHECK(c->ca == NULL && c->cert == NULL);
	} else {
		fprintf(stderr, "  %s\n", err);
	}
	vpnc_config_free(c);
	c = NULL;
	unlink(askfile);
	snprintf(text, sizeof(text), "client\ndev tun\nremote 192.0.2.1\n<pkcs12>\n!!!\n</pkcs12>\n");
	CHECK(vpnc_config_parse_text("t.ovpn", text, strlen(text), NULL, &c, err, sizeof(err)) < 0 && c == NULL);
	CHECK_HAS(err, "base64");
	snprintf(text, sizeof(text), "client\ndev tun\nremote 192.0.2.1\n<pkcs12>\nMIIB\n</pkcs12>\n"
	                             "<cert>\nx\n</cert>\n<key>\ny\n</key>\n");
	CHECK(vpnc_config_parse_text("t.ovpn", text, strlen(text), NULL, &c, err, sizeof(err)) < 0 && c == NULL);
	CHECK_HAS(err, "'pkcs12' excludes 'cert' and 'key'");
}

int main(void)
{
	test_versions_and_keys();
	test_chain();
	test_encrypted_key();
	test_pkcs12();
	test_x509_name();
	test_subject_escaped();
	test_cert_info();
	test_eku_ku();
	test_crl();
	test_algorithms();
	test_config_options();
	printf("test_tls: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
