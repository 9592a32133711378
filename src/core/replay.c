/*
 * replay.c: the sliding replay window of up to 65536 entries (see replay.h for the rules).
 */
#include <errno.h>
#include <string.h>

#include "core/replay.h"
#include "vpnc/engine.h"

static bool replay_test(const struct vpnc_replay *r, uint32_t id)
{
	uint32_t pos = id & (r->size - 1);
	return (r->bits[pos / 64] >> (pos % 64)) & 1;
}

static void replay_set(struct vpnc_replay *r, uint32_t id)
{
	uint32_t pos = id & (r->size - 1);
	r->bits[pos / 64] |= (uint64_t)1 << (pos % 64);
}

static void replay_clear_all(struct vpnc_replay *r)
{
	memset(r->bits, 0, r->size / 8);
}

/* Clears the slots of the n ids after `from` (n < size), a word at a time where it can. */
static void replay_clear_after(struct vpnc_replay *r, uint32_t from, uint32_t n)
{
	uint32_t pos = (from + 1) & (r->size - 1);
	while (n > 0) {
		uint32_t bit = pos % 64, take = 64 - bit;
		if (take > n)
			take = n;
		uint64_t mask = take == 64 ? UINT64_MAX : (((uint64_t)1 << take) - 1) << bit;
		r->bits[pos / 64] &= ~mask;
		n -= take;
		pos = (pos + take) & (r->size - 1);
	}
}

void vpnc_replay_init(struct vpnc_replay *r)
{
	r->size = VPNC_REPLAY_WINDOW;
	r->bits[0] = 0;
	r->highest = 0;
	r->time = 0;
	r->seen_any = false;
	r->window = VPNC_REPLAY_WINDOW;
}

void vpnc_replay_set_window(struct vpnc_replay *r, unsigned n)
{
	uint32_t size = 64;

	r->window = n < VPNC_REPLAY_MAX ? n : VPNC_REPLAY_MAX;
	while (size < r->window)
		size *= 2;
	r->size = size;
	replay_clear_all(r);
}

int vpnc_replay_check(const struct vpnc_replay *r, uint32_t id, uint32_t time)
{
	if (id == 0)
		return -EBADMSG;
	if (!r->seen_any || time > r->time)
		return 0;
	if (time < r->time)
		return -EBADMSG;
	if (id > r->highest)
		return 0;
	if (r->highest - id >= r->window)
		return -EBADMSG;
	if (replay_test(r, id))
		return -EBADMSG;
	return 0;
}

void vpnc_replay_add(struct vpnc_replay *r, uint32_t id, uint32_t time)
{
	if (id == 0)
		return;
	if (!r->seen_any || time > r->time) {
		/* First packet, or the sender restarted its counter with a new time. */
		replay_clear_all(r);
		r->seen_any = true;
		r->time = time;
		r->highest = id;
		replay_set(r, id);
		return;
	}
	if (time < r->time)
		return;
	if (id > r->highest) {
		uint32_t shift = id - r->highest;
		if (shift >= r->size)
			replay_clear_all(r);
		else
			replay_clear_after(r, r->highest, shift);
		r->highest = id;
		replay_set(r, id);
		return;
	}
	if (r->highest - id < r->size)
		replay_set(r, id);
}

void vpnc_replay_restore(struct vpnc_replay *r, uint32_t time, uint32_t id)
{
	if (id == 0)
		return;
	/* Every slot "seen": an id below the highest is old whether in the window or not. */
	memset(r->bits, 0xff, r->size / 8);
	r->seen_any = true;
	r->time = time;
	r->highest = id;
}

bool vpnc_replay_last(const struct vpnc_replay *r, uint32_t *time, uint32_t *id)
{
	if (!r->seen_any)
		return false;
	*time = r->time;
	*id = r->highest;
	return true;
}

void vpnc_replay_image_encode(uint8_t img[VPNC_REPLAY_IMAGE_LEN], uint32_t time, uint32_t id)
{
	int64_t t = time; /* 2.6 writes its time_t */

	memset(img, 0, VPNC_REPLAY_IMAGE_LEN);
	memcpy(img, &t, sizeof(t));
	memcpy(img + 8, &id, sizeof(id));
}

bool vpnc_replay_image_decode(const uint8_t *img, size_t n, uint32_t *time, uint32_t *id)
{
	int64_t t;

	if (n != VPNC_REPLAY_IMAGE_LEN)
		return false;
	memcpy(&t, img, sizeof(t));
	/* 2.6 restores any non-zero time, but every wire time (32 bits, unsigned) is above a
	 * negative one, so such a file rejects nothing there: the same as no saved state. */
	if (t <= 0)
		return false;
	memcpy(id, img + 8, sizeof(*id));
	*time = t > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)t;
	return true;
}
