/*
 * reliable.c: msg-id numbering, retransmission, in-order delivery and ACK
 * bookkeeping for one key state's control channel.
 *
 * The arrays are tiny (6 and 12 entries), so lookups are linear scans; this is
 * the control channel, not the data path.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/reliable.h"
#include "vpnc/defaults.h"

#define SERIAL_HALF UINT32_C(0x80000000)

/* True if msg-id a comes before b in serial-number order. */
static bool id_before(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(a - b) >= SERIAL_HALF;
}

void vpnc_rel_init(struct vpnc_reliable *r, uint32_t initial_timeout_ms)
{
	memset(r, 0, sizeof(*r));
	r->initial_timeout = initial_timeout_ms ? initial_timeout_ms : VPNC_DEFAULT_TLS_TIMEOUT * 1000u;
}

void vpnc_rel_wipe(struct vpnc_reliable *r)
{
	OPENSSL_cleanse(r, sizeof(*r));
}

/* --- sending --- */

/* Finds the lowest unACKed msg-id; returns false if nothing is in flight. */
static bool tx_lowest(const struct vpnc_reliable *r, uint32_t *lowest)
{
	bool found = false;

	for (size_t i = 0; i < VPNC_REL_SEND_WINDOW; i++) {
		const struct vpnc_rel_send_entry *e = &r->tx[i];

		if (e->active && (!found || id_before(e->msg_id, *lowest))) {
			*lowest = e->msg_id;
			found = true;
		}
	}
	return found;
}

bool vpnc_rel_can_queue(const struct vpnc_reliable *r)
{
	uint32_t lowest = 0;

	if (!tx_lowest(r, &lowest))
		return true;
	return (uint32_t)(r->tx_next_id - lowest) < VPNC_REL_SEND_WINDOW;
}

uint32_t vpnc_rel_next_msg_id(const struct vpnc_reliable *r)
{
	return r->tx_next_id;
}

int64_t vpnc_rel_queue(struct vpnc_reliable *r, uint8_t opcode, const uint8_t *payload,
    size_t len, uint64_t now)
{
	struct vpnc_rel_send_entry *e = NULL;

	if (len > VPNC_REL_PAYLOAD_MAX || (len > 0 && payload == NULL) ||
	    !vpnc_op_is_control(opcode) || opcode == VPNC_OP_ACK_V1)
		return -EINVAL;
	if (!vpnc_rel_can_queue(r))
		return -ENOSPC;
	for (size_t i = 0; i < VPNC_REL_SEND_WINDOW && e == NULL; i++) {
		if (!r->tx[i].active)
			e = &r->tx[i];
	}
	if (e == NULL)
		return -ENOSPC;

	e->active = true;
	e->sent = false;
	e->opcode = opcode;
	e->msg_id = r->tx_next_id++;
	e->n_acks = 0;
	e->next_try = now;
	e->timeout = r->initial_timeout;
	e->len = len;
	if (len > 0)
		memcpy(e->payload, payload, len);
	return e->msg_id;
}

bool vpnc_rel_next_out(struct vpnc_reliable *r, uint64_t now, struct vpnc_rel_out *out)
{
	struct vpnc_rel_send_entry *best = NULL;

	for (size_t i = 0; i < VPNC_REL_SEND_WINDOW; i++) {
		struct vpnc_rel_send_entry *e = &r->tx[i];

		if (!e->active)
			continue;
		if (now < e->next_try && e->n_acks < VPNC_REL_N_ACK_RETRANSMIT)
			continue;
		if (best == NULL || id_before(e->msg_id, best->msg_id))
			best = e;
	}
	if (best == NULL)
		return false;

	out->opcode = best->opcode;
	out->msg_id = best->msg_id;
	out->payload = best->payload;
	out->len = best->len;
	out->retransmit = best->sent;

	best->sent = true;
	best->n_acks = 0;
	best->next_try = now + best->timeout;
	if (best->timeout < VPNC_REL_TIMEOUT_CAP)
		best->timeout *= 2;
	return true;
}

void vpnc_rel_acks_in(struct vpnc_reliable *r, const uint32_t *acks, size_t n)
{
	uint32_t lowest = 0;

	if (acks == NULL || !tx_lowest(r, &lowest))
		return;
	for (size_t k = 0; k < n; k++) {
		uint32_t id = acks[k];

		/* Only ids we have actually sent count, as ACK or as "later" evidence. */
		if ((uint32_t)(id - lowest) >= (uint32_t)(r->tx_next_id - lowest))
			continue;
		for (size_t i = 0; i < VPNC_REL_SEND_WINDOW; i++) {
			struct vpnc_rel_send_entry *e = &r->tx[i];

			if (!e->active)
				continue;
			if (e->msg_id == id) {
				/* Acknowledged: its copy is not needed any more, and may be secret. */
				OPENSSL_cleanse(e->payload, e->len);
				e->len = 0;
				e->active = false;
			} else if (id_before(e->msg_id, id) && e->sent) {
				e->n_acks++;
			}
		}
	}
}

void vpnc_rel_schedule_now(struct vpnc_reliable *r, uint64_t now)
{
	for (size_t i = 0; i < VPNC_REL_SEND_WINDOW; i++) {
		struct vpnc_rel_send_entry *e = &r->tx[i];

		if (e->active) {
			e->next_try = now;
			e->timeout = r->initial_timeout;
		}
	}
}

uint64_t vpnc_rel_next_timer(const struct vpnc_reliable *r)
{
	uint64_t t = UINT64_MAX;

	for (size_t i = 0; i < VPNC_REL_SEND_WINDOW; i++) {
		const struct vpnc_rel_send_entry *e = &r->tx[i];

		if (!e->active)
			continue;
		if (e->n_acks >= VPNC_REL_N_ACK_RETRANSMIT)
			return 0;
		if (e->next_try < t)
			t = e->next_try;
	}
	return t;
}

/* --- ACK bookkeeping --- */

/* Records that msg_id must be ACKed; a full list drops it (the peer retransmits). */
static void ack_record(struct vpnc_reliable *r, uint32_t msg_id)
{
	for (size_t i = 0; i < r->n_ack_pending; i++) {
		if (r->ack_pending[i] == msg_id)
			return;
	}
	if (r->n_ack_pending < VPNC_REL_ACK_PENDING_MAX)
		r->ack_pending[r->n_ack_pending++] = msg_id;
}

/* Moves id to the front of the MRU list, dropping the oldest entry when it is full. */
static void mru_push_front(struct vpnc_reliable *r, uint32_t id)
{
	size_t pos = r->n_ack_mru;

	for (size_t i = 0; i < r->n_ack_mru; i++) {
		if (r->ack_mru[i] == id) {
			pos = i;
			break;
		}
	}
	if (pos == r->n_ack_mru) {
		if (r->n_ack_mru < VPNC_REL_ACK_MRU_MAX)
			r->n_ack_mru++;
		else
			pos = VPNC_REL_ACK_MRU_MAX - 1;
	}
	memmove(&r->ack_mru[1], &r->ack_mru[0], pos * sizeof(r->ack_mru[0]));
	r->ack_mru[0] = id;
}

bool vpnc_rel_acks_pending(const struct vpnc_reliable *r)
{
	return r->n_ack_pending > 0;
}

size_t vpnc_rel_take_acks(struct vpnc_reliable *r, uint32_t *out, size_t max)
{
	size_t n, total;

	if (out == NULL)
		return 0;
	if (max > VPNC_ACK_MAX)
		max = VPNC_ACK_MAX;
	n = r->n_ack_pending < max ? r->n_ack_pending : max;

	/* Push backwards so the MRU front keeps the pending order. */
	for (size_t i = n; i > 0; i--)
		mru_push_front(r, r->ack_pending[i - 1]);
	memmove(&r->ack_pending[0], &r->ack_pending[n],
	    (r->n_ack_pending - n) * sizeof(r->ack_pending[0]));
	r->n_ack_pending -= n;

	/* The pending ids are now the first n of the MRU list; the rest are re-sends. */
	total = r->n_ack_mru < max ? r->n_ack_mru : max;
	memcpy(out, r->ack_mru, total * sizeof(out[0]));
	return total;
}

/* --- receiving --- */

static struct vpnc_rel_recv_entry *rx_find(struct vpnc_reliable *r, uint32_t msg_id)
{
	for (size_t i = 0; i < VPNC_REL_RECV_WINDOW; i++) {
		if (r->rx[i].active && r->rx[i].msg_id == msg_id)
			return &r->rx[i];
	}
	return NULL;
}

int vpnc_rel_recv(struct vpnc_reliable *r, uint32_t msg_id, uint8_t opcode,
    const uint8_t *payload, size_t len)
{
	uint32_t ahead = msg_id - r->rx_next_id;
	uint32_t behind = r->rx_next_id - msg_id;
	struct vpnc_rel_recv_entry *e = NULL;

	if (len > VPNC_REL_PAYLOAD_MAX || (len > 0 && payload == NULL))
		return -EMSGSIZE;

	if (ahead >= VPNC_REL_RECV_WINDOW) {
		/* Old duplicate: only ids we really delivered, not any number "behind". */
		if (behind >= 1 && behind < SERIAL_HALF && behind <= r->rx_delivered) {
			ack_record(r, msg_id);
			return 0;
		}
		return -ERANGE;
	}
	if (rx_find(r, msg_id) != NULL) {
		ack_record(r, msg_id);
		return 0;
	}
	for (size_t i = 0; i < VPNC_REL_RECV_WINDOW && e == NULL; i++) {
		if (!r->rx[i].active)
			e = &r->rx[i];
	}
	/* Twelve slots for a twelve-id window: only a broken invariant leaves none. */
	if (e == NULL)
		return -ERANGE;

	e->active = true;
	e->opcode = opcode;
	e->msg_id = msg_id;
	e->len = len;
	if (len > 0)
		memcpy(e->payload, payload, len);
	ack_record(r, msg_id);
	return 1;
}

bool vpnc_rel_recv_peek(struct vpnc_reliable *r, uint8_t *opcode, const uint8_t **payload,
    size_t *len)
{
	struct vpnc_rel_recv_entry *e = rx_find(r, r->rx_next_id);

	if (e == NULL)
		return false;
	if (opcode != NULL)
		*opcode = e->opcode;
	if (payload != NULL)
		*payload = e->payload;
	if (len != NULL)
		*len = e->len;
	return true;
}

void vpnc_rel_recv_release(struct vpnc_reliable *r)
{
	struct vpnc_rel_recv_entry *e = rx_find(r, r->rx_next_id);

	if (e == NULL)
		return;
	/* Delivered: the copy goes (wiped, as it may be secret). */
	OPENSSL_cleanse(e->payload, e->len);
	e->len = 0;
	e->active = false;
	r->rx_next_id++;
	r->rx_delivered++;
}
