/*
 * ctlpath.c: owns the naming rule for control sockets (see ctlpath.h):
 * instance names, the per-user socket directory, and finding the only
 * running instance when none is named.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/ctlpath.h"
#include "vpnc/config.h"

#define CTL_ROOT_DIR "/run/vpnc"
#define CTL_USER_SUBDIR "/vpnc"

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '@' || c == '-';
}

int vpnc_ctl_instance_valid(const char *name)
{
	size_t len;

	if (name == NULL || name[0] == '\0' || name[0] == '.')
		return -EINVAL;
	len = strnlen(name, VPNC_CTL_INSTANCE_MAX + 1);
	if (len > VPNC_CTL_INSTANCE_MAX)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (!name_char(name[i]))
			return -EINVAL;
	return 0;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len > n && memcmp(s + len - n, suffix, n) == 0;
}

int vpnc_ctl_instance_from_config(const char *config_path, char *out, size_t cap)
{
	char name[VPNC_CTL_INSTANCE_MAX + 1];
	const char *base, *slash;
	size_t len;

	if (cap < sizeof(VPNC_CTL_DEFAULT_INSTANCE))
		return -ENOSPC;
	memcpy(out, VPNC_CTL_DEFAULT_INSTANCE, sizeof(VPNC_CTL_DEFAULT_INSTANCE));
	if (config_path == NULL)
		return 0;
	slash = strrchr(config_path, '/');
	base = slash != NULL ? slash + 1 : config_path;
	len = strlen(base);
	if (ends_with(base, len, ".conf") || ends_with(base, len, ".ovpn"))
		len -= 5;
	if (len == 0 || len >= sizeof(name) || len >= cap)
		return 0;
	memcpy(name, base, len);
	name[len] = '\0';
	if (vpnc_ctl_instance_valid(name) < 0)
		return 0;
	memcpy(out, name, len + 1);
	return 0;
}

const char *vpnc_ctl_config_path(const struct vpnc_config *conf)
{
	if (conf->path != NULL)
		return conf->path;
	return conf->cmdline_config[0] != '\0' ? conf->cmdline_config : NULL;
}

int vpnc_ctl_instance_of(const struct vpnc_config *conf, char *out, size_t cap)
{
	return vpnc_ctl_instance_from_config(vpnc_ctl_config_path(conf), out, cap);
}

int vpnc_ctl_dir(char *out, size_t cap)
{
	const char *xdg = NULL;
	int n;

	if (geteuid() != 0)
		xdg = getenv("XDG_RUNTIME_DIR");
	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(out, cap, "%s" CTL_USER_SUBDIR, xdg);
	else
		n = snprintf(out, cap, "%s", CTL_ROOT_DIR);
	return n < 0 || (size_t)n >= cap ? -ENOSPC : 0;
}

int vpnc_ctl_path(const char *instance, char *out, size_t cap)
{
	char dir[VPNC_CTL_PATH_MAX];
	int n;

	if (vpnc_ctl_instance_valid(instance) < 0)
		return -EINVAL;
	if (vpnc_ctl_dir(dir, sizeof(dir)) < 0)
		return -ENAMETOOLONG;
	if (cap > VPNC_CTL_PATH_MAX)
		cap = VPNC_CTL_PATH_MAX;
	n = snprintf(out, cap, "%s/%s" VPNC_CTL_SUFFIX, dir, instance);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/*
 * True if name is a socket vpnc could have made: a valid instance name with
 * the control suffix; the instance name goes to found.
 */
static bool ctl_sock_name(const char *name, char found[VPNC_CTL_INSTANCE_MAX + 1])
{
	size_t len = strlen(name), sl = strlen(VPNC_CTL_SUFFIX);

	if (!ends_with(name, len, VPNC_CTL_SUFFIX) || len - sl > VPNC_CTL_INSTANCE_MAX)
		return false;
	memcpy(found, name, len - sl);
	found[len - sl] = '\0';
	return vpnc_ctl_instance_valid(found) == 0;
}

/* Adds dir's instance sockets to out[*n..max); 0, or -errno of opendir. */
static int scan_dir(const char *dir, char (*out)[VPNC_CTL_PATH_MAX], size_t max, size_t *n)
{
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (dp == NULL)
		return -errno;
	/* Bounded by the directory's size and max; only names we could have made count. */
	while ((d = readdir(dp)) != NULL && *n < max) {
		char found[VPNC_CTL_INSTANCE_MAX + 1];
		int w;

		if (!ctl_sock_name(d->d_name, found))
			continue;
		w = snprintf(out[*n], VPNC_CTL_PATH_MAX, "%s/%s", dir, d->d_name);
		if (w > 0 && w < VPNC_CTL_PATH_MAX)
			(*n)++;
	}
	closedir(dp);
	return 0;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(a, b);
}

int vpnc_ctl_find_all(char (*out)[VPNC_CTL_PATH_MAX], size_t max, size_t *n)
{
	char dir[VPNC_CTL_PATH_MAX];
	int r1, r2 = -ENOENT;

	*n = 0;
	if (vpnc_ctl_dir(dir, sizeof(dir)) < 0)
		return -ENOENT;
	r1 = scan_dir(dir, out, max, n);
	/* Not root: the system's instances (vpnc-client@NAME) live in /run/vpnc. */
	if (strcmp(dir, CTL_ROOT_DIR) != 0)
		r2 = scan_dir(CTL_ROOT_DIR, out, max, n);
	if (*n > 1)
		qsort(out, *n, VPNC_CTL_PATH_MAX, cmp_path);
	if (*n == 0 && (r1 == -EACCES || r2 == -EACCES))
		return -EACCES;
	return 0;
}

int vpnc_ctl_system_path(const char *instance, char *out, size_t cap)
{
	int n;

	if (vpnc_ctl_instance_valid(instance) < 0)
		return -EINVAL;
	if (cap > VPNC_CTL_PATH_MAX)
		cap = VPNC_CTL_PATH_MAX;
	n = snprintf(out, cap, CTL_ROOT_DIR "/%s" VPNC_CTL_SUFFIX, instance);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

int vpnc_ctl_find_single(char *out, size_t cap)
{
	char dir[VPNC_CTL_PATH_MAX], found[VPNC_CTL_INSTANCE_MAX + 1];
	struct dirent *d;
	DIR *dp = NULL;
	int count = 0, ret;

	ret = vpnc_ctl_dir(dir, sizeof(dir));
	if (ret < 0)
		goto out;
	dp = opendir(dir);
	if (dp == NULL) {
		ret = -ENOENT;
		goto out;
	}
	/* Bounded by the directory's size; only names we could have made count. */
	while ((d = readdir(dp)) != NULL) {
		if (!ctl_sock_name(d->d_name, found))
			continue;
		if (++count > 1)
			break;
	}
	if (count == 0) {
		ret = -ENOENT;
		goto out;
	}
	if (count > 1) {
		ret = -EEXIST;
		goto out;
	}
	ret = vpnc_ctl_path(found, out, cap);
out:
	if (dp != NULL)
		closedir(dp);
	return ret;
}
