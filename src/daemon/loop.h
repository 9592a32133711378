/*
 * loop.h: the daemon's libuv event loop around one sans-I/O engine.
 *
 * vpnc_loop_run() owns, for the whole run: the uv loop, the packet buffer
 * pool (allocated once), the TUN device (opened at the first connect and kept
 * across reconnects), the applied network configuration, the remote
 * selection (remote.h), its copy of the credentials and the pushed
 * auth-token (wiped when dropped and at the end), the timers (engine,
 * reconnect back-off, server-poll-timeout, exit wait) and the
 * SIGINT/SIGTERM/SIGHUP/SIGUSR1 handlers. Per connection attempt it owns one
 * engine, one link (link.h, UDP or TCP) and the resolved addresses of the
 * remote. It borrows conf, ssl_ctx and nl, which must outlive the call.
 */
#ifndef VPNC_DAEMON_LOOP_H
#define VPNC_DAEMON_LOOP_H

#include "os/os.h"
#include "priv/privjail.h"
#include "vpnc/config.h"
#include "vpnc/engine.h"

/* Room for a username or password (with its NUL). */
#define VPNC_CRED_MAX 512

/* What the credentials' source has for an attempt (secrets, wiped after use); "" = not there. */
struct vpnc_loop_creds {
	char user[VPNC_CRED_MAX];
	char pass[VPNC_CRED_MAX];
	char resp[VPNC_CRED_MAX];      /* the static-challenge response, when have_resp */
	bool have_resp;
	bool pass_asked;               /* pass was asked (an empty answer stands, as in 2.6) */
};

/*
 * Fills *out from where the credentials come from (the config's file or
 * inline block, and the answers given on the terminal at start-up the first
 * time); what is left empty the loop asks through the prompt module
 * (prompt.h, loop_creds.c). Called before an attempt that needs them: the
 * first one, after auth-nocache dropped the password, and after AUTH_FAILED
 * with auth-retry interact. Returns 0 or a negative errno code.
 */
typedef int (*vpnc_loop_creds_fn)(void *ctx, struct vpnc_loop_creds *out);

struct vpnc_rpersist;

struct vpnc_loop_params {
	const struct vpnc_config *conf;
	SSL_CTX *ssl_ctx;
	struct vpnc_nl *nl;
	vpnc_loop_creds_fn get_creds;  /* needed with auth-user-pass */
	void *creds_ctx;
	bool no_sdask;                 /* never ask through systemd-ask-password (--untrusted-config) */
	/* Privilege separation (docs/privileges.md): this process is the network child; TUN,
	 * addresses, routes, DNS and name resolution are asked of the parent over priv_sock, and
	 * the jail is entered once the control socket exists, before the first packet. */
	bool split;
	int priv_sock;
	const struct vpnc_priv_jail *jail;
	/* 'replay-persist' (rpersist.h): the file opened at start; NULL or fd -1 = none. */
	struct vpnc_rpersist *rpersist;
};

/*
 * Runs until SIGINT/SIGTERM (returns 0) or a fatal error (logs one sentence,
 * returns VPNC_EXIT_AUTH, VPNC_EXIT_VERIFY or VPNC_EXIT_RUNTIME: exitcode.h),
 * reconnecting after everything else. Everything it added to the system
 * (addresses, routes, the TUN device) is removed before it returns.
 */
int vpnc_loop_run(const struct vpnc_loop_params *p);

#endif
