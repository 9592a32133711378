/*
 * test_httpproxy.c: the HTTP proxy pieces that need no network
 * (docs/proxy.md): the CONNECT request core/httpproxy.c writes, its reply
 * parser against every way of cutting a reply into reads, the bytes after the
 * header left for the tunnel, bad and oversized replies, and the config
 * reader's http-proxy options with 2.6's rules and their messages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/httpproxy.h"
#include "vpnc/config.h"

#include "../check.h"

#define BASE "client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote vpn.example.org 443 tcp\n"

static char err[512];

static struct vpnc_config *parse(const char *text, int *ret)
{
	struct vpnc_config *c = NULL;

	*ret = vpnc_config_parse_text("t.ovpn", text, strlen(text), NULL, &c, err, sizeof(err));
	return c;
}

static struct vpnc_config *parse_ok(const char *text, int line)
{
	int ret;
	struct vpnc_config *c = parse(text, &ret);

	CHECK(ret == 0 && c != NULL, "test line %d: %s", line, err);
	return c;
}

static void parse_err(const char *text, const char *want, int line)
{
	int ret;
	struct vpnc_config *c = parse(text, &ret);

	CHECK(ret < 0 && c == NULL && strcmp(err, want) == 0, "test line %d: got '%s', want '%s'",
	      line, err, want);
	vpnc_config_free(c);
}

static void test_request(void)
{
	struct vpnc_http_proxy hp;
	char out[VPNC_HTTPPROXY_REQ_MAX];
	int n;

	memset(&hp, 0, sizeof(hp));
	memcpy(hp.version, "1.0", 4);
	n = vpnc_httpproxy_request(&hp, "vpn.example.org", "1194", VPNC_HTTPPROXY_NONE, NULL, NULL, out, sizeof(out));
	CHECK(n > 0);
	out[n > 0 ? n : 0] = '\0';
	CHECK_STR(out, "CONNECT vpn.example.org:1194 HTTP/1.0\r\nHost: vpn.example.org\r\n\r\n");

	/* IPv6 literal in brackets; custom headers in order, a Host among them replaces ours. */
	memcpy(hp.version, "1.1", 4);
	memcpy(hp.agent, "vpnc-test/1", 12);
	hp.n_headers = 2;
	memcpy(hp.headers[0].name, "X-Flag: one word", 17);
	memcpy(hp.headers[1].name, "host", 5);
	memcpy(hp.headers[1].content, "front.example", 14);
	hp.headers[1].has_content = true;
	n = vpnc_httpproxy_request(&hp, "2001:db8::1", "443", VPNC_HTTPPROXY_NONE, NULL, NULL, out, sizeof(out));
	out[n > 0 ? n : 0] = '\0';
	CHECK_STR(out, "CONNECT [2001:db8::1]:443 HTTP/1.1\r\nX-Flag: one word\r\nhost: front.example\r\n"
	               "User-Agent: vpnc-test/1\r\n\r\n");

	/* Basic: base64("Aladdin:open sesame"), the example of RFC 7617 section 2. */
	hp.n_headers = 0;
	hp.agent[0] = '\0';
	hp.user = "Aladdin";
	hp.pass = "open sesame";
	n = vpnc_httpproxy_request(&hp, "h", "1", VPNC_HTTPPROXY_BASIC, NULL, NULL, out, sizeof(out));
	out[n > 0 ? n : 0] = '\0';
	CHECK_STR(out, "CONNECT h:1 HTTP/1.1\r\nHost: h\r\n"
	               "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n");
	/* Too small a buffer, or no credentials: refused, nothing half written is returned. */
	CHECK(vpnc_httpproxy_request(&hp, "h", "1", VPNC_HTTPPROXY_BASIC, NULL, NULL, out, 20) == -ENOSPC);
	hp.user = NULL;
	CHECK(vpnc_httpproxy_request(&hp, "h", "1", VPNC_HTTPPROXY_BASIC, NULL, NULL, out, sizeof(out)) == -EINVAL);

	/*
	 * Digest: RFC 2617 section 3.5's user, realm, password, nonce and cnonce, with
	 * CONNECT and the authority as uri (the RFC's GET example gives its 6629fae4...
	 * response with the same code: only method and uri differ).
	 */
	{
		struct vpnc_httpproxy_digest d;

		CHECK(vpnc_httpproxy_digest_parse("realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
		                                  "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
		                                  "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"", &d) == 0);
		CHECK(d.has_opaque && !d.md5_sess && !d.stale);
		hp.user = "Mufasa";
		hp.pass = "Circle Of Life";
		hp.version[2] = '0';
		n = vpnc_httpproxy_request(&hp, "h", "1", VPNC_HTTPPROXY_DIGEST, &d, "0a4f113b", out,
		                           sizeof(out));
		out[n > 0 ? n : 0] = '\0';
		CHECK_STR(out, "CONNECT h:1 HTTP/1.0\r\nHost: h\r\nProxy-Authorization: Digest "
		               "username=\"Mufasa\", realm=\"testrealm@host.com\", "
		               "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"h:1\", qop=auth, "
		               "nc=00000001, cnonce=\"0a4f113b\", "
		               "response=\"d5cd530c87fe17cfe7c3a849a6ca670e\", "
		               "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"\r\n\r\n");
		d.md5_sess = true;
		d.has_opaque = false;
		n = vpnc_httpproxy_request(&hp, "h", "1", VPNC_HTTPPROXY_DIGEST, &d, "0a4f113b", out,
		                           sizeof(out));
		out[n > 0 ? n : 0] = '\0';
		CHECK(strstr(out, "response=\"cf10fd3ca187552e54801c1a35250cfe\", algorithm=MD5-sess\r\n")
		      != NULL, "%s", out);
		/* Quotes in the username are escaped; a missing challenge or cnonce is refused. */
		hp.user = "a\"b";
		n = vpnc_httpproxy_request(&hp, "h", "1", VPNC_HTTPPROXY_DIGEST, &d, "c", out, sizeof(out));
		out[n > 0 ? n : 0] = '\0';
		CHECK(strstr(out, "username=\"a\\\"b\"") != NULL, "%s", out);
		CHECK(vpnc_httpproxy_request(&hp, "h", "1", VPNC_HTTPPROXY_DIGEST, NULL, "c", out,
		                             sizeof(out)) == -EINVAL);
		CHECK(vpnc_httpproxy_request(&hp, "h", "1", VPNC_HTTPPROXY_DIGEST, &d, "", out,
		                             sizeof(out)) == -EINVAL);

		/* Challenges vpnc cannot answer, or cannot read. */
		CHECK(vpnc_httpproxy_digest_parse("realm=r, nonce=n, stale=TRUE, algorithm=md5", &d) == 0 &&
		      d.stale && strcmp(d.realm, "r") == 0 && strcmp(d.nonce, "n") == 0);
		CHECK(vpnc_httpproxy_digest_parse("realm=\"a\\\"b\", nonce=\"x\"", &d) == 0 &&
		      strcmp(d.realm, "a\"b") == 0);
		CHECK(vpnc_httpproxy_digest_parse("realm=r, nonce=n, algorithm=SHA-256", &d) ==
		      -EPROTONOSUPPORT);
		CHECK(vpnc_httpproxy_digest_parse("realm=r, nonce=n, qop=\"auth-int\"", &d) ==
		      -EPROTONOSUPPORT);
		CHECK(vpnc_httpproxy_digest_parse("realm=r", &d) == -EBADMSG);
		CHECK(vpnc_httpproxy_digest_parse("realm=r, nonce=\"n", &d) == -EBADMSG);
		CHECK(vpnc_httpproxy_digest_parse("realm=r, nonce=\"a\rb\"", &d) == -EBADMSG);
		CHECK(vpnc_httpproxy_digest_parse("realm, nonce=n", &d) == -EBADMSG);
		{
			char longp[600];

			memcpy(longp, "realm=r, nonce=", 15);
			memset(longp + 15, 'n', 400);
			longp[415] = '\0';
			CHECK(vpnc_httpproxy_digest_parse(longp, &d) == -EBADMSG);
		}
	}
}

/* Feeds text in reads of `chunk` bytes; returns the result, *tail = bytes left for the tunnel. */
static int feed(struct vpnc_httpproxy_reply *r, const char *text, size_t len, size_t chunk,
                size_t *tail)
{
	int ret = 0;

	vpnc_httpproxy_reply_init(r);
	*tail = 0;
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk, used;

		ret = vpnc_httpproxy_feed(r, (const uint8_t *)text + off, n, &used);
		if (ret != 0) {
			*tail = len - off - used;
			return ret;
		}
		if (used != n)
			return -999;
	}
	return ret;
}

static void test_reply(void)
{
	static const char ok[] = "HTTP/1.1 200 Connection established\r\nVia: squid\r\n\r\n\x00\x2a\x38";
	static const char auth[] = "HTTP/1.0 407 Proxy Authentication Required\r\n"
	                           "Proxy-Authenticate: Digest realm=\"x\", nonce=\"y\"\r\n"
	                           "proxy-authenticate: basic realm=\"squid\"\r\n\r\n";
	static struct vpnc_httpproxy_reply r;
	size_t tail;
	int ret;

	for (size_t chunk = 1; chunk <= sizeof(ok); chunk++) {
		ret = feed(&r, ok, sizeof(ok) - 1, chunk, &tail);
		CHECK(ret == 1 && r.status == 200 && tail == 3, "chunk %zu: ret %d tail %zu", chunk, ret,
		      tail);
	}
	CHECK_STR(r.status_line, "HTTP/1.1 200 Connection established");
	ret = feed(&r, auth, sizeof(auth) - 1, 7, &tail);
	CHECK(ret == 1 && r.status == 407 && tail == 0);
	CHECK(r.auth == (VPNC_HTTPPROXY_AUTH_BASIC | VPNC_HTTPPROXY_AUTH_DIGEST));
	CHECK_STR(r.digest, "realm=\"x\", nonce=\"y\"");
	CHECK(!r.digest_cut);
	/* Bare LF line ends are accepted (RFC 9112 section 2.2). */
	ret = feed(&r, "HTTP/1.0 403 Forbidden\n\nX", 25, 25, &tail);
	CHECK(ret == 1 && r.status == 403 && tail == 1);
	/* After the end, nothing more is taken. */
	{
		size_t used = 99;
		CHECK(vpnc_httpproxy_feed(&r, (const uint8_t *)"abc", 3, &used) == 1 && used == 0);
	}
	/* Not HTTP, bad status, control bytes, a header that never ends. */
	CHECK(feed(&r, "SSH-2.0-OpenSSH\r\n\r\n", 19, 4, &tail) == -EBADMSG);
	CHECK(feed(&r, "HTTP/1.1 20 OK\r\n\r\n", 18, 18, &tail) == -EBADMSG);
	CHECK(feed(&r, "HTTP/1.1 200OK\r\n\r\n", 18, 18, &tail) == -EBADMSG);
	CHECK(feed(&r, "HTTP/1.1 200 OK\r\nX: \x01\r\n\r\n", 24, 24, &tail) == -EBADMSG);
	{
		static char big[VPNC_HTTPPROXY_HDR_MAX + 64];
		size_t used;

		memcpy(big, "HTTP/1.1 200 OK\r\nX-Long: ", 25);
		memset(big + 25, 'a', sizeof(big) - 25);
		CHECK(feed(&r, big, sizeof(big), 1000, &tail) == -EMSGSIZE);
		/* The error sticks. */
		CHECK(vpnc_httpproxy_feed(&r, (const uint8_t *)"\r\n\r\n", 4, &used) == -EMSGSIZE);
		/* A long field line is fine as long as the header fits. */
		memset(big + 25, 'a', 8000);
		memcpy(big + 25 + 8000, "\r\n\r\n", 4);
		CHECK(feed(&r, big, 25 + 8004, 333, &tail) == 1 && r.status == 200 && tail == 0);
	}
}

static void test_config(void)
{
	struct vpnc_config *c;

	c = parse_ok(BASE "http-proxy proxy.example 3128\n", __LINE__);
	if (c != NULL) {
		CHECK(c->http_proxy.set && c->http_proxy.auth == VPNC_PROXY_AUTH_NONE);
		CHECK_STR(c->http_proxy.host, "proxy.example");
		CHECK_STR(c->http_proxy.port, "3128");
		CHECK_STR(c->http_proxy.version, "1.0");
		CHECK(!c->http_proxy.ask && c->http_proxy.user == NULL);
	}
	vpnc_config_free(c);

	c = parse_ok(BASE "http-proxy p 8080 auto\nhttp-proxy-option VERSION 1.1\n"
	                  "http-proxy-option AGENT \"My Agent\"\nhttp-proxy-option CUSTOM-HEADER X-A b\n"
	                  "http-proxy-option EXT1 \"X-B: c\"\nhttp-proxy-retry\nhttp-proxy-timeout 5\n"
	                  "<http-proxy-user-pass>\nbob\npw\n</http-proxy-user-pass>\n", __LINE__);
	if (c != NULL) {
		CHECK(c->http_proxy.auth == VPNC_PROXY_AUTH_AUTO);
		CHECK_STR(c->http_proxy.version, "1.1");
		CHECK_STR(c->http_proxy.agent, "My Agent");
		CHECK(c->http_proxy.n_headers == 2 && c->http_proxy.headers[0].has_content &&
		      !c->http_proxy.headers[1].has_content);
		CHECK_STR(c->http_proxy.headers[1].name, "X-B: c");
		CHECK_STR(c->http_proxy.user, "bob");
		CHECK_STR(c->http_proxy.pass, "pw");
	}
	vpnc_config_free(c);

	/* An authfile means basic; 'stdin' and basic without a file ask on the terminal. */
	c = parse_ok(BASE "cd data/config\nhttp-proxy p 8080 userpass.txt\n", __LINE__);
	if (c != NULL)
		CHECK(c->http_proxy.auth == VPNC_PROXY_AUTH_BASIC && c->http_proxy.user != NULL &&
		      c->http_proxy.pass != NULL && c->http_proxy.creds_from_file);
	vpnc_config_free(c);
	c = parse_ok(BASE "http-proxy p 8080 stdin\n", __LINE__);
	if (c != NULL)
		CHECK(c->http_proxy.auth == VPNC_PROXY_AUTH_BASIC && c->http_proxy.ask);
	vpnc_config_free(c);
	c = parse_ok(BASE "http-proxy p 8080 \"\" basic\n<http-proxy-user-pass>\nu\np\n"
	                  "</http-proxy-user-pass>\n", __LINE__);
	if (c != NULL)
		CHECK(c->http_proxy.auth == VPNC_PROXY_AUTH_BASIC && !c->http_proxy.ask &&
		      c->http_proxy.user != NULL);
	vpnc_config_free(c);
	c = parse_ok(BASE "http-proxy p 8080 auth.txt none\n", __LINE__);
	if (c != NULL)
		CHECK(c->http_proxy.auth == VPNC_PROXY_AUTH_NONE);
	vpnc_config_free(c);

	/* 2.6's refusals, and vpnc's. */
	parse_err("client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote r 1194 udp\nhttp-proxy p 80\n",
	          "t.ovpn: option 'http-proxy' needs TCP: remote 'r' uses UDP (add 'proto tcp-client')",
	          __LINE__);
	parse_err(BASE "http-proxy-option AGENT x\n",
	          "t.ovpn: http-proxy options given without 'http-proxy'", __LINE__);
	parse_err(BASE "http-proxy p\n", "t.ovpn:7: option 'http-proxy' needs at least 2 arguments",
	          __LINE__);
	parse_err(BASE "http-proxy p 0\n",
	          "t.ovpn:7: option 'http-proxy': the port must be a number from 1 to 65535", __LINE__);
	parse_err(BASE "http-proxy p 80 f ntlm\n",
	          "t.ovpn:7: option 'http-proxy': NTLM proxy authentication is not supported (use "
	          "basic, or auto)", __LINE__);
	parse_err(BASE "http-proxy p 80 f digest\n",
	          "t.ovpn:7: option 'http-proxy': unknown authentication method (none, basic)", __LINE__);
	parse_err(BASE "http-proxy p 80\nhttp-proxy-option FOO bar\n",
	          "t.ovpn:8: option 'http-proxy-option': must be VERSION v, AGENT text or "
	          "CUSTOM-HEADER name [content], with nothing more", __LINE__);
	parse_err(BASE "http-proxy p 80\nhttp-proxy-option VERSION \"1 .1\"\n",
	          "t.ovpn:8: option 'http-proxy-option': 'VERSION' has a control character or a "
	          "space where none may be", __LINE__);
	parse_err(BASE "http-proxy p 80\n<http-proxy-user-pass>\nu\n</http-proxy-user-pass>\n",
	          "t.ovpn:8: option 'http-proxy-user-pass': the password (second line) is missing",
	          __LINE__);
	parse_err(BASE "<connection>\nremote a 1 tcp\nhttp-proxy p 80\n</connection>\n",
	          "t.ovpn:9: option 'http-proxy' inside a <connection> block is not supported; give "
	          "it once, outside the blocks", __LINE__);
	{
		char text[2048];
		size_t len = (size_t)snprintf(text, sizeof(text), "%shttp-proxy p 80\n", BASE);

		for (int i = 0; i < 11; i++)
			len += (size_t)snprintf(text + len, sizeof(text) - len,
			                        "http-proxy-option CUSTOM-HEADER X-%d v\n", i);
		parse_err(text, "t.ovpn:18: option 'http-proxy-option': more than 10 CUSTOM-HEADER lines",
		          __LINE__);
	}
}

/* --inline-config: the authfile of http-proxy becomes 2.6's inline form, loadable untrusted. */
static void test_inline(void)
{
	char path[] = "/tmp/vpnc-test-httpproxy-XXXXXX", cwd[512], prof[1024];
	char *out = NULL;
	size_t outlen = 0;
	int fd = mkstemp(path), ret;
	FILE *f;

	CHECK(fd >= 0 && getcwd(cwd, sizeof(cwd)) != NULL);
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	snprintf(prof, sizeof(prof), "client\nremote r 443 tcp\nauth-user-pass\n<ca>\nCA\n</ca>\n"
	         "http-proxy p 3128 %s/data/config/userpass.txt\n", cwd);
	fputs(prof, f);
	fclose(f);
	ret = vpnc_config_inline(path, true, &out, &outlen, err, sizeof(err));
	CHECK(ret == 0 && out != NULL, "%s", err);
	if (out != NULL) {
		CHECK(strstr(out, "http-proxy p 3128 \"\" basic\n<http-proxy-user-pass>\n") != NULL, "%s", out);
		struct vpnc_config *c = NULL;

		ret = vpnc_config_parse_text("inl", out, outlen, NULL, &c, err, sizeof(err));
		CHECK(ret == 0 && c != NULL && c->http_proxy.user != NULL && c->http_proxy.pass != NULL,
		      "%s", err);
		vpnc_config_free(c);
		free(out);
	}
	unlink(path);
}

int main(void)
{
	test_inline();
	test_request();
	test_reply();
	test_config();
	printf("test_httpproxy: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
