#!/bin/bash
# test_install.sh: `cmake --install` puts the binary, the man page, the systemd
# unit, the sysusers and the tmpfiles files in the standard places, and the
# unit starts the binary that was installed. A configure for /usr (as the
# Debian package does) takes systemd's directories from systemd.pc, the bash
# completion completes (when bash-completion is installed), and the
# packagers' switches (VPNC_BUILD_TESTS, VPNC_BUILD_BENCH, VPNC_WERROR) do
# what they say.
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

# vt_skip_or_fail: a package contrib/install-deps.sh installs is missing (fails in CI).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
skip_or_fail() { vt_skip_or_fail "$@" || failed=$((failed + 1)); }

build=$(cd "$(dirname "${1:?usage: $0 <path-to-built-vpnc>}")" && pwd)
dest=$(mktemp -d /tmp/vpnc-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT

check "cmake --install into a staging directory" eval 'DESTDIR="$dest" cmake --install "$build" >"$dest.log" 2>&1'
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
root="$dest$prefix"
check "the binary is installed and runs" eval '"$root/sbin/vpnc" --version >/dev/null'
check "the man page is installed" test -s "$root/share/man/man8/vpnc.8"
# cachevar DIR NAME: a CMake cache value; a relative directory is under the prefix.
cachevar() { sed -n "s/^$2:[A-Z]*=//p" "$1/CMakeCache.txt"; }
under() { case "$1" in /*) echo "$dest$1" ;; *) echo "$root/$1" ;; esac; }
unitdir=$(under "$(cachevar "$build" VPNC_SYSTEMD_UNITDIR)")
unit="$unitdir/vpnc-client@.service"
check "the systemd unit is installed ($unit)" test -s "$unit"
check "the unit starts the installed binary" grep -q "^ExecStart=$prefix/sbin/vpnc " "$unit"
check "the sysusers file is installed" \
	test -s "$(under "$(cachevar "$build" VPNC_SYSUSERSDIR)")/vpnc-client.conf"
tmpfiles=$(under "$(cachevar "$build" VPNC_TMPFILESDIR)")/vpnc-client.conf
check "the tmpfiles file is installed and makes /etc/vpnc-client root-only" \
	grep -q '^d /etc/vpnc-client 0700 root root' "$tmpfiles"
# The NetworkManager plugin (built when libnm is found) brings the system user vpnc runs as there.
if [ -x "$build/contrib/networkmanager/nm-vpnc-ovpn-service" ]; then
	check "the NetworkManager plugin's sysusers file is installed" \
		grep -q '^u nm-vpnc-ovpn ' "$(under "$(cachevar "$build" VPNC_SYSUSERSDIR)")/nm-vpnc-ovpn.conf"
fi

# bash completion: installed, and it completes options, their values, commands and instances.
comp="$(under "$(cachevar "$build" VPNC_BASHCOMPDIR)")/vpnc"
check "the bash completion is installed" test -s "$comp"
if [ -r /usr/share/bash-completion/bash_completion ]; then
	mkdir -p "$dest/sockdir"
	completes() {
		local want=$1
		shift
		got=$(bash -c '. /usr/share/bash-completion/bash_completion; . "$0"
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
			COMPREPLY=(); _vpnc; printf "%s " "${COMPREPLY[@]}"' "$comp" "$@")
		[ "$got" = "$want " ]
	}
	check "completion: vpnc --dns-m -> --dns-mode" completes --dns-mode vpnc --dns-m
	check "completion: vpnc --tls-crypt-v -> --tls-crypt-v2 --tls-crypt-v2-verify (from docs/options.md)" \
		completes "--tls-crypt-v2 --tls-crypt-v2-verify" vpnc --tls-crypt-v
	check "completion: vpnc --dns-mode resolv -> resolved resolvconf" completes "resolved resolvconf" vpnc --dns-mode resolv
	check "completion: vpnc disc -> disconnect" completes disconnect vpnc disc
	check "completion: vpnc status --j -> --json" completes --json vpnc status --j
else
	skip_or_fail "bash-completion is not installed: the completion is not run"
fi
# A packager's configure: prefix /usr, no tests, no benchmarks, no -Werror (configure only).
top=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")
pkg="$dest/pkgbuild"
check "configure for /usr with VPNC_BUILD_TESTS=OFF VPNC_BUILD_BENCH=OFF VPNC_WERROR=OFF" \
	eval 'cmake -S "$top" -B "$pkg" -DCMAKE_INSTALL_PREFIX=/usr -DVPNC_BUILD_TESTS=OFF \
		-DVPNC_BUILD_BENCH=OFF -DVPNC_WERROR=OFF >"$dest.log" 2>&1'
if command -v pkg-config >/dev/null && pkg-config --exists systemd; then
	for pair in VPNC_SYSTEMD_UNITDIR:systemdsystemunitdir VPNC_SYSUSERSDIR:sysusersdir \
		VPNC_TMPFILESDIR:tmpfilesdir; do
		want=$(pkg-config --variable="${pair#*:}" systemd)
		check "${pair%%:*} is systemd.pc's ${pair#*:} ($want)" test "$(cachevar "$pkg" "${pair%%:*}")" = "$want"
	done
else
	skip_or_fail "pkg-config or systemd.pc (pkg-config, systemd) missing: the unit directories are not compared"
fi
targets=$(cmake --build "$pkg" --target help 2>/dev/null)
check "the packager's build has the vpnc target" grep -q '^\.\.\. vpnc$' <<<"$targets"
check "... and no test or benchmark targets" eval '! grep -qE "^\.\.\. (test_|bench_|chaosproxy)" <<<"$targets"'
check "... and no -Werror" eval '! grep -rq -- "-Werror" "$pkg/CMakeFiles/vpnc.dir/flags.make"'
check "the development build has -Werror" grep -rq -- "-Werror" "$build/CMakeFiles/vpnc.dir/flags.make"
rm -f "$dest.log"
echo "$name: $passed passed, $failed failed"
[ "$failed" = 0 ]
