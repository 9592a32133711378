/*
 * version.h: the one version string of the vpnc program (keep it equal to
 * the VERSION in CMakeLists.txt's project() line and to docs/vpnc.8).
 */
#ifndef VPNC_DAEMON_VERSION_H
#define VPNC_DAEMON_VERSION_H

#define VPNC_VERSION "0.1.0"

#endif
