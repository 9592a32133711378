/*
 * cfg_opt_pkcs11.c: the PKCS#11 options (docs/pkcs11.md) and their checks
 * across the whole config.
 *
 * The words are read as OpenVPN 2.6 reads them: one value per provider for
 * the per-provider options, 0/1 flags where any non-zero number means 1, the
 * private mode as a hex mask. What 2.6 takes without complaint but cannot
 * mean anything (a negative PIN cache, a word that is not hex) is kept as
 * 2.6 keeps it, with a note, so the profile still loads.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_handlers.h"

#ifndef VPNC_P11KIT_PROXY
#define VPNC_P11KIT_PROXY "p11-kit-proxy.so"
#endif

/* pkcs11-providers LIB...: replaces the list (the library is loaded only when vpnc starts). */
VPNC_CFG_HANDLER(vpnc_cfg_opt_pkcs11_providers)
{
	struct vpnc_config *cfg = ctx->cfg;
	char *dup[VPNC_P11_MAX_PROVIDERS] = {0};

	if (n - 1 > VPNC_P11_MAX_PROVIDERS)
		return vpnc_cfg_bad(ctx, p[0], "at most %d providers", VPNC_P11_MAX_PROVIDERS);
	/* Every name is checked before any is copied: an error leaves nothing to free. */
	for (int i = 1; i < n; i++)
		if (p[i][0] == '\0')
			return vpnc_cfg_bad(ctx, p[0], "a provider name is empty");
	for (int i = 1; i < n; i++) {
		dup[i - 1] = strdup(p[i]);
		if (dup[i - 1] == NULL) {
			for (int j = 0; j < i - 1; j++)
				free(dup[j]);
			return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
		}
	}
	for (size_t i = 0; i < cfg->n_pkcs11_providers; i++)
		free(cfg->pkcs11_providers[i]);
	memcpy(cfg->pkcs11_providers, dup, sizeof(dup));
	cfg->n_pkcs11_providers = (size_t)(n - 1);
	return 0;
}

/* A 0/1 word as 2.6 reads it (atoi() != 0); anything else is a note and 0. */
static bool p11_flag(struct vpnc_cfg_ctx *ctx, const char *opt, const char *w)
{
	int v;

	if (vpnc_cfg_parse_int(w, -INT_MAX, INT_MAX, &v) < 0) {
		char safe[64];

		vpnc_cfg_sanitize(safe, sizeof(safe), w);
		vpnc_cfg_note(ctx, 1, "%s: '%s' is not a number; taken as 0, as OpenVPN 2.6 does", opt, safe);
		return false;
	}
	return v != 0;
}

/* pkcs11-protected-authentication 0|1... and pkcs11-cert-private 0|1...: one per provider. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_pkcs11_flags)
{
	bool *dst = strcmp(p[0], "pkcs11-cert-private") == 0 ? ctx->cfg->pkcs11_cert_private
	                                                      : ctx->cfg->pkcs11_protected_auth;

	if (n - 1 > VPNC_P11_MAX_PROVIDERS)
		return vpnc_cfg_bad(ctx, p[0], "at most %d values, one per provider", VPNC_P11_MAX_PROVIDERS);
	for (int i = 1; i < n; i++)
		dst[i - 1] = p11_flag(ctx, p[0], p[i]);
	return 0;
}

/* pkcs11-private-mode HEX...: one mask per provider (1 sign, 2 sign-recover, 4 decrypt, 8 unwrap). */
VPNC_CFG_HANDLER(vpnc_cfg_opt_pkcs11_private_mode)
{
	if (n - 1 > VPNC_P11_MAX_PROVIDERS)
		return vpnc_cfg_bad(ctx, p[0], "at most %d values, one per provider", VPNC_P11_MAX_PROVIDERS);
	for (int i = 1; i < n; i++) {
		const char *w = p[i];
		char *end;
		unsigned long v;

		if (w[0] == '0' && (w[1] == 'x' || w[1] == 'X'))
			w += 2;
		errno = 0;
		v = strtoul(w, &end, 16);
		if (w[0] == '\0' || w[0] == '-' || w[0] == '+' || *end != '\0' || errno != 0 || v > 0xffffffffUL) {
			char safe[64];

			vpnc_cfg_sanitize(safe, sizeof(safe), p[i]);
			vpnc_cfg_note(ctx, 1, "%s: '%s' is not a hex mask; the mode is chosen automatically, as "
			              "OpenVPN 2.6 does", p[0], safe);
			v = 0;
		}
		ctx->cfg->pkcs11_private_mode[i - 1] = (unsigned)v;
	}
	return 0;
}

/* pkcs11-pin-cache SECONDS: how long a PIN stays good (default: until the token is removed). */
VPNC_CFG_HANDLER(vpnc_cfg_opt_pkcs11_pin_cache)
{
	int v;

	(void)n;
	if (vpnc_cfg_parse_int(p[1], -INT_MAX, INT_MAX, &v) < 0)
		return vpnc_cfg_bad(ctx, p[0], "must be a number of seconds");
	if (v < 0) {
		/* 2.6 reads it as a non-negative number: a negative one becomes 0 with a warning. */
		vpnc_cfg_note(ctx, 1, "%s: %d is negative; taken as 0 (the PIN is asked for each login), as "
		              "OpenVPN 2.6 does", p[0], v);
		v = 0;
	}
	ctx->cfg->pkcs11_pin_cache = v;
	return 0;
}

/* pkcs11-id ID: the serialized id that vpnc --show-pkcs11-ids prints. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_pkcs11_id)
{
	char *id;

	(void)n;
	if (p[1][0] == '\0')
		return vpnc_cfg_bad(ctx, p[0], "the id is empty (vpnc --show-pkcs11-ids lists the ids)");
	id = strdup(p[1]);
	if (id == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	free(ctx->cfg->pkcs11_id);
	ctx->cfg->pkcs11_id = id;
	return 0;
}

int vpnc_cfg_finish_pkcs11(struct vpnc_cfg_ctx *ctx)
{
	struct vpnc_config *cfg = ctx->cfg;

	if (cfg->n_pkcs11_providers == 0 && cfg->pkcs11_id == NULL)
		return 0; /* the per-provider options alone do nothing, in 2.6 too */
	ctx->where = cfg->path != NULL ? cfg->path : "command line";
	ctx->line = 0;
	if (cfg->pkcs11_id == NULL)
		return vpnc_cfg_fail(ctx, -EINVAL, "option 'pkcs11-providers' needs 'pkcs11-id' to name the "
		                     "certificate (vpnc --show-pkcs11-ids lists them)");
	if (ctx->cert.set || ctx->key.set || ctx->pkcs12.set)
		return vpnc_cfg_fail(ctx, -EINVAL, "option 'pkcs11-id' excludes 'cert', 'key' and 'pkcs12': "
		                     "the certificate and key come from the token");
	/* As 2.6 built with p11-kit: 'pkcs11-id' alone means the system's p11-kit proxy module. */
	if (cfg->n_pkcs11_providers == 0) {
		cfg->pkcs11_providers[0] = strdup(VPNC_P11KIT_PROXY);
		if (cfg->pkcs11_providers[0] == NULL)
			return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
		cfg->n_pkcs11_providers = 1;
	}
	return 0;
}
