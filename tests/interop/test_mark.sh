#!/bin/bash
# test_mark.sh: 'mark N' (SO_MARK on the link socket) against a stock
# OpenVPN 2.6 server, with the client under test and then stock openvpn as
# the client on the same profile (docs/options.md, docs/privileges.md).
#
# Usage: test_mark.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# nftables counters in the client namespace (a table of the test's own)
# count the link packets to the server's port with and without the mark;
# ss --extended shows the socket's fwmark. Cases:
#   - 'mark 66', privilege separation (the default): the parent marks the
#     socket the jailed network process sent it: every link packet carries
#     0x42, none goes without, ss shows fwmark:0x42; stock openvpn the same;
#   - 'mark 0x42': 2.6 reads it with atoi(), 0, no mark: no link packet is
#     marked; stock openvpn the same;
#   - 'mark 66' with 'privsep no' (vpnc sets it itself), and with
#     'kill-switch' (its rules match the server's address, not the mark:
#     traffic still flows);
#   - 'mark 66' over TCP (the libuv socket), privilege separation.
# Needs root. Prints PASS/FAIL per check; last line is the summary.
# vt_client_conf and vt_server_conf take optional arguments, not the script's.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_mark
vt_start $name "${1:-}"
under_test=("${VT_CLIENT_CMD[@]}")
stock=("$(command -v openvpn)")
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"
VT_CLIENT_EXTRA="mark 66"
vt_up $name

# counters_set PROTO: a fresh table counting link packets to the server, marked 66 or not.
counters_set() {
	vt_cli nft delete table inet vt_mark 2>/dev/null
	vt_cli nft -f - <<-EOF
	table inet vt_mark {
		counter marked { }
		counter unmarked { }
		chain out {
			type filter hook output priority -300; policy accept;
			ip daddr $VT_SRV_IP $1 dport $VT_PORT meta mark 66 counter name marked
			ip daddr $VT_SRV_IP $1 dport $VT_PORT meta mark != 66 counter name unmarked
		}
	}
	EOF
}
# count NAME: packets counted by counter NAME so far.
count() {
	vt_cli nft list counter inet vt_mark "$1" 2>/dev/null | sed -n 's/.*packets \([0-9]*\).*/\1/p' | head -n 1
}
# fwmarks PROTO: the fwmarks ss shows on the client namespace's UDP (also unconnected: stock
# openvpn's UDP socket is) or connected TCP sockets ("" if none); only the client has any there.
fwmarks() {
	local out opt=-uaneH
	[ "$1" = tcp ] && opt=-tneH
	out=$(vt_cli ss "$opt" 2>/dev/null)
	grep -o 'fwmark:0x[0-9a-f]*' <<<"$out" | sort -u | tr '\n' ' '
}

# session LABEL KIND WANT PROTO: one session with the current profile; KIND "test" or "stock";
# WANT "marked" (every link packet marked 66, ss shows it) or "unmarked" (none marked).
session() {
	local label=$1 kind=$2 want=$3 proto=${4:-udp} m u f
	if [ "$kind" = stock ]; then VT_CLIENT_CMD=("${stock[@]}"); else VT_CLIENT_CMD=("${under_test[@]}"); fi
	vt_client_conf
	counters_set "$proto"
	vt_client_start
	if ! vt_wait_tun_ipv4 15; then
		vt_fail "$label: connected within 15 s"
		vt_dump_logs
		vt_client_stop 5
		VT_CLIENT_CMD=("${under_test[@]}")
		return 1
	fi
	vt_pass "$label: connected in $VT_CONNECT_MS ms"
	vt_check "$label: ping $VT_TUN_SRV_IP through the tunnel" vt_ping "$VT_TUN_SRV_IP"
	f=$(fwmarks "$proto")
	m=$(count marked)
	u=$(count unmarked)
	if [ "$want" = marked ]; then
		vt_check "$label: link packets carry mark 66 ($m marked)" test "${m:-0}" -gt 0
		vt_check "$label: no link packet without it ($u)" test "${u:-x}" = 0
		vt_check "$label: ss shows fwmark:0x42 on the link socket ('$f')" test "$f" = "fwmark:0x42 "
	else
		vt_check "$label: link packets go unmarked ($u)" test "${u:-0}" -gt 0
		vt_check "$label: no link packet marked 66 ($m)" test "${m:-x}" = 0
		vt_check "$label: ss shows no fwmark ('$f')" test -z "$f"
	fi
	vt_client_stop 5
	VT_CLIENT_CMD=("${under_test[@]}")
	return 0
}

# both LABEL WANT [PROTO]: the client under test, then stock openvpn on the same profile.
both() {
	session "$1" test "$2" "${3:-udp}"
	vt_client_is_stock || session "$1 (stock client)" stock "$2" "${3:-udp}"
}

if ! vt_client_is_stock; then
	plan=$("${VT_CLIENT_CMD[@]}" --check-config "$VT_DIR/$VT_CLIENT_CONF" 2>&1)
	vt_check "--check-config names the mark" grep -q 'link socket marked 66 (0x42)' <<<"$plan"
	plan=$("${VT_CLIENT_CMD[@]}" --check-config "$VT_DIR/$VT_CLIENT_CONF" --json 2>&1)
	vt_check "--check-config --json has mark" grep -q '"mark":66' <<<"$plan"
fi
both "mark 66" marked
VT_CLIENT_EXTRA="mark 0x42"
both "mark 0x42 (atoi: 0)" unmarked
if ! vt_client_is_stock; then
	VT_CLIENT_EXTRA=$'mark 66\nprivsep no'
	session "mark 66, privsep no" test marked
	VT_CLIENT_EXTRA=$'mark 66\nkill-switch'
	session "mark 66, kill-switch" test marked
	vt_check "kill switch: rules removed at the end" bash -c "! ip netns exec $VT_CLI_NS nft list tables | grep -q vpnc"
fi

# TCP: the server again, over TCP.
vt_server_stop
VT_SRV_PROTO=tcp
VT_CLIENT_EXTRA=$'mark 66\nproto tcp-client'
vt_server_conf
if vt_check "stock OpenVPN server up over TCP" vt_server_start; then
	both "mark 66 over TCP" marked tcp
fi
vt_cli nft delete table inet vt_mark 2>/dev/null
vt_summary $name
