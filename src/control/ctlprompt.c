/*
 * ctlprompt.c: owns the prompt lines of the control socket (ctlprompt.h):
 * reading an "answer ID TEXT" request and a "prompt ..." reply. Pure: no
 * I/O, no allocation; every read is bounded by the given length.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctlprompt.h"

/* Reads a decimal id 1..2^32-1 from [*p, end); moves *p past it. */
static int parse_id(const char **p, const char *end, unsigned *id)
{
	unsigned long long v = 0;
	const char *s = *p;

	if (s >= end || *s < '1' || *s > '9')
		return -EINVAL;
	while (s < end && *s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned)(*s++ - '0');
		if (v > 0xffffffffULL)
			return -EINVAL;
	}
	*id = (unsigned)v;
	*p = s;
	return 0;
}

int vpnc_ctl_parse_answer(const char *line, size_t len, unsigned *id, const char **text, size_t *text_len)
{
	const char *end = line + len, *p = line + 7;

	if (len > 0 && line[len - 1] == '\r')
		end--;
	if (end - line < 8 || memcmp(line, "answer ", 7) != 0)
		return -EINVAL;
	if (parse_id(&p, end, id) < 0)
		return -EINVAL;
	if (p < end && *p != ' ')
		return -EINVAL;
	if (p < end)
		p++;
	if (memchr(p, '\0', (size_t)(end - p)) != NULL)
		return -EBADMSG;
	*text = p;
	*text_len = (size_t)(end - p);
	return 0;
}

int vpnc_cli_parse_prompt(char *line, unsigned *id, bool *echo, const char **kind, const char **text)
{
	const char *p;
	char *sp;

	line[strcspn(line, "\n")] = '\0';
	if (strcmp(line, "prompt none") == 0)
		return 0;
	if (strncmp(line, "prompt ", 7) != 0)
		return -EINVAL;
	p = line + 7;
	if (parse_id(&p, p + strlen(p), id) < 0 || *p != ' ')
		return -EINVAL;
	p++;
	sp = strchr(p, ' ');
	if (sp == NULL || sp == p)
		return -EINVAL;
	*sp = '\0';
	*kind = p;
	p = sp + 1;
	if ((p[0] != '0' && p[0] != '1') || p[1] != ' ')
		return -EINVAL;
	*echo = p[0] == '1';
	*text = p + 2;
	return 1;
}
