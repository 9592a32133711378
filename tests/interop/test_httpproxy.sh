#!/bin/bash
# test_httpproxy.sh: 'http-proxy' through a real squid (docs/proxy.md).
#
# Usage: test_httpproxy.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# The stock OpenVPN 2.6 server listens on 127.0.0.1 port 1194 (TCP) in the
# server namespace, so only something inside that namespace reaches it:
# squid, started by this test there with its own config, listening on the
# veth address. The client's remote is a name only squid knows (its own
# hosts_file): the client never resolves it and can only get through CONNECT.
#
# Cases:
#   open      squid without authentication, 'http-proxy ADDR 3128': connect,
#             ping through the tunnel, squid logged CONNECT to the name,
#             SIGTERM exits 0 and the namespace is clean
#   ipv6      the same proxy by its IPv6 address: connect and ping
#   basic     squid with Basic authentication (basic_ncsa_auth, an htpasswd
#             file made with openssl passwd -apr1), the authfile as the third
#             argument of http-proxy: --check-config (text and JSON) names the
#             proxy and the method; connect and ping
#   auto      the same proxy, 'http-proxy ADDR 3128 auto' with an inline
#             <http-proxy-user-pass>: the first CONNECT gets 407, the second
#             carries the credentials; connect and ping
#   wrongpw   a wrong password with 'connect-retry-max 2': the client gives up
#             (non-zero status), its error names the proxy and says it
#             refused the username and password; squid saw every try
#   noauth    no credentials against the authenticating proxy: the error
#             names the proxy and the 407
#   autonone  'auto' without http-proxy-user-pass: the 407 ends the client at
#             once with status 2 and a sentence saying where to give them
#   stdin     'http-proxy ADDR 3128 stdin': the username and password are asked
#             on the terminal (a pty the test drives) before connecting; connect
#             and ping
#   nct       'auto-nct' against the Basic-only proxy: refused, the password is
#             never sent, the error says why
#   digest    squid with Digest authentication only (digest_file_auth),
#             'http-proxy ADDR 3128 auto-nct' and inline credentials: the 407
#             names Digest, the next CONNECT answers it; connect and ping
#   digestpw  the same with a wrong password: refused, naming the proxy
#   basiconly an authfile (Basic) against the Digest-only proxy: the error
#             says the proxy takes only Digest and how to ask for it
#   denied    CONNECT to a port squid does not allow: the error names the
#             proxy and quotes its status line (403)
#   refused   nothing listens on the proxy port: the error names the proxy
#   silent    a proxy that accepts the connection and never answers, with
#             server-poll-timeout 3: the timeout names the proxy and CONNECT
#   gateway   'redirect-gateway def1' and --kill-switch, the proxy one router
#             hop away: the host route to the proxy (not the server) keeps
#             the old gateway, the kill switch lets the proxy connection
#             through and nothing else, ping through the tunnel, exit 0 removes
#             the rules
# With --stock-client the same profiles run with stock openvpn (open, basic,
# auto connect; the failures are only checked to fail).
# Needs root and squid. Prints PASS/FAIL per check; last line is the summary.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$lib"

name=test_httpproxy
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

SQUID=$(command -v squid || echo /usr/sbin/squid)
NCSA=/usr/lib/squid/basic_ncsa_auth
DIGEST=/usr/lib/squid/digest_file_auth
if [ ! -x "$SQUID" ] || [ ! -x "$NCSA" ] || [ ! -x "$DIGEST" ]; then
	vt_fail "prerequisites: squid, $NCSA and $DIGEST (contrib/install-deps.sh test)"
	vt_summary $name
	exit 1
fi

PROXY_PORT=3128
SERVER_NAME=vpn-server.test
PROXY_USER=alice
PROXY_PASS='s3cret pass:word'
# digest_file_auth reads "user:password" lines, so no colon in this one.
DIGEST_PASS='d1gest pass'
SQ_PID=""

# squid drops to its cache_effective_user ('proxy'): it may enter VT_DIR, and owns its own dir.
sq_dir() { printf '%s' "$VT_DIR/squid"; }

# sq_conf auth|digest|open: squid's throwaway config; CONNECT only to port 1194, only to our name.
sq_conf() {
	local d
	d=$(sq_dir)
	{
		cat <<-EOF
		http_port $VT_SRV_IP:$PROXY_PORT
		http_port $VT_SRV_FAR_IP:$PROXY_PORT
		http_port [$VT_SRV_IP6]:$PROXY_PORT
		pid_filename $d/squid.pid
		cache_log $d/cache.log
		access_log stdio:$d/access.log
		cache deny all
		cache_mem 1 MB
		coredump_dir $d
		netdb_filename none
		hosts_file $d/hosts
		dns_nameservers 127.0.0.1
		shutdown_lifetime 1 seconds
		acl vpn_port port 1194
		acl vpn_host dstdomain $SERVER_NAME
		acl CONNECT method CONNECT
		http_access deny !CONNECT
		http_access deny !vpn_port
		http_access deny !vpn_host
		EOF
		if [ "$1" = auth ]; then
			cat <<-EOF
			auth_param basic program $NCSA $d/passwd
			auth_param basic realm vpnc-test
			acl authed proxy_auth REQUIRED
			http_access allow authed
			EOF
		elif [ "$1" = digest ]; then
			cat <<-EOF
			auth_param digest program $DIGEST $d/digest-passwd
			auth_param digest realm vpnc-test
			acl authed proxy_auth REQUIRED
			http_access allow authed
			EOF
		else
			echo "http_access allow all"
		fi
		echo "http_access deny all"
	} >"$d/squid.conf"
}

# sq_start auth|digest|open: squid in the server namespace, in the foreground (-N) with our config;
# waits (<= 15 s) until it listens.
sq_start() {
	local d i=0
	d=$(sq_dir)
	sq_conf "$1"
	: >"$d/access.log"
	chown -R proxy: "$d" 2>/dev/null
	# Not through vt_srv (a function: & would fork a shell), so $! is squid itself.
	ip netns exec "$VT_SRV_NS" "$SQUID" -N -f "$d/squid.conf" >"$d/squid.out" 2>&1 &
	SQ_PID=$!
	while [ $i -lt 150 ]; do
		if vt_srv ss -H -ltn 2>/dev/null | grep -q "$VT_SRV_IP:$PROXY_PORT "; then
			return 0
		fi
		vt_pid_alive "$SQ_PID" || break
		sleep 0.1
		i=$((i + 1))
	done
	vt_log "error: squid did not come up"
	tail -n 20 "$d/cache.log" "$d/squid.out" 2>/dev/null
	return 1
}

sq_stop() {
	[ -n "$SQ_PID" ] && vt_kill_wait "$SQ_PID" 5
	SQ_PID=""
	# squid's helpers (basic_ncsa_auth) end with it; anything left in our namespace goes too.
	return 0
}

# sq_count PATTERN: lines of squid's access log matching the extended regex.
sq_count() {
	local n
	n=$(grep -E -c -- "$1" "$(sq_dir)/access.log" 2>/dev/null)
	printf '%s' "${n:-0}"
}

# profile LINES...: the client profile with the proxy lines given, TCP to the name squid knows.
profile() {
	VT_CLIENT_REMOTES="remote $SERVER_NAME $VT_PORT tcp"
	VT_CLIENT_EXTRA=$(printf '%s\n' "$@")
	vt_client_conf
}

# connect_case LABEL: starts the client, waits for the tunnel, pings, stops it cleanly.
connect_case() {
	local label=$1
	vt_client_start
	if vt_wait_tun_ipv4 30; then
		vt_pass "$label: connected through the proxy in $VT_CONNECT_MS ms"
		vt_check "$label: ping $VT_TUN_SRV_IP through the tunnel" vt_ping "$VT_TUN_SRV_IP"
		if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
			vt_pass "$label: SIGTERM, exit code 0"
		else
			vt_fail "$label: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
		fi
		vt_check "$label: client namespace clean" vt_ns_clean
	else
		vt_fail "$label: connected through the proxy"
		vt_dump_logs
		tail -n 5 "$(sq_dir)/access.log"
		vt_client_stop 5
	fi
}

# fail_case LABEL ERE WHAT [SECONDS]: the client must log ERE (naming WHAT) and, with
# connect-retry-max in the profile, exit non-zero on its own.
fail_case() {
	local label=$1 ere=$2 what=$3 limit=${4:-30}
	vt_client_start
	if vt_client_wait_exit "$limit"; then
		if [ "$VT_CLI_RC" != 0 ]; then
			vt_pass "$label: client gave up with status $VT_CLI_RC"
		else
			vt_fail "$label: client exited with status 0"
		fi
	else
		vt_fail "$label: client still runs after $limit s (connect-retry-max 2)"
		vt_client_stop 5
	fi
	if vt_client_is_stock; then
		return 0
	fi
	if grep -E -q -- "$ere" "$VT_DIR/client.log"; then
		vt_pass "$label: the error names $what"
	else
		vt_fail "$label: the error names $what (/$ere/)"
		tail -n 15 "$VT_DIR/client.log"
	fi
	vt_check "$label: client namespace clean" vt_ns_clean
}

# no_tcp ADDR PORT: true when the client namespace cannot open a TCP connection there (3 s).
no_tcp() { ! vt_cli timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# stdin_case: 'http-proxy ... stdin' answered on a terminal: a pty driven by a small python
# program that runs the client, answers the two questions, passes SIGTERM on and exits with the
# client's status.
stdin_case() {
	local saved=("${VT_CLIENT_CMD[@]}")
	cat >"$VT_DIR/ttydrive.py" <<-'EOF'
	import os, pty, select, signal, sys, termios, time
	user, pw, log, argv = sys.argv[1].encode(), sys.argv[2].encode(), open(sys.argv[3], "ab"), sys.argv[4:]
	pid, fd = pty.fork()
	if pid == 0:
	    os.execvp(argv[0], argv)
	signal.signal(signal.SIGTERM, lambda *a: os.kill(pid, signal.SIGTERM))
	seen = b""
	def pump(t):
	    global seen
	    r = []
	    try:
	        r, _, _ = select.select([fd], [], [], t)
	    except InterruptedError:
	        pass
	    if r:
	        try:
	            d = os.read(fd, 4096)
	        except OSError:
	            return False
	        log.write(d); log.flush(); seen += d
	    return True
	for q, a, secret in ((b"Enter HTTP Proxy Username:", user, False), (b"Enter HTTP Proxy Password:", pw, True)):
	    end = time.time() + 15
	    while q not in seen and time.time() < end and pump(0.2):
	        pass
	    # The master side reads the terminal's settings: echo must be off once a secret's
	    # question shows, or an answer typed at once would be echoed (and flushed).
	    if secret and termios.tcgetattr(fd)[3] & termios.ECHO:
	        open(sys.argv[3] + ".echo", "w").write("echo still on at the question\n")
	    os.write(fd, a + b"\n")
	while pump(0.5):
	    if os.waitpid(pid, os.WNOHANG)[0]:
	        break
	_, st = os.waitpid(pid, 0)
	sys.exit(os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st))
	EOF
	profile "http-proxy $P stdin"
	VT_CLIENT_CMD=(python3 "$VT_DIR/ttydrive.py" "$PROXY_USER" "$PROXY_PASS" "$VT_DIR/pty.log" "${saved[@]}")
	connect_case stdin
	VT_CLIENT_CMD=("${saved[@]}")
	vt_check "stdin: both questions were asked on the terminal" \
		grep -q "Enter HTTP Proxy Password:" "$VT_DIR/pty.log"
	vt_check "stdin: echo was off when the password's question appeared" \
		test ! -e "$VT_DIR/pty.log.echo"
	vt_check "stdin: the password was not echoed, nor logged" \
		test "$(grep -c -F -- "$PROXY_PASS" "$VT_DIR/pty.log" "$VT_DIR/client.log" | grep -c -v ':0$')" = 0
}

# gateway_case: redirect-gateway def1 and the kill switch, through the proxy's far address.
gateway_case() {
	local rules
	profile "http-proxy $VT_SRV_FAR_IP $PROXY_PORT" "redirect-gateway def1"
	VT_CLIENT_ARGS="--kill-switch --control-socket $VT_DIR/ctl.sock"
	vt_client_start
	VT_CLIENT_ARGS=""
	if ! vt_wait_tun_ipv4 30; then
		vt_fail "gateway: connected through the proxy at $VT_SRV_FAR_IP"
		vt_dump_logs
		vt_client_stop 5
		return
	fi
	vt_pass "gateway: connected through the proxy at $VT_SRV_FAR_IP"
	vt_check "gateway: ping $VT_TUN_SRV_IP through the tunnel" vt_ping "$VT_TUN_SRV_IP"
	vt_check "gateway: the proxy is routed via the old gateway, not the tunnel" \
		grep -q "via $VT_SRV_IP dev $VT_CLI_VETH" <<<"$(vt_cli ip -4 route get "$VT_SRV_FAR_IP")"
	rules=$(vt_cli nft list table inet vpnc 2>/dev/null)
	[ "$VT_VERBOSE" = 1 ] && printf "%s\n" "$rules"
	vt_check "gateway: the kill switch allows the proxy's address and port (TCP)" \
		grep -q "$VT_SRV_FAR_IP.*$PROXY_PORT" <<<"$rules"
	vt_check "gateway: ... and not the server's port past the proxy" \
		test -n "$rules" -a "$(grep -c "dport $VT_PORT" <<<"$rules")" = 0
	# Outside the tunnel nothing else gets out: the proxy's other address is blocked.
	vt_check "gateway: the kill switch blocks the proxy's other address" \
		no_tcp "$VT_SRV_IP" "$PROXY_PORT"
	if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "gateway: SIGTERM, exit code 0"
	else
		vt_fail "gateway: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
	fi
	vt_check "gateway: no kill switch table left after a clean exit" \
		test -z "$(vt_cli nft list tables 2>/dev/null | grep 'inet vpnc')"
}

setup() {
	# The client's default route goes via the server namespace, where squid also listens on a
	# far address (vt_netns_routed): what redirect-gateway has to route around.
	vt_netns_up && vt_netns_routed && vt_pki ed25519 || return 1
	# The server: TCP on the server namespace's loopback only.
	VT_SRV_PROTO=tcp-server
	VT_SRV_LOCAL=127.0.0.1
	vt_server_conf && vt_server_start || return 1
	chmod 711 "$VT_DIR"
	mkdir -p "$(sq_dir)" || return 1
	printf '127.0.0.1 %s\n' "$SERVER_NAME" >"$(sq_dir)/hosts"
	printf '%s:%s\n' "$PROXY_USER" "$(openssl passwd -apr1 "$PROXY_PASS")" >"$(sq_dir)/passwd"
	printf '%s:%s\n' "$PROXY_USER" "$DIGEST_PASS" >"$(sq_dir)/digest-passwd"
	# The client cannot reach the server itself: only the proxy can.
	no_tcp 127.0.0.1 "$VT_PORT"
}
trap 'sq_stop; vt_cleanup' EXIT
if ! vt_check "namespaces, PKI, stock OpenVPN server on 127.0.0.1 (server namespace only)" setup; then
	vt_summary $name
	exit 1
fi
P="$VT_SRV_IP $PROXY_PORT"
RETRY=$'connect-retry 1\nconnect-retry-max 2'

# ---- open: no authentication ----
if vt_check "open: squid up on $VT_SRV_IP:$PROXY_PORT without authentication" sq_start open; then
	profile "http-proxy $P"
	connect_case open
	vt_check "open: squid logged CONNECT $SERVER_NAME:$VT_PORT" \
		test "$(sq_count "CONNECT $SERVER_NAME:$VT_PORT")" -ge 1
	profile "http-proxy $VT_SRV_IP6 $PROXY_PORT"
	connect_case ipv6
	vt_check "ipv6: squid logged CONNECT from the client's IPv6 address" \
		test "$(sq_count " $VT_CLI_IP6 TCP_TUNNEL/200 [0-9]+ CONNECT $SERVER_NAME:$VT_PORT")" -ge 1
	# The kill switch is vpnc's own, and not yet available with privsep (VT_CLIENT_PRIVSEP).
	if ! vt_client_is_stock && [ -z "${VT_CLIENT_PRIVSEP:-}" ]; then
		if command -v nft >/dev/null 2>&1; then
			gateway_case
		else
			vt_skip_or_fail "gateway: nft (nftables) is not installed"
		fi
	fi
	# A port squid refuses: its 403 reaches the user, quoted.
	profile "http-proxy $P" "$RETRY"
	sed -i "s/^remote $SERVER_NAME $VT_PORT tcp/remote $SERVER_NAME 1195 tcp/" "$VT_DIR/$VT_CLIENT_CONF"
	fail_case denied "HTTP proxy $VT_SRV_IP:$PROXY_PORT refused CONNECT to the server: 'HTTP/1\.[01] 403" \
		"the proxy and its 403 status line"
fi
sq_stop

# ---- Basic authentication ----
if vt_check "auth: squid up with basic_ncsa_auth" sq_start auth; then
	printf '%s\n%s\n' "$PROXY_USER" "$PROXY_PASS" >"$VT_DIR/proxy-auth.txt"
	chmod 600 "$VT_DIR/proxy-auth.txt"
	profile "http-proxy $P $VT_DIR/proxy-auth.txt basic"
	connect_case basic
	if ! vt_client_is_stock; then
		plan=$("${VT_CLIENT_CMD[@]}" --check-config "$VT_DIR/$VT_CLIENT_CONF" 2>&1)
		vt_check "basic: --check-config names the proxy, the method and where the credentials are" \
			grep -q "through HTTP proxy $VT_SRV_IP port $PROXY_PORT: authentication basic, credentials file" <<<"$plan"
		plan=$("${VT_CLIENT_CMD[@]}" --check-config "$VT_DIR/$VT_CLIENT_CONF" --json 2>&1)
		vt_check "basic: --check-config --json has http_proxy" \
			grep -q "\"http_proxy\":{\"host\":\"$VT_SRV_IP\",\"port\":\"$PROXY_PORT\",\"auth\":\"basic\",\"credentials\":\"file\"}" <<<"$plan"
		vt_check "basic: --check-config shows no password" test "$(grep -c -F -- "$PROXY_PASS" <<<"$plan")" = 0
	fi
	vt_check "basic: squid logged the user on CONNECT" \
		test "$(sq_count "CONNECT $SERVER_NAME:$VT_PORT $PROXY_USER ")" -ge 1

	before=$(sq_count " TCP_DENIED/407 ")
	profile "http-proxy $P auto" "<http-proxy-user-pass>" "$PROXY_USER" "$PROXY_PASS" \
		"</http-proxy-user-pass>"
	connect_case auto
	vt_check "auto: the first CONNECT got 407, the next carried the credentials" \
		test "$(sq_count " TCP_DENIED/407 ")" -gt "$before"

	printf '%s\n%s\n' "$PROXY_USER" "not-the-password" >"$VT_DIR/proxy-bad.txt"
	before=$(sq_count " TCP_DENIED/407 ")
	profile "http-proxy $P $VT_DIR/proxy-bad.txt" "$RETRY"
	fail_case wrongpw "HTTP proxy $VT_SRV_IP:$PROXY_PORT refused the username and password \(HTTP/1\.[01] 407" \
		"the proxy and the refused password"
	vt_check "wrongpw: squid refused each of the 2 tries" \
		test "$(sq_count " TCP_DENIED/407 ")" -ge $((before + 2))

	if ! vt_client_is_stock; then
		stdin_case
	fi

	profile "http-proxy $P auto" "$RETRY"
	fail_case autonone "HTTP proxy $VT_SRV_IP:$PROXY_PORT asks for a username and password, and the profile has none \(give them with http-proxy-user-pass\)" \
		"the proxy and where the credentials go" 10
	if ! vt_client_is_stock; then
		vt_check "autonone: exit status 2 (the profile lacks something)" test "${VT_CLI_RC:-}" = 2
	fi

	before=$(sq_count " $PROXY_USER ")
	profile "http-proxy $P auto-nct" "$RETRY" "<http-proxy-user-pass>" "$PROXY_USER" \
		"$PROXY_PASS" "</http-proxy-user-pass>"
	fail_case nct "HTTP proxy $VT_SRV_IP:$PROXY_PORT asks for Basic authentication, which 'auto-nct' refuses" \
		"the proxy and auto-nct"
	vt_check "nct: the username never reached squid" test "$(sq_count " $PROXY_USER ")" = "$before"

	profile "http-proxy $P" "$RETRY"
	fail_case noauth "HTTP proxy $VT_SRV_IP:$PROXY_PORT wants a username and password \(HTTP/1\.[01] 407" \
		"the proxy and its 407"
fi
sq_stop

# ---- Digest authentication (auto-nct: no clear text) ----
if vt_check "digest: squid up with digest_file_auth" sq_start digest; then
	profile "http-proxy $P auto-nct" "<http-proxy-user-pass>" "$PROXY_USER" "$DIGEST_PASS" \
		"</http-proxy-user-pass>"
	connect_case digest
	vt_check "digest: a 407 first, then CONNECT as the user" \
		test "$(sq_count " TCP_DENIED/407 ")" -ge 1 -a "$(sq_count "CONNECT $SERVER_NAME:$VT_PORT $PROXY_USER ")" -ge 1
	if ! vt_client_is_stock; then
		vt_check "digest: the client answered the Digest challenge" \
			grep -q "CONNECT $SERVER_NAME:$VT_PORT with Digest authentication" "$VT_DIR/client.log"
	fi

	profile "http-proxy $P auto" "$RETRY" "<http-proxy-user-pass>" "$PROXY_USER" "wrong" \
		"</http-proxy-user-pass>"
	fail_case digestpw "HTTP proxy $VT_SRV_IP:$PROXY_PORT refused the username and password \(HTTP/1\.[01] 407" \
		"the proxy and the refused password" 60

	profile "http-proxy $P $VT_DIR/proxy-auth.txt" "$RETRY"
	fail_case basiconly "HTTP proxy $VT_SRV_IP:$PROXY_PORT does not take Basic authentication, only Digest" \
		"the proxy and the scheme it wants"
fi
sq_stop

# ---- refused: nothing listens where the profile says ----
profile "http-proxy $VT_SRV_IP 3129" "$RETRY"
fail_case refused "HTTP proxy $VT_SRV_IP:3129 cannot be reached: connection refused" "the proxy" 30
if ! vt_client_is_stock; then
	vt_check "refused: the hint says the proxy refused, at verb 1" grep -q \
		"The HTTP proxy refused the connection (HTTP proxy $VT_SRV_IP port 3129)" "$VT_DIR/client.log"
fi

# ---- silent: a proxy that takes the connection and says nothing ----
ip netns exec "$VT_SRV_NS" python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 3130))
s.listen(8)
conns = []
end = time.time() + 60
while time.time() < end:
    s.settimeout(max(0.1, end - time.time()))
    try:
        conns.append(s.accept()[0])
    except OSError:
        break
' "$VT_SRV_IP" >/dev/null 2>&1 &
mute_pid=$!
VT_POLL_TIMEOUT=3 profile "http-proxy $VT_SRV_IP 3130" "$RETRY"
fail_case silent "Server poll timeout \(3 s\) waiting for the answer to CONNECT from the HTTP proxy $VT_SRV_IP:3130" \
	"the proxy and the unanswered CONNECT" 30
vt_kill_wait "$mute_pid" 2

vt_server_stop
vt_summary $name
