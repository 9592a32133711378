/*
 * dns.h: applying pushed DNS servers and domains on Linux, and undoing it.
 *
 * Four parts:
 *  - dns.c picks a backend (--dns-mode auto: systemd-resolved if it runs, else
 *    resolvconf if installed, else the file), remembers what it applied in a
 *    state file under the run directory, undoes it (vpnc_dns_revert), and
 *    undoes what a crashed vpnc left behind (vpnc_dns_recover).
 *  - dns_resolved.c talks to systemd-resolved over D-Bus (sd-bus), through a
 *    small table of bus operations so tests can replace the bus.
 *  - dns_resolvconf.c runs the resolvconf program (posix_spawn, never a
 *    shell), with the records on its standard input.
 *  - dns_file.c rewrites /etc/resolv.conf in place, keeping the original in
 *    <run_dir>/resolv.conf.<dev> until it is restored.
 *
 * Every input comes from struct vpnc_dns_conf, which vpnc_dns_conf_from_push()
 * fills from an already validated struct vpnc_push; names are checked again
 * there (charset and length) before they reach a file, a program or the bus.
 * Paths are injectable (struct vpnc_dns_paths) so the tests use a temporary
 * directory. Nothing here logs; functions return 0 (or a positive value) or a
 * negative errno code. Calls block for at most VPNC_DNS_TIMEOUT_MS each, which
 * is acceptable at connect and disconnect time but never on the data path.
 */
#ifndef VPNC_OS_DNS_H
#define VPNC_OS_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net/if.h>

#include "core/dnsname.h"
#include "vpnc/config.h"
#include "vpnc/push.h"

#define VPNC_DNS_MAX_SERVERS (2 * VPNC_MAX_DNS)
#define VPNC_DNS_DOMAIN_MAX (VPNC_DNSNAME_MAX + 1) /* a name and its NUL */
#define VPNC_DNS_TIMEOUT_MS 5000         /* one bus call or one resolvconf run */
#define VPNC_DNS_FILE_MAX (64 * 1024)    /* largest resolv.conf we read */
#define VPNC_DNS_RUN_DIR "/run/vpnc"
#define VPNC_DNS_RESOLV_CONF "/etc/resolv.conf"
#define VPNC_DNS_RESOLVCONF_SUFFIX ".vpnc" /* resolvconf record name: <dev>.vpnc */

struct vpnc_dns_server {
	int family;                      /* AF_INET or AF_INET6 */
	uint8_t addr[16];                /* network byte order; 4 bytes used for AF_INET */
};

/* What to apply for one tunnel. */
struct vpnc_dns_conf {
	char ifname[IFNAMSIZ];
	int ifindex;
	struct vpnc_dns_server servers[VPNC_DNS_MAX_SERVERS]; /* IPv4 ones first, as pushed */
	size_t n_servers;
	char domains[VPNC_MAX_DOMAINS][VPNC_DNS_DOMAIN_MAX];
	size_t n_domains;
	bool full_tunnel;                /* redirect-gateway or a pushed default route: every lookup goes to the VPN */
	/* Routing-only domains (dhcp-option DOMAIN-ROUTE, dns server resolve-domains): only
	 * systemd-resolved can send just these names to the VPN; "." becomes full_tunnel. */
	char route_domains[VPNC_MAX_DOMAINS][VPNC_DNS_DOMAIN_MAX];
	size_t n_route_domains;
	enum vpnc_dnssec dnssec;         /* of the first --dns server; UNSET = the resolver's default */
	enum vpnc_dns_transport transport;
};

/* Where things live; NULL members take the defaults above. Borrowed strings. */
struct vpnc_dns_paths {
	const char *resolv_conf;
	const char *run_dir;
	const char *resolvconf;          /* the program; NULL = /usr/sbin/resolvconf or /sbin/resolvconf */
};

/* ---- dns.c ---- */

/*
 * Fills c from push for the interface ifname/ifindex. Returns the number of
 * servers (0 means there is nothing to apply), or -EINVAL if the interface
 * name or a domain fails the charset check ([A-Za-z0-9_.-], no leading dot
 * or dash; domains: labels of 1..63 bytes).
 */
int vpnc_dns_conf_from_push(struct vpnc_dns_conf *c, const struct vpnc_push *push,
                            const char *ifname, int ifindex);

/*
 * True if push sends all traffic through the VPN: redirect-gateway, or a
 * pushed default route (0.0.0.0/0, ::/0, or both halves /1 of either family).
 */
bool vpnc_dns_push_full_tunnel(const struct vpnc_push *push);

/* True if s is an interface name safe in a file name and a resolvconf record. */
bool vpnc_dns_ifname_ok(const char *s);

/*
 * Writes resolv.conf text for c into out (cap bytes, NUL-terminated):
 * a comment line, "nameserver" lines, and a "search" line (without the
 * DOMAIN-ROUTE ones: a file has no routing domains). When orig is not
 * NULL and c is not full-tunnel, orig's nameservers and search domains follow
 * the VPN's, and its "options" lines are kept. Returns the length, or
 * -ENOSPC if out is too small.
 */
int vpnc_dns_format(const struct vpnc_dns_conf *c, const char *orig, char *out, size_t cap);

/* Bus operations systemd-resolved needs; dns_resolved.c has the sd-bus ones. */
struct vpnc_resolved_domain {
	const char *name;                /* "." with routing_only is resolved's "~." */
	bool routing_only;
};
struct vpnc_resolved_ops {
	int (*set_dns)(void *ctx, int ifindex, const struct vpnc_dns_server *s, size_t n);
	int (*set_domains)(void *ctx, int ifindex, const struct vpnc_resolved_domain *d, size_t n);
	int (*set_default_route)(void *ctx, int ifindex, bool on);
	int (*revert)(void *ctx, int ifindex);
	void (*close)(void *ctx);        /* frees ctx */
	/* A per-link string setting: method "SetLinkDNSSEC" or "SetLinkDNSOverTLS". NULL = skip. */
	int (*set_link_string)(void *ctx, int ifindex, const char *method, const char *value);
};

/* The state of one tunnel's DNS. Owns the resolved bus connection while applied. */
struct vpnc_dns {
	enum vpnc_dns_mode mode;         /* backend in use; VPNC_DNS_NONE when nothing is applied */
	/* The backend the last vpnc_dns_apply() chose (auto resolved to one), kept when it
	 * failed, so that the caller can say which one could not be used. */
	enum vpnc_dns_mode tried;
	/* On a full tunnel: only the VPN's servers are in use (resolved's "~.", the
	 * file, or an exclusive resolvconf record); false when resolvconf kept the
	 * other links' servers after them. */
	bool exclusive;
	/* resolvconf without an exclusive mode (Debian's) on a full tunnel: resolv.conf was
	 * also rewritten with the VPN's servers alone, as the file mode writes it (then
	 * exclusive is true; dns.c), or a copy of it waits to be written back. */
	bool rc_file;
	char ifname[IFNAMSIZ];
	int ifindex;
	struct vpnc_dns_paths paths;
	/* Test hooks: when test_ops is set it replaces the system bus (borrowed);
	 * when test_no_resolved is set, resolved counts as not running. */
	const struct vpnc_resolved_ops *test_ops;
	void *test_ctx;
	bool test_no_resolved;
	/*
	 * The resolved bus connection, kept from the first use to
	 * vpnc_dns_close(): resolved decides by the uid the bus daemon recorded
	 * when the connection was made, so one made before --user drops root is
	 * what lets vpnc set and revert its own link's DNS after the drop.
	 */
	const struct vpnc_resolved_ops *bus_ops;
	void *bus_ctx;
};

/* Sets d to "nothing applied"; paths may be NULL for the defaults (copied, strings borrowed). */
void vpnc_dns_init(struct vpnc_dns *d, const struct vpnc_dns_paths *paths);

/*
 * Chooses the backend for `want` (VPNC_DNS_AUTO picks one; VPNC_DNS_NONE does
 * nothing) and applies c. If d already holds settings they are reverted
 * first. Returns the backend used (a positive enum vpnc_dns_mode), 0 if there
 * was nothing to do, or a negative errno code (-ENOENT: the asked-for backend
 * is not available).
 */
int vpnc_dns_apply(struct vpnc_dns *d, enum vpnc_dns_mode want, const struct vpnc_dns_conf *c);

/*
 * Why DNS could not be applied, for a status line: "<backend>: <reason>",
 * e.g. "file: Read-only file system" (backend: d->tried; err: what
 * vpnc_dns_apply() returned). Always
 * NUL-terminated; cut to cap.
 */
#define VPNC_DNS_WHY_MAX 64
void vpnc_dns_why(const struct vpnc_dns *d, int err, char *out, size_t cap);

/* Undoes what vpnc_dns_apply() did. Returns 0 or a negative errno code; d is reset either way. */
int vpnc_dns_revert(struct vpnc_dns *d);

/*
 * While a plain resolvconf record has resolv.conf rewritten on top (d->rc_file
 * and d->exclusive): puts the VPN-only text back if resolvconf (or another
 * program) rewrote the file. c: what vpnc_dns_apply() was given. Returns 1 if
 * the file was written again, 0 if it needed nothing (or the override is not
 * in force), or a negative errno code.
 */
int vpnc_dns_reassert(struct vpnc_dns *d, const struct vpnc_dns_conf *c);

/* Closes the kept resolved bus connection (at exit, after vpnc_dns_revert). */
void vpnc_dns_close(struct vpnc_dns *d);

/*
 * Startup: undoes what a vpnc that is no longer running left in the run
 * directory (a saved resolv.conf, a resolvconf record, or both). Returns how many
 * leftovers were cleaned up, or a negative errno code.
 */
int vpnc_dns_recover(const struct vpnc_dns_paths *paths);

/* "auto", "resolved", "resolvconf", "file", "none". */
const char *vpnc_dns_mode_name(enum vpnc_dns_mode m);

/* ---- dns_resolved.c ---- */

/*
 * Connects to the system bus and checks that org.freedesktop.resolve1 has an
 * owner. Returns 0 with *ops and *ctx set (release with ops->close(ctx)),
 * -ENOENT when resolved does not run, or another negative errno code.
 */
int vpnc_resolved_open(const struct vpnc_resolved_ops **ops, void **ctx);

/*
 * The call sequence: SetLinkDNS; SetLinkDomains with the pushed domains as
 * search domains and the routing-only ones (DOMAIN-ROUTE, resolve-domains)
 * as "~name", plus "~." when full-tunnel; SetLinkDefaultRoute true when
 * full-tunnel, false when split with domains (only those go to the VPN);
 * then the dns option's dnssec (SetLinkDNSSEC yes|allow-downgrade|no) and
 * transport (SetLinkDNSOverTLS yes for DoT, no for plain; DoH is not possible)
 * of the first server, which resolved keeps per link, not per server.
 * On a failure the link is reverted. Returns 0 or a negative errno code.
 */
int vpnc_resolved_apply(const struct vpnc_resolved_ops *ops, void *ctx, const struct vpnc_dns_conf *c);

/* ---- dns_resolvconf.c ---- */

/* Finds the resolvconf program (paths->resolvconf or the usual places). 0, or -ENOENT. */
int vpnc_resolvconf_find(const struct vpnc_dns_paths *paths, char *out, size_t cap);

/*
 * What to ask resolvconf: delete the record, add it, or add it as the only
 * one in use ("-x": openresolv's exclusive interface; systemd's resolvconf
 * program makes the link the default DNS route; Debian's resolvconf has no
 * such flag and refuses the command).
 */
enum vpnc_resolvconf_op {
	VPNC_RC_DELETE,
	VPNC_RC_ADD,
	VPNC_RC_ADD_EXCLUSIVE,
};

/* argv for "resolvconf [-x] -a|-d <dev>.vpnc"; argv points into cmd. */
struct vpnc_resolvconf_cmd {
	char *argv[5];
	char prog[256];
	char flag[3];
	char record[IFNAMSIZ + sizeof(VPNC_DNS_RESOLVCONF_SUFFIX)];
};
int vpnc_resolvconf_cmd(struct vpnc_resolvconf_cmd *cmd, const char *prog, enum vpnc_resolvconf_op op,
                        const char *ifname);

/*
 * Adds this tunnel's record (records from vpnc_dns_format). On a full tunnel
 * it first asks for an exclusive record, and when the program refuses that
 * (Debian's resolvconf), adds a plain one; *exclusive says which it got.
 * (vpnc_dns_apply then also rewrites resolv.conf for a plain one: dns.c.)
 */
int vpnc_resolvconf_apply(const struct vpnc_dns_paths *paths, const struct vpnc_dns_conf *c, bool *exclusive);
int vpnc_resolvconf_revert(const struct vpnc_dns_paths *paths, const char *ifname);

/*
 * Runs argv[0] with argv, an environment holding only PATH, `input` on its
 * standard input, and output discarded; waits at most timeout_ms, then kills
 * it. Returns 0 if it exited with status 0, -ECHILD for another status,
 * -ETIMEDOUT, or a negative errno code from spawning.
 */
int vpnc_dns_spawn(char *const argv[], const char *input, size_t len, int timeout_ms);

/* ---- dns_file.c ---- */

/* Saves the original resolv.conf (once) and writes c into it in place. */
int vpnc_dns_file_apply(const struct vpnc_dns_paths *paths, const struct vpnc_dns_conf *c);
/*
 * While applied: writes c's text again if resolv.conf no longer holds it
 * (another program rewrote it). Returns 0 if it still did, 1 if it was
 * written again, -ENOENT if no original is saved (nothing applied), or
 * another negative errno code.
 */
int vpnc_dns_file_reassert(const struct vpnc_dns_paths *paths, const struct vpnc_dns_conf *c);
/* Writes the saved original back in place and removes the copy. -ENOENT if there is none. */
int vpnc_dns_file_restore(const struct vpnc_dns_paths *paths, const char *ifname);

#endif
