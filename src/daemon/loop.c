/*
 * loop.c: owns the daemon's event loop and the life of a run: the handles
 * (timers, signals, check), engine events (connected, restart, fatal) and
 * what follows them (TUN, addresses, routes, DNS, scripts, privilege drop,
 * systemd notifications, reconnect back-off), the credentials and
 * auth-token across attempts, the exit notification, the control socket's
 * hooks and the ordered teardown. Starting an attempt (resolving, engine,
 * link) is loop_attempt.c; the packet path is loop_data.c; what they share
 * is loop_int.h.
 *
 * Structure of one loop iteration (libuv phases):
 *  - timers: the engine timer (tick, then flush), the reconnect timer, the
 *    server-poll timer and the exit timer;
 *  - prepare: wakeup coalescing (loop_data.c), a short sleep during bulk
 *    transfers whose wakeups find only a few packets;
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
 * receive and send buffers). 'tun-offload no' (or VPNC_OFFLOAD=0) turns TUN
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

#include "control/ctlstate.h" /* Control socket (ctlstate.h) */
#include "daemon/link.h"
#include "daemon/exitcode.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/loop_int.h"
#include "daemon/rpersist.h"
#include "daemon/remote.h"
#include "daemon/tunio.h"
#include "daemon/sdnotify.h"   /* systemd */
#include "daemon/sdwatchdog.h" /* systemd */
#include "daemon/updown.h"
#include "daemon/privdrop.h"   /* least privilege */

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

/*
 * Keeps the engine's auth-token and its name for the next attempt; "" (none,
 * or rejected) wipes ours. The name alone is kept too: the profile's
 * auth-token-user names a token the server may push later (core/keyex.c).
 */
static void keep_token(struct loop *l)
{
	const char *t = vpnc_engine_auth_token(l->eng);
	const char *u = vpnc_engine_auth_token_user(l->eng);

	loop_secret_wipe(l->token, sizeof(l->token));
	loop_secret_wipe(l->token_user, sizeof(l->token_user));
	snprintf(l->token, sizeof(l->token), "%s", t != NULL ? t : "");
	snprintf(l->token_user, sizeof(l->token_user), "%s", u != NULL ? u : "");
}

void loop_rpersist_take(struct loop *l)
{
	uint32_t t, id;

	if (l->p->rpersist != NULL && l->p->rpersist->fd >= 0 && l->eng != NULL &&
	    vpnc_engine_replay_last(l->eng, &t, &id))
		vpnc_rpersist_save(l->p->rpersist, t, id);
}

static void on_rpersist_timer(uv_timer_t *t)
{
	loop_rpersist_take(t->data);
}

/* Ends the current attempt: optional exit notification, engine and link gone. */
void loop_teardown_connection(struct loop *l, bool notify)
{
	if (l->eng != NULL) {
		if (notify) {
			uint64_t now = uv_now(&l->uv);
			vpnc_engine_close(l->eng, now);
			loop_drain_link_out(l, now);
		}
		keep_token(l);
		loop_rpersist_take(l); /* replay-persist: as 2.6 saves it when a session closes */
		vpnc_engine_free(l->eng);
		l->eng = NULL;
	}
	loop_authcr_settled(l); /* its CR_TEXT question and sign-in URL go with it (loop_authcr.c) */
	vpnc_link_close(l->link);
	l->link = NULL;
	l->link_down = false;
	l->cc_exit = false;
	uv_timer_stop(&l->timer);
	uv_timer_stop(&l->poll);
	l->timer_armed = false;
	loop_tun_resume(l);
}

void loop_forget_addrs(struct loop *l)
{
	if (l->addrs != NULL && l->addrs_priv)
		loop_priv_free_addrs(l->addrs);
	else if (l->addrs != NULL)
		uv_freeaddrinfo(l->addrs);
	l->addrs = NULL;
	l->addrs_priv = false;
	l->addr = NULL;
}

static void on_retry(uv_timer_t *t)
{
	loop_begin_connect(t->data);
}

/*
 * Picks where the next attempt goes after one ended for `why`, and starts
 * the pause before it (OpenVPN's "Restart pause"). The engine and link must
 * be gone already.
 */
void loop_next_attempt(struct loop *l, enum vpnc_remote_why why, bool auth_nointeract)
{
	bool more = l->addr != NULL && l->addr->ai_next != NULL;
	int step = vpnc_remote_advance(&l->sel, why, more);
	unsigned sec;

	if (step < 0) {
		vpnc_log(VPNC_LOG_FATAL,
		         "All connections have been connect-retry-max (%d) times unsuccessful, exiting.",
		         l->conf->connect_retry_max);
		loop_shutdown(l, 1);
		return;
	}
	if (step == VPNC_REMOTE_STEP_NEXT_ADDR)
		l->addr = l->addr->ai_next;
	else if (step == VPNC_REMOTE_STEP_RESOLVE)
		loop_forget_addrs(l);
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
	o->tap = l->conf->dev_tap;
	o->has_lladdr = l->conf->has_lladdr;
	memcpy(o->lladdr, l->conf->lladdr, sizeof(o->lladdr));
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
	/* Privilege separation: the parent opens it and passes the fd (loop_priv.c). */
	int ret = l->p->split ? loop_priv_open_tun(l) : vpnc_tunio_open(&l->tio, l->conf->dev, l->conf->dev_tap,
	                                                                  l->offload, &l->tun);

	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot open the TUN device '%s': %s.",
		         l->conf->dev[0] ? l->conf->dev : "tun", strerror(-ret));
		return ret;
	}
	l->tio.one_per_read = l->shaper_bps > 0; /* 'shaper' (loop_shaper.c) */
	ret = uv_poll_init(&l->uv, &l->tun_poll, l->tun.fd);
	if (ret == 0) {
		l->tun_poll.data = l;
		ret = uv_poll_start(&l->tun_poll, UV_READABLE, loop_on_tun_readable);
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
	return loop_ks_tun(l, l->tun.name); /* Kill switch (loop_ks.c); the caller ends the run on failure */
}

/* systemd (sdnotify.h): READY=1 on the first connect and after a reload, else STATUS=. */
static void sd_connected(struct loop *l, const char *desc)
{
	char st[VPNC_SD_MSG_MAX];

	/* The reason last: if anything is cut, it is the end of a strerror() text. */
	snprintf(st, sizeof(st), "connected: %s %s, cipher %s%s%s", l->tun.name, desc, vpnc_engine_cipher(l->eng),
	         l->updown.dns_failed ? "; pushed DNS NOT applied: " : "",
	         !l->updown.dns_failed ? "" : l->updown.dns_why[0] ? l->updown.dns_why : "see the log");
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

	/* Privilege separation: this process never had more than the jail allows. */
	if (l->dropped || l->p->split || !vpnc_privdrop_opts_from_config(&po, l->conf))
		return;
	l->dropped = true;
	/* Restoring /etc/resolv.conf at exit needs to write a root-owned file. */
	po.keep_dac_override = l->updown.dns.mode == VPNC_DNS_FILE || l->updown.dns.rc_file;
	perr[0] = '\0';
	if (vpnc_privdrop(&po, perr, sizeof(perr)) < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot drop privileges: %s.", perr);
		loop_shutdown(l, 1); /* never run half-dropped */
		return;
	}
	if (perr[0] != '\0')
		vpnc_log(VPNC_LOG_INFO, "%s", perr);
	vpnc_log(VPNC_LOG_INFO, "Dropped privileges to user %s, group %s", po.user != NULL ? po.user : "-",
	         po.group != NULL ? po.group : "-");
}

/* The profile's routes with host names, resolved (route_hosts.c) on a copy; NULL when there are none. */
static struct vpnc_push *resolve_route_hosts(const struct vpnc_push *push)
{
	struct vpnc_push *own;
	unsigned lost;

	if (push->n_route_hosts == 0)
		return NULL;
	own = malloc(sizeof(*own));
	if (own == NULL) {
		vpnc_log(VPNC_LOG_WARN, "Out of memory: routes with a host name not added");
		return NULL;
	}
	memcpy(own, push, sizeof(*own));
	OPENSSL_cleanse(own->auth_token, sizeof(own->auth_token)); /* never needed here */
	lost = vpnc_route_hosts_resolve(own);
	if (lost > 0)
		vpnc_log(VPNC_LOG_WARN, "%u route(s) with a host name not added: the name does not resolve "
		         "to an IPv4 address (or too many routes)", lost);
	return own;
}

static void on_connected(struct loop *l, const struct vpnc_push *pushed)
{
	/* Privilege separation: the parent resolves them (privsrv.c); this root has no resolver. */
	struct vpnc_push *own = l->p->split ? NULL : resolve_route_hosts(pushed);
	const struct vpnc_push *push = own != NULL ? own : pushed;
	struct vpnc_netcfg_opts o;
	char desc[256];
	int ret;

	uv_timer_stop(&l->poll);
	vpnc_remote_connected(&l->sel);
	l->resolve_fail_since = 0;
	l->cc_exit = (push->protocol_flags & VPNC_PF_CC_EXIT) != 0;
	loop_shaper_pushed(l, push->shaper); /* before the TUN opens: it reads one packet at a time */
	if (l->conf->dev_null) {
		/* 'dev null' (cfg_finish.c): no device, no addresses, routes, DNS or scripts. */
		vpnc_log(VPNC_LOG_INFO, "Initialization Sequence Completed: no device (dev null: what the peer "
		         "sends is dropped), cipher %s, %llu ms", vpnc_engine_cipher(l->eng),
		         (unsigned long long)(uv_now(&l->uv) - l->attempt_start));
		sd_connected(l, "dev null");
		vpnc_ctlstate_connected(l->ctl, push, "null");
		loop_netev_connected(l);
		drop_privileges(l);
		goto out;
	}
	if (l->tun.fd < 0 && open_tun(l) < 0) {
		loop_shutdown(l, 1);
		goto out;
	}
	fill_netcfg_opts(l, &o);
	if (l->p->split) {
		/* Privilege separation: the parent applies addresses, routes, MTU and DNS (loop_priv.c). */
		ret = loop_priv_apply(l, push);
		if (ret < 0) {
			vpnc_log(VPNC_LOG_FATAL, "Cannot configure %s: %s.", l->tun.name, strerror(-ret));
			loop_shutdown(l, 1);
			goto out;
		}
	} else if (l->nc->applied && !vpnc_netcfg_matches(l->nc, push, &o)) {
		vpnc_log(VPNC_LOG_INFO, "The pushed configuration changed; reconfiguring %s", l->tun.name);
		(void)vpnc_netcfg_unapply(l->nc, l->p->nl);
	}
	if (!l->nc->applied) {
		ret = vpnc_netcfg_apply(l->nc, l->p->nl, &l->tun, push, &o);
		if (ret < 0) {
			vpnc_log(VPNC_LOG_FATAL, "Cannot configure %s: %s.", l->tun.name, strerror(-ret));
			loop_shutdown(l, 1);
			goto out;
		}
	}
	/* DNS and scripts (updown.h). A script that cannot start ends the run (logged there); the
	 * engine is gone after loop_shutdown(), so nothing below may run then. */
	if (!l->p->split && vpnc_updown_connected(&l->updown, push, l->tun.name, l->tun.ifindex, l->nc->mtu,
	                          l->have_server ? (const struct sockaddr *)&l->server : NULL) < 0) {
		loop_shutdown(l, 1);
		goto out;
	}
	vpnc_netcfg_describe(l->nc, desc, sizeof(desc));
	vpnc_log(VPNC_LOG_INFO, "Initialization Sequence Completed%s: %s %s, mtu %d, cipher %s, %llu ms",
	         l->nc->n_failed ? " With Errors" : "", l->tun.name, desc, l->nc->mtu,
	         vpnc_engine_cipher(l->eng),
	         (unsigned long long)(uv_now(&l->uv) - l->attempt_start));
	if (l->nc->n_failed)
		vpnc_log(VPNC_LOG_WARN, "%u address(es) or route(s) could not be added", l->nc->n_failed);
	if (l->conf->dev_tap && push->route_gateway_dhcp && vpnc_push_vpn_gateway4(push) == 0 &&
	    !l->conf->route_noexec)
		vpnc_log(VPNC_LOG_INFO, "route-gateway dhcp: routes that need the gateway wait for a DHCP ACK "
		         "on %s", l->tun.name);
	if (l->nc->link_by_other)
		vpnc_log(VPNC_LOG_MORE, "%s: MTU and up flag left to whoever configures it (no CAP_NET_ADMIN)",
		         l->tun.name);
	sd_connected(l, desc); /* systemd (sdnotify.h) */
	vpnc_ctlstate_connected(l->ctl, push, l->tun.name); /* Control socket (ctlstate.h) */
	vpnc_ctlstate_dns(l->ctl, l->updown.dns_failed, l->updown.dns_why,
	                  vpnc_dns_mode_name(l->p->split ? l->priv_dns_mode : l->updown.dns.mode),
	                  l->updown.dns_scope);
	loop_netev_connected(l);
	drop_privileges(l);
out:
	free(own);
}

/* route-gateway dhcp (docs/tap.md): the engine read the gateway out of a DHCP ACK; add what waited. */
static void on_gateway(struct loop *l, const struct vpnc_push *pushed, const char *what)
{
	struct vpnc_push *own = NULL;
	struct vpnc_netcfg_opts o;
	unsigned n_failed = 0;
	int ret;

	vpnc_log(VPNC_LOG_INFO, "%s", what);
	if (!l->nc->applied || l->conf->route_noexec)
		return;
	if (l->p->split) {
		/* Privilege separation: the parent adds them to the configuration it holds (privsrv.c). */
		ret = loop_priv_gateway(l, pushed->route_gateway, &n_failed);
	} else {
		own = resolve_route_hosts(pushed); /* as at connect: the same routes */
		fill_netcfg_opts(l, &o);
		ret = vpnc_netcfg_add_gateway(l->nc, l->p->nl, &l->tun, own != NULL ? own : pushed, &o);
		if (ret >= 0)
			n_failed = (unsigned)ret;
		free(own);
	}
	if (ret < 0)
		vpnc_log(VPNC_LOG_WARN, "route-gateway dhcp: the routes through the gateway were not added: %s",
		         strerror(-ret));
	else if (n_failed > 0)
		vpnc_log(VPNC_LOG_WARN, "route-gateway dhcp: %u route(s) through the gateway could not be added",
		         n_failed);
	else
		vpnc_log(VPNC_LOG_MORE, "route-gateway dhcp: the routes through the gateway are in place");
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

	if (l->cause == VPNC_CAUSE_AUTH_CHALLENGE && !l->conf->auth_user_pass) {
		/* No auth-user-pass: no login to answer it with; an AUTH_FAILED as 2.6 ends it. */
		vpnc_authcr_wipe(&l->crv1);
		l->cause = VPNC_CAUSE_AUTH_FAILED;
	}
	if (l->cause == VPNC_CAUSE_AUTH_CHALLENGE) {
		/*
		 * CRV1: a question, not a failure. Asked whatever auth-retry says (2.6's
		 * command line asks it only under 'auth-retry interact' and otherwise
		 * stops; docs/auth.md), then the same server again after the restart pause.
		 */
		vpnc_log(VPNC_LOG_INFO, "AUTH: %s", l->reason);
		loop_teardown_connection(l, false);
		loop_secret_wipe(l->pass, sizeof(l->pass));
		loop_secret_wipe(l->user, sizeof(l->user));
		l->have_creds = false;
		loop_next_attempt(l, VPNC_REMOTE_SAME, false);
		return;
	}
	if (l->cause != VPNC_CAUSE_AUTH_FAILED || ar == VPNC_AUTH_RETRY_NONE) {
		/* Distinct exit codes (exitcode.h): the unit does not restart on these two. */
		/* inactive, ping-exit and session-timeout stop cleanly, as 2.6 does (systemd does not restart). */
		int code = l->proxy.fatal != 0                 ? l->proxy.fatal /* loop_proxy.c */
		           : l->cause == VPNC_CAUSE_AUTH_FAILED ? VPNC_EXIT_AUTH
		           : l->cause == VPNC_CAUSE_VERIFY    ? VPNC_EXIT_VERIFY
		           : l->cause == VPNC_CAUSE_IDLE_EXIT ? VPNC_EXIT_OK
		                                              : VPNC_EXIT_RUNTIME;
		char st[VPNC_SD_MSG_MAX];

		vpnc_log(VPNC_LOG_FATAL, "Exiting: %s.", l->reason);
		loop_shutdown(l, code);
		/* systemd (sdnotify.h): `systemctl status` shows why, not only that it stopped. */
		snprintf(st, sizeof(st), "stopped: %s", l->reason);
		(void)vpnc_sd_status(st);
		return;
	}
	vpnc_log(VPNC_LOG_WARN, "AUTH: %s; trying again (auth-retry %s)", l->reason,
	         ar == VPNC_AUTH_RETRY_INTERACT ? "interact" : "nointeract");
	loop_teardown_connection(l, false);
	if (ar == VPNC_AUTH_RETRY_INTERACT) {
		/* Ask again: forget what was given. */
		loop_secret_wipe(l->pass, sizeof(l->pass));
		loop_secret_wipe(l->user, sizeof(l->user));
		l->have_creds = false;
	}
	loop_next_attempt(l, VPNC_REMOTE_SAME, ar == VPNC_AUTH_RETRY_NOINTERACT);
}

/* A RESTART event or a lost link: reconnect, to the next remote when the server says so. */
static void on_restart(struct loop *l)
{
	enum vpnc_remote_why why = VPNC_REMOTE_FAILED;

	vpnc_log(VPNC_LOG_WARN, "Connection reset: %s", l->reason);
	if (l->cause == VPNC_CAUSE_TLS)
		loop_hint_tls(l, l->reason); /* what to check, once per attempt (loop_hint.c) */
	loop_netev_restart(l); /* Roaming (loop_roam.c): for status */
	vpnc_ctlstate_down(l->ctl, VPNC_STATUS_RECONNECTING, l->reason); /* Control socket (ctlstate.h) */
	{ /* systemd (sdnotify.h) */
		char st[VPNC_SD_MSG_MAX];
		snprintf(st, sizeof(st), "reconnecting: %s", l->reason);
		(void)vpnc_sd_status(st);
	}
	loop_teardown_connection(l, false);
	/*
	 * Without [P] OpenVPN forgets the cached username and password (to ask
	 * their source again) but keeps the auth-token; vpnc keeps both, which is
	 * the same for credentials from a file or inline block.
	 */
	if (l->cause == VPNC_CAUSE_SERVER_RESTART && (l->restart_flags & VPNC_RESTART_NEXT))
		why = VPNC_REMOTE_NEXT;
	else if (l->cause == VPNC_CAUSE_PROBE)
		why = VPNC_REMOTE_PROBE; /* docs/roaming.md: at once, to the same server */
	else if (l->proxy.now)
		why = VPNC_REMOTE_PROBE; /* the proxy named its scheme (loop_proxy.c): at once, again */
	loop_next_attempt(l, why, false);
}

void loop_restart_now(struct loop *l, const char *reason)
{
	snprintf(l->reason, sizeof(l->reason), "%s", reason);
	l->cause = VPNC_CAUSE_OTHER;
	l->restart_flags = 0;
	uv_timer_stop(&l->retry);
	on_restart(l);
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
			loop_authcr_settled(l); /* the server let us in: no question or URL stays (loop_authcr.c) */
			if (ev.push != NULL && !l->exiting)
				on_connected(l, ev.push);
			break;
		case VPNC_EV_AUTH_CHALLENGE:
			loop_authcr_event(l, ev.challenge); /* CR_TEXT, WEB_AUTH (loop_authcr.c) */
			break;
		case VPNC_EV_GATEWAY:
			if (ev.push != NULL && !l->exiting)
				on_gateway(l, ev.push, ev.reason);
			break;
		case VPNC_EV_RESTART:
		case VPNC_EV_FATAL:
			if (ev.cause == VPNC_CAUSE_AUTH_CHALLENGE)
				loop_authcr_crv1(l, ev.challenge); /* asked before the next attempt */
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
		snprintf(l->reason, sizeof(l->reason), "the %s failed: %s",
		         vpnc_remote_socks(l->conf, vpnc_remote_current(&l->sel)) != NULL
		                 ? "connection through the SOCKS proxy"
		                 : "TCP connection",
		         uv_strerror(l->link_down_err));
		loop_hint_link_error(l, l->link_down_err); /* refused (RST) or unreachable: the hint */
		loop_hint_tls_stalled(l, true); /* or closed by the server during the TLS handshake */
		/* Through an HTTP proxy (loop_proxy.c): its handshake says why, and whether to retry. */
		if (loop_proxy_link_down(l, l->link_down_err) && l->proxy.fatal != 0)
			l->pending = VPNC_ACT_FATAL;
	}
	if (l->exiting) {
		/* Waiting for the exit notification: done when it was answered, sent, or the session ended. */
		bool answered = !l->cc_exit || l->eng == NULL ||
		                vpnc_engine_stats(l->eng)->link_in_pkts > l->exit_in_pkts;
		if (l->pending != VPNC_ACT_NONE || l->link_down || (answered && !vpnc_link_busy(l->link)))
			loop_shutdown(l, 0);
		return;
	}
	if (l->pending == VPNC_ACT_FATAL)
		on_fatal(l);
	else if (l->pending == VPNC_ACT_RESTART)
		on_restart(l);
}

void loop_settle(struct loop *l)
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
	loop_drain_link_out(l, now);
	loop_settle(l);
	loop_netev_timer(l, now); /* Roaming (loop_roam.c): a probe's answer, for status */
}

static void on_check(uv_check_t *c)
{
	struct loop *l = c->data;

	if (l->dirty)
		loop_settle(l);
}

/* ---- signals and shutdown ---- */

static void on_exit_timer(uv_timer_t *t)
{
	loop_shutdown(t->data, 0);
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
		loop_shutdown(l, 0);
		return;
	}
	l->exiting = true;
	uv_timer_stop(&l->retry);
	uv_timer_stop(&l->poll);
	l->exit_in_pkts = vpnc_engine_stats(l->eng)->link_in_pkts;
	vpnc_engine_close(l->eng, now);
	loop_drain_link_out(l, now);
	if (!l->cc_exit && !vpnc_link_busy(l->link)) {
		loop_shutdown(l, 0);
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
		loop_teardown_connection(l, true);
		vpnc_ctlstate_down(l->ctl, VPNC_STATUS_RECONNECTING, NULL); /* Control socket (ctlstate.h) */
		uv_timer_stop(&l->retry);
		if (signum == SIGHUP) {
			/* A hard restart: the remote list from the start, at once. */
			loop_forget_addrs(l);
			vpnc_remote_init(&l->sel, l->conf, loop_rand_below, NULL);
			loop_begin_connect(l);
		} else {
			/* A soft restart: like a lost connection (the same server first). */
			loop_next_attempt(l, VPNC_REMOTE_FAILED, false);
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
void loop_shutdown(struct loop *l, int code)
{
	if (l->closing)
		return;
	l->closing = true;
	l->exit_code = code;
	vpnc_ctlstate_close(l->ctl); /* Control socket (ctlstate.h): gone before the last uv_run */
	l->ctl = NULL;
	loop_creds_stop(l); /* a waiting question is withdrawn, the terminal put back (loop_creds.c) */
	/* systemd (sdnotify.h, sdwatchdog.h); a second STOPPING=1 after a signal is harmless. */
	(void)vpnc_sd_stopping(code == 0 ? "disconnected" : "stopped after an error (see the log)");
	vpnc_sd_watchdog_stop(&l->sd_wd);
	loop_teardown_connection(l, true);
	loop_authcr_stop(l); /* a kept CRV1 challenge is wiped (loop_authcr.c) */
	loop_forget_addrs(l);
	if (l->gai_busy)
		(void)uv_cancel((uv_req_t *)&l->gai);
	/* route-pre-down while the routes are still there (the parent's job under privsep). */
	if (!l->p->split && vpnc_updown_route_pre_down(&l->updown, code == 0 ? "sigterm" : "fatal-error") < 0)
		l->exit_code = code = 1;
	if (l->p->split) {
		/* Privilege separation: the parent reverts DNS, addresses and routes (loop_priv.c). */
		int failed = loop_priv_down(l, code != 0);
		if (failed != 0)
			vpnc_log(VPNC_LOG_WARN, "The privileged process could not revert everything (%d)", failed);
	}
	vpnc_updown_dns_revert(&l->updown); /* DNS and scripts (updown.h) */
	if (l->nc->applied) {
		int failed = vpnc_netcfg_unapply(l->nc, l->p->nl);
		if (failed > 0)
			vpnc_log(VPNC_LOG_WARN, "%d address(es) or route(s) could not be removed", failed);
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
	close_handle((uv_handle_t *)&l->shaper_timer);
	close_handle((uv_handle_t *)&l->rp_timer);
	close_handle((uv_handle_t *)&l->sig_int);
	close_handle((uv_handle_t *)&l->sig_term);
	close_handle((uv_handle_t *)&l->sig_hup);
	close_handle((uv_handle_t *)&l->sig_usr1);
	loop_roam_stop(l);
	loop_sleep_stop(l);
}

/* DNS and scripts (updown.h): a failed 'up' or 'route-up' ends the run, as in OpenVPN. */
static void updown_fail(void *ctx)
{
	loop_shutdown(ctx, 1);
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
	    (ret = uv_signal_init(&l->uv, &l->sig_int)) < 0 ||
	    (ret = uv_signal_init(&l->uv, &l->sig_term)) < 0 ||
	    (ret = uv_signal_init(&l->uv, &l->sig_hup)) < 0 ||
	    (ret = uv_signal_init(&l->uv, &l->sig_usr1)) < 0)
		return ret;
	l->timer.data = l->retry.data = l->poll.data = l->exit_timer.data = l->check.data = l;
	l->sig_int.data = l->sig_term.data = l->sig_hup.data = l->sig_usr1.data = l;
	if ((ret = uv_check_start(&l->check, on_check)) < 0 ||
	    (ret = uv_signal_start(&l->sig_int, on_signal, SIGINT)) < 0 ||
	    (ret = uv_signal_start(&l->sig_term, on_signal, SIGTERM)) < 0 ||
	    (ret = uv_signal_start(&l->sig_hup, on_signal, SIGHUP)) < 0 ||
	    (ret = uv_signal_start(&l->sig_usr1, on_signal, SIGUSR1)) < 0)
		return ret;
	/* The check handle must not keep the loop alive on its own. */
	uv_unref((uv_handle_t *)&l->check);
	/* Wakeup coalescing (loop_data.c, core/coalesce.h). */
	if ((ret = loop_coalesce_start(l)) < 0)
		return ret;
	/* 'replay-persist' (rpersist.h): 2.6 saves the state every 60 s. */
	if (l->p->rpersist != NULL && l->p->rpersist->fd >= 0) {
		if ((ret = uv_timer_init(&l->uv, &l->rp_timer)) < 0)
			return ret;
		l->rp_timer.data = l;
		if ((ret = uv_timer_start(&l->rp_timer, on_rpersist_timer, VPNC_RPERSIST_INTERVAL_MS,
		                          VPNC_RPERSIST_INTERVAL_MS)) < 0)
			return ret;
		uv_unref((uv_handle_t *)&l->rp_timer);
	}
	/* 'shaper' (loop_shaper.c): its timer, used when the profile or the server sets a rate. */
	if ((ret = loop_shaper_start(l)) < 0)
		return ret;
	/* Roaming (loop_roam.c): follow address and route changes. */
	if ((ret = loop_roam_start(l)) < 0)
		return ret;
	/* Suspend and resume (loop_sleep.c): prove the path at once after a resume. */
	(void)loop_sleep_start(l);
	/* systemd (sdwatchdog.h): keep-alives when the unit has WatchdogSec=. */
	ret = vpnc_sd_watchdog_start(&l->sd_wd, &l->uv);
	if (ret < 0)
		vpnc_log(VPNC_LOG_WARN, "systemd watchdog not started: %s", uv_strerror(ret));
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
	l->offload = l->conf->tun_offload; /* 'tun-offload' (or VPNC_OFFLOAD) */
	/* The profile's auth-token and auth-token-user (docs/auth.md): the first attempt sends them. */
	if (l->conf->auth_token != NULL)
		snprintf(l->token, sizeof(l->token), "%s", l->conf->auth_token);
	if (l->conf->auth_token_user != NULL)
		snprintf(l->token_user, sizeof(l->token_user), "%s", l->conf->auth_token_user);
	l->pool = malloc((size_t)VPNC_BUF__COUNT * VPNC_PKT_BUF);
	l->nc = malloc(sizeof(*l->nc));
	if (l->pool == NULL || l->nc == NULL)
		goto oom;
	vpnc_netcfg_init(l->nc);
	vpnc_remote_init(&l->sel, l->conf, loop_rand_below, NULL);
	ret = uv_loop_init(&l->uv);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot create the event loop: %s.", uv_strerror(ret));
		goto out;
	}
	ret = init_handles(l);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot set up the event loop: %s.", uv_strerror(ret));
		loop_shutdown(l, 1);
	} else if (vpnc_updown_init(&l->updown, &l->uv, l->conf, updown_fail, l) < 0) {
		loop_shutdown(l, 1); /* DNS and scripts (updown.h): scripts not allowed */
	} else {
		/* Control socket (ctlstate.h): without one if it cannot be made (logged). */
		struct vpnc_ctlstate_hooks ch = {ctl_disconnect, ctl_reconnect, ctl_engine, ctl_datapath, l,
		                                 .prompt = loop_creds_view, .answer = loop_creds_answer};

		/* A 'control-socket PATH' is made with the rights of the profile's owner. */
		(void)vpnc_ctlstate_open_owned(&l->ctl, &l->uv, l->conf, &ch);
		loop_creds_start(l); /* asking for credentials (loop_creds.c), on the socket too */
		vpnc_ctlstate_netev(l->ctl, &l->netev); /* the last network event (loop_roam.c) */
		/* Kill switch (loop_ks.c): in place before the first name is resolved. Privilege
		 * separation: then into the jail, now that the control socket exists, before any name
		 * is resolved or packet sent (src/priv/privjail.h). */
		char jerr[256];
		if (l->p->jail != NULL && l->conf->push_peer_info &&
		    vpnc_os_default_hwaddr("/proc/net/route", "/sys/class/net", l->hwaddr_jail) < 0)
			l->hwaddr_jail[0] = '\0'; /* none is fine, as for each attempt without the jail */
		if (loop_ks_start(l) < 0) {
			loop_shutdown(l, 1);
		} else if (l->p->jail != NULL && vpnc_priv_jail_enter(l->p->jail, jerr, sizeof(jerr)) < 0) {
			vpnc_log(VPNC_LOG_FATAL, "Cannot lock the network process in: %s.", jerr);
			loop_shutdown(l, 1);
		} else {
			loop_begin_connect(l);
		}
	}
	uv_run(&l->uv, UV_RUN_DEFAULT);
	if (!l->closing)
		loop_shutdown(l, 1); /* the loop ran dry: treat as an error, but clean up */
	uv_run(&l->uv, UV_RUN_DEFAULT);
	code = l->exit_code;
	loop_ks_end(l, code); /* Kill switch (loop_ks.c): after the DNS and routes are gone */
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
