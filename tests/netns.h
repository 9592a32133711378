/*
 * netns.h: the common ground of the unit tests that drive the OS layer
 * against a real kernel in a private network namespace: entering one, address
 * literals as bytes, and an "uplink" TUN that plays the physical network
 * (192.0.2.1/24 and 2001:db8:1::1/64 with default routes via .254 and ::ff).
 * Header-only; include it once per test program, after os/os.h.
 */
#ifndef VPNC_TEST_NETNS_H
#define VPNC_TEST_NETNS_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sys/socket.h>

/* True once in a fresh network namespace with TUN support; false means skip (exit 77). */
static inline bool netns_enter(void)
{
	return geteuid() == 0 && unshare(CLONE_NEWNET) == 0 && vpnc_tun_probe() == 0;
}

/* An IPv4 literal as 4 bytes; a ring of 8, so a call may take several. */
static inline const uint8_t *b4(const char *s)
{
	static uint8_t ring[8][4];
	static int k;
	uint8_t *p = ring[k++ % 8];
	if (inet_pton(AF_INET, s, p) != 1)
		abort();
	return p;
}

/* An IPv6 literal as 16 bytes; a ring of 8 as for b4(). */
static inline const uint8_t *b6(const char *s)
{
	static uint8_t ring[8][16];
	static int k;
	uint8_t *p = ring[k++ % 8];
	if (inet_pton(AF_INET6, s, p) != 1)
		abort();
	return p;
}

/* Opens uplink0, brings it up, and gives it its addresses and default routes; -1 at the first failure. */
static inline int netns_uplink(struct vpnc_nl *nl, struct vpnc_tun *up)
{
	if (vpnc_tun_open("uplink0", up) != 0)
		return -1;
	if (vpnc_nl_link_up(nl, up->ifindex, 1500, 0) != 0)
		return -1;
	if (vpnc_nl_addr(nl, true, up->ifindex, AF_INET, b4("192.0.2.1"), 24, NULL) != 0)
		return -1;
	if (vpnc_nl_addr(nl, true, up->ifindex, AF_INET6, b6("2001:db8:1::1"), 64, NULL) != 0)
		return -1;
	if (vpnc_nl_route(nl, true, AF_INET, b4("0.0.0.0"), 0, b4("192.0.2.254"), up->ifindex, -1) != 0)
		return -1;
	if (vpnc_nl_route(nl, true, AF_INET6, b6("::"), 0, b6("2001:db8:1::ff"), up->ifindex, -1) != 0)
		return -1;
	return 0;
}

#endif
