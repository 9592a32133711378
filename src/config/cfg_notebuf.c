/*
 * cfg_notebuf.c: keeps the config reader's notes in a caller's fixed buffer,
 * one per line, for callers that show them later (the daemon once its log is
 * set up, 'vpnc check-config' in its report).
 */
#include <string.h>

#include "vpnc/config.h"

void vpnc_config_note_append(char *text, size_t cap, size_t *len, bool *lost, const char *msg)
{
	size_t n = strlen(msg);

	if (*len > cap || n + 1 >= cap - *len) {
		*lost = true;
		return;
	}
	memcpy(text + *len, msg, n);
	text[*len + n] = '\n';
	*len += n + 1;
}
