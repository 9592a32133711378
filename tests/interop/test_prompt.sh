#!/bin/bash
# test_prompt.sh: signing in with a password plus a one-time code
# ('static-challenge') against a stock OpenVPN 2.6 server, through each of
# vpnc's ways to ask (docs/prompts.md).
#
# Usage: test_prompt.sh <client-binary> | --stock-client   (VT_CASES="tty ..." picks cases;
#        the stock client runs the tty case only, as the reference)
#
# The server runs `auth-user-pass-verify verify.sh via-file`: the password
# field must be SCRV1:base64(password):base64(code), the code the one the
# test wrote to otp.txt, and a code works once (the script deletes it).
# Cases:
#   tty        vpnc on a pseudo-terminal (python3's pty module) with a bare
#              `auth-user-pass` and `auth-retry interact`: it asks the
#              username, password (not echoed) and `CHALLENGE: ...` (echoed,
#              ECHO 1); a wrong code first gives AUTH_FAILED, and the
#              questions come again (all three, as 2.6 asks), now from the
#              running loop; the right code connects
#   sdask      no terminal (setsid), a file with only the username: the
#              password and the code are asked through the real
#              systemd-ask-password; the test plays the password agent
#              (https://systemd.io/PASSWORD_AGENTS/): reads the ask file,
#              checks Echo= and Id=, answers on its socket
#   control    no terminal: `vpnc status` (text and --json) shows each
#              question, `vpnc answer` (answer on stdin) answers it (a member
#              of control-socket-group sees the question, may not answer); the
#              systemd-ask-password question offered at the same time is
#              withdrawn once the socket answered (first answer wins)
#   keypass    no terminal, an encrypted client key: its passphrase is asked
#              through systemd-ask-password at start, then password and code
#   privsep    the same as control with 'privsep yes': the jailed network process asks
#              on the control socket and its privileged parent, which asks through
#              systemd-ask-password on its behalf (the helper is the parent's child,
#              uid 0) and stops once the socket answered first
#   wrong-otp  a wrong code through the agent: AUTH_FAILED ends vpnc with
#              exit code 4 and the server's reason, as without a challenge
#   username-only  'auth-user-pass username-only' (OpenVPN 2.7): only the
#              username is asked; the server's script gets "[[BLANK]]"
#   nowhere    no terminal, no systemd-ask-password (--untrusted-config) and
#              no control socket: one sentence and exit status 2
# In every case neither the password nor the code is in vpnc's log.
# Needs root and python3.

set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$lib"

name=test_prompt
cases=${VT_CASES:-tty sdask control privsep keypass wrong-otp nowhere username-only}
user=alice
password='pa ss, word'
reason='vpnc-test: wrong password or code'

vt_start "$name" "${1:-}"
stock=0
if vt_client_is_stock; then
	# The reference: stock OpenVPN 2.6 on a terminal asks the same and sends the same SCRV1 field.
	vt_log "stock openvpn: only the tty case (the others are vpnc's own front ends)"
	cases=tty
	stock=1
fi
vpnc=${VT_CLIENT_CMD[0]}
for t in python3 base64 setpriv /usr/bin/systemd-ask-password; do
	if ! command -v "$t" >/dev/null 2>&1; then
		vt_fail "prerequisites: $t is missing (contrib/install-deps.sh test)"
		vt_summary $name
		exit 1
	fi
done
# The profile's name is the instance (systemd-ask-password's --id=vpnc:INSTANCE:KIND).
inst="prompt-$VT_ID"
VT_CLIENT_CONF=$inst.ovpn
sock=$VT_DIR/ctl.sock
VT_CLIENT_ARGS="--control-socket $sock"
[ $stock = 1 ] && VT_CLIENT_ARGS=""

# otp CASE: the case's one-time code (six digits, the same on every run).
otp() { printf '%06d' $(($(printf '%s' "$1" | cksum | cut -d' ' -f1) % 1000000)); }

cat >"$VT_DIR/verify.sh" <<EOF
#!/bin/sh
# The server's check: user, password and the one-time code in the SCRV1 field.
u=\$(sed -n 1p "\$1")
f=\$(sed -n 2p "\$1")
p=\$(printf '%s' "\$f" | cut -d: -f2 | base64 -d 2>/dev/null)
c=\$(printf '%s' "\$f" | cut -d: -f3 | base64 -d 2>/dev/null)
want=\$(cat "$VT_DIR/otp.txt" 2>/dev/null)
echo "verify: user=\$u prefix=\$(printf '%s' "\$f" | cut -d: -f1)" >>"$VT_DIR/verify.log"
# The username-only case: 2.7's placeholder password, accepted only while blank.ok exists.
if [ -e "$VT_DIR/blank.ok" ] && [ "\$u" = "$user" ] && [ "\$f" = '[[BLANK]]' ]; then
	echo "verify: accepted blank" >>"$VT_DIR/verify.log"
	exit 0
fi
if [ "\$u" = "$user" ] && [ "\${f%%:*}" = SCRV1 ] && [ "\$p" = "$password" ] &&
	[ -n "\$want" ] && [ "\$c" = "\$want" ]; then
	rm -f "$VT_DIR/otp.txt"
	echo "verify: accepted" >>"$VT_DIR/verify.log"
	exit 0
fi
[ -n "\${auth_failed_reason_file:-}" ] && printf '%s' "$reason" >"\$auth_failed_reason_file"
exit 1
EOF
chmod 700 "$VT_DIR/verify.sh"

# The pty driver: runs a command on a new pseudo-terminal (its controlling
# terminal), answers prompts in order (EXPECT<TAB>SEND lines), copies all
# output to a log, passes SIGTERM on and exits with the command's status.
cat >"$VT_DIR/ptydrive.py" <<'EOF'
import os, pty, select, signal, sys, termios, time
log, script = sys.argv[1], sys.argv[2]
cmd = sys.argv[sys.argv.index('--') + 1:]
steps = [l.rstrip('\n').split('\t', 1) for l in open(script) if '\t' in l]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
signal.signal(signal.SIGTERM, lambda s, f: os.kill(pid, signal.SIGTERM))
out, pos, buf = open(log, 'wb'), 0, b''
while True:
    try:
        r, _, _ = select.select([fd], [], [], 0.2)
    except InterruptedError:
        continue
    if fd in r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b''
        if not data:
            break
        out.write(data)
        out.flush()
        buf += data
    if steps:
        i = buf.find(steps[0][0].encode(), pos)
        if i >= 0:
            pos = i + len(steps[0][0])
            time.sleep(0.3)
            # A secret's prompt turns echo off (TCSAFLUSH, which drops earlier input) after
            # printing itself: wait for that (bounded) before typing.
            t_end = time.time() + 10
            while 'Password' in steps[0][0] and time.time() < t_end and \
                    termios.tcgetattr(fd)[3] & termios.ECHO:
                time.sleep(0.05)
            os.write(fd, steps[0][1].encode() + b'\n')
            steps.pop(0)
_, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st) if hasattr(os, 'waitstatus_to_exitcode') else 1)
EOF

# The password agent (https://systemd.io/PASSWORD_AGENTS/): answers ask files
# whose Id= starts with PREFIX; KIND=ANSWER arguments are used in order per
# kind (the Id's last part). Logs each question; ends when all are used or
# after the time limit.
cat >"$VT_DIR/agent.py" <<'EOF'
import configparser, glob, os, socket, sys, time
prefix, log, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
answers = {}
for a in sys.argv[4:]:
    k, v = a.split('=', 1)
    answers.setdefault(k, []).append(v)
done, end = set(), time.time() + limit
with open(log, 'a') as lg:
    while time.time() < end and any(answers.values()):
        for f in sorted(glob.glob('/run/systemd/ask-password/ask.*')):
            if f in done:
                continue
            c = configparser.ConfigParser(interpolation=None)
            try:
                c.read(f)
                ask = c['Ask']
            except Exception:
                continue
            qid = ask.get('Id', '')
            if not qid.startswith(prefix):
                continue
            done.add(f)
            kind = qid[len(prefix):]
            lg.write('question id=%s echo=%s message=%s\n' % (qid, ask.get('Echo', ''), ask.get('Message', '')))
            lg.flush()
            if not answers.get(kind):
                continue
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.sendto(b'+' + answers[kind].pop(0).encode(), ask['Socket'])
            s.close()
        time.sleep(0.1)
EOF

# The control case's socket directory: outside $VT_DIR (0700), removed at exit.
grpdir=/run/vpnct-prompt-$VT_ID
trap 'rm -rf "$grpdir"; vt_cleanup' EXIT
mkdir -m 0750 "$grpdir" && chgrp nogroup "$grpdir"

setup() { vt_netns_up && vt_pki ed25519; }
if ! vt_check "namespaces and PKI" setup; then
	vt_summary $name
	exit 1
fi
VT_SERVER_EXTRA="script-security 2
auth-user-pass-verify $VT_DIR/verify.sh via-file
tmp-dir $VT_DIR"
vt_server_conf
if ! vt_check "stock OpenVPN server with the code-checking script up" vt_server_start; then
	vt_summary $name
	exit 1
fi

# profile EXTRA: the client profile with the challenge (echoed) and EXTRA.
profile() {
	VT_CLIENT_EXTRA="static-challenge \"Enter the code from your token\" 1
$1"
	vt_client_conf
}

# no_leak LABEL FILE: neither the password nor a code is in FILE.
no_leak() {
	if grep -q -F -e "$password" -e "$(otp "$3")" "$2" 2>/dev/null; then
		vt_fail "$1: the password or the code appears in $(basename "$2")"
	else
		vt_pass "$1: neither the password nor the code is in $(basename "$2")"
	fi
}

# connected LABEL: the tunnel came up, carries traffic, and the server's script accepted.
connected() {
	if ! vt_wait_tun_ipv4 "${2:-20}"; then
		vt_fail "$1: connected"
		vt_dump_logs
		return 1
	fi
	vt_pass "$1: connected in $VT_CONNECT_MS ms"
	vt_check "$1: ping through the tunnel" vt_ping "$VT_TUN_SRV_IP"
	vt_check "$1: the server's script accepted user, password and code" \
		grep -q 'verify: accepted' "$VT_DIR/verify.log"
}

stop_client() {
	if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "$1: SIGTERM, exit code 0"
	else
		vt_fail "$1: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0)"
	fi
	vt_check "$1: client namespace clean" vt_ns_clean
}

# start_detached: vpnc with no controlling terminal (setsid) and stdin closed.
start_detached() {
	VT_CLI_T0=$(vt_now_us)
	ip netns exec "$VT_CLI_NS" setsid "$vpnc" --config "$VT_DIR/$VT_CLIENT_CONF" $VT_CLIENT_ARGS \
		--dns-mode none </dev/null >"$VT_DIR/client.log" 2>&1 &
	VT_CLI_PID=$!
}

# ask_file_for KIND: the systemd ask file of this instance's KIND question, if any.
ask_file_for() { grep -l -s -x "Id=vpnc:$inst:$1" /run/systemd/ask-password/ask.* 2>/dev/null | head -n 1; }

# wait_prompt KIND: until `vpnc status --json` shows a KIND question (bounded).
wait_prompt() {
	local i=0 j
	while [ $i -lt 150 ]; do
		j=$("$vpnc" status --json --control-socket "$sock" 2>/dev/null)
		[[ $j == *'"prompt":{'*'"kind":"'"$1"'"'* ]] && { PROMPT_JSON=$j; return 0; }
		vt_pid_alive "$VT_CLI_PID" || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

case_tty() {
	local c=tty code
	code=$(otp $c)
	profile "auth-user-pass
auth-retry interact"
	printf '%s\n' "$code" >"$VT_DIR/otp.txt"
	: >"$VT_DIR/verify.log"
	printf '%s\t%s\n' "Enter Auth Username:" "$user" "Enter Auth Password:" "$password" \
		"CHALLENGE: Enter the code from your token" "000000" "Enter Auth Username:" "$user" \
		"Enter Auth Password:" "$password" "CHALLENGE: Enter the code from your token" "$code" \
		>"$VT_DIR/tty.script"
	VT_CLI_T0=$(vt_now_us)
	local dns=(--dns-mode none)
	[ $stock = 1 ] && dns=()
	python3 "$VT_DIR/ptydrive.py" "$VT_DIR/tty.log" "$VT_DIR/tty.script" -- \
		ip netns exec "$VT_CLI_NS" "$vpnc" --config "$VT_DIR/$VT_CLIENT_CONF" $VT_CLIENT_ARGS \
		"${dns[@]}" >"$VT_DIR/client.log" 2>&1 &
	VT_CLI_PID=$!
	connected $c 40 || { vt_client_stop 5; cat "$VT_DIR/tty.log"; return 1; }
	local tty_out
	tty_out=$(tr -d '\r' <"$VT_DIR/tty.log")
	# (2.6 prints no blank after the question, vpnc one.)
	vt_check "$c: the username was asked and echoed" grep -q -E "Enter Auth Username: ?$user" <<<"$tty_out"
	vt_check "$c: the challenge was asked and the code echoed (ECHO 1)" \
		grep -q -E "CHALLENGE: Enter the code from your token ?$code" <<<"$tty_out"
	if grep -q -F -- "$password" <<<"$tty_out"; then
		vt_fail "$c: the password was echoed on the terminal"
	else
		vt_pass "$c: the password was not echoed"
	fi
	vt_check "$c: the wrong code gave AUTH_FAILED and auth-retry interact asked again" \
		[ "$(grep -c -F 'Enter Auth Password:' <<<"$tty_out")" = 2 ]
	vt_check "$c: the server saw SCRV1 passwords" grep -q 'prefix=SCRV1' "$VT_DIR/verify.log"
	stop_client $c
}

case_sdask() {
	local c=sdask code
	code=$(otp $c)
	printf '%s\n' "$user" >"$VT_DIR/user-only.txt"
	chmod 600 "$VT_DIR/user-only.txt"
	profile "auth-user-pass $VT_DIR/user-only.txt"
	printf '%s\n' "$code" >"$VT_DIR/otp.txt"
	: >"$VT_DIR/verify.log"
	: >"$VT_DIR/agent.log"
	timeout 60 python3 "$VT_DIR/agent.py" "vpnc:$inst:" "$VT_DIR/agent.log" 40 \
		"password=$password" "challenge=$code" &
	local agent=$!
	start_detached
	connected $c 40 || { vt_client_stop 5; kill "$agent" 2>/dev/null; cat "$VT_DIR/agent.log"; return 1; }
	wait "$agent" 2>/dev/null
	local q
	q=$(cat "$VT_DIR/agent.log")
	vt_check "$c: the agent was asked for the password, not echoed" \
		grep -q -F "question id=vpnc:$inst:password echo=0 message=Enter Auth Password:" <<<"$q"
	vt_check "$c: the agent was asked the challenge, echoed" \
		grep -q -F "question id=vpnc:$inst:challenge echo=1 message=CHALLENGE: Enter the code from your token" <<<"$q"
	vt_check "$c: the username came from the file (not asked)" \
		not_grep "id=vpnc:$inst:username" <<<"$q"
	stop_client $c
	no_leak $c "$VT_DIR/client.log" $c
}

# case_keypass: an encrypted client key, no terminal: its passphrase is asked (at start,
# blocking) through systemd-ask-password too, then the password and the code.
case_keypass() {
	local c=keypass code kp='key pass 1'
	code=$(otp $c)
	printf '%s\n' "$user" >"$VT_DIR/user-only.txt"
	profile "auth-user-pass $VT_DIR/user-only.txt"
	openssl pkey -in "$VT_DIR/pki/client.key" -aes256 -passout "pass:$kp" -out "$VT_DIR/enc.key" 2>/dev/null
	python3 - "$VT_DIR/$VT_CLIENT_CONF" "$VT_DIR/enc.key" <<'PY'
import re, sys
conf, key = sys.argv[1], open(sys.argv[2]).read().strip()
t = open(conf).read()
t = re.sub(r'<key>\n.*?\n</key>', lambda m: '<key>\n' + key + '\n</key>', t, flags=re.S)
open(conf, 'w').write(t)
PY
	vt_check "$c: the profile's key is encrypted" grep -q 'ENCRYPTED PRIVATE KEY' "$VT_DIR/$VT_CLIENT_CONF"
	printf '%s\n' "$code" >"$VT_DIR/otp.txt"
	: >"$VT_DIR/verify.log"
	: >"$VT_DIR/agent.log"
	timeout 60 python3 "$VT_DIR/agent.py" "vpnc:$inst:" "$VT_DIR/agent.log" 40 \
		"key-passphrase=$kp" "password=$password" "challenge=$code" &
	local agent=$!
	start_detached
	connected $c 40 || { vt_client_stop 5; kill "$agent" 2>/dev/null; cat "$VT_DIR/agent.log"; return 1; }
	wait "$agent" 2>/dev/null
	vt_check "$c: the agent was asked for the key's passphrase, not echoed" \
		grep -q -F "question id=vpnc:$inst:key-passphrase echo=0 message=Enter Private Key Password:" \
		"$VT_DIR/agent.log"
	stop_client $c
	if grep -q -F -e "$kp" -e "$password" "$VT_DIR/client.log"; then
		vt_fail "$c: a passphrase or password is in client.log"
	else
		vt_pass "$c: neither the passphrase nor the password is in client.log"
	fi
}

# case_nowhere: no terminal, --untrusted-config (never systemd-ask-password) and no control
# socket (its directory does not exist): one sentence, exit status 2, nothing left behind.
case_nowhere() {
	local c=nowhere
	profile "auth-user-pass"
	VT_CLI_T0=$(vt_now_us)
	ip netns exec "$VT_CLI_NS" setsid "$vpnc" --config "$VT_DIR/$VT_CLIENT_CONF" --untrusted-config \
		--control-socket "$VT_DIR/no-such-dir/ctl.sock" --dns-mode none </dev/null \
		>"$VT_DIR/client.log" 2>&1 &
	VT_CLI_PID=$!
	if vt_client_wait_exit 20; then
		vt_check "$c: exit status 2 (got $VT_CLI_RC)" [ "$VT_CLI_RC" = 2 ]
	else
		vt_fail "$c: vpnc ended by itself within 20 s"
		vt_client_stop 5
	fi
	vt_check "$c: one sentence says why" grep -q -F \
		"auth-user-pass needs the username, and there is no terminal, no systemd-ask-password and no control socket to ask for it." \
		"$VT_DIR/client.log"
	vt_check "$c: no systemd-ask-password question was left" [ -z "$(ask_file_for username)" ]
	vt_check "$c: client namespace clean" vt_ns_clean
}

# case_username_only: 'auth-user-pass username-only' (OpenVPN 2.7): the username is asked (here
# answered on the control socket, echoed), no password, and [[BLANK]] is what the server gets.
case_username_only() {
	local c=username-only out
	profile ""
	sed -i '/^static-challenge /d' "$VT_DIR/$VT_CLIENT_CONF"
	printf 'auth-user-pass username-only\n' >>"$VT_DIR/$VT_CLIENT_CONF"
	: >"$VT_DIR/verify.log"
	touch "$VT_DIR/blank.ok"
	start_detached
	if ! wait_prompt username; then
		vt_fail "$c: status --json shows the username question"
		vt_dump_logs
		vt_client_stop 5
		rm -f "$VT_DIR/blank.ok"
		return 1
	fi
	vt_check "$c: the username question is echoed" grep -q -F '"text":"Enter Auth Username:","echo":true' <<<"$PROMPT_JSON"
	vt_check "$c: vpnc answer gives the username" "$vpnc" answer --control-socket "$sock" <<<"$user"
	connected $c 20 || { vt_client_stop 5; rm -f "$VT_DIR/blank.ok"; return 1; }
	vt_check "$c: the server got the placeholder password" grep -q -F 'verify: accepted blank' "$VT_DIR/verify.log"
	vt_check "$c: no password was asked" not_grep 'Waiting for the password' <"$VT_DIR/client.log"
	stop_client $c
	rm -f "$VT_DIR/blank.ok"
}

not_grep() { ! grep -q -F "$1"; }
gone() { [ -n "$1" ] && [ ! -e "$1" ]; }
# not_running PROG ARG: within 5 s, no PROG process has ARG on its command line.
not_running() {
	local p i found
	for i in $(seq 50); do
		found=0
		for p in /proc/[0-9]*; do
			[[ $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) == *"$1"*"$2"* ]] && found=1 && break
		done
		[ $found = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# helper_parent PROG ARG: the parent pid of the first PROG process with ARG on its command line.
helper_parent() {
	local p
	for p in /proc/[0-9]*; do
		if [[ $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) == *"$1"*"$2"* ]]; then
			awk '/^PPid:/ {print $2}' "$p/status" 2>/dev/null
			return 0
		fi
	done
	return 1
}

# case_control [privsep]: see the header; with privsep, vpnc runs with 'privsep yes': its
# jailed network process asks on the socket, and its privileged parent through
# systemd-ask-password on its behalf.
case_control() {
	local c=control code out f mode=${1:-}
	[ "$mode" = privsep ] && c=privsep
	code=$(otp $c)
	printf '%s\n' "$user" >"$VT_DIR/user-only.txt"
	profile "auth-user-pass $VT_DIR/user-only.txt"
	printf '%s\n' "$code" >"$VT_DIR/otp.txt"
	: >"$VT_DIR/verify.log"
	# The socket in a directory group nogroup may enter, and that group may read the status.
	local saved_sock=$sock saved_args=$VT_CLIENT_ARGS
	sock=$grpdir/ctl.sock
	VT_CLIENT_ARGS="--control-socket $sock --control-socket-group nogroup"
	[ "$mode" = privsep ] && VT_CLIENT_ARGS="$VT_CLIENT_ARGS --privsep yes --user nobody --group nogroup"
	start_detached
	VT_CLIENT_ARGS=$saved_args
	if ! wait_prompt password; then
		vt_fail "$c: status --json shows the password question"
		vt_dump_logs
		vt_client_stop 5
		return 1
	fi
	vt_pass "$c: status --json shows the password question"
	vt_check "$c: ... with its text, not echoed" \
		grep -q -F '"text":"Enter Auth Password:","echo":false' <<<"$PROMPT_JSON"
	out=$("$vpnc" status --control-socket "$sock" 2>&1)
	vt_check "$c: status text says what it waits for" \
		grep -q -E '^waiting for: +Enter Auth Password: \(password; answer with: vpnc answer' <<<"$out"
	f=$(ask_file_for password)
	vt_check "$c: the same question waits at systemd-ask-password (Id=vpnc:$inst:password)" [ -n "$f" ]
	if [ "$mode" = privsep ]; then
		# The jailed network process may start nothing: its privileged parent asks for it.
		local pp
		pp=$(helper_parent systemd-ask-password "--id=vpnc:$inst:password")
		vt_check "$c: ... started by the privileged parent (uid 0), not the jailed process" \
			grep -q -P '^Uid:\t0\t' "/proc/${pp:-0}/status"
		vt_check "$c: ... (the parent has no seccomp filter)" grep -q -P '^Seccomp:\t0$' "/proc/${pp:-0}/status"
	fi
	# A member of the status group (control-socket-group) sees the question but may not answer.
	# (With privsep the network process itself runs as uid 65534, which has every right.)
	if [ "$mode" != privsep ]; then
		out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$vpnc" status --json \
			--control-socket "$sock" 2>&1)
		vt_check "$c: the status group sees the question" grep -q -F '"kind":"password"' <<<"$out"
		out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$vpnc" answer --control-socket "$sock" \
			<<<"not-the-password" 2>&1)
		vt_check "$c: ... but may not answer it ($out)" grep -q 'permission denied' <<<"$out"
	fi
	vt_check "$c: vpnc answer (from stdin) exits 0" "$vpnc" answer --control-socket "$sock" <<<"$password"
	local i=0
	while [ -n "$f" ] && [ -e "$f" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	vt_check "$c: the systemd-ask-password question went away (the socket answered first)" \
		gone "$f"
	vt_check "$c: ... and its helper with it" not_running systemd-ask-password "--id=vpnc:$inst:password"
	if ! wait_prompt challenge; then
		vt_fail "$c: status --json shows the challenge"
		vt_client_stop 5
		return 1
	fi
	vt_check "$c: the challenge is shown with its text, echoed" \
		grep -q -F '"text":"CHALLENGE: Enter the code from your token","echo":true' <<<"$PROMPT_JSON"
	vt_check "$c: a stale id is refused" not_ok_answer "answer 1 x"
	vt_check "$c: vpnc answer gives the code" "$vpnc" answer --control-socket "$sock" <<<"$code"
	connected $c 20 || { vt_client_stop 5; return 1; }
	out=$("$vpnc" status --json --control-socket "$sock" 2>&1)
	vt_check "$c: no question waits once connected" grep -q -F '"prompt":null' <<<"$out"
	out=$("$vpnc" answer --control-socket "$sock" </dev/null 2>&1)
	vt_check "$c: vpnc answer with nothing waiting fails with a sentence" \
		grep -q 'waits for no answer' <<<"$out"
	stop_client $c
	no_leak $c "$VT_DIR/client.log" $c
	sock=$saved_sock
}

# not_ok_answer REQ: the daemon refuses the raw request REQ (answers "error ...").
not_ok_answer() {
	local r
	r=$(python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode()+b"\n")
print(s.makefile().read())' "$sock" "$1" 2>&1)
	[[ $r == error* ]]
}

case_wrong_otp() {
	local c=wrong-otp code
	code=$(otp $c)
	printf '%s\n' "$user" >"$VT_DIR/user-only.txt"
	profile "auth-user-pass $VT_DIR/user-only.txt"
	printf '%s\n' "$code" >"$VT_DIR/otp.txt"
	: >"$VT_DIR/verify.log"
	: >"$VT_DIR/agent.log"
	timeout 60 python3 "$VT_DIR/agent.py" "vpnc:$inst:" "$VT_DIR/agent.log" 30 \
		"password=$password" "challenge=111111" &
	local agent=$!
	start_detached
	if vt_client_wait_exit 30; then
		vt_check "$c: AUTH_FAILED ends vpnc with exit code 4 (got $VT_CLI_RC)" [ "$VT_CLI_RC" = 4 ]
	else
		vt_fail "$c: vpnc ended within 30 s"
		vt_client_stop 5
	fi
	wait "$agent" 2>/dev/null
	vt_check "$c: the log has the server's reason" grep -q -F "$reason" "$VT_DIR/client.log"
	vt_check "$c: client namespace clean" vt_ns_clean
	no_leak $c "$VT_DIR/client.log" $c
}

for c in $cases; do
	case "$c" in
	tty) case_tty ;;
	sdask) case_sdask ;;
	control) case_control ;;
	privsep) case_control privsep ;;
	keypass) case_keypass ;;
	nowhere) case_nowhere ;;
	username-only) case_username_only ;;
	wrong-otp) case_wrong_otp ;;
	*) vt_fail "unknown case '$c'" ;;
	esac
done

[ "$VT_FAILED" -ne 0 ] && vt_dump_logs
vt_summary $name
