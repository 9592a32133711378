#!/bin/bash
# test_privdrop.sh: the client with `--user nobody --group nogroup` (and, for
# vpnc, `--privsep no`: one process that drops privileges after connecting, as
# OpenVPN does) against a stock OpenVPN 2.6 server (docs/privileges.md).
#
# Usage: test_privdrop.sh <client-binary> | --stock-client
#
# The drop is in src/daemon/loop.c (docs/privileges.md, "Where the daemon
# does it"). Checks, once connected:
#   - /proc/PID/status of the client: Uid and Gid are nobody/nogroup, no
#     supplementary groups, CapEff = CapPrm = CapBnd = 0x1000 (CAP_NET_ADMIN
#     only), nothing inheritable or ambient, NoNewPrivs 1;
#   - traffic flows; SIGHUP sets up a new session and traffic flows again
#     (SIGUSR1 for stock openvpn, whose SIGHUP re-reads the config file);
#   - a server restart that pushes an extra route: the dropped client adds
#     it (CAP_NET_ADMIN is enough) and traffic flows again;
#   - SIGTERM: exit code 0, and every address and route is gone, the extra
#     route too.
# Stock openvpn keeps the full bounding set (OpenVPN commit d8523119) and
# sets no NoNewPrivs; with --stock-client those two checks only warn.
# Needs root. Prints PASS/FAIL per check; last line is the summary.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$lib"

name=test_privdrop
if ! vt_require_tools || ! vt_client_resolve "${1:-}"; then
	vt_fail "prerequisites"
	vt_summary $name
	exit 1
fi
if ! getent passwd nobody >/dev/null || ! getent group nogroup >/dev/null; then
	vt_fail "prerequisites: user nobody and group nogroup exist"
	vt_summary $name
	exit 1
fi
vt_init || exit 1
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

want_uid=$(id -u nobody)
want_gid=$(getent group nogroup | cut -d: -f3)
caps=0000000000001000
extra_route=10.202.0.0/24

# OpenVPN's documented companions of --user: without them a stock client
# cannot restart unprivileged (vpnc keeps tun and keys anyway).
VT_CLIENT_EXTRA="persist-tun
persist-key"
vt_up $name

# status_field KEY: the value of KEY: in the client's /proc status, tabs as blanks.
status_field() {
	sed -n "s/^$1:[[:space:]]*//p" "/proc/$VT_CLI_PID/status" 2>/dev/null | tr '\t' ' ' | sed 's/ *$//'
}

# wait_dropped SECONDS: the client's real uid is no longer 0.
wait_dropped() {
	local limit=$(($1 * 10)) i=0 uid
	while [ $i -lt $limit ]; do
		uid=$(status_field Uid | cut -d' ' -f1)
		[ -n "$uid" ] && [ "$uid" != 0 ] && return 0
		vt_pid_alive "$VT_CLI_PID" || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# expect KEY WANT [warn]: one /proc status field; "warn" only warns on a mismatch.
expect() {
	local key=$1 want=$2 got
	got=$(status_field "$key")
	if [ "$got" = "$want" ]; then
		vt_pass "$key is '$want'"
	elif [ "${3:-}" = warn ]; then
		vt_warn "$key is '$got' (vpnc: '$want'; stock openvpn differs here)"
	else
		vt_fail "$key is '$got', want '$want'"
	fi
}

extra_route_in_tunnel() {
	ip -n "$VT_CLI_NS" -4 route show "$extra_route" 2>/dev/null | grep -q "dev $VT_CLI_TUN"
}
extra_route_gone() {
	! ip -n "$VT_CLI_NS" -4 route show 2>/dev/null | grep -q '10\.202\.'
}

# vpnc: the one-process drop is what 'privsep no' leaves (with privilege separation, on by
# default, 'user' names the network process's user instead: test_privsep.sh).
VT_CLIENT_ARGS="--user nobody --group nogroup"
vt_client_is_stock || VT_CLIENT_ARGS="--privsep no $VT_CLIENT_ARGS"
[ "${VT_KEEP:-0}" = 1 ] && vt_log "client args: $VT_CLIENT_ARGS"
vt_client_start
if ! vt_wait_tun_ipv4 15; then
	vt_pid_alive "$VT_CLI_PID" || vt_log "client exited before connecting"
	vt_fail "client connected within 15 s"
	vt_dump_logs
	vt_summary $name
	exit 1
fi
vt_pass "connected in $VT_CONNECT_MS ms"

stock=""
vt_client_is_stock && stock=warn
if wait_dropped 5; then
	vt_pass "the client dropped root within 5 s of connecting"
else
	vt_fail "the client dropped root within 5 s of connecting"
fi
expect Uid "$want_uid $want_uid $want_uid $want_uid"
expect Gid "$want_gid $want_gid $want_gid $want_gid"
expect Groups ""
expect CapEff $caps
expect CapPrm $caps
expect CapBnd $caps $stock
expect CapInh 0000000000000000
expect CapAmb 0000000000000000
expect NoNewPrivs 1 $stock

vt_check "ping IPv4 $VT_TUN_SRV_IP after the drop" vt_ping "$VT_TUN_SRV_IP"
vt_check "pushed routes in place" vt_pushed_routes

# SIGHUP: a new session on the same tun device, without root. Stock openvpn
# re-reads its (root-only) config on SIGHUP, so it gets SIGUSR1 instead.
sig=HUP
vt_client_is_stock && sig=USR1
peers=$(vt_server_peers)
kill -$sig "$VT_CLI_PID" 2>/dev/null
if vt_wait_server_peers $((peers + 1)) 10; then
	vt_pass "SIG$sig: the server saw a new session"
else
	vt_fail "SIG$sig: the server saw a new session within 10 s"
fi
if vt_wait_ping "$VT_TUN_SRV_IP" 10; then
	vt_pass "SIG$sig: traffic flows again after $VT_PING_MS ms"
else
	vt_fail "SIG$sig: traffic flows again within 10 s"
fi
vt_check "SIG$sig: client still running" vt_pid_alive "$VT_CLI_PID"
expect CapEff $caps

# A server restart that pushes one more route: added by the unprivileged client.
# Stock openvpn must reopen /dev/net/tun when the pushed options change,
# which fails after --user (Permission denied): it gets the same push again.
vt_server_stop
if vt_client_is_stock; then
	vt_warn "stock openvpn: server restart without a changed push (it cannot reopen the tun)"
else
	VT_SERVER_EXTRA="push \"route ${extra_route%/*} 255.255.255.0\""
fi
vt_server_conf
if ! vt_server_start; then
	vt_fail "server up again"
else
	if vt_wait_ping "$VT_TUN_SRV_IP" 15; then
		vt_pass "server restart: traffic flows again after $VT_PING_MS ms"
	else
		vt_fail "server restart: traffic flows again within 15 s"
	fi
	VT_CLI_TUN=$(vt_tun_dev)
	i=0
	while [ -n "$VT_SERVER_EXTRA" ] && ! extra_route_in_tunnel && [ $i -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	vt_client_is_stock ||
		vt_check "server restart: the newly pushed route $extra_route is in the tunnel" extra_route_in_tunnel
	vt_check "server restart: pushed routes in place" vt_pushed_routes
fi
# (A note about RLIMIT_MEMLOCK is fine: containers often lack CAP_SYS_RESOURCE.)
vt_check "no 'Operation not permitted' in the client log" \
	bash -c "! grep -i 'operation not permitted' '$VT_DIR/client.log' | grep -qv RLIMIT_MEMLOCK"

if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
	vt_pass "SIGTERM, exit code 0 in $VT_CLI_STOP_MS ms"
else
	vt_fail "SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
fi
vt_check "client namespace clean (tun device, addresses, routes)" vt_ns_clean
vt_check "the extra route is gone" extra_route_gone
[ "$VT_FAILED" -gt 0 ] && vt_dump_logs
vt_summary $name
