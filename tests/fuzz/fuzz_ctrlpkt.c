/*
 * fuzz_ctrlpkt.c: feeds arbitrary bytes to the control-packet parser and the
 * packets that parse to a reliability-layer instance, the way the session
 * layer would.
 *
 * Input: a sequence of records, each a 2-byte big-endian length, a 1-byte
 * clock step (x 100 ms) and that many packet bytes. A final short record is
 * used as is. Invariants checked (trap on failure): encode(parse(x)) == x,
 * delivered payloads come in msg-id order, ACK counts stay within limits.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vpnc/buf.h"
#include "core/ctrlpkt.h"
#include "core/reliable.h"

#define FUZZ_PKT_MAX 4096

static struct vpnc_reliable rel;
static uint8_t reencoded[FUZZ_PKT_MAX];

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static void one_packet(const uint8_t *p, size_t len, uint64_t now, uint32_t *expect)
{
	struct vpnc_ctrl_hdr h;
	struct vpnc_rel_out o;
	uint32_t acks[VPNC_ACK_MAX];
	uint8_t op;
	const uint8_t *pl;
	size_t plen;

	if (vpnc_ctrl_parse(p, len, &h) != 0)
		return;
	check(h.n_acks <= VPNC_ACK_MAX);
	check(h.payload_len <= len && h.payload + h.payload_len == p + len);
	int n = vpnc_ctrl_encode(&h, reencoded, sizeof(reencoded));
	if (len <= sizeof(reencoded))
		check(n == (int)len && memcmp(reencoded, p, len) == 0);

	vpnc_rel_acks_in(&rel, h.acks, h.n_acks);
	if (h.has_msg_id) {
		int r = vpnc_rel_recv(&rel, h.msg_id, h.opcode, h.payload, h.payload_len);
		check(r == 0 || r == 1 || r == -ERANGE || r == -EMSGSIZE);
	}
	while (vpnc_rel_recv_peek(&rel, &op, &pl, &plen)) {
		check(plen <= VPNC_REL_PAYLOAD_MAX);
		(*expect)++;
		vpnc_rel_recv_release(&rel);
	}
	check(rel.rx_next_id == *expect);

	/* Echo the packet's payload back as our own traffic, then drain output. */
	if (vpnc_rel_can_queue(&rel) && h.opcode == VPNC_OP_CONTROL_V1)
		vpnc_rel_queue(&rel, VPNC_OP_CONTROL_V1, h.payload,
		    h.payload_len > VPNC_REL_PAYLOAD_MAX ? VPNC_REL_PAYLOAD_MAX : h.payload_len, now);
	while (vpnc_rel_next_out(&rel, now, &o))
		check(o.len <= VPNC_REL_PAYLOAD_MAX);
	size_t na = vpnc_rel_take_acks(&rel, acks, (h.key_id & 1) ? VPNC_ACK_MAX : VPNC_ACK_PIGGY_MAX);
	check(na <= VPNC_ACK_MAX);
	for (size_t i = 0; i < na; i++)
		for (size_t j = i + 1; j < na; j++)
			check(acks[i] != acks[j]);
	if (h.opcode == VPNC_OP_SOFT_RESET_V1)
		vpnc_rel_schedule_now(&rel, now);
	(void)vpnc_rel_next_timer(&rel);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vpnc_rd rd;
	uint64_t now = 0;
	uint32_t expect = 0;

	vpnc_rel_init(&rel, 2000);
	/* Start with our reset in flight, as a client would. */
	vpnc_rel_queue(&rel, VPNC_OP_HARD_RESET_CLIENT_V2, NULL, 0, 0);

	vpnc_rd_init(&rd, data, size);
	while (rd.left > 0) {
		uint16_t len;
		uint8_t step;
		const uint8_t *p;

		if (!vpnc_rd_u16(&rd, &len) || !vpnc_rd_u8(&rd, &step)) {
			/* Too short for a record header: parse the rest as one packet. */
			one_packet(rd.p, rd.left, now, &expect);
			break;
		}
		now += (uint64_t)step * 100;
		if (len > rd.left)
			len = (uint16_t)rd.left;
		p = vpnc_rd_take(&rd, len);
		if (p == NULL)
			break;
		one_packet(p, len, now, &expect);
	}
	/* A single raw packet is also tried on its own. */
	one_packet(data, size, now, &expect);
	return 0;
}
