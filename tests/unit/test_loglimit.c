/*
 * test_loglimit.c: the token bucket for peer-triggered log lines: the burst,
 * the refill rate, the suppressed count reported once, and a clock that
 * stands still or goes back.
 */
#include <stdio.h>

#include "core/loglimit.h"

#include "../check.h"

/* How many of n attempts at time now are allowed. */
static unsigned take_n(struct vpnc_loglimit *l, uint64_t now, unsigned n, unsigned *last_suppressed)
{
	unsigned ok = 0, s;

	for (unsigned i = 0; i < n; i++) {
		if (vpnc_loglimit_take(l, now, &s)) {
			ok++;
			*last_suppressed = s;
		}
	}
	return ok;
}

int main(void)
{
	struct vpnc_loglimit l;
	unsigned s = 12345;

	vpnc_loglimit_init(&l);
	/* The burst passes, the rest of 1000 lines at the same moment does not. */
	CHECK(take_n(&l, 5000, 1000, &s) == VPNC_LOGLIMIT_BURST);
	CHECK(s == 0);
	/* Less than one refill interval later: nothing. */
	CHECK(take_n(&l, 5000 + VPNC_LOGLIMIT_REFILL_MS - 1, 10, &s) == 0);
	/* One interval after the burst: one line, which carries the count of all refused ones. */
	CHECK(take_n(&l, 5000 + VPNC_LOGLIMIT_REFILL_MS, 10, &s) == 1);
	CHECK(s == 1000 - VPNC_LOGLIMIT_BURST + 10);
	/* Then the count starts again. */
	CHECK(take_n(&l, 5000 + 2 * VPNC_LOGLIMIT_REFILL_MS, 1, &s) == 1 && s == 9);
	/* A steady flood gets one line per interval over a minute, not more. */
	unsigned ok = 0;
	for (uint64_t t = 10000; t < 70000; t += 10)
		ok += take_n(&l, t, 5, &s);
	CHECK(ok >= 60 && ok <= 60 + VPNC_LOGLIMIT_BURST);
	/* A long pause refills the burst, never more. */
	CHECK(take_n(&l, 10000000, 100, &s) == VPNC_LOGLIMIT_BURST);
	/* A clock that goes back adds nothing. */
	CHECK(take_n(&l, 1000, 10, &s) == 0);
	printf("test_loglimit: %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
