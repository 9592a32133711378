/*
 * test_privjail.c: the network process's jail (src/priv/privjail.c,
 * privseccomp.c), as root (exit 77 otherwise). A forked child enters the
 * jail as nobody/nogroup and waits; the test reads its /proc entry from
 * outside (ids, no groups, every capability set empty, NoNewPrivs,
 * Seccomp 2, a root that is not the host's); then the child does what the
 * data path does (a UDP socket to loopback, getrandom, a large malloc, the
 * clock, an IPv6 socket, if_indextoname, whose glibc probe of an AF_UNIX
 * socket must fail with EAFNOSUPPORT, not trap), finds no file in its root,
 * and finally makes a syscall outside the list: it must die with status 159
 * and name the syscall on stderr. Among those: a netlink socket and a Unix
 * stream socket (the filter allows socket() for AF_INET and AF_INET6 only).
 * keep_user (the NetworkManager plugin's unprivileged vpnc): the child first
 * becomes nobody itself, keeping only CAP_SYS_CHROOT as an ambient capability
 * (as the plugin starts vpnc), then enters: the same checks, but its own uid,
 * the given root (or the host's without one), and the bounding set untouched;
 * without CAP_SYS_CHROOT a given root is refused with one sentence.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "priv/privjail.h"

#include "../check.h"

#define NOBODY 65534

/* One line of /proc/PID/status, value part, into out. */
static int status_field(pid_t pid, const char *name, char *out, size_t cap)
{
	char path[64], line[256];
	size_t nl = strlen(name);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, name, nl) == 0 && line[nl] == ':') {
			const char *v = line + nl + 1;

			while (*v == ' ' || *v == '\t')
				v++;
			snprintf(out, cap, "%s", v);
			out[strcspn(out, "\n")] = '\0';
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return -ENOENT;
}

static void expect_field(pid_t pid, const char *name, const char *want)
{
	char v[128] = "";

	CHECK(status_field(pid, name, v, sizeof(v)) == 0 && strcmp(v, want) == 0, "%s: '%s', want '%s'", name, v,
	      want);
}

/* Whether the jailed child signals its parent (trapped) instead of trying mkdirat (trapped too). */
/* The last call, which the filter must trap. */
enum last { LAST_MKDIR, LAST_KILL_OTHER, LAST_NETLINK, LAST_UNIX };
static enum last last_call;
/* keep_user: the child becomes nobody on its own first, with CAP_SYS_CHROOT when chroot_cap is set. */
static bool keep_user, chroot_cap;

/* As the NetworkManager plugin starts vpnc: nobody, no groups, at most CAP_SYS_CHROOT (ambient). */
static int become_nobody(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct caps[2] = {{0}};

	if (chroot_cap)
		caps[0].effective = caps[0].permitted = caps[0].inheritable = 1U << CAP_SYS_CHROOT;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(0, NULL) < 0 ||
	    setresgid(NOBODY, NOBODY, NOBODY) < 0 || setresuid(NOBODY, NOBODY, NOBODY) < 0 ||
	    syscall(SYS_capset, &hdr, caps) < 0 || prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return -1;
	if (chroot_cap && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_CHROOT, 0, 0) < 0)
		return -1;
	return 0;
}

/* What the child does in the jail; the exit status says how far it got (0 = never returns). */
static void jailed(const struct vpnc_priv_jail *j, int ready, int go)
{
	char err[256], c, ifname[IF_NAMESIZE];
	struct sockaddr_in lo = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timespec ts;
	uint8_t rnd[32];
	int s;

	struct vpnc_priv_jail self;

	if (keep_user) {
		if (become_nobody() < 0)
			_exit(9);
		vpnc_priv_jail_self(j->chroot_dir, &self);
		j = &self;
	}
	if (vpnc_priv_jail_enter(j, err, sizeof(err)) < 0) {
		fprintf(stderr, "jail: %s\n", err);
		_exit(10);
	}
	(void)!write(ready, "r", 1);
	if (read(go, &c, 1) != 1)
		_exit(11);
	/* The data path's needs. */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&lo, sizeof(lo)) < 0 || send(s, "x", 1, 0) != 1)
		_exit(12);
	close(s);
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd) || clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		_exit(13);
	char *big = malloc(64 << 20);
	if (big == NULL)
		_exit(14);
	memset(big, 1, 64 << 20);
	free(big);
	/* Nothing in the root (keep_user without one: the host's), and nothing to create. */
	if ((j->chroot_dir != NULL || !j->keep_user) && (open("/etc/passwd", O_RDONLY) >= 0 || errno != ENOENT))
		_exit(15);
	/* Signals: to itself, yes. */
	if (kill(getpid(), 0) < 0)
		_exit(17);
	if (j->seccomp) {
		/* IPv6 links too; glibc's if_indextoname probes AF_UNIX first, which fails and falls back. */
		s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			_exit(18);
		close(s);
		if (socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0) >= 0 || errno != EAFNOSUPPORT)
			_exit(19);
		if (if_indextoname(1, ifname) == NULL)
			_exit(20);
	}
	/* To another process (its user may be the shared nobody): trapped. */
	if (last_call == LAST_KILL_OTHER)
		syscall(SYS_kill, getppid(), 0);
	/* A new netlink socket (the kernel's routing) or Unix socket (other daemons): trapped. */
	if (last_call == LAST_NETLINK)
		syscall(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (last_call == LAST_UNIX)
		syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* Outside the list: mkdirat. */
	syscall(SYS_mkdirat, AT_FDCWD, "/x", 0700);
	_exit(16);
}

static void run(const char *root_dir, bool seccomp)
{
	struct vpnc_priv_jail j = {.uid = NOBODY, .gid = NOBODY, .chroot_dir = root_dir, .seccomp = seccomp};
	int ready[2], go[2], errp[2], st = 0;
	char c, link[256] = "", msg[256] = "";
	ssize_t n;
	pid_t pid;

	CHECK(pipe(ready) == 0 && pipe(go) == 0 && pipe(errp) == 0);
	pid = fork();
	if (pid == 0) {
		dup2(errp[1], STDERR_FILENO);
		close(ready[0]);
		close(go[1]);
		jailed(&j, ready[1], go[0]);
	}
	close(ready[1]);
	close(go[0]);
	close(errp[1]);
	if (keep_user && root_dir != NULL && !chroot_cap) {
		/* A root that cannot be entered is refused, with why. */
		CHECK(read(ready[0], &c, 1) == 0, "the child did not enter the jail");
		CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 10, "status %#x", st);
		n = read(errp[0], msg, sizeof(msg) - 1);
		msg[n > 0 ? n : 0] = '\0';
		CHECK_STR(msg, "jail: chroot: Operation not permitted\n");
		close(ready[0]);
		close(go[1]);
		close(errp[0]);
		return;
	}
	CHECK(read(ready[0], &c, 1) == 1, "the child entered the jail");
	expect_field(pid, "Uid", "65534\t65534\t65534\t65534");
	expect_field(pid, "Gid", "65534\t65534\t65534\t65534");
	expect_field(pid, "Groups", "");
	expect_field(pid, "CapInh", "0000000000000000");
	expect_field(pid, "CapPrm", "0000000000000000");
	expect_field(pid, "CapEff", "0000000000000000");
	if (!keep_user) /* keep_user: no CAP_SETPCAP to empty it; no_new_privs makes it unusable */
		expect_field(pid, "CapBnd", "0000000000000000");
	expect_field(pid, "CapAmb", "0000000000000000");
	expect_field(pid, "NoNewPrivs", "1");
	expect_field(pid, "Seccomp", seccomp ? "2" : "0");
	{
		char path[64];
		struct stat a, b;

		snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
		n = readlink(path, link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = '\0';
		/* Not the host's root: another inode, or (chroot) the directory asked for; keep_user without
		 * a root keeps the host's. */
		CHECK(stat(path, &a) == 0 && stat("/", &b) == 0 &&
		      (a.st_ino != b.st_ino || a.st_dev != b.st_dev) == (root_dir != NULL || !keep_user),
		      "root %s", link);
		if (root_dir != NULL)
			CHECK_STR(link, root_dir);
	}
	CHECK(write(go[1], "g", 1) == 1);
	CHECK(waitpid(pid, &st, 0) == pid);
	n = read(errp[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	if (seccomp) {
		char want[64];

		snprintf(want, sizeof(want), "vpnc: seccomp: syscall %d is not allowed\n",
		         last_call == LAST_KILL_OTHER ? SYS_kill
		         : last_call == LAST_MKDIR    ? SYS_mkdirat
		                                      : SYS_socket);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 159, "status %#x: %s", st, msg);
		CHECK_STR(msg, want);
	} else {
		/* Without the filter, mkdirat fails on its own (read-only root or no rights) and the child exits 16. */
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 16, "status %#x: %s", st, msg);
	}
	close(ready[0]);
	close(go[1]);
	close(errp[0]);
}

static void test_user(void)
{
	struct vpnc_priv_jail j;
	char err[256];
	int r;

	CHECK(vpnc_priv_jail_user(NOBODY, -1, &j, err, sizeof(err)) == 0 && j.uid == NOBODY && j.gid != 0);
	CHECK(vpnc_priv_jail_user(0, 0, &j, err, sizeof(err)) == -EPERM);
	CHECK(vpnc_priv_jail_user(NOBODY, 0, &j, err, sizeof(err)) == -EPERM);
	r = vpnc_priv_jail_user(-1, -1, &j, err, sizeof(err));
	if (getpwnam(VPNC_PRIV_DEFAULT_USER) == NULL) {
		/* The fallback, flagged for the caller's one log line. */
		CHECK(r == 0 && j.fallback && j.uid == getpwnam(VPNC_PRIV_FALLBACK_USER)->pw_uid &&
		      j.gid == getgrnam(VPNC_PRIV_FALLBACK_GROUP)->gr_gid, "%d", r);
		/* The profile's group is kept with the fallback user. */
		r = vpnc_priv_jail_user(-1, 100, &j, err, sizeof(err));
		CHECK(r == 0 && j.fallback && j.gid == 100);
	} else {
		CHECK(r == 0 && !j.fallback && j.uid == getpwnam(VPNC_PRIV_DEFAULT_USER)->pw_uid);
	}
	/* Never as root, even when asked. */
	j = (struct vpnc_priv_jail){.uid = 0, .gid = NOBODY};
	CHECK(vpnc_priv_jail_enter(&j, err, sizeof(err)) == -EPERM);
}

int main(void)
{
	char dir[] = "/tmp/vpnc-jail-XXXXXX";

	if (geteuid() != 0) {
		printf("test_privjail: needs root, skipped\n");
		return 77;
	}
	test_user();
	run(NULL, true);
	last_call = LAST_KILL_OTHER;
	run(NULL, true);
	last_call = LAST_NETLINK;
	run(NULL, true);
	last_call = LAST_UNIX;
	run(NULL, true);
	last_call = LAST_MKDIR;
	CHECK(mkdtemp(dir) != NULL);
	chmod(dir, 0555);
	run(dir, false);
	run(dir, true);
	keep_user = true;
	chroot_cap = true;
	run(dir, true);
	run(NULL, true);
	last_call = LAST_NETLINK;
	run(NULL, true);
	last_call = LAST_UNIX;
	run(NULL, true);
	last_call = LAST_MKDIR;
	chroot_cap = false;
	run(NULL, true);
	run(dir, true);
	rmdir(dir);
	printf("test_privjail: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
