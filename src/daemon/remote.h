/*
 * remote.h: which remote the next connection attempt goes to, and how long
 * to wait before it, as OpenVPN 2.6's client decides (next_connection_entry
 * and socket_restart_pause): the remotes in config order (or shuffled once
 * with remote-random), each address of a name before the next remote, the
 * same remote again after a session that was up, a pause of connect-retry
 * seconds that doubles after five passes over the list up to the
 * connect-retry maximum, and connect-retry-max passes at most.
 *
 * Pure logic without I/O or clocks, so tests/unit/test_remote.c drives it
 * directly. Ownership: the selector borrows the remote list of the config,
 * which must outlive it; it holds no other resources.
 */
#ifndef VPNC_DAEMON_REMOTE_H
#define VPNC_DAEMON_REMOTE_H

#include <stdbool.h>
#include <stddef.h>

#include "vpnc/config.h"

/* OpenVPN's defaults: pause 1 s, at most 300 s; backoff starts after 5 passes. */
#define VPNC_REMOTE_RETRY_DEFAULT_S 1
#define VPNC_REMOTE_RETRY_MAX_S 300
#define VPNC_REMOTE_BACKOFF_PASSES 4
#define VPNC_REMOTE_BACKOFF_SHIFT_MAX 15
/* The pause after AUTH_FAILED with auth-retry nointeract. */
#define VPNC_REMOTE_AUTH_RETRY_S 10

/*
 * remote-random-hostname, as OpenVPN 2.6 does it before each resolution: the
 * name gets a label of 12 lowercase hex digits (6 random bytes) in front,
 * "0a1b2c3d4e5f.vpn.example.org", so each lookup misses every DNS cache (the
 * server's zone must answer a wildcard). An address literal is copied as is:
 * 2.6 would prefix it too and then fail to resolve it. Returns 0, or
 * -ENAMETOOLONG when the result would not fit in cap (or exceed 253 bytes,
 * the most a DNS name can have).
 */
#define VPNC_REMOTE_RANDOM_LABEL 6 /* random bytes, 12 hex digits */
int vpnc_remote_random_hostname(char *out, size_t cap, const char *host,
                                const unsigned char rnd[VPNC_REMOTE_RANDOM_LABEL]);

/* Returns a uniformly random number below bound (bound > 0). */
typedef unsigned (*vpnc_remote_rand_fn)(void *ctx, unsigned bound);

/* Why the previous attempt ended; decides where the next one goes and the pause. */
enum vpnc_remote_why {
	VPNC_REMOTE_FAILED = 0,   /* connection reset, TLS error, ping-restart, resolver error */
	VPNC_REMOTE_POLL_TIMEOUT, /* no answer within server-poll-timeout: next at once */
	VPNC_REMOTE_NEXT,         /* RESTART,[N] from the server: next remote */
	VPNC_REMOTE_SAME,         /* AUTH_FAILED with a retry, or SIGUSR1: the same remote */
	VPNC_REMOTE_PROBE,        /* a path probe went unanswered: the same remote, no pause */
};

/* What the caller does for the next attempt. */
enum vpnc_remote_step {
	VPNC_REMOTE_STEP_SAME_ADDR = 0, /* connect to the address used last time again */
	VPNC_REMOTE_STEP_NEXT_ADDR,     /* the next address the name resolved to */
	VPNC_REMOTE_STEP_RESOLVE,       /* resolve vpnc_remote_current() afresh */
};

struct vpnc_remote_sel {
	const struct vpnc_remote *list;  /* borrowed from the config */
	size_t n;
	unsigned char order[VPNC_MAX_REMOTES]; /* indexes into list, shuffled for remote-random */
	size_t cur;                      /* position in order */
	unsigned failures;               /* unsuccessful attempts since the last session that was up */
	bool no_advance;                 /* the last session was up: try the same remote first */
	int retry_s;                     /* connect-retry */
	int retry_max_s;                 /* connect-retry's maximum */
	int max_tries;                   /* connect-retry-max, 0 = unlimited */
};

/*
 * Starts at the first remote of conf (after a shuffle with remote-random,
 * using rnd, which may be NULL only without remote-random). conf must have
 * at least one remote.
 */
void vpnc_remote_init(struct vpnc_remote_sel *s, const struct vpnc_config *conf,
                      vpnc_remote_rand_fn rnd, void *rnd_ctx);

/* The remote the next (or current) attempt uses. */
const struct vpnc_remote *vpnc_remote_current(const struct vpnc_remote_sel *s);

/*
 * Moves on after an attempt ended for `why`; more_addrs tells whether the
 * name resolved to addresses not tried yet. Returns a VPNC_REMOTE_STEP_*
 * value, or -ETIMEDOUT when every remote has had its connect-retry-max tries.
 */
int vpnc_remote_advance(struct vpnc_remote_sel *s, enum vpnc_remote_why why, bool more_addrs);

/* The pause before the next attempt, in seconds, for an attempt that ended for `why`. */
unsigned vpnc_remote_pause_s(const struct vpnc_remote_sel *s, enum vpnc_remote_why why,
                             bool auth_nointeract);

/* A session came up: the failure count restarts and a later reset retries this remote first. */
void vpnc_remote_connected(struct vpnc_remote_sel *s);

#endif
