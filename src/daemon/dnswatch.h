/*
 * dnswatch.h: keeps the VPN-only resolv.conf in place while a plain
 * resolvconf record has it written on top (os/dns.h: Debian's resolvconf on
 * a full tunnel).
 *
 * resolvconf rewrites resolv.conf whenever a record changes (a DHCP renewal
 * of the LAN link runs "resolvconf -a" for it), which would bring the LAN's
 * servers back after the VPN's. The watch has inotify (uv_fs_event) on the
 * directory of resolv.conf and, when it is a symlink, on the directory of the
 * file it names; a change there is checked after a short pause (a writer's
 * steps settle), and the VPN-only text is written again if the file no longer
 * holds it (vpnc_dns_reassert). Bounded: at most VPNC_DNSWATCH_MAX rewrites in
 * VPNC_DNSWATCH_WINDOW_MS; one more means another program keeps writing the
 * file, and the watch gives up with a warning instead of fighting it.
 *
 * It runs in the process that applied DNS (updown.c: the one-process loop,
 * or the privileged parent under privilege separation). It must be stopped
 * before DNS is reverted, so that the original coming back is not undone.
 * The object owns a copy of the DNS settings and its libuv handles; it
 * borrows the loop and the struct vpnc_dns.
 */
#ifndef VPNC_DAEMON_DNSWATCH_H
#define VPNC_DAEMON_DNSWATCH_H

#include <uv.h>

#include "os/dns.h"

#define VPNC_DNSWATCH_MAX 5             /* rewrites ... */
#define VPNC_DNSWATCH_WINDOW_MS 60000   /* ... per this long */
#define VPNC_DNSWATCH_SETTLE_MS 200     /* pause after the last change before checking */

struct vpnc_dnswatch;

/*
 * Starts watching for d (applied with c; both checked by the caller: the
 * override is in force). gave_up(ctx) is called once if the watch stops
 * because of the limit (the other links' servers may be in use again).
 * Returns NULL after logging one sentence if the watch cannot be set up.
 */
struct vpnc_dnswatch *vpnc_dnswatch_start(uv_loop_t *uv, struct vpnc_dns *d, const struct vpnc_dns_conf *c,
                                          void (*gave_up)(void *ctx), void *ctx);

/* Stops the watch; the object is freed once libuv has closed its handles. NULL is fine. */
void vpnc_dnswatch_stop(struct vpnc_dnswatch *w);

#endif
