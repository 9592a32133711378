#!/bin/bash
# test_shaper.sh: 'shaper N' limits what the client sends to a stock
# OpenVPN 2.6 server to N bytes per second, as 2.6's own client does.
#
# Usage: test_shaper.sh <client-binary> | --stock-client
#
# The client profile says 'shaper 40000'. A bounded burst goes from the
# client through the tunnel to the server: 100 pings of 1228 bytes, one
# every 5 ms (about six times the limit), each answered; the bytes the
# server's namespace receives on its link meanwhile (the veth's counter:
# OpenVPN packets with their UDP, IP and Ethernet headers) are divided by
# the time until the last answer. 2.6 counts the IP and UDP headers but not
# Ethernet's (about 1 %), so the rate must stay below N * 1.1, and above
# N / 2 (the transfer is shaped, not stalled); without the option the same
# transfer must run well above N; and with no 'shaper' in the profile but the
# server pushing 'shaper N', the same limit holds. With --stock-client the same checks run
# against stock openvpn as the client, the reference. Needs root. Last line:
# "test_shaper: N passed, M failed".
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_shaper
rate=40000
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"
VT_CLIENT_EXTRA="shaper $rate"
vt_up $name

rx_bytes() { vt_srv cat "/sys/class/net/$VT_SRV_VETH/statistics/rx_bytes"; }

# measure: one bounded burst, every ping answered; sets bps (bytes a second on the server's link).
measure() {
	local rx0 rx1 t0 t1 out
	bps=0
	rx0=$(rx_bytes) || return 1
	t0=$(vt_now_us)
	out=$(vt_cli ping -n -q -c 100 -i 0.005 -s 1200 -w 30 "$VT_TUN_SRV_IP" 2>&1)
	t1=$(vt_now_us)
	[[ $out == *" 100 received"* ]] || { vt_log "$out"; return 1; }
	rx1=$(rx_bytes) || return 1
	bps=$(((rx1 - rx0) * 1000000 / (t1 - t0)))
	vt_log "  $((rx1 - rx0)) bytes on the server's link in $(((t1 - t0) / 1000)) ms: $bps bytes/s"
}

vt_client_start
if ! vt_check "connected within 15 s" vt_wait_tun_ipv4 15; then
	vt_dump_logs
	vt_summary $name
	exit 1
fi
if vt_check "100 pings of 1228 bytes answered with 'shaper $rate'" measure; then
	vt_check "at most $rate bytes/s (+10 %) reach the server ($bps)" eval "[ $bps -le $((rate * 11 / 10)) ]"
	vt_check "at least $((rate / 2)) bytes/s reach the server ($bps)" eval "[ $bps -ge $((rate / 2)) ]"
fi
vt_check "SIGTERM ends the client" vt_client_stop 5

# The same transfer without the option: the limit came from it.
sed -i '/^shaper /d' "$VT_DIR/$VT_CLIENT_CONF"
vt_client_start
if vt_check "connected again without 'shaper' within 15 s" vt_wait_tun_ipv4 15 &&
	vt_check "the same pings answered without 'shaper'" measure; then
	vt_check "well above $rate bytes/s without it ($bps)" eval "[ $bps -ge $((rate * 3)) ]"
fi
vt_check "SIGTERM ends the client" vt_client_stop 5

# The server pushes 'shaper' (2.6 takes it: OPT_P_SHAPER); the profile has none.
vt_server_stop
printf 'push "shaper %s"\n' "$rate" >>"$VT_DIR/server.conf"
if vt_check "server up, pushing 'shaper $rate'" vt_server_start; then
	vt_client_start
	if vt_check "connected with a pushed shaper within 15 s" vt_wait_tun_ipv4 15 &&
		vt_check "the same pings answered with a pushed 'shaper $rate'" measure; then
		vt_check "pushed: at most $rate bytes/s (+10 %) reach the server ($bps)" \
			eval "[ $bps -le $((rate * 11 / 10)) ]"
		vt_check "pushed: at least $((rate / 2)) bytes/s reach the server ($bps)" \
			eval "[ $bps -ge $((rate / 2)) ]"
	fi
	if ! vt_client_is_stock; then
		vt_check "the log says the server set the shaper" \
			grep -q "shaper: the server set it to $rate bytes per second" "$VT_DIR/client.log"
	fi
	vt_check "SIGTERM ends the client" vt_client_stop 5
fi
vt_summary $name
