/*
 * test_vnet.c: the TUN offload helpers in userspace: the checksum against a
 * naive RFC 1071 sum; GSO splits of synthetic TCPv4, TCPv6 and UDP (v4/v6)
 * super-packets (segment sizes, headers, IDs, sequence numbers, flags and
 * checksums checked with an independent checksum; in-place and copying
 * variants give the same bytes); GSO_NONE checksum completion; malformed
 * frames rejected; every truncation and random corruption handled inside the
 * frame; GRO merging rules, order kept, bounded table; and GRO merge then GSO
 * split giving back the original segments byte for byte.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csum.h"
#include "core/vnet.h"

#include "../naive_csum.h"
#include "../check.h"

/* True if the IP packet's IPv4 header and TCP/UDP checksums are valid (naive sums). */
static bool packet_valid(const uint8_t *ip, size_t len)
{
	size_t l4;
	uint32_t s;
	uint8_t proto;
	if (ip[0] >> 4 == 4) {
		l4 = (size_t)(ip[0] & 15) * 4;
		if (fold(sum16(ip, l4, 0)) != 0xffff || g16(ip + 2) != len)
			return false;
		proto = ip[9];
		s = sum16(ip + 12, 8, 0);
	} else {
		l4 = 40;
		if ((size_t)g16(ip + 4) + 40 != len)
			return false;
		proto = ip[6];
		s = sum16(ip + 8, 32, 0);
	}
	s += proto + (uint32_t)(len - l4);
	if (proto == 17 && g16(ip + l4 + 4) != len - l4)
		return false;
	return fold(sum16(ip + l4, len - l4, s)) == 0xffff;
}

/* ---- synthetic packets ---- */

#define MSS 1000
#define TCP_OPT_LEN 12
#define SEQ0 0xfffff000u /* wraps during the split */
#define ID0 0xfffe       /* wraps too */

static void fill_payload(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

/* IP header at ip for an L4 length; returns its length. */
static size_t put_ip(uint8_t *ip, bool v6, uint8_t proto, size_t l4_len, uint16_t id)
{
	if (v6) {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		ip[1] = 0x0a;
		p16(ip + 4, (uint16_t)l4_len);
		ip[6] = proto;
		ip[7] = 64;
		ip[8] = 0xfd; ip[23] = 1;
		ip[24] = 0xfd; ip[39] = 2;
		return 40;
	}
	memset(ip, 0, 20);
	ip[0] = 0x45;
	p16(ip + 2, (uint16_t)(20 + l4_len));
	p16(ip + 4, id);
	p16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = proto;
	ip[12] = 10; ip[15] = 1;
	ip[16] = 10; ip[19] = 2;
	p16(ip + 10, (uint16_t)~fold(sum16(ip, 20, 0)));
	return 20;
}

/* Fills in a valid L4 checksum (naive). */
static void fix_l4(uint8_t *ip, size_t len)
{
	bool v6 = ip[0] >> 4 == 6;
	size_t l4 = v6 ? 40 : 20;
	uint8_t proto = v6 ? ip[6] : ip[9];
	size_t off = proto == 6 ? 16 : 6;
	uint32_t s = v6 ? sum16(ip + 8, 32, 0) : sum16(ip + 12, 8, 0);
	s += proto + (uint32_t)(len - l4);
	p16(ip + l4 + off, 0);
	uint16_t c = (uint16_t)~fold(sum16(ip + l4, len - l4, s));
	p16(ip + l4 + off, proto == 17 && c == 0 ? 0xffff : c);
}

/* A TCP packet with payload n bytes; returns its length. */
static size_t make_tcp(uint8_t *ip, bool v6, uint32_t seq, uint16_t id, uint8_t flags, size_t n, unsigned seed)
{
	size_t tl = 20 + TCP_OPT_LEN;
	size_t hl = put_ip(ip, v6, 6, tl + n, id);
	uint8_t *th = ip + hl;
	memset(th, 0, tl);
	p16(th, 40000);
	p16(th + 2, 5201);
	p32(th + 4, seq);
	p32(th + 8, 0x01020304);
	th[12] = (uint8_t)((tl / 4) << 4);
	th[13] = flags;
	p16(th + 14, 502);
	th[20] = 1; th[21] = 1; th[22] = 8; th[23] = 10; /* NOP NOP timestamps */
	p32(th + 24, 0x11111111);
	p32(th + 28, 0x22222222);
	fill_payload(th + tl, n, seed);
	fix_l4(ip, hl + tl + n);
	return hl + tl + n;
}

static size_t make_udp(uint8_t *ip, bool v6, uint16_t id, size_t n)
{
	size_t hl = put_ip(ip, v6, 17, 8 + n, id);
	uint8_t *uh = ip + hl;
	p16(uh, 5000);
	p16(uh + 2, 6000);
	p16(uh + 4, (uint16_t)(8 + n));
	fill_payload(uh + 8, n, 3);
	fix_l4(ip, hl + 8 + n);
	return hl + 8 + n;
}

static void put_vnet(uint8_t *f, uint8_t flags, uint8_t type, uint16_t gso, uint16_t cstart, uint16_t coff)
{
	struct vpnc_vnet_hdr h = {flags, type, 0xffff /* garbage: must be ignored */, gso, cstart, coff};
	vpnc_vnet_hdr_put(f, &h);
}

/* ---- checksum ---- */

static uint16_t inv16(uint16_t v) { return (uint16_t)(0xffffu - v); }

static void test_csum(void)
{
	static uint8_t buf[2000];
	bool ok = true;
	fill_payload(buf, sizeof(buf), 99);
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len < 300; len++)
			ok &= vpnc_csum_finish(vpnc_csum_partial(buf + off, len, 0)) == inv16(fold(sum16(buf + off, len, 0)));
	CHECK(ok, "csum_partial matches the naive sum for all lengths and alignments");
	uint32_t a = vpnc_csum_partial(buf, 1000, 0);
	a = vpnc_csum_partial(buf + 1000, 999, a);
	CHECK(vpnc_csum_finish(a) == inv16(fold(sum16(buf, 1999, 0))), "chained sums add up");
	memset(buf, 0xff, 64);
	CHECK(vpnc_csum_finish(vpnc_csum_partial(buf, 64, 0)) == 0, "all-ones sums to negative zero");
}

/* ---- GSO ---- */

static uint8_t frame[VPNC_VNET_FRAME_MAX + 64];
static uint8_t frame2[VPNC_VNET_FRAME_MAX + 64];

struct seg_expect {
	bool v6, udp;
	size_t hdr, payload, mss;
	uint8_t last_flags;
	unsigned seed;
};

/* Checks the segments of one super-packet, in place and copied; returns the count. */
static unsigned check_split(size_t flen, const struct seg_expect *e, const char *what)
{
	struct vpnc_gso g, gc;
	static uint8_t segbuf[64 + 4096];
	struct vpnc_buf out;
	unsigned n_exp = (unsigned)((e->payload + e->mss - 1) / e->mss), n = 0;
	bool ok = true, same = true;
	uint8_t *ip;
	size_t ip_len;

	static uint8_t want[VPNC_VNET_MAX_PKT];
	fill_payload(want, e->payload, e->seed);
	memcpy(frame2, frame, flen);
	int ret = vpnc_gso_begin(&g, frame, flen);
	int retc = vpnc_gso_begin(&gc, frame2, flen);
	CHECK(ret == (int)n_exp && retc == ret, "%s: %d segments, expected %u", what, ret, n_exp);
	if (ret <= 0)
		return 0;
	while (vpnc_gso_next(&g, &ip, &ip_len) == 1) {
		vpnc_buf_init(&out, segbuf, sizeof(segbuf), 64);
		int rc = vpnc_gso_next_copy(&gc, &out);
		size_t plen = n + 1 < n_exp ? e->mss : e->payload - (size_t)n * e->mss;
		bool last = n + 1 == n_exp;
		ok &= ip >= frame && ip + ip_len <= frame + flen;
		ok &= ip_len == e->hdr + plen && packet_valid(ip, ip_len);
		if (!e->v6)
			ok &= g16(ip + 4) == (uint16_t)(ID0 + n);
		const uint8_t *l4 = ip + (e->v6 ? 40 : 20);
		if (!e->udp) {
			ok &= g32(l4 + 4) == SEQ0 + (uint32_t)(n * e->mss);
			ok &= l4[13] == (last ? e->last_flags : (uint8_t)(e->last_flags & ~0x09));
		}
		ok &= memcmp(ip + e->hdr, want + (size_t)n * e->mss, plen) == 0;
		same &= rc == 1 && out.len == ip_len && memcmp(vpnc_buf_data(&out), ip, ip_len) == 0;
		n++;
		if (n > n_exp)
			break;
	}
	CHECK(n == n_exp && ok, "%s: segment sizes, headers, seq, flags, payload, checksums", what);
	CHECK(same && vpnc_gso_next_copy(&gc, &out) == 0, "%s: copy variant gives the same segments", what);
	return n;
}

static void build_tcp_frame(size_t *flen, bool v6, size_t payload, uint8_t flags, uint8_t ecn)
{
	/* A super-packet's payload pattern is one run, so segments are its slices. */
	size_t len = make_tcp(frame + VPNC_VNET_HDR_LEN, v6, SEQ0, ID0, flags, payload, 5);
	put_vnet(frame, VPNC_VNET_F_NEEDS_CSUM, (uint8_t)((v6 ? VPNC_VNET_GSO_TCPV6 : VPNC_VNET_GSO_TCPV4) | ecn),
	         MSS, v6 ? 40 : 20, 16);
	*flen = VPNC_VNET_HDR_LEN + len;
}

static void test_gso_tcp(void)
{
	size_t flen;
	struct seg_expect e = {.hdr = 20 + 20 + TCP_OPT_LEN, .mss = MSS, .seed = 5};

	e.payload = 10500;
	e.last_flags = 0x19; /* ACK PSH FIN */
	build_tcp_frame(&flen, false, e.payload, 0x19, 0);
	check_split(flen, &e, "tcp4 10500/1000");

	e.payload = 65535 - 20 - 20 - TCP_OPT_LEN;
	e.last_flags = 0x18;
	build_tcp_frame(&flen, false, e.payload, 0x18, 0);
	check_split(flen, &e, "tcp4 64K");

	e.v6 = true;
	e.hdr = 40 + 20 + TCP_OPT_LEN;
	e.payload = 4000; /* exact multiple: the last segment is full */
	e.last_flags = 0x18;
	build_tcp_frame(&flen, true, e.payload, 0x18, 0);
	check_split(flen, &e, "tcp6 4000/1000");

	e.payload = 600; /* below gso_size: one segment */
	build_tcp_frame(&flen, true, e.payload, 0x18, 0);
	check_split(flen, &e, "tcp6 single");

	/* ECN: CWR only on the first segment. */
	build_tcp_frame(&flen, false, 3000, 0x90, VPNC_VNET_GSO_ECN);
	struct vpnc_gso g;
	uint8_t *ip;
	size_t ip_len;
	unsigned n = 0, cwr = 0;
	if (vpnc_gso_begin(&g, frame, flen) == 3)
		while (vpnc_gso_next(&g, &ip, &ip_len) == 1 && n < 5)
			cwr += (ip[20 + 13] & 0x80) ? (n++ == 0 ? 1 : 10) : (n++, 0);
	CHECK(n == 3 && cwr == 1, "ecn: CWR on the first segment only (%u, %u)", n, cwr);
}

static void test_gso_udp(void)
{
	for (int v6 = 0; v6 <= 1; v6++) {
		size_t hl = v6 ? 40 : 20;
		size_t len = make_udp(frame + VPNC_VNET_HDR_LEN, v6, ID0, 5 * 1200 + 17);
		put_vnet(frame, VPNC_VNET_F_NEEDS_CSUM, VPNC_VNET_GSO_UDP_L4, 1200, (uint16_t)hl, 6);
		struct seg_expect e = {.v6 = v6, .udp = true, .hdr = hl + 8, .payload = 5 * 1200 + 17,
		                       .mss = 1200, .seed = 3};
		check_split(VPNC_VNET_HDR_LEN + len, &e, v6 ? "udp6" : "udp4");
	}
}

static void test_gso_none(void)
{
	struct vpnc_gso g;
	uint8_t *ip;
	size_t ip_len;

	/* A partial checksum as the kernel leaves it: the folded pseudo-header sum in the field. */
	size_t len = make_tcp(frame + VPNC_VNET_HDR_LEN, false, 1, 7, 0x18, 333, 1);
	uint8_t *pkt = frame + VPNC_VNET_HDR_LEN;
	p16(pkt + 36, fold(sum16(pkt + 12, 8, 0) + 6 + (uint32_t)(len - 20)));
	CHECK(!packet_valid(pkt, len), "partial checksum is not final");
	put_vnet(frame, VPNC_VNET_F_NEEDS_CSUM, 0, 0, 20, 16);
	int ret = vpnc_gso_begin(&g, frame, VPNC_VNET_HDR_LEN + len);
	CHECK(ret == 1 && vpnc_gso_next(&g, &ip, &ip_len) == 1 && ip == pkt && ip_len == len &&
	      packet_valid(ip, ip_len) && vpnc_gso_next(&g, &ip, &ip_len) == 0,
	      "GSO_NONE + NEEDS_CSUM: checksum finished");

	/* UDP over IPv6, too. */
	len = make_udp(pkt, true, 0, 99);
	p16(pkt + 46, fold(sum16(pkt + 8, 32, 0) + 17 + (uint32_t)(len - 40)));
	put_vnet(frame, VPNC_VNET_F_NEEDS_CSUM, 0, 0, 40, 6);
	ret = vpnc_gso_begin(&g, frame, VPNC_VNET_HDR_LEN + len);
	CHECK(ret == 1 && vpnc_gso_next(&g, &ip, &ip_len) == 1 && packet_valid(ip, ip_len),
	      "GSO_NONE + NEEDS_CSUM udp6: checksum finished");

	/* No flags: the packet as it is, even if it is not IP at all. */
	memset(pkt, 0xab, 50);
	put_vnet(frame, 0, 0, 0, 0, 0);
	ret = vpnc_gso_begin(&g, frame, VPNC_VNET_HDR_LEN + 50);
	CHECK(ret == 1 && vpnc_gso_next(&g, &ip, &ip_len) == 1 && ip == pkt && ip_len == 50 && pkt[49] == 0xab,
	      "GSO_NONE: passed through untouched");
}

/* A valid TCPv4 GSO frame, then one field broken; begin must refuse it. */
static void test_gso_malformed(void)
{
	struct vpnc_gso g;
	size_t flen;
	uint8_t *pkt = frame + VPNC_VNET_HDR_LEN;
	int ret;
	bool ok;

#define BROKEN(what, expr, want)                                                        \
	do {                                                                            \
		build_tcp_frame(&flen, false, 5000, 0x18, 0);                           \
		expr;                                                                   \
		ret = vpnc_gso_begin(&g, frame, flen);                                  \
		CHECK(ret == (want), "malformed %s: %d", what, ret);                    \
	} while (0)

	BROKEN("nothing (control)", (void)0, 5);
	BROKEN("unknown vnet flag", frame[0] |= 0x04, -EINVAL);
	BROKEN("UFO gso type", frame[1] = 3, -EPROTONOSUPPORT);
	BROKEN("gso type 0x7f", frame[1] = 0x7f, -EPROTONOSUPPORT);
	BROKEN("TCPV6 on an IPv4 packet", frame[1] = VPNC_VNET_GSO_TCPV6, -EINVAL);
	BROKEN("UDP_L4 on a TCP packet", frame[1] = VPNC_VNET_GSO_UDP_L4, -EINVAL);
	BROKEN("gso_size 0", p16(frame + 4, 0), -EINVAL);
	BROKEN("csum_start wrong", frame[6] = 24, -EINVAL);
	BROKEN("csum_offset wrong", frame[8] = 6, -EINVAL);
	BROKEN("ip version 5", pkt[0] = 0x55, -EINVAL);
	BROKEN("ihl 4", pkt[0] = 0x44, -EINVAL);
	BROKEN("ihl 15 (options past the TCP start)", pkt[0] = 0x4f, -EINVAL);
	BROKEN("total length short", p16(pkt + 2, (uint16_t)(g16(pkt + 2) - 1)), -EINVAL);
	BROKEN("total length long", p16(pkt + 2, (uint16_t)(g16(pkt + 2) + 1)), -EINVAL);
	BROKEN("fragment", pkt[6] |= 0x20, -EINVAL);
	BROKEN("protocol UDP", pkt[9] = 17, -EINVAL);
	BROKEN("tcp doff 4", pkt[32] = 0x40, -EINVAL);
	BROKEN("tcp doff 15 past the end", (pkt[32] = 0xf0, flen = VPNC_VNET_HDR_LEN + 70,
	                                    p16(pkt + 2, 70)), -EINVAL);
	BROKEN("ECN on GSO_NONE", frame[1] = VPNC_VNET_GSO_ECN, -EINVAL);
	BROKEN("GSO_NONE csum beyond the end", (frame[1] = 0, p16(frame + 6, 0), *(uint16_t *)(frame + 6) = 20,
	                                       *(uint16_t *)(frame + 8) = (uint16_t)(flen - 10 - 20 - 1)), -EINVAL);
	BROKEN("GSO_NONE csum_start beyond the end", (frame[1] = 0, *(uint16_t *)(frame + 6) = 0xfff0), -EINVAL);
	BROKEN("header only", flen = VPNC_VNET_HDR_LEN, -EINVAL);
#undef BROKEN

	/* IPv6: payload length wrong, an extension header that runs past the end. */
	build_tcp_frame(&flen, true, 3000, 0x18, 0);
	p16(pkt + 4, 100);
	CHECK(vpnc_gso_begin(&g, frame, flen) == -EINVAL, "ipv6 payload length mismatch");
	build_tcp_frame(&flen, true, 3000, 0x18, 0);
	pkt[6] = 0;  /* hop-by-hop in front of ... */
	pkt[41] = 0xff; /* ... claiming 2 KB */
	CHECK(vpnc_gso_begin(&g, frame, flen) == -EINVAL, "ipv6 extension header past the end");

	/* Every truncation of a TSO frame is refused; of a GSO_NONE+csum frame handled in bounds. */
	ok = true;
	build_tcp_frame(&flen, false, 5000, 0x18, 0);
	memcpy(frame2, frame, flen);
	for (size_t cut = 0; cut < flen; cut++) {
		memcpy(frame, frame2, flen);
		ok &= vpnc_gso_begin(&g, frame, cut) < 0;
	}
	CHECK(ok, "every truncation of a TSO frame is refused");
	ok = true;
	for (size_t cut = 0; cut < 200; cut++) {
		memcpy(frame, frame2, flen);
		frame[1] = 0;
		uint8_t *ip;
		size_t ip_len;
		if (vpnc_gso_begin(&g, frame, cut) == 1)
			while (vpnc_gso_next(&g, &ip, &ip_len) == 1)
				ok &= ip >= frame && ip + ip_len <= frame + cut;
	}
	CHECK(ok, "every truncation of a GSO_NONE frame stays in bounds");
}

/* Random corruption of valid frames: whatever begin accepts, next stays inside the frame. */
static void test_gso_random(void)
{
	uint32_t x = 12345;
	unsigned accepted = 0, segs = 0;
	bool ok = true;
	for (int iter = 0; iter < 3000; iter++) {
		size_t flen;
		bool v6 = iter & 1;
		if (iter % 3 == 2) {
			size_t len = make_udp(frame + VPNC_VNET_HDR_LEN, v6, 1, 3000);
			put_vnet(frame, 1, VPNC_VNET_GSO_UDP_L4, 700, v6 ? 40 : 20, 6);
			flen = VPNC_VNET_HDR_LEN + len;
		} else {
			build_tcp_frame(&flen, v6, 3000, 0x18, 0);
		}
		for (int k = 0; k < 1 + iter % 4; k++) {
			x = x * 1103515245u + 12345u;
			size_t pos = (x >> 8) % 80;
			x = x * 1103515245u + 12345u;
			frame[pos] = (uint8_t)(x >> 16);
		}
		struct vpnc_gso g;
		uint8_t *ip;
		size_t ip_len;
		if (vpnc_gso_begin(&g, frame, flen) > 0) {
			accepted++;
			while (vpnc_gso_next(&g, &ip, &ip_len) == 1 && segs < 10000000) {
				ok &= ip >= frame + VPNC_VNET_HDR_LEN && ip + ip_len <= frame + flen;
				segs++;
			}
		}
	}
	CHECK(ok, "random corruption: %u accepted, %u segments, all in bounds", accepted, segs);
}

/* ---- GRO ---- */

#define MAX_FRAMES 64
static uint8_t *frames[MAX_FRAMES];
static size_t frame_lens[MAX_FRAMES];
static unsigned n_frames;

static void collect(void *ctx, const uint8_t *f, size_t len)
{
	(void)ctx;
	if (n_frames < MAX_FRAMES) {
		frames[n_frames] = realloc(frames[n_frames], len);
		memcpy(frames[n_frames], f, len);
		frame_lens[n_frames] = len;
	}
	n_frames++;
}

static uint8_t pktmem[64 + 2048];

/* Offers the packet at ip (len bytes) through a buffer with headroom. */
static int offer(struct vpnc_gro *g, const uint8_t *ip, size_t len)
{
	struct vpnc_buf b;
	vpnc_buf_init(&b, pktmem, sizeof(pktmem), 64);
	uint8_t *dst = vpnc_buf_append(&b, len);
	if (dst == NULL)
		return -ENOSPC;
	memcpy(dst, ip, len);
	return vpnc_gro_add(g, &b);
}

static bool zero_hdr(const uint8_t *f)
{
	static const uint8_t z[VPNC_VNET_HDR_LEN];
	return memcmp(f, z, sizeof(z)) == 0;
}

/* GRO of n segments of one flow, then GSO of the result gives back the originals. */
static void test_gro_roundtrip(bool v6)
{
	enum { N = 12 };
	static uint8_t segs[N][2048];
	size_t lens[N];
	struct vpnc_gro *g = NULL;
	const char *what = v6 ? "tcp6" : "tcp4";
	size_t hl = (v6 ? 40 : 20) + 20 + TCP_OPT_LEN;

	CHECK(vpnc_gro_new(4, collect, NULL, &g) == 0, "gro_new");
	n_frames = 0;
	for (int i = 0; i < N; i++) {
		size_t pl = i == N - 1 ? 321 : MSS;
		lens[i] = make_tcp(segs[i], v6, SEQ0 + (uint32_t)(i * MSS), (uint16_t)(ID0 + i),
		                   i == N - 1 ? 0x18 : 0x10, pl, (unsigned)(i * MSS * 7 + 5));
		CHECK(offer(g, segs[i], lens[i]) == 0, "%s: offer %d", what, i);
	}
	CHECK(n_frames == 0, "%s: nothing written before the flush", what);
	vpnc_gro_flush(g);
	CHECK(n_frames == 1, "%s: one super-packet (%u frames)", what, n_frames);
	if (n_frames == 1) {
		struct vpnc_vnet_hdr h;
		vpnc_vnet_hdr_get(frames[0], &h);
		CHECK(h.flags == VPNC_VNET_F_NEEDS_CSUM && h.gso_type == (v6 ? 4 : 1) && h.gso_size == MSS &&
		      h.csum_start == (v6 ? 40 : 20) && h.csum_offset == 16 && h.hdr_len == hl,
		      "%s: vnet header of the merged packet", what);
		CHECK(frame_lens[0] == VPNC_VNET_HDR_LEN + hl + (N - 1) * MSS + 321, "%s: merged length", what);
		/* Round trip through the splitter. */
		memcpy(frame, frames[0], frame_lens[0]);
		struct vpnc_gso s;
		uint8_t *ip;
		size_t ip_len;
		int n = vpnc_gso_begin(&s, frame, frame_lens[0]);
		bool same = n == N;
		for (int i = 0; same && i < N; i++)
			same = vpnc_gso_next(&s, &ip, &ip_len) == 1 && ip_len == lens[i] && memcmp(ip, segs[i], ip_len) == 0;
		CHECK(same, "%s: GRO then GSO gives back the original segments (%d)", what, n);
	}
	const struct vpnc_gro_stats *st = vpnc_gro_stats(g);
	CHECK(st->pkts_in == N && st->frames_out == 1 && st->merged == N - 1, "%s: stats", what);
	vpnc_gro_free(g);
}

static void test_gro_rules(void)
{
	static uint8_t a[2048], b[2048], c[2048];
	size_t la, lb, lc;
	struct vpnc_gro *g = NULL;

	CHECK(vpnc_gro_new(2, collect, NULL, &g) == 0, "gro_new");
	CHECK(vpnc_gro_new(VPNC_GRO_FLOWS_MAX + 1, collect, NULL, &(struct vpnc_gro *){NULL}) == -EINVAL,
	      "too many flows refused");

	/* A sequence gap: two frames. */
	n_frames = 0;
	la = make_tcp(a, false, 1000, 1, 0x10, MSS, 0);
	lb = make_tcp(b, false, 1000 + MSS + 1, 2, 0x10, MSS, 0);
	offer(g, a, la);
	offer(g, b, lb);
	vpnc_gro_flush(g);
	CHECK(n_frames == 2 && zero_hdr(frames[0]) && zero_hdr(frames[1]) &&
	      memcmp(frames[0] + 10, a, la) == 0 && memcmp(frames[1] + 10, b, lb) == 0,
	      "seq gap: both written as they are, in order");

	/* Different ACK, different window: not merged. */
	n_frames = 0;
	lb = make_tcp(b, false, 1000 + MSS, 2, 0x10, MSS, 0);
	b[28] ^= 1;
	offer(g, a, la);
	offer(g, b, lb);
	vpnc_gro_flush(g);
	CHECK(n_frames == 2, "different ack: not merged");
	n_frames = 0;
	lb = make_tcp(b, false, 1000 + MSS, 2, 0x10, MSS, 0);
	b[34] ^= 1;
	offer(g, a, la);
	offer(g, b, lb);
	vpnc_gro_flush(g);
	CHECK(n_frames == 2, "different window: not merged");

	/* A larger segment after a smaller one: not merged. */
	n_frames = 0;
	la = make_tcp(a, false, 1000, 1, 0x10, 500, 0);
	lb = make_tcp(b, false, 1500, 2, 0x10, MSS, 0);
	offer(g, a, la);
	offer(g, b, lb);
	vpnc_gro_flush(g);
	CHECK(n_frames == 2, "larger segment after a smaller one: not merged");

	/* A short segment ends a flow: a full one after it is not appended. */
	n_frames = 0;
	la = make_tcp(a, false, 1000, 1, 0x10, MSS, 0);
	lb = make_tcp(b, false, 1000 + MSS, 2, 0x10, 500, 0);
	lc = make_tcp(c, false, 1000 + MSS + 500, 3, 0x10, MSS, 0);
	offer(g, a, la);
	offer(g, b, lb);
	offer(g, c, lc);
	vpnc_gro_flush(g);
	CHECK(n_frames == 2 && frames[0][1] == VPNC_VNET_GSO_TCPV4 && zero_hdr(frames[1]),
	      "short segment ends a flow (%u frames)", n_frames);

	/* A FIN of the same connection flushes the pending flow first. */
	n_frames = 0;
	la = make_tcp(a, false, 1000, 1, 0x10, MSS, 0);
	lb = make_tcp(b, false, 1000 + MSS, 2, 0x10, MSS, 0);
	lc = make_tcp(c, false, 1000 + 2 * MSS, 3, 0x11, 0, 0);
	offer(g, a, la);
	offer(g, b, lb);
	offer(g, c, lc);
	CHECK(n_frames == 2 && frames[0][1] == VPNC_VNET_GSO_TCPV4 && zero_hdr(frames[1]) &&
	      memcmp(frames[1] + 10, c, lc) == 0, "FIN after a flow: flow first, then the FIN");
	vpnc_gro_flush(g);
	CHECK(n_frames == 2, "nothing left after the FIN");

	/* PSH ends a flow: the next segment starts a new one. */
	n_frames = 0;
	la = make_tcp(a, false, 1000, 1, 0x18, MSS, 0);
	lb = make_tcp(b, false, 1000 + MSS, 2, 0x10, MSS, 0);
	offer(g, a, la);
	offer(g, b, lb);
	vpnc_gro_flush(g);
	CHECK(n_frames == 2, "PSH ends a flow");

	/* UDP, ICMP: written at once. */
	n_frames = 0;
	la = make_udp(a, false, 1, 100);
	offer(g, a, la);
	CHECK(n_frames == 1 && zero_hdr(frames[0]) && memcmp(frames[0] + 10, a, la) == 0, "udp written at once");

	/* Three connections with two slots: the oldest is evicted, nothing lost. */
	n_frames = 0;
	for (int conn = 0; conn < 3; conn++) {
		for (int i = 0; i < 2; i++) {
			la = make_tcp(a, false, 1000 + (uint32_t)(i * MSS), (uint16_t)i, 0x10, MSS, 0);
			p16(a + 20, (uint16_t)(40000 + conn));
			fix_l4(a, la);
			offer(g, a, la);
		}
	}
	vpnc_gro_flush(g);
	CHECK(n_frames == 3 && frames[0][1] == 1 && frames[1][1] == 1 && frames[2][1] == 1,
	      "bounded table: three merged frames (%u)", n_frames);

	/* No headroom: refused. */
	struct vpnc_buf nb;
	vpnc_buf_init(&nb, pktmem, sizeof(pktmem), 4);
	memcpy(vpnc_buf_append(&nb, la), a, la);
	CHECK(vpnc_gro_add(g, &nb) == -EINVAL, "no headroom: refused");

	/* Every truncation of a TCP segment, v4 and v6: written as it is, exactly once. */
	bool ok = true;
	for (int v6 = 0; v6 <= 1; v6++) {
		la = make_tcp(a, v6, 1000, 1, 0x10, 100, 0);
		for (size_t cut = 0; cut <= la; cut++) {
			n_frames = 0;
			offer(g, a, cut);
			vpnc_gro_flush(g);
			ok &= n_frames == 1 && frame_lens[0] == cut + 10 && memcmp(frames[0] + 10, a, cut) == 0;
		}
	}
	CHECK(ok, "every truncation written once, unchanged");

	/* A bad IPv4 header checksum: not merged, passed as it is. */
	n_frames = 0;
	la = make_tcp(a, false, 1000, 1, 0x10, MSS, 0);
	lb = make_tcp(b, false, 1000 + MSS, 2, 0x10, MSS, 0);
	b[10] ^= 0x55;
	offer(g, a, la);
	offer(g, b, lb);
	vpnc_gro_flush(g);
	CHECK(n_frames == 2 && memcmp(frames[1] + 10, b, lb) == 0, "bad IPv4 header checksum: not merged");
	vpnc_gro_free(g);
}

int main(void)
{
	test_csum();
	test_gso_tcp();
	test_gso_udp();
	test_gso_none();
	test_gso_malformed();
	test_gso_random();
	test_gro_roundtrip(false);
	test_gro_roundtrip(true);
	test_gro_rules();
	for (unsigned i = 0; i < MAX_FRAMES; i++)
		free(frames[i]);
	printf("test_vnet: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
