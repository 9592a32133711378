/*
 * privseccomp.c: the network process's seccomp filter (privjail.h). An
 * allow-list of what its code runs after the jail: the libuv loop (epoll,
 * eventfd, pipes, signals, timers through the epoll timeout), the UDP and
 * TCP links (socket for AF_INET and AF_INET6 only, connect, the batched
 * recvmmsg/sendmmsg, UDP GSO socket options), the TUN fd it was handed
 * (read/write/readv/writev), the control socket (accept4 and its clients), OpenSSL and malloc (mmap,
 * mprotect, getrandom, futex), the log (write/writev), and read-only opens
 * (a crl-verify directory inside the profile's chroot; the default root is
 * empty). Everything else traps, so a syscall vpnc forgot is a dead process
 * with a number in the log, not a silent failure in the middle of the
 * data path.
 */
#include "priv/privjail.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <seccomp.h>

/* Syscalls allowed with any arguments. */
static const char *const allowed[] = {
	/* I/O on descriptors the process already has */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "close", "lseek", "dup", "dup2", "dup3", "fcntl",
	"fstat", "newfstatat", "statx",
	/* the links and the control socket */
	"connect", "bind", "listen", "accept", "accept4", "shutdown", "getsockname", "getpeername",
	"setsockopt", "getsockopt", "recvfrom", "sendto", "recvmsg", "sendmsg", "recvmmsg", "sendmmsg",
	/* the event loop */
	"epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "poll", "ppoll",
	"eventfd2", "pipe2", "timerfd_create", "timerfd_settime", "timerfd_gettime",
	/* time */
	"clock_gettime", "clock_getres", "gettimeofday", "clock_nanosleep", "nanosleep",
	/* memory, threads (OpenSSL, malloc) */
	"mmap", "munmap", "mremap", "mprotect", "madvise", "brk", "futex", "sched_yield", "set_robust_list",
	"rseq", "sched_getaffinity", "getrandom", "membarrier",
	/* signals, ids, exit */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "getpid", "gettid", "getppid",
	"getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "prlimit64", "uname",
	"sysinfo", "exit", "exit_group", "restart_syscall",
	/* reading a crl-verify directory inside a chroot */
	"getdents64",
};

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char msg[64] = "vpnc: seccomp: syscall ";
	char num[12];
	size_t len = strlen(msg), n = 0;
	unsigned v = (unsigned)si->si_syscall;

	(void)sig;
	(void)uc;
	do
		num[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0 && n < sizeof(num));
	while (n > 0 && len < sizeof(msg) - 1)
		msg[len++] = num[--n];
	static const char tail[] = " is not allowed\n";
	for (size_t i = 0; tail[i] != '\0' && len < sizeof(msg); i++)
		msg[len++] = tail[i];
	(void)!write(STDERR_FILENO, msg, len);
	_exit(128 + SIGSYS);
}

/* One rule on one argument (libseccomp's SCMP_A* macros leave fields to the compiler's zeroing). */
static int rule(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned arg, enum scmp_compare op, scmp_datum_t a,
                scmp_datum_t b)
{
	struct scmp_arg_cmp cmp = {.arg = arg, .op = op, .datum_a = a, .datum_b = b};

	return seccomp_rule_add_array(ctx, action, nr, 1, &cmp);
}

int vpnc_priv_seccomp_install(void)
{
	struct sigaction sa;
	scmp_filter_ctx ctx;
	int ret = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return -errno;
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (ctx == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]) && ret == 0; i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);

		if (nr != __NR_SCMP_ERROR)
			ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	/* ioctl: only the ones libuv and the links use on their own descriptors, and the interface
	 * name/index lookups (if_indextoname, if_nametoindex) roaming uses. */
	static const unsigned long ioctls[] = {FIONBIO, FIONREAD, FIOCLEX, FIONCLEX, SIOCOUTQ, SIOCGIFNAME, SIOCGIFINDEX};
	for (size_t i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]) && ret == 0; i++)
		ret = rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_CMP_EQ, ioctls[i], 0);
	/* socket: IPv4 and IPv6 only, for the UDP and TCP links it opens at each attempt (the
	 * proxies' too). Its netlink sockets (route lookups, the roaming watch), the control socket
	 * and the socketpairs to the parent exist before the jail; a new netlink or Unix socket
	 * would reach the kernel's routing or other daemons' abstract sockets, so it traps. One
	 * exception fails instead: glibc's if_indextoname (roaming's log lines) first tries
	 * socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0) and falls back to AF_INET on an error. */
	static const int families[] = {AF_INET, AF_INET6};
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]) && ret == 0; i++)
		ret = rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 0, SCMP_CMP_EQ, (scmp_datum_t)families[i], 0);
	if (ret == 0) {
		struct scmp_arg_cmp unix_probe[] = {
			{.arg = 0, .op = SCMP_CMP_EQ, .datum_a = AF_UNIX},
			{.arg = 1, .op = SCMP_CMP_EQ, .datum_a = SOCK_DGRAM | SOCK_CLOEXEC},
		};
		ret = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 2, unix_probe);
	}
	/* openat: read-only, never creating. */
	if (ret == 0)
		ret = rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 2, SCMP_CMP_MASKED_EQ,
		           O_ACCMODE | O_CREAT | O_TRUNC | O_TMPFILE, O_RDONLY);
	/* Signals to itself only (raise, abort): its user may be the shared fallback, nobody, whose
	 * other processes it must not signal (privjail.h). */
	if (ret == 0)
		ret = rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 0, SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0);
	if (ret == 0)
		ret = rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 0, SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0);
	/* Threads only (OpenSSL or libuv may start one); clone3 says ENOSYS so glibc falls back to clone. */
	if (ret == 0)
		ret = rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 0, SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD);
	if (ret == 0)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	/* Closing the control socket unlinks its path (libuv does too); outside this root, so a
	 * plain failure: the parent removes the socket file once the network process has ended. */
	if (ret == 0)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EROFS), SCMP_SYS(unlink), 0);
	if (ret == 0)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EROFS), SCMP_SYS(unlinkat), 0);
	if (ret == 0)
		ret = seccomp_load(ctx);
	seccomp_release(ctx);
	return ret;
}
