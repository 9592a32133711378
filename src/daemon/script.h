/*
 * script.h: running the user's up, down, route-up, route-pre-down and
 * ipchange scripts the way
 * OpenVPN 2.6 does, so existing helpers (update-resolv-conf,
 * update-systemd-resolved, NetworkManager-openvpn's helper) work unchanged.
 *
 * Two parts:
 *  - script_env.c (pure, no I/O) builds the environment (struct
 *    vpnc_script_env) from a validated struct vpnc_push and the tunnel's
 *    facts, splits the command string with OpenVPN's parse_line rules, and
 *    builds the arguments OpenVPN appends to up and down:
 *        cmd [cmd args] tun_dev tun_mtu 0 ifconfig_local remote_or_netmask init|restart
 *  - script.c runs one command through libuv's process API (uv_spawn, never
 *    a shell), with exactly that environment (no inherited variables, like
 *    OpenVPN), and reports the exit status through a callback.
 *
 * Scripts need 'script-security 2' (OpenVPN's rule); the caller checks
 * vpnc_script_allowed() before running one. No secret (password, auth
 * token, key) is ever put into the environment or the arguments: the builder
 * has no access to them. Functions return 0 or a negative errno code.
 */
#ifndef VPNC_DAEMON_SCRIPT_H
#define VPNC_DAEMON_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>
#include <uv.h>

#include "core/tls.h"
#include "vpnc/config.h"
#include "vpnc/push.h"

#define VPNC_SCRIPT_MAX_VARS 1024        /* 4 per route, 2 per IPv6 route, and the rest */
#define VPNC_SCRIPT_ENV_BYTES (64 * 1024)
#define VPNC_SCRIPT_NAME_MAX 64          /* variable names */
#define VPNC_SCRIPT_MAX_ARGS 24          /* command words plus the appended arguments */
#define VPNC_SCRIPT_UPDOWN_ARGS 6        /* dev mtu 0 local remote_or_mask context */
#define VPNC_SCRIPT_SECURITY_SCRIPTS 2   /* lowest script-security that runs user scripts */
#define VPNC_SCRIPT_TIMEOUT_MS 60000     /* a script still running after this is killed */

/* "name=value" strings for execve, NULL-terminated; vars point into buf. */
struct vpnc_script_env {
	char *vars[VPNC_SCRIPT_MAX_VARS + 1];
	size_t n;
	size_t used;
	char buf[VPNC_SCRIPT_ENV_BYTES];
};

/* Facts about the tunnel that are not in the push. Borrowed; NULL = unknown. */
struct vpnc_script_info {
	const char *script_type;         /* "up", "down", "route-up", "route-pre-down" or "ipchange" */
	const char *script_context;      /* "init" or "restart" */
	const char *dev;                 /* the TUN device name */
	int tun_mtu;
	int verb;
	const char *config;              /* the config file path */
	const struct sockaddr *trusted;  /* the server's address (trusted_ip/_port or trusted_ip6) */
	const uint8_t *net_gateway4;     /* 4 bytes: the default gateway outside the VPN */
	const char *common_name;         /* the server certificate's CN */
	const char *signal;              /* down and route-pre-down: why vpnc stops ("sigterm", ...) */
	const struct vpnc_config *conf;  /* for remote_N, remote_port_N, proto_N */
	long pid;                        /* daemon_pid; 0 = not set */
};

/* Empties env. */
void vpnc_script_env_init(struct vpnc_script_env *env);

/*
 * Sets name=value, replacing an earlier value of name. The name must be
 * [A-Za-z0-9_] (1..63 bytes); bytes of value outside printable ASCII become
 * '_' (as OpenVPN's safe-string mapping does). -EINVAL, or -ENOSPC when full.
 */
int vpnc_script_env_set(struct vpnc_script_env *env, const char *name, const char *value);

/*
 * Builds OpenVPN's script environment into env (emptied first): script_type,
 * script_context, dev, dev_type, tun_mtu, verb, config, daemon,
 * ifconfig_local + ifconfig_netmask (topology subnet) or ifconfig_remote,
 * ifconfig_ipv6_local/_netbits/_remote, route_vpn_gateway, route_net_gateway,
 * route_network_N/_netmask_N/_gateway_N/_metric_N (pushed routes only, as
 * 2.6), route_ipv6_network_N/_gateway_N (redirect-gateway ipv6 blocks first,
 * then pushed ones), foreign_option_N ("dhcp-option DNS a", "dhcp-option
 * DOMAIN d"), trusted_ip/trusted_port or trusted_ip6, common_name,
 * untrusted_ip/_port (the same address), remote_N/remote_port_N/proto_N,
 * daemon_pid, route_redirect_gateway_ipv4/_ipv6 (2.7: 1, or 2 with block-local),
 * redirect_gateway (route-up and down), signal (down). push may be NULL
 * (down after a failed connect).
 */
int vpnc_script_env_build(struct vpnc_script_env *env, const struct vpnc_script_info *info,
                          const struct vpnc_push *push);

/* The arguments OpenVPN appends to up and down; v[] points into the buffers. */
struct vpnc_script_updown {
	const char *v[VPNC_SCRIPT_UPDOWN_ARGS + 1];
	char mtu[12];
	char local[16];
	char remote[16];
};
void vpnc_script_updown_args(struct vpnc_script_updown *a, const struct vpnc_script_info *info,
                             const struct vpnc_push *push);

/* A command split into argv (OpenVPN parse_line rules), with extra words appended. */
struct vpnc_script_argv {
	char *argv[VPNC_SCRIPT_MAX_ARGS + 1];
	size_t n;
	char store[VPNC_SCRIPT_MAX_ARGS * (VPNC_SCRIPT_CMD_MAX + 1)];
};
/* extra may be NULL; -EINVAL for an empty or badly quoted command, -E2BIG for too many words. */
int vpnc_script_argv_build(struct vpnc_script_argv *a, const char *cmd, const char *const extra[]);

/* True if script-security allows running user scripts (level 2 or more). */
bool vpnc_script_allowed(int script_security);

/* ---- script.c ---- */

/* status: the exit code (0..255), 128+N for signal N, or a negative errno if it could not start. */
typedef void (*vpnc_script_done_fn)(void *ctx, int status);

/*
 * Starts cmd (split as above, extra appended) with exactly env's variables.
 * A command without '/' is taken relative to the working directory, as
 * OpenVPN's execve does (no PATH search). The child is killed if it runs
 * longer than timeout_ms (0 = VPNC_SCRIPT_TIMEOUT_MS). done is called once
 * from the loop when it ends; env and extra may be freed when this returns.
 * Returns 0 (done will be called) or a negative errno/uv code (it will not).
 */
int vpnc_script_run(uv_loop_t *uv, const char *cmd, const struct vpnc_script_env *env,
                    const char *const extra[], int timeout_ms, vpnc_script_done_fn done, void *ctx);

/*
 * The same, but waits for the script (on a private loop of its own, so the
 * caller's loop runs none of its callbacks meanwhile), as OpenVPN 2.6 waits
 * for route-pre-down and ipchange before it goes on. Returns the status as
 * the callback above would get it, or a negative errno/uv code when the
 * script could not be started.
 */
int vpnc_script_run_sync(const char *cmd, const struct vpnc_script_env *env, const char *const extra[],
                         int timeout_ms);

/* ---- script_verify.c: tls-verify ---- */

#define VPNC_SCRIPT_VERIFY_DEPTH 16      /* OpenVPN's MAX_CERT_DEPTH */

/* What the calls for one chain saw: 2.6's environment keeps the deeper certificates' values. */
struct vpnc_script_verify {
	const struct vpnc_config *conf;
	struct vpnc_tls_cert_info chain[VPNC_SCRIPT_VERIFY_DEPTH];
	bool have[VPNC_SCRIPT_VERIFY_DEPTH];
	int last;                        /* the depth of the last call, -1 before the first */
};

void vpnc_script_verify_init(struct vpnc_script_verify *v, const struct vpnc_config *conf);

/*
 * Runs 'tls-verify CMD' for one certificate, as 2.6: "CMD depth subject",
 * environment script_type=tls-verify, tls_id_N, tls_serial_N,
 * tls_serial_hex_N, tls_digest_N, tls_digest_sha256_N for this and the
 * deeper certificates of the chain, X509_N_* (ci's lines), and the general
 * variables; waits for it. With tls-export-cert, ci->pem is written to a
 * new file in that directory first (peer_cert), removed afterwards; without
 * tls-verify only that. ci must be checked (printable strings). Returns 0
 * if it exited 0, else -EPERM (logged).
 */
int vpnc_script_verify(struct vpnc_script_verify *v, const struct vpnc_tls_cert_info *ci);

#endif
