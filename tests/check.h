/*
 * check.h: the pass/fail counters and the CHECK/CHECK_STR macros of every unit
 * test. CHECK(cond) reports a failed condition by its source text;
 * CHECK(cond, fmt, ...) adds a printf-style message. Each test prints
 * "test_xxx: N passed, M failed" from these counters at the end. Header-only;
 * include it once per test program.
 */
#ifndef VPNC_TEST_CHECK_H
#define VPNC_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static unsigned passed, failed;

/* The message arguments are evaluated only when the check fails. */
#define CHECK(cond, ...)                                                                         \
	do {                                                                                     \
		if (cond) {                                                                      \
			passed++;                                                                \
		} else {                                                                         \
			failed++;                                                                \
			fprintf(stderr, "%s:%d: CHECK(%s) failed", __FILE__, __LINE__, #cond);   \
			__VA_OPT__(fprintf(stderr, ": "); fprintf(stderr, __VA_ARGS__);)         \
			fputc('\n', stderr);                                                     \
		}                                                                                \
	} while (0)

/* Two strings are equal; a NULL on either side fails. */
#define CHECK_STR(a, b)                                                                   \
	do {                                                                              \
		const char *a_ = (a), *b_ = (b);                                          \
		if (a_ != NULL && b_ != NULL && strcmp(a_, b_) == 0) {                    \
			passed++;                                                         \
		} else {                                                                  \
			failed++;                                                         \
			fprintf(stderr, "%s:%d: got '%s', want '%s'\n", __FILE__, __LINE__, \
			        a_ ? a_ : "(null)", b_ ? b_ : "(null)");                  \
		}                                                                         \
	} while (0)

#endif
