#!/bin/bash
# test_control.sh: `vpnc status`, `vpnc reconnect` and `vpnc disconnect`
# against a running vpnc connected to a stock OpenVPN 2.6 server.
#
# Usage: test_control.sh <vpnc-binary>   (with --stock-client it only says SKIP:
#        stock openvpn has no control socket)
#
# Checks: the control socket is 0600; status (text) shows the state, the
# server, the cipher, the tunnel address, the pushed route, traffic and the
# warning for an eduVPN "# Expires:" header 3 days ahead; status --json is
# one valid JSON object with the same facts and counters that grow with
# traffic; human units (KiB, "N seconds ago" for the last packet each way)
# and --raw's exact numbers; with no name and two instances (one stuck
# connecting, with its attempt number and remote) both are shown, in text
# and as a JSON array; a user without rights gets "permission denied (try
# sudo or the vpnc group)", not "not running"; with control-socket-group
# the socket is 0660 with that group, whose members (primary or
# supplementary) may read the status but not disconnect; another uid is refused (exit
# 1); reconnect makes a new session (counted in "reconnects:")
# that comes back to "connected"; disconnect ends vpnc with status 0 and
# removes the socket. Needs root. Last line is the summary.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_control
vt_start "$name" "${1:-}"
if vt_client_is_stock; then
	vt_log "SKIP: stock openvpn has no vpnc control socket"
	vt_summary $name
	exit 0
fi
vpnc=${VT_CLIENT_CMD[0]}
sock="$VT_DIR/ctl.sock"
VT_CLIENT_ARGS="--control-socket $sock"

vt_up $name
# An eduVPN-style header that expires in 3 days (GNU date).
expires=$(date -u -d '+3 days' +%Y-%m-%dT%H:%M:%S+00:00)
sed -i "1i # Portal: https://vpn.example.org/vpn-user-portal/\n# Profile: Test (test)\n# Expires: $expires" \
	"$VT_DIR/$VT_CLIENT_CONF"

vt_client_start
if ! vt_wait_tun_ipv4 15; then
	vt_fail "client connected (tunnel has IPv4) within 15 s"
	vt_dump_logs
	vt_summary $name
	exit 1
fi
vt_pass "connected in $VT_CONNECT_MS ms"

# The socket appears when the loop starts; it is there by now.
mode=$(stat -c '%a %F' "$sock" 2>/dev/null)
if [ "$mode" = "600 socket" ]; then vt_pass "control socket is mode 0600"; else vt_fail "control socket: '$mode'"; fi

status() { "$vpnc" status --control-socket "$sock" "$@"; }

# Text form.
if out=$(status 2>&1); then
	vt_pass "vpnc status exits 0"
else
	vt_fail "vpnc status exit $?: $out"
fi
printf '%s\n' "$out" | sed 's/^/  | /'
expect_text() {
	if printf '%s\n' "$out" | grep -E -q "$1"; then vt_pass "status shows $2"; else vt_fail "status shows $2"; fi
}
expect_text '^state: +connected since ' "connected since"
expect_text "^server: +$VT_SRV_IP \\[$VT_SRV_IP\\] port $VT_PORT udp4\$" "the server"
expect_text '^cipher: +(AES-256-GCM|AES-128-GCM|CHACHA20-POLY1305)' "the data cipher"
expect_text "^ipv4: +10\\.200\\.0\\.[0-9]+/24\$" "the tunnel address"
expect_text "^ipv6: +fd00:200::" "the tunnel IPv6 address"
expect_text "${VT_PUSH_ROUTE//./\\.} via" "the pushed route"
expect_text "^device: +$VT_CLI_TUN\$" "the device"
expect_text '^received: +[0-9]+(\.[0-9][0-9] KiB| B) \([0-9]+ packets\), last [0-9]+ seconds? ago$' "traffic in human units, the last packet received"
expect_text '^sent: +[0-9]+(\.[0-9][0-9] KiB| B) \([0-9]+ packets\), last [0-9]+ seconds? ago$' "the last packet sent"
if raw=$(status --raw 2>&1) && printf '%s\n' "$raw" | grep -E -q '^received: +[0-9]+ bytes \([0-9]+ packets\), last [0-9]+ ms ago$' &&
	printf '%s\n' "$raw" | grep -E -q '^state: +connected since .* \([0-9]+ s\)$'; then
	vt_pass "status --raw shows exact bytes and milliseconds"
else
	vt_fail "status --raw: $raw"
fi
expect_text '^warning: the profile \(eduVPN session\) expires in (2d 23h|3d 0h)' "the profile expiry warning"

# JSON form, before and after some traffic.
pkts() { status --json | sed -n 's/.*"packets_in":\([0-9]*\).*/\1/p'; }
before=$(pkts)
vt_ping "$VT_TUN_SRV_IP" >/dev/null
if json=$(status --json 2>&1); then vt_pass "vpnc status --json exits 0"; else vt_fail "vpnc status --json: $json"; fi
if command -v python3 >/dev/null; then
	if printf '%s' "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["state"] == "connected", d["state"]
assert d["server"]["address"] == sys.argv[1], d["server"]
assert d["ipv4"].startswith("10.200.0."), d["ipv4"]
assert any(r["dest"] == sys.argv[2] for r in d["routes"]), d["routes"]
assert d["profile"]["warning"] is True, d["profile"]
assert d["connected_since_unix"] > 0
' "$VT_SRV_IP" "$VT_PUSH_ROUTE" 2>"$VT_DIR/json.err"; then
		vt_pass "status --json is valid JSON with state, server, address, route, expiry"
	else
		vt_fail "status --json: $(cat "$VT_DIR/json.err")"
	fi
else
	vt_skip_or_fail "python3 missing, JSON only checked by pattern"
	printf '%s' "$json" | grep -q '"state":"connected"' && vt_pass "status --json state" ||
		vt_fail "status --json state"
fi
after=$(pkts)
if [ -n "$before" ] && [ -n "$after" ] && [ "$after" -ge $((before + 3)) ]; then
	vt_pass "packets_in grew with 3 pings ($before -> $after)"
else
	vt_fail "packets_in did not grow ($before -> $after)"
fi

# Another uid is refused (the socket's mode, then SO_PEERCRED).
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$vpnc" status --control-socket "$sock" \
		>/dev/null 2>"$VT_DIR/other.err"
	rc=$?
	if [ $rc = 1 ]; then vt_pass "uid 65534 refused (exit 1): $(cat "$VT_DIR/other.err")"; else vt_fail "uid 65534: exit $rc"; fi
fi

# `vpnc status` with no name shows every instance: a second vpnc whose remote
# refuses (a port nothing listens on) stays "connecting (attempt N)". The CLI
# runs in a mount namespace whose /run/vpnc is this test's directory, so the
# machine's /run/vpnc is left alone.
rundir=$VT_DIR/run
mkdir -m 0700 "$rundir"
sed "s/^remote .*/remote $VT_SRV_IP 1199/" "$VT_DIR/$VT_CLIENT_CONF" >"$VT_DIR/second.conf"
# The second one lets group nogroup read its status (control-socket-group); the
# directory is given to that group as the unit's RuntimeDirectory would be.
chgrp nogroup "$rundir" && chmod 0750 "$rundir"
ip netns exec "$VT_CLI_NS" "$vpnc" --config "$VT_DIR/second.conf" --dns-mode none \
	--control-socket "$rundir/second.sock" --control-socket-group nogroup >"$VT_DIR/second.log" 2>&1 &
second=$!
ln -s "$sock" "$rundir/client.sock"
for _ in $(seq 1 50); do [ -S "$rundir/second.sock" ] && break; sleep 0.1; done
sleep 1
# shellcheck disable=SC2016 # $1 and $@ are the inner shell's
in_run() { unshare -m --propagation private bash -c 'mount -t tmpfs tmpfs /run && mkdir /run/vpnc &&
	mount --bind "$1" /run/vpnc && shift && exec "$@"' _ "$rundir" "$@"; }
if all=$(in_run "$vpnc" status 2>&1); then vt_pass "vpnc status (no name, two instances) exits 0"; else vt_fail "vpnc status (two instances): $all"; fi
printf '%s\n' "$all" | sed 's/^/  | /'
n=$(printf '%s\n' "$all" | grep -c '^instance:')
vt_check "both instances shown (got $n)" [ "$n" = 2 ]
first=$(printf '%s\n' "$all" | grep -m1 '^instance:')
vt_check "in name order, 'client' first ($first)" [ "${first##* }" = client ]
if printf '%s\n' "$all" | grep -E -q '^state: +connecting \(attempt [0-9]+\)$' &&
	printf '%s\n' "$all" | grep -E -q "^server: +$VT_SRV_IP \\[$VT_SRV_IP\\] port 1199 udp4\$"; then
	vt_pass "the connecting one shows its attempt and its remote"
else
	vt_fail "the connecting one shows its attempt and its remote"
fi
if command -v python3 >/dev/null; then
	jall=$(in_run "$vpnc" status --json 2>&1)
	if printf '%s' "$jall" | python3 -c 'import json, sys
d = json.load(sys.stdin)
assert [x["instance"] for x in d] == ["client", "second"], d
assert d[1]["attempt"] >= 1 and d[1]["state"] == "connecting", d[1]' 2>"$VT_DIR/jall.err"; then
		vt_pass "status --json with two instances: one JSON array of both"
	else
		vt_fail "status --json with two instances: $(cat "$VT_DIR/jall.err")"
	fi
fi
mode=$(stat -c '%a %G' "$rundir/second.sock" 2>/dev/null)
vt_check "control-socket-group: the socket is 0660 nogroup (got '$mode')" [ "$mode" = "660 nogroup" ]
# A member of the status group (primary, then supplementary): status yes, disconnect no.
as_user() { in_run setpriv --reuid=65534 "$@"; }
if st=$(as_user --regid=65534 --clear-groups env -u XDG_RUNTIME_DIR "$vpnc" status second 2>&1) &&
	grep -q '^instance: *second$' <<<"$st"; then
	vt_pass "a member of the status group (primary gid) reads vpnc status second"
else
	vt_fail "a member of the status group reads the status: $st"
fi
if st=$(as_user --regid=100 --groups=65534 env -u XDG_RUNTIME_DIR "$vpnc" status second 2>&1) &&
	grep -q '^state: *connecting' <<<"$st"; then
	vt_pass "a supplementary member of the status group reads the status (SO_PEERGROUPS)"
else
	vt_fail "a supplementary member reads the status: $st"
fi
st=$(as_user --regid=65534 --clear-groups env -u XDG_RUNTIME_DIR "$vpnc" disconnect second 2>&1)
rc=$?
vt_check "the status group may not disconnect (exit $rc: $st)" [ "$rc" = 1 ]
vt_check "  ... told why" grep -q 'may only read the status' <<<"$st"
vt_check "  ... and the second vpnc still runs" vt_pid_alive "$second"
# A user without rights: "permission denied", not "not running".
if command -v setpriv >/dev/null; then
	in_run setpriv --reuid=65534 --regid=100 --clear-groups env -u XDG_RUNTIME_DIR "$vpnc" status \
		>/dev/null 2>"$VT_DIR/deny.err"
	rc=$?
	vt_check "uid 65534 (group users), no name: exit 1 (got $rc)" [ "$rc" = 1 ]
	vt_check "uid 65534 (group users), no name: $(cat "$VT_DIR/deny.err")" grep -q 'permission denied (try sudo or the vpnc group)' "$VT_DIR/deny.err"
	vt_check "uid 65534 (group users), no name: not 'not running'" bash -c "! grep -q -i 'not running\|no running' '$VT_DIR/deny.err'"
fi
vt_kill_wait "$second" 5
rm -f "$rundir/client.sock"

# Reconnect: a second session, then connected again.
if out=$("$vpnc" reconnect --control-socket "$sock" 2>&1); then
	vt_pass "vpnc reconnect exits 0: $out"
else
	vt_fail "vpnc reconnect: $out"
fi
vt_check "server saw a second session after reconnect" vt_wait_server_peers 2 15
ok=0
for _ in $(seq 1 50); do
	status | grep -q '^state: *connected since' && { ok=1; break; }
	sleep 0.2
done
if [ $ok = 1 ]; then vt_pass "connected again after reconnect"; else vt_fail "connected again after reconnect"; fi
vt_check "status counts the reconnect" bash -c "'$vpnc' status --control-socket '$sock' | grep -E -q '^reconnects: +1\$'"
vt_check "ping through the tunnel after reconnect" vt_wait_ping "$VT_TUN_SRV_IP" 10

# Disconnect: vpnc exits 0 and removes its socket.
if out=$("$vpnc" disconnect --control-socket "$sock" 2>&1); then
	vt_pass "vpnc disconnect exits 0: $out"
else
	vt_fail "vpnc disconnect: $out"
fi
if vt_client_wait_exit 5; then
	if [ "$VT_CLI_RC" = 0 ]; then vt_pass "vpnc exited 0 after disconnect"; else vt_fail "vpnc exit $VT_CLI_RC after disconnect"; fi
else
	vt_fail "vpnc still runs 5 s after disconnect"
fi
if [ ! -e "$sock" ]; then vt_pass "socket removed"; else vt_fail "socket left behind"; fi
"$vpnc" status --control-socket "$sock" >/dev/null 2>&1
rc=$?
if [ $rc = 1 ]; then vt_pass "status after exit: exit 1"; else vt_fail "status after exit: exit $rc"; fi
vt_check "client namespace clean" vt_ns_clean

[ "$VT_FAILED" -ne 0 ] && vt_dump_logs
vt_summary $name
