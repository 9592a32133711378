/*
 * vnet_gro.c: owns the coalescing of decrypted TCP segments into one
 * super-packet per TUN write (userspace GRO for an IFF_VNET_HDR TUN).
 *
 * A TCP segment with data, ACK and at most PSH set, plain headers (IPv4
 * without options, IPv6 without extension headers) and a valid IPv4 header
 * checksum is a candidate. Candidates of one connection are merged while the
 * sequence numbers follow on, every segment has the first one's size (the
 * last may be shorter, and then ends the flow, as does PSH), and everything
 * but sequence number, flags and checksum is byte for byte the same (ACK,
 * window, options, TOS/TTL/DF or traffic class/flow label/hop limit): the
 * rules of the kernel's own tcp_gro_receive().
 *
 * The table holds a bounded number of flows, each with one flow buffer
 * allocated at creation; the oldest flow is written out when a new one needs
 * a slot. A packet that is not a candidate is written at once with a zero
 * virtio_net_hdr put into its headroom, after any pending flow of the same
 * connection, so no connection sees its packets reordered. Checksums are done
 * once per flush: the IPv4 header checksum and the TCP pseudo-header sum
 * (NEEDS_CSUM: the kernel treats the payload as verified; the AEAD tag has
 * already authenticated every byte of it).
 */
#include "core/vnet.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/csum.h"

#define IPV4_HDR 20
#define IPV6_HDR 40
#define TCP_MIN_HDR 20
#define PROTO_TCP 6
#define TCP_CSUM_OFF 16
#define TCP_FLAGS_OFF 13
#define TCP_FLAG_PSH 0x08
#define TCP_FLAG_ACK 0x10
#define IPV4_FRAG_MASK 0x3fff
#define IPV4_DF 0x4000

struct gro_flow {
	uint8_t *mem;          /* VPNC_VNET_FRAME_MAX bytes: vnet header, then the IP packet */
	size_t len;            /* IP packet bytes so far */
	size_t l4_off;
	size_t hdr_len;        /* IP + TCP headers */
	size_t seg_size;       /* payload of the first segment = gso_size */
	unsigned segs;
	uint32_t next_seq;
	uint64_t stamp;        /* when the flow started, for eviction */
	bool used;
	bool closed;           /* a short segment or PSH ended it */
	bool v6;
};

struct vpnc_gro {
	vpnc_gro_write_fn write;
	void *ctx;
	size_t n_flows;
	uint64_t clock;
	struct vpnc_gro_stats stats;
	struct gro_flow flows[];
};

/* What vpnc_gro_add() learned about a packet. */
struct tcp_view {
	const uint8_t *ip;
	size_t len;
	size_t l4_off;
	size_t hdr_len;
	bool v6;
	bool candidate;        /* may be merged */
};

int vpnc_gro_new(size_t max_flows, vpnc_gro_write_fn write, void *ctx, struct vpnc_gro **out)
{
	struct vpnc_gro *g;
	int ret = -ENOMEM;

	*out = NULL;
	if (max_flows == 0)
		max_flows = VPNC_GRO_FLOWS;
	if (max_flows > VPNC_GRO_FLOWS_MAX || write == NULL)
		return -EINVAL;
	g = calloc(1, sizeof(*g) + max_flows * sizeof(g->flows[0]));
	if (g == NULL)
		return -ENOMEM;
	g->write = write;
	g->ctx = ctx;
	g->n_flows = max_flows;
	for (size_t i = 0; i < max_flows; i++) {
		g->flows[i].mem = malloc(VPNC_VNET_FRAME_MAX);
		if (g->flows[i].mem == NULL)
			goto out;
	}
	*out = g;
	g = NULL;
	ret = 0;
out:
	vpnc_gro_free(g);
	return ret;
}

void vpnc_gro_free(struct vpnc_gro *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < g->n_flows; i++)
		free(g->flows[i].mem);
	free(g);
}

const struct vpnc_gro_stats *vpnc_gro_stats(const struct vpnc_gro *g) { return &g->stats; }

/* True for the IPv6 extension headers that can sit in front of a TCP header. */
static bool is_ipv6_ext(uint8_t next)
{
	return next == 0 || next == 43 || next == 44 || next == 51 || next == 60 || next == 135 ||
	       next == 139 || next == 140;
}

/*
 * Classifies a packet: returns false if it is certainly not TCP. Otherwise
 * v->hdr_len is set (non-zero) when its headers could be read, and
 * v->candidate when it may be merged.
 */
static bool tcp_parse(const uint8_t *ip, size_t len, struct tcp_view *v)
{
	v->ip = ip;
	v->len = len;
	v->hdr_len = 0;
	v->candidate = false;
	if (len < 1)
		return false;
	if (ip[0] >> 4 == 4) {
		if (len < IPV4_HDR || ip[9] != PROTO_TCP)
			return false;
		if (ip[0] != 0x45)
			return true; /* IP options: TCP, but not read further */
		v->v6 = false;
		v->l4_off = IPV4_HDR;
		if (vpnc_get_u16(ip + 2) != len || (vpnc_get_u16(ip + 6) & IPV4_FRAG_MASK) != 0)
			return true;
		if (vpnc_csum_finish(vpnc_csum_partial(ip, IPV4_HDR, 0)) != 0)
			return true;
	} else if (ip[0] >> 4 == 6) {
		if (len < IPV6_HDR)
			return false;
		if (ip[6] != PROTO_TCP)
			return is_ipv6_ext(ip[6]); /* maybe TCP behind extension headers */
		v->v6 = true;
		v->l4_off = IPV6_HDR;
		if ((size_t)vpnc_get_u16(ip + 4) + IPV6_HDR != len)
			return true;
	} else {
		return false;
	}
	if (len - v->l4_off < TCP_MIN_HDR)
		return true;
	size_t doff = (size_t)(ip[v->l4_off + 12] >> 4) * 4;
	if (doff < TCP_MIN_HDR || doff > len - v->l4_off)
		return true;
	v->hdr_len = v->l4_off + doff;
	uint8_t flags = ip[v->l4_off + TCP_FLAGS_OFF];
	v->candidate = len > v->hdr_len && (flags & TCP_FLAG_ACK) && (flags & ~(TCP_FLAG_ACK | TCP_FLAG_PSH)) == 0;
	return true;
}

/* True if the packet belongs to the flow's connection (addresses and ports). */
static bool same_conn(const struct gro_flow *f, const struct tcp_view *v)
{
	const uint8_t *a = f->mem + VPNC_VNET_HDR_LEN;

	if (f->v6 != v->v6)
		return false;
	if (v->v6)
		return memcmp(a + 8, v->ip + 8, 32) == 0 && memcmp(a + IPV6_HDR, v->ip + IPV6_HDR, 4) == 0;
	return memcmp(a + 12, v->ip + 12, 8) == 0 && memcmp(a + IPV4_HDR, v->ip + IPV4_HDR, 4) == 0;
}

/* True if the candidate v can be appended to flow f of the same connection. */
static bool can_merge(const struct gro_flow *f, const struct tcp_view *v)
{
	const uint8_t *a = f->mem + VPNC_VNET_HDR_LEN, *b = v->ip;
	size_t payload = v->len - v->hdr_len;

	if (f->closed || v->hdr_len != f->hdr_len || payload > f->seg_size)
		return false;
	if (f->len + payload > VPNC_VNET_MAX_PKT)
		return false;
	if (vpnc_get_u32(b + v->l4_off + 4) != f->next_seq)
		return false;
	if (v->v6) {
		if (memcmp(a, b, 4) != 0 || a[7] != b[7])
			return false;
	} else {
		if (a[1] != b[1] || a[8] != b[8] || ((vpnc_get_u16(a + 6) ^ vpnc_get_u16(b + 6)) & IPV4_DF))
			return false;
	}
	/* ACK number, data offset, window: bytes 8..15; then the options. */
	const uint8_t *ta = a + f->l4_off, *tb = b + v->l4_off;
	if (memcmp(ta + 8, tb + 8, 5) != 0 || memcmp(ta + 14, tb + 14, 2) != 0)
		return false;
	return memcmp(ta + TCP_MIN_HDR, tb + TCP_MIN_HDR, f->hdr_len - f->l4_off - TCP_MIN_HDR) == 0;
}

static void flow_start(struct vpnc_gro *g, struct gro_flow *f, const struct tcp_view *v)
{
	size_t payload = v->len - v->hdr_len;

	memcpy(f->mem + VPNC_VNET_HDR_LEN, v->ip, v->len);
	f->len = v->len;
	f->l4_off = v->l4_off;
	f->hdr_len = v->hdr_len;
	f->seg_size = payload;
	f->segs = 1;
	f->next_seq = vpnc_get_u32(v->ip + v->l4_off + 4) + (uint32_t)payload;
	f->stamp = g->clock++;
	f->used = true;
	f->v6 = v->v6;
	f->closed = (v->ip[v->l4_off + TCP_FLAGS_OFF] & TCP_FLAG_PSH) != 0;
}

static void flow_append(struct gro_flow *f, const struct tcp_view *v)
{
	size_t payload = v->len - v->hdr_len;
	uint8_t *ip = f->mem + VPNC_VNET_HDR_LEN;

	memcpy(ip + f->len, v->ip + v->hdr_len, payload);
	f->len += payload;
	f->segs++;
	f->next_seq += (uint32_t)payload;
	if (v->ip[v->l4_off + TCP_FLAGS_OFF] & TCP_FLAG_PSH) {
		ip[f->l4_off + TCP_FLAGS_OFF] |= TCP_FLAG_PSH;
		f->closed = true;
	}
	if (payload < f->seg_size)
		f->closed = true;
}

/* Writes one flow out and frees its slot. */
static void flow_flush(struct vpnc_gro *g, struct gro_flow *f)
{
	struct vpnc_vnet_hdr h = {0};
	uint8_t *ip = f->mem + VPNC_VNET_HDR_LEN;

	if (!f->used)
		return;
	if (f->segs > 1) {
		size_t l4_len = f->len - f->l4_off;
		uint32_t pseudo;
		if (f->v6) {
			vpnc_put_u16(ip + 4, (uint16_t)(f->len - IPV6_HDR));
			pseudo = vpnc_csum_pseudo6(ip + 8, ip + 24, PROTO_TCP, (uint32_t)l4_len);
			h.gso_type = VPNC_VNET_GSO_TCPV6;
		} else {
			vpnc_put_u16(ip + 2, (uint16_t)f->len);
			vpnc_put_u16(ip + 10, 0);
			vpnc_put_u16(ip + 10, vpnc_csum_finish(vpnc_csum_partial(ip, IPV4_HDR, 0)));
			pseudo = vpnc_csum_pseudo4(ip + 12, ip + 16, PROTO_TCP, (uint32_t)l4_len);
			h.gso_type = VPNC_VNET_GSO_TCPV4;
		}
		/* A partial checksum holds the folded pseudo-header sum, not its complement. */
		vpnc_put_u16(ip + f->l4_off + TCP_CSUM_OFF, (uint16_t)vpnc_csum_add(pseudo, 0));
		h.flags = VPNC_VNET_F_NEEDS_CSUM;
		h.hdr_len = (uint16_t)f->hdr_len;
		h.gso_size = (uint16_t)f->seg_size;
		h.csum_start = (uint16_t)f->l4_off;
		h.csum_offset = TCP_CSUM_OFF;
		g->stats.merged += f->segs - 1;
	}
	vpnc_vnet_hdr_put(f->mem, &h);
	f->used = false;
	g->stats.frames_out++;
	g->write(g->ctx, f->mem, VPNC_VNET_HDR_LEN + f->len);
}

/* Writes a packet as it is, with a zero header in its headroom. */
static void write_plain(struct vpnc_gro *g, struct vpnc_buf *pkt)
{
	uint8_t *frame = vpnc_buf_prepend(pkt, VPNC_VNET_HDR_LEN);

	memset(frame, 0, VPNC_VNET_HDR_LEN);
	g->stats.frames_out++;
	g->write(g->ctx, frame, pkt->len);
	(void)vpnc_buf_pull(pkt, VPNC_VNET_HDR_LEN);
}

int vpnc_gro_add(struct vpnc_gro *g, struct vpnc_buf *pkt)
{
	struct tcp_view v;
	struct gro_flow *f = NULL, *free_slot = NULL, *oldest = NULL;

	if (pkt->off < VPNC_VNET_HDR_LEN)
		return -EINVAL;
	g->stats.pkts_in++;
	if (!tcp_parse(vpnc_buf_data(pkt), pkt->len, &v)) {
		write_plain(g, pkt); /* not TCP: no pending flow to keep order with */
		return 0;
	}
	if (!v.candidate && v.hdr_len == 0) {
		/* TCP we cannot read the ports of: flush everything so nothing overtakes it. */
		vpnc_gro_flush(g);
		write_plain(g, pkt);
		return 0;
	}
	for (size_t i = 0; i < g->n_flows; i++) {
		struct gro_flow *c = &g->flows[i];
		if (!c->used) {
			if (free_slot == NULL)
				free_slot = c;
			continue;
		}
		if (oldest == NULL || c->stamp < oldest->stamp)
			oldest = c;
		if (f == NULL && same_conn(c, &v))
			f = c;
	}
	if (f != NULL) {
		if (v.candidate && can_merge(f, &v)) {
			flow_append(f, &v);
			return 0;
		}
		flow_flush(g, f);
		free_slot = f;
	}
	if (!v.candidate) {
		write_plain(g, pkt);
		return 0;
	}
	if (free_slot == NULL) {
		flow_flush(g, oldest);
		free_slot = oldest;
	}
	flow_start(g, free_slot, &v);
	return 0;
}

void vpnc_gro_flush(struct vpnc_gro *g)
{
	for (size_t i = 0; i < g->n_flows; i++)
		flow_flush(g, &g->flows[i]);
}
