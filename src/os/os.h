/*
 * os.h: the Linux OS layer: the TUN device, rtnetlink, and applying a pushed
 * network configuration.
 *
 * Three parts, one file each:
 *  - tun_linux.c opens and closes a TUN device (struct vpnc_tun).
 *  - netlink_linux.c talks rtnetlink through libmnl (struct vpnc_nl): link
 *    MTU/up, addresses and routes, each added or deleted by one request whose
 *    kernel ACK is awaited, plus lookups used by netcfg and the tests.
 *  - netcfg.c turns a validated struct vpnc_push into addresses and routes
 *    on the TUN and remembers every item it added (struct vpnc_netcfg), so
 *    vpnc_netcfg_unapply() removes exactly those and nothing else.
 *
 * Addresses are passed as raw bytes in network byte order: 4 bytes for
 * AF_INET, 16 for AF_INET6. Every function returns 0 (or a positive count)
 * on success and a negative errno code on failure. Nothing here logs; the
 * caller decides what to say.
 */
#ifndef VPNC_OS_H
#define VPNC_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net/if.h>

#include "vpnc/push.h"

/* ---- TUN ---- */

struct vpnc_tun {
	int fd;                  /* non-blocking, IFF_TUN (or IFF_TAP) | IFF_NO_PI; -1 when closed */
	char name[IFNAMSIZ];     /* the name the kernel gave the device */
	int ifindex;
};

/*
 * Turns the config's dev into the name handed to TUNSETIFF: "" or "tun" lets the
 * kernel choose ("tun%d"); anything else must fit IFNAMSIZ and hold no blank,
 * '/', ':' or control byte. Returns 0 or -EINVAL.
 */
int vpnc_tun_name_for(const char *dev, char name[IFNAMSIZ]);

/*
 * Creates a TUN device. dev is the config's "dev": "tun" or "" lets the
 * kernel pick tunN, a name with "%d" is a pattern, anything else is the exact
 * name. Returns 0 and fills tun, or a negative errno code (-ENOENT when
 * /dev/net/tun is missing, -EPERM without CAP_NET_ADMIN, -EINVAL on a bad name).
 */
int vpnc_tun_open(const char *dev, struct vpnc_tun *tun);

/*
 * The same with the device type: tap makes a layer-2 TAP device (IFF_TAP;
 * "tap" lets the kernel pick tapN) that reads and writes Ethernet frames.
 */
int vpnc_tun_open_type(const char *dev, bool tap, struct vpnc_tun *tun);

/*
 * Startup check: /dev/net/tun can be opened and the process has CAP_NET_ADMIN.
 * Returns 0, or a negative errno code (-ENOENT, -EACCES, -EPERM ...).
 */
int vpnc_tun_probe(void);

/* Closes the fd, which deletes the (non-persistent) device. Safe on a closed tun. */
void vpnc_tun_close(struct vpnc_tun *tun);

/* ---- rtnetlink ---- */

struct vpnc_nl;

/* Opens a NETLINK_ROUTE socket. Returns 0 and sets *out, or a negative errno code. */
int vpnc_nl_open(struct vpnc_nl **out);
void vpnc_nl_close(struct vpnc_nl *nl);

/* Sets the MTU (if mtu > 0), the transmit queue length (if txqlen > 0) and brings the link up. */
int vpnc_nl_link_up(struct vpnc_nl *nl, int ifindex, int mtu, int txqlen);

/* Sets the Ethernet address of a (TAP) link. Returns 0 or a negative errno code. */
int vpnc_nl_link_set_lladdr(struct vpnc_nl *nl, int ifindex, const uint8_t mac[6]);

/* Reads the MTU and the IFF_UP flag of a link (for tests). */
int vpnc_nl_link_get(struct vpnc_nl *nl, int ifindex, int *mtu, bool *up);

/*
 * Adds (add = true) or deletes an address on ifindex. peer (may be NULL) is
 * the point-to-point remote of an IPv4 net30/p2p address. IPv6 addresses are
 * added with IFA_F_NODAD. -EEXIST when adding one that exists.
 */
int vpnc_nl_addr(struct vpnc_nl *nl, bool add, int ifindex, int family, const uint8_t *local,
                 int prefix, const uint8_t *peer);

/*
 * Adds or deletes a route in the main table. gw may be NULL (on-link through
 * ifindex); ifindex may be 0 when gw is given; metric < 0 means none.
 */
int vpnc_nl_route(struct vpnc_nl *nl, bool add, int family, const uint8_t *dst, int prefix,
                  const uint8_t *gw, int ifindex, int metric);

/*
 * The same; with onlink (a gateway and a device), the kernel takes the
 * gateway as on the device's link even before an address of its subnet is
 * there (RTNH_F_ONLINK, `ip route ... onlink`).
 */
int vpnc_nl_route_onlink(struct vpnc_nl *nl, bool add, int family, const uint8_t *dst, int prefix,
                         const uint8_t *gw, int ifindex, int metric, bool onlink);

/* What the kernel uses to reach one address (RTM_GETROUTE). */
struct vpnc_nl_path {
	bool has_gw;
	uint8_t gw[16];
	int ifindex;
	bool local;              /* the address is one of this host's (RTN_LOCAL) */
	bool has_src;
	uint8_t src[16];         /* the source address a new socket would use */
	/*
	 * The output device has no carrier yet (IFF_LOWER_UP or IFF_RUNNING
	 * clear, as on a link that is up before its cable or radio is): the
	 * kernel keeps such routes and answers with them, but what is sent
	 * there is dropped.
	 */
	bool no_carrier;
};
int vpnc_nl_route_lookup(struct vpnc_nl *nl, int family, const uint8_t *dst, struct vpnc_nl_path *out);

/*
 * The main table's best route to dst that does not go through exclude_ifindex
 * (vpnc's TUN): longest prefix, then lowest metric; routes whose link is down
 * do not count, nor (skip not NULL) a host route to dst through skip's
 * ifindex and gateway. Fills ifindex and gateway (not src). -ENETUNREACH when
 * none.
 */
int vpnc_nl_route_lookup_outside(struct vpnc_nl *nl, int family, const uint8_t *dst, int exclude_ifindex,
                                 const struct vpnc_nl_path *skip,
                                 struct vpnc_nl_path *out);

/*
 * Lookups by dump, for tests and checks: returns 1 if the main table holds a
 * route dst/prefix (with gateway gw when gw is not NULL, through ifindex when
 * ifindex > 0), 0 if not, or a negative errno code.
 */
int vpnc_nl_route_exists(struct vpnc_nl *nl, int family, const uint8_t *dst, int prefix,
                         const uint8_t *gw, int ifindex);
/* Returns 1 if ifindex carries the address local/prefix, 0 if not, or a negative errno code. */
int vpnc_nl_addr_exists(struct vpnc_nl *nl, int ifindex, int family, const uint8_t *local, int prefix);

/* ---- applying a pushed configuration ---- */

/* Most items one netcfg can add: every pushed route, plus addresses and redirect routes. */
#define VPNC_NETCFG_MAX_ITEMS (2 * VPNC_MAX_ROUTES + 16)

enum vpnc_netcfg_kind {
	VPNC_NETCFG_ADDR = 1,
	VPNC_NETCFG_ROUTE,
};

/* One thing netcfg added, with everything needed to delete it again. */
struct vpnc_netcfg_item {
	uint8_t kind;            /* enum vpnc_netcfg_kind */
	uint8_t family;
	uint8_t prefix;
	bool has_gw;
	bool has_peer;
	int ifindex;
	int metric;
	uint8_t addr[16];        /* address or route destination */
	uint8_t gw[16];          /* route gateway */
	uint8_t peer[16];        /* p2p address peer */
};

/* Local choices that limit what is applied (from the config). */
struct vpnc_netcfg_opts {
	bool ifconfig_noexec;    /* do not add addresses */
	bool route_noexec;       /* do not add routes */
	bool route_nopull;       /* ignore pushed routes and redirect-gateway */
	int mtu;                 /* configured tun-mtu, 0 = 1500; a pushed tun-mtu wins */
	int server_family;       /* AF_INET / AF_INET6 of the VPN server, 0 = unknown */
	uint8_t server[16];      /* its address, for the redirect-gateway host route */
	int route_metric;        /* configured route-metric, <= 0 = none; a pushed route-metric wins */
	bool tap;                /* the device is a TAP: netmask always, IPv6 next hops, lladdr */
	bool has_lladdr;         /* 'lladdr': set this MAC address on the TAP */
	uint8_t lladdr[6];
};

/* What has been applied to one TUN; zero it (or vpnc_netcfg_init) before the first apply. */
struct vpnc_netcfg {
	struct vpnc_netcfg_item items[VPNC_NETCFG_MAX_ITEMS];
	size_t n;
	bool applied;
	int mtu;                 /* the MTU set on the link */
	bool link_by_other;      /* no-exec and no CAP_NET_ADMIN: MTU and up flag left to their owner */
	unsigned n_failed;       /* items the kernel refused during the last apply */
	unsigned n_waiting;      /* routes waiting for route-gateway dhcp's gateway */
	int server_family;       /* server address the host route was made for */
	uint8_t server[16];
	uint8_t fingerprint[32]; /* of the push fields and opts that were applied */
};

void vpnc_netcfg_init(struct vpnc_netcfg *nc);

/*
 * Applies push to tun: MTU and link up, ifconfig / ifconfig-ipv6 addresses,
 * routes, route-ipv6, redirect-gateway (def1 halves, the IPv6 blocks OpenVPN
 * uses, and a host route to the server through its current path). A refused
 * route or address is counted in nc->n_failed and skipped, as OpenVPN does;
 * only a failure to bring the link up fails the call. Returns 0 or a negative
 * errno code; -EALREADY if nc is already applied.
 */
int vpnc_netcfg_apply(struct vpnc_netcfg *nc, struct vpnc_nl *nl, const struct vpnc_tun *tun,
                      const struct vpnc_push *push, const struct vpnc_netcfg_opts *opts);

/*
 * route-gateway dhcp: push now has the VPN gateway (the router of the DHCP
 * ACK, as route_gateway); adds the routes and redirect-gateway blocks that
 * waited for it, and nothing that is there already. The fingerprint stays
 * that of the pushed configuration, so a reconnect with the same push keeps
 * these routes. Returns how many routes the kernel refused (also added to
 * nc->n_failed), or a negative errno code.
 */
int vpnc_netcfg_add_gateway(struct vpnc_netcfg *nc, struct vpnc_nl *nl, const struct vpnc_tun *tun,
                            const struct vpnc_push *push, const struct vpnc_netcfg_opts *opts);

/* Deletes every item apply added, newest first. Returns how many deletions failed. */
int vpnc_netcfg_unapply(struct vpnc_netcfg *nc, struct vpnc_nl *nl);

/*
 * Roaming (netcfg_repin.c): keeps the host route to the server that apply
 * added (redirect-gateway) on the way out the host would take without it:
 * the best route outside the TUN, that host route left aside. When that way
 * changed (the default route moved to another link) or the route went with
 * its link, the route is moved there, or added again. Returns 0 when it was
 * moved or added, -EALREADY when it is in place already, -ENOENT when there
 * is no such route in the record, -ENETUNREACH when there is no way out but
 * the route itself (it is left alone), or another negative errno code (then
 * the route is dropped from the record).
 */
int vpnc_netcfg_repin_server(struct vpnc_netcfg *nc, struct vpnc_nl *nl, int tun_ifindex);

/*
 * Returns true if nc is applied and applying push with opts would produce the
 * same items (same addresses, routes, redirect flags, MTU and server), so a
 * reconnect can keep the configuration in place.
 */
bool vpnc_netcfg_matches(const struct vpnc_netcfg *nc, const struct vpnc_push *push,
                         const struct vpnc_netcfg_opts *opts);

/* Writes "10.8.0.2/24, fd00::2/64" style text describing the applied addresses. */
void vpnc_netcfg_describe(const struct vpnc_netcfg *nc, char *out, size_t cap);

/* ---- route_hosts.c ---- */

/*
 * Replaces each route whose network is a host name (VPNC_RT_NET_HOST) by one
 * route per IPv4 address the name resolves to (at most 8), as OpenVPN 2.6
 * does; a name that does not resolve loses its route. Blocks in getaddrinfo.
 * Returns how many routes were lost (unresolved names, or no room left).
 */
unsigned vpnc_route_hosts_resolve(struct vpnc_push *p);

#endif
