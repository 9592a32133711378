/*
 * hwaddr.h: the MAC address of the interface the IPv4 default route leaves
 * by, which OpenVPN 2.6 sends as IV_HWADDR with push-peer-info.
 */
#ifndef VPNC_OS_HWADDR_H
#define VPNC_OS_HWADDR_H

#include <stddef.h>

#define VPNC_HWADDR_LEN 18 /* "aa:bb:cc:dd:ee:ff" and NUL */

/*
 * Finds the IPv4 default route (the first with the lowest metric) in
 * route_file (/proc/net/route's format) and reads its interface's address
 * from sys_dir/IFNAME/address (/sys/class/net). Writes it lowercase into out.
 * Returns 0, -ENOENT when there is no default route or no 6-byte address
 * (a tun device has none), or another negative errno code.
 */
int vpnc_os_default_hwaddr(const char *route_file, const char *sys_dir, char out[VPNC_HWADDR_LEN]);

#endif
