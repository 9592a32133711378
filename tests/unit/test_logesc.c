/*
 * test_logesc.c: escaping peer-supplied text for log lines: every byte
 * value, the backslash, newlines that would forge a journal line, and
 * truncation that never cuts an escape in half.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/logesc.h"

#include "../check.h"

static const char *esc(const char *in, size_t len, size_t cap)
{
	static char out[1024];

	vpnc_log_escape(out, cap, in, len);
	return out;
}

int main(void)
{
	char all[256], big[256 * VPNC_LOGESC_MAX_PER_BYTE + 1];

	CHECK_STR(esc("hello, world", 12, 64), "hello, world");
	CHECK_STR(esc("a\nb\rc", 5, 64), "a\\x0ab\\x0dc");
	CHECK_STR(esc("line\n<3>forged", 14, 64), "line\\x0a<3>forged");
	CHECK_STR(esc("\x1b[2J\x7f", 5, 64), "\\x1b[2J\\x7f");
	CHECK_STR(esc("caf\xc3\xa9", 5, 64), "caf\\xc3\\xa9");
	CHECK_STR(esc("back\\slash \\x0a", 15, 64), "back\\\\slash \\\\x0a");
	CHECK_STR(esc("a\0b", 3, 64), "a\\x00b");
	/* Cut at a whole escape: "ab" and the 4-byte escape do not fit in 6 with the NUL. */
	CHECK_STR(esc("ab\ncd", 5, 6), "ab");
	CHECK_STR(esc("ab\ncd", 5, 7), "ab\\x0a");
	CHECK_STR(esc("a\\b", 3, 3), "a");
	CHECK(vpnc_log_escape(big, 0, "x", 1) == 0);
	CHECK(vpnc_log_escape(big, 1, "x", 1) == 0 && big[0] == '\0');

	/* Every byte value: the output is printable ASCII only and has the expected length. */
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	size_t n = vpnc_log_escape(big, sizeof(big), all, sizeof(all));
	size_t want = 0;
	for (int i = 0; i < 256; i++)
		want += i == '\\' ? 2 : (i >= 0x20 && i <= 0x7e) ? 1 : 4;
	CHECK(n == want && strlen(big) == n);
	bool printable = true;
	for (size_t i = 0; i < n; i++)
		printable &= big[i] >= 0x20 && big[i] <= 0x7e;
	CHECK(printable);
	printf("test_logesc: %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
