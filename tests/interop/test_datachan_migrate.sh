#!/bin/bash
# test_datachan_migrate.sh: `compress migrate` on a stock OpenVPN 2.6 server with
# `comp-lzo` in the client profile.
#
# Usage: test_datachan_migrate.sh <client-binary> | --stock-client
#
# A 2.6 server with `compress migrate` looks for ",comp-lzo," in the client's
# OCC options string; a client that announces IV_COMP_STUBv2 then gets
# `compress stub-v2` pushed. The client must announce ",comp-lzo" (right after
# ",proto X", as 2.6 does) when its profile has comp-lzo/compress, apply the
# pushed framing, and pass IPv4 and IPv6 pings (vpnc's OCC string:
# src/core/km2.c). Needs root.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib="$here/lib.sh"
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$lib"

name=test_datachan_migrate
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

if ! vt_check "namespaces and PKI" eval 'vt_netns_up && vt_pki ed25519'; then
	vt_summary $name
	exit 1
fi

# check_push LABEL: the cycle hook that checks what the server pushed.
want_push="compress stub-v2"
check_push() {
	if grep -q "PUSH_REPLY.*$want_push" "$VT_DIR/server.log"; then
		vt_pass "$1: server pushed '$want_push'"
	else
		vt_fail "$1: server pushed '$want_push'"
	fi
}

VT_SERVER_EXTRA="compress migrate"
VT_CLIENT_EXTRA="comp-lzo"
vt_server_conf
vt_client_conf
if vt_check "migrate: server up" vt_server_start; then
	VT_CYCLE_HOOK=check_push vt_connect_cycle migrate AES-256-GCM
fi
vt_server_stop

vt_summary $name
