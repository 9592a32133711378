/*
 * test_tap.c: what `dev tap` adds to the library: finding the IP packet in
 * an Ethernet frame (plain, one 802.1Q tag, anything else left alone, every
 * truncation), MSS clamping inside frames, the profile options (dev, dev-type,
 * lladdr, tun-mtu-extra), the push read on a TAP (ifconfig's netmask whatever
 * the topology, route-ipv6-gateway and the IPv6 next hop), the OCC string
 * 2.6 sends for a TAP, and the IPv6 gateway across the privsep message.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/eth.h"
#include "core/km2.h"
#include "core/mss.h"
#include "priv/privmsg.h"
#include "vpnc/config.h"
#include "vpnc/push.h"

#include "../check.h"

/* A minimal valid client, as in test_config.c. */
#define BASE "client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote vpn.example.org\n"

static char err[512];

/* An Ethernet frame (optionally tagged) around a TCP SYN with MSS 1460; returns its length. */
static size_t make_frame(uint8_t *f, bool v6, int tags)
{
	size_t off = 12, ipl = v6 ? 40 : 20;
	uint8_t *ip, *t;

	memset(f, 0, 256);
	memset(f, 0x02, 6);
	memset(f + 6, 0x04, 6);
	for (int i = 0; i < tags; i++) {
		f[off] = 0x81;
		f[off + 1] = 0x00;
		f[off + 3] = 7; /* VLAN 7 */
		off += 4;
	}
	f[off] = v6 ? 0x86 : 0x08;
	f[off + 1] = v6 ? 0xDD : 0x00;
	ip = f + off + 2;
	if (v6) {
		ip[0] = 0x60;
		ip[5] = 24;
		ip[6] = 6;
	} else {
		ip[0] = 0x45;
		ip[3] = (uint8_t)(ipl + 24);
		ip[9] = 6;
	}
	t = ip + ipl;
	t[12] = 6 << 4; /* 24-byte header: one MSS option */
	t[13] = 0x02;   /* SYN */
	t[20] = 2;
	t[21] = 4;
	t[22] = 1460 >> 8;
	t[23] = 1460 & 0xFF;
	return off + 2 + ipl + 24;
}

static uint16_t frame_mss(const uint8_t *f, size_t len)
{
	return (uint16_t)(f[len - 2] << 8 | f[len - 1]);
}

static void test_eth_offset(void)
{
	uint8_t f[256];
	uint16_t type = 0;
	size_t len;

	len = make_frame(f, false, 0);
	CHECK(vpnc_eth_ip_offset(f, len, &type) == 14 && type == VPNC_ETH_P_IPV4);
	len = make_frame(f, true, 0);
	CHECK(vpnc_eth_ip_offset(f, len, &type) == 14 && type == VPNC_ETH_P_IPV6);
	len = make_frame(f, false, 1);
	CHECK(vpnc_eth_ip_offset(f, len, &type) == 18 && type == VPNC_ETH_P_IPV4, "one 802.1Q tag");
	/* 2.6 looks through one tag only: a second one (QinQ) is not parsed. */
	len = make_frame(f, false, 2);
	CHECK(vpnc_eth_ip_offset(f, len, &type) == -1, "two tags");
	/* ARP, 802.1ad and a version that does not match the EtherType. */
	len = make_frame(f, false, 0);
	f[12] = 0x08, f[13] = 0x06;
	CHECK(vpnc_eth_ip_offset(f, len, &type) == -1, "ARP");
	f[12] = 0x88, f[13] = 0xA8;
	CHECK(vpnc_eth_ip_offset(f, len, &type) == -1, "802.1ad");
	len = make_frame(f, false, 0);
	f[14] = 0x65;
	CHECK(vpnc_eth_ip_offset(f, len, &type) == -1, "IPv6 header behind EtherType IPv4");
	/* Every truncation, read through a buffer that ends where the frame does. */
	for (int tags = 0; tags < 2; tags++) {
		len = make_frame(f, false, tags);
		for (size_t n = 0; n <= (size_t)(tags ? 18 : 14); n++) {
			uint8_t *copy = malloc(n ? n : 1);

			if (copy == NULL)
				continue;
			memcpy(copy, f, n);
			CHECK(vpnc_eth_ip_offset(copy, n, &type) == -1, "%zu bytes, %d tags", n, tags);
			free(copy);
		}
	}
}

static void test_clamp_frame(void)
{
	uint8_t f[256];
	size_t len;

	len = make_frame(f, false, 0);
	CHECK(vpnc_mss_clamp_frame(f, len, 1356, 1336) && frame_mss(f, len) == 1356, "IPv4 SYN in a frame");
	len = make_frame(f, true, 0);
	CHECK(vpnc_mss_clamp_frame(f, len, 1356, 1336) && frame_mss(f, len) == 1336, "IPv6 SYN in a frame");
	len = make_frame(f, false, 1);
	CHECK(vpnc_mss_clamp_frame(f, len, 1356, 1336) && frame_mss(f, len) == 1356, "SYN behind a VLAN tag");
	len = make_frame(f, false, 2);
	CHECK(!vpnc_mss_clamp_frame(f, len, 1356, 1336) && frame_mss(f, len) == 1460, "QinQ left alone");
	/* The same bytes read as an IP packet (a TUN's rule) would not be clamped: 0x02 is no version. */
	len = make_frame(f, false, 0);
	CHECK(!vpnc_mss_clamp(f, len, 1356, 1336) && frame_mss(f, len) == 1460);
	/* Cut anywhere: never clamped past the end, never a crash. */
	for (size_t n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		if (copy == NULL)
			continue;
		make_frame(f, false, 0);
		memcpy(copy, f, n);
		CHECK(!vpnc_mss_clamp_frame(copy, n, 1356, 1336), "cut at %zu", n);
		free(copy);
	}
}

static struct vpnc_config *parse(const char *extra, int *ret)
{
	char text[1024];
	struct vpnc_config *c = NULL;

	snprintf(text, sizeof(text), "%s%s", BASE, extra);
	*ret = vpnc_config_parse_text("t.ovpn", text, strlen(text), NULL, &c, err, sizeof(err));
	return c;
}

static void config_ok(const char *extra, bool tap, const char *dev)
{
	int ret;
	struct vpnc_config *c = parse(extra, &ret);

	CHECK(ret == 0 && c != NULL, "'%s': %s", extra, err);
	if (c != NULL) {
		CHECK(c->dev_tap == tap && strcmp(c->dev, dev) == 0, "'%s'", extra);
		CHECK(c->net == NULL || c->net->tap == tap, "'%s': the profile's routes know the type", extra);
	}
	vpnc_config_free(c);
}

static void config_err(const char *extra, const char *want)
{
	int ret;
	struct vpnc_config *c = parse(extra, &ret);

	CHECK(ret < 0 && c == NULL && strcmp(err, want) == 0, "'%s': got '%s', want '%s'", extra, err, want);
	vpnc_config_free(c);
}

static void test_config(void)
{
	int ret;
	struct vpnc_config *c;

	config_ok("dev tap\n", true, "tap");
	config_ok("dev tap0\n", true, "tap0");
	config_ok("dev tun\n", false, "tun");
	config_ok("dev vpn0\ndev-type tap\n", true, "vpn0");
	config_ok("dev-type tap\ndev vpn0\n", true, "vpn0");
	/* As 2.6: an explicit dev-type wins over the name. */
	config_ok("dev tap0\ndev-type tun\n", false, "tap0");
	config_ok("dev tun0\ndev-type tap\n", true, "tun0");
	config_ok("dev tap\nroute 10.1.0.0 255.255.0.0\n", true, "tap");
	config_err("dev vpn0\n", "t.ovpn: option 'dev': cannot tell the device type of 'vpn0'; add "
	                         "'dev-type tun' or 'dev-type tap'");
	/* 'dev null' and 'dev-type null' (no device) are test_config.c's. */
	config_err("dev-type ether\n", "t.ovpn:7: option 'dev-type': must be 'tun', 'tap' or 'null'");

	/* lladdr: 2.6's one or two hex digits a group; six groups; unicast, not zero. */
	c = parse("dev tap\nlladdr 2:0:5e:10:0:A1\n", &ret);
	CHECK(ret == 0 && c != NULL && c->has_lladdr, "%s", err);
	if (c != NULL) {
		static const uint8_t want[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0xa1};
		CHECK(memcmp(c->lladdr, want, 6) == 0);
	}
	vpnc_config_free(c);
	config_err("dev tap\nlladdr 02:00:5e:10:00\n",
	           "t.ovpn:8: option 'lladdr': must be a MAC address such as 02:00:5e:10:00:01");
	config_err("dev tap\nlladdr 02:00:5e:10:00:01:02\n",
	           "t.ovpn:8: option 'lladdr': must be a MAC address such as 02:00:5e:10:00:01");
	config_err("dev tap\nlladdr 02:00:5e:100:00:01\n",
	           "t.ovpn:8: option 'lladdr': must be a MAC address such as 02:00:5e:10:00:01");
	config_err("dev tap\nlladdr 02::5e:10:00:01\n",
	           "t.ovpn:8: option 'lladdr': must be a MAC address such as 02:00:5e:10:00:01");
	config_err("dev tap\nlladdr 01:00:5e:10:00:01\n",
	           "t.ovpn:8: option 'lladdr': must be a unicast MAC address other than 00:00:00:00:00:00");
	config_err("dev tap\nlladdr 0:0:0:0:0:0\n",
	           "t.ovpn:8: option 'lladdr': must be a unicast MAC address other than 00:00:00:00:00:00");

	c = parse("dev tap\ntun-mtu-extra 40\n", &ret);
	CHECK(ret == 0 && c != NULL && c->tun_mtu_extra == 40, "%s", err);
	vpnc_config_free(c);
	c = parse("dev tap\n", &ret);
	CHECK(ret == 0 && c != NULL && c->tun_mtu_extra == -1, "default: 2.6's, decided by the type");
	vpnc_config_free(c);
	config_err("tun-mtu-extra x\n", "t.ovpn:7: option 'tun-mtu-extra': must be a number from 0 to 65535");
}

/* A file's TAP and the command line's type, as NetworkManager's plugin runs vpnc (--dev-type tun). */
static int load_with(const char *path, const char *file_dev, char **argv, int argc, struct vpnc_config **c)
{
	char text[512];
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -EIO;
	snprintf(text, sizeof(text), "%s%s", BASE, file_dev);
	fputs(text, f);
	fclose(f);
	*c = NULL;
	return vpnc_config_load(NULL, argc, argv, NULL, c, err, sizeof(err));
}

static void test_cmdline_type(void)
{
	char path[] = "/tmp/vpnct-tap-XXXXXX";
	int fd = mkstemp(path);
	struct vpnc_config *c;
	int ret;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	{
		char *argv[] = {"--config", path, "--dev", "vpn-nm0", "--dev-type", "tun"};

		ret = load_with(path, "dev tap\n", argv, 6, &c);
		CHECK(ret == -EINVAL && c == NULL && strstr(err, "asks for a TAP device") != NULL, "%d %s", ret, err);
		ret = load_with(path, "dev vpn0\ndev-type tap\n", argv, 6, &c);
		CHECK(ret == -EINVAL && c == NULL, "dev-type tap in the file, tun on the command line");
		ret = load_with(path, "dev tun\n", argv, 6, &c);
		CHECK(ret == 0 && c != NULL && !c->dev_tap, "a TUN profile stays fine: %s", err);
		vpnc_config_free(c);
		/* The file's own later 'dev-type tun' is its choice (2.6's last-wins). */
		ret = load_with(path, "dev tap0\ndev-type tun\n", argv, 6, &c);
		CHECK(ret == 0 && c != NULL && !c->dev_tap, "%s", err);
		vpnc_config_free(c);
	}
	{
		/* NetworkManager's plugin with a profile it read as a TAP (--dev-type tap). */
		char *argv[] = {"--config", path, "--dev", "vpnc-nmtap0", "--dev-type", "tap"};

		ret = load_with(path, "dev tap\n", argv, 6, &c);
		CHECK(ret == 0 && c != NULL && c->dev_tap, "%s", err);
		vpnc_config_free(c);
		ret = load_with(path, "dev tun\n", argv, 6, &c);
		CHECK(ret == -EINVAL && c == NULL && strstr(err, "asks for a TUN device") != NULL, "%d %s", ret, err);
		ret = load_with(path, "dev vpn0\ndev-type tun\n", argv, 6, &c);
		CHECK(ret == -EINVAL && c == NULL, "dev-type tun in the file, tap on the command line");
		ret = load_with(path, "dev tun0\ndev-type tap\n", argv, 6, &c);
		CHECK(ret == 0 && c != NULL && c->dev_tap, "%s", err);
		vpnc_config_free(c);
	}
	{
		char *argv[] = {"--config", path, "--dev", "tap5"};

		ret = load_with(path, "dev tap\n", argv, 4, &c);
		CHECK(ret == 0 && c != NULL && c->dev_tap && strcmp(c->dev, "tap5") == 0, "%s", err);
		vpnc_config_free(c);
	}
	unlink(path);
}

static void test_push(void)
{
	static struct vpnc_push p;
	static const char reply[] = "route-gateway 10.8.0.1,ifconfig 10.8.0.2 255.255.255.0,"
	                            "ifconfig-ipv6 fd00::1000/64 fd00::1,route-ipv6 fd01::/64,"
	                            "route-ipv6-gateway fd00::fe";
	uint8_t a[16];

	/* On a TAP, topology is ignored: the second word is a netmask even under net30 (the default). */
	vpnc_push_init(&p);
	p.tap = true;
	CHECK(vpnc_push_parse(&p, reply, strlen(reply), NULL, NULL) == 0 && p.n_rejected == 0);
	CHECK(p.has_ifconfig && p.topology == VPNC_TOPO_SUBNET && p.ifconfig_mask_or_peer == 0xFFFFFF00u);
	CHECK(vpnc_push_vpn_gateway4(&p) == 0x0A080001u, "route-gateway is the IPv4 next hop");
	CHECK(p.has_route6_gateway && p.n_ignored == 0);
	inet_pton(AF_INET6, "fd00::fe", a);
	CHECK(vpnc_push_vpn_gateway6(&p) != NULL && memcmp(vpnc_push_vpn_gateway6(&p), a, 16) == 0,
	      "route-ipv6-gateway wins over the ifconfig-ipv6 remote");
	p.has_route6_gateway = false;
	inet_pton(AF_INET6, "fd00::1", a);
	CHECK(vpnc_push_vpn_gateway6(&p) != NULL && memcmp(vpnc_push_vpn_gateway6(&p), a, 16) == 0,
	      "else the ifconfig-ipv6 remote");
	memset(p.ifconfig6_remote, 0, 16);
	CHECK(vpnc_push_vpn_gateway6(&p) == NULL, "else none");
	vpnc_push_clear(&p);

	/* A netmask that is not one is refused on a TAP as with topology subnet. */
	vpnc_push_init(&p);
	p.tap = true;
	CHECK(vpnc_push_parse(&p, "ifconfig 10.8.0.2 10.8.0.1", 26, NULL, NULL) == 0);
	CHECK(!p.has_ifconfig && p.n_rejected == 1);
	vpnc_push_clear(&p);

	/* On a TUN: net30's peer, and route-ipv6-gateway counted as ignored (2.6 uses it on TAP only). */
	vpnc_push_init(&p);
	CHECK(vpnc_push_parse(&p, reply, strlen(reply), NULL, NULL) == 0);
	CHECK(p.topology == VPNC_TOPO_NET30 && p.n_ignored == 1);
	vpnc_push_clear(&p);
}

static void test_occ(void)
{
	char out[512];

	/* 2.6 with dev tap: dev-type tap, and tun-mtu-extra's 32 in link-mtu (1541 + 32). */
	CHECK(vpnc_km2_occ_string(out, sizeof(out), &(struct vpnc_km2_occ){.tcp = false, .server = false, .tun_mtu = 1500, .key_direction = -1, .auth_digest = "SHA1", .tls_auth = false, .comp = false, .tap = true, .mtu_extra = 32}) > 0);
	CHECK_STR(out, "V4,dev-type tap,link-mtu 1573,tun-mtu 1500,proto UDPv4,auth SHA1,keysize 128,"
	               "key-method 2,tls-client");
	CHECK(vpnc_km2_occ_string(out, sizeof(out), &(struct vpnc_km2_occ){.tcp = false, .server = false, .tun_mtu = 1500, .key_direction = -1, .auth_digest = "SHA1", .tls_auth = false, .comp = false, .tap = false, .mtu_extra = 0}) > 0);
	CHECK_STR(out, "V4,dev-type tun,link-mtu 1541,tun-mtu 1500,proto UDPv4,auth SHA1,keysize 128,"
	               "key-method 2,tls-client");
	CHECK(vpnc_km2_occ_string(out, sizeof(out), &(struct vpnc_km2_occ){.tcp = false, .server = false, .tun_mtu = 1500, .key_direction = -1, .auth_digest = "SHA1", .tls_auth = false, .comp = false, .tap = true, .mtu_extra = -1}) ==
	      -EINVAL);
}

static void test_privmsg(void)
{
	static struct vpnc_push p, back;
	static struct vpnc_priv_msg_net m;
	static const char reply[] = "ifconfig-ipv6 fd00::1000/64 fd00::1,route-ipv6-gateway fd00::fe";

	vpnc_push_init(&p);
	p.tap = true;
	CHECK(vpnc_push_parse(&p, reply, strlen(reply), NULL, NULL) == 0 && p.has_route6_gateway);
	CHECK(vpnc_priv_net_from_push(&m, &p, NULL, NULL) == 0);
	CHECK(vpnc_priv_check(&m, sizeof(m), false) == VPNC_PRIV_NET_APPLY);
	vpnc_priv_net_to_push(&m.net, &back);
	CHECK(back.has_route6_gateway && memcmp(back.route6_gateway, p.route6_gateway, 16) == 0);
	/* A gateway that is no unicast address, or bytes without the flag, are refused. */
	m.net.route6_gateway[0] = 0xFF;
	CHECK(vpnc_priv_check(&m, sizeof(m), false) == -EBADMSG);
	CHECK(vpnc_priv_net_from_push(&m, &p, NULL, NULL) == 0);
	m.net.has_route6_gateway = 0;
	CHECK(vpnc_priv_check(&m, sizeof(m), false) == -EBADMSG);
	CHECK(vpnc_priv_net_from_push(&m, &p, NULL, NULL) == 0);
	m.net.has_route6_gateway = 2;
	CHECK(vpnc_priv_check(&m, sizeof(m), false) == -EBADMSG);
	CHECK(vpnc_priv_net_from_push(&m, &p, NULL, NULL) == 0);
	m.net.zero3[3] = 1;
	CHECK(vpnc_priv_check(&m, sizeof(m), false) == -EBADMSG);
	vpnc_push_clear(&p);
}

int main(void)
{
	test_eth_offset();
	test_clamp_frame();
	test_config();
	test_cmdline_type();
	test_push();
	test_occ();
	test_privmsg();
	printf("test_tap: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
