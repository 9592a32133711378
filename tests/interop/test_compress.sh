#!/bin/bash
# test_compress.sh: real compression from a stock OpenVPN 2.6 server that
# compresses (`allow-compression yes` on the server), decompressed by the
# client, which itself never compresses (OpenVPN 2.6's allow-compression asym).
#
# Usage: test_compress.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# Cases, each one server and one short session: `comp-lzo yes`, `compress lzo`,
# `compress lz4`, `compress lz4-v2` configured on both sides and pushed, and
# `compress lz4-v2` pushed to a client whose profile has only
# `allow-compression asym`. In each: connect; 20 pings of 1472 zero bytes
# (`ping -p 00`, 1500-byte packets: the tunnel MTU) that all come back intact; the client's link interface
# received less than half the bytes its tunnel device delivered (the server
# compressed the replies and the client decompressed them) and sent more than
# its tunnel device took in (the client did not compress); a short TCP
# transfer each way with a repeating payload; SIGTERM, exit 0, namespace clean.
# `compress lzo` runs over TCP, the others over UDP.
# Last, `compress lz4` pushed to a profile with `allow-compression no`: the
# client must refuse it with a message naming compression (vpnc exits
# non-zero; stock 2.6 restarts). Needs root.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_compress
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

if ! vt_check "namespaces and PKI" eval 'vt_netns_up && vt_pki ed25519'; then
	vt_summary $name
	exit 1
fi

# stat DEV rx|tx: a byte counter of a device in the client namespace.
stat() { vt_cli cat "/sys/class/net/$1/statistics/$2_bytes" 2>/dev/null || echo 0; }

# check_compressed LABEL: the cycle hook: compressible traffic both ways, and the counters.
check_compressed() {
	local label=$1 tun=$VT_CLI_TUN out
	local t_rx0 t_tx0 v_rx0 v_tx0 t_rx t_tx v_rx v_tx
	t_rx0=$(stat "$tun" rx) t_tx0=$(stat "$tun" tx)
	v_rx0=$(stat "$VT_CLI_VETH" rx) v_tx0=$(stat "$VT_CLI_VETH" tx)
	# 1472 bytes of ICMP payload make 1500-byte IP packets: the tunnel MTU, the decompression bound.
	out=$(vt_cli ping -n -c 20 -i 0.05 -W 2 -s 1472 -p 00 "$VT_TUN_SRV_IP" 2>&1)
	# A match, not `printf | grep -q`: under pipefail, grep leaving after its match makes the
	# printf of the lines after it fail (SIGPIPE), and the check with it.
	if [[ $out == *" 0% packet loss"* && $out != *"wrong data"* ]]; then
		vt_pass "$label: 20 pings of 1472 zero bytes (1500-byte packets) came back intact"
	else
		vt_fail "$label: 20 pings of 1472 zero bytes (1500-byte packets) came back intact"
		printf "%s\n" "$out" | grep -v "bytes from" | head -n 20 | sed "s/^/  /"
	fi
	t_rx=$(($(stat "$tun" rx) - t_rx0)) t_tx=$(($(stat "$tun" tx) - t_tx0))
	v_rx=$(($(stat "$VT_CLI_VETH" rx) - v_rx0)) v_tx=$(($(stat "$VT_CLI_VETH" tx) - v_tx0))
	vt_info "tun rx $t_rx tx $t_tx, link rx $v_rx tx $v_tx"
	if [ "$t_rx" -gt 20000 ] && [ $((v_rx * 2)) -lt "$t_rx" ]; then
		vt_pass "$label: received compressed ($v_rx link bytes for $t_rx tunnel bytes)"
	else
		vt_fail "$label: received compressed ($v_rx link bytes for $t_rx tunnel bytes)"
	fi
	if [ "$t_tx" -gt 20000 ] && [ "$v_tx" -gt "$t_tx" ]; then
		vt_pass "$label: sent uncompressed ($v_tx link bytes for $t_tx tunnel bytes)"
	else
		vt_fail "$label: sent uncompressed ($v_tx link bytes for $t_tx tunnel bytes)"
	fi
	local up down
	# One retry each: the iperf3 server may still be closing the previous test ("server is busy").
	up=$(VT_IPERF_TIME=1 vt_iperf --repeating-payload 2>/dev/null) ||
		{ sleep 0.5; up=$(VT_IPERF_TIME=1 vt_iperf --repeating-payload); }
	down=$(VT_IPERF_TIME=1 vt_iperf -R --repeating-payload 2>/dev/null) ||
		{ sleep 0.5; down=$(VT_IPERF_TIME=1 vt_iperf -R --repeating-payload); }
	if [ -n "${up:-}" ] && [ -n "${down:-}" ]; then
		vt_pass "$label: TCP transfer up $up Mbit/s, down $down Mbit/s"
	else
		vt_fail "$label: TCP transfer both ways"
	fi
	if vt_client_is_stock; then
		return 0
	fi
	# vpnc dropped nothing for compression on the way.
	if grep -i 'dropped a packet' "$VT_DIR/client.log" | grep -q -i 'compress'; then
		vt_fail "$label: no packet dropped for compression"
		grep -i 'dropped a packet' "$VT_DIR/client.log" | sed 's/^/  /'
	else
		vt_pass "$label: no packet dropped for compression"
	fi
}

# comp_case LABEL SERVER-LINES CLIENT-LINES [tcp]
comp_case() {
	local label=$1
	VT_SERVER_EXTRA=$2
	VT_CLIENT_EXTRA=$3
	if [ "${4:-}" = tcp ]; then
		VT_SRV_PROTO=tcp-server
		VT_CLIENT_REMOTES="remote $VT_SRV_IP $VT_PORT tcp"
	else
		VT_SRV_PROTO=udp
		VT_CLIENT_REMOTES=""
	fi
	vt_server_conf
	vt_client_conf
	if vt_check "$label: server up" vt_server_start; then
		if vt_check "$label: iperf3 server up" vt_iperf_start; then
			VT_CYCLE_HOOK=check_compressed vt_connect_cycle "$label" AES-256-GCM
		fi
		vt_iperf_stop
	fi
	vt_server_stop
}

srv=$'allow-compression yes\n'
comp_case comp-lzo-yes "${srv}comp-lzo yes"$'\npush "comp-lzo yes"' "comp-lzo yes"
# The same bytes on the wire as comp-lzo yes (no swap for LZO, as in 2.6), so this one runs over TCP.
comp_case compress-lzo-tcp "${srv}compress lzo"$'\npush "compress lzo"' "compress lzo" tcp
comp_case compress-lz4 "${srv}compress lz4"$'\npush "compress lz4"' "compress lz4"
comp_case compress-lz4-v2 "${srv}compress lz4-v2"$'\npush "compress lz4-v2"' "compress lz4-v2"
# Only pushed: the profile allows it with allow-compression asym alone.
comp_case pushed-lz4-v2-asym "${srv}compress lz4-v2"$'\npush "compress lz4-v2"' "allow-compression asym"

# allow-compression no in the profile: a pushed real compression is refused
# with a message naming compression (vpnc exits non-zero; stock 2.6 restarts).
VT_SERVER_EXTRA="${srv}compress lz4"$'\npush "compress lz4"'
VT_CLIENT_EXTRA="allow-compression no"
vt_refused_case allow-compression-no compression 'compress.*(refuse|not allowed)'

vt_summary $name
