/*
 * loop.h: the daemon's libuv event loop around one sans-I/O engine.
 *
 * vpnc_loop_run() owns, for the whole run: the uv loop, the packet buffer
 * pool (allocated once), the TUN device (opened at the first connect and kept
 * across reconnects), the applied network configuration, one uv_timer_t for
 * the engine, one for reconnect back-off, and the SIGINT/SIGTERM/SIGHUP
 * handlers. Per connection attempt it owns one engine and one link
 * (link.h). It borrows conf, ssl_ctx, nl and the credentials, which must
 * outlive the call.
 */
#ifndef VPNC_DAEMON_LOOP_H
#define VPNC_DAEMON_LOOP_H

#include "os/os.h"
#include "vpnc/config.h"
#include "vpnc/engine.h"

struct vpnc_loop_params {
	const struct vpnc_config *conf;
	SSL_CTX *ssl_ctx;
	struct vpnc_nl *nl;
	const char *username;  /* overrides conf->username when not NULL */
	const char *password;  /* overrides conf->password when not NULL */
};

/*
 * Runs until SIGINT/SIGTERM (returns 0) or a fatal error (logs one sentence,
 * returns 1). Everything it added to the system (addresses, routes, the TUN
 * device) is removed before it returns.
 */
int vpnc_loop_run(const struct vpnc_loop_params *p);

#endif
