/*
 * pkcs11.c: PKCS#11 tokens through pkcs11-helper (pkcs11.h, docs/pkcs11.md).
 *
 * Owns the library's global state (providers, hooks, sessions), the PIN
 * prompt hook and the one-attempt rule, and turns the library's CK_RV codes
 * into one sentence each. pkcs11-helper is the library OpenVPN 2.6 uses, so
 * a profile's 'pkcs11-id' (its serialized id) means the same certificate
 * here; its OpenSSL glue gives an EVP_PKEY whose sign and decrypt calls go
 * to the token.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include <pkcs11-helper-1.0/pkcs11h-certificate.h>
#include <pkcs11-helper-1.0/pkcs11h-core.h>
#include <pkcs11-helper-1.0/pkcs11h-openssl.h>

#include "core/logesc.h"
#include "os/pkcs11.h"

/* What the hooks saw during one call into the library. */
static struct {
	bool inited;
	vpnc_p11_pin_fn pin;
	void *arg;
	bool login_failed;  /* a PIN was refused once: never log in again in this process */
	int pin_err;        /* the PIN function's error, 0 = none */
	bool token_missing; /* the library asked for the token to be inserted */
	char label[128];    /* the token's label, escaped, for messages */
} p11;

static void set_label(const char *label)
{
	size_t len = strlen(label);

	/* PKCS#11 pads labels with spaces. */
	while (len > 0 && label[len - 1] == ' ')
		len--;
	vpnc_log_escape(p11.label, sizeof(p11.label), label, len);
}

/* The token is not there: vpnc does not wait for it (no prompt to insert it). */
static PKCS11H_BOOL token_prompt(void *const global, void *const user, const pkcs11h_token_id_t token,
                                 const unsigned retry)
{
	(void)global;
	(void)user;
	(void)retry;
	set_label(token->label);
	p11.token_missing = true;
	return 0;
}

/*
 * The library's login loop calls this before each C_Login. retry > 0 means
 * the token refused the previous PIN: vpnc stops there (and the library is
 * also told to try once, pkcs11h_setMaxLoginRetries(1)).
 */
static PKCS11H_BOOL pin_prompt(void *const global, void *const user, const pkcs11h_token_id_t token,
                               const unsigned retry, char *const pin, const size_t pin_max)
{
	char buf[VPNC_P11_PIN_MAX], question[192];
	size_t len;
	int ret;

	(void)global;
	(void)user;
	set_label(token->label);
	if (retry > 0 || p11.login_failed) {
		p11.login_failed = true;
		return 0;
	}
	if (p11.pin == NULL) {
		p11.pin_err = -ENXIO;
		return 0;
	}
	snprintf(question, sizeof(question), "Enter %s token Password:", p11.label);
	ret = p11.pin(question, buf, sizeof(buf), p11.arg);
	if (ret == 0) {
		buf[sizeof(buf) - 1] = '\0';
		len = strlen(buf);
		if (len + 1 > pin_max) {
			ret = -ENOSPC;
		} else {
			memcpy(pin, buf, len + 1);
		}
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	p11.pin_err = ret;
	return ret == 0;
}

static int init(char *err, size_t errlen)
{
	CK_RV rv;

	if (p11.inited)
		return 0;
	rv = pkcs11h_initialize();
	if (rv != CKR_OK) {
		snprintf(err, errlen, "cannot initialize pkcs11-helper: %s", pkcs11h_getMessage(rv));
		return -EIO;
	}
	p11.inited = true;
	pkcs11h_setLogLevel(PKCS11H_LOG_QUIET);
	pkcs11h_setTokenPromptHook(token_prompt, NULL);
	pkcs11h_setPINPromptHook(pin_prompt, NULL);
	/* Per provider ('pkcs11-protected-authentication'); the global switch only allows it. */
	pkcs11h_setProtectedAuthentication(1);
	/* One C_Login per start: tokens lock after a few wrong PINs. */
	pkcs11h_setMaxLoginRetries(1);
	return 0;
}

static int add_provider(const char *path, bool protected_auth, unsigned private_mode,
                        bool cert_private, char *err, size_t errlen)
{
	CK_RV rv = pkcs11h_addProvider(path, path, protected_auth, private_mode,
	                               PKCS11H_SLOTEVENT_METHOD_AUTO, 0, cert_private);
	char esc[256];

	if (rv == CKR_OK)
		return 0;
	vpnc_log_escape(esc, sizeof(esc), path, strlen(path));
	/* The library only says CKR_FUNCTION_FAILED when dlopen() finds nothing. */
	if (strchr(path, '/') != NULL && access(path, R_OK) != 0) {
		snprintf(err, errlen, "cannot load the PKCS#11 provider '%s': %s", esc, strerror(errno));
		return -ELIBBAD;
	}
	snprintf(err, errlen, "cannot load the PKCS#11 provider '%s': %s", esc, pkcs11h_getMessage(rv));
	return -ELIBBAD;
}

/* One sentence for a failed call, from what the hooks saw and the library's code. */
static int fail(CK_RV rv, const char *what, char *err, size_t errlen)
{
	const char *tok = p11.label[0] != '\0' ? p11.label : "?";

	if (p11.pin_err != 0 && p11.pin_err != -ENXIO) {
		snprintf(err, errlen, "reading the PIN for the PKCS#11 token '%s' failed", tok);
		return -ENXIO;
	}
	if (p11.pin_err == -ENXIO) {
		snprintf(err, errlen, "the PKCS#11 token '%s' needs a PIN and there is no terminal, "
		         "systemd-ask-password or control socket to ask for it", tok);
		return -ENXIO;
	}
	if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE ||
	    (p11.login_failed && rv == CKR_CANCEL)) {
		p11.login_failed = true;
		snprintf(err, errlen, "wrong PIN for the PKCS#11 token '%s' (vpnc tries a PIN once, so "
		         "that the token does not lock)", tok);
		return -EACCES;
	}
	if (rv == CKR_PIN_LOCKED) {
		snprintf(err, errlen, "the PIN of the PKCS#11 token '%s' is locked (too many wrong "
		         "PINs); unblock it with the token's tools", tok);
		return -EPERM;
	}
	if (p11.token_missing) {
		snprintf(err, errlen, "the PKCS#11 token '%s' that 'pkcs11-id' names is not present", tok);
		return -ENOENT;
	}
	snprintf(err, errlen, "%s: %s", what, pkcs11h_getMessage(rv));
	return rv == CKR_FUNCTION_REJECTED || rv == CKR_OBJECT_HANDLE_INVALID ? -ENOENT : -EIO;
}

static void hooks_reset(vpnc_p11_pin_fn pin, void *arg)
{
	p11.pin = pin;
	p11.arg = arg;
	p11.pin_err = 0;
	p11.token_missing = false;
	p11.label[0] = '\0';
}

int vpnc_p11_open(const struct vpnc_config *cfg, vpnc_p11_pin_fn pin, void *arg, X509 **cert,
                  EVP_PKEY **key, char *err, size_t errlen)
{
	pkcs11h_certificate_id_t id = NULL;
	pkcs11h_certificate_t c = NULL;
	pkcs11h_openssl_session_t s = NULL;
	X509 *x = NULL;
	EVP_PKEY *pk = NULL;
	CK_RV rv;
	int ret;

	*cert = NULL;
	*key = NULL;
	if (cfg->pkcs11_id == NULL) {
		snprintf(err, errlen, "no 'pkcs11-id' given");
		return -EINVAL;
	}
	ret = init(err, errlen);
	for (size_t i = 0; ret == 0 && i < cfg->n_pkcs11_providers; i++)
		ret = add_provider(cfg->pkcs11_providers[i], cfg->pkcs11_protected_auth[i],
		                   cfg->pkcs11_private_mode[i], cfg->pkcs11_cert_private[i], err, errlen);
	if (ret < 0)
		return ret;
	pkcs11h_setPINCachePeriod(cfg->pkcs11_pin_cache);
	hooks_reset(pin, arg);
	rv = pkcs11h_certificate_deserializeCertificateId(&id, cfg->pkcs11_id);
	if (rv != CKR_OK) {
		snprintf(err, errlen, "'pkcs11-id' is not a serialized PKCS#11 id (vpnc --show-pkcs11-ids "
		         "lists them): %s", pkcs11h_getMessage(rv));
		return -EINVAL;
	}
	set_label(id->token_id->label);
	rv = pkcs11h_certificate_create(id, NULL, PKCS11H_PROMPT_MASK_ALLOW_ALL, cfg->pkcs11_pin_cache, &c);
	pkcs11h_certificate_freeCertificateId(id);
	if (rv != CKR_OK) {
		ret = fail(rv, "cannot use the 'pkcs11-id' certificate", err, errlen);
		goto out;
	}
	s = pkcs11h_openssl_createSession(c);
	if (s == NULL) {
		pkcs11h_certificate_freeCertificate(c);
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	/* The certificate: public unless 'pkcs11-cert-private' (then this logs in). */
	x = pkcs11h_openssl_session_getX509(s);
	if (x == NULL) {
		ret = fail(CKR_FUNCTION_REJECTED, "no certificate on the token matches 'pkcs11-id' "
		           "(vpnc --show-pkcs11-ids lists them)", err, errlen);
		goto out;
	}
	/* Log in now, at start, rather than in the middle of the first TLS handshake. */
	rv = pkcs11h_certificate_ensureKeyAccess(c);
	if (rv != CKR_OK) {
		ret = fail(rv, "no private key for the 'pkcs11-id' certificate on the token", err, errlen);
		goto out;
	}
	pk = pkcs11h_openssl_session_getEVP(s);
	if (pk == NULL) {
		snprintf(err, errlen, "pkcs11-helper cannot use the token's key with OpenSSL (an RSA or "
		         "EC key is needed)");
		ret = -EIO;
		goto out;
	}
	*cert = x;
	*key = pk;
	x = NULL;
	ret = 0;
out:
	X509_free(x);
	/* The EVP_PKEY holds its own reference on the session. */
	if (s != NULL)
		pkcs11h_openssl_freeSession(s);
	/* The PIN function stays: a 'pkcs11-pin-cache' that expires asks again at the next login. */
	hooks_reset(pin, arg);
	ERR_clear_error();
	return ret;
}

int vpnc_p11_list(const char *provider, bool cert_private, vpnc_p11_pin_fn pin, void *arg,
                  vpnc_p11_each_fn each, void *ctx, char *err, size_t errlen)
{
	pkcs11h_certificate_id_list_t issuers = NULL, certs = NULL;
	CK_RV rv;
	int ret, n = 0;

	ret = init(err, errlen);
	if (ret == 0)
		ret = add_provider(provider, false, 0, cert_private, err, errlen);
	if (ret < 0)
		return ret;
	hooks_reset(pin, arg);
	rv = pkcs11h_certificate_enumCertificateIds(PKCS11H_ENUM_METHOD_CACHE_EXIST, NULL,
	                                            PKCS11H_PROMPT_MASK_ALLOW_ALL, &issuers, &certs);
	if (rv != CKR_OK) {
		ret = fail(rv, "cannot list the certificates", err, errlen);
		goto out;
	}
	for (pkcs11h_certificate_id_list_t e = certs; e != NULL; e = e->next) {
		size_t len = 0;
		char *id;

		if (pkcs11h_certificate_serializeCertificateId(NULL, &len, e->certificate_id) != CKR_OK ||
		    len == 0 || (id = malloc(len)) == NULL)
			continue;
		if (pkcs11h_certificate_serializeCertificateId(id, &len, e->certificate_id) == CKR_OK) {
			id[len - 1] = '\0';
			each(ctx, id, e->certificate_id->certificate_blob,
			     e->certificate_id->certificate_blob_size);
			n++;
		}
		free(id);
	}
	ret = n;
out:
	pkcs11h_certificate_freeCertificateIdList(issuers);
	pkcs11h_certificate_freeCertificateIdList(certs);
	hooks_reset(NULL, NULL);
	return ret;
}

void vpnc_p11_close(void)
{
	if (!p11.inited)
		return;
	pkcs11h_terminate();
	OPENSSL_cleanse(&p11, sizeof(p11));
}
