/*
 * test_tun_offload.c: a real offloading TUN in a private network namespace
 * (needs root; exit 77 otherwise). The test plays the peer behind the TUN:
 * it opens a TCP connection to a socket listening on the TUN's address with
 * hand-made packets, then (1) writes ten data segments merged by vpnc_gro as
 * one super-packet, which the kernel must accept and deliver in order to the
 * socket; (2) has the socket send 14000 bytes, which the kernel hands to the
 * TUN as TSO super-packets: vpnc_gso must split them into valid MSS-sized
 * segments (checked with an independent checksum) carrying the bytes in
 * order. Also: a plain TUN when offloads are not wanted.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/vnet.h"
#include "os/os.h"
#include "os/tun_offload.h"

#include "../naive_csum.h"
#include "../check.h"
#include "../netns.h"

#define LOCAL_IP "10.201.0.1"
#define PEER_IP "10.201.0.2"
#define LPORT 5555
#define PPORT 40000
#define PEER_MSS 1400
#define ISS 1000u
#define SEGS 10
#define SEG_LEN 1000
#define TSO_BYTES (10 * PEER_MSS)

static bool tcp4_valid(const uint8_t *ip, size_t len)
{
	if (len < 40 || fold(sum16(ip, 20, 0)) != 0xffff || g16(ip + 2) != len)
		return false;
	uint32_t s = sum16(ip + 12, 8, 0) + 6 + (uint32_t)(len - 20);
	return fold(sum16(ip + 20, len - 20, s)) == 0xffff;
}

/* A TCPv4 packet from the peer; returns its length. */
static size_t make_tcp(uint8_t *ip, uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *data, size_t n,
                       uint16_t id)
{
	size_t tl = flags & 0x02 ? 24 : 20;
	memset(ip, 0, 20 + tl);
	ip[0] = 0x45;
	p16(ip + 2, (uint16_t)(20 + tl + n));
	p16(ip + 4, id);
	p16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 6;
	inet_pton(AF_INET, PEER_IP, ip + 12);
	inet_pton(AF_INET, LOCAL_IP, ip + 16);
	p16(ip + 10, (uint16_t)~fold(sum16(ip, 20, 0)));
	uint8_t *th = ip + 20;
	p16(th, PPORT);
	p16(th + 2, LPORT);
	p32(th + 4, seq);
	p32(th + 8, ack);
	th[12] = (uint8_t)((tl / 4) << 4);
	th[13] = flags;
	p16(th + 14, 65535);
	if (tl == 24) {
		th[20] = 2;
		th[21] = 4;
		p16(th + 22, PEER_MSS);
	}
	if (n)
		memcpy(th + tl, data, n);
	uint32_t s = sum16(ip + 12, 8, 0) + 6 + (uint32_t)(tl + n);
	p16(th + 16, (uint16_t)~fold(sum16(th, tl + n, s)));
	return 20 + tl + n;
}

static int tun_fd = -1;

/* Writes a plain packet with a zero vnet header. */
static bool write_plain(const uint8_t *ip, size_t len)
{
	static uint8_t f[VPNC_VNET_FRAME_MAX];
	memset(f, 0, VPNC_VNET_HDR_LEN);
	memcpy(f + VPNC_VNET_HDR_LEN, ip, len);
	return write(tun_fd, f, VPNC_VNET_HDR_LEN + len) == (ssize_t)(VPNC_VNET_HDR_LEN + len);
}

/* Reads frames until an IPv4 TCP one from LPORT arrives (or 2 s pass); returns its length or 0. */
static size_t read_tcp(uint8_t *f)
{
	for (int i = 0; i < 200; i++) {
		struct pollfd p = {.fd = tun_fd, .events = POLLIN};
		if (poll(&p, 1, 10) <= 0)
			continue;
		ssize_t n = read(tun_fd, f, VPNC_VNET_FRAME_MAX);
		if (n < VPNC_VNET_HDR_LEN + 40)
			continue;
		const uint8_t *ip = f + VPNC_VNET_HDR_LEN;
		if (ip[0] == 0x45 && ip[9] == 6 && g16(ip + 20) == LPORT)
			return (size_t)n;
	}
	return 0;
}

static int gro_write_errors;

static void gro_to_tun(void *ctx, const uint8_t *frame, size_t len)
{
	(void)ctx;
	if (write(tun_fd, frame, len) != (ssize_t)len)
		gro_write_errors++;
}

static void test_tcp(void)
{
	static uint8_t f[VPNC_VNET_FRAME_MAX], pkt[2048], data[SEGS * SEG_LEN], got[TSO_BYTES + 8192];
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(LPORT)};
	int ls = -1, cs = -1;
	struct vpnc_gro *gro = NULL;

	inet_pton(AF_INET, LOCAL_IP, &sa.sin_addr);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(ls >= 0 && bind(ls, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(ls, 1) == 0, "listen");

	/* Handshake by hand. */
	CHECK(write_plain(pkt, make_tcp(pkt, ISS, 0, 0x02, NULL, 0, 1)), "SYN written");
	size_t n = read_tcp(f);
	const uint8_t *ip = f + VPNC_VNET_HDR_LEN;
	CHECK(n > 0 && ip[33] == 0x12 && g32(ip + 28) == ISS + 1, "SYN-ACK read from the TUN");
	if (n == 0)
		goto out;
	uint32_t srv_seq = g32(ip + 24) + 1;
	CHECK(write_plain(pkt, make_tcp(pkt, ISS + 1, srv_seq, 0x10, NULL, 0, 2)), "ACK written");

	/* (1) GRO: ten segments, one super-packet, one write. */
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + i / 251);
	CHECK(vpnc_gro_new(0, gro_to_tun, NULL, &gro) == 0, "gro_new");
	if (gro == NULL)
		goto out;
	for (unsigned i = 0; i < SEGS; i++) {
		struct vpnc_buf b;
		static uint8_t mem[64 + 2048];
		vpnc_buf_init(&b, mem, sizeof(mem), 64);
		b.len = make_tcp(vpnc_buf_data(&b), ISS + 1 + i * SEG_LEN, srv_seq, i == SEGS - 1 ? 0x18 : 0x10,
		                 data + i * SEG_LEN, SEG_LEN, (uint16_t)(3 + i));
		vpnc_gro_add(gro, &b);
	}
	vpnc_gro_flush(gro);
	const struct vpnc_gro_stats *st = vpnc_gro_stats(gro);
	CHECK(st->frames_out == 1 && st->merged == SEGS - 1 && gro_write_errors == 0,
	      "one super-packet written, the kernel took it (%d errors)", gro_write_errors);

	struct pollfd p = {.fd = ls, .events = POLLIN};
	if (poll(&p, 1, 2000) == 1)
		cs = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	CHECK(cs >= 0, "connection accepted");
	if (cs < 0)
		goto out;
	size_t have = 0;
	for (int i = 0; i < 100 && have < sizeof(data); i++) {
		struct pollfd q = {.fd = cs, .events = POLLIN};
		if (poll(&q, 1, 20) != 1)
			continue;
		ssize_t r = recv(cs, got + have, sizeof(got) - have, MSG_DONTWAIT);
		if (r > 0)
			have += (size_t)r;
	}
	CHECK(have == sizeof(data) && memcmp(got, data, sizeof(data)) == 0,
	      "the socket received the %zu merged bytes in order (%zu)", sizeof(data), have);

	/* (2) TSO: the socket's send reaches the TUN as super-packets; split them. */
	static uint8_t out[TSO_BYTES];
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + 1);
	CHECK(send(cs, out, sizeof(out), 0) == (ssize_t)sizeof(out), "socket send");
	uint32_t next = srv_seq;
	size_t bytes = 0;
	unsigned supers = 0, segs = 0;
	bool ok = true;
	for (int i = 0; i < 50 && bytes < sizeof(out); i++) {
		n = read_tcp(f);
		if (n == 0)
			break;
		struct vpnc_gso g;
		uint8_t *s;
		size_t sl;
		int k = vpnc_gso_begin(&g, f, n);
		ok &= k > 0;
		if (k <= 0)
			break;
		if (f[1] == VPNC_VNET_GSO_TCPV4 && k > 1)
			supers++;
		while (vpnc_gso_next(&g, &s, &sl) == 1) {
			segs++;
			size_t pl = sl - 20 - (size_t)(s[32] >> 4) * 4;
			ok &= tcp4_valid(s, sl) && pl <= PEER_MSS;
			if (g32(s + 24) == next && pl > 0 && bytes + pl <= sizeof(out)) {
				ok &= memcmp(s + sl - pl, out + bytes, pl) == 0;
				bytes += pl;
				next += (uint32_t)pl;
			}
		}
	}
	CHECK(ok && bytes == sizeof(out), "TSO split: %u segments, %zu bytes valid and in order", segs, bytes);
	CHECK(supers >= 1, "the kernel sent super-packets (%u)", supers);
out:
	vpnc_gro_free(gro);
	if (cs >= 0)
		close(cs);
	if (ls >= 0)
		close(ls);
}

int main(void)
{
	struct vpnc_nl *nl = NULL;
	struct vpnc_tun t = {.fd = -1}, plain = {.fd = -1};

	if (!netns_enter()) {
		printf("test_tun_offload: skipped (needs root and /dev/net/tun)\n");
		return 77;
	}
	CHECK(vpnc_tun_offload_open("vpncoff%d", false, &plain) == 0 && plain.fd >= 0, "plain TUN when not wanted");
	vpnc_tun_close(&plain);
	CHECK(vpnc_tun_offload_open("bad/name", true, &plain) == -EINVAL && plain.fd < 0, "bad name refused");

	int ret = vpnc_tun_offload_open("vpncoff%d", true, &t);
	CHECK(ret >= 0 && (ret & VPNC_TUN_OFF_VNET) && (ret & VPNC_TUN_OFF_TSO), "offloads on (%d)", ret);
	printf("offloads: %s%s%s\n", ret & VPNC_TUN_OFF_VNET ? "vnet " : "", ret & VPNC_TUN_OFF_TSO ? "tso " : "",
	       ret & VPNC_TUN_OFF_USO ? "uso" : "");
	if (ret < 0 || !(ret & VPNC_TUN_OFF_TSO) || vpnc_nl_open(&nl) != 0)
		goto out;
	uint8_t a[4];
	inet_pton(AF_INET, LOCAL_IP, a);
	CHECK(vpnc_nl_addr(nl, true, t.ifindex, AF_INET, a, 24, NULL) == 0, "address");
	CHECK(vpnc_nl_link_up(nl, t.ifindex, 1500, 1000) == 0, "link up");
	tun_fd = t.fd;
	test_tcp();
out:
	if (nl)
		vpnc_nl_close(nl);
	vpnc_tun_close(&t);
	printf("test_tun_offload: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
