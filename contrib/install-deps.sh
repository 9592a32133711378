#!/bin/bash
# install-deps.sh: installs the Debian 12 packages that the demo or the
# tests need, so that the README's two commands work on a fresh machine
# as written. Called by contrib/demo.sh ("demo") and tests/run-all.sh
# ("test"); .ci/run gets them through run-all.sh.
#
# Usage: contrib/install-deps.sh demo|test
#
# Does nothing when every package is installed already (no apt-get call, so
# no network needed). Otherwise needs root and Debian's package registry:
# runs `apt-get update` once and installs the missing packages. Set
# VPNC_NO_INSTALL=1 to skip this step (a machine managed some other way);
# the tools then say what is missing.
#
# systemd-resolved (for tests/interop/test_resolved.sh, which runs its own
# private instance): on a first install Debian's package points
# /etc/resolv.conf at resolved's stub and enables the service. This script
# keeps the host as it was: the previous /etc/resolv.conf is put back and
# the service is disabled again.
set -u -o pipefail

# dante-server (a SOCKS proxy for tests/interop/test_socks.sh): Debian's package enables its
# service; it is disabled again, the test runs its own danted in a namespace.
#
# Build and run vpnc, and a stock OpenVPN server for it to talk to.
demo_pkgs="build-essential cmake pkg-config libssl-dev libuv1-dev libcap-ng-dev libmnl-dev
	libsystemd-dev liblzo2-dev liblz4-dev libnftables-dev libseccomp-dev libpkcs11-helper1-dev
	libp11-kit-dev openssl openvpn iperf3 iproute2 iputils-ping"
# Everything the test suite starts: sanitizers and fuzzers (clang), the man page check, the
# NetworkManager plugin and a real NetworkManager, nftables, systemd-resolved and a logind
# stand-in (python3-dbus), systemd-ask-password (systemd) and the pty driver and password agent
# of test_prompt.sh and the pty and server management drivers of test_auth_challenge.sh
# (python3), setpriv (util-linux), the Debian package build, PKCS#11 tokens (SoftHSM2,
# OpenSC's pkcs11-tool and pkcs11-spy, the p11-kit proxy module), squid (the HTTP proxy of
# test_httpproxy.sh, run by the test with its own config; its system service is not used), and
# the Debian 12 container with systemd as PID 1 that tests/package/test_systemd_pid1.sh boots
# (systemd-container, debootstrap), and a DNS server for test_random_hostname.sh (dnsmasq-base:
# the program only, no service; test_tap_dhcp.sh runs it as the DHCP server), and the DHCP client
# of test_tap_dhcp.sh (busybox's udhcpc).
test_pkgs="$demo_pkgs clang libclang-rt-14-dev groff-base systemd dbus libnm-dev network-manager
	nftables systemd-resolved python3 python3-dbus debhelper dpkg-dev fakeroot lintian
	bash-completion util-linux softhsm2 opensc p11-kit-modules squid dante-server systemd-container
	debootstrap dnsmasq-base busybox"

case "${1:-}" in
demo) want=$demo_pkgs ;;
test) want=$test_pkgs ;;
*)
	echo "usage: $0 demo|test" >&2
	exit 2
	;;
esac

[ "${VPNC_NO_INSTALL:-0}" = 1 ] && exit 0

# Programs a test runs unpacked in a private mount namespace, never installed (each conflicts
# with systemd-resolved's resolvconf): openresolv and Debian's resolvconf, for
# tests/interop/test_resolvconf.sh. Unpacked once into VPNC_TEST_DEBS.
unpack_test_debs() {
	local dir=${VPNC_TEST_DEBS:-/var/cache/vpnc-tests} p tmp
	for p in openresolv resolvconf; do
		[ -d "$dir/$p" ] && continue
		if [ "$(id -u)" != 0 ]; then
			echo "install-deps: $p is not unpacked in $dir (run as root)" >&2
			continue
		fi
		tmp=$(mktemp -d)
		chmod 755 "$tmp" # apt's download sandbox user must be able to write here
		if (cd "$tmp" && { apt-get download -q "$p" >/dev/null 2>&1 ||
			{ apt-get update -q >/dev/null && apt-get download -q "$p" >/dev/null; }; }); then
			mkdir -p "$dir" && dpkg -x "$tmp"/"$p"_*.deb "$dir/$p.new" && mv "$dir/$p.new" "$dir/$p"
		else
			echo "install-deps: cannot download $p" >&2
		fi
		rm -rf "$tmp"
	done
}
[ "$1" = test ] && unpack_test_debs

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing Debian packages:$missing (run as root to install them)" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: missing packages:$missing, and no apt-get to install them" >&2
	exit 1
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
had_resolved=0
dpkg -s systemd-resolved >/dev/null 2>&1 && had_resolved=1
saved=$(mktemp -d)
{ [ -e /etc/resolv.conf ] || [ -L /etc/resolv.conf ]; } && cp -a /etc/resolv.conf "$saved/"
rc=0
# shellcheck disable=SC2086
apt-get update -q && apt-get install -y -q --no-install-recommends $missing || rc=$?
if [ "$had_resolved" = 0 ] && dpkg -s systemd-resolved >/dev/null 2>&1; then
	if [ -d /run/systemd/system ]; then
		systemctl disable --now systemd-resolved.service >/dev/null 2>&1 || true
	fi
	# Only if the postinst replaced it (in a container it is often a bind mount it cannot touch).
	if { [ -e "$saved/resolv.conf" ] || [ -L "$saved/resolv.conf" ]; } &&
		[ "$(readlink /etc/resolv.conf)" != "$(readlink "$saved/resolv.conf")" ]; then
		rm -f /etc/resolv.conf
		cp -a "$saved/resolv.conf" /etc/resolv.conf
		rm -f /etc/.resolv.conf.systemd-resolved.bak
	fi
fi
rm -rf "$saved"
# dante-server (tests/interop/test_socks.sh starts its own danted): the host runs no proxy.
if [ -d /run/systemd/system ] && dpkg -s dante-server >/dev/null 2>&1; then
	systemctl disable --now danted.service >/dev/null 2>&1 || true
fi
if [ "$rc" != 0 ]; then
	echo "install-deps: apt-get failed (status $rc)" >&2
	exit 1
fi
exit 0
