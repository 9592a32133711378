#!/bin/bash
# test_icmp.sh: an ICMP error on the tunnel's UDP path does not make the
# client deaf, against a stock OpenVPN 2.6 server.
#
# Usage: test_icmp.sh <client-binary> | --stock-client
#
# vpnc's UDP socket is connected, so the kernel hands it the ICMP errors of
# its path (port unreachable, host unreachable), and the event loop sees them
# as POLLERR on the socket. The test connects (keepalive 10 60), then for
# 2 seconds the server's namespace answers the tunnel's datagrams with ICMP
# port unreachable (an nftables reject rule: the server process and its
# session stay as they are) while pings go into the tunnel, then lets them
# through again. The session must carry traffic again within 5 s, long
# before ping-restart (60 s) would have restarted it, and with the same
# session (no new handshake). With --stock-client the same checks run
# against stock openvpn (unconnected socket), which is the reference.
# Needs root. Last line: "test_icmp: N passed, M failed".
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_icmp
if ! command -v nft >/dev/null 2>&1; then
	vt_fail "prerequisites: nft (nftables) is needed"
	vt_summary $name
	exit 1
fi
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"
VT_KEEPALIVE="10 60"
vt_up $name

vt_client_start
if ! vt_check "connected within 15 s" vt_wait_tun_ipv4 15; then
	vt_dump_logs
	vt_summary $name
	exit 1
fi
vt_check "ping through the tunnel" vt_ping "$VT_TUN_SRV_IP"
inits_before=$(grep -c "Initialization Sequence Completed" "$VT_DIR/client.log")

reject_on() {
	ip netns exec "$VT_SRV_NS" nft -f - <<-EOF
	table inet vpnct_icmp {
		chain in {
			type filter hook input priority 0; policy accept;
			udp dport $VT_PORT reject with icmp type port-unreachable
		}
	}
	EOF
}
reject_off() { ip netns exec "$VT_SRV_NS" nft delete table inet vpnct_icmp; }

vt_check "the server's namespace rejects the tunnel's datagrams (ICMP port unreachable)" reject_on
# Traffic into the tunnel while rejected: each datagram brings an ICMP error back.
vt_cli ping -n -c 8 -i 0.25 -W 1 "$VT_TUN_SRV_IP" >/dev/null 2>&1
vt_check "lets them through again" reject_off

if vt_wait_ping "$VT_TUN_SRV_IP" 5; then
	vt_pass "traffic flows again $VT_PING_MS ms after the ICMP errors stopped"
else
	vt_fail "traffic flows again within 5 s after the ICMP errors stopped (ping-restart is 60 s)"
	vt_dump_logs
fi
inits_after=$(grep -c "Initialization Sequence Completed" "$VT_DIR/client.log")
vt_check "the same session carried it (no new handshake)" eval '[ "$inits_after" = "$inits_before" ]'
if ! vt_client_is_stock; then
	vt_check "the ICMP error was seen and logged at verb 3" \
		grep -q "link error: connection refused" "$VT_DIR/client.log"
fi
vt_check "SIGTERM ends the client" vt_client_stop 5
vt_summary $name
