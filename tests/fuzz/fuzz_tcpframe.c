/*
 * fuzz_tcpframe.c: libFuzzer target for the TCP length-framing decoder.
 *
 * Input: one byte that sets the read size (1..256), then the stream. The
 * stream is fed in reads of that size and checked against a plain reference
 * parser written here. Invariants (trap on failure): the decoder hands out
 * exactly the packets the reference finds, byte for byte, and stops with
 * -EBADMSG exactly where the reference finds a zero or oversized length.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/tcpframe.h"

#define FUZZ_MAX 65536

struct expect {
	const uint8_t *stream;
	size_t size;
	size_t pos;        /* reference parser position in stream */
	unsigned packets;
};

static struct vpnc_tcpframe dec;

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

/* The reference: the next packet at e->pos, or 0 if incomplete, -1 if the length is bad. */
static int ref_next(const struct expect *e, const uint8_t **pkt, size_t *len)
{
	if (e->size - e->pos < VPNC_TCPFRAME_LEN)
		return 0;
	size_t l = (size_t)e->stream[e->pos] << 8 | e->stream[e->pos + 1];
	if (l == 0 || l > sizeof(dec.pkt))
		return -1;
	if (e->size - e->pos - VPNC_TCPFRAME_LEN < l)
		return 0;
	*pkt = e->stream + e->pos + VPNC_TCPFRAME_LEN;
	*len = l;
	return 1;
}

static void on_pkt(void *ctx, const uint8_t *pkt, size_t len)
{
	struct expect *e = ctx;
	const uint8_t *want;
	size_t wlen;
	check(ref_next(e, &want, &wlen) == 1);
	check(len == wlen && memcmp(pkt, want, len) == 0);
	e->pos += VPNC_TCPFRAME_LEN + wlen;
	e->packets++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > FUZZ_MAX)
		return 0;
	size_t step = (size_t)data[0] + 1;
	struct expect e = {.stream = data + 1, .size = size - 1};
	const uint8_t *p;
	size_t l;
	int failed = 0;

	vpnc_tcpframe_init(&dec);
	for (size_t off = 0; off < e.size && !failed; off += step) {
		size_t len = e.size - off < step ? e.size - off : step;
		int r = vpnc_tcpframe_feed(&dec, e.stream + off, len, on_pkt, &e);
		if (r < 0) {
			check(r == -EBADMSG);
			failed = 1;
		}
	}
	/* Stopped on an error exactly when the reference sees a bad length next. */
	check(failed == (ref_next(&e, &p, &l) < 0));
	check(vpnc_tcpframe_put_len((uint8_t[VPNC_TCPFRAME_LEN]){0}, 0x10000) < 0);
	return 0;
}
