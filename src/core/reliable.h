/*
 * reliable.h: the control channel's reliability layer, one instance per key
 * state, both directions.
 *
 * It numbers outgoing control packets (msg-id, from 0, no gaps), keeps them
 * until the peer ACKs them and says when to retransmit them; it stores
 * incoming packets in a receive window, hands them out strictly in msg-id
 * order and keeps the list of ACKs we owe the peer. It matches the behaviour
 * of OpenVPN 2.6's reliable.c: send window 6, receive window 12, ACKs that are
 * not cumulative, timeout doubling from tls-timeout, early retransmit after
 * three ACKs of later ids, and re-sending of recently sent ACKs (the MRU list)
 * that the 2.6 stateless server depends on.
 *
 * It does no I/O and reads no clock: `now` is the caller's monotonic time in
 * milliseconds. Everything lives in fixed arrays inside the struct; nothing
 * allocates. The struct is owned by whoever embeds it (the key state).
 *
 * msg-ids are compared as serial numbers (RFC 1982 style), so a wrap of the
 * 32-bit counter cannot confuse the windows. Every number that comes from
 * the peer is checked before it is used.
 */
#ifndef VPNC_CORE_RELIABLE_H
#define VPNC_CORE_RELIABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctrlpkt.h"

#define VPNC_REL_SEND_WINDOW 6
#define VPNC_REL_RECV_WINDOW 12
#define VPNC_REL_PAYLOAD_MAX 2048   /* largest payload stored per packet (send or receive): any control packet fits */
/* Early retransmit once this many later msg-ids were ACKed (OpenVPN's N_ACK_RETRANSMIT). */
#define VPNC_REL_N_ACK_RETRANSMIT 3
/* ACK ids waiting to be sent; more than one receive window of room. */
#define VPNC_REL_ACK_PENDING_MAX 16
/* Recently sent ACK ids that ride along again (OpenVPN's ack_mru). */
#define VPNC_REL_ACK_MRU_MAX VPNC_ACK_MAX
/* The retransmit timeout stops doubling here (about 12 days), so it never overflows. */
#define VPNC_REL_TIMEOUT_CAP (UINT64_C(1) << 30)

struct vpnc_rel_send_entry {
	bool active;
	bool sent;                  /* transmitted at least once */
	uint8_t opcode;
	uint32_t msg_id;
	uint32_t n_acks;            /* ACKs seen for later msg-ids since the last send */
	uint64_t next_try;          /* ms */
	uint64_t timeout;           /* ms, used for the next transmission */
	size_t len;
	uint8_t payload[VPNC_REL_PAYLOAD_MAX];
};

struct vpnc_rel_recv_entry {
	bool active;
	uint8_t opcode;
	uint32_t msg_id;
	size_t len;
	uint8_t payload[VPNC_REL_PAYLOAD_MAX];
};

struct vpnc_reliable {
	uint64_t initial_timeout;   /* ms */

	/* Sending. */
	uint32_t tx_next_id;        /* msg-id of the next queued packet */
	struct vpnc_rel_send_entry tx[VPNC_REL_SEND_WINDOW];

	/* Receiving. */
	uint32_t rx_next_id;        /* msg-id TLS needs next */
	uint64_t rx_delivered;      /* packets released so far; bounds "old duplicate" */
	struct vpnc_rel_recv_entry rx[VPNC_REL_RECV_WINDOW];

	/* ACKs to send: pending first, then re-sends from the MRU list. */
	uint32_t ack_pending[VPNC_REL_ACK_PENDING_MAX];
	size_t n_ack_pending;
	uint32_t ack_mru[VPNC_REL_ACK_MRU_MAX];
	size_t n_ack_mru;
};

/* Resets r to an empty state; initial_timeout_ms is tls-timeout in ms (0: 2.6's default, defaults.h). */
void vpnc_rel_init(struct vpnc_reliable *r, uint32_t initial_timeout_ms);

/* Wipes r, stored payloads included, before the key state is freed or reused. */
void vpnc_rel_wipe(struct vpnc_reliable *r);

/* --- sending --- */

/* True if a new msg-id fits the send window (next_id - lowest_unacked < 6). */
bool vpnc_rel_can_queue(const struct vpnc_reliable *r);

/* The msg-id the next vpnc_rel_queue() will assign. */
uint32_t vpnc_rel_next_msg_id(const struct vpnc_reliable *r);

/*
 * Queues a new outgoing packet (opcode + payload, copied), assigning the next
 * msg-id (the first is 0); it is due immediately. Returns the msg-id (>= 0),
 * -ENOSPC if the send window is full or -EINVAL if len > VPNC_REL_PAYLOAD_MAX
 * or the opcode is not a control opcode that carries a msg-id.
 */
int64_t vpnc_rel_queue(struct vpnc_reliable *r, uint8_t opcode, const uint8_t *payload,
    size_t len, uint64_t now);

/*
 * One packet to transmit. payload points into r and stays valid until the
 * next call that changes r's send side (queue, acks_in, init, wipe).
 */
struct vpnc_rel_out {
	uint8_t opcode;
	uint32_t msg_id;
	const uint8_t *payload;
	size_t len;
	bool retransmit;
};

/*
 * Returns the next entry to transmit now (new or retransmission; the lowest
 * msg-id first) or false. Marks it sent: next_try = now + timeout, then
 * timeout *= 2; the first transmission uses the initial timeout. An entry is
 * also due once VPNC_REL_N_ACK_RETRANSMIT later msg-ids were ACKed.
 */
bool vpnc_rel_next_out(struct vpnc_reliable *r, uint64_t now, struct vpnc_rel_out *out);

/* Handles ACKs received from the peer (ids not in flight are ignored, never an error).
 * An acknowledged entry's payload is wiped. */
void vpnc_rel_acks_in(struct vpnc_reliable *r, const uint32_t *acks, size_t n);

/* Reschedules every unACKed entry for immediate sending with the initial timeout (OpenVPN's burst). */
void vpnc_rel_schedule_now(struct vpnc_reliable *r, uint64_t now);

/* --- receiving --- */

/*
 * A packet with msg_id arrived. Returns 1 if stored (in the window and new):
 * it must be ACKed; 0 if it is an old duplicate or already stored: it must be
 * ACKed again but is not stored; -ERANGE if it is beyond the window: neither
 * ACKed nor stored; -EMSGSIZE if len > VPNC_REL_PAYLOAD_MAX: dropped, not
 * ACKed (the peer will retransmit and fail again; the caller should treat it
 * as a protocol error). For 0 and 1 the ACK is recorded here.
 */
int vpnc_rel_recv(struct vpnc_reliable *r, uint32_t msg_id, uint8_t opcode,
    const uint8_t *payload, size_t len);

/*
 * Returns the next in-order received packet (msg-id == next expected), or
 * false. The pointers stay valid until vpnc_rel_recv_release().
 */
bool vpnc_rel_recv_peek(struct vpnc_reliable *r, uint8_t *opcode, const uint8_t **payload,
    size_t *len);

/* Drops (and wipes) the packet returned by peek and advances the next expected msg-id; no-op if none. */
void vpnc_rel_recv_release(struct vpnc_reliable *r);

/* --- ACKs to send --- */

/* True if some received packet has not been ACKed yet (a P_ACK_V1 is due if nothing else goes out). */
bool vpnc_rel_acks_pending(const struct vpnc_reliable *r);

/*
 * Fills out[] with up to max (at most VPNC_ACK_MAX) ACK ids: first the
 * pending ones, which become "sent" and move to the front of the
 * most-recently-used list, then re-sends of recently ACKed ids from that
 * list, without duplicates. Returns the count. This is what makes every
 * retransmission of the msg-id 1 packet carry the ACK of the server's reset
 * (msg-id 0), which the 2.6 stateless server requires.
 */
size_t vpnc_rel_take_acks(struct vpnc_reliable *r, uint32_t *out, size_t max);

/* --- timers --- */

/*
 * Earliest next_try of the unACKed entries (0 if one is due for early
 * retransmit), UINT64_MAX if nothing is in flight.
 */
uint64_t vpnc_rel_next_timer(const struct vpnc_reliable *r);

#endif
