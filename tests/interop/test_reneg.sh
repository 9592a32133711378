#!/bin/bash
# test_reneg.sh: server-initiated renegotiation while traffic flows.
#
# Usage: test_reneg.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# The server renegotiates every 4 s (eduVPN: every 10 h; the client has
# reneg-sec 0). Over 12 s of pings the server must complete at least two
# renegotiations (new TLS sessions, dynamic tls-crypt keys, new data keys)
# while at most one ping is lost, and traffic must still flow afterwards.
# Needs root.

# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_reneg
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

VT_SERVER_EXTRA="reneg-sec 4"
vt_up $name "namespaces, PKI and server (reneg-sec 4) up"

vt_client_start
if ! vt_wait_tun_ipv4 15; then
	vt_fail "connected within 15 s"
	vt_dump_logs
	vt_summary $name
	exit 1
fi
vt_pass "connected in $VT_CONNECT_MS ms"

out=$(vt_cli ping -n -c 24 -i 0.5 -W 2 "$VT_TUN_SRV_IP" 2>&1)
got=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]\+\) received.*/\1/p')
got=${got:-0}
vt_log "  $(printf '%s\n' "$out" | grep 'packets transmitted')"
if [ "$got" -ge 23 ]; then
	vt_pass "pings during renegotiation: $got/24 answered"
else
	vt_fail "pings during renegotiation: $got/24 answered (want >= 23)"
fi

tls=$(grep -c 'Control Channel: TLSv1.3' "$VT_DIR/server.log")
if [ "$tls" -ge 3 ]; then
	vt_pass "server completed $((tls - 1)) renegotiations"
else
	vt_fail "server completed $((tls - 1)) renegotiations (want >= 2)"
fi
vt_check "ping IPv4 after renegotiation" vt_ping "$VT_TUN_SRV_IP"
vt_check "ping IPv6 after renegotiation" vt_ping "$VT_TUN_SRV_IP6"

if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
	vt_pass "SIGTERM, exit code 0 in $VT_CLI_STOP_MS ms"
else
	vt_fail "SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
fi
vt_check "client namespace clean" vt_ns_clean

[ "$VT_FAILED" -ne 0 ] && vt_dump_logs
vt_summary $name
