/*
 * socks.h: the SOCKS5 client handshake (RFC 1928) with username/password
 * authentication (RFC 1929), and the SOCKS UDP datagram header, sans I/O.
 *
 * The handshake is a small state machine: vpnc_socks_start() gives the
 * method selection to send; each piece of the proxy's stream goes to
 * vpnc_socks_feed(), which consumes what belongs to the current reply and
 * hands back the next message to send, until the request (CONNECT or UDP
 * ASSOCIATE) is answered. Everything the proxy sends is peer input: every
 * length is checked before it is read, and a failure leaves one sentence in
 * s->why (and the RFC 1928 reply code in s->rep when the proxy refused the
 * request).
 *
 * The UDP header (RFC 1928 section 7) is 10 bytes in front of a datagram
 * for an IPv4 destination and 22 for IPv6. The sender writes it into the
 * headroom before the packet; the receiver checks it (no fragments, the
 * expected source) and skips it, so no packet is copied.
 *
 * Ownership: struct vpnc_socks is plain data owned by the caller; it holds
 * the username and password until vpnc_socks_wipe(), which the caller runs
 * when the handshake ends either way.
 */
#ifndef VPNC_CORE_SOCKS_H
#define VPNC_CORE_SOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#define VPNC_SOCKS_CMD_CONNECT 1
#define VPNC_SOCKS_CMD_UDP_ASSOCIATE 3

/* The UDP header before a datagram to an IPv4 / IPv6 address. */
#define VPNC_SOCKS_UDP_HDR4 10
#define VPNC_SOCKS_UDP_HDR6 22
/* The longest message either side sends in the handshake (RFC 1929: 1+1+255+1+255). */
#define VPNC_SOCKS_MSG_MAX 513
/* The longest name or credential RFC 1928/1929 can carry. */
#define VPNC_SOCKS_FIELD_MAX 255

enum vpnc_socks_state {
	VPNC_SOCKS_METHOD = 0, /* the method selection was sent, waiting for the choice */
	VPNC_SOCKS_AUTH,       /* the username/password was sent, waiting for the verdict */
	VPNC_SOCKS_REQUEST,    /* the request was sent, waiting for the reply */
	VPNC_SOCKS_DONE,
	VPNC_SOCKS_FAILED,
};

struct vpnc_socks {
	enum vpnc_socks_state state;
	uint8_t cmd;
	bool auth;                           /* offer username/password (else: no authentication) */
	uint8_t user[VPNC_SOCKS_FIELD_MAX];  /* secret */
	uint8_t pass[VPNC_SOCKS_FIELD_MAX];  /* secret */
	size_t ulen, plen;
	uint8_t req[4 + 1 + VPNC_SOCKS_FIELD_MAX + 2]; /* the request, built at init */
	size_t req_len;
	uint8_t in[4 + 1 + VPNC_SOCKS_FIELD_MAX + 2];  /* the reply gathered so far */
	size_t in_len;
	int rep;                             /* the proxy's RFC 1928 reply code when it refused */
	const char *why;                     /* one sentence on failure */
	struct sockaddr_storage bound;       /* BND.ADDR/BND.PORT of the reply (IPv4 or IPv6) */
};

/*
 * Prepares a handshake for cmd. The target is host (an IPv4 or IPv6
 * literal is sent as an address, anything else as a domain name, at most
 * 255 bytes) and port, or, with host NULL, the address 0.0.0.0 port 0 (port is ignored; what
 * OpenVPN 2.6 sends for UDP ASSOCIATE). user and pass (NULL: no
 * authentication offered) are at most 255 bytes each. Returns 0 or -EINVAL
 * (s->why says which).
 */
int vpnc_socks_init(struct vpnc_socks *s, uint8_t cmd, const char *host, uint16_t port,
                    const char *user, const char *pass);

/* The method selection to send first; returns its length (3), or 0 if out is too small. */
size_t vpnc_socks_start(const struct vpnc_socks *s, uint8_t *out, size_t cap);

/*
 * Feeds bytes from the proxy. Consumes at most the bytes of the reply being
 * waited for (*used says how many; any rest belongs to the next step, or
 * after DONE to the tunnel). When the proxy's answer calls for another
 * message, it is written to out (cap at least VPNC_SOCKS_MSG_MAX) and
 * *outlen set; else *outlen is 0. Returns 0 (more is needed), 1 (done:
 * s->bound holds the proxy's address), or a negative errno code with s->why
 * set: -EPROTO (not SOCKS5 or a malformed reply), -EACCES (the proxy
 * refused the username and password, or wants a method not offered),
 * -ECONNREFUSED (the proxy refused the request; s->rep has the code).
 */
int vpnc_socks_feed(struct vpnc_socks *s, const uint8_t *in, size_t len, size_t *used,
                    uint8_t *out, size_t cap, size_t *outlen);

/* Wipes the credentials and gathered bytes. */
void vpnc_socks_wipe(struct vpnc_socks *s);

/* RFC 1928's text for a reply code, e.g. "connection refused"; "unknown reply code" else. */
const char *vpnc_socks_rep_str(int rep);

/* The UDP header length for a destination of this family (AF_INET: 10, AF_INET6: 22), 0 else. */
size_t vpnc_socks_udp_hdr_len(int family);

/*
 * Writes the UDP header for destination dst (AF_INET or AF_INET6) into
 * hdr[0..vpnc_socks_udp_hdr_len(family)). Returns the length written or
 * -EAFNOSUPPORT.
 */
int vpnc_socks_udp_put(uint8_t *hdr, const struct sockaddr *dst);

/*
 * Checks the UDP header at the front of a datagram from the relay: reserved
 * bytes zero, no fragment, and the source address and port equal to peer's.
 * Returns the header length (the payload follows it) or -EBADMSG (short,
 * fragmented, an unknown address type) or -EPERM (another source).
 */
int vpnc_socks_udp_strip(const uint8_t *pkt, size_t len, const struct sockaddr *peer);

#endif
