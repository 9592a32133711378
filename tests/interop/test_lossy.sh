#!/bin/bash
# test_lossy.sh: the client under test against a stock OpenVPN 2.6 server
# through a bad network: 5% loss, 5% reordering and 2% duplicates in both
# directions, made by tests/tools/chaosproxy.
#
# Usage: test_lossy.sh <client-binary> | --stock-client
#
# The proxy runs in the server namespace, listens on the server's address at
# another port and forwards to the server; the client's remote is the proxy.
# Checks: the tunnel comes up (the handshake survives the loss), 50 pings get
# through with few losses, iperf3 for 3 s works, and SIGTERM still leaves a
# clean namespace. The proxy binary is found next to the client binary
# (<build>/tests/chaosproxy), in $CHAOSPROXY, or is compiled from source.
# Needs root. Prints PASS/FAIL per check; last line is the summary.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_lossy
# Loss figures of the proxy, both directions, and the pass mark for ping.
LOSS_DROP=5
LOSS_REORDER=5
LOSS_DUP=2
PING_COUNT=50
PING_MIN_OK=40
PROXY_PORT=1195
PROXY_SEED=${PROXY_SEED:-$$}

vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

# find_proxy: sets PROXY to a chaosproxy binary, building one if needed.
PROXY=""
find_proxy() {
	local cand
	for cand in "${CHAOSPROXY:-}" "$(dirname "${VT_CLIENT_CMD[0]}")/tests/chaosproxy"; do
		if [ -n "$cand" ] && [ -x "$cand" ]; then
			PROXY=$cand
			return 0
		fi
	done
	PROXY="$VT_DIR/chaosproxy"
	${CC:-cc} -std=c17 -O2 -D_GNU_SOURCE -o "$PROXY" "$here/../tools/chaosproxy.c" 2>"$VT_DIR/chaosproxy-build.log"
}

PROXY_PID=""
proxy_start() {
	vt_srv "$PROXY" --udp --listen "$VT_SRV_IP:$PROXY_PORT" --connect "$VT_SRV_IP:$VT_PORT" \
		--drop $LOSS_DROP --reorder $LOSS_REORDER --dup $LOSS_DUP --seed "$PROXY_SEED" \
		--duration 120 2>"$VT_DIR/chaosproxy.log" &
	PROXY_PID=$!
	local i=0
	while [ $i -lt 50 ]; do
		vt_srv ss -lunH 2>/dev/null | grep -q ":$PROXY_PORT " && return 0
		vt_pid_alive "$PROXY_PID" || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

setup() {
	find_proxy || return 1
	vt_netns_up || return 1
	vt_pki ed25519 || return 1
	vt_server_conf
	vt_client_conf
	# The client talks to the proxy; the server is unchanged.
	sed -i "s/^remote .*/remote $VT_SRV_IP $PROXY_PORT/" "$VT_DIR/$VT_CLIENT_CONF"
	vt_server_start || return 1
	proxy_start
}
if ! vt_check "namespaces, PKI, stock OpenVPN server and chaos proxy up" setup; then
	vt_summary $name
	exit 1
fi
vt_log "proxy: $LOSS_DROP% loss, $LOSS_REORDER% reordering, $LOSS_DUP% duplicates each way (seed $PROXY_SEED)"

vt_client_start
if ! vt_wait_tun_ipv4 30; then
	vt_pid_alive "$VT_CLI_PID" || vt_log "client exited before connecting"
	vt_fail "client connected through the lossy proxy within 30 s"
	vt_dump_logs
	vt_summary $name
	exit 1
fi
vt_pass "connected through the lossy proxy in $VT_CONNECT_MS ms"

# ping_lossy: PING_COUNT pings; passes if at least PING_MIN_OK came back.
ping_lossy() {
	local out got
	out=$(vt_cli ping -n -c $PING_COUNT -i 0.05 -W 1 "$VT_TUN_SRV_IP" 2>&1)
	got=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	printf '%s\n' "$out" | grep -E 'packets transmitted|rtt' | sed 's/^/  /'
	[ -n "$got" ] && [ "$got" -ge $PING_MIN_OK ]
}
vt_check "ping: at least $PING_MIN_OK of $PING_COUNT replies through 5% loss each way" ping_lossy

if vt_iperf_start; then
	if up=$(VT_IPERF_TIME=3 vt_iperf); then
		vt_pass "iperf3 -t 3 client -> server through the lossy proxy: $up Mbit/s"
	else
		vt_fail "iperf3 -t 3 client -> server through the lossy proxy"
	fi
	if down=$(VT_IPERF_TIME=3 vt_iperf -R); then
		vt_pass "iperf3 -t 3 server -> client through the lossy proxy: $down Mbit/s"
	else
		vt_fail "iperf3 -t 3 server -> client through the lossy proxy"
	fi
	vt_iperf_stop
else
	vt_fail "iperf3 server on $VT_TUN_SRV_IP"
fi

# The session is still the first one: no restart under loss.
if vt_pid_alive "$VT_CLI_PID"; then
	vt_pass "client still running after the lossy traffic"
else
	vt_fail "client still running after the lossy traffic"
fi

if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
	vt_pass "SIGTERM: exit code 0 in $VT_CLI_STOP_MS ms"
else
	vt_fail "SIGTERM: exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
fi
vt_check "client namespace clean (no tun device, address or route left)" vt_ns_clean
# The proxy prints its counters when it ends (ip netns exec may have forked: signal it by name in our ns).
for pid in $(ip netns pids "$VT_SRV_NS" 2>/dev/null); do
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = chaosproxy ] && vt_kill_wait "$pid" 2
done
[ -n "$PROXY_PID" ] && vt_kill_wait "$PROXY_PID" 2
i=0
while [ $i -lt 20 ] && ! grep -q '^chaosproxy: in' "$VT_DIR/chaosproxy.log" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
vt_log "  $(grep '^chaosproxy: in' "$VT_DIR/chaosproxy.log" 2>/dev/null)"

[ "$VT_FAILED" -ne 0 ] && vt_dump_logs
vt_summary $name
