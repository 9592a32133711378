/*
 * hwaddr.c: the default route's interface MAC address for IV_HWADDR
 * (hwaddr.h). Two small text files, read once per connection attempt.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "os/hwaddr.h"

/* The interface of the default route with the lowest metric, from /proc/net/route. */
static int default_ifname(const char *route_file, char ifname[16])
{
	char line[256], name[17];
	unsigned long dest, gw, flags, refcnt, use, metric, mask, best = ULONG_MAX;
	FILE *f = fopen(route_file, "re");

	if (f == NULL)
		return -errno;
	ifname[0] = '\0';
	/* Columns: Iface Destination Gateway Flags RefCnt Use Metric Mask ... (hex except counters). */
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%16s %lx %lx %lx %lu %lu %lu %lx", name, &dest, &gw, &flags, &refcnt,
		           &use, &metric, &mask) != 8)
			continue; /* the header line */
		if (dest != 0 || mask != 0 || !(flags & 0x1) || metric >= best || strlen(name) > 15)
			continue;
		best = metric;
		memcpy(ifname, name, strlen(name) + 1);
	}
	fclose(f);
	return ifname[0] ? 0 : -ENOENT;
}

int vpnc_os_default_hwaddr(const char *route_file, const char *sys_dir, char out[VPNC_HWADDR_LEN])
{
	char ifname[16], path[256], buf[64];
	unsigned b[6];
	FILE *f;
	int ret = default_ifname(route_file, ifname);

	out[0] = '\0';
	if (ret < 0)
		return ret;
	if (snprintf(path, sizeof(path), "%s/%s/address", sys_dir, ifname) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (f == NULL)
		return -errno;
	ret = fgets(buf, sizeof(buf), f) != NULL ? 0 : -ENOENT;
	fclose(f);
	if (ret < 0)
		return ret;
	/* Exactly six bytes: a tun device (no address) or a longer one (InfiniBand) is not sent. */
	if (strlen(buf) != 18 || buf[17] != '\n' ||
	    sscanf(buf, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -ENOENT;
	snprintf(out, VPNC_HWADDR_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
	return 0;
}
