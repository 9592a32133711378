/*
 * loop_authcr.c: the server's authentication questions in the loop
 * (vpnc/authcr.h; docs/auth.md), asked through the prompt module without
 * blocking the loop:
 *
 *  - a CRV1 dynamic challenge (AUTH_FAILED,CRV1:...) is kept when its
 *    session ends and asked before the next attempt; the answer becomes that
 *    attempt's username (the decoded one) and password
 *    ("CRV1::state::response"), used once;
 *  - a CR_TEXT challenge (INFO_PRE during pending authentication) is asked
 *    while the session waits, and answered with CR_RESPONSE;
 *  - a WEB_AUTH / OPEN_URL address is logged (escaped) and posted as the
 *    prompt module's informational item, which `vpnc status` shows and the
 *    NetworkManager plugin reads, until the session is up or ends.
 *
 * The challenge, its state id and the answers are wiped once used.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/logesc.h"
#include "daemon/exitcode.h"
#include "daemon/log.h"
#include "daemon/loop_int.h"
#include "daemon/sdnotify.h"

/* The question as 2.6's console asks it ("CHALLENGE: text"), escaped for the terminal. */
static void question_text(const struct vpnc_authcr *c, char *out, size_t cap)
{
	char esc[VPNC_PROMPT_TEXT_MAX];

	vpnc_log_escape(esc, sizeof(esc), c->text, strlen(c->text));
	snprintf(out, cap, "CHALLENGE: %s", esc);
}

/* A question that cannot be asked or answered: logged, or (CRV1) the end, exit status 2 as for
 * credentials that cannot be asked for (loop_creds.c). */
static void cannot_ask(struct loop *l, int err, bool fatal)
{
	char why[128];

	if (err == -ENXIO)
		snprintf(why, sizeof(why), "there is no terminal, systemd-ask-password or control socket to ask");
	else if (err == -ENOSPC)
		snprintf(why, sizeof(why), "the response is too long");
	else
		snprintf(why, sizeof(why), "asking for the response failed (%s)", strerror(-err));
	if (!fatal) {
		vpnc_log(VPNC_LOG_WARN, "Cannot answer the server's challenge: %s", why);
		return;
	}
	vpnc_log(VPNC_LOG_FATAL, "Exiting: the server asks a challenge and %s.", why);
	loop_shutdown(l, VPNC_EXIT_CONFIG);
}

/* ---- CRV1: asked between two attempts ---- */

static void on_crv1_answer(void *arg, int status, char *answer)
{
	struct loop *l = arg;
	int n;

	l->authcr_asking = VPNC_AUTHCR_NONE;
	if (status < 0) {
		vpnc_authcr_wipe(&l->crv1);
		cannot_ask(l, status, true);
		return;
	}
	snprintf(l->user, sizeof(l->user), "%s", l->crv1.user);
	n = vpnc_authcr_crv1_password(&l->crv1, answer, l->pass, sizeof(l->pass));
	vpnc_authcr_wipe(&l->crv1);
	if (n < 0) {
		loop_secret_wipe(l->user, sizeof(l->user));
		cannot_ask(l, -ENOSPC, true);
		return;
	}
	l->have_creds = true;
	l->crv1_used = true;
	loop_begin_connect(l);
}

int loop_authcr_ready(struct loop *l)
{
	char text[VPNC_PROMPT_TEXT_MAX + 16];
	struct vpnc_prompt_q q = {.kind = VPNC_PROMPT_CHALLENGE, .text = text};
	int ret;

	if (l->authcr_asking == VPNC_AUTHCR_CRV1)
		return 1;
	if (l->crv1.kind != VPNC_AUTHCR_CRV1)
		return 0;
	/* As 2.6's console: asked whether or not R is set (without R the answer may stay empty). */
	question_text(&l->crv1, text, sizeof(text));
	q.echo = (l->crv1.flags & VPNC_AUTHCR_ECHO) != 0;
	ret = l->prompt != NULL ? vpnc_prompt_ask(l->prompt, &q, on_crv1_answer, l) : -ENXIO;
	if (ret < 0) {
		vpnc_authcr_wipe(&l->crv1);
		cannot_ask(l, ret, true);
		return -1;
	}
	l->authcr_asking = VPNC_AUTHCR_CRV1;
	vpnc_log(VPNC_LOG_INFO, "Waiting for the challenge response (on the terminal, else through "
	         "systemd-ask-password; 'vpnc status' shows the question, 'vpnc answer' answers it)");
	(void)vpnc_sd_status("waiting for the challenge response (vpnc answer)");
	return 1;
}

void loop_authcr_crv1(struct loop *l, const struct vpnc_authcr *c)
{
	vpnc_authcr_wipe(&l->crv1);
	if (c != NULL && c->kind == VPNC_AUTHCR_CRV1)
		memcpy(&l->crv1, c, sizeof(*c));
}

void loop_authcr_started(struct loop *l)
{
	/* The answer is for this attempt only; a later one starts again from the real credentials. */
	if (!l->crv1_used)
		return;
	l->crv1_used = false;
	loop_secret_wipe(l->user, sizeof(l->user));
	loop_secret_wipe(l->pass, sizeof(l->pass));
	l->have_creds = false;
}

/* ---- CR_TEXT and web sign-in: during the session ---- */

static void on_crtext_answer(void *arg, int status, char *answer)
{
	struct loop *l = arg;
	int ret;

	l->authcr_asking = VPNC_AUTHCR_NONE;
	if (status < 0) {
		cannot_ask(l, status, false);
		return;
	}
	if (l->eng == NULL) /* the session ended meanwhile (the question is withdrawn then, but be sure) */
		return;
	ret = vpnc_engine_cr_response(l->eng, answer);
	if (ret < 0) {
		cannot_ask(l, ret, false);
		return;
	}
	vpnc_log(VPNC_LOG_INFO, "Challenge response sent; waiting for the server");
	loop_drain_link_out(l, uv_now(&l->uv));
	loop_settle(l);
}

void loop_authcr_event(struct loop *l, const struct vpnc_authcr *c)
{
	char text[VPNC_PROMPT_TEXT_MAX + 16];
	char esc[VPNC_AUTHCR_TEXT_MAX * VPNC_LOGESC_MAX_PER_BYTE];
	int ret;

	if (c == NULL)
		return;
	if (c->kind == VPNC_AUTHCR_WEB_AUTH || c->kind == VPNC_AUTHCR_OPEN_URL) {
		/* Escaped: the address is the server's text; a printable URL stays as it is. */
		vpnc_log_escape(esc, sizeof(esc), c->text, strlen(c->text));
		vpnc_log(VPNC_LOG_INFO, "AUTH_PENDING: sign in at this address to continue: %s", esc);
		if (l->prompt != NULL)
			vpnc_prompt_info(l->prompt, esc);
		l->authcr_url = true;
		(void)vpnc_sd_status("waiting for the web sign-in (vpnc status shows the address)");
		return;
	}
	if (c->kind != VPNC_AUTHCR_CR_TEXT)
		return;
	/* A newer challenge replaces one that still waits. */
	if (l->authcr_asking == VPNC_AUTHCR_CR_TEXT && l->prompt != NULL)
		(void)vpnc_prompt_cancel(l->prompt);
	l->authcr_asking = VPNC_AUTHCR_NONE;
	vpnc_log_escape(esc, sizeof(esc), c->text, strlen(c->text));
	vpnc_log(VPNC_LOG_INFO, "AUTH_PENDING: the server asks a challenge: %s", esc);
	question_text(c, text, sizeof(text));
	struct vpnc_prompt_q q = {.kind = VPNC_PROMPT_CHALLENGE, .text = text,
	                          .echo = (c->flags & VPNC_AUTHCR_ECHO) != 0};
	ret = l->prompt != NULL ? vpnc_prompt_ask(l->prompt, &q, on_crtext_answer, l) : -ENXIO;
	if (ret < 0) {
		cannot_ask(l, ret, false);
		return;
	}
	l->authcr_asking = VPNC_AUTHCR_CR_TEXT;
	(void)vpnc_sd_status("waiting for the challenge response (vpnc answer)");
}

void loop_authcr_settled(struct loop *l)
{
	/* A CR_TEXT question belongs to its pending session; a CRV1 question is asked between sessions. */
	if (l->authcr_asking == VPNC_AUTHCR_CR_TEXT && l->prompt != NULL) {
		(void)vpnc_prompt_cancel(l->prompt);
		l->authcr_asking = VPNC_AUTHCR_NONE;
	}
	if (l->authcr_url && l->prompt != NULL)
		vpnc_prompt_info(l->prompt, NULL);
	l->authcr_url = false;
}

void loop_authcr_stop(struct loop *l)
{
	vpnc_authcr_wipe(&l->crv1);
	l->authcr_asking = VPNC_AUTHCR_NONE;
	l->authcr_url = false;
}
