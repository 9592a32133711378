/*
 * ctlsock.h: the daemon's control socket, one per instance.
 *
 * A Unix stream socket (mode 0600; by default in a 0700 directory, see
 * ctlpath.h) served by the daemon's libuv loop. Each connection carries one
 * request line of at most VPNC_CTL_REQ_MAX bytes and gets one reply, then
 * the daemon closes it (docs/control.md):
 *
 *   status         -> one JSON object and "\n"
 *   status text    -> the same for people, several lines (KiB, "2 seconds ago")
 *   status text raw -> the same with exact bytes and milliseconds
 *   disconnect     -> "ok\n", then the session ends as on SIGTERM
 *   reconnect      -> "ok\n", then a reconnect as on SIGHUP
 *   prompt         -> "prompt ID KIND ECHO TEXT\n" for the waiting question
 *                     (ECHO 0 or 1; TEXT with control bytes as '?'), or
 *                     "prompt none\n" (from ops.status's snapshot)
 *   answer ID TEXT -> "ok\n" when TEXT answered the waiting question ID
 *                     (status shows it; docs/prompts.md); the request is
 *                     wiped once handled, TEXT is never logged
 *   anything else  -> "error <reason>\n"
 *
 * Root and the daemon's own effective uid may send any request
 * (SO_PEERCRED), on top of the file permissions. With ops.read_group set,
 * the socket is mode 0660 with that group, and a member of it (primary
 * group from SO_PEERCRED, supplementary ones from SO_PEERGROUPS) may ask
 * for the status only: disconnect, reconnect and answer get "error
 * permission denied". Anyone else is refused. A client that sends nothing is dropped
 * after idle_ms; at most VPNC_CTL_MAX_CLIENTS are served at once. Nothing
 * here blocks the loop, and nothing runs on the packet path: a request costs
 * one allocation for its connection and one for its reply.
 *
 * Ownership: vpnc_ctl_open() returns a struct vpnc_ctl owned by the caller
 * until vpnc_ctl_close(), which closes every handle, removes the socket file
 * and frees the struct once libuv has finished with the handles (the uv
 * loop must run once more). The ops struct is copied; ops.ctx is borrowed.
 */
#ifndef VPNC_CONTROL_CTLSOCK_H
#define VPNC_CONTROL_CTLSOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "control/status.h"

/* Longest request line, newline included: room for "answer ID " and a 512-byte answer. */
#define VPNC_CTL_REQ_MAX 600
/* Connections served at the same time; more are closed at once. */
#define VPNC_CTL_MAX_CLIENTS 8
/* A connection that has not sent its request after this long is closed. */
#define VPNC_CTL_IDLE_MS 2000

/*
 * Create the socket's directory (mode 0700; 0750 with ops.read_group, which
 * it is given) if missing, and refuse one not ours; "other" bits are
 * cleared, group bits too unless the directory's group is another
 * instance's read group (not root's, not ours).
 */
#define VPNC_CTL_MKDIR 0x1

struct vpnc_ctl;

/* Called on the loop's thread. Any op may be NULL: the request is then answered "error". */
struct vpnc_ctl_ops {
	/*
	 * Fills snap for a status request. The strings it points to must stay
	 * valid until the call returns; the reply is formatted right after.
	 */
	void (*status)(void *ctx, struct vpnc_status_snap *snap);
	/* Called after the "ok" reply was written (or the client went away). */
	void (*disconnect)(void *ctx);
	void (*reconnect)(void *ctx);
	/*
	 * "answer ID TEXT": 0 when taken, -ESTALE when ID is not the waiting
	 * question, -ENOSPC when too long. text (len bytes, no NUL, no newline)
	 * is the request buffer, wiped after the call.
	 */
	int (*answer)(void *ctx, unsigned id, const char *text, size_t len);
	/* Whether a peer may use the socket; NULL = root, or the effective uid that opened the socket
	 * (kept: under privilege separation the process changes uid after). */
	bool (*peer_ok)(void *ctx, uid_t uid, gid_t gid, pid_t pid);
	/* Unix time for the status; NULL = time(). */
	int64_t (*now)(void *ctx);
	/* One line about refused peers and failures (level as --verb); may be NULL. */
	void (*log)(void *ctx, int level, const char *msg);
	void *ctx;
	unsigned idle_ms;          /* 0 = VPNC_CTL_IDLE_MS */
	/* 'control-socket-group': members may read the status (never disconnect or reconnect). */
	bool has_read_group;
	gid_t read_group;
};

/*
 * Listens on path. A stale socket left by a dead daemon is replaced; a live
 * one (another instance answers) gives -EADDRINUSE; anything that is not a
 * socket gives -EEXIST. With VPNC_CTL_MKDIR the parent directory is created
 * (0700) and must be a directory owned by us that no one else can enter
 * (else -EPERM). Returns 0 and sets *out, or a negative errno code.
 */
int vpnc_ctl_open(uv_loop_t *loop, const char *path, unsigned flags, const struct vpnc_ctl_ops *ops,
                  struct vpnc_ctl **out);

/* Stops serving, removes the socket file and frees ctl after its handles close. NULL is allowed. */
void vpnc_ctl_close(struct vpnc_ctl *ctl);

#endif
