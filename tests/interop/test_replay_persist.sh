#!/bin/bash
# test_replay_persist.sh: 'replay-persist FILE' in static-key mode against a
# stock OpenVPN 2.6 static-key peer (docs/static-key.md).
#
# Usage: test_replay_persist.sh <client-binary> | --stock-client
#
# One stock peer runs throughout (secret KEY 0, ifconfig, keepalive), so its
# packet-id time stays the same while the client restarts, as when a client
# restarts against a running peer. Steps, each a client run on one profile
# with 'replay-persist FILE':
#   fresh    FILE missing: created (mode 0600), the tunnel works, and after a
#            clean stop FILE holds 2.6's 16-byte image: the peer's time (the
#            peer's start, within the test's run) and an id above 0
#   again    the same FILE: the peer's later packets are new, the tunnel works,
#            and the saved id grew
#   future   FILE says a later time than the peer's: every packet of the peer
#            is a replay, no ping gets through
#   short    FILE cut to 5 bytes: ignored, the tunnel works, FILE rewritten
#   locked   another process holds FILE's lock (flock): the client ends
#            (2.6's "Cannot obtain exclusive lock"), exit status 1
# With --stock-client the same checks run against stock openvpn as the
# client, the reference (it writes and reads the same file format). Needs
# root. Last line: "test_replay_persist: N passed, M failed".
# shellcheck disable=SC2119,SC2034 # SC2034: t_start, t2, t3 are read in the checks' eval strings
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_replay_persist
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"
if ! vt_check "namespaces" vt_netns_up; then
	vt_summary $name
	exit 1
fi
P2P_SRV=10.202.$VT_NET_OCTET.1
P2P_CLI=10.202.$VT_NET_OCTET.2
RP=$VT_DIR/rp/pid
mkdir -p "$VT_DIR/rp"
if ! vt_check "a static key made with openvpn --genkey" \
	eval 'openvpn --genkey secret "$VT_DIR/static.key" >/dev/null 2>&1 && [ -s "$VT_DIR/static.key" ]'; then
	vt_summary $name
	exit 1
fi
printf 'dev tun\nproto udp\nlocal %s\nport %s\nsecret %s 0\nifconfig %s %s\nkeepalive 1 20\ncipher AES-256-CBC\nverb 4\nlog %s/server.log\nwritepid %s/server.pid\n' \
	"$VT_SRV_IP" "$VT_PORT" "$VT_DIR/static.key" "$P2P_SRV" "$P2P_CLI" "$VT_DIR" "$VT_DIR" >"$VT_DIR/server.conf"
printf 'dev tun\nproto udp\nremote %s %s\nifconfig %s %s\nkeepalive 1 20\nverb 3\ncipher AES-256-CBC\nsecret %s 1\nreplay-persist %s\n' \
	"$VT_SRV_IP" "$VT_PORT" "$P2P_CLI" "$P2P_SRV" "$VT_DIR/static.key" "$RP" >"$VT_DIR/$VT_CLIENT_CONF"
chmod 600 "$VT_DIR/$VT_CLIENT_CONF"

t_start=$(date +%s)
: >"$VT_DIR/server.log"
ip netns exec "$VT_SRV_NS" openvpn --config "$VT_DIR/server.conf" >"$VT_DIR/server.out" 2>&1 &
VT_SRV_PID=$!
peer_up() {
	local i=0
	while [ $i -lt 100 ]; do
		grep -q 'link local (bound)' "$VT_DIR/server.log" 2>/dev/null && return 0
		vt_pid_alive "$VT_SRV_PID" || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
if ! vt_check "stock static-key peer up" peer_up; then
	vt_summary $name
	exit 1
fi

# image: prints "TIME ID" from FILE's 16 bytes (time as 8 bytes, id as 4, host order), or "short N".
image() {
	python3 - "$RP" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
if len(b) < 16:
    print("short", len(b))
else:
    t, i = struct.unpack("=qI", b[:12])
    print(t, i)
PY
}

# run LABEL: a client run that must carry pings, then a clean stop.
run_ok() {
	vt_client_start
	if ! vt_wait_tun_ipv4 15; then
		vt_fail "$1: the tunnel got its ifconfig within 15 s"
		vt_dump_logs
		vt_client_stop 5
		return 1
	fi
	vt_check "$1: ping the peer through the tunnel" vt_wait_ping "$P2P_SRV" 10
	vt_check "$1: clean stop" vt_client_stop 5
}

# fresh
run_ok fresh
vt_check "fresh: FILE created, mode 0600" eval '[ "$(stat -c %a "$RP" 2>/dev/null)" = 600 ]'
read -r t1 id1 <<<"$(image)"
vt_log "  FILE: time ${t1:-?} id ${id1:-?}"
vt_check "fresh: FILE holds the peer's time (from this run) and an id above 0" \
	eval '[ "$t1" != short ] && [ "$t1" -ge "$((t_start - 2))" ] && [ "$t1" -le "$(date +%s)" ] && [ "$id1" -gt 0 ]'

# again
sleep 1
run_ok again
read -r t2 id2 <<<"$(image)"
vt_check "again: same time, a larger id ($id1 -> ${id2:-?})" eval '[ "$t2" = "$t1" ] && [ "$id2" -gt "$id1" ]'

# future: a later time than the peer's
python3 -c 'import struct,sys; open(sys.argv[1],"wb").write(struct.pack("=qII", int(sys.argv[2]), 1, 0))' "$RP" "$((t1 + 100000))"
vt_client_start
if vt_check "future: the tunnel gets its ifconfig (nothing is negotiated)" vt_wait_tun_ipv4 15; then
	vt_check "future: no ping gets through (the peer's packets are replays)" \
		eval '! vt_cli ping -n -q -c 3 -i 0.3 -W 1 "$P2P_SRV" >/dev/null 2>&1'
fi
vt_client_stop 5

# short: cut to 5 bytes
printf 'abcde' >"$RP"
run_ok short
read -r t3 _ <<<"$(image)"
vt_check "short: FILE rewritten with the peer's time" eval '[ "$t3" = "$t1" ]'

# locked
flock -n "$RP" sleep 30 &
holder=$!
sleep 0.3
vt_client_start
vt_check "locked: the client ends within 10 s" vt_client_wait_exit 10
vt_check "locked: exit status 1 (${VT_CLI_RC:-none})" eval '[ "${VT_CLI_RC:-x}" = 1 ]'
vt_check "locked: it says why" grep -q "Cannot obtain exclusive lock on --replay-persist file" "$VT_DIR/client.log"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

vt_server_stop
vt_summary $name
