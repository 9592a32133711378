/*
 * cfg_inline.c: owns `vpnc --inline-config FILE`, which turns a profile into
 * a self-contained one (vpnc_config_inline() in vpnc/config.h).
 *
 * The NetworkManager plugin runs it as the connection's owner, so the files
 * a profile names are read with that user's rights, never root's; the text
 * it prints is then loaded with --untrusted-config by a vpnc that reads no
 * file at all (docs/networkmanager.md).
 *
 * Two passes over the text, like the loader: the first only follows 'cd'
 * and 'config', because the loader resolves referenced files at the end,
 * against the last 'cd'; the second copies every option line as written,
 * expands includes, and replaces each file reference by its inline block.
 * Nothing is printed unless the whole profile went through.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config/cfg_internal.h"
#include "core/b64.h"

#define INL_B64_LINE 48 /* raw bytes per base64 line: 64 characters */

struct inl {
	struct vpnc_cfg_ctx ctx;  /* position, messages, current 'cd', depth, untrusted */
	bool emit;                /* second pass: write the output */
	char *final_cd;           /* the last 'cd' of the first pass (owned) */
	char *buf;                /* output (owned, wiped) */
	size_t len, cap;
};

static int inl_put(struct inl *s, const char *p, size_t n)
{
	if (!s->emit)
		return 0;
	if (n > VPNC_CFG_MAX_FILE - s->len)
		return vpnc_cfg_fail(&s->ctx, -EFBIG, "the self-contained profile is larger than 1 MiB");
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		char *nb;

		while (cap < s->len + n + 1)
			cap *= 2;
		/* Not realloc: the old buffer may hold key text and is wiped first. */
		nb = malloc(cap);
		if (nb == NULL)
			return vpnc_cfg_fail(&s->ctx, -ENOMEM, "out of memory");
		if (s->buf != NULL) {
			memcpy(nb, s->buf, s->len);
			OPENSSL_cleanse(s->buf, s->cap);
			free(s->buf);
		}
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return 0;
}

static int inl_puts(struct inl *s, const char *p)
{
	return inl_put(s, p, strlen(p));
}

/* True if some line of text, blanks stripped, starts with close (it would end the block early). */
static bool inl_has_line(const char *text, size_t len, const char *close)
{
	size_t off = 0, next, cl = strlen(close);

	while (off < len) {
		size_t end = vpnc_cfg_line_end(text, len, off, &next), s = off;

		while (s < end && (text[s] == ' ' || text[s] == '\t'))
			s++;
		if (end - s >= cl && memcmp(text + s, close, cl) == 0)
			return true;
		off = next;
	}
	return false;
}

static int inl_base64(struct inl *s, const unsigned char *raw, size_t len)
{
	char line[4 * INL_B64_LINE / 3 + 2];
	int ret = 0;

	for (size_t off = 0; off < len && ret == 0; off += INL_B64_LINE) {
		size_t n = len - off < INL_B64_LINE ? len - off : INL_B64_LINE;
		int w = vpnc_b64_encode(raw + off, n, line, sizeof(line)); /* a line's worth always fits */

		line[w] = '\n';
		ret = inl_put(s, line, (size_t)w + 1);
	}
	OPENSSL_cleanse(line, sizeof(line));
	return ret;
}

/* Replaces "opt FILE [arg]" by "<opt> ... </opt>" (second pass only). */
static int inl_file(struct inl *s, char **p, int n)
{
	struct vpnc_cfg_ctx *ctx = &s->ctx;
	char *full, *text = NULL, close[VPNC_CFG_PARAM_MAX + 4];
	size_t len = 0;
	int ret;

	if (!s->emit)
		return 0;
	if (!vpnc_cfg_inline_ok(p[0]))
		return vpnc_cfg_bad(ctx, p[0], "the file it names cannot be given as an inline block");
	if (strcmp(p[0], "crl-verify") == 0 && n > 2)
		return vpnc_cfg_bad(ctx, p[0], "a CRL directory cannot be given as an inline block");
	full = vpnc_cfg_resolve(s->final_cd, p[1]);
	if (full == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	ret = vpnc_cfg_read_file(full, &text, &len);
	free(full);
	if (ret < 0)
		return vpnc_cfg_unreadable(ctx, p[0], p[1], ret);
	snprintf(close, sizeof(close), "</%s>", p[0]);
	if (strcmp(p[0], "pkcs12") != 0 && memchr(text, '\0', len) != NULL)
		ret = vpnc_cfg_bad(ctx, p[0], "the file holds a NUL byte");
	else if (strcmp(p[0], "pkcs12") != 0 && inl_has_line(text, len, close))
		ret = vpnc_cfg_bad(ctx, p[0], "the file holds a line starting with %s", close);
	if (ret == 0)
		ret = inl_puts(s, "<");
	if (ret == 0)
		ret = inl_puts(s, p[0]);
	if (ret == 0)
		ret = inl_puts(s, ">\n");
	if (ret == 0 && strcmp(p[0], "pkcs12") == 0) {
		/* OpenVPN takes an inline PKCS#12 bundle as base64, and so does the loader. */
		ret = inl_base64(s, (const unsigned char *)text, len);
	} else if (ret == 0) {
		ret = inl_put(s, text, len);
		if (ret == 0 && len > 0 && text[len - 1] != '\n')
			ret = inl_puts(s, "\n");
	}
	if (ret == 0)
		ret = inl_puts(s, close);
	if (ret == 0)
		ret = inl_puts(s, "\n");
	/* 'tls-auth FILE DIR' and 'secret FILE DIR': the direction moves to its own option, as in
	 * OpenVPN's inline form. */
	if (ret == 0 && (strcmp(p[0], "tls-auth") == 0 || strcmp(p[0], "secret") == 0) && n > 2) {
		ret = inl_puts(s, "key-direction ");
		if (ret == 0)
			ret = inl_puts(s, p[2]);
		if (ret == 0)
			ret = inl_puts(s, "\n");
	}
	OPENSSL_cleanse(text, len);
	free(text);
	return ret;
}

static int inl_text(struct inl *s, const char *name, const char *text, size_t len);

/* True for 'http-proxy HOST PORT FILE [basic]', whose FILE is read (docs/proxy.md). */
static bool inl_proxy_file(char **p, int n)
{
	return strcmp(p[0], "http-proxy") == 0 && n >= 4 && p[3][0] != '\0' &&
	       strcmp(p[3], "auto") != 0 && strcmp(p[3], "auto-nct") != 0 &&
	       strcmp(p[3], "stdin") != 0 && (n < 5 || strcmp(p[4], "none") != 0);
}

/* 'http-proxy HOST PORT FILE [M]' becomes 'http-proxy HOST PORT "" M' and an
 * <http-proxy-user-pass> block with FILE's text, 2.6's inline form. */
static int inl_proxy(struct inl *s, char **p, int n)
{
	char *q[2] = {"http-proxy-user-pass", p[3]};
	const char *words[] = {"http-proxy ", p[1], " ", p[2], " \"\" ", n > 4 ? p[4] : "basic", "\n"};
	int ret = 0;

	if (!s->emit)
		return 0;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]) && ret == 0; i++)
		ret = inl_puts(s, words[i]);
	return ret == 0 ? inl_file(s, q, 2) : ret;
}

/* 'config FILE': the included text takes the place of the line. */
static int inl_include(struct inl *s, const char *path)
{
	struct vpnc_cfg_ctx *ctx = &s->ctx;
	const char *where = ctx->where;
	int line = ctx->line, ret;
	char *full, *text = NULL;
	size_t len = 0;

	ret = vpnc_cfg_include_resolve(ctx, path, &full);
	if (ret < 0)
		return ret;
	ret = vpnc_cfg_read_file(full, &text, &len);
	free(full);
	if (ret < 0)
		return vpnc_cfg_unreadable(ctx, "config", path, ret);
	ctx->depth++;
	ret = inl_text(s, path, text, len);
	ctx->depth--;
	OPENSSL_cleanse(text, len);
	free(text);
	if (ret == 0) {
		ctx->where = where;
		ctx->line = line;
	}
	return ret;
}

/* Copies an inline block (<name> ... </name>) as it is; *off and *line move past it. */
static int inl_block(struct inl *s, const char *text, size_t len, size_t start, size_t *off,
                     int *line, const char *tag)
{
	char close[VPNC_CFG_PARAM_MAX + 4];
	size_t tl = strlen(tag), pos = *off;

	snprintf(close, sizeof(close), "</%.*s>", (int)(tl - 2), tag + 1);
	while (pos < len) {
		size_t next, end = vpnc_cfg_line_end(text, len, pos, &next), b = pos;

		(*line)++;
		while (b < end && (text[b] == ' ' || text[b] == '\t'))
			b++;
		pos = next;
		if (end - b >= strlen(close) && memcmp(text + b, close, strlen(close)) == 0) {
			*off = pos;
			if (memchr(text + start, '\0', pos - start) != NULL)
				return vpnc_cfg_fail(&s->ctx, -EINVAL, "the inline block holds a NUL byte");
			/* Text from start to pos as written (the loader drops any CR again). */
			int ret = inl_put(s, text + start, pos - start);

			if (ret == 0 && text[pos - 1] != '\n')
				ret = inl_puts(s, "\n");
			return ret;
		}
	}
	return vpnc_cfg_fail(&s->ctx, -EINVAL, "<%.*s> is not closed by %s", (int)(tl - 2), tag + 1,
	                     close);
}

static int inl_text(struct inl *s, const char *name, const char *text, size_t len)
{
	struct vpnc_cfg_ctx *ctx = &s->ctx;
	struct vpnc_lex_words w;
	size_t off = 0;
	int line = 0, ret = 0;

	ctx->where = name;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		off = 3;
	while (off < len) {
		size_t next, start = off, end = vpnc_cfg_line_end(text, len, off, &next), tl;
		const char *why = NULL;
		char *opt;

		ctx->line = ++line;
		ret = vpnc_lex_line(text + off, end - off, &w, &why);
		off = next;
		if (ret < 0) {
			vpnc_cfg_fail(ctx, ret, "the line has %s", why);
			break;
		}
		ret = 0;
		if (w.n == 0)
			continue;
		opt = w.p[0];
		if (strncmp(opt, "--", 2) == 0)
			opt += 2;
		w.p[0] = opt;
		tl = strlen(opt);
		if (w.n == 1 && tl > 2 && opt[0] == '<' && opt[tl - 1] == '>') {
			ret = inl_block(s, text, len, start, &off, &line, opt);
		} else if (strcmp(opt, "cd") == 0 && w.n == 2) {
			char *dir = vpnc_cfg_resolve(ctx->cd, w.p[1]);

			if (dir == NULL) {
				ret = vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
			} else {
				free(ctx->cd);
				ctx->cd = dir;
			}
		} else if (strcmp(opt, "config") == 0 && w.n == 2) {
			ret = inl_include(s, w.p[1]);
		} else if (inl_proxy_file(w.p, w.n)) {
			ret = inl_proxy(s, w.p, w.n);
		} else if (vpnc_cfg_trust(opt) == UT_READ && w.n >= 2) {
			ret = inl_file(s, w.p, w.n);
		} else if (s->emit && ctx->untrusted &&
		           (ret = vpnc_cfg_untrusted_check(ctx, w.p, w.n)) < 0) {
			break;
		} else {
			ret = inl_put(s, text + start, end - start);
			if (ret == 0)
				ret = inl_puts(s, "\n");
		}
		if (ret < 0)
			break;
	}
	OPENSSL_cleanse(&w, sizeof(w));
	return ret;
}

int vpnc_config_inline(const char *path, bool untrusted, char **out, size_t *outlen, char *err,
                       size_t errlen)
{
	struct inl *s;
	char *text = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	*outlen = 0;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->ctx.err = err;
	s->ctx.errlen = errlen;
	s->ctx.untrusted = untrusted;
	s->ctx.where = path;
	ret = vpnc_cfg_read_file(path, &text, &len);
	if (ret < 0) {
		vpnc_cfg_fail(&s->ctx, ret, "cannot read the config file: %s", vpnc_cfg_read_why(ret));
		goto out;
	}
	/* First pass: where relative names point at the end. */
	ret = inl_text(s, path, text, len);
	if (ret < 0)
		goto out;
	s->final_cd = s->ctx.cd;
	s->ctx.cd = NULL;
	s->emit = true;
	ret = inl_text(s, path, text, len);
	if (ret == 0 && s->buf == NULL)
		ret = inl_puts(s, "");
	if (ret == 0) {
		*out = s->buf;
		*outlen = s->len;
		s->buf = NULL;
	}
out:
	if (text != NULL) {
		OPENSSL_cleanse(text, len);
		free(text);
	}
	if (s->buf != NULL) {
		OPENSSL_cleanse(s->buf, s->cap);
		free(s->buf);
	}
	free(s->ctx.cd);
	free(s->final_cd);
	free(s);
	return ret;
}
