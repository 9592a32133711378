/*
 * cfg_opt_ctl.c: the handler for 'control-socket PATH', the
 * Unix socket `vpnc status|disconnect|reconnect` talk to. The daemon
 * (src/control/ctlsock.c) creates it; the reader only records the path.
 */
#include <string.h>

#include "config/cfg_handlers.h"

VPNC_CFG_HANDLER(vpnc_cfg_opt_control_socket)
{
	struct vpnc_config *cfg = ctx->cfg;
	size_t len = strlen(p[1]);

	if (p[1][0] != '/')
		return vpnc_cfg_bad(ctx, p[0], "the path must be absolute");
	if (len >= sizeof(cfg->control_socket))
		return vpnc_cfg_bad(ctx, p[0], "the path must be shorter than %zu bytes",
		                    sizeof(cfg->control_socket));
	memcpy(cfg->control_socket, p[1], len + 1);
	return 0;
}
