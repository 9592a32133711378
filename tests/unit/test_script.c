/*
 * test_script.c: the script environment and arguments against what OpenVPN
 * 2.6.14 gave an up script for an eduVPN push (captured from a stock 2.6.14
 * client against an eduVPN-style server), command splitting with parse_line rules, the
 * value sanitising, and real runs of tests/data/scripts/dump-env.sh and of
 * Debian's update-resolv-conf loop with exactly the argv and environment
 * that vpnc_script_run() hands to uv_spawn; vpnc_script_run_sync() (route-pre-down,
 * ipchange) and the options of those two.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "../../src/daemon/script_env.c"
#include "../../src/daemon/script.c"

#include "../check.h"
#include "../slurp.h"

/* The value of name in env, or NULL. */
static const char *env_get(const struct vpnc_script_env *env, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->vars[i], name, n) == 0 && env->vars[i][n] == '=')
			return env->vars[i] + n + 1;
	return NULL;
}

/* The reply an eduVPN full-tunnel server sends (captured), plus a pushed domain. */
static const char eduvpn_push[] =
	"explicit-exit-notify 1,redirect-gateway def1 ipv6,route 0.0.0.0 0.0.0.0,"
	"dhcp-option DNS 9.9.9.9,dhcp-option DNS 2620:fe::fe,block-outside-dns,tun-ipv6,"
	"route-gateway 10.42.42.1,topology subnet,ping 10,ping-restart 60,"
	"ifconfig-ipv6 fd42::2/112 fd42::1,ifconfig 10.42.42.2 255.255.255.128,peer-id 0,"
	"cipher AES-256-GCM,protocol-flags cc-exit tls-ekm dyn-tls-crypt,tun-mtu 1500,"
	"dhcp-option DOMAIN example.org,auth-token SECRETTOKEN";

/* Everything the up script must see, sorted as `env | sort` prints it. */
static const char *const eduvpn_env[] = {
	"config=eduvpn.ovpn",
	"daemon=0",
	"dev=tun0",
	"dev_type=tun",
	"foreign_option_1=dhcp-option DNS 9.9.9.9",
	"foreign_option_2=dhcp-option DNS 2620:fe::fe",
	"foreign_option_3=dhcp-option DOMAIN example.org",
	"ifconfig_ipv6_local=fd42::2",
	"ifconfig_ipv6_netbits=112",
	"ifconfig_ipv6_remote=fd42::1",
	"ifconfig_local=10.42.42.2",
	"ifconfig_netmask=255.255.255.128",
	"route_gateway_1=10.42.42.1",
	"route_ipv6_gateway_1=fd42::1",
	"route_ipv6_gateway_2=fd42::1",
	"route_ipv6_gateway_3=fd42::1",
	"route_ipv6_gateway_4=fd42::1",
	"route_ipv6_network_1=::/3",
	"route_ipv6_network_2=2000::/4",
	"route_ipv6_network_3=3000::/4",
	"route_ipv6_network_4=fc00::/7",
	"route_net_gateway=198.18.0.1",
	"route_netmask_1=0.0.0.0",
	"route_network_1=0.0.0.0",
	"route_redirect_gateway_ipv4=1",
	"route_redirect_gateway_ipv6=1",
	"route_vpn_gateway=10.42.42.1",
	"script_context=init",
	"script_type=up",
	"trusted_ip=198.18.0.1",
	"trusted_port=1194",
	"tun_mtu=1500",
	"untrusted_ip=198.18.0.1",
	"untrusted_port=1194",
	"verb=3",
	NULL,
};

static struct vpnc_push push;
static struct sockaddr_in server;
static const uint8_t net_gw[4] = {198, 18, 0, 1};

static void info_up(struct vpnc_script_info *info)
{
	memset(info, 0, sizeof(*info));
	info->script_type = "up";
	info->script_context = "init";
	info->dev = "tun0";
	info->tun_mtu = 1500;
	info->verb = 3;
	info->config = "eduvpn.ovpn";
	info->trusted = (const struct sockaddr *)&server;
	info->net_gateway4 = net_gw;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void test_eduvpn_env(void)
{
	static struct vpnc_script_env env;
	struct vpnc_script_info info;
	const char *sorted[VPNC_SCRIPT_MAX_VARS];
	size_t i;

	info_up(&info);
	CHECK(vpnc_script_env_build(&env, &info, &push) == 0);
	memcpy(sorted, env.vars, env.n * sizeof(sorted[0]));
	qsort(sorted, env.n, sizeof(sorted[0]), cmp_str);
	for (i = 0; eduvpn_env[i] != NULL && i < env.n; i++)
		CHECK_STR(sorted[i], eduvpn_env[i]);
	CHECK(eduvpn_env[i] == NULL && i == env.n);
	CHECK(env.vars[env.n] == NULL);
	/* No secret and nothing inherited. */
	for (i = 0; i < env.n; i++) {
		CHECK(strstr(env.vars[i], "SECRETTOKEN") == NULL);
		CHECK(strncmp(env.vars[i], "PATH=", 5) != 0);
	}

	/* down: the signal, redirect_gateway; route-up: redirect_gateway, no signal. */
	info.script_type = "down";
	info.signal = "sigterm";
	CHECK(vpnc_script_env_build(&env, &info, &push) == 0);
	CHECK_STR(env_get(&env, "signal"), "sigterm");
	CHECK_STR(env_get(&env, "redirect_gateway"), "1");
	CHECK_STR(env_get(&env, "script_type"), "down");
	info.script_type = "route-up";
	CHECK(vpnc_script_env_build(&env, &info, &push) == 0);
	CHECK(env_get(&env, "signal") == NULL);
	CHECK_STR(env_get(&env, "redirect_gateway"), "1");

	/* down after a failed connect: no push at all. */
	CHECK(vpnc_script_env_build(&env, &info, NULL) == 0);
	CHECK(env_get(&env, "ifconfig_local") == NULL);
	CHECK_STR(env_get(&env, "dev"), "tun0");
}

static void test_p2p_and_routes(void)
{
	static struct vpnc_script_env env;
	struct vpnc_script_info info;
	struct vpnc_script_updown ud;
	struct vpnc_push p;
	static const char text[] =
		"ifconfig 10.8.0.6 10.8.0.5,route 192.168.1.0 255.255.255.0,"
		"route 10.1.0.0 255.255.0.0 10.8.0.9 7,route 172.16.0.0 255.240.0.0 net_gateway,"
		"route-ipv6 fd11::/64,redirect-gateway def1 block-local,"
		"dhcp-option DNS6 fd00::53";

	vpnc_push_init(&p);
	CHECK(vpnc_push_parse(&p, text, sizeof(text) - 1, NULL, NULL) == 0);
	info_up(&info);
	CHECK(vpnc_script_env_build(&env, &info, &p) == 0);
	CHECK_STR(env_get(&env, "ifconfig_remote"), "10.8.0.5");
	CHECK(env_get(&env, "ifconfig_netmask") == NULL);
	CHECK_STR(env_get(&env, "route_vpn_gateway"), "10.8.0.5");
	CHECK_STR(env_get(&env, "route_network_1"), "192.168.1.0");
	CHECK_STR(env_get(&env, "route_gateway_1"), "10.8.0.5");
	CHECK(env_get(&env, "route_metric_1") == NULL);
	CHECK_STR(env_get(&env, "route_gateway_2"), "10.8.0.9");
	CHECK_STR(env_get(&env, "route_metric_2"), "7");
	CHECK_STR(env_get(&env, "route_network_3"), "172.16.0.0");
	CHECK_STR(env_get(&env, "route_netmask_3"), "255.240.0.0");
	CHECK_STR(env_get(&env, "route_gateway_3"), "198.18.0.1");
	CHECK_STR(env_get(&env, "route_ipv6_network_1"), "fd11::/64");
	CHECK(env_get(&env, "route_ipv6_gateway_1") == NULL);
	CHECK_STR(env_get(&env, "route_redirect_gateway_ipv4"), "2");
	CHECK(env_get(&env, "route_redirect_gateway_ipv6") == NULL);
	CHECK_STR(env_get(&env, "foreign_option_1"), "dhcp-option DNS fd00::53");

	info.script_context = "restart";
	vpnc_script_updown_args(&ud, &info, &p);
	CHECK_STR(ud.v[0], "tun0");
	CHECK_STR(ud.v[1], "1500");
	CHECK_STR(ud.v[2], "0");
	CHECK_STR(ud.v[3], "10.8.0.6");
	CHECK_STR(ud.v[4], "10.8.0.5");
	CHECK_STR(ud.v[5], "restart");
	CHECK(ud.v[6] == NULL);
}

/* 2.6's dns option: dns_* variables, and foreign_option_N rewritten as foreign_options_copy_dns() does. */
static void test_dns_option_env(void)
{
	static struct vpnc_script_env env;
	struct vpnc_script_info info;
	struct vpnc_push p;
	static const char text[] =
		"ifconfig 10.8.0.6 10.8.0.5,dhcp-option DNS 10.8.0.1,dhcp-option DOMAIN-SEARCH corp.example,"
		"dhcp-option DOMAIN keep.example,dns server 0 address 10.9.0.1:5353 fd00::9,"
		"dns server 0 dnssec yes,dns server 0 transport DoT,dns server 0 sni dns.example,"
		"dns server 0 resolve-domains int.example,dns search-domains s.example,dns server 4 address 10.9.0.4";

	vpnc_push_init(&p);
	CHECK(vpnc_push_parse(&p, text, sizeof(text) - 1, NULL, NULL) == 0 && p.n_rejected == 0);
	info_up(&info);
	CHECK(vpnc_script_env_build(&env, &info, &p) == 0);
	CHECK_STR(env_get(&env, "foreign_option_1"), "dhcp-option DOMAIN keep.example");
	CHECK_STR(env_get(&env, "foreign_option_2"), "dhcp-option DNS 10.9.0.1");
	CHECK_STR(env_get(&env, "foreign_option_3"), "dhcp-option DNS6 fd00::9");
	CHECK_STR(env_get(&env, "foreign_option_4"), "dhcp-option DNS 10.9.0.4");
	CHECK_STR(env_get(&env, "foreign_option_5"), "dhcp-option DOMAIN-SEARCH s.example");
	CHECK(env_get(&env, "foreign_option_6") == NULL);
	CHECK_STR(env_get(&env, "dns_search_domain_1"), "s.example");
	CHECK_STR(env_get(&env, "dns_server_1_address_1"), "10.9.0.1");
	CHECK_STR(env_get(&env, "dns_server_1_port_1"), "5353");
	CHECK_STR(env_get(&env, "dns_server_1_address_2"), "fd00::9");
	CHECK(env_get(&env, "dns_server_1_port_2") == NULL);
	CHECK_STR(env_get(&env, "dns_server_1_resolve_domain_1"), "int.example");
	CHECK_STR(env_get(&env, "dns_server_1_dnssec"), "yes");
	CHECK_STR(env_get(&env, "dns_server_1_transport"), "DoT");
	CHECK_STR(env_get(&env, "dns_server_1_sni"), "dns.example");
	CHECK_STR(env_get(&env, "dns_server_2_address_1"), "10.9.0.4");
	CHECK(env_get(&env, "dns_server_2_dnssec") == NULL);
}

static void test_env_set(void)
{
	static struct vpnc_script_env env;

	vpnc_script_env_init(&env);
	CHECK(vpnc_script_env_set(&env, "a", "1") == 0);
	CHECK(vpnc_script_env_set(&env, "a", "2") == 0);
	CHECK(env.n == 1);
	CHECK_STR(env_get(&env, "a"), "2");
	CHECK(vpnc_script_env_set(&env, "b=c", "x") == -EINVAL);
	CHECK(vpnc_script_env_set(&env, "", "x") == -EINVAL);
	CHECK(vpnc_script_env_set(&env, "b c", "x") == -EINVAL);
	CHECK(vpnc_script_env_set(&env, "cn", "a\nb\001c\x80") == 0);
	CHECK_STR(env_get(&env, "cn"), "a_b_c_");
	CHECK(env_get(&env, "c") == NULL);
	/* Filling up fails cleanly. */
	{
		static char big[4096];
		int ret = 0;

		memset(big, 'x', sizeof(big) - 1);
		for (int i = 0; i < 100 && ret == 0; i++) {
			char name[16];

			snprintf(name, sizeof(name), "v%d", i);
			ret = vpnc_script_env_set(&env, name, big);
		}
		CHECK(ret == -ENOSPC);
		CHECK(env.vars[env.n] == NULL);
	}
	CHECK(vpnc_script_allowed(2) && vpnc_script_allowed(3));
	CHECK(!vpnc_script_allowed(1) && !vpnc_script_allowed(0));
}

static void test_argv(void)
{
	static struct vpnc_script_argv a;
	const char *extra[] = {"tun0", "1500", NULL};

	CHECK(vpnc_script_argv_build(&a, "/etc/openvpn/update-resolv-conf", extra) == 0);
	CHECK(a.n == 3);
	CHECK_STR(a.argv[0], "/etc/openvpn/update-resolv-conf");
	CHECK_STR(a.argv[1], "tun0");
	CHECK_STR(a.argv[2], "1500");
	CHECK(a.argv[3] == NULL);

	CHECK(vpnc_script_argv_build(&a, "s.sh 'a b' \"c \\\"d\\\"\" e\\ f", NULL) == 0);
	CHECK(a.n == 4);
	CHECK_STR(a.argv[1], "a b");
	CHECK_STR(a.argv[2], "c \"d\"");
	CHECK_STR(a.argv[3], "e f");

	/* Shell syntax is just text: no expansion, no pipes. */
	CHECK(vpnc_script_argv_build(&a, "x.sh $HOME|id;rm", NULL) == 0);
	CHECK(a.n == 2);
	CHECK_STR(a.argv[1], "$HOME|id;rm");

	CHECK(vpnc_script_argv_build(&a, "", NULL) == -EINVAL);
	CHECK(vpnc_script_argv_build(&a, "   ", NULL) == -EINVAL);
	CHECK(vpnc_script_argv_build(&a, "x 'unterminated", NULL) == -EINVAL);
	CHECK(vpnc_script_argv_build(&a, "a b c d e f g h i j k l m n o p", NULL) == -EINVAL ||
	      a.n <= VPNC_SCRIPT_MAX_ARGS);
	{
		const char *many[VPNC_SCRIPT_MAX_ARGS + 2];

		for (int i = 0; i < VPNC_SCRIPT_MAX_ARGS + 1; i++)
			many[i] = "x";
		many[VPNC_SCRIPT_MAX_ARGS + 1] = NULL;
		CHECK(vpnc_script_argv_build(&a, "cmd", many) == -E2BIG);
	}
}

/* The options that feed this module, through the config reader. */
static void test_config_options(void)
{
	static const char base[] = "client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote vpn.example.org 1194\n";
	char text[1024], err[256];
	struct vpnc_config *c = NULL;

	snprintf(text, sizeof(text), "%sscript-security 2\nup \"/etc/openvpn/up.sh arg\"\n"
	         "down down.sh\nroute-up r.sh\nup-restart\ndown-pre\ndns-mode file\n", base);
	CHECK(vpnc_config_parse_text("t.ovpn", text, strlen(text), NULL, &c, err, sizeof(err)) == 0);
	if (c != NULL) {
		CHECK_STR(c->up, "/etc/openvpn/up.sh arg");
		CHECK_STR(c->down, "down.sh");
		CHECK_STR(c->route_up, "r.sh");
		CHECK(c->up_restart && c->script_security == 2 && c->dns_mode == VPNC_DNS_FILE);
	}
	vpnc_config_free(c);
	c = NULL;
	CHECK(vpnc_config_parse_text("t.ovpn", base, strlen(base), NULL, &c, err, sizeof(err)) == 0);
	if (c != NULL)
		CHECK(c->script_security == 1 && c->dns_mode == VPNC_DNS_AUTO && c->up[0] == '\0');
	vpnc_config_free(c);
	c = NULL;
	snprintf(text, sizeof(text), "%sdns-mode sometimes\n", base);
	CHECK(vpnc_config_parse_text("t.ovpn", text, strlen(text), NULL, &c, err, sizeof(err)) < 0);
	CHECK(c == NULL);
	snprintf(text, sizeof(text), "%sscript-security 4\n", base);
	CHECK(vpnc_config_parse_text("t.ovpn", text, strlen(text), NULL, &c, err, sizeof(err)) < 0);
	CHECK(c == NULL);
}

/* Runs argv with exactly env, as uv_spawn does, and waits; returns the exit status. */
static int run(char *const argv[], char *const envp[])
{
	pid_t pid;
	int st;

	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, envp) != 0)
		return -1;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void test_run_dump_env(const char *dir)
{
	static struct vpnc_script_env env;
	static struct vpnc_script_argv a;
	struct vpnc_script_info info;
	struct vpnc_script_updown ud;
	char out[512], cmd[1024], expect[8192];
	size_t len = 0;
	char *got;

	snprintf(out, sizeof(out), "%s/up.txt", dir);
	snprintf(cmd, sizeof(cmd), "data/scripts/dump-env.sh %s", out);
	info_up(&info);
	CHECK(vpnc_script_env_build(&env, &info, &push) == 0);
	vpnc_script_updown_args(&ud, &info, &push);
	CHECK(vpnc_script_argv_build(&a, cmd, ud.v) == 0);
	CHECK(run(a.argv, env.vars) == 0);
	len += (size_t)snprintf(expect + len, sizeof(expect) - len,
	                        "arg1=tun0\narg2=1500\narg3=0\narg4=10.42.42.2\narg5=255.255.255.128\n"
	                        "arg6=init\n");
	for (size_t i = 0; eduvpn_env[i] != NULL; i++)
		len += (size_t)snprintf(expect + len, sizeof(expect) - len, "%s\n", eduvpn_env[i]);
	snprintf(expect + len, sizeof(expect) - len, "--\n");
	got = slurp(out);
	CHECK(got != NULL && strcmp(got, expect) == 0);
	if (got != NULL && strcmp(got, expect) != 0)
		fprintf(stderr, "got:\n%s\nexpected:\n%s\n", got, expect);
	unlink(out);
}

/* route-pre-down, ipchange, tls-verify: parsed (commas are spaces in the last two, as 2.6), signal. */
static void test_predown_ipchange(void)
{
	static const char text[] = "client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote vpn.example.org\n"
	                           "script-security 2\nroute-pre-down \"pre.sh a,b\"\nipchange ip.sh,x,y\n"
	                           "tls-verify \"v.sh a,b\"\n";
	static struct vpnc_script_env env;
	struct vpnc_script_info info;
	struct vpnc_config *c = NULL;
	char err[256];

	if (vpnc_config_parse_text("t.ovpn", text, sizeof(text) - 1, NULL, &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "config: %s\n", err);
		CHECK(0);
		return;
	}
	CHECK_STR(c->route_pre_down, "pre.sh a,b");
	CHECK_STR(c->ipchange, "ip.sh x y");
	CHECK_STR(c->tls_verify, "v.sh a b");
	vpnc_config_free(c);
	c = NULL;
	/* As 2.6 (its MUST_BE_UNDEF(tls_verify) without TLS): no tls-verify in static-key mode. */
	CHECK(vpnc_config_parse_text("t.ovpn", "secret data/config/static.key\nremote h\ntls-verify v.sh\n", 55,
	                             NULL, &c, err, sizeof(err)) < 0 && c == NULL);
	CHECK_STR(err, "t.ovpn: option 'tls-verify' needs TLS mode; static-key mode ('secret') has no TLS");
	/* x509-track: names OpenSSL knows, '+' kept; an unknown one is an error, as in 2.6. */
	{
		static const char tr[] = "client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote h\n"
		                         "x509-track +SHA256\nx509-track emailAddress\nx509-track 2.5.4.11\n";
		static const char bad[] = "client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote h\nx509-track NoSuch\n";

		c = NULL;
		CHECK(vpnc_config_parse_text("t.ovpn", tr, sizeof(tr) - 1, NULL, &c, err, sizeof(err)) == 0);
		CHECK(c != NULL && c->n_x509_track == 3 && strcmp(c->x509_track[0], "+SHA256") == 0 &&
		      strcmp(c->x509_track[2], "2.5.4.11") == 0);
		vpnc_config_free(c);
		c = NULL;
		CHECK(vpnc_config_parse_text("t.ovpn", bad, sizeof(bad) - 1, NULL, &c, err, sizeof(err)) < 0);
		CHECK_STR(err, "t.ovpn:7: option 'x509-track': no such attribute 'NoSuch'");
	}
	/* tls-export-cert: a directory to write in, checked at load as 2.6 does at start. */
	{
		static const char ok[] = "client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote h\ntls-export-cert /tmp\n";
		static const char bad[] = "client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote h\n"
		                          "tls-export-cert /nonexistent/vpnc\n";

		c = NULL;
		CHECK(vpnc_config_parse_text("t.ovpn", ok, sizeof(ok) - 1, NULL, &c, err, sizeof(err)) == 0);
		CHECK(c != NULL && strcmp(c->tls_export_cert, "/tmp") == 0);
		vpnc_config_free(c);
		c = NULL;
		CHECK(vpnc_config_parse_text("t.ovpn", bad, sizeof(bad) - 1, NULL, &c, err, sizeof(err)) < 0);
		CHECK_STR(err, "t.ovpn: option 'tls-export-cert': cannot write in '/nonexistent/vpnc': No such file or "
		          "directory");
	}
	info_up(&info);
	info.script_type = "route-pre-down";
	info.signal = "sigterm";
	CHECK(vpnc_script_env_build(&env, &info, &push) == 0);
	CHECK_STR(env_get(&env, "signal"), "sigterm");
	CHECK_STR(env_get(&env, "script_type"), "route-pre-down");
	info.script_type = "up";
	CHECK(vpnc_script_env_build(&env, &info, &push) == 0);
	CHECK(env_get(&env, "signal") == NULL);
}

/* vpnc_script_run_sync: waits, returns the exit status, or a negative code for no start. */
static void test_run_sync(const char *dir)
{
	static struct vpnc_script_env env;
	static const char *const one[] = {"[AF_INET]198.18.0.1 1194", NULL};
	char out[512], cmd[1024];
	char *got;

	vpnc_script_env_init(&env);
	CHECK(vpnc_script_env_set(&env, "script_type", "ipchange") == 0);
	snprintf(out, sizeof(out), "%s/sync.txt", dir);
	snprintf(cmd, sizeof(cmd), "data/scripts/dump-env.sh %s", out);
	CHECK(vpnc_script_run_sync(cmd, &env, one, 0) == 0);
	got = slurp(out); /* written before the call returned */
	CHECK_STR(got, "arg1=[AF_INET]198.18.0.1 1194\nscript_type=ipchange\n--\n");
	unlink(out);
	CHECK(vpnc_script_run_sync("/bin/sh -c 'exit 3'", &env, NULL, 0) == 3);
	CHECK(vpnc_script_run_sync("/bin/sh -c 'kill -9 $$'", &env, NULL, 0) == 128 + 9);
	CHECK(vpnc_script_run_sync("/nonexistent/vpnc-test-script", &env, NULL, 0) < 0);
	CHECK(vpnc_script_run_sync("/bin/sleep 5", &env, NULL, 200) == 128 + 9); /* killed at the timeout */
}

/* Debian's update-resolv-conf loop reads foreign_option_N and builds resolvconf records. */
static void test_update_resolv_conf(const char *dir)
{
	static struct vpnc_script_env env;
	static struct vpnc_script_argv a;
	struct vpnc_script_info info;
	char out[512], cmd[1024];

	if (access("/bin/bash", X_OK) != 0) {
		fprintf(stderr, "no /bin/bash: update-resolv-conf check skipped\n");
		return;
	}
	snprintf(out, sizeof(out), "%s/records.txt", dir);
	snprintf(cmd, sizeof(cmd), "data/scripts/resolv-conf-records.sh %s", out);
	info_up(&info);
	CHECK(vpnc_script_env_build(&env, &info, &push) == 0);
	CHECK(vpnc_script_argv_build(&a, cmd, NULL) == 0);
	CHECK(run(a.argv, env.vars) == 0);
	CHECK_STR(slurp(out), "search example.org\nnameserver 9.9.9.9\nnameserver 2620:fe::fe\n");
	unlink(out);
}

/* setenv-safe NAME VALUE reaches scripts as OPENVPN_NAME (2.6); plain setenv does not. */
static void test_setenv_safe(void)
{
	static struct vpnc_script_env env;
	static const char text[] = "client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote vpn.example.org\n"
	                           "setenv-safe SITE \"office 2\"\nsetenv-safe EMPTY\nsetenv PLAIN x\n";
	struct vpnc_script_info info;
	struct vpnc_config *c = NULL;
	char err[256];

	if (vpnc_config_parse_text("t.ovpn", text, sizeof(text) - 1, NULL, &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "config: %s\n", err);
		CHECK(0);
		return;
	}
	info_up(&info);
	info.conf = c;
	CHECK(vpnc_script_env_build(&env, &info, &push) == 0);
	CHECK_STR(env_get(&env, "OPENVPN_SITE"), "office 2");
	CHECK_STR(env_get(&env, "OPENVPN_EMPTY"), "");
	CHECK(env_get(&env, "PLAIN") == NULL && env_get(&env, "SITE") == NULL);
	vpnc_config_free(c);
}

int main(void)
{
	char dir[] = "/tmp/vpnc-test-script-XXXXXX";

	vpnc_push_init(&push);
	if (vpnc_push_parse(&push, eduvpn_push, sizeof(eduvpn_push) - 1, NULL, NULL) != 0)
		failed++;
	server.sin_family = AF_INET;
	server.sin_port = htons(1194);
	inet_pton(AF_INET, "198.18.0.1", &server.sin_addr);

	test_eduvpn_env();
	test_setenv_safe();
	test_p2p_and_routes();
	test_dns_option_env();
	test_env_set();
	test_argv();
	test_config_options();
	test_predown_ipchange();
	if (mkdtemp(dir) == NULL) {
		failed++;
	} else {
		test_run_dump_env(dir);
		test_update_resolv_conf(dir);
		test_run_sync(dir);
		rmdir(dir);
	}
	printf("test_script: %u passed, %u failed\n", passed, failed);
	return failed != 0;
}
