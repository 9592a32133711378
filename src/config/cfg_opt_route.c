/*
 * cfg_opt_route.c: the route and DNS options a client profile may hold
 * (route, route-ipv6, route-gateway, route-ipv6-gateway, route-metric,
 * route-delay, max-routes, redirect-gateway, redirect-private, block-ipv6,
 * ifconfig, ifconfig-ipv6, topology, dhcp-option, dns).
 *
 * They are checked and stored by the same code that takes them from a
 * PUSH_REPLY (core/push.c), into cfg->net. The engine starts every session's
 * pushed options from a copy of it, so pushed options are added to the
 * profile's exactly as OpenVPN 2.6 adds pulled options to its own
 * (docs/routes.md). A profile route's network may be a host name; the
 * daemon resolves it at each connect (os/route_hosts.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_handlers.h"
#include "vpnc/push.h"

VPNC_CFG_HANDLER(vpnc_cfg_opt_net)
{
	struct vpnc_config *cfg = ctx->cfg;
	const char *why = NULL;
	int ret;

	if (cfg->net == NULL) {
		cfg->net = malloc(sizeof(*cfg->net));
		if (cfg->net == NULL)
			return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
		vpnc_push_init(cfg->net);
	}
	ret = vpnc_push_profile_option(cfg->net, (const char *const *)p, (size_t)n, &why);
	/* 2.6 on Linux passes any dhcp-option type to scripts unchecked; we only skip unknown ones. */
	if (ret < 0 && strcmp(p[0], "dhcp-option") == 0 && why != NULL &&
	    strcmp(why, "unknown dhcp-option type") == 0) {
		vpnc_cfg_note(ctx, VPNC_CFG_NOTE_VERB, "option 'dhcp-option': type ignored");
		return 0;
	}
	if (ret < 0)
		return vpnc_cfg_bad(ctx, p[0], "%s", why != NULL ? why : "not accepted");
	if (strcmp(p[0], "max-routes") == 0)
		vpnc_cfg_note(ctx, VPNC_CFG_NOTE_VERB, "option 'max-routes' ignored: routes are limited "
		              "to %d of each family", VPNC_MAX_ROUTES);
	else if (strcmp(p[0], "route-delay") == 0)
		vpnc_cfg_note(ctx, VPNC_CFG_NOTE_VERB, "option 'route-delay' ignored: routes are set "
		              "once the tunnel device is up and addressed");
	return 0;
}

int vpnc_cfg_finish_net(struct vpnc_cfg_ctx *ctx)
{
	const char *why;

	if (ctx->cfg->net == NULL)
		return 0;
	ctx->cfg->net->tap = ctx->cfg->dev_tap;
	why = vpnc_push_profile_finish(ctx->cfg->net);
	if (why != NULL)
		return vpnc_cfg_fail(ctx, -EINVAL, "route and DNS options: %s", why);
	return 0;
}
