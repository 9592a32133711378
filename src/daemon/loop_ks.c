/*
 * loop_ks.c: the event loop's side of the kill switch (--kill-switch;
 * ks_run.h, docs/killswitch.md): the loop's moments (before the first
 * attempt, around a lookup, the TUN device, the end) passed on to the run's
 * allowed set. Under privilege separation the privileged parent owns the
 * rules (privsep.c): here only the status says the kill switch is on, and a
 * SOCKS proxy's UDP relay is passed on to the parent.
 */
#include <stdlib.h>

#include "daemon/log.h"
#include "daemon/loop_int.h"

int loop_ks_start(struct loop *l)
{
	int ret;

	if (!l->conf->kill_switch)
		return 0;
	if (!l->p->split && (ret = vpnc_ks_run_start(&l->ks, l->conf)) < 0)
		return ret;
	vpnc_ctlstate_killswitch(l->ctl, true, l->conf->kill_switch_lan); /* Control socket (ctlstate.h) */
	return 0;
}

int loop_ks_resolving(struct loop *l, const char *host)
{
	return vpnc_ks_run_resolving(&l->ks, host);
}

int loop_ks_resolved(struct loop *l, const struct addrinfo *res)
{
	const struct sockaddr *addrs[VPNC_KS_RUN_ADDRS];
	size_t n = 0;

	for (const struct addrinfo *a = res; a != NULL && n < VPNC_KS_RUN_ADDRS; a = a->ai_next)
		addrs[n++] = a->ai_addr;
	return vpnc_ks_run_resolved(&l->ks, vpnc_remote_current(&l->sel), addrs, n);
}

/*
 * A SOCKS proxy named its UDP relay (link_socks.c): the datagrams go there.
 * Under privilege separation the parent owns the rules: it is asked
 * (loop_priv.c), and checks the remote against its own profile.
 */
int loop_ks_relay(struct loop *l, const struct sockaddr *sa)
{
	if (l->p->split)
		return l->conf->kill_switch ? loop_priv_relay(l, sa) : 0;
	return vpnc_ks_run_relay(&l->ks, sa);
}

int loop_ks_tun(struct loop *l, const char *ifname)
{
	return vpnc_ks_run_tun(&l->ks, ifname);
}

void loop_ks_end(struct loop *l, int code)
{
	vpnc_ks_run_end(&l->ks, code);
}
