/*
 * test_replay.c: the replay window (64 entries by default, up to 65536),
 * boundaries and time handling, plus randomised comparisons against a naive
 * reference model.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/replay.h"
#include "vpnc/engine.h"

#include "../check.h"

/* Checks then adds, the way a receiver uses the window. */
static int accept(struct vpnc_replay *r, uint32_t id, uint32_t t)
{
	int ret = vpnc_replay_check(r, id, t);
	if (ret == 0)
		vpnc_replay_add(r, id, t);
	return ret;
}

static void test_basic(void)
{
	struct vpnc_replay r;
	vpnc_replay_init(&r);
	CHECK(vpnc_replay_check(&r, 0, 0) == -EBADMSG); /* id 0 always rejected */
	CHECK(accept(&r, 1, 0) == 0);
	CHECK(accept(&r, 1, 0) == -EBADMSG); /* duplicate of the highest */
	CHECK(accept(&r, 0, 0) == -EBADMSG);
	CHECK(accept(&r, 2, 0) == 0);
	CHECK(accept(&r, 5, 0) == 0);
	CHECK(accept(&r, 4, 0) == 0);       /* out of order, once */
	CHECK(accept(&r, 4, 0) == -EBADMSG);
	CHECK(accept(&r, 3, 0) == 0);
	CHECK(accept(&r, 3, 0) == -EBADMSG);
	CHECK(accept(&r, 2, 0) == -EBADMSG);
	/* check alone never records */
	CHECK(vpnc_replay_check(&r, 6, 0) == 0);
	CHECK(vpnc_replay_check(&r, 6, 0) == 0);
	CHECK(r.highest == 5);
}

static void test_boundaries(void)
{
	struct vpnc_replay r;
	vpnc_replay_init(&r);
	CHECK(accept(&r, 100, 0) == 0);
	CHECK(vpnc_replay_check(&r, 100 - 63, 0) == 0);       /* 63 back: inside */
	CHECK(vpnc_replay_check(&r, 100 - 64, 0) == -EBADMSG); /* 64 back: outside */
	CHECK(accept(&r, 37, 0) == 0);
	CHECK(accept(&r, 37, 0) == -EBADMSG);
	CHECK(accept(&r, 36, 0) == -EBADMSG);
	/* Slide by one: 37 is now 64 back and falls out. */
	CHECK(accept(&r, 101, 0) == 0);
	CHECK(vpnc_replay_check(&r, 37, 0) == -EBADMSG);
	CHECK(vpnc_replay_check(&r, 38, 0) == 0);
	/* Every id of the window once, in reverse order, then all duplicates. */
	vpnc_replay_init(&r);
	CHECK(accept(&r, 1000, 0) == 0);
	for (uint32_t i = 1; i < 64; i++)
		CHECK(accept(&r, 1000 - i, 0) == 0);
	for (uint32_t i = 0; i < 70; i++)
		CHECK(accept(&r, 1000 - i, 0) == -EBADMSG);
	CHECK(r.bits[0] == UINT64_MAX);
}

/*
 * A fresh window, as OpenVPN 2.6 has it (packet_id.c: the first id N makes the
 * window start at N - 64, or at 0 when N <= 64, with every id above the start
 * unseen): the 63 ids below the first one are still accepted, once; the 64th
 * below is not. The same for the long form (tls-auth/tls-crypt) within one
 * time.
 */
static void test_fresh_window(void)
{
	struct vpnc_replay r;

	vpnc_replay_init(&r);
	CHECK(accept(&r, 5000, 1700000000) == 0);
	CHECK(accept(&r, 5000 - 63, 1700000000) == 0);
	CHECK(accept(&r, 5000 - 63, 1700000000) == -EBADMSG);
	CHECK(accept(&r, 5000 - 64, 1700000000) == -EBADMSG);
	CHECK(accept(&r, 4999, 1699999999) == -EBADMSG); /* an older time */
	CHECK(accept(&r, 1, 1700000001) == 0);           /* a newer time starts again */
	/* A first id below 64: every id down to 1 is inside. */
	vpnc_replay_init(&r);
	CHECK(accept(&r, 10, 0) == 0);
	for (uint32_t i = 1; i < 10; i++)
		CHECK(accept(&r, i, 0) == 0);
	CHECK(accept(&r, 0, 0) == -EBADMSG);
}

static void test_jumps(void)
{
	struct vpnc_replay r;
	vpnc_replay_init(&r);
	CHECK(accept(&r, 10, 0) == 0);
	CHECK(accept(&r, 8, 0) == 0);
	CHECK(accept(&r, 10 + 64, 0) == 0); /* jump of exactly 64 keeps nothing */
	CHECK(vpnc_replay_check(&r, 10 + 63, 0) == 0);
	CHECK(vpnc_replay_check(&r, 10, 0) == -EBADMSG);
	CHECK(vpnc_replay_check(&r, 11, 0) == 0);
	CHECK(accept(&r, 0x7FFFFFFF, 0) == 0); /* huge jump */
	CHECK(vpnc_replay_check(&r, 0x7FFFFFFF - 1, 0) == 0);
	CHECK(vpnc_replay_check(&r, 74, 0) == -EBADMSG);
	CHECK(accept(&r, UINT32_MAX, 0) == 0);
	CHECK(accept(&r, UINT32_MAX, 0) == -EBADMSG);
	CHECK(accept(&r, UINT32_MAX - 63, 0) == 0);
	CHECK(accept(&r, UINT32_MAX - 64, 0) == -EBADMSG);
	/* First packet may have any id, e.g. the tls-crypt-v2 start. */
	vpnc_replay_init(&r);
	CHECK(accept(&r, 0x0F000001, 0) == 0);
	CHECK(accept(&r, 0x0F000002, 0) == 0);
	CHECK(accept(&r, 0x0F000001, 0) == -EBADMSG);
}

static void test_time(void)
{
	struct vpnc_replay r;
	vpnc_replay_init(&r);
	CHECK(accept(&r, 5, 1000) == 0);
	CHECK(accept(&r, 6, 999) == -EBADMSG); /* time went back */
	CHECK(accept(&r, 100, 999) == -EBADMSG);
	CHECK(accept(&r, 4, 1000) == 0);
	/* time forward: a new window, even with a low id */
	CHECK(accept(&r, 1, 1001) == 0);
	CHECK(r.highest == 1 && r.time == 1001);
	CHECK(accept(&r, 1, 1001) == -EBADMSG);
	CHECK(accept(&r, 5, 1000) == -EBADMSG); /* old time now rejected */
	CHECK(accept(&r, 2, 1001) == 0);
	/* id 0 rejected whatever the time */
	CHECK(vpnc_replay_check(&r, 0, 5000) == -EBADMSG);
	/* add() of a stale pair is ignored */
	vpnc_replay_add(&r, 50, 900);
	CHECK(r.highest == 2 && r.time == 1001);
}

/* replay-persist: a window restored from (time, id) rejects that id and everything before it,
 * as 2.6 after packet_id_persist_load_obj(); what comes after is new. */
static void test_restore(void)
{
	struct vpnc_replay r;
	uint32_t t = 0, id = 0;

	vpnc_replay_init(&r);
	CHECK(!vpnc_replay_last(&r, &t, &id), "nothing received yet");
	vpnc_replay_set_window(&r, 64);
	vpnc_replay_restore(&r, 1000, 500);
	CHECK(vpnc_replay_last(&r, &t, &id) && t == 1000 && id == 500);
	CHECK(vpnc_replay_check(&r, 500, 1000) == -EBADMSG, "the saved id itself");
	CHECK(vpnc_replay_check(&r, 499, 1000) == -EBADMSG, "inside the window");
	CHECK(vpnc_replay_check(&r, 3, 1000) == -EBADMSG, "far below");
	CHECK(vpnc_replay_check(&r, 7, 999) == -EBADMSG, "an earlier time");
	CHECK(vpnc_replay_check(&r, 1, 1001) == 0, "a later time: the peer restarted");
	CHECK(accept(&r, 501, 1000) == 0, "the next id");
	CHECK(accept(&r, 500, 1000) == -EBADMSG, "still old after moving on");
	CHECK(accept(&r, 510, 1000) == 0);
	CHECK(accept(&r, 505, 1000) == 0, "between the saved id and the new highest: never seen");
	CHECK(accept(&r, 505, 1000) == -EBADMSG);
	CHECK(vpnc_replay_last(&r, &t, &id) && t == 1000 && id == 510);
	/* A wide window and a restore with id 0 (no state): nothing changes. */
	vpnc_replay_init(&r);
	vpnc_replay_set_window(&r, 65536);
	vpnc_replay_restore(&r, 1000, 0);
	CHECK(!vpnc_replay_last(&r, &t, &id));
	vpnc_replay_restore(&r, 1000, 70000);
	CHECK(vpnc_replay_check(&r, 70000 - 65535, 1000) == -EBADMSG, "wide window: all old");
	CHECK(accept(&r, 70001, 1000) == 0);
}

/* The replay-persist file image: 2.6's layout (time 8 bytes, id 4, padding 4, host order). */
static void test_image(void)
{
	uint8_t img[VPNC_REPLAY_IMAGE_LEN], want[16] = {0};
	int64_t t = 1796331931;
	uint32_t id = 77, gt = 0, gid = 0;

	memcpy(want, &t, 8);
	memcpy(want + 8, &id, 4);
	vpnc_replay_image_encode(img, 1796331931u, 77);
	CHECK(memcmp(img, want, 16) == 0, "2.6's layout");
	CHECK(vpnc_replay_image_decode(img, 16, &gt, &gid) && gt == 1796331931u && gid == 77);
	CHECK(!vpnc_replay_image_decode(img, 15, &gt, &gid), "cut short");
	CHECK(!vpnc_replay_image_decode(img, 0, &gt, &gid), "empty");
	memset(img, 0, 16);
	CHECK(!vpnc_replay_image_decode(img, 16, &gt, &gid), "no time: nothing to restore");
	t = (int64_t)1 << 40;
	memcpy(img, &t, 8);
	CHECK(vpnc_replay_image_decode(img, 16, &gt, &gid) && gt == UINT32_MAX, "a time past 32 bits");
	t = -5;
	memcpy(img, &t, 8);
	CHECK(!vpnc_replay_image_decode(img, 16, &gt, &gid), "a negative time: 2.6 rejects nothing after it");
}

/* Naive model: remembers every accepted id of the current time in a list. */
static void test_random(void)
{
	static uint32_t seen[4096];
	size_t nseen = 0;
	uint32_t highest = 0;
	bool any = false;
	struct vpnc_replay r;
	uint32_t state = 12345;
	int mismatches = 0;

	vpnc_replay_init(&r);
	for (int i = 0; i < 4000; i++) {
		state = state * 1103515245u + 12345u;
		uint32_t id = highest + 10 - (state >> 16) % 90; /* mostly behind the head */
		if (id == 0 || id > highest + 10)
			id = 1;
		bool want = id != 0;
		if (want && any) {
			if (id <= highest && highest - id >= 64)
				want = false;
			for (size_t j = 0; j < nseen && want; j++)
				if (seen[j] == id)
					want = false;
		}
		int got = accept(&r, id, 0);
		if ((got == 0) != want)
			mismatches++;
		if (want) {
			if (nseen < sizeof(seen) / sizeof(seen[0]))
				seen[nseen++] = id;
			if (!any || id > highest)
				highest = id;
			any = true;
		}
	}
	CHECK(mismatches == 0);
	CHECK(nseen > 100);
}

/* replay-window N: ids at most N-1 below the highest pass once; 0 allows no reordering. */
static void test_sized_window(void)
{
	struct vpnc_replay r;

	vpnc_replay_init(&r);
	vpnc_replay_set_window(&r, 8);
	CHECK(accept(&r, 100, 0) == 0);
	CHECK(accept(&r, 93, 0) == 0);       /* 7 below: inside a window of 8 */
	CHECK(accept(&r, 93, 0) == -EBADMSG);
	CHECK(accept(&r, 92, 0) == -EBADMSG); /* 8 below: outside */
	CHECK(accept(&r, 110, 0) == 0);
	CHECK(accept(&r, 102, 0) == -EBADMSG);
	CHECK(accept(&r, 103, 0) == 0);
	vpnc_replay_init(&r);
	vpnc_replay_set_window(&r, 0);
	CHECK(accept(&r, 5, 0) == 0);
	CHECK(accept(&r, 4, 0) == -EBADMSG);
	CHECK(accept(&r, 6, 0) == 0);
	CHECK(accept(&r, 6, 0) == -EBADMSG);
	/* More than 2.6's largest window is clamped to it. */
	vpnc_replay_init(&r);
	vpnc_replay_set_window(&r, 100000);
	CHECK(r.window == VPNC_REPLAY_MAX);
	CHECK(accept(&r, 100000, 0) == 0);
	CHECK(accept(&r, 100000 - 65535, 0) == 0);
	CHECK(accept(&r, 100000 - 65535, 0) == -EBADMSG);
	CHECK(accept(&r, 100000 - 65536, 0) == -EBADMSG);
}

/*
 * Windows wider than one word (replay-window 512 60, 256 and 65536 in real
 * profiles): the edges, a slide that wraps the circular bitmap, jumps of
 * just under, exactly and over its size, and a window that is not a power
 * of two (its bitmap is the next one up, the limit is still N).
 */
static void test_wide_window(void)
{
	struct vpnc_replay r;

	vpnc_replay_init(&r);
	vpnc_replay_set_window(&r, 512);
	CHECK(r.size == 512);
	CHECK(accept(&r, 1000, 0) == 0);
	CHECK(accept(&r, 1000 - 511, 0) == 0);
	CHECK(accept(&r, 1000 - 511, 0) == -EBADMSG);
	CHECK(accept(&r, 1000 - 512, 0) == -EBADMSG);
	CHECK(accept(&r, 700, 0) == 0);
	/* Slide by 300: 700 is still inside (600 back), its slot kept. */
	CHECK(accept(&r, 1300, 0) == 0);
	CHECK(accept(&r, 700, 0) == -EBADMSG);
	CHECK(accept(&r, 1000, 0) == -EBADMSG);
	CHECK(accept(&r, 1001, 0) == 0);
	CHECK(accept(&r, 1299, 0) == 0);
	/* A jump of size - 1 keeps only the slot that is still inside. */
	CHECK(accept(&r, 1300 + 511, 0) == 0);
	CHECK(accept(&r, 1300, 0) == -EBADMSG);
	CHECK(accept(&r, 1301, 0) == 0);
	/* A jump of exactly the size keeps nothing. */
	CHECK(accept(&r, 1811 + 512, 0) == 0);
	CHECK(vpnc_replay_check(&r, 1811 + 1, 0) == 0);
	CHECK(vpnc_replay_check(&r, 1811, 0) == -EBADMSG);
	/* Not a power of two: 300 ids, a bitmap of 512. */
	vpnc_replay_init(&r);
	vpnc_replay_set_window(&r, 300);
	CHECK(r.size == 512);
	CHECK(accept(&r, 5000, 0) == 0);
	CHECK(accept(&r, 5000 - 299, 0) == 0);
	CHECK(accept(&r, 5000 - 300, 0) == -EBADMSG);
	/* The largest window, across the wrap of its bitmap and of the id space. */
	vpnc_replay_init(&r);
	vpnc_replay_set_window(&r, 65536);
	CHECK(accept(&r, UINT32_MAX - 70000, 0) == 0);
	CHECK(accept(&r, UINT32_MAX, 0) == 0);
	CHECK(accept(&r, UINT32_MAX - 65535, 0) == 0);
	CHECK(accept(&r, UINT32_MAX - 65536, 0) == -EBADMSG);
	CHECK(accept(&r, UINT32_MAX - 1, 0) == 0);
	CHECK(accept(&r, UINT32_MAX - 1, 0) == -EBADMSG);
}

/* The naive model again, with windows of 300 and 4096 and longer jumps. */
static void test_random_wide(void)
{
	static uint32_t seen[20000];
	const unsigned windows[] = { 300, 4096 };
	int mismatches = 0;

	for (size_t w = 0; w < sizeof(windows) / sizeof(windows[0]); w++) {
		uint32_t win = windows[w], highest = 0, state = 777 + (uint32_t)w;
		size_t nseen = 0;
		bool any = false;
		struct vpnc_replay r;

		vpnc_replay_init(&r);
		vpnc_replay_set_window(&r, win);
		for (int i = 0; i < 20000; i++) {
			state = state * 1103515245u + 12345u;
			uint32_t span = 2 * win + 50;
			uint32_t id = highest + 40 - (state >> 8) % span;
			if ((state >> 28) == 0)
				id = highest + win + (state >> 20) % 64; /* a jump near the size */
			if (id == 0 || (id > highest + 40 && id < highest + win))
				id = highest + 1;
			bool want = true;
			if (any) {
				if (id <= highest && highest - id >= win)
					want = false;
				for (size_t j = 0; j < nseen && want; j++)
					if (seen[j] == id)
						want = false;
			}
			int got = accept(&r, id, 0);
			if ((got == 0) != want)
				mismatches++;
			if (want) {
				if (nseen < sizeof(seen) / sizeof(seen[0]))
					seen[nseen++] = id;
				if (!any || id > highest)
					highest = id;
				any = true;
			}
		}
	}
	CHECK(mismatches == 0);
}

int main(void)
{
	test_sized_window();
	test_basic();
	test_boundaries();
	test_fresh_window();
	test_jumps();
	test_time();
	test_random();
	test_wide_window();
	test_random_wide();
	test_restore();
	test_image();
	printf("test_replay: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
