/*
 * cfg_options.c: the one table of OpenVPN options vpnc knows, and dispatch.
 *
 * Every option is in exactly one set:
 *   SUPPORTED  applied to struct vpnc_config by its handler;
 *   IGNORED    known and harmless for vpnc: accepted, a note says why (verb 4);
 *   REFUSED    known but would change behaviour in a way vpnc cannot honour:
 *              the load fails with "FILE:LINE: option 'x' is not supported".
 * Anything else is "unknown option", unless 'setenv opt' or
 * 'ignore-unknown-option' said it may be skipped. docs/options.md lists the
 * same table for users.
 *
 * Every supported or ignored option also says what it may do when it comes
 * from a profile file read with --untrusted-config (enum vpnc_cfg_trust,
 * docs/networkmanager.md): UT_OK, or the reason it is refused there. The
 * column has no default, so a new option must decide.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_handlers.h"

enum cfg_set {
	SUPPORTED,
	IGNORED,
	REFUSED,
};

#define F_INLINE 0x1 /* may be given as an inline <name> block */
#define F_CONN 0x2   /* allowed inside <connection> */
#define F_PREFIX 0x4 /* name is a prefix: matches every option starting with it */
#define ANY VPNC_CFG_MAX_PARAMS

struct cfg_option {
	const char *name;
	unsigned char min, max; /* argument counts, name not included */
	unsigned char set;
	unsigned char flags;
	unsigned char trust;    /* enum vpnc_cfg_trust: allowed in an untrusted profile? */
	vpnc_cfg_handler fn;
	const char *note;       /* why an IGNORED option does not matter, or why a REFUSED one is refused */
};

#define S(name, min, max, flags, trust, fn) {name, min, max, SUPPORTED, flags, trust, fn, NULL}
#define I(name, min, max, flags, trust, fn, note) {name, min, max, IGNORED, flags, trust, fn, note}
/* Refused everywhere, so also in an untrusted profile. */
#define R(name) {name, 0, ANY, REFUSED, 0, UT_OK, NULL, NULL}
#define RP(name) {name, 0, ANY, REFUSED, F_PREFIX, UT_OK, NULL, NULL}
/* Refused, with the sentence that says why and what to use instead. */
#define RN(name, why) {name, 0, ANY, REFUSED, 0, UT_OK, NULL, why}
#define MGMT_NOTE "vpnc has its own control socket (vpnc status) and waits for no management client"

static const struct cfg_option cfg_options[] = {
	/* Role. */
	S("client", 0, 0, 0, UT_OK, vpnc_cfg_opt_client),
	S("pull", 0, 0, 0, UT_OK, vpnc_cfg_opt_pull),
	S("tls-client", 0, 0, 0, UT_OK, vpnc_cfg_opt_tls_client),
	S("mode", 1, 1, 0, UT_OK, vpnc_cfg_opt_mode),
	S("config", 1, 1, 0, UT_INCLUDE, vpnc_cfg_opt_config),
	S("cd", 1, 1, 0, UT_DIR, vpnc_cfg_opt_cd),
	/* vpnc's own: the profile file is checked with the UT_ column (command line only). */
	S("untrusted-config", 0, 0, 0, UT_OK, vpnc_cfg_opt_untrusted),

	/* Connection. */
	S("remote", 1, 3, F_CONN, UT_OK, vpnc_cfg_opt_remote),
	S("proto", 1, 1, F_CONN, UT_OK, vpnc_cfg_opt_proto),
	S("port", 1, 1, F_CONN, UT_OK, vpnc_cfg_opt_port),
	S("rport", 1, 1, F_CONN, UT_OK, vpnc_cfg_opt_port),
	S("lport", 1, 1, F_CONN, UT_OK, vpnc_cfg_opt_lport),
	S("nobind", 0, 0, F_CONN, UT_OK, vpnc_cfg_opt_nobind),
	S("local", 1, 1, F_CONN, UT_OK, vpnc_cfg_opt_local),
	S("bind", 0, 1, F_CONN, UT_OK, vpnc_cfg_opt_bind),
	S("remote-random", 0, 0, 0, UT_OK, vpnc_cfg_opt_remote_random),
	S("remote-random-hostname", 0, 0, 0, UT_OK, vpnc_cfg_opt_remote_random_hostname),
	S("proto-force", 1, 1, 0, UT_OK, vpnc_cfg_opt_proto_force),
	S("resolv-retry", 1, 1, 0, UT_OK, vpnc_cfg_opt_resolv_retry),
	S("connect-retry", 1, 2, F_CONN, UT_OK, vpnc_cfg_opt_connect_retry),
	S("connect-retry-max", 1, 1, F_CONN, UT_OK, vpnc_cfg_opt_positive),
	S("server-poll-timeout", 1, 1, F_CONN, UT_OK, vpnc_cfg_opt_server_poll_timeout),
	S("connect-timeout", 1, 1, F_CONN, UT_OK, vpnc_cfg_opt_server_poll_timeout),
	/* UT_OK: the handler refuses the authfile (a file read) in an untrusted profile. */
	S("socks-proxy", 1, 3, F_CONN, UT_OK, vpnc_cfg_opt_socks_proxy),
	I("socks-proxy-retry", 0, 0, 0, UT_OK, NULL,
	  "deprecated in 2.6 too: a failed proxy is retried like any connection"),

	/* Interface. */
	S("dev", 1, 1, 0, UT_OK, vpnc_cfg_opt_dev),
	S("dev-type", 1, 1, 0, UT_OK, vpnc_cfg_opt_dev_type),
	S("lladdr", 1, 1, 0, UT_OK, vpnc_cfg_opt_lladdr),
	S("tun-mtu", 1, 2, F_CONN, UT_OK, vpnc_cfg_opt_tun_mtu),
	S("tun-mtu-extra", 1, 1, F_CONN, UT_OK, vpnc_cfg_opt_tun_mtu_extra),
	S("tun-mtu-max", 1, 2, F_CONN, UT_OK, vpnc_cfg_opt_tun_mtu_max),
	S("mssfix", 0, 2, F_CONN, UT_OK, vpnc_cfg_opt_mssfix),
	S("fragment", 1, 2, F_CONN, UT_OK, vpnc_cfg_opt_fragment),
	S("mtu-disc", 1, 1, F_CONN, UT_OK, vpnc_cfg_opt_mtu_disc),
	S("mark", 1, 1, 0, UT_MARK, vpnc_cfg_opt_mark),
	S("tun-offload", 1, 1, 0, UT_OK, vpnc_cfg_opt_tun_offload),
	S("coalesce-us", 1, 1, 0, UT_OK, vpnc_cfg_opt_coalesce_us),
	S("shaper", 1, 1, 0, UT_OK, vpnc_cfg_opt_shaper),
	S("client-nat", 4, 4, 0, UT_OK, vpnc_cfg_opt_client_nat),

	/* TLS. */
	S("ca", 1, 1, F_INLINE, UT_READ, vpnc_cfg_opt_pem),
	S("cert", 1, 1, F_INLINE, UT_READ, vpnc_cfg_opt_pem),
	S("key", 1, 1, F_INLINE, UT_READ, vpnc_cfg_opt_pem),
	S("extra-certs", 1, 1, F_INLINE, UT_READ, vpnc_cfg_opt_pem),
	S("remote-cert-tls", 1, 1, 0, UT_OK, vpnc_cfg_opt_remote_cert_tls),
	S("remote-cert-eku", 1, 1, 0, UT_OK, vpnc_cfg_opt_remote_cert_eku),
	S("remote-cert-ku", 0, ANY - 1, 0, UT_OK, vpnc_cfg_opt_remote_cert_ku),
	S("ns-cert-type", 1, 1, 0, UT_OK, vpnc_cfg_opt_ns_cert_type),
	S("peer-fingerprint", 1, 1, F_INLINE, UT_OK, vpnc_cfg_opt_peer_fingerprint),
	S("verify-hash", 1, 2, F_INLINE, UT_OK, vpnc_cfg_opt_verify_hash),
	S("capath", 1, 1, 0, UT_DIR, vpnc_cfg_opt_capath),
	S("pkcs12", 1, 1, F_INLINE, UT_READ, vpnc_cfg_opt_pkcs12),
	S("askpass", 0, 1, 0, UT_READ, vpnc_cfg_opt_askpass),
	S("crl-verify", 1, 2, F_INLINE, UT_READ, vpnc_cfg_opt_crl_verify),
	/*
	 * PKCS#11 (docs/pkcs11.md). A provider is a library vpnc loads and runs,
	 * so an untrusted profile may not name one (UT_LOAD); 'pkcs11-id' alone
	 * uses the p11-kit proxy, whose modules the administrator configures.
	 */
	S("compat-mode", 1, 2, 0, UT_OK, vpnc_cfg_opt_compat_mode),
	S("providers", 1, ANY - 1, 0, UT_LOAD, vpnc_cfg_opt_providers),
	S("pkcs11-providers", 1, ANY - 1, 0, UT_LOAD, vpnc_cfg_opt_pkcs11_providers),
	S("pkcs11-id", 1, 1, 0, UT_OK, vpnc_cfg_opt_pkcs11_id),
	RN("pkcs11-id-management", "vpnc has no management interface to ask for the id; name the "
	   "certificate with 'pkcs11-id' (vpnc --show-pkcs11-ids lists them)"),
	S("pkcs11-pin-cache", 1, 1, 0, UT_OK, vpnc_cfg_opt_pkcs11_pin_cache),
	S("pkcs11-protected-authentication", 1, ANY - 1, 0, UT_OK, vpnc_cfg_opt_pkcs11_flags),
	S("pkcs11-cert-private", 1, ANY - 1, 0, UT_OK, vpnc_cfg_opt_pkcs11_flags),
	S("pkcs11-private-mode", 1, ANY - 1, 0, UT_OK, vpnc_cfg_opt_pkcs11_private_mode),
	S("verify-x509-name", 1, 2, 0, UT_OK, vpnc_cfg_opt_verify_x509_name),
	/* Only what scripts see (which an untrusted profile cannot run). */
	S("x509-track", 1, 1, 0, UT_OK, vpnc_cfg_opt_x509_track),
	S("tls-version-min", 1, 2, 0, UT_OK, vpnc_cfg_opt_tls_version),
	S("tls-version-max", 1, 1, 0, UT_OK, vpnc_cfg_opt_tls_version),
	S("tls-cipher", 1, 1, 0, UT_OK, vpnc_cfg_opt_tls_string),
	S("tls-ciphersuites", 1, 1, 0, UT_OK, vpnc_cfg_opt_tls_string),
	S("tls-groups", 1, 1, 0, UT_OK, vpnc_cfg_opt_tls_string),
	S("tls-cert-profile", 1, 1, 0, UT_OK, vpnc_cfg_opt_tls_cert_profile),
	S("tls-auth", 1, 2, F_INLINE, UT_READ, vpnc_cfg_opt_wrap_key),
	S("tls-crypt", 1, 1, F_INLINE, UT_READ, vpnc_cfg_opt_wrap_key),
	S("tls-crypt-v2", 1, 1, F_INLINE, UT_READ, vpnc_cfg_opt_wrap_key),
	S("secret", 1, 2, F_INLINE, UT_READ, vpnc_cfg_opt_wrap_key), /* static-key mode */
	S("key-direction", 1, 1, 0, UT_OK, vpnc_cfg_opt_key_direction),
	S("auth", 1, 1, 0, UT_OK, vpnc_cfg_opt_auth),
	S("cipher", 1, 1, 0, UT_OK, vpnc_cfg_opt_cipher),
	S("data-ciphers", 1, 1, 0, UT_OK, vpnc_cfg_opt_data_ciphers),
	S("ncp-ciphers", 1, 1, 0, UT_OK, vpnc_cfg_opt_data_ciphers),
	S("data-ciphers-fallback", 1, 1, 0, UT_OK, vpnc_cfg_opt_data_ciphers_fallback),

	/* Authentication. */
	S("auth-user-pass", 0, 1, F_INLINE, UT_READ, vpnc_cfg_opt_auth_user_pass),
	S("auth-nocache", 0, 0, 0, UT_OK, vpnc_cfg_opt_auth_nocache),
	/* A token the profile holds is sent only to the server it connects to anyway. */
	S("auth-token", 1, 1, 0, UT_OK, vpnc_cfg_opt_auth_token),
	S("auth-token-user", 1, 1, 0, UT_OK, vpnc_cfg_opt_auth_token),
	S("auth-retry", 1, 1, 0, UT_OK, vpnc_cfg_opt_auth_retry),
	S("static-challenge", 2, 3, 0, UT_OK, vpnc_cfg_opt_static_challenge),

	/* HTTP proxy (docs/proxy.md); http-proxy checks an authfile against --untrusted-config itself. */
	S("http-proxy", 2, 4, F_CONN, UT_OK, vpnc_cfg_opt_http_proxy),
	S("http-proxy-override", 2, 3, 0, UT_OK, vpnc_cfg_opt_http_proxy_override),
	S("http-proxy-option", 1, 3, F_CONN, UT_OK, vpnc_cfg_opt_http_proxy_option),
	S("http-proxy-user-pass", 1, 1, F_INLINE, UT_READ, vpnc_cfg_opt_http_proxy_user_pass),
	I("http-proxy-retry", 0, ANY - 1, F_CONN, UT_OK, NULL,
	  "deprecated in 2.6: proxy connections are retried like others (connect-retry-max)"),
	I("http-proxy-timeout", 1, 1, F_CONN, UT_OK, NULL,
	  "deprecated in 2.6: connect-timeout bounds the connection"),

	/* Timers. */
	S("ping", 1, 1, 0, UT_OK, vpnc_cfg_opt_timer),
	S("ping-restart", 1, 1, 0, UT_OK, vpnc_cfg_opt_timer),
	S("ping-exit", 1, 1, 0, UT_OK, vpnc_cfg_opt_timer),
	S("inactive", 1, 2, 0, UT_OK, vpnc_cfg_opt_inactive),
	S("session-timeout", 1, 1, 0, UT_OK, vpnc_cfg_opt_timer),
	S("replay-window", 1, 2, 0, UT_OK, vpnc_cfg_opt_replay_window),
	/* A file vpnc creates and writes (UT_WRITE). */
	S("replay-persist", 1, 1, 0, UT_WRITE, vpnc_cfg_opt_replay_persist),
	I("mute-replay-warnings", 0, 0, 0, UT_OK, NULL, "vpnc counts replays without logging each"),
	S("keepalive", 2, 2, 0, UT_OK, vpnc_cfg_opt_keepalive),
	S("reneg-sec", 1, 2, 0, UT_OK, vpnc_cfg_opt_timer),
	S("hand-window", 1, 1, 0, UT_OK, vpnc_cfg_opt_timer),
	S("tran-window", 1, 1, 0, UT_OK, vpnc_cfg_opt_timer),
	S("reneg-bytes", 1, 1, 0, UT_OK, vpnc_cfg_opt_reneg_count),
	S("reneg-pkts", 1, 1, 0, UT_OK, vpnc_cfg_opt_reneg_count),
	S("tls-timeout", 1, 1, 0, UT_OK, vpnc_cfg_opt_timer),

	/* Pull handling, logging, compression framing. */
	S("route-nopull", 0, 0, 0, UT_OK, vpnc_cfg_opt_flag),
	S("route-noexec", 0, 0, 0, UT_OK, vpnc_cfg_opt_flag),
	S("ifconfig-noexec", 0, 0, 0, UT_OK, vpnc_cfg_opt_flag),
	S("pull-filter", 2, 2, 0, UT_OK, vpnc_cfg_opt_pull_filter),

	/* Routes and DNS of the profile, merged with the pushed ones (docs/routes.md). */
	S("route", 1, 4, 0, UT_OK, vpnc_cfg_opt_net),
	S("route-ipv6", 1, 3, 0, UT_OK, vpnc_cfg_opt_net),
	S("route-gateway", 1, 1, 0, UT_OK, vpnc_cfg_opt_net),
	S("route-ipv6-gateway", 1, 1, 0, UT_OK, vpnc_cfg_opt_net),
	S("route-metric", 1, 1, 0, UT_OK, vpnc_cfg_opt_net),
	S("route-delay", 0, 2, 0, UT_OK, vpnc_cfg_opt_net),
	S("max-routes", 1, 1, 0, UT_OK, vpnc_cfg_opt_net),
	S("redirect-gateway", 0, ANY - 1, 0, UT_OK, vpnc_cfg_opt_net),
	S("redirect-private", 0, ANY - 1, 0, UT_OK, vpnc_cfg_opt_net),
	S("block-ipv6", 0, 0, 0, UT_OK, vpnc_cfg_opt_net),
	S("ifconfig", 2, 2, 0, UT_OK, vpnc_cfg_opt_net),
	S("ifconfig-ipv6", 1, 2, 0, UT_OK, vpnc_cfg_opt_net),
	S("topology", 1, 1, 0, UT_OK, vpnc_cfg_opt_net),
	S("dhcp-option", 1, 2, 0, UT_OK, vpnc_cfg_opt_net),
	S("dns", 2, ANY - 1, 0, UT_OK, vpnc_cfg_opt_net),
	S("verb", 1, 1, 0, UT_OK, vpnc_cfg_opt_verb),
	S("mute", 1, 1, 0, UT_OK, vpnc_cfg_opt_verb),
	S("comp-lzo", 0, 1, 0, UT_OK, vpnc_cfg_opt_comp_lzo),
	S("compress", 0, 1, 0, UT_OK, vpnc_cfg_opt_compress),
	S("allow-compression", 1, 1, 0, UT_OK, vpnc_cfg_opt_allow_compression),
	S("setenv", 1, ANY - 1, 0, UT_OK, vpnc_cfg_opt_setenv),
	S("setenv-safe", 1, 2, 0, UT_OK, vpnc_cfg_opt_setenv),
	S("ignore-unknown-option", 1, ANY - 1, 0, UT_OK, vpnc_cfg_opt_ignore_unknown),

	/* Scripts and DNS (docs/dns-and-scripts.md). */
	S("script-security", 1, 1, 0, UT_LEVEL, vpnc_cfg_opt_script_security),
	S("up", 1, 1, 0, UT_RUN, vpnc_cfg_opt_script),
	S("down", 1, 1, 0, UT_RUN, vpnc_cfg_opt_script),
	S("plugin", 1, ANY - 1, 0, UT_RUN, vpnc_cfg_opt_plugin),
	S("route-up", 1, 1, 0, UT_RUN, vpnc_cfg_opt_script),
	S("route-pre-down", 1, 1, 0, UT_RUN, vpnc_cfg_opt_script),
	S("ipchange", 1, 1, 0, UT_RUN, vpnc_cfg_opt_script),
	S("tls-verify", 1, 1, 0, UT_RUN, vpnc_cfg_opt_script),
	S("tls-export-cert", 1, 1, 0, UT_WRITE, vpnc_cfg_opt_script),
	S("up-restart", 0, 0, 0, UT_OK, vpnc_cfg_opt_up_restart),
	S("dns-mode", 1, 1, 0, UT_OK, vpnc_cfg_opt_dns_mode),

	/*
	 * vpnc's own: the kill switch (docs/killswitch.md). Refused in an untrusted
	 * profile: its rules stay when vpnc is killed (fail-closed), so a profile
	 * could cut the host off until an admin removes them; the owner of the
	 * connection decides that on the command line, not the profile's author.
	 */
	S("kill-switch", 0, 1, 0, UT_FIREWALL, vpnc_cfg_opt_kill_switch),
	S("kill-switch-allow-lan", 0, 1, 0, UT_FIREWALL, vpnc_cfg_opt_kill_switch),
	I("down-pre", 0, 0, 0, UT_OK, NULL, "vpnc runs 'down' after removing its DNS settings and routes"),

	/* Known and harmless. */
	I("persist-key", 0, 0, 0, UT_OK, vpnc_cfg_opt_flag, "vpnc keeps its keys in memory across restarts"),
	I("persist-tun", 0, 0, 0, UT_OK, vpnc_cfg_opt_flag, "vpnc keeps the tun device across reconnects"),
	I("persist-remote-ip", 0, 0, 0, UT_OK, NULL, "vpnc resolves the remote again on each attempt"),
	I("persist-local-ip", 0, 0, 0, UT_OK, NULL, "no effect for a client"),
	/* 2.6 reads the first two arguments and ignores any after them. */
	I("keying-material-exporter", 2, ANY - 1, 0, UT_OK, vpnc_cfg_opt_keying_material_exporter,
	  "2.6 gives the exported keying material only to a TLS_FINAL plugin, never to a script, "
	  "and vpnc loads no such plugin"),
	/*
	 * 2.6 on Linux knows route-method (and ignores it) but not the other
	 * Windows options (block-outside-dns, register-dns, ip-win32, win-sys,
	 * dhcp-renew, dhcp-release, tap-sleep, show-net-up, windows-driver):
	 * they are unknown here too, so 'ignore-unknown-option' or 'setenv opt'
	 * lets a profile skip them, as with 2.6.
	 */
	I("route-method", 1, 1, 0, UT_OK, NULL, "Windows only"),
	I("float", 0, 0, F_CONN, UT_OK, NULL, "vpnc accepts the server's packets only from its address"),
	S("user", 1, 1, 0, UT_ID, vpnc_cfg_opt_user_group),
	S("group", 1, 1, 0, UT_ID, vpnc_cfg_opt_user_group),
	S("chroot", 1, 1, 0, UT_ID, vpnc_cfg_opt_chroot),
	S("privsep", 1, 1, 0, UT_ID, vpnc_cfg_opt_privsep),
	S("explicit-exit-notify", 0, 1, F_CONN, UT_OK, vpnc_cfg_opt_exit_notify),
	I("tun-ipv6", 0, 0, 0, UT_OK, NULL, "IPv6 in the tunnel is always on"),
	I("sndbuf", 1, 1, 0, UT_OK, NULL, "vpnc sizes socket buffers itself"),
	I("rcvbuf", 1, 1, 0, UT_OK, NULL, "vpnc sizes socket buffers itself"),
	I("txqueuelen", 1, 1, 0, UT_OK, NULL, "the kernel default is used"),
	I("fast-io", 0, 0, 0, UT_OK, NULL, "vpnc's I/O loop is always event driven"),
	I("ping-timer-rem", 0, 0, 0, UT_OK, NULL, "the ping timer always runs"),
	I("machine-readable-output", 0, 0, 0, UT_OK, NULL, "no effect on vpnc's log format"),
	I("suppress-timestamps", 0, 0, 0, UT_OK, NULL, "no effect on vpnc's log format"),
	S("log", 1, 1, 0, UT_WRITE, vpnc_cfg_opt_log),
	S("log-append", 1, 1, 0, UT_WRITE, vpnc_cfg_opt_log),
	S("syslog", 0, 1, 0, UT_OK, vpnc_cfg_opt_log),
	S("control-socket", 1, 1, 0, UT_SOCKET, vpnc_cfg_opt_control_socket),
	S("control-socket-group", 1, 1, 0, UT_SOCKET, vpnc_cfg_opt_control_socket_group),
	I("status", 1, 2, 0, UT_WRITE, NULL, "status files are not written"),
	I("status-version", 1, 1, 0, UT_OK, NULL, "status files are not written"),
	I("writepid", 1, 1, 0, UT_WRITE, NULL, "no pid file is written"),
	I("daemon", 0, 1, 0, UT_OK, NULL, "vpnc runs in the foreground under its service manager"),
	I("nice", 1, 1, 0, UT_OK, NULL, "priority is left to the service manager"),
	I("mlock", 0, 0, 0, UT_OK, NULL, "not implemented; secrets are wiped after use"),
	I("remap-usr1", 1, 1, 0, UT_OK, NULL, "signals are handled by vpnc's own rules"),
	S("push-peer-info", 0, 0, 0, UT_OK, vpnc_cfg_opt_push_peer_info),
	I("ecdh-curve", 1, 1, 0, UT_OK, NULL, "OpenSSL picks the curve; use tls-groups"),
	I("dh", 1, 1, 0, UT_READ, NULL, "server only"),
	I("socket-flags", 1, ANY, 0, UT_OK, NULL, "vpnc sets the socket options it needs"),
	I("passtos", 0, 0, 0, UT_OK, NULL, "the TOS byte is not copied"),
	I("link-mtu", 1, 1, F_CONN, UT_OK, NULL, "deprecated; vpnc derives it from tun-mtu"),
	I("allow-pull-fqdn", 0, 0, 0, UT_OK, NULL, "pushed names are resolved when needed"),
	I("disable-dco", 0, 0, 0, UT_OK, NULL, "vpnc never uses data channel offload"),
	I("single-session", 0, 0, 0, UT_OK, NULL, "server only"),
	I("tls-exit", 0, 0, 0, UT_OK, NULL, "a TLS failure ends the attempt anyway"),
	I("ifconfig-nowarn", 0, 0, 0, UT_OK, NULL, "vpnc never warns about the peer's options string"),
	I("up-delay", 0, 0, 0, UT_OK, NULL, "vpnc runs no scripts"),
	I("dev-node", 1, 1, 0, UT_READ, NULL, "vpnc opens /dev/net/tun"),
	I("engine", 0, 1, 0, UT_OK, NULL, "OpenSSL engines are not loaded"),
	I("echo", 0, ANY - 1, 0, UT_OK, NULL, "messages for a GUI; vpnc has none"),
	I("errors-to-stderr", 0, 0, 0, UT_OK, NULL, "vpnc's errors already go to stderr or its log"),
	I("prng", 1, 2, 0, UT_OK, NULL, "2.6 ignores it too: OpenSSL's generator is used"),
	I("tcp-nodelay", 0, 0, 0, UT_OK, NULL, "vpnc always sets TCP_NODELAY on its TCP link"),
	I("tcp-queue-limit", 1, 1, 0, UT_OK, NULL, "vpnc bounds its TCP send queue itself"),
	I("allow-recursive-routing", 0, 0, 0, UT_OK, NULL, "vpnc does not drop such packets anyway"),
	I("key-derivation", 1, 1, 0, UT_OK, NULL, "the server pushes it"),
	I("protocol-flags", 1, ANY - 1, 0, UT_OK, NULL, "the server pushes it"),
	I("multihome", 0, 1, 0, UT_OK, NULL, "server only"),
	I("push", 1, 1, 0, UT_OK, NULL, "server only"),
	I("max-clients", 1, 1, 0, UT_OK, NULL, "server only"),
	I("bcast-buffers", 1, 1, 0, UT_OK, NULL, "server only"),
	I("x509-username-field", 1, ANY - 1, 0, UT_OK, NULL, "server only"),
	I("parameter", 0, ANY - 1, 0, UT_OK, NULL, "messages for a GUI; vpnc has none"),
	I("tmp-dir", 1, 1, 0, UT_OK, NULL, "vpnc writes no temporary files"),
	I("peer-id", 1, 1, 0, UT_OK, NULL, "the peer-id the server pushes is used"),
	I("disable-occ", 0, 0, 0, UT_OK, NULL, "vpnc never warns about the peer's options string"),
	I("comp-noadapt", 0, 0, 0, UT_OK, NULL, "vpnc never compresses, adaptively or not"),
	I("mtu-test", 0, 0, 0, UT_OK, NULL, "no startup MTU test; mssfix and tun-mtu are used"),
	/*
	 * The management interface: vpnc has its own control socket (vpnc status,
	 * docs/control.md) and never opens a management port or waits for a client,
	 * so these open nothing (UT_OK). The ones that would take the key, the
	 * certificate or a server decision from a management client are refused below.
	 */
	I("management", 1, 3, 0, UT_OK, vpnc_cfg_opt_management, MGMT_NOTE),
	I("management-client", 0, 0, 0, UT_OK, vpnc_cfg_opt_management, MGMT_NOTE),
	I("management-client-user", 1, 1, 0, UT_OK, vpnc_cfg_opt_management, MGMT_NOTE),
	I("management-client-group", 1, 1, 0, UT_OK, vpnc_cfg_opt_management, MGMT_NOTE),
	I("management-hold", 0, 0, 0, UT_OK, vpnc_cfg_opt_management, MGMT_NOTE),
	I("management-query-passwords", 0, 0, 0, UT_OK, vpnc_cfg_opt_management, MGMT_NOTE),
	I("management-query-proxy", 0, 0, 0, UT_OK, vpnc_cfg_opt_management, MGMT_NOTE),
	I("management-query-remote", 0, 0, 0, UT_OK, vpnc_cfg_opt_management, MGMT_NOTE),
	I("management-forget-disconnect", 0, 0, 0, UT_OK, vpnc_cfg_opt_management, MGMT_NOTE),
	I("management-signal", 0, 0, 0, UT_OK, vpnc_cfg_opt_management, MGMT_NOTE),
	I("management-log-cache", 1, 1, 0, UT_OK, vpnc_cfg_opt_management, MGMT_NOTE),
	I("management-up-down", 0, 0, 0, UT_OK, vpnc_cfg_opt_management, MGMT_NOTE),

	/* Known, but they would change behaviour in ways vpnc cannot honour. */
	R("management-external-key"),
	R("management-external-cert"), R("management-client-auth"), R("management-client-pf"),
	R("learn-address"), R("client-connect"), R("client-disconnect"), R("auth-user-pass-verify"),
	R("server"), R("server-ipv6"), R("server-bridge"), R("tls-server"), RP("ifconfig-pool"), R("push-reset"), R("push-remove"),
	R("client-to-client"), R("duplicate-cn"),
	R("client-config-dir"), R("ccd-exclusive"), R("port-share"),
	RN("no-replay", "it would turn replay protection off, which vpnc never does"),
	R("auth-gen-token"), R("tls-crypt-v2-verify"),
	R("vlan-tagging"),
};

static const struct cfg_option *cfg_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(cfg_options) / sizeof(cfg_options[0]); i++) {
		const struct cfg_option *o = &cfg_options[i];

		if (o->flags & F_PREFIX) {
			if (strncmp(name, o->name, strlen(o->name)) == 0)
				return o;
		} else if (strcmp(name, o->name) == 0) {
			return o;
		}
	}
	return NULL;
}

bool vpnc_cfg_inline_ok(const char *name)
{
	const struct cfg_option *o = cfg_lookup(name);

	return o != NULL && (o->flags & F_INLINE);
}

int vpnc_cfg_trust(const char *name)
{
	const struct cfg_option *o = cfg_lookup(name);

	return o != NULL ? o->trust : UT_OK;
}

/* What a refused option would do, for "not allowed in an untrusted profile (it would ...)". */
static const char *cfg_trust_why(int trust)
{
	switch (trust) {
	case UT_RUN: return "run a program";
	case UT_LEVEL: return "let scripts run";
	case UT_WRITE: return "write a file";
	case UT_SOCKET: return "create a socket";
	case UT_READ: return "read a file with vpnc's rights; give it as an inline block";
	case UT_INCLUDE: return "read another file with vpnc's rights";
	case UT_DIR: return "change where files are read from";
	case UT_ID: return "change vpnc's user, group or root directory";
	case UT_FIREWALL: return "block the host's traffic, also after vpnc is gone";
	case UT_MARK: return "mark the link's packets for the host's policy routing and firewall";
	case UT_LOAD: return "load a library into vpnc; without 'pkcs11-providers' the system's p11-kit proxy is used";
	default: return "do something an untrusted profile may not";
	}
}

int vpnc_cfg_untrusted_check(struct vpnc_cfg_ctx *ctx, char **p, int n)
{
	int trust = vpnc_cfg_trust(p[0]), level = 0;
	char name[64];

	/* 'setenv opt OPTION ...' applies OPTION: the rule is OPTION's. */
	if (strcmp(p[0], "setenv") == 0 && n >= 3 && strcmp(p[1], "opt") == 0)
		return vpnc_cfg_untrusted_check(ctx, p + 2, n - 2);
	switch (trust) {
	case UT_OK:
		return 0;
	case UT_READ:
		/* An inline block or no file at all ('auth-user-pass', 'askpass' alone) reads nothing. */
		if (ctx->is_inline || n < 2)
			return 0;
		/* Nor do auth-user-pass's keywords. */
		if (strcmp(p[0], "auth-user-pass") == 0 &&
		    (strcmp(p[1], "stdin") == 0 || strcmp(p[1], "username-only") == 0))
			return 0;
		break;
	case UT_LEVEL:
		/* 0 and 1 run nothing; a bad number is the handler's to report. */
		if (n < 2 || vpnc_cfg_parse_int(p[1], 0, 3, &level) < 0 || level <= 1)
			return 0;
		break;
	default:
		break;
	}
	vpnc_cfg_sanitize(name, sizeof(name), p[0]);
	return vpnc_cfg_bad(ctx, name, "not allowed in an untrusted profile (it would %s)",
	                    strcmp(p[0], "providers") == 0 ? "load a library into vpnc: an OpenSSL provider is code"
	                                                   : cfg_trust_why(trust));
}

int vpnc_cfg_option_foreach(int (*fn)(void *ctx, const char *name, int set, const char *note),
                            void *ctx)
{
	for (size_t i = 0; i < sizeof(cfg_options) / sizeof(cfg_options[0]); i++) {
		const struct cfg_option *o = &cfg_options[i];
		int ret = fn(ctx, o->name, o->set, o->note);

		if (ret != 0)
			return ret;
	}
	return 0;
}

static bool cfg_ignored_unknown(const struct vpnc_cfg_ctx *ctx, const char *name)
{
	if (ctx->ignore_unknown)
		return true;
	for (size_t i = 0; i < ctx->n_ignore; i++)
		if (strcmp(ctx->ignore[i], name) == 0)
			return true;
	return false;
}

int vpnc_cfg_apply(struct vpnc_cfg_ctx *ctx, char **p, int n)
{
	const struct cfg_option *o = cfg_lookup(p[0]);
	int args = n - 1, ret;
	char name[64];

	vpnc_cfg_sanitize(name, sizeof(name), p[0]);
	if (o == NULL) {
		if (cfg_ignored_unknown(ctx, p[0])) {
			vpnc_cfg_note(ctx, VPNC_CFG_NOTE_VERB, "unknown option '%s' ignored as asked", name);
			return 0;
		}
		return vpnc_cfg_fail(ctx, -EINVAL, "unknown option '%s'", name);
	}
	if (o->set == REFUSED && o->note != NULL)
		return vpnc_cfg_fail(ctx, -ENOTSUP, "option '%s' is not supported: %s", name, o->note);
	if (o->set == REFUSED)
		return vpnc_cfg_fail(ctx, -ENOTSUP, "option '%s' is not supported", name);
	if (ctx->is_inline) {
		if (!(o->flags & F_INLINE))
			return vpnc_cfg_fail(ctx, -EINVAL, "option '%s' cannot be an inline block", name);
	} else if (args < o->min) {
		return vpnc_cfg_fail(ctx, -EINVAL, "option '%s' needs at least %d argument%s", name,
		                     o->min, o->min == 1 ? "" : "s");
	} else if (args > o->max) {
		if (o->max == 0)
			return vpnc_cfg_fail(ctx, -EINVAL, "option '%s' takes no arguments", name);
		return vpnc_cfg_fail(ctx, -EINVAL, "option '%s' takes at most %d argument%s", name,
		                     o->max, o->max == 1 ? "" : "s");
	}
	if (ctx->in_connection && !(o->flags & F_CONN))
		return vpnc_cfg_fail(ctx, -EINVAL, "option '%s' is not allowed in a <connection> block",
		                     name);
	/* --untrusted-config: line 0 is the command line, which stays trusted. */
	if (ctx->untrusted && ctx->line > 0 && (ret = vpnc_cfg_untrusted_check(ctx, p, n)) < 0)
		return ret;
	if (o->fn != NULL) {
		ret = o->fn(ctx, p, n);
		if (ret < 0)
			return ret;
	}
	if (o->set == IGNORED)
		vpnc_cfg_note(ctx, VPNC_CFG_NOTE_VERB, "option '%s' ignored: %s", name, o->note);
	return 0;
}

int vpnc_cfg_parse_int(const char *s, long min, long max, int *out)
{
	long v = 0;
	size_t i = 0;
	bool neg = false;

	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i++;
	}
	if (s[i] == '\0')
		return -EINVAL;
	for (; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (v > (LONG_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (s[i] - '0');
	}
	if (neg)
		v = -v;
	if (v < min || v > max)
		return -ERANGE;
	*out = (int)v;
	return 0;
}
