#!/bin/bash
# test_failover.sh: moving on to the next remote, as eduVPN profiles need.
#
# Usage: test_failover.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# One stock OpenVPN 2.6 server with `proto tcp-server`. Cases:
#   udp-to-tcp   the profile lists a UDP remote where nothing answers (a port
#                nobody listens on) first and the working TCP remote second,
#                with server-poll-timeout 3: the client gives up on UDP after
#                3 s and is connected over TCP within 6 s of its start
#   bad-name     the first remote is a name that does not resolve
#                (RFC 2606 .invalid): the client moves on to the next remote
#                and connects within 6 s
# Each ends with a ping through the tunnel, SIGTERM, exit code 0 and a clean
# client namespace. Needs root. Last line is the summary.
# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$lib"

name=test_failover
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

VT_SRV_PROTO=tcp-server
VT_SRV_LOCAL=$VT_SRV_IP
VT_POLL_TIMEOUT=3
dead_port=$((VT_PORT + 1))

setup() {
	vt_netns_up && vt_pki ed25519 && vt_server_conf && vt_server_start
}
if ! vt_check "namespaces, PKI and stock OpenVPN server (tcp-server) up" setup; then
	vt_summary $name
	exit 1
fi

# run_case LABEL LIMIT-SECONDS: connects with the current remotes within the limit.
run_case() {
	local label=$1 limit=$2
	vt_client_conf
	vt_client_start
	if ! vt_wait_tun_ipv4 15; then
		vt_pid_alive "$VT_CLI_PID" || vt_log "  client exited before connecting"
		vt_fail "$label: connected within 15 s"
		vt_dump_logs
		vt_client_stop 5
		return 1
	fi
	if [ "$VT_CONNECT_MS" -le $((limit * 1000)) ]; then
		vt_pass "$label: connected through the second remote in $VT_CONNECT_MS ms"
	else
		vt_fail "$label: connected in $VT_CONNECT_MS ms (want <= $limit s)"
	fi
	if vt_srv ss -H -tn state established 2>/dev/null | grep -q ":$VT_PORT "; then
		vt_pass "$label: the session runs over TCP"
	else
		vt_fail "$label: the server has an established TCP connection"
	fi
	vt_check "$label: ping IPv4 $VT_TUN_SRV_IP" vt_ping "$VT_TUN_SRV_IP"
	if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "$label: SIGTERM, exit code 0"
	else
		vt_fail "$label: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
	fi
	vt_check "$label: client namespace clean" vt_ns_clean
}

# udp-to-tcp: nothing answers on the UDP port, so only server-poll-timeout moves on.
VT_CLIENT_REMOTES="remote $VT_SRV_IP $dead_port udp
remote $VT_SRV_IP $VT_PORT tcp"
run_case udp-to-tcp 6
if ! vt_client_is_stock; then
	if grep -q -i 'poll timeout' "$VT_DIR/client.log"; then
		vt_pass "udp-to-tcp: the client logged the server poll timeout"
	else
		vt_fail "udp-to-tcp: the client logged the server poll timeout"
	fi
fi

# bad-name: the first remote cannot be resolved.
VT_CLIENT_REMOTES="remote vpnc-test-no-such-host.invalid $VT_PORT tcp
remote $VT_SRV_IP $VT_PORT tcp"
run_case bad-name 6

[ "$VT_FAILED" -ne 0 ] && vt_dump_logs
vt_server_stop
vt_summary $name
