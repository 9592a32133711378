/*
 * fuzz_replay_image.c: libFuzzer target for the 'replay-persist' file's
 * image (vpnc_replay_image_decode(), engine.h), which vpnc reads from a
 * file at start, and the window it restores.
 *
 * Input: the file's first bytes, handed over in a buffer of exactly their
 * size (so ASan sees any read past the end). Invariants (trap on failure):
 * only a whole 16-byte image with a positive time decodes; a decoded state encodes
 * back to the same first 12 bytes when its time fits 32 bits; a window
 * restored from it rejects that id at that time and accepts the next.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/replay.h"
#include "vpnc/engine.h"

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vpnc_replay r;
	uint8_t *f = malloc(size ? size : 1), img[VPNC_REPLAY_IMAGE_LEN];
	uint32_t t, id;
	int64_t raw;

	if (f == NULL)
		return 0;
	memcpy(f, data, size);
	if (vpnc_replay_image_decode(f, size, &t, &id)) {
		check(size == VPNC_REPLAY_IMAGE_LEN);
		memcpy(&raw, f, 8);
		check(raw > 0);
		vpnc_replay_image_encode(img, t, id);
		check(raw < 0 || raw > (int64_t)UINT32_MAX || memcmp(img, f, 12) == 0);
		vpnc_replay_init(&r);
		vpnc_replay_set_window(&r, 64);
		vpnc_replay_restore(&r, t, id);
		if (id != 0) {
			check(vpnc_replay_check(&r, id, t) != 0);
			check(id == UINT32_MAX || vpnc_replay_check(&r, id + 1, t) == 0);
		}
	}
	free(f);
	return 0;
}
