#!/bin/bash
# test_auth.sh: auth-user-pass against a stock OpenVPN 2.6 server that checks
# passwords with a script and hands out auth tokens.
#
# Usage: test_auth.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#        VT_CASES="wrong-password" test_auth.sh ...  (only those cases)
#
# The server runs `auth-user-pass-verify verify.sh via-file` with
# `script-security 2` and `auth-gen-token`; the client has
# `auth-user-pass creds.txt` (user on line 1, password on line 2). Cases:
#   right-password   certificate + password: connects, pings, clean exit
#   inline-creds     the same with an inline <auth-user-pass> block
#   password-only    no client certificate (`verify-client-cert none` on the
#                    server, `username-as-common-name`): connects
#   wrong-password   the client exits non-zero within 5 s and prints the
#                    reason the server gave in AUTH_FAILED; namespace clean
#                    (stock openvpn exits too, but with status 0)
#   token-reneg      `reneg-sec 5` on the server and a verify script that
#                    accepts the password only once: the session survives
#                    two or more renegotiations (so the client must answer
#                    them with the pushed auth-token) under continuous ping
#   token-nocache    the same with `auth-nocache` on the client
#   token-reconnect  a soft restart (SIGUSR1) of the client: the new session
#                    is accepted with the auth-token, the script is not asked
#   token-restart    the server keeps its token key in a file
#                    (auth-gen-token-secret) and restarts (SIGTERM: RESTART to
#                    the client): the client comes back with the token
# In every case the password never appears in the client's output.
# token-restart: the token survives a server restart that sends RESTART.
# Needs root.

# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$lib"

name=${VT_NAME:-test_auth}
# Every case; VT_CASES picks some.
all_cases="right-password inline-creds password-only wrong-password token-reneg token-nocache token-reconnect token-restart"
cases=${VT_CASES:-$all_cases}
user=alice
# A password with blanks and a comma, which the control channel must carry.
password='s3cr3t, pass word'
reason='vpnc-test: password rejected for alice'

vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}; cases: $cases"

# write_verify MAX: the server's verify script. It accepts $user/$password
# at most MAX times (0: always), counts its calls in verify.count, and
# otherwise writes $reason to auth_failed_reason_file and rejects.
write_verify() {
	local max=$1
	cat >"$VT_DIR/verify.sh" <<-EOF
	#!/bin/sh
	# Test password check for the stock server; \$1 is the via-file file.
	n=\$(cat "$VT_DIR/verify.count" 2>/dev/null || echo 0)
	n=\$((n + 1))
	echo "\$n" >"$VT_DIR/verify.count"
	u=\$(sed -n 1p "\$1")
	p=\$(sed -n 2p "\$1")
	if [ "\$u" = "$user" ] && [ "\$p" = "$password" ] && { [ $max = 0 ] || [ \$n -le $max ]; }; then
		exit 0
	fi
	[ -n "\${auth_failed_reason_file:-}" ] && printf '%s' "$reason" >"\$auth_failed_reason_file"
	exit 1
	EOF
	chmod 700 "$VT_DIR/verify.sh"
	rm -f "$VT_DIR/verify.count"
}

# write_creds PASSWORD: the client's credentials file.
write_creds() {
	printf '%s\n%s\n' "$user" "$1" >"$VT_DIR/creds.txt"
	chmod 600 "$VT_DIR/creds.txt"
}

setup() {
	vt_netns_up && vt_pki ed25519
}
if ! vt_check "namespaces and PKI" setup; then
	vt_summary "$name"
	exit 1
fi
VT_CLIENT_EXTRA="auth-user-pass $VT_DIR/creds.txt"

# start_server MAX EXTRA: a server with the verify script (see write_verify).
start_server() {
	write_verify "$1"
	VT_SERVER_EXTRA="script-security 2
auth-user-pass-verify $VT_DIR/verify.sh via-file
tmp-dir $VT_DIR
auth-gen-token 0 120
$2"
	vt_server_conf
	vt_client_conf
	vt_server_start
}

# no_password_leak LABEL: the client's output never shows the password.
no_password_leak() {
	if grep -q -F -- "$password" "$VT_DIR/client.log" 2>/dev/null; then
		vt_fail "$1: the password appears in the client's output"
		return 1
	fi
	vt_pass "$1: the password does not appear in the client's output"
}

hook_script_ran() {
	vt_check "$1: the server's verify script accepted the password" \
		grep -q -E 'TLS: Username/Password authentication succeeded' "$VT_DIR/server.log"
}

case_right() {
	local label=$1 saved_extra=$VT_CLIENT_EXTRA
	write_creds "$password"
	if [ "$2" = inline ]; then
		VT_CLIENT_EXTRA=$(printf '<auth-user-pass>\n%s\n%s\n</auth-user-pass>' "$user" "$password")
	fi
	if ! start_server 0 ""; then
		vt_fail "$label: server up"
		return 1
	fi
	VT_CLIENT_EXTRA=$saved_extra
	VT_CYCLE_HOOK=hook_script_ran
	vt_connect_cycle "$label"
	VT_CYCLE_HOOK=""
	no_password_leak "$label"
	vt_server_stop
}

case_password_only() {
	local label=$1 saved=$VT_CLIENT_CONF
	write_creds "$password"
	if ! start_server 0 "verify-client-cert none
username-as-common-name"; then
		vt_fail "$label: server up"
		return 1
	fi
	# The same profile without <cert> and <key>.
	sed -e '/^<cert>$/,/^<\/cert>$/d' -e '/^<key>$/,/^<\/key>$/d' \
		"$VT_DIR/$saved" >"$VT_DIR/client-nocert.ovpn"
	chmod 600 "$VT_DIR/client-nocert.ovpn"
	VT_CLIENT_CONF=client-nocert.ovpn
	VT_CYCLE_HOOK=hook_script_ran
	vt_connect_cycle "$label"
	VT_CYCLE_HOOK=""
	VT_CLIENT_CONF=$saved
	no_password_leak "$label"
	vt_server_stop
}

case_wrong() {
	local label=$1 saved_extra=$VT_CLIENT_EXTRA
	write_creds "not the password"
	if ! start_server 0 ""; then
		vt_fail "$label: server up"
		return 1
	fi
	vt_client_start
	if vt_client_wait_exit 5; then
		vt_pass "$label: client exited by itself in $VT_CLI_EXIT_MS ms"
		if vt_client_is_stock; then
			# Stock openvpn 2.6 exits 0 after AUTH_FAILED; vpnc must not.
			vt_log "  note: stock client exit code $VT_CLI_RC (not checked)"
		else
			vt_check "$label: exit code non-zero (got $VT_CLI_RC)" [ "$VT_CLI_RC" != 0 ]
		fi
	else
		vt_fail "$label: client exited by itself within 5 s"
		vt_client_stop 5
	fi
	if grep -q -F -- "$reason" "$VT_DIR/client.log"; then
		vt_pass "$label: output has the server's reason: $(grep -F -m 1 -- "$reason" "$VT_DIR/client.log")"
	else
		vt_fail "$label: output has the server's reason '$reason'"
	fi
	vt_check "$label: client namespace clean" vt_ns_clean
	no_password_leak "$label"
	VT_CLIENT_EXTRA=$saved_extra
	vt_server_stop
}

case_token_reneg() {
	local label=$1 out got tls calls saved_extra=$VT_CLIENT_EXTRA
	write_creds "$password"
	[ "$2" = nocache ] && VT_CLIENT_EXTRA="$VT_CLIENT_EXTRA
auth-nocache"
	start_server 1 "reneg-sec 5"
	local up=$?
	VT_CLIENT_EXTRA=$saved_extra
	if [ $up != 0 ]; then
		vt_fail "$label: server up"
		return 1
	fi
	vt_client_start
	if ! vt_wait_tun_ipv4 15; then
		vt_fail "$label: connected within 15 s"
		vt_dump_logs
		vt_client_stop 5
		vt_server_stop
		return 1
	fi
	vt_pass "$label: connected in $VT_CONNECT_MS ms"
	out=$(vt_cli ping -n -c 28 -i 0.5 -W 2 "$VT_TUN_SRV_IP" 2>&1)
	got=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]\+\) received.*/\1/p')
	got=${got:-0}
	if [ "$got" -ge 26 ]; then
		vt_pass "$label: pings across renegotiations: $got/28 answered"
	else
		vt_fail "$label: pings across renegotiations: $got/28 answered (want >= 26)"
	fi
	tls=$(grep -c 'Control Channel: TLSv1.3' "$VT_DIR/server.log")
	vt_check "$label: server completed $((tls - 1)) renegotiations (want >= 2)" [ "$tls" -ge 3 ]
	calls=$(cat "$VT_DIR/verify.count" 2>/dev/null || echo 0)
	vt_check "$label: the verify script ran once (got $calls): later keys used the token" [ "$calls" = 1 ]
	vt_check "$label: the server accepted the auth-token" \
		grep -q 'Username/auth-token authentication succeeded' "$VT_DIR/server.log"
	vt_check "$label: still connected (ping after renegotiations)" vt_ping "$VT_TUN_SRV_IP"
	if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "$label: SIGTERM, exit code 0 in $VT_CLI_STOP_MS ms"
	else
		vt_fail "$label: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
	fi
	vt_check "$label: client namespace clean" vt_ns_clean
	no_password_leak "$label"
	vt_server_stop
}

# case_token_reconnect LABEL usr1|restart: see the cases above.
case_token_reconnect() {
	local label=$1 how=$2 peers calls srv_extra=""
	write_creds "$password"
	if [ "$how" = restart ]; then
		openvpn --genkey auth-token "$VT_DIR/token.key" >/dev/null 2>&1
		srv_extra="auth-gen-token-secret $VT_DIR/token.key"
	fi
	if ! start_server 1 "$srv_extra"; then
		vt_fail "$label: server up"
		return 1
	fi
	vt_client_start
	if ! vt_wait_tun_ipv4 15; then
		vt_fail "$label: connected within 15 s"
		vt_dump_logs
		vt_client_stop 5
		vt_server_stop
		return 1
	fi
	vt_pass "$label: connected in $VT_CONNECT_MS ms"
	# Give the server time to send the token after the push reply.
	vt_check "$label: ping IPv4 $VT_TUN_SRV_IP" vt_ping "$VT_TUN_SRV_IP"
	if [ "$how" = restart ]; then
		vt_server_stop
		peers=0
		vt_server_start || vt_fail "$label: server up again"
	else
		peers=$(vt_server_peers)
		kill -USR1 "$VT_CLI_PID" 2>/dev/null
	fi
	if vt_wait_server_peers $((peers + 1)) 10; then
		vt_pass "$label: the server saw a new session after the $how"
	else
		vt_fail "$label: the server saw a new session within 10 s of the $how"
	fi
	if vt_wait_ping "$VT_TUN_SRV_IP" 10; then
		vt_pass "$label: traffic flows $VT_PING_MS ms after the new session"
	else
		vt_fail "$label: traffic flows within 10 s of the $how"
	fi
	calls=$(cat "$VT_DIR/verify.count" 2>/dev/null || echo 0)
	vt_check "$label: the verify script ran once (got $calls): the new session used the token" [ "$calls" = 1 ]
	vt_check "$label: the server accepted the auth-token" \
		grep -q 'Username/auth-token authentication succeeded' "$VT_DIR/server.log"
	if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "$label: SIGTERM, exit code 0 in $VT_CLI_STOP_MS ms"
	else
		vt_fail "$label: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
	fi
	vt_check "$label: client namespace clean" vt_ns_clean
	no_password_leak "$label"
	vt_server_stop
}

for c in $cases; do
	# Every case starts from the same client settings.
	VT_CLIENT_EXTRA="auth-user-pass $VT_DIR/creds.txt" VT_CLIENT_CONF=client.ovpn
	case "$c" in
	right-password) case_right "$c" file ;;
	inline-creds) case_right "$c" inline ;;
	password-only) case_password_only "$c" ;;
	wrong-password) case_wrong "$c" ;;
	token-reneg) case_token_reneg "$c" cache ;;
	token-nocache) case_token_reneg "$c" nocache ;;
	token-reconnect) case_token_reconnect "$c" usr1 ;;
	token-restart) case_token_reconnect "$c" restart ;;
	*) vt_fail "unknown case '$c'" ;;
	esac
done

[ "$VT_FAILED" -ne 0 ] && vt_dump_logs
vt_summary "$name"
