#!/bin/bash
# test_resume.sh: after a resume from sleep vpnc proves the path at once.
#
# Usage: test_resume.sh <client-binary> [--kill-switch] | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# The test plays logind. The client namespace gets a private mount namespace
# (a holder process sleeps in it; client-side programs join it with nsenter)
# with a private dbus-daemon on /run/dbus/system_bus_socket, and a small
# python3-dbus program there owns org.freedesktop.login1 and emits
# org.freedesktop.login1.Manager.PrepareForSleep(b) when told to.
#
#  0. Without a system bus (a private mount namespace with an empty /run, as
#     in a container) vpnc connects, and its log (verb 3) says nothing about
#     suspend or the bus; at verb 4 it says once that it is not watching.
#  1. The client connects to a stock 2.6 server (keepalive 10 60) and a ping
#     gets through. logind says "going to sleep"; the server is killed
#     (SIGKILL, so no RESTART notice) and started again: it forgot the client.
#  2. A PrepareForSleep(false) sent by a program that does not own
#     org.freedesktop.login1 is ignored: no reconnect within 1.5 s.
#  3. logind says "resumed": vpnc must probe, find the server gone and be
#     connected again, a ping through the tunnel answered, within 2 s of the
#     signal (printed).
#  4. (vpnc, without --kill-switch) The same while the link has no carrier
#     (the far end of the veth down): vpnc waits, and once the carrier is
#     back it proves the path: connected again within 3 s of the carrier.
# With --stock-client the same runs with stock openvpn, which does not listen
# to logind: the signals change nothing for it, and the time from the resume
# signal to the first answered ping (its ping-restart, up to 60 s here) is
# printed, not asserted; steps 0 and 2 are vpnc's only.
#
# Packets in the clear: as in test_roam.sh, the client namespace has a default
# route to the server's, and the server's namespace counts (and drops) the
# packets for the tunnel's network that arrive on its veth unencrypted
# (vt_clear_counter), from just before the server is killed to the first
# answered ping; printed, and with --kill-switch (vpnc only) it must be 0.
# Needs root, dbus-daemon, python3 with python3-dbus, nft. Last line:
# "test_resume: N passed, M failed".
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=${VT_NAME:-test_resume}
ks=0
[ "${2:-}" = --kill-switch ] && ks=1
if [ $ks = 1 ] && [ "${1:-}" = --stock-client ]; then
	vt_log "$name: --kill-switch is vpnc's own option; nothing to test with stock openvpn"
	vt_summary "$name"
	exit 0
fi
for t in dbus-daemon unshare nsenter python3 nft; do
	if ! command -v "$t" >/dev/null 2>&1; then
		vt_skip_or_fail "$t is not installed"
		vt_summary "$name"
		exit
	fi
done
# Debian's python3, which python3-dbus belongs to (another python3 may come first on PATH).
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
if ! "$PY" -c 'import dbus' 2>/dev/null; then
	vt_skip_or_fail "python3-dbus is not installed"
	vt_summary "$name"
	exit
fi
vt_start "$name" "${1:-}"
stock=0
vt_client_is_stock && stock=1
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}; kill switch: $ks"
# The client by an absolute path (it runs from other directories through nsenter and unshare).
client=("${VT_CLIENT_CMD[@]}")
[[ ${client[0]} == */* ]] && client[0]=$(cd "$(dirname "${client[0]}")" && pwd)/$(basename "${client[0]}")
who=${client[0]##*/}
[ $ks = 1 ] && who="$who --kill-switch"
VT_KEEPALIVE="10 60"

# cli CMD...: runs CMD in the client's network and private mount namespace.
cli() { vt_hold "$@"; }

write_files() {
	vt_bus_conf "$VT_DIR/bus.conf"
	# The fake logind: owns the name, then one command a line from the fifo.
	cat >"$VT_DIR/logind.py" <<-'EOF'
	import sys
	import dbus, dbus.bus, dbus.lowlevel
	ADDR = 'unix:path=/run/dbus/system_bus_socket'
	bus = dbus.bus.BusConnection(ADDR)
	r = bus.request_name('org.freedesktop.login1', dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
	print('owner' if r == dbus.bus.REQUEST_NAME_REPLY_PRIMARY_OWNER else 'not-owner', flush=True)
	def emit(conn, sleeping):
	    m = dbus.lowlevel.SignalMessage('/org/freedesktop/login1', 'org.freedesktop.login1.Manager',
	                                    'PrepareForSleep')
	    m.append(dbus.Boolean(sleeping))
	    conn.send_message(m)
	    conn.flush()
	for line in open(sys.argv[1]):
	    cmd = line.strip()
	    if cmd == 'sleep':
	        emit(bus, True)
	    elif cmd == 'wake':
	        emit(bus, False)
	    elif cmd == 'rogue':
	        other = dbus.bus.BusConnection(ADDR)
	        emit(other, False)
	        other.close()
	    print('sent', cmd, flush=True)
	EOF
	mkfifo "$VT_DIR/logind.fifo"
}

setup() {
	local i
	vt_netns_up && vt_pki ed25519 && vt_server_conf && vt_client_conf && write_files || return 1
	# A home router's default route, for packets that leave in the clear; the far side counts them.
	ip -n "$VT_CLI_NS" route add default via "$VT_SRV_IP" dev "$VT_CLI_VETH" || return 1
	vt_clear_counter "$VT_SRV_VETH" || return 1
	vt_server_start || return 1
	vt_private_bus || return 1
	cli "$PY" "$VT_DIR/logind.py" "$VT_DIR/logind.fifo" >"$VT_DIR/logind.out" 2>&1 &
	exec 7<>"$VT_DIR/logind.fifo"
	for i in $(seq 50); do grep -q owner "$VT_DIR/logind.out" && break; sleep 0.1; done
	grep -qx owner "$VT_DIR/logind.out"
}
if ! vt_check "namespaces, stock server, far side's counter, private bus and a fake logind owning org.freedesktop.login1" setup; then
	cat "$VT_DIR/logind.out" "$VT_DIR/bus.log" 2>/dev/null
	vt_summary "$name"
	exit 1
fi

# no_bus: vpnc where no system bus exists goes without, quietly.
no_bus() {
	local quiet
	vt_client_private_files "" "${client[@]}"
	VT_CLIENT_ARGS=""
	vt_client_start
	if vt_check "no system bus: connected" vt_wait_tun_ipv4 20; then
		vt_check "no system bus: ping through the tunnel" vt_wait_ping "$VT_TUN_SRV_IP" 5
	else
		vt_dump_logs
	fi
	vt_client_stop 5
	vt_check "no system bus: vpnc exits 0 on SIGTERM" [ "$VT_CLI_RC" = 0 ]
	quiet=$(grep -i -E 'suspend|sleep|system bus|d-?bus|logind' "$VT_DIR/client.log")
	vt_check "no system bus: nothing about it in the log at verb 3${quiet:+ (got: $quiet)}" [ -z "$quiet" ]
	# At verb 4 the one line says why (so the bus really was not there above).
	VT_CLIENT_ARGS="--verb 4"
	vt_client_start
	for _ in $(seq 50); do grep -q 'Not watching for suspend and resume' "$VT_DIR/client.log" && break; sleep 0.1; done
	vt_check "no system bus: at verb 4, one line says so" \
		[ "$(grep -c 'Not watching for suspend and resume: no system bus' "$VT_DIR/client.log")" = 1 ]
	vt_client_stop 5
}
[ $stock = 0 ] && [ $ks = 0 ] && no_bus

# logind CMD: tells the fake logind to emit; waits until it has.
logind() {
	local n i
	n=$(grep -c "^sent $1\$" "$VT_DIR/logind.out")
	echo "$1" >&7
	for i in $(seq 50); do
		[ "$(grep -c "^sent $1\$" "$VT_DIR/logind.out")" -gt "$n" ] && return 0
		sleep 0.02
	done
	return 1
}

# Stock openvpn does not use the bus: it runs in the client namespace as in the other tests.
if [ $stock = 0 ]; then
	VT_CLIENT_CMD=(nsenter -t "$VT_HOLDER" -m -n "${client[@]}")
	VT_CLIENT_ARGS="--control-socket $VT_DIR/ctl.sock"
	[ $ks = 1 ] && VT_CLIENT_ARGS+=" --kill-switch"
else
	VT_CLIENT_CMD=("${client[@]}")
	VT_CLIENT_ARGS=""
fi
vt_client_start
if ! vt_check "connected" vt_wait_tun_ipv4 20 || ! vt_check "ping through the tunnel" vt_wait_ping "$VT_TUN_SRV_IP" 5; then
	vt_dump_logs
	vt_summary "$name"
	exit 1
fi
vt_check "logind: going to sleep" logind sleep
if [ $stock = 0 ]; then
	for _ in $(seq 20); do grep -q "going to sleep" "$VT_DIR/client.log" && break; sleep 0.1; done
	vt_check "vpnc heard it" grep -q "The system is going to sleep" "$VT_DIR/client.log"
fi
# The outage starts: packets for the tunnel that reach the far side in the clear are counted from here.
clear0=$(vt_clear_count)
# The server forgets the client without a word, as one that restarted while the laptop slept.
vt_server_kill
vt_check "the server restarted and forgot the client" vt_server_start
peers0=$(vt_server_peers)

vt_check "a PrepareForSleep(false) from a non-owner is sent" logind rogue
sleep 1.5
if [ $stock = 0 ]; then
	vt_check "... and ignored: vpnc did not react" sh -c "! grep -q -e 'resumed' -e 'Path check' '$VT_DIR/client.log'"
	vt_check "... the server saw no new session" [ "$(vt_server_peers)" = "$peers0" ]
fi

# fast_ping SECONDS: a ping every ~100 ms (each waits 100 ms) until one is answered.
fast_ping() {
	local t0 limit=$(($1 * 1000000))
	t0=$(vt_now_us)
	while [ $(($(vt_now_us) - t0)) -lt "$limit" ]; do
		vt_cli ping -n -c 1 -W 0.1 "$VT_TUN_SRV_IP" >/dev/null 2>&1 && return 0
	done
	return 1
}
# The measuring ping gives up after this many seconds (stock waits for ping-restart, 60 s).
deadline=10
[ $stock = 1 ] && deadline=80
t0=$(vt_now_us)
vt_check "logind: resumed" logind wake
ms=""
if fast_ping "$deadline"; then
	ms=$((($(vt_now_us) - t0) / 1000))
	vt_log "  recovered ${ms} ms after the resume signal ($who)"
	if [ $stock = 1 ]; then
		vt_pass "stock client measured: $ms ms"
	else
		vt_check "a ping through the tunnel within 2 s of the resume (${ms} ms)" [ "$ms" -le 2000 ]
	fi
else
	vt_fail "a ping through the tunnel within $deadline s of the resume"
	vt_dump_logs
fi
clear1=$(vt_clear_count)
n=$((${clear1:-0} - ${clear0:-0}))
[ -n "$clear0" ] && [ -n "$clear1" ] || n="?"
vt_log "  $n packet(s) for the tunnel went out in the clear during the outage ($who)"
[ $ks = 1 ] && vt_check "with the kill switch, no packet for the tunnel in the clear (counted $n)" [ "$n" = 0 ]
vt_check "a new session on the server" [ "$(vt_server_peers)" -gt "$peers0" ]
if [ $stock = 0 ]; then
	vt_check "vpnc probed because of the resume" grep -q "Path check: the system resumed from sleep" "$VT_DIR/client.log"
	# `vpnc status` tells the story: the resume, the unanswered probe, the new session.
	# Asked up to three times: under load one request can time out (its output is kept for the log).
	for _ in 1 2 3; do
		st=$("${VT_CLIENT_CMD[@]}" status --control-socket "$VT_DIR/ctl.sock" 2>&1) || true
		net=$(sed -n 's/^network: *//p' <<<"$st")
		[ -n "$net" ] && break
		vt_log "  vpnc status gave no network line: $st"
		sleep 1
	done
	vt_log "  status: network: $net"
	vt_check "vpnc status: resumed from sleep; no answer to the probe; reconnected" \
		grep -E -q "^[0-9]+ s ago: resumed from sleep on $VT_CLI_VETH; no answer to the probe; reconnected\$" <<<"$net"
fi
# 4. (vpnc) A resume while the link has no carrier yet (Wi-Fi not back): vpnc waits for the
#    carrier instead of probing into a dead link, and proves the path once it comes.
if [ $stock = 0 ] && [ $ks = 0 ]; then
	vt_check "logind: going to sleep (again)" logind sleep
	vt_server_kill
	vt_check "the server restarted and forgot the client (again)" vt_server_start
	peers1=$(vt_server_peers)
	vt_check "the far end of $VT_CLI_VETH goes down: no carrier" ip -n "$VT_SRV_NS" link set "$VT_SRV_VETH" down
	vt_check "logind: resumed, without carrier" logind wake
	for _ in $(seq 30); do grep -q "has no carrier yet" "$VT_DIR/client.log" && break; sleep 0.1; done
	vt_check "vpnc waits for the carrier" grep -q "has no carrier yet; waiting for it" "$VT_DIR/client.log"
	sleep 1
	t1=$(vt_now_us)
	vt_check "the carrier comes back" ip -n "$VT_SRV_NS" link set "$VT_SRV_VETH" up
	if fast_ping 10; then
		ms2=$((($(vt_now_us) - t1) / 1000))
		vt_log "  recovered ${ms2} ms after the carrier came back"
		vt_check "a ping through the tunnel within 3 s of the carrier (${ms2} ms)" [ "$ms2" -le 3000 ]
	else
		vt_fail "a ping through the tunnel within 10 s of the carrier (the resume's look was lost)"
		vt_dump_logs
	fi
	vt_check "a new session on the server after the carrier" [ "$(vt_server_peers)" -gt "$peers1" ]
fi
vt_client_stop 5
vt_check "the client exits 0 on SIGTERM" [ "$VT_CLI_RC" = 0 ]
exec 7>&-
vt_log "$name: recovery and packets for the tunnel sent in the clear during the outage:"
vt_log "$(vt_clear_row case client "recovery (ms)" "in clear")"
vt_log "$(vt_clear_row resume "$who" "${ms:-none}" "$n")"
vt_summary "$name"
