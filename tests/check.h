/*
 * check.h: the pass/fail counters and the CHECK/CHECK_STR macros of the unit
 * tests that report a failed condition by its source text. Each test prints
 * "test_xxx: N passed, M failed" from these counters at the end. Header-only;
 * include it once per test program. Tests that want a message of their own
 * per check use check_fmt.h instead.
 */
#ifndef VPNC_TEST_CHECK_H
#define VPNC_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int passed, failed;

#define CHECK(c)                                                                          \
	do {                                                                              \
		if (c) {                                                                  \
			passed++;                                                         \
		} else {                                                                  \
			failed++;                                                         \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); \
		}                                                                         \
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
