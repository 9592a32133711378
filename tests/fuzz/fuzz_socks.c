/*
 * fuzz_socks.c: libFuzzer target for the SOCKS5 reply parsers (core/socks.c).
 *
 * Input: one byte choosing the command, credentials or not and the read
 * size (1..32), then what the proxy sends. The handshake is fed in reads of
 * that size. Invariants (trap on failure): it never takes more than it was
 * given, never asks to send more than VPNC_SOCKS_MSG_MAX bytes, ends in
 * exactly one of done or failed once it says so (a failure with a reason),
 * and the UDP header check on the same bytes returns a valid header length
 * or an error.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <netinet/in.h>

#include "core/socks.h"

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[VPNC_SOCKS_MSG_MAX];
	struct vpnc_socks s;
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6};
	struct sockaddr_in a4 = {.sin_family = AF_INET};
	size_t outlen, used, off = 1;
	int ret = 0;

	if (size < 1)
		return 0;
	uint8_t ctl = data[0];
	size_t step = (size_t)(ctl >> 3) + 1;
	uint8_t cmd = (ctl & 1) ? VPNC_SOCKS_CMD_UDP_ASSOCIATE : VPNC_SOCKS_CMD_CONNECT;

	check(vpnc_socks_init(&s, cmd, (ctl & 4) ? "vpn.example.org" : NULL, 1194,
	                      (ctl & 2) ? "user" : NULL, (ctl & 2) ? "pass" : NULL) == 0);
	check(vpnc_socks_start(&s, out, sizeof(out)) == 3);
	while (off < size) {
		size_t n = size - off < step ? size - off : step;

		ret = vpnc_socks_feed(&s, data + off, n, &used, out, sizeof(out), &outlen);
		check(used <= n && outlen <= sizeof(out));
		off += used;
		if (ret != 0)
			break;
		check(used == n || outlen > 0);
	}
	if (ret < 0)
		check(s.state == VPNC_SOCKS_FAILED && s.why != NULL);
	if (ret == 1)
		check(s.state == VPNC_SOCKS_DONE);
	vpnc_socks_wipe(&s);

	int h4 = vpnc_socks_udp_strip(data, size, (struct sockaddr *)&a4);
	int h6 = vpnc_socks_udp_strip(data, size, (struct sockaddr *)&a6);
	check(h4 < 0 || (h4 == VPNC_SOCKS_UDP_HDR4 && size >= (size_t)h4));
	check(h6 < 0 || (h6 == VPNC_SOCKS_UDP_HDR6 && size >= (size_t)h6));
	return 0;
}
