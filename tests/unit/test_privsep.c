/*
 * test_privsep.c: the privileged parent's server (src/priv/privsrv.c) and
 * the child's calls (privcli.c) over a real socketpair, in a network
 * namespace this test creates (needs root; exit 77 otherwise). A forked
 * process plays the parent and serves until the child end closes or
 * misbehaves; the test process plays the child and checks in the kernel
 * what the parent did: the TUN it received works, addresses and routes are
 * there after NET_APPLY, a server the parent never resolved, a malformed
 * message or a VERIFY the profile never asked for makes the parent revert
 * everything and exit 2, and a child that goes away makes it revert
 * everything and exit 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "os/os.h"
#include "priv/privcli.h"
#include "priv/privio.h"
#include "priv/privsrv.h"
#include "vpnc/config.h"
#include "vpnc/push.h"

#include "../check.h"
#include "../privsrv_serve.h"
#include "../netns.h"

static const char PROFILE[] = "client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote 192.0.2.10 1194\n"
                              "dev vpnct%d\ndev-type tun\ndns-mode none\ntun-offload no\n";
static const char REPLY[] = "route-gateway 10.8.0.1,topology subnet,ifconfig 10.8.0.2 255.255.255.0,"
                            "ifconfig-ipv6 fd00:8::1000/64 fd00:8::1,route 192.168.50.0 255.255.255.0,"
                            "route-ipv6 fd00:99::/48,tun-mtu 1400";

static struct vpnc_config *conf;
static struct vpnc_push push;
static struct vpnc_nl *nl;
/* The parent's tls-verify runner (the daemon's is script_verify.c); NULL: none. */
static int (*verify_hook)(void *ctx, const struct vpnc_priv_msg_verify *q);

/* The parent: serves until the child end closes (exit 0) or misbehaves (exit 2), reverting first. */
static pid_t start_parent(int *child_sock)
{
	int sv[2];
	pid_t pid;

	if (vpnc_priv_socketpair(sv) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		struct vpnc_privsrv s;
		int r;

		close(sv[1]);
		if (vpnc_privsrv_init(&s, conf) < 0)
			_exit(3);
		s.verify = verify_hook;
		while ((r = privsrv_serve_one(&s, sv[0])) > 0)
			;
		vpnc_privsrv_free(&s);
		_exit(r == 0 ? 0 : 2);
	}
	close(sv[0]);
	*child_sock = sv[1];
	return pid;
}

static int wait_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static uint8_t *ip4(const char *s)
{
	static uint8_t b[4];

	inet_pton(AF_INET, s, b);
	return b;
}

static uint8_t *ip6(const char *s)
{
	static uint8_t b[16];

	inet_pton(AF_INET6, s, b);
	return b;
}

/* What NET_APPLY put on ifindex, checked in the kernel; want: present or not. */
static void check_applied(int ifindex, bool want, const char *when)
{
	CHECK(vpnc_nl_addr_exists(nl, ifindex, AF_INET, ip4("10.8.0.2"), 24) == want, "%s: address", when);
	CHECK(vpnc_nl_addr_exists(nl, ifindex, AF_INET6, ip6("fd00:8::1000"), 64) == want, "%s: address6", when);
	CHECK(vpnc_nl_route_exists(nl, AF_INET, ip4("192.168.50.0"), 24, NULL, 0) == want, "%s: route", when);
	CHECK(vpnc_nl_route_exists(nl, AF_INET6, ip6("fd00:99::"), 48, NULL, 0) == want, "%s: route6", when);
}

/* TUN_OPEN, NET_APPLY, then the child end goes away: the parent reverts and exits 0. */
static void test_apply_and_child_gone(void)
{
	struct vpnc_tun tun = {.fd = -1}, again = {.fd = -1};
	int sock, off = -1, mtu = 0, ifindex;
	unsigned n_failed = 99;
	pid_t pid = start_parent(&sock);

	CHECK(pid > 0);
	CHECK(vpnc_privc_tun_open(sock, &tun, &off) == 0);
	CHECK(tun.fd >= 0 && strncmp(tun.name, "vpnct", 5) == 0 && off == 0, "%s", tun.name);
	ifindex = (int)if_nametoindex(tun.name);
	CHECK(ifindex > 0 && ifindex == tun.ifindex);
	CHECK(fcntl(tun.fd, F_GETFD) & FD_CLOEXEC, "the passed fd is close-on-exec");
	/* A second TUN_OPEN hands out the same device. */
	CHECK(vpnc_privc_tun_open(sock, &again, &off) == 0 && again.ifindex == tun.ifindex);
	close(again.fd);

	CHECK(vpnc_privc_net_apply(sock, &push, NULL, &mtu, &n_failed, NULL, NULL) == 0);
	CHECK(mtu == 1400 && n_failed == 0, "mtu %d failed %u", mtu, n_failed);
	check_applied(ifindex, true, "applied");
	/* The same push again keeps everything; an unapply removes it; apply again. */
	CHECK(vpnc_privc_net_apply(sock, &push, NULL, &mtu, &n_failed, NULL, NULL) == 0);
	check_applied(ifindex, true, "re-applied");
	CHECK(vpnc_privc_simple(sock, VPNC_PRIV_NET_UNAPPLY) == 0);
	check_applied(ifindex, false, "unapplied");
	CHECK(vpnc_privc_net_apply(sock, &push, NULL, &mtu, &n_failed, NULL, NULL) == 0);
	check_applied(ifindex, true, "applied again");
	/* REPIN without a host route to the server: nothing to move. */
	CHECK(vpnc_privc_simple(sock, VPNC_PRIV_REPIN) == -ENOENT);

	/* The child dies (its end closes; the TUN fd it holds goes with it). */
	close(sock);
	close(tun.fd);
	CHECK(wait_status(pid) == 0);
	check_applied(ifindex, false, "after the child went away");
	CHECK(if_nametoindex(tun.name) == 0, "the TUN is gone with the parent");
}

/* RESOLVE gives the remote's addresses; only those may be NET_APPLY's server. */
static void test_server_must_be_resolved(void)
{
	struct vpnc_tun tun = {.fd = -1};
	struct vpnc_priv_msg_addrs a;
	struct sockaddr_in known = {.sin_family = AF_INET, .sin_port = htons(1194)};
	struct sockaddr_in other = {.sin_family = AF_INET, .sin_port = htons(1194)};
	int sock, off, mtu, ifindex;
	unsigned n_failed;
	pid_t pid = start_parent(&sock);

	inet_pton(AF_INET, "192.0.2.10", &known.sin_addr);
	inet_pton(AF_INET, "198.51.100.1", &other.sin_addr);
	CHECK(vpnc_privc_tun_open(sock, &tun, &off) == 0);
	ifindex = tun.ifindex;
	CHECK(vpnc_privc_resolve(sock, 0, VPNC_PRIV_RESOLVE_CONNECT, &a) == 0);
	CHECK(a.n == 1 && a.addrs[0].family == AF_INET && a.addrs[0].port == htons(1194) &&
	      memcmp(a.addrs[0].addr, &known.sin_addr, 4) == 0);
	CHECK(vpnc_privc_net_apply(sock, &push, (struct sockaddr *)&known, &mtu, &n_failed, NULL, NULL) == 0);
	check_applied(ifindex, true, "applied with the resolved server");
	/* Another server: the parent takes the child for compromised, reverts, exits 2. */
	CHECK(vpnc_privc_net_apply(sock, &push, (struct sockaddr *)&other, &mtu, &n_failed, NULL, NULL) == -ECONNRESET);
	CHECK(wait_status(pid) == 2);
	check_applied(ifindex, false, "after a server never resolved");
	close(sock);
	close(tun.fd);

	/* A remote index beyond the profile's: the same. */
	pid = start_parent(&sock);
	CHECK(vpnc_privc_resolve(sock, 1, VPNC_PRIV_RESOLVE_CONNECT, &a) == -ECONNRESET);
	CHECK(wait_status(pid) == 2);
	close(sock);
}

/*
 * Through a SOCKS proxy: RESOLVE gives the proxy's address (the only server
 * NET_APPLY may name), RESOLVE SOCKS_SERVER the server's own for the UDP
 * header (never a server NET_APPLY may name), RELAY is answered; a SOCKS
 * server or a RELAY for a remote without a SOCKS proxy over UDP makes the
 * parent exit 2, as does a RELAY in a profile without any.
 */
static const char SOCKS_PROFILE[] = "client\n<ca>\nCA\n</ca>\nauth-user-pass\ndev vpnct%d\ndev-type tun\n"
                                    "dns-mode none\ntun-offload no\n"
                                    "<connection>\nremote 127.0.0.1 1194 udp\nsocks-proxy 192.0.2.20 1080\n"
                                    "</connection>\n<connection>\nremote 192.0.2.30 443 tcp\n"
                                    "socks-proxy 192.0.2.21\n</connection>\n"
                                    "<connection>\nremote 192.0.2.40 1194 udp\n</connection>\n";

static void test_socks(void)
{
	struct vpnc_config *saved = conf;
	struct vpnc_tun tun = {.fd = -1};
	struct vpnc_priv_msg_addrs a;
	struct sockaddr_in proxy = {.sin_family = AF_INET, .sin_port = htons(1080)};
	struct sockaddr_in server = {.sin_family = AF_INET, .sin_port = htons(1194)};
	struct sockaddr_in relay = {.sin_family = AF_INET, .sin_port = htons(40000)};
	char err[256];
	int sock, off, mtu, ifindex;
	unsigned n_failed;
	pid_t pid;

	inet_pton(AF_INET, "192.0.2.20", &proxy.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
	inet_pton(AF_INET, "198.51.100.7", &relay.sin_addr);
	if (vpnc_config_parse_text("s.ovpn", SOCKS_PROFILE, sizeof(SOCKS_PROFILE) - 1, NULL, &conf, err,
	                           sizeof(err)) < 0) {
		CHECK(0, "socks profile: %s", err);
		conf = saved;
		return;
	}
	CHECK(conf->privsep, "privsep stays on with socks-proxy");
	pid = start_parent(&sock);
	CHECK(vpnc_privc_tun_open(sock, &tun, &off) == 0);
	ifindex = tun.ifindex;
	/* What vpnc connects to: the proxy. */
	CHECK(vpnc_privc_resolve(sock, 0, VPNC_PRIV_RESOLVE_CONNECT, &a) == 0);
	CHECK(a.n == 1 && a.what == VPNC_PRIV_RESOLVE_CONNECT && a.addrs[0].family == AF_INET &&
	      a.addrs[0].port == htons(1080) && memcmp(a.addrs[0].addr, &proxy.sin_addr, 4) == 0);
	/* The server behind it, for the SOCKS UDP header. */
	CHECK(vpnc_privc_resolve(sock, 0, VPNC_PRIV_RESOLVE_SOCKS_SERVER, &a) == 0);
	CHECK(a.n == 1 && a.what == VPNC_PRIV_RESOLVE_SOCKS_SERVER && a.addrs[0].port == htons(1194) &&
	      memcmp(a.addrs[0].addr, &server.sin_addr, 4) == 0);
	/* The TCP remote's proxy, on its default port. */
	CHECK(vpnc_privc_resolve(sock, 1, VPNC_PRIV_RESOLVE_CONNECT, &a) == 0);
	CHECK(a.n == 1 && a.addrs[0].port == htons(1080));
	CHECK(vpnc_privc_relay(sock, 0, (struct sockaddr *)&relay) == 0);
	CHECK(vpnc_privc_relay(sock, 0, (struct sockaddr *)&relay) == 0, "the same relay again");
	/* An address the check refuses is not even sent. */
	relay.sin_addr.s_addr = htonl(0xE0000001);
	CHECK(vpnc_privc_relay(sock, 0, (struct sockaddr *)&relay) == -EADDRNOTAVAIL);
	CHECK(vpnc_privc_net_apply(sock, &push, (struct sockaddr *)&proxy, &mtu, &n_failed, NULL, NULL) == 0);
	check_applied(ifindex, true, "applied with the proxy as the server");
	/* The server's own address was never something to connect to. */
	CHECK(vpnc_privc_net_apply(sock, &push, (struct sockaddr *)&server, &mtu, &n_failed, NULL, NULL) ==
	      -ECONNRESET);
	CHECK(wait_status(pid) == 2);
	check_applied(ifindex, false, "after the SOCKS server as NET_APPLY's server");
	close(sock);
	close(tun.fd);

	/* Requests only a SOCKS UDP remote may make, for the TCP one (1) and the direct one (2). */
	for (int round = 0; round < 4; round++) {
		unsigned idx = round < 2 ? 1 : 2;

		inet_pton(AF_INET, "198.51.100.7", &relay.sin_addr);
		pid = start_parent(&sock);
		if (round % 2 == 0)
			CHECK(vpnc_privc_resolve(sock, idx, VPNC_PRIV_RESOLVE_SOCKS_SERVER, &a) == -ECONNRESET,
			      "round %d", round);
		else
			CHECK(vpnc_privc_relay(sock, idx, (struct sockaddr *)&relay) == -ECONNRESET, "round %d",
			      round);
		CHECK(wait_status(pid) == 2, "round %d", round);
		close(sock);
	}
	vpnc_config_free(conf);
	conf = saved;

	/* A profile without a proxy: no relay at all. */
	pid = start_parent(&sock);
	CHECK(vpnc_privc_relay(sock, 0, (struct sockaddr *)&relay) == -ECONNRESET);
	CHECK(wait_status(pid) == 2);
	close(sock);
}

/* Malformed messages: one byte short, a reply type from the child, a descriptor riding along. */
static void test_malformed(void)
{
	struct vpnc_priv_hdr h;
	int sock, off, ifindex;
	struct vpnc_tun tun = {.fd = -1};
	unsigned n_failed;
	int mtu;
	pid_t pid;

	for (int round = 0; round < 3; round++) {
		pid = start_parent(&sock);
		CHECK(vpnc_privc_tun_open(sock, &tun, &off) == 0);
		ifindex = tun.ifindex;
		CHECK(vpnc_privc_net_apply(sock, &push, NULL, &mtu, &n_failed, NULL, NULL) == 0);
		if (round == 0) {
			vpnc_priv_hdr_init(&h, VPNC_PRIV_TUN_OPEN);
			CHECK(vpnc_priv_send(sock, &h, sizeof(h) - 1, -1) == 0);
		} else if (round == 1) {
			vpnc_priv_hdr_init(&h, VPNC_PRIV_RESULT);
			CHECK(vpnc_priv_send(sock, &h, sizeof(h), -1) == 0);
		} else {
			vpnc_priv_hdr_init(&h, VPNC_PRIV_REPIN);
			CHECK(vpnc_priv_send(sock, &h, sizeof(h), tun.fd) == 0);
		}
		CHECK(wait_status(pid) == 2, "round %d", round);
		check_applied(ifindex, false, "after a malformed message");
		close(sock);
		close(tun.fd);
		CHECK(if_nametoindex(tun.name) == 0);
	}
}

/* The "script": accepts the subject CN=good only. */
static int verify_good(void *ctx, const struct vpnc_priv_msg_verify *q)
{
	(void)ctx;
	return strcmp(q->subject, "CN=good") == 0 ? 0 : -1;
}

/* A certificate as the network process describes it (core/tls.h); valid for vpnc_priv_check(). */
static void cert_info(struct vpnc_tls_cert_info *ci, const char *subject, bool pem)
{
	static const char sha1[] = "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33";
	static const char sha256[] = "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:"
	                             "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff";

	memset(ci, 0, sizeof(*ci));
	ci->depth = 0;
	snprintf(ci->subject, sizeof(ci->subject), "%s", subject);
	snprintf(ci->serial, sizeof(ci->serial), "4660");
	snprintf(ci->serial_hex, sizeof(ci->serial_hex), "12:34");
	memcpy(ci->sha1, sha1, sizeof(sha1));
	memcpy(ci->sha256, sha256, sizeof(sha256));
	snprintf(ci->x509, sizeof(ci->x509), "X509_0_CN=%s\n", subject + 3);
	if (pem)
		snprintf(ci->pem, sizeof(ci->pem), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
}

/*
 * VERIFY: in a profile without tls-verify and tls-export-cert it is a request
 * that is not allowed (the parent reverts and exits 2, as for SIGN without a
 * token), whatever the parent could answer; with tls-verify the script's
 * verdict is the reply, and a certificate's PEM without tls-export-cert is
 * again not allowed.
 */
static void test_verify(void)
{
	static const char VERIFY_PROFILE[] = "client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote 192.0.2.10 1194\n"
	                                     "dev vpnct%d\ndev-type tun\ndns-mode none\ntun-offload no\n"
	                                     "script-security 2\ntls-verify /bin/true\n";
	struct vpnc_config *saved = conf;
	struct vpnc_tls_cert_info ci;
	struct vpnc_tun tun = {.fd = -1};
	int sock, off, mtu, ifindex;
	unsigned n_failed;
	char err[256];
	pid_t pid;

	/* No tls-verify: refused although a runner is there to answer. */
	verify_hook = verify_good;
	pid = start_parent(&sock);
	CHECK(vpnc_privc_tun_open(sock, &tun, &off) == 0);
	ifindex = tun.ifindex;
	CHECK(vpnc_privc_net_apply(sock, &push, NULL, &mtu, &n_failed, NULL, NULL) == 0);
	check_applied(ifindex, true, "applied before VERIFY");
	cert_info(&ci, "CN=good", false);
	CHECK(vpnc_privc_verify(sock, &ci) == -ECONNRESET, "VERIFY without tls-verify is not answered");
	CHECK(wait_status(pid) == 2);
	check_applied(ifindex, false, "after VERIFY without tls-verify");
	close(sock);
	close(tun.fd);
	CHECK(if_nametoindex(tun.name) == 0);

	if (vpnc_config_parse_text("v.ovpn", VERIFY_PROFILE, sizeof(VERIFY_PROFILE) - 1, NULL, &conf, err,
	                           sizeof(err)) < 0) {
		CHECK(0, "tls-verify profile: %s", err);
		conf = saved;
		verify_hook = NULL;
		return;
	}
	/* With tls-verify: the runner's verdict, each time; an exit 0 once the child goes. */
	pid = start_parent(&sock);
	cert_info(&ci, "CN=good", false);
	CHECK(vpnc_privc_verify(sock, &ci) == 0, "accepted");
	cert_info(&ci, "CN=evil", false);
	CHECK(vpnc_privc_verify(sock, &ci) == -EPERM, "rejected");
	close(sock);
	CHECK(wait_status(pid) == 0);
	/* No runner: every certificate is rejected, nothing is accepted by default. */
	verify_hook = NULL;
	pid = start_parent(&sock);
	cert_info(&ci, "CN=good", false);
	CHECK(vpnc_privc_verify(sock, &ci) == -EPERM, "no runner: rejected");
	close(sock);
	CHECK(wait_status(pid) == 0);
	/* A PEM block the profile did not ask for (no tls-export-cert). */
	verify_hook = verify_good;
	pid = start_parent(&sock);
	cert_info(&ci, "CN=good", true);
	CHECK(vpnc_privc_verify(sock, &ci) == -ECONNRESET, "a PEM without tls-export-cert");
	CHECK(wait_status(pid) == 2);
	close(sock);
	vpnc_config_free(conf);
	conf = saved;
	verify_hook = NULL;
}

int main(void)
{
	char err[256];

	if (!netns_enter()) {
		printf("test_privsep: needs root and /dev/net/tun, skipped\n");
		return 77;
	}
	signal(SIGPIPE, SIG_IGN);
	if (vpnc_config_parse_text("t.ovpn", PROFILE, sizeof(PROFILE) - 1, NULL, &conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "profile: %s\n", err);
		return 1;
	}
	vpnc_push_init(&push);
	CHECK(vpnc_push_parse(&push, REPLY, sizeof(REPLY) - 1, NULL, NULL) == 0);
	CHECK(vpnc_nl_open(&nl) == 0);
	test_apply_and_child_gone();
	test_server_must_be_resolved();
	test_malformed();
	test_socks();
	test_verify();
	vpnc_nl_close(nl);
	vpnc_config_free(conf);
	printf("test_privsep: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
