/*
 * sdnotify.c: owns the connection to systemd's notify socket and the
 * messages vpnc sends on it (READY, STATUS, RELOADING, STOPPING, WATCHDOG),
 * and reading the watchdog interval systemd hands over. See sdnotify.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/sdnotify.h"

static int sd_fd = -1;

static int parse_u64(const char *s, uint64_t *out);

/* Fills *sun from $NOTIFY_SOCKET and returns the address length, 0 if unset, or -errno. */
static int sd_address(struct sockaddr_un *sun)
{
	const char *e = getenv("NOTIFY_SOCKET");
	size_t len;

	if (e == NULL || e[0] == '\0')
		return 0;
	if (e[0] != '/' && e[0] != '@')
		return strncmp(e, "vsock:", 6) == 0 ? -EAFNOSUPPORT : -EINVAL;
	len = strlen(e);
	if (len < 2)
		return -EINVAL;
	/* A path needs its NUL; an abstract name does not, and its leading '@' becomes a NUL. */
	if (len + (e[0] == '/') > sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, e, len);
	if (e[0] == '@')
		sun->sun_path[0] = '\0';
	else
		len++;
	return (int)(offsetof(struct sockaddr_un, sun_path) + len);
}

int vpnc_sd_open(void)
{
	struct sockaddr_un sun;
	int alen, fd, ret;

	vpnc_sd_close();
	alen = sd_address(&sun);
	if (alen <= 0)
		return alen;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&sun, (socklen_t)alen) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	sd_fd = fd;
	return 1;
}

bool vpnc_sd_enabled(void)
{
	return sd_fd >= 0;
}

int vpnc_sd_relay(int fd)
{
	const char *p = getenv("WATCHDOG_PID");
	uint64_t pid;
	char own[24];

	vpnc_sd_close();
	sd_fd = fd;
	/* systemd named the main process (the parent); the keep-alives now come from this one. */
	if (p != NULL && parse_u64(p, &pid) == 0 && pid == (uint64_t)getppid()) {
		snprintf(own, sizeof(own), "%llu", (unsigned long long)getpid());
		if (setenv("WATCHDOG_PID", own, 1) < 0)
			return -errno;
	}
	return 0;
}

void vpnc_sd_close(void)
{
	if (sd_fd >= 0)
		close(sd_fd);
	sd_fd = -1;
}

int vpnc_sd_notify(const char *msg)
{
	size_t len;
	ssize_t n;

	if (sd_fd < 0)
		return 0;
	len = strlen(msg);
	do
		n = send(sd_fd, msg, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 1 : -EMSGSIZE;
}

/* Appends "STATUS=<text>" to buf[used..], replacing control characters, and sends it. */
static int send_with_status(char *buf, size_t used, const char *status)
{
	static const char key[] = "STATUS=";

	if (status != NULL && used + sizeof(key) < VPNC_SD_MSG_MAX) {
		memcpy(buf + used, key, sizeof(key) - 1);
		used += sizeof(key) - 1;
		for (const char *s = status; *s != '\0' && used < VPNC_SD_MSG_MAX - 1; s++) {
			unsigned char c = (unsigned char)*s;
			buf[used++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
		}
	} else if (used > 0 && buf[used - 1] == '\n') {
		used--; /* no status: drop the separator */
	}
	buf[used] = '\0';
	return vpnc_sd_notify(buf);
}

/* Sends head ("KEY=1\n...") followed by the optional status. */
static int send_state(const char *head, const char *status)
{
	char buf[VPNC_SD_MSG_MAX];
	size_t len = strlen(head);

	if (sd_fd < 0)
		return 0;
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, head, len);
	return send_with_status(buf, len, status);
}

int vpnc_sd_ready(const char *status)
{
	return send_state("READY=1\n", status);
}

int vpnc_sd_status(const char *status)
{
	if (status == NULL)
		return -EINVAL;
	return send_state("", status);
}

int vpnc_sd_reloading(const char *status)
{
	char head[64];
	struct timespec ts;
	int n;

	if (sd_fd < 0)
		return 0;
	/* systemd uses the timestamp to match the later READY=1 to this reload. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return -errno;
	n = snprintf(head, sizeof(head), "RELOADING=1\nMONOTONIC_USEC=%llu\n",
	             (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000ULL);
	if (n < 0 || (size_t)n >= sizeof(head))
		return -EINVAL;
	return send_state(head, status);
}

int vpnc_sd_stopping(const char *status)
{
	return send_state("STOPPING=1\n", status);
}

int vpnc_sd_watchdog(void)
{
	return vpnc_sd_notify("WATCHDOG=1");
}

/* Parses a whole decimal number without sign or spaces; -EINVAL otherwise. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

int vpnc_sd_watchdog_usec(uint64_t *usec)
{
	const char *u = getenv("WATCHDOG_USEC");
	const char *p = getenv("WATCHDOG_PID");
	uint64_t v, pid;

	if (u == NULL || u[0] == '\0')
		return 0;
	if (parse_u64(u, &v) < 0)
		return -EINVAL;
	if (p != NULL && p[0] != '\0') {
		if (parse_u64(p, &pid) < 0 || pid == 0)
			return -EINVAL;
		/* The variables were meant for another process (for example our parent). */
		if (pid != (uint64_t)getpid())
			return 0;
	}
	if (v == 0)
		return 0;
	*usec = v;
	return 1;
}

uint64_t vpnc_sd_watchdog_period_ms(uint64_t usec)
{
	uint64_t ms = usec / 2000;

	return ms > 0 ? ms : 1;
}
