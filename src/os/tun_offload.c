/*
 * tun_offload.c: owns opening a Linux TUN device with IFF_VNET_HDR and
 * TUNSETOFFLOAD, and the fallback to a plain TUN when the kernel refuses.
 *
 * The order follows the kernel's rules: IFF_VNET_HDR can only be chosen at
 * TUNSETIFF time, so a refusal of the later steps means closing the fd
 * (which deletes the new device) and making a plain one through
 * vpnc_tun_open(). TUNSETVNETHDRSZ pins the header to the 10-byte
 * struct virtio_net_hdr. USO is tried last and its refusal is harmless.
 */
#include "os/tun_offload.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include "core/vnet.h"

#define TUN_CLONE_PATH "/dev/net/tun"

/* Debian 12's linux-libc-dev predates these (Linux 6.2). */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

#define TUN_OFFLOADS_TSO (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)
#define TUN_OFFLOADS_USO (TUN_F_USO4 | TUN_F_USO6)

/*
 * Opens the device with IFF_VNET_HDR and turns on TSO (and USO if possible).
 * *fatal tells whether a failure would also stop a plain TUN (bad name, no
 * /dev/net/tun, no permission, name taken) rather than being a refusal of
 * the offloads.
 */
static int open_vnet(const char *dev, struct vpnc_tun *tun, bool *fatal)
{
	struct ifreq ifr;
	int fd = -1, ret, hdrsz = VPNC_VNET_HDR_LEN;

	*fatal = true;
	memset(&ifr, 0, sizeof(ifr));
	ret = vpnc_tun_name_for(dev, ifr.ifr_name);
	if (ret < 0)
		goto out;
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
	fd = open(TUN_CLONE_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		*fatal = ret != -EINVAL; /* a kernel that rejects the flag itself */
		goto out;
	}
	*fatal = false;
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdrsz) < 0 ||
	    ioctl(fd, TUNSETOFFLOAD, (unsigned long)TUN_OFFLOADS_TSO) < 0) {
		ret = -errno;
		goto out;
	}
	ret = VPNC_TUN_OFF_VNET | VPNC_TUN_OFF_TSO;
	if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_OFFLOADS_TSO | TUN_OFFLOADS_USO)) == 0)
		ret |= VPNC_TUN_OFF_USO;
	ifr.ifr_name[IFNAMSIZ - 1] = '\0';
	unsigned idx = if_nametoindex(ifr.ifr_name);
	if (idx == 0) {
		ret = errno ? -errno : -ENODEV;
		goto out;
	}
	memcpy(tun->name, ifr.ifr_name, IFNAMSIZ);
	tun->ifindex = (int)idx;
	tun->fd = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

int vpnc_tun_offload_open(const char *dev, bool want_offload, struct vpnc_tun *tun)
{
	char name[IFNAMSIZ];
	bool fatal = false;
	int ret;

	tun->fd = -1;
	tun->name[0] = '\0';
	tun->ifindex = 0;
	ret = vpnc_tun_name_for(dev, name);
	if (ret < 0)
		return ret;
	if (want_offload) {
		ret = open_vnet(dev, tun, &fatal);
		if (ret >= 0 || fatal)
			return ret;
	}
	ret = vpnc_tun_open(dev, tun);
	return ret < 0 ? ret : 0;
}
