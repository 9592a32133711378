/*
 * test_mss.c: MSS clamping: IPv4 and IPv6 SYNs clamped with a still-valid
 * checksum, smaller MSS and non-SYN packets untouched, every truncation and
 * malformed option list handled without reading past the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mss.h"

#include "../naive_csum.h"
#include "../check.h"

/* The TCP checksum over the pseudo header; 0 when the stored checksum is right. */
static uint16_t tcp_csum(const uint8_t *ip, size_t len, size_t l4, int v6)
{
	uint32_t s = 0;
	size_t tl = len - l4;
	if (v6) {
		s = sum16(ip + 8, 32, s);
		s += (uint32_t)tl + 6;
	} else {
		s = sum16(ip + 12, 8, s);
		s += 6 + (uint32_t)tl;
	}
	s = sum16(ip + l4, tl, s);
	return (uint16_t)~fold(s);
}

static void set_csum(uint8_t *ip, size_t len, size_t l4, int v6)
{
	ip[l4 + 16] = ip[l4 + 17] = 0;
	uint16_t c = tcp_csum(ip, len, l4, v6);
	ip[l4 + 16] = (uint8_t)(c >> 8);
	ip[l4 + 17] = (uint8_t)c;
}

/* Builds a SYN with options NOP NOP MSS(mss) and a payload-free TCP header of 28 bytes. */
static size_t make_syn(uint8_t *p, int v6, uint16_t mss, uint8_t flags, size_t *l4)
{
	size_t ipl = v6 ? 40 : 20;
	memset(p, 0, 128);
	if (v6) {
		p[0] = 0x60;
		p[6] = 6;
		p[7] = 64;
		p[23] = 1;
		p[39] = 2;
	} else {
		p[0] = 0x45;
		p[9] = 6;
		p[8] = 64;
		p[12] = 10;
		p[15] = 1;
		p[16] = 10;
		p[19] = 2;
	}
	uint8_t *t = p + ipl;
	t[0] = 0x30;
	t[1] = 0x39;
	t[3] = 80;
	t[12] = 7 << 4; /* 28 bytes */
	t[13] = flags;
	t[20] = 1;
	t[21] = 1;
	t[22] = 2;
	t[23] = 4;
	t[24] = (uint8_t)(mss >> 8);
	t[25] = (uint8_t)mss;
	t[26] = 1;
	t[27] = 0;
	size_t len = ipl + 28;
	if (!v6) {
		p[2] = (uint8_t)(len >> 8);
		p[3] = (uint8_t)len;
	} else {
		p[5] = 28;
	}
	*l4 = ipl;
	set_csum(p, len, ipl, v6);
	return len;
}

int main(void)
{
	uint8_t p[128];
	size_t l4;

	for (int v6 = 0; v6 <= 1; v6++) {
		size_t len = make_syn(p, v6, 1460, 0x02, &l4);
		CHECK(tcp_csum(p, len, l4, v6) == 0, "test packet checksum valid");
		CHECK(vpnc_mss_clamp(p, len, 1400, 1380), "v%d SYN clamped", v6 ? 6 : 4);
		uint16_t got = (uint16_t)(p[l4 + 24] << 8 | p[l4 + 25]);
		CHECK(got == (v6 ? 1380 : 1400), "v%d MSS now %u", v6 ? 6 : 4, got);
		CHECK(tcp_csum(p, len, l4, v6) == 0, "v%d checksum still valid after clamping", v6 ? 6 : 4);

		len = make_syn(p, v6, 1200, 0x12, &l4);
		CHECK(!vpnc_mss_clamp(p, len, 1400, 1380), "smaller MSS left alone");
		len = make_syn(p, v6, 1460, 0x10, &l4);
		CHECK(!vpnc_mss_clamp(p, len, 1400, 1380), "non-SYN left alone");

		/* Every truncation: no change, no read past the end (ASan watches the heap copy). */
		len = make_syn(p, v6, 1460, 0x02, &l4);
		for (size_t n = 0; n < len; n++) {
			uint8_t *h = malloc(n ? n : 1);
			memcpy(h, p, n);
			bool changed = vpnc_mss_clamp(h, n, 1400, 1380);
			CHECK(!changed || n >= l4 + 26, "truncated to %zu changed a packet", n);
			free(h);
		}
	}
	/* A bad option length (0) and an option running past the header stop the walk. */
	size_t len = make_syn(p, 0, 1460, 0x02, &l4);
	p[l4 + 20] = 8;
	p[l4 + 21] = 0;
	CHECK(!vpnc_mss_clamp(p, len, 1400, 1380), "zero option length stops");
	len = make_syn(p, 0, 1460, 0x02, &l4);
	p[l4 + 20] = 8;
	p[l4 + 21] = 40;
	CHECK(!vpnc_mss_clamp(p, len, 1400, 1380), "option past the header stops");
	/* A data offset larger than the packet. */
	len = make_syn(p, 0, 1460, 0x02, &l4);
	p[l4 + 12] = 15 << 4;
	CHECK(!vpnc_mss_clamp(p, len, 1400, 1380), "bad data offset stops");
	/* IPv6 with a hop-by-hop header before TCP. */
	{
		uint8_t q[160];
		size_t ql = make_syn(p, 1, 1460, 0x02, &l4);
		memcpy(q, p, 40);
		q[6] = 0;
		memset(q + 40, 0, 8);
		q[40] = 6;
		q[41] = 0;
		memcpy(q + 48, p + 40, ql - 40);
		CHECK(vpnc_mss_clamp(q, ql + 8, 1400, 1380), "IPv6 SYN behind hop-by-hop clamped");
		q[41] = 200; /* extension header past the end */
		CHECK(!vpnc_mss_clamp(q, ql + 8, 1400, 1380), "extension header past the end stops");
	}
	uint16_t m4, m6;
	struct vpnc_mss_frame f = {.mssfix = 1492, .encap = true, .proto = 24};
	vpnc_mss_for_frame(&f, &m4, &m6);
	CHECK(m4 == 1400 && m6 == 1380, "mssfix 1492 over IPv4 with AEAD: %u/%u", m4, m6);
	/* 2.6's mss_fix for AES-256-CBC/SHA1 with peer-id and 'fragment 1200': 1200 - 40 - 28 = 1132,
	 * 1119 in whole blocks less a padding byte, less fragment header and packet id: 1071. */
	f = (struct vpnc_mss_frame){.mssfix = 1200, .encap = true, .proto = 4 + 16 + 20, .block = 16, .payload = 8};
	vpnc_mss_for_frame(&f, &m4, &m6);
	CHECK(m4 == 1071 && m6 == 1051, "CBC: %u/%u", m4, m6);
	f = (struct vpnc_mss_frame){.mssfix = 1300, .fixed = true};
	vpnc_mss_for_frame(&f, &m4, &m6);
	CHECK(m4 == 1260 && m6 == 1240, "fixed: %u/%u", m4, m6);
	f = (struct vpnc_mss_frame){.mssfix = 1450, .proto = 24, .payload = 1};
	vpnc_mss_for_frame(&f, &m4, &m6);
	CHECK(m4 == 1385 && m6 == 1365, "'mssfix 1450' with comp-lzo framing: %u/%u", m4, m6);
	f = (struct vpnc_mss_frame){.mssfix = 60, .encap = true, .link_ipv6 = true, .proto = 24};
	vpnc_mss_for_frame(&f, &m4, &m6);
	CHECK(m4 == 65535 && m6 == 65535, "nothing left: no clamping");
	printf("test_mss: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
