/*
 * cli_pkcs11.c: `vpnc --show-pkcs11-ids [PROVIDER [CERT_PRIVATE]]`, the
 * certificates on the tokens of one PKCS#11 provider with the serialized id
 * 'pkcs11-id' takes, as OpenVPN 2.6's --show-pkcs11-ids prints them (the same
 * DN, Serial and Serialized id fields, so existing instructions still fit).
 * Without PROVIDER the p11-kit proxy is asked, as 2.6 built with p11-kit does.
 * Linked into the vpnc program; the token access is os/pkcs11.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "control/cli.h"
#include "core/logesc.h"
#include "daemon/prompt.h"
#include "os/pkcs11.h"

#ifndef VPNC_P11KIT_PROXY
#define VPNC_P11KIT_PROXY "p11-kit-proxy.so"
#endif

/* With CERT_PRIVATE the tokens are logged in first: the PIN, asked blocking (prompt.h). */
static int ask_pin(const char *question, char *buf, size_t cap, void *arg)
{
	const struct vpnc_prompt_q q = {VPNC_PROMPT_PIN, question, false};

	(void)arg;
	return vpnc_prompt_sync(&q, buf, cap);
}

/*
 * The subject as OpenVPN prints a DN ("C=NL, O=Example, CN=alice"); the
 * certificate comes from the token, so the text is escaped (logesc.h).
 */
static void subject_text(X509 *x, char *out, size_t cap)
{
	char raw[512];
	BIO *b = BIO_new(BIO_s_mem());
	int n = -1;

	snprintf(out, cap, "?");
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
	                       XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN | ASN1_STRFLGS_UTF8_CONVERT |
	                           ASN1_STRFLGS_ESC_CTRL) >= 0)
		n = BIO_read(b, raw, (int)sizeof(raw) - 1);
	BIO_free(b);
	if (n > 0)
		vpnc_log_escape(out, cap, raw, (size_t)n);
}

/* The serial number in upper-case hex ("?" if it cannot be read). */
static void serial_hex(X509 *x, char *out, size_t cap)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;

	snprintf(out, cap, "%s", hex != NULL ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
}

static void print_one(void *ctx, const char *id, const unsigned char *der, size_t len)
{
	FILE *out = ctx;
	const unsigned char *p = der;
	X509 *x = der != NULL && len > 0 && len < 0x7fffffff ? d2i_X509(NULL, &p, (long)len) : NULL;
	char dn[1024] = "?", serial[128] = "?";

	if (x != NULL) {
		subject_text(x, dn, sizeof(dn));
		serial_hex(x, serial, sizeof(serial));
		X509_free(x);
	}
	fprintf(out, "\nCertificate\n       DN:             %s\n       Serial:         %s\n"
	        "       Serialized id:  %s\n", dn, serial, id);
}

int vpnc_cli_show_pkcs11_ids(int argc, char **argv)
{
	const char *provider = argc > 2 ? argv[2] : VPNC_P11KIT_PROXY;
	bool cert_private = false;
	char err[512] = "";
	int n;

	if (argc > 4) {
		fprintf(stderr, "vpnc: usage: vpnc --show-pkcs11-ids [PROVIDER [CERT_PRIVATE]]\n");
		return 2;
	}
	if (argc > 3) {
		if (strcmp(argv[3], "0") != 0 && strcmp(argv[3], "1") != 0) {
			fprintf(stderr, "vpnc: --show-pkcs11-ids: CERT_PRIVATE must be 0 or 1\n");
			return 2;
		}
		cert_private = argv[3][0] == '1';
	}
	printf("Certificates on the tokens of %s; give the serialized id, in single quotes, "
	       "to 'pkcs11-id':\n", provider);
	fflush(stdout);
	n = vpnc_p11_list(provider, cert_private, ask_pin, NULL, print_one, stdout, err, sizeof(err));
	vpnc_p11_close();
	if (n < 0) {
		fprintf(stderr, "vpnc: %s\n", err[0] ? err : strerror(-n));
		return 1;
	}
	if (n == 0)
		printf("\nNo certificate found.\n");
	return 0;
}
