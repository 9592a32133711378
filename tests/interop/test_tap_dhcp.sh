#!/bin/bash
# test_tap_dhcp.sh: `route-gateway dhcp` on a TAP against a stock OpenVPN 2.6
# server in bridge mode.
#
# Usage: test_tap_dhcp.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#        VT_CASES="privsep single" test_tap_dhcp.sh ...  (only those cases)
#
# The stock server runs `server-bridge` with no arguments (2.6's "proxy DHCP"
# bridge: it hands out no address and pushes `route-gateway dhcp`) and a
# `route` without a gateway; its TAP has the LAN's address and a dnsmasq on
# it answers DHCP with a router option naming that address. The client's
# profile adds a `route` of its own without a gateway. Once the client is
# connected, busybox udhcpc on the client's TAP asks for an address through
# the tunnel. Checked, for each case:
#   - the address from the DHCP server is on the TAP (the OS's DHCP client
#     does the address, as with 2.6);
#   - the router option never reaches udhcpc (taken out on the way, as 2.6
#     does, so the DHCP client cannot make the VPN the default route);
#   - the client logs "Extracted DHCP router address: 10.200.0.1" (2.6's line);
#   - before the ACK no route goes through the tunnel; after it, the pushed
#     and the profile's routes go through 10.200.0.1 on the TAP, and a ping
#     through each is answered;
#   - SIGTERM: exit code 0 and a clean namespace.
# Cases: privsep (the default for root: the privileged parent adds the routes
# on NET_GATEWAY) and single (`--privsep no`: the one process adds them).
# When the client under test is not stock openvpn, the same profile then runs
# with stock openvpn as the client: it must log the same router and strip it
# the same way. Its routes are only reported: 2.6 on Linux resolves a route's
# gateway when it opens the device, before any DHCP, so it installs neither
# route ("needs a gateway parameter"); vpnc adds them once the ACK is seen
# (docs/tap.md says why).
# Needs root, dnsmasq and busybox.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$lib"

name=${VT_NAME:-test_tap_dhcp}
dnsmasq=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
busybox=$(command -v busybox || echo /bin/busybox)
vt_start_cases "$name" "${1:-}" "privsep single"
if [ ! -x "$dnsmasq" ] || [ ! -x "$busybox" ]; then
	vt_fail "prerequisites: dnsmasq (dnsmasq-base) and busybox (udhcpc) are needed"
	vt_summary "$name"
	exit 1
fi
stock=$(command -v openvpn)
gw=$VT_TUN_SRV_IP           # the server's TAP address, the DHCP router
prof_route=10.202.0.0/24    # the profile's own route
srv_tap=tapsrv
dns_pid=""

server_conf() {
	local f="$VT_DIR/server.conf"
	VT_SERVER_EXTRA=""
	vt_server_conf
	sed -i -e "s/^dev tun$/dev $srv_tap\ndev-type tap/" -e '/^topology /d' -e '/^server /d' \
		-e '/^server-ipv6 /d' -e '/route-ipv6/d' "$f"
	echo "server-bridge" >>"$f"
	vt_srv ip addr replace 10.201.0.1/32 dev lo
	vt_srv ip addr replace 10.202.0.1/32 dev lo
}

client_conf() {
	vt_client_conf
	sed -i -e 's/^dev tun$/dev tap/' "$VT_DIR/$VT_CLIENT_CONF"
	printf 'route %s 255.255.255.0\n' "${prof_route%/*}" >>"$VT_DIR/$VT_CLIENT_CONF"
}

# dhcp_server_up: the server's TAP gets the LAN address and a dnsmasq answers DHCP on it.
dhcp_server_up() {
	vt_srv ip addr replace "$gw/24" dev "$srv_tap" && vt_srv ip link set "$srv_tap" up || return 1
	: >"$VT_DIR/dnsmasq.log"
	vt_srv "$dnsmasq" --no-daemon --conf-file=/dev/null --port=0 --interface="$srv_tap" \
		--bind-interfaces --dhcp-range=10.200.0.50,10.200.0.99,255.255.255.0,1h \
		--dhcp-option=option:router,"$gw" --dhcp-leasefile="$VT_DIR/dnsmasq.leases" \
		--dhcp-authoritative --log-dhcp --log-facility="$VT_DIR/dnsmasq.log" --user=root \
		--pid-file= >"$VT_DIR/dnsmasq.out" 2>&1 &
	dns_pid=$!
	sleep 0.5
	vt_pid_alive "$dns_pid"
}

dhcp_server_down() {
	[ -n "$dns_pid" ] && vt_kill_wait "$dns_pid" 5
	dns_pid=""
}

# udhcpc_run DEV: one lease through the tunnel (at most 10 tries, 1 s apart); the
# script sets the address and records the router option it was given (none, we expect).
udhcpc_run() {
	cat >"$VT_DIR/udhcpc.sh" <<-EOF
	#!/bin/sh
	case "\$1" in
	bound|renew)
		ip addr replace "\$ip/\${mask:-24}" dev "\$interface"
		echo "router=\${router:-}" >>"$VT_DIR/udhcpc.env"
		;;
	esac
	exit 0
	EOF
	chmod 755 "$VT_DIR/udhcpc.sh"
	: >"$VT_DIR/udhcpc.env"
	timeout 30 ip netns exec "$VT_CLI_NS" "$busybox" udhcpc -f -q -n -t 10 -T 1 -A 1 -i "$1" \
		-s "$VT_DIR/udhcpc.sh" >"$VT_DIR/udhcpc.log" 2>&1
}

# wait_log PATTERN SECONDS: the client's log has PATTERN.
wait_log() {
	local i=0
	while [ $i -lt $(($2 * 10)) ]; do
		grep -q -e "$1" "$VT_DIR/client.log" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_route NET SECONDS: NET goes through $gw on the client's TAP.
wait_route() {
	local i=0 r
	while [ $i -lt $(($2 * 10)) ]; do
		r=$(ip -n "$VT_CLI_NS" -4 route show "$1" 2>/dev/null)
		[[ $r == *"via $gw dev $VT_CLI_TUN"* ]] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_dev SECONDS [UP]: the client's TAP exists (and with UP=1 is up); sets VT_CLI_TUN.
wait_dev() {
	local i=0 d
	while [ $i -lt $(($1 * 10)) ]; do
		d=$(vt_tun_dev)
		if [ -n "$d" ] && { [ "${2:-1}" = 0 ] || ip -n "$VT_CLI_NS" link show dev "$d" 2>/dev/null | grep -q ',UP'; }; then
			VT_CLI_TUN=$d
			return 0
		fi
		vt_pid_alive "$VT_CLI_PID" || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

no_tunnel_routes() {
	! ip -n "$VT_CLI_NS" -4 route show 2>/dev/null | grep -q -e '^10\.201\.' -e '^10\.202\.'
}

router_stripped() {
	[ -s "$VT_DIR/udhcpc.env" ] && ! grep -q -v '^router=$' "$VT_DIR/udhcpc.env"
}

has_lease_addr() {
	ip -n "$VT_CLI_NS" -4 -o addr show dev "$VT_CLI_TUN" 2>/dev/null | grep -q 'inet 10\.200\.0\.\(5[0-9]\|[6-9][0-9]\)/24'
}

# run_case LABEL STOCK: one client run; STOCK=1 for stock openvpn (routes only reported).
run_case() {
	local label=$1 is_stock=$2 r
	server_conf
	client_conf
	if ! vt_check "$label: stock server up" vt_server_start; then
		return 1
	fi
	if ! vt_check "$label: dnsmasq on the server's TAP" dhcp_server_up; then
		vt_server_stop
		return 1
	fi
	vt_client_start
	# 2.6 leaves a TAP it gives no address down (the DHCP client's setup brings it up).
	if ! vt_check "$label: connected, TAP there" wait_dev 20 $((1 - is_stock)) ||
		! vt_check "$label: connected (Initialization Sequence Completed)" wait_log 'Initialization Sequence Completed' 20; then
		vt_dump_logs
		vt_client_stop 5
		dhcp_server_down
		vt_server_stop
		return 1
	fi
	if [ "$is_stock" = 0 ]; then
		vt_check "$label: no route through the tunnel before the DHCP ACK" no_tunnel_routes
		vt_check "$label: the client says the routes wait for the ACK" wait_log 'route-gateway dhcp: routes that need the gateway wait' 1
	fi
	[ "$is_stock" = 1 ] && vt_cli ip link set dev "$VT_CLI_TUN" up
	vt_check "$label: udhcpc got a lease through the tunnel" udhcpc_run "$VT_CLI_TUN"
	vt_check "$label: the lease's address is on $VT_CLI_TUN" has_lease_addr
	vt_check "$label: the router option did not reach udhcpc" router_stripped
	vt_check "$label: log: Extracted DHCP router address: $gw" wait_log "Extracted DHCP router address: $gw" 5
	if [ "$is_stock" = 0 ]; then
		vt_check "$label: pushed route $VT_PUSH_ROUTE via $gw dev $VT_CLI_TUN" wait_route "$VT_PUSH_ROUTE" 5
		vt_check "$label: profile route $prof_route via $gw dev $VT_CLI_TUN" wait_route "$prof_route" 5
		vt_check "$label: ping 10.201.0.1 (pushed route)" vt_ping 10.201.0.1
		vt_check "$label: ping 10.202.0.1 (profile route)" vt_ping 10.202.0.1
		vt_check "$label: no default route through the tunnel" \
			bash -c "! ip -n $VT_CLI_NS -4 route show default | grep -q 'dev $VT_CLI_TUN'"
	else
		r=$(ip -n "$VT_CLI_NS" -4 route show 2>/dev/null | grep -e '^10\.201\.' -e '^10\.202\.')
		vt_log "  stock openvpn's routes after the ACK: ${r:-none}"
		grep -q 'needs a gateway parameter' "$VT_DIR/client.log" &&
			vt_log "  stock openvpn: 'needs a gateway parameter' at connect, as documented"
	fi
	vt_client_stop 10
	vt_check "$label: exit code 0 after SIGTERM" test "${VT_CLI_RC:-x}" = 0
	vt_check "$label: namespace clean" vt_ns_clean
	cp "$VT_DIR/client.log" "$VT_DIR/client-$label.log" 2>/dev/null
	dhcp_server_down
	vt_server_stop
	vt_srv ip link del "$srv_tap" 2>/dev/null
	return 0
}

for c in $cases; do
	case $c in
	privsep) VT_CLIENT_ARGS="" ;;
	single) VT_CLIENT_ARGS="--privsep no" ;;
	*)
		vt_fail "unknown case $c"
		continue
		;;
	esac
	if vt_client_is_stock; then
		VT_CLIENT_ARGS=""
		run_case "$c (stock client)" 1
		break
	fi
	run_case "$c" 0
done
VT_CLIENT_ARGS=""

if ! vt_client_is_stock && [ -n "$stock" ]; then
	VT_CLIENT_CMD=("$stock")
	run_case "stock openvpn as the client" 1
fi
vt_summary "$name"
