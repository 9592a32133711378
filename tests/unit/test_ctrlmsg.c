/*
 * test_ctrlmsg.c: control-message reassembly (splits, several per read, CR/LF,
 * garbage, overflow) and classification in OpenVPN's dispatch order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctrlmsg.h"

#include "../check.h"

#define MAXMSGS 16

/* Collects what the callback saw: messages, and "!" for each bad-message report. */
struct seen {
	int n;
	char msg[MAXMSGS][VPNC_CTRLMSG_MAX + 1];
	size_t len[MAXMSGS];
};

static void cb(void *ctx, const char *msg, size_t len)
{
	struct seen *s = ctx;

	if (s->n >= MAXMSGS)
		abort();
	if (msg == NULL) {
		strcpy(s->msg[s->n], "!");
		s->len[s->n] = 0;
	} else {
		if (strlen(msg) != len)
			abort(); /* must be NUL-terminated at len */
		memcpy(s->msg[s->n], msg, len + 1);
		s->len[s->n] = len;
	}
	s->n++;
}

static struct vpnc_ctrlmsg_rx RX;
static struct seen S;

static int feed(const void *p, size_t n)
{
	return vpnc_ctrlmsg_feed(&RX, p, n, cb, &S);
}

static void reset(void)
{
	vpnc_ctrlmsg_rx_init(&RX);
	memset(&S, 0, sizeof(S));
}

static void test_basic(void)
{
	reset();
	CHECK(feed("PUSH_REPLY,ping 10", 19) == 1);
	CHECK(S.n == 1 && strcmp(S.msg[0], "PUSH_REPLY,ping 10") == 0 && S.len[0] == 18);

	/* Several in one read, and an unterminated tail kept for the next read. */
	reset();
	CHECK(feed("AUTH_FAILED\0RESTART,[N]bye\0INFO,par", 35) == 2);
	CHECK(S.n == 2 && strcmp(S.msg[0], "AUTH_FAILED") == 0 && strcmp(S.msg[1], "RESTART,[N]bye") == 0);
	CHECK(feed("tial\0", 5) == 1);
	CHECK(S.n == 3 && strcmp(S.msg[2], "INFO,partial") == 0);

	/* Byte-by-byte split. */
	reset();
	{
		const char m[] = "PUSH_REPLY,route 10.0.0.0 255.0.0.0,ping 5";
		int total = 0;

		for (size_t i = 0; i < sizeof(m); i++)
			total += feed(m + i, 1);
		CHECK(total == 1 && S.n == 1 && strcmp(S.msg[0], m) == 0);
	}

	/* Trailing CR/LF stripped (AUTH_FAILED from 2.6.12 scripts). */
	reset();
	CHECK(feed("AUTH_FAILED,bad\r\n\0AUTH_FAILED\n\0", 31) == 2);
	CHECK(S.n == 2 && strcmp(S.msg[0], "AUTH_FAILED,bad") == 0 && strcmp(S.msg[1], "AUTH_FAILED") == 0);

	/* Empty messages (several NULs) are skipped silently. */
	reset();
	CHECK(feed("\0\0\r\n\0EXIT\0\0", 11) == 1);
	CHECK(S.n == 1 && strcmp(S.msg[0], "EXIT") == 0);

	/* Zero-length feed and bad arguments. */
	reset();
	CHECK(feed("", 0) == 0 && S.n == 0);
	CHECK(vpnc_ctrlmsg_feed(NULL, (const uint8_t *)"x", 1, cb, &S) == -EINVAL);
	CHECK(vpnc_ctrlmsg_feed(&RX, (const uint8_t *)"x", 1, NULL, &S) == -EINVAL);
	CHECK(vpnc_ctrlmsg_feed(&RX, NULL, 1, cb, &S) == -EINVAL);
	CHECK(vpnc_ctrlmsg_feed(&RX, NULL, 0, cb, &S) == 0);
}

static void test_garbage(void)
{
	/* A non-printable byte spoils its message only, reported once. */
	reset();
	CHECK(feed("PUSH_REPLY,ro\x01ute\x02x\0HALT\0", 25) == 1);
	CHECK(S.n == 2 && strcmp(S.msg[0], "!") == 0 && strcmp(S.msg[1], "HALT") == 0);

	/* Non-ASCII (UTF-8) is non-printable too. */
	reset();
	CHECK(feed("INFO,caf\xc3\xa9\0", 11) == 0 && S.n == 1 && strcmp(S.msg[0], "!") == 0);

	/* CR/LF inside a message is rejected; only trailing ones are stripped. */
	reset();
	CHECK(feed("PUSH_REPLY,a\nb\0", 15) == 0 && S.n == 1 && strcmp(S.msg[0], "!") == 0);
	reset();
	CHECK(feed("PUSH_REPLY,a\rb\r\n\0", 17) == 0 && S.n == 1 && strcmp(S.msg[0], "!") == 0);

	/* The bad state survives a split and ends at the NUL. */
	reset();
	CHECK(feed("XX\x7f", 3) == 0 && S.n == 1);
	CHECK(feed("more junk", 9) == 0 && S.n == 1);
	CHECK(feed("\0EXIT\0", 6) == 1 && S.n == 2 && strcmp(S.msg[1], "EXIT") == 0);
	/* Tabs are non-printable for OpenVPN as well. */
	reset();
	CHECK(feed("INFO,a\tb\0", 9) == 0 && S.n == 1 && strcmp(S.msg[0], "!") == 0);
}

static void test_overflow(void)
{
	static char big[VPNC_CTRLMSG_MAX + 10];

	/* Exactly the maximum is fine. */
	reset();
	memset(big, 'A', VPNC_CTRLMSG_MAX);
	big[VPNC_CTRLMSG_MAX] = '\0';
	CHECK(feed(big, VPNC_CTRLMSG_MAX + 1) == 1 && S.n == 1 && S.len[0] == VPNC_CTRLMSG_MAX);

	/* One more is an error, reported once even if it keeps coming in pieces. */
	reset();
	memset(big, 'B', sizeof(big));
	CHECK(feed(big, VPNC_CTRLMSG_MAX + 1) == 0 && S.n == 1 && strcmp(S.msg[0], "!") == 0);
	for (int i = 0; i < 100; i++)
		CHECK(feed(big, sizeof(big)) == 0);
	CHECK(S.n == 1);
	CHECK(feed("\0PUSH_REPLY\0", 12) == 1 && S.n == 2 && strcmp(S.msg[1], "PUSH_REPLY") == 0);

	/* Max length with trailing CR/LF still counts the CR/LF against the limit. */
	reset();
	memset(big, 'C', VPNC_CTRLMSG_MAX);
	CHECK(feed(big, VPNC_CTRLMSG_MAX) == 0);
	CHECK(feed("\r\n\0", 3) == 0 && S.n == 1 && strcmp(S.msg[0], "!") == 0);

	/* Wipe clears the buffer. */
	reset();
	CHECK(feed("PUSH_REPLY,auth-token SECRET", 28) == 0);
	vpnc_ctrlmsg_rx_wipe(&RX);
	CHECK(RX.len == 0 && memchr(RX.buf, 'S', sizeof(RX.buf)) == NULL);
}

static void test_classify(void)
{
	struct {
		const char *msg;
		enum vpnc_ctrlmsg_type t;
		const char *arg;
	} cases[] = {
		{"PUSH_REPLY,route 1.2.3.0 255.255.255.0", VPNC_MSG_PUSH_REPLY, "route 1.2.3.0 255.255.255.0"},
		{"PUSH_REPLY", VPNC_MSG_PUSH_REPLY, ""},
		{"PUSH_REPLY,", VPNC_MSG_PUSH_REPLY, ""},
		{"PUSH_REQUEST", VPNC_MSG_PUSH_REQUEST, ""},
		{"AUTH_FAILED", VPNC_MSG_AUTH_FAILED, ""},
		{"AUTH_FAILED,SESSION:token expired", VPNC_MSG_AUTH_FAILED, "SESSION:token expired"},
		{"AUTH_FAILED,TEMP[backoff 5,advance addr]:busy", VPNC_MSG_AUTH_FAILED, "TEMP[backoff 5,advance addr]:busy"},
		{"RESTART", VPNC_MSG_RESTART, ""},
		{"RESTART,[N]server going down", VPNC_MSG_RESTART, "[N]server going down"},
		{"HALT,bye", VPNC_MSG_HALT, "bye"},
		{"INFO_PRE,WEB_AUTH::https://x.example/", VPNC_MSG_INFO_PRE, "WEB_AUTH::https://x.example/"},
		{"INFO,OPEN_URL:https://x.example/", VPNC_MSG_INFO, "OPEN_URL:https://x.example/"},
		{"INFO", VPNC_MSG_INFO, ""},
		{"CR_RESPONSE,dGVzdA==", VPNC_MSG_CR_RESPONSE, "dGVzdA=="},
		{"AUTH_PENDING", VPNC_MSG_AUTH_PENDING, ""},
		{"AUTH_PENDING,timeout 300", VPNC_MSG_AUTH_PENDING, "timeout 300"},
		{"EXIT", VPNC_MSG_EXIT, ""},
		{"INFOX", VPNC_MSG_UNKNOWN, "INFOX"},
		{"INFO_PREX,a", VPNC_MSG_UNKNOWN, "INFO_PREX,a"},
		{"PUSH_UPDATE,route 1.2.3.4", VPNC_MSG_UNKNOWN, "PUSH_UPDATE,route 1.2.3.4"},
		{"push_reply,x", VPNC_MSG_UNKNOWN, "push_reply,x"},
		{"EXI", VPNC_MSG_UNKNOWN, "EXI"},
		{"", VPNC_MSG_UNKNOWN, ""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *arg = NULL;
		size_t arg_len = 99;
		enum vpnc_ctrlmsg_type t = vpnc_ctrlmsg_classify(cases[i].msg, strlen(cases[i].msg), &arg, &arg_len);

		CHECK(t == cases[i].t);
		CHECK(arg != NULL && arg_len == strlen(cases[i].arg) && memcmp(arg, cases[i].arg, arg_len) == 0);
		if (t != cases[i].t)
			fprintf(stderr, "  case: %s\n", cases[i].msg);
	}
	/* len bounds the match: "EXIT" in a longer buffer but len 3. */
	CHECK(vpnc_ctrlmsg_classify("EXIT", 3, NULL, NULL) == VPNC_MSG_UNKNOWN);
	CHECK(vpnc_ctrlmsg_classify("HALT,x", 4, NULL, NULL) == VPNC_MSG_HALT);
	CHECK(vpnc_ctrlmsg_classify(NULL, 0, NULL, NULL) == VPNC_MSG_UNKNOWN);
}

int main(void)
{
	test_basic();
	test_garbage();
	test_overflow();
	test_classify();
	printf("test_ctrlmsg: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
