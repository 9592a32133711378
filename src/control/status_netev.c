/*
 * status_netev.c: words for the last network event and what vpnc did about
 * it (struct vpnc_status_netev), for `vpnc status` in text and JSON. The loop
 * keeps only enums, an interface name and times; the sentence is made here,
 * when status is asked.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "control/status.h"

const char *vpnc_status_netev_kind_name(unsigned kind)
{
	switch (kind) {
	case VPNC_NETEV_SRC_CHANGED: return "source-address-changed";
	case VPNC_NETEV_ROUTE_MOVED: return "route-moved";
	case VPNC_NETEV_ROUTE_BACK: return "route-back";
	case VPNC_NETEV_ROUTE_GONE: return "route-gone";
	case VPNC_NETEV_RESUMED: return "resumed";
	case VPNC_NETEV_NO_CARRIER: return "no-carrier";
	default: return "none";
	}
}

const char *vpnc_status_netev_action_name(unsigned action)
{
	switch (action) {
	case VPNC_NETACT_WAITING: return "waiting";
	case VPNC_NETACT_CARRIES_ON: return "carries-on";
	case VPNC_NETACT_PROBING: return "probing";
	case VPNC_NETACT_ANSWERED: return "probe-answered";
	case VPNC_NETACT_RECONNECTING: return "reconnecting";
	case VPNC_NETACT_RECONNECTED: return "reconnected";
	default: return "none";
	}
}

static const char *kind_words(unsigned kind)
{
	switch (kind) {
	case VPNC_NETEV_SRC_CHANGED: return "source address changed";
	case VPNC_NETEV_ROUTE_MOVED: return "route to the server moved";
	case VPNC_NETEV_ROUTE_BACK: return "route to the server back";
	case VPNC_NETEV_ROUTE_GONE: return "route to the server gone";
	case VPNC_NETEV_RESUMED: return "resumed from sleep";
	case VPNC_NETEV_NO_CARRIER: return "no carrier";
	default: return "none";
	}
}

/* Appends to out (NUL-terminated, cap bytes); cuts at cap. */
static void add(char *out, size_t cap, const char *fmt_word, const char *a)
{
	size_t n = strlen(out);

	if (n + 1 < cap)
		snprintf(out + n, cap - n, fmt_word, a);
}

void vpnc_status_netev_text(const struct vpnc_status_netev *e, int64_t now, char *out, size_t cap)
{
	char num[32];
	int64_t ago = now - e->at;

	if (cap == 0)
		return;
	out[0] = '\0';
	if (e->kind == VPNC_NETEV_NONE)
		return;
	snprintf(num, sizeof(num), "%" PRId64, ago > 0 ? ago : 0);
	add(out, cap, "%s s ago: ", num);
	add(out, cap, "%s", kind_words(e->kind));
	if (e->ifname[0] && e->kind != VPNC_NETEV_ROUTE_GONE)
		add(out, cap, " on %s", e->ifname);
	add(out, cap, "%s", "; ");
	if (e->socket_moved)
		add(out, cap, "%s", "socket moved, ");
	switch (e->action) {
	case VPNC_NETACT_WAITING:
		add(out, cap, "%s", "waiting");
		break;
	case VPNC_NETACT_CARRIES_ON:
		add(out, cap, "%s", "the connection carries on");
		break;
	case VPNC_NETACT_PROBING:
		add(out, cap, "%s", "probing the server");
		break;
	case VPNC_NETACT_ANSWERED:
		snprintf(num, sizeof(num), "%" PRId64, e->answer_ms);
		add(out, cap, "probe answered in %s ms", num);
		break;
	case VPNC_NETACT_RECONNECTING:
		add(out, cap, "%s", e->probe_failed ? "no answer to the probe; reconnecting" : "reconnecting");
		break;
	case VPNC_NETACT_RECONNECTED:
		add(out, cap, "%s", e->probe_failed ? "no answer to the probe; reconnected" : "reconnected");
		break;
	default:
		add(out, cap, "%s", "nothing to do");
		break;
	}
}
