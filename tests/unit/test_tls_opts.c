/*
 * test_tls_opts.c: the TLS options that real OpenVPN 2.6 profiles spell
 * their own way: tls-cipher with OpenVPN's IANA-style names (the table in
 * src/core/tls_names.c, checked against this OpenSSL), ns-cert-type server,
 * peer-fingerprint with and without a CA (OpenVPN's PKI-less setup),
 * remote-cert-ku with several values and verify-x509-name with a quoted DN:
 * how the config reader takes them, and what they do in in-memory handshakes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "core/tls_names.h"
#include "vpnc/config.h"

#include "../check.h"
#include "../tlsworld.h"

#define BASE "client\ndev tun\nremote 192.0.2.1\nauth-user-pass\n"
#define CA "<ca>\nx\n</ca>\n"

static char notes[2048];

static void note_cb(void *ctx, const char *msg)
{
	(void)ctx;
	strncat(notes, msg, sizeof(notes) - strlen(notes) - 2);
	strcat(notes, "\n");
}

static struct vpnc_config *parse(const char *text, char *err, size_t errlen)
{
	static const struct vpnc_config_notes to = {.fn = note_cb, .ctx = NULL};
	struct vpnc_config *c = NULL;

	err[0] = '\0';
	notes[0] = '\0';
	if (vpnc_config_parse_text("t.ovpn", text, strlen(text), &to, &c, err, errlen) != 0)
		return NULL;
	return c;
}

/* The table is sorted, and each entry is the suite OpenSSL names that way. */
static void test_table(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_method());
	SSL *ssl = ctx != NULL ? SSL_new(ctx) : NULL;
	const char *iana, *ossl, *prev = NULL;
	size_t n = 0;

	CHECK(ssl != NULL && SSL_set_cipher_list(ssl, "ALL:COMPLEMENTOFALL:@SECLEVEL=0") == 1);
	STACK_OF(SSL_CIPHER) *all = ssl != NULL ? SSL_get_ciphers(ssl) : NULL;
	for (size_t i = 0; vpnc_tls_cipher_entry(i, &iana, &ossl); i++, n++) {
		char std[80];
		bool found = false;

		if (prev != NULL && strcmp(prev, iana) >= 0) {
			fprintf(stderr, "table not sorted at '%s'\n", iana);
			CHECK(0);
		}
		prev = iana;
		snprintf(std, sizeof(std), "%s", iana);
		for (char *c = std; *c != '\0'; c++)
			if (*c == '-')
				*c = '_';
		/* "TLS_DH_anon_..." keeps its lower-case part; only separators change. */
		for (int k = 0; all != NULL && k < sk_SSL_CIPHER_num(all); k++) {
			const SSL_CIPHER *c = sk_SSL_CIPHER_value(all, k);
			if (strcmp(SSL_CIPHER_get_name(c), ossl) == 0 &&
			    strcmp(SSL_CIPHER_standard_name(c), std) == 0)
				found = true;
		}
		if (!found)
			fprintf(stderr, "'%s' -> '%s' is not a suite of this OpenSSL\n", iana, ossl);
		CHECK(found);
		CHECK(vpnc_tls_cipher_openssl_name(iana, strlen(iana)) == ossl);
		CHECK(vpnc_tls_cipher_openssl_name(std, strlen(std)) == ossl);
	}
	CHECK(n > 100);
	/* Every TLS 1.2 suite this OpenSSL has is in the table. */
	for (int k = 0; all != NULL && k < sk_SSL_CIPHER_num(all); k++) {
		const SSL_CIPHER *c = sk_SSL_CIPHER_value(all, k);
		const char *std = SSL_CIPHER_standard_name(c);
		if (strcmp(SSL_CIPHER_get_version(c), "TLSv1.3") == 0 || std == NULL)
			continue;
		if (vpnc_tls_cipher_openssl_name(std, strlen(std)) == NULL) {
			fprintf(stderr, "'%s' is missing from the table\n", std);
			CHECK(0);
		}
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);

	/* The names of OpenVPN 2.6's translation table that real profiles use. */
	static const struct {
		const char *in, *out;
	} names[] = {
		{"TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
		{"TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
		{"TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
		{"TLS-DHE-RSA-WITH-AES-256-CBC-SHA", "DHE-RSA-AES256-SHA"},
		{"TLS-DHE-RSA-WITH-AES-256-GCM-SHA384", "DHE-RSA-AES256-GCM-SHA384"},
		{"TLS-ECDHE-RSA-WITH-CHACHA20-POLY1305-SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
		{"TLS-DH-anon-WITH-AES-128-CBC-SHA", "ADH-AES128-SHA"},
		{"TLS-RSA-WITH-AES-128-CBC-SHA", "AES128-SHA"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *got = vpnc_tls_cipher_openssl_name(names[i].in, strlen(names[i].in));
		CHECK_STR(got, names[i].out);
	}
	CHECK(vpnc_tls_cipher_openssl_name("ECDHE-RSA-AES256-GCM-SHA384", 27) == NULL);
	CHECK(vpnc_tls_cipher_openssl_name("TLS-ECDHE-RSA-WITH-RC4-128-SHA", 30) == NULL);
	CHECK(vpnc_tls_cipher_openssl_name("TLS-", 4) == NULL);
	/* len bounds the name: the rest of a list is not read. */
	CHECK_STR(vpnc_tls_cipher_openssl_name("TLS-RSA-WITH-AES-128-CBC-SHA:X", 28), "AES128-SHA");
}

static char skipped[512];

static void skip_cb(void *arg, const char *w, size_t len)
{
	(void)arg;
	strncat(skipped, w, len < sizeof(skipped) - strlen(skipped) - 2 ? len : 0);
	strcat(skipped, ";");
}

static void test_list(void)
{
	static const struct {
		const char *in, *out, *skipped;
		int n;
	} cases[] = {
		{"TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384:TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384",
		 "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384", "", 2},
		{"ECDHE-RSA-AES128-GCM-SHA256:TLS-DHE-RSA-WITH-AES-256-CBC-SHA",
		 "ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA", "", 2},
		/* RC4 and made-up names are gone from OpenSSL 3: skipped, the rest kept. */
		{"TLS-ECDHE-RSA-WITH-RC4-128-SHA:NO-SUCH-CIPHER:TLS-ECDHE-RSA-WITH-AES-128-GCM-SHA256",
		 "ECDHE-RSA-AES128-GCM-SHA256", "TLS-ECDHE-RSA-WITH-RC4-128-SHA;NO-SUCH-CIPHER;", 1},
		/* OpenSSL keywords and operators pass unchanged. */
		{"DEFAULT:!EXP:!kRSA:@STRENGTH", "DEFAULT:!EXP:!kRSA:@STRENGTH", "", 1},
		{"HIGH::ECDHE+AESGCM", "HIGH:ECDHE+AESGCM", "", 2},
		{"NOPE:ALSO-NOT", "", "NOPE;ALSO-NOT;", 0},
		{"!aNULL", "!aNULL", "", 0},
	};
	char out[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		skipped[0] = '\0';
		int n = vpnc_tls_cipher_list(cases[i].in, out, sizeof(out), skip_cb, NULL);
		CHECK(n == cases[i].n);
		CHECK_STR(out, cases[i].out);
		CHECK_STR(skipped, cases[i].skipped);
	}
	CHECK(vpnc_tls_cipher_list("TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384", out, 10, NULL, NULL) ==
	      -ENAMETOOLONG);
}

static void test_parse(void)
{
	struct vpnc_config *c;
	char err[512];
	static const char fp1[] =
		"00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff";
	static const char fp2[] =
		"AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
	char text[2048];

	/* tls-cipher as a 2018 eduVPN profile writes it. */
	c = parse(BASE CA "tls-cipher TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384:"
	                  "TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384\n", err, sizeof(err));
	CHECK(c != NULL);
	if (c != NULL)
		CHECK_STR(c->tls_cipher, "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384");
	CHECK(notes[0] == '\0');
	vpnc_config_free(c);
	c = parse(BASE CA "tls-cipher TLS-ECDHE-RSA-WITH-RC4-128-SHA:TLS-DHE-RSA-WITH-AES-256-CBC-SHA\n",
	          err, sizeof(err));
	CHECK(c != NULL);
	if (c != NULL)
		CHECK_STR(c->tls_cipher, "DHE-RSA-AES256-SHA");
	CHECK_HAS(notes, "t.ovpn:8: option 'tls-cipher': 'TLS-ECDHE-RSA-WITH-RC4-128-SHA' is not a "
	                 "cipher this OpenSSL knows; skipped");
	vpnc_config_free(c);
	CHECK(parse(BASE CA "tls-cipher NO-SUCH:TLS-RSA-WITH-RC4-128-MD5\n", err, sizeof(err)) == NULL);
	CHECK_HAS(err, "t.ovpn:8: option 'tls-cipher': no cipher in the list is known to this OpenSSL");

	/* tls-groups: OpenSSL's names; an unknown one is an error, as in 2.6 with OpenSSL 3. */
	c = parse(BASE CA "tls-groups X25519:secp256r1:P-384\n", err, sizeof(err));
	CHECK(c != NULL);
	if (c != NULL)
		CHECK_STR(c->tls_groups, "X25519:secp256r1:P-384");
	vpnc_config_free(c);
	CHECK(parse(BASE CA "tls-groups X25519:nosuchcurve\n", err, sizeof(err)) == NULL);
	CHECK_HAS(err, "t.ovpn:8: option 'tls-groups': a group in the list is not known to this OpenSSL");

	/* TLS below 1.2 is never used: a minimum is raised with a warning, a maximum refused. */
	c = parse(BASE CA "tls-version-min 1.0\n", err, sizeof(err));
	CHECK(c != NULL && c->tls_version_min == 0x0303);
	CHECK_HAS(notes, "t.ovpn:8: option 'tls-version-min 1.0': vpnc does not use TLS below 1.2");
	vpnc_config_free(c);
	c = parse(BASE CA "tls-version-min 1.4 or-highest\n", err, sizeof(err));
	CHECK(c != NULL && c->tls_version_min == 0x0304);
	vpnc_config_free(c);
	CHECK(parse(BASE CA "tls-version-max 1.1\n", err, sizeof(err)) == NULL);
	CHECK_HAS(err, "t.ovpn:8: option 'tls-version-max': vpnc does not use TLS below 1.2");

	/* ns-cert-type: server only, with 2.6's deprecation warning. */
	c = parse(BASE CA "ns-cert-type server\n", err, sizeof(err));
	CHECK(c != NULL && c->ns_cert_type_server);
	CHECK_HAS(notes, "t.ovpn:8: option 'ns-cert-type' is deprecated: use 'remote-cert-tls server'");
	vpnc_config_free(c);
	CHECK(parse(BASE CA "ns-cert-type client\n", err, sizeof(err)) == NULL);
	CHECK_HAS(err, "t.ovpn:8: option 'ns-cert-type': a client can only check for 'server'");
	CHECK(parse(BASE CA "ns-cert-type both\n", err, sizeof(err)) == NULL);
	CHECK_HAS(err, "option 'ns-cert-type': must be 'client' or 'server'");

	/* peer-fingerprint: no 'ca' needed; the option and the block add up. */
	snprintf(text, sizeof(text),
	         BASE "peer-fingerprint %s\n<peer-fingerprint>\n# the server\n  %s\n\n; old one\n%s\r\n"
	              "</peer-fingerprint>\n",
	         fp1, fp2, fp1);
	c = parse(text, err, sizeof(err));
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK(c->n_peer_fp == 3 && c->ca == NULL);
		CHECK(c->peer_fp[0][0] == 0x00 && c->peer_fp[0][1] == 0x11 && c->peer_fp[0][31] == 0xff);
		CHECK(c->peer_fp[1][0] == 0xab && c->peer_fp[1][31] == 0x89);
		CHECK(memcmp(c->peer_fp[0], c->peer_fp[2], 32) == 0);
	} else {
		fprintf(stderr, "  %s\n", err);
	}
	vpnc_config_free(c);
	static const char *bad[] = {
		"00:11",                                                                      /* short */
		"00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee", /* 31 */
		"00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00",
		"0011:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:0",
		"g0:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff",
		"00-11-22-33-44-55-66-77-88-99-aa-bb-cc-dd-ee-ff-00-11-22-33-44-55-66-77-88-99-aa-bb-cc-dd-ee-ff",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), BASE "peer-fingerprint %s\n", bad[i]);
		CHECK(parse(text, err, sizeof(err)) == NULL);
		CHECK_HAS(err, "t.ovpn:5: option 'peer-fingerprint': '");
		CHECK_HAS(err, "is not a SHA-256 fingerprint");
	}
	snprintf(text, sizeof(text), BASE "<peer-fingerprint>\n%s\nzz\n</peer-fingerprint>\n", fp1);
	CHECK(parse(text, err, sizeof(err)) == NULL);
	CHECK_HAS(err, "'zz' is not a SHA-256 fingerprint");
	/* Without 'ca' and without fingerprints there is nothing to verify the server with. */
	CHECK(parse(BASE "<peer-fingerprint>\n# none\n</peer-fingerprint>\n", err, sizeof(err)) == NULL);
	CHECK_HAS(err, "no 'ca' or 'peer-fingerprint' given");

	/* remote-cert-ku with a list, verify-x509-name with a quoted DN in 2.6's format. */
	c = parse(BASE CA "remote-cert-ku 80 08 a0 0x88\n"
	                  "verify-x509-name \"C=NL, O=SURF, CN=vpn.example.org\" subject\n",
	          err, sizeof(err));
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK(c->remote_cert_ku[0] == 0x80 && c->remote_cert_ku[1] == 0x08 &&
		      c->remote_cert_ku[2] == 0xa0 && c->remote_cert_ku[3] == 0x88 && c->remote_cert_ku[4] == 0);
		CHECK_STR(c->verify_x509_name, "C=NL, O=SURF, CN=vpn.example.org");
		CHECK(c->verify_x509_type == VPNC_X509_SUBJECT);
	}
	vpnc_config_free(c);
}

/* A self-signed leaf (CA:FALSE) with an optional nsCertType, keyUsage and extendedKeyUsage. */
static X509 *self_signed(EVP_PKEY *key, const char *cn, const char *ns, const char *ku, const char *eku)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 77);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, name);
	testpki_ext(x, x, NID_basic_constraints, "CA:FALSE");
	if (ns != NULL)
		testpki_ext(x, x, NID_netscape_cert_type, ns);
	if (ku != NULL)
		testpki_ext(x, x, NID_key_usage, ku);
	if (eku != NULL)
		testpki_ext(x, x, NID_ext_key_usage, eku);
	X509_sign(x, key, EVP_sha256());
	return x;
}

/* A PKI-less peer pair: self-signed server and client, each trusting the other's certificate. */
struct pkiless {
	EVP_PKEY *skey, *ckey;
	X509 *srv, *cli;
	char *srv_pem, *srv_key_pem, *cli_pem, *cli_key_pem;
	SSL_CTX *sctx;
};

static void pkiless_make(struct pkiless *p, const char *ns, const char *ku, const char *eku)
{
	char err[256] = "";

	p->skey = tpx_key(TPX_EC);
	p->ckey = tpx_key(TPX_EC);
	p->srv = self_signed(p->skey, "server", ns, ku, eku);
	p->cli = self_signed(p->ckey, "client", NULL, "critical,digitalSignature", "clientAuth");
	p->srv_pem = testpki_cert_pem(p->srv);
	p->srv_key_pem = testpki_key_pem(p->skey);
	p->cli_pem = testpki_cert_pem(p->cli);
	p->cli_key_pem = testpki_key_pem(p->ckey);
	/* The server trusts the client's self-signed certificate as its own anchor. */
	p->sctx = vpnc_tls_ctx_server(p->cli_pem, p->srv_pem, p->srv_key_pem, err, sizeof(err));
	if (p->sctx == NULL)
		fprintf(stderr, "server ctx: %s\n", err);
	CHECK(p->sctx != NULL);
}

static void pkiless_free(struct pkiless *p)
{
	EVP_PKEY_free(p->skey);
	EVP_PKEY_free(p->ckey);
	X509_free(p->srv);
	X509_free(p->cli);
	free(p->srv_pem);
	free(p->srv_key_pem);
	free(p->cli_pem);
	free(p->cli_key_pem);
	SSL_CTX_free(p->sctx);
}

static struct vpnc_config *pkiless_cfg(const struct pkiless *p, X509 *pin)
{
	struct vpnc_config *c = calloc(1, sizeof(*c));

	c->cert = strdup(p->cli_pem);
	c->key = strdup(p->cli_key_pem);
	CHECK(vpnc_tls_fingerprint(pin, c->peer_fp[0]) == 0);
	c->n_peer_fp = 1;
	return c;
}

static void test_fingerprint(void)
{
	struct pkiless p;
	struct vpnc_config *cfg;
	char err[512], desc[128];

	/* No 'ca': the self-signed server is accepted by its fingerprint alone. */
	pkiless_make(&p, NULL, "critical,digitalSignature", "serverAuth");
	cfg = pkiless_cfg(&p, p.srv);
	CHECK(connect_cfg(cfg, p.sctx, err, sizeof(err), desc, sizeof(desc)) == 1);
	/* A second, unrelated fingerprint in the list changes nothing. */
	memcpy(cfg->peer_fp[1], cfg->peer_fp[0], 32);
	cfg->peer_fp[0][5] ^= 1;
	cfg->n_peer_fp = 2;
	CHECK(connect_cfg(cfg, p.sctx, err, sizeof(err), desc, sizeof(desc)) == 1);
	/* A wrong fingerprint: refused, naming the one the server has. */
	cfg->n_peer_fp = 1;
	CHECK(connect_cfg(cfg, p.sctx, err, sizeof(err), desc, sizeof(desc)) == -EPERM);
	CHECK_HAS(err, "server certificate verification failed: its SHA-256 fingerprint ");
	CHECK_HAS(err, " is not in peer-fingerprint (depth 0, subject CN=server)");
	/* Without fingerprints and CA the context cannot be built. */
	cfg->n_peer_fp = 0;
	CHECK(vpnc_tls_ctx_client(cfg, NULL, err, sizeof(err)) == NULL);
	CHECK_HAS(err, "needs 'ca' or 'peer-fingerprint'");
	vpnc_config_free(cfg);

	/* With 'ca': the chain must verify as well. The right fingerprint of an unknown issuer fails. */
	struct world w;
	world_make(&w, TPX_EC, "critical,digitalSignature", "serverAuth");
	cfg = pkiless_cfg(&p, p.srv);
	cfg->ca = strdup(w.root_pem);
	CHECK(connect_cfg(cfg, p.sctx, err, sizeof(err), desc, sizeof(desc)) == -EPERM);
	CHECK_HAS(err, "verification failed: self-signed certificate");
	vpnc_config_free(cfg);
	SSL_CTX *s = server_ctx(&w, false, 0);
	cfg = client_cfg(&w);
	CHECK(vpnc_tls_fingerprint(w.srv, cfg->peer_fp[0]) == 0);
	cfg->n_peer_fp = 1;
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == 1);
	cfg->peer_fp[0][31] ^= 0x80;
	CHECK(connect_cfg(cfg, s, err, sizeof(err), desc, sizeof(desc)) == -EPERM);
	CHECK_HAS(err, "is not in peer-fingerprint (depth 0, subject " SERVER_SUBJECT_OVPN ")");
	vpnc_config_free(cfg);
	SSL_CTX_free(s);
	world_free(&w);
	pkiless_free(&p);
}

static void test_ns_cert_type(void)
{
	static const struct {
		const char *ns, *ku, *eku;
		int want;
	} cases[] = {
		{"server", NULL, NULL, 1},                                 /* nsCertType server alone */
		{NULL, "critical,digitalSignature", "serverAuth", 1},     /* no nsCertType: the purpose decides */
		{NULL, NULL, NULL, 1},                                     /* nothing restricts it: OpenSSL says fit */
		{"client", NULL, NULL, -EPERM},                            /* a client certificate */
		{NULL, "critical,digitalSignature", "clientAuth", -EPERM}, /* clientAuth only */
		{"server", "critical,keyCertSign", NULL, 1},               /* 2.6's fallback: the ns bit alone */
	};
	char err[512], desc[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pkiless p;
		struct vpnc_config *cfg;

		/* PKI-less, so that OpenSSL's own purpose check does not decide first. */
		pkiless_make(&p, cases[i].ns, cases[i].ku, cases[i].eku);
		cfg = pkiless_cfg(&p, p.srv);
		CHECK(connect_cfg(cfg, p.sctx, err, sizeof(err), desc, sizeof(desc)) == 1);
		cfg->ns_cert_type_server = true;
		int r = connect_cfg(cfg, p.sctx, err, sizeof(err), desc, sizeof(desc));
		if (r != cases[i].want)
			fprintf(stderr, "ns-cert-type case %zu: got %d (%s)\n", i, r, err);
		CHECK(r == cases[i].want);
		if (cases[i].want < 0)
			CHECK_HAS(err, "the certificate is not fit for a TLS server (ns-cert-type server) "
			               "(depth 0, subject CN=server)");
		vpnc_config_free(cfg);
		pkiless_free(&p);
	}
}

int main(void)
{
	test_table();
	test_list();
	test_parse();
	test_fingerprint();
	test_ns_cert_type();
	printf("test_tls_opts: %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
