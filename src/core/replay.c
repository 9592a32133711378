/*
 * replay.c: the sliding replay window of up to 64 entries (see replay.h for the rules).
 */
#include <errno.h>

#include "core/replay.h"

void vpnc_replay_init(struct vpnc_replay *r)
{
	r->bitmap = 0;
	r->highest = 0;
	r->time = 0;
	r->seen_any = false;
	r->window = VPNC_REPLAY_WINDOW;
}

void vpnc_replay_set_window(struct vpnc_replay *r, unsigned n)
{
	r->window = n < VPNC_REPLAY_WINDOW ? n : VPNC_REPLAY_WINDOW;
}

int vpnc_replay_check(const struct vpnc_replay *r, uint32_t id, uint32_t time)
{
	if (id == 0)
		return -EBADMSG;
	if (!r->seen_any || time > r->time)
		return 0;
	if (time < r->time)
		return -EBADMSG;
	if (id > r->highest)
		return 0;
	uint32_t back = r->highest - id;
	if (back >= r->window)
		return -EBADMSG;
	if (r->bitmap & ((uint64_t)1 << back))
		return -EBADMSG;
	return 0;
}

void vpnc_replay_add(struct vpnc_replay *r, uint32_t id, uint32_t time)
{
	if (id == 0)
		return;
	if (!r->seen_any || time > r->time) {
		/* First packet, or the sender restarted its counter with a new time. */
		r->seen_any = true;
		r->time = time;
		r->highest = id;
		r->bitmap = 1;
		return;
	}
	if (time < r->time)
		return;
	if (id > r->highest) {
		uint32_t shift = id - r->highest;
		r->bitmap = shift >= VPNC_REPLAY_WINDOW ? 0 : r->bitmap << shift;
		r->bitmap |= 1;
		r->highest = id;
		return;
	}
	uint32_t back = r->highest - id;
	if (back < VPNC_REPLAY_WINDOW)
		r->bitmap |= (uint64_t)1 << back;
}
