/*
 * test_sdnotify.c: the sd_notify messages vpnc sends, received byte for byte
 * on a datagram socket of the test's own (a filesystem path and an abstract
 * '@' name), the sender's credentials as systemd checks them, the refused
 * $NOTIFY_SOCKET forms, and the $WATCHDOG_USEC / $WATCHDOG_PID rules.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../../src/daemon/sdnotify.c"

#include "../check.h"

/* Receives one pending datagram as a string; "" when none is queued. */
static const char *recv_msg(int fd, char *buf, size_t cap)
{
	ssize_t n = recv(fd, buf, cap - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static bool nothing_queued(int fd)
{
	char c;
	return recv(fd, &c, 1, MSG_DONTWAIT) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

static uint64_t mono_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* A receiving socket bound to addr (len bytes), with SO_PASSCRED like systemd's. */
static int make_receiver(const struct sockaddr_un *addr, socklen_t len)
{
	int one = 1, fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)addr, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Every message kind, against an open receiver `fd`. */
static void check_messages(int fd)
{
	char buf[1024], want[1024];
	uint64_t before, after, stamp;
	int consumed = 0;

	CHECK(vpnc_sd_ready("connected to vpn.example.org:1194 (udp)") == 1);
	CHECK(strcmp(recv_msg(fd, buf, sizeof(buf)), "READY=1\nSTATUS=connected to vpn.example.org:1194 (udp)") == 0);

	CHECK(vpnc_sd_ready(NULL) == 1);
	CHECK(strcmp(recv_msg(fd, buf, sizeof(buf)), "READY=1") == 0);

	CHECK(vpnc_sd_status("TLS handshake") == 1);
	CHECK(strcmp(recv_msg(fd, buf, sizeof(buf)), "STATUS=TLS handshake") == 0);

	/* Text from the server cannot add a line (and so a key) of its own. */
	CHECK(vpnc_sd_status("reset: bad\nREADY=1\x7f") == 1);
	CHECK(strcmp(recv_msg(fd, buf, sizeof(buf)), "STATUS=reset: bad?READY=1?") == 0);
	CHECK(vpnc_sd_status(NULL) == -EINVAL);
	CHECK(nothing_queued(fd));

	CHECK(vpnc_sd_stopping("exiting (SIGTERM)") == 1);
	CHECK(strcmp(recv_msg(fd, buf, sizeof(buf)), "STOPPING=1\nSTATUS=exiting (SIGTERM)") == 0);
	CHECK(vpnc_sd_stopping(NULL) == 1);
	CHECK(strcmp(recv_msg(fd, buf, sizeof(buf)), "STOPPING=1") == 0);

	CHECK(vpnc_sd_watchdog() == 1);
	CHECK(strcmp(recv_msg(fd, buf, sizeof(buf)), "WATCHDOG=1") == 0);

	CHECK(vpnc_sd_notify("ERRNO=5") == 1);
	CHECK(strcmp(recv_msg(fd, buf, sizeof(buf)), "ERRNO=5") == 0);

	/* RELOADING carries CLOCK_MONOTONIC in microseconds, taken during the call. */
	before = mono_usec();
	CHECK(vpnc_sd_reloading("reconnecting (SIGHUP)") == 1);
	after = mono_usec();
	recv_msg(fd, buf, sizeof(buf));
	CHECK(sscanf(buf, "RELOADING=1\nMONOTONIC_USEC=%" SCNu64 "\n%n", &stamp, &consumed) == 1);
	CHECK(consumed > 0 && strcmp(buf + consumed, "STATUS=reconnecting (SIGHUP)") == 0);
	CHECK(stamp >= before && stamp <= after);
	snprintf(want, sizeof(want), "RELOADING=1\nMONOTONIC_USEC=%" PRIu64 "\nSTATUS=reconnecting (SIGHUP)", stamp);
	CHECK(strcmp(buf, want) == 0);

	/* A long status is cut to fit one datagram of VPNC_SD_MSG_MAX - 1 bytes. */
	char longs[2000];
	memset(longs, 'x', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	CHECK(vpnc_sd_ready(longs) == 1);
	recv_msg(fd, buf, sizeof(buf));
	CHECK(strlen(buf) == VPNC_SD_MSG_MAX - 1);
	CHECK(strncmp(buf, "READY=1\nSTATUS=xxxx", 19) == 0);
	CHECK(nothing_queued(fd));
}

static void test_unset(void)
{
	unsetenv("NOTIFY_SOCKET");
	CHECK(vpnc_sd_open() == 0);
	CHECK(vpnc_sd_ready("connected") == 0);
	CHECK(vpnc_sd_status("x") == 0);
	CHECK(vpnc_sd_reloading("x") == 0);
	CHECK(vpnc_sd_stopping(NULL) == 0);
	CHECK(vpnc_sd_watchdog() == 0);
	setenv("NOTIFY_SOCKET", "", 1);
	CHECK(vpnc_sd_open() == 0);
}

static void test_path(void)
{
	char dir[] = "/tmp/vpnc-sdnotify-XXXXXX";
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char buf[256];
	int fd;

	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/notify", dir);
	fd = make_receiver(&sun, sizeof(sun));
	CHECK(fd >= 0);
	if (fd >= 0) {
		setenv("NOTIFY_SOCKET", sun.sun_path, 1);
		CHECK(vpnc_sd_open() == 1);
		check_messages(fd);

		/* systemd checks the sender's PID (NotifyAccess=main): the kernel's credentials. */
		struct msghdr mh = {0};
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		union {
			struct cmsghdr align;
			char b[CMSG_SPACE(sizeof(struct ucred))];
		} cbuf;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf.b;
		mh.msg_controllen = sizeof(cbuf.b);
		CHECK(vpnc_sd_watchdog() == 1);
		CHECK(recvmsg(fd, &mh, MSG_DONTWAIT) == 10);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		CHECK(c != NULL && c->cmsg_type == SCM_CREDENTIALS);
		if (c != NULL && c->cmsg_type == SCM_CREDENTIALS) {
			struct ucred uc;
			memcpy(&uc, CMSG_DATA(c), sizeof(uc));
			CHECK(uc.pid == getpid());
		}

		/* The socket is connected once: later sends need neither the variable nor the path lookup. */
		unsetenv("NOTIFY_SOCKET");
		CHECK(vpnc_sd_status("still here") == 1);
		CHECK(strcmp(recv_msg(fd, buf, sizeof(buf)), "STATUS=still here") == 0);

		/* A receiver that went away is an error, not a crash or a block. */
		close(fd);
		CHECK(vpnc_sd_status("gone") == -ECONNREFUSED);
		vpnc_sd_close();
		CHECK(vpnc_sd_status("closed") == 0);
		vpnc_sd_close();
	}
	unlink(sun.sun_path);
	rmdir(dir);
}

static void test_abstract(void)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char name[64];
	int fd, n;

	n = snprintf(name, sizeof(name), "@vpnc-test-sdnotify-%ld", (long)getpid());
	memcpy(sun.sun_path, name, (size_t)n);
	sun.sun_path[0] = '\0';
	fd = make_receiver(&sun, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n));
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	setenv("NOTIFY_SOCKET", name, 1);
	CHECK(vpnc_sd_open() == 1);
	check_messages(fd);

	/* The abstract name is exact: no trailing NUL is part of it, so a longer name does not match. */
	setenv("NOTIFY_SOCKET", "@vpnc-test-sdnotify-none-such", 1);
	CHECK(vpnc_sd_open() == -ECONNREFUSED);
	CHECK(vpnc_sd_ready("x") == 0);
	vpnc_sd_close();
	close(fd);
}

static void test_bad_values(void)
{
	char longp[sizeof(((struct sockaddr_un *)0)->sun_path) + 2];

	setenv("NOTIFY_SOCKET", "run/systemd/notify", 1);
	CHECK(vpnc_sd_open() == -EINVAL);
	setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);
	CHECK(vpnc_sd_open() == -EAFNOSUPPORT);
	setenv("NOTIFY_SOCKET", "@", 1);
	CHECK(vpnc_sd_open() == -EINVAL);
	setenv("NOTIFY_SOCKET", "/", 1);
	CHECK(vpnc_sd_open() < 0);
	setenv("NOTIFY_SOCKET", "/nonexistent/vpnc/notify", 1);
	CHECK(vpnc_sd_open() == -ENOENT);
	CHECK(vpnc_sd_ready("x") == 0);

	/* A path needs room for its NUL (107 bytes fit 108), an abstract name does not. */
	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[107] = '\0';
	setenv("NOTIFY_SOCKET", longp, 1);
	CHECK(vpnc_sd_open() == -ENOENT);
	longp[107] = 'a';
	longp[108] = '\0';
	setenv("NOTIFY_SOCKET", longp, 1);
	CHECK(vpnc_sd_open() == -ENAMETOOLONG);
	longp[0] = '@';
	setenv("NOTIFY_SOCKET", longp, 1);
	CHECK(vpnc_sd_open() == -ECONNREFUSED);
	longp[108] = 'a';
	longp[109] = '\0';
	setenv("NOTIFY_SOCKET", longp, 1);
	CHECK(vpnc_sd_open() == -ENAMETOOLONG);
	unsetenv("NOTIFY_SOCKET");
}

static void test_watchdog(void)
{
	char pid[32];
	uint64_t usec = 7;

	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	CHECK(vpnc_sd_watchdog_usec(&usec) == 0 && usec == 7);

	setenv("WATCHDOG_USEC", "30000000", 1);
	CHECK(vpnc_sd_watchdog_usec(&usec) == 1 && usec == 30000000u);
	CHECK(vpnc_sd_watchdog_period_ms(usec) == 15000);

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	usec = 0;
	CHECK(vpnc_sd_watchdog_usec(&usec) == 1 && usec == 30000000u);

	/* Meant for another process: not ours to keep alive. */
	snprintf(pid, sizeof(pid), "%ld", (long)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	usec = 7;
	CHECK(vpnc_sd_watchdog_usec(&usec) == 0 && usec == 7);
	setenv("WATCHDOG_PID", "0", 1);
	CHECK(vpnc_sd_watchdog_usec(&usec) == -EINVAL);
	setenv("WATCHDOG_PID", "12a", 1);
	CHECK(vpnc_sd_watchdog_usec(&usec) == -EINVAL);
	unsetenv("WATCHDOG_PID");

	setenv("WATCHDOG_USEC", "0", 1);
	CHECK(vpnc_sd_watchdog_usec(&usec) == 0);
	setenv("WATCHDOG_USEC", "", 1);
	CHECK(vpnc_sd_watchdog_usec(&usec) == 0);
	setenv("WATCHDOG_USEC", "abc", 1);
	CHECK(vpnc_sd_watchdog_usec(&usec) == -EINVAL);
	setenv("WATCHDOG_USEC", "30s", 1);
	CHECK(vpnc_sd_watchdog_usec(&usec) == -EINVAL);
	setenv("WATCHDOG_USEC", "-5", 1);
	CHECK(vpnc_sd_watchdog_usec(&usec) == -EINVAL);
	setenv("WATCHDOG_USEC", " 5", 1);
	CHECK(vpnc_sd_watchdog_usec(&usec) == -EINVAL);
	setenv("WATCHDOG_USEC", "18446744073709551615", 1);
	CHECK(vpnc_sd_watchdog_usec(&usec) == 1 && usec == UINT64_MAX);
	setenv("WATCHDOG_USEC", "18446744073709551616", 1);
	CHECK(vpnc_sd_watchdog_usec(&usec) == -EINVAL);
	setenv("WATCHDOG_USEC", "99999999999999999999999", 1);
	CHECK(vpnc_sd_watchdog_usec(&usec) == -EINVAL);
	unsetenv("WATCHDOG_USEC");

	CHECK(vpnc_sd_watchdog_period_ms(1) == 1);
	CHECK(vpnc_sd_watchdog_period_ms(3999) == 1);
	CHECK(vpnc_sd_watchdog_period_ms(4000) == 2);
	CHECK(vpnc_sd_watchdog_period_ms(0) == 1);
}

int main(void)
{
	test_unset();
	test_path();
	test_abstract();
	test_bad_values();
	test_watchdog();
	printf("test_sdnotify: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
