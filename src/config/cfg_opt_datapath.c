/*
 * cfg_opt_datapath.c: the handlers of the data-path options: vpnc's own
 * 'tun-offload yes|no' and 'coalesce-us N' (docs/offload.md,
 * docs/performance.md), and 2.6's 'shaper N'. The daemon's loop reads the
 * values; the reader only checks and records them.
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

/* 2.6's bounds (SHAPER_MIN, SHAPER_MAX in its shaper.h): 100 B/s to 100 MB/s. */
#define SHAPER_MIN 100
#define SHAPER_MAX 100000000

VPNC_CFG_HANDLER(vpnc_cfg_opt_shaper)
{
	int v;

	if (vpnc_cfg_parse_int(p[1], SHAPER_MIN, SHAPER_MAX, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "must be between %d and %d (bytes per second)", SHAPER_MIN,
		                    SHAPER_MAX);
	ctx->cfg->shaper = v;
	return 0;
}
