/*
 * test_ctrlpkt.c: the control-packet codec against the byte layouts of
 * docs/control-channel.md, round trips for every control opcode, and rejection of
 * every truncation and of bad counts, opcodes and session ids.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/ctrlpkt.h"

#include "../check.h"

static const uint8_t sid_c[8] = {0x28, 0x1c, 0xf2, 0x32, 0xac, 0x83, 0x12, 0xdb};
static const uint8_t sid_s[8] = {0x79, 0x84, 0xb9, 0xd7, 0x62, 0x01, 0x2c, 0x14};

static void test_first_byte(void)
{
	CHECK(vpnc_op_byte(VPNC_OP_HARD_RESET_CLIENT_V2, 0) == 0x38);
	CHECK(vpnc_op_byte(VPNC_OP_HARD_RESET_SERVER_V2, 0) == 0x40);
	CHECK(vpnc_op_byte(VPNC_OP_CONTROL_V1, 0) == 0x20);
	CHECK(vpnc_op_byte(VPNC_OP_CONTROL_V1, 5) == 0x25);
	CHECK(vpnc_op_byte(VPNC_OP_ACK_V1, 0) == 0x28);
	CHECK(vpnc_op_byte(VPNC_OP_DATA_V2, 1) == 0x49);
	CHECK(vpnc_op_byte(VPNC_OP_HARD_RESET_CLIENT_V3, 0) == 0x50);
	CHECK(vpnc_op_byte(VPNC_OP_CONTROL_WKC_V1, 0) == 0x58);
	CHECK(vpnc_op_byte(VPNC_OP_SOFT_RESET_V1, 7) == 0x1f);
	CHECK(vpnc_op_of(0x5f) == 11 && vpnc_kid_of(0x5f) == 7);
	CHECK(vpnc_op_byte(VPNC_OP_CONTROL_V1, 9) == 0x21); /* key id masked */

	for (unsigned op = 0; op < 32; op++) {
		bool want = op == 3 || op == 4 || op == 5 || op == 7 || op == 8 ||
		    op == 10 || op == 11;
		CHECK(vpnc_op_is_control(op) == want);
	}
}

static void test_hdr_len(void)
{
	CHECK(vpnc_ctrl_hdr_len(VPNC_OP_HARD_RESET_CLIENT_V2, 0) == 14);
	CHECK(vpnc_ctrl_hdr_len(VPNC_OP_CONTROL_V1, 1) == 1 + 8 + 1 + 4 + 8 + 4);
	CHECK(vpnc_ctrl_hdr_len(VPNC_OP_CONTROL_V1, 4) == 1 + 8 + 1 + 16 + 8 + 4);
	CHECK(vpnc_ctrl_hdr_len(VPNC_OP_ACK_V1, 2) == 1 + 8 + 1 + 8 + 8);
	CHECK(vpnc_ctrl_hdr_len(VPNC_OP_ACK_V1, 8) == 1 + 8 + 1 + 32 + 8);
}

/* Client HARD_RESET_CLIENT_V2 without wrapping: 38 | sid | 00 | 00000000 = 14 bytes. */
static void test_client_reset_layout(void)
{
	struct vpnc_ctrl_hdr h = {0}, p;
	uint8_t out[64];
	uint8_t want[14] = {0x38};

	memcpy(want + 1, sid_c, 8);
	h.opcode = VPNC_OP_HARD_RESET_CLIENT_V2;
	memcpy(h.sid, sid_c, 8);
	h.has_msg_id = true;
	CHECK(vpnc_ctrl_encode(&h, out, sizeof(out)) == 14);
	CHECK(memcmp(out, want, 14) == 0);
	CHECK(vpnc_ctrl_encode(&h, out, 13) == -ENOSPC);
	CHECK(vpnc_ctrl_encode(&h, out, 14) == 14);

	CHECK(vpnc_ctrl_parse(want, sizeof(want), &p) == 0);
	CHECK(p.opcode == VPNC_OP_HARD_RESET_CLIENT_V2 && p.key_id == 0);
	CHECK(memcmp(p.sid, sid_c, 8) == 0);
	CHECK(p.n_acks == 0 && p.has_msg_id && p.msg_id == 0 && p.payload_len == 0);
}

/* Appendix B server reset plaintext: 40 | sidS | 01 | 00000000 | sidC | 00000000 | 0001 0002 0001. */
static void test_server_reset_layout(void)
{
	uint8_t pkt[] = {
		0x40, 0x79, 0x84, 0xb9, 0xd7, 0x62, 0x01, 0x2c, 0x14,
		0x01, 0x00, 0x00, 0x00, 0x00,
		0x28, 0x1c, 0xf2, 0x32, 0xac, 0x83, 0x12, 0xdb,
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x01, 0x00, 0x02, 0x00, 0x01,
	};
	struct vpnc_ctrl_hdr h;
	uint8_t out[64];

	CHECK(vpnc_ctrl_parse(pkt, sizeof(pkt), &h) == 0);
	CHECK(h.opcode == VPNC_OP_HARD_RESET_SERVER_V2 && h.key_id == 0);
	CHECK(memcmp(h.sid, sid_s, 8) == 0);
	CHECK(h.n_acks == 1 && h.acks[0] == 0);
	CHECK(memcmp(h.remote_sid, sid_c, 8) == 0);
	CHECK(h.has_msg_id && h.msg_id == 0);
	CHECK(h.payload_len == 6 && h.payload == pkt + 26);
	CHECK(vpnc_ctrl_encode(&h, out, sizeof(out)) == (int)sizeof(pkt));
	CHECK(memcmp(out, pkt, sizeof(pkt)) == 0);
}

/* Appendix B client ACK: 28 | sidC | 02 | 00000001 00000000 | sidS, no msg-id. */
static void test_ack_layout(void)
{
	uint8_t pkt[] = {
		0x28, 0x28, 0x1c, 0xf2, 0x32, 0xac, 0x83, 0x12, 0xdb,
		0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x79, 0x84, 0xb9, 0xd7, 0x62, 0x01, 0x2c, 0x14,
	};
	struct vpnc_ctrl_hdr h;
	uint8_t out[64];

	CHECK(vpnc_ctrl_parse(pkt, sizeof(pkt), &h) == 0);
	CHECK(h.opcode == VPNC_OP_ACK_V1 && !h.has_msg_id);
	CHECK(h.n_acks == 2 && h.acks[0] == 1 && h.acks[1] == 0);
	CHECK(memcmp(h.remote_sid, sid_s, 8) == 0 && h.payload_len == 0);
	CHECK(vpnc_ctrl_encode(&h, out, sizeof(out)) == (int)sizeof(pkt));
	CHECK(memcmp(out, pkt, sizeof(pkt)) == 0);

	/* Trailing bytes after an ACK are ignored by OpenVPN; we report but accept them. */
	uint8_t longer[sizeof(pkt) + 3];
	memcpy(longer, pkt, sizeof(pkt));
	memset(longer + sizeof(pkt), 0xee, 3);
	CHECK(vpnc_ctrl_parse(longer, sizeof(longer), &h) == 0);
	CHECK(h.payload_len == 3 && !h.has_msg_id);

	/* An ACK packet with no ACK is rejected. */
	uint8_t empty[10] = {0x28};
	memcpy(empty + 1, sid_c, 8);
	CHECK(vpnc_ctrl_parse(empty, sizeof(empty), &h) == -EBADMSG);
}

/* Appendix B third packet shape: 58 | sidC | 01 | 00000000 | sidS | 00000001 | ClientHello... */
static void test_wkc_layout(void)
{
	uint8_t pkt[] = {
		0x58, 0x28, 0x1c, 0xf2, 0x32, 0xac, 0x83, 0x12, 0xdb,
		0x01, 0x00, 0x00, 0x00, 0x00,
		0x79, 0x84, 0xb9, 0xd7, 0x62, 0x01, 0x2c, 0x14,
		0x00, 0x00, 0x00, 0x01,
		0x16, 0x03, 0x01, 0x01, 0x10,
	};
	struct vpnc_ctrl_hdr h;

	CHECK(vpnc_ctrl_parse(pkt, sizeof(pkt), &h) == 0);
	CHECK(h.opcode == VPNC_OP_CONTROL_WKC_V1 && h.msg_id == 1);
	CHECK(h.n_acks == 1 && h.acks[0] == 0);
	CHECK(h.payload_len == 5 && h.payload[0] == 0x16);
}

static void fill_hdr(struct vpnc_ctrl_hdr *h, unsigned op, unsigned kid, unsigned n_acks,
    const uint8_t *payload, size_t plen)
{
	memset(h, 0, sizeof(*h));
	h->opcode = (uint8_t)op;
	h->key_id = (uint8_t)kid;
	memcpy(h->sid, sid_c, 8);
	h->n_acks = (uint8_t)n_acks;
	for (unsigned i = 0; i < n_acks; i++)
		h->acks[i] = 0x01020304u * (i + 1);
	if (n_acks)
		memcpy(h->remote_sid, sid_s, 8);
	h->has_msg_id = op != VPNC_OP_ACK_V1;
	h->msg_id = h->has_msg_id ? 0xdeadbeefu : 0;
	h->payload = payload;
	h->payload_len = plen;
}

/* Every control opcode, every key id and ack count round-trips, and every truncation fails. */
static void test_round_trips(void)
{
	static const unsigned ops[] = {3, 4, 5, 7, 8, 10, 11};
	uint8_t payload[40];
	uint8_t out[256];
	int bad_trunc = 0, bad_rt = 0;

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 1);
	for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
		for (unsigned kid = 0; kid < 8; kid++) {
			for (unsigned n = 0; n <= VPNC_ACK_MAX; n++) {
				struct vpnc_ctrl_hdr h, p;
				size_t plen = ops[o] == VPNC_OP_ACK_V1 ? 0 : (n * 5) % 40;
				int len;

				if (ops[o] == VPNC_OP_ACK_V1 && n == 0)
					continue;
				fill_hdr(&h, ops[o], kid, n, payload, plen);
				len = vpnc_ctrl_encode(&h, out, sizeof(out));
				if (len != (int)(vpnc_ctrl_hdr_len(ops[o], n) + plen)) {
					bad_rt++;
					continue;
				}
				if (vpnc_ctrl_parse(out, (size_t)len, &p) != 0 ||
				    p.opcode != h.opcode || p.key_id != h.key_id ||
				    memcmp(p.sid, h.sid, 8) != 0 || p.n_acks != h.n_acks ||
				    memcmp(p.acks, h.acks, sizeof(h.acks)) != 0 ||
				    (n && memcmp(p.remote_sid, h.remote_sid, 8) != 0) ||
				    p.has_msg_id != h.has_msg_id || p.msg_id != h.msg_id ||
				    p.payload_len != plen || p.payload != out + (len - (int)plen) ||
				    (plen && memcmp(p.payload, payload, plen) != 0))
					bad_rt++;
				/* Every cut inside the header must fail without touching memory past it. */
				for (int cut = 0; cut < len - (int)plen; cut++) {
					if (vpnc_ctrl_parse(out, (size_t)cut, &p) != -EBADMSG ||
					    p.n_acks != 0 || p.payload != NULL)
						bad_trunc++;
				}
				/* Any encode buffer shorter than the packet fails cleanly. */
				for (int cap = 0; cap < len; cap++) {
					if (vpnc_ctrl_encode(&h, out + 128, (size_t)cap) != -ENOSPC)
						bad_rt++;
				}
			}
		}
	}
	CHECK(bad_rt == 0);
	CHECK(bad_trunc == 0);
}

static void test_rejects(void)
{
	struct vpnc_ctrl_hdr h;
	uint8_t pkt[128];
	int len;

	/* ack_count 9 is one more than OpenVPN accepts. */
	fill_hdr(&h, VPNC_OP_CONTROL_V1, 0, 8, NULL, 0);
	len = vpnc_ctrl_encode(&h, pkt, sizeof(pkt));
	CHECK(len > 0);
	pkt[9] = 9;
	CHECK(vpnc_ctrl_parse(pkt, (size_t)len, &h) == -EBADMSG);
	memset(pkt + len, 0x11, 16);
	CHECK(vpnc_ctrl_parse(pkt, (size_t)len + 16, &h) == -EBADMSG);
	pkt[9] = 0xff;
	CHECK(vpnc_ctrl_parse(pkt, sizeof(pkt), &h) == -EBADMSG);

	/* Non-control opcodes: data, obsolete key-method 1 resets, unknown. */
	static const unsigned bad_ops[] = {0, 1, 2, 6, 9, 12, 31};
	for (size_t i = 0; i < sizeof(bad_ops) / sizeof(bad_ops[0]); i++) {
		fill_hdr(&h, VPNC_OP_CONTROL_V1, 0, 0, NULL, 0);
		len = vpnc_ctrl_encode(&h, pkt, sizeof(pkt));
		pkt[0] = vpnc_op_byte(bad_ops[i], 0);
		CHECK(vpnc_ctrl_parse(pkt, (size_t)len, &h) == -EBADMSG);
	}

	/* All-zero own or remote session id. */
	fill_hdr(&h, VPNC_OP_CONTROL_V1, 0, 1, NULL, 0);
	len = vpnc_ctrl_encode(&h, pkt, sizeof(pkt));
	CHECK(vpnc_ctrl_parse(pkt, (size_t)len, &h) == 0);
	memset(pkt + 14, 0, 8);
	CHECK(vpnc_ctrl_parse(pkt, (size_t)len, &h) == -EBADMSG);
	fill_hdr(&h, VPNC_OP_CONTROL_V1, 0, 0, NULL, 0);
	len = vpnc_ctrl_encode(&h, pkt, sizeof(pkt));
	memset(pkt + 1, 0, 8);
	CHECK(vpnc_ctrl_parse(pkt, (size_t)len, &h) == -EBADMSG);

	/* Bad arguments and impossible headers to encode. */
	CHECK(vpnc_ctrl_parse(NULL, 10, &h) == -EINVAL);
	CHECK(vpnc_ctrl_parse(pkt, 10, NULL) == -EINVAL);
	CHECK(vpnc_ctrl_parse(pkt, 0, &h) == -EBADMSG);
	fill_hdr(&h, VPNC_OP_CONTROL_V1, 0, 0, NULL, 0);
	h.n_acks = 9;
	CHECK(vpnc_ctrl_encode(&h, pkt, sizeof(pkt)) == -EINVAL);
	fill_hdr(&h, VPNC_OP_DATA_V2, 0, 0, NULL, 0);
	CHECK(vpnc_ctrl_encode(&h, pkt, sizeof(pkt)) == -EINVAL);
	fill_hdr(&h, VPNC_OP_CONTROL_V1, 8, 0, NULL, 0);
	CHECK(vpnc_ctrl_encode(&h, pkt, sizeof(pkt)) == -EINVAL);
	fill_hdr(&h, VPNC_OP_CONTROL_V1, 0, 0, NULL, 5);
	CHECK(vpnc_ctrl_encode(&h, pkt, sizeof(pkt)) == -EINVAL);
	CHECK(vpnc_ctrl_encode(NULL, pkt, sizeof(pkt)) == -EINVAL);
}

int main(void)
{
	test_first_byte();
	test_hdr_len();
	test_client_reset_layout();
	test_server_reset_layout();
	test_ack_layout();
	test_wkc_layout();
	test_round_trips();
	test_rejects();
	printf("test_ctrlpkt: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
