/*
 * socks.c: owns the SOCKS5 client side (RFC 1928, RFC 1929), sans I/O: the
 * handshake state machine and the UDP datagram header. See socks.h.
 *
 * Like OpenVPN 2.6 (src/openvpn/socks.c), exactly one method is offered:
 * username/password when credentials are configured, else "no
 * authentication required". Replies are read by their own length fields
 * only after the bytes are there, so a short or lying reply never reads
 * past what was received.
 */
#include <errno.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>

#include "core/socks.h"
#include "vpnc/buf.h"

#define SOCKS_VER 5
#define SOCKS_AUTH_VER 1
#define METHOD_NONE 0x00
#define METHOD_USERPASS 0x02
#define METHOD_NO_ACCEPTABLE 0xff
#define ATYP_IPV4 1
#define ATYP_DOMAIN 3
#define ATYP_IPV6 4

int vpnc_socks_init(struct vpnc_socks *s, uint8_t cmd, const char *host, uint16_t port,
                    const char *user, const char *pass)
{
	uint8_t *r = s->req;
	size_t n = 0;

	memset(s, 0, sizeof(*s));
	s->cmd = cmd;
	s->state = VPNC_SOCKS_METHOD;
	if (cmd != VPNC_SOCKS_CMD_CONNECT && cmd != VPNC_SOCKS_CMD_UDP_ASSOCIATE) {
		s->why = "unknown SOCKS command";
		return -EINVAL;
	}
	if (user != NULL || pass != NULL) {
		size_t ul = user != NULL ? strlen(user) : 0, pl = pass != NULL ? strlen(pass) : 0;

		/* RFC 1929: both are 1..255 bytes. */
		if (ul == 0 || pl == 0 || ul > VPNC_SOCKS_FIELD_MAX || pl > VPNC_SOCKS_FIELD_MAX) {
			s->why = "the SOCKS username and password must each be 1 to 255 bytes";
			return -EINVAL;
		}
		memcpy(s->user, user, ul);
		memcpy(s->pass, pass, pl);
		s->ulen = ul;
		s->plen = pl;
		s->auth = true;
	}
	r[n++] = SOCKS_VER;
	r[n++] = cmd;
	r[n++] = 0; /* RSV */
	if (host == NULL) {
		r[n++] = ATYP_IPV4;
		memset(r + n, 0, 4);
		n += 4;
		port = 0; /* "any": the proxy takes the first datagram from the client's address */
	} else if (inet_pton(AF_INET, host, r + n + 1) == 1) {
		r[n++] = ATYP_IPV4;
		n += 4;
	} else if (inet_pton(AF_INET6, host, r + n + 1) == 1) {
		r[n++] = ATYP_IPV6;
		n += 16;
	} else {
		size_t hl = strlen(host);

		if (hl == 0 || hl > VPNC_SOCKS_FIELD_MAX) {
			vpnc_socks_wipe(s);
			s->why = "the host name for the SOCKS proxy must be 1 to 255 bytes";
			return -EINVAL;
		}
		r[n++] = ATYP_DOMAIN;
		r[n++] = (uint8_t)hl;
		memcpy(r + n, host, hl);
		n += hl;
	}
	vpnc_put_u16(r + n, port);
	n += 2;
	s->req_len = n;
	return 0;
}

size_t vpnc_socks_start(const struct vpnc_socks *s, uint8_t *out, size_t cap)
{
	if (cap < 3)
		return 0;
	out[0] = SOCKS_VER;
	out[1] = 1; /* NMETHODS */
	out[2] = s->auth ? METHOD_USERPASS : METHOD_NONE;
	return 3;
}

static int fail(struct vpnc_socks *s, int err, const char *why)
{
	s->state = VPNC_SOCKS_FAILED;
	s->why = why;
	OPENSSL_cleanse(s->user, sizeof(s->user));
	OPENSSL_cleanse(s->pass, sizeof(s->pass));
	return err;
}

/* Bytes of the reply being waited for, from what is gathered; 0 if the length is not known yet. */
static size_t want_len(const struct vpnc_socks *s)
{
	switch (s->state) {
	case VPNC_SOCKS_METHOD:
	case VPNC_SOCKS_AUTH:
		return 2;
	case VPNC_SOCKS_REQUEST:
		if (s->in_len < 5)
			return 5; /* VER REP RSV ATYP and the first address byte */
		switch (s->in[3]) {
		case ATYP_IPV4: return 4 + 4 + 2;
		case ATYP_IPV6: return 4 + 16 + 2;
		case ATYP_DOMAIN: return 4 + 1 + (size_t)s->in[4] + 2;
		default: return 0;
		}
	default:
		return 0;
	}
}

/* Builds the RFC 1929 username/password message into out. */
static size_t auth_msg(const struct vpnc_socks *s, uint8_t *out)
{
	size_t n = 0;

	out[n++] = SOCKS_AUTH_VER;
	out[n++] = (uint8_t)s->ulen;
	memcpy(out + n, s->user, s->ulen);
	n += s->ulen;
	out[n++] = (uint8_t)s->plen;
	memcpy(out + n, s->pass, s->plen);
	n += s->plen;
	return n;
}

static int request_sent(struct vpnc_socks *s, uint8_t *out, size_t *outlen)
{
	memcpy(out, s->req, s->req_len);
	*outlen = s->req_len;
	s->state = VPNC_SOCKS_REQUEST;
	return 0;
}

/* A whole reply is in s->in: act on it. */
static int handle(struct vpnc_socks *s, uint8_t *out, size_t *outlen)
{
	const uint8_t *b = s->in;

	switch (s->state) {
	case VPNC_SOCKS_METHOD:
		if (b[0] != SOCKS_VER)
			return fail(s, -EPROTO, "the proxy does not speak SOCKS version 5");
		if (b[1] == METHOD_NO_ACCEPTABLE)
			return fail(s, -EACCES, s->auth ? "the proxy does not accept username/password "
			                                  "authentication"
			                                : "the proxy requires authentication (give an "
			                                  "authfile to socks-proxy)");
		if (b[1] != (s->auth ? METHOD_USERPASS : METHOD_NONE))
			return fail(s, -EPROTO, "the proxy chose an authentication method that was not offered");
		if (s->auth) {
			*outlen = auth_msg(s, out);
			s->state = VPNC_SOCKS_AUTH;
			return 0;
		}
		return request_sent(s, out, outlen);
	case VPNC_SOCKS_AUTH:
		/* RFC 1929: the version is 1; anything but status 0 is a refusal. */
		OPENSSL_cleanse(s->user, sizeof(s->user));
		OPENSSL_cleanse(s->pass, sizeof(s->pass));
		if (b[0] != SOCKS_AUTH_VER && b[0] != SOCKS_VER)
			return fail(s, -EPROTO, "the proxy's answer to the username and password is malformed");
		if (b[1] != 0)
			return fail(s, -EACCES, "the proxy refused the username and password");
		return request_sent(s, out, outlen);
	case VPNC_SOCKS_REQUEST:
		if (b[0] != SOCKS_VER)
			return fail(s, -EPROTO, "the proxy's reply is not SOCKS version 5");
		if (b[1] != 0) {
			s->rep = b[1];
			return fail(s, -ECONNREFUSED, "the proxy refused the request");
		}
		memset(&s->bound, 0, sizeof(s->bound));
		if (b[3] == ATYP_IPV4) {
			struct sockaddr_in *a = (struct sockaddr_in *)&s->bound;

			a->sin_family = AF_INET;
			memcpy(&a->sin_addr, b + 4, 4);
			memcpy(&a->sin_port, b + 8, 2);
		} else if (b[3] == ATYP_IPV6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&s->bound;

			a->sin6_family = AF_INET6;
			memcpy(&a->sin6_addr, b + 4, 16);
			memcpy(&a->sin6_port, b + 20, 2);
		}
		/* A domain name as BND.ADDR leaves bound empty (AF_UNSPEC): the caller decides. */
		s->state = VPNC_SOCKS_DONE;
		return 1;
	default:
		return fail(s, -EPROTO, "the SOCKS handshake is over");
	}
}

int vpnc_socks_feed(struct vpnc_socks *s, const uint8_t *in, size_t len, size_t *used,
                    uint8_t *out, size_t cap, size_t *outlen)
{
	size_t off = 0;

	*outlen = 0;
	*used = 0;
	if (s->state == VPNC_SOCKS_DONE)
		return 1;
	if (s->state == VPNC_SOCKS_FAILED)
		return -EPROTO;
	if (cap < VPNC_SOCKS_MSG_MAX)
		return fail(s, -EINVAL, "no room for the next SOCKS message");
	for (;;) {
		size_t want = want_len(s);

		if (want == 0)
			return fail(s, -EPROTO, "the proxy's reply has an unknown address type");
		if (s->in_len < want) {
			size_t take = want - s->in_len;

			if (off == len)
				break;
			if (take > len - off)
				take = len - off;
			memcpy(s->in + s->in_len, in + off, take);
			s->in_len += take;
			off += take;
			continue; /* the request's reply grows once its address type is known */
		}
		int ret = handle(s, out, outlen);

		s->in_len = 0;
		*used = off;
		if (ret != 0 || *outlen > 0)
			return ret; /* done, failed, or a message to send before anything more comes */
	}
	*used = off;
	return 0;
}

void vpnc_socks_wipe(struct vpnc_socks *s)
{
	OPENSSL_cleanse(s->user, sizeof(s->user));
	OPENSSL_cleanse(s->pass, sizeof(s->pass));
	OPENSSL_cleanse(s->in, sizeof(s->in));
	s->ulen = s->plen = s->in_len = 0;
}

const char *vpnc_socks_rep_str(int rep)
{
	/* RFC 1928 section 6. */
	static const char *const text[] = {
		"succeeded",
		"general SOCKS server failure",
		"connection not allowed by ruleset",
		"network unreachable",
		"host unreachable",
		"connection refused",
		"TTL expired",
		"command not supported",
		"address type not supported",
	};

	if (rep >= 0 && (size_t)rep < sizeof(text) / sizeof(text[0]))
		return text[rep];
	return "unknown reply code";
}

size_t vpnc_socks_udp_hdr_len(int family)
{
	if (family == AF_INET)
		return VPNC_SOCKS_UDP_HDR4;
	if (family == AF_INET6)
		return VPNC_SOCKS_UDP_HDR6;
	return 0;
}

int vpnc_socks_udp_put(uint8_t *hdr, const struct sockaddr *dst)
{
	hdr[0] = 0; /* RSV */
	hdr[1] = 0;
	hdr[2] = 0; /* FRAG: vpnc never fragments */
	if (dst->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)dst;

		hdr[3] = ATYP_IPV4;
		memcpy(hdr + 4, &a->sin_addr, 4);
		memcpy(hdr + 8, &a->sin_port, 2);
		return VPNC_SOCKS_UDP_HDR4;
	}
	if (dst->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)dst;

		hdr[3] = ATYP_IPV6;
		memcpy(hdr + 4, &a->sin6_addr, 16);
		memcpy(hdr + 20, &a->sin6_port, 2);
		return VPNC_SOCKS_UDP_HDR6;
	}
	return -EAFNOSUPPORT;
}

int vpnc_socks_udp_strip(const uint8_t *pkt, size_t len, const struct sockaddr *peer)
{
	if (len < VPNC_SOCKS_UDP_HDR4 || pkt[0] != 0 || pkt[1] != 0 || pkt[2] != 0)
		return -EBADMSG; /* short, or a fragment (vpnc reassembles none, as 2.6) */
	if (pkt[3] == ATYP_IPV4) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)peer;

		if (peer->sa_family != AF_INET || memcmp(pkt + 4, &a->sin_addr, 4) != 0 ||
		    memcmp(pkt + 8, &a->sin_port, 2) != 0)
			return -EPERM;
		return VPNC_SOCKS_UDP_HDR4;
	}
	if (pkt[3] == ATYP_IPV6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)peer;

		if (len < VPNC_SOCKS_UDP_HDR6)
			return -EBADMSG;
		if (peer->sa_family != AF_INET6 || memcmp(pkt + 4, &a->sin6_addr, 16) != 0 ||
		    memcmp(pkt + 20, &a->sin6_port, 2) != 0)
			return -EPERM;
		return VPNC_SOCKS_UDP_HDR6;
	}
	return -EBADMSG;
}
