/*
 * test_route_hosts.c: host names in a profile's routes (os/route_hosts.c):
 * a name that resolves becomes an address route (masked, metric and gateway
 * kept), one that does not loses its route, the other routes stay in order.
 * Only "localhost" is looked up (files, no network).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "os/os.h"
#include "vpnc/push.h"

#include "../check.h"

static int prof(struct vpnc_push *p, const char *a, const char *b, const char *c, const char *d)
{
	const char *w[5] = {"route", a, b, c, d};
	const char *why = NULL;
	size_t n = 2 + (b != NULL) + (c != NULL) + (d != NULL);

	return vpnc_push_profile_option(p, w, n, &why);
}

int main(void)
{
	static struct vpnc_push p, q;
	const char *why = NULL;

	vpnc_push_init(&p);
	CHECK(prof(&p, "10.1.0.0", "255.255.0.0", NULL, NULL) == 0);
	CHECK(prof(&p, "localhost", NULL, NULL, NULL) == 0);
	CHECK(prof(&p, "LOCALHOST", NULL, NULL, NULL) == 1); /* the same route again */
	CHECK(prof(&p, "localhost", "255.255.255.0", "net_gateway", "7") == 0);
	CHECK(prof(&p, "gone", NULL, NULL, NULL) == 0);
	CHECK(prof(&p, "10.2.0.0", "255.255.0.0", NULL, NULL) == 0);
	CHECK(p.n_routes == 5 && p.n_route_hosts == 2 && p.routes[1].net_kind == VPNC_RT_NET_HOST);
	CHECK(p.routes[1].net == 0 && p.routes[2].net == 0 && p.routes[3].net == 1);
	/* A name where a literal is needed (gateway), and a name from the server: refused. */
	CHECK(prof(&p, "10.3.0.0", "255.255.0.0", "gw.example", NULL) < 0);
	vpnc_push_init(&q);
	CHECK(vpnc_push_parse(&q, "route localhost", 15, NULL, NULL) == 0 && q.n_routes == 0 && q.n_rejected == 1);

	/* "gone" cannot resolve: make it empty, which getaddrinfo refuses without a lookup. */
	p.route_hosts[1][0] = '\0';
	CHECK(vpnc_route_hosts_resolve(&p) == 1);
	CHECK(p.n_routes == 4);
	CHECK(p.routes[0].net == 0x0A010000u && p.routes[0].net_kind == VPNC_RT_NET_ADDR);
	CHECK(p.routes[1].net == 0x7F000001u && p.routes[1].mask == 0xFFFFFFFFu &&
	      p.routes[1].net_kind == VPNC_RT_NET_ADDR);
	CHECK(p.routes[2].net == 0x7F000000u && p.routes[2].mask == 0xFFFFFF00u && p.routes[2].net_gateway &&
	      p.routes[2].metric == 7);
	CHECK(p.routes[3].net == 0x0A020000u);
	/* Nothing left to resolve: a second call changes nothing. */
	CHECK(vpnc_route_hosts_resolve(&p) == 0 && p.n_routes == 4);
	(void)why;
	printf("test_route_hosts: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
