/*
 * test_udp_batch.c: batched UDP on loopback (IPv4 and IPv6): sendmmsg and
 * UDP_SEGMENT sends of mixed-size packets arrive as the same datagrams, in
 * order, byte for byte, through recvmmsg; runs are cut where sizes change;
 * an oversized datagram is reported with length 0; an empty socket gives 0.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "os/udp_batch.h"

#include "../check.h"
#define N_PKTS 40
#define SLOT 2048
#define HEADROOM 64

static uint8_t txmem[N_PKTS][SLOT], rxmem[VPNC_UDP_BATCH_MAX][SLOT];
static struct vpnc_udp_batch txb, rxb;

/* A connected pair of UDP sockets on the loopback of family af. */
static int make_pair(int af, int *a, int *b)
{
	struct sockaddr_storage sa, sb;
	socklen_t la = sizeof(sa), lb = sizeof(sb);

	memset(&sa, 0, sizeof(sa));
	if (af == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&sa;
		s->sin_family = AF_INET;
		s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		la = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&sa;
		s->sin6_family = AF_INET6;
		s->sin6_addr = in6addr_loopback;
		la = sizeof(*s);
	}
	memcpy(&sb, &sa, sizeof(sa));
	lb = la;
	*a = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	*b = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (*a < 0 || *b < 0 || bind(*a, (struct sockaddr *)&sa, la) < 0 || bind(*b, (struct sockaddr *)&sb, lb) < 0 ||
	    getsockname(*a, (struct sockaddr *)&sa, &la) < 0 || getsockname(*b, (struct sockaddr *)&sb, &lb) < 0 ||
	    connect(*a, (struct sockaddr *)&sb, lb) < 0 || connect(*b, (struct sockaddr *)&sa, la) < 0)
		return -errno;
	int big = 4 << 20;
	(void)setsockopt(*b, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	return 0;
}

static void fill(struct vpnc_buf *p, size_t len, unsigned i)
{
	uint8_t *d = vpnc_buf_data(p);
	for (size_t k = 0; k < len; k++)
		d[k] = (uint8_t)(k * 13 + i * 29);
	p->len = len;
}

/* Receives until `want` datagrams arrived or a second passed; checks them against tx. */
static unsigned recv_check(int fd, const struct vpnc_buf *tx, unsigned want, bool *same)
{
	struct vpnc_buf rx[VPNC_UDP_BATCH_MAX];
	unsigned got = 0;

	*same = true;
	for (int rounds = 0; got < want && rounds < 100; rounds++) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, 10) <= 0)
			continue;
		for (unsigned i = 0; i < VPNC_UDP_BATCH_MAX; i++)
			vpnc_buf_init(&rx[i], rxmem[i], SLOT, HEADROOM);
		int r = vpnc_udp_recv(&rxb, rx, VPNC_UDP_BATCH_MAX);
		for (int i = 0; i < r; i++, got++) {
			if (got >= want) {
				*same = false;
				continue;
			}
			*same &= rx[i].len == tx[got].len &&
			         memcmp(vpnc_buf_data(&rx[i]), vpnc_buf_data(&tx[got]), rx[i].len) == 0;
		}
	}
	return got;
}

static void run(int af)
{
	const char *fam = af == AF_INET ? "v4" : "v6";
	struct vpnc_buf tx[N_PKTS];
	int a = -1, b = -1;
	bool same;

	if (make_pair(af, &a, &b) < 0) {
		printf("skipping %s: no loopback socket pair\n", fam);
		goto out;
	}
	vpnc_udp_batch_init(&rxb, b, false);
	struct vpnc_buf one;
	vpnc_buf_init(&one, rxmem[0], SLOT, HEADROOM);
	CHECK(vpnc_udp_recv(&rxb, &one, 1) == 0, "%s: empty socket gives 0", fam);

	/* sendmmsg: mixed sizes, one datagram each. */
	vpnc_udp_batch_init(&txb, a, false);
	CHECK(!txb.gso, "%s: gso off when not asked for", fam);
	for (unsigned i = 0; i < N_PKTS; i++) {
		vpnc_buf_init(&tx[i], txmem[i], SLOT, HEADROOM);
		fill(&tx[i], 100 + i * 37, i);
	}
	int r = vpnc_udp_send(&txb, tx, N_PKTS);
	CHECK(r == N_PKTS, "%s: sendmmsg sent %d", fam, r);
	unsigned got = recv_check(b, tx, N_PKTS, &same);
	CHECK(got == N_PKTS && same, "%s: sendmmsg -> recvmmsg: %u datagrams, same bytes in order", fam, got);

	/* UDP_SEGMENT: 30 x 1200 + 700 in one run, then 9 x 1000 in a second. */
	vpnc_udp_batch_init(&txb, a, true);
	CHECK(txb.gso == vpnc_udp_gso_probe(a), "%s: gso follows the probe", fam);
	if (!txb.gso) {
		printf("%s: kernel without UDP_SEGMENT, GSO part skipped\n", fam);
		goto out;
	}
	for (unsigned i = 0; i < N_PKTS; i++)
		fill(&tx[i], i < 30 ? 1200 : i == 30 ? 700 : 1000, i + 7);
	r = vpnc_udp_send(&txb, tx, N_PKTS);
	CHECK(r == N_PKTS && txb.pkts_in_msg[0] == 31 && txb.pkts_in_msg[1] == 9,
	      "%s: gso send %d in runs of %u and %u", fam, r, txb.pkts_in_msg[0], txb.pkts_in_msg[1]);
	got = recv_check(b, tx, N_PKTS, &same);
	CHECK(got == N_PKTS && same, "%s: UDP_SEGMENT -> recvmmsg: %u datagrams, same bytes in order", fam, got);

	/* 100 equal packets: capped at one call's worth, the rest on the next call. */
	static struct vpnc_buf many[100];
	static uint8_t manymem[100][256];
	for (unsigned i = 0; i < 100; i++) {
		vpnc_buf_init(&many[i], manymem[i], sizeof(manymem[i]), HEADROOM);
		fill(&many[i], 150, i);
	}
	r = vpnc_udp_send(&txb, many, 100);
	int r2 = r > 0 ? vpnc_udp_send(&txb, many + r, 100 - (unsigned)r) : -1;
	CHECK(r == VPNC_UDP_BATCH_MAX && r2 == 100 - VPNC_UDP_BATCH_MAX, "%s: 100 packets in %d + %d", fam, r, r2);
	got = recv_check(b, many, 100, &same);
	CHECK(got == 100 && same, "%s: all 100 arrive in order (%u)", fam, got);

	/* A datagram bigger than the receive buffer: length 0, counted. */
	fill(&tx[0], 1500, 1);
	CHECK(vpnc_udp_send(&txb, tx, 1) == 1, "%s: one big datagram sent", fam);
	struct pollfd pfd = {.fd = b, .events = POLLIN};
	(void)poll(&pfd, 1, 1000);
	struct vpnc_buf small;
	vpnc_buf_init(&small, rxmem[0], 64 + 100, HEADROOM);
	r = vpnc_udp_recv(&rxb, &small, 1);
	CHECK(r == 1 && small.len == 0 && rxb.truncated == 1, "%s: truncated datagram has len 0", fam);
out:
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
}

int main(void)
{
	run(AF_INET);
	run(AF_INET6);
	printf("test_udp_batch: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
