/*
 * test_cfg_profile.c: a profile name with neither suffix means NAME.conf or
 * NAME.ovpn, whichever exists (src/config/cfg_profile.c), both from
 * `--config NAME` and from a bare NAME argument; both at once is a config
 * error naming them; the file read is remembered for the control socket.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cfg_internal.h"
#include "vpnc/config.h"

#include "../check.h"

static char dir[64];

static void path_of(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static int copy_file(const char *from, const char *to)
{
	char buf[4096];
	size_t n;
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	int ret = in != NULL && out != NULL ? 0 : -1;

	while (ret == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			ret = -1;
	if (in != NULL)
		fclose(in);
	if (out != NULL && fclose(out) != 0)
		ret = -1;
	return ret;
}

int main(void)
{
	char work[128], ovpn[128], conf[128], plain[128], err[512];
	char *found = NULL;
	struct vpnc_config *c = NULL;
	int ret;

	snprintf(dir, sizeof(dir), "/tmp/vpnc-cfgprofile.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	path_of(work, sizeof(work), "work");
	path_of(ovpn, sizeof(ovpn), "work.ovpn");
	path_of(conf, sizeof(conf), "work.conf");
	path_of(plain, sizeof(plain), "plain");

	/* Nothing there: the name is kept, so reading it names the missing file. */
	CHECK(vpnc_cfg_profile_path(work, &found) == 0);
	CHECK_STR(found, work);
	free(found);

	/* Only NAME.ovpn (what eduVPN hands out). */
	CHECK(copy_file("data/config/eduvpn.ovpn", ovpn) == 0);
	CHECK(vpnc_cfg_profile_path(work, &found) == 0);
	CHECK_STR(found, ovpn);
	free(found);
	/* A name with a suffix is taken as given, even when it does not exist. */
	CHECK(vpnc_cfg_profile_path(conf, &found) == 0);
	CHECK_STR(found, conf);
	free(found);

	/* `vpnc --config NAME` (the systemd unit) loads it, and the instance is NAME. */
	char *argv[] = {"--config", work};
	ret = vpnc_config_load(NULL, 2, argv, NULL, &c, err, sizeof(err));
	CHECK(ret == 0, "%s", err);
	if (c != NULL) {
		/* The control socket's instance name comes from this file's name (ctlpath.c). */
		CHECK_STR(c->cmdline_config, ovpn);
		vpnc_config_free(c);
		c = NULL;
	}
	/* `vpnc NAME`: the same. */
	ret = vpnc_config_load(work, 0, NULL, NULL, &c, err, sizeof(err));
	CHECK(ret == 0, "%s", err);
	if (c != NULL) {
		CHECK_STR(c->path, ovpn);
		vpnc_config_free(c);
		c = NULL;
	}

	/* A file named NAME itself wins: nothing is guessed then. */
	CHECK(copy_file("data/config/eduvpn.ovpn", plain) == 0);
	CHECK(vpnc_cfg_profile_path(plain, &found) == 0);
	CHECK_STR(found, plain);
	free(found);

	/* Both NAME.conf and NAME.ovpn: refused, from both entry points, naming both. */
	CHECK(copy_file("data/config/eduvpn.ovpn", conf) == 0);
	CHECK(vpnc_cfg_profile_path(work, &found) == -EEXIST);
	CHECK(found == NULL);
	ret = vpnc_config_load(NULL, 2, argv, NULL, &c, err, sizeof(err));
	CHECK(ret < 0 && c == NULL);
	CHECK(strstr(err, "work.conf") != NULL && strstr(err, "work.ovpn") != NULL, "%s", err);
	ret = vpnc_config_load(work, 0, NULL, NULL, &c, err, sizeof(err));
	CHECK(ret < 0 && c == NULL);
	CHECK(strstr(err, "work.conf") != NULL && strstr(err, "work.ovpn") != NULL, "%s", err);
	vpnc_config_free(c);

	unlink(ovpn);
	unlink(conf);
	unlink(plain);
	rmdir(dir);
	printf("test_cfg_profile: %u passed, %u failed\n", passed, failed);
	return failed != 0;
}
