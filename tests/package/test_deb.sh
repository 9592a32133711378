#!/bin/bash
# test_deb.sh: the Debian packages build, install, work and go away again.
#
# Usage: test_deb.sh            (needs root: it installs and purges packages)
#
# On a copy of the source tree (the build directories left out):
# `dpkg-buildpackage -us -uc -b`, then lintian must report no error and no
# warning (but those debian/*.lintian-overrides overrides); the
# .debs are installed with `apt-get install ./x.deb`; the installed
# /usr/sbin/vpnc must run (`vpnc --version`), its unit must pass
# `systemd-analyze verify`, the service user and /etc/vpnc-client (root
# only) must exist, and contrib/demo.sh must connect the installed binary to
# a stock OpenVPN server in throwaway namespaces. Finally `apt-get purge`
# removes the packages and the users they created, so the machine is as
# before. Every doc the man page names must be installed under that name.
# The NetworkManager plugin package is installed and checked only
# when network-manager is installed already (apt would otherwise pull it in);
# without it the check is skipped, except in CI (VPNC_CI=1), where it fails.
# Refuses to run if vpnc-ovpn or Debian's Cisco vpnc is installed (purging
# them would change the machine). Prints PASS/FAIL per check; the last line
# is the summary.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
name=test_deb
passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'PASS: %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*"; }
check() { if "${@:2}"; then pass "$1"; else fail "$1"; fi; }
summary() { printf '%s: %d passed, %d failed\n' "$name" "$passed" "$failed"; }
installed() { [ "$(dpkg-query -W -f '${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }
# vt_skip_or_fail: a package contrib/install-deps.sh installs is missing (fails in CI).
# shellcheck source-path=SCRIPTDIR source=../interop/lib.sh
. "$here/../interop/lib.sh"

if [ "$(id -u)" != 0 ]; then
	fail "running as root (apt-get install and purge)"
	summary
	exit 1
fi
for tool in dpkg-buildpackage dh lintian fakeroot systemd-analyze; do
	command -v "$tool" >/dev/null || fail "$tool installed (apt-get install dpkg-dev debhelper lintian fakeroot systemd)"
done
for p in vpnc-ovpn network-manager-vpnc-ovpn vpnc; do
	installed "$p" && fail "package $p is not installed already (this test would purge or replace it)"
done
if [ "$failed" != 0 ]; then
	summary
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
tmp=$(mktemp -d /tmp/vpnc-deb.XXXXXX) || exit 1
pkgs=(vpnc-ovpn)
with_nm=0
installed network-manager && with_nm=1 && pkgs+=(network-manager-vpnc-ovpn)
new_users=()
for u in vpnc-client nm-vpnc-ovpn; do
	getent passwd "$u" >/dev/null || new_users+=("$u")
done
new_group=0 # the status group `vpnc` (vpnc-client.sysusers), if this test creates it
getent group vpnc >/dev/null || new_group=1
etc_existed=0
[ -e /etc/vpnc-client ] && etc_existed=1
cleanup() {
	local p any=0
	for p in "${pkgs[@]}"; do
		dpkg-query -W "$p" >/dev/null 2>&1 && any=1
	done
	[ $any = 1 ] && apt-get purge -y "${pkgs[@]}" >"$tmp/purge.log" 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- build -----------------------------------------------------------------

mkdir -p "$tmp/src"
tar -C "$top" --exclude='./build*' --exclude=./.git --exclude='./obj-*' -cf - . | tar -C "$tmp/src" -xf -
check "dpkg-buildpackage -us -uc -b" \
	eval '(cd "$tmp/src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1'
[ "$failed" != 0 ] && tail -n 30 "$tmp/build.log"
ver=$(cd "$tmp/src" && dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
deb="$tmp/vpnc-ovpn_${ver}_${arch}.deb"
nmdeb="$tmp/network-manager-vpnc-ovpn_${ver}_${arch}.deb"
check "vpnc-ovpn_${ver}_${arch}.deb built" test -s "$deb"
check "network-manager-vpnc-ovpn_${ver}_${arch}.deb built" test -s "$nmdeb"
# lintian: no error and no warning (docs/packaging.md). An overridden tag (debian/*.lintian-overrides,
# each with its reason) is not reported, so any W: line is a new warning.
lintian --allow-root "$tmp/vpnc-ovpn_${ver}_${arch}.changes" >"$tmp/lintian.log" 2>&1
check "lintian reports no error" eval '! grep -q "^E: " "$tmp/lintian.log"'
check "lintian reports no warning not overridden" eval '! grep -q "^W: " "$tmp/lintian.log"'
sed 's/^/  lintian: /' "$tmp/lintian.log"
check "vpnc-ovpn conflicts with Debian's Cisco vpnc" \
	eval 'dpkg-deb -f "$deb" Conflicts | grep -qw vpnc'

# --- install ---------------------------------------------------------------

debs=("$deb")
[ $with_nm = 1 ] && debs+=("$nmdeb")
check "apt-get install ${debs[*]##*/}" \
	eval 'apt-get install -y --no-install-recommends "${debs[@]}" >"$tmp/install.log" 2>&1'
[ "$failed" != 0 ] && tail -n 20 "$tmp/install.log"
check "the installed vpnc runs: $(/usr/sbin/vpnc --version 2>&1 | head -n 1)" \
	eval '/usr/sbin/vpnc --version >/dev/null'
check "the man page is installed" test -s /usr/share/man/man8/vpnc.8.gz
check "the docs are installed" test -s /usr/share/doc/vpnc-ovpn/systemd.md.gz
# Every file under /usr/share/doc/vpnc-ovpn/ the man page names is there, under that name.
mandocs=$(zcat /usr/share/man/man8/vpnc.8.gz 2>/dev/null | grep -o '/usr/share/doc/vpnc\\-ovpn/[a-z0-9_.\\-]*' |
	sed 's/\\//g; s/[.]$//' | grep -v '/$' | sort -u)
nodoc=""
for f in $mandocs; do
	[ -s "$f" ] || nodoc="$nodoc $f"
done
check "the $(wc -w <<<"$mandocs") docs the man page names are installed (missing:${nodoc:- none})" \
	test -n "$mandocs" -a -z "$nodoc"
check "the bash completion is installed" grep -q '_vpnc_instances' /usr/share/bash-completion/completions/vpnc
if installed bash-completion; then
	check "bash-completion's completion for the Cisco vpnc is diverted aside" \
		test -s /usr/share/bash-completion/completions/vpnc.cisco
fi
unit=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)/vpnc-client@.service
check "the unit is installed ($unit)" test -s "$unit"
out=$(cd "$tmp" && cp "$unit" "$tmp/vpnc-client@deb.service" && systemd-analyze verify "$tmp/vpnc-client@deb.service" 2>&1)
rc=$?
check "systemd-analyze verify on the installed unit: exit 0, nothing said" test "$rc" = 0 -a -z "$out"
[ -n "$out" ] && printf '  verify said: %s\n' "$out"
ks=/usr/share/doc/vpnc-ovpn/examples/kill-switch.conf
check "the kill-switch drop-in example is installed" test -s "$ks"
# The unit with the drop-in applied (a repeated [Service] section is what a drop-in amounts to).
out=$(cd "$tmp" && cat "$unit" "$ks" >"$tmp/vpnc-client@ks.service" && systemd-analyze verify "$tmp/vpnc-client@ks.service" 2>&1)
rc=$?
check "systemd-analyze verify on the unit with the kill-switch drop-in: exit 0, nothing said" test "$rc" = 0 -a -z "$out"
[ -n "$out" ] && printf '  verify said: %s\n' "$out"
check "the service user vpnc-client exists" eval 'getent passwd vpnc-client >/dev/null'
check "/etc/vpnc-client exists, root only" test "$(stat -c '%a %U' /etc/vpnc-client 2>/dev/null)" = "700 root"
if [ $with_nm = 1 ]; then
	check "the NetworkManager plugin's user nm-vpnc-ovpn exists" eval 'getent passwd nm-vpnc-ovpn >/dev/null'
	check "the plugin's .name names the installed service" \
		grep -q '^program=/usr/libexec/nm-vpnc-ovpn-service$' /usr/lib/NetworkManager/VPN/nm-vpnc-ovpn-service.name
	check "the plugin's service is installed" test -x /usr/libexec/nm-vpnc-ovpn-service
	check "the plugin's D-Bus policy is installed" test -s /usr/share/dbus-1/system.d/nm-vpnc-ovpn-service.conf
	# The auth-dialog and the editor plugin (import/export) the .name file names.
	dialog=$(sed -n 's/^auth-dialog=//p' /usr/lib/NetworkManager/VPN/nm-vpnc-ovpn-service.name)
	editor=$(sed -n 's/^plugin=//p' /usr/lib/NetworkManager/VPN/nm-vpnc-ovpn-service.name)
	out=$(printf 'DATA_KEY=config\nDATA_VAL=/x.ovpn\n\nDONE\nQUIT\n' | "$dialog" -u x -n y -s org.freedesktop.NetworkManager.vpnc_ovpn --external-ui-mode 2>&1)
	check "the .name's auth-dialog ($dialog) is installed and answers in external-UI mode" \
		eval '[[ $dialog == /usr/libexec/* && $out == "[VPN Plugin UI]"* ]]'
	check "the .name's editor plugin ($editor) is installed and has the libnm factory" \
		eval '[ -f "$editor" ] && grep -q nm_vpn_editor_plugin_factory "$editor"'
else
	vt_skip_or_fail "network-manager is not installed: the plugin package was built, not installed" ||
		failed=$((failed + 1))
fi

# --- the demo against the installed binary ----------------------------------

check "contrib/demo.sh --vpnc /usr/sbin/vpnc (stock OpenVPN server, throwaway namespaces)" \
	eval '"$top/contrib/demo.sh" --vpnc /usr/sbin/vpnc >"$tmp/demo.log" 2>&1'
grep -E '^  (client|ping|clean)' "$tmp/demo.log" | sed 's/^/  demo: /'
[ "$failed" != 0 ] && tail -n 30 "$tmp/demo.log"

# --- purge -----------------------------------------------------------------

check "apt-get purge ${pkgs[*]}" eval 'apt-get purge -y "${pkgs[@]}" >"$tmp/purge.log" 2>&1'
check "/usr/sbin/vpnc is gone" test ! -e /usr/sbin/vpnc
check "the unit is gone" test ! -e "$unit"
if installed bash-completion; then
	check "bash-completion's own vpnc completion is back" \
		eval 'test ! -e /usr/share/bash-completion/completions/vpnc.cisco &&
			dpkg -S /usr/share/bash-completion/completions/vpnc | grep -q "^bash-completion:" &&
			! grep -q _vpnc_instances /usr/share/bash-completion/completions/vpnc'
fi
[ $etc_existed = 0 ] && check "/etc/vpnc-client is gone (it was empty)" test ! -e /etc/vpnc-client
# Debian leaves system users behind on purge; this test created them, so it removes them.
for u in "${new_users[@]}"; do
	userdel "$u" 2>/dev/null
	getent group "$u" >/dev/null && groupdel "$u" 2>/dev/null
	check "user $u removed again" eval '! getent passwd "$u" >/dev/null'
done
if [ $new_group = 1 ]; then
	check "the status group vpnc was created" eval 'getent group vpnc >/dev/null'
	groupdel vpnc 2>/dev/null
	check "group vpnc removed again" eval '! getent group vpnc >/dev/null'
fi

summary
[ "$failed" = 0 ]
