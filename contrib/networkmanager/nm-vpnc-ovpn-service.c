/*
 * nm-vpnc-ovpn-service.c: owns the NetworkManager VPN service plugin
 * (org.freedesktop.NetworkManager.vpnc_ovpn, docs/networkmanager.md).
 * NetworkManager starts it (as root) with --bus-name. On Connect it:
 *  - reads the connection's vpn.data "config" profile with the rights of the
 *    connection's owner, self-contained (nm-vpnc-ovpn-owner.c);
 *  - creates a TUN device owned by the system user VPNC_NM_USER
 *    (nm-vpnc-ovpn-tun.c);
 *  - starts vpnc as that user, with no capability but the CAP_SYS_CHROOT its
 *    network process uses once to enter an empty root, on the profile as
 *    /dev/fd/3 with --untrusted-config, in the no-exec mode (NetworkManager
 *    applies addresses, routes and DNS), with this same binary as vpnc's up
 *    script (nm-vpnc-ovpn-helper.c), which reports the pushed configuration
 *    back through SetConfig/SetIp4Config/SetIp6Config.
 * Secrets (vpn.secrets "password", "cert-pass") reach vpnc in memfds it
 * inherits as fds 4 and 5 (--auth-user-pass /dev/fd/4), never in argv, an
 * environment or a file another process of vpnc's user could open; they are
 * zeroed and emptied as soon as vpnc reports its first configuration, exits,
 * or is disconnected. Disconnect
 * sends SIGTERM and waits for vpnc (SIGKILL after VPNC_NM_STOP_SECS); the TUN
 * device is deleted once vpnc is gone. An exit nobody asked for becomes the
 * failure it is (exit_failure(): login-failed only for AUTH_FAILED). With
 * vpn.data kill-switch=yes the plugin installs vpnc's kill switch rules
 * itself (ks_install()), since vpnc has no capability to.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>

#include <NetworkManager.h>

#include "nm-vpnc-ovpn.h"
#include "nm-vpnc-ovpn-scan.h"
#include "control/ctlprompt.h" /* vpnc's "prompt" reply, parsed by vpnc's own code */

#ifndef VPNC_NM_VPNC_PATH
#define VPNC_NM_VPNC_PATH "/usr/sbin/vpnc"
#endif

/* How long vpnc has to end the session after SIGTERM before it is killed. */
#define VPNC_NM_STOP_SECS 10

/* OpenVPN's longest script command (vpnc's VPNC_SCRIPT_CMD_MAX without the NUL). */
#define VPNC_NM_UP_CMD_MAX 256

/* Where each connection's vpnc keeps its control socket (a directory per TUN device). */
#define VPNC_NM_CTL_DIR "/run/vpnc-nm"
/* The empty, root-owned directory vpnc's network process takes as its root (--chroot). */
#define VPNC_NM_EMPTY_ROOT VPNC_NM_CTL_DIR "/empty"
/* How often the plugin asks vpnc whether a question waits, while the connection starts. */
#define VPNC_NM_PROMPT_POLL_MS 300
/* A control request's longest wait for vpnc's reply. */
#define VPNC_NM_CTL_TIMEOUT_SECS 2
/* vpnc's reply line ("prompt ID KIND ECHO TEXT") and request line ("answer ID TEXT") bounds. */
#define VPNC_NM_CTL_LINE_MAX 1024

typedef struct {
	NMVpnServicePlugin parent;
	GPid pid;                /* the running vpnc, 0 if none */
	guint child_watch;
	guint kill_timer;
	gboolean stopping;       /* Disconnect asked for the exit */
	int secret_fd[2];        /* memfds for auth-user-pass and askpass (vpnc's fds 4, 5), or -1 */
	char *self;              /* this binary, for vpnc's up command */
	struct vpnc_nm_ident run_as; /* VPNC_NM_USER, looked up on Connect */
	char tun[IFNAMSIZ];      /* the TUN device made for vpnc, "" if none */
	gboolean tun_tap;        /* it is a TAP device (a `dev tap` profile) */
	char ks_instance[64];    /* the kill switch instance installed for vpnc, "" if none */
	char *vpnc_bin;          /* the vpnc binary of the running connection */
	char ctl_dir[64];        /* VPNC_NM_CTL_DIR/<tun>, "" if none */
	char ctl_path[96];       /* vpnc's control socket in it */
	guint prompt_timer;      /* polls vpnc for a question while the connection starts */
	gboolean interactive;    /* NetworkManager called ConnectInteractive: an agent can answer */
	gboolean configured;     /* vpnc reported its configuration: the relay is over */
	unsigned asked_id;       /* the question relayed to NetworkManager, 0 if none */
	const char *asked_secret; /* the vpn.secrets key its answer comes in */
	gboolean told_no_agent;  /* logged once that a question cannot be relayed */
	char *username;          /* vpn.data username, to answer vpnc's username question */
	gboolean exit_failed;    /* vpnc ended on its own: exit_reason is the failure to report */
	NMVpnPluginFailure exit_reason;
	GMainLoop *wait_loop;    /* set while Disconnect waits for vpnc */
} VpncNmPlugin;

typedef struct {
	NMVpnServicePluginClass parent;
} VpncNmPluginClass;

GType vpnc_nm_plugin_get_type(void);
G_DEFINE_TYPE(VpncNmPlugin, vpnc_nm_plugin, NM_TYPE_VPN_SERVICE_PLUGIN)

/* Overwrites and empties the secret memfds, and closes the plugin's copies. */
static void secrets_remove(VpncNmPlugin *p)
{
	for (size_t i = 0; i < G_N_ELEMENTS(p->secret_fd); i++) {
		int fd = p->secret_fd[i];
		struct stat st;

		if (fd < 0)
			continue;
		/* vpnc may still hold the file: zero the pages and drop them, not just our fd. */
		if (fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size < 4096) {
			char zero[4096] = {0};
			ssize_t w = pwrite(fd, zero, (size_t)st.st_size, 0);
			(void)w;
		}
		if (ftruncate(fd, 0) < 0)
			g_warning("cannot empty a secret memfd: %s", g_strerror(errno));
		close(fd);
		p->secret_fd[i] = -1;
	}
}

/*
 * Puts one secret ("a\n" or "a\nb\n") into a memfd that vpnc gets as an
 * inherited fd: no file name another process of vpnc's user could open.
 */
static gboolean secret_write(VpncNmPlugin *p, int slot, const char *a, const char *b, GError **error)
{
	char *text = b != NULL ? g_strdup_printf("%s\n%s\n", a, b) : g_strdup_printf("%s\n", a);
	size_t len = strlen(text);
	int fd = memfd_create("vpnc-secret", MFD_CLOEXEC), err = 0, hi = -1;

	if (fd < 0 || write(fd, text, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0)
		err = errno != 0 ? errno : EIO;
	/* Far from 3..5, where vpnc gets the fds: glib then always copies them there. */
	if (err == 0 && (hi = fcntl(fd, F_DUPFD_CLOEXEC, 10)) < 0)
		err = errno;
	if (fd >= 0)
		close(fd);
	explicit_bzero(text, len);
	g_free(text);
	if (err != 0) {
		if (hi >= 0)
			close(hi);
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_LAUNCH_FAILED,
		            "cannot hold a secret for vpnc: %s", g_strerror(err));
		return FALSE;
	}
	p->secret_fd[slot] = hi;
	return TRUE;
}

/* Deletes the TUN device made for vpnc (vpnc has exited, so nothing holds it). */
static void tun_remove(VpncNmPlugin *p)
{
	int ret;

	if (p->tun[0] == '\0')
		return;
	ret = vpnc_nm_tun_delete(p->tun, p->tun_tap);
	if (ret < 0)
		g_warning("cannot delete the TUN device %s: %s", p->tun, g_strerror(-ret));
	p->tun[0] = '\0';
}

/*
 * The relay of vpnc's questions (docs/networkmanager.md, "Questions during
 * the connection"). vpnc runs with --control-socket in a directory of its
 * own; while the connection starts, the plugin asks it for a waiting
 * question ("prompt"), hands it to NetworkManager as SecretsRequired with
 * hints naming the secret and the question's text, and writes the secret
 * NetworkManager sends back (NewSecrets) as "answer ID TEXT". Only root and
 * vpnc's own user may use the socket (vpnc's rule).
 */
static void ctl_dir_remove(VpncNmPlugin *p)
{
	if (p->ctl_dir[0] == '\0')
		return;
	(void)unlink(p->ctl_path);
	if (rmdir(p->ctl_dir) < 0 && errno != ENOENT)
		g_warning("cannot remove %s: %s", p->ctl_dir, g_strerror(errno));
	p->ctl_dir[0] = p->ctl_path[0] = '\0';
}

/*
 * VPNC_NM_EMPTY_ROOT (after VPNC_NM_CTL_DIR is checked): the root of vpnc's
 * network process (docs/privileges.md, "Under NetworkManager"). Shared by all
 * connections; root's, mode 0555 and empty, so that process finds nothing
 * there and can create nothing.
 */
static gboolean empty_root_make(GError **error)
{
	struct stat st;
	const char *why = NULL;
	GDir *d;

	if ((mkdir(VPNC_NM_EMPTY_ROOT, 0555) < 0 && errno != EEXIST) || lstat(VPNC_NM_EMPTY_ROOT, &st) < 0)
		why = g_strerror(errno);
	else if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || st.st_gid != 0 || (st.st_mode & 0222) != 0)
		why = "it is not a directory of root's that nobody may write";
	else if ((d = g_dir_open(VPNC_NM_EMPTY_ROOT, 0, NULL)) == NULL)
		why = "it cannot be read";
	else {
		if (g_dir_read_name(d) != NULL)
			why = "it is not empty";
		g_dir_close(d);
	}
	if (why == NULL)
		return TRUE;
	g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_LAUNCH_FAILED,
	            "cannot use %s as the root of vpnc's network process: %s", VPNC_NM_EMPTY_ROOT, why);
	return FALSE;
}

/* Makes VPNC_NM_CTL_DIR/<tun>, owned by vpnc's user, mode 0700, for vpnc's control socket. */
static gboolean ctl_dir_make(VpncNmPlugin *p, GError **error)
{
	struct stat st;
	const char *why = NULL;

	g_snprintf(p->ctl_dir, sizeof(p->ctl_dir), "%s/%s", VPNC_NM_CTL_DIR, p->tun);
	g_snprintf(p->ctl_path, sizeof(p->ctl_path), "%s/ctl.sock", p->ctl_dir);
	if ((mkdir(VPNC_NM_CTL_DIR, 0755) < 0 && errno != EEXIST) || lstat(VPNC_NM_CTL_DIR, &st) < 0)
		why = g_strerror(errno);
	else if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) != 0)
		why = "it is not a directory only root may write";
	/* A directory left by a vpnc that was killed: its socket is stale. */
	else if ((unlink(p->ctl_path) < 0 && errno != ENOENT) || (rmdir(p->ctl_dir) < 0 && errno != ENOENT) ||
	         mkdir(p->ctl_dir, 0700) < 0 || chown(p->ctl_dir, p->run_as.uid, p->run_as.gid) < 0)
		why = g_strerror(errno);
	if (why == NULL)
		return empty_root_make(error);
	g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_LAUNCH_FAILED,
	            "cannot make %s for vpnc's control socket: %s", p->ctl_dir, why);
	p->ctl_dir[0] = p->ctl_path[0] = '\0';
	return FALSE;
}

/*
 * Whether pid is our vpnc or its network process (vpnc splits at start,
 * docs/privileges.md, "Not split"; the network process owns the control
 * socket): the process itself, or one whose parent it is (/proc/PID/stat,
 * the field after the command name's closing parenthesis and the state).
 */
static gboolean is_our_vpnc(pid_t pid, pid_t vpnc)
{
	char path[32], buf[512], *end;
	long ppid;
	ssize_t n;
	int fd;

	if (pid == vpnc)
		return TRUE;
	g_snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return FALSE;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return FALSE;
	buf[n] = '\0';
	end = strrchr(buf, ')');
	if (end == NULL || end[1] != ' ' || end[2] == '\0' || end[3] != ' ')
		return FALSE;
	ppid = strtol(end + 4, NULL, 10);
	return ppid == (long)vpnc;
}

/*
 * One request line to vpnc's control socket; its one-line reply (newline
 * removed) into reply. The socket lives in a directory vpnc's user owns, so
 * the path could lead elsewhere: nothing is sent unless the process at the
 * other end is our vpnc (SO_PEERCRED pid, is_our_vpnc()).
 */
static int ctl_request(const char *path, pid_t vpnc, const char *req, size_t req_len, char *reply,
                       size_t cap)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = VPNC_NM_CTL_TIMEOUT_SECS};
	struct ucred cred;
	socklen_t cred_len = sizeof(cred);
	size_t len = 0;
	int fd, ret = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) < 0) {
		ret = -errno;
		goto out;
	}
	if (cred_len != sizeof(cred) || !is_our_vpnc(cred.pid, vpnc)) {
		ret = -EPERM;
		goto out;
	}
	if (send(fd, req, req_len, MSG_NOSIGNAL) != (ssize_t)req_len) {
		ret = -errno;
		goto out;
	}
	while (len + 1 < cap) {
		ssize_t n = read(fd, reply + len, cap - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(reply, '\n', len) != NULL)
			break;
	}
	reply[len] = '\0';
	if (memchr(reply, '\n', len) == NULL)
		ret = -EBADMSG;
	reply[strcspn(reply, "\n")] = '\0';
out:
	close(fd);
	return ret;
}

/* The vpn.secrets key that answers a question of vpnc's kind (docs/networkmanager.md). */
static const char *prompt_secret(const char *kind)
{
	if (strcmp(kind, "password") == 0)
		return VPNC_NM_SECRET_PASSWORD;
	if (strcmp(kind, "key-passphrase") == 0)
		return VPNC_NM_SECRET_CERT_PASS;
	if (strcmp(kind, "challenge") == 0)
		return VPNC_NM_SECRET_CHALLENGE;
	if (strcmp(kind, "pin") == 0)
		return VPNC_NM_SECRET_PIN;
	return NULL;
}

static gboolean prompt_poll(gpointer data)
{
	VpncNmPlugin *p = data;
	char reply[VPNC_NM_CTL_LINE_MAX];
	const char *kind = NULL, *text = NULL, *secret, *hints[3] = {NULL};
	unsigned id = 0;
	bool echo = false;

	if (p->pid <= 0 || p->configured) {
		p->prompt_timer = 0;
		return G_SOURCE_REMOVE;
	}
	/* vpnc may not listen yet, or be between two attempts: asked again at the next tick. */
	if (ctl_request(p->ctl_path, p->pid, "prompt\n", 7, reply, sizeof(reply)) < 0)
		return G_SOURCE_CONTINUE;
	if (vpnc_cli_parse_prompt(reply, &id, &echo, &kind, &text) != 1 || id == p->asked_id)
		return G_SOURCE_CONTINUE;
	/* The username is connection data, not a secret: answered at once. */
	if (strcmp(kind, "username") == 0 && p->username != NULL) {
		char req[VPNC_NM_CTL_LINE_MAX];
		int n = snprintf(req, sizeof(req), "answer %u %s\n", id, p->username);

		p->asked_id = id;
		if (n > 0 && (size_t)n < sizeof(req) &&
		    ctl_request(p->ctl_path, p->pid, req, (size_t)n, reply, sizeof(reply)) == 0 &&
		    strcmp(reply, "ok") == 0)
			g_message("answered vpnc's username question from vpn.data");
		else
			g_warning("vpnc did not take the username from vpn.data");
		return G_SOURCE_CONTINUE;
	}
	secret = prompt_secret(kind);
	if (secret == NULL || !p->interactive) {
		if (!p->told_no_agent)
			g_warning("vpnc asks \"%s\" (%s), which %s", text, kind,
			          secret == NULL ? "NetworkManager has no secret for"
			                         : "cannot be relayed: the activation is not interactive (no agent)");
		p->told_no_agent = TRUE;
		return G_SOURCE_CONTINUE;
	}
	p->asked_id = id;
	p->asked_secret = secret;
	/* NetworkManager adds the message as the hint x-vpn-message:TEXT itself. */
	hints[0] = secret;
	hints[1] = echo ? VPNC_NM_HINT_ECHO : NULL;
	g_message("vpnc asks \"%s\" (%s): asking NetworkManager for the secret %s", text, kind, secret);
	nm_vpn_service_plugin_secrets_required(NM_VPN_SERVICE_PLUGIN(p), text, hints);
	return G_SOURCE_CONTINUE;
}

/* NewSecrets: the answer to the relayed question, written to vpnc as "answer ID TEXT". */
static gboolean real_new_secrets(NMVpnServicePlugin *plugin, NMConnection *connection, GError **error)
{
	VpncNmPlugin *p = (VpncNmPlugin *)plugin;
	NMSettingVpn *s_vpn = nm_connection_get_setting_vpn(connection);
	const char *value = s_vpn != NULL && p->asked_secret != NULL
	                            ? nm_setting_vpn_get_secret(s_vpn, p->asked_secret) : NULL;
	char req[VPNC_NM_CTL_LINE_MAX], reply[VPNC_NM_CTL_LINE_MAX];
	int n, ret;

	if (p->pid <= 0 || p->asked_id == 0) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_WRONG_STATE,
		            "vpnc asked nothing that waits for an answer");
		return FALSE;
	}
	if (value == NULL || strpbrk(value, "\r\n") != NULL) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_BAD_ARGUMENTS,
		            "no usable %s secret came for vpnc's question (missing, or it holds a line break)",
		            p->asked_secret);
		return FALSE;
	}
	n = snprintf(req, sizeof(req), "answer %u %s\n", p->asked_id, value);
	if (n < 0 || (size_t)n >= sizeof(req)) {
		explicit_bzero(req, sizeof(req));
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_BAD_ARGUMENTS,
		            "the %s secret is too long for vpnc", p->asked_secret);
		return FALSE;
	}
	ret = ctl_request(p->ctl_path, p->pid, req, (size_t)n, reply, sizeof(reply));
	explicit_bzero(req, sizeof(req));
	if (ret < 0 || strcmp(reply, "ok") != 0) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_FAILED,
		            "vpnc did not take the answer: %s", ret < 0 ? g_strerror(-ret) : reply);
		return FALSE;
	}
	g_message("answered vpnc's question %u with the secret %s", p->asked_id, p->asked_secret);
	/* Taken: vpnc's next question is a new one, even if a new prompt state numbers it the same. */
	p->asked_id = 0;
	return TRUE;
}

/*
 * The kill switch (vpn.data kill-switch=yes; docs/networkmanager.md, "Kill
 * switch"). vpnc runs without CAP_NET_ADMIN, so the plugin (root) installs
 * the rules with `vpnc kill-switch on` from the same checked profile before
 * vpnc starts, and removes them with `vpnc kill-switch off` only after a
 * deliberate stop (Disconnect); when vpnc ended on its own they stay
 * (fail-closed), as with vpnc's own --kill-switch.
 */
static gboolean ks_run(const char *bin, const char *const *args, int profile_fd, GError **error)
{
	GSubprocessLauncher *l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
	                                                   G_SUBPROCESS_FLAGS_STDERR_PIPE);
	GSubprocess *sp;
	char *err_text = NULL;
	gboolean ok = FALSE;

	if (profile_fd >= 0)
		g_subprocess_launcher_take_fd(l, fcntl(profile_fd, F_DUPFD_CLOEXEC, 10), 3);
	sp = g_subprocess_launcher_spawnv(l, args, error);
	if (sp != NULL && g_subprocess_communicate_utf8(sp, NULL, NULL, NULL, &err_text, error)) {
		ok = g_subprocess_get_if_exited(sp) && g_subprocess_get_exit_status(sp) == 0;
		if (!ok) {
			if (err_text != NULL)
				err_text[strcspn(err_text, "\n")] = '\0';
			g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_LAUNCH_FAILED, "%s",
			            err_text != NULL && *err_text ? err_text : "vpnc kill-switch failed");
		}
	}
	/* The profile's memfd is shared with vpnc, which reads it from the start. */
	if (profile_fd >= 0)
		(void)lseek(profile_fd, 0, SEEK_SET);
	g_free(err_text);
	g_clear_object(&sp);
	g_object_unref(l);
	return ok;
}

static gboolean ks_install(VpncNmPlugin *p, NMConnection *connection, NMSettingVpn *s_vpn,
                           const char *bin, int profile_fd, GError **error)
{
	const char *on = nm_setting_vpn_get_data_item(s_vpn, VPNC_NM_DATA_KILL_SWITCH);
	const char *lan = nm_setting_vpn_get_data_item(s_vpn, VPNC_NM_DATA_KILL_SWITCH_LAN);
	const char *args[12] = {bin, "kill-switch", "on", "--instance", p->ks_instance, "--dev", p->tun,
	                        "--config", "/dev/fd/3", "--untrusted-config", NULL, NULL};

	if (on == NULL || strcmp(on, "no") == 0)
		return TRUE;
	if (strcmp(on, "yes") != 0 || (lan != NULL && strcmp(lan, "yes") != 0 && strcmp(lan, "no") != 0)) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_BAD_ARGUMENTS,
		            "vpn.data kill-switch and kill-switch-allow-lan take yes or no");
		return FALSE;
	}
	if (lan != NULL && strcmp(lan, "yes") == 0)
		args[10] = "--allow-lan";
	/* One instance per connection: a new activation replaces what an earlier one left. */
	g_snprintf(p->ks_instance, sizeof(p->ks_instance), "nm-%s", nm_connection_get_uuid(connection));
	if (!ks_run(bin, args, profile_fd, error)) {
		p->ks_instance[0] = '\0';
		g_prefix_error(error, "cannot install the kill switch: ");
		return FALSE;
	}
	g_message("kill switch on (instance %s, device %s)", p->ks_instance, p->tun);
	return TRUE;
}

static void ks_remove(VpncNmPlugin *p)
{
	const char *args[] = {p->vpnc_bin, "kill-switch", "off", "--instance", p->ks_instance, NULL};
	GError *err = NULL;

	if (p->ks_instance[0] == '\0' || p->vpnc_bin == NULL)
		return;
	if (!ks_run(p->vpnc_bin, args, -1, &err)) {
		g_warning("cannot remove the kill switch %s: %s", p->ks_instance, err->message);
		g_clear_error(&err);
	} else {
		g_message("kill switch off (instance %s)", p->ks_instance);
	}
	p->ks_instance[0] = '\0';
}

/* vpnc ended on its own: the rules stay, and the log says how they go. */
static void ks_keep(VpncNmPlugin *p)
{
	if (p->ks_instance[0] == '\0')
		return;
	g_warning("the kill switch stays on after the failure: bring the connection up and down again, "
	          "or run 'vpnc kill-switch off --instance %s' as root", p->ks_instance);
	p->ks_instance[0] = '\0';
}

/*
 * What vpnc's exit status (src/daemon/exitcode.h, vpnc(8) EXIT STATUS) means
 * for NetworkManager. NMVpnPluginFailure has three values: LOGIN_FAILED
 * (NetworkManager's reason login-failed, which makes front ends ask for the
 * password again) is sent only for AUTH_FAILED; everything else that is not
 * the IP configuration is connect-failed, with the precise cause in the
 * plugin's log line.
 */
static NMVpnPluginFailure exit_failure(int status, const char **why)
{
	if (!WIFEXITED(status)) {
		*why = "vpnc was killed by a signal";
		return NM_VPN_PLUGIN_FAILURE_CONNECT_FAILED;
	}
	switch (WEXITSTATUS(status)) {
	case 0:
		*why = "vpnc stopped (inactive, ping-exit or session-timeout)";
		return NM_VPN_PLUGIN_FAILURE_CONNECT_FAILED;
	case 2:
		*why = "vpnc refused the configuration (exit status 2, configuration error)";
		return NM_VPN_PLUGIN_FAILURE_CONNECT_FAILED;
	case 3:
		*why = "the server's certificate failed verification (exit status 3)";
		return NM_VPN_PLUGIN_FAILURE_CONNECT_FAILED;
	case 4:
		*why = "the server refused the login: AUTH_FAILED (exit status 4)";
		return NM_VPN_PLUGIN_FAILURE_LOGIN_FAILED;
	case 127:
		*why = "vpnc could not be started as " VPNC_NM_USER " (exit status 127)";
		return NM_VPN_PLUGIN_FAILURE_CONNECT_FAILED;
	default:
		*why = "vpnc failed (exit status 1: a runtime error, see its log lines)";
		return NM_VPN_PLUGIN_FAILURE_CONNECT_FAILED;
	}
}

/*
 * Sends the Failure signal with reason from the plugin's object, as libnm
 * does. libnm's stop while the connection starts always adds connect-failed
 * after the plugin's own failure, and NetworkManager keeps the last one it
 * got before the stop (_dbus_signal_failure_cb() in NetworkManager's
 * nm-vpn-connection.c), which would turn every login-failed into "unknown".
 * Sent again from the disconnect that libnm calls between that signal and
 * the state change to stopped, on the same connection (so in order), the
 * true reason is the last.
 */
static void failure_resend(VpncNmPlugin *p, NMVpnPluginFailure reason)
{
	GDBusConnection *bus = nm_vpn_service_plugin_get_connection(NM_VPN_SERVICE_PLUGIN(p));
	GError *err = NULL;

	if (bus == NULL)
		return;
	if (!g_dbus_connection_emit_signal(bus, NULL, VPNC_NM_PATH, VPNC_NM_IFACE, "Failure",
	                                   g_variant_new("(u)", (guint32)reason), &err)) {
		g_warning("cannot send the failure reason: %s", err->message);
		g_clear_error(&err);
	}
	g_object_unref(bus);
}

/* Sends what is queued on the bus now: the plugin may quit right after a failure. */
static void bus_flush(VpncNmPlugin *p)
{
	GDBusConnection *bus = nm_vpn_service_plugin_get_connection(NM_VPN_SERVICE_PLUGIN(p));

	if (bus == NULL)
		return;
	(void)g_dbus_connection_flush_sync(bus, NULL, NULL);
	g_object_unref(bus);
}

static void child_exited(GPid pid, int status, gpointer data)
{
	VpncNmPlugin *p = data;
	gboolean expected = p->stopping;
	NMVpnPluginFailure failure;
	const char *why = NULL;

	p->child_watch = 0;
	p->pid = 0;
	g_spawn_close_pid(pid);
	if (p->kill_timer != 0) {
		g_source_remove(p->kill_timer);
		p->kill_timer = 0;
	}
	secrets_remove(p);
	tun_remove(p);
	ctl_dir_remove(p);
	if (p->prompt_timer != 0) {
		g_source_remove(p->prompt_timer);
		p->prompt_timer = 0;
	}
	if (p->wait_loop != NULL)
		g_main_loop_quit(p->wait_loop);
	if (expected)
		return;
	/* An exit nobody asked for: a fatal error (certificate, AUTH_FAILED), a stop, or a crash. */
	failure = exit_failure(status, &why);
	ks_keep(p);
	g_warning("connection failed (%s): %s",
	          failure == NM_VPN_PLUGIN_FAILURE_LOGIN_FAILED ? "login-failed" : "connect-failed", why);
	/* libnm sends the failure, then stops; real_disconnect() sends it again (see there). */
	p->exit_failed = TRUE;
	p->exit_reason = failure;
	nm_vpn_service_plugin_failure(NM_VPN_SERVICE_PLUGIN(p), failure);
	p->exit_failed = FALSE;
	bus_flush(p);
}

static gboolean kill_vpnc(gpointer data)
{
	VpncNmPlugin *p = data;

	p->kill_timer = 0;
	if (p->pid > 0) {
		g_warning("vpnc did not stop within %d s: killing it", VPNC_NM_STOP_SECS);
		kill(p->pid, SIGKILL);
	}
	return G_SOURCE_REMOVE;
}

/*
 * In vpnc's child before exec: becomes the system user with one capability
 * left, CAP_SYS_CHROOT, as an ambient one so that it survives the exec:
 * vpnc's network process uses it to enter VPNC_NM_EMPTY_ROOT and then
 * drops it, and vpnc's other process drops it at the split
 * (docs/privileges.md, "Under NetworkManager"). With no_new_privs, a chroot
 * cannot be turned into more (no set-user-ID program gains anything).
 * Everything else goes with the uid change; setuid(0) must then fail.
 */
static void become_run_as(gpointer data)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct caps[2] = {{0}};
	const __u32 chroot_bit = 1U << (CAP_SYS_CHROOT % 32);

	const struct vpnc_nm_ident *id = data;
	struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};

	/*
	 * The one resource vpnc keeps: it locks its memory so keys never reach
	 * swap (as vpnc-client@.service allows with LimitMEMLOCK=infinity).
	 * NetworkManager's default 8 MiB would make that fail. If this fails,
	 * vpnc runs unlocked and says so in a note.
	 */
	(void)setrlimit(RLIMIT_MEMLOCK, &unlimited);
	caps[CAP_SYS_CHROOT / 32].effective = caps[CAP_SYS_CHROOT / 32].permitted =
		caps[CAP_SYS_CHROOT / 32].inheritable = chroot_bit;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(1, &id->gid) < 0 ||
	    setresgid(id->gid, id->gid, id->gid) < 0 || setresuid(id->uid, id->uid, id->uid) < 0 ||
	    getuid() != id->uid || geteuid() != id->uid || syscall(SYS_capset, &hdr, caps) < 0 ||
	    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0 || setuid(0) == 0 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_CHROOT, 0, 0) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(127); /* vpnc never runs as root here; the exit is reported as a failure */
}

/*
 * Whether the owner's profile (the sealed memfd of `vpnc --inline-config`)
 * asks for a TAP device (nm-vpnc-ovpn-scan.c). Read in place, without a
 * copy of its keys. vpnc itself refuses a profile whose type is not the one
 * given on its command line, so a wrong answer here fails the connection
 * with vpnc's sentence rather than sending the server the wrong packets.
 */
static gboolean profile_is_tap(int fd)
{
	struct vpnc_nm_scan s;
	struct stat st;
	void *text;

	if (fstat(fd, &st) < 0 || st.st_size <= 0)
		return FALSE;
	text = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (text == MAP_FAILED)
		return FALSE;
	vpnc_nm_scan_profile(text, (size_t)st.st_size, &s);
	munmap(text, (size_t)st.st_size);
	return s.tap;
}

/* Builds vpnc's argv and starts it. */
static gboolean start_vpnc(VpncNmPlugin *p, NMConnection *connection, GError **error)
{
	NMSettingVpn *s_vpn = nm_connection_get_setting_vpn(connection);
	const char *config, *user, *password, *cert_pass, *bin;
	char *up = NULL;
	int src_fds[3], dst_fds[3] = {3, 4, 5};
	guint n_fds = 1;
	char *bus_name = NULL;
	GPtrArray *argv = NULL;
	gboolean ok = FALSE;
	struct vpnc_nm_ident owner;
	int profile_fd = -1, ret;

	if (s_vpn == NULL) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_BAD_ARGUMENTS, "no vpn setting");
		return FALSE;
	}
	/* Existence is not checked here, as root: the owner's read says what is wrong. */
	config = nm_setting_vpn_get_data_item(s_vpn, VPNC_NM_DATA_CONFIG);
	if (config == NULL || !g_path_is_absolute(config)) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_BAD_ARGUMENTS,
		            "vpn.data config= must name an .ovpn file by its absolute path");
		return FALSE;
	}
	bin = g_getenv(VPNC_NM_BINARY_ENV);
	if (bin == NULL || *bin == '\0')
		bin = VPNC_NM_VPNC_PATH;
	/* Never root: without the system user the connection fails. */
	if (!vpnc_nm_ident_lookup(VPNC_NM_USER, &p->run_as, NULL) || p->run_as.uid == 0) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_LAUNCH_FAILED,
		            "the system user %s, which vpnc runs as, does not exist (create it with "
		            "systemd-sysusers and nm-vpnc-ovpn.sysusers)", VPNC_NM_USER);
		return FALSE;
	}
	if (!vpnc_nm_owner_lookup(connection, &owner, error))
		return FALSE;
	profile_fd = vpnc_nm_owner_inline(bin, config, &owner, error);
	explicit_bzero(&owner, sizeof(owner));
	if (profile_fd < 0)
		return FALSE;
	src_fds[0] = profile_fd;
	p->tun_tap = profile_is_tap(profile_fd);
	ret = vpnc_nm_tun_create(p->run_as.uid, p->run_as.gid, p->tun_tap, p->tun);
	if (ret < 0) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_LAUNCH_FAILED,
		            "cannot create a %s device for %s: %s", p->tun_tap ? "TAP" : "TUN", VPNC_NM_USER,
		            g_strerror(-ret));
		tun_remove(p);
		close(profile_fd);
		return FALSE;
	}
	g_free(p->vpnc_bin);
	p->vpnc_bin = g_strdup(bin);
	if (!ks_install(p, connection, s_vpn, bin, profile_fd, error) || !ctl_dir_make(p, error))
		goto out;
	g_object_get(p, NM_VPN_SERVICE_PLUGIN_DBUS_SERVICE_NAME, &bus_name, NULL);
	up = g_strdup_printf("%s %s --bus-name %s", p->self, VPNC_NM_HELPER_ARG, bus_name);
	g_free(bus_name);
	if (strlen(up) > VPNC_NM_UP_CMD_MAX || strchr(p->self, ' ') != NULL) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_LAUNCH_FAILED,
		            "the up command \"%s\" is too long or has blanks", up);
		goto out;
	}

	argv = g_ptr_array_new();
	g_ptr_array_add(argv, (char *)bin);
	/* The owner's profile, self-contained; every option in it is checked (docs/networkmanager.md). */
	g_ptr_array_add(argv, "--config");
	g_ptr_array_add(argv, "/dev/fd/3");
	g_ptr_array_add(argv, "--untrusted-config");
	g_ptr_array_add(argv, "--dev");
	g_ptr_array_add(argv, p->tun);
	/* The profile's type (a TAP for a bridged server): NetworkManager configures either. */
	g_ptr_array_add(argv, "--dev-type");
	g_ptr_array_add(argv, p->tun_tap ? "tap" : "tun");
	/* NetworkManager applies addresses, routes and DNS; vpnc only reports them. */
	g_ptr_array_add(argv, "--ifconfig-noexec");
	g_ptr_array_add(argv, "--route-noexec");
	g_ptr_array_add(argv, "--dns-mode");
	g_ptr_array_add(argv, "none");
	g_ptr_array_add(argv, "--script-security");
	g_ptr_array_add(argv, "2");
	g_ptr_array_add(argv, "--up");
	g_ptr_array_add(argv, up);
	g_ptr_array_add(argv, "--up-restart");
	/* The plugin asks vpnc here for questions to relay (prompt_poll()). */
	g_ptr_array_add(argv, "--control-socket");
	g_ptr_array_add(argv, p->ctl_path);
	/* The network process's root: empty (become_run_as() gives vpnc the right to enter it). */
	g_ptr_array_add(argv, "--chroot");
	g_ptr_array_add(argv, VPNC_NM_EMPTY_ROOT);

	user = nm_setting_vpn_get_data_item(s_vpn, VPNC_NM_DATA_USERNAME);
	g_free(p->username);
	/* No line break may reach vpnc's control socket in an answer. */
	p->username = user != NULL && *user != '\0' && strpbrk(user, "\r\n") == NULL ? g_strdup(user) : NULL;
	password = nm_setting_vpn_get_secret(s_vpn, VPNC_NM_SECRET_PASSWORD);
	cert_pass = nm_setting_vpn_get_secret(s_vpn, VPNC_NM_SECRET_CERT_PASS);
	if (password != NULL && (user == NULL || *user == '\0')) {
		/* An imported profile with auth-user-pass: the username is the user's to set. */
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_BAD_ARGUMENTS,
		            "a password is set but vpn.data has no username (set it with: nmcli "
		            "connection modify NAME +vpn.data username=NAME)");
		goto out;
	}
	if (password != NULL) {
		if (!secret_write(p, 0, user, password, error))
			goto out;
		g_ptr_array_add(argv, "--auth-user-pass");
		g_ptr_array_add(argv, n_fds == 1 ? "/dev/fd/4" : "/dev/fd/5");
		src_fds[n_fds++] = p->secret_fd[0];
	}
	if (cert_pass != NULL) {
		if (!secret_write(p, 1, cert_pass, NULL, error))
			goto out;
		g_ptr_array_add(argv, "--askpass");
		g_ptr_array_add(argv, n_fds == 1 ? "/dev/fd/4" : "/dev/fd/5");
		src_fds[n_fds++] = p->secret_fd[1];
	}
	g_ptr_array_add(argv, NULL);

	if (!g_spawn_async_with_pipes_and_fds(NULL, (const char *const *)argv->pdata, NULL,
	                                      G_SPAWN_DO_NOT_REAP_CHILD, become_run_as, &p->run_as,
	                                      -1, -1, -1, src_fds, dst_fds, n_fds, &p->pid, NULL,
	                                      NULL, NULL, error))
		goto out;
	g_message("started vpnc (pid %d, user %s, device %s) for %s", (int)p->pid, VPNC_NM_USER, p->tun,
	          config);
	p->stopping = FALSE;
	p->configured = FALSE;
	p->asked_id = 0;
	p->asked_secret = NULL;
	p->told_no_agent = FALSE;
	p->child_watch = g_child_watch_add(p->pid, child_exited, p);
	p->prompt_timer = g_timeout_add(VPNC_NM_PROMPT_POLL_MS, prompt_poll, p);
	ok = TRUE;
out:
	if (!ok) {
		secrets_remove(p);
		tun_remove(p);
		ctl_dir_remove(p);
		ks_remove(p); /* vpnc never ran: nothing to keep closed */
	}
	close(profile_fd);
	if (argv != NULL)
		g_ptr_array_free(argv, TRUE);
	g_free(up);
	return ok;
}

static gboolean real_connect_any(NMVpnServicePlugin *plugin, NMConnection *connection, GError **error)
{
	VpncNmPlugin *p = (VpncNmPlugin *)plugin;
	gboolean ok;

	if (p->pid > 0) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_WRONG_STATE, "vpnc already runs");
		return FALSE;
	}
	ok = start_vpnc(p, connection, error);
	/* NetworkManager logs only a generic failure: the reason goes to its log from here. */
	if (!ok && error != NULL && *error != NULL)
		g_warning("cannot connect: %s", (*error)->message);
	return ok;
}

static gboolean real_connect(NMVpnServicePlugin *plugin, NMConnection *connection, GError **error)
{
	((VpncNmPlugin *)plugin)->interactive = FALSE;
	return real_connect_any(plugin, connection, error);
}

static gboolean real_connect_interactive(NMVpnServicePlugin *plugin, NMConnection *connection,
                                         GVariant *details, GError **error)
{
	VpncNmPlugin *p = (VpncNmPlugin *)plugin;
	gboolean ok;

	/* Only then may vpnc's questions go to an agent (SecretsRequired). */
	p->interactive = TRUE;
	ok = real_connect_any(plugin, connection, error);
	if (!ok)
		p->interactive = FALSE;
	return ok;
}

/*
 * Whether the connection uses secret key and lacks it: it declares the secret
 * (the KEY-flags data item; for the password also a username) and the flags
 * do not say NOT_REQUIRED. The auth-dialog applies the same rule.
 */
static gboolean secret_missing(NMSettingVpn *s_vpn, const char *key)
{
	NMSettingSecretFlags flags = NM_SETTING_SECRET_FLAG_NONE;
	char *flags_key = g_strdup_printf("%s-flags", key);
	gboolean declared = nm_setting_vpn_get_data_item(s_vpn, flags_key) != NULL;

	g_free(flags_key);
	if (strcmp(key, VPNC_NM_SECRET_PASSWORD) == 0 &&
	    nm_setting_vpn_get_data_item(s_vpn, VPNC_NM_DATA_USERNAME) != NULL)
		declared = TRUE;
	nm_setting_get_secret_flags(NM_SETTING(s_vpn), key, &flags, NULL);
	return declared && !(flags & NM_SETTING_SECRET_FLAG_NOT_REQUIRED) &&
	       nm_setting_vpn_get_secret(s_vpn, key) == NULL;
}

/* NetworkManager asks the agents (through the auth-dialog) for what secret_missing() finds. */
static gboolean real_need_secrets(NMVpnServicePlugin *plugin, NMConnection *connection,
                                  const char **setting_name, GError **error)
{
	NMSettingVpn *s_vpn = nm_connection_get_setting_vpn(connection);

	if (s_vpn == NULL) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_INVALID_CONNECTION, "no vpn setting");
		return FALSE;
	}
	if (secret_missing(s_vpn, VPNC_NM_SECRET_PASSWORD) || secret_missing(s_vpn, VPNC_NM_SECRET_CERT_PASS)) {
		*setting_name = NM_SETTING_VPN_SETTING_NAME;
		return TRUE;
	}
	return FALSE;
}

/* Stops vpnc with SIGTERM and waits for it (bounded by the kill timer). */
static gboolean real_disconnect(NMVpnServicePlugin *plugin, GError **error)
{
	VpncNmPlugin *p = (VpncNmPlugin *)plugin;

	/* libnm's stop after vpnc's own exit: the true reason goes last (failure_resend()). */
	if (p->exit_failed && p->exit_reason != NM_VPN_PLUGIN_FAILURE_CONNECT_FAILED)
		failure_resend(p, p->exit_reason);

	if (p->pid > 0) {
		p->stopping = TRUE;
		kill(p->pid, SIGTERM);
		p->kill_timer = g_timeout_add_seconds(VPNC_NM_STOP_SECS, kill_vpnc, p);
		p->wait_loop = g_main_loop_new(NULL, FALSE);
		while (p->pid > 0)
			g_main_loop_run(p->wait_loop);
		g_clear_pointer(&p->wait_loop, g_main_loop_unref);
		/* A deliberate stop: the kill switch goes, as a clean vpnc exit removes its own. */
		ks_remove(p);
	}
	secrets_remove(p);
	tun_remove(p);
	ctl_dir_remove(p);
	return TRUE;
}

/* The first configuration vpnc reports means it has long read its secrets. */
static void on_config(NMVpnServicePlugin *plugin, GVariant *config, gpointer data)
{
	VpncNmPlugin *p = (VpncNmPlugin *)plugin;

	secrets_remove(p);
	/* Connected: NetworkManager takes no SecretsRequired any more (libnm accepts them while starting). */
	p->configured = TRUE;
	p->asked_id = 0;
}

static void vpnc_nm_plugin_init(VpncNmPlugin *p)
{
	p->secret_fd[0] = p->secret_fd[1] = -1;
}

static void vpnc_nm_plugin_class_init(VpncNmPluginClass *klass)
{
	NMVpnServicePluginClass *parent = NM_VPN_SERVICE_PLUGIN_CLASS(klass);

	parent->connect = real_connect;
	parent->connect_interactive = real_connect_interactive;
	parent->need_secrets = real_need_secrets;
	parent->disconnect = real_disconnect;
	parent->new_secrets = real_new_secrets;
}

static void on_quit(NMVpnServicePlugin *plugin, gpointer loop)
{
	g_main_loop_quit(loop);
}

int main(int argc, char **argv)
{
	const char *bus_name = VPNC_NM_SERVICE;
	VpncNmPlugin *plugin;
	GMainLoop *loop;
	GError *err = NULL;
	int i;

	if (argc > 1 && strcmp(argv[1], VPNC_NM_HELPER_ARG) == 0)
		return vpnc_nm_helper_main(argc, argv);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--bus-name") == 0 && i + 1 < argc) {
			bus_name = argv[++i];
		} else if (strcmp(argv[i], "--help") == 0) {
			printf("usage: %s [--bus-name NAME]\n"
			       "NetworkManager VPN service for vpnc (service %s).\n", argv[0], VPNC_NM_SERVICE);
			return 0;
		}
	}
	if (!g_dbus_is_name(bus_name)) {
		fprintf(stderr, "nm-vpnc-ovpn-service: invalid bus name %s\n", bus_name);
		return 1;
	}
	plugin = g_initable_new(vpnc_nm_plugin_get_type(), NULL, &err,
	                        NM_VPN_SERVICE_PLUGIN_DBUS_SERVICE_NAME, bus_name,
	                        NM_VPN_SERVICE_PLUGIN_DBUS_WATCH_PEER, TRUE, NULL);
	if (plugin == NULL) {
		fprintf(stderr, "nm-vpnc-ovpn-service: %s\n", err->message);
		g_error_free(err);
		return 1;
	}
	plugin->self = g_file_read_link("/proc/self/exe", NULL);
	if (plugin->self == NULL)
		plugin->self = g_strdup(argv[0]);
	loop = g_main_loop_new(NULL, FALSE);
	g_signal_connect(plugin, "config", G_CALLBACK(on_config), NULL);
	g_signal_connect(plugin, "quit", G_CALLBACK(on_quit), loop);
	g_main_loop_run(loop);
	if (plugin->pid > 0)
		real_disconnect(NM_VPN_SERVICE_PLUGIN(plugin), NULL);
	secrets_remove(plugin);
	tun_remove(plugin);
	ctl_dir_remove(plugin);
	g_free(plugin->self);
	g_free(plugin->vpnc_bin);
	g_free(plugin->username);
	g_object_unref(plugin);
	g_main_loop_unref(loop);
	return 0;
}
