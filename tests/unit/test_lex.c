/*
 * test_lex.c: the shared OpenVPN word lexer (src/core/lex.c), directly and
 * through both of its parsing callers: the config reader and the PUSH_REPLY
 * parser. The same line must give the same words, or the same refusal, in
 * both. The script command splitter is checked in test_script.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/lex.h"
#include "vpnc/config.h"
#include "vpnc/push.h"

#include "../check.h"

static struct vpnc_lex_words w;
static const char *why;

#define LEX(s) vpnc_lex_line((s), strlen(s), &w, &why)

static void test_words(void)
{
	char line[600];

	CHECK(LEX("remote \"my host\" 1194") == 3);
	CHECK_STR(w.p[1], "my host");
	CHECK(w.p[3] == NULL);
	CHECK(LEX("a 'b c\\d' e") == 3);
	CHECK_STR(w.p[1], "b c\\d");
	CHECK(LEX("a \"x\\\"y\\\\z\"") == 2);
	CHECK_STR(w.p[1], "x\"y\\z");
	CHECK(LEX("a b\\ c") == 2);
	CHECK_STR(w.p[1], "b c");
	CHECK(LEX("a c:\\\\dir\\\\f") == 2);
	CHECK_STR(w.p[1], "c:\\dir\\f");
	CHECK(LEX("a \\\"b") == 2);
	CHECK_STR(w.p[1], "\"b");
	CHECK(LEX("a \"\"") == 2);
	CHECK_STR(w.p[1], "");
	CHECK(LEX("a \"#not\" b") == 3);
	CHECK_STR(w.p[1], "#not");
	CHECK(LEX("a b#c") == 2);
	CHECK_STR(w.p[1], "b#c");
	CHECK(LEX("a\tb\r") == 2);
	CHECK(LEX("a\"b\"") == 1);
	CHECK_STR(w.p[0], "a\"b\"");
	memset(line, 'x', 256);
	line[256] = '\0';
	CHECK(LEX(line) == 1 && strlen(w.p[0]) == 256);
	CHECK(LEX("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16") == 16);
}

/* The cases where the config and PUSH_REPLY lexers used to disagree. */
static void test_parse_line_rules(void)
{
	CHECK(LEX("# comment") == 0);
	CHECK(LEX("   ; comment") == 0);
	CHECK(LEX("\t") == 0);
	CHECK(LEX("") == 0);
	CHECK(LEX("remote h 1 # trailing") == 3);
	CHECK(LEX("remote h 1 ;trailing") == 3);
	/* parse_line tests for '#' before it looks at the backslash: still a comment. */
	CHECK(LEX("a \\# b") == 1);
	CHECK(LEX("\\;x") == 0);
	/* An escaped space where a word could begin is skipped. */
	CHECK(LEX("a \\ b") == 2);
	CHECK_STR(w.p[1], "b");
	/* A backslash after the last word is ignored; one ending a word is an error. */
	CHECK(LEX("a b \\") == 2);
	CHECK(LEX("a b\\") == -EINVAL);
	CHECK_STR(why, "a backslash at its end");
	CHECK(LEX("a \"b\\") == -EINVAL);
	CHECK_STR(why, "no closing quotation mark (\")");
}

static void test_refusals(void)
{
	char line[600];

	CHECK(LEX("a \\q") == -EINVAL);
	CHECK_STR(why, "a bad backslash escape (write \\\\ for a backslash)");
	CHECK(LEX("a \"\\q\"") == -EINVAL);
	CHECK(LEX("a b\\#") == -EINVAL);
	CHECK(LEX("a \"open") == -EINVAL);
	CHECK(LEX("a 'open") == -EINVAL);
	CHECK_STR(why, "no closing quotation mark (')");
	CHECK(vpnc_lex_line("a\0b", 3, &w, &why) == -EINVAL);
	CHECK_STR(why, "a NUL byte");
	CHECK(LEX("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17") == -EINVAL);
	CHECK_STR(why, "too many words (16 at most)");
	CHECK(LEX("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 \"\"") == -EINVAL);
	memset(line, 'x', 257);
	line[257] = '\0';
	CHECK(LEX(line) == -EINVAL);
	CHECK_STR(why, "a word longer than 256 bytes");
}

/* Records the last PUSH_REPLY rejection. */
static char push_reason[128];

static void push_log(void *ctx, const char *option, const char *reason)
{
	snprintf(push_reason, sizeof(push_reason), "%s", reason);
}

/* Parses one pushed item; returns n_rejected, and the domains it set through *p. */
static unsigned push_one(struct vpnc_push *p, const char *item)
{
	vpnc_push_init(p);
	push_reason[0] = '\0';
	CHECK(vpnc_push_parse(p, item, strlen(item), push_log, NULL) == 0);
	return (unsigned)p->n_rejected;
}

/* Parses BASE plus one line; returns the reader's result, the message in err. */
#define BASE "client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote vpn.example.org\n"
static char err[512];

static int config_one(const char *line, struct vpnc_config **c)
{
	char text[1024];

	snprintf(text, sizeof(text), BASE "%s\n", line);
	*c = NULL;
	return vpnc_config_parse_text("t.ovpn", text, strlen(text), NULL, c, err, sizeof(err));
}

static void test_both_callers(void)
{
	struct vpnc_push p;
	struct vpnc_config *c;

	/* Quoting gives the same words in both. */
	CHECK(push_one(&p, "dhcp-option DOMAIN \"a.example\"") == 0 && p.n_domains == 1);
	CHECK_STR(p.domains[0], "a.example");
	CHECK(config_one("dev \"tun9\"", &c) == 0 && c != NULL);
	CHECK(c != NULL && strcmp(c->dev, "tun9") == 0);
	vpnc_config_free(c);

	/* "\#" starts a comment in both, as in parse_line. */
	CHECK(push_one(&p, "dhcp-option DOMAIN a.example \\# x") == 0 && p.n_domains == 1);
	CHECK(config_one("dev tun9 \\# x", &c) == 0 && c != NULL);
	vpnc_config_free(c);

	/* An escaped space before a word is skipped in both. */
	CHECK(push_one(&p, "dhcp-option DOMAIN \\ a.example") == 0 && p.n_domains == 1);
	CHECK_STR(p.domains[0], "a.example");
	CHECK(config_one("dev \\ tun9", &c) == 0 && c != NULL);
	CHECK(c != NULL && strcmp(c->dev, "tun9") == 0);
	vpnc_config_free(c);

	/* The same refusals, with the same reason. */
	CHECK(push_one(&p, "dhcp-option DOMAIN a\\q") == 1);
	CHECK_STR(push_reason, "a bad backslash escape (write \\\\ for a backslash)");
	CHECK(config_one("dev a\\q", &c) < 0 && c == NULL);
	CHECK_STR(err, "t.ovpn:7: the line has a bad backslash escape (write \\\\ for a backslash)");
	CHECK(push_one(&p, "dhcp-option DOMAIN a.example\\") == 1);
	CHECK_STR(push_reason, "a backslash at its end");
	CHECK(config_one("dev tun9\\", &c) < 0 && c == NULL);
	CHECK_STR(err, "t.ovpn:7: the line has a backslash at its end");
	CHECK(push_one(&p, "dhcp-option DOMAIN 'a.example") == 1);
	CHECK_STR(push_reason, "no closing quotation mark (')");
	CHECK(config_one("dev 'tun9", &c) < 0 && c == NULL);
	CHECK_STR(err, "t.ovpn:7: the line has no closing quotation mark (')");
}

int main(void)
{
	test_words();
	test_parse_line_rules();
	test_refusals();
	test_both_callers();
	printf("test_lex: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
