/*
 * tun_linux.c: owns the Linux TUN device: creating it through /dev/net/tun
 * (IFF_TUN | IFF_NO_PI, or IFF_TAP | IFF_NO_PI for a layer-2 'dev tap';
 * non-blocking) and closing it, which deletes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/if_tun.h>
#include <sys/syscall.h>

#include "os/os.h"

#define VPNC_TUN_CLONE_PATH "/dev/net/tun"

int vpnc_tun_name_for(const char *dev, char name[IFNAMSIZ])
{
	size_t len = dev != NULL ? strlen(dev) : 0;

	memset(name, 0, IFNAMSIZ);
	if (len == 0 || strcmp(dev, "tun") == 0) {
		memcpy(name, "tun%d", 5);
		return 0;
	}
	/* 'dev tap' lets the kernel number it, as 2.6 does. */
	if (strcmp(dev, "tap") == 0) {
		memcpy(name, "tap%d", 5);
		return 0;
	}
	if (len >= IFNAMSIZ)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)dev[i];
		if (c <= ' ' || c == '/' || c == ':' || c >= 0x7f)
			return -EINVAL;
	}
	memcpy(name, dev, len);
	return 0;
}

/* True if this process holds CAP_NET_ADMIN in its effective set (needed for TUNSETIFF). */
static bool have_net_admin(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) != 0)
		return true; /* cannot tell: let TUNSETIFF decide */
	return (data[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32))) != 0;
}

int vpnc_tun_probe(void)
{
	int fd = open(VPNC_TUN_CLONE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	return have_net_admin() ? 0 : -EPERM;
}

int vpnc_tun_open(const char *dev, struct vpnc_tun *tun)
{
	return vpnc_tun_open_type(dev, false, tun);
}

int vpnc_tun_open_type(const char *dev, bool tap, struct vpnc_tun *tun)
{
	struct ifreq ifr;
	int fd = -1, ret;

	tun->fd = -1;
	tun->name[0] = '\0';
	tun->ifindex = 0;

	memset(&ifr, 0, sizeof(ifr));
	ret = vpnc_tun_name_for(dev, ifr.ifr_name);
	if (ret < 0)
		goto out;
	ifr.ifr_flags = (short)((tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI);

	fd = open(VPNC_TUN_CLONE_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		goto out;
	}
	ifr.ifr_name[IFNAMSIZ - 1] = '\0';
	unsigned idx = if_nametoindex(ifr.ifr_name);
	if (idx == 0) {
		ret = -errno ? -errno : -ENODEV;
		goto out;
	}
	memcpy(tun->name, ifr.ifr_name, IFNAMSIZ);
	tun->ifindex = (int)idx;
	tun->fd = fd;
	fd = -1;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

void vpnc_tun_close(struct vpnc_tun *tun)
{
	if (tun->fd >= 0)
		close(tun->fd);
	tun->fd = -1;
	tun->ifindex = 0;
}
