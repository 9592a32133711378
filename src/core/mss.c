/*
 * mss.c: TCP MSS clamping (mssfix) on packets going into and out of the tunnel.
 *
 * A TCP SYN whose MSS option is larger than what fits the tunnel gets the
 * smaller value, and the TCP checksum is updated incrementally (RFC 1624).
 * The packet is parsed defensively: every header length is checked against
 * the bytes present before it is read, IPv6 extension headers are walked with
 * a bound, and anything unexpected is left untouched.
 */
#include "core/csum.h"
#include "core/eth.h"
#include "core/mss.h"
#include "vpnc/buf.h"

#define IPV4_MIN_HDR 20
#define IPV6_HDR 40
#define TCP_MIN_HDR 20
#define TCP_FLAG_SYN 0x02
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_MSS_LEN 4
#define IPPROTO_TCP_ 6
#define IPV6_MAX_EXT 8

/* Clamps the MSS option of the TCP header at tcp (len bytes available). */
static bool clamp_tcp(uint8_t *tcp, size_t len, uint16_t mss)
{
	if (len < TCP_MIN_HDR || !(tcp[13] & TCP_FLAG_SYN))
		return false;
	size_t hlen = (size_t)(tcp[12] >> 4) * 4;
	if (hlen < TCP_MIN_HDR || hlen > len)
		return false;
	size_t i = TCP_MIN_HDR;
	while (i < hlen) {
		uint8_t kind = tcp[i];
		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= hlen)
			break;
		uint8_t olen = tcp[i + 1];
		if (olen < 2 || i + olen > hlen)
			break;
		if (kind == TCPOPT_MSS && olen == TCPOPT_MSS_LEN) {
			uint16_t old = vpnc_get_u16(tcp + i + 2);
			if (old <= mss)
				return false;
			vpnc_put_u16(tcp + i + 2, mss);
			vpnc_put_u16(tcp + 16, vpnc_csum_update(vpnc_get_u16(tcp + 16), (uint16_t)~old + (uint32_t)mss));
			return true;
		}
		i += olen;
	}
	return false;
}

bool vpnc_mss_clamp(uint8_t *pkt, size_t len, uint16_t mss4, uint16_t mss6)
{
	if (len < 1)
		return false;
	unsigned version = pkt[0] >> 4;
	if (version == 4) {
		if (len < IPV4_MIN_HDR || pkt[9] != IPPROTO_TCP_)
			return false;
		size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
		/* Only the first fragment has the TCP header. */
		if (ihl < IPV4_MIN_HDR || ihl > len || (vpnc_get_u16(pkt + 6) & 0x1fff) != 0)
			return false;
		return clamp_tcp(pkt + ihl, len - ihl, mss4);
	}
	if (version == 6) {
		if (len < IPV6_HDR)
			return false;
		uint8_t next = pkt[6];
		size_t off = IPV6_HDR;
		/* Hop-by-hop (0), routing (43) and destination options (60) may precede TCP. */
		for (int n = 0; n < IPV6_MAX_EXT && (next == 0 || next == 43 || next == 60); n++) {
			if (off + 2 > len)
				return false;
			size_t elen = ((size_t)pkt[off + 1] + 1) * 8;
			if (elen > len - off)
				return false;
			next = pkt[off];
			off += elen;
		}
		if (next != IPPROTO_TCP_)
			return false;
		return clamp_tcp(pkt + off, len - off, mss6);
	}
	return false;
}

bool vpnc_mss_clamp_frame(uint8_t *frame, size_t len, uint16_t mss4, uint16_t mss6)
{
	uint16_t type;
	int off = vpnc_eth_ip_offset(frame, len, &type);

	if (off < 0)
		return false;
	return vpnc_mss_clamp(frame + off, len - (size_t)off, mss4, mss6);
}

static uint16_t mss_or_none(long m)
{
	/* As 2.6, no floor: a small mssfix (or fragment) gives a small MSS. Nothing left (2.6's
	 * unsigned arithmetic wraps there) means no clamping rather than an MSS of 0. */
	return (uint16_t)(m < 1 || m > 65535 ? 65535 : m);
}

void vpnc_mss_for_frame(const struct vpnc_mss_frame *f, uint16_t *mss4, uint16_t *mss6)
{
	long m;

	if (f->fixed) {
		m = (long)f->mssfix - IPV4_MIN_HDR - TCP_MIN_HDR;
	} else {
		long target = (long)f->mssfix - (long)f->proto - (f->encap ? (f->link_ipv6 ? 48 : 28) : 0);
		if (f->block > 0 && target > 0)
			target = target / (long)f->block * (long)f->block - 1;
		m = target - (long)f->payload - IPV4_MIN_HDR - TCP_MIN_HDR;
	}
	*mss4 = mss_or_none(m);
	*mss6 = mss_or_none(m - (IPV6_HDR - IPV4_MIN_HDR));
}
