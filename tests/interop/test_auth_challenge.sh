#!/bin/bash
# test_auth_challenge.sh: the server's authentication questions, against a
# stock OpenVPN 2.6 server (docs/auth.md).
#
# Usage: test_auth_challenge.sh <client-binary>  (VPNC_CLIENT_CMD overrides)
#
# crv1:     the server's auth-user-pass-verify script answers the right user
#           name and password with a CRV1 dynamic challenge (through 2.6's
#           auth_failed_reason_file) and accepts only the user name it put in
#           the challenge with "CRV1::<state>::<code>". vpnc runs on a pseudo
#           terminal (python3 pty) that types the code when asked: it connects.
#           Typing a wrong code ends vpnc with the authentication exit code and
#           a clear sentence.
# crtext:   the server's management interface (management-client-auth),
#           driven by this test, answers the connect with client-pending-auth
#           "CR_TEXT:R,E:..."; it checks the client announced crtext in IV_SSO,
#           reads >CLIENT:CR_RESPONSE, checks the code and lets the client in
#           (client-auth-nt). vpnc, answered on its terminal, connects; and
#           once more without a terminal, answered with `vpnc answer` after
#           `vpnc status --json` showed the question.
# crtext/privsep: the same with privilege separation (the default), the
#           network process jailed (uid not 0, seccomp): the privileged parent
#           asks on the terminal and hands the code over the control socket;
#           and when `vpnc answer` answers first, the parent lets go of the
#           terminal.
# webauth:  the same with "WEB_AUTH::<url>": the URL appears in `vpnc status`
#           (and the log) while the server waits; then the server lets it in.
# Needs root and python3.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_auth_challenge
vt_start "$name" "${1:-}"
if vt_client_is_stock; then
	vt_log "SKIP: the stock client answers these only through its management interface"
	vt_summary $name
	exit 0
fi
if ! command -v python3 >/dev/null; then
	vt_fail "python3 is needed to drive a terminal and the management interface"
	vt_summary $name
	exit 1
fi
vpnc=${VT_CLIENT_CMD[0]}
if ! vt_check "namespaces and PKI" eval 'vt_netns_up && vt_pki ed25519'; then
	vt_summary $name
	exit 1
fi

user=alice
password=first-factor
crv1_user="alice@corp"   # the challenge names the user the answer must come from
state="st4te-42"
code=424242              # the deterministic one-time code
printf '%s\n%s\n' "$user" "$password" >"$VT_DIR/creds.txt"
chmod 600 "$VT_DIR/creds.txt"

# ---- the pseudo terminal: runs a command on a pty, types ANSWER after PROMPT appears ----
cat >"$VT_DIR/ptyrun.py" <<'EOF'
import os, pty, select, signal, sys, time
# ptyrun.py PROMPT ANSWER LOG SECONDS -- CMD...: the output goes to LOG; each time PROMPT
# appears in new output, ANSWER and a newline are typed. SIGTERM/SIGINT go to the command;
# exits with its status. After SECONDS the command is killed.
prompt, answer, log, limit = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3], float(sys.argv[4])
cmd = sys.argv[sys.argv.index("--") + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
for s in (signal.SIGTERM, signal.SIGINT):
    signal.signal(s, lambda n, f: os.kill(pid, n))
seen, deadline = b"", time.monotonic() + limit
with open(log, "ab", buffering=0) as out:
    while time.monotonic() < deadline:
        try:
            r, _, _ = select.select([fd], [], [], 0.2)
        except InterruptedError:
            continue
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            out.write(data)
            seen += data
            while prompt in seen:
                seen = seen[seen.index(prompt) + len(prompt):]
                time.sleep(0.2)
                os.write(fd, answer + b"\n")
            seen = seen[-len(prompt):]
        got, status = os.waitpid(pid, os.WNOHANG)
        if got == pid:
            sys.exit(os.waitstatus_to_exitcode(status))
    else:
        os.kill(pid, signal.SIGKILL)
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
EOF

# pty_client_start ANSWER: vpnc on a pseudo terminal that types ANSWER to "CHALLENGE:".
pty_client_start() {
	VT_CLI_RC=""
	VT_CLI_TUN=""
	VT_CONNECT_MS=""
	: >"$VT_DIR/client.log"
	VT_CLI_T0=$(vt_now_us)
	ip netns exec "$VT_CLI_NS" python3 "$VT_DIR/ptyrun.py" "CHALLENGE:" "$1" "$VT_DIR/client.log" 120 -- \
		"${VT_CLIENT_CMD[@]}" --config "$VT_DIR/$VT_CLIENT_CONF" --dns-mode none \
		--control-socket "$VT_DIR/ctl.sock" &
	VT_CLI_PID=$!
}

log_has() { grep -qF -- "$1" "$VT_DIR/client.log"; }

# ---- crv1 ----
cat >"$VT_DIR/verify.sh" <<EOF
#!/bin/sh
u=\$(sed -n 1p "\$1")
p=\$(sed -n 2p "\$1")
if [ "\$u" = "$user" ] && [ "\$p" = "$password" ]; then
	echo challenge >>"$VT_DIR/verify.calls"
	printf 'CRV1:R,E:%s:%s:%s' "$state" "\$(printf '%s' "$crv1_user" | base64)" \
		'Enter the code from your token:' >"\$auth_failed_reason_file"
	exit 1
fi
if [ "\$u" = "$crv1_user" ] && [ "\$p" = "CRV1::$state::$code" ]; then
	echo accepted >>"$VT_DIR/verify.calls"
	exit 0
fi
echo "rejected \$u" >>"$VT_DIR/verify.calls"
exit 1
EOF
chmod 700 "$VT_DIR/verify.sh"
VT_SERVER_EXTRA="script-security 2
auth-user-pass-verify $VT_DIR/verify.sh via-file
tmp-dir $VT_DIR"
VT_CLIENT_EXTRA="auth-user-pass $VT_DIR/creds.txt"
vt_server_conf
vt_client_conf
if vt_check "crv1: server up" vt_server_start; then
	pty_client_start "$code"
	if vt_check "crv1: connected after answering the challenge" vt_wait_tun_ipv4 40; then
		vt_check "crv1: the challenge text was shown" log_has "CHALLENGE: Enter the code from your token:"
		vt_check "crv1: the server saw the challenge, then the answer from the challenge's user" \
			eval '[ "$(tr "\n" " " <"$VT_DIR/verify.calls")" = "challenge accepted " ]'
		vt_check "crv1: ping through the tunnel" vt_ping "$VT_TUN_SRV_IP"
	fi
	vt_check "crv1: the code is not in the log" eval '! log_has "CRV1::"'
	vt_check "crv1: SIGTERM, exit 0" eval 'vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]'
	vt_check "crv1: client namespace clean" vt_ns_clean

	# A wrong code: the server's plain AUTH_FAILED ends vpnc (exit code 4, vpnc(8)).
	rm -f "$VT_DIR/verify.calls"
	pty_client_start 999999
	if vt_check "crv1 wrong code: vpnc exits by itself" vt_client_wait_exit 40; then
		vt_check "crv1 wrong code: exit code 4 (authentication)" eval '[ "$VT_CLI_RC" = 4 ]'
		vt_check "crv1 wrong code: one clear sentence" log_has "Exiting: authentication failed"
		vt_check "crv1 wrong code: the server saw the wrong answer" grep -qF "rejected $crv1_user" "$VT_DIR/verify.calls"
	else
		vt_client_stop 5
	fi
	vt_check "crv1 wrong code: client namespace clean" vt_ns_clean
	vt_server_stop
fi

# ---- the management interface of the server, driven from here ----
cat >"$VT_DIR/mgmt.py" <<'EOF'
import base64, os, socket, sys, time
# mgmt.py SOCK MODE ARG ENVLOG: answers >CLIENT:CONNECT on the server's management socket.
#   crtext CODE:   client-pending-auth with a CR_TEXT challenge; the CR_RESPONSE decides.
#   webauth FILE:  client-pending-auth with a WEB_AUTH URL; lets the client in once FILE exists.
# Every line read goes to ENVLOG. Ends after 110 s at most.
path, mode, arg, envlog = sys.argv[1:5]
url = "https://login.example.invalid/approve?session=42&x=%2F"
deadline = time.monotonic() + 110
s = socket.socket(socket.AF_UNIX)
s.connect(path)
s.settimeout(0.5)
log = open(envlog, "a", buffering=1)
log.write("connected\n")
buf, waiting = b"", []
def send(line):
    log.write("<< " + line + "\n")
    s.sendall(line.encode() + b"\n")
while time.monotonic() < deadline:
    if mode == "webauth" and waiting and os.path.exists(arg):
        for cid, kid in waiting:
            send("client-auth-nt %s %s" % (cid, kid))
        waiting = []
    try:
        data = s.recv(4096)
    except socket.timeout:
        continue
    if not data:
        break
    buf += data
    while b"\n" in buf:
        line, buf = buf.split(b"\n", 1)
        line = line.decode(errors="replace").rstrip("\r")
        log.write(line + "\n")
        if line.startswith(">CLIENT:CONNECT,") or line.startswith(">CLIENT:REAUTH,"):
            cid, kid = line.split(",")[1:3]
            if line.startswith(">CLIENT:REAUTH,"):
                send("client-auth-nt %s %s" % (cid, kid))
            elif mode == "crtext":
                send('client-pending-auth %s %s "CR_TEXT:R,E:Enter the code from your app" 60' % (cid, kid))
            else:
                send('client-pending-auth %s %s "WEB_AUTH::%s" 60' % (cid, kid, url))
                waiting.append((cid, kid))
        elif line.startswith(">CLIENT:CR_RESPONSE,"):
            cid, kid, b64 = line.split(",", 3)[1:4]
            got = base64.b64decode(b64).decode(errors="replace")
            if got == arg:
                send("client-auth-nt %s %s" % (cid, kid))
            else:
                send('client-deny %s %s "wrong code" "wrong code"' % (cid, kid))
EOF

# mgmt_start MODE ARG: the server with management-client-auth, and the driver.
mgmt_start() {
	VT_SERVER_EXTRA="management $VT_DIR/mgmt.sock unix
management-client-auth"
	vt_server_conf
	vt_server_start || return 1
	: >"$VT_DIR/mgmt.log"
	vt_srv python3 "$VT_DIR/mgmt.py" "$VT_DIR/mgmt.sock" "$1" "$2" "$VT_DIR/mgmt.log" &
	MGMT_PID=$!
	# A CONNECT while no management client listens would be lost: wait for the driver.
	for _ in $(seq 1 100); do
		grep -q '^connected$' "$VT_DIR/mgmt.log" && return 0
		sleep 0.1
	done
	return 1
}
mgmt_stop() {
	[ -n "${MGMT_PID:-}" ] && vt_kill_wait "$MGMT_PID" 2
	MGMT_PID=""
}
trap 'mgmt_stop; vt_cleanup' EXIT

# ---- crtext ----
VT_CLIENT_EXTRA="auth-user-pass $VT_DIR/creds.txt"
vt_client_conf
if vt_check "crtext: server and its management driver up" mgmt_start crtext "$code"; then
	pty_client_start "$code"
	if vt_check "crtext: connected after answering the challenge" vt_wait_tun_ipv4 40; then
		vt_check "crtext: IV_SSO announced crtext" grep -qE '^>CLIENT:ENV,IV_SSO=.*crtext' "$VT_DIR/mgmt.log"
		vt_check "crtext: the server got the code in CR_RESPONSE" \
			grep -qE "^>CLIENT:CR_RESPONSE,[0-9]+,[0-9]+,$(printf "%s" "$code" | base64)\$" "$VT_DIR/mgmt.log"
		vt_check "crtext: the challenge text was shown" log_has "CHALLENGE: Enter the code from your app"
		vt_check "crtext: ping through the tunnel" vt_ping "$VT_TUN_SRV_IP"
	fi
	vt_check "crtext: SIGTERM, exit 0" eval 'vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]'
	vt_check "crtext: client namespace clean" vt_ns_clean
	mgmt_stop
	vt_server_stop
fi

# ---- crtext through the control socket: no terminal; `vpnc answer` answers ----
if vt_check "crtext/socket: server and its management driver up" mgmt_start crtext "$code"; then
	VT_CLI_RC=""
	VT_CLI_TUN=""
	VT_CONNECT_MS=""
	VT_CLI_T0=$(vt_now_us)
	ip netns exec "$VT_CLI_NS" setsid "${VT_CLIENT_CMD[@]}" --config "$VT_DIR/$VT_CLIENT_CONF" \
		--dns-mode none --control-socket "$VT_DIR/ctl.sock" </dev/null >"$VT_DIR/client.log" 2>&1 &
	VT_CLI_PID=$!
	json=""
	for _ in $(seq 1 150); do
		json=$("$vpnc" status --json --control-socket "$VT_DIR/ctl.sock" 2>/dev/null) || json=""
		[[ $json == *'"kind":"challenge"'* ]] && break
		sleep 0.2
	done
	vt_check "crtext/socket: status --json shows the challenge, echoed as the E flag says" \
		grep -qF '"text":"CHALLENGE: Enter the code from your app","echo":true' <<<"$json"
	vt_check "crtext/socket: vpnc answer gives the code" \
		"$vpnc" answer --control-socket "$VT_DIR/ctl.sock" <<<"$code"
	vt_check "crtext/socket: connected" vt_wait_tun_ipv4 40
	vt_check "crtext/socket: SIGTERM, exit 0" eval 'vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]'
	vt_check "crtext/socket: client namespace clean" vt_ns_clean
	mgmt_stop
	vt_server_stop
fi

# ---- crtext under privilege separation (the default): the jailed network process has no
# terminal; its privileged parent asks on the pty and answers through the control socket ----
# vpnc_proc root|jailed: the pid of this test's vpnc parent (uid 0) or its network process.
vpnc_proc() {
	local p st
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = vpnc ] || continue
		[[ $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) == *"$VT_DIR/ctl.sock"* ]] || continue
		st=$(cat "$p/status" 2>/dev/null) || continue
		if [[ $st == *$'\nUid:\t0\t'* ]]; then
			[ "$1" = root ] && { echo "${p#/proc/}"; return 0; }
		else
			[ "$1" = jailed ] && { echo "${p#/proc/}"; return 0; }
		fi
	done
	return 1
}
# jailed PID: the network process is jailed: not uid 0, a seccomp filter (mode 2).
jailed() {
	local st
	st=$(cat "/proc/$1/status" 2>/dev/null) || return 1
	[[ $st != *$'\nUid:\t0\t'* && $st == *$'\nSeccomp:\t2'* ]]
}
# tty_fds PID: how many of its descriptors are terminals (/dev/pts/N, or /dev/tty opened as such).
tty_fds() { find "/proc/$1/fd" \( -lname '/dev/pts/*' -o -lname /dev/tty \) 2>/dev/null | wc -l; }

if vt_check "crtext/privsep: server and its management driver up" mgmt_start crtext "$code"; then
	pty_client_start "$code"
	if vt_check "crtext/privsep: connected after answering the challenge on the pty" vt_wait_tun_ipv4 40; then
		net=$(vpnc_proc jailed) || net=""
		vt_check "crtext/privsep: the network process ($net) is jailed (uid != 0, Seccomp 2)" jailed "${net:-0}"
		vt_check "crtext/privsep: the challenge was asked on the terminal" \
			log_has "CHALLENGE: Enter the code from your app"
		vt_check "crtext/privsep: the parent handed the typed code over the control socket" \
			log_has "answered on the control socket"
		vt_check "crtext/privsep: the server got the code in CR_RESPONSE" \
			grep -qE "^>CLIENT:CR_RESPONSE,[0-9]+,[0-9]+,$(printf "%s" "$code" | base64)\$" "$VT_DIR/mgmt.log"
	fi
	vt_check "crtext/privsep: SIGTERM, exit 0" eval 'vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]'
	vt_check "crtext/privsep: client namespace clean" vt_ns_clean
	mgmt_stop
	vt_server_stop
fi

# The same question on the pty, nobody types: `vpnc answer` answers first, and the parent lets
# go of the terminal (first answer wins).
if vt_check "crtext/privsep-socket: server and its management driver up" mgmt_start crtext "$code"; then
	VT_CLI_RC=""
	VT_CLI_TUN=""
	VT_CONNECT_MS=""
	: >"$VT_DIR/client.log"
	VT_CLI_T0=$(vt_now_us)
	ip netns exec "$VT_CLI_NS" python3 "$VT_DIR/ptyrun.py" "NOT-A-PROMPT" unused "$VT_DIR/client.log" 120 -- \
		"${VT_CLIENT_CMD[@]}" --config "$VT_DIR/$VT_CLIENT_CONF" --dns-mode none \
		--control-socket "$VT_DIR/ctl.sock" &
	VT_CLI_PID=$!
	json=""
	for _ in $(seq 1 150); do
		json=$("$vpnc" status --json --control-socket "$VT_DIR/ctl.sock" 2>/dev/null) || json=""
		[[ $json == *'"kind":"challenge"'* ]] && log_has "CHALLENGE: Enter the code from your app" && break
		sleep 0.2
	done
	vt_check "crtext/privsep-socket: status --json shows the challenge" grep -qF '"kind":"challenge"' <<<"$json"
	vt_check "crtext/privsep-socket: ... and the terminal shows it too" \
		log_has "CHALLENGE: Enter the code from your app"
	root=$(vpnc_proc root) || root=""
	net=$(vpnc_proc jailed) || net=""
	vt_check "crtext/privsep-socket: the network process ($net) is jailed" jailed "${net:-0}"
	before=$(tty_fds "${root:-0}")
	vt_check "crtext/privsep-socket: vpnc answer gives the code" \
		"$vpnc" answer --control-socket "$VT_DIR/ctl.sock" <<<"$code"
	vt_check "crtext/privsep-socket: connected" vt_wait_tun_ipv4 40
	after=$(tty_fds "${root:-0}")
	vt_check "crtext/privsep-socket: the parent closed its terminal question ($before -> $after descriptors)" \
		eval '[ "$after" -eq $((before - 1)) ]'
	vt_check "crtext/privsep-socket: the server got the code in CR_RESPONSE" \
		grep -qE "^>CLIENT:CR_RESPONSE,[0-9]+,[0-9]+,$(printf "%s" "$code" | base64)\$" "$VT_DIR/mgmt.log"
	vt_check "crtext/privsep-socket: SIGTERM, exit 0" eval 'vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]'
	vt_check "crtext/privsep-socket: client namespace clean" vt_ns_clean
	mgmt_stop
	vt_server_stop
fi

# ---- webauth ----
rm -f "$VT_DIR/approved"
if vt_check "webauth: server and its management driver up" mgmt_start webauth "$VT_DIR/approved"; then
	url='https://login.example.invalid/approve?session=42&x=%2F'
	pty_client_start unused
	shown=""
	for _ in $(seq 1 150); do
		out=$("$vpnc" status --control-socket "$VT_DIR/ctl.sock" 2>/dev/null) || out=""
		if [[ $out == *"$url"* ]]; then
			shown=1
			break
		fi
		sleep 0.2
	done
	vt_check "webauth: vpnc status shows the sign-in URL" eval '[ -n "$shown" ]'
	[ -z "$shown" ] && printf '%s\n' "$out" | sed 's/^/  | /'
	json=$("$vpnc" status --json --control-socket "$VT_DIR/ctl.sock" 2>/dev/null) || json=""
	vt_check "webauth: ... and status --json as info (for NetworkManager)" grep -qF "\"info\":\"$url\"" <<<"$json"
	vt_check "webauth: the log shows the URL" log_has "$url"
	touch "$VT_DIR/approved"
	if vt_check "webauth: connected after the approval" vt_wait_tun_ipv4 40; then
		out=$("$vpnc" status --control-socket "$VT_DIR/ctl.sock" 2>/dev/null) || out=""
		vt_check "webauth: the URL is gone from status once connected" eval '[[ $out != *"$url"* ]]'
	fi
	vt_check "webauth: SIGTERM, exit 0" eval 'vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]'
	vt_check "webauth: client namespace clean" vt_ns_clean
	mgmt_stop
	vt_server_stop
fi
[ "$VT_FAILED" = 0 ] || vt_dump_logs
vt_summary $name
