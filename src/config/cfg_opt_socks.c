/*
 * cfg_opt_socks.c: owns 'socks-proxy HOST [PORT] [AUTHFILE]' and the
 * deprecated 'socks-proxy-retry', as OpenVPN 2.6 reads them (see its manual,
 * https://openvpn.net/community-resources/reference-manual-for-openvpn-2-6/,
 * and src/openvpn/options.c): PORT defaults to 1080, AUTHFILE holds the
 * username and the password on two lines. Inside <connection> the line is
 * that block's; outside, the last one is every other remote's (applied in
 * vpnc_cfg_finish_socks). Where the proxy is used:
 * src/daemon/link_socks.c (under privilege separation the parent resolves
 * the proxy and lets it through the kill switch: src/priv/privsrv.c);
 * docs/proxy.md.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_handlers.h"
#include "config/cfg_internal.h"
#include "core/socks.h"

VPNC_CFG_HANDLER(vpnc_cfg_opt_socks_proxy)
{
	struct vpnc_config *cfg = ctx->cfg;
	struct vpnc_socks_proxy *sp;
	char port[VPNC_CFG_PORT_LEN];
	size_t hl = strlen(p[1]), idx = cfg->n_socks;

	if (idx >= VPNC_MAX_SOCKS)
		return vpnc_cfg_bad(ctx, p[0], "given more than %d times", VPNC_MAX_SOCKS);
	if (hl == 0 || hl >= sizeof(sp->host) || hl > VPNC_SOCKS_FIELD_MAX)
		return vpnc_cfg_bad(ctx, p[0], "the proxy's host name is empty or too long");
	if (!vpnc_cfg_host_ok(p[1], sizeof(sp->host)))
		return vpnc_cfg_bad(ctx, p[0], "the proxy's host name has bad characters");
	if (vpnc_cfg_port(n > 2 ? p[2] : "1080", port) < 0)
		return vpnc_cfg_bad(ctx, p[0], "the port must be a number from 1 to 65535");
	if (n > 3 && strcmp(p[3], "stdin") == 0)
		return vpnc_cfg_bad(ctx, p[0], "vpnc cannot ask for the proxy's username and password "
		                               "yet; put them in a file (username, then password, on "
		                               "two lines)");
	/* Reading the authfile is reading a file with vpnc's rights (docs/networkmanager.md). */
	if (n > 3 && ctx->untrusted && ctx->line > 0)
		return vpnc_cfg_bad(ctx, p[0], "not allowed in an untrusted profile with an authfile "
		                               "(it would read a file with vpnc's rights)");
	sp = &cfg->socks[idx];
	memcpy(sp->host, p[1], hl + 1);
	memcpy(sp->port, port, sizeof(port));
	cfg->n_socks++;
	/*
	 * Inside <connection> it is that block's (config.c); outside, the last one applies to
	 * every remote and every block without its own, as 2.6's connection defaults do.
	 */
	if (ctx->in_connection)
		ctx->conn_socks = (unsigned)idx + 1;
	else
		ctx->socks_global = (unsigned)idx + 1;
	if (n > 3)
		return vpnc_cfg_src_set(ctx, &ctx->socks_auth[idx], "socks-proxy", p[3]);
	return 0;
}

/* Reads and splits one proxy's authfile into its username and password. */
static int finish_auth(struct vpnc_cfg_ctx *ctx, struct vpnc_cfg_src *s, struct vpnc_socks_proxy *sp)
{
	int ret;

	if (!s->set)
		return 0;
	ret = vpnc_cfg_src_load(ctx, s);
	if (ret < 0)
		return ret;
	/* RFC 1929 carries each in at most 255 bytes, and needs both. */
	ret = vpnc_cfg_split_user_pass(ctx, s, VPNC_SOCKS_FIELD_MAX, &sp->user, &sp->pass);
	if (ret < 0)
		return ret;
	if (sp->pass == NULL)
		return vpnc_cfg_bad(ctx, s->opt, "the authfile must hold a username and a password "
		                                 "on two lines");
	return 0;
}

int vpnc_cfg_finish_socks(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_config *cfg = ctx->cfg;
	bool any = false;
	int ret;

	for (size_t i = 0; i < cfg->n_remotes; i++) {
		if (!ctx->remote_socks_set[i])
			cfg->remotes[i].socks = ctx->socks_global;
		any |= cfg->remotes[i].socks != 0;
	}
	if (any && cfg->http_proxy.set) {
		ctx->where = cfg->path != NULL ? cfg->path : "command line";
		ctx->line = 0;
		/* As 2.6: one proxy for a connection, never a chain of two. */
		return vpnc_cfg_fail(ctx, -EINVAL, "options 'http-proxy' and 'socks-proxy' cannot be used "
		                                   "together");
	}
	for (size_t i = 0; i < cfg->n_socks; i++) {
		ret = finish_auth(ctx, &ctx->socks_auth[i], &cfg->socks[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}
