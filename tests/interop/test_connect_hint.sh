#!/bin/bash
# test_connect_hint.sh: at verb 1, a connect attempt that gets nowhere says
# why within a few seconds, once per attempt, with a hint; and a profile
# error reaches systemd's journal with priority err.
#
# Usage: test_connect_hint.sh <client-binary>   (vpnc only: the lines are vpnc's)
#        VT_CASES="refused silent" test_connect_hint.sh ...  (only those cases)
#
# Cases (no OpenVPN server runs in any of them):
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
cases=${VT_CASES:-refused tcp-refused unreachable silent journal-hint journal}

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
	*) vt_fail "unknown case '$c'" ;;
	esac
done

vt_summary "$name"
