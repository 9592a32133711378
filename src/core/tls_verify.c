/*
 * tls_verify.c: the peer certificate checks of OpenVPN 2.6, run from
 * OpenSSL's verify callback so that a refused certificate fails the TLS
 * handshake itself, with the reason and the subject recorded for the log.
 *
 * Order per certificate, as in OpenVPN's verify_cert(): OpenSSL's own result
 * (chain, time, CRL from 'crl-verify FILE'), then the chain depth, then for
 * the peer's certificate (depth 0) peer-fingerprint, ns-cert-type,
 * remote-cert-ku, remote-cert-eku and verify-x509-name, for the one at
 * depth 1 (the CA that signed it) verify-hash, then the tls-verify script
 * (through the caller's hook), then 'crl-verify DIR dir' for every depth.
 *
 * With 'peer-fingerprint' and no 'ca' (OpenVPN's PKI-less setup) OpenSSL's
 * own verdict is set aside, as OpenVPN 2.6 does: the fingerprint of the
 * peer's certificate decides, and the other checks still apply.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "core/tls.h"
#include "core/tls_verify.h"

/* The rules of one client SSL_CTX, copied from the config. */
struct verify_rules {
	unsigned ku[VPNC_MAX_KU]; /* 0-terminated */
	size_t n_ku;
	bool ku_required;
	char *eku;
	char *x509_name;
	enum vpnc_x509_name_type x509_type;
	char *crl_dir;
	bool ns_server;                      /* ns-cert-type server */
	uint8_t (*fp)[VPNC_PEER_FP_LEN];     /* peer-fingerprint list */
	size_t n_fp;
	bool fp_no_ca;                       /* fingerprints without 'ca': OpenSSL's verdict is set aside */
	vpnc_tls_verify_fn hook;             /* tls-verify (tls.h); NULL = none */
	void *hook_arg;
	char track[VPNC_MAX_X509_TRACK][VPNC_X509_TRACK_NAME]; /* x509-track, for the hook */
	size_t n_track;
	bool export_pem;                     /* tls-export-cert: the hook gets the PEM too */
	uint8_t (*vh)[VPNC_PEER_FP_LEN];     /* verify-hash list: the depth-1 certificate's */
	uint8_t *vh_len;                     /* each value's length: only those of the algorithm count */
	size_t n_vh;
	bool vh_sha1;                        /* SHA-1, else SHA-256 */
};

static int rules_index = -1;
static int note_index = -1;

static void rules_free(struct verify_rules *r)
{
	if (r == NULL)
		return;
	free(r->eku);
	free(r->x509_name);
	free(r->crl_dir);
	free(r->fp);
	free(r->vh);
	free(r->vh_len);
	free(r);
}

/* Frees the rules with their SSL_CTX. */
static void rules_ex_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	rules_free(ptr);
}

static int indexes(void)
{
	if (rules_index < 0)
		rules_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, rules_ex_free);
	if (note_index < 0)
		note_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	return rules_index >= 0 && note_index >= 0 ? 0 : -ENOMEM;
}

/* OpenVPN's string_mod(CC_PRINT, CC_CRLF, '_'): control characters become '_'. */
static void remap_name(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 32 || (unsigned char)*s == 127)
			*s = '_';
}

bool vpnc_tls_subject(X509 *cert, char *out, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	BUF_MEM *mem = NULL;
	bool ok = false;

	out[0] = '\0';
	if (b == NULL)
		return false;
	X509_NAME_print_ex(b, X509_get_subject_name(cert), 0,
	                   XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN | ASN1_STRFLGS_UTF8_CONVERT |
	                       ASN1_STRFLGS_ESC_CTRL);
	BIO_get_mem_ptr(b, &mem);
	if (mem != NULL && mem->length > 0) {
		size_t n = mem->length < cap ? mem->length : cap - 1;
		memcpy(out, mem->data, n);
		out[n] = '\0';
		ok = mem->length < cap && memchr(out, '\0', n) == NULL;
		remap_name(out);
		for (char *s = out; *s == '-'; s++)
			*s = '_';
	}
	BIO_free(b);
	return ok;
}

bool vpnc_tls_common_name(X509 *cert, char *out, size_t cap)
{
	X509_NAME *name = X509_get_subject_name(cert);
	int i = -1, last = -1;
	unsigned char *utf8 = NULL;
	bool ok;
	int n;

	out[0] = '\0';
	/* OpenVPN takes the last CN when there are several. */
	while ((i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) >= 0)
		last = i;
	if (last < 0)
		return false;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last)));
	if (n < 0)
		return false;
	ok = n <= VPNC_TLS_CN_MAX && (size_t)n < cap && memchr(utf8, '\0', (size_t)n) == NULL;
	if (ok) {
		memcpy(out, utf8, (size_t)n);
		out[n] = '\0';
		remap_name(out);
	}
	OPENSSL_free(utf8);
	return ok;
}

int vpnc_tls_check_ku(X509 *cert, const unsigned *ku, size_t n, char *why, size_t cap)
{
	ASN1_BIT_STRING *bits = X509_get_ext_d2i(cert, NID_key_usage, NULL, NULL);
	unsigned have = 0;
	int ret = -EPERM;

	if (bits == NULL) {
		snprintf(why, cap, "the certificate has no keyUsage extension (remote-cert-ku/-tls)");
		return -EPERM;
	}
	if (n == 0) {
		ret = 0;
		goto out;
	}
	/* The first byte of the bit string, most significant bit first, as OpenVPN reads it. */
	for (int i = 0; i < 8; i++)
		if (ASN1_BIT_STRING_get_bit(bits, i))
			have |= 1u << (7 - i);
	if ((have & 0xff) == 0)
		have >>= 8;
	for (size_t i = 0; i < n; i++) {
		if (ku[i] != 0 && (have & ku[i]) == ku[i]) {
			ret = 0;
			goto out;
		}
	}
	int off = snprintf(why, cap, "the certificate has key usage %04x, expected one of", have);
	for (size_t i = 0; i < n && off > 0 && (size_t)off < cap; i++)
		off += snprintf(why + off, cap - (size_t)off, " %04x", ku[i]);
	if (off > 0 && (size_t)off < cap)
		snprintf(why + off, cap - (size_t)off, " (remote-cert-ku)");
out:
	ASN1_BIT_STRING_free(bits);
	return ret;
}

int vpnc_tls_check_eku(X509 *cert, const char *eku, char *why, size_t cap)
{
	EXTENDED_KEY_USAGE *list = X509_get_ext_d2i(cert, NID_ext_key_usage, NULL, NULL);
	char txt[128];
	int ret = -EPERM;

	if (list == NULL) {
		snprintf(why, cap, "the certificate has no extendedKeyUsage extension, expected '%s'", eku);
		return -EPERM;
	}
	/* Each OID matches by OpenSSL's long name or by its dotted form. */
	for (int i = 0; ret != 0 && i < sk_ASN1_OBJECT_num(list); i++) {
		ASN1_OBJECT *oid = sk_ASN1_OBJECT_value(list, i);
		for (int numeric = 0; numeric <= 1 && ret != 0; numeric++) {
			int len = OBJ_obj2txt(txt, sizeof(txt), oid, numeric);
			if (len > 0 && (size_t)len < sizeof(txt) && strcmp(txt, eku) == 0)
				ret = 0;
		}
	}
	if (ret != 0)
		snprintf(why, cap, "the certificate lacks extended key usage '%s' (remote-cert-eku/-tls)", eku);
	sk_ASN1_OBJECT_pop_free(list, ASN1_OBJECT_free);
	return ret;
}

int vpnc_tls_check_name(X509 *cert, const char *name, enum vpnc_x509_name_type type, char *why,
                        size_t cap)
{
	char subject[VPNC_TLS_SUBJECT_MAX];
	char cn[VPNC_TLS_CN_MAX + 1];
	bool ok;

	if (type == VPNC_X509_SUBJECT) {
		ok = vpnc_tls_subject(cert, subject, sizeof(subject)) && strcmp(subject, name) == 0;
	} else if (!vpnc_tls_common_name(cert, cn, sizeof(cn))) {
		snprintf(why, cap, "the certificate has no usable commonName for verify-x509-name");
		return -EPERM;
	} else if (type == VPNC_X509_NAME) {
		ok = strcmp(cn, name) == 0;
	} else {
		ok = strncmp(cn, name, strlen(name)) == 0;
	}
	if (!ok)
		snprintf(why, cap, "the certificate does not match verify-x509-name '%s' %s", name,
		         type == VPNC_X509_SUBJECT ? "subject"
		         : type == VPNC_X509_NAME  ? "name"
		                                   : "name-prefix");
	return ok ? 0 : -EPERM;
}

static int vpnc_tls_check_ns_server(X509 *cert, char *why, size_t cap)
{
	ASN1_BIT_STRING *ns;
	bool ok;

	/* OpenSSL's TLS-server purpose test: keyUsage, extendedKeyUsage and nsCertType, where present. */
	if (X509_check_purpose(cert, X509_PURPOSE_SSL_SERVER, 0) == 1)
		return 0;
	ERR_clear_error();
	/* OpenVPN 2.6 then accepts the nsCertType bit alone (with a warning). */
	ns = X509_get_ext_d2i(cert, NID_netscape_cert_type, NULL, NULL);
	ok = ns != NULL && ns->length > 0 && (ns->data[0] & NS_SSL_SERVER) != 0;
	ASN1_BIT_STRING_free(ns);
	if (!ok)
		snprintf(why, cap, "the certificate is not fit for a TLS server (ns-cert-type server)");
	return ok ? 0 : -EPERM;
}

int vpnc_tls_fingerprint(X509 *cert, uint8_t out[VPNC_PEER_FP_LEN])
{
	unsigned len = 0;

	if (X509_digest(cert, EVP_sha256(), out, &len) != 1 || len != VPNC_PEER_FP_LEN) {
		ERR_clear_error();
		return -EINVAL;
	}
	return 0;
}

static int vpnc_tls_check_fp(X509 *cert, const uint8_t (*fp)[VPNC_PEER_FP_LEN], size_t n, char *why,
                      size_t cap)
{
	uint8_t got[VPNC_PEER_FP_LEN];
	static const char hex[] = "0123456789ABCDEF";
	char txt[VPNC_PEER_FP_LEN * 3];
	bool found = false;

	if (vpnc_tls_fingerprint(cert, got) != 0) {
		snprintf(why, cap, "the certificate's SHA-256 fingerprint cannot be computed");
		return -EPERM;
	}
	/* Every entry is compared, in constant time, as OpenVPN does. */
	for (size_t i = 0; i < n; i++)
		found |= CRYPTO_memcmp(got, fp[i], VPNC_PEER_FP_LEN) == 0;
	if (found)
		return 0;
	for (size_t i = 0; i < VPNC_PEER_FP_LEN; i++) {
		txt[3 * i] = hex[got[i] >> 4];
		txt[3 * i + 1] = hex[got[i] & 15];
		txt[3 * i + 2] = i + 1 < VPNC_PEER_FP_LEN ? ':' : '\0';
	}
	snprintf(why, cap, "its SHA-256 fingerprint %s is not in peer-fingerprint", txt);
	return -EPERM;
}

/* crl-verify DIR dir: a file named by the decimal serial number revokes it. */
static int check_crl_dir(X509 *cert, const char *dir, char *why, size_t cap)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *serial = bn != NULL ? BN_bn2dec(bn) : NULL;
	char path[4096];
	int ret = -EPERM;

	if (serial == NULL) {
		snprintf(why, cap, "the certificate's serial number cannot be read (crl-verify dir)");
		goto out;
	}
	int n = snprintf(path, sizeof(path), "%s/%s", dir, serial);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		snprintf(why, cap, "the crl-verify directory name is too long");
		goto out;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd >= 0) {
		close(fd);
		snprintf(why, cap, "serial %s is revoked (crl-verify dir)", serial);
		goto out;
	}
	ret = 0;
out:
	OPENSSL_free(serial);
	BN_free(bn);
	return ret;
}

/* verify-hash: the certificate's SHA-1 or SHA-256 must be one of the listed values of that length. */
static int check_verify_hash(X509 *cert, const struct verify_rules *r, char *why, size_t cap)
{
	uint8_t got[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	bool found = false;

	if (X509_digest(cert, r->vh_sha1 ? EVP_sha1() : EVP_sha256(), got, &len) != 1 ||
	    len != (r->vh_sha1 ? 20U : 32U)) {
		snprintf(why, cap, "the level-1 certificate's fingerprint cannot be computed");
		return -EPERM;
	}
	for (size_t i = 0; i < r->n_vh; i++)
		found |= r->vh_len[i] == len && CRYPTO_memcmp(got, r->vh[i], len) == 0;
	if (found)
		return 0;
	snprintf(why, cap, "the level-1 certificate (the CA that signed the server's) has a %s fingerprint "
	         "that is not in verify-hash", r->vh_sha1 ? "SHA-1" : "SHA-256");
	return -EPERM;
}

static void note_failure(struct vpnc_tls_note *note, X509 *cert, int error, int depth, const char *reason)
{
	if (note == NULL || note->failed)
		return;
	note->failed = true;
	note->error = error;
	note->depth = depth;
	snprintf(note->reason, sizeof(note->reason), "%s", reason);
	if (cert == NULL || !vpnc_tls_subject(cert, note->subject, sizeof(note->subject))) {
		if (note->subject[0] == '\0')
			snprintf(note->subject, sizeof(note->subject), "unknown");
	}
}

static int verify_cb(int ok, X509_STORE_CTX *sctx)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(sctx, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct vpnc_tls_note *note = ssl != NULL ? SSL_get_ex_data(ssl, note_index) : NULL;
	struct verify_rules *r = ssl != NULL ? SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), rules_index) : NULL;
	X509 *cert = X509_STORE_CTX_get_current_cert(sctx);
	int depth = X509_STORE_CTX_get_error_depth(sctx);
	char why[VPNC_TLS_REASON_MAX];

	if (!ok) {
		/*
		 * As 2.6's verify_callback(), which lets a missing CRL pass: with
		 * 'crl-verify FILE' or 'capath', a CA that has no CRL there is not an
		 * error (OpenSSL still checks every CRL that is there). OpenSSL calls
		 * back again for this certificate with ok set, so the checks below
		 * still run for it.
		 */
		if (X509_STORE_CTX_get_error(sctx) == X509_V_ERR_UNABLE_TO_GET_CRL)
			return 1;
		if (r == NULL || !r->fp_no_ca) {
			note_failure(note, cert, X509_STORE_CTX_get_error(sctx), depth,
			             X509_verify_cert_error_string(X509_STORE_CTX_get_error(sctx)));
			return 0;
		}
		/* PKI-less: no CA vouches for the chain; the fingerprint below decides. */
		X509_STORE_CTX_set_error(sctx, X509_V_OK);
	}
	if (r == NULL || cert == NULL)
		return ok;
	if (depth >= VPNC_TLS_MAX_DEPTH) {
		snprintf(why, sizeof(why), "the certificate chain is deeper than %d", VPNC_TLS_MAX_DEPTH);
		goto fail;
	}
	if (depth == 0) {
		if (r->n_fp > 0 && vpnc_tls_check_fp(cert, r->fp, r->n_fp, why, sizeof(why)) != 0)
			goto fail;
		if (r->ns_server && vpnc_tls_check_ns_server(cert, why, sizeof(why)) != 0)
			goto fail;
		if (r->ku_required && vpnc_tls_check_ku(cert, r->ku, r->n_ku, why, sizeof(why)) != 0)
			goto fail;
		if (r->eku != NULL && vpnc_tls_check_eku(cert, r->eku, why, sizeof(why)) != 0)
			goto fail;
		if (r->x509_name != NULL &&
		    vpnc_tls_check_name(cert, r->x509_name, r->x509_type, why, sizeof(why)) != 0)
			goto fail;
	}
	/* OpenVPN 2.6 checks verify-hash at depth 1 exactly. */
	if (depth == 1 && r->n_vh > 0 && check_verify_hash(cert, r, why, sizeof(why)) != 0)
		goto fail;
	if (r->hook != NULL) {
		struct vpnc_tls_cert_info ci;

		if (vpnc_tls_cert_info(cert, depth, (const char (*)[VPNC_X509_TRACK_NAME])r->track, r->n_track,
		                       &ci) != 0 ||
		    (r->export_pem && vpnc_tls_cert_pem(cert, &ci) != 0)) {
			snprintf(why, sizeof(why), "it is too large for the tls-verify script (serial, subject, X509 "
			         "fields or PEM)");
			goto fail;
		}
		if (r->hook(r->hook_arg, &ci) != 0) {
			snprintf(why, sizeof(why), "the tls-verify script rejected it");
			goto fail;
		}
	}
	if (r->crl_dir != NULL && check_crl_dir(cert, r->crl_dir, why, sizeof(why)) != 0)
		goto fail;
	return 1;
fail:
	X509_STORE_CTX_set_error(sctx, X509_V_ERR_APPLICATION_VERIFICATION);
	note_failure(note, cert, X509_V_ERR_APPLICATION_VERIFICATION, depth, why);
	return 0;
}

/* Loads every CRL in pem into the store and turns on CRL checks for the whole chain, as OpenVPN does. */
static int load_crl(SSL_CTX *ctx, const char *pem, char *err, size_t errlen)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509_CRL *crl;
	int n = 0, ret = 0;

	if (bio == NULL)
		return -ENOMEM;
	while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL) {
		if (X509_STORE_add_crl(store, crl) != 1) {
			X509_CRL_free(crl);
			snprintf(err, errlen, "cannot add the CRL from 'crl-verify'");
			ret = -EINVAL;
			break;
		}
		X509_CRL_free(crl);
		n++;
	}
	BIO_free(bio);
	ERR_clear_error();
	if (ret == 0 && n == 0) {
		snprintf(err, errlen, "'crl-verify' holds no PEM CRL");
		ret = -EINVAL;
	}
	if (ret == 0)
		X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
	return ret;
}

int vpnc_tls_verify_setup(SSL_CTX *ctx, const struct vpnc_config *cfg, char *err, size_t errlen)
{
	struct verify_rules *r = NULL;
	int ret = -ENOMEM;

	if (indexes() != 0)
		goto fail;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		goto fail;
	r->ku_required = cfg->remote_cert_ku_set || cfg->remote_cert_tls_server;
	for (size_t i = 0; i < VPNC_MAX_KU && cfg->remote_cert_ku_set && cfg->remote_cert_ku[i] != 0; i++)
		r->ku[r->n_ku++] = cfg->remote_cert_ku[i];
	r->x509_type = cfg->verify_x509_type;
	r->export_pem = cfg->tls_export_cert[0] != '\0';
	for (size_t i = 0; i < cfg->n_x509_track && i < VPNC_MAX_X509_TRACK; i++)
		memcpy(r->track[r->n_track++], cfg->x509_track[i], VPNC_X509_TRACK_NAME);
	r->ns_server = cfg->ns_cert_type_server;
	if (cfg->n_peer_fp > 0) {
		if (cfg->n_peer_fp > VPNC_MAX_PEER_FP)
			goto fail;
		r->fp = malloc(cfg->n_peer_fp * sizeof(r->fp[0]));
		if (r->fp == NULL)
			goto fail;
		memcpy(r->fp, cfg->peer_fp, cfg->n_peer_fp * sizeof(r->fp[0]));
		r->n_fp = cfg->n_peer_fp;
		/* OpenVPN 2.6: without 'ca' (a PKCS#12 file's CAs do not count) the fingerprints alone decide. */
		r->fp_no_ca = cfg->ca == NULL && !cfg->capath;
	}
	if (cfg->n_verify_hash > 0) {
		if (cfg->n_verify_hash > VPNC_MAX_PEER_FP)
			goto fail;
		r->vh = malloc(cfg->n_verify_hash * sizeof(r->vh[0]));
		r->vh_len = malloc(cfg->n_verify_hash);
		if (r->vh == NULL || r->vh_len == NULL)
			goto fail;
		memcpy(r->vh, cfg->verify_hash, cfg->n_verify_hash * sizeof(r->vh[0]));
		memcpy(r->vh_len, cfg->verify_hash_len, cfg->n_verify_hash);
		r->n_vh = cfg->n_verify_hash;
		r->vh_sha1 = cfg->verify_hash_sha1;
	}
	if ((cfg->remote_cert_eku != NULL && (r->eku = strdup(cfg->remote_cert_eku)) == NULL) ||
	    (cfg->remote_cert_eku == NULL && cfg->remote_cert_tls_server &&
	     (r->eku = strdup("TLS Web Server Authentication")) == NULL) ||
	    (cfg->verify_x509_name != NULL && (r->x509_name = strdup(cfg->verify_x509_name)) == NULL) ||
	    (cfg->crl_dir != NULL && (r->crl_dir = strdup(cfg->crl_dir)) == NULL))
		goto fail;
	if (cfg->crl != NULL) {
		ret = load_crl(ctx, cfg->crl, err, errlen);
		if (ret < 0)
			goto fail_quiet;
	}
	if (SSL_CTX_set_ex_data(ctx, rules_index, r) != 1)
		goto fail;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	return 0;
fail:
	snprintf(err, errlen, "out of memory");
	ret = -ENOMEM;
fail_quiet:
	rules_free(r);
	return ret;
}

int vpnc_tls_cert_pem(X509 *cert, struct vpnc_tls_cert_info *ci)
{
	BIO *b = BIO_new(BIO_s_mem());
	BUF_MEM *mem = NULL;
	int ret = -E2BIG;

	ci->pem[0] = '\0';
	if (b == NULL)
		return -ENOMEM;
	if (PEM_write_bio_X509(b, cert) == 1) {
		BIO_get_mem_ptr(b, &mem);
		if (mem != NULL && mem->length > 0 && mem->length < sizeof(ci->pem)) {
			memcpy(ci->pem, mem->data, mem->length);
			memset(ci->pem + mem->length, 0, sizeof(ci->pem) - mem->length);
			ret = 0;
		}
	}
	BIO_free(b);
	ERR_clear_error();
	return ret;
}

int vpnc_tls_set_verify_hook(SSL_CTX *ctx, vpnc_tls_verify_fn fn, void *arg)
{
	struct verify_rules *r = rules_index >= 0 ? SSL_CTX_get_ex_data(ctx, rules_index) : NULL;

	if (r == NULL)
		return -EINVAL;
	r->hook = fn;
	r->hook_arg = arg;
	return 0;
}

/* bytes as "xx:xx:..." (lowercase, as OpenVPN's format_hex_ex with ':'); false if it does not fit. */
static bool colon_hex(const unsigned char *b, size_t n, char *out, size_t cap)
{
	static const char digits[] = "0123456789abcdef";

	if (n == 0 || n * 3 > cap)
		return false;
	for (size_t i = 0; i < n; i++) {
		out[i * 3] = digits[b[i] >> 4];
		out[i * 3 + 1] = digits[b[i] & 15];
		out[i * 3 + 2] = i + 1 < n ? ':' : '\0';
	}
	return true;
}

/* Appends "NAME=value\n" to the X509 lines: name mapped to [A-Za-z0-9_], value to printable ASCII. */
static bool x509_line(struct vpnc_tls_cert_info *ci, size_t *used, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value);
	char *o = ci->x509 + *used;

	if (nl == 0 || nl > 48 || *used + nl + vl + 3 > sizeof(ci->x509))
		return false;
	for (size_t i = 0; i < nl; i++) {
		char c = name[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';

		*o++ = ok ? c : '_';
	}
	*o++ = '=';
	for (size_t i = 0; i < vl; i++)
		*o++ = (unsigned char)value[i] < 0x20 || (unsigned char)value[i] > 0x7e ? '_' : value[i];
	*o++ = '\n';
	*o = '\0';
	*used = (size_t)(o - ci->x509);
	return true;
}

/* Whether "NAME=" already starts a line of the X509 lines. */
static bool x509_has(const struct vpnc_tls_cert_info *ci, const char *name)
{
	size_t nl = strlen(name);

	for (const char *l = ci->x509; *l != '\0'; l = strchr(l, '\n') + 1)
		if (strncmp(l, name, nl) == 0 && l[nl] == '=')
			return true;
	return false;
}

/* 2.6's x509_setenv: every subject field by its short name; a repeated one gets _1, _2, ... */
static int x509_subject_lines(X509 *cert, struct vpnc_tls_cert_info *ci, size_t *used)
{
	X509_NAME *xn = X509_get_subject_name(cert);
	int n = X509_NAME_entry_count(xn);

	for (int i = 0; i < n; i++) {
		X509_NAME_ENTRY *ent = X509_NAME_get_entry(xn, i);
		int nid = ent != NULL ? OBJ_obj2nid(X509_NAME_ENTRY_get_object(ent)) : NID_undef;
		const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
		unsigned char *val = NULL;
		char name[64];
		bool ok;

		if (sn == NULL || strlen(sn) > 40 || ASN1_STRING_to_UTF8(&val, X509_NAME_ENTRY_get_data(ent)) < 0)
			continue;
		snprintf(name, sizeof(name), "%s", sn);
		for (unsigned k = 1; k < 1000 && x509_has(ci, name); k++)
			snprintf(name, sizeof(name), "%s_%u", sn, k);
		ok = x509_line(ci, used, name, (const char *)val);
		OPENSSL_free(val);
		if (!ok)
			return -E2BIG;
	}
	return 0;
}

/* 2.6's x509_setenv_track: SHA1/SHA256 in uppercase hex, a subject field, or an extension as printed. */
static int x509_track_line(X509 *cert, const char *attr, struct vpnc_tls_cert_info *ci, size_t *used)
{
	int nid = OBJ_txt2nid(attr), i;
	X509_NAME *xn = X509_get_subject_name(cert);
	unsigned char md[EVP_MAX_MD_SIZE], *val = NULL;
	unsigned mdlen = 0;
	char hex[EVP_MAX_MD_SIZE * 3];
	bool ok = true;

	if (nid == NID_sha1 || nid == NID_sha256) {
		if (X509_digest(cert, nid == NID_sha1 ? EVP_sha1() : EVP_sha256(), md, &mdlen) != 1 ||
		    !colon_hex(md, mdlen, hex, sizeof(hex)))
			return -EINVAL;
		for (char *c = hex; *c != '\0'; c++)
			if (*c >= 'a' && *c <= 'f')
				*c = (char)(*c - 'a' + 'A');
		return x509_line(ci, used, attr, hex) ? 0 : -E2BIG;
	}
	if (nid == NID_undef)
		return 0;
	if ((i = X509_NAME_get_index_by_NID(xn, nid, -1)) >= 0) {
		X509_NAME_ENTRY *ent = X509_NAME_get_entry(xn, i);

		if (ent != NULL && ASN1_STRING_to_UTF8(&val, X509_NAME_ENTRY_get_data(ent)) >= 0) {
			ok = x509_line(ci, used, attr, (const char *)val);
			OPENSSL_free(val);
		}
	} else if ((i = X509_get_ext_by_NID(cert, nid, -1)) >= 0) {
		X509_EXTENSION *ext = X509_get_ext(cert, i);
		BIO *b = ext != NULL ? BIO_new(BIO_s_mem()) : NULL;
		BUF_MEM *mem = NULL;

		if (b != NULL && X509V3_EXT_print(b, ext, 0, 0) == 1 && BIO_write(b, "", 1) == 1) {
			BIO_get_mem_ptr(b, &mem);
			/* 2.6 turns CR and LF into '?' (the rest of what is not printable becomes '_'). */
			for (size_t k = 0; mem != NULL && k + 1 < mem->length; k++)
				if (mem->data[k] == '\r' || mem->data[k] == '\n')
					mem->data[k] = '?';
			if (mem != NULL)
				ok = x509_line(ci, used, attr, mem->data);
		}
		BIO_free(b);
	}
	return ok ? 0 : -E2BIG;
}

int vpnc_tls_cert_info(X509 *cert, int depth, const char (*track)[VPNC_X509_TRACK_NAME], size_t n,
                       struct vpnc_tls_cert_info *ci)
{
	size_t used = 0;

	const ASN1_INTEGER *sn = X509_get0_serialNumber(cert);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	BIGNUM *bn = NULL;
	char *dec = NULL;
	int ret = -EINVAL;

	memset(ci, 0, sizeof(*ci));
	ci->depth = depth;
	if (!vpnc_tls_subject(cert, ci->subject, sizeof(ci->subject)))
		return -E2BIG;
	/* As a 2.6 environment value (CC_PRINT): what is not printable ASCII becomes '_'. */
	for (char *c = ci->subject; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			*c = '_';
	if (sn == NULL || (bn = ASN1_INTEGER_to_BN(sn, NULL)) == NULL || (dec = BN_bn2dec(bn)) == NULL)
		goto out;
	ret = -E2BIG;
	if (strlen(dec) >= sizeof(ci->serial) ||
	    !colon_hex(ASN1_STRING_get0_data(sn), (size_t)ASN1_STRING_length(sn), ci->serial_hex,
	               sizeof(ci->serial_hex)))
		goto out;
	memcpy(ci->serial, dec, strlen(dec) + 1);
	ret = -EINVAL;
	if (X509_digest(cert, EVP_sha1(), md, &mdlen) != 1 || !colon_hex(md, mdlen, ci->sha1, sizeof(ci->sha1)) ||
	    X509_digest(cert, EVP_sha256(), md, &mdlen) != 1 ||
	    !colon_hex(md, mdlen, ci->sha256, sizeof(ci->sha256)))
		goto out;
	if (n == 0) {
		ret = x509_subject_lines(cert, ci, &used);
	} else {
		/* 2.6 keeps its list newest first; the variables are the same in any order. */
		ret = 0;
		for (size_t i = 0; i < n && ret == 0; i++) {
			bool full = track[i][0] == '+';

			if (depth == 0 || full)
				ret = x509_track_line(cert, track[i] + full, ci, &used);
		}
	}
out:
	OPENSSL_free(dec);
	BN_free(bn);
	ERR_clear_error();
	return ret;
}

int vpnc_tls_verify_setup_plain(SSL_CTX *ctx, int mode)
{
	if (indexes() != 0)
		return -ENOMEM;
	SSL_CTX_set_verify(ctx, mode, verify_cb);
	return 0;
}

int vpnc_tls_verify_attach(SSL *ssl, struct vpnc_tls_note *note)
{
	if (indexes() != 0 || SSL_set_ex_data(ssl, note_index, note) != 1)
		return -ENOMEM;
	return 0;
}

int vpnc_tls_verify_done(SSL *ssl, char *why, size_t cap)
{
	struct verify_rules *r = rules_index >= 0 ? SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), rules_index)
	                                          : NULL;
	X509 *cert;

	if (r == NULL || (r->n_fp == 0 && !r->ns_server && r->n_vh == 0))
		return 0;
	if (r->n_vh > 0) {
		/* The chain OpenSSL verified; a chain of one certificate has no depth 1, which 2.6 lets pass. */
		STACK_OF(X509) *chain = SSL_get0_verified_chain(ssl);

		if (chain == NULL) {
			snprintf(why, cap, "the server's certificate chain is not verified");
			return -EPERM;
		}
		if (sk_X509_num(chain) > 1 && check_verify_hash(sk_X509_value(chain, 1), r, why, cap) != 0)
			return -EPERM;
		if (r->n_fp == 0 && !r->ns_server)
			return 0;
	}
	cert = SSL_get0_peer_certificate(ssl);
	if (cert == NULL) {
		snprintf(why, cap, "the server presented no certificate");
		return -EPERM;
	}
	if (r->n_fp > 0 && vpnc_tls_check_fp(cert, r->fp, r->n_fp, why, cap) != 0)
		return -EPERM;
	if (r->ns_server && vpnc_tls_check_ns_server(cert, why, cap) != 0)
		return -EPERM;
	return 0;
}
