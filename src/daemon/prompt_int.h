/*
 * prompt_int.h: what the prompt module's files share (prompt.c: the loop's
 * question and the control socket's side; prompt_tty.c, prompt_sdask.c: the
 * interactive front ends). Not an interface for anything else.
 *
 * A front end is embedded in struct vpnc_prompt. Started, it reports once
 * through prompt_fe_done() (answer in its own buffer, which prompt.c wipes);
 * stopped, it never reports again. Its libuv handles hold references on the
 * struct vpnc_prompt (prompt_ref/prompt_unref) until their close callbacks ran.
 */
#ifndef VPNC_DAEMON_PROMPT_INT_H
#define VPNC_DAEMON_PROMPT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

#include <uv.h>

#include "daemon/prompt.h"

/* Where systemd-ask-password is looked for (as OpenVPN's build records its path). */
#define VPNC_SDASK_PATH "/usr/bin/systemd-ask-password"
/* The --id prefix the password agents see (docs/prompts.md). */
#define VPNC_SDASK_ID_MAX 160

struct tty_handle;
struct prompt_tty {
	bool active;
	bool restore;              /* saved holds the terminal settings to put back */
	bool overflow;
	struct tty_handle *h;      /* the descriptor and its poll handle (freed once closed) */
	struct termios saved;
	size_t len;
	char buf[VPNC_PROMPT_MAX + 1];
};

struct sdask_run;
struct prompt_sdask {
	struct sdask_run *run;     /* the running helper (freed once its handles closed), or NULL */
};

struct vpnc_prompt {
	uv_loop_t *loop;
	int refs;                  /* the owner plus one per open handle */
	bool freed;
	bool no_sdask;
	bool have_ctl;
	unsigned allowed;          /* VPNC_PROMPT_FE_* the owner allows (vpnc_prompt_limit) */
	int parent_sock;           /* the privsep socketpair (vpnc_prompt_set_parent), or -1 */
	char instance[72];         /* at most 64 bytes (ctlpath.h) */

	/* The waiting question (id 0 = none). */
	unsigned id;
	enum vpnc_prompt_kind kind;
	bool echo;
	char text[VPNC_PROMPT_TEXT_MAX];
	unsigned fes;              /* VPNC_PROMPT_FE_* still asking */
	int fail;                  /* the first front end error, reported when none is left */
	vpnc_prompt_done_fn done;
	void *arg;
	char info[VPNC_PROMPT_INFO_MAX];

	struct prompt_tty tty;
	struct prompt_sdask sd;
};

void prompt_ref(struct vpnc_prompt *p);
void prompt_unref(struct vpnc_prompt *p);

/* A front end (VPNC_PROMPT_FE_*) has its result: status 0 and answer, or a negative errno. */
void prompt_fe_done(struct vpnc_prompt *p, unsigned fe, int status, char *answer);

/* The terminal (prompt_tty.c). */
int prompt_tty_start(struct vpnc_prompt *p);
void prompt_tty_stop(struct vpnc_prompt *p);
void prompt_tty_print(const char *line); /* a line for the user, when there is a terminal */

/* systemd-ask-password (prompt_sdask.c). */
int prompt_sdask_sync(const struct vpnc_prompt_q *q, const char *instance, char *out, size_t cap);
int prompt_sdask_start(struct vpnc_prompt *p);
void prompt_sdask_stop(struct vpnc_prompt *p);
/* Its argument vector (argv: at least 8 slots; id: VPNC_SDASK_ID_MAX bytes). */
void prompt_sdask_argv(const char *text, bool echo, enum vpnc_prompt_kind kind, const char *instance,
                       char *id, const char **argv);

#endif
