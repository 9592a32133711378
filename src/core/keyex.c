/*
 * keyex.c: what runs inside TLS once the handshake is done: the peer
 * certificate checks, the key-method-2 exchange, PUSH_REQUEST / PUSH_REPLY,
 * control messages (AUTH_FAILED, RESTART, HALT, EXIT, INFO; the server's
 * authentication questions, authcr.h, and the CR_RESPONSE answer), and deriving and
 * installing the data-channel keys (TLS-EKM or the OpenVPN PRF).
 *
 * The client derives its keys only after the final PUSH_REPLY, because the
 * cipher, the key derivation and the peer-id all arrive there. The minimal
 * server role (tests and benchmarks) answers PUSH_REQUEST with its configured
 * options and the negotiated cipher. In P2P mode (no pull, engine_p2p.c) both
 * roles send a P2P peer info and, once the peer's key-method-2 is read,
 * decide those three from it instead; the result is applied the same way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/b64.h"
#include "core/colonlist.h"
#include "core/engine_int.h"
#include "core/engine_event.h"
#include "core/engine_frag.h"
#include "core/engine_p2p.h"
#include "core/keyex.h"
#include "core/kdf.h"
#include "core/logesc.h"

/* IV_PROTO bits this client announces (meanings in km2.h). */
#define CLIENT_IV_PROTO                                                                          \
	(VPNC_IV_PROTO_DATA_V2 | VPNC_IV_PROTO_REQUEST_PUSH | VPNC_IV_PROTO_TLS_KEY_EXPORT |     \
	 VPNC_IV_PROTO_AUTH_PENDING_KW | VPNC_IV_PROTO_CC_EXIT_NOTIFY | VPNC_IV_PROTO_AUTH_FAIL_TEMP |  \
	 VPNC_IV_PROTO_DYN_TLS_CRYPT | VPNC_IV_PROTO_DNS_OPTION)
#define EKM_LABEL_DATAKEYS "EXPORTER-OpenVPN-datakeys"
/*
 * Pending-authentication methods we can follow (IV_SSO, management-notes.txt
 * "client-pending-auth"): the user opens the URL vpnc shows; and, when the
 * caller can ask the user (cfg.crtext), a CR_TEXT challenge answered with
 * CR_RESPONSE.
 */
#define CLIENT_IV_SSO "webauth,openurl"
#define CLIENT_IV_SSO_CRTEXT "webauth,openurl,crtext"

int vpnc__send_ctrl_msg(struct vpnc_engine *e, struct vpnc_keystate *ks, const char *msg)
{
	/* One message per TLS record, NUL included, as OpenVPN sends them. */
	int r = vpnc_tls_write(ks->tls, (const uint8_t *)msg, strlen(msg) + 1);
	if (r != 0)
		VPNC_LOG(e, 1, "cannot send the control message over TLS");
	return r;
}

/*
 * As OpenVPN 2.6: an auth-token is sent only with a name to go with it -- its
 * auth-token-user, or the username of the credentials. Without one the
 * credentials (or nothing) are sent, and an AUTH_FAILED is not the token's.
 */
static bool token_in_use(const struct vpnc_engine *e)
{
	return e->auth_token[0] != '\0' &&
	       (e->auth_token_user[0] != '\0' || (e->username != NULL && e->username[0] != '\0'));
}

static int send_km2(struct vpnc_engine *e, struct vpnc_keystate *ks)
{
	struct vpnc_km2 *m = &ks->local;
	bool client = e->role == VPNC_ROLE_CLIENT;
	int r;

	vpnc_km2_wipe(m);
	if (client)
		e->rand(e->rand_ctx, m->pre_master, sizeof(m->pre_master));
	e->rand(e->rand_ctx, m->random1, sizeof(m->random1));
	e->rand(e->rand_ctx, m->random2, sizeof(m->random2));
	r = vpnc_km2_occ_string(m->options, sizeof(m->options),
	                        &(struct vpnc_km2_occ){.tcp = e->transport == VPNC_TRANSPORT_TCP,
	                                               .server = !client,
	                                               .tun_mtu = e->tun_mtu,
	                                               .key_direction = e->key_direction,
	                                               .auth_digest = e->auth_digest,
	                                               .tls_auth = e->wrap == VPNC_WRAP_TLS_AUTH,
	                                               .comp = client && e->comp != VPNC_COMP_NONE,
	                                               .tap = e->tap,
	                                               .mtu_extra = e->mtu_extra,
	                                               .fragment = e->fragment > 0});
	if (r < 0)
		return r;
	if (client) {
		/* An auth-token (pushed, or the profile's) stands in for the password, its name for the username. */
		bool tok = token_in_use(e);
		const char *user = tok && e->auth_token_user[0] ? e->auth_token_user : e->username;
		const char *pass = tok ? e->auth_token : e->password;
		if (user != NULL)
			snprintf(m->username, sizeof(m->username), "%s", user);
		if (pass != NULL)
			snprintf(m->password, sizeof(m->password), "%s", pass);
		/* The credentials went: as 2.6, a token pushed later goes with this username, not an older name. */
		if (!tok && e->username != NULL)
			OPENSSL_cleanse(e->auth_token_user, sizeof(e->auth_token_user));
	}
	if (e->p2p || client) {
		if (e->p2p) {
			/* Both P2P peers send what 2.6 sends without pull: IV_CIPHERS and IV_PROTO (and with
			 * push-peer-info the version lines and engine_peer_info_extra()). */
			r = vpnc_km2_peer_info_p2p(m->peer_info, sizeof(m->peer_info), e->data_ciphers, VPNC_P2P_IV_PROTO,
			                           e->peer_info_full);
		} else {
			/* IV_SSO: pending authentication by web (the URL arrives in INFO_PRE) and by CR_TEXT. */
			r = vpnc_km2_peer_info(m->peer_info, sizeof(m->peer_info), e->data_ciphers, CLIENT_IV_PROTO,
			                       e->iv_mtu, NULL, e->crtext ? CLIENT_IV_SSO_CRTEXT : CLIENT_IV_SSO);
		}
		if (r < 0)
			return r;
		/* push-peer-info and setenv UV_* (engine_peer_info_extra()); the key=value order does not matter. */
		if (!e->p2p || e->peer_info_full) {
			size_t have = (size_t)r, extra = strlen(e->peer_info_extra);
			if (have + extra >= sizeof(m->peer_info))
				return -ENOSPC;
			memcpy(m->peer_info + have, e->peer_info_extra, extra + 1);
		}
	}
	r = vpnc_km2_write(m, client, e->scratch, sizeof(e->scratch));
	if (r < 0)
		return r;
	r = vpnc_tls_write(ks->tls, e->scratch, (size_t)r);
	OPENSSL_cleanse(e->scratch, sizeof(e->scratch));
	if (r == 0)
		ks->km2_sent = true;
	return r;
}
/*
 * The scratch the data-channel keys decompress through: one per engine, made
 * when the session first uses real compression (never per packet), as large
 * as the biggest tunnel packet this session may carry. Compressed bytes never
 * exceed it: a peer compresses a packet only when that makes it smaller.
 */
static int comp_scratch(struct vpnc_engine *e, int pushed_mtu)
{
	size_t want = (size_t)(pushed_mtu > e->tun_mtu ? pushed_mtu : e->tun_mtu);
	if (e->zcap >= want)
		return 0;
	uint8_t *z = malloc(want);
	if (z == NULL)
		return -ENOMEM;
	if (e->zbuf != NULL) {
		/* A larger MTU in a later session: no key may keep the old scratch. */
		for (size_t i = 0; i < sizeof(e->slots) / sizeof(e->slots[0]); i++)
			if (e->slots[i].dc.zbuf == e->zbuf)
				vpnc_dc_set_decomp(&e->slots[i].dc, NULL, 0, 0);
		OPENSSL_cleanse(e->zbuf, e->zcap);
		free(e->zbuf);
	}
	e->zbuf = z;
	e->zcap = want;
	return 0;
}

/* Derives the 256-byte key block of this key state and installs the data-channel keys. */
void vpnc__mss_for_key(struct vpnc_engine *e, const struct vpnc_dc_key *k)
{
	bool cbc = k->mode == VPNC_DC_MODE_CBC;

	if (e->mssfix <= 0)
		return;
	/* 2.6's sums (mss.h): the framing byte of the v1 compression stubs, the fragment header,
	 * CBC's packet id (long in static-key mode) and tun-mtu-extra are carried in the
	 * plaintext; the opcode or peer-id (none in static-key mode), the cipher's IV and MAC or
	 * tag, and a SOCKS UDP header before the packet are outside it. */
	struct vpnc_mss_frame f = {
		.mssfix = e->mssfix,
		.encap = e->mssfix_mode == VPNC_MSSFIX_MTU,
		.fixed = e->mssfix_mode == VPNC_MSSFIX_FIXED,
		.link_ipv6 = e->link_ipv6,
		.proto = vpnc_dc_hdr_len(k) + (cbc ? (size_t)k->block + k->enc_mac.len : VPNC_DC_PID + VPNC_DC_TAG) +
		         (size_t)e->link_extra,
		.block = cbc ? k->block : 0,
		.payload = (k->comp == VPNC_COMP_LZO_STUB || k->comp == VPNC_COMP_STUB ? 1u : 0u) +
		           (e->fragment > 0 ? VPNC_FRAG_HDR : 0u) +
		           (cbc ? (k->static_fmt ? VPNC_DC_PID_LONG : VPNC_DC_PID) : 0u) + (size_t)e->mtu_extra,
	};
	vpnc_mss_for_frame(&f, &e->mss4, &e->mss6);
}

static int install_keys(struct vpnc_engine *e, struct vpnc_keystate *ks, bool ekm, int32_t peer_id, uint64_t now)
{
	uint8_t block[VPNC_KEY_BLOCK];
	bool server = e->role == VPNC_ROLE_SERVER;
	const struct vpnc_km2 *c = server ? &ks->remote : &ks->local;
	const struct vpnc_km2 *s = server ? &ks->local : &ks->remote;
	int r;

	if (ekm) {
		r = vpnc_kdf_ekm(vpnc_tls_ssl(ks->tls), EKM_LABEL_DATAKEYS, block, sizeof(block));
	} else {
		r = vpnc_kdf_openvpn_prf(c->pre_master, c->random1, s->random1, c->random2, s->random2,
		                         server ? e->peer_sid : e->sid, server ? e->sid : e->peer_sid, block);
	}
	if (r == 0)
		r = vpnc_dc_key_init(&ks->dc, e->cipher, e->auth_digest, block, server, ks->key_id, peer_id);
	if (r == 0) {
		vpnc_dc_set_rand(&ks->dc, e->rand, e->rand_ctx);
		vpnc_replay_set_window(&ks->dc.replay, e->replay_window);
		vpnc_dc_set_comp(&ks->dc, e->comp);
		vpnc_dc_set_decomp(&ks->dc, e->zbuf, e->zcap, e->zcap);
	}
	OPENSSL_cleanse(block, sizeof(block));
	if (r != 0)
		return r;
	ks->dc_ready = true;
	ks->installed = now;
	vpnc__mss_for_key(e, &ks->dc);
	if (e->fragment > 0)
		vpnc__frag_keys(e, &ks->dc);
	/* The client gets its keys last (after the server's key-method-2), so it may use them at
	 * once; the server waits until data arrives under them. */
	ks->tx_ok = !server;
	/* The key material source is no longer needed. */
	vpnc_km2_wipe(&ks->local);
	vpnc_km2_wipe(&ks->remote);
	return 0;
}

static void set_keepalive(struct vpnc_engine *e, int ping, int ping_restart, uint64_t now)
{
	e->ping_ms = ping > 0 ? (uint64_t)ping * 1000 : 0;
	e->ping_restart_ms = ping_restart > 0 ? (uint64_t)ping_restart * 1000 : 0;
	e->last_recv = now;
	e->last_send = now;
}

/*
 * Dynamic tls-crypt: a key exported from the first TLS session (XORed with the
 * configured wrapping key, if any) wraps every later control packet.
 */
static int setup_dyn_tls_crypt(struct vpnc_engine *e, struct vpnc_keystate *ks)
{
	uint8_t key[VPNC_STATIC_KEY_LEN];
	int r = vpnc_kdf_ekm(vpnc_tls_ssl(ks->tls), VPNC_KDF_DYN_TLS_CRYPT_LABEL, key, sizeof(key));
	if (r == 0) {
		if (e->wrap != VPNC_WRAP_NONE)
			for (size_t i = 0; i < sizeof(key); i++)
				key[i] ^= e->wrap_key[i];
		r = vpnc_tlscrypt_new(&e->tc_dyn, key, e->role == VPNC_ROLE_SERVER, 0,
		                      (uint32_t)e->wallclock(e->wallclock_ctx));
	}
	OPENSSL_cleanse(key, sizeof(key));
	return r;
}

/* Keeps a pushed auth-token (and the decoded auth-token-user) for later authentications. */
/*
 * Pushed 'client-nat' rules go after the profile's, as 2.6 adds them to its
 * list; each connection starts again from the profile's (2.6 restores its
 * pre-pull options). Beyond the table's size they are dropped with a warning.
 */
static void take_client_nat(struct vpnc_engine *e, const struct vpnc_push *p)
{
	size_t room = VPNC_CLIENT_NAT_MAX - e->n_cnat_cfg;
	size_t n = p->n_client_nat < room ? p->n_client_nat : room;

	e->n_cnat = e->n_cnat_cfg;
	if (p->n_client_nat == 0)
		return;
	memcpy(e->cnat + e->n_cnat, p->client_nat, n * sizeof(e->cnat[0]));
	e->n_cnat += n;
	VPNC_LOG(e, 2, "client-nat: %zu rule(s) from the server after the profile's %zu", n, e->n_cnat_cfg);
	if (n < p->n_client_nat)
		VPNC_LOG(e, 1, "client-nat table overflow (max %d entries): %zu pushed rule(s) dropped, as in 2.6",
		         VPNC_CLIENT_NAT_MAX, p->n_client_nat - n);
}

static void take_auth_token(struct vpnc_engine *e, const struct vpnc_push *p, uint64_t now)
{
	if (p->auth_token[0] != '\0') {
		OPENSSL_cleanse(e->auth_token, sizeof(e->auth_token));
		snprintf(e->auth_token, sizeof(e->auth_token), "%s", p->auth_token);
	}
	if (p->auth_token_user[0] != '\0') {
		char name[VPNC_MAX_TOKEN_LEN];

		if (vpnc_push_token_user_decode(p->auth_token_user, name, sizeof(name)) == 0)
			memcpy(e->auth_token_user, name, strlen(name) + 1);
		else
			VPNC_PEER_LOG(e, now, 1, "ignoring an auth-token-user that is not base64 of a printable name");
		OPENSSL_cleanse(name, sizeof(name));
	}
}

/* A PUSH_REPLY after the tunnel is up (2.6 sends one to refresh the auth-token): only the token counts. */
static void later_push_reply(struct vpnc_engine *e, const char *arg, size_t alen, uint64_t now)
{
	struct vpnc_push *tmp = malloc(sizeof(*tmp));
	if (tmp == NULL)
		return;
	vpnc_push_init(tmp);
	if (vpnc_push_parse(tmp, arg, alen, NULL, NULL) == 0)
		take_auth_token(e, tmp, now);
	vpnc_push_clear(tmp);
	free(tmp);
	VPNC_PEER_LOG(e, now, 3, "a further PUSH_REPLY was read for its auth-token only");
}

/*
 * Client: applies the complete PUSH_REPLY: cipher, key derivation, peer-id, keepalive. In P2P
 * mode (engine_p2p.c, either role) the same for what both sides' peer info decided.
 */
void vpnc__keyex_apply(struct vpnc_engine *e, struct vpnc_keystate *ks, uint64_t now)
{
	const char *canon = NULL;
	struct vpnc_push *p = &e->push;
	char occ_cipher[64];

	if (p->cipher[0] != '\0') {
		if (vpnc_dc_cipher_lookup(p->cipher, &canon) != 0 ||
		    !vpnc_colon_list_has(e->data_ciphers, canon, strlen(canon))) {
			char esc[sizeof(p->cipher) * VPNC_LOGESC_MAX_PER_BYTE];

			vpnc_log_escape(esc, sizeof(esc), p->cipher, strnlen(p->cipher, sizeof(p->cipher)));
			vpnc__fail(e, VPNC_CAUSE_OTHER, true, "the server pushed cipher '%s', which is not in data-ciphers (%s)",
			           esc, e->data_ciphers);
			return;
		}
	} else if (e->data_ciphers_fallback[0] != '\0') {
		if (vpnc_dc_cipher_lookup(e->data_ciphers_fallback, &canon) != 0) {
			vpnc__fail(e, VPNC_CAUSE_OTHER, true, "data-ciphers-fallback '%s' is not supported", e->data_ciphers_fallback);
			return;
		}
	} else if (vpnc_km2_occ_cipher(ks->remote.options, occ_cipher, sizeof(occ_cipher)) == 0 &&
	           vpnc_dc_cipher_lookup(occ_cipher, &canon) == 0 &&
	           vpnc_colon_list_has(e->data_ciphers, canon, strlen(canon))) {
		/* An old server that pushes no cipher: use the one in its OCC string, as 2.6 does. */
		VPNC_LOG(e, 2, "the server pushed no cipher; using %s from its options string", canon);
	} else {
		vpnc__fail(e, VPNC_CAUSE_OTHER, true, "the server pushed no cipher and no data-ciphers-fallback is set");
		return;
	}
	snprintf(e->cipher, sizeof(e->cipher), "%s", canon);
	if (p->comp_pushed && vpnc_comp_is_real(p->comp) && !e->comp_allowed) {
		vpnc__fail(e, VPNC_CAUSE_OTHER, true, "the server pushed compression, which is not allowed: the profile has "
		                    "allow-compression no or no compression option (add 'allow-compression "
		                    "asym' to decompress what the server sends, as OpenVPN 2.6 does)");
		return;
	}
	if (p->tun_mtu > e->iv_mtu) {
		/* As 2.6: the device gets the largest MTU announced (IV_MTU), and the connection goes on. */
		VPNC_LOG(e, 1, "the server pushed tun-mtu %d, above the %d this client announced: using %d "
		         "(add 'tun-mtu-max %d' to the profile to take it)", p->tun_mtu, e->iv_mtu, e->iv_mtu,
		         p->tun_mtu);
		p->tun_mtu = e->iv_mtu;
	}
	/* Compression: what the server pushed, else what is configured. vpnc never compresses. */
	if (p->comp_pushed)
		e->comp = p->comp;
	if (vpnc_comp_is_real(e->comp) && comp_scratch(e, p->tun_mtu) != 0) {
		vpnc__fail(e, VPNC_CAUSE_OTHER, false, "out of memory for the decompression buffer");
		return;
	}
	e->ekm = p->key_derivation_ekm || (p->protocol_flags & VPNC_PF_TLS_EKM);
	e->peer_id = p->has_peer_id ? (int32_t)p->peer_id : -1;
	bool ekm = e->ekm;
	take_auth_token(e, p, now);
	/* e->auth_token has what later authentications need; the push struct's copies go. */
	OPENSSL_cleanse(p->auth_token, sizeof(p->auth_token));
	OPENSSL_cleanse(p->auth_token_user, sizeof(p->auth_token_user));
	if ((p->protocol_flags & VPNC_PF_DYN_TLS_CRYPT) && setup_dyn_tls_crypt(e, ks) != 0) {
		vpnc__fail(e, VPNC_CAUSE_OTHER, false, "cannot derive the dynamic tls-crypt key");
		return;
	}
	int r = install_keys(e, ks, ekm, e->peer_id, now);
	if (r != 0) {
		vpnc__fail(e, VPNC_CAUSE_OTHER, false, "cannot derive the data-channel keys (%s)", ekm ? "TLS-EKM" : "PRF");
		return;
	}
	set_keepalive(e, p->ping >= 0 ? p->ping : e->ping_cfg,
	              p->ping_restart >= 0 ? p->ping_restart : e->ping_restart_cfg, now);
	e->push_done = true;
	/* A pushed ping-restart replaces ping-exit (2.6 keeps one timer with one action). */
	if (p->ping_restart >= 0)
		e->ping_exit_ms = 0;
	if (p->inactive >= 0) {
		e->inactive_ms = (uint64_t)p->inactive * 1000;
		e->inactive_bytes = p->inactive_bytes > 0 ? (uint64_t)p->inactive_bytes : 0;
		e->inactive_acc = 0;
		e->last_data = now;
	}
	take_client_nat(e, p);
	VPNC_LOG(e, 2, "data channel: %s, keys by %s, %s", e->cipher, ekm ? "TLS-EKM" : "PRF",
	         p->has_peer_id ? "P_DATA_V2" : "P_DATA_V1");
	if (vpnc_comp_is_real(e->comp))
		VPNC_LOG(e, 1, "compression: what the server compresses with %s is decompressed; "
		         "nothing is compressed when sent",
		         e->comp == VPNC_COMP_LZO ? "LZO" : e->comp == VPNC_COMP_LZ4 ? "LZ4" : "LZ4-v2");
	vpnc__set_state(e, VPNC_ST_CONNECTED);
	vpnc__event(e, VPNC_EV_CONNECTED, "connected");
}

/* Server role: answers PUSH_REQUEST with the configured options, the cipher and the peer-id. */
static void server_push_reply(struct vpnc_engine *e, struct vpnc_keystate *ks, uint64_t now)
{
	char reply[1024];
	char tmp[256];
	const char *choice = NULL;
	char *save = NULL;

	if (ks->dc_ready)
		return;
	snprintf(tmp, sizeof(tmp), "%s", e->data_ciphers);
	for (char *tok = strtok_r(tmp, ":", &save); tok != NULL; tok = strtok_r(NULL, ":", &save)) {
		if (vpnc_colon_list_has(e->peer_ciphers, tok, strlen(tok))) {
			choice = tok;
			break;
		}
	}
	if (choice == NULL) {
		/* Like a 2.6 server: tell the client and let it go; hand-window ends this session. */
		vpnc__send_ctrl_msg(e, ks, "AUTH_FAILED,no common data cipher");
		VPNC_LOG(e, 1, "the client shares no data cipher with us");
		return;
	}
	snprintf(e->cipher, sizeof(e->cipher), "%s", choice);
	bool ekm = !e->server_prf && (e->peer_iv_proto & VPNC_IV_PROTO_TLS_KEY_EXPORT) != 0;
	e->ekm = ekm;
	e->peer_id = (int32_t)e->peer_id_cfg;
	bool dyn = ekm && (e->peer_iv_proto & VPNC_IV_PROTO_DYN_TLS_CRYPT) != 0;
	int n = snprintf(reply, sizeof(reply), "PUSH_REPLY%s%s,cipher %s,peer-id %u%s%s",
	                 e->push_reply != NULL && e->push_reply[0] ? "," : "",
	                 e->push_reply != NULL ? e->push_reply : "", e->cipher, e->peer_id_cfg,
	                 ekm ? ",key-derivation tls-ekm" : "", dyn ? ",protocol-flags dyn-tls-crypt" : "");
	if (n < 0 || (size_t)n >= sizeof(reply)) {
		vpnc__fail(e, VPNC_CAUSE_OTHER, true, "the server's push reply is too long");
		return;
	}
	if (vpnc__send_ctrl_msg(e, ks, reply) != 0 || (dyn && setup_dyn_tls_crypt(e, ks) != 0) ||
	    install_keys(e, ks, ekm, (int32_t)e->peer_id_cfg, now) != 0) {
		vpnc__fail(e, VPNC_CAUSE_OTHER, false, "cannot install the data-channel keys");
		return;
	}
	set_keepalive(e, e->ping_cfg, e->ping_restart_cfg, now);
	e->push_done = true;
	vpnc__set_state(e, VPNC_ST_CONNECTED);
	vpnc__event(e, VPNC_EV_CONNECTED, "client connected");
}

struct msg_ctx {
	struct vpnc_engine *e;
	struct vpnc_keystate *ks;
	uint64_t now;
};

/*
 * The server's text of a message argument, escaped (logesc.h) and cut to fit
 * buf, for a log line or a reason. Printable ASCII other than the backslash
 * is unchanged, so prefixes and keywords can still be matched in it.
 */
static const char *arg_text(const char *arg, size_t len, char *buf, size_t cap)
{
	vpnc_log_escape(buf, cap, arg, len);
	return buf;
}

/* Describes one refused pushed option (its name only; push.c bounds how many). */
static void push_log(void *ctx, const char *option, const char *reason)
{
	const struct msg_ctx *m = ctx;
	char o[128], r[128];

	if (m->e->log == NULL || m->e->verb < 1)
		return;
	vpnc_log_escape(o, sizeof(o), option, strlen(option));
	vpnc_log_escape(r, sizeof(r), reason, strlen(reason));
	VPNC_PEER_LOG(m->e, m->now, 1, "pushed option '%s' refused: %s", o, r);
}

/*
 * AUTH_FAILED,CRV1:...: not a failure of the credentials but a dynamic
 * challenge (authcr.h). The session ends (the server closes it too); the
 * caller asks the user and starts the next session with the decoded user name
 * and the password "CRV1::state::response". Returns false for any other
 * AUTH_FAILED.
 */
static bool crv1_challenge(struct vpnc_engine *e, const char *arg, size_t alen)
{
	char text[200];
	int r = vpnc_authcr_parse_crv1(arg, alen, &e->challenge);

	if (r == -ENOENT)
		return false;
	/* Whatever was sent did not get in; an auth-token is no use for the answer. */
	OPENSSL_cleanse(e->auth_token, sizeof(e->auth_token));
	OPENSSL_cleanse(e->auth_token_user, sizeof(e->auth_token_user));
	if (r < 0) {
		/* As 2.6: "received malformed challenge request from server", then it stops. */
		vpnc__fail(e, VPNC_CAUSE_AUTH_FAILED, true, "the server's CRV1 challenge is malformed (%s)",
		           r == -EMSGSIZE ? "a field is too long" : "a missing field, or a user name that is not "
		                                                    "base64 of a printable name");
		return true;
	}
	vpnc_log_escape(text, sizeof(text), e->challenge.text, strlen(e->challenge.text));
	vpnc__fail(e, VPNC_CAUSE_AUTH_CHALLENGE, true, "the server asks a challenge: %s", text);
	return true;
}

/*
 * INFO_PRE (or INFO) with CR_TEXT, WEB_AUTH or OPEN_URL: a question for the
 * user while authentication is pending (authcr.h), handed to the caller as
 * VPNC_EV_AUTH_CHALLENGE. Returns false for plain information.
 */
static bool info_question(struct vpnc_engine *e, const char *arg, size_t alen, uint64_t now)
{
	struct vpnc_authcr q;
	int r = vpnc_authcr_parse_info(arg, alen, &q);
	const char *what = alen >= 7 && memcmp(arg, "CR_TEXT", 7) == 0 ? "CR_TEXT challenge" : "sign-in URL";

	if (r == -ENOENT)
		return false;
	if (r < 0) {
		VPNC_PEER_LOG(e, now, 1, "ignoring the server's %s: %s", what,
		              r == -EPROTO     ? "the address is not an http or https URL"
		              : r == -EMSGSIZE ? "it is too long"
		                               : "it is malformed");
	} else if (e->n_challenges >= VPNC_CHALLENGES_MAX) {
		VPNC_PEER_LOG(e, now, 1, "ignoring the server's %s: more than %d questions in one session", what,
		              VPNC_CHALLENGES_MAX);
	} else {
		e->n_challenges++;
		memcpy(&e->challenge, &q, sizeof(q));
		vpnc__event(e, VPNC_EV_AUTH_CHALLENGE, "the server asks for a %s",
		            q.kind == VPNC_AUTHCR_CR_TEXT ? "challenge response" : "sign-in on the web");
	}
	vpnc_authcr_wipe(&q);
	return true;
}

int vpnc_engine_cr_response(struct vpnc_engine *e, const char *response)
{
	char msg[sizeof("CR_RESPONSE,") + (VPNC_AUTHCR_RESPONSE_MAX + 2) / 3 * 4];
	int r;

	if (e->role != VPNC_ROLE_CLIENT)
		return -EINVAL;
	if (e->state == VPNC_ST_FAILED || e->closing || e->ks->tls == NULL || e->ks->phase != KS_ACTIVE)
		return -ENOTCONN;
	r = vpnc_authcr_cr_response(response, msg, sizeof(msg));
	if (r >= 0)
		r = vpnc__send_ctrl_msg(e, e->ks, msg);
	OPENSSL_cleanse(msg, sizeof(msg));
	return r < 0 ? r : 0;
}

static void on_client_msg(struct vpnc_engine *e, struct vpnc_keystate *ks, uint64_t now,
                          enum vpnc_ctrlmsg_type type, const char *arg, size_t alen)
{
	char text[200];
	struct msg_ctx mc = {e, ks, now};
	int pr;

	switch (type) {
	case VPNC_MSG_PUSH_REPLY:
		if (e->push_done) {
			later_push_reply(e, arg, alen, now);
			return;
		}
		pr = vpnc_push_parse_filtered(&e->push, arg, alen,
		                              &(struct vpnc_push_policy){e->pull_filters, e->n_pull_filters,
		                                                         e->route_nopull},
		                              push_log, &mc);
		if (pr == -EPERM) {
			/* As OpenVPN: "Offending option received from server", then a restart. */
			vpnc__fail(e, VPNC_CAUSE_OTHER, false, "a pushed option was rejected by pull-filter");
			return;
		}
		if (pr != 0) {
			vpnc__fail(e, VPNC_CAUSE_OTHER, false, "the server's PUSH_REPLY is malformed");
			return;
		}
		if (e->push.n_rejected > 0)
			VPNC_PEER_LOG(e, now, 1, "the server pushed %u option(s) that were refused", e->push.n_rejected);
		if (e->push.continuation != 2) {
			vpnc__keyex_apply(e, ks, now);
		} else if (++e->push_parts > VPNC_PUSH_PARTS_MAX) {
			vpnc__fail(e, VPNC_CAUSE_OTHER, false, "the server's PUSH_REPLY continues for more than %d parts",
			           VPNC_PUSH_PARTS_MAX);
		}
		return;
	case VPNC_MSG_AUTH_FAILED:
		if (crv1_challenge(e, arg, alen))
			return;
		arg_text(arg, alen, text, sizeof(text));
		if (token_in_use(e)) {
			/* The token expired or was revoked: forget it and retry with the real credentials. */
			OPENSSL_cleanse(e->auth_token, sizeof(e->auth_token));
			OPENSSL_cleanse(e->auth_token_user, sizeof(e->auth_token_user));
			vpnc__fail(e, VPNC_CAUSE_OTHER, false, "the server rejected the auth-token%s%s; retrying with the credentials",
			           alen ? ": " : "", text);
		} else if (strncmp(text, "TEMP", 4) == 0) {
			vpnc__fail(e, VPNC_CAUSE_OTHER, false, "authentication failed temporarily: %s", text);
		} else {
			vpnc__fail(e, VPNC_CAUSE_AUTH_FAILED, true, "authentication failed%s%s", alen ? ": " : "", text);
		}
		return;
	case VPNC_MSG_RESTART: {
		unsigned flags = 0;

		arg_text(arg, alen, text, sizeof(text));
		if (text[0] == '[') {
			for (const char *c = text + 1; *c != '\0' && *c != ']'; c++) {
				if (*c == 'N')
					flags |= VPNC_RESTART_NEXT;
				else if (*c == 'P')
					flags |= VPNC_RESTART_PRESERVE;
			}
		}
		vpnc__fail_restart(e, flags, "the server asked for a restart%s%s", alen ? ": " : "", text);
		return;
	}
	case VPNC_MSG_HALT:
		vpnc__fail(e, VPNC_CAUSE_SERVER_HALT, true, "the server halted the connection%s%s", alen ? ": " : "",
		           arg_text(arg, alen, text, sizeof(text)));
		return;
	case VPNC_MSG_EXIT:
		vpnc__fail(e, VPNC_CAUSE_SERVER_EXIT, false, "the server is shutting down (EXIT)");
		return;
	case VPNC_MSG_AUTH_PENDING: {
		/* Authentication goes on out of band: wait up to the server's timeout, as 2.6 does. */
		unsigned long t = 0;
		arg_text(arg, alen, text, sizeof(text));
		const char *k = strstr(text, "timeout ");
		if (k != NULL)
			t = strtoul(k + 8, NULL, 10);
		if (t > 0 && t <= 86400 && now + t * 1000 > e->start_time + e->hand_window_ms)
			e->hand_window_ms = now + t * 1000 - e->start_time;
		VPNC_PEER_LOG(e, now, 1, "authentication is pending%s%s", alen ? ": " : "", text);
		return;
	}
	case VPNC_MSG_INFO:
	case VPNC_MSG_INFO_PRE:
		if (info_question(e, arg, alen, now))
			return;
		VPNC_PEER_LOG(e, now, 1, "server says: %s", arg_text(arg, alen, text, sizeof(text)));
		return;
	default:
		VPNC_PEER_LOG(e, now, 3, "ignoring an unknown control message");
		return;
	}
}

static void on_msg(void *ctx, const char *msg, size_t len)
{
	struct msg_ctx *m = ctx;
	struct vpnc_engine *e = m->e;
	const char *arg = "";
	size_t alen = 0;

	if (e->state == VPNC_ST_FAILED)
		return;
	if (msg == NULL) {
		VPNC_PEER_LOG(e, m->now, 1, "dropped a malformed control message from the peer");
		return;
	}
	enum vpnc_ctrlmsg_type type = vpnc_ctrlmsg_classify(msg, len, &arg, &alen);
	if (e->role == VPNC_ROLE_CLIENT) {
		on_client_msg(e, m->ks, m->now, type, arg, alen);
	} else if (type == VPNC_MSG_PUSH_REQUEST) {
		server_push_reply(e, m->ks, m->now);
	} else if (type == VPNC_MSG_EXIT) {
		vpnc__fail(e, VPNC_CAUSE_OTHER, false, "the client left (EXIT)");
	}
}

/* Handles the peer's key-method-2 message. */
static void on_km2(struct vpnc_engine *e, struct vpnc_keystate *ks, const uint8_t *p, size_t len, uint64_t now)
{
	bool server = e->role == VPNC_ROLE_SERVER;

	if (vpnc_km2_read(p, len, server, &ks->remote) != 0) {
		vpnc__fail(e, VPNC_CAUSE_OTHER, false, "the peer's key-method-2 message is malformed");
		return;
	}
	ks->km2_received = true;
	if (e->push_done) {
		/* A renegotiation: the server answers our key-method-2 after reading it, and new keys
		 * use what was negotiated for the first one. */
		if (server && send_km2(e, ks) != 0) {
			vpnc__fail(e, VPNC_CAUSE_OTHER, false, "cannot send the key-method-2 message");
			return;
		}
		if (install_keys(e, ks, e->ekm, e->peer_id, now) != 0) {
			vpnc__fail(e, VPNC_CAUSE_OTHER, false, "cannot install the renegotiated data-channel keys");
			return;
		}
		ks->phase = KS_ACTIVE;
		e->stats.renegotiations++;
		VPNC_PEER_LOG(e, now, 2, "renegotiation done: key id %u", (unsigned)ks->key_id);
		return;
	}
	if (server) {
		char v[32];
		if (vpnc_km2_info_get(ks->remote.peer_info, "IV_PROTO", v, sizeof(v)))
			e->peer_iv_proto = (unsigned)strtoul(v, NULL, 10);
		if (!vpnc_km2_info_get(ks->remote.peer_info, "IV_CIPHERS", e->peer_ciphers, sizeof(e->peer_ciphers)))
			snprintf(e->peer_ciphers, sizeof(e->peer_ciphers), "AES-256-GCM:AES-128-GCM");
		if (send_km2(e, ks) != 0) {
			vpnc__fail(e, VPNC_CAUSE_OTHER, false, "cannot send the key-method-2 message");
			return;
		}
		ks->phase = KS_ACTIVE;
		if (e->p2p) {
			if (vpnc__p2p_negotiate(e, ks) == 0)
				vpnc__keyex_apply(e, ks, now);
			return;
		}
		vpnc__set_state(e, VPNC_ST_PUSH);
		return;
	}
	ks->phase = KS_ACTIVE;
	if (e->p2p) {
		/* No pull: nothing to ask for; the peer info of both sides decides (engine_p2p.c). */
		if (vpnc__p2p_negotiate(e, ks) == 0)
			vpnc__keyex_apply(e, ks, now);
		return;
	}
	vpnc__set_state(e, VPNC_ST_PUSH);
	vpnc__send_ctrl_msg(e, ks, "PUSH_REQUEST");
	e->next_push_request = now + VPNC_PUSH_REQUEST_MS;
}

void vpnc__keyex_process(struct vpnc_engine *e, struct vpnc_keystate *ks, uint64_t now)
{
	char err[VPNC_REASON_LEN];

	if (ks->tls == NULL || e->state == VPNC_ST_FAILED)
		return;
	if (ks->phase == KS_TLS) {
		int r = vpnc_tls_handshake(ks->tls, err, sizeof(err));
		if (r < 0) {
			/* A certificate that fails verification will fail again: that is final. */
			vpnc__fail(e, r == -EPERM ? VPNC_CAUSE_VERIFY : VPNC_CAUSE_TLS, r == -EPERM, "%s", err);
			return;
		}
		if (r == 0)
			return;
		if (e->role == VPNC_ROLE_CLIENT &&
		    vpnc_tls_check_peer(ks->tls, e->remote_cert_tls_server, e->verify_x509_name,
		                        e->verify_x509_type, err, sizeof(err)) != 0) {
			vpnc__fail(e, VPNC_CAUSE_VERIFY, true, "%s", err);
			return;
		}
		snprintf(e->tls_version, sizeof(e->tls_version), "%s", vpnc_tls_version_name(ks->tls));
		snprintf(e->tls_cipher, sizeof(e->tls_cipher), "%s", vpnc_tls_cipher_name(ks->tls));
		VPNC_PEER_LOG(e, now, 2, "control channel: %s, %s", e->tls_version, e->tls_cipher);
		ks->phase = KS_KEYEX;
		if (!e->push_done)
			vpnc__set_state(e, VPNC_ST_KEYEX);
		if (e->role == VPNC_ROLE_CLIENT && send_km2(e, ks) != 0) {
			vpnc__fail(e, VPNC_CAUSE_OTHER, false, "cannot send the key-method-2 message");
			return;
		}
	}
	if (ks->phase < KS_KEYEX)
		return;
	struct msg_ctx mc = {e, ks, now};
	for (;;) {
		int n = vpnc_tls_read(ks->tls, e->tlsbuf, sizeof(e->tlsbuf));
		if (n == 0)
			break;
		if (n < 0) {
			const char *why = vpnc_tls_read_error(ks->tls);

			vpnc__fail(e, VPNC_CAUSE_TLS, false, "the TLS session failed%s%s", why[0] ? ": " : "", why);
			break;
		}
		if (!ks->km2_received)
			on_km2(e, ks, e->tlsbuf, (size_t)n, now);
		else
			vpnc_ctrlmsg_feed(&ks->rx, e->tlsbuf, (size_t)n, on_msg, &mc);
		/* Plaintext from TLS (the peer's key-method-2, a PUSH_REPLY with an auth-token) is
		 * consumed now: wipe it. */
		OPENSSL_cleanse(e->tlsbuf, (size_t)n);
		if (e->state == VPNC_ST_FAILED)
			break;
	}
}

void vpnc__keyex_tick(struct vpnc_engine *e, uint64_t now)
{
	if (e->role == VPNC_ROLE_CLIENT && e->state == VPNC_ST_PUSH && !e->push_done &&
	    now >= e->next_push_request) {
		vpnc__send_ctrl_msg(e, e->ks, "PUSH_REQUEST");
		e->next_push_request = now + VPNC_PUSH_REQUEST_MS;
	}
}
