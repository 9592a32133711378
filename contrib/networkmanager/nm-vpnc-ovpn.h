/*
 * nm-vpnc-ovpn.h: what the parts of the NetworkManager plugin share: the
 * D-Bus names, the vpn.data and vpn.secrets keys, the environment variable
 * that overrides the vpnc path, and the entry point of the up-script helper
 * (nm-vpnc-ovpn-helper.c). The service lives in nm-vpnc-ovpn-service.c, the
 * auth-dialog in nm-vpnc-ovpn-auth-dialog.c, the editor plugin (import,
 * export) in nm-vpnc-ovpn-editor.c.
 */
#ifndef VPNC_NM_VPNC_OVPN_H
#define VPNC_NM_VPNC_OVPN_H

/* Debian's Cisco vpnc owns org.freedesktop.NetworkManager.vpnc, so this plugin takes another name. */
#define VPNC_NM_SERVICE "org.freedesktop.NetworkManager.vpnc_ovpn"
#define VPNC_NM_PATH "/org/freedesktop/NetworkManager/VPN/Plugin"
#define VPNC_NM_IFACE "org.freedesktop.NetworkManager.VPN.Plugin"

/* vpn.data keys (docs/networkmanager.md). */
#define VPNC_NM_DATA_CONFIG "config"           /* the profile's absolute path */
#define VPNC_NM_DATA_USERNAME "username"       /* auth-user-pass username */
#define VPNC_NM_DATA_KILL_SWITCH "kill-switch" /* yes/no (default): the kill switch */
#define VPNC_NM_DATA_KILL_SWITCH_LAN "kill-switch-allow-lan" /* yes/no: it lets the LAN through */
/* vpn.secrets keys: the auth-user-pass password and the private key's passphrase. */
#define VPNC_NM_SECRET_PASSWORD "password"
#define VPNC_NM_SECRET_CERT_PASS "cert-pass"
/* Asked only when vpnc asks during the connection (the service's hints name them). */
#define VPNC_NM_SECRET_CHALLENGE "challenge" /* a static or dynamic challenge's response */
#define VPNC_NM_SECRET_PIN "pin"             /* a PKCS#11 token's PIN */
/* The hint that says the answer may be shown while typed (the question's echo flag). */
#define VPNC_NM_HINT_ECHO "x-vpnc-echo"

/* The first argument that turns the service binary into the up-script helper. */
#define VPNC_NM_HELPER_ARG "--helper"

/* Overrides the vpnc binary the service starts (tests; the default is set at build time). */
#define VPNC_NM_BINARY_ENV "VPNC_OVPN_VPNC"

/*
 * The system user vpnc runs as under NetworkManager (nm-vpnc-ovpn.sysusers
 * creates it). It owns the connection's TUN device and is the one user the
 * D-Bus policy lets report a configuration to the plugin.
 */
#define VPNC_NM_USER "nm-vpnc-ovpn"

#include <stdbool.h>
#include <sys/types.h>

#include <net/if.h>

#define VPNC_NM_MAX_GROUPS 256

/* A user to run as: ids, supplementary groups, and the name for messages. */
struct vpnc_nm_ident {
	uid_t uid;
	gid_t gid;
	gid_t groups[VPNC_NM_MAX_GROUPS];
	int ngroups;
	char name[64];
};

#ifdef __NM_CONNECTION_H__ /* only where libnm is included */
/* nm-vpnc-ovpn-owner.c: the user by name, with its groups. */
gboolean vpnc_nm_ident_lookup(const char *name, struct vpnc_nm_ident *id, GError **error);
/* The connection's owner from connection.permissions (root for a system-wide one). */
gboolean vpnc_nm_owner_lookup(NMConnection *connection, struct vpnc_nm_ident *id, GError **error);
/*
 * Runs `vpnc --inline-config config --untrusted-config` as id in the
 * profile's directory; returns a sealed memfd holding the output, or -1 with
 * error set (vpnc's own sentence when the profile is refused).
 */
int vpnc_nm_owner_inline(const char *vpnc, const char *config, const struct vpnc_nm_ident *id,
                         GError **error);
#endif

/* nm-vpnc-ovpn-tun.c: a persistent TUN (or TAP) device owned by uid/gid (name out), and its removal. */
int vpnc_nm_tun_create(uid_t uid, gid_t gid, bool tap, char name[IFNAMSIZ]);
int vpnc_nm_tun_delete(const char *name, bool tap);

/*
 * Runs the helper: reads the OpenVPN-style environment vpnc gives its up
 * script, and sends SetConfig, SetIp4Config and SetIp6Config to the bus name
 * given with --bus-name. Returns the process exit status.
 */
int vpnc_nm_helper_main(int argc, char **argv);

#endif
