/*
 * loop.c: owns the daemon's event loop: choosing and resolving the remote,
 * one engine and one link (UDP or TCP) per connection attempt, the TUN data
 * path, the engine timer, server-poll-timeout, reconnect back-off, the
 * credentials and auth-token across attempts, signals, the exit
 * notification, and the ordered teardown.
 *
 * Structure of one loop iteration (libuv phases):
 *  - timers: the engine timer (tick, then flush), the reconnect timer, the
 *    server-poll timer and the exit timer;
 *  - poll: link input (UDP: up to 4 recvmmsg batches of 64 datagrams per
 *    wakeup; TCP: one chunk of the stream, every packet in it), TUN
 *    readability (up to VPNC_TUNIO_BUDGET frames, TSO super-packets split
 *    into segments), signals, resolver results; every input batch is
 *    followed by one TUN GRO flush, draining vpnc_engine_link_out() and one
 *    link flush (one sendmmsg / UDP GSO send, or one writev);
 *  - check: engine events are handled and the engine timer re-armed once
 *    per iteration, after all I/O of that iteration.
 *
 * Data path: packet buffers are allocated once (here: link send spare and
 * TUN write; tunio.c: the TUN read buffer and GRO flows; each link: its
 * receive and send buffers). The engine encrypts straight into the link's
 * send buffers (link.h) and decrypts into the TUN write buffer. Nothing is
 * allocated, formatted or copied per packet besides the kernel's and the
 * cipher's work (and GRO's one copy of merged payloads). While a TCP link is
 * busy the TUN is not read. VPNC_OFFLOAD=0 in the environment turns TUN
 * offloads and UDP batching off, for comparison (docs/performance.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <uv.h>

#include "daemon/ctlstate.h" /* Control socket (ctlstate.h) */
#include "daemon/link.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/remote.h"
#include "daemon/tunio.h"
#include "core/coalesce.h"
#include "daemon/sdnotify.h"   /* systemd */
#include "daemon/sdwatchdog.h" /* systemd */
#include "daemon/updown.h"
#include "daemon/privdrop.h"   /* least privilege */

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
	struct addrinfo *addr;           /* the address in use, within addrs */
	uint64_t attempt_start;
	int last_link_err;
	bool cc_exit;                    /* the server announced cc-exit (EXIT on the control channel) */

	/* Whole run. */
	uv_timer_t timer;                /* engine timer */
	bool timer_armed;
	uint64_t timer_due;
	uv_timer_t retry;                /* reconnect back-off */
	uv_timer_t poll;                 /* server-poll-timeout of the current attempt */
	uv_timer_t exit_timer;           /* bounded wait for the exit notification */
	uv_check_t check;
	uv_prepare_t prepare;            /* before each poll: the coalescing sleep */
	struct vpnc_coalesce coal;       /* wakeup coalescing (core/coalesce.h) */
	bool dirty;                      /* input arrived: events and timer need a look */
	uv_signal_t sig_int, sig_term, sig_hup, sig_usr1;
	uv_poll_t tun_poll;
	bool tun_paused;                 /* TUN not polled while the link is busy */
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

	/* Credentials (secrets, wiped): copied from their source before an attempt needs them. */
	char user[VPNC_CRED_MAX];
	char pass[VPNC_CRED_MAX];
	bool have_creds;
	char token[VPNC_MAX_TOKEN_LEN];       /* the pushed auth-token, kept across attempts */
	char token_user[VPNC_MAX_TOKEN_LEN];

	/* DNS and scripts (updown.h). */
	struct vpnc_updown updown;

	/* systemd (sdnotify.h, sdwatchdog.h; docs/systemd.md). */
	struct vpnc_sd_watchdog sd_wd;
	bool sd_ready;                   /* READY=1 sent; a later connect only updates STATUS= */
	bool sd_reloading;               /* RELOADING=1 sent (SIGHUP): READY=1 again when up */

	/* Control socket (ctlstate.h; docs/control.md): NULL when it could not be made. */
	struct vpnc_ctlstate *ctl;
};

static void begin_connect(struct loop *l);
static void shutdown_loop(struct loop *l, int code);
static void settle(struct loop *l);

static uint8_t *pool_buf(struct loop *l, int which)
{
	return l->pool + (size_t)which * VPNC_PKT_BUF;
}

static void rand_bytes(void *ctx, void *out, size_t len)
{
	(void)ctx;
	if (len > 0 && RAND_bytes(out, (int)len) != 1) {
		/* Without randomness no key material may be made; this is not recoverable. */
		vpnc_log(VPNC_LOG_FATAL, "the system random number generator failed");
		abort();
	}
}

/* For remote-random: a number below bound (the tiny modulo bias does not matter here). */
static unsigned rand_below(void *ctx, unsigned bound)
{
	uint32_t v;

	rand_bytes(ctx, &v, sizeof(v));
	return bound > 0 ? v % bound : 0;
}

static uint64_t wallclock(void *ctx)
{
	(void)ctx;
	return (uint64_t)time(NULL);
}

/* VPNC_OFFLOAD=0 (or no, off) turns TUN offloads and UDP batching off, to compare. */
static bool offload_wanted(void)
{
	const char *v = getenv("VPNC_OFFLOAD");

	return v == NULL || !(strcmp(v, "0") == 0 || strcmp(v, "no") == 0 || strcmp(v, "off") == 0);
}

static void secret_wipe(char *s, size_t cap)
{
	OPENSSL_cleanse(s, cap);
}

/* Sends everything the engine has queued for the link, built in the link's own slots if it has them. */
static void drain_link_out(struct loop *l, uint64_t now)
{
	struct vpnc_buf out;

	for (int i = 0; i < VPNC_LINK_OUT_BUDGET && l->eng != NULL; i++) {
		uint8_t *base = vpnc_link_tx_buf(l->link);
		vpnc_buf_init(&out, base != NULL ? base : pool_buf(l, VPNC_BUF_LINK_TX), VPNC_PKT_BUF,
		              VPNC_HEADROOM);
		if (vpnc_engine_link_out(l->eng, now, &out) <= 0)
			break;
		if (l->link != NULL)
			(void)vpnc_link_send(l->link, vpnc_buf_data(&out), out.len);
	}
	(void)vpnc_link_flush(l->link);
}

/* ---- link input ---- */

static void on_link_packet(void *ctx, const uint8_t *pkt, size_t len)
{
	struct loop *l = ctx;
	struct vpnc_buf tun_out;
	uint64_t now = uv_now(&l->uv);

	if (l->eng == NULL)
		return;
	vpnc_coalesce_count(&l->coal, 1);
	vpnc_buf_init(&tun_out, pool_buf(l, VPNC_BUF_TUN_TX), VPNC_PKT_BUF, VPNC_HEADROOM);
	if (vpnc_engine_link_in(l->eng, now, pkt, len, &tun_out) == 1)
		vpnc_tunio_write(&l->tio, &tun_out);
}

/* Once per receive batch: merged packets to the TUN, then the engine's answers to the link. */
static void on_link_batch_end(void *ctx)
{
	struct loop *l = ctx;

	vpnc_tunio_flush(&l->tio);
	drain_link_out(l, uv_now(&l->uv));
	l->dirty = true;
}

static void on_link_error(void *ctx, int err)
{
	struct loop *l = ctx;

	/* ICMP errors on a connected UDP socket (server not listening yet): the engine retries. */
	if (err != l->last_link_err)
		vpnc_log(VPNC_LOG_MORE, "link error: %s", uv_strerror(err));
	l->last_link_err = err;
}

/* A TCP connection failed, was reset or ended: restart once this iteration's input is handled. */
static void on_link_down(void *ctx, int err)
{
	struct loop *l = ctx;

	l->link_down = true;
	l->link_down_err = err;
	l->dirty = true;
}

static void on_tun_readable(uv_poll_t *h, int status, int events);

static void tun_resume(struct loop *l)
{
	if (!l->tun_paused)
		return;
	l->tun_paused = false;
	if (l->tun.fd >= 0 && !l->closing)
		(void)uv_poll_start(&l->tun_poll, UV_READABLE, on_tun_readable);
}

static void on_link_writable(void *ctx)
{
	tun_resume(ctx);
}

/* ---- TUN input ---- */

static void on_tun_readable(uv_poll_t *h, int status, int events)
{
	struct loop *l = h->data;
	bool up = l->eng != NULL && vpnc_engine_state(l->eng) == VPNC_ST_CONNECTED;
	uint64_t now = uv_now(&l->uv);
	int ret;

	(void)status; /* an error shows up as a failing read() */
	(void)events;
	ret = vpnc_tunio_read(&l->tio, up ? l->eng : NULL, up ? l->link : NULL, now,
	                      pool_buf(l, VPNC_BUF_LINK_TX));
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Reading from %s failed: %s.", l->tun.name, strerror(-ret));
		shutdown_loop(l, 1);
		return;
	}
	vpnc_coalesce_count(&l->coal, (uint32_t)ret);
	if (up) {
		drain_link_out(l, now);
		l->dirty = true;
		if (vpnc_link_busy(l->link) && !l->tun_paused) {
			uv_poll_stop(&l->tun_poll);
			l->tun_paused = true;
		}
	}
}

/* ---- engine timer ---- */

static void on_timer(uv_timer_t *t);

static void arm_timer(struct loop *l)
{
	uint64_t now = uv_now(&l->uv);
	uint64_t due = l->eng != NULL ? vpnc_engine_next_timer(l->eng) : UINT64_MAX;

	if (l->timer_armed && due == l->timer_due)
		return;
	if (due == UINT64_MAX) {
		uv_timer_stop(&l->timer);
		l->timer_armed = false;
		return;
	}
	l->timer_due = due;
	l->timer_armed = true;
	uv_timer_start(&l->timer, on_timer, due > now ? due - now : 0, 0);
}

/* ---- connection lifetime ---- */

/* Keeps the engine's auth-token for the next attempt; "" (none, or rejected) wipes ours. */
static void keep_token(struct loop *l)
{
	const char *t = vpnc_engine_auth_token(l->eng);
	const char *u = vpnc_engine_auth_token_user(l->eng);

	if (t != NULL && t[0] != '\0') {
		snprintf(l->token, sizeof(l->token), "%s", t);
		snprintf(l->token_user, sizeof(l->token_user), "%s", u != NULL ? u : "");
	} else {
		secret_wipe(l->token, sizeof(l->token));
		secret_wipe(l->token_user, sizeof(l->token_user));
	}
}

/* Ends the current attempt: optional exit notification, engine and link gone. */
static void teardown_connection(struct loop *l, bool notify)
{
	if (l->eng != NULL) {
		if (notify) {
			uint64_t now = uv_now(&l->uv);
			vpnc_engine_close(l->eng, now);
			drain_link_out(l, now);
		}
		keep_token(l);
		vpnc_engine_free(l->eng);
		l->eng = NULL;
	}
	vpnc_link_close(l->link);
	l->link = NULL;
	l->link_down = false;
	l->cc_exit = false;
	uv_timer_stop(&l->timer);
	uv_timer_stop(&l->poll);
	l->timer_armed = false;
	tun_resume(l);
}

static void forget_addrs(struct loop *l)
{
	if (l->addrs != NULL)
		uv_freeaddrinfo(l->addrs);
	l->addrs = NULL;
	l->addr = NULL;
}

static void on_retry(uv_timer_t *t)
{
	begin_connect(t->data);
}

/*
 * Picks where the next attempt goes after one ended for `why`, and starts
 * the pause before it (OpenVPN's "Restart pause"). The engine and link must
 * be gone already.
 */
static void next_attempt(struct loop *l, enum vpnc_remote_why why, bool auth_nointeract)
{
	bool more = l->addr != NULL && l->addr->ai_next != NULL;
	int step = vpnc_remote_advance(&l->sel, why, more);
	unsigned sec;

	if (step < 0) {
		vpnc_log(VPNC_LOG_FATAL,
		         "All connections have been connect-retry-max (%d) times unsuccessful, exiting.",
		         l->conf->connect_retry_max);
		shutdown_loop(l, 1);
		return;
	}
	if (step == VPNC_REMOTE_STEP_NEXT_ADDR)
		l->addr = l->addr->ai_next;
	else if (step == VPNC_REMOTE_STEP_RESOLVE)
		forget_addrs(l);
	sec = vpnc_remote_pause_s(&l->sel, why, auth_nointeract);
	if (sec > 0)
		vpnc_log(VPNC_LOG_INFO, "Restart pause, %u second(s)", sec);
	vpnc_ctlstate_down(l->ctl, VPNC_STATUS_RECONNECTING, NULL); /* Control socket (ctlstate.h) */
	uv_timer_start(&l->retry, on_retry, (uint64_t)sec * 1000, 0);
}

static void fill_netcfg_opts(struct loop *l, struct vpnc_netcfg_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ifconfig_noexec = l->conf->ifconfig_noexec;
	o->route_noexec = l->conf->route_noexec;
	o->route_nopull = l->conf->route_nopull;
	o->mtu = l->conf->tun_mtu;
	if (l->have_server && l->server.ss_family == AF_INET) {
		o->server_family = AF_INET;
		memcpy(o->server, &((struct sockaddr_in *)&l->server)->sin_addr, 4);
	} else if (l->have_server && l->server.ss_family == AF_INET6) {
		o->server_family = AF_INET6;
		memcpy(o->server, &((struct sockaddr_in6 *)&l->server)->sin6_addr, 16);
	}
}

static int open_tun(struct loop *l)
{
	int ret = vpnc_tunio_open(&l->tio, l->conf->dev, l->offload, &l->tun);

	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot open the TUN device '%s': %s.",
		         l->conf->dev[0] ? l->conf->dev : "tun", strerror(-ret));
		return ret;
	}
	ret = uv_poll_init(&l->uv, &l->tun_poll, l->tun.fd);
	if (ret == 0) {
		l->tun_poll.data = l;
		ret = uv_poll_start(&l->tun_poll, UV_READABLE, on_tun_readable);
	}
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot poll the TUN device %s: %s.", l->tun.name,
		         uv_strerror(ret));
		if (l->tun_poll.type == UV_POLL)
			uv_close((uv_handle_t *)&l->tun_poll, NULL);
		vpnc_tun_close(&l->tun);
		vpnc_tunio_release(&l->tio);
		return ret;
	}
	vpnc_log(VPNC_LOG_MORE, "TUN device %s opened", l->tun.name);
	return 0;
}

/* systemd (sdnotify.h): READY=1 on the first connect and after a reload, else STATUS=. */
static void sd_connected(struct loop *l, const char *desc)
{
	char st[VPNC_SD_MSG_MAX];

	snprintf(st, sizeof(st), "connected: %s %s, cipher %s", l->tun.name, desc, vpnc_engine_cipher(l->eng));
	if (!l->sd_ready || l->sd_reloading)
		(void)vpnc_sd_ready(st);
	else
		(void)vpnc_sd_status(st);
	l->sd_ready = true;
	l->sd_reloading = false;
}

/*
 * Least privilege: once the TUN device is open and configured (and the up
 * script has been started, as OpenVPN does), switch to --user/--group keeping
 * only CAP_NET_ADMIN, which later reconnects and the clean-up at exit need
 * for addresses and routes (privdrop.c says why for each capability kept).
 */
static void drop_privileges(struct loop *l)
{
	struct vpnc_privdrop_opts po;
	char perr[256];

	if (l->dropped || !vpnc_privdrop_opts_from_config(&po, l->conf))
		return;
	l->dropped = true;
	/* Restoring /etc/resolv.conf at exit needs to write a root-owned file. */
	po.keep_dac_override = l->updown.dns.mode == VPNC_DNS_FILE;
	perr[0] = '\0';
	if (vpnc_privdrop(&po, perr, sizeof(perr)) < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot drop privileges: %s.", perr);
		shutdown_loop(l, 1); /* never run half-dropped */
		return;
	}
	if (perr[0] != '\0')
		vpnc_log(VPNC_LOG_INFO, "%s", perr);
	vpnc_log(VPNC_LOG_INFO, "Dropped privileges to user %s, group %s", po.user != NULL ? po.user : "-",
	         po.group != NULL ? po.group : "-");
}

static void on_connected(struct loop *l, const struct vpnc_push *push)
{
	struct vpnc_netcfg_opts o;
	char desc[256];
	int ret;

	uv_timer_stop(&l->poll);
	vpnc_remote_connected(&l->sel);
	l->resolve_fail_since = 0;
	l->cc_exit = (push->protocol_flags & VPNC_PF_CC_EXIT) != 0;
	if (l->tun.fd < 0 && open_tun(l) < 0) {
		shutdown_loop(l, 1);
		return;
	}
	fill_netcfg_opts(l, &o);
	if (l->nc->applied && !vpnc_netcfg_matches(l->nc, push, &o)) {
		vpnc_log(VPNC_LOG_INFO, "The pushed configuration changed; reconfiguring %s", l->tun.name);
		(void)vpnc_netcfg_unapply(l->nc, l->p->nl);
	}
	if (!l->nc->applied) {
		ret = vpnc_netcfg_apply(l->nc, l->p->nl, &l->tun, push, &o);
		if (ret < 0) {
			vpnc_log(VPNC_LOG_FATAL, "Cannot configure %s: %s.", l->tun.name, strerror(-ret));
			shutdown_loop(l, 1);
			return;
		}
	}
	/* DNS and scripts (updown.h). */
	vpnc_updown_connected(&l->updown, push, l->tun.name, l->tun.ifindex, l->nc->mtu,
	                      l->have_server ? (const struct sockaddr *)&l->server : NULL);
	vpnc_netcfg_describe(l->nc, desc, sizeof(desc));
	vpnc_log(VPNC_LOG_INFO, "Initialization Sequence Completed%s: %s %s, mtu %d, cipher %s, %llu ms",
	         l->nc->n_failed ? " With Errors" : "", l->tun.name, desc, l->nc->mtu,
	         vpnc_engine_cipher(l->eng),
	         (unsigned long long)(uv_now(&l->uv) - l->attempt_start));
	if (l->nc->n_failed)
		vpnc_log(VPNC_LOG_INFO, "%u address(es) or route(s) could not be added", l->nc->n_failed);
	sd_connected(l, desc); /* systemd (sdnotify.h) */
	vpnc_ctlstate_connected(l->ctl, push, l->tun.name); /* Control socket (ctlstate.h) */
	drop_privileges(l);
}

static const char *state_name(enum vpnc_state s)
{
	switch (s) {
	case VPNC_ST_INITIAL: return "initial";
	case VPNC_ST_RESET: return "waiting for the server's reset";
	case VPNC_ST_TLS: return "TLS handshake";
	case VPNC_ST_KEYEX: return "key exchange";
	case VPNC_ST_PUSH: return "waiting for the pushed options";
	case VPNC_ST_CONNECTED: return "connected";
	case VPNC_ST_FAILED: return "failed";
	}
	return "unknown";
}

/* A FATAL event: exit, unless it is AUTH_FAILED and auth-retry says to try again. */
static void on_fatal(struct loop *l)
{
	enum vpnc_auth_retry ar = l->conf->auth_retry;

	if (l->cause != VPNC_CAUSE_AUTH_FAILED || ar == VPNC_AUTH_RETRY_NONE) {
		vpnc_log(VPNC_LOG_FATAL, "Exiting: %s.", l->reason);
		shutdown_loop(l, 1);
		return;
	}
	vpnc_log(VPNC_LOG_INFO, "AUTH: %s; trying again (auth-retry %s)", l->reason,
	         ar == VPNC_AUTH_RETRY_INTERACT ? "interact" : "nointeract");
	teardown_connection(l, false);
	if (ar == VPNC_AUTH_RETRY_INTERACT) {
		/* Ask again: forget what was given. */
		secret_wipe(l->pass, sizeof(l->pass));
		secret_wipe(l->user, sizeof(l->user));
		l->have_creds = false;
	}
	next_attempt(l, VPNC_REMOTE_SAME, ar == VPNC_AUTH_RETRY_NOINTERACT);
}

/* A RESTART event or a lost link: reconnect, to the next remote when the server says so. */
static void on_restart(struct loop *l)
{
	enum vpnc_remote_why why = VPNC_REMOTE_FAILED;

	vpnc_log(VPNC_LOG_INFO, "Connection reset: %s", l->reason);
	vpnc_ctlstate_down(l->ctl, VPNC_STATUS_RECONNECTING, l->reason); /* Control socket (ctlstate.h) */
	{ /* systemd (sdnotify.h) */
		char st[VPNC_SD_MSG_MAX];
		snprintf(st, sizeof(st), "reconnecting: %s", l->reason);
		(void)vpnc_sd_status(st);
	}
	teardown_connection(l, false);
	/*
	 * Without [P] OpenVPN forgets the cached username and password (to ask
	 * their source again) but keeps the auth-token; vpnc keeps both, which is
	 * the same for credentials from a file or inline block.
	 */
	if (l->cause == VPNC_CAUSE_SERVER_RESTART && (l->restart_flags & VPNC_RESTART_NEXT))
		why = VPNC_REMOTE_NEXT;
	next_attempt(l, why, false);
}

/* Handles engine events; a restart or fatal end is acted on after the queue is read. */
static void process_events(struct loop *l)
{
	struct vpnc_event ev;

	l->pending = VPNC_ACT_NONE;
	while (l->eng != NULL && !l->closing && vpnc_engine_event(l->eng, &ev) == 1) {
		switch (ev.type) {
		case VPNC_EV_STATE:
			vpnc_log(VPNC_LOG_NOTE, "state: %s", state_name(ev.state));
			(void)vpnc_sd_status(state_name(ev.state)); /* systemd (sdnotify.h) */
			break;
		case VPNC_EV_CONNECTED:
			if (ev.push != NULL && !l->exiting)
				on_connected(l, ev.push);
			break;
		case VPNC_EV_RESTART:
		case VPNC_EV_FATAL:
			if (l->pending != VPNC_ACT_FATAL) {
				l->pending = ev.type == VPNC_EV_FATAL ? VPNC_ACT_FATAL : VPNC_ACT_RESTART;
				snprintf(l->reason, sizeof(l->reason), "%s",
				         ev.reason != NULL && ev.reason[0] ? ev.reason : "no reason given");
				l->cause = ev.cause;
				l->restart_flags = ev.restart_flags;
			}
			break;
		default:
			break;
		}
	}
	if (l->closing)
		return;
	if (l->pending == VPNC_ACT_NONE && l->link_down && l->eng != NULL) {
		l->pending = VPNC_ACT_RESTART;
		l->cause = VPNC_CAUSE_OTHER;
		l->restart_flags = 0;
		snprintf(l->reason, sizeof(l->reason), "the TCP connection failed: %s",
		         uv_strerror(l->link_down_err));
	}
	if (l->exiting) {
		/* Waiting for the exit notification: done when it was answered, sent, or the session ended. */
		bool answered = !l->cc_exit || l->eng == NULL ||
		                vpnc_engine_stats(l->eng)->link_in_pkts > l->exit_in_pkts;
		if (l->pending != VPNC_ACT_NONE || l->link_down || (answered && !vpnc_link_busy(l->link)))
			shutdown_loop(l, 0);
		return;
	}
	if (l->pending == VPNC_ACT_FATAL)
		on_fatal(l);
	else if (l->pending == VPNC_ACT_RESTART)
		on_restart(l);
}

static void settle(struct loop *l)
{
	l->dirty = false;
	process_events(l);
	if (!l->closing)
		arm_timer(l);
}

static void on_timer(uv_timer_t *t)
{
	struct loop *l = t->data;
	uint64_t now = uv_now(&l->uv);

	l->timer_armed = false;
	if (l->eng == NULL)
		return;
	vpnc_engine_tick(l->eng, now);
	drain_link_out(l, now);
	settle(l);
}

/*
 * Runs just before the loop polls: during a bulk transfer whose wakeups find
 * only a few packets each, sleeps a little so that the next wakeup finds a
 * batch (core/coalesce.h). Signals cut the sleep short.
 */
static void on_prepare(uv_prepare_t *p)
{
	struct loop *l = p->data;
	uint32_t ns = vpnc_coalesce_idle(&l->coal, uv_hrtime());

	if (ns > 0) {
		struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)ns };
		(void)nanosleep(&ts, NULL);
	}
}

/* VPNC_COALESCE_US=N sets the coalescing sleep in microseconds (0 turns it off). */
static uint32_t coalesce_us(void)
{
	const char *v = getenv("VPNC_COALESCE_US");
	char *end;
	unsigned long us;

	if (v == NULL || *v == '\0')
		return VPNC_COALESCE_DEFAULT_US;
	us = strtoul(v, &end, 10);
	if (*end != '\0' || us > VPNC_COALESCE_MAX_US) {
		vpnc_log(VPNC_LOG_WARN, "VPNC_COALESCE_US=%s is not a number of microseconds up to %d; using %d",
		         v, VPNC_COALESCE_MAX_US, VPNC_COALESCE_DEFAULT_US);
		return VPNC_COALESCE_DEFAULT_US;
	}
	return (uint32_t)us;
}

static void on_check(uv_check_t *c)
{
	struct loop *l = c->data;

	if (l->dirty)
		settle(l);
}

/* ---- starting an attempt ---- */

/* Makes sure the username and password are at hand when the next attempt needs them. */
static int need_creds(struct loop *l)
{
	int ret;

	if (!l->conf->auth_user_pass || l->have_creds || l->token[0] != '\0')
		return 0;
	if (l->p->get_creds == NULL)
		return -ENOENT;
	ret = l->p->get_creds(l->p->creds_ctx, l->user, l->pass, sizeof(l->user));
	if (ret < 0) {
		secret_wipe(l->user, sizeof(l->user));
		secret_wipe(l->pass, sizeof(l->pass));
		return ret;
	}
	l->have_creds = true;
	return 0;
}

static int local_port(const struct vpnc_config *c)
{
	if (c->nobind)
		return 0;
	if (c->lport > 0)
		return c->lport;
	return c->bind ? VPNC_DEFAULT_LPORT : 0;
}

static void on_poll_timeout(uv_timer_t *t)
{
	struct loop *l = t->data;

	if (l->eng == NULL || l->closing || l->exiting)
		return;
	/* Only "no answer at all" moves on; a slow handshake is hand-window's business. */
	if (vpnc_engine_state(l->eng) > VPNC_ST_RESET)
		return;
	vpnc_log(VPNC_LOG_INFO, "Server poll timeout (%d s), restarting", l->conf->server_poll_timeout);
	teardown_connection(l, false);
	next_attempt(l, VPNC_REMOTE_POLL_TIMEOUT, false);
}

static void start_engine(struct loop *l)
{
	const struct vpnc_remote *r = vpnc_remote_current(&l->sel);
	struct vpnc_engine_cfg ecfg;
	struct vpnc_link_cbs cbs = {
		.packet = on_link_packet,
		.error = on_link_error,
		.down = on_link_down,
		.writable = on_link_writable,
		.batch_end = on_link_batch_end,
		.ctx = l,
	};
	uint64_t now = uv_now(&l->uv);
	bool tcp = r->transport == VPNC_TRANSPORT_TCP;
	int ret;

	ret = need_creds(l);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "%s",
		         ret == -ENXIO ? "auth-user-pass needs a username and password, and there is no "
		                         "terminal to ask for them."
		                       : "Cannot get the auth-user-pass username and password.");
		shutdown_loop(l, 1);
		return;
	}
	vpnc_engine_cfg_from_config(&ecfg, l->conf);
	ecfg.transport = r->transport;
	ecfg.link_ipv6 = l->server.ss_family == AF_INET6;
	ecfg.ssl_ctx = l->p->ssl_ctx;
	ecfg.rand = rand_bytes;
	ecfg.wallclock = wallclock;
	ecfg.log = vpnc_log_engine;
	ecfg.verb = vpnc_log_verb;
	if (l->user[0] != '\0')
		ecfg.username = l->user;
	if (l->have_creds)
		ecfg.password = l->pass;
	if (l->token[0] != '\0') {
		ecfg.auth_token = l->token;
		ecfg.auth_token_user = l->token_user;
	}
	ret = vpnc_engine_new(&ecfg, &l->eng);
	/* auth-nocache: the engine has its own copy; ours goes. */
	if (l->conf->auth_nocache && l->have_creds) {
		secret_wipe(l->pass, sizeof(l->pass));
		l->have_creds = false;
	}
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot start the protocol engine: %s.", strerror(-ret));
		shutdown_loop(l, 1);
		return;
	}
	if (tcp)
		ret = vpnc_link_tcp_open(&l->uv, (struct sockaddr *)&l->server, local_port(l->conf), &cbs,
		                         &l->link);
	else
		ret = vpnc_link_udp_open(&l->uv, (struct sockaddr *)&l->server, local_port(l->conf),
		                         l->offload, &cbs, &l->link);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_INFO, "Cannot open the %s socket: %s", tcp ? "TCP" : "UDP",
		         uv_strerror(ret));
		teardown_connection(l, false);
		next_attempt(l, VPNC_REMOTE_FAILED, false);
		return;
	}
	l->last_link_err = 0;
	ret = vpnc_engine_start(l->eng, now);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot start the session: %s.", strerror(-ret));
		shutdown_loop(l, 1);
		return;
	}
	if (l->conf->server_poll_timeout > 0)
		uv_timer_start(&l->poll, on_poll_timeout, (uint64_t)l->conf->server_poll_timeout * 1000, 0);
	drain_link_out(l, now);
	settle(l);
}

static bool same_addr(const struct sockaddr_storage *a, const struct vpnc_netcfg *nc)
{
	if (a->ss_family == AF_INET && nc->server_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr, nc->server, 4) == 0;
	if (a->ss_family == AF_INET6 && nc->server_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, nc->server, 16) == 0;
	return nc->server_family == 0;
}

/* Starts an attempt to l->addr, one of the addresses the current remote resolved to. */
static void connect_addr(struct loop *l)
{
	const struct vpnc_remote *r = vpnc_remote_current(&l->sel);
	char host[INET6_ADDRSTRLEN + 2] = "?";

	memset(&l->server, 0, sizeof(l->server));
	memcpy(&l->server, l->addr->ai_addr, l->addr->ai_addrlen);
	l->have_server = true;
	uv_ip_name((struct sockaddr *)&l->server, host, sizeof(host));
	vpnc_log(VPNC_LOG_INFO, "%s link remote: [%s]%s:%s",
	         r->transport == VPNC_TRANSPORT_TCP ? "TCP" : "UDP",
	         l->server.ss_family == AF_INET6 ? "AF_INET6" : "AF_INET", host, r->port);
	/* A host route made for another server address would now be wrong. */
	if (l->nc->applied && !same_addr(&l->server, l->nc))
		(void)vpnc_netcfg_unapply(l->nc, l->p->nl);
	l->attempt_start = uv_now(&l->uv);
	vpnc_ctlstate_attempt(l->ctl, r, (const struct sockaddr *)&l->server); /* Control socket (ctlstate.h) */
	start_engine(l);
}

/* The current remote's name did not resolve: the next remote, unless resolv-retry ran out. */
static void resolve_failed(struct loop *l, const char *host, int err)
{
	uint64_t now = uv_now(&l->uv);
	int limit = l->conf->resolv_retry;

	vpnc_log(VPNC_LOG_INFO, "Cannot resolve %s: %s", host, err < 0 ? uv_strerror(err) : "no address");
	if (l->resolve_fail_since == 0)
		l->resolve_fail_since = now;
	/* Every remote failed to resolve for longer than resolv-retry allows: give up. */
	if (limit >= 0 && l->sel.failures + 1 >= l->sel.n &&
	    now - l->resolve_fail_since >= (uint64_t)limit * 1000) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot resolve any remote within resolv-retry (%d s).", limit);
		shutdown_loop(l, 1);
		return;
	}
	next_attempt(l, VPNC_REMOTE_FAILED, false);
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct loop *l = req->data;
	const struct vpnc_remote *r = vpnc_remote_current(&l->sel);
	struct addrinfo *a;

	l->gai_busy = false;
	if (l->closing || l->exiting || status == UV_EAI_CANCELED || l->eng != NULL) {
		uv_freeaddrinfo(res);
		return;
	}
	for (a = status == 0 ? res : NULL; a != NULL; a = a->ai_next)
		if ((a->ai_family == AF_INET || a->ai_family == AF_INET6) &&
		    a->ai_addrlen <= sizeof(l->server))
			break;
	if (a == NULL) {
		uv_freeaddrinfo(res);
		resolve_failed(l, r->host, status);
		return;
	}
	forget_addrs(l);
	l->addrs = res;
	l->addr = a;
	l->resolve_fail_since = 0;
	connect_addr(l);
}

/* Connects to the chosen address of the current remote, resolving its name first if needed. */
static void begin_connect(struct loop *l)
{
	const struct vpnc_remote *r;
	struct addrinfo hints;
	int ret;

	if (l->closing || l->exiting || l->gai_busy || l->eng != NULL)
		return;
	if (l->addr != NULL) {
		connect_addr(l);
		return;
	}
	r = vpnc_remote_current(&l->sel);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = r->family;
	if (r->transport == VPNC_TRANSPORT_TCP) {
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_protocol = IPPROTO_TCP;
	} else {
		hints.ai_socktype = SOCK_DGRAM;
		hints.ai_protocol = IPPROTO_UDP;
	}
	l->gai.data = l;
	ret = uv_getaddrinfo(&l->uv, &l->gai, on_resolved, r->host, r->port[0] ? r->port : "1194",
	                     &hints);
	if (ret < 0) {
		resolve_failed(l, r->host, ret);
		return;
	}
	l->gai_busy = true;
}

/* ---- signals and shutdown ---- */

static void on_exit_timer(uv_timer_t *t)
{
	shutdown_loop(t->data, 0);
}

/*
 * SIGTERM/SIGINT: tell the server (OCC_EXIT datagrams, or EXIT on the
 * control channel when it announced cc-exit), then wait at most
 * VPNC_EXIT_WAIT_MS for its answer, or for TCP to send what is queued.
 */
static void begin_exit(struct loop *l)
{
	uint64_t now = uv_now(&l->uv);

	vpnc_ctlstate_down(l->ctl, VPNC_STATUS_EXITING, NULL); /* Control socket (ctlstate.h) */

	if (l->exiting || l->eng == NULL || l->link == NULL ||
	    vpnc_engine_state(l->eng) != VPNC_ST_CONNECTED) {
		shutdown_loop(l, 0);
		return;
	}
	l->exiting = true;
	uv_timer_stop(&l->retry);
	uv_timer_stop(&l->poll);
	l->exit_in_pkts = vpnc_engine_stats(l->eng)->link_in_pkts;
	vpnc_engine_close(l->eng, now);
	drain_link_out(l, now);
	if (!l->cc_exit && !vpnc_link_busy(l->link)) {
		shutdown_loop(l, 0);
		return;
	}
	uv_timer_start(&l->exit_timer, on_exit_timer, VPNC_EXIT_WAIT_MS, 0);
	arm_timer(l);
}

static void on_signal(uv_signal_t *s, int signum)
{
	struct loop *l = s->data;

	if (l->closing)
		return;
	if (signum == SIGHUP || signum == SIGUSR1) {
		if (l->exiting)
			return;
		vpnc_log(VPNC_LOG_INFO, "%s received, reconnecting", signum == SIGHUP ? "SIGHUP" : "SIGUSR1");
		/* systemd (sdnotify.h): a SIGHUP (systemctl reload) is a reload until READY=1. */
		if (signum == SIGHUP) {
			(void)vpnc_sd_reloading("reconnecting (SIGHUP)");
			l->sd_reloading = true;
		} else {
			(void)vpnc_sd_status("reconnecting (SIGUSR1)");
		}
		teardown_connection(l, true);
		vpnc_ctlstate_down(l->ctl, VPNC_STATUS_RECONNECTING, NULL); /* Control socket (ctlstate.h) */
		uv_timer_stop(&l->retry);
		if (signum == SIGHUP) {
			/* A hard restart: the remote list from the start, at once. */
			forget_addrs(l);
			vpnc_remote_init(&l->sel, l->conf, rand_below, NULL);
			begin_connect(l);
		} else {
			/* A soft restart: like a lost connection (the same server first). */
			next_attempt(l, VPNC_REMOTE_FAILED, false);
		}
		return;
	}
	vpnc_log(VPNC_LOG_INFO, "%s received, exiting", signum == SIGINT ? "SIGINT" : "SIGTERM");
	(void)vpnc_sd_stopping(signum == SIGINT ? "exiting (SIGINT)" : "exiting (SIGTERM)"); /* systemd */
	begin_exit(l);
}

static void close_handle(uv_handle_t *h)
{
	/* A zeroed handle (type UV_UNKNOWN_HANDLE) was never initialised. */
	if (h->type != UV_UNKNOWN_HANDLE && !uv_is_closing(h))
		uv_close(h, NULL);
}

/* Removes everything vpnc added and closes every handle; uv_run then returns. */
static void shutdown_loop(struct loop *l, int code)
{
	if (l->closing)
		return;
	l->closing = true;
	l->exit_code = code;
	vpnc_ctlstate_close(l->ctl); /* Control socket (ctlstate.h): gone before the last uv_run */
	l->ctl = NULL;
	/* systemd (sdnotify.h, sdwatchdog.h); a second STOPPING=1 after a signal is harmless. */
	(void)vpnc_sd_stopping(code == 0 ? "disconnected" : "stopped after an error (see the log)");
	vpnc_sd_watchdog_stop(&l->sd_wd);
	teardown_connection(l, true);
	forget_addrs(l);
	if (l->gai_busy)
		(void)uv_cancel((uv_req_t *)&l->gai);
	vpnc_updown_dns_revert(&l->updown); /* DNS and scripts (updown.h) */
	if (l->nc->applied) {
		int failed = vpnc_netcfg_unapply(l->nc, l->p->nl);
		if (failed > 0)
			vpnc_log(VPNC_LOG_INFO, "%d address(es) or route(s) could not be removed", failed);
	}
	if (l->tun.fd >= 0) {
		vpnc_tunio_flush(&l->tio);
		close_handle((uv_handle_t *)&l->tun_poll);
		vpnc_tun_close(&l->tun);
	}
	vpnc_updown_down(&l->updown, code == 0 ? "sigterm" : "fatal-error"); /* runs during the last uv_run */
	close_handle((uv_handle_t *)&l->timer);
	close_handle((uv_handle_t *)&l->retry);
	close_handle((uv_handle_t *)&l->poll);
	close_handle((uv_handle_t *)&l->exit_timer);
	close_handle((uv_handle_t *)&l->check);
	close_handle((uv_handle_t *)&l->prepare);
	close_handle((uv_handle_t *)&l->sig_int);
	close_handle((uv_handle_t *)&l->sig_term);
	close_handle((uv_handle_t *)&l->sig_hup);
	close_handle((uv_handle_t *)&l->sig_usr1);
}

/* DNS and scripts (updown.h): a failed 'up' or 'route-up' ends the run, as in OpenVPN. */
static void updown_fail(void *ctx)
{
	shutdown_loop(ctx, 1);
}

/* Control socket (ctlstate.h): disconnect as SIGTERM, reconnect as SIGHUP, the engine for counters. */
static void ctl_disconnect(void *ctx)
{
	struct loop *l = ctx;

	if (!l->closing)
		begin_exit(l);
}

static void ctl_reconnect(void *ctx)
{
	struct loop *l = ctx;

	on_signal(&l->sig_hup, SIGHUP);
}

static const struct vpnc_engine *ctl_engine(void *ctx)
{
	return ((struct loop *)ctx)->eng;
}

static bool ctl_datapath(void *ctx, struct vpnc_status_datapath *out)
{
	const struct loop *l = ctx;

	if (l->tun.fd < 0)
		return false;
	out->tun_offloads = l->tio.offloads;
	out->coalesce_us = l->coal.delay_ns / 1000u;
	out->coalesce_sleeps = l->coal.sleeps;
	out->tun_write_errors = l->tio.write_errors;
	out->tun_bad_frames = l->tio.bad_frames;
	out->tun_dropped = l->tio.dropped;
	return true;
}

static int init_handles(struct loop *l)
{
	int ret;

	if ((ret = uv_timer_init(&l->uv, &l->timer)) < 0 || (ret = uv_timer_init(&l->uv, &l->retry)) < 0 ||
	    (ret = uv_timer_init(&l->uv, &l->poll)) < 0 ||
	    (ret = uv_timer_init(&l->uv, &l->exit_timer)) < 0 ||
	    (ret = uv_check_init(&l->uv, &l->check)) < 0 ||
	    (ret = uv_prepare_init(&l->uv, &l->prepare)) < 0 ||
	    (ret = uv_signal_init(&l->uv, &l->sig_int)) < 0 ||
	    (ret = uv_signal_init(&l->uv, &l->sig_term)) < 0 ||
	    (ret = uv_signal_init(&l->uv, &l->sig_hup)) < 0 ||
	    (ret = uv_signal_init(&l->uv, &l->sig_usr1)) < 0)
		return ret;
	l->timer.data = l->retry.data = l->poll.data = l->exit_timer.data = l->check.data = l->prepare.data = l;
	l->sig_int.data = l->sig_term.data = l->sig_hup.data = l->sig_usr1.data = l;
	vpnc_coalesce_init(&l->coal, coalesce_us(), uv_hrtime());
	if ((ret = uv_check_start(&l->check, on_check)) < 0 ||
	    (ret = uv_prepare_start(&l->prepare, on_prepare)) < 0 ||
	    (ret = uv_signal_start(&l->sig_int, on_signal, SIGINT)) < 0 ||
	    (ret = uv_signal_start(&l->sig_term, on_signal, SIGTERM)) < 0 ||
	    (ret = uv_signal_start(&l->sig_hup, on_signal, SIGHUP)) < 0 ||
	    (ret = uv_signal_start(&l->sig_usr1, on_signal, SIGUSR1)) < 0)
		return ret;
	/* The check handle must not keep the loop alive on its own. */
	uv_unref((uv_handle_t *)&l->check);
	uv_unref((uv_handle_t *)&l->prepare);
	/* systemd (sdwatchdog.h): keep-alives when the unit has WatchdogSec=. */
	ret = vpnc_sd_watchdog_start(&l->sd_wd, &l->uv);
	if (ret < 0)
		vpnc_log(VPNC_LOG_INFO, "systemd watchdog not started: %s", uv_strerror(ret));
	return 0;
}

int vpnc_loop_run(const struct vpnc_loop_params *p)
{
	struct loop *l;
	int ret, code = 1;

	if (p->conf->n_remotes == 0) {
		vpnc_log(VPNC_LOG_FATAL, "No remote is configured.");
		return 1;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		goto oom;
	l->p = p;
	l->conf = p->conf;
	l->tun.fd = -1;
	l->offload = offload_wanted();
	l->pool = malloc((size_t)VPNC_BUF__COUNT * VPNC_PKT_BUF);
	l->nc = malloc(sizeof(*l->nc));
	if (l->pool == NULL || l->nc == NULL)
		goto oom;
	vpnc_netcfg_init(l->nc);
	vpnc_remote_init(&l->sel, l->conf, rand_below, NULL);
	ret = uv_loop_init(&l->uv);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot create the event loop: %s.", uv_strerror(ret));
		goto out;
	}
	ret = init_handles(l);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot set up the event loop: %s.", uv_strerror(ret));
		shutdown_loop(l, 1);
	} else if (vpnc_updown_init(&l->updown, &l->uv, l->conf, updown_fail, l) < 0) {
		shutdown_loop(l, 1); /* DNS and scripts (updown.h): scripts not allowed */
	} else {
		/* Control socket (ctlstate.h): without one if it cannot be made (logged). */
		struct vpnc_ctlstate_hooks ch = {ctl_disconnect, ctl_reconnect, ctl_engine, ctl_datapath, l};

		(void)vpnc_ctlstate_open(&l->ctl, &l->uv, l->conf, &ch);
		begin_connect(l);
	}
	uv_run(&l->uv, UV_RUN_DEFAULT);
	if (!l->closing)
		shutdown_loop(l, 1); /* the loop ran dry: treat as an error, but clean up */
	uv_run(&l->uv, UV_RUN_DEFAULT);
	code = l->exit_code;
	if (uv_loop_close(&l->uv) < 0)
		vpnc_log(VPNC_LOG_MORE, "event loop closed with handles still open");
	goto out;
oom:
	vpnc_log(VPNC_LOG_FATAL, "Out of memory.");
out:
	if (l != NULL) {
		if (l->pool != NULL)
			OPENSSL_cleanse(l->pool, (size_t)VPNC_BUF__COUNT * VPNC_PKT_BUF);
		free(l->pool);
		vpnc_tunio_release(&l->tio);
		free(l->nc);
		vpnc_updown_free(&l->updown);
		/* Credentials and the auth-token. */
		OPENSSL_cleanse(l, sizeof(*l));
		free(l);
	}
	return code;
}
