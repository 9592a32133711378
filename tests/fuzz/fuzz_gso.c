/*
 * fuzz_gso.c: libFuzzer target for the GSO split of frames read from an
 * IFF_VNET_HDR TUN (src/core/vnet_gso.c).
 *
 * Input: one frame, virtio_net_hdr + IP packet, as the kernel would hand it
 * over. Invariants (trap on failure):
 *  - vpnc_gso_begin() either refuses the frame with -EINVAL or
 *    -EPROTONOSUPPORT, or announces n >= 1 segments;
 *  - the in-place split and the copying split give the same n segments,
 *    byte for byte, and then report the end; the copying one leaves the
 *    frame alone, and with a too-small buffer it skips a segment with
 *    -ENOBUFS but still counts it;
 *  - GSO_NONE: the packet comes out as it went in, except for the checksum
 *    field a NEEDS_CSUM frame names, which then holds the complement of the
 *    sum from csum_start on (0 sent as 0xffff);
 *  - TCP/UDP splits: every segment has the original headers' length, at most
 *    gso_size bytes of payload, IP length fields that match, a valid IPv4
 *    header checksum and a valid TCP/UDP checksum; the payloads joined are
 *    the original payload.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/csum.h"
#include "core/vnet.h"

static uint8_t frame_a[VPNC_VNET_FRAME_MAX], frame_b[VPNC_VNET_FRAME_MAX], frame_c[VPNC_VNET_FRAME_MAX];
static uint8_t orig[VPNC_VNET_FRAME_MAX];
static uint8_t outmem[VPNC_VNET_FRAME_MAX + 64];

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

/* A split TCP/UDP segment: lengths and checksums as a receiver checks them. */
static void check_segment(const struct vpnc_gso *g, const uint8_t *seg, size_t len, uint8_t proto)
{
	size_t l4 = g->l4_off;
	uint32_t sum;

	check(len >= g->hdr_len && len <= VPNC_VNET_MAX_PKT);
	if (g->v6) {
		check((size_t)get16(seg + 4) + 40 == len);
		sum = vpnc_csum_pseudo6(seg + 8, seg + 24, proto, (uint32_t)(len - l4));
	} else {
		check(get16(seg + 2) == len);
		check(vpnc_csum_finish(vpnc_csum_partial(seg, l4, 0)) == 0);
		sum = vpnc_csum_pseudo4(seg + 12, seg + 16, proto, (uint32_t)(len - l4));
	}
	check(vpnc_csum_finish(vpnc_csum_partial(seg + l4, len - l4, sum)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vpnc_gso ga, gb, gc;
	struct vpnc_vnet_hdr h;
	struct vpnc_buf out;

	if (size > VPNC_VNET_FRAME_MAX)
		return 0;
	memcpy(frame_a, data, size);
	memcpy(frame_b, data, size);
	memcpy(frame_c, data, size);
	memcpy(orig, data, size);

	int n = vpnc_gso_begin(&ga, frame_a, size);
	int nb = vpnc_gso_begin(&gb, frame_b, size);
	check(n == nb);
	if (n < 0) {
		check(n == -EINVAL || n == -EPROTONOSUPPORT);
		return 0;
	}
	check(n >= 1);
	vpnc_vnet_hdr_get(orig, &h);
	uint8_t type = h.gso_type & (uint8_t)~VPNC_VNET_GSO_ECN;
	uint8_t proto = type == VPNC_VNET_GSO_UDP_L4 ? 17 : 6;
	const uint8_t *pkt = orig + VPNC_VNET_HDR_LEN;
	size_t pkt_len = size - VPNC_VNET_HDR_LEN;
	size_t payload_off = ga.hdr_len; /* the original headers' length, for the splits */
	size_t joined = 0;

	for (int i = 0; i < n; i++) {
		uint8_t *seg = NULL;
		size_t seg_len = 0;

		vpnc_buf_init(&out, outmem, sizeof(outmem), 0);
		check(vpnc_gso_next_copy(&gb, &out) == 1);
		check(vpnc_gso_next(&ga, &seg, &seg_len) == 1);
		check(seg_len == out.len && memcmp(seg, vpnc_buf_data(&out), seg_len) == 0);
		if (type == VPNC_VNET_GSO_NONE) {
			check(seg_len == pkt_len);
			if (!(h.flags & VPNC_VNET_F_NEEDS_CSUM)) {
				check(memcmp(seg, pkt, pkt_len) == 0);
			} else {
				/* The field held the kernel's partial sum; it now holds the complement of the
				 * sum from csum_start on, taken with that partial sum in place. */
				size_t at = (size_t)h.csum_start + h.csum_offset;
				uint16_t c = vpnc_csum_finish(vpnc_csum_partial(pkt + h.csum_start, pkt_len - h.csum_start, 0));
				check(memcmp(seg, pkt, at) == 0 && memcmp(seg + at + 2, pkt + at + 2, pkt_len - at - 2) == 0);
				check(get16(seg + at) == (c ? c : 0xffff));
			}
			continue;
		}
		check(seg_len - payload_off <= h.gso_size);
		check_segment(&ga, seg, seg_len, proto);
		check(memcmp(seg + payload_off, pkt + payload_off + joined, seg_len - payload_off) == 0);
		joined += seg_len - payload_off;
	}
	uint8_t *seg;
	size_t seg_len;
	check(vpnc_gso_next(&ga, &seg, &seg_len) == 0);
	vpnc_buf_init(&out, outmem, sizeof(outmem), 0);
	check(vpnc_gso_next_copy(&gb, &out) == 0);
	check(memcmp(frame_b, orig, size) == 0); /* the copying split leaves the frame alone */
	if (type != VPNC_VNET_GSO_NONE)
		check(payload_off + joined == pkt_len);

	/* A buffer too small for some segments: those are skipped with -ENOBUFS, the count holds. */
	check(vpnc_gso_begin(&gc, frame_c, size) == n);
	int calls = 0, r;
	do {
		vpnc_buf_init(&out, outmem, 64, 0);
		r = vpnc_gso_next_copy(&gc, &out);
		check(r == 1 || r == 0 || r == -ENOBUFS);
		if (r != 0)
			calls++;
	} while (r != 0 && calls <= n);
	check(calls == n);
	return 0;
}
