/*
 * ks_run.h: the kill switch over one run of vpnc (--kill-switch;
 * src/os/killswitch.h, docs/killswitch.md), for whichever process owns its
 * nftables rules: the event loop when vpnc is one process (loop_ks.c), the
 * privileged parent under privilege separation (privsep.c), since the
 * network process holds no capability. It keeps the allowed set and applies
 * it whenever it changes: at the start, while a remote's name is resolved
 * and once it is, when the TUN device appears, and at the end.
 *
 * The rules are removed only when vpnc ends because it was asked to (exit
 * status 0). After a fatal error, a crash or SIGKILL they stay: fail-closed,
 * until vpnc runs again and exits cleanly or the admin runs `vpnc
 * kill-switch off`. Each function returns 0 or a negative errno code, and
 * logs what failed.
 */
#ifndef VPNC_DAEMON_KS_RUN_H
#define VPNC_DAEMON_KS_RUN_H

#include <stdbool.h>
#include <sys/socket.h>

#include "control/ctlpath.h"
#include "vpnc/config.h"

#include "os/killswitch.h"

/* Addresses of one lookup handed over at most: one more than the set holds, so the overflow is told. */
#define VPNC_KS_RUN_ADDRS (VPNC_KS_MAX_ENDPOINTS + 1)

struct vpnc_ks_run {
	struct vpnc_ks_allow *ks;        /* NULL without --kill-switch */
	const struct vpnc_config *conf;  /* borrowed: which remotes go through a SOCKS proxy */
	bool on;                         /* the rules are installed */
	bool relay_own;                  /* relay is in the set because vpnc_ks_run_relay() added it */
	struct sockaddr_storage relay;   /* the current SOCKS UDP relay */
	char instance[VPNC_CTL_INSTANCE_MAX + 1];
};

/* Installs the rules for conf's remotes given as addresses (nothing without 'kill-switch'). */
int vpnc_ks_run_start(struct vpnc_ks_run *k, const struct vpnc_config *conf);

/* A name is about to be resolved: the system's resolvers may be asked, for this lookup only. */
int vpnc_ks_run_resolving(struct vpnc_ks_run *k, const char *host);

/* The lookup of r ended: its addresses (may be none) become reachable, the resolvers no more. */
int vpnc_ks_run_resolved(struct vpnc_ks_run *k, const struct vpnc_remote *r, const struct sockaddr *const *addrs,
                         size_t n);

/*
 * The UDP relay a SOCKS proxy named for this attempt (sockaddr_in or
 * sockaddr_in6): reachable from now on, in place of the previous attempt's
 * relay, so the set holds one relay however often vpnc reconnects.
 */
int vpnc_ks_run_relay(struct vpnc_ks_run *k, const struct sockaddr *sa);

/* The TUN device is ifname: everything may go through it. */
int vpnc_ks_run_tun(struct vpnc_ks_run *k, const char *ifname);

/* The end: the rules go with exit status 0, stay otherwise (fail-closed). Frees k's set. */
void vpnc_ks_run_end(struct vpnc_ks_run *k, int code);

#endif
