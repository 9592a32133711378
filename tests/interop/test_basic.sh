#!/bin/bash
# test_basic.sh: the client under test against a stock OpenVPN 2.6 server.
#
# Usage: test_basic.sh <client-binary> | --stock-client
#        VPNC_CLIENT_CMD="openvpn" test_basic.sh   (override, any client)
#
# Connects in a private pair of network namespaces, then checks the connect
# time, IPv4 and IPv6 pings through the tunnel, the pushed routes, iperf3 in
# both directions, and a clean SIGTERM shutdown that leaves nothing behind.
# Needs root. Prints PASS/FAIL per check; last line is the summary.
# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_basic
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

vt_up $name

vt_client_start
if ! vt_wait_tun_ipv4 15; then
	vt_pid_alive "$VT_CLI_PID" || vt_log "client exited before connecting"
	vt_fail "client connected (tunnel has IPv4) within 15 s"
	vt_dump_logs
	vt_summary $name
	exit 1
fi
vt_log "connected in $VT_CONNECT_MS ms (tunnel device $VT_CLI_TUN)"
if [ "$VT_CONNECT_MS" -gt 5000 ]; then
	vt_fail "connect time $VT_CONNECT_MS ms > 5000 ms"
else
	[ "$VT_CONNECT_MS" -gt 2000 ] && vt_warn "connect time $VT_CONNECT_MS ms > 2000 ms"
	vt_pass "connect time $VT_CONNECT_MS ms"
fi

vt_check "ping IPv4 $VT_TUN_SRV_IP through the tunnel" vt_ping "$VT_TUN_SRV_IP"
if vt_wait_tun_ipv6 3; then
	vt_check "ping IPv6 $VT_TUN_SRV_IP6 through the tunnel" vt_ping "$VT_TUN_SRV_IP6"
else
	vt_fail "tunnel has a global IPv6 address"
fi
vt_check "pushed routes $VT_PUSH_ROUTE and $VT_PUSH_ROUTE6 via $VT_CLI_TUN" vt_pushed_routes

if vt_iperf_start; then
	if up=$(vt_iperf); then
		vt_pass "iperf3 client -> server: $up Mbit/s"
	else
		vt_fail "iperf3 client -> server"
	fi
	if down=$(vt_iperf -R); then
		vt_pass "iperf3 server -> client: $down Mbit/s"
	else
		vt_fail "iperf3 server -> client"
	fi
	vt_iperf_stop
else
	vt_fail "iperf3 server on $VT_TUN_SRV_IP"
fi

if vt_client_stop 5; then
	vt_pass "client exited within 5 s of SIGTERM ($VT_CLI_STOP_MS ms)"
	if [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "client exit code 0"
	else
		vt_fail "client exit code $VT_CLI_RC (want 0)"
	fi
else
	vt_fail "client exited within 5 s of SIGTERM (killed)"
fi
vt_check "client namespace clean (no tun device, address or route left)" vt_ns_clean
# The server pushes explicit-exit-notify; a client should honour it on UDP.
vt_exit_notified || vt_warn "server saw no exit notification from the client"

[ "$VT_FAILED" -ne 0 ] && vt_dump_logs
vt_summary $name
