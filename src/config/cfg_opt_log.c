/*
 * cfg_opt_log.c: handlers for where the log goes: 'log FILE', 'log-append
 * FILE' and 'syslog [name]'. The daemon's logger (src/daemon/log.c) opens
 * them; the reader only records them. As in OpenVPN, a log file wins over
 * syslog, and a later 'log' or 'log-append' replaces an earlier one.
 */
#include <string.h>

#include "config/cfg_handlers.h"

VPNC_CFG_HANDLER(vpnc_cfg_opt_log)
{
	struct vpnc_config *cfg = ctx->cfg;
	size_t len;

	if (strcmp(p[0], "syslog") == 0) {
		cfg->syslog = true;
		cfg->syslog_ident[0] = '\0';
		if (n < 2)
			return 0;
		len = strlen(p[1]);
		if (len == 0 || len >= sizeof(cfg->syslog_ident))
			return vpnc_cfg_bad(ctx, p[0], "the name must be 1 to %zu bytes",
			                    sizeof(cfg->syslog_ident) - 1);
		memcpy(cfg->syslog_ident, p[1], len + 1);
		return 0;
	}
	len = strlen(p[1]);
	if (len == 0 || len >= sizeof(cfg->log_path))
		return vpnc_cfg_bad(ctx, p[0], "the file name must be 1 to %zu bytes", sizeof(cfg->log_path) - 1);
	memcpy(cfg->log_path, p[1], len + 1);
	cfg->log_append = strcmp(p[0], "log-append") == 0;
	return 0;
}
