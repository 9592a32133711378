/*
 * nm-vpnc-ovpn-tun.c: owns the TUN device of a connection (a TAP device for
 * a `dev tap` profile). The plugin (root) creates it persistent and owned by
 * the system user vpnc runs as, so vpnc attaches to it by name with no
 * capability at all (the kernel lets a TUN or TAP device's owner attach), and
 * deletes it when vpnc has exited.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include "nm-vpnc-ovpn.h" /* brings <net/if.h> */

/* The kernel picks the first free number. */
#define TUN_NAME_PATTERN "vpnc-nm%d"
#define TAP_NAME_PATTERN "vpnc-nmtap%d"

static int tun_attach(const char *name, bool tap, struct ifreq *ifr)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	memset(ifr, 0, sizeof(*ifr));
	/* The flags vpnc asks for too (it adds IFF_VNET_HDR to a TUN, which may differ per attach);
	 * the kernel refuses an attach of the other type. */
	ifr->ifr_flags = (tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI;
	strncpy(ifr->ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, TUNSETIFF, ifr) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

int vpnc_nm_tun_create(uid_t uid, gid_t gid, bool tap, char name[IFNAMSIZ])
{
	struct ifreq ifr;
	int fd = tun_attach(tap ? TAP_NAME_PATTERN : TUN_NAME_PATTERN, tap, &ifr), ret = 0;

	if (fd < 0)
		return fd;
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = '\0';
	if (ioctl(fd, TUNSETOWNER, (unsigned long)uid) < 0 || ioctl(fd, TUNSETGROUP, (unsigned long)gid) < 0 ||
	    ioctl(fd, TUNSETPERSIST, 1UL) < 0)
		ret = -errno;
	close(fd); /* without TUNSETPERSIST this deletes the device again */
	return ret;
}

int vpnc_nm_tun_delete(const char *name, bool tap)
{
	struct ifreq ifr;
	int fd, ret = 0;

	if (name == NULL || name[0] == '\0')
		return 0;
	fd = tun_attach(name, tap, &ifr);
	if (fd < 0)
		return fd;
	if (ioctl(fd, TUNSETPERSIST, 0UL) < 0)
		ret = -errno;
	close(fd); /* the last file of a non-persistent device: the kernel deletes it */
	return ret;
}
