/*
 * cfg_opt_datapath.c: the handlers of the data-path options: vpnc's own
 * 'tun-offload yes|no' and 'coalesce-us N' (docs/offload.md,
 * docs/performance.md), and 2.6's 'shaper N' and 'client-nat'. The daemon's
 * loop and the engine read the values; the reader only checks and records
 * them.
 */
#include <errno.h>
#include <string.h>

#include <arpa/inet.h>

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

/* An IPv4 address as 2.6's getaddr() without resolving reads it (inet_aton's forms); network order. */
static int cnat_addr(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_aton(s, &a) == 0)
		return -EINVAL;
	*out = a.s_addr;
	return 0;
}

/* 'client-nat snat|dnat NETWORK NETMASK ALIAS', with 2.6's messages (clinat.c). */
VPNC_CFG_HANDLER(vpnc_cfg_opt_client_nat)
{
	struct vpnc_client_nat r;

	if (strcmp(p[1], "snat") != 0 && strcmp(p[1], "dnat") != 0)
		return vpnc_cfg_bad(ctx, p[0], "type must be 'snat' or 'dnat'");
	r.dnat = strcmp(p[1], "dnat") == 0;
	if (cnat_addr(p[2], &r.network) < 0)
		return vpnc_cfg_bad(ctx, p[0], "bad network: %s", p[2]);
	if (cnat_addr(p[3], &r.netmask) < 0)
		return vpnc_cfg_bad(ctx, p[0], "bad netmask: %s", p[3]);
	if (cnat_addr(p[4], &r.foreign) < 0)
		return vpnc_cfg_bad(ctx, p[0], "bad foreign network: %s", p[4]);
	/* 2.6 warns and drops rules beyond its table. */
	if (ctx->cfg->n_client_nat >= VPNC_CLIENT_NAT_MAX) {
		vpnc_cfg_note(ctx, 1, "client-nat table overflow (max %d entries): rule ignored, as in 2.6",
		              VPNC_CLIENT_NAT_MAX);
		return 0;
	}
	ctx->cfg->client_nat[ctx->cfg->n_client_nat++] = r;
	return 0;
}

/* 'replay-persist FILE' (daemon/rpersist.h): opened at start, with the rights of the profile's owner. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_replay_persist)
{
	size_t len = strlen(p[1]);

	if (len == 0 || len >= sizeof(ctx->cfg->replay_persist))
		return vpnc_cfg_bad(ctx, p[0], "the file name must be 1 to %zu bytes",
		                    sizeof(ctx->cfg->replay_persist) - 1);
	memcpy(ctx->cfg->replay_persist, p[1], len + 1);
	return 0;
}
