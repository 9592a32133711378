#!/bin/bash
# test_install.sh: `cmake --install` puts the binary, the man page, the systemd
# unit and the sysusers file in the standard places, and the unit starts the
# binary that was installed.
#
# Usage: test_install.sh <path-to-built-vpnc>   (the build directory is its directory)
set -u -o pipefail

name=test_install
passed=0
failed=0
check() {
	local what=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
		echo "PASS: $what"
	else
		failed=$((failed + 1))
		echo "FAIL: $what"
	fi
}

build=$(cd "$(dirname "${1:?usage: $0 <path-to-built-vpnc>}")" && pwd)
dest=$(mktemp -d /tmp/vpnc-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT

check "cmake --install into a staging directory" eval 'DESTDIR="$dest" cmake --install "$build" >"$dest.log" 2>&1'
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
root="$dest$prefix"
check "the binary is installed and runs" eval '"$root/sbin/vpnc" --version >/dev/null'
check "the man page is installed" test -s "$root/share/man/man8/vpnc.8"
unit="$root/lib/systemd/system/vpnc-client@.service"
check "the systemd unit is installed" test -s "$unit"
check "the unit starts the installed binary" grep -q "^ExecStart=$prefix/sbin/vpnc " "$unit"
check "the sysusers file is installed" test -s "$root/lib/sysusers.d/vpnc-client.conf"
# The NetworkManager plugin (built when libnm is found) brings the system user vpnc runs as there.
if [ -x "$build/contrib/networkmanager/nm-vpnc-ovpn-service" ]; then
	check "the NetworkManager plugin's sysusers file is installed" \
		grep -q '^u nm-vpnc-ovpn ' "$root/lib/sysusers.d/nm-vpnc-ovpn.conf"
fi
rm -f "$dest.log"
echo "$name: $passed passed, $failed failed"
[ "$failed" = 0 ]
