#!/bin/bash
# test_auth_token.sh: 'auth-token' and 'auth-token-user' in the client's
# profile, against a stock OpenVPN 2.6 server whose verify script logs every
# username and password it is given (auth-user-pass-verify via-file).
#
# Usage: test_auth_token.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#        VT_CASES="pair" test_auth_token.sh ...  (only those cases)
#
# The client has `auth-user-pass creds.txt` (alice and her password). Cases,
# each what stock OpenVPN 2.6 does as the client with the same profile:
#   pair           `auth-token` + `auth-token-user` (base64 of "bob"): the
#                  first and only login the script sees is bob with the
#                  profile's token; the credentials are never sent
#   pair-rejected  the same, but the script refuses the token: the server's
#                  AUTH_FAILED starts a new attempt (although auth-retry is
#                  none) with alice's credentials, which connects
#   user-only      `auth-token-user` alone: alice's credentials are what the
#                  script sees, and the session connects (2.6 first sends an
#                  empty username, which the server refuses before the script
#                  runs; vpnc skips that refused attempt: no "blank username"
#                  in the server's log)
#   user-only-gen  `auth-token-user` alone, a server with `auth-gen-token` and
#                  `reneg-sec 5`: the pushed token goes with alice's name (the
#                  one its credentials gave, not the profile's), so the server
#                  accepts it at the renegotiation and the script runs once
#   token-only     `auth-token` alone: never sent (2.6 sends a token only with
#                  a name); alice's credentials are
#   empty-user     an inline <auth-user-pass> whose first line is empty (a
#                  password-only form): refused at start, non-zero exit, no
#                  session (2.6: "Auth username is empty")
# In every case neither the token nor the password appears in the client's
# output. Needs root.

# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$lib"

name=${VT_NAME:-test_auth_token}
vt_start_cases "$name" "${1:-}" "pair pair-rejected user-only user-only-gen token-only empty-user"

password='s3cr3t, pass word'
token='SESS_profile_t0ken_4e1d'
bob_b64=$(printf 'bob' | base64)

# write_verify ACCEPT_TOKEN: the server's script; it logs "user=[U] pass=[P]"
# per call to verify.log and accepts alice's credentials, and bob with the
# profile's token when ACCEPT_TOKEN is 1.
write_verify() {
	cat >"$VT_DIR/verify.sh" <<-EOF
	#!/bin/sh
	# Test login check for the stock server; \$1 is the via-file file.
	u=\$(sed -n 1p "\$1")
	p=\$(sed -n 2p "\$1")
	printf 'user=[%s] pass=[%s]\n' "\$u" "\$p" >>"$VT_DIR/verify.log"
	[ "\$u" = alice ] && [ "\$p" = "$password" ] && exit 0
	[ $1 = 1 ] && [ "\$u" = bob ] && [ "\$p" = "$token" ] && exit 0
	exit 1
	EOF
	chmod 700 "$VT_DIR/verify.sh"
	rm -f "$VT_DIR/verify.log"
}

# start_server ACCEPT_TOKEN EXTRA: a server with the verify script.
start_server() {
	write_verify "$1"
	VT_SERVER_EXTRA="script-security 2
auth-user-pass-verify $VT_DIR/verify.sh via-file
tmp-dir $VT_DIR
$2"
	vt_server_conf
	vt_client_conf
	vt_server_start
}

# logins: what the script saw, one login a line.
logins() { cat "$VT_DIR/verify.log" 2>/dev/null; }

# no_leak LABEL: neither the password nor the token in the client's output.
no_leak() {
	if grep -q -F -e "$password" -e "$token" "$VT_DIR/client.log" 2>/dev/null; then
		vt_fail "$1: the password or the token appears in the client's output"
		return 1
	fi
	vt_pass "$1: neither the password nor the token appears in the client's output"
}

# session LABEL ACCEPT_TOKEN SERVER_EXTRA CLIENT_EXTRA: server and client up
# (connected within 15 s, one ping); returns 1 (all stopped) if not.
session() {
	VT_CLIENT_EXTRA="auth-user-pass $VT_DIR/creds.txt
$4"
	if ! start_server "$2" "$3"; then
		vt_fail "$1: server up"
		return 1
	fi
	vt_client_start
	if ! vt_wait_tun_ipv4 15; then
		vt_fail "$1: connected within 15 s"
		vt_dump_logs
		vt_client_stop 5
		vt_server_stop
		return 1
	fi
	vt_pass "$1: connected in $VT_CONNECT_MS ms"
	vt_check "$1: ping IPv4 $VT_TUN_SRV_IP" vt_ping "$VT_TUN_SRV_IP"
}

# finish LABEL: SIGTERM, exit 0, clean namespace, nothing leaked, server stopped.
finish() {
	if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "$1: SIGTERM, exit code 0"
	else
		vt_fail "$1: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
	fi
	vt_check "$1: client namespace clean" vt_ns_clean
	no_leak "$1"
	vt_server_stop
}

# lacks TEXT WORD...: true when TEXT holds none of the WORDs.
lacks() {
	local text=$1 w
	shift
	for w in "$@"; do
		[[ $text == *"$w"* ]] && return 1
	done
	return 0
}

# want_logins LABEL TEXT: the script saw exactly these logins, in this order.
want_logins() {
	local got
	got=$(logins)
	if [ "$got" = "$2" ]; then
		vt_pass "$1: the server's script saw: $(tr '\n' ';' <<<"$got")"
	else
		vt_fail "$1: the server's script saw '$(tr '\n' ';' <<<"$got")', want '$(tr '\n' ';' <<<"$2")'"
	fi
}

printf 'alice\n%s\n' "$password" >"$VT_DIR/creds.txt"
chmod 600 "$VT_DIR/creds.txt"

for c in $cases; do
	VT_CLIENT_CONF=client.ovpn
	case "$c" in
	pair)
		session "$c" 1 "" "auth-token $token
auth-token-user $bob_b64" || continue
		want_logins "$c" "user=[bob] pass=[$token]"
		if ! vt_client_is_stock; then
			# --check-config says the profile holds a token and a name, never their values.
			plan=$("${VT_CLIENT_CMD[@]}" --check-config "$VT_DIR/$VT_CLIENT_CONF" 2>&1)
			vt_check "$c: --check-config names the profile's auth-token" \
				grep -q 'auth-token: from the profile, with its auth-token-user' <<<"$plan"
			json=$("${VT_CLIENT_CMD[@]}" --check-config "$VT_DIR/$VT_CLIENT_CONF" --json 2>&1)
			vt_check "$c: --check-config --json has auth_token" \
				grep -q '"auth_token":{"token":true,"user":true}' <<<"$json"
			vt_check "$c: --check-config shows neither the token nor the name" \
				lacks "$plan$json" "$token" bob
		fi
		finish "$c"
		;;
	pair-rejected)
		session "$c" 0 "" "auth-token $token
auth-token-user $bob_b64" || continue
		want_logins "$c" "user=[bob] pass=[$token]
user=[alice] pass=[$password]"
		finish "$c"
		;;
	user-only)
		session "$c" 0 "" "auth-token-user $bob_b64" || continue
		want_logins "$c" "user=[alice] pass=[$password]"
		if vt_client_is_stock; then
			vt_log "  note: the stock client's refused first attempt: $(grep -c 'blank username' "$VT_DIR/server.log") blank username line(s) in the server's log"
		else
			vt_check "$c: no refused attempt with an empty username first" \
				lacks "$(cat "$VT_DIR/server.log")" 'blank username'
		fi
		finish "$c"
		;;
	user-only-gen)
		session "$c" 0 "auth-gen-token 0 120
reneg-sec 5" "auth-token-user $bob_b64" || continue
		# Two renegotiations (reneg-sec 5) under the pushed token.
		vt_check "$c: still up across renegotiations" vt_wait_ping "$VT_TUN_SRV_IP" 3
		sleep 11
		vt_check "$c: still up after 11 s of renegotiations" vt_ping "$VT_TUN_SRV_IP"
		vt_check "$c: the server accepted the pushed auth-token with alice's name" \
			grep -q 'Username/auth-token authentication succeeded' "$VT_DIR/server.log"
		want_logins "$c" "user=[alice] pass=[$password]"
		finish "$c"
		;;
	token-only)
		session "$c" 1 "" "auth-token $token" || continue
		want_logins "$c" "user=[alice] pass=[$password]"
		finish "$c"
		;;
	empty-user)
		VT_CLIENT_EXTRA=$(printf '<auth-user-pass>\n\n%s\n</auth-user-pass>' "$password")
		if ! start_server 0 ""; then
			vt_fail "$c: server up"
			continue
		fi
		vt_client_start
		if vt_client_wait_exit 5; then
			vt_pass "$c: the client stopped by itself"
			vt_check "$c: exit code non-zero (got $VT_CLI_RC)" [ "$VT_CLI_RC" != 0 ]
		else
			vt_fail "$c: the client stopped by itself within 5 s"
			vt_client_stop 5
		fi
		vt_check "$c: the server saw no login" [ -z "$(logins)" ]
		vt_log "  client said: $(grep -i -m 1 'username' "$VT_DIR/client.log")"
		vt_check "$c: client namespace clean" vt_ns_clean
		no_leak "$c"
		vt_server_stop
		;;
	*) vt_fail "unknown case '$c'" ;;
	esac
done

[ "$VT_FAILED" -ne 0 ] && vt_dump_logs
vt_summary "$name"
