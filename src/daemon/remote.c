/*
 * remote.c: owns the choice of the remote for each connection attempt and
 * the pause before it (remote.h), following OpenVPN 2.6's client.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "core/hex.h"
#include "daemon/remote.h"

void vpnc_remote_init(struct vpnc_remote_sel *s, const struct vpnc_config *conf,
                      vpnc_remote_rand_fn rnd, void *rnd_ctx)
{
	size_t n = conf->n_remotes <= VPNC_MAX_REMOTES ? conf->n_remotes : VPNC_MAX_REMOTES;

	s->list = conf->remotes;
	s->n = n;
	/* The second bound is redundant but keeps GCC's -Wstringop-overflow quiet under ASan. */
	for (size_t i = 0; i < n && i < sizeof(s->order); i++)
		s->order[i] = (unsigned char)i;
	/* remote-random: one Fisher-Yates shuffle per run, as OpenVPN does at start. */
	if (conf->remote_random && rnd != NULL) {
		for (size_t i = n; i > 1; i--) {
			size_t j = rnd(rnd_ctx, (unsigned)i) % i;
			unsigned char t = s->order[i - 1];
			s->order[i - 1] = s->order[j];
			s->order[j] = t;
		}
	}
	s->cur = 0;
	s->failures = 0;
	s->no_advance = false;
	s->retry_s = conf->connect_retry >= 0 ? conf->connect_retry : VPNC_REMOTE_RETRY_DEFAULT_S;
	s->retry_max_s = conf->connect_retry_max_delay > 0 ? conf->connect_retry_max_delay
	                                                   : VPNC_REMOTE_RETRY_MAX_S;
	s->max_tries = conf->connect_retry_max > 0 ? conf->connect_retry_max : 0;
}

const struct vpnc_remote *vpnc_remote_current(const struct vpnc_remote_sel *s)
{
	return &s->list[s->order[s->cur]];
}

int vpnc_remote_advance(struct vpnc_remote_sel *s, enum vpnc_remote_why why, bool more_addrs)
{
	if (why == VPNC_REMOTE_SAME)
		return VPNC_REMOTE_STEP_SAME_ADDR;
	if (why == VPNC_REMOTE_NEXT)
		s->no_advance = false;
	/* After a session that was up, the first retry goes to the same server. */
	if (s->no_advance) {
		s->no_advance = false;
		return VPNC_REMOTE_STEP_SAME_ADDR;
	}
	if (more_addrs)
		return VPNC_REMOTE_STEP_NEXT_ADDR;
	s->failures++;
	s->cur = (s->cur + 1) % s->n;
	if (s->max_tries > 0 && s->failures >= (unsigned long long)s->n * (unsigned)s->max_tries)
		return -ETIMEDOUT;
	return VPNC_REMOTE_STEP_RESOLVE;
}

unsigned vpnc_remote_pause_s(const struct vpnc_remote_sel *s, enum vpnc_remote_why why,
                             bool auth_nointeract)
{
	unsigned long long sec = (unsigned)s->retry_s; /* < 2^21, so a shift by 15 fits */
	long backoff;

	/*
	 * A failed path probe ends a session that was up a moment ago (only a
	 * connected session is probed), on a path that just changed: waiting
	 * would only add to the outage. An attempt failing after it pauses.
	 */
	if (why == VPNC_REMOTE_POLL_TIMEOUT || why == VPNC_REMOTE_PROBE)
		return 0;
	if (auth_nointeract)
		sec = VPNC_REMOTE_AUTH_RETRY_S;
	/* Slower after five passes over the list: doubling per pass, capped. */
	backoff = (long)((s->failures + 1) / s->n) - VPNC_REMOTE_BACKOFF_PASSES;
	if (backoff > 0) {
		if (sec == 0)
			sec = 1;
		sec <<= backoff < VPNC_REMOTE_BACKOFF_SHIFT_MAX ? backoff : VPNC_REMOTE_BACKOFF_SHIFT_MAX;
	}
	if (sec > (unsigned)s->retry_max_s)
		sec = (unsigned)s->retry_max_s;
	return (unsigned)sec;
}

void vpnc_remote_connected(struct vpnc_remote_sel *s)
{
	s->failures = 0;
	s->no_advance = true;
}

int vpnc_remote_random_hostname(char *out, size_t cap, const char *host,
                                const unsigned char rnd[VPNC_REMOTE_RANDOM_LABEL])
{
	unsigned char a[sizeof(struct in6_addr)];
	size_t len = strlen(host), o = 0;

	if (inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1) {
		if (len >= cap)
			return -ENAMETOOLONG;
		memcpy(out, host, len + 1);
		return 0;
	}
	if (2 * VPNC_REMOTE_RANDOM_LABEL + 1 + len >= cap ||
	    2 * VPNC_REMOTE_RANDOM_LABEL + 1 + len > 253)
		return -ENAMETOOLONG;
	o += (size_t)vpnc_hex_encode(rnd, VPNC_REMOTE_RANDOM_LABEL, out, cap); /* fits: checked above */
	out[o++] = '.';
	memcpy(out + o, host, len + 1);
	return 0;
}
