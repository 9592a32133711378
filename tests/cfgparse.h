/*
 * cfgparse.h: parsing profile text in the config tests: parse() into err,
 * parse_ok() (must load), parse_err() (must fail with exactly this message)
 * and parse_err_prefix(). Notes go to note_to (NULL: none); parse_reset, when
 * set, runs before each parse (e.g. to empty a notes buffer).
 */
#ifndef VPNC_TESTS_CFGPARSE_H
#define VPNC_TESTS_CFGPARSE_H

#include <stdio.h>
#include <string.h>

#include "vpnc/config.h"

#include "check.h"

static char err[512];
static const struct vpnc_config_notes *note_to;
static void (*parse_reset)(void);

static struct vpnc_config *parse(const char *text, int *ret)
{
	struct vpnc_config *c = NULL;

	if (parse_reset != NULL)
		parse_reset();
	*ret = vpnc_config_parse_text("t.ovpn", text, strlen(text), note_to, &c, err, sizeof(err));
	return c;
}

__attribute__((unused)) static struct vpnc_config *parse_ok(const char *text)
{
	int ret;
	struct vpnc_config *c = parse(text, &ret);

	if (ret != 0 || c == NULL)
		fprintf(stderr, "unexpected error: %s\n", err);
	CHECK(ret == 0 && c != NULL);
	return c;
}

/* Parses text that must fail, and compares the message. */
__attribute__((unused)) static void parse_err(const char *text, const char *want, int line)
{
	int ret;
	struct vpnc_config *c = parse(text, &ret);

	if (ret >= 0 || c != NULL || strcmp(err, want) != 0)
		fprintf(stderr, "test line %d: ret %d, got '%s', want '%s'\n", line, ret, err, want);
	CHECK(ret < 0 && c == NULL && strcmp(err, want) == 0);
	vpnc_config_free(c);
}

__attribute__((unused)) static void parse_err_prefix(const char *text, const char *want, int line)
{
	int ret;
	struct vpnc_config *c = parse(text, &ret);

	if (ret >= 0 || strncmp(err, want, strlen(want)) != 0)
		fprintf(stderr, "test line %d: ret %d, got '%s', want prefix '%s'\n", line, ret, err, want);
	CHECK(ret < 0 && c == NULL && strncmp(err, want, strlen(want)) == 0);
	vpnc_config_free(c);
}

#endif
