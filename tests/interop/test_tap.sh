#!/bin/bash
# test_tap.sh: layer-2 tunnels (`dev tap`) against a stock OpenVPN 2.6 server.
#
# Usage: test_tap.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#        VT_CASES="server bridge privsep killswitch" test_tap.sh ...  (only those cases)
#
# Cases, one stock server each, with `dev tap` on both sides:
#   server   `server` + `server-ipv6` with `topology subnet` (the server pushes
#            ifconfig IP NETMASK, route-gateway and ifconfig-ipv6 with its own
#            address as the remote); an `up` script records its arguments and
#            environment, which must be the same as stock openvpn's
#   bridge   `server-bridge IP NETMASK POOL-START POOL-END` with the server's
#            TAP addressed by `ifconfig`, as a bridged home server hands out;
#            the IPv6 route goes through a pushed `route-ipv6-gateway`; the
#            profile sets the TAP's MAC address with `lladdr`
#   privsep  the server case with vpnc's `privsep yes`: the privileged parent
#            opens the TAP and configures it, `lladdr` included (stock openvpn
#            runs as before)
#   killswitch  the server case with vpnc's --kill-switch: the rules let the
#            TAP's traffic (ARP and neighbour discovery included) through,
#            and a ping to the server's veth address outside the tunnel is
#            blocked; no stock comparison (openvpn has no such option)
# Each case: the client's device is a TAP, the pushed addresses are on it,
# IPv4 and IPv6 pings, ARP and neighbour discovery over the tunnel (`ip
# neigh`), a full-size ping with DF (1500-byte packets in 1514-byte frames),
# the TCP MSS of a connection through the tunnel clamped by mssfix, a
# reconnect (SIGUSR1) that keeps working, SIGTERM with exit code 0 and a
# clean namespace. When the client under test is not stock openvpn, the same
# profile then runs with stock openvpn as the client, and the device's MTU,
# addresses and routes must be the same.
# Needs root.

# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$lib"

name=${VT_NAME:-test_tap}
vt_start_cases "$name" "${1:-}" "server bridge privsep killswitch"
stock=$(command -v openvpn)

# server_conf CASE: the stock server's config for CASE, from vt_server_conf with dev tap.
server_conf() {
	local c=$1 f="$VT_DIR/server.conf"
	VT_SERVER_EXTRA=""
	vt_server_conf
	sed -i -e 's/^dev tun$/dev tap/' "$f"
	# Pushed routes need a gateway on a TAP: the server's own tunnel address.
	sed -i -e "s|^push \"route ${VT_PUSH_ROUTE%/*} 255.255.255.0\"|push \"route ${VT_PUSH_ROUTE%/*} 255.255.255.0 $VT_TUN_SRV_IP\"|" "$f"
	if [ "$c" = bridge ]; then
		sed -i -e '/^topology /d' -e '/^server-ipv6 /d' -e '/^server /d' "$f"
		cat >>"$f" <<-EOF
		server-bridge $VT_TUN_SRV_IP $VT_TUN_MASK 10.200.0.50 10.200.0.99
		ifconfig $VT_TUN_SRV_IP $VT_TUN_MASK
		ifconfig-ipv6 $VT_TUN_SRV_IP6/64 fd00:200::2
		ifconfig-ipv6-pool fd00:200::1000/64
		push "route-ipv6-gateway $VT_TUN_SRV_IP6"
		EOF
	fi
	# The routes the server pushes lead somewhere: addresses on its loopback.
	vt_srv ip addr replace 10.201.0.1/32 dev lo
	vt_srv ip addr replace fd00:201::1/128 dev lo
	return 0
}

# client_conf: the standard profile with dev tap.
client_conf() {
	vt_client_conf
	sed -i -e 's/^dev tun$/dev tap/' "$VT_DIR/$VT_CLIENT_CONF"
}

# is_tap DEV: the client's DEV is a TAP device (Ethernet, from the tun driver).
is_tap() {
	local d
	d=$(ip -n "$VT_CLI_NS" -d link show dev "$1" 2>/dev/null)
	[[ $d == *"link/ether"* && $d == *"tun type tap"* ]]
}

# neigh_ok ADDR: the client resolved ADDR on the tunnel (a MAC, not FAILED or INCOMPLETE).
neigh_ok() {
	local n
	n=$(ip -n "$VT_CLI_NS" neigh show "$1" dev "$VT_CLI_TUN" 2>/dev/null)
	vt_info "neigh $1: $n"
	[[ $n == *lladdr* ]] && [[ $n != *FAILED* && $n != *INCOMPLETE* ]]
}

# has_mac DEV MAC: the client's DEV has the Ethernet address MAC.
has_mac() {
	local d
	d=$(ip -n "$VT_CLI_NS" -o link show dev "$1" 2>/dev/null)
	[[ $d == *"link/ether $2 "* ]]
}

# privsep_child PID: PID has a child running as nobody (vpnc's network process).
privsep_child() { pgrep -u nobody -P "$1" >/dev/null; }

# ks_table: the client namespace has vpnc's kill switch table.
ks_table() { vt_cli nft list tables 2>/dev/null | grep -q '^table inet vpnc$'; }
ks_gone() { ! ks_table; }

# ks_blocks ADDR: a ping to ADDR (outside the tunnel) gets no answer.
ks_blocks() { ! vt_cli ping -n -c 1 -W 1 "$1" >/dev/null 2>&1; }

# big_ping ADDR SIZE: three pings of SIZE payload bytes, never fragmented inside the tunnel.
big_ping() {
	vt_cli ping -n -c 3 -i 0.2 -W 2 -M do -s "$2" "$1" >/dev/null 2>&1
}

# snapshot: the tunnel device's MTU, addresses and routes, with the device's name taken out.
snapshot() {
	local d=$VT_CLI_TUN
	{
		ip -n "$VT_CLI_NS" -o link show dev "$d" | sed -n 's/.* mtu \([0-9]*\).*/mtu \1/p'
		ip -n "$VT_CLI_NS" -o -4 addr show dev "$d" | awk '{ print "addr", $4 }'
		ip -n "$VT_CLI_NS" -o -6 addr show dev "$d" scope global | awk '{ print "addr", $4 }'
		ip -n "$VT_CLI_NS" -4 route show dev "$d" | sed 's/ *$//' | awk '{ print "route4", $0 }'
		ip -n "$VT_CLI_NS" -6 route show dev "$d" | grep -v -e '^fe80::' -e '^multicast' |
			sed -e 's/ *$//' -e 's/ pref medium//' | awk '{ print "route6", $0 }'
	} | sort
}

# mss_seen: the MSS both ends of a TCP connection through the tunnel settled
# on (TCP_MAXSEG after the handshake), "SERVER CLIENT", or empty. Each SYN
# crosses vpnc once, so both directions of the clamp show.
mss_seen() {
	local port=5299 i=0 srv cli
	vt_srv timeout 10 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1)
c, _ = s.accept()
print(c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG))
' "$VT_TUN_SRV_IP" "$port" >"$VT_DIR/mss-srv.out" 2>&1 &
	local lpid=$!
	while [ $i -lt 50 ] && ! vt_srv ss -Hltn 2>/dev/null | grep -q "$VT_TUN_SRV_IP:$port "; do
		sleep 0.1
		i=$((i + 1))
	done
	cli=$(vt_cli timeout 5 python3 -c '
import socket, sys, time
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
time.sleep(0.2)
print(c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG))
' "$VT_TUN_SRV_IP" "$port" 2>/dev/null)
	wait "$lpid" 2>/dev/null
	srv=$(tr -dc 0-9 <"$VT_DIR/mss-srv.out")
	[ -n "$srv" ] && [ -n "$cli" ] && printf '%s %s' "$srv" "$cli"
}

# mss_ok "SERVER CLIENT": both within what mssfix 1492 leaves on a TAP (2.6:
# the encapsulation and tun-mtu-extra 32 off 1492, then IP and TCP headers).
mss_ok() {
	local a b
	read -r a b <<<"$1"
	[ -n "${a:-}" ] && [ -n "${b:-}" ] && [ "$a" -ge 1300 ] && [ "$a" -le 1400 ] &&
		[ "$b" -ge 1300 ] && [ "$b" -le 1400 ]
}

# session LABEL CASE: one client run with the current profile and its checks.
session() {
	local label=$1 c=$2 mss want_peers
	MSS=""
	vt_client_start
	if ! vt_wait_tun_ipv4 15; then
		vt_pid_alive "$VT_CLI_PID" || vt_log "  client exited before connecting"
		vt_fail "$label: connected within 15 s"
		vt_dump_logs
		vt_client_stop 5
		return 1
	fi
	vt_pass "$label: connected in $VT_CONNECT_MS ms"
	vt_check "$label: $VT_CLI_TUN is a TAP device" is_tap "$VT_CLI_TUN"
	if [ -n "$VT_CLIENT_PRIVSEP" ] && ! vt_client_is_stock; then
		vt_check "$label: the network process runs as nobody (privsep)" privsep_child "$VT_CLI_PID"
	fi
	vt_check "$label: ping IPv4 $VT_TUN_SRV_IP" vt_ping "$VT_TUN_SRV_IP"
	vt_check "$label: ARP resolved $VT_TUN_SRV_IP over the tunnel" neigh_ok "$VT_TUN_SRV_IP"
	if vt_wait_tun_ipv6 5; then
		vt_check "$label: ping IPv6 $VT_TUN_SRV_IP6" vt_ping "$VT_TUN_SRV_IP6"
		vt_check "$label: neighbour discovery resolved $VT_TUN_SRV_IP6" neigh_ok "$VT_TUN_SRV_IP6"
	else
		vt_fail "$label: tunnel has a global IPv6 address"
	fi
	vt_check "$label: ping pushed route 10.201.0.1 (via route-gateway)" vt_ping 10.201.0.1
	vt_check "$label: ping pushed route fd00:201::1 (via the IPv6 gateway)" vt_ping fd00:201::1
	vt_check "$label: 1500-byte IPv4 packets with DF (1514-byte frames)" big_ping "$VT_TUN_SRV_IP" 1472
	vt_check "$label: 1500-byte IPv6 packets" big_ping "$VT_TUN_SRV_IP6" 1452
	mss=$(mss_seen)
	MSS=$mss
	if mss_ok "$mss"; then
		vt_pass "$label: TCP MSS through the tunnel clamped both ways (server, client: $mss)"
	else
		vt_fail "$label: TCP MSS through the tunnel clamped (got '${mss:-none}', want 1300..1400 both)"
	fi
	if [ "$c" = killswitch ]; then
		vt_check "$label: kill switch table in place" ks_table
		vt_check "$label: the server's veth address $VT_SRV_IP is blocked outside the tunnel" \
			ks_blocks "$VT_SRV_IP"
	fi
	if [ -n "$LLADDR" ]; then
		vt_check "$label: lladdr $LLADDR set on $VT_CLI_TUN" has_mac "$VT_CLI_TUN" "$LLADDR"
	fi
	SNAP=$(snapshot)
	vt_info "snapshot: $(printf '%s' "$SNAP" | tr '\n' ';')"
	# A reconnect: the server sees a second session and traffic flows again.
	want_peers=$(($(vt_server_peers) + 1))
	kill -USR1 "$VT_CLI_PID" 2>/dev/null
	if vt_wait_server_peers "$want_peers" 20 && vt_wait_ping "$VT_TUN_SRV_IP" 15; then
		vt_pass "$label: reconnect (SIGUSR1), traffic flows again"
		VT_CLI_TUN=$(vt_tun_dev)
		vt_check "$label: ARP after the reconnect" neigh_ok "$VT_TUN_SRV_IP"
		vt_wait_tun_ipv6 5
		vt_check "$label: ping IPv6 after the reconnect" vt_ping "$VT_TUN_SRV_IP6"
	else
		vt_fail "$label: reconnect (SIGUSR1), traffic flows again"
		vt_dump_logs
	fi
	if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "$label: SIGTERM, exit code 0"
	else
		vt_fail "$label: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
	fi
	vt_check "$label: client namespace clean" vt_ns_clean
}

# The up script of the server case: its arguments and the variables a TAP changes.
cat >"$VT_DIR/up.sh" <<'EOF'
#!/bin/sh
{
	echo "args: $*"
	for v in dev dev_type tun_mtu ifconfig_local ifconfig_netmask ifconfig_remote \
		ifconfig_ipv6_local ifconfig_ipv6_netbits ifconfig_ipv6_remote route_vpn_gateway \
		route_gateway_1 route_network_1; do
		eval "echo $v=\${$v:-}"
	done
} >"$(dirname "$0")/up.out"
EOF
chmod 755 "$VT_DIR/up.sh"

for c in $cases; do
	failed_before=$VT_FAILED
	LLADDR="" VT_CLIENT_EXTRA="" VT_CLIENT_PRIVSEP="" VT_CLIENT_ARGS=""
	case "$c" in
	killswitch)
		if vt_client_is_stock; then
			vt_log "$c: skipped for stock openvpn (no kill switch)"
			continue
		fi
		VT_CLIENT_ARGS="--kill-switch"
		;;
	bridge) LLADDR=02:00:5e:10:00:42 VT_CLIENT_EXTRA="lladdr $LLADDR" ;;
	server) VT_CLIENT_EXTRA=$(printf 'script-security 2\nup %s' "$VT_DIR/up.sh") ;;
	privsep)
		VT_CLIENT_PRIVSEP="--privsep yes --user nobody --group nogroup"
		LLADDR=02:00:5e:10:00:43 VT_CLIENT_EXTRA="lladdr $LLADDR"
		;;
	esac
	server_conf "$c"
	client_conf
	if ! vt_server_start; then
		vt_fail "$c: stock server with dev tap up"
		continue
	fi
	if ! vt_client_is_stock; then
		plan=$("${VT_CLIENT_CMD[@]}" --check-config "$VT_DIR/$VT_CLIENT_CONF" 2>&1)
		vt_check "$c: --check-config shows the TAP device" \
			grep -q -E '^  device: tap \(TAP: Ethernet frames' <<<"$plan"
		if [ -n "$LLADDR" ]; then
			vt_check "$c: --check-config shows lladdr $LLADDR" grep -q -x "  lladdr: $LLADDR" <<<"$plan"
		fi
	fi
	session "$c" "$c"
	if [ "$c" = killswitch ]; then
		vt_check "$c: no kill switch table after the clean exit" ks_gone
	fi
	ours=$SNAP ours_mss=${MSS:-} ours_up=""
	[ "$c" = server ] && ours_up=$(cat "$VT_DIR/up.out" 2>/dev/null) && rm -f "$VT_DIR/up.out"
	if [ "$c" = server ] && ! vt_client_is_stock; then
		vt_info "up script saw: $(printf '%s' "$ours_up" | tr '\n' ';')"
		vt_check "$c: the up script sees dev_type=tap and the pushed netmask" \
			grep -q -z -E "dev_type=tap.*ifconfig_netmask=$VT_TUN_MASK" <<<"$ours_up"
	fi
	if ! vt_client_is_stock && [ "$c" != killswitch ]; then
		# The same profile with stock openvpn as the client: the same device setup.
		saved=("${VT_CLIENT_CMD[@]}")
		VT_CLIENT_CMD=("$stock")
		session "$c (stock client)" "$c"
		VT_CLIENT_CMD=("${saved[@]}")
		if [ "$ours" = "$SNAP" ] && [ -n "$ours" ]; then
			vt_pass "$c: MTU, addresses and routes on the TAP as with stock openvpn"
		else
			vt_fail "$c: MTU, addresses and routes on the TAP as with stock openvpn"
			diff <(printf '%s\n' "$ours") <(printf '%s\n' "$SNAP") | sed 's/^/  /'
		fi
		if [ "$c" = server ]; then
			stock_up=$(cat "$VT_DIR/up.out" 2>/dev/null)
			if [ -n "$ours_up" ] && [ "$ours_up" = "$stock_up" ]; then
				vt_pass "$c: up script arguments and TAP variables as with stock openvpn"
			else
				vt_fail "$c: up script arguments and TAP variables as with stock openvpn"
				diff <(printf '%s\n' "$ours_up") <(printf '%s\n' "$stock_up") | sed 's/^/  /'
			fi
		fi
		# mssfix on a TAP as 2.6 computes it: the same clamp with the same profile.
		vt_check "$c: TCP MSS '$ours_mss' as with stock openvpn ('${MSS:-}')" [ "$ours_mss" = "${MSS:-}" ]
	fi
	[ "$VT_FAILED" -ne "$failed_before" ] && vt_dump_logs
	vt_server_stop
done

vt_summary "$name"
