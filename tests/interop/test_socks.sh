#!/bin/bash
# test_socks.sh: the client through a real SOCKS5 proxy (Dante's danted)
# to a stock OpenVPN 2.6 server that only the proxy can reach.
#
# Usage: test_socks.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# World: the server listens on 127.0.0.1 inside the server namespace, so the
# client namespace cannot reach it; danted runs in that namespace too, on the
# veth address port 1080, from a throwaway config (never the system's
# service). For username/password, danted checks the system's user database:
# it runs in its own mount namespace where /etc is an overlay whose
# passwd and shadow are throwaway copies holding one extra user, so no real
# user is ever made. (An overlay of the directory, not bind mounts of the two
# files: a file bind mount is lost when the host replaces /etc/passwd, as
# useradd does, and danted would stop finding the user.)
#
# Cases (each: connect, ping IPv4 through the tunnel, a 1400-byte ping, the
# server sees the session come from the proxy, SIGTERM exits 0):
#   tcp          proto tcp, no authentication (CONNECT)
#   refused      a destination the proxy's rules refuse: the log names the
#                proxy and RFC 1928's reply code 2
#   stock-tcp    the tcp profile with stock openvpn as the client
#   udp          proto udp, no authentication (UDP ASSOCIATE, SOCKS header on
#                every datagram); the association's TCP connection stays open
#   udp6         proto udp6: the proxy at its IPv6 address, the server on ::1,
#                the 22-byte IPv6 SOCKS header
#   udp-auth     proto udp, username/password (RFC 1929) from an authfile
#   udp-name     udp-auth with the remote given as a name (localhost): the
#                privileged parent resolves it for the SOCKS UDP header (the
#                network process's jail has no resolver)
#   udp-ks       udp-name with --kill-switch: the proxy and its relay are let
#                through, a direct ping to the proxy's host is not, neither
#                the resolvers nor the server's own address stay open; two
#                reconnects (SIGUSR1) leave one relay in the rules, the current
#                one; the same with 'privsep no' (one process, the remote
#                as an address: that lookup would not open the resolvers)
#   tcp-auth     proto tcp, username/password
#   conn-tcp     two <connection> blocks: direct (refused), then one with its own
#                socks-proxy line (failover to the proxy)
#   wrong-pass   a wrong password: no tunnel, and the log names the proxy and
#                says it refused the username and password
#   proxy-drop   udp: the proxy is killed; the client says the association's
#                connection closed and restarts (as 2.6 does)
#   stock        the same udp-auth profile with stock openvpn as the client
#                (shows the proxy setup is what 2.6 expects)
# Every case runs vpnc with privilege separation on (the default): for tcp,
# udp, udp6, udp-auth, udp-ks and tcp-auth the process holding the connection
# to the proxy (the one speaking SOCKS and parsing the proxy's replies) is
# the network process, vpnc's only child: uid not 0, CapEff 0, Seccomp 2.
# Needs root and danted (contrib/install-deps.sh test). Prints PASS/FAIL per
# check; the last line is the summary.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$lib"

name=test_socks
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"
if ! command -v danted >/dev/null 2>&1; then
	vt_fail "danted is installed (contrib/install-deps.sh test)"
	vt_summary $name
	exit 1
fi

SOCKS_PORT=1080
SOCKS_USER=vpnctsocks
SOCKS_PASS="pa55-$$-word"
DANTE_PID=""

# dante_conf none|username: a throwaway danted config in $VT_DIR.
dante_conf() {
	cat >"$VT_DIR/danted.conf" <<-EOF
	logoutput: $VT_DIR/danted.log
	debug: 0
	internal: $VT_SRV_IP port = $SOCKS_PORT
	internal: $VT_SRV_IP6 port = $SOCKS_PORT
	external: 127.0.0.1
	external: ::1
	socksmethod: $1
	clientmethod: none
	user.privileged: root
	user.unprivileged: nobody
	client pass {
		from: 0.0.0.0/0 to: 0.0.0.0/0
		log: error
	}
	client pass {
		from: ::/0 to: ::/0
		log: error
	}
	socks pass {
		from: 0.0.0.0/0 to: 127.0.0.1/32
		command: connect udpassociate
		log: connect disconnect error
	}
	socks pass {
		from: ::/0 to: ::1/128
		command: connect udpassociate
		log: connect disconnect error
	}
	# A reply's "from" is the server, its "to" the client.
	socks pass {
		from: 127.0.0.1/32 to: 0.0.0.0/0
		command: udpreply
		log: error
	}
	socks pass {
		from: ::1/128 to: ::/0
		command: udpreply
		log: error
	}
	EOF
}

# dante_start none|username: danted in the server namespace, in its own mount namespace whose
# /etc is an overlay with throwaway passwd and shadow holding the test user; waits until it
# listens.
dante_start() {
	local i=0 hash e="$VT_DIR/etc-over"
	dante_conf "$1"
	hash=$(openssl passwd -6 "$SOCKS_PASS") || return 1
	rm -rf "$e" && mkdir -p "$e/up" "$e/work" || return 1
	cp /etc/passwd "$e/up/passwd" && cp /etc/shadow "$e/up/shadow" || return 1
	printf '%s:x:64999:64999::/nonexistent:/usr/sbin/nologin\n' "$SOCKS_USER" >>"$e/up/passwd"
	printf '%s:%s:19000:0:99999:7:::\n' "$SOCKS_USER" "$hash" >>"$e/up/shadow"
	chmod 600 "$e/up/shadow"
	: >"$VT_DIR/danted.log"
	vt_srv unshare -m --propagation private sh -c \
		'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/up,workdir=$1/work" /etc &&
		 exec danted -f "$2/danted.conf" -p "$2/danted.pid"' sh "$e" "$VT_DIR" \
		>"$VT_DIR/danted.out" 2>&1 &
	DANTE_PID=$!
	while [ $i -lt 100 ]; do
		local out
		out=$(vt_srv ss -H -ltn 2>/dev/null)
		if grep -qE "$VT_SRV_IP:$SOCKS_PORT( |$)" <<<"$out"; then
			return 0
		fi
		vt_pid_alive "$DANTE_PID" || break
		sleep 0.1
		i=$((i + 1))
	done
	vt_log "error: danted did not come up"
	tail -n 20 "$VT_DIR/danted.out" "$VT_DIR/danted.log" 2>/dev/null
	return 1
}

dante_stop() {
	if [ -n "$DANTE_PID" ]; then
		vt_kill_wait "$DANTE_PID" 3
		# danted forks workers: whatever is left of it in our namespace goes too.
		local pid
		for pid in $(ip netns pids "$VT_SRV_NS" 2>/dev/null); do
			[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = danted ] && vt_kill_wait "$pid" 2
		done
	fi
	DANTE_PID=""
	return 0
}

# profile PROTO AUTH(none|good|bad) [SERVER PROXY]: the client profile, reaching SERVER
# (127.0.0.1) through the proxy at PROXY ($VT_SRV_IP).
profile() {
	local auth=""
	case "$2" in
	good) printf '%s\n%s\n' "$SOCKS_USER" "$SOCKS_PASS" >"$VT_DIR/socks-auth" ;;
	bad) printf '%s\n%s\n' "$SOCKS_USER" "not-the-password" >"$VT_DIR/socks-auth" ;;
	esac
	chmod 600 "$VT_DIR/socks-auth" 2>/dev/null
	[ "$2" != none ] && auth=" $VT_DIR/socks-auth"
	VT_CLIENT_REMOTES="remote ${3:-127.0.0.1} $VT_PORT $1"
	VT_CLIENT_EXTRA="socks-proxy ${4:-$VT_SRV_IP} $SOCKS_PORT$auth"
	vt_client_conf
}

# server PROTO [ADDR]: the stock server on 127.0.0.1 (or ADDR) only.
server() {
	vt_server_stop
	VT_SRV_PROTO=$1
	VT_SRV_LOCAL=${2:-127.0.0.1}
	vt_server_conf && vt_server_start
}

# connected CASE: the tunnel works through the proxy.
connected() {
	local c=$1
	if ! vt_wait_tun_ipv4 20; then
		vt_fail "$c: connected through the proxy"
		tail -n 15 "$VT_DIR/client.log" "$VT_DIR/danted.log" | sed 's/^/  /'
		return 1
	fi
	vt_pass "$c: connected through the proxy in $VT_CONNECT_MS ms"
	vt_check "$c: ping IPv4 $VT_TUN_SRV_IP" vt_ping "$VT_TUN_SRV_IP"
	vt_check "$c: 1400-byte ping" vt_cli ping -n -c 2 -i 0.2 -W 2 -s 1400 "$VT_TUN_SRV_IP"
	# The server only ever saw the proxy (127.0.0.1), never the client's address.
	if grep -qE "Peer Connection Initiated with \[AF_INET6?\](127.0.0.1|::1)" "$VT_DIR/server.log" &&
		! grep -q "$VT_CLI_IP" "$VT_DIR/server.log"; then
		vt_pass "$c: the server saw the session come from the proxy"
	else
		vt_fail "$c: the server saw the session come from the proxy"
	fi
	return 0
}

# jailed CASE: privilege separation (test_privsep.sh checks the whole split): the connection to
# the proxy belongs to the network process, vpnc's only child, which holds no root, no
# capability and runs under seccomp; the parent (uid 0) holds none.
jailed() {
	local c=$1 net uid capeff sec conns
	vt_client_is_stock && return 0
	if grep -q "privilege separation is off" "$VT_DIR/client.log"; then
		vt_fail "$c: privsep: stays on with socks-proxy"
	fi
	net=$(pgrep -P "$VT_CLI_PID" 2>/dev/null | head -n 1)
	if [ -z "$net" ]; then
		vt_fail "$c: privsep: vpnc split into the parent and a network process"
		return 1
	fi
	uid=$(sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$net/status" 2>/dev/null)
	capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$net/status" 2>/dev/null)
	sec=$(sed -n 's/^Seccomp:[[:space:]]*//p' "/proc/$net/status" 2>/dev/null)
	if [ -n "$uid" ] && [ "$uid" != 0 ] && [ "$capeff" = 0000000000000000 ] && [ "$sec" = 2 ]; then
		vt_pass "$c: privsep: the network process runs as uid $uid, CapEff 0, Seccomp 2"
	else
		vt_fail "$c: privsep: the network process runs unprivileged (uid '$uid', CapEff '$capeff', Seccomp '$sec')"
	fi
	conns=$(vt_cli ss -Htnp state established 2>/dev/null | grep -E ":${SOCKS_PORT}[[:space:]]")
	if [[ $conns == *"pid=$net,"* && $conns != *"pid=$VT_CLI_PID,"* ]]; then
		vt_pass "$c: privsep: the network process holds the connection to the proxy, the parent does not"
	else
		vt_fail "$c: privsep: the network process holds the connection to the proxy, the parent does not"
		printf '  %s\n' "$conns"
	fi
}

# relays: the kill switch's rules for UDP to the proxy's host (its relay), one port a line.
relays() {
	ip netns exec "$VT_CLI_NS" nft list table inet vpnc 2>/dev/null |
		sed -n "s/.*ip daddr $VT_SRV_IP udp dport \([0-9]*\) accept.*/\1/p"
}

# relay_now: the port of the relay the proxy named last (the client's log).
relay_now() {
	grep -o "UDP relay \[$VT_SRV_IP\]:[0-9]*" "$VT_DIR/client.log" | tail -n 1 | sed 's/.*://'
}

# one_relay CASE: the rules let through exactly one relay, the current one.
one_relay() {
	local got now
	got=$(relays)
	now=$(relay_now)
	if [ -n "$now" ] && [ "$got" = "$now" ]; then
		vt_pass "$1: the kill switch lets through one relay, the current one (port $now)"
	else
		vt_fail "$1: the kill switch lets through one relay, the current one (rules: '$(tr '\n' ' ' <<<"$got")', relay: '$now')"
	fi
}

# reconnect CASE: SIGUSR1, then a new association (a new relay line) and traffic again.
reconnect() {
	local before i=0
	before=$(grep -c "UDP relay" "$VT_DIR/client.log")
	kill -USR1 "$VT_CLI_PID" 2>/dev/null
	while [ $i -lt 200 ]; do
		if [ "$(grep -c "UDP relay" "$VT_DIR/client.log")" -gt "$before" ] &&
			vt_cli ping -n -c 1 -W 1 "$VT_TUN_SRV_IP" >/dev/null 2>&1; then
			vt_pass "$1: SIGUSR1: a new UDP association, traffic again"
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	vt_fail "$1: SIGUSR1: a new UDP association, traffic again"
	tail -n 10 "$VT_DIR/client.log" | sed 's/^/  /'
	return 1
}

stop_ok() {
	if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "$1: SIGTERM, exit code 0"
	else
		vt_fail "$1: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
	fi
}

if ! vt_check "namespaces and PKI" eval 'vt_netns_up && vt_pki ed25519'; then
	vt_summary $name
	exit 1
fi
# The server is not reachable without the proxy.
VT_SRV_LOCAL=127.0.0.1

# ---- no authentication ----
if vt_check "danted up (no authentication)" dante_start none; then
	if vt_check "tcp: server up on 127.0.0.1 (tcp-server)" server tcp-server; then
		profile tcp none
		vt_client_start
		connected tcp && jailed tcp
		socks_out=$(vt_srv ss -H -tn state established 2>/dev/null)
		if grep -qE "127.0.0.1:$VT_PORT( |$)" <<<"$socks_out"; then
			vt_pass "tcp: the proxy holds the TCP connection to the server"
		else
			vt_fail "tcp: the proxy holds the TCP connection to the server"
		fi
		stop_ok tcp

		# A destination the proxy's rules do not allow: its RFC 1928 reply code, named.
		profile tcp none 127.0.0.2
		vt_client_start
		i=0
		while [ $i -lt 100 ] && ! grep -q "refused the request" "$VT_DIR/client.log"; do
			sleep 0.1
			i=$((i + 1))
		done
		if grep -q "SOCKS proxy $VT_SRV_IP:$SOCKS_PORT: the proxy refused the request: connection not allowed by ruleset (reply code 2)" \
			"$VT_DIR/client.log"; then
			vt_pass "refused: the log names the proxy and RFC 1928's reply (code 2)"
		else
			vt_fail "refused: the log names the proxy and RFC 1928's reply (code 2)"
			tail -n 5 "$VT_DIR/client.log" | sed 's/^/  /'
		fi
		vt_client_stop 5

		# Stock openvpn on the same TCP profile.
		if openvpn_bin=$(command -v openvpn) && ! vt_client_is_stock; then
			profile tcp none
			saved=("${VT_CLIENT_CMD[@]}")
			VT_CLIENT_CMD=("$openvpn_bin")
			vt_client_start
			if vt_wait_tun_ipv4 20 && vt_ping "$VT_TUN_SRV_IP" >/dev/null; then
				vt_pass "stock-tcp: openvpn 2.6 connects and pings through the same proxy and profile"
			else
				vt_fail "stock-tcp: openvpn 2.6 connects and pings through the same proxy and profile"
			fi
			vt_client_stop 5
			VT_CLIENT_CMD=("${saved[@]}")
		fi
	fi
	if vt_check "udp: server up on 127.0.0.1 (udp)" server udp; then
		profile udp none
		vt_client_start
		if connected udp; then
			jailed udp
			socks_out=$(vt_cli ss -H -tn state established 2>/dev/null)
			if grep -qE "$VT_SRV_IP:$SOCKS_PORT( |$)" <<<"$socks_out"; then
				vt_pass "udp: the UDP association's TCP connection stays open"
			else
				vt_fail "udp: the UDP association's TCP connection stays open"
			fi
			socks_out=$(vt_cli ss -H -un 2>/dev/null)
			if grep -q "$VT_SRV_IP:" <<<"$socks_out"; then
				vt_pass "udp: datagrams go to the proxy's relay"
			else
				vt_fail "udp: datagrams go to the proxy's relay"
			fi
			# Bulk traffic both ways: batched sends and receives, each datagram with its header.
			if vt_iperf_start; then
				if up=$(vt_iperf); then
					vt_pass "udp: iperf3 client -> server through the relay: $up Mbit/s"
				else
					vt_fail "udp: iperf3 client -> server through the relay"
				fi
				if down=$(vt_iperf -R); then
					vt_pass "udp: iperf3 server -> client through the relay: $down Mbit/s"
				else
					vt_fail "udp: iperf3 server -> client through the relay"
				fi
				vt_iperf_stop
			else
				vt_fail "udp: iperf3 server on $VT_TUN_SRV_IP"
			fi
			if grep -q "dropping a UDP datagram" "$VT_DIR/client.log"; then
				vt_fail "udp: no datagram from the relay was dropped"
			else
				vt_pass "udp: no datagram from the relay was dropped"
			fi
			# The proxy goes away: the association is over, the session restarts.
			dante_stop
			i=0
			while [ $i -lt 50 ] && ! grep -q "keeps the UDP association closed" "$VT_DIR/client.log"; do
				sleep 0.1
				i=$((i + 1))
			done
			vt_check "proxy-drop: the client says the association's connection closed" \
				grep -q "keeps the UDP association closed" "$VT_DIR/client.log"
			vt_check "proxy-drop: the client restarts and keeps running" vt_pid_alive "$VT_CLI_PID"
		fi
		stop_ok udp
	fi
	# IPv6 all the way: the proxy at its IPv6 address, the server on ::1, the 22-byte header.
	if vt_check "udp6: server up on ::1 (udp6)" server udp6 ::1; then
		dante_stop
		dante_start none
		profile udp6 none ::1 "$VT_SRV_IP6"
		vt_client_start
		if connected udp6; then
			jailed udp6
			if grep -q "UDP relay \[$VT_SRV_IP6\]" "$VT_DIR/client.log"; then
				vt_pass "udp6: the relay is the proxy's IPv6 address"
			else
				vt_fail "udp6: the relay is the proxy's IPv6 address"
			fi
		fi
		stop_ok udp6
	fi
	dante_stop
fi

# ---- what --check-config says about the proxy ----
if ! vt_client_is_stock; then
	profile udp good
	chk=$("${VT_CLIENT_CMD[@]}" --check-config "$VT_DIR/$VT_CLIENT_CONF" 2>&1)
	vt_check "check-config: names the proxy and its authentication" eval \
		'[[ $chk == *"1. 127.0.0.1 $VT_PORT udp, through the SOCKS5 proxy $VT_SRV_IP port $SOCKS_PORT (username/password from the authfile)"* ]]'
	vt_check "check-config: privilege separation stays on with the proxy" eval \
		'[[ $chk == *"privilege separation: the network process as"* ]]'
fi

# ---- username and password ----
if vt_check "danted up (username/password)" dante_start username; then
	if vt_check "udp-auth: server up" server udp; then
		profile udp good
		vt_client_start
		connected udp-auth && jailed udp-auth
		stop_ok udp-auth

		# The remote as a name: the server's address for the UDP header comes from the parent.
		profile udp good localhost
		vt_client_start
		if connected udp-name; then
			if grep -q "UDP relay \[$VT_SRV_IP\]:[0-9]* for the server localhost:$VT_PORT" "$VT_DIR/client.log" &&
				! grep -q "Cannot resolve" "$VT_DIR/client.log"; then
				vt_pass "udp-name: the name was resolved for the UDP header"
			else
				vt_fail "udp-name: the name was resolved for the UDP header"
			fi
		fi
		stop_ok udp-name

		# The kill switch lets the proxy (TCP) and its UDP relay through, nothing else. The
		# remote by name: the parent's lookup for the UDP header opens the resolvers only while
		# it runs, and its answer is not let through (nothing goes there but through the relay).
		profile udp good localhost
		VT_CLIENT_ARGS="--kill-switch --control-socket $VT_DIR/ks.sock"
		vt_client_start
		if connected udp-ks; then
			jailed udp-ks
			# The parent closes the resolvers when its lookup ends, which may be a moment after
			# the network process has its answer and connects (bounded wait).
			# A resolver's rule is port 53 exactly (the relay's port may well be 53xxx).
			leaky() { grep -qE 'dport 53([^0-9]|$)|ip daddr 127\.0\.0\.1 udp' <<<"$1"; }
			for _ in $(seq 30); do
				rules=$(ip netns exec "$VT_CLI_NS" nft list table inet vpnc 2>&1)
				leaky "$rules" || break
				sleep 0.1
			done
			if leaky "$rules"; then
				vt_log "$rules"
				vt_fail "udp-ks: no resolver and not the server's own address in the rules once connected"
			else
				vt_pass "udp-ks: no resolver and not the server's own address in the rules once connected"
			fi
			vt_check "udp-ks: the kill switch table is there" eval \
				'[[ $(ip netns exec "$VT_CLI_NS" nft list tables 2>&1) == *"table inet vpnc"* ]]'
			if vt_cli ping -n -c 1 -W 1 "$VT_SRV_IP" >/dev/null 2>&1; then
				vt_fail "udp-ks: the proxy's host is not reachable outside the tunnel (ping)"
			else
				vt_pass "udp-ks: the proxy's host is not reachable outside the tunnel (ping)"
			fi
			one_relay udp-ks
			# Each association has its own relay: the new one replaces the old in the rules.
			first=$(relay_now)
			reconnect "udp-ks (1)" && one_relay "udp-ks (1)"
			reconnect "udp-ks (2)" && one_relay "udp-ks (2)"
			vt_log "udp-ks: relay ports $first, then $(grep -o "UDP relay \[$VT_SRV_IP\]:[0-9]*" \
				"$VT_DIR/client.log" | sed 's/.*://' | tail -n 2 | tr '\n' ' ')"
		fi
		stop_ok udp-ks
		VT_CLIENT_ARGS=""
		vt_check "udp-ks: the kill switch rules are gone after a clean exit" eval \
			'[[ $(ip netns exec "$VT_CLI_NS" nft list tables 2>&1) != *vpnc* ]]'

		# The same in one process (privsep no): the loop owns the rules and the one relay.
		profile udp good
		if ! vt_client_is_stock; then
			VT_CLIENT_ARGS="--kill-switch --privsep no --control-socket $VT_DIR/ks.sock"
			vt_client_start
			if connected udp-ks1; then
				if [ -z "$(pgrep -P "$VT_CLI_PID" 2>/dev/null)" ]; then
					vt_pass "udp-ks1: privsep no: one process"
				else
					vt_fail "udp-ks1: privsep no: one process"
				fi
				one_relay udp-ks1
				reconnect udp-ks1 && one_relay udp-ks1
			fi
			stop_ok udp-ks1
			VT_CLIENT_ARGS=""
		fi

		# A wrong password: one clear line naming the proxy, and no tunnel.
		profile udp bad
		vt_client_start
		i=0
		while [ $i -lt 100 ] && ! grep -q "refused the username and password" "$VT_DIR/client.log"; do
			sleep 0.1
			i=$((i + 1))
		done
		if grep -q "SOCKS proxy $VT_SRV_IP:$SOCKS_PORT: the proxy refused the username and password" \
			"$VT_DIR/client.log"; then
			vt_pass "wrong-pass: the log names the proxy and the refusal"
		else
			vt_fail "wrong-pass: the log names the proxy and the refusal"
			tail -n 10 "$VT_DIR/client.log" | sed 's/^/  /'
		fi
		tun_addrs=""
		[ -n "$(vt_tun_dev)" ] && tun_addrs=$(ip -n "$VT_CLI_NS" -4 -o addr show dev "$(vt_tun_dev)")
		vt_check "wrong-pass: no tunnel address" eval '[[ $tun_addrs != *inet* ]]'
		if grep -q "$SOCKS_PASS\|not-the-password" "$VT_DIR/client.log"; then
			vt_fail "wrong-pass: no password in the log"
		else
			vt_pass "wrong-pass: no password in the log"
		fi
		vt_client_stop 5

		# Stock openvpn as the client, on the same profile: the setup is what 2.6 expects.
		if openvpn_bin=$(command -v openvpn); then
			profile udp good
			saved=("${VT_CLIENT_CMD[@]}")
			VT_CLIENT_CMD=("$openvpn_bin")
			vt_client_start
			if vt_wait_tun_ipv4 20 && vt_ping "$VT_TUN_SRV_IP" >/dev/null; then
				vt_pass "stock: openvpn 2.6 connects and pings through the same proxy and profile"
			else
				vt_fail "stock: openvpn 2.6 connects and pings through the same proxy and profile"
			fi
			vt_client_stop 5
			VT_CLIENT_CMD=("${saved[@]}")
		fi
	fi
	if vt_check "tcp-auth: server up" server tcp-server; then
		profile tcp good
		vt_client_start
		connected tcp-auth && jailed tcp-auth
		stop_ok tcp-auth

		# <connection> blocks: the first goes direct (nothing listens there: refused), the
		# second through the proxy, with its own socks-proxy line.
		VT_CLIENT_REMOTES="<connection>
remote 127.0.0.1 $VT_PORT tcp
</connection>
<connection>
remote 127.0.0.1 $VT_PORT tcp
socks-proxy $VT_SRV_IP $SOCKS_PORT $VT_DIR/socks-auth
</connection>"
		VT_CLIENT_EXTRA=""
		vt_client_conf
		vt_client_start
		if connected conn-tcp; then
			if grep -q "TCP link remote: \[AF_INET\]127.0.0.1:$VT_PORT" "$VT_DIR/client.log" &&
				grep -q "TCP link remote: 127.0.0.1:$VT_PORT through the SOCKS proxy" "$VT_DIR/client.log"; then
				vt_pass "conn-tcp: the direct block was tried first, then the one with the proxy"
			else
				vt_fail "conn-tcp: the direct block was tried first, then the one with the proxy"
			fi
		fi
		stop_ok conn-tcp
	fi
	dante_stop
fi
vt_server_stop
vt_check "client namespace clean" vt_ns_clean

[ "${VT_VERBOSE:-0}" = 1 ] && vt_dump_logs
vt_summary $name
