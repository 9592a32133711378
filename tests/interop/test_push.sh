#!/bin/bash
# test_push.sh: client-side handling of what a stock OpenVPN 2.6 server
# pushes, beyond the topologies and redirects of test_topology.sh.
#
# Usage: test_push.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#        VT_CASES="block-local keywords" test_push.sh ...  (only those cases)
#
# The client namespace reaches the server through a gateway (vt_netns_routed),
# so "the original gateway" and a local LAN (the veth subnet) exist.
# Cases, one server and one session each:
#   filter-ignore   client `pull-filter ignore "route 10.204."`: that pushed
#                   route is not added, the other pushed routes are
#   filter-accept   `pull-filter accept "route-gateway "` and
#                   `pull-filter accept "route 10.201."` before
#                   `pull-filter ignore "route"`: only that route is added
#                   ("route" also matches route-ipv6 and route-gateway, as in
#                   OpenVPN, which then cannot add any route)
#   filter-reject   `pull-filter reject "route-ipv6"`: the push is refused,
#                   no address or route is applied, the client keeps
#                   retrying and still exits 0 on SIGTERM
#   block-local     pushed `redirect-gateway def1 block-local`: the LAN
#                   (veth subnet) goes into the tunnel as two halves, its
#                   gateway keeps a host route, the server a host route via it
#   keywords        pushed `route remote_host 255.255.255.255 net_gateway`,
#                   `route 10.205.0.0 255.255.255.0 vpn_gateway` and
#                   `route-metric 77`
# Needs root.

# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$lib"

name=${VT_NAME:-test_push}
all_cases="filter-ignore filter-accept filter-reject block-local keywords"
cases=${VT_CASES:-$all_cases}

vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}; cases: $cases"

vt_up_routed "$name"
# The client's LAN: the veth /24 (see vt_netns_up), split in two by block-local.
lan=${VT_SRV_IP%.*}


start_server() {
	VT_TOPOLOGY=subnet VT_SERVER_EXTRA=$1
	vt_server_conf
	vt_client_conf
	vt_server_start
}

# cycle LABEL SERVER-EXTRA HOOK CLIENT-EXTRA
cycle() {
	local label=$1
	VT_CLIENT_EXTRA=$4
	if ! start_server "$2"; then
		vt_fail "$label: server up"
		return 1
	fi
	VT_CYCLE_HOOK=$3
	vt_connect_cycle "$label"
	VT_CYCLE_HOOK=""
	VT_CLIENT_EXTRA=""
	vt_server_stop
}

hook_ignore() {
	vt_routes_match "$1: pushed $VT_PUSH_ROUTE via the tunnel" "$(vt_route4 "$VT_PUSH_ROUTE")" "dev $VT_CLI_TUN"
	vt_no_route "$1: filtered route 10.204.0.0/24 not added" "$(vt_route4 10.204.0.0/24)"
	vt_routes_match "$1: pushed $VT_PUSH_ROUTE6 via the tunnel" "$(vt_route6 "$VT_PUSH_ROUTE6")" "dev $VT_CLI_TUN"
}
hook_accept() {
	vt_routes_match "$1: accepted $VT_PUSH_ROUTE via the tunnel" "$(vt_route4 "$VT_PUSH_ROUTE")" "dev $VT_CLI_TUN"
	vt_no_route "$1: route 10.204.0.0/24 ignored" "$(vt_route4 10.204.0.0/24)"
	vt_no_route "$1: route-ipv6 $VT_PUSH_ROUTE6 ignored" "$(vt_route6 "$VT_PUSH_ROUTE6")"
}
hook_block_local() {
	vt_routes_match "$1: $lan.0/25 via the tunnel" "$(vt_route4 "$lan.0/25")" "dev $VT_CLI_TUN"
	vt_routes_match "$1: $lan.128/25 via the tunnel" "$(vt_route4 "$lan.128/25")" "dev $VT_CLI_TUN"
	vt_routes_match "$1: gateway $VT_SRV_IP keeps a host route on $VT_CLI_VETH" \
		"$(vt_route4 "$VT_SRV_IP/32")" "dev $VT_CLI_VETH"
	vt_routes_match "$1: host route to the server via the original gateway" \
		"$(vt_route4 "$VT_SRV_FAR_IP/32")" "via $VT_SRV_IP dev $VT_CLI_VETH"
	local d
	d=$(vt_dev_of4 "$lan.77")
	vt_check "$1: a LAN host $lan.77 is routed into the tunnel (dev '$d')" [ "$d" = "$VT_CLI_TUN" ]
	d=$(vt_dev_of4 "$VT_SRV_IP")
	vt_check "$1: the gateway is not (dev '$d')" [ "$d" = "$VT_CLI_VETH" ]
	vt_check "$1: ping $VT_TUN_SRV_IP still works" vt_ping "$VT_TUN_SRV_IP"
}
hook_keywords() {
	vt_routes_match "$1: route remote_host net_gateway: $VT_SRV_FAR_IP/32 via $VT_SRV_IP" \
		"$(vt_route4 "$VT_SRV_FAR_IP/32")" "via $VT_SRV_IP dev $VT_CLI_VETH"
	vt_routes_match "$1: route 10.205.0.0/24 vpn_gateway, route-metric 77" \
		"$(vt_route4 10.205.0.0/24)" "dev $VT_CLI_TUN .*metric 77"
	vt_routes_match "$1: route-metric 77 also on $VT_PUSH_ROUTE" "$(vt_route4 "$VT_PUSH_ROUTE")" \
		"dev $VT_CLI_TUN .*metric 77"
	vt_routes_match "$1: and on route-ipv6 $VT_PUSH_ROUTE6" "$(vt_route6 "$VT_PUSH_ROUTE6")" \
		"dev $VT_CLI_TUN .*metric 77"
}

# The reject case: the session never comes up; the client retries.
reject_case() {
	local label=$1 i=0
	VT_CLIENT_EXTRA='pull-filter reject "route-ipv6"'
	if ! start_server ""; then
		vt_fail "$label: server up"
		return 1
	fi
	VT_CLIENT_EXTRA=""
	vt_client_start
	# vpnc: "rejected by pull-filter"; openvpn: "Pushed option rejected by filter".
	while [ $i -lt 100 ] && ! grep -q -E "rejected by (pull-)?filter" "$VT_DIR/client.log" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	vt_check "$label: the client says the push was rejected by pull-filter" \
		grep -q -E "rejected by (pull-)?filter" "$VT_DIR/client.log"
	vt_check "$label: the option is named" grep -q "route-ipv6" "$VT_DIR/client.log"
	sleep 1
	vt_check "$label: client still running (it retries, as OpenVPN does)" vt_pid_alive "$VT_CLI_PID"
	local addrs
	addrs=$(ip -n "$VT_CLI_NS" addr show 2>/dev/null | grep -E 'inet6? (10\.200\.|fd00:200:)')
	vt_no_route "$label: no tunnel address applied" "$addrs"
	vt_no_route "$label: no pushed route applied" "$(vt_route4 "$VT_PUSH_ROUTE")"
	if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "$label: SIGTERM, exit code 0"
	else
		vt_fail "$label: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
	fi
	vt_check "$label: client namespace clean" vt_ns_clean
	vt_server_stop
}

extra_route='push "route 10.204.0.0 255.255.255.0"'

for c in $cases; do
	VT_CLIENT_EXTRA="" VT_CYCLE_HOOK=""
	case "$c" in
	filter-ignore) cycle "$c" "$extra_route" hook_ignore 'pull-filter ignore "route 10.204."' ;;
	filter-accept)
		cycle "$c" "$extra_route" hook_accept 'pull-filter accept "route-gateway "
pull-filter accept "route 10.201."
pull-filter ignore "route"'
		;;
	filter-reject) reject_case "$c" ;;
	block-local)
		cycle "$c" 'push "redirect-gateway def1 block-local"' hook_block_local ""
		vt_no_route "$c: after exit, no $lan.0/25 left" "$(vt_route4 "$lan.0/25")"
		vt_no_route "$c: after exit, no gateway host route left" "$(vt_route4 "$VT_SRV_IP/32")"
		vt_no_route "$c: after exit, no host route to the server left" "$(vt_route4 "$VT_SRV_FAR_IP/32")"
		vt_check "$c: after exit, the original default routes are intact" vt_defaults_intact
		;;
	keywords)
		cycle "$c" 'push "route remote_host 255.255.255.255 net_gateway"
push "route 10.205.0.0 255.255.255.0 vpn_gateway"
push "route-metric 77"' hook_keywords ""
		vt_no_route "$c: after exit, no host route to the server left" "$(vt_route4 "$VT_SRV_FAR_IP/32")"
		;;
	*) vt_fail "unknown case '$c'" ;;
	esac
done

[ "$VT_FAILED" -ne 0 ] && vt_dump_logs
vt_summary "$name"
