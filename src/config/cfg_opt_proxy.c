/*
 * cfg_opt_proxy.c: the HTTP proxy options ('http-proxy', 'http-proxy-option',
 * 'http-proxy-user-pass') into cfg->http_proxy, and the checks 2.6 makes on
 * them once the whole profile is read (docs/proxy.md).
 *
 * Facts from OpenVPN 2.6 (options.c, proxy.c;
 * https://github.com/OpenVPN/openvpn/blob/release/2.6/src/openvpn/options.c):
 * the third argument is 'auto', 'auto-nct' or an authfile ('stdin' asks on
 * the terminal), which makes the method 'basic' unless a fourth argument
 * names it; without a third argument no credentials are sent;
 * 'http-proxy-user-pass' (a file, or inline) replaces the authfile;
 * CUSTOM-HEADER (also spelled EXT1, EXT2) takes a name and optional content,
 * at most 10; any http-proxy option without 'http-proxy' is an error, as is
 * 'http-proxy' with a UDP remote.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config/cfg_handlers.h"

#define OPT_USER_PASS "http-proxy-user-pass"

/* Printable ASCII only: a header value must not break the request into more lines. */
static bool proxy_text_ok(const char *s, bool spaces)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 + !spaces || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static void proxy_note_line(struct vpnc_cfg_ctx *ctx)
{
	if (ctx->proxy_opt_line == 0)
		ctx->proxy_opt_line = ctx->line > 0 ? ctx->line : -1;
}

/* <connection> blocks would each need their own proxy; vpnc has one for the whole profile. */
static int proxy_not_in_conn(struct vpnc_cfg_ctx *ctx, const char *opt)
{
	if (!ctx->in_connection)
		return 0;
	return vpnc_cfg_fail(ctx, -ENOTSUP, "option '%s' inside a <connection> block is not "
	                     "supported; give it once, outside the blocks", opt);
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_http_proxy)
{
	struct vpnc_http_proxy *hp = &ctx->cfg->http_proxy;
	char port[VPNC_CFG_PORT_LEN];
	int ret;

	ret = proxy_not_in_conn(ctx, p[0]);
	if (ret < 0)
		return ret;
	if (!vpnc_cfg_host_ok(p[1], sizeof(hp->host)))
		return vpnc_cfg_bad(ctx, p[0], "the host name is empty, too long or has bad characters");
	if (vpnc_cfg_port(p[2], port) < 0)
		return vpnc_cfg_bad(ctx, p[0], "the port must be a number from 1 to 65535");
	memcpy(hp->host, p[1], strlen(p[1]) + 1);
	memcpy(hp->port, port, sizeof(port));
	hp->set = true;
	hp->ask = false;
	/* A second http-proxy line replaces the first, its authfile too (not http-proxy-user-pass). */
	if (ctx->proxy_user_pass.set && ctx->proxy_user_pass.opt != NULL &&
	    strcmp(ctx->proxy_user_pass.opt, OPT_USER_PASS) != 0)
		vpnc_cfg_src_clear(&ctx->proxy_user_pass);
	hp->auth = VPNC_PROXY_AUTH_NONE;
	if (n < 4)
		return 0;
	if (strcmp(p[3], "auto") == 0) {
		hp->auth = VPNC_PROXY_AUTH_AUTO;
		return 0;
	}
	if (strcmp(p[3], "auto-nct") == 0) {
		hp->auth = VPNC_PROXY_AUTH_AUTO_NCT;
		return 0;
	}
	hp->auth = VPNC_PROXY_AUTH_BASIC;
	if (n > 4) {
		if (strcmp(p[4], "none") == 0)
			hp->auth = VPNC_PROXY_AUTH_NONE;
		else if (strcmp(p[4], "ntlm") == 0 || strcmp(p[4], "ntlm2") == 0)
			return vpnc_cfg_fail(ctx, -ENOTSUP, "option 'http-proxy': NTLM proxy "
			                     "authentication is not supported (use basic, or auto)");
		else if (strcmp(p[4], "basic") != 0)
			return vpnc_cfg_bad(ctx, p[0], "unknown authentication method (none, basic)");
	}
	/* 'none': the authfile is never read (2.6 reads it only for a method that sends it). */
	if (hp->auth == VPNC_PROXY_AUTH_NONE)
		return 0;
	/* "stdin" asks on the terminal; "" leaves the credentials to http-proxy-user-pass. */
	if (strcmp(p[3], "stdin") == 0) {
		hp->ask = true;
		return 0;
	}
	if (p[3][0] == '\0')
		return 0;
	/* http-proxy-user-pass wins over the authfile, wherever it is in the profile (2.6). */
	if (ctx->proxy_user_pass.set && ctx->proxy_user_pass.opt != NULL &&
	    strcmp(ctx->proxy_user_pass.opt, OPT_USER_PASS) == 0)
		return 0;
	/* --untrusted-config: the authfile is read with vpnc's rights (cfg_options.c's UT_READ). */
	if (ctx->untrusted && ctx->line > 0)
		return vpnc_cfg_bad(ctx, p[0], "not allowed in an untrusted profile with an authfile (it "
		                    "would read a file with vpnc's rights; give <http-proxy-user-pass> "
		                    "inline)");
	return vpnc_cfg_src_set(ctx, &ctx->proxy_user_pass, "http-proxy", p[3]);
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_http_proxy_user_pass)
{
	(void)n;
	proxy_note_line(ctx);
	return vpnc_cfg_src_set(ctx, &ctx->proxy_user_pass, OPT_USER_PASS, p[1]);
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_http_proxy_option)
{
	struct vpnc_http_proxy *hp = &ctx->cfg->http_proxy;
	int ret = proxy_not_in_conn(ctx, p[0]);

	if (ret < 0)
		return ret;
	proxy_note_line(ctx);
	for (int i = 2; i < n; i++)
		if (!proxy_text_ok(p[i], strcmp(p[1], "VERSION") != 0))
			return vpnc_cfg_bad(ctx, p[0], "'%s' has a control character or a space where none "
			                    "may be", strcmp(p[1], "VERSION") == 0 ? "VERSION" : "the value");
	if (strcmp(p[1], "VERSION") == 0 && n == 3) {
		if (strlen(p[2]) >= sizeof(hp->version) || p[2][0] == '\0')
			return vpnc_cfg_bad(ctx, p[0], "the VERSION is empty or too long");
		memcpy(hp->version, p[2], strlen(p[2]) + 1);
		return 0;
	}
	if (strcmp(p[1], "AGENT") == 0 && n == 3) {
		memcpy(hp->agent, p[2], strlen(p[2]) + 1); /* a word fits VPNC_PROXY_WORD_MAX */
		return 0;
	}
	if ((strcmp(p[1], "CUSTOM-HEADER") == 0 || strcmp(p[1], "EXT1") == 0 ||
	     strcmp(p[1], "EXT2") == 0) && n >= 3) {
		struct vpnc_proxy_header *h;

		if (hp->n_headers >= VPNC_PROXY_HEADERS_MAX)
			return vpnc_cfg_bad(ctx, p[0], "more than %d CUSTOM-HEADER lines",
			                    VPNC_PROXY_HEADERS_MAX);
		if (p[2][0] == '\0')
			return vpnc_cfg_bad(ctx, p[0], "the header name is empty");
		h = &hp->headers[hp->n_headers++];
		memcpy(h->name, p[2], strlen(p[2]) + 1);
		h->has_content = n > 3;
		if (n > 3)
			memcpy(h->content, p[3], strlen(p[3]) + 1);
		return 0;
	}
	return vpnc_cfg_bad(ctx, p[0], "must be VERSION v, AGENT text or CUSTOM-HEADER name "
	                    "[content], with nothing more");
}

/*
 * 'http-proxy-override HOST PORT [nct]' (2.6, meant for management clients,
 * options.c parse_http_proxy_override()): replaces the proxy of every TCP
 * remote; the proxy's authentication is 'auto' ('auto-nct' with nct), over
 * HTTP/1.0 with User-Agent OpenVPN-Autoproxy/1.0. Applied once the remotes
 * are known (proxy_apply_override()).
 */
VPNC_CFG_HANDLER(vpnc_cfg_opt_http_proxy_override)
{
	char port[VPNC_CFG_PORT_LEN];

	if (!vpnc_cfg_host_ok(p[1], sizeof(ctx->proxy_override_host)))
		return vpnc_cfg_bad(ctx, p[0], "the host name is empty, too long or has bad characters");
	if (vpnc_cfg_port(p[2], port) < 0)
		return vpnc_cfg_bad(ctx, p[0], "the port must be a number from 1 to 65535");
	_Static_assert(sizeof(port) <= sizeof(ctx->proxy_override_port), "port buffer");
	memcpy(ctx->proxy_override_host, p[1], strlen(p[1]) + 1);
	memcpy(ctx->proxy_override_port, port, sizeof(port));
	/* As 2.6: "nct" is the one flag; anything else means the default. */
	ctx->proxy_override_nct = n > 3 && strcmp(p[3], "nct") == 0;
	ctx->proxy_override = true;
	return 0;
}

/*
 * As 2.6's options_postprocess_http_proxy_override(): with a TCP remote, the
 * override becomes the proxy (what http-proxy, its options and credentials
 * said is replaced) and the UDP remotes are left out; without one, a note
 * and nothing changes.
 */
static int proxy_apply_override(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_config *cfg = ctx->cfg;
	struct vpnc_http_proxy *hp = &cfg->http_proxy;
	size_t kept = 0;

	for (size_t i = 0; i < cfg->n_remotes; i++)
		if (cfg->remotes[i].transport == VPNC_TRANSPORT_TCP)
			cfg->remotes[kept++] = cfg->remotes[i];
	if (kept == 0) {
		vpnc_cfg_note(ctx, 1, "option 'http-proxy-override' ignored because no TCP remote is given (as in 2.6)");
		return 0;
	}
	cfg->n_remotes = kept;
	vpnc_cfg_src_clear(&ctx->proxy_user_pass);
	ctx->proxy_opt_line = 0;
	if (hp->pass != NULL) {
		OPENSSL_cleanse(hp->pass, strlen(hp->pass));
		free(hp->pass);
	}
	free(hp->user);
	memset(hp, 0, sizeof(*hp));
	hp->set = true;
	memcpy(hp->host, ctx->proxy_override_host, sizeof(hp->host));
	memcpy(hp->port, ctx->proxy_override_port, sizeof(hp->port));
	hp->auth = ctx->proxy_override_nct ? VPNC_PROXY_AUTH_AUTO_NCT : VPNC_PROXY_AUTH_AUTO;
	snprintf(hp->version, sizeof(hp->version), "1.0");
	snprintf(hp->agent, sizeof(hp->agent), "OpenVPN-Autoproxy/1.0");
	vpnc_cfg_note(ctx, 3, "option 'http-proxy-override': every TCP remote through %s port %s; UDP remotes "
	              "left out", hp->host, hp->port);
	return 0;
}

int vpnc_cfg_finish_proxy(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_config *cfg = ctx->cfg;
	struct vpnc_http_proxy *hp = &cfg->http_proxy;
	const char *where = ctx->where;
	int ret;

	if (ctx->proxy_override && (ret = proxy_apply_override(ctx)) < 0)
		return ret;
	if (!hp->set) {
		if (ctx->proxy_opt_line != 0)
			return vpnc_cfg_fail(ctx, -EINVAL, "http-proxy options given without 'http-proxy'");
		return 0;
	}
	for (size_t i = 0; i < cfg->n_remotes; i++)
		if (cfg->remotes[i].transport != VPNC_TRANSPORT_TCP)
			return vpnc_cfg_fail(ctx, -EINVAL, "option 'http-proxy' needs TCP: remote '%s' "
			                     "uses UDP (add 'proto tcp-client')", cfg->remotes[i].host);
	if (ctx->proxy_user_pass.set) {
		hp->creds_from_file = ctx->proxy_user_pass.path != NULL;
		ret = vpnc_cfg_split_user_pass(ctx, &ctx->proxy_user_pass, VPNC_PROXY_CRED_MAX,
		                               &hp->user, &hp->pass);
		if (ret == 0 && hp->pass == NULL)
			ret = vpnc_cfg_bad(ctx, ctx->proxy_user_pass.opt,
			                   "the password (second line) is missing");
		ctx->where = where;
		ctx->line = 0;
		if (ret < 0)
			return ret;
		hp->ask = false; /* http-proxy-user-pass replaces 'stdin' too */
	} else if (hp->auth == VPNC_PROXY_AUTH_BASIC) {
		hp->ask = true; /* basic without a file: 2.6 asks on the terminal */
	}
	return 0;
}
