/*
 * km2.h: the key-method-2 message exchanged inside TLS, and the two strings it
 * carries that we build ourselves: the peer-info block (IV_* lines) and the
 * OCC options string.
 *
 * Wire layout (key_method_2_write() in OpenVPN 2.6's src/openvpn/ssl.c):
 * 4 zero bytes, the key-method byte (low nibble 2), the client's 48-byte
 * pre-master (client to server only), two 32-byte randoms, then four "ovstrings": options, username,
 * password, peer-info. An ovstring is a u16 length that counts a trailing NUL,
 * then the bytes; an empty string is the bare length 00 00.
 *
 * Ownership: struct vpnc_km2 is a plain value owned by the caller. It holds
 * key material and the password; wipe it with vpnc_km2_wipe() when done.
 * Nothing here allocates.
 */
#ifndef VPNC_KM2_H
#define VPNC_KM2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VPNC_KM2_LEADING_ZERO 4       /* the u32 0 before the key-method byte */
#define VPNC_KM2_METHOD 2             /* key method 2 */
#define VPNC_KM2_METHOD_MASK 0x0F     /* the receiver checks byte & mask */
#define VPNC_KM2_PRE_MASTER 48
#define VPNC_KM2_RANDOM 32
#define VPNC_KM2_MAX 2048             /* whole message; the 2.6 plaintext buffer size */
#define VPNC_KM2_OPTIONS_MAX 512      /* incl. NUL (TLS_OPTIONS_LEN) */
#define VPNC_KM2_USERPASS_MAX 4096    /* incl. NUL; accepted on read. A 2.6 server takes 128 (4096 with PKCS#11) */
#define VPNC_KM2_PEER_INFO_MAX 1024   /* incl. NUL */
#define VPNC_KM2_STRLEN_LEN 2         /* the u16 before each ovstring */

/* The IV_VER we announce. A 2.6 server does not parse it (it is only passed to
 * scripts), but tools that compare versions then see a 2.6 client. */
#define VPNC_KM2_IV_VER "2.6.14"

/* IV_PROTO capability bits (the IV_PROTO_* defines in OpenVPN 2.6's src/openvpn/ssl.h). */
#define VPNC_IV_PROTO_RESERVED (1u << 0)        /* must be 0 */
#define VPNC_IV_PROTO_DATA_V2 (1u << 1)
#define VPNC_IV_PROTO_REQUEST_PUSH (1u << 2)
#define VPNC_IV_PROTO_TLS_KEY_EXPORT (1u << 3)
#define VPNC_IV_PROTO_AUTH_PENDING_KW (1u << 4)
#define VPNC_IV_PROTO_NCP_P2P (1u << 5)         /* a TLS peer without pull (P2P NCP), never a pull client */
#define VPNC_IV_PROTO_DNS_OPTION (1u << 6)
#define VPNC_IV_PROTO_CC_EXIT_NOTIFY (1u << 7)
#define VPNC_IV_PROTO_AUTH_FAIL_TEMP (1u << 8)
#define VPNC_IV_PROTO_DYN_TLS_CRYPT (1u << 9)
#define VPNC_IV_PROTO_DATA_EPOCH (1u << 10)     /* 2.7+ */
#define VPNC_IV_PROTO_DNS_OPTION_V2 (1u << 11)  /* 2.7+ */
#define VPNC_IV_PROTO_PUSH_UPDATE (1u << 12)    /* 2.7+ */

struct vpnc_km2 {
	uint8_t pre_master[VPNC_KM2_PRE_MASTER];   /* client only; secret */
	uint8_t random1[VPNC_KM2_RANDOM], random2[VPNC_KM2_RANDOM];
	char options[VPNC_KM2_OPTIONS_MAX];
	char username[VPNC_KM2_USERPASS_MAX];      /* secret-ish */
	char password[VPNC_KM2_USERPASS_MAX];      /* secret */
	char peer_info[VPNC_KM2_PEER_INFO_MAX];
};

/*
 * Writes the message (4 zero bytes, 0x02, [pre_master if from_client],
 * random1, random2, then the ovstrings options, username, password,
 * peer_info). An empty string is written as 00 00, others with a length that
 * counts the NUL. Returns the length, -ENOSPC if cap is too small, or -EINVAL
 * if a string is not NUL-terminated within its field, is over its limit, or
 * the message would exceed VPNC_KM2_MAX.
 */
int vpnc_km2_write(const struct vpnc_km2 *m, bool from_client, uint8_t *out, size_t cap);

/*
 * Parses a message from the peer (from_client = the peer is a client) into m.
 * Validates every length, the key method (byte & 0x0F == 2), that each
 * non-empty string ends with its NUL and has no NUL inside, and each limit.
 * The peer-info string may be absent at the end; bytes after it are ignored,
 * as OpenVPN does. Returns 0 or -EBADMSG; on failure m is wiped.
 */
int vpnc_km2_read(const uint8_t *in, size_t len, bool from_client, struct vpnc_km2 *m);

/* Wipes the whole struct (OPENSSL_cleanse). */
void vpnc_km2_wipe(struct vpnc_km2 *m);

/*
 * Builds the peer-info block of a 2.6 pull client, in 2.6's order:
 * IV_VER, IV_PLAT=linux, IV_TCPNL=1, IV_MTU (if mtu_max > 0), IV_NCP=2 (only
 * if AES-128-GCM and AES-256-GCM are both in the list), IV_CIPHERS, IV_PROTO,
 * IV_LZO_STUB=1, IV_COMP_STUB=1, IV_COMP_STUBv2=1. Each line ends with '\n'
 * and out is NUL-terminated. The cipher list must be a colon list of
 * [A-Za-z0-9-] names. iv_proto must not have bit 0 set, and must include
 * DATA_V2 when non-zero. Returns the length (without NUL), -ENOSPC or -EINVAL.
 */
int vpnc_km2_peer_info(char *out, size_t cap, const char *data_ciphers_canonical, unsigned iv_proto,
                       int mtu_max, const char *iv_gui_ver, const char *iv_sso);

/*
 * Builds the peer-info block of a 2.6 TLS peer without pull (P2P mode,
 * 2.6's push_peer_info() at detail 1): IV_CIPHERS and IV_PROTO only. With
 * full ('push-peer-info', detail 3) IV_VER, IV_PLAT=linux and IV_TCPNL=1
 * come first and the three compression stub lines after, as in
 * vpnc_km2_peer_info(). Same rules and returns as vpnc_km2_peer_info().
 */
int vpnc_km2_peer_info_p2p(char *out, size_t cap, const char *data_ciphers_canonical, unsigned iv_proto,
                           bool full);

/*
 * Copies the value of "NAME=value" from a peer-info block (lines ending in
 * '\n') into out. Returns true if found and it fits (with its NUL) in cap.
 */
bool vpnc_km2_info_get(const char *info, const char *name, char *out, size_t cap);

/*
 * Builds the OCC options string as 2.6 does (options_string() in OpenVPN's
 * src/openvpn/options.c, sent in key-method 2 and OCC) for a TLS client or
 * server with no `cipher` configured (2.6's BF-CBC default, so no cipher item
 * and keysize 128), e.g.
 * "V4,dev-type tun,link-mtu 1541,tun-mtu 1500,proto UDPv4,auth SHA1,keysize 128,key-method 2,tls-client".
 * link-mtu is computed as 2.6 computes it there: tun_mtu + 16 (BF-CBC IV and
 * block) + 1 (opcode) + 4 (packet id) + digest size, + 2 on TCP.
 * proto is UDPv4, TCPv4_CLIENT or TCPv4_SERVER. ",keydir N" is added when
 * key_direction is 0 or 1, ",tls-auth" when tls_auth. auth_digest is an
 * OpenSSL digest name ("SHA1", "sha256", "none"; NULL = SHA1) and is written
 * upper-case. Returns the length (without NUL), -ENOSPC or -EINVAL.
 */
/* What the OCC options string describes (vpnc_km2_occ_string()). */
struct vpnc_km2_occ {
	bool tcp;
	bool server;
	int tun_mtu;
	int key_direction;       /* -1, 0 or 1 */
	const char *auth_digest; /* NULL = SHA1 */
	bool tls_auth;
	bool comp;               /* ",comp-lzo" after the proto item (compression framing configured) */
	bool tap;                /* "dev-type tap" */
	int mtu_extra;           /* 2.6's tun-mtu-extra (32 by default on TAP), added to link-mtu; >= 0 */
	bool fragment;           /* internal fragmentation: ",mtu-dynamic" after comp-lzo, 4 more link-mtu */
};
int vpnc_km2_occ_string(char *out, size_t cap, const struct vpnc_km2_occ *occ);

/*
 * Looks for ",cipher NAME" in a peer's OCC string and copies NAME (for poor
 * man's NCP). Returns 1 if found, 0 if not, -ENOSPC if it does not fit.
 */
int vpnc_km2_occ_cipher(const char *occ, char *out, size_t cap);

#endif
