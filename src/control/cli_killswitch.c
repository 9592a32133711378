/*
 * cli_killswitch.c: owns `vpnc kill-switch off [--instance NAME]`, the
 * admin's way to take away the kill switch rules a vpnc left behind when it
 * was killed or ended on an error (docs/killswitch.md). It talks to the
 * kernel directly, not to a running vpnc, because the point is to work when
 * there is none. Without --instance every vpnc instance's rules go.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control/cli.h"
#include "control/ctlpath.h"
#include "os/killswitch.h"

int vpnc_cli_killswitch(int argc, char **argv)
{
	const char *instance = NULL;
	char err[VPNC_KS_ERR_MAX] = "";
	int ret;

	if (argc < 3 || strcmp(argv[2], "off") != 0) {
		fprintf(stderr, "vpnc: usage: vpnc kill-switch off [--instance NAME]\n");
		return VPNC_CLI_USAGE;
	}
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--instance") == 0 && i + 1 < argc && instance == NULL) {
			instance = argv[++i];
		} else {
			fprintf(stderr, "vpnc: unknown or incomplete option '%s'.\nTry 'vpnc --help'.\n",
			        argv[i]);
			return VPNC_CLI_USAGE;
		}
	}
	if (instance != NULL && vpnc_ctl_instance_valid(instance) < 0) {
		fprintf(stderr, "vpnc: '%s' is not a valid instance name.\n", instance);
		return VPNC_CLI_USAGE;
	}
	ret = vpnc_ks_remove(instance, err, sizeof(err));
	if (ret == -EPERM) {
		fprintf(stderr, "vpnc: removing the kill switch needs CAP_NET_ADMIN; run it as root.\n");
		return 1;
	}
	if (ret < 0) {
		fprintf(stderr, "vpnc: %s.\n", err[0] ? err : strerror(-ret));
		return 1;
	}
	if (instance != NULL)
		printf("Kill switch of instance %s off.\n", instance);
	else
		printf("Kill switch off (all instances).\n");
	return 0;
}
