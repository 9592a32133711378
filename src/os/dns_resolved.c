/*
 * dns_resolved.c: owns the systemd-resolved DNS backend: the call sequence
 * (vpnc_resolved_apply) and the sd-bus implementation of its bus operations.
 *
 * Policy, after systemd's "resolved and VPNs" guidance: a full-tunnel VPN
 * (redirect-gateway) gets the routing domain "~." and the default route, so
 * every lookup goes through it; a split VPN gets its pushed domains (search
 * and routing) and is not the default route, so only those names go to it.
 * A split VPN that pushed no domains is left to resolved's own default-route
 * rule. RevertLink undoes everything; resolved also forgets a link that
 * disappears, so a crash needs no cleanup here.
 *
 * libsystemd's sd-bus is used because it is the maintained D-Bus client on
 * every systemd system (Debian package libsystemd-dev); it is only linked
 * here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "os/dns.h"

#define RESOLVED_DEST "org.freedesktop.resolve1"
#define RESOLVED_PATH "/org/freedesktop/resolve1"
#define RESOLVED_IFACE "org.freedesktop.resolve1.Manager"
#define RESOLVED_USEC ((uint64_t)VPNC_DNS_TIMEOUT_MS * 1000)

/* The dns option's dnssec and DoT/plain transport, per link (resolved has no per-server setting). */
static int resolved_dns_option(const struct vpnc_resolved_ops *ops, void *ctx, const struct vpnc_dns_conf *c)
{
	static const char *const dnssec[] = {NULL, "yes", "allow-downgrade", "no"};
	int ret = 0;

	if ((unsigned)c->dnssec < 4 && dnssec[c->dnssec] != NULL)
		ret = ops->set_link_string(ctx, c->ifindex, "SetLinkDNSSEC", dnssec[c->dnssec]);
	if (ret == 0 && (c->transport == VPNC_DNST_DOT || c->transport == VPNC_DNST_PLAIN))
		ret = ops->set_link_string(ctx, c->ifindex, "SetLinkDNSOverTLS",
		                           c->transport == VPNC_DNST_DOT ? "yes" : "no");
	return ret;
}

int vpnc_resolved_apply(const struct vpnc_resolved_ops *ops, void *ctx, const struct vpnc_dns_conf *c)
{
	struct vpnc_resolved_domain doms[2 * VPNC_MAX_DOMAINS + 1];
	size_t n = 0;
	int ret;

	if (c->ifindex <= 0 || c->n_servers == 0 || c->n_servers > VPNC_DNS_MAX_SERVERS ||
	    c->n_domains > VPNC_MAX_DOMAINS || c->n_route_domains > VPNC_MAX_DOMAINS)
		return -EINVAL;
	for (size_t i = 0; i < c->n_domains; i++) {
		if (!vpnc_dnsname_ok(c->domains[i]))
			return -EINVAL;
		doms[n].name = c->domains[i];
		doms[n++].routing_only = false;
	}
	/* DOMAIN-ROUTE and --dns resolve-domains: "~name", only these lookups go to the VPN. */
	for (size_t i = 0; i < c->n_route_domains; i++) {
		if (!vpnc_dnsname_ok(c->route_domains[i]))
			return -EINVAL;
		doms[n].name = c->route_domains[i];
		doms[n++].routing_only = true;
	}
	if (c->full_tunnel) {
		doms[n].name = ".";
		doms[n++].routing_only = true;
	}
	ret = ops->set_dns(ctx, c->ifindex, c->servers, c->n_servers);
	if (ret == 0 && n > 0)
		ret = ops->set_domains(ctx, c->ifindex, doms, n);
	if (ret == 0 && (c->full_tunnel || c->n_domains > 0 || c->n_route_domains > 0))
		ret = ops->set_default_route(ctx, c->ifindex, c->full_tunnel);
	if (ret == 0 && ops->set_link_string != NULL)
		ret = resolved_dns_option(ops, ctx, c);
	if (ret < 0)
		(void)ops->revert(ctx, c->ifindex);
	return ret;
}

/* ---- sd-bus ---- */

static int bus_call(sd_bus *bus, sd_bus_message *m)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	int ret = sd_bus_call(bus, m, RESOLVED_USEC, &err, NULL);

	sd_bus_error_free(&err);
	return ret < 0 ? ret : 0;
}

static int bus_new(sd_bus *bus, const char *method, int ifindex, sd_bus_message **m)
{
	int ret = sd_bus_message_new_method_call(bus, m, RESOLVED_DEST, RESOLVED_PATH, RESOLVED_IFACE,
	                                         method);

	if (ret >= 0)
		ret = sd_bus_message_append(*m, "i", (int32_t)ifindex);
	return ret < 0 ? ret : 0;
}

static int sd_set_dns(void *ctx, int ifindex, const struct vpnc_dns_server *s, size_t n)
{
	sd_bus_message *m = NULL;
	int ret = bus_new(ctx, "SetLinkDNS", ifindex, &m);

	if (ret == 0)
		ret = sd_bus_message_open_container(m, 'a', "(iay)");
	for (size_t i = 0; ret >= 0 && i < n; i++) {
		ret = sd_bus_message_open_container(m, 'r', "iay");
		if (ret >= 0)
			ret = sd_bus_message_append(m, "i", (int32_t)s[i].family);
		if (ret >= 0)
			ret = sd_bus_message_append_array(m, 'y', s[i].addr, s[i].family == AF_INET ? 4 : 16);
		if (ret >= 0)
			ret = sd_bus_message_close_container(m);
	}
	if (ret >= 0)
		ret = sd_bus_message_close_container(m);
	if (ret >= 0)
		ret = bus_call(ctx, m);
	sd_bus_message_unref(m);
	return ret < 0 ? ret : 0;
}

static int sd_set_domains(void *ctx, int ifindex, const struct vpnc_resolved_domain *d, size_t n)
{
	sd_bus_message *m = NULL;
	int ret = bus_new(ctx, "SetLinkDomains", ifindex, &m);

	if (ret == 0)
		ret = sd_bus_message_open_container(m, 'a', "(sb)");
	for (size_t i = 0; ret >= 0 && i < n; i++)
		ret = sd_bus_message_append(m, "(sb)", d[i].name, (int)d[i].routing_only);
	if (ret >= 0)
		ret = sd_bus_message_close_container(m);
	if (ret >= 0)
		ret = bus_call(ctx, m);
	sd_bus_message_unref(m);
	return ret < 0 ? ret : 0;
}

static int sd_set_default_route(void *ctx, int ifindex, bool on)
{
	sd_bus_message *m = NULL;
	int ret = bus_new(ctx, "SetLinkDefaultRoute", ifindex, &m);

	if (ret == 0)
		ret = sd_bus_message_append(m, "b", (int)on);
	if (ret >= 0)
		ret = bus_call(ctx, m);
	sd_bus_message_unref(m);
	return ret < 0 ? ret : 0;
}

static int sd_set_link_string(void *ctx, int ifindex, const char *method, const char *value)
{
	sd_bus_message *m = NULL;
	int ret = bus_new(ctx, method, ifindex, &m);

	if (ret == 0)
		ret = sd_bus_message_append(m, "s", value);
	if (ret >= 0)
		ret = bus_call(ctx, m);
	sd_bus_message_unref(m);
	return ret < 0 ? ret : 0;
}

static int sd_revert(void *ctx, int ifindex)
{
	sd_bus_message *m = NULL;
	int ret = bus_new(ctx, "RevertLink", ifindex, &m);

	if (ret == 0)
		ret = bus_call(ctx, m);
	sd_bus_message_unref(m);
	return ret < 0 ? ret : 0;
}

static void sd_close(void *ctx)
{
	sd_bus_flush_close_unref(ctx);
}

static const struct vpnc_resolved_ops sd_ops = {
	.set_dns = sd_set_dns,
	.set_domains = sd_set_domains,
	.set_default_route = sd_set_default_route,
	.revert = sd_revert,
	.close = sd_close,
	.set_link_string = sd_set_link_string,
};

int vpnc_resolved_open(const struct vpnc_resolved_ops **ops, void **ctx)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	sd_bus *bus = NULL;
	int has = 0, ret;

	ret = sd_bus_open_system(&bus);
	if (ret < 0)
		return ret == -ENOENT || ret == -ECONNREFUSED ? -ENOENT : ret;
	(void)sd_bus_set_method_call_timeout(bus, RESOLVED_USEC);
	ret = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
	                         "org.freedesktop.DBus", "NameHasOwner", &err, &reply, "s",
	                         RESOLVED_DEST);
	if (ret >= 0)
		ret = sd_bus_message_read(reply, "b", &has);
	sd_bus_message_unref(reply);
	sd_bus_error_free(&err);
	if (ret >= 0 && !has)
		ret = -ENOENT;
	if (ret < 0) {
		sd_bus_flush_close_unref(bus);
		return ret;
	}
	*ops = &sd_ops;
	*ctx = bus;
	return 0;
}
