/*
 * lex.h: the one OpenVPN word lexer. The config reader splits each profile
 * line with it, the PUSH_REPLY parser each pushed option (after splitting the
 * reply on ','), and the script runner each --up/--down command.
 *
 * The rule is OpenVPN 2.6's parse_line() (src/openvpn/options.c), which
 * OpenVPN uses for config lines and, through apply_push_options() in the same
 * file, for every comma-separated item of a PUSH_REPLY:
 *
 *  - Words are separated by white space (space, tab, CR, LF, VT, FF).
 *  - Where a new word could begin, '#' or ';' ends the line, even after a
 *    backslash ("\#" is a comment too, as in parse_line).
 *  - "..." groups words; inside it a backslash escapes '\', '"' or white space.
 *  - '...' groups words literally: no escapes at all inside.
 *  - Outside quotes a backslash escapes '\', '"' or white space. Any other
 *    escaped character is an error (parse_line's "Bad backslash usage").
 *    An escaped space where a word could begin is skipped, as in parse_line.
 *  - An unclosed quote is an error, and so is a backslash that ends an
 *    unquoted word at the end of the line (parse_line's "Residual parse
 *    state"); a backslash after the last word is ignored.
 *  - "" is an empty word.
 *
 * Where vpnc is stricter than parse_line: a word longer than VPNC_LEX_WORD_MAX
 * bytes, more than VPNC_LEX_MAX_WORDS words (parse_line silently drops the
 * extra ones) and a NUL byte (which ends parse_line's C string early) are
 * errors, never silent truncation.
 */
#ifndef VPNC_LEX_H
#define VPNC_LEX_H

#include <stddef.h>

#define VPNC_LEX_MAX_WORDS 16  /* words on one line, name included (OpenVPN MAX_PARMS) */
#define VPNC_LEX_WORD_MAX 256  /* bytes in one word (OpenVPN OPTION_PARM_SIZE) */

/* The words of one line; p[0..n-1] point into store, p[n] is NULL. */
struct vpnc_lex_words {
	char *p[VPNC_LEX_MAX_WORDS + 1];
	int n;
	char store[VPNC_LEX_MAX_WORDS * (VPNC_LEX_WORD_MAX + 1)];
};

/*
 * Splits line (len bytes, no newline needed) into w. Returns the number of
 * words (0 for a blank or comment line) or -EINVAL with *why set to a static
 * noun phrase ("a bad backslash escape ...") that reads after "has".
 */
int vpnc_lex_line(const char *line, size_t len, struct vpnc_lex_words *w, const char **why);

#endif
