/*
 * privsep.h: the split at start-up (docs/privileges.md, "Privilege
 * separation"). vpnc_privsep_split() forks; the child returns to become the
 * network process (the loop, with the socket and the jail in its
 * vpnc_loop_params); the parent never returns from serving: it keeps only
 * CAP_NET_ADMIN and CAP_KILL, answers the child's requests
 * (src/priv/privsrv.h), passes SIGTERM/SIGINT/SIGHUP/SIGUSR1/SIGUSR2 on to
 * it, and when the child ends, or sends something it must not, reverts
 * everything and exits.
 */
#ifndef VPNC_DAEMON_PRIVSEP_H
#define VPNC_DAEMON_PRIVSEP_H

#include <stdbool.h>

#include <openssl/evp.h>

#include "vpnc/config.h"

/*
 * Returns -1 in the child with *sock set (its end of the socketpair), or,
 * in the parent, the exit status for main() (>= 0) once the child has ended
 * and everything is reverted. Before the fork, a failure is logged and 1
 * returned (no child). forget(forget_arg) runs in the parent right after
 * the fork: it frees what only the network process needs (the TLS context
 * with the private key, the credentials).
 */
int vpnc_privsep_split(const struct vpnc_config *conf, int *sock, void (*forget)(void *), void *forget_arg);

/*
 * With 'pkcs11-id': the token's key (os/pkcs11.h) the parent signs with when
 * the network process asks (SIGN, priv/privsign.h). Borrowed; set before
 * vpnc_privsep_split(), it must live until that returns in the parent.
 */
void vpnc_privsep_sign_key(EVP_PKEY *key);

/*
 * --untrusted-config: the parent, asking the network process's questions
 * (privask.h), never spawns systemd-ask-password either. Set before
 * vpnc_privsep_split().
 */
void vpnc_privsep_no_sdask(bool no_sdask);

/*
 * Started without CAP_NET_ADMIN (the NetworkManager plugin's vpnc, an
 * unprivileged start on a persistent TUN; docs/privileges.md, "Not split"):
 * the parent keeps the same uid and drops every capability it has (at most
 * the CAP_SYS_CHROOT the plugin passes on for the network process's root);
 * it still runs the scripts, resolves the names and relays the questions,
 * so the network process can be held by the same seccomp filter. Set before
 * vpnc_privsep_split().
 */
void vpnc_privsep_unprivileged(bool on);

#endif
