/*
 * udp_batch.h: many datagrams per system call on a connected, non-blocking
 * UDP socket: recvmmsg() to receive, and sendmsg with UDP_SEGMENT (UDP GSO:
 * the kernel cuts one large buffer into equal datagrams) or sendmmsg() to
 * send. docs/offload.md and docs/performance.md have the measured costs.
 *
 * Ownership: a struct vpnc_udp_batch holds every mmsghdr, iovec and control
 * buffer it needs (no allocation, ever); the caller embeds it or allocates it
 * once. It borrows the fd (never closes it) and the caller's packet buffers
 * only for the duration of a call. One batch per socket, used by one thread.
 * Nothing here logs or formats.
 */
#ifndef VPNC_UDP_BATCH_H
#define VPNC_UDP_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include <sys/socket.h>
#include <sys/uio.h>

#include "vpnc/buf.h"

/* Datagrams per call (wireguard-go's experience: little gain beyond tens). */
#define VPNC_UDP_BATCH_MAX 64
/* The kernel's limit on segments in one UDP_SEGMENT send (UDP_MAX_SEGMENTS). */
#define VPNC_UDP_GSO_MAX_SEGS 64
/* Largest UDP payload in one send: 65535 - IPv4 header (20) - UDP header (8). */
#define VPNC_UDP_GSO_MAX_BYTES 65507
/* Room for one uint16_t UDP_SEGMENT control message. */
#define VPNC_UDP_CMSG_SPACE 24

struct vpnc_udp_batch {
	int fd;                         /* borrowed; connected, non-blocking */
	bool gso;                       /* UDP_SEGMENT is used for runs of equal-sized packets */
	uint64_t gso_disabled;          /* times a send fell back after EIO (device without csum offload) */
	uint64_t truncated;             /* received datagrams too big for their buffer (returned with len 0) */
	struct mmsghdr msgs[VPNC_UDP_BATCH_MAX];
	struct iovec iov[VPNC_UDP_BATCH_MAX];
	unsigned pkts_in_msg[VPNC_UDP_BATCH_MAX];
	union {
		uint8_t buf[VPNC_UDP_CMSG_SPACE];
		struct cmsghdr align;
	} cmsg[VPNC_UDP_BATCH_MAX];
};

/*
 * True if the kernel supports UDP_SEGMENT on this socket (getsockopt probe,
 * Linux >= 4.18).
 */
bool vpnc_udp_gso_probe(int fd);

/*
 * Prepares b for the connected UDP socket fd. GSO is used if use_gso is true
 * and the probe succeeds; b->gso says what was chosen.
 */
void vpnc_udp_batch_init(struct vpnc_udp_batch *b, int fd, bool use_gso);

/*
 * Receives up to n (at most VPNC_UDP_BATCH_MAX) datagrams, one per buffer:
 * each lands at vpnc_buf_data(&bufs[i]) with up to vpnc_buf_tailroom() bytes
 * (bufs[i].len must be 0 on entry) and bufs[i].len is set. A datagram that
 * did not fit is returned with len 0 (drop it). Returns the number received
 * (>= 1), 0 if none was waiting, or a negative errno code (an ICMP error
 * such as -ECONNREFUSED on a connected socket; not fatal).
 */
int vpnc_udp_recv(struct vpnc_udp_batch *b, struct vpnc_buf *bufs, unsigned n);

/*
 * Sends pkts[0..n) in order, each one datagram, with as few system calls as
 * possible: runs of packets of equal length (the last of a run may be
 * shorter) go as one UDP_SEGMENT message when b->gso is on, and all messages
 * go in one sendmmsg(). The packet buffers are read in place through iovecs
 * (no copy). If the kernel answers EIO (the route's device cannot checksum a
 * GSO send), GSO is turned off for good and the remaining packets are sent
 * plainly. Returns how many of the first packets were handed to the kernel
 * (>= 1; at most VPNC_UDP_BATCH_MAX per call: call again for the rest), or
 * a negative errno code if none was (-EAGAIN: the socket buffer is full; a
 * UDP sender may simply drop the packets, as a full network queue would).
 */
int vpnc_udp_send(struct vpnc_udp_batch *b, const struct vpnc_buf *pkts, unsigned n);

#endif
