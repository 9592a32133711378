/*
 * roam.c: the roaming rule (roam.h): after a change of the path to the
 * server, keep the session and probe, or reconnect at once. A UDP session
 * can follow a new source address only when the server gave a peer-id: an
 * OpenVPN 2.6 server finds a P_DATA_V2 packet's session by that id and moves
 * ("floats") it to the packet's new address (mudp.c and multi.c,
 * https://github.com/OpenVPN/openvpn; docs/roaming.md). A TCP connection
 * never moves.
 */
#include <stddef.h>

#include "core/roam.h"

enum vpnc_roam_act vpnc_roam_decide(const struct vpnc_roam_facts *f)
{
	/*
	 * A resume (forced, the route unchanged) sends a connected TCP session on to the
	 * probe, which the loop cannot run over TCP: it reconnects, its peer may be gone.
	 */
	if ((f->tcp && (f->route_moved || !f->forced)) || !f->connected) {
		if (!f->src_moved)
			return VPNC_ROAM_CARRY_ON;
		return f->tcp ? VPNC_ROAM_RESTART_TCP : VPNC_ROAM_RESTART_HANDSHAKE;
	}
	if (!f->src_moved)
		return VPNC_ROAM_PROBE;
	return f->can_float ? VPNC_ROAM_REPATH_PROBE : VPNC_ROAM_RESTART_NO_PEER_ID;
}

const char *vpnc_roam_restart_why(enum vpnc_roam_act act)
{
	switch (act) {
	case VPNC_ROAM_RESTART_TCP:
		return "a TCP connection cannot move";
	case VPNC_ROAM_RESTART_HANDSHAKE:
		return "the session is not up yet";
	case VPNC_ROAM_RESTART_NO_PEER_ID:
		return "the server gave no peer-id, so the session cannot move";
	default:
		return NULL;
	}
}
