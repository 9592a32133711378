#!/bin/bash
# test_pmtu.sh: path-MTU discovery with `fragment` and `mtu-disc yes`, against
# a stock OpenVPN 2.6 server, through a router namespace whose far link (to the
# server) gets a smaller MTU while the session runs. The router then answers
# oversized datagrams with real ICMP "fragmentation needed" (IPv4) or "packet
# too big" (IPv6); with `mtu-disc yes` the client's kernel may not fragment, so
# only a client that lowers its fragment size keeps large packets flowing.
# OpenVPN 2.6 does (frame_adjust_path_mtu in src/openvpn/mss.c, release/2.6).
#
# Usage: test_pmtu.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# Cases (VT_CASES picks some), each with the client under test and then with
# stock openvpn as the client on the same profile:
#  - `frag4`: `fragment 1200` on both sides, `mtu-disc yes` on the client, over
#    IPv4; the far link drops to 1000. Pings of 1100 and 2000 bytes work
#    before; after the drop, once the client logged 2.6's "Note adjusting
#    'fragment 1200' to 'fragment 1000 mtu' according to path MTU discovery"
#    (and the same for mssfix), pings of 1100, 2000 and 3000 bytes all come
#    back again, and the link packets and bytes one ping of 1100 and of 2000
#    bytes takes are the same for both clients;
#  - `frag6`: the same over IPv6 with `fragment 1400`, the far link at 1300;
#  - `nofrag4`: no `fragment`, `mtu-disc yes`: after the drop a 1100-byte ping
#    is lost with both clients (as 2.6: DF on every datagram, nothing to
#    lower), a 900-byte one works, and vpnc says so in one warning with the
#    path MTU (once, however many packets are dropped).
# Each case also checks that vpnc --check-config (and --json) shows mtu-disc.
# Needs root.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_pmtu
vt_start_cases "$name" "${1:-}" "frag4 frag6 nofrag4"
under_test=("${VT_CLIENT_CMD[@]}")
stock=("$(command -v openvpn)")
if ! vt_check "router namespace between client and server" vt_netns_router; then
	vt_summary $name
	exit 1
fi
# One GSO send would count as one packet on the veth: one segment per send, so it counts datagrams.
vt_check "client link counts datagrams (gso_max_segs 1)" \
	ip -n "$VT_CLI_NS" link set dev "$VT_CLI_RTR_VETH" gso_max_segs 1

# stat DIR packets|bytes: the client link's (towards the router) tx or rx counter.
stat() { vt_cli cat "/sys/class/net/$VT_CLI_RTR_VETH/statistics/${1}_$2" 2>/dev/null || echo 0; }

# far_mtu N: the MTU of the router's far link, both ends. Below 1280 the kernel takes IPv6 off
# the link (its addresses and routes go): back at 1500 they are put back.
far_mtu() {
	ip -n "$VT_RTR_NS" link set dev "$VT_RTR_FAR_VETH" mtu "$1" && ip -n "$VT_SRV_NS" link set dev vsr mtu "$1" ||
		return 1
	[ "$1" -ge 1280 ] || return 0
	ip -n "$VT_RTR_NS" addr replace fd00:196::1/64 dev "$VT_RTR_FAR_VETH" nodad &&
		ip -n "$VT_SRV_NS" addr replace "$VT_SRV_RTR_IP6/64" dev vsr nodad &&
		ip -n "$VT_SRV_NS" -6 route replace fd00:197::/64 via fd00:196::1 dev vsr
}

# forget_pmtu: the path MTUs the client's and the server's kernels learnt go (for the next session).
forget_pmtu() {
	local ns
	for ns in "$VT_CLI_NS" "$VT_SRV_NS"; do
		ip -n "$ns" -4 route flush cache 2>/dev/null
		ip -n "$ns" -6 route flush cache 2>/dev/null
	done
	return 0
}

# pings LABEL SIZES: 5 pings of each size to the server's tunnel address, all answered.
pings() {
	local label=$1 size out
	for size in $2; do
		out=$(vt_cli ping -n -c 5 -i 0.2 -W 2 -s "$size" "$VT_TUN_SRV_IP" 2>&1)
		if [[ $out == *" 0% packet loss"* ]]; then
			vt_pass "$label: 5 pings of $size bytes answered"
		else
			vt_fail "$label: 5 pings of $size bytes answered"
			grep -E 'transmitted' <<<"$out" | sed 's/^/  /'
		fi
	done
}

# one_ping SIZE: "tx-packets tx-bytes" on the client's link for one answered ping (the fewest of three).
one_ping() {
	local size=$1 best="" a b tp tb
	for _ in 1 2 3; do
		a=$(stat tx packets) b=$(stat tx bytes)
		vt_cli ping -n -c 1 -W 2 -s "$size" "$VT_TUN_SRV_IP" >/dev/null 2>&1 || continue
		sleep 0.2
		tp=$(($(stat tx packets) - a)) tb=$(($(stat tx bytes) - b))
		if [ -z "$best" ] || [ "$tp" -lt "${best%% *}" ] ||
			{ [ "$tp" -eq "${best%% *}" ] && [ "$tb" -lt "${best#* }" ]; }; then
			best="$tp $tb"
		fi
	done
	printf '%s' "${best:-none}"
}

# wait_log PATTERN SECONDS: until the client's log has a line with PATTERN (fixed string).
wait_log() {
	local i=0
	while [ $i -lt $(($2 * 10)) ]; do
		grep -qF -- "$1" "$VT_DIR/client.log" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# session LABEL KIND: one client session through the router (KIND test or stock); the far link
# drops to $drop during it. Sets counts_KIND.
session() {
	local label=$1 kind=$2 counts="" size line
	if [ "$kind" = stock ]; then VT_CLIENT_CMD=("${stock[@]}"); else VT_CLIENT_CMD=("${under_test[@]}"); fi
	far_mtu 1500
	forget_pmtu
	vt_client_start
	if ! vt_wait_tun_ipv4 15; then
		vt_fail "$label: connected within 15 s"
		vt_dump_logs
		vt_client_stop 5
		return 1
	fi
	vt_pass "$label: connected in $VT_CONNECT_MS ms"
	pings "$label, far link MTU 1500" "$before"
	vt_check "$label: far link MTU lowered to $drop" far_mtu "$drop"
	# The first large packet after the drop is lost: its ICMP tells the client's kernel.
	vt_cli ping -n -c 2 -i 0.5 -W 1 -s "${big%% *}" "$VT_TUN_SRV_IP" >/dev/null 2>&1
	if [ -n "$notes" ]; then
		while IFS= read -r line; do
			if wait_log "$line" 5; then
				vt_pass "$label: logged \"$line\""
			else
				vt_fail "$label: logged \"$line\""
				grep -i -e 'mtu' -e 'EMSGSIZE' "$VT_DIR/client.log" | tail -n 5 | sed 's/^/  /'
			fi
		done <<<"$notes"
		pings "$label, far link MTU $drop" "$big"
		for size in $big; do
			counts+="$size:$(one_ping "$size") "
		done
		printf -v "counts_$kind" '%s' "$counts"
	else
		# Nothing to lower: DF on every datagram, so the large ones are lost; the small go.
		local out
		out=$(vt_cli ping -n -c 3 -i 0.2 -W 1 -s "${big%% *}" "$VT_TUN_SRV_IP" 2>&1)
		if [[ $out == *" 100% packet loss"* ]]; then
			vt_pass "$label: pings of ${big%% *} bytes are lost after the drop (as 2.6: nothing to lower)"
		else
			vt_fail "$label: pings of ${big%% *} bytes are lost after the drop"
			grep -E 'transmitted' <<<"$out" | sed 's/^/  /'
		fi
		pings "$label, far link MTU $drop" "$small"
		if [ "$kind" = test ]; then
			local n
			n=$(grep -c "carries IP packets of at most $drop bytes" "$VT_DIR/client.log")
			if [ "$n" = 1 ]; then
				vt_pass "$label: one warning with the path MTU $drop and the hint"
			else
				vt_fail "$label: one warning with the path MTU $drop and the hint (got $n)"
				grep -i -e 'mtu' -e 'EMSGSIZE' "$VT_DIR/client.log" | tail -n 5 | sed 's/^/  /'
			fi
		fi
	fi
	if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "$label: SIGTERM, exit code 0"
	else
		vt_fail "$label: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
	fi
	vt_check "$label: client namespace clean" vt_ns_clean
	cp "$VT_DIR/client.log" "$VT_DIR/client-${label%% *}-$kind.log" 2>/dev/null # for VT_KEEP=1
	far_mtu 1500
}

# pmtu_case LABEL SERVER-LINES CLIENT-LINES v4|v6: the settings of the case are in drop (the far
# link's new MTU), before (ping sizes before), big (after; the first one triggers the ICMP),
# small (nofrag: sizes that still fit) and notes (the log lines both clients must show).
pmtu_case() {
	local label=$1
	if [ "$4" = v6 ]; then
		VT_SRV_PROTO=udp6 VT_SRV_LOCAL=$VT_SRV_RTR_IP6 VT_REMOTE=$VT_SRV_RTR_IP6
	else
		VT_SRV_PROTO=udp VT_SRV_LOCAL=$VT_SRV_RTR_IP VT_REMOTE=$VT_SRV_RTR_IP
	fi
	VT_SERVER_EXTRA=$2
	VT_CLIENT_EXTRA=$3
	VT_CLIENT_VERB=4
	counts_test="" counts_stock=""
	vt_server_conf
	vt_client_conf
	if ! vt_client_is_stock; then
		local plan
		plan=$("${VT_CLIENT_CMD[@]}" --check-config "$VT_DIR/$VT_CLIENT_CONF" 2>&1)
		vt_check "$label: --check-config shows mtu-disc yes" \
			grep -q "path-MTU discovery on the UDP socket: mtu-disc yes" <<<"$plan"
		plan=$("${VT_CLIENT_CMD[@]}" --check-config "$VT_DIR/$VT_CLIENT_CONF" --json 2>&1)
		vt_check "$label: --check-config --json has mtu_disc" grep -q '"mtu_disc":"yes"' <<<"$plan"
	fi
	if ! vt_check "$label: server up" vt_server_start; then
		vt_server_stop
		return
	fi
	session "$label" test
	if ! vt_client_is_stock && session "$label (stock client)" stock && [ -n "$counts_test" ]; then
		if [ "$counts_test" = "$counts_stock" ]; then
			vt_pass "$label: after the drop, the same link packets and bytes per ping as stock openvpn ($counts_test)"
		else
			vt_fail "$label: link packets and bytes per ping differ from stock openvpn"
			vt_log "  under test: $counts_test"
			vt_log "  stock:      $counts_stock"
		fi
	fi
	VT_CLIENT_CMD=("${under_test[@]}")
	vt_server_stop
}

for c in $cases; do
	small="" notes=""
	case $c in
	frag4)
		# AES-256-GCM with peer-id: 1100 bytes go whole at 'fragment 1200' (a 1184-byte datagram),
		# in two after the drop (at most 1000 - 28 - 24 - 4 = 944 bytes a fragment).
		drop=1000 before="1100 2000" big="1100 2000 3000"
		notes="Note adjusting 'mssfix 1200 mtu' to 'mssfix 1000 mtu' according to path MTU discovery
Note adjusting 'fragment 1200' to 'fragment 1000 mtu' according to path MTU discovery"
		pmtu_case frag4 "fragment 1200" $'fragment 1200\nmtu-disc yes' v4
		;;
	frag6)
		# IPv6: 1300 bytes go whole at 'fragment 1400' (a 1404-byte packet); 1300 is above IPv6's 1280.
		drop=1300 before="1300 2000" big="1300 2000 3000"
		notes="Note adjusting 'mssfix 1400 mtu' to 'mssfix 1300 mtu' according to path MTU discovery
Note adjusting 'fragment 1400' to 'fragment 1300 mtu' according to path MTU discovery"
		pmtu_case frag6 "fragment 1400" $'fragment 1400\nmtu-disc yes' v6
		;;
	nofrag4)
		drop=1000 before="1100" big="1100" small="900"
		pmtu_case nofrag4 "" "mtu-disc yes" v4
		;;
	*) vt_fail "unknown case $c" ;;
	esac
done

vt_summary $name
