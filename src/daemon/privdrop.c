/*
 * privdrop.c: owns the one-way switch from root to the configured user and
 * group (and chroot), the capabilities kept across it, and memory locking.
 * See privdrop.h for the contract and docs/privileges.md for the reasons.
 *
 * The sequence, all in the calling thread:
 *   1. memory lock: keep MCL_FUTURE working without CAP_IPC_LOCK by raising
 *      RLIMIT_MEMLOCK while we still may, or fall back to MCL_CURRENT;
 *   2. the capability sets to keep are built in libcap-ng's state, and the
 *      bounding set is cut down to them while we still have CAP_SETPCAP;
 *   3. chroot, while we still have CAP_SYS_CHROOT;
 *   4. capng_change_id(): PR_SET_KEEPCAPS, setresgid, setgroups(0),
 *      setresuid, PR_SET_KEEPCAPS off, then the kept sets are applied;
 *   5. PR_SET_NO_NEW_PRIVS;
 *   6. a check that root cannot be had back and the sets are what we asked.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cap-ng.h>
#include <linux/capability.h>

#include "daemon/privdrop.h"

#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4 /* Linux 4.4: lock pages as they are faulted in */
#endif

/* Set once mlockall(MCL_FUTURE) succeeded, so vpnc_privdrop() keeps it working. */
static bool mlock_future;
static int mlock_flags;

static int say(char *buf, size_t len, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int say(char *buf, size_t len, int code, const char *fmt, ...)
{
	va_list ap;

	if (buf != NULL && len > 0) {
		va_start(ap, fmt);
		vsnprintf(buf, len, fmt, ap);
		va_end(ap);
	}
	return code;
}

bool vpnc_privdrop_opts_from_config(struct vpnc_privdrop_opts *o, const struct vpnc_config *cfg)
{
	memset(o, 0, sizeof(*o));
	o->uid = cfg->user[0] != '\0' ? (long long)cfg->uid : -1;
	if (cfg->group[0] != '\0')
		o->gid = (long long)cfg->gid;
	else if (cfg->user[0] != '\0')
		o->gid = (long long)cfg->user_gid; /* OpenVPN would keep gid 0 here */
	else
		o->gid = -1;
	o->user = cfg->user[0] != '\0' ? cfg->user : NULL;
	o->group = cfg->group[0] != '\0' ? cfg->group : NULL;
	o->chroot_dir = cfg->chroot_dir[0] != '\0' ? cfg->chroot_dir : NULL;
	o->no_new_privs = true;
	return o->uid >= 0 || o->gid >= 0 || o->chroot_dir != NULL;
}

int vpnc_mlock_secrets(char *note, size_t notelen)
{
	int flags = MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT;

	say(note, notelen, 0, "%s", "");
	if (mlockall(flags) == 0)
		goto locked;
	if (errno == EINVAL) {
		/* A kernel before 4.4: every mapped page is locked and populated now. */
		flags &= ~MCL_ONFAULT;
		if (mlockall(flags) == 0)
			goto locked;
	}
	return say(note, notelen, -errno,
	           "memory is not locked (%s): keys may be swapped out; give vpnc CAP_IPC_LOCK "
	           "or a larger RLIMIT_MEMLOCK (LimitMEMLOCK= under systemd)", strerror(errno));
locked:
	mlock_future = true;
	mlock_flags = flags;
	return 0;
}

/*
 * With MCL_FUTURE on, every later mapping (malloc arenas, thread stacks)
 * counts against RLIMIT_MEMLOCK, and after the drop there is no
 * CAP_IPC_LOCK to exceed it: the first big allocation would fail. So the
 * limit is raised to infinity while CAP_SYS_RESOURCE is still ours (or the
 * soft limit alone, when the hard one is already infinite, as systemd's
 * LimitMEMLOCK=infinity sets it); if neither is allowed, future locking is
 * turned off, what is locked stays locked, and the note says so.
 */
static void mlock_before_drop(char *note, size_t notelen)
{
	struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
	int e;

	if (!mlock_future)
		return;
	if (setrlimit(RLIMIT_MEMLOCK, &rl) == 0)
		return;
	e = errno;
	/* Without CAP_SYS_RESOURCE the soft limit can still go up to an infinite hard limit. */
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_max == RLIM_INFINITY) {
		rl.rlim_cur = RLIM_INFINITY;
		if (setrlimit(RLIMIT_MEMLOCK, &rl) == 0)
			return;
	}
	if (mlockall(mlock_flags & ~MCL_FUTURE) == 0) {
		mlock_future = false;
		say(note, notelen, 0, "cannot raise RLIMIT_MEMLOCK (%s): memory allocated after "
		    "dropping privileges is not locked", strerror(e));
	}
}

void vpnc_mlock_keep_after_drop(char *note, size_t notelen)
{
	note[0] = '\0';
	mlock_before_drop(note, notelen);
}

/* One sentence for a capng_change_id() failure code (libcap-ng 0.8). */
static const char *change_id_step(int rc)
{
	switch (rc) {
	case -2: return "PR_SET_KEEPCAPS";
	case -3: return "taking CAP_SETUID/CAP_SETGID";
	case -4: return "setresgid";
	case -5: return "dropping supplementary groups";
	case -6: return "setresuid";
	case -7: return "clearing PR_SET_KEEPCAPS";
	case -8: return "clearing the bounding set";
	case -9: return "applying the kept capabilities";
	default: return "preparing the capability state";
	}
}

/*
 * The kept set: CAP_NET_ADMIN always (routes and addresses on the TUN across
 * reconnects, and the kill switch's nftables rules), CAP_DAC_OVERRIDE when asked.
 */
static bool cap_wanted(const struct vpnc_privdrop_opts *o, unsigned cap)
{
	return cap == CAP_NET_ADMIN || (o->keep_dac_override && cap == CAP_DAC_OVERRIDE);
}

/* After the drop: no way back to root, and exactly the kept sets. */
static int verify(const struct vpnc_privdrop_opts *o, char *err, size_t errlen)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	int last = (int)CAP_LAST_CAP;

	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return say(err, errlen, -errno, "cannot read the process ids: %s", strerror(errno));
	if (o->uid >= 0 && (ru != (uid_t)o->uid || eu != (uid_t)o->uid || su != (uid_t)o->uid))
		return say(err, errlen, -EPERM, "the user id did not change to %lld", o->uid);
	if (o->gid >= 0 && (rg != (gid_t)o->gid || eg != (gid_t)o->gid || sg != (gid_t)o->gid))
		return say(err, errlen, -EPERM, "the group id did not change to %lld", o->gid);
	if (o->uid > 0 && (setuid(0) == 0 || seteuid(0) == 0))
		return say(err, errlen, -EPERM, "root could be regained after dropping privileges");
	if (capng_get_caps_process() < 0)
		return say(err, errlen, -EIO, "cannot read back the capabilities");
	for (int c = 0; c <= last; c++) {
		bool want = cap_wanted(o, (unsigned)c);

		if (capng_have_capability(CAPNG_EFFECTIVE, (unsigned)c) != want ||
		    capng_have_capability(CAPNG_PERMITTED, (unsigned)c) != want ||
		    capng_have_capability(CAPNG_BOUNDING_SET, (unsigned)c) != want ||
		    capng_have_capability(CAPNG_INHERITABLE, (unsigned)c) != 0)
			return say(err, errlen, -EPERM, "capability %d is %s after dropping privileges", c,
			           want ? "missing" : "still held");
	}
	return 0;
}

int vpnc_privdrop(const struct vpnc_privdrop_opts *o, char *err, size_t errlen)
{
	const char *who = o->user != NULL ? o->user : "?";
	int rc;

	say(err, errlen, 0, "%s", "");
	if (o->uid < -1 || o->gid < -1 || o->uid > (long long)(uid_t)-2 || o->gid > (long long)(gid_t)-2)
		return say(err, errlen, -EINVAL, "the user or group id is out of range");
	if (o->uid >= 0 && o->gid < 0)
		return say(err, errlen, -EINVAL, "a user needs a group to switch to");
	if (o->chroot_dir != NULL && o->chroot_dir[0] != '/')
		return say(err, errlen, -EINVAL, "the chroot directory must be an absolute path");
	if (o->uid < 0 && o->gid < 0 && o->chroot_dir == NULL)
		return 0;

	mlock_before_drop(err, errlen);

	/*
	 * The sets we keep. Every capability here is one vpnc needs after the
	 * drop; everything else goes, from the bounding set too, so neither
	 * vpnc nor a script it starts can get it back through execve.
	 *  - CAP_NET_ADMIN: rtnetlink requests on the TUN device that stays
	 *    open across reconnects: addresses, routes and the MTU when a new
	 *    session pushes a different configuration, and removing exactly
	 *    what was added on SIGTERM (vpnc_netcfg_unapply). Also setting the
	 *    link up again after a reconnect.
	 *  - CAP_DAC_OVERRIDE, only when asked (DNS "file" backend): writing
	 *    the original /etc/resolv.conf back on exit and removing the saved
	 *    copy from the root-owned run directory.
	 * Not kept: CAP_NET_RAW (vpnc uses only UDP/TCP sockets), CAP_SETUID/
	 * CAP_SETGID/CAP_SETPCAP (there is no way back by design), CAP_SYS_CHROOT,
	 * CAP_IPC_LOCK (RLIMIT_MEMLOCK is raised instead, see above),
	 * CAP_NET_BIND_SERVICE (the link socket is bound before the drop).
	 */
	capng_clear(CAPNG_SELECT_BOTH);
	rc = capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
	                  CAP_NET_ADMIN);
	if (rc == 0 && o->keep_dac_override)
		rc = capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
		                  CAP_DAC_OVERRIDE);
	if (rc != 0)
		return say(err, errlen, -EIO, "libcap-ng cannot hold the capability state");
	/*
	 * The bounding set now, while CAP_SETPCAP is ours. capng_change_id()'s
	 * CAPNG_CLEAR_BOUNDING would empty it completely, CAP_NET_ADMIN
	 * included; cutting it to the kept sets ourselves gives the
	 * documented CapBnd (the same mask as CapEff).
	 */
	if (capng_apply(CAPNG_SELECT_BOUNDS) != 0)
		return say(err, errlen, -EPERM, "cannot limit the capability bounding set "
		           "(CAP_SETPCAP is needed): %s", strerror(errno));
	/* Ambient capabilities would survive execve into scripts; there must be none. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return say(err, errlen, -errno, "cannot clear the ambient capabilities: %s",
		           strerror(errno));

	if (o->chroot_dir != NULL) {
		if (chdir(o->chroot_dir) < 0 || chroot(".") < 0 || chdir("/") < 0)
			return say(err, errlen, -errno, "chroot to %s failed: %s", o->chroot_dir,
			           strerror(errno));
	}

	/*
	 * libcap-ng sets PR_SET_KEEPCAPS, changes gid, drops the supplementary
	 * groups (CAPNG_DROP_SUPP_GRP), changes uid, clears PR_SET_KEEPCAPS and
	 * applies the kept sets. On an error part way it returns without clearing
	 * PR_SET_KEEPCAPS (capng_change_id() in libcap-ng's src/cap-ng.c), so we
	 * clear it ourselves.
	 * Unlike OpenVPN, there is no fallback to a plain setuid: without
	 * CAP_NET_ADMIN vpnc could not remove its routes on exit.
	 */
	rc = capng_change_id(o->uid >= 0 ? (int)o->uid : -1, o->gid >= 0 ? (int)o->gid : -1,
	                     CAPNG_DROP_SUPP_GRP);
	if (rc != 0) {
		int e = errno != 0 ? errno : EPERM;

		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
		return say(err, errlen, -e, "cannot switch to user %s (%lld) group %lld: %s failed: %s",
		           who, o->uid, o->gid, change_id_step(rc), strerror(e));
	}

	/*
	 * No new privileges for anything vpnc executes from now on: the down
	 * and route-up scripts run as the unprivileged user with no
	 * capabilities, and setuid programs (sudo) stay unprivileged too. The
	 * shipped systemd unit sets NoNewPrivileges=yes, so vpnc behaves the
	 * same from a shell and under systemd.
	 */
	if (o->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return say(err, errlen, -errno, "cannot set PR_SET_NO_NEW_PRIVS: %s", strerror(errno));

	return verify(o, err, errlen);
}
