/*
 * loop_creds.c: the auth-user-pass credentials an attempt needs, asked in
 * the loop without blocking it (prompt.h): what the profile and the
 * start-up answers leave out -- the username, the password, the
 * static-challenge response -- one question after another, each offered on
 * the control socket and the terminal or systemd-ask-password at once. The
 * static challenge's response is sent inside the password field, encoded
 * as OpenVPN does (core/scrv1.h). The answers are wiped once copied.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control/ctlpath.h"
#include "core/scrv1.h"
#include "daemon/exitcode.h"
#include "daemon/log.h"
#include "daemon/loop_int.h"
#include "daemon/sdnotify.h"

void loop_creds_start(struct loop *l)
{
	const struct vpnc_config *c = l->conf;
	char instance[VPNC_CTL_INSTANCE_MAX + 1];
	int ret;

	vpnc_ctl_instance_of(c, instance, sizeof(instance));
	ret = vpnc_prompt_new(&l->uv, instance, l->p->no_sdask, &l->prompt);
	if (ret < 0) {
		vpnc_log(VPNC_LOG_WARN, "Cannot set up asking for credentials: %s", strerror(-ret));
		l->prompt = NULL;
		return;
	}
	vpnc_prompt_set_ctl(l->prompt, l->ctl != NULL);
	/* Privilege separation: the jailed network process opens no terminal and starts no helper;
	 * the privileged parent asks there for it (daemon/privask.c) and answers on the socket. */
	if (l->p->split) {
		vpnc_prompt_limit(l->prompt, VPNC_PROMPT_FE_CTL | VPNC_PROMPT_FE_PARENT);
		vpnc_prompt_set_parent(l->prompt, l->p->priv_sock);
	}
}

void loop_creds_stop(struct loop *l)
{
	vpnc_prompt_free(l->prompt); /* a question's terminal settings are put back */
	l->prompt = NULL;
	l->asking = false;
	loop_secret_wipe((char *)&l->cr, sizeof(l->cr));
	l->cr_filled = false;
}

void loop_creds_view(void *ctx, struct vpnc_status_snap *snap)
{
	struct loop *l = ctx;

	vpnc_prompt_snap(l->prompt, snap);
}

int loop_creds_answer(void *ctx, unsigned id, const char *text, size_t len)
{
	struct loop *l = ctx;

	return vpnc_prompt_answer(l->prompt, id, text, len);
}

static void fatal(struct loop *l, const char *what, int err)
{
	if (err == -ENXIO)
		vpnc_log(VPNC_LOG_FATAL, "auth-user-pass needs the %s, and there is no terminal, no "
		         "systemd-ask-password and no control socket to ask for it.", what);
	else if (err == -ENOSPC)
		vpnc_log(VPNC_LOG_FATAL, "The %s given is longer than %d bytes.", what, VPNC_CRED_MAX - 1);
	else
		vpnc_log(VPNC_LOG_FATAL, "Asking for the %s failed: %s.", what, strerror(-err));
	loop_shutdown(l, VPNC_EXIT_CONFIG);
}

/* Everything is in: the attempt's username and password (with the static challenge's response). */
static int finish(struct loop *l)
{
	const struct vpnc_config *c = l->conf;
	int ret = 0;

	memcpy(l->user, l->cr.user, sizeof(l->user));
	if (c->static_challenge[0] != '\0')
		ret = vpnc_scrv1_encode(l->cr.pass, l->cr.resp, c->static_challenge_concat, l->pass,
		                        sizeof(l->pass));
	else
		memcpy(l->pass, l->cr.pass, sizeof(l->pass));
	loop_secret_wipe((char *)&l->cr, sizeof(l->cr));
	l->cr_filled = false;
	if (ret < 0) {
		loop_secret_wipe(l->user, sizeof(l->user));
		fatal(l, "password with the challenge response", -ENOSPC);
		return -1;
	}
	l->have_creds = true;
	return 0;
}

static void on_answer(void *arg, int status, char *answer);

/* Asks the next missing item; 1 while asking, 0 when all is in, -1 after a fatal end. */
static int ask_next(struct loop *l)
{
	const struct vpnc_config *c = l->conf;
	char text[VPNC_STATIC_CHALLENGE_MAX + 16];
	struct vpnc_prompt_q q;
	enum vpnc_prompt_kind kind;
	const char *what;
	int ret;

	if (l->cr.user[0] == '\0') {
		kind = VPNC_PROMPT_USER;
		what = "username";
	} else if (l->cr.pass[0] == '\0' && !l->cr_pass_asked) {
		kind = VPNC_PROMPT_PASS;
		what = "password";
	} else if (c->static_challenge[0] != '\0' && !l->cr.have_resp) {
		kind = VPNC_PROMPT_CHALLENGE;
		what = "challenge response";
	} else {
		return finish(l);
	}
	vpnc_prompt_cred_q(&q, kind, VPNC_PROMPT_FOR_AUTH, c, text, sizeof(text));
	/* Logged first: on a terminal the question is then the last line. */
	vpnc_log(VPNC_LOG_INFO, "Waiting for the %s (on the terminal, else through systemd-ask-password; "
	         "'vpnc status' shows the question, 'vpnc answer' answers it)", what);
	ret = l->prompt != NULL ? vpnc_prompt_ask(l->prompt, &q, on_answer, l) : -ENXIO;
	if (ret < 0) {
		fatal(l, what, ret);
		return -1;
	}
	l->asking = true;
	{ /* systemd (sdnotify.h): `systemctl status` says what it waits for. */
		char st[VPNC_SD_MSG_MAX];
		snprintf(st, sizeof(st), "waiting for the %s (vpnc answer)", what);
		(void)vpnc_sd_status(st);
	}
	return 1;
}

static void on_answer(void *arg, int status, char *answer)
{
	struct loop *l = arg;
	const char *what = l->cr.user[0] == '\0' ? "username"
	                   : l->cr.pass[0] == '\0' && !l->cr_pass_asked ? "password"
	                                                                 : "challenge response";
	char *dst;
	size_t len;

	l->asking = false;
	if (l->closing)
		return;
	if (status < 0) {
		fatal(l, what, status);
		return;
	}
	len = strlen(answer);
	if (l->cr.user[0] == '\0') {
		if (len == 0) {
			vpnc_log(VPNC_LOG_FATAL, "The auth-user-pass username is empty.");
			loop_shutdown(l, VPNC_EXIT_CONFIG);
			return;
		}
		dst = l->cr.user;
	} else if (l->cr.pass[0] == '\0' && !l->cr_pass_asked) {
		dst = l->cr.pass;
		l->cr_pass_asked = true;
	} else {
		dst = l->cr.resp;
		l->cr.have_resp = true;
	}
	if (len >= VPNC_CRED_MAX) {
		fatal(l, what, -ENOSPC);
		return;
	}
	memcpy(dst, answer, len + 1);
	if (ask_next(l) == 0)
		loop_begin_connect(l);
}

int loop_creds_ready(struct loop *l)
{
	int ret;

	if (!l->conf->auth_user_pass || l->have_creds || l->token[0] != '\0')
		return 0;
	if (l->asking)
		return 1;
	if (!l->cr_filled) {
		loop_secret_wipe((char *)&l->cr, sizeof(l->cr));
		l->cr_pass_asked = false;
		ret = l->p->get_creds != NULL ? l->p->get_creds(l->p->creds_ctx, &l->cr) : -ENOENT;
		if (ret < 0) {
			loop_secret_wipe((char *)&l->cr, sizeof(l->cr));
			vpnc_log(VPNC_LOG_FATAL, "Cannot get the auth-user-pass username and password: %s.",
			         strerror(-ret));
			loop_shutdown(l, VPNC_EXIT_CONFIG);
			return -1;
		}
		l->cr_filled = true;
		l->cr_pass_asked = l->cr.pass_asked;
	}
	return ask_next(l);
}
