/*
 * cfg_internal.h: shared state of the config reader while it parses.
 *
 * One struct vpnc_cfg_ctx lives for one vpnc_config_load() or
 * vpnc_config_parse_text() call. It owns everything that is only needed while
 * reading: where we are (file, line), deferred file references (read at the
 * end, relative to the final 'cd' directory, as OpenVPN reads them after option
 * parsing), flags that later checks need, and the collected notes. The ctx is
 * released with vpnc_cfg_ctx_release(), which wipes any key text it still holds.
 */
#ifndef VPNC_CFG_INTERNAL_H
#define VPNC_CFG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/lex.h"
#include "os/fsowner.h"
#include "vpnc/config.h"

#define VPNC_CFG_MAX_PARAMS VPNC_LEX_MAX_WORDS /* words on one line, name included */
#define VPNC_CFG_PARAM_MAX VPNC_LEX_WORD_MAX   /* bytes in one word */
#define VPNC_CFG_MAX_FILE (1024 * 1024) /* largest config or key file we read */
#define VPNC_CFG_MAX_DEPTH 10         /* nested 'config' includes (OpenVPN's limit) */
#define VPNC_CFG_MAX_NOTES 256
#define VPNC_CFG_MAX_IGNORE 32        /* names given to ignore-unknown-option */
#define VPNC_CFG_USER_PASS_MAX 4096   /* one line of an auth-user-pass file */
#define VPNC_CFG_NOTE_VERB 4          /* verb at which ignored-option notes are shown */

/* A key or certificate source: inline text, or a path read at the end. */
struct vpnc_cfg_src {
	bool set;
	char *text;      /* inline block text (owned, wiped on release) */
	size_t text_len;
	char *path;      /* file name as written (owned) */
	char *where;     /* config name for messages (owned) */
	int line;
	const char *opt; /* option name for messages (static string) */
	int dir;         /* tls-auth direction argument, -1 if none */
};

struct vpnc_cfg_note {
	int verb;        /* shown when the final verb is at least this */
	char *msg;
};

struct vpnc_cfg_ctx {
	struct vpnc_config *cfg;

	/* Position, for messages. line 0 means the command line. */
	const char *where;
	int line;
	int depth;
	bool is_inline;       /* the option being applied came from a <block> */
	bool in_connection;   /* inside a <connection> block */
	bool ignore_unknown;  /* 'setenv opt': this option may be unknown */
	bool untrusted;       /* --untrusted-config: options from files are checked (cfg_options.c) */
	/* The top-level profile's owner: the files it names are read with that user's rights. */
	struct vpnc_fsowner owner;
	bool owner_known;

	char *err;
	size_t errlen;

	char *cd;             /* directory from 'cd', NULL = process cwd (owned) */

	struct vpnc_cfg_src ca, cert, key, extra_certs;
	struct vpnc_cfg_src tls_auth, tls_crypt, tls_crypt_v2;
	struct vpnc_cfg_src secret;  /* 'secret' (static-key mode) */
	struct vpnc_cfg_src user_pass;
	struct vpnc_cfg_src proxy_user_pass; /* http-proxy's authfile or <http-proxy-user-pass> */
	int proxy_opt_line;   /* first http-proxy-option/-user-pass line (-1: command line), 0 = none */
	char *capath;         /* 'capath DIR' as given (owned), read by vpnc_cfg_finish_capath() */
	unsigned compat;      /* 'compat-mode X.Y.Z' as X*10000+Y*100+Z (2.6's form); 0 = none */
	bool proxy_override;  /* 'http-proxy-override HOST PORT [nct]', applied by vpnc_cfg_finish_proxy() */
	bool proxy_override_nct;
	char proxy_override_host[256];
	char proxy_override_port[8];
	bool proxy_in_conn;   /* an http-proxy option was seen inside a <connection> block */
	struct vpnc_cfg_src socks_auth[VPNC_MAX_SOCKS]; /* socks-proxy authfiles (cfg_opt_socks.c) */
	unsigned socks_global;      /* the last socks-proxy outside <connection> (1 + index), 0 = none */
	struct vpnc_cfg_src pkcs12, askpass, crl; /* cfg_opt_tls.c */
	bool crl_is_dir;      /* 'crl-verify DIR dir' */

	/* Per-remote facts resolved at the end. */
	bool remote_port_set[VPNC_MAX_REMOTES];
	bool remote_proto_set[VPNC_MAX_REMOTES];
	bool remote_socks_set[VPNC_MAX_REMOTES]; /* its <connection> block named a socks-proxy */

	/* <connection> block state. */
	size_t conn_first_remote;
	bool conn_proto_set, conn_port_set;
	unsigned conn_socks;        /* socks-proxy inside the block (1 + index), 0 = none */
	enum vpnc_transport conn_transport;
	int conn_family;
	char conn_port[8];
	bool conn_fragment_set;
	int conn_fragment;
	bool conn_fragment_mtu;
	int conn_fragment_line;

	/* 'fragment': the line of the one outside blocks, and each remote's own from its block. */
	int fragment_line;
	bool remote_fragment_set[VPNC_MAX_REMOTES];
	int remote_fragment_line[VPNC_MAX_REMOTES];

	enum { VPNC_CFG_DEV_UNSET, VPNC_CFG_DEV_TUN, VPNC_CFG_DEV_TAP } dev_type; /* 'dev-type' */
	int file_dev_type;          /* the same, given in a file (not on the command line) */
	bool file_dev_tap;          /* a file's last 'dev' names a tap device */
	bool file_dev_tun;          /* a file's last 'dev' names a tun device */
	bool data_ciphers_set, fallback_set, ping_set, ping_restart_set;
	bool mgmt;                  /* 'management' was given */
	int proto_force;            /* 'proto-force': enum vpnc_transport + 1; 0 = none */
	int mgmt_modifier_line;     /* first management-* option's line (-1: command line), 0 = none */
	int keepalive_ping, keepalive_timeout;
	char cipher[32];
	bool key_direction_set;

	char *ignore[VPNC_CFG_MAX_IGNORE]; /* owned */
	size_t n_ignore;

	struct vpnc_cfg_note notes[VPNC_CFG_MAX_NOTES];
	size_t n_notes;
	const struct vpnc_config_notes *note_to; /* where notes go at the end, NULL = dropped */
};

/* cfg_options.c: applies one option; p[0] is the name, n counts p[0]. */
int vpnc_cfg_apply(struct vpnc_cfg_ctx *ctx, char **p, int n);
bool vpnc_cfg_inline_ok(const char *name);

/*
 * What an option may do when it comes from a profile read with
 * --untrusted-config (docs/networkmanager.md). Every supported or ignored
 * option in the table has one; UT_OK options are allowed, the others are
 * refused with the reason the value stands for.
 */
enum vpnc_cfg_trust {
	UT_OK = 0,
	UT_RUN,     /* runs a program */
	UT_LEVEL,   /* script-security: above 1 lets scripts run */
	UT_WRITE,   /* writes a file */
	UT_SOCKET,  /* creates a socket */
	UT_READ,    /* reads the file it names (allowed as an inline block, or without a file) */
	UT_INCLUDE, /* reads another config file */
	UT_DIR,     /* changes where relative names point */
	UT_ID,      /* changes the user, group or root directory */
	UT_FIREWALL, /* changes the host's firewall, which outlives a vpnc that is killed */
	UT_LOAD,    /* loads a library into vpnc (pkcs11-providers) */
	UT_MARK,    /* marks packets that the host's routing rules and firewall may trust (mark) */
};
/* The option's enum vpnc_cfg_trust (UT_OK for unknown names). */
int vpnc_cfg_trust(const char *name);
/* 0, or fails with "option 'x': not allowed in an untrusted profile (it would ...)". */
int vpnc_cfg_untrusted_check(struct vpnc_cfg_ctx *ctx, char **p, int n);
/*
 * Calls fn once per entry of the option table, in table order, with the name
 * (a prefix entry such as "pkcs11-" matches every option starting with it),
 * the set (0 supported, 1 accepted and ignored, 2 refused) and, for ignored
 * options, the note (else NULL). Stops at the first non-zero return of fn
 * and returns it; returns 0 after the last entry. Used by the documentation
 * test (tests/unit/test_options_doc.c).
 */
int vpnc_cfg_option_foreach(int (*fn)(void *ctx, const char *name, int set, const char *note),
                            void *ctx);

/* config.c: messages. Both return `code` (negative). */
int vpnc_cfg_fail(struct vpnc_cfg_ctx *ctx, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vpnc_cfg_bad(struct vpnc_cfg_ctx *ctx, const char *opt, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vpnc_cfg_note(struct vpnc_cfg_ctx *ctx, int verb, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vpnc_cfg_sanitize(char *dst, size_t dstlen, const char *src);

/* config.c: the end of the line starting at off (a '\r' before the newline
 * excluded); *next is set past the newline. */
size_t vpnc_cfg_line_end(const char *text, size_t len, size_t off, size_t *next);
/* cfg_opt_tls.c: loads the OpenSSL providers a file's 'providers' lines name, before its lines are applied. */
void vpnc_cfg_providers_prescan(struct vpnc_cfg_ctx *ctx, const char *text, size_t len);
/* cfg_opt_tls.c: reads the 'capath' directory into the config (owner's rights), once the profile is read. */
int vpnc_cfg_finish_capath(struct vpnc_cfg_ctx *ctx);
/* config.c: reads more config text (a 'config' include or a <connection> block). */
int vpnc_cfg_read_text(struct vpnc_cfg_ctx *ctx, const char *name, const char *text, size_t len,
                       int first_line);
int vpnc_cfg_include(struct vpnc_cfg_ctx *ctx, const char *path);
/*
 * The path 'config FILE' names (*full, malloc'd), refused past
 * VPNC_CFG_MAX_DEPTH; 0, or the negative code of the message it gave.
 * cfg_inline.c shares it.
 */
int vpnc_cfg_include_resolve(struct vpnc_cfg_ctx *ctx, const char *path, char **full);

/* cfg_file.c: bounded file reading and path resolution. */
int vpnc_cfg_read_file(const char *path, char **out, size_t *outlen);
char *vpnc_cfg_resolve(const char *cd, const char *path);
/* Why vpnc_cfg_read_file() failed with err, in a few words. */
const char *vpnc_cfg_read_why(int err);
/*
 * The top-level profile file at path is known: from here on, until the
 * load ends, files are opened with its owner's rights (os/fsowner.h), and
 * the config records the owner for the log file and the control socket.
 * Once per load; 0 or the negative code of the message it gave.
 */
int vpnc_cfg_owner_enter(struct vpnc_cfg_ctx *ctx, const char *path);
/* "OPT: cannot read 'PATH': why" (PATH sanitized); returns its negative code. */
int vpnc_cfg_unreadable(struct vpnc_cfg_ctx *ctx, const char *opt, const char *path, int err);
/*
 * cfg_profile.c: the file a top-level profile name means: PATH itself, or
 * PATH.conf or PATH.ovpn when PATH has neither suffix and does not exist.
 * *out is malloc'd; -EEXIST when both PATH.conf and PATH.ovpn exist.
 */
int vpnc_cfg_profile_path(const char *path, char **out);
int vpnc_cfg_src_set(struct vpnc_cfg_ctx *ctx, struct vpnc_cfg_src *s, const char *opt,
                     const char *arg);
void vpnc_cfg_src_clear(struct vpnc_cfg_src *s);
int vpnc_cfg_src_load(struct vpnc_cfg_ctx *ctx, struct vpnc_cfg_src *s);

/* cfg_keyfile.c: the value of one hex digit, either case, or -1. */
int vpnc_cfg_hex_digit(char c);
/* cfg_keyfile.c: key text decoding. Return 0 or -EBADMSG with *why set. */
int vpnc_cfg_static_key_decode(const char *text, size_t len, uint8_t out[VPNC_STATIC_KEY_LEN],
                               const char **why);
int vpnc_cfg_tls_crypt_v2_decode(const char *text, size_t len, uint8_t kc[VPNC_STATIC_KEY_LEN],
                                 uint8_t *wkc, size_t *wkc_len, const char **why);

/* cfg_finish.c: loads deferred files and checks the whole config. */
int vpnc_cfg_finish(struct vpnc_cfg_ctx *ctx);
/* cfg_opt_tls.c: loads pkcs12, askpass and crl-verify into the config. */
int vpnc_cfg_finish_tls(struct vpnc_cfg_ctx *ctx);

/* cfg_env.c: applies the environment variables that alias options (before the profile). */
void vpnc_cfg_env(struct vpnc_cfg_ctx *ctx);

/* cfg_opt_proxy.c: checks the http-proxy options against the remotes and loads the credentials. */
int vpnc_cfg_finish_proxy(struct vpnc_cfg_ctx *ctx);
/* cfg_finish.c: "user\npass" text of s into *user and *pass (malloc'd; pass may stay NULL). */
int vpnc_cfg_split_user_pass(struct vpnc_cfg_ctx *ctx, struct vpnc_cfg_src *s, size_t max,
                             char **user, char **pass);

/* cfg_defaults.c: OpenVPN 2.6 client defaults; context setup and release. */
void vpnc_cfg_defaults(struct vpnc_config *cfg);
void vpnc_cfg_ctx_release(struct vpnc_cfg_ctx *ctx);

/* cfg_opt_*.c: option handlers, all `int fn(struct vpnc_cfg_ctx *, char **p, int n)`. */
typedef int (*vpnc_cfg_handler)(struct vpnc_cfg_ctx *ctx, char **p, int n);
int vpnc_cfg_parse_int(const char *s, long min, long max, int *out);

/* A port's text as the config keeps it: "65535" and the NUL. */
#define VPNC_CFG_PORT_LEN 8
/* cfg_opt_conn.c: a port word (decimal 1..65535, no sign) in canonical form into out; 0 or -EINVAL. */
int vpnc_cfg_port(const char *s, char out[VPNC_CFG_PORT_LEN]);
/*
 * cfg_opt_conn.c: a host name or address as a remote or a proxy gives it: 1 to cap - 1
 * characters, printable ASCII without a space (it goes into a request line or a log line).
 */
bool vpnc_cfg_host_ok(const char *h, size_t cap);

#endif
