/*
 * replay.h: the OpenVPN sliding replay window for packet-ids.
 *
 * One window protects one receive direction of one key: the data channel
 * (short form, time always 0) or a tls-auth / tls-crypt context (long form,
 * id plus the sender's Unix time). The window remembers the highest id seen
 * and which of the ids below it were seen: a circular bitmap in which id i is
 * bit (i mod size), size being the window rounded up to a power of two, at
 * least 64 (one word) and at most VPNC_REPLAY_MAX. Moving the highest id up
 * clears the slots of the ids it passes, so a slot always belongs to the one
 * id of the last `size` ending at the highest.
 *
 * Rules (as in OpenVPN 2.6 packet_id.c with --replay-window 64):
 *  - id 0 is never valid;
 *  - a time lower than the highest time seen is rejected;
 *  - a higher time starts a new window (the sender restarted its counter);
 *  - within one time, a new highest id is accepted, an id at most N-1 below
 *    the highest is accepted once, anything N or more below is rejected (N
 *    the window, 64 by default). This holds for a fresh window too: 2.6's
 *    packet_id_add() starts it at (first id - N), or 0, with every id above
 *    the start unseen, so the N-1 ids below the first one received are
 *    accepted (OpenVPN 2.6.19, src/openvpn/packet_id.c, packet_id_add() and
 *    packet_id_test()).
 * 'replay-window N' sizes the window (vpnc_replay_set_window): 0..65536 ids,
 * 2.6's range, where 0 accepts only ids above the highest.
 * The 15-second time backtrack of upstream expires old entries by local
 * receive time; it only makes the window stricter, and this sans-I/O module
 * has no clock, so it is not modelled.
 *
 * The struct is plain data (8 KiB, the bitmap for the largest window):
 * callers embed it and own it. It holds no secret.
 */
#ifndef VPNC_REPLAY_H
#define VPNC_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define VPNC_REPLAY_WINDOW 64  /* the default window, 2.6's */
#define VPNC_REPLAY_MAX 65536  /* the largest window, 2.6's */

struct vpnc_replay {
	uint64_t bits[VPNC_REPLAY_MAX / 64]; /* bit (id mod size) set: id was seen */
	uint32_t size;    /* slots in use: a power of two, 64..VPNC_REPLAY_MAX */
	uint32_t highest; /* highest id seen in the current time */
	uint32_t time;    /* highest time seen (0 for the short form) */
	uint32_t window;  /* ids below the highest that may still come: 0..VPNC_REPLAY_MAX */
	bool seen_any;    /* false until the first id was added */
};

/* An empty window of VPNC_REPLAY_WINDOW ids. */
void vpnc_replay_init(struct vpnc_replay *r);
/* Sets the window to n ids (clamped to VPNC_REPLAY_MAX); call before the first add. */
void vpnc_replay_set_window(struct vpnc_replay *r, unsigned n);

/*
 * 'replay-persist' (2.6's packet_id_persist_load_obj()): the window as it
 * was when a previous session last received (time, id), with nothing of its
 * bitmap: every id up to id in that time, and every earlier time, is then
 * rejected, as 2.6 rejects them after a restart. Call after the window is sized.
 */
void vpnc_replay_restore(struct vpnc_replay *r, uint32_t time, uint32_t id);

/* The highest (time, id) received, for 'replay-persist'; false before the first. */
bool vpnc_replay_last(const struct vpnc_replay *r, uint32_t *time, uint32_t *id);

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
