/*
 * test_config.c: unit tests for the OpenVPN config reader (src/config).
 *
 * Runs with tests/ as the working directory; test data lives in data/config/.
 * Covers the lexer's line errors (test_lex.c has the rest), inline blocks,
 * file references and 'cd', key decoding (static key, tls-crypt-v2), the three
 * option sets with their exact messages, command-line overrides, notes, and a
 * realistic eduVPN profile.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "vpnc/config.h"
#include "vpnc/push.h"
#include "config/cfg_internal.h"

#include "../cfgparse.h"
#include "../check.h"

/* A minimal valid client: 6 lines, so a test's own first line is line 7. */
#define BASE "client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote vpn.example.org\n"

static void test_minimal_defaults(void)
{
	struct vpnc_config *c = parse_ok(BASE);

	if (c == NULL)
		return;
	CHECK(c->client && c->pull && c->tls_client);
	CHECK(c->n_remotes == 1);
	CHECK_STR(c->remotes[0].host, "vpn.example.org");
	CHECK_STR(c->remotes[0].port, "1194");
	CHECK(c->remotes[0].transport == VPNC_TRANSPORT_UDP);
	CHECK(c->remotes[0].family == AF_UNSPEC);
	CHECK(c->verb == 1);
	CHECK_STR(c->data_ciphers, "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305");
	CHECK_STR(c->auth, "SHA1");
	CHECK(c->key_direction == -1);
	CHECK(c->hand_window == 60 && c->tls_timeout == 2 && c->reneg_sec == 3600);
	CHECK(c->connect_retry == 1 && c->server_poll_timeout == 120);
	CHECK_STR(c->default_port, "1194");
	CHECK(c->mssfix == -1);
	CHECK_STR(c->dev, "tun");
	CHECK_STR(c->ca, "CA\n");
	CHECK(c->auth_user_pass && c->username == NULL && c->password == NULL);
	CHECK(c->wrap == VPNC_WRAP_NONE);
	CHECK_STR(c->path, "t.ovpn");
	vpnc_config_free(c);
}

static void test_eduvpn(void)
{
	struct vpnc_config *c = NULL;
	int ret = vpnc_config_load("data/config/eduvpn.ovpn", 0, NULL, NULL, &c, err, sizeof(err));

	if (ret != 0)
		fprintf(stderr, "eduvpn: %s\n", err);
	CHECK(ret == 0 && c != NULL);
	if (c == NULL)
		return;
	CHECK(c->client && c->nobind && c->remote_cert_tls_server);
	CHECK(c->n_remotes == 2);
	CHECK(c->remotes[0].transport == VPNC_TRANSPORT_UDP);
	CHECK(c->remotes[1].transport == VPNC_TRANSPORT_TCP);
	CHECK_STR(c->remotes[1].port, "1194");
	CHECK(c->tls_version_min == 0x0304);
	CHECK_STR(c->data_ciphers, "AES-256-GCM:CHACHA20-POLY1305");
	CHECK(c->reneg_sec == 0 && c->server_poll_timeout == 10 && c->verb == 3);
	CHECK(c->wrap == VPNC_WRAP_TLS_CRYPT);
	CHECK(c->wrap_key[0] == 0xd3 && c->wrap_key[1] == 0xa8 && c->wrap_key[2] == 0x2c);
	CHECK(c->ca != NULL && strstr(c->ca, "-----BEGIN CERTIFICATE-----") == c->ca);
	CHECK(c->cert != NULL && strstr(c->cert, "-----END CERTIFICATE-----\n") != NULL);
	CHECK(c->key != NULL && strstr(c->key, "BEGIN PRIVATE KEY") != NULL);
	CHECK(!c->auth_user_pass);
	vpnc_config_free(c);

	/* eduVPN-like options the task names: verify-x509-name ... name, auth none. */
	c = parse_ok(BASE "verify-x509-name \"vpn.example.org\" name\nauth none\n"
	                  "tls-version-min 1.2 or-highest\ntls-version-max 1.3\n");
	if (c != NULL) {
		CHECK_STR(c->verify_x509_name, "vpn.example.org");
		CHECK(c->verify_x509_type == VPNC_X509_NAME);
		CHECK_STR(c->auth, "none");
		CHECK(c->tls_version_min == 0x0303 && c->tls_version_max == 0x0304);
	}
	vpnc_config_free(c);
}

static void test_file_refs(void)
{
	struct vpnc_config *c;

	c = parse_ok("client\nca data/config/ca.pem\ncert data/config/client.crt\n"
	             "key data/config/client.key\nremote h 443 tcp\n"
	             "tls-auth data/config/static.key 1\nauth-user-pass data/config/userpass.txt\n");
	if (c != NULL) {
		CHECK(c->ca != NULL && strncmp(c->ca, "-----BEGIN CERTIFICATE-----", 27) == 0);
		CHECK(c->key != NULL && strstr(c->key, "PRIVATE KEY") != NULL);
		CHECK(c->wrap == VPNC_WRAP_TLS_AUTH && c->key_direction == 1);
		CHECK(c->wrap_key[0] == 0xd3 && c->wrap_key[255] != 0);
		CHECK_STR(c->username, "alice");
		CHECK_STR(c->password, "s3cret pass");
		CHECK_STR(c->auth_user_pass_file, "data/config/userpass.txt");
		CHECK_STR(c->remotes[0].port, "443");
		CHECK(c->remotes[0].transport == VPNC_TRANSPORT_TCP);
	}
	vpnc_config_free(c);

	/* 'cd' applies to every relative path, even one named before it (read at the end). */
	c = parse_ok("client\nca ca.pem\ncd data\ncd config\nauth-user-pass userpass.txt\n"
	             "tls-crypt-v2 tls-crypt-v2-client.key\nremote h\n");
	if (c != NULL) {
		CHECK(c->ca != NULL && strstr(c->ca, "CERTIFICATE") != NULL);
		CHECK(c->wrap == VPNC_WRAP_TLS_CRYPT_V2);
		CHECK_STR(c->username, "alice");
	}
	vpnc_config_free(c);

	parse_err(BASE "ca nope.pem\n",
	          "t.ovpn:7: option 'ca': cannot read 'nope.pem': No such file or directory", __LINE__);
	parse_err(BASE "tls-crypt data/config/missing.key\n",
	          "t.ovpn:7: option 'tls-crypt': cannot read 'data/config/missing.key': "
	          "No such file or directory", __LINE__);
	parse_err(BASE "cert data\nkey data/config/client.key\n",
	          "t.ovpn:7: option 'cert': cannot read 'data': Is a directory", __LINE__);
	parse_err(BASE "cd nowhere\n", "t.ovpn:7: option 'cd': 'nowhere' is not a directory", __LINE__);
	parse_err(BASE "config /dev/zero\n",
	          "t.ovpn:7: option 'config': cannot read '/dev/zero': not a regular file", __LINE__);
}

static void test_keys(void)
{
	static const char hexline[] = "00112233445566778899aabbccddeeff\n";
	char text[2048];
	uint8_t key[VPNC_STATIC_KEY_LEN], kc[VPNC_STATIC_KEY_LEN], wkc[VPNC_MAX_WKC_LEN];
	size_t wkc_len = 0, off;
	const char *why = NULL;
	char *file = NULL;
	size_t flen = 0;
	struct vpnc_config *c;

	off = (size_t)snprintf(text, sizeof(text), "# comment\n-----BEGIN OpenVPN Static key V1-----\n");
	for (int i = 0; i < 16; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s", hexline);
	off += (size_t)snprintf(text + off, sizeof(text) - off, "-----END OpenVPN Static key V1-----\n");
	CHECK(vpnc_cfg_static_key_decode(text, off, key, &why) == 0);
	CHECK(key[0] == 0x00 && key[1] == 0x11 && key[15] == 0xff && key[255] == 0xff);
	/* One hex digit short. */
	memmove(text + 60, text + 61, off - 61);
	CHECK(vpnc_cfg_static_key_decode(text, off - 1, key, &why) == -EBADMSG);
	CHECK(vpnc_cfg_static_key_decode("garbage", 7, key, &why) == -EBADMSG);

	/* Inline tls-auth with key-direction, inline tls-crypt-v2. */
	snprintf(text, sizeof(text), BASE "key-direction 1\n<tls-auth>\n-----BEGIN OpenVPN Static key V1-----\n"
	         "%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s-----END OpenVPN Static key V1-----\n</tls-auth>\n",
	         hexline, hexline, hexline, hexline, hexline, hexline, hexline, hexline, hexline, hexline,
	         hexline, hexline, hexline, hexline, hexline, hexline);
	c = parse_ok(text);
	if (c != NULL)
		CHECK(c->wrap == VPNC_WRAP_TLS_AUTH && c->key_direction == 1 && c->wrap_key[1] == 0x11);
	vpnc_config_free(c);

	CHECK(vpnc_cfg_read_file("data/config/tls-crypt-v2-client.key", &file, &flen) == 0);
	if (file == NULL)
		return;
	CHECK(vpnc_cfg_tls_crypt_v2_decode(file, flen, kc, wkc, &wkc_len, &why) == 0);
	CHECK(wkc_len == 299);
	CHECK(kc[0] == 0x08 && kc[1] == 0x13 && kc[2] == 0xa5 && kc[3] == 0xa4);
	CHECK(wkc[0] == 0x7b && wkc[1] == 0xc6 && wkc[297] == 0x01 && wkc[298] == 0x2b);
	snprintf(text, sizeof(text), BASE "<tls-crypt-v2>\n%s</tls-crypt-v2>\n", file);
	c = parse_ok(text);
	if (c != NULL) {
		CHECK(c->wrap == VPNC_WRAP_TLS_CRYPT_V2 && c->wkc_len == 299);
		CHECK(memcmp(c->wrap_key, kc, sizeof(kc)) == 0 && memcmp(c->wkc, wkc, 299) == 0);
	}
	vpnc_config_free(c);
	/* Flip one base64 character in the last group: the length field no longer matches. */
	{
		char *end = strstr(file, "-----END");
		char *q = end - 3;

		while (*q == '\n' || *q == '=')
			q--;
		*q = (*q == 'A') ? 'B' : 'A';
		CHECK(vpnc_cfg_tls_crypt_v2_decode(file, flen, kc, wkc, &wkc_len, &why) == -EBADMSG);
	}
	CHECK(vpnc_cfg_tls_crypt_v2_decode("-----BEGIN OpenVPN tls-crypt-v2 server key-----\nAAAA\n"
	                                   "-----END OpenVPN tls-crypt-v2 server key-----\n",
	                                   96, kc, wkc, &wkc_len, &why) == -EBADMSG);
	CHECK(why != NULL && strstr(why, "server key") != NULL);
	/* Too short: only Kc, no WKc. */
	{
		char b64[400];
		uint8_t raw[258];
		size_t n = 0;

		memset(raw, 0x41, sizeof(raw));
		for (size_t i = 0; i + 3 <= sizeof(raw); i += 3) {
			static const char tbl[] =
				"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
			uint32_t v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 | raw[i + 2];

			b64[n++] = tbl[v >> 18];
			b64[n++] = tbl[(v >> 12) & 63];
			b64[n++] = tbl[(v >> 6) & 63];
			b64[n++] = tbl[v & 63];
		}
		snprintf(text, sizeof(text), "-----BEGIN OpenVPN tls-crypt-v2 client key-----\n%.*s\n"
		         "-----END OpenVPN tls-crypt-v2 client key-----\n", (int)n, b64);
		CHECK(vpnc_cfg_tls_crypt_v2_decode(text, strlen(text), kc, wkc, &wkc_len, &why) ==
		      -EBADMSG);
	}
	free(file);

	parse_err(BASE "<tls-crypt>\nnot a key\n</tls-crypt>\n",
	          "t.ovpn:7: option 'tls-crypt': bad key: no '-----BEGIN OpenVPN Static key V1-----' "
	          "... '-----END OpenVPN Static key V1-----' block", __LINE__);
	parse_err(BASE "tls-crypt data/config/static.key\ntls-auth data/config/static.key 0\n",
	          "t.ovpn: options 'tls-auth', 'tls-crypt' and 'tls-crypt-v2' exclude each other",
	          __LINE__);
	parse_err(BASE "tls-auth data/config/static.key 2\n",
	          "t.ovpn:7: option 'tls-auth': the key direction must be 0 or 1", __LINE__);
}

/* The one port and host check of remotes and both proxies. */
static void test_port_host(void)
{
	char port[VPNC_CFG_PORT_LEN];

	CHECK(vpnc_cfg_port("1194", port) == 0);
	CHECK_STR(port, "1194");
	CHECK(vpnc_cfg_port("065535", port) == 0);
	CHECK_STR(port, "65535");
	CHECK(vpnc_cfg_port("1", port) == 0);
	CHECK(vpnc_cfg_port("0", port) == -EINVAL);
	CHECK(vpnc_cfg_port("65536", port) == -EINVAL);
	CHECK(vpnc_cfg_port("+80", port) == -EINVAL);
	CHECK(vpnc_cfg_port("-1", port) == -EINVAL);
	CHECK(vpnc_cfg_port("80x", port) == -EINVAL);
	CHECK(vpnc_cfg_port("", port) == -EINVAL);

	CHECK(vpnc_cfg_host_ok("vpn.example.org", 16));
	CHECK(!vpnc_cfg_host_ok("vpn.example.org", 15)); /* the NUL must fit too */
	CHECK(vpnc_cfg_host_ok("2001:db8::1", 64));
	CHECK(!vpnc_cfg_host_ok("", 64));
	CHECK(!vpnc_cfg_host_ok("a b", 64));
	CHECK(!vpnc_cfg_host_ok("a\r\nX-Header: 1", 64));
	CHECK(!vpnc_cfg_host_ok("caf\xc3\xa9", 64));
	CHECK(!vpnc_cfg_host_ok("a\x7f", 64));
}

static void test_inline_blocks(void)
{
	struct vpnc_config *c;

	c = parse_ok("client\r\n  <ca>\r\nLINE1\r\n  LINE2\r\n  </ca>\r\n<auth-user-pass>\r\nbob\r\npw\r\n"
	             "</auth-user-pass>\r\n<extra-certs>\nE\n</extra-certs>\nremote h 1 udp6\n");
	if (c != NULL) {
		CHECK_STR(c->ca, "LINE1\n  LINE2\n");
		CHECK_STR(c->username, "bob");
		CHECK_STR(c->password, "pw");
		CHECK(c->auth_user_pass_file == NULL);
		CHECK_STR(c->extra_certs, "E\n");
		CHECK(c->remotes[0].family == AF_INET6);
	}
	vpnc_config_free(c);

	/* Username only: the daemon asks for the password. */
	c = parse_ok("client\n<ca>\nX\n</ca>\n<auth-user-pass>\nbob\n</auth-user-pass>\nremote h\n");
	if (c != NULL)
		CHECK(c->username != NULL && strcmp(c->username, "bob") == 0 && c->password == NULL);
	vpnc_config_free(c);

	parse_err("client\nremote h\n<ca>\nabc\n", "t.ovpn:3: <ca> is not closed by </ca>", __LINE__);
	parse_err(BASE "<verb>\n3\n</verb>\n", "t.ovpn:7: option 'verb' cannot be an inline block",
	          __LINE__);
	parse_err(BASE "<bogus>\nx\n</bogus>\n", "t.ovpn:7: unknown option 'bogus'", __LINE__);
	/* Lines after a block keep their numbers. */
	parse_err(BASE "<cert>\na\nb\n</cert>\nclient-to-client\n",
	          "t.ovpn:11: option 'client-to-client' is not supported", __LINE__);
}

static void test_connection_blocks(void)
{
	struct vpnc_config *c;

	c = parse_ok("client\n<ca>\nX\n</ca>\nauth-user-pass\nport 443\n"
	             "<connection>\nremote a.example 1194\nproto tcp\n</connection>\n"
	             "<connection>\nremote b.example\nport 53\nnobind\n</connection>\n");
	if (c != NULL) {
		CHECK(c->n_remotes == 2);
		CHECK_STR(c->remotes[0].host, "a.example");
		CHECK(c->remotes[0].transport == VPNC_TRANSPORT_TCP);
		CHECK_STR(c->remotes[0].port, "1194");
		CHECK_STR(c->remotes[1].port, "53");
		CHECK(c->remotes[1].transport == VPNC_TRANSPORT_UDP);
		CHECK(c->nobind);
		CHECK_STR(c->default_port, "443");
	}
	vpnc_config_free(c);
	parse_err(BASE "<connection>\nproto tcp\n</connection>\n",
	          "t.ovpn:7: each <connection> block must contain exactly one 'remote'", __LINE__);
	parse_err(BASE "<connection>\nremote x\nca y\n</connection>\n",
	          "t.ovpn:9: option 'ca' is not allowed in a <connection> block", __LINE__);
}

/* socks-proxy: defaults, the authfile split into username and password, and refusals. */
static void test_socks_proxy(void)
{
	struct vpnc_config *c;
	char path[] = "/tmp/vpnc-test-socks-XXXXXX";
	char text[512];
	int fd;

	const struct vpnc_socks_proxy *sp;

	c = parse_ok(BASE "socks-proxy proxy.example.org\nsocks-proxy-retry\n");
	sp = c != NULL ? vpnc_remote_socks(c, &c->remotes[0]) : NULL;
	CHECK(sp != NULL && strcmp(sp->host, "proxy.example.org") == 0);
	CHECK(sp != NULL && strcmp(sp->port, "1080") == 0 && sp->user == NULL);
	vpnc_config_free(c);
	c = parse_ok(BASE "socks-proxy 192.0.2.1 1081\n");
	sp = c != NULL ? vpnc_remote_socks(c, &c->remotes[0]) : NULL;
	CHECK(sp != NULL && strcmp(sp->port, "1081") == 0);
	vpnc_config_free(c);
	/* A <connection> block's own proxy; the others take the profile's (the last outside). */
	static const char conns[] = "<connection>\nremote a.example 443 tcp\nsocks-proxy p1 1081\n"
	                            "</connection>\n<connection>\nremote b.example\n</connection>\n";
	char buf[1024];
	snprintf(buf, sizeof(buf), BASE "%s", conns);
	c = parse_ok(buf);
	CHECK(c != NULL && c->n_remotes == 3);
	if (c != NULL && c->n_remotes == 3) {
		CHECK(vpnc_remote_socks(c, &c->remotes[0]) == NULL);
		sp = vpnc_remote_socks(c, &c->remotes[1]);
		CHECK(sp != NULL && strcmp(sp->host, "p1") == 0 && strcmp(sp->port, "1081") == 0);
		CHECK(vpnc_remote_socks(c, &c->remotes[2]) == NULL);
	}
	vpnc_config_free(c);
	snprintf(buf, sizeof(buf), BASE "socks-proxy g0\n%ssocks-proxy g 1082\n", conns);
	c = parse_ok(buf);
	if (c != NULL && c->n_remotes == 3) {
		sp = vpnc_remote_socks(c, &c->remotes[0]);
		CHECK(sp != NULL && strcmp(sp->host, "g") == 0 && strcmp(sp->port, "1082") == 0);
		sp = vpnc_remote_socks(c, &c->remotes[1]);
		CHECK(sp != NULL && strcmp(sp->host, "p1") == 0);
		sp = vpnc_remote_socks(c, &c->remotes[2]);
		CHECK(sp != NULL && strcmp(sp->host, "g") == 0);
	}
	vpnc_config_free(c);
	/* Privilege separation stays on with a SOCKS proxy, by default and when asked for. */
	c = parse_ok(BASE "socks-proxy p\n");
	CHECK(c != NULL && c->privsep);
	vpnc_config_free(c);
	c = parse_ok(BASE "privsep yes\nsocks-proxy p\n");
	CHECK(c != NULL && c->privsep);
	vpnc_config_free(c);
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK(write(fd, "alice\r\ns3cret\n", 14) == 14);
		close(fd);
		snprintf(text, sizeof(text), BASE "socks-proxy 192.0.2.1 1080 %s\n", path);
		c = parse_ok(text);
		sp = c != NULL ? vpnc_remote_socks(c, &c->remotes[0]) : NULL;
		CHECK(sp != NULL && sp->user != NULL && strcmp(sp->user, "alice") == 0);
		CHECK(sp != NULL && sp->pass != NULL && strcmp(sp->pass, "s3cret") == 0);
		vpnc_config_free(c);
		fd = open(path, O_WRONLY | O_TRUNC);
		CHECK(fd >= 0 && write(fd, "alice\n", 6) == 6);
		if (fd >= 0)
			close(fd);
		parse_err(text, "t.ovpn:7: option 'socks-proxy': the authfile must hold a username and "
		                "a password on two lines", __LINE__);
		unlink(path);
	}
	parse_err_prefix(BASE "socks-proxy p 0\n", "t.ovpn:7: option 'socks-proxy': the port", __LINE__);
	parse_err_prefix(BASE "socks-proxy p 1080 stdin\n",
	                 "t.ovpn:7: option 'socks-proxy': vpnc cannot ask", __LINE__);
}

/* 'fragment N [mtu]': per remote as 2.6's connection entries, and refused on TCP as 2.6 does. */
static void test_fragment(void)
{
	struct vpnc_config *c;

	c = parse_ok(BASE "fragment 1300\n");
	if (c != NULL)
		CHECK(c->remotes[0].fragment == 1300 && !c->remotes[0].fragment_mtu);
	vpnc_config_free(c);
	c = parse_ok(BASE "fragment 68 mtu\nmssfix 1300\n");
	if (c != NULL)
		CHECK(c->remotes[0].fragment == 68 && c->remotes[0].fragment_mtu && c->mssfix == 1300 &&
		      c->mssfix_mode == VPNC_MSSFIX_PAYLOAD);
	vpnc_config_free(c);
	/* What mssfix counts, as 2.6 reads it. */
	c = parse_ok(BASE "mssfix 1300 mtu\n");
	if (c != NULL)
		CHECK(c->mssfix == 1300 && c->mssfix_mode == VPNC_MSSFIX_MTU);
	vpnc_config_free(c);
	c = parse_ok(BASE "mssfix 1300 fixed\n");
	if (c != NULL)
		CHECK(c->mssfix == 1300 && c->mssfix_mode == VPNC_MSSFIX_FIXED);
	vpnc_config_free(c);
	c = parse_ok(BASE "mssfix 1300\nmssfix\n");
	if (c != NULL)
		CHECK(c->mssfix == -1 && c->mssfix_mode == VPNC_MSSFIX_MTU, "no value: the default again");
	vpnc_config_free(c);
	c = parse_ok("client\n<ca>\nX\n</ca>\nauth-user-pass\nfragment 1000\n"
	             "<connection>\nremote a.example\nfragment 1200 mtu\n</connection>\n"
	             "<connection>\nremote b.example\n</connection>\n");
	if (c != NULL) {
		CHECK(c->remotes[0].fragment == 1200 && c->remotes[0].fragment_mtu, "the block's own");
		CHECK(c->remotes[1].fragment == 1000 && !c->remotes[1].fragment_mtu, "the global one");
	}
	vpnc_config_free(c);
	/* A TCP block without fragment next to a UDP one with it: fine, as in 2.6. */
	c = parse_ok("client\n<ca>\nX\n</ca>\nauth-user-pass\n"
	             "<connection>\nremote a.example\nfragment 1200\n</connection>\n"
	             "<connection>\nremote b.example 443 tcp\n</connection>\n");
	if (c != NULL)
		CHECK(c->remotes[0].fragment == 1200 && c->remotes[1].fragment == 0);
	vpnc_config_free(c);
	parse_err(BASE "fragment 67\n", "t.ovpn:7: option 'fragment': must be a number from 68 to 65535", __LINE__);
	parse_err(BASE "fragment x\n", "t.ovpn:7: option 'fragment': must be a number from 68 to 65535", __LINE__);
	parse_err(BASE "fragment 1300 foo\n", "t.ovpn:7: option 'fragment': the second argument must be 'mtu'",
	          __LINE__);
	parse_err(BASE "fragment 1300\nproto tcp\n",
	          "t.ovpn:7: option 'fragment' can only be used with 'proto udp' (remote vpn.example.org is TCP)",
	          __LINE__);
	parse_err("client\n<ca>\nX\n</ca>\nauth-user-pass\nfragment 1300\n"
	          "<connection>\nremote a.example\n</connection>\n"
	          "<connection>\nremote b.example 443 tcp\n</connection>\n",
	          "t.ovpn:6: option 'fragment' can only be used with 'proto udp' (remote b.example is TCP)", __LINE__);
	parse_err("client\n<ca>\nX\n</ca>\nauth-user-pass\n"
	          "<connection>\nremote b.example\nproto tcp\nfragment 1300\n</connection>\n",
	          "t.ovpn:9: option 'fragment' can only be used with 'proto udp' (remote b.example is TCP)", __LINE__);
}

static void test_messages(void)
{
	parse_err(BASE "proto tcp\nhttp-proxy p 8080\nsocks-proxy s 1080\n",
	          "t.ovpn: options 'http-proxy' and 'socks-proxy' cannot be used together", __LINE__);
	parse_err(BASE "vlan-tagging\n", "t.ovpn:7: option 'vlan-tagging' is not supported", __LINE__);
	parse_err(BASE "pkcs11-id-management\n", "t.ovpn:7: option 'pkcs11-id-management' is not "
	          "supported: vpnc has no management interface to ask for the id; name the certificate "
	          "with 'pkcs11-id' (vpnc --show-pkcs11-ids lists them)", __LINE__);
	parse_err(BASE "management-external-key\n",
	          "t.ovpn:7: option 'management-external-key' is not supported", __LINE__);
	parse_err(BASE "learn-address /bin/x\n", "t.ovpn:7: option 'learn-address' is not supported",
	          __LINE__);
	parse_err(BASE "iproute /bin/ip\n", "t.ovpn:7: unknown option 'iproute'", __LINE__);
	parse_err(BASE "proto tcp-server\n", "t.ovpn:7: option 'proto tcp-server' is not supported",
	          __LINE__);
	parse_err(BASE "mode server\n", "t.ovpn:7: option 'mode server' is not supported", __LINE__);
	parse_err(BASE "frobnicate 1\n", "t.ovpn:7: unknown option 'frobnicate'", __LINE__);
	parse_err(BASE "verb\n", "t.ovpn:7: option 'verb' needs at least 1 argument", __LINE__);
	parse_err(BASE "nobind 1\n", "t.ovpn:7: option 'nobind' takes no arguments", __LINE__);
	parse_err(BASE "keepalive 1\n", "t.ovpn:7: option 'keepalive' needs at least 2 arguments",
	          __LINE__);
	parse_err(BASE "remote a 1 udp x\n", "t.ovpn:7: option 'remote' takes at most 3 arguments",
	          __LINE__);
	parse_err(BASE "verb abc\n", "t.ovpn:7: option 'verb': must be a number from 0 to 11", __LINE__);
	parse_err_prefix(BASE "proto foo\n", "t.ovpn:7: option 'proto': 'foo' is not one of", __LINE__);
	parse_err(BASE "tls-version-min 1.4\n",
	          "t.ovpn:7: option 'tls-version-min': '1.4' is not one of 1.0, 1.1, 1.2, 1.3", __LINE__);
	parse_err(BASE "remote h 70000\n",
	          "t.ovpn:7: option 'remote': '70000' is not a port number (1..65535)", __LINE__);
	parse_err(BASE "data-ciphers AES-256-GCM:NOPE-CIPHER\n",
	          "t.ovpn:7: option 'data-ciphers': unsupported cipher 'NOPE-CIPHER'", __LINE__);
	parse_err(BASE "auth NOPE\n", "t.ovpn:7: option 'auth': 'NOPE' is not a digest this OpenSSL knows",
	          __LINE__);
	parse_err(BASE "remote a \\q\n",
	          "t.ovpn:7: the line has a bad backslash escape (write \\\\ for a backslash)", __LINE__);
	parse_err(BASE "remote \"a\n", "t.ovpn:7: the line has no closing quotation mark (\")", __LINE__);
	parse_err("client\n<ca>\nX\n</ca>\nauth-user-pass\n",
	          "t.ovpn: no remote given (add 'remote HOST [PORT] [PROTO]')", __LINE__);
	parse_err("<ca>\nX\n</ca>\nauth-user-pass\nremote h\n",
	          "t.ovpn: no 'client', 'tls-client' or 'secret': OpenVPN 2.6 would send this tunnel in "
	          "clear text, without encryption or authentication, which vpnc refuses; add 'client' for "
	          "a server, 'tls-client' for a TLS peer or 'secret' for a static key", __LINE__);
	parse_err("client\nauth-user-pass\nremote h\n",
	          "t.ovpn: no 'ca' or 'peer-fingerprint' given; the server cannot be verified", __LINE__);
	parse_err("client\n<ca>\nX\n</ca>\nremote h\n",
	          "t.ovpn: no client authentication: give 'cert' and 'key', or 'auth-user-pass'",
	          __LINE__);
	parse_err(BASE "keepalive 10 15\n",
	          "t.ovpn: option 'keepalive': the restart timeout must be at least twice the ping "
	          "interval", __LINE__);
	parse_err(BASE "ping 5\nkeepalive 10 60\n",
	          "t.ovpn: option 'keepalive' conflicts with 'ping', 'ping-exit' and 'ping-restart'", __LINE__);
	parse_err(BASE "dev foo\n",
	          "t.ovpn: option 'dev': cannot tell the device type of 'foo'; add 'dev-type tun' or "
	          "'dev-type tap'",
	          __LINE__);
	parse_err(BASE "remote\001x 1\n", "t.ovpn:7: unknown option 'remote?x'", __LINE__);
	{
		const char bad[] = "client\nremote h\0x\n";
		struct vpnc_config *c = NULL;
		int ret = vpnc_config_parse_text("t.ovpn", bad, sizeof(bad) - 1, NULL, &c, err, sizeof(err));

		CHECK(ret < 0 && c == NULL);
		CHECK_STR(err, "t.ovpn:2: the line has a NUL byte");
	}
	{
		size_t big = VPNC_CFG_MAX_FILE + 1;
		char *text = malloc(big);
		struct vpnc_config *c = NULL;

		if (text != NULL) {
			memset(text, '#', big);
			CHECK(vpnc_config_parse_text("t.ovpn", text, big, NULL, &c, err, sizeof(err)) == -EFBIG);
			CHECK(c == NULL);
			free(text);
		}
	}
}

static void test_values(void)
{
	struct vpnc_config *c;

	c = parse_ok("\xEF\xBB\xBF" BASE "--proto tcp4\nport 443\nremote second 80 udp\nrport 444\n"
	             "keepalive 10 60\ncipher AES-128-CBC\nmssfix 1400 mtu\ntun-mtu 1400\nverb 4\n"
	             "mute 20\nroute-nopull\nroute-noexec\nifconfig-noexec\npersist-tun\npersist-key\n"
	             "comp-lzo no\nremote-random\nlport 5000\nconnect-retry 5 60\n"
	             "hand-window 30\ntls-timeout 4\nreneg-sec 600 300\ndev tun7\n"
	             "tls-cipher TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384\ntls-groups X25519:P-256\n"
	             "tls-cert-profile preferred\nauth-nocache\nresolv-retry infinite\n"
	             "setenv opt block-outside-dns\nsetenv opt no-such-option 1\nsetenv UV_ID 1\n"
	             "ignore-unknown-option foo bar\nfoo 1 2\nscript-security 2\nauth SHA256\n");
	if (c != NULL) {
		CHECK(c->remotes[0].transport == VPNC_TRANSPORT_TCP && c->remotes[0].family == AF_INET);
		CHECK_STR(c->remotes[0].port, "444");
		CHECK(c->remotes[1].transport == VPNC_TRANSPORT_UDP && c->remotes[1].family == AF_UNSPEC);
		CHECK_STR(c->remotes[1].port, "80");
		CHECK(c->ping == 10 && c->ping_restart == 60);
		/* 2.6: a pulling client's 'cipher' is neither offered nor a fallback. */
		CHECK_STR(c->data_ciphers_fallback, "");
		CHECK_STR(c->data_ciphers, "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305");
		CHECK(c->mssfix == 1400 && c->tun_mtu == 1400 && c->verb == 4 && c->mute == 20);
		CHECK(c->route_nopull && c->route_noexec && c->ifconfig_noexec);
		CHECK(c->persist_tun && c->persist_key && c->auth_nocache);
		CHECK(c->comp == VPNC_COMP_LZO_STUB);
		CHECK(c->remote_random && c->lport == 5000 && c->connect_retry == 5);
		CHECK(c->hand_window == 30 && c->tls_timeout == 4 && c->reneg_sec == 600);
		CHECK_STR(c->dev, "tun7");
		/* OpenVPN's IANA-style name, kept as OpenSSL's name. */
		CHECK_STR(c->tls_cipher, "ECDHE-ECDSA-AES256-GCM-SHA384");
		CHECK_STR(c->tls_groups, "X25519:P-256");
		CHECK_STR(c->tls_cert_profile, "preferred");
		CHECK_STR(c->auth, "SHA256");
	}
	vpnc_config_free(c);

	/* data-ciphers set explicitly: cipher is only the fallback. Optional '?' names drop. */
	c = parse_ok(BASE "data-ciphers AES-256-GCM:?NOT-A-CIPHER\ncipher AES-256-CBC\n"
	                  "data-ciphers-fallback AES-128-GCM\ncompress stub-v2\ndev vpnc%d\n"
	                  "dev-type tun\nremote-cert-eku \"TLS Web Server Authentication\"\n");
	if (c != NULL) {
		CHECK_STR(c->data_ciphers, "AES-256-GCM");
		CHECK_STR(c->data_ciphers_fallback, "AES-128-GCM");
		CHECK(c->comp == VPNC_COMP_STUB_V2);
		CHECK_STR(c->dev, "vpnc%d");
		/* remote-cert-eku alone checks the EKU only, as in OpenVPN (no keyUsage requirement). */
		CHECK(!c->remote_cert_tls_server && c->remote_cert_eku != NULL &&
		      strcmp(c->remote_cert_eku, "TLS Web Server Authentication") == 0);
	}
	vpnc_config_free(c);
}

static void test_command_line(void)
{
	char path[] = "/tmp/vpnc-test-config-XXXXXX";
	int fd = mkstemp(path);
	const char *text = "client\nca data/config/ca.pem\nauth-user-pass\nremote file.example 1194\n"
	                   "verb 3\n";
	struct vpnc_config *c = NULL;
	int ret;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	{
		char *argv[] = {"--verb", "5", "--remote", "cmd.example", "1195", "tcp", "--nobind",
		                "--tls-version-min", "1.2"};

		ret = vpnc_config_load(path, 9, argv, NULL, &c, err, sizeof(err));
		if (ret != 0)
			fprintf(stderr, "cmdline: %s\n", err);
		CHECK(ret == 0 && c != NULL);
		if (c != NULL) {
			CHECK(c->verb == 5 && c->nobind && c->tls_version_min == 0x0303);
			CHECK(c->n_remotes == 2);
			CHECK_STR(c->remotes[1].host, "cmd.example");
			CHECK_STR(c->remotes[1].port, "1195");
			CHECK(c->remotes[1].transport == VPNC_TRANSPORT_TCP);
			CHECK_STR(c->path, path);
		}
		vpnc_config_free(c);
		c = NULL;
	}
	{
		char *argv[] = {"--config", path, "--verb", "2"};

		ret = vpnc_config_load(NULL, 4, argv, NULL, &c, err, sizeof(err));
		CHECK(ret == 0 && c != NULL && c->verb == 2 && c->n_remotes == 1);
		vpnc_config_free(c);
		c = NULL;
	}
	{
		/* Command-line first, then --config: the file's verb wins (order counts). */
		char *argv[] = {"--verb", "6", "--config", path};

		ret = vpnc_config_load(NULL, 4, argv, NULL, &c, err, sizeof(err));
		CHECK(ret == 0 && c != NULL && c->verb == 3);
		vpnc_config_free(c);
		c = NULL;
	}
	{
		char *argv[] = {"--client-to-client"};

		ret = vpnc_config_load(path, 1, argv, NULL, &c, err, sizeof(err));
		CHECK(ret < 0 && c == NULL);
		CHECK_STR(err, "command line: option 'client-to-client' is not supported");
	}
	{
		char *argv[] = {"--verb", "x"};

		ret = vpnc_config_load(path, 2, argv, NULL, &c, err, sizeof(err));
		CHECK(ret < 0);
		CHECK_STR(err, "command line: option 'verb': must be a number from 0 to 11");
	}
	{
		char *argv[] = {"verb", "4"};

		ret = vpnc_config_load(path, 2, argv, NULL, &c, err, sizeof(err));
		CHECK(ret < 0);
		CHECK_STR(err, "command line: 'verb' is not an option (options start with --)");
	}
	{
		char *argv[] = {"--client", "--ca", "data/config/ca.pem", "--auth-user-pass",
		                "--remote", "only.example"};

		ret = vpnc_config_load(NULL, 6, argv, NULL, &c, err, sizeof(err));
		CHECK(ret == 0 && c != NULL && c->path == NULL && c->n_remotes == 1);
		vpnc_config_free(c);
		c = NULL;
	}
	{
		char *argv[] = {"--client"};

		ret = vpnc_config_load(NULL, 1, argv, NULL, &c, err, sizeof(err));
		CHECK(ret < 0);
		CHECK_STR(err, "command line: no remote given (add 'remote HOST [PORT] [PROTO]')");
	}
	ret = vpnc_config_load("/nonexistent/x.ovpn", 0, NULL, NULL, &c, err, sizeof(err));
	CHECK(ret == -ENOENT && c == NULL);
	CHECK_STR(err, "/nonexistent/x.ovpn: cannot read the config file: No such file or directory");
	unlink(path);
}

/* Writes text to a fresh temporary file; path must hold "/tmp/vpnc-test-XXXXXX". */
static void write_tmp(char *path, const char *text)
{
	int fd;

	memcpy(path, "/tmp/vpnc-test-XXXXXX", sizeof("/tmp/vpnc-test-XXXXXX"));
	fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

/* Loads text from a file with --untrusted-config; returns the result, message in err. */
static int load_untrusted(const char *text, char *extra_opt, char *extra_arg)
{
	char path[] = "/tmp/vpnc-test-XXXXXX";
	char *argv[] = {"--config", path, "--untrusted-config", extra_opt, extra_arg};
	int argc = extra_opt == NULL ? 3 : extra_arg == NULL ? 4 : 5;
	struct vpnc_config *c = NULL;
	int ret;

	write_tmp(path, text);
	ret = vpnc_config_load(NULL, argc, argv, NULL, &c, err, sizeof(err));
	vpnc_config_free(c);
	unlink(path);
	/* The message names the temporary file; keep only what follows "FILE:LINE: ". */
	if (ret < 0 && strncmp(err, path, strlen(path)) == 0)
		memmove(err, err + strlen(path), strlen(err + strlen(path)) + 1);
	return ret;
}

static void untrusted_err(const char *text, const char *want, int line)
{
	int ret = load_untrusted(text, NULL, NULL);

	if (ret >= 0 || strcmp(err, want) != 0)
		fprintf(stderr, "test line %d: ret %d, got '%s', want '%s'\n", line, ret, err, want);
	CHECK(ret < 0 && strcmp(err, want) == 0);
}

/* --untrusted-config: what a profile file may not do, and what stays allowed. */
static void test_untrusted(void)
{
	static const struct {
		const char *line, *why;
	} refused[] = {
		{"up /bin/sh", "run a program"},
		{"down /bin/sh", "run a program"},
		{"route-up /bin/sh", "run a program"},
		{"route-pre-down /bin/sh", "run a program"},
		{"ipchange /bin/sh", "run a program"},
		{"tls-verify /bin/sh", "run a program"},
		{"tls-export-cert /tmp", "write a file"},
		{"script-security 2", "let scripts run"},
		{"script-security 3", "let scripts run"},
		{"log /etc/passwd", "write a file"},
		{"log-append /etc/passwd", "write a file"},
		{"status /tmp/s", "write a file"},
		{"writepid /tmp/p", "write a file"},
		{"control-socket /run/x.sock", "create a socket"},
		{"config /etc/passwd", "read another file with vpnc's rights"},
		{"cd /", "change where files are read from"},
		{"user nobody", "change vpnc's user, group or root directory"},
		{"group nogroup", "change vpnc's user, group or root directory"},
		{"chroot /", "change vpnc's user, group or root directory"},
		{"mark 66", "mark the link's packets for the host's policy routing and firewall"},
		{"ca data/config/ca.pem", "read a file with vpnc's rights; give it as an inline block"},
		{"cert data/config/client.crt", "read a file with vpnc's rights; give it as an inline block"},
		{"key data/config/client.key", "read a file with vpnc's rights; give it as an inline block"},
		{"tls-auth data/config/static.key 1",
		 "read a file with vpnc's rights; give it as an inline block"},
		{"tls-crypt /etc/shadow", "read a file with vpnc's rights; give it as an inline block"},
		{"tls-crypt-v2 x", "read a file with vpnc's rights; give it as an inline block"},
		{"pkcs12 x.p12", "read a file with vpnc's rights; give it as an inline block"},
		{"crl-verify x.pem", "read a file with vpnc's rights; give it as an inline block"},
		{"extra-certs x.pem", "read a file with vpnc's rights; give it as an inline block"},
		{"auth-user-pass /etc/shadow", "read a file with vpnc's rights; give it as an inline block"},
		{"askpass /etc/shadow", "read a file with vpnc's rights; give it as an inline block"},
		{"dh dh.pem", "read a file with vpnc's rights; give it as an inline block"},
		{"kill-switch yes", "block the host's traffic, also after vpnc is gone"},
		{"kill-switch-allow-lan yes", "block the host's traffic, also after vpnc is gone"},
	};
	char text[512], want[512];
	const char *opt_end;
	int ret;

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		opt_end = strchr(refused[i].line, ' ');
		snprintf(text, sizeof(text), BASE "%s\n", refused[i].line);
		snprintf(want, sizeof(want), ":7: option '%.*s': not allowed in an untrusted profile (it would %s)",
		         (int)(opt_end - refused[i].line), refused[i].line, refused[i].why);
		untrusted_err(text, want, __LINE__);
	}
	/* The same profiles load without the mode (where the files exist). */
	{
		char path[] = "/tmp/vpnc-test-XXXXXX";
		char *argv[] = {"--config", path};
		struct vpnc_config *c = NULL;

		write_tmp(path, BASE "route-up /bin/sh\nscript-security 2\ncd /\n");
		ret = vpnc_config_load(NULL, 2, argv, NULL, &c, err, sizeof(err));
		CHECK(ret == 0 && c != NULL);
		vpnc_config_free(c);
		unlink(path);
	}
	/* Allowed: inline credentials, no-file auth-user-pass and askpass, levels 0 and 1. */
	CHECK(load_untrusted(BASE "script-security 1\nscript-security 0\naskpass\nverb 3\n"
	                     "<connection>\nremote b.example 1195\n</connection>\n", NULL, NULL) == 0);
	/* A token the profile holds goes only to the server the profile names anyway. */
	CHECK(load_untrusted(BASE "auth-token SESS_ID_t0k=\nauth-token-user Ym9i\n", NULL, NULL) == 0);
	/* The command line stays trusted: it can override, and name its own files. */
	CHECK(load_untrusted(BASE, "--auth-user-pass", "data/config/userpass.txt") == 0);
	CHECK(load_untrusted(BASE, "--script-security", "2") == 0);
	CHECK(load_untrusted(BASE, "--kill-switch", "yes") == 0);
	/* 'setenv opt' applies the option, so the option's rule holds. */
	untrusted_err(BASE "setenv opt up /bin/sh\n",
	              ":7: option 'up': not allowed in an untrusted profile (it would run a program)", __LINE__);
	CHECK(load_untrusted(BASE "setenv opt verb 3\nsetenv FOO bar\n", NULL, NULL) == 0);
	/* A profile cannot declare itself trusted, or untrusted. */
	untrusted_err(BASE "untrusted-config\n",
	              ":7: option 'untrusted-config': can only be given on the command line", __LINE__);
	/* Refusals inside a <connection> block never get that far: no such option is allowed there. */
	untrusted_err(BASE "<connection>\nremote c.example\nup /bin/sh\n</connection>\n",
	              ":9: option 'up' is not allowed in a <connection> block", __LINE__);
}

/*
 * Every option that takes an inline block names a file otherwise: its rule
 * must say so. peer-fingerprint and verify-hash are the exceptions: their
 * argument is the fingerprint itself, never a file name.
 */
static int check_inline_is_read(void *ctx, const char *name, int set, const char *note)
{
	(void)ctx;
	(void)note;
	if (set != 2 && vpnc_cfg_inline_ok(name) && vpnc_cfg_trust(name) != UT_READ &&
	    strcmp(name, "peer-fingerprint") != 0 && strcmp(name, "verify-hash") != 0) {
		fprintf(stderr, "option '%s' takes an inline block but is not UT_READ\n", name);
		return -1;
	}
	return 0;
}

static void test_trust_column(void)
{
	CHECK(vpnc_cfg_option_foreach(check_inline_is_read, NULL) == 0);
	CHECK(vpnc_cfg_trust("up") == UT_RUN && vpnc_cfg_trust("remote") == UT_OK);
	CHECK(vpnc_cfg_trust("config") == UT_INCLUDE && vpnc_cfg_trust("log") == UT_WRITE);
}

/* --inline-config: the self-contained text loads untrusted into the same config. */
static void test_inline_config(void)
{
	char path[] = "/tmp/vpnc-test-XXXXXX", inc[] = "/tmp/vpnc-test-XXXXXX", text[512];
	struct vpnc_config *a = NULL, *b = NULL;
	char *out = NULL;
	size_t len = 0;
	int ret;

	write_tmp(inc, "tls-auth static.key 1\n");
	snprintf(text, sizeof(text),
	         "client\n# a comment\nca ca.pem\ncert client.crt\nkey client.key\nconfig %s\n"
	         "auth-user-pass userpass.txt\nremote h 443 tcp\n<connection>\nremote k 1\n"
	         "</connection>\ncd data/config\n", inc);
	write_tmp(path, text);
	ret = vpnc_config_inline(path, true, &out, &len, err, sizeof(err));
	if (ret != 0)
		fprintf(stderr, "inline: %s\n", err);
	CHECK(ret == 0 && out != NULL && len == strlen(out));
	if (out != NULL) {
		CHECK(strstr(out, "<ca>\n-----BEGIN CERTIFICATE-----") != NULL);
		CHECK(strstr(out, "</key>\n") != NULL && strstr(out, "</tls-auth>\nkey-direction 1\n") != NULL);
		CHECK(strstr(out, "<auth-user-pass>\nalice\n") != NULL);
		CHECK(strstr(out, "cd ") == NULL && strstr(out, "config ") == NULL);
		CHECK(strstr(out, "comment") == NULL && strstr(out, "<connection>\nremote k 1\n</connection>\n"));
		ret = vpnc_config_parse_text("inlined", out, len, NULL, &b, err, sizeof(err));
		CHECK(ret == 0 && b != NULL);
	}
	{
		char *argv[] = {"--config", path};

		ret = vpnc_config_load(NULL, 2, argv, NULL, &a, err, sizeof(err));
		CHECK(ret == 0 && a != NULL);
	}
	if (a != NULL && b != NULL) {
		CHECK_STR(a->ca, b->ca);
		CHECK_STR(a->cert, b->cert);
		CHECK_STR(a->key, b->key);
		CHECK(memcmp(a->wrap_key, b->wrap_key, sizeof(a->wrap_key)) == 0 && b->key_direction == 1);
		CHECK_STR(b->username, "alice");
		CHECK_STR(b->password, "s3cret pass");
		CHECK(b->n_remotes == 2);
	}
	vpnc_config_free(a);
	vpnc_config_free(b);
	if (out != NULL) {
		/* The same text passes --untrusted-config. */
		char p2[] = "/tmp/vpnc-test-XXXXXX";
		char *argv[] = {"--config", p2, "--untrusted-config"};

		write_tmp(p2, out);
		ret = vpnc_config_load(NULL, 3, argv, NULL, &b, err, sizeof(err));
		if (ret != 0)
			fprintf(stderr, "untrusted load of the inlined text: %s\n", err);
		CHECK(ret == 0);
		vpnc_config_free(b);
		unlink(p2);
		OPENSSL_cleanse(out, len);
		free(out);
		out = NULL;
	}
	unlink(path);

	/* Untrusted: a refused option names the original file and line; nothing is returned. */
	{
		char p3[] = "/tmp/vpnc-test-XXXXXX";

		write_tmp(p3, "client\nremote h\nlog /tmp/x\n");
		ret = vpnc_config_inline(p3, true, &out, &len, err, sizeof(err));
		CHECK(ret < 0 && out == NULL && strstr(err, ":3: option 'log': not allowed in an untrusted "
		                                           "profile (it would write a file)") != NULL);
		unlink(p3);
		write_tmp(p3, "client\nremote h\nsetenv opt ca /etc/hostname\n");
		ret = vpnc_config_inline(p3, true, &out, &len, err, sizeof(err));
		CHECK(ret < 0 && out == NULL && strstr(err, ":3: option 'ca': not allowed in an untrusted "
		                                           "profile (it would read a file") != NULL);
		/* Files without an inline form. */
		unlink(p3);
		write_tmp(p3, "client\nremote h\naskpass /etc/hostname\n");
		ret = vpnc_config_inline(p3, false, &out, &len, err, sizeof(err));
		CHECK(ret < 0 && out == NULL && strstr(err, ":3: option 'askpass': the file it names cannot "
		                                           "be given as an inline block") != NULL);
		unlink(p3);
		write_tmp(p3, "client\nremote h\ncrl-verify /tmp dir\n");
		ret = vpnc_config_inline(p3, false, &out, &len, err, sizeof(err));
		CHECK(ret < 0 && out == NULL &&
		      strstr(err, ":3: option 'crl-verify': a CRL directory cannot be given") != NULL);
		/* A file that would end its own block early, and a missing one. */
		unlink(p3);
		write_tmp(p3, "client\nremote h\nca /etc/hostname-missing-x\n");
		ret = vpnc_config_inline(p3, true, &out, &len, err, sizeof(err));
		CHECK(ret < 0 && out == NULL && strstr(err, ":3: option 'ca': cannot read") != NULL);
		unlink(p3);
		write_tmp(p3, "client\nremote h\n");
		ret = vpnc_config_inline(p3, true, &out, &len, err, sizeof(err));
		CHECK(ret == 0 && out != NULL && strcmp(out, "client\nremote h\n") == 0);
		free(out);
		out = NULL;
		unlink(p3);
		write_tmp(inc, "x\n</ca>\nup /bin/sh\n");
		snprintf(text, sizeof(text), "client\nremote h\nca %s\n", inc);
		write_tmp(p3, text);
		ret = vpnc_config_inline(p3, true, &out, &len, err, sizeof(err));
		CHECK(ret < 0 && out == NULL &&
		      strstr(err, ":3: option 'ca': the file holds a line starting with </ca>") != NULL);
		unlink(p3);
		unlink(inc);
	}
}

static char notes[2048];

static void note_cb(void *ctx, const char *msg)
{
	(void)ctx;
	strncat(notes, msg, sizeof(notes) - strlen(notes) - 2);
	strcat(notes, "\n");
}

static void test_notes(void)
{
	const struct vpnc_config_notes to = {note_cb, NULL};
	struct vpnc_config *c;

	note_to = &to;
	notes[0] = '\0';
	c = parse_ok(BASE "persist-tun\nverb 4\n");
	CHECK(strstr(notes, "t.ovpn:7: option 'persist-tun' ignored: ") != NULL);
	vpnc_config_free(c);
	notes[0] = '\0';
	c = parse_ok(BASE "persist-tun\nverb 3\ncomp-lzo yes\n");
	CHECK(strstr(notes, "persist-tun") == NULL);
	CHECK(strstr(notes, "t.ovpn:9: option 'comp-lzo yes': vpnc decompresses what the server "
	                    "compresses but sends everything uncompressed") != NULL);
	vpnc_config_free(c);
	notes[0] = '\0';
	c = parse_ok(BASE "allow-compression yes\n");
	CHECK(strstr(notes, "t.ovpn:7: option 'allow-compression yes': vpnc never compresses what it "
	                    "sends, so this acts as 'asym'") != NULL);
	vpnc_config_free(c);
	note_to = NULL;
	/* Without a destination the notes are dropped. */
	notes[0] = '\0';
	c = parse_ok(BASE "persist-tun\nverb 4\n");
	CHECK(notes[0] == '\0');
	vpnc_config_free(c);
}

/* The long tail of 2.6 client options: accepted, with 2.6's meaning or a note why it is moot. */
static void test_tail_options(void)
{
	const struct vpnc_config_notes to = {note_cb, NULL};
	struct vpnc_config *c;

	note_to = &to;
	notes[0] = '\0';
	c = parse_ok(BASE "verb 4\nmanagement 127.0.0.1 7505\nmanagement-hold\n"
	             "management-query-passwords\nmanagement-client\nmanagement-signal\n"
	             "management-log-cache 100\nmanagement-forget-disconnect\n"
	             "management-query-remote\nmanagement-query-proxy\nmanagement-up-down\n"
	             "disable-occ\ncomp-noadapt\nmtu-test\n");
	CHECK(c != NULL);
	CHECK(strstr(notes, "t.ovpn:8: option 'management' ignored: vpnc has its own control socket") !=
	      NULL);
	CHECK(strstr(notes, "t.ovpn:9: option 'management-hold' ignored: ") != NULL);
	CHECK(strstr(notes, "t.ovpn:18: option 'disable-occ' ignored: ") != NULL);
	CHECK(strstr(notes, "t.ovpn:20: option 'mtu-test' ignored: ") != NULL);
	vpnc_config_free(c);
	note_to = NULL;
	parse_err(BASE "management-external-cert m\n",
	          "t.ovpn:7: option 'management-external-cert' is not supported", __LINE__);
	parse_err(BASE "management\n", "t.ovpn:7: option 'management' needs at least 1 argument",
	          __LINE__);
	/* As 2.6: "--management is not specified, however one or more options which modify ...". */
	parse_err(BASE "management-hold\n", "t.ovpn: management options given without 'management'",
	          __LINE__);
	parse_err(BASE "mtu-disc bogus\n", "t.ovpn:7: option 'mtu-disc': must be 'no', 'maybe' or 'yes'",
	          __LINE__);
	c = parse_ok(BASE "mtu-disc yes\nroute-method exe\n");
	CHECK(c == NULL || c->mtu_disc == VPNC_MTU_DISC_YES, "mtu-disc yes");
	vpnc_config_free(c);
	c = parse_ok(BASE "mtu-disc no\n");
	CHECK(c == NULL || c->mtu_disc == VPNC_MTU_DISC_NO, "mtu-disc no");
	vpnc_config_free(c);
	c = parse_ok(BASE "mtu-disc maybe\n");
	CHECK(c == NULL || c->mtu_disc == VPNC_MTU_DISC_MAYBE, "mtu-disc maybe");
	vpnc_config_free(c);
	c = parse_ok(BASE "verb 3\n");
	CHECK(c == NULL || c->mtu_disc == VPNC_MTU_DISC_DEFAULT, "no mtu-disc: the kernel's default");
	CHECK(c == NULL || c->mark == 0, "no mark");
	vpnc_config_free(c);
	/* 'mark N' is read with atoi() in 2.6: decimal, trailing text ignored, else 0 (no mark). */
	{
		static const struct {
			const char *arg;
			int want;
		} marks[] = {{"66", 66}, {"0x42", 0}, {"42abc", 42}, {"abc", 0}, {"-1", -1},
		             {"4294967295", -1}, {"0", 0}, {"2147483648", INT32_MIN}};
		char text[256];

		for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
			snprintf(text, sizeof(text), BASE "mark %s\n", marks[i].arg);
			c = parse_ok(text);
			CHECK(c == NULL || c->mark == marks[i].want, "mark %s", marks[i].arg);
			vpnc_config_free(c);
		}
	}
	parse_err(BASE "mark\n", "t.ovpn:7: option 'mark' needs at least 1 argument", __LINE__);
	parse_err(BASE "mark 1 2\n", "t.ovpn:7: option 'mark' takes at most 1 argument", __LINE__);
	/* 2.6 on Linux does not know the Windows options: unknown, unless skipped as with 2.6. */
	parse_err(BASE "block-outside-dns\n", "t.ovpn:7: unknown option 'block-outside-dns'", __LINE__);
	parse_err(BASE "win-sys local\n", "t.ovpn:7: unknown option 'win-sys'", __LINE__);
	c = parse_ok(BASE "ignore-unknown-option block-outside-dns register-dns\nblock-outside-dns\n"
	                  "register-dns\nsetenv opt dhcp-release\n");
	vpnc_config_free(c);
	parse_err(BASE "disable-occ 1\n", "t.ovpn:7: option 'disable-occ' takes no arguments", __LINE__);

	c = parse_ok(BASE);
	CHECK(c != NULL && !c->remote_random_hostname);
	vpnc_config_free(c);
	c = parse_ok(BASE "remote-random-hostname\n");
	CHECK(c != NULL && c->remote_random_hostname);
	vpnc_config_free(c);
	/* ping-exit and ping-restart share 2.6's one receive timeout: the last one wins. */
	c = parse_ok(BASE "ping 10\nping-exit 60\n");
	CHECK(c != NULL && c->ping_exit == 60 && c->ping_restart == 0);
	vpnc_config_free(c);
	c = parse_ok(BASE "ping-exit 60\nping-restart 30\n");
	CHECK(c != NULL && c->ping_exit == 0 && c->ping_restart == 30);
	vpnc_config_free(c);
	parse_err(BASE "keepalive 10 60\nping-exit 30\n",
	          "t.ovpn: option 'keepalive' conflicts with 'ping', 'ping-exit' and 'ping-restart'",
	          __LINE__);
	parse_err(BASE "ping-exit x\n", "t.ovpn:7: option 'ping-exit': must be a number of seconds (0..2000000)",
	          __LINE__);
	c = parse_ok(BASE "session-timeout 3600\necho hello\ntmp-dir /tmp\nmax-routes 100\npeer-id 3\n");
	CHECK(c != NULL && c->session_timeout == 3600);
	vpnc_config_free(c);
	parse_err(BASE "iproute /bin/ip\n", "t.ovpn:7: unknown option 'iproute'", __LINE__);
	/* proto-force: only remotes of that transport stay, in order. */
	c = parse_ok("client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote a 1 udp\nremote b 2 tcp\n"
	             "remote c 3 udp\nproto-force udp\nerrors-to-stderr\ntcp-nodelay\nprng SHA1\n");
	CHECK(c != NULL && c->n_remotes == 2 && strcmp(c->remotes[0].host, "a") == 0 &&
	      strcmp(c->remotes[1].host, "c") == 0);
	vpnc_config_free(c);
	parse_err("client\n<ca>\nCA\n</ca>\nauth-user-pass\nremote a 1 udp\nproto-force tcp\n",
	          "t.ovpn: option 'proto-force' leaves no remote to try", __LINE__);
	parse_err(BASE "proto-force sctp\n", "t.ovpn:7: option 'proto-force': must be 'udp' or 'tcp'",
	          __LINE__);
	c = parse_ok(BASE "inactive 600\n");
	CHECK(c != NULL && c->inactive == 600 && c->inactive_bytes == 0);
	vpnc_config_free(c);
	c = parse_ok(BASE "inactive 3600 10000000000\n");
	CHECK(c != NULL && c->inactive == 3600 && c->inactive_bytes == 10000000000LL);
	vpnc_config_free(c);
	parse_err(BASE "inactive 60 -5\n",
	          "t.ovpn:7: option 'inactive': the byte count must be a non-negative number", __LINE__);
	parse_err(BASE "inactive 60 5 5\n", "t.ovpn:7: option 'inactive' takes at most 2 arguments",
	          __LINE__);
	c = parse_ok(BASE "local 192.0.2.7\nlport 5000\n");
	CHECK(c != NULL && strcmp(c->local, "192.0.2.7") == 0 && !c->nobind && c->lport == 5000);
	vpnc_config_free(c);
	c = parse_ok(BASE "<connection>\nremote a\nlocal 2001:db8::7\n</connection>\n");
	CHECK(c != NULL && strcmp(c->local, "2001:db8::7") == 0);
	vpnc_config_free(c);
	/* 2.6: "--local and --nobind don't make sense when used together", in either order. */
	parse_err(BASE "local 192.0.2.7\nnobind\n", "t.ovpn: option 'local' conflicts with 'nobind'",
	          __LINE__);
	parse_err(BASE "nobind\nlocal 192.0.2.7\n", "t.ovpn: option 'local' conflicts with 'nobind'",
	          __LINE__);
	/* A name: the daemon resolves it once at start, as 2.6 does. */
	c = parse_ok(BASE "local host.example.org\n");
	CHECK(c != NULL && strcmp(c->local, "host.example.org") == 0 && c->local_resolved[0][0] == '\0');
	vpnc_config_free(c);
	parse_err(BASE "local \"a b\"\n",
	          "t.ovpn:7: option 'local': the address or host name is empty, too long or has bad characters",
	          __LINE__);
	/* setenv UV_*: sent as peer info (2.6's pull client does); push-peer-info adds more. */
	c = parse_ok(BASE "setenv UV_DEVICE laptop\nsetenv UV_EMPTY\nsetenv-safe UV_NOT x\npush-peer-info\n");
	CHECK(c != NULL && c->push_peer_info);
	CHECK(c != NULL && strcmp(c->peer_info_uv, "UV_DEVICE=laptop\nUV_EMPTY=\n") == 0);
	vpnc_config_free(c);
	parse_err(BASE "setenv UV_A-B 1\n",
	          "t.ovpn:7: option 'setenv': the name may only hold letters, digits and '_'", __LINE__);
	c = parse_ok(BASE "reneg-sec 0\n");
	CHECK(c != NULL && c->reneg_sec == 0 && c->reneg_sec_min == -1);
	vpnc_config_free(c);
	c = parse_ok(BASE "reneg-sec 3600 1800\n");
	CHECK(c != NULL && c->reneg_sec == 3600 && c->reneg_sec_min == 1800);
	vpnc_config_free(c);
	c = parse_ok(BASE);
	CHECK(c != NULL && c->replay_window == -1);
	vpnc_config_free(c);
	c = parse_ok(BASE "replay-window 32 30\nmute-replay-warnings\n");
	CHECK(c != NULL && c->replay_window == 32);
	vpnc_config_free(c);
	c = parse_ok(BASE "replay-window 0\n");
	CHECK(c != NULL && c->replay_window == 0);
	vpnc_config_free(c);
	c = parse_ok(BASE "replay-window 512 60\n");
	CHECK(c != NULL && c->replay_window == 512);
	vpnc_config_free(c);
	c = parse_ok(BASE "replay-window 65536\n");
	CHECK(c != NULL && c->replay_window == 65536);
	vpnc_config_free(c);
	parse_err(BASE "replay-window 70000\n",
	          "t.ovpn:7: option 'replay-window': the window size must be between 0 and 65536", __LINE__);
	parse_err(BASE "replay-window 64 601\n",
	          "t.ovpn:7: option 'replay-window': the time window must be between 0 and 600 seconds",
	          __LINE__);
	parse_err(BASE "<connection>\nremote a\nremote-random-hostname\n</connection>\n",
	          "t.ovpn:9: option 'remote-random-hostname' is not allowed in a <connection> block",
	          __LINE__);
}

/* 'kill-switch' and 'kill-switch-allow-lan': off by default, bare means yes, anything else is refused. */
static void test_kill_switch_options(void)
{
	struct vpnc_config *c;

	c = parse_ok(BASE);
	CHECK(c != NULL && !c->kill_switch && !c->kill_switch_lan);
	vpnc_config_free(c);
	c = parse_ok(BASE "kill-switch\nkill-switch-allow-lan\n");
	CHECK(c != NULL && c->kill_switch && c->kill_switch_lan);
	vpnc_config_free(c);
	c = parse_ok(BASE "kill-switch yes\nkill-switch no\nkill-switch-allow-lan no\n");
	CHECK(c != NULL && !c->kill_switch && !c->kill_switch_lan);
	vpnc_config_free(c);
	parse_err(BASE "kill-switch on\n", "t.ovpn:7: option 'kill-switch': must be 'yes' or 'no'", __LINE__);
	parse_err(BASE "kill-switch-allow-lan 1\n",
	          "t.ovpn:7: option 'kill-switch-allow-lan': must be 'yes' or 'no'", __LINE__);
	parse_err(BASE "kill-switch yes no\n", "t.ovpn:7: option 'kill-switch' takes at most 1 argument",
	          __LINE__);
}

/* 'shaper N': 2.6's bounds, 100..100000000 bytes per second; not set means no limit. */
static void test_shaper(void)
{
	struct vpnc_config *c = parse_ok(BASE);

	CHECK(c != NULL && c->shaper == 0 && c->tun_offload);
	vpnc_config_free(c);
	c = parse_ok(BASE "shaper 100\n");
	CHECK(c != NULL && c->shaper == 100);
	CHECK(c == NULL || !c->tun_offload, "shaper: a plain tun device, one packet per read");
	vpnc_config_free(c);
	c = parse_ok(BASE "shaper 100000000\n");
	CHECK(c != NULL && c->shaper == 100000000);
	vpnc_config_free(c);
	parse_err(BASE "shaper 99\n",
	          "t.ovpn:7: option 'shaper': must be between 100 and 100000000 (bytes per second)", __LINE__);
	parse_err(BASE "shaper 100000001\n",
	          "t.ovpn:7: option 'shaper': must be between 100 and 100000000 (bytes per second)", __LINE__);
	parse_err(BASE "shaper fast\n",
	          "t.ovpn:7: option 'shaper': must be between 100 and 100000000 (bytes per second)", __LINE__);
	parse_err(BASE "shaper\n", "t.ovpn:7: option 'shaper' needs at least 1 argument", __LINE__);
}

/* 'client-nat TYPE NETWORK NETMASK ALIAS': 2.6's checks and messages, its 64-rule table. */
static void test_client_nat(void)
{
	const struct vpnc_config_notes to = {note_cb, NULL};
	struct vpnc_config *c = parse_ok(BASE "client-nat snat 192.168.0.0 255.255.0.0 10.64.0.0\n"
	                                      "client-nat dnat 172.30.0.0 255.255.255.0 10.99.1.0\n");
	char text[8192];
	size_t off;
	int ret;

	CHECK(c != NULL && c->n_client_nat == 2);
	if (c != NULL && c->n_client_nat == 2) {
		CHECK(!c->client_nat[0].dnat && c->client_nat[0].network == htonl(0xc0a80000u) &&
		      c->client_nat[0].netmask == htonl(0xffff0000u) && c->client_nat[0].foreign == htonl(0x0a400000u));
		CHECK(c->client_nat[1].dnat && c->client_nat[1].foreign == htonl(0x0a630100u));
	}
	vpnc_config_free(c);
	c = parse_ok(BASE);
	CHECK(c != NULL && c->n_client_nat == 0);
	vpnc_config_free(c);
	parse_err(BASE "client-nat xnat 1.2.3.0 255.255.255.0 10.0.0.0\n",
	          "t.ovpn:7: option 'client-nat': type must be 'snat' or 'dnat'", __LINE__);
	parse_err(BASE "client-nat snat 1.2.3 255.255.255.0 10.0.0.0x\n",
	          "t.ovpn:7: option 'client-nat': bad foreign network: 10.0.0.0x", __LINE__);
	parse_err(BASE "client-nat snat host.example 255.255.255.0 10.0.0.0\n",
	          "t.ovpn:7: option 'client-nat': bad network: host.example", __LINE__);
	parse_err(BASE "client-nat snat 1.2.3.0 /24 10.0.0.0\n",
	          "t.ovpn:7: option 'client-nat': bad netmask: /24", __LINE__);
	parse_err(BASE "client-nat snat 1.2.3.0 255.255.255.0\n",
	          "t.ovpn:7: option 'client-nat' needs at least 4 arguments", __LINE__);
	/* 65 rules: 2.6 warns about the 65th and drops it. */
	off = (size_t)snprintf(text, sizeof(text), "%s", BASE);
	for (int i = 0; i < 65; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "client-nat snat 10.%d.0.0 255.255.0.0 10.200.0.0\n", i);
	notes[0] = '\0';
	c = NULL;
	ret = vpnc_config_parse_text("t.ovpn", text, strlen(text), &to, &c, err, sizeof(err));
	CHECK(ret == 0 && c != NULL && c->n_client_nat == 64, "%s", err);
	CHECK(strstr(notes, "t.ovpn:71: client-nat table overflow (max 64 entries): rule ignored, as in 2.6") != NULL,
	      "notes: %s", notes);
	vpnc_config_free(c);
}

/* 'replay-persist FILE': recorded as given (opened by the daemon); 'no-replay' refused with why. */
static void test_replay_persist(void)
{
	struct vpnc_config *c = parse_ok(BASE "replay-persist /var/lib/vpnc/pid\n");

	CHECK(c != NULL && strcmp(c->replay_persist, "/var/lib/vpnc/pid") == 0);
	vpnc_config_free(c);
	c = parse_ok(BASE);
	CHECK(c != NULL && c->replay_persist[0] == '\0');
	vpnc_config_free(c);
	parse_err(BASE "replay-persist\n", "t.ovpn:7: option 'replay-persist' needs at least 1 argument", __LINE__);
	parse_err_prefix(BASE "no-replay\n", "t.ovpn:7: option 'no-replay' is not supported", __LINE__);
	CHECK(vpnc_cfg_trust("replay-persist") != UT_OK, "writes a file: not for untrusted profiles");
}

/*
 * keying-material-exporter: checked as 2.6 checks it, then ignored (2.6 gives
 * the material to a TLS_FINAL plugin only, which vpnc does not load).
 */
static void test_keying_material_exporter(void)
{
	struct vpnc_config *c = parse_ok(BASE "keying-material-exporter \"EXPORTER_SSO_TEST\" 16\n"
	                                 "keying-material-exporter EXPORTER 4095\n");

	CHECK(c != NULL);
	vpnc_config_free(c);
	parse_err(BASE "keying-material-exporter EXPORTER-x 15\n",
	          "t.ovpn:7: option 'keying-material-exporter': the length must be a number from 16 to 4095, "
	          "as in OpenVPN 2.6", __LINE__);
	parse_err_prefix(BASE "keying-material-exporter EXPORTER-x 4096\n",
	                 "t.ovpn:7: option 'keying-material-exporter': the length", __LINE__);
	parse_err_prefix(BASE "keying-material-exporter EXPORTER-x x16\n",
	                 "t.ovpn:7: option 'keying-material-exporter': the length", __LINE__);
	/* 2.6 reads the length with atoi() ("16x" is 16) and ignores extra arguments. */
	c = parse_ok(BASE "keying-material-exporter EXPORTER-x 16x extra words\n");
	CHECK(c != NULL);
	vpnc_config_free(c);
	parse_err(BASE "keying-material-exporter exporter-lower 16\n",
	          "t.ovpn:7: option 'keying-material-exporter': the label must begin with \"EXPORTER\", "
	          "as in OpenVPN 2.6", __LINE__);
	parse_err_prefix(BASE "keying-material-exporter EXPORTER\n",
	                 "t.ovpn:7: option 'keying-material-exporter' needs", __LINE__);
	CHECK(vpnc_cfg_trust("keying-material-exporter") == UT_OK, "reads, writes and runs nothing");
}

/* 'tun-offload' and 'coalesce-us', in a profile, on the command line, and as environment aliases. */
static void test_datapath_options(void)
{
	const struct vpnc_config_notes to = {note_cb, NULL};
	char *argv_off[] = {"--client", "--ca", "data/config/ca.pem", "--auth-user-pass", "--remote", "h",
	                    "--tun-offload", "no", "--coalesce-us", "0"};
	char *argv_min[] = {"--client", "--ca", "data/config/ca.pem", "--auth-user-pass", "--remote", "h"};
	struct vpnc_config *c;
	int ret;

	unsetenv("VPNC_OFFLOAD");
	unsetenv("VPNC_COALESCE_US");
	c = parse_ok(BASE);
	CHECK(c != NULL && c->tun_offload && c->coalesce_us == 200);
	vpnc_config_free(c);
	c = parse_ok(BASE "tun-offload no\ncoalesce-us 5000\n");
	CHECK(c != NULL && !c->tun_offload && c->coalesce_us == 5000);
	vpnc_config_free(c);
	c = parse_ok(BASE "tun-offload no\ntun-offload yes\n");
	CHECK(c != NULL && c->tun_offload);
	vpnc_config_free(c);
	parse_err(BASE "tun-offload off\n", "t.ovpn:7: option 'tun-offload': must be 'yes' or 'no'", __LINE__);
	parse_err(BASE "coalesce-us 5001\n",
	          "t.ovpn:7: option 'coalesce-us': must be a number of microseconds (0..5000)", __LINE__);
	parse_err(BASE "coalesce-us -1\n",
	          "t.ovpn:7: option 'coalesce-us': must be a number of microseconds (0..5000)", __LINE__);
	parse_err(BASE "coalesce-us\n", "t.ovpn:7: option 'coalesce-us' needs at least 1 argument",
	          __LINE__);

	c = NULL;
	ret = vpnc_config_load(NULL, 10, argv_off, NULL, &c, err, sizeof(err));
	CHECK(ret == 0 && c != NULL && !c->tun_offload && c->coalesce_us == 0, "%s", err);
	vpnc_config_free(c);

	/* The environment aliases: read by vpnc_config_load only, before the profile. */
	setenv("VPNC_OFFLOAD", "off", 1);
	setenv("VPNC_COALESCE_US", "150", 1);
	c = NULL;
	ret = vpnc_config_load(NULL, 6, argv_min, NULL, &c, err, sizeof(err));
	CHECK(ret == 0 && c != NULL && !c->tun_offload && c->coalesce_us == 150, "%s", err);
	vpnc_config_free(c);
	c = parse_ok(BASE);
	CHECK(c != NULL && c->tun_offload && c->coalesce_us == 200);
	vpnc_config_free(c);
	/* The command line wins over the environment. */
	setenv("VPNC_OFFLOAD", "1", 1);
	c = NULL;
	ret = vpnc_config_load(NULL, 10, argv_off, NULL, &c, err, sizeof(err));
	CHECK(ret == 0 && c != NULL && !c->tun_offload && c->coalesce_us == 0, "%s", err);
	vpnc_config_free(c);
	setenv("VPNC_OFFLOAD", "no", 1);
	c = NULL;
	ret = vpnc_config_load(NULL, 6, argv_min, NULL, &c, err, sizeof(err));
	CHECK(ret == 0 && c != NULL && !c->tun_offload);
	vpnc_config_free(c);
	/* A bad value is a note naming the variable; the default stays. */
	setenv("VPNC_OFFLOAD", "maybe", 1);
	setenv("VPNC_COALESCE_US", "fast", 1);
	notes[0] = '\0';
	c = NULL;
	ret = vpnc_config_load(NULL, 6, argv_min, &to, &c, err, sizeof(err));
	CHECK(ret == 0 && c != NULL && c->tun_offload && c->coalesce_us == 200, "%s", err);
	CHECK(strstr(notes, "environment: VPNC_OFFLOAD=maybe ignored, option 'tun-offload': must be 'yes' or "
	                    "'no'") != NULL, "notes: %s", notes);
	CHECK(strstr(notes, "environment: VPNC_COALESCE_US=fast ignored, option 'coalesce-us': must be a "
	                    "number of microseconds (0..5000)") != NULL, "notes: %s", notes);
	vpnc_config_free(c);
	/* A value longer than an option word is named too, cut short in the note. */
	{
		char longv[300];

		memset(longv, '7', sizeof(longv) - 1);
		longv[sizeof(longv) - 1] = '\0';
		setenv("VPNC_COALESCE_US", longv, 1);
		unsetenv("VPNC_OFFLOAD");
		notes[0] = '\0';
		c = NULL;
		ret = vpnc_config_load(NULL, 6, argv_min, &to, &c, err, sizeof(err));
		CHECK(ret == 0 && c != NULL && c->coalesce_us == 200, "%s", err);
		CHECK(strstr(notes, "environment: VPNC_COALESCE_US=777") != NULL &&
		      strstr(notes, "... ignored, the value is longer than 256 bytes") != NULL, "notes: %s", notes);
		vpnc_config_free(c);
	}
	unsetenv("VPNC_OFFLOAD");
	unsetenv("VPNC_COALESCE_US");
}

/* comp-lzo, compress and allow-compression: the value, and OpenVPN 2.6's rule for what is allowed. */
static void test_compression(void)
{
	static const struct {
		const char *text;
		enum vpnc_comp comp;
		bool allowed; /* a pushed real compression is decompressed */
	} cases[] = {
		{"", VPNC_COMP_NONE, false}, /* 2.6's default: stub framing only */
		{"comp-lzo no\n", VPNC_COMP_LZO_STUB, false},
		{"comp-lzo\n", VPNC_COMP_LZO, true},
		{"comp-lzo yes\n", VPNC_COMP_LZO, true},
		{"comp-lzo adaptive\n", VPNC_COMP_LZO, true},
		{"compress lzo\n", VPNC_COMP_LZO, true},
		{"compress lz4\n", VPNC_COMP_LZ4, true},
		{"compress lz4-v2\n", VPNC_COMP_LZ4_V2, true},
		{"compress\n", VPNC_COMP_STUB, true},
		{"compress stub\n", VPNC_COMP_STUB, true},
		{"compress stub-v2\n", VPNC_COMP_STUB_V2, true},
		{"compress migrate\n", VPNC_COMP_NONE, true},
		{"allow-compression asym\n", VPNC_COMP_NONE, true},
		{"allow-compression yes\n", VPNC_COMP_NONE, true},
		{"allow-compression no\n", VPNC_COMP_NONE, false},
		{"allow-compression no\ncompress stub-v2\n", VPNC_COMP_STUB_V2, false},
		{"allow-compression no\ncomp-lzo no\n", VPNC_COMP_LZO_STUB, false},
		{"compress stub\nallow-compression no\n", VPNC_COMP_STUB, false},
		{"allow-compression asym\ncomp-lzo no\n", VPNC_COMP_LZO_STUB, true},
		{"compress lz4\nallow-compression asym\n", VPNC_COMP_LZ4, true},
	};
	char text[512];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), BASE "%s", cases[i].text);
		struct vpnc_config *c = parse_ok(text);
		if (c == NULL)
			continue;
		if (c->comp != cases[i].comp || vpnc_config_comp_allowed(c) != cases[i].allowed) {
			fprintf(stderr, "compression case %zu: comp %d allowed %d\n", i, c->comp,
			        vpnc_config_comp_allowed(c));
			CHECK(0);
		}
		vpnc_config_free(c);
	}
	parse_err(BASE "allow-compression no\ncomp-lzo yes\n",
	          "t.ovpn:8: option 'comp-lzo': 'yes' conflicts with 'allow-compression no'", __LINE__);
	parse_err(BASE "allow-compression no\ncomp-lzo\n",
	          "t.ovpn:8: option 'comp-lzo': 'adaptive' conflicts with 'allow-compression no'", __LINE__);
	parse_err(BASE "allow-compression no\ncompress lz4-v2\n",
	          "t.ovpn:8: option 'compress': 'lz4-v2' conflicts with 'allow-compression no'", __LINE__);
	parse_err(BASE "compress lzo\nallow-compression no\n",
	          "t.ovpn:8: option 'allow-compression': 'no' conflicts with the compression configured "
	          "before", __LINE__);
	parse_err(BASE "allow-compression no\nallow-compression asym\n",
	          "t.ovpn:8: option 'allow-compression': cannot be set to 'asym' after 'no'", __LINE__);
	parse_err(BASE "allow-compression maybe\n",
	          "t.ovpn:7: option 'allow-compression': must be 'no', 'asym' or 'yes'", __LINE__);
	parse_err(BASE "comp-lzo always\n",
	          "t.ovpn:7: option 'comp-lzo': must be 'yes', 'no' or 'adaptive'", __LINE__);
	parse_err(BASE "compress zstd\n",
	          "t.ovpn:7: option 'compress': must be empty or one of stub, stub-v2, lzo, lz4, lz4-v2, "
	          "migrate", __LINE__);
}

/* Route and DNS options of the profile land in cfg->net, checked as pushed ones are. */
static void test_profile_routes(void)
{
	struct vpnc_config *c;

	c = parse_ok(BASE "route 10.1.0.0 255.255.0.0\nroute 192.0.2.0 255.255.255.0 net_gateway 5\n"
	                  "route-ipv6 fd01::/64 vpn_gateway 3\nredirect-gateway def1 bypass-dhcp\n"
	                  "redirect-private local\nroute-metric 9\nroute-delay\nmax-routes 500\n"
	                  "route-gateway 10.8.0.1\nroute-ipv6-gateway fd00::1\nblock-ipv6\n"
	                  "dhcp-option DNS 10.0.0.53\ndhcp-option DOMAIN-ROUTE .\ndhcp-option WPAD x\n"
	                  "dns server 0 address 10.0.0.1 [fd00::53]:5353\ndns server 0 dnssec optional\n"
	                  "dns search-domains corp.example\ntopology subnet\nroute-nopull\n");
	CHECK(c != NULL && c->net != NULL);
	if (c != NULL && c->net != NULL) {
		const struct vpnc_push *n = c->net;

		CHECK(n->n_routes == 2 && n->n_routes6 == 1 && n->routes6[0].metric == 3);
		CHECK(vpnc_rg_ipv4(n->redirect_gateway) && (n->redirect_gateway & VPNC_RG_LOCAL) &&
		      (n->redirect_gateway & VPNC_RG_PRIVATE) && (n->redirect_gateway & VPNC_RG_BYPASS_DHCP));
		CHECK(n->route_metric == 9 && n->has_route_gateway && n->block_ipv6);
		CHECK(n->n_dns4 == 1 && n->n_route_domains == 1 && n->n_dns_servers == 1);
		CHECK(n->dns_servers[0].n_addr == 2 && n->dns_servers[0].dnssec == VPNC_DNSSEC_OPTIONAL);
		CHECK(n->n_dns_search == 1 && n->topology == VPNC_TOPO_SUBNET && c->route_nopull);
	}
	vpnc_config_free(c);
	c = parse_ok(BASE);
	CHECK(c != NULL && c->net == NULL);
	vpnc_config_free(c);

	parse_err(BASE "route 10.0.0.0 255.0.0.0 vpn.example\n",
	          "t.ovpn:7: option 'route': gateway is not a usable IPv4 address", __LINE__);
	parse_err(BASE "route 10.0.0.1 255.0.0.0\n",
	          "t.ovpn:7: option 'route': network has bits outside the netmask", __LINE__);
	parse_err(BASE "redirect-gateway def2\n",
	          "t.ovpn:7: option 'redirect-gateway': unknown redirect-gateway flag", __LINE__);
	parse_err(BASE "dns server 1 address 10.0.0.1:0\n",
	          "t.ovpn:7: option 'dns': not an address literal [with :port]", __LINE__);
	parse_err(BASE "dns server 1 transport DoQ\n",
	          "t.ovpn:7: option 'dns': transport is not plain|DoH|DoT", __LINE__);
	parse_err(BASE "dns\n", "t.ovpn:7: option 'dns' needs at least 2 arguments", __LINE__);
	parse_err(BASE "dns server 2 sni dns.example\n",
	          "t.ovpn: route and DNS options: a dns server has no address", __LINE__);
	parse_err(BASE "route-delay 1 2 3\n", "t.ovpn:7: option 'route-delay' takes at most 2 arguments",
	          __LINE__);
}

/* 'static-challenge TEXT ECHO [FORMAT]' (2.6's two words, 2.7's FORMAT) and 'username-only'. */
static void test_static_challenge(void)
{
	struct vpnc_config *c = parse_ok(BASE "static-challenge \"Enter the code\" 1\n");

	if (c != NULL) {
		CHECK_STR(c->static_challenge, "Enter the code");
		CHECK(c->static_challenge_echo && !c->static_challenge_concat);
	}
	vpnc_config_free(c);
	c = parse_ok(BASE "static-challenge OTP 0 concat\n");
	if (c != NULL)
		CHECK(!c->static_challenge_echo && c->static_challenge_concat);
	vpnc_config_free(c);
	/* 2.6 reads ECHO with atoi: "yes" is 0 (no echo), accepted; "2" echoes. */
	c = parse_ok(BASE "static-challenge OTP yes scrv1\n");
	if (c != NULL)
		CHECK(!c->static_challenge_echo && !c->static_challenge_concat);
	vpnc_config_free(c);
	c = parse_ok(BASE "static-challenge OTP 2\n");
	if (c != NULL)
		CHECK(c->static_challenge_echo);
	vpnc_config_free(c);
	parse_err(BASE "static-challenge OTP 1 base64\n",
	          "t.ovpn:7: option 'static-challenge': FORMAT must be 'scrv1' or 'concat'", __LINE__);
	parse_err(BASE "static-challenge OTP\n",
	          "t.ovpn:7: option 'static-challenge' needs at least 2 arguments", __LINE__);
	c = parse_ok("client\n<ca>\nCA\n</ca>\nremote vpn.example.org\nauth-user-pass username-only\n");
	if (c != NULL)
		CHECK(c->auth_user_pass && c->auth_user_pass_username_only && c->username == NULL &&
		      c->auth_user_pass_file == NULL);
	vpnc_config_free(c);
	parse_err("client\n<ca>\nCA\n</ca>\nremote vpn.example.org\nauth-user-pass username-only\n"
	          "static-challenge OTP 1\n",
	          "t.ovpn: 'auth-user-pass username-only' cannot be used with 'static-challenge'", __LINE__);
}

/*
 * 'auth-token' and 'auth-token-user' in a profile, as 2.6 takes them: the
 * name base64-decoded, the last of each counting; the token only with a
 * name; no password-only form of auth-user-pass (an empty username line).
 */
static void test_auth_token_profile(void)
{
	const struct vpnc_config_notes to = {note_cb, NULL};
	char longtok[400];
	struct vpnc_config *c;

	note_to = &to;
	notes[0] = '\0';
	c = parse_ok(BASE "auth-token-user dXNlcg==\nauth-token first\nauth-token SESS_ID_t0k=\n"
	             "auth-token-user Ym9i\n");
	CHECK(c != NULL && c->auth_token != NULL && c->auth_token_user != NULL);
	if (c != NULL && c->auth_token != NULL && c->auth_token_user != NULL) {
		CHECK_STR(c->auth_token, "SESS_ID_t0k=");
		CHECK_STR(c->auth_token_user, "bob");
	}
	CHECK(notes[0] == '\0');
	vpnc_config_free(c);
	/* Without a name 2.6 never sends the token: dropped, with a note. */
	notes[0] = '\0';
	c = parse_ok(BASE "auth-token SESS_ID_t0k=\n");
	CHECK(c != NULL && c->auth_token == NULL && c->auth_token_user == NULL);
	CHECK(strstr(notes, "t.ovpn: option 'auth-token' without 'auth-token-user' is ignored") != NULL);
	vpnc_config_free(c);
	/* Not base64 of a printable name: ignored, as 2.6 ignores it; then the token goes too. */
	notes[0] = '\0';
	c = parse_ok(BASE "auth-token-user not*base64\nauth-token t\n");
	CHECK(c != NULL && c->auth_token_user == NULL && c->auth_token == NULL);
	CHECK(strstr(notes, "t.ovpn:7: option 'auth-token-user' is not base64 of a printable name; ignored") != NULL);
	vpnc_config_free(c);
	notes[0] = '\0';
	c = parse_ok(BASE "auth-token-user AAEC\n"); /* bytes 0, 1, 2 */
	CHECK(c != NULL && c->auth_token_user == NULL && strstr(notes, "t.ovpn:7:") != NULL);
	vpnc_config_free(c);
	/* The name alone, with auth-user-pass: kept (for a token pushed later), the credentials go at once. */
	notes[0] = '\0';
	c = parse_ok(BASE "verb 3\nauth-token-user Ym9i\n");
	CHECK(c != NULL && c->auth_token == NULL && c->auth_token_user != NULL);
	CHECK(strstr(notes, "'auth-token-user' without 'auth-token': the credentials are sent at once") != NULL);
	vpnc_config_free(c);
	/* An empty value changes nothing (2.6 ignores it too). */
	c = parse_ok(BASE "auth-token-user \"\"\nauth-token \"\"\n");
	CHECK(c != NULL && c->auth_token == NULL && c->auth_token_user == NULL);
	vpnc_config_free(c);
	note_to = NULL;
	/* The lexer takes words of up to 256 bytes; the token field holds 255. */
	snprintf(longtok, sizeof(longtok), "%sauth-token %0256d\n", BASE, 7);
	parse_err(longtok, "t.ovpn:7: option 'auth-token': the value is longer than 255 bytes", __LINE__);
	parse_err(BASE "auth-token-user a b\n", "t.ovpn:7: option 'auth-token-user' takes at most 1 argument", __LINE__);
	/* 2.6 stops at an empty username (\"Auth username is empty\"), inline as in a file. */
	parse_err_prefix("client\n<ca>\nCA\n</ca>\nremote vpn.example.org\n<auth-user-pass>\n\npassword\n"
	                 "</auth-user-pass>\n",
	                 "t.ovpn:6: option 'auth-user-pass': the username (first line) is empty", __LINE__);
}

/*
 * The tls-auth direction as 2.6 keeps it (options.c, "tls-auth" and
 * "key-direction"): one value, the later line wins, and an inline
 * <tls-auth> block, which has no direction, keeps the one set before it
 * (ovpn.com's profiles say 'tls-auth FILE 1' and then hold the key inline).
 */
static void test_tls_auth_direction(void)
{
	static const char key[] = "<tls-auth>\n-----BEGIN OpenVPN Static key V1-----\n"
	                          "%s-----END OpenVPN Static key V1-----\n</tls-auth>\n";
	char hex[16 * 33 + 1], inl[sizeof(hex) + 200], text[4096];
	struct vpnc_config *c;

	for (int i = 0; i < 16; i++)
		memcpy(hex + i * 33, "11111111111111111111111111111111\n", 33);
	hex[16 * 33] = '\0';
	snprintf(inl, sizeof(inl), key, hex);

	snprintf(text, sizeof(text), "client\nremote h\nca data/config/ca.pem\nauth-user-pass data/config/userpass.txt\ntls-auth data/config/static.key 1\n%s", inl);
	c = parse_ok(text);
	CHECK(c != NULL && c->wrap == VPNC_WRAP_TLS_AUTH && c->key_direction == 1 && c->wrap_key[0] == 0x11);
	vpnc_config_free(c);
	snprintf(text, sizeof(text), "client\nremote h\nca data/config/ca.pem\nauth-user-pass data/config/userpass.txt\ntls-auth data/config/static.key 1\nkey-direction 0\n");
	c = parse_ok(text);
	CHECK(c != NULL && c->key_direction == 0);
	vpnc_config_free(c);
	snprintf(text, sizeof(text), "client\nremote h\nca data/config/ca.pem\nauth-user-pass data/config/userpass.txt\nkey-direction 0\ntls-auth data/config/static.key 1\n");
	c = parse_ok(text);
	CHECK(c != NULL && c->key_direction == 1);
	vpnc_config_free(c);
	snprintf(text, sizeof(text), "client\nremote h\nca data/config/ca.pem\nauth-user-pass data/config/userpass.txt\n%s", inl);
	c = parse_ok(text);
	CHECK(c != NULL && c->key_direction == -1);
	vpnc_config_free(c);
}

/*
 * Static-key mode ('secret', docs/static-key.md) with 2.6's rules: the key
 * from a file or an inline block, the direction on the line or from
 * key-direction, 'cipher' else BF-CBC, and no TLS-only option beside it.
 */
static void test_static_key(void)
{
	static const char key[] = "<secret>\n-----BEGIN OpenVPN Static key V1-----\n"
	                          "%s-----END OpenVPN Static key V1-----\n</secret>\n";
	char hex[16 * 33 + 1], inl[sizeof(hex) + 200], text[4096];
	struct vpnc_config *c;

	for (int i = 0; i < 16; i++)
		memcpy(hex + i * 33, "22222222222222222222222222222222\n", 33);
	hex[16 * 33] = '\0';
	snprintf(inl, sizeof(inl), key, hex);

	c = parse_ok("remote h\ndev tun\nsecret data/config/static.key 1\ncipher aes-256-cbc\n"
	             "ifconfig 10.8.0.2 10.8.0.1\nroute 10.9.0.0 255.255.0.0\n");
	CHECK(c != NULL && c->secret && c->key_direction == 1 && c->wrap == VPNC_WRAP_NONE);
	CHECK(c != NULL && strcmp(c->secret_cipher, "aes-256-cbc") == 0 && strcmp(c->auth, "SHA1") == 0);
	CHECK(c != NULL && c->net != NULL && c->net->has_ifconfig && c->net->n_routes == 1);
	vpnc_config_free(c);
	/* Inline, direction from key-direction; no direction at all is bidirectional. */
	snprintf(text, sizeof(text), "remote h\nkey-direction 0\ncipher AES-128-CBC\nauth SHA256\n%s", inl);
	c = parse_ok(text);
	CHECK(c != NULL && c->secret && c->key_direction == 0 && c->secret_key[0] == 0x22 &&
	      c->secret_key[255] == 0x22 && strcmp(c->auth, "SHA256") == 0);
	vpnc_config_free(c);
	c = parse_ok("remote h\nsecret data/config/static.key\ncipher AES-256-CBC\n");
	CHECK(c != NULL && c->secret && c->key_direction == -1);
	vpnc_config_free(c);

	parse_err("remote h\nsecret data/config/static.key 2\n",
	          "t.ovpn:2: option 'secret': the key direction must be 0 or 1", __LINE__);
	parse_err("remote h\nsecret data/config/static.key\ncipher AES-256-GCM\n",
	          "t.ovpn: cipher 'AES-256-GCM': static-key mode supports only CBC ciphers "
	          "(OpenVPN 2.6: mode not supported)", __LINE__);
	parse_err("remote h\nsecret data/config/static.key\ncipher none\n",
	          "t.ovpn: option 'cipher none' would leave the static-key tunnel unencrypted; give the "
	          "cipher both ends use", __LINE__);
	parse_err("remote h\nsecret data/config/static.key\ncipher AES-256-CBC\nauth none\n",
	          "t.ovpn: option 'auth none' would leave static-key packets unauthenticated; give the "
	          "digest both ends use", __LINE__);
	parse_err("client\nremote h\nsecret data/config/static.key\ncipher AES-256-CBC\n",
	          "t.ovpn: specify only one of 'tls-client' (or 'client') and 'secret'", __LINE__);
	parse_err("remote h\nca data/config/ca.pem\nsecret data/config/static.key\ncipher AES-256-CBC\n",
	          "t.ovpn: option 'ca' needs TLS mode; static-key mode ('secret') has no TLS", __LINE__);
	parse_err("remote h\nremote-cert-tls server\nsecret data/config/static.key\ncipher AES-256-CBC\n",
	          "t.ovpn: option 'remote-cert-tls' needs TLS mode; static-key mode ('secret') has no TLS",
	          __LINE__);
	parse_err("remote h\nauth-user-pass data/config/userpass.txt\nsecret data/config/static.key\n"
	          "cipher AES-256-CBC\n",
	          "t.ovpn: option 'auth-user-pass' needs 'pull', which static-key mode ('secret') does "
	          "not have", __LINE__);
	parse_err("remote h\ntls-auth data/config/static.key 1\nsecret data/config/static.key\n",
	          "t.ovpn: options 'tls-auth', 'tls-crypt' and 'tls-crypt-v2' need TLS mode; static-key "
	          "mode ('secret') has no TLS", __LINE__);
	/* --inline-config: 'secret FILE 1' becomes a <secret> block and 'key-direction 1'. */
	{
		char path[] = "/tmp/vpnc-test-XXXXXX";
		char *out = NULL;
		size_t len = 0;

		write_tmp(path, "remote h\ncipher AES-256-CBC\nsecret static.key 1\ncd data/config\n");
		CHECK(vpnc_config_inline(path, true, &out, &len, err, sizeof(err)) == 0 && out != NULL);
		if (out != NULL) {
			CHECK(strstr(out, "<secret>\n#\n# 2048 bit OpenVPN static key") != NULL);
			CHECK(strstr(out, "</secret>\nkey-direction 1\n") != NULL);
			c = parse_ok(out);
			CHECK(c != NULL && c->secret && c->key_direction == 1);
			vpnc_config_free(c);
			OPENSSL_cleanse(out, len);
			free(out);
		}
		unlink(path);
	}
	parse_err_prefix("remote h\nsecret data/config/nonexistent.key\n",
	                 "t.ovpn:2: option 'secret': cannot read", __LINE__);
	/* Without 'cipher': 2.6's BF-CBC, which OpenSSL 3 has only in its legacy provider. */
	EVP_CIPHER *bf = EVP_CIPHER_fetch(NULL, "BF-CBC", NULL);
	if (bf == NULL) {
		ERR_clear_error();
		parse_err_prefix("remote h\nsecret data/config/static.key\n",
		                 "t.ovpn: static-key mode's default cipher BF-CBC is not available", __LINE__);
	} else {
		c = parse_ok("remote h\nsecret data/config/static.key\n");
		CHECK(c != NULL && strcmp(c->secret_cipher, "BF-CBC") == 0);
		vpnc_config_free(c);
	}
	EVP_CIPHER_free(bf);
}

/* TLS peer-to-peer mode ('tls-client' without 'pull'), 'dev null', and no TLS at all. */
#define P2P "tls-client\nremote h\nca data/config/ca.pem\ncert data/config/client.crt\nkey data/config/client.key\n"
static void test_p2p(void)
{
	struct vpnc_config *c = parse_ok(P2P "ifconfig 10.1.0.2 10.1.0.1\ncipher AES-256-CBC\n");

	CHECK(c != NULL && c->tls_client && !c->pull && !c->client && !c->secret);
	/* 'cipher' is the fallback; 2.6 does not add it to what a P2P peer offers. */
	CHECK(c != NULL && strcmp(c->data_ciphers, "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305") == 0 &&
	      strcmp(c->data_ciphers_fallback, "AES-256-CBC") == 0);
	CHECK(c != NULL && c->net != NULL && c->net->has_ifconfig);
	vpnc_config_free(c);
	/* A pulling client neither offers it nor falls back to it, as 2.6 (which warns). */
	c = parse_ok(BASE "cipher AES-256-CBC\n");
	CHECK(c != NULL && strcmp(c->data_ciphers, "AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305") == 0 &&
	      c->data_ciphers_fallback[0] == '\0');
	vpnc_config_free(c);
	parse_err(P2P "auth-user-pass data/config/userpass.txt\n",
	          "t.ovpn: option 'auth-user-pass' needs 'pull' (or 'client'), as in OpenVPN 2.6", __LINE__);
	parse_err("tls-client\nremote h\nca data/config/ca.pem\n",
	          "t.ovpn: a TLS peer without 'pull' needs 'cert' and 'key' (or 'pkcs12'), as in OpenVPN 2.6",
	          __LINE__);
	parse_err("pull\nremote h\nca data/config/ca.pem\n", "t.ovpn: option 'pull' needs 'tls-client' (or 'client')",
	          __LINE__);
	/* Neither TLS nor a static key: 2.6 would tunnel in clear text. */
	parse_err_prefix("remote h\ndev tun\nifconfig 10.1.0.2 10.1.0.1\n",
	                 "t.ovpn: no 'client', 'tls-client' or 'secret': OpenVPN 2.6 would send this tunnel in "
	                 "clear text", __LINE__);
	/* 'dev null': no device; 'dev-type null' too; a later type or device wins, as in 2.6. */
	c = parse_ok(P2P "dev null\n");
	CHECK(c != NULL && c->dev_null && !c->dev_tap);
	vpnc_config_free(c);
	c = parse_ok(BASE "dev-type null\n");
	CHECK(c != NULL && c->dev_null);
	vpnc_config_free(c);
	c = parse_ok(BASE "dev null\ndev tun\n");
	CHECK(c != NULL && !c->dev_null);
	vpnc_config_free(c);
	c = parse_ok(BASE "dev null\ndev-type tun\n");
	CHECK(c != NULL && !c->dev_null && strcmp(c->dev, "null") == 0);
	vpnc_config_free(c);
	parse_err(BASE "dev null\nkill-switch\n",
	          "t.ovpn: the kill switch needs a tunnel device, and 'dev null' has none", __LINE__);
}

int main(void)
{
	test_p2p();
	test_static_key();
	test_static_challenge();
	test_auth_token_profile();
	test_tls_auth_direction();
	test_kill_switch_options();
	test_minimal_defaults();
	test_eduvpn();
	test_file_refs();
	test_keys();
	test_port_host();
	test_inline_blocks();
	test_connection_blocks();
	test_fragment();
	test_messages();
	test_socks_proxy();
	test_values();
	test_command_line();
	test_notes();
	test_compression();
	test_untrusted();
	test_trust_column();
	test_inline_config();
	test_datapath_options();
	test_shaper();
	test_client_nat();
	test_replay_persist();
	test_keying_material_exporter();
	test_profile_routes();
	test_tail_options();
	printf("test_config: %u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
