/*
 * test_reliable.c: the reliability layer's windows, retransmit schedule,
 * ACK handling (plain, early retransmit, MRU re-sends), in-order delivery,
 * and a seeded simulation of two instances over a lossy, duplicating and
 * reordering wire that must deliver 1000 messages in order each way.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vpnc/buf.h"
#include "core/reliable.h"

#include "../check.h"

/* True if nothing sent waits for an ACK. */
static bool all_acked(const struct vpnc_reliable *r)
{
	for (size_t i = 0; i < VPNC_REL_SEND_WINDOW; i++)
		if (r->tx[i].active)
			return false;
	return true;
}

/* Big: the struct holds every buffer. */
static struct vpnc_reliable ra, rb;

static void test_send_window(void)
{
	struct vpnc_reliable *r = &ra;
	struct vpnc_rel_out o;
	uint8_t p[4] = {1, 2, 3, 4};

	vpnc_rel_init(r, 2000);
	CHECK(all_acked(r));
	CHECK(vpnc_rel_next_timer(r) == UINT64_MAX);
	CHECK(!vpnc_rel_next_out(r, 0, &o));
	for (int i = 0; i < VPNC_REL_SEND_WINDOW; i++) {
		CHECK(vpnc_rel_can_queue(r));
		CHECK(vpnc_rel_next_msg_id(r) == (uint32_t)i);
		CHECK(vpnc_rel_queue(r, VPNC_OP_CONTROL_V1, p, sizeof(p), 0) == i);
	}
	CHECK(!vpnc_rel_can_queue(r));
	CHECK(vpnc_rel_queue(r, VPNC_OP_CONTROL_V1, p, sizeof(p), 0) == -ENOSPC);
	CHECK(!all_acked(r));

	/* ACKing a later id frees a slot but not the window: the lowest (0) still blocks. */
	uint32_t a5 = 5;
	vpnc_rel_acks_in(r, &a5, 1);
	CHECK(!vpnc_rel_can_queue(r));
	uint32_t a0 = 0;
	vpnc_rel_acks_in(r, &a0, 1);
	CHECK(vpnc_rel_can_queue(r));
	CHECK(vpnc_rel_queue(r, VPNC_OP_CONTROL_V1, NULL, 0, 0) == 6);
	CHECK(!vpnc_rel_can_queue(r)); /* 7 - 1 == 6 */

	/* Bad arguments. */
	uint8_t big[VPNC_REL_PAYLOAD_MAX + 1] = {0};
	vpnc_rel_init(r, 2000);
	CHECK(vpnc_rel_queue(r, VPNC_OP_CONTROL_V1, big, sizeof(big), 0) == -EINVAL);
	CHECK(vpnc_rel_queue(r, VPNC_OP_ACK_V1, p, 1, 0) == -EINVAL);
	CHECK(vpnc_rel_queue(r, VPNC_OP_DATA_V2, p, 1, 0) == -EINVAL);
	CHECK(vpnc_rel_queue(r, VPNC_OP_CONTROL_V1, NULL, 3, 0) == -EINVAL);
	CHECK(vpnc_rel_queue(r, VPNC_OP_CONTROL_V1, big, VPNC_REL_PAYLOAD_MAX, 0) == 0);
}

/* A lone hard reset goes out at t = 0, 2, 6, 14, 30 s. */
static void test_retransmit_schedule(void)
{
	struct vpnc_reliable *r = &ra;
	struct vpnc_rel_out o;
	static const uint64_t when[] = {0, 2000, 6000, 14000, 30000};
	int sends = 0, wrong = 0;

	vpnc_rel_init(r, 2000);
	CHECK(vpnc_rel_queue(r, VPNC_OP_HARD_RESET_CLIENT_V2, NULL, 0, 0) == 0);
	CHECK(vpnc_rel_next_timer(r) == 0);
	for (uint64_t t = 0; t <= 30000; t += 100) {
		while (vpnc_rel_next_out(r, t, &o)) {
			if (sends >= 5 || t != when[sends] || o.msg_id != 0 ||
			    o.opcode != VPNC_OP_HARD_RESET_CLIENT_V2 || o.len != 0 ||
			    o.retransmit != (sends > 0))
				wrong++;
			sends++;
		}
	}
	CHECK(sends == 5);
	CHECK(wrong == 0);
	CHECK(vpnc_rel_next_timer(r) == 62000);

	/* schedule_now: due at once, timeout back to the initial value. */
	vpnc_rel_schedule_now(r, 31000);
	CHECK(vpnc_rel_next_timer(r) == 31000);
	CHECK(vpnc_rel_next_out(r, 31000, &o) && o.retransmit);
	CHECK(vpnc_rel_next_timer(r) == 33000);
	CHECK(!vpnc_rel_next_out(r, 32999, &o));

	/* The ACK ends it. Unknown ACKs are ignored. */
	uint32_t junk[3] = {7, 0xffffffffu, 12345};
	vpnc_rel_acks_in(r, junk, 3);
	CHECK(!all_acked(r));
	uint32_t a0 = 0;
	vpnc_rel_acks_in(r, &a0, 1);
	CHECK(all_acked(r));
	CHECK(vpnc_rel_next_timer(r) == UINT64_MAX);
	CHECK(!vpnc_rel_next_out(r, 100000, &o));
	vpnc_rel_acks_in(r, &a0, 1); /* duplicate ACK: harmless */
	vpnc_rel_acks_in(r, NULL, 4);
	CHECK(all_acked(r));

	/* tls-timeout 0 falls back to 2 s. */
	vpnc_rel_init(r, 0);
	vpnc_rel_queue(r, VPNC_OP_CONTROL_V1, NULL, 0, 10);
	CHECK(vpnc_rel_next_out(r, 10, &o) && vpnc_rel_next_timer(r) == 2010);
}

/* New packets go in msg-id order; the lowest due id goes first. */
static void test_send_order_and_early_retransmit(void)
{
	struct vpnc_reliable *r = &ra;
	struct vpnc_rel_out o;
	uint8_t p[3];

	vpnc_rel_init(r, 2000);
	for (int i = 0; i < 5; i++) {
		p[0] = (uint8_t)i;
		vpnc_rel_queue(r, VPNC_OP_CONTROL_V1, p, 1, 0);
	}
	for (uint32_t i = 0; i < 5; i++) {
		CHECK(vpnc_rel_next_out(r, 0, &o));
		CHECK(o.msg_id == i && o.len == 1 && o.payload[0] == i && !o.retransmit);
	}
	CHECK(!vpnc_rel_next_out(r, 1999, &o));

	/* 0 is lost; ACKs of 1, 2 do not yet trigger an early resend, 3 does. */
	uint32_t a[3] = {1, 2, 3};
	vpnc_rel_acks_in(r, a, 2);
	CHECK(!vpnc_rel_next_out(r, 100, &o));
	CHECK(vpnc_rel_next_timer(r) == 2000);
	vpnc_rel_acks_in(r, a + 2, 1);
	CHECK(vpnc_rel_next_timer(r) == 0);
	CHECK(vpnc_rel_next_out(r, 100, &o) && o.msg_id == 0 && o.retransmit);
	/* Rescheduled with the doubled timeout; the counter restarts. */
	CHECK(vpnc_rel_next_timer(r) == 2000); /* entry 4 still due at 2000 */
	CHECK(!vpnc_rel_next_out(r, 101, &o));
	CHECK(vpnc_rel_next_out(r, 2000, &o) && o.msg_id == 4 && o.retransmit);
	CHECK(!vpnc_rel_next_out(r, 2000, &o));
	CHECK(vpnc_rel_next_out(r, 4100, &o) && o.msg_id == 0);

	/* ACKs for ids never sent do not count as "later" evidence. */
	vpnc_rel_init(r, 2000);
	vpnc_rel_queue(r, VPNC_OP_CONTROL_V1, p, 1, 0);
	CHECK(vpnc_rel_next_out(r, 0, &o));
	uint32_t future[4] = {5, 6, 7, 0x80000000u};
	vpnc_rel_acks_in(r, future, 4);
	CHECK(!vpnc_rel_next_out(r, 1, &o));
}

static void test_recv_in_order(void)
{
	struct vpnc_reliable *r = &rb;
	uint8_t op;
	const uint8_t *pl;
	size_t len;
	uint8_t p[1];
	uint32_t acks[VPNC_ACK_MAX];

	vpnc_rel_init(r, 2000);
	CHECK(!vpnc_rel_recv_peek(r, &op, &pl, &len));
	vpnc_rel_recv_release(r); /* nothing to release: no-op */
	CHECK(!vpnc_rel_acks_pending(r));

	/* 2, 1 then 0 arrive: nothing deliverable until 0 is here. */
	p[0] = 2;
	CHECK(vpnc_rel_recv(r, 2, VPNC_OP_CONTROL_V1, p, 1) == 1);
	p[0] = 1;
	CHECK(vpnc_rel_recv(r, 1, VPNC_OP_CONTROL_V1, p, 1) == 1);
	CHECK(!vpnc_rel_recv_peek(r, &op, &pl, &len));
	p[0] = 0;
	CHECK(vpnc_rel_recv(r, 0, VPNC_OP_HARD_RESET_SERVER_V2, p, 1) == 1);
	CHECK(vpnc_rel_acks_pending(r));
	for (uint8_t i = 0; i < 3; i++) {
		CHECK(vpnc_rel_recv_peek(r, &op, &pl, &len));
		CHECK(len == 1 && pl[0] == i);
		CHECK(op == (i == 0 ? VPNC_OP_HARD_RESET_SERVER_V2 : VPNC_OP_CONTROL_V1));
		vpnc_rel_recv_release(r);
	}
	CHECK(!vpnc_rel_recv_peek(r, &op, &pl, &len));

	/* ACKs are recorded in arrival order, once each. */
	CHECK(vpnc_rel_take_acks(r, acks, VPNC_ACK_MAX) == 3);
	CHECK(acks[0] == 2 && acks[1] == 1 && acks[2] == 0);
	CHECK(!vpnc_rel_acks_pending(r));

	/* Old duplicate: ACKed again, not stored. Already stored: same. */
	CHECK(vpnc_rel_recv(r, 0, VPNC_OP_HARD_RESET_SERVER_V2, NULL, 0) == 0);
	CHECK(vpnc_rel_acks_pending(r));
	CHECK(vpnc_rel_recv(r, 5, VPNC_OP_CONTROL_V1, p, 1) == 1);
	CHECK(vpnc_rel_recv(r, 5, VPNC_OP_CONTROL_V1, p, 1) == 0);
	CHECK(!vpnc_rel_recv_peek(r, &op, &pl, &len));

	/* Window: next expected is 3; 3..14 fit, 15 does not. */
	CHECK(vpnc_rel_recv(r, 14, VPNC_OP_CONTROL_V1, p, 1) == 1);
	CHECK(vpnc_rel_recv(r, 15, VPNC_OP_CONTROL_V1, p, 1) == -ERANGE);
	CHECK(vpnc_rel_recv(r, 0xffffffffu, VPNC_OP_CONTROL_V1, p, 1) == -ERANGE);
	CHECK(vpnc_rel_recv(r, 0x80000003u, VPNC_OP_CONTROL_V1, p, 1) == -ERANGE);
	/* Too big to store: dropped, not ACKed. */
	static uint8_t big[VPNC_REL_PAYLOAD_MAX + 1];
	CHECK(vpnc_rel_recv(r, 4, VPNC_OP_CONTROL_V1, big, sizeof(big)) == -EMSGSIZE);
	CHECK(vpnc_rel_recv(r, 4, VPNC_OP_CONTROL_V1, big, VPNC_REL_PAYLOAD_MAX) == 1);
	size_t n = vpnc_rel_take_acks(r, acks, VPNC_ACK_MAX);
	int saw15 = 0, saw4 = 0;
	for (size_t i = 0; i < n; i++) {
		saw15 += acks[i] == 15 || acks[i] == 0xffffffffu || acks[i] == 0x80000003u;
		saw4 += acks[i] == 4;
	}
	CHECK(saw15 == 0 && saw4 == 1);

	/* Fill the whole window 3..14: every slot is usable. */
	for (uint32_t id = 3; id < 15; id++)
		CHECK(vpnc_rel_recv(r, id, VPNC_OP_CONTROL_V1, p, 1) >= 0);
	int delivered = 0;
	while (vpnc_rel_recv_peek(r, &op, &pl, &len)) {
		vpnc_rel_recv_release(r);
		delivered++;
	}
	CHECK(delivered == 12);
	CHECK(vpnc_rel_recv(r, 26, VPNC_OP_CONTROL_V1, p, 1) == 1);
	CHECK(vpnc_rel_recv(r, 27, VPNC_OP_CONTROL_V1, p, 1) == -ERANGE);
}

/* The MRU list: msg-id 1 and each of its retransmissions carry the ACK of 0. */
static void test_ack_mru(void)
{
	struct vpnc_reliable *r = &ra;
	uint32_t acks[VPNC_ACK_MAX];
	size_t n;

	vpnc_rel_init(r, 2000);
	CHECK(vpnc_rel_take_acks(r, acks, VPNC_ACK_MAX) == 0);
	CHECK(vpnc_rel_recv(r, 0, VPNC_OP_HARD_RESET_SERVER_V2, NULL, 0) == 1);
	vpnc_rel_recv_release(r);
	CHECK(vpnc_rel_acks_pending(r));
	/* First transmission of msg-id 1. */
	n = vpnc_rel_take_acks(r, acks, VPNC_ACK_PIGGY_MAX);
	CHECK(n == 1 && acks[0] == 0);
	CHECK(!vpnc_rel_acks_pending(r));
	/* Its retransmissions still carry the ACK of 0. */
	for (int i = 0; i < 3; i++) {
		n = vpnc_rel_take_acks(r, acks, VPNC_ACK_PIGGY_MAX);
		CHECK(n == 1 && acks[0] == 0);
	}
	CHECK(!vpnc_rel_acks_pending(r));

	/* Pending ids first (in order), then the most recent earlier ones, no duplicates. */
	for (uint32_t id = 1; id <= 6; id++) {
		CHECK(vpnc_rel_recv(r, id, VPNC_OP_CONTROL_V1, NULL, 0) == 1);
		vpnc_rel_recv_release(r);
	}
	n = vpnc_rel_take_acks(r, acks, 2);
	CHECK(n == 2 && acks[0] == 1 && acks[1] == 2);
	CHECK(vpnc_rel_acks_pending(r));
	n = vpnc_rel_take_acks(r, acks, VPNC_ACK_PIGGY_MAX);
	CHECK(n == 4 && acks[0] == 3 && acks[1] == 4 && acks[2] == 5 && acks[3] == 6);
	n = vpnc_rel_take_acks(r, acks, VPNC_ACK_MAX);
	CHECK(n == 7 && acks[0] == 3 && acks[3] == 6 && acks[4] == 1 && acks[5] == 2 &&
	    acks[6] == 0);
	/* A duplicate of 2 moves it to the front, not twice into the list. */
	CHECK(vpnc_rel_recv(r, 2, VPNC_OP_CONTROL_V1, NULL, 0) == 0);
	n = vpnc_rel_take_acks(r, acks, VPNC_ACK_MAX);
	CHECK(n == 7 && acks[0] == 2 && acks[1] == 3);
	int dups = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			dups += acks[i] == acks[j];
	CHECK(dups == 0);
	/* The list holds 8; max above 8 is clamped. */
	for (uint32_t id = 7; id <= 10; id++) {
		vpnc_rel_recv(r, id, VPNC_OP_CONTROL_V1, NULL, 0);
		vpnc_rel_recv_release(r);
	}
	uint32_t many[16];
	n = vpnc_rel_take_acks(r, many, 16);
	CHECK(n == VPNC_ACK_MAX && many[0] == 7 && many[3] == 10);
	CHECK(vpnc_rel_take_acks(r, NULL, 4) == 0);
}

/* Serial-number arithmetic around the 32-bit wrap. */
static void test_wrap(void)
{
	struct vpnc_reliable *r = &ra;
	struct vpnc_rel_out o;
	uint8_t op;
	const uint8_t *pl;
	size_t len;

	vpnc_rel_init(r, 2000);
	r->tx_next_id = 0xfffffffdu;
	for (int i = 0; i < 6; i++)
		CHECK(vpnc_rel_queue(r, VPNC_OP_CONTROL_V1, NULL, 0, 0) >= 0);
	CHECK(!vpnc_rel_can_queue(r));
	CHECK(vpnc_rel_next_out(r, 0, &o) && o.msg_id == 0xfffffffdu);
	CHECK(vpnc_rel_next_out(r, 0, &o) && o.msg_id == 0xfffffffeu);
	CHECK(vpnc_rel_next_out(r, 0, &o) && o.msg_id == 0xffffffffu);
	CHECK(vpnc_rel_next_out(r, 0, &o) && o.msg_id == 0);
	uint32_t a[3] = {0xfffffffdu, 0, 1};
	vpnc_rel_acks_in(r, a, 1);
	CHECK(vpnc_rel_can_queue(r));
	vpnc_rel_acks_in(r, a + 1, 2);

	vpnc_rel_init(r, 2000);
	r->rx_next_id = 0xfffffffeu;
	r->rx_delivered = 100;
	CHECK(vpnc_rel_recv(r, 1, VPNC_OP_CONTROL_V1, NULL, 0) == 1);
	CHECK(vpnc_rel_recv(r, 0xffffffffu, VPNC_OP_CONTROL_V1, NULL, 0) == 1);
	CHECK(vpnc_rel_recv(r, 0xfffffffeu, VPNC_OP_CONTROL_V1, NULL, 0) == 1);
	CHECK(vpnc_rel_recv(r, 0, VPNC_OP_CONTROL_V1, NULL, 0) == 1);
	CHECK(vpnc_rel_recv(r, 9, VPNC_OP_CONTROL_V1, NULL, 0) == 1);
	CHECK(vpnc_rel_recv(r, 10, VPNC_OP_CONTROL_V1, NULL, 0) == -ERANGE);
	CHECK(vpnc_rel_recv(r, 0xfffffff0u, VPNC_OP_CONTROL_V1, NULL, 0) == 0);
	int n = 0;
	while (vpnc_rel_recv_peek(r, &op, &pl, &len)) {
		vpnc_rel_recv_release(r);
		n++;
	}
	CHECK(n == 4 && r->rx_next_id == 2);
}

/* --- randomized simulation --- */

static uint64_t rng_state;

static uint32_t rng(void)
{
	/* xorshift64*, seeded: the run is the same every time. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * UINT64_C(2685821657736338717)) >> 32);
}

#define WIRE_MAX 256
#define MSGS 1000

struct wire_pkt {
	bool used;
	uint64_t at;               /* delivery time */
	struct vpnc_ctrl_hdr h;
	uint8_t bytes[64];
	size_t len;
};

struct peer {
	struct vpnc_reliable *rel;
	uint8_t sid[VPNC_SID_LEN];
	uint32_t sent_msgs;        /* application messages queued */
	uint32_t got_msgs;         /* delivered in order */
	int order_errors;
};

static struct wire_pkt wire[2][WIRE_MAX]; /* [0]: a->b, [1]: b->a */
static int wire_drops;

/* Encodes, "sends" (maybe loses, maybe duplicates, random delay to reorder). */
static void wire_send(int dir, const struct vpnc_ctrl_hdr *h, uint64_t now)
{
	int copies = 1;
	uint32_t roll = rng() % 100;

	if (roll < 20)
		copies = 0;        /* 20 % loss */
	else if (roll < 30)
		copies = 2;        /* 10 % duplication */
	for (int c = 0; c < copies; c++) {
		struct wire_pkt *w = NULL;
		for (int i = 0; i < WIRE_MAX && w == NULL; i++)
			if (!wire[dir][i].used)
				w = &wire[dir][i];
		if (w == NULL) {
			wire_drops++;
			return;
		}
		int len = vpnc_ctrl_encode(h, w->bytes, sizeof(w->bytes));
		if (len < 0) {
			wire_drops++;
			return;
		}
		w->used = true;
		w->len = (size_t)len;
		w->at = now + 10 + rng() % 300;    /* 10..310 ms: reorders */
	}
}

static void peer_send(struct peer *p, int dir, uint64_t now)
{
	struct vpnc_rel_out o;
	struct vpnc_ctrl_hdr h;
	uint8_t msg[4];

	/* Keep the application busy: queue while the window allows. */
	while (p->sent_msgs < MSGS && vpnc_rel_can_queue(p->rel)) {
		vpnc_put_u32(msg, p->sent_msgs);
		if (vpnc_rel_queue(p->rel, VPNC_OP_CONTROL_V1, msg, 4, now) < 0)
			break;
		p->sent_msgs++;
	}
	while (vpnc_rel_next_out(p->rel, now, &o)) {
		memset(&h, 0, sizeof(h));
		h.opcode = o.opcode;
		memcpy(h.sid, p->sid, VPNC_SID_LEN);
		h.n_acks = (uint8_t)vpnc_rel_take_acks(p->rel, h.acks, VPNC_ACK_PIGGY_MAX);
		memset(h.remote_sid, 0x55, VPNC_SID_LEN);
		h.has_msg_id = true;
		h.msg_id = o.msg_id;
		h.payload = o.payload;
		h.payload_len = o.len;
		wire_send(dir, &h, now);
	}
	if (vpnc_rel_acks_pending(p->rel)) {
		memset(&h, 0, sizeof(h));
		h.opcode = VPNC_OP_ACK_V1;
		memcpy(h.sid, p->sid, VPNC_SID_LEN);
		h.n_acks = (uint8_t)vpnc_rel_take_acks(p->rel, h.acks, VPNC_ACK_MAX);
		memset(h.remote_sid, 0x55, VPNC_SID_LEN);
		wire_send(dir, &h, now);
	}
}

static void peer_recv(struct peer *p, const uint8_t *bytes, size_t len)
{
	struct vpnc_ctrl_hdr h;
	uint8_t op;
	const uint8_t *pl;
	size_t plen;

	if (vpnc_ctrl_parse(bytes, len, &h) != 0) {
		p->order_errors++;
		return;
	}
	vpnc_rel_acks_in(p->rel, h.acks, h.n_acks);
	if (h.has_msg_id)
		(void)vpnc_rel_recv(p->rel, h.msg_id, h.opcode, h.payload, h.payload_len);
	while (vpnc_rel_recv_peek(p->rel, &op, &pl, &plen)) {
		if (plen != 4 || vpnc_get_u32(pl) != p->got_msgs)
			p->order_errors++;
		p->got_msgs++;
		vpnc_rel_recv_release(p->rel);
	}
}

static void test_simulation(uint64_t seed)
{
	struct peer a = {.rel = &ra, .sid = {1, 1, 1, 1, 1, 1, 1, 1}};
	struct peer b = {.rel = &rb, .sid = {2, 2, 2, 2, 2, 2, 2, 2}};
	uint64_t now = 0;
	const uint64_t limit = 4ull * 3600 * 1000;

	rng_state = seed;
	memset(wire, 0, sizeof(wire));
	wire_drops = 0;
	vpnc_rel_init(&ra, 200);
	vpnc_rel_init(&rb, 200);

	while (now < limit && (a.got_msgs < MSGS || b.got_msgs < MSGS ||
	    !all_acked(&ra) || !all_acked(&rb))) {
		peer_send(&a, 0, now);
		peer_send(&b, 1, now);
		for (int dir = 0; dir < 2; dir++) {
			for (int i = 0; i < WIRE_MAX; i++) {
				struct wire_pkt *w = &wire[dir][i];
				if (w->used && w->at <= now) {
					w->used = false;
					peer_recv(dir == 0 ? &b : &a, w->bytes, w->len);
				}
			}
		}
		now += 5;
	}
	CHECK(a.got_msgs == MSGS && b.got_msgs == MSGS);
	CHECK(a.order_errors == 0 && b.order_errors == 0);
	CHECK(all_acked(&ra) && all_acked(&rb));
	CHECK(now < limit);
	printf("simulation seed %llu: done at t=%llu ms, wire overflow %d\n",
	    (unsigned long long)seed, (unsigned long long)now, wire_drops);
}

int main(void)
{
	test_send_window();
	test_retransmit_schedule();
	test_send_order_and_early_retransmit();
	test_recv_in_order();
	test_ack_mru();
	test_wrap();
	test_simulation(0x9e3779b97f4a7c15ull);
	test_simulation(42);
	test_simulation(0xdeadbeefcafef00dull);
	vpnc_rel_wipe(&ra);
	vpnc_rel_wipe(&rb);
	printf("test_reliable: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
