#!/bin/bash
# test_topology.sh: topologies, pushed routes and redirect-gateway against
# stock OpenVPN 2.6, checked in the client's routing table.
#
# Usage: test_topology.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#        VT_CASES="net30 redirect-def1" test_topology.sh ...  (only those cases)
#
# The client namespace has a default route through the server's veth
# address (vt_netns_routed) and reaches the server at an address behind
# that gateway, so "the original gateway" exists as on a real network.
# Cases, one server and one session each:
#   subnet, net30, p2p   topology; ping v4/v6; the pushed routes use the tun
#   metrics              pushed `route ... vpn_gateway 50`, `route ... net_gateway`
#                        and `route-ipv6 ... 60`: metric, device, gateway
#   redirect-def1        pushed `redirect-gateway def1`: 0.0.0.0/1 and
#                        128.0.0.0/1 into the tunnel, the host route to the
#                        server via the original gateway, all removed on exit
#   redirect-def1-ipv6   `redirect-gateway def1 ipv6`: also IPv6 global unicast
#                        into the tunnel
#   redirect-v6-remote   `redirect-gateway def1 ipv6` with the server reached
#                        over IPv6 (udp6): the IPv6 host route to the server
#                        goes via the original IPv6 gateway
#   route-nopull         client `route-nopull`: addresses but no pushed routes
#   route-noexec         client `route-noexec`: addresses, no routes
#   ifconfig-noexec      client `ifconfig-noexec` + `route-noexec`: a tun
#                        device with no address and no route
# Needs root.

# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$lib"

name=${VT_NAME:-test_topology}
all_cases="subnet net30 p2p metrics redirect-def1 redirect-def1-ipv6 redirect-v6-remote route-nopull route-noexec ifconfig-noexec"
cases=${VT_CASES:-$all_cases}

vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}; cases: $cases"

vt_up_routed "$name"


# start_server TOPOLOGY EXTRA-SERVER-LINES: a new server for one case.
start_server() {
	VT_TOPOLOGY=$1 VT_SERVER_EXTRA=$2
	vt_server_conf
	vt_client_conf
	vt_server_start
}


# Hooks run by vt_connect_cycle while the session is up.
hook_pushed() {
	vt_check "$1: pushed routes $VT_PUSH_ROUTE and $VT_PUSH_ROUTE6 via $VT_CLI_TUN" vt_pushed_routes
}
hook_metrics() {
	vt_routes_match "$1: route 10.202.0.0/24 vpn_gateway metric 50 via the tunnel" \
		"$(vt_route4 10.202.0.0/24)" "dev $VT_CLI_TUN .*metric 50"
	vt_routes_match "$1: route 10.203.0.0/24 net_gateway via $VT_SRV_IP dev $VT_CLI_VETH" \
		"$(vt_route4 10.203.0.0/24)" "via $VT_SRV_IP dev $VT_CLI_VETH"
	vt_routes_match "$1: route-ipv6 fd00:202::/64 metric 60 via the tunnel" \
		"$(vt_route6 fd00:202::/64)" "dev $VT_CLI_TUN .*metric 60"
}
hook_redirect4() {
	vt_routes_match "$1: 0.0.0.0/1 via the tunnel" "$(vt_route4 0.0.0.0/1)" "dev $VT_CLI_TUN"
	vt_routes_match "$1: 128.0.0.0/1 via the tunnel" "$(vt_route4 128.0.0.0/1)" "dev $VT_CLI_TUN"
	vt_routes_match "$1: host route to the server $VT_SRV_FAR_IP via the original gateway" \
		"$(vt_route4 "$VT_SRV_FAR_IP/32")" "via $VT_SRV_IP dev $VT_CLI_VETH"
	local d
	d=$(vt_dev_of4 192.0.2.1)
	vt_check "$1: 192.0.2.1 is routed into the tunnel (dev '$d')" [ "$d" = "$VT_CLI_TUN" ]
	vt_check "$1: ping $VT_TUN_SRV_IP still works (server not looped into the tunnel)" \
		vt_ping "$VT_TUN_SRV_IP"
}
hook_redirect6() {
	hook_redirect4 "$1"
	local d
	d=$(vt_dev_of6 2001:db8::1)
	vt_check "$1: 2001:db8::1 is routed into the tunnel (dev '$d')" [ "$d" = "$VT_CLI_TUN" ]
	d=$(vt_dev_of6 fd12:3456::1)
	vt_check "$1: fd12:3456::1 (ULA) is routed into the tunnel (dev '$d')" [ "$d" = "$VT_CLI_TUN" ]
}
hook_redirect_v6remote() {
	vt_routes_match "$1: IPv6 host route to the server $VT_SRV_FAR_IP6 via the original gateway" \
		"$(vt_route6 "$VT_SRV_FAR_IP6/128")" "via $VT_SRV_IP6 dev $VT_CLI_VETH"
	local d
	d=$(vt_dev_of6 2001:db8::1)
	vt_check "$1: 2001:db8::1 is routed into the tunnel (dev '$d')" [ "$d" = "$VT_CLI_TUN" ]
	vt_routes_match "$1: 0.0.0.0/1 via the tunnel" "$(vt_route4 0.0.0.0/1)" "dev $VT_CLI_TUN"
}
hook_nopull() {
	vt_no_route "$1: no pushed route $VT_PUSH_ROUTE" "$(vt_route4 "$VT_PUSH_ROUTE")"
	vt_no_route "$1: no pushed route $VT_PUSH_ROUTE6" "$(vt_route6 "$VT_PUSH_ROUTE6")"
}

# cycle LABEL TOPOLOGY SERVER-EXTRA HOOK [CLIENT-EXTRA]
cycle() {
	local label=$1
	VT_CLIENT_EXTRA=${5:-}
	if ! start_server "$2" "$3"; then
		vt_fail "$label: server up"
		return 1
	fi
	VT_CYCLE_HOOK=$4
	vt_connect_cycle "$label"
	VT_CYCLE_HOOK=""
	VT_CLIENT_EXTRA=""
	vt_server_stop
}

# after_redirect LABEL: what redirect-gateway added is gone after the exit.
after_redirect() {
	vt_no_route "$1: after exit, no 0.0.0.0/1 left" "$(vt_route4 0.0.0.0/1)"
	vt_no_route "$1: after exit, no host route to the server left" \
		"$(vt_route4 "$VT_SRV_FAR_IP/32")"
	vt_check "$1: after exit, the original default routes are intact" vt_defaults_intact
}

# noexec_case LABEL CLIENT-EXTRA WANT-ADDR: the session comes up (the server
# sets it up and the tun device exists), then checks addresses and routes.
noexec_case() {
	local label=$1 want_addr=$3 i=0
	VT_CLIENT_EXTRA=$2
	if ! start_server subnet ""; then
		vt_fail "$label: server up"
		return 1
	fi
	VT_CLIENT_EXTRA=""
	vt_client_start
	if ! vt_wait_server_peers 1 15; then
		vt_fail "$label: server set up the session within 15 s"
		vt_dump_logs
		vt_client_stop 5
		vt_server_stop
		return 1
	fi
	vt_pass "$label: server set up the session"
	# The client configures (or not) its device right after the push reply.
	while [ $i -lt 30 ] && [ -z "$(vt_tun_dev)" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 1
	VT_CLI_TUN=$(vt_tun_dev)
	vt_check "$label: client still running" vt_pid_alive "$VT_CLI_PID"
	vt_check "$label: a tun device exists ('$VT_CLI_TUN')" [ -n "$VT_CLI_TUN" ]
	local addrs
	addrs=$(ip -n "$VT_CLI_NS" addr show 2>/dev/null | grep -E 'inet6? (10\.200\.|fd00:200:)')
	if [ "$want_addr" = 1 ]; then
		vt_routes_match "$label: tunnel addresses set" "$addrs" "10\.200\."
		vt_check "$label: ping $VT_TUN_SRV_IP (on-link subnet)" vt_ping "$VT_TUN_SRV_IP"
	else
		vt_no_route "$label: no tunnel address set" "$addrs"
	fi
	hook_nopull "$label"
	if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "$label: SIGTERM, exit code 0 in $VT_CLI_STOP_MS ms"
	else
		vt_fail "$label: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
	fi
	vt_check "$label: client namespace clean" vt_ns_clean
	vt_server_stop
}

metrics_push='push "route 10.202.0.0 255.255.255.0 vpn_gateway 50"
push "route 10.203.0.0 255.255.255.0 net_gateway"
push "route-ipv6 fd00:202::/64 fd00:200::1 60"'

for c in $cases; do
	# Every case starts from the lib.sh defaults.
	VT_CLIENT_EXTRA="" VT_CYCLE_HOOK=""
	case "$c" in
	subnet | net30 | p2p) cycle "topology $c" "$c" "" hook_pushed ;;
	metrics) cycle "$c" subnet "$metrics_push" hook_metrics ;;
	redirect-def1)
		cycle "$c" subnet 'push "redirect-gateway def1"' hook_redirect4
		after_redirect "$c"
		;;
	redirect-def1-ipv6)
		cycle "$c" subnet 'push "redirect-gateway def1 ipv6"' hook_redirect6
		after_redirect "$c"
		vt_no_route "$c: after exit, no 2000::/4 left" "$(vt_route6 2000::/4)"
		;;
	redirect-v6-remote)
		VT_SRV_PROTO=udp6 VT_SRV_LOCAL=$VT_SRV_FAR_IP6 VT_REMOTE=$VT_SRV_FAR_IP6
		cycle "$c" subnet 'push "redirect-gateway def1 ipv6"' hook_redirect_v6remote
		vt_no_route "$c: after exit, no IPv6 host route to the server left" \
			"$(vt_route6 "$VT_SRV_FAR_IP6/128")"
		vt_check "$c: after exit, the original default routes are intact" vt_defaults_intact
		VT_SRV_PROTO=udp VT_SRV_LOCAL=$VT_SRV_FAR_IP VT_REMOTE=$VT_SRV_FAR_IP
		;;
	route-nopull) cycle "$c" subnet "" hook_nopull route-nopull ;;
	route-noexec) noexec_case "$c" route-noexec 1 ;;
	ifconfig-noexec) noexec_case "$c" "ifconfig-noexec
route-noexec" 0 ;;
	*) vt_fail "unknown case '$c'" ;;
	esac
done

[ "$VT_FAILED" -ne 0 ] && vt_dump_logs
vt_summary "$name"
