/*
 * fuzz_lex.c: libFuzzer target for the one word lexer (src/core/lex.c) and
 * its two parsing callers, the config reader and the PUSH_REPLY parser. The
 * input is split at '\n'; for each line:
 *
 *  - vpnc_lex_line() keeps its limits: at most VPNC_LEX_MAX_WORDS words, each
 *    at most VPNC_LEX_WORD_MAX bytes, p[n] NULL, the words inside the store
 *    one after the other; a refusal has a reason. The same line gives the same
 *    words again, and the words written back as "..." (with \\ and \") split
 *    into the same words.
 *  - "dhcp-option DOMAIN " and the line goes to both callers: as one pushed
 *    item and as a profile line (one CR before the newline dropped first, as
 *    the config reader does). When the lexer refuses it, both refuse it with
 *    the lexer's reason; otherwise both keep the same domain or both refuse.
 *    Only lines a PUSH_REPLY can carry are compared (printable, no ',', an
 *    item of at most 255 characters).
 *
 * The script runner's splitter (src/daemon/script_env.c) is in the program,
 * not the library; test_script checks it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lex.h"
#include "vpnc/config.h"
#include "vpnc/push.h"

#define FUZZ_PREFIX "dhcp-option DOMAIN "
#define FUZZ_BASE "client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote vpn.example.org\n"
#define FUZZ_LINE_NO "7" /* the profile line after FUZZ_BASE */
#define FUZZ_ITEM_MAX 255 /* push.c's PUSH_ITEM_MAX */

static struct vpnc_lex_words fuzz_w, fuzz_w2;
static char fuzz_reason[160];

static void fuzz_push_log(void *ctx, const char *option, const char *reason)
{
	(void)ctx;
	(void)option;
	snprintf(fuzz_reason, sizeof(fuzz_reason), "%s", reason);
}

/* The lexer's limits on one result, and the same result for the same line. */
static int fuzz_lex_checked(const char *line, size_t len, struct vpnc_lex_words *w, const char **why)
{
	const char *why2 = NULL;
	int n, n2;

	*why = NULL;
	n = vpnc_lex_line(line, len, w, why);
	n2 = vpnc_lex_line(line, len, &fuzz_w2, &why2);
	if (n != n2)
		abort();
	if (n < 0) {
		if (*why == NULL || (*why)[0] == '\0' || why2 == NULL || strcmp(*why, why2) != 0)
			abort();
		return n;
	}
	if (n > VPNC_LEX_MAX_WORDS || w->n != n || w->p[n] != NULL)
		abort();
	const char *next = w->store;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(w->p[i]);

		if (w->p[i] != next || l > VPNC_LEX_WORD_MAX || strcmp(w->p[i], fuzz_w2.p[i]) != 0)
			abort();
		next = w->p[i] + l + 1;
		if (next > w->store + sizeof(w->store))
			abort();
	}
	return n;
}

/* The words written back with double quotes split into the same words. */
static void fuzz_requote(const struct vpnc_lex_words *w)
{
	static char line[VPNC_LEX_MAX_WORDS * (2 * VPNC_LEX_WORD_MAX + 3)];
	static struct vpnc_lex_words back;
	const char *why = NULL;
	size_t o = 0;

	for (int i = 0; i < w->n; i++) {
		line[o++] = '"';
		for (const char *c = w->p[i]; *c != '\0'; c++) {
			if (*c == '\\' || *c == '"')
				line[o++] = '\\';
			line[o++] = *c;
		}
		line[o++] = '"';
		line[o++] = ' ';
	}
	if (vpnc_lex_line(line, o, &back, &why) != w->n)
		abort();
	for (int i = 0; i < w->n; i++)
		if (strcmp(back.p[i], w->p[i]) != 0)
			abort();
}

/* The same item through the PUSH_REPLY parser and the config reader. */
static void fuzz_callers(const char *line, size_t len)
{
	static char item[sizeof(FUZZ_PREFIX) + FUZZ_ITEM_MAX];
	static char text[sizeof(FUZZ_BASE) + sizeof(item) + 1];
	static struct vpnc_lex_words w;
	static struct vpnc_push p;
	char err[512], want[256];
	struct vpnc_config *c = NULL;
	size_t ilen = sizeof(FUZZ_PREFIX) - 1 + len;

	if (ilen > FUZZ_ITEM_MAX)
		return;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e || line[i] == ',')
			return;
	memcpy(item, FUZZ_PREFIX, sizeof(FUZZ_PREFIX) - 1);
	memcpy(item + sizeof(FUZZ_PREFIX) - 1, line, len);
	item[ilen] = '\0';
	const char *why;
	int n = fuzz_lex_checked(item, ilen, &w, &why);

	vpnc_push_init(&p);
	fuzz_reason[0] = '\0';
	if (vpnc_push_parse(&p, item, ilen, fuzz_push_log, NULL) != 0)
		abort(); /* printable, no ',': one item, refused or kept, never the whole reply */
	bool push_ok = p.n_rejected == 0 && p.n_domains == 1;

	int tl = snprintf(text, sizeof(text), "%s%s\n", FUZZ_BASE, item);
	int r = vpnc_config_parse_text("fuzz.ovpn", text, (size_t)tl, NULL, &c, err, sizeof(err));
	bool cfg_ok = r == 0 && c != NULL && c->net != NULL && c->net->n_domains == 1;

	if (n < 0) {
		/* Both refuse the line, with the lexer's reason. */
		snprintf(want, sizeof(want), "fuzz.ovpn:" FUZZ_LINE_NO ": the line has %s", why);
		if (p.n_rejected != 1 || strcmp(fuzz_reason, why) != 0 || r == 0 || strcmp(err, want) != 0)
			abort();
	} else if (push_ok != cfg_ok || (push_ok && strcmp(p.domains[0], c->net->domains[0]) != 0) ||
	           (push_ok && (n != 3 || strcmp(p.domains[0], w.p[2]) != 0))) {
		abort();
	}
	if (r == 0)
		vpnc_config_free(c);
	vpnc_push_clear(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t start = 0;

	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		const char *line = (const char *)data + start;
		size_t len = i - start;

		const char *why;

		start = i + 1;
		if (fuzz_lex_checked(line, len, &fuzz_w, &why) >= 0)
			fuzz_requote(&fuzz_w);
		if (len > 0 && line[len - 1] == '\r')
			len--;
		fuzz_callers(line, len);
	}
	return 0;
}
