/*
 * test_link_udp.c: the UDP link (daemon/link_udp.c) on the loopback, at the
 * edges of its buffers: a packet built in place with a SOCKS relay's header
 * in the headroom in front (as link_socks.c sends every datagram) is sent
 * whole up to the slot's end, one longer or one built elsewhere beyond the
 * limit is refused with EMSGSIZE (never cut); a received datagram of a full
 * packet buffer plus the largest SOCKS header arrives whole, a larger one is
 * counted as truncated and not passed on. After a roaming re-path
 * (udp_repath) the link still batches: a queue of equal packets leaves in one
 * flush (one GSO message where the kernel has UDP_SEGMENT) and every datagram
 * arrives, with the GSO limit and mode as before.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/link_udp.c"

#include "../check.h"

static uint8_t got[VPNC_UDP_RX_BUF + 64];
static size_t got_len;
static unsigned got_n;

static void on_packet(void *ctx, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	if (len <= sizeof(got))
		memcpy(got, pkt, len);
	got_len = len;
	got_n++;
}

static void fill(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static bool same(const uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (uint8_t)(seed + i * 7))
			return false;
	return true;
}

/* Runs the loop until a packet arrived or about a second passed. */
static void run_until_packet(uv_loop_t *loop, unsigned want)
{
	for (int i = 0; i < 100 && got_n < want; i++) {
		uv_run(loop, UV_RUN_NOWAIT);
		if (got_n < want)
			usleep(10000);
	}
}

/* One datagram on peer within about a second: its length, or -1. */
static ssize_t peer_recv(int fd, uint8_t *buf, size_t cap)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	if (poll(&p, 1, 1000) != 1)
		return -1;
	return recv(fd, buf, cap, MSG_TRUNC);
}

int main(void)
{
	static uint8_t big[VPNC_UDP_RX_BUF + 64], rx[VPNC_UDP_RX_BUF + 64];
	struct sockaddr_in peer = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_storage local;
	socklen_t plen = sizeof(peer);
	struct vpnc_link_cbs cbs = {.packet = on_packet};
	struct vpnc_link *link = NULL;
	uv_loop_t loop;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int big_buf = 1 << 20;

	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&peer, sizeof(peer)) == 0 &&
	      getsockname(fd, (struct sockaddr *)&peer, &plen) == 0);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big_buf, sizeof(big_buf));
	CHECK(uv_loop_init(&loop) == 0);
	CHECK(vpnc_link_udp_open(&loop, (struct sockaddr *)&peer, NULL, true, &cbs, &link) == 0);
	if (link == NULL) {
		printf("test_link_udp: %u passed, %u failed\n", passed, failed);
		return 1;
	}
	CHECK(vpnc_link_local(link, &local) == 0);
	CHECK(connect(fd, (struct sockaddr *)&local, sizeof(struct sockaddr_in)) == 0);

	/* Send: the largest packet in place, a SOCKS IPv6 header in the headroom before it. */
	size_t max = VPNC_PKT_BUF - VPNC_HEADROOM;
	uint8_t *slot = vpnc_link_tx_buf(link);
	uint8_t *h = slot + VPNC_HEADROOM - VPNC_SOCKS_UDP_HDR6;
	fill(h, max + VPNC_SOCKS_UDP_HDR6, 1);
	CHECK(vpnc_link_send(link, h, max + VPNC_SOCKS_UDP_HDR6) == 0);
	CHECK(vpnc_link_flush(link) == 0);
	CHECK(peer_recv(fd, rx, sizeof(rx)) == (ssize_t)(max + VPNC_SOCKS_UDP_HDR6) &&
	      same(rx, max + VPNC_SOCKS_UDP_HDR6, 1));
	/* Past the slot's end, in place or built elsewhere: refused, nothing cut. */
	slot = vpnc_link_tx_buf(link);
	CHECK(vpnc_link_send(link, slot + VPNC_HEADROOM, max + 1) == -EMSGSIZE);
	CHECK(vpnc_link_send(link, slot + 100, VPNC_PKT_BUF - 99) == -EMSGSIZE);
	CHECK(vpnc_link_send(link, big, max + 1) == -EMSGSIZE);
	fill(big, max, 2);
	CHECK(vpnc_link_send(link, big, max) == 0);
	CHECK(vpnc_link_flush(link) == 0);
	CHECK(peer_recv(fd, rx, sizeof(rx)) == (ssize_t)max && same(rx, max, 2));

	/* Receive: a full packet buffer behind a SOCKS IPv6 header arrives whole. */
	fill(big, VPNC_UDP_RX_BUF, 3);
	CHECK(send(fd, big, VPNC_UDP_RX_BUF, 0) == (ssize_t)VPNC_UDP_RX_BUF);
	run_until_packet(&loop, 1);
	CHECK(got_n == 1 && got_len == VPNC_UDP_RX_BUF && same(got, got_len, 3), "got %u, %zu bytes", got_n,
	      got_len);
	/* One byte more is cut by the kernel: counted, not passed on; the next one arrives. */
	CHECK(send(fd, big, VPNC_UDP_RX_BUF + 1, 0) == (ssize_t)VPNC_UDP_RX_BUF + 1);
	CHECK(send(fd, big, 100, 0) == 100);
	run_until_packet(&loop, 2);
	CHECK(got_n == 2 && got_len == 100, "got %u, %zu bytes", got_n, got_len);
	CHECK(((struct link_udp *)link)->ub.truncated == 1);

	/* Roaming re-path: the same fd, re-connected; batching and GSO survive it. */
	struct link_udp *u = (struct link_udp *)link;
	size_t limit = u->gso_limit;
	bool gso = u->ub.gso;
	int ufd = u->fd;
	enum { N = 8, LEN = 1000 };

	CHECK(vpnc_link_repath(link) == 0);
	CHECK(u->fd == ufd && u->gso_limit == limit && u->ub.gso == gso, "limit %zu -> %zu, gso %d -> %d",
	      limit, u->gso_limit, gso, u->ub.gso);
	/* The port was not bound, so the kernel may have picked a new one: the peer follows. */
	CHECK(vpnc_link_local(link, &local) == 0);
	CHECK(connect(fd, (struct sockaddr *)&local, sizeof(struct sockaddr_in)) == 0);
	for (unsigned i = 0; i < N; i++) {
		slot = vpnc_link_tx_buf(link);
		fill(slot + VPNC_HEADROOM, LEN, (uint8_t)(10 + i));
		CHECK(vpnc_link_send(link, slot + VPNC_HEADROOM, LEN) == 0);
	}
	CHECK(u->ntx == N, "%u packets queued, not sent one by one", u->ntx);
	CHECK(vpnc_link_flush(link) == 0);
	if (gso)
		CHECK(u->ub.pkts_in_msg[0] == N, "one GSO message of %u, got %u", N, u->ub.pkts_in_msg[0]);
	for (unsigned i = 0; i < N; i++)
		CHECK(peer_recv(fd, rx, sizeof(rx)) == LEN && same(rx, LEN, (uint8_t)(10 + i)), "datagram %u", i);
	CHECK(u->gso_limit == limit && u->ub.gso == gso && u->ub.gso_disabled == 0);

	vpnc_link_close(link);
	uv_run(&loop, UV_RUN_DEFAULT);
	CHECK(uv_loop_close(&loop) == 0);
	close(fd);
	printf("test_link_udp: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
