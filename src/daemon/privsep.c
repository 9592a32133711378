/*
 * privsep.c: the privileged parent's process (privsep.h): the fork, its
 * own capabilities, the signal forwarding, the request loop and the revert
 * when the network process ends. It reads only the socketpair and a
 * signalfd, never a byte from the peer.
 */
#include "daemon/privsep.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cap-ng.h>
#include <openssl/rand.h>

#include "control/ctlpath.h"
#include "daemon/exitcode.h"
#include "daemon/ks_run.h"
#include "daemon/log.h"
#include "daemon/privask.h"
#include "daemon/remote.h"
#include "daemon/script.h"
#include "daemon/sdnotify.h"
#include "daemon/updown.h"
#include "priv/privio.h"
#include "priv/privsd.h"
#include "priv/privsrv.h"

_Static_assert(VPNC_PRIV_DNS_WHY_MAX == VPNC_DNS_WHY_MAX, "the DNS reason fits the RESULT message");

static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2};
static EVP_PKEY *sign_key; /* vpnc_privsep_sign_key(): the token's key, borrowed */
static bool ask_no_sdask;  /* vpnc_privsep_no_sdask() */
static bool unprivileged;  /* vpnc_privsep_unprivileged() */

void vpnc_privsep_unprivileged(bool on)
{
	unprivileged = on;
}

void vpnc_privsep_no_sdask(bool no_sdask)
{
	ask_no_sdask = no_sdask;
}

void vpnc_privsep_sign_key(EVP_PKEY *key)
{
	sign_key = key;
}

/*
 * What the parent keeps (docs/privileges.md): CAP_NET_ADMIN for TUNSETIFF
 * and rtnetlink; CAP_KILL to pass signals to (and stop) the network
 * process, which runs under another uid. The uid stays 0: resolv.conf and
 * the run directory are root's own files, and systemd-resolved lets uid 0
 * set a link's DNS without polkit. The bounding set is cut to the same two.
 */
static int parent_caps(void)
{
	/* Unprivileged (privsep.h): nothing to keep; CAP_SYS_CHROOT was the network process's. */
	if (unprivileged) {
		capng_clear(CAPNG_SELECT_CAPS);
		if (capng_apply(CAPNG_SELECT_CAPS) != 0 ||
		    (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL))
			return -EPERM;
		return 0;
	}
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET, CAP_NET_ADMIN, CAP_KILL,
	                  -1) != 0 ||
	    capng_apply(CAPNG_SELECT_BOTH) != 0)
		return -EPERM;
	return 0;
}

/*
 * The network process's end becomes the parent's exit status (exitcode.h):
 * its own status when it exited (0, or the kind of error it reported), 1 with
 * one sentence when it died of a signal.
 */
static int child_status(int st)
{
	if (WIFEXITED(st)) {
		if (WEXITSTATUS(st) != 0)
			vpnc_log(VPNC_LOG_MORE, "The network process exited with status %d; the network settings "
			                        "were reverted.", WEXITSTATUS(st));
		return WEXITSTATUS(st);
	}
	vpnc_log(VPNC_LOG_FATAL, "The network process died of signal %d; the network settings were reverted.",
	         WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return VPNC_EXIT_RUNTIME;
}

/*
 * The control socket the network process made cannot be unlinked from its
 * empty root: the parent removes it, if it is still a socket.
 */
static void remove_ctl_socket(const struct vpnc_config *conf)
{
	char path[VPNC_CTL_SOCKET_MAX];
	struct stat st;

	if (vpnc_privask_ctl_path(conf, path, sizeof(path)) < 0)
		return;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		(void)unlink(path);
}

/* The parent's state: its own small libuv loop, for the scripts (updown.h) and the signals. */
struct parent {
	uv_loop_t uv;
	uv_poll_t poll;
	uv_poll_t sd_poll;               /* the network process's systemd notifications (privsd.h) */
	uv_signal_t sig[6];              /* SIGCHLD and the forwarded ones */
	struct vpnc_privsrv s;
	struct vpnc_updown u;            /* DNS and scripts, exactly as the one-process daemon runs them */
	struct vpnc_script_verify verify; /* tls-verify, on the network process's request */
	struct vpnc_ks_run ks;           /* the kill switch's rules (ks_run.h): the parent owns them */
	struct vpnc_privask *ask;        /* the network process's questions (privask.h); NULL if none */
	const struct vpnc_config *conf;
	pid_t child;
	int sock;
	int sd_sock;                     /* -1 without $NOTIFY_SOCKET */
	int code;                        /* -1: from the child's status */
	int st;
	bool reaped;
	bool ending;
	const char *down_signal;         /* for the 'down' script's environment */
};

static void on_sigchld(struct parent *p);
static void finish(struct parent *p);

/* A failing 'up' or 'route-up' ends the run, as in OpenVPN: the network process is told to stop. */
static void updown_fail(void *ctx)
{
	struct parent *p = ctx;

	p->code = 1;
	p->down_signal = "fatal-error";
	kill(p->child, SIGTERM);
}

static const char *down_signal(uint32_t why)
{
	static const char *const names[] = {"sigterm", "sigint", "sighup", "fatal-error"};

	return why < sizeof(names) / sizeof(names[0]) ? names[why] : "fatal-error";
}

/* An address of a checked message, as a sockaddr (NULL for family 0). */
static const struct sockaddr *sockaddr_of(int family, uint16_t port, const uint8_t *addr, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = port;
		memcpy(&a->sin_addr, addr, 4);
		return (struct sockaddr *)ss;
	}
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = port;
		memcpy(&a->sin6_addr, addr, 16);
		return (struct sockaddr *)ss;
	}
	return NULL;
}

/* The server a checked NET_APPLY names, as a sockaddr for the script environment. */
static const struct sockaddr *server_of(const struct vpnc_priv_net *n, struct sockaddr_storage *ss)
{
	return sockaddr_of(n->server_family, n->server_port, n->server, ss);
}

/*
 * The kill switch's rules could not be changed (logged): the run ends. The
 * reply still goes out (the child waits for it); what the rules did not
 * allow stays blocked, so this fails closed.
 */
static void ks_failed(struct parent *p)
{
	p->code = 1;
	p->down_signal = "fatal-error";
	kill(p->child, SIGTERM);
}

static int ks_resolved(struct parent *p, const struct vpnc_priv_msg_addrs *a)
{
	struct sockaddr_storage ss[VPNC_PRIV_MAX_ADDRS];
	const struct sockaddr *sa[VPNC_PRIV_MAX_ADDRS];
	size_t n = 0;

	if (!p->ks.on)
		return 0;
	/* A SOCKS server's own address: nothing connects to it; only the resolvers close again. */
	for (uint32_t i = 0; i < a->n && i < VPNC_PRIV_MAX_ADDRS && a->what == VPNC_PRIV_RESOLVE_CONNECT; i++)
		if ((sa[n] = sockaddr_of(a->addrs[i].family, a->addrs[i].port, a->addrs[i].addr, &ss[n])) != NULL)
			n++;
	return vpnc_ks_run_resolved(&p->ks, &p->conf->remotes[a->remote], sa, n);
}

/* The name a RESOLVE looks up (privsrv.c): what vpnc connects to (vpnc_ks_target), or the server. */
static const char *resolve_host(const struct vpnc_config *c, const struct vpnc_priv_msg_resolve *q)
{
	const struct vpnc_remote *r = &c->remotes[q->remote];
	const char *host = r->host, *port;

	if (q->what == VPNC_PRIV_RESOLVE_CONNECT)
		(void)vpnc_ks_target(c, r, &host, &port);
	return host;
}

/* What became of the pushed DNS (privmsg.h), from updown.c's own record. */
static uint8_t dns_state(const struct vpnc_updown *u)
{
	static const char *const scopes[] = {"full-tunnel", "first", "domains", "shared"};

	if (u->dns_failed)
		return VPNC_PRIV_DNS_FAILED;
	for (size_t i = 0; u->dns_scope != NULL && i < sizeof(scopes) / sizeof(scopes[0]); i++)
		if (strcmp(u->dns_scope, scopes[i]) == 0)
			return (uint8_t)(VPNC_PRIV_DNS_FULL_TUNNEL + i);
	return VPNC_PRIV_DNS_NONE;
}

/*
 * tls-verify (script.h), for privsrv.c's VERIFY once it has checked that the
 * profile asks for it: run with the checked values and waited for; the
 * verdict is the reply.
 */
static int verify(void *ctx, const struct vpnc_priv_msg_verify *q)
{
	static struct vpnc_tls_cert_info ci; /* about 11 KiB; single-threaded */
	struct parent *p = ctx;

	memset(&ci, 0, sizeof(ci));
	ci.depth = (int)q->depth;
	memcpy(ci.subject, q->subject, sizeof(ci.subject));
	memcpy(ci.serial, q->serial, sizeof(ci.serial));
	memcpy(ci.serial_hex, q->serial_hex, sizeof(ci.serial_hex));
	memcpy(ci.sha1, q->sha1, sizeof(ci.sha1));
	memcpy(ci.sha256, q->sha256, sizeof(ci.sha256));
	memcpy(ci.x509, q->x509, sizeof(ci.x509));
	memcpy(ci.pem, q->pem, sizeof(ci.pem));
	return vpnc_script_verify(&p->verify, &ci) == 0 ? 0 : -EPERM;
}

/* One request: checked, handled, answered; DNS and scripts for NET_APPLY, and reverts for DOWN. */
static int serve_one(struct parent *p)
{
	static union vpnc_priv_msg req, reply; /* about 10 KiB each; single-threaded */
	struct sockaddr_storage ss;
	int fd, in_fd, ret = vpnc_priv_recv(p->sock, &req, false, &in_fd);

	if (ret == -ECONNRESET)
		return 0;
	if (ret < 0)
		return ret;
	/* Kill switch (ks_run.h): the system's resolvers may be asked during this lookup only. */
	if (ret == VPNC_PRIV_RESOLVE && req.resolve.remote < p->conf->n_remotes &&
	    vpnc_ks_run_resolving(&p->ks, resolve_host(p->conf, &req.resolve)) < 0)
		ks_failed(p);
	if (ret == VPNC_PRIV_DOWN) {
		p->down_signal = p->code == 1 ? "fatal-error" : down_signal(req.down.why);
		if (vpnc_updown_route_pre_down(&p->u, p->down_signal) < 0) { /* before the routes go */
			p->code = 1;
			p->down_signal = "fatal-error";
		}
	}
	if (ret == VPNC_PRIV_DOWN || ret == VPNC_PRIV_NET_UNAPPLY)
		vpnc_updown_dns_revert(&p->u); /* while the TUN still exists, as loop_shutdown() does */
	if (ret == VPNC_PRIV_ASK || ret == VPNC_PRIV_ASK_DONE) {
		/* Questions (privask.h): answered at once; the user's answer goes by the control socket. */
		memset(&reply.result, 0, sizeof(reply.result));
		vpnc_priv_hdr_init(&reply.h, VPNC_PRIV_RESULT);
		reply.result.request = (uint16_t)ret;
		if (ret == VPNC_PRIV_ASK)
			reply.result.err = p->ask != NULL ? vpnc_privask_ask(p->ask, &req.ask) : -ENXIO;
		else
			vpnc_privask_done(p->ask, req.ask_done.id);
		if (reply.result.err < -4095 || reply.result.err > 0)
			reply.result.err = -EIO;
		ret = vpnc_priv_send(p->sock, &reply, reply.h.len, -1);
		return ret < 0 ? (ret == -EPIPE || ret == -ECONNRESET ? 0 : ret) : 1;
	}
	if (ret == VPNC_PRIV_MARK) {
		/* 'mark' (privsrv.h): SO_MARK needs CAP_NET_ADMIN, which only this side has. */
		vpnc_privsrv_mark(&p->s, in_fd, &reply);
		ret = vpnc_priv_send(p->sock, &reply, reply.h.len, -1);
		return ret < 0 ? (ret == -EPIPE || ret == -ECONNRESET ? 0 : ret) : 1;
	}
	ret = vpnc_privsrv_handle(&p->s, &req, &reply, &fd);
	if (ret < 0)
		return ret;
	/* The network process only sees its handshake fail: say here why (at most once a handshake). */
	if (req.h.type == VPNC_PRIV_SIGN && reply.signature.err < 0)
		vpnc_log(VPNC_LOG_WARN, "The PKCS#11 token did not sign for the network process: %s.",
		         strerror(-reply.signature.err));
	/* Kill switch: the remote's addresses may be reached, the TUN device used; before the child knows. */
	if ((reply.h.type == VPNC_PRIV_ADDRS && ks_resolved(p, &reply.addrs) < 0) ||
	    (reply.h.type == VPNC_PRIV_TUN && vpnc_ks_run_tun(&p->ks, p->s.tun.name) < 0))
		ks_failed(p);
	/* A SOCKS proxy's UDP relay (checked by privsrv.c): let through before the child sends there. */
	if (req.h.type == VPNC_PRIV_RELAY && reply.result.err == 0) {
		const struct vpnc_priv_addr *a = &req.relay.relay;
		int err = vpnc_ks_run_relay(&p->ks, sockaddr_of(a->family, a->port, a->addr, &ss));

		if (err < 0) {
			reply.result.err = err < -4095 ? -EIO : err;
			if (err != -ENOSPC) /* the rules could not be changed: as any kill switch failure */
				ks_failed(p);
		}
	}
	/* DNS and scripts before the reply, as the one-process daemon does them before it says
	 * "Initialization Sequence Completed"; the reply tells the network process (its status) how
	 * DNS went. */
	if (req.h.type == VPNC_PRIV_NET_APPLY && reply.result.err == 0 && p->s.applied != NULL) {
		if (p->s.route_hosts_lost > 0)
			vpnc_log(VPNC_LOG_WARN, "%u route(s) with a host name not added: the name does not resolve "
			         "to an IPv4 address (or too many routes)", p->s.route_hosts_lost);
		/* The environment comes from the checked values, never from peer text. */
		if (vpnc_updown_connected(&p->u, p->s.applied, p->s.tun.name, p->s.tun.ifindex, p->s.nc.mtu,
		                          server_of(&req.net.net, &ss)) < 0)
			updown_fail(p);
		reply.result.dns = dns_state(&p->u);
		reply.result.dns_mode = (uint8_t)p->u.dns.mode;
		/* strerror() text is ASCII in the C locale vpnc runs in; anything else becomes '?'. */
		for (size_t i = 0; reply.result.dns == VPNC_PRIV_DNS_FAILED && p->u.dns_why[i] != '\0' &&
		                   i + 1 < sizeof(reply.result.dns_why); i++)
			reply.result.dns_why[i] = (unsigned char)p->u.dns_why[i] >= 0x20 &&
			                                  (unsigned char)p->u.dns_why[i] <= 0x7e
			                                  ? p->u.dns_why[i] : '?';
	}
	ret = vpnc_priv_send(p->sock, &reply, reply.h.len, fd);
	if (ret < 0)
		return ret == -EPIPE || ret == -ECONNRESET ? 0 : ret;
	return 1;
}

static void on_readable(uv_poll_t *h, int status, int events)
{
	struct parent *p = h->data;
	int ret = status < 0 ? -EIO : serve_one(p);

	(void)events;
	if (ret > 0)
		return;
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "The network process sent a request that is not allowed (%s); "
		                         "stopping it and reverting the network settings.", strerror(-ret));
		kill(p->child, SIGKILL);
		p->code = 1;
		p->down_signal = "fatal-error";
	}
	/* Its end is closed (it is exiting) or it is being killed: wait for it. */
	uv_poll_stop(&p->poll);
	if (!p->reaped && waitpid(p->child, &p->st, 0) == p->child)
		p->reaped = true;
	finish(p);
}

/*
 * The network process's systemd notifications: each one that passes the
 * check goes on to $NOTIFY_SOCKET as sent; one that does not is treated as
 * any request that is not allowed.
 */
static void sd_drain(struct parent *p)
{
	char buf[VPNC_PRIV_SD_MAX + 1];
	ssize_t n;

	while ((n = recv(p->sd_sock, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC)) >= 0) {
		if (n > VPNC_PRIV_SD_MAX || vpnc_priv_sd_check(buf, (size_t)n) < 0) {
			if (!p->reaped) {
				vpnc_log(VPNC_LOG_FATAL, "The network process sent a systemd notification that is not "
				         "allowed; stopping it and reverting the network settings.");
				p->code = 1;
				p->down_signal = "fatal-error";
				kill(p->child, SIGKILL);
			}
			return;
		}
		buf[n] = '\0';
		(void)vpnc_sd_notify(buf);
	}
}

static void on_sd_readable(uv_poll_t *h, int status, int events)
{
	(void)status;
	(void)events;
	sd_drain(h->data);
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct parent *p = h->data;

	if (signum == SIGCHLD)
		on_sigchld(p);
	else if (!p->reaped)
		kill(p->child, signum);
}

static void on_sigchld(struct parent *p)
{
	if (!p->reaped && waitpid(p->child, &p->st, WNOHANG) == p->child) {
		p->reaped = true;
		finish(p);
	}
}

static void close_cb_none(uv_handle_t *h)
{
	(void)h;
}

/* Closes a handle that was initialised (calloc left the others UV_UNKNOWN_HANDLE). */
static void close_if(uv_handle_t *h)
{
	if (h->type != UV_UNKNOWN_HANDLE && !uv_is_closing(h))
		uv_close(h, close_cb_none);
}

/* The network process has ended: revert everything, run 'down', let the loop run dry. */
static void finish(struct parent *p)
{
	int failed;

	if (p->ending)
		return;
	p->ending = true;
	if (p->code < 0 && !(WIFEXITED(p->st) && WEXITSTATUS(p->st) == 0))
		p->down_signal = "fatal-error";
	if (vpnc_updown_route_pre_down(&p->u, p->down_signal) < 0) { /* if no DOWN came before */
		p->code = 1;
		p->down_signal = "fatal-error";
	}
	vpnc_updown_dns_revert(&p->u);
	failed = vpnc_privsrv_revert(&p->s);
	if (failed > 0)
		vpnc_log(VPNC_LOG_WARN, "%d network setting(s) could not be reverted", failed);
	vpnc_privask_free(p->ask); /* a question's terminal settings go back */
	p->ask = NULL;
	remove_ctl_socket(p->conf);
	vpnc_updown_down(&p->u, p->down_signal); /* runs during the rest of uv_run */
	close_if((uv_handle_t *)&p->poll);
	if (p->sd_sock >= 0) {
		sd_drain(p); /* its last words (STOPPING=1) */
		close_if((uv_handle_t *)&p->sd_poll);
	}
	for (size_t i = 0; i < sizeof(p->sig) / sizeof(p->sig[0]); i++)
		close_if((uv_handle_t *)&p->sig[i]);
}

/* remote-random-hostname (privsrv.h): the same label the one-process daemon puts in front. */
static int random_host(char *out, size_t cap, const char *host)
{
	unsigned char rnd[VPNC_REMOTE_RANDOM_LABEL];
	int ret;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -EIO;
	ret = vpnc_remote_random_hostname(out, cap, host, rnd);
	if (ret == 0)
		vpnc_log(VPNC_LOG_MORE, "remote-random-hostname: resolving %s", out);
	return ret;
}

static void dns_error(int err, enum vpnc_dns_mode mode)
{
	vpnc_log(VPNC_LOG_WARN, "Cannot apply the pushed DNS settings (dns-mode %s): %s", vpnc_dns_mode_name(mode),
	         strerror(-err));
}

static int serve(const struct vpnc_config *conf, int sock, int sd_sock, pid_t child, const sigset_t *old)
{
	static const int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2};
	struct parent *p = calloc(1, sizeof(*p));
	int ret, code;

	if (p == NULL || uv_loop_init(&p->uv) < 0) {
		vpnc_log(VPNC_LOG_FATAL, "The privileged process cannot set up its loop.");
		kill(child, SIGKILL);
		(void)waitpid(child, NULL, 0);
		free(p);
		return 1;
	}
	p->conf = conf;
	p->child = child;
	p->sock = sock;
	p->sd_sock = sd_sock;
	p->code = -1;
	p->down_signal = "sigterm";
	ret = vpnc_privask_new(&p->uv, conf, ask_no_sdask, &p->ask);
	if (ret < 0)
		vpnc_log(VPNC_LOG_WARN, "The privileged process cannot ask questions on the terminal (%s); "
		         "`vpnc answer` can answer them.", strerror(-ret));
	vpnc_script_verify_init(&p->verify, conf);
	ret = vpnc_privsrv_init(&p->s, conf);
	p->s.dns_by_caller = true; /* updown.c applies DNS, with its rule for an 'up' script */
	p->s.sign_key = sign_key; /* the network process's TLS signs through the token here */
	p->s.on_dns_error = dns_error;
	p->s.random_host = random_host;
	p->s.verify = verify;
	p->s.verify_ctx = p;
	if (ret < 0)
		vpnc_log(VPNC_LOG_FATAL, "The privileged process cannot open a netlink socket: %s.", strerror(-ret));
	else if ((ret = vpnc_updown_init(&p->u, &p->uv, conf, updown_fail, p)) < 0)
		; /* logged there */
	else if ((ret = vpnc_ks_run_start(&p->ks, conf)) < 0)
		; /* logged there; before the child's first request, so before its first packet */
	else if ((ret = uv_poll_init(&p->uv, &p->poll, sock)) == 0) {
		p->poll.data = p;
		ret = uv_poll_start(&p->poll, UV_READABLE | UV_DISCONNECT, on_readable);
		if (ret == 0 && sd_sock >= 0 && (ret = uv_poll_init(&p->uv, &p->sd_poll, sd_sock)) == 0) {
			p->sd_poll.data = p;
			ret = uv_poll_start(&p->sd_poll, UV_READABLE, on_sd_readable);
		}
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]) && ret == 0; i++) {
			p->sig[i].data = p;
			if ((ret = uv_signal_init(&p->uv, &p->sig[i])) == 0)
				ret = uv_signal_start(&p->sig[i], on_signal, sigs[i]);
		}
		if (ret < 0)
			vpnc_log(VPNC_LOG_FATAL, "The privileged process cannot watch its socket: %s.", uv_strerror(ret));
	}
	/* libuv's handlers are in place: what was queued since the fork is delivered now. */
	sigprocmask(SIG_SETMASK, old, NULL);
	if (ret < 0) {
		p->code = 1;
		kill(child, SIGKILL);
		if (p->poll.type != UV_POLL) {
			(void)waitpid(child, &p->st, 0);
			p->reaped = true;
			vpnc_updown_dns_revert(&p->u);
			(void)vpnc_privsrv_revert(&p->s);
		} else {
			on_sigchld(p);
		}
	} else {
		on_sigchld(p); /* it may be gone already */
	}
	uv_run(&p->uv, UV_RUN_DEFAULT);
	if (!p->ending && p->poll.type == UV_POLL) {
		/* The loop ran dry without an end (should not happen): end it the same way. */
		if (!p->reaped)
			(void)waitpid(child, &p->st, 0);
		p->reaped = true;
		finish(p);
		uv_run(&p->uv, UV_RUN_DEFAULT);
	}
	vpnc_privask_free(p->ask); /* if the loop ended without finish() */
	p->ask = NULL;
	uv_run(&p->uv, UV_RUN_NOWAIT);
	(void)uv_loop_close(&p->uv);
	vpnc_updown_free(&p->u);
	vpnc_privsrv_free(&p->s);
	code = p->code >= 0 ? p->code : child_status(p->st);
	vpnc_ks_run_end(&p->ks, code); /* after the DNS and routes are gone, as the loop does */
	free(p);
	return code;
}

int vpnc_privsep_split(const struct vpnc_config *conf, int *sock, void (*forget)(void *), void *forget_arg)
{
	sigset_t set, old;
	int sv[2], sd[2] = {-1, -1}, ret;
	pid_t pid;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&set, forwarded[i]);
	ret = vpnc_priv_socketpair(sv);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot create the privilege separation socket: %s.", strerror(-ret));
		return 1;
	}
	/* systemd accepts only the main process's notifications (NotifyAccess=main): the parent passes
	 * the network process's on (privsd.h). Its end never blocks the loop. */
	if (vpnc_sd_enabled() && socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sd) < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot create the systemd notification socket: %s.", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return 1;
	}
	if (sd[1] >= 0 && fcntl(sd[1], F_SETFL, O_NONBLOCK) < 0)
		vpnc_log(VPNC_LOG_WARN, "Cannot make the systemd notification socket non-blocking: %s",
		         strerror(errno));
	/* Blocked before the fork, so a signal in between is queued, not fatal to the parent. */
	sigprocmask(SIG_BLOCK, &set, &old);
	pid = fork();
	if (pid < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot start the network process: %s.", strerror(errno));
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(sv[0]);
		close(sv[1]);
		if (sd[0] >= 0) {
			close(sd[0]);
			close(sd[1]);
		}
		return 1;
	}
	if (pid == 0) {
		/* The parent gone (even by SIGKILL) means nothing can be reverted or asked for: stop too. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0 || getppid() == 1)
			_exit(1);
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(sv[0]);
		if (sd[0] >= 0) {
			close(sd[0]);
			if (vpnc_sd_relay(sd[1]) < 0)
				_exit(1);
		}
		*sock = sv[1];
		return -1;
	}
	close(sv[1]);
	if (sd[1] >= 0)
		close(sd[1]);
	if (forget != NULL)
		forget(forget_arg);
	if (parent_caps() < 0) {
		vpnc_log(VPNC_LOG_FATAL, "The privileged process cannot set itself up: %s.", strerror(errno));
		kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		return 1;
	}
	vpnc_log(VPNC_LOG_MORE, "Privilege separation: network process %d", (int)pid);
	ret = serve(conf, sv[0], sd[0], pid, &old);
	close(sv[0]);
	if (sd[0] >= 0)
		close(sd[0]);
	return ret;
}
