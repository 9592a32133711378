#!/bin/bash
# test_auth_pending.sh: deferred (pending) authentication and auth-retry.
#
# Usage: test_auth_pending.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# pending:    the server's verify script defers the decision (exit 2), writes an
#             auth_pending_file (timeout, webauth, a WEB_AUTH URL) and approves
#             through auth_control_file 2 s later, as a web login would. The
#             client must show the URL, wait (AUTH_PENDING), then connect.
# nointeract: a wrong password with `auth-retry nointeract`: the client does
#             not exit on AUTH_FAILED but tries again; vpnc logs that at
#             priority warning on a journal stream.
# Needs root.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_auth_pending
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

if ! vt_check "namespaces and PKI" eval 'vt_netns_up && vt_pki ed25519'; then
	vt_summary $name
	exit 1
fi

user=alice
password=pending-pass
printf '%s\n%s\n' "$user" "$password" >"$VT_DIR/creds.txt"
chmod 600 "$VT_DIR/creds.txt"
url="https://login.example.invalid/approve?session=42"

# The verify script: right credentials are deferred and approved 2 s later.
cat >"$VT_DIR/verify.sh" <<EOF
#!/bin/sh
u=\$(sed -n 1p "\$1")
p=\$(sed -n 2p "\$1")
echo called >>"$VT_DIR/verify.calls"
if [ "\$u" != "$user" ] || [ "\$p" != "$password" ]; then
	exit 1
fi
printf '30\nwebauth\nWEB_AUTH::$url\n' >"\$auth_pending_file"
( sleep 2; printf 1 >"\$auth_control_file" ) >/dev/null 2>&1 &
exit 2
EOF
chmod 700 "$VT_DIR/verify.sh"

VT_SERVER_EXTRA="script-security 2
auth-user-pass-verify $VT_DIR/verify.sh via-file
tmp-dir $VT_DIR"
VT_CLIENT_EXTRA="auth-user-pass $VT_DIR/creds.txt"
vt_server_conf
vt_client_conf
if vt_client_is_stock; then
	# The stock client announces web authentication only to a management client.
	vt_log "NOTE: pending: skipped for the stock client (it needs --management for IV_SSO)"
elif vt_check "pending: server up" vt_server_start; then
	vt_client_start
	if vt_check "pending: connected after the deferred approval" vt_wait_tun_ipv4; then
		vt_log "  connected in ${VT_CONNECT_MS} ms"
		vt_check "pending: waited for the approval (>= 1.5 s)" eval '[ "${VT_CONNECT_MS:-0}" -ge 1500 ]'
		vt_check "pending: the login URL is shown to the user" grep -qF "$url" "$VT_DIR/client.log"
		vt_check "pending: ping through the tunnel" vt_ping "$VT_TUN_SRV_IP"
	fi
	vt_check "pending: SIGTERM, exit 0" eval 'vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]'
	vt_check "pending: client namespace clean" vt_ns_clean
	vt_server_stop
fi

# auth-retry nointeract: AUTH_FAILED is not the end.
printf '%s\n%s\n' "$user" "wrong-password" >"$VT_DIR/creds.txt"
rm -f "$VT_DIR/verify.calls"
VT_CLIENT_EXTRA="auth-user-pass $VT_DIR/creds.txt
auth-retry nointeract"
vt_server_conf
vt_client_conf
if vt_check "nointeract: server up" vt_server_start; then
	# vpnc on a journal stream: the retry line has priority warning (a user filtering
	# `journalctl -p warning` sees that the login was refused). client.log keeps its
	# inode when vt_client_start truncates it.
	: >"$VT_DIR/client.log"
	if vt_client_is_stock; then
		vt_client_start
	else
		JOURNAL_STREAM=$(stat -c '%d:%i' "$VT_DIR/client.log") vt_client_start
	fi
	sleep 3
	vt_check "nointeract: still running after AUTH_FAILED" vt_pid_alive "$VT_CLI_PID"
	vt_check "nointeract: the rejection was reported" grep -qi "auth" "$VT_DIR/client.log"
	if ! vt_client_is_stock; then
		vt_check "nointeract: the retry line has priority warning" \
			grep -q '^<4>AUTH: .*; trying again (auth-retry nointeract)' "$VT_DIR/client.log"
	fi
	vt_check "nointeract: SIGTERM, exit 0" eval 'vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]'
	vt_check "nointeract: client namespace clean" vt_ns_clean
	vt_server_stop
fi
[ "$VT_FAILED" = 0 ] || vt_dump_logs
vt_summary $name
