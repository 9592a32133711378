/*
 * updown.c: owns the order of DNS changes and user scripts around the
 * tunnel's life (see updown.h), and what is logged about them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <openssl/crypto.h>

#include "daemon/log.h"
#include "daemon/script.h"
#include "daemon/updown.h"

/* A running script's identity for its completion callback. */
enum updown_kind {
	UPDOWN_UP,
	UPDOWN_ROUTE_UP,
	UPDOWN_DOWN,
	UPDOWN_DOWN_ROOT,            /* the down-root plugin's command: before 'down', no appended arguments */
};

struct updown_job {
	struct vpnc_updown *u;       /* NULL for 'down': the loop is ending */
	enum updown_kind kind;
	char name[16];
	const char *context;         /* static "init" or "restart" */
	const char *signal;          /* UPDOWN_DOWN_ROOT: for the 'down' that follows it */
};

static void job_done(void *ctx, int status);

/*
 * Builds the environment and starts one script; the job struct is freed by
 * job_done. Returns 0, or a negative errno after logging one sentence when
 * the script cannot be started. It never calls u->fail: the caller decides,
 * so that no caller finds its loop torn down under it.
 */
/* What every script of this device is told about it (script_env.h). */
static void script_info(const struct vpnc_updown *u, struct vpnc_script_info *info, const char *type,
                        const char *context, const char *signal)
{
	memset(info, 0, sizeof(*info));
	info->script_type = type;
	info->script_context = context;
	info->dev = u->dev;
	info->tun_mtu = u->mtu;
	info->verb = u->conf->verb;
	info->config = u->conf->path;
	info->trusted = u->have_server ? (const struct sockaddr *)&u->server : NULL;
	info->signal = signal;
	info->conf = u->conf;
	info->pid = (long)getpid();
}

static int run_script(struct vpnc_updown *u, enum updown_kind kind, const char *cmd,
                      const char *context, const char *signal)
{
	/* script_type in the environment, and the name in log lines. */
	static const char *const types[] = {"up", "route-up", "down", "down"};
	static const char *const names[] = {"up", "route-up", "down", "down-root"};
	struct vpnc_script_env *env = malloc(sizeof(*env));
	struct updown_job *job = malloc(sizeof(*job));
	struct vpnc_script_info info;
	struct vpnc_script_updown ud;
	int ret;

	if (env == NULL || job == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	script_info(u, &info, types[kind], context, signal);
	ret = vpnc_script_env_build(env, &info, u->last);
	if (ret < 0)
		goto out;
	vpnc_script_updown_args(&ud, &info, u->last);
	job->u = kind == UPDOWN_DOWN ? NULL : u;
	job->kind = kind;
	job->context = context;
	job->signal = signal;
	memcpy(job->name, names[kind], strlen(names[kind]) + 1);
	vpnc_log(VPNC_LOG_MORE, "running the %s script: %s", names[kind], cmd);
	ret = vpnc_script_run(u->uv, cmd, env, kind == UPDOWN_ROUTE_UP || kind == UPDOWN_DOWN_ROOT ? NULL : ud.v, 0,
	                      job_done, job);
	if (ret == 0)
		job = NULL;
out:
	if (ret < 0) {
		/* 'up' and 'route-up' failing ends the run (OpenVPN: fatal); 'down' is the last word anyway. */
		vpnc_log(kind >= UPDOWN_DOWN ? VPNC_LOG_WARN : VPNC_LOG_FATAL, "Cannot run the %s script '%s': %s.",
		         names[kind], cmd, ret < -1000 ? uv_strerror(ret) : strerror(-ret));
	}
	free(job);
	free(env);
	return ret < 0 ? ret : 0;
}

/*
 * route-pre-down and ipchange: 2.6 waits for them (its openvpn_run_script),
 * so vpnc waits too (at most the script timeout). A failing ipchange is only
 * a warning there; a failing route-pre-down is fatal (2.6 runs it as it runs
 * up and down), so it is logged as the reason and the caller exits 1.
 * Arguments: ipchange gets the server's "[AF_INET]address port"
 * ("[AF_INET6]..." for IPv6) as one word, as 2.6 prints it (print_sockaddr_ex,
 * into one argument); route-pre-down those of up and down. Environment as
 * for the other scripts; ipchange's has no pushed values, as 2.6's, which
 * runs it when the TLS handshake is done, before the push. Returns 0, or -1
 * when the script failed or could not start.
 */
static int run_sync(struct vpnc_updown *u, const char *type, const char *cmd, const char *signal)
{
	bool ipchange = strcmp(type, "ipchange") == 0;
	struct vpnc_script_env *env;
	struct vpnc_script_info info;
	struct vpnc_script_updown ud;
	const char *one[2] = {NULL, NULL};
	char host[INET6_ADDRSTRLEN + 20];
	int ret;

	if (!vpnc_script_allowed(u->conf->script_security)) {
		vpnc_log(VPNC_LOG_WARN, "The %s script is not run: it needs 'script-security 2' (it is %d).",
		         type, u->conf->script_security);
		return 0;
	}
	if ((env = malloc(sizeof(*env))) == NULL) {
		vpnc_log(VPNC_LOG_WARN, "Cannot run the %s script '%s': out of memory.", type, cmd);
		return -ENOMEM;
	}
	script_info(u, &info, type, "init", signal);
	ret = vpnc_script_env_build(env, &info, ipchange ? NULL : u->last);
	if (ret == 0 && ipchange) {
		char a[INET6_ADDRSTRLEN];
		const struct sockaddr_in *in = (const struct sockaddr_in *)&u->server;
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&u->server;

		if (u->server.ss_family == AF_INET)
			inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		else
			inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		snprintf(host, sizeof(host), "[%s]%s %u", u->server.ss_family == AF_INET ? "AF_INET" : "AF_INET6", a,
		         (unsigned)ntohs(u->server.ss_family == AF_INET ? in->sin_port : in6->sin6_port));
		one[0] = host;
	} else if (ret == 0) {
		vpnc_script_updown_args(&ud, &info, u->last);
	}
	if (ret == 0) {
		vpnc_log(VPNC_LOG_MORE, "running the %s script: %s", type, cmd);
		ret = vpnc_script_run_sync(cmd, env, ipchange ? one : ud.v, 0);
	}
	if (ret < 0)
		vpnc_log(ipchange ? VPNC_LOG_WARN : VPNC_LOG_FATAL, "Cannot run the %s script '%s': %s.", type, cmd,
		         ret < -1000 ? uv_strerror(ret) : strerror(-ret));
	else if (ret != 0)
		vpnc_log(ipchange ? VPNC_LOG_WARN : VPNC_LOG_FATAL, "The %s script failed with status %d.", type, ret);
	else
		vpnc_log(VPNC_LOG_MORE, "The %s script finished", type);
	free(env);
	return ret == 0 ? 0 : -1;
}

static void job_done(void *ctx, int status)
{
	struct updown_job *job = ctx;
	struct vpnc_updown *u = job->u;

	if (status != 0)
		/* A failing 'up' or 'route-up' ends the run: this is the sentence that says why. */
		vpnc_log(u != NULL && !u->closing && job->kind < UPDOWN_DOWN ? VPNC_LOG_FATAL : VPNC_LOG_WARN,
		         "The %s script failed with status %d.", job->name, status);
	else
		vpnc_log(VPNC_LOG_MORE, "The %s script finished", job->name);
	if (job->kind == UPDOWN_DOWN_ROOT) {
		/* 2.6 calls the plugin, then runs 'down'; u lives until the loop's last uv_run ends. */
		if (u->conf->down[0])
			run_script(u, UPDOWN_DOWN, u->conf->down, "init", job->signal);
		free(job);
		return;
	}
	if (u != NULL && u->closing)
		u = NULL; /* the loop is ending: no follow-up script, no second shutdown */
	if (u != NULL && job->kind == UPDOWN_UP && status == 0 && u->conf->route_up[0] &&
	    run_script(u, UPDOWN_ROUTE_UP, u->conf->route_up, job->context, NULL) < 0)
		status = -1;
	/* OpenVPN ends the session when 'up' or 'route-up' fails. This runs from the script's exit
	 * callback, so nothing up the stack holds on to what the loop is about to free. */
	if (u != NULL && status != 0 && u->fail != NULL)
		u->fail(u->fail_ctx);
	free(job);
}

int vpnc_updown_init(struct vpnc_updown *u, uv_loop_t *uv, const struct vpnc_config *conf,
                     void (*fail)(void *ctx), void *fail_ctx)
{
	/* OpenVPN fails when it comes to run one of these without script-security 2; vpnc says so first. */
	const char *needs = conf->up[0]               ? "up"
	                    : conf->down[0]           ? "down"
	                    : conf->route_up[0]       ? "route-up"
	                    : conf->route_pre_down[0] ? "route-pre-down"
	                    : conf->tls_verify[0]     ? "tls-verify"
	                                              : NULL;
	int ret;

	memset(u, 0, sizeof(*u));
	u->uv = uv;
	u->conf = conf;
	u->fail = fail;
	u->fail_ctx = fail_ctx;
	vpnc_dns_init(&u->dns, NULL);
	if (needs != NULL && !vpnc_script_allowed(conf->script_security)) {
		vpnc_log(VPNC_LOG_FATAL, "The '%s' script needs 'script-security 2' (it is %d); "
		         "refusing to start, as OpenVPN does.", needs, conf->script_security);
		return -EPERM;
	}
	if (conf->dns_mode != VPNC_DNS_NONE) {
		ret = vpnc_dns_recover(NULL);
		if (ret > 0)
			vpnc_log(VPNC_LOG_INFO, "Restored DNS settings left by an earlier vpnc (%d)", ret);
	}
	return 0;
}

/* The watch stopped at its limit (dnswatch.h): the other links' servers may be back. */
static void dnswatch_gave_up(void *ctx)
{
	struct vpnc_updown *u = ctx;

	u->dnswatch = NULL; /* it frees itself */
	if (u->dns_scope != NULL && strcmp(u->dns_scope, "full-tunnel") == 0)
		u->dns_scope = "first";
}

static void apply_dns(struct vpnc_updown *u, const struct vpnc_push *push, int ifindex)
{
	struct vpnc_dns_conf *c;
	int ret;

	vpnc_dnswatch_stop(u->dnswatch); /* before anything is reverted or applied again */
	u->dnswatch = NULL;
	u->dns_failed = false;
	u->dns_why[0] = '\0';
	u->dns_scope = NULL;
	if (u->conf->dns_mode == VPNC_DNS_NONE)
		return;
	if (u->conf->dns_mode == VPNC_DNS_AUTO && u->conf->up[0]) {
		vpnc_log(VPNC_LOG_MORE, "DNS is left to the up script (use --dns-mode to override)");
		return;
	}
	c = malloc(sizeof(*c));
	if (c == NULL)
		return;
	ret = vpnc_dns_conf_from_push(c, push, u->dev, ifindex);
	if (ret < 0) /* before any backend was chosen */
		snprintf(u->dns_why, sizeof(u->dns_why), "%s: a pushed name is not usable",
		         vpnc_dns_mode_name(u->conf->dns_mode));
	else if (ret > 0 && (ret = vpnc_dns_apply(&u->dns, u->conf->dns_mode, c)) < 0)
		vpnc_dns_why(&u->dns, ret, u->dns_why, sizeof(u->dns_why));
	/*
	 * A warning, not a note: the tunnel is up but names still resolve through
	 * the local servers (e.g. a read-only /etc/resolv.conf under a sandbox).
	 * The loop also says so, with dns_why, in systemd's STATUS= (loop.c,
	 * sd_connected) and `vpnc status` (ctlstate.h).
	 */
	u->dns_failed = ret < 0;
	/* For `vpnc status`: resolved alone can route only some names to the VPN (dns.h). */
	if (ret > 0)
		u->dns_scope = c->full_tunnel && u->dns.exclusive ? "full-tunnel"
		               : ret != VPNC_DNS_RESOLVED ? "first"
		               : c->n_domains + c->n_route_domains > 0 ? "domains" : "shared";
	if (ret > 0 && u->dns.rc_file && u->dns.exclusive) {
		vpnc_log(VPNC_LOG_WARN, "DNS: this resolvconf has no exclusive mode (-x), so on this full "
		         "tunnel vpnc also writes the VPN's servers alone into /etc/resolv.conf, as "
		         "--dns-mode file does, writes them again when resolvconf rewrites the file, and "
		         "puts the file back at exit");
		u->dnswatch = vpnc_dnswatch_start(u->uv, &u->dns, c, dnswatch_gave_up, u);
	}
	if (ret > 0 && c->full_tunnel && !u->dns.exclusive)
		vpnc_log(VPNC_LOG_WARN, "DNS: this resolvconf cannot make the VPN's servers the only ones "
		         "(no -x) and /etc/resolv.conf cannot be written, so a lookup the VPN's servers fail "
		         "goes to the other links' servers outside the tunnel; systemd-resolved or "
		         "--kill-switch prevent that");
	if (ret < 0)
		vpnc_log(VPNC_LOG_WARN, "Cannot apply the pushed DNS settings (%s): %s",
		         vpnc_dns_mode_name(u->conf->dns_mode), strerror(-ret));
	else if (ret > 0)
		vpnc_log(VPNC_LOG_INFO, "DNS: %zu server(s), %zu domain(s) set through %s", c->n_servers,
		         c->n_domains + c->n_route_domains, vpnc_dns_mode_name((enum vpnc_dns_mode)ret));
	if (ret > 0 && ret != VPNC_DNS_RESOLVED && c->n_route_domains > 0)
		vpnc_log(VPNC_LOG_WARN, "DNS: %s cannot send only some names to the VPN; %zu routing "
		         "domain(s) not applied, every lookup tries the VPN's servers first",
		         vpnc_dns_mode_name((enum vpnc_dns_mode)ret), c->n_route_domains);
	if (ret > 0 && ret != VPNC_DNS_RESOLVED && (c->dnssec != VPNC_DNSSEC_UNSET || c->transport > VPNC_DNST_PLAIN))
		vpnc_log(VPNC_LOG_INFO, "DNS: the dns option's dnssec and transport settings are given to "
		         "scripts only; %s keeps its own", vpnc_dns_mode_name((enum vpnc_dns_mode)ret));
	else if (ret == VPNC_DNS_RESOLVED && c->transport == VPNC_DNST_DOH)
		vpnc_log(VPNC_LOG_WARN, "DNS: systemd-resolved cannot use DNS over HTTPS; the servers are "
		         "used with its own transport setting");
	free(c);
}

int vpnc_updown_connected(struct vpnc_updown *u, const struct vpnc_push *push, const char *dev,
                          int ifindex, int mtu, const struct sockaddr *server)
{
	bool run_up;
	int ret = 0;

	if (u->last == NULL && (u->last = malloc(sizeof(*u->last))) == NULL) {
		vpnc_log(VPNC_LOG_WARN, "Out of memory: DNS and scripts skipped");
		return 0;
	}
	memcpy(u->last, push, sizeof(*push));
	OPENSSL_cleanse(u->last->auth_token, sizeof(u->last->auth_token)); /* never needed here */
	snprintf(u->dev, sizeof(u->dev), "%s", dev);
	u->mtu = mtu;
	u->have_server = false;
	if (server != NULL && (server->sa_family == AF_INET || server->sa_family == AF_INET6)) {
		memcpy(&u->server, server, server->sa_family == AF_INET ? sizeof(struct sockaddr_in)
		                                                        : sizeof(struct sockaddr_in6));
		u->have_server = true;
	}
	/* 2.6 runs ipchange once a new session's handshake is done, before anything else of it. */
	if (u->conf->ipchange[0] && u->have_server)
		(void)run_sync(u, "ipchange", u->conf->ipchange, NULL); /* a failure is only a warning */
	apply_dns(u, push, ifindex);
	run_up = u->conf->up[0] && (!u->up_done || u->conf->up_restart);
	if (run_up)
		ret = run_script(u, UPDOWN_UP, u->conf->up, u->up_done ? "restart" : "init", NULL);
	else if (u->conf->route_up[0])
		ret = run_script(u, UPDOWN_ROUTE_UP, u->conf->route_up, u->up_done ? "restart" : "init", NULL);
	if (u->conf->up[0])
		u->up_done = true;
	return ret;
}

void vpnc_updown_dns_revert(struct vpnc_updown *u)
{
	/* First: the original coming back must not look like a rewrite to undo. */
	vpnc_dnswatch_stop(u->dnswatch);
	u->dnswatch = NULL;
	if (u->conf != NULL && u->dns.mode != VPNC_DNS_NONE) {
		int ret = vpnc_dns_revert(&u->dns);

		if (ret < 0)
			vpnc_log(VPNC_LOG_WARN, "Cannot restore the DNS settings: %s", strerror(-ret));
		else
			vpnc_log(VPNC_LOG_MORE, "DNS settings restored");
	}
}

int vpnc_updown_route_pre_down(struct vpnc_updown *u, const char *signal)
{
	if (u->conf == NULL || u->closing || u->predown_done)
		return 0;
	u->predown_done = true;
	/* As 'down': only if the tunnel came up (2.6: once its route list exists). */
	if (u->conf->route_pre_down[0] && u->last != NULL)
		return run_sync(u, "route-pre-down", u->conf->route_pre_down, signal != NULL ? signal : "sigterm");
	return 0;
}

void vpnc_updown_down(struct vpnc_updown *u, const char *signal)
{
	if (u->conf == NULL || u->closing)
		return; /* never initialised, or already done */
	u->closing = true;
	vpnc_updown_dns_revert(u);
	/* OpenVPN runs 'down' (and the down-root plugin's command) only if the tunnel came up. */
	if (signal == NULL)
		signal = "sigterm";
	if (u->last == NULL)
		return;
	if (u->conf->down_root[0] &&
	    run_script(u, UPDOWN_DOWN_ROOT, u->conf->down_root, "init", signal) == 0)
		return; /* 'down' follows when it ends (job_done) */
	if (u->conf->down[0])
		run_script(u, UPDOWN_DOWN, u->conf->down, "init", signal);
}

void vpnc_updown_free(struct vpnc_updown *u)
{
	/* u->dnswatch is NULL here: vpnc_updown_dns_revert() stopped it while the loop ran. */
	vpnc_dns_close(&u->dns);
	free(u->last);
	u->last = NULL;
}
