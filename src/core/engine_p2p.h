/*
 * engine_p2p.h: TLS peer-to-peer mode (engine_p2p.c), for keyex.c, and the
 * cipher rule on its own for the unit tests.
 */
#ifndef VPNC_CORE_ENGINE_P2P_H
#define VPNC_CORE_ENGINE_P2P_H

#include <stddef.h>
#include <stdint.h>

struct vpnc_engine;
struct vpnc_keystate;

/* What a P2P peer announces in IV_PROTO: 2.6's bits for a peer without pull. */
#define VPNC_P2P_IV_PROTO                                                                        \
	(VPNC_IV_PROTO_DATA_V2 | VPNC_IV_PROTO_TLS_KEY_EXPORT | VPNC_IV_PROTO_NCP_P2P |          \
	 VPNC_IV_PROTO_DNS_OPTION | VPNC_IV_PROTO_CC_EXIT_NOTIFY | VPNC_IV_PROTO_DYN_TLS_CRYPT)

/*
 * 2.6's P2P cipher rule (ssl_ncp.c, get_p2p_ncp_cipher()): the first cipher
 * of the TLS server's list that the TLS client's list also has. Copies it
 * into out and returns 0; -ENOENT when the lists share none, -ENOSPC when it
 * does not fit.
 */
int vpnc_p2p_cipher(const char *server_list, const char *client_list, char *out, size_t cap);

/*
 * The peer's key-method-2 is in ks->remote: decides what 2.6 decides in P2P
 * mode (cipher, key derivation, peer-id, control-channel exit, dynamic
 * tls-crypt) from both sides' peer info and writes it into e->push, next to
 * the profile's ifconfig and routes. Returns 0, and the caller applies the
 * push (vpnc__keyex_apply); or -ENOENT with the session ended and the reason.
 */
int vpnc__p2p_negotiate(struct vpnc_engine *e, struct vpnc_keystate *ks);

#endif
