#!/bin/bash
# test_fail.sh: a session that cannot work ends quickly, clearly and cleanly.
#
# Usage: test_fail.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#        VT_CASES="wrong-ca" test_fail.sh ...  (only those cases)
#
# Against a stock OpenVPN 2.6 server, cases:
#   wrong-ca     the client trusts another CA than the one that signed the
#                server's certificate
#   wrong-name   `verify-x509-name wrongname name` while the server is CN=server
#   no-cipher    the client offers only CHACHA20-POLY1305, the server only
#                AES-128-GCM (the server answers AUTH_FAILED)
# In each, the client must exit by itself within 5 s with the status vpnc
# documents for the cause (3: the certificate failed verification, 4:
# AUTH_FAILED; docs/vpnc.8, EXIT STATUS), print a line that names the cause, and leave no tun device, address or
# route behind. Stock openvpn retries TLS failures forever unless told
# `tls-exit`, so only its profile gets that line; it exits with status 0 in
# all three cases, so its status is not checked. Also, for vpnc, a profile
# with an unknown option and a missing one: status 2. Needs root.

# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$lib"

name=${VT_NAME:-test_fail}
all_cases="wrong-ca wrong-name no-cipher"
cases=${VT_CASES:-$all_cases}

vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}; cases: $cases"

setup() {
	vt_netns_up && vt_pki ed25519 && vt_pki ed25519 pki-other
}
if ! vt_check "namespaces and two PKIs" setup; then
	vt_summary "$name"
	exit 1
fi
stock_extra=""
vt_client_is_stock && stock_extra="tls-exit"

# fail_case LABEL CAUSE-REGEX SERVER-CIPHERS CLIENT-CIPHERS EXPECTED-RC: runs
# the client against the current settings and checks how it gives up
# (EXPECTED-RC empty: the status is not checked).
fail_case() {
	local label=$1 cause=$2 line
	VT_CLIENT_EXTRA=$stock_extra
	vt_server_conf "$3"
	vt_client_conf "$4"
	if ! vt_server_start; then
		vt_fail "$label: server up"
		return 1
	fi
	vt_client_start
	if vt_client_wait_exit 5; then
		vt_pass "$label: client exited by itself in $VT_CLI_EXIT_MS ms"
		if [ -n "$5" ]; then
			vt_check "$label: exit status $5 (got $VT_CLI_RC)" [ "$VT_CLI_RC" = "$5" ]
		else
			vt_log "  note: stock client exit status $VT_CLI_RC (not checked)"
		fi
	else
		vt_fail "$label: client exited by itself within 5 s"
		vt_client_stop 5
	fi
	# Stock openvpn's start-up note about BF-CBC mentions cipher negotiation.
	line=$(grep -v -F -- '--cipher is not set' "$VT_DIR/client.log" | grep -i -E -m 1 -- "$cause")
	if [ -n "$line" ]; then
		vt_pass "$label: the cause is named: $line"
	else
		vt_fail "$label: a line names the cause (/$cause/)"
	fi
	vt_check "$label: client namespace clean" vt_ns_clean
	vt_check "$label: no tunnel device left" [ -z "$(vt_tun_dev)" ]
	[ "$VT_FAILED" -ne 0 ] && tail -n 15 "$VT_DIR/client.log" | sed 's/^/  | /'
	vt_server_stop
	VT_CLIENT_EXTRA=""
	VT_CLIENT_CA=""
	VT_X509_NAME="server name"
}

ciphers=AES-256-GCM:CHACHA20-POLY1305
# vpnc's exit status per cause (src/daemon/exitcode.h); stock openvpn's is not checked.
rc_verify=3 rc_auth=4
vt_client_is_stock && rc_verify="" rc_auth=""
for c in $cases; do
	# Every case starts from the lib.sh defaults.
	VT_CLIENT_EXTRA="" VT_CLIENT_CA="" VT_X509_NAME="server name"
	case "$c" in
	wrong-ca)
		VT_CLIENT_CA=$VT_DIR/pki-other/ca.crt
		# OpenSSL's reason for a chain that ends at an unknown CA.
		fail_case "$c" 'self.signed certificate|issuer certificate|unable to get|unknown ca' \
			"$ciphers" "$ciphers" "$rc_verify"
		;;
	wrong-name)
		VT_X509_NAME="wrongname name"
		fail_case "$c" 'wrongname' "$ciphers" "$ciphers" "$rc_verify"
		;;
	no-cipher)
		# The server's AUTH_FAILED reason, or the client's own words.
		fail_case "$c" 'cipher negotiation failed|no (shared|common) (data )?cipher' \
			AES-128-GCM CHACHA20-POLY1305 "$rc_auth"
		;;
	*) vt_fail "unknown case '$c'" ;;
	esac
done

# A profile that does not load ends vpnc with status 2 before any packet is
# sent (the systemd unit does not restart on it), naming file and line.
if ! vt_client_is_stock; then
	printf 'remote 127.0.0.1 1194\nbogus-option x\n' >"$VT_DIR/typo.conf"
	"${VT_CLIENT_CMD[@]}" --config "$VT_DIR/typo.conf" >"$VT_DIR/typo.log" 2>&1
	rc=$?
	vt_check "a profile with an unknown option: exit status 2 (got $rc)" [ "$rc" = 2 ]
	vt_check "the message names file and line: $(head -n 1 "$VT_DIR/typo.log")" \
		grep -q 'typo.conf:2' "$VT_DIR/typo.log"
	"${VT_CLIENT_CMD[@]}" --config "$VT_DIR/absent" >"$VT_DIR/absent.log" 2>&1
	rc=$?
	vt_check "a profile that does not exist: exit status 2 (got $rc)" [ "$rc" = 2 ]
fi

vt_summary "$name"
