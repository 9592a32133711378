/*
 * cfg_handlers.h: the option handlers the option table (cfg_options.c) points to.
 *
 * Each handler gets the words of one option (p[0] is the name, n counts it; the
 * table has already checked the argument count) and returns 0 or a negative
 * errno code after writing a message through vpnc_cfg_bad()/vpnc_cfg_fail().
 * For an inline block, ctx->is_inline is set and p[1] is the block text.
 */
#ifndef VPNC_CFG_HANDLERS_H
#define VPNC_CFG_HANDLERS_H

#include "config/cfg_internal.h"

#define VPNC_CFG_HANDLER(fn) int fn(struct vpnc_cfg_ctx *ctx, char **p, int n)

/* cfg_opt_conn.c: connection, role and interface. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_client);
VPNC_CFG_HANDLER(vpnc_cfg_opt_pull);
VPNC_CFG_HANDLER(vpnc_cfg_opt_tls_client);
VPNC_CFG_HANDLER(vpnc_cfg_opt_mode);
VPNC_CFG_HANDLER(vpnc_cfg_opt_remote);
VPNC_CFG_HANDLER(vpnc_cfg_opt_proto);
VPNC_CFG_HANDLER(vpnc_cfg_opt_port);
VPNC_CFG_HANDLER(vpnc_cfg_opt_lport);
VPNC_CFG_HANDLER(vpnc_cfg_opt_nobind);
VPNC_CFG_HANDLER(vpnc_cfg_opt_bind);
VPNC_CFG_HANDLER(vpnc_cfg_opt_remote_random);
VPNC_CFG_HANDLER(vpnc_cfg_opt_inactive);
VPNC_CFG_HANDLER(vpnc_cfg_opt_proto_force);
VPNC_CFG_HANDLER(vpnc_cfg_opt_management);
VPNC_CFG_HANDLER(vpnc_cfg_opt_mtu_disc);
VPNC_CFG_HANDLER(vpnc_cfg_opt_mark);
VPNC_CFG_HANDLER(vpnc_cfg_opt_push_peer_info);
VPNC_CFG_HANDLER(vpnc_cfg_opt_local);
VPNC_CFG_HANDLER(vpnc_cfg_opt_replay_window);
VPNC_CFG_HANDLER(vpnc_cfg_opt_remote_random_hostname);
VPNC_CFG_HANDLER(vpnc_cfg_opt_resolv_retry);
VPNC_CFG_HANDLER(vpnc_cfg_opt_connect_retry);
VPNC_CFG_HANDLER(vpnc_cfg_opt_positive);
VPNC_CFG_HANDLER(vpnc_cfg_opt_server_poll_timeout);
VPNC_CFG_HANDLER(vpnc_cfg_opt_dev);
VPNC_CFG_HANDLER(vpnc_cfg_opt_dev_type);
VPNC_CFG_HANDLER(vpnc_cfg_opt_lladdr);
VPNC_CFG_HANDLER(vpnc_cfg_opt_tun_mtu_extra);
VPNC_CFG_HANDLER(vpnc_cfg_opt_tun_mtu);
VPNC_CFG_HANDLER(vpnc_cfg_opt_mssfix);
VPNC_CFG_HANDLER(vpnc_cfg_opt_fragment);
VPNC_CFG_HANDLER(vpnc_cfg_opt_cd);
VPNC_CFG_HANDLER(vpnc_cfg_opt_config);
VPNC_CFG_HANDLER(vpnc_cfg_opt_untrusted);

/* cfg_opt_tls.c: certificates, TLS settings, control-channel keys, ciphers. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_pem);
VPNC_CFG_HANDLER(vpnc_cfg_opt_remote_cert_tls);
VPNC_CFG_HANDLER(vpnc_cfg_opt_remote_cert_eku);
VPNC_CFG_HANDLER(vpnc_cfg_opt_remote_cert_ku);
VPNC_CFG_HANDLER(vpnc_cfg_opt_ns_cert_type);
VPNC_CFG_HANDLER(vpnc_cfg_opt_peer_fingerprint);
VPNC_CFG_HANDLER(vpnc_cfg_opt_tun_mtu_max);
VPNC_CFG_HANDLER(vpnc_cfg_opt_plugin);
VPNC_CFG_HANDLER(vpnc_cfg_opt_verify_hash);
VPNC_CFG_HANDLER(vpnc_cfg_opt_keying_material_exporter);
VPNC_CFG_HANDLER(vpnc_cfg_opt_http_proxy_override);
VPNC_CFG_HANDLER(vpnc_cfg_opt_providers);
VPNC_CFG_HANDLER(vpnc_cfg_opt_compat_mode);
VPNC_CFG_HANDLER(vpnc_cfg_opt_capath);
VPNC_CFG_HANDLER(vpnc_cfg_opt_pkcs12);
VPNC_CFG_HANDLER(vpnc_cfg_opt_askpass);
VPNC_CFG_HANDLER(vpnc_cfg_opt_crl_verify);
VPNC_CFG_HANDLER(vpnc_cfg_opt_verify_x509_name);
VPNC_CFG_HANDLER(vpnc_cfg_opt_tls_version);
VPNC_CFG_HANDLER(vpnc_cfg_opt_tls_string);
VPNC_CFG_HANDLER(vpnc_cfg_opt_tls_cert_profile);
VPNC_CFG_HANDLER(vpnc_cfg_opt_wrap_key);
VPNC_CFG_HANDLER(vpnc_cfg_opt_key_direction);
VPNC_CFG_HANDLER(vpnc_cfg_opt_auth);
VPNC_CFG_HANDLER(vpnc_cfg_opt_cipher);
VPNC_CFG_HANDLER(vpnc_cfg_opt_data_ciphers);
VPNC_CFG_HANDLER(vpnc_cfg_opt_data_ciphers_fallback);

/* cfg_opt_misc.c: authentication, timers, pull handling, logging, compression. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_auth_user_pass);
VPNC_CFG_HANDLER(vpnc_cfg_opt_static_challenge);
VPNC_CFG_HANDLER(vpnc_cfg_opt_auth_nocache);
VPNC_CFG_HANDLER(vpnc_cfg_opt_auth_token);
VPNC_CFG_HANDLER(vpnc_cfg_opt_auth_retry);
VPNC_CFG_HANDLER(vpnc_cfg_opt_timer);
VPNC_CFG_HANDLER(vpnc_cfg_opt_reneg_count);
VPNC_CFG_HANDLER(vpnc_cfg_opt_exit_notify);
VPNC_CFG_HANDLER(vpnc_cfg_opt_keepalive);
VPNC_CFG_HANDLER(vpnc_cfg_opt_flag);
VPNC_CFG_HANDLER(vpnc_cfg_opt_verb);
VPNC_CFG_HANDLER(vpnc_cfg_opt_comp_lzo);
VPNC_CFG_HANDLER(vpnc_cfg_opt_compress);
VPNC_CFG_HANDLER(vpnc_cfg_opt_allow_compression);
VPNC_CFG_HANDLER(vpnc_cfg_opt_setenv);
VPNC_CFG_HANDLER(vpnc_cfg_opt_pull_filter);
VPNC_CFG_HANDLER(vpnc_cfg_opt_ignore_unknown);
VPNC_CFG_HANDLER(vpnc_cfg_opt_script_security);
VPNC_CFG_HANDLER(vpnc_cfg_opt_script);
VPNC_CFG_HANDLER(vpnc_cfg_opt_x509_track);
VPNC_CFG_HANDLER(vpnc_cfg_opt_up_restart);
VPNC_CFG_HANDLER(vpnc_cfg_opt_dns_mode);
VPNC_CFG_HANDLER(vpnc_cfg_opt_kill_switch);
VPNC_CFG_HANDLER(vpnc_cfg_opt_user_group); /* user, group */
VPNC_CFG_HANDLER(vpnc_cfg_opt_chroot);
VPNC_CFG_HANDLER(vpnc_cfg_opt_privsep);

/* cfg_opt_proxy.c: http-proxy and its companions (docs/proxy.md). */
VPNC_CFG_HANDLER(vpnc_cfg_opt_http_proxy);
VPNC_CFG_HANDLER(vpnc_cfg_opt_http_proxy_option);
VPNC_CFG_HANDLER(vpnc_cfg_opt_http_proxy_user_pass);

/* cfg_opt_log.c: log, log-append, syslog. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_log);

/* cfg_opt_ctl.c: control-socket, control-socket-group. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_control_socket);
VPNC_CFG_HANDLER(vpnc_cfg_opt_control_socket_group);

/* cfg_opt_datapath.c: vpnc's own data-path options. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_tun_offload);
VPNC_CFG_HANDLER(vpnc_cfg_opt_coalesce_us);
VPNC_CFG_HANDLER(vpnc_cfg_opt_shaper);
VPNC_CFG_HANDLER(vpnc_cfg_opt_client_nat);
VPNC_CFG_HANDLER(vpnc_cfg_opt_replay_persist);

/* cfg_opt_pkcs11.c: the PKCS#11 options, and their checks once the whole config is read. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_pkcs11_providers);
VPNC_CFG_HANDLER(vpnc_cfg_opt_pkcs11_flags); /* pkcs11-protected-authentication, pkcs11-cert-private */
VPNC_CFG_HANDLER(vpnc_cfg_opt_pkcs11_private_mode);
VPNC_CFG_HANDLER(vpnc_cfg_opt_pkcs11_pin_cache);
VPNC_CFG_HANDLER(vpnc_cfg_opt_pkcs11_id);
int vpnc_cfg_finish_pkcs11(struct vpnc_cfg_ctx *ctx);

/* cfg_opt_route.c: route and DNS options of the profile, stored in cfg->net. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_net);
int vpnc_cfg_finish_net(struct vpnc_cfg_ctx *ctx);

/* cfg_opt_socks.c: socks-proxy; its authfile is read and split at the end. */
VPNC_CFG_HANDLER(vpnc_cfg_opt_socks_proxy);
int vpnc_cfg_finish_socks(struct vpnc_cfg_ctx *ctx);

#endif
