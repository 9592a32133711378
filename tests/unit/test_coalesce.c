/*
 * test_coalesce.c: the wakeup-coalescing policy with a simulated clock: off
 * when the delay is 0; a lone packet or a slow stream never waits; a bulk
 * stream of thin wakeups is told to sleep the configured delay; a wakeup
 * that already handled a full batch, or none, is not; the rate is judged
 * over the time actually elapsed (a burst after a quiet second is not
 * bulk), and coalescing stops once the traffic does; the delay is capped.
 */
#include <stdio.h>

#include "core/coalesce.h"

#include "../check.h"

#define US 1000ull
#define MS 1000000ull

/* Runs iterations of `per` packets every `gap` ns for `dur` ns from *t; returns how many asked for a sleep. */
static unsigned run(struct vpnc_coalesce *c, uint64_t *t, uint32_t per, uint64_t gap, uint64_t dur)
{
	unsigned sleeps = 0;
	uint64_t end = *t + dur;

	while (*t < end) {
		vpnc_coalesce_count(c, per);
		if (vpnc_coalesce_idle(c, *t) > 0)
			sleeps++;
		*t += gap;
	}
	return sleeps;
}

int main(void)
{
	struct vpnc_coalesce c;
	uint64_t t = 5 * MS;

	/* Off: never sleeps, whatever the rate. */
	vpnc_coalesce_init(&c, 0, t);
	CHECK(run(&c, &t, 1, 10 * US, 20 * MS) == 0);

	/* A ping a second, or a packet every 100 us (10 per ms): below the bulk rate. */
	vpnc_coalesce_init(&c, VPNC_COALESCE_DEFAULT_US, t);
	CHECK(run(&c, &t, 1, 1000 * MS, 10000 * MS) == 0);
	CHECK(run(&c, &t, 1, 100 * US, 50 * MS) == 0);

	/* Bulk: one packet every 15 us (~66 per ms). After the first window it sleeps on every wakeup. */
	vpnc_coalesce_init(&c, VPNC_COALESCE_DEFAULT_US, t);
	unsigned s = run(&c, &t, 1, 15 * US, 20 * MS);
	unsigned iters = (unsigned)(20 * MS / (15 * US));
	CHECK(s > iters - 2 * (unsigned)(MS / (15 * US)) && s < iters);
	CHECK(c.sleeps == s);
	vpnc_coalesce_count(&c, 3);
	CHECK(vpnc_coalesce_idle(&c, t) == VPNC_COALESCE_DEFAULT_US * 1000u);

	/* Still bulk, but a wakeup with a full batch or with no packets does not sleep. */
	vpnc_coalesce_count(&c, VPNC_COALESCE_FULL_PKTS);
	CHECK(vpnc_coalesce_idle(&c, t + 10 * US) == 0);
	CHECK(vpnc_coalesce_idle(&c, t + 20 * US) == 0);
	vpnc_coalesce_count(&c, VPNC_COALESCE_FULL_PKTS - 1);
	CHECK(vpnc_coalesce_idle(&c, t + 30 * US) > 0);
	t += 40 * US;

	/* Batches of 40 every 500 us are bulk, but already full: no sleep. */
	CHECK(run(&c, &t, 40, 500 * US, 20 * MS) == 0);

	/* The traffic stops: after a quiet second one packet does not sleep, nor the next ones. */
	t += 1000 * MS;
	vpnc_coalesce_count(&c, 1);
	CHECK(vpnc_coalesce_idle(&c, t) == 0);
	CHECK(run(&c, &t, 1, 1 * MS, 10 * MS) == 0);

	/* A burst shorter than a window after a long quiet time: not bulk yet. */
	vpnc_coalesce_init(&c, VPNC_COALESCE_DEFAULT_US, t);
	t += 3000 * MS;
	CHECK(run(&c, &t, 1, 5 * US, 900 * US) == 0);

	/* The delay is capped; hours of silence and a clock that goes back are harmless. */
	vpnc_coalesce_init(&c, 1000000, t);
	CHECK(c.delay_ns == VPNC_COALESCE_MAX_US * 1000u);
	t += 100ull * 3600 * 1000 * MS;
	vpnc_coalesce_count(&c, 5);
	CHECK(vpnc_coalesce_idle(&c, t) == 0);
	vpnc_coalesce_count(&c, 5);
	CHECK(vpnc_coalesce_idle(&c, t - 10 * MS) == 0);

	printf("test_coalesce: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
