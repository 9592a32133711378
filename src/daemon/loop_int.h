/*
 * loop_int.h: what the event loop's files share (loop.c: lifetime, engine
 * events, signals and teardown; loop_attempt.c: starting a connection
 * attempt; loop_data.c: the packet path; loop_roam.c: network changes).
 * Not an interface for anything outside src/daemon/loop*.c.
 *
 * Ownership is as loop.h says: vpnc_loop_run() allocates struct loop and
 * its buffer pool once and frees them (wiped) when it returns; every handle
 * in it is closed by loop_shutdown() before then.
 */
#ifndef VPNC_DAEMON_LOOP_INT_H
#define VPNC_DAEMON_LOOP_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <netdb.h>
#include <openssl/crypto.h>
#include <uv.h>

#include "core/coalesce.h"
#include "core/httpproxy.h"
#include "control/ctlpath.h"
#include "control/ctlstate.h"
#include "daemon/ks_run.h"
#include "daemon/link.h"
#include "daemon/loop.h"
#include "daemon/prompt.h"
#include "daemon/remote.h"
#include "daemon/sdwatchdog.h"
#include "daemon/tunio.h"
#include "daemon/updown.h"
#include "os/hwaddr.h"
#include "os/os.h"
#include "vpnc/engine.h"

struct vpnc_netwatch; /* os/netwatch.h */
struct vpnc_sleepwatch; /* os/sleepwatch.h */

/* The preallocated packet buffers, by role. */
enum {
	VPNC_BUF_LINK_TX = 0,            /* the engine's output when the link lends no buffer */
	VPNC_BUF_TUN_TX,                 /* decrypted packets for the TUN */
	VPNC_BUF__COUNT
};

/* Most packets taken from vpnc_engine_link_out() after one input. */
#define VPNC_LINK_OUT_BUDGET 1024
/* Room for a reason copied out of an engine event. */
#define VPNC_REASON_MAX 256
/* Longest wait at exit for the server to acknowledge EXIT, or for TCP to send it. */
#define VPNC_EXIT_WAIT_MS 1000
/* The local port 'bind' uses without 'lport' (OpenVPN's default port). */
#define VPNC_DEFAULT_LPORT 1194
/* What the engine says when AUTH_FAILED ends a session (core/keyex.c). */

/* HTTP proxy (loop_proxy.c; docs/proxy.md): the CONNECT handshake of the current attempt. */
struct loop_proxy {
	struct vpnc_remote target;       /* the proxy, as the address to resolve and connect to */
	struct vpnc_link_pre pre;        /* the link's first step */
	struct vpnc_httpproxy_reply rep;
	enum vpnc_httpproxy_scheme scheme; /* what 'auto' learnt from a 407, kept across attempts */
	struct vpnc_httpproxy_digest digest; /* ... with the Digest challenge to answer */
	bool requested;                  /* this attempt's CONNECT was written */
	enum vpnc_httpproxy_scheme sent; /* ... with these credentials */
	bool done;                       /* ... and answered 200: the stream runs */
	bool now;                        /* the next attempt goes at once, to the same remote */
	unsigned quick;                  /* such attempts in a row (bounded), 0 after a 200 */
	int fatal;                       /* an exit code: retrying cannot help; 0 = retry */
	char reason[VPNC_REASON_MAX];    /* why the handshake failed, naming the proxy */
};

enum pending_action {
	VPNC_ACT_NONE = 0,
	VPNC_ACT_RESTART,
	VPNC_ACT_FATAL,
};

struct loop {
	uv_loop_t uv;
	bool dropped;                    /* privileges dropped (once per run, after the first connect) */
	const struct vpnc_loop_params *p;
	const struct vpnc_config *conf;
	uint8_t *pool;                   /* VPNC_BUF__COUNT * VPNC_PKT_BUF, wiped on free */

	/* Per connection attempt. */
	struct vpnc_engine *eng;
	struct vpnc_link *link;
	bool link_down;                  /* the link reported it is gone; handled in settle() */
	int link_down_err;
	uv_getaddrinfo_t gai;
	bool gai_busy;
	struct addrinfo *addrs;          /* what the current remote resolved to (owned) */
	bool addrs_priv;                 /* addrs came from the parent (loop_priv_free_addrs) */
	struct addrinfo *addr;           /* the address in use, within addrs */
	uint64_t attempt_start;
	int last_link_err;
	unsigned hints;                  /* LOOP_HINT_* already logged in this attempt (loop_hint.c) */
	int path_mtu;                    /* the last path MTU the link reported in this attempt (loop_pmtu.c) */
	bool pmtu_warned;                /* its "larger packets are dropped" warning was given */
	bool cc_exit;                    /* the server announced cc-exit (EXIT on the control channel) */

	/* Whole run. */
	uv_timer_t timer;                /* engine timer */
	bool timer_armed;
	uint64_t timer_due;
	uv_timer_t retry;                /* reconnect back-off */
	uv_timer_t poll;                 /* server-poll-timeout of the current attempt */
	uv_timer_t exit_timer;           /* bounded wait for the exit notification */
	uv_timer_t rp_timer;             /* replay-persist: the state saved every 60 s */
	uv_check_t check;
	uv_prepare_t prepare;            /* before each poll: the coalescing sleep */
	struct vpnc_coalesce coal;       /* wakeup coalescing (core/coalesce.h) */
	bool dirty;                      /* input arrived: events and timer need a look */
	uv_signal_t sig_int, sig_term, sig_hup, sig_usr1;
	uv_poll_t tun_poll;
	bool tun_paused;                 /* TUN not polled while the link is busy */
	/* 'shaper' (loop_shaper.c): the TUN is not polled until the next write may go. */
	uv_timer_t shaper_timer;
	int shaper_bps;                  /* the rate in use: the profile's, or the server's; 0 = off */
	bool shaper_wait;
	uint64_t shaper_next;            /* uv_hrtime() of the next write */
	const struct vpnc_engine *shaper_eng; /* whose counters these are */
	uint64_t shaper_bytes, shaper_pkts;   /* link bytes and packets already counted */
	unsigned shaper_overhead;        /* outer IP and UDP/TCP header bytes per link packet */
	struct vpnc_tun tun;
	struct vpnc_tunio tio;           /* the TUN data path (tunio.h) */
	bool offload;                    /* TUN offloads and UDP batching wanted */
	struct vpnc_netcfg *nc;
	struct sockaddr_storage server;
	bool have_server;
	struct vpnc_remote_sel sel;
	uint64_t resolve_fail_since;     /* first of consecutive resolver failures, 0 = none */
	bool exiting;                    /* SIGTERM/SIGINT: waiting for the exit notification */
	uint64_t exit_in_pkts;           /* link packets received before the EXIT went out */
	bool closing;
	int exit_code;
	enum pending_action pending;
	char reason[VPNC_REASON_MAX];
	enum vpnc_cause cause;        /* of the pending restart or fatal end */
	unsigned restart_flags;

	struct loop_proxy proxy;         /* HTTP proxy (loop_proxy.c) */

	/* Credentials (secrets, wiped): copied from their source before an attempt needs them. */
	char user[VPNC_CRED_MAX];
	char pass[VPNC_CRED_MAX];
	bool have_creds;
	/* Asking for them (loop_creds.c, prompt.h): what the source gave and the answers so far. */
	struct vpnc_prompt *prompt;      /* NULL when it could not be made */
	struct vpnc_loop_creds cr;
	bool cr_filled;                  /* cr holds this round's source values */
	bool cr_pass_asked;              /* the password was asked (an empty answer stands) */
	bool asking;                     /* a question waits; the attempt starts from its answer */
	char token[VPNC_MAX_TOKEN_LEN];       /* the auth-token (pushed or the profile's), kept across attempts */
	char token_user[VPNC_MAX_TOKEN_LEN];  /* its decoded name; "" = the username */

	/* The server's authentication questions (loop_authcr.c). */
	struct vpnc_authcr crv1;         /* a CRV1 challenge to ask before the next attempt (secret) */
	bool crv1_used;                  /* the attempt being started sends a CRV1 answer */
	enum vpnc_authcr_kind authcr_asking; /* CRV1 or CR_TEXT while its question waits */
	bool authcr_url;                 /* a sign-in URL is posted for status */

	/* DNS and scripts (updown.h). */
	struct vpnc_updown updown;

	/* systemd (sdnotify.h, sdwatchdog.h; docs/systemd.md). */
	struct vpnc_sd_watchdog sd_wd;
	bool sd_ready;                   /* READY=1 sent; a later connect only updates STATUS= */
	bool sd_reloading;               /* RELOADING=1 sent (SIGHUP): READY=1 again when up */

	/* Control socket (ctlstate.h; docs/control.md): NULL when it could not be made. */
	struct vpnc_ctlstate *ctl;

	/* Roaming (loop_roam.c; docs/roaming.md). */
	struct vpnc_netwatch *nw;        /* NULL when the network cannot be watched (logged) */
	uv_poll_t nw_poll;
	uv_timer_t nw_timer;             /* debounce: a burst of changes is looked at once */
	bool nw_pending;                 /* nw_timer runs */
	bool path_known;                 /* path: the route to the server at connect or the last look */
	bool path_lost;                  /* no route to the server at the last look */
	bool path_no_carrier;            /* ... because its device had no carrier (logged once) */
	const char *path_forced;         /* a forced look (a resume) that waits for that carrier; static text */
	struct vpnc_nl_path path;
	struct vpnc_status_netev netev;  /* the last network event and what was done, for status */

	/* Kill switch (loop_ks.c, ks_run.h; docs/killswitch.md): its set NULL without --kill-switch. */
	struct vpnc_ks_run ks;
	/* Privilege separation: IV_HWADDR as it was before the jail (loop_attempt.c); "" = none. */
	char hwaddr_jail[VPNC_HWADDR_LEN];
	/* Privilege separation: the DNS backend the parent used at the last connect (loop_priv.c). */
	enum vpnc_dns_mode priv_dns_mode;
	/* Suspend and resume (loop_sleep.c). */
	struct vpnc_sleepwatch *sw;      /* NULL when there is no system bus (logged) */
	uv_poll_t sw_poll;
	uv_timer_t sw_timer;             /* sd-bus's own timeouts */
};

/* The preallocated buffer of a role (VPNC_PKT_BUF bytes). */
static inline uint8_t *loop_buf(struct loop *l, int which)
{
	return l->pool + (size_t)which * VPNC_PKT_BUF;
}

static inline void loop_secret_wipe(char *s, size_t cap)
{
	OPENSSL_cleanse(s, cap);
}

/* loop.c */
void loop_shutdown(struct loop *l, int code);
void loop_settle(struct loop *l);

/* loop_roam.c: the record of the last network event (netev) follows the session. */
void loop_netev_connected(struct loop *l);     /* a session is up */
void loop_netev_restart(struct loop *l);       /* the session is being restarted */
void loop_netev_timer(struct loop *l, uint64_t now); /* after the engine's timer: was the probe answered? */
void loop_teardown_connection(struct loop *l, bool notify);
void loop_next_attempt(struct loop *l, enum vpnc_remote_why why, bool auth_nointeract);
/* Frees the current remote's resolved addresses. */
void loop_forget_addrs(struct loop *l);

/*
 * loop_creds.c: the credentials for the next attempt. 0 when they are at
 * hand (or not needed), 1 while a question waits (its answer calls
 * loop_begin_connect() again), -1 after a fatal end (loop_shutdown() called).
 */
int loop_creds_ready(struct loop *l);
/* The prompt module for the run, with the control socket when there is one (logged if not). */
void loop_creds_start(struct loop *l);
/* Withdraws a waiting question and frees the module (loop_shutdown()). */
void loop_creds_stop(struct loop *l);
/* The control socket's hooks: the waiting question for status, and its answer. */
void loop_creds_view(void *ctx, struct vpnc_status_snap *snap);
int loop_creds_answer(void *ctx, unsigned id, const char *text, size_t len);

/*
 * loop_authcr.c: the server's authentication questions (CRV1, CR_TEXT,
 * WEB_AUTH). loop_authcr_ready(): 0 when no CRV1 challenge waits to be
 * asked, 1 while it is asked (its answer calls loop_begin_connect() again),
 * -1 after a fatal end (loop_shutdown() called).
 */
int loop_authcr_ready(struct loop *l);
/* A session ended with a CRV1 challenge: keep it (copied) for the next attempt. */
void loop_authcr_crv1(struct loop *l, const struct vpnc_authcr *c);
/* An engine was made for the attempt: a CRV1 answer it carries is not used again. */
void loop_authcr_started(struct loop *l);
/* VPNC_EV_AUTH_CHALLENGE: CR_TEXT asked, a sign-in URL shown. */
void loop_authcr_event(struct loop *l, const struct vpnc_authcr *c);
/* The session is up or ends: its CR_TEXT question is withdrawn, its sign-in URL cleared. */
void loop_authcr_settled(struct loop *l);
/* Wipes what waits (loop_shutdown(); the prompt module goes with loop_creds_stop()). */
void loop_authcr_stop(struct loop *l);

/* loop_attempt.c: resolves the current remote and starts an engine and a link for it. */
void loop_begin_connect(struct loop *l);
/* Random bytes from OpenSSL's generator (the engine's and remote-random's source). */
void loop_rand_bytes(void *ctx, void *out, size_t len);
unsigned loop_rand_below(void *ctx, unsigned bound);

/* A soft restart for `reason` (as SIGUSR1 or a lost link): the same server first. */
void loop_restart_now(struct loop *l, const char *reason);

/* loop_proxy.c: 'http-proxy' (docs/proxy.md). */
/* What an attempt resolves and connects to: the proxy when there is one, else the current remote. */
const struct vpnc_remote *loop_proxy_target(struct loop *l);
/* The link's CONNECT handshake for a new attempt (its state reset), or NULL without a proxy. */
const struct vpnc_link_pre *loop_proxy_pre(struct loop *l);
/* The link went down (err): true when the proxy handshake had not finished; l->reason says why. */
bool loop_proxy_link_down(struct loop *l, int err);

/* loop_hint.c: why an attempt is stuck, logged once per attempt at verb 1 with a hint. */
#define LOOP_HINT_REFUSED 1u
#define LOOP_HINT_UNREACH 2u
#define LOOP_HINT_SILENT 4u
#define LOOP_HINT_TLS 8u
/* Seconds without any answer before the "did not answer" hint. */
#define VPNC_HINT_SILENT_S 5
/* A new attempt: every hint may be logged again. */
void loop_hint_reset(struct loop *l);
/* A link error (negative errno/libuv code): refused or unreachable get their hint. */
void loop_hint_link_error(struct loop *l, int err);
/* VPNC_HINT_SILENT_S passed: the hint, unless anything came back. */
void loop_hint_silent(struct loop *l);
/* The session ended with VPNC_CAUSE_TLS; reason: the engine's ("TLS handshake failed: ..."). */
void loop_hint_tls(struct loop *l, const char *reason);
/* The server answered, but the handshake is still in TLS or KEYEX: VPNC_HINT_SILENT_S passed
 * (closed false), or the TCP connection ended (closed true). A stock 2.6 server that rejects
 * the handshake sends no alert over UDP and closes a TCP connection, so this is often all
 * the client can see. */
void loop_hint_tls_stalled(struct loop *l, bool closed);

/* loop_pmtu.c: 'mtu-disc' and the path MTU (docs/fragment.md). */
/* A new link is open: sets 'mtu-disc' on a UDP socket. Returns 0 or a negative errno code. */
int loop_pmtu_opened(struct loop *l, bool udp);
/* The link said EMSGSIZE: its path MTU goes to the engine; a warning if packets are still dropped. */
void loop_pmtu_emsgsize(struct loop *l);

/* loop_roam.c: watching the network and moving the session (docs/roaming.md). */
/* Opens the watch and its handles; without it (logged) vpnc runs as before. 0 or a libuv error. */
int loop_roam_start(struct loop *l);
/* A new link is up: remembers the path to the server it uses. */
void loop_roam_link_opened(struct loop *l);
/* Closes the watch and its handles (shutdown). */
void loop_roam_stop(struct loop *l);
/*
 * The path to the server may have changed in a way the host's links and
 * routes do not show (`why`, e.g. "the system resumed from sleep"): looks at
 * the route now and, if the session is up, probes the server at once as
 * after a network change (a restart if unanswered).
 */
void loop_roam_recheck(struct loop *l, const char *why);

/* loop_sleep.c: suspend and resume from logind (docs/roaming.md). Without a
 * system bus (logged at verb 4) vpnc runs as before. Always 0. */
int loop_sleep_start(struct loop *l);
void loop_sleep_stop(struct loop *l);

/* loop_ks.c: the kill switch (docs/killswitch.md). Each returns 0 or a negative errno (logged). */
/* Installs the rules before the first attempt (nothing without --kill-switch). */
int loop_ks_start(struct loop *l);
/* A lookup of host begins: opens port 53 to the system's resolvers (not for an address literal). */
int loop_ks_resolving(struct loop *l, const char *host);
/* Allows the addresses the current remote resolved to, and closes port 53 again. */
int loop_ks_resolved(struct loop *l, const struct addrinfo *res);
/* Allows the current attempt's SOCKS UDP relay, in place of the previous one. */
int loop_ks_relay(struct loop *l, const struct sockaddr *sa);
/* Allows the TUN device once it exists. */
int loop_ks_tun(struct loop *l, const char *ifname);
/* At the end: removes the rules after a clean exit (code 0), keeps them otherwise. */
void loop_ks_end(struct loop *l, int code);

/* loop_data.c */
extern const struct vpnc_link_cbs loop_link_cbs_template;
void loop_drain_link_out(struct loop *l, uint64_t now);
void loop_on_tun_readable(uv_poll_t *h, int status, int events);
void loop_tun_resume(struct loop *l);
/* Sets up wakeup coalescing ('coalesce-us') and starts the prepare handle; 0 or a libuv error. */
int loop_coalesce_start(struct loop *l);

/* loop.c: 'replay-persist' (rpersist.h): saves the engine's last received (time, id). */
void loop_rpersist_take(struct loop *l);

/* loop_shaper.c: 'shaper N' (nothing runs without it). */
int loop_shaper_start(struct loop *l);
void loop_shaper_attempt(struct loop *l, bool tcp, bool ipv6);
void loop_shaper_wrote(struct loop *l);
void loop_shaper_pushed(struct loop *l, int bps);
void loop_tun_poll_update(struct loop *l);

/* loop_priv.c: privilege separation, the child's calls to the parent (l->p->split only). */
int loop_priv_open_tun(struct loop *l);
int loop_priv_apply(struct loop *l, const struct vpnc_push *push);
void loop_priv_unapply(struct loop *l);
int loop_priv_repin(struct loop *l);
int loop_priv_gateway(struct loop *l, uint32_t gateway, unsigned *n_failed);
int loop_priv_down(struct loop *l, bool error);
int loop_priv_resolve(struct loop *l, const struct vpnc_remote *r, struct addrinfo **out);
/* The server's own address for r's SOCKS UDP header (r: proto udp through a SOCKS proxy). */
int loop_priv_socks_server(struct loop *l, const struct vpnc_remote *r, struct sockaddr_storage *out);
/* The current remote's SOCKS proxy named relay as its UDP relay: the parent's kill switch. */
int loop_priv_relay(struct loop *l, const struct sockaddr *relay);
void loop_priv_free_addrs(struct addrinfo *a);
/* 'mark': SO_MARK on the link socket fd, by the parent under privsep; a failure is a warning, as in 2.6. */
void loop_priv_mark(struct loop *l, int fd);

#endif
