/*
 * cfg_opt_ctl.c: the handlers for 'control-socket PATH', the Unix socket
 * `vpnc status|disconnect|reconnect` talk to, and 'control-socket-group
 * NAME', the group that may read the status there. The daemon
 * (src/control/ctlsock.c) creates the socket; the reader only records the
 * path and looks the group up (so a typo fails with file and line).
 */
#include <errno.h>
#include <grp.h>
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

VPNC_CFG_HANDLER(vpnc_cfg_opt_control_socket_group)
{
	struct group *gr;

	errno = 0;
	gr = getgrnam(p[1]);
	if (gr == NULL)
		return vpnc_cfg_bad(ctx, p[0], "no such group%s", errno != 0 ? " (lookup failed)" : "");
	/* Root's group would hand status to everyone who is in it, quietly: refuse the mistake. */
	if (gr->gr_gid == 0)
		return vpnc_cfg_bad(ctx, p[0], "the group must not be root's (gid 0)");
	ctx->cfg->control_gid = gr->gr_gid;
	ctx->cfg->control_group_set = true;
	return 0;
}
