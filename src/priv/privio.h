/*
 * privio.h: sending and receiving the privilege separation messages
 * (privmsg.h) on the SOCK_SEQPACKET socketpair between the parent and the
 * network child, with at most one file descriptor riding along
 * (SCM_RIGHTS). Every message received is checked by vpnc_priv_check()
 * before anyone looks at it; a message too long, cut short, with an
 * unexpected or extra descriptor, or failing the check is -EBADMSG.
 *
 * Blocking calls, used at connect and disconnect time only: nothing on the
 * packet path goes through this socket. Nothing here logs.
 */
#ifndef VPNC_PRIV_PRIVIO_H
#define VPNC_PRIV_PRIVIO_H

#include <stdbool.h>
#include <stddef.h>

#include "priv/privmsg.h"

/* A SOCK_SEQPACKET socketpair, close-on-exec. sv[0] for the parent, sv[1] for the child. */
int vpnc_priv_socketpair(int sv[2]);

/* Sends one message (len bytes) and, if passfd >= 0, that descriptor. 0 or a negative errno. */
int vpnc_priv_send(int sock, const void *msg, size_t len, int passfd);

/*
 * Receives one message into m and checks it as coming from the other side
 * (from_parent: we are the child). A descriptor is accepted only with a TUN
 * message (from the parent) or a MARK one (from the child), and only when
 * fd is not NULL (*fd is -1 otherwise; a descriptor that arrives anyway is
 * closed and the message refused). Returns the
 * message type (> 0), -ECONNRESET when the other side has closed, -EBADMSG,
 * or another negative errno code. EINTR is retried.
 */
int vpnc_priv_recv(int sock, union vpnc_priv_msg *m, bool from_parent, int *fd);

#endif
