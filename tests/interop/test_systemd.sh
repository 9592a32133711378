#!/bin/bash
# test_systemd.sh: the shipped systemd files, checked with systemd's own tools
# (no running systemd needed: systemd-analyze works offline, as in CI where
# systemd is not PID 1).
#
# Usage: test_systemd.sh <vpnc-binary>
#
# - contrib/systemd/vpnc-client@.service, instantiated as vpnc-client@ci with
#   ExecStart pointing at the binary under test: `systemd-analyze verify` says
#   nothing at all, and `systemd-analyze security --offline=true` rates the
#   exposure at most 3.0;
# - the unit's contract: its name, Type=notify, the config path and working
#   directory, RestartPreventExitStatus= as src/daemon/exitcode.h numbers the
#   causes, the capability bounding set vpnc's privilege drop (and the DNS
#   file backend) needs and nothing more, no
#   ambient capabilities, the TUN device alone, the service user;
# - contrib/systemd/README.md's ExecStart= override example is the unit's
#   but for the path, and its table names the package's unit path;
# - contrib/systemd/vpnc-client.sysusers creates that user as a system user
#   with no login shell (systemd-sysusers into a scratch root).
# Needs systemd-analyze and systemd-sysusers (Debian package systemd).
# Prints PASS/FAIL per check; last line is the summary.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
name=test_systemd
passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'PASS: %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*"; }
check() { if "${@:2}"; then pass "$1"; else fail "$1"; fi; }
summary() { printf '%s: %d passed, %d failed\n' "$name" "$passed" "$failed"; }

unit_src="$top/contrib/systemd/vpnc-client@.service"
sysusers_src="$top/contrib/systemd/vpnc-client.sysusers"
max_exposure=3.0

client=${1:-}
if [ -z "$client" ] || [ ! -x "$client" ]; then
	fail "vpnc binary given and executable (got '${client}')"
	summary
	exit 1
fi
client=$(cd "$(dirname "$client")" && pwd)/$(basename "$client")
for tool in systemd-analyze systemd-sysusers; do
	if ! command -v "$tool" >/dev/null; then
		fail "$tool installed (apt-get install systemd)"
		summary
		exit 1
	fi
done

tmp=$(mktemp -d /tmp/vpnct-systemd-$$.XXXXXX) || exit 1
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- the unit file itself -------------------------------------------------

check "unit file exists" test -f "$unit_src"
check "sysusers file exists" test -f "$sysusers_src"

# One value of a [Service] setting (the last one given wins in systemd).
setting() { sed -n "s/^$1=//p" "$unit_src" | tail -n 1; }

check "the name is not Debian's Cisco vpnc@.service" test "$(basename "$unit_src")" != "vpnc@.service"
check "Type=notify" test "$(setting Type)" = notify
check "NotifyAccess=main" test "$(setting NotifyAccess)" = main
check "WatchdogSec is set" test -n "$(setting WatchdogSec)"
check "Restart=on-failure" test "$(setting Restart)" = on-failure
# vpnc has switched to its service user when a reload comes; root without CAP_KILL (not in the
# bounding set) may not signal it, so the kill runs outside the sandbox (tests/package/test_systemd_pid1.sh).
check "ExecReload=+/bin/kill -HUP \$MAINPID (outside the sandbox)" test "$(setting ExecReload)" = '+/bin/kill -HUP $MAINPID'
check "After=dbus.service (the bus stops after vpnc)" grep -qx 'After=dbus.service' "$unit_src"
exec_start=$(setting ExecStart)
# NAME means NAME.conf or NAME.ovpn (src/config/cfg_profile.c).
check "ExecStart runs /usr/sbin/vpnc on /etc/vpnc-client/%i" \
	test "${exec_start%% --control-socket-group*}" = "/usr/sbin/vpnc --config /etc/vpnc-client/%i"
check "WorkingDirectory=/etc/vpnc-client (relative names in a profile)" \
	test "$(setting WorkingDirectory)" = /etc/vpnc-client
check "ConfigurationDirectory=vpnc-client" test "$(setting ConfigurationDirectory)" = vpnc-client
# The codes that retrying does not fix, as src/daemon/exitcode.h numbers them.
want_rps=$(sed -n 's/^#define VPNC_EXIT_\(CONFIG\|VERIFY\|AUTH\) \([0-9]*\).*/\2/p' \
	"$top/src/daemon/exitcode.h" | sort -n | tr '\n' ' ')
check "RestartPreventExitStatus is the config, verify and auth codes (want: $want_rps)" \
	test "$(setting RestartPreventExitStatus) " = "$want_rps"
# ReadWritePaths= adds up over its lines: any of them.
check "/etc/resolv.conf is writable for the file DNS backend" \
	grep -q -- ' -/etc/resolv.conf' <<<"$(sed -n 's/^ReadWritePaths=/ /p' "$unit_src")"
sys_user=$(awk '$1 == "u" { print $2 }' "$sysusers_src")
check "ExecStart drops to the sysusers user ($sys_user)" \
	grep -q -- "--user $sys_user --group $sys_user\( \\\$VPNC_ARGS\)\?\$" <<<"$exec_start"
sys_group=$(awk '$1 == "g" { print $2 }' "$sysusers_src")
check "ExecStart gives the status group ($sys_group) the control socket" \
	grep -q -- "--control-socket-group $sys_group " <<<"$exec_start"
# contrib/systemd/README.md's override for another binary path is the unit's
# ExecStart= but for the path: it must not lose the status group or $VPNC_ARGS.
readme_exec=$(sed -n 's/^ *ExecStart=\(\/usr\/local\/sbin\/vpnc .*\)$/\1/p' "$top/contrib/systemd/README.md")
check "contrib/systemd/README.md's ExecStart= example is the unit's, path aside (got: $readme_exec)" \
	test -n "$readme_exec" -a "${readme_exec#/usr/local/sbin/vpnc }" = "${exec_start#/usr/sbin/vpnc }"
# The table names where the Debian package puts the unit (debian/vpnc-ovpn.install).
pkg_unit=$(grep -m 1 'vpnc-client@\.service$' "$top/debian/vpnc-ovpn.install")
check "contrib/systemd/README.md names the package's unit path (/$pkg_unit)" \
	grep -qF "| \`/$pkg_unit\` " "$top/contrib/systemd/README.md"
check "SupplementaryGroups=$sys_group (to chown the socket without CAP_CHOWN)" \
	test "$(setting SupplementaryGroups)" = "$sys_group"
caps=$(setting CapabilityBoundingSet | tr ' ' '\n' | sort | tr '\n' ' ')
check "CapabilityBoundingSet is CAP_NET_ADMIN + what privilege separation and DNS file mode need (got: $caps)" \
	test "$caps" = "CAP_DAC_OVERRIDE CAP_KILL CAP_NET_ADMIN CAP_SETGID CAP_SETPCAP CAP_SETUID CAP_SYS_CHROOT "
# Privilege separation (docs/privileges.md): RestrictNamespaces= leaves vpnc no mount namespace of
# its own, so the network process's root is the unit's empty /var/empty (src/priv/privjail.h).
check "TemporaryFileSystem=/var/empty:ro (the network process's root)" \
	test "$(setting TemporaryFileSystem)" = "/var/empty:ro"
check "chroot and seccomp allowed beside @system-service (locking the network process in)" \
	grep -qx "SystemCallFilter=chroot seccomp" "$unit_src"
check "no ambient capabilities" test -z "$(setting AmbientCapabilities)"
check "DevicePolicy=closed" test "$(setting DevicePolicy)" = closed
check "DeviceAllow is /dev/net/tun only" test "$(grep -c '^DeviceAllow=' "$unit_src")/$(setting DeviceAllow)" = "1//dev/net/tun rw"
check "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK" \
	test "$(setting RestrictAddressFamilies)" = "AF_UNIX AF_INET AF_INET6 AF_NETLINK"
for kv in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
	RestrictNamespaces=yes LockPersonality=yes MemoryDenyWriteExecute=yes \
	SystemCallFilter=@system-service SystemCallArchitectures=native \
	ProtectKernelTunables=yes ProtectKernelModules=yes ProtectControlGroups=yes; do
	check "$kv" grep -qx "$kv" "$unit_src"
done
check "RuntimeDirectory=vpnc (the control socket and DNS state, src/control/ctlpath.h, src/os/dns.h)" \
	test "$(setting RuntimeDirectory)" = vpnc

# --- systemd-analyze on an instance of it ---------------------------------

# The instance runs the binary under test (verify checks that it exists).
inst="$tmp/vpnc-client@ci.service"
sed "s#^ExecStart=/usr/sbin/vpnc #ExecStart=$client #" "$unit_src" >"$inst"
check "the instance runs $client" grep -q "^ExecStart=$client --config" "$inst"

# --man=no: the man page need not be installed where the test runs.
out=$(cd "$tmp" && systemd-analyze verify --man=no "$inst" 2>&1)
rc=$?
check "systemd-analyze verify exits 0" test "$rc" = 0
check "systemd-analyze verify prints nothing" test -z "$out"
[ -n "$out" ] && printf '  verify said: %s\n' "$out"

sec=$(cd "$tmp" && systemd-analyze security --offline=true "$inst" 2>&1)
rc=$?
exposure=$(sed -n 's/.*Overall exposure level for .*: \([0-9][0-9]*\.[0-9]\).*/\1/p' <<<"$sec")
check "systemd-analyze security --offline=true ran (rc $rc)" test "$rc" = 0 -a -n "$exposure"
if [ -n "$exposure" ]; then
	check "exposure $exposure <= $max_exposure" awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }'
fi
# The rating must count what the unit says, e.g. the bounding set.
check "security sees the capability bounding set" grep -q "✓ CapabilityBoundingSet=~CAP_SYS_ADMIN" <<<"$sec"

# A broken unit must fail verify: the check above can fail.
sed 's/^Type=notify$/Type=notify-bogus/' "$inst" >"$tmp/vpnc-client@bad.service"
out=$(cd "$tmp" && systemd-analyze verify --man=no "$tmp/vpnc-client@bad.service" 2>&1)
check "verify complains about a broken copy" test -n "$out"

# --- the sysusers entry ---------------------------------------------------

root="$tmp/root"
mkdir -p "$root/etc"
: >"$root/etc/passwd"
: >"$root/etc/group"
check "systemd-sysusers creates the user in a scratch root" \
	systemd-sysusers --root="$root" "$sysusers_src"
entry=$(grep "^$sys_user:" "$root/etc/passwd")
uid=$(cut -d: -f3 <<<"$entry")
check "passwd has $sys_user (got '$entry')" test -n "$entry"
check "$sys_user is a system user (uid $uid < 1000, not 0)" test -n "$uid" -a "${uid:-0}" -gt 0 -a "${uid:-1000}" -lt 1000
check "$sys_user cannot log in" test "$(cut -d: -f7 <<<"$entry")" = /usr/sbin/nologin
check "group $sys_user exists" grep -q "^$sys_user:" "$root/etc/group"
check "the status group $sys_group exists" grep -q "^$sys_group:" "$root/etc/group"

summary
[ "$failed" = 0 ]
