/*
 * cfg_file.c: reading referenced files (config includes, keys, certificates,
 * auth-user-pass) with a size bound, and resolving relative paths against the
 * 'cd' directory.
 *
 * Only regular files are read, never more than VPNC_CFG_MAX_FILE bytes, and
 * opening never blocks (O_NONBLOCK), so a hostile config cannot point us at a
 * FIFO or /dev/zero. A symbolic link as the last component is followed only
 * when root or the profile's owner made it, and files are opened with the
 * owner's rights once the top-level profile is known (os/fsowner.h,
 * vpnc_cfg_owner_enter). Buffers handed out are NUL-terminated and owned by the
 * caller, who wipes them if they may hold secrets.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config/cfg_internal.h"
#include "os/fsowner.h"

int vpnc_cfg_read_file(const char *path, char **out, size_t *outlen)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, ret;

	/* A link as the last component only if root or the profile's owner made it (os/fsowner.h). */
	fd = vpnc_fs_open(path, O_RDONLY | O_NONBLOCK, 0);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = -EISDIR;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	if (st.st_size > VPNC_CFG_MAX_FILE) {
		ret = -EFBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	/* The file may change size under us; never read past what we allocated. */
	while (len < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + len, (size_t)st.st_size - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
	ret = 0;
out:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, (size_t)st.st_size + 1);
		free(buf);
	}
	close(fd);
	return ret;
}

const char *vpnc_cfg_read_why(int err)
{
	return err == -EINVAL   ? "not a regular file"
	       : err == -EFBIG ? "larger than 1 MiB"
	       : err == -ELOOP ? "a symbolic link that neither root nor the profile's owner made (not followed)"
	                       : strerror(-err);
}

int vpnc_cfg_owner_enter(struct vpnc_cfg_ctx *ctx, const char *path)
{
	struct passwd *pw;
	struct stat st;
	gid_t gid;
	int ret;

	if (ctx->owner_known)
		return 0;
	ctx->owner_known = true;
	if (stat(path, &st) < 0)
		return 0; /* it was just read; gone now: the rights stay the caller's */
	pw = getpwuid(st.st_uid);
	gid = pw != NULL ? pw->pw_gid : st.st_gid;
	ctx->cfg->owner_uid = st.st_uid;
	ctx->cfg->owner_gid = gid;
	ret = vpnc_fsowner_enter(&ctx->owner, st.st_uid, gid);
	if (ret < 0)
		return vpnc_cfg_fail(ctx, ret, "cannot take the file rights of the profile's owner (uid %u): %s",
		                     (unsigned)st.st_uid, strerror(-ret));
	return 0;
}

int vpnc_cfg_unreadable(struct vpnc_cfg_ctx *ctx, const char *opt, const char *path, int err)
{
	char safe[128];

	vpnc_cfg_sanitize(safe, sizeof(safe), path);
	if (ctx->owner.active && err == -EACCES)
		return vpnc_cfg_bad(ctx, opt, "cannot read '%s': %s (read with the rights of the profile's owner, "
		                    "uid %u)", safe, vpnc_cfg_read_why(err), (unsigned)ctx->owner.uid);
	return vpnc_cfg_bad(ctx, opt, "cannot read '%s': %s", safe, vpnc_cfg_read_why(err));
}

char *vpnc_cfg_resolve(const char *cd, const char *path)
{
	size_t a, b;
	char *r;

	if (cd == NULL || path[0] == '/')
		return strdup(path);
	a = strlen(cd);
	b = strlen(path);
	r = malloc(a + b + 2);
	if (r == NULL)
		return NULL;
	memcpy(r, cd, a);
	r[a] = '/';
	memcpy(r + a + 1, path, b + 1);
	return r;
}

void vpnc_cfg_src_clear(struct vpnc_cfg_src *s)
{
	if (s->text != NULL) {
		OPENSSL_cleanse(s->text, s->text_len);
		free(s->text);
	}
	free(s->path);
	free(s->where);
	s->text = NULL;
	s->text_len = 0;
	s->path = NULL;
	s->where = NULL;
	s->set = false;
	s->dir = -1;
}

int vpnc_cfg_src_set(struct vpnc_cfg_ctx *ctx, struct vpnc_cfg_src *s, const char *opt,
                     const char *arg)
{
	vpnc_cfg_src_clear(s);
	s->opt = opt;
	s->line = ctx->line;
	s->where = strdup(ctx->where);
	if (s->where == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	if (ctx->is_inline) {
		s->text_len = strlen(arg);
		s->text = strdup(arg);
		if (s->text == NULL)
			return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	} else {
		if (arg[0] == '\0')
			return vpnc_cfg_bad(ctx, opt, "the file name is empty");
		s->path = strdup(arg);
		if (s->path == NULL)
			return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	}
	s->set = true;
	return 0;
}

/* Reads a deferred file into s->text; messages name the line that referenced it. */
int vpnc_cfg_src_load(struct vpnc_cfg_ctx *ctx, struct vpnc_cfg_src *s)
{
	char *full, *buf = NULL;
	size_t len = 0;
	int ret;

	if (!s->set || s->path == NULL || s->text != NULL)
		return 0;
	ctx->where = s->where;
	ctx->line = s->line;
	full = vpnc_cfg_resolve(ctx->cd, s->path);
	if (full == NULL)
		return vpnc_cfg_fail(ctx, -ENOMEM, "out of memory");
	ret = vpnc_cfg_read_file(full, &buf, &len);
	free(full);
	if (ret < 0)
		return vpnc_cfg_unreadable(ctx, s->opt, s->path, ret);
	if (memchr(buf, '\0', len) != NULL) {
		OPENSSL_cleanse(buf, len);
		free(buf);
		return vpnc_cfg_bad(ctx, s->opt, "the file holds a NUL byte");
	}
	s->text = buf;
	s->text_len = len;
	return 0;
}
