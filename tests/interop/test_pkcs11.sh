#!/bin/bash
# test_pkcs11.sh: the client certificate and key on a PKCS#11 token (SoftHSM2).
#
# Usage: test_pkcs11.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# A throwaway SoftHSM2 token (its own SOFTHSM2_CONF and token directory under
# the test's temp dir) gets a client key and its certificate, signed by the
# test CA, once with an RSA PKI and once with an EC (P-256) PKI. For each:
# `--show-pkcs11-ids` must list the certificate with the same serialized id
# stock openvpn prints; the client, given only pkcs11-providers and that
# pkcs11-id (no cert, no key), connects to stock OpenVPN 2.6 with TLS 1.3,
# the PIN typed at a real pseudo-terminal (pty_answer.py), and passes
# traffic. Stock openvpn is run the same way with the same profile (RSA).
# Then a wrong PIN, through OpenSC's pkcs11-spy in front of SoftHSM2 to count
# the calls that reach the token: vpnc must ask once, call C_Login exactly
# once, end with exit code 2 and the one sentence, and never log the PIN.
# With 'privsep yes' (RSA and EC) the jailed network process connects, the
# privileged parent signing with the token for it, also after a SIGHUP.
# Also (RSA): without a terminal the PIN is asked through systemd-ask-password
# (the test answers as a password agent); with an untrusted profile (no
# systemd-ask-password) vpnc offers it on the control socket before its loop
# runs, where `vpnc status` shows it and `vpnc answer` answers it, and the loop
# then serves the socket again; pkcs11-cert-private 1 and
# `--show-pkcs11-ids PROVIDER 1` log in once; pkcs11-pin-cache 1 asks again
# at the handshake after a SIGHUP; an untrusted profile with pkcs11-id
# alone connects through p11-kit's proxy module, one naming a provider is
# refused; with user/group a reconnect after the switch is signed by the token
# without asking again.
# Needs root, softhsm2, opensc (pkcs11-tool, pkcs11-spy), p11-kit-modules,
# systemd-ask-password and python3.
# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119,SC2016
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_pkcs11
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

SOFTHSM_LIB=""
for f in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so; do
	[ -r "$f" ] && SOFTHSM_LIB=$f && break
done
SPY_LIB=""
for f in /usr/lib/*/pkcs11-spy.so /usr/lib/*/pkcs11/pkcs11-spy.so; do
	[ -r "$f" ] && SPY_LIB=$f && break
done
if [ -z "$SOFTHSM_LIB" ] || [ -z "$SPY_LIB" ] || ! command -v softhsm2-util >/dev/null ||
	! command -v pkcs11-tool >/dev/null || ! command -v python3 >/dev/null; then
	vt_log "error: needs softhsm2, opensc (pkcs11-tool, pkcs11-spy.so) and python3"
	vt_fail "prerequisites"
	vt_summary $name
	exit 1
fi

# The profile's name is the instance: systemd-ask-password's --id (vpnc:INSTANCE:pin) and the
# control socket's name are this run's own.
inst="p11-$VT_ID"
VT_CLIENT_CONF=$inst.ovpn

P11KIT_PROXY=$(pkg-config --variable=proxy_module p11-kit-1 2>/dev/null)
: "${P11KIT_PROXY:=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)/p11-kit-proxy.so}"

# The client binary under test, run at a terminal that types the PIN.
client_bin=("${VT_CLIENT_CMD[@]}")
stock=0
vt_client_is_stock && stock=1
PIN=4711-vpnc
SO_PIN=987654321
export SOFTHSM2_CONF="$VT_DIR/softhsm2.conf"
mkdir -p "$VT_DIR/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
	"$VT_DIR/tokens" >"$SOFTHSM2_CONF"

# p11_import KIND ID: the PKI's client key and certificate onto a new token vpncKIND.
p11_import() {
	local kind=$1 id=$2 d="$VT_DIR/pki"
	softhsm2-util --init-token --free --label "vpnc$kind" --pin "$PIN" --so-pin "$SO_PIN" \
		>>"$VT_DIR/p11.log" 2>&1 || return 1
	openssl pkcs8 -topk8 -nocrypt -in "$d/client.key" -out "$d/client.p8" 2>>"$VT_DIR/p11.log" ||
		return 1
	softhsm2-util --import "$d/client.p8" --token "vpnc$kind" --label "client-$kind" --id "$id" \
		--pin "$PIN" >>"$VT_DIR/p11.log" 2>&1 || return 1
	openssl x509 -in "$d/client.crt" -outform der -out "$d/client.der" 2>>"$VT_DIR/p11.log" ||
		return 1
	pkcs11-tool --module "$SOFTHSM_LIB" --token-label "vpnc$kind" --login --pin "$PIN" \
		--write-object "$d/client.der" --type cert --id "$id" --label "client-$kind" \
		>>"$VT_DIR/p11.log" 2>&1 || return 1
	rm -f "$d/client.p8"
}

# p11_id KIND LISTING: the serialized id of token vpncKIND in a --show-pkcs11-ids listing.
p11_id() {
	awk -v t="/vpnc$1/" '/Serialized id:/ && index($0, t) { print $3; exit }' <<<"$2"
}

# p11_profile PROVIDER ID: the test profile without cert and key, with the token's instead.
p11_profile() {
	vt_client_conf
	sed -i '/^<cert>$/,/^<\/cert>$/d; /^<key>$/,/^<\/key>$/d' "$VT_DIR/$VT_CLIENT_CONF"
	printf "pkcs11-providers %s\npkcs11-id '%s'\n" "$1" "$2" >>"$VT_DIR/$VT_CLIENT_CONF"
}

# at_tty BIN: VT_CLIENT_CMD becomes BIN run at a pseudo-terminal that types $PTY_ANSWER
# (pty_answer.py). The wrapper keeps BIN's name, so lib.sh still tells stock openvpn apart.
at_tty() {
	local w="$VT_DIR/tty/${1##*/}" bin=$1
	[[ $bin == */* ]] && bin=$(readlink -f "$bin")
	mkdir -p "$VT_DIR/tty"
	printf '#!/bin/sh\nexec python3 %q %q "$@"\n' "$here/pty_answer.py" "$bin" >"$w"
	chmod 755 "$w"
	VT_CLIENT_CMD=("$w")
}

# token_flags LABEL: the "token flags" line of token LABEL (pkcs11-tool -T lists every slot).
token_flags() {
	pkcs11-tool --module "$SOFTHSM_LIB" -T 2>&1 |
		awk -v l="$1" '$1 == "token" && $2 == "label" { t = ($4 == l) } t && /token flags/ { print; exit }'
}

# answered N: pty_answer.py typed the PIN N times.
answered() { grep -q "pty_answer: $1 prompt(s) answered" "$VT_DIR/client.log"; }

if ! vt_check "namespaces" vt_netns_up; then
	vt_summary $name
	exit 1
fi

i=0
for kind in rsa ec; do
	i=$((i + 1))
	rm -rf "$VT_DIR/pki"
	vt_check "$kind: PKI" vt_pki "$kind" || continue
	vt_check "$kind: key and certificate imported into a SoftHSM2 token" p11_import "$kind" "0$i" ||
		continue

	# The listing, from the client under test and from stock openvpn.
	list=$("${client_bin[@]}" --show-pkcs11-ids "$SOFTHSM_LIB" 2>&1)
	stock_list=$(openvpn --show-pkcs11-ids "$SOFTHSM_LIB" 2>&1)
	id=$(p11_id "$kind" "$list")
	stock_id=$(p11_id "$kind" "$stock_list")
	if [ -n "$id" ] && [[ $list == *"DN:             CN=client"* ]]; then
		vt_pass "$kind: --show-pkcs11-ids lists the certificate ($id)"
	else
		vt_fail "$kind: --show-pkcs11-ids lists the certificate"
		printf '%s\n' "$list"
		continue
	fi
	if [ "$id" = "$stock_id" ]; then
		vt_pass "$kind: the serialized id is the one stock openvpn prints"
	else
		vt_fail "$kind: the serialized id '$id' is the one stock openvpn prints ('$stock_id')"
	fi

	vt_server_conf
	vt_check "$kind: server up" vt_server_start || continue
	p11_profile "$SOFTHSM_LIB" "$id"
	export PTY_ANSWER=$PIN
	at_tty "${client_bin[0]}"
	vt_connect_cycle "$kind: pkcs11-id"
	vt_check "$kind: the PIN was asked once" answered 1
	if grep -qF -- "$PIN" "$VT_DIR/client.log"; then
		vt_fail "$kind: the PIN is not in the log"
	else
		vt_pass "$kind: the PIN is not in the log"
	fi

	# The same profile with stock openvpn as the client (cheap: RSA only).
	if [ "$kind" = rsa ] && [ $stock = 0 ]; then
		at_tty "$(command -v openvpn)"
		vt_quick_cycle "$kind: stock openvpn, same pkcs11-id"
		vt_check "$kind: stock openvpn asked for the PIN once" answered 1
	fi

	# Privilege separation: the jailed network process does the TLS, the privileged parent
	# keeps the token and signs for it (SIGN requests); a new session after a SIGHUP is
	# signed the same way, without asking for the PIN again.
	if [ $stock = 0 ]; then
		at_tty "${client_bin[0]}"
		VT_CLIENT_PRIVSEP="--privsep yes --user nobody --group nogroup" vt_client_start
		if vt_wait_tun_ipv4 15 && grep -q "Privilege separation: network process" "$VT_DIR/client.log"; then
			vt_pass "$kind: privsep yes: connected, the parent signing for the network process"
			vt_check "$kind: privsep yes: ping IPv4" vt_ping "$VT_TUN_SRV_IP"
			peers=$(vt_server_peers)
			kill -HUP "$VT_CLI_PID" 2>/dev/null
			if vt_wait_server_peers $((peers + 1)) 10 && vt_wait_ping "$VT_TUN_SRV_IP" 10; then
				vt_pass "$kind: privsep yes: SIGHUP: a new session signed through the parent"
			else
				vt_fail "$kind: privsep yes: SIGHUP: a new session signed through the parent"
				vt_dump_logs
			fi
		else
			vt_fail "$kind: privsep yes: connected, the parent signing for the network process"
			vt_dump_logs
		fi
		if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
			vt_pass "$kind: privsep yes: SIGTERM, exit code 0"
		else
			vt_fail "$kind: privsep yes: SIGTERM, exit code ${VT_CLI_RC:-none}"
		fi
		vt_check "$kind: privsep yes: the PIN was asked once" answered 1
	fi

	# An untrusted profile (the NetworkManager plugin's mode): pkcs11-id alone goes through
	# p11-kit's proxy, which loads the system's configured modules (SoftHSM2 registers
	# itself there); naming a provider library is refused.
	if [ "$kind" = rsa ] && [ $stock = 0 ] && [ -r "$P11KIT_PROXY" ]; then
		p11_profile "$SOFTHSM_LIB" "$id"
		sed -i '/^pkcs11-providers /d' "$VT_DIR/$VT_CLIENT_CONF"
		at_tty "${client_bin[0]}"
		VT_CLIENT_ARGS="--untrusted-config" vt_quick_cycle "$kind: untrusted profile, p11-kit proxy"
		p11_profile "$SOFTHSM_LIB" "$id"
		VT_CLIENT_ARGS="--untrusted-config" vt_client_refused "$kind: untrusted profile naming a provider" \
			"option 'pkcs11-providers': not allowed in an untrusted profile (it would load a library"
	elif [ "$kind" = rsa ] && [ $stock = 0 ]; then
		vt_skip_or_fail "$P11KIT_PROXY is not installed (p11-kit-modules): the untrusted case"
	fi

	# pkcs11-cert-private: the certificate is read after logging in; still one PIN, one login.
	if [ "$kind" = rsa ] && [ $stock = 0 ]; then
		export PTY_ANSWER=$PIN
		out=$(python3 "$here/pty_answer.py" "${client_bin[0]}" --show-pkcs11-ids "$SOFTHSM_LIB" 1 2>&1)
		if [[ $out == *"Serialized id:  $id"* && $out == *"pty_answer: 1 prompt(s) answered"* ]]; then
			vt_pass "$kind: --show-pkcs11-ids PROVIDER 1: logged in (PIN asked once), lists the id"
		else
			vt_fail "$kind: --show-pkcs11-ids PROVIDER 1: logged in (PIN asked once), lists the id"
			printf '%s\n' "$out"
		fi
		p11_profile "$SOFTHSM_LIB" "$id"
		printf 'pkcs11-cert-private 1\npkcs11-pin-cache 600\n' >>"$VT_DIR/$VT_CLIENT_CONF"
		at_tty "${client_bin[0]}"
		vt_quick_cycle "$kind: pkcs11-cert-private 1, pkcs11-pin-cache 600"
		vt_check "$kind: pkcs11-cert-private 1: the PIN was asked once" answered 1
	fi

	# pkcs11-pin-cache 1: the login ends after a second; the next handshake (after SIGHUP)
	# asks for the PIN again, from inside the signature, and connects. Under privsep the
	# parent, which keeps the token, asks.
	for ps in "" "--privsep yes --user nobody --group nogroup"; do
		if [ "$kind" != rsa ] || [ $stock = 1 ]; then break; fi
		l="$kind: pkcs11-pin-cache 1${ps:+, privsep}"
		p11_profile "$SOFTHSM_LIB" "$id"
		printf 'pkcs11-pin-cache 1\n' >>"$VT_DIR/$VT_CLIENT_CONF"
		at_tty "${client_bin[0]}"
		VT_CLIENT_PRIVSEP=$ps vt_client_start
		if vt_wait_tun_ipv4 15; then
			sleep 2
			peers=$(vt_server_peers)
			kill -HUP "$VT_CLI_PID" 2>/dev/null
			if vt_wait_server_peers $((peers + 1)) 15 && vt_wait_ping "$VT_TUN_SRV_IP" 10; then
				vt_pass "$l: after SIGHUP, a new session with a new login"
			else
				vt_fail "$l: after SIGHUP, a new session with a new login"
				vt_dump_logs
			fi
		else
			vt_fail "$l: connected"
			vt_dump_logs
		fi
		vt_client_stop 5
		vt_check "$l: the PIN was asked twice (at start, after the cache ran out)" answered 2
	done

	# No terminal (a systemd service): the PIN is asked through systemd-ask-password, which
	# the test answers as a password agent would (https://systemd.io/PASSWORD_AGENTS/).
	if [ "$kind" = rsa ] && [ $stock = 0 ] && [ -x /usr/bin/systemd-ask-password ]; then
		p11_profile "$SOFTHSM_LIB" "$id"
		: >"$VT_DIR/agent.log"
		timeout 40 python3 - "vpnc:$inst:pin" "$PIN" "$VT_DIR/agent.log" <<'PY' &
import configparser, glob, socket, sys, time
want, answer, log = sys.argv[1], sys.argv[2], sys.argv[3]
end = time.time() + 30
while time.time() < end:
    for f in sorted(glob.glob('/run/systemd/ask-password/ask.*')):
        c = configparser.ConfigParser(interpolation=None)
        try:
            c.read(f)
            ask = c['Ask']
        except Exception:
            continue
        if ask.get('Id', '') != want:
            continue
        with open(log, 'a') as lg:
            lg.write('question id=%s echo=%s message=%s\n' % (want, ask.get('Echo', ''), ask.get('Message', '')))
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendto(b'+' + answer.encode(), ask['Socket'])
        sys.exit(0)
    time.sleep(0.1)
sys.exit(1)
PY
		agent=$!
		VT_CLI_T0=$(vt_now_us)
		ip netns exec "$VT_CLI_NS" setsid "${client_bin[0]}" --config "$VT_DIR/$VT_CLIENT_CONF" \
			--dns-mode none </dev/null >"$VT_DIR/client.log" 2>&1 &
		VT_CLI_PID=$!
		if vt_wait_tun_ipv4 30; then
			vt_pass "$kind: no terminal: connected, the PIN from systemd-ask-password"
			vt_check "$kind: no terminal: ping IPv4" vt_ping "$VT_TUN_SRV_IP"
		else
			vt_fail "$kind: no terminal: connected, the PIN from systemd-ask-password"
			vt_dump_logs
		fi
		wait "$agent" 2>/dev/null
		vt_check "$kind: no terminal: the agent was asked for the token's PIN, not echoed" \
			grep -q -F "question id=vpnc:$inst:pin echo=0 message=Enter vpnc$kind token Password:" \
			"$VT_DIR/agent.log"
		vt_client_stop 5
		if grep -qF -- "$PIN" "$VT_DIR/client.log"; then
			vt_fail "$kind: no terminal: the PIN is not in the log"
		else
			vt_pass "$kind: no terminal: the PIN is not in the log"
		fi
	fi

	# No terminal and no systemd-ask-password (an untrusted profile, as under NetworkManager):
	# vpnc serves its control socket for the time of the PIN question, before its loop runs;
	# `vpnc status` shows it and `vpnc answer` answers it (docs/prompts.md).
	if [ "$kind" = rsa ] && [ $stock = 0 ] && [ -r "$P11KIT_PROXY" ]; then
		p11_profile "$SOFTHSM_LIB" "$id"
		sed -i '/^pkcs11-providers /d' "$VT_DIR/$VT_CLIENT_CONF"
		sock="$VT_DIR/p11ctl.sock"
		VT_CLI_T0=$(vt_now_us)
		ip netns exec "$VT_CLI_NS" setsid "${client_bin[0]}" --config "$VT_DIR/$VT_CLIENT_CONF" \
			--untrusted-config --dns-mode none --control-socket "$sock" </dev/null >"$VT_DIR/client.log" 2>&1 &
		VT_CLI_PID=$!
		j=""
		for n in $(seq 150); do
			j=$("${client_bin[0]}" status --json --control-socket "$sock" 2>/dev/null)
			[[ $j == *'"prompt":{'*'"kind":"pin"'* ]] && break
			vt_pid_alive "$VT_CLI_PID" || break
			sleep 0.1
		done
		vt_check "$kind: start-up socket: vpnc status shows the PIN question before the loop runs" \
			eval '[[ $j == *"\"prompt\":{"*"\"kind\":\"pin\""*"Enter vpnc$kind token Password:"* ]]'
		vt_check "$kind: start-up socket: vpnc answer gives the PIN" \
			"${client_bin[0]}" answer --control-socket "$sock" <<<"$PIN"
		if vt_wait_tun_ipv4 30; then
			vt_pass "$kind: start-up socket: connected, the token signed"
			vt_check "$kind: start-up socket: ping IPv4" vt_ping "$VT_TUN_SRV_IP"
			vt_check "$kind: start-up socket: the loop serves the socket again" \
				eval '[[ $("${client_bin[0]}" status --json --control-socket "$sock" 2>&1) == *"\"state\":\"connected\""* ]]'
		else
			vt_fail "$kind: start-up socket: connected, the token signed"
			vt_dump_logs
		fi
		vt_check "$kind: start-up socket: the log says where the question waits" \
			grep -qF "Waiting for the pin on the control socket" "$VT_DIR/client.log"
		vt_client_stop 5
		vt_check "$kind: start-up socket: the PIN is not in the log" eval '! grep -qF -- "$PIN" "$VT_DIR/client.log"'
	fi

	# user/group without privsep: the token is opened as root, before the switch; a new
	# session after it (SIGHUP) signs as the new user, with the same login, without asking
	# again. The token must be reachable as that user, as with 2.6: SoftHSM2 reopens its
	# files for each signature, so this throwaway token's files are opened up to everyone.
	if [ "$kind" = rsa ] && [ $stock = 0 ]; then
		chmod 755 "$VT_DIR"
		chmod -R a+rwX "$VT_DIR/tokens" "$SOFTHSM2_CONF"
		at_tty "${client_bin[0]}"
		VT_CLIENT_ARGS="--user nobody --group nogroup" vt_client_start
		if vt_wait_tun_ipv4 15; then
			vt_pass "$kind: user/group: connected"
			peers=$(vt_server_peers)
			kill -HUP "$VT_CLI_PID" 2>/dev/null
			if vt_wait_server_peers $((peers + 1)) 10 && vt_wait_ping "$VT_TUN_SRV_IP" 10; then
				vt_pass "$kind: user/group: SIGHUP after the switch: a new session signed by the token"
			else
				vt_fail "$kind: user/group: SIGHUP after the switch: a new session signed by the token"
				vt_dump_logs
			fi
		else
			vt_fail "$kind: user/group: connected"
			vt_dump_logs
		fi
		vt_client_stop 5
		vt_check "$kind: user/group: the PIN was asked once" answered 1
		chmod 700 "$VT_DIR"
		chmod -R go-rwx "$VT_DIR/tokens"
	fi

	# A wrong PIN, straight to SoftHSM2: one prompt, one sentence, exit code 2, no PIN logged.
	# The token's own flags record it (SoftHSM2 sets CKF_USER_PIN_COUNT_LOW after a failed
	# login until the next good one, but keeps no count and never locks: the number of
	# attempts is counted through pkcs11-spy below).
	if [ $stock = 0 ]; then
		flags=$(token_flags "vpnc$kind")
		if [[ $flags == *"token flags"* && $flags != *"PIN count low"* ]]; then
			vt_pass "$kind: before the wrong PIN, the token has no failed login recorded"
		else
			vt_fail "$kind: before the wrong PIN, the token has no failed login recorded ($flags)"
		fi
		p11_profile "$SOFTHSM_LIB" "$id"
		export PTY_ANSWER=0000-wrong
		at_tty "${client_bin[0]}"
		vt_client_refused "$kind: wrong PIN" "wrong PIN for the PKCS#11 token 'vpnc$kind'"
		if [ "$VT_CLI_RC" = 2 ]; then
			vt_pass "$kind: wrong PIN: exit code 2 (configuration)"
		else
			vt_fail "$kind: wrong PIN: exit code 2 (got ${VT_CLI_RC:-none})"
		fi
		vt_check "$kind: wrong PIN: asked once" answered 1
		flags=$(token_flags "vpnc$kind")
		if [[ $flags == *"user PIN count low"* ]]; then
			vt_pass "$kind: wrong PIN: the token recorded the failed login (user PIN count low)"
		else
			vt_fail "$kind: wrong PIN: the token recorded the failed login (user PIN count low)"
			printf '%s\n' "$flags"
		fi
		if grep -qF -- "0000-wrong" "$VT_DIR/client.log"; then
			vt_fail "$kind: wrong PIN: the PIN is not in the log"
		else
			vt_pass "$kind: wrong PIN: the PIN is not in the log"
		fi

		# The same through OpenSC's pkcs11-spy, which logs every call that reaches the
		# token: exactly one C_Login, answered CKR_PIN_INCORRECT. (pkcs11-spy itself
		# leaks its buffers when unloaded, so LeakSanitizer is off for this run only;
		# the run above checked vpnc's own exit.)
		: >"$VT_DIR/spy.log"
		p11_profile "$SPY_LIB" "$id"
		PKCS11SPY="$SOFTHSM_LIB" PKCS11SPY_OUTPUT="$VT_DIR/spy.log" \
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			vt_client_refused "$kind: wrong PIN via pkcs11-spy" \
			"wrong PIN for the PKCS#11 token 'vpnc$kind'"
		vt_check "$kind: wrong PIN via pkcs11-spy: asked once" answered 1
		logins=$(grep -c 'C_Login$' "$VT_DIR/spy.log")
		if [ "$logins" = 1 ]; then
			vt_pass "$kind: wrong PIN: exactly one C_Login reached the token"
		else
			vt_fail "$kind: wrong PIN: exactly one C_Login reached the token (saw $logins)"
		fi
		if grep -q CKR_PIN_INCORRECT "$VT_DIR/spy.log"; then
			vt_pass "$kind: wrong PIN: the token answered CKR_PIN_INCORRECT"
		else
			vt_fail "$kind: wrong PIN: the token answered CKR_PIN_INCORRECT"
		fi
	fi
	VT_CLIENT_CMD=("${client_bin[@]}")
	vt_server_stop
done

vt_summary $name
