/*
 * netwatch.h: telling when the host's network changes (netwatch_linux.c),
 * for roaming (docs/roaming.md).
 *
 * A non-blocking rtnetlink socket joined to the link, IPv4/IPv6 address and
 * IPv4/IPv6 route notification groups. The caller polls its fd and, when it
 * is readable, calls vpnc_netwatch_read(), which says whether anything
 * relevant changed; what the change means for the path to the server is
 * decided by a route lookup (vpnc_nl_route_lookup in os.h), not here.
 *
 * Functions return 0 (or a count) or a negative errno code. Nothing here
 * logs. One allocation at open; nothing per message.
 */
#ifndef VPNC_OS_NETWATCH_H
#define VPNC_OS_NETWATCH_H

struct vpnc_netwatch;

/* Opens the socket and joins the groups. Returns 0 and sets *out, or a negative errno code. */
int vpnc_netwatch_open(struct vpnc_netwatch **out);

/* The fd to poll for readability. */
int vpnc_netwatch_fd(const struct vpnc_netwatch *w);

/*
 * Reads every queued notification (a bounded number of receive calls).
 * Messages about ignore_ifindex (vpnc's own TUN device; 0 = none) do not
 * count. Returns 1 if a link, address or route changed, or if notifications
 * were lost (ENOBUFS: anything may have changed), 0 if nothing did, or a
 * negative errno code.
 */
int vpnc_netwatch_read(struct vpnc_netwatch *w, int ignore_ifindex);

/* Closes the socket. NULL is allowed. */
void vpnc_netwatch_close(struct vpnc_netwatch *w);

#endif
