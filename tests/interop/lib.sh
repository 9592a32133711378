# lib.sh: shared helpers for the interop tests and the demo.
#
# This file owns the throwaway test world: two network namespaces joined by a
# veth pair, a temporary PKI made with the openssl CLI, a stock OpenVPN 2.6
# server in one namespace and the client under test in the other. Every
# address used lives only inside those namespaces, and vt_cleanup removes
# processes, namespaces and the temporary directory on every exit path.
#
# Source it from bash, call vt_init first, then the vt_* steps. The client is
# any program that understands `--config FILE` like openvpn does; see
# vt_client_resolve for how it is chosen (VPNC_CLIENT_CMD overrides).
#
# shellcheck shell=bash

# Names and addresses of one run. The suffix keeps parallel runs apart.
VT_ID=${VT_ID:-$$}
VT_SRV_NS="vpnct-srv-$VT_ID"
VT_CLI_NS="vpnct-cli-$VT_ID"
# vt_netns_router adds a router namespace between the two (a second path).
VT_RTR_NS="vpnct-rtr-$VT_ID"
VT_SRV_VETH=vsrv
VT_CLI_VETH=vcli
VT_NET_OCTET=$((VT_ID % 250 + 1))
VT_SRV_IP="10.199.$VT_NET_OCTET.1"
VT_CLI_IP="10.199.$VT_NET_OCTET.2"
VT_SRV_IP6="fd00:199::1"
VT_CLI_IP6="fd00:199::2"
VT_PORT=1194
# Transport: the server's proto and bind address, the client's remote. The
# defaults are UDP over IPv4; test_transport.sh changes them.
VT_SRV_PROTO=${VT_SRV_PROTO:-udp}
VT_SRV_LOCAL=${VT_SRV_LOCAL:-$VT_SRV_IP}
VT_REMOTE=${VT_REMOTE:-$VT_SRV_IP}
# Extra lines for the server config (one option a line), e.g. "reneg-sec 5".
VT_SERVER_EXTRA=${VT_SERVER_EXTRA:-}
# Extra lines for the client profile, appended at the end.
VT_CLIENT_EXTRA=${VT_CLIENT_EXTRA:-}
# The client's `remote` lines; empty means "remote $VT_REMOTE $VT_PORT".
VT_CLIENT_REMOTES=${VT_CLIENT_REMOTES:-}
# Control-channel wrapping on both sides: tls-crypt, tls-crypt-v2, tls-auth
# or none. For tls-auth, VT_TA_DIGEST is the `auth` digest (empty: none
# given) and VT_TA_INLINE=1 puts the key inline with `key-direction 1`,
# 0 names the key file with the direction on the tls-auth line.
VT_WRAP=${VT_WRAP:-tls-crypt}
VT_TA_DIGEST=${VT_TA_DIGEST:-}
VT_TA_INLINE=${VT_TA_INLINE:-1}
# Server topology and keepalive, the client's verify-x509-name arguments and
# CA file, and its server-poll-timeout.
VT_TOPOLOGY=${VT_TOPOLOGY:-subnet}
VT_KEEPALIVE=${VT_KEEPALIVE:-10 60}
VT_X509_NAME=${VT_X509_NAME:-server name}
VT_CLIENT_CA=${VT_CLIENT_CA:-}
VT_POLL_TIMEOUT=${VT_POLL_TIMEOUT:-10}
# vt_netns_routed gives the server a second address behind a router hop.
VT_SRV_FAR_IP="10.198.$VT_NET_OCTET.1"
VT_SRV_FAR_IP6="fd00:198::1"
# The tunnel the server hands out, and routes it pushes.
VT_TUN_NET=10.200.0.0
VT_TUN_MASK=255.255.255.0
VT_TUN_SRV_IP=10.200.0.1
VT_TUN_NET6="fd00:200::/64"
VT_TUN_SRV_IP6="fd00:200::1"
VT_PUSH_ROUTE=10.201.0.0/24
VT_PUSH_ROUTE6="fd00:201::/64"

VT_DIR=""
VT_SRV_PID=""
VT_CLI_PID=""
VT_CLI_RC=""
VT_CLI_TUN=""
VT_CONNECT_MS=""
VT_CLEANED=0
VT_PASSED=0
VT_FAILED=0
VT_VERBOSE=${VT_VERBOSE:-0}
VT_CLIENT_CMD=()
# The client profile's file name inside $VT_DIR.
VT_CLIENT_CONF=${VT_CLIENT_CONF:-client.ovpn}

vt_log() { printf '%s\n' "$*"; }
vt_info() { [ "$VT_VERBOSE" = 1 ] && printf '  .. %s\n' "$*"; return 0; }
vt_pass() { VT_PASSED=$((VT_PASSED + 1)); printf 'PASS: %s\n' "$*"; }
vt_fail() { VT_FAILED=$((VT_FAILED + 1)); printf 'FAIL: %s\n' "$*"; }
vt_warn() { printf 'WARN: %s\n' "$*"; }

# vt_ci: whether this is a CI run: VPNC_CI=1 (.ci/run sets it) or CI=true or 1 (what CI
# services set). There every package of `contrib/install-deps.sh test` is installed.
vt_ci() { [ "${VPNC_CI:-0}" = 1 ] || [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; }

# vt_skip_or_fail WHAT: a check cannot run because a program or package is missing that
# `contrib/install-deps.sh test` installs. Outside CI: "SKIP: WHAT", status 0. In CI that is a
# regression, not a pass: "FAIL: WHAT", counted in VT_FAILED, status 1 (a test that keeps its
# own counters adds the failure itself when the status is 1).
vt_skip_or_fail() {
	if vt_ci; then
		vt_fail "$* (in CI every package of contrib/install-deps.sh test must be installed)"
		return 1
	fi
	vt_log "SKIP: $*"
	return 0
}

# vt_check DESCRIPTION CMD...: runs CMD and records PASS or FAIL.
vt_check() {
	local what=$1
	shift
	if "$@"; then vt_pass "$what"; return 0; fi
	vt_fail "$what"
	return 1
}

# vt_summary NAME: prints the last line and returns non-zero on any failure.
vt_summary() {
	printf '%s: %d passed, %d failed\n' "$1" "$VT_PASSED" "$VT_FAILED"
	[ "$VT_FAILED" -eq 0 ]
}

vt_now_us() { local t=${EPOCHREALTIME/./}; printf '%s' "$((10#$t))"; }
vt_srv() { ip netns exec "$VT_SRV_NS" "$@"; }
vt_cli() { ip netns exec "$VT_CLI_NS" "$@"; }

# vt_require_tools: root, netns, /dev/net/tun and the programs we call.
vt_require_tools() {
	local t missing=""
	if [ "$(id -u)" != 0 ]; then
		vt_log "error: the interop tests need root (network namespaces, tun)"
		return 1
	fi
	for t in ip openssl openvpn ping iperf3 ss timeout; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	if [ -n "$missing" ]; then
		vt_log "error: missing tools:$missing"
		return 1
	fi
	if [ ! -c /dev/net/tun ]; then
		vt_log "error: /dev/net/tun is missing"
		return 1
	fi
	return 0
}

# vt_init: temp dir and the cleanup trap. Call before creating anything.
vt_init() {
	VT_DIR=$(mktemp -d /tmp/vpnct.XXXXXX) || return 1
	chmod 700 "$VT_DIR"
	trap vt_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	return 0
}

# vt_pid_alive PID: true while PID exists and is not a zombie.
vt_pid_alive() {
	local st
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

# vt_kill_wait PID SECONDS: SIGTERM, wait, then SIGKILL if still there.
vt_kill_wait() {
	local pid=$1 limit=$(($2 * 10)) i=0
	vt_pid_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	while vt_pid_alive "$pid" && [ $i -lt $limit ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if vt_pid_alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		sleep 0.1
	fi
	return 0
}

# vt_cleanup: kills what we started, deletes our namespaces and temp dir.
# Runs from the EXIT trap, so it also runs after failures and Ctrl-C.
vt_cleanup() {
	local ns pid
	[ "$VT_CLEANED" = 1 ] && return 0
	VT_CLEANED=1
	trap - INT TERM HUP
	[ -n "$VT_CLI_PID" ] && vt_kill_wait "$VT_CLI_PID" 3
	[ -n "$VT_SRV_PID" ] && vt_kill_wait "$VT_SRV_PID" 3
	# Anything else still running inside our own namespaces (iperf3 -D ...).
	for ns in "$VT_CLI_NS" "$VT_SRV_NS" "$VT_RTR_NS"; do
		ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$ns" || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			vt_kill_wait "$pid" 2
		done
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "$VT_DIR" ] && [ -d "$VT_DIR" ] && [ "${VT_KEEP:-0}" != 1 ]; then
		rm -rf "$VT_DIR"
	elif [ -n "$VT_DIR" ]; then
		vt_log "kept $VT_DIR (VT_KEEP=1)"
	fi
	return 0
}

# vt_netns_up: two namespaces, lo up, one veth pair with v4 and v6 addresses.
vt_netns_up() {
	ip netns add "$VT_SRV_NS" || return 1
	ip netns add "$VT_CLI_NS" || return 1
	ip -n "$VT_SRV_NS" link set lo up || return 1
	ip -n "$VT_CLI_NS" link set lo up || return 1
	# Both ends are created directly inside our namespaces, never in the host's.
	ip link add "$VT_SRV_VETH" netns "$VT_SRV_NS" type veth \
		peer name "$VT_CLI_VETH" netns "$VT_CLI_NS" || return 1
	ip -n "$VT_SRV_NS" addr add "$VT_SRV_IP/24" dev "$VT_SRV_VETH" || return 1
	ip -n "$VT_CLI_NS" addr add "$VT_CLI_IP/24" dev "$VT_CLI_VETH" || return 1
	ip -n "$VT_SRV_NS" addr add "$VT_SRV_IP6/64" dev "$VT_SRV_VETH" nodad || return 1
	ip -n "$VT_CLI_NS" addr add "$VT_CLI_IP6/64" dev "$VT_CLI_VETH" nodad || return 1
	ip -n "$VT_SRV_NS" link set "$VT_SRV_VETH" up || return 1
	ip -n "$VT_CLI_NS" link set "$VT_CLI_VETH" up || return 1
	vt_info "namespaces $VT_SRV_NS ($VT_SRV_IP) and $VT_CLI_NS ($VT_CLI_IP)"
	return 0
}

# vt_netns_routed: makes the server reachable at $VT_SRV_FAR_IP(6), an
# address on its loopback, through the server's veth address acting as the
# client's default gateway. This gives the client namespace an "original
# gateway" (for redirect-gateway and net_gateway). Call after vt_netns_up.
vt_netns_routed() {
	ip -n "$VT_SRV_NS" addr add "$VT_SRV_FAR_IP/32" dev lo || return 1
	ip -n "$VT_SRV_NS" addr add "$VT_SRV_FAR_IP6/128" dev lo || return 1
	ip -n "$VT_CLI_NS" route add default via "$VT_SRV_IP" dev "$VT_CLI_VETH" || return 1
	ip -n "$VT_CLI_NS" -6 route add default via "$VT_SRV_IP6" dev "$VT_CLI_VETH" || return 1
	vt_info "server also at $VT_SRV_FAR_IP / $VT_SRV_FAR_IP6 via gateway $VT_SRV_IP"
	return 0
}

# vt_netns_router: a second path from the client to the server through a
# router namespace: client "vcr" 10.197.N.2 / fd00:197::2 -- router "vrc"
# .1 / ::1, router "vrs" 10.196.N.1 / fd00:196::1 -- server "vsr"
# $VT_SRV_RTR_IP / $VT_SRV_RTR_IP6 (the router's far link, whose MTU a test
# may lower: the router then answers with real ICMP "fragmentation needed" /
# "packet too big", not rate-limited). Call after vt_netns_up.
VT_SRV_RTR_IP="10.196.$VT_NET_OCTET.2"
VT_SRV_RTR_IP6="fd00:196::2"
VT_RTR_FAR_VETH=vrs
VT_CLI_RTR_VETH=vcr
vt_netns_router() {
	local o=$VT_NET_OCTET
	ip netns add "$VT_RTR_NS" || return 1
	ip -n "$VT_RTR_NS" link set lo up || return 1
	ip link add vcr netns "$VT_CLI_NS" type veth peer name vrc netns "$VT_RTR_NS" || return 1
	ip link add vrs netns "$VT_RTR_NS" type veth peer name vsr netns "$VT_SRV_NS" || return 1
	ip -n "$VT_CLI_NS" addr add "10.197.$o.2/24" dev vcr || return 1
	ip -n "$VT_RTR_NS" addr add "10.197.$o.1/24" dev vrc || return 1
	ip -n "$VT_RTR_NS" addr add "10.196.$o.1/24" dev vrs || return 1
	ip -n "$VT_SRV_NS" addr add "$VT_SRV_RTR_IP/24" dev vsr || return 1
	ip -n "$VT_CLI_NS" addr add fd00:197::2/64 dev vcr nodad || return 1
	ip -n "$VT_RTR_NS" addr add fd00:197::1/64 dev vrc nodad || return 1
	ip -n "$VT_RTR_NS" addr add fd00:196::1/64 dev vrs nodad || return 1
	ip -n "$VT_SRV_NS" addr add "$VT_SRV_RTR_IP6/64" dev vsr nodad || return 1
	local dev
	for dev in "$VT_CLI_NS vcr" "$VT_RTR_NS vrc" "$VT_RTR_NS vrs" "$VT_SRV_NS vsr"; do
		# shellcheck disable=SC2086 # "namespace device"
		ip -n ${dev% *} link set "${dev#* }" up || return 1
	done
	# Forwarding, and ICMP errors without the rate limit (through /proc: no procps needed).
	ip netns exec "$VT_RTR_NS" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward &&
		echo 1 >/proc/sys/net/ipv6/conf/all/forwarding &&
		echo 0 >/proc/sys/net/ipv4/icmp_ratelimit && echo 0 >/proc/sys/net/ipv6/icmp/ratelimit' || return 1
	ip -n "$VT_CLI_NS" route add "10.196.$o.0/24" via "10.197.$o.1" dev vcr || return 1
	ip -n "$VT_CLI_NS" -6 route add fd00:196::/64 via fd00:197::1 dev vcr || return 1
	ip -n "$VT_SRV_NS" route add "10.197.$o.0/24" via "10.196.$o.1" dev vsr || return 1
	ip -n "$VT_SRV_NS" -6 route add fd00:197::/64 via fd00:196::1 dev vsr || return 1
	vt_info "router $VT_RTR_NS: client 10.197.$o.2 -> server $VT_SRV_RTR_IP"
	return 0
}

# vt_pki [ed25519|ec|rsa] [DIR]: CA, server and client certificates plus a
# tls-crypt key in $VT_DIR/DIR (default pki). Server gets serverAuth, client
# clientAuth.
vt_pki() {
	local kind=${1:-ed25519} d="$VT_DIR/${2:-pki}" newkey=() digest=()
	mkdir -p "$d" || return 1
	case "$kind" in
	ed25519) newkey=(-newkey ed25519) ;;
	ec) newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256); digest=(-sha256) ;;
	rsa) newkey=(-newkey rsa:2048); digest=(-sha256) ;;
	*) vt_log "error: unknown key type $kind"; return 1 ;;
	esac
	cat >"$d/ext.cnf" <<-'EOF'
	[server]
	basicConstraints = critical,CA:FALSE
	keyUsage = critical,digitalSignature,keyEncipherment,keyAgreement
	extendedKeyUsage = serverAuth
	subjectKeyIdentifier = hash
	authorityKeyIdentifier = keyid
	[client]
	basicConstraints = critical,CA:FALSE
	keyUsage = critical,digitalSignature,keyAgreement
	extendedKeyUsage = clientAuth
	subjectKeyIdentifier = hash
	authorityKeyIdentifier = keyid
	EOF
	openssl req -x509 "${newkey[@]}" "${digest[@]}" -nodes -days 3 \
		-keyout "$d/ca.key" -out "$d/ca.crt" -subj "/CN=vpnc test CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" >"$d/openssl.log" 2>&1 || return 1
	local who
	for who in server client; do
		openssl req -new "${newkey[@]}" -nodes -keyout "$d/$who.key" \
			-out "$d/$who.csr" -subj "/CN=$who" >>"$d/openssl.log" 2>&1 || return 1
		openssl x509 -req "${digest[@]}" -in "$d/$who.csr" -CA "$d/ca.crt" \
			-CAkey "$d/ca.key" -CAcreateserial -days 3 -extfile "$d/ext.cnf" \
			-extensions "$who" -out "$d/$who.crt" >>"$d/openssl.log" 2>&1 || return 1
	done
	openvpn --genkey secret "$d/tc.key" >>"$d/openssl.log" 2>&1 || return 1
	openvpn --genkey tls-crypt-v2-server "$d/tcv2-server.key" >>"$d/openssl.log" 2>&1 || return 1
	openvpn --tls-crypt-v2 "$d/tcv2-server.key" --genkey tls-crypt-v2-client \
		"$d/tcv2-client.key" >>"$d/openssl.log" 2>&1 || return 1
	chmod 600 "$d"/*.key
	vt_info "PKI ($kind): CA, server (serverAuth), client (clientAuth), tls-crypt key"
	return 0
}

# vt_wrap_server_lines: the server's control-channel wrapping for $VT_WRAP.
vt_wrap_server_lines() {
	local d="$VT_DIR/pki"
	case "$VT_WRAP" in
	tls-crypt) printf 'tls-crypt %s\n' "$d/tc.key" ;;
	tls-crypt-v2) printf 'tls-crypt-v2 %s\n' "$d/tcv2-server.key" ;;
	tls-auth)
		printf 'tls-auth %s 0\n' "$d/tc.key"
		[ -n "$VT_TA_DIGEST" ] && printf 'auth %s\n' "$VT_TA_DIGEST"
		;;
	none) ;;
	esac
	return 0
}

# vt_wrap_client_lines: the client's wrapping for $VT_WRAP (inline keys,
# or for tls-auth with VT_TA_INLINE=0 the key file and direction on the line).
vt_wrap_client_lines() {
	local d="$VT_DIR/pki"
	case "$VT_WRAP" in
	tls-crypt) printf '<tls-crypt>\n%s\n</tls-crypt>\n' "$(cat "$d/tc.key")" ;;
	tls-crypt-v2) printf '<tls-crypt-v2>\n%s\n</tls-crypt-v2>\n' "$(cat "$d/tcv2-client.key")" ;;
	tls-auth)
		if [ "$VT_TA_INLINE" = 1 ]; then
			printf 'key-direction 1\n<tls-auth>\n%s\n</tls-auth>\n' "$(cat "$d/tc.key")"
		else
			printf 'tls-auth %s 1\n' "$d/tc.key"
		fi
		[ -n "$VT_TA_DIGEST" ] && printf 'auth %s\n' "$VT_TA_DIGEST"
		;;
	none) ;;
	esac
	return 0
}

# vt_server_conf [DATA-CIPHERS]: an eduVPN-like server config.
vt_server_conf() {
	local ciphers=${1:-AES-256-GCM:CHACHA20-POLY1305} d="$VT_DIR"
	cat >"$d/server.conf" <<-EOF
	# Stock OpenVPN 2.6 server, shaped like an eduVPN node.
	dev tun
	proto $VT_SRV_PROTO
	${VT_SRV_LOCAL:+local $VT_SRV_LOCAL}
	port $VT_PORT
	topology $VT_TOPOLOGY
	server $VT_TUN_NET $VT_TUN_MASK
	server-ipv6 $VT_TUN_NET6
	push "route ${VT_PUSH_ROUTE%/*} 255.255.255.0"
	push "route-ipv6 $VT_PUSH_ROUTE6"
	push "explicit-exit-notify 1"
	explicit-exit-notify 1
	keepalive $VT_KEEPALIVE
	persist-key
	persist-tun
	tls-version-min 1.3
	data-ciphers $ciphers
	dh none
	ca $d/pki/ca.crt
	cert $d/pki/server.crt
	key $d/pki/server.key
	$(vt_wrap_server_lines)
	verb ${VT_SERVER_VERB:-3}
	log $d/server.log
	writepid $d/server.pid
	status $d/server.status 1
	EOF
	[ -n "$VT_SERVER_EXTRA" ] && printf '%s\n' "$VT_SERVER_EXTRA" >>"$d/server.conf"
	return 0
}

# vt_client_conf [DATA-CIPHERS]: an eduVPN-like client profile, all inline.
vt_client_conf() {
	local ciphers=${1:-AES-256-GCM:CHACHA20-POLY1305} d="$VT_DIR"
	{
		cat <<-EOF
		client
		dev tun
		proto udp
		${VT_CLIENT_REMOTES:-remote $VT_REMOTE $VT_PORT}
		nobind
		remote-cert-tls server
		verify-x509-name $VT_X509_NAME
		tls-version-min 1.3
		data-ciphers $ciphers
		reneg-sec 0
		server-poll-timeout $VT_POLL_TIMEOUT
		verb ${VT_CLIENT_VERB:-3}
		EOF
		printf '<ca>\n%s\n</ca>\n' "$(cat "${VT_CLIENT_CA:-$d/pki/ca.crt}")"
		printf '<cert>\n%s\n</cert>\n' "$(cat "$d/pki/client.crt")"
		printf '<key>\n%s\n</key>\n' "$(cat "$d/pki/client.key")"
		vt_wrap_client_lines
		[ -n "$VT_CLIENT_EXTRA" ] && printf '%s\n' "$VT_CLIENT_EXTRA"
	} >"$d/$VT_CLIENT_CONF"
	chmod 600 "$d/$VT_CLIENT_CONF"
}

# vt_server_start: stock openvpn in the server namespace, waits (<= 10 s)
# until it reports that initialisation is complete.
vt_server_start() {
	local i=0 ssopt=-lun
	case "$VT_SRV_PROTO" in tcp*) ssopt=-ltn ;; esac
	: >"$VT_DIR/server.log"
	ip netns exec "$VT_SRV_NS" openvpn --config "$VT_DIR/server.conf" \
		>"$VT_DIR/server.out" 2>&1 &
	VT_SRV_PID=$!
	while [ $i -lt 100 ]; do
		if grep -q 'Initialization Sequence Completed' "$VT_DIR/server.log" 2>/dev/null &&
			vt_srv ss -H "$ssopt" 2>/dev/null | grep -q ":$VT_PORT "; then
			vt_info "server listening on ${VT_SRV_LOCAL:-*} port $VT_PORT ($VT_SRV_PROTO, pid $VT_SRV_PID)"
			return 0
		fi
		vt_pid_alive "$VT_SRV_PID" || break
		sleep 0.1
		i=$((i + 1))
	done
	vt_log "error: the OpenVPN server did not come up"
	tail -n 20 "$VT_DIR/server.log" "$VT_DIR/server.out" 2>/dev/null
	return 1
}

vt_server_stop() {
	[ -n "$VT_SRV_PID" ] && vt_kill_wait "$VT_SRV_PID" 5
	VT_SRV_PID=""
}

# vt_server_kill: SIGKILL the server (a crash: no goodbye to the clients).
vt_server_kill() {
	if [ -n "$VT_SRV_PID" ]; then
		kill -KILL "$VT_SRV_PID" 2>/dev/null
		wait "$VT_SRV_PID" 2>/dev/null
	fi
	VT_SRV_PID=""
	return 0
}

# vt_server_peers: how many sessions the server has set up so far (this run
# of the server: its log starts empty on every vt_server_start).
vt_server_peers() {
	local n
	n=$(grep -c 'Peer Connection Initiated' "$VT_DIR/server.log" 2>/dev/null)
	printf '%s' "${n:-0}"
}

# vt_client_resolve ARG: fills VT_CLIENT_CMD. VPNC_CLIENT_CMD (a command
# line, split on blanks) wins; `--stock-client` means the stock openvpn;
# otherwise ARG is the client binary.
vt_client_resolve() {
	local arg=${1:-}
	if [ -n "${VPNC_CLIENT_CMD:-}" ]; then
		read -r -a VT_CLIENT_CMD <<<"$VPNC_CLIENT_CMD"
	elif [ "$arg" = --stock-client ] || [ -z "$arg" ]; then
		VT_CLIENT_CMD=("$(command -v openvpn)")
	else
		VT_CLIENT_CMD=("$arg")
	fi
	if [ ! -x "${VT_CLIENT_CMD[0]}" ] && ! command -v "${VT_CLIENT_CMD[0]}" >/dev/null 2>&1; then
		vt_log "error: client '${VT_CLIENT_CMD[0]}' is not executable"
		return 1
	fi
	return 0
}

# vt_start NAME ARG: the common start of a test script: checks the tools,
# resolves the client from ARG (see vt_client_resolve) and runs vt_init. On
# failure it reports "prerequisites" under NAME and exits the script with 1.
vt_start() {
	if ! vt_require_tools || ! vt_client_resolve "${2:-}"; then
		vt_fail "prerequisites"
		vt_summary "$1"
		exit 1
	fi
	vt_init || exit 1
}

# vt_up NAME [WHAT]: the common setup of a one-server test: namespaces, an
# Ed25519 PKI, the server and client configs from the current VT_* settings,
# and the stock server started; checked as "namespaces, PKI and stock OpenVPN
# server up" (or WHAT). On failure it prints the summary under NAME and exits
# the script with 1.
vt_up() {
	vt_up_steps() {
		vt_netns_up && vt_pki ed25519 && vt_server_conf && vt_client_conf && vt_server_start
	}
	if ! vt_check "${2:-namespaces, PKI and stock OpenVPN server up}" vt_up_steps; then
		vt_summary "$1"
		exit 1
	fi
}

# vt_start_cases NAME ARG ALL_CASES: vt_start, then `cases` (VT_CASES or
# ALL_CASES, for the script's loop), namespaces and an Ed25519 PKI, checked
# as "namespaces and PKI". On failure: the summary under NAME, exit 1.
vt_start_cases() {
	vt_start "$1" "$2"
	cases=${VT_CASES:-$3}
	vt_log "$1: client is: ${VT_CLIENT_CMD[*]}; cases: $cases"
	vt_start_cases_setup() { vt_netns_up && vt_pki ed25519; }
	if ! vt_check "namespaces and PKI" vt_start_cases_setup; then
		vt_summary "$1"
		exit 1
	fi
}

# vt_session_up LABEL: server and client up with the current VT_* settings,
# connected within 15 s (else the logs, both stopped, status 1), then one
# IPv4 ping through the tunnel (status 2 if it failed, the session left up);
# each checked under LABEL.
vt_session_up() {
	local label=$1
	vt_server_conf
	vt_client_conf
	if ! vt_server_start; then
		vt_fail "$label: server up"
		return 1
	fi
	vt_client_start
	if ! vt_wait_tun_ipv4 15; then
		vt_pid_alive "$VT_CLI_PID" || vt_log "  client exited before connecting"
		vt_fail "$label: connected within 15 s"
		vt_dump_logs
		vt_client_stop 5
		vt_server_stop
		return 1
	fi
	vt_pass "$label: connected in $VT_CONNECT_MS ms"
	vt_check "$label: ping IPv4 $VT_TUN_SRV_IP" vt_ping "$VT_TUN_SRV_IP" || return 2
}

# vt_client_start: runs "$VT_CLIENT_CMD --config client.ovpn $VT_CLIENT_ARGS"
# in the client namespace in the background; output goes to client.log.
vt_client_start() {
	VT_CLI_RC=""
	VT_CLI_TUN=""
	VT_CONNECT_MS=""
	local extra=()
	read -r -a extra <<<"${VT_CLIENT_ARGS:-}"
	# vpnc would otherwise rewrite this machine's real /etc/resolv.conf when the
	# server pushes DNS (no resolved/resolvconf here): tests keep DNS alone unless
	# they ask for a mode themselves (in a mount namespace, as test_scripts.sh does).
	if ! vt_client_is_stock && [[ " ${VT_CLIENT_ARGS:-} " != *" --dns-mode "* ]] &&
		! grep -q '^[[:space:]]*dns-mode' "$VT_DIR/$VT_CLIENT_CONF" 2>/dev/null; then
		extra+=(--dns-mode none)
	fi
	# VT_CLIENT_PRIVSEP: extra vpnc arguments for every run (e.g. "--privsep yes --user nobody
	# --group nogroup"), to run a whole test with privilege separation.
	if [ -n "${VT_CLIENT_PRIVSEP:-}" ] && ! vt_client_is_stock; then
		local ps=()
		read -r -a ps <<<"$VT_CLIENT_PRIVSEP"
		extra+=("${ps[@]}")
	fi
	VT_CLI_T0=$(vt_now_us)
	ip netns exec "$VT_CLI_NS" "${VT_CLIENT_CMD[@]}" --config "$VT_DIR/$VT_CLIENT_CONF" \
		"${extra[@]}" >"$VT_DIR/client.log" 2>&1 &
	VT_CLI_PID=$!
	vt_info "client started: ${VT_CLIENT_CMD[*]} --config $VT_CLIENT_CONF (pid $VT_CLI_PID)"
}

# vt_client_is_stock: true when the client under test is stock openvpn.
vt_client_is_stock() {
	case "${VT_CLIENT_CMD[0]##*/}" in openvpn) return 0 ;; esac
	return 1
}

# vt_client_wait_exit SECONDS: waits for the client to exit on its own; sets
# VT_CLI_RC and VT_CLI_EXIT_MS (since vt_client_start). Returns 1 while it
# still runs.
vt_client_wait_exit() {
	local limit=$((${1:-5} * 10)) i=0 pid=$VT_CLI_PID
	[ -n "$pid" ] || return 1
	while vt_pid_alive "$pid" && [ $i -lt $limit ]; do
		sleep 0.1
		i=$((i + 1))
	done
	vt_pid_alive "$pid" && return 1
	wait "$pid" 2>/dev/null
	VT_CLI_RC=$?
	VT_CLI_PID=""
	# shellcheck disable=SC2034 # read by the caller
	VT_CLI_EXIT_MS=$((($(vt_now_us) - VT_CLI_T0) / 1000))
	return 0
}

# vt_wait_ping ADDR SECONDS: one ping at a time until one is answered; sets
# VT_PING_MS to the time it took. Returns 1 if none got through in time.
vt_wait_ping() {
	local addr=$1 limit=$((${2:-10} * 1000000)) t0
	t0=$(vt_now_us)
	while [ $(($(vt_now_us) - t0)) -lt "$limit" ]; do
		if vt_cli ping -n -c 1 -W 1 "$addr" >/dev/null 2>&1; then
			# shellcheck disable=SC2034 # read by the caller
			VT_PING_MS=$((($(vt_now_us) - t0) / 1000))
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# vt_wait_server_peers N SECONDS: waits until the server has set up at least
# N sessions (see vt_server_peers).
vt_wait_server_peers() {
	local want=$1 limit=$((${2:-10} * 10)) i=0
	while [ $i -lt $limit ]; do
		[ "$(vt_server_peers)" -ge "$want" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# vt_tun_dev: the client's tunnel device, i.e. any link but lo and the veths
# (the one to the router of vt_netns_router too).
vt_tun_dev() {
	ip -n "$VT_CLI_NS" -o link show 2>/dev/null |
		awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' |
		grep -v -x -e lo -e "$VT_CLI_VETH" -e "$VT_CLI_RTR_VETH" | head -n 1
}

# vt_wait_tun_ipv4 [SECONDS]: polls every 0.1 s until the tunnel device has
# an IPv4 address; sets VT_CLI_TUN and VT_CONNECT_MS.
vt_wait_tun_ipv4() {
	local limit=$((${1:-15} * 10)) i=0 dev
	while [ $i -lt $limit ]; do
		dev=$(vt_tun_dev)
		if [ -n "$dev" ] && ip -n "$VT_CLI_NS" -4 -o addr show dev "$dev" 2>/dev/null | grep -q inet; then
			VT_CLI_TUN=$dev
			VT_CONNECT_MS=$((($(vt_now_us) - VT_CLI_T0) / 1000))
			return 0
		fi
		vt_pid_alive "$VT_CLI_PID" || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# vt_wait_tun_ipv6 [SECONDS]: waits until the tunnel has a usable (not
# tentative) global IPv6 address.
vt_wait_tun_ipv6() {
	local limit=$((${1:-3} * 10)) i=0
	while [ $i -lt $limit ]; do
		if ip -n "$VT_CLI_NS" -6 -o addr show dev "$VT_CLI_TUN" scope global 2>/dev/null |
			grep -v tentative | grep -q inet6; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# vt_client_stop [SECONDS]: SIGTERM, then waits; sets VT_CLI_RC. Returns 1
# (after a SIGKILL) if the client did not exit in time.
vt_client_stop() {
	local limit=$((${1:-5} * 10)) i=0 pid=$VT_CLI_PID
	[ -n "$pid" ] || return 1
	kill -TERM "$pid" 2>/dev/null
	while vt_pid_alive "$pid" && [ $i -lt $limit ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if vt_pid_alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		VT_CLI_RC=137
		VT_CLI_PID=""
		return 1
	fi
	wait "$pid" 2>/dev/null
	VT_CLI_RC=$?
	VT_CLI_PID=""
	VT_CLI_STOP_MS=$((i * 100))
	return 0
}

# vt_ns_clean: no tunnel device, address or route left in the client ns.
vt_ns_clean() {
	local dev bad=0
	dev=$(vt_tun_dev)
	if [ -n "$dev" ]; then
		vt_log "  leftover device: $dev"
		bad=1
	fi
	if ip -n "$VT_CLI_NS" addr show 2>/dev/null | grep -q -e '10\.200\.' -e 'fd00:200:'; then
		vt_log "  leftover tunnel address"
		bad=1
	fi
	if ip -n "$VT_CLI_NS" -4 route show 2>/dev/null | grep -q -e '10\.200\.' -e '10\.201\.' ||
		ip -n "$VT_CLI_NS" -6 route show 2>/dev/null | grep -q -e 'fd00:200:' -e 'fd00:201:'; then
		vt_log "  leftover tunnel route"
		bad=1
	fi
	[ $bad = 0 ]
}

# vt_pushed_routes: the pushed IPv4 and IPv6 routes point into the tunnel.
vt_pushed_routes() {
	ip -n "$VT_CLI_NS" -4 route show "$VT_PUSH_ROUTE" 2>/dev/null | grep -q "dev $VT_CLI_TUN" &&
		ip -n "$VT_CLI_NS" -6 route show "$VT_PUSH_ROUTE6" 2>/dev/null | grep -q "dev $VT_CLI_TUN"
}

# vt_ping ADDR: three pings from the client namespace; prints the summary.
vt_ping() {
	local out
	out=$(vt_cli ping -n -c 3 -i 0.2 -W 2 "$1" 2>&1)
	local rc=$?
	printf '%s\n' "$out" | grep -E 'packets transmitted|rtt' | sed 's/^/  /'
	return $rc
}

# vt_iperf_start: iperf3 server in the server ns, bound to the tunnel address.
vt_iperf_start() {
	local i=0
	vt_srv iperf3 -s -D -B "$VT_TUN_SRV_IP" -I "$VT_DIR/iperf3.pid" \
		--logfile "$VT_DIR/iperf3-server.log" || return 1
	while [ $i -lt 50 ]; do
		vt_srv ss -ltn 2>/dev/null | grep -q "$VT_TUN_SRV_IP:5201" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

vt_iperf_stop() {
	local pid
	[ -r "$VT_DIR/iperf3.pid" ] || return 0
	pid=$(tr -dc 0-9 <"$VT_DIR/iperf3.pid")
	[ -n "$pid" ] && vt_kill_wait "$pid" 2
	rm -f "$VT_DIR/iperf3.pid"
}

# vt_iperf [ARGS]: one 2 s run from the client ns; prints Mbit/s (receiver).
vt_iperf() {
	local out mbit
	out=$(vt_cli timeout 20 iperf3 -c "$VT_TUN_SRV_IP" -t "${VT_IPERF_TIME:-2}" \
		--connect-timeout 3000 -f m "$@" 2>&1) || { printf '%s\n' "$out" | tail -n 3 >&2; return 1; }
	mbit=$(printf '%s\n' "$out" | awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") print $(i - 1) }' | tail -n 1)
	[ -n "$mbit" ] || return 1
	printf '%s' "$mbit"
}

# vt_dump_logs: the tail of both logs, for a failure.
vt_dump_logs() {
	vt_log "---- client log (last 40 lines) ----"
	tail -n 40 "$VT_DIR/client.log" 2>/dev/null
	vt_log "---- server log (last 25 lines) ----"
	tail -n 25 "$VT_DIR/server.log" 2>/dev/null
	vt_log "------------------------------------"
}

# vt_exit_notified: the server logged the client's explicit exit notification.
vt_exit_notified() {
	grep -q -i 'exit message received' "$VT_DIR/server.log" 2>/dev/null
}

# vt_server_cipher: the data cipher the server negotiated with the client.
# The server logs it up to a second after the client is up, so poll (<= 3 s).
vt_server_cipher() {
	local i=0 c=""
	while [ $i -lt 30 ]; do
		c=$(sed -n "s/.*Data Channel: cipher '\([^']*\)'.*/\1/p" "$VT_DIR/server.log" 2>/dev/null | tail -n 1)
		[ -n "$c" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	printf '%s' "$c"
}

# vt_connect_cycle LABEL [CIPHER]: one short session with the current server:
# connect, ping v4 and v6, check the negotiated cipher (if given), SIGTERM,
# exit code 0, namespace clean. Records PASS/FAIL per step, prefixed LABEL.
# If VT_CYCLE_HOOK names a function, it runs with LABEL after the pings,
# while the session is still up, to add its own checks.
vt_connect_cycle() {
	local label=$1 want=${2:-} got
	vt_client_start
	if ! vt_wait_tun_ipv4 15; then
		vt_pid_alive "$VT_CLI_PID" || vt_log "  client exited before connecting"
		vt_fail "$label: connected within 15 s"
		vt_dump_logs
		vt_client_stop 5
		return 1
	fi
	vt_pass "$label: connected in $VT_CONNECT_MS ms"
	vt_check "$label: ping IPv4 $VT_TUN_SRV_IP" vt_ping "$VT_TUN_SRV_IP"
	if vt_wait_tun_ipv6 3; then
		vt_check "$label: ping IPv6 $VT_TUN_SRV_IP6" vt_ping "$VT_TUN_SRV_IP6"
	else
		vt_fail "$label: tunnel has a global IPv6 address"
	fi
	if [ -n "$want" ]; then
		got=$(vt_server_cipher)
		if [ "$got" = "$want" ]; then
			vt_pass "$label: server negotiated $got"
		else
			vt_fail "$label: server negotiated '$got', want '$want'"
		fi
	fi
	[ -n "${VT_CYCLE_HOOK:-}" ] && "$VT_CYCLE_HOOK" "$label"
	if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "$label: SIGTERM, exit code 0 in $VT_CLI_STOP_MS ms"
	else
		vt_fail "$label: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
	fi
	vt_check "$label: client namespace clean" vt_ns_clean
}

# vt_bus_conf FILE [INCLUDE]: a private system bus's config, written to FILE:
# it listens on /run/dbus/system_bus_socket (which the test mounts privately)
# and lets anyone own, send, receive and eavesdrop, for the test's tools;
# INCLUDE names a policy file the bus reads too (a plugin's own policy).
vt_bus_conf() {
	{
		cat <<-EOF
		<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
		 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
		<busconfig>
		  <type>system</type>
		  <listen>unix:path=/run/dbus/system_bus_socket</listen>
		  <auth>EXTERNAL</auth>
		  <policy context="default">
		    <allow user="*"/>
		    <allow own="*"/>
		    <allow send_destination="*" eavesdrop="true"/>
		    <allow receive_sender="*"/>
		    <allow eavesdrop="true"/>
		  </policy>
		EOF
		[ -n "${2:-}" ] && printf '  <include>%s</include>\n' "$2"
		printf '</busconfig>\n'
	} >"$1"
}

# vt_hold CMD...: runs CMD in the client's network namespace and in the
# private mount namespace vt_private_bus made.
vt_hold() { nsenter -t "$VT_HOLDER" -m -n "$@"; }

# vt_private_bus [SCRIPT [ARG...]]: gives the client namespace a private mount
# namespace, kept by a holder process (VT_HOLDER, killed by vt_cleanup with
# the namespace's other processes), with private tmpfs on /run/dbus and
# /run/vpnc; SCRIPT (sh -ec, with ARGs) adds its own mounts there. Then a
# dbus-daemon with $VT_DIR/bus.conf (see vt_bus_conf) serves the system bus
# socket in it. Client-side programs join with vt_hold.
vt_private_bus() {
	local i script=${1:-:}
	[ $# -gt 0 ] && shift
	ip netns exec "$VT_CLI_NS" unshare -m --propagation private sleep 3600 &
	VT_HOLDER=$!
	for i in $(seq 50); do
		[ "$(readlink "/proc/$VT_HOLDER/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] && break
		sleep 0.1
	done
	vt_hold sh -ec 'mount -t tmpfs -o mode=0755 tmpfs /run/dbus
		mkdir -p /run/vpnc && mount -t tmpfs -o mode=0700 tmpfs /run/vpnc' || return 1
	vt_hold sh -ec "$script" sh "$@" || return 1
	vt_hold dbus-daemon --config-file="$VT_DIR/bus.conf" --nofork >"$VT_DIR/bus.log" 2>&1 &
	for i in $(seq 50); do vt_hold test -S /run/dbus/system_bus_socket && break; sleep 0.1; done
	vt_hold test -S /run/dbus/system_bus_socket
}

# vt_refused_case LABEL WHAT ERE: a session the client must refuse. Writes
# both configs from the current VT_* settings and starts the server ("LABEL:
# server up"), then the client; checks that client.log matches ERE
# (grep -E -i) within 15 s ("LABEL: the client refuses, naming WHAT"), that
# the client exits non-zero (stock OpenVPN 2.6 restarts instead, and is
# stopped), and that the client namespace is clean. Stops the server.
vt_refused_case() {
	local label=$1 what=$2 ere=$3 i=0
	vt_server_conf
	vt_client_conf
	if vt_check "$label: server up" vt_server_start; then
		vt_client_start
		while [ $i -lt 150 ] && ! grep -E -q -i "$ere" "$VT_DIR/client.log" && vt_pid_alive "$VT_CLI_PID"; do
			sleep 0.1
			i=$((i + 1))
		done
		vt_check "$label: the client refuses, naming $what" grep -E -q -i "$ere" "$VT_DIR/client.log"
		if vt_client_wait_exit 2; then
			if [ "$VT_CLI_RC" != 0 ]; then
				vt_pass "$label: client exited with status $VT_CLI_RC"
			else
				vt_fail "$label: client exited with status 0"
			fi
		elif vt_client_is_stock; then
			vt_client_stop 5
		else
			vt_fail "$label: client still runs after refusing"
			vt_dump_logs
			vt_client_stop 5
		fi
		vt_check "$label: client namespace clean" vt_ns_clean
	fi
	vt_server_stop
}

# vt_up_routed NAME: the common start of a routing test: namespaces with the
# server one router hop away (vt_netns_routed, so the client has a default
# route) and an Ed25519 PKI, checked as one step; the server then listens on,
# and the client connects to, the far address. On failure it prints the
# summary under NAME and exits the script with 1.
vt_up_routed() {
	vt_up_routed_steps() { vt_netns_up && vt_netns_routed && vt_pki ed25519; }
	if ! vt_check "namespaces (client default route via $VT_SRV_IP) and PKI" vt_up_routed_steps; then
		vt_summary "$1"
		exit 1
	fi
	VT_SRV_LOCAL=$VT_SRV_FAR_IP
	VT_REMOTE=$VT_SRV_FAR_IP
}

# Packets in the clear (test_roam.sh, test_resume.sh): the server's namespace
# counts (nft, before routing) the packets that arrive on its veths from the
# client for the tunnel's network, or for the other addresses named: traffic
# meant for the tunnel that left unencrypted. They are dropped after counting,
# so an answer outside the tunnel never counts as the tunnel being back.
# vt_clear_counter "IFACE..." [ADDR...]: installs the counter (table inet vtclear).
vt_clear_counter() {
	local ifs="" daddrs="$VT_TUN_NET/24" i a
	for i in $1; do ifs+="${ifs:+, }\"$i\""; done
	shift
	for a in "$@"; do daddrs+=", $a"; done
	command -v nft >/dev/null 2>&1 || { vt_log "  the nft program (package nftables) counts on the far side"; return 1; }
	vt_srv nft -f - <<-EOF
	table inet vtclear {
		counter clear { }
		chain pre {
			type filter hook prerouting priority -300; policy accept;
			iifname { $ifs } ip daddr { $daddrs } counter name clear drop
		}
	}
	EOF
}
# vt_clear_row CASE CLIENT MS N: one line of the recovery table the roaming tests end with
# (vt_clear_row case client "recovery (ms)" "in clear" is its heading).
vt_clear_row() { printf '%-9s %-22s %14s %10s' "$@"; }
# vt_clear_count: the packets counted in the clear so far (nothing if the counter is missing).
vt_clear_count() {
	vt_srv nft list counter inet vtclear clear 2>/dev/null |
		awk '/packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

# vt_route4 / vt_route6 DEST: the client's routes for exactly DEST, one a line.
vt_route4() { ip -n "$VT_CLI_NS" -4 route show exact "$1" 2>/dev/null; }
vt_route6() { ip -n "$VT_CLI_NS" -6 route show exact "$1" 2>/dev/null; }
# vt_dev_of4 / vt_dev_of6 ADDR: the device the client's kernel picks for ADDR.
vt_dev_of4() { ip -n "$VT_CLI_NS" -4 route get "$1" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n 1; }
vt_dev_of6() { ip -n "$VT_CLI_NS" -6 route get "$1" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n 1; }
# vt_routes_match LABEL LISTING ERE: records PASS if LISTING matches ERE, else FAIL with the listing.
vt_routes_match() {
	if printf '%s\n' "$2" | grep -q -E -- "$3"; then
		vt_pass "$1"
		return 0
	fi
	vt_fail "$1 (got: '$(printf '%s' "$2" | tr '\n' ';')')"
	return 1
}
# vt_no_route LABEL LISTING: records PASS if LISTING is empty.
vt_no_route() { vt_routes_match "$1" "none $2" "^none $"; }
# vt_defaults_intact: the client's own IPv4 and IPv6 default routes are still there.
vt_defaults_intact() {
	ip -n "$VT_CLI_NS" -4 route show default | grep -q "via $VT_SRV_IP dev $VT_CLI_VETH" &&
		ip -n "$VT_CLI_NS" -6 route show default | grep -q "via $VT_SRV_IP6 dev $VT_CLI_VETH"
}

# vt_quick_cycle LABEL: a short session with the current server: connect
# within 15 s, one IPv4 ping, SIGTERM with exit code 0.
vt_quick_cycle() {
	local label=$1
	vt_client_start
	if ! vt_wait_tun_ipv4 15; then
		vt_fail "$label: connected within 15 s"
		vt_dump_logs
		vt_client_stop 5
		return 1
	fi
	vt_pass "$label: connected in $VT_CONNECT_MS ms"
	vt_check "$label: ping IPv4" vt_ping "$VT_TUN_SRV_IP"
	if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "$label: SIGTERM, exit code 0"
	else
		vt_fail "$label: SIGTERM, exit code ${VT_CLI_RC:-none}"
	fi
}

# vt_client_refused LABEL PATTERN...: the client must not connect. vpnc must
# exit non-zero within 10 s, without a tunnel, with every PATTERN (grep -F)
# in its log; stock OpenVPN (which retries instead) must have no tunnel
# within 6 s.
vt_client_refused() {
	local label=$1 i=0 pat ok=1
	shift
	vt_client_start
	if vt_client_is_stock; then
		if vt_wait_tun_ipv4 6; then
			vt_fail "$label: refused"
		else
			vt_pass "$label: refused"
		fi
		vt_client_stop 5
		return 0
	fi
	while vt_pid_alive "$VT_CLI_PID" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if vt_pid_alive "$VT_CLI_PID"; then
		vt_fail "$label: vpnc exited after the refusal"
		ok=0
	else
		wait "$VT_CLI_PID" 2>/dev/null
		VT_CLI_RC=$?
		VT_CLI_PID=""
		if [ "$VT_CLI_RC" != 0 ] && [ -z "$(vt_tun_dev)" ]; then
			vt_pass "$label: refused, exit code $VT_CLI_RC"
		else
			vt_fail "$label: refused (exit code $VT_CLI_RC)"
			ok=0
		fi
	fi
	for pat in "$@"; do
		if grep -qF -- "$pat" "$VT_DIR/client.log"; then
			vt_pass "$label: log says '$pat'"
		else
			vt_fail "$label: log says '$pat'"
			ok=0
		fi
	done
	[ $ok = 1 ] || vt_dump_logs
	vt_client_stop 5
}

# vt_client_private_files TEXT CLIENT...: runs the client (the command
# CLIENT...) in a private mount namespace with test files over /etc/resolv.conf
# ($VT_DIR/resolv.conf, holding TEXT; resolv.orig keeps a copy to compare
# with) and /run ($VT_DIR/run); VT_CLIENT_CMD becomes that command.
vt_client_private_files() {
	local text=$1
	shift
	printf '%s\n' "$text" >"$VT_DIR/resolv.conf"
	cp "$VT_DIR/resolv.conf" "$VT_DIR/resolv.orig"
	mkdir -p "$VT_DIR/run"
	cat >"$VT_DIR/nsclient.sh" <<-EOF
	#!/bin/sh
	mount --bind "$VT_DIR/resolv.conf" /etc/resolv.conf || exit 97
	mount --bind "$VT_DIR/run" /run || exit 97
	exec "\$@"
	EOF
	chmod 755 "$VT_DIR/nsclient.sh"
	VT_CLIENT_CMD=(unshare -m --propagation private "$VT_DIR/nsclient.sh" "$@")
}
