/*
 * privmsg.h: the messages between vpnc's privileged parent and its
 * unprivileged network child (docs/privileges.md, "Privilege separation").
 *
 * One SOCK_SEQPACKET socketpair carries them, one message per send. Every
 * message is a struct vpnc_priv_hdr followed by the fixed body of its type;
 * every field is fixed-width in the host's byte order (both ends are the
 * same binary), and the layouts below are checked by _Static_assert so no
 * compiler padding sneaks in. vpnc_priv_check() is the one validation both
 * sides run on every message they receive (and the child on what it sends):
 * known type, exact length, reserved bytes zero, flags 0 or 1, counts within
 * their arrays, unused slots zero, and every value in the range the push
 * parser (core/push.c) allows. The parent never sees a byte of peer text:
 * vpnc_priv_net_to_push() turns a checked NET_APPLY into a struct vpnc_push
 * holding only those network fields.
 *
 * Sans-I/O: nothing here sends, receives or logs. Functions return 0 or a
 * negative errno code (-EBADMSG for a message that fails a check).
 */
#ifndef VPNC_PRIV_PRIVMSG_H
#define VPNC_PRIV_PRIVMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net/if.h>

#include "core/tls.h" /* struct vpnc_tls_cert_info's field sizes */
#include "vpnc/push.h"

/* Message types. Requests go child -> parent, replies parent -> child. */
enum vpnc_priv_type {
	VPNC_PRIV_TUN_OPEN = 1,  /* child: open (or return) the profile's TUN; no body */
	VPNC_PRIV_NET_APPLY,     /* child: apply this network configuration */
	VPNC_PRIV_NET_UNAPPLY,   /* child: remove what was applied; no body */
	VPNC_PRIV_REPIN,         /* child: roaming, move the host route to the server; no body */
	VPNC_PRIV_RESOLVE,       /* child: resolve configured remote number N (or its proxy) */
	VPNC_PRIV_DOWN,          /* child: revert everything, run 'down' */
	VPNC_PRIV_SIGN,          /* child: a private-key operation by the PKCS#11 token the parent holds */
	VPNC_PRIV_ASK,           /* child: ask this question on the terminal (or systemd-ask-password) too */
	VPNC_PRIV_ASK_DONE,      /* child: that question is answered or withdrawn */
	VPNC_PRIV_RELAY,         /* child: remote N's SOCKS proxy named this UDP relay */
	VPNC_PRIV_NET_GATEWAY,   /* child: route-gateway dhcp learned this gateway; add what waited for it */
	VPNC_PRIV_VERIFY,        /* child: run tls-verify for this certificate of the server's chain */
	VPNC_PRIV_MARK,          /* child: put the profile's 'mark' on this link socket (SCM_RIGHTS); no body */
	VPNC_PRIV_RESULT = 0x81, /* parent: the outcome of a request */
	VPNC_PRIV_TUN,           /* parent: the TUN's name and index; the fd rides along (SCM_RIGHTS) */
	VPNC_PRIV_ADDRS,         /* parent: the addresses of a remote */
	VPNC_PRIV_SIGNATURE,     /* parent: the token's answer to SIGN */
};

struct vpnc_priv_hdr {
	uint16_t type;           /* enum vpnc_priv_type */
	uint16_t zero;           /* reserved, 0 */
	uint32_t len;            /* the whole message, header included */
};

/* ---- NET_APPLY: the network part of a push, and the server in use ---- */

struct vpnc_priv_route4 {
	uint32_t net;            /* host byte order, as in struct vpnc_route4 */
	uint32_t mask;
	uint32_t gw;
	int32_t metric;          /* -1 = none, else 0..INT32_MAX */
	uint8_t net_gateway;     /* 0/1 */
	uint8_t net_kind;        /* enum vpnc_route_net */
	uint8_t zero[2];
};

struct vpnc_priv_route6 {
	uint8_t net[16];
	uint8_t gw[16];
	int32_t metric;
	uint8_t bits;            /* 0..128 */
	uint8_t net_gateway;
	uint8_t zero[2];
};

#define VPNC_PRIV_DOMAIN_MAX 254 /* a name of up to 253 bytes and its NUL, as in struct vpnc_push */

/* One of OpenVPN 2.6's 'dns server N' entries (struct vpnc_dnsopt_server). */
struct vpnc_priv_dnsaddr {
	uint8_t family;          /* AF_INET or AF_INET6 */
	uint8_t zero;
	uint16_t port;           /* host byte order; 0 = the default */
	uint8_t addr[16];        /* network byte order; 4 bytes used for AF_INET, the rest zero */
};

struct vpnc_priv_dnsserver {
	int32_t priority;        /* -128..127; 0..127 when pushed */
	uint8_t pushed;          /* 0/1 */
	uint8_t n_addr;          /* 1..VPNC_DNSOPT_ADDRS (2.6 refuses a server without one) */
	uint8_t n_domains;       /* <= VPNC_DNSOPT_DOMAINS */
	uint8_t dnssec;          /* enum vpnc_dnssec */
	uint8_t transport;       /* enum vpnc_dns_transport */
	uint8_t zero[3];
	struct vpnc_priv_dnsaddr addr[VPNC_DNSOPT_ADDRS];
	char domains[VPNC_DNSOPT_DOMAINS][VPNC_PRIV_DOMAIN_MAX]; /* resolve-domains */
	char sni[VPNC_DNSOPT_SNI_MAX];                          /* "" = none */
	uint8_t zero2[2];
};

struct vpnc_priv_net {
	uint8_t has_ifconfig;
	uint8_t topology;        /* enum vpnc_topology */
	uint8_t has_ifconfig6;
	uint8_t ifconfig6_bits;  /* 1..128 */
	uint32_t ifconfig_local;
	uint32_t ifconfig_mask_or_peer;
	uint8_t ifconfig6_local[16];
	uint8_t ifconfig6_remote[16];
	uint8_t has_route_gateway;
	uint8_t server_family;   /* 0, AF_INET or AF_INET6 */
	uint16_t server_port;    /* network byte order, as in a sockaddr */
	uint32_t route_gateway;
	uint32_t redirect_gateway; /* VPNC_RG_* bits only */
	int32_t tun_mtu;         /* 0 = not pushed, else 576..9000 */
	int32_t route_metric;    /* -1 = not pushed, else 0..INT32_MAX */
	uint16_t n_routes;
	uint16_t n_routes6;
	uint16_t n_dns4;
	uint16_t n_dns6;
	uint16_t n_domains;
	uint8_t route_gateway_dhcp; /* 0/1: routes without a gateway wait for NET_GATEWAY */
	uint8_t zero[1];
	uint8_t server[16];      /* 4 bytes used for AF_INET; the rest zero */
	struct vpnc_priv_route4 routes[VPNC_MAX_ROUTES];
	struct vpnc_priv_route6 routes6[VPNC_MAX_ROUTES];
	uint32_t dns4[VPNC_MAX_DNS];
	uint8_t dns6[VPNC_MAX_DNS][16];
	char domains[VPNC_MAX_DOMAINS][VPNC_PRIV_DOMAIN_MAX];
	uint8_t domain_kind[VPNC_MAX_DOMAINS]; /* enum vpnc_domain_kind, for the scripts */
	uint16_t n_route_domains;
	uint8_t zero2[6];
	char route_domains[VPNC_MAX_DOMAINS][VPNC_PRIV_DOMAIN_MAX]; /* DOMAIN-ROUTE; "." = all */
	uint8_t has_route6_gateway; /* route-ipv6-gateway, the IPv6 next hop on a TAP */
	uint8_t zero4[7];
	uint8_t route6_gateway[16];
	/* 2.6's --dns: servers and search domains (they replace dhcp-option's for DNS and scripts). */
	uint16_t n_dns_servers;  /* <= VPNC_DNSOPT_SERVERS */
	uint16_t n_dns_search;   /* <= VPNC_DNSOPT_DOMAINS */
	uint8_t zero3[4];
	struct vpnc_priv_dnsserver dns_servers[VPNC_DNSOPT_SERVERS];
	char dns_search[VPNC_DNSOPT_DOMAINS][VPNC_PRIV_DOMAIN_MAX];
};

struct vpnc_priv_msg_net {
	struct vpnc_priv_hdr h;
	struct vpnc_priv_net net;
};

/* ---- the small ones ---- */

/*
 * RESOLVE: which remote of the parent's own profile, and what of it. The
 * parent takes the names from its own copy of the profile; the child names
 * only the index.
 */
enum vpnc_priv_resolve_what {
	VPNC_PRIV_RESOLVE_CONNECT = 0,  /* what vpnc connects to: the remote, or its HTTP or SOCKS proxy */
	VPNC_PRIV_RESOLVE_SOCKS_SERVER, /* the remote itself, for the SOCKS UDP header (proto udp through
	                                 * a SOCKS proxy only): nothing connects to it, so the parent
	                                 * neither remembers it nor lets it through the kill switch */
};
struct vpnc_priv_msg_resolve {
	struct vpnc_priv_hdr h;
	uint32_t remote;         /* index into the profile's remotes, < VPNC_PRIV_MAX_REMOTES */
	uint32_t what;           /* enum vpnc_priv_resolve_what */
};
#define VPNC_PRIV_MAX_REMOTES 64

/* NET_GATEWAY: the router of a DHCP ACK on the TAP (core/dhcp.h), host order, unicast, not loopback. */
struct vpnc_priv_msg_gateway {
	struct vpnc_priv_hdr h;
	uint32_t gateway;
};

/* DOWN: why the child is going down; picks the 'down' script's signal. */
enum vpnc_priv_down_why {
	VPNC_PRIV_DOWN_SIGTERM = 0,
	VPNC_PRIV_DOWN_SIGINT,
	VPNC_PRIV_DOWN_SIGHUP,
	VPNC_PRIV_DOWN_FATAL,
};
struct vpnc_priv_msg_down {
	struct vpnc_priv_hdr h;
	uint32_t why;            /* enum vpnc_priv_down_why */
};

/*
 * RESULT: err is 0 or a negative errno code; mtu only for NET_APPLY; n_failed:
 * items refused (NET_APPLY) or deletions that failed (NET_UNAPPLY, DOWN). A
 * failed TUN_OPEN is answered by a RESULT with err < 0.
 */
/* What became of the DNS part of a NET_APPLY (for `vpnc status`; the scopes are status.h's). */
enum vpnc_priv_dns_state {
	VPNC_PRIV_DNS_NONE = 0,      /* nothing applied (none pushed, dns-mode none, left to 'up') */
	VPNC_PRIV_DNS_FAILED,
	VPNC_PRIV_DNS_FULL_TUNNEL,
	VPNC_PRIV_DNS_FIRST,
	VPNC_PRIV_DNS_DOMAINS,
	VPNC_PRIV_DNS_SHARED,
};

#define VPNC_PRIV_DNS_WHY_MAX 64 /* as VPNC_DNS_WHY_MAX */
struct vpnc_priv_msg_result {
	struct vpnc_priv_hdr h;
	uint16_t request;        /* the request type this answers */
	uint8_t dns;             /* NET_APPLY: enum vpnc_priv_dns_state; else 0 */
	uint8_t dns_mode;        /* NET_APPLY: the backend in use (enum vpnc_dns_mode); else 0 */
	int32_t err;             /* 0 or -1..-4095 */
	int32_t mtu;             /* 0, or 68..65535: the MTU set on the TUN */
	uint32_t n_failed;       /* items the kernel refused, <= VPNC_PRIV_MAX_ITEMS */
	/* NET_APPLY with dns FAILED: why, "<backend>: <reason>" (os/dns.h's vpnc_dns_why), printable
	 * ASCII, NUL-terminated and NUL-padded; else all zero. */
	char dns_why[VPNC_PRIV_DNS_WHY_MAX];
};
#define VPNC_PRIV_MAX_ITEMS (2 * VPNC_MAX_ROUTES + 16) /* as VPNC_NETCFG_MAX_ITEMS */

/* TUN: the device; the fd is in the same message's SCM_RIGHTS. */
struct vpnc_priv_msg_tun {
	struct vpnc_priv_hdr h;
	char name[IFNAMSIZ];     /* NUL-terminated, NUL-padded, a valid interface name */
	int32_t ifindex;         /* > 0 */
	uint32_t offloads;       /* VPNC_TUN_OFF_* bits the device was opened with (os/tun_offload.h) */
};

/* ADDRS: the addresses of one remote, in resolver order. */
#define VPNC_PRIV_MAX_ADDRS 16
struct vpnc_priv_addr {
	uint8_t family;          /* AF_INET or AF_INET6 */
	uint8_t zero;
	uint16_t port;           /* network byte order, > 0 */
	uint8_t addr[16];        /* 4 bytes used for AF_INET; the rest zero */
};
struct vpnc_priv_msg_addrs {
	struct vpnc_priv_hdr h;
	uint32_t remote;         /* the index asked for */
	int32_t err;             /* 0, or a negative errno code when n is 0 */
	uint32_t n;              /* <= VPNC_PRIV_MAX_ADDRS; unused slots zero */
	uint32_t what;           /* what was asked for (enum vpnc_priv_resolve_what); a SOCKS_SERVER
	                          * address may also be ::1 (the proxy's own host) */
	struct vpnc_priv_addr addrs[VPNC_PRIV_MAX_ADDRS];
};

/*
 * RELAY: the UDP relay the SOCKS proxy of remote N named in its reply to
 * UDP ASSOCIATE, where the network process will send its datagrams. With
 * 'kill-switch' the parent lets it through its rules in place of the
 * previous one (one relay at a time); the remote must go through a SOCKS
 * proxy with proto udp in the parent's own profile. Answered by a RESULT
 * (err < 0: the relay is not let through).
 */
struct vpnc_priv_msg_relay {
	struct vpnc_priv_hdr h;
	uint32_t remote;         /* index into the profile's remotes, < VPNC_PRIV_MAX_REMOTES */
	struct vpnc_priv_addr relay; /* unicast, port > 0 */
};

/*
 * SIGN: with 'pkcs11-id' under privsep the parent keeps the token and the
 * network process's TLS asks it for each private-key operation
 * (docs/pkcs11.md). RSA_PKCS1: data is what PKCS#1 v1.5 pads and signs (a
 * DigestInfo, or TLS 1.2's MD5+SHA1), at most 64 bytes shorter than the
 * key; RSA_RAW: a block already padded (RSA-PSS in TLS 1.3), as long as the
 * modulus; ECDSA: a digest of at most 64 bytes. Unused bytes are zero.
 */
enum vpnc_priv_sign_op {
	VPNC_PRIV_SIGN_RSA_PKCS1 = 1,
	VPNC_PRIV_SIGN_RSA_RAW,
	VPNC_PRIV_SIGN_ECDSA,
};
#define VPNC_PRIV_SIGN_MAX 1024  /* an RSA modulus of up to 8192 bits */
#define VPNC_PRIV_DIGEST_MAX 64  /* SHA-512 */
struct vpnc_priv_msg_sign {
	struct vpnc_priv_hdr h;
	uint32_t op;             /* enum vpnc_priv_sign_op */
	uint32_t len;            /* 1..VPNC_PRIV_SIGN_MAX (ECDSA: ..VPNC_PRIV_DIGEST_MAX) */
	uint8_t data[VPNC_PRIV_SIGN_MAX];
};

/* SIGNATURE: err 0 and the signature (RSA: the modulus's length; ECDSA: DER), or err < 0 and len 0. */
struct vpnc_priv_msg_signature {
	struct vpnc_priv_hdr h;
	int32_t err;             /* 0 or -1..-4095 */
	uint32_t len;            /* <= VPNC_PRIV_SIGN_MAX; unused bytes zero */
	uint8_t sig[VPNC_PRIV_SIGN_MAX];
};

/*
 * ASK: the network process has no terminal and may not start a helper, so
 * the parent asks its question on the terminal or through
 * systemd-ask-password (daemon/privask.c) and hands the answer back through
 * the control socket ("answer ID TEXT"). The text is printable ASCII only
 * (0x20..0x7e), NUL-terminated and NUL-padded: what the terminal shows
 * carries no control sequence, whoever wrote it. Answered at once by a
 * RESULT (err -ENXIO: the parent has neither front end), not when the user
 * answers. ASK_DONE: the question id is answered or withdrawn; the parent
 * stops asking it. Answered by a RESULT with err 0.
 */
#define VPNC_PRIV_ASK_TEXT 320   /* VPNC_PROMPT_TEXT_MAX (daemon/prompt.h) */
#define VPNC_PRIV_ASK_KINDS 5    /* VPNC_PROMPT__COUNT: username, password, key-passphrase, pin, challenge */
struct vpnc_priv_msg_ask {
	struct vpnc_priv_hdr h;
	uint32_t id;             /* > 0: the network process's question id (what `vpnc answer` names) */
	uint8_t kind;            /* < VPNC_PRIV_ASK_KINDS (enum vpnc_prompt_kind) */
	uint8_t echo;            /* 0/1 */
	uint8_t zero[2];
	char text[VPNC_PRIV_ASK_TEXT];
};
struct vpnc_priv_msg_ask_done {
	struct vpnc_priv_hdr h;
	uint32_t id;             /* > 0 */
};

/* The empty requests (TUN_OPEN, NET_UNAPPLY, REPIN, MARK) are a bare header. */

/*
 * MARK: 'mark N' under privsep. SO_MARK needs CAP_NET_ADMIN, which the
 * network process does not have; it sends the link socket it just opened
 * (before bind and connect) along with this header, and the parent sets
 * the mark of its own profile on it (the child names no value) if the
 * descriptor is an AF_INET or AF_INET6 UDP or TCP socket, then closes its
 * copy. Answered by a RESULT: err 0, or why the mark is not set.
 */

/*
 * VERIFY: 'tls-verify' under privsep. The network process holds the TLS
 * session and extracts, for each certificate of the chain (deepest first),
 * what 2.6 gives the script (core/tls.h, struct vpnc_tls_cert_info); the
 * parent runs the script with those values and answers with a RESULT: err 0
 * accepts the certificate, -EPERM rejects it. The network process waits for
 * the answer inside the handshake (2.6 waits too). Strings: printable ASCII,
 * NUL-terminated and NUL-padded; serial decimal digits (a leading '-'
 * allowed); the hex fields "xx:xx..." in lowercase; the X509_N_* lines
 * as described in core/tls.h.
 */
#define VPNC_PRIV_VERIFY_DEPTH 16 /* OpenVPN's MAX_CERT_DEPTH */
struct vpnc_priv_msg_verify {
	struct vpnc_priv_hdr h;
	uint32_t depth;          /* < VPNC_PRIV_VERIFY_DEPTH */
	char subject[VPNC_TLS_CI_SUBJECT];
	char serial[VPNC_TLS_CI_SERIAL];
	char serial_hex[VPNC_TLS_CI_HEX];
	char sha1[VPNC_TLS_CI_SHA1];
	char sha256[VPNC_TLS_CI_SHA256];
	char x509[VPNC_TLS_CI_X509]; /* "NAME=value\n" lines: NAME [A-Za-z0-9_] 1..48, value printable; may be empty */
	char pem[VPNC_TLS_CI_PEM];   /* tls-export-cert: one PEM CERTIFICATE block, else empty */
};

/* The largest message; receive buffers are this size plus one, so a longer one shows up. */
union vpnc_priv_msg {
	struct vpnc_priv_hdr h;
	struct vpnc_priv_msg_net net;
	struct vpnc_priv_msg_resolve resolve;
	struct vpnc_priv_msg_down down;
	struct vpnc_priv_msg_result result;
	struct vpnc_priv_msg_tun tun;
	struct vpnc_priv_msg_addrs addrs;
	struct vpnc_priv_msg_sign sign;
	struct vpnc_priv_msg_signature signature;
	struct vpnc_priv_msg_ask ask;
	struct vpnc_priv_msg_ask_done ask_done;
	struct vpnc_priv_msg_relay relay;
	struct vpnc_priv_msg_gateway gateway;
	struct vpnc_priv_msg_verify verify;
};
#define VPNC_PRIV_MSG_MAX sizeof(union vpnc_priv_msg)

/*
 * The one check. msg/len is what arrived (any bytes); from_parent says
 * which side sent it, so a child cannot send a reply type and the parent
 * cannot send a request. Returns the type (> 0) or -EBADMSG.
 */
int vpnc_priv_check(const void *msg, size_t len, bool from_parent);

/* The exact length of a message of this type, or 0 for an unknown type. */
size_t vpnc_priv_len(int type);

/* Fills a header for a message of this type (its exact length). */
void vpnc_priv_hdr_init(struct vpnc_priv_hdr *h, int type);

/*
 * Child side: an ASK message for question id (> 0) of kind (< VPNC_PRIV_ASK_KINDS).
 * Every byte of text outside 0x20..0x7e becomes '?' (as the control
 * socket's "prompt" line shows it) and text longer than VPNC_PRIV_ASK_TEXT - 1
 * bytes is cut. Returns 0, or -EINVAL for an id or kind out of range.
 */
int vpnc_priv_ask_init(struct vpnc_priv_msg_ask *m, unsigned id, int kind, bool echo, const char *text);

/*
 * Child side: a NET_APPLY message from a validated push and the server in use
 * (server may be NULL; sockaddr_in or sockaddr_in6). Every unused byte is
 * zero. Routes to a host name of the profile go as its index (the parent
 * resolves its own copy). What the message cannot carry is left out and
 * counted in *dropped (may be NULL) for the caller to say so (nothing the
 * push parser produces today). Returns 0, or -EBADMSG if the result does not
 * pass vpnc_priv_check() (a push the parser should not have produced).
 */
struct sockaddr;
int vpnc_priv_net_from_push(struct vpnc_priv_msg_net *m, const struct vpnc_push *push,
                            const struct sockaddr *server, unsigned *dropped);

/*
 * Parent side: the struct vpnc_push a checked NET_APPLY stands for. Only the
 * network fields are set; everything else has its "not pushed" value (no
 * cipher, no auth token, no timers).
 */
void vpnc_priv_net_to_push(const struct vpnc_priv_net *n, struct vpnc_push *push);

#endif
