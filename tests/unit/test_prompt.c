/*
 * test_prompt.c: the prompt module (daemon/prompt.h) without a person: which
 * front ends a question goes to for every combination of terminal,
 * systemd-ask-password, control socket and --untrusted-config, before and
 * in the loop; the systemd-ask-password command line (OpenVPN's --icon and
 * --timeout=0, our --id, --echo only when asked, the text after "--"); and
 * the loop's question as the control socket sees it: shown by the view,
 * answered once by its id (a stale id or an over-long answer refused),
 * -EBUSY while it waits, withdrawn by cancel with no callback; limited to
 * the socket (as privsep's network process), so a person's terminal is
 * never touched.
 *
 * Needs libuv at link time (tests/CMakeLists.txt).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/prompt.c"
#include "daemon/prompt_pick.c"
#include "daemon/prompt_sdask.c"
#include "daemon/prompt_tty.c"

#include "../check.h"

static void test_pick(void)
{
	for (unsigned bits = 0; bits < 16; bits++) {
		struct vpnc_prompt_env e = {bits & 1, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0};
		unsigned in_loop = vpnc_prompt_pick(&e, false), at_start = vpnc_prompt_pick(&e, true);
		unsigned inter = e.tty ? VPNC_PROMPT_FE_TTY
		                 : e.sdask && !e.no_sdask ? VPNC_PROMPT_FE_SDASK
		                                          : 0;

		/* One interactive front end at most, the terminal first; the socket only in the loop. */
		CHECK(at_start == inter, "bits %u: start %#x", bits, at_start);
		CHECK(in_loop == (inter | (e.ctl ? VPNC_PROMPT_FE_CTL : 0)), "bits %u: loop %#x", bits, in_loop);
		CHECK(!((in_loop & VPNC_PROMPT_FE_TTY) && (in_loop & VPNC_PROMPT_FE_SDASK)));
	}
}

static void test_names(void)
{
	CHECK_STR(vpnc_prompt_kind_name(VPNC_PROMPT_USER), "username");
	CHECK_STR(vpnc_prompt_kind_name(VPNC_PROMPT_PASS), "password");
	CHECK_STR(vpnc_prompt_kind_name(VPNC_PROMPT_KEY_PASS), "key-passphrase");
	CHECK_STR(vpnc_prompt_kind_name(VPNC_PROMPT_PIN), "pin");
	CHECK_STR(vpnc_prompt_kind_name(VPNC_PROMPT_CHALLENGE), "challenge");
	CHECK_STR(vpnc_prompt_kind_name((enum vpnc_prompt_kind)99), "question");
}

static void test_sdask_argv(void)
{
	char id[VPNC_SDASK_ID_MAX];
	const char *argv[9];

	prompt_sdask_argv("-CHALLENGE: code", true, VPNC_PROMPT_CHALLENGE, "work", id, argv);
	CHECK_STR(argv[0], VPNC_SDASK_PATH);
	CHECK_STR(argv[1], "--icon=network-vpn");
	CHECK_STR(argv[2], "--id=vpnc:work:challenge");
	CHECK_STR(argv[3], "--timeout=0");
	CHECK_STR(argv[4], "--echo");
	CHECK_STR(argv[5], "--");
	CHECK_STR(argv[6], "-CHALLENGE: code"); /* after "--": never read as an option */
	CHECK(argv[7] == NULL);
	prompt_sdask_argv("Enter Auth Password:", false, VPNC_PROMPT_PASS, NULL, id, argv);
	CHECK_STR(argv[2], "--id=vpnc:vpnc:password");
	CHECK_STR(argv[4], "--");
	CHECK(argv[6] == NULL);
}

struct got {
	int calls, status;
	char answer[VPNC_PROMPT_MAX + 1];
};

static void on_done(void *arg, int status, char *answer)
{
	struct got *g = arg;

	g->calls++;
	g->status = status;
	snprintf(g->answer, sizeof(g->answer), "%s", answer != NULL ? answer : "(null)");
}

static void test_ctl_question(void)
{
	const struct vpnc_prompt_q q = {VPNC_PROMPT_PASS, "Enter Auth Password:", false};
	struct vpnc_prompt *p = NULL;
	struct vpnc_prompt_view v;
	struct got g = {0};
	char big[VPNC_PROMPT_MAX + 2];
	uv_loop_t loop;
	unsigned id;

	CHECK(uv_loop_init(&loop) == 0);
	CHECK(vpnc_prompt_new(&loop, "t1", true, &p) == 0);
	/* The socket only (as privsep's network process): a terminal, if any, is never touched. */
	vpnc_prompt_limit(p, VPNC_PROMPT_FE_CTL);
	/* Nothing to ask with: the socket is not there. */
	CHECK(vpnc_prompt_ask(p, &q, on_done, &g) == -ENXIO);
	CHECK(!(p->id != 0));
	vpnc_prompt_set_ctl(p, true);
	CHECK(vpnc_prompt_ask(p, &q, on_done, &g) == 0);
	CHECK((p->id != 0));
	CHECK(vpnc_prompt_ask(p, &q, on_done, &g) == -EBUSY);
	vpnc_prompt_view(p, &v);
	CHECK(v.id != 0 && !v.echo && v.info == NULL);
	CHECK_STR(v.kind, "password");
	CHECK_STR(v.text, "Enter Auth Password:");
	id = v.id;
	CHECK(vpnc_prompt_answer(p, id + 1, "x", 1) == -ESTALE);
	memset(big, 'a', sizeof(big));
	CHECK(vpnc_prompt_answer(p, id, big, VPNC_PROMPT_MAX + 1) == -ENOSPC);
	CHECK(g.calls == 0);
	/* Exactly len bytes are the answer, blanks and all. */
	CHECK(vpnc_prompt_answer(p, id, "pa ss, wordXX", 11) == 0);
	CHECK(g.calls == 1 && g.status == 0);
	CHECK_STR(g.answer, "pa ss, word");
	CHECK(!(p->id != 0));
	CHECK(vpnc_prompt_answer(p, id, "again", 5) == -ESTALE);
	vpnc_prompt_view(p, &v);
	CHECK(v.id == 0);
	/* A new question gets a new id; cancel withdraws it without a callback. */
	CHECK(vpnc_prompt_ask(p, &q, on_done, &g) == 0);
	vpnc_prompt_view(p, &v);
	CHECK(v.id != 0 && v.id != id);
	CHECK(vpnc_prompt_cancel(p) == 0);
	CHECK(vpnc_prompt_cancel(p) == -ENOENT);
	CHECK(vpnc_prompt_answer(p, v.id, "late", 4) == -ESTALE);
	CHECK(g.calls == 1);
	/* The informational item is shown until cleared. */
	vpnc_prompt_info(p, "Open https://sso.example.org/login to sign in");
	vpnc_prompt_view(p, &v);
	CHECK_STR(v.info, "Open https://sso.example.org/login to sign in");
	vpnc_prompt_info(p, NULL);
	vpnc_prompt_view(p, &v);
	CHECK(v.info == NULL);
	/* Freed with a question waiting: no callback. */
	CHECK(vpnc_prompt_ask(p, &q, on_done, &g) == 0);
	vpnc_prompt_free(p);
	CHECK(g.calls == 1);
	uv_run(&loop, UV_RUN_DEFAULT);
	CHECK(uv_loop_close(&loop) == 0);
}

/*
 * Ids go on from one prompt state to the next (a question before the loop,
 * then the loop's): an id a relay or `vpnc answer` still holds from the first
 * never answers the second's question.
 */
static void test_ids_go_on(void)
{
	const struct vpnc_prompt_q pin = {VPNC_PROMPT_PIN, "Enter t token Password:", false};
	const struct vpnc_prompt_q pw = {VPNC_PROMPT_PASS, "Enter Auth Password:", false};
	struct vpnc_prompt *a = NULL, *b = NULL;
	struct vpnc_prompt_view v;
	struct got g = {0};
	uv_loop_t loop;
	unsigned first;

	CHECK(uv_loop_init(&loop) == 0);
	CHECK(vpnc_prompt_new(&loop, "t2", true, &a) == 0);
	vpnc_prompt_limit(a, VPNC_PROMPT_FE_CTL);
	vpnc_prompt_set_ctl(a, true);
	CHECK(vpnc_prompt_ask(a, &pin, on_done, &g) == 0);
	vpnc_prompt_view(a, &v);
	first = v.id;
	CHECK(first != 0);
	CHECK_STR(v.kind, "pin");
	CHECK(vpnc_prompt_answer(a, first, "1234", 4) == 0);
	vpnc_prompt_free(a);
	CHECK(vpnc_prompt_new(&loop, "t2", true, &b) == 0);
	vpnc_prompt_limit(b, VPNC_PROMPT_FE_CTL);
	vpnc_prompt_set_ctl(b, true);
	CHECK(vpnc_prompt_ask(b, &pw, on_done, &g) == 0);
	vpnc_prompt_view(b, &v);
	CHECK(v.id != 0 && v.id != first, "the new state's first id %u after %u", v.id, first);
	CHECK(vpnc_prompt_answer(b, first, "stale", 5) == -ESTALE);
	CHECK(g.calls == 1);
	vpnc_prompt_free(b);
	uv_run(&loop, UV_RUN_DEFAULT);
	CHECK(uv_loop_close(&loop) == 0);
}

/* The credential questions, worded as OpenVPN 2.6's console asks them. */
static void test_cred_q(void)
{
	struct vpnc_config conf;
	struct vpnc_prompt_q q;
	char text[VPNC_STATIC_CHALLENGE_MAX + 16];

	memset(&conf, 0, sizeof(conf));
	CHECK(vpnc_prompt_cred_q(&q, VPNC_PROMPT_USER, VPNC_PROMPT_FOR_AUTH, &conf, text, sizeof(text)) == 0);
	CHECK(q.kind == VPNC_PROMPT_USER && q.echo && q.text == text);
	CHECK_STR(q.text, "Enter Auth Username:");
	CHECK(vpnc_prompt_cred_q(&q, VPNC_PROMPT_PASS, VPNC_PROMPT_FOR_AUTH, &conf, text, sizeof(text)) == 0);
	CHECK(q.kind == VPNC_PROMPT_PASS && !q.echo);
	CHECK_STR(q.text, "Enter Auth Password:");
	CHECK(vpnc_prompt_cred_q(&q, VPNC_PROMPT_USER, VPNC_PROMPT_FOR_PROXY, &conf, text, sizeof(text)) == 0);
	CHECK_STR(q.text, "Enter HTTP Proxy Username:");
	CHECK(vpnc_prompt_cred_q(&q, VPNC_PROMPT_PASS, VPNC_PROMPT_FOR_PROXY, &conf, text, sizeof(text)) == 0);
	CHECK_STR(q.text, "Enter HTTP Proxy Password:");
	snprintf(conf.static_challenge, sizeof(conf.static_challenge), "Enter the code");
	CHECK(vpnc_prompt_cred_q(&q, VPNC_PROMPT_CHALLENGE, NULL, &conf, text, sizeof(text)) == 0);
	CHECK(q.kind == VPNC_PROMPT_CHALLENGE && !q.echo);
	CHECK_STR(q.text, "CHALLENGE: Enter the code");
	conf.static_challenge_echo = true;
	CHECK(vpnc_prompt_cred_q(&q, VPNC_PROMPT_CHALLENGE, NULL, &conf, text, sizeof(text)) == 0 && q.echo);
	memset(conf.static_challenge, 'x', sizeof(conf.static_challenge) - 1);
	CHECK(vpnc_prompt_cred_q(&q, VPNC_PROMPT_CHALLENGE, NULL, &conf, text, sizeof(text)) == 0);
	CHECK(vpnc_prompt_cred_q(&q, VPNC_PROMPT_USER, VPNC_PROMPT_FOR_AUTH, &conf, text, 10) == -ENOSPC);
	CHECK(vpnc_prompt_cred_q(&q, VPNC_PROMPT_PIN, VPNC_PROMPT_FOR_AUTH, &conf, text, sizeof(text)) == -EINVAL);
}

int main(void)
{
	test_cred_q();
	test_pick();
	test_names();
	test_sdask_argv();
	test_ctl_question();
	test_ids_go_on();
	printf("test_prompt: %u passed, %u failed\n", passed, failed);
	return failed != 0;
}
