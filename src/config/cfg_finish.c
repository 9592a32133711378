/*
 * cfg_finish.c: the checks and loads that need the whole config.
 *
 * Runs once after the file and command line: reads referenced files (relative
 * to the final 'cd', as OpenVPN does after parsing), decodes control-channel
 * keys, splits auth-user-pass text, fills remote ports and protocols from the
 * global 'port'/'proto', and applies OpenVPN 2.6's cross-option rules
 * (keepalive, cipher vs data-ciphers, tls-auth vs tls-crypt, client role).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "config/cfg_handlers.h"
#include "config/cfg_internal.h"

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
	                              &ctx->tls_crypt_v2, &ctx->user_pass};

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
		/* A direction on the tls-auth line wins over 'key-direction'. */
		if (s->dir >= 0)
			cfg->key_direction = s->dir;
	} else if (ctx->tls_crypt.set) {
		s = &ctx->tls_crypt;
		cfg->wrap = VPNC_WRAP_TLS_CRYPT;
		ret = vpnc_cfg_static_key_decode(s->text, s->text_len, cfg->wrap_key, &why);
	} else if (ctx->tls_crypt_v2.set) {
		s = &ctx->tls_crypt_v2;
		cfg->wrap = VPNC_WRAP_TLS_CRYPT_V2;
		ret = vpnc_cfg_tls_crypt_v2_decode(s->text, s->text_len, cfg->wrap_key, cfg->wkc,
		                                   &cfg->wkc_len, &why);
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

/* Splits "user\npass[\n...]" into username and password (CR/LF stripped). */
static int fin_user_pass(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_cfg_src *s = &ctx->user_pass;
	struct vpnc_config *cfg = ctx->cfg;
	const char *t, *nl, *end;
	size_t ulen, plen;

	if (!s->set)
		return 0;
	if (s->path != NULL) {
		cfg->auth_user_pass_file = strdup(s->path);
		if (cfg->auth_user_pass_file == NULL)
			return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	}
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
	if (ulen > VPNC_CFG_USER_PASS_MAX)
		return vpnc_cfg_bad(ctx, s->opt, "the username is too long");
	cfg->username = strndup(t, ulen);
	if (cfg->username == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	if (nl == NULL || nl + 1 >= end)
		return 0; /* No password line: the daemon asks for it. */
	t = nl + 1;
	nl = memchr(t, '\n', (size_t)(end - t));
	plen = nl != NULL ? (size_t)(nl - t) : (size_t)(end - t);
	if (plen > 0 && t[plen - 1] == '\r')
		plen--;
	if (plen > VPNC_CFG_USER_PASS_MAX)
		return vpnc_cfg_bad(ctx, s->opt, "the password is too long");
	if (plen == 0)
		return 0;
	cfg->password = strndup(t, plen);
	if (cfg->password == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	return 0;
}

static bool fin_in_list(const char *list, const char *name)
{
	size_t nl = strlen(name);

	for (const char *s = list; *s != '\0';) {
		const char *e = strchr(s, ':');
		size_t len = e != NULL ? (size_t)(e - s) : strlen(s);

		if (len == nl && strncasecmp(s, name, nl) == 0)
			return true;
		s += len;
		if (*s == ':')
			s++;
	}
	return false;
}

/* 2.6: 'cipher' is the fallback and joins the default data-ciphers list. */
static void fin_cipher(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_config *cfg = ctx->cfg;
	size_t dl = strlen(cfg->data_ciphers), cl = strlen(ctx->cipher);

	if (cl == 0)
		return;
	if (!ctx->fallback_set)
		memcpy(cfg->data_ciphers_fallback, ctx->cipher, cl + 1);
	if (ctx->data_ciphers_set || strcasecmp(ctx->cipher, "none") == 0 ||
	    fin_in_list(cfg->data_ciphers, ctx->cipher))
		return;
	if (dl + 1 + cl <= NCP_CIPHERS_MAX) {
		cfg->data_ciphers[dl] = ':';
		memcpy(cfg->data_ciphers + dl + 1, ctx->cipher, cl + 1);
	}
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

static int fin_checks(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_config *cfg = ctx->cfg;

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
	if (strncmp(cfg->dev, "tun", 3) != 0 && !ctx->dev_type_tun)
		return vpnc_cfg_fail(ctx, -EINVAL,
		                     "option 'dev': cannot tell the device type of '%s'; add 'dev-type tun'",
		                     cfg->dev);
	if (!cfg->tls_client || !cfg->pull)
		return vpnc_cfg_fail(ctx, -EINVAL,
		                     "vpnc runs only as a pulling TLS client: add 'client'");
	if (cfg->tls_version_min && cfg->tls_version_max && cfg->tls_version_min > cfg->tls_version_max)
		return vpnc_cfg_fail(ctx, -EINVAL, "option 'tls-version-min' is above 'tls-version-max'");
	/*
	 * A PKCS#12 file brings the certificate and key, and the CA when 'ca' is
	 * absent; 'peer-fingerprint' alone verifies the server, as in OpenVPN 2.6.
	 */
	if (cfg->ca == NULL && cfg->pkcs12 == NULL && cfg->n_peer_fp == 0)
		return vpnc_cfg_fail(ctx, -EINVAL,
		                     "no 'ca' or 'peer-fingerprint' given; the server cannot be verified");
	if (cfg->pkcs12 != NULL && (cfg->cert != NULL || cfg->key != NULL))
		return vpnc_cfg_fail(ctx, -EINVAL, "option 'pkcs12' excludes 'cert' and 'key'");
	if ((cfg->cert == NULL) != (cfg->key == NULL))
		return vpnc_cfg_fail(ctx, -EINVAL, "options 'cert' and 'key' must be given together");
	if (cfg->cert == NULL && cfg->pkcs12 == NULL && !cfg->auth_user_pass)
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
	if (ret < 0)
		return ret;
	/* Whole-config messages name the config, without a line. */
	ctx->where = name;
	ctx->line = 0;
	fin_cipher(ctx);
	ret = fin_remotes(ctx);
	if (ret == 0)
		ret = fin_checks(ctx);
	if (ret == 0)
		ret = vpnc_cfg_finish_net(ctx);
	return ret;
}
