/*
 * privsd.h: systemd notifications from the network process, passed on by
 * the privileged parent (docs/privileges.md, docs/systemd.md). The unit's
 * NotifyAccess=main accepts only the main process's messages, so the
 * network process writes its READY=1, STATUS=, RELOADING=1, STOPPING=1 and
 * WATCHDOG=1 datagrams to a socketpair instead, and the parent sends each
 * one that passes vpnc_priv_sd_check() on to $NOTIFY_SOCKET unchanged.
 *
 * Sans-I/O: nothing here sends, receives or logs.
 */
#ifndef VPNC_PRIV_PRIVSD_H
#define VPNC_PRIV_PRIVSD_H

#include <stddef.h>

/* The longest datagram passed on (daemon/sdnotify.h builds none longer). */
#define VPNC_PRIV_SD_MAX 512

/*
 * msg/len: one datagram as received (any bytes). Accepted: 1..VPNC_PRIV_SD_MAX
 * bytes of lines KEY=VALUE joined by '\n' (no empty line, no NUL), each KEY
 * one of READY, RELOADING, STOPPING, WATCHDOG (value "1"), MONOTONIC_USEC
 * (1 to 20 digits), STATUS (no control character, possibly empty), each at most
 * once. Everything else (MAINPID=, FDSTORE=, EXTEND_TIMEOUT_USEC=, ...)
 * would let the network process steer systemd, and is refused. Returns 0
 * or -EBADMSG.
 */
int vpnc_priv_sd_check(const char *msg, size_t len);

#endif
