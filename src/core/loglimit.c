/*
 * loglimit.c: the token bucket for peer-triggered log lines (see loglimit.h).
 */
#include <limits.h>

#include "core/loglimit.h"

void vpnc_loglimit_init(struct vpnc_loglimit *l)
{
	l->refilled = 0;
	l->tokens = VPNC_LOGLIMIT_BURST;
	l->suppressed = 0;
	l->started = false;
}

bool vpnc_loglimit_take(struct vpnc_loglimit *l, uint64_t now, unsigned *suppressed)
{
	if (!l->started) {
		l->started = true;
		l->refilled = now;
	}
	if (now > l->refilled) {
		uint64_t add = (now - l->refilled) / VPNC_LOGLIMIT_REFILL_MS;

		if (l->tokens + add >= VPNC_LOGLIMIT_BURST) {
			l->tokens = VPNC_LOGLIMIT_BURST;
			l->refilled = now;
		} else {
			l->tokens += (unsigned)add;
			l->refilled += add * VPNC_LOGLIMIT_REFILL_MS;
		}
	}
	if (l->tokens == 0) {
		if (l->suppressed != UINT_MAX)
			l->suppressed++;
		return false;
	}
	l->tokens--;
	*suppressed = l->suppressed;
	l->suppressed = 0;
	return true;
}
