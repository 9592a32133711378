/*
 * exitcode.h: the daemon's exit status, one number per kind of end, so that
 * systemd can tell a typo or a refused login (which retrying does not fix:
 * RestartPreventExitStatus= in contrib/systemd/vpnc-client@.service) from a
 * failure worth retrying. docs/vpnc.8 (EXIT STATUS) and docs/systemd.md list
 * them. The commands (`vpnc status` ...) keep their own 0/1/2 (cli.h).
 */
#ifndef VPNC_DAEMON_EXITCODE_H
#define VPNC_DAEMON_EXITCODE_H

/* A clean stop: SIGTERM, SIGINT, `vpnc disconnect`, inactive, ping-exit, session-timeout. */
#define VPNC_EXIT_OK 0
#define VPNC_EXIT_RUNTIME 1 /* any other fatal error: tun, netlink, a failed script, HALT ... */
#define VPNC_EXIT_CONFIG 2  /* bad usage, a profile or a file it names that does not load */
#define VPNC_EXIT_VERIFY 3  /* the server's certificate failed verification */
#define VPNC_EXIT_AUTH 4    /* AUTH_FAILED from the server (without auth-retry) */

#endif
