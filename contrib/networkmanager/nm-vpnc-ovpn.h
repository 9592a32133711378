/*
 * nm-vpnc-ovpn.h: what the two halves of the NetworkManager plugin share:
 * the D-Bus names, the environment variable that overrides the vpnc path,
 * and the entry point of the up-script helper (nm-vpnc-ovpn-helper.c).
 * The service itself lives in nm-vpnc-ovpn-service.c.
 */
#ifndef VPNC_NM_VPNC_OVPN_H
#define VPNC_NM_VPNC_OVPN_H

/* Debian's Cisco vpnc owns org.freedesktop.NetworkManager.vpnc, so this plugin takes another name. */
#define VPNC_NM_SERVICE "org.freedesktop.NetworkManager.vpnc_ovpn"
#define VPNC_NM_PATH "/org/freedesktop/NetworkManager/VPN/Plugin"
#define VPNC_NM_IFACE "org.freedesktop.NetworkManager.VPN.Plugin"

/* The first argument that turns the service binary into the up-script helper. */
#define VPNC_NM_HELPER_ARG "--helper"

/* Overrides the vpnc binary the service starts (tests; the default is set at build time). */
#define VPNC_NM_BINARY_ENV "VPNC_OVPN_VPNC"

/*
 * Runs the helper: reads the OpenVPN-style environment vpnc gives its up
 * script, and sends SetConfig, SetIp4Config and SetIp6Config to the bus name
 * given with --bus-name. Returns the process exit status.
 */
int vpnc_nm_helper_main(int argc, char **argv);

#endif
