/*
 * test_hex.c: the hex encoder (hex.h): RFC 4648 section 10's base16 vectors
 * (in lowercase, as vpnc writes hex), every byte value, and the room check.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/hex.h"

#include "../check.h"

int main(void)
{
	static const char *const vec[][2] = {
		{"", ""}, {"f", "66"}, {"fo", "666f"}, {"foo", "666f6f"}, {"foobar", "666f6f626172"},
	};
	char out[16];
	uint8_t all[256];
	char big[513];

	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		CHECK(vpnc_hex_encode(vec[i][0], strlen(vec[i][0]), out, sizeof(out)) == (int)strlen(vec[i][1]));
		CHECK_STR(out, vec[i][1]);
	}
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	CHECK(vpnc_hex_encode(all, sizeof(all), big, sizeof(big)) == 512);
	CHECK(memcmp(big, "000102", 6) == 0 && memcmp(big + 20, "0a0b", 4) == 0 && strcmp(big + 506, "fdfeff") == 0);
	/* The NUL must fit too; a refusal leaves out alone. */
	memset(out, 'x', sizeof(out));
	CHECK(vpnc_hex_encode("ab", 2, out, 4) == -ENOSPC && out[0] == 'x');
	CHECK(vpnc_hex_encode("ab", 2, out, 5) == 4 && out[4] == '\0');
	CHECK(vpnc_hex_encode("", 0, out, 0) == -ENOSPC);
	printf("test_hex: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
