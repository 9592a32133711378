/*
 * engine_probe.c: owns the path probe a client sends after its network
 * changed (docs/roaming.md): whether the session can float, the probe itself
 * (a keepalive ping, then an OCC request), and the wait for the server's
 * answer, which ends the session when nothing authenticated comes back.
 *
 * Why a ping and an OCC request: an OpenVPN 2.6 server moves a peer-id
 * session to a new client address only after a data packet from there
 * authenticates and decrypts to a non-empty payload (the ping does), and it
 * answers an OCC request with an OCC reply, which proves the way back.
 *
 * The wait costs nothing per packet: the probe remembers where each key's
 * receive replay window stood, and "answered" means that a later data packet
 * moved it (or that an authenticated control packet arrived later).
 */
#include <errno.h>

#include "core/engine_int.h"
#include "core/ctrlchan.h"
#include "core/engine_event.h"
#include "core/engine_probe.h"

/* How long an answer may take: max(MIN, RTT_FACTOR round trips), at most MAX. */
#define VPNC_PROBE_MIN_MS 1000
#define VPNC_PROBE_MAX_MS 5000
#define VPNC_PROBE_RTT_FACTOR 4

bool vpnc_engine_can_float(const struct vpnc_engine *e)
{
	return e->transport == VPNC_TRANSPORT_UDP && e->state == VPNC_ST_CONNECTED && e->peer_id >= 0;
}

bool vpnc_engine_probing(const struct vpnc_engine *e)
{
	return e->probe_deadline != 0;
}

static uint64_t probe_wait_ms(const struct vpnc_engine *e)
{
	uint64_t ms = e->rtt_ms * VPNC_PROBE_RTT_FACTOR;

	if (ms < VPNC_PROBE_MIN_MS)
		ms = VPNC_PROBE_MIN_MS;
	return ms < VPNC_PROBE_MAX_MS ? ms : VPNC_PROBE_MAX_MS;
}

int vpnc_engine_probe(struct vpnc_engine *e, uint64_t now)
{
	if (e->role != VPNC_ROLE_CLIENT || e->transport != VPNC_TRANSPORT_UDP)
		return -EOPNOTSUPP;
	if (e->state != VPNC_ST_CONNECTED || vpnc__tx_key(e) == NULL)
		return -ENOTCONN;
	e->ping_due = true;
	e->occ_due = true;
	e->occ_type = VPNC_OCC_REQUEST;
	e->probe_at = now;
	e->probe_deadline = now + probe_wait_ms(e);
	if (e->probe_deadline == 0)
		e->probe_deadline = 1; /* 0 means "no probe" */
	for (int i = 0; i < 2; i++)
		e->probe_mark[i] = e->slots[i].dc.replay.highest;
	return 0;
}

static bool probe_answered(const struct vpnc_engine *e)
{
	if (e->last_recv > e->probe_at)
		return true;
	for (int i = 0; i < 2; i++)
		if (e->slots[i].dc.replay.highest != e->probe_mark[i])
			return true;
	return false;
}

uint64_t vpnc__probe_next(const struct vpnc_engine *e)
{
	if (e->probe_deadline == 0)
		return UINT64_MAX;
	return probe_answered(e) ? 0 : e->probe_deadline;
}

bool vpnc__probe_tick(struct vpnc_engine *e, uint64_t now)
{
	if (e->probe_deadline == 0)
		return false;
	if (probe_answered(e)) {
		e->rtt_ms = now - e->probe_at;
		e->probe_deadline = 0;
		VPNC_LOG(e, 3, "the server answered on the new path after %llu ms",
		         (unsigned long long)e->rtt_ms);
		return false;
	}
	if (now < e->probe_deadline)
		return false;
	e->probe_deadline = 0;
	vpnc__fail(e, VPNC_CAUSE_PROBE, false, "the server did not answer within %llu ms after the network path changed",
	           (unsigned long long)probe_wait_ms(e));
	return true;
}
