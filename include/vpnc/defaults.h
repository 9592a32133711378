/*
 * defaults.h: OpenVPN 2.6's client defaults, in one place. The config reader
 * starts every profile from them (src/config/cfg_defaults.c) and the engine
 * falls back to them for a field its caller left 0 (src/core/engine.c).
 * Values from OpenVPN's manual (openvpn(8)) and init_options() in
 * src/openvpn/options.c.
 */
#ifndef VPNC_DEFAULTS_H
#define VPNC_DEFAULTS_H

#define VPNC_DEFAULT_DATA_CIPHERS "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305"
#define VPNC_DEFAULT_AUTH "SHA1"
#define VPNC_DEFAULT_PORT "1194"
#define VPNC_DEFAULT_TLS_TIMEOUT 2     /* seconds */
#define VPNC_DEFAULT_HAND_WINDOW 60    /* seconds */
#define VPNC_DEFAULT_RENEG_SEC 3600    /* seconds */
#define VPNC_DEFAULT_TRAN_WINDOW 3600  /* seconds the previous key still decrypts */
#define VPNC_DEFAULT_TUN_MTU 1500
/* 2.6 always announces IV_MTU of at least 1600, so a server may push a "baby giant" tun-mtu. */
#define VPNC_IV_MTU_MIN 1600
/* The largest tunnel packet vpnc's buffers carry: VPNC_LINK_MAX - VPNC_DATA_OVERHEAD (engine.h). */
#define VPNC_TUN_MTU_CARRY 1920
/* 2.6's TAP_MTU_EXTRA_DEFAULT: tun-mtu-extra on a TAP device when the profile gives none. */
#define VPNC_DEFAULT_TAP_MTU_EXTRA 32
#define VPNC_DEFAULT_MSSFIX 1492       /* the largest encapsulated UDP packet */

#endif
