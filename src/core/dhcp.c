/*
 * dhcp.c: the router option of a DHCP reply on its way to a TAP device
 * (dhcp.h), for `route-gateway dhcp`. Peer input: every length is checked
 * before the bytes it covers are read.
 */
#include <string.h>

#include "core/csum.h"
#include "core/dhcp.h"
#include "core/eth.h"
#include "vpnc/buf.h"

#define IP_PROTO_UDP 17
#define UDP_HLEN 8
#define BOOTPS_PORT 67
#define BOOTPC_PORT 68
#define BOOTREPLY 2
/* op .. file, then the magic cookie: where the options start (RFC 2131 section 3). */
#define BOOTP_FIXED_LEN 240
#define OPT_PAD 0
#define OPT_ROUTER 3
#define OPT_MSG_TYPE 53
#define OPT_END 255
#define DHCPOFFER 2
#define DHCPACK 5

/* The DHCP message type in the options o[0..n), or -1 (2.6's get_dhcp_message_type()). */
static int msg_type(const uint8_t *o, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t t = o[i];

		if (t == OPT_PAD) {
			i++;
			continue;
		}
		if (t == OPT_END || n - i < 2 || n - i - 2 < o[i + 1])
			return -1;
		if (t == OPT_MSG_TYPE)
			return o[i + 1] == 1 ? o[i + 2] : -1;
		i += 2u + o[i + 1];
	}
	return -1;
}

/*
 * Takes every router option out of o[0..n) (the rest moves up, the tail
 * becomes PAD), as 2.6's do_extract(); returns the first router address of
 * a well-formed option (a multiple of 4 bytes), 0 if none. *removed says if
 * anything changed.
 */
static uint32_t take_routers(uint8_t *o, size_t n, int *removed)
{
	uint32_t first = 0;
	size_t i = 0;

	while (i < n) {
		uint8_t t = o[i];
		size_t ol;

		if (t == OPT_PAD) {
			i++;
			continue;
		}
		if (t == OPT_END || n - i < 2 || n - i - 2 < o[i + 1])
			break;
		ol = 2u + o[i + 1];
		if (t != OPT_ROUTER) {
			i += ol;
			continue;
		}
		if (first == 0 && o[i + 1] >= 4 && o[i + 1] % 4 == 0)
			first = vpnc_get_u32(o + i + 2);
		memmove(o + i, o + i + ol, n - i - ol);
		memset(o + n - ol, OPT_PAD, ol);
		*removed = 1;
		/* i stays: the next option is here now */
	}
	return first;
}

enum vpnc_dhcp_snoop vpnc_dhcp_snoop(uint8_t *frame, size_t len, uint32_t *router)
{
	uint16_t type;
	int off = vpnc_eth_ip_offset(frame, len, &type);
	size_t ihl, tot, ulen, n;
	uint8_t *ip, *udp, *opts;
	uint32_t gw, sum;
	int removed = 0, mt;

	if (off < 0 || type != VPNC_ETH_P_IPV4 || len - (size_t)off < 20)
		return VPNC_DHCP_NONE;
	ip = frame + off;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	tot = vpnc_get_u16(ip + 2);
	/* Fragments (MF set or an offset) are not whole datagrams. */
	if (ip[9] != IP_PROTO_UDP || ihl < 20 || tot > len - (size_t)off || tot < ihl + UDP_HLEN ||
	    (vpnc_get_u16(ip + 6) & 0x3fff) != 0)
		return VPNC_DHCP_NONE;
	udp = ip + ihl;
	ulen = vpnc_get_u16(udp + 4);
	if (vpnc_get_u16(udp) != BOOTPS_PORT || vpnc_get_u16(udp + 2) != BOOTPC_PORT ||
	    ulen < UDP_HLEN + BOOTP_FIXED_LEN || ulen > tot - ihl || udp[UDP_HLEN] != BOOTREPLY)
		return VPNC_DHCP_NONE;
	opts = udp + UDP_HLEN + BOOTP_FIXED_LEN;
	n = ulen - UDP_HLEN - BOOTP_FIXED_LEN;
	mt = msg_type(opts, n);
	if (mt != DHCPOFFER && mt != DHCPACK)
		return VPNC_DHCP_NONE;
	gw = take_routers(opts, n, &removed);
	if (removed) {
		udp[6] = udp[7] = 0;
		sum = vpnc_csum_pseudo4(ip + 12, ip + 16, IP_PROTO_UDP, (uint32_t)ulen);
		sum = vpnc_csum_partial(udp, ulen, sum);
		uint16_t c = vpnc_csum_finish(sum);
		vpnc_put_u16(udp + 6, c == 0 ? 0xffff : c); /* 0 means "no checksum" in UDP over IPv4 */
	}
	/* 2.6 learns the router from an ACK only: an OFFER may come from a server not chosen. */
	if (mt != DHCPACK || gw == 0)
		return VPNC_DHCP_REPLY;
	*router = gw;
	return VPNC_DHCP_ACK_ROUTER;
}
