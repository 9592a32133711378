/*
 * cfg_opt_datapath.c: the handlers of vpnc's own data-path options,
 * 'tun-offload yes|no' and 'coalesce-us N' (docs/offload.md,
 * docs/performance.md). The daemon's loop reads the values; the reader only
 * checks and records them.
 */
#include <string.h>

#include "config/cfg_handlers.h"
#include "core/coalesce.h"

VPNC_CFG_HANDLER(vpnc_cfg_opt_tun_offload)
{
	if (strcmp(p[1], "yes") != 0 && strcmp(p[1], "no") != 0)
		return vpnc_cfg_bad(ctx, p[0], "must be 'yes' or 'no'");
	ctx->cfg->tun_offload = strcmp(p[1], "yes") == 0;
	return 0;
}

VPNC_CFG_HANDLER(vpnc_cfg_opt_coalesce_us)
{
	int v;

	if (vpnc_cfg_parse_int(p[1], 0, VPNC_COALESCE_MAX_US, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "must be a number of microseconds (0..%d)", VPNC_COALESCE_MAX_US);
	ctx->cfg->coalesce_us = v;
	return 0;
}
