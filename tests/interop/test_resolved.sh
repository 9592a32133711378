#!/bin/bash
# test_resolved.sh: DNS through a real systemd-resolved, and no DNS leak on a full tunnel.
#
# Usage: test_resolved.sh <client-binary>   (vpnc only: stock openvpn sets no DNS)
#
# The client namespace gets a private mount namespace (a holder process that
# sleeps in it; every client-side program joins it with nsenter) in which a
# private dbus-daemon serves /run/dbus/system_bus_socket and Debian's
# /lib/systemd/systemd-resolved runs on it as root (it drops to its
# systemd-resolve user itself), with a test resolved.conf (no DNSSEC, LLMNR,
# mDNS or stub listener) and a private /etc/resolv.conf naming the "LAN"
# resolver. Two tiny DNS responders run in the server namespace: the LAN one
# on the veth address (outside the tunnel) and the VPN one on the server's
# tunnel address; each answers A queries with its own address and logs every
# question. Nothing on the host (its bus, /run, /etc/resolv.conf) is touched.
#
#  1. Split tunnel: the server pushes DNS, DOMAIN vpn.example and
#     DOMAIN-ROUTE corp.example. resolved holds, for the tun link: the server,
#     domains "vpn.example ~corp.example", default-route no. A name under
#     vpn.example is answered by the VPN resolver; any other name by the LAN one.
#  2. Full tunnel: the server also pushes redirect-gateway def1. Before vpnc
#     starts, the client's veth gets a per-link resolver of its own (a third
#     responder, on a second server address on that link) and default-route
#     yes through resolvectl, as NetworkManager or networkd set up a Wi-Fi
#     link; a lookup then reaches it. With the VPN up the tun link gets "~."
#     and default-route yes; an unrelated name is answered through the tunnel
#     and neither the veth's resolver nor the global LAN one sees any
#     question (leaks: 0). After vpnc stops, names reach the veth's resolver
#     again.
#  3. As 1, with --user nobody --group nogroup and a SIGUSR1: after the drop
#     (nobody, CAP_NET_ADMIN only) the settings are made again and resolved
#     takes them.
#  Each round, `vpnc status` names the backend and the scope ("resolved,
#  split (only the tunnel's domains ...)" or "resolved, full tunnel ...").
#  4. After SIGTERM (each round): vpnc's RevertLink reached resolved and was
#     answered (vpnc logs "DNS settings restored"), and resolved no longer
#     knows the link.
# Needs root, dbus-daemon, systemd-resolved (Debian package systemd-resolved)
# and python3. Last line: "test_resolved: N passed, M failed".
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_resolved
RESOLVED=${VPNC_RESOLVED_BIN:-/lib/systemd/systemd-resolved}
if [ -z "${1:-}" ] || [ "${1:-}" = --stock-client ]; then
	vt_log "SKIP: $name checks vpnc's systemd-resolved backend (vpnc only)"
	vt_summary $name
	exit 0
fi
for t in dbus-daemon resolvectl unshare nsenter python3; do
	if ! command -v "$t" >/dev/null 2>&1; then
		vt_skip_or_fail "$t is not installed"
		vt_summary $name
		exit
	fi
done
if [ ! -x "$RESOLVED" ] || ! getent passwd systemd-resolve >/dev/null; then
	vt_skip_or_fail "systemd-resolved is not installed"
	vt_summary $name
	exit
fi
vt_start $name "$1"
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

# The server is reached through a gateway, so that redirect-gateway has an
# original default route to keep the server's host route on.
VT_REMOTE=$VT_SRV_FAR_IP
VT_SRV_LOCAL=$VT_SRV_FAR_IP
LAN_ANSWER=198.51.100.10   # what the LAN resolver answers (never contacted)
VPN_ANSWER=192.0.2.10      # what the VPN resolver answers (never contacted)
LINK_ANSWER=198.51.100.20  # what the veth's own resolver answers (never contacted)
LINK_DNS_IP="10.199.$VT_NET_OCTET.3" # the veth's resolver: on the LAN link, outside the tunnel

# cli CMD...: runs CMD in the client's network and private mount namespace.
cli() { vt_hold "$@"; }

# resolved_up: org.freedesktop.resolve1 has an owner on the private bus.
resolved_up() {
	cli timeout 2 busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
		NameHasOwner s org.freedesktop.resolve1 2>/dev/null | grep -q true
}

write_files() {
	local d=$VT_DIR
	vt_bus_conf "$d/bus.conf"
	cat >"$d/resolved.conf" <<-EOF
	[Resolve]
	DNSSEC=no
	DNSOverTLS=no
	LLMNR=no
	MulticastDNS=no
	DNSStubListener=no
	Cache=no
	EOF
	# The host's resolver configuration as the client namespace sees it: the LAN resolver.
	printf 'nameserver %s\n' "$VT_SRV_IP" >"$d/resolv.conf"
	# A DNS responder: answers A questions with one address, anything else
	# with an empty answer; logs "NAME TYPE" per question. Bounded by the test
	# (killed with the namespaces).
	cat >"$d/responder.py" <<-'EOF'
	import socket, struct, sys
	addr, answer, log = sys.argv[1], sys.argv[2], sys.argv[3]
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind((addr, 53))
	while True:
	    q, peer = s.recvfrom(4096)
	    if len(q) < 17:
	        continue
	    i, labels = 12, []
	    while i < len(q) and q[i] != 0 and q[i] < 64:
	        labels.append(q[i + 1:i + 1 + q[i]].decode('ascii', 'replace'))
	        i += 1 + q[i]
	    i += 1
	    if i + 4 > len(q):
	        continue
	    qtype = struct.unpack('!H', q[i:i + 2])[0]
	    with open(log, 'a') as f:
	        f.write('%s %d\n' % ('.'.join(labels), qtype))
	    an = b''
	    if qtype == 1:
	        an = b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 5, 4) + socket.inet_aton(answer)
	    flags = 0x8080 | (struct.unpack('!H', q[2:4])[0] & 0x0100)
	    s.sendto(q[:2] + struct.pack('!HHHHH', flags, 1, 1 if an else 0, 0, 0) + q[12:i + 4] + an, peer)
	EOF
}

# wait_responder ADDR: until a responder listens on ADDR port 53 in the server namespace (<= 5 s).
wait_responder() {
	local i
	for i in $(seq 50); do
		vt_srv ss -H -lun "src $1" 2>/dev/null | grep -q ":53 " && return 0
		sleep 0.1
	done
	return 1
}

setup() {
	vt_netns_up && vt_netns_routed && vt_pki ed25519 && vt_client_conf && write_files || return 1
	local i
	# shellcheck disable=SC2016 # expanded by the inner shell
	vt_private_bus '
		mkdir -p /run/systemd && mount -t tmpfs -o mode=0755 tmpfs /run/systemd
		mkdir -p /run/systemd/resolve && chown systemd-resolve:systemd-resolve /run/systemd/resolve
		mount --bind "$1/resolv.conf" /etc/resolv.conf
		mkdir -p /etc/systemd && touch /etc/systemd/resolved.conf
		mount --bind "$1/resolved.conf" /etc/systemd/resolved.conf' "$VT_DIR" || return 1
	SYSTEMD_LOG_LEVEL=debug cli "$RESOLVED" >"$VT_DIR/resolved.log" 2>&1 &
	for i in $(seq 50); do
		resolved_up && break
		sleep 0.1
	done
	resolved_up || return 1
	vt_srv python3 "$VT_DIR/responder.py" "$VT_SRV_IP" "$LAN_ANSWER" "$VT_DIR/lan.q" \
		>"$VT_DIR/lan.out" 2>&1 &
	wait_responder "$VT_SRV_IP" || return 1
	ip -n "$VT_SRV_NS" addr add "$LINK_DNS_IP/24" dev "$VT_SRV_VETH" || return 1
	vt_srv python3 "$VT_DIR/responder.py" "$LINK_DNS_IP" "$LINK_ANSWER" "$VT_DIR/link.q" \
		>"$VT_DIR/link.out" 2>&1 &
	wait_responder "$LINK_DNS_IP"
}
if ! vt_check "namespaces, private bus and a real systemd-resolved up" setup; then
	tail -n 20 "$VT_DIR/resolved.log" "$VT_DIR/bus.log" 2>/dev/null
	vt_summary $name
	exit 1
fi

# link_field WHAT: resolvectl's view of the tun link ("dns", "domain", "default-route"), after the colon.
link_field() { cli timeout 5 resolvectl "$1" "$VT_CLI_TUN" 2>/dev/null | sed -n 's/^Link [0-9]* ([^)]*): *//p'; }

# lookup NAME: the first address resolved gives for NAME.
lookup() { cli timeout 10 resolvectl query --legend=no -4 "$1" 2>/dev/null | awk '{print $2; exit}'; }

# link_uses_own LABEL: without the VPN, an unrelated name reaches the veth's own resolver
# (the setting took: the full round's "nothing reached it" can fail).
link_uses_own() {
	local n
	cli timeout 5 resolvectl flush-caches >/dev/null 2>&1
	: >"$VT_DIR/link.q"
	lookup "www.own-link.test" >/dev/null
	n=$(grep -c 'www.own-link.test' "$VT_DIR/link.q")
	vt_check "$1: a lookup reaches the veth's own resolver ($n questions)" [ "$n" -gt 0 ]
}

# round NAME PUSHES...: one connection to a server pushing PUSHES (extra push lines).
round() {
	local r=$1 idx dns doms dr got n
	shift
	VT_SERVER_EXTRA=$(printf 'push "%s"\n' "dhcp-option DNS $VT_TUN_SRV_IP" \
		"dhcp-option DOMAIN vpn.example" "dhcp-option DOMAIN-ROUTE corp.example" "$@")
	vt_server_stop
	if ! vt_server_conf || ! vt_server_start; then
		vt_fail "[$r] server up"
		return 1
	fi
	: >"$VT_DIR/vpn.q"
	vt_srv python3 "$VT_DIR/responder.py" "$VT_TUN_SRV_IP" "$VPN_ANSWER" "$VT_DIR/vpn.q" \
		>"$VT_DIR/vpn.out" 2>&1 &
	local vpn_pid=$!
	wait_responder "$VT_TUN_SRV_IP" || { vt_fail "[$r] VPN resolver up"; return 1; }
	if [ "$r" = full ]; then
		# Another link with DNS of its own and the default route for names, as a
		# network manager configures a Wi-Fi link (SetLinkDNS, SetLinkDefaultRoute).
		vt_check "[$r] the veth gets its own resolver and default-route yes" \
			cli sh -c "timeout 5 resolvectl dns $VT_CLI_VETH $LINK_DNS_IP &&
				timeout 5 resolvectl default-route $VT_CLI_VETH yes"
		link_uses_own "[$r] before vpnc"
	fi
	VT_CLIENT_CMD=(nsenter -t "$VT_HOLDER" -m -n "$vpnc")
	VT_CLIENT_ARGS="--dns-mode resolved --control-socket $VT_DIR/ctl.sock${ROUND_ARGS:+ $ROUND_ARGS}"
	vt_client_start
	if ! vt_check "[$r] connected" vt_wait_tun_ipv4 20; then
		vt_dump_logs
		vt_client_stop 5
		kill "$vpn_pid" 2>/dev/null
		return 1
	fi
	for _ in $(seq 30); do grep -q "DNS: .* set through resolved" "$VT_DIR/client.log" && break; sleep 0.1; done
	vt_check "[$r] vpnc set DNS through resolved" grep -q "DNS: 1 server(s), 2 domain(s) set through resolved" \
		"$VT_DIR/client.log"
	# `vpnc status` names the backend used and what the tunnel takes.
	local want="resolved, split (only the tunnel's domains go to the VPN)" st
	[ "$r" = full ] && want="resolved, full tunnel (every name goes to the VPN)"
	st=$("${VT_CLIENT_CMD[@]}" status --control-socket "$VT_DIR/ctl.sock" 2>&1 | sed -n 's/^dns mode: *//p')
	vt_check "[$r] vpnc status: dns mode: $st" [ "$st" = "$want" ]
	idx=$(cat "/proc/$VT_HOLDER/root/sys/class/net/$VT_CLI_TUN/ifindex" 2>/dev/null ||
		ip -n "$VT_CLI_NS" -o link show dev "$VT_CLI_TUN" | cut -d: -f1)
	dns=$(link_field dns)
	doms=$(link_field domain)
	dr=$(link_field default-route)
	vt_log "  [$r] resolved, link $VT_CLI_TUN ($idx): dns '$dns', domains '$doms', default-route '$dr'"
	vt_check "[$r] resolved holds the pushed server" [ "$dns" = "$VT_TUN_SRV_IP" ]
	cli timeout 5 resolvectl flush-caches >/dev/null 2>&1
	: >"$VT_DIR/lan.q"
	: >"$VT_DIR/link.q"
	got=$(lookup "host.vpn.example")
	vt_check "[$r] host.vpn.example resolved through the tunnel ($got)" [ "$got" = "$VPN_ANSWER" ]
	got=$(lookup "db.corp.example")
	vt_check "[$r] db.corp.example (DOMAIN-ROUTE) resolved through the tunnel ($got)" [ "$got" = "$VPN_ANSWER" ]
	vt_check "[$r] the LAN resolver saw no VPN name" sh -c "! grep -q -e vpn.example -e corp.example '$VT_DIR/lan.q'"
	got=$(lookup "www.$r.test")
	if [ "$r" = privdrop ]; then
		# After the drop vpnc is nobody with CAP_NET_ADMIN; resolved must still take its calls.
		kill -USR1 "$VT_CLI_PID"
		for _ in $(seq 100); do
			[ "$(grep -c 'DNS: .* set through resolved' "$VT_DIR/client.log")" -ge 2 ] && break
			sleep 0.1
		done
		vt_check "[$r] after SIGUSR1, as nobody, DNS set through resolved again" \
			[ "$(grep -c 'DNS: 1 server(s), 2 domain(s) set through resolved' "$VT_DIR/client.log")" -ge 2 ]
		vt_check "[$r] vpnc runs as nobody" sh -c "[ \"\$(stat -c %U /proc/$VT_CLI_PID)\" = nobody ]"
		dns=$(link_field dns)
		vt_check "[$r] resolved holds the pushed server ($dns)" [ "$dns" = "$VT_TUN_SRV_IP" ]
	elif [ "$r" = split ]; then
		vt_check "[$r] domains: vpn.example searched, corp.example routing only" [ "$doms" = "vpn.example ~corp.example" ]
		vt_check "[$r] not the default route for names" [ "$dr" = no ]
		vt_check "[$r] other names still go to the LAN resolver ($got)" [ "$got" = "$LAN_ANSWER" ]
	else
		vt_check "[$r] domains: ~. added" [ "$doms" = "vpn.example ~corp.example ~." ]
		vt_check "[$r] the default route for names" [ "$dr" = yes ]
		vt_check "[$r] other names go through the tunnel ($got)" [ "$got" = "$VPN_ANSWER" ]
		n=$(wc -l <"$VT_DIR/lan.q")
		vt_log "  [$r] DNS questions the LAN resolver saw while connected: $n (leaks)"
		vt_check "[$r] no DNS leak: the LAN resolver saw nothing" [ "$n" -eq 0 ]
		n=$(wc -l <"$VT_DIR/link.q")
		vt_log "  [$r] DNS questions the veth's own resolver (default-route yes) saw while connected: $n (leaks)"
		vt_check "[$r] no DNS leak: the other link's resolver saw nothing" [ "$n" -eq 0 ]
	fi
	local before
	before=$(grep -c 'member=RevertLink' "$VT_DIR/resolved.log")
	vt_client_stop 5
	vt_check "[$r] vpnc exits 0 on SIGTERM" [ "$VT_CLI_RC" = 0 ]
	vt_check "[$r] RevertLink($idx) reached resolved" \
		sh -c "[ \$(grep -c 'member=RevertLink' '$VT_DIR/resolved.log') -gt $before ]"
	vt_check "[$r] vpnc: DNS settings restored (RevertLink answered)" grep -q "DNS settings restored" "$VT_DIR/client.log"
	vt_check "[$r] no error about DNS in vpnc's log" sh -c "! grep -q 'Cannot .*DNS' '$VT_DIR/client.log'"
	vt_check "[$r] resolved no longer holds the link's settings" \
		sh -c "! nsenter -t $VT_HOLDER -m -n timeout 5 resolvectl dns $idx 2>/dev/null | grep -q '$VT_TUN_SRV_IP'"
	if [ "$r" = full ]; then
		link_uses_own "[$r] after vpnc"
		cli timeout 5 resolvectl revert "$VT_CLI_VETH" >/dev/null 2>&1
	fi
	kill "$vpn_pid" 2>/dev/null
	wait "$vpn_pid" 2>/dev/null
	return 0
}

vpnc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
round split
round full "redirect-gateway def1"
# The one process that drops to nobody after connecting ('privsep no'); the other rounds run
# split (the default), where the root parent sets DNS.
ROUND_ARGS="--privsep no --user nobody --group nogroup" round privdrop
vt_check "resolved still runs" resolved_up
vt_summary $name
