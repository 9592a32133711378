#!/bin/bash
# test_options_tail.sh: client options of OpenVPN 2.6's long tail, against a
# stock 2.6 server.
#
# Usage: test_options_tail.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# local:     `local ADDR` + `lport 5123` (no `nobind`), ADDR a second address
#            of the client: the server's log shows the session from ADDR:5123.
# inactive:  `inactive 4` and no traffic (the server's pings do not count):
#            the client stops by itself with exit status 0, naming inactive.
# ping-exit: `ping-exit 4` (the pushed ping-restart filtered out, since 2.6
#            lets it replace ping-exit), then the server is killed: the client
#            stops with exit status 0 within a few seconds, naming ping-exit.
# peer info: `push-peer-info` and `setenv UV_DEVICE vt-laptop`, with a default
#            route in the client namespace: the server (verb 4) logs
#            IV_HWADDR (the client veth's MAC), IV_SSL and UV_DEVICE.
# Needs root.

# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_options_tail
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"
VT_SERVER_VERB=4 # the server logs the client's peer info
vt_up $name

local_ip="10.199.$VT_NET_OCTET.3"

# local: the session comes from the given address and port.
if vt_check "a second client address $local_ip" \
	ip -n "$VT_CLI_NS" addr add "$local_ip/24" dev "$VT_CLI_VETH"; then
	VT_CLIENT_EXTRA=$'local '"$local_ip"$'\nlport 5123'
	vt_client_conf
	# 2.6 refuses local (and lport) together with nobind.
	sed -i '/^nobind$/d' "$VT_DIR/$VT_CLIENT_CONF"
	vt_client_start
	if vt_check "local: connected" vt_wait_tun_ipv4 15; then
		if grep -q "$local_ip:5123" "$VT_DIR/server.log"; then
			vt_pass "local: the server sees the session from $local_ip:5123"
		else
			vt_fail "local: the server does not see $local_ip:5123"
			vt_dump_logs
		fi
	fi
	vt_client_stop 5
fi

# inactive: no traffic through the tunnel ends the run cleanly.
VT_CLIENT_EXTRA="inactive 4"
vt_client_conf
vt_client_start
if vt_check "inactive: connected" vt_wait_tun_ipv4 15; then
	if vt_client_wait_exit 12; then
		vt_check "inactive: exit status 0 (got $VT_CLI_RC)" test "$VT_CLI_RC" = 0
		if vt_client_is_stock || grep -q "(inactive)" "$VT_DIR/client.log"; then
			vt_pass "inactive: the log says why"
		else
			vt_fail "inactive: the log does not name inactive"
			vt_dump_logs
		fi
	else
		vt_fail "inactive: the client still runs 12 s after connecting"
		vt_client_stop 5
	fi
else
	vt_client_stop 5
fi

# ping-exit: a server gone silent ends the run cleanly.
VT_CLIENT_EXTRA=$'ping-exit 4\npull-filter ignore ping-restart'
vt_client_conf
vt_client_start
if vt_check "ping-exit: connected" vt_wait_tun_ipv4 15; then
	vt_server_kill
	t0=$(vt_now_us)
	if vt_client_wait_exit 12; then
		ms=$((($(vt_now_us) - t0) / 1000))
		vt_check "ping-exit: exit status 0 (got $VT_CLI_RC)" test "$VT_CLI_RC" = 0
		vt_check "ping-exit: stopped $ms ms after the server died (at most 7500)" test "$ms" -le 7500
		if vt_client_is_stock || grep -q "(ping-exit)" "$VT_DIR/client.log"; then
			vt_pass "ping-exit: the log says why"
		else
			vt_fail "ping-exit: the log does not name ping-exit"
			vt_dump_logs
		fi
	else
		vt_fail "ping-exit: the client still runs 12 s after the server died"
		vt_client_stop 5
	fi
else
	vt_client_stop 5
fi

# peer info: push-peer-info and a UV_ variable reach the stock server.
vt_server_start_again() { vt_server_stop && vt_server_start; }
if vt_check "peer info: a default route in the client namespace" \
	ip -n "$VT_CLI_NS" route add default via "$VT_SRV_IP" dev "$VT_CLI_VETH" &&
	vt_check "peer info: server up again" vt_server_start_again; then
	mac=$(ip netns exec "$VT_CLI_NS" cat "/sys/class/net/$VT_CLI_VETH/address")
	VT_CLIENT_EXTRA=$'push-peer-info\nsetenv UV_DEVICE vt-laptop'
	vt_client_conf
	vt_client_start
	if vt_check "peer info: connected" vt_wait_tun_ipv4 15; then
		for want in "IV_HWADDR=$mac" "IV_SSL=OpenSSL" "UV_DEVICE=vt-laptop"; do
			if grep -q "peer info: $want" "$VT_DIR/server.log"; then
				vt_pass "peer info: the server got $want"
			else
				vt_fail "peer info: the server did not get $want"
				grep 'peer info' "$VT_DIR/server.log" | sed 's/^/    /'
			fi
		done
	fi
	vt_client_stop 5
fi

vt_summary $name
