/*
 * test_scrv1.c: the static-challenge password field (core/scrv1.h): the
 * SCRV1 form against base64 computed independently (Python's base64), the
 * concat form, empty parts, and a buffer one byte short (refused and wiped).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/scrv1.h"

#include "../check.h"

static void test_scrv1(void)
{
	char out[128];
	const char *want = "SCRV1:cGEgc3MsIHdvcmQ=:MTIzNDU2";
	size_t need = vpnc_scrv1_len(strlen("pa ss, word"), 6, false);

	CHECK(vpnc_scrv1_encode("pa ss, word", "123456", false, out, sizeof(out)) == (int)strlen(want));
	CHECK_STR(out, want);
	CHECK(need >= strlen(want) + 1);
	/* Exactly the room it says: fits; one byte less: -ENOSPC and nothing left behind. */
	CHECK(vpnc_scrv1_encode("pa ss, word", "123456", false, out, need) == (int)strlen(want));
	memset(out, 'x', sizeof(out));
	CHECK(vpnc_scrv1_encode("pa ss, word", "123456", false, out, strlen(want)) == -ENOSPC);
	CHECK(out[0] == '\0' && out[strlen(want) - 1] == '\0');
	/* Empty password and a one-byte response (padding). */
	CHECK(vpnc_scrv1_encode("", "a", false, out, sizeof(out)) == 11);
	CHECK_STR(out, "SCRV1::YQ==");
}

static void test_concat(void)
{
	char out[16];

	CHECK(vpnc_scrv1_encode("secret", "123456", true, out, sizeof(out)) == 12);
	CHECK_STR(out, "secret123456");
	CHECK(vpnc_scrv1_len(6, 6, true) == 13);
	CHECK(vpnc_scrv1_encode("secret", "123456", true, out, 12) == -ENOSPC);
	CHECK(vpnc_scrv1_encode("x", "y", true, out, 0) == -ENOSPC);
}

int main(void)
{
	test_scrv1();
	test_concat();
	printf("test_scrv1: %u passed, %u failed\n", passed, failed);
	return failed != 0;
}
