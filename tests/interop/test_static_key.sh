#!/bin/bash
# test_static_key.sh: static-key mode ('secret FILE [direction]', no TLS)
# against a stock OpenVPN 2.6 peer in static-key mode, the old point-to-point
# setup (docs/static-key.md).
#
# Usage: test_static_key.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# The peer listens with `secret KEY 0`, `ifconfig A B` and no remote, so it
# learns the client's address from the first authentic packet (the client's
# first keepalive ping). Cases, each one peer and one client run on one profile:
#   file   secret FILE 1, cipher AES-256-CBC, the default auth SHA1: up with the
#          profile's ifconfig, ping both ways, a profile route reaches the peer,
#          the one line about forward secrecy, no drops, --check-config (text
#          and JSON) showing the mode; then a clean stop (exit 0)
#   inline <secret> with key-direction 1, AES-128-CBC and auth SHA256
#   bidir  no direction on either side (both use the key's first half), and
#          comp-lzo no framing
#   fragment 'fragment 1200' on both sides: pings of 1400 and 3000 bytes both
#          ways, and the client's fragment limit is the one the stock peer logs
#   wrongkey the peer has another key (and a remote, so it sends to the
#          client): no ping gets through, the client counts the drops and logs
#          that the data packets fail authentication (the peer logs its HMAC
#          failures too)
#   tcp    the same over TCP (tcp-server peer, tcp-client profile)
#   privsep the file case with 'privsep yes' (vpnc only): the network process
#          keys the data channel, the parent keeps no copy of the key
#   default no cipher: 2.6's default BF-CBC. OpenSSL 3 keeps it in the legacy
#          provider: stock 2.6 stops with "Cipher BF-CBC not supported" and vpnc
#          refuses the profile (exit code 2); where BF-CBC is there, both connect.
# Run with --stock-client, the same cases check stock openvpn on the same
# profiles (the compare), except what only vpnc prints. Needs root.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_static_key
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"
cases=${VT_CASES:-file inline bidir fragment tcp privsep wrongkey default}
PROTO=udp

if ! vt_check "namespaces" vt_netns_up; then
	vt_summary $name
	exit 1
fi

P2P_SRV=10.202.$VT_NET_OCTET.1
P2P_CLI=10.202.$VT_NET_OCTET.2
# A network behind the peer, reached through a profile route (the peer's loopback holds it).
FAR_IP=10.203.$VT_NET_OCTET.1
ip -n "$VT_SRV_NS" addr add "$FAR_IP/32" dev lo
sock="$VT_DIR/vpnc.sock"

genkey() { openvpn --genkey secret "$1" >/dev/null 2>&1 && [ -s "$1" ]; }
if ! vt_check "static keys made with openvpn --genkey" eval 'genkey "$VT_DIR/static.key" && genkey "$VT_DIR/other.key"'; then
	vt_summary $name
	exit 1
fi

# peer_conf KEYFILE DIRECTION(or "") CIPHER(or "") AUTH(or "") [EXTRA...]
peer_conf() {
	local key=$1 dir=$2 cipher=$3 auth=$4
	shift 4
	{
		printf 'dev tun\nproto %s\nlocal %s\nport %s\n' "$([ "$PROTO" = tcp ] && echo tcp-server || echo udp)" \
			"$VT_SRV_IP" "$VT_PORT"
		printf 'secret %s %s\n' "$key" "$dir"
		printf 'ifconfig %s %s\n' "$P2P_SRV" "$P2P_CLI"
		printf 'keepalive 2 20\n'
		[ -n "$cipher" ] && printf 'cipher %s\n' "$cipher"
		[ -n "$auth" ] && printf 'auth %s\n' "$auth"
		[ $# -gt 0 ] && printf '%s\n' "$@"
		printf 'verb 4\nlog %s/server.log\nwritepid %s/server.pid\n' "$VT_DIR" "$VT_DIR"
	} >"$VT_DIR/server.conf"
}

# client_conf KEYFILE DIRECTION(or "" or "inline") CIPHER AUTH [EXTRA...]
client_conf() {
	local key=$1 dir=$2 cipher=$3 auth=$4
	shift 4
	{
		printf 'dev tun\nproto %s\nremote %s %s\n' "$([ "$PROTO" = tcp ] && echo tcp-client || echo udp)" \
			"$VT_SRV_IP" "$VT_PORT"
		printf 'ifconfig %s %s\n' "$P2P_CLI" "$P2P_SRV"
		printf 'route %s 255.255.255.255\n' "$FAR_IP"
		printf 'keepalive 2 20\nverb 3\n'
		[ -n "$cipher" ] && printf 'cipher %s\n' "$cipher"
		[ -n "$auth" ] && printf 'auth %s\n' "$auth"
		if [ "$dir" = inline ]; then
			printf 'key-direction 1\n<secret>\n%s\n</secret>\n' "$(cat "$key")"
		else
			printf 'secret %s %s\n' "$key" "$dir"
		fi
		[ $# -gt 0 ] && printf '%s\n' "$@"
	} >"$VT_DIR/$VT_CLIENT_CONF"
	chmod 600 "$VT_DIR/$VT_CLIENT_CONF"
}

# The control socket (vpnc only): the status counts dropped packets.
client_args() {
	if vt_client_is_stock; then
		VT_CLIENT_ARGS=""
	else
		VT_CLIENT_ARGS="--control-socket $sock"
	fi
}

# dropped: vpnc's count of packets from the peer it dropped (status --json).
dropped() {
	local j
	j=$("${VT_CLIENT_CMD[0]}" status --json --control-socket "$sock" 2>/dev/null) || return 1
	sed -n 's/.*"dropped":\([0-9]*\).*/\1/p' <<<"$j" | head -n 1
}

# peer_start: vt_server_start for a static-key peer, which reports 'Initialization Sequence
# Completed' only once it knows its peer: waits (<= 10 s) for its bound socket instead.
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

# parent_has_no_key: the key's 256 bytes (and its first 64, a cipher slot) appear nowhere
# in the privileged parent's writable memory.
parent_has_no_key() {
	python3 - "$VT_CLI_PID" "$VT_DIR/static.key" <<'PY'
import re, sys
pid, keyfile = sys.argv[1], sys.argv[2]
text = open(keyfile).read()
body = text.split("-----BEGIN OpenVPN Static key V1-----")[1].split("-----END")[0]
key = bytes.fromhex("".join(body.split()))
assert len(key) == 256
found = False
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for line in maps:
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
        if not m or "w" not in m.group(3):
            continue
        start, end = int(m.group(1), 16), int(m.group(2), 16)
        if end - start > 1 << 32:
            continue  # a sanitizer's shadow reservation, not the heap
        pos = start
        while pos < end:
            n = min(end - pos, 1 << 26)
            try:
                mem.seek(pos)
                chunk = mem.read(n + 63 if pos + n < end else n)
            except (OSError, ValueError, OverflowError):
                break
            if key[:64] in chunk or key[128:192] in chunk:
                found = True
            pos += n
sys.exit(1 if found else 0)
PY
}

peer_ping() { vt_srv ping -n -c 1 -W 2 "$P2P_CLI" >/dev/null 2>&1; }
client_log_has() { grep -q -- "$1" "$VT_DIR/client.log"; }
stop_all() {
	vt_client_stop 5
	vt_server_stop
}

# up_case LABEL: peer and client up, the tunnel address within 15 s, pings both ways.
up_case() {
	local label=$1
	if ! peer_start; then
		vt_fail "$label: stock static-key peer up"
		return 1
	fi
	client_args
	vt_client_start
	if ! vt_wait_tun_ipv4 15; then
		vt_fail "$label: the tunnel got the profile's ifconfig within 15 s"
		vt_dump_logs
		stop_all
		return 1
	fi
	vt_pass "$label: tunnel up with $P2P_CLI in $VT_CONNECT_MS ms"
	vt_check "$label: ping the peer's $P2P_SRV" vt_wait_ping "$P2P_SRV" 10
	vt_check "$label: the peer pings the client's $P2P_CLI" peer_ping
	vt_check "$label: a profile route reaches $FAR_IP behind the peer" vt_ping "$FAR_IP"
	return 0
}

for c in $cases; do
	case $c in
	file)
		peer_conf "$VT_DIR/static.key" 0 AES-256-CBC ""
		client_conf "$VT_DIR/static.key" 1 AES-256-CBC ""
		if up_case file; then
			vt_check "file: the peer reports static-key AES-256-CBC" \
				grep -q "Static Key Encryption: Cipher 'AES-256-CBC'" "$VT_DIR/server.log"
			if ! vt_client_is_stock; then
				vt_check "file: one line says there is no forward secrecy" client_log_has "no forward secrecy"
				vt_check "file: no drops on a good key" eval '[ "$(dropped)" = 0 ]'
				plan=$("${VT_CLIENT_CMD[0]}" --check-config "$VT_DIR/$VT_CLIENT_CONF" 2>&1)
				vt_check "file: --check-config shows the mode, cipher and direction" \
					eval '[[ $plan == *"static-key mode (secret)"*"AES-256-CBC with HMAC-SHA1, key-direction 1"* ]]'
				plan=$("${VT_CLIENT_CMD[0]}" --check-config "$VT_DIR/$VT_CLIENT_CONF" --json 2>&1)
				vt_check "file: --check-config --json has the static_key object" \
					eval '[[ $plan == *'"'"'"static_key":{"cipher":"AES-256-CBC","auth":"SHA1","direction":"1"}'"'"'* ]]'
			fi
			vt_check "file: clean stop" vt_client_stop 5
			vt_check "file: exit status 0" eval '[ "${VT_CLI_RC:-x}" = 0 ]'
			vt_server_stop
		fi
		;;
	inline)
		peer_conf "$VT_DIR/static.key" 0 AES-128-CBC SHA256
		client_conf "$VT_DIR/static.key" inline AES-128-CBC SHA256
		up_case inline && stop_all
		;;
	bidir)
		peer_conf "$VT_DIR/static.key" "" AES-256-CBC "" "comp-lzo no"
		client_conf "$VT_DIR/static.key" "" AES-256-CBC "" "comp-lzo no"
		up_case bidir && stop_all
		;;
	fragment)
		# 'fragment 1200' on both sides: pings that need two and five link packets, and the
		# fragment limit the stock peer logs at verb 4 ("max_frag") is the one vpnc uses.
		peer_conf "$VT_DIR/static.key" 0 AES-256-CBC "" "fragment 1200"
		client_conf "$VT_DIR/static.key" 1 AES-256-CBC "" "fragment 1200" "verb 4"
		if up_case fragment; then
			for size in 1400 3000; do
				vt_check "fragment: pings of $size bytes both ways" eval \
					'vt_cli ping -n -c 3 -i 0.2 -W 2 -s $size "$P2P_SRV" >/dev/null &&
					 vt_srv ping -n -c 3 -i 0.2 -W 2 -s $size "$P2P_CLI" >/dev/null'
			done
			peer=$(grep -o 'Fragmentation MTU parms \[ mss_fix:[0-9]* max_frag:[0-9]*' "$VT_DIR/server.log" |
				tail -n 1 | sed 's/.*max_frag://')
			if vt_client_is_stock; then
				mine=$(grep -o 'Fragmentation MTU parms \[ mss_fix:[0-9]* max_frag:[0-9]*' "$VT_DIR/client.log" |
					tail -n 1 | sed 's/.*max_frag://')
			else
				mine=$(sed -n 's/.*at most \([0-9]*\) bytes of payload per fragment (max_frag).*/\1/p' \
					"$VT_DIR/client.log" | tail -n 1)
			fi
			vt_check "fragment: the client's fragment limit ${mine:-none} is the stock peer's (${peer:-none})" \
				eval '[ -n "$peer" ] && [ "$mine" = "$peer" ]'
			stop_all
		fi
		;;
	tcp)
		PROTO=tcp
		peer_conf "$VT_DIR/static.key" 0 AES-256-CBC ""
		client_conf "$VT_DIR/static.key" 1 AES-256-CBC ""
		up_case tcp && stop_all
		PROTO=udp
		;;
	privsep)
		if vt_client_is_stock; then
			vt_log "  (privsep: vpnc only)"
			continue
		fi
		peer_conf "$VT_DIR/static.key" 0 AES-256-CBC ""
		client_conf "$VT_DIR/static.key" 1 AES-256-CBC "" "privsep yes" "user nobody" "group nogroup"
		if up_case privsep; then
			# The network process (the child) owns the UDP socket; the parent none.
			net=$(pgrep -P "$VT_CLI_PID" 2>/dev/null | head -n 1)
			vt_check "privsep: a network process (${net:-none}) owns the UDP socket" \
				eval '[ -n "$net" ] && vt_cli ss -unpH 2>/dev/null | grep -q "pid=$net,"'
			vt_check "privsep: the parent owns no UDP socket" \
				eval '! vt_cli ss -unpH 2>/dev/null | grep -q "pid=$VT_CLI_PID,"'
			vt_check "privsep: the parent's memory holds no copy of the key" parent_has_no_key
			stop_all
		fi
		;;
	wrongkey)
		# The peer knows where the client is (remote, and the client binds the port), so its
		# pings reach the client, which cannot authenticate them.
		peer_conf "$VT_DIR/other.key" 0 AES-256-CBC "" "remote $VT_CLI_IP $VT_PORT"
		client_conf "$VT_DIR/static.key" 1 AES-256-CBC "" "lport $VT_PORT"
		if ! peer_start; then
			vt_fail "wrongkey: stock static-key peer up"
			continue
		fi
		client_args
		vt_client_start
		if vt_wait_tun_ipv4 15; then
			vt_pass "wrongkey: the tunnel comes up (static-key mode has no handshake)"
		else
			vt_fail "wrongkey: the tunnel comes up"
		fi
		if vt_cli ping -n -c 3 -W 1 "$P2P_SRV" >/dev/null 2>&1; then
			vt_fail "wrongkey: a ping got through with the wrong key"
		else
			vt_pass "wrongkey: no ping gets through"
		fi
		sleep 3 # two of the peer's keepalive pings
		vt_check "wrongkey: the peer fails the client's packets' HMAC" \
			grep -q "packet HMAC authentication failed" "$VT_DIR/server.log"
		if vt_client_is_stock; then
			vt_check "wrongkey: stock client fails the peer's packets' HMAC" \
				client_log_has "packet HMAC authentication failed"
		else
			vt_check "wrongkey: the client logs failing data packets once" client_log_has \
				"dropped a packet from the peer: data packet authentication failed"
			vt_check "wrongkey: ... and asks about the key, direction, cipher and auth" client_log_has \
				"static-key mode: the peer's packets do not authenticate; does it use the same key"
			n=$(dropped)
			vt_check "wrongkey: the client counts the drops (${n:-none})" eval '[ "${n:-0}" -ge 1 ]'
		fi
		stop_all
		;;
	default)
		peer_conf "$VT_DIR/static.key" 0 "" ""
		client_conf "$VT_DIR/static.key" 1 "" ""
		if openssl enc -bf-cbc -K 00112233445566778899aabbccddeeff -iv 0011223344556677 \
			</dev/null >/dev/null 2>&1; then
			vt_log "  (this OpenSSL has BF-CBC: both ends use it)"
			up_case default && stop_all
		else
			peer_start >/dev/null 2>&1
			vt_check "default: stock 2.6 refuses BF-CBC" grep -q "Cipher BF-CBC not supported" "$VT_DIR/server.log"
			vt_server_stop
			client_args
			vt_client_start
			if vt_client_wait_exit 10; then
				if vt_client_is_stock; then
					vt_check "default: stock client exits non-zero" eval '[ "$VT_CLI_RC" != 0 ]'
				else
					vt_check "default: vpnc refuses the profile (exit 2, got $VT_CLI_RC)" eval '[ "$VT_CLI_RC" = 2 ]'
					vt_check "default: the sentence names BF-CBC and 'cipher'" client_log_has "default cipher BF-CBC"
				fi
			else
				vt_fail "default: the client exits"
				vt_client_stop 3
			fi
		fi
		;;
	*)
		vt_fail "unknown case $c"
		;;
	esac
done

vt_summary $name
