/*
 * fuzz_ctlprompt.c: libFuzzer target for the control socket's prompt lines
 * (control/ctlprompt.h): the daemon's reading of "answer ID TEXT" requests
 * (the text must lie within the request, hold no NUL, and the id be
 * non-zero) and `vpnc answer`'s reading of "prompt ..." replies (every
 * field within the line, echo only 0 or 1).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/control/ctlprompt.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line = (const char *)data, *text = NULL, *kind = NULL;
	size_t text_len = 0;
	unsigned id = 0;
	bool echo = false;
	char *copy;

	if (vpnc_ctl_parse_answer(line, size, &id, &text, &text_len) == 0) {
		if (id == 0 || text < line || text + text_len > line + size ||
		    memchr(text, '\0', text_len) != NULL)
			abort();
	}
	copy = malloc(size + 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	if (vpnc_cli_parse_prompt(copy, &id, &echo, &kind, &text) == 1) {
		if (id == 0 || kind < copy || kind > copy + size || text < copy || text > copy + size ||
		    kind[0] == '\0' || strchr(kind, ' ') != NULL)
			abort();
	}
	free(copy);
	return 0;
}
