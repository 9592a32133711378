/*
 * privcli.h: the network child's side of privilege separation: one
 * blocking call per request (privmsg.h), each waiting for the parent's
 * reply of the matching type. Used at connect, reconnect and shutdown
 * only; the packet path never comes here. A reply of the wrong type or for
 * another request is -EBADMSG (the parent is broken: the child should end).
 */
#ifndef VPNC_PRIV_PRIVCLI_H
#define VPNC_PRIV_PRIVCLI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "os/os.h"
#include "priv/privmsg.h"
#include "vpnc/push.h"

/* TUN_OPEN: fills tun (fd, name, ifindex) and *offloads (VPNC_TUN_OFF_*). */
int vpnc_privc_tun_open(int sock, struct vpnc_tun *tun, int *offloads);

/*
 * NET_APPLY with the network part of push and the server in use (may be
 * NULL). Returns the parent's error (0 or negative) and sets *mtu and
 * *n_failed from its reply, *dropped (may be NULL) as
 * vpnc_priv_net_from_push() does, and *res (may be NULL) to the whole
 * checked reply (what became of DNS).
 */
int vpnc_privc_net_apply(int sock, const struct vpnc_push *push, const struct sockaddr *server, int *mtu,
                         unsigned *n_failed, unsigned *dropped, struct vpnc_priv_msg_result *res);

/* NET_UNAPPLY or REPIN: the parent's error. */
int vpnc_privc_simple(int sock, int type);

/* RESOLVE remote idx (what: enum vpnc_priv_resolve_what): fills out; returns out->err or 0. */
int vpnc_privc_resolve(int sock, unsigned idx, int what, struct vpnc_priv_msg_addrs *out);

/*
 * RELAY: remote idx's SOCKS proxy named relay (sockaddr_in or sockaddr_in6)
 * as its UDP relay. Returns the parent's answer (0: let through, or no kill
 * switch), -EADDRNOTAVAIL for an address the check refuses (not sent), or
 * another negative errno code.
 */
int vpnc_privc_relay(int sock, unsigned idx, const struct sockaddr *relay);

/* NET_GATEWAY: the gateway route-gateway dhcp learned; *n_failed: routes the kernel refused. */
int vpnc_privc_gateway(int sock, uint32_t gateway, unsigned *n_failed);

/*
 * SIGN: a private-key operation (enum vpnc_priv_sign_op) by the token the
 * parent holds. Writes the signature into out (cap bytes) and returns its
 * length, the parent's error (negative), or -EMSGSIZE when it does not fit.
 * Called from the TLS handshake; waits for the token (and a PIN the parent
 * may have to ask for).
 */
int vpnc_privc_sign(int sock, int op, const unsigned char *data, size_t len, unsigned char *out, size_t cap);

/*
 * ASK: the parent asks question id on its terminal or through
 * systemd-ask-password too (privmsg.h); returns its answer at once: 0, or
 * -ENXIO when it has neither. ASK_DONE: question id is answered or
 * withdrawn. Both return 0 or a negative errno code.
 */
int vpnc_privc_ask(int sock, unsigned id, int kind, bool echo, const char *text);
int vpnc_privc_ask_done(int sock, unsigned id);

/* MARK: the parent sets the profile's 'mark' on fd (a link socket; the child keeps its own). 0 or the error. */
int vpnc_privc_mark(int sock, int fd);

/* DOWN (enum vpnc_priv_down_why): returns how many revert steps failed, or a negative errno code. */
int vpnc_privc_down(int sock, int why);

/* tls-verify: the parent runs the script for ci; 0 = accepted, -EPERM = rejected, or another error. */
int vpnc_privc_verify(int sock, const struct vpnc_tls_cert_info *ci);

#endif
