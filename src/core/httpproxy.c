/*
 * httpproxy.c: owns the HTTP CONNECT exchange with a proxy (httpproxy.h):
 * building the request and parsing the reply header, without I/O.
 *
 * What is sent follows OpenVPN 2.6's proxy.c (see docs/proxy.md): the
 * request line "CONNECT host:port HTTP/1.0" (or the configured version), the
 * custom headers in profile order, "Host: host" unless one of them was a Host
 * header, "User-Agent" when one is configured, and for Basic authentication
 * "Proxy-Authorization: Basic base64(user:pass)" (RFC 7617), or Digest
 * (RFC 7616, as 2.6 computes it: MD5 or MD5-sess, qop=auth, nc=00000001,
 * the authority as the uri). Unlike 2.6, an
 * IPv6 literal is written in brackets, as the authority form of RFC 9110
 * section 9.3.6 requires; proxies refuse it without.
 *
 * The reply: lines end with LF (a CR before it is dropped; RFC 9112 section
 * 2.2 lets a recipient accept a bare LF), the first is the status line, an
 * empty line ends the header. Only Proxy-Authenticate fields are looked at;
 * the parameters of the first Digest challenge are kept for
 * vpnc_httpproxy_digest_parse().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/b64.h"
#include "core/hex.h"
#include "core/httpproxy.h"

struct req_out {
	char *p;
	size_t cap, len;
	bool full;
};

static void put(struct req_out *o, const char *s, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void puts_(struct req_out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* host as an authority: an IPv6 literal (it has a colon) in brackets. */
static void put_host(struct req_out *o, const char *host)
{
	bool v6 = strchr(host, ':') != NULL && host[0] != '[';

	if (v6)
		puts_(o, "[");
	puts_(o, host);
	if (v6)
		puts_(o, "]");
}

/* "Proxy-Authorization: Basic base64(user:pass)\r\n"; the plain and encoded copies are wiped. */
static int put_basic(struct req_out *o, const struct vpnc_http_proxy *hp)
{
	/* Each at most VPNC_CFG_PROXY_CRED_MAX bytes (config.h), so both fit. */
	unsigned char plain[2 * VPNC_PROXY_CRED_MAX + 2];
	char b64[sizeof(plain) / 3 * 4 + 8];
	size_t ul, pl;
	int n;

	if (hp->user == NULL || hp->user[0] == '\0' || hp->pass == NULL)
		return -EINVAL;
	ul = strlen(hp->user);
	pl = strlen(hp->pass);
	if (ul > VPNC_PROXY_CRED_MAX || pl > VPNC_PROXY_CRED_MAX)
		return -EINVAL;
	memcpy(plain, hp->user, ul);
	plain[ul] = ':';
	memcpy(plain + ul + 1, hp->pass, pl);
	n = vpnc_b64_encode(plain, ul + 1 + pl, b64, sizeof(b64));
	OPENSSL_cleanse(plain, sizeof(plain));
	if (n < 0) {
		OPENSSL_cleanse(b64, sizeof(b64));
		return -EINVAL;
	}
	puts_(o, "Proxy-Authorization: Basic ");
	put(o, b64, (size_t)n);
	puts_(o, "\r\n");
	OPENSSL_cleanse(b64, sizeof(b64));
	return 0;
}

/* A quoted-string (RFC 9110 section 5.6.4): '"' and '\\' escaped. */
static void put_quoted(struct req_out *o, const char *v)
{
	puts_(o, "\"");
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			puts_(o, "\\");
		put(o, v, 1);
	}
	puts_(o, "\"");
}

/* MD5 of the n parts joined by ':', as 32 lowercase hex digits. 0 or -EIO. */
static int md5_hex(const char *const *parts, size_t n, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1;

	for (size_t i = 0; ok && i < n; i++)
		ok = (i == 0 || EVP_DigestUpdate(ctx, ":", 1) == 1) &&
		     EVP_DigestUpdate(ctx, parts[i], strlen(parts[i])) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 16;
	EVP_MD_CTX_free(ctx); /* wipes its state (the password went through it) */
	if (!ok)
		return -EIO;
	vpnc_hex_encode(md, 16, out, 33);
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

/*
 * "Proxy-Authorization: Digest ..." for challenge d (RFC 7616 section 3.4):
 * HA1 = MD5(user:realm:pass) (MD5-sess: MD5(that:nonce:cnonce)), HA2 =
 * MD5(CONNECT:uri), response = MD5(HA1:nonce:00000001:cnonce:auth:HA2).
 */
static int put_digest(struct req_out *o, const struct vpnc_http_proxy *hp, const char *uri,
                      const struct vpnc_httpproxy_digest *d, const char *cnonce)
{
	char ha1[33], ha2[33], resp[33];
	int ret;

	if (hp->user == NULL || hp->user[0] == '\0' || hp->pass == NULL || d == NULL ||
	    cnonce == NULL || cnonce[0] == '\0' || strpbrk(cnonce, "\"\\") != NULL)
		return -EINVAL;
	for (const char *c = hp->user; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return -EINVAL;
	ret = md5_hex((const char *[]){hp->user, d->realm, hp->pass}, 3, ha1);
	if (ret == 0 && d->md5_sess)
		ret = md5_hex((const char *[]){ha1, d->nonce, cnonce}, 3, ha1);
	if (ret == 0)
		ret = md5_hex((const char *[]){"CONNECT", uri}, 2, ha2);
	if (ret == 0)
		ret = md5_hex((const char *[]){ha1, d->nonce, "00000001", cnonce, "auth", ha2}, 6, resp);
	OPENSSL_cleanse(ha1, sizeof(ha1));
	if (ret < 0)
		return ret;
	puts_(o, "Proxy-Authorization: Digest username=");
	put_quoted(o, hp->user);
	puts_(o, ", realm=");
	put_quoted(o, d->realm);
	puts_(o, ", nonce=");
	put_quoted(o, d->nonce);
	puts_(o, ", uri=");
	put_quoted(o, uri);
	puts_(o, ", qop=auth, nc=00000001, cnonce=");
	put_quoted(o, cnonce);
	puts_(o, ", response=\"");
	puts_(o, resp);
	puts_(o, "\"");
	if (d->has_opaque) {
		puts_(o, ", opaque=");
		put_quoted(o, d->opaque);
	}
	if (d->md5_sess)
		puts_(o, ", algorithm=MD5-sess");
	puts_(o, "\r\n");
	return 0;
}

int vpnc_httpproxy_request(const struct vpnc_http_proxy *hp, const char *host, const char *port,
                           enum vpnc_httpproxy_scheme scheme, const struct vpnc_httpproxy_digest *d,
                           const char *cnonce, char *out, size_t cap)
{
	struct req_out o = {.p = out, .cap = cap};
	bool host_sent = false;
	int ret;

	puts_(&o, "CONNECT ");
	put_host(&o, host);
	puts_(&o, ":");
	puts_(&o, port);
	puts_(&o, " HTTP/");
	puts_(&o, hp->version[0] ? hp->version : "1.0");
	puts_(&o, "\r\n");
	for (size_t i = 0; i < hp->n_headers; i++) {
		const struct vpnc_proxy_header *h = &hp->headers[i];

		/* Without content the name is the whole line ("Name: value" in one word), as in 2.6. */
		puts_(&o, h->name);
		if (h->has_content) {
			puts_(&o, ": ");
			puts_(&o, h->content);
			host_sent |= strcasecmp(h->name, "Host") == 0;
		} else {
			host_sent |= strncasecmp(h->name, "Host:", 5) == 0;
		}
		puts_(&o, "\r\n");
	}
	if (!host_sent) {
		puts_(&o, "Host: ");
		put_host(&o, host);
		puts_(&o, "\r\n");
	}
	if (hp->agent[0] != '\0') {
		puts_(&o, "User-Agent: ");
		puts_(&o, hp->agent);
		puts_(&o, "\r\n");
	}
	if (scheme == VPNC_HTTPPROXY_BASIC) {
		ret = put_basic(&o, hp);
	} else if (scheme == VPNC_HTTPPROXY_DIGEST) {
		/* The uri is the request-target: the authority, as on the request line. */
		char uri[sizeof(((struct vpnc_remote *)0)->host) + 16];
		struct req_out u = {.p = uri, .cap = sizeof(uri) - 1};

		put_host(&u, host);
		puts_(&u, ":");
		puts_(&u, port);
		uri[u.len] = '\0';
		ret = u.full ? -ENOSPC : put_digest(&o, hp, uri, d, cnonce);
	} else {
		ret = 0;
	}
	if (ret < 0) {
		OPENSSL_cleanse(out, o.len);
		return ret;
	}
	puts_(&o, "\r\n");
	if (o.full) {
		OPENSSL_cleanse(out, o.len);
		return -ENOSPC;
	}
	return (int)o.len;
}

void vpnc_httpproxy_reply_init(struct vpnc_httpproxy_reply *r)
{
	memset(r, 0, sizeof(*r));
}

/* "HTTP/d.d NNN[ reason]" (RFC 9112 section 4); sets r->status. */
static int parse_status(struct vpnc_httpproxy_reply *r)
{
	const char *s = r->line;
	int v = 0;

	if (r->line_len < 12 || strncmp(s, "HTTP/", 5) != 0)
		return -EBADMSG;
	s += 5;
	/* The version: digits, a dot, digits (2.6 does not look at it either). */
	if (*s < '0' || *s > '9')
		return -EBADMSG;
	while (*s >= '0' && *s <= '9')
		s++;
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s != ' ')
		return -EBADMSG;
	while (*s == ' ')
		s++;
	for (int i = 0; i < 3; i++, s++) {
		if (*s < '0' || *s > '9')
			return -EBADMSG;
		v = v * 10 + (*s - '0');
	}
	if ((*s != '\0' && *s != ' ') || v < 100)
		return -EBADMSG;
	r->status = v;
	memcpy(r->status_line, r->line, r->line_len + 1);
	r->have_status = true;
	return 0;
}

/* A Proxy-Authenticate field: notes each scheme the line names first (one challenge per line). */
static void parse_field(struct vpnc_httpproxy_reply *r)
{
	static const char name[] = "Proxy-Authenticate:";
	const char *s = r->line;
	size_t n;

	if (r->line_len < sizeof(name) - 1 || strncasecmp(s, name, sizeof(name) - 1) != 0)
		return;
	s += sizeof(name) - 1;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strcspn(s, " \t,");
	if (n == 5 && strncasecmp(s, "Basic", 5) == 0) {
		r->auth |= VPNC_HTTPPROXY_AUTH_BASIC;
	} else if (n == 6 && strncasecmp(s, "Digest", 6) == 0) {
		/* The first Digest challenge's parameters, for vpnc_httpproxy_digest_parse(). */
		if (!(r->auth & VPNC_HTTPPROXY_AUTH_DIGEST)) {
			s += n;
			while (*s == ' ' || *s == '\t')
				s++;
			memcpy(r->digest, s, strlen(s) + 1); /* shorter than line[], same size */
			r->digest_cut = r->line_cut;
		}
		r->auth |= VPNC_HTTPPROXY_AUTH_DIGEST;
	}
	else if ((n == 4 && strncasecmp(s, "NTLM", 4) == 0) ||
	         (n == 9 && strncasecmp(s, "Negotiate", 9) == 0))
		r->auth |= VPNC_HTTPPROXY_AUTH_NTLM;
	else if (n > 0)
		r->auth |= VPNC_HTTPPROXY_AUTH_OTHER;
}

/* One complete line (without CR LF) in r->line: 1 at the blank line that ends the header. */
static int end_line(struct vpnc_httpproxy_reply *r)
{
	int ret = 0;

	r->line[r->line_len] = '\0';
	if (!r->have_status) {
		/* The status line must be whole to be understood. */
		ret = r->line_cut ? -EBADMSG : parse_status(r);
	} else if (r->line_len == 0 && !r->line_cut) {
		ret = 1;
	} else {
		parse_field(r);
	}
	r->line_len = 0;
	r->line_cut = false;
	return ret;
}

int vpnc_httpproxy_feed(struct vpnc_httpproxy_reply *r, const uint8_t *in, size_t len,
                        size_t *used)
{
	*used = 0;
	if (r->err != 0)
		return r->err;
	if (r->done)
		return 1;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = in[i];
		int ret;

		if (++r->total > VPNC_HTTPPROXY_HDR_MAX) {
			r->err = -EMSGSIZE;
			return r->err;
		}
		if (c == '\n') {
			/* A CR just before the LF belongs to the line end, not the line. */
			if (r->line_len > 0 && !r->line_cut && r->line[r->line_len - 1] == '\r')
				r->line_len--;
			ret = end_line(r);
			if (ret < 0) {
				r->err = ret;
				return ret;
			}
			if (ret == 1) {
				r->done = true;
				*used = i + 1;
				return 1;
			}
			continue;
		}
		if ((c < 0x20 && c != '\r' && c != '\t') || c == 0x7f) {
			r->err = -EBADMSG;
			return r->err;
		}
		if (r->line_len + 1 < sizeof(r->line))
			r->line[r->line_len++] = (char)c;
		else
			r->line_cut = true;
	}
	*used = len;
	return 0;
}

/* Copies value (quoted or a token) at *p into out[cap]; moves *p past it. 0 or -EBADMSG. */
static int dg_value(const char **p, char *out, size_t cap)
{
	const char *s = *p;
	size_t n = 0;
	bool quoted = *s == '"';

	if (quoted)
		s++;
	for (;; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\0') {
			if (quoted)
				return -EBADMSG; /* no closing quote */
			break;
		}
		if (!quoted && (c == ',' || c == ' ' || c == '\t'))
			break;
		if (quoted && c == '"') {
			s++;
			break;
		}
		if (quoted && c == '\\') {
			s++;
			c = (unsigned char)*s;
			if (c == '\0')
				return -EBADMSG;
		}
		/* Nothing that could break the request line the value is echoed in. */
		if (c < 0x20 || c == 0x7f)
			return -EBADMSG;
		if (n + 1 >= cap)
			return -EBADMSG;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	*p = s;
	return 0;
}

int vpnc_httpproxy_digest_parse(const char *params, struct vpnc_httpproxy_digest *d)
{
	const char *p = params;
	bool realm = false, nonce = false, qop_given = false, qop_auth = false;
	char name[32], val[VPNC_HTTPPROXY_PARAM_MAX];

	memset(d, 0, sizeof(*d));
	for (;;) {
		size_t n;
		int ret;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, "= \t,");
		if (n == 0 || p[n] != '=' || n >= sizeof(name))
			return -EBADMSG;
		memcpy(name, p, n);
		name[n] = '\0';
		p += n + 1;
		ret = dg_value(&p, val, sizeof(val));
		if (ret < 0)
			return ret;
		if (strcasecmp(name, "realm") == 0) {
			memcpy(d->realm, val, strlen(val) + 1);
			realm = true;
		} else if (strcasecmp(name, "nonce") == 0) {
			memcpy(d->nonce, val, strlen(val) + 1);
			nonce = val[0] != '\0';
		} else if (strcasecmp(name, "opaque") == 0) {
			memcpy(d->opaque, val, strlen(val) + 1);
			d->has_opaque = true;
		} else if (strcasecmp(name, "stale") == 0) {
			d->stale = strcasecmp(val, "true") == 0;
		} else if (strcasecmp(name, "algorithm") == 0) {
			if (strcasecmp(val, "MD5-sess") == 0)
				d->md5_sess = true;
			else if (strcasecmp(val, "MD5") != 0)
				return -EPROTONOSUPPORT;
		} else if (strcasecmp(name, "qop") == 0) {
			/* A list such as "auth,auth-int": vpnc answers with auth. */
			qop_given = true;
			for (const char *t = val; *t != '\0';) {
				size_t k;

				while (*t == ' ' || *t == '\t' || *t == ',')
					t++;
				k = strcspn(t, " \t,");
				qop_auth |= k == 4 && strncasecmp(t, "auth", 4) == 0;
				t += k;
			}
		}
		/* Other parameters (domain, charset, userhash) change nothing vpnc sends. */
	}
	if (!realm || !nonce)
		return -EBADMSG;
	if (qop_given && !qop_auth)
		return -EPROTONOSUPPORT;
	return 0;
}
