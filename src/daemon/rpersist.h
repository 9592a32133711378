/*
 * rpersist.h: 'replay-persist FILE', OpenVPN 2.6's packet_id_persist: the
 * last (time, id) the static-key data channel received, kept in FILE so
 * that a restarted client still rejects the packets of earlier sessions.
 *
 * As 2.6 (packet_id.c): FILE is opened (created, mode 0600) read-write once
 * at start, with the rights of the profile's owner, and locked (flock); a
 * file that cannot be opened is logged and the run goes on without it; a
 * lock held elsewhere ends vpnc. Its first 16 bytes are 2.6's image
 * (vpnc_replay_image_decode(), engine.h). Anything shorter (empty, cut
 * short) is ignored: the window starts fresh and the file is rewritten. It is written when the state has
 * changed, every 60 seconds and when a session ends, with pwrite on the fd
 * opened at start, so the jailed network process needs no path.
 */
#ifndef VPNC_DAEMON_RPERSIST_H
#define VPNC_DAEMON_RPERSIST_H

#include <stdbool.h>
#include <stdint.h>

#include "vpnc/config.h"
#include "vpnc/engine.h"

#define VPNC_RPERSIST_INTERVAL_MS 60000

struct vpnc_rpersist {
	int fd;                     /* -1: off */
	bool have;                  /* time/id hold a state (read or received) */
	uint32_t time, id;
	uint32_t w_time, w_id;      /* what the file holds */
	bool write_failed;          /* its error was logged */
	char path[VPNC_LOG_PATH_MAX];
};

/*
 * Opens conf's replay-persist file (nothing without one: rp->fd -1) and
 * reads its state. Returns 0 (also when the file could not be opened: logged),
 * or -EWOULDBLOCK when another process holds its lock (logged; fatal).
 */
int vpnc_rpersist_open(const struct vpnc_config *conf, struct vpnc_rpersist *rp);

/* Takes (time, id) as the state and writes it if it differs from the file's. */
void vpnc_rpersist_save(struct vpnc_rpersist *rp, uint32_t time, uint32_t id);

void vpnc_rpersist_close(struct vpnc_rpersist *rp);

#endif
