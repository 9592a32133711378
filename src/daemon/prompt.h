/*
 * prompt.h: the one way vpnc asks the user for something (docs/prompts.md).
 *
 * Every question vpnc has for a person -- the auth-user-pass username and
 * password, a private key's passphrase, a PKCS#11 PIN, a challenge's
 * response -- goes through this module. It has front ends, one file each:
 *
 *   prompt_tty.c      the controlling terminal (/dev/tty), when there is one
 *   prompt_sdask.c    systemd-ask-password, when there is no terminal (as
 *                     OpenVPN 2.6 does under systemd)
 *   prompt.c          the control socket's side: the waiting question is
 *                     shown by `vpnc status` and answered with `vpnc answer`
 *                     (src/control/ctlsock.c carries the request); and the
 *                     "first answer wins" bookkeeping
 *   prompt_pick.c     which front ends a question goes to (pure logic)
 *   privask.c         under 'privsep', the parent's side: it asks on the
 *                     network process's behalf (vpnc_prompt_set_parent)
 *
 * Two ways to ask:
 *
 *  - vpnc_prompt_sync(): blocking, for start-up before the libuv loop runs
 *    (the terminal, else systemd-ask-password). No control socket yet.
 *  - vpnc_prompt_ask(): asynchronous, on the loop's thread. The question is
 *    offered on the control socket (when the loop has one) and on one
 *    interactive front end (the terminal, else systemd-ask-password) at the
 *    same time; the first answer wins and the others are cancelled.
 *
 * A relay (the NetworkManager plugin) can answer through the control socket
 * like `vpnc answer` does: poll `status` for the "prompt" object, answer
 * with "answer ID TEXT" (docs/prompts.md). Nothing in vpnc knows the relay.
 *
 * Secrets: answers are handed to the callback in a buffer this module owns
 * and wipes (OPENSSL_cleanse) right after the callback returns; the caller
 * copies what it keeps. Nothing here logs an answer.
 */
#ifndef VPNC_DAEMON_PROMPT_H
#define VPNC_DAEMON_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

/* Longest answer accepted (without its NUL); longer input is refused with -ENOSPC. */
#define VPNC_PROMPT_MAX 512
/* Longest question text shown (longer text is cut). */
#define VPNC_PROMPT_TEXT_MAX 320
/* Longest informational item (e.g. an AUTH_PENDING URL). */
#define VPNC_PROMPT_INFO_MAX 1024

/* What is asked: names the question in `vpnc status` and systemd-ask-password's --id. */
enum vpnc_prompt_kind {
	VPNC_PROMPT_USER = 0,     /* the auth-user-pass username (echoed) */
	VPNC_PROMPT_PASS,         /* the auth-user-pass password */
	VPNC_PROMPT_KEY_PASS,     /* a private key's or PKCS#12 file's passphrase */
	VPNC_PROMPT_PIN,          /* a PKCS#11 token's PIN */
	VPNC_PROMPT_CHALLENGE,    /* a static or dynamic (CRV1, CR_TEXT) challenge's response */
	VPNC_PROMPT__COUNT
};

/* One question. The strings are copied by vpnc_prompt_ask(); the caller may free them after. */
struct vpnc_prompt_q {
	enum vpnc_prompt_kind kind;
	const char *text;         /* the question as shown, e.g. "Enter Auth Password:" */
	bool echo;                /* show what is typed (usernames, some challenges) */
};

/*
 * The answer: status 0 and answer (NUL-terminated, wiped after the call
 * returns), or a negative errno code and answer NULL: -ENOSPC when the answer
 * was too long, -EIO when every front end failed (input ended, the helper
 * failed). Never called after vpnc_prompt_cancel() or vpnc_prompt_free().
 */
typedef void (*vpnc_prompt_done_fn)(void *arg, int status, char *answer);

/* The front ends (prompt_pick.c chooses among them). */
#define VPNC_PROMPT_FE_TTY 0x1u
#define VPNC_PROMPT_FE_SDASK 0x2u
#define VPNC_PROMPT_FE_CTL 0x4u
#define VPNC_PROMPT_FE_PARENT 0x8u /* the privileged parent of 'privsep' asks for the network process */

/* What the process has, for the choice; vpnc_prompt_env_probe() fills it from the system. */
struct vpnc_prompt_env {
	bool tty;                 /* /dev/tty can be opened */
	bool sdask;               /* the systemd-ask-password program is there */
	bool ctl;                 /* the loop has a control socket */
	bool no_sdask;            /* never spawn systemd-ask-password (--untrusted-config) */
};

/* Fills env->tty and env->sdask from the system (env->ctl and env->no_sdask are the caller's). */
void vpnc_prompt_env_probe(struct vpnc_prompt_env *env);

/*
 * The front ends a question goes to: VPNC_PROMPT_FE_* bits, 0 = none (the
 * question cannot be asked). sync: before the loop (no control socket).
 * The terminal wins over systemd-ask-password; the control socket is added.
 */
unsigned vpnc_prompt_pick(const struct vpnc_prompt_env *env, bool sync);

/*
 * Blocking: asks q and fills out (cap bytes, NUL-terminated). Returns 0,
 * -ENXIO when there is neither a terminal nor systemd-ask-password, -ENOSPC
 * when the answer does not fit, or -EIO/-EINTR when input ended. out is
 * wiped on failure.
 */
int vpnc_prompt_sync(const struct vpnc_prompt_q *q, char *out, size_t cap);

/*
 * Blocking, the controlling terminal only: vpnc_prompt_sync() without the
 * systemd-ask-password fallback, for `vpnc answer`, which runs in the user's
 * own terminal. Same returns.
 */
int vpnc_prompt_tty_sync(const struct vpnc_prompt_q *q, char *out, size_t cap);

/* The instance name vpnc_prompt_sync() gives systemd-ask-password's --id (copied; NULL = "vpnc"). */
void vpnc_prompt_sync_instance(const char *instance);

/* The asynchronous side: one per loop. */
struct vpnc_prompt;

/*
 * Makes the loop's prompt state. instance names the systemd-ask-password
 * --id ("vpnc:INSTANCE:KIND"); no_sdask: never spawn it. Returns 0 or a
 * negative errno code.
 */
int vpnc_prompt_new(uv_loop_t *loop, const char *instance, bool no_sdask, struct vpnc_prompt **out);

/* The loop has a control socket (questions are then also offered there). */
void vpnc_prompt_set_ctl(struct vpnc_prompt *p, bool have_ctl);

/*
 * Limits the front ends to fes (VPNC_PROMPT_FE_* bits; default all). With
 * neither the terminal nor systemd-ask-password allowed nothing is probed:
 * the network process of 'privsep yes' (no terminal, no new processes in its
 * jail) asks on the control socket only.
 */
void vpnc_prompt_limit(struct vpnc_prompt *p, unsigned fes);

/*
 * Privilege separation: the network process (limited to
 * VPNC_PROMPT_FE_CTL | VPNC_PROMPT_FE_PARENT) offers each question to the
 * privileged parent too (sock: its end of the socketpair; -1 = none), which
 * asks on its terminal or through systemd-ask-password
 * (daemon/privask.c) and answers through the control socket, so only a
 * loop with a control socket offers it. The parent is told (ASK_DONE) when
 * the question is answered or withdrawn.
 */
void vpnc_prompt_set_parent(struct vpnc_prompt *p, int sock);

/*
 * Asks q; done(arg, ...) is called exactly once from the loop, never from
 * inside this call. One question at a time: -EBUSY while one waits. -ENXIO
 * when no front end can take it. Returns 0 or a negative errno code.
 */
int vpnc_prompt_ask(struct vpnc_prompt *p, const struct vpnc_prompt_q *q, vpnc_prompt_done_fn done,
                    void *arg);

/* Withdraws the waiting question (done is not called); 0, or -ENOENT if none waits. */
int vpnc_prompt_cancel(struct vpnc_prompt *p);

/*
 * Posts (text) or clears (NULL) the informational item `vpnc status` shows,
 * e.g. the URL of an AUTH_PENDING web sign-in; also written to the terminal
 * when there is one. Copied; cut at VPNC_PROMPT_INFO_MAX - 1 bytes.
 */
void vpnc_prompt_info(struct vpnc_prompt *p, const char *text);

/* What `vpnc status` shows of the waiting question (pointers valid until the next loop turn). */
struct vpnc_prompt_view {
	unsigned id;              /* 0 = no question waits */
	const char *kind;         /* "username", "password", ... */
	const char *text;
	bool echo;
	const char *info;         /* the informational item, NULL if none */
};
void vpnc_prompt_view(const struct vpnc_prompt *p, struct vpnc_prompt_view *v);

/* The same view into a `vpnc status` snapshot (its prompt_* fields). */
struct vpnc_status_snap;
void vpnc_prompt_snap(const struct vpnc_prompt *p, struct vpnc_status_snap *snap);

/* Whether a question waits for the user, on whichever front end. */
bool vpnc_prompt_waiting(const struct vpnc_prompt *p);

/*
 * The control socket's answer to question id (the text after "answer ID ").
 * Returns 0 when taken (the question is done), -ESTALE when id is not the
 * waiting question, -ENOSPC when too long. answer is not kept or wiped here:
 * the caller wipes its buffer.
 */
int vpnc_prompt_answer(struct vpnc_prompt *p, unsigned id, const char *answer, size_t len);

/* Withdraws what waits (done is not called) and frees p once libuv is done. NULL is fine. */
void vpnc_prompt_free(struct vpnc_prompt *p);

/* The kind's name in `vpnc status` and --id ("username", "password", "key-passphrase", ...). */
const char *vpnc_prompt_kind_name(enum vpnc_prompt_kind kind);

/* Whom a username and password are for, as OpenVPN 2.6's questions name it. */
#define VPNC_PROMPT_FOR_AUTH  "Auth"       /* auth-user-pass */
#define VPNC_PROMPT_FOR_PROXY "HTTP Proxy" /* http-proxy ... stdin */

struct vpnc_config;

/*
 * A question before the loop (a PIN, a key's passphrase; prompt_start.c):
 * with a terminal as vpnc_prompt_sync(); without one it is offered on conf's
 * control socket (for the time of the question) and, unless no_sdask,
 * through systemd-ask-password, blocking until the first answer. instance
 * names systemd-ask-password's --id. Returns 0, -ENXIO when nothing can ask,
 * -ENOSPC when the answer does not fit in cap bytes, or another negative
 * errno code; out is wiped on failure.
 */
int vpnc_prompt_start(const struct vpnc_config *conf, const char *instance, bool no_sdask,
                      const struct vpnc_prompt_q *q, char *out, size_t cap);

/*
 * One credential question, worded as OpenVPN 2.6 asks it on its console:
 * VPNC_PROMPT_USER "Enter WHO Username:" (echoed), VPNC_PROMPT_PASS "Enter
 * WHO Password:", VPNC_PROMPT_CHALLENGE "CHALLENGE: " and conf's
 * static-challenge text, echoed if conf says so (who is not used). The text
 * goes into text (cap bytes), which q then points at. Returns 0, -ENOSPC when
 * the text did not fit (it is cut), or -EINVAL for another kind.
 */
int vpnc_prompt_cred_q(struct vpnc_prompt_q *q, enum vpnc_prompt_kind kind, const char *who,
                       const struct vpnc_config *conf, char *text, size_t cap);

#endif
