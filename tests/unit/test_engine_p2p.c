/*
 * test_engine_p2p.c: TLS peer-to-peer mode (engine_p2p.c): 2.6's P2P cipher
 * rule and peer info on their own, then a P2P client and a P2P server engine
 * back to back in memory: no PUSH_REQUEST, the server's cipher order, keys by
 * TLS-EKM and the same exported peer-id on both sides, the profile's ifconfig
 * as the session's push, the fallback cipher, no common cipher and no
 * fallback (the session ends with the reason, to be tried again), a renegotiation, and the exit
 * notification only with explicit-exit-notify.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/engine_int.h"
#include "core/engine_p2p.h"
#include "core/km2.h"
#include "vpnc/engine.h"
#include "vpnc/push.h"

#include "../pair.h"
#include "../check.h"

static void test_cipher_rule(void)
{
	char out[32];

	/* The TLS server's order decides, whatever the client prefers. */
	CHECK(vpnc_p2p_cipher("AES-256-GCM:AES-128-GCM", "AES-128-GCM:AES-256-GCM", out, sizeof(out)) == 0 &&
	      strcmp(out, "AES-256-GCM") == 0, "server order: %s", out);
	CHECK(vpnc_p2p_cipher("CHACHA20-POLY1305:AES-128-GCM", "AES-256-GCM:AES-128-GCM", out, sizeof(out)) == 0 &&
	      strcmp(out, "AES-128-GCM") == 0, "first common: %s", out);
	CHECK(vpnc_p2p_cipher("AES-256-GCM", "AES-128-GCM:CHACHA20-POLY1305", out, sizeof(out)) == -ENOENT,
	      "nothing in common");
	CHECK(vpnc_p2p_cipher("", "AES-128-GCM", out, sizeof(out)) == -ENOENT, "empty list");
	CHECK(vpnc_p2p_cipher("::AES-128-GCM:", "AES-128-GCM", out, sizeof(out)) == 0 &&
	      strcmp(out, "AES-128-GCM") == 0, "empty entries are skipped");
	/* A prefix is not a match. */
	CHECK(vpnc_p2p_cipher("AES-128-GCM", "AES-128-GCM-X:AES-128", out, sizeof(out)) == -ENOENT, "no prefix match");
	CHECK(vpnc_p2p_cipher("AES-128-GCM", "AES-128-GCM", out, 5) == -ENOSPC, "too small");
}

static void test_peer_info(void)
{
	char pi[512], v[64];

	/* What stock 2.6.14 sends without pull: IV_PROTO=746 (logged by a stock peer). */
	CHECK(VPNC_P2P_IV_PROTO == 746, "P2P IV_PROTO %u", (unsigned)VPNC_P2P_IV_PROTO);
	int n = vpnc_km2_peer_info_p2p(pi, sizeof(pi), "AES-256-GCM:AES-128-GCM", VPNC_P2P_IV_PROTO, false);
	CHECK(n > 0 && strcmp(pi, "IV_CIPHERS=AES-256-GCM:AES-128-GCM\nIV_PROTO=746\n") == 0, "detail 1: %s", pi);
	n = vpnc_km2_peer_info_p2p(pi, sizeof(pi), "AES-256-GCM", VPNC_P2P_IV_PROTO, true);
	CHECK(n > 0 && strncmp(pi, "IV_VER=", 7) == 0 && strstr(pi, "IV_PLAT=linux\n") != NULL &&
	      strstr(pi, "IV_PROTO=746\nIV_LZO_STUB=1\n") != NULL && strstr(pi, "IV_NCP") == NULL &&
	      strstr(pi, "IV_MTU") == NULL, "push-peer-info: %s", pi);
	CHECK(vpnc_km2_peer_info_p2p(pi, 20, "AES-256-GCM", VPNC_P2P_IV_PROTO, false) == -ENOSPC, "too small");
	CHECK(vpnc_km2_peer_info_p2p(pi, sizeof(pi), "AES 256", VPNC_P2P_IV_PROTO, false) == -EINVAL, "bad list");
	CHECK(vpnc_km2_info_get("IV_A=1\nIV_PROTO=746\n", "IV_PROTO", v, sizeof(v)) && strcmp(v, "746") == 0,
	      "info get");
	CHECK(!vpnc_km2_info_get("IV_PROTOX=1\n", "IV_PROTO", v, sizeof(v)), "no prefix match");
	CHECK(!vpnc_km2_info_get("IV_CIPHERS=AES-256-GCM\n", "IV_CIPHERS", v, 5), "too long for out");
}

/* One data packet each way; true when both arrive. */
static bool both_ways(struct pair *p)
{
	uint8_t mem[VPNC_PKT_BUF], ip[100];
	struct vpnc_buf b;
	unsigned st = 0, ct = 0;

	memset(ip, 0x45, sizeof(ip));
	vpnc_buf_init(&b, mem, sizeof(mem), 0);
	if (vpnc_engine_tun_in(p->c, p->now, ip, sizeof(ip), &b) != 0)
		return false;
	wire_q_push(&p->c2s, vpnc_buf_data(&b), b.len);
	vpnc_buf_init(&b, mem, sizeof(mem), 0);
	if (vpnc_engine_tun_in(p->s, p->now, ip, sizeof(ip), &b) != 0)
		return false;
	wire_q_push(&p->s2c, vpnc_buf_data(&b), b.len);
	wire_deliver(p->s, p->now, &p->c2s, &st);
	wire_deliver(p->c, p->now, &p->s2c, &ct);
	return st == 1 && ct == 1;
}

static void test_pair(void)
{
	static const char net_text[] = "ifconfig 10.1.0.2 10.1.0.1,route 10.2.0.0 255.255.0.0";
	struct vpnc_push net;
	struct pair p;

	vpnc_push_init(&net);
	CHECK(vpnc_push_parse(&net, net_text, strlen(net_text), NULL, NULL) == 0, "net");
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_AUTH, .p2p = true,
	                      .client_ciphers = "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305",
	                      .server_ciphers = "CHACHA20-POLY1305:AES-256-GCM", .client_net = &net};
	if (pair_new(&p, &o) != 0) {
		CHECK(0, "pair_new");
		vpnc_push_clear(&net);
		return;
	}
	CHECK(pair_handshake(&p), "P2P handshake (%s)", p.c_reason);
	CHECK(strcmp(vpnc_engine_cipher(p.c), "CHACHA20-POLY1305") == 0 &&
	      strcmp(vpnc_engine_cipher(p.s), "CHACHA20-POLY1305") == 0, "the server's order: %s / %s",
	      vpnc_engine_cipher(p.c), vpnc_engine_cipher(p.s));
	/* No PUSH_REQUEST: the server never went to waiting for one, nor did the client. */
	CHECK(p.c->ekm && p.s->ekm, "keys by TLS-EKM on both sides");
	CHECK(p.s->peer_iv_proto == VPNC_P2P_IV_PROTO, "the client announced P2P NCP (%u)", p.s->peer_iv_proto);
	CHECK(p.c->peer_id >= 0 && p.c->peer_id == p.s->peer_id && p.c->peer_id != 0x76706e,
	      "the exported peer-id, the same on both sides (%d, %d)", (int)p.c->peer_id, (int)p.s->peer_id);
	CHECK((p.c->push.protocol_flags & VPNC_PF_CC_EXIT) && (p.c->push.protocol_flags & VPNC_PF_DYN_TLS_CRYPT),
	      "cc-exit and dynamic tls-crypt from the peer's IV_PROTO");
	CHECK(p.push != NULL && p.push->has_ifconfig && p.push->n_routes == 1,
	      "the profile's ifconfig and route are the session's push");
	CHECK(both_ways(&p), "data both ways");
	/* Closing without explicit-exit-notify: nothing tells the peer (2.6 sends no EXIT either). */
	vpnc_engine_close(p.c, p.now);
	for (int i = 0; i < 20; i++)
		pair_step(&p, 10);
	CHECK(vpnc_engine_state(p.s) == VPNC_ST_CONNECTED, "no EXIT without explicit-exit-notify");
	pair_free(&p);

	/* With explicit-exit-notify: EXIT on the control channel (the peer announced cc-exit). */
	if (pair_new(&p, &o) == 0) {
		pair_handshake(&p);
		p.c->exit_notify_cfg = 1;
		vpnc_engine_close(p.c, p.now);
		for (int i = 0; i < 20 && vpnc_engine_state(p.s) != VPNC_ST_FAILED; i++)
			pair_step(&p, 10);
		CHECK(vpnc_engine_state(p.s) == VPNC_ST_FAILED, "EXIT with explicit-exit-notify ends the peer's session");
		pair_free(&p);
	}
	vpnc_push_clear(&net);
}

static void test_fallback(void)
{
	struct pair p;
	struct pair_opts o = {.wrap = VPNC_WRAP_TLS_CRYPT, .p2p = true, .client_ciphers = "AES-128-GCM",
	                      .server_ciphers = "AES-256-GCM", .client_fallback = "AES-256-CBC",
	                      .server_fallback = "AES-256-CBC"};

	if (pair_new(&p, &o) == 0) {
		CHECK(pair_handshake(&p), "fallback handshake (%s)", p.c_reason);
		CHECK(strcmp(vpnc_engine_cipher(p.c), "AES-256-CBC") == 0 &&
		      strcmp(vpnc_engine_cipher(p.s), "AES-256-CBC") == 0, "no common cipher: the fallback (%s)",
		      vpnc_engine_cipher(p.c));
		CHECK(both_ways(&p), "data both ways with the fallback");
		pair_free(&p);
	}
	/* The client has no fallback (the server's decides nothing for it). */
	o.client_fallback = NULL;
	if (pair_new(&p, &o) == 0) {
		CHECK(!pair_handshake(&p), "no common cipher, no fallback: no session");
		CHECK(p.c_restart && !p.c_fatal && strstr(p.c_reason, "no data cipher in common with the peer") != NULL &&
		      strstr(p.c_reason, "AES-256-GCM") != NULL, "the reason names the peer's list: %s", p.c_reason);
		pair_free(&p);
	}
}

static void test_renegotiation(void)
{
	struct pair p;
	struct pair_opts o = {.wrap = VPNC_WRAP_NONE, .p2p = true, .client_ciphers = "AES-256-GCM",
	                      .server_ciphers = "AES-256-GCM", .client_reneg = 5};

	if (pair_new(&p, &o) != 0)
		return;
	pair_handshake(&p);
	int32_t id = p.c->peer_id;
	for (int i = 0; i < 1200 && vpnc_engine_stats(p.c)->renegotiations == 0; i++)
		pair_step(&p, 10);
	CHECK(vpnc_engine_stats(p.c)->renegotiations >= 1, "the client renegotiates after reneg-sec");
	for (int i = 0; i < 100; i++)
		pair_step(&p, 10);
	CHECK(!p.c_fatal && !p.c_restart, "still up (%s)", p.c_reason);
	CHECK(p.c->peer_id == id && p.c_connected_events == 1, "same peer-id, one CONNECTED");
	CHECK(both_ways(&p), "data both ways after the renegotiation");
	pair_free(&p);
}

int main(int argc, char **argv)
{
	pair_verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	testpki_make(&pair_pki, 0);
	wire_rand(NULL, pair_wrap_key, sizeof(pair_wrap_key));
	test_cipher_rule();
	test_peer_info();
	test_pair();
	test_fallback();
	test_renegotiation();
	testpki_free(&pair_pki);
	printf("test_engine_p2p: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
