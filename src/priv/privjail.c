/*
 * privjail.c: the network process's jail (privjail.h): root, ids,
 * capabilities, no_new_privs. The order matters: the root is changed while
 * CAP_SYS_ADMIN/CAP_SYS_CHROOT are still there, the bounding set is emptied
 * while CAP_SETPCAP is, the ids last (leaving uid 0 without
 * PR_SET_KEEPCAPS clears the permitted and effective sets), then checks
 * that nothing is left, then the seccomp filter. keep_user (an unprivileged
 * start) does what a process may do to itself: the given root if it holds
 * CAP_SYS_CHROOT, every capability set but the bounding one emptied, the
 * same flags, checks and filter.
 */
#include "priv/privjail.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <cap-ng.h>

int vpnc_priv_jail_user(long long conf_uid, long long conf_gid, struct vpnc_priv_jail *j, char *err,
                        size_t cap)
{
	memset(j, 0, sizeof(*j));
	j->seccomp = true;
	if (conf_uid >= 0) {
		j->uid = (uid_t)conf_uid;
		if (conf_gid >= 0) {
			j->gid = (gid_t)conf_gid;
		} else {
			struct passwd *pw = getpwuid(j->uid);

			if (pw == NULL) {
				snprintf(err, cap, "uid %lld has no passwd entry to take a group from", conf_uid);
				return -ENOENT;
			}
			j->gid = pw->pw_gid;
		}
	} else {
		struct passwd *pw = getpwnam(VPNC_PRIV_DEFAULT_USER);
		struct group *gr = NULL;

		if (pw == NULL) {
			/* Installed without its sysusers file: nobody, which the seccomp filter keeps from
			 * signalling or tracing other processes of that user (privseccomp.c). */
			j->fallback = true;
			pw = getpwnam(VPNC_PRIV_FALLBACK_USER);
			/* nogroup (Debian), else nobody's own group (Fedora names it nobody). */
			gr = conf_gid >= 0 ? NULL : getgrnam(VPNC_PRIV_FALLBACK_GROUP);
			if (pw == NULL) {
				snprintf(err, cap,
				         "there is neither a user '%s' nor '%s' for the network process: create '%s' "
				         "(sysusers), set 'user', or turn it off with 'privsep no'",
				         VPNC_PRIV_DEFAULT_USER, VPNC_PRIV_FALLBACK_USER, VPNC_PRIV_DEFAULT_USER);
				return -ENOENT;
			}
		}
		j->uid = pw->pw_uid;
		j->gid = conf_gid >= 0 ? (gid_t)conf_gid : gr != NULL ? gr->gr_gid : pw->pw_gid;
	}
	if (j->uid == 0 || j->gid == 0) {
		snprintf(err, cap, "the network process must not run as uid or gid 0");
		return -EPERM;
	}
	return 0;
}

void vpnc_priv_jail_self(const char *chroot_dir, struct vpnc_priv_jail *j)
{
	memset(j, 0, sizeof(*j));
	j->seccomp = true;
	j->keep_user = true;
	j->uid = getuid();
	j->gid = getgid();
	j->chroot_dir = chroot_dir;
}

/*
 * An empty, read-only root: a private mount namespace with a tiny tmpfs
 * mounted on /tmp (any existing directory would do; the mount is seen by
 * this process only) and entered; without mount namespaces, /var/empty.
 */
static int empty_root(char *err, size_t cap)
{
	if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
	    mount("vpnc-empty", "/tmp", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
	          "size=4k,nr_inodes=1,mode=0555") == 0 &&
	    chdir("/tmp") == 0 && chroot(".") == 0 && chdir("/") == 0)
		return 0;
	if (chdir(VPNC_PRIV_EMPTY_DIR) == 0 && chroot(".") == 0 && chdir("/") == 0)
		return 0;
	snprintf(err, cap, "cannot make an empty root (no mount namespace and no %s): %s", VPNC_PRIV_EMPTY_DIR,
	         strerror(errno));
	return -errno;
}

static int fail(char *err, size_t cap, const char *what)
{
	int e = errno ? errno : EPERM;

	snprintf(err, cap, "%s: %s", what, strerror(e));
	return -e;
}

#if !defined(__SANITIZE_ADDRESS__) && defined(__has_feature)
#if __has_feature(address_sanitizer)
#define __SANITIZE_ADDRESS__ 1 /* clang spells it this way */
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
/*
 * Sanitizer builds: LeakSanitizer's check at exit stops the world with
 * clone and ptrace, which the seccomp filter (rightly) traps. Its own hook
 * turns the check off in the jailed process only; the parent, the tests and
 * the one-process daemon keep it.
 */
static volatile int jailed;
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
	return jailed;
}
#define JAILED() (jailed = 1)
#else
#define JAILED() ((void)0)
#endif

/* The ids did not change and cannot go back to 0; no capability is left (libcap-ng reads them). */
static int check_ids_caps(const struct vpnc_priv_jail *j, bool groups, char *err, size_t cap)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;

	if (getresuid(&r, &e, &s) < 0 || r != j->uid || e != j->uid || s != j->uid || getresgid(&gr, &ge, &gs) < 0 ||
	    gr != j->gid || ge != j->gid || gs != j->gid || (groups && getgroups(0, NULL) != 0)) {
		snprintf(err, cap, "the ids did not change as asked");
		return -EPERM;
	}
	if (j->uid != 0 && setuid(0) == 0) {
		snprintf(err, cap, "setuid(0) still works");
		return -EPERM;
	}
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_get_caps_process() < 0 || capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE) {
		snprintf(err, cap, "capabilities are left");
		return -EPERM;
	}
	return 0;
}

/* The parent death signal, set after any id change (which clears it). */
static int parent_death(const struct vpnc_priv_jail *j, char *err, size_t cap)
{
	if (j->parent_death_signal != 0 &&
	    (prctl(PR_SET_PDEATHSIG, j->parent_death_signal, 0, 0, 0) < 0 || getppid() != j->parent)) {
		snprintf(err, cap, "the privileged process is gone");
		return -ESRCH;
	}
	return 0;
}

/*
 * The last steps of both jails once the ids and capabilities are set: no
 * new privileges, gone with the parent, no core dump and no ptrace by other
 * processes of the same user (the process holds keys), then the check of
 * the ids and capability sets (groups: the supplementary groups were
 * dropped too, so none may be left).
 */
static int lock_down(const struct vpnc_priv_jail *j, bool groups, char *err, size_t cap)
{
	int ret;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(err, cap, "PR_SET_NO_NEW_PRIVS");
	if ((ret = parent_death(j, err, cap)) < 0)
		return ret;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return fail(err, cap, "PR_SET_DUMPABLE");
	return check_ids_caps(j, groups, err, cap);
}

/* The seccomp filter, last: after it, only the data path's and control channel's calls. */
static int seal(const struct vpnc_priv_jail *j, char *err, size_t cap)
{
	int ret;

	JAILED();
	if (j->seccomp && (ret = vpnc_priv_seccomp_install()) < 0) {
		snprintf(err, cap, "cannot install the seccomp filter: %s", strerror(-ret));
		return ret;
	}
	return 0;
}

/*
 * keep_user (privjail.h): what an unprivileged process can do of the jail.
 * The root changes only into a given directory (CAP_SYS_CHROOT, if the
 * starter passed it on); every capability set is then emptied, which a
 * process may always do to its own.
 */
static int enter_keep_user(const struct vpnc_priv_jail *j, char *err, size_t cap)
{
	int ret;

	if (j->chroot_dir != NULL && (chdir(j->chroot_dir) < 0 || chroot(".") < 0 || chdir("/") < 0))
		return fail(err, cap, "chroot");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return fail(err, cap, "cannot clear the ambient capabilities");
	capng_clear(CAPNG_SELECT_CAPS);
	if (capng_apply(CAPNG_SELECT_CAPS) != 0) {
		snprintf(err, cap, "cannot drop the capabilities");
		return -EPERM;
	}
	if ((ret = lock_down(j, false, err, cap)) < 0)
		return ret;
	return seal(j, err, cap);
}

int vpnc_priv_jail_enter(const struct vpnc_priv_jail *j, char *err, size_t cap)
{
	int ret;

	err[0] = '\0';
	if (j->keep_user)
		return enter_keep_user(j, err, cap);
	if (j->uid == 0 || j->gid == 0) {
		snprintf(err, cap, "the network process must not run as uid or gid 0");
		return -EPERM;
	}
	if (j->chroot_dir != NULL) {
		if (chdir(j->chroot_dir) < 0 || chroot(".") < 0 || chdir("/") < 0)
			return fail(err, cap, "chroot");
	} else if ((ret = empty_root(err, cap)) < 0) {
		return ret;
	}
	/* Every capability out of the bounding set, so no execve() can ever bring one back. */
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return fail(err, cap, "cannot empty the capability bounding set");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return fail(err, cap, "cannot clear the ambient capabilities");
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return fail(err, cap, "PR_SET_KEEPCAPS");
	if (setgroups(0, NULL) < 0 || setresgid(j->gid, j->gid, j->gid) < 0)
		return fail(err, cap, "cannot switch the group");
	if (setresuid(j->uid, j->uid, j->uid) < 0)
		return fail(err, cap, "cannot switch the user");
	if ((ret = lock_down(j, true, err, cap)) < 0)
		return ret;
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) > 0) {
			snprintf(err, cap, "capability %d is left in the bounding set", c);
			return -EPERM;
		}
	return seal(j, err, cap);
}
