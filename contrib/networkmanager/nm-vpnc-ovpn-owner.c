/*
 * nm-vpnc-ovpn-owner.c: owns reading a connection's profile with its owner's
 * rights (docs/networkmanager.md, "Whose rights").
 *
 * The owner is the one user in connection.permissions; a system-wide
 * connection (no permissions: only an administrator can make one) is read
 * as root; a connection shared by several users is refused, since there is
 * no single user whose rights would be the right ones. A child process drops
 * to the owner (groups, gid, uid; checked) and runs
 * `vpnc --inline-config PROFILE --untrusted-config` in the profile's
 * directory; its output, bounded in size and time, becomes a sealed memfd
 * that vpnc later loads as /dev/fd/N with --untrusted-config.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <NetworkManager.h>

#include "nm-vpnc-ovpn.h"

/* vpnc loads at most 1 MiB of config; one byte more tells that the output was too long. */
#define OWNER_OUT_MAX (1024 * 1024)
/* Room for vpnc's one-sentence error. */
#define OWNER_ERR_MAX 1024
/* A profile on a slow or hostile file system (FUSE) must not hold the activation forever. */
#define OWNER_TIMEOUT_MS 15000

gboolean vpnc_nm_ident_lookup(const char *name, struct vpnc_nm_ident *id, GError **error)
{
	struct passwd *pw = getpwnam(name);
	int n = VPNC_NM_MAX_GROUPS;

	memset(id, 0, sizeof(*id));
	if (pw == NULL || strlen(name) >= sizeof(id->name)) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_LAUNCH_FAILED,
		            "the user %s does not exist", name);
		return FALSE;
	}
	id->uid = pw->pw_uid;
	id->gid = pw->pw_gid;
	memcpy(id->name, name, strlen(name) + 1);
	if (getgrouplist(name, pw->pw_gid, id->groups, &n) < 0) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_LAUNCH_FAILED,
		            "the user %s is in more than %d groups", name, VPNC_NM_MAX_GROUPS);
		return FALSE;
	}
	id->ngroups = n;
	return TRUE;
}

gboolean vpnc_nm_owner_lookup(NMConnection *connection, struct vpnc_nm_ident *id, GError **error)
{
	NMSettingConnection *s_con = nm_connection_get_setting_connection(connection);
	guint n = s_con != NULL ? nm_setting_connection_get_num_permissions(s_con) : 0;
	const char *type = NULL, *item = NULL, *user = NULL;

	for (guint i = 0; i < n; i++) {
		if (!nm_setting_connection_get_permission(s_con, i, &type, &item, NULL))
			continue;
		if (g_strcmp0(type, "user") != 0 || item == NULL) {
			g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_BAD_ARGUMENTS,
			            "connection.permissions holds an entry that is not user:NAME");
			return FALSE;
		}
		if (user != NULL) {
			g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_BAD_ARGUMENTS,
			            "connection.permissions names several users: a profile file can only "
			            "be read for a connection of one user, or a system-wide one");
			return FALSE;
		}
		user = item;
	}
	if (user == NULL) {
		/* System-wide: NetworkManager asks for settings.modify.system to make one. */
		memset(id, 0, sizeof(*id));
		memcpy(id->name, "root", 5);
		return TRUE;
	}
	return vpnc_nm_ident_lookup(user, id, error);
}

/*
 * In the child, after fork: only async-signal-safe calls. Becomes id (unless
 * it is root), enters dir and runs argv. Never returns.
 */
static void owner_child(const struct vpnc_nm_ident *id, const char *dir, char *const argv[],
                        char *const envp[], int out, int err, int null)
{
	static const char drop_msg[] = "vpnc-nm: cannot become the connection's owner\n";
	static const char dir_msg[] = "vpnc-nm: the profile's directory cannot be entered as its owner\n";
	ssize_t w;

	if (dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	/* Nothing else of the plugin's (the bus connection, other pipes) reaches the owner's process. */
	close_range(3, ~0U, 0);
	if (id->uid != 0 &&
	    (setgroups((size_t)id->ngroups, id->groups) < 0 || setresgid(id->gid, id->gid, id->gid) < 0 ||
	     setresuid(id->uid, id->uid, id->uid) < 0 || getuid() != id->uid || geteuid() != id->uid ||
	     getegid() != id->gid || setuid(0) == 0)) {
		w = write(2, drop_msg, sizeof(drop_msg) - 1);
		_exit(127);
	}
	/* Nothing the owner can put in the way (a setuid or file-capability vpnc) may gain rights. */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (chdir(dir) < 0) {
		w = write(2, dir_msg, sizeof(dir_msg) - 1);
		_exit(127);
	}
	execve(argv[0], argv, envp);
	(void)w;
	_exit(127);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads both pipes until they close, the output is too long, or the deadline passes. */
static int owner_collect(int out, int err, char *obuf, size_t *olen, char *ebuf, size_t *elen)
{
	long long deadline = now_ms() + OWNER_TIMEOUT_MS;
	struct pollfd p[2] = {{.fd = out, .events = POLLIN}, {.fd = err, .events = POLLIN}};

	while (p[0].fd >= 0 || p[1].fd >= 0) {
		long long left = deadline - now_ms();
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(p, 2, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		for (int i = 0; i < 2; i++) {
			char *buf = i == 0 ? obuf : ebuf;
			size_t *len = i == 0 ? olen : elen;
			size_t cap = i == 0 ? OWNER_OUT_MAX + 1 : OWNER_ERR_MAX;
			char sink[512];
			ssize_t n;

			if (p[i].fd < 0 || p[i].revents == 0)
				continue;
			/* Past the end of the error buffer, the rest is read and dropped. */
			if (*len < cap)
				n = read(p[i].fd, buf + *len, cap - *len);
			else
				n = read(p[i].fd, sink, sizeof(sink));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				p[i].fd = -1;
				continue;
			}
			if (*len < cap)
				*len += (size_t)n;
			if (i == 0 && *len > OWNER_OUT_MAX)
				return -EFBIG;
		}
	}
	return 0;
}

int vpnc_nm_owner_inline(const char *vpnc, const char *config, const struct vpnc_nm_ident *id,
                         GError **error)
{
	char *argv[] = {(char *)vpnc, "--inline-config", (char *)config, "--untrusted-config", NULL};
	char *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL};
	char *dir = g_path_get_dirname(config), *obuf = NULL, ebuf[OWNER_ERR_MAX + 1];
	int out[2] = {-1, -1}, err[2] = {-1, -1}, null = -1, status = 0, memfd = -1, ret;
	size_t olen = 0, elen = 0;
	pid_t pid = -1;

	obuf = g_malloc(OWNER_OUT_MAX + 1);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		ret = -errno;
		goto fail_errno;
	}
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto fail_errno;
	}
	if (pid == 0)
		owner_child(id, dir, argv, envp, out[1], err[1], null);
	close(out[1]);
	close(err[1]);
	out[1] = err[1] = -1;
	ret = owner_collect(out[0], err[0], obuf, &olen, ebuf, &elen);
	if (ret < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	ebuf[elen] = '\0';
	/* vpnc's message is one line, "vpnc: FILE:LINE: ..."; show that line only. */
	ebuf[strcspn(ebuf, "\n")] = '\0';
	if (ret == -ETIMEDOUT || ret == -EFBIG) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_BAD_ARGUMENTS,
		            "reading the profile %s as user %s %s", config, id->name,
		            ret == -EFBIG ? "gave more than 1 MiB" : "took too long");
		goto out;
	}
	if (ret < 0)
		goto fail_errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_BAD_ARGUMENTS,
		            "the profile cannot be used (read as user %s): %s", id->name,
		            elen > 0 ? ebuf : "vpnc --inline-config failed");
		goto out;
	}
	memfd = memfd_create("vpnc-profile", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0 || write(memfd, obuf, olen) != (ssize_t)olen || lseek(memfd, 0, SEEK_SET) != 0 ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
		ret = -errno;
		if (memfd >= 0)
			close(memfd);
		memfd = -1;
		goto fail_errno;
	}
	/* Far from 3, where vpnc gets it: glib then always copies it there without CLOEXEC. */
	ret = fcntl(memfd, F_DUPFD_CLOEXEC, 10);
	close(memfd);
	memfd = ret;
	if (memfd < 0) {
		ret = -errno;
		goto fail_errno;
	}
	goto out;
fail_errno:
	g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_LAUNCH_FAILED,
	            "cannot read the profile as its owner: %s", g_strerror(-ret));
out:
	explicit_bzero(obuf, OWNER_OUT_MAX + 1);
	g_free(obuf);
	g_free(dir);
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	if (null >= 0)
		close(null);
	return memfd;
}
