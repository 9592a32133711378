/*
 * fuzz_gro.c: libFuzzer target for the GRO coalescer of decrypted packets
 * (src/core/vnet_gro.c).
 *
 * Input: one byte for the number of flows (1..64), then records of
 * [ctl][len hi][len lo][len bytes of IP packet]. ctl bit 0: flush after this
 * packet; bit 1: offer it without headroom (must be refused with -EINVAL,
 * untouched); bit 2: fix the IPv4 total length and header checksum, or the
 * IPv6 payload length, first, so that mutated packets still reach the merge
 * rules. Invariants (trap on failure), over the whole run:
 *  - every output frame is one the GSO side accepts: a zero header, or
 *    TCPV4/TCPV6 with NEEDS_CSUM, and vpnc_gso_begin() takes it;
 *  - nothing is lost, doubled or changed: the output frames split back into
 *    exactly as many packets as were offered, with the same bytes in all,
 *    and the same TCP payloads (a sum of per-packet hashes is compared);
 *  - the coalescer's own counters agree.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/csum.h"
#include "core/vnet.h"

#define HEADROOM 64

struct tally {
	uint64_t pkts;
	uint64_t bytes;
	uint64_t hash;  /* sum of payload_hash() of each packet */
};

static struct tally in, out;
static uint8_t pktmem[HEADROOM + VPNC_VNET_MAX_PKT];
static uint8_t resplit[VPNC_VNET_FRAME_MAX];
static uint8_t segmem[VPNC_VNET_FRAME_MAX];

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The bytes after a plain TCP header (IPv4 without options or IPv6 without extensions), else all. */
static size_t payload_off(const uint8_t *ip, size_t len)
{
	size_t l4;

	if (len >= 40 && ip[0] == 0x45 && ip[9] == 6)
		l4 = 20;
	else if (len >= 60 && ip[0] >> 4 == 6 && ip[6] == 6)
		l4 = 40;
	else
		return 0;
	size_t doff = (size_t)(ip[l4 + 12] >> 4) * 4;
	return doff >= 20 && doff <= len - l4 ? l4 + doff : 0;
}

/* FNV-1a over the payload: merging rewrites headers, never payloads. */
static uint64_t payload_hash(const uint8_t *ip, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = payload_off(ip, len); i < len; i++)
		h = (h ^ ip[i]) * 0x100000001b3ULL;
	return h ^ len;
}

static void count(struct tally *t, const uint8_t *ip, size_t len)
{
	t->pkts++;
	t->bytes += len;
	t->hash += payload_hash(ip, len);
}

static void on_write(void *ctx, const uint8_t *frame, size_t len)
{
	struct vpnc_vnet_hdr h;
	struct vpnc_gso g;

	(void)ctx;
	check(len > VPNC_VNET_HDR_LEN && len <= VPNC_VNET_FRAME_MAX);
	vpnc_vnet_hdr_get(frame, &h);
	if (h.gso_type == VPNC_VNET_GSO_NONE) {
		check(h.flags == 0 && h.hdr_len == 0 && h.gso_size == 0 && h.csum_start == 0 && h.csum_offset == 0);
		count(&out, frame + VPNC_VNET_HDR_LEN, len - VPNC_VNET_HDR_LEN);
		return;
	}
	check(h.gso_type == VPNC_VNET_GSO_TCPV4 || h.gso_type == VPNC_VNET_GSO_TCPV6);
	check(h.flags == VPNC_VNET_F_NEEDS_CSUM && h.gso_size > 0);
	/* Split it back as the kernel would: the packets must be the ones that went in. */
	memcpy(resplit, frame, len);
	int n = vpnc_gso_begin(&g, resplit, len);
	check(n >= 2 && g.hdr_len == h.hdr_len);
	for (int i = 0; i < n; i++) {
		struct vpnc_buf b;
		vpnc_buf_init(&b, segmem, sizeof(segmem), 0);
		check(vpnc_gso_next_copy(&g, &b) == 1);
		count(&out, vpnc_buf_data(&b), b.len);
	}
}

/* Makes the IP length fields (and the IPv4 header checksum) match len. */
static void fix_ip(uint8_t *ip, size_t len)
{
	if (len >= 20 && ip[0] >> 4 == 4) {
		size_t ihl = (size_t)(ip[0] & 15) * 4;
		put16(ip + 2, (uint16_t)len);
		if (ihl >= 20 && ihl <= len) {
			put16(ip + 10, 0);
			put16(ip + 10, vpnc_csum_finish(vpnc_csum_partial(ip, ihl, 0)));
		}
	} else if (len >= 40 && ip[0] >> 4 == 6) {
		put16(ip + 4, (uint16_t)(len - 40));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vpnc_gro *gro;
	struct vpnc_buf b;
	size_t pos = 1;

	if (size < 1 || size > 4 * VPNC_VNET_MAX_PKT)
		return 0;
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	if (vpnc_gro_new((size_t)(data[0] % VPNC_GRO_FLOWS_MAX) + 1, on_write, NULL, &gro) != 0)
		abort();
	while (size - pos >= 3) {
		uint8_t ctl = data[pos];
		size_t len = get16(data + pos + 1);
		pos += 3;
		if (len > size - pos)
			len = size - pos;
		if (len == 0)
			continue;
		if (ctl & 2) {
			vpnc_buf_init(&b, pktmem, sizeof(pktmem), VPNC_VNET_HDR_LEN - 1);
			memcpy(vpnc_buf_append(&b, len), data + pos, len);
			check(vpnc_gro_add(gro, &b) == -EINVAL);
			check(b.len == len && memcmp(vpnc_buf_data(&b), data + pos, len) == 0);
		} else {
			vpnc_buf_init(&b, pktmem, sizeof(pktmem), HEADROOM);
			uint8_t *p = vpnc_buf_append(&b, len);
			memcpy(p, data + pos, len);
			if (ctl & 4)
				fix_ip(p, len);
			count(&in, p, len);
			check(vpnc_gro_add(gro, &b) == 0);
		}
		pos += len;
		if (ctl & 1)
			vpnc_gro_flush(gro);
	}
	vpnc_gro_flush(gro);
	check(in.pkts == out.pkts && in.bytes == out.bytes && in.hash == out.hash);
	const struct vpnc_gro_stats *st = vpnc_gro_stats(gro);
	check(st->pkts_in == in.pkts && st->pkts_in == st->frames_out + st->merged);
	vpnc_gro_free(gro);
	return 0;
}
