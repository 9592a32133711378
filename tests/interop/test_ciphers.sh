#!/bin/bash
# test_ciphers.sh: each AEAD data cipher alone against a stock OpenVPN server.
#
# Usage: test_ciphers.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# For AES-128-GCM, AES-256-GCM and CHACHA20-POLY1305 the server and the
# client each allow only that cipher; the client must connect, pass IPv4 and
# IPv6 traffic, and the server must report that cipher. Needs root.
# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_ciphers
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

if ! vt_check "namespaces and PKI" eval 'vt_netns_up && vt_pki ed25519'; then
	vt_summary $name
	exit 1
fi

for cipher in AES-128-GCM AES-256-GCM CHACHA20-POLY1305; do
	vt_server_conf "$cipher"
	vt_client_conf "$cipher"
	if vt_check "$cipher: server up" vt_server_start; then
		vt_connect_cycle "$cipher" "$cipher"
	fi
	vt_server_stop
done

vt_summary $name
