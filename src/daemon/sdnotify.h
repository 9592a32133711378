/*
 * sdnotify.h: the systemd readiness protocol (sd_notify), spoken directly.
 *
 * systemd passes a Unix datagram socket in $NOTIFY_SOCKET (a path, or an
 * abstract name written with a leading '@'); a service reports its state by
 * sending "KEY=VALUE" lines to it, one datagram per message. No libsystemd is
 * needed. vpnc_sd_open() creates one socket and connects it to that address,
 * so later sends still work after a chroot or a change of user. When
 * $NOTIFY_SOCKET is unset (not run by systemd, or Type= is not notify), every
 * call is a no-op that returns 0.
 *
 * Ownership: the module keeps one file descriptor, created by vpnc_sd_open()
 * and closed by vpnc_sd_close(); it is close-on-exec, so scripts never
 * inherit it. Strings passed in are only read during the call. Not thread
 * safe; the daemon calls it from the loop thread only.
 *
 * Return values: 1 when a message was sent, 0 when there is no notify
 * socket, or a negative errno code.
 */
#ifndef VPNC_DAEMON_SDNOTIFY_H
#define VPNC_DAEMON_SDNOTIFY_H

#include <stdbool.h>
#include <stdint.h>

/* Longest datagram vpnc builds (STATUS= text is cut to fit). */
#define VPNC_SD_MSG_MAX 512

/*
 * Reads $NOTIFY_SOCKET and connects a datagram socket to it. Returns 1 when
 * connected, 0 when the variable is unset or empty, -EINVAL when it is not an
 * absolute path or '@' name, -ENAMETOOLONG when it does not fit a sockaddr_un,
 * -EAFNOSUPPORT for other schemes (vsock:), or the socket()/connect() error.
 * Calling it again closes the previous socket first.
 */
int vpnc_sd_open(void);

/* A notify socket is open. */
bool vpnc_sd_enabled(void);

/*
 * Privilege separation (src/priv/privsd.h): in the network process, right
 * after the fork. The notify socket is closed and every message goes to fd
 * (its end of a datagram socketpair; the parent passes them on) instead; a
 * $WATCHDOG_PID naming the parent is changed to this process, whose loop
 * sends the keep-alives. Takes fd. 0 or a negative errno code.
 */
int vpnc_sd_relay(int fd);

/* Closes the socket (safe when none is open). */
void vpnc_sd_close(void);

/* Sends msg verbatim as one datagram (e.g. "READY=1\nSTATUS=connected"). */
int vpnc_sd_notify(const char *msg);

/* "READY=1\nSTATUS=<status>": the tunnel is up (status may be NULL). */
int vpnc_sd_ready(const char *status);

/* "STATUS=<status>": a state change; control characters become '?'. */
int vpnc_sd_status(const char *status);

/* "RELOADING=1\nMONOTONIC_USEC=<now>\nSTATUS=<status>": a reconnect began. */
int vpnc_sd_reloading(const char *status);

/* "STOPPING=1\nSTATUS=<status>": shutting down. */
int vpnc_sd_stopping(const char *status);

/* "WATCHDOG=1": the loop is alive. */
int vpnc_sd_watchdog(void);

/*
 * Reads $WATCHDOG_USEC (and $WATCHDOG_PID, which must be this process when
 * set). Returns 1 and sets *usec when the watchdog is enabled for us, 0 when
 * it is not (unset, 0, or another PID's), -EINVAL when a value is malformed.
 */
int vpnc_sd_watchdog_usec(uint64_t *usec);

/* The keep-alive period for a watchdog timeout: half of it, in ms, at least 1. */
uint64_t vpnc_sd_watchdog_period_ms(uint64_t usec);

#endif
