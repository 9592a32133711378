/*
 * test_killswitch.c: the kill switch's rule text and its kernel side
 * (src/os/killswitch*.c): chain names from instance names, interface name
 * checks, resolv.conf parsing, the generated commands, and then, when run as
 * root, the rules applied for real by libnftables in a network namespace of
 * the test's own (unshare): two instances share the table, each update
 * replaces the rules, and removing the last instance removes the table.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <nftables/libnftables.h>

#include "os/killswitch.h"

#include "../check.h"

static void test_names(void)
{
	char s[64];

	CHECK(vpnc_ks_chain_suffix("work", s, sizeof(s)) == 0);
	CHECK_STR(s, "work");
	CHECK(vpnc_ks_chain_suffix("a.b@c-d_e", s, sizeof(s)) == 0);
	CHECK_STR(s, "a_2eb_40c_2dd_5fe");
	/* '_' is escaped too, so "a_" and "a." never share chains. */
	CHECK(vpnc_ks_chain_suffix("a_", s, sizeof(s)) == 0);
	CHECK_STR(s, "a_5f");
	CHECK(vpnc_ks_chain_suffix("", s, sizeof(s)) == -EINVAL);
	CHECK(vpnc_ks_chain_suffix("abcd", s, 4) == -ENOSPC);

	CHECK(vpnc_ks_ifname_valid("tun0") == 0);
	CHECK(vpnc_ks_ifname_valid("vpnc-nm1") == 0);
	CHECK(vpnc_ks_ifname_valid("") == -EINVAL);
	CHECK(vpnc_ks_ifname_valid("0123456789abcdef") == -EINVAL); /* 16 bytes */
	CHECK(vpnc_ks_ifname_valid("..") == -EINVAL);
	CHECK(vpnc_ks_ifname_valid("tun*") == -EINVAL); /* an nftables wildcard */
	CHECK(vpnc_ks_ifname_valid("a\"b") == -EINVAL);
	CHECK(vpnc_ks_ifname_valid("a b") == -EINVAL);
	CHECK(vpnc_ks_ifname_valid("a/b") == -EINVAL);
	CHECK(vpnc_ks_ifname_valid("a:b") == -EINVAL);
	CHECK(vpnc_ks_ifname_valid("t\xc3\xa4") == -EINVAL);
}

static void test_allow(void)
{
	static struct vpnc_ks_allow a;
	struct sockaddr_in6 s6;

	memset(&a, 0, sizeof(a));
	CHECK(vpnc_ks_add_literal(&a, "192.0.2.1", "1194", IPPROTO_UDP) == 1);
	CHECK(vpnc_ks_add_literal(&a, "192.0.2.1", "1194", IPPROTO_UDP) == 0);
	CHECK(vpnc_ks_add_literal(&a, "192.0.2.1", "1194", IPPROTO_TCP) == 1);
	CHECK(vpnc_ks_add_literal(&a, "vpn.example.org", "1194", IPPROTO_UDP) == -EINVAL);
	CHECK(vpnc_ks_add_literal(&a, "192.0.2.1", "65536", IPPROTO_UDP) == -EINVAL);
	CHECK(vpnc_ks_add_literal(&a, "192.0.2.1", "0", IPPROTO_UDP) == -EINVAL);
	CHECK(vpnc_ks_add_literal(&a, "192.0.2.1", "1194 ", IPPROTO_UDP) == -EINVAL);
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(443);
	inet_pton(AF_INET6, "2001:db8::1", &s6.sin6_addr);
	CHECK(vpnc_ks_add_endpoint(&a, (struct sockaddr *)&s6, IPPROTO_TCP) == 1);
	CHECK(vpnc_ks_add_endpoint(&a, (struct sockaddr *)&s6, IPPROTO_TCP) == 0);
	CHECK(vpnc_ks_add_endpoint(&a, (struct sockaddr *)&s6, IPPROTO_ICMP) == -EINVAL);
	CHECK(a.n_ep == 3);
	/* Removing (a SOCKS relay replaced): only the exact endpoint goes, the others keep their order. */
	CHECK(vpnc_ks_del_endpoint(&a, (struct sockaddr *)&s6, IPPROTO_UDP) == 0, "another protocol");
	s6.sin6_port = htons(444);
	CHECK(vpnc_ks_del_endpoint(&a, (struct sockaddr *)&s6, IPPROTO_TCP) == 0, "another port");
	s6.sin6_port = htons(443);
	CHECK(vpnc_ks_del_endpoint(&a, (struct sockaddr *)&s6, IPPROTO_ICMP) == -EINVAL);
	CHECK(vpnc_ks_add_literal(&a, "192.0.2.9", "1194", IPPROTO_UDP) == 1);
	CHECK(vpnc_ks_del_endpoint(&a, (struct sockaddr *)&s6, IPPROTO_TCP) == 1 && a.n_ep == 3);
	CHECK(a.ep[0].port == 1194 && a.ep[0].proto == IPPROTO_UDP && a.ep[1].proto == IPPROTO_TCP &&
	      a.ep[2].a.addr[3] == 9 && a.ep[3].port == 0, "order kept, the freed slot zero");
	CHECK(vpnc_ks_del_endpoint(&a, (struct sockaddr *)&s6, IPPROTO_TCP) == 0, "already gone");
	CHECK(vpnc_ks_add_endpoint(&a, (struct sockaddr *)&s6, IPPROTO_TCP) == 1 && a.n_ep == 4);
	CHECK(vpnc_ks_add_literal(&a, "192.0.2.9", "1194", IPPROTO_UDP) == 0);
	memset(&a, 0, sizeof(a));
	CHECK(vpnc_ks_add_literal(&a, "192.0.2.1", "1194", IPPROTO_UDP) == 1);
	CHECK(vpnc_ks_add_literal(&a, "192.0.2.1", "1194", IPPROTO_TCP) == 1);
	CHECK(vpnc_ks_add_endpoint(&a, (struct sockaddr *)&s6, IPPROTO_TCP) == 1);
	CHECK(a.n_ep == 3);
	for (int i = 0; i < VPNC_KS_MAX_ENDPOINTS + 2; i++) {
		s6.sin6_port = htons((uint16_t)(1000 + i));
		(void)vpnc_ks_add_endpoint(&a, (struct sockaddr *)&s6, IPPROTO_UDP);
	}
	CHECK(a.n_ep == VPNC_KS_MAX_ENDPOINTS);
	s6.sin6_port = htons(443);
	CHECK(vpnc_ks_add_endpoint(&a, (struct sockaddr *)&s6, IPPROTO_TCP) == 0);
	s6.sin6_port = htons(9);
	CHECK(vpnc_ks_add_endpoint(&a, (struct sockaddr *)&s6, IPPROTO_TCP) == -ENOSPC);

	CHECK(vpnc_ks_set_tun(&a, "tun0") == 0);
	CHECK(vpnc_ks_set_tun(&a, "tun*") == -EINVAL);
	CHECK_STR(a.tun, "tun0");

	a.n_dns = 0;
	CHECK(vpnc_ks_parse_resolvers(&a, "# comment\nnameserver 192.0.2.53\n  nameserver   2001:db8::53%eth0\n"
	                                  "nameserver 192.0.2.53\nsearch example.org\nnameserver bogus\n"
	                                  "nameserver 1.2.3\n") == 2);
	CHECK(a.n_dns == 2 && a.dns[0].family == AF_INET && a.dns[1].family == AF_INET6);
	CHECK(vpnc_ks_parse_resolvers(&a, "") == 0);
	CHECK(vpnc_ks_parse_resolvers(&a, NULL) == 0);
}

/* A small allowed set: one UDP server, one resolver, the tunnel. */
static void small_set(struct vpnc_ks_allow *a, const char *tun)
{
	memset(a, 0, sizeof(*a));
	(void)vpnc_ks_add_literal(a, "192.0.2.1", "1194", IPPROTO_UDP);
	(void)vpnc_ks_add_literal(a, "2001:db8::1", "443", IPPROTO_TCP);
	(void)vpnc_ks_parse_resolvers(a, "nameserver 192.0.2.53\n");
	if (tun != NULL)
		(void)vpnc_ks_set_tun(a, tun);
}

static void test_rules(void)
{
	static struct vpnc_ks_allow a;
	static char buf[VPNC_KS_RULES_MAX];
	int n;

	small_set(&a, "tun0");
	n = vpnc_ks_rules("work", &a, buf, sizeof(buf));
	CHECK(n > 0 && (size_t)n == strlen(buf));
	CHECK(strstr(buf, "add rule inet vpnc out_work oifname \"tun0\" accept\n") != NULL);
	CHECK(strstr(buf, "add rule inet vpnc in_work iifname \"tun0\" accept\n") != NULL);
	CHECK(strstr(buf, "out_work ip daddr 192.0.2.1 udp dport 1194 accept\n") != NULL);
	CHECK(strstr(buf, "in_work ip saddr 192.0.2.1 udp sport 1194 accept\n") != NULL);
	CHECK(strstr(buf, "out_work ip6 daddr 2001:db8::1 tcp dport 443 accept\n") != NULL);
	CHECK(strstr(buf, "th dport 53") == NULL, "resolvers only while resolving");
	CHECK(strstr(buf, "10.0.0.0/8") == NULL, "no LAN unless asked");
	/* Loopback, DHCP (v4 68->67, v6 546->547, and the answers back) and IPv6 neighbour discovery. */
	CHECK(strstr(buf, "add rule inet vpnc out_work oifname \"lo\" accept\n") != NULL);
	CHECK(strstr(buf, "add rule inet vpnc in_work iifname \"lo\" accept\n") != NULL);
	CHECK(strstr(buf, "out_work udp sport 68 udp dport 67 accept\n") != NULL);
	CHECK(strstr(buf, "in_work udp sport 67 udp dport 68 accept\n") != NULL);
	CHECK(strstr(buf, "out_work udp sport 546 udp dport 547 accept\n") != NULL);
	CHECK(strstr(buf, "in_work udp sport 547 udp dport 546 accept\n") != NULL);
	CHECK(strstr(buf, "out_work icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, "
	                  "nd-neighbor-advert } accept\n") != NULL);
	CHECK(strstr(buf, "in_work icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, "
	                  "nd-neighbor-advert } accept\n") != NULL);
	a.resolving = true;
	a.lan = true;
	n = vpnc_ks_rules("work", &a, buf, sizeof(buf));
	CHECK(n > 0);
	CHECK(strstr(buf, "out_work ip daddr 192.0.2.53 meta l4proto { 17, 6 } th dport 53 accept\n") != NULL);
	/* Protocol numbers, no names: nft resolves names through /etc/protocols, absent on minimal systems. */
	CHECK(strstr(buf, "in_work meta l4proto { 1, 58 } ct state related accept\n") != NULL);
	CHECK(strstr(buf, "l4proto { udp") == NULL && strstr(buf, "ipv6-icmp") == NULL);
	CHECK(strstr(buf, "out_work ip daddr { 10.0.0.0/8,") != NULL);
	CHECK(strstr(buf, "in_work ip6 saddr { fe80::/10, fc00::/7, ff00::/8 } accept\n") != NULL);
	CHECK(vpnc_ks_rules("work", &a, buf, 100) == -ENOSPC);
	CHECK(vpnc_ks_rules("", &a, buf, sizeof(buf)) == -EINVAL);
	/* A struct that did not come from the setters (a privileged helper's input) is checked too. */
	memcpy(a.tun, "x\"y", 4);
	CHECK(vpnc_ks_rules("work", &a, buf, sizeof(buf)) == -EINVAL);
	small_set(&a, NULL);
	a.ep[0].a.family = AF_UNIX;
	CHECK(vpnc_ks_rules("work", &a, buf, sizeof(buf)) == -EINVAL);
	small_set(&a, NULL);
	a.n_ep = VPNC_KS_MAX_ENDPOINTS + 1;
	CHECK(vpnc_ks_rules("work", &a, buf, sizeof(buf)) == -EINVAL);
}

/* The kernel's listing of the table, "" when there is none. */
static const char *listing(struct nft_ctx *nft)
{
	if (nft_run_cmd_from_buffer(nft, "list table inet vpnc") != 0)
		return "";
	return nft_ctx_get_output_buffer(nft);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* In a fresh network namespace: the rules as the kernel holds them. Returns the failures. */
static int kernel_child(void)
{
	static struct vpnc_ks_allow a, b;
	char err[VPNC_KS_ERR_MAX] = "";
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	unsigned before = failed;
	const char *l;

	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	small_set(&a, NULL);
	CHECK(vpnc_ks_apply("work", &a, err, sizeof(err)) == 0, "%s", err);
	l = listing(nft);
	CHECK(strstr(l, "policy drop") != NULL);
	CHECK(strstr(l, "jump out_work") != NULL && strstr(l, "jump in_work") != NULL);
	CHECK(strstr(l, "ip daddr 192.0.2.1 udp dport 1194 accept") != NULL);
	CHECK(strstr(l, "tun0") == NULL);
	/* The kernel holds the always-allowed rules: loopback, DHCP both ways, neighbour discovery. */
	CHECK(strstr(l, "oifname \"lo\" accept") != NULL && strstr(l, "iifname \"lo\" accept") != NULL);
	CHECK(strstr(l, "udp sport 68 udp dport 67 accept") != NULL);
	CHECK(strstr(l, "udp sport 67 udp dport 68 accept") != NULL);
	CHECK(strstr(l, "udp sport 546 udp dport 547 accept") != NULL);
	CHECK(strstr(l, "udp sport 547 udp dport 546 accept") != NULL);
	CHECK(count(l, "nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert }") == 2,
	      "neighbour discovery both ways");
	/* An update (the tunnel came up, resolving ended) replaces the rules, no duplicates. */
	a.resolving = true;
	CHECK(vpnc_ks_apply("work", &a, err, sizeof(err)) == 0, "%s", err);
	CHECK(strstr(listing(nft), "th dport 53") != NULL);
	a.resolving = false;
	(void)vpnc_ks_set_tun(&a, "tun0");
	CHECK(vpnc_ks_apply("work", &a, err, sizeof(err)) == 0, "%s", err);
	l = listing(nft);
	CHECK(strstr(l, "oifname \"tun0\" accept") != NULL);
	CHECK(strstr(l, "th dport 53") == NULL);
	CHECK(count(l, "jump out_work") == 1, "one jump per instance");
	/* A second instance: both chains are jumped to; removing one keeps the other. */
	small_set(&b, "tun1");
	CHECK(vpnc_ks_apply("home.vpn", &b, err, sizeof(err)) == 0, "%s", err);
	l = listing(nft);
	CHECK(strstr(l, "jump out_work") != NULL && strstr(l, "jump out_home_2evpn") != NULL);
	CHECK(vpnc_ks_remove("work", err, sizeof(err)) == 0, "%s", err);
	l = listing(nft);
	CHECK(strstr(l, "out_work") == NULL && strstr(l, "jump out_home_2evpn") != NULL);
	CHECK(vpnc_ks_remove("work", err, sizeof(err)) == 0, "removing twice is fine");
	CHECK(vpnc_ks_remove("home.vpn", err, sizeof(err)) == 0, "%s", err);
	CHECK(listing(nft)[0] == '\0', "the last instance takes the table with it");
	CHECK(vpnc_ks_remove(NULL, err, sizeof(err)) == 0, "nothing to remove");
	CHECK(vpnc_ks_apply("work", &a, err, sizeof(err)) == 0, "%s", err);
	CHECK(vpnc_ks_apply("home.vpn", &b, err, sizeof(err)) == 0, "%s", err);
	CHECK(vpnc_ks_remove(NULL, err, sizeof(err)) == 0, "%s", err);
	CHECK(listing(nft)[0] == '\0', "no instance named: everything goes");
	nft_ctx_free(nft);
	return (int)(failed - before);
}

static void test_kernel(void)
{
	pid_t pid;
	int st;

	if (geteuid() != 0) {
		printf("test_killswitch: not root, the kernel part is skipped\n");
		return;
	}
	pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0) {
			perror("unshare");
			_exit(100);
		}
		_exit(kernel_child() == 0 ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "the kernel part failed (see above)");
}

int main(void)
{
	test_names();
	test_allow();
	test_rules();
	test_kernel();
	printf("test_killswitch: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
