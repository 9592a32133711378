/*
 * roam.h: what a change of the path to the server means for the session.
 * Pure policy: the loop (daemon/loop_roam.c) gathers the facts (transport,
 * session state, whether the server gave a peer-id, what moved) and asks
 * what to do; doing it (re-connecting the socket, probing, restarting) stays
 * with the loop. Kept apart so the rule is tested without a network.
 */
#ifndef VPNC_ROAM_H
#define VPNC_ROAM_H

#include <stdbool.h>

/* What the loop knows after a burst of network changes in which the path counts as moved. */
struct vpnc_roam_facts {
	bool tcp;         /* the link is TCP */
	bool connected;   /* the session is up (VPNC_ST_CONNECTED), not still in its handshake */
	bool can_float;   /* the server gave a peer-id: it moves a session to a new address */
	bool src_moved;   /* the kernel's source address towards the server is not the socket's */
	bool route_moved; /* the route changed (or the source, or the route came back) */
	bool forced;      /* a check without a visible change (after a resume from sleep) */
};

enum vpnc_roam_act {
	VPNC_ROAM_CARRY_ON,          /* the source is the same: the TCP connection or handshake goes on */
	VPNC_ROAM_RESTART_TCP,       /* soft restart now: a TCP connection cannot move */
	VPNC_ROAM_RESTART_HANDSHAKE, /* soft restart now: quicker than rescuing a half-made session */
	VPNC_ROAM_RESTART_NO_PEER_ID, /* soft restart now: without a peer-id the server cannot move it */
	VPNC_ROAM_PROBE,             /* keep the session, probe the server */
	VPNC_ROAM_REPATH_PROBE,      /* re-connect the UDP socket to the new source, then probe */
};

/* The action for these facts. */
enum vpnc_roam_act vpnc_roam_decide(const struct vpnc_roam_facts *f);

/* Why a restart action restarts, for the log line ("...: reconnecting"); NULL for the others. */
const char *vpnc_roam_restart_why(enum vpnc_roam_act act);

#endif
