/*
 * updown.h: what happens when the tunnel comes up and goes down, besides
 * addresses and routes: pushed DNS (os/dns.h) and the user's up, route-up,
 * route-pre-down, down and ipchange scripts (script.h). The event loop calls three functions:
 *
 *   vpnc_updown_init()       once at start: checks script-security, undoes
 *                            DNS left behind by a crashed vpnc;
 *   vpnc_updown_connected()  after every CONNECTED event, once the TUN is
 *                            configured: 'ipchange' (waited for), DNS, then 'up' (first connect, or
 *                            every reconnect with up-restart), then
 *                            'route-up'; it returns an error when the
 *                            script cannot be started, and the caller ends
 *                            the run;
 *   vpnc_updown_route_pre_down() at shutdown, first: 'route-pre-down'
 *                            (waited for) while the routes are still there;
 *   vpnc_updown_dns_revert() at shutdown, while the TUN still exists (so
 *                            systemd-resolved can still revert the link);
 *   vpnc_updown_down()       at shutdown, after the TUN is closed and before
 *                            the loop's last uv_run: DNS revert, then 'down'
 *                            (the process handle keeps the loop running
 *                            until it ends).
 *
 * With --dns-mode auto and a user 'up' script, vpnc leaves DNS to the script
 * (OpenVPN 2.7's rule for its own dns-updown), so update-resolv-conf and
 * update-systemd-resolved setups keep working without doubled settings.
 *
 * struct vpnc_updown owns a copy of the last push (for the down script's
 * environment) and the DNS state. It borrows the uv loop and the config.
 */
#ifndef VPNC_DAEMON_UPDOWN_H
#define VPNC_DAEMON_UPDOWN_H

#include <stdbool.h>
#include <sys/socket.h>
#include <uv.h>

#include "daemon/dnswatch.h"
#include "os/dns.h"
#include "vpnc/config.h"
#include "vpnc/push.h"

struct vpnc_updown {
	uv_loop_t *uv;
	const struct vpnc_config *conf;
	struct vpnc_dns dns;
	struct vpnc_push *last;          /* owned copy of the push; NULL before the first connect */
	char dev[IFNAMSIZ];
	int mtu;
	struct sockaddr_storage server;
	bool have_server;
	bool up_done;                    /* 'up' ran once: later runs have context "restart" */
	bool closing;                    /* vpnc_updown_down() ran */
	bool predown_done;               /* vpnc_updown_route_pre_down() ran */
	bool dns_failed;                 /* the last connect's pushed DNS could not be applied */
	char dns_why[VPNC_DNS_WHY_MAX];  /* dns_failed: why, "<backend>: <reason>" (vpnc_dns_why) */
	const char *dns_scope;           /* what the applied DNS takes (status.h's dns_scope), or NULL */
	struct vpnc_dnswatch *dnswatch;  /* while resolv.conf is written over a plain resolvconf record */
	/* Called when 'up' or 'route-up' exits non-zero, or 'route-up' cannot be started after 'up'
	 * (OpenVPN: fatal). Only ever from a script's exit callback, never from inside a
	 * vpnc_updown_*() call, so it may free what the caller of those holds (the loop's engine). */
	void (*fail)(void *ctx);
	void *fail_ctx;
};

/*
 * Returns 0, or -EPERM (after logging one sentence) if a script is
 * configured without 'script-security 2', which OpenVPN also refuses.
 */
int vpnc_updown_init(struct vpnc_updown *u, uv_loop_t *uv, const struct vpnc_config *conf,
                     void (*fail)(void *ctx), void *fail_ctx);

/*
 * dev/ifindex/mtu: the configured TUN; server: the remote's address (may be
 * NULL). Returns 0, or a negative errno when 'up' (or 'route-up' without
 * 'up') cannot be started, after logging one sentence; the run must end then.
 */
int vpnc_updown_connected(struct vpnc_updown *u, const struct vpnc_push *push, const char *dev,
                          int ifindex, int mtu, const struct sockaddr *server);

/* Undoes the DNS settings now; vpnc_updown_down() does it too if still needed. */
void vpnc_updown_dns_revert(struct vpnc_updown *u);

/*
 * At shutdown, before the routes are removed: 'route-pre-down' (once, only
 * if the tunnel came up), waited for as 2.6 does. signal as below. Returns
 * -1 when it failed (logged; 2.6 then exits with a fatal error, so the
 * caller's exit status becomes 1, and 'down' gets "fatal-error"), else 0.
 */
int vpnc_updown_route_pre_down(struct vpnc_updown *u, const char *signal);

/* signal: "sigterm", "sigint", "sighup", or "fatal-error"; NULL is treated as "sigterm". */
void vpnc_updown_down(struct vpnc_updown *u, const char *signal);

/* Frees the push copy (call after the loop's last uv_run). */
void vpnc_updown_free(struct vpnc_updown *u);

#endif
