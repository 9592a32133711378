/*
 * privsep.c: the privileged parent's process (privsep.h): the fork, its
 * own capabilities, the signal forwarding, the request loop and the revert
 * when the network process ends. It reads only the socketpair and a
 * signalfd, never a byte from the peer.
 */
#include "daemon/privsep.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cap-ng.h>

#include "control/ctlpath.h"
#include "daemon/log.h"
#include "priv/privio.h"
#include "priv/privsrv.h"

static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2};

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

/* The child's end: 0 after a clean exit, else 1 with one sentence. */
static int child_status(int st)
{
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFSIGNALED(st))
		vpnc_log(VPNC_LOG_FATAL, "The network process died of signal %d; the network settings were reverted.",
		         WTERMSIG(st));
	else
		vpnc_log(VPNC_LOG_MORE, "The network process exited with status %d; the network settings were reverted.",
		         WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 1;
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

static void dns_error(int err, enum vpnc_dns_mode mode)
{
	vpnc_log(VPNC_LOG_INFO, "Cannot apply the pushed DNS settings (dns-mode %s): %s", vpnc_dns_mode_name(mode),
	         strerror(-err));
}

static int serve(const struct vpnc_config *conf, int sock, pid_t child, int sfd)
{
	struct vpnc_privsrv s;
	int st = 0, ret, code = -1;
	bool reaped = false;

	ret = vpnc_privsrv_init(&s, conf);
	s.on_dns_error = dns_error;
	if (ret < 0) {
		vpnc_log(VPNC_LOG_FATAL, "The privileged process cannot open a netlink socket: %s.", strerror(-ret));
		kill(child, SIGKILL);
	}
	while (ret >= 0 && !reaped) {
		struct pollfd p[2] = {{.fd = sock, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGCHLD)
					reaped = waitpid(child, &st, WNOHANG) == child;
				else
					kill(child, (int)si.ssi_signo);
			}
		}
		if (!reaped && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			ret = vpnc_privsrv_serve_one(&s, sock);
			if (ret == 0) {
				/* The child closed its end: it is exiting. */
				reaped = waitpid(child, &st, 0) == child;
				break;
			}
			if (ret < 0) {
				vpnc_log(VPNC_LOG_FATAL, "The network process sent a request that is not allowed (%s); "
				                         "stopping it and reverting the network settings.",
				         strerror(-ret));
				kill(child, SIGKILL);
				code = 1;
			}
		}
	}
	if (!reaped)
		(void)waitpid(child, &st, 0);
	ret = vpnc_privsrv_revert(&s);
	if (ret > 0)
		vpnc_log(VPNC_LOG_INFO, "%d network setting(s) could not be reverted", ret);
	vpnc_privsrv_free(&s);
	remove_ctl_socket(conf);
	return code >= 0 ? code : child_status(st);
}

int vpnc_privsep_split(const struct vpnc_config *conf, int *sock, void (*forget)(void *), void *forget_arg)
{
	sigset_t set, old;
	int sv[2], sfd, ret;
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
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(sv[0]);
		*sock = sv[1];
		return -1;
	}
	close(sv[1]);
	if (forget != NULL)
		forget(forget_arg);
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0 || parent_caps() < 0) {
		vpnc_log(VPNC_LOG_FATAL, "The privileged process cannot set itself up: %s.", strerror(errno));
		kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		return 1;
	}
	vpnc_log(VPNC_LOG_MORE, "Privilege separation: network process %d", (int)pid);
	ret = serve(conf, sv[0], pid, sfd);
	close(sfd);
	close(sv[0]);
	return ret;
}
