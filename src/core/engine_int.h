/*
 * engine_int.h: the engine's internal state, shared by the files that make up
 * the engine: engine.c (public API, timers, data path; the top, which none
 * calls back), ctrlchan.c (control packets: wrapping, reliability, TLS
 * transport, key states), keyex.c (what runs inside TLS: key-method-2,
 * PUSH_REQUEST/PUSH_REPLY, key derivation), engine_p2p.c (peer-to-peer
 * negotiation without pull), engine_static.c (static-key mode),
 * engine_frag.c (the fragment option), engine_probe.c (path probes) and
 * engine_event.c (events, log lines, drops: how they all report). Each file's
 * internal functions are declared in the header named after it; who calls
 * whom is in docs/architecture.md (ctest check_calls keeps it true).
 *
 * Everything here is allocated once when the engine is made; nothing in the
 * packet paths allocates.
 */
#ifndef VPNC_ENGINE_INT_H
#define VPNC_ENGINE_INT_H

#include "vpnc/engine.h"

#include "core/ctrlmsg.h"
#include "core/ctrlpkt.h"
#include "core/fragment.h"
#include "core/datachan.h"
#include "core/km2.h"
#include "core/loglimit.h"
#include "core/mss.h"
#include "core/reliable.h"
#include "core/tls.h"
#include "core/tlsauth.h"
#include "core/tlscrypt.h"

/* Largest control packet we send, as OpenVPN's default tls-mtu. */
#define VPNC_TLS_MTU 1250
/* Room for an IPv6 + UDP header that the control packet size must leave. */
#define VPNC_IP_UDP_OVERHEAD 48
/* PUSH_REQUEST is repeated this often until a reply arrives. */
#define VPNC_PUSH_REQUEST_MS 5000
#define VPNC_EVENTS 8
/* After a renegotiation, the side that got its keys first waits this long at most for proof
 * that the peer has them too before it encrypts with them. */
#define VPNC_TX_SWITCH_MS 5000
/* A server's push-continuation may not go on for ever. */
#define VPNC_PUSH_PARTS_MAX 64
#define VPNC_REASON_LEN 256
/* At most this many CR_TEXT / WEB_AUTH questions a session hands to the caller (a server that
 * keeps asking must not keep the user busy); later ones are logged and dropped. */
#define VPNC_CHALLENGES_MAX 8

/* Key-state phases, one TLS session each. */
enum vpnc_ks_phase {
	KS_IDLE = 0,   /* not in use */
	KS_RESET,      /* our reset queued, waiting for the peer's */
	KS_TLS,        /* TLS handshake */
	KS_KEYEX,      /* key-method-2 exchange */
	KS_ACTIVE,     /* key-method-2 done (client: push and keys follow) */
	KS_ERROR,
};

struct vpnc_keystate {
	enum vpnc_ks_phase phase;
	uint8_t key_id;
	struct vpnc_reliable rel;
	struct vpnc_tls *tls;
	struct vpnc_km2 local;        /* what we sent (secret randoms) */
	struct vpnc_km2 remote;       /* what the peer sent */
	bool km2_sent;
	bool km2_received;
	struct vpnc_ctrlmsg_rx rx;    /* control messages after key-method-2 */
	struct vpnc_dc_key dc;
	bool dc_ready;
	/* Outgoing data may use this key: the peer surely has it (we are the client, or data
	 * arrived under it, or VPNC_TX_SWITCH_MS passed since it was installed). */
	bool tx_ok;
	uint64_t installed;           /* ms, when dc_ready became true */
	uint64_t bytes;               /* data-channel bytes under this key, both ways (reneg-bytes) */
	uint64_t pkts;                /* ... and packets (reneg-pkts) */
	uint64_t started;             /* ms; hand-window counts from here */
};

struct vpnc_event_slot {
	struct vpnc_event ev;
	char reason[VPNC_REASON_LEN];
};

struct vpnc_engine {
	/* Configuration, copied: the caller's strings may go away. */
	enum vpnc_role role;
	enum vpnc_transport transport;
	SSL_CTX *ssl_ctx;
	char *verify_x509_name;
	enum vpnc_x509_name_type verify_x509_type;
	bool remote_cert_tls_server;
	enum vpnc_wrap_mode wrap;
	uint8_t wrap_key[VPNC_STATIC_KEY_LEN];
	int key_direction;
	char auth_digest[32];
	uint8_t wkc[VPNC_MAX_WKC_LEN];
	size_t wkc_len;
	char data_ciphers[256];       /* canonical names, colon list */
	char data_ciphers_fallback[32];
	char *username;
	char *password;
	char *push_reply;             /* server role */
	uint32_t peer_id_cfg;         /* server role */
	bool server_prf;              /* server role: never use TLS-EKM */
	int tls_timeout_ms;
	uint64_t hand_window_ms;
	int tun_mtu;
	int iv_mtu;                   /* IV_MTU announced: the largest tun-mtu a push may set */
	int ping_cfg, ping_restart_cfg;
	int mssfix;                   /* 0 = no clamping */
	enum vpnc_mssfix_mode mssfix_mode;
	enum vpnc_comp comp;          /* compression in use; vpnc never compresses what it sends */
	bool comp_allowed;            /* decompress what the server compresses (allow-compression) */
	bool static_key;              /* static-key mode (engine_static.c): no control channel */
	bool p2p;                     /* TLS without pull (engine_p2p.c): no PUSH_REQUEST, P2P NCP */
	bool peer_info_full;          /* push-peer-info: the full peer info, also in P2P mode */
	uint8_t *zbuf;                /* scratch for one packet's compressed bytes, shared by the keys */
	size_t zcap;
	bool link_ipv6;
	int link_extra;                /* bytes before each link packet (a SOCKS UDP header), for mssfix */
	bool tap;                     /* packets on the TUN side are Ethernet frames */
	bool dhcp_bad_logged;         /* a DHCP ACK's unusable router was logged once */
	bool dhcp_snoop;              /* route-gateway dhcp on a TAP: DHCP replies to the device are read
	                               * (dhcp.h); set once the session's push is known */
	int mtu_extra;                /* tun-mtu-extra bytes (2.6's frame extra_tun) */
	uint16_t mss4, mss6;          /* clamp values, set with the first keys */
	size_t n_cnat;                /* 'client-nat' rules (core/clinat.h); 0: none, no cost */
	size_t n_cnat_cfg;            /* of those, the profile's; pushed ones follow (keyex.c) */
	struct vpnc_client_nat cnat[VPNC_CLIENT_NAT_MAX];
	/* 'fragment' (engine_frag.c): 0 = off. frag_max is the largest framed payload per fragment,
	 * set with each key (it depends on the cipher and the peer-id). */
	int fragment;
	bool fragment_mtu;
	size_t frag_max;
	int path_mtu;                 /* the last path MTU the caller reported (vpnc_engine_path_mtu); 0 = none */
	struct vpnc_frag_tx ftx;
	struct vpnc_frag_rx frx;      /* buffers allocated with the engine */
	uint64_t frag_wakeup;         /* next run of the reaper */
	vpnc_rand_fn rand;
	void *rand_ctx;
	vpnc_wallclock_fn wallclock;
	void *wallclock_ctx;
	vpnc_log_fn log;
	void *log_ctx;
	int verb;

	/* Session. */
	enum vpnc_state state;
	uint8_t sid[VPNC_SID_LEN];
	uint8_t peer_sid[VPNC_SID_LEN];
	bool have_peer_sid;
	bool resend_wkc;              /* tls-crypt-v2 server asked for WKc on msg-id 1 */
	struct vpnc_tlscrypt *tc;     /* tls-crypt, tls-crypt-v2 */
	struct vpnc_tlsauth *ta;      /* tls-auth */
	struct vpnc_tlscrypt *tc_dyn; /* dynamic tls-crypt for key ids > 0, once negotiated */
	/*
	 * Key states: ks is the newest (it carries the control channel and, once
	 * its keys exist, outgoing data); lame is the previous one, kept after a
	 * renegotiation so that data still in flight under the old key id decrypts.
	 * Both point into slots[]; a renegotiation reuses the slot lame held.
	 */
	struct vpnc_keystate slots[2];
	struct vpnc_keystate *ks;
	struct vpnc_keystate *lame;
	uint64_t reneg_ms;            /* reneg-sec; 0 = never */
	uint64_t reneg_bytes;         /* 0 = never */
	uint64_t reneg_pkts;          /* 0 = never */
	uint64_t tran_ms;             /* how long the lame duck key lives */
	bool ekm;                     /* keys by TLS-EKM (else PRF), fixed at the first key */
	int32_t peer_id;              /* -1 = P_DATA_V1 */
	char auth_token[VPNC_MAX_TOKEN_LEN];      /* secret: replaces the password once pushed */
	char auth_token_user[VPNC_MAX_TOKEN_LEN]; /* decoded auth-token-user, "" = keep username */
	uint64_t start_time;

	/* Pushed options (client), or the client's requests (server). */
	struct vpnc_push push;
	bool push_done;
	unsigned push_parts;          /* PUSH_REPLY messages with push-continuation 2 so far */
	uint64_t next_push_request;
	char cipher[32];              /* negotiated data cipher */
	char tls_version[16];         /* of the last completed TLS handshake */
	char tls_cipher[64];
	unsigned peer_iv_proto;       /* server role: the client's IV_PROTO */
	char peer_ciphers[256];       /* server role: the client's IV_CIPHERS */

	/* Keepalive. */
	uint64_t ping_ms;             /* 0 = off */
	uint64_t ping_restart_ms;     /* 0 = off */
	uint64_t last_send;
	uint64_t last_recv;
	uint64_t last_data;           /* last data packet either way (inactive) */
	uint64_t inactive_ms;         /* inactive (profile or pushed); 0 = off */
	uint64_t inactive_bytes;      /* traffic that restarts the inactive timer (2.6: at least 1 packet) */
	uint64_t inactive_acc;        /* bytes counted since the timer last restarted */
	unsigned replay_window;       /* replay-window for each data-channel key */
	bool replay_restore;          /* replay-persist: the static key's window starts at ... */
	uint32_t replay_time, replay_id;
	char peer_info_extra[640];    /* push-peer-info's IV_HWADDR, IV_SSL, then setenv UV_* lines */
	uint64_t session_ms;          /* session-timeout, from start_time; 0 = off */
	uint64_t ping_exit_ms;        /* ping-exit; 0 = off (a pushed ping-restart turns it off) */
	bool ping_due;
	bool closing;
	unsigned exit_pkts;           /* OCC_EXIT data packets still to send on close */
	int exit_notify_cfg;          /* configured explicit-exit-notify */

	/* Path probe after a network change (engine_probe.c; docs/roaming.md). */
	bool occ_due;                 /* an OCC message of type occ_type to send on the data channel */
	uint8_t occ_type;
	uint64_t probe_at;            /* when the running probe went out */
	uint64_t probe_deadline;      /* when it fails without an answer; 0 = no probe running */
	uint32_t probe_mark[2];       /* each slot's highest received packet id at probe_at */
	uint64_t rtt_ms;              /* round trip: the first reset's answer, then each answered probe */

	/* Events, a small ring. */
	struct vpnc_event_slot events[VPNC_EVENTS];
	unsigned ev_head, ev_count;
	char reason_out[VPNC_REASON_LEN];

	/* Why the session ended; set by vpnc__fail(). */
	enum vpnc_cause cause;
	unsigned restart_flags;

	/* The server's last authentication question (CRV1, CR_TEXT, WEB_AUTH; authcr.h), and how
	 * many CR_TEXT / WEB_AUTH questions this session passed on (VPNC_CHALLENGES_MAX at most). */
	struct vpnc_authcr challenge;
	unsigned n_challenges;
	bool crtext;                  /* the caller answers CR_TEXT: IV_SSO announces crtext */

	struct vpnc_stats stats;
	uint32_t drop_logged;         /* one bit per enum vpnc_drop */
	struct vpnc_loglimit peer_log; /* shared by every log line the peer can cause */

	/* Scratch buffers for control packets (never for data). */
	uint8_t scratch[VPNC_LINK_MAX + VPNC_MAX_WKC_LEN];
	uint8_t tlsbuf[VPNC_LINK_MAX];

	/* Client: pull-filter (owned copy) and route-nopull, applied when the PUSH_REPLY is parsed. */
	struct vpnc_pull_filter *pull_filters;
	size_t n_pull_filters;
	bool route_nopull;
};

/* OCC message types on the data channel (after the 16-byte OCC magic), as OpenVPN's occ.h. */
#define VPNC_OCC_REQUEST 0
#define VPNC_OCC_REPLY 1
#define VPNC_OCC_EXIT 6

#endif
