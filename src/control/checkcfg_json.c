/*
 * checkcfg_json.c: owns `vpnc --check-config FILE --json`: the plan
 * checkcfg.c loaded, as one JSON object on stdout (for the NetworkManager
 * import and other programs). The fields are listed in docs/vpnc.8. Strings
 * are escaped here: '"', '\\' and every byte outside printable ASCII become
 * \uXXXX escapes, so the output is ASCII and valid JSON whatever the profile
 * holds. Times are UTC in ISO 8601 ("2027-02-22T17:32:47Z").
 */
#include <stdio.h>

#include <arpa/inet.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "control/checkcfg_int.h"
#include "control/status.h"

static void js(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p > 0x7e)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* A string, or null for NULL or "". */
static void js_or_null(const char *s)
{
	if (s == NULL || s[0] == '\0')
		fputs("null", stdout);
	else
		js(s);
}

static void key(const char *k)
{
	printf(",\"%s\":", k);
}

static void jtime(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];

	if (t == 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		fputs("null", stdout);
	else
		printf("\"%s\"", buf);
}

static void jcert(X509 *x, int64_t now)
{
	char subj[512];
	int64_t t = vpnc_chk_asn1_time(X509_get0_notAfter(x));

	vpnc_chk_subject(x, subj, sizeof(subj));
	fputs("{\"subject\":", stdout);
	js(subj);
	key("not_after");
	jtime(t);
	key("expired");
	fputs(vpnc_status_expiry_level(t, now) == 2 ? "true}" : "false}", stdout);
}

static void jbool(const char *k, bool v)
{
	key(k);
	fputs(v ? "true" : "false", stdout);
}

static void jauth(const struct vpnc_chk_plan *p)
{
	const struct vpnc_config *c = p->c;
	const char *from = c->auth_user_pass_file != NULL ? "file" : "inline";
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(SSL_CTX_get_cert_store(p->ctx));
	X509 *x = vpnc_chk_client_x509(p);
	int n = 0;

	key("certificate");
	if (x != NULL)
		jcert(x, p->now);
	else
		fputs("null", stdout);
	X509_free(x);
	key("key");
	js(c->pkcs11_id != NULL ? "pkcs11"
	   : c->pkcs12 == NULL && c->key == NULL ? "none" : p->encrypted ? "encrypted" : "loaded");
	jbool("pkcs12", c->pkcs12 != NULL);
	key("pkcs11_id");
	js_or_null(c->pkcs11_id);
	key("pkcs11_providers");
	putchar('[');
	for (size_t i = 0; i < c->n_pkcs11_providers; i++) {
		if (i > 0)
			putchar(',');
		js(c->pkcs11_providers[i]);
	}
	putchar(']');
	key("cas");
	putchar('[');
	for (int i = 0; objs != NULL && i < sk_X509_OBJECT_num(objs); i++) {
		X509 *ca = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));

		if (ca == NULL)
			continue;
		if (n++ > 0)
			putchar(',');
		jcert(ca, p->now);
	}
	putchar(']');
	jbool("cas_in_encrypted_pkcs12", p->encrypted && c->pkcs12 != NULL && c->ca == NULL);
	printf(",\"peer_fingerprints\":%zu", c->n_peer_fp);
	printf(",\"verify_hashes\":%zu", c->n_verify_hash);
	key("providers");
	putchar('[');
	for (size_t i = 0; i < c->n_providers; i++) {
		if (i > 0)
			putchar(',');
		js(c->providers[i]);
	}
	putchar(']');
	jbool("remote_cert_tls_server", c->remote_cert_tls_server);
	key("verify_x509_name");
	js_or_null(c->verify_x509_name);
	key("wrap");
	js(vpnc_chk_wrap(c->wrap));
	printf(",\"key_direction\":%d", c->key_direction);
	key("auth_user_pass");
	if (!c->auth_user_pass) {
		fputs("null", stdout);
	} else {
		fputs("{\"username\":", stdout);
		js(c->username != NULL ? from : "ask");
		key("password");
		js(c->password != NULL ? from : c->auth_user_pass_username_only ? "none" : "ask");
		putchar('}');
	}
	key("auth_token"); /* the profile's: whether it has one and a name (never the values) */
	if (c->auth_token == NULL && c->auth_token_user == NULL) {
		fputs("null", stdout);
	} else {
		fputs("{\"token\":", stdout);
		fputs(c->auth_token != NULL ? "true" : "false", stdout);
		jbool("user", c->auth_token_user != NULL);
		putchar('}');
	}
	key("static_challenge");
	if (c->static_challenge[0] == '\0') {
		fputs("null", stdout);
	} else {
		fputs("{\"text\":", stdout);
		js(c->static_challenge);
		jbool("echo", c->static_challenge_echo);
		key("format");
		js(c->static_challenge_concat ? "concat" : "scrv1");
		putchar('}');
	}
}

static void jscript(const char *name, const char *cmd, int security, int *n)
{
	if (cmd[0] == '\0')
		return;
	if ((*n)++ > 0)
		putchar(',');
	printf("{\"name\":\"%s\",\"command\":", name);
	js(cmd);
	jbool("runs", security >= 2);
	putchar('}');
}

static void jnotes(const struct vpnc_chk_notes *nt)
{
	char line[1024];

	key("notes");
	putchar('[');
	for (size_t off = 0; off < nt->len;) {
		const char *nl = memchr(nt->text + off, '\n', nt->len - off);
		size_t len = (size_t)(nl - (nt->text + off));

		snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) ? len : sizeof(line) - 1),
		         nt->text + off);
		if (off > 0)
			putchar(',');
		js(line);
		off += len + 1;
	}
	putchar(']');
	jbool("notes_lost", nt->lost);
}

void vpnc_chk_json(const struct vpnc_chk_plan *p)
{
	const struct vpnc_config *c = p->c;
	int n = 0;

	fputs("{\"ok\":true", stdout);
	key("profile");
	js(p->path);
	jbool("untrusted", p->untrusted);
	key("profile_expires");
	jtime(p->profile_expires);
	jbool("remote_random", c->remote_random);
	key("remotes");
	putchar('[');
	for (size_t i = 0; i < c->n_remotes; i++) {
		fputs(i > 0 ? ",{\"host\":" : "{\"host\":", stdout);
		js(c->remotes[i].host);
		key("port");
		js(c->remotes[i].port);
		key("proto");
		js(vpnc_chk_proto(&c->remotes[i]));
		const struct vpnc_socks_proxy *sp = vpnc_remote_socks(c, &c->remotes[i]);
		key("socks_proxy");
		if (sp != NULL) {
			fputs("{\"host\":", stdout);
			js(sp->host);
			key("port");
			js(sp->port);
			jbool("auth", sp->user != NULL);
			putchar('}');
		} else {
			fputs("null", stdout);
		}
		key("fragment");
		printf("%d", c->remotes[i].fragment);
		jbool("fragment_mtu", c->remotes[i].fragment_mtu);
		putchar('}');
	}
	putchar(']');
	key("mtu_disc"); /* docs/fragment.md: "default" without one */
	js(vpnc_chk_mtu_disc(c->mtu_disc));
	key("mark"); /* SO_MARK on the link socket as an unsigned 32-bit number, 0 = none */
	printf("%u", (unsigned)c->mark);
	key("shaper"); /* bytes per second, 0 = no limit */
	printf("%d", c->shaper);
	key("replay_persist"); /* the file, null without one */
	js_or_null(c->replay_persist[0] ? c->replay_persist : NULL);
	key("http_proxy"); /* docs/proxy.md: null without one */
	if (!c->http_proxy.set) {
		fputs("null", stdout);
	} else {
		fputs("{\"host\":", stdout);
		js(c->http_proxy.host);
		key("port");
		js(c->http_proxy.port);
		key("auth");
		js(vpnc_chk_proxy_auth(c->http_proxy.auth));
		key("credentials");
		js(vpnc_chk_proxy_creds(&c->http_proxy));
		putchar('}');
	}
	/* Static-key mode has no TLS context and no client authentication (docs/static-key.md). */
	/* The role: a pulling client, a TLS peer without pull, or static-key mode. */
	key("mode");
	js(c->secret ? "static-key" : c->pull ? "pull" : "p2p");
	key("static_key");
	if (c->secret) {
		fputs("{\"cipher\":", stdout);
		js(c->secret_cipher);
		key("auth");
		js(c->auth);
		key("direction");
		js(c->key_direction < 0 ? "bidirectional" : c->key_direction == 0 ? "0" : "1");
		putchar('}');
	} else {
		fputs("null", stdout);
		jauth(p);
	}
	key("iv_ciphers");
	js(c->data_ciphers);
	key("data_ciphers_fallback");
	js_or_null(c->data_ciphers_fallback);
	key("tls_version_min");
	js(vpnc_chk_tlsver(c->tls_version_min, "1.2"));
	key("tls_version_max");
	js_or_null(vpnc_chk_tlsver(c->tls_version_max, NULL));
	key("tls_cipher");
	js_or_null(c->tls_cipher);
	key("tls_ciphersuites");
	js_or_null(c->tls_ciphersuites);
	key("tls_groups");
	js_or_null(c->tls_groups);
	key("tls_cert_profile");
	js_or_null(c->tls_cert_profile);
	jbool("route_nopull", c->route_nopull);
	jbool("route_noexec", c->route_noexec);
	jbool("ifconfig_noexec", c->ifconfig_noexec);
	key("dns_mode");
	js(vpnc_chk_dns_mode(c->dns_mode));
	key("client_nat"); /* [{"type","network","netmask","alias"}], in profile order */
	putchar('[');
	for (size_t i = 0; i < c->n_client_nat; i++) {
		const struct vpnc_client_nat *r = &c->client_nat[i];
		char a[INET_ADDRSTRLEN], m[INET_ADDRSTRLEN], f[INET_ADDRSTRLEN];

		printf("%s{\"type\":\"%s\",\"network\":\"%s\",\"netmask\":\"%s\",\"alias\":\"%s\"}",
		       i ? "," : "", r->dnat ? "dnat" : "snat", inet_ntop(AF_INET, &r->network, a, sizeof(a)),
		       inet_ntop(AF_INET, &r->netmask, m, sizeof(m)), inet_ntop(AF_INET, &r->foreign, f, sizeof(f)));
	}
	putchar(']');
	printf(",\"script_security\":%d", c->script_security);
	key("scripts");
	putchar('[');
	jscript("tls-verify", c->tls_verify, c->script_security, &n);
	jscript("ipchange", c->ipchange, c->script_security, &n);
	jscript("up", c->up, c->script_security, &n);
	jscript("route-up", c->route_up, c->script_security, &n);
	jscript("route-pre-down", c->route_pre_down, c->script_security, &n);
	jscript("down-root", c->down_root, 3, &n); /* a plugin: script-security does not apply */
	jscript("down", c->down, c->script_security, &n);
	putchar(']');
	key("tls_export_cert");
	js_or_null(c->tls_export_cert[0] != '\0' ? c->tls_export_cert : NULL);
	jbool("privsep", c->privsep);
	printf(",\"owner_uid\":%u", (unsigned)c->owner_uid);
	jnotes(p->notes);
	fputs("}\n", stdout);
}

void vpnc_chk_json_error(const char *msg)
{
	fputs("{\"ok\":false,\"error\":", stdout);
	js(msg);
	fputs("}\n", stdout);
}
