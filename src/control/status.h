/*
 * status.h: what `vpnc status` shows, built from a snapshot the loop fills.
 *
 * The loop owns a struct vpnc_status_snap and keeps its slow-moving parts
 * (state, server, cipher, push) current at each state change; the counters
 * are copied in only when a status request arrives, so nothing here touches
 * the packet path. vpnc_status_json() and vpnc_status_text_fmt() format a
 * snapshot into a caller buffer; they allocate nothing and take "now" from
 * the caller, so tests can pin the clock.
 *
 * The expiry helpers read the two dates an eduVPN profile carries: the
 * client certificate's notAfter (from the PEM text in the config) and the
 * portal's "# Expires: <ISO 8601>" comment at the top of the config file.
 * Both are read once at start (before privileges are dropped).
 */
#ifndef VPNC_CONTROL_STATUS_H
#define VPNC_CONTROL_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vpnc/engine.h"
#include "vpnc/push.h"

/* Room for the largest status (every route and DNS item pushed), JSON or text. */
#define VPNC_STATUS_MAX 65536
/* An expiry closer than this (seconds) is warned about: 7 days. */
#define VPNC_STATUS_WARN_SECS (7 * 24 * 3600)
/* How much of the config file is searched for the "# Expires:" comment. */
#define VPNC_STATUS_HEADER_MAX 16384

enum vpnc_status_state {
	VPNC_STATUS_STARTING = 0, /* before the first attempt (resolving the remote) */
	VPNC_STATUS_CONNECTING,   /* an attempt is running (handshake, PUSH_REQUEST) */
	VPNC_STATUS_CONNECTED,    /* the tunnel is up */
	VPNC_STATUS_RECONNECTING, /* waiting before the next attempt */
	VPNC_STATUS_EXITING,      /* disconnecting on request */
};

/* The daemon's data path as it runs (tunio.h, core/coalesce.h). */
struct vpnc_status_datapath {
	int tun_offloads;              /* VPNC_TUN_OFF_* bits in effect; 0 = a plain TUN */
	uint32_t coalesce_us;          /* wakeup coalescing sleep; 0 = off */
	uint64_t coalesce_sleeps;      /* how often the loop slept to gather a batch */
	uint64_t tun_write_errors;     /* decrypted packets the TUN refused (dropped) */
	uint64_t tun_bad_frames;       /* TUN frames that could not be split (dropped) */
	uint64_t tun_dropped;          /* segments dropped for want of a send buffer */
};

/* The last network event the loop reacted to (docs/roaming.md) and what it did. */
enum vpnc_netev_kind {
	VPNC_NETEV_NONE = 0,
	VPNC_NETEV_SRC_CHANGED,   /* the source address of the path to the server changed */
	VPNC_NETEV_ROUTE_MOVED,   /* the route to the server moved (interface or gateway) */
	VPNC_NETEV_ROUTE_BACK,    /* a route to the server is back after an outage */
	VPNC_NETEV_ROUTE_GONE,    /* no route to the server (or only through the tunnel) */
	VPNC_NETEV_RESUMED,       /* the system resumed from sleep */
	VPNC_NETEV_NO_CARRIER,    /* the route to the server is through a device without carrier */
};
enum vpnc_netev_action {
	VPNC_NETACT_NONE = 0,
	VPNC_NETACT_WAITING,      /* for a route to the server */
	VPNC_NETACT_CARRIES_ON,   /* a TCP connection or a handshake goes on by itself */
	VPNC_NETACT_PROBING,      /* the session is kept; the probe waits for its answer */
	VPNC_NETACT_ANSWERED,     /* the probe was answered after answer_ms */
	VPNC_NETACT_RECONNECTING, /* the session could not follow (or the probe went unanswered) */
	VPNC_NETACT_RECONNECTED,  /* ... and a new session is up */
};
/* A fixed struct kept by the loop: nothing is formatted until status is asked. */
struct vpnc_status_netev {
	uint8_t kind;             /* enum vpnc_netev_kind */
	uint8_t action;           /* enum vpnc_netev_action */
	bool socket_moved;        /* the UDP socket now sends from the new address */
	bool probe_failed;        /* RECONNECTING/RECONNECTED because the probe went unanswered */
	char ifname[16];          /* the interface of the path to the server, "" if none */
	uint64_t at_ms;           /* the loop's clock at the event */
	int64_t at;               /* Unix seconds at the event */
	int64_t answer_ms;        /* ANSWERED: the probe's round trip */
};

/*
 * Every pointer is borrowed and may be NULL (shown as unknown); strings must
 * stay valid while the snapshot is formatted. Times are Unix seconds, 0 when
 * unknown.
 */
struct vpnc_status_snap {
	enum vpnc_status_state state;
	const char *instance;
	const char *config_path;
	const char *last_error;        /* why the last session ended, if it did */
	long pid;

	/* The server of the current attempt. */
	const char *host;              /* as configured */
	const char *address;           /* the address in use, numeric */
	const char *port;
	const char *proto;             /* "udp", "tcp", ... */

	/* Crypto. */
	const char *cipher;            /* data channel, e.g. "AES-256-GCM" */
	const char *tls_version;       /* e.g. "TLSv1.3" */
	const char *tls_cipher;        /* e.g. "TLS_AES_256_GCM_SHA384" */

	/* The tunnel: the device and what the server pushed (routes, DNS). */
	const char *dev;
	const struct vpnc_push *push;
	bool dns_failed;               /* the pushed DNS could not be applied */
	const char *dns_why;           /* dns_failed: why ("file: Read-only file system"), or NULL */
	const char *dns_backend;       /* "resolved", "resolvconf", "file", "none"; NULL = no push yet */
	const char *dns_scope;         /* "full-tunnel", "domains", "shared", "first" (docs/control.md); NULL = none */

	/* The last network event and what vpnc did (kind NONE: none this run). */
	struct vpnc_status_netev netev;

	/* Counters of the current session; NULL = none yet. */
	const struct vpnc_stats *stats;
	/* The data path; NULL = no TUN device yet. */
	const struct vpnc_status_datapath *datapath;

	/* The kill switch (docs/killswitch.md): its rules are installed; and for the local networks. */
	bool kill_switch;
	bool kill_switch_lan;

	/* How long ago the last packet came from / went to the server (ms); -1 = none this session. */
	int64_t last_recv_ms_ago;
	int64_t last_sent_ms_ago;
	unsigned attempt;              /* attempts since the last connect (1 = the first); 0 = none */
	unsigned reconnects;           /* sessions set up after the first one */

	int64_t connected_since;
	int64_t cert_not_after;
	int64_t profile_expires;       /* the eduVPN "# Expires:" header */

	/* A question waiting for `vpnc answer` (daemon/prompt.h; docs/prompts.md); id 0 = none. */
	unsigned prompt_id;
	const char *prompt_kind;       /* "username", "password", "challenge", ... */
	const char *prompt_text;
	bool prompt_echo;
	const char *prompt_info;       /* an informational item (e.g. a sign-in URL); NULL = none */
};

/* Names of the event and the action in JSON: "source-address-changed", "probe-answered", ... */
const char *vpnc_status_netev_kind_name(unsigned kind);
const char *vpnc_status_netev_action_name(unsigned action);
/*
 * "12 s ago: source address changed on eth0; socket moved, probe answered in
 * 110 ms"; "" when there was no event. Never fails, cuts at cap.
 */
void vpnc_status_netev_text(const struct vpnc_status_netev *e, int64_t now, char *out, size_t cap);

/*
 * Formats the snapshot as one JSON object (no trailing newline) into out.
 * Returns its length, or -ENOSPC if cap is too small (out is then a
 * truncated, NUL-terminated prefix). Strings are escaped; invalid UTF-8
 * becomes U+FFFD.
 */
int vpnc_status_json(const struct vpnc_status_snap *s, int64_t now, char *out, size_t cap);

/*
 * The same as lines for people (control characters replaced by '?'), with
 * human units (KiB/MiB/GiB, "3 minutes ago") unless flags has
 * VPNC_STATUS_RAW (exact bytes and milliseconds, as --json has them).
 */
#define VPNC_STATUS_RAW 0x1u
int vpnc_status_text_fmt(const struct vpnc_status_snap *s, int64_t now, unsigned flags, char *out,
                         size_t cap);
/* "1.50 MiB" (IEC units, two decimals) or "512 B"; never fails, cuts at cap. */
void vpnc_status_bytes(uint64_t n, char *out, size_t cap);
/* "2 seconds", "3 minutes, 5 seconds", "1 hour, 2 minutes", "4 days, 1 hour". */
void vpnc_status_ago(int64_t secs, char *out, size_t cap);

/*
 * Parses an ISO 8601 date and time: "YYYY-MM-DDTHH:MM:SS" ('T' or one space),
 * optional fraction, then "Z", "+HH:MM", "-HH:MM", "+HHMM" or nothing (UTC).
 * Trailing spaces are allowed. Returns 0 and sets *out (Unix seconds), or
 * -EINVAL.
 */
int vpnc_status_parse_time(const char *s, size_t len, int64_t *out);

/*
 * Finds the "# Expires: <ISO 8601>" comment in config text (a line starting
 * with '#' or ';', the key case-insensitive, as eduVPN's portal writes it in
 * the first lines). Only the first VPNC_STATUS_HEADER_MAX bytes are read.
 * Returns 0 and sets *out, -ENOENT when there is none, -EINVAL when the date
 * is malformed.
 */
int vpnc_status_find_expires(const char *text, size_t len, int64_t *out);

/* vpnc_status_find_expires() on the first bytes of a file. Also -errno from open/read. */
int vpnc_status_profile_expires(const char *path, int64_t *out);

/* The notAfter of the first certificate in PEM text. Returns 0, or -EINVAL. */
int vpnc_status_cert_not_after(const char *pem, int64_t *out);

/* 0 = no warning (unknown or far away), 1 = expires within VPNC_STATUS_WARN_SECS, 2 = expired. */
int vpnc_status_expiry_level(int64_t expires, int64_t now);

#endif
