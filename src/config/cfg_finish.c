/*
 * cfg_finish.c: the checks and loads that need the whole config.
 *
 * Runs once after the file and command line: reads referenced files (relative
 * to the final 'cd', as OpenVPN does after parsing), decodes control-channel
 * keys, splits auth-user-pass text, fills remote ports and protocols from the
 * global 'port'/'proto', and applies OpenVPN 2.6's cross-option rules
 * (keepalive, cipher vs data-ciphers, tls-auth vs tls-crypt, the role: a pulling
 * client, a TLS peer without pull, or static-key mode).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "config/cfg_handlers.h"
#include "config/cfg_internal.h"
#include "core/colonlist.h"

#define NCP_CIPHERS_MAX 127

/* Moves a loaded text out of the source into *dst (a NUL-terminated string). */
static void fin_take(struct vpnc_cfg_src *s, char **dst)
{
	if (!s->set || s->text == NULL)
		return;
	*dst = s->text;
	s->text = NULL;
	s->text_len = 0;
}

static int fin_load_all(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_cfg_src *all[] = {&ctx->ca,        &ctx->cert,      &ctx->key,
	                              &ctx->extra_certs, &ctx->tls_auth, &ctx->tls_crypt,
	                              &ctx->tls_crypt_v2, &ctx->user_pass,
	                              &ctx->proxy_user_pass, &ctx->secret};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		int ret = vpnc_cfg_src_load(ctx, all[i]);

		if (ret < 0)
			return ret;
	}
	return 0;
}

static int fin_wrap(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_config *cfg = ctx->cfg;
	struct vpnc_cfg_src *s = NULL;
	const char *why = "";
	int count = ctx->tls_auth.set + ctx->tls_crypt.set + ctx->tls_crypt_v2.set;
	int ret;

	if (count > 0 && ctx->secret.set) {
		ctx->where = cfg->path != NULL ? cfg->path : "command line";
		ctx->line = 0;
		return vpnc_cfg_fail(ctx, -EINVAL, "options 'tls-auth', 'tls-crypt' and 'tls-crypt-v2' "
		                     "need TLS mode; static-key mode ('secret') has no TLS");
	}
	if (count > 1) {
		ctx->where = cfg->path != NULL ? cfg->path : "command line";
		ctx->line = 0;
		return vpnc_cfg_fail(ctx, -EINVAL,
		                     "options 'tls-auth', 'tls-crypt' and 'tls-crypt-v2' exclude each other");
	}
	if (ctx->tls_auth.set) {
		s = &ctx->tls_auth;
		cfg->wrap = VPNC_WRAP_TLS_AUTH;
		ret = vpnc_cfg_static_key_decode(s->text, s->text_len, cfg->wrap_key, &why);
	} else if (ctx->tls_crypt.set) {
		s = &ctx->tls_crypt;
		cfg->wrap = VPNC_WRAP_TLS_CRYPT;
		ret = vpnc_cfg_static_key_decode(s->text, s->text_len, cfg->wrap_key, &why);
	} else if (ctx->tls_crypt_v2.set) {
		s = &ctx->tls_crypt_v2;
		cfg->wrap = VPNC_WRAP_TLS_CRYPT_V2;
		ret = vpnc_cfg_tls_crypt_v2_decode(s->text, s->text_len, cfg->wrap_key, cfg->wkc,
		                                   &cfg->wkc_len, &why);
	} else if (ctx->secret.set) {
		s = &ctx->secret;
		cfg->secret = true;
		ret = vpnc_cfg_static_key_decode(s->text, s->text_len, cfg->secret_key, &why);
	} else {
		return 0;
	}
	if (ret < 0) {
		ctx->where = s->where;
		ctx->line = s->line;
		return vpnc_cfg_bad(ctx, s->opt, "bad key: %s", why);
	}
	return 0;
}

/*
 * Splits "user\npass[\n...]" of s into *user and *pass (CR/LF stripped, each
 * at most max bytes); a missing or empty password line leaves *pass NULL.
 */
int vpnc_cfg_split_user_pass(struct vpnc_cfg_ctx *ctx, struct vpnc_cfg_src *s, size_t max,
                             char **user, char **pass)
{
	const char *t, *nl, *end;
	size_t ulen, plen;

	t = s->text;
	end = t + s->text_len;
	nl = memchr(t, '\n', s->text_len);
	ulen = nl != NULL ? (size_t)(nl - t) : s->text_len;
	if (ulen > 0 && t[ulen - 1] == '\r')
		ulen--;
	ctx->where = s->where;
	ctx->line = s->line;
	if (ulen == 0)
		return vpnc_cfg_bad(ctx, s->opt, "the username (first line) is empty");
	if (ulen > max)
		return vpnc_cfg_bad(ctx, s->opt, "the username is too long");
	*user = strndup(t, ulen);
	if (*user == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	if (nl == NULL || nl + 1 >= end)
		return 0;
	t = nl + 1;
	nl = memchr(t, '\n', (size_t)(end - t));
	plen = nl != NULL ? (size_t)(nl - t) : (size_t)(end - t);
	if (plen > 0 && t[plen - 1] == '\r')
		plen--;
	if (plen > max)
		return vpnc_cfg_bad(ctx, s->opt, "the password is too long");
	if (plen == 0)
		return 0;
	*pass = strndup(t, plen);
	if (*pass == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	return 0;
}

/* auth-user-pass: without a password line the daemon asks for it. */
static int fin_user_pass(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_cfg_src *s = &ctx->user_pass;
	struct vpnc_config *cfg = ctx->cfg;

	if (!s->set)
		return 0;
	if (s->path != NULL) {
		cfg->auth_user_pass_file = strdup(s->path);
		if (cfg->auth_user_pass_file == NULL)
			return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	}
	return vpnc_cfg_split_user_pass(ctx, s, VPNC_CFG_USER_PASS_MAX, &cfg->username,
	                                &cfg->password);
}

/*
 * compat-mode: the defaults 2.6 changes for an older peer
 * (options_set_backwards_compatible_options() in 2.6's options.c):
 *   before 2.3.7  TLS 1.0 as the minimum: vpnc never uses TLS below 1.2 (a note);
 *   before 2.4.0  no 'cipher': BF-CBC, which is also the fallback;
 *   before 2.5.0  'cipher' joins data-ciphers, also an explicit list;
 *   before 2.6.0  no compression option: what the server compresses is
 *                 decompressed (2.6 otherwise allows only the stub framings).
 */
static int fin_compat(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_config *cfg = ctx->cfg;
	size_t dl = strlen(cfg->data_ciphers), cl;

	if (ctx->compat == 0)
		return 0;
	if (ctx->compat < 20307 && cfg->tls_version_min == 0)
		vpnc_cfg_note(ctx, 1, "option 'compat-mode': OpenVPN 2.6 would allow TLS 1.0 for a peer before 2.3.7; "
		              "vpnc does not use TLS below 1.2 (unsafe), so such a peer cannot connect");
	if (ctx->compat < 20400 && ctx->cipher[0] == '\0')
		memcpy(ctx->cipher, "BF-CBC", sizeof("BF-CBC"));
	if (ctx->compat < 20400 && !ctx->fallback_set) {
		memcpy(cfg->data_ciphers_fallback, ctx->cipher, strlen(ctx->cipher) + 1);
		ctx->fallback_set = true;
	}
	if (ctx->compat < 20500 && ctx->cipher[0] != '\0' && strcasecmp(ctx->cipher, "none") != 0 &&
	    !vpnc_colon_list_has(cfg->data_ciphers, ctx->cipher, strlen(ctx->cipher))) {
		EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, ctx->cipher, NULL);

		EVP_CIPHER_free(c);
		ERR_clear_error();
		cl = strlen(ctx->cipher);
		/* As 2.6: "--data-ciphers list contains unsupported ciphers or is too long." */
		if (c == NULL || dl + 1 + cl > NCP_CIPHERS_MAX)
			return vpnc_cfg_fail(ctx, -EINVAL, "option 'compat-mode' adds cipher '%s' to data-ciphers, and it "
			                     "is not available%s", ctx->cipher,
			                     strcasecmp(ctx->cipher, "BF-CBC") == 0 ? " (add 'providers legacy default')" : "");
		cfg->data_ciphers[dl] = ':';
		memcpy(cfg->data_ciphers + dl + 1, ctx->cipher, cl + 1);
	}
	if (ctx->compat < 20600 && cfg->allow_comp == VPNC_ALLOW_COMP_UNSET && !cfg->comp_asked)
		cfg->allow_comp = VPNC_ALLOW_COMP_ASYM;
	return 0;
}

/*
 * 'cipher' outside static-key mode, as 2.6 (its cipher-negotiation manual
 * section; 2.6.14 run on such a profile): a TLS peer without pull takes it as
 * the fallback; a pulling client leaves it out of the negotiation altogether:
 * not offered in IV_CIPHERS, not a fallback (that is 'data-ciphers-fallback'),
 * and a note when it is not in data-ciphers. 2.5 appended it to data-ciphers;
 * 2.6 does so only under an older compat-mode.
 */
static void fin_cipher(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_config *cfg = ctx->cfg;

	if (ctx->cipher[0] == '\0' || cfg->secret)
		return;
	if (cfg->tls_client && !cfg->pull) {
		if (!ctx->fallback_set)
			memcpy(cfg->data_ciphers_fallback, ctx->cipher, strlen(ctx->cipher) + 1);
		return;
	}
	if (!ctx->fallback_set && !vpnc_colon_list_has(cfg->data_ciphers, ctx->cipher, strlen(ctx->cipher)))
		vpnc_cfg_note(ctx, 1, "option 'cipher %s' is not in data-ciphers (%s) and takes no part in "
		              "negotiation, as in OpenVPN 2.6 (add it to data-ciphers, or set "
		              "data-ciphers-fallback, for a server that does not negotiate)",
		              ctx->cipher, cfg->data_ciphers);
}

static int fin_remotes(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_config *cfg = ctx->cfg;

	if (cfg->n_remotes == 0)
		return vpnc_cfg_fail(ctx, -EINVAL, "no remote given (add 'remote HOST [PORT] [PROTO]')");
	for (size_t i = 0; i < cfg->n_remotes; i++) {
		struct vpnc_remote *r = &cfg->remotes[i];

		if (!ctx->remote_port_set[i])
			memcpy(r->port, cfg->default_port, sizeof(r->port));
		if (!ctx->remote_proto_set[i]) {
			r->transport = cfg->default_transport;
			r->family = cfg->default_family;
		}
		if (!ctx->remote_fragment_set[i]) {
			r->fragment = cfg->fragment;
			r->fragment_mtu = cfg->fragment_mtu;
		}
		/* As 2.6, for every remote, also one proto-force leaves out. */
		if (r->fragment > 0 && r->transport == VPNC_TRANSPORT_TCP) {
			ctx->line = ctx->remote_fragment_set[i] ? ctx->remote_fragment_line[i] : ctx->fragment_line;
			return vpnc_cfg_fail(ctx, -EINVAL, "option 'fragment' can only be used with 'proto udp' (remote %s is TCP)",
			                     r->host);
		}
	}
	/* proto-force: only the remotes of that transport are tried, as in 2.6. */
	if (ctx->proto_force != 0) {
		size_t kept = 0;

		for (size_t i = 0; i < cfg->n_remotes; i++)
			if ((int)cfg->remotes[i].transport + 1 == ctx->proto_force)
				cfg->remotes[kept++] = cfg->remotes[i];
		cfg->n_remotes = kept;
		if (kept == 0)
			return vpnc_cfg_fail(ctx, -EINVAL, "option 'proto-force' leaves no remote to try");
	}
	return 0;
}

/*
 * Static-key mode ('secret'), with 2.6's rules: no TLS role and no option
 * that only TLS mode has; the data cipher is 'cipher', else BF-CBC, and must
 * be a CBC cipher (2.6: "mode not supported" for AEAD). 'cipher none' and
 * 'auth none', which 2.6 allows with a warning, would leave the tunnel
 * without encryption or integrity: refused.
 */
static int fin_static_key(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_config *cfg = ctx->cfg;
	/* The TLS-only options 2.6 names in "can only be specified in TLS-mode". */
	const char *tls_only = cfg->ca != NULL ? "ca" : cfg->cert != NULL ? "cert" : cfg->key != NULL ? "key"
	                       : cfg->pkcs12 != NULL ? "pkcs12" : cfg->n_peer_fp > 0 ? "peer-fingerprint"
	                       : cfg->remote_cert_tls_server || cfg->remote_cert_ku_set ? "remote-cert-tls"
	                       : cfg->remote_cert_eku != NULL ? "remote-cert-eku"
	                       : cfg->ns_cert_type_server ? "ns-cert-type"
	                       : cfg->verify_x509_name != NULL ? "verify-x509-name"
	                       : cfg->crl != NULL || cfg->crl_dir != NULL ? "crl-verify"
	                       : cfg->tls_cipher != NULL ? "tls-cipher"
	                       : cfg->tls_verify[0] != '\0' ? "tls-verify"
	                       : cfg->tls_export_cert[0] != '\0' ? "tls-export-cert"
	                       : NULL;
	EVP_CIPHER *c;

	if (cfg->tls_client)
		return vpnc_cfg_fail(ctx, -EINVAL, "specify only one of 'tls-client' (or 'client') and 'secret'");
	if (cfg->pull)
		return vpnc_cfg_fail(ctx, -EINVAL, "option 'pull' needs TLS mode; static-key mode ('secret') has no TLS");
	if (tls_only != NULL)
		return vpnc_cfg_fail(ctx, -EINVAL, "option '%s' needs TLS mode; static-key mode ('secret') has no TLS",
		                     tls_only);
	if (cfg->auth_user_pass)
		return vpnc_cfg_fail(ctx, -EINVAL, "option 'auth-user-pass' needs 'pull', which static-key mode "
		                     "('secret') does not have");
	snprintf(cfg->secret_cipher, sizeof(cfg->secret_cipher), "%s", ctx->cipher[0] ? ctx->cipher : "BF-CBC");
	if (strcasecmp(cfg->secret_cipher, "none") == 0)
		return vpnc_cfg_fail(ctx, -EINVAL, "option 'cipher none' would leave the static-key tunnel "
		                     "unencrypted; give the cipher both ends use");
	if (strcasecmp(cfg->auth, "none") == 0)
		return vpnc_cfg_fail(ctx, -EINVAL, "option 'auth none' would leave static-key packets "
		                     "unauthenticated; give the digest both ends use");
	c = EVP_CIPHER_fetch(NULL, cfg->secret_cipher, NULL);
	if (c == NULL) {
		ERR_clear_error();
		if (ctx->cipher[0] == '\0')
			return vpnc_cfg_fail(ctx, -EINVAL, "static-key mode's default cipher BF-CBC is not available "
			                     "in this OpenSSL (OpenSSL 3 has it only in its legacy provider; OpenVPN 2.6 "
			                     "stops here too): add the 'cipher' both ends use, e.g. 'cipher AES-256-CBC'");
		return vpnc_cfg_fail(ctx, -EINVAL, "cipher '%s' is not available in this OpenSSL",
		                     cfg->secret_cipher);
	}
	bool cbc = EVP_CIPHER_get_mode(c) == EVP_CIPH_CBC_MODE;
	EVP_CIPHER_free(c);
	if (!cbc)
		return vpnc_cfg_fail(ctx, -EINVAL, "cipher '%s': static-key mode supports only CBC ciphers "
		                     "(OpenVPN 2.6: mode not supported)", cfg->secret_cipher);
	return 0;
}

/*
 * The profile's auth-token and auth-token-user (docs/auth.md), as 2.6 uses
 * them: the token only with a name, and then instead of the credentials
 * until the server rejects it.
 */
static void fin_auth_token(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_config *cfg = ctx->cfg;

	if (cfg->auth_token != NULL && cfg->auth_token_user == NULL) {
		vpnc_cfg_note(ctx, 1, "option 'auth-token' without 'auth-token-user' is ignored: OpenVPN 2.6 "
		              "never sends a token that has no name to go with it");
		OPENSSL_cleanse(cfg->auth_token, strlen(cfg->auth_token));
		free(cfg->auth_token);
		cfg->auth_token = NULL;
	} else if (cfg->auth_token == NULL && cfg->auth_token_user != NULL && cfg->auth_user_pass) {
		/* 2.6 would hold back the credentials for a token it does not have: one refused attempt. */
		vpnc_cfg_note(ctx, 3, "option 'auth-token-user' without 'auth-token': the credentials are sent at "
		              "once (OpenVPN 2.6 first sends an empty username and password, which the server "
		              "refuses, and then the credentials)");
	}
}

static int fin_checks(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_config *cfg = ctx->cfg;

	/* As 2.7: the placeholder password cannot carry a static challenge's response. */
	if (cfg->auth_user_pass_username_only && cfg->static_challenge[0] != '\0')
		return vpnc_cfg_fail(ctx, -EINVAL,
		                     "'auth-user-pass username-only' cannot be used with 'static-challenge'");
		/* 2.6 refuses the management modifiers without 'management' itself. */
	if (ctx->mgmt_modifier_line != 0 && !ctx->mgmt)
		return vpnc_cfg_fail(ctx, -EINVAL, "management options given without 'management'");
	if (cfg->local[0] != '\0' && cfg->nobind)
		return vpnc_cfg_fail(ctx, -EINVAL, "option 'local' conflicts with 'nobind'");
	if (ctx->keepalive_ping || ctx->keepalive_timeout) {
		if (ctx->ping_set || ctx->ping_restart_set)
			return vpnc_cfg_fail(ctx, -EINVAL,
			                     "option 'keepalive' conflicts with 'ping', 'ping-exit' and 'ping-restart'");
		if (ctx->keepalive_ping <= 0 || ctx->keepalive_timeout <= 0)
			return vpnc_cfg_fail(ctx, -EINVAL, "option 'keepalive' needs values above 0");
		if ((long)ctx->keepalive_ping * 2 > ctx->keepalive_timeout)
			return vpnc_cfg_fail(ctx, -EINVAL,
			                     "option 'keepalive': the restart timeout must be at least "
			                     "twice the ping interval");
		cfg->ping = ctx->keepalive_ping;
		cfg->ping_restart = ctx->keepalive_timeout;
	}
	/*
	 * 'dev null': 2.6 runs the session with a device that discards what it is given, a setup
	 * for testing the link and the handshake (its loopback samples). vpnc opens no device
	 * at all and drops what the peer sends; there is nothing to address, route or protect.
	 */
	if (cfg->dev_null && cfg->kill_switch)
		return vpnc_cfg_fail(ctx, -EINVAL, "the kill switch needs a tunnel device, and 'dev null' has none");
	/* 2.6 checks tls-export-cert's directory at start (options_postprocess_filechecks): a
	 * directory it can enter and write in, else the profile does not start. */
	if (cfg->tls_export_cert[0] != '\0') {
		struct stat st;
		int err = stat(cfg->tls_export_cert, &st) != 0             ? errno
		          : !S_ISDIR(st.st_mode)                           ? ENOTDIR
		          : access(cfg->tls_export_cert, W_OK | X_OK) != 0 ? errno
		                                                           : 0;

		if (err != 0)
			return vpnc_cfg_fail(ctx, -EINVAL, "option 'tls-export-cert': cannot write in '%s': %s",
			                     cfg->tls_export_cert, strerror(err));
	}
	/* 2.6's dev_type_enum(): 'dev-type', else the name's first three letters. */
	if (!cfg->dev_null && ctx->dev_type == VPNC_CFG_DEV_UNSET && strncmp(cfg->dev, "tun", 3) != 0 &&
	    strncmp(cfg->dev, "tap", 3) != 0)
		return vpnc_cfg_fail(ctx, -EINVAL,
		                     "option 'dev': cannot tell the device type of '%s'; add 'dev-type tun' "
		                     "or 'dev-type tap'",
		                     cfg->dev);
	cfg->dev_tap = !cfg->dev_null && (ctx->dev_type == VPNC_CFG_DEV_TAP ||
	               (ctx->dev_type == VPNC_CFG_DEV_UNSET && strncmp(cfg->dev, "tap", 3) == 0));
	/*
	 * A profile made for a bridged server, turned into a TUN by the command
	 * line (NetworkManager's plugin passes --dev-type tun): the server would
	 * get IP packets where it expects Ethernet frames, and nothing would say why.
	 */
	if (!cfg->dev_tap && (ctx->file_dev_type == VPNC_CFG_DEV_TAP ||
	                      (ctx->file_dev_type == VPNC_CFG_DEV_UNSET && ctx->file_dev_tap)))
		return vpnc_cfg_fail(ctx, -EINVAL,
		                     "the profile asks for a TAP device (layer 2) but the command line makes "
		                     "it a TUN device; the server would not understand the packets");
	/* The other way round, as NetworkManager's plugin passes --dev-type tap for what it reads as a TAP. */
	if (cfg->dev_tap && (ctx->file_dev_type == VPNC_CFG_DEV_TUN ||
	                     (ctx->file_dev_type == VPNC_CFG_DEV_UNSET && ctx->file_dev_tun)))
		return vpnc_cfg_fail(ctx, -EINVAL,
		                     "the profile asks for a TUN device (layer 3) but the command line makes "
		                     "it a TAP device; the server would not understand the packets");
	if (cfg->has_lladdr && !cfg->dev_tap)
		vpnc_cfg_note(ctx, 1, "option 'lladdr' has no effect on a tun device");
	/* The down-root plugin exists to run its command as root after 'user': only the root parent can. */
	if (cfg->down_root[0] && !cfg->privsep && cfg->user[0])
		return vpnc_cfg_fail(ctx, -EINVAL,
		                     "the down-root plugin's command needs root when the tunnel goes down, and with "
		                     "'privsep no' and 'user' vpnc keeps none: leave privilege separation on");
	if (cfg->secret)
		return fin_static_key(ctx);
	/*
	 * No TLS and no static key: 2.6 runs the tunnel in clear text ("All encryption and
	 * authentication features disabled"). Anyone on the path could read and change it.
	 */
	if (!cfg->tls_client && !cfg->pull)
		return vpnc_cfg_fail(ctx, -EINVAL,
		                     "no 'client', 'tls-client' or 'secret': OpenVPN 2.6 would send this tunnel "
		                     "in clear text, without encryption or authentication, which vpnc refuses; add "
		                     "'client' for a server, 'tls-client' for a TLS peer or 'secret' for a static key");
	if (!cfg->tls_client)
		return vpnc_cfg_fail(ctx, -EINVAL, "option 'pull' needs 'tls-client' (or 'client')");
	/* TLS peer-to-peer mode ('tls-client' without 'pull'), with 2.6's rules for it. */
	if (!cfg->pull && cfg->auth_user_pass)
		return vpnc_cfg_fail(ctx, -EINVAL, "option 'auth-user-pass' needs 'pull' (or 'client'), as in OpenVPN 2.6");
	if (!cfg->pull && cfg->cert == NULL && cfg->pkcs12 == NULL && cfg->pkcs11_id == NULL)
		return vpnc_cfg_fail(ctx, -EINVAL, "a TLS peer without 'pull' needs 'cert' and 'key' (or 'pkcs12'), "
		                     "as in OpenVPN 2.6");
	if (cfg->tls_version_min && cfg->tls_version_max && cfg->tls_version_min > cfg->tls_version_max)
		return vpnc_cfg_fail(ctx, -EINVAL, "option 'tls-version-min' is above 'tls-version-max'");
	/*
	 * A PKCS#12 file brings the certificate and key, and the CA when 'ca' is
	 * absent; 'peer-fingerprint' alone verifies the server, as in OpenVPN 2.6.
	 */
	if (cfg->ca == NULL && !cfg->capath && cfg->pkcs12 == NULL && cfg->n_peer_fp == 0)
		return vpnc_cfg_fail(ctx, -EINVAL,
		                     "no 'ca' or 'peer-fingerprint' given; the server cannot be verified");
	if (cfg->pkcs12 != NULL && (cfg->cert != NULL || cfg->key != NULL))
		return vpnc_cfg_fail(ctx, -EINVAL, "option 'pkcs12' excludes 'cert' and 'key'");
	if ((cfg->cert == NULL) != (cfg->key == NULL))
		return vpnc_cfg_fail(ctx, -EINVAL, "options 'cert' and 'key' must be given together");
	if (cfg->cert == NULL && cfg->pkcs12 == NULL && cfg->pkcs11_id == NULL && !cfg->auth_user_pass)
		return vpnc_cfg_fail(ctx, -EINVAL,
		                     "no client authentication: give 'cert' and 'key', or 'auth-user-pass'");
	return 0;
}

int vpnc_cfg_finish(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_config *cfg = ctx->cfg;
	const char *name = cfg->path != NULL ? cfg->path : "command line";
	int ret;

	ret = fin_load_all(ctx);
	if (ret == 0)
		ret = vpnc_cfg_finish_capath(ctx);
	if (ret < 0)
		return ret;
	fin_take(&ctx->ca, &cfg->ca);
	fin_take(&ctx->cert, &cfg->cert);
	fin_take(&ctx->key, &cfg->key);
	fin_take(&ctx->extra_certs, &cfg->extra_certs);
	ret = vpnc_cfg_finish_tls(ctx);
	if (ret == 0)
		ret = fin_wrap(ctx);
	if (ret == 0)
		ret = fin_user_pass(ctx);
	if (ret == 0)
		ret = vpnc_cfg_finish_socks(ctx);
	if (ret < 0)
		return ret;
	/* Whole-config messages name the config, without a line. */
	ctx->where = name;
	ctx->line = 0;
	ret = fin_compat(ctx);
	if (ret < 0)
		return ret;
	fin_cipher(ctx);
	fin_auth_token(ctx);
	ret = fin_remotes(ctx);
	if (ret == 0)
		ret = vpnc_cfg_finish_proxy(ctx); /* cfg_opt_proxy.c: needs the remotes' transport */
	if (ret == 0)
		ret = fin_checks(ctx);
	if (ret == 0)
		ret = vpnc_cfg_finish_net(ctx);
	/*
	 * 'shaper' spaces out single packets as 2.6 does: a TUN super-packet
	 * (TSO, up to 64 KB read at once) would leave as one burst, so the
	 * device is a plain one.
	 */
	if (cfg->shaper > 0)
		cfg->tun_offload = false;
	return ret;
}
