/*
 * engine_p2p.c: TLS peer-to-peer mode, a 'tls-client' (or the tls-server
 * role in tests) without 'pull', as OpenVPN 2.6 runs it (its "P2P NCP":
 * src/openvpn/ssl_ncp.c, p2p_mode_ncp() and get_p2p_ncp_cipher(); init.c,
 * do_deferred_p2p_ncp()). Nothing is pushed and no PUSH_REQUEST is sent: once
 * both key-method-2 messages are read, each side decides the same things from
 * the other's peer info (IV_CIPHERS and IV_PROTO, which both sides send):
 *
 *   cipher     the first of the TLS server's IV_CIPHERS that the TLS client
 *              also lists; a peer without IV_CIPHERS, or no common one, means
 *              the fallback ('cipher' or 'data-ciphers-fallback'), and without
 *              one the session fails, as in 2.6;
 *   keys       TLS-EKM when the peer announces TLS_KEY_EXPORT, else the PRF;
 *   peer-id    with P2P NCP and DATA_V2 both sides send P_DATA_V2 with
 *              0x76706e ("vpn"), or, with TLS_KEY_EXPORT, three bytes
 *              exported with the label "EXPORTER-OpenVPN-p2p-peerid";
 *   cc-exit    the exit notification goes over the control channel;
 *   dyn-tls-crypt  later control packets are wrapped with an exported key.
 *
 * The result is written into the session's push (which holds the profile's
 * ifconfig, routes and DNS) as if a server had pushed it, and keyex.c, which
 * calls this file, then applies it the way it applies a PUSH_REPLY; nothing
 * here calls back into keyex.c. Keepalive, inactive and reneg-* are the
 * profile's own.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "core/colonlist.h"
#include "core/engine_int.h"
#include "core/engine_event.h"
#include "core/engine_p2p.h"
#include "core/kdf.h"
#include "core/logesc.h"

#define P2P_PEER_ID_DEFAULT 0x76706eu /* 'v' 'p' 'n' */
#define EKM_LABEL_P2P_PEERID "EXPORTER-OpenVPN-p2p-peerid"
/* A peer's cipher list, as long as a key-method-2 peer-info block may carry. */
#define P2P_LIST_MAX 1024

int vpnc_p2p_cipher(const char *server_list, const char *client_list, char *out, size_t cap)
{
	for (const char *p = server_list; *p != '\0';) {
		const char *end = strchr(p, ':');
		size_t l = end != NULL ? (size_t)(end - p) : strlen(p);

		if (l > 0 && vpnc_colon_list_has(client_list, p, l)) {
			if (l >= cap)
				return -ENOSPC;
			memcpy(out, p, l);
			out[l] = '\0';
			return 0;
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	return -ENOENT;
}

/* IV_PROTO as 2.6 reads it (extract_iv_proto(): atoi): digits only, else 0. */
static unsigned p2p_iv_proto(const char *info)
{
	char v[16];
	unsigned long n = 0;

	if (!vpnc_km2_info_get(info, "IV_PROTO", v, sizeof(v)))
		return 0;
	for (const char *c = v; *c >= '0' && *c <= '9'; c++) {
		n = n * 10 + (unsigned long)(*c - '0');
		if (n > 0xFFFFFFFFul)
			return 0;
	}
	return (unsigned)n;
}

int vpnc__p2p_negotiate(struct vpnc_engine *e, struct vpnc_keystate *ks)
{
	bool server = e->role == VPNC_ROLE_SERVER;
	unsigned proto = p2p_iv_proto(ks->remote.peer_info);
	char peer[P2P_LIST_MAX], chosen[sizeof(e->push.cipher)];
	bool have_list = vpnc_km2_info_get(ks->remote.peer_info, "IV_CIPHERS", peer, sizeof(peer));
	bool common = have_list && vpnc_p2p_cipher(server ? e->data_ciphers : peer, server ? peer : e->data_ciphers,
	                                           chosen, sizeof(chosen)) == 0;
	struct vpnc_push *p = &e->push;

	if (!common && e->data_ciphers_fallback[0] == '\0') {
		char esc[128];

		/* 2.6 restarts the session (and keeps trying): the peer may change its list meanwhile. */
		vpnc_log_escape(esc, sizeof(esc), have_list ? peer : "", have_list ? strlen(peer) : 0);
		vpnc__fail(e, VPNC_CAUSE_OTHER, false,
		           "no data cipher in common with the peer (it offers '%s', data-ciphers is '%s') and no "
		           "'cipher' or 'data-ciphers-fallback' to fall back on (as OpenVPN 2.6: no usable data "
		           "channel cipher)", esc, e->data_ciphers);
		return -ENOENT;
	}
	/* What keyex.c would take from a PUSH_REPLY; the fallback is its "no cipher pushed". */
	snprintf(p->cipher, sizeof(p->cipher), "%s", common ? chosen : "");
	p->key_derivation_ekm = false;
	p->protocol_flags = 0;
	p->has_peer_id = false;
	if (proto & VPNC_IV_PROTO_NCP_P2P) {
		if (proto & VPNC_IV_PROTO_DATA_V2) {
			p->has_peer_id = true;
			p->peer_id = P2P_PEER_ID_DEFAULT;
		}
		if (proto & VPNC_IV_PROTO_CC_EXIT_NOTIFY)
			p->protocol_flags |= VPNC_PF_CC_EXIT;
		if (proto & VPNC_IV_PROTO_TLS_KEY_EXPORT) {
			p->protocol_flags |= VPNC_PF_TLS_EKM;
			if (p->has_peer_id) {
				uint8_t id[3];

				if (vpnc_kdf_ekm(vpnc_tls_ssl(ks->tls), EKM_LABEL_P2P_PEERID, id, sizeof(id)) == 0)
					p->peer_id = (uint32_t)id[0] << 16 | (uint32_t)id[1] << 8 | id[2];
				else
					VPNC_LOG(e, 1, "P2P mode: the TLS key export for the peer-id failed; using the "
					         "fixed one, as 2.6 does");
			}
		}
		if (proto & VPNC_IV_PROTO_DYN_TLS_CRYPT)
			p->protocol_flags |= VPNC_PF_DYN_TLS_CRYPT;
	}
	VPNC_LOG(e, 2, "P2P mode: the peer %s P2P NCP; TLS-EKM %s, P_DATA_V2 %s (peer-id %u), cipher %s%s",
	         (proto & VPNC_IV_PROTO_NCP_P2P) ? "speaks" : "does not speak",
	         (p->protocol_flags & VPNC_PF_TLS_EKM) ? "yes" : "no", p->has_peer_id ? "yes" : "no",
	         p->has_peer_id ? (unsigned)p->peer_id : 0u, common ? chosen : e->data_ciphers_fallback,
	         common ? "" : " (not negotiated: the fallback)");
	return 0;
}
