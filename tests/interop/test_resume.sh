#!/bin/bash
# test_resume.sh: after a resume from sleep vpnc proves the path at once.
#
# Usage: test_resume.sh <client-binary>   (vpnc only: stock openvpn does not listen to logind)
#
# The test plays logind. The client namespace gets a private mount namespace
# (a holder process sleeps in it; client-side programs join it with nsenter)
# with a private dbus-daemon on /run/dbus/system_bus_socket, and a small
# python3-dbus program there owns org.freedesktop.login1 and emits
# org.freedesktop.login1.Manager.PrepareForSleep(b) when told to.
#
#  1. vpnc connects to a stock 2.6 server (keepalive 10 60) and a ping gets
#     through. logind says "going to sleep"; the server is killed (SIGKILL,
#     so no RESTART notice) and started again: it forgot the client.
#  2. A PrepareForSleep(false) sent by a program that does not own
#     org.freedesktop.login1 is ignored: no reconnect within 1.5 s.
#  3. logind says "resumed": vpnc must probe, find the server gone and be
#     connected again, a ping through the tunnel answered, within 2 s of the
#     signal (printed). Without it vpnc, like stock openvpn (which does not
#     listen to logind), would notice only at ping-restart: 60 s here.
# Needs root, dbus-daemon, python3 with python3-dbus. Last line:
# "test_resume: N passed, M failed".
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_resume
if [ -z "${1:-}" ] || [ "${1:-}" = --stock-client ]; then
	vt_log "SKIP: $name checks vpnc's logind watch (vpnc only)"
	vt_summary $name
	exit 0
fi
for t in dbus-daemon unshare nsenter python3; do
	if ! command -v "$t" >/dev/null 2>&1; then
		vt_skip_or_fail "$t is not installed"
		vt_summary $name
		exit
	fi
done
# Debian's python3, which python3-dbus belongs to (another python3 may come first on PATH).
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
if ! "$PY" -c 'import dbus' 2>/dev/null; then
	vt_skip_or_fail "python3-dbus is not installed"
	vt_summary $name
	exit
fi
vt_start $name "$1"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"
vpnc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
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
	vt_server_start || return 1
	vt_private_bus || return 1
	cli "$PY" "$VT_DIR/logind.py" "$VT_DIR/logind.fifo" >"$VT_DIR/logind.out" 2>&1 &
	exec 7<>"$VT_DIR/logind.fifo"
	for i in $(seq 50); do grep -q owner "$VT_DIR/logind.out" && break; sleep 0.1; done
	grep -qx owner "$VT_DIR/logind.out"
}
if ! vt_check "namespaces, stock server, private bus and a fake logind owning org.freedesktop.login1" setup; then
	cat "$VT_DIR/logind.out" "$VT_DIR/bus.log" 2>/dev/null
	vt_summary $name
	exit 1
fi

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

VT_CLIENT_CMD=(nsenter -t "$VT_HOLDER" -m -n "$vpnc")
VT_CLIENT_ARGS="--control-socket $VT_DIR/ctl.sock"
vt_client_start
if ! vt_check "connected" vt_wait_tun_ipv4 20 || ! vt_check "ping through the tunnel" vt_wait_ping "$VT_TUN_SRV_IP" 5; then
	vt_dump_logs
	vt_summary $name
	exit 1
fi
vt_check "logind: going to sleep" logind sleep
for _ in $(seq 20); do grep -q "going to sleep" "$VT_DIR/client.log" && break; sleep 0.1; done
vt_check "vpnc heard it" grep -q "The system is going to sleep" "$VT_DIR/client.log"
# The server forgets the client without a word, as one that restarted while the laptop slept.
vt_server_kill
vt_check "the server restarted and forgot the client" vt_server_start
peers0=$(vt_server_peers)

vt_check "a PrepareForSleep(false) from a non-owner is sent" logind rogue
sleep 1.5
vt_check "... and ignored: vpnc did not react" sh -c "! grep -q -e 'resumed' -e 'Path check' '$VT_DIR/client.log'"
vt_check "... the server saw no new session" [ "$(vt_server_peers)" = "$peers0" ]

# fast_ping SECONDS: a ping every ~100 ms (each waits 100 ms) until one is answered.
fast_ping() {
	local t0 limit=$(($1 * 1000000))
	t0=$(vt_now_us)
	while [ $(($(vt_now_us) - t0)) -lt "$limit" ]; do
		vt_cli ping -n -c 1 -W 0.1 "$VT_TUN_SRV_IP" >/dev/null 2>&1 && return 0
	done
	return 1
}
t0=$(vt_now_us)
vt_check "logind: resumed" logind wake
if fast_ping 10; then
	ms=$((($(vt_now_us) - t0) / 1000))
	vt_log "  recovered ${ms} ms after the resume signal (without it: ping-restart, 60 s here)"
	vt_check "a ping through the tunnel within 2 s of the resume (${ms} ms)" [ "$ms" -le 2000 ]
else
	vt_fail "a ping through the tunnel after the resume"
	vt_dump_logs
fi
vt_check "vpnc probed because of the resume" grep -q "Path check: the system resumed from sleep" "$VT_DIR/client.log"
vt_check "a new session on the server" [ "$(vt_server_peers)" -gt "$peers0" ]
# `vpnc status` tells the story: the resume, the unanswered probe, the new session.
net=$("${VT_CLIENT_CMD[@]}" status --control-socket "$VT_DIR/ctl.sock" 2>&1 | sed -n 's/^network: *//p')
vt_log "  status: network: $net"
vt_check "vpnc status: resumed from sleep; no answer to the probe; reconnected" \
	grep -E -q "^[0-9]+ s ago: resumed from sleep on $VT_CLI_VETH; no answer to the probe; reconnected\$" <<<"$net"
vt_client_stop 5
vt_check "vpnc exits 0 on SIGTERM" [ "$VT_CLI_RC" = 0 ]
exec 7>&-
vt_summary $name
