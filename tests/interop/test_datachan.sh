#!/bin/bash
# test_datachan.sh: the legacy data channel against a stock OpenVPN 2.6 server:
# CBC+HMAC ciphers and the compression framing that servers still push.
#
# Usage: test_datachan.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# Cases, each one server and one short session (connect, ping IPv4 and IPv6
# through the tunnel, SIGTERM, exit 0, namespace clean):
#   AES-256-CBC with auth SHA256, AES-128-CBC with the default auth SHA1,
#   AES-256-CBC with auth SHA512 (data-ciphers-fallback on the client);
#   `comp-lzo no`, `compress` (stub, swap format) and `compress stub-v2`
#   pushed by the server (also with CBC); and real compression
#   (`compress lz4`) pushed to a profile that does not allow it (no compression
#   option: OpenVPN 2.6's default, allow-compression no), which the client must
#   refuse with a message naming compression (vpnc then exits non-zero; stock
#   2.6 restarts). A profile that allows it decompresses: test_compress.sh.
#   A ping through the tunnel proves both
#   directions frame and unframe: the server drops every packet whose framing
#   byte is wrong. Needs root.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_datachan
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

if ! vt_check "namespaces and PKI" eval 'vt_netns_up && vt_pki ed25519'; then
	vt_summary $name
	exit 1
fi

# The auth digest the server reports for the data channel (polls like vt_server_cipher).
server_auth() {
	local i=0 a=""
	while [ $i -lt 30 ]; do
		a=$(sed -n "s/.*Data Channel: cipher '[^']*', auth '\([^']*\)'.*/\1/p" "$VT_DIR/server.log" 2>/dev/null | tail -n 1)
		[ -n "$a" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	printf '%s' "$a"
}

# check_auth LABEL: the cycle hook that checks the server's data-channel digest.
want_auth=""
check_auth() {
	local got
	got=$(server_auth)
	if [ "$got" = "$want_auth" ]; then
		vt_pass "$1: server uses auth $got"
	else
		vt_fail "$1: server uses auth '$got', want '$want_auth'"
	fi
}

# check_push LABEL: the cycle hook that checks what the server pushed.
want_push=""
check_push() {
	if grep -q "PUSH_REPLY.*$want_push" "$VT_DIR/server.log"; then
		vt_pass "$1: server pushed '$want_push'"
	else
		vt_fail "$1: server pushed '$want_push'"
	fi
}

# cbc_case LABEL CIPHER SERVER-AUTH CLIENT-LINES: one CBC session.
cbc_case() {
	local label=$1 cipher=$2 auth=$3 client_lines=$4
	VT_SERVER_EXTRA="auth $auth"
	VT_CLIENT_EXTRA=$client_lines
	want_auth=$auth
	vt_server_conf "$cipher"
	vt_client_conf "$cipher"
	if vt_check "$label: server up" vt_server_start; then
		VT_CYCLE_HOOK=check_auth vt_connect_cycle "$label" "$cipher"
	fi
	vt_server_stop
}

cbc_case aes256cbc-sha256 AES-256-CBC SHA256 "auth SHA256"
cbc_case aes128cbc-sha1 AES-128-CBC SHA1 ""
# The client lists only AEAD ciphers and falls back to CBC, as for a pre-2.4 server.
VT_SERVER_EXTRA="auth SHA512"
VT_CLIENT_EXTRA=$'auth SHA512\ndata-ciphers-fallback AES-256-CBC'
want_auth=SHA512
vt_server_conf AES-256-CBC
vt_client_conf "AES-256-GCM:AES-256-CBC"
if vt_check "aes256cbc-sha512: server up" vt_server_start; then
	VT_CYCLE_HOOK=check_auth vt_connect_cycle aes256cbc-sha512 AES-256-CBC
fi
vt_server_stop

# comp_case LABEL SERVER-LINES CLIENT-LINES PUSHED: one session with compression framing.
comp_case() {
	local label=$1
	VT_SERVER_EXTRA=$2
	VT_CLIENT_EXTRA=$3
	want_push=$4
	vt_server_conf
	vt_client_conf
	if vt_check "$label: server up" vt_server_start; then
		VT_CYCLE_HOOK=check_push vt_connect_cycle "$label" AES-256-GCM
	fi
	vt_server_stop
}

comp_case comp-lzo-no $'comp-lzo no\npush "comp-lzo no"' "" "comp-lzo no"
comp_case compress-stub $'compress\npush "compress"' "" "compress"
comp_case compress-stub-v2 $'compress stub-v2\npush "compress stub-v2"' "" "compress stub-v2"
# The same framings with a CBC cipher.
VT_SERVER_EXTRA=$'data-ciphers AES-128-CBC\nauth SHA256\ncomp-lzo no\npush "comp-lzo no"'
VT_CLIENT_EXTRA=$'auth SHA256'
want_push="comp-lzo no"
vt_server_conf AES-128-CBC
vt_client_conf AES-128-CBC
if vt_check "cbc-comp-lzo-no: server up" vt_server_start; then
	VT_CYCLE_HOOK=check_push vt_connect_cycle cbc-comp-lzo-no AES-128-CBC
fi
vt_server_stop

# Real compression pushed to a profile without any compression option (2.6's
# default is then allow-compression no): the client refuses it and says why.
# vpnc ends the session (exit non-zero); stock 2.6 logs the refusal and restarts.
VT_SERVER_EXTRA=$'allow-compression yes\ncompress lz4\npush "compress lz4"'
VT_CLIENT_EXTRA=""
vt_refused_case compress-lz4 compression 'compress.*(refuse|not allowed)'

VT_SERVER_EXTRA=""
VT_CLIENT_EXTRA=""
vt_summary $name
