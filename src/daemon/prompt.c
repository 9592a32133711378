/*
 * prompt.c: the prompt module's core (prompt.h): the loop's one waiting
 * question, offered at once to the control socket and to one interactive
 * front end (prompt_pick.c), the first answer taken and the others
 * withdrawn; what `vpnc status` shows of it and the control socket's
 * answer; the blocking form used before the loop; the kinds' names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "control/status.h"
#include "daemon/prompt_int.h"
#include "vpnc/config.h"
#include "priv/privcli.h"

/* The ASK message (priv/privmsg.h) carries what this module asks. */
_Static_assert(VPNC_PRIV_ASK_TEXT == VPNC_PROMPT_TEXT_MAX, "ask text size");
_Static_assert(VPNC_PRIV_ASK_KINDS == VPNC_PROMPT__COUNT, "ask kinds");

static const char *const kind_names[VPNC_PROMPT__COUNT] = {
	[VPNC_PROMPT_USER] = "username",
	[VPNC_PROMPT_PASS] = "password",
	[VPNC_PROMPT_KEY_PASS] = "key-passphrase",
	[VPNC_PROMPT_PIN] = "pin",
	[VPNC_PROMPT_CHALLENGE] = "challenge",
};

const char *vpnc_prompt_kind_name(enum vpnc_prompt_kind kind)
{
	return (unsigned)kind < VPNC_PROMPT__COUNT ? kind_names[kind] : "question";
}

int vpnc_prompt_cred_q(struct vpnc_prompt_q *q, enum vpnc_prompt_kind kind, const char *who,
                       const struct vpnc_config *conf, char *text, size_t cap)
{
	int n;

	*q = (struct vpnc_prompt_q){.kind = kind, .text = text, .echo = kind == VPNC_PROMPT_USER};
	if (kind == VPNC_PROMPT_USER || kind == VPNC_PROMPT_PASS) {
		n = snprintf(text, cap, "Enter %s %s:", who, kind == VPNC_PROMPT_USER ? "Username" : "Password");
	} else if (kind == VPNC_PROMPT_CHALLENGE) {
		n = snprintf(text, cap, "CHALLENGE: %s", conf->static_challenge);
		q->echo = conf->static_challenge_echo;
	} else {
		return -EINVAL;
	}
	return n >= 0 && (size_t)n < cap ? 0 : -ENOSPC;
}

/* For --id before the loop (vpnc_prompt_sync_instance); the loop's instance has its own. */
static char sync_instance[72]; /* an instance name is at most 64 bytes (ctlpath.h) */

void vpnc_prompt_sync_instance(const char *instance)
{
	snprintf(sync_instance, sizeof(sync_instance), "%s", instance != NULL ? instance : "");
}

int vpnc_prompt_sync(const struct vpnc_prompt_q *q, char *out, size_t cap)
{
	struct vpnc_prompt_env env = {0};
	unsigned fes;

	if (cap == 0)
		return -ENOSPC;
	vpnc_prompt_env_probe(&env);
	fes = vpnc_prompt_pick(&env, true);
	if (fes & VPNC_PROMPT_FE_TTY)
		return vpnc_prompt_tty_sync(q, out, cap);
	if (fes & VPNC_PROMPT_FE_SDASK)
		return prompt_sdask_sync(q, sync_instance, out, cap);
	return -ENXIO;
}

/*
 * The last question id of this process. Ids go on from one prompt state to
 * the next (a question before the loop, then the loop's), so an answer or a
 * relay that still holds an old id never takes a new question for it.
 */
static unsigned prompt_last_id;

int vpnc_prompt_new(uv_loop_t *loop, const char *instance, bool no_sdask, struct vpnc_prompt **out)
{
	struct vpnc_prompt *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return -ENOMEM;
	p->loop = loop;
	p->refs = 1;
	p->no_sdask = no_sdask;
	p->allowed = VPNC_PROMPT_FE_TTY | VPNC_PROMPT_FE_SDASK | VPNC_PROMPT_FE_CTL;
	p->parent_sock = -1;
	snprintf(p->instance, sizeof(p->instance), "%s", instance != NULL ? instance : "");
	*out = p;
	return 0;
}

void prompt_ref(struct vpnc_prompt *p)
{
	p->refs++;
}

void prompt_unref(struct vpnc_prompt *p)
{
	if (--p->refs > 0)
		return;
	OPENSSL_cleanse(p, sizeof(*p));
	free(p);
}

void vpnc_prompt_set_ctl(struct vpnc_prompt *p, bool have_ctl)
{
	if (p != NULL)
		p->have_ctl = have_ctl;
}

void vpnc_prompt_set_parent(struct vpnc_prompt *p, int sock)
{
	if (p != NULL)
		p->parent_sock = sock;
}

void vpnc_prompt_limit(struct vpnc_prompt *p, unsigned fes)
{
	if (p != NULL)
		p->allowed = fes;
}

/* Every front end lets go; the question is gone. */
static void withdraw(struct vpnc_prompt *p)
{
	/* The parent stops asking; a failure here means it is gone or broken, which the loop's next
	 * request to it finds out (nothing to do for a question that is over). */
	if ((p->fes & VPNC_PROMPT_FE_PARENT) && p->parent_sock >= 0 && p->id != 0)
		(void)vpnc_privc_ask_done(p->parent_sock, p->id);
	prompt_tty_stop(p);
	prompt_sdask_stop(p);
	p->fes = 0;
	p->id = 0;
	p->done = NULL;
	p->arg = NULL;
}

int vpnc_prompt_ask(struct vpnc_prompt *p, const struct vpnc_prompt_q *q, vpnc_prompt_done_fn done,
                    void *arg)
{
	struct vpnc_prompt_env env = {0};
	unsigned fes;

	if (p == NULL || q == NULL || q->text == NULL || done == NULL)
		return -EINVAL;
	if (p->id != 0)
		return -EBUSY;
	/* The probe opens /dev/tty: not where neither interactive front end may be used. */
	if (p->allowed & (VPNC_PROMPT_FE_TTY | VPNC_PROMPT_FE_SDASK))
		vpnc_prompt_env_probe(&env);
	env.ctl = p->have_ctl;
	env.no_sdask = p->no_sdask;
	fes = vpnc_prompt_pick(&env, false) & p->allowed;
	/* The parent answers through the control socket: only with one. */
	bool parent = (p->allowed & VPNC_PROMPT_FE_PARENT) && p->parent_sock >= 0 && (fes & VPNC_PROMPT_FE_CTL);
	if (fes == 0)
		return -ENXIO;
	p->kind = q->kind;
	p->echo = q->echo;
	snprintf(p->text, sizeof(p->text), "%s", q->text);
	p->done = done;
	p->arg = arg;
	p->fail = 0;
	p->id = ++prompt_last_id;
	if (p->id == 0)
		p->id = prompt_last_id = 1;
	p->fes = fes;
	if ((fes & VPNC_PROMPT_FE_TTY) && prompt_tty_start(p) < 0)
		p->fes &= ~VPNC_PROMPT_FE_TTY;
	if ((fes & VPNC_PROMPT_FE_SDASK) && prompt_sdask_start(p) < 0)
		p->fes &= ~VPNC_PROMPT_FE_SDASK;
	/* -ENXIO: the parent has no terminal and no systemd-ask-password either; the control
	 * socket still asks. */
	if (parent && vpnc_privc_ask(p->parent_sock, p->id, (int)p->kind, p->echo, p->text) == 0)
		p->fes |= VPNC_PROMPT_FE_PARENT;
	if (p->fes == 0) {
		withdraw(p);
		return -ENXIO;
	}
	return 0;
}

void prompt_fe_done(struct vpnc_prompt *p, unsigned fe, int status, char *answer)
{
	vpnc_prompt_done_fn done = p->done;
	void *arg = p->arg;

	if (p->id == 0 || !(p->fes & fe))
		return;
	p->fes &= ~fe;
	if (status < 0 && status != -ENOSPC) {
		/* This front end gave up (the helper failed, input ended): the others may still answer. */
		if (p->fail == 0)
			p->fail = status;
		if (p->fes != 0)
			return;
		status = p->fail;
	}
	prompt_ref(p); /* the callback may free p */
	withdraw(p);
	done(arg, status, status == 0 ? answer : NULL);
	prompt_unref(p);
}

int vpnc_prompt_cancel(struct vpnc_prompt *p)
{
	if (p == NULL || p->id == 0)
		return -ENOENT;
	withdraw(p);
	return 0;
}

void vpnc_prompt_info(struct vpnc_prompt *p, const char *text)
{
	if (p == NULL)
		return;
	if (text == NULL) {
		p->info[0] = '\0';
		return;
	}
	snprintf(p->info, sizeof(p->info), "%s", text);
	/* Not in the network process of 'privsep yes' (vpnc_prompt_limit): no terminal there, and
	 * its seccomp filter does not let it open one; the parent logs the line anyway. */
	if (p->allowed & VPNC_PROMPT_FE_TTY)
		prompt_tty_print(p->info);
}

void vpnc_prompt_view(const struct vpnc_prompt *p, struct vpnc_prompt_view *v)
{
	memset(v, 0, sizeof(*v));
	if (p == NULL)
		return;
	if (p->info[0] != '\0')
		v->info = p->info;
	/* Only a question the control socket may answer is shown there. */
	if (p->id == 0 || !(p->fes & VPNC_PROMPT_FE_CTL))
		return;
	v->id = p->id;
	v->kind = vpnc_prompt_kind_name(p->kind);
	v->text = p->text;
	v->echo = p->echo;
}

void vpnc_prompt_snap(const struct vpnc_prompt *p, struct vpnc_status_snap *snap)
{
	struct vpnc_prompt_view v;

	vpnc_prompt_view(p, &v);
	snap->prompt_id = v.id;
	snap->prompt_kind = v.kind;
	snap->prompt_text = v.text;
	snap->prompt_echo = v.echo;
	snap->prompt_info = v.info;
}

bool vpnc_prompt_waiting(const struct vpnc_prompt *p)
{
	return p != NULL && p->id != 0;
}

int vpnc_prompt_answer(struct vpnc_prompt *p, unsigned id, const char *answer, size_t len)
{
	char buf[VPNC_PROMPT_MAX + 1];

	if (p == NULL || id == 0 || p->id != id || !(p->fes & VPNC_PROMPT_FE_CTL))
		return -ESTALE;
	if (len > VPNC_PROMPT_MAX)
		return -ENOSPC;
	memcpy(buf, answer, len);
	buf[len] = '\0';
	prompt_fe_done(p, VPNC_PROMPT_FE_CTL, 0, buf);
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

void vpnc_prompt_free(struct vpnc_prompt *p)
{
	if (p == NULL || p->freed)
		return;
	p->freed = true;
	withdraw(p);
	p->info[0] = '\0';
	prompt_unref(p);
}
