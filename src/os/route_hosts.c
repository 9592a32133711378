/*
 * route_hosts.c: resolves the host names of a profile's routes
 * (`route vpn.example.com ...`) into address routes, at connect time.
 *
 * OpenVPN 2.6 resolves such a name when it adds the routes and adds one route
 * per IPv4 address it gets (init_route() in route.c); a name that does not
 * resolve loses its route and the others are still added. This does the same
 * on a copy of the merged options, before netcfg, the scripts and the status
 * see it, so they all see the same addresses. getaddrinfo() blocks; this runs
 * once per connection, as 2.6 does.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

#include "os/os.h"

#define ROUTE_HOST_ADDRS 8 /* addresses taken per name */

/* Up to max IPv4 addresses of name (host order), 0 if it does not resolve. */
static size_t host_addrs(const char *name, uint32_t *out, size_t max)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM};
	struct addrinfo *res = NULL;
	size_t n = 0;

	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return 0;
	for (const struct addrinfo *a = res; a != NULL && n < max; a = a->ai_next) {
		uint32_t v;
		bool dup = false;

		if (a->ai_family != AF_INET || a->ai_addrlen < sizeof(struct sockaddr_in))
			continue;
		v = ntohl(((const struct sockaddr_in *)(const void *)a->ai_addr)->sin_addr.s_addr);
		for (size_t i = 0; i < n; i++)
			dup = dup || out[i] == v;
		if (!dup)
			out[n++] = v;
	}
	freeaddrinfo(res);
	return n;
}

unsigned vpnc_route_hosts_resolve(struct vpnc_push *p)
{
	unsigned failed = 0;
	size_t i = 0;

	while (i < p->n_routes && i < VPNC_MAX_ROUTES) {
		struct vpnc_route4 r = p->routes[i];
		uint32_t a[ROUTE_HOST_ADDRS];
		size_t n = 0;

		if (r.net_kind != VPNC_RT_NET_HOST) {
			i++;
			continue;
		}
		if (r.net < p->n_route_hosts && r.net < VPNC_MAX_ROUTE_HOSTS)
			n = host_addrs(p->route_hosts[r.net], a, ROUTE_HOST_ADDRS);
		if (n == 0) {
			memmove(&p->routes[i], &p->routes[i + 1], (p->n_routes - i - 1) * sizeof(p->routes[0]));
			p->n_routes--;
			failed++;
			continue;
		}
		r.net_kind = VPNC_RT_NET_ADDR;
		r.net = a[0] & r.mask;
		p->routes[i++] = r;
		/* Further addresses become routes of their own, right after, while there is room. */
		for (size_t k = 1; k < n; k++) {
			if (p->n_routes >= VPNC_MAX_ROUTES) {
				failed++;
				break;
			}
			memmove(&p->routes[i + 1], &p->routes[i], (p->n_routes - i) * sizeof(p->routes[0]));
			r.net = a[k] & r.mask;
			p->routes[i++] = r;
			p->n_routes++;
		}
	}
	return failed;
}
