/*
 * cli_answer.c: owns `vpnc answer`: fetching the question a running vpnc
 * waits for ("prompt" on the control socket), asking it on the user's
 * terminal (without echo unless the question says so; daemon/prompt_tty.c)
 * or reading the answer from stdin when that is not a terminal, and sending
 * it back ("answer ID TEXT"). The answer is wiped once sent. Only a caller
 * with the socket's full rights may answer (ctlsock.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "control/cli.h"
#include "control/ctlprompt.h"
#include "daemon/prompt.h"

/* One line from stdin (not a terminal): the answer, without its newline. */
static int read_stdin(char *out, size_t cap)
{
	size_t len = 0;
	int c;

	while ((c = getchar()) != EOF && c != '\n') {
		if (len + 1 >= cap) {
			OPENSSL_cleanse(out, cap);
			return -ENOSPC;
		}
		out[len++] = (char)c;
	}
	if (len > 0 && out[len - 1] == '\r')
		len--;
	out[len] = '\0';
	if (c == EOF && len == 0 && ferror(stdin))
		return -EIO;
	return 0;
}

int vpnc_cli_answer(const char *path)
{
	char reply[VPNC_CLI_REQ_MAX + 128], answer[VPNC_PROMPT_MAX + 1], req[VPNC_CLI_REQ_MAX + 1];
	const char *kind, *text;
	unsigned id = 0;
	bool echo = false;
	int ret;

	ret = vpnc_cli_request(path, "prompt", reply, sizeof(reply), VPNC_CLI_TIMEOUT_MS);
	if (ret < 0) {
		fprintf(stderr, "vpnc: %s: %s.\n", path, vpnc_cli_explain(ret));
		return VPNC_CLI_FAIL;
	}
	if (strncmp(reply, "error", 5) == 0) {
		fprintf(stderr, "vpnc: %s", reply);
		return VPNC_CLI_FAIL;
	}
	ret = vpnc_cli_parse_prompt(reply, &id, &echo, &kind, &text);
	if (ret == 0) {
		fprintf(stderr, "vpnc: %s waits for no answer.\n", path);
		return VPNC_CLI_FAIL;
	}
	if (ret < 0) {
		fprintf(stderr, "vpnc: %s: the reply to 'prompt' is not understood.\n", path);
		return VPNC_CLI_FAIL;
	}
	if (isatty(STDIN_FILENO)) {
		const struct vpnc_prompt_q q = {VPNC_PROMPT_PASS, text, echo};

		ret = vpnc_prompt_tty_sync(&q, answer, sizeof(answer));
	} else {
		ret = read_stdin(answer, sizeof(answer));
	}
	if (ret < 0) {
		fprintf(stderr, "vpnc: %s\n", ret == -ENOSPC ? "the answer is too long."
		                                             : "reading the answer failed.");
		OPENSSL_cleanse(answer, sizeof(answer));
		return VPNC_CLI_FAIL;
	}
	snprintf(req, sizeof(req), "answer %u %s", id, answer);
	OPENSSL_cleanse(answer, sizeof(answer));
	ret = vpnc_cli_request(path, req, reply, sizeof(reply), VPNC_CLI_TIMEOUT_MS);
	OPENSSL_cleanse(req, sizeof(req));
	if (ret < 0) {
		fprintf(stderr, "vpnc: %s: %s.\n", path, vpnc_cli_explain(ret));
		return VPNC_CLI_FAIL;
	}
	if (strncmp(reply, "ok", 2) != 0) {
		fprintf(stderr, "vpnc: %s", ret == 0 ? "no answer from vpnc.\n" : reply);
		return VPNC_CLI_FAIL;
	}
	return VPNC_CLI_OK;
}
