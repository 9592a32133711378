#!/bin/bash
# test_client_nat.sh: 'client-nat' against a stock OpenVPN 2.6 server: the
# server sees (and answers) the NATed addresses, the client the local ones.
#
# Usage: test_client_nat.sh <client-binary> | --stock-client
#
# snat: the client's own network 192.168.77.0/24 (an address on its
# loopback) is 10.77.0.0/24 to the server, which routes that network to the
# client (route + iroute in a client-config-dir). A ping from 192.168.77.1
# must reach the server's namespace from 10.77.0.1 (an nftables counter
# there) and its answer come back. dnat: the server's 10.200.0.0/24 (its
# tunnel address 10.200.0.1) is reached as 172.30.0.0/24 (a route in the
# profile); a ping to 172.30.0.1 must arrive at the server for 10.200.0.1
# and its answer come back from 172.30.0.1 (ping accepts nothing else), and
# nothing for 172.30.0.1 may reach the server. TCP through the dnat (iperf3,
# a bounded transfer) checks the rewritten TCP checksums. The server also
# pushes a client-nat dnat (172.31.0.0/24 for its 10.200.0.0/24) with a route:
# 2.6 adds a pushed rule after the profile's, so both must work. With
# --stock-client the same checks run against stock openvpn as the client,
# the reference. Needs root. Last line: "test_client_nat: N passed, M failed".
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_client_nat
if ! command -v nft >/dev/null 2>&1; then
	vt_fail "prerequisites: nft (nftables) is needed"
	vt_summary $name
	exit 1
fi
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"
mkdir -p "$VT_DIR/ccd"
printf 'iroute 10.77.0.0 255.255.255.0\npush "client-nat dnat 172.31.0.0 255.255.255.0 10.200.0.0"\npush "route 172.31.0.0 255.255.255.0"\n' \
	>"$VT_DIR/ccd/client"
VT_SERVER_EXTRA="client-config-dir $VT_DIR/ccd
route 10.77.0.0 255.255.255.0"
VT_CLIENT_EXTRA="client-nat snat 192.168.77.0 255.255.255.0 10.77.0.0
client-nat dnat 172.30.0.0 255.255.255.0 10.200.0.0
route 172.30.0.0 255.255.255.0"
vt_up $name

# Counters in the server's namespace: what its kernel receives from the tunnel.
counters_on() {
	vt_srv nft -f - <<-EOF
	table inet vpnct_cnat {
		chain in {
			type filter hook input priority 0; policy accept;
			ip saddr 10.77.0.1 icmp type echo-request counter
			ip daddr 172.30.0.1 counter
			ip saddr 192.168.77.1 counter
			ip daddr 172.31.0.1 counter
		}
	}
	EOF
}
# count N: the packets of the Nth counter rule above.
count() {
	vt_srv nft list chain inet vpnct_cnat in | awk '/counter packets/ { n++; if (n == '"$1"') { for (i = 1; i <= NF; i++) if ($i == "packets") print $(i + 1) } }'
}

vt_check "counters in the server's namespace" counters_on
vt_check "192.168.77.1 on the client's loopback" vt_cli ip addr add 192.168.77.1/24 dev lo
vt_client_start
if ! vt_check "connected within 15 s" vt_wait_tun_ipv4 15; then
	vt_dump_logs
	vt_summary $name
	exit 1
fi
vt_check "plain ping through the tunnel" vt_ping "$VT_TUN_SRV_IP"
vt_check "snat: a ping from 192.168.77.1 to the server is answered" \
	eval 'vt_cli ping -n -q -c 3 -i 0.3 -W 2 -I 192.168.77.1 "$VT_TUN_SRV_IP" >/dev/null'
n=$(count 1)
vt_check "snat: the server received them from 10.77.0.1 (counter: $n)" eval '[ "${n:-0}" -ge 3 ]'
n=$(count 3)
vt_check "snat: nothing from 192.168.77.1 reached the server (counter: $n)" eval '[ "${n:-1}" = 0 ]'
vt_check "dnat: a ping to 172.30.0.1 is answered (by the server's 10.200.0.1)" \
	eval 'vt_cli ping -n -q -c 3 -i 0.3 -W 2 172.30.0.1 >/dev/null'
n=$(count 2)
vt_check "dnat: nothing for 172.30.0.1 reached the server (counter: $n)" eval '[ "${n:-1}" = 0 ]'
vt_check "pushed dnat: a ping to 172.31.0.1 is answered (by the server's 10.200.0.1)" \
	eval 'vt_cli ping -n -q -c 3 -i 0.3 -W 2 172.31.0.1 >/dev/null'
n=$(count 4)
vt_check "pushed dnat: nothing for 172.31.0.1 reached the server (counter: $n)" eval '[ "${n:-1}" = 0 ]'
if vt_check "iperf3 server in the server's namespace" vt_iperf_start; then
	vt_check "dnat: TCP to 172.30.0.1 (bounded transfer, rewritten TCP checksums)" \
		eval 'vt_cli timeout 30 iperf3 -c 172.30.0.1 -n 2M --connect-timeout 3000 >"$VT_DIR/iperf3.out" 2>&1'
	vt_iperf_stop
fi
vt_check "SIGTERM ends the client" vt_client_stop 5
vt_srv nft delete table inet vpnct_cnat 2>/dev/null
vt_summary $name
