/*
 * dnswatch.c: owns the watch that puts the VPN-only resolv.conf back when
 * resolvconf rewrites it during a session (dnswatch.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/dnswatch.h"
#include "daemon/log.h"

struct vpnc_dnswatch {
	uv_fs_event_t ev[2];             /* resolv.conf's directory; the symlink target's, if another */
	uv_timer_t settle;
	char dir[2][PATH_MAX];
	char name[2][NAME_MAX + 1];      /* the entry to react to in each directory */
	int n_ev;
	int open_handles;                /* freed when the last close callback has run */
	struct vpnc_dns *dns;
	struct vpnc_dns_conf conf;
	uint64_t window_start;
	unsigned rewrites;               /* within the window */
	bool stopping;
	void (*gave_up)(void *ctx);
	void *ctx;
};

static void on_closed(uv_handle_t *h)
{
	struct vpnc_dnswatch *w = h->data;

	if (--w->open_handles == 0)
		free(w);
}

static void close_all(struct vpnc_dnswatch *w)
{
	if (w->stopping)
		return;
	w->stopping = true;
	for (int i = 0; i < w->n_ev; i++) {
		(void)uv_fs_event_stop(&w->ev[i]);
		uv_close((uv_handle_t *)&w->ev[i], on_closed);
	}
	(void)uv_timer_stop(&w->settle);
	uv_close((uv_handle_t *)&w->settle, on_closed);
}

void vpnc_dnswatch_stop(struct vpnc_dnswatch *w)
{
	if (w != NULL)
		close_all(w);
}

static void give_up(struct vpnc_dnswatch *w)
{
	close_all(w);
	if (w->gave_up != NULL)
		w->gave_up(w->ctx);
}

static void on_settled(uv_timer_t *t)
{
	struct vpnc_dnswatch *w = t->data;
	uint64_t now = uv_now(t->loop);
	int ret;

	if (w->stopping)
		return;
	ret = vpnc_dns_reassert(w->dns, &w->conf);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_WARN, "DNS: %s was changed by another program and cannot be written again (%s); "
		         "lookups can go to the other links' servers outside the tunnel",
		         w->dns->paths.resolv_conf, strerror(-ret));
		give_up(w);
		return;
	}
	if (ret == 0)
		return; /* our own write, or a change that left the text as it was */
	if (now - w->window_start >= VPNC_DNSWATCH_WINDOW_MS) {
		w->window_start = now;
		w->rewrites = 0;
	}
	w->rewrites++;
	vpnc_log(VPNC_LOG_INFO, "DNS: another program (resolvconf) rewrote %s; the VPN's servers alone are "
	         "back in it", w->dns->paths.resolv_conf);
	if (w->rewrites >= VPNC_DNSWATCH_MAX) {
		vpnc_log(VPNC_LOG_WARN, "DNS: %s was rewritten by another program %u times within %d s; vpnc "
		         "stops putting the VPN's servers back until the next connect, so lookups can go to the "
		         "other links' servers outside the tunnel (--kill-switch blocks them)",
		         w->dns->paths.resolv_conf, w->rewrites, VPNC_DNSWATCH_WINDOW_MS / 1000);
		give_up(w);
	}
}

static void on_change(uv_fs_event_t *h, const char *filename, int events, int status)
{
	struct vpnc_dnswatch *w = h->data;
	int i = h == &w->ev[0] ? 0 : 1;

	(void)events;
	if (w->stopping)
		return;
	/* An overflowed queue names no file: check anyway. */
	if (status == 0 && filename != NULL && strcmp(filename, w->name[i]) != 0)
		return;
	(void)uv_timer_start(&w->settle, on_settled, VPNC_DNSWATCH_SETTLE_MS, 0);
}

/* Splits path into its directory and last name; false if either would not fit. */
static bool split_path(const char *path, char *dir, char *name)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
	const char *base = slash == NULL ? path : slash + 1;

	if (dlen >= PATH_MAX || strlen(base) > NAME_MAX || base[0] == '\0')
		return false;
	if (slash == NULL)
		memcpy(dir, ".", 2);
	else {
		memcpy(dir, path, dlen);
		dir[dlen] = '\0';
	}
	memcpy(name, base, strlen(base) + 1);
	return true;
}

struct vpnc_dnswatch *vpnc_dnswatch_start(uv_loop_t *uv, struct vpnc_dns *d, const struct vpnc_dns_conf *c,
                                          void (*gave_up)(void *ctx), void *ctx)
{
	struct vpnc_dnswatch *w = calloc(1, sizeof(*w));
	char real[PATH_MAX];
	int ret = -ENOMEM;

	if (w == NULL)
		goto fail;
	w->dns = d;
	w->conf = *c;
	w->gave_up = gave_up;
	w->ctx = ctx;
	w->window_start = uv_now(uv);
	ret = -ENAMETOOLONG;
	if (!split_path(d->paths.resolv_conf, w->dir[0], w->name[0]))
		goto fail;
	/* Debian's /etc/resolv.conf names /run/resolvconf/resolv.conf, which resolvconf replaces. */
	if (realpath(d->paths.resolv_conf, real) != NULL && split_path(real, w->dir[1], w->name[1]) &&
	    (strcmp(w->dir[0], w->dir[1]) != 0 || strcmp(w->name[0], w->name[1]) != 0))
		w->n_ev = 2;
	else
		w->n_ev = 1;
	if ((ret = uv_timer_init(uv, &w->settle)) < 0)
		goto fail;
	w->settle.data = w;
	w->open_handles = 1;
	for (int i = 0; i < w->n_ev; i++) {
		if ((ret = uv_fs_event_init(uv, &w->ev[i])) < 0) {
			w->n_ev = i;
			break;
		}
		w->ev[i].data = w;
		w->open_handles++;
		if ((ret = uv_fs_event_start(&w->ev[i], on_change, w->dir[i], 0)) < 0) {
			w->n_ev = i + 1;
			break;
		}
	}
	if (ret < 0) {
		vpnc_log(VPNC_LOG_WARN, "DNS: cannot watch %s (%s); if resolvconf rewrites it while connected, "
		         "the other links' servers are back after the VPN's", d->paths.resolv_conf, uv_strerror(ret));
		close_all(w);
		return NULL;
	}
	vpnc_log(VPNC_LOG_MORE, "DNS: watching %s for rewrites by resolvconf", d->paths.resolv_conf);
	return w;
fail:
	vpnc_log(VPNC_LOG_WARN, "DNS: cannot watch %s (%s); if resolvconf rewrites it while connected, "
	         "the other links' servers are back after the VPN's", d->paths.resolv_conf, strerror(-ret));
	free(w);
	return NULL;
}
