/*
 * privjail.h: locking the network process in (docs/privileges.md,
 * "Privilege separation"): an empty root, the service user with no
 * supplementary groups, no capability in any set (bounding set included),
 * PR_SET_NO_NEW_PRIVS, not dumpable, and a seccomp filter (privseccomp.c)
 * that allows only what the event loop, the links, TLS and the log use.
 *
 * Called once in the freshly forked child while it is still root, after it
 * has opened what it needs from the file system (the control socket) and
 * before it sends or receives a packet. One-way; any failure is fatal for
 * the caller. Nothing here logs: a failure fills err with one sentence.
 */
#ifndef VPNC_PRIV_PRIVJAIL_H
#define VPNC_PRIV_PRIVJAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The system user the network process runs as when the profile names none
 * (contrib/systemd/vpnc-client.sysusers creates it). */
#define VPNC_PRIV_DEFAULT_USER "vpnc-client"
/* When VPNC_PRIV_DEFAULT_USER does not exist (vpnc installed without its
 * sysusers file): the network process runs as this user and group (or, with
 * no such group, the user's own). */
#define VPNC_PRIV_FALLBACK_USER "nobody"
#define VPNC_PRIV_FALLBACK_GROUP "nogroup"
/* Where the empty root comes from when no mount namespace can be made. */
#define VPNC_PRIV_EMPTY_DIR "/var/empty"

struct vpnc_priv_jail {
	uid_t uid;               /* not 0 */
	gid_t gid;               /* not 0 */
	const char *chroot_dir;  /* the profile's 'chroot', or NULL for an empty root */
	bool seccomp;            /* install the filter (off only in tests of the rest) */
	/* When not 0: the signal the process gets when its parent (pid parent) ends. Set after the
	 * uid change, which clears it (prctl(2), PR_SET_PDEATHSIG); if the parent is already gone,
	 * entering fails. */
	int parent_death_signal;
	pid_t parent;
	bool fallback;           /* VPNC_PRIV_DEFAULT_USER was missing: VPNC_PRIV_FALLBACK_USER is used */
	/*
	 * Started without the privileges to build the full jail (the NetworkManager plugin's vpnc,
	 * an unprivileged start on a persistent TUN): the process keeps its own uid and gid, enters
	 * chroot_dir only if one is given (which needs CAP_SYS_CHROOT, the one capability the plugin
	 * passes on for this) and otherwise keeps the host's root; then, as in the full jail, no
	 * capability in the permitted, effective, inheritable or ambient set, no_new_privs (so the
	 * bounding set, which needs CAP_SETPCAP to shrink, can never be used), not dumpable, and
	 * the seccomp filter. uid and gid may be the caller's own, even 0 then.
	 */
	bool keep_user;
};

/*
 * Looks up the user for the network process: the profile's uid/gid when
 * given (>= 0), else VPNC_PRIV_DEFAULT_USER and its primary group, else
 * VPNC_PRIV_FALLBACK_USER and VPNC_PRIV_FALLBACK_GROUP (j->fallback set, for
 * the caller's one log line). Returns 0, or -ENOENT (err says which user is
 * missing) or -EPERM for uid or gid 0.
 */
int vpnc_priv_jail_user(long long conf_uid, long long conf_gid, struct vpnc_priv_jail *j, char *err,
                        size_t cap);

/*
 * For keep_user: the caller's own ids, the profile's chroot (or NULL), and the
 * rest as vpnc_priv_jail_user() sets it.
 */
void vpnc_priv_jail_self(const char *chroot_dir, struct vpnc_priv_jail *j);

/* Enters the jail. Returns 0, or a negative errno code with one sentence in err. */
int vpnc_priv_jail_enter(const struct vpnc_priv_jail *j, char *err, size_t cap);

/*
 * The seccomp filter alone (privseccomp.c). A syscall outside the list
 * traps: the SIGSYS handler writes "vpnc: seccomp: syscall N is not
 * allowed" to stderr and the process exits with status 159 (128 + SIGSYS).
 */
int vpnc_priv_seccomp_install(void);

#endif
