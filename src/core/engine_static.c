/*
 * engine_static.c: static-key mode, OpenVPN 2.6's --secret (man openvpn,
 * "Static Key Encryption"; src/openvpn/crypto.c and init.c,
 * do_init_crypto_static()). There is no TLS, no key exchange and no pull:
 * one pre-shared 2048-bit key gives the data channel's cipher and HMAC keys,
 * and the session is up as soon as it starts, with the profile's ifconfig
 * and routes.
 *
 * The key file holds two keys of 128 bytes, each a 64-byte cipher slot and a
 * 64-byte HMAC slot. With a direction, 0 sends with key 0 and receives with
 * key 1 and 1 the reverse (2.6's KEY_DIRECTION_NORMAL / _INVERSE); without
 * one, both directions use key 0. These are the slots of the key block of
 * datachan.h, so a direction only picks the block's halves.
 *
 * The packets are the CBC+HMAC format without an opcode and with a long-form
 * packet id (vpnc_dc_set_static()). Nothing here runs per packet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/engine_int.h"
#include "core/keyex.h"
#include "core/engine_event.h"
#include "core/engine_static.h"
#include "core/engine_frag.h"

#define STATIC_KEY_HALF (VPNC_STATIC_KEY_LEN / 2)

int vpnc__static_init(struct vpnc_engine *e, const struct vpnc_engine_cfg *cfg)
{
	uint8_t block[VPNC_KEY_BLOCK];
	struct vpnc_keystate *ks = &e->slots[0];
	const char *canon = NULL;
	bool inverse = cfg->static_key_direction == 1;
	int r;

	_Static_assert(VPNC_KEY_BLOCK == VPNC_STATIC_KEY_LEN, "a static key is one key block");
	if (cfg->static_cipher == NULL || vpnc_dc_cipher_lookup(cfg->static_cipher, &canon) != 0) {
		VPNC_LOG(e, 0, "static-key mode: cipher %s is not available in this OpenSSL",
		         cfg->static_cipher != NULL ? cfg->static_cipher : "(none)");
		return -ENOENT;
	}
	if (vpnc_dc_cipher_is_aead(canon)) {
		VPNC_LOG(e, 0, "static-key mode: cipher %s is AEAD, which static-key mode does not support", canon);
		return -EINVAL;
	}
	memcpy(block, cfg->static_key, VPNC_STATIC_KEY_LEN);
	if (cfg->static_key_direction != 0 && cfg->static_key_direction != 1)
		memcpy(block + STATIC_KEY_HALF, cfg->static_key, STATIC_KEY_HALF); /* key 0 both ways */
	/* The block's "server" halves are the direction-1 view: send with key 1, receive with key 0. */
	r = vpnc_dc_key_init(&ks->dc, canon, e->auth_digest, block, inverse, 0, -1);
	OPENSSL_cleanse(block, sizeof(block));
	if (r == 0)
		r = vpnc_dc_set_static(&ks->dc, (uint32_t)e->wallclock(e->wallclock_ctx));
	if (r != 0) {
		VPNC_LOG(e, 0, "static-key mode: cannot key %s with HMAC-%s", canon, e->auth_digest);
		vpnc_dc_key_clear(&ks->dc);
		return r;
	}
	if (vpnc_comp_is_real(e->comp)) {
		/* Decompression scratch, as a TLS session makes it (keyex.c): the tunnel MTU. */
		e->zbuf = malloc((size_t)e->tun_mtu);
		if (e->zbuf == NULL) {
			vpnc_dc_key_clear(&ks->dc);
			return -ENOMEM;
		}
		e->zcap = (size_t)e->tun_mtu;
	}
	vpnc_dc_set_rand(&ks->dc, e->rand, e->rand_ctx);
	vpnc_replay_set_window(&ks->dc.replay, e->replay_window);
	if (e->replay_restore) /* replay-persist: what the last session received is a replay now */
		vpnc_replay_restore(&ks->dc.replay, e->replay_time, e->replay_id);
	vpnc_dc_set_comp(&ks->dc, e->comp);
	vpnc_dc_set_decomp(&ks->dc, e->zbuf, e->zcap, e->zcap);
	snprintf(e->cipher, sizeof(e->cipher), "%s", canon);
	ks->key_id = 0;
	ks->phase = KS_ACTIVE;
	ks->dc_ready = true;
	ks->tx_ok = true;
	e->ks = ks;
	e->static_key = true;
	e->peer_id = -1;
	/* One key for the whole session: nothing to renegotiate (2.6 ignores reneg-* here). */
	e->reneg_ms = 0;
	e->reneg_bytes = 0;
	e->reneg_pkts = 0;
	return 0;
}

void vpnc__static_start(struct vpnc_engine *e, uint64_t now)
{
	struct vpnc_keystate *ks = e->ks;

	ks->started = now;
	ks->installed = now;
	e->ping_ms = e->ping_cfg > 0 ? (uint64_t)e->ping_cfg * 1000 : 0;
	e->ping_restart_ms = e->ping_restart_cfg > 0 ? (uint64_t)e->ping_restart_cfg * 1000 : 0;
	/* 2.6 sends its first ping at once, which also tells a listening peer where we are. */
	e->ping_due = e->ping_ms != 0;
	vpnc__mss_for_key(e, &ks->dc);
	if (e->fragment > 0)
		vpnc__frag_keys(e, &ks->dc); /* the fragment limit comes with the key, as in TLS mode */
	VPNC_LOG(e, 1, "static-key mode: data channel %s with HMAC-%s and no TLS; the key never changes, "
	         "so this tunnel has no forward secrecy (OpenVPN 2.6 deprecates static-key mode)",
	         e->cipher, e->auth_digest);
	vpnc__set_state(e, VPNC_ST_CONNECTED);
	vpnc__event(e, VPNC_EV_CONNECTED, "connected (static key)");
}
