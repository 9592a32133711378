/*
 * fragment.c: OpenVPN 2.6's internal fragmentation (see fragment.h for the
 * format): the fragment limit and size choice of the sender, and reassembly.
 *
 * Reassembly keeps 2.6's rules, which decide what a 2.6 peer's packets turn
 * into: a window of VPNC_FRAG_BUFS sequence ids behind the highest one seen (a
 * sequence id farther away empties the window); a fragment whose size differs
 * from the one its packet started with restarts that packet; fragment n is
 * copied to n * size; LAST marks its own id and all above as present, so the
 * packet is whole when all 32 bits are set; duplicates are copied again and
 * change nothing else. What a lying peer can do is bounded by the buffer: a
 * fragment that would end past it is refused, and a completed packet is never
 * longer than the buffer.
 */
#include "core/fragment.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "vpnc/buf.h"

#define FRAG_MAP_FULL 0xffffffffu
#define IP4_UDP 28
#define IP6_UDP 48

size_t vpnc_frag_max_payload(int fragment, bool mtu, bool link_ipv6, bool data_v2, size_t block,
                             size_t hmac_len, bool static_key)
{
	long target = fragment;

	if (!static_key)
		target -= data_v2 ? 4 : 1;      /* opcode and peer-id (static-key packets have none) */
	if (block == 0)
		target -= 4 + 16;                   /* AEAD: packet id and tag */
	else
		target -= (long)(block + hmac_len); /* CBC: IV and HMAC */
	if (mtu)
		target -= link_ipv6 ? IP6_UDP : IP4_UDP;
	if (block != 0 && target > 0)
		target = target / (long)block * (long)block - 1; /* whole blocks, one padding byte */
	target -= VPNC_FRAG_HDR;
	if (block != 0)
		target -= static_key ? 8 : 4;       /* CBC: the packet id (long form with a static key) is
		                                     * inside each fragment */
	/* 2.6 would wrap a negative limit around; the smallest fragment is the safe reading. */
	return target < VPNC_FRAG_ROUND ? VPNC_FRAG_ROUND : (size_t)target;
}

size_t vpnc_frag_size_for(size_t len, size_t max)
{
	size_t aligned = max & ~(size_t)(VPNC_FRAG_ROUND - 1);
	if (aligned == 0)
		return 0;
	size_t div = len / aligned, mod = len % aligned;

	if (div > 0 && mod > 0 && mod < aligned * 3 / 4) {
		size_t s = (max - (max - mod) / (div + 1) + VPNC_FRAG_ROUND - 1) & ~(size_t)(VPNC_FRAG_ROUND - 1);
		return s < aligned ? s : aligned;
	}
	return aligned;
}

int vpnc_frag_rx_init(struct vpnc_frag_rx *rx, size_t cap)
{
	memset(rx, 0, sizeof(*rx));
	rx->mem = malloc(cap * VPNC_FRAG_BUFS);
	if (rx->mem == NULL)
		return -ENOMEM;
	rx->cap = cap;
	return 0;
}

void vpnc_frag_rx_free(struct vpnc_frag_rx *rx)
{
	if (rx->mem != NULL) {
		/* Tunnel plaintext: wiped like every other buffer that held it. */
		OPENSSL_cleanse(rx->mem, rx->cap * VPNC_FRAG_BUFS);
		free(rx->mem);
	}
	memset(rx, 0, sizeof(*rx));
}

/* The shorter way from b to a around the circle of sequence ids (2.6's modulo_subtract). */
static int seq_diff(int a, int b)
{
	int d1 = a - b;
	int d2 = (a > b ? -VPNC_FRAG_SEQS : VPNC_FRAG_SEQS) + d1;
	return abs(d1) > abs(d2) ? d2 : d1;
}

static int ring_add(int x, int y, int mod)
{
	int s = x + y;
	if (s >= mod)
		s -= mod;
	if (s < 0)
		s += mod;
	return s;
}

/* The slot for seq, moving the window forward (and emptying what leaves it) as 2.6 does. */
static struct vpnc_frag_slot *slot_for(struct vpnc_frag_rx *rx, int seq, size_t *idx)
{
	int diff = seq_diff(seq, rx->seq);

	if (abs(diff) >= VPNC_FRAG_BUFS) {
		for (int i = 0; i < VPNC_FRAG_BUFS; i++)
			rx->slots[i].defined = false;
		rx->index = 0;
		rx->seq = seq;
		diff = 0;
	}
	for (; diff > 0; diff--) {
		rx->index = ring_add(rx->index, 1, VPNC_FRAG_BUFS);
		rx->slots[rx->index].defined = false;
		rx->seq = ring_add(rx->seq, 1, VPNC_FRAG_SEQS);
	}
	*idx = (size_t)ring_add(rx->index, diff, VPNC_FRAG_BUFS);
	return &rx->slots[*idx];
}

int vpnc_frag_in(struct vpnc_frag_rx *rx, uint64_t now, const uint8_t *p, size_t len, uint8_t **out,
                 size_t *out_len, enum vpnc_frag_err *err)
{
	*err = VPNC_FRAG_OK;
	if (len == 0) {
		*out = (uint8_t *)(uintptr_t)p;
		*out_len = 0;
		return 1;
	}
	if (len < VPNC_FRAG_HDR) {
		*err = VPNC_FRAG_E_SHORT;
		return -1;
	}
	uint32_t h = vpnc_get_u32(p);
	unsigned type = h & 3u;
	const uint8_t *data = p + VPNC_FRAG_HDR;
	size_t dlen = len - VPNC_FRAG_HDR;

	if (type == VPNC_FRAG_WHOLE) {
		/* 2.6 checks the sequence and fragment id masks at their unshifted place: bits 0..7. */
		if (h & 0xffu) {
			*err = VPNC_FRAG_E_WHOLE_FLAGS;
			return -1;
		}
		*out = (uint8_t *)(uintptr_t)data;
		*out_len = dlen;
		return 1;
	}
	if (type == VPNC_FRAG_TEST) {
		*err = VPNC_FRAG_E_TEST;
		return -1;
	}
	int seq = (int)((h >> 2) & 0xffu);
	unsigned n = (h >> 10) & 0x1fu;
	size_t size = type == VPNC_FRAG_LAST ? (size_t)((h >> 15) & 0x3fffu) << 2 : dlen;
	size_t idx;
	struct vpnc_frag_slot *s = slot_for(rx, seq, &idx);

	if (size & (VPNC_FRAG_ROUND - 1)) {
		*err = VPNC_FRAG_E_SIZE;
		return -1;
	}
	if (!s->defined || s->size != size) {
		s->defined = true;
		s->size = size;
		s->map = 0;
		s->len = 0;
		s->last_end = 0;
	}
	size_t at = (size_t)n * size;
	if (at > rx->cap || dlen > rx->cap - at) {
		*err = VPNC_FRAG_E_OVERFLOW;
		return -1;
	}
	uint8_t *buf = rx->mem + idx * rx->cap;
	if (dlen > 0)
		memcpy(buf + at, data, dlen);
	if (at + dlen > s->len)
		s->len = at + dlen;
	if (type == VPNC_FRAG_LAST)
		s->last_end = at + dlen;
	s->map |= (type == VPNC_FRAG_LAST ? FRAG_MAP_FULL : 1u) << n;
	s->stamp = now;
	if (s->map != FRAG_MAP_FULL)
		return 0;
	s->defined = false;
	/*
	 * The packet ends where LAST ends. A fragment with a higher id (the peer
	 * lying) would make it longer, and the bytes between LAST's end and that
	 * fragment were never written in this packet: refuse rather than pass on
	 * what the buffer held before.
	 */
	if (s->len != s->last_end) {
		*err = VPNC_FRAG_E_GAP;
		return -1;
	}
	*out = buf;
	*out_len = s->len;
	return 1;
}

unsigned vpnc_frag_reap(struct vpnc_frag_rx *rx, uint64_t now)
{
	unsigned n = 0;

	for (int i = 0; i < VPNC_FRAG_BUFS; i++) {
		struct vpnc_frag_slot *s = &rx->slots[i];
		if (s->defined && s->stamp + VPNC_FRAG_TTL_MS <= now) {
			s->defined = false;
			n++;
		}
	}
	rx->expired += n;
	return n;
}

bool vpnc_frag_pending(const struct vpnc_frag_rx *rx)
{
	for (int i = 0; i < VPNC_FRAG_BUFS; i++)
		if (rx->slots[i].defined)
			return true;
	return false;
}
