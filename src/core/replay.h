/*
 * replay.h: the OpenVPN sliding replay window for packet-ids.
 *
 * One window protects one receive direction of one key: the data channel
 * (short form, time always 0) or a tls-auth / tls-crypt context (long form,
 * id plus the sender's Unix time). The window remembers the highest id seen
 * and a 64-bit bitmap of the 64 ids ending at it (bit n = highest - n).
 *
 * Rules (as in OpenVPN 2.6 packet_id.c with --replay-window 64):
 *  - id 0 is never valid;
 *  - a time lower than the highest time seen is rejected;
 *  - a higher time starts a new window (the sender restarted its counter);
 *  - within one time, a new highest id is accepted, an id at most 63 below
 *    the highest is accepted once, anything 64 or more below is rejected.
 *    This holds for a fresh window too: 2.6's packet_id_add() starts it at
 *    (first id - 64), or 0, with every id above the start unseen, so the 63
 *    ids below the first one received are accepted (OpenVPN 2.6.19,
 *    src/openvpn/packet_id.c, packet_id_add() and packet_id_test()).
 * 'replay-window N' sizes the window (vpnc_replay_set_window): 0..64 ids,
 * where 0 accepts only ids above the highest; 2.6 allows up to 65536, which
 * this bitmap cannot hold, so the config refuses more than 64.
 * The 15-second time backtrack of upstream expires old entries by local
 * receive time; it only makes the window stricter, and this sans-I/O module
 * has no clock, so it is not modelled.
 *
 * The struct is plain data: callers embed it and own it. It holds no secret.
 */
#ifndef VPNC_REPLAY_H
#define VPNC_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define VPNC_REPLAY_WINDOW 64

struct vpnc_replay {
	uint64_t bitmap;  /* bit n set: id (highest - n) was seen */
	uint32_t highest; /* highest id seen in the current time */
	uint32_t time;    /* highest time seen (0 for the short form) */
	uint32_t window;  /* ids below the highest that may still come: 0..VPNC_REPLAY_WINDOW */
	bool seen_any;    /* false until the first id was added */
};

/* An empty window of VPNC_REPLAY_WINDOW ids. */
void vpnc_replay_init(struct vpnc_replay *r);
/* Sets the window to n ids (clamped to VPNC_REPLAY_WINDOW); call before the first add. */
void vpnc_replay_set_window(struct vpnc_replay *r, unsigned n);

/*
 * Returns 0 if (id, time) is new and inside the window, else -EBADMSG.
 * Does not record anything. For the short form (data channel) pass time 0.
 */
int vpnc_replay_check(const struct vpnc_replay *r, uint32_t id, uint32_t time);

/*
 * Records (id, time). Call it only after the packet was authenticated and
 * vpnc_replay_check() accepted it; a stale pair is ignored.
 */
void vpnc_replay_add(struct vpnc_replay *r, uint32_t id, uint32_t time);

#endif
