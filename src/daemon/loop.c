/*
 * loop.c: owns the daemon's event loop: resolving the remote, one engine and
 * one link per connection attempt, the TUN data path, the engine timer,
 * reconnect back-off, signals, and the ordered teardown.
 *
 * Structure of one loop iteration (libuv phases):
 *  - timers: the engine timer (tick, then flush) and the reconnect timer;
 *  - poll: UDP datagrams (link_udp.c, up to 32 per wakeup), TUN readability
 *    (read loop up to VPNC_TUN_BUDGET packets), signals, resolver results;
 *    every input is followed by draining vpnc_engine_link_out();
 *  - check: engine events are handled and the engine timer re-armed once
 *    per iteration, after all I/O of that iteration.
 *
 * Data path: four packet buffers of VPNC_PKT_BUF are allocated once at start
 * (link receive, link send, TUN read, TUN write); nothing is allocated,
 * formatted or copied per packet besides the kernel's and the cipher's work.
 * Sends that would block are dropped, as on a congested UDP network.
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

#include "daemon/link.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/updown.h"

/* The preallocated packet buffers, by role. */
enum {
	VPNC_BUF_LINK_RX = 0,
	VPNC_BUF_LINK_TX,
	VPNC_BUF_TUN_RX,
	VPNC_BUF_TUN_TX,
	VPNC_BUF__COUNT
};

/* Most packets read from the TUN per wakeup before other work gets a turn. */
#define VPNC_TUN_BUDGET 64
/* Most packets taken from vpnc_engine_link_out() after one input. */
#define VPNC_LINK_OUT_BUDGET 1024
/* Reconnect back-off ceiling, seconds (OpenVPN's connect-retry-max default). */
#define VPNC_RETRY_MAX_S 300
/* Room for a reason copied out of an engine event. */
#define VPNC_REASON_MAX 256

enum pending_action {
	VPNC_ACT_NONE = 0,
	VPNC_ACT_RESTART,
	VPNC_ACT_FATAL,
};

struct loop {
	uv_loop_t uv;
	const struct vpnc_loop_params *p;
	const struct vpnc_config *conf;
	uint8_t *pool;                   /* VPNC_BUF__COUNT * VPNC_PKT_BUF, wiped on free */

	/* Per connection attempt. */
	struct vpnc_engine *eng;
	struct vpnc_link *link;
	uv_getaddrinfo_t gai;
	bool gai_busy;
	uint64_t attempt_start;
	int last_link_err;

	/* Whole run. */
	uv_timer_t timer;                /* engine timer */
	bool timer_armed;
	uint64_t timer_due;
	uv_timer_t retry;                /* reconnect back-off */
	uv_check_t check;
	bool dirty;                      /* input arrived: events and timer need a look */
	uv_signal_t sig_int, sig_term, sig_hup;
	uv_poll_t tun_poll;
	struct vpnc_tun tun;
	unsigned tun_write_errors;
	struct vpnc_netcfg *nc;
	struct sockaddr_storage server;
	bool have_server;
	size_t remote_idx;
	unsigned attempts;               /* consecutive failed attempts */
	bool closing;
	int exit_code;
	enum pending_action pending;
	char reason[VPNC_REASON_MAX];

	/* DNS and scripts (updown.h). */
	struct vpnc_updown updown;
};

static void begin_connect(struct loop *l);
static void shutdown_loop(struct loop *l, int code);

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

static uint64_t wallclock(void *ctx)
{
	(void)ctx;
	return (uint64_t)time(NULL);
}

/* Sends everything the engine has queued for the link. */
static void drain_link_out(struct loop *l, uint64_t now)
{
	struct vpnc_buf out;

	for (int i = 0; i < VPNC_LINK_OUT_BUDGET && l->eng != NULL; i++) {
		vpnc_buf_init(&out, pool_buf(l, VPNC_BUF_LINK_TX), VPNC_PKT_BUF, VPNC_HEADROOM);
		if (vpnc_engine_link_out(l->eng, now, &out) <= 0)
			break;
		if (l->link != NULL)
			(void)vpnc_link_send(l->link, vpnc_buf_data(&out), out.len);
	}
}

static void tun_write(struct loop *l, const struct vpnc_buf *b)
{
	if (l->tun.fd < 0)
		return;
	if (write(l->tun.fd, vpnc_buf_data(b), b->len) < 0 && l->tun_write_errors++ == 0)
		vpnc_log(VPNC_LOG_MORE, "writing to %s failed (%s); dropping such packets",
		         l->tun.name, strerror(errno));
}

/* ---- link input ---- */

static void on_link_packet(void *ctx, const uint8_t *pkt, size_t len)
{
	struct loop *l = ctx;
	struct vpnc_buf tun_out;
	uint64_t now = uv_now(&l->uv);

	if (l->eng == NULL)
		return;
	vpnc_buf_init(&tun_out, pool_buf(l, VPNC_BUF_TUN_TX), VPNC_PKT_BUF, VPNC_HEADROOM);
	if (vpnc_engine_link_in(l->eng, now, pkt, len, &tun_out) == 1)
		tun_write(l, &tun_out);
	drain_link_out(l, now);
	l->dirty = true;
}

static void on_link_error(void *ctx, int err)
{
	struct loop *l = ctx;

	/* ICMP errors on a connected socket (server not listening yet): the engine retries. */
	if (err != l->last_link_err)
		vpnc_log(VPNC_LOG_MORE, "link error: %s", uv_strerror(err));
	l->last_link_err = err;
}

/* ---- TUN input ---- */

static void on_tun_readable(uv_poll_t *h, int status, int events)
{
	struct loop *l = h->data;
	uint8_t *rx = pool_buf(l, VPNC_BUF_TUN_RX) + VPNC_HEADROOM;
	bool up = l->eng != NULL && vpnc_engine_state(l->eng) == VPNC_ST_CONNECTED;
	uint64_t now = uv_now(&l->uv);
	struct vpnc_buf out;

	(void)status; /* an error shows up as a failing read() below */
	(void)events;
	for (int i = 0; i < VPNC_TUN_BUDGET; i++) {
		ssize_t n = read(l->tun.fd, rx, VPNC_LINK_MAX);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			/* EBADFD/EIO: the device was deleted under us; polling would spin. */
			vpnc_log(VPNC_LOG_FATAL, "Reading from %s failed: %s.", l->tun.name,
			         strerror(errno));
			shutdown_loop(l, 1);
			return;
		}
		/* Not connected (reconnecting), empty, or possibly truncated: drop. */
		if (!up || n == 0 || n >= VPNC_LINK_MAX)
			continue;
		vpnc_buf_init(&out, pool_buf(l, VPNC_BUF_LINK_TX), VPNC_PKT_BUF, VPNC_HEADROOM);
		if (vpnc_engine_tun_in(l->eng, now, rx, (size_t)n, &out) == 0 && l->link != NULL)
			(void)vpnc_link_send(l->link, vpnc_buf_data(&out), out.len);
	}
	if (up) {
		drain_link_out(l, now);
		l->dirty = true;
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

/* Ends the current attempt: optional exit notification, engine and link gone. */
static void teardown_connection(struct loop *l, bool notify)
{
	if (l->eng != NULL) {
		if (notify) {
			uint64_t now = uv_now(&l->uv);
			vpnc_engine_close(l->eng, now);
			drain_link_out(l, now);
		}
		vpnc_engine_free(l->eng);
		l->eng = NULL;
	}
	vpnc_link_close(l->link);
	l->link = NULL;
	uv_timer_stop(&l->timer);
	l->timer_armed = false;
}

static void on_retry(uv_timer_t *t)
{
	begin_connect(t->data);
}

static void schedule_retry(struct loop *l)
{
	int base = l->conf->connect_retry > 0 ? l->conf->connect_retry : 1;
	unsigned shift = l->attempts < 9 ? l->attempts : 9;
	long delay = (long)base << shift;

	if (delay > VPNC_RETRY_MAX_S)
		delay = VPNC_RETRY_MAX_S;
	l->attempts++;
	vpnc_log(VPNC_LOG_INFO, "Restarting in %ld s", delay);
	uv_timer_start(&l->retry, on_retry, (uint64_t)delay * 1000, 0);
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
	int ret = vpnc_tun_open(l->conf->dev, &l->tun);

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
		return ret;
	}
	vpnc_log(VPNC_LOG_MORE, "TUN device %s opened", l->tun.name);
	return 0;
}

static void on_connected(struct loop *l, const struct vpnc_push *push)
{
	struct vpnc_netcfg_opts o;
	char desc[256];
	int ret;

	l->attempts = 0;
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

/* Handles engine events; a restart or fatal end is acted on after the queue is read. */
static void process_events(struct loop *l)
{
	struct vpnc_event ev;

	l->pending = VPNC_ACT_NONE;
	while (l->eng != NULL && !l->closing && vpnc_engine_event(l->eng, &ev) == 1) {
		switch (ev.type) {
		case VPNC_EV_STATE:
			vpnc_log(VPNC_LOG_NOTE, "state: %s", state_name(ev.state));
			break;
		case VPNC_EV_CONNECTED:
			if (ev.push != NULL)
				on_connected(l, ev.push);
			break;
		case VPNC_EV_RESTART:
		case VPNC_EV_FATAL:
			if (l->pending != VPNC_ACT_FATAL) {
				l->pending = ev.type == VPNC_EV_FATAL ? VPNC_ACT_FATAL : VPNC_ACT_RESTART;
				snprintf(l->reason, sizeof(l->reason), "%s",
				         ev.reason != NULL && ev.reason[0] ? ev.reason : "no reason given");
			}
			break;
		default:
			break;
		}
	}
	if (l->closing || l->pending == VPNC_ACT_NONE)
		return;
	if (l->pending == VPNC_ACT_FATAL) {
		vpnc_log(VPNC_LOG_FATAL, "Exiting: %s.", l->reason);
		shutdown_loop(l, 1);
		return;
	}
	vpnc_log(VPNC_LOG_INFO, "Connection reset: %s", l->reason);
	teardown_connection(l, false);
	l->remote_idx = (l->remote_idx + 1) % l->conf->n_remotes;
	schedule_retry(l);
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

static void on_check(uv_check_t *c)
{
	struct loop *l = c->data;

	if (l->dirty)
		settle(l);
}

/* ---- resolving and starting an attempt ---- */

static void start_engine(struct loop *l)
{
	struct vpnc_engine_cfg ecfg;
	struct vpnc_link_cbs cbs = {on_link_packet, on_link_error, l};
	uint64_t now = uv_now(&l->uv);
	int ret;

	vpnc_engine_cfg_from_config(&ecfg, l->conf);
	ecfg.transport = VPNC_TRANSPORT_UDP;
	ecfg.ssl_ctx = l->p->ssl_ctx;
	ecfg.rand = rand_bytes;
	ecfg.wallclock = wallclock;
	ecfg.log = vpnc_log_engine;
	ecfg.verb = vpnc_log_verb;
	if (l->p->username != NULL)
		ecfg.username = l->p->username;
	if (l->p->password != NULL)
		ecfg.password = l->p->password;
	ret = vpnc_engine_new(&ecfg, &l->eng);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot start the protocol engine: %s.", strerror(-ret));
		shutdown_loop(l, 1);
		return;
	}
	ret = vpnc_link_udp_open(&l->uv, (struct sockaddr *)&l->server,
	                         l->conf->nobind ? 0 : l->conf->lport, pool_buf(l, VPNC_BUF_LINK_RX),
	                         VPNC_PKT_BUF, &cbs, &l->link);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_INFO, "Cannot open the UDP socket: %s", uv_strerror(ret));
		teardown_connection(l, false);
		schedule_retry(l);
		return;
	}
	l->last_link_err = 0;
	ret = vpnc_engine_start(l->eng, now);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot start the session: %s.", strerror(-ret));
		shutdown_loop(l, 1);
		return;
	}
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

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct loop *l = req->data;
	const struct vpnc_remote *r = &l->conf->remotes[l->remote_idx];
	char host[INET6_ADDRSTRLEN + 2] = "?";

	l->gai_busy = false;
	if (l->closing || status == UV_EAI_CANCELED) {
		uv_freeaddrinfo(res);
		return;
	}
	if (status < 0 || res == NULL || res->ai_addrlen > sizeof(l->server)) {
		vpnc_log(VPNC_LOG_INFO, "Cannot resolve %s: %s", r->host,
		         status < 0 ? uv_strerror(status) : "no address");
		uv_freeaddrinfo(res);
		l->remote_idx = (l->remote_idx + 1) % l->conf->n_remotes;
		schedule_retry(l);
		return;
	}
	memset(&l->server, 0, sizeof(l->server));
	memcpy(&l->server, res->ai_addr, res->ai_addrlen);
	l->have_server = true;
	uv_freeaddrinfo(res);
	uv_ip_name((struct sockaddr *)&l->server, host, sizeof(host));
	vpnc_log(VPNC_LOG_INFO, "UDP link remote: [%s]%s:%s",
	         l->server.ss_family == AF_INET6 ? "AF_INET6" : "AF_INET", host, r->port);
	/* A host route made for another server address would now be wrong. */
	if (l->nc->applied && !same_addr(&l->server, l->nc))
		(void)vpnc_netcfg_unapply(l->nc, l->p->nl);
	start_engine(l);
}

/* Picks the next UDP remote (skipping TCP ones) and resolves it. */
static void begin_connect(struct loop *l)
{
	const struct vpnc_config *c = l->conf;
	struct addrinfo hints;
	int ret;

	if (l->closing || l->gai_busy || l->eng != NULL)
		return;
	for (size_t i = 0; i < c->n_remotes; i++) {
		if (c->remotes[l->remote_idx].transport == VPNC_TRANSPORT_UDP)
			break;
		l->remote_idx = (l->remote_idx + 1) % c->n_remotes;
	}
	const struct vpnc_remote *r = &c->remotes[l->remote_idx];
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = r->family;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_protocol = IPPROTO_UDP;
	l->attempt_start = uv_now(&l->uv);
	l->gai.data = l;
	ret = uv_getaddrinfo(&l->uv, &l->gai, on_resolved, r->host, r->port[0] ? r->port : "1194",
	                     &hints);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_INFO, "Cannot resolve %s: %s", r->host, uv_strerror(ret));
		schedule_retry(l);
		return;
	}
	l->gai_busy = true;
}

/* ---- signals and shutdown ---- */

static void on_signal(uv_signal_t *s, int signum)
{
	struct loop *l = s->data;

	if (signum == SIGHUP) {
		if (l->closing)
			return;
		vpnc_log(VPNC_LOG_INFO, "SIGHUP received, reconnecting");
		teardown_connection(l, true);
		uv_timer_stop(&l->retry);
		l->attempts = 0;
		begin_connect(l);
		return;
	}
	vpnc_log(VPNC_LOG_INFO, "%s received, exiting", signum == SIGINT ? "SIGINT" : "SIGTERM");
	shutdown_loop(l, 0);
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
	teardown_connection(l, true);
	if (l->gai_busy)
		(void)uv_cancel((uv_req_t *)&l->gai);
	vpnc_updown_dns_revert(&l->updown); /* DNS and scripts (updown.h) */
	if (l->nc->applied) {
		int failed = vpnc_netcfg_unapply(l->nc, l->p->nl);
		if (failed > 0)
			vpnc_log(VPNC_LOG_INFO, "%d address(es) or route(s) could not be removed", failed);
	}
	if (l->tun.fd >= 0) {
		close_handle((uv_handle_t *)&l->tun_poll);
		vpnc_tun_close(&l->tun);
	}
	vpnc_updown_down(&l->updown, code == 0 ? "sigterm" : "fatal-error"); /* runs during the last uv_run */
	close_handle((uv_handle_t *)&l->timer);
	close_handle((uv_handle_t *)&l->retry);
	close_handle((uv_handle_t *)&l->check);
	close_handle((uv_handle_t *)&l->sig_int);
	close_handle((uv_handle_t *)&l->sig_term);
	close_handle((uv_handle_t *)&l->sig_hup);
}

/* DNS and scripts (updown.h): a failed 'up' or 'route-up' ends the run, as in OpenVPN. */
static void updown_fail(void *ctx)
{
	shutdown_loop(ctx, 1);
}

static int init_handles(struct loop *l)
{
	int ret;

	if ((ret = uv_timer_init(&l->uv, &l->timer)) < 0 || (ret = uv_timer_init(&l->uv, &l->retry)) < 0 ||
	    (ret = uv_check_init(&l->uv, &l->check)) < 0 ||
	    (ret = uv_signal_init(&l->uv, &l->sig_int)) < 0 ||
	    (ret = uv_signal_init(&l->uv, &l->sig_term)) < 0 ||
	    (ret = uv_signal_init(&l->uv, &l->sig_hup)) < 0)
		return ret;
	l->timer.data = l->retry.data = l->check.data = l;
	l->sig_int.data = l->sig_term.data = l->sig_hup.data = l;
	if ((ret = uv_check_start(&l->check, on_check)) < 0 ||
	    (ret = uv_signal_start(&l->sig_int, on_signal, SIGINT)) < 0 ||
	    (ret = uv_signal_start(&l->sig_term, on_signal, SIGTERM)) < 0 ||
	    (ret = uv_signal_start(&l->sig_hup, on_signal, SIGHUP)) < 0)
		return ret;
	/* The check handle must not keep the loop alive on its own. */
	uv_unref((uv_handle_t *)&l->check);
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
	l->pool = malloc((size_t)VPNC_BUF__COUNT * VPNC_PKT_BUF);
	l->nc = malloc(sizeof(*l->nc));
	if (l->pool == NULL || l->nc == NULL)
		goto oom;
	vpnc_netcfg_init(l->nc);
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
		free(l->nc);
		vpnc_updown_free(&l->updown);
		free(l);
	}
	return code;
}
