#!/bin/bash
# test_killswitch.sh: --kill-switch lets nothing out of the client namespace
# but the tunnel and the VPN server, and fails closed.
#
# Usage: test_killswitch.sh <vpnc-binary>  (VPNC_CLIENT_CMD overrides; vpnc only)
#
# One stock OpenVPN 2.6 server. The server namespace also holds an address
# outside the tunnel and outside the private ranges (198.18.N.1, RFC 2544
# benchmarking space, on its loopback, reached through the client's default
# route), and counts with nftables counters the UDP datagrams that arrive
# for it (port 5555) and for its LAN address $VT_SRV_IP (port 5556). Cases:
#   baseline     without vpnc the datagrams arrive (the counter can count)
#   up           with --kill-switch: the table is there, `vpnc status` (text
#                and --json) says the kill switch is on, a ping goes through
#                the tunnel, and none of 20 datagrams to the outside address
#                or to the LAN address arrives
#   reconnect    the server is stopped and started again while datagrams go
#                out every 0.1 s: none arrives, and the tunnel comes back
#   sighup       SIGHUP (reconnect from the first remote): the table stays,
#                nothing arrives, the tunnel comes back
#   sigkill      vpnc killed with SIGKILL: the rules stay and nothing passes,
#                until `vpnc kill-switch off --instance client` removes them
#   allow-lan    --kill-switch-allow-lan: the LAN address is reached, the
#                outside one still not; after a second SIGKILL a new vpnc
#                takes over the rules (running as nobody after the connect,
#                with CAP_NET_ADMIN only), and its SIGTERM removes everything
#                (no vpnc table left, exit 0) and the outside is reached again
#   two          a second instance (client2.ovpn, its own TUN) joins with
#                --kill-switch: the table jumps to both instances' chains,
#                both tunnels ping, the outside stays blocked; `vpnc
#                disconnect` on its control socket ends it (exit 0) and
#                removes only its chains, the first tunnel still pings
#   by-name      the remote is a name (from the client namespace's own hosts
#                file, /etc/netns/NS/hosts, with a resolv.conf naming
#                $VT_SRV_IP): vpnc connects to the address it resolved to,
#                and once connected the rules hold that address and no port
#                53; none of 10 datagrams to the resolver's port 53 arrives
#   fatal        a name no one can resolve, with resolv-retry 1: the lookup's
#                queries reach the resolver (port 53 is open while resolving),
#                vpnc exits 1, the rules stay without port 53 (logged at
#                priority warning on a journal stream), and
#                `vpnc kill-switch off` (no instance) removes the table
# Needs root and the nft program (for the counters). Last line is the summary.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$lib"

name=test_killswitch
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"
if vt_client_is_stock; then
	vt_log "$name: the kill switch is vpnc's own option; nothing to test with stock openvpn"
	vt_summary $name
	exit 0
fi
if ! command -v nft >/dev/null 2>&1; then
	vt_fail "prerequisites: the nft program (package nftables) counts on the far side"
	vt_summary $name
	exit 1
fi

OUT_IP="198.18.$VT_NET_OCTET.1"
NS_ETC="/etc/netns/$VT_CLI_NS"
# The namespace's own hosts and resolv.conf (ip netns exec mounts them) go with it.
trap 'rm -rf "$NS_ETC"; rmdir /etc/netns 2>/dev/null; vt_cleanup' EXIT
OUT_PORT=5555
LAN_PORT=5556

setup() {
	vt_netns_up && vt_netns_routed &&
		ip -n "$VT_SRV_NS" addr add "$OUT_IP/32" dev lo &&
		vt_srv nft -f - <<-EOF
		table inet kstest {
			counter outside { }
			counter lan { }
			counter dns { }
			chain input {
				type filter hook input priority 0; policy accept;
				ip daddr $OUT_IP udp dport $OUT_PORT counter name outside
				ip daddr $VT_SRV_IP udp dport $LAN_PORT counter name lan
				ip daddr $VT_SRV_IP udp dport 53 counter name dns
			}
		}
		EOF
	# Two clients with the same certificate at once (the two-instance case).
	VT_SERVER_EXTRA="duplicate-cn"
	vt_pki ed25519 && vt_server_conf && vt_client_conf && vt_server_start
}
if ! vt_check "namespaces, outside address, counters and stock OpenVPN server up" setup; then
	vt_summary $name
	exit 1
fi

# count NAME: datagrams the server namespace has counted so far.
count() {
	vt_srv nft list counter inet kstest "$1" 2>/dev/null |
		awk '/packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

# send ADDR PORT N: N datagrams from the client namespace (errors are expected when blocked).
send() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	vt_cli bash -c 'for ((i = 0; i < $3; i++)); do echo x >"/dev/udp/$1/$2"; done' _ "$1" "$2" "$3" \
		>/dev/null 2>&1
	sleep 0.2
}

# expect_delta WHAT COUNTER ADDR PORT N WANT: sends N datagrams, checks how many arrived.
expect_delta() {
	local what=$1 ctr=$2 addr=$3 port=$4 n=$5 want=$6 before after
	before=$(count "$ctr")
	send "$addr" "$port" "$n"
	after=$(count "$ctr")
	if [ -n "$before" ] && [ -n "$after" ] && [ $((after - before)) = "$want" ]; then
		vt_pass "$what: $((after - before)) of $n datagrams to $addr arrived (want $want)"
	else
		vt_fail "$what: ${before:-?} -> ${after:-?} datagrams to $addr (want +$want of $n)"
	fi
}

# ping_dev DEV: one ping to the server's tunnel address out of DEV.
ping_dev() { vt_cli ping -n -c 1 -W 2 -I "$1" "$VT_TUN_SRV_IP" >/dev/null 2>&1; }
# only_first RULES: the table listing has the first instance's chains and none of client2's.
only_first() { ! grep -q "out_client2" <<<"$1" && grep -q "jump out_client$" <<<"$1"; }
# no_dns_rule RULES: a chain listing without a port 53 rule.
no_dns_rule() { [ -n "$1" ] && ! grep -qE "dport 53([^0-9]|$)" <<<"$1"; } # port 53, not 53xxx
has_table() { vt_cli nft list tables 2>/dev/null | grep -q '^table inet vpnc$'; }
no_table() { ! has_table; }

# A run with the kill switch: started, connected, the tunnel pings.
ks_up() {
	local label=$1
	vt_client_start
	if ! vt_wait_tun_ipv4 15; then
		vt_fail "$label: connected within 15 s"
		vt_dump_logs
		return 1
	fi
	vt_check "$label: the vpnc table is installed" has_table
	vt_check "$label: ping $VT_TUN_SRV_IP through the tunnel" vt_ping "$VT_TUN_SRV_IP"
}

# baseline
expect_delta "baseline (no vpnc)" outside "$OUT_IP" $OUT_PORT 5 5
expect_delta "baseline (no vpnc), LAN" lan "$VT_SRV_IP" $LAN_PORT 5 5

# up
# A socket of our own: /run/vpnc/client.sock may belong to another test's vpnc.
CTL="$VT_DIR/ctl.sock"
VT_CLIENT_ARGS="--kill-switch --control-socket $CTL"
ks_up up
st=$("${VT_CLIENT_CMD[@]}" status --control-socket "$CTL" 2>&1)
vt_check "up: 'vpnc status' says the kill switch is on" grep -q '^kill switch: *on$' <<<"$st"
st=$("${VT_CLIENT_CMD[@]}" status --json --control-socket "$CTL" 2>&1)
vt_check "up: 'vpnc status --json' has kill_switch on, no LAN" \
	grep -q '"kill_switch":{"on":true,"allow_lan":false}' <<<"$st"
vt_check "up: no port 53 rule while connected (remote is an address)" \
	no_dns_rule "$(vt_cli nft list chain inet vpnc out_client 2>/dev/null)"
expect_delta "up: outside the tunnel" outside "$OUT_IP" $OUT_PORT 20 0
expect_delta "up: LAN without allow-lan" lan "$VT_SRV_IP" $LAN_PORT 20 0

# reconnect: the server goes away and comes back while we keep sending.
before=$(count outside)
# shellcheck disable=SC2016 # expanded by the inner bash
vt_cli bash -c 'for ((i = 0; i < 100; i++)); do echo x >"/dev/udp/$1/$2"; sleep 0.1; done' _ \
	"$OUT_IP" $OUT_PORT >/dev/null 2>&1 &
sender=$!
vt_server_stop
sleep 2
vt_server_start >/dev/null || vt_fail "reconnect: the server started again"
if vt_wait_server_peers 1 20 && vt_wait_ping "$VT_TUN_SRV_IP" 15; then
	vt_pass "reconnect: the tunnel is back (a ping got through $VT_PING_MS ms after the server saw the client again)"
else
	vt_fail "reconnect: the tunnel came back within 35 s"
	vt_dump_logs
fi
wait "$sender" 2>/dev/null
sleep 0.2
after=$(count outside)
vt_check "reconnect: none of 100 datagrams sent during the reconnect arrived (${before:-?} -> ${after:-?})" \
	test -n "$before" -a "$before" = "$after"
grep -q -i 'restart\|reconnect' "$VT_DIR/client.log" ||
	vt_warn "the client log does not mention the reconnect"

# sighup: a reconnect from the first remote keeps the rules; nothing leaks meanwhile.
before=$(count outside)
peers=$(vt_server_peers)
kill -HUP "$VT_CLI_PID" 2>/dev/null
send "$OUT_IP" $OUT_PORT 20
if vt_wait_server_peers $((peers + 1)) 15 && vt_wait_ping "$VT_TUN_SRV_IP" 10; then
	vt_pass "sighup: reconnected, the tunnel pings"
else
	vt_fail "sighup: reconnected within 25 s"
fi
send "$OUT_IP" $OUT_PORT 5
after=$(count outside)
vt_check "sighup: the vpnc table stays" has_table
vt_check "sighup: none of 25 datagrams sent around the reconnect arrived (${before:-?} -> ${after:-?})" \
	test -n "$before" -a "$before" = "$after"

# sigkill: the rules outlive vpnc.
kill -KILL "$VT_CLI_PID" 2>/dev/null
wait "$VT_CLI_PID" 2>/dev/null
VT_CLI_PID=""
vt_check "sigkill: the vpnc table stays" has_table
expect_delta "sigkill: outside, vpnc dead" outside "$OUT_IP" $OUT_PORT 20 0
if vt_cli "${VT_CLIENT_CMD[@]}" kill-switch off --instance client >"$VT_DIR/off.out" 2>&1; then
	vt_pass "sigkill: 'vpnc kill-switch off --instance client' exit 0"
else
	vt_fail "sigkill: 'vpnc kill-switch off --instance client': $(cat "$VT_DIR/off.out")"
fi
vt_check "sigkill: no vpnc table after kill-switch off" no_table
expect_delta "sigkill: outside after kill-switch off" outside "$OUT_IP" $OUT_PORT 5 5

# allow-lan, then a crash, a new vpnc, and a clean stop.
VT_CLIENT_ARGS="--kill-switch --kill-switch-allow-lan --control-socket $CTL"
ks_up allow-lan
st=$("${VT_CLIENT_CMD[@]}" status --control-socket "$CTL" 2>&1)
vt_check "allow-lan: 'vpnc status' says so" grep -q '^kill switch: *on (local networks allowed)$' <<<"$st"
expect_delta "allow-lan: LAN address" lan "$VT_SRV_IP" $LAN_PORT 10 10
expect_delta "allow-lan: outside the tunnel" outside "$OUT_IP" $OUT_PORT 10 0
kill -KILL "$VT_CLI_PID" 2>/dev/null
wait "$VT_CLI_PID" 2>/dev/null
VT_CLI_PID=""
VT_CLIENT_ARGS="--kill-switch --control-socket $CTL"
# This run drops privileges: CAP_NET_ADMIN alone must do for the removal at its end.
if getent passwd nobody >/dev/null && getent group nogroup >/dev/null; then
	VT_CLIENT_ARGS="$VT_CLIENT_ARGS --user nobody --group nogroup"
fi
ks_up restart

# two: a second instance (client2) joins; each one's rules let the other's tunnel through.
cp "$VT_DIR/$VT_CLIENT_CONF" "$VT_DIR/client2.ovpn"
ip netns exec "$VT_CLI_NS" "${VT_CLIENT_CMD[@]}" --config "$VT_DIR/client2.ovpn" --dns-mode none --route-nopull \
	--kill-switch --control-socket "$VT_DIR/ctl2.sock" >"$VT_DIR/client2.log" 2>&1 &
pid2=$!
tun2=""
for ((i = 0; i < 150; i++)); do
	tun2=$(ip -n "$VT_CLI_NS" -o -4 addr show 2>/dev/null | awk '{print $2}' |
		grep -v -x -e lo -e "$VT_CLI_VETH" -e "$VT_CLI_TUN" | head -n 1)
	[ -n "$tun2" ] && break
	vt_pid_alive "$pid2" || break
	sleep 0.1
done
if [ -n "$tun2" ]; then
	vt_pass "two: the second instance is up on $tun2"
else
	vt_fail "two: the second instance came up within 15 s"
	tail -n 20 "$VT_DIR/client2.log"
fi
rules=$(vt_cli nft list table inet vpnc 2>/dev/null)
vt_check "two: both instances' chains are jumped to" \
	grep -q 'jump out_client$' <<<"$rules"
vt_check "two: ... including client2's" grep -q 'jump out_client2$' <<<"$rules"
vt_check "two: the first tunnel ($VT_CLI_TUN) pings" ping_dev "$VT_CLI_TUN"
vt_check "two: the second tunnel (${tun2:-?}) pings" ping_dev "${tun2:-none}"
expect_delta "two: outside the tunnels" outside "$OUT_IP" $OUT_PORT 10 0
# The clean end through the control socket (SIGTERM is the last case's).
if out=$("${VT_CLIENT_CMD[@]}" disconnect --control-socket "$VT_DIR/ctl2.sock" 2>&1); then
	vt_pass "two: 'vpnc disconnect' on the second instance exits 0"
else
	vt_fail "two: 'vpnc disconnect' on the second instance: $out"
fi
for ((i = 0; i < 50; i++)); do vt_pid_alive "$pid2" || break; sleep 0.1; done
if vt_pid_alive "$pid2"; then
	vt_fail "two: the second instance still runs 5 s after 'vpnc disconnect'"
	kill -TERM "$pid2" 2>/dev/null
fi
wait "$pid2" 2>/dev/null
rc2=$?
vt_check "two: the second instance exits 0 after 'vpnc disconnect' (got $rc2)" test "$rc2" = 0
rules=$(vt_cli nft list table inet vpnc 2>/dev/null)
vt_check "two: after 'vpnc disconnect' its chains are gone, the first's stay" only_first "$rules"
vt_check "two: the first tunnel still pings" ping_dev "$VT_CLI_TUN"
expect_delta "two: outside, one instance left" outside "$OUT_IP" $OUT_PORT 10 0

if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
	vt_pass "sigterm: exit code 0"
else
	vt_fail "sigterm: exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
fi
vt_check "sigterm: 'nft list tables' shows no vpnc table" no_table
expect_delta "sigterm: outside after a clean exit" outside "$OUT_IP" $OUT_PORT 5 5
vt_check "sigterm: client namespace clean" vt_ns_clean
VT_CLIENT_ARGS="--kill-switch --control-socket $CTL"

# by-name: the server's address comes from a lookup.
mkdir -p "$NS_ETC" &&
	printf '127.0.0.1 localhost\n%s vpn.kstest.invalid\n' "$VT_SRV_IP" >"$NS_ETC/hosts" &&
	printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$VT_SRV_IP" >"$NS_ETC/resolv.conf"
VT_CLIENT_REMOTES="remote vpn.kstest.invalid $VT_PORT"
vt_client_conf
ks_up by-name
rules=$(vt_cli nft list chain inet vpnc out_client 2>/dev/null)
vt_check "by-name: the resolved server address is allowed" \
	grep -q "ip daddr $VT_SRV_IP udp dport $VT_PORT accept" <<<"$rules"
vt_check "by-name: port 53 is closed once the name is resolved" \
	no_dns_rule "$rules"
expect_delta "by-name: resolver port 53 after the lookup" dns "$VT_SRV_IP" 53 10 0
if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
	vt_pass "by-name: SIGTERM, exit code 0"
else
	vt_fail "by-name: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
fi
vt_check "by-name: no vpnc table left" no_table

# fatal: the lookup fails for good; the rules stay, the resolvers are closed again.
VT_CLIENT_REMOTES="remote nohost.kstest.invalid $VT_PORT
resolv-retry 1"
vt_client_conf
before=$(count dns)
# On a journal stream (client.log keeps its inode when vt_client_start truncates it).
: >"$VT_DIR/client.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$VT_DIR/client.log") vt_client_start
if vt_client_wait_exit 20 && [ "$VT_CLI_RC" = 1 ]; then
	vt_pass "fatal: vpnc gave up on the name with exit code 1"
else
	vt_fail "fatal: exit code ${VT_CLI_RC:-none} (want 1 within 20 s)"
	vt_dump_logs
	vt_client_stop 2
fi
after=$(count dns)
vt_check "fatal: the lookup's queries reached the resolver (${before:-?} -> ${after:-?})" \
	test -n "$before" -a -n "$after" -a "${after:-0}" -gt "${before:-0}"
vt_check "fatal: the vpnc table stays after exit 1" has_table
vt_check "fatal: 'the kill switch stays on' is logged at priority warning" \
	grep -q "^<4>The kill switch stays on after the error; 'vpnc kill-switch off --instance client' removes it" "$VT_DIR/client.log"
rules=$(vt_cli nft list chain inet vpnc out_client 2>/dev/null)
vt_check "fatal: no port 53 left open" no_dns_rule "$rules"
expect_delta "fatal: outside after exit 1" outside "$OUT_IP" $OUT_PORT 10 0
vt_check "fatal: 'vpnc kill-switch off' exit 0" vt_cli "${VT_CLIENT_CMD[@]}" kill-switch off
vt_check "fatal: no vpnc table after kill-switch off" no_table

vt_summary $name
