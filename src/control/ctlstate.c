/*
 * ctlstate.c: owns what the control socket reports between requests (see
 * ctlstate.h): copies of the current server, push, device and last error,
 * the expiry dates read at start, and the socket; it answers status
 * requests from them plus the live counters of the current engine.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "control/ctlpath.h"
#include "control/ctlsock.h"
#include "control/ctlstate.h"
#include "daemon/log.h"
#include "os/fsowner.h"

struct vpnc_ctlstate {
	char tls_version[16];
	char tls_cipher[64];
	const struct vpnc_config *conf;
	const char *config_path;         /* conf->path, else the command line's --config file */
	struct vpnc_ctlstate_hooks hooks;
	struct vpnc_ctl *ctl;
	enum vpnc_status_state state;
	bool kill_switch, kill_switch_lan;
	char instance[VPNC_CTL_INSTANCE_MAX + 1];
	char host[256];
	char address[INET6_ADDRSTRLEN];
	char port[8];
	const char *proto;
	char dev[32];
	char cipher[32];                 /* kept from the engine at connect */
	char last_error[256];
	bool have_push;
	bool dns_failed;                 /* vpnc_ctlstate_dns() */
	char dns_why[VPNC_CTL_DNS_WHY_MAX]; /* vpnc_ctlstate_dns(): why it failed, or "" */
	const char *dns_backend, *dns_scope; /* vpnc_ctlstate_dns(); static strings */
	const struct vpnc_status_netev *netev; /* the loop's, borrowed */
	struct vpnc_status_datapath datapath; /* filled per status request */
	struct vpnc_push push;           /* a copy without the auth-token */
	int64_t connected_since;
	int64_t cert_not_after;
	int64_t profile_expires;
	uv_loop_t *loop;                 /* its clock is the engine's (last packet times) */
	unsigned attempt;                /* attempts since the last connect */
	unsigned connects;               /* sessions set up in this run */
};

static void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src != NULL ? src : "");
}

static const char *proto_name(const struct vpnc_remote *r, int family)
{
	if (r->transport == VPNC_TRANSPORT_TCP)
		return family == AF_INET6 ? "tcp6" : "tcp4";
	return family == AF_INET6 ? "udp6" : "udp4";
}

static void fill_status(void *ctx, struct vpnc_status_snap *snap)
{
	struct vpnc_ctlstate *s = ctx;
	const struct vpnc_engine *eng = s->hooks.engine != NULL ? s->hooks.engine(s->hooks.ctx) : NULL;

	snap->state = s->state;
	snap->instance = s->instance;
	snap->config_path = s->config_path;
	snap->last_error = s->last_error[0] ? s->last_error : NULL;
	snap->pid = (long)getpid();
	if (s->host[0]) {
		snap->host = s->host;
		snap->address = s->address[0] ? s->address : NULL;
		snap->port = s->port;
		snap->proto = s->proto;
	}
	if (eng != NULL && vpnc_engine_cipher(eng)[0] != '\0')
		copy_str(s->cipher, sizeof(s->cipher), vpnc_engine_cipher(eng));
	snap->cipher = s->state == VPNC_STATUS_CONNECTED && s->cipher[0] ? s->cipher : NULL;
	if (eng != NULL && vpnc_engine_tls_version(eng)[0] != '\0') {
		copy_str(s->tls_version, sizeof(s->tls_version), vpnc_engine_tls_version(eng));
		copy_str(s->tls_cipher, sizeof(s->tls_cipher), vpnc_engine_tls_cipher(eng));
	}
	snap->tls_version = s->tls_version[0] ? s->tls_version : NULL;
	snap->tls_cipher = s->tls_cipher[0] ? s->tls_cipher : NULL;
	snap->dev = s->dev[0] ? s->dev : NULL;
	snap->push = s->have_push ? &s->push : NULL;
	snap->dns_failed = s->have_push && s->dns_failed;
	snap->dns_why = snap->dns_failed && s->dns_why[0] ? s->dns_why : NULL;
	snap->dns_backend = s->have_push ? s->dns_backend : NULL;
	snap->dns_scope = s->have_push ? s->dns_scope : NULL;
	if (s->netev != NULL)
		snap->netev = *s->netev;
	snap->stats = eng != NULL ? vpnc_engine_stats(eng) : NULL;
	snap->datapath = s->hooks.datapath != NULL && s->hooks.datapath(s->hooks.ctx, &s->datapath)
	                         ? &s->datapath
	                         : NULL;
	snap->last_recv_ms_ago = snap->last_sent_ms_ago = -1;
	if (eng != NULL) {
		const struct vpnc_stats *st = vpnc_engine_stats(eng);
		uint64_t now = uv_now(s->loop), rx, tx;

		vpnc_engine_last_io(eng, &rx, &tx);
		if (st->link_in_pkts > 0 && rx <= now)
			snap->last_recv_ms_ago = (int64_t)(now - rx);
		if (st->link_out_pkts > 0 && tx <= now)
			snap->last_sent_ms_ago = (int64_t)(now - tx);
	}
	snap->attempt = s->state == VPNC_STATUS_CONNECTED ? 0 : s->attempt;
	snap->reconnects = s->connects > 1 ? s->connects - 1 : 0;
	snap->connected_since = s->state == VPNC_STATUS_CONNECTED ? s->connected_since : 0;
	snap->cert_not_after = s->cert_not_after;
	snap->profile_expires = s->profile_expires;
	snap->kill_switch = s->kill_switch;
	snap->kill_switch_lan = s->kill_switch_lan;
	if (s->hooks.prompt != NULL)
		s->hooks.prompt(s->hooks.ctx, snap);
}

static int do_answer(void *ctx, unsigned id, const char *text, size_t len)
{
	static struct vpnc_status_snap snap; /* the loop is single-threaded */
	struct vpnc_ctlstate *s = ctx;
	bool waiting = false;
	int ret;

	if (s->hooks.answer == NULL)
		return -ENOTSUP;
	/* Said before the answer is handed on: taking it may ask the next question at once (on the
	 * terminal, by the privileged parent under privsep), and this line must not land between
	 * that question and what the user types. Never the answer itself: it may be a secret. */
	if (s->hooks.prompt != NULL) {
		memset(&snap, 0, sizeof(snap));
		s->hooks.prompt(s->hooks.ctx, &snap);
		waiting = id != 0 && snap.prompt_id == id;
	}
	if (waiting)
		vpnc_log(VPNC_LOG_INFO, "Question %u answered on the control socket", id);
	ret = s->hooks.answer(s->hooks.ctx, id, text, len);
	if (ret != 0)
		vpnc_log(waiting ? VPNC_LOG_WARN : VPNC_LOG_MORE, "Question %u %s on the control socket", id,
		         waiting ? "not answered after all (the answer is too long)"
		                 : "not answered (no such question, or too long)");
	else if (!waiting)
		vpnc_log(VPNC_LOG_INFO, "Question %u answered on the control socket", id);
	return ret;
}

static void do_disconnect(void *ctx)
{
	struct vpnc_ctlstate *s = ctx;

	vpnc_log(VPNC_LOG_INFO, "Disconnect requested on the control socket");
	if (s->hooks.disconnect != NULL)
		s->hooks.disconnect(s->hooks.ctx);
}

static void do_reconnect(void *ctx)
{
	struct vpnc_ctlstate *s = ctx;

	vpnc_log(VPNC_LOG_INFO, "Reconnect requested on the control socket");
	if (s->hooks.reconnect != NULL)
		s->hooks.reconnect(s->hooks.ctx);
}

static void log_fn(void *ctx, int level, const char *msg)
{
	vpnc_log(level, "%s", msg);
}

/* One log line when a date is near or past, at start, so it shows up in the journal. */
static void warn_expiry(const char *what, int64_t t, int64_t now)
{
	int level = vpnc_status_expiry_level(t, now);
	char ts[40];
	time_t tt = (time_t)t;
	struct tm tm;

	if (level == 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		return;
	if (level == 2)
		vpnc_log(VPNC_LOG_WARN, "WARNING: the %s expired at %s.", what, ts);
	else
		vpnc_log(VPNC_LOG_WARN, "WARNING: the %s expires at %s, in %lld hours.", what, ts,
		         (long long)((t - now) / 3600));
}

static int vpnc_ctlstate_open(struct vpnc_ctlstate **out, uv_loop_t *loop, const struct vpnc_config *conf,
                       const struct vpnc_ctlstate_hooks *hooks)
{
	struct vpnc_ctl_ops ops = {
		.status = fill_status,
		.disconnect = do_disconnect,
		.reconnect = do_reconnect,
		.answer = do_answer,
		.log = log_fn,
	};
	char path[VPNC_CTL_PATH_MAX];
	struct vpnc_ctlstate *s;
	int64_t now = (int64_t)time(NULL);
	unsigned flags = 0;
	int ret;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->conf = conf;
	s->hooks = *hooks;
	s->loop = loop;
	s->state = VPNC_STATUS_STARTING;
	s->config_path = vpnc_ctl_config_path(conf);
	vpnc_ctl_instance_of(conf, s->instance, sizeof(s->instance));
	if (conf->cert != NULL && vpnc_status_cert_not_after(conf->cert, &s->cert_not_after) < 0)
		s->cert_not_after = 0;
	if (s->config_path != NULL &&
	    vpnc_status_profile_expires(s->config_path, &s->profile_expires) < 0)
		s->profile_expires = 0;
	warn_expiry("client certificate", s->cert_not_after, now);
	warn_expiry("profile (eduVPN session)", s->profile_expires, now);

	if (conf->control_socket[0] != '\0') {
		copy_str(path, sizeof(path), conf->control_socket);
	} else {
		ret = vpnc_ctl_path(s->instance, path, sizeof(path));
		if (ret < 0)
			goto fail;
		flags = VPNC_CTL_MKDIR;
	}
	ops.ctx = s;
	ops.has_read_group = conf->control_group_set;
	ops.read_group = conf->control_gid;
	ret = vpnc_ctl_open(loop, path, flags, &ops, &s->ctl);
	if (ret < 0)
		goto fail;
	vpnc_log(VPNC_LOG_MORE, "Control socket: %s", path);
	*out = s;
	return 0;
fail:
	vpnc_log(VPNC_LOG_WARN, "No control socket (%s): %s%s", path[0] ? path : "?",
	         ret == -EADDRINUSE ? "another vpnc serves it" : strerror(-ret),
	         ret == -EADDRINUSE ? "; give this one --control-socket PATH" : "");
	free(s);
	return ret;
}

int vpnc_ctlstate_open_owned(struct vpnc_ctlstate **out, uv_loop_t *loop, const struct vpnc_config *conf,
                             const struct vpnc_ctlstate_hooks *hooks)
{
	struct vpnc_fsowner fo = {0};
	int ret;

	if (conf->control_socket[0] != '\0' && vpnc_fsowner_enter(&fo, conf->owner_uid, conf->owner_gid) < 0) {
		vpnc_log(VPNC_LOG_WARN, "Cannot take the rights of the profile's owner for the control socket");
		return -EPERM;
	}
	ret = vpnc_ctlstate_open(out, loop, conf, hooks);
	vpnc_fsowner_leave(&fo);
	return ret;
}

void vpnc_ctlstate_killswitch(struct vpnc_ctlstate *s, bool on, bool lan)
{
	if (s == NULL)
		return;
	s->kill_switch = on;
	s->kill_switch_lan = lan;
}

void vpnc_ctlstate_attempt(struct vpnc_ctlstate *s, const struct vpnc_remote *r,
                           const struct sockaddr *addr)
{
	const void *a = NULL;

	if (s == NULL)
		return;
	s->state = VPNC_STATUS_CONNECTING;
	s->attempt++;
	copy_str(s->host, sizeof(s->host), r->host);
	copy_str(s->port, sizeof(s->port), r->port[0] ? r->port : "1194");
	s->proto = proto_name(r, addr != NULL ? addr->sa_family : AF_INET);
	s->address[0] = '\0';
	if (addr != NULL && addr->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)addr)->sin_addr;
	else if (addr != NULL && addr->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)addr)->sin6_addr;
	if (a == NULL || inet_ntop(addr->sa_family, a, s->address, sizeof(s->address)) == NULL)
		s->address[0] = '\0';
}

void vpnc_ctlstate_connected(struct vpnc_ctlstate *s, const struct vpnc_push *push, const char *dev)
{
	const struct vpnc_engine *eng;

	if (s == NULL)
		return;
	s->state = VPNC_STATUS_CONNECTED;
	s->attempt = 0;
	s->connects++;
	s->connected_since = (int64_t)time(NULL);
	s->last_error[0] = '\0';
	copy_str(s->dev, sizeof(s->dev), dev);
	if (push != NULL) {
		s->push = *push;
		/* The token is a secret and not shown: it never stays in this copy. */
		OPENSSL_cleanse(s->push.auth_token, sizeof(s->push.auth_token));
		s->have_push = true;
	}
	eng = s->hooks.engine != NULL ? s->hooks.engine(s->hooks.ctx) : NULL;
	if (eng != NULL)
		copy_str(s->cipher, sizeof(s->cipher), vpnc_engine_cipher(eng));
}

void vpnc_ctlstate_dns(struct vpnc_ctlstate *s, bool failed, const char *why, const char *backend,
                       const char *scope)
{
	if (s == NULL)
		return;
	s->dns_failed = failed;
	copy_str(s->dns_why, sizeof(s->dns_why), failed ? why : NULL);
	s->dns_backend = backend;
	s->dns_scope = scope;
}

void vpnc_ctlstate_netev(struct vpnc_ctlstate *s, const struct vpnc_status_netev *ev)
{
	if (s != NULL)
		s->netev = ev;
}

void vpnc_ctlstate_down(struct vpnc_ctlstate *s, enum vpnc_status_state state, const char *reason)
{
	if (s == NULL)
		return;
	s->state = state;
	if (reason != NULL)
		copy_str(s->last_error, sizeof(s->last_error), reason);
}

void vpnc_ctlstate_close(struct vpnc_ctlstate *s)
{
	if (s == NULL)
		return;
	/* After this no ctlsock callback runs, so s can go at once. */
	vpnc_ctl_close(s->ctl);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}
