/*
 * test_hostile.c: a scripted hostile server against the client engine, in
 * memory.
 *
 * The server is the engine's own server role; what it cannot be told to do
 * wrong is crafted here with the core's codecs (ctrlpkt encode, the server's
 * tls-crypt context, its TLS session) and fed to the client. The cases are the
 * client-side ones of docs/hostile.md: malformed framing, bad
 * hard resets, lying ACK blocks, bad tls-crypt tags, oversized control
 * packets, window overflow, duplicate and reordered floods during the
 * handshake, data before keys, replays, bad and forbidden PUSH_REPLY options,
 * endless push-continuation, long and malformed control messages, and
 * renegotiation storms.
 *
 * Every case checks the same contract: the client never crashes (CI runs this
 * under ASan/UBSan), never applies a bad value, counts each drop in
 * struct vpnc_stats, logs each drop reason once, and either keeps working or
 * ends the session with exactly one RESTART/FATAL event.
 *
 * A failure whose message starts with "CORE BUG" is a defect in src/core that
 * this test found; the message names the function and the input.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/ctrlchan.h"
#include "core/engine_int.h"
#include "core/keyex.h"
#include "vpnc/engine.h"

#include "../pair.h"
#include "../check.h"

/* Lengths of the fields this test writes by hand (see ctrlpkt.h). */
#define HDR_OPSID_LEN (VPNC_CTRL_OP_LEN + VPNC_SID_LEN)
#define DATA_V2_HDR_LEN 4 /* op|kid + 3-byte peer-id */
#define FLOOD_COPIES 5
#define STORM_PACKETS 300
#define CONTINUATION_PARTS 100
#define LONG_MSG_LEN 100000
#define GARBAGE_MSGS 2000

/* A pair with one data cipher on both sides and the given wrapping and PUSH_REPLY (NULL = the default). */
static int hostile_pair(struct pair *p, enum vpnc_wrap_mode wrap, const char *push)
{
	struct pair_opts o = {.wrap = wrap, .client_ciphers = "AES-256-GCM", .server_ciphers = "AES-256-GCM", .push = push};
	return pair_new(p, &o);
}

/* A pair (hostile_pair), or false after counting the failure. */
static bool hostile_new(struct pair *p, enum vpnc_wrap_mode wrap, const char *push)
{
	if (hostile_pair(p, wrap, push) == 0)
		return true;
	CHECK(0, "pair_new");
	return false;
}

/* A connected pair, or false after counting the failure (the pair is freed). */
static bool hostile_up(struct pair *p, enum vpnc_wrap_mode wrap)
{
	if (hostile_pair(p, wrap, NULL) == 0 && pair_handshake(p))
		return true;
	CHECK(0, "pair setup (%s)", p->c_reason);
	pair_free(p);
	return false;
}

/* Runs both sides for ms of simulated time with a clean wire. */
static void pair_run(struct pair *p, unsigned ms)
{
	for (unsigned t = 0; t < ms; t += 10)
		pair_step(p, 10);
}

/* One data packet server -> client; true if the client decrypted it. */
static bool data_works(struct pair *p)
{
	uint8_t mem[VPNC_PKT_BUF], out[VPNC_PKT_BUF], ip[60];
	struct vpnc_buf b, t;
	memset(ip, 0x45, sizeof(ip));
	vpnc_buf_init(&b, mem, sizeof(mem), 0);
	if (vpnc_engine_tun_in(p->s, p->now, ip, sizeof(ip), &b) != 0)
		return false;
	vpnc_buf_init(&t, out, sizeof(out), VPNC_HEADROOM);
	if (vpnc_engine_link_in(p->c, p->now, vpnc_buf_data(&b), b.len, &t) != 1)
		return false;
	return t.len == sizeof(ip) && memcmp(vpnc_buf_data(&t), ip, sizeof(ip)) == 0;
}

static uint64_t drops_total(const struct vpnc_engine *e)
{
	uint64_t n = 0;
	for (int i = 0; i < VPNC_DROP__COUNT; i++)
		n += vpnc_engine_stats(e)->drops[i];
	return n;
}

/* Each drop reason seen was logged exactly once. */
static void check_logged_once(struct pair *p, const char *what)
{
	unsigned reasons = 0;
	for (int i = 0; i < VPNC_DROP__COUNT; i++)
		reasons += vpnc_engine_stats(p->c)->drops[i] > 0;
	CHECK(p->clog.drop_lines == reasons, "%s: %u drop log lines for %u drop reasons (want one each)", what,
	      p->clog.drop_lines, reasons);
}

/* Hands one raw link packet to the client. */
static int to_client(struct pair *p, const uint8_t *pkt, size_t len)
{
	static uint8_t mem[VPNC_PKT_BUF];
	struct vpnc_buf b;
	vpnc_buf_init(&b, mem, sizeof(mem), VPNC_HEADROOM);
	int r = vpnc_engine_link_in(p->c, p->now, pkt, len, &b);
	if (r == 1)
		return 1000; /* a hostile packet must never reach the TUN; callers check < 0 or == 0 */
	return r;
}

/* Wraps an unwrapped control packet the way the server does and hands it to the client. */
static int inject_raw(struct pair *p, const uint8_t *plain, size_t len)
{
	static uint8_t wrapped[VPNC_LINK_MAX * 4];
	int n;
	switch (p->s->wrap) {
	case VPNC_WRAP_TLS_CRYPT:
		n = vpnc_tlscrypt_wrap(p->s->tc, plain, len, wrapped, sizeof(wrapped));
		break;
	case VPNC_WRAP_TLS_AUTH:
		n = vpnc_tlsauth_wrap(p->s->ta, plain, len, wrapped, sizeof(wrapped));
		break;
	default:
		if (len > sizeof(wrapped))
			return -ENOSPC;
		memcpy(wrapped, plain, len);
		n = (int)len;
		break;
	}
	if (n < 0)
		return n;
	return to_client(p, wrapped, (size_t)n);
}

/* A header as the server would send it on key id 0 (sid = the server's, ACKs addressed to the client). */
static void server_hdr(struct pair *p, struct vpnc_ctrl_hdr *h, uint8_t op)
{
	memset(h, 0, sizeof(*h));
	h->opcode = op;
	memcpy(h->sid, p->s->sid, VPNC_SID_LEN);
	memcpy(h->remote_sid, p->c->sid, VPNC_SID_LEN);
	h->has_msg_id = op != VPNC_OP_ACK_V1;
}

static int inject_hdr(struct pair *p, const struct vpnc_ctrl_hdr *h)
{
	static uint8_t plain[VPNC_LINK_MAX * 2];
	int n = vpnc_ctrl_encode(h, plain, sizeof(plain));
	if (n < 0)
		return n;
	return inject_raw(p, plain, (size_t)n);
}

/* --- framing and opcodes --- */

static void junk_storm(struct pair *p, int *accepted)
{
	uint8_t junk[64];
	for (unsigned b0 = 0; b0 < 256; b0++) {
		for (size_t len = 1; len <= sizeof(junk); len += 7) {
			wire_rand(NULL, junk, len);
			junk[0] = (uint8_t)b0;
			if (to_client(p, junk, len) >= 0)
				(*accepted)++;
		}
	}
}

static void test_framing(void)
{
	struct pair p;
	if (!hostile_new(&p, VPNC_WRAP_TLS_CRYPT, NULL))
		return;
	const struct vpnc_stats *st = vpnc_engine_stats(p.c);
	vpnc_engine_start(p.c, p.now);

	/* Before the server answered: every first byte, every short length. */
	CHECK(to_client(&p, (const uint8_t *)"", 0) < 0, "empty datagram dropped");
	CHECK(st->drops[VPNC_DROP_SHORT] == 1, "empty datagram counted as short");
	int accepted = 0;
	junk_storm(&p, &accepted);
	CHECK(accepted == 0, "pre-handshake: %d junk packets accepted", accepted);
	CHECK(vpnc_engine_state(p.c) == VPNC_ST_RESET, "pre-handshake junk leaves the client waiting (state %d)",
	      vpnc_engine_state(p.c));
	CHECK(st->drops[VPNC_DROP_OPCODE] > 0 && st->drops[VPNC_DROP_NO_KEYS] > 0 && st->drops[VPNC_DROP_SHORT] > 1,
	      "junk counted: opcode %llu, no-keys %llu, short %llu", (unsigned long long)st->drops[VPNC_DROP_OPCODE],
	      (unsigned long long)st->drops[VPNC_DROP_NO_KEYS], (unsigned long long)st->drops[VPNC_DROP_SHORT]);

	CHECK(pair_handshake(&p), "handshake after junk (%s)", p.c_reason);

	/* After it: the same junk, then well-authenticated packets on stale key ids. */
	accepted = 0;
	junk_storm(&p, &accepted);
	CHECK(accepted == 0, "connected: %d junk packets accepted", accepted);
	/* With dynamic tls-crypt (negotiated here), key ids > 0 use another wrapping key, so
	 * these packets may already fail authentication: either drop reason is right. */
	uint64_t kid_before = st->drops[VPNC_DROP_KEY_ID] + st->drops[VPNC_DROP_AUTH];
	for (unsigned kid = 1; kid < 8; kid++) {
		struct vpnc_ctrl_hdr h;
		server_hdr(&p, &h, VPNC_OP_CONTROL_V1);
		h.key_id = (uint8_t)kid;
		h.msg_id = 0;
		h.payload = (const uint8_t *)"\x16\x03\x03";
		h.payload_len = 3;
		CHECK(inject_hdr(&p, &h) < 0, "P_CONTROL on stale key id %u dropped", kid);
	}
	CHECK(st->drops[VPNC_DROP_KEY_ID] + st->drops[VPNC_DROP_AUTH] - kid_before == 7, "stale key ids counted (%llu)",
	      (unsigned long long)(st->drops[VPNC_DROP_KEY_ID] + st->drops[VPNC_DROP_AUTH] - kid_before));
	/* P_CONTROL with fewer than 4 bytes after the header (2014-8104). */
	uint8_t tiny[HDR_OPSID_LEN + 2];
	memset(tiny, 0, sizeof(tiny));
	tiny[0] = vpnc_op_byte(VPNC_OP_CONTROL_V1, 0);
	memcpy(tiny + VPNC_CTRL_OP_LEN, p.s->sid, VPNC_SID_LEN);
	CHECK(inject_raw(&p, tiny, sizeof(tiny)) < 0, "P_CONTROL without a msg-id dropped");
	CHECK(vpnc_engine_state(p.c) == VPNC_ST_CONNECTED && p.c_end_events == 0, "still connected after junk (%s)",
	      p.c_reason);
	CHECK(data_works(&p), "data flows after junk");
	check_logged_once(&p, "framing");
	pair_free(&p);
}

/* --- hard resets --- */

static void test_bad_resets(void)
{
	struct pair p;
	if (!hostile_new(&p, VPNC_WRAP_TLS_CRYPT, NULL))
		return;
	vpnc_engine_start(p.c, p.now);
	static const uint8_t evil_sid[VPNC_SID_LEN] = {0xe1, 0x71, 0xe1, 0x71, 0xe1, 0x71, 0xe1, 0x71};
	struct vpnc_ctrl_hdr h;

	/* A server reset with msg-id 5: not the first packet of a session. */
	memset(&h, 0, sizeof(h));
	h.opcode = VPNC_OP_HARD_RESET_SERVER_V2;
	memcpy(h.sid, evil_sid, VPNC_SID_LEN);
	h.n_acks = 1;
	h.acks[0] = 0;
	memcpy(h.remote_sid, p.c->sid, VPNC_SID_LEN);
	h.has_msg_id = true;
	h.msg_id = 5;
	CHECK(inject_hdr(&p, &h) < 0, "server reset with msg-id 5 dropped");
	CHECK(!p.c->have_peer_sid, "a reset with msg-id 5 does not fix the peer's session id");

	/* A client reset sent by the "server". */
	h.opcode = VPNC_OP_HARD_RESET_CLIENT_V2;
	h.msg_id = 0;
	CHECK(inject_hdr(&p, &h) < 0, "client reset from the server dropped");
	CHECK(!p.c->have_peer_sid, "a client reset does not fix the peer's session id");

	/* A server reset that ACKs a session id that is not ours. */
	h.opcode = VPNC_OP_HARD_RESET_SERVER_V2;
	memset(h.remote_sid, 0x5a, VPNC_SID_LEN);
	CHECK(inject_hdr(&p, &h) < 0, "server reset ACKing a foreign session id dropped");
	CHECK(!p.c->have_peer_sid,
	      "CORE BUG src/core/ctrlchan.c vpnc__ctrl_in()/accept_peer_reset(): a HARD_RESET_SERVER_V2 "
	      "(msg-id 0) whose ACK carries a remote session id that is not ours is dropped as "
	      "VPNC_DROP_SESSION only after accept_peer_reset() stored its session id; the client is now "
	      "locked to the forged session and drops the genuine server (OpenVPN checks the ACK's "
	      "remote session id before accepting anything)");
	CHECK(vpnc_engine_state(p.c) == VPNC_ST_RESET, "still waiting for the genuine server");

	/* The genuine server must still get through. */
	bool ok = pair_handshake(&p);
	CHECK(ok, "%shandshake with the genuine server after forged resets (%s)",
	      ok ? "" : "CORE BUG (same as above): ", p.c_reason);
	if (ok)
		CHECK(p.c_end_events == 0, "no end event (%s)", p.c_reason);

	check_logged_once(&p, "bad resets");
	pair_free(&p);

	/* Mid-session (a fresh pair, so that this part does not depend on the one above). */
	if (!hostile_new(&p, VPNC_WRAP_TLS_CRYPT, NULL))
		return;
	ok = pair_handshake(&p);
	CHECK(ok, "handshake for the mid-session resets (%s)", p.c_reason);
	if (ok) {
		/* A fresh hard reset from a new session id is not ours. */
		memset(&h, 0, sizeof(h));
		h.opcode = VPNC_OP_HARD_RESET_SERVER_V2;
		h.n_acks = 1;
		h.has_msg_id = true;
		memcpy(h.sid, evil_sid, VPNC_SID_LEN);
		memcpy(h.remote_sid, p.c->sid, VPNC_SID_LEN);
		h.msg_id = 0;
		uint64_t before = vpnc_engine_stats(p.c)->drops[VPNC_DROP_SESSION];
		CHECK(inject_hdr(&p, &h) < 0, "a hard reset mid-session from another session id is dropped");
		CHECK(vpnc_engine_stats(p.c)->drops[VPNC_DROP_SESSION] == before + 1, "counted as a session mismatch");
		CHECK(vpnc_engine_state(p.c) == VPNC_ST_CONNECTED && data_works(&p), "still connected");

		/* A soft reset whose ACK is addressed to another session must not start a renegotiation. */
		server_hdr(&p, &h, VPNC_OP_SOFT_RESET_V1);
		h.key_id = 1;
		h.n_acks = 1;
		h.acks[0] = 0;
		memset(h.remote_sid, 0x5a, VPNC_SID_LEN);
		uint8_t kid = p.c->ks->key_id;
		CHECK(inject_hdr(&p, &h) < 0, "soft reset ACKing a foreign session id dropped");
		CHECK(p.c->ks->key_id == kid,
		      "CORE BUG src/core/ctrlchan.c vpnc__ctrl_in(): a SOFT_RESET_V1 on the next key id whose ACK "
		      "carries a foreign remote session id calls vpnc__soft_reset() before the ACK's session id is "
		      "checked, so a packet that is then dropped as VPNC_DROP_SESSION still replaced the key state "
		      "(key id %u -> %u)", kid, p.c->ks->key_id);
	}
	check_logged_once(&p, "bad resets");
	pair_free(&p);

	/* A reset whose early-negotiation TLV is cut off: the session ends, once, cleanly. */
	if (!hostile_new(&p, VPNC_WRAP_TLS_CRYPT, NULL))
		return;
	vpnc_engine_start(p.c, p.now);
	memset(&h, 0, sizeof(h));
	h.opcode = VPNC_OP_HARD_RESET_SERVER_V2;
	memcpy(h.sid, evil_sid, VPNC_SID_LEN);
	h.n_acks = 1;
	memcpy(h.remote_sid, p.c->sid, VPNC_SID_LEN);
	h.has_msg_id = true;
	h.payload = (const uint8_t *)"\x00\x01\x00\x09\x00";
	h.payload_len = 5;
	inject_hdr(&p, &h);
	for (int i = 0; i < 10; i++) {
		inject_hdr(&p, &h);
		pair_step(&p, 10);
	}
	CHECK(p.c_end_events <= 1 && !p.c_connected, "truncated TLV: at most one end event, never connected (%u)",
	      p.c_end_events);
	pair_free(&p);
}

/*
 * Without tls-auth/tls-crypt anyone who can send to the client can send a
 * server reset. One that does not acknowledge our reset (msg-id 0, our
 * session id) must not fix the peer's session id, or the genuine server's
 * reset is refused and the handshake stalls until hand-window ends it.
 */
static void test_spoofed_reset(void)
{
	static const uint8_t evil_sid[VPNC_SID_LEN] = {0x5b, 0x00, 0xf5, 0xed, 0x5b, 0x00, 0xf5, 0xed};
	struct vpnc_ctrl_hdr h;
	struct pair p;

	if (hostile_pair(&p, VPNC_WRAP_NONE, NULL) != 0) {
		CHECK(0, "pair_new");
		pair_free(&p);
		return;
	}
	vpnc_engine_start(p.c, p.now);
	memset(&h, 0, sizeof(h));
	h.opcode = VPNC_OP_HARD_RESET_SERVER_V2;
	memcpy(h.sid, evil_sid, VPNC_SID_LEN);
	h.has_msg_id = true;
	h.msg_id = 0;
	CHECK(inject_hdr(&p, &h) < 0, "a server reset without an ACK block is dropped");
	CHECK(!p.c->have_peer_sid, "a server reset without an ACK block does not fix the peer's session id");

	/* ACKing our session but not our reset (msg-id 0) is no better. */
	h.n_acks = 1;
	h.acks[0] = 1;
	memcpy(h.remote_sid, p.c->sid, VPNC_SID_LEN);
	CHECK(inject_hdr(&p, &h) < 0, "a server reset that ACKs msg-id 1 instead of our reset is dropped");
	CHECK(!p.c->have_peer_sid, "a server reset that ACKs msg-id 1 does not fix the peer's session id");

	/* The genuine server right after: connected in a few round trips, not after hand-window (60 s). */
	uint64_t t0 = p.now;
	bool ok = pair_handshake(&p);
	CHECK(ok && p.now - t0 < 10000, "spoofed reset first, then the genuine server: connected after %llu ms (%s)",
	      (unsigned long long)(p.now - t0), p.c_reason);
	CHECK(p.c_end_events == 0, "no end event (%s)", p.c_reason);
	check_logged_once(&p, "spoofed reset");
	pair_free(&p);
}

/* --- ACK blocks --- */

static void test_acks(void)
{
	struct pair p;
	if (!hostile_new(&p, VPNC_WRAP_TLS_CRYPT, NULL))
		return;
	vpnc_engine_start(p.c, p.now);
	vpnc_engine_start(p.s, p.now);
	/* During the handshake, every round carries ACKs for ids the client never sent. */
	for (int i = 0; i < 2000 && !(p.c_connected && p.s_connected) && p.c_end_events == 0; i++) {
		pair_step(&p, 10);
		if (!p.c->have_peer_sid)
			continue;
		struct vpnc_ctrl_hdr h;
		server_hdr(&p, &h, VPNC_OP_ACK_V1);
		h.n_acks = 3;
		h.acks[0] = p.c->ks->rel.tx_next_id + 1;
		h.acks[1] = 0xFFFFFFFFu;
		h.acks[2] = p.c->ks->rel.tx_next_id + 100000;
		inject_hdr(&p, &h);
	}
	CHECK(p.c_connected && p.s_connected, "handshake with bogus ACKs mixed in (%s)", p.c_reason);

	const struct vpnc_stats *st = vpnc_engine_stats(p.c);
	uint8_t plain[64];
	uint64_t mal = st->drops[VPNC_DROP_MALFORMED];
	/* ACK count 8 with room for two ids; count 255 with room for none. */
	static const uint8_t counts[] = {8, 255, 3, 1};
	static const size_t ids_present[] = {2, 0, 2, 0};
	for (size_t k = 0; k < sizeof(counts); k++) {
		size_t n = 0;
		plain[n++] = vpnc_op_byte(VPNC_OP_ACK_V1, 0);
		memcpy(plain + n, p.s->sid, VPNC_SID_LEN);
		n += VPNC_SID_LEN;
		plain[n++] = counts[k];
		for (size_t i = 0; i < ids_present[k]; i++) {
			memset(plain + n, 0, VPNC_CTRL_ACK_ID_LEN);
			n += VPNC_CTRL_ACK_ID_LEN;
		}
		CHECK(inject_raw(&p, plain, n) < 0, "ACK count %u with %zu ids present dropped", counts[k], ids_present[k]);
	}
	CHECK(st->drops[VPNC_DROP_MALFORMED] == mal + sizeof(counts), "lying ACK blocks counted as malformed (%llu)",
	      (unsigned long long)(st->drops[VPNC_DROP_MALFORMED] - mal));

	/* Well-formed ACKs for ids never sent: harmless. */
	struct vpnc_ctrl_hdr h;
	server_hdr(&p, &h, VPNC_OP_ACK_V1);
	h.n_acks = VPNC_ACK_MAX;
	for (unsigned i = 0; i < VPNC_ACK_MAX; i++)
		h.acks[i] = 0x7FFFFFF0u + i * 0x10000000u;
	CHECK(inject_hdr(&p, &h) >= 0, "ACKs for ids never sent are ignored, not an error");
	/* The same ACKs addressed to another session. */
	memset(h.remote_sid, 0x33, VPNC_SID_LEN);
	uint64_t sess = st->drops[VPNC_DROP_SESSION];
	CHECK(inject_hdr(&p, &h) < 0 && st->drops[VPNC_DROP_SESSION] == sess + 1,
	      "ACKs for a foreign session id dropped and counted");
	CHECK(vpnc_engine_state(p.c) == VPNC_ST_CONNECTED && data_works(&p), "still connected after bad ACKs");
	check_logged_once(&p, "acks");
	pair_free(&p);
}

/* --- tls-crypt tags, oversize, window --- */

static void test_tags_size_window(void)
{
	struct pair p;
	if (!hostile_up(&p, VPNC_WRAP_TLS_CRYPT))
		return;
	const struct vpnc_stats *st = vpnc_engine_stats(p.c);
	struct vpnc_ctrl_hdr h;
	uint8_t plain[VPNC_LINK_MAX * 2], wrapped[VPNC_LINK_MAX * 3];

	/* One valid wrapped ACK, then damaged copies of it. */
	server_hdr(&p, &h, VPNC_OP_ACK_V1);
	h.n_acks = 1;
	h.acks[0] = 0;
	int n = vpnc_ctrl_encode(&h, plain, sizeof(plain));
	int w = n > 0 ? vpnc_tlscrypt_wrap(p.s->tc, plain, (size_t)n, wrapped, sizeof(wrapped)) : -1;
	CHECK(w > 0, "wrap a valid ACK");
	if (w <= 0) {
		pair_free(&p);
		return;
	}
	uint64_t auth = st->drops[VPNC_DROP_AUTH];
	for (size_t i = VPNC_TLSCRYPT_HDR; i < VPNC_TLSCRYPT_HDR + VPNC_TLSCRYPT_TAG; i += 5) {
		wrapped[i] ^= 0x80;
		CHECK(to_client(&p, wrapped, (size_t)w) < 0, "tag byte %zu flipped: dropped", i);
		wrapped[i] ^= 0x80;
	}
	wrapped[w - 1] ^= 1;
	CHECK(to_client(&p, wrapped, (size_t)w) < 0, "body flipped: dropped");
	wrapped[w - 1] ^= 1;
	CHECK(st->drops[VPNC_DROP_AUTH] - auth == 8, "bad tags counted as authentication failures (%llu)",
	      (unsigned long long)(st->drops[VPNC_DROP_AUTH] - auth));
	static const size_t cuts[] = {1, 8, VPNC_TLSCRYPT_OPSID, VPNC_TLSCRYPT_HDR, VPNC_TLSCRYPT_MIN - 1, VPNC_TLSCRYPT_MIN};
	for (size_t k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++)
		CHECK(to_client(&p, wrapped, cuts[k]) < 0, "packet truncated to %zu bytes dropped", cuts[k]);
	/* The untouched packet still authenticates: failed ones never touched the replay window. */
	CHECK(to_client(&p, wrapped, (size_t)w) == 0, "the original packet is accepted after the forgeries");
	CHECK(to_client(&p, wrapped, (size_t)w) < 0, "and its replay is not");

	/* Oversize: a wrapped control packet far larger than any control packet, and one just too big to store. */
	server_hdr(&p, &h, VPNC_OP_CONTROL_V1);
	h.msg_id = p.c->ks->rel.rx_next_id;
	static uint8_t big[6000];
	memset(big, 0x17, sizeof(big));
	h.payload = big;
	h.payload_len = sizeof(big) - 100;
	{
		static uint8_t enc[8000];
		int m = vpnc_ctrl_encode(&h, enc, sizeof(enc));
		CHECK(m > 0 && inject_raw(&p, enc, (size_t)m) < 0, "a 6 KB control packet is dropped");
		h.payload_len = VPNC_REL_PAYLOAD_MAX + 1;
		m = vpnc_ctrl_encode(&h, enc, sizeof(enc));
		CHECK(m > 0 && inject_raw(&p, enc, (size_t)m) < 0, "a control payload of %d bytes is dropped",
		      VPNC_REL_PAYLOAD_MAX + 1);
	}

	/* Window overflow: msg-ids far ahead are neither stored nor ACKed. */
	pair_run(&p, 500);
	size_t acks_owed = p.c->ks->rel.n_ack_pending;
	uint64_t win = st->drops[VPNC_DROP_WINDOW];
	static const uint32_t ahead[] = {VPNC_REL_RECV_WINDOW, 1000, 0x7FFFFFFFu, 0xFFFFFFF0u};
	for (size_t k = 0; k < sizeof(ahead) / sizeof(ahead[0]); k++) {
		server_hdr(&p, &h, VPNC_OP_CONTROL_V1);
		h.msg_id = p.c->ks->rel.rx_next_id + ahead[k];
		h.payload = (const uint8_t *)"\x17\x03\x03\x00\x10";
		h.payload_len = 5;
		CHECK(inject_hdr(&p, &h) < 0, "msg-id next+%u dropped", ahead[k]);
	}
	CHECK(st->drops[VPNC_DROP_WINDOW] - win >= 4, "window overflow counted (%llu)",
	      (unsigned long long)(st->drops[VPNC_DROP_WINDOW] - win));
	CHECK(p.c->ks->rel.n_ack_pending == acks_owed, "no ACK owed for packets outside the window (%zu, was %zu)",
	      p.c->ks->rel.n_ack_pending, acks_owed);
	pair_run(&p, 3000);
	CHECK(vpnc_engine_state(p.c) == VPNC_ST_CONNECTED && p.c_end_events == 0 && data_works(&p),
	      "still connected after tags, oversize and window overflow (%s)", p.c_reason);
	check_logged_once(&p, "tags/size/window");
	pair_free(&p);
}

/* --- duplicate and reordered floods during the handshake --- */

static void test_handshake_flood(enum vpnc_wrap_mode wrap, const char *name)
{
	struct pair p;
	static struct wire_pkt batch[256];
	if (!hostile_new(&p, wrap, NULL))
		return;
	vpnc_engine_start(p.c, p.now);
	vpnc_engine_start(p.s, p.now);
	int i;
	for (i = 0; i < 3000 && !(p.c_connected && p.s_connected) && p.c_end_events == 0; i++) {
		wire_drain(p.c, p.now, &p.c2s, NULL);
		wire_drain(p.s, p.now, &p.s2c, NULL);
		wire_deliver(p.s, p.now, &p.c2s, NULL);
		/* Server to client: every packet FLOOD_COPIES times, the batch in reverse order. */
		size_t nb = 0;
		struct wire_pkt *wp;
		while ((wp = wire_q_pop(&p.s2c)) != NULL && nb < sizeof(batch) / sizeof(batch[0]))
			batch[nb++] = *wp;
		for (size_t k = nb; k-- > 0;)
			for (int c = 0; c < FLOOD_COPIES; c++)
				to_client(&p, batch[k].data, batch[k].len);
		p.now += 10;
		vpnc_engine_tick(p.c, p.now);
		vpnc_engine_tick(p.s, p.now);
		pair_events(&p);
	}
	CHECK(p.c_connected && p.s_connected, "%s: handshake through a duplicate/reorder flood (%s)", name,
	      p.c_reason);
	CHECK(p.c_connected_events == 1 && p.c_end_events == 0, "%s: one CONNECTED event, no end event", name);
	/* With a wrapping, copies are replays and counted; without, the reliability layer only ACKs them again. */
	if (wrap != VPNC_WRAP_NONE)
		CHECK(vpnc_engine_stats(p.c)->drops[VPNC_DROP_REPLAY] > 0,
		      "%s: the duplicates were dropped as replays and counted (%llu)", name,
		      (unsigned long long)vpnc_engine_stats(p.c)->drops[VPNC_DROP_REPLAY]);
	CHECK(p.c_connected && data_works(&p), "%s: data flows", name);
	check_logged_once(&p, name);
	pair_free(&p);
}

/* --- data before keys, replayed data --- */

static void test_data(void)
{
	struct pair p;
	if (!hostile_new(&p, VPNC_WRAP_TLS_CRYPT, NULL))
		return;
	const struct vpnc_stats *st = vpnc_engine_stats(p.c);
	uint8_t pkt[200];
	vpnc_engine_start(p.c, p.now);
	for (unsigned op = VPNC_OP_DATA_V1; op <= VPNC_OP_DATA_V2; op += VPNC_OP_DATA_V2 - VPNC_OP_DATA_V1) {
		for (size_t len = 1; len <= sizeof(pkt); len += 33) {
			memset(pkt, 0, sizeof(pkt));
			pkt[0] = vpnc_op_byte(op, 0);
			CHECK(to_client(&p, pkt, len) < 0, "data op %u len %zu before keys dropped", op, len);
		}
	}
	CHECK(st->drops[VPNC_DROP_NO_KEYS] == 14, "data before keys counted (%llu)",
	      (unsigned long long)st->drops[VPNC_DROP_NO_KEYS]);
	CHECK(st->tun_out_pkts == 0, "nothing reached the TUN before keys");
	CHECK(pair_handshake(&p), "handshake (%s)", p.c_reason);

	/* Replays: the first copy is delivered, every later one dropped. */
	uint8_t mem[VPNC_PKT_BUF], ip[80], first[VPNC_PKT_BUF];
	struct vpnc_buf b;
	memset(ip, 0x45, sizeof(ip));
	vpnc_buf_init(&b, mem, sizeof(mem), 0);
	CHECK(vpnc_engine_tun_in(p.s, p.now, ip, sizeof(ip), &b) == 0, "server encrypts");
	size_t flen = b.len;
	memcpy(first, vpnc_buf_data(&b), flen);
	CHECK(to_client(&p, first, flen) == 1000, "first copy delivered");
	uint64_t rep = st->drops[VPNC_DROP_REPLAY];
	int bad = 0;
	for (int i = 0; i < 100; i++)
		bad += to_client(&p, first, flen) >= 0;
	CHECK(bad == 0 && st->drops[VPNC_DROP_REPLAY] - rep == 100, "100 replays dropped and counted (%d accepted)",
	      bad);
	/* A packet that falls out of the replay window while it is held back. */
	vpnc_buf_init(&b, mem, sizeof(mem), 0);
	vpnc_engine_tun_in(p.s, p.now, ip, sizeof(ip), &b);
	memcpy(first, vpnc_buf_data(&b), b.len);
	flen = b.len;
	int lost = 0;
	for (int i = 0; i < 5000; i++)
		lost += !data_works(&p);
	CHECK(lost == 0, "%d of 5000 data packets lost", lost);
	CHECK(to_client(&p, first, flen) < 0, "a packet 5000 ids old is dropped");
	CHECK(vpnc_engine_state(p.c) == VPNC_ST_CONNECTED && data_works(&p), "still connected");
	check_logged_once(&p, "data");
	pair_free(&p);
}

/* --- PUSH_REPLY values and the allow-list --- */

static bool has_route(const struct vpnc_push *push, const char *net, const char *mask)
{
	struct in_addr n, m;
	inet_pton(AF_INET, net, &n);
	inet_pton(AF_INET, mask, &m);
	for (size_t i = 0; i < push->n_routes; i++)
		if (push->routes[i].net == ntohl(n.s_addr) && push->routes[i].mask == ntohl(m.s_addr))
			return true;
	return false;
}

static void test_push_values(void)
{
	static const char *hostile =
		"route 10.0.0.0 255.0.255.0,route 10.1.0.0 255.255.0.0,route 300.1.1.1 255.255.255.255,"
		"route 10.2.0.0 255.255.0.0 vpn_gateway 999999999999,route-ipv6 fd00::/129,route-ipv6 10.3.0.0/16,"
		"ifconfig 10.8.0.2 255.255.255.0,topology subnet,"
		"dhcp-option DOMAIN evil.com;rm${IFS}-rf,dhcp-option DOMAIN `reboot`.example,"
		"dhcp-option DNS 1.2.3.4.5,dhcp-option DNS 10.8.0.1,tun-mtu 10,ping -5,ping-restart 99999999,"
		"up /tmp/evil,script-security 3,setenv opt block-outside-dns,route-up /tmp/evil,"
		"plugin /tmp/evil.so,down /tmp/evil,ipchange /tmp/evil,learn-address /tmp/evil,"
		"dev tap0,management 127.0.0.1 7505,peer-id 99999999";
	struct pair p;
	if (!hostile_new(&p, VPNC_WRAP_TLS_CRYPT, hostile))
		return;
	bool ok = pair_handshake(&p);
	CHECK(ok && p.push != NULL, "a PUSH_REPLY with bad options still connects (%s)", p.c_reason);
	if (!ok || p.push == NULL) {
		pair_free(&p);
		return;
	}
	const struct vpnc_push *push = p.push;
	CHECK(has_route(push, "10.1.0.0", "255.255.0.0"), "the good route is applied");
	CHECK(!has_route(push, "10.0.0.0", "255.0.255.0"), "a route with a non-contiguous mask is not applied");
	CHECK(push->n_routes == 1, "only the good route is kept (%zu)", push->n_routes);
	CHECK(push->n_routes6 == 0, "bad route-ipv6 (prefix 129, IPv4 address) not applied (%zu)", push->n_routes6);
	CHECK(push->n_domains == 0, "domains with shell metacharacters not applied (%zu: %s)", push->n_domains,
	      push->n_domains > 0 ? push->domains[0] : "");
	CHECK(push->n_dns4 == 1 && push->dns4[0] == 0x0A080001u, "only the good DNS server is kept (%zu)",
	      push->n_dns4);
	CHECK(push->tun_mtu == 0, "tun-mtu 10 not applied (%d)", push->tun_mtu);
	CHECK(push->ping != -5 && push->ping_restart != 99999999, "bad ping values not applied (%d, %d)", push->ping,
	      push->ping_restart);
	CHECK(push->has_peer_id && push->peer_id == 7, "peer-id out of range not applied (%u)", push->peer_id);
	/* route x2, route-ipv6 x2, DOMAIN x2, DNS, tun-mtu, ping, ping-restart, up, script-security, setenv opt,
	 * route-up, plugin, down, ipchange, learn-address, dev, management, peer-id: 22 refused. */
	CHECK(push->n_rejected >= 20, "forbidden and invalid options counted (%u refused)", push->n_rejected);
	CHECK(data_works(&p), "the tunnel works with the good options");

	/* A second, different PUSH_REPLY after the first is ignored. */
	vpnc__send_ctrl_msg(p.s, p.s->ks, "PUSH_REPLY,route 192.168.0.0 255.255.0.0,ifconfig 10.9.9.9 255.0.0.0");
	pair_run(&p, 200);
	CHECK(!has_route(push, "192.168.0.0", "255.255.0.0") && push->ifconfig_local == 0x0A080002u,
	      "a second PUSH_REPLY changes nothing");
	CHECK(p.c_connected_events == 1 && p.c_end_events == 0, "one CONNECTED event, no end event (%s)", p.c_reason);
	pair_free(&p);
}

/* --- push-continuation --- */

static void test_push_continuation(void)
{
	/* A proper three-part reply accumulates (this proves the endless case below can pass). */
	struct pair p;
	if (!hostile_new(&p, VPNC_WRAP_TLS_CRYPT, "ifconfig 10.8.0.2 255.255.255.0,topology subnet,push-continuation 2"))
		return;
	vpnc_engine_start(p.c, p.now);
	vpnc_engine_start(p.s, p.now);
	for (int i = 0; i < 2000 && !p.s_connected; i++)
		pair_step(&p, 10);
	CHECK(p.s_connected && !p.c_connected, "the client waits for the rest of the reply");
	vpnc__send_ctrl_msg(p.s, p.s->ks, "PUSH_REPLY,route 10.20.0.0 255.255.0.0,push-continuation 2");
	vpnc__send_ctrl_msg(p.s, p.s->ks, "PUSH_REPLY,route 10.21.0.0 255.255.0.0,push-continuation 1");
	pair_run(&p, 500);
	CHECK(p.c_connected && p.push != NULL && p.push->n_routes == 2, "three parts accumulate (%s)", p.c_reason);
	pair_free(&p);

	/* One that never ends: the client gives up once, cleanly. */
	if (!hostile_new(&p, VPNC_WRAP_TLS_CRYPT, "ifconfig 10.8.0.2 255.255.255.0,topology subnet,push-continuation 2"))
		return;
	vpnc_engine_start(p.c, p.now);
	vpnc_engine_start(p.s, p.now);
	for (int i = 0; i < 2000 && !p.s_connected; i++)
		pair_step(&p, 10);
	for (int i = 0; i < CONTINUATION_PARTS && p.c_end_events == 0; i++) {
		char msg[96];
		snprintf(msg, sizeof(msg), "PUSH_REPLY,route 10.%d.0.0 255.255.0.0,push-continuation 2", 30 + i);
		vpnc__send_ctrl_msg(p.s, p.s->ks, msg);
		pair_step(&p, 10);
		pair_step(&p, 10);
	}
	pair_run(&p, 500);
	CHECK(!p.c_connected, "an endless push-continuation never connects");
	CHECK(p.c_end_events == 1, "an endless push-continuation ends the session with one event (%u: %s)",
	      p.c_end_events, p.c_reason);
	CHECK(strstr(p.c_reason, "RESTART") != NULL && strstr(p.c_reason, "continues") != NULL,
	      "the reason says so: %s", p.c_reason);
	CHECK(vpnc_engine_state(p.c) == VPNC_ST_FAILED, "the client is in FAILED");
	pair_free(&p);
}

/* --- control messages: long, malformed, floods, terminal ones --- */

static void test_control_messages(void)
{
	struct pair p;
	if (!hostile_up(&p, VPNC_WRAP_TLS_CRYPT))
		return;
	struct vpnc_tls *stls = p.s->ks->tls;

	/* 100 KB without a NUL, then the NUL, then a good message. */
	static uint8_t longmsg[LONG_MSG_LEN];
	memset(longmsg, 'A', sizeof(longmsg));
	memcpy(longmsg, "INFO,", 5);
	CHECK(vpnc_tls_write(stls, longmsg, sizeof(longmsg)) == 0, "server writes a 100 KB message");
	for (int i = 0; i < 2000 && vpnc_tls_pending(stls) > 0; i++)
		pair_step(&p, 10);
	pair_run(&p, 200);
	CHECK(vpnc_engine_state(p.c) == VPNC_ST_CONNECTED, "connected while a message grows past the limit");
	vpnc_tls_write(stls, (const uint8_t *)"", 1);
	vpnc__send_ctrl_msg(p.s, p.s->ks, "INFO,after the long one");
	pair_run(&p, 300);
	CHECK(p.clog.bad_msg_lines >= 1, "the over-long message was reported as malformed");
	CHECK(vpnc_engine_state(p.c) == VPNC_ST_CONNECTED && p.c_end_events == 0, "still connected (%s)", p.c_reason);

	/* Embedded control characters, CR/LF inside, several NULs, non-ASCII. */
	static const char bad[] = "INFO,a\x01z\0INFO,line\nbreak\0\0\0INFO,\xc3\xa9t\xc3\xa9\0RESTART\x7f\0";
	unsigned before = p.clog.bad_msg_lines;
	vpnc_tls_write(stls, (const uint8_t *)bad, sizeof(bad) - 1);
	pair_run(&p, 300);
	CHECK(p.clog.bad_msg_lines - before == 4, "four malformed messages reported (%u)", p.clog.bad_msg_lines - before);
	CHECK(vpnc_engine_state(p.c) == VPNC_ST_CONNECTED && p.c_end_events == 0,
	      "malformed messages do not end the session (a malformed RESTART is not a RESTART) (%s)", p.c_reason);

	/* A flood of unknown commands: bounded work, nothing changes. */
	for (int i = 0; i < GARBAGE_MSGS; i++) {
		vpnc__send_ctrl_msg(p.s, p.s->ks, "XYZZY,plugh");
		if (i % 50 == 0)
			pair_step(&p, 10);
	}
	pair_run(&p, 2000);
	CHECK(vpnc_engine_state(p.c) == VPNC_ST_CONNECTED && data_works(&p), "a flood of unknown messages is harmless");

	/* AUTH_FAILED with trailing CR/LF is still AUTH_FAILED (2.6.12): one FATAL event. */
	vpnc_tls_write(stls, (const uint8_t *)"AUTH_FAILED,go away\r\n", 22);
	vpnc__send_ctrl_msg(p.s, p.s->ks, "RESTART,and again");
	pair_run(&p, 300);
	CHECK(p.c_end_events == 1 && strstr(p.c_reason, "FATAL") != NULL && strstr(p.c_reason, "go away") != NULL,
	      "AUTH_FAILED with CR/LF: exactly one FATAL event (%u: %s)", p.c_end_events, p.c_reason);
	CHECK(to_client(&p, (const uint8_t *)"\x48", 1) < 0, "a failed session takes nothing more");
	pair_free(&p);
}

/*
 * A server that floods the client with messages the client logs: INFO,
 * INFO_PRE, AUTH_PENDING and malformed ones share one rate limit, and what
 * was left out is reported once when logging resumes.
 */
static void test_log_flood(void)
{
	static const char *const kinds[] = {"INFO,flood", "INFO_PRE,flood", "AUTH_PENDING,timeout 5", "INFO,bad\x01"};
	const unsigned n_msgs = 1200;
	struct pair p;

	if (!hostile_up(&p, VPNC_WRAP_TLS_CRYPT))
		return;
	struct vpnc_tls *stls = p.s->ks->tls;
	unsigned before = p.clog.peer_msg_lines;
	uint64_t t0 = p.now;
	for (unsigned i = 0; i < n_msgs; i++) {
		vpnc__send_ctrl_msg(p.s, p.s->ks, kinds[i % 4]);
		if (i % 40 == 39)
			pair_step(&p, 10);
	}
	for (int i = 0; i < 2000 && vpnc_tls_pending(stls) > 0; i++)
		pair_step(&p, 10);
	pair_run(&p, 200);
	uint64_t elapsed = p.now - t0;
	unsigned logged = p.clog.peer_msg_lines - before;
	unsigned bound = VPNC_LOGLIMIT_BURST + (unsigned)(elapsed / VPNC_LOGLIMIT_REFILL_MS) + 1;
	CHECK(logged >= 1 && logged <= bound, "%u messages in %llu ms: %u log lines (at most %u)", n_msgs,
	      (unsigned long long)elapsed, logged, bound);
	CHECK(vpnc_engine_state(p.c) == VPNC_ST_CONNECTED && p.c_end_events == 0, "still connected (%s)", p.c_reason);

	/* Quiet for a while, then one more: logged, after one line saying how many were left out. */
	pair_run(&p, 3000);
	unsigned notes = p.clog.suppressed_notes;
	before = p.clog.peer_msg_lines;
	vpnc__send_ctrl_msg(p.s, p.s->ks, "INFO,after the flood");
	pair_run(&p, 200);
	CHECK(p.clog.peer_msg_lines - before == 1, "the next message after a pause is logged (%u)",
	      p.clog.peer_msg_lines - before);
	CHECK(p.clog.suppressed_notes == notes + 1 && p.clog.suppressed_total >= n_msgs - bound,
	      "one note says what was suppressed (%u notes, %u lines counted)", p.clog.suppressed_notes - notes,
	      p.clog.suppressed_total);
	pair_free(&p);
}

/*
 * Server text in log lines and reasons is escaped: a backslash cannot fake an
 * escape such as "\x0a" (an encoded newline) in the journal.
 */
static void test_server_text(void)
{
	struct pair p;

	if (!hostile_up(&p, VPNC_WRAP_TLS_CRYPT))
		return;
	vpnc__send_ctrl_msg(p.s, p.s->ks, "INFO,fake\\x0a<3>line");
	pair_run(&p, 200);
	CHECK(strcmp(p.clog.last_line, "server says: fake\\\\x0a<3>line") == 0,
	      "INFO with a backslash is logged escaped ('%s')", p.clog.last_line);
	vpnc__send_ctrl_msg(p.s, p.s->ks, "AUTH_FAILED,go \\x1b[2J away");
	pair_run(&p, 200);
	CHECK(p.c_end_events == 1 && strstr(p.c_reason, "go \\\\x1b[2J away") != NULL,
	      "the AUTH_FAILED reason is escaped (%s)", p.c_reason);
	pair_free(&p);
}

/* --- renegotiation storms --- */

static void test_reneg_storm(void)
{
	struct pair p;
	if (!hostile_up(&p, VPNC_WRAP_TLS_CRYPT))
		return;
	uint64_t before = drops_total(p.c);
	int accepted = 0;
	for (int i = 0; i < STORM_PACKETS; i++) {
		struct vpnc_ctrl_hdr h;
		server_hdr(&p, &h, i % 3 == 2 ? VPNC_OP_CONTROL_V1 : VPNC_OP_SOFT_RESET_V1);
		h.key_id = (uint8_t)(1 + i % 7);
		h.msg_id = (uint32_t)(i / 7);
		if (h.opcode == VPNC_OP_CONTROL_V1) {
			/* Junk where a ClientHello would be. */
			h.payload = (const uint8_t *)"\x16\x03\x01\x00\x05hello";
			h.payload_len = 10;
		}
		accepted += inject_hdr(&p, &h) >= 0;
		if (i % 10 == 0)
			pair_step(&p, 10);
	}
	pair_run(&p, 5000);
	bool alive = vpnc_engine_state(p.c) == VPNC_ST_CONNECTED && p.c_end_events == 0;
	bool ended_once = vpnc_engine_state(p.c) == VPNC_ST_FAILED && p.c_end_events == 1;
	CHECK(alive || ended_once, "after %d soft resets: connected, or ended with one event (%u: %s)", STORM_PACKETS,
	      p.c_end_events, p.c_reason);
	CHECK(accepted > 0 || drops_total(p.c) - before >= STORM_PACKETS,
	      "the storm was handled or counted (%d accepted, %llu dropped)", accepted,
	      (unsigned long long)(drops_total(p.c) - before));
	if (alive)
		CHECK(data_works(&p), "the old key still carries data after the storm");
	check_logged_once(&p, "reneg storm");
	pair_free(&p);
}

/* A server that renegotiates as fast as it can: every completed key is replaced at once. */
static void test_reneg_fast(bool wait_for_keys, const char *name)
{
	struct pair p;
	if (!hostile_up(&p, VPNC_WRAP_TLS_CRYPT))
		return;
	unsigned resets = 0, lost = 0, tries = 0;
	for (int i = 0; i < 3000 && p.c_end_events == 0; i++) {
		if (!wait_for_keys || (p.s->ks->dc_ready && p.c->ks->dc_ready)) {
			if (vpnc__soft_reset(p.s, p.now) == 0)
				resets++;
		}
		pair_step(&p, wait_for_keys ? 10 : 3);
		if (i % 20 == 0 && p.c->ks->dc_ready) {
			tries++;
			lost += !data_works(&p);
		}
	}
	pair_run(&p, 3000);
	bool alive = vpnc_engine_state(p.c) == VPNC_ST_CONNECTED && p.c_end_events == 0;
	bool ended_once = vpnc_engine_state(p.c) == VPNC_ST_FAILED && p.c_end_events == 1;
	CHECK(resets > 10, "%s: the server renegotiated %u times", name, resets);
	CHECK(alive || ended_once, "%s: connected, or ended with one event (%u: %s)", name, p.c_end_events,
	      p.c_reason);
	if (wait_for_keys) {
		CHECK(alive, "%s: a well-formed renegotiation storm keeps the session (%s)", name, p.c_reason);
		CHECK(lost == 0, "%s: %u of %u data probes lost across key changes", name, lost, tries);
		CHECK(p.c->ks->key_id != 0, "%s: the client follows to new key ids (now %u)", name, p.c->ks->key_id);
	}
	if (alive && wait_for_keys)
		CHECK(data_works(&p), "%s: data flows after the storm", name);
	if (alive && !wait_for_keys) {
		/*
		 * This server broke its own key states (it has no keys left to send
		 * with), so only the client's side can be checked: it still sends
		 * with the last good key, and once the unfinished renegotiation
		 * times out it either recovers or ends the session, once.
		 */
		uint8_t mem[VPNC_PKT_BUF], ip[40];
		struct vpnc_buf b;
		memset(ip, 0x45, sizeof(ip));
		vpnc_buf_init(&b, mem, sizeof(mem), 0);
		CHECK(vpnc_engine_tun_in(p.c, p.now, ip, sizeof(ip), &b) == 0, "%s: the client still sends", name);
		pair_run(&p, 70000);
		alive = vpnc_engine_state(p.c) == VPNC_ST_CONNECTED && p.c_end_events == 0;
		ended_once = vpnc_engine_state(p.c) == VPNC_ST_FAILED && p.c_end_events == 1;
		CHECK(alive || ended_once, "%s, 70 s later: connected, or ended with one event (%u: %s)", name,
		      p.c_end_events, p.c_reason);
	}
	if (pair_verbose)
		printf("  %s: client kid %u phase %d dc %d lame %d; server kid %u phase %d dc %d lame %d\n", name,
		       p.c->ks->key_id, p.c->ks->phase, p.c->ks->dc_ready, p.c->lame != NULL, p.s->ks->key_id,
		       p.s->ks->phase, p.s->ks->dc_ready, p.s->lame != NULL);
	pair_free(&p);
}

int main(int argc, char **argv)
{
	pair_verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	testpki_make(&pair_pki, 0);
	wire_rand(NULL, pair_wrap_key, sizeof(pair_wrap_key));
	test_framing();
	test_bad_resets();
	test_spoofed_reset();
	test_acks();
	test_tags_size_window();
	test_handshake_flood(VPNC_WRAP_TLS_CRYPT, "flood tls-crypt");
	test_handshake_flood(VPNC_WRAP_NONE, "flood no wrapping");
	test_handshake_flood(VPNC_WRAP_TLS_AUTH, "flood tls-auth");
	test_data();
	test_push_values();
	test_push_continuation();
	test_control_messages();
	test_log_flood();
	test_server_text();
	test_reneg_storm();
	test_reneg_fast(true, "reneg as soon as keys exist");
	test_reneg_fast(false, "reneg every 3 ms regardless");
	testpki_free(&pair_pki);
	printf("test_hostile: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
