/*
 * vnet_gso.c: owns the virtio_net_hdr codec and the userspace segmentation of
 * super-packets read from an IFF_VNET_HDR TUN (TSO for TCP over IPv4/IPv6,
 * USO for UDP), plus finishing the checksum of a GSO_NONE packet that the
 * kernel left partial (NEEDS_CSUM).
 *
 * The split is done in place, one segment per call: segment i's rewritten
 * headers are written just in front of its payload, over the end of segment
 * i-1, which the caller has already encrypted. So a 64 KB read becomes ~45
 * ordinary packets without a copy of the payload and without a second buffer
 * (docs/offload.md). Headers are rebuilt from a copy of the originals taken
 * by vpnc_gso_begin(): IP total length / payload length and ID, TCP sequence
 * number and flags (FIN and PSH only on the last segment, CWR only on the
 * first), UDP length, and full checksums.
 *
 * The kernel's hdr_len is never used; the header length is derived from the
 * packet, and csum_start/csum_offset must agree with it.
 */
#include "core/vnet.h"

#include <errno.h>
#include <string.h>

#include "core/csum.h"

#define IPV4_MIN_HDR 20
#define IPV6_HDR 40
#define TCP_MIN_HDR 20
#define UDP_HDR 8
#define PROTO_TCP 6
#define PROTO_UDP 17
#define IPV6_EXT_HOPOPTS 0
#define IPV6_EXT_DSTOPTS 60
#define IPV6_MAX_EXT 4
#define TCP_CSUM_OFF 16
#define UDP_CSUM_OFF 6
#define TCP_FLAGS_OFF 13
#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_PSH 0x08
#define TCP_FLAG_CWR 0x80
#define IPV4_FRAG_MASK 0x3fff /* MF flag and fragment offset */

enum gso_kind {
	GSO_PASS = 0,  /* GSO_NONE, no checksum work: the packet as it is */
	GSO_CSUM,      /* GSO_NONE with NEEDS_CSUM: finish the partial checksum */
	GSO_TCP,       /* TSO split */
	GSO_UDP,       /* USO split */
};

static uint16_t host16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static void put_host16(uint8_t *p, uint16_t v) { memcpy(p, &v, sizeof(v)); }

void vpnc_vnet_hdr_get(const uint8_t *p, struct vpnc_vnet_hdr *h)
{
	h->flags = p[VPNC_VNET_OFF_FLAGS];
	h->gso_type = p[VPNC_VNET_OFF_GSO_TYPE];
	h->hdr_len = host16(p + VPNC_VNET_OFF_HDR_LEN);
	h->gso_size = host16(p + VPNC_VNET_OFF_GSO_SIZE);
	h->csum_start = host16(p + VPNC_VNET_OFF_CSUM_START);
	h->csum_offset = host16(p + VPNC_VNET_OFF_CSUM_OFFSET);
}

void vpnc_vnet_hdr_put(uint8_t *p, const struct vpnc_vnet_hdr *h)
{
	p[VPNC_VNET_OFF_FLAGS] = h->flags;
	p[VPNC_VNET_OFF_GSO_TYPE] = h->gso_type;
	put_host16(p + VPNC_VNET_OFF_HDR_LEN, h->hdr_len);
	put_host16(p + VPNC_VNET_OFF_GSO_SIZE, h->gso_size);
	put_host16(p + VPNC_VNET_OFF_CSUM_START, h->csum_start);
	put_host16(p + VPNC_VNET_OFF_CSUM_OFFSET, h->csum_offset);
}

/*
 * Finds the L4 header of a whole, unfragmented IP packet whose length field
 * matches len. Sets *v6, *proto and *l4_off; returns 0 or -EINVAL.
 */
static int parse_ip(const uint8_t *pkt, size_t len, bool *v6, uint8_t *proto, size_t *l4_off)
{
	if (len < 1)
		return -EINVAL;
	if (pkt[0] >> 4 == 4) {
		if (len < IPV4_MIN_HDR)
			return -EINVAL;
		size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
		if (ihl < IPV4_MIN_HDR || ihl > len || vpnc_get_u16(pkt + 2) != len)
			return -EINVAL;
		if ((vpnc_get_u16(pkt + 6) & IPV4_FRAG_MASK) != 0)
			return -EINVAL;
		*v6 = false;
		*proto = pkt[9];
		*l4_off = ihl;
		return 0;
	}
	if (pkt[0] >> 4 == 6) {
		if (len < IPV6_HDR || (size_t)vpnc_get_u16(pkt + 4) + IPV6_HDR != len)
			return -EINVAL;
		uint8_t next = pkt[6];
		size_t off = IPV6_HDR;
		/* Only options headers may precede L4: a routing header would change the pseudo-header. */
		for (int n = 0; n < IPV6_MAX_EXT && (next == IPV6_EXT_HOPOPTS || next == IPV6_EXT_DSTOPTS); n++) {
			if (len - off < 2)
				return -EINVAL;
			size_t elen = ((size_t)pkt[off + 1] + 1) * 8;
			if (elen > len - off)
				return -EINVAL;
			next = pkt[off];
			off += elen;
		}
		*v6 = true;
		*proto = next;
		*l4_off = off;
		return 0;
	}
	return -EINVAL;
}

/* GSO_NONE: pass through, or check where the partial checksum goes. */
static int begin_none(struct vpnc_gso *g, const struct vpnc_vnet_hdr *h)
{
	if (!(h->flags & VPNC_VNET_F_NEEDS_CSUM)) {
		g->kind = GSO_PASS;
		return 1;
	}
	if ((size_t)h->csum_start > g->len || (size_t)h->csum_offset + 2 > g->len - h->csum_start)
		return -EINVAL;
	g->kind = GSO_CSUM;
	g->l4_off = h->csum_start;
	g->hdr_len = (size_t)h->csum_start + h->csum_offset; /* where the checksum field is */
	return 1;
}

int vpnc_gso_begin(struct vpnc_gso *g, uint8_t *frame, size_t len)
{
	struct vpnc_vnet_hdr h;
	uint8_t proto = 0;
	size_t l4 = 0;
	bool v6 = false;

	g->pkt = NULL;
	g->len = 0;
	g->seg = 0;
	g->n_segs = 0;
	if (len < VPNC_VNET_HDR_LEN + 1)
		return -EINVAL;
	vpnc_vnet_hdr_get(frame, &h);
	g->pkt = frame + VPNC_VNET_HDR_LEN;
	g->len = len - VPNC_VNET_HDR_LEN;
	g->next_off = 0;
	g->ecn = (h.gso_type & VPNC_VNET_GSO_ECN) != 0;
	if (h.flags & ~(VPNC_VNET_F_NEEDS_CSUM | VPNC_VNET_F_DATA_VALID))
		return -EINVAL;

	uint8_t type = h.gso_type & (uint8_t)~VPNC_VNET_GSO_ECN;
	if (type == VPNC_VNET_GSO_NONE) {
		if (g->ecn)
			return -EINVAL;
		int ret = begin_none(g, &h);
		if (ret > 0)
			g->n_segs = 1;
		return ret;
	}
	if (type != VPNC_VNET_GSO_TCPV4 && type != VPNC_VNET_GSO_TCPV6 && type != VPNC_VNET_GSO_UDP_L4)
		return -EPROTONOSUPPORT;
	if (parse_ip(g->pkt, g->len, &v6, &proto, &l4) < 0)
		return -EINVAL;

	size_t csum_off;
	if (type == VPNC_VNET_GSO_UDP_L4) {
		if (proto != PROTO_UDP || g->ecn || g->len - l4 < UDP_HDR)
			return -EINVAL;
		g->kind = GSO_UDP;
		g->hdr_len = l4 + UDP_HDR;
		csum_off = UDP_CSUM_OFF;
	} else {
		if (proto != PROTO_TCP || v6 != (type == VPNC_VNET_GSO_TCPV6) || g->len - l4 < TCP_MIN_HDR)
			return -EINVAL;
		size_t doff = (size_t)(g->pkt[l4 + 12] >> 4) * 4;
		if (doff < TCP_MIN_HDR || doff > g->len - l4)
			return -EINVAL;
		g->kind = GSO_TCP;
		g->hdr_len = l4 + doff;
		csum_off = TCP_CSUM_OFF;
	}
	/* The kernel's checksum hints must describe this very packet. */
	if ((h.flags & VPNC_VNET_F_NEEDS_CSUM) && (h.csum_start != l4 || h.csum_offset != csum_off))
		return -EINVAL;
	if (g->hdr_len > VPNC_VNET_MAX_HDRS || h.gso_size == 0)
		return -EINVAL;

	size_t payload = g->len - g->hdr_len;
	g->v6 = v6;
	g->l4_off = l4;
	g->next_off = g->hdr_len;
	if (payload <= h.gso_size) {
		g->seg_payload = payload;
		g->n_segs = 1;
	} else {
		g->seg_payload = h.gso_size;
		g->n_segs = (unsigned)((payload + h.gso_size - 1) / h.gso_size);
	}
	memcpy(g->tmpl, g->pkt, g->hdr_len);
	return (int)g->n_segs;
}

/*
 * Writes segment g->seg's headers at dst (payload_len bytes of payload follow
 * them at dst + hdr_len) and finishes every checksum.
 */
static void emit_segment(const struct vpnc_gso *g, uint8_t *dst, size_t payload_len)
{
	size_t hl = g->hdr_len, l4 = g->l4_off;
	size_t l4_len = hl - l4 + payload_len;
	bool last = g->seg + 1 == g->n_segs;
	uint32_t sum;

	memcpy(dst, g->tmpl, hl);
	if (g->v6) {
		vpnc_put_u16(dst + 4, (uint16_t)(hl - IPV6_HDR + payload_len));
	} else {
		vpnc_put_u16(dst + 2, (uint16_t)(hl + payload_len));
		vpnc_put_u16(dst + 4, (uint16_t)(vpnc_get_u16(g->tmpl + 4) + g->seg));
		vpnc_put_u16(dst + 10, 0);
		vpnc_put_u16(dst + 10, vpnc_csum_finish(vpnc_csum_partial(dst, l4, 0)));
	}
	uint8_t proto = g->kind == GSO_TCP ? PROTO_TCP : PROTO_UDP;
	sum = g->v6 ? vpnc_csum_pseudo6(dst + 8, dst + 24, proto, (uint32_t)l4_len)
	            : vpnc_csum_pseudo4(dst + 12, dst + 16, proto, (uint32_t)l4_len);
	if (g->kind == GSO_TCP) {
		uint8_t *th = dst + l4;
		vpnc_put_u32(th + 4, vpnc_get_u32(g->tmpl + l4 + 4) + (uint32_t)(g->seg * g->seg_payload));
		if (!last)
			th[TCP_FLAGS_OFF] &= (uint8_t)~(TCP_FLAG_FIN | TCP_FLAG_PSH);
		if (g->ecn && g->seg > 0)
			th[TCP_FLAGS_OFF] &= (uint8_t)~TCP_FLAG_CWR;
		vpnc_put_u16(th + TCP_CSUM_OFF, 0);
		sum = vpnc_csum_partial(th, l4_len, sum);
		vpnc_put_u16(th + TCP_CSUM_OFF, vpnc_csum_finish(sum));
	} else {
		uint8_t *uh = dst + l4;
		vpnc_put_u16(uh + 4, (uint16_t)l4_len);
		vpnc_put_u16(uh + UDP_CSUM_OFF, 0);
		sum = vpnc_csum_partial(uh, l4_len, sum);
		uint16_t c = vpnc_csum_finish(sum);
		vpnc_put_u16(uh + UDP_CSUM_OFF, c ? c : 0xffff);
	}
}

/* Finishes a partial checksum the kernel left for us (GSO_NONE + NEEDS_CSUM). */
static void finish_partial(struct vpnc_gso *g)
{
	uint32_t sum = vpnc_csum_partial(g->pkt + g->l4_off, g->len - g->l4_off, 0);
	uint16_t c = vpnc_csum_finish(sum);
	vpnc_put_u16(g->pkt + g->hdr_len, c ? c : 0xffff);
}

int vpnc_gso_next(struct vpnc_gso *g, uint8_t **ip, size_t *ip_len)
{
	if (g->seg >= g->n_segs)
		return 0;
	if (g->kind == GSO_PASS || g->kind == GSO_CSUM) {
		if (g->kind == GSO_CSUM)
			finish_partial(g);
		g->seg++;
		*ip = g->pkt;
		*ip_len = g->len;
		return 1;
	}
	size_t off = g->next_off;
	size_t plen = g->len - off < g->seg_payload ? g->len - off : g->seg_payload;
	uint8_t *dst = g->pkt + off - g->hdr_len;

	emit_segment(g, dst, plen);
	g->seg++;
	g->next_off = off + plen;
	*ip = dst;
	*ip_len = g->hdr_len + plen;
	return 1;
}

int vpnc_gso_next_copy(struct vpnc_gso *g, struct vpnc_buf *out)
{
	if (g->seg >= g->n_segs)
		return 0;
	out->len = 0;
	if (g->kind == GSO_PASS || g->kind == GSO_CSUM) {
		uint8_t *p = vpnc_buf_append(out, g->len);
		g->seg++;
		if (p == NULL)
			return -ENOBUFS;
		memcpy(p, g->pkt, g->len);
		if (g->kind == GSO_CSUM) {
			uint32_t sum = vpnc_csum_partial(p + g->l4_off, g->len - g->l4_off, 0);
			uint16_t c = vpnc_csum_finish(sum);
			vpnc_put_u16(p + g->hdr_len, c ? c : 0xffff);
		}
		return 1;
	}
	size_t off = g->next_off;
	size_t plen = g->len - off < g->seg_payload ? g->len - off : g->seg_payload;
	uint8_t *dst = vpnc_buf_append(out, g->hdr_len + plen);
	int ret = 1;

	if (dst == NULL) {
		ret = -ENOBUFS;
	} else {
		memcpy(dst + g->hdr_len, g->pkt + off, plen);
		emit_segment(g, dst, plen);
	}
	g->seg++;
	g->next_off = off + plen;
	return ret;
}
