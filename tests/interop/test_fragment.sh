#!/bin/bash
# test_fragment.sh: OpenVPN's internal fragmentation (`fragment N`) against a
# stock OpenVPN 2.6 server that uses `fragment` too.
#
# Usage: test_fragment.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# Cases (VT_CASES picks some): `f1200` (fragment 1200 on both sides),
# `f1200-mssfix` (the profile adds mssfix 1200, the usual home-router pair),
# `f600` (fragment 600: a 1500-byte packet needs 3 fragments), `f1200-lzo`
# (comp-lzo framing inside the fragments), `f1200-cbc` (AES-256-CBC with
# HMAC) and `f1200-mtu6` (`fragment 1200 mtu` and `mssfix 1200 mtu` over an
# IPv6 link). In each, with the client under test
# and then with stock openvpn as the client on the same profile:
#  - pings from the client with 1000, 1400 and 3000 bytes of payload (one, two
#    and, with fragment 600, three fragments per tunnel packet; -s 3000 is cut
#    into 1500-byte IP fragments by the kernel first) all come back, and the
#    same from the server to the client's tunnel address;
#  - the link packets one ping of each size takes, counted on the client's
#    link, are what 2.6's fragment sizes give, and the same for both clients
#    (packets and bytes), as are the fragment limit and the TCP MSS clamp each
#    client logs at verb 4 (2.6's "max_frag" and "mss_fix");
#  - an iperf3 TCP transfer each way (the client under test only);
#  - no packet dropped as a bad fragment (vpnc's log), SIGTERM, exit 0.
# Last, `fragment` with `proto tcp` is refused, as 2.6 refuses it. Needs root.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_fragment
vt_start_cases "$name" "${1:-}" "f1200 f1200-mssfix f600 f1200-lzo f1200-cbc f1200-mtu6"
under_test=("${VT_CLIENT_CMD[@]}")
# vpnc hands runs of equal-sized datagrams (fragments) to the kernel as one UDP GSO
# send, which the veth would count as one packet: one segment per send makes the
# kernel cut them before the link, so its counters count datagrams.
vt_check "client link counts datagrams (gso_max_segs 1)" ip -n "$VT_CLI_NS" link set dev "$VT_CLI_VETH" gso_max_segs 1
stock=("$(command -v openvpn)")

# stat DIR packets|bytes: the client link's tx or rx counter.
stat() { vt_cli cat "/sys/class/net/$VT_CLI_VETH/statistics/${1}_$2" 2>/dev/null || echo 0; }

# cli_tun_ip: the client's IPv4 address in the tunnel.
cli_tun_ip() {
	ip -n "$VT_CLI_NS" -4 -o addr show dev "$VT_CLI_TUN" 2>/dev/null | awk '{ sub("/.*", "", $4); print $4; exit }'
}

# one_ping WHO SIZE DEST: one ping of SIZE bytes (WHO: cli or srv); prints
# "tx-packets tx-bytes rx-packets rx-bytes" of the client's link for it. The
# try with the fewest packets (then bytes) of three, so that a keepalive in between does not count.
one_ping() {
	local who=$1 size=$2 dest=$3 best="" least=0 leastb=0 a b c d
	for _ in 1 2 3; do
		a=$(stat tx packets) b=$(stat tx bytes) c=$(stat rx packets) d=$(stat rx bytes)
		"vt_$who" ping -n -c 1 -W 2 -s "$size" "$dest" >/dev/null 2>&1 || continue
		sleep 0.2
		local tp tb rp rb
		tp=$(($(stat tx packets) - a)) tb=$(($(stat tx bytes) - b))
		rp=$(($(stat rx packets) - c)) rb=$(($(stat rx bytes) - d))
		# Fewest packets, then fewest bytes: a stray packet only ever adds.
		if [ -z "$best" ] || [ $((tp + rp)) -lt "$least" ] ||
			{ [ $((tp + rp)) -eq "$least" ] && [ $((tb + rb)) -lt "$leastb" ]; }; then
			best="$tp $tb $rp $rb" least=$((tp + rp)) leastb=$((tb + rb))
		fi
	done
	printf '%s' "${best:-none}"
}

# pings LABEL DEST WHO: 5 pings of each size, all answered.
pings() {
	local label=$1 dest=$2 who=$3 size out
	for size in 1000 1400 3000; do
		out=$("vt_$who" ping -n -c 5 -i 0.1 -W 2 -s "$size" "$dest" 2>&1)
		if [[ $out == *" 0% packet loss"* ]]; then
			vt_pass "$label: 5 pings of $size bytes from the $who side answered"
		else
			vt_fail "$label: 5 pings of $size bytes from the $who side answered"
			printf '%s\n' "$out" | grep -E 'transmitted|rtt' | sed 's/^/  /'
		fi
	done
}

# session LABEL KIND EXPECT: one client session; KIND is "test" or "stock". Sets
# counts_KIND to the link counts of one ping per size, client side then server side.
session() {
	local label=$1 kind=$2 expect=$3 ip counts="" size got
	if [ "$kind" = stock ]; then VT_CLIENT_CMD=("${stock[@]}"); else VT_CLIENT_CMD=("${under_test[@]}"); fi
	vt_client_start
	if ! vt_wait_tun_ipv4 15; then
		vt_fail "$label: connected within 15 s"
		vt_dump_logs
		vt_client_stop 5
		return 1
	fi
	vt_pass "$label: connected in $VT_CONNECT_MS ms"
	ip=$(cli_tun_ip)
	# The fragment limit and the MSS clamp each client computed (verb 4 logs them both).
	local frame
	if [ "$kind" = stock ] || vt_client_is_stock; then
		frame=$(grep -o 'Fragmentation MTU parms \[ mss_fix:[0-9]* max_frag:[0-9]*' "$VT_DIR/client.log" | tail -n 1)
		frame=${frame#*\[ }
	else
		frame=$(sed -n 's/.*at most \([0-9]*\) bytes of payload per fragment (max_frag), TCP MSS \([0-9]*\).*/mss_fix:\2 max_frag:\1/p' \
			"$VT_DIR/client.log" | tail -n 1)
	fi
	counts+="${frame:-no-frame-line} "
	pings "$label" "$VT_TUN_SRV_IP" cli
	pings "$label" "$ip" srv
	# Link packets per ping: request out and reply in (client side), then the server's ping.
	local i=0 want
	for size in 1000 1400 3000; do
		got=$(one_ping cli "$size" "$VT_TUN_SRV_IP")
		counts+="c$size:$got "
		read -r -a want <<<"$expect"
		local tx=${got%% *}
		if [ "$tx" = "${want[$i]}" ]; then
			vt_pass "$label: a ping of $size bytes left in $tx link packet(s)"
		else
			vt_fail "$label: a ping of $size bytes left in $tx link packet(s), want ${want[$i]}"
		fi
		got=$(one_ping srv "$size" "$ip")
		counts+="s$size:$got "
		i=$((i + 1))
	done
	printf -v "counts_$kind" '%s' "$counts"
	vt_info "$kind counts: $counts"
	if [ "$kind" = test ]; then
		local up down
		up=$(VT_IPERF_TIME=2 vt_iperf 2>/dev/null) || { sleep 0.5; up=$(VT_IPERF_TIME=2 vt_iperf); }
		down=$(VT_IPERF_TIME=2 vt_iperf -R 2>/dev/null) || { sleep 0.5; down=$(VT_IPERF_TIME=2 vt_iperf -R); }
		if [ -n "${up:-}" ] && [ -n "${down:-}" ]; then
			vt_pass "$label: iperf3 TCP up $up Mbit/s, down $down Mbit/s"
		else
			vt_fail "$label: iperf3 TCP both ways"
		fi
		if grep -q 'dropped a packet.*fragment' "$VT_DIR/client.log"; then
			vt_fail "$label: no fragment dropped"
			grep 'dropped a packet' "$VT_DIR/client.log" | sed 's/^/  /'
		else
			vt_pass "$label: no fragment dropped"
		fi
	fi
	if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "$label: SIGTERM, exit code 0"
	else
		vt_fail "$label: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
	fi
	vt_check "$label: client namespace clean" vt_ns_clean
}

# frag_case LABEL SERVER-LINES CLIENT-LINES EXPECT [v6]: EXPECT is the link packets one
# ping of 1000, 1400 and 3000 bytes sends from the client; v6 runs the link over IPv6.
frag_case() {
	local label=$1 expect=$4
	if [ "${5:-}" = v6 ]; then
		VT_SRV_PROTO=udp6 VT_SRV_LOCAL=$VT_SRV_IP6 VT_REMOTE=$VT_SRV_IP6
	else
		VT_SRV_PROTO=udp VT_SRV_LOCAL=$VT_SRV_IP VT_REMOTE=$VT_SRV_IP
	fi
	VT_SERVER_EXTRA=$2
	VT_CLIENT_EXTRA=$3
	VT_CLIENT_VERB=4
	counts_test="" counts_stock=""
	vt_server_conf "${ciphers:-}"
	vt_client_conf "${ciphers:-}"
	if ! vt_check "$label: server up" vt_server_start; then
		vt_server_stop
		return
	fi
	if vt_check "$label: iperf3 server up" vt_iperf_start; then
		session "$label" test "$expect"
		if vt_client_is_stock; then
			: # the stock client was the one under test
		elif session "$label (stock client)" stock "$expect" && [ -n "$counts_test" ]; then
			if [ "$counts_test" = "$counts_stock" ]; then
				vt_pass "$label: the same link packets and bytes as stock openvpn ($counts_test)"
			else
				vt_fail "$label: link packets and bytes differ from stock openvpn"
				vt_log "  under test: $counts_test"
				vt_log "  stock:      $counts_stock"
			fi
		fi
		VT_CLIENT_CMD=("${under_test[@]}")
	fi
	vt_iperf_stop
	vt_server_stop
}

# AES-256-GCM with peer-id: 24 bytes per packet, 4 more for the fragment header.
# fragment 1200: at most 1172 bytes a fragment: 1028 whole, 1428 in 2, and -s 3000
# (IP fragments of 1500, 1500 and 68 bytes) in 2 + 2 + 1. fragment 600 (572): 2, 3, 3 + 3 + 1.
for c in $cases; do
	case $c in
	f1200) frag_case f1200 "fragment 1200" "fragment 1200" "1 2 5" ;;
	f1200-mssfix) frag_case f1200-mssfix $'fragment 1200\nmssfix 1200' $'fragment 1200\nmssfix 1200' "1 2 5" ;;
	f600) frag_case f600 "fragment 600" "fragment 600" "2 3 7" ;;
	# The framing byte rides in the first fragment: 1429 framed bytes still make 2.
	f1200-lzo) frag_case f1200-lzo $'fragment 1200\ncomp-lzo no\npush "comp-lzo no"' \
		$'fragment 1200\ncomp-lzo no' "1 2 5" ;;
	# 'mtu': 1200 with the outer IPv6 and UDP headers (48 bytes) leaves 1124 a fragment.
	# CBC: the limit is rounded to whole blocks and the packet id is inside each fragment.
	f1200-cbc) ciphers=AES-256-CBC frag_case f1200-cbc "fragment 1200" "fragment 1200" "1 2 5" ;;
	f1200-mtu6) frag_case f1200-mtu6 "fragment 1200 mtu" $'fragment 1200 mtu\nmssfix 1200 mtu' "1 2 5" v6 ;;
	*) vt_fail "unknown case $c" ;;
	esac
done

# 2.6 refuses fragment over TCP; so does vpnc, before connecting, naming the option.
if ! vt_client_is_stock; then
	VT_CLIENT_EXTRA=$'fragment 1200\nproto tcp'
	VT_SERVER_EXTRA=""
	vt_client_conf
	out=$(vt_cli timeout 10 "${VT_CLIENT_CMD[@]}" --config "$VT_DIR/$VT_CLIENT_CONF" --dns-mode none 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && [[ $out == *"option 'fragment' can only be used with 'proto udp'"* ]]; then
		vt_pass "fragment with proto tcp refused (exit $rc)"
	else
		vt_fail "fragment with proto tcp refused (exit $rc): $out"
	fi
fi

vt_summary $name
