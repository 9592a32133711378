/*
 * fuzz_ctrlmsg.c: libFuzzer target for the control-message reassembler and
 * classifier (the text that arrives over TLS after key-method-2).
 *
 * Input: one byte that sets the piece size (1..256), then the byte stream.
 * The stream is fed once whole and once in pieces of that size. Invariants
 * (trap on failure): every message handed out is NUL-terminated, printable,
 * no longer than VPNC_CTRLMSG_MAX, and its classified argument lies inside
 * it; both feeds produce the same messages in the same order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctrlmsg.h"

#define FUZZ_MAX 65536

struct seen {
	uint64_t hash;
	unsigned good, bad;
};

static struct vpnc_ctrlmsg_rx rx;

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static void on_msg(void *ctx, const char *msg, size_t len)
{
	struct seen *s = ctx;
	if (msg == NULL) {
		check(len == 0);
		s->bad++;
		s->hash = s->hash * 31 + 7;
		return;
	}
	check(len > 0 && len <= VPNC_CTRLMSG_MAX && msg[len] == '\0' && strlen(msg) == len);
	for (size_t i = 0; i < len; i++)
		check(msg[i] >= 0x20 && msg[i] <= 0x7e);
	const char *arg = NULL;
	size_t alen = 0;
	enum vpnc_ctrlmsg_type t = vpnc_ctrlmsg_classify(msg, len, &arg, &alen);
	check(arg != NULL && (unsigned)t <= (unsigned)VPNC_MSG_EXIT);
	check(alen == 0 || (arg >= msg && arg + alen <= msg + len));
	s->good++;
	for (size_t i = 0; i < len; i++)
		s->hash = s->hash * 131 + (uint8_t)msg[i];
	s->hash = s->hash * 131 + (uint64_t)t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen whole = {0}, pieces = {0};

	if (size < 1 || size > FUZZ_MAX)
		return 0;
	size_t step = (size_t)data[0] + 1;
	data++;
	size--;

	vpnc_ctrlmsg_rx_init(&rx);
	int n = vpnc_ctrlmsg_feed(&rx, data, size, on_msg, &whole);
	check(n >= 0 && (unsigned)n == whole.good);

	vpnc_ctrlmsg_rx_init(&rx);
	for (size_t off = 0; off < size; off += step) {
		size_t len = size - off < step ? size - off : step;
		check(vpnc_ctrlmsg_feed(&rx, data + off, len, on_msg, &pieces) >= 0);
	}
	check(whole.good == pieces.good && whole.bad == pieces.bad && whole.hash == pieces.hash);
	vpnc_ctrlmsg_rx_wipe(&rx);
	return 0;
}
