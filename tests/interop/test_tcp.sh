#!/bin/bash
# test_tcp.sh: the client over TCP against a stock OpenVPN 2.6 server
# (`proto tcp-server`).
#
# Usage: test_tcp.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# Cases:
#   tcp4   server `proto tcp-server` on IPv4, client `remote ADDR 1194 tcp`:
#          connect, ping IPv4 and IPv6 through the tunnel, pushed routes,
#          iperf3 in both directions (many packets per read and per write,
#          packets split across reads), SIGTERM: exit code 0 within 5 s,
#          nothing left behind, and the server saw the connection close
#   tcp6   server `proto tcp6-server` dual-stack, client `proto tcp6` to its
#          IPv6 address: connect, ping, SIGTERM, clean
# Needs root. Prints PASS/FAIL per check; last line is the summary.
# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$lib"

name=test_tcp
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

if ! vt_check "namespaces and PKI" eval 'vt_netns_up && vt_pki ed25519'; then
	vt_summary $name
	exit 1
fi

# ---- tcp4: the full set over TCP/IPv4 ----
VT_SRV_PROTO=tcp-server
VT_SRV_LOCAL=$VT_SRV_IP
VT_CLIENT_REMOTES="remote $VT_SRV_IP $VT_PORT tcp"
vt_server_conf
vt_client_conf
if vt_check "tcp4: server up (proto tcp-server on $VT_SRV_IP)" vt_server_start; then
	vt_client_start
	if vt_wait_tun_ipv4 15; then
		vt_pass "tcp4: connected in $VT_CONNECT_MS ms"
		if vt_srv ss -H -tn state established 2>/dev/null | grep -q ":$VT_PORT "; then
			vt_pass "tcp4: the session runs over a TCP connection"
		else
			vt_fail "tcp4: the server has an established TCP connection on port $VT_PORT"
		fi
		vt_check "tcp4: ping IPv4 $VT_TUN_SRV_IP" vt_ping "$VT_TUN_SRV_IP"
		if vt_wait_tun_ipv6 3; then
			vt_check "tcp4: ping IPv6 $VT_TUN_SRV_IP6" vt_ping "$VT_TUN_SRV_IP6"
		else
			vt_fail "tcp4: tunnel has a global IPv6 address"
		fi
		vt_check "tcp4: pushed routes via $VT_CLI_TUN" vt_pushed_routes
		if vt_iperf_start; then
			if up=$(vt_iperf); then
				vt_pass "tcp4: iperf3 client -> server: $up Mbit/s"
			else
				vt_fail "tcp4: iperf3 client -> server"
			fi
			if down=$(vt_iperf -R); then
				vt_pass "tcp4: iperf3 server -> client: $down Mbit/s"
			else
				vt_fail "tcp4: iperf3 server -> client"
			fi
			vt_iperf_stop
		else
			vt_fail "tcp4: iperf3 server on $VT_TUN_SRV_IP"
		fi
		vt_check "tcp4: ping IPv4 still answered after iperf3" vt_ping "$VT_TUN_SRV_IP"
		if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
			vt_pass "tcp4: SIGTERM, exit code 0 in $VT_CLI_STOP_MS ms"
		else
			vt_fail "tcp4: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
		fi
		vt_check "tcp4: client namespace clean" vt_ns_clean
		# The server notices at once that the TCP connection closed.
		closed=0
		for _ in $(seq 1 30); do
			if grep -q -i -e 'Connection reset' -e 'connection-reset' -e 'client-instance exiting' \
				-e 'SIGTERM\[soft' "$VT_DIR/server.log" 2>/dev/null; then
				closed=1
				break
			fi
			sleep 0.1
		done
		if [ $closed = 1 ]; then
			vt_pass "tcp4: the server saw the connection end"
		else
			vt_fail "tcp4: the server saw the connection end within 3 s"
		fi
	else
		vt_pid_alive "$VT_CLI_PID" || vt_log "  client exited before connecting"
		vt_fail "tcp4: connected within 15 s"
		vt_dump_logs
		vt_client_stop 5
	fi
fi
[ "$VT_FAILED" -ne 0 ] && vt_dump_logs
vt_server_stop

# ---- tcp6: TCP over IPv6 to a dual-stack server ----
VT_SRV_PROTO=tcp6-server
VT_SRV_LOCAL=""
VT_CLIENT_REMOTES="remote $VT_SRV_IP6 $VT_PORT tcp6"
vt_server_conf
vt_client_conf
if vt_check "tcp6: server up (proto tcp6-server, dual stack)" vt_server_start; then
	vt_connect_cycle tcp6
fi
vt_server_stop

vt_summary $name
