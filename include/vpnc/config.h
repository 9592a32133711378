/*
 * config.h: the parsed form of an OpenVPN client configuration.
 *
 * vpnc_config_load() reads a config file (and command-line options) into a
 * plain struct vpnc_config; nothing else in vpnc reads the file. Inline blocks
 * and referenced files are loaded into memory here, so later stages never
 * touch the file system for key material.
 *
 * Ownership: the struct and every pointer in it belong to the config; free
 * everything with vpnc_config_free(), which also wipes the secrets (private
 * key, static keys, password).
 */
#ifndef VPNC_CONFIG_H
#define VPNC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VPNC_MAX_REMOTES 16
#define VPNC_STATIC_KEY_LEN 256 /* OpenVPN Static key V1: 2048 bits */
#define VPNC_MAX_WKC_LEN 1024   /* tls-crypt-v2 wrapped client key */
#define VPNC_MAX_KU 16          /* remote-cert-ku values (OpenVPN MAX_PARMS) */
#define VPNC_MAX_PEER_FP 64     /* peer-fingerprint values a profile may list */
#define VPNC_P11_MAX_PROVIDERS 15 /* 'pkcs11-providers' libraries (OpenVPN's limit) */
#define VPNC_PEER_FP_LEN 32     /* SHA-256 */
#define VPNC_MAX_X509_TRACK 16   /* x509-track lines */
#define VPNC_X509_TRACK_NAME 64  /* one x509-track attribute, '+' and NUL included */
#define VPNC_MAX_PROVIDERS 15   /* 'providers' names on one line (OpenVPN's MAX_PARMS - 1) */
#define VPNC_PROVIDER_NAME_MAX 64
#define VPNC_SCRIPT_CMD_MAX 257 /* one script command word (OpenVPN's 256-byte parameter) + NUL */
#define VPNC_LOG_PATH_MAX 257     /* 'log FILE': one option parameter + NUL */
#define VPNC_SYSLOG_NAME_MAX 64   /* 'syslog NAME' */
#define VPNC_CTL_SOCKET_MAX 108   /* 'control-socket PATH' + NUL: sockaddr_un.sun_path */
#define VPNC_CMDLINE_CONFIG_MAX 512 /* cmdline_config */
#define VPNC_PRIV_NAME_MAX 257    /* 'user', 'group', 'chroot': one option parameter + NUL */

/* How pushed DNS settings are applied (--dns-mode); see docs/dns-and-scripts.md. */
enum vpnc_dns_mode {
	VPNC_DNS_AUTO = 0,     /* systemd-resolved if it runs, else resolvconf, else the file */
	VPNC_DNS_RESOLVED,     /* systemd-resolved over D-Bus */
	VPNC_DNS_RESOLVCONF,   /* the resolvconf program */
	VPNC_DNS_FILE,         /* rewrite /etc/resolv.conf, restore it on exit */
	VPNC_DNS_NONE,         /* leave DNS alone */
};

enum vpnc_transport {
	VPNC_TRANSPORT_UDP = 0,
	VPNC_TRANSPORT_TCP = 1,
};

/* What to do after AUTH_FAILED ('auth-retry'). */
/* Longest 'static-challenge' text (with its NUL). */
#define VPNC_STATIC_CHALLENGE_MAX 256

enum vpnc_auth_retry {
	VPNC_AUTH_RETRY_NONE = 0,   /* exit (OpenVPN's default) */
	VPNC_AUTH_RETRY_NOINTERACT, /* retry with the same credentials */
	VPNC_AUTH_RETRY_INTERACT,   /* ask for new credentials, then retry */
};

/* Address family restriction from proto udp4/udp6/tcp4/tcp6 (AF_UNSPEC for udp/tcp). */
#define VPNC_CFG_UV_MAX 512 /* bytes of setenv UV_* peer info, incl. NUL */

struct vpnc_remote {
	char host[256];
	char port[8];          /* decimal, default "1194" */
	enum vpnc_transport transport;
	int family;            /* AF_UNSPEC, AF_INET or AF_INET6 */
	unsigned socks;        /* 1 + index into the config's socks[] (vpnc_remote_socks()), 0 = direct */
	int fragment;          /* 'fragment N' for this remote (UDP only), 0 = off */
	bool fragment_mtu;     /* 'fragment N mtu': N counts the outer IP and UDP headers */
};

/* 'socks-proxy HOST [PORT] [AUTHFILE]' (docs/proxy.md): one per line that gave it. */
#define VPNC_MAX_SOCKS (VPNC_MAX_REMOTES + 1)
struct vpnc_socks_proxy {
	char host[256];
	char port[8];          /* decimal, default "1080" */
	char *user;            /* from the authfile; NULL = no authentication */
	char *pass;            /* secret */
};

enum vpnc_wrap_mode {
	VPNC_WRAP_NONE = 0,
	VPNC_WRAP_TLS_AUTH,
	VPNC_WRAP_TLS_CRYPT,
	VPNC_WRAP_TLS_CRYPT_V2,
};

enum vpnc_x509_name_type {
	VPNC_X509_SUBJECT = 0, /* verify-x509-name NAME [subject] (default) */
	VPNC_X509_NAME,        /* CN equals */
	VPNC_X509_NAME_PREFIX, /* CN starts with */
};

/*
 * What is pushed or configured for compression (docs/compression.md). vpnc
 * never compresses what it sends: it frames it as uncompressed in the framing
 * of the value. The last three also decompress what the server compresses.
 */
enum vpnc_comp {
	VPNC_COMP_NONE = 0,
	VPNC_COMP_LZO_STUB,  /* comp-lzo no: 0xFA prefix */
	VPNC_COMP_STUB,      /* compress (stub): swap format with 0xFB */
	VPNC_COMP_STUB_V2,   /* compress stub-v2: escape 0x50 */
	VPNC_COMP_LZO,       /* comp-lzo [yes|adaptive], compress lzo: LZO_STUB framing, 0x66 = LZO */
	VPNC_COMP_LZ4,       /* compress lz4: STUB (swap) framing, 0x69 = LZ4 */
	VPNC_COMP_LZ4_V2,    /* compress lz4-v2: STUB_V2 framing, 0x50 0x01 = LZ4 */
};

/* True for the values with real compression (the server may compress). */
static inline bool vpnc_comp_is_real(enum vpnc_comp c)
{
	return c == VPNC_COMP_LZO || c == VPNC_COMP_LZ4 || c == VPNC_COMP_LZ4_V2;
}

/* allow-compression (OpenVPN 2.6); UNSET follows 2.6's default, see vpnc_config_comp_allowed(). */
enum vpnc_allow_comp {
	VPNC_ALLOW_COMP_UNSET = 0,
	VPNC_ALLOW_COMP_NO,   /* framing only: real compression configured or pushed is refused */
	VPNC_ALLOW_COMP_ASYM, /* decompress what the server sends, never compress */
	VPNC_ALLOW_COMP_YES,  /* as ASYM in vpnc, which never compresses */
};

/* 'pull-filter accept|ignore|reject TEXT' (see docs/push.md). */
#define VPNC_MAX_PULL_FILTERS 64
#define VPNC_PULL_FILTER_TEXT_MAX 256 /* bytes with the NUL: OpenVPN's option parameter size */

enum vpnc_pull_action {
	VPNC_PULL_ACCEPT = 1,  /* keep the option and stop looking */
	VPNC_PULL_IGNORE,      /* drop the option silently */
	VPNC_PULL_REJECT,      /* refuse the whole PUSH_REPLY: the session restarts */
};

struct vpnc_pull_filter {
	enum vpnc_pull_action action;
	char text[VPNC_PULL_FILTER_TEXT_MAX]; /* matched as a prefix of the pushed option */
};

/* 'http-proxy' (docs/proxy.md): how the proxy is asked to authenticate vpnc. */
enum vpnc_proxy_auth {
	VPNC_PROXY_AUTH_NONE = 0,  /* no credentials sent (a 407 is an error) */
	VPNC_PROXY_AUTH_BASIC,     /* Basic from the first request */
	VPNC_PROXY_AUTH_AUTO,      /* 'auto': none first; the scheme a 407 names, then */
	VPNC_PROXY_AUTH_AUTO_NCT,  /* 'auto-nct': as auto, but never Basic (clear text) */
};

#define VPNC_PROXY_HEADERS_MAX 10   /* 'http-proxy-option CUSTOM-HEADER' lines (2.6's limit) */
#define VPNC_PROXY_WORD_MAX 257     /* one option parameter + NUL */
#define VPNC_PROXY_CRED_MAX 4096    /* bytes of the proxy username or password */

struct vpnc_proxy_header {
	char name[VPNC_PROXY_WORD_MAX];
	char content[VPNC_PROXY_WORD_MAX];
	bool has_content;           /* without content, name is the whole header line */
};

struct vpnc_http_proxy {
	bool set;                   /* 'http-proxy' given: every remote is reached through it */
	char host[256];
	char port[8];
	enum vpnc_proxy_auth auth;
	bool ask;                   /* 'stdin': the username and password come from the terminal */
	char version[16];           /* 'http-proxy-option VERSION', default "1.0" */
	char agent[VPNC_PROXY_WORD_MAX]; /* 'http-proxy-option AGENT', "" = no User-Agent */
	struct vpnc_proxy_header headers[VPNC_PROXY_HEADERS_MAX];
	size_t n_headers;
	char *user;                 /* from the authfile or <http-proxy-user-pass>, else NULL */
	char *pass;                 /* secret */
	bool creds_from_file;       /* for messages: a file rather than an inline block */
};

/* What 'mssfix N' counts, as OpenVPN 2.6 reads its second word. */
enum vpnc_mssfix_mode {
	VPNC_MSSFIX_MTU = 0,   /* 'mssfix N mtu' and the default: N includes the outer IP and UDP headers */
	VPNC_MSSFIX_PAYLOAD,   /* 'mssfix N': N is the UDP payload */
	VPNC_MSSFIX_FIXED,     /* 'mssfix N fixed': N is the tunnelled IP packet (MSS N - 40) */
};

/* 'client-nat snat|dnat NETWORK NETMASK ALIAS' (core/clinat.h); 2.6's MAX_CLIENT_NAT rules. */
#define VPNC_CLIENT_NAT_MAX 64
struct vpnc_client_nat {
	bool dnat;                  /* dnat (remote resources) or snat (the client's own) */
	uint32_t network;           /* the client's view; all three in network byte order */
	uint32_t netmask;
	uint32_t foreign;           /* the server's view ('alias') */
};

/* 'mtu-disc': the UDP socket's path-MTU discovery, as 2.6 sets it on Linux. */
enum vpnc_mtu_disc {
	VPNC_MTU_DISC_DEFAULT = 0, /* not given: the kernel's default (maybe, unless sysctl says otherwise) */
	VPNC_MTU_DISC_NO,          /* IP_PMTUDISC_DONT: never set DF */
	VPNC_MTU_DISC_MAYBE,       /* IP_PMTUDISC_WANT: DF up to the path MTU, larger ones fragmented */
	VPNC_MTU_DISC_YES,         /* IP_PMTUDISC_DO: always DF; larger than the path MTU is EMSGSIZE */
};

struct vpnc_push;

struct vpnc_config {
	char *path;                 /* the config file, for messages; NULL for command line only */
	/* The first file named by a command-line '--config' (path is NULL then); names the instance
	 * and holds the eduVPN '# Expires:' header. "" = none, or longer than the field. */
	char cmdline_config[VPNC_CMDLINE_CONFIG_MAX];
	/* The profile file's owner (else the user who ran vpnc): the files the profile names are
	 * opened with that user's rights (os/fsowner.h, docs/privileges.md). */
	uid_t owner_uid;
	gid_t owner_gid;

	/* Role: a pulling TLS client ('client'), a TLS peer without pull ('tls-client' alone: P2P mode,
	 * the profile's ifconfig and routes), or static-key mode ('secret'). */
	bool client;                /* 'client' = pull + tls-client */
	bool pull;
	bool tls_client;

	/* Remotes and transport: where to connect, and how to retry. */
	struct vpnc_remote remotes[VPNC_MAX_REMOTES];
	size_t n_remotes;
	enum vpnc_transport default_transport; /* from a plain 'proto' line */
	int default_family;
	char default_port[8];
	bool remote_random;
	bool remote_random_hostname; /* resolve "<12 hex digits>.NAME" instead of NAME */
	bool nobind;
	bool bind;                  /* 'bind': bind the local port even without 'lport' */
	int lport;                  /* 0 = any */
	char local[256];            /* 'local': the address to bind to, or a name the daemon resolves at
	                             * start; "" = any */
	char local_resolved[2][46]; /* a 'local' name's first IPv4 [0] and IPv6 [1] address, filled by the
	                             * daemon at start; "" = none of that family */
	int connect_retry;          /* seconds, default 1 (OpenVPN: 1, max 300) */
	int connect_retry_max_delay; /* 'connect-retry N MAX': longest back-off, seconds, default 300 */
	int connect_retry_max;      /* 'connect-retry-max N': tries per remote, 0 = unlimited */
	int server_poll_timeout;    /* seconds, default 120 */
	int resolv_retry;           /* 'resolv-retry N': seconds to retry names, -1 = infinite (default) */
	int mark;                   /* 'mark': SO_MARK on the link socket, 0 = none (2.6 reads it with atoi) */
	/* The SOCKS5 proxies the remotes name (struct vpnc_remote.socks). */
	struct vpnc_socks_proxy socks[VPNC_MAX_SOCKS];
	size_t n_socks;

	/* Interface and data path. */
	char dev[16];               /* "tun", "tap" or a name such as "tun0", "tap0" or "vpnc%d" */
	bool dev_tap;               /* a layer-2 TAP device ('dev tap*' or 'dev-type tap'), docs/tap.md */
	bool dev_null;              /* 'dev null' or 'dev-type null': no device; what arrives is dropped */
	bool has_lladdr;            /* 'lladdr': the TAP device's MAC address */
	uint8_t lladdr[6];
	int tun_mtu;                /* 0 = default 1500 */
	int tun_mtu_extra;          /* 'tun-mtu-extra'; -1 = 2.6's default (32 on TAP, else 0) */
	int tun_mtu_max;            /* 'tun-mtu-max': largest pushed tun-mtu taken (IV_MTU); 0 = 2.6's 1600 */
	int mssfix;                 /* -1 = default; 0 = off */
	enum vpnc_mssfix_mode mssfix_mode;
	int fragment;               /* 'fragment N' outside <connection> blocks, 0 = off (each remote has its own) */
	bool fragment_mtu;
	enum vpnc_mtu_disc mtu_disc; /* 'mtu-disc' (applies to every remote) */
	bool tun_offload;           /* 'tun-offload': TUN offloads and UDP batching, default yes */
	int coalesce_us;            /* 'coalesce-us': wakeup coalescing sleep, default 200, 0 = off */
	int shaper;                 /* 'shaper N': bytes per second sent to the server, 0 = no limit */
	struct vpnc_client_nat client_nat[VPNC_CLIENT_NAT_MAX]; /* 'client-nat', in profile order */
	size_t n_client_nat;

	/* TLS: PEM text loaded from inline blocks or files (NUL-terminated), keys, and how the
	 * server's certificate is checked. */
	char *ca;
	char *cert;
	char *key;                  /* secret */
	char *extra_certs;
	char *key_pass;             /* secret: passphrase from 'askpass FILE', NULL = none or prompt */
	bool askpass;               /* 'askpass' given: ask for the passphrase when a key needs one */
	uint8_t *pkcs12;            /* secret: DER bytes of 'pkcs12' (cert, key, CAs), NULL = none */
	size_t pkcs12_len;
	bool remote_cert_tls_server;
	char *verify_x509_name;
	enum vpnc_x509_name_type verify_x509_type;
	/* 'x509-track [+]ATTR': what scripts get as X509_N_ATTR instead of the subject fields
	 * ('+': for every certificate of the chain, else the server's own only). */
	char x509_track[VPNC_MAX_X509_TRACK][VPNC_X509_TRACK_NAME];
	size_t n_x509_track;
	char *remote_cert_eku;      /* 'remote-cert-eku': OID or long name, NULL = no check */
	unsigned remote_cert_ku[VPNC_MAX_KU]; /* 'remote-cert-ku' values, 0-terminated */
	bool remote_cert_ku_set;    /* a keyUsage extension is required (any value if list empty) */
	bool ns_cert_type_server;   /* 'ns-cert-type server': the certificate must be fit for a TLS server */
	uint8_t peer_fp[VPNC_MAX_PEER_FP][VPNC_PEER_FP_LEN]; /* 'peer-fingerprint' SHA-256 values */
	size_t n_peer_fp;           /* without 'ca', these fingerprints alone decide (PKI-less setup) */
	/* 'verify-hash': the level-1 certificate's (the CA that signed the server's) SHA-1 or SHA-256. */
	uint8_t verify_hash[VPNC_MAX_PEER_FP][VPNC_PEER_FP_LEN]; /* a SHA-1 value in its first 20 bytes */
	uint8_t verify_hash_len[VPNC_MAX_PEER_FP];               /* 20 or 32: the algorithm of its line */
	size_t n_verify_hash;
	bool verify_hash_sha1;      /* the last line's algorithm, which 2.6 uses for the whole list */
	char *crl;                  /* PEM text of 'crl-verify FILE', NULL = none */
	/* 'capath DIR': the certificates (HASH.N) and CRLs (HASH.rN) of an OpenSSL hash directory, read at
	 * start; with it every certificate of the chain needs a CRL, as in 2.6. NULL = none. */
	char *capath_certs;
	char *capath_crls;
	bool capath;
	char *crl_dir;              /* 'crl-verify DIR dir': a file named by serial revokes it */
	int tls_version_min;        /* 0 = library default, else e.g. 0x0303 (TLS1_2_VERSION) */
	int tls_version_max;
	char *tls_cipher;           /* TLS 1.2 cipher list, NULL = default */
	char *tls_ciphersuites;     /* TLS 1.3 suites, NULL = default */
	char *tls_groups;
	char *tls_cert_profile;
	/* 'providers NAME...': OpenSSL 3 providers loaded when the profile is read (e.g. legacy for BF-CBC). */
	char providers[VPNC_MAX_PROVIDERS][VPNC_PROVIDER_NAME_MAX];
	size_t n_providers;

	/* PKCS#11 (docs/pkcs11.md): the certificate and key on a token, instead of cert/key/pkcs12.
	 * The per-provider settings are indexed like pkcs11_providers. */
	char *pkcs11_providers[VPNC_P11_MAX_PROVIDERS]; /* library paths; with 'pkcs11-id' alone the
	                                               * config reader puts p11-kit's proxy here */
	size_t n_pkcs11_providers;
	bool pkcs11_protected_auth[VPNC_P11_MAX_PROVIDERS]; /* 'pkcs11-protected-authentication' */
	unsigned pkcs11_private_mode[VPNC_P11_MAX_PROVIDERS]; /* 'pkcs11-private-mode' mask, 0 = auto */
	bool pkcs11_cert_private[VPNC_P11_MAX_PROVIDERS]; /* 'pkcs11-cert-private': log in to read it */
	int pkcs11_pin_cache;       /* 'pkcs11-pin-cache' seconds, -1 = until the token goes (default) */
	char *pkcs11_id;            /* 'pkcs11-id': pkcs11-helper's serialized certificate id, NULL = none */

	/* Control-channel wrapping. */
	enum vpnc_wrap_mode wrap;
	uint8_t wrap_key[VPNC_STATIC_KEY_LEN]; /* secret: tls-auth / tls-crypt key, or Kc for v2 */
	int key_direction;          /* -1 = none (bidirectional), 0 or 1 */
	uint8_t wkc[VPNC_MAX_WKC_LEN];         /* tls-crypt-v2 wrapped client key */
	size_t wkc_len;
	/* Static-key mode ('secret FILE [direction]'): no TLS, no pull (docs/static-key.md).
	 * The direction is key_direction. */
	bool secret;
	uint8_t secret_key[VPNC_STATIC_KEY_LEN]; /* secret: the pre-shared key */
	char secret_cipher[32];     /* 'cipher', else 2.6's default BF-CBC */
	char replay_persist[VPNC_LOG_PATH_MAX]; /* 'replay-persist FILE': the replay state kept across runs, "" = none */

	/* Data channel. */
	char data_ciphers[256];     /* colon list, default "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305" */
	char data_ciphers_fallback[32];
	enum vpnc_comp comp;        /* configured compression */
	enum vpnc_allow_comp allow_comp;
	bool comp_asked;            /* a compression option other than 'comp-lzo no' was given */
	char auth[32];              /* HMAC digest for tls-auth and CBC data, default "SHA1" */
	int replay_window;          /* data-channel replay window, 0..65536 ids; -1 = 64 */

	/* Authentication. */
	bool auth_user_pass;        /* the server wants a username and password */
	char *auth_user_pass_file;  /* NULL = inline or prompt */
	char *username;             /* from the file or inline block, else NULL */
	char *password;             /* secret */
	bool auth_user_pass_username_only; /* 'auth-user-pass username-only' (2.7): no password asked */
	/*
	 * 'auth-token' and 'auth-token-user' in the profile (docs/auth.md): a token
	 * sent instead of the credentials until the server rejects it. Both or
	 * neither (only the name is kept alone: it names a token pushed later).
	 */
	char *auth_token;           /* secret; NULL = none */
	char *auth_token_user;      /* decoded from base64; NULL = none */
	bool auth_nocache;
	enum vpnc_auth_retry auth_retry;
	/* 'static-challenge TEXT ECHO [FORMAT]': "" = none; the response is asked with the password. */
	char static_challenge[VPNC_STATIC_CHALLENGE_MAX];
	bool static_challenge_echo;
	bool static_challenge_concat; /* FORMAT 'concat': password and response joined, not SCRV1 */

	/* Peer info: what key-method 2 tells the server about the client beyond the defaults. */
	bool push_peer_info;        /* also send IV_HWADDR and IV_SSL, as 2.6 does */
	char peer_info_uv[VPNC_CFG_UV_MAX]; /* "UV_NAME=value\n" lines from setenv, sent as peer info */

	/* HTTP proxy (docs/proxy.md): set = TCP through CONNECT. */
	struct vpnc_http_proxy http_proxy;

	/* Timers (seconds) and renegotiation limits. 0 = not set / off unless stated. */
	int ping;
	int ping_restart;
	int ping_exit;              /* exit after this long without a packet from the server */
	int session_timeout;        /* exit this long after each connection attempt starts; 0 = off */
	int inactive;               /* exit after this long with too little tunnel traffic */
	long long inactive_bytes;   /* ... less than this many bytes (0: any packet counts) */
	int reneg_sec;              /* default 3600 for a client */
	int reneg_sec_min;          /* 'reneg-sec MAX MIN': -1 = not given */
	int hand_window;            /* default 60 */
	int tls_timeout;            /* default 2 */
	long long reneg_bytes;      /* renegotiate after this many data-channel bytes */
	long long reneg_pkts;       /* ... or packets */
	int tran_window;            /* seconds the previous key stays usable, default 3600 */
	int explicit_exit_notify;   /* configured count; 0 = not configured */

	/* Pulled options: what the client takes from the server. */
	bool route_nopull;
	bool route_noexec;
	bool ifconfig_noexec;
	/* pull-filter lines in file order; the first whose text starts the pushed option decides. */
	struct vpnc_pull_filter pull_filters[VPNC_MAX_PULL_FILTERS];
	size_t n_pull_filters;
	/* The profile's own route and DNS options (route, redirect-gateway, dhcp-option, dns, ...),
	 * checked as pushed ones are; every session's pushed options start from a copy. NULL = none. */
	struct vpnc_push *net;

	/* Scripts (run only with script_security >= 2) and DNS. "" = not set. */
	char up[VPNC_SCRIPT_CMD_MAX];
	char down[VPNC_SCRIPT_CMD_MAX];
	char route_up[VPNC_SCRIPT_CMD_MAX];
	char route_pre_down[VPNC_SCRIPT_CMD_MAX]; /* before the routes are removed at exit */
	char ipchange[VPNC_SCRIPT_CMD_MAX];       /* each new session with the server (commas as spaces) */
	char tls_verify[VPNC_SCRIPT_CMD_MAX];     /* each certificate of the server's chain (commas as spaces) */
	char tls_export_cert[VPNC_SCRIPT_CMD_MAX]; /* directory: each certificate as a file for tls-verify */
	/* 'plugin .../openvpn-plugin-down-root.so CMD': CMD run as root when the tunnel goes down,
	 * before 'down', with no appended arguments and whatever script-security says (a plugin). */
	char down_root[VPNC_SCRIPT_CMD_MAX];
	char script_safe_env[VPNC_CFG_UV_MAX]; /* "OPENVPN_NAME=value\n" lines from setenv-safe, for scripts */
	bool up_restart;            /* run 'up' again (with "restart") on a reconnect */
	int script_security;        /* 0..3, default 1 */
	enum vpnc_dns_mode dns_mode;

	/* The kill switch (src/os/killswitch.h, docs/killswitch.md). */
	bool kill_switch;           /* 'kill-switch': nothing leaves outside the tunnel, default no */
	bool kill_switch_lan;       /* 'kill-switch-allow-lan': ... except to the local networks */

	/* Logging (src/daemon/log.h). */
	int verb;                   /* default 1 */
	int mute;                   /* 0 = off */
	char log_path[VPNC_LOG_PATH_MAX];        /* 'log FILE' / 'log-append FILE', "" = stderr */
	bool log_append;                         /* 'log-append': append instead of truncating */
	bool syslog;                             /* 'syslog [name]' */
	char syslog_ident[VPNC_SYSLOG_NAME_MAX]; /* its name, "" = "vpnc" */

	/* Privileges (src/daemon/privdrop.h, docs/privileges.md).
	 * Names are resolved when the config is loaded, before any chroot. */
	char user[VPNC_PRIV_NAME_MAX];    /* 'user NAME', "" = do not change the uid */
	char group[VPNC_PRIV_NAME_MAX];   /* 'group NAME', "" = the user's primary group */
	uid_t uid;                        /* the user's id (valid when user is set) */
	gid_t user_gid;                   /* the user's primary group */
	gid_t gid;                        /* the group's id (valid when group is set) */
	char chroot_dir[VPNC_PRIV_NAME_MAX]; /* 'chroot DIR', absolute, "" = none */
	bool privsep;                     /* 'privsep yes': split at start (src/priv, docs/privileges.md) */

	/* Control socket (src/control/ctlsock.h, docs/control.md). */
	char control_socket[VPNC_CTL_SOCKET_MAX]; /* 'control-socket PATH', "" = /run/vpnc/INSTANCE.sock */
	bool control_group_set;           /* 'control-socket-group NAME': its members may read the status */
	gid_t control_gid;

	/* Flags that matter only for messages. */
	bool persist_tun;
	bool persist_key;
};

/*
 * Where the reader's notes go: options it accepted but does not act on, and
 * other non-fatal remarks. After a successful load fn is called once per note,
 * in file order, with one sentence such as "client.ovpn:7: option
 * 'persist-tun' ignored: vpnc keeps the tun device across reconnects anyway";
 * msg is valid only during the call. Notes about ignored options are passed
 * only when the final 'verb' is 4 or more; warnings that change what happens
 * (a configured compression vpnc will not do, a bad VPNC_COALESCE_US) from
 * verb 1.
 */
typedef void (*vpnc_config_note_fn)(void *ctx, const char *msg);
struct vpnc_config_notes {
	vpnc_config_note_fn fn;
	void *ctx;
};

/*
 * For a note function that keeps the notes (cfg_notebuf.c): appends msg and a
 * newline to text[*len..cap), or sets *lost when they do not fit.
 */
void vpnc_config_note_append(char *text, size_t cap, size_t *len, bool *lost, const char *msg);

/*
 * Reads the config file `path` (may be NULL) and then the command-line options in
 * argv[0..argc) ("--option arg ..." pairs, where `--config FILE` may also appear),
 * as OpenVPN does. The environment variables that alias options (VPNC_OFFLOAD,
 * VPNC_COALESCE_US) are applied first, so the file and argv win. Notes go to
 * `notes` (NULL drops them). On success returns 0 and sets *out (free it with
 * vpnc_config_free). On failure returns a negative errno-style code and writes one
 * sentence naming file, line and option into err (e.g.
 * "client.ovpn:12: option 'fragment' is not supported").
 */
int vpnc_config_load(const char *path, int argc, char **argv, const struct vpnc_config_notes *notes,
                     struct vpnc_config **out, char *err, size_t errlen);

/*
 * Parses config text held in memory (used by the fuzzer and tests); name is used in messages.
 * The environment is not read.
 */
int vpnc_config_parse_text(const char *name, const char *text, size_t len,
                           const struct vpnc_config_notes *notes, struct vpnc_config **out, char *err,
                           size_t errlen);

/*
 * `vpnc --inline-config FILE` (cfg_inline.c): reads the profile at path, as
 * the calling user, and returns it self-contained in *out (NUL-terminated,
 * *outlen bytes, at most 1 MiB): 'config' includes are expanded, 'cd' is
 * applied and dropped, and every file an option names (ca, cert, key,
 * tls-auth, auth-user-pass FILE, pkcs12, ...) is replaced by its inline
 * block, so the text can be loaded with --untrusted-config by a process that
 * cannot read those files. Comments and blank lines are left out. With
 * untrusted, every other option must be allowed in an untrusted profile
 * (messages name the original FILE:LINE). The caller wipes and frees *out.
 * Returns 0 or a negative errno with the sentence in err.
 */
int vpnc_config_inline(const char *path, bool untrusted, char **out, size_t *outlen, char *err,
                       size_t errlen);

/*
 * Whether vpnc decompresses what the server compresses, by OpenVPN 2.6's rule:
 * allow-compression asym or yes, or, without allow-compression, any
 * compression option other than 'comp-lzo no' in the profile. Otherwise
 * (allow-compression no, or no such option: 2.6's default) a server that
 * pushes real compression is refused.
 */
static inline bool vpnc_config_comp_allowed(const struct vpnc_config *cfg)
{
	return cfg->allow_comp == VPNC_ALLOW_COMP_ASYM || cfg->allow_comp == VPNC_ALLOW_COMP_YES ||
	       (cfg->allow_comp == VPNC_ALLOW_COMP_UNSET && cfg->comp_asked);
}

/* The SOCKS5 proxy that remote r is reached through, or NULL for a direct connection. */
static inline const struct vpnc_socks_proxy *vpnc_remote_socks(const struct vpnc_config *cfg,
                                                               const struct vpnc_remote *r)
{
	return r->socks > 0 && r->socks <= cfg->n_socks ? &cfg->socks[r->socks - 1] : NULL;
}

/* Frees the config and wipes its secrets. NULL is allowed. */
void vpnc_config_free(struct vpnc_config *cfg);

#endif
