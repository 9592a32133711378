#!/bin/bash
# test_connect_hint.sh: at verb 1, a connect attempt that gets nowhere says
# why within a few seconds, once per attempt, with a hint; and a profile
# error reaches systemd's journal with priority err.
#
# Usage: test_connect_hint.sh <client-binary>   (vpnc only: the lines are vpnc's)
#        VT_CASES="refused silent" test_connect_hint.sh ...  (only those cases)
#
# Cases (no OpenVPN server runs in the first six):
#   refused      UDP to the server namespace, nothing listening: the kernel
#                answers ICMP port unreachable: "is the server running on that port?"
#   tcp-refused  the same over TCP (a RST)
#   unreachable  an address of the test's subnet behind an `unreachable`
#                route in the client namespace (nothing is sent): "no route"
#   silent       UDP, an nft rule in the server namespace drops the packets:
#                "did not answer within 5 s ... tls-auth/tls-crypt key mismatch?"
#   journal-hint the refused hint, a deprecated option's note and a NOTIFY_SOCKET
#                that is not usable on a journal stream carry priority 4
#                (warning), the link line 6 (info)
#   journal      a profile error written to a journal stream ($JOURNAL_STREAM
#                naming stderr) carries priority 3 (err); a config note 4.
#   tls          a stock 2.6 server with tls-version-min 1.3 (lib.sh's), the
#                client with tls-version-max 1.2, UDP: the server answers the
#                reset, then drops its side of the handshake without a word;
#                "answered, but the TLS handshake stalled ... tls-version-min/max"
#   tls-ca       a stock 2.6 server over TCP whose 'ca' did not sign the
#                client's certificate: it closes the connection in the middle of
#                the handshake: "closed the connection during the TLS handshake:
#                did it refuse this client's certificate", once per attempt.
# Each hint must appear within 8 s and exactly once per attempt (a UDP
# attempt lasts server-poll-timeout, 30 s; a refused TCP one ends at once). Needs root.
# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$lib"

name=${VT_NAME:-test_connect_hint}
cases=${VT_CASES:-refused tcp-refused unreachable silent journal-hint journal tls tls-ca}

vt_start "$name" "${1:-}"
if vt_client_is_stock; then
	vt_log "$name: the hints are vpnc's own lines; nothing to check for stock openvpn"
	vt_summary "$name"
	exit 0
fi
if ! vt_check "namespaces and a PKI" eval 'vt_netns_up && vt_pki ed25519'; then
	vt_summary "$name"
	exit 1
fi
VT_POLL_TIMEOUT=30
VT_CLIENT_VERB=1

# hint_case LABEL PROTO REGEX: starts the client, waits <= 8 s for REGEX in
# its log, then 3 s more, and checks the line is there exactly once.
hint_case() {
	local label=$1 proto=$2 re=$3 i=0 n a
	vt_client_conf
	sed -i "s/^proto udp\$/proto $proto/" "$VT_DIR/$VT_CLIENT_CONF"
	vt_client_start
	while [ $i -lt 80 ] && ! grep -q -E -- "$re" "$VT_DIR/client.log"; do
		sleep 0.1
		i=$((i + 1))
	done
	vt_check "$label: the hint at verb 1 within 8 s (after $((i / 10)).$((i % 10)) s)" \
		grep -q -E -- "$re" "$VT_DIR/client.log"
	sleep 3
	# A refused TCP attempt ends at once and the next one starts: once per attempt.
	n=$(grep -c -E -- "$re" "$VT_DIR/client.log")
	a=$(grep -c 'link remote:' "$VT_DIR/client.log")
	[ "$n" -ge 1 ] || a=none
	vt_check "$label: logged once per attempt ($n times in $a attempts)" [ "$n" = "$a" ]
	vt_client_stop 5
	[ "$VT_FAILED" -ne 0 ] && sed 's/^/  | /' "$VT_DIR/client.log" | tail -n 10
	return 0
}

# tls_case LABEL REGEX: the client against the running server for up to 8 s until
# REGEX is in its log, then 2 s more; then each attempt ("link remote:") is
# followed by the hint exactly once before the next attempt (the last one may be
# cut short by the stop).
tls_case() {
	local label=$1 re=$2 i=0 bad
	vt_client_start
	while [ $i -lt 80 ] && ! grep -q -E -- "$re" "$VT_DIR/client.log" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	vt_check "$label: the hint at verb 1 within 8 s (after $((i / 10)).$((i % 10)) s)" \
		grep -q -E -- "$re" "$VT_DIR/client.log"
	sleep 2
	vt_client_stop 5
	# The pattern through the environment: awk -v would read its backslashes as escapes.
	bad=$(RE=$re awk '
		/link remote:/ { if (n && h != 1) bad++; n++; h = 0; next }
		$0 ~ ENVIRON["RE"] { h++ }
		END { if (h > 1) bad++; print bad + 0 " of " n }' "$VT_DIR/client.log")
	vt_check "$label: once per attempt (attempts without exactly one hint: $bad)" \
		[ "${bad%% *}" = 0 ]
	[ "$VT_FAILED" -ne 0 ] && sed 's/^/  | /' "$VT_DIR/client.log" | tail -n 10
	return 0
}

# A TCP server whose 'ca' is $VT_DIR/other-ca.crt, which did not sign the client's certificate.
other_ca_server() {
	VT_SRV_PROTO=tcp-server vt_server_conf &&
		sed -i "s|^ca .*|ca $VT_DIR/other-ca.crt|" "$VT_DIR/server.conf" &&
		VT_SRV_PROTO=tcp-server vt_server_start
}

for c in $cases; do
	case "$c" in
	refused)
		hint_case "$c" udp 'refused the connection \(UDP [0-9.]+ port [0-9]+\): is the server running on that port\?'
		;;
	tcp-refused)
		hint_case "$c" tcp-client 'refused the connection \(TCP [0-9.]+ port [0-9]+\): is the server running on that port\?'
		;;
	unreachable)
		# An address in the test's veth subnet that nobody has, behind an
		# `unreachable` route in the client namespace: no packet leaves it.
		gone=${VT_SRV_IP%.*}.250
		vt_cli ip route add unreachable "$gone/32"
		VT_REMOTE=$gone hint_case "$c" udp "Cannot reach the server \\(UDP ${gone//./\\.} port [0-9]+\\): .*no route to it"
		vt_cli ip route del unreachable "$gone/32"
		;;
	silent)
		vt_srv nft -f - <<-EOF
		table inet vpnct_drop {
			chain input { type filter hook input priority 0; udp dport $VT_PORT drop; }
		}
		EOF
		hint_case "$c" udp 'did not answer within 5 s: wrong address, port or protocol, or tls-auth/tls-crypt key mismatch\?'
		vt_check "$c: no 'refused' hint when nothing answers" \
			bash -c "! grep -q refused '$VT_DIR/client.log'"
		vt_srv nft delete table inet vpnct_drop
		;;
	journal-hint)
		# The hint and a deprecated option's note on a journal stream: priority
		# warning (4). client.log keeps its inode when vt_client_start truncates it.
		vt_client_conf
		printf 'ns-cert-type server\n' >>"$VT_DIR/$VT_CLIENT_CONF"
		: >"$VT_DIR/client.log"
		NOTIFY_SOCKET=$VT_DIR/no-such-notify.sock JOURNAL_STREAM=$(stat -c '%d:%i' "$VT_DIR/client.log") \
			vt_client_start
		i=0
		while [ $i -lt 80 ] && ! grep -q 'refused the connection' "$VT_DIR/client.log"; do
			sleep 0.1
			i=$((i + 1))
		done
		vt_check "$c: the hint has priority warning" grep -q '^<4>The server refused the connection' "$VT_DIR/client.log"
		vt_check "$c: the deprecated option's note has priority warning" grep -q "^<4>.*'ns-cert-type' is deprecated" "$VT_DIR/client.log"
		vt_check "$c: the link line stays info" grep -q '^<6>UDP link remote:' "$VT_DIR/client.log"
		vt_check "$c: a NOTIFY_SOCKET that is not usable has priority warning" \
			grep -q '^<4>NOTIFY_SOCKET is not usable (No such file or directory)' "$VT_DIR/client.log"
		vt_client_stop 5
		[ "$VT_FAILED" -ne 0 ] && sed 's/^/  | /' "$VT_DIR/client.log" | tail -n 10
		;;
	journal)
		printf 'remote 127.0.0.1 1194\nbogus-option x\n' >"$VT_DIR/typo.conf"
		: >"$VT_DIR/journal.log"
		js=$(stat -c '%d:%i' "$VT_DIR/journal.log")
		JOURNAL_STREAM=$js "${VT_CLIENT_CMD[@]}" --config "$VT_DIR/typo.conf" 2>>"$VT_DIR/journal.log" >/dev/null
		vt_check "$c: the profile error has priority err: $(head -n 1 "$VT_DIR/journal.log")" \
			grep -q '^<3>.*typo.conf:2' "$VT_DIR/journal.log"
		;;
	tls)
		# lib.sh's server has tls-version-min 1.3; this client allows at most 1.2.
		if vt_check "$c: stock OpenVPN server up" eval 'vt_server_conf && vt_server_start'; then
			vt_client_conf
			sed -i 's/^tls-version-min 1.3$/tls-version-max 1.2/' "$VT_DIR/$VT_CLIENT_CONF"
			tls_case "$c" 'The server \(UDP [0-9.]+ port [0-9]+\) answered, but the TLS handshake stalled for 5 s: no TLS version or cipher both sides allow \(tls-version-min/max,'
		fi
		vt_server_stop
		;;
	tls-ca)
		# The server trusts another CA only: it refuses the client's certificate.
		openssl req -x509 -newkey ed25519 -nodes -keyout "$VT_DIR/other-ca.key" -out "$VT_DIR/other-ca.crt" \
			-subj /CN=other-ca -days 2 2>/dev/null
		if vt_check "$c: stock OpenVPN server (TCP, another CA) up" other_ca_server; then
			vt_client_conf
			sed -i 's/^proto udp$/proto tcp-client/' "$VT_DIR/$VT_CLIENT_CONF"
			tls_case "$c" 'The server \(TCP [0-9.]+ port [0-9]+\) closed the connection during the TLS handshake: did it refuse this client.s certificate'
			vt_check "$c: the server refused the certificate (its log)" grep -q 'VERIFY ERROR' "$VT_DIR/server.log"
		fi
		vt_server_stop
		;;
	*) vt_fail "unknown case '$c'" ;;
	esac
done

vt_summary "$name"
