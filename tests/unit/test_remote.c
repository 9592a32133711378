/*
 * test_remote.c: the remote selection of the daemon (src/daemon/remote.c):
 * config order, remote-random with an injected RNG, falling back from UDP
 * remotes to TCP ones, the same remote after a session that was up, each
 * address of a name before the next remote, connect-retry-max counting, and
 * the pause schedule (connect-retry, doubling after five passes, capped).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "vpnc/config.h"
/* remote.c is part of the daemon, not of vpnc_core: compile it in. */
#include "../../src/daemon/remote.c"

#include "../check.h"

static int expect_fail; /* the next parse() is meant to fail: no message */

static struct vpnc_config *parse(const char *text)
{
	struct vpnc_config *c = NULL;
	char err[256] = "";

	if (vpnc_config_parse_text("test", text, strlen(text), NULL, &c, err, sizeof(err)) < 0) {
		if (!expect_fail)
			fprintf(stderr, "config: %s\n", err);
		return NULL;
	}
	return c;
}

#define PKI "client\ndev tun\nnobind\n<ca>\nCA\n</ca>\nauth-user-pass\n"

static void test_order_and_fallback(void)
{
	/* eduVPN style: UDP remotes first, TCP ones after. */
	struct vpnc_config *c = parse(PKI "remote a.example 1194 udp\nremote b.example 1194 udp6\n"
	                                  "remote a.example 443 tcp\nremote b.example 443 tcp6\n"
	                                  "server-poll-timeout 10\n");
	struct vpnc_remote_sel s;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK(c->server_poll_timeout == 10);
	vpnc_remote_init(&s, c, NULL, NULL);
	CHECK(strcmp(vpnc_remote_current(&s)->host, "a.example") == 0);
	CHECK(vpnc_remote_current(&s)->transport == VPNC_TRANSPORT_UDP);
	/* UDP gets no answer: on to the next remote at once, twice, then TCP. */
	CHECK(vpnc_remote_advance(&s, VPNC_REMOTE_POLL_TIMEOUT, false) == VPNC_REMOTE_STEP_RESOLVE);
	CHECK(vpnc_remote_pause_s(&s, VPNC_REMOTE_POLL_TIMEOUT, false) == 0);
	CHECK(strcmp(vpnc_remote_current(&s)->host, "b.example") == 0);
	CHECK(vpnc_remote_current(&s)->family == AF_INET6);
	CHECK(vpnc_remote_advance(&s, VPNC_REMOTE_POLL_TIMEOUT, false) == VPNC_REMOTE_STEP_RESOLVE);
	CHECK(vpnc_remote_current(&s)->transport == VPNC_TRANSPORT_TCP);
	CHECK(strcmp(vpnc_remote_current(&s)->port, "443") == 0);
	/* Several addresses for a name: each before the next remote, without counting a failure. */
	unsigned before = s.failures;
	CHECK(vpnc_remote_advance(&s, VPNC_REMOTE_FAILED, true) == VPNC_REMOTE_STEP_NEXT_ADDR);
	CHECK(s.failures == before);
	CHECK(strcmp(vpnc_remote_current(&s)->port, "443") == 0);
	CHECK(vpnc_remote_advance(&s, VPNC_REMOTE_FAILED, false) == VPNC_REMOTE_STEP_RESOLVE);
	CHECK(vpnc_remote_current(&s)->family == AF_INET6 &&
	      vpnc_remote_current(&s)->transport == VPNC_TRANSPORT_TCP);
	/* And round again. */
	CHECK(vpnc_remote_advance(&s, VPNC_REMOTE_FAILED, false) == VPNC_REMOTE_STEP_RESOLVE);
	CHECK(strcmp(vpnc_remote_current(&s)->host, "a.example") == 0 &&
	      vpnc_remote_current(&s)->transport == VPNC_TRANSPORT_UDP);
	vpnc_config_free(c);
}

static void test_connection_blocks(void)
{
	struct vpnc_config *c = parse(PKI "<connection>\nremote one.example 1194\nproto udp\n</connection>\n"
	                                  "<connection>\nremote two.example\nport 443\nproto tcp-client\n"
	                                  "</connection>\n");
	struct vpnc_remote_sel s;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	vpnc_remote_init(&s, c, NULL, NULL);
	CHECK(s.n == 2);
	CHECK(strcmp(vpnc_remote_current(&s)->host, "one.example") == 0);
	CHECK(vpnc_remote_advance(&s, VPNC_REMOTE_FAILED, false) == VPNC_REMOTE_STEP_RESOLVE);
	CHECK(strcmp(vpnc_remote_current(&s)->host, "two.example") == 0);
	CHECK(vpnc_remote_current(&s)->transport == VPNC_TRANSPORT_TCP);
	CHECK(strcmp(vpnc_remote_current(&s)->port, "443") == 0);
	vpnc_config_free(c);
}

/* An RNG that replays a script of values. */
struct script_rng {
	const unsigned *v;
	size_t n, i;
	unsigned calls;
};

static unsigned script_rand(void *ctx, unsigned bound)
{
	struct script_rng *r = ctx;
	unsigned v = r->v[r->i++ % r->n];

	r->calls++;
	return v % bound;
}

static void test_remote_random(void)
{
	struct vpnc_config *c = parse(PKI "remote-random\nremote r0\nremote r1\nremote r2\nremote r3\n");
	/* Fisher-Yates from the end: i=4 -> j=0 (swap 3,0), i=3 -> j=0 (swap 2,0), i=2 -> j=1. */
	static const unsigned script[] = {0, 0, 1};
	struct script_rng rng = {script, 3, 0, 0};
	struct vpnc_remote_sel s;
	const char *want[] = {"r2", "r1", "r3", "r0"};

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK(c->remote_random);
	vpnc_remote_init(&s, c, script_rand, &rng);
	CHECK(rng.calls == 3);
	for (int i = 0; i < 4; i++) {
		CHECK(strcmp(vpnc_remote_current(&s)->host, want[i]) == 0);
		(void)vpnc_remote_advance(&s, VPNC_REMOTE_FAILED, false);
	}
	/* The order stays for the whole run: the fifth attempt is the first again. */
	CHECK(strcmp(vpnc_remote_current(&s)->host, "r2") == 0);
	/* Every remote appears exactly once. */
	int seen = 0;
	for (size_t i = 0; i < s.n; i++)
		seen |= 1 << s.order[i];
	CHECK(seen == 0xf);
	vpnc_config_free(c);

	/* Without remote-random the RNG is not used. */
	c = parse(PKI "remote r0\nremote r1\n");
	rng.calls = 0;
	if (c != NULL) {
		vpnc_remote_init(&s, c, script_rand, &rng);
		CHECK(rng.calls == 0 && strcmp(vpnc_remote_current(&s)->host, "r0") == 0);
		vpnc_config_free(c);
	}
}

static void test_retry_counting(void)
{
	struct vpnc_config *c = parse(PKI "remote r0\nremote r1\nconnect-retry-max 2\n");
	struct vpnc_remote_sel s;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK(c->connect_retry_max == 2);
	vpnc_remote_init(&s, c, NULL, NULL);
	/* Each remote is tried twice: r0 r1 r0 r1, then it is over. */
	CHECK(vpnc_remote_advance(&s, VPNC_REMOTE_FAILED, false) == VPNC_REMOTE_STEP_RESOLVE);
	CHECK(vpnc_remote_advance(&s, VPNC_REMOTE_FAILED, false) == VPNC_REMOTE_STEP_RESOLVE);
	CHECK(vpnc_remote_advance(&s, VPNC_REMOTE_FAILED, false) == VPNC_REMOTE_STEP_RESOLVE);
	CHECK(strcmp(vpnc_remote_current(&s)->host, "r1") == 0);
	CHECK(vpnc_remote_advance(&s, VPNC_REMOTE_FAILED, false) == -ETIMEDOUT);

	/* A session that was up resets the count, and the first retry goes to the same server. */
	vpnc_remote_init(&s, c, NULL, NULL);
	CHECK(vpnc_remote_advance(&s, VPNC_REMOTE_FAILED, false) == VPNC_REMOTE_STEP_RESOLVE);
	CHECK(vpnc_remote_advance(&s, VPNC_REMOTE_FAILED, false) == VPNC_REMOTE_STEP_RESOLVE);
	vpnc_remote_connected(&s);
	CHECK(s.failures == 0);
	CHECK(vpnc_remote_advance(&s, VPNC_REMOTE_FAILED, true) == VPNC_REMOTE_STEP_SAME_ADDR);
	CHECK(strcmp(vpnc_remote_current(&s)->host, "r0") == 0);
	/* The second failure moves on (to the next address first). */
	CHECK(vpnc_remote_advance(&s, VPNC_REMOTE_FAILED, true) == VPNC_REMOTE_STEP_NEXT_ADDR);
	CHECK(vpnc_remote_advance(&s, VPNC_REMOTE_FAILED, false) == VPNC_REMOTE_STEP_RESOLVE);
	CHECK(strcmp(vpnc_remote_current(&s)->host, "r1") == 0);

	/* RESTART,[N] from the server skips the "same server first" rule. */
	vpnc_remote_connected(&s);
	CHECK(vpnc_remote_advance(&s, VPNC_REMOTE_NEXT, false) == VPNC_REMOTE_STEP_RESOLVE);
	CHECK(strcmp(vpnc_remote_current(&s)->host, "r0") == 0);
	/* AUTH_FAILED with auth-retry: the same address, not counted. */
	unsigned f = s.failures;
	CHECK(vpnc_remote_advance(&s, VPNC_REMOTE_SAME, true) == VPNC_REMOTE_STEP_SAME_ADDR);
	CHECK(s.failures == f && strcmp(vpnc_remote_current(&s)->host, "r0") == 0);
	vpnc_config_free(c);
}

static void test_pause(void)
{
	struct vpnc_config *c = parse(PKI "remote r0\nremote r1\nconnect-retry 2 20\n");
	struct vpnc_remote_sel s;
	unsigned want[] = {2, 2, 2, 2, 2, 2, 2, 2, 4, 4, 8, 8, 16, 16, 20, 20, 20};

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK(c->connect_retry == 2 && c->connect_retry_max_delay == 20);
	vpnc_remote_init(&s, c, NULL, NULL);
	/*
	 * connect-retry seconds for five passes over the list (the first attempt counts), then
	 * doubling per pass, capped at the maximum: OpenVPN's socket_restart_pause().
	 */
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		(void)vpnc_remote_advance(&s, VPNC_REMOTE_FAILED, false);
		unsigned got = vpnc_remote_pause_s(&s, VPNC_REMOTE_FAILED, false);
		if (got != want[i])
			fprintf(stderr, "pause after %zu failures: %u, want %u\n", i + 1, got, want[i]);
		CHECK(got == want[i]);
	}
	CHECK(vpnc_remote_pause_s(&s, VPNC_REMOTE_POLL_TIMEOUT, false) == 0);
	/* Reset by a session that was up. */
	vpnc_remote_connected(&s);
	CHECK(vpnc_remote_pause_s(&s, VPNC_REMOTE_FAILED, false) == 2);
	/* An unanswered path probe: the same server again, at once. */
	CHECK(vpnc_remote_pause_s(&s, VPNC_REMOTE_PROBE, false) == 0);
	CHECK(vpnc_remote_advance(&s, VPNC_REMOTE_PROBE, false) == VPNC_REMOTE_STEP_SAME_ADDR);
	/* auth-retry nointeract waits 10 s (capped by the maximum). */
	CHECK(vpnc_remote_pause_s(&s, VPNC_REMOTE_SAME, true) == 10);
	vpnc_config_free(c);

	/* Defaults: 1 s, at most 300 s; a huge backoff does not overflow. */
	c = parse(PKI "remote r0\n");
	if (c == NULL)
		return;
	vpnc_remote_init(&s, c, NULL, NULL);
	CHECK(vpnc_remote_pause_s(&s, VPNC_REMOTE_FAILED, false) == 1);
	s.failures = 100000;
	CHECK(vpnc_remote_pause_s(&s, VPNC_REMOTE_FAILED, false) == 300);
	vpnc_config_free(c);
}

static void test_config_options(void)
{
	struct vpnc_config *c = parse(PKI "remote r0\nresolv-retry 30\nauth-retry nointeract\nbind\n");

	CHECK(c != NULL);
	if (c != NULL) {
		CHECK(c->resolv_retry == 30);
		CHECK(c->auth_retry == VPNC_AUTH_RETRY_NOINTERACT);
		CHECK(c->bind && !c->nobind);
		vpnc_config_free(c);
	}
	c = parse(PKI "remote r0\nresolv-retry infinite\nauth-retry interact\n");
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK(c->resolv_retry == -1);
		CHECK(c->auth_retry == VPNC_AUTH_RETRY_INTERACT);
		CHECK(!c->bind && c->connect_retry_max == 0 && c->connect_retry_max_delay == 300);
		vpnc_config_free(c);
	}
	expect_fail = 1;
	c = parse(PKI "remote r0\nauth-retry sometimes\n");
	expect_fail = 0;
	CHECK(c == NULL);
	vpnc_config_free(c);
}

/* remote-random-hostname: 2.6's form "<12 lowercase hex digits>.NAME"; addresses stay. */
static void test_random_hostname(void)
{
	const unsigned char rnd[VPNC_REMOTE_RANDOM_LABEL] = {0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0xff};
	char out[300], longname[256];

	CHECK(vpnc_remote_random_hostname(out, sizeof(out), "cvpn-endpoint-0123.prod.clientvpn.example",
	                                  rnd) == 0);
	CHECK(strcmp(out, "0a1b2c3d4eff.cvpn-endpoint-0123.prod.clientvpn.example") == 0);
	CHECK(vpnc_remote_random_hostname(out, sizeof(out), "192.0.2.1", rnd) == 0 &&
	      strcmp(out, "192.0.2.1") == 0);
	CHECK(vpnc_remote_random_hostname(out, sizeof(out), "2001:db8::1", rnd) == 0 &&
	      strcmp(out, "2001:db8::1") == 0);
	/* Too small a buffer, or a name that would pass DNS's 253 bytes. */
	CHECK(vpnc_remote_random_hostname(out, 20, "vpn.example.org", rnd) == -ENAMETOOLONG);
	memset(longname, 'a', 241);
	longname[241] = '\0';
	CHECK(vpnc_remote_random_hostname(out, sizeof(out), longname, rnd) == -ENAMETOOLONG);
	longname[240] = '\0';
	CHECK(vpnc_remote_random_hostname(out, sizeof(out), longname, rnd) == 0 && strlen(out) == 253);
}

int main(void)
{
	test_random_hostname();
	test_order_and_fallback();
	test_connection_blocks();
	test_remote_random();
	test_retry_counting();
	test_pause();
	test_config_options();
	printf("test_remote: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
