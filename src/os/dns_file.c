/*
 * dns_file.c: owns the "file" DNS backend: rewriting resolv.conf and putting
 * the original back.
 *
 * The original is copied once to <run_dir>/resolv.conf.<dev> (written to a
 * temporary name, synced, then renamed, so the copy is whole or absent). The
 * copy stays until the original has been written back, which is what makes a
 * restore after a crash possible. resolv.conf itself is rewritten in place
 * (truncate and write), not replaced by rename: it is often a symlink or a
 * bind mount (containers), and rename would break both.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os/dns.h"

#define FILE_PATH_MAX 512
#define FILE_BACKUP_PREFIX "resolv.conf."
#define FILE_OUT_MAX (VPNC_DNS_FILE_MAX + 4096) /* the original merged plus our lines */

static int backup_path(const struct vpnc_dns_paths *p, const char *ifname, bool tmp, char *out,
                       size_t cap)
{
	int n;

	if (!vpnc_dns_ifname_ok(ifname))
		return -EINVAL;
	n = snprintf(out, cap, "%s/%s%s%s", p->run_dir, tmp ? "." : "", FILE_BACKUP_PREFIX, ifname);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* Reads at most VPNC_DNS_FILE_MAX bytes of path into a new NUL-terminated buffer. */
static int read_all(const char *path, char **out)
{
	char *buf = malloc(VPNC_DNS_FILE_MAX + 1);
	size_t len = 0;
	ssize_t n;
	int fd, ret = 0;

	*out = NULL;
	if (buf == NULL)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	while (len < VPNC_DNS_FILE_MAX && (n = read(fd, buf + len, VPNC_DNS_FILE_MAX - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		len += (size_t)n;
	}
	close(fd);
	/* A NUL byte would end the text early; resolv.conf never has one. */
	if (ret == 0 && memchr(buf, '\0', len) != NULL)
		ret = -EINVAL;
out:
	if (ret < 0) {
		free(buf);
		return ret;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* Writes len bytes to fd entirely, then syncs. */
static int write_all(int fd, const char *text, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		text += n;
		len -= (size_t)n;
	}
	return fsync(fd) < 0 && errno != EINVAL ? -errno : 0;
}

/* Truncates path (following a symlink, keeping a bind mount) and writes text. */
static int write_in_place(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int ret;

	if (fd < 0)
		return -errno;
	ret = write_all(fd, text, len);
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	return ret;
}

/* Saves the original once: a temporary file, synced, renamed into place. */
static int save_original(const struct vpnc_dns_paths *p, const char *ifname, const char *final)
{
	char tmp[FILE_PATH_MAX], *orig = NULL;
	int fd = -1, ret;

	if (access(final, F_OK) == 0)
		return 0; /* a copy exists: it holds the original, never overwrite it */
	if ((ret = backup_path(p, ifname, true, tmp, sizeof(tmp))) < 0)
		return ret;
	ret = read_all(p->resolv_conf, &orig);
	if (ret == -ENOENT) {
		/* No resolv.conf: restoring writes an empty one, which means the same to the resolver. */
		orig = calloc(1, 1);
		ret = orig != NULL ? 0 : -ENOMEM;
	}
	if (ret < 0)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	ret = write_all(fd, orig, strlen(orig));
	close(fd);
	if (ret == 0 && rename(tmp, final) < 0)
		ret = -errno;
	if (ret < 0)
		(void)unlink(tmp);
out:
	free(orig);
	return ret;
}

/*
 * Writes c's text (merged with the saved original) into resolv.conf. With
 * only_if_changed, the file is read first and left alone when it already holds
 * that text: 0 then, 1 when it was written again.
 */
static int file_write(const struct vpnc_dns_paths *p, const struct vpnc_dns_conf *c, const char *final,
                      bool only_if_changed)
{
	char *orig = NULL, *text = NULL, *now = NULL;
	int ret, len;

	if ((ret = read_all(final, &orig)) < 0)
		return ret;
	text = malloc(FILE_OUT_MAX);
	if (text == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	len = vpnc_dns_format(c, orig, text, FILE_OUT_MAX);
	if (len < 0) {
		ret = len;
		goto out;
	}
	/* A file that is gone or unreadable now is written again, as one with other text. */
	if (only_if_changed && read_all(p->resolv_conf, &now) == 0 && strcmp(now, text) == 0) {
		ret = 0;
		goto out;
	}
	ret = write_in_place(p->resolv_conf, text, (size_t)len);
	if (ret == 0 && only_if_changed)
		ret = 1;
out:
	free(now);
	free(text);
	free(orig);
	return ret;
}

int vpnc_dns_file_apply(const struct vpnc_dns_paths *p, const struct vpnc_dns_conf *c)
{
	char final[FILE_PATH_MAX];
	int ret;

	if ((ret = backup_path(p, c->ifname, false, final, sizeof(final))) < 0)
		return ret;
	if (mkdir(p->run_dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if ((ret = save_original(p, c->ifname, final)) < 0)
		return ret;
	return file_write(p, c, final, false);
}

int vpnc_dns_file_reassert(const struct vpnc_dns_paths *p, const struct vpnc_dns_conf *c)
{
	char final[FILE_PATH_MAX];
	int ret;

	/* Never a new saved copy here: it would hold another program's text, or ours. */
	if ((ret = backup_path(p, c->ifname, false, final, sizeof(final))) < 0)
		return ret;
	if (access(final, F_OK) < 0)
		return -errno;
	return file_write(p, c, final, true);
}

int vpnc_dns_file_restore(const struct vpnc_dns_paths *p, const char *ifname)
{
	char final[FILE_PATH_MAX], *orig = NULL;
	int ret;

	if ((ret = backup_path(p, ifname, false, final, sizeof(final))) < 0)
		return ret;
	if ((ret = read_all(final, &orig)) < 0)
		return ret;
	ret = write_in_place(p->resolv_conf, orig, strlen(orig));
	if (ret == 0 && unlink(final) < 0)
		ret = -errno;
	free(orig);
	return ret;
}
