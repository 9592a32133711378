/*
 * ctrlpkt.c: parsing and encoding of unwrapped control-channel packets.
 *
 * Every read goes through struct vpnc_rd, so a short packet can only fail the
 * parse; it never reads past the input.
 */
#include <errno.h>
#include <string.h>

#include "vpnc/buf.h"
#include "core/ctrlpkt.h"

bool vpnc_op_is_control(unsigned op)
{
	switch (op) {
	case VPNC_OP_SOFT_RESET_V1:
	case VPNC_OP_CONTROL_V1:
	case VPNC_OP_ACK_V1:
	case VPNC_OP_HARD_RESET_CLIENT_V2:
	case VPNC_OP_HARD_RESET_SERVER_V2:
	case VPNC_OP_HARD_RESET_CLIENT_V3:
	case VPNC_OP_CONTROL_WKC_V1:
		return true;
	default:
		return false;
	}
}

/* OpenVPN treats an all-zero session id as undefined and drops the packet. */
static bool sid_defined(const uint8_t *sid)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < VPNC_SID_LEN; i++)
		acc |= sid[i];
	return acc != 0;
}

size_t vpnc_ctrl_hdr_len(unsigned opcode, unsigned n_acks)
{
	size_t len = VPNC_CTRL_OP_LEN + VPNC_SID_LEN + VPNC_CTRL_ACK_COUNT_LEN +
	    (size_t)n_acks * VPNC_CTRL_ACK_ID_LEN;

	if (n_acks > 0)
		len += VPNC_SID_LEN;
	if (opcode != VPNC_OP_ACK_V1)
		len += VPNC_CTRL_MSG_ID_LEN;
	return len;
}

int vpnc_ctrl_parse(const uint8_t *pkt, size_t len, struct vpnc_ctrl_hdr *h)
{
	struct vpnc_rd rd;
	uint8_t first;

	if (h == NULL)
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	if (pkt == NULL)
		return -EINVAL;

	vpnc_rd_init(&rd, pkt, len);
	if (!vpnc_rd_u8(&rd, &first))
		goto bad;
	h->opcode = (uint8_t)vpnc_op_of(first);
	h->key_id = (uint8_t)vpnc_kid_of(first);
	if (!vpnc_op_is_control(h->opcode))
		goto bad;
	if (!vpnc_rd_bytes(&rd, h->sid, VPNC_SID_LEN) || !sid_defined(h->sid))
		goto bad;
	if (!vpnc_rd_u8(&rd, &h->n_acks) || h->n_acks > VPNC_ACK_MAX)
		goto bad;
	for (unsigned i = 0; i < h->n_acks; i++) {
		if (!vpnc_rd_u32(&rd, &h->acks[i]))
			goto bad;
	}
	if (h->n_acks > 0) {
		if (!vpnc_rd_bytes(&rd, h->remote_sid, VPNC_SID_LEN) ||
		    !sid_defined(h->remote_sid))
			goto bad;
	}
	if (h->opcode == VPNC_OP_ACK_V1) {
		/* An ACK packet without ACKs carries nothing; OpenVPN never sends one. */
		if (h->n_acks == 0)
			goto bad;
	} else {
		if (!vpnc_rd_u32(&rd, &h->msg_id))
			goto bad;
		h->has_msg_id = true;
	}
	h->payload = rd.p;
	h->payload_len = rd.left;
	return 0;

bad:
	memset(h, 0, sizeof(*h));
	return -EBADMSG;
}

int vpnc_ctrl_encode(const struct vpnc_ctrl_hdr *h, uint8_t *out, size_t cap)
{
	struct vpnc_wr wr;
	size_t hlen;

	if (h == NULL || out == NULL)
		return -EINVAL;
	if (!vpnc_op_is_control(h->opcode) || h->key_id > VPNC_KEY_ID_MASK ||
	    h->n_acks > VPNC_ACK_MAX || (h->payload_len > 0 && h->payload == NULL))
		return -EINVAL;
	hlen = vpnc_ctrl_hdr_len(h->opcode, h->n_acks);
	if (h->payload_len > (size_t)INT32_MAX - hlen)
		return -EINVAL;
	if (hlen > cap || h->payload_len > cap - hlen)
		return -ENOSPC;

	vpnc_wr_init(&wr, out, cap);
	vpnc_wr_u8(&wr, vpnc_op_byte(h->opcode, h->key_id));
	vpnc_wr_bytes(&wr, h->sid, VPNC_SID_LEN);
	vpnc_wr_u8(&wr, h->n_acks);
	for (unsigned i = 0; i < h->n_acks; i++)
		vpnc_wr_u32(&wr, h->acks[i]);
	if (h->n_acks > 0)
		vpnc_wr_bytes(&wr, h->remote_sid, VPNC_SID_LEN);
	if (h->opcode != VPNC_OP_ACK_V1)
		vpnc_wr_u32(&wr, h->msg_id);
	vpnc_wr_bytes(&wr, h->payload, h->payload_len);
	if (wr.err)
		return -ENOSPC;
	return (int)wr.len;
}
