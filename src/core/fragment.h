/*
 * fragment.h: OpenVPN's internal datagram fragmentation ('fragment N [mtu]'),
 * in the wire format and with the limits of OpenVPN 2.6 (src/openvpn/fragment.c
 * and fragment.h there; docs/fragment.md).
 *
 * Every data-channel plaintext starts with a 4-byte big-endian header, inside
 * the encryption and in front of the compression framing:
 *
 *   bits  0..1   type: 0 WHOLE, 1 NOT_LAST, 2 LAST, 3 TEST (never used)
 *   bits  2..9   sequence id of the fragmented packet (0..255)
 *   bits 10..14  fragment id within the packet (0..31)
 *   bits 15..28  LAST only: the size of the other fragments, divided by 4
 *
 * A WHOLE packet has all other bits zero. The receiver puts fragment n at
 * offset n * size; the packet is complete once fragments 0..LAST arrived.
 *
 * This file owns the header codec, the sender's choice of fragment size, the
 * fragment limit 2.6 derives from 'fragment N', and the reassembly of received
 * fragments into buffers allocated once (vpnc_frag_rx_init). It knows nothing
 * of ciphers: the engine passes it plaintexts.
 */
#ifndef VPNC_FRAGMENT_H
#define VPNC_FRAGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VPNC_FRAG_HDR 4
#define VPNC_FRAG_WHOLE 0u
#define VPNC_FRAG_NOT_LAST 1u
#define VPNC_FRAG_LAST 2u
#define VPNC_FRAG_TEST 3u
#define VPNC_FRAG_MAX_FRAGS 32   /* fragments per packet (a 32-bit map) */
#define VPNC_FRAG_SEQS 256       /* sequence ids wrap here */
#define VPNC_FRAG_BUFS 25        /* packets reassembled at once (2.6's N_FRAG_BUF) */
#define VPNC_FRAG_TTL_MS 10000   /* a partial packet older than this is dropped ... */
#define VPNC_FRAG_WAKEUP_MS 5000 /* ... when the reaper runs, this often (2.6: 10 s and 5 s) */
#define VPNC_FRAG_MIN 68         /* smallest 'fragment N' 2.6 accepts */
#define VPNC_FRAG_ROUND 4        /* fragment sizes are multiples of this */

/* Why a received plaintext was refused (for the engine's drop counters and its one log line). */
enum vpnc_frag_err {
	VPNC_FRAG_OK = 0,
	VPNC_FRAG_E_SHORT,       /* shorter than the header */
	VPNC_FRAG_E_WHOLE_FLAGS, /* WHOLE with a sequence or fragment id */
	VPNC_FRAG_E_TEST,        /* FRAG_TEST: 2.6 never implemented it */
	VPNC_FRAG_E_SIZE,        /* size not a multiple of 4 */
	VPNC_FRAG_E_OVERFLOW,    /* the fragment would end past the reassembly buffer */
	VPNC_FRAG_E_GAP,         /* complete, but a fragment reaches past the end LAST gave */
};

static inline uint32_t vpnc_frag_hdr(unsigned type, unsigned seq, unsigned id, size_t size)
{
	uint32_t h = (type & 3u) | (seq & 0xffu) << 2 | (id & 0x1fu) << 10;
	if (type == VPNC_FRAG_LAST)
		h |= (uint32_t)((size >> 2) & 0x3fffu) << 15;
	return h;
}

/*
 * The largest payload (compression framing included, fragment header not) a
 * fragment may carry, as 2.6's frame_calculate_fragment(): 'fragment N' less
 * the opcode/peer-id byte(s) and the cipher's overhead (AEAD: packet id and
 * tag; CBC: IV and HMAC, then rounded down to whole blocks less the one
 * padding byte, less the packet id that CBC carries inside), with 'mtu' also
 * less the outer IP and UDP headers, less the 4-byte fragment header.
 * block = 0 means an AEAD cipher. static_key: static-key mode's packets (no
 * opcode, CBC's 8-byte long packet id), as 2.6 counts them outside TLS mode.
 * Never below VPNC_FRAG_ROUND.
 */
size_t vpnc_frag_max_payload(int fragment, bool mtu, bool link_ipv6, bool data_v2, size_t block,
                             size_t hmac_len, bool static_key);

/*
 * 2.6's optimal_fragment_size(): without changing the number of fragments a
 * packet of len bytes needs, a fragment size (a multiple of 4, at most max
 * rounded down) that makes the last fragment about as long as the others.
 * 0 if max is below 4.
 */
size_t vpnc_frag_size_for(size_t len, size_t max);

/* Sender state of the packet being split (2.6's outgoing buffer, without the copy). */
struct vpnc_frag_tx {
	bool active;       /* fragments of a packet still to send */
	uint8_t seq;       /* sequence id of the last split packet (starts random) */
	uint8_t id;        /* next fragment id */
	size_t size;       /* fragment size of this packet */
	size_t off, total; /* next offset and length of the framed packet */
};

/* One packet being reassembled. */
struct vpnc_frag_slot {
	bool defined;
	uint32_t map;      /* bit n: fragment n arrived (LAST sets n and all above) */
	size_t size;       /* the fragment size its fragments agree on */
	size_t len;        /* highest byte written + 1 */
	size_t last_end;   /* where the LAST fragment ends; 0 until it came */
	uint64_t stamp;    /* ms of the last fragment */
};

/* Reassembly: a window of VPNC_FRAG_BUFS sequence ids ending at the highest seen, as 2.6. */
struct vpnc_frag_rx {
	uint8_t *mem;      /* VPNC_FRAG_BUFS buffers of cap bytes, one allocation */
	size_t cap;
	int seq;           /* highest sequence id in the window */
	int index;         /* its slot */
	struct vpnc_frag_slot slots[VPNC_FRAG_BUFS];
	uint64_t expired;  /* partial packets dropped by the reaper */
};

/* Allocates the buffers (cap bytes each). Returns 0 or -ENOMEM. */
int vpnc_frag_rx_init(struct vpnc_frag_rx *rx, size_t cap);

/* Wipes and frees the buffers. Safe on a zeroed struct. */
void vpnc_frag_rx_free(struct vpnc_frag_rx *rx);

/*
 * Takes one decrypted plaintext p[0..len) (header included) received at now.
 * Returns 1 with *out and *out_len set to the framed packet when it is whole (WHOLE:
 * p + 4; a completed packet: its reassembly buffer, valid until the next call),
 * 0 when the fragment was kept and the packet is not complete yet, or -1 with
 * *err set when the plaintext is refused (nothing is kept from it).
 */
int vpnc_frag_in(struct vpnc_frag_rx *rx, uint64_t now, const uint8_t *p, size_t len, uint8_t **out,
                 size_t *out_len, enum vpnc_frag_err *err);

/* Drops partial packets whose last fragment is VPNC_FRAG_TTL_MS old; returns how many. */
unsigned vpnc_frag_reap(struct vpnc_frag_rx *rx, uint64_t now);

/* True while some packet is partly reassembled. */
bool vpnc_frag_pending(const struct vpnc_frag_rx *rx);

#endif
