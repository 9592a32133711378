/*
 * test_hwaddr.c: the IV_HWADDR lookup (src/os/hwaddr.c) on made-up
 * /proc/net/route and /sys/class/net contents: the default route with the
 * lowest metric wins, a route that is not up or not a default is skipped,
 * and an interface without a 6-byte address (tun) gives -ENOENT.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os/hwaddr.h"

#include "../check.h"

static char dir[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	if (f == NULL) {
		CHECK(0);
		return;
	}
	fputs(text, f);
	fclose(f);
}

static const char *path(const char *rel)
{
	static char p[2][256];
	static int i;

	i ^= 1;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, rel);
	return p[i];
}

int main(void)
{
	char out[VPNC_HWADDR_LEN];
	static const char head[] =
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

	snprintf(dir, sizeof(dir), "/tmp/vpnct-hwaddr-%d", (int)getpid());
	CHECK(mkdir(dir, 0700) == 0);
	CHECK(mkdir(path("net"), 0700) == 0);
	CHECK(mkdir(path("net/eth0"), 0700) == 0);
	CHECK(mkdir(path("net/wlan0"), 0700) == 0);
	CHECK(mkdir(path("net/tun0"), 0700) == 0);
	put("net/eth0/address", "52:54:00:AB:cd:01\n");
	put("net/wlan0/address", "02:00:00:00:00:02\n");
	put("net/tun0/address", "\n");

	/* Two defaults: metric 600 (wlan0) loses to 100 (eth0); a host route and a down route are skipped. */
	put("route", "");
	FILE *f = fopen(path("route"), "w");
	if (f != NULL) {
		fputs(head, f);
		fputs("wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n", f);
		fputs("tun0\t00000000\t00000000\t0000\t0\t0\t0\t00000000\t0\t0\t0\n", f);
		fputs("eth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n", f);
		fputs("eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n", f);
		fclose(f);
	}
	CHECK(vpnc_os_default_hwaddr(path("route"), path("net"), out) == 0);
	CHECK(strcmp(out, "52:54:00:ab:cd:01") == 0);

	/* The default route through a tun device: no address to send. */
	put("route", "Iface\tDestination\n" "tun0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n");
	CHECK(vpnc_os_default_hwaddr(path("route"), path("net"), out) == -ENOENT && out[0] == '\0');

	/* No default route at all, and no route file. */
	put("route", head);
	CHECK(vpnc_os_default_hwaddr(path("route"), path("net"), out) == -ENOENT);
	CHECK(vpnc_os_default_hwaddr(path("missing"), path("net"), out) == -ENOENT);

	unlink(path("net/eth0/address"));
	unlink(path("net/wlan0/address"));
	unlink(path("net/tun0/address"));
	rmdir(path("net/eth0"));
	rmdir(path("net/wlan0"));
	rmdir(path("net/tun0"));
	rmdir(path("net"));
	unlink(path("route"));
	rmdir(dir);
	printf("test_hwaddr: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
