/*
 * cfg_env.c: the environment variables that stand for options.
 *
 * VPNC_OFFLOAD and VPNC_COALESCE_US came before the options 'tun-offload' and
 * 'coalesce-us' and stay as their aliases. vpnc_config_load() applies them
 * through the option table before it reads the profile, so the profile and
 * the command line win over them. A bad value does not stop vpnc: it becomes
 * a note naming the variable, and the option keeps its default, as these
 * variables always behaved.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_internal.h"

#define CFG_ENV_WHERE "environment"

struct cfg_env_alias {
	const char *var;
	const char *option;
};

static const struct cfg_env_alias cfg_env_aliases[] = {
	{"VPNC_OFFLOAD", "tun-offload"},
	{"VPNC_COALESCE_US", "coalesce-us"},
};

/* VPNC_OFFLOAD took 0/no/off (and anything else meant on); the option takes yes|no. */
static const char *cfg_env_value(const struct cfg_env_alias *a, const char *v)
{
	if (strcmp(a->option, "tun-offload") != 0)
		return v;
	if (strcmp(v, "0") == 0 || strcmp(v, "no") == 0 || strcmp(v, "off") == 0)
		return "no";
	if (strcmp(v, "1") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "on") == 0)
		return "yes";
	return v;
}

static void cfg_env_apply(struct vpnc_cfg_ctx *ctx, const struct cfg_env_alias *a, const char *v)
{
	char name[32], word[VPNC_CFG_PARAM_MAX + 1], why[256], safe[64];
	char *p[3] = {name, word, NULL};
	char *saved_err = ctx->err;
	size_t saved_errlen = ctx->errlen, pre = strlen(CFG_ENV_WHERE ": ");
	const char *val = cfg_env_value(a, v);
	int ret = -1;

	snprintf(name, sizeof(name), "%s", a->option); /* handlers take writable words */
	snprintf(why, sizeof(why), CFG_ENV_WHERE ": the value is longer than %d bytes", VPNC_CFG_PARAM_MAX);
	if (strlen(val) <= VPNC_CFG_PARAM_MAX) {
		memcpy(word, val, strlen(val) + 1);
		ctx->err = why;
		ctx->errlen = sizeof(why);
		ret = vpnc_cfg_apply(ctx, p, 2);
		ctx->err = saved_err;
		ctx->errlen = saved_errlen;
	}
	if (ret < 0) {
		vpnc_cfg_sanitize(safe, sizeof(safe), v);
		vpnc_cfg_note(ctx, 1, "%s=%s ignored, %s", a->var, safe, strlen(why) > pre ? why + pre : why);
	}
}

void vpnc_cfg_env(struct vpnc_cfg_ctx *ctx)
{
	for (size_t i = 0; i < sizeof(cfg_env_aliases) / sizeof(cfg_env_aliases[0]); i++) {
		const char *v = getenv(cfg_env_aliases[i].var);

		if (v == NULL || v[0] == '\0')
			continue;
		ctx->where = CFG_ENV_WHERE;
		ctx->line = 0;
		cfg_env_apply(ctx, &cfg_env_aliases[i], v);
	}
}
