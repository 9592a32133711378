/*
 * fsowner.h: the files a profile names, opened with the rights of the
 * profile's owner (docs/privileges.md, "Files a profile opens").
 *
 * A root vpnc that reads a profile another user owns (the profile file's
 * st_uid) reads the files it names (keys, certificates, auth-user-pass,
 * askpass, crl-verify, included configs) and writes its log file with that
 * user's file-system rights: vpnc_fsowner_enter() sets the file-system uid
 * and gid (setfsuid(2), setfsgid(2)) and the supplementary groups to the
 * owner's, vpnc_fsowner_leave() puts them back. The kernel drops the file
 * capabilities (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER ...) from
 * the effective set while the file-system uid is not 0, so the owner's
 * permission bits decide, as they would for `sudo -u OWNER cat FILE`. A
 * profile root owns, or one read by vpnc started as its owner, changes
 * nothing: everything it names is opened as before, as OpenVPN does.
 *
 * vpnc_fs_open() adds the symlink rule for every such file: a symbolic
 * link as the last component is followed only when root or the current
 * file-system user (the profile's owner) owns it; one another user planted
 * (in /tmp, say) is refused with -ELOOP. Each link of a chain is checked
 * the same way, at most VPNC_FS_LINKS_MAX of them. A link on procfs (where
 * /dev/fd/N leads) names an open file rather than a path: once its owner
 * passes, the kernel follows it.
 *
 * Not thread-safe (setgroups, the file-system ids): called at start-up,
 * before any thread exists. Functions return 0 (or an fd) or a negative
 * errno code.
 */
#ifndef VPNC_OS_FSOWNER_H
#define VPNC_OS_FSOWNER_H

#include <stdbool.h>
#include <sys/types.h>

#define VPNC_FS_LINKS_MAX 8
#define VPNC_FS_GROUPS_MAX 256

struct vpnc_fsowner {
	bool active;                     /* the file-system ids are the owner's */
	uid_t uid;
	gid_t gid;
	int n_saved;                     /* the process's own supplementary groups */
	gid_t saved[VPNC_FS_GROUPS_MAX];
};

/*
 * Takes the rights of uid/gid for file access, when this process is root
 * and uid is not its own effective uid (else nothing changes, o->active
 * false). The groups are the user's from the group database (getgrouplist),
 * or gid alone when the uid has no passwd entry.
 */
int vpnc_fsowner_enter(struct vpnc_fsowner *o, uid_t uid, gid_t gid);

/* Back to the process's own ids and groups (nothing if not active). */
void vpnc_fsowner_leave(struct vpnc_fsowner *o);

/*
 * open(2) of path with the symlink rule above, O_CLOEXEC and O_NOCTTY
 * added. -ELOOP: a link neither root nor the file-system user owns (or too
 * many). Never creates through a link of another user.
 */
int vpnc_fs_open(const char *path, int flags, mode_t mode);

#endif
