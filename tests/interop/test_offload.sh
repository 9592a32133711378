#!/bin/bash
# test_offload.sh: vpnc's fast data path against a stock OpenVPN 2.6 server.
#
# Usage: test_offload.sh <vpnc-binary>
#
# With offloads (the default) the TUN must come up with IFF_VNET_HDR and
# TSO, so TCP super-packets are split into segments before encryption (GSO)
# and received segments are merged before the TUN write (GRO); the stock
# server, which knows nothing of this, must still carry TCP in both
# directions and pings of several sizes. Then the same with --tun-offload no
# (a plain TUN, one datagram per system call), the comparison mode, and with
# its environment alias VPNC_OFFLOAD=0. Each run must end cleanly.
#
# Wakeup coalescing (core/coalesce.h), read back from `vpnc status --json`:
# pings a fifth of a second apart never make the loop sleep; a bulk
# download does (unless its wakeups already come in full batches, which
# `sleeps or full batches` allows for a slow sanitizer build, checked through
# the packet counters); 'coalesce-us 0' in the profile, and its alias
# VPNC_COALESCE_US=0, turn it off (no sleep during the same download); the
# profile wins over the environment; a malformed value is named in the log and
# the default used.
# Needs root. Last line is the summary.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_offload
vt_start "$name" "${1:-}"
if vt_client_is_stock; then
	vt_log "$name: only meaningful for vpnc"
	vt_summary $name
	exit 0
fi

vt_up $name

sock="$VT_DIR/ctl.sock"
VT_CLIENT_ARGS="--control-socket $sock"
# field NAME: a number from the status JSON's data path or stats.
field() {
	"${VT_CLIENT_CMD[0]}" status --json --control-socket "$sock" 2>/dev/null |
		sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}

# ping_size N: two pings of N payload bytes (3000: the kernel fragments them).
ping_size() {
	vt_cli ping -n -c 2 -i 0.2 -W 2 -s "$1" "$VT_TUN_SRV_IP" >/dev/null 2>&1
}

# coalescing LABEL US: the coalescing figures for a run with a sleep of US microseconds.
coalescing() {
	local label=$1 us=$2 n before after
	n=$(field coalesce_us)
	if [ "$n" = "$us" ]; then vt_pass "$label: coalesce_us $us in the status"; else vt_fail "$label: coalesce_us '$n', want $us"; fi
	before=$(field coalesce_sleeps)
	vt_cli ping -n -c 5 -i 0.2 -W 2 "$VT_TUN_SRV_IP" >/dev/null 2>&1
	after=$(field coalesce_sleeps)
	if [ -n "$before" ] && [ "$before" = "$after" ]; then
		vt_pass "$label: pings 0.2 s apart: no coalescing sleep ($after in all)"
	else
		vt_fail "$label: pings 0.2 s apart: sleeps went from '$before' to '$after'"
	fi
	local p0 p1 rate
	p0=$(field packets_in)
	VT_IPERF_TIME=3 vt_iperf -R >/dev/null || vt_fail "$label: TCP server -> client for coalescing"
	p1=$(field packets_in)
	after=$(field coalesce_sleeps)
	rate=$(( (${p1:-0} - ${p0:-0}) / 3000 ))
	if [ "$us" = 0 ]; then
		if [ "$after" = 0 ]; then vt_pass "$label: no sleep during a download"; else vt_fail "$label: $after sleeps while off"; fi
	elif [ "${after:-0}" -gt 0 ]; then
		vt_pass "$label: a download at ~$rate packets/ms made the loop coalesce ($after sleeps)"
	elif [ "$rate" -lt 16 ]; then
		vt_fail "$label: the download ran at only $rate packets/ms: too slow to judge coalescing"
	else
		vt_fail "$label: a download at ~$rate packets/ms made no coalescing sleep"
	fi
}

# one_run LABEL WANT [US]: connect, check the offload log line matches WANT, move traffic, stop.
one_run() {
	local label=$1 want=$2 us=${3:-200} up down
	vt_client_start
	if ! vt_wait_tun_ipv4 15; then
		vt_fail "$label: connected within 15 s"
		vt_dump_logs
		vt_client_stop 5
		return
	fi
	if grep -q "TUN offloads on $VT_CLI_TUN: $want" "$VT_DIR/client.log"; then
		vt_pass "$label: TUN offloads: $want"
	else
		vt_fail "$label: TUN offloads: $want (log: $(grep -o 'TUN offloads.*' "$VT_DIR/client.log"))"
	fi
	coalescing "$label" "$us"
	local s
	for s in 56 1200 1400 3000; do
		vt_check "$label: ping of $s bytes" ping_size "$s"
	done
	if up=$(vt_iperf); then
		vt_pass "$label: TCP client -> server: $up Mbit/s"
	else
		vt_fail "$label: TCP client -> server"
	fi
	if down=$(vt_iperf -R); then
		vt_pass "$label: TCP server -> client: $down Mbit/s"
	else
		vt_fail "$label: TCP server -> client"
	fi
	if down=$(vt_iperf -R -P 4); then
		vt_pass "$label: 4 parallel TCP streams server -> client: $down Mbit/s"
	else
		vt_fail "$label: 4 parallel TCP streams server -> client"
	fi
	if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "$label: clean exit"
	else
		vt_fail "$label: clean exit (rc $VT_CLI_RC)"
	fi
	vt_check "$label: client namespace clean" vt_ns_clean
}

if vt_iperf_start; then
	unset VPNC_OFFLOAD VPNC_COALESCE_US
	base_args=$VT_CLIENT_ARGS
	conf="$VT_DIR/$VT_CLIENT_CONF"
	cp "$conf" "$conf.orig"
	one_run "offloads on" "vnet tso"
	# The options: on the command line, and in the profile.
	VT_CLIENT_ARGS="$base_args --tun-offload no"
	one_run "--tun-offload no" "none (disabled)"
	VT_CLIENT_ARGS=$base_args
	echo "coalesce-us 0" >>"$conf"
	one_run "coalesce-us 0 in the profile" "vnet tso" 0
	cp "$conf.orig" "$conf"
	# The environment aliases of both options.
	export VPNC_OFFLOAD=0 VPNC_COALESCE_US=0
	one_run "VPNC_OFFLOAD=0 VPNC_COALESCE_US=0" "none (disabled)" 0
	# The profile wins over the environment, and a malformed value is a note naming it.
	export VPNC_OFFLOAD=0 VPNC_COALESCE_US=fast
	echo "tun-offload yes" >>"$conf"
	one_run "VPNC_OFFLOAD=0 under 'tun-offload yes', VPNC_COALESCE_US=fast" "vnet tso" 200
	cp "$conf.orig" "$conf"
	if grep -q 'VPNC_COALESCE_US=fast ignored' "$VT_DIR/client.log"; then
		vt_pass "a malformed VPNC_COALESCE_US is named in the log"
	else
		vt_fail "a malformed VPNC_COALESCE_US is named in the log"
	fi
	unset VPNC_OFFLOAD VPNC_COALESCE_US
	vt_iperf_stop
else
	vt_fail "iperf3 server on $VT_TUN_SRV_IP"
fi

[ "$VT_FAILED" -ne 0 ] && vt_dump_logs
vt_summary $name
