/*
 * test_netwatch.c: roaming's view of the network (os/netwatch.h and the
 * route lookup's preferred source) against a real kernel, inside a private
 * network namespace created by this process (needs root; exit 77 otherwise).
 *
 * An "uplink" TUN with an address and a default route plays the physical
 * network, a second TUN the VPN device. Address and route changes on the
 * uplink must be reported, changes on the VPN device must not (they are
 * vpnc's own), and the route lookup must follow the source address. A veth
 * whose peer is down has no carrier: the lookup must say so, and the carrier
 * coming must be reported.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include "os/netwatch.h"
#include "os/os.h"

#include "../check.h"
#include "../netns.h"

static int write_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

/*
 * redirect-gateway's host route to the server went through a link that is
 * gone: the route outside the TUN is found past 0/1 and 128/1, and the host
 * route (and its record) move there. Then the default route moves to a new
 * link while the old one stays up: the host route follows it, and back.
 */
static void test_repin(struct vpnc_nl *nl, const struct vpnc_tun *up, const struct vpnc_tun *vpn)
{
	struct vpnc_tun old = {.fd = -1};
	struct vpnc_netcfg *nc = calloc(1, sizeof(*nc));
	struct vpnc_nl_path p;
	uint8_t srv[4]; /* b4()'s ring is reused below */

	memcpy(srv, b4("198.51.100.7"), sizeof(srv));

	if (nc == NULL)
		return;
	CHECK(vpnc_nl_route(nl, true, AF_INET, b4("0.0.0.0"), 1, NULL, vpn->ifindex, -1) == 0, "0/1 via VPN");
	CHECK(vpnc_nl_route(nl, true, AF_INET, b4("128.0.0.0"), 1, NULL, vpn->ifindex, -1) == 0, "128/1 via VPN");
	CHECK(vpnc_nl_route_lookup(nl, AF_INET, srv, &p) == 0 && p.ifindex == vpn->ifindex,
	      "with redirect-gateway's halves the server is reached through the VPN");
	CHECK(vpnc_nl_route_lookup_outside(nl, AF_INET, srv, vpn->ifindex, NULL, &p) == 0 &&
	      p.ifindex == up->ifindex && p.has_gw && memcmp(p.gw, b4("192.0.2.254"), 4) == 0,
	      "outside the VPN: the uplink's default route");

	/* The link the host route went through, then gone with it. */
	CHECK(vpnc_tun_open("old0", &old) == 0, "old link");
	CHECK(vpnc_nl_link_up(nl, old.ifindex, 1500, 0) == 0, "old link up");
	CHECK(vpnc_nl_addr(nl, true, old.ifindex, AF_INET, b4("203.0.113.1"), 24, NULL) == 0, "old address");
	CHECK(vpnc_nl_route(nl, true, AF_INET, srv, 32, b4("203.0.113.254"), old.ifindex, -1) == 0,
	      "host route via the old link");
	nc->applied = true;
	nc->server_family = AF_INET;
	memcpy(nc->server, srv, 4);
	nc->items[0] = (struct vpnc_netcfg_item){.kind = VPNC_NETCFG_ROUTE, .family = AF_INET, .prefix = 32,
	                                         .has_gw = true, .ifindex = old.ifindex, .metric = -1};
	memcpy(nc->items[0].addr, srv, 4);
	memcpy(nc->items[0].gw, b4("203.0.113.254"), 4);
	nc->n = 1;
	CHECK(vpnc_nl_route_lookup(nl, AF_INET, srv, &p) == 0 && p.ifindex == old.ifindex, "host route in use");
	vpnc_tun_close(&old);
	CHECK(vpnc_nl_route_lookup(nl, AF_INET, srv, &p) == 0 && p.ifindex == vpn->ifindex,
	      "the old link gone, the server's route leads into the VPN");

	CHECK(vpnc_netcfg_repin_server(nc, nl, vpn->ifindex) == 0, "host route moved");
	CHECK(vpnc_nl_route_lookup(nl, AF_INET, srv, &p) == 0 && p.ifindex == up->ifindex && p.has_src &&
	      memcmp(p.src, b4("192.0.2.5"), 4) == 0, "the server is reached through the uplink again");
	CHECK(nc->n == 1 && nc->items[0].ifindex == up->ifindex && memcmp(nc->items[0].gw, b4("192.0.2.254"), 4) == 0,
	      "the record follows");
	CHECK(vpnc_netcfg_repin_server(nc, nl, vpn->ifindex) == -EALREADY, "in place: nothing to move");

	/* The default route moves to a new link while the uplink stays up: the host route follows. */
	struct vpnc_tun nu = {.fd = -1};
	CHECK(vpnc_tun_open("new0", &nu) == 0, "new link");
	CHECK(vpnc_nl_link_up(nl, nu.ifindex, 1500, 0) == 0, "new link up");
	CHECK(vpnc_nl_addr(nl, true, nu.ifindex, AF_INET, b4("203.0.113.1"), 24, NULL) == 0, "new address");
	CHECK(vpnc_nl_route(nl, false, AF_INET, b4("0.0.0.0"), 0, b4("192.0.2.254"), up->ifindex, -1) == 0 &&
	      vpnc_nl_route(nl, true, AF_INET, b4("0.0.0.0"), 0, b4("203.0.113.254"), nu.ifindex, -1) == 0,
	      "default route moved to the new link");
	CHECK(vpnc_nl_route_lookup(nl, AF_INET, srv, &p) == 0 && p.ifindex == up->ifindex,
	      "the host route still holds the server on the uplink");
	CHECK(vpnc_netcfg_repin_server(nc, nl, vpn->ifindex) == 0, "host route moved to the new default route");
	CHECK(vpnc_nl_route_lookup(nl, AF_INET, srv, &p) == 0 && p.ifindex == nu.ifindex && p.has_src &&
	      memcmp(p.src, b4("203.0.113.1"), 4) == 0, "the server is reached through the new link");
	CHECK(vpnc_nl_route_exists(nl, AF_INET, srv, 32, b4("192.0.2.254"), up->ifindex) == 0,
	      "the old host route is gone");
	CHECK(nc->n == 1 && nc->items[0].ifindex == nu.ifindex && memcmp(nc->items[0].gw, b4("203.0.113.254"), 4) == 0,
	      "the record follows");
	CHECK(vpnc_netcfg_repin_server(nc, nl, vpn->ifindex) == -EALREADY, "then in place");
	/* The new link gone (with its routes), the uplink's default route back: put back there. */
	vpnc_tun_close(&nu);
	CHECK(vpnc_nl_route(nl, true, AF_INET, b4("0.0.0.0"), 0, b4("192.0.2.254"), up->ifindex, -1) == 0,
	      "the uplink's default route back");
	CHECK(vpnc_netcfg_repin_server(nc, nl, vpn->ifindex) == 0, "host route back on the uplink");
	CHECK(vpnc_nl_route_lookup(nl, AF_INET, srv, &p) == 0 && p.ifindex == up->ifindex,
	      "the server is reached through the uplink again");
	CHECK(vpnc_netcfg_repin_server(nc, nl, vpn->ifindex) == -EALREADY, "and in place");

	CHECK(vpnc_netcfg_unapply(nc, nl) == 0, "the moved host route is removed cleanly");
	CHECK(vpnc_nl_route_exists(nl, AF_INET, srv, 32, NULL, 0) == 0, "and gone");
	nc->applied = true;
	CHECK(vpnc_netcfg_repin_server(nc, nl, vpn->ifindex) == -ENOENT, "nothing to move without a host route");
	(void)vpnc_nl_route(nl, false, AF_INET, b4("0.0.0.0"), 1, NULL, vpn->ifindex, -1);
	(void)vpnc_nl_route(nl, false, AF_INET, b4("128.0.0.0"), 1, NULL, vpn->ifindex, -1);
	free(nc);
}

/*
 * The kernel reports a link's operational state through its link watch,
 * up to a second after the link came up: let those late notifications about
 * the uplink pass before checking what is and is not reported.
 */
static void settle(struct vpnc_netwatch *w, int ignore)
{
	for (int quiet = 0, i = 0; quiet < 12 && i < 40; i++) {
		usleep(100 * 1000);
		quiet = vpnc_netwatch_read(w, ignore) == 0 ? quiet + 1 : 0;
	}
}

/*
 * A link that is up before its carrier (as a NIC before its cable, here a
 * veth whose peer is down): the kernel keeps its routes (flagged linkdown)
 * and the lookup answers with them, so it must say there is no carrier.
 * The peer coming up gives the carrier, which the watch must report even
 * with the peer's own notifications ignored (it stands for the far end).
 */
static void test_carrier(struct vpnc_nl *nl, struct vpnc_netwatch *w)
{
	struct vpnc_nl_path p;
	int got = 0;

	CHECK(system("ip link add cv0 type veth peer name cv1") == 0, "veth pair cv0/cv1");
	int c0 = (int)if_nametoindex("cv0"), c1 = (int)if_nametoindex("cv1");
	CHECK(c0 > 0 && c1 > 0, "veth indexes");
	if (c0 <= 0 || c1 <= 0)
		return;
	CHECK(vpnc_nl_link_up(nl, c0, 1500, 0) == 0, "cv0 up, its peer down");
	CHECK(vpnc_nl_addr(nl, true, c0, AF_INET, b4("198.18.5.1"), 24, NULL) == 0, "cv0 address");
	CHECK(vpnc_nl_route(nl, true, AF_INET6, b6("2001:db8:5::"), 64, NULL, c0, -1) == 0, "cv0 IPv6 route");
	CHECK(vpnc_nl_route_lookup(nl, AF_INET, b4("198.18.5.7"), &p) == 0 && p.ifindex == c0 && p.no_carrier,
	      "IPv4: the route through cv0 is there, without carrier");
	CHECK(vpnc_nl_route_lookup(nl, AF_INET6, b6("2001:db8:5::7"), &p) == 0 && p.ifindex == c0 && p.no_carrier,
	      "IPv6: the same");
	settle(w, 0);

	CHECK(vpnc_nl_link_up(nl, c1, 1500, 0) == 0, "cv1 up: cv0 gets its carrier");
	/*
	 * cv0's carrier is taken in by the kernel's link watch, which may batch
	 * it up to a second; the lookup says "no carrier" until then, and the
	 * change is reported then.
	 */
	for (int i = 0; i < 30; i++) {
		if (vpnc_netwatch_read(w, c1) > 0)
			got = 1;
		if (got && vpnc_nl_route_lookup(nl, AF_INET, b4("198.18.5.7"), &p) == 0 && !p.no_carrier)
			break;
		usleep(100 * 1000);
	}
	CHECK(got == 1, "the carrier coming is reported");
	CHECK(vpnc_nl_route_lookup(nl, AF_INET, b4("198.18.5.7"), &p) == 0 && p.ifindex == c0 && !p.no_carrier,
	      "IPv4: with carrier");
	CHECK(vpnc_nl_route_lookup(nl, AF_INET6, b6("2001:db8:5::7"), &p) == 0 && p.ifindex == c0 && !p.no_carrier,
	      "IPv6: with carrier");
	CHECK(system("ip link del cv0") == 0, "veth pair removed");
	settle(w, 0);
}

static void test_watch(struct vpnc_nl *nl, const struct vpnc_tun *up, const struct vpnc_tun *vpn)
{
	struct vpnc_netwatch *w = NULL;
	struct vpnc_nl_path p;

	CHECK(vpnc_netwatch_open(&w) == 0, "%s", "vpnc_netwatch_open(&w) == 0");
	if (w == NULL)
		return;
	settle(w, vpn->ifindex);
	CHECK(vpnc_netwatch_read(w, vpn->ifindex) == 0, "nothing changed yet");

	/* The path to a far server: the uplink, its gateway, its address as the source. */
	CHECK(vpnc_nl_route_lookup(nl, AF_INET, b4("198.51.100.7"), &p) == 0 && p.ifindex == up->ifindex &&
	      p.has_gw && memcmp(p.gw, b4("192.0.2.254"), 4) == 0, "the route to 198.51.100.7 is the uplink's default");
	CHECK(p.has_src && memcmp(p.src, b4("192.0.2.1"), 4) == 0, "preferred source 192.0.2.1");
	CHECK(!p.no_carrier, "the uplink has a carrier");

	/* The same for IPv6. */
	CHECK(vpnc_nl_route_lookup(nl, AF_INET6, b6("2001:db8:2::7"), &p) == 0 && p.ifindex == up->ifindex &&
	      p.has_src && memcmp(p.src, b6("2001:db8:1::1"), 16) == 0, "IPv6 preferred source 2001:db8:1::1");

	/* vpnc's own device: its address and routes are not a change of the network. */
	CHECK(vpnc_nl_addr(nl, true, vpn->ifindex, AF_INET, b4("10.8.0.2"), 24, NULL) == 0, "VPN address added");
	CHECK(vpnc_nl_route(nl, true, AF_INET, b4("0.0.0.0"), 1, NULL, vpn->ifindex, -1) == 0, "VPN route added");
	CHECK(vpnc_netwatch_read(w, vpn->ifindex) == 0, "the VPN device's address and route are ignored");
	CHECK(vpnc_nl_route(nl, false, AF_INET, b4("0.0.0.0"), 1, NULL, vpn->ifindex, -1) == 0, "VPN route deleted");
	CHECK(vpnc_netwatch_read(w, 0) == 1, "without the ignore, the same kind of change counts");

	/* A new address on the uplink, then the old one goes: reported; the source follows. */
	CHECK(write_sysctl("/proc/sys/net/ipv4/conf/uplink0/promote_secondaries", "1") == 0, "promote_secondaries");
	CHECK(vpnc_nl_addr(nl, true, up->ifindex, AF_INET, b4("192.0.2.5"), 24, NULL) == 0, "uplink address added");
	CHECK(vpnc_netwatch_read(w, vpn->ifindex) == 1, "a new uplink address is reported");
	CHECK(vpnc_netwatch_read(w, vpn->ifindex) == 0, "and read once");
	CHECK(vpnc_nl_addr(nl, false, up->ifindex, AF_INET, b4("192.0.2.1"), 24, NULL) == 0, "old uplink address deleted");
	CHECK(vpnc_netwatch_read(w, vpn->ifindex) == 1, "a deleted uplink address is reported");
	CHECK(vpnc_nl_route_lookup(nl, AF_INET, b4("198.51.100.7"), &p) == 0 && p.has_src &&
	      memcmp(p.src, b4("192.0.2.5"), 4) == 0, "the source moved to 192.0.2.5");

	test_carrier(nl, w);
	test_repin(nl, up, vpn);
	(void)vpnc_netwatch_read(w, vpn->ifindex);

	/* The route goes: reported, and the lookup says there is none. */
	(void)vpnc_nl_route(nl, false, AF_INET, b4("0.0.0.0"), 0, b4("192.0.2.254"), up->ifindex, -1);
	CHECK(vpnc_netwatch_read(w, vpn->ifindex) == 1, "a deleted route is reported");
	int r = vpnc_nl_route_lookup(nl, AF_INET, b4("198.51.100.7"), &p);
	CHECK(r == -ENETUNREACH, "no route to the server: %d", r);
	vpnc_netwatch_close(w);
}

int main(void)
{
	struct vpnc_nl *nl = NULL;
	struct vpnc_tun up = {.fd = -1}, vpn = {.fd = -1};

	if (!netns_enter()) {
		printf("test_netwatch: skipped (needs root and /dev/net/tun)\n");
		return 77;
	}
	if (vpnc_nl_open(&nl) != 0) {
		printf("test_netwatch: cannot open netlink\n");
		return 1;
	}
	CHECK(netns_uplink(nl, &up) == 0, "uplink TUN, up, with its addresses and default routes");
	CHECK(vpnc_tun_open("vpntest%d", &vpn) == 0, "VPN TUN");
	if (up.fd >= 0 && vpn.fd >= 0) {
		CHECK(vpnc_nl_link_up(nl, vpn.ifindex, 1500, 0) == 0, "VPN TUN up");
		test_watch(nl, &up, &vpn);
	}
	vpnc_tun_close(&vpn);
	vpnc_tun_close(&up);
	vpnc_nl_close(nl);
	printf("test_netwatch: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
