/*
 * privask.h: under privilege separation, the privileged parent asks the
 * network process's questions (docs/prompts.md, docs/privileges.md).
 *
 * The network process has no terminal and its seccomp filter lets it open
 * none or start no helper, so it sends each question it asks to the parent
 * (ASK, priv/privmsg.h) as well as offering it on its control socket. The
 * parent runs the prompt module (prompt.h) on its own loop with the
 * terminal and systemd-ask-password front ends only -- the control socket
 * is the network process's -- and hands the answer it gets to the network
 * process as `vpnc answer` does: "answer ID TEXT" on the control socket,
 * which accepts root. The first answer wins there, as in one process; the
 * network process says when the question is over (ASK_DONE) and the parent
 * stops asking. Answers are wiped once written.
 */
#ifndef VPNC_DAEMON_PRIVASK_H
#define VPNC_DAEMON_PRIVASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "priv/privmsg.h"
#include "vpnc/config.h"

struct vpnc_privask;

/* The control socket's path the network process opened for conf (ctlpath.h's rule, or 'control-socket'). */
int vpnc_privask_ctl_path(const struct vpnc_config *conf, char *out, size_t cap);

/*
 * The parent's side on loop. no_sdask: never spawn systemd-ask-password
 * (--untrusted-config). conf must outlive it. 0 or a negative errno code.
 */
int vpnc_privask_new(uv_loop_t *loop, const struct vpnc_config *conf, bool no_sdask, struct vpnc_privask **out);

/*
 * A checked ASK: asks it on the terminal, else through systemd-ask-password,
 * withdrawing a question still asked for an earlier id. Returns 0, or
 * -ENXIO when there is neither (the RESULT's err).
 */
int vpnc_privask_ask(struct vpnc_privask *a, const struct vpnc_priv_msg_ask *m);

/* A checked ASK_DONE: stops asking question id (nothing if another one, or none, is asked). */
void vpnc_privask_done(struct vpnc_privask *a, uint32_t id);

/* Withdraws what is asked, closes answers on their way, frees a once libuv is done. NULL is fine. */
void vpnc_privask_free(struct vpnc_privask *a);

#endif
