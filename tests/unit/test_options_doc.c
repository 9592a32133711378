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
 *
 * It also keeps vpnc(8)'s section "WHAT A PROFILE CAN DO", which says it
 * names everything a profile can do beyond the tunnel, in step with the
 * table's trust column: every supported or ignored option whose class is not
 * UT_OK (runs a program, loads code, reads or writes a file, creates a
 * socket, changes the user, the firewall or a mark, ...) must be named in
 * bold (.B, the bold words of .BR, or \fB...\fP) in that section.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_internal.h"

#define DOC_PATH "../docs/options.md"
#define MAN_PATH "../docs/vpnc.8"
#define MAN_SECTION ".SH WHAT A PROFILE CAN DO\n"
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

static char *read_doc(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
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

/* ---- vpnc(8), WHAT A PROFILE CAN DO ---- */

#define BOLD_MAX 512 /* bold words the section may hold */

struct bold {
	char w[BOLD_MAX][NAME_MAX_LEN + 1];
	size_t n;
	bool overflow;
};

/*
 * Adds the words of one bold run of roff text (s, len): "\-" is '-', other
 * escapes end a word, and after a font change other than "\fB" ("\fI",
 * "\fR", "\fP") the words are not bold until the next "\fB".
 */
static void bold_add(struct bold *b, const char *s, size_t len)
{
	char word[NAME_MAX_LEN + 1];
	size_t k = 0;
	bool on = true;

	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? s[i] : ' ';

		if (c == '\\' && i + 1 < len && s[i + 1] == '-') {
			c = '-';
			i++;
		} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		             c == '_')) {
			if (k > 0 && on) {
				word[k] = '\0';
				if (b->n < BOLD_MAX)
					memcpy(b->w[b->n++], word, k + 1);
				else
					b->overflow = true;
			}
			k = 0;
			/* A font change, or another escape ("\(em", "\&"), skipped with its name. */
			if (c == '\\' && i + 2 < len && s[i + 1] == 'f') {
				on = s[i + 2] == 'B';
				i += 2;
			} else if (c == '\\' && i + 1 < len) {
				i += s[i + 1] == '(' ? 3 : 1;
			}
			continue;
		}
		if (k < NAME_MAX_LEN)
			word[k++] = c;
	}
}

/* The arguments of a macro line: blank-separated, "double quotes" group. Calls bold_add on the bold ones. */
static void bold_macro(struct bold *b, const char *args, size_t len, bool alternate)
{
	size_t i = 0;
	int idx = 0;

	while (i < len) {
		size_t start, end;

		while (i < len && args[i] == ' ')
			i++;
		if (i >= len)
			break;
		if (args[i] == '"') {
			start = ++i;
			while (i < len && args[i] != '"')
				i++;
			end = i++;
		} else {
			start = i;
			while (i < len && args[i] != ' ')
				i++;
			end = i;
		}
		if (!alternate || idx % 2 == 0)
			bold_add(b, args + start, end - start);
		idx++;
	}
}

/* The bold words of the section; returns false if the page has no such section. */
static bool bold_words(const char *man, size_t len, struct bold *b)
{
	const char *sec = strstr(man, MAN_SECTION), *end;
	size_t pos;

	b->n = 0;
	b->overflow = false;
	if (sec == NULL)
		return false;
	sec += strlen(MAN_SECTION);
	end = strstr(sec, "\n.SH ");
	len = end != NULL ? (size_t)(end - sec) : len - (size_t)(sec - man);
	for (pos = 0; pos < len;) {
		const char *line = sec + pos, *nl = memchr(line, '\n', len - pos);
		size_t llen = nl != NULL ? (size_t)(nl - line) : len - pos;

		pos += llen + 1;
		if (llen >= 3 && memcmp(line, ".B ", 3) == 0)
			bold_macro(b, line + 3, llen - 3, false);
		else if (llen >= 4 && memcmp(line, ".BR ", 4) == 0)
			bold_macro(b, line + 4, llen - 4, true);
		/* Inline bold: \fB up to the next font change. */
		for (size_t i = 0; i + 2 < llen; i++) {
			if (line[i] != '\\' || line[i + 1] != 'f' || line[i + 2] != 'B')
				continue;
			size_t j = i + 3;

			while (j + 1 < llen && !(line[j] == '\\' && line[j + 1] == 'f'))
				j++;
			bold_add(b, line + i + 3, (j + 1 < llen ? j : llen) - (i + 3));
			i = j;
		}
	}
	return true;
}

struct man_ctx {
	const struct bold *b;
	int problems;
};

static int man_check_one(void *ctx, const char *name, int set, const char *note)
{
	struct man_ctx *m = ctx;
	bool found = false;

	(void)note;
	/* Refused options do nothing; UT_OK ones only shape the tunnel. */
	if (set == 2 || vpnc_cfg_trust(name) == UT_OK)
		return 0;
	for (size_t i = 0; i < m->b->n && !found; i++)
		found = strcmp(m->b->w[i], name) == 0;
	if (!found) {
		report("vpnc.8: '%s' (trust class %d) is not named in WHAT A PROFILE CAN DO\n", name,
		       vpnc_cfg_trust(name));
		m->problems++;
	}
	return 0;
}

/* Checks a man page; returns the number of problems. */
static int check_man(const char *man, size_t len)
{
	static struct bold b;
	struct man_ctx m = {&b, 0};

	if (!bold_words(man, len, &b)) {
		report("vpnc.8: no section WHAT A PROFILE CAN DO\n");
		return 1;
	}
	if (b.overflow) {
		report("vpnc.8: more than %d bold words in WHAT A PROFILE CAN DO\n", BOLD_MAX);
		return 1;
	}
	if (vpnc_cfg_option_foreach(man_check_one, &m) != 0)
		return m.problems + 1;
	return m.problems;
}

/* The real page names every such option; broken pages are caught. */
static void test_man_section(const char *man, size_t len)
{
	static const struct {
		const char *from, *to;
	} cases[] = {
		/* An option named, but not in bold. */
		{".B replay\\-persist\n", "replay\\-persist\n"},
		/* One dropped from a .BR list (a bold word of .BR). */
		{"\" tls\\-crypt\\-v2 \", \" secret", "\" tls\\-crypt\\-v2 \", \" \\fIsecret\\fP"},
		/* The loading of code not mentioned at all. */
		{".B pkcs11\\-providers\n", ".B libraries\n"},
		/* The section renamed. */
		{MAN_SECTION, ".SH WHAT IT CAN DO\n"},
	};
	static const char sample[] = ".SH WHAT A PROFILE CAN DO\n.BR up \", \" route\\-up \" and \" down\n"
	                             "text \\fBlog\\-append\\fP more\n.B \"privsep no\"\n.SH NEXT\n.B user\n";
	static struct bold b;

	CHECK(check_man(man, len) == 0);
	/* The parser itself: words of .B, the bold half of .BR, and \fB. */
	CHECK(bold_words(sample, sizeof(sample) - 1, &b));
	CHECK(b.n == 6 && strcmp(b.w[0], "up") == 0 && strcmp(b.w[1], "route-up") == 0 &&
	      strcmp(b.w[2], "down") == 0 && strcmp(b.w[3], "log-append") == 0 && strcmp(b.w[4], "privsep") == 0 &&
	      strcmp(b.w[5], "no") == 0, "%zu bold words", b.n);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t blen = 0;
		char *bad = replace(man, len, cases[i].from, cases[i].to, &blen);

		CHECK(bad != NULL, "case %zu", i);
		if (bad == NULL)
			continue;
		quiet = true;
		CHECK(check_man(bad, blen) > 0, "case %zu", i);
		quiet = false;
		free(bad);
	}
}

int main(void)
{
	size_t len = 0;
	char *doc = read_doc(DOC_PATH, &len);

	test_table_shape();
	test_foreach_stops();
	CHECK(doc != NULL);
	if (doc != NULL) {
		fprintf(stderr, "checking %s\n", DOC_PATH);
		test_doc_matches(doc, len);
		test_checker_fails(doc, len);
		free(doc);
	}
	doc = read_doc(MAN_PATH, &len);
	CHECK(doc != NULL);
	if (doc != NULL) {
		fprintf(stderr, "checking %s\n", MAN_PATH);
		test_man_section(doc, len);
		free(doc);
	}
	printf("test_options_doc: %u passed, %u failed\n", passed, failed);
	return failed != 0;
}
