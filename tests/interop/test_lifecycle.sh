#!/bin/bash
# test_lifecycle.sh: reconnects against stock OpenVPN 2.6.
#
# Usage: test_lifecycle.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#        VT_CASES="sighup failover" test_lifecycle.sh ...  (only those cases)
#
# Cases, one server and one client each:
#   server-restart   the server pushes `ping 2`/`ping-restart 6` (keepalive
#                    2 6); it is killed (SIGKILL, no goodbye) and started
#                    again: traffic flows again within 15 s of the restart
#   exit-restart     keepalive 10 60, so only the server's explicit-exit-notify
#                    RESTART message can bring the client back quickly: the
#                    server is stopped with SIGTERM and started again, and
#                    traffic flows within 10 s of the restart
#   failover         two remotes, the first a dead port on the server's
#                    address, the second the live server: connects within 15 s
#   sighup           SIGHUP makes the client set up a new session; traffic
#                    flows again within 10 s
# Each ends with SIGTERM, exit code 0 and a clean client namespace. A new
# server process cannot decrypt the old session's packets, so a ping that is
# answered after a restart proves that the client reconnected. Needs root.

# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$lib"

name=${VT_NAME:-test_lifecycle}
vt_start_cases "$name" "${1:-}" "server-restart exit-restart failover sighup"

# begin LABEL: server and client up with the current settings; pings once.
begin() {
	vt_session_up "$1"
}

# finish LABEL: SIGTERM, exit code 0, clean namespace, server stopped.
finish() {
	local label=$1
	if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "$label: SIGTERM, exit code 0 in $VT_CLI_STOP_MS ms"
	else
		vt_fail "$label: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
	fi
	vt_check "$label: client namespace clean" vt_ns_clean
	[ "$VT_FAILED" -ne "$failed_before" ] && vt_dump_logs
	vt_server_stop
}

# back_within LABEL SECONDS: traffic flows again through the new session.
back_within() {
	local label=$1 limit=$2
	if vt_wait_ping "$VT_TUN_SRV_IP" "$limit"; then
		vt_pass "$label: traffic flows again $VT_PING_MS ms after the server restart"
		VT_CLI_TUN=$(vt_tun_dev)
		if vt_wait_tun_ipv6 3; then
			vt_check "$label: ping IPv6 $VT_TUN_SRV_IP6 after the reconnect" vt_ping "$VT_TUN_SRV_IP6"
		else
			vt_fail "$label: tunnel has a global IPv6 address after the reconnect"
		fi
		vt_check "$label: pushed routes in place after the reconnect" vt_pushed_routes
		return 0
	fi
	vt_fail "$label: traffic flows again within $limit s of the server restart"
	return 1
}

case_server_restart() {
	local label=$1
	VT_KEEPALIVE="2 6"
	begin "$label" || return 1
	vt_server_kill
	sleep 1
	if ! vt_server_start; then
		vt_fail "$label: server up again"
	else
		back_within "$label" 15
		vt_check "$label: client still running" vt_pid_alive "$VT_CLI_PID"
	fi
	finish "$label"
}

case_exit_restart() {
	local label=$1
	begin "$label" || return 1
	# The server tells its clients RESTART, waits a little, then exits.
	vt_server_stop
	if ! vt_server_start; then
		vt_fail "$label: server up again"
	else
		back_within "$label" 10
		vt_check "$label: client still running" vt_pid_alive "$VT_CLI_PID"
	fi
	finish "$label"
}

case_failover() {
	local label=$1
	VT_CLIENT_REMOTES="remote $VT_REMOTE $((VT_PORT + 1))
remote $VT_REMOTE $VT_PORT"
	VT_POLL_TIMEOUT=4
	begin "$label" || return 1
	vt_check "$label: ping IPv6 $VT_TUN_SRV_IP6" vt_ping "$VT_TUN_SRV_IP6"
	finish "$label"
}

case_sighup() {
	local label=$1 peers
	begin "$label" || return 1
	peers=$(vt_server_peers)
	kill -HUP "$VT_CLI_PID" 2>/dev/null
	if vt_wait_server_peers $((peers + 1)) 10; then
		vt_pass "$label: the server saw a new session after SIGHUP"
	else
		vt_fail "$label: the server saw a new session within 10 s of SIGHUP"
	fi
	if vt_wait_ping "$VT_TUN_SRV_IP" 10; then
		vt_pass "$label: traffic flows $VT_PING_MS ms after the new session"
	else
		vt_fail "$label: traffic flows within 10 s after SIGHUP"
	fi
	vt_check "$label: client still running" vt_pid_alive "$VT_CLI_PID"
	finish "$label"
}

for c in $cases; do
	failed_before=$VT_FAILED
	# Every case starts from the lib.sh defaults.
	VT_KEEPALIVE="10 60"
	VT_CLIENT_REMOTES=""
	VT_POLL_TIMEOUT=10
	case "$c" in
	server-restart) case_server_restart "$c" ;;
	exit-restart) case_exit_restart "$c" ;;
	failover) case_failover "$c" ;;
	sighup) case_sighup "$c" ;;
	*) vt_fail "unknown case '$c'" ;;
	esac
done

vt_summary "$name"
