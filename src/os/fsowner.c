/*
 * fsowner.c: opening the files a profile names with the rights of its
 * owner, and the symlink rule for them (fsowner.h).
 */
#include "os/fsowner.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/magic.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/vfs.h>

int vpnc_fsowner_enter(struct vpnc_fsowner *o, uid_t uid, gid_t gid)
{
	gid_t groups[VPNC_FS_GROUPS_MAX];
	int n = VPNC_FS_GROUPS_MAX;
	struct passwd *pw;

	o->active = false;
	o->uid = uid;
	o->gid = gid;
	if (geteuid() != 0 || uid == geteuid())
		return 0;
	o->n_saved = getgroups(VPNC_FS_GROUPS_MAX, o->saved);
	if (o->n_saved < 0)
		return -errno;
	pw = getpwuid(uid);
	if (pw == NULL || getgrouplist(pw->pw_name, gid, groups, &n) < 0) {
		groups[0] = gid; /* no entry (or too many groups): the file's group alone */
		n = 1;
	}
	if (setgroups((size_t)n, groups) < 0)
		return -errno;
	(void)setfsgid(gid);
	(void)setfsuid(uid);
	/* Both calls return the previous value; asking again with an invalid id reads the current one. */
	if ((uid_t)setfsuid((uid_t)-1) != uid || (gid_t)setfsgid((gid_t)-1) != gid) {
		o->active = true;
		vpnc_fsowner_leave(o);
		return -EPERM;
	}
	o->active = true;
	return 0;
}

void vpnc_fsowner_leave(struct vpnc_fsowner *o)
{
	if (!o->active)
		return;
	(void)setfsuid(geteuid());
	(void)setfsgid(getegid());
	(void)setgroups((size_t)o->n_saved, o->saved);
	o->active = false;
}

/* Who may own a link that is followed: root, or the file-system user (the profile's owner). */
static bool link_trusted(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == (uid_t)setfsuid((uid_t)-1);
}

/* Whether path's directory is on procfs (a link there names an open file: /proc/self/fd/N). */
static bool in_procfs(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t len = slash == NULL ? 0 : slash == path ? 1 : (size_t)(slash - path);
	struct statfs sf;

	if (len == 0 || len >= sizeof(dir))
		return false;
	memcpy(dir, path, len);
	dir[len] = '\0';
	return statfs(dir, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

int vpnc_fs_open(const char *path, int flags, mode_t mode)
{
	char cur[PATH_MAX], target[PATH_MAX];

	if (snprintf(cur, sizeof(cur), "%s", path) >= (int)sizeof(cur))
		return -ENAMETOOLONG;
	for (int hops = 0; hops <= VPNC_FS_LINKS_MAX; hops++) {
		struct stat st;
		ssize_t n;
		int fd = open(cur, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode);

		int err = errno;

		if (fd >= 0)
			return fd;
		/* A link as the last component: ELOOP, or EACCES where the kernel's protected_symlinks or
		 * protected_regular speaks first (O_CREAT in a sticky directory). */
		if (err != ELOOP && err != EACCES)
			return -err;
		if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
			return -err;
		/* Follow it by hand, checking who made it. */
		if (!link_trusted(&st))
			return -ELOOP;
		/* procfs links (/dev/fd/N leads there; the NetworkManager plugin passes profiles so) name
		 * open files, not paths: the kernel follows them, once their owner has passed. */
		if (in_procfs(cur)) {
			fd = open(cur, flags | O_CLOEXEC | O_NOCTTY, mode);
			return fd >= 0 ? fd : -errno;
		}
		n = readlink(cur, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		if (target[0] != '/') {
			/* Relative to the link's own directory. */
			char *slash = strrchr(cur, '/');
			size_t dir = slash != NULL ? (size_t)(slash - cur) + 1 : 0;

			if (dir + (size_t)n >= sizeof(cur))
				return -ENAMETOOLONG;
			memmove(cur + dir, target, (size_t)n + 1);
		} else {
			memcpy(cur, target, (size_t)n + 1);
		}
	}
	return -ELOOP;
}
