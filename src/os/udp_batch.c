/*
 * udp_batch.c: owns batched datagram I/O on a raw UDP socket: recvmmsg(),
 * sendmmsg(), and UDP GSO sends (a UDP_SEGMENT control message per run of
 * equal-sized packets), with the EIO fallback wireguard-go uses.
 *
 * All message headers live in struct vpnc_udp_batch; a call only fills them
 * in. Packets are gathered straight from the caller's buffers with one iovec
 * each, so a GSO run of 40 encrypted packets is 40 iovecs in one message:
 * the kernel cuts the concatenation at every gso_size bytes, which are the
 * packet boundaries because all but the last have exactly that size.
 */
#include "os/udp_batch.h"

#include <errno.h>
#include <string.h>

#include <netinet/in.h>
#include <netinet/udp.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif

/* Bound on retries after EINTR or the GSO fallback within one call. */
#define SEND_MAX_ROUNDS 8

_Static_assert(CMSG_SPACE(sizeof(uint16_t)) <= VPNC_UDP_CMSG_SPACE, "cmsg space");

bool vpnc_udp_gso_probe(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	return getsockopt(fd, SOL_UDP, UDP_SEGMENT, &v, &len) == 0;
}

void vpnc_udp_batch_init(struct vpnc_udp_batch *b, int fd, bool use_gso)
{
	memset(b, 0, sizeof(*b));
	b->fd = fd;
	b->gso = use_gso && vpnc_udp_gso_probe(fd);
}

int vpnc_udp_recv(struct vpnc_udp_batch *b, struct vpnc_buf *bufs, unsigned n)
{
	if (n > VPNC_UDP_BATCH_MAX)
		n = VPNC_UDP_BATCH_MAX;
	if (n == 0)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		b->iov[i].iov_base = vpnc_buf_data(&bufs[i]);
		b->iov[i].iov_len = vpnc_buf_tailroom(&bufs[i]);
		struct msghdr *m = &b->msgs[i].msg_hdr;
		m->msg_name = NULL;
		m->msg_namelen = 0;
		m->msg_iov = &b->iov[i];
		m->msg_iovlen = 1;
		m->msg_control = NULL;
		m->msg_controllen = 0;
		m->msg_flags = 0;
	}
	int r;
	do {
		r = recvmmsg(b->fd, b->msgs, n, MSG_DONTWAIT, NULL);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	for (int i = 0; i < r; i++) {
		if (b->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
			bufs[i].len = 0;
			b->truncated++;
		} else {
			bufs[i].len = b->msgs[i].msg_len;
		}
	}
	return r;
}

/* Length of the run of packets from pkts[0] that one UDP_SEGMENT message can carry. */
static unsigned gso_run(const struct vpnc_buf *pkts, unsigned n)
{
	size_t seg = pkts[0].len, total = seg;
	unsigned k = 1;

	if (seg == 0)
		return 1;
	while (k < n && k < VPNC_UDP_GSO_MAX_SEGS && pkts[k].len != 0 && pkts[k].len <= seg &&
	       total + pkts[k].len <= VPNC_UDP_GSO_MAX_BYTES) {
		total += pkts[k].len;
		if (pkts[k++].len < seg)
			break; /* a shorter packet must end the run */
	}
	return k;
}

/* Fills the message array for pkts[0..n); returns the number of messages. */
static unsigned build(struct vpnc_udp_batch *b, const struct vpnc_buf *pkts, unsigned n)
{
	unsigned p = 0, m = 0;

	while (p < n && m < VPNC_UDP_BATCH_MAX && p < VPNC_UDP_BATCH_MAX) {
		unsigned k = b->gso ? gso_run(pkts + p, n - p) : 1;
		struct msghdr *h = &b->msgs[m].msg_hdr;
		for (unsigned i = 0; i < k; i++) {
			b->iov[p + i].iov_base = vpnc_buf_data(&pkts[p + i]);
			b->iov[p + i].iov_len = pkts[p + i].len;
		}
		h->msg_name = NULL;
		h->msg_namelen = 0;
		h->msg_iov = &b->iov[p];
		h->msg_iovlen = k;
		h->msg_control = NULL;
		h->msg_controllen = 0;
		h->msg_flags = 0;
		if (k > 1) {
			uint16_t seg = (uint16_t)pkts[p].len;
			h->msg_control = b->cmsg[m].buf;
			h->msg_controllen = CMSG_SPACE(sizeof(seg));
			struct cmsghdr *c = CMSG_FIRSTHDR(h);
			c->cmsg_level = SOL_UDP;
			c->cmsg_type = UDP_SEGMENT;
			c->cmsg_len = CMSG_LEN(sizeof(seg));
			memcpy(CMSG_DATA(c), &seg, sizeof(seg));
		}
		b->pkts_in_msg[m] = k;
		p += k;
		m++;
	}
	return m;
}

int vpnc_udp_send(struct vpnc_udp_batch *b, const struct vpnc_buf *pkts, unsigned n)
{
	unsigned done = 0, msgs = 0, next = 0;
	int err = 0;

	if (n > VPNC_UDP_BATCH_MAX)
		n = VPNC_UDP_BATCH_MAX;
	if (n == 0)
		return 0;
	msgs = build(b, pkts, n);
	for (int round = 0; next < msgs && round < SEND_MAX_ROUNDS; round++) {
		int r = sendmmsg(b->fd, b->msgs + next, msgs - next, MSG_DONTWAIT);
		if (r < 0) {
			err = -errno;
			if (err == -EINTR)
				continue;
			if (err == -EIO && b->gso && b->pkts_in_msg[next] > 1) {
				/* The egress device cannot checksum GSO sends: plain datagrams from now on. */
				b->gso = false;
				b->gso_disabled++;
				msgs = build(b, pkts + done, n - done);
				next = 0;
				continue;
			}
			break;
		}
		for (int i = 0; i < r; i++)
			done += b->pkts_in_msg[next + i];
		next += (unsigned)r;
		err = 0;
	}
	if (done > 0)
		return (int)done;
	return err < 0 ? err : -EAGAIN;
}
