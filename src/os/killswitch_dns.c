/*
 * killswitch_dns.c: owns finding the resolvers the kill switch must let
 * through while the VPN server's name is resolved: the nameservers of
 * /etc/resolv.conf and, when systemd-resolved runs (resolv.conf then names
 * only its stub on 127.0.0.53, which loopback covers), the upstream servers
 * resolved itself asks, which it lists in /run/systemd/resolve/resolv.conf.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "os/killswitch.h"

#define KS_RESOLV_CONF "/etc/resolv.conf"
#define KS_RESOLVED_UPSTREAMS "/run/systemd/resolve/resolv.conf"
#define KS_RESOLV_MAX 16384 /* far more than any resolv.conf; the rest is not read */

static int read_file(const char *path, struct vpnc_ks_allow *a)
{
	char buf[KS_RESOLV_MAX + 1];
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	while (len < KS_RESOLV_MAX) {
		ssize_t n = read(fd, buf + len, KS_RESOLV_MAX - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return vpnc_ks_parse_resolvers(a, buf);
}

int vpnc_ks_read_resolvers(struct vpnc_ks_allow *a)
{
	a->n_dns = 0;
	return read_file(KS_RESOLV_CONF, a) + read_file(KS_RESOLVED_UPSTREAMS, a);
}
