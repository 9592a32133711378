/*
 * cfg_opt_tls.c: handlers for certificates and keys, TLS settings, the
 * control-channel key (tls-auth / tls-crypt / tls-crypt-v2), the HMAC digest
 * and the data-channel cipher lists.
 *
 * Key material is not read here: the handlers record an inline text or a path
 * (struct vpnc_cfg_src) and cfg_finish.c loads and decodes it at the end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "config/cfg_handlers.h"

#define NCP_CIPHERS_MAX 127 /* OpenVPN's MAX_NCP_CIPHERS_LENGTH */
#define CIPHER_NAME_MAX 31

VPNC_CFG_HANDLER(vpnc_cfg_opt_pem)
{
	struct vpnc_cfg_src *s;
	const char *opt;

	if (strcmp(p[0], "ca") == 0) {
		s = &ctx->ca, opt = "ca";
	} else if (strcmp(p[0], "cert") == 0) {
		s = &ctx->cert, opt = "cert";
	} else if (strcmp(p[0], "key") == 0) {
		s = &ctx->key, opt = "key";
	} else {
		s = &ctx->extra_certs, opt = "extra-certs";
	}
	return vpnc_cfg_src_set(ctx, s, opt, p[1]);
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_remote_cert_tls)
{
	if (strcmp(p[1], "server") == 0) {
		ctx->cfg->remote_cert_tls_server = true;
		return 0;
	}
	return vpnc_cfg_bad(ctx, p[0], "a client can only check for 'server'");
}

/* Only the serverAuth EKU can be enforced (through the remote-cert-tls check). */
VPNC_CFG_HANDLER(vpnc_cfg_opt_remote_cert_eku)
{
	char safe[80];

	if (strcmp(p[1], "TLS Web Server Authentication") == 0 || strcmp(p[1], "serverAuth") == 0 ||
	    strcmp(p[1], "1.3.6.1.5.5.7.3.1") == 0) {
		ctx->cfg->remote_cert_tls_server = true;
		vpnc_cfg_note(ctx, VPNC_CFG_NOTE_VERB,
		              "option 'remote-cert-eku' is checked as 'remote-cert-tls server'");
		return 0;
	}
	vpnc_cfg_sanitize(safe, sizeof(safe), p[1]);
	return vpnc_cfg_fail(ctx, -ENOTSUP, "option 'remote-cert-eku %s' is not supported", safe);
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_verify_x509_name)
{
	enum vpnc_x509_name_type t = VPNC_X509_SUBJECT;
	char *name;

	if (n > 2) {
		if (strcmp(p[2], "subject") == 0)
			t = VPNC_X509_SUBJECT;
		else if (strcmp(p[2], "name") == 0)
			t = VPNC_X509_NAME;
		else if (strcmp(p[2], "name-prefix") == 0)
			t = VPNC_X509_NAME_PREFIX;
		else
			return vpnc_cfg_bad(ctx, p[0], "the type must be 'subject', 'name' or 'name-prefix'");
	}
	if (p[1][0] == '\0')
		return vpnc_cfg_bad(ctx, p[0], "the name is empty");
	name = strdup(p[1]);
	if (name == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	free(ctx->cfg->verify_x509_name);
	ctx->cfg->verify_x509_name = name;
	ctx->cfg->verify_x509_type = t;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_tls_version)
{
	static const struct {
		const char *s;
		int v;
	} versions[] = {{"1.0", 0x0301}, {"1.1", 0x0302}, {"1.2", 0x0303}, {"1.3", 0x0304}};
	bool is_min = strcmp(p[0], "tls-version-min") == 0;
	char safe[32];

	if (n > 2 && strcmp(p[2], "or-highest") != 0)
		return vpnc_cfg_bad(ctx, p[0], "the second argument can only be 'or-highest'");
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		if (strcmp(p[1], versions[i].s) == 0) {
			if (is_min)
				ctx->cfg->tls_version_min = versions[i].v;
			else
				ctx->cfg->tls_version_max = versions[i].v;
			return 0;
		}
	}
	/* 'or-highest' turns a version newer than ours into our highest, as OpenVPN does. */
	if (is_min && n > 2) {
		ctx->cfg->tls_version_min = 0x0304;
		return 0;
	}
	vpnc_cfg_sanitize(safe, sizeof(safe), p[1]);
	return vpnc_cfg_bad(ctx, p[0], "'%s' is not one of 1.0, 1.1, 1.2, 1.3", safe);
}

static bool cfg_printable_word(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_tls_string)
{
	char **slot, *v;

	if (strcmp(p[0], "tls-cipher") == 0)
		slot = &ctx->cfg->tls_cipher;
	else if (strcmp(p[0], "tls-ciphersuites") == 0)
		slot = &ctx->cfg->tls_ciphersuites;
	else
		slot = &ctx->cfg->tls_groups;
	if (!cfg_printable_word(p[1]))
		return vpnc_cfg_bad(ctx, p[0], "must be one word of printable characters");
	v = strdup(p[1]);
	if (v == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	free(*slot);
	*slot = v;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_tls_cert_profile)
{
	char *v;

	if (strcmp(p[1], "legacy") != 0 && strcmp(p[1], "preferred") != 0 &&
	    strcmp(p[1], "suiteb") != 0 && strcmp(p[1], "insecure") != 0)
		return vpnc_cfg_bad(ctx, p[0], "must be 'legacy', 'preferred', 'suiteb' or 'insecure'");
	v = strdup(p[1]);
	if (v == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	free(ctx->cfg->tls_cert_profile);
	ctx->cfg->tls_cert_profile = v;
	return 0;
}

static int cfg_direction(const char *s)
{
	if (strcmp(s, "0") == 0)
		return 0;
	if (strcmp(s, "1") == 0)
		return 1;
	return -1;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_wrap_key)
{
	struct vpnc_cfg_src *s;
	const char *opt;
	int ret, dir = -1;

	if (strcmp(p[0], "tls-auth") == 0) {
		s = &ctx->tls_auth, opt = "tls-auth";
		if (!ctx->is_inline && n > 2) {
			dir = cfg_direction(p[2]);
			if (dir < 0)
				return vpnc_cfg_bad(ctx, p[0], "the key direction must be 0 or 1");
		}
	} else if (strcmp(p[0], "tls-crypt") == 0) {
		s = &ctx->tls_crypt, opt = "tls-crypt";
	} else {
		s = &ctx->tls_crypt_v2, opt = "tls-crypt-v2";
	}
	ret = vpnc_cfg_src_set(ctx, s, opt, p[1]);
	s->dir = dir;
	return ret;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_key_direction)
{
	int dir = cfg_direction(p[1]);

	if (dir < 0)
		return vpnc_cfg_bad(ctx, p[0], "must be 0 or 1");
	ctx->cfg->key_direction = dir;
	return 0;
}

static bool cfg_cipher_known(const char *name)
{
	EVP_CIPHER *c;

	if (strlen(name) > CIPHER_NAME_MAX || !cfg_printable_word(name))
		return false;
	if (strcasecmp(name, "none") == 0)
		return true;
	c = EVP_CIPHER_fetch(NULL, name, NULL);
	EVP_CIPHER_free(c);
	return c != NULL;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_auth)
{
	EVP_MD *md = NULL;
	char safe[40];

	if (strlen(p[1]) < sizeof(ctx->cfg->auth) && cfg_printable_word(p[1])) {
		if (strcasecmp(p[1], "none") != 0)
			md = EVP_MD_fetch(NULL, p[1], NULL);
		if (md != NULL || strcasecmp(p[1], "none") == 0) {
			EVP_MD_free(md);
			memcpy(ctx->cfg->auth, p[1], strlen(p[1]) + 1);
			return 0;
		}
	}
	vpnc_cfg_sanitize(safe, sizeof(safe), p[1]);
	return vpnc_cfg_bad(ctx, p[0], "'%s' is not a digest this OpenSSL knows", safe);
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_cipher)
{
	char safe[40];

	if (strlen(p[1]) > CIPHER_NAME_MAX || !cfg_printable_word(p[1])) {
		vpnc_cfg_sanitize(safe, sizeof(safe), p[1]);
		return vpnc_cfg_bad(ctx, p[0], "'%s' is not a cipher name", safe);
	}
	memcpy(ctx->cipher, p[1], strlen(p[1]) + 1);
	return 0;
}

/*
 * data-ciphers: a colon list. A name starting with '?' is optional and dropped
 * silently when OpenSSL lacks it; any other unknown name is an error, as in 2.6.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_data_ciphers)
{
	char out[sizeof(ctx->cfg->data_ciphers)];
	const char *s = p[1];
	size_t olen = 0;

	if (strlen(s) > NCP_CIPHERS_MAX)
		return vpnc_cfg_bad(ctx, p[0], "the list is longer than %d characters", NCP_CIPHERS_MAX);
	while (*s != '\0') {
		const char *e = strchr(s, ':');
		size_t len = e != NULL ? (size_t)(e - s) : strlen(s);
		char name[CIPHER_NAME_MAX + 2];
		bool optional = len > 0 && s[0] == '?';
		const char *nm = optional ? s + 1 : s;
		size_t nlen = optional ? len - 1 : len;

		if (nlen == 0 || nlen > CIPHER_NAME_MAX)
			return vpnc_cfg_bad(ctx, p[0], "the list has an empty or overlong name");
		memcpy(name, nm, nlen);
		name[nlen] = '\0';
		if (cfg_cipher_known(name)) {
			if (olen > 0)
				out[olen++] = ':';
			memcpy(out + olen, name, nlen);
			olen += nlen;
		} else if (!optional) {
			char safe[40];

			vpnc_cfg_sanitize(safe, sizeof(safe), name);
			return vpnc_cfg_bad(ctx, p[0], "unsupported cipher '%s'", safe);
		}
		s += len;
		if (*s == ':')
			s++;
	}
	if (olen == 0)
		return vpnc_cfg_bad(ctx, p[0], "no usable cipher in the list");
	out[olen] = '\0';
	memcpy(ctx->cfg->data_ciphers, out, olen + 1);
	ctx->data_ciphers_set = true;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_data_ciphers_fallback)
{
	char safe[40];

	if (!cfg_cipher_known(p[1])) {
		vpnc_cfg_sanitize(safe, sizeof(safe), p[1]);
		return vpnc_cfg_bad(ctx, p[0], "unsupported cipher '%s'", safe);
	}
	memcpy(ctx->cfg->data_ciphers_fallback, p[1], strlen(p[1]) + 1);
	ctx->fallback_set = true;
	return 0;
}
