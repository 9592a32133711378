/*
 * vnet.h: TUN offloads in userspace: the virtio_net_hdr that prefixes every
 * read and write on an IFF_VNET_HDR TUN, segmentation of the super-packets the
 * kernel hands us (GSO, vnet_gso.c), and coalescing of received TCP segments
 * into super-packets for one TUN write (GRO, vnet_gro.c). docs/offload.md has
 * the design and the calls the daemon loop makes.
 *
 * Everything read from the TUN is validated before use: the header's hdr_len
 * is ignored and derived from the packet, csum_start/csum_offset must match
 * the packet, and every length is checked against the bytes present. Nothing
 * here allocates per packet or formats a string.
 */
#ifndef VPNC_VNET_H
#define VPNC_VNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vpnc/buf.h"

/* struct virtio_net_hdr on the wire of a TUN fd: 10 bytes, host byte order. */
#define VPNC_VNET_HDR_LEN 10
#define VPNC_VNET_OFF_FLAGS 0
#define VPNC_VNET_OFF_GSO_TYPE 1
#define VPNC_VNET_OFF_HDR_LEN 2
#define VPNC_VNET_OFF_GSO_SIZE 4
#define VPNC_VNET_OFF_CSUM_START 6
#define VPNC_VNET_OFF_CSUM_OFFSET 8

#define VPNC_VNET_F_NEEDS_CSUM 0x01
#define VPNC_VNET_F_DATA_VALID 0x02

#define VPNC_VNET_GSO_NONE 0
#define VPNC_VNET_GSO_TCPV4 1
#define VPNC_VNET_GSO_TCPV6 4
#define VPNC_VNET_GSO_UDP_L4 5
#define VPNC_VNET_GSO_ECN 0x80

/* Largest IP packet through an offloading TUN, and a read buffer that fits one with its header. */
#define VPNC_VNET_MAX_PKT 65535
#define VPNC_VNET_FRAME_MAX (VPNC_VNET_HDR_LEN + VPNC_VNET_MAX_PKT)
/* Longest IP + L4 header (with IPv4 options, IPv6 extension headers, TCP options) we segment. */
#define VPNC_VNET_MAX_HDRS 192

struct vpnc_vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
};

/* Reads the header at p (VPNC_VNET_HDR_LEN bytes). */
void vpnc_vnet_hdr_get(const uint8_t *p, struct vpnc_vnet_hdr *h);
/* Writes the header to p (VPNC_VNET_HDR_LEN bytes). */
void vpnc_vnet_hdr_put(uint8_t *p, const struct vpnc_vnet_hdr *h);

/* ---- GSO: one super-packet from the TUN into MSS-sized packets ---- */

/*
 * State of one split. It borrows the frame given to vpnc_gso_begin() and
 * writes into it (see vpnc_gso_next()); the frame must stay put until the
 * last segment has been taken. Plain data, no cleanup.
 */
struct vpnc_gso {
	uint8_t *pkt;            /* the IP packet after the vnet header */
	size_t len;              /* its length */
	size_t l4_off;           /* start of the TCP/UDP header */
	size_t hdr_len;          /* IP + L4 headers, derived from the packet */
	size_t seg_payload;      /* gso_size, or the whole payload for one segment */
	size_t next_off;         /* start of the next segment's payload in pkt */
	unsigned n_segs;         /* segments in all */
	unsigned seg;            /* segments handed out */
	uint8_t kind;            /* how to emit: pass through, checksum only, TCP or UDP split */
	bool v6;
	bool ecn;                /* CWR only on the first segment */
	uint8_t tmpl[VPNC_VNET_MAX_HDRS]; /* the original headers */
};

/*
 * Validates one frame read from an IFF_VNET_HDR TUN (frame = virtio_net_hdr +
 * IP packet, len bytes) and prepares its split. Returns the number of
 * segments (1 or more), or -EINVAL for a frame that is malformed or
 * inconsistent (drop it), -EPROTONOSUPPORT for a GSO type we did not enable.
 */
int vpnc_gso_begin(struct vpnc_gso *g, uint8_t *frame, size_t len);

/*
 * Yields the next segment in place: *ip points into the frame, with
 * *ip_len bytes of a complete IP packet with finished checksums. The
 * segment's headers are written over the tail of the previous segment's
 * payload, so the caller must be done with the previous segment (encrypted
 * it) before calling again. Returns 1 with a segment, 0 when all were taken.
 * No copy of the payload is made.
 */
int vpnc_gso_next(struct vpnc_gso *g, uint8_t **ip, size_t *ip_len);

/*
 * Same as vpnc_gso_next() but copies the segment into out (at
 * vpnc_buf_data(out), len set) and leaves the frame unchanged. Returns 1, 0
 * when all were taken, or -ENOBUFS if out has too little room (the segment
 * is skipped).
 */
int vpnc_gso_next_copy(struct vpnc_gso *g, struct vpnc_buf *out);

/* ---- GRO: decrypted TCP segments into super-packets for the TUN ---- */

struct vpnc_gro;

/*
 * Called with one frame (virtio_net_hdr + IP packet) to write to the TUN.
 * The frame is only valid during the call.
 */
typedef void (*vpnc_gro_write_fn)(void *ctx, const uint8_t *frame, size_t len);

/* Default and largest number of flows coalesced at once. */
#define VPNC_GRO_FLOWS 8
#define VPNC_GRO_FLOWS_MAX 64

/*
 * Creates a coalescer with max_flows flow buffers (each VPNC_VNET_FRAME_MAX
 * bytes, allocated here once; 0 means VPNC_GRO_FLOWS). Returns 0 and sets
 * *out, -EINVAL or -ENOMEM.
 */
int vpnc_gro_new(size_t max_flows, vpnc_gro_write_fn write, void *ctx, struct vpnc_gro **out);
void vpnc_gro_free(struct vpnc_gro *g);

/*
 * Offers one decrypted IP packet, at vpnc_buf_data(pkt) with at least
 * VPNC_VNET_HDR_LEN bytes of headroom. A TCP segment that can be merged is
 * copied into a flow buffer; anything else is written at once with a zero
 * virtio_net_hdr prepended in pkt's headroom (after flushing a pending flow
 * of the same connection, to keep its order). Returns 0 (the packet was
 * taken or written) or -EINVAL (no headroom; nothing written).
 */
int vpnc_gro_add(struct vpnc_gro *g, struct vpnc_buf *pkt);

/*
 * Writes out every pending flow: a flow of one segment as it came (zero
 * header), a merged one as one super-packet with gso_type TCPV4/TCPV6,
 * gso_size = the segment size and NEEDS_CSUM with the pseudo-header sum in
 * the TCP checksum field. Call it at the end of every receive batch.
 */
void vpnc_gro_flush(struct vpnc_gro *g);

struct vpnc_gro_stats {
	uint64_t pkts_in;        /* packets offered */
	uint64_t frames_out;     /* frames written */
	uint64_t merged;         /* packets that went into another packet's super-packet */
};
const struct vpnc_gro_stats *vpnc_gro_stats(const struct vpnc_gro *g);

#endif
