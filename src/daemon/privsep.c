/*
 * privsep.c: the privileged parent's process (privsep.h): the fork, its
 * own capabilities, the signal forwarding, the request loop and the revert
 * when the network process ends. It reads only the socketpair and a
 * signalfd, never a byte from the peer.
 */
#include "daemon/privsep.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cap-ng.h>

#include "control/ctlpath.h"
#include "daemon/exitcode.h"
#include "daemon/log.h"
#include "daemon/updown.h"
#include "priv/privio.h"
#include "priv/privsrv.h"

static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2};
static EVP_PKEY *sign_key; /* vpnc_privsep_sign_key(): the token's key, borrowed */

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
 * The control socket the network process made (control/ctlstate.c names it
 * the same way) cannot be unlinked from its empty root: the parent removes
 * it, if it is still a socket.
 */
static void remove_ctl_socket(const struct vpnc_config *conf)
{
	char instance[VPNC_CTL_INSTANCE_MAX + 1], path[VPNC_CTL_SOCKET_MAX];
	const char *cfg = conf->path != NULL ? conf->path : conf->cmdline_config[0] ? conf->cmdline_config : NULL;
	struct stat st;

	if (conf->control_socket[0] != '\0') {
		snprintf(path, sizeof(path), "%s", conf->control_socket);
	} else {
		vpnc_ctl_instance_from_config(cfg, instance, sizeof(instance));
		if (vpnc_ctl_path(instance, path, sizeof(path)) < 0)
			return;
	}
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		(void)unlink(path);
}

/* The parent's state: its own small libuv loop, for the scripts (updown.h) and the signals. */
struct parent {
	uv_loop_t uv;
	uv_poll_t poll;
	uv_signal_t sig[6];              /* SIGCHLD and the forwarded ones */
	struct vpnc_privsrv s;
	struct vpnc_updown u;            /* DNS and scripts, exactly as the one-process daemon runs them */
	const struct vpnc_config *conf;
	pid_t child;
	int sock;
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

/* The server a checked NET_APPLY names, as a sockaddr for the script environment. */
static const struct sockaddr *server_of(const struct vpnc_priv_net *n, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (n->server_family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = n->server_port;
		memcpy(&a->sin_addr, n->server, 4);
		return (struct sockaddr *)ss;
	}
	if (n->server_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = n->server_port;
		memcpy(&a->sin6_addr, n->server, 16);
		return (struct sockaddr *)ss;
	}
	return NULL;
}

/* One request: checked, handled, answered; then DNS and scripts for NET_APPLY and DOWN. */
static int serve_one(struct parent *p)
{
	static union vpnc_priv_msg req, reply; /* about 10 KiB each; single-threaded */
	static struct vpnc_push push;
	struct sockaddr_storage ss;
	int fd, ret = vpnc_priv_recv(p->sock, &req, false, NULL);

	if (ret == -ECONNRESET)
		return 0;
	if (ret < 0)
		return ret;
	if (ret == VPNC_PRIV_DOWN || ret == VPNC_PRIV_NET_UNAPPLY)
		vpnc_updown_dns_revert(&p->u); /* while the TUN still exists, as loop_shutdown() does */
	if (ret == VPNC_PRIV_DOWN)
		p->down_signal = p->code == 1 ? "fatal-error" : down_signal(req.down.why);
	ret = vpnc_privsrv_handle(&p->s, &req, &reply, &fd);
	if (ret < 0)
		return ret;
	/* The network process only sees its handshake fail: say here why (at most once a handshake). */
	if (req.h.type == VPNC_PRIV_SIGN && reply.signature.err < 0)
		vpnc_log(VPNC_LOG_INFO, "The PKCS#11 token did not sign for the network process: %s.",
		         strerror(-reply.signature.err));
	ret = vpnc_priv_send(p->sock, &reply, reply.h.len, fd);
	if (ret < 0)
		return ret == -EPIPE || ret == -ECONNRESET ? 0 : ret;
	if (req.h.type == VPNC_PRIV_NET_APPLY && reply.result.err == 0) {
		/* The environment comes from the checked values, never from peer text. */
		vpnc_priv_net_to_push(&req.net.net, &push);
		if (vpnc_updown_connected(&p->u, &push, p->s.tun.name, p->s.tun.ifindex, p->s.nc.mtu,
		                          server_of(&req.net.net, &ss)) < 0)
			updown_fail(p);
	}
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
	vpnc_updown_dns_revert(&p->u);
	failed = vpnc_privsrv_revert(&p->s);
	if (failed > 0)
		vpnc_log(VPNC_LOG_INFO, "%d network setting(s) could not be reverted", failed);
	remove_ctl_socket(p->conf);
	vpnc_updown_down(&p->u, p->down_signal); /* runs during the rest of uv_run */
	close_if((uv_handle_t *)&p->poll);
	for (size_t i = 0; i < sizeof(p->sig) / sizeof(p->sig[0]); i++)
		close_if((uv_handle_t *)&p->sig[i]);
}

static void dns_error(int err, enum vpnc_dns_mode mode)
{
	vpnc_log(VPNC_LOG_INFO, "Cannot apply the pushed DNS settings (dns-mode %s): %s", vpnc_dns_mode_name(mode),
	         strerror(-err));
}

static int serve(const struct vpnc_config *conf, int sock, pid_t child, const sigset_t *old)
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
	p->code = -1;
	p->down_signal = "sigterm";
	ret = vpnc_privsrv_init(&p->s, conf);
	p->s.dns_by_caller = true; /* updown.c applies DNS, with its rule for an 'up' script */
	p->s.sign_key = sign_key; /* the network process's TLS signs through the token here */
	p->s.on_dns_error = dns_error;
	if (ret < 0)
		vpnc_log(VPNC_LOG_FATAL, "The privileged process cannot open a netlink socket: %s.", strerror(-ret));
	else if ((ret = vpnc_updown_init(&p->u, &p->uv, conf, updown_fail, p)) < 0)
		; /* logged there */
	else if ((ret = uv_poll_init(&p->uv, &p->poll, sock)) == 0) {
		p->poll.data = p;
		ret = uv_poll_start(&p->poll, UV_READABLE | UV_DISCONNECT, on_readable);
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
	(void)uv_loop_close(&p->uv);
	vpnc_updown_free(&p->u);
	vpnc_privsrv_free(&p->s);
	code = p->code >= 0 ? p->code : child_status(p->st);
	free(p);
	return code;
}

int vpnc_privsep_split(const struct vpnc_config *conf, int *sock, void (*forget)(void *), void *forget_arg)
{
	sigset_t set, old;
	int sv[2], ret;
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
	/* Blocked before the fork, so a signal in between is queued, not fatal to the parent. */
	sigprocmask(SIG_BLOCK, &set, &old);
	pid = fork();
	if (pid < 0) {
		vpnc_log(VPNC_LOG_FATAL, "Cannot start the network process: %s.", strerror(errno));
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(sv[0]);
		close(sv[1]);
		return 1;
	}
	if (pid == 0) {
		/* The parent gone (even by SIGKILL) means nothing can be reverted or asked for: stop too. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0 || getppid() == 1)
			_exit(1);
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(sv[0]);
		*sock = sv[1];
		return -1;
	}
	close(sv[1]);
	if (forget != NULL)
		forget(forget_arg);
	if (parent_caps() < 0) {
		vpnc_log(VPNC_LOG_FATAL, "The privileged process cannot set itself up: %s.", strerror(errno));
		kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		return 1;
	}
	vpnc_log(VPNC_LOG_MORE, "Privilege separation: network process %d", (int)pid);
	ret = serve(conf, sv[0], pid, &old);
	close(sv[0]);
	return ret;
}
