/*
 * nm-vpnc-ovpn-helper.c: owns the up-script half of the NetworkManager plugin.
 * vpnc runs it as its up script (also on reconnects, with --up-restart) in
 * the no-exec mode; it turns the OpenVPN-style environment (dev, tun_mtu,
 * ifconfig_*, route_*, foreign_option_*, route_redirect_gateway_*) into the
 * Config, Ip4Config and Ip6Config dictionaries of the VPN plugin D-Bus
 * interface, and sends them to the service's own bus name, where libnm turns
 * them into the signals NetworkManager applies. It holds no secrets.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "nm-vpnc-ovpn.h"

/* OpenVPN numbers routes and foreign options from 1; vpnc never sets more than this many. */
#define HELPER_MAX_ITEMS 1024

/* Bytes of an IPv6 address on the wire. */
#define HELPER_IP6_LEN 16

static const char *envn(const char *fmt, unsigned n)
{
	char name[64];

	snprintf(name, sizeof(name), fmt, n);
	return g_getenv(name);
}

/* Parses a dotted IPv4 address into network byte order; false if it is not one. */
static gboolean ip4(const char *s, guint32 *out)
{
	struct in_addr a;

	if (s == NULL || inet_pton(AF_INET, s, &a) != 1)
		return FALSE;
	*out = a.s_addr;
	return TRUE;
}

static gboolean ip6(const char *s, struct in6_addr *out)
{
	return s != NULL && inet_pton(AF_INET6, s, out) == 1;
}

static GVariant *ip6_variant(const struct in6_addr *a)
{
	return g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, a, HELPER_IP6_LEN, 1);
}

/* Counts the leading one bits of a netmask in network byte order; -1 if it has holes. */
static int mask_prefix(guint32 mask_be)
{
	guint32 m = ntohl(mask_be);
	int n = 0;

	while (n < 32 && (m & (0x80000000u >> n)))
		n++;
	if (n < 32 && (m << n) != 0)
		return -1;
	return n;
}

/* Parses "u" into 0..max; false on anything else. */
static gboolean small_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s == '\0')
		return FALSE;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v > max)
		return FALSE;
	*out = (unsigned)v;
	return TRUE;
}

/* DNS servers (both families) and domains from the pushed dhcp-options. */
struct dns_opts {
	GVariantBuilder dns4, dns6, domains;
	gboolean have4, have6, have_domains;
};

static void collect_foreign(struct dns_opts *d)
{
	unsigned i;

	g_variant_builder_init(&d->dns4, G_VARIANT_TYPE("au"));
	g_variant_builder_init(&d->dns6, G_VARIANT_TYPE("aay"));
	g_variant_builder_init(&d->domains, G_VARIANT_TYPE("as"));
	d->have4 = d->have6 = d->have_domains = FALSE;
	for (i = 1; i <= HELPER_MAX_ITEMS; i++) {
		const char *v = envn("foreign_option_%u", i);
		const char *arg;
		struct in6_addr a6;
		guint32 a4;

		if (v == NULL)
			break;
		if (strncmp(v, "dhcp-option ", 12) != 0)
			continue;
		v += 12;
		arg = strchr(v, ' ');
		if (arg == NULL)
			continue;
		arg++;
		if (strncmp(v, "DNS ", 4) == 0 || strncmp(v, "DNS6 ", 5) == 0) {
			if (ip4(arg, &a4)) {
				g_variant_builder_add(&d->dns4, "u", a4);
				d->have4 = TRUE;
			} else if (ip6(arg, &a6)) {
				g_variant_builder_add_value(&d->dns6, ip6_variant(&a6));
				d->have6 = TRUE;
			}
		} else if (strncmp(v, "DOMAIN ", 7) == 0 || strncmp(v, "DOMAIN-SEARCH ", 14) == 0 ||
		           strncmp(v, "ADAPTER_DOMAIN_SUFFIX ", 22) == 0) {
			if (*arg != '\0') {
				g_variant_builder_add(&d->domains, "s", arg);
				d->have_domains = TRUE;
			}
		}
	}
}

/* The Ip4Config dictionary, or NULL when vpnc got no IPv4 address. */
static GVariant *ip4_config(struct dns_opts *d)
{
	GVariantBuilder b, routes;
	const char *remote = g_getenv("ifconfig_remote");
	const char *net_gw = g_getenv("route_net_gateway");
	guint32 addr, mask, peer, gw;
	unsigned i, nroutes = 0;
	int prefix = 32;

	if (!ip4(g_getenv("ifconfig_local"), &addr))
		return NULL;
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "address", g_variant_new_uint32(addr));
	if (ip4(g_getenv("ifconfig_netmask"), &mask)) {
		prefix = mask_prefix(mask);
	} else if (remote != NULL && strncmp(remote, "255.", 4) == 0 && ip4(remote, &mask)) {
		prefix = mask_prefix(mask);
	} else if (ip4(remote, &peer)) {
		g_variant_builder_add(&b, "{sv}", "ptp", g_variant_new_uint32(peer));
	}
	if (prefix < 0)
		prefix = 32;
	g_variant_builder_add(&b, "{sv}", "prefix", g_variant_new_uint32((guint32)prefix));
	if (ip4(g_getenv("route_vpn_gateway"), &gw))
		g_variant_builder_add(&b, "{sv}", "internal-gateway", g_variant_new_uint32(gw));

	g_variant_builder_init(&routes, G_VARIANT_TYPE("aau"));
	for (i = 1; i <= HELPER_MAX_ITEMS; i++) {
		const char *gws = envn("route_gateway_%u", i);
		guint32 dst, rmask, rgw = 0, r[4];
		unsigned metric = 0;
		int rprefix;

		if (!ip4(envn("route_network_%u", i), &dst))
			break;
		if (!ip4(envn("route_netmask_%u", i), &rmask) || (rprefix = mask_prefix(rmask)) < 0)
			continue;
		/* Routes outside the tunnel (net_gateway) are NetworkManager's business, not the VPN's. */
		if (gws != NULL && net_gw != NULL && strcmp(gws, net_gw) == 0)
			continue;
		if (gws != NULL)
			ip4(gws, &rgw);
		small_uint(envn("route_metric_%u", i), G_MAXUINT32, &metric);
		r[0] = dst;
		r[1] = (guint32)rprefix;
		r[2] = rgw;
		r[3] = metric;
		g_variant_builder_add_value(&routes, g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32,
		                                                               r, 4, sizeof(guint32)));
		nroutes++;
	}
	if (nroutes > 0)
		g_variant_builder_add(&b, "{sv}", "routes", g_variant_builder_end(&routes));
	else
		g_variant_builder_clear(&routes);
	if (d->have4)
		g_variant_builder_add(&b, "{sv}", "dns", g_variant_builder_end(&d->dns4));
	if (d->have_domains)
		g_variant_builder_add(&b, "{sv}", "domains", g_variant_builder_end(&d->domains));
	/* The server's redirect-gateway is the only thing that makes the VPN the default route. */
	g_variant_builder_add(&b, "{sv}", "never-default",
	                      g_variant_new_boolean(g_getenv("route_redirect_gateway_ipv4") == NULL));
	return g_variant_builder_end(&b);
}

/* The Ip6Config dictionary, or NULL when vpnc got no IPv6 address. */
static GVariant *ip6_config(struct dns_opts *d, gboolean domains_left)
{
	GVariantBuilder b, routes;
	struct in6_addr addr, gw, fallback;
	gboolean have_fallback;
	unsigned prefix, i, nroutes = 0;

	if (!ip6(g_getenv("ifconfig_ipv6_local"), &addr))
		return NULL;
	if (!small_uint(g_getenv("ifconfig_ipv6_netbits"), 128, &prefix))
		prefix = 128;
	have_fallback = ip6(g_getenv("ifconfig_ipv6_remote"), &fallback);
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "address", ip6_variant(&addr));
	g_variant_builder_add(&b, "{sv}", "prefix", g_variant_new_uint32(prefix));

	g_variant_builder_init(&routes, G_VARIANT_TYPE("a(ayuayu)"));
	for (i = 1; i <= HELPER_MAX_ITEMS; i++) {
		const char *net = envn("route_ipv6_network_%u", i);
		char dst_s[INET6_ADDRSTRLEN];
		const char *slash;
		struct in6_addr dst, zero = IN6ADDR_ANY_INIT;
		unsigned plen = 128;
		size_t n;

		if (net == NULL)
			break;
		slash = strchr(net, '/');
		n = slash != NULL ? (size_t)(slash - net) : strlen(net);
		if (n >= sizeof(dst_s))
			continue;
		memcpy(dst_s, net, n);
		dst_s[n] = '\0';
		if (!ip6(dst_s, &dst) || (slash != NULL && !small_uint(slash + 1, 128, &plen)))
			continue;
		if (!ip6(envn("route_ipv6_gateway_%u", i), &gw))
			gw = have_fallback ? fallback : zero;
		g_variant_builder_add(&routes, "(@ayu@ayu)", ip6_variant(&dst), plen, ip6_variant(&gw), 0u);
		nroutes++;
	}
	if (nroutes > 0)
		g_variant_builder_add(&b, "{sv}", "routes", g_variant_builder_end(&routes));
	else
		g_variant_builder_clear(&routes);
	if (d->have6)
		g_variant_builder_add(&b, "{sv}", "dns", g_variant_builder_end(&d->dns6));
	if (domains_left)
		g_variant_builder_add(&b, "{sv}", "domains", g_variant_builder_end(&d->domains));
	g_variant_builder_add(&b, "{sv}", "never-default",
	                      g_variant_new_boolean(g_getenv("route_redirect_gateway_ipv6") == NULL));
	return g_variant_builder_end(&b);
}

/* The Config dictionary: device, MTU, the server's address and which families follow. */
static GVariant *general_config(gboolean has4, gboolean has6)
{
	GVariantBuilder b;
	const char *dev = g_getenv("dev");
	struct in6_addr a6;
	guint32 a4;
	unsigned mtu;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	if (dev != NULL)
		g_variant_builder_add(&b, "{sv}", "tundev", g_variant_new_string(dev));
	if (small_uint(g_getenv("tun_mtu"), 65535, &mtu) && mtu > 0)
		g_variant_builder_add(&b, "{sv}", "mtu", g_variant_new_uint32(mtu));
	if (ip4(g_getenv("trusted_ip"), &a4))
		g_variant_builder_add(&b, "{sv}", "gateway", g_variant_new_uint32(a4));
	else if (ip6(g_getenv("trusted_ip6"), &a6))
		g_variant_builder_add(&b, "{sv}", "gateway", ip6_variant(&a6));
	g_variant_builder_add(&b, "{sv}", "has-ip4", g_variant_new_boolean(has4));
	g_variant_builder_add(&b, "{sv}", "has-ip6", g_variant_new_boolean(has6));
	g_variant_builder_add(&b, "{sv}", "can-persist", g_variant_new_boolean(TRUE));
	return g_variant_builder_end(&b);
}

/* Calls one Set*Config method; consumes a floating dict. */
static gboolean send_dict(GDBusConnection *bus, const char *name, const char *method, GVariant *dict)
{
	GError *err = NULL;
	GVariant *ret;

	ret = g_dbus_connection_call_sync(bus, name, VPNC_NM_PATH, VPNC_NM_IFACE, method,
	                                  g_variant_new("(@a{sv})", dict), NULL,
	                                  G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &err);
	if (ret == NULL) {
		fprintf(stderr, "nm-vpnc-ovpn helper: %s failed: %s\n", method, err->message);
		g_error_free(err);
		return FALSE;
	}
	g_variant_unref(ret);
	return TRUE;
}

int vpnc_nm_helper_main(int argc, char **argv)
{
	GDBusConnection *bus = NULL;
	GVariant *c4 = NULL, *c6 = NULL;
	const char *name = NULL;
	struct dns_opts d;
	GError *err = NULL;
	int i, status = 1;

	/* vpnc appends OpenVPN's up arguments (dev, mtu, ...); only --bus-name matters here. */
	for (i = 2; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--bus-name") == 0)
			name = argv[i + 1];
	}
	if (name == NULL || !g_dbus_is_name(name)) {
		fprintf(stderr, "nm-vpnc-ovpn helper: no valid --bus-name\n");
		return 1;
	}
	collect_foreign(&d);
	c4 = ip4_config(&d);
	c6 = ip6_config(&d, d.have_domains && c4 == NULL);
	if (c4 != NULL)
		g_variant_ref_sink(c4);
	if (c6 != NULL)
		g_variant_ref_sink(c6);
	if (c4 == NULL && c6 == NULL) {
		fprintf(stderr, "nm-vpnc-ovpn helper: vpnc reported no tunnel address\n");
		goto out;
	}
	bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &err);
	if (bus == NULL) {
		fprintf(stderr, "nm-vpnc-ovpn helper: system bus: %s\n", err->message);
		goto out;
	}
	if (!send_dict(bus, name, "SetConfig", general_config(c4 != NULL, c6 != NULL)))
		goto out;
	if (c4 != NULL && !send_dict(bus, name, "SetIp4Config", g_variant_ref(c4)))
		goto out;
	if (c6 != NULL && !send_dict(bus, name, "SetIp6Config", g_variant_ref(c6)))
		goto out;
	status = 0;
out:
	/*
	 * The DNS builders a family without an address did not take (an IPv4-only
	 * server's DNS6, ...): an ended builder is all zeros, which clearing allows,
	 * so all three are cleared (a leak report under the sanitizers fails the helper).
	 */
	g_variant_builder_clear(&d.dns4);
	g_variant_builder_clear(&d.dns6);
	g_variant_builder_clear(&d.domains);
	g_clear_pointer(&c4, g_variant_unref);
	g_clear_pointer(&c6, g_variant_unref);
	g_clear_error(&err);
	g_clear_object(&bus);
	return status;
}
