/*
 * dns_resolvconf.c: owns the "resolvconf" DNS backend and the small program
 * runner the DNS code uses.
 *
 * "resolvconf -a <dev>.vpnc" gets resolv.conf records on its standard input;
 * "resolvconf -d <dev>.vpnc" removes them. Debian's resolvconf, openresolv and
 * systemd's resolvconf compatibility program all take this form. The program
 * is started with posix_spawn (never a shell), an environment that holds only
 * PATH, its input over a socket (so a program that exits early cannot raise
 * SIGPIPE in vpnc), and a bounded wait.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "os/dns.h"

#define RC_RECORDS_MAX 4096
#define RC_POLL_MS 10

static const char *const rc_locations[] = {"/usr/sbin/resolvconf", "/sbin/resolvconf"};
static char rc_path_env[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
static char rc_exclusive[] = "-x";

int vpnc_resolvconf_find(const struct vpnc_dns_paths *paths, char *out, size_t cap)
{
	const char *found = NULL;

	if (paths != NULL && paths->resolvconf != NULL) {
		if (access(paths->resolvconf, X_OK) == 0)
			found = paths->resolvconf;
	} else {
		for (size_t i = 0; i < sizeof(rc_locations) / sizeof(rc_locations[0]) && !found; i++)
			if (access(rc_locations[i], X_OK) == 0)
				found = rc_locations[i];
	}
	if (found == NULL)
		return -ENOENT;
	if (strlen(found) >= cap)
		return -ENAMETOOLONG;
	memcpy(out, found, strlen(found) + 1);
	return 0;
}

int vpnc_resolvconf_cmd(struct vpnc_resolvconf_cmd *cmd, const char *prog, enum vpnc_resolvconf_op op,
                        const char *ifname)
{
	int i = 0;

	size_t plen = strlen(prog), ilen = strlen(ifname);

	memset(cmd, 0, sizeof(*cmd));
	if (!vpnc_dns_ifname_ok(ifname))
		return -EINVAL;
	if (plen == 0 || plen >= sizeof(cmd->prog))
		return -ENAMETOOLONG;
	memcpy(cmd->prog, prog, plen + 1);
	memcpy(cmd->flag, op == VPNC_RC_DELETE ? "-d" : "-a", 3);
	memcpy(cmd->record, ifname, ilen);
	memcpy(cmd->record + ilen, VPNC_DNS_RESOLVCONF_SUFFIX, sizeof(VPNC_DNS_RESOLVCONF_SUFFIX));
	cmd->argv[i++] = cmd->prog;
	if (op == VPNC_RC_ADD_EXCLUSIVE)
		cmd->argv[i++] = rc_exclusive;
	cmd->argv[i++] = cmd->flag;
	cmd->argv[i++] = cmd->record;
	cmd->argv[i] = NULL;
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sends all of input, then ends the stream; a peer that stopped reading is not an error here. */
static void feed(int fd, const char *input, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, input, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		input += n;
		len -= (size_t)n;
	}
	(void)shutdown(fd, SHUT_WR);
}

int vpnc_dns_spawn(char *const argv[], const char *input, size_t len, int timeout_ms)
{
	char *envp[] = {rc_path_env, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	int sv[2] = {-1, -1}, status = 0, ret;
	pid_t pid = -1, w;
	int64_t deadline;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	ret = -posix_spawn(&pid, argv[0], &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(sv[1]);
	if (ret < 0) {
		close(sv[0]);
		return ret;
	}
	feed(sv[0], input != NULL ? input : "", input != NULL ? len : 0);
	close(sv[0]);
	deadline = now_ms() + timeout_ms;
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline) {
			(void)kill(pid, SIGKILL);
			(void)waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		nanosleep(&(struct timespec){0, RC_POLL_MS * 1000000L}, NULL);
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

int vpnc_resolvconf_apply(const struct vpnc_dns_paths *paths, const struct vpnc_dns_conf *c, bool *exclusive)
{
	struct vpnc_resolvconf_cmd cmd;
	char prog[256], records[RC_RECORDS_MAX];
	int ret, len;

	if ((ret = vpnc_resolvconf_find(paths, prog, sizeof(prog))) < 0)
		return ret;
	/* resolvconf merges records itself: give it only ours. */
	len = vpnc_dns_format(c, NULL, records, sizeof(records));
	if (len < 0)
		return len;
	*exclusive = false;
	if (c->full_tunnel) {
		/* Every name belongs to the VPN: ask that the other links' servers go unused. A
		 * program without "-x" exits non-zero before touching anything. */
		if ((ret = vpnc_resolvconf_cmd(&cmd, prog, VPNC_RC_ADD_EXCLUSIVE, c->ifname)) < 0)
			return ret;
		ret = vpnc_dns_spawn(cmd.argv, records, (size_t)len, VPNC_DNS_TIMEOUT_MS);
		if (ret != -ECHILD) {
			*exclusive = ret == 0;
			return ret;
		}
	}
	if ((ret = vpnc_resolvconf_cmd(&cmd, prog, VPNC_RC_ADD, c->ifname)) < 0)
		return ret;
	return vpnc_dns_spawn(cmd.argv, records, (size_t)len, VPNC_DNS_TIMEOUT_MS);
}

int vpnc_resolvconf_revert(const struct vpnc_dns_paths *paths, const char *ifname)
{
	struct vpnc_resolvconf_cmd cmd;
	char prog[256];
	int ret;

	if ((ret = vpnc_resolvconf_find(paths, prog, sizeof(prog))) < 0)
		return ret;
	if ((ret = vpnc_resolvconf_cmd(&cmd, prog, VPNC_RC_DELETE, ifname)) < 0)
		return ret;
	return vpnc_dns_spawn(cmd.argv, NULL, 0, VPNC_DNS_TIMEOUT_MS);
}
