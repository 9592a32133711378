/*
 * ctrlchan.c: the control channel of a session: session ids, hard resets,
 * tls-auth / tls-crypt / tls-crypt-v2 wrapping, the reliability layer, and
 * moving the TLS byte stream in and out of P_CONTROL_V1 packets.
 *
 * Incoming packets are validated in this order before anything acts on them:
 * opcode, unwrap (authentication and replay), header parse, key id, session
 * ids, then the reliability window. Only then do payloads reach TLS.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/engine_int.h"
#include "core/ctrlchan.h"
#include "core/engine_event.h"

/* Early-negotiation TLV sent by a 2.6 server in its reset (tls-crypt-v2). */
#define TLV_EARLY_NEG_FLAGS 0x0001
#define EARLY_NEG_RESEND_WKC 0x0001

static int vpnc__ks_init(struct vpnc_engine *e, struct vpnc_keystate *ks, uint8_t key_id, uint64_t now)
{
	vpnc__ks_clear(ks);
	ks->key_id = key_id;
	ks->started = now;
	vpnc_rel_init(&ks->rel, (uint32_t)e->tls_timeout_ms);
	vpnc_ctrlmsg_rx_init(&ks->rx);
	ks->tls = vpnc_tls_new(e->ssl_ctx, e->role == VPNC_ROLE_SERVER);
	if (ks->tls == NULL)
		return -ENOMEM;
	ks->phase = KS_RESET;
	return 0;
}

void vpnc__ks_clear(struct vpnc_keystate *ks)
{
	vpnc_tls_free(ks->tls);
	ks->tls = NULL;
	if (ks->dc_ready)
		vpnc_dc_key_clear(&ks->dc);
	ks->dc_ready = false;
	ks->tx_ok = false;
	ks->installed = 0;
	ks->bytes = 0;
	ks->pkts = 0;
	vpnc_km2_wipe(&ks->local);
	vpnc_km2_wipe(&ks->remote);
	/* Queued and received control packets, and a half-read message, may hold the peer's secrets
	 * (an auth-token) or ours (credentials): gone before the slot is reused or freed. */
	vpnc_rel_wipe(&ks->rel);
	vpnc_ctrlmsg_rx_wipe(&ks->rx);
	ks->km2_sent = false;
	ks->km2_received = false;
	ks->phase = KS_IDLE;
}

/* Picks a random session id; all-zero means "undefined" to OpenVPN and is never used. */
static void new_sid(struct vpnc_engine *e)
{
	static const uint8_t zero[VPNC_SID_LEN];
	do
		e->rand(e->rand_ctx, e->sid, sizeof(e->sid));
	while (memcmp(e->sid, zero, sizeof(zero)) == 0);
}

static int queue_packet(struct vpnc_keystate *ks, uint8_t opcode, const uint8_t *p, size_t len, uint64_t now)
{
	int64_t id = vpnc_rel_queue(&ks->rel, opcode, p, len, now);
	return id < 0 ? (int)id : 0;
}

int vpnc__ctrl_start(struct vpnc_engine *e, uint64_t now)
{
	if (e->role == VPNC_ROLE_SERVER) {
		/* The server waits for the client's reset. */
		vpnc__set_state(e, VPNC_ST_RESET);
		return 0;
	}
	new_sid(e);
	int r = vpnc__ks_init(e, e->ks, 0, now);
	if (r != 0)
		return r;
	uint8_t op = e->wrap == VPNC_WRAP_TLS_CRYPT_V2 ? VPNC_OP_HARD_RESET_CLIENT_V3
	                                                : VPNC_OP_HARD_RESET_CLIENT_V2;
	r = queue_packet(e->ks, op, NULL, 0, now);
	if (r != 0)
		return r;
	vpnc__set_state(e, VPNC_ST_RESET);
	return 0;
}

/* Key ids run 0, 1 .. 7, 1 ..: 0 is only ever the first key of a session. */
static uint8_t next_key_id(uint8_t k)
{
	k = (uint8_t)((k + 1) & 7);
	return k == 0 ? 1 : k;
}

int vpnc__soft_reset(struct vpnc_engine *e, uint64_t now)
{
	struct vpnc_keystate *old = e->ks;
	struct vpnc_keystate *fresh = old == &e->slots[0] ? &e->slots[1] : &e->slots[0];

	/* The key before the current one is dropped now; the current one becomes the lame duck. */
	e->lame = NULL;
	int r = vpnc__ks_init(e, fresh, next_key_id(old->key_id), now);
	if (r != 0)
		return r;
	r = queue_packet(fresh, VPNC_OP_SOFT_RESET_V1, NULL, 0, now);
	if (r != 0)
		return r;
	/* The old key state keeps only its data keys; its TLS session is done. */
	vpnc_tls_free(old->tls);
	old->tls = NULL;
	e->lame = old->dc_ready ? old : NULL;
	e->ks = fresh;
	VPNC_PEER_LOG(e, now, 2, "renegotiating: key id %u", (unsigned)fresh->key_id);
	return 0;
}

/* Bytes the wrapping adds to a control packet. */
static size_t wrap_overhead(const struct vpnc_engine *e)
{
	switch (e->wrap) {
	case VPNC_WRAP_TLS_CRYPT:
	case VPNC_WRAP_TLS_CRYPT_V2:
		return VPNC_TLSCRYPT_OVERHEAD;
	case VPNC_WRAP_TLS_AUTH:
		return 8 + 64; /* replay id and time, and the largest HMAC */
	default:
		return 0;
	}
}

/* The most TLS bytes one P_CONTROL_V1 may carry within the control MTU. */
static size_t payload_max(const struct vpnc_engine *e)
{
	return VPNC_TLS_MTU - VPNC_IP_UDP_OVERHEAD - vpnc_ctrl_hdr_len(VPNC_OP_CONTROL_V1, VPNC_ACK_PIGGY_MAX) -
	       wrap_overhead(e);
}

/* Wraps an encoded control packet into out; returns the wrapped length or a negative code. */
static int wrap_out(struct vpnc_engine *e, const uint8_t *plain, size_t len, struct vpnc_buf *out)
{
	uint8_t *dst = vpnc_buf_data(out);
	size_t cap = out->cap - out->off;
	int n;

	if (e->tc_dyn != NULL && vpnc_kid_of(plain[0]) != 0) {
		/* Dynamic tls-crypt protects every control packet after the first key. */
		n = vpnc_tlscrypt_wrap(e->tc_dyn, plain, len, dst, cap);
		if (n < 0)
			return n;
		out->len = (size_t)n;
		return 1;
	}
	switch (e->wrap) {
	case VPNC_WRAP_TLS_CRYPT:
	case VPNC_WRAP_TLS_CRYPT_V2:
		n = vpnc_tlscrypt_wrap(e->tc, plain, len, dst, cap);
		break;
	case VPNC_WRAP_TLS_AUTH:
		n = vpnc_tlsauth_wrap(e->ta, plain, len, dst, cap);
		break;
	default:
		if (len > cap)
			return -ENOSPC;
		memcpy(dst, plain, len);
		n = (int)len;
		break;
	}
	if (n < 0)
		return n;
	/* tls-crypt-v2: WKc follows the wrapped packet, unencrypted, on these two opcodes only. */
	unsigned op = vpnc_op_of(plain[0]);
	if (e->wrap == VPNC_WRAP_TLS_CRYPT_V2 && e->role == VPNC_ROLE_CLIENT &&
	    (op == VPNC_OP_HARD_RESET_CLIENT_V3 || op == VPNC_OP_CONTROL_WKC_V1)) {
		if ((size_t)n + e->wkc_len > cap)
			return -ENOSPC;
		memcpy(dst + n, e->wkc, e->wkc_len);
		n += (int)e->wkc_len;
	}
	out->len = (size_t)n;
	return 1;
}

int vpnc__ctrl_out(struct vpnc_engine *e, uint64_t now, struct vpnc_buf *out)
{
	struct vpnc_keystate *ks = e->ks;
	struct vpnc_ctrl_hdr h;
	struct vpnc_rel_out o;

	if (ks->phase == KS_IDLE || e->state == VPNC_ST_FAILED)
		return 0;

	/* Cut pending TLS ciphertext into control packets while the send window has room. */
	while (ks->phase >= KS_TLS && ks->tls != NULL && vpnc_tls_pending(ks->tls) > 0 &&
	       vpnc_rel_can_queue(&ks->rel)) {
		uint8_t op = VPNC_OP_CONTROL_V1;
		size_t max = payload_max(e);
		if (e->resend_wkc && vpnc_rel_next_msg_id(&ks->rel) == 1) {
			op = VPNC_OP_CONTROL_WKC_V1;
			max -= e->wkc_len;
		}
		size_t n = vpnc_tls_take(ks->tls, e->tlsbuf, max);
		if (n == 0 || queue_packet(ks, op, e->tlsbuf, n, now) != 0)
			break;
	}

	memset(&h, 0, sizeof(h));
	h.key_id = ks->key_id;
	memcpy(h.sid, e->sid, VPNC_SID_LEN);
	if (vpnc_rel_next_out(&ks->rel, now, &o)) {
		h.opcode = o.opcode;
		h.n_acks = (uint8_t)vpnc_rel_take_acks(&ks->rel, h.acks, VPNC_ACK_PIGGY_MAX);
		h.has_msg_id = true;
		h.msg_id = o.msg_id;
		h.payload = o.payload;
		h.payload_len = o.len;
		if (o.retransmit)
			e->stats.retransmits++;
	} else if (vpnc_rel_acks_pending(&ks->rel)) {
		h.opcode = VPNC_OP_ACK_V1;
		h.n_acks = (uint8_t)vpnc_rel_take_acks(&ks->rel, h.acks, VPNC_ACK_MAX);
		h.has_msg_id = false;
	} else {
		return 0;
	}
	if (h.n_acks > 0)
		memcpy(h.remote_sid, e->peer_sid, VPNC_SID_LEN);
	int n = vpnc_ctrl_encode(&h, e->scratch, sizeof(e->scratch));
	if (n < 0)
		return n;
	return wrap_out(e, e->scratch, (size_t)n, out);
}

uint64_t vpnc__ctrl_next_timer(const struct vpnc_engine *e)
{
	if (e->ks->phase == KS_IDLE)
		return UINT64_MAX;
	return vpnc_rel_next_timer(&e->ks->rel);
}

/* Unwraps pkt into e->scratch; returns the unwrapped length or a dropped-packet code. */
static int unwrap_in(struct vpnc_engine *e, const uint8_t *pkt, size_t len)
{
	int n;
	enum vpnc_wrap_mode wrap = e->wrap;
	struct vpnc_tlscrypt *tc = e->tc;

	if (e->tc_dyn != NULL && vpnc_kid_of(pkt[0]) != 0) {
		wrap = VPNC_WRAP_TLS_CRYPT;
		tc = e->tc_dyn;
	}
	switch (wrap) {
	case VPNC_WRAP_TLS_CRYPT:
	case VPNC_WRAP_TLS_CRYPT_V2:
		n = vpnc_tlscrypt_unwrap(tc, pkt, len, e->scratch, sizeof(e->scratch));
		break;
	case VPNC_WRAP_TLS_AUTH:
		n = vpnc_tlsauth_unwrap(e->ta, pkt, len, e->scratch, sizeof(e->scratch));
		break;
	default:
		if (len > sizeof(e->scratch))
			return vpnc__drop(e, VPNC_DROP_TOO_BIG, -ENOSPC);
		memcpy(e->scratch, pkt, len);
		return (int)len;
	}
	if (n == -EALREADY)
		return vpnc__drop(e, VPNC_DROP_REPLAY, n);
	if (n == -EINVAL)
		return vpnc__drop(e, VPNC_DROP_SHORT, n);
	if (n < 0)
		return vpnc__drop(e, VPNC_DROP_AUTH, n);
	return n;
}

/* Reads the early-negotiation TLVs of the server's reset. Returns 0 or -EBADMSG if truncated. */
static int parse_reset_tlvs(struct vpnc_engine *e, const uint8_t *p, size_t len)
{
	struct vpnc_rd r;
	vpnc_rd_init(&r, p, len);
	while (r.left > 0) {
		uint16_t type, vlen;
		const uint8_t *v;
		if (!vpnc_rd_u16(&r, &type) || !vpnc_rd_u16(&r, &vlen) || (v = vpnc_rd_take(&r, vlen)) == NULL)
			return -EBADMSG;
		if (type == TLV_EARLY_NEG_FLAGS && vlen == 2 && (vpnc_get_u16(v) & EARLY_NEG_RESEND_WKC) &&
		    e->wrap == VPNC_WRAP_TLS_CRYPT_V2)
			e->resend_wkc = true;
	}
	return 0;
}

/* True if the ACK block acknowledges msg-id 0 (its session id was checked by the caller). */
static bool acks_our_reset(const struct vpnc_ctrl_hdr *h)
{
	for (unsigned i = 0; i < h->n_acks; i++)
		if (h->acks[i] == 0)
			return true;
	return false;
}

/* Accepts the first packet of a session: it fixes the peer's session id. */
static int accept_peer_reset(struct vpnc_engine *e, const struct vpnc_ctrl_hdr *h, uint64_t now)
{
	if (e->role == VPNC_ROLE_CLIENT) {
		if (h->opcode != VPNC_OP_HARD_RESET_SERVER_V2 || !h->has_msg_id || h->msg_id != 0)
			return vpnc__drop(e, VPNC_DROP_OPCODE, -EPROTO);
		/*
		 * A 2.6 server's reset always acknowledges ours (msg-id 0, our session id; see
		 * docs/control-channel.md). Without tls-auth/tls-crypt a reset that does not could
		 * come from anyone: adopting its session id would lock out the genuine server.
		 */
		if (!acks_our_reset(h))
			return vpnc__drop(e, VPNC_DROP_SESSION, -EPROTO);
		memcpy(e->peer_sid, h->sid, VPNC_SID_LEN);
		e->have_peer_sid = true;
		/* The first round trip, unless a retransmission makes it ambiguous (roaming's probe wait). */
		if (e->stats.retransmits == 0)
			e->rtt_ms = now - e->start_time;
		return 0;
	}
	if (h->opcode != VPNC_OP_HARD_RESET_CLIENT_V2 || !h->has_msg_id || h->msg_id != 0)
		return vpnc__drop(e, VPNC_DROP_OPCODE, -EPROTO);
	memcpy(e->peer_sid, h->sid, VPNC_SID_LEN);
	e->have_peer_sid = true;
	new_sid(e);
	e->start_time = now;
	int r = vpnc__ks_init(e, e->ks, 0, now);
	if (r != 0)
		return r;
	r = queue_packet(e->ks, VPNC_OP_HARD_RESET_SERVER_V2, NULL, 0, now);
	if (r != 0)
		return r;
	e->ks->phase = KS_TLS;
	vpnc__set_state(e, VPNC_ST_TLS);
	return 0;
}

/* Hands in-order payloads to where they belong. Returns 0 or a negative code. */
static int deliver(struct vpnc_engine *e, struct vpnc_keystate *ks, uint64_t now)
{
	uint8_t op;
	const uint8_t *p;
	size_t len;

	while (vpnc_rel_recv_peek(&ks->rel, &op, &p, &len)) {
		int r = 0;
		switch (op) {
		case VPNC_OP_HARD_RESET_SERVER_V2:
			if (e->role == VPNC_ROLE_CLIENT && ks->phase == KS_RESET) {
				/* A reset's payload is never TLS: it holds the early-negotiation TLVs. */
				if (parse_reset_tlvs(e, p, len) != 0) {
					vpnc__fail(e, VPNC_CAUSE_OTHER, false, "the server's reset carries a truncated TLV");
					r = -EBADMSG;
					break;
				}
				ks->phase = KS_TLS;
				vpnc__set_state(e, VPNC_ST_TLS);
				/* OpenVPN's burst: the peer is there, so send what is pending now. */
				vpnc_rel_schedule_now(&ks->rel, now);
			}
			break;
		case VPNC_OP_SOFT_RESET_V1:
			/* The peer's soft reset starts (or answers ours): TLS begins on this key state. */
			if (ks->phase == KS_RESET) {
				ks->phase = KS_TLS;
				vpnc_rel_schedule_now(&ks->rel, now);
			}
			break;
		case VPNC_OP_CONTROL_V1:
		case VPNC_OP_CONTROL_WKC_V1:
			if (ks->tls != NULL && ks->phase >= KS_TLS)
				r = vpnc_tls_feed(ks->tls, p, len);
			break;
		default:
			/* Resets of the other side and soft resets carry nothing for TLS. */
			break;
		}
		vpnc_rel_recv_release(&ks->rel);
		if (r != 0)
			return r;
	}
	return 0;
}

int vpnc__ctrl_in(struct vpnc_engine *e, uint64_t now, const uint8_t *pkt, size_t len)
{
	struct vpnc_keystate *ks;
	struct vpnc_ctrl_hdr h;
	unsigned op = vpnc_op_of(pkt[0]);

	if (!vpnc_op_is_control(op))
		return vpnc__drop(e, VPNC_DROP_OPCODE, -EPROTO);
	int n = unwrap_in(e, pkt, len);
	if (n < 0)
		return n;
	if (vpnc_ctrl_parse(e->scratch, (size_t)n, &h) != 0)
		return vpnc__drop(e, VPNC_DROP_MALFORMED, -EBADMSG);
	/* ACKs must be addressed to us before the packet may change anything. */
	if (h.n_acks > 0 && (e->role == VPNC_ROLE_CLIENT || e->have_peer_sid) &&
	    memcmp(h.remote_sid, e->sid, VPNC_SID_LEN) != 0)
		return vpnc__drop(e, VPNC_DROP_SESSION, -EPROTO);
	if (!e->have_peer_sid) {
		if (h.key_id != 0)
			return vpnc__drop(e, VPNC_DROP_KEY_ID, -ENOKEY);
		int r = accept_peer_reset(e, &h, now);
		if (r != 0)
			return r;
	} else if (memcmp(h.sid, e->peer_sid, VPNC_SID_LEN) != 0) {
		return vpnc__drop(e, VPNC_DROP_SESSION, -EPROTO);
	}
	ks = e->ks;
	if (h.key_id != ks->key_id) {
		if (h.opcode == VPNC_OP_SOFT_RESET_V1 && ks->phase == KS_ACTIVE && ks->dc_ready &&
		    h.key_id == next_key_id(ks->key_id)) {
			/* The peer renegotiates: answer on a new key state. */
			int r = vpnc__soft_reset(e, now);
			if (r != 0)
				return r;
			ks = e->ks;
		} else if (e->lame != NULL && h.key_id == e->lame->key_id) {
			/* Late control packets of the previous key state are of no use any more. */
			return 0;
		} else {
			return vpnc__drop(e, VPNC_DROP_KEY_ID, -ENOKEY);
		}
	}
	if (h.n_acks > 0)
		vpnc_rel_acks_in(&ks->rel, h.acks, h.n_acks);
	e->last_recv = now;
	if (h.has_msg_id) {
		int r = vpnc_rel_recv(&ks->rel, h.msg_id, h.opcode, h.payload, h.payload_len);
		if (r < 0)
			return vpnc__drop(e, VPNC_DROP_WINDOW, r);
		r = deliver(e, ks, now);
		if (r != 0)
			return r;
	}
	/* Whatever TLS now holds (handshake progress, plaintext) is the key exchange's: the
	 * engine hands it over, so this file never calls into keyex.c. */
	return 1;
}

struct vpnc_keystate *vpnc__tx_key(struct vpnc_engine *e)
{
	if (e->ks->dc_ready && (e->ks->tx_ok || e->lame == NULL || !e->lame->dc_ready))
		return e->ks;
	if (e->lame != NULL && e->lame->dc_ready)
		return e->lame;
	return NULL;
}
