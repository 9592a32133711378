/*
 * wire.h: an in-memory link between a client and a server engine for tests and
 * benchmarks. It can drop, duplicate and reorder packets with a seeded PRNG,
 * and drives both engines on a simulated millisecond clock.
 */
#ifndef VPNC_TEST_WIRE_H
#define VPNC_TEST_WIRE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vpnc/engine.h"

#define WIRE_QLEN 4096

struct wire_pkt {
	size_t len;
	uint8_t data[VPNC_LINK_MAX];
};

/* One direction of the link. */
struct wire_q {
	struct wire_pkt *pkts;
	size_t head, count;
};

struct wire_chaos {
	unsigned drop_pct, dup_pct, reorder_pct;
};

static uint64_t wire_rng_state = 0x9e3779b97f4a7c15ull;

static inline uint64_t wire_rand64(void)
{
	uint64_t x = wire_rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return wire_rng_state = x;
}

/* The engines' injected RNG: deterministic, for tests only. */
static inline void wire_rand(void *ctx, void *out, size_t len)
{
	(void)ctx;
	uint8_t *p = out;
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(wire_rand64() >> 24);
}

static inline uint64_t wire_wallclock(void *ctx)
{
	(void)ctx;
	return 1790000000u;
}

static inline void wire_q_init(struct wire_q *q)
{
	q->pkts = calloc(WIRE_QLEN, sizeof(*q->pkts));
	q->head = q->count = 0;
}

static inline void wire_q_free(struct wire_q *q) { free(q->pkts); }

static inline void wire_q_push(struct wire_q *q, const uint8_t *p, size_t len)
{
	if (q->count == WIRE_QLEN || len > VPNC_LINK_MAX)
		return; /* a full queue drops, like a socket buffer */
	struct wire_pkt *w = &q->pkts[(q->head + q->count) % WIRE_QLEN];
	memcpy(w->data, p, len);
	w->len = len;
	q->count++;
}

/* Pushes with chaos: maybe dropped, duplicated, or swapped with the previous packet. */
static inline void wire_q_send(struct wire_q *q, const struct wire_chaos *c, const uint8_t *p, size_t len)
{
	if (c != NULL && c->drop_pct && wire_rand64() % 100 < c->drop_pct)
		return;
	wire_q_push(q, p, len);
	if (c != NULL && c->dup_pct && wire_rand64() % 100 < c->dup_pct)
		wire_q_push(q, p, len);
	if (c != NULL && c->reorder_pct && q->count >= 2 && wire_rand64() % 100 < c->reorder_pct) {
		struct wire_pkt *a = &q->pkts[(q->head + q->count - 1) % WIRE_QLEN];
		struct wire_pkt *b = &q->pkts[(q->head + q->count - 2) % WIRE_QLEN];
		struct wire_pkt t = *a;
		*a = *b;
		*b = t;
	}
}

static inline struct wire_pkt *wire_q_pop(struct wire_q *q)
{
	if (q->count == 0)
		return NULL;
	struct wire_pkt *w = &q->pkts[q->head];
	q->head = (q->head + 1) % WIRE_QLEN;
	q->count--;
	return w;
}

/* Moves everything e wants to send into q. Returns the number of packets. */
static inline int wire_drain(struct vpnc_engine *e, uint64_t now, struct wire_q *q, const struct wire_chaos *c)
{
	static uint8_t mem[VPNC_PKT_BUF];
	struct vpnc_buf b;
	int n = 0;
	for (;;) {
		vpnc_buf_init(&b, mem, sizeof(mem), 0);
		if (vpnc_engine_link_out(e, now, &b) != 1)
			break;
		wire_q_send(q, c, vpnc_buf_data(&b), b.len);
		n++;
	}
	return n;
}

/* Delivers every queued packet to e; TUN output is counted in *tun (may be NULL). */
static inline int wire_deliver(struct vpnc_engine *e, uint64_t now, struct wire_q *q, unsigned *tun)
{
	static uint8_t mem[VPNC_PKT_BUF];
	struct vpnc_buf b;
	struct wire_pkt *w;
	int n = 0;
	while ((w = wire_q_pop(q)) != NULL) {
		vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
		if (vpnc_engine_link_in(e, now, w->data, w->len, &b) == 1 && tun != NULL)
			(*tun)++;
		n++;
	}
	return n;
}

#endif
