/*
 * config.c: the public entry points of the config reader.
 *
 * It walks config text line by line (CRLF allowed), cuts out inline blocks
 * (<ca> ... </ca>, <connection> ... </connection>), reads 'config' includes and
 * the command line, and hands each option to the option table (cfg_options.c).
 * At the end cfg_finish.c loads referenced files and checks the whole config.
 * Messages carry "FILE:LINE: " or "command line: " in front.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config/cfg_internal.h"

#define CMDLINE_NAME "command line"
#define UTF8_BOM "\xEF\xBB\xBF"

void vpnc_cfg_sanitize(char *dst, size_t dstlen, const char *src)
{
	size_t i = 0;

	if (dstlen == 0)
		return;
	for (; src[i] != '\0' && i + 1 < dstlen; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[i] = '\0';
	if (src[i] != '\0' && dstlen > 4)
		memcpy(dst + dstlen - 4, "...", 4);
}

/* Writes "WHERE:LINE: " (or "WHERE: ") and returns the bytes used. */
static size_t cfg_prefix(const struct vpnc_cfg_ctx *ctx, char *buf, size_t len)
{
	char where[200];
	int n;

	vpnc_cfg_sanitize(where, sizeof(where), ctx->where != NULL ? ctx->where : "config");
	if (ctx->line > 0)
		n = snprintf(buf, len, "%s:%d: ", where, ctx->line);
	else
		n = snprintf(buf, len, "%s: ", where);
	if (n < 0)
		return 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}

static int cfg_vfail(struct vpnc_cfg_ctx *ctx, int code, const char *pre, const char *fmt, va_list ap)
{
	size_t n;

	if (ctx->err == NULL || ctx->errlen == 0)
		return code;
	n = cfg_prefix(ctx, ctx->err, ctx->errlen);
	if (pre != NULL && n < ctx->errlen)
		n += (size_t)snprintf(ctx->err + n, ctx->errlen - n, "%s", pre);
	if (n < ctx->errlen)
		vsnprintf(ctx->err + n, ctx->errlen - n, fmt, ap);
	return code;
}

int vpnc_cfg_fail(struct vpnc_cfg_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_vfail(ctx, code, NULL, fmt, ap);
	va_end(ap);
	return code;
}

int vpnc_cfg_bad(struct vpnc_cfg_ctx *ctx, const char *opt, const char *fmt, ...)
{
	char pre[96], safe[64];
	va_list ap;

	vpnc_cfg_sanitize(safe, sizeof(safe), opt);
	snprintf(pre, sizeof(pre), "option '%s': ", safe);
	va_start(ap, fmt);
	cfg_vfail(ctx, -EINVAL, pre, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void vpnc_cfg_note(struct vpnc_cfg_ctx *ctx, int verb, const char *fmt, ...)
{
	char buf[512];
	size_t n;
	va_list ap;

	if (ctx->n_notes >= VPNC_CFG_MAX_NOTES)
		return;
	n = cfg_prefix(ctx, buf, sizeof(buf));
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	ctx->notes[ctx->n_notes].msg = strdup(buf);
	if (ctx->notes[ctx->n_notes].msg == NULL)
		return;
	ctx->notes[ctx->n_notes].verb = verb;
	ctx->n_notes++;
}

/* Finds the end of the line starting at off; sets *next past the newline. */
size_t vpnc_cfg_line_end(const char *text, size_t len, size_t off, size_t *next)
{
	const char *nl = memchr(text + off, '\n', len - off);
	size_t end = nl != NULL ? (size_t)(nl - text) : len;

	*next = nl != NULL ? end + 1 : len;
	if (end > off && text[end - 1] == '\r')
		end--;
	return end;
}

/* Applies a <connection> block: its options, then exactly one remote. */
static int cfg_connection(struct vpnc_cfg_ctx *ctx, const char *body, size_t blen, int open_line)
{
	size_t first = ctx->cfg->n_remotes;
	int ret;

	if (ctx->in_connection)
		return vpnc_cfg_fail(ctx, -EINVAL, "<connection> blocks cannot be nested");
	ctx->in_connection = true;
	ctx->conn_first_remote = first;
	ctx->conn_proto_set = false;
	ctx->conn_port_set = false;
	ctx->conn_socks = 0;
	ctx->conn_fragment_set = false;
	ret = vpnc_cfg_read_text(ctx, ctx->where, body, blen, open_line + 1);
	ctx->in_connection = false;
	if (ret < 0)
		return ret;
	ctx->line = open_line;
	if (ctx->cfg->n_remotes != first + 1)
		return vpnc_cfg_fail(ctx, -EINVAL,
		                     "each <connection> block must contain exactly one 'remote'");
	if (ctx->conn_proto_set && !ctx->remote_proto_set[first]) {
		ctx->cfg->remotes[first].transport = ctx->conn_transport;
		ctx->cfg->remotes[first].family = ctx->conn_family;
		ctx->remote_proto_set[first] = true;
	}
	if (ctx->conn_fragment_set) {
		ctx->cfg->remotes[first].fragment = ctx->conn_fragment;
		ctx->cfg->remotes[first].fragment_mtu = ctx->conn_fragment_mtu;
		ctx->remote_fragment_set[first] = true;
		ctx->remote_fragment_line[first] = ctx->conn_fragment_line;
	}
	if (ctx->conn_port_set && !ctx->remote_port_set[first]) {
		memcpy(ctx->cfg->remotes[first].port, ctx->conn_port, sizeof(ctx->conn_port));
		ctx->remote_port_set[first] = true;
	}
	/* The block's own socks-proxy; without one, the profile's (cfg_opt_socks.c). */
	if (ctx->conn_socks != 0) {
		ctx->cfg->remotes[first].socks = ctx->conn_socks;
		ctx->remote_socks_set[first] = true;
	}
	return 0;
}

/*
 * Cuts out the inline block opened by <name> on the line ending at *off and
 * applies it. On return *off and *lineno point past the closing tag.
 */
static int cfg_block(struct vpnc_cfg_ctx *ctx, const char *text, size_t len, size_t *off,
                     int *lineno, const char *tag)
{
	char close[VPNC_CFG_PARAM_MAX + 4], name[VPNC_CFG_PARAM_MAX];
	size_t tlen = strlen(tag), nlen = tlen - 2, pos = *off, body_len = 0;
	int open_line = ctx->line, line = *lineno;
	char *body = NULL;
	bool found = false;
	int ret;

	memcpy(name, tag + 1, nlen);
	name[nlen] = '\0';
	snprintf(close, sizeof(close), "</%s>", name);
	/* The body is at most the rest of the text plus a final newline and a NUL. */
	body = malloc(len - pos + 2);
	if (body == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	while (pos < len) {
		size_t next, end = vpnc_cfg_line_end(text, len, pos, &next), s = pos;

		line++;
		while (s < end && (text[s] == ' ' || text[s] == '\t'))
			s++;
		if (end - s >= strlen(close) && memcmp(text + s, close, strlen(close)) == 0) {
			found = true;
			pos = next;
			break;
		}
		memcpy(body + body_len, text + pos, end - pos);
		body_len += end - pos;
		body[body_len++] = '\n';
		pos = next;
	}
	body[body_len] = '\0';
	if (!found) {
		char safe[64];

		vpnc_cfg_sanitize(safe, sizeof(safe), name);
		ret = vpnc_cfg_fail(ctx, -EINVAL, "<%s> is not closed by </%s>", safe, safe);
		goto out;
	}
	if (memchr(body, '\0', body_len) != NULL) {
		ret = vpnc_cfg_fail(ctx, -EINVAL, "the <%s> block holds a NUL byte", "inline");
		goto out;
	}
	if (strcmp(name, "connection") == 0) {
		ret = cfg_connection(ctx, body, body_len, open_line);
	} else {
		char *p[3] = {name, body, NULL};

		ctx->is_inline = true;
		ret = vpnc_cfg_apply(ctx, p, 2);
		ctx->is_inline = false;
	}
	*off = pos;
	*lineno = line;
out:
	OPENSSL_cleanse(body, body_len);
	free(body);
	return ret;
}

int vpnc_cfg_read_text(struct vpnc_cfg_ctx *ctx, const char *name, const char *text, size_t len,
                       int first_line)
{
	const char *saved_where = ctx->where;
	int saved_line = ctx->line;
	struct vpnc_lex_words w;
	size_t off = 0;
	int line = first_line - 1, ret = 0;

	ctx->where = name;
	if (first_line == 1 && len >= 3 && memcmp(text, UTF8_BOM, 3) == 0)
		off = 3;
	if (first_line == 1)
		vpnc_cfg_providers_prescan(ctx, text + off, len - off);
	while (off < len) {
		size_t next, end = vpnc_cfg_line_end(text, len, off, &next);
		const char *why = NULL;
		size_t tl;

		ctx->line = ++line;
		ret = vpnc_lex_line(text + off, end - off, &w, &why);
		off = next;
		if (ret < 0) {
			vpnc_cfg_fail(ctx, ret, "the line has %s", why);
			goto out;
		}
		if (w.n == 0)
			continue;
		if (strncmp(w.p[0], "--", 2) == 0)
			w.p[0] += 2;
		tl = strlen(w.p[0]);
		if (w.n == 1 && tl > 2 && w.p[0][0] == '<' && w.p[0][tl - 1] == '>') {
			ret = cfg_block(ctx, text, len, &off, &line, w.p[0]);
			if (ret < 0)
				goto out;
			continue;
		}
		ret = vpnc_cfg_apply(ctx, w.p, w.n);
		if (ret < 0)
			goto out;
	}
	ret = 0;
out:
	OPENSSL_cleanse(&w, sizeof(w));
	if (ret == 0) {
		ctx->where = saved_where;
		ctx->line = saved_line;
	}
	return ret;
}

int vpnc_cfg_include_resolve(struct vpnc_cfg_ctx *ctx, const char *path, char **full)
{
	if (ctx->depth >= VPNC_CFG_MAX_DEPTH)
		return vpnc_cfg_bad(ctx, "config", "config files are nested more than %d deep",
		                    VPNC_CFG_MAX_DEPTH);
	*full = vpnc_cfg_resolve(ctx->cd, path);
	if (*full == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	return 0;
}

int vpnc_cfg_include(struct vpnc_cfg_ctx *ctx, const char *path)
{
	char *full = NULL, *text = NULL;
	const char *name = path;
	size_t len = 0;
	int ret;

	ret = vpnc_cfg_include_resolve(ctx, path, &full);
	if (ret < 0)
		return ret;
	/* The top-level profile: NAME may mean NAME.conf or NAME.ovpn (cfg_profile.c). */
	if (ctx->depth == 0) {
		char *found = NULL;

		ret = vpnc_cfg_profile_path(full, &found);
		if (found != NULL && strcmp(found, full) != 0)
			name = found; /* messages name the file that was read */
		free(full);
		full = found;
		if (ret < 0) {
			char safe[128];

			vpnc_cfg_sanitize(safe, sizeof(safe), path);
			return ret == -EEXIST ? vpnc_cfg_bad(ctx, "config", "both '%s.conf' and '%s.ovpn' exist; "
			                                     "remove or rename one", safe, safe)
			                      : vpnc_cfg_fail(ctx, ret, "out of memory");
		}
	}
	ret = vpnc_cfg_read_file(full, &text, &len);
	if (ret < 0) {
		ret = vpnc_cfg_unreadable(ctx, "config", path, ret);
		goto out;
	}
	/* Everything the profile names is opened with its owner's rights (os/fsowner.h). */
	if (ctx->depth == 0 && (ret = vpnc_cfg_owner_enter(ctx, full)) < 0)
		goto out;
	/* Control socket (docs/control.md): remember the top-level '--config' file of a command line. */
	if (ctx->depth == 0 && ctx->cfg->path == NULL && ctx->cfg->cmdline_config[0] == '\0' &&
	    strlen(full) < sizeof(ctx->cfg->cmdline_config))
		memcpy(ctx->cfg->cmdline_config, full, strlen(full) + 1);
	ctx->depth++;
	ret = vpnc_cfg_read_text(ctx, name, text, len, 1);
	ctx->depth--;
	if (ctx->where == name) /* left there by an error; name is freed below */
		ctx->where = path;
out:
	if (text != NULL) {
		OPENSSL_cleanse(text, len);
		free(text);
	}
	free(full);
	return ret;
}

/* Applies "--option args..." words; args run up to the next word starting with "--". */
static int cfg_argv(struct vpnc_cfg_ctx *ctx, int argc, char **argv)
{
	char *p[VPNC_CFG_MAX_PARAMS + 1];
	int i = 0, ret;

	ctx->where = CMDLINE_NAME;
	ctx->line = 0;
	/* Like "openvpn client.ovpn": one bare argument is the config file. */
	if (argc == 1 && argv[0] != NULL && strncmp(argv[0], "--", 2) != 0)
		return vpnc_cfg_include(ctx, argv[0]);
	while (i < argc) {
		int j = i + 1, n;
		char safe[64];

		if (argv[i] == NULL || strncmp(argv[i], "--", 2) != 0 || argv[i][2] == '\0') {
			vpnc_cfg_sanitize(safe, sizeof(safe), argv[i] != NULL ? argv[i] : "(null)");
			return vpnc_cfg_fail(ctx, -EINVAL, "'%s' is not an option (options start with --)",
			                     safe);
		}
		while (j < argc && argv[j] != NULL && strncmp(argv[j], "--", 2) != 0)
			j++;
		n = j - i;
		vpnc_cfg_sanitize(safe, sizeof(safe), argv[i] + 2);
		if (n > VPNC_CFG_MAX_PARAMS)
			return vpnc_cfg_fail(ctx, -EINVAL, "option '%s' has more than %d arguments", safe,
			                     VPNC_CFG_MAX_PARAMS - 1);
		for (int k = 0; k < n; k++) {
			p[k] = argv[i + k];
			if (strlen(p[k]) > VPNC_CFG_PARAM_MAX)
				return vpnc_cfg_fail(ctx, -EINVAL,
				                     "option '%s' has an argument longer than %d bytes", safe,
				                     VPNC_CFG_PARAM_MAX);
		}
		p[0] = argv[i] + 2;
		p[n] = NULL;
		ret = vpnc_cfg_apply(ctx, p, n);
		if (ret < 0)
			return ret;
		ctx->where = CMDLINE_NAME;
		ctx->line = 0;
		i = j;
	}
	return 0;
}

static int cfg_ctx_init(struct vpnc_cfg_ctx *ctx, char *err, size_t errlen)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->err = err;
	ctx->errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	ctx->ca.dir = ctx->cert.dir = ctx->key.dir = ctx->extra_certs.dir = -1;
	ctx->tls_auth.dir = ctx->tls_crypt.dir = ctx->tls_crypt_v2.dir = ctx->user_pass.dir = ctx->secret.dir = -1;
	ctx->proxy_user_pass.dir = -1;
	ctx->cfg = calloc(1, sizeof(*ctx->cfg));
	if (ctx->cfg == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	vpnc_cfg_defaults(ctx->cfg);
	return 0;
}

/* Finishes a parse: checks, hands out notes, and moves the config to *out. */
static int cfg_done(struct vpnc_cfg_ctx *ctx, int ret, struct vpnc_config **out)
{
	if (ret == 0)
		ret = vpnc_cfg_finish(ctx);
	if (ret == 0) {
		for (size_t i = 0; i < ctx->n_notes; i++)
			if (ctx->note_to != NULL && ctx->note_to->fn != NULL &&
			    ctx->notes[i].verb <= ctx->cfg->verb)
				ctx->note_to->fn(ctx->note_to->ctx, ctx->notes[i].msg);
		*out = ctx->cfg;
		ctx->cfg = NULL;
	}
	vpnc_cfg_ctx_release(ctx);
	return ret;
}

int vpnc_config_parse_text(const char *name, const char *text, size_t len,
                           const struct vpnc_config_notes *notes, struct vpnc_config **out, char *err,
                           size_t errlen)
{
	struct vpnc_cfg_ctx ctx;
	int ret;

	*out = NULL;
	ret = cfg_ctx_init(&ctx, err, errlen);
	if (ret < 0)
		return ret;
	ctx.note_to = notes;
	ctx.where = name != NULL ? name : "config";
	if (len > VPNC_CFG_MAX_FILE) {
		ret = vpnc_cfg_fail(&ctx, -EFBIG, "the config is larger than 1 MiB");
	} else {
		ctx.cfg->path = strdup(ctx.where);
		ret = ctx.cfg->path == NULL ? -ENOMEM : vpnc_cfg_read_text(&ctx, ctx.where, text, len, 1);
	}
	return cfg_done(&ctx, ret, out);
}

int vpnc_config_load(const char *path, int argc, char **argv, const struct vpnc_config_notes *notes,
                     struct vpnc_config **out, char *err, size_t errlen)
{
	struct vpnc_cfg_ctx ctx;
	int ret = 0;

	*out = NULL;
	ret = cfg_ctx_init(&ctx, err, errlen);
	if (ret < 0)
		return ret;
	/* --untrusted-config covers every file, also one named before it on the command line. */
	for (int i = 0; i < argc && argv != NULL; i++)
		if (argv[i] != NULL && strcmp(argv[i], "--untrusted-config") == 0)
			ctx.untrusted = true;
	ctx.note_to = notes;
	vpnc_cfg_env(&ctx);
	ctx.where = NULL;
	if (path != NULL) {
		char *text = NULL;
		size_t len = 0;

		ctx.where = path;
		/* NAME may mean NAME.conf or NAME.ovpn (cfg_profile.c). */
		ret = vpnc_cfg_profile_path(path, &ctx.cfg->path);
		if (ret == 0) {
			ctx.where = ctx.cfg->path;
			ret = vpnc_cfg_read_file(ctx.cfg->path, &text, &len);
		}
		if (ret == -EEXIST)
			vpnc_cfg_fail(&ctx, ret, "both %s.conf and %s.ovpn exist; remove or rename one", path,
			              path);
		else if (ret < 0)
			vpnc_cfg_fail(&ctx, ret, "cannot read the config file: %s", vpnc_cfg_read_why(ret));
		/* Everything the profile names is opened with its owner's rights (os/fsowner.h). */
		else if ((ret = vpnc_cfg_owner_enter(&ctx, ctx.cfg->path)) == 0)
			ret = vpnc_cfg_read_text(&ctx, ctx.cfg->path, text, len, 1);
		if (text != NULL) {
			OPENSSL_cleanse(text, len);
			free(text);
		}
	}
	if (ret == 0 && argc > 0 && argv != NULL)
		ret = cfg_argv(&ctx, argc, argv);
	if (ret == 0 && ctx.where == NULL)
		ctx.where = CMDLINE_NAME;
	return cfg_done(&ctx, ret, out);
}

void vpnc_config_free(struct vpnc_config *cfg)
{
	if (cfg == NULL)
		return;
	if (cfg->key != NULL) {
		OPENSSL_cleanse(cfg->key, strlen(cfg->key));
		free(cfg->key);
	}
	if (cfg->password != NULL) {
		OPENSSL_cleanse(cfg->password, strlen(cfg->password));
		free(cfg->password);
	}
	if (cfg->auth_token != NULL) {
		OPENSSL_cleanse(cfg->auth_token, strlen(cfg->auth_token));
		free(cfg->auth_token);
	}
	if (cfg->auth_token_user != NULL) {
		OPENSSL_cleanse(cfg->auth_token_user, strlen(cfg->auth_token_user));
		free(cfg->auth_token_user);
	}
	/* The HTTP proxy's credentials (docs/proxy.md): both halves wiped. */
	if (cfg->http_proxy.user != NULL) {
		OPENSSL_cleanse(cfg->http_proxy.user, strlen(cfg->http_proxy.user));
		free(cfg->http_proxy.user);
	}
	if (cfg->http_proxy.pass != NULL) {
		OPENSSL_cleanse(cfg->http_proxy.pass, strlen(cfg->http_proxy.pass));
		free(cfg->http_proxy.pass);
	}
	if (cfg->key_pass != NULL) {
		OPENSSL_cleanse(cfg->key_pass, strlen(cfg->key_pass));
		free(cfg->key_pass);
	}
	if (cfg->pkcs12 != NULL) {
		OPENSSL_cleanse(cfg->pkcs12, cfg->pkcs12_len);
		free(cfg->pkcs12);
	}
	free(cfg->net);
	free(cfg->crl);
	free(cfg->capath_certs);
	free(cfg->capath_crls);
	free(cfg->crl_dir);
	free(cfg->remote_cert_eku);
	free(cfg->path);
	free(cfg->ca);
	free(cfg->cert);
	free(cfg->extra_certs);
	free(cfg->verify_x509_name);
	free(cfg->tls_cipher);
	free(cfg->tls_ciphersuites);
	free(cfg->tls_groups);
	free(cfg->tls_cert_profile);
	for (size_t i = 0; i < cfg->n_pkcs11_providers; i++)
		free(cfg->pkcs11_providers[i]);
	free(cfg->pkcs11_id);
	free(cfg->auth_user_pass_file);
	for (size_t i = 0; i < cfg->n_socks; i++) {
		struct vpnc_socks_proxy *s = &cfg->socks[i];

		if (s->user != NULL) {
			OPENSSL_cleanse(s->user, strlen(s->user));
			free(s->user);
		}
		if (s->pass != NULL) {
			OPENSSL_cleanse(s->pass, strlen(s->pass));
			free(s->pass);
		}
	}
	if (cfg->username != NULL) {
		/* Half of the credentials: wiped like the password. */
		OPENSSL_cleanse(cfg->username, strlen(cfg->username));
		free(cfg->username);
	}
	OPENSSL_cleanse(cfg->wrap_key, sizeof(cfg->wrap_key));
	OPENSSL_cleanse(cfg, sizeof(*cfg));
	free(cfg);
}
