/*
 * loop_ks.c: the event loop's side of the kill switch (--kill-switch;
 * src/os/killswitch.h, docs/killswitch.md): it keeps the instance's allowed
 * set and asks the OS layer to apply it whenever it changes: once before
 * the first connection attempt, when a remote's name is being resolved and
 * when it has been, when the TUN device appears, and at the end.
 *
 * The rules are removed only when vpnc ends because it was asked to
 * (SIGTERM, SIGINT, `vpnc disconnect`: exit status 0). After a fatal error,
 * a crash or SIGKILL they stay: fail-closed, until vpnc runs again and exits
 * cleanly or the admin runs `vpnc kill-switch off`.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "control/ctlpath.h"
#include "daemon/log.h"
#include "daemon/loop_int.h"
#include "os/killswitch.h"

/* What vpnc connects to: the remote, or through a SOCKS proxy its TCP port (docs/proxy.md). */
static int proto_of(const struct loop *l, const struct vpnc_remote *r)
{
	if (vpnc_remote_socks(l->conf, r) != NULL)
		return IPPROTO_TCP;
	return r->transport == VPNC_TRANSPORT_TCP ? IPPROTO_TCP : IPPROTO_UDP;
}

static int ks_apply(struct loop *l)
{
	char err[VPNC_KS_ERR_MAX] = "";
	int ret = vpnc_ks_apply(l->ks_instance, l->ks, err, sizeof(err));

	if (ret < 0)
		vpnc_log(VPNC_LOG_FATAL, "Cannot set the kill switch rules: %s.", err[0] ? err : strerror(-ret));
	return ret;
}

int loop_ks_start(struct loop *l)
{
	const struct vpnc_config *c = l->conf;
	const char *cfg = c->path != NULL ? c->path : c->cmdline_config[0] ? c->cmdline_config : NULL;
	int ret;

	if (!c->kill_switch)
		return 0;
	/* The same instance name as the control socket's (ctlpath.h). */
	(void)vpnc_ctl_instance_from_config(cfg, l->ks_instance, sizeof(l->ks_instance));
	l->ks = calloc(1, sizeof(*l->ks));
	if (l->ks == NULL)
		return -ENOMEM;
	l->ks->lan = c->kill_switch_lan;
	/* Remotes given as addresses are known now; names are added once resolved. */
	for (size_t i = 0; i < c->n_remotes; i++) {
		const struct vpnc_remote *r = &c->remotes[i];
		const struct vpnc_socks_proxy *sp = vpnc_remote_socks(c, r);

		/* Through a SOCKS proxy only the proxy is reached directly (and its UDP relay, later). */
		if (sp != NULL)
			ret = vpnc_ks_add_literal(l->ks, sp->host, sp->port, IPPROTO_TCP);
		else
			ret = vpnc_ks_add_literal(l->ks, r->host, r->port[0] ? r->port : "1194",
			                          proto_of(l, r));
		if (ret == -ENOSPC)
			break;
	}
	ret = ks_apply(l);
	if (ret < 0)
		return ret;
	l->ks_on = true;
	vpnc_ctlstate_killswitch(l->ctl, true, c->kill_switch_lan); /* Control socket (ctlstate.h) */
	vpnc_log(VPNC_LOG_INFO, "Kill switch on (instance %s%s): only the tunnel and the VPN servers "
	                        "are reachable", l->ks_instance, c->kill_switch_lan ? ", local networks allowed" : "");
	return 0;
}

int loop_ks_resolving(struct loop *l, const char *host)
{
	uint8_t a[16];

	/* An address literal is "resolved" without asking anyone. */
	if (!l->ks_on || l->ks->resolving || inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1)
		return 0;
	l->ks->resolving = true;
	(void)vpnc_ks_read_resolvers(l->ks);
	return ks_apply(l);
}

int loop_ks_resolved(struct loop *l, const struct addrinfo *res)
{
	const struct vpnc_remote *r = vpnc_remote_current(&l->sel);
	bool changed = l->ks_on && l->ks->resolving;

	if (!l->ks_on)
		return 0;
	l->ks->resolving = false;
	for (const struct addrinfo *a = res; a != NULL; a = a->ai_next) {
		if (a->ai_family != AF_INET && a->ai_family != AF_INET6)
			continue;
		int ret = vpnc_ks_add_endpoint(l->ks, a->ai_addr, proto_of(l, r));

		if (ret == -ENOSPC)
			vpnc_log(VPNC_LOG_WARN, "The kill switch holds %d server addresses at most; not all of %s's "
			                        "are allowed", VPNC_KS_MAX_ENDPOINTS, r->host);
		if (ret < 0)
			break;
		changed |= ret == 1;
	}
	return changed ? ks_apply(l) : 0;
}

int loop_ks_endpoint(struct loop *l, const struct sockaddr *sa, int proto)
{
	int ret;

	if (!l->ks_on)
		return 0;
	ret = vpnc_ks_add_endpoint(l->ks, sa, proto);
	if (ret == -ENOSPC)
		vpnc_log(VPNC_LOG_WARN, "The kill switch holds %d server addresses at most; the SOCKS "
		                        "relay is not allowed", VPNC_KS_MAX_ENDPOINTS);
	if (ret < 0)
		return ret;
	return ret == 1 ? ks_apply(l) : 0;
}

int loop_ks_tun(struct loop *l, const char *ifname)
{
	if (!l->ks_on || strcmp(l->ks->tun, ifname) == 0)
		return 0;
	if (vpnc_ks_set_tun(l->ks, ifname) < 0) {
		vpnc_log(VPNC_LOG_FATAL, "The TUN device name '%s' cannot go into a firewall rule.", ifname);
		return -EINVAL;
	}
	return ks_apply(l);
}

void loop_ks_end(struct loop *l, int code)
{
	char err[VPNC_KS_ERR_MAX] = "";

	if (!l->ks_on)
		goto out;
	if (code != 0) {
		/* An error during a lookup: the resolvers need not stay reachable. */
		if (l->ks->resolving) {
			l->ks->resolving = false;
			(void)ks_apply(l);
		}
		vpnc_log(VPNC_LOG_INFO, "The kill switch stays on after the error; 'vpnc kill-switch off "
		                        "--instance %s' removes it", l->ks_instance);
		goto out;
	}
	if (vpnc_ks_remove(l->ks_instance, err, sizeof(err)) < 0)
		vpnc_log(VPNC_LOG_FATAL, "Cannot remove the kill switch rules: %s.", err);
	else
		vpnc_log(VPNC_LOG_INFO, "Kill switch off");
out:
	l->ks_on = false;
	free(l->ks);
	l->ks = NULL;
}
