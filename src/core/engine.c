/*
 * engine.c: the engine's public API: creation, the data path, keepalive and
 * session timers. It is the top of the engine's files and none calls back
 * into it: control packets go to ctrlchan.c, and what that leaves in TLS
 * goes from here to keyex.c; all of them report through engine_event.c
 * (who calls whom: docs/architecture.md, checked by ctest check_calls).
 *
 * This file owns the per-packet data path, which follows the
 * project's rule: one caller-owned output buffer per packet, no allocation,
 * no formatting, no copy besides the cipher's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/engine_int.h"
#include "core/ctrlchan.h"
#include "core/engine_event.h"
#include "core/engine_frag.h"
#include "core/engine_probe.h"
#include "core/engine_static.h"
#include "core/clinat.h"
#include "core/dhcp.h"
#include "core/eth.h"
#include "core/keyex.h"
#include "vpnc/defaults.h"

/* OpenVPN's keepalive payload, sent as an ordinary data packet. */
static const uint8_t ping_magic[16] = {0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb,
                                       0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48};
/* OCC messages on the data channel: magic then a type byte; 6 = EXIT. */
static const uint8_t occ_magic[16] = {0x28, 0x7f, 0x34, 0x6b, 0xd4, 0xef, 0x7a, 0x81,
                                      0x2d, 0x56, 0xb8, 0xd3, 0xaf, 0xc5, 0x45, 0x9c};

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static void free_secret(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

/* Keeps the supported ciphers of a colon list, in order, with canonical names. */
static int canonical_ciphers(struct vpnc_engine *e, const char *list)
{
	char tmp[256];
	char *save = NULL;
	size_t n = 0;

	snprintf(tmp, sizeof(tmp), "%s", list);
	e->data_ciphers[0] = '\0';
	for (char *tok = strtok_r(tmp, ":", &save); tok != NULL; tok = strtok_r(NULL, ":", &save)) {
		const char *canon;
		if (vpnc_dc_cipher_lookup(tok, &canon) != 0) {
			VPNC_LOG(e, 1, "data cipher '%s' is not supported; leaving it out", tok);
			continue;
		}
		size_t l = strlen(canon);
		if (n + l + 2 > sizeof(e->data_ciphers))
			break;
		if (n > 0)
			e->data_ciphers[n++] = ':';
		memcpy(e->data_ciphers + n, canon, l + 1);
		n += l;
	}
	return n > 0 ? 0 : -EINVAL;
}

void vpnc_engine_cfg_from_config(struct vpnc_engine_cfg *cfg, const struct vpnc_config *conf)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->role = VPNC_ROLE_CLIENT;
	cfg->transport = conf->n_remotes > 0 ? conf->remotes[0].transport : conf->default_transport;
	cfg->verify_x509_name = conf->verify_x509_name;
	cfg->verify_x509_type = conf->verify_x509_type;
	cfg->remote_cert_tls_server = conf->remote_cert_tls_server;
	cfg->wrap = conf->wrap;
	cfg->wrap_key = conf->wrap_key;
	cfg->key_direction = conf->key_direction;
	cfg->auth_digest = conf->auth;
	cfg->wkc = conf->wkc;
	cfg->wkc_len = conf->wkc_len;
	if (conf->secret) {
		cfg->static_key = conf->secret_key;
		cfg->static_key_direction = conf->key_direction;
		cfg->static_cipher = conf->secret_cipher;
	}
	cfg->p2p = conf->tls_client && !conf->pull && !conf->secret;
	cfg->data_ciphers = conf->data_ciphers;
	cfg->data_ciphers_fallback = conf->data_ciphers_fallback;
	cfg->comp = conf->comp;
	cfg->comp_allowed = vpnc_config_comp_allowed(conf);
	cfg->username = conf->username;
	cfg->password = conf->password;
	cfg->tls_timeout = conf->tls_timeout;
	cfg->hand_window = conf->hand_window;
	cfg->reneg_sec = conf->reneg_sec;
	cfg->reneg_sec_min_set = conf->reneg_sec_min >= 0;
	cfg->reneg_sec_min = conf->reneg_sec_min;
	cfg->reneg_bytes = conf->reneg_bytes;
	cfg->reneg_pkts = conf->reneg_pkts;
	cfg->tran_window = conf->tran_window;
	cfg->explicit_exit_notify = conf->explicit_exit_notify;
	cfg->ping = conf->ping;
	cfg->ping_restart = conf->ping_restart;
	cfg->ping_exit = conf->ping_exit;
	cfg->session_timeout = conf->session_timeout;
	cfg->inactive = conf->inactive;
	cfg->inactive_bytes = conf->inactive_bytes;
	cfg->push_peer_info = conf->push_peer_info;
	cfg->peer_info_uv = conf->peer_info_uv[0] ? conf->peer_info_uv : NULL;
	cfg->replay_window_set = conf->replay_window >= 0;
	cfg->replay_window = conf->replay_window;
	cfg->tun_mtu = conf->tun_mtu;
	cfg->tun_mtu_max = conf->tun_mtu_max;
	cfg->tap = conf->dev_tap;
	cfg->mtu_extra = conf->tun_mtu_extra >= 0 ? conf->tun_mtu_extra
	                 : conf->dev_tap        ? VPNC_DEFAULT_TAP_MTU_EXTRA
	                                        : 0;
	cfg->mssfix = conf->mssfix;
	cfg->mssfix_mode = conf->mssfix_mode;
	cfg->client_nat = conf->client_nat;
	cfg->n_client_nat = conf->n_client_nat;
	/* The first remote's; the daemon sets the one it connects to. */
	cfg->fragment = conf->n_remotes > 0 ? conf->remotes[0].fragment : 0;
	cfg->fragment_mtu = conf->n_remotes > 0 && conf->remotes[0].fragment_mtu;
	cfg->verb = conf->verb;
	cfg->pull_filters = conf->pull_filters;
	cfg->n_pull_filters = conf->n_pull_filters;
	cfg->route_nopull = conf->route_nopull;
	cfg->net = conf->net;
}

/*
 * What a 2.6 pull client adds to its peer info after the compression stubs:
 * with push-peer-info, IV_HWADDR (the MAC address of the default route's
 * interface, when the caller found one) and IV_SSL (the TLS library's
 * version); always, the profile's setenv UV_* variables. Whatever does not
 * fit is left out rather than sent cut.
 */
static void engine_peer_info_extra(struct vpnc_engine *e, const struct vpnc_engine_cfg *cfg)
{
	size_t cap = sizeof(e->peer_info_extra), len = 0;
	int n;

	e->peer_info_extra[0] = '\0';
	if (cfg->push_peer_info) {
		if (cfg->iv_hwaddr != NULL && cfg->iv_hwaddr[0]) {
			n = snprintf(e->peer_info_extra, cap, "IV_HWADDR=%s\n", cfg->iv_hwaddr);
			len = n > 0 && (size_t)n < cap ? (size_t)n : 0;
		}
		n = snprintf(e->peer_info_extra + len, cap - len, "IV_SSL=%s\n", OpenSSL_version(OPENSSL_VERSION));
		len = n > 0 && (size_t)n < cap - len ? len + (size_t)n : len;
		e->peer_info_extra[len] = '\0';
	}
	if (cfg->peer_info_uv != NULL) {
		n = snprintf(e->peer_info_extra + len, cap - len, "%s", cfg->peer_info_uv);
		if (n < 0 || (size_t)n >= cap - len)
			e->peer_info_extra[len] = '\0';
	}
}

int vpnc_engine_new(const struct vpnc_engine_cfg *cfg, struct vpnc_engine **out)
{
	struct vpnc_engine *e;
	uint32_t now_unix;
	int r = -ENOMEM;

	*out = NULL;
	if ((cfg->ssl_ctx == NULL && cfg->static_key == NULL) || cfg->rand == NULL || cfg->wallclock == NULL)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	e->role = cfg->role;
	e->transport = cfg->transport;
	e->log = cfg->log;
	e->log_ctx = cfg->log_ctx;
	e->verb = cfg->verb;
	e->rand = cfg->rand;
	e->rand_ctx = cfg->rand_ctx;
	e->wallclock = cfg->wallclock;
	e->wallclock_ctx = cfg->wallclock_ctx;
	e->ssl_ctx = cfg->ssl_ctx;
	if (e->ssl_ctx != NULL)
		SSL_CTX_up_ref(e->ssl_ctx);
	e->verify_x509_type = cfg->verify_x509_type;
	e->remote_cert_tls_server = cfg->remote_cert_tls_server;
	e->wrap = cfg->wrap;
	e->key_direction = cfg->key_direction;
	snprintf(e->auth_digest, sizeof(e->auth_digest), "%s",
	         cfg->auth_digest != NULL && cfg->auth_digest[0] ? cfg->auth_digest : VPNC_DEFAULT_AUTH);
	snprintf(e->data_ciphers_fallback, sizeof(e->data_ciphers_fallback), "%s",
	         cfg->data_ciphers_fallback != NULL ? cfg->data_ciphers_fallback : "");
	e->tls_timeout_ms = (cfg->tls_timeout > 0 ? cfg->tls_timeout : VPNC_DEFAULT_TLS_TIMEOUT) * 1000;
	e->hand_window_ms = (uint64_t)(cfg->hand_window > 0 ? cfg->hand_window : VPNC_DEFAULT_HAND_WINDOW) * 1000;
	e->tun_mtu = cfg->tun_mtu > 0 ? cfg->tun_mtu : VPNC_DEFAULT_TUN_MTU;
	_Static_assert(VPNC_TUN_MTU_CARRY == VPNC_LINK_MAX - VPNC_DATA_OVERHEAD, "defaults.h and engine.h disagree");
	/* 2.6: the buffers (and IV_MTU) hold the largest of tun-mtu-max, tun-mtu and 1600. */
	e->iv_mtu = VPNC_IV_MTU_MIN;
	if (cfg->tun_mtu_max > e->iv_mtu)
		e->iv_mtu = cfg->tun_mtu_max;
	if (e->tun_mtu > e->iv_mtu)
		e->iv_mtu = e->tun_mtu;
	e->ping_cfg = cfg->ping;
	e->ping_restart_cfg = cfg->ping_restart;
	e->ping_exit_ms = cfg->ping_exit > 0 ? (uint64_t)cfg->ping_exit * 1000 : 0;
	e->session_ms = cfg->session_timeout > 0 ? (uint64_t)cfg->session_timeout * 1000 : 0;
	e->inactive_ms = cfg->inactive > 0 ? (uint64_t)cfg->inactive * 1000 : 0;
	e->inactive_bytes = cfg->inactive_bytes > 0 ? (uint64_t)cfg->inactive_bytes : 0;
	engine_peer_info_extra(e, cfg);
	e->p2p = cfg->p2p && cfg->static_key == NULL;
	e->peer_info_full = cfg->push_peer_info;
	e->replay_restore = cfg->replay_restore;
	e->replay_time = cfg->replay_time;
	e->replay_id = cfg->replay_id;
	e->replay_window = cfg->replay_window_set && cfg->replay_window >= 0 ? (unsigned)cfg->replay_window
	                                                                     : VPNC_REPLAY_WINDOW;
	e->mssfix = cfg->mssfix < 0 ? VPNC_DEFAULT_MSSFIX : cfg->mssfix;
	e->mssfix_mode = cfg->mssfix < 0 ? VPNC_MSSFIX_MTU : cfg->mssfix_mode;
	e->link_ipv6 = cfg->link_ipv6;
	e->link_extra = cfg->link_extra > 0 ? cfg->link_extra : 0;
	e->tap = cfg->tap;
	if (cfg->client_nat != NULL && cfg->n_client_nat > 0) {
		e->n_cnat = cfg->n_client_nat < VPNC_CLIENT_NAT_MAX ? cfg->n_client_nat : VPNC_CLIENT_NAT_MAX;
		memcpy(e->cnat, cfg->client_nat, e->n_cnat * sizeof(e->cnat[0]));
		e->n_cnat_cfg = e->n_cnat;
	}
	e->mtu_extra = cfg->mtu_extra > 0 ? cfg->mtu_extra : 0;
	e->comp = cfg->comp;
	/* A profile that configures real compression allows it (vpnc_config_comp_allowed()). */
	e->comp_allowed = cfg->comp_allowed || vpnc_comp_is_real(cfg->comp);
	e->exit_notify_cfg = cfg->explicit_exit_notify;
	e->peer_id_cfg = cfg->peer_id;
	e->ks = &e->slots[0];
	e->reneg_ms = cfg->reneg_sec > 0 ? (uint64_t)cfg->reneg_sec * 1000 : 0;
	if (cfg->reneg_sec > 0 && cfg->reneg_sec_min_set && cfg->reneg_sec_min >= 0 &&
	    cfg->reneg_sec_min < cfg->reneg_sec) {
		/* 'reneg-sec MAX MIN' as 2.6 draws it once per session: MAX - random % (MAX - MIN). */
		uint32_t draw, span = (uint32_t)(cfg->reneg_sec - cfg->reneg_sec_min);

		cfg->rand(cfg->rand_ctx, &draw, sizeof(draw));
		e->reneg_ms = (uint64_t)(cfg->reneg_sec - (int)(draw % span)) * 1000;
	}
	e->reneg_bytes = cfg->reneg_bytes > 0 ? (uint64_t)cfg->reneg_bytes : 0;
	e->reneg_pkts = cfg->reneg_pkts > 0 ? (uint64_t)cfg->reneg_pkts : 0;
	e->tran_ms = (uint64_t)(cfg->tran_window > 0 ? cfg->tran_window : VPNC_DEFAULT_TRAN_WINDOW) * 1000;
	e->server_prf = cfg->server_prf;
	vpnc_push_init(&e->push);
	/* As OpenVPN restores its options before each pull: the profile's routes and DNS, then the push. */
	if (cfg->net != NULL) {
		memcpy(&e->push, cfg->net, sizeof(e->push));
		e->push.n_ignored = e->push.n_rejected = e->push.n_filtered = e->push.n_logged = 0;
	}
	e->push.tap = e->tap; /* ifconfig's netmask and IPv6 next hops are read as on a TAP */
	vpnc_loglimit_init(&e->peer_log);

	if (canonical_ciphers(e, cfg->data_ciphers != NULL && cfg->data_ciphers[0]
	                                 ? cfg->data_ciphers
	                                 : VPNC_DEFAULT_DATA_CIPHERS) != 0) {
		VPNC_LOG(e, 0, "no supported cipher in data-ciphers");
		r = -EINVAL;
		goto fail;
	}
	if ((cfg->verify_x509_name != NULL && (e->verify_x509_name = strdup(cfg->verify_x509_name)) == NULL) ||
	    (cfg->username != NULL && (e->username = dup_or_null(cfg->username)) == NULL) ||
	    (cfg->password != NULL && (e->password = dup_or_null(cfg->password)) == NULL) ||
	    (cfg->push_reply != NULL && (e->push_reply = dup_or_null(cfg->push_reply)) == NULL))
		goto fail;

	if (cfg->n_pull_filters > 0) {
		if (cfg->pull_filters == NULL || cfg->n_pull_filters > VPNC_MAX_PULL_FILTERS) {
			r = -EINVAL;
			goto fail;
		}
		e->pull_filters = calloc(cfg->n_pull_filters, sizeof(*e->pull_filters));
		if (e->pull_filters == NULL)
			goto fail;
		memcpy(e->pull_filters, cfg->pull_filters, cfg->n_pull_filters * sizeof(*e->pull_filters));
		e->n_pull_filters = cfg->n_pull_filters;
	}
	e->route_nopull = cfg->route_nopull;
	e->crtext = cfg->crtext;

	if (cfg->auth_token != NULL)
		snprintf(e->auth_token, sizeof(e->auth_token), "%s", cfg->auth_token);
	if (cfg->auth_token_user != NULL)
		snprintf(e->auth_token_user, sizeof(e->auth_token_user), "%s", cfg->auth_token_user);
	if (e->wrap != VPNC_WRAP_NONE) {
		if (cfg->wrap_key == NULL) {
			r = -EINVAL;
			goto fail;
		}
		memcpy(e->wrap_key, cfg->wrap_key, VPNC_STATIC_KEY_LEN);
	}
	if (e->wrap == VPNC_WRAP_TLS_CRYPT_V2) {
		if (cfg->wkc == NULL || cfg->wkc_len == 0 || cfg->wkc_len > VPNC_MAX_WKC_LEN) {
			r = -EINVAL;
			goto fail;
		}
		memcpy(e->wkc, cfg->wkc, cfg->wkc_len);
		e->wkc_len = cfg->wkc_len;
	}
	if ((r = vpnc__frag_init(e, cfg)) != 0)
		goto fail;
	now_unix = (uint32_t)e->wallclock(e->wallclock_ctx);
	bool server = e->role == VPNC_ROLE_SERVER;
	switch (e->wrap) {
	case VPNC_WRAP_TLS_CRYPT:
		r = vpnc_tlscrypt_new(&e->tc, e->wrap_key, server, 0, now_unix);
		break;
	case VPNC_WRAP_TLS_CRYPT_V2:
		/* Starting at 0x0F000000 announces early negotiation to a 2.6 server. */
		r = vpnc_tlscrypt_new(&e->tc, e->wrap_key, server, server ? 0 : 0x0F000000u, now_unix);
		break;
	case VPNC_WRAP_TLS_AUTH:
		r = vpnc_tlsauth_new(&e->ta, e->wrap_key, e->auth_digest, e->key_direction, server, now_unix);
		break;
	default:
		r = 0;
		break;
	}
	if (r == 0 && cfg->static_key != NULL)
		r = vpnc__static_init(e, cfg);
	if (r != 0)
		goto fail;
	*out = e;
	return 0;
fail:
	vpnc_engine_free(e);
	return r;
}

void vpnc_engine_free(struct vpnc_engine *e)
{
	if (e == NULL)
		return;
	vpnc__ks_clear(&e->slots[0]);
	vpnc__ks_clear(&e->slots[1]);
	vpnc_tlscrypt_free(e->tc);
	vpnc_tlscrypt_free(e->tc_dyn);
	vpnc_tlsauth_free(e->ta);
	SSL_CTX_free(e->ssl_ctx);
	free(e->verify_x509_name);
	free_secret(e->username);
	free_secret(e->password);
	free_secret(e->push_reply); /* server role: it may carry an auth-token */
	free(e->pull_filters);
	if (e->zbuf != NULL) {
		OPENSSL_cleanse(e->zbuf, e->zcap); /* held decrypted traffic */
		free(e->zbuf);
	}
	vpnc__frag_free(e);
	vpnc_push_clear(&e->push);
	OPENSSL_cleanse(e, sizeof(*e));
	free(e);
}

int vpnc_engine_start(struct vpnc_engine *e, uint64_t now)
{
	if (e->state != VPNC_ST_INITIAL)
		return -EALREADY;
	e->start_time = now;
	e->last_recv = now;
	e->last_send = now;
	e->last_data = now; /* 2.6 starts the inactive timer with the session, not at connect */
	if (e->static_key) {
		vpnc__static_start(e, now);
		return 0;
	}
	return vpnc__ctrl_start(e, now);
}

/*
 * Tunnel traffic for 'inactive N BYTES', counted as 2.6 does: the timer
 * restarts once BYTES have passed through the TUN since it last restarted
 * (with no BYTES, every packet restarts it). Pings and OCC do not count.
 */
static inline void data_activity(struct vpnc_engine *e, uint64_t now, size_t len)
{
	e->inactive_acc += len;
	if (e->inactive_acc >= e->inactive_bytes) {
		e->inactive_acc = 0;
		e->last_data = now;
	}
}

/* An IPv6 packet, or on a TAP an Ethernet frame carrying one (behind at most one 802.1Q tag). */
static inline bool is_ipv6(const struct vpnc_engine *e, const uint8_t *p, size_t len)
{
	uint16_t type;

	if (!e->tap)
		return (p[0] >> 4) == 6;
	return vpnc_eth_ip_offset(p, len, &type) >= 0 && type == VPNC_ETH_P_IPV6;
}

/* client-nat (clinat.h) on a packet, or on the IP packet inside a TAP frame. */
static void cnat(const struct vpnc_engine *e, uint8_t *p, size_t len, enum vpnc_clinat_dir dir)
{
	if (e->tap)
		(void)vpnc_clinat_frame(e->cnat, e->n_cnat, p, len, dir);
	else
		(void)vpnc_clinat(e->cnat, e->n_cnat, p, len, dir);
}

/* mssfix on a packet, or on the IP packet inside a TAP frame. */
static inline void clamp(const struct vpnc_engine *e, uint8_t *p, size_t len)
{
	if (e->tap)
		vpnc_mss_clamp_frame(p, len, e->mss4, e->mss6);
	else
		vpnc_mss_clamp(p, len, e->mss4, e->mss6);
}

int vpnc_engine_tun_in(struct vpnc_engine *e, uint64_t now, uint8_t *ip, size_t len,
                       struct vpnc_buf *out)
{
	struct vpnc_keystate *ks = vpnc__tx_key(e);

	if (ks == NULL || e->state == VPNC_ST_FAILED)
		return -EAGAIN;
	if (len == 0)
		return -EINVAL;
	/* block-ipv6: 2.6 answers with ICMPv6 "no route"; we only keep the packet off the tunnel. */
	if (e->push.block_ipv6 && is_ipv6(e, ip, len)) {
		e->stats.tun_blocked_pkts++;
		return -EPERM;
	}
	if (e->mss4 != 0)
		clamp(e, ip, len);
	if (e->n_cnat != 0)
		cnat(e, ip, len, VPNC_CLINAT_OUT);
	int n = e->fragment > 0 ? vpnc__frag_tun_in(e, ks, ip, len, out)
	                        : vpnc_dc_encrypt(&ks->dc, ip, len, vpnc_buf_data(out), out->cap - out->off);
	if (n < 0)
		return n;
	out->len = (size_t)n;
	e->last_send = now;
	data_activity(e, now, len);
	ks->bytes += len;
	ks->pkts++;
	e->stats.tun_in_pkts++;
	e->stats.tun_in_bytes += len;
	e->stats.link_out_pkts++;
	e->stats.link_out_bytes += (size_t)n;
	return 0;
}

/*
 * route-gateway dhcp (dhcp.h): every DHCP reply to the TAP loses its router
 * option, as in 2.6, so the device's DHCP client never makes the VPN its
 * default route; the first ACK's router becomes the VPN gateway, unless the
 * profile or the push named one.
 */
static void dhcp_in(struct vpnc_engine *e, uint8_t *f, size_t len)
{
	uint32_t gw = 0;

	if (vpnc_dhcp_snoop(f, len, &gw) != VPNC_DHCP_ACK_ROUTER || vpnc_push_vpn_gateway4(&e->push) != 0)
		return;
	if (gw == 0xFFFFFFFFu || (gw & 0xF0000000u) == 0xE0000000u || (gw >> 24) == 127) {
		if (!e->dhcp_bad_logged)
			VPNC_LOG(e, 1, "route-gateway dhcp: the DHCP ACK's router %u.%u.%u.%u is not a usable "
			         "gateway; still waiting for one", gw >> 24, (gw >> 16) & 255, (gw >> 8) & 255, gw & 255);
		e->dhcp_bad_logged = true;
		return;
	}
	e->push.has_route_gateway = true;
	e->push.route_gateway = gw;
	vpnc__event(e, VPNC_EV_GATEWAY, "Extracted DHCP router address: %u.%u.%u.%u", gw >> 24,
	            (gw >> 16) & 255, (gw >> 8) & 255, gw & 255);
}

/* Handles a decrypted data packet that is not for the TUN (ping, OCC). Returns true if consumed. */
static bool data_special(struct vpnc_engine *e, const uint8_t *p, size_t len)
{
	if (len == sizeof(ping_magic) && memcmp(p, ping_magic, sizeof(ping_magic)) == 0)
		return true;
	if (len >= sizeof(occ_magic) + 1 && memcmp(p, occ_magic, sizeof(occ_magic)) == 0) {
		if (p[sizeof(occ_magic)] == VPNC_OCC_EXIT && e->role == VPNC_ROLE_CLIENT) {
			vpnc__fail(e, VPNC_CAUSE_SERVER_EXIT, false, "the server is shutting down (OCC exit)");
		}
		/* The server role answers a path probe's request, as an OpenVPN server does. */
		if (p[sizeof(occ_magic)] == VPNC_OCC_REQUEST && e->role == VPNC_ROLE_SERVER) {
			e->occ_due = true;
			e->occ_type = VPNC_OCC_REPLY;
		}
		return true;
	}
	return false;
}

int vpnc_engine_link_in(struct vpnc_engine *e, uint64_t now, const uint8_t *pkt, size_t len,
                        struct vpnc_buf *tun_out)
{
	if (len < 1)
		return vpnc__drop(e, VPNC_DROP_SHORT, -EINVAL);
	e->stats.link_in_pkts++;
	e->stats.link_in_bytes += len;
	if (e->state == VPNC_ST_FAILED)
		return -ESHUTDOWN;

	unsigned op = vpnc_op_of(pkt[0]);
	/* Static-key packets have no opcode: every one is data under the one key. */
	if (e->static_key || op == VPNC_OP_DATA_V2 || op == VPNC_OP_DATA_V1) {
		unsigned kid = vpnc_kid_of(pkt[0]);
		struct vpnc_keystate *ks = e->ks;
		if (e->static_key)
			kid = ks->key_id;
		if (!ks->dc_ready || kid != ks->key_id) {
			ks = e->lame;
			if (ks == NULL || !ks->dc_ready || kid != ks->key_id) {
				if (!e->ks->dc_ready && e->lame == NULL)
					return vpnc__drop(e, VPNC_DROP_NO_KEYS, -EAGAIN);
				return vpnc__drop(e, VPNC_DROP_KEY_ID, -ENOKEY);
			}
		}
		int n = e->fragment > 0
		                ? vpnc__frag_link_in(e, ks, now, pkt, len, tun_out)
		                : vpnc_dc_decrypt(&ks->dc, pkt, len, vpnc_buf_data(tun_out), tun_out->cap - tun_out->off);
		if (n < 0) {
			if (n == VPNC__FRAG_DROPPED)
				return n; /* counted and logged there */
			if (n == -EALREADY)
				return vpnc__drop(e, VPNC_DROP_REPLAY, n);
			if (n == -ENOSPC)
				return vpnc__drop(e, VPNC_DROP_TOO_BIG, n);
			if (n == -EINVAL)
				return vpnc__drop(e, VPNC_DROP_SHORT, n);
			if (n == -ENOTSUP || n == -EPROTO)
				return vpnc__drop(e, VPNC_DROP_COMP, n);
			if (n == -EMSGSIZE || n == -EILSEQ)
				return vpnc__drop(e, VPNC_DROP_DECOMP, n);
			/* Nothing is negotiated in static-key mode: a mismatch shows only here. */
			if (e->static_key && !(e->drop_logged & (1u << VPNC_DROP_DECRYPT)))
				VPNC_LOG(e, 1, "static-key mode: the peer's packets do not authenticate; does it use "
				         "the same key, the opposite key direction, cipher %s and auth %s?",
				         e->cipher, e->auth_digest);
			return vpnc__drop(e, VPNC_DROP_DECRYPT, n);
		}
		e->last_recv = now;
		ks->tx_ok = true;
		ks->bytes += (size_t)n;
		ks->pkts++;
		if (n == 0 || data_special(e, vpnc_buf_data(tun_out), (size_t)n))
			return 0;
		tun_out->len = (size_t)n;
		data_activity(e, now, (size_t)n);
		if (e->mss4 != 0)
			clamp(e, vpnc_buf_data(tun_out), (size_t)n);
		if (e->n_cnat != 0)
			cnat(e, vpnc_buf_data(tun_out), (size_t)n, VPNC_CLINAT_IN);
		if (e->dhcp_snoop)
			dhcp_in(e, vpnc_buf_data(tun_out), (size_t)n);
		e->stats.tun_out_pkts++;
		e->stats.tun_out_bytes += (size_t)n;
		return 1;
	}
	int r = vpnc__ctrl_in(e, now, pkt, len);
	if (r > 0) {
		vpnc__keyex_process(e, e->ks, now);
		r = 0;
	}
	return r;
}

/* Encrypts one data-channel message of the engine's own (OCC, ping) into out and counts it. */
static bool link_out_own(struct vpnc_engine *e, struct vpnc_keystate *ks, const uint8_t *msg,
                         size_t mlen, struct vpnc_buf *out)
{
	int n = e->fragment > 0 ? vpnc__frag_own(e, ks, msg, mlen, out)
	                        : vpnc_dc_encrypt(&ks->dc, msg, mlen, vpnc_buf_data(out), out->cap - out->off);

	if (n <= 0)
		return false;
	out->len = (size_t)n;
	e->stats.link_out_pkts++;
	e->stats.link_out_bytes += (size_t)n;
	return true;
}

int vpnc_engine_path_mtu(struct vpnc_engine *e, uint64_t now, int pmtu)
{
	if (pmtu < VPNC_FRAG_MIN)
		return -EINVAL;
	unsigned changed = vpnc__frag_path_mtu(e, now, pmtu);
	/* The limits of the key in use now; a later key computes them from the new values. */
	struct vpnc_keystate *ks = vpnc__tx_key(e);
	if (ks != NULL && changed != 0) {
		if (changed & VPNC__PMTU_MSSFIX)
			vpnc__mss_for_key(e, &ks->dc);
		vpnc__frag_keys(e, &ks->dc);
	}
	return vpnc__frag_fits(e, pmtu) ? 0 : -EMSGSIZE;
}

int vpnc_engine_link_out(struct vpnc_engine *e, uint64_t now, struct vpnc_buf *out)
{
	struct vpnc_keystate *ks = vpnc__tx_key(e);

	if (e->exit_pkts > 0 && ks != NULL) {
		/* OpenVPN's explicit-exit-notify without cc-exit: OCC_EXIT on the data channel. */
		uint8_t msg[sizeof(occ_magic) + 1];
		memcpy(msg, occ_magic, sizeof(occ_magic));
		msg[sizeof(occ_magic)] = VPNC_OCC_EXIT;
		e->exit_pkts--;
		if (link_out_own(e, ks, msg, sizeof(msg), out))
			return 1;
	}
	if (e->ping_due && ks != NULL) {
		e->ping_due = false;
		if (link_out_own(e, ks, ping_magic, sizeof(ping_magic), out)) {
			e->last_send = now;
			return 1;
		}
	}
	if (e->occ_due && ks != NULL) {
		/* A path probe's OCC_REQUEST (the server answers it), or the server role's OCC_REPLY. */
		uint8_t msg[sizeof(occ_magic) + 2];
		size_t mlen = sizeof(occ_magic) + 1;
		memcpy(msg, occ_magic, sizeof(occ_magic));
		msg[sizeof(occ_magic)] = e->occ_type;
		if (e->occ_type == VPNC_OCC_REPLY)
			msg[mlen++] = '\0'; /* an empty options string */
		e->occ_due = false;
		if (link_out_own(e, ks, msg, mlen, out)) {
			e->last_send = now;
			return 1;
		}
	}
	if (e->static_key)
		return 0; /* no control channel */
	int r = vpnc__ctrl_out(e, now, out);
	if (r > 0) {
		e->last_send = now;
		e->stats.link_out_pkts++;
		e->stats.link_out_bytes += out->len;
	}
	return r;
}

/*
 * inactive and ping-exit end the run, in every state of the session as in 2.6
 * (whose timers start with the session): a clean stop, not an error.
 */
static bool exit_timers(struct vpnc_engine *e, uint64_t now)
{
	if (e->inactive_ms != 0 && now - e->last_data >= e->inactive_ms) {
		if (e->inactive_bytes != 0)
			vpnc__fail(e, VPNC_CAUSE_IDLE_EXIT, true, "less than %llu bytes through the tunnel in %llu s (inactive)",
			           (unsigned long long)e->inactive_bytes,
			           (unsigned long long)(e->inactive_ms / 1000));
		else
			vpnc__fail(e, VPNC_CAUSE_IDLE_EXIT, true, "no data through the tunnel for %llu s (inactive)",
			           (unsigned long long)(e->inactive_ms / 1000));
		return true;
	}
	if (e->ping_exit_ms != 0 && now - e->last_recv >= e->ping_exit_ms) {
		vpnc__fail(e, VPNC_CAUSE_IDLE_EXIT, true, "nothing received from the peer for %llu s (ping-exit)",
		           (unsigned long long)(e->ping_exit_ms / 1000));
		return true;
	}
	if (e->session_ms != 0 && now - e->start_time >= e->session_ms) {
		vpnc__fail(e, VPNC_CAUSE_IDLE_EXIT, true, "the session lasted %llu s (session-timeout)",
		           (unsigned long long)(e->session_ms / 1000));
		return true;
	}
	return false;
}

void vpnc_engine_tick(struct vpnc_engine *e, uint64_t now)
{
	if (e->state == VPNC_ST_FAILED || e->state == VPNC_ST_INITIAL)
		return;
	if (exit_timers(e, now))
		return;
	if (e->state != VPNC_ST_CONNECTED) {
		if (now - e->start_time >= e->hand_window_ms) {
			vpnc__fail(e, VPNC_CAUSE_TIMEOUT, false, "the session did not come up within hand-window (%llu s)",
			           (unsigned long long)(e->hand_window_ms / 1000));
			return;
		}
		vpnc__keyex_tick(e, now);
		return;
	}
	if (vpnc__probe_tick(e, now))
		return;
	vpnc__frag_tick(e, now);
	struct vpnc_keystate *ks = e->ks;
	if (ks->phase != KS_ACTIVE && now - ks->started >= e->hand_window_ms) {
		vpnc__fail(e, VPNC_CAUSE_TIMEOUT, false, "the renegotiation of key %u did not finish within hand-window",
		           (unsigned)ks->key_id);
		return;
	}
	if (e->lame != NULL && now - ks->installed >= e->tran_ms && ks->dc_ready) {
		/* The transition window is over: the previous key goes. */
		vpnc__ks_clear(e->lame);
		e->lame = NULL;
	}
	if (e->static_key && vpnc_dc_wants_rekey(&ks->dc)) {
		/* No renegotiation without TLS: a new session starts a new packet-id time. */
		vpnc__fail(e, VPNC_CAUSE_OTHER, false, "the static key's packet ids are used up; restarting");
		return;
	}
	if (!e->static_key && ks->phase == KS_ACTIVE && ks->dc_ready &&
	    ((e->reneg_ms != 0 && now - ks->started >= e->reneg_ms) ||
	     (e->reneg_bytes != 0 && ks->bytes >= e->reneg_bytes) ||
	     (e->reneg_pkts != 0 && ks->pkts >= e->reneg_pkts) || vpnc_dc_wants_rekey(&ks->dc))) {
		if (vpnc__soft_reset(e, now) != 0) {
			vpnc__fail(e, VPNC_CAUSE_OTHER, false, "cannot start a renegotiation");
			return;
		}
	}
	if (ks->dc_ready && !ks->tx_ok && now - ks->installed >= VPNC_TX_SWITCH_MS)
		ks->tx_ok = true;
	if (e->ping_restart_ms != 0 && now - e->last_recv >= e->ping_restart_ms) {
		vpnc__fail(e, VPNC_CAUSE_TIMEOUT, false, "nothing received from the peer for %llu s (ping-restart)",
		           (unsigned long long)(e->ping_restart_ms / 1000));
		return;
	}
	if (e->ping_ms != 0 && now - e->last_send >= e->ping_ms)
		e->ping_due = true;
}

uint64_t vpnc_engine_next_timer(const struct vpnc_engine *e)
{
	uint64_t t = UINT64_MAX;

	if (e->state == VPNC_ST_FAILED || e->state == VPNC_ST_INITIAL)
		return t;
	uint64_t c = e->static_key ? UINT64_MAX : vpnc__ctrl_next_timer(e);
	if (c < t)
		t = c;
	if (e->inactive_ms != 0 && e->last_data + e->inactive_ms < t)
		t = e->last_data + e->inactive_ms;
	if (e->ping_exit_ms != 0 && e->last_recv + e->ping_exit_ms < t)
		t = e->last_recv + e->ping_exit_ms;
	if (e->session_ms != 0 && e->start_time + e->session_ms < t)
		t = e->start_time + e->session_ms;
	if (e->state != VPNC_ST_CONNECTED) {
		uint64_t hw = e->start_time + e->hand_window_ms;
		if (hw < t)
			t = hw;
		if (e->state == VPNC_ST_PUSH && e->next_push_request < t)
			t = e->next_push_request;
		return t;
	}
	if (e->ping_due)
		return 0;
	uint64_t pr = vpnc__probe_next(e);
	if (pr < t)
		t = pr;
	uint64_t fr = vpnc__frag_next(e);
	if (fr < t)
		t = fr;
	if (e->ks->dc_ready && !e->ks->tx_ok && e->ks->installed + VPNC_TX_SWITCH_MS < t)
		t = e->ks->installed + VPNC_TX_SWITCH_MS;
	if (e->ks->phase != KS_ACTIVE && e->ks->started + e->hand_window_ms < t)
		t = e->ks->started + e->hand_window_ms;
	if (e->reneg_ms != 0 && e->ks->phase == KS_ACTIVE &&
	    e->ks->started + e->reneg_ms < t)
		t = e->ks->started + e->reneg_ms;
	if (e->ping_ms != 0 && e->last_send + e->ping_ms < t)
		t = e->last_send + e->ping_ms;
	if (e->ping_restart_ms != 0 && e->last_recv + e->ping_restart_ms < t)
		t = e->last_recv + e->ping_restart_ms;
	return t;
}

void vpnc_engine_close(struct vpnc_engine *e, uint64_t now)
{
	if (e->closing || e->state == VPNC_ST_FAILED)
		return;
	e->closing = true;
	(void)now;
	if (e->state != VPNC_ST_CONNECTED || e->role != VPNC_ROLE_CLIENT)
		return;
	/* A P2P peer sends its exit notification only when 'explicit-exit-notify' asks for it (2.6). */
	if (e->p2p && e->exit_notify_cfg <= 0)
		return;
	/* With cc-exit the EXIT message travels on the control channel; it is queued now. */
	if ((e->push.protocol_flags & VPNC_PF_CC_EXIT) && e->ks->tls != NULL && e->ks->phase == KS_ACTIVE) {
		vpnc__send_ctrl_msg(e, e->ks, "EXIT");
		return;
	}
	/* Otherwise, on UDP, OCC_EXIT data packets (a few, as datagrams may be lost). */
	if (e->transport == VPNC_TRANSPORT_UDP && (e->push.explicit_exit_notify > 0 || e->exit_notify_cfg > 0))
		e->exit_pkts = 3;
}

const char *vpnc_engine_auth_token(const struct vpnc_engine *e) { return e->auth_token; }
const char *vpnc_engine_auth_token_user(const struct vpnc_engine *e) { return e->auth_token_user; }
enum vpnc_state vpnc_engine_state(const struct vpnc_engine *e) { return e->state; }
bool vpnc_engine_replay_last(const struct vpnc_engine *e, uint32_t *time, uint32_t *id)
{
	return e->static_key && e->ks != NULL && vpnc_replay_last(&e->ks->dc.replay, time, id);
}

const struct vpnc_stats *vpnc_engine_stats(const struct vpnc_engine *e) { return &e->stats; }
const char *vpnc_engine_cipher(const struct vpnc_engine *e) { return e->cipher; }

void vpnc_engine_last_io(const struct vpnc_engine *e, uint64_t *recv, uint64_t *sent)
{
	*recv = e->last_recv;
	*sent = e->last_send;
}

const char *vpnc_engine_tls_version(const struct vpnc_engine *e) { return e->tls_version; }
const char *vpnc_engine_tls_cipher(const struct vpnc_engine *e) { return e->tls_cipher; }
