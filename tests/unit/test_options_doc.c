/*
 * test_options_doc.c: keeps docs/options.md and the option table in
 * src/config/cfg_options.c in step.
 *
 * The page has three sections, "## Supported", "## Accepted and ignored" and
 * "## Refused"; each holds Markdown tables whose first cell names options in
 * backquotes (`name ARGS`, the name being the first word; `prefix*` for a
 * prefix entry). Every table entry must be named exactly once, in the section
 * of its set; a name in a section that the table does not know, or that the
 * table puts in another set, is an error; an ignored option's row must carry
 * a note. Text outside table rows (and "###" sub-headings) is free prose.
 * The checker is also run on broken pages, to show that it can fail.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_internal.h"

#define DOC_PATH "../docs/options.md"
#define DOC_MAX (1024 * 1024) /* the page is far smaller; anything larger is an error */
#define OPT_MAX 512           /* table entries this test can track */
#define NAME_MAX_LEN 64       /* longest option name in a doc cell */
#define SET_NONE (-1)
#define SET_COUNT 3

#include "../check.h"

static bool quiet; /* set while broken pages are checked: their problems are expected */

static const char *const set_heading[SET_COUNT] = {
	"## Supported",
	"## Accepted and ignored",
	"## Refused",
};
static const char *const set_name[SET_COUNT] = {"Supported", "Accepted and ignored", "Refused"};

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void report(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* One table entry and how often the page names it. */
struct opt {
	const char *name;
	int set;
	const char *note;
	int seen;
	int seen_line; /* the row that named it last: one row may name it twice */
};

struct table {
	struct opt o[OPT_MAX];
	size_t n;
	bool overflow; /* too many entries, or one this test cannot place */
};

static int collect(void *ctx, const char *name, int set, const char *note)
{
	struct table *t = ctx;

	if (t->n >= OPT_MAX || set < 0 || set >= SET_COUNT || name == NULL) {
		t->overflow = true;
		return -ENOSPC;
	}
	t->o[t->n++] = (struct opt){.name = name, .set = set, .note = note};
	return 0;
}

static struct opt *find(struct table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->o[i].name, name) == 0)
			return &t->o[i];
	return NULL;
}

/* Whether a cell has something other than spaces. */
static bool cell_has_text(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return true;
	return false;
}

/*
 * Finds the end of the first cell of a row "| a | b |": the next '|' that is
 * not escaped ("\|") and not inside backquotes. Returns its offset, or len.
 */
static size_t cell_end(const char *s, size_t len)
{
	bool code = false;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '`')
			code = !code;
		else if (s[i] == '\\' && i + 1 < len)
			i++;
		else if (s[i] == '|' && !code)
			return i;
	}
	return len;
}

/* Checks one table row of section `set`; returns the number of problems. */
static int check_row(struct table *t, int set, const char *row, size_t len, int lineno)
{
	const char *cell = row + 1, *rest;
	size_t clen, rlen;
	int problems = 0;

	if (len < 2 || row[0] != '|')
		return 0;
	clen = cell_end(cell, len - 1);
	rest = cell + clen;
	rlen = len - 1 - clen;
	/* The header row and the |---| separator name no options. */
	if (memchr(cell, '`', clen) == NULL)
		return 0;
	for (size_t i = 0; i < clen; i++) {
		char name[NAME_MAX_LEN + 1];
		size_t start, k = 0;
		struct opt *o;

		if (cell[i] != '`')
			continue;
		start = ++i;
		while (i < clen && cell[i] != '`')
			i++;
		if (i >= clen) {
			report("options.md:%d: unclosed backquote\n", lineno);
			return problems + 1;
		}
		/* The option name is the first word of the code span. */
		while (start + k < i && cell[start + k] != ' ' && k < NAME_MAX_LEN) {
			name[k] = cell[start + k];
			k++;
		}
		name[k] = '\0';
		if (k > 0 && name[k - 1] == '*')
			name[--k] = '\0';
		if (k == 0)
			continue;
		o = find(t, name);
		if (o == NULL) {
			report("options.md:%d: '%s' (under %s) is not in the option table\n", lineno,
			        name, set_name[set]);
			problems++;
			continue;
		}
		if (o->seen_line == lineno)
			continue;
		o->seen_line = lineno;
		o->seen++;
		if (o->seen > 1) {
			report("options.md:%d: '%s' is listed more than once\n", lineno, name);
			problems++;
		}
		if (o->set != set) {
			report("options.md:%d: '%s' is listed under %s, the table says %s\n",
			        lineno, name, set_name[set], set_name[o->set]);
			problems++;
		}
		/* An ignored option says why: its row has a second cell with text. */
		if (o->set == 1 && set == 1) {
			bool note = false;

			if (rlen >= 2)
				note = cell_has_text(rest + 1, cell_end(rest + 1, rlen - 1));
			if (!note) {
				report("options.md:%d: ignored option '%s' has no note\n", lineno,
				        name);
				problems++;
			}
		}
	}
	return problems;
}

/* Checks a whole page against the table; returns the number of problems. */
static int check_doc(const char *doc, size_t len)
{
	static struct table t;
	int problems = 0, set = SET_NONE, lineno = 0;
	bool sections[SET_COUNT] = {false};
	size_t pos = 0;

	memset(&t, 0, sizeof(t));
	if (vpnc_cfg_option_foreach(collect, &t) != 0 || t.overflow || t.n == 0) {
		report("could not read the option table\n");
		return 1;
	}
	while (pos < len) {
		const char *line = doc + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t llen = nl != NULL ? (size_t)(nl - line) : len - pos;

		pos += llen + (nl != NULL);
		lineno++;
		if (llen > 0 && line[llen - 1] == '\r')
			llen--;
		if (llen >= 3 && memcmp(line, "## ", 3) == 0) {
			set = SET_NONE;
			for (int s = 0; s < SET_COUNT; s++) {
				size_t hl = strlen(set_heading[s]);

				if (llen >= hl && memcmp(line, set_heading[s], hl) == 0) {
					set = s;
					sections[s] = true;
				}
			}
			continue;
		}
		if (set != SET_NONE && llen > 0 && line[0] == '|')
			problems += check_row(&t, set, line, llen, lineno);
	}
	for (int s = 0; s < SET_COUNT; s++) {
		if (!sections[s]) {
			report("options.md: no section '%s'\n", set_heading[s]);
			problems++;
		}
	}
	for (size_t i = 0; i < t.n; i++) {
		if (t.o[i].seen == 0) {
			report("options.md: '%s' (%s in the table) is not listed\n", t.o[i].name,
			        set_name[t.o[i].set]);
			problems++;
		}
	}
	return problems;
}

static char *read_doc(size_t *len)
{
	FILE *f = fopen(DOC_PATH, "rb");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	buf = malloc(DOC_MAX + 1);
	if (buf == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, DOC_MAX + 1, f);
	fclose(f);
	if (n == 0 || n > DOC_MAX) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Returns a copy of doc with the first `from` replaced by `to`, or NULL. */
static char *replace(const char *doc, size_t len, const char *from, const char *to, size_t *outlen)
{
	const char *at = strstr(doc, from);
	size_t fl = strlen(from), tl = strlen(to), head;
	char *out;

	if (at == NULL)
		return NULL;
	head = (size_t)(at - doc);
	out = malloc(len - fl + tl + 1);
	if (out == NULL)
		return NULL;
	memcpy(out, doc, head);
	memcpy(out + head, to, tl);
	memcpy(out + head + tl, at + fl, len - head - fl + 1);
	*outlen = len - fl + tl;
	return out;
}

/* The real page matches the table. */
static void test_doc_matches(const char *doc, size_t len)
{
	CHECK(check_doc(doc, len) == 0);
}

/* The table itself: every set is used, ignored entries have notes, others do not. */
static void test_table_shape(void)
{
	static struct table t;
	int count[SET_COUNT] = {0};
	bool notes_ok = true;

	memset(&t, 0, sizeof(t));
	CHECK(vpnc_cfg_option_foreach(collect, &t) == 0 && !t.overflow);
	for (size_t i = 0; i < t.n; i++) {
		if (t.o[i].set < 0 || t.o[i].set >= SET_COUNT)
			continue;
		count[t.o[i].set]++;
		/* Ignored entries say why; refused ones may say what to use instead (RN). */
		if ((t.o[i].set == 1 && t.o[i].note == NULL) || (t.o[i].set == 0 && t.o[i].note != NULL))
			notes_ok = false;
	}
	CHECK(count[0] > 0 && count[1] > 0 && count[2] > 0);
	CHECK(notes_ok);
	CHECK(find(&t, "client") != NULL && find(&t, "client")->set == 0);
	CHECK(find(&t, "vlan-tagging") != NULL && find(&t, "vlan-tagging")->set == 2);
}

static int stop_after_one(void *ctx, const char *name, int set, const char *note)
{
	(*(int *)ctx)++;
	return 7;
}

/* The iterator stops at the first non-zero return and passes it on. */
static void test_foreach_stops(void)
{
	int calls = 0;

	CHECK(vpnc_cfg_option_foreach(stop_after_one, &calls) == 7);
	CHECK(calls == 1);
}

/* Broken pages are caught: each mutation must give at least one problem. */
static void test_checker_fails(const char *doc, size_t len)
{
	static const struct {
		const char *from, *to;
	} cases[] = {
		/* A supported option renamed: unknown name, and the real one missing. */
		{"| `client`", "| `clientx`"},
		/* A refused option moved to the supported section. */
		{"## Supported\n", "## Supported\n\n| `secret` | wrong |\n"},
		/* A supported option listed twice. */
		{"## Supported\n", "## Supported\n\n| `client` | again |\n"},
		/* An ignored option without its note. */
		{"| `persist-remote-ip` |", "| `persist-remote-ip` | |\n|"},
		/* A section heading missing. */
		{"## Refused", "## Rejected"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t blen = 0;
		char *bad = replace(doc, len, cases[i].from, cases[i].to, &blen);

		CHECK(bad != NULL);
		if (bad == NULL)
			continue;
		quiet = true;
		CHECK(check_doc(bad, blen) > 0);
		quiet = false;
		free(bad);
	}
	/* An empty page misses every option and every section. */
	quiet = true;
	CHECK(check_doc("", 0) > SET_COUNT);
	quiet = false;
}

int main(void)
{
	size_t len = 0;
	char *doc = read_doc(&len);

	test_table_shape();
	test_foreach_stops();
	CHECK(doc != NULL);
	if (doc != NULL) {
		fprintf(stderr, "checking %s\n", DOC_PATH);
		test_doc_matches(doc, len);
		test_checker_fails(doc, len);
		free(doc);
	}
	printf("test_options_doc: %u passed, %u failed\n", passed, failed);
	return failed != 0;
}
