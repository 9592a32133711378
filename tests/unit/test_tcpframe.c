/*
 * test_tcpframe.c: the TCP stream decoder against every way of cutting a
 * stream of packets into reads, and against bad lengths.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/tcpframe.h"

#include "../check.h"

struct got {
	unsigned n;
	size_t lens[16];
	uint8_t first[16];
	int bad;
};

static void on_pkt(void *ctx, const uint8_t *p, size_t len)
{
	struct got *g = ctx;
	if (g->n < 16) {
		g->lens[g->n] = len;
		g->first[g->n] = p[0];
		for (size_t i = 0; i < len; i++)
			if (p[i] != (uint8_t)(p[0] + i))
				g->bad = 1;
	}
	g->n++;
}

int main(void)
{
	static const size_t sizes[] = {1, 3, 100, 1400, 2048, 2};
	static uint8_t stream[8192];
	static struct vpnc_tcpframe f;
	size_t slen = 0;

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		vpnc_tcpframe_put_len(stream + slen, sizes[k]);
		slen += 2;
		for (size_t i = 0; i < sizes[k]; i++)
			stream[slen + i] = (uint8_t)(k * 16 + i);
		slen += sizes[k];
	}
	/* Every chunk size from 1 byte to the whole stream. */
	for (size_t chunk = 1; chunk <= slen; chunk += (chunk < 64 ? 1 : 97)) {
		struct got g = {0};
		vpnc_tcpframe_init(&f);
		for (size_t off = 0; off < slen; off += chunk) {
			size_t l = slen - off < chunk ? slen - off : chunk;
			if (vpnc_tcpframe_feed(&f, stream + off, l, on_pkt, &g) < 0)
				g.bad = 1;
		}
		int ok = g.n == 6 && !g.bad;
		for (size_t k = 0; ok && k < 6; k++)
			ok = g.lens[k] == sizes[k] && g.first[k] == (uint8_t)(k * 16);
		CHECK(ok, "chunk %zu: %u packets, bad %d", chunk, g.n, g.bad);
	}
	/* A zero length and an oversized length break the stream. */
	{
		struct got g = {0};
		uint8_t z[4] = {0, 0, 1, 2};
		vpnc_tcpframe_init(&f);
		CHECK(vpnc_tcpframe_feed(&f, z, sizeof(z), on_pkt, &g) == -EBADMSG && g.n == 0, "zero length refused");
		uint8_t big[2] = {0xff, 0xff};
		vpnc_tcpframe_init(&f);
		CHECK(vpnc_tcpframe_feed(&f, big, 1, on_pkt, &g) == 0, "half a length waits");
		CHECK(vpnc_tcpframe_feed(&f, big + 1, 1, on_pkt, &g) == -EBADMSG, "65535 refused");
	}
	uint8_t h[2];
	CHECK(vpnc_tcpframe_put_len(h, 0) == -EMSGSIZE && vpnc_tcpframe_put_len(h, 70000) == -EMSGSIZE, "bad put_len");
	CHECK(vpnc_tcpframe_put_len(h, 0x1234) == 0 && h[0] == 0x12 && h[1] == 0x34, "put_len big-endian");
	printf("test_tcpframe: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
