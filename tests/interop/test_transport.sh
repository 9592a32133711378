#!/bin/bash
# test_transport.sh: the client over UDP on IPv6, and to a dual-stack server.
#
# Usage: test_transport.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# udp6: server `proto udp6` on fd00:199::1, client `remote fd00:199::1`.
# dual: server `proto udp6` bound to [::] (as eduVPN runs it), client
#       `remote <IPv4>`, so the server sees a v4-mapped peer.
# Each case: connect, ping v4/v6 in the tunnel, SIGTERM, clean. Needs root.

# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_transport
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

if ! vt_check "namespaces and PKI" eval 'vt_netns_up && vt_pki ed25519'; then
	vt_summary $name
	exit 1
fi

for case in udp6 dual; do
	case $case in
	udp6) VT_SRV_PROTO=udp6 VT_SRV_LOCAL=$VT_SRV_IP6 VT_REMOTE=$VT_SRV_IP6 ;;
	dual) VT_SRV_PROTO=udp6 VT_SRV_LOCAL="" VT_REMOTE=$VT_SRV_IP ;;
	esac
	vt_server_conf
	vt_client_conf
	if vt_check "$case: server up ($VT_SRV_PROTO ${VT_SRV_LOCAL:-[::]}, client to $VT_REMOTE)" vt_server_start; then
		vt_connect_cycle "$case"
	fi
	vt_server_stop
done

vt_summary $name
