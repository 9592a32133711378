/*
 * logesc.c: escaping peer-supplied text for log lines (see logesc.h).
 */
#include "core/hex.h"
#include "core/logesc.h"

size_t vpnc_log_escape(char *out, size_t cap, const char *in, size_t len)
{
	size_t o = 0;

	if (cap == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c >= 0x20 && c <= 0x7e && c != '\\') {
			if (o + 1 >= cap)
				break;
			out[o++] = (char)c;
		} else if (c == '\\') {
			if (o + 2 >= cap)
				break;
			out[o++] = '\\';
			out[o++] = '\\';
		} else {
			if (o + 4 >= cap)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			o += (size_t)vpnc_hex_encode(&c, 1, out + o, cap - o);
		}
	}
	out[o] = '\0';
	return o;
}
