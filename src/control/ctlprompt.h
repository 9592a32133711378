/*
 * ctlprompt.h: the control socket's two prompt lines (docs/prompts.md),
 * parsed without I/O so both ends and the fuzzer share them:
 *
 *   request  "answer ID TEXT"            (vpnc answer -> daemon, ctlsock.c)
 *   reply    "prompt ID KIND ECHO TEXT"  (daemon -> vpnc answer, cli_answer.c)
 *            "prompt none"
 */
#ifndef VPNC_CONTROL_CTLPROMPT_H
#define VPNC_CONTROL_CTLPROMPT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Parses an "answer ID TEXT" request (line: len bytes, no newline; one
 * trailing CR is dropped). TEXT is everything after the one blank that
 * follows ID, blanks kept; it may be empty. Returns 0 with *id (1..2^32-1),
 * *text pointing into line and *text_len, or -EINVAL (not that form) or
 * -EBADMSG (TEXT holds a NUL byte).
 */
int vpnc_ctl_parse_answer(const char *line, size_t len, unsigned *id, const char **text, size_t *text_len);

/*
 * Parses the daemon's reply to "prompt" (NUL-terminated; changed in place):
 * 1 and the fields (kind and text pointing into line) when a question
 * waits, 0 for "prompt none", -EINVAL for anything else.
 */
int vpnc_cli_parse_prompt(char *line, unsigned *id, bool *echo, const char **kind, const char **text);

#endif
