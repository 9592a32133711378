/*
 * loop_roam.c: owns roaming (docs/roaming.md): watching the host's links,
 * addresses and routes (os/netwatch.h), deciding after each burst of changes
 * whether the path to the server changed, and what to do about it:
 *
 *  - UDP, the server gave a peer-id: re-connect the socket so that it sends
 *    from the new source address, keep the session, and probe at once (a
 *    ping, which makes the server move the session, and an OCC request it
 *    answers; vpnc_engine_probe). No answer in time: the engine restarts.
 *  - UDP without a peer-id, or TCP, when the source address changed: a soft
 *    restart at once (the server cannot move such a session).
 *  - The route to the server disappeared, or its device has no carrier
 *    yet: wait; when it is back (with a carrier), probe.
 *
 * The choice among these is core/roam.c's (a pure rule, unit-tested); this
 * file gathers the facts and carries the choice out.
 *
 * What changed is judged by asking the kernel for its route to the server
 * (preferred source, interface, gateway) and comparing it with the socket's
 * own address and the path seen before. vpnc's own TUN addresses and routes
 * therefore change nothing: notifications about the TUN are not even
 * counted, and a route to the server through the TUN is never taken as a
 * new path. vpnc's redirect-gateway host route to the server is first kept
 * on the host's way out (os/netcfg_repin.c): it moves when the default route
 * moved to another link, or is put back on today's way out when it went
 * with its link; if there is none, a route into the TUN means no route.
 * Nothing here runs per packet.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <uv.h>

#include "core/roam.h"
#include "daemon/log.h"
#include "daemon/loop_int.h"
#include "os/netwatch.h"

/* A burst of notifications (an address swap, a link coming up) is looked at once, this long after it started. */
#define VPNC_ROAM_SETTLE_MS 50

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* The address bytes of a socket address, or NULL. */
static const uint8_t *sa_bytes(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
	if (ss->ss_family == AF_INET6)
		return (const uint8_t *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
	return NULL;
}

static int lookup_server(struct loop *l, struct vpnc_nl_path *out)
{
	const uint8_t *dst = sa_bytes(&l->server);

	if (dst == NULL)
		return -EAFNOSUPPORT;
	return vpnc_nl_route_lookup(l->p->nl, l->server.ss_family, dst, out);
}

/* "eth0 via 192.0.2.1" or "eth0" for a path. */
static void describe_path(const struct vpnc_nl_path *p, int family, char *out, size_t cap)
{
	char ifname[IF_NAMESIZE] = "?";
	char gw[INET6_ADDRSTRLEN] = "";

	if (p->ifindex > 0 && if_indextoname((unsigned)p->ifindex, ifname) == NULL)
		snprintf(ifname, sizeof(ifname), "#%d", p->ifindex);
	if (p->has_gw)
		(void)inet_ntop(family, p->gw, gw, sizeof(gw));
	snprintf(out, cap, "%s%s%s", ifname, p->has_gw ? " via " : "", gw);
}

void loop_roam_link_opened(struct loop *l)
{
	l->path_lost = false;
	l->path_no_carrier = false;
	l->path_forced = NULL;
	l->path_known = lookup_server(l, &l->path) == 0;
}

/* A new record of the last network event (shown by `vpnc status`; formatted only then). */
static void netev_set(struct loop *l, enum vpnc_netev_kind kind, int ifindex)
{
	struct vpnc_status_netev *e = &l->netev;

	memset(e, 0, sizeof(*e));
	e->kind = (uint8_t)kind;
	e->at_ms = uv_now(&l->uv);
	e->at = (int64_t)time(NULL);
	if (ifindex > 0 && if_indextoname((unsigned)ifindex, e->ifname) == NULL)
		e->ifname[0] = '\0';
}

void loop_netev_connected(struct loop *l)
{
	if (l->netev.action == VPNC_NETACT_RECONNECTING)
		l->netev.action = VPNC_NETACT_RECONNECTED;
}

void loop_netev_restart(struct loop *l)
{
	/* Only a restart that follows a network event belongs to it: an unanswered probe. */
	if (l->netev.action == VPNC_NETACT_PROBING) {
		l->netev.probe_failed = true;
		l->netev.action = VPNC_NETACT_RECONNECTING;
	}
}

void loop_netev_timer(struct loop *l, uint64_t now)
{
	if (l->netev.action != VPNC_NETACT_PROBING || l->eng == NULL || vpnc_engine_probing(l->eng))
		return;
	l->netev.action = VPNC_NETACT_ANSWERED;
	l->netev.answer_ms = now >= l->netev.at_ms ? (int64_t)(now - l->netev.at_ms) : 0;
}

/*
 * redirect-gateway's host route to the server follows the host's way out
 * (os/netcfg_repin.c; in the privileged process under privilege separation,
 * loop_priv.c). 0 when it moved or was put back, else a negative errno code
 * (-EALREADY: in place; -ENOENT: there is none).
 */
static int roam_repin(struct loop *l)
{
	if (l->tun.fd < 0 || !l->nc->applied)
		return -ENOENT;
	return l->p->split ? loop_priv_repin(l) : vpnc_netcfg_repin_server(l->nc, l->p->nl, l->tun.ifindex);
}

/* A soft restart because the session cannot follow the change; one log line says why. */
static void roam_restart(struct loop *l, const char *label, const char *what, const char *why)
{
	char reason[VPNC_REASON_MAX + 64];

	vpnc_log(VPNC_LOG_INFO, "%s: %s; %s: reconnecting", label, what, why);
	l->netev.action = VPNC_NETACT_RECONNECTING;
	snprintf(reason, sizeof(reason), "%s: %s", label, what);
	reason[0] = (char)tolower((unsigned char)reason[0]); /* "network change: ..." as a reason */
	loop_restart_now(l, reason);
}

/*
 * After a burst of changes: has the path to the server changed, and what to
 * do. With `forced` (why the path may have changed without a change this
 * host can see, e.g. a resume from sleep) the path counts as moved even if
 * the route is the same, so a connected session is probed at once.
 */
static void roam_check(struct loop *l, const char *forced)
{
	struct vpnc_nl_path now;
	struct sockaddr_storage local;
	int family = l->server.ss_family;
	size_t alen = addr_len(family);
	char what[256], via[IF_NAMESIZE + INET6_ADDRSTRLEN + 8], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	bool tcp = vpnc_remote_current(&l->sel)->transport == VPNC_TRANSPORT_TCP;
	int ret;

	if (l->closing || l->exiting || l->eng == NULL || l->link == NULL || !l->have_server || alen == 0)
		return;
	int repinned = roam_repin(l);
	ret = lookup_server(l, &now);
	if (ret < 0) {
		if (!l->path_lost) {
			vpnc_log(VPNC_LOG_INFO, "Network change: no route to the server (%s); waiting for one",
			         strerror(-ret));
			netev_set(l, VPNC_NETEV_ROUTE_GONE, 0);
			l->netev.action = VPNC_NETACT_WAITING;
		}
		l->path_lost = true;
		l->path_no_carrier = false;
		return;
	}
	if (now.local)
		return; /* the server's address is this host's: nothing to follow */
	/*
	 * A route to the server through the TUN would be a loop: the host route
	 * redirect-gateway added went with its link, and no way out was left to
	 * put it on (roam_repin above). There is no path until one comes.
	 */
	if (l->tun.fd >= 0 && now.ifindex == l->tun.ifindex) {
		if (!l->path_lost) {
			vpnc_log(VPNC_LOG_INFO, "Network change: the route to the server now leads into "
			                        "the tunnel; waiting for a route outside it");
			netev_set(l, VPNC_NETEV_ROUTE_GONE, 0);
			l->netev.action = VPNC_NETACT_WAITING;
		}
		l->path_lost = true;
		l->path_no_carrier = false;
		return;
	}
	/*
	 * A route through a device without carrier (up before its cable or
	 * radio is there, or one that lost it): the kernel keeps it and answers
	 * with it, but what goes there is dropped, and an ARP request lost so
	 * is asked again only a second later. So neither probe nor restart yet:
	 * the carrier coming brings a link notification, and the look after it
	 * goes on as below, against the path seen before the carrier went: a
	 * route that was gone, or moved, is probed then; a carrier that only
	 * came back (a cable plugged in again) changes nothing, unless a resume
	 * asked for a look while it was away: that look waits for the carrier.
	 * If none comes, the session's keepalive (ping-restart) decides as it
	 * would anyway.
	 */
	if (now.no_carrier) {
		if (!l->path_no_carrier) {
			describe_path(&now, family, via, sizeof(via));
			vpnc_log(l->path_lost ? VPNC_LOG_MORE : VPNC_LOG_INFO,
			         "Network change: the route to the server (%s) has no carrier yet; waiting for it", via);
			netev_set(l, VPNC_NETEV_NO_CARRIER, now.ifindex);
			l->netev.action = VPNC_NETACT_WAITING;
		}
		l->path_no_carrier = true;
		if (forced != NULL)
			l->path_forced = forced; /* a resume while the carrier is away: prove the path once it comes */
		return;
	}
	bool carrier_back = l->path_no_carrier;
	l->path_no_carrier = false;
	if (forced == NULL)
		forced = l->path_forced;
	l->path_forced = NULL;
	if (repinned == 0) {
		describe_path(&now, family, via, sizeof(via));
		vpnc_log(VPNC_LOG_MORE, "the host route to the server moved to %s", via);
	}
	bool have_local = vpnc_link_local(l->link, &local) == 0 && local.ss_family == family;
	bool src_moved = have_local && now.has_src && memcmp(now.src, sa_bytes(&local), alen) != 0;
	bool was_lost = l->path_lost;
	bool route_moved = was_lost || src_moved || !l->path_known || now.ifindex != l->path.ifindex ||
	                   now.has_gw != l->path.has_gw || (now.has_gw && memcmp(now.gw, l->path.gw, alen) != 0);
	bool moved = route_moved || forced != NULL;
	const char *label = route_moved ? "Network change" : "Path check";

	l->path = now;
	l->path_known = true;
	l->path_lost = false;
	describe_path(&now, family, via, sizeof(via));
	if (!moved) {
		if (carrier_back) {
			vpnc_log(VPNC_LOG_MORE, "Network change: the route to the server (%s) has its carrier back; "
			                        "nothing else changed", via);
			netev_set(l, VPNC_NETEV_ROUTE_BACK, now.ifindex);
			l->netev.action = VPNC_NETACT_CARRIES_ON;
		}
		return;
	}
	netev_set(l, src_moved ? VPNC_NETEV_SRC_CHANGED : was_lost ? VPNC_NETEV_ROUTE_BACK
	             : route_moved ? VPNC_NETEV_ROUTE_MOVED : VPNC_NETEV_RESUMED, now.ifindex);
	if (src_moved) {
		(void)inet_ntop(family, sa_bytes(&local), a, sizeof(a));
		(void)inet_ntop(family, now.src, b, sizeof(b));
		snprintf(what, sizeof(what), "the local address changed from %s to %s (%s)", a, b, via);
	} else if (was_lost) {
		snprintf(what, sizeof(what), "the route to the server is back (%s)", via);
	} else if (route_moved) {
		snprintf(what, sizeof(what), "the route to the server moved to %s", via);
	} else {
		snprintf(what, sizeof(what), "%s (%s)", forced, via);
	}

	struct vpnc_roam_facts facts = {
		.tcp = tcp,
		.connected = vpnc_engine_state(l->eng) == VPNC_ST_CONNECTED,
		.can_float = vpnc_engine_can_float(l->eng),
		.src_moved = src_moved,
		.route_moved = route_moved,
		.forced = forced != NULL,
	};
	enum vpnc_roam_act act = vpnc_roam_decide(&facts);

	if (act == VPNC_ROAM_CARRY_ON) {
		vpnc_log(VPNC_LOG_INFO, "%s: %s; the %s carries on", label, what,
		         tcp ? "TCP connection" : "handshake");
		l->netev.action = VPNC_NETACT_CARRIES_ON;
		return;
	}
	if (vpnc_roam_restart_why(act) != NULL) {
		roam_restart(l, label, what, vpnc_roam_restart_why(act));
		return;
	}
	if (act == VPNC_ROAM_REPATH_PROBE && (ret = vpnc_link_repath(l->link)) < 0) {
		roam_restart(l, label, what, "the socket cannot be re-connected");
		return;
	}
	uint64_t t = uv_now(&l->uv);
	ret = vpnc_engine_probe(l->eng, t);
	if (ret < 0) {
		roam_restart(l, label, what, tcp ? "a TCP connection cannot be probed" : "the server cannot be probed");
		return;
	}
	vpnc_log(VPNC_LOG_INFO, "%s: %s; %skeeping the session and probing the server", label, what,
	         src_moved ? "sending from the new address, " : "");
	l->netev.action = VPNC_NETACT_PROBING;
	l->netev.socket_moved = src_moved;
	loop_drain_link_out(l, t);
	loop_settle(l);
}

static void on_settled(uv_timer_t *t)
{
	struct loop *l = t->data;

	l->nw_pending = false;
	roam_check(l, NULL);
}

void loop_roam_recheck(struct loop *l, const char *why)
{
	/* A burst of network changes still settling is looked at now, with this. */
	if (l->nw_pending && l->nw_timer.type == UV_TIMER) {
		uv_timer_stop(&l->nw_timer);
		l->nw_pending = false;
	}
	roam_check(l, why);
}

static void on_netwatch(uv_poll_t *h, int status, int events)
{
	struct loop *l = h->data;
	int ret;

	(void)events;
	if (l->closing)
		return;
	ret = status < 0 ? status : vpnc_netwatch_read(l->nw, l->tun.fd >= 0 ? l->tun.ifindex : 0);
	if (ret < 0) {
		/* Both are negative errno codes; the session goes on, recovering by ping-restart only. */
		vpnc_log(VPNC_LOG_WARN, "Cannot read network changes (%s); no longer watching", strerror(-ret));
		uv_poll_stop(&l->nw_poll);
		return;
	}
	if (ret > 0 && !l->nw_pending && l->eng != NULL) {
		l->nw_pending = true;
		uv_timer_start(&l->nw_timer, on_settled, VPNC_ROAM_SETTLE_MS, 0);
	}
}

int loop_roam_start(struct loop *l)
{
	int ret;

	if ((ret = uv_timer_init(&l->uv, &l->nw_timer)) < 0)
		return ret;
	l->nw_timer.data = l;
	ret = vpnc_netwatch_open(&l->nw);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_WARN, "Cannot watch the network (%s); after an address change the "
		                        "session recovers by ping-restart only", strerror(-ret));
		l->nw = NULL;
		return 0;
	}
	ret = uv_poll_init(&l->uv, &l->nw_poll, vpnc_netwatch_fd(l->nw));
	if (ret == 0) {
		l->nw_poll.data = l;
		ret = uv_poll_start(&l->nw_poll, UV_READABLE, on_netwatch);
	}
	if (ret < 0) {
		vpnc_log(VPNC_LOG_WARN, "Cannot watch the network (%s); after an address change the "
		                        "session recovers by ping-restart only", uv_strerror(ret));
		if (l->nw_poll.type == UV_POLL)
			uv_close((uv_handle_t *)&l->nw_poll, NULL);
		vpnc_netwatch_close(l->nw);
		l->nw = NULL;
		return 0;
	}
	/* Like the check handle: watching alone must not keep the loop alive. */
	uv_unref((uv_handle_t *)&l->nw_poll);
	uv_unref((uv_handle_t *)&l->nw_timer);
	return 0;
}

static void nw_poll_closed(uv_handle_t *h)
{
	struct loop *l = h->data;

	vpnc_netwatch_close(l->nw);
	l->nw = NULL;
}

void loop_roam_stop(struct loop *l)
{
	if (l->nw_timer.type == UV_TIMER && !uv_is_closing((uv_handle_t *)&l->nw_timer))
		uv_close((uv_handle_t *)&l->nw_timer, NULL);
	if (l->nw != NULL && l->nw_poll.type == UV_POLL && !uv_is_closing((uv_handle_t *)&l->nw_poll))
		uv_close((uv_handle_t *)&l->nw_poll, nw_poll_closed);
}
