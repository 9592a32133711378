#!/bin/bash
# test_wrap.sh: every control-channel wrapping against stock OpenVPN 2.6.
#
# Usage: test_wrap.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#        VT_CASES="tls-auth-sha1 none" test_wrap.sh ...  (run only those cases)
#
# One short session per wrapping, each with its own server: tls-auth with
# an inline key and `key-direction 1` (auth SHA256), tls-auth with the key
# file and the direction on the line (auth SHA1), no wrapping at all,
# tls-crypt, and tls-crypt-v2 (a client key made from the server key with
# `openvpn --tls-crypt-v2 server.key --genkey tls-crypt-v2-client`). Each
# session connects, pings over IPv4 and IPv6, ends on SIGTERM with exit code
# 0 and leaves the client namespace clean. Needs root. VT_CASES picks some
# of the cases.

# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$lib"

name=${VT_NAME:-test_wrap}
vt_start_cases "$name" "${1:-}" "tls-auth-sha256 tls-auth-sha1 none tls-crypt tls-crypt-v2"

# run_case WRAP DIGEST INLINE: one server and one session with that wrapping.
run_case() {
	local label=$1
	VT_WRAP=$2 VT_TA_DIGEST=$3 VT_TA_INLINE=$4
	vt_server_conf
	vt_client_conf
	if ! vt_server_start; then
		vt_fail "$label: server up"
		return 1
	fi
	vt_connect_cycle "$label"
	vt_server_stop
}

for c in $cases; do
	case "$c" in
	tls-auth-sha256) run_case "$c (inline, key-direction 1)" tls-auth SHA256 1 ;;
	tls-auth-sha1) run_case "$c (file, direction on the line)" tls-auth SHA1 0 ;;
	none) run_case "$c (no wrapping)" none "" 1 ;;
	tls-crypt) run_case "$c" tls-crypt "" 1 ;;
	tls-crypt-v2) run_case "$c" tls-crypt-v2 "" 1 ;;
	*) vt_fail "unknown case '$c'" ;;
	esac
done

[ "$VT_FAILED" -ne 0 ] && vt_dump_logs
vt_summary "$name"
