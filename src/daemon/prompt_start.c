/*
 * prompt_start.c: owns a question vpnc must ask before its loop runs (a
 * PKCS#11 token's PIN, a private key's passphrase: both are needed to build
 * the TLS context) when there is no terminal. Such a question is then
 * offered on the control socket too, as the loop offers its own questions
 * (prompt.h, docs/prompts.md): a short-lived libuv loop serves the socket
 * (control/ctlstate.h, the same requests, rights and limits) besides
 * systemd-ask-password, until the first answer. So `vpnc answer` and the
 * NetworkManager plugin's relay, which has no terminal and may not use
 * systemd-ask-password, can answer it; "disconnect" ends vpnc as SIGTERM
 * does. The socket is closed (and its file removed) before the loop opens it
 * again.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include <openssl/crypto.h>
#include <uv.h>

#include "control/ctlstate.h"
#include "daemon/log.h"
#include "daemon/prompt.h"

struct start_ask {
	struct vpnc_prompt *p;
	bool done;
	int status;
	char *out;
	size_t cap;
};

static void start_view(void *ctx, struct vpnc_status_snap *snap)
{
	struct start_ask *a = ctx;

	vpnc_prompt_snap(a->p, snap);
}

static int start_answer(void *ctx, unsigned id, const char *text, size_t len)
{
	struct start_ask *a = ctx;

	return vpnc_prompt_answer(a->p, id, text, len);
}

/* "disconnect" while vpnc waits: the same as SIGTERM, whose default action still holds here. */
static void start_disconnect(void *ctx)
{
	(void)ctx;
	(void)raise(SIGTERM);
}

static void start_done(void *arg, int status, char *answer)
{
	struct start_ask *a = arg;
	size_t len = answer != NULL ? strlen(answer) : 0;

	a->done = true;
	a->status = status;
	if (status == 0 && len >= a->cap)
		a->status = -ENOSPC;
	else if (status == 0)
		memcpy(a->out, answer, len + 1);
}

int vpnc_prompt_start(const struct vpnc_config *conf, const char *instance, bool no_sdask,
                      const struct vpnc_prompt_q *q, char *out, size_t cap)
{
	struct vpnc_prompt_env env = {0};
	struct start_ask a = {.out = out, .cap = cap};
	struct vpnc_ctlstate_hooks hooks = {.disconnect = start_disconnect, .ctx = &a, .prompt = start_view,
	                                    .answer = start_answer};
	struct vpnc_ctlstate *ctl = NULL;
	uv_loop_t uv;
	int ret;

	if (cap == 0)
		return -ENOSPC;
	/* With a terminal the person is there: asked on it, blocking, as before. */
	vpnc_prompt_env_probe(&env);
	if (env.tty || uv_loop_init(&uv) < 0)
		return no_sdask && !env.tty ? -ENXIO : vpnc_prompt_sync(q, out, cap);
	ret = vpnc_prompt_new(&uv, instance, no_sdask, &a.p);
	if (ret == 0 && vpnc_ctlstate_open_owned(&ctl, &uv, conf, &hooks) == 0) {
		vpnc_prompt_set_ctl(a.p, true);
		vpnc_log(VPNC_LOG_INFO, "Waiting for the %s on the control socket%s",
		         vpnc_prompt_kind_name(q->kind), no_sdask || !env.sdask ? "" : " or systemd-ask-password");
		ret = vpnc_prompt_ask(a.p, q, start_done, &a);
		while (ret == 0 && !a.done)
			(void)uv_run(&uv, UV_RUN_ONCE);
		if (ret == 0)
			ret = a.status;
	} else if (ret == 0) {
		/* No socket (logged): as without one. */
		ret = no_sdask ? -ENXIO : 1;
	}
	vpnc_ctlstate_close(ctl);
	vpnc_prompt_free(a.p);
	(void)uv_run(&uv, UV_RUN_DEFAULT); /* the handles' close callbacks */
	(void)uv_loop_close(&uv);
	if (ret == 1)
		return vpnc_prompt_sync(q, out, cap);
	if (ret < 0)
		OPENSSL_cleanse(out, cap);
	return ret;
}
