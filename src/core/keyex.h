/*
 * keyex.h: what runs inside TLS, for the engine (keyex.c): key-method-2,
 * PUSH_REQUEST/PUSH_REPLY, the server's control messages, key derivation.
 */
#ifndef VPNC_CORE_KEYEX_H
#define VPNC_CORE_KEYEX_H

#include <stdint.h>

struct vpnc_engine;
struct vpnc_keystate;

/* Runs what follows a complete TLS handshake and any plaintext from the peer. */
void vpnc__keyex_process(struct vpnc_engine *e, struct vpnc_keystate *ks, uint64_t now);
/* Sends a NUL-terminated control message over TLS. */
int vpnc__send_ctrl_msg(struct vpnc_engine *e, struct vpnc_keystate *ks, const char *msg);
/* Sets e->mss4/mss6 for mssfix from the data-channel key k's overheads, as 2.6 counts them. */
struct vpnc_dc_key;
void vpnc__mss_for_key(struct vpnc_engine *e, const struct vpnc_dc_key *k);
/* Applies the complete push (or what P2P mode decided, engine_p2p.c): cipher, keys, peer-id,
 * keepalive; then the session is up (or failed, with the reason). */
void vpnc__keyex_apply(struct vpnc_engine *e, struct vpnc_keystate *ks, uint64_t now);
/* Timers of the exchange (PUSH_REQUEST repeats) while the session is not up. */
void vpnc__keyex_tick(struct vpnc_engine *e, uint64_t now);

#endif
