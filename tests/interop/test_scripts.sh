#!/bin/bash
# test_scripts.sh: up/route-up/down scripts and DNS against a stock OpenVPN 2.6 server.
#
# Usage: test_scripts.sh <client-binary> | --stock-client
#
# The server pushes two DNS servers (IPv4 and IPv6) and a DOMAIN.
#  1. script-security 2 with up, route-up and down set to
#     tests/data/scripts/dump-env.sh and --dns-mode none: the arguments and
#     the environment each script saw are checked (OpenVPN's argument order,
#     foreign_option_N, ifconfig_*, route_*, trusted_ip, no PATH).
#     With --stock-client the same checks run against stock openvpn, which
#     is how the expectations were confirmed.
#  2. --dns-mode file, with the client in a private mount namespace where a
#     temporary file is bind-mounted over /etc/resolv.conf and a temporary
#     directory over /run (the real files are never touched): nameserver and
#     search lines while connected, the saved original, and the original
#     back after SIGTERM.
#  3. The same after SIGKILL: the next vpnc start puts the original back.
#  4. An up script that does not exist, one that is not executable, a
#     missing route-up without up, and an up script that exits 3: vpnc exits
#     1 with one line naming the script (or its status), and leaves no
#     device, address or route behind; the unstartable cases run again with
#     --privsep no (the one-process path).
# Needs root. Last line: "test_scripts: N passed, M failed".
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_scripts
dump="$here/../data/scripts/dump-env.sh"
if ! vt_require_tools || ! command -v unshare >/dev/null; then
	vt_fail "prerequisites"
	vt_summary $name
	exit 1
fi
vt_client_resolve "${1:-}" || { vt_fail "client binary"; vt_summary $name; exit 1; }
vt_init || exit 1
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

DNS4=10.200.0.53
DNS6=fd00:200::53
DOMAIN=vpn.example
VT_SERVER_EXTRA="push \"dhcp-option DNS $DNS4\"
push \"dhcp-option DNS $DNS6\"
push \"dhcp-option DOMAIN $DOMAIN\""

setup() {
	vt_netns_up || return 1
	vt_pki ed25519 || return 1
	vt_server_conf
	vt_server_start
}
if ! vt_check "namespaces, PKI and stock OpenVPN server up" setup; then
	vt_summary $name
	exit 1
fi

# has FILE LINE: FILE has exactly this line.
has() { grep -q -x -F -- "$2" "$1"; }
# section FILE N: the N-th run's block of a dump-env.sh file (blocks end with "--").
section() { awk -v n="$2" 'BEGIN { b = 1 } /^--$/ { b++; next } b == n' "$1"; }

# ---- 1. scripts ----
VT_CLIENT_EXTRA="script-security 2
up \"$dump $VT_DIR/up.env\"
route-up \"$dump $VT_DIR/route-up.env\"
down \"$dump $VT_DIR/down.env\""
vt_client_conf
VT_CLIENT_ARGS="--dns-mode none"
vt_client_is_stock && VT_CLIENT_ARGS=""
vt_client_start
if ! vt_wait_tun_ipv4 15; then
	vt_fail "client connected within 15 s"
	vt_dump_logs
	vt_summary $name
	exit 1
fi
for i in $(seq 1 30); do [ -s "$VT_DIR/route-up.env" ] && break; sleep 0.1; done
tun=$VT_CLI_TUN
lip=$(ip -n "$VT_CLI_NS" -4 -o addr show dev "$tun" | awk '{ split($4, a, "/"); print a[1]; exit }')
section "$VT_DIR/up.env" 1 >"$VT_DIR/up1.env" 2>/dev/null

check_up() {
	local f=$VT_DIR/up1.env
	has "$f" "arg1=$tun" && has "$f" "arg2=1500" && has "$f" "arg3=0" && has "$f" "arg4=$lip" &&
		has "$f" "arg5=$VT_TUN_MASK" && has "$f" "arg6=init" && ! grep -q '^arg7=' "$f"
}
vt_check "up: arguments 'dev 1500 0 local netmask init'" check_up
check_up_env() {
	local f=$VT_DIR/up1.env
	has "$f" "script_type=up" && has "$f" "dev=$tun" && has "$f" "dev_type=tun" &&
		has "$f" "tun_mtu=1500" && has "$f" "ifconfig_local=$lip" &&
		has "$f" "ifconfig_netmask=$VT_TUN_MASK" && has "$f" "ifconfig_ipv6_netbits=64" &&
		has "$f" "route_network_1=${VT_PUSH_ROUTE%/*}" && has "$f" "route_netmask_1=255.255.255.0" &&
		has "$f" "route_gateway_1=$VT_TUN_SRV_IP" && has "$f" "route_vpn_gateway=$VT_TUN_SRV_IP" &&
		has "$f" "route_ipv6_network_1=$VT_PUSH_ROUTE6" &&
		has "$f" "trusted_ip=$VT_SRV_IP" && has "$f" "trusted_port=$VT_PORT" &&
		has "$f" "script_context=init" && has "$f" "daemon=0"
}
vt_check "up: environment (dev, ifconfig_*, route_*, trusted_ip)" check_up_env
check_foreign() {
	local f=$VT_DIR/up1.env
	has "$f" "foreign_option_1=dhcp-option DNS $DNS4" &&
		has "$f" "foreign_option_2=dhcp-option DNS $DNS6" &&
		has "$f" "foreign_option_3=dhcp-option DOMAIN $DOMAIN"
}
vt_check "up: foreign_option_1..3 carry the pushed dhcp-options" check_foreign
vt_check "up: no PATH or other inherited variable" eval '! grep -q -E "^(PATH|HOME|USER)=" "$VT_DIR/up1.env"'
check_route_up() {
	local f=$VT_DIR/route-up.env
	has "$f" "script_type=route-up" && has "$f" "dev=$tun" && ! grep -q '^arg1=' "$f" &&
		has "$f" "foreign_option_1=dhcp-option DNS $DNS4"
}
vt_check "route-up: ran after up, no arguments, same environment" check_route_up
vt_check "client stops on SIGTERM with status 0" eval 'vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]'
check_down() {
	local f=$VT_DIR/down.env
	[ -s "$f" ] && has "$f" "script_type=down" && has "$f" "arg1=$tun" && has "$f" "arg6=init" &&
		has "$f" "foreign_option_3=dhcp-option DOMAIN $DOMAIN" && grep -q '^signal=' "$f"
}
vt_check "down: ran at exit with the up arguments and a signal" check_down
vt_check "up ran exactly once" eval '[ "$(grep -c -x -- -- "$VT_DIR/up.env")" = 1 ]'

if vt_client_is_stock; then
	vt_log "stock client: the --dns-mode checks are vpnc's own; skipped"
	vt_summary $name
	exit $?
fi

# ---- 2. --dns-mode file in a private mount namespace ----
orig="# test original
nameserver 192.0.2.53
search orig.example"
real_client=("${VT_CLIENT_CMD[@]}")
vt_client_private_files "$orig" "${real_client[@]}"
VT_CLIENT_EXTRA=""
vt_client_conf
VT_CLIENT_ARGS="--dns-mode file"

start_file_client() {
	vt_client_start
	vt_wait_tun_ipv4 15 || return 1
	for i in $(seq 1 30); do grep -q "$DNS4" "$VT_DIR/resolv.conf" && return 0; sleep 0.1; done
	return 1
}
if ! vt_check "file mode: client connected and wrote resolv.conf" start_file_client; then
	vt_dump_logs
fi
tun=$VT_CLI_TUN
check_written() {
	local f=$VT_DIR/resolv.conf
	[ "$(grep '^nameserver' "$f" | tr '\n' ' ')" = "nameserver $DNS4 nameserver $DNS6 nameserver 192.0.2.53 " ] &&
		has "$f" "search $DOMAIN orig.example"
}
vt_check "file mode: VPN nameservers first, original kept after them (split tunnel), search line" check_written
vt_check "file mode: original saved in /run/vpnc/resolv.conf.$tun" cmp -s "$VT_DIR/run/vpnc/resolv.conf.$tun" "$VT_DIR/resolv.orig"
vt_check "file mode: client stops on SIGTERM with status 0" eval 'vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]'
vt_check "file mode: resolv.conf restored byte for byte" cmp -s "$VT_DIR/resolv.conf" "$VT_DIR/resolv.orig"
vt_check "file mode: saved copy and state file removed" eval '[ -z "$(ls -A "$VT_DIR/run/vpnc" 2>/dev/null)" ]'

# ---- 3. after a crash ----
crash() {
	start_file_client || return 1
	kill -KILL "$VT_CLI_PID" 2>/dev/null
	wait "$VT_CLI_PID" 2>/dev/null
	VT_CLI_PID=""
	grep -q "$DNS4" "$VT_DIR/resolv.conf"
}
vt_check "crash: SIGKILL leaves the rewritten resolv.conf behind" crash
restart_after_crash() {
	start_file_client || return 1
	cmp -s "$VT_DIR/run/vpnc/resolv.conf.$VT_CLI_TUN" "$VT_DIR/resolv.orig"
}
vt_check "crash: next start recovers; the saved copy is the original again" restart_after_crash
vt_check "crash: client stops on SIGTERM with status 0" eval 'vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]'
vt_check "crash: resolv.conf is the original" cmp -s "$VT_DIR/resolv.conf" "$VT_DIR/resolv.orig"

# ---- 4. an up or route-up script that cannot be started ----
# OpenVPN ends the run when 'up' (or 'route-up') fails; vpnc exits 1 with one
# sentence, and removes what it set up, whether the script is missing or not
# executable, and for route-up without up.
printf '#!/bin/sh\nexit 0\n' >"$VT_DIR/not-exec.sh"
chmod 644 "$VT_DIR/not-exec.sh"
VT_CLIENT_CMD=("${real_client[@]}")
VT_CLIENT_ARGS="--dns-mode none"
unstartable() {
	local what=$1 path=$2 n
	VT_CLIENT_EXTRA="script-security 2
$what \"$path\""
	vt_client_conf
	vt_client_start
	if ! vt_client_wait_exit 20; then
		vt_log "  still running after 20 s"
		vt_client_stop 5
		return 1
	fi
	[ "$VT_CLI_RC" = 1 ] || { vt_log "  exit status $VT_CLI_RC, want 1"; return 1; }
	n=$(grep -c "Cannot run the $what script '$path'" "$VT_DIR/client.log")
	[ "$n" = 1 ] || { vt_log "  $n lines name the $what script, want 1"; return 1; }
	grep -q -i -e "sanitizer" -e "segmentation" -e "core dumped" "$VT_DIR/client.log" && return 1
	vt_ns_clean
}
# Twice for vpnc: with privilege separation (the default: the parent runs the
# scripts, daemon/privsep.c) and with --privsep no (one process, daemon/loop.c,
# where an unstartable script once crashed vpnc); the sanitizer build runs both.
modes=("")
vt_client_is_stock || modes+=("--privsep no")
for mode in "${modes[@]}"; do
	VT_CLIENT_ARGS="--dns-mode none${mode:+ $mode}"
	tag=${mode:+ ($mode)}
	vt_check "missing up script$tag: exit 1, one clear line, nothing left behind" \
		unstartable up "$VT_DIR/no-such-script"
	vt_check "up script not executable$tag: exit 1, one clear line, nothing left behind" \
		unstartable up "$VT_DIR/not-exec.sh"
	vt_check "route-up (without up) missing$tag: exit 1, one clear line, nothing left behind" \
		unstartable route-up "$VT_DIR/no-such-script"
done
VT_CLIENT_ARGS="--dns-mode none"
printf '#!/bin/sh\nexit 3\n' >"$VT_DIR/exit3.sh"
chmod 755 "$VT_DIR/exit3.sh"
up_fails() {
	VT_CLIENT_EXTRA="script-security 2
up \"$VT_DIR/exit3.sh\""
	vt_client_conf
	vt_client_start
	if ! vt_client_wait_exit 20; then
		vt_client_stop 5
		return 1
	fi
	[ "$VT_CLI_RC" = 1 ] && [ "$(grep -c 'The up script failed with status 3' "$VT_DIR/client.log")" = 1 ] &&
		vt_ns_clean
}
vt_check "up script exits 3: exit 1, one line with the status, nothing left behind" up_fails

[ "$VT_FAILED" = 0 ] || vt_dump_logs
vt_summary $name
