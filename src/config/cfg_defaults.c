/*
 * cfg_defaults.c: the values a client config starts from (OpenVPN 2.6 client
 * defaults), and the release of the parse context.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config/cfg_internal.h"
#include "core/coalesce.h"
#include "vpnc/defaults.h"

void vpnc_cfg_defaults(struct vpnc_config *cfg)
{
	cfg->default_transport = VPNC_TRANSPORT_UDP;
	cfg->default_family = AF_UNSPEC;
	memcpy(cfg->default_port, VPNC_DEFAULT_PORT, sizeof(VPNC_DEFAULT_PORT));
	cfg->connect_retry = 1;
	cfg->server_poll_timeout = 120;
	cfg->connect_retry_max_delay = 300;
	cfg->resolv_retry = -1;
	cfg->pkcs11_pin_cache = -1; /* until the token is removed, as OpenVPN */
	memcpy(cfg->dev, "tun", 4);
	cfg->mssfix = -1;
	cfg->tun_mtu_extra = -1;
	cfg->replay_window = -1;
	cfg->tun_offload = true;
	cfg->coalesce_us = VPNC_COALESCE_DEFAULT_US;
	cfg->key_direction = -1;
	memcpy(cfg->auth, VPNC_DEFAULT_AUTH, sizeof(VPNC_DEFAULT_AUTH));
	memcpy(cfg->data_ciphers, VPNC_DEFAULT_DATA_CIPHERS, sizeof(VPNC_DEFAULT_DATA_CIPHERS));
	cfg->reneg_sec = VPNC_DEFAULT_RENEG_SEC;
	cfg->reneg_sec_min = -1;
	cfg->hand_window = VPNC_DEFAULT_HAND_WINDOW;
	cfg->tls_timeout = VPNC_DEFAULT_TLS_TIMEOUT;
	cfg->verb = 1;
	cfg->script_security = 1;
	memcpy(cfg->http_proxy.version, "1.0", 4);
	cfg->privsep = true; /* 'privsep no' turns it off (docs/privileges.md) */
	/* Until a profile file says otherwise (cfg_file.c): the user who runs vpnc. */
	cfg->owner_uid = getuid();
	cfg->owner_gid = getgid();
}

void vpnc_cfg_ctx_release(struct vpnc_cfg_ctx *ctx)
{
	vpnc_fsowner_leave(&ctx->owner); /* back to vpnc's own file rights once the load is over */
	vpnc_cfg_src_clear(&ctx->ca);
	for (size_t i = 0; i < VPNC_MAX_SOCKS; i++)
		vpnc_cfg_src_clear(&ctx->socks_auth[i]);
	vpnc_cfg_src_clear(&ctx->cert);
	vpnc_cfg_src_clear(&ctx->key);
	vpnc_cfg_src_clear(&ctx->extra_certs);
	vpnc_cfg_src_clear(&ctx->tls_auth);
	vpnc_cfg_src_clear(&ctx->tls_crypt);
	vpnc_cfg_src_clear(&ctx->tls_crypt_v2);
	vpnc_cfg_src_clear(&ctx->secret);
	vpnc_cfg_src_clear(&ctx->user_pass);
	vpnc_cfg_src_clear(&ctx->proxy_user_pass);
	vpnc_cfg_src_clear(&ctx->pkcs12);
	vpnc_cfg_src_clear(&ctx->askpass);
	vpnc_cfg_src_clear(&ctx->crl);
	for (size_t i = 0; i < ctx->n_ignore; i++)
		free(ctx->ignore[i]);
	for (size_t i = 0; i < ctx->n_notes; i++)
		free(ctx->notes[i].msg);
	free(ctx->cd);
	free(ctx->capath);
	ctx->capath = NULL;
	vpnc_config_free(ctx->cfg);
	ctx->cfg = NULL;
	ctx->n_ignore = 0;
	ctx->n_notes = 0;
	ctx->cd = NULL;
}
