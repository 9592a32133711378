#!/bin/bash
# test_profile_routes.sh: routes and DNS options in the client's own profile,
# merged with what a stock OpenVPN 2.6 server pushes.
#
# Usage: test_profile_routes.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#        VT_CASES="redirect nopull" test_profile_routes.sh ...  (only those cases)
#
# The client namespace reaches the server through a gateway (vt_netns_routed),
# as in test_push.sh. Cases, one server and one session each:
#   routes      profile `route 10.206.0.0 255.255.255.0`, `route 10.207.0.0
#               255.255.255.0 vpn_gateway 55`, `route 10.208.0.0 255.255.255.0
#               net_gateway`, `route-ipv6 fd00:206::/64 default 66`: present
#               while connected (next to the pushed routes), gone after exit
#   hostname    profile `route rt.vpnc.test` and `route rt2.vpnc.test
#               255.255.255.255 net_gateway`, the names in a private /etc/hosts
#               (mount namespace, resolv.conf naming only 127.0.0.1, so no
#               lookup leaves the machine): resolved at connect, as 2.6 does
#   redirect    profile `redirect-gateway def1`, the server pushes none: the
#               two /1 halves go into the tunnel, the server keeps a host route
#               through the original gateway; all gone after exit
#   rg-merge    profile `redirect-gateway def1`, pushed `redirect-gateway ipv6`:
#               the flags add up (2.6 ORs them), so IPv4 and IPv6 are redirected
#   rg-noipv4   profile `redirect-gateway def1`, pushed `redirect-gateway ipv6
#               !ipv4`: the pushed !ipv4 turns the profile's IPv4 redirect off
#   nopull      profile `route-nopull` and `route 10.206.0.0 255.255.255.0`:
#               the profile's route is added, the pushed ones are not
#   dns-profile profile `dhcp-option DNS 10.200.0.54` and `dhcp-option DOMAIN
#               corp.example`, the server pushes no DNS: the up script sees
#               them as foreign_option_N; vpnc (--dns-mode file, in a private
#               mount namespace as in test_scripts.sh) writes them to resolv.conf
#   dns-pushed  the same profile, the server pushes `dns server 0 address
#               10.200.0.53`: as in 2.6, it replaces the profile's dhcp-option
#               DNS (foreign_option_N rewritten, dns_server_1_address_1 set),
#               and vpnc's resolv.conf names 10.200.0.53 and not 10.200.0.54
# With --stock-client the same checks run against stock openvpn, except the
# resolv.conf ones (stock 2.6 leaves DNS to scripts).
# Needs root.

# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$lib"

name=${VT_NAME:-test_profile_routes}
all_cases="routes hostname redirect rg-merge rg-noipv4 nopull dns-profile dns-pushed"
cases=${VT_CASES:-$all_cases}
dump="$here/../data/scripts/dump-env.sh"

vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}; cases: $cases"

vt_up_routed "$name"
real_client=("${VT_CLIENT_CMD[@]}")

# has FILE LINE: FILE has exactly this line.
has() { grep -q -x -F -- "$2" "$1"; }

# cycle LABEL SERVER-EXTRA HOOK CLIENT-EXTRA
cycle() {
	local label=$1
	VT_TOPOLOGY=subnet VT_SERVER_EXTRA=$2 VT_CLIENT_EXTRA=$4
	vt_server_conf
	vt_client_conf
	if ! vt_server_start; then
		vt_fail "$label: server up"
		return 1
	fi
	VT_CYCLE_HOOK=$3
	vt_connect_cycle "$label"
	VT_CYCLE_HOOK="" VT_CLIENT_EXTRA="" VT_SERVER_EXTRA=""
	vt_server_stop
}

hook_routes() {
	vt_routes_match "$1: profile route 10.206.0.0/24 via the tunnel" "$(vt_route4 10.206.0.0/24)" "dev $VT_CLI_TUN"
	vt_routes_match "$1: profile route 10.207.0.0/24 vpn_gateway metric 55" "$(vt_route4 10.207.0.0/24)" \
		"dev $VT_CLI_TUN .*metric 55"
	vt_routes_match "$1: profile route 10.208.0.0/24 net_gateway via $VT_SRV_IP" "$(vt_route4 10.208.0.0/24)" \
		"via $VT_SRV_IP dev $VT_CLI_VETH"
	vt_routes_match "$1: profile route-ipv6 fd00:206::/64 metric 66" "$(vt_route6 fd00:206::/64)" \
		"dev $VT_CLI_TUN .*metric 66"
	vt_routes_match "$1: the pushed $VT_PUSH_ROUTE is added too" "$(vt_route4 "$VT_PUSH_ROUTE")" "dev $VT_CLI_TUN"
	vt_routes_match "$1: the pushed $VT_PUSH_ROUTE6 is added too" "$(vt_route6 "$VT_PUSH_ROUTE6")" "dev $VT_CLI_TUN"
}
hook_redirect() {
	vt_routes_match "$1: 0.0.0.0/1 via the tunnel" "$(vt_route4 0.0.0.0/1)" "dev $VT_CLI_TUN"
	vt_routes_match "$1: 128.0.0.0/1 via the tunnel" "$(vt_route4 128.0.0.0/1)" "dev $VT_CLI_TUN"
	vt_routes_match "$1: host route to the server via the original gateway" \
		"$(vt_route4 "$VT_SRV_FAR_IP/32")" "via $VT_SRV_IP dev $VT_CLI_VETH"
	vt_check "$1: ping $VT_TUN_SRV_IP through the redirected tunnel" vt_ping "$VT_TUN_SRV_IP"
}
hook_hostname() {
	vt_routes_match "$1: rt.vpnc.test resolved, 10.206.0.77/32 via the tunnel" "$(vt_route4 10.206.0.77/32)" \
		"dev $VT_CLI_TUN"
	vt_routes_match "$1: rt2.vpnc.test resolved, 10.208.0.9/32 via $VT_SRV_IP (net_gateway)" \
		"$(vt_route4 10.208.0.9/32)" "via $VT_SRV_IP dev $VT_CLI_VETH"
}
# hosts_client: the client (stock or vpnc) sees a test /etc/hosts and resolv.conf.
hosts_client() {
	printf '127.0.0.1 localhost\n10.206.0.77 rt.vpnc.test\n10.208.0.9 rt2.vpnc.test\n' >"$VT_DIR/hosts"
	printf 'nameserver 127.0.0.1\n' >"$VT_DIR/resolv.hosts"
	cat >"$VT_DIR/hostsclient.sh" <<-EOF
	#!/bin/sh
	# Runs the client with test /etc/hosts and /etc/resolv.conf (private mount namespace).
	mount --bind "$VT_DIR/hosts" /etc/hosts || exit 97
	mount --bind "$VT_DIR/resolv.hosts" /etc/resolv.conf || exit 97
	# vt_client_start adds vpnc's "--dns-mode none" (it cannot see through this
	# wrapper); stock openvpn does not know it.
	case "\${1##*/}" in
	openvpn)
		prog=\$1; shift
		for a in "\$@"; do shift; [ "\$a" = --dns-mode ] && { skip=1; continue; }
			[ -n "\${skip:-}" ] && { skip=; continue; }; set -- "\$@" "\$a"; done
		exec "\$prog" "\$@" ;;
	esac
	exec "\$@"
	EOF
	chmod 755 "$VT_DIR/hostsclient.sh"
	VT_CLIENT_CMD=(unshare -m --propagation private "$VT_DIR/hostsclient.sh" "${real_client[@]}")
	VT_CLIENT_ARGS=""
}
hook_rg_merge() {
	vt_routes_match "$1: 0.0.0.0/1 via the tunnel (profile def1)" "$(vt_route4 0.0.0.0/1)" "dev $VT_CLI_TUN"
	vt_routes_match "$1: 2000::/4 via the tunnel (pushed ipv6)" "$(vt_route6 2000::/4)" "dev $VT_CLI_TUN"
}
hook_rg_noipv4() {
	vt_no_route "$1: no 0.0.0.0/1 (pushed !ipv4 wins)" "$(vt_route4 0.0.0.0/1)"
	vt_no_route "$1: no 128.0.0.0/1" "$(vt_route4 128.0.0.0/1)"
	vt_routes_match "$1: 2000::/4 via the tunnel (pushed ipv6)" "$(vt_route6 2000::/4)" "dev $VT_CLI_TUN"
}
hook_nopull() {
	vt_routes_match "$1: profile route 10.206.0.0/24 via the tunnel" "$(vt_route4 10.206.0.0/24)" "dev $VT_CLI_TUN"
	vt_no_route "$1: pushed $VT_PUSH_ROUTE not added" "$(vt_route4 "$VT_PUSH_ROUTE")"
	vt_no_route "$1: pushed $VT_PUSH_ROUTE6 not added" "$(vt_route6 "$VT_PUSH_ROUTE6")"
}

# DNS: an up script dumps its environment; vpnc also writes resolv.conf in a
# private mount namespace (the real files are never touched).
dns_client() {
	VT_CLIENT_CMD=("${real_client[@]}")
	VT_CLIENT_ARGS=""
	rm -f "$VT_DIR/up.env"
	vt_client_is_stock && return 0
	vt_client_private_files $'# test original\nnameserver 192.0.2.53' "${real_client[@]}"
	VT_CLIENT_ARGS="--dns-mode file"
}
wait_env() {
	local i
	for i in $(seq 1 30); do [ -s "$VT_DIR/up.env" ] && return 0; sleep 0.1; done
	return 1
}
hook_dns_profile() {
	local f=$VT_DIR/up.env
	vt_check "$1: up script ran" wait_env
	vt_check "$1: foreign_option_1 is the profile's dhcp-option DNS" has "$f" "foreign_option_1=dhcp-option DNS 10.200.0.54"
	vt_check "$1: foreign_option_2 is the profile's dhcp-option DOMAIN" has "$f" "foreign_option_2=dhcp-option DOMAIN corp.example"
	vt_client_is_stock && return 0
	vt_check "$1: resolv.conf names the profile's server first" \
		eval '[ "$(grep -m1 "^nameserver" "$VT_DIR/resolv.conf")" = "nameserver 10.200.0.54" ]'
	vt_check "$1: resolv.conf searches corp.example" grep -q "^search corp.example" "$VT_DIR/resolv.conf"
}
hook_dns_pushed() {
	local f=$VT_DIR/up.env
	vt_check "$1: up script ran" wait_env
	vt_check "$1: dns_server_1_address_1 is the pushed server" has "$f" "dns_server_1_address_1=10.200.0.53"
	vt_check "$1: foreign_option_1 keeps the profile's DOMAIN" has "$f" "foreign_option_1=dhcp-option DOMAIN corp.example"
	vt_check "$1: foreign_option_2 is the dns server, replacing the profile's DNS" \
		has "$f" "foreign_option_2=dhcp-option DNS 10.200.0.53"
	vt_check "$1: the profile's dhcp-option DNS is gone from the environment" eval '! grep -q "10.200.0.54" "$VT_DIR/up.env"'
	vt_client_is_stock && return 0
	vt_check "$1: resolv.conf names the pushed dns server first" \
		eval '[ "$(grep -m1 "^nameserver" "$VT_DIR/resolv.conf")" = "nameserver 10.200.0.53" ]'
	vt_check "$1: resolv.conf does not name the replaced 10.200.0.54" eval '! grep -q 10.200.0.54 "$VT_DIR/resolv.conf"'
}
dns_after() {
	vt_client_is_stock && return 0
	vt_check "$1: resolv.conf restored after exit" cmp -s "$VT_DIR/resolv.conf" "$VT_DIR/resolv.orig"
}

dns_profile="script-security 2
up \"$dump $VT_DIR/up.env\"
dhcp-option DNS 10.200.0.54
dhcp-option DOMAIN corp.example"

for c in $cases; do
	VT_CLIENT_EXTRA="" VT_CYCLE_HOOK=""
	case "$c" in
	routes)
		cycle "$c" "" hook_routes 'route 10.206.0.0 255.255.255.0
route 10.207.0.0 255.255.255.0 vpn_gateway 55
route 10.208.0.0 255.255.255.0 net_gateway
route-ipv6 fd00:206::/64 default 66'
		vt_no_route "$c: after exit, no 10.206.0.0/24 left" "$(vt_route4 10.206.0.0/24)"
		vt_no_route "$c: after exit, no 10.208.0.0/24 left" "$(vt_route4 10.208.0.0/24)"
		vt_no_route "$c: after exit, no fd00:206::/64 left" "$(vt_route6 fd00:206::/64)"
		;;
	hostname)
		hosts_client
		cycle "$c" "" hook_hostname 'route rt.vpnc.test
route rt2.vpnc.test 255.255.255.255 net_gateway'
		vt_no_route "$c: after exit, no 10.206.0.77/32 left" "$(vt_route4 10.206.0.77/32)"
		vt_no_route "$c: after exit, no 10.208.0.9/32 left" "$(vt_route4 10.208.0.9/32)"
		;;
	redirect)
		cycle "$c" "" hook_redirect 'redirect-gateway def1'
		vt_no_route "$c: after exit, no 0.0.0.0/1 left" "$(vt_route4 0.0.0.0/1)"
		vt_no_route "$c: after exit, no host route to the server left" "$(vt_route4 "$VT_SRV_FAR_IP/32")"
		vt_check "$c: after exit, the original default routes are intact" vt_defaults_intact
		;;
	rg-merge)
		cycle "$c" 'push "redirect-gateway ipv6"' hook_rg_merge 'redirect-gateway def1'
		vt_no_route "$c: after exit, no 2000::/4 left" "$(vt_route6 2000::/4)"
		;;
	rg-noipv4)
		cycle "$c" 'push "redirect-gateway ipv6 !ipv4"' hook_rg_noipv4 'redirect-gateway def1'
		;;
	nopull)
		cycle "$c" "" hook_nopull 'route-nopull
route 10.206.0.0 255.255.255.0'
		vt_no_route "$c: after exit, no 10.206.0.0/24 left" "$(vt_route4 10.206.0.0/24)"
		;;
	dns-profile)
		dns_client
		cycle "$c" "" hook_dns_profile "$dns_profile"
		dns_after "$c"
		;;
	dns-pushed)
		dns_client
		cycle "$c" 'push "dns server 0 address 10.200.0.53"' hook_dns_pushed "$dns_profile"
		dns_after "$c"
		;;
	*) vt_fail "unknown case '$c'" ;;
	esac
	VT_CLIENT_CMD=("${real_client[@]}") VT_CLIENT_ARGS=""
done

[ "$VT_FAILED" -ne 0 ] && vt_dump_logs
vt_summary "$name"
