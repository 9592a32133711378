/*
 * test_roam.c: the roaming rule (core/roam.c) over every combination of its
 * facts, against the table in docs/roaming.md: a UDP session whose server
 * gave a peer-id is re-connected and probed when the source address moved,
 * probed when only the route moved; without a peer-id a moved source means
 * a soft restart at once; TCP and a handshake carry on unless the source
 * moved, then restart; a resume probes a connected TCP session (the loop
 * reconnects it, TCP cannot be probed).
 */
#include <stdio.h>
#include <string.h>

#include "core/roam.h"

#include "../check.h"

/* The rule written out once more, case by case, as docs/roaming.md states it. */
static enum vpnc_roam_act expected(const struct vpnc_roam_facts *f)
{
	bool resume_only = f->forced && !f->route_moved;

	if (f->tcp) {
		if (f->connected && resume_only)
			return f->src_moved ? (f->can_float ? VPNC_ROAM_REPATH_PROBE : VPNC_ROAM_RESTART_NO_PEER_ID)
			                    : VPNC_ROAM_PROBE;
		return f->src_moved ? VPNC_ROAM_RESTART_TCP : VPNC_ROAM_CARRY_ON;
	}
	if (!f->connected)
		return f->src_moved ? VPNC_ROAM_RESTART_HANDSHAKE : VPNC_ROAM_CARRY_ON;
	if (!f->src_moved)
		return VPNC_ROAM_PROBE;
	return f->can_float ? VPNC_ROAM_REPATH_PROBE : VPNC_ROAM_RESTART_NO_PEER_ID;
}

static void test_named_cases(void)
{
	/* The UDP-without-peer-id branch: a moved source address restarts at once. */
	struct vpnc_roam_facts f = {.connected = true, .can_float = false, .src_moved = true, .route_moved = true};

	CHECK(vpnc_roam_decide(&f) == VPNC_ROAM_RESTART_NO_PEER_ID);
	CHECK(strcmp(vpnc_roam_restart_why(VPNC_ROAM_RESTART_NO_PEER_ID),
	             "the server gave no peer-id, so the session cannot move") == 0);
	/* The same with a peer-id: the socket follows, the session stays. */
	f.can_float = true;
	CHECK(vpnc_roam_decide(&f) == VPNC_ROAM_REPATH_PROBE);
	/* No peer-id but only the route moved (same source): the session can stay, it is probed. */
	f.can_float = false;
	f.src_moved = false;
	CHECK(vpnc_roam_decide(&f) == VPNC_ROAM_PROBE);
	/* A resume without a peer-id: probed like any other. */
	f.route_moved = false;
	f.forced = true;
	CHECK(vpnc_roam_decide(&f) == VPNC_ROAM_PROBE);
	/* TCP: a new source restarts; a route move with the same source carries on. */
	f = (struct vpnc_roam_facts){.tcp = true, .connected = true, .can_float = true, .src_moved = true,
	                             .route_moved = true};
	CHECK(vpnc_roam_decide(&f) == VPNC_ROAM_RESTART_TCP);
	f.src_moved = false;
	CHECK(vpnc_roam_decide(&f) == VPNC_ROAM_CARRY_ON);
	/* A handshake whose source moved is started again. */
	f = (struct vpnc_roam_facts){.connected = false, .can_float = true, .src_moved = true, .route_moved = true};
	CHECK(vpnc_roam_decide(&f) == VPNC_ROAM_RESTART_HANDSHAKE);
	/* Only restarts have a reason. */
	CHECK(vpnc_roam_restart_why(VPNC_ROAM_PROBE) == NULL && vpnc_roam_restart_why(VPNC_ROAM_CARRY_ON) == NULL &&
	      vpnc_roam_restart_why(VPNC_ROAM_REPATH_PROBE) == NULL);
	CHECK(vpnc_roam_restart_why(VPNC_ROAM_RESTART_TCP) != NULL &&
	      vpnc_roam_restart_why(VPNC_ROAM_RESTART_HANDSHAKE) != NULL);
}

static void test_all_facts(void)
{
	for (unsigned m = 0; m < 64; m++) {
		struct vpnc_roam_facts f = {
			.tcp = m & 1,
			.connected = m & 2,
			.can_float = m & 4,
			.src_moved = m & 8,
			/* A moved source is a moved route (loop_roam.c); skip the impossible mix. */
			.route_moved = (m & 16) || (m & 8),
			.forced = m & 32,
		};

		if ((m & 8) && !(m & 16))
			continue;
		CHECK(vpnc_roam_decide(&f) == expected(&f), "tcp %d connected %d float %d src %d route %d forced %d",
		      f.tcp, f.connected, f.can_float, f.src_moved, f.route_moved, f.forced);
	}
}

int main(void)
{
	test_named_cases();
	test_all_facts();
	printf("test_roam: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
