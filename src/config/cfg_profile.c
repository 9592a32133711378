/*
 * cfg_profile.c: which file a profile name means. The systemd unit starts
 * `vpnc --config NAME` in /etc/vpnc-client, and a profile may be saved as
 * NAME.conf (OpenVPN's convention for /etc) or NAME.ovpn (what servers such as
 * eduVPN hand out), so a name with neither suffix that is not a file itself
 * means whichever of the two exists (docs/systemd.md). Both at once is an
 * error rather than a silent pick.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cfg_internal.h"

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Returns a malloc'd "PATHSUFFIX" if that file exists, else NULL (and *err on ENOMEM). */
static char *with_suffix(const char *path, const char *suffix, int *err)
{
	size_t n = strlen(path), m = strlen(suffix);
	char *p = malloc(n + m + 1);

	if (p == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	memcpy(p, path, n);
	memcpy(p + n, suffix, m + 1);
	if (access(p, F_OK) == 0)
		return p;
	free(p);
	return NULL;
}

int vpnc_cfg_profile_path(const char *path, char **out)
{
	char *conf, *ovpn;
	int err = 0;

	*out = NULL;
	if (has_suffix(path, ".conf") || has_suffix(path, ".ovpn") || access(path, F_OK) == 0 ||
	    errno != ENOENT) {
		*out = strdup(path);
		return *out == NULL ? -ENOMEM : 0;
	}
	conf = with_suffix(path, ".conf", &err);
	ovpn = with_suffix(path, ".ovpn", &err);
	if (err < 0 || (conf != NULL && ovpn != NULL)) {
		free(conf);
		free(ovpn);
		return err < 0 ? err : -EEXIST;
	}
	*out = conf != NULL ? conf : ovpn != NULL ? ovpn : strdup(path);
	return *out == NULL ? -ENOMEM : 0;
}
