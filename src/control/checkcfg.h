/*
 * checkcfg.h: `vpnc --check-config FILE [--untrusted-config] [--json]`, which loads a
 * profile and its keys and certificates through the daemon's own loaders
 * (vpnc_config_load, vpnc_tls_ctx_client) and prints what vpnc would do
 * with it, without root, without resolving a name and without sending
 * anything. Exit status: 0 if vpnc would start with the profile, 2
 * (VPNC_EXIT_CONFIG) with the first error on stderr otherwise.
 */
#ifndef VPNC_CONTROL_CHECKCFG_H
#define VPNC_CONTROL_CHECKCFG_H

/* Runs `vpnc --check-config ...` (argv[1] is "--check-config"); returns the exit status. */
int vpnc_checkcfg_main(int argc, char **argv);

#endif
