#!/bin/bash
# test_compat_options.sh: client options stock OpenVPN 2.6 takes that vpnc
# once refused, against a stock 2.6 server; every case runs the same with
# --stock-client, which is how the expectations were confirmed.
#
# Usage: test_compat_options.sh <client-binary> | --stock-client  (VPNC_CLIENT_CMD overrides)
#
# tun-mtu-max: the server has `tun-mtu 1700` and pushes it (2.6 pushes its
#              tun-mtu to a client that announces IV_MTU). Without
#              tun-mtu-max the client announces 1600, connects anyway and its
#              device gets 1600; with `tun-mtu-max 1800` the device gets
#              1700 and a 1700-byte ping (DF set) crosses the tunnel.
# down-root:   `plugin .../openvpn-plugin-down-root.so "SCRIPT OUT two"` with
#              `user nobody`: after SIGTERM SCRIPT has run as uid 0, with
#              exactly the two words of the profile (nothing appended), and
#              with the down environment (dev set); no script-security 2.
# verify-hash: the CA's SHA1 fingerprint (option form), its SHA256 in a
#              <verify-hash> block with a wrong line before it: connected; a
#              wrong SHA1 value: no tunnel within 8 s (the CA, depth 1 of the
#              chain, does not match).
# providers:   a server with `providers legacy default` offering BF-CBC; the
#              client's `data-ciphers BF-CBC` without `providers` is refused
#              at start (stock: exit 1, vpnc: 2), with `providers legacy default`
#              (after data-ciphers in the profile)
# compat-mode: a server that compresses (`compress lz4-v2`, pushed): a
#              profile without compression options refuses it, as 2.6 does;
#              with `compat-mode 2.5.0` (before 2.6 compression was allowed)
#              it connects and 1472-byte pings of zeros come back.
# capath:      no `ca`, `capath DIR` with the CA as HASH.0 and its (empty)
#              CRL as HASH.r0: connected; the same without the CRL also
#              connects (2.6 checks CRLs for the whole chain but lets a
#              missing one pass); the CA's CRL revoking the server: no tunnel.
# http-proxy-override: a TCP server behind a real squid (CONNECT allowed to
#              port 1194 only); the profile lists a UDP remote first, then
#              the TCP one, and `http-proxy-override ADDR 3128`: the UDP
#              remote is left out and the session goes through squid.
#              it connects and the server reports cipher BF-CBC.
# Needs root.

# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_compat_options
vt_start "$name" "${1:-}"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"
VT_SERVER_EXTRA="tun-mtu 1700"
vt_up $name

# dev_mtu: the MTU of the client's tunnel device.
dev_mtu() {
	ip -n "$VT_CLI_NS" -o link show dev "$VT_CLI_TUN" 2>/dev/null | sed -n 's/.* mtu \([0-9]*\) .*/\1/p'
}

# ---- tun-mtu-max ----
VT_CLIENT_EXTRA=""
vt_client_conf
vt_client_start
if vt_check "tun-mtu-max: without it, connected to a server pushing tun-mtu 1700" vt_wait_tun_ipv4 15; then
	mtu=$(dev_mtu)
	vt_check "tun-mtu-max: without it, the device gets 1600 (got ${mtu:-none})" test "$mtu" = 1600
	vt_check "tun-mtu-max: without it, a ping through the tunnel" vt_ping "$VT_TUN_SRV_IP"
else
	vt_dump_logs
fi
vt_client_stop 5

VT_CLIENT_EXTRA="tun-mtu-max 1800"
vt_client_conf
vt_client_start
if vt_check "tun-mtu-max 1800: connected" vt_wait_tun_ipv4 15; then
	mtu=$(dev_mtu)
	vt_check "tun-mtu-max 1800: the device gets the pushed 1700 (got ${mtu:-none})" test "$mtu" = 1700
	# 1672 bytes of ICMP data + 28 of headers = 1700, DF set: it fits the tunnel's MTU only.
	vt_check "tun-mtu-max 1800: a 1700-byte ping with DF crosses the tunnel" \
		vt_cli ping -n -c 2 -W 3 -M "do" -s 1672 "$VT_TUN_SRV_IP"
else
	vt_dump_logs
fi
vt_client_stop 5

# ---- plugin down-root ----
plugin=/usr/lib/x86_64-linux-gnu/openvpn/plugins/openvpn-plugin-down-root.so
[ -e "$plugin" ] || plugin=$(find /usr/lib -name openvpn-plugin-down-root.so -print -quit 2>/dev/null)
if [ -z "$plugin" ]; then
	vt_fail "down-root: stock OpenVPN's openvpn-plugin-down-root.so is installed"
else
	cat >"$VT_DIR/dr.sh" <<-'EOF'
	#!/bin/sh
	out=$1
	{ echo "uid=$(id -u)"; echo "argc=$#"; for a in "$@"; do echo "arg=$a"; done
	  echo "dev=${dev:-}"; } >"$out"
	EOF
	chmod 755 "$VT_DIR/dr.sh"
	VT_CLIENT_EXTRA="user nobody
plugin $plugin \"$VT_DIR/dr.sh $VT_DIR/dr.out two\""
	vt_client_conf
	vt_client_start
	if vt_check "down-root: connected (user nobody)" vt_wait_tun_ipv4 15; then
		tun=$VT_CLI_TUN
		vt_check "down-root: nothing ran while connected" test ! -e "$VT_DIR/dr.out"
		# shellcheck disable=SC2016 # expanded by eval
		vt_check "down-root: client stops on SIGTERM with status 0" eval 'vt_client_stop 10 && [ "$VT_CLI_RC" = 0 ]'
		for _ in $(seq 1 50); do [ -s "$VT_DIR/dr.out" ] && break; sleep 0.1; done
		check_dr() {
			local f=$VT_DIR/dr.out
			grep -q -x "uid=0" "$f" && grep -q -x "argc=2" "$f" && grep -q -x "arg=$VT_DIR/dr.out" "$f" &&
				grep -q -x "arg=two" "$f" && grep -q -x "dev=$tun" "$f"
		}
		if ! vt_check "down-root: the command ran as root with the profile's words only, dev=$tun" check_dr; then
			cat "$VT_DIR/dr.out" 2>/dev/null
			vt_dump_logs
		fi
	else
		vt_dump_logs
		vt_client_stop 5
	fi
fi

# ---- verify-hash ----
fp() { openssl x509 -in "$VT_DIR/pki/ca.crt" -noout -fingerprint "-$1" | sed 's/.*=//'; }
sha1=$(fp sha1)
sha256=$(fp sha256)
wrong=00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33
# verify_hash_case LABEL WANT EXTRA: WANT 1 = connects, 0 = no tunnel within 8 s.
verify_hash_case() {
	local label=$1 want=$2
	VT_CLIENT_EXTRA=$3
	vt_client_conf
	vt_client_start
	if [ "$want" = 1 ]; then
		if vt_check "verify-hash $label: connected" vt_wait_tun_ipv4 15; then
			vt_check "verify-hash $label: ping through the tunnel" vt_ping "$VT_TUN_SRV_IP"
		else
			vt_dump_logs
		fi
	else
		if vt_wait_tun_ipv4 8; then
			vt_fail "verify-hash $label: no tunnel"
		else
			vt_pass "verify-hash $label: no tunnel"
		fi
		vt_check "verify-hash $label: the server saw no session" test "$(vt_server_peers)" = "$peers0"
	fi
	vt_client_stop 5
}
peers0=$(vt_server_peers)
verify_hash_case "the CA's SHA1" 1 "verify-hash $sha1"
verify_hash_case "the CA's SHA256 in a block" 1 "<verify-hash>
# a comment line
${sha256//[0-9A-F]/0}
$sha256
</verify-hash>"
peers0=$(vt_server_peers)
verify_hash_case "a wrong SHA1" 0 "verify-hash $wrong SHA1"
if ! vt_client_is_stock; then
	vt_check "verify-hash a wrong SHA1: the log names verify-hash" grep -q "not in verify-hash" "$VT_DIR/client.log"
fi

# ---- providers ----
vt_server_stop
VT_SERVER_EXTRA="tun-mtu 1700
providers legacy default"
vt_server_conf "AES-256-GCM:BF-CBC"
if vt_check "providers: the server restarted with BF-CBC" vt_server_start; then
	VT_CLIENT_EXTRA=""
	vt_client_conf BF-CBC
	vt_client_start
	if vt_client_wait_exit 10; then
		# A profile that does not load: stock exits 1, vpnc 2 (its status for the configuration).
		want=2
		vt_client_is_stock && want=1
		vt_check "providers: without it, BF-CBC is refused at start (status $VT_CLI_RC)" test "$VT_CLI_RC" = $want
	else
		vt_fail "providers: without it, BF-CBC is refused at start"
		vt_client_stop 5
	fi
	VT_CLIENT_EXTRA="providers legacy default"
	vt_client_conf BF-CBC
	vt_client_start
	if vt_check "providers legacy default: connected with data-ciphers BF-CBC" vt_wait_tun_ipv4 15; then
		c=$(vt_server_cipher)
		vt_check "providers legacy default: the server uses BF-CBC (got ${c:-none})" test "$c" = BF-CBC
		vt_check "providers legacy default: ping through the tunnel" vt_ping "$VT_TUN_SRV_IP"
	else
		vt_dump_logs
	fi
	vt_client_stop 5
fi

# ---- compat-mode ----
vt_server_stop
VT_SERVER_EXTRA=$'allow-compression yes\ncompress lz4-v2\npush "compress lz4-v2"'
VT_CLIENT_EXTRA=""
vt_refused_case "compat-mode: none" compression 'compress.*(refuse|not allowed)'
VT_CLIENT_EXTRA="compat-mode 2.5.0"
vt_server_conf
vt_client_conf
if vt_check "compat-mode 2.5.0: server up" vt_server_start; then
	vt_client_start
	if vt_check "compat-mode 2.5.0: connected to a server pushing compress lz4-v2" vt_wait_tun_ipv4 15; then
		vt_check "compat-mode 2.5.0: 1472-byte pings of zeros (compressed by the server)" \
			vt_cli ping -n -c 5 -i 0.2 -W 3 -s 1472 -p 00 "$VT_TUN_SRV_IP"
	else
		vt_dump_logs
	fi
	vt_client_stop 5
fi
vt_server_stop

# ---- capath ----
capath_setup() {
	local d=$VT_DIR/pki h
	mkdir -p "$VT_DIR/capath" "$VT_DIR/capath-nocrl" || return 1
	: >"$d/index.txt"
	printf '[ca]\ndefault_ca = c\n[c]\ndatabase = %s/index.txt\ndefault_md = default\ndefault_crl_days = 3\n' \
		"$d" >"$d/crl.cnf"
	openssl ca -gencrl -config "$d/crl.cnf" -keyfile "$d/ca.key" -cert "$d/ca.crt" \
		-out "$d/crl.pem" >>"$d/openssl.log" 2>&1 || return 1
	h=$(openssl x509 -hash -noout -in "$d/ca.crt") || return 1
	cp "$d/ca.crt" "$VT_DIR/capath/$h.0" && cp "$d/crl.pem" "$VT_DIR/capath/$h.r0" &&
		cp "$d/ca.crt" "$VT_DIR/capath-nocrl/$h.0" || return 1
	# A CRL that revokes the server's certificate.
	mkdir -p "$VT_DIR/capath-revoked" &&
		openssl ca -config "$d/crl.cnf" -keyfile "$d/ca.key" -cert "$d/ca.crt" -revoke "$d/server.crt" \
			>>"$d/openssl.log" 2>&1 &&
		openssl ca -gencrl -config "$d/crl.cnf" -keyfile "$d/ca.key" -cert "$d/ca.crt" \
			-out "$d/crl-revoked.pem" >>"$d/openssl.log" 2>&1 &&
		cp "$d/ca.crt" "$VT_DIR/capath-revoked/$h.0" && cp "$d/crl-revoked.pem" "$VT_DIR/capath-revoked/$h.r0"
}
# capath_case LABEL DIR WANT: WANT 1 = connects, 0 = no tunnel within 8 s.
capath_case() {
	VT_CLIENT_EXTRA="capath $VT_DIR/$2"
	vt_client_conf
	sed -i '/^<ca>$/,/^<\/ca>$/d' "$VT_DIR/$VT_CLIENT_CONF"
	vt_client_start
	if [ "$3" = 1 ]; then
		if vt_check "capath $1: connected without 'ca'" vt_wait_tun_ipv4 15; then
			vt_check "capath $1: ping through the tunnel" vt_ping "$VT_TUN_SRV_IP"
		else
			vt_dump_logs
		fi
	elif vt_wait_tun_ipv4 8; then
		vt_fail "capath $1: no tunnel"
	else
		vt_pass "capath $1: no tunnel"
	fi
	vt_client_stop 5
}
VT_SERVER_EXTRA=""
vt_server_conf
if vt_check "capath: hash directories with and without the CRL" capath_setup &&
	vt_check "capath: server up" vt_server_start; then
	capath_case "with the CA and its CRL" capath 1
	capath_case "with the CA but no CRL" capath-nocrl 1
	capath_case "with a CRL that revokes the server" capath-revoked 0
fi
vt_server_stop

# ---- http-proxy-override ----
SQUID=$(command -v squid || echo /usr/sbin/squid)
if [ ! -x "$SQUID" ]; then
	vt_fail "http-proxy-override: squid is installed (contrib/install-deps.sh test)"
else
	sqd=$VT_DIR/squid
	# squid drops to its user ('proxy'): it may enter VT_DIR (not list it), and owns its own dir.
	chmod 711 "$VT_DIR"
	mkdir -p "$sqd"
	printf '127.0.0.1 localhost\n' >"$sqd/hosts"
	cat >"$sqd/squid.conf" <<-EOF
	http_port $VT_SRV_IP:3128
	pid_filename $sqd/squid.pid
	cache_log $sqd/cache.log
	access_log stdio:$sqd/access.log
	cache deny all
	cache_mem 1 MB
	coredump_dir $sqd
	netdb_filename none
	hosts_file $sqd/hosts
	dns_nameservers 127.0.0.1
	shutdown_lifetime 1 seconds
	acl vpn_port port 1194
	acl CONNECT method CONNECT
	http_access deny !CONNECT
	http_access deny !vpn_port
	http_access allow all
	EOF
	: >"$sqd/access.log"
	chown -R proxy: "$sqd" 2>/dev/null
	ip netns exec "$VT_SRV_NS" "$SQUID" -N -f "$sqd/squid.conf" >"$sqd/squid.out" 2>&1 &
	sq_pid=$!
	sq_up() {
		local i
		for i in $(seq 1 150); do
			vt_srv ss -H -ltn 2>/dev/null | grep -q "$VT_SRV_IP:3128 " && return 0
			vt_pid_alive "$sq_pid" || return 1
			sleep 0.1
		done
		return 1
	}
	VT_SRV_PROTO=tcp-server
	VT_SERVER_EXTRA=""
	vt_server_conf
	if vt_check "http-proxy-override: squid up" sq_up && vt_check "http-proxy-override: TCP server up" vt_server_start; then
		VT_CLIENT_REMOTES="remote $VT_SRV_IP $VT_PORT udp
remote $VT_SRV_IP $VT_PORT tcp"
		VT_CLIENT_EXTRA="http-proxy-override $VT_SRV_IP 3128"
		vt_client_conf
		vt_client_start
		if vt_check "http-proxy-override: connected" vt_wait_tun_ipv4 20; then
			vt_check "http-proxy-override: ping through the tunnel" vt_ping "$VT_TUN_SRV_IP"
			vt_client_stop 5
			# squid logs a CONNECT when the tunnel through it closes.
			for _ in $(seq 1 30); do grep -q "CONNECT $VT_SRV_IP:$VT_PORT" "$sqd/access.log" && break; sleep 0.1; done
			vt_check "http-proxy-override: squid carried the session (CONNECT $VT_SRV_IP:$VT_PORT)" \
				grep -q "CONNECT $VT_SRV_IP:$VT_PORT" "$sqd/access.log"
		else
			vt_dump_logs
		fi
		vt_client_stop 5
	fi
	vt_server_stop
	vt_kill_wait "$sq_pid" 5
fi

vt_summary $name
