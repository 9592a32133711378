/*
 * cli_killswitch.c: owns `vpnc kill-switch off [--instance NAME]`, the
 * admin's way to take away the kill switch rules a vpnc left behind when it
 * was killed or ended on an error (docs/killswitch.md). It talks to the
 * kernel directly, not to a running vpnc, because the point is to work when
 * there is none. Without --instance every vpnc instance's rules go.
 *
 * Also `vpnc kill-switch on --instance NAME --dev DEV --config FILE
 * [--untrusted-config] [--allow-lan]`: installs an instance's rules for a
 * vpnc that runs without CAP_NET_ADMIN and so cannot install them itself
 * (the NetworkManager plugin, root, runs it before it starts vpnc;
 * docs/networkmanager.md, "Kill switch"). The servers are the profile's
 * remotes, names resolved now; when a remote is a name, port 53 to the
 * resolvers stays open, since the unprivileged vpnc resolves it again.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "control/cli.h"
#include "control/ctlpath.h"
#include "os/killswitch.h"
#include "vpnc/config.h"

/* Adds what vpnc connects to for remote r (it, or its proxy: vpnc_ks_target): its address,
 * or every address its name resolves to now. */
static int ks_on_remote(struct vpnc_ks_allow *a, const struct vpnc_config *c, const struct vpnc_remote *r,
                        bool *named)
{
	const char *host, *port;
	int proto = vpnc_ks_target(c, r, &host, &port);
	struct addrinfo hints = {.ai_socktype = proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM,
	                         .ai_protocol = proto};
	struct addrinfo *res = NULL;
	int ret = vpnc_ks_add_literal(a, host, port, proto);

	if (ret != -EINVAL)
		return ret < 0 ? ret : 0;
	*named = true;
	ret = getaddrinfo(host, port, &hints, &res);
	if (ret != 0) {
		fprintf(stderr, "vpnc: kill switch: cannot resolve '%s': %s.\n", host,
		        gai_strerror(ret));
		return -EHOSTUNREACH;
	}
	for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		ret = vpnc_ks_add_endpoint(a, ai->ai_addr, proto);
		if (ret < 0)
			break;
	}
	freeaddrinfo(res);
	return ret < 0 ? ret : 0;
}

static int ks_on(int argc, char **argv)
{
	const char *instance = NULL, *dev = NULL, *config = NULL;
	bool untrusted = false, lan = false, named = false;
	char err[VPNC_KS_ERR_MAX] = "", cerr[512] = "";
	char *args[2] = {"--untrusted-config", NULL};
	struct vpnc_config *c = NULL;
	struct vpnc_ks_allow *a = NULL;
	int ret, code = 1;

	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--instance") == 0 && i + 1 < argc && instance == NULL)
			instance = argv[++i];
		else if (strcmp(argv[i], "--dev") == 0 && i + 1 < argc && dev == NULL)
			dev = argv[++i];
		else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc && config == NULL)
			config = argv[++i];
		else if (strcmp(argv[i], "--untrusted-config") == 0)
			untrusted = true;
		else if (strcmp(argv[i], "--allow-lan") == 0)
			lan = true;
		else
			instance = dev = config = NULL, i = argc; /* bad usage, reported below */
	}
	if (instance == NULL || dev == NULL || config == NULL) {
		fprintf(stderr, "vpnc: usage: vpnc kill-switch on --instance NAME --dev DEV --config FILE "
		                "[--untrusted-config] [--allow-lan]\n");
		return VPNC_CLI_USAGE;
	}
	if (vpnc_ctl_instance_valid(instance) < 0) {
		fprintf(stderr, "vpnc: '%s' is not a valid instance name.\n", instance);
		return VPNC_CLI_USAGE;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL) {
		fprintf(stderr, "vpnc: out of memory\n");
		return 1;
	}
	if (vpnc_ks_set_tun(a, dev) < 0) {
		fprintf(stderr, "vpnc: the TUN device name '%s' cannot go into a firewall rule.\n", dev);
		code = VPNC_CLI_USAGE;
		goto out;
	}
	ret = vpnc_config_load(config, untrusted ? 1 : 0, args, NULL, &c, cerr, sizeof(cerr));
	if (ret < 0) {
		fprintf(stderr, "vpnc: %s\n", cerr[0] ? cerr : "cannot load the configuration");
		goto out;
	}
	if (c->n_remotes == 0) {
		fprintf(stderr, "vpnc: %s: the configuration has no 'remote'\n", config);
		goto out;
	}
	for (size_t i = 0; i < c->n_remotes; i++) {
		ret = ks_on_remote(a, c, &c->remotes[i], &named);
		if (ret == -ENOSPC) {
			fprintf(stderr, "vpnc: the kill switch holds %d server addresses at most.\n",
			        VPNC_KS_MAX_ENDPOINTS);
			goto out;
		}
		if (ret < 0)
			goto out;
	}
	a->lan = lan;
	/* vpnc resolves a name again at each (re)connect, without rights to open port 53 then. */
	if (named) {
		(void)vpnc_ks_read_resolvers(a);
		a->resolving = true;
	}
	ret = vpnc_ks_apply(instance, a, err, sizeof(err));
	if (ret == -EPERM) {
		fprintf(stderr, "vpnc: installing the kill switch needs CAP_NET_ADMIN; run it as root.\n");
		goto out;
	}
	if (ret < 0) {
		fprintf(stderr, "vpnc: %s.\n", err[0] ? err : strerror(-ret));
		goto out;
	}
	printf("Kill switch of instance %s on: tunnel %s, %zu server address(es)%s%s.\n", instance, dev,
	       a->n_ep, named ? ", port 53 to the resolvers" : "", lan ? ", local networks" : "");
	code = 0;
out:
	vpnc_config_free(c);
	free(a);
	return code;
}

int vpnc_cli_killswitch(int argc, char **argv)
{
	const char *instance = NULL;
	char err[VPNC_KS_ERR_MAX] = "";
	int ret;

	if (argc >= 3 && strcmp(argv[2], "on") == 0)
		return ks_on(argc, argv);
	if (argc < 3 || strcmp(argv[2], "off") != 0) {
		fprintf(stderr, "vpnc: usage: vpnc kill-switch off [--instance NAME]\n"
		                "       vpnc kill-switch on --instance NAME --dev DEV --config FILE "
		                "[--untrusted-config] [--allow-lan]\n");
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
