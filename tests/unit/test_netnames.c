/*
 * test_netnames.c: the small shared address and name helpers: netmask to
 * prefix length (core/ip4.h), the DNS name check (core/dnsname.c) and the
 * IPv4 gateway of pushed routes (vpnc_push_vpn_gateway4 in vpnc/push.h).
 */
#include <string.h>

#include "core/dnsname.h"
#include "core/ip4.h"
#include "vpnc/push.h"

#include "../check.h"

static void test_mask(void)
{
	CHECK(vpnc_ip4_mask_prefix(0xffffff00u) == 24);
	CHECK(vpnc_ip4_mask_prefix(0xffffffffu) == 32);
	CHECK(vpnc_ip4_mask_prefix(0) == 0);
	CHECK(vpnc_ip4_mask_prefix(0xfffffffcu) == 30);
	CHECK(vpnc_ip4_mask_prefix(0x80000000u) == 1);
	CHECK(vpnc_ip4_mask_prefix(0xff00ff00u) == -1);
	CHECK(vpnc_ip4_mask_prefix(0x000000ffu) == -1);
	CHECK(vpnc_ip4_mask_prefix(0xfffffffeu) == 31);
	CHECK(vpnc_ip4_mask_prefix(0x7fffffffu) == -1);
}

static void test_dnsname(void)
{
	char name[300];

	CHECK(vpnc_dnsname_ok("a.b-c.d_e"));
	CHECK(vpnc_dnsname_ok("example.org") && vpnc_dnsname_ok("A9"));
	CHECK(!vpnc_dnsname_ok("a..b") && !vpnc_dnsname_ok(".a") && !vpnc_dnsname_ok("-a"));
	CHECK(!vpnc_dnsname_ok("a b") && !vpnc_dnsname_ok("") && !vpnc_dnsname_ok("a;b"));
	CHECK(!vpnc_dnsname_ok("a.") && !vpnc_dnsname_ok("a.-b") && !vpnc_dnsname_ok("a\nb"));
	CHECK(vpnc_dnsname_ok("a-.b"));
	/* 63-byte labels pass, 64 do not. */
	memset(name, 'l', 63);
	name[63] = '\0';
	CHECK(vpnc_dnsname_ok(name));
	memset(name, 'l', 64);
	name[64] = '\0';
	CHECK(!vpnc_dnsname_ok(name));
	/* 253 bytes in all pass, 254 do not. */
	for (size_t i = 0; i < 253; i++)
		name[i] = i % 2 == 0 ? 'x' : '.';
	name[253] = '\0';
	CHECK(vpnc_dnsname_ok(name));
	name[253] = '.';
	name[254] = 'y';
	name[255] = '\0';
	CHECK(!vpnc_dnsname_ok(name));
}

static void test_vpn_gateway4(void)
{
	struct vpnc_push p;

	vpnc_push_init(&p);
	CHECK(vpnc_push_vpn_gateway4(&p) == 0);
	p.has_ifconfig = true;
	p.topology = VPNC_TOPO_NET30;
	p.ifconfig_mask_or_peer = 0x0a080005u;
	CHECK(vpnc_push_vpn_gateway4(&p) == 0x0a080005u);
	p.topology = VPNC_TOPO_SUBNET;
	p.ifconfig_mask_or_peer = 0xffffff00u;
	CHECK(vpnc_push_vpn_gateway4(&p) == 0);
	p.has_route_gateway = true;
	p.route_gateway = 0x0a080001u;
	CHECK(vpnc_push_vpn_gateway4(&p) == 0x0a080001u);
	p.topology = VPNC_TOPO_P2P;
	p.ifconfig_mask_or_peer = 0x0a080005u;
	CHECK(vpnc_push_vpn_gateway4(&p) == 0x0a080001u);
	p.route_gateway = 0;
	CHECK(vpnc_push_vpn_gateway4(&p) == 0x0a080005u);
}

int main(void)
{
	test_mask();
	test_dnsname();
	test_vpn_gateway4();
	printf("test_netnames: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
