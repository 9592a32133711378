/*
 * cfg_opt_tls.c: handlers for certificates and keys, TLS settings, the
 * control-channel key (tls-auth / tls-crypt / tls-crypt-v2), the HMAC digest
 * and the data-channel cipher lists.
 *
 * Key material is not read here: the handlers record an inline text or a path
 * (struct vpnc_cfg_src) and cfg_finish.c loads and decodes it at the end;
 * vpnc_cfg_finish_tls() below does that for pkcs12, askpass and crl-verify.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>

#include "config/cfg_handlers.h"
#include "core/b64.h"
#include "core/lex.h"
#include "core/tls_names.h"

#define NCP_CIPHERS_MAX 127 /* OpenVPN's MAX_NCP_CIPHERS_LENGTH */
#define CIPHER_NAME_MAX 31
#define TLS_CIPHER_OUT_MAX 4096 /* OpenVPN's buffer for the translated tls-cipher list */

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

/* OpenVPN's long name of the serverAuth extended key usage (OBJ_obj2txt without numbers). */
#define EKU_SERVER_AUTH "TLS Web Server Authentication"
#define EKU_MAX 128 /* longest OID text we accept */

static int cfg_set_eku(struct vpnc_cfg_ctx *ctx, const char *eku)
{
	char *v = strdup(eku);

	if (v == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	free(ctx->cfg->remote_cert_eku);
	ctx->cfg->remote_cert_eku = v;
	return 0;
}

/*
 * remote-cert-tls server: as in OpenVPN, a keyUsage extension must be present
 * and the extendedKeyUsage must hold serverAuth.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_remote_cert_tls)
{
	if (strcmp(p[1], "server") != 0)
		return vpnc_cfg_bad(ctx, p[0], "a client can only check for 'server'");
	ctx->cfg->remote_cert_tls_server = true;
	ctx->cfg->remote_cert_ku_set = true;
	memset(ctx->cfg->remote_cert_ku, 0, sizeof(ctx->cfg->remote_cert_ku));
	return cfg_set_eku(ctx, EKU_SERVER_AUTH);
}

/*
 * remote-cert-eku OID|NAME: the peer's extendedKeyUsage must list this OID,
 * written in dotted form or as OpenSSL's long name (e.g. "TLS Web Server
 * Authentication"), compared as OpenVPN does. It replaces the EKU part of
 * remote-cert-tls; the keyUsage part stays.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_remote_cert_eku)
{
	if (p[1][0] == '\0' || strlen(p[1]) > EKU_MAX)
		return vpnc_cfg_bad(ctx, p[0], "needs an OID or an extended key usage name");
	ctx->cfg->remote_cert_tls_server = false;
	return cfg_set_eku(ctx, p[1]);
}

/* Parses one hex key usage value ("a0", "0x88"); OpenVPN reads them with %x. */
static int cfg_parse_ku(const char *s, unsigned *out)
{
	unsigned v = 0;
	size_t i = 0, digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		i = 2;
	for (; s[i] != '\0'; i++, digits++) {
		int d = vpnc_cfg_hex_digit(s[i]);

		if (d < 0)
			return -EINVAL;
		if (digits >= 4)
			return -ERANGE;
		v = v << 4 | (unsigned)d;
	}
	if (digits == 0 || v == 0)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * remote-cert-ku [HEX...]: without values, a keyUsage extension must be
 * present; with values, the peer's key usage must contain all bits of at
 * least one of them (OpenVPN's x509_verify_cert_ku).
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_remote_cert_ku)
{
	unsigned ku[VPNC_MAX_KU] = {0};
	char safe[32];

	for (int i = 1; i < n; i++) {
		if ((size_t)(i - 1) >= VPNC_MAX_KU - 1 || cfg_parse_ku(p[i], &ku[i - 1]) != 0) {
			vpnc_cfg_sanitize(safe, sizeof(safe), p[i]);
			return vpnc_cfg_bad(ctx, p[0], "'%s' is not a key usage in hex (e.g. a0)", safe);
		}
	}
	memcpy(ctx->cfg->remote_cert_ku, ku, sizeof(ku));
	ctx->cfg->remote_cert_ku_set = true;
	/* The engine's remote-cert-tls check would also demand serverAuth: the EKU string does that now. */
	ctx->cfg->remote_cert_tls_server = false;
	return 0;
}

/*
 * ns-cert-type server: deprecated in OpenVPN 2.6 but still applied. 2.6 checks
 * the certificate with OpenSSL's TLS-server purpose test (keyUsage,
 * extendedKeyUsage and nsCertType where present), falling back to the
 * nsCertType bit alone; see core/tls_verify.c.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_ns_cert_type)
{
	if (strcmp(p[1], "client") == 0)
		return vpnc_cfg_bad(ctx, p[0], "a client can only check for 'server'");
	if (strcmp(p[1], "server") != 0)
		return vpnc_cfg_bad(ctx, p[0], "must be 'client' or 'server'");
	ctx->cfg->ns_cert_type_server = true;
	vpnc_cfg_note(ctx, 1, "option 'ns-cert-type' is deprecated: use 'remote-cert-tls server' instead");
	return 0;
}

/*
 * One fingerprint written as OpenVPN reads it: nbytes bytes of two hex
 * digits each, separated by ':', and nothing after (trailing blanks aside).
 */
static int cfg_parse_fp(const char *s, size_t len, uint8_t *out, size_t nbytes)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	if (len != nbytes * 3 - 1)
		return -EINVAL;
	for (size_t i = 0; i < nbytes; i++) {
		int hi = vpnc_cfg_hex_digit(s[3 * i]), lo = vpnc_cfg_hex_digit(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i + 1 < nbytes && s[3 * i + 2] != ':'))
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/*
 * The lines of a fingerprint option or block, one value each; blank lines
 * and lines starting with '#' or ';' skipped, as in OpenVPN. Each value goes
 * to out[*n] (nbytes of it); what says what a value must be, for the error.
 */
static int cfg_parse_fp_lines(struct vpnc_cfg_ctx *ctx, const char *name, const char *s,
                              uint8_t (*out)[VPNC_PEER_FP_LEN], size_t *n, size_t nbytes, const char *what)
{
	while (*s != '\0') {
		size_t len = strcspn(s, "\n");
		const char *line = s;
		size_t llen = len;
		char safe[120];

		s += len;
		if (*s == '\n')
			s++;
		while (llen > 0 && (*line == ' ' || *line == '\t' || *line == '\r' || *line == '\f' ||
		                    *line == '\v')) {
			line++;
			llen--;
		}
		if (llen == 0 || *line == '#' || *line == ';')
			continue;
		if (*n >= VPNC_MAX_PEER_FP)
			return vpnc_cfg_bad(ctx, name, "more than %d fingerprints", VPNC_MAX_PEER_FP);
		if (cfg_parse_fp(line, llen, out[*n], nbytes) != 0) {
			char raw[VPNC_CFG_PARAM_MAX];

			if (llen >= sizeof(raw))
				llen = sizeof(raw) - 1;
			memcpy(raw, line, llen);
			raw[llen] = '\0';
			vpnc_cfg_sanitize(safe, sizeof(safe), raw);
			return vpnc_cfg_bad(ctx, name, "'%s' is not %s", safe, what);
		}
		(*n)++;
	}
	return 0;
}

/*
 * peer-fingerprint FP, or <peer-fingerprint> with one per line (blank lines
 * and lines starting with '#' or ';' skipped, as in OpenVPN). Repeats add to
 * the list. Without 'ca' the server's certificate is accepted iff its SHA-256
 * fingerprint is listed; with 'ca' it must also chain to the CA.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_peer_fingerprint)
{
	struct vpnc_config *cfg = ctx->cfg;

	if (cfg->n_verify_hash > 0)
		return vpnc_cfg_bad(ctx, p[0], "options 'verify-hash' and 'peer-fingerprint' exclude each other");
	return cfg_parse_fp_lines(ctx, p[0], p[1], cfg->peer_fp, &cfg->n_peer_fp, VPNC_PEER_FP_LEN,
	                          "a SHA-256 fingerprint (32 hex bytes separated by ':')");
}

/*
 * verify-hash HASH [SHA1|SHA256], or <verify-hash> with one per line: the
 * certificate at depth 1 of the server's chain (the CA that signed it) must
 * have one of these fingerprints, as in 2.6, which also says the option is
 * deprecated. The option form defaults to SHA1, the block to SHA256; 2.6
 * hashes with the algorithm of the last line, so a value of another length
 * never matches. Repeats add to the list; it excludes peer-fingerprint.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_verify_hash)
{
	struct vpnc_config *cfg = ctx->cfg;
	bool sha1 = !ctx->is_inline;
	size_t first = cfg->n_verify_hash;
	int ret;

	if (cfg->n_peer_fp > 0)
		return vpnc_cfg_bad(ctx, p[0], "options 'verify-hash' and 'peer-fingerprint' exclude each other");
	if (n > 2 && strcmp(p[2], "SHA1") == 0)
		sha1 = true;
	else if (n > 2 && strcmp(p[2], "SHA256") == 0)
		sha1 = false;
	else if (n > 2)
		return vpnc_cfg_bad(ctx, p[0], "the hash must be SHA1 or SHA256, as in OpenVPN 2.6");
	ret = cfg_parse_fp_lines(ctx, p[0], p[1], cfg->verify_hash, &cfg->n_verify_hash, sha1 ? 20 : 32,
	                         sha1 ? "a SHA-1 fingerprint (20 hex bytes separated by ':')"
	                              : "a SHA-256 fingerprint (32 hex bytes separated by ':')");
	if (ret < 0)
		return ret;
	for (size_t i = first; i < cfg->n_verify_hash; i++)
		cfg->verify_hash_len[i] = sha1 ? 20 : 32;
	cfg->verify_hash_sha1 = sha1;
	vpnc_cfg_note(ctx, 1, "option 'verify-hash' is deprecated in OpenVPN 2.6: name the CA with 'ca', "
	              "or the server's certificate with 'peer-fingerprint'");
	return 0;
}

/*
 * providers NAME...: OpenSSL 3 providers to load, as 2.6 loads them at start
 * (crypto_load_provider()); 'legacy' brings BF-CBC. Loading one by name means
 * OpenSSL no longer loads 'default' by itself, so profiles list both, as the
 * 2.6 manual says. A later line replaces the list. The loading is done by
 * vpnc_cfg_finish(), before anything asks OpenSSL for a cipher.
 */
/*
 * Loads an OpenSSL provider once per process: each OSSL_PROVIDER_load() is
 * a reference that is never given back (the provider stays, as in 2.6), so a
 * name loaded before, by the pre-scan or an earlier profile, is not loaded
 * again. Returns 0 or -ENOENT.
 */
static OSSL_PROVIDER *cfg_providers_loaded[2 * VPNC_MAX_PROVIDERS];
static size_t cfg_n_providers_loaded;

/* At exit, before OpenSSL's own cleanup (registered earlier, so run later): the references go back. */
static void cfg_providers_unload(void)
{
	while (cfg_n_providers_loaded > 0)
		OSSL_PROVIDER_unload(cfg_providers_loaded[--cfg_n_providers_loaded]);
}

static int cfg_provider_load(const char *name)
{
	OSSL_PROVIDER *prov;

	if (OSSL_PROVIDER_available(NULL, name) == 1)
		return 0;
	if (cfg_n_providers_loaded >= sizeof(cfg_providers_loaded) / sizeof(cfg_providers_loaded[0]))
		return -ENOSPC;
	prov = OSSL_PROVIDER_load(NULL, name);
	if (prov == NULL) {
		ERR_clear_error();
		return -ENOENT;
	}
	if (cfg_n_providers_loaded == 0 && atexit(cfg_providers_unload) != 0) {
		OSSL_PROVIDER_unload(prov);
		return -ENOMEM;
	}
	cfg_providers_loaded[cfg_n_providers_loaded++] = prov;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_providers)
{
	struct vpnc_config *cfg = ctx->cfg;

	if (n - 1 > VPNC_MAX_PROVIDERS)
		return vpnc_cfg_bad(ctx, p[0], "at most %d providers", VPNC_MAX_PROVIDERS);
	cfg->n_providers = 0;
	for (int i = 1; i < n; i++) {
		size_t len = strlen(p[i]);

		if (len == 0 || len >= VPNC_PROVIDER_NAME_MAX || strchr(p[i], '/') != NULL)
			return vpnc_cfg_bad(ctx, p[0], "a provider name is 1 to %d bytes without '/'",
			                    VPNC_PROVIDER_NAME_MAX - 1);
		memcpy(cfg->providers[cfg->n_providers++], p[i], len + 1);
		/* Loaded now (or already, by the pre-scan below); they stay for the process. */
		if (cfg_provider_load(p[i]) != 0) {
			char safe[VPNC_PROVIDER_NAME_MAX];

			ERR_clear_error();
			vpnc_cfg_sanitize(safe, sizeof(safe), p[i]);
			return vpnc_cfg_bad(ctx, p[0], "OpenSSL cannot load the provider '%s'", safe);
		}
	}
	return 0;
}

/*
 * 2.6 loads the providers before it checks any cipher, wherever the line is;
 * vpnc checks 'data-ciphers' when it reads that line. So before the lines
 * of a file are applied, its 'providers' lines are loaded (errors are left
 * to the handler, which loads them again when it gets there). Not for an
 * untrusted profile, which may not load code.
 */
void vpnc_cfg_providers_prescan(struct vpnc_cfg_ctx *ctx, const char *text, size_t len)
{
	struct vpnc_lex_words w;
	size_t off = 0;

	if (ctx->untrusted)
		return;
	while (off < len) {
		size_t next, end = vpnc_cfg_line_end(text, len, off, &next);
		const char *why = NULL;
		const char *name;

		if (vpnc_lex_line(text + off, end - off, &w, &why) > 1) {
			name = strncmp(w.p[0], "--", 2) == 0 ? w.p[0] + 2 : w.p[0];
			for (int i = 1; strcmp(name, "providers") == 0 && i < w.n && i <= VPNC_MAX_PROVIDERS; i++)
				if (strchr(w.p[i], '/') == NULL)
					(void)cfg_provider_load(w.p[i]); /* errors: the handler reports them */
		}
		off = next;
	}
	OPENSSL_cleanse(&w, sizeof(w));
}

/* compat-mode MAJOR.MINOR.PATCH: parsed as 2.6 parses it; vpnc_cfg_finish() applies it. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_compat_mode)
{
	unsigned v[3];
	const char *s = p[1];

	for (int i = 0; i < 3; i++) {
		char *end;
		unsigned long x;

		if (*s < '0' || *s > '9')
			goto bad;
		x = strtoul(s, &end, 10);
		if (x > 99 || (i < 2 && *end != '.'))
			goto bad;
		v[i] = (unsigned)x;
		s = i < 2 ? end + 1 : end;
	}
	/* 2.6's sscanf("%u.%u.%u") ignores what follows the third number. */
	ctx->compat = v[0] * 10000 + v[1] * 100 + v[2];
	return 0;
bad:
	return vpnc_cfg_bad(ctx, p[0], "cannot parse the version number (MAJOR.MINOR.PATCH, as in 2.4.0)");
}

/*
 * capath DIR: OpenSSL's hash directory of CAs and CRLs (2.6 calls it
 * experimental). OpenSSL would read it lazily during each verification; the
 * network process cannot open files, so every HASH.N (certificate) and
 * HASH.rN (CRL) file in it is read once at start, with the profile owner's
 * rights like every file the profile names.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_capath)
{
	char *dup = strdup(p[1]);

	if (dup == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	free(ctx->capath);
	ctx->capath = dup;
	ctx->cfg->capath = true;
	return 0;
}

/* HASH.N or HASH.rN: eight lower-case hex digits, '.', an optional 'r', digits. */
static int capath_kind(const char *name)
{
	size_t i = 0;
	bool crl;

	for (; i < 8; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	if (name[i++] != '.')
		return 0;
	crl = name[i] == 'r';
	i += crl;
	if (name[i] < '0' || name[i] > '9')
		return 0;
	for (; name[i] >= '0' && name[i] <= '9'; i++)
		;
	return name[i] != '\0' ? 0 : crl ? 2 : 1;
}

static int capath_append(char **dst, size_t *dlen, const char *text, size_t len)
{
	char *n;

	if (*dlen + len + 2 > VPNC_CFG_MAX_FILE * 16)
		return -EFBIG;
	n = realloc(*dst, *dlen + len + 2);
	if (n == NULL)
		return -ENOMEM;
	memcpy(n + *dlen, text, len);
	*dlen += len;
	n[(*dlen)++] = '\n';
	n[*dlen] = '\0';
	*dst = n;
	return 0;
}

int vpnc_cfg_finish_capath(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_config *cfg = ctx->cfg;
	char *dir, path[4096];
	size_t clen = 0, rlen = 0;
	struct dirent *d;
	DIR *dp;
	int ret = 0;

	if (ctx->capath == NULL)
		return 0;
	dir = vpnc_cfg_resolve(ctx->cd, ctx->capath);
	if (dir == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	dp = opendir(dir);
	if (dp == NULL) {
		ret = -errno;
		free(dir);
		return vpnc_cfg_fail(ctx, ret, "option 'capath': cannot open the directory: %s", strerror(-ret));
	}
	while (ret == 0 && (d = readdir(dp)) != NULL) {
		int kind = capath_kind(d->d_name);
		char *text = NULL;
		size_t len = 0;

		if (kind == 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, d->d_name) >= sizeof(path)) {
			ret = vpnc_cfg_fail(ctx, -ENAMETOOLONG, "option 'capath': a path in the directory is too long");
			break;
		}
		ret = vpnc_cfg_read_file(path, &text, &len);
		if (ret < 0) {
			ret = vpnc_cfg_fail(ctx, ret, "option 'capath': cannot read %s: %s", d->d_name,
			                    vpnc_cfg_read_why(ret));
			break;
		}
		ret = kind == 1 ? capath_append(&cfg->capath_certs, &clen, text, len)
		                : capath_append(&cfg->capath_crls, &rlen, text, len);
		free(text);
		if (ret < 0)
			ret = vpnc_cfg_fail(ctx, ret, "option 'capath': the directory holds too much (or out of memory)");
	}
	closedir(dp);
	free(dir);
	return ret;
}

/* pkcs12 FILE or <pkcs12> (base64, as OpenVPN takes it inline). */
VPNC_CFG_HANDLER(vpnc_cfg_opt_pkcs12)
{
	return vpnc_cfg_src_set(ctx, &ctx->pkcs12, "pkcs12", p[1]);
}

/* askpass [FILE]: the key passphrase from the first line of FILE, or asked on the terminal. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_askpass)
{
	vpnc_cfg_src_clear(&ctx->askpass);
	ctx->cfg->askpass = true;
	if (n < 2 || strcmp(p[1], "stdin") == 0)
		return 0;
	return vpnc_cfg_src_set(ctx, &ctx->askpass, "askpass", p[1]);
}

/* crl-verify FILE | crl-verify DIR dir | <crl-verify>. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_crl_verify)
{
	bool dir = false;

	if (!ctx->is_inline && n > 2) {
		if (strcmp(p[2], "dir") != 0)
			return vpnc_cfg_bad(ctx, p[0], "the second argument can only be 'dir'");
		dir = true;
	}
	ctx->crl_is_dir = dir;
	return vpnc_cfg_src_set(ctx, &ctx->crl, "crl-verify", p[1]);
}

/*
 * 'x509-track [+]ATTR': an attribute OpenSSL knows by name or OID (2.6:
 * OBJ_txt2nid, and an unknown one is a profile error), SHA1 or SHA256 for
 * the fingerprints. Kept as written; the TLS setup resolves it again.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_x509_track)
{
	struct vpnc_config *cfg = ctx->cfg;
	const char *attr = p[1][0] == '+' ? p[1] + 1 : p[1];
	size_t len = strlen(p[1]);

	if (attr[0] == '\0' || len >= VPNC_X509_TRACK_NAME)
		return vpnc_cfg_bad(ctx, p[0], "the attribute must be 1 to %d bytes", VPNC_X509_TRACK_NAME - 2);
	if (OBJ_txt2nid(attr) == NID_undef) {
		ERR_clear_error();
		return vpnc_cfg_bad(ctx, p[0], "no such attribute '%s'", attr);
	}
	if (cfg->n_x509_track >= VPNC_MAX_X509_TRACK)
		return vpnc_cfg_bad(ctx, p[0], "more than %d attributes", VPNC_MAX_X509_TRACK);
	memcpy(cfg->x509_track[cfg->n_x509_track++], p[1], len + 1);
	return 0;
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
		if (strcmp(p[1], versions[i].s) != 0)
			continue;
		/* TLS 1.0 and 1.1 are unsafe: vpnc never uses them (OpenSSL 3 allows them only at security level 0). */
		if (versions[i].v < 0x0303 && !is_min)
			return vpnc_cfg_bad(ctx, p[0], "vpnc does not use TLS below 1.2");
		if (versions[i].v < 0x0303)
			vpnc_cfg_note(ctx, 1, "option 'tls-version-min %s': vpnc does not use TLS below 1.2, "
			              "so 1.2 is the minimum", versions[i].s);
		if (is_min)
			ctx->cfg->tls_version_min = versions[i].v < 0x0303 ? 0x0303 : versions[i].v;
		else
			ctx->cfg->tls_version_max = versions[i].v;
		return 0;
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

/* A word of a tls-cipher list that no cipher of this OpenSSL answers to: skipped with a warning. */
static void cfg_cipher_skipped(void *arg, const char *word, size_t len)
{
	struct vpnc_cfg_ctx *ctx = arg;
	char raw[VPNC_CFG_PARAM_MAX + 1], safe[80];

	if (len >= sizeof(raw))
		len = sizeof(raw) - 1;
	memcpy(raw, word, len);
	raw[len] = '\0';
	vpnc_cfg_sanitize(safe, sizeof(safe), raw);
	vpnc_cfg_note(ctx, 1, "option 'tls-cipher': '%s' is not a cipher this OpenSSL knows; skipped",
	              safe);
}

/*
 * tls-cipher LIST: OpenVPN's IANA-style names become OpenSSL's (core/tls_names.c);
 * unknown words are skipped with a warning, as OpenSSL skips them under OpenVPN.
 * A list left with no cipher is an error here rather than at connect time.
 */
static int cfg_tls_cipher(struct vpnc_cfg_ctx *ctx, const char *opt, const char *list)
{
	char out[TLS_CIPHER_OUT_MAX];
	char *v;
	int n = vpnc_tls_cipher_list(list, out, sizeof(out), cfg_cipher_skipped, ctx);

	if (n == -ENOMEM)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	if (n < 0)
		return vpnc_cfg_bad(ctx, opt, "the list is too long");
	if (n == 0)
		return vpnc_cfg_bad(ctx, opt, "no cipher in the list is known to this OpenSSL");
	v = strdup(out);
	if (v == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	free(ctx->cfg->tls_cipher);
	ctx->cfg->tls_cipher = v;
	return 0;
}

/* Does OpenSSL take this tls-groups list? */
static bool cfg_groups_known(const char *list)
{
	SSL_CTX *probe = SSL_CTX_new(TLS_method());
	bool ok = probe != NULL && SSL_CTX_set1_groups_list(probe, list) == 1;

	SSL_CTX_free(probe);
	ERR_clear_error();
	return ok;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_tls_string)
{
	char **slot, *v;

	if (!cfg_printable_word(p[1]))
		return vpnc_cfg_bad(ctx, p[0], "must be one word of printable characters");
	if (strcmp(p[0], "tls-cipher") == 0)
		return cfg_tls_cipher(ctx, p[0], p[1]);
	if (strcmp(p[0], "tls-ciphersuites") == 0) {
		slot = &ctx->cfg->tls_ciphersuites;
	} else {
		slot = &ctx->cfg->tls_groups;
		/* OpenSSL 3 refuses a list with a group it does not know; so does OpenVPN 2.6. */
		if (!cfg_groups_known(p[1]))
			return vpnc_cfg_bad(ctx, p[0], "a group in the list is not known to this OpenSSL");
	}
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
	} else if (strcmp(p[0], "secret") == 0) {
		/* As 2.6: 'secret FILE [direction]' sets the same direction as 'key-direction'. */
		s = &ctx->secret, opt = "secret";
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
	/*
	 * As in 2.6 (options.c, "tls-auth"): the direction on the line and
	 * 'key-direction' set one value, the later line winning, and an inline
	 * <tls-auth> block (which has none) leaves it as it was.
	 */
	if (dir >= 0)
		ctx->cfg->key_direction = dir;
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

/* Reads the PKCS#12 bytes: base64 text inline, a binary DER file otherwise. */
static int fin_pkcs12(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_cfg_src *s = &ctx->pkcs12;
	struct vpnc_config *cfg = ctx->cfg;
	char *full, *buf = NULL;
	size_t len = 0;
	int ret;

	if (!s->set)
		return 0;
	ctx->where = s->where;
	ctx->line = s->line;
	if (s->text != NULL) {
		uint8_t *der = malloc(s->text_len + 1);

		if (der == NULL)
			return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
		ret = vpnc_b64_decode(s->text, s->text_len, der, s->text_len + 1, &len, VPNC_B64_SPACE);
		if (ret < 0 || len == 0) {
			OPENSSL_cleanse(der, s->text_len + 1);
			free(der);
			return vpnc_cfg_bad(ctx, s->opt, "the inline block is not valid base64");
		}
		cfg->pkcs12 = der;
		cfg->pkcs12_len = len;
		return 0;
	}
	full = vpnc_cfg_resolve(ctx->cd, s->path);
	if (full == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	ret = vpnc_cfg_read_file(full, &buf, &len);
	free(full);
	if (ret < 0)
		return vpnc_cfg_unreadable(ctx, s->opt, s->path, ret);
	if (len == 0) {
		free(buf);
		return vpnc_cfg_bad(ctx, s->opt, "the file is empty");
	}
	cfg->pkcs12 = (uint8_t *)buf;
	cfg->pkcs12_len = len;
	return 0;
}

/* Keeps the first line of the askpass file as the key passphrase. */
static int fin_askpass(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_cfg_src *s = &ctx->askpass;
	size_t len;
	int ret;

	if (!s->set)
		return 0;
	ret = vpnc_cfg_src_load(ctx, s);
	if (ret < 0)
		return ret;
	len = strcspn(s->text, "\r\n");
	if (len == 0)
		return vpnc_cfg_bad(ctx, s->opt, "the first line of the file is empty");
	ctx->cfg->key_pass = strndup(s->text, len);
	if (ctx->cfg->key_pass == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	return 0;
}

static int fin_crl(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_cfg_src *s = &ctx->crl;
	int ret;

	if (!s->set)
		return 0;
	if (ctx->crl_is_dir && s->path != NULL) {
		ctx->cfg->crl_dir = vpnc_cfg_resolve(ctx->cd, s->path);
		return ctx->cfg->crl_dir != NULL ? 0 : vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	}
	ret = vpnc_cfg_src_load(ctx, s);
	if (ret < 0)
		return ret;
	ctx->cfg->crl = s->text;
	s->text = NULL;
	s->text_len = 0;
	return 0;
}

int vpnc_cfg_finish_tls(struct vpnc_cfg_ctx *ctx)
{
	int ret = fin_pkcs12(ctx);

	if (ret == 0)
		ret = fin_askpass(ctx);
	if (ret == 0)
		ret = fin_crl(ctx);
	if (ret == 0)
		ret = vpnc_cfg_finish_pkcs11(ctx);
	return ret;
}

/*
 * keying-material-exporter LABEL LEN: checked as 2.6 checks it (the label
 * starts with "EXPORTER", LEN is 16..4095), then ignored. 2.6 exports RFC
 * 5705 keying material only for an OPENVPN_PLUGIN_TLS_FINAL plugin and
 * deletes exported_keying_material from the environment right after that
 * call (ssl.c, key_method_2_read), so no script ever sees it; vpnc loads no
 * such plugin, so nothing would read the material.
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_keying_material_exporter)
{
	char *end;
	long len;

	(void)n;
	if (strncmp(p[1], "EXPORTER", 8) != 0)
		return vpnc_cfg_bad(ctx, p[0], "the label must begin with \"EXPORTER\", as in OpenVPN 2.6");
	/* 2.6 reads the number as atoi() does: leading digits count, what follows is ignored. */
	errno = 0;
	len = strtol(p[2], &end, 10);
	if (errno != 0 || end == p[2] || len < 16 || len > 4095)
		return vpnc_cfg_bad(ctx, p[0], "the length must be a number from 16 to 4095, as in OpenVPN 2.6");
	return 0;
}
