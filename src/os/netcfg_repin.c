/*
 * netcfg_repin.c: owns keeping the host route to the VPN server that netcfg
 * installs for redirect-gateway (struct vpnc_netcfg records it) on the host's
 * way out: when the link it went through is gone, or the default route moved
 * to another link while the old one stayed up, the route moves along, so
 * that the session follows the client to its new link (roaming,
 * docs/roaming.md). Nothing else in the record changes.
 */
#include <errno.h>
#include <string.h>

#include "os/os.h"

static size_t fam_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* The recorded host route to the server, or NULL. */
static struct vpnc_netcfg_item *server_route(struct vpnc_netcfg *nc)
{
	size_t alen = fam_len(nc->server_family);

	for (size_t i = 0; alen > 0 && i < nc->n; i++) {
		struct vpnc_netcfg_item *it = &nc->items[i];
		if (it->kind == VPNC_NETCFG_ROUTE && it->family == nc->server_family &&
		    it->prefix == alen * 8 && memcmp(it->addr, nc->server, alen) == 0)
			return it;
	}
	return NULL;
}

int vpnc_netcfg_repin_server(struct vpnc_netcfg *nc, struct vpnc_nl *nl, int tun_ifindex)
{
	struct vpnc_netcfg_item *it = server_route(nc);
	struct vpnc_nl_path p, own;
	int family = nc->server_family;
	size_t alen = fam_len(family);
	int ret;

	if (!nc->applied || it == NULL || it->ifindex == tun_ifindex)
		return -ENOENT;
	/* Where the server's packets would go without this route: the way out it should follow. */
	memset(&own, 0, sizeof(own));
	own.ifindex = it->ifindex;
	own.has_gw = it->has_gw;
	memcpy(own.gw, it->gw, sizeof(own.gw));
	ret = vpnc_nl_route_lookup_outside(nl, family, nc->server, tun_ifindex, &own, &p);
	if (ret < 0)
		return ret;
	if (p.ifindex == it->ifindex && p.has_gw == it->has_gw && (!p.has_gw || memcmp(p.gw, it->gw, alen) == 0)) {
		/* The same way: in place, or gone with a link that came back (added again below). */
		ret = vpnc_nl_route_exists(nl, family, it->addr, it->prefix, it->has_gw ? it->gw : NULL, it->ifindex);
		if (ret != 0)
			return ret < 0 ? ret : -EALREADY;
	} else {
		/* The old one usually went with its link; if not, it must go now. */
		(void)vpnc_nl_route(nl, false, family, it->addr, it->prefix, it->has_gw ? it->gw : NULL,
		                    it->ifindex, it->metric);
	}
	ret = vpnc_nl_route(nl, true, family, it->addr, it->prefix, p.has_gw ? p.gw : NULL, p.ifindex, -1);
	if (ret < 0 && ret != -EEXIST) {
		/* Not in the kernel any more: not in the record either. */
		*it = nc->items[--nc->n];
		return ret;
	}
	it->has_gw = p.has_gw;
	memcpy(it->gw, p.gw, sizeof(it->gw));
	it->ifindex = p.ifindex;
	it->metric = -1;
	return 0;
}
