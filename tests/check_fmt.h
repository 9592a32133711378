/*
 * check_fmt.h: the pass/fail counters and the CHECK(cond, fmt, ...) macro of
 * the unit tests that explain each failure in a printf-style message. Each
 * test prints "test_xxx: N passed, M failed" from these counters at the end.
 * Header-only; include it once per test program (check.h is the variant
 * without messages).
 */
#ifndef VPNC_TEST_CHECK_FMT_H
#define VPNC_TEST_CHECK_FMT_H

#include <stdio.h>

static unsigned passed, failed;

#define CHECK(cond, ...)                                            \
	do {                                                        \
		if (cond) {                                         \
			passed++;                                   \
		} else {                                            \
			failed++;                                   \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__);                        \
			printf("\n");                               \
		}                                                   \
	} while (0)

#endif
