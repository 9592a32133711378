/*
 * engine_event.c: what the engine reports to its caller: the event ring
 * (state changes, connected, the end of a session with its cause), log lines
 * (the peer's rate-limited), and the drop counters with their one log line.
 *
 * Every other engine file reports through these functions and nothing here
 * calls back into them, so the engine's files call each other without a
 * cycle: engine.c drives ctrlchan.c (control packets) and keyex.c (what
 * runs inside TLS), and all three report here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/engine_event.h"
#include "core/engine_int.h"

static const char *const drop_names[VPNC_DROP__COUNT] = {
	[VPNC_DROP_SHORT] = "packet shorter than its header",
	[VPNC_DROP_OPCODE] = "unknown or unexpected opcode",
	[VPNC_DROP_KEY_ID] = "key id without a key",
	[VPNC_DROP_SESSION] = "session id does not match",
	[VPNC_DROP_AUTH] = "control packet authentication failed (tls-auth/tls-crypt)",
	[VPNC_DROP_REPLAY] = "replayed or too old packet",
	[VPNC_DROP_DECRYPT] = "data packet authentication failed",
	[VPNC_DROP_NO_KEYS] = "data packet before keys",
	[VPNC_DROP_MALFORMED] = "malformed control packet",
	[VPNC_DROP_WINDOW] = "control packet outside the receive window",
	[VPNC_DROP_TOO_BIG] = "packet too big for the buffer",
	[VPNC_DROP_COMP] = "bad compression framing",
	[VPNC_DROP_DECOMP] = "compressed data corrupt or decompressing past the MTU",
	[VPNC_DROP_FRAG] = "bad fragment (header, size, or past the reassembly buffer)",
	[VPNC_DROP_FRAG_EXPIRED] = "fragments of a packet did not all arrive within 10 s",
};

void vpnc__log(struct vpnc_engine *e, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e->log(e->log_ctx, level, msg);
}

void vpnc__peer_log(struct vpnc_engine *e, uint64_t now, int level, const char *fmt, ...)
{
	char msg[512];
	unsigned suppressed;
	va_list ap;

	if (!vpnc_loglimit_take(&e->peer_log, now, &suppressed))
		return;
	if (suppressed > 0)
		vpnc__log(e, level, "%u log line(s) caused by the peer were suppressed (rate limit)", suppressed);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e->log(e->log_ctx, level, msg);
}

int vpnc__drop(struct vpnc_engine *e, enum vpnc_drop why, int code)
{
	e->stats.drops[why]++;
	if (!(e->drop_logged & (1u << why))) {
		e->drop_logged |= 1u << why;
		VPNC_LOG(e, 1, "dropped a packet from the peer: %s (further ones are only counted)",
		         drop_names[why]);
	}
	return code;
}

static void event_push(struct vpnc_engine *e, enum vpnc_event_type type, const char *reason)
{
	if (e->ev_count == VPNC_EVENTS) {
		/* The oldest state change is the least useful; drop it. */
		e->ev_head = (e->ev_head + 1) % VPNC_EVENTS;
		e->ev_count--;
	}
	struct vpnc_event_slot *s = &e->events[(e->ev_head + e->ev_count) % VPNC_EVENTS];
	e->ev_count++;
	memset(&s->ev, 0, sizeof(s->ev));
	s->ev.type = type;
	s->ev.state = e->state;
	snprintf(s->reason, sizeof(s->reason), "%s", reason != NULL ? reason : "");
	if (type == VPNC_EV_CONNECTED) {
		s->ev.push = &e->push;
		/* The profile's or the pushed route-gateway dhcp is known now; one flag on the data path. */
		e->dhcp_snoop = e->tap && e->push.route_gateway_dhcp;
	}
	if (type == VPNC_EV_GATEWAY)
		s->ev.push = &e->push;
	if (type == VPNC_EV_RESTART || type == VPNC_EV_FATAL) {
		s->ev.cause = e->cause;
		s->ev.restart_flags = e->restart_flags;
	}
	if (type == VPNC_EV_AUTH_CHALLENGE || (type == VPNC_EV_FATAL && e->cause == VPNC_CAUSE_AUTH_CHALLENGE))
		s->ev.challenge = &e->challenge;
}

void vpnc__event(struct vpnc_engine *e, enum vpnc_event_type type, const char *fmt, ...)
{
	char reason[VPNC_REASON_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	event_push(e, type, reason);
}

void vpnc__set_state(struct vpnc_engine *e, enum vpnc_state st)
{
	if (e->state == st)
		return;
	e->state = st;
	event_push(e, VPNC_EV_STATE, NULL);
}

/* The end of the session, once: cause and restart flags go into the RESTART or FATAL event. */
static void fail_end(struct vpnc_engine *e, enum vpnc_cause cause, bool fatal, unsigned restart_flags,
                     const char *fmt, va_list ap)
{
	char reason[VPNC_REASON_LEN];

	if (e->state == VPNC_ST_FAILED)
		return;
	vsnprintf(reason, sizeof(reason), fmt, ap);
	e->cause = cause;
	e->restart_flags = restart_flags;
	vpnc__set_state(e, VPNC_ST_FAILED);
	event_push(e, fatal ? VPNC_EV_FATAL : VPNC_EV_RESTART, reason);
}

void vpnc__fail(struct vpnc_engine *e, enum vpnc_cause cause, bool fatal, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_end(e, cause, fatal, 0, fmt, ap);
	va_end(ap);
}

void vpnc__fail_restart(struct vpnc_engine *e, unsigned restart_flags, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_end(e, VPNC_CAUSE_SERVER_RESTART, false, restart_flags, fmt, ap);
	va_end(ap);
}

int vpnc_engine_event(struct vpnc_engine *e, struct vpnc_event *ev)
{
	if (e->ev_count == 0)
		return 0;
	struct vpnc_event_slot *s = &e->events[e->ev_head];
	e->ev_head = (e->ev_head + 1) % VPNC_EVENTS;
	e->ev_count--;
	/* The reason must outlive the slot, which the next event may reuse. */
	memcpy(e->reason_out, s->reason, sizeof(e->reason_out));
	*ev = s->ev;
	ev->reason = e->reason_out;
	return 1;
}
