/*
 * ctrlpkt.h: the OpenVPN control-channel packet codec (unwrapped form).
 *
 * This module owns the byte layout of control packets once any tls-auth or
 * tls-crypt wrapping has been removed (or before it is applied):
 *
 *   op|kid (1) | sid (8) | ack_count (1) | acks (4 * n)
 *   | [remote_sid (8), only if n > 0] | [msg_id (4), absent in P_ACK_V1]
 *   | payload
 *
 * It also owns the first-byte helpers (opcode << 3 | key_id) that the data
 * channel shares. It knows nothing about sessions or reliability: checking
 * that remote_sid is our own session id and that a hard reset has msg-id 0 is
 * the caller's job.
 *
 * Ownership: vpnc_ctrl_parse() does not copy; h->payload points into the
 * caller's input and is valid as long as that input is. vpnc_ctrl_encode()
 * copies h->payload into the caller's output buffer.
 */
#ifndef VPNC_CORE_CTRLPKT_H
#define VPNC_CORE_CTRLPKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VPNC_SID_LEN 8
#define VPNC_ACK_MAX 8          /* per packet, parse limit and P_ACK_V1 */
#define VPNC_ACK_PIGGY_MAX 4    /* on P_CONTROL / resets */

/* Sizes of the fixed fields of the unwrapped layout. */
#define VPNC_CTRL_OP_LEN 1
#define VPNC_CTRL_ACK_COUNT_LEN 1
#define VPNC_CTRL_ACK_ID_LEN 4
#define VPNC_CTRL_MSG_ID_LEN 4
/* Shortest possible control packet: a P_ACK_V1 with no ACK (which we reject). */
#define VPNC_CTRL_MIN_LEN (VPNC_CTRL_OP_LEN + VPNC_SID_LEN + VPNC_CTRL_ACK_COUNT_LEN)

#define VPNC_OP_SHIFT 3
#define VPNC_KEY_ID_MASK 0x07

enum vpnc_opcode {
	VPNC_OP_HARD_RESET_CLIENT_V1 = 1,
	VPNC_OP_HARD_RESET_SERVER_V1 = 2,
	VPNC_OP_SOFT_RESET_V1 = 3,
	VPNC_OP_CONTROL_V1 = 4,
	VPNC_OP_ACK_V1 = 5,
	VPNC_OP_DATA_V1 = 6,
	VPNC_OP_HARD_RESET_CLIENT_V2 = 7,
	VPNC_OP_HARD_RESET_SERVER_V2 = 8,
	VPNC_OP_DATA_V2 = 9,
	VPNC_OP_HARD_RESET_CLIENT_V3 = 10,
	VPNC_OP_CONTROL_WKC_V1 = 11,
};

/* Builds the first byte of a packet from an opcode and a key id. */
static inline uint8_t vpnc_op_byte(unsigned op, unsigned key_id)
{
	return (uint8_t)((op << VPNC_OP_SHIFT) | (key_id & VPNC_KEY_ID_MASK));
}

static inline unsigned vpnc_op_of(uint8_t b) { return b >> VPNC_OP_SHIFT; }
static inline unsigned vpnc_kid_of(uint8_t b) { return b & VPNC_KEY_ID_MASK; }

/* True for the control opcodes OpenVPN 2.6 accepts: 3, 4, 5, 7, 8, 10, 11. */
bool vpnc_op_is_control(unsigned op);

struct vpnc_ctrl_hdr {
	uint8_t opcode, key_id;
	uint8_t sid[VPNC_SID_LEN];              /* sender's session id */
	uint8_t n_acks;
	uint32_t acks[VPNC_ACK_MAX];
	uint8_t remote_sid[VPNC_SID_LEN];       /* valid when n_acks > 0 */
	bool has_msg_id;
	uint32_t msg_id;                        /* absent in P_ACK_V1 */
	const uint8_t *payload;                 /* points into the parsed input */
	size_t payload_len;
};

/*
 * Parses the unwrapped form into h. Validates before use: the opcode must be
 * a control opcode (3, 4, 5, 7, 8, 10, 11), n_acks <= VPNC_ACK_MAX, every
 * length must be present, the session ids must not be all-zero (OpenVPN's
 * "undefined" id), and a P_ACK_V1 must carry at least one ACK.
 * Bytes after the ACK block of a P_ACK_V1 are ignored by OpenVPN; they are
 * reported in payload/payload_len and must not be used by the caller.
 * Returns 0, -EINVAL for bad arguments (NULL pointers), or -EBADMSG for
 * anything wrong with the bytes (including a non-control opcode). On failure
 * h is zeroed.
 */
int vpnc_ctrl_parse(const uint8_t *pkt, size_t len, struct vpnc_ctrl_hdr *h);

/*
 * Writes the unwrapped form of h into out. has_msg_id is ignored: the msg-id
 * is written for every opcode but P_ACK_V1. Returns the length written,
 * -EINVAL for an impossible header (not a control opcode, key_id > 7,
 * n_acks > VPNC_ACK_MAX, payload_len > 0 without payload) or -ENOSPC if out is
 * too small.
 */
int vpnc_ctrl_encode(const struct vpnc_ctrl_hdr *h, uint8_t *out, size_t cap);

/* Size of the header part for n acks (for sizing payload chunks). */
size_t vpnc_ctrl_hdr_len(unsigned opcode, unsigned n_acks);

#endif
