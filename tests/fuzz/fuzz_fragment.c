/*
 * fuzz_fragment.c: libFuzzer target for the reassembly of 'fragment'
 * (core/fragment.c), the parser of decrypted plaintexts from the peer.
 *
 * Input: a header of 6 bytes, then records. The header sets a packet the
 * sender side cuts up (length from bytes 0..1, fragment limit from bytes
 * 2..3, sequence id byte 4, order seed byte 5); each record is a 2-byte
 * length, a time step byte and that many plaintext bytes, fed to the receiver
 * as they are. Between the records, the fragments of the header's packet are
 * fed in an order and with duplicates that the seed and the records decide.
 *
 * Invariants (trap on failure): every call returns -1, 0 or 1; a whole
 * packet lies inside the plaintext passed or inside one reassembly buffer and
 * is never longer than it; the size choice never changes the number of
 * fragments 2.6 would send and gives multiples of 4; and if no record
 * disturbed its sequence id, the cut-up packet comes back exactly once, byte
 * for byte, once all its fragments arrived.
 * The seeds in corpus/fuzz_fragment are 2.6-style fragment sequences.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/fragment.h"

#define CAP 1600

static struct vpnc_frag_rx rx;
static uint8_t payload[CAP], frag[CAP + 8];

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static void check_out(int r, const uint8_t *p, size_t len, const uint8_t *out, size_t olen)
{
	check(r >= -1 && r <= 1);
	if (r != 1)
		return;
	bool in_p = out >= p && out + olen <= p + len;
	bool in_rx = out >= rx.mem && out + olen <= rx.mem + CAP * VPNC_FRAG_BUFS &&
	             (size_t)(out - rx.mem) % CAP == 0 && olen <= CAP;
	check(in_p || in_rx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum vpnc_frag_err err;
	uint8_t *out;
	size_t olen;
	uint64_t now = 1000;

	if (rx.mem == NULL && vpnc_frag_rx_init(&rx, CAP) != 0)
		abort();
	/* A fresh receiver per input, without a new allocation. */
	memset(rx.slots, 0, sizeof(rx.slots));
	rx.seq = rx.index = 0;
	if (size < 6)
		return 0;
	size_t len = ((size_t)data[0] << 8 | data[1]) % CAP + 1;
	size_t max = ((size_t)data[2] << 8 | data[3]) % 1400 + 1;
	unsigned seq = data[4], seed = data[5];
	for (size_t i = 0; i < len; i++)
		payload[i] = (uint8_t)(i * 7 + seed);

	/* The sender's cut, as the engine makes it. */
	size_t aligned = max & ~(size_t)3;
	size_t fsize = aligned == 0 ? 0 : vpnc_frag_size_for(len, max);
	unsigned nfrag = 0;
	if (aligned > 0) {
		check(fsize % 4 == 0 && fsize > 0 && fsize <= aligned);
		check((len + fsize - 1) / fsize == (len + aligned - 1) / aligned);
		nfrag = (unsigned)((len + fsize - 1) / fsize);
	}
	bool cut = nfrag >= 2 && nfrag <= VPNC_FRAG_MAX_FRAGS;
	uint32_t sent = 0, all = cut ? (nfrag == 32 ? 0xffffffffu : (1u << nfrag) - 1) : 0;
	bool disturbed = false;
	unsigned done = 0, k = 0;

	size_t pos = 6;
	while (pos + 3 <= size || (cut && sent != all && k < 200)) {
		/* One record from the peer, as it is. */
		if (pos + 3 <= size) {
			size_t rl = (size_t)data[pos] << 8 | data[pos + 1];
			now += data[pos + 2] * 100u;
			pos += 3;
			if (rl > size - pos)
				rl = size - pos;
			const uint8_t *p = data + pos;
			int r = vpnc_frag_in(&rx, now, p, rl, &out, &olen, &err);
			check_out(r, p, rl, out, olen);
			/* A record with a fragment type touches the window; the cut packet's id may be gone. */
			if (rl >= 4 && (p[3] & 3) != 0)
				disturbed = true;
			pos += rl;
			if (data[pos - 1 < size ? pos - 1 : 0] == 0xff)
				(void)vpnc_frag_reap(&rx, now);
		}
		/* One fragment of the cut packet, chosen by the seed (duplicates allowed). */
		if (cut && sent != all && k < 200) {
			unsigned i = (seed + k * 7u + (k < size ? data[k] : 0)) % nfrag;
			k++;
			size_t off = (size_t)i * fsize, n = len - off > fsize ? fsize : len - off;
			bool last = i == nfrag - 1;
			uint32_t h = vpnc_frag_hdr(last ? VPNC_FRAG_LAST : VPNC_FRAG_NOT_LAST, seq, i, fsize);
			frag[0] = (uint8_t)(h >> 24);
			frag[1] = (uint8_t)(h >> 16);
			frag[2] = (uint8_t)(h >> 8);
			frag[3] = (uint8_t)h;
			memcpy(frag + 4, payload + off, n);
			int r = vpnc_frag_in(&rx, now, frag, 4 + n, &out, &olen, &err);
			check_out(r, frag, 4 + n, out, olen);
			sent |= 1u << i;
			if (r == 1 && !disturbed) {
				check(sent == all && olen == len && memcmp(out, payload, len) == 0);
				done++;
			}
			if (!disturbed && sent == all)
				check(done == 1 || now - 1000 >= VPNC_FRAG_TTL_MS); /* reaped: may never complete */
		}
	}
	return 0;
}
