/*
 * fuzz_httpproxy.c: libFuzzer target for the HTTP proxy's reply parser
 * (core/httpproxy.h), the one piece of the CONNECT handshake that reads what
 * the proxy sends.
 *
 * Input: one byte that sets the read size (1..256), then the reply stream,
 * fed in reads of that size. Invariants (trap on failure): the parser never
 * claims more bytes than it was given; it finishes (1) exactly at the first
 * blank line when everything before it is a valid header, with a status of
 * 100..999 and a NUL-terminated status line; it stops with -EBADMSG or
 * -EMSGSIZE otherwise, and its answer does not change once given; it never
 * finishes past VPNC_HTTPPROXY_HDR_MAX bytes. The request builder is run on
 * a slice of the input as credentials and checked to end with the blank line.
 * The Digest challenge parser runs on the reply's challenge and on the input
 * as text; what it accepts is answered, and the answer may hold no control
 * byte but its CR LF line ends.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/httpproxy.h"

#define FUZZ_MAX 65536

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static struct vpnc_httpproxy_reply rep;

static void fuzz_request(const uint8_t *data, size_t size)
{
	static struct vpnc_http_proxy hp;
	static char out[VPNC_HTTPPROXY_REQ_MAX];
	char user[64], pass[64];
	size_t ul = size < sizeof(user) - 1 ? size : sizeof(user) - 1;
	int n;

	memset(&hp, 0, sizeof(hp));
	memcpy(hp.version, "1.1", 4);
	memcpy(user, data, ul);
	user[ul] = '\0';
	memcpy(pass, data, ul);
	pass[ul] = '\0';
	hp.user = user;
	hp.pass = pass;
	n = vpnc_httpproxy_request(&hp, "vpn.example.org", "1194", VPNC_HTTPPROXY_BASIC, NULL, NULL,
	                           out, sizeof(out));
	if (user[0] == '\0') {
		check(n == -EINVAL);
		return;
	}
	check(n > 4 && (size_t)n <= sizeof(out) && memcmp(out + n - 4, "\r\n\r\n", 4) == 0);
}

/* A challenge the parser accepts is answered with a request that stays one header block. */
static void fuzz_digest(const char *params)
{
	static struct vpnc_http_proxy hp;
	static struct vpnc_httpproxy_digest d;
	static char out[VPNC_HTTPPROXY_REQ_MAX];
	int ret = vpnc_httpproxy_digest_parse(params, &d), n;

	check(ret == 0 || ret == -EBADMSG || ret == -EPROTONOSUPPORT);
	if (ret != 0)
		return;
	check(d.realm[sizeof(d.realm) - 1] == '\0' || memchr(d.realm, '\0', sizeof(d.realm)) != NULL);
	check(d.nonce[0] != '\0');
	memset(&hp, 0, sizeof(hp));
	memcpy(hp.version, "1.0", 4);
	hp.user = "user";
	hp.pass = "pass";
	n = vpnc_httpproxy_request(&hp, "h", "1", VPNC_HTTPPROXY_DIGEST, &d, "0123456789abcdef", out,
	                           sizeof(out));
	check(n > 4);
	/* No control byte from the challenge got into the request: CR LF only as line ends. */
	for (int i = 0; i < n; i++)
		check((unsigned char)out[i] >= 0x20 || (out[i] == '\r' && out[i + 1] == '\n') ||
		      (out[i] == '\n' && i > 0 && out[i - 1] == '\r'));
	check(memcmp(out + n - 4, "\r\n\r\n", 4) == 0 && strstr(out, "\r\n\r\n") == out + n - 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > FUZZ_MAX)
		return 0;
	size_t step = (size_t)data[0] + 1, total = 0;
	const uint8_t *s = data + 1;
	size_t n = size - 1;
	int ret = 0;

	vpnc_httpproxy_reply_init(&rep);
	for (size_t off = 0; off < n; off += step) {
		size_t len = n - off < step ? n - off : step, used = 0;

		ret = vpnc_httpproxy_feed(&rep, s + off, len, &used);
		check(used <= len);
		total += used;
		if (ret != 0) {
			size_t again = 1;
			check(ret == 1 || ret == -EBADMSG || ret == -EMSGSIZE);
			/* The answer sticks, and takes no more bytes. */
			check(vpnc_httpproxy_feed(&rep, s, n, &again) == ret && again == 0);
			break;
		}
		check(used == len);
	}
	check(total <= VPNC_HTTPPROXY_HDR_MAX);
	if (ret == 1) {
		/* Done at a blank line: the header ends with LF, optional CR, LF. */
		check(total >= 2 && s[total - 1] == '\n');
		check(s[total - 2] == '\n' || (total >= 3 && s[total - 2] == '\r' && s[total - 3] == '\n'));
		check(rep.status >= 100 && rep.status <= 999);
		check(memchr(rep.status_line, '\0', sizeof(rep.status_line)) != NULL);
		check(memcmp(rep.status_line, "HTTP/", 5) == 0);
	}
	fuzz_request(s, n);
	/* The Digest challenge the reply carried, and the input itself as one. */
	if (rep.auth & VPNC_HTTPPROXY_AUTH_DIGEST)
		fuzz_digest(rep.digest);
	{
		static char params[VPNC_HTTPPROXY_LINE_MAX];
		size_t k = n < sizeof(params) - 1 ? n : sizeof(params) - 1;

		memcpy(params, s, k);
		params[k] = '\0';
		fuzz_digest(params);
	}
	return 0;
}
