/*
 * checkcfg.c: owns `vpnc --check-config FILE [--untrusted-config] [--json]`
 * (checkcfg.h): loading the profile with the daemon's config reader and its
 * TLS context builder, and printing the plan as text (checkcfg_json.c prints
 * it as JSON): remotes, authentication and
 * its expiry dates, wrapping, ciphers, TLS settings, what is taken from the
 * server, scripts, and the reader's notes. It asks for nothing: an encrypted
 * key is reported, and everything else is still checked without it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <arpa/inet.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "control/checkcfg.h"
#include "control/checkcfg_int.h"
#include "control/status.h"
#include "core/logesc.h"
#include "core/tls.h"
#include "daemon/exitcode.h"
#include "vpnc/config.h"
#include "vpnc/push.h"

#define CHK_ERR_MAX 512

/* Keeps each note of the config reader (all of them: the load runs with verb 4). */
static void chk_keep_note(void *ctx, const char *msg)
{
	struct vpnc_chk_notes *b = ctx;

	vpnc_config_note_append(b->text, sizeof(b->text), &b->len, &b->lost, msg);
}

/*
 * Text from the profile (host names, commands, notes quoting it) escaped as
 * in the log (logesc.h), so a profile cannot send terminal control
 * sequences. Rotating buffers: one printf uses at most CHK_ESC_N of them.
 */
#define CHK_ESC_N 4
#define CHK_ESC_CAP (VPNC_SCRIPT_CMD_MAX * VPNC_LOGESC_MAX_PER_BYTE + 1)

static const char *chk_e(const char *s)
{
	static char buf[CHK_ESC_N][CHK_ESC_CAP];
	static unsigned next;
	char *out = buf[next++ % CHK_ESC_N];

	vpnc_log_escape(out, CHK_ESC_CAP, s, strlen(s));
	return out;
}

/* The passphrase callback: records that the key is encrypted and asks nobody. */
static int chk_no_ask(char *buf, size_t cap, void *arg)
{
	(void)buf;
	(void)cap;
	*(bool *)arg = true;
	return -ENXIO;
}

static void chk_time(int64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, cap, "(unknown)");
}

/* Prints the date; returns vpnc_status_expiry_level() (2 = expired). */
static int chk_expiry(const char *what, int64_t t, int64_t now)
{
	static const char *const level[] = {"", " (expires within 7 days)", " (EXPIRED)"};
	char buf[64];
	int lv = vpnc_status_expiry_level(t, now);

	chk_time(t, buf, sizeof(buf));
	printf("%s%s%s\n", what, buf, level[lv]);
	return lv;
}

int64_t vpnc_chk_asn1_time(const ASN1_TIME *a)
{
	struct tm tm;

	if (a == NULL || ASN1_TIME_to_tm(a, &tm) != 1)
		return 0;
	return (int64_t)timegm(&tm);
}

void vpnc_chk_subject(X509 *x, char *out, size_t cap)
{
	BIO *bio;
	int n = 0;

	if (cap == 0)
		return;
	bio = BIO_new(BIO_s_mem());
	if (bio != NULL && X509_NAME_print_ex(bio, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0)
		n = BIO_read(bio, out, cap > INT32_MAX ? INT32_MAX - 1 : (int)cap - 1);
	out[n > 0 ? n : 0] = '\0';
	BIO_free(bio);
}

static int chk_cert(const char *label, X509 *x, int64_t now)
{
	char subj[512];

	vpnc_chk_subject(x, subj, sizeof(subj));
	printf("%s%s\n", label, subj);
	return chk_expiry("    expires: ", vpnc_chk_asn1_time(X509_get0_notAfter(x)), now);
}

X509 *vpnc_chk_client_x509(const struct vpnc_chk_plan *p)
{
	X509 *x = SSL_CTX_get0_certificate(p->ctx);
	BIO *bio;

	if (x != NULL)
		return X509_up_ref(x) == 1 ? x : NULL;
	if (p->c->cert == NULL || (bio = BIO_new_mem_buf(p->c->cert, -1)) == NULL)
		return NULL;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	return x;
}

static bool chk_client_cert(const struct vpnc_chk_plan *p)
{
	X509 *x = vpnc_chk_client_x509(p);
	int lv = x != NULL ? chk_cert("  certificate: ", x, p->now) : 0;

	X509_free(x);
	return lv == 2;
}

/* Returns the number of expired CA certificates. */
static int chk_cas(SSL_CTX *ctx, int64_t now)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx));
	int expired = 0;

	for (int i = 0; objs != NULL && i < sk_X509_OBJECT_num(objs); i++) {
		X509 *x = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));

		if (x != NULL && chk_cert("  CA: ", x, now) == 2)
			expired++;
	}
	return expired;
}

const char *vpnc_chk_proto(const struct vpnc_remote *r)
{
	bool tcp = r->transport == VPNC_TRANSPORT_TCP;

	if (r->family == AF_INET)
		return tcp ? "tcp4" : "udp4";
	if (r->family == AF_INET6)
		return tcp ? "tcp6" : "udp6";
	return tcp ? "tcp" : "udp";
}

/* 'mtu-disc': its word, "default" when not given. */
const char *vpnc_chk_mtu_disc(enum vpnc_mtu_disc d)
{
	switch (d) {
	case VPNC_MTU_DISC_NO: return "no";
	case VPNC_MTU_DISC_MAYBE: return "maybe";
	case VPNC_MTU_DISC_YES: return "yes";
	case VPNC_MTU_DISC_DEFAULT: break;
	}
	return "default";
}

const char *vpnc_chk_tlsver(int v, const char *unset)
{
	switch (v) {
	case TLS1_2_VERSION: return "1.2";
	case TLS1_3_VERSION: return "1.3";
	case 0: return unset;
	default: return "(other)";
	}
}

static const char *chk_or(const char *s, const char *dflt)
{
	return s != NULL && s[0] != '\0' ? s : dflt;
}

static void chk_remotes(const struct vpnc_config *c)
{
	printf("remotes, tried in %s:\n",
	       c->remote_random ? "a random order chosen at start (remote-random)" : "this order");
	for (size_t i = 0; i < c->n_remotes; i++) {
		const struct vpnc_socks_proxy *sp = vpnc_remote_socks(c, &c->remotes[i]);

		printf("  %zu. %s %s %s", i + 1, chk_e(c->remotes[i].host), chk_e(c->remotes[i].port),
		       vpnc_chk_proto(&c->remotes[i]));
		if (sp != NULL)
			printf(", through the SOCKS5 proxy %s port %s (%s)", chk_e(sp->host), chk_e(sp->port),
			       sp->user != NULL ? "username/password from the authfile" : "no authentication");
		if (c->remotes[i].fragment > 0)
			printf(", fragment %d%s (data packets over %d bytes%s are split)", c->remotes[i].fragment,
			       c->remotes[i].fragment_mtu ? " mtu" : "", c->remotes[i].fragment,
			       c->remotes[i].fragment_mtu ? " with the outer IP and UDP headers" : "");
		putchar('\n');
	}
	printf("  names are resolved %s%s\n",
	       c->http_proxy.set ? "by the HTTP proxy" : "when connecting", c->nobind ? "; nobind" : "");
	if (c->mtu_disc != VPNC_MTU_DISC_DEFAULT) /* docs/fragment.md */
		printf("  path-MTU discovery on the UDP socket: mtu-disc %s\n", vpnc_chk_mtu_disc(c->mtu_disc));
	if (c->mark != 0) /* 2.6's 'mark': SO_MARK, by the parent under privsep (docs/privileges.md) */
		printf("  link socket marked %d (0x%x) for policy routing and the firewall (mark)\n", c->mark,
		       (unsigned)c->mark);
	if (c->shaper > 0) /* 2.6's 'shaper' */
		printf("  sending to the server limited to %d bytes per second (shaper)\n", c->shaper);
	if (c->http_proxy.set) /* docs/proxy.md */
		printf("  through HTTP proxy %s port %s: "
		       "authentication %s, credentials %s; HTTP/%s%s, %zu custom header(s)\n",
		       chk_e(c->http_proxy.host), chk_e(c->http_proxy.port),
		       vpnc_chk_proxy_auth(c->http_proxy.auth), vpnc_chk_proxy_creds(&c->http_proxy),
		       chk_e(c->http_proxy.version), c->http_proxy.agent[0] ? ", User-Agent" : "",
		       c->http_proxy.n_headers);
}

const char *vpnc_chk_proxy_auth(enum vpnc_proxy_auth a)
{
	switch (a) {
	case VPNC_PROXY_AUTH_NONE: return "none";
	case VPNC_PROXY_AUTH_BASIC: return "basic";
	case VPNC_PROXY_AUTH_AUTO: return "auto";
	case VPNC_PROXY_AUTH_AUTO_NCT: return "auto-nct";
	}
	return "?";
}

const char *vpnc_chk_proxy_creds(const struct vpnc_http_proxy *hp)
{
	if (hp->user != NULL)
		return hp->creds_from_file ? "file" : "inline";
	return hp->ask ? "asked at start" : "none";
}

/* Returns the number of expired certificates. */
static int chk_auth(const struct vpnc_chk_plan *p)
{
	const struct vpnc_config *c = p->c;
	bool encrypted = p->encrypted;
	const char *from = c->auth_user_pass_file != NULL ? "from the file" : "inline";
	int expired;

	printf("authentication:\n");
	expired = chk_client_cert(p) ? 1 : 0;
	if (c->pkcs12 != NULL)
		printf("  pkcs12: %s\n", encrypted ? "encrypted, passphrase will be asked" : "loaded");
	else if (c->key != NULL)
		printf("  key: %s\n", encrypted ? "encrypted, passphrase will be asked (so not yet "
		                                   "checked against the certificate)"
		                      : c->key_pass != NULL ? "loaded (passphrase from 'askpass FILE')"
		                                            : "loaded, matches the certificate");
	else if (c->pkcs11_id != NULL)
		/* Not opened here: loading a provider runs its code, and the PIN is not asked. */
		printf("  certificate and key: on a PKCS#11 token, pkcs11-id %s through %s%s (opened "
		       "when vpnc starts, the PIN asked then)\n", chk_e(c->pkcs11_id),
		       chk_e(c->pkcs11_providers[0]), c->n_pkcs11_providers > 1 ? " and more providers" : "");
	else
		printf("  certificate and key: none\n");
	if (encrypted && c->pkcs12 != NULL && c->ca == NULL)
		printf("  CA: in the encrypted pkcs12, read once it is decrypted\n");
	else
		expired += chk_cas(p->ctx, p->now);
	if (c->n_peer_fp > 0)
		printf("  peer-fingerprint: %zu SHA-256 value(s)\n", c->n_peer_fp);
	if (c->capath)
		printf("  capath: CA certificates%s read from the directory; CRL checks for the whole chain\n",
		       c->capath_crls != NULL ? " and CRLs" : "");
	if (c->n_providers > 0) {
		printf("  OpenSSL providers loaded:");
		for (size_t i = 0; i < c->n_providers; i++)
			printf(" %s", chk_e(c->providers[i]));
		printf("\n");
	}
	if (c->n_verify_hash > 0)
		printf("  verify-hash: %zu value(s) for the CA that signed the server's certificate, compared as %s\n",
		       c->n_verify_hash, c->verify_hash_sha1 ? "SHA-1" : "SHA-256");
	printf("  server certificate checks: remote-cert-tls server %s",
	       c->remote_cert_tls_server ? "yes" : "no");
	if (c->verify_x509_name != NULL)
		printf(", verify-x509-name %s %s", chk_e(c->verify_x509_name),
		       c->verify_x509_type == VPNC_X509_NAME ? "name"
		       : c->verify_x509_type == VPNC_X509_NAME_PREFIX ? "name-prefix" : "subject");
	if (c->remote_cert_eku != NULL)
		printf(", remote-cert-eku %s", chk_e(c->remote_cert_eku));
	if (c->remote_cert_ku_set)
		printf(", remote-cert-ku");
	if (c->ns_cert_type_server)
		printf(", ns-cert-type server");
	if (c->crl != NULL || c->crl_dir != NULL)
		printf(", crl-verify");
	printf("\n  control channel wrapping: %s", vpnc_chk_wrap(c->wrap));
	if (c->wrap == VPNC_WRAP_TLS_AUTH)
		printf(" (auth %s, key-direction %s)", chk_e(c->auth),
		       c->key_direction < 0 ? "none" : c->key_direction == 0 ? "0" : "1");
	printf("\n");
	if (!c->auth_user_pass)
		printf("  auth-user-pass: no\n");
	else
		printf("  auth-user-pass: username %s, password %s%s\n",
		       c->username != NULL ? from : "will be asked",
		       c->password != NULL                 ? from
		       : c->auth_user_pass_username_only ? "not asked (username-only: \"[[BLANK]]\" is sent)"
		                                         : "will be asked",
		       c->auth_nocache ? " (auth-nocache)" : "");
	/* The profile's auth-token (docs/auth.md); the token and its name are not printed. */
	if (c->auth_token != NULL)
		printf("  auth-token: from the profile, with its auth-token-user; sent instead of the "
		       "credentials until the server rejects it\n");
	else if (c->auth_token_user != NULL)
		printf("  auth-token-user: from the profile, without a token; names an auth-token the server "
		       "pushes without one%s\n", c->auth_user_pass ? " (until the credentials are sent)" : "");
	if (c->static_challenge[0] == '\0')
		printf("  static-challenge: none\n");
	else
		printf("  static-challenge: \"%s\", response %s, asked with the password, sent as %s\n",
		       chk_e(c->static_challenge), c->static_challenge_echo ? "echoed" : "not echoed",
		       c->static_challenge_concat ? "password+response (concat)"
		                                  : "SCRV1:base64(password):base64(response)");
	return expired;
}

static void chk_crypto(const struct vpnc_config *c)
{
	printf("data channel:\n");
	printf("  data-ciphers offered (IV_CIPHERS): %s\n", chk_e(c->data_ciphers));
	printf("  data-ciphers-fallback: %s\n", chk_e(chk_or(c->data_ciphers_fallback, "none")));
	printf("  compression pushed by the server: %s\n",
	       vpnc_config_comp_allowed(c) ? "decompressed (vpnc never compresses)" : "refused");
	printf("TLS:\n");
	printf("  versions: %s to %s\n", vpnc_chk_tlsver(c->tls_version_min, "1.2"),
	       vpnc_chk_tlsver(c->tls_version_max, "the newest"));
	printf("  tls-cipher: %s\n", chk_e(chk_or(c->tls_cipher, "default")));
	printf("  tls-ciphersuites: %s\n", chk_e(chk_or(c->tls_ciphersuites, "default")));
	printf("  tls-groups: %s\n", chk_e(chk_or(c->tls_groups, "default")));
	printf("  tls-cert-profile: %s\n", chk_e(chk_or(c->tls_cert_profile, "default")));
	printf("  reneg-sec: %d\n", c->reneg_sec);
}

/* Static-key mode ('secret'): no TLS, no authentication, one key for the whole session. */
static void chk_static_key(const struct vpnc_config *c)
{
	printf("static-key mode (secret): no TLS, no pull, no forward secrecy\n");
	printf("  data channel: %s with HMAC-%s, key-direction %s\n", chk_e(c->secret_cipher), chk_e(c->auth),
	       c->key_direction < 0 ? "none (bidirectional)" : c->key_direction == 0 ? "0" : "1");
	if (c->replay_persist[0] != '\0')
		printf("  replay state kept across restarts in %s (replay-persist)\n", chk_e(c->replay_persist));
}

/* Not a script-security level: what chk_script() is given for the down-root plugin's command. */
#define VPNC_SCRIPT_SECURITY_ALWAYS 99

static void chk_script(const char *name, const char *cmd, int security)
{
	if (cmd[0] != '\0')
		printf("  %s: %s (%s)\n", name, chk_e(cmd),
		       security == VPNC_SCRIPT_SECURITY_ALWAYS ? "runs as root when the tunnel goes down, before 'down', "
		                                                "with no arguments appended"
		       : security >= 2 ? "runs" : "NOT run: needs script-security 2");
}

const char *vpnc_chk_wrap(enum vpnc_wrap_mode w)
{
	static const char *const name[] = {"none", "tls-auth", "tls-crypt", "tls-crypt-v2"};

	return (unsigned)w < sizeof(name) / sizeof(name[0]) ? name[w] : "?";
}

const char *vpnc_chk_dns_mode(enum vpnc_dns_mode m)
{
	static const char *const name[] = {"auto", "resolved", "resolvconf", "file", "none"};

	return (unsigned)m < sizeof(name) / sizeof(name[0]) ? name[m] : "?";
}

/* The profile's own IPv4 routes (the network as given; keywords by name). */
static void chk_routes4(const struct vpnc_push *n)
{
	static const char *const kw[] = {"", "remote_host", "vpn_gateway", "net_gateway", ""};
	char a[INET_ADDRSTRLEN], m[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];

	for (size_t i = 0; i < n->n_routes && i < VPNC_MAX_ROUTES; i++) {
		const struct vpnc_route4 *r = &n->routes[i];
		uint32_t net = htonl(r->net), mask = htonl(r->mask), gw = htonl(r->gw);
		const char *dest = a;

		inet_ntop(AF_INET, &mask, m, sizeof(m));
		if (r->net_kind == VPNC_RT_NET_HOST && r->net < VPNC_MAX_ROUTE_HOSTS)
			dest = chk_e(n->route_hosts[r->net]);
		else if (r->net_kind != VPNC_RT_NET_ADDR && r->net_kind < 4)
			dest = kw[r->net_kind];
		else
			inet_ntop(AF_INET, &net, a, sizeof(a));
		if (r->net_gateway)
			snprintf(g, sizeof(g), "net_gateway");
		else if (r->gw == 0)
			snprintf(g, sizeof(g), "vpn_gateway");
		else
			inet_ntop(AF_INET, &gw, g, sizeof(g));
		printf("    %s %s via %s", dest, m, g);
		if (r->metric >= 0)
			printf(" metric %d", r->metric);
		printf("\n");
	}
}

static void chk_routes6(const struct vpnc_push *n)
{
	static const uint8_t zero[16];
	char a[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < n->n_routes6 && i < VPNC_MAX_ROUTES; i++) {
		const struct vpnc_route6 *r = &n->routes6[i];

		inet_ntop(AF_INET6, r->net, a, sizeof(a));
		if (r->net_gateway)
			snprintf(g, sizeof(g), "net_gateway");
		else if (memcmp(r->gw, zero, sizeof(zero)) == 0)
			snprintf(g, sizeof(g), "the tunnel");
		else
			inet_ntop(AF_INET6, r->gw, g, sizeof(g));
		printf("    %s/%u via %s", a, r->bits, g);
		if (r->metric >= 0)
			printf(" metric %d", r->metric);
		printf("\n");
	}
}

/* DNS servers and domains the profile sets itself (dhcp-option, dns). */
static void chk_dns(const struct vpnc_push *n)
{
	/* 2.6's dns option, when it names servers, replaces the dhcp-option ones. */
	const char *gone = n->n_dns_servers > 0 ? " (replaced by the dns option's servers)" : "";
	char a[INET6_ADDRSTRLEN];
	size_t k = 0;

	for (size_t i = 0; i < n->n_dns4 && i < VPNC_MAX_DNS; i++, k++) {
		uint32_t v = htonl(n->dns4[i]);

		inet_ntop(AF_INET, &v, a, sizeof(a));
		printf("    server %s%s\n", a, gone);
	}
	for (size_t i = 0; i < n->n_dns6 && i < VPNC_MAX_DNS; i++, k++) {
		inet_ntop(AF_INET6, n->dns6[i], a, sizeof(a));
		printf("    server %s%s\n", a, gone);
	}
	for (size_t s = 0; s < n->n_dns_servers && s < VPNC_DNSOPT_SERVERS; s++) {
		for (size_t i = 0; i < n->dns_servers[s].n_addr && i < VPNC_DNSOPT_ADDRS; i++, k++) {
			inet_ntop(n->dns_servers[s].addr[i].family, n->dns_servers[s].addr[i].addr, a, sizeof(a));
			printf("    server %s (dns server %zu)\n", a, s);
		}
	}
	for (size_t i = 0; i < n->n_domains && i < VPNC_MAX_DOMAINS; i++, k++)
		printf("    search domain %s\n", chk_e(n->domains[i]));
	for (size_t i = 0; i < n->n_dns_search && i < VPNC_DNSOPT_DOMAINS; i++, k++)
		printf("    search domain %s\n", chk_e(n->dns_search[i]));
	for (size_t i = 0; i < n->n_route_domains && i < VPNC_MAX_DOMAINS; i++, k++)
		printf("    routing domain %s\n", chk_e(n->route_domains[i]));
	if (k == 0)
		printf("    none from the profile\n");
}

static void chk_net(const struct vpnc_config *c)
{
	const struct vpnc_push *n = c->net;
	bool any = n != NULL && (n->n_routes > 0 || n->n_routes6 > 0);

	printf("network:\n");
	if (c->dev_null)
		printf("  device: none (dev null: what the peer sends is dropped; no address, route, DNS or script)\n");
	else
		printf("  device: %s (%s)\n", chk_e(chk_or(c->dev, "tun")),
		       c->dev_tap ? "TAP: Ethernet frames, without TUN offloads" : "TUN: IP packets");
	if (c->dev_tap && c->has_lladdr)
		printf("  lladdr: %02x:%02x:%02x:%02x:%02x:%02x\n", c->lladdr[0], c->lladdr[1], c->lladdr[2],
		       c->lladdr[3], c->lladdr[4], c->lladdr[5]);
	printf("  routes: %s; %s\n", any ? "from the profile, below" : "none from the profile",
	       !c->pull ? "nothing is pushed"
	       : c->route_nopull ? "pushed routes ignored (route-nopull)"
	       : c->route_noexec ? "no route set (route-noexec)" : "and those the server pushes");
	if (n != NULL) {
		chk_routes4(n);
		chk_routes6(n);
		if (n->redirect_gateway != 0)
			printf("    redirect-gateway from the profile:%s%s\n",
			       vpnc_rg_ipv4(n->redirect_gateway) ? " IPv4 default" : "",
			       (n->redirect_gateway & VPNC_RG_IPV6) ? " IPv6 default" : "");
		if (n->route_gateway_dhcp && !n->has_route_gateway)
			printf("    vpn_gateway: %s\n", c->dev_tap ? "the router of the first DHCP ACK through the TAP "
			       "(route-gateway dhcp); routes that need it wait for it"
			       : "route-gateway dhcp has no effect on a TUN device");
	}
	if (c->ifconfig_noexec || c->pull) {
		printf("  addresses: %s\n",
		       c->ifconfig_noexec ? "not set (ifconfig-noexec)" : "those the server pushes");
	} else if (n != NULL && n->has_ifconfig) {
		char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
		uint32_t la = htonl(n->ifconfig_local), lb = htonl(n->ifconfig_mask_or_peer);

		printf("  addresses: from the profile: ifconfig %s %s\n", inet_ntop(AF_INET, &la, a, sizeof(a)),
		       inet_ntop(AF_INET, &lb, b, sizeof(b)));
	} else {
		printf("  addresses: none (nothing is pushed and the profile has no ifconfig)\n");
	}
	printf("  DNS (dns-mode %s), with what the server pushes:\n", vpnc_chk_dns_mode(c->dns_mode));
	if (n != NULL)
		chk_dns(n);
	else
		printf("    none from the profile\n");
	for (size_t i = 0; i < c->n_client_nat; i++) { /* 2.6's client-nat */
		const struct vpnc_client_nat *r = &c->client_nat[i];
		char a[INET_ADDRSTRLEN], m[INET_ADDRSTRLEN], f[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &r->network, a, sizeof(a));
		inet_ntop(AF_INET, &r->netmask, m, sizeof(m));
		inet_ntop(AF_INET, &r->foreign, f, sizeof(f));
		printf("  client-nat %s %s %s %s: %s addresses %s/%s are %s/%s on the server's side\n",
		       r->dnat ? "dnat" : "snat", a, m, f, r->dnat ? "remote" : "this side's", a, m, f, m);
	}
	printf("  kill switch: %s\n",
	       !c->kill_switch ? "off" : c->kill_switch_lan ? "on, local networks allowed" : "on");
	printf("scripts (script-security %d):\n", c->script_security);
	if (c->up[0] == '\0' && c->down[0] == '\0' && c->route_up[0] == '\0' && c->route_pre_down[0] == '\0' &&
	    c->ipchange[0] == '\0' && c->tls_verify[0] == '\0' && c->tls_export_cert[0] == '\0' &&
	    c->down_root[0] == '\0')
		printf("  none\n");
	chk_script("tls-verify", c->tls_verify, c->script_security);
	if (c->tls_export_cert[0] != '\0')
		printf("  tls-export-cert: %s (each certificate there while tls-verify runs)\n", chk_e(c->tls_export_cert));
	for (size_t i = 0; i < c->n_x509_track; i++)
		printf("  x509-track: %s\n", chk_e(c->x509_track[i]));
	chk_script("ipchange", c->ipchange, c->script_security);
	chk_script("up", c->up, c->script_security);
	chk_script("route-up", c->route_up, c->script_security);
	chk_script("route-pre-down", c->route_pre_down, c->script_security);
	/* A plugin, not a script: 2.6 runs it whatever script-security says. */
	chk_script("down-root plugin", c->down_root, VPNC_SCRIPT_SECURITY_ALWAYS);
	chk_script("down", c->down, c->script_security);
	/* docs/privileges.md: who parses the server's bytes, and the rights the profile's files get. */
	printf("privileges (when run as root):\n");
	if (c->privsep)
		printf("  privilege separation: the network process as %s, with no capability\n",
		       c->user[0] ? chk_e(c->user) : "vpnc-client (else nobody)");
	else
		printf("  privilege separation: off (privsep no): one process%s%s\n",
		       c->user[0] ? ", switching after the first connect to user " : "",
		       c->user[0] ? chk_e(c->user) : ", keeping root");
	printf("  files it names: opened with the rights of uid %u (the profile's owner)\n",
	       (unsigned)c->owner_uid);
}

static void chk_notes_print(const struct vpnc_chk_notes *n)
{
	printf("notes (options accepted but not acted on, and warnings):\n");
	if (n->len == 0)
		printf("  none\n");
	for (size_t off = 0; off < n->len;) {
		const char *nl = memchr(n->text + off, '\n', n->len - off);
		int len = (int)(nl - (n->text + off));

		char esc[1024];

		vpnc_log_escape(esc, sizeof(esc), n->text + off, (size_t)len); /* cut if longer */
		printf("  %s\n", esc);
		off += (size_t)len + 1;
	}
	if (n->lost)
		printf("  (more notes than fit were left out)\n");
}

/*
 * The TLS context, as the daemon builds it. An encrypted key or pkcs12 is not
 * decrypted (nobody is asked): the rest (CA, extra certs, checks, cipher
 * lists) is then built without the client credentials, so its errors still
 * show.
 */
static SSL_CTX *chk_tls(const struct vpnc_config *c, bool *encrypted, char *err, size_t cap)
{
	const struct vpnc_tls_key_src src = {.ask = chk_no_ask, .ask_arg = encrypted};
	struct vpnc_config *copy;
	SSL_CTX *ctx = vpnc_tls_ctx_client(c, &src, err, cap);

	if (ctx != NULL || !*encrypted)
		return ctx;
	copy = malloc(sizeof(*copy));
	if (copy == NULL) {
		snprintf(err, cap, "out of memory");
		return NULL;
	}
	memcpy(copy, c, sizeof(*copy));
	copy->cert = NULL;
	copy->key = NULL;
	copy->pkcs12 = NULL;
	copy->pkcs12_len = 0;
	/*
	 * Without 'ca' the CAs are inside the encrypted pkcs12: a placeholder
	 * fingerprint stands in for them, only in this context that is never
	 * used for a connection, so the other settings are still checked.
	 */
	if (copy->ca == NULL && copy->n_peer_fp == 0)
		copy->n_peer_fp = 1;
	ctx = vpnc_tls_ctx_client(copy, NULL, err, cap);
	OPENSSL_cleanse(copy, sizeof(*copy)); /* the shallow copy holds the wrapping key */
	free(copy);
	return ctx;
}

/* The plan as text; returns the number of dates that have passed. */
static int chk_text(const struct vpnc_chk_plan *p)
{
	int expired = 0;

	printf("profile: %s%s\n", chk_e(p->path), p->untrusted ? " (untrusted)" : "");
	if (p->profile_expires != 0 && chk_expiry("profile expires: ", p->profile_expires, p->now) == 2)
		expired++;
	chk_remotes(p->c);
	if (p->c->secret) {
		chk_static_key(p->c);
	} else {
		if (!p->c->pull)
			printf("TLS peer-to-peer mode (tls-client without pull): nothing is pushed; the data "
			       "cipher is the first of the peer's IV_CIPHERS that data-ciphers has, else the "
			       "fallback ('cipher')\n");
		expired += chk_auth(p);
		chk_crypto(p->c);
	}
	chk_net(p->c);
	chk_notes_print(p->notes);
	/* vpnc starts with an expired certificate or profile; the server refuses it. */
	if (expired > 0)
		printf("warning: %d of the dates above have passed: the server will likely refuse "
		       "the connection\n", expired);
	printf("result: vpnc would start with this profile\n");
	return expired;
}

/* The first error: one line on stderr, and with --json also the object on stdout. */
static void chk_fail(bool json, const char *fmt, const char *a, const char *b)
{
	char msg[CHK_ERR_MAX + 1024];

	snprintf(msg, sizeof(msg), fmt, a, b);
	fprintf(stderr, "%s\n", msg);
	if (json)
		vpnc_chk_json_error(msg);
}

int vpnc_checkcfg_main(int argc, char **argv)
{
	char *args[4] = {"--verb", "4", NULL, NULL};
	struct vpnc_chk_notes *notes = calloc(1, sizeof(*notes));
	const struct vpnc_config_notes nt = {chk_keep_note, notes};
	struct vpnc_chk_plan p = {.notes = notes, .now = (int64_t)time(NULL)};
	struct vpnc_config *c = NULL;
	char err[CHK_ERR_MAX] = "";
	bool json = false, bad = argc < 3 || argv[2][0] == '\0';
	int code = VPNC_EXIT_CONFIG, ret;

	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--untrusted-config") == 0 && !p.untrusted)
			p.untrusted = true;
		else if (strcmp(argv[i], "--json") == 0 && !json)
			json = true;
		else
			bad = true;
	}
	if (bad) {
		fprintf(stderr, "vpnc: usage: vpnc --check-config FILE [--untrusted-config] [--json]\n");
		free(notes);
		return VPNC_EXIT_CONFIG;
	}
	if (notes == NULL) {
		fprintf(stderr, "vpnc: out of memory\n");
		return VPNC_EXIT_RUNTIME;
	}
	p.path = argv[2];
	/* Every note, whatever the profile's verb: the notes are part of the plan. */
	if (p.untrusted)
		args[2] = "--untrusted-config";
	ret = vpnc_config_load(p.path, p.untrusted ? 3 : 2, args, &nt, &c, err, sizeof(err));
	if (ret < 0) {
		chk_fail(json, "%s%s", err[0] ? err : "cannot load the configuration", "");
		goto out;
	}
	p.c = c;
	if (c->n_remotes == 0) {
		chk_fail(json, "%s: the configuration has no 'remote'%s", p.path, "");
		goto out;
	}
	if (!c->secret)
		p.ctx = chk_tls(c, &p.encrypted, err, sizeof(err));
	if (p.ctx == NULL && !c->secret) {
		chk_fail(json, "%s: TLS setup failed: %s", p.path, err[0] ? err : "unknown error");
		goto out;
	}
	if (vpnc_status_profile_expires(p.path, &p.profile_expires) < 0)
		p.profile_expires = 0;
	if (json)
		vpnc_chk_json(&p);
	else
		chk_text(&p);
	code = fflush(stdout) == 0 && !ferror(stdout) ? VPNC_EXIT_OK : VPNC_EXIT_RUNTIME;
out:
	SSL_CTX_free(p.ctx);
	vpnc_config_free(c);
	free(notes);
	return code;
}
