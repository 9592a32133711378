/*
 * test_os_netlink.c: the OS layer against a real kernel, inside a private
 * network namespace created by this process (needs root; exit 77 otherwise).
 *
 * An "uplink" TUN with an address and default routes plays the physical
 * network; a second TUN is the VPN device. Pushed configurations are applied
 * through vpnc_netcfg_apply(), read back through netlink dumps and /proc,
 * removed with vpnc_netcfg_unapply(), and checked to be gone.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "os/os.h"

#include "../check.h"
#include "../netns.h"

static uint32_t ip4(const char *s)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return ntohl(a.s_addr);
}

/* Looks for a line in a /proc file containing every needle (NULL-terminated list). */
static bool proc_has(const char *path, const char *n1, const char *n2, const char *n3)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		found = strstr(line, n1) != NULL && (n2 == NULL || strstr(line, n2) != NULL) &&
		        (n3 == NULL || strstr(line, n3) != NULL);
	}
	fclose(f);
	return found;
}

/* The Metric column of the /proc/net/route line for dev and destination (hex as the kernel prints it), or -1. */
static long proc_route_metric(const char *dev, const char *dst_hex)
{
	char line[512], ifn[IFNAMSIZ + 1], dst[16];
	unsigned flags;
	long refcnt, use, metric, found = -1;
	FILE *f = fopen("/proc/net/route", "r");

	if (f == NULL)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%16s %15s %*s %x %ld %ld %ld", ifn, dst, &flags, &refcnt, &use, &metric) == 6 &&
		    strcmp(ifn, dev) == 0 && strcmp(dst, dst_hex) == 0)
			found = metric;
	}
	fclose(f);
	return found;
}

static void push_zero(struct vpnc_push *p)
{
	memset(p, 0, sizeof(*p));
	p->ping = p->ping_restart = p->inactive = p->explicit_exit_notify = -1;
}

static void test_tun_names(void)
{
	struct vpnc_tun t;

	CHECK(vpnc_tun_open("a/b", &t) == -EINVAL && t.fd == -1);
	CHECK(vpnc_tun_open("abcdefghijklmnopq", &t) == -EINVAL);
	CHECK(vpnc_tun_open("bad name", &t) == -EINVAL);
	CHECK(vpnc_tun_open("tun", &t) == 0 && strncmp(t.name, "tun", 3) == 0 && t.fd >= 0);
	char name[IFNAMSIZ];
	memcpy(name, t.name, sizeof(name));
	CHECK(if_nametoindex(name) != 0);
	vpnc_tun_close(&t);
	CHECK(t.fd == -1);
	CHECK(if_nametoindex(name) == 0);
	vpnc_tun_close(&t); /* twice is harmless */
}

/* The uplink: 192.0.2.1/24 + 2001:db8:1::1/64, defaults via .254 and ::ff. */
static void test_direct(struct vpnc_nl *nl, const struct vpnc_tun *t)
{
	int mtu = 0;
	bool isup = false;

	CHECK(vpnc_nl_link_up(nl, t->ifindex, 1400, 1000) == 0);
	CHECK(vpnc_nl_link_get(nl, t->ifindex, &mtu, &isup) == 0);
	CHECK(mtu == 1400 && isup);
	CHECK(vpnc_nl_link_get(nl, 99999, &mtu, &isup) < 0);

	CHECK(vpnc_nl_addr(nl, true, t->ifindex, AF_INET, b4("10.1.1.1"), 24, NULL) == 0);
	CHECK(vpnc_nl_addr(nl, true, t->ifindex, AF_INET, b4("10.1.1.1"), 24, NULL) == -EEXIST);
	CHECK(vpnc_nl_addr_exists(nl, t->ifindex, AF_INET, b4("10.1.1.1"), 24) == 1);
	CHECK(vpnc_nl_route(nl, true, AF_INET, b4("10.50.0.0"), 16, b4("10.1.1.9"), t->ifindex, 7) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("10.50.0.0"), 16, b4("10.1.1.9"), t->ifindex) == 1);
	CHECK(proc_has("/proc/net/route", t->name, "0000320A", "0901010A"));
	CHECK(vpnc_nl_route(nl, false, AF_INET, b4("10.50.0.0"), 16, b4("10.1.1.9"), t->ifindex, 7) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("10.50.0.0"), 16, NULL, 0) == 0);
	CHECK(!proc_has("/proc/net/route", t->name, "0000320A", NULL));
	CHECK(vpnc_nl_addr(nl, false, t->ifindex, AF_INET, b4("10.1.1.1"), 24, NULL) == 0);
	CHECK(vpnc_nl_addr_exists(nl, t->ifindex, AF_INET, b4("10.1.1.1"), 24) == 0);

	CHECK(vpnc_nl_addr(nl, true, t->ifindex, AF_INET6, b6("fd11::1"), 64, NULL) == 0);
	CHECK(vpnc_nl_addr_exists(nl, t->ifindex, AF_INET6, b6("fd11::1"), 64) == 1);
	CHECK(proc_has("/proc/net/if_inet6", "fd110000000000000000000000000001", t->name, NULL));
	CHECK(vpnc_nl_route(nl, true, AF_INET6, b6("fd12::"), 48, NULL, t->ifindex, -1) == 0);
	CHECK(proc_has("/proc/net/ipv6_route", "fd120000000000000000000000000000 30", t->name, NULL));
	CHECK(vpnc_nl_route(nl, false, AF_INET6, b6("fd12::"), 48, NULL, t->ifindex, -1) == 0);
	CHECK(!proc_has("/proc/net/ipv6_route", "fd120000000000000000000000000000 30", NULL, NULL));
	CHECK(vpnc_nl_addr(nl, false, t->ifindex, AF_INET6, b6("fd11::1"), 64, NULL) == 0);
	CHECK(!proc_has("/proc/net/if_inet6", "fd110000000000000000000000000001", NULL, NULL));

	/* Bad arguments are refused before anything is sent. */
	CHECK(vpnc_nl_addr(nl, true, t->ifindex, AF_INET, b4("10.1.1.1"), 33, NULL) == -EINVAL);
	CHECK(vpnc_nl_route(nl, true, AF_INET6, b6("::"), 129, NULL, t->ifindex, -1) == -EINVAL);
	CHECK(vpnc_nl_route(nl, true, 99, b6("::"), 1, NULL, t->ifindex, -1) == -EINVAL);
}

static void test_subnet(struct vpnc_nl *nl, const struct vpnc_tun *t, const struct vpnc_tun *up)
{
	static struct vpnc_push p;
	static struct vpnc_netcfg nc;
	struct vpnc_netcfg_opts o = {0};
	int mtu = 0;
	bool isup = false;
	char desc[128];
	const int ti = t->ifindex;

	push_zero(&p);
	p.has_ifconfig = true;
	p.topology = VPNC_TOPO_SUBNET;
	p.ifconfig_local = ip4("10.8.0.2");
	p.ifconfig_mask_or_peer = ip4("255.255.255.0");
	p.has_ifconfig6 = true;
	memcpy(p.ifconfig6_local, b6("fd00:8::2"), 16);
	p.ifconfig6_bits = 64;
	memcpy(p.ifconfig6_remote, b6("fd00:8::1"), 16);
	p.has_route_gateway = true;
	p.route_gateway = ip4("10.8.0.1");
	p.routes[0] = (struct vpnc_route4){.net = ip4("172.16.0.0"), .mask = ip4("255.240.0.0"), .metric = -1};
	p.routes[1] = (struct vpnc_route4){.net = ip4("10.99.1.0"), .mask = ip4("255.255.0.0"), .metric = 5}; /* host bits set */
	p.routes[2] = (struct vpnc_route4){.net = ip4("10.77.0.0"), .mask = ip4("255.0.255.0"), .metric = -1}; /* bad mask */
	p.n_routes = 3;
	memcpy(p.routes6[0].net, b6("fd99::"), 16);
	p.routes6[0].bits = 48;
	p.routes6[0].metric = -1;
	p.n_routes6 = 1;
	p.redirect_gateway = VPNC_RG_ENABLE | VPNC_RG_DEF1 | VPNC_RG_IPV6;
	p.tun_mtu = 1420;
	o.server_family = AF_INET;
	memcpy(o.server, b4("198.51.100.7"), 4);

	vpnc_netcfg_init(&nc);
	CHECK(vpnc_netcfg_apply(&nc, nl, t, &p, &o) == 0);
	CHECK(nc.n_failed == 1); /* only the bad mask */
	CHECK(vpnc_netcfg_apply(&nc, nl, t, &p, &o) == -EALREADY);
	CHECK(vpnc_nl_link_get(nl, ti, &mtu, &isup) == 0 && mtu == 1420 && isup);
	CHECK(vpnc_nl_addr_exists(nl, ti, AF_INET, b4("10.8.0.2"), 24) == 1);
	CHECK(vpnc_nl_addr_exists(nl, ti, AF_INET6, b6("fd00:8::2"), 64) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("172.16.0.0"), 12, b4("10.8.0.1"), ti) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("10.99.0.0"), 16, b4("10.8.0.1"), ti) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("0.0.0.0"), 1, b4("10.8.0.1"), ti) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("128.0.0.0"), 1, b4("10.8.0.1"), ti) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("198.51.100.7"), 32, b4("192.0.2.254"), up->ifindex) == 1);
	CHECK(proc_has("/proc/net/route", t->name, "00000000\t0100080A", "00000080"));
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("fd99::"), 48, NULL, ti) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("::"), 3, NULL, ti) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("2000::"), 4, NULL, ti) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("3000::"), 4, NULL, ti) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("fc00::"), 7, NULL, ti) == 1);
	/* The path to the server still avoids the tunnel. */
	struct vpnc_nl_path path;
	CHECK(vpnc_nl_route_lookup(nl, AF_INET, b4("198.51.100.7"), &path) == 0 &&
	      path.ifindex == up->ifindex && path.has_gw);
	CHECK(vpnc_nl_route_lookup(nl, AF_INET, b4("198.51.100.8"), &path) == 0 && path.ifindex == ti);
	vpnc_netcfg_describe(&nc, desc, sizeof(desc));
	CHECK(strcmp(desc, "10.8.0.2/24, fd00:8::2/64") == 0);

	CHECK(vpnc_netcfg_matches(&nc, &p, &o));
	p.routes[0].metric = 9;
	CHECK(!vpnc_netcfg_matches(&nc, &p, &o));
	p.routes[0].metric = -1;

	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);
	CHECK(!nc.applied && nc.n == 0);
	CHECK(vpnc_nl_addr_exists(nl, ti, AF_INET, b4("10.8.0.2"), 24) == 0);
	CHECK(vpnc_nl_addr_exists(nl, ti, AF_INET6, b6("fd00:8::2"), 64) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("172.16.0.0"), 12, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("0.0.0.0"), 1, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("128.0.0.0"), 1, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("198.51.100.7"), 32, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("fd99::"), 48, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("::"), 3, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("fc00::"), 7, NULL, 0) == 0);
	CHECK(!proc_has("/proc/net/route", t->name, NULL, NULL));
	CHECK(!proc_has("/proc/net/ipv6_route", "fd990000", NULL, NULL));
	/* What vpnc did not add is untouched. */
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("0.0.0.0"), 0, b4("192.0.2.254"), up->ifindex) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("::"), 0, b6("2001:db8:1::ff"), up->ifindex) == 1);
	CHECK(vpnc_nl_addr_exists(nl, up->ifindex, AF_INET, b4("192.0.2.1"), 24) == 1);
}

static void test_net30(struct vpnc_nl *nl, const struct vpnc_tun *t, const struct vpnc_tun *up)
{
	static struct vpnc_push p;
	static struct vpnc_netcfg nc;
	struct vpnc_netcfg_opts o = {0};
	const int ti = t->ifindex;

	push_zero(&p);
	p.has_ifconfig = true;
	p.topology = VPNC_TOPO_NET30;
	p.ifconfig_local = ip4("10.9.0.6");
	p.ifconfig_mask_or_peer = ip4("10.9.0.5");
	p.routes[0] = (struct vpnc_route4){.net = ip4("192.168.50.0"), .mask = ip4("255.255.255.0"), .metric = -1};
	p.routes[1] = (struct vpnc_route4){.net = 0, .mask = 0, .metric = -1}; /* route 0.0.0.0 0.0.0.0 */
	p.routes[2] = (struct vpnc_route4){.net = ip4("198.18.5.0"), .mask = ip4("255.255.255.0"),
	                                   .metric = -1, .net_gateway = true};
	p.n_routes = 3;
	memcpy(p.routes6[0].net, b6("2001:db8:77::"), 16);
	p.routes6[0].bits = 48;
	p.routes6[0].metric = -1;
	p.routes6[0].net_gateway = true;
	p.n_routes6 = 1;
	p.has_ifconfig6 = true;
	memcpy(p.ifconfig6_local, b6("fd00:9::1000"), 16);
	p.ifconfig6_bits = 64;
	p.redirect_gateway = VPNC_RG_ENABLE | VPNC_RG_DEF1 | VPNC_RG_IPV6;
	o.mtu = 1300;
	o.server_family = AF_INET6;
	memcpy(o.server, b6("2001:db8:2::7"), 16);

	vpnc_netcfg_init(&nc);
	CHECK(vpnc_netcfg_apply(&nc, nl, t, &p, &o) == 0);
	CHECK(nc.n_failed == 0);
	CHECK(nc.mtu == 1300);
	CHECK(vpnc_nl_addr_exists(nl, ti, AF_INET, b4("10.9.0.6"), 32) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("192.168.50.0"), 24, b4("10.9.0.5"), ti) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("0.0.0.0"), 1, b4("10.9.0.5"), ti) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("128.0.0.0"), 1, b4("10.9.0.5"), ti) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("2001:db8:2::7"), 128, b6("2001:db8:1::ff"),
	                           up->ifindex) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("2000::"), 4, NULL, ti) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("198.18.5.0"), 24, b4("192.0.2.254"), up->ifindex) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("2001:db8:77::"), 48, b6("2001:db8:1::ff"),
	                           up->ifindex) == 1);
	/* No IPv4 host route: the server is IPv6. */
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("0.0.0.0"), 32, NULL, 0) == 0);
	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);
	CHECK(vpnc_nl_addr_exists(nl, ti, AF_INET, b4("10.9.0.6"), 32) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("192.168.50.0"), 24, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("2001:db8:2::7"), 128, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("2000::"), 4, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("198.18.5.0"), 24, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("2001:db8:77::"), 48, NULL, 0) == 0);

	/* redirect-gateway local: no host route. */
	o.server_family = AF_INET;
	memcpy(o.server, b4("203.0.113.9"), 4);
	p.redirect_gateway |= VPNC_RG_LOCAL;
	CHECK(vpnc_netcfg_apply(&nc, nl, t, &p, &o) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("203.0.113.9"), 32, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("128.0.0.0"), 1, NULL, ti) == 1);
	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);

	/* route-noexec and ifconfig-noexec: only the link is touched. */
	o.route_noexec = true;
	o.ifconfig_noexec = true;
	CHECK(vpnc_netcfg_apply(&nc, nl, t, &p, &o) == 0);
	CHECK(nc.n == 0);
	CHECK(vpnc_nl_addr_exists(nl, ti, AF_INET, b4("10.9.0.6"), 32) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("192.168.50.0"), 24, NULL, 0) == 0);
	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);

	/* route-nopull: the pushed routes were dropped at parse time; what is left
	 * (the profile's own routes) is applied, as OpenVPN 2.6 does. */
	o.route_noexec = false;
	o.ifconfig_noexec = false;
	o.route_nopull = true;
	CHECK(vpnc_netcfg_apply(&nc, nl, t, &p, &o) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("192.168.50.0"), 24, NULL, 0) == 1);
	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("192.168.50.0"), 24, NULL, 0) == 0);

	/* A pre-existing route is not ours: not recorded, not removed. */
	o.route_nopull = false;
	CHECK(vpnc_nl_addr(nl, true, ti, AF_INET, b4("10.9.0.6"), 32, b4("10.9.0.5")) == 0);
	CHECK(vpnc_nl_route(nl, true, AF_INET, b4("192.168.50.0"), 24, NULL, ti, -1) == 0);
	CHECK(vpnc_netcfg_apply(&nc, nl, t, &p, &o) == 0);
	CHECK(nc.n_failed == 2);
	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("192.168.50.0"), 24, NULL, ti) == 1);
	CHECK(vpnc_nl_addr_exists(nl, ti, AF_INET, b4("10.9.0.6"), 32) == 1);
	CHECK(vpnc_nl_route(nl, false, AF_INET, b4("192.168.50.0"), 24, NULL, ti, -1) == 0);
	CHECK(vpnc_nl_addr(nl, false, ti, AF_INET, b4("10.9.0.6"), 32, b4("10.9.0.5")) == 0);
}

/* A TAP (dev tap): the MAC from lladdr, a netmask under net30, IPv6 next hops, no route without a gateway. */
static void test_tap(struct vpnc_nl *nl)
{
	static struct vpnc_push p;
	static struct vpnc_netcfg nc;
	struct vpnc_netcfg_opts o = {.tap = true, .has_lladdr = true,
	                             .lladdr = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x42}};
	struct vpnc_tun t;

	CHECK(vpnc_tun_open_type("tap", true, &t) == 0 && strncmp(t.name, "tap", 3) == 0, "TAP opened");
	if (t.fd < 0)
		return;
	push_zero(&p);
	p.tap = true;
	p.has_ifconfig = true;
	p.topology = VPNC_TOPO_NET30; /* ignored on a TAP */
	p.ifconfig_local = ip4("10.30.0.2");
	p.ifconfig_mask_or_peer = ip4("255.255.255.0");
	p.has_ifconfig6 = true;
	memcpy(p.ifconfig6_local, b6("fd30::1000"), 16);
	p.ifconfig6_bits = 64;
	memcpy(p.ifconfig6_remote, b6("fd30::1"), 16);
	p.has_route_gateway = true;
	p.route_gateway = ip4("10.30.0.1");
	p.routes[0] = (struct vpnc_route4){.net = ip4("10.31.0.0"), .mask = ip4("255.255.0.0"), .metric = -1};
	p.n_routes = 1;
	memcpy(p.routes6[0].net, b6("fd31::"), 16); /* via the ifconfig-ipv6 remote */
	p.routes6[0].bits = 64;
	p.routes6[0].metric = -1;
	memcpy(p.routes6[1].net, b6("fd32::"), 16); /* its own gateway */
	p.routes6[1].bits = 64;
	p.routes6[1].metric = -1;
	memcpy(p.routes6[1].gw, b6("fd30::fe"), 16);
	memcpy(p.routes6[2].net, b6("fd33::"), 16); /* metric 0: on-link, as 2.6 */
	p.routes6[2].bits = 64;
	p.routes6[2].metric = 0;
	p.n_routes6 = 3;
	vpnc_netcfg_init(&nc);
	CHECK(vpnc_netcfg_apply(&nc, nl, &t, &p, &o) == 0);
	CHECK(nc.n_failed == 0, "%u failed", nc.n_failed);
	{
		/* SIOCGIFHWADDR asks this network namespace (sysfs may show another one). */
		struct ifreq ifr;
		int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		memset(&ifr, 0, sizeof(ifr));
		memcpy(ifr.ifr_name, t.name, strnlen(t.name, IFNAMSIZ - 1));
		CHECK(s >= 0 && ioctl(s, SIOCGIFHWADDR, &ifr) == 0 &&
		      memcmp(ifr.ifr_hwaddr.sa_data, o.lladdr, 6) == 0, "lladdr set");
		if (s >= 0)
			close(s);
	}
	CHECK(vpnc_nl_addr_exists(nl, t.ifindex, AF_INET, b4("10.30.0.2"), 24) == 1, "netmask, not a peer");
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("10.31.0.0"), 16, b4("10.30.0.1"), t.ifindex) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("fd31::"), 64, b6("fd30::1"), t.ifindex) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("fd32::"), 64, b6("fd30::fe"), t.ifindex) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("fd33::"), 64, NULL, t.ifindex) == 1);
	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);

	/* route-ipv6-gateway wins over the remote; without either, and without route-gateway, no route. */
	p.has_route6_gateway = true;
	memcpy(p.route6_gateway, b6("fd30::fd"), 16);
	p.n_routes6 = 1;
	CHECK(vpnc_netcfg_apply(&nc, nl, &t, &p, &o) == 0 && nc.n_failed == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("fd31::"), 64, b6("fd30::fd"), t.ifindex) == 1);
	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);
	p.has_route6_gateway = false;
	memset(p.ifconfig6_remote, 0, 16);
	p.has_route_gateway = false;
	CHECK(vpnc_netcfg_apply(&nc, nl, &t, &p, &o) == 0);
	CHECK(nc.n_failed == 2, "both routes skipped: %u", nc.n_failed);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("10.31.0.0"), 16, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("fd31::"), 64, NULL, 0) == 0);
	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);

	/*
	 * route-gateway dhcp: the IPv4 route and redirect-gateway wait for the
	 * gateway (not failures), then come with it; the device's DHCP client
	 * has put no address of the gateway's subnet on yet, so on-link.
	 */
	p.route_gateway_dhcp = true;
	p.has_ifconfig = false;
	p.has_ifconfig6 = false;
	p.n_routes6 = 0;
	p.redirect_gateway = VPNC_RG_ENABLE | VPNC_RG_DEF1;
	CHECK(vpnc_netcfg_apply(&nc, nl, &t, &p, &o) == 0);
	CHECK(nc.n_failed == 0 && nc.n_waiting == 2, "%u failed, %u waiting", nc.n_failed, nc.n_waiting);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("10.31.0.0"), 16, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("0.0.0.0"), 1, NULL, 0) == 0);
	CHECK(vpnc_netcfg_add_gateway(&nc, nl, &t, &p, &o) == -EINVAL, "no gateway yet");
	p.has_route_gateway = true;
	p.route_gateway = ip4("10.40.0.1");
	CHECK(vpnc_netcfg_add_gateway(&nc, nl, &t, &p, &o) == 0);
	CHECK(nc.n_failed == 0 && nc.n_waiting == 0, "%u failed, %u waiting", nc.n_failed, nc.n_waiting);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("10.31.0.0"), 16, b4("10.40.0.1"), t.ifindex) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("0.0.0.0"), 1, b4("10.40.0.1"), t.ifindex) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("128.0.0.0"), 1, b4("10.40.0.1"), t.ifindex) == 1);
	{
		size_t n = nc.n;

		CHECK(vpnc_netcfg_add_gateway(&nc, nl, &t, &p, &o) == 0 && nc.n == n, "again: nothing new");
	}
	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("10.31.0.0"), 16, NULL, 0) == 0, "removed with the rest");
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("0.0.0.0"), 1, NULL, 0) == 0);
	/* Without the option such a gateway is refused on a TAP, as before. */
	p.route_gateway_dhcp = false;
	p.redirect_gateway = 0;
	CHECK(vpnc_netcfg_apply(&nc, nl, &t, &p, &o) == 0 && nc.n_failed == 1 && nc.n_waiting == 0);
	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);
	vpnc_tun_close(&t);
}

/* Items whose TUN vanished count as removed, not as failures. */
static void test_tun_gone(struct vpnc_nl *nl)
{
	static struct vpnc_push p;
	static struct vpnc_netcfg nc;
	struct vpnc_netcfg_opts o = {0};
	struct vpnc_tun t;

	push_zero(&p);
	p.has_ifconfig = true;
	p.topology = VPNC_TOPO_SUBNET;
	p.ifconfig_local = ip4("10.10.0.2");
	p.ifconfig_mask_or_peer = ip4("255.255.255.0");
	p.routes[0] = (struct vpnc_route4){.net = ip4("10.20.0.0"), .mask = ip4("255.255.0.0"), .metric = -1};
	p.n_routes = 1;
	CHECK(vpnc_tun_open("vpnc%d", &t) == 0 && strncmp(t.name, "vpnc", 4) == 0);
	vpnc_netcfg_init(&nc);
	CHECK(vpnc_netcfg_apply(&nc, nl, &t, &p, &o) == 0);
	CHECK(nc.n == 2 && nc.n_failed == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("10.20.0.0"), 16, NULL, t.ifindex) == 1);
	vpnc_tun_close(&t);
	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("10.20.0.0"), 16, NULL, 0) == 0);
	CHECK(vpnc_netcfg_apply(&nc, nl, &t, &p, &o) == -EBADF);
}

/* A subnet push with route-gateway 10.8.0.1, the shape of every test below. */
static void push_subnet(struct vpnc_push *p)
{
	push_zero(p);
	p->route_metric = -1;
	p->has_ifconfig = true;
	p->topology = VPNC_TOPO_SUBNET;
	p->ifconfig_local = ip4("10.8.0.2");
	p->ifconfig_mask_or_peer = ip4("255.255.255.0");
	p->has_route_gateway = true;
	p->route_gateway = ip4("10.8.0.1");
}

/* redirect-gateway block-local and autolocal against the uplink 192.0.2.0/24 (gateway .254). */
static void test_block_local(struct vpnc_nl *nl, const struct vpnc_tun *t, const struct vpnc_tun *up)
{
	static struct vpnc_push p;
	static struct vpnc_netcfg nc;
	struct vpnc_netcfg_opts o = {0};
	struct vpnc_nl_path path;
	const int ti = t->ifindex;

	push_subnet(&p);
	p.redirect_gateway = VPNC_RG_ENABLE | VPNC_RG_DEF1 | VPNC_RG_BLOCK_LOCAL | VPNC_RG_BYPASS_DHCP;
	o.server_family = AF_INET;
	memcpy(o.server, b4("198.51.100.7"), 4);
	vpnc_netcfg_init(&nc);
	CHECK(vpnc_netcfg_apply(&nc, nl, t, &p, &o) == 0 && nc.n_failed == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("192.0.2.0"), 25, b4("10.8.0.1"), ti) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("192.0.2.128"), 25, b4("10.8.0.1"), ti) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("192.0.2.254"), 32, NULL, up->ifindex) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("198.51.100.7"), 32, b4("192.0.2.254"), up->ifindex) == 1);
	/* The LAN now goes through the tunnel; its gateway and the server do not. */
	CHECK(vpnc_nl_route_lookup(nl, AF_INET, b4("192.0.2.50"), &path) == 0 && path.ifindex == ti);
	CHECK(vpnc_nl_route_lookup(nl, AF_INET, b4("192.0.2.254"), &path) == 0 && path.ifindex == up->ifindex);
	CHECK(vpnc_nl_route_lookup(nl, AF_INET, b4("198.51.100.7"), &path) == 0 && path.ifindex == up->ifindex);
	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("192.0.2.0"), 25, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("192.0.2.128"), 25, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("192.0.2.254"), 32, NULL, 0) == 0);
	CHECK(vpnc_nl_route_lookup(nl, AF_INET, b4("192.0.2.50"), &path) == 0 && path.ifindex == up->ifindex);

	/* A server on the LAN: no block-local (it would cut the server off), host route on-link. */
	memcpy(o.server, b4("192.0.2.77"), 4);
	CHECK(vpnc_netcfg_apply(&nc, nl, t, &p, &o) == 0 && nc.n_failed == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("192.0.2.0"), 25, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("192.0.2.77"), 32, NULL, up->ifindex) == 1);
	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);

	/* autolocal: the same on-link server gets no host route; a routed one still does. */
	p.redirect_gateway = VPNC_RG_ENABLE | VPNC_RG_DEF1 | VPNC_RG_AUTO_LOCAL;
	CHECK(vpnc_netcfg_apply(&nc, nl, t, &p, &o) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("192.0.2.77"), 32, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("128.0.0.0"), 1, b4("10.8.0.1"), ti) == 1);
	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);
	memcpy(o.server, b4("198.51.100.7"), 4);
	CHECK(vpnc_netcfg_apply(&nc, nl, t, &p, &o) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("198.51.100.7"), 32, b4("192.0.2.254"), up->ifindex) == 1);
	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("198.51.100.7"), 32, NULL, 0) == 0);

	/* block-local needs a VPN gateway: without one (and no ifconfig) nothing is added. */
	p.has_route_gateway = false;
	p.topology = VPNC_TOPO_SUBNET;
	p.redirect_gateway = VPNC_RG_ENABLE | VPNC_RG_BLOCK_LOCAL;
	CHECK(vpnc_netcfg_apply(&nc, nl, t, &p, &o) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("192.0.2.0"), 25, NULL, 0) == 0);
	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);
}

/* Route keywords, route-metric (pushed and configured), route-ipv6 ::/0 and the IPv6 blocks. */
static void test_route_keywords(struct vpnc_nl *nl, const struct vpnc_tun *t, const struct vpnc_tun *up)
{
	static struct vpnc_push p;
	static struct vpnc_netcfg nc;
	struct vpnc_netcfg_opts o = {0};
	const int ti = t->ifindex;

	push_subnet(&p);
	p.routes[0] = (struct vpnc_route4){.mask = 0xFFFFFFFFu, .metric = -1, .net_gateway = true,
	                                   .net_kind = VPNC_RT_NET_REMOTE_HOST};
	p.routes[1] = (struct vpnc_route4){.mask = 0xFFFFFFFFu, .metric = -1, .net_kind = VPNC_RT_NET_VPN_GATEWAY};
	p.routes[2] = (struct vpnc_route4){.mask = 0xFFFFFFFFu, .metric = 7, .net_kind = VPNC_RT_NET_NET_GATEWAY};
	p.routes[3] = (struct vpnc_route4){.net = ip4("172.20.0.0"), .mask = ip4("255.255.0.0"), .metric = -1};
	p.routes[4] = (struct vpnc_route4){.net = ip4("172.21.0.0"), .mask = ip4("255.255.0.0"), .metric = 0};
	p.n_routes = 5;
	memset(p.routes6[0].net, 0, 16); /* route-ipv6 ::/0 */
	p.routes6[0].bits = 0;
	p.routes6[0].metric = -1;
	p.n_routes6 = 1;
	p.has_ifconfig6 = false; /* so redirect-gateway ipv6 adds no blocks, as in OpenVPN */
	p.redirect_gateway = VPNC_RG_ENABLE | VPNC_RG_IPV6 | VPNC_RG_NO_IPV4;
	p.route_metric = 50;
	o.route_metric = 60; /* the pushed one wins */
	o.server_family = AF_INET;
	memcpy(o.server, b4("198.51.100.7"), 4);
	vpnc_netcfg_init(&nc);
	CHECK(vpnc_netcfg_apply(&nc, nl, t, &p, &o) == 0 && nc.n_failed == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("198.51.100.7"), 32, b4("192.0.2.254"), up->ifindex) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("10.8.0.1"), 32, NULL, ti) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("192.0.2.254"), 32, NULL, ti) == 1);
	/* Metrics in /proc/net/route: destination (little-endian hex), then the metric column. */
	CHECK(proc_route_metric(t->name, "000014AC") == 50); /* 172.20/16: route-metric */
	CHECK(proc_route_metric(t->name, "000015AC") == 0);  /* 172.21/16: metric 0 = none */
	CHECK(proc_route_metric(t->name, "FE0200C0") == 7);  /* net_gateway (192.0.2.254)/32 */
	CHECK(proc_route_metric(t->name, "0100080A") == 50); /* vpn_gateway (10.8.0.1)/32 */
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("::"), 1, NULL, ti) == 1);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("8000::"), 1, NULL, ti) == 1);
	CHECK(proc_has("/proc/net/ipv6_route", "80000000000000000000000000000000 01", "00000032", t->name));
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("2000::"), 4, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("0.0.0.0"), 1, NULL, ti) == 0); /* !ipv4 */
	/* A change of route-metric is a different configuration. */
	CHECK(vpnc_netcfg_matches(&nc, &p, &o));
	p.route_metric = -1;
	CHECK(!vpnc_netcfg_matches(&nc, &p, &o));
	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("10.8.0.1"), 32, NULL, 0) == 0);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, b6("8000::"), 1, NULL, 0) == 0);
	CHECK(!proc_has("/proc/net/route", t->name, NULL, NULL));

	/* The configured route-metric applies when none is pushed; keywords without a value fail alone. */
	o.server_family = AF_INET6;
	memcpy(o.server, b6("2001:db8:2::7"), 16);
	CHECK(vpnc_netcfg_apply(&nc, nl, t, &p, &o) == 0);
	CHECK(nc.n_failed == 2); /* remote_host and net_gateway have no IPv4 value with an IPv6 server */
	CHECK(proc_route_metric(t->name, "000014AC") == 60);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, b4("10.8.0.1"), 32, NULL, ti) == 1);
	CHECK(vpnc_netcfg_unapply(&nc, nl) == 0);
	CHECK(!proc_has("/proc/net/route", t->name, NULL, NULL));
}

int main(void)
{
	struct vpnc_nl *nl = NULL;
	struct vpnc_tun up = {.fd = -1}, t = {.fd = -1};

	if (!netns_enter()) {
		printf("test_os_netlink: skipped (needs root and /dev/net/tun)\n");
		return 77;
	}
	if (vpnc_nl_open(&nl) != 0) {
		printf("test_os_netlink: cannot open netlink\n");
		return 1;
	}
	test_tun_names();
	CHECK(netns_uplink(nl, &up) == 0);
	CHECK(vpnc_tun_open("vpnctest%d", &t) == 0);
	if (t.fd >= 0 && up.fd >= 0) {
		test_direct(nl, &t);
		test_subnet(nl, &t, &up);
		test_net30(nl, &t, &up);
		test_block_local(nl, &t, &up);
		test_route_keywords(nl, &t, &up);
	}
	test_tun_gone(nl);
	test_tap(nl);
	vpnc_tun_close(&t);
	vpnc_tun_close(&up);
	vpnc_nl_close(nl);
	printf("test_os_netlink: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
