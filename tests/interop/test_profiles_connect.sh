#!/bin/bash
# test_profiles_connect.sh: with a stock OpenVPN 2.6 server derived from each
# corpus profile, vpnc connects wherever the stock client connects, and the
# server negotiates the same data cipher with both.
#
# Usage: test_profiles_connect.sh <vpnc-binary>
#
# For each profile (tests/data/profiles/, filled by profiles.sh with an RSA
# test PKI) a worker gets the two namespaces of lib.sh, the server one router
# hop away (so `redirect-gateway` has a gateway to keep), and writes:
#   server: proto (udp/tcp, v4 or v6) and port of the profile's first
#           `remote` (or `proto`/`port`/`rport`), `topology subnet`,
#           data-ciphers: the profile's `data-ciphers`, else 2.6's default
#           list plus the profile's `cipher` (and that as
#           data-ciphers-fallback), BF-CBC left out (OpenSSL 3 has it only
#           in the legacy provider); `auth`; tls-auth (the other direction),
#           tls-crypt or tls-crypt-v2 as the profile has it; the profile's
#           comp-lzo/compress with `allow-compression yes` (so it really
#           compresses); `tun-mtu`, `fragment`; a certificate whose subject
#           is what `verify-x509-name` asks for; with `auth-user-pass`, a
#           verify script that takes any name (and `verify-client-cert
#           none` when the profile has no certificate of its own).
#   client: the profile with every `remote` pointing at the server's address
#           and port (its proto word kept). Nothing else changes. A
#           profile whose `auth-user-pass` names no file gets
#           `--auth-user-pass FILE` on the command line (no terminal here).
# A static-key profile (`secret`) gets a stock static-key peer instead: the
# same key with the other direction, the profile's `ifconfig` the other way
# round, its `cipher`, `auth` and compression, no TLS; its ping goes to the
# profile's `ifconfig` peer address (the peer logs its cipher the same way).
# A TLS peer without pull (`tls-client`, no `client` or `pull`) gets a stock
# TLS p2p peer: `tls-server` with the profile's `ifconfig` the other way round
# instead of `server` and `topology`, the rest as above; its ping goes to the
# profile's `ifconfig` peer address. What cannot work offline stays as it is
# and fails for both clients alike (a `remote-cert-ku` our certificate lacks,
# a `local` address the server cannot be reached from, `dev null`).
# Then the stock client, and vpnc, each against a fresh server: a session
# counts when the tun has an address within 12 s, the server logged the
# peer, and a ping bound to the tun reaches the server's tunnel address
# (the client namespace also routes to the server outside the tunnel); the
# server log names the cipher.
# Asserted: vpnc connects wherever stock connects, with the same cipher,
# except KNOWN_GAPS below, each of which must still be exactly a gap. Runs
# four workers at a time; prints the totals.
# Needs root.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
# shellcheck source-path=SCRIPTDIR source=profiles.sh
. "$here/profiles.sh"

name=test_profiles_connect

# Profiles the stock client connects with and vpnc does not, with the reason.
# Each must stay a gap (checked below): fixing one means shrinking this list.
declare -A KNOWN_GAPS=()

# pfc_static_conf PROFILE PKI FLAT CIPHER AUTH: the stock static-key peer for a
# `secret` profile (FLAT: its options without blocks); sets PFC_STATIC and PFC_PING.
pfc_static_conf() {
	local prof=$1 pki=$2 flat=$3 cipher=$4 auth=$5 dir ifc
	sopt() { awk -v o="$1" '$1 == o { $1 = ""; sub(/^ /, ""); v = $0 } END { print v }' <<<"$flat"; }
	shas() { awk -v o="$1" '$1 == o { f = 1 } END { exit !f }' <<<"$flat"; }
	dir=$(sopt key-direction)
	[ -n "$dir" ] || dir=$(sopt secret | awk '{ print $2 }')
	ifc=$(sopt ifconfig)
	PFC_STATIC=1
	PFC_PING=$(awk '{ print $2 }' <<<"$ifc")
	{
		printf '%s\n' "dev tun" "proto $PFC_PROTO$([ "$PFC_PROTO" = tcp ] && echo -server)$([ "$PFC_FAM" = 6 ] && echo 6)"
		if [ "$PFC_FAM" = 6 ]; then printf 'local %s\n' "$VT_SRV_FAR_IP6"; else printf 'local %s\n' "$VT_SRV_FAR_IP"; fi
		printf '%s\n' "port $PFC_PORT" "keepalive 10 60" "verb 3" "log $VT_DIR/server.log" "writepid $VT_DIR/server.pid"
		case "$dir" in 0) printf 'secret %s 1\n' "$pki/tc.key" ;; 1) printf 'secret %s 0\n' "$pki/tc.key" ;;
		*) printf 'secret %s\n' "$pki/tc.key" ;; esac
		[ -n "$ifc" ] && printf 'ifconfig %s %s\n' "$(awk '{ print $2 }' <<<"$ifc")" "$(awk '{ print $1 }' <<<"$ifc")"
		[ -n "$cipher" ] && printf 'cipher %s\n' "$cipher"
		[ -n "$auth" ] && printf 'auth %s\n' "$auth"
		shas comp-lzo && printf 'comp-lzo %s\nallow-compression yes\n' "$(sopt comp-lzo)"
		shas compress && printf 'compress %s\nallow-compression yes\n' "$(sopt compress)"
		shas tun-mtu && printf 'tun-mtu %s\n' "$(sopt tun-mtu)"
	} >"$VT_DIR/server.conf"
	return 0
}

# pfc_static_start: starts the static-key or TLS p2p peer, which reports 'Initialization
# Sequence Completed' only once it has a peer: waits (<= 10 s) for its socket instead.
pfc_static_start() {
	local i=0 ssopt=-lun
	[ "$PFC_PROTO" = tcp ] && ssopt=-ltn
	ip netns exec "$VT_SRV_NS" openvpn --config "$VT_DIR/server.conf" >"$VT_DIR/server.out" 2>&1 &
	VT_SRV_PID=$!
	while [ $i -lt 100 ]; do
		vt_srv ss -H "$ssopt" 2>/dev/null | grep -q ":$VT_PORT " && return 0
		vt_pid_alive "$VT_SRV_PID" || break
		sleep 0.1
		i=$((i + 1))
	done
	tail -n 20 "$VT_DIR/server.log" 2>/dev/null
	return 1
}

# pfc_server_conf PROFILE PKI SRVDIR: writes $VT_DIR/server.conf for PROFILE;
# sets PFC_PROTO (udp|tcp), PFC_FAM (4|6) and PFC_PORT.
pfc_server_conf() {
	local prof=$1 pki=$2 sd=$3 flat rem proto port cipher dc auth dir x509 subj
	flat=$(tr -d '\r' <"$prof" | sed -e 's/^[ \t]*--/ /' -e 's/^[ \t]*//' -e 's/[ \t][#;].*$//' |
		awk '/^<[a-z0-9-]+>$/ { if ($0 != "<connection>") skip = 1 } /^<\/[a-z0-9-]+>$/ { skip = 0; next } !skip')
	opt() { awk -v o="$1" '$1 == o { $1 = ""; sub(/^ /, ""); v = $0 } END { print v }' <<<"$flat"; }
	has() { awk -v o="$1" '$1 == o { f = 1 } END { exit !f }' <<<"$flat"; }
	rem=$(awk '$1 == "remote" { print; exit }' <<<"$flat")
	port=$(awk '{ print $3 }' <<<"$rem")
	proto=$(awk '{ print $4 }' <<<"$rem")
	[ -n "$port" ] || port=$(opt rport)
	[ -n "$port" ] || port=$(opt port)
	[ -n "$port" ] || port=1194
	[ -n "$proto" ] || proto=$(opt proto)
	[ -n "$proto" ] || proto=udp
	case "$proto" in tcp*) PFC_PROTO=tcp ;; *) PFC_PROTO=udp ;; esac
	case "$proto" in *6*) PFC_FAM=6 ;; *) PFC_FAM=4 ;; esac
	PFC_PORT=$port
	cipher=$(opt cipher | awk '{ print toupper($1) }')
	dc=$(opt data-ciphers)
	[ -n "$dc" ] || dc=$(opt ncp-ciphers)
	if [ -z "$dc" ]; then
		dc=AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305
		case "$cipher" in "" | BF-CBC | NONE | AES-256-GCM | AES-128-GCM | CHACHA20-POLY1305) ;; *) dc="$dc:$cipher" ;; esac
	fi
	auth=$(opt auth | awk '{ print $1 }')
	x509=$(opt verify-x509-name)
	PFC_STATIC=0
	PFC_P2P=0
	PFC_PING=$VT_TUN_SRV_IP
	# A TLS peer without pull (tls-client, no client or pull): a stock tls-server p2p peer.
	local mode_lines=("topology subnet" "server $VT_TUN_NET $VT_TUN_MASK") ifc
	if has tls-client && ! has client && ! has pull; then
		PFC_P2P=1
		ifc=$(opt ifconfig)
		mode_lines=("tls-server")
		if [ -n "$ifc" ]; then
			mode_lines+=("ifconfig $(awk '{ print $2 }' <<<"$ifc") $(awk '{ print $1 }' <<<"$ifc")")
			PFC_PING=$(awk '{ print $2 }' <<<"$ifc")
		fi
	fi
	if has secret || grep -q '^<secret>' <<<"$(tr -d '\r' <"$prof" | sed 's/^[ \t]*//')"; then
		pfc_static_conf "$prof" "$pki" "$flat" "$cipher" "$auth"
		return
	fi
	{
		printf '%s\n' "dev tun" "proto $PFC_PROTO$([ "$PFC_PROTO" = tcp ] && echo -server)$([ "$PFC_FAM" = 6 ] && echo 6)"
		if [ "$PFC_FAM" = 6 ]; then printf 'local %s\n' "$VT_SRV_FAR_IP6"; else printf 'local %s\n' "$VT_SRV_FAR_IP"; fi
		printf '%s\n' "port $port" "${mode_lines[@]}" "keepalive 10 60" \
			"data-ciphers $dc" "dh none" "ca $pki/ca.crt" "key $pki/server.key" "verb 3" \
			"log $VT_DIR/server.log" "writepid $VT_DIR/server.pid"
		case "$cipher" in "" | BF-CBC | NONE) ;; *) printf 'data-ciphers-fallback %s\n' "$cipher" ;; esac
		[ -n "$auth" ] && printf 'auth %s\n' "$auth"
		if has tls-auth || grep -q '^<tls-auth>' <<<"$(tr -d '\r' <"$prof" | sed 's/^[ \t]*//')"; then
			dir=$(opt key-direction)
			[ -n "$dir" ] || dir=$(opt tls-auth | awk '{ print $2 }')
			case "$dir" in 0) printf 'tls-auth %s 1\n' "$pki/tc.key" ;; 1) printf 'tls-auth %s 0\n' "$pki/tc.key" ;;
			*) printf 'tls-auth %s\n' "$pki/tc.key" ;; esac
		fi
		if has tls-crypt || grep -q '^<tls-crypt>' <<<"$(tr -d '\r' <"$prof" | sed 's/^[ \t]*//')"; then
			printf 'tls-crypt %s\n' "$pki/tc.key"
		fi
		if has tls-crypt-v2 || grep -q '^<tls-crypt-v2>' <<<"$(tr -d '\r' <"$prof" | sed 's/^[ \t]*//')"; then
			printf 'tls-crypt-v2 %s\n' "$pki/tcv2-server.key"
		fi
		has comp-lzo && printf 'comp-lzo %s\nallow-compression yes\n' "$(opt comp-lzo)"
		has compress && printf 'compress %s\nallow-compression yes\n' "$(opt compress)"
		has tun-mtu && printf 'tun-mtu %s\n' "$(opt tun-mtu)"
		has fragment && printf 'fragment %s\n' "$(opt fragment)"
		if has auth-user-pass || grep -q '^<auth-user-pass>' <<<"$(tr -d '\r' <"$prof" | sed 's/^[ \t]*//')"; then
			printf '%s\n' "script-security 2" "auth-user-pass-verify $pki/noop.sh via-file" "username-as-common-name"
			if ! has cert && ! has pkcs12 && ! grep -q -e '^<cert>' -e '^<pkcs12>' <<<"$(tr -d '\r' <"$prof" | sed 's/^[ \t]*//')"; then
				printf 'verify-client-cert none\n'
			fi
		fi
	} >"$VT_DIR/server.conf"
	# The server certificate: the test PKI's, or one with the subject the
	# profile's verify-x509-name asks for (same key, same CA).
	subj=""
	if [ -n "$x509" ]; then
		local val type
		val=$(sed -n 's/^"\([^"]*\)".*/\1/p' <<<"$x509")
		[ -n "$val" ] || val=$(awk '{ print $1 }' <<<"$x509")
		type=$(awk '{ sub(/^"[^"]*"/, ""); print $NF }' <<<"$x509")
		[ "$type" = "$val" ] && type=subject
		case "$type" in
		subject) subj="/$(sed 's/, */\//g' <<<"$val")" ;;
		*) subj="/CN=$val" ;;
		esac
	fi
	if [ -n "$subj" ]; then
		openssl req -new -key "$pki/server.key" -subj "$subj" -out "$sd/srv.csr" >>"$sd/openssl.log" 2>&1 &&
			openssl x509 -req -sha256 -in "$sd/srv.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
				-set_serial "0x$(openssl rand -hex 8)" -days 3 -extfile "$pki/ext.cnf" -extensions server \
				-out "$sd/server.crt" >>"$sd/openssl.log" 2>&1 || return 1
		printf 'cert %s\n' "$sd/server.crt" >>"$VT_DIR/server.conf"
	else
		printf 'cert %s\n' "$pki/server.crt" >>"$VT_DIR/server.conf"
	fi
}

# pfc_client_conf PROFILE OUT: the profile with each `remote` at the server.
pfc_client_conf() {
	local addr=$VT_SRV_FAR_IP
	[ "$PFC_FAM" = 6 ] && addr=$VT_SRV_FAR_IP6
	awk -v a="$addr" -v p="$PFC_PORT" '
	{
		line = $0; eol = ""
		if (sub(/\r$/, "", line)) eol = "\r"
		if (match(line, /^[ \t]*(--)?remote[ \t]+[^ \t]/)) {
			n = split(line, w, /[ \t]+/)
			i = (w[1] == "") ? 2 : 1
			line = w[i] " " a " " p
			if (n >= i + 3 && w[i + 3] !~ /^[#;]/) line = line " " w[i + 3]
		}
		printf "%s%s\n", line, eol
	}' "$1" >"$2"
	chmod 600 "$2"
}

# pfc_ping_tun SECONDS: one ping at a time, bound to the client's tun device
# (the client namespace also has a route to the server's side outside the
# tunnel), until one comes back.
pfc_ping_tun() {
	local i=0
	while [ $i -lt "$1" ]; do
		vt_cli ping -n -c 1 -W 1 -I "$VT_CLI_TUN" "$PFC_PING" >/dev/null 2>&1 && return 0
		i=$((i + 1))
	done
	return 1
}

# pfc_session WHO: one client run against a fresh server; prints
# "ok CIPHER" or "no WHY". VT_CLIENT_CMD is set by the caller.
pfc_session() {
	local who=$1 c
	: >"$VT_DIR/server.log"
	if [ "$PFC_STATIC" = 1 ] || [ "$PFC_P2P" = 1 ]; then
		if ! pfc_static_start >"$VT_DIR/server-start-$who.txt" 2>&1; then
			echo "no server did not start"
			vt_server_stop
			return
		fi
	elif ! vt_server_start >"$VT_DIR/server-start-$who.txt" 2>&1; then
		echo "no server did not start"
		return
	fi
	vt_client_start
	# A session: the server set it up, and a ping through the client's tun
	# comes back (a p2p profile's own `ifconfig` can put an address on it).
	if vt_wait_tun_ipv4 12 && vt_wait_server_peers 1 3 && pfc_ping_tun 6; then
		c=$(vt_server_cipher)
		echo "ok ${c:-unknown}"
	else
		echo "no $(grep -E -m 1 -i 'error|refus|fail|not supported' "$VT_DIR/client.log" | sed 's/^[0-9: -]*//' | cut -c1-160)"
	fi
	vt_client_stop 5
	cp "$VT_DIR/client.log" "$VT_DIR/client-$who.log" 2>/dev/null
	cp "$VT_DIR/server.log" "$VT_DIR/server-$who.log" 2>/dev/null
	vt_server_stop
}

# pfc_worker VPNC NAME PKI: the two sessions for profile NAME; prints the
# "stock ..." and "vpnc ..." result lines.
pfc_worker() {
	local vpnc=$1 prof_name=$2 pki=$3
	if ! vt_netns_up >/dev/null 2>&1 || ! vt_netns_routed >/dev/null 2>&1; then
		printf '%s\n' "stock no namespaces" "vpnc no namespaces"
		return
	fi
	if ! pf_prepare "$prof_name" "$pki" "$VT_DIR" || ! pfc_server_conf "$VT_DIR/profile.ovpn" "$pki" "$VT_DIR" ||
		! pfc_client_conf "$VT_DIR/profile.ovpn" "$VT_DIR/client.ovpn"; then
		printf '%s\n' "stock no derivation failed" "vpnc no derivation failed"
		return
	fi
	VT_PORT=$PFC_PORT
	VT_SRV_PROTO=$PFC_PROTO
	VT_CLIENT_ARGS=""
	if grep -Eq '^[[:space:]]*(--)?auth-user-pass[[:space:]]*$' <(tr -d '\r' <"$VT_DIR/client.ovpn"); then
		VT_CLIENT_ARGS="--auth-user-pass $pki/auth.txt"
	fi
	VT_CLIENT_CMD=(openvpn)
	echo "stock $(pfc_session stock)"
	VT_CLIENT_CMD=("$vpnc")
	echo "vpnc $(pfc_session vpnc)"
}

# Worker mode: one profile in namespaces of its own; result in OUT/result.
if [ "${1:-}" = --worker ]; then
	out=$5
	vt_init || exit 1
	VT_CLIENT_CONF=client.ovpn
	pfc_worker "$2" "$3" "$4" >"$out/result.tmp" 2>"$out/worker.err"
	mv "$out/result.tmp" "$out/result"
	for f in server.conf client.ovpn client-stock.log client-vpnc.log server-stock.log server-vpnc.log; do
		cp "$VT_DIR/$f" "$out/" 2>/dev/null
	done
	exit 0
fi

vt_start "$name" "${1:-}"
if vt_client_is_stock; then
	vt_log "$name: needs the vpnc binary (it compares vpnc with stock)"
	exit 1
fi
VPNC=$(readlink -f "${VT_CLIENT_CMD[0]}")
vt_log "$name: vpnc is $VPNC"
pfc_setup() { vt_pki rsa && pf_pki_extras "$VT_DIR/pki"; }
if ! vt_check "RSA test PKI" pfc_setup; then
	vt_summary "$name"
	exit 1
fi

mapfile -t all < <(pf_list)
vt_log "$name: ${#all[@]} profiles, 4 at a time"
t0=$SECONDS
# pfc_one NAME IDX OUT: a worker with a VT_ID of its own, so its own namespaces and addresses.
pfc_one() {
	VT_ID=$((($$ % 1000) * 1000 + $2)) VT_KEEP=0 timeout 120 bash "$0" --worker "$VPNC" "$1" "$VT_DIR/pki" "$3"
}
pf_each pfc_one "${all[@]}"
vt_log "$name: all sessions done in $((SECONDS - t0)) s"

# pfc_judge NAME: one profile's verdict from pf_tally's words and details (pf_tally
# itself fails a profile without a result).
pfc_judge() {
	local n=$1 sc="" vc="" swhy="" vwhy=""
	if [ "$pf_s" = ok ]; then sc=$pf_sd; elif [ "$pf_s" = no ]; then swhy=$pf_sd; fi
	if [ "$pf_v" = ok ]; then vc=$pf_vd; elif [ "$pf_v" = no ]; then vwhy=$pf_vd; fi
	case "$pf_s/$pf_v" in
	ok/ok)
		if [ "$sc" = "$vc" ]; then
			vt_pass "$n: both connect, cipher $sc"
		else
			vt_fail "$n: both connect, but the server chose $sc for stock and $vc for vpnc"
		fi
		;;
	ok/*)
		vt_fail "$n: stock connects, vpnc does not: $vwhy"
		[ "$VT_VERBOSE" = 1 ] && tail -n 15 "$pf_dir/client-vpnc.log"
		;;
	no/ok) vt_pass "$n: stock does not connect ($swhy); vpnc does" ;;
	no/no) vt_pass "$n: neither connects (stock: $swhy)" ;;
	esac
}
pf_tally "$name" ok no connected pfc_judge 0 "${all[@]}"
vt_summary "$name"
