#!/bin/bash
# test_p2p.sh: TLS peer-to-peer mode ('tls-client' without 'pull') against a
# stock OpenVPN 2.6 peer in TLS p2p mode ('tls-server', 'ifconfig A B', no
# 'server' or 'mode server'), as in OpenVPN's sample configurations
# (docs/profiles.md, "TLS peer-to-peer").
#
# Usage: test_p2p.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# Each case runs the stock client and then the client under test, each
# against a fresh peer on the same configuration, and asserts the peer chose
# the same data cipher for both (the peer logs it: "Data Channel: cipher").
# A run counts when the tun gets the profile's ifconfig, the client pings the
# peer's tunnel address and the peer pings the client's. Cases:
#   basic    tls-auth with key-direction, remote-cert-tls server, a profile
#            route to an address behind the peer, the default data-ciphers on
#            both sides: AES-256-GCM, keys by TLS-EKM, the exported peer-id
#            (the peer logs "P2P mode NCP negotiation result: TLS_export=1,
#            DATA_v2=1"); then a clean stop (exit 0, the device gone) and
#            --check-config's P2P line
#   order    the peer's data-ciphers order wins (CHACHA20-POLY1305)
#   fallback no common data cipher: both sides fall back to 'cipher AES-256-CBC'
#   nocipher no common data cipher and no 'cipher': no tunnel; vpnc logs the
#            reason and tries again, as stock 2.6 does ("failed to negotiate
#            cipher with peer", then a restart)
#   tcp      the basic setup over TCP (tcp-server peer, tcp-client profile)
#   exit     explicit-exit-notify: the EXIT goes over the control channel and
#            the peer restarts its session at once (it logs 'remote-exit')
#   reneg    reneg-sec 5 in the profile: renegotiations keep the tunnel up
#   fingerprint the manual's "Example 2: A tunnel with self-signed certificates
#            and fingerprint": no CA, each side names the other's certificate
#            with 'peer-fingerprint'
#   loopback OpenVPN's sample loopback test: both peers on one host with
#            'dev null', 'local localhost' (a name), 'lport'/'rport' and
#            reneg-sec 5: the session comes up with the same cipher for both
#            clients, no device is made, the client renegotiates, and stops
#            cleanly
# With --stock-client the same cases check stock openvpn alone. Needs root.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_p2p
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"
cases=${VT_CASES:-basic order fallback nocipher tcp exit reneg fingerprint loopback}
PROTO=udp
UNDER_TEST=("${VT_CLIENT_CMD[@]}")

if ! vt_check "namespaces and PKI" eval 'vt_netns_up && vt_pki ed25519'; then
	vt_summary $name
	exit 1
fi

P2P_SRV=10.202.$VT_NET_OCTET.1
P2P_CLI=10.202.$VT_NET_OCTET.2
# A network behind the peer, reached through a profile route (the peer's loopback holds it).
FAR_IP=10.203.$VT_NET_OCTET.1
ip -n "$VT_SRV_NS" addr add "$FAR_IP/32" dev lo
PKI=$VT_DIR/pki

# peer_conf [EXTRA...]: the stock TLS p2p peer: tls-server, ifconfig, no server directive.
peer_conf() {
	{
		printf 'dev tun\nproto %s\nlocal %s\nport %s\n' "$([ "$PROTO" = tcp ] && echo tcp-server || echo udp)" \
			"$VT_SRV_IP" "$VT_PORT"
		printf 'tls-server\ndh none\nifconfig %s %s\n' "$P2P_SRV" "$P2P_CLI"
		printf 'ca %s\ncert %s\nkey %s\n' "$PKI/ca.crt" "$PKI/server.crt" "$PKI/server.key"
		printf 'tls-auth %s 0\nkeepalive 2 20\n' "$PKI/tc.key"
		[ $# -gt 0 ] && printf '%s\n' "$@"
		printf 'verb 4\nlog %s/server.log\nwritepid %s/server.pid\n' "$VT_DIR" "$VT_DIR"
	} >"$VT_DIR/server.conf"
}

# client_conf [EXTRA...]: the TLS p2p profile: tls-client without pull, inline keys.
client_conf() {
	{
		printf 'dev tun\nproto %s\nremote %s %s\n' "$([ "$PROTO" = tcp ] && echo tcp-client || echo udp)" \
			"$VT_SRV_IP" "$VT_PORT"
		printf 'tls-client\nremote-cert-tls server\nifconfig %s %s\n' "$P2P_CLI" "$P2P_SRV"
		printf 'route %s 255.255.255.255\nkeepalive 2 20\nverb 4\n' "$FAR_IP"
		printf '<ca>\n%s\n</ca>\n<cert>\n%s\n</cert>\n<key>\n%s\n</key>\n' "$(cat "$PKI/ca.crt")" \
			"$(cat "$PKI/client.crt")" "$(cat "$PKI/client.key")"
		printf 'key-direction 1\n<tls-auth>\n%s\n</tls-auth>\n' "$(cat "$PKI/tc.key")"
		[ $# -gt 0 ] && printf '%s\n' "$@"
	} >"$VT_DIR/$VT_CLIENT_CONF"
	chmod 600 "$VT_DIR/$VT_CLIENT_CONF"
}

# peer_start: the p2p peer reports 'Initialization Sequence Completed' only once it has a
# peer: waits (<= 10 s) for its bound socket instead.
peer_start() {
	local i=0 ssopt=-lun
	[ "$PROTO" = tcp ] && ssopt=-ltn
	: >"$VT_DIR/server.log"
	ip netns exec "$VT_SRV_NS" openvpn --config "$VT_DIR/server.conf" >"$VT_DIR/server.out" 2>&1 &
	VT_SRV_PID=$!
	while [ $i -lt 100 ]; do
		if grep -q -e 'link local (bound)' -e 'Listening for incoming TCP' "$VT_DIR/server.log" 2>/dev/null &&
			vt_srv ss -H "$ssopt" 2>/dev/null | grep -q ":$VT_PORT "; then
			return 0
		fi
		vt_pid_alive "$VT_SRV_PID" || break
		sleep 0.1
		i=$((i + 1))
	done
	tail -n 20 "$VT_DIR/server.log" "$VT_DIR/server.out" 2>/dev/null
	vt_server_stop
	return 1
}

peer_ping() { vt_srv ping -n -c 1 -W 2 "$P2P_CLI" >/dev/null 2>&1; }
stop_all() {
	vt_client_stop 5
	vt_server_stop
}

# run_one WHO LABEL: a fresh peer, then client WHO (stock or test); up, pings both ways.
# Sets CIPHER to what the peer chose; leaves both running on success (status 0).
run_one() {
	local who=$1 label=$2
	CIPHER=""
	if [ "$who" = stock ]; then VT_CLIENT_CMD=(openvpn); else VT_CLIENT_CMD=("${UNDER_TEST[@]}"); fi
	VT_CLIENT_ARGS=""
	if ! peer_start; then
		vt_fail "$label ($who): stock p2p peer up"
		return 1
	fi
	vt_client_start
	if ! vt_wait_tun_ipv4 15; then
		vt_fail "$label ($who): the tunnel got the profile's ifconfig within 15 s"
		vt_dump_logs
		stop_all
		return 1
	fi
	if vt_wait_ping "$P2P_SRV" 10 && peer_ping; then
		vt_pass "$label ($who): up with $P2P_CLI, pings both ways"
	else
		vt_fail "$label ($who): pings both ways"
		vt_dump_logs
		stop_all
		return 1
	fi
	CIPHER=$(vt_server_cipher)
	return 0
}

# compare LABEL: the stock client, then the one under test, on the same configs; the peer must
# choose the same cipher for both. The run under test is left up for the case's own checks.
compare() {
	local label=$1 want
	if vt_client_is_stock; then
		run_one stock "$label"
		return
	fi
	run_one stock "$label" || return 1
	want=$CIPHER
	stop_all
	run_one test "$label" || return 1
	vt_check "$label: the peer chose ${CIPHER:-nothing} for vpnc, ${want:-nothing} for stock" \
		eval '[ -n "$CIPHER" ] && [ "$CIPHER" = "$want" ]'
}

# loopback_confs: the sample loopback pair (sample-config-files/loopback-server and
# loopback-client), keys from the test PKI; both run in the client namespace.
loopback_confs() {
	local common=("rport" "lport" "remote localhost" "local localhost" "dev null" "verb 4" "reneg-sec 5"
		"ca $PKI/ca.crt" "cipher AES-256-GCM" "ping 1" "inactive 120 10000000")
	{
		printf '%s\n' "${common[@]}" | sed -e 's/^rport$/rport 16001/' -e 's/^lport$/lport 16000/'
		printf '%s\n' "tls-server" "dh none" "cert $PKI/server.crt" "key $PKI/server.key" \
			"tls-auth $PKI/tc.key 0" "log $VT_DIR/server.log" "writepid $VT_DIR/server.pid"
	} >"$VT_DIR/server.conf"
	{
		printf '%s\n' "${common[@]}" | sed -e 's/^rport$/rport 16000/' -e 's/^lport$/lport 16001/'
		printf '%s\n' "tls-client" "remote-cert-tls server" "cert $PKI/client.crt" "key $PKI/client.key" \
			"tls-auth $PKI/tc.key 1"
	} >"$VT_DIR/$VT_CLIENT_CONF"
	chmod 600 "$VT_DIR/$VT_CLIENT_CONF"
}

# loopback_one WHO: the loopback peer, then client WHO; sets CIPHER once the peer has the
# session. Leaves both running on success.
loopback_one() {
	local who=$1 i=0
	CIPHER=""
	if [ "$who" = stock ]; then VT_CLIENT_CMD=(openvpn); else VT_CLIENT_CMD=("${UNDER_TEST[@]}"); fi
	VT_CLIENT_ARGS=""
	: >"$VT_DIR/server.log"
	ip netns exec "$VT_CLI_NS" openvpn --config "$VT_DIR/server.conf" >"$VT_DIR/server.out" 2>&1 &
	VT_SRV_PID=$!
	while [ $i -lt 100 ] && ! grep -q 'link local (bound)' "$VT_DIR/server.log" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	vt_client_start
	if ! vt_wait_server_peers 1 15; then
		vt_fail "loopback ($who): the peer has the session within 15 s"
		vt_dump_logs
		stop_all
		return 1
	fi
	CIPHER=$(vt_server_cipher)
	vt_pass "loopback ($who): the peer has the session (cipher ${CIPHER:-none})"
}

for c in $cases; do
	case $c in
	basic)
		peer_conf
		client_conf
		if compare basic; then
			vt_check "basic: AES-256-GCM" eval '[ "$CIPHER" = AES-256-GCM ]'
			vt_check "basic: the peer did P2P NCP with TLS-EKM and P_DATA_V2" \
				grep -q "P2P mode NCP negotiation result: TLS_export=1, DATA_v2=1" "$VT_DIR/server.log"
			vt_check "basic: a profile route reaches $FAR_IP behind the peer" vt_ping "$FAR_IP"
			if ! vt_client_is_stock; then
				vt_check "basic: the client logs its P2P decision" \
					grep -q "P2P mode: the peer speaks P2P NCP; TLS-EKM yes, P_DATA_V2 yes" "$VT_DIR/client.log"
				vt_check "basic: no PUSH_REQUEST reached the peer" \
					eval '! grep -q "PUSH_REQUEST" "$VT_DIR/server.log"'
				plan=$("${VT_CLIENT_CMD[0]}" --check-config "$VT_DIR/$VT_CLIENT_CONF" 2>&1)
				vt_check "basic: --check-config shows P2P mode and the profile's ifconfig" \
					eval '[[ $plan == *"TLS peer-to-peer mode"*"ifconfig $P2P_CLI $P2P_SRV"* ]]'
			fi
			vt_check "basic: clean stop" vt_client_stop 5
			vt_check "basic: exit status 0" eval '[ "${VT_CLI_RC:-x}" = 0 ]'
			vt_check "basic: the device is gone" eval '[ -z "$(vt_tun_dev)" ]'
			vt_server_stop
		fi
		;;
	order)
		peer_conf "data-ciphers CHACHA20-POLY1305:AES-128-GCM"
		client_conf
		compare order && vt_check "order: the peer's order wins: CHACHA20-POLY1305" \
			eval '[ "$CIPHER" = CHACHA20-POLY1305 ]'
		stop_all
		;;
	fallback)
		peer_conf "data-ciphers AES-128-GCM" "cipher AES-256-CBC"
		client_conf "data-ciphers AES-256-GCM" "cipher AES-256-CBC"
		compare fallback && vt_check "fallback: AES-256-CBC" eval '[ "$CIPHER" = AES-256-CBC ]'
		stop_all
		;;
	nocipher)
		peer_conf "data-ciphers AES-128-GCM" "cipher AES-256-CBC"
		client_conf "data-ciphers AES-256-GCM"
		VT_CLIENT_CMD=("${UNDER_TEST[@]}")
		why="no data cipher in common with the peer (it offers 'AES-128-GCM'"
		vt_client_is_stock && why="failed to negotiate cipher with peer"
		if peer_start; then
			vt_client_start
			sleep 6
			vt_check "nocipher: the client keeps trying (still running after 6 s)" vt_pid_alive "$VT_CLI_PID"
			n=$(grep -c -F "$why" "$VT_DIR/client.log")
			vt_check "nocipher: the reason names the lists, on each try ($n)" eval '[ "$n" -ge 2 ]'
			vt_check "nocipher: no tunnel" eval '[ -z "$(vt_tun_dev)" ]'
		else
			vt_fail "nocipher: stock p2p peer up"
		fi
		stop_all
		;;
	tcp)
		PROTO=tcp
		peer_conf
		client_conf
		compare tcp
		stop_all
		PROTO=udp
		;;
	exit)
		peer_conf
		client_conf "explicit-exit-notify 1"
		if compare exit; then
			vt_client_stop 5
			vt_check "exit: the peer restarts at once on the client's EXIT" \
				eval 'sleep 1; grep -q "remote-exit" "$VT_DIR/server.log"'
		fi
		stop_all
		;;
	reneg)
		peer_conf
		client_conf "reneg-sec 5"
		if compare reneg; then
			sleep 12
			vt_check "reneg: pings after two renegotiations" vt_ping "$P2P_SRV"
			if ! vt_client_is_stock; then
				vt_check "reneg: the client renegotiated" grep -q "renegotiation done: key id 2" "$VT_DIR/client.log"
			fi
		fi
		stop_all
		;;
	fingerprint)
		# Self-signed certificates, as the manual makes them (EC P-384), and their SHA-256.
		fp_ok=1
		for who in bob alice; do
			openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -keyout "$VT_DIR/$who.pem" \
				-out "$VT_DIR/$who.pem" -nodes -sha256 -days 3 -subj "/CN=$who" >/dev/null 2>&1 || fp_ok=0
		done
		if [ $fp_ok = 0 ]; then
			vt_fail "fingerprint: self-signed certificates"
			continue
		fi
		fp() { openssl x509 -in "$1" -noout -sha256 -fingerprint | sed 's/.*=//'; }
		peer_conf "peer-fingerprint $(fp "$VT_DIR/alice.pem")"
		sed -i -e '/^ca /d' -e "s|^cert .*|cert $VT_DIR/bob.pem|" -e "s|^key .*|key $VT_DIR/bob.pem|" "$VT_DIR/server.conf"
		client_conf
		# The client: its own certificate and bob's fingerprint instead of the CA and PKI.
		awk -v pem="$VT_DIR/alice.pem" -v fp="$(fp "$VT_DIR/bob.pem")" '
			/^<(ca|cert|key)>$/ { skip = 1; next }
			/^<\/(ca|cert|key)>$/ { skip = 0; next }
			/^remote-cert-tls/ { next }
			!skip { print }
			END { print "cert " pem; print "key " pem; print "peer-fingerprint " fp }' \
			"$VT_DIR/$VT_CLIENT_CONF" >"$VT_DIR/fp.ovpn" && mv "$VT_DIR/fp.ovpn" "$VT_DIR/$VT_CLIENT_CONF"
		chmod 600 "$VT_DIR/$VT_CLIENT_CONF"
		compare fingerprint
		stop_all
		;;
	loopback)
		loopback_confs
		if vt_client_is_stock; then
			loopback_one stock && vt_check "loopback: no device" eval '[ -z "$(vt_tun_dev)" ]'
			stop_all
			continue
		fi
		loopback_one stock && want=$CIPHER
		stop_all
		if loopback_one test; then
			vt_check "loopback: the peer chose ${CIPHER:-nothing} for vpnc, ${want:-nothing} for stock" \
				eval '[ -n "$CIPHER" ] && [ "$CIPHER" = "$want" ]'
			vt_check "loopback: bound to 127.0.0.1:16001 ('local localhost', lport)" \
				eval 'vt_cli ss -unH 2>/dev/null | grep -q "127.0.0.1:16001 "'
			vt_check "loopback: no device (dev null)" eval '[ -z "$(vt_tun_dev)" ]'
			vt_check "loopback: the client says so" grep -q "no device (dev null" "$VT_DIR/client.log"
			sleep 7
			vt_check "loopback: the client renegotiated" grep -q "renegotiation done: key id 1" "$VT_DIR/client.log"
			vt_check "loopback: clean stop" vt_client_stop 5
			vt_check "loopback: exit status 0" eval '[ "${VT_CLI_RC:-x}" = 0 ]'
		fi
		stop_all
		;;
	*)
		vt_fail "unknown case $c"
		;;
	esac
done

vt_summary $name
