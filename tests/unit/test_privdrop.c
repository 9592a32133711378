/*
 * test_privdrop.c: dropping privileges for real (src/daemon/privdrop.c), and
 * the user/group/chroot config options.
 *
 * The config part runs everywhere. The drop needs root (exit 77 otherwise):
 * each case forks a child that unshares its network namespace (so nothing
 * it does touches the host), opens a TUN device as the daemon would, calls
 * vpnc_privdrop() as nobody/nogroup, and then writes what it observes into
 * a pipe: its ids, capability sets and groups from /proc/self/status,
 * whether rtnetlink still adds and deletes an address and a route on the
 * TUN, and whether /etc/shadow or a new TUN device can still be opened.
 * The parent checks each line.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "os/os.h"
#include "vpnc/config.h"

#include "../../src/daemon/privdrop.c"

#include "../check.h"

#define REPORT_MAX 4096

/* ---- config ---- */

static struct vpnc_config *parse(const char *text, char *err, size_t errlen)
{
	struct vpnc_config *c = NULL;

	if (vpnc_config_parse_text("t.ovpn", text, strlen(text), NULL, &c, err, errlen) < 0)
		return NULL;
	return c;
}

#define BASE "client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote vpn.example.org\n"

static void test_config(void)
{
	struct vpnc_privdrop_opts o;
	struct vpnc_config *c;
	struct passwd *pw = getpwnam("nobody");
	struct group *gr = getgrnam("nogroup");
	char err[256];

	c = parse(BASE, err, sizeof(err));
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK(!vpnc_privdrop_opts_from_config(&o, c));
		CHECK(o.uid == -1 && o.gid == -1 && o.chroot_dir == NULL);
		vpnc_config_free(c);
	}

	if (pw == NULL || gr == NULL) {
		fprintf(stderr, "no user nobody or group nogroup: config cases skipped\n");
		return;
	}
	c = parse(BASE "user nobody\ngroup nogroup\nchroot /\n", err, sizeof(err));
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK(strcmp(c->user, "nobody") == 0 && c->uid == pw->pw_uid);
		CHECK(strcmp(c->group, "nogroup") == 0 && c->gid == gr->gr_gid);
		CHECK(vpnc_privdrop_opts_from_config(&o, c));
		CHECK(o.uid == (long long)pw->pw_uid && o.gid == (long long)gr->gr_gid);
		CHECK(o.chroot_dir != NULL && strcmp(o.chroot_dir, "/") == 0);
		CHECK(o.no_new_privs && !o.keep_dac_override);
		vpnc_config_free(c);
	}

	/* A user alone switches to the user's primary group, not gid 0. */
	c = parse(BASE "user nobody\n", err, sizeof(err));
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK(vpnc_privdrop_opts_from_config(&o, c));
		CHECK(o.gid == (long long)pw->pw_gid);
		vpnc_config_free(c);
	}

	/* Unknown names and bad chroot directories fail the load, naming file, line and option. */
	c = parse(BASE "user no-such-user-vpnc-test\n", err, sizeof(err));
	CHECK(c == NULL);
	CHECK(strstr(err, "t.ovpn:7:") != NULL && strstr(err, "'user'") != NULL);
	CHECK(strstr(err, "no such user") != NULL);
	vpnc_config_free(c);

	c = parse(BASE "\ngroup no-such-group-vpnc-test\n", err, sizeof(err));
	CHECK(c == NULL);
	CHECK(strstr(err, "t.ovpn:8:") != NULL && strstr(err, "'group'") != NULL);
	vpnc_config_free(c);

	c = parse(BASE "chroot relative/dir\n", err, sizeof(err));
	CHECK(c == NULL && strstr(err, "'chroot'") != NULL && strstr(err, "absolute") != NULL);
	vpnc_config_free(c);
	c = parse(BASE "chroot /etc/passwd\n", err, sizeof(err));
	CHECK(c == NULL && strstr(err, "not a directory") != NULL);
	vpnc_config_free(c);
	c = parse(BASE "user\n", err, sizeof(err));
	CHECK(c == NULL);
	vpnc_config_free(c);
}

/* ---- options checked before anything changes ---- */

static void test_bad_opts(void)
{
	struct vpnc_privdrop_opts o = {.uid = -1, .gid = -1};
	char err[256];

	CHECK(vpnc_privdrop(&o, err, sizeof(err)) == 0); /* nothing asked: nothing done */
	o.uid = 65534;
	CHECK(vpnc_privdrop(&o, err, sizeof(err)) == -EINVAL); /* a user without a group */
	o.gid = -5;
	CHECK(vpnc_privdrop(&o, err, sizeof(err)) == -EINVAL);
	o.gid = 65534;
	o.chroot_dir = "relative";
	CHECK(vpnc_privdrop(&o, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "absolute") != NULL);
}

/* ---- the real drop, in a child ---- */

/* Appends the lines of /proc/self/status that the parent checks. */
static void report_status(FILE *out)
{
	static const char *const keys[] = {"Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:",
	                                   "CapEff:", "CapBnd:", "CapAmb:", "NoNewPrivs:"};
	char line[512];
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL) {
		fprintf(out, "status: unreadable\n");
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if (strncmp(line, keys[i], strlen(keys[i])) == 0)
				fputs(line, out);
		}
	}
	fclose(f);
}

/* rtnetlink as the daemon uses it on a reconnect and on exit. */
static void report_netlink(FILE *out, const struct vpnc_tun *tun)
{
	struct vpnc_nl *nl = NULL;
	uint8_t a4[4] = {10, 77, 0, 2}, net[4] = {10, 78, 0, 0};
	int r;

	r = vpnc_nl_open(&nl);
	fprintf(out, "nl_open: %d\n", r);
	if (r < 0)
		return;
	fprintf(out, "link_up: %d\n", vpnc_nl_link_up(nl, tun->ifindex, 1400, 0));
	fprintf(out, "addr_add: %d\n", vpnc_nl_addr(nl, true, tun->ifindex, AF_INET, a4, 24, NULL));
	fprintf(out, "addr_exists: %d\n", vpnc_nl_addr_exists(nl, tun->ifindex, AF_INET, a4, 24));
	fprintf(out, "route_add: %d\n", vpnc_nl_route(nl, true, AF_INET, net, 16, NULL, tun->ifindex, -1));
	fprintf(out, "route_del: %d\n", vpnc_nl_route(nl, false, AF_INET, net, 16, NULL, tun->ifindex, -1));
	fprintf(out, "addr_del: %d\n", vpnc_nl_addr(nl, false, tun->ifindex, AF_INET, a4, 24, NULL));
	fprintf(out, "addr_gone: %d\n", vpnc_nl_addr_exists(nl, tun->ifindex, AF_INET, a4, 24));
	vpnc_nl_close(nl);
}

/* The child: namespace, TUN, drop, observe. Never returns. */
static void child(int wfd, const struct vpnc_privdrop_opts *o)
{
	struct vpnc_tun tun = {.fd = -1}, tun2 = {.fd = -1};
	char err[256];
	FILE *out = fdopen(wfd, "w");
	int r, fd;

	if (out == NULL)
		_exit(2);
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(out, "unshare: %d\n", -errno);
		fclose(out);
		_exit(3);
	}
	r = vpnc_tun_open("vpnct%d", &tun);
	fprintf(out, "tun_open: %d\n", r);
	r = vpnc_privdrop(o, err, sizeof(err));
	fprintf(out, "privdrop: %d\nprivdrop_msg: %s\n", r, err);
	fflush(out);
	if (r < 0) {
		fclose(out);
		_exit(4);
	}
	report_status(out);
	report_netlink(out, &tun);
	fd = open("/etc/shadow", O_RDONLY | O_CLOEXEC);
	fprintf(out, "shadow: %d\n", fd >= 0 ? 0 : -errno);
	if (fd >= 0)
		close(fd);
	fd = open("/etc/passwd", O_WRONLY | O_CLOEXEC);
	fprintf(out, "passwd_write: %d\n", fd >= 0 ? 0 : -errno);
	if (fd >= 0)
		close(fd);
	/* A new TUN device: only if /dev/net/tun is open to all (0666); not checked, shown for the log. */
	fprintf(out, "tun2_open: %d\n", vpnc_tun_open("vpnct%d", &tun2));
	vpnc_tun_close(&tun2);
	fprintf(out, "setuid0: %d\n", setuid(0) == 0 ? 0 : -errno);
	fprintf(out, "keepcaps: %d\n", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
	fprintf(out, "cwd_root: %d\n", access("/etc/hostname", F_OK) == 0 ? 1 : 0);
	vpnc_tun_close(&tun);
	fprintf(out, "end\n");
	fclose(out);
	_exit(0);
}

/* Runs child() and reads all it wrote into buf. Returns its exit status, or -1. */
static int run_child(const struct vpnc_privdrop_opts *o, char *buf, size_t cap)
{
	int p[2], st = 0;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[0]);
		child(p[1], o);
	}
	close(p[1]);
	while (n + 1 < cap && (r = read(p[0], buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(p[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* The value after "key" on its line, e.g. field(buf, "CapEff:") -> "0000000000001000". */
static const char *field(const char *buf, const char *key, char *val, size_t cap)
{
	const char *s = strstr(buf, key);
	size_t n = 0;

	val[0] = '\0';
	if (s == NULL)
		return val;
	s += strlen(key);
	while (*s == ' ' || *s == '\t')
		s++;
	while (s[n] != '\n' && s[n] != '\0' && n + 1 < cap)
		n++;
	memcpy(val, s, n);
	val[n] = '\0';
	return val;
}

static bool field_is(const char *buf, const char *key, const char *want)
{
	char v[128];

	field(buf, key, v, sizeof(v));
	if (strcmp(v, want) != 0) {
		fprintf(stderr, "  %s is '%s', want '%s'\n", key, v, want);
		return false;
	}
	return true;
}

static void test_drop(const char *label, bool dac, bool chroot_root)
{
	struct passwd *pw = getpwnam("nobody");
	struct group *gr = getgrnam("nogroup");
	struct vpnc_privdrop_opts o = {.uid = -1, .gid = -1, .no_new_privs = true};
	char buf[REPORT_MAX], want[64], caps[32];
	unsigned long long mask = VPNC_PRIVDROP_CAPS_NET_ADMIN | (dac ? 1ULL << CAP_DAC_OVERRIDE : 0);
	int st;

	if (pw == NULL || gr == NULL) {
		fprintf(stderr, "%s: no nobody/nogroup, skipped\n", label);
		return;
	}
	o.uid = pw->pw_uid;
	o.gid = gr->gr_gid;
	o.user = "nobody";
	o.keep_dac_override = dac;
	o.chroot_dir = chroot_root ? "/" : NULL;
	st = run_child(&o, buf, sizeof(buf));
	fprintf(stderr, "---- %s ----\n%s", label, buf);
	CHECK(st == 0);
	CHECK(field_is(buf, "tun_open:", "0"));
	CHECK(field_is(buf, "privdrop:", "0"));
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", pw->pw_uid, pw->pw_uid, pw->pw_uid, pw->pw_uid);
	CHECK(field_is(buf, "Uid:", want));
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", gr->gr_gid, gr->gr_gid, gr->gr_gid, gr->gr_gid);
	CHECK(field_is(buf, "Gid:", want));
	CHECK(field_is(buf, "Groups:", ""));
	snprintf(caps, sizeof(caps), "%016llx", mask);
	CHECK(field_is(buf, "CapEff:", caps));
	CHECK(field_is(buf, "CapPrm:", caps));
	CHECK(field_is(buf, "CapBnd:", caps));
	CHECK(field_is(buf, "CapInh:", "0000000000000000"));
	CHECK(field_is(buf, "CapAmb:", "0000000000000000"));
	CHECK(field_is(buf, "NoNewPrivs:", "1"));
	CHECK(field_is(buf, "nl_open:", "0"));
	CHECK(field_is(buf, "link_up:", "0"));
	CHECK(field_is(buf, "addr_add:", "0"));
	CHECK(field_is(buf, "addr_exists:", "1"));
	CHECK(field_is(buf, "route_add:", "0"));
	CHECK(field_is(buf, "route_del:", "0"));
	CHECK(field_is(buf, "addr_del:", "0"));
	CHECK(field_is(buf, "addr_gone:", "0"));
	snprintf(want, sizeof(want), "%d", -EPERM);
	CHECK(field_is(buf, "setuid0:", want));
	CHECK(field_is(buf, "keepcaps:", "0"));
	if (dac) {
		/* CAP_DAC_OVERRIDE bypasses read and write permission bits: that is its purpose. */
		CHECK(field_is(buf, "passwd_write:", "0"));
	} else {
		snprintf(want, sizeof(want), "%d", -EACCES);
		CHECK(field_is(buf, "shadow:", want));
		CHECK(field_is(buf, "passwd_write:", want));
	}
	CHECK(field_is(buf, "cwd_root:", "1"));
	CHECK(strstr(buf, "\nend\n") != NULL);
}

/* Without root nothing may change, and the error says why. */
static void test_not_root_child(void)
{
	struct passwd *pw = getpwnam("nobody");
	struct group *gr = getgrnam("nogroup");
	struct vpnc_privdrop_opts o = {.uid = -1, .gid = -1, .no_new_privs = true};
	char err[256];
	int p[2], st = 0;
	pid_t pid;

	if (pw == NULL || gr == NULL || pipe(p) < 0)
		return;
	o.uid = pw->pw_uid;
	o.gid = gr->gr_gid;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* Become nobody first (plain setuid: all capabilities gone), then try to drop "again" to root. */
		close(p[0]);
		if (setgid(gr->gr_gid) < 0 || setgroups(0, NULL) < 0 || setuid(pw->pw_uid) < 0)
			_exit(5);
		o.uid = 0;
		o.gid = 0;
		_exit(vpnc_privdrop(&o, err, sizeof(err)) < 0 && err[0] != '\0' && getuid() != 0 ? 0 : 1);
	}
	close(p[0]);
	close(p[1]);
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* mlock: either locked, or a note that says what to do; never fatal. */
static void test_mlock(void)
{
	char note[256];
	int r, st = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		r = vpnc_mlock_secrets(note, sizeof(note));
		/* After the lock, a 32 MiB allocation must still work (ONFAULT: nothing populated). */
		void *big = malloc(32u << 20);
		_exit((r == 0 && note[0] == '\0' && big != NULL) || (r < 0 && strstr(note, "RLIMIT_MEMLOCK")) ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* mlock, then drop: allocations after the drop still succeed (RLIMIT_MEMLOCK was raised). */
static void test_mlock_then_drop(void)
{
	struct passwd *pw = getpwnam("nobody");
	struct group *gr = getgrnam("nogroup");
	struct vpnc_privdrop_opts o = {.uid = -1, .gid = -1, .no_new_privs = true};
	char note[256], err[256];
	int st = 0;
	pid_t pid;

	if (pw == NULL || gr == NULL)
		return;
	o.uid = pw->pw_uid;
	o.gid = gr->gr_gid;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		bool ok = vpnc_mlock_secrets(note, sizeof(note)) == 0;
		ok = ok && vpnc_privdrop(&o, err, sizeof(err)) == 0;
		/* Either RLIMIT_MEMLOCK was raised (no note) or MCL_FUTURE is off (a note says so). */
		fprintf(stderr, "mlock then drop: %s\n", err[0] ? err : "RLIMIT_MEMLOCK raised");
		ok = ok && (err[0] == '\0' || strstr(err, "not locked") != NULL);
		for (int i = 0; ok && i < 8; i++) {
			char *p = malloc(16u << 20);
			ok = p != NULL;
			if (p != NULL)
				p[0] = 1;
		}
		_exit(ok ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* A hard limit that is already infinite (systemd's LimitMEMLOCK=infinity): no privilege needed. */
static void test_mlock_soft_limit(void)
{
	struct passwd *pw = getpwnam("nobody");
	struct group *gr = getgrnam("nogroup");
	struct vpnc_privdrop_opts o = {.uid = -1, .gid = -1, .no_new_privs = true};
	struct rlimit rl;
	char note[256], err[256];
	int st = 0;
	pid_t pid;

	if (pw == NULL || gr == NULL || getrlimit(RLIMIT_MEMLOCK, &rl) < 0 || rl.rlim_max != RLIM_INFINITY) {
		fprintf(stderr, "hard RLIMIT_MEMLOCK is not infinite: soft-limit case skipped\n");
		return;
	}
	o.uid = pw->pw_uid;
	o.gid = gr->gr_gid;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct rlimit low = {8u << 20, RLIM_INFINITY};
		bool ok = setrlimit(RLIMIT_MEMLOCK, &low) == 0 && vpnc_mlock_secrets(note, sizeof(note)) == 0;

		ok = ok && vpnc_privdrop(&o, err, sizeof(err)) == 0 && err[0] == '\0';
		ok = ok && getrlimit(RLIMIT_MEMLOCK, &low) == 0 && low.rlim_cur == RLIM_INFINITY;
		for (int i = 0; ok && i < 4; i++)
			ok = malloc(16u << 20) != NULL;
		_exit(ok ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void)
{
	test_config();
	test_bad_opts();
	if (geteuid() != 0) {
		printf("test_privdrop: %u passed, %u failed (not root: the drop is not tested)\n", passed,
		       failed);
		return failed ? 1 : 77;
	}
	test_mlock();
	test_drop("nobody/nogroup, CAP_NET_ADMIN only", false, false);
	test_drop("nobody/nogroup, chroot /, CAP_NET_ADMIN + CAP_DAC_OVERRIDE", true, true);
	test_not_root_child();
	test_mlock_then_drop();
	test_mlock_soft_limit();
	printf("test_privdrop: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
