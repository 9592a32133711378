/*
 * ks_run.c: the kill switch over one run (ks_run.h), for the process that
 * owns its rules: the loop (loop_ks.c) or the privileged parent
 * (privsep.c).
 */
#include "daemon/ks_run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "daemon/log.h"
#include "os/killswitch.h"

/* The protocol vpnc reaches r's server (or its proxy) with (os/killswitch.h). */
static int proto_of(const struct vpnc_ks_run *k, const struct vpnc_remote *r)
{
	const char *host, *port;

	return vpnc_ks_target(k->conf, r, &host, &port);
}

static int apply(struct vpnc_ks_run *k)
{
	char err[VPNC_KS_ERR_MAX] = "";
	int ret = vpnc_ks_apply(k->instance, k->ks, err, sizeof(err));

	if (ret < 0)
		vpnc_log(VPNC_LOG_FATAL, "Cannot set the kill switch rules: %s.", err[0] ? err : strerror(-ret));
	return ret;
}

int vpnc_ks_run_start(struct vpnc_ks_run *k, const struct vpnc_config *c)
{
	int ret;

	memset(k, 0, sizeof(*k));
	if (!c->kill_switch)
		return 0;
	k->conf = c;
	/* The same instance name as the control socket's (ctlpath.h). */
	(void)vpnc_ctl_instance_of(c, k->instance, sizeof(k->instance));
	k->ks = calloc(1, sizeof(*k->ks));
	if (k->ks == NULL)
		return -ENOMEM;
	k->ks->lan = c->kill_switch_lan;
	/* Remotes given as addresses are known now; names are added once resolved. */
	for (size_t i = 0; i < c->n_remotes; i++) {
		const struct vpnc_remote *r = &c->remotes[i];
		const char *host, *port;
		int proto = vpnc_ks_target(c, r, &host, &port);

		ret = vpnc_ks_add_literal(k->ks, host, port, proto);
		if (ret == -ENOSPC)
			break;
	}
	ret = apply(k);
	if (ret < 0)
		return ret;
	k->on = true;
	vpnc_log(VPNC_LOG_INFO, "Kill switch on (instance %s%s): only the tunnel and the VPN servers "
	                        "are reachable", k->instance, c->kill_switch_lan ? ", local networks allowed" : "");
	return 0;
}

int vpnc_ks_run_resolving(struct vpnc_ks_run *k, const char *host)
{
	uint8_t a[16];

	/* An address literal is "resolved" without asking anyone. */
	if (!k->on || k->ks->resolving || inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1)
		return 0;
	k->ks->resolving = true;
	(void)vpnc_ks_read_resolvers(k->ks);
	return apply(k);
}

int vpnc_ks_run_resolved(struct vpnc_ks_run *k, const struct vpnc_remote *r, const struct sockaddr *const *addrs,
                         size_t n)
{
	bool changed = k->on && k->ks->resolving;

	if (!k->on)
		return 0;
	k->ks->resolving = false;
	for (size_t i = 0; i < n; i++) {
		if (addrs[i]->sa_family != AF_INET && addrs[i]->sa_family != AF_INET6)
			continue;
		int ret = vpnc_ks_add_endpoint(k->ks, addrs[i], proto_of(k, r));

		if (ret == -ENOSPC)
			vpnc_log(VPNC_LOG_WARN, "The kill switch holds %d server addresses at most; not all of %s's "
			                        "are allowed", VPNC_KS_MAX_ENDPOINTS, r->host);
		if (ret < 0)
			break;
		changed |= ret == 1;
	}
	return changed ? apply(k) : 0;
}

static bool same_sa(const struct sockaddr_storage *x, const struct sockaddr *y)
{
	if (x->ss_family != y->sa_family)
		return false;
	if (y->sa_family == AF_INET)
		return memcmp(x, y, sizeof(struct sockaddr_in)) == 0;
	return memcmp(x, y, sizeof(struct sockaddr_in6)) == 0;
}

int vpnc_ks_run_relay(struct vpnc_ks_run *k, const struct sockaddr *sa)
{
	bool changed = false;
	int ret;

	if (!k->on)
		return 0;
	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (k->relay_own && same_sa(&k->relay, sa))
		return 0;
	/* One relay at a time: each association gets a new one, the old one is closed for good. */
	if (k->relay_own) {
		changed = vpnc_ks_del_endpoint(k->ks, (const struct sockaddr *)&k->relay, IPPROTO_UDP) == 1;
		k->relay_own = false;
	}
	ret = vpnc_ks_add_endpoint(k->ks, sa, IPPROTO_UDP);
	if (ret == -ENOSPC)
		vpnc_log(VPNC_LOG_WARN, "The kill switch holds %d server addresses at most; the SOCKS "
		                        "relay is not allowed", VPNC_KS_MAX_ENDPOINTS);
	if (ret == 1) {
		/* Only one it added is its to remove: a relay that is also a server's address stays. */
		memset(&k->relay, 0, sizeof(k->relay));
		memcpy(&k->relay, sa, sa->sa_family == AF_INET ? sizeof(struct sockaddr_in)
		                                              : sizeof(struct sockaddr_in6));
		k->relay_own = true;
		changed = true;
	}
	if (changed) {
		int err = apply(k);

		if (err < 0)
			return err;
	}
	return ret < 0 ? ret : 0;
}

int vpnc_ks_run_tun(struct vpnc_ks_run *k, const char *ifname)
{
	if (!k->on || strcmp(k->ks->tun, ifname) == 0)
		return 0;
	if (vpnc_ks_set_tun(k->ks, ifname) < 0) {
		vpnc_log(VPNC_LOG_FATAL, "The TUN device name '%s' cannot go into a firewall rule.", ifname);
		return -EINVAL;
	}
	return apply(k);
}

void vpnc_ks_run_end(struct vpnc_ks_run *k, int code)
{
	char err[VPNC_KS_ERR_MAX] = "";

	if (!k->on)
		goto out;
	if (code != 0) {
		/* An error during a lookup: the resolvers need not stay reachable. */
		if (k->ks->resolving) {
			k->ks->resolving = false;
			(void)apply(k);
		}
		vpnc_log(VPNC_LOG_WARN, "The kill switch stays on after the error; 'vpnc kill-switch off "
		                        "--instance %s' removes it", k->instance);
		goto out;
	}
	if (vpnc_ks_remove(k->instance, err, sizeof(err)) < 0)
		vpnc_log(VPNC_LOG_FATAL, "Cannot remove the kill switch rules: %s.", err);
	else
		vpnc_log(VPNC_LOG_INFO, "Kill switch off");
out:
	k->on = false;
	free(k->ks);
	k->ks = NULL;
}
