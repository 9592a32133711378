/*
 * test_status.c: the status snapshot formatters (JSON and text), string
 * escaping, the expiry dates (ISO 8601 parsing, the eduVPN "# Expires:"
 * header, a certificate's notAfter) and the warning threshold, with "now"
 * pinned by the test. Also the control socket naming rule (ctlpath.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "../../src/control/ctlpath.c"
#include "../../src/control/status.c"
#include "../../src/control/status_netev.c"
#include "../../src/control/status_expiry.c"

#include "../check.h"

/* The human-units text, as `vpnc status` prints it without --raw. */
static int status_text(const struct vpnc_status_snap *s, int64_t now, char *out, size_t cap)
{
	return vpnc_status_text_fmt(s, now, 0, out, cap);
}

#define HAS(hay, needle) (strstr((hay), (needle)) != NULL)

/*
 * A strict JSON syntax check (RFC 8259 grammar, no extensions), so the tests
 * notice a stray comma or an unescaped byte, not just missing substrings.
 */
static const char *j_value(const char *p, int depth);

static const char *j_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *j_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		unsigned char c = (unsigned char)*p;

		if (c == '\0' || c < 0x20)
			return NULL;
		if (c == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') ||
					      (p[i] >= 'A' && p[i] <= 'F')))
						return NULL;
				p += 5;
				continue;
			}
			if (strchr("\"\\/bfnrt", *p) == NULL || *p == '\0')
				return NULL;
		}
		p++;
	}
	return p + 1;
}

static const char *j_number(const char *p)
{
	const char *start;

	if (*p == '-')
		p++;
	start = p;
	while (*p >= '0' && *p <= '9')
		p++;
	if (p == start || (*start == '0' && p - start > 1))
		return NULL;
	return p;
}

static const char *j_list(const char *p, int depth, char close, bool object)
{
	p = j_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (object) {
			p = j_string(j_ws(p));
			if (p == NULL || *(p = j_ws(p)) != ':')
				return NULL;
			p++;
		}
		p = j_value(p, depth + 1);
		if (p == NULL)
			return NULL;
		p = j_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *j_value(const char *p, int depth)
{
	if (depth > 16)
		return NULL;
	p = j_ws(p);
	if (*p == '{')
		return j_list(p, depth, '}', true);
	if (*p == '[')
		return j_list(p, depth, ']', false);
	if (*p == '"')
		return j_string(p);
	if (strncmp(p, "null", 4) == 0 || strncmp(p, "true", 4) == 0)
		return p + 4;
	if (strncmp(p, "false", 5) == 0)
		return p + 5;
	return j_number(p);
}

static bool json_ok(const char *s)
{
	const char *end = j_value(s, 0);

	return end != NULL && *j_ws(end) == '\0';
}

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return ntohl(a.s_addr);
}

static void fill_push(struct vpnc_push *p)
{
	vpnc_push_init(p);
	p->has_ifconfig = true;
	p->topology = VPNC_TOPO_SUBNET;
	p->ifconfig_local = ip4("10.8.0.2");
	p->ifconfig_mask_or_peer = ip4("255.255.255.0");
	p->has_ifconfig6 = true;
	inet_pton(AF_INET6, "fd00::1000", p->ifconfig6_local);
	p->ifconfig6_bits = 64;
	p->routes[0] = (struct vpnc_route4){.net = ip4("192.168.10.0"), .mask = ip4("255.255.255.0"),
	                                    .gw = ip4("10.8.0.1"), .metric = 5};
	p->routes[1] = (struct vpnc_route4){.net = ip4("198.51.100.7"), .mask = 0xFFFFFFFFu,
	                                    .metric = -1, .net_gateway = true};
	p->n_routes = 2;
	inet_pton(AF_INET6, "2001:db8::", p->routes6[0].net);
	p->routes6[0].bits = 32;
	p->routes6[0].metric = -1;
	p->n_routes6 = 1;
	p->redirect_gateway = VPNC_RG_ENABLE | VPNC_RG_DEF1 | VPNC_RG_IPV6;
	p->dns4[0] = ip4("10.8.0.1");
	p->n_dns4 = 1;
	inet_pton(AF_INET6, "fd00::1", p->dns6[0]);
	p->n_dns6 = 1;
	snprintf(p->domains[0], sizeof(p->domains[0]), "example.org");
	p->n_domains = 1;
}

#define NOW 1800000000LL /* 2027-01-15T08:00:00Z */

static void test_json(void)
{
	static struct vpnc_push push;
	static char out[VPNC_STATUS_MAX];
	struct vpnc_stats st = {.link_in_bytes = 123456, .link_out_bytes = 654321, .link_in_pkts = 100,
	                        .link_out_pkts = 200, .tun_out_bytes = 1000};
	struct vpnc_status_datapath dp = {.tun_offloads = VPNC_TUN_OFF_VNET | VPNC_TUN_OFF_TSO,
	                                  .coalesce_us = 200, .coalesce_sleeps = 77, .tun_dropped = 2};
	struct vpnc_status_snap s = {
		.state = VPNC_STATUS_CONNECTED,
		.instance = "work",
		.pid = 4242,
		.config_path = "/etc/vpnc/work.conf",
		.host = "vpn.example.org",
		.address = "192.0.2.1",
		.port = "1194",
		.proto = "udp",
		.cipher = "AES-256-GCM",
		.tls_version = "TLSv1.3",
		.tls_cipher = "TLS_AES_256_GCM_SHA384",
		.dev = "tun0",
		.push = &push,
		.stats = &st,
		.datapath = &dp,
		.connected_since = NOW - 3600,
		.cert_not_after = NOW + 3 * 86400,
		.profile_expires = NOW + 30 * 86400,
	};
	int n;

	st.drops[VPNC_DROP_REPLAY] = 3;
	fill_push(&push);
	n = vpnc_status_json(&s, NOW, out, sizeof(out));
	CHECK(n > 0 && (size_t)n == strlen(out));
	CHECK(json_ok(out));
	CHECK(HAS(out, "\"state\":\"connected\""));
	CHECK(HAS(out, "\"instance\":\"work\""));
	CHECK(HAS(out, "\"pid\":4242"));
	CHECK(HAS(out, "\"server\":{\"host\":\"vpn.example.org\",\"address\":\"192.0.2.1\","
	               "\"port\":\"1194\",\"proto\":\"udp\"}"));
	CHECK(HAS(out, "\"cipher\":\"AES-256-GCM\""));
	CHECK(HAS(out, "\"tls\":{\"version\":\"TLSv1.3\",\"cipher\":\"TLS_AES_256_GCM_SHA384\"}"));
	CHECK(HAS(out, "\"ipv4\":\"10.8.0.2/24\""));
	CHECK(HAS(out, "\"ipv4_peer\":null"));
	CHECK(HAS(out, "\"ipv6\":\"fd00::1000/64\""));
	CHECK(HAS(out, "{\"dest\":\"192.168.10.0/24\",\"gateway\":\"10.8.0.1\",\"metric\":5}"));
	CHECK(HAS(out, "{\"dest\":\"198.51.100.7/32\",\"gateway\":\"net_gateway\",\"metric\":null}"));
	CHECK(HAS(out, "{\"dest\":\"2001:db8::/32\",\"gateway\":null,\"metric\":null}"));
	CHECK(HAS(out, "\"redirect_gateway\":[\"def1\",\"ipv6\"]"));
	CHECK(HAS(out, "\"dns\":{\"servers\":[\"10.8.0.1\",\"fd00::1\"],\"domains\":[\"example.org\"],"
	               "\"failed\":false,\"error\":null,\"backend\":null,\"scope\":null}"));
	/* Pushed DNS that could not be applied is shown as such, not as if in use, with the reason. */
	s.dns_failed = true;
	CHECK(vpnc_status_json(&s, NOW, out, sizeof(out)) > 0);
	CHECK(HAS(out, "\"domains\":[\"example.org\"],\"failed\":true,\"error\":null,"), "%s", out);
	CHECK(status_text(&s, NOW, out, sizeof(out)) > 0);
	CHECK(HAS(out, "dns:          10.8.0.1\n              fd00::1\n              NOT applied: see the log\n"),
	      "%s", out);
	s.dns_why = "file: Read-only \"file\" system\n";
	CHECK(vpnc_status_json(&s, NOW, out, sizeof(out)) > 0);
	CHECK(HAS(out, "\"failed\":true,\"error\":\"file: Read-only \\\"file\\\" system\\u000a\","), "%s", out);
	CHECK(status_text(&s, NOW, out, sizeof(out)) > 0);
	CHECK(HAS(out, "              NOT applied: file: Read-only"), "%s", out);
	s.dns_failed = false;
	CHECK(vpnc_status_json(&s, NOW, out, sizeof(out)) > 0);
	CHECK(HAS(out, "\"failed\":false,\"error\":null,"), "a reason without a failure is not shown: %s", out);
	s.dns_why = NULL;
	CHECK(vpnc_status_json(&s, NOW, out, sizeof(out)) > 0);

	/* 2.6's dns option, when it names servers, is what is in use: its servers and search domains. */
	push.n_dns_servers = 1;
	push.dns_servers[0].n_addr = 1;
	push.dns_servers[0].addr[0].family = AF_INET6;
	inet_pton(AF_INET6, "fd00::53", push.dns_servers[0].addr[0].addr);
	snprintf(push.dns_search[0], sizeof(push.dns_search[0]), "s.example");
	push.n_dns_search = 1;
	n = vpnc_status_json(&s, NOW, out, sizeof(out));
	CHECK(n > 0 && json_ok(out));
	CHECK(HAS(out, "\"dns\":{\"servers\":[\"fd00::53\"],\"domains\":[\"example.org\",\"s.example\"],\"failed\":false,"));
	n = status_text(&s, NOW, out, sizeof(out));
	CHECK(n > 0 && HAS(out, "dns:          fd00::53\ndomains:      example.org\n              s.example\n"));
	fill_push(&push);
	push.n_dns_servers = 0;
	push.n_dns_search = 0;
	n = vpnc_status_json(&s, NOW, out, sizeof(out));
	CHECK(HAS(out, "\"bytes_in\":123456,\"bytes_out\":654321,\"packets_in\":100,\"packets_out\":200"));
	CHECK(HAS(out, "\"tun_bytes_in\":1000"));
	CHECK(HAS(out, "\"dropped\":3"));
	CHECK(HAS(out, "\"datapath\":{\"tun_offloads\":[\"vnet\",\"tso\"],\"coalesce_us\":200,"
	               "\"coalesce_sleeps\":77,\"tun_write_errors\":0,\"tun_bad_frames\":0,\"tun_dropped\":2}"));
	CHECK(HAS(out, "\"connected_since\":\"2027-01-15T07:00:00Z\""));
	CHECK(HAS(out, "\"connected_since_unix\":1799996400"));
	CHECK(HAS(out, "\"certificate\":{\"expires\":\"2027-01-18T08:00:00Z\",\"expires_unix\":1800259200,"
	               "\"seconds_left\":259200,\"warning\":true}"));
	CHECK(HAS(out, "\"profile\":{\"expires\":\"2027-02-14T08:00:00Z\",\"expires_unix\":1802592000,"
	               "\"seconds_left\":2592000,\"warning\":false}"));

	/* Unknown parts are null, empty lists stay lists, and it is still valid JSON. */
	s = (struct vpnc_status_snap){.state = VPNC_STATUS_RECONNECTING, .last_error = "ping-restart"};
	n = vpnc_status_json(&s, NOW, out, sizeof(out));
	CHECK(n > 0 && json_ok(out));
	CHECK(HAS(out, "\"state\":\"reconnecting\""));
	CHECK(HAS(out, "\"last_error\":\"ping-restart\""));
	CHECK(HAS(out, "\"host\":null"));
	CHECK(HAS(out, "\"routes\":[]"));
	CHECK(HAS(out, "\"redirect_gateway\":null"));
	CHECK(HAS(out, "\"bytes_in\":0"));
	CHECK(HAS(out, "\"certificate\":null"));
	CHECK(HAS(out, "\"connected_since\":null"));
	CHECK(HAS(out, "\"datapath\":null"));
	/* A plain TUN: an empty list of offloads. */
	dp = (struct vpnc_status_datapath){.coalesce_us = 0};
	s.datapath = &dp;
	n = vpnc_status_json(&s, NOW, out, sizeof(out));
	CHECK(n > 0 && json_ok(out));
	CHECK(HAS(out, "\"tun_offloads\":[],\"coalesce_us\":0"));

	/* net30: the local address with its peer. */
	vpnc_push_init(&push);
	push.has_ifconfig = true;
	push.topology = VPNC_TOPO_NET30;
	push.ifconfig_local = ip4("10.8.0.6");
	push.ifconfig_mask_or_peer = ip4("10.8.0.5");
	s.push = &push;
	n = vpnc_status_json(&s, NOW, out, sizeof(out));
	CHECK(n > 0 && json_ok(out));
	CHECK(HAS(out, "\"ipv4\":\"10.8.0.6/32\",\"ipv4_peer\":\"10.8.0.5\""));
}

static void test_escaping(void)
{
	static char out[VPNC_STATUS_MAX];
	struct vpnc_status_snap s = {
		.host = "a\"b\\c\nd\x01" "e\x7f",
		.last_error = "bad \xff byte, \xc3\xa9t\xc3\xa9 ok, overlong \xc0\xaf, surrogate \xed\xa0\x80",
		.dev = "tun\x1b[31m",
		.instance = "\xc2\x9b" "c1",
	};
	int n;

	n = vpnc_status_json(&s, NOW, out, sizeof(out));
	CHECK(n > 0 && json_ok(out));
	CHECK(HAS(out, "\"host\":\"a\\\"b\\\\c\\u000ad\\u0001e\\u007f\""));
	CHECK(HAS(out, "bad \\ufffd byte, \xc3\xa9t\xc3\xa9 ok, overlong \\ufffd\\ufffd, "
	               "surrogate \\ufffd\\ufffd\\ufffd"));
	CHECK(HAS(out, "\"dev\":\"tun\\u001b[31m\""));

	n = status_text(&s, NOW, out, sizeof(out));
	CHECK(n > 0);
	CHECK(strchr(out, '\x1b') == NULL && strchr(out, '\x01') == NULL && strchr(out, '\x7f') == NULL);
	CHECK(strstr(out, "\xc2\x9b") == NULL);
	CHECK(HAS(out, "tun?[31m"));
	CHECK(HAS(out, "\xc3\xa9t\xc3\xa9 ok"));
	/* Every line is one line: the newline in the host name was replaced. */
	CHECK(HAS(out, "a\"b\\c?d?e?"));
}

static void test_text(void)
{
	static struct vpnc_push push;
	static char out[VPNC_STATUS_MAX];
	struct vpnc_stats st = {.link_in_bytes = 5000, .link_in_pkts = 7, .link_out_bytes = 3 * 1048576 + 524288,
	                        .link_out_pkts = 1};
	struct vpnc_status_datapath dp = {.tun_offloads = VPNC_TUN_OFF_VNET | VPNC_TUN_OFF_TSO | VPNC_TUN_OFF_USO,
	                                  .coalesce_us = 200, .coalesce_sleeps = 5};
	struct vpnc_status_snap s = {
		.state = VPNC_STATUS_CONNECTED,
		.instance = "work",
		.host = "vpn.example.org",
		.address = "192.0.2.1",
		.port = "1194",
		.proto = "udp",
		.cipher = "CHACHA20-POLY1305",
		.tls_version = "TLSv1.3",
		.dev = "tun0",
		.push = &push,
		.stats = &st,
		.datapath = &dp,
		.connected_since = NOW - 7200 - 300,
		.last_recv_ms_ago = 2400,
		.last_sent_ms_ago = -1,
		.reconnects = 2,
		.cert_not_after = NOW + 7 * 86400 - 1,
		.profile_expires = NOW - 60,
	};
	int n;

	fill_push(&push);
	n = status_text(&s, NOW, out, sizeof(out));
	CHECK(n > 0);
	CHECK(HAS(out, "state:        connected since 2027-01-15 05:55:00 UTC (2h 5m)\n"));
	CHECK(HAS(out, "server:       vpn.example.org [192.0.2.1] port 1194 udp\n"));
	CHECK(HAS(out, "cipher:       CHACHA20-POLY1305, TLSv1.3\n"));
	CHECK(HAS(out, "ipv4:         10.8.0.2/24\n"));
	CHECK(HAS(out, "routes:       192.168.10.0/24 via 10.8.0.1 metric 5\n"));
	CHECK(HAS(out, "              198.51.100.7/32 via net_gateway\n"));
	CHECK(HAS(out, "              2001:db8::/32 via vpn\n"));
	CHECK(HAS(out, "redirect-gw:  yes def1 ipv6\n"));
	CHECK(HAS(out, "dns:          10.8.0.1\n              fd00::1\n"));
	CHECK(HAS(out, "domains:      example.org\n"));
	/* Human units by default: KiB/MiB, "ago" in words; no time known: nothing said. */
	CHECK(HAS(out, "received:     4.88 KiB (7 packets), last 2 seconds ago\n"));
	CHECK(HAS(out, "sent:         3.50 MiB (1 packet)\n"));
	CHECK(HAS(out, "reconnects:   2\n"));
	CHECK(!HAS(out, "attempt"));
	CHECK(HAS(out, "data path:    TUN offloads vnet tso uso, coalescing 200 us (5 sleeps)\n"));
	CHECK(HAS(out, "certificate:  2027-01-22 07:59:59 UTC (in 6d 23h)\n"));
	CHECK(HAS(out, "warning: the certificate expires in 6d 23h (2027-01-22 07:59:59 UTC)\n"));
	CHECK(HAS(out, "warning: the profile (eduVPN session) expired 1m 0s ago"));

	/* --raw: exact bytes and milliseconds, the duration in seconds. */
	n = vpnc_status_text_fmt(&s, NOW, VPNC_STATUS_RAW, out, sizeof(out));
	CHECK(n > 0);
	CHECK(HAS(out, "received:     5000 bytes (7 packets), last 2400 ms ago\n"));
	CHECK(HAS(out, "sent:         3670016 bytes (1 packet)\n"));
	CHECK(HAS(out, "state:        connected since 2027-01-15 05:55:00 UTC (7500 s)\n"));

	/* Connecting: the attempt number next to the state, the remote on the server line. */
	s.state = VPNC_STATUS_CONNECTING;
	s.attempt = 3;
	st.link_in_pkts = 0;
	s.last_recv_ms_ago = -1;
	s.last_sent_ms_ago = 61000;
	n = status_text(&s, NOW, out, sizeof(out));
	CHECK(n > 0 && HAS(out, "state:        connecting (attempt 3)\n"));
	CHECK(HAS(out, "server:       vpn.example.org [192.0.2.1] port 1194 udp\n"));
	CHECK(HAS(out, "received:     4.88 KiB (0 packets), none yet\n"));
	CHECK(HAS(out, "sent:         3.50 MiB (1 packet), last 1 minute, 1 second ago\n"));
	n = vpnc_status_json(&s, NOW, out, sizeof(out));
	CHECK(n > 0 && HAS(out, "\"attempt\":3,\"reconnects\":2,\"last_received_ms_ago\":null,"
	                        "\"last_sent_ms_ago\":61000,"));
	s.state = VPNC_STATUS_CONNECTED;
	s.attempt = 0;

	/* Exactly 7 days away: no warning any more. */
	s.cert_not_after = NOW + VPNC_STATUS_WARN_SECS;
	s.profile_expires = 0;
	n = status_text(&s, NOW, out, sizeof(out));
	CHECK(n > 0 && !HAS(out, "warning"));
	CHECK(!HAS(out, "profile:"));
}

static void test_units(void)
{
	static const struct {
		uint64_t n;
		const char *want;
	} b[] = {
		{0, "0 B"},
		{1023, "1023 B"},
		{1024, "1.00 KiB"},
		{1536, "1.50 KiB"},
		{1048575, "1024.00 KiB"}, /* rounds up but stays in the unit it was measured in */
		{1048576, "1.00 MiB"},
		{5ull << 30, "5.00 GiB"},
		{(1ull << 40) + (1ull << 39), "1.50 TiB"},
		{UINT64_MAX, "16.00 EiB"},
	};
	static const struct {
		int64_t s;
		const char *want;
	} a[] = {
		{-5, "0 seconds"},
		{1, "1 second"},
		{59, "59 seconds"},
		{60, "1 minute"},
		{185, "3 minutes, 5 seconds"},
		{3600, "1 hour"},
		{7320, "2 hours, 2 minutes"},
		{86400 + 3600, "1 day, 1 hour"},
		{3 * 86400 + 60, "3 days"},
	};
	char out[48];

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		vpnc_status_bytes(b[i].n, out, sizeof(out));
		CHECK_STR(out, b[i].want);
	}
	for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
		vpnc_status_ago(a[i].s, out, sizeof(out));
		CHECK_STR(out, a[i].want);
	}
	vpnc_status_bytes(1536, out, 4); /* cut, still terminated */
	CHECK(strlen(out) == 3);
}

static void test_overflow(void)
{
	static struct vpnc_push push;
	char small[64];
	struct vpnc_status_snap s = {.host = "vpn.example.org", .push = &push};

	fill_push(&push);
	memset(small, 'x', sizeof(small));
	CHECK(vpnc_status_json(&s, NOW, small, sizeof(small)) == -ENOSPC);
	CHECK(strlen(small) == sizeof(small) - 1);
	CHECK(status_text(&s, NOW, small, sizeof(small)) == -ENOSPC);
	CHECK(strlen(small) < sizeof(small));
	CHECK(vpnc_status_json(&s, NOW, small, 0) == -ENOSPC);

	/* The largest push fits the documented buffer. */
	push.n_routes = VPNC_MAX_ROUTES;
	push.n_routes6 = VPNC_MAX_ROUTES;
	push.n_dns4 = push.n_dns6 = VPNC_MAX_DNS;
	push.n_domains = VPNC_MAX_DOMAINS;
	for (size_t i = 0; i < VPNC_MAX_DOMAINS; i++) {
		memset(push.domains[i], 'a', sizeof(push.domains[i]) - 1);
		push.domains[i][sizeof(push.domains[i]) - 1] = '\0';
	}
	for (size_t i = 0; i < VPNC_MAX_ROUTES; i++) {
		push.routes[i] = (struct vpnc_route4){.net = 0xC0A80000u + (uint32_t)i, .mask = 0xFFFFFFFFu,
		                                      .gw = 0x0A080001u, .metric = 2000000000};
		memset(push.routes6[i].net, 0xAB, 16);
		memset(push.routes6[i].gw, 0xCD, 16);
		push.routes6[i].bits = 128;
		push.routes6[i].metric = 2000000000;
	}
	static char big[VPNC_STATUS_MAX];
	int n = vpnc_status_json(&s, NOW, big, sizeof(big));
	CHECK(n > 0 && json_ok(big));
	CHECK(status_text(&s, NOW, big, sizeof(big)) > 0);
}

static void test_parse_time(void)
{
	int64_t t = -1;

	CHECK(vpnc_status_parse_time("2027-02-22T17:32:47+00:00", 25, &t) == 0 && t == 1803317567);
	CHECK(vpnc_status_parse_time("2026-12-01T00:00:00+01:00", 25, &t) == 0 && t == 1796079600);
	CHECK(vpnc_status_parse_time("2024-06-30T12:00:00-0530", 24, &t) == 0 && t == 1719768600);
	CHECK(vpnc_status_parse_time("2024-06-30 17:30:00Z  ", 22, &t) == 0 && t == 1719768600);
	CHECK(vpnc_status_parse_time("2024-06-30T17:30:00.123456Z", 27, &t) == 0 && t == 1719768600);
	CHECK(vpnc_status_parse_time("2024-06-30T17:30:00", 19, &t) == 0 && t == 1719768600);
	CHECK(vpnc_status_parse_time("1970-01-01T00:00:00Z", 20, &t) == 0 && t == 0);
	CHECK(vpnc_status_parse_time("2000-02-29T23:59:59Z", 20, &t) == 0 && t == 951868799);

	static const char *bad[] = {
		"",
		"2027-02-22",
		"2027-02-22T17:32",
		"2027-02-30T00:00:00Z",
		"2100-02-29T00:00:00Z",
		"2027-13-01T00:00:00Z",
		"2027-00-01T00:00:00Z",
		"2027-01-01T24:00:00Z",
		"2027-01-01T00:60:00Z",
		"2027-01-01T00:00:00+2400",
		"2027-01-01T00:00:00+01",
		"2027-01-01T00:00:00.Z",
		"2027-01-01T00:00:00Z junk",
		"2027-01-01X00:00:00Z",
		"27-01-01T00:00:00Z",
		"+027-01-01T00:00:00Z",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = 42;
		CHECK(vpnc_status_parse_time(bad[i], strlen(bad[i]), &t) == -EINVAL && t == 42);
	}
	/* The length bounds the read: a valid date followed by more text, cut off. */
	CHECK(vpnc_status_parse_time("2027-01-01T00:00:00Zxyz", 20, &t) == 0);
}

static void test_find_expires(void)
{
	static const char edu[] = "# Portal: https://vpn.example.org/vpn-user-portal/\r\n"
	                          "# Profile: Default (default)\r\n"
	                          "# Expires: 2027-02-22T17:32:47+00:00\r\n"
	                          "\r\n"
	                          "dev tun\r\nclient\r\n";
	static const char lower[] = "dev tun\n  ;  expires:\t2027-02-22T17:32:47Z\nclient\n";
	static const char none[] = "dev tun\nclient\n# Profile: x\n";
	static const char not_comment[] = "Expires: 2027-02-22T17:32:47Z\n";
	static const char broken[] = "# Expires: next tuesday\n";
	static const char nonl[] = "#Expires:2027-02-22T17:32:47+00:00";
	int64_t t = 0;

	CHECK(vpnc_status_find_expires(edu, strlen(edu), &t) == 0 && t == 1803317567);
	t = 0;
	CHECK(vpnc_status_find_expires(lower, strlen(lower), &t) == 0 && t == 1803317567);
	CHECK(vpnc_status_find_expires(none, strlen(none), &t) == -ENOENT);
	CHECK(vpnc_status_find_expires(not_comment, strlen(not_comment), &t) == -ENOENT);
	CHECK(vpnc_status_find_expires(broken, strlen(broken), &t) == -EINVAL);
	t = 0;
	CHECK(vpnc_status_find_expires(nonl, strlen(nonl), &t) == 0 && t == 1803317567);
	/* Cut inside the date: the reader stops at len and the date is malformed. */
	CHECK(vpnc_status_find_expires(nonl, strlen(nonl) - 4, &t) == -EINVAL);

	/* The file reader, on a temporary file and on a missing one. */
	char path[] = "/tmp/vpnc-test-status-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK(write(fd, edu, strlen(edu)) == (ssize_t)strlen(edu));
		close(fd);
		t = 0;
		CHECK(vpnc_status_profile_expires(path, &t) == 0 && t == 1803317567);
		unlink(path);
	}
	CHECK(vpnc_status_profile_expires("/nonexistent/vpnc.conf", &t) == -ENOENT);
	/* The eduVPN sample profile in the test data (if it carries the header, it must parse). */
	int r = vpnc_status_profile_expires("data/config/eduvpn.ovpn", &t);
	CHECK(r == 0 || r == -ENOENT);
}

/* Makes a self-signed Ed25519 certificate whose notAfter is `not_after`, as PEM. */
static char *make_cert(int64_t not_after)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	X509 *x = X509_new();
	BIO *b = BIO_new(BIO_s_mem());
	char *pem = NULL, *data;
	long len;

	if (k == NULL || x == NULL || b == NULL)
		goto out;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	                           (const unsigned char *)"test", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(not_after - 86400));
	ASN1_TIME_set(X509_getm_notAfter(x), (time_t)not_after);
	X509_set_pubkey(x, k);
	if (X509_sign(x, k, NULL) <= 0 || PEM_write_bio_X509(b, x) != 1)
		goto out;
	len = BIO_get_mem_data(b, &data);
	pem = calloc(1, (size_t)len + 1);
	if (pem != NULL)
		memcpy(pem, data, (size_t)len);
out:
	BIO_free(b);
	X509_free(x);
	EVP_PKEY_free(k);
	return pem;
}

static void test_cert(void)
{
	int64_t t = 0;
	char *pem = make_cert(1803317567);           /* 2027, UTCTime */
	char *pem2 = make_cert(2556143999LL);        /* 2050-12-31T23:59:59Z, GeneralizedTime */

	CHECK(pem != NULL && pem2 != NULL);
	CHECK(pem != NULL && vpnc_status_cert_not_after(pem, &t) == 0 && t == 1803317567);
	CHECK(pem2 != NULL && vpnc_status_cert_not_after(pem2, &t) == 0 && t == 2556143999LL);
	CHECK(vpnc_status_cert_not_after(NULL, &t) == -EINVAL);
	CHECK(vpnc_status_cert_not_after("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
	                                 &t) == -EINVAL);
	CHECK(vpnc_status_cert_not_after("", &t) == -EINVAL);
	free(pem);
	free(pem2);
}

static void test_level(void)
{
	CHECK(vpnc_status_expiry_level(0, NOW) == 0);
	CHECK(vpnc_status_expiry_level(NOW + VPNC_STATUS_WARN_SECS, NOW) == 0);
	CHECK(vpnc_status_expiry_level(NOW + VPNC_STATUS_WARN_SECS - 1, NOW) == 1);
	CHECK(vpnc_status_expiry_level(NOW + 1, NOW) == 1);
	CHECK(vpnc_status_expiry_level(NOW, NOW) == 2);
	CHECK(vpnc_status_expiry_level(NOW - 86400, NOW) == 2);
}

static void test_ctlpath(void)
{
	char out[VPNC_CTL_PATH_MAX], name[VPNC_CTL_INSTANCE_MAX + 1];
	char longname[VPNC_CTL_INSTANCE_MAX + 2];

	CHECK(vpnc_ctl_instance_valid("work") == 0);
	CHECK(vpnc_ctl_instance_valid("eduvpn@uni-x_1.2") == 0);
	CHECK(vpnc_ctl_instance_valid("") == -EINVAL);
	CHECK(vpnc_ctl_instance_valid(".hidden") == -EINVAL);
	CHECK(vpnc_ctl_instance_valid("a/b") == -EINVAL);
	CHECK(vpnc_ctl_instance_valid("a b") == -EINVAL);
	CHECK(vpnc_ctl_instance_valid(NULL) == -EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK(vpnc_ctl_instance_valid(longname) == -EINVAL);
	longname[VPNC_CTL_INSTANCE_MAX] = '\0';
	CHECK(vpnc_ctl_instance_valid(longname) == 0);

	CHECK(vpnc_ctl_instance_from_config("/etc/vpnc/work.conf", name, sizeof(name)) == 0 &&
	      strcmp(name, "work") == 0);
	CHECK(vpnc_ctl_instance_from_config("uni.ovpn", name, sizeof(name)) == 0 &&
	      strcmp(name, "uni") == 0);
	CHECK(vpnc_ctl_instance_from_config("dir/plain", name, sizeof(name)) == 0 &&
	      strcmp(name, "plain") == 0);
	CHECK(vpnc_ctl_instance_from_config(NULL, name, sizeof(name)) == 0 &&
	      strcmp(name, "vpnc") == 0);
	CHECK(vpnc_ctl_instance_from_config("/x/bad name.conf", name, sizeof(name)) == 0 &&
	      strcmp(name, "vpnc") == 0);
	CHECK(vpnc_ctl_instance_from_config("/x/.conf", name, sizeof(name)) == 0 &&
	      strcmp(name, "vpnc") == 0);

	/* A running vpnc's name: its profile, else the --config it was given, else the default. */
	{
		struct vpnc_config conf;

		memset(&conf, 0, sizeof(conf));
		CHECK(vpnc_ctl_config_path(&conf) == NULL);
		CHECK(vpnc_ctl_instance_of(&conf, name, sizeof(name)) == 0 && strcmp(name, "vpnc") == 0);
		snprintf(conf.cmdline_config, sizeof(conf.cmdline_config), "/etc/vpnc/cli.conf");
		CHECK(vpnc_ctl_instance_of(&conf, name, sizeof(name)) == 0 && strcmp(name, "cli") == 0);
		conf.path = (char *)"/etc/vpnc/home.ovpn";
		CHECK(vpnc_ctl_config_path(&conf) == conf.path);
		CHECK(vpnc_ctl_instance_of(&conf, name, sizeof(name)) == 0 && strcmp(name, "home") == 0);
		CHECK(vpnc_ctl_instance_of(&conf, name, 2) == -ENOSPC);
	}

	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	CHECK(vpnc_ctl_path("work", out, sizeof(out)) == 0);
	if (geteuid() == 0)
		CHECK(strcmp(out, "/run/vpnc/work.sock") == 0);
	else
		CHECK(strcmp(out, "/run/user/1000/vpnc/work.sock") == 0);
	CHECK(vpnc_ctl_path("../x", out, sizeof(out)) == -EINVAL);
	CHECK(vpnc_ctl_path("work", out, 10) == -ENAMETOOLONG);
}

/* 'control-socket PATH' in the config reader: absolute, fits a socket address, default empty. */
static void test_config_option(void)
{
	static const char *profile = "data/config/eduvpn.ovpn";
	char longp[VPNC_CTL_SOCKET_MAX + 8], err[512];
	char *ok[] = {"--control-socket", "/run/vpnc-test/x.sock"};
	char *rel[] = {"--control-socket", "x.sock"};
	char *toolong[] = {"--control-socket", longp};
	struct vpnc_config *c = NULL;

	CHECK(vpnc_config_load(profile, 0, NULL, NULL, &c, err, sizeof(err)) == 0 && c->control_socket[0] == '\0');
	vpnc_config_free(c);
	c = NULL;
	CHECK(vpnc_config_load(profile, 2, ok, NULL, &c, err, sizeof(err)) == 0 &&
	      strcmp(c->control_socket, "/run/vpnc-test/x.sock") == 0);
	vpnc_config_free(c);
	c = NULL;
	err[0] = '\0';
	CHECK(vpnc_config_load(profile, 2, rel, NULL, &c, err, sizeof(err)) < 0 && HAS(err, "absolute"));
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	CHECK(vpnc_config_load(profile, 2, toolong, NULL, &c, err, sizeof(err)) < 0 && HAS(err, "shorter"));

	/* control-socket-group: a real group (nogroup, in every Debian), not root's, not unknown. */
	char *grp[] = {"--control-socket-group", "nogroup"};
	char *grp_root[] = {"--control-socket-group", "root"};
	char *grp_none[] = {"--control-socket-group", "no-such-group-vpnc-test"};
	c = NULL;
	CHECK(vpnc_config_load(profile, 0, NULL, NULL, &c, err, sizeof(err)) == 0 && !c->control_group_set);
	vpnc_config_free(c);
	c = NULL;
	CHECK(vpnc_config_load(profile, 2, grp, NULL, &c, err, sizeof(err)) == 0 && c->control_group_set &&
	      c->control_gid == 65534);
	vpnc_config_free(c);
	c = NULL;
	err[0] = '\0';
	CHECK(vpnc_config_load(profile, 2, grp_root, NULL, &c, err, sizeof(err)) < 0 && HAS(err, "gid 0"));
	err[0] = '\0';
	CHECK(vpnc_config_load(profile, 2, grp_none, NULL, &c, err, sizeof(err)) < 0 &&
	      HAS(err, "control-socket-group") && HAS(err, "no such group"));

	/* `vpnc --config FILE`: the file is remembered for the instance name and the header. */
	char *cmdline[] = {"--config", (char *)profile, "--verb", "3"};
	c = NULL;
	CHECK(vpnc_config_load(NULL, 4, cmdline, NULL, &c, err, sizeof(err)) == 0 && c->path == NULL &&
	      strcmp(c->cmdline_config, profile) == 0);
	vpnc_config_free(c);
	c = NULL;
	CHECK(vpnc_config_load(profile, 0, NULL, NULL, &c, err, sizeof(err)) == 0 && c->cmdline_config[0] == '\0');
	vpnc_config_free(c);
}

/* The DNS mode in force and the last network event, in JSON and text, from the fixed structs. */
static void test_dns_netev(void)
{
	static struct vpnc_push push;
	static char out[VPNC_STATUS_MAX];
	struct vpnc_status_snap s = {
		.state = VPNC_STATUS_CONNECTED,
		.instance = "work",
		.push = &push,
		.dns_backend = "resolved",
		.dns_scope = "full-tunnel",
	};
	char line[192];

	fill_push(&push);
	CHECK(vpnc_status_json(&s, NOW, out, sizeof(out)) > 0 && json_ok(out));
	CHECK(HAS(out, "\"failed\":false,\"error\":null,\"backend\":\"resolved\",\"scope\":\"full-tunnel\"}"), "%s", out);
	CHECK(HAS(out, "\"network_event\":null"));
	CHECK(status_text(&s, NOW, out, sizeof(out)) > 0);
	CHECK(HAS(out, "dns mode:     resolved, full tunnel (every name goes to the VPN)\n"), "%s", out);
	CHECK(!HAS(out, "network:"));
	s.dns_backend = "resolved";
	s.dns_scope = "domains";
	CHECK(status_text(&s, NOW, out, sizeof(out)) > 0);
	CHECK(HAS(out, "dns mode:     resolved, split (only the tunnel's domains go to the VPN)\n"), "%s", out);
	s.dns_backend = "file";
	s.dns_scope = "first";
	CHECK(status_text(&s, NOW, out, sizeof(out)) > 0);
	CHECK(HAS(out, "dns mode:     file, split (the VPN's servers are asked first)\n"), "%s", out);
	s.dns_backend = "none";
	s.dns_scope = NULL;
	CHECK(status_text(&s, NOW, out, sizeof(out)) > 0);
	CHECK(HAS(out, "dns mode:     none\n"), "%s", out);
	CHECK(vpnc_status_json(&s, NOW, out, sizeof(out)) > 0 && json_ok(out));
	CHECK(HAS(out, "\"backend\":\"none\",\"scope\":null}"), "%s", out);

	/* A moved socket whose probe was answered. */
	s.netev = (struct vpnc_status_netev){.kind = VPNC_NETEV_SRC_CHANGED, .action = VPNC_NETACT_ANSWERED,
	                                     .socket_moved = true, .ifname = "eth0", .at = NOW - 12,
	                                     .answer_ms = 110};
	vpnc_status_netev_text(&s.netev, NOW, line, sizeof(line));
	CHECK(strcmp(line, "12 s ago: source address changed on eth0; socket moved, probe answered in 110 ms") == 0,
	      "%s", line);
	CHECK(status_text(&s, NOW, out, sizeof(out)) > 0);
	CHECK(HAS(out, "network:      12 s ago: source address changed on eth0; socket moved, probe answered in 110 ms\n"),
	      "%s", out);
	CHECK(vpnc_status_json(&s, NOW, out, sizeof(out)) > 0 && json_ok(out));
	CHECK(HAS(out, "\"network_event\":{\"event\":\"source-address-changed\",\"interface\":\"eth0\","
	               "\"at\":\"2027-01-15T07:59:48Z\",\"seconds_ago\":12,\"action\":\"probe-answered\","
	               "\"socket_moved\":true,\"probe_failed\":false,\"probe_ms\":110,"), "%s", out);
	/* The route gone: no interface named; waiting. */
	s.netev = (struct vpnc_status_netev){.kind = VPNC_NETEV_ROUTE_GONE, .action = VPNC_NETACT_WAITING,
	                                     .at = NOW - 3};
	vpnc_status_netev_text(&s.netev, NOW, line, sizeof(line));
	CHECK(strcmp(line, "3 s ago: route to the server gone; waiting") == 0, "%s", line);
	CHECK(vpnc_status_json(&s, NOW, out, sizeof(out)) > 0 && json_ok(out));
	CHECK(HAS(out, "\"interface\":null") && HAS(out, "\"probe_ms\":null"), "%s", out);
	/* The route through a link without carrier: its interface named; waiting. */
	s.netev = (struct vpnc_status_netev){.kind = VPNC_NETEV_NO_CARRIER, .action = VPNC_NETACT_WAITING,
	                                     .ifname = "eth0", .at = NOW - 2};
	vpnc_status_netev_text(&s.netev, NOW, line, sizeof(line));
	CHECK(strcmp(line, "2 s ago: no carrier on eth0; waiting") == 0, "%s", line);
	CHECK(vpnc_status_json(&s, NOW, out, sizeof(out)) > 0 && json_ok(out));
	CHECK(HAS(out, "\"event\":\"no-carrier\",\"interface\":\"eth0\"") && HAS(out, "\"action\":\"waiting\""),
	      "%s", out);
	/* A resume whose probe went unanswered, then a new session. */
	s.netev = (struct vpnc_status_netev){.kind = VPNC_NETEV_RESUMED, .action = VPNC_NETACT_RECONNECTED,
	                                     .probe_failed = true, .ifname = "wlan0", .at = NOW - 65};
	vpnc_status_netev_text(&s.netev, NOW, line, sizeof(line));
	CHECK(strcmp(line, "65 s ago: resumed from sleep on wlan0; no answer to the probe; reconnected") == 0,
	      "%s", line);
	/* A control character in an interface name never reaches the terminal; a cut line stays a string. */
	s.netev.ifname[0] = '\x1b';
	CHECK(status_text(&s, NOW, out, sizeof(out)) > 0 && !HAS(out, "\x1b"));
	vpnc_status_netev_text(&s.netev, NOW, line, 10);
	CHECK(strlen(line) == 9);
	/* The clock went back: never a negative age. */
	s.netev.at = NOW + 5;
	vpnc_status_netev_text(&s.netev, NOW, line, sizeof(line));
	CHECK(strncmp(line, "0 s ago: ", 9) == 0, "%s", line);
}

int main(void)
{
	test_json();
	test_dns_netev();
	test_escaping();
	test_text();
	test_units();
	test_overflow();
	test_parse_time();
	test_find_expires();
	test_cert();
	test_level();
	test_ctlpath();
	test_config_option();
	printf("test_status: %u passed, %u failed\n", passed, failed);
	return failed != 0;
}
