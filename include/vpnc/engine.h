/*
 * engine.h: the sans-I/O OpenVPN protocol engine.
 *
 * The engine is a state machine. It never calls a socket, a timer API, the
 * clock or the system RNG: the caller feeds it bytes from the link and the TUN,
 * the current time, and timer expiries, and collects from it packets for the
 * link, packets for the TUN, and events. Randomness and wall-clock time come
 * through the callbacks in struct vpnc_engine_cfg, so tests, benchmarks and
 * fuzzers drive it deterministically in memory.
 *
 * Time: `now` is a monotonic time in milliseconds chosen by the caller.
 *
 * Buffers: every output goes into a buffer the caller owns (struct vpnc_buf,
 * written at vpnc_buf_data(), len set by the engine). The data path writes each
 * packet straight into the caller's one output buffer: no allocation, no copy
 * besides the cipher's own.
 *
 * Return values: 0 or a positive count on success, a negative errno code on
 * failure, as documented per function. A packet from the peer that is bad is
 * dropped, counted in struct vpnc_stats and logged once per reason; the call
 * then returns a negative code but the engine stays usable.
 *
 * One engine is one connection attempt (one session). Reconnecting means
 * freeing it and making a new one.
 */
#ifndef VPNC_ENGINE_H
#define VPNC_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vpnc/authcr.h"
#include "vpnc/buf.h"
#include "vpnc/config.h"
#include "vpnc/push.h"

/* Headroom the caller leaves before a plaintext packet, and extra room after it. */
#define VPNC_HEADROOM 64
/* Largest encapsulation overhead the data path adds (CBC + SHA512 worst case included). */
#define VPNC_DATA_OVERHEAD 128
/* Largest link packet the engine reads or writes. */
#define VPNC_LINK_MAX 2048
/* Size of a buffer that fits any single packet with headroom. */
#define VPNC_PKT_BUF (VPNC_HEADROOM + VPNC_LINK_MAX + VPNC_DATA_OVERHEAD)

struct vpnc_engine;
typedef struct ssl_ctx_st SSL_CTX;

enum vpnc_role {
	VPNC_ROLE_CLIENT = 0,
	VPNC_ROLE_SERVER = 1, /* one peer; for tests and benchmarks only */
};

enum vpnc_state {
	VPNC_ST_INITIAL = 0,  /* not started */
	VPNC_ST_RESET,        /* hard reset sent, waiting for the peer's */
	VPNC_ST_TLS,          /* TLS handshake running */
	VPNC_ST_KEYEX,        /* key-method-2 messages being exchanged */
	VPNC_ST_PUSH,         /* PUSH_REQUEST sent, waiting for PUSH_REPLY */
	VPNC_ST_CONNECTED,    /* data channel keys installed */
	VPNC_ST_FAILED,       /* session over; see the last event */
};

enum vpnc_event_type {
	VPNC_EV_NONE = 0,
	VPNC_EV_STATE,        /* the state changed to ev.state */
	VPNC_EV_CONNECTED,    /* keys installed; ev.push is the pushed config */
	VPNC_EV_RESTART,      /* the session ended and should be retried: ev.reason */
	VPNC_EV_FATAL,        /* the session ended and must not be retried: ev.reason */
	VPNC_EV_AUTH_CHALLENGE, /* during pending authentication the server asks (ev.challenge:
	                         * CR_TEXT, answer with vpnc_engine_cr_response(); WEB_AUTH or
	                         * OPEN_URL, show the URL); the session goes on */
	VPNC_EV_GATEWAY,      /* route-gateway dhcp on a TAP: a DHCP ACK through the tunnel named the
	                       * gateway, now ev.push->route_gateway; add the routes that waited */
};

/* Why a session ended (RESTART and FATAL events), for callers that act on it. */
enum vpnc_cause {
	VPNC_CAUSE_OTHER = 0,
	VPNC_CAUSE_AUTH_FAILED,       /* AUTH_FAILED from the server (not a rejected auth-token) */
	VPNC_CAUSE_SERVER_RESTART,    /* RESTART from the server; see VPNC_RESTART_* flags */
	VPNC_CAUSE_SERVER_HALT,       /* HALT from the server */
	VPNC_CAUSE_SERVER_EXIT,       /* EXIT or OCC exit: the server shuts down */
	VPNC_CAUSE_TIMEOUT,           /* hand-window, ping-restart */
	VPNC_CAUSE_VERIFY,            /* the server certificate failed verification */
	VPNC_CAUSE_PROBE,             /* a path probe (vpnc_engine_probe) went unanswered */
	VPNC_CAUSE_IDLE_EXIT,         /* inactive, ping-exit, session-timeout: a clean stop (exit 0) */
	VPNC_CAUSE_AUTH_CHALLENGE,    /* AUTH_FAILED,CRV1:...: a dynamic challenge (ev.challenge) to
	                               * answer in the next session's password (authcr.h) */
	VPNC_CAUSE_TLS,               /* the TLS handshake or session failed, other than our check of
	                               * the server's certificate: no common version or cipher, or an
	                               * alert from the server (e.g. it refused our certificate) */
};

/* RESTART,[flags]: N = go on to the next server, P = keep the cached credentials. */
#define VPNC_RESTART_NEXT (1u << 0)
#define VPNC_RESTART_PRESERVE (1u << 1)

struct vpnc_event {
	enum vpnc_event_type type;
	enum vpnc_cause cause;         /* RESTART and FATAL */
	unsigned restart_flags;        /* VPNC_RESTART_* with VPNC_CAUSE_SERVER_RESTART */
	enum vpnc_state state;
	const char *reason;            /* valid until the next engine call */
	const struct vpnc_push *push;  /* valid while the engine lives */
	/* VPNC_EV_AUTH_CHALLENGE, and FATAL with VPNC_CAUSE_AUTH_CHALLENGE (kind CRV1); valid until
	 * the next engine call. It holds a CRV1 state id: copy it, then wipe the copy when done. */
	const struct vpnc_authcr *challenge;
};

/* Why packets from the link were dropped; one log line per reason. */
enum vpnc_drop {
	VPNC_DROP_SHORT = 0,      /* shorter than its header */
	VPNC_DROP_OPCODE,         /* unknown or unexpected opcode */
	VPNC_DROP_KEY_ID,         /* key id with no key */
	VPNC_DROP_SESSION,        /* session id does not match */
	VPNC_DROP_AUTH,           /* tls-auth/tls-crypt authentication failed */
	VPNC_DROP_REPLAY,         /* replayed or too old */
	VPNC_DROP_DECRYPT,        /* data channel authentication failed */
	VPNC_DROP_NO_KEYS,        /* data before keys */
	VPNC_DROP_MALFORMED,      /* control packet malformed (bad ACK block, ...) */
	VPNC_DROP_WINDOW,         /* control packet outside the receive window */
	VPNC_DROP_TOO_BIG,        /* does not fit the output buffer */
	VPNC_DROP_COMP,           /* bad compression framing */
	VPNC_DROP_DECOMP,         /* compressed data corrupt or decompressing past the MTU */
	VPNC_DROP_FRAG,           /* 'fragment': a bad fragment header, or a fragment past the buffer */
	VPNC_DROP_FRAG_EXPIRED,   /* 'fragment': a packet's fragments did not all arrive in time */
	VPNC_DROP__COUNT
};

struct vpnc_stats {
	uint64_t link_in_pkts, link_in_bytes;
	uint64_t link_out_pkts, link_out_bytes;
	uint64_t tun_in_pkts, tun_in_bytes;    /* from the TUN, encrypted */
	uint64_t tun_out_pkts, tun_out_bytes;  /* decrypted, to the TUN */
	uint64_t tun_blocked_pkts;             /* IPv6 from the TUN dropped by block-ipv6 */
	uint64_t retransmits;
	uint64_t renegotiations;               /* key changes completed after the first key */
	uint64_t drops[VPNC_DROP__COUNT];
};

/* Log levels follow OpenVPN's --verb: 0 fatal only, 1 normal, 3 more, 4 options, 7+ packets. */
typedef void (*vpnc_log_fn)(void *ctx, int level, const char *msg);
typedef void (*vpnc_rand_fn)(void *ctx, void *out, size_t len);
typedef uint64_t (*vpnc_wallclock_fn)(void *ctx); /* Unix time in seconds */

struct vpnc_engine_cfg {
	enum vpnc_role role;
	enum vpnc_transport transport;   /* only changes the OCC string and exit notification */

	/* TLS: the engine makes one SSL per key state from this context and holds a reference. */
	SSL_CTX *ssl_ctx;
	/* Client only: peer checks beyond the chain (may be NULL). */
	const char *verify_x509_name;
	enum vpnc_x509_name_type verify_x509_type;
	bool remote_cert_tls_server;

	/* Control-channel wrapping; the key is copied (and wiped on free). */
	enum vpnc_wrap_mode wrap;
	const uint8_t *wrap_key;         /* VPNC_STATIC_KEY_LEN bytes */
	int key_direction;               /* tls-auth: -1, 0 or 1 */
	const char *auth_digest;         /* tls-auth HMAC digest, e.g. "SHA1" */
	const uint8_t *wkc;              /* tls-crypt-v2 */
	size_t wkc_len;

	/*
	 * Static-key mode ('secret', docs/static-key.md), client role only: no TLS, no pull;
	 * ssl_ctx may be NULL. The session is up at vpnc_engine_start(), with the profile's
	 * ifconfig and routes (net) as its "push". NULL = TLS mode.
	 */
	const uint8_t *static_key;       /* VPNC_STATIC_KEY_LEN bytes; copied, wiped on free */
	int static_key_direction;        /* -1 = bidirectional, 0 or 1 */
	const char *static_cipher;       /* a CBC cipher ('cipher'); `auth` is auth_digest */

	/*
	 * TLS peer-to-peer mode ('tls-client' without 'pull'; in tests also the server role):
	 * no PUSH_REQUEST; cipher, keys and peer-id are decided from both sides' peer info as
	 * OpenVPN 2.6 does (engine_p2p.c), and the session comes up with the profile's ifconfig
	 * and routes (net) as its "push".
	 */
	bool p2p;

	/* Data channel. */
	const char *data_ciphers;        /* colon list */
	const char *data_ciphers_fallback;
	enum vpnc_comp comp;             /* configured compression; a pushed one wins */
	bool comp_allowed;               /* decompress what the server compresses (else refuse it) */

	/* Client credentials (copied, wiped on free); NULL = none. */
	const char *username;
	const char *password;
	/* An auth-token kept from an earlier session of this run (replaces the password); NULL = none. */
	const char *auth_token;
	const char *auth_token_user;

	/* Timers in seconds; 0 = OpenVPN's default. */
	int tls_timeout;                 /* 2 */
	int hand_window;                 /* 60 */
	int reneg_sec;                   /* renegotiate after this many seconds; 0 = never */
	bool reneg_sec_min_set;          /* 'reneg-sec MAX MIN': after MAX - random % (MAX - MIN) s */
	int reneg_sec_min;
	long long reneg_bytes;           /* ... or after this many data bytes (both ways); 0 = never */
	long long reneg_pkts;            /* ... or packets */
	int tran_window;                 /* seconds the previous key still decrypts; 0 = 3600 */
	int ping;                        /* configured; a pushed value wins */
	int ping_restart;
	int ping_exit;                   /* configured; a pushed ping-restart replaces it */
	int session_timeout;             /* seconds from vpnc_engine_start() to a clean end; 0 = off */
	int inactive;                    /* configured; a pushed inactive wins */
	long long inactive_bytes;
	bool push_peer_info;             /* add IV_HWADDR (if iv_hwaddr) and IV_SSL to the peer info */
	const char *iv_hwaddr;           /* "aa:bb:cc:dd:ee:ff" of the default route's interface, or NULL */
	const char *peer_info_uv;        /* "UV_NAME=value\n" lines, or NULL */
	bool replay_window_set;          /* replay-window: the data channel's window, 0..65536 ids */
	int replay_window;
	/* 'replay-persist' (static-key mode): the last (time, id) a previous session received. */
	bool replay_restore;
	uint32_t replay_time, replay_id;
	int tun_mtu;                     /* announced in the OCC string; 1500 */
	int tun_mtu_max;                 /* tun-mtu-max; IV_MTU is the largest of it, tun_mtu and 1600 */
	int mssfix;                      /* MSS clamping: -1 = 2.6's default (1492 mtu), 0 = off */
	enum vpnc_mssfix_mode mssfix_mode; /* what mssfix counts (config.h) */
	bool link_ipv6;                  /* the link runs over IPv6 (bigger outer header) */
	int link_extra;                  /* bytes before each link packet (a SOCKS UDP header), for mssfix */
	bool tap;                        /* TUN side carries Ethernet frames (dev tap), docs/tap.md */
	int mtu_extra;                   /* tun-mtu-extra: added to the OCC link-mtu, taken off the MSS */
	int fragment;                    /* 'fragment N [mtu]' (UDP only): largest link packet; 0 = off */
	bool fragment_mtu;               /* ... N counts the outer IP and UDP headers too */
	int explicit_exit_notify;        /* configured; a pushed value also counts */
	const struct vpnc_client_nat *client_nat; /* 'client-nat' rules (copied), n_client_nat of them */
	size_t n_client_nat;

	/* Server role only: the options to push (text after "PUSH_REPLY,") and the peer-id. */
	const char *push_reply;
	uint32_t peer_id;
	bool server_prf;                 /* derive keys with the OpenVPN PRF, as pre-2.6 servers do */

	/* Injected environment. */
	vpnc_rand_fn rand;
	void *rand_ctx;
	vpnc_wallclock_fn wallclock;
	void *wallclock_ctx;
	vpnc_log_fn log;                 /* may be NULL */
	void *log_ctx;
	int verb;

	/* Client: limits on the PUSH_REPLY (docs/push.md). The filters are copied. */
	const struct vpnc_pull_filter *pull_filters;
	size_t n_pull_filters;           /* at most VPNC_MAX_PULL_FILTERS */
	bool route_nopull;
	const struct vpnc_push *net;     /* the profile's routes and DNS (copied); NULL = none */
	/* Client: the caller can ask the user a CR_TEXT challenge and answer it with
	 * vpnc_engine_cr_response(); IV_SSO then announces crtext besides webauth and openurl. */
	bool crtext;
};

/* Fills cfg with the client settings of conf (pointers borrow from conf). */
void vpnc_engine_cfg_from_config(struct vpnc_engine_cfg *cfg, const struct vpnc_config *conf);

/* Creates an engine. Returns 0 and sets *out, or a negative errno code. */
int vpnc_engine_new(const struct vpnc_engine_cfg *cfg, struct vpnc_engine **out);

/* Frees the engine and wipes its keys. NULL is allowed. */
void vpnc_engine_free(struct vpnc_engine *e);

/* Starts the session: a client queues its hard reset. Returns 0 or a negative code. */
int vpnc_engine_start(struct vpnc_engine *e, uint64_t now);

/*
 * Processes one packet from the link (one UDP datagram, or one packet taken out
 * of the TCP stream without its length prefix). If it is a data packet for the
 * TUN, the plaintext IP packet (an Ethernet frame with cfg->tap) is written into tun_out (at vpnc_buf_data(), len
 * set) and 1 is returned. Returns 0 if the packet was consumed (control, ACK,
 * ping), or a negative code if it was dropped (counted and logged).
 */
int vpnc_engine_link_in(struct vpnc_engine *e, uint64_t now, const uint8_t *pkt, size_t len,
                        struct vpnc_buf *tun_out);

/*
 * Encrypts one IP packet (an Ethernet frame with cfg->tap) from the TUN (ip, len) into out (written at
 * vpnc_buf_data(out); needs len + VPNC_DATA_OVERHEAD bytes of room). Returns 0,
 * or -EAGAIN if the data channel is not up (drop the packet), -EPERM for an
 * IPv6 packet (frame) under block-ipv6 (counted, not sent), or another negative code. The packet itself may be changed in place first (a TCP SYN's
 * MSS is clamped to what fits the tunnel, as OpenVPN's mssfix does).
 */
int vpnc_engine_tun_in(struct vpnc_engine *e, uint64_t now, uint8_t *ip, size_t len,
                       struct vpnc_buf *out);

/*
 * With 'fragment' (docs/fragment.md) one TUN packet may need several link
 * packets: vpnc_engine_tun_in() writes the first into out and, while this
 * returns true, vpnc_engine_tun_in_next() writes the next one. Call it with the
 * same ip and len, unchanged, before the next vpnc_engine_tun_in(); the engine
 * keeps no pointer to them. Returns 1 if it wrote a packet, 0 when the packet
 * is all sent (or was abandoned: the keys went away), or a negative code.
 */
bool vpnc_engine_tun_more(const struct vpnc_engine *e);
int vpnc_engine_tun_in_next(struct vpnc_engine *e, uint64_t now, const uint8_t *ip, size_t len,
                            struct vpnc_buf *out);

/*
 * The UDP socket reported a path MTU to the server (bytes of IP packet, outer
 * headers included): after an EMSGSIZE on send, or after an ICMP
 * "fragmentation needed" / "packet too big", the socket's IP_MTU. As OpenVPN
 * 2.6 (frame_adjust_path_mtu, docs/fragment.md), only with 'fragment' and
 * only a value other than the last one reported: where the path MTU is below
 * 'fragment' (or, for 'fragment N mtu', below N plus the outer headers) the
 * session goes on with 'fragment PMTU mtu', and the same for 'mssfix', each
 * change logged (rate-limited); packets already being split keep their size.
 * Returns 0 when 'fragment' now keeps every data packet within the path MTU,
 * -EMSGSIZE when it does not (no 'fragment', or 2.6's comparison left N
 * above it: the caller may warn that larger packets are dropped), or -EINVAL
 * for a path MTU below 68.
 */
int vpnc_engine_path_mtu(struct vpnc_engine *e, uint64_t now, int pmtu);

/*
 * Writes the next packet the engine wants on the link (control, ACK, ping,
 * exit notification) into out. Returns 1 if it wrote one, 0 if there is
 * nothing to send now. Call it after every input until it returns 0.
 */
int vpnc_engine_link_out(struct vpnc_engine *e, uint64_t now, struct vpnc_buf *out);

/* Runs timers due at `now` (retransmission, keepalive, handshake window, renegotiation). */
void vpnc_engine_tick(struct vpnc_engine *e, uint64_t now);

/* The next time vpnc_engine_tick() has work, or UINT64_MAX. */
uint64_t vpnc_engine_next_timer(const struct vpnc_engine *e);

/* Takes the next event. Returns 1 and fills ev, or 0 if none is pending. */
int vpnc_engine_event(struct vpnc_engine *e, struct vpnc_event *ev);

/* Asks the session to end cleanly: sends the exit notification when the server asked for one. */
void vpnc_engine_close(struct vpnc_engine *e, uint64_t now);

/*
 * The auth-token the server gave (or "" if none, or if the server rejected it).
 * The caller keeps it across reconnects and hands it back in the next engine's
 * cfg.auth_token; it is a secret: wipe the copy when done.
 */
const char *vpnc_engine_auth_token(const struct vpnc_engine *e);
const char *vpnc_engine_auth_token_user(const struct vpnc_engine *e);

/*
 * Answers the server's CR_TEXT challenge (VPNC_EV_AUTH_CHALLENGE) with
 * CR_RESPONSE,base64(response) on the control channel, as OpenVPN 2.6's
 * management command cr-response does. Drain vpnc_engine_link_out()
 * afterwards. Returns 0, -ENOTCONN when the session has no control channel
 * to send it on (it ended, or the TLS session is not up), -ENOSPC for a
 * response longer than VPNC_AUTHCR_RESPONSE_MAX - 1, -EINVAL in the server
 * role. The engine keeps no copy of the response.
 */
int vpnc_engine_cr_response(struct vpnc_engine *e, const char *response);

/*
 * Roaming (docs/roaming.md). True when the server can move this session to a
 * new client address and port: a connected UDP session for which the server
 * gave a peer-id (P_DATA_V2). Otherwise a client whose address changed must
 * reconnect.
 */
bool vpnc_engine_can_float(const struct vpnc_engine *e);

/*
 * The path to the server changed, or came back after an outage: queues a
 * keepalive ping (a server that floats sessions moves this one to the address
 * it comes from) and an OCC request (which the server answers). If nothing
 * authenticated arrives from the server within max(1 s, 4 round trips), at
 * most 5 s, the session ends with VPNC_EV_RESTART (VPNC_CAUSE_TIMEOUT). A
 * second call starts the wait again. Drain vpnc_engine_link_out() and re-arm
 * the timer afterwards. Returns 0, -ENOTCONN before the data channel is up, or
 * -EOPNOTSUPP on TCP (and in the server role).
 */
int vpnc_engine_probe(struct vpnc_engine *e, uint64_t now);

/* True while a probe waits for its answer. */
bool vpnc_engine_probing(const struct vpnc_engine *e);

enum vpnc_state vpnc_engine_state(const struct vpnc_engine *e);
const struct vpnc_stats *vpnc_engine_stats(const struct vpnc_engine *e);

/*
 * 'replay-persist': the highest (time, id) the static-key data channel has
 * received, to keep across restarts. False in TLS mode (2.6 restores only
 * the static key's state) and before the first packet.
 */
bool vpnc_engine_replay_last(const struct vpnc_engine *e, uint32_t *time, uint32_t *id);

/*
 * The 'replay-persist' file's image, 2.6's struct packet_id_persist_file_image
 * on 64-bit Linux: the time as 8 bytes, the id as 4, 4 bytes of padding, host
 * order. Decoding takes the first n bytes of a file: false unless exactly a
 * whole image with a positive time (2.6 restores nothing else, and a
 * negative one rejects no packet there); a time past 32 bits becomes the
 * largest, so that it still rejects every packet.
 */
#define VPNC_REPLAY_IMAGE_LEN 16
void vpnc_replay_image_encode(uint8_t img[VPNC_REPLAY_IMAGE_LEN], uint32_t time, uint32_t id);
bool vpnc_replay_image_decode(const uint8_t *img, size_t n, uint32_t *time, uint32_t *id);
/* When (the clock passed to the engine, ms) the last authenticated packet came in, and the last went out. */
void vpnc_engine_last_io(const struct vpnc_engine *e, uint64_t *recv, uint64_t *sent);
/* The negotiated data cipher name, or "" before the keys exist. */
const char *vpnc_engine_cipher(const struct vpnc_engine *e);

/* The control channel's TLS version and cipher suite (e.g. "TLSv1.3", "TLS_AES_256_GCM_SHA384"),
 * or "" for both while there is no TLS session. The strings live as long as the engine. */
const char *vpnc_engine_tls_version(const struct vpnc_engine *e);
const char *vpnc_engine_tls_cipher(const struct vpnc_engine *e);

#endif
