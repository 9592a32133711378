/*
 * test_authcr.c: the server's authentication questions (CRV1, CR_TEXT,
 * WEB_AUTH, OPEN_URL) parsed field by field as OpenVPN 2.6 splits them, the
 * malformed ones refused with their reason, and the answers' wire forms
 * (CRV1::state::response, CR_RESPONSE,base64).
 */
#include <errno.h>
#include <string.h>

#include "vpnc/authcr.h"

#include "../check.h"

static int crv1(const char *s, struct vpnc_authcr *c)
{
	return vpnc_authcr_parse_crv1(s, strlen(s), c);
}

static int info(const char *s, struct vpnc_authcr *c)
{
	return vpnc_authcr_parse_info(s, strlen(s), c);
}

static void test_crv1(void)
{
	struct vpnc_authcr c;

	/* The example of OpenVPN's management-notes.txt. */
	CHECK(crv1("CRV1:R,E:Om01u7Fh4LrGBS7uh0SWmzwabUiGiW6l:Y3Ix:Please enter token PIN", &c) == 0);
	CHECK(c.kind == VPNC_AUTHCR_CRV1);
	CHECK(c.flags == (VPNC_AUTHCR_ECHO | VPNC_AUTHCR_RESPONSE));
	CHECK_STR(c.state_id, "Om01u7Fh4LrGBS7uh0SWmzwabUiGiW6l");
	CHECK_STR(c.user, "cr1");
	CHECK_STR(c.text, "Please enter token PIN");

	/* No flags; the text keeps its colons; padding. */
	CHECK(crv1("CRV1::s1:YWxpY2U=:Code: 6 digits: ", &c) == 0);
	CHECK(c.flags == 0);
	CHECK_STR(c.user, "alice");
	CHECK_STR(c.text, "Code: 6 digits: ");
	CHECK(crv1("CRV1:R:s:Ym9i:", &c) == 0 && c.flags == VPNC_AUTHCR_RESPONSE && c.text[0] == '\0');
	CHECK(crv1("CRV1:E::YQ==:t", &c) == 0 && c.state_id[0] == '\0' && strcmp(c.user, "a") == 0);
	/* An empty user name is passed on as 2.6 does. */
	CHECK(crv1("CRV1:R:s::t", &c) == 0 && c.user[0] == '\0');

	/* Not CRV1 at all. */
	CHECK(crv1("nope", &c) == -ENOENT && c.kind == VPNC_AUTHCR_NONE);
	CHECK(crv1("CRV2:R:s:YQ==:t", &c) == -ENOENT);
	CHECK(crv1("SESSION:CRV1:R:s:YQ==:t", &c) == -ENOENT);

	/* Missing fields. */
	CHECK(crv1("CRV1:", &c) == -EBADMSG);
	CHECK(crv1("CRV1:R", &c) == -EBADMSG);
	CHECK(crv1("CRV1:R:state", &c) == -EBADMSG);
	CHECK(crv1("CRV1:R:state:YWxpY2U=", &c) == -EBADMSG);
	CHECK(c.state_id[0] == '\0', "wiped after a failure");
	/* Bad base64, and names that decode to control bytes or NUL. */
	CHECK(crv1("CRV1:R:s:YWxpY2U:t", &c) == -EBADMSG);
	CHECK(crv1("CRV1:R:s:YW=pY2U=:t", &c) == -EBADMSG);
	CHECK(crv1("CRV1:R:s:YWx*Y2U=:t", &c) == -EBADMSG);
	CHECK(crv1("CRV1:R:s:====:t", &c) == -EBADMSG);
	CHECK(crv1("CRV1:R:s:YQ0K:t", &c) == -EBADMSG);  /* "a\r\n" */
	CHECK(crv1("CRV1:R:s:AGE=:t", &c) == -EBADMSG);  /* "\0a" */
	/* Non-printable bytes in the state or the text. */
	CHECK(vpnc_authcr_parse_crv1("CRV1:R:s\x01:YQ==:t", 16, &c) == -EBADMSG);
	CHECK(vpnc_authcr_parse_crv1("CRV1:R:s:YQ==:t\x1b[2J", 19, &c) == -EBADMSG);
	/* Length is honoured, not a NUL. */
	CHECK(vpnc_authcr_parse_crv1("CRV1:R:s:YQ==:text", 14, &c) == 0 && c.text[0] == '\0');

	/* Too long: the state id, the user name, the text. */
	char big[4096];
	memset(big, 0, sizeof(big));
	strcpy(big, "CRV1:R:");
	memset(big + 7, 'x', VPNC_AUTHCR_STATE_MAX);
	strcat(big, ":YQ==:t");
	CHECK(crv1(big, &c) == -EMSGSIZE);
	memset(big, 0, sizeof(big));
	strcpy(big, "CRV1:R:s:");
	for (int i = 0; i < VPNC_AUTHCR_USER_MAX / 3 + 2; i++)
		memcpy(big + 9 + 4 * i, "YWFh", 4); /* "aaa" */
	strcat(big, ":t");
	CHECK(crv1(big, &c) == -EMSGSIZE);
	memset(big, 0, sizeof(big));
	strcpy(big, "CRV1:R:s:YQ==:");
	memset(big + 14, 't', VPNC_AUTHCR_TEXT_MAX);
	CHECK(crv1(big, &c) == -EMSGSIZE);
	big[14 + VPNC_AUTHCR_TEXT_MAX - 1] = '\0';
	CHECK(crv1(big, &c) == 0 && strlen(c.text) == VPNC_AUTHCR_TEXT_MAX - 1);
}

static void test_info(void)
{
	struct vpnc_authcr c;

	CHECK(info("CR_TEXT:R,E:Enter the code from your app", &c) == 0);
	CHECK(c.kind == VPNC_AUTHCR_CR_TEXT && c.flags == (VPNC_AUTHCR_ECHO | VPNC_AUTHCR_RESPONSE));
	CHECK_STR(c.text, "Enter the code from your app");
	CHECK(info("CR_TEXT::Code: now", &c) == 0 && c.flags == 0 && strcmp(c.text, "Code: now") == 0);
	CHECK(info("CR_TEXT:R", &c) == -EBADMSG);

	CHECK(info("WEB_AUTH::https://login.example/x?a=1", &c) == 0);
	CHECK(c.kind == VPNC_AUTHCR_WEB_AUTH && c.web_flags[0] == '\0');
	CHECK_STR(c.text, "https://login.example/x?a=1");
	CHECK(info("WEB_AUTH:external,hidden:http://10.0.0.1:8080/a", &c) == 0);
	CHECK_STR(c.web_flags, "external,hidden");
	CHECK_STR(c.text, "http://10.0.0.1:8080/a");
	CHECK(info("OPEN_URL:https://sso.example/", &c) == 0 && c.kind == VPNC_AUTHCR_OPEN_URL);
	CHECK_STR(c.text, "https://sso.example/");

	/* Only http and https are offered to a browser. */
	CHECK(info("WEB_AUTH::file:///etc/passwd", &c) == -EPROTO && c.text[0] == '\0');
	CHECK(info("OPEN_URL:javascript:alert(1)", &c) == -EPROTO);
	CHECK(info("OPEN_URL:https://", &c) == -EPROTO);
	CHECK(info("WEB_AUTH:https://x.example/", &c) == -EPROTO); /* flags "https", url "//x..." */
	CHECK(info("WEB_AUTH", &c) == -ENOENT);
	CHECK(info("WEB_AUTH:nourl", &c) == -EBADMSG);
	CHECK(vpnc_authcr_parse_info("OPEN_URL:https://a/\x7f", 20, &c) == -EBADMSG);

	/* Plain information. */
	CHECK(info("Maintenance at 5", &c) == -ENOENT);
	CHECK(info("cr_text:R:x", &c) == -ENOENT);
}

static void test_answers(void)
{
	struct vpnc_authcr c;
	char out[64];

	CHECK(crv1("CRV1:R,E:Om01u7Fh:Y3Ix:PIN", &c) == 0);
	CHECK(vpnc_authcr_crv1_password(&c, "8675309", out, sizeof(out)) == 23);
	CHECK_STR(out, "CRV1::Om01u7Fh::8675309");
	CHECK(vpnc_authcr_crv1_password(&c, "", out, sizeof(out)) == 16);
	CHECK_STR(out, "CRV1::Om01u7Fh::");
	CHECK(vpnc_authcr_crv1_password(&c, "8675309", out, 23) == -ENOSPC && out[0] == '\0');
	CHECK(vpnc_authcr_crv1_password(&c, "8675309", out, 24) == 23);

	/* The example of management-notes.txt: "Hallo Welt!". */
	CHECK(vpnc_authcr_cr_response("Hallo Welt!", out, sizeof(out)) == 28);
	CHECK_STR(out, "CR_RESPONSE,SGFsbG8gV2VsdCE=");
	CHECK(vpnc_authcr_cr_response("", out, sizeof(out)) == 12);
	CHECK_STR(out, "CR_RESPONSE,");
	CHECK(vpnc_authcr_cr_response("123456", out, sizeof(out)) > 0);
	CHECK_STR(out, "CR_RESPONSE,MTIzNDU2");
	CHECK(vpnc_authcr_cr_response("Hallo Welt!", out, 28) == -ENOSPC && out[0] == '\0');
	CHECK(vpnc_authcr_cr_response("Hallo Welt!", out, 29) == 28);

	char resp[VPNC_AUTHCR_RESPONSE_MAX + 2], wire[1024];
	memset(resp, 'x', sizeof(resp) - 1);
	resp[sizeof(resp) - 1] = '\0';
	CHECK(vpnc_authcr_cr_response(resp, wire, sizeof(wire)) == -ENOSPC);
	resp[VPNC_AUTHCR_RESPONSE_MAX] = '\0';
	CHECK(vpnc_authcr_cr_response(resp, wire, sizeof(wire)) == -ENOSPC);
	resp[VPNC_AUTHCR_RESPONSE_MAX - 1] = '\0';
	CHECK(vpnc_authcr_cr_response(resp, wire, sizeof(wire)) > 0);

	vpnc_authcr_wipe(&c);
	CHECK(c.kind == VPNC_AUTHCR_NONE && c.state_id[0] == '\0' && c.user[0] == '\0');
}

int main(void)
{
	test_crv1();
	test_info();
	test_answers();
	printf("test_authcr: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
