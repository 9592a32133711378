/*
 * loop_attempt.c: starting one connection attempt of the event loop: the
 * credentials it needs, resolving the current remote (a failed resolution
 * moves on to the next remote, as OpenVPN does), the engine with its
 * injected randomness and clock, the UDP or TCP link, and the
 * server-poll-timeout that bounds the attempt. What an attempt leads to is
 * handled in loop.c (engine events, restarts, teardown).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/rand.h>

#include "core/socks.h"
#include "daemon/log.h"
#include "os/hwaddr.h"
#include "daemon/loop_int.h"
#include "daemon/rpersist.h"

void loop_rand_bytes(void *ctx, void *out, size_t len)
{
	(void)ctx;
	if (len > 0 && RAND_bytes(out, (int)len) != 1) {
		/* Without randomness no key material may be made; this is not recoverable. */
		vpnc_log(VPNC_LOG_FATAL, "the system random number generator failed");
		abort();
	}
}

/* For remote-random: a number below bound (the tiny modulo bias does not matter here). */
unsigned loop_rand_below(void *ctx, unsigned bound)
{
	uint32_t v;

	loop_rand_bytes(ctx, &v, sizeof(v));
	return bound > 0 ? v % bound : 0;
}

static uint64_t wallclock(void *ctx)
{
	(void)ctx;
	return (uint64_t)time(NULL);
}

static int local_port(const struct vpnc_config *c)
{
	if (c->nobind)
		return 0;
	if (c->lport > 0)
		return c->lport;
	return c->bind ? VPNC_DEFAULT_LPORT : 0;
}

/*
 * The address to bind the link to, or NULL for none: 'local ADDR' (an
 * address, or a name main.c resolved at start: its address of the server's
 * family) and the port local_port() gives. A 'local' of the other family than
 * the server's fails the open (EAFNOSUPPORT), as binding it would.
 */
static const struct sockaddr *local_addr(const struct loop *l, struct sockaddr_storage *ss)
{
	const struct vpnc_config *c = l->conf;
	int port = local_port(c), family = l->server.ss_family;
	bool have_addr = c->local[0] != '\0' && !c->nobind;

	if (port == 0 && !have_addr)
		return NULL;
	memset(ss, 0, sizeof(*ss));
	if (have_addr) {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		const char *v4 = c->local, *v6 = c->local;

		if (inet_pton(AF_INET, c->local, &a4->sin_addr) != 1 &&
		    inet_pton(AF_INET6, c->local, &a6->sin6_addr) != 1) {
			/* A name: the address of the server's family, else the one it has. */
			bool six = family == AF_INET6 ? c->local_resolved[1][0] != '\0' : c->local_resolved[0][0] == '\0';

			v4 = six ? "" : c->local_resolved[0];
			v6 = six ? c->local_resolved[1] : "";
		}
		if (inet_pton(AF_INET, v4, &a4->sin_addr) == 1)
			family = AF_INET;
		else if (inet_pton(AF_INET6, v6, &a6->sin6_addr) == 1)
			family = AF_INET6;
	}
	if (family == AF_INET) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	} else {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	}
	return (const struct sockaddr *)ss;
}

/* An IPv4 or IPv6 address literal (the SOCKS link takes those as they are). */
static bool is_literal(const char *host)
{
	uint8_t a[16];

	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

static void on_poll_timeout(uv_timer_t *t)
{
	struct loop *l = t->data;

	if (l->eng == NULL || l->closing || l->exiting)
		return;
	/* Only "no answer at all" moves on; a slow handshake is hand-window's business, but one that
	 * is stuck after the server's answer gets its hint now (loop_hint.c). */
	if (vpnc_engine_state(l->eng) > VPNC_ST_RESET) {
		loop_hint_tls_stalled(l, false);
		return;
	}
	/* The first firing may be the "did not answer" hint, before server-poll-timeout. */
	uint64_t waited = uv_now(&l->uv) - l->attempt_start;
	uint64_t spt = l->conf->server_poll_timeout > 0 ? (uint64_t)l->conf->server_poll_timeout * 1000 : 0;
	/* 50 ms of slack: a timer that fires a little late for server-poll-timeout is that timeout. */
	if (!(l->hints & LOOP_HINT_SILENT) && (spt == 0 || waited + 50 < spt)) {
		loop_hint_silent(l);
		l->hints |= LOOP_HINT_SILENT;
		if (spt > 0)
			uv_timer_start(&l->poll, on_poll_timeout, spt - waited, 0);
		return;
	}
	if (spt == 0)
		return;
	if (l->conf->http_proxy.set && !l->proxy.done) /* loop_proxy.c */
		vpnc_log(VPNC_LOG_WARN, "Server poll timeout (%d s) %s HTTP proxy %s:%s, restarting",
		         l->conf->server_poll_timeout,
		         l->proxy.requested ? "waiting for the answer to CONNECT from the"
		                            : "connecting to the",
		         l->conf->http_proxy.host, l->conf->http_proxy.port);
	else
		vpnc_log(VPNC_LOG_WARN, "Server poll timeout (%d s), restarting",
		         l->conf->server_poll_timeout);
	loop_teardown_connection(l, false);
	loop_next_attempt(l, VPNC_REMOTE_POLL_TIMEOUT, false);
}

static void start_engine(struct loop *l)
{
	const struct vpnc_remote *r = vpnc_remote_current(&l->sel);
	struct vpnc_engine_cfg ecfg;
	struct vpnc_link_cbs cbs = loop_link_cbs_template;
	struct sockaddr_storage local_ss, server_ss;
	const struct sockaddr *local, *server = NULL;
	char hwaddr[VPNC_HWADDR_LEN];
	uint64_t now = uv_now(&l->uv);
	bool tcp = r->transport == VPNC_TRANSPORT_TCP;
	const struct vpnc_socks_proxy *socks = vpnc_remote_socks(l->conf, r);
	int ret;

	cbs.ctx = l;
	/* The credentials (loop_creds.c); a question's answer starts the attempt again. */
	if (loop_creds_ready(l) != 0)
		return;
	vpnc_engine_cfg_from_config(&ecfg, l->conf);
	/* push-peer-info: IV_HWADDR, looked up for each attempt as 2.6 does; none is fine. Privilege
	 * separation: this root has no /proc or /sys, so the one looked up before the jail. */
	if (l->conf->push_peer_info && l->p->split && l->hwaddr_jail[0])
		ecfg.iv_hwaddr = l->hwaddr_jail;
	else if (l->conf->push_peer_info && !l->p->split &&
	         vpnc_os_default_hwaddr("/proc/net/route", "/sys/class/net", hwaddr) == 0)
		ecfg.iv_hwaddr = hwaddr;
	ecfg.transport = r->transport;
	ecfg.fragment = r->fragment;
	ecfg.fragment_mtu = r->fragment_mtu;
	ecfg.link_ipv6 = l->server.ss_family == AF_INET6;
	loop_shaper_attempt(l, tcp, ecfg.link_ipv6);
	/* replay-persist (rpersist.h): the static key's window starts where the last session left it. */
	if (l->p->rpersist != NULL && l->p->rpersist->fd >= 0 && l->p->rpersist->have) {
		ecfg.replay_restore = true;
		ecfg.replay_time = l->p->rpersist->time;
		ecfg.replay_id = l->p->rpersist->id;
	}
	/* A SOCKS UDP header rides in every datagram: MSS clamping leaves room for it, as 2.6 does. */
	if (socks != NULL && !tcp)
		ecfg.link_extra = (int)vpnc_socks_udp_hdr_len(
			r->family == AF_INET6 || strchr(r->host, ':') != NULL ? AF_INET6 : AF_INET);
	ecfg.ssl_ctx = l->p->ssl_ctx;
	ecfg.rand = loop_rand_bytes;
	ecfg.wallclock = wallclock;
	ecfg.log = vpnc_log_engine;
	ecfg.verb = vpnc_log_verb;
	ecfg.crtext = l->prompt != NULL; /* CR_TEXT is asked through it (loop_authcr.c) */
	if (l->user[0] != '\0')
		ecfg.username = l->user;
	if (l->have_creds)
		ecfg.password = l->pass;
	if (l->token[0] != '\0')
		ecfg.auth_token = l->token;
	if (l->token_user[0] != '\0')
		ecfg.auth_token_user = l->token_user;
	ret = vpnc_engine_new(&ecfg, &l->eng);
	loop_authcr_started(l); /* a CRV1 answer goes out once */
	/* auth-nocache: the engine has its own copy; ours goes. */
	if (l->conf->auth_nocache && l->have_creds) {
		loop_secret_wipe(l->pass, sizeof(l->pass));
		l->have_creds = false;
	}
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot start the protocol engine: %s.", strerror(-ret));
		loop_shutdown(l, 1);
		return;
	}
	local = local_addr(l, &local_ss);
	if (socks != NULL && !tcp && l->p->split && !is_literal(r->host)) {
		/* The SOCKS UDP header names the server: the jail has no resolver, the parent does. */
		ret = loop_priv_socks_server(l, r, &server_ss);
		if (ret < 0) {
			vpnc_log(VPNC_LOG_WARN, "Cannot resolve %s for the SOCKS proxy's UDP header: %s",
			         r->host, ret == -EHOSTUNREACH ? "no address" : strerror(-ret));
			loop_teardown_connection(l, false);
			loop_next_attempt(l, VPNC_REMOTE_FAILED, false);
			return;
		}
		server = (const struct sockaddr *)&server_ss;
	}
	if (socks != NULL)
		ret = vpnc_link_socks_open(&l->uv, (struct sockaddr *)&l->server, local, server, socks, r,
		                           l->offload, &cbs, &l->link); /* docs/proxy.md */
	else if (tcp) /* through an HTTP proxy, its CONNECT handshake first (loop_proxy.c) */
		ret = vpnc_link_tcp_open_pre(&l->uv, (struct sockaddr *)&l->server, local,
		                             loop_proxy_pre(l), &cbs, &l->link);
	else
		ret = vpnc_link_udp_open(&l->uv, (struct sockaddr *)&l->server, local, l->offload, &cbs,
		                         &l->link);
	if (ret >= 0)
		ret = loop_pmtu_opened(l, !tcp); /* 'mtu-disc' on the UDP socket */
	if (ret < 0) {
		vpnc_log(VPNC_LOG_WARN, "Cannot open the %s socket: %s", tcp ? "TCP" : "UDP",
		         uv_strerror(ret));
		loop_hint_link_error(l, ret); /* no route: connect() on the socket said so at once */
		loop_teardown_connection(l, false);
		loop_next_attempt(l, VPNC_REMOTE_FAILED, false);
		return;
	}
	l->last_link_err = 0;
	loop_roam_link_opened(l);
	ret = vpnc_engine_start(l->eng, now);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot start the session: %s.", strerror(-ret));
		loop_shutdown(l, 1);
		return;
	}
	/* The "did not answer" hint first (loop_hint.c), then server-poll-timeout on the same timer. */
	uint64_t first = VPNC_HINT_SILENT_S * 1000;
	if (l->conf->server_poll_timeout > 0 && (uint64_t)l->conf->server_poll_timeout * 1000 < first)
		first = (uint64_t)l->conf->server_poll_timeout * 1000;
	uv_timer_start(&l->poll, on_poll_timeout, first, 0);
	loop_drain_link_out(l, now);
	loop_settle(l);
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
	const struct vpnc_socks_proxy *socks = vpnc_remote_socks(l->conf, r);
	char host[INET6_ADDRSTRLEN + 2] = "?";

	memset(&l->server, 0, sizeof(l->server));
	memcpy(&l->server, l->addr->ai_addr, l->addr->ai_addrlen);
	l->have_server = true;
	uv_ip_name((struct sockaddr *)&l->server, host, sizeof(host));
	if (l->conf->http_proxy.set)
		vpnc_log(VPNC_LOG_INFO, "TCP link remote: %s:%s through HTTP proxy [%s]%s:%s", r->host,
		         r->port, l->server.ss_family == AF_INET6 ? "AF_INET6" : "AF_INET", host,
		         l->conf->http_proxy.port);
	else if (socks != NULL)
		vpnc_log(VPNC_LOG_INFO, "%s link remote: %s:%s through the SOCKS proxy [%s]%s:%s",
		         r->transport == VPNC_TRANSPORT_TCP ? "TCP" : "UDP", r->host, r->port,
		         l->server.ss_family == AF_INET6 ? "AF_INET6" : "AF_INET", host,
		         socks->port);
	else
		vpnc_log(VPNC_LOG_INFO, "%s link remote: [%s]%s:%s",
		         r->transport == VPNC_TRANSPORT_TCP ? "TCP" : "UDP",
		         l->server.ss_family == AF_INET6 ? "AF_INET6" : "AF_INET", host, r->port);
	/* A host route made for another server address would now be wrong. */
	if (l->nc->applied && !same_addr(&l->server, l->nc)) {
		if (l->p->split)
			loop_priv_unapply(l); /* privilege separation (loop_priv.c) */
		else
			(void)vpnc_netcfg_unapply(l->nc, l->p->nl);
	}
	l->attempt_start = uv_now(&l->uv);
	loop_hint_reset(l); /* each hint once per attempt (loop_hint.c) */
	vpnc_ctlstate_attempt(l->ctl, r, (const struct sockaddr *)&l->server); /* Control socket (ctlstate.h) */
	start_engine(l);
}

/* The current remote's name did not resolve: the next remote, unless resolv-retry ran out. */
static void resolve_failed(struct loop *l, const char *host, int err)
{
	uint64_t now = uv_now(&l->uv);
	int limit = l->conf->resolv_retry;

	vpnc_log(VPNC_LOG_WARN, "Cannot resolve %s: %s", host, err < 0 ? uv_strerror(err) : "no address");
	if (l->resolve_fail_since == 0)
		l->resolve_fail_since = now;
	/* Every remote failed to resolve for longer than resolv-retry allows: give up. */
	if (limit >= 0 && l->sel.failures + 1 >= l->sel.n &&
	    now - l->resolve_fail_since >= (uint64_t)limit * 1000) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot resolve any remote within resolv-retry (%d s).", limit);
		loop_shutdown(l, 1);
		return;
	}
	loop_next_attempt(l, VPNC_REMOTE_FAILED, false);
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct loop *l = req->data;
	const struct vpnc_remote *r = loop_proxy_target(l); /* the proxy, if any (loop_proxy.c) */
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
	/* Kill switch (loop_ks.c): the new addresses may be reached, the resolvers no more. */
	if (loop_ks_resolved(l, res) < 0) {
		uv_freeaddrinfo(res);
		loop_shutdown(l, 1);
		return;
	}
	loop_forget_addrs(l);
	l->addrs = res;
	l->addr = a;
	l->resolve_fail_since = 0;
	connect_addr(l);
}

/* Connects to the chosen address of the current remote, resolving its name first if needed. */
void loop_begin_connect(struct loop *l)
{
	const struct vpnc_remote *r;
	const struct vpnc_socks_proxy *socks;
	struct addrinfo hints;
	char name[sizeof(r->host) + 2 * VPNC_REMOTE_RANDOM_LABEL + 1];
	const char *host;
	int ret;

	if (l->closing || l->exiting || l->gai_busy || l->eng != NULL)
		return;
	/* A CRV1 challenge first (loop_authcr.c): its answer is this attempt's credentials. */
	if (loop_authcr_ready(l) != 0)
		return;
	/* Credentials first (loop_creds.c): a question may wait long; its answer comes back here. */
	if (loop_creds_ready(l) != 0)
		return;
	if (l->addr != NULL) {
		connect_addr(l);
		return;
	}
	r = vpnc_remote_current(&l->sel);
	if (l->p->split) {
		/* Privilege separation: the parent resolves (the child's root is empty) and remembers
		 * the addresses, the only ones it will route to the server (loop_priv.c). */
		struct addrinfo *res = NULL;

		ret = loop_priv_resolve(l, r, &res); /* the parent resolves the proxy, if any */
		if (ret < 0) {
			resolve_failed(l, loop_proxy_target(l)->host, ret == -EHOSTUNREACH ? 0 : UV_EAI_FAIL);
			return;
		}
		loop_forget_addrs(l);
		l->addrs = res;
		l->addrs_priv = true;
		l->addr = res;
		l->resolve_fail_since = 0;
		connect_addr(l);
		return;
	}
	/* Through an HTTP proxy the proxy is resolved; the server's name goes in CONNECT. */
	r = loop_proxy_target(l);
	host = r->host;
	socks = vpnc_remote_socks(l->conf, r);
	if (socks != NULL) {
		/* Through a SOCKS proxy the proxy is what vpnc connects to (link_socks.c). */
		host = socks->host;
	} else if (l->conf->remote_random_hostname && !l->conf->http_proxy.set) {
		unsigned char rnd[VPNC_REMOTE_RANDOM_LABEL];

		/* A fresh label for every lookup, as 2.6 does; libuv copies the name. */
		loop_rand_bytes(l, rnd, sizeof(rnd));
		if (vpnc_remote_random_hostname(name, sizeof(name), r->host, rnd) < 0) {
			resolve_failed(l, r->host, UV_ENAMETOOLONG);
			return;
		}
		host = name;
		vpnc_log(VPNC_LOG_MORE, "remote-random-hostname: resolving %s", host);
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = r->family;
	if (r->transport == VPNC_TRANSPORT_TCP || socks != NULL) {
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_protocol = IPPROTO_TCP;
	} else {
		hints.ai_socktype = SOCK_DGRAM;
		hints.ai_protocol = IPPROTO_UDP;
	}
	/* Kill switch (loop_ks.c): the resolvers may be asked, only for this lookup. */
	if (loop_ks_resolving(l, host) < 0) {
		loop_shutdown(l, 1);
		return;
	}
	l->gai.data = l;
	if (socks != NULL)
		hints.ai_family = AF_UNSPEC; /* the remote's proto4/6 is about the server, not the proxy */
	ret = uv_getaddrinfo(&l->uv, &l->gai, on_resolved, host,
	                     socks != NULL ? socks->port : r->port[0] ? r->port : "1194",
	                     &hints);
	if (ret < 0) {
		resolve_failed(l, r->host, ret);
		return;
	}
	l->gai_busy = true;
}
