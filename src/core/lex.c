/*
 * lex.c: splits one line into words by OpenVPN 2.6's parse_line() rule, for
 * the config reader, the PUSH_REPLY parser and the script runner. The rule,
 * and where vpnc is stricter, is written down in lex.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "vpnc/buf.h"
#include "core/lex.h"

enum lex_state {
	LEX_INITIAL,
	LEX_UNQUOTED,
	LEX_DQUOTED,
	LEX_SQUOTED,
};

/* Locale-independent white space, as isspace() in the C locale. */
static bool lex_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Ends the word being built; the caller has checked that there is room. */
static void lex_end_word(struct vpnc_lex_words *w, size_t *used, size_t wlen)
{
	char *start = w->store + *used;

	start[wlen] = '\0';
	w->p[w->n++] = start;
	*used += wlen + 1;
}

int vpnc_lex_line(const char *line, size_t len, struct vpnc_lex_words *w, const char **why)
{
	struct vpnc_rd rd;
	enum lex_state st = LEX_INITIAL;
	bool backslash = false;
	size_t used = 0, wlen = 0;
	uint8_t c;

	w->n = 0;
	w->p[0] = NULL;
	vpnc_rd_init(&rd, (const uint8_t *)line, len);
	while (vpnc_rd_u8(&rd, &c)) {
		int out = -1;
		bool end = false;

		if (c == '\0') {
			*why = "a NUL byte";
			return -EINVAL;
		}
		if (!backslash && c == '\\' && st != LEX_SQUOTED) {
			backslash = true;
			continue;
		}
		switch (st) {
		case LEX_INITIAL:
			/* As in OpenVPN, an escaped space here is skipped and an escaped '#' still comments. */
			if (lex_space(c))
				break;
			if (c == '#' || c == ';')
				goto done;
			if (!backslash && c == '"')
				st = LEX_DQUOTED;
			else if (!backslash && c == '\'')
				st = LEX_SQUOTED;
			else {
				out = c;
				st = LEX_UNQUOTED;
			}
			break;
		case LEX_UNQUOTED:
			if (!backslash && lex_space(c))
				end = true;
			else
				out = c;
			break;
		case LEX_DQUOTED:
			if (!backslash && c == '"')
				end = true;
			else
				out = c;
			break;
		case LEX_SQUOTED:
			if (c == '\'')
				end = true;
			else
				out = c;
			break;
		}
		if (backslash && out >= 0 && !(out == '\\' || out == '"' || lex_space((unsigned char)out))) {
			*why = "a bad backslash escape (write \\\\ for a backslash)";
			return -EINVAL;
		}
		backslash = false;
		if (out >= 0) {
			if (w->n >= VPNC_LEX_MAX_WORDS) {
				*why = "too many words (16 at most)";
				return -EINVAL;
			}
			if (wlen >= VPNC_LEX_WORD_MAX) {
				*why = "a word longer than 256 bytes";
				return -EINVAL;
			}
			w->store[used + wlen++] = (char)out;
		}
		if (end) {
			if (w->n >= VPNC_LEX_MAX_WORDS) {
				*why = "too many words (16 at most)";
				return -EINVAL;
			}
			lex_end_word(w, &used, wlen);
			wlen = 0;
			st = LEX_INITIAL;
		}
	}
done:
	if (st == LEX_DQUOTED) {
		*why = "no closing quotation mark (\")";
		return -EINVAL;
	}
	if (st == LEX_SQUOTED) {
		*why = "no closing quotation mark (')";
		return -EINVAL;
	}
	if (st == LEX_UNQUOTED && backslash) {
		*why = "a backslash at its end";
		return -EINVAL;
	}
	if (st == LEX_UNQUOTED) {
		if (w->n >= VPNC_LEX_MAX_WORDS) {
			*why = "too many words (16 at most)";
			return -EINVAL;
		}
		lex_end_word(w, &used, wlen);
	}
	w->p[w->n] = NULL;
	return w->n;
}
