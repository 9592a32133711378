/*
 * nm-vpnc-ovpn-scan.h: which secrets a self-contained profile needs
 * (nm-vpnc-ovpn-scan.c), used by the editor plugin's import; and whether it
 * asks for a TAP device, used by the service to make the right device.
 */
#ifndef VPNC_NM_VPNC_OVPN_SCAN_H
#define VPNC_NM_VPNC_OVPN_SCAN_H

#include <stdbool.h>
#include <stddef.h>

struct vpnc_nm_scan {
	bool password; /* auth-user-pass without a password in the profile */
	bool key_pass; /* an encrypted private key */
	bool challenge; /* a static-challenge: a one-time code asked at each connect */
	bool tap;      /* a TAP device: the last dev-type is tap, or with none the last dev starts with tap */
};

/* Scans len bytes of `vpnc --inline-config` output (no NUL needed). */
void vpnc_nm_scan_profile(const char *text, size_t len, struct vpnc_nm_scan *out);

#endif
