/*
 * privdrop.h: least privilege for the daemon: switching to --user/--group,
 * the optional --chroot, keeping only the capabilities vpnc still needs, and
 * locking memory so secrets are not swapped out. docs/privileges.md says what
 * is kept, why, and what no longer works after the drop.
 *
 * The daemon calls vpnc_mlock_secrets() once at start, before it reads keys,
 * and vpnc_privdrop() once, after the first session has configured the TUN
 * device (and its up and route-up scripts have run). Both are one-way: there
 * is no way back to root, so every later reconnect, route change and the
 * cleanup on exit run with CAP_NET_ADMIN alone.
 *
 * Ownership: struct vpnc_privdrop_opts is read during the call only; its
 * strings are borrowed. The module keeps one static flag (whether
 * MCL_FUTURE locking is on) and nothing else. Not thread safe: call these
 * from the main thread while no other thread runs vpnc code; capabilities
 * and ids are per thread in the kernel, and libcap-ng changes the calling
 * thread only, so the drop must come before any helper thread is started
 * (libuv's thread pool starts lazily, on the first uv_queue_work or
 * getaddrinfo request).
 */
#ifndef VPNC_DAEMON_PRIVDROP_H
#define VPNC_DAEMON_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "vpnc/config.h"

/* What to become. -1 in uid or gid means "keep the current one". */
struct vpnc_privdrop_opts {
	long long uid;
	long long gid;
	const char *user;        /* names for messages only; may be NULL */
	const char *group;
	const char *chroot_dir;  /* absolute path, or NULL for no chroot */
	/*
	 * Keep CAP_DAC_OVERRIDE as well: only when DNS was applied with the
	 * "file" backend, so /etc/resolv.conf (root-owned, 0644) can be written
	 * back and the saved copy in the run directory removed on exit.
	 */
	bool keep_dac_override;
	/*
	 * Set PR_SET_NO_NEW_PRIVS: later execve() (the down and route-up
	 * scripts) can never gain privileges through setuid or file
	 * capabilities. On by default (vpnc_privdrop_opts_from_config).
	 */
	bool no_new_privs;
};

/*
 * Fills o from the config: uid/gid resolved at load time, the user's
 * primary group when only 'user' was given, the chroot directory, and
 * no_new_privs = true. keep_dac_override is left false: the daemon sets it
 * when the "file" DNS backend is in use. o borrows strings from cfg.
 * Returns true when the config asks for a drop at all.
 */
bool vpnc_privdrop_opts_from_config(struct vpnc_privdrop_opts *o, const struct vpnc_config *cfg);

/*
 * Drops privileges as o says: chroot (if asked), then the new gid and uid
 * with all supplementary groups dropped, keeping CAP_NET_ADMIN (and
 * CAP_DAC_OVERRIDE if asked) in the permitted and effective sets, nothing
 * inheritable or ambient, and the same caps alone in the bounding set.
 * Must be called as root (or with CAP_SETUID, CAP_SETGID, CAP_SETPCAP and,
 * for chroot, CAP_SYS_CHROOT). Returns 0, or a negative errno code with one
 * sentence in err. On success err is empty or holds a note to log (memory
 * allocated from now on is no longer locked). After a failure the process may be half-changed (e.g.
 * the chroot done, the uid not): the caller must exit, never carry on.
 */
int vpnc_privdrop(const struct vpnc_privdrop_opts *o, char *err, size_t errlen);

/*
 * Locks all current and future pages into memory (mlockall with
 * MCL_CURRENT | MCL_FUTURE, and MCL_ONFAULT where the kernel has it, so
 * pages are locked as they are touched rather than all at once), so keys
 * and passwords never reach swap. Needs CAP_IPC_LOCK or a large enough
 * RLIMIT_MEMLOCK (systemd: LimitMEMLOCK=; the kernel default is 8 MiB since
 * 5.16, 64 KiB before). Failure is not an error: returns 0 when locked, or a
 * negative errno code with one sentence in note for the caller to log as a
 * note and go on. See vpnc_privdrop() for what happens to the lock then.
 */
int vpnc_mlock_secrets(char *note, size_t notelen);

/*
 * The RLIMIT_MEMLOCK part of vpnc_privdrop() alone, for privilege separation
 * (both processes give up CAP_IPC_LOCK): call while CAP_SYS_RESOURCE is
 * still there. note is empty, or holds a note to log.
 */
void vpnc_mlock_keep_after_drop(char *note, size_t notelen);

/* The hexadecimal capability mask vpnc keeps, as /proc/PID/status shows it. */
#define VPNC_PRIVDROP_CAPS_NET_ADMIN 0x1000ULL /* 1 << CAP_NET_ADMIN (12) */

#endif
