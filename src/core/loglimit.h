/*
 * loglimit.h: the rate limit on log lines that the peer can cause (INFO,
 * INFO_PRE, AUTH_PENDING, malformed or unknown control messages, refused
 * pushed options, renegotiations). One token bucket per engine is shared by
 * all of them, so a server cannot flood the journal by switching from one
 * kind of message to another.
 *
 * A burst of VPNC_LOGLIMIT_BURST lines passes at once; after that one more
 * line is allowed every VPNC_LOGLIMIT_REFILL_MS. Lines over the limit are
 * counted, and the first line allowed afterwards reports how many were
 * suppressed. Time is passed in (ms, monotonic), so tests need no clock.
 *
 * The struct is plain data, owned by whoever embeds it.
 */
#ifndef VPNC_LOGLIMIT_H
#define VPNC_LOGLIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define VPNC_LOGLIMIT_BURST 10
#define VPNC_LOGLIMIT_REFILL_MS 1000

struct vpnc_loglimit {
	uint64_t refilled;   /* ms: the time up to which tokens were added */
	unsigned tokens;     /* lines that may be logged now */
	unsigned suppressed; /* lines not logged since the last one that was */
	bool started;
};

void vpnc_loglimit_init(struct vpnc_loglimit *l);

/*
 * True if one line may be logged at `now`; it uses up one token. When it
 * returns true, *suppressed is how many lines were refused since the last
 * allowed one (the caller says so once), and the count starts again at 0.
 */
bool vpnc_loglimit_take(struct vpnc_loglimit *l, uint64_t now, unsigned *suppressed);

#endif
