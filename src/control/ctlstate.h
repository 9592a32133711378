/*
 * ctlstate.h: the loop's side of the control socket: what `vpnc status`
 * shows between requests, and the socket itself.
 *
 * The loop calls the hooks below at its state changes (a few times per
 * connection, never per packet); a status request then reads the current
 * engine's counters and cipher through hooks.engine. A struct vpnc_ctlstate
 * owns copies of everything it shows (server name and address, the pushed
 * configuration, the device name, the last error), the expiry dates read at
 * start from the config (certificate notAfter, eduVPN "# Expires:"), and
 * the control socket (ctlsock.h). Every hook accepts NULL (no control
 * socket), so the loop needs no checks.
 */
#ifndef VPNC_CONTROL_CTLSTATE_H
#define VPNC_CONTROL_CTLSTATE_H

#include <sys/socket.h>

#include <uv.h>

#include "control/status.h"
#include "vpnc/config.h"
#include "vpnc/engine.h"

struct vpnc_ctlstate;

/* What the control socket asks of the loop; all run on the loop's thread. */
struct vpnc_ctlstate_hooks {
	void (*disconnect)(void *ctx);                          /* as SIGTERM */
	void (*reconnect)(void *ctx);                           /* as SIGHUP */
	const struct vpnc_engine *(*engine)(void *ctx);         /* the current engine, or NULL */
	/* Fills *out with the data path's settings and counters; false when there is no TUN yet. */
	bool (*datapath)(void *ctx, struct vpnc_status_datapath *out);
	void *ctx;
	/* The prompt module (daemon/prompt.h): fills snap->prompt_*; may be NULL. */
	void (*prompt)(void *ctx, struct vpnc_status_snap *snap);
	/* "answer ID TEXT" (ctlsock.h): 0, -ESTALE or -ENOSPC; may be NULL (not supported). */
	int (*answer)(void *ctx, unsigned id, const char *text, size_t len);
};

/*
 * The same, with a 'control-socket PATH' made with the rights of the
 * profile's owner, as the files it names (os/fsowner.h); the default one in
 * /run/vpnc is vpnc's own. What the loop and a question before it
 * (daemon/prompt_start.c) use.
 */
int vpnc_ctlstate_open_owned(struct vpnc_ctlstate **out, uv_loop_t *loop, const struct vpnc_config *conf,
                             const struct vpnc_ctlstate_hooks *hooks);

/* The kill switch's rules were installed (on) or removed, and whether they allow the local networks. */
void vpnc_ctlstate_killswitch(struct vpnc_ctlstate *s, bool on, bool lan);

/* An attempt starts: the remote (as configured) and the address it resolved to. */
void vpnc_ctlstate_attempt(struct vpnc_ctlstate *s, const struct vpnc_remote *r,
                           const struct sockaddr *addr);

/* The tunnel is up with this push (copied) on device dev. */
void vpnc_ctlstate_connected(struct vpnc_ctlstate *s, const struct vpnc_push *push, const char *dev);

/*
 * The DNS of the session just set up: the backend used ("resolved",
 * "resolvconf", "file", "none") and its scope (status.h), static strings or
 * NULL; failed: the pushed DNS could not be applied, and why ("file:
 * Read-only file system"; copied, cut to VPNC_CTL_DNS_WHY_MAX - 1 bytes; may
 * be NULL).
 */
#define VPNC_CTL_DNS_WHY_MAX 64
void vpnc_ctlstate_dns(struct vpnc_ctlstate *s, bool failed, const char *why, const char *backend,
                       const char *scope);

/* The loop's record of the last network event (borrowed: it outlives the state), read per request. */
void vpnc_ctlstate_netev(struct vpnc_ctlstate *s, const struct vpnc_status_netev *ev);

/* The session ended or is ending: state and why (NULL keeps the last reason). */
void vpnc_ctlstate_down(struct vpnc_ctlstate *s, enum vpnc_status_state state, const char *reason);

/* Closes the socket (removed from disk) and frees the state once libuv is done. NULL is allowed. */
void vpnc_ctlstate_close(struct vpnc_ctlstate *s);

#endif
