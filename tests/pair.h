/*
 * pair.h: a client and a server engine joined by the in-memory wire of
 * wire.h, for the unit tests that drive whole sessions (test_engine,
 * test_hostile). It owns the setup of both engines and their TLS contexts, the
 * event bookkeeping of each side, the round-by-round stepping on the simulated
 * clock, and the handshake loop. Header-only, like wire.h and testpki.h.
 *
 * The including test fills pair_pki and pair_wrap_key in main() before the
 * first pair_new(), sets pair_verbose to echo the engines' log lines, and frees
 * pair_pki at the end. A pair owns its engines, contexts and queues until
 * pair_free().
 */
#ifndef VPNC_TEST_PAIR_H
#define VPNC_TEST_PAIR_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine_int.h"
#include "core/tls.h"
#include "vpnc/defaults.h"
#include "vpnc/engine.h"

#include "testpki.h"
#include "wire.h"

/* The default PUSH_REPLY of the server side. */
#define PAIR_PUSH_DEFAULT "ping 10,ping-restart 60,ifconfig 10.8.0.2 255.255.255.0,topology subnet"

/* The handshake gives up after this many 10 ms rounds. */
#define PAIR_HANDSHAKE_ROUNDS 20000

static struct testpki pair_pki;
static uint8_t pair_wrap_key[VPNC_STATIC_KEY_LEN];
static int pair_verbose;

/* What one side logged: drop lines are counted to check "once per reason". */
struct side_log {
	const char *name;
	unsigned drop_lines;
	unsigned bad_msg_lines;
	unsigned peer_msg_lines;        /* INFO, INFO_PRE, AUTH_PENDING and malformed messages */
	unsigned suppressed_notes;      /* "... were suppressed (rate limit)" */
	unsigned suppressed_total;      /* the counts those notes gave */
	char last_line[512];            /* the last line logged */
};

struct pair {
	struct vpnc_engine *c, *s;
	SSL_CTX *cctx, *sctx;
	struct wire_q c2s, s2c;
	struct wire_chaos chaos;        /* applied by pair_step(); zero is a clean wire */
	uint64_t now;
	unsigned c_tun, s_tun;          /* packets each side delivered to its TUN in pair_step() */
	struct side_log clog, slog;
	const struct vpnc_push *push;   /* from the client's CONNECTED event */
	unsigned c_connected_events, c_end_events;
	bool c_connected, s_connected, c_restart, c_fatal;
	enum vpnc_cause c_cause;        /* of the client's last RESTART or FATAL */
	char c_reason[VPNC_REASON_LEN]; /* "RESTART: why" or "FATAL: why" of the last end event */
};

struct pair_opts {
	enum vpnc_wrap_mode wrap;
	const char *client_ciphers;
	const char *server_ciphers;
	const char *push;               /* NULL = PAIR_PUSH_DEFAULT */
	const char *verify_name;
	enum vpnc_x509_name_type verify_type;
	const char *client_ca;          /* NULL = the right CA */
	bool prf;                       /* the server derives keys with the PRF */
	int client_reneg, server_reneg; /* reneg-sec of each side */
	long long client_reneg_pkts;
	bool client_comp_allowed;       /* the client's profile allows compression */
	enum vpnc_comp server_comp;     /* the server engine's framing (it never compresses either) */
	int client_reneg_min;           /* > 0: 'reneg-sec client_reneg client_reneg_min' */
	int client_ping_exit;           /* the client profile's ping-exit */
	int client_session_timeout;     /* ... and session-timeout */
	int client_inactive;            /* ... and inactive SECONDS [BYTES] */
	long long client_inactive_bytes;
	bool tap;                       /* both sides carry Ethernet frames; mssfix at 2.6's default */
	int fragment;                   /* 'fragment N' on both sides */
	enum vpnc_comp comp;            /* framing on both sides (fragment tests) */
	int mssfix;                     /* both sides' mssfix (0: off, -1: default) */
	enum vpnc_mssfix_mode mssfix_mode;
	bool p2p;                       /* TLS peer-to-peer mode on both sides (engine_p2p.c) */
	const char *client_fallback, *server_fallback; /* data-ciphers-fallback ('cipher') of each */
	const struct vpnc_push *client_net; /* the client profile's ifconfig and routes */
	int client_tun_mtu_max;         /* the client profile's tun-mtu-max (0: none) */
	int client_tran_window;         /* the client's tran-window (0: 2.6's default) */
	void (*client_conf_hook)(struct vpnc_config *conf); /* adds to the client's TLS config */
};

static inline void pair_log_cb(void *ctx, int level, const char *msg)
{
	struct side_log *l = ctx;
	if (strstr(msg, "dropped a packet from the peer") != NULL)
		l->drop_lines++;
	if (strstr(msg, "malformed control message") != NULL)
		l->bad_msg_lines++;
	if (strstr(msg, "malformed control message") != NULL || strncmp(msg, "server says: ", 13) == 0 ||
	    strncmp(msg, "authentication is pending", 25) == 0)
		l->peer_msg_lines++;
	if (strstr(msg, "were suppressed (rate limit)") != NULL) {
		l->suppressed_notes++;
		l->suppressed_total += (unsigned)strtoul(msg, NULL, 10);
	}
	snprintf(l->last_line, sizeof(l->last_line), "%s", msg);
	if (pair_verbose)
		printf("  [%s %d] %s\n", l->name, level, msg);
}

/* Makes both engines; returns 0, or -1 after which pair_free() still cleans up. */
static inline int pair_new(struct pair *p, const struct pair_opts *o)
{
	struct vpnc_config conf;
	struct vpnc_engine_cfg cc, sc;
	char err[256];

	memset(p, 0, sizeof(*p));
	memset(&conf, 0, sizeof(conf));
	conf.ca = (char *)(o->client_ca != NULL ? o->client_ca : pair_pki.ca);
	conf.cert = pair_pki.client_cert;
	conf.key = pair_pki.client_key;
	if (o->client_conf_hook != NULL)
		o->client_conf_hook(&conf);
	p->cctx = vpnc_tls_ctx_client(&conf, NULL, err, sizeof(err));
	p->sctx = vpnc_tls_ctx_server(pair_pki.ca, pair_pki.server_cert, pair_pki.server_key, err, sizeof(err));
	if (p->cctx == NULL || p->sctx == NULL) {
		printf("TLS context: %s\n", err);
		return -1;
	}
	p->clog.name = "client";
	p->slog.name = "server";
	memset(&cc, 0, sizeof(cc));
	cc.role = VPNC_ROLE_CLIENT;
	cc.ssl_ctx = p->cctx;
	cc.remote_cert_tls_server = true;
	cc.verify_x509_name = o->verify_name;
	cc.verify_x509_type = o->verify_type;
	cc.wrap = o->wrap;
	cc.wrap_key = pair_wrap_key;
	cc.key_direction = 1;
	cc.auth_digest = "SHA256";
	cc.data_ciphers = o->client_ciphers;
	cc.rand = wire_rand;
	cc.wallclock = wire_wallclock;
	cc.log = pair_log_cb;
	cc.log_ctx = &p->clog;
	cc.verb = 4;
	cc.reneg_sec = o->client_reneg;
	cc.reneg_pkts = o->client_reneg_pkts;
	cc.comp_allowed = o->client_comp_allowed;
	cc.reneg_sec_min_set = o->client_reneg_min > 0;
	cc.reneg_sec_min = o->client_reneg_min;
	cc.ping_exit = o->client_ping_exit;
	cc.session_timeout = o->client_session_timeout;
	cc.inactive = o->client_inactive;
	cc.inactive_bytes = o->client_inactive_bytes;
	cc.tap = o->tap;
	cc.mtu_extra = o->tap ? VPNC_DEFAULT_TAP_MTU_EXTRA : 0;
	cc.fragment = o->fragment;
	cc.comp = o->comp;
	cc.mssfix = o->tap && o->mssfix == 0 ? -1 : o->mssfix;
	cc.mssfix_mode = o->mssfix_mode;
	cc.p2p = o->p2p;
	cc.data_ciphers_fallback = o->client_fallback;
	cc.net = o->client_net;
	cc.tun_mtu_max = o->client_tun_mtu_max;
	cc.tran_window = o->client_tran_window;
	sc.comp = o->server_comp;
	sc = cc;
	sc.data_ciphers_fallback = o->server_fallback;
	sc.net = NULL;
	sc.ping_exit = sc.inactive = sc.session_timeout = 0;
	sc.reneg_sec_min_set = false;
	sc.inactive_bytes = 0;
	sc.reneg_sec = o->server_reneg;
	sc.role = VPNC_ROLE_SERVER;
	sc.ssl_ctx = p->sctx;
	sc.key_direction = 0;
	sc.data_ciphers = o->server_ciphers;
	sc.push_reply = o->push != NULL ? o->push : PAIR_PUSH_DEFAULT;
	sc.peer_id = 7;
	sc.server_prf = o->prf;
	sc.ping = 2; /* the server keeps the client's ping-restart fed */
	sc.log_ctx = &p->slog;
	if (vpnc_engine_new(&cc, &p->c) != 0 || vpnc_engine_new(&sc, &p->s) != 0)
		return -1;
	wire_q_init(&p->c2s);
	wire_q_init(&p->s2c);
	p->now = 1000;
	return 0;
}

static inline void pair_free(struct pair *p)
{
	vpnc_engine_free(p->c);
	vpnc_engine_free(p->s);
	SSL_CTX_free(p->cctx);
	SSL_CTX_free(p->sctx);
	wire_q_free(&p->c2s);
	wire_q_free(&p->s2c);
}

/* Collects both sides' events into the pair's flags and counters. */
static inline void pair_events(struct pair *p)
{
	struct vpnc_event ev;
	while (vpnc_engine_event(p->c, &ev)) {
		if (ev.type == VPNC_EV_CONNECTED) {
			p->c_connected = true;
			p->c_connected_events++;
			p->push = ev.push;
		}
		if (ev.type == VPNC_EV_RESTART || ev.type == VPNC_EV_FATAL) {
			p->c_restart |= ev.type == VPNC_EV_RESTART;
			p->c_fatal |= ev.type == VPNC_EV_FATAL;
			p->c_cause = ev.cause;
			p->c_end_events++;
			snprintf(p->c_reason, sizeof(p->c_reason), "%s: %s",
			         ev.type == VPNC_EV_FATAL ? "FATAL" : "RESTART", ev.reason);
		}
	}
	while (vpnc_engine_event(p->s, &ev))
		if (ev.type == VPNC_EV_CONNECTED)
			p->s_connected = true;
}

/* One round: both sides send, the wire delivers, timers run. */
static inline void pair_step(struct pair *p, uint64_t advance_ms)
{
	const struct wire_chaos *ch = &p->chaos;
	wire_drain(p->c, p->now, &p->c2s, ch);
	wire_drain(p->s, p->now, &p->s2c, ch);
	wire_deliver(p->s, p->now, &p->c2s, &p->s_tun);
	wire_deliver(p->c, p->now, &p->s2c, &p->c_tun);
	p->now += advance_ms;
	vpnc_engine_tick(p->c, p->now);
	vpnc_engine_tick(p->s, p->now);
	pair_events(p);
}

/* Runs until both are connected or the client ended; true if both are connected. */
static inline bool pair_handshake(struct pair *p)
{
	vpnc_engine_start(p->c, p->now);
	vpnc_engine_start(p->s, p->now);
	for (int i = 0; i < PAIR_HANDSHAKE_ROUNDS && !(p->c_connected && p->s_connected) && p->c_end_events == 0; i++)
		pair_step(p, 10);
	return p->c_connected && p->s_connected;
}

#endif
