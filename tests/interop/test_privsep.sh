#!/bin/bash
# test_privsep.sh: privilege separation, on by default (docs/privileges.md),
# against a stock OpenVPN 2.6 server.
#
# Usage: test_privsep.sh <client-binary>
#
# Checks, once connected with the default configuration (no 'privsep', no
# 'user'):
#   - the network process (the child of the vpnc started, and the owner of
#     the UDP socket): uid not 0 (vpnc-client, else nobody/nogroup with one
#     log line saying so), no groups, CapEff = CapPrm = CapBnd = 0,
#     NoNewPrivs 1, Seccomp 2, a root that is not the host's;
#   - the privileged parent: uid 0 with CAP_NET_ADMIN and CAP_KILL only
#     (CapEff = CapPrm = CapBnd = 0x1020);
#   - ping and iperf3 through the tunnel; SIGUSR1 and SIGHUP to the parent
#     reach the network process: a new session each, traffic again;
#   - `vpnc status` through the control socket the jailed process serves;
#   - SIGTERM: exit code 0, nothing left in the namespace, the control
#     socket removed (by the parent), no seccomp kill;
#   - a second run with 'user nobody': SIGKILL to the network process makes
#     the parent revert everything and exit 1 with one sentence;
#   - SIGKILL to the parent: the network process ends too (no orphan);
#   - --dns-mode file (in a private mount namespace): the parent writes the
#     pushed server, and restores resolv.conf byte for byte when the network
#     process is killed;
#   - 'kill-switch': the parent installs the rules (the network process
#     holds no capability), traffic flows, SIGTERM removes them;
#   - before the first packet: the remote is a port where nothing answers; while
#     vpnc is still sending its first packets (counted in the server namespace),
#     the network process already has uid not 0, every capability set 0,
#     NoNewPrivs 1, Seccomp 2 and a root that is not the host's;
#   - 'privsep no': one process, as before privilege separation;
#   - started as nobody on a persistent TUN device it owns: split too, the
#     network process with uid nobody, no capability, Seccomp 2; the parent
#     runs the up script; ping; 'user root' refused at start.
# Needs root. Prints PASS/FAIL per check; last line is the summary.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_privsep
vt_start $name "${1:-}"
if vt_client_is_stock; then
	vt_log "$name: privilege separation is vpnc's; nothing to test with stock openvpn"
	vt_summary $name
	exit 0
fi
if ! getent passwd nobody >/dev/null || ! getent group nogroup >/dev/null; then
	vt_fail "prerequisites: user nobody and group nogroup exist"
	vt_summary $name
	exit 1
fi
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"
# The default user of the network process, else the fallback (src/priv/privjail.h).
if getent passwd vpnc-client >/dev/null; then
	want_uid=$(id -u vpnc-client)
	want_gid=$(id -g vpnc-client)
	fallback=0
else
	want_uid=$(id -u nobody)
	want_gid=$(getent group nogroup | cut -d: -f3)
	fallback=1
fi
DNS4=10.200.0.53
# Pushed to every run; only the dns-mode file run below applies it.
VT_SERVER_EXTRA="push \"dhcp-option DNS $DNS4\""
vt_up $name

# field PID KEY: the value of KEY: in /proc/PID/status, tabs as blanks.
field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null | tr '\t' ' ' | sed 's/ *$//'
}
# expect PID WHO KEY WANT
expect() {
	local got
	got=$(field "$1" "$3")
	if [ "$got" = "$4" ]; then
		vt_pass "$2: $3 is '$4'"
	else
		vt_fail "$2: $3 is '$got', want '$4'"
	fi
}
# network_pid: the network process, the only child of the vpnc started.
network_pid() {
	pgrep -P "$VT_CLI_PID" 2>/dev/null | head -n 1
}
# owns_udp PID: PID holds the client's UDP socket to the server.
owns_udp() {
	vt_cli ss -unpH 2>/dev/null | grep -q "pid=$1,"
}
# other_root PID: PID's root directory is not this host's.
other_root() {
	[ "$(stat -L -c %d:%i "/proc/$1/root/" 2>/dev/null)" != "$(stat -c %d:%i /)" ]
}

sock=$VT_DIR/ctl.sock
# The default configuration: nothing about privsep or a user.
VT_CLIENT_ARGS="--control-socket $sock"
vt_client_start
if ! vt_wait_tun_ipv4 15; then
	vt_fail "client connected within 15 s"
	vt_dump_logs
	vt_summary $name
	exit 1
fi
vt_pass "connected in $VT_CONNECT_MS ms"
VT_CLI_TUN=$(vt_tun_dev)
net=$(network_pid)
if [ -z "$net" ]; then
	vt_fail "the vpnc started has a child, the network process"
	vt_dump_logs
	vt_summary $name
	exit 1
fi
vt_check "the network process ($net) owns the UDP socket" owns_udp "$net"
vt_check "the parent owns no UDP socket" bash -c "! ip netns exec $VT_CLI_NS ss -unpH | grep -q 'pid=$VT_CLI_PID,'"
vt_check "network: uid is not 0" test "$(field "$net" Uid | cut -d' ' -f1)" != 0
expect "$net" network Uid "$want_uid $want_uid $want_uid $want_uid"
expect "$net" network Gid "$want_gid $want_gid $want_gid $want_gid"
expect "$net" network Groups ""
for k in CapEff CapPrm CapBnd CapInh CapAmb; do
	expect "$net" network $k 0000000000000000
done
expect "$net" network NoNewPrivs 1
if [ "$fallback" = 1 ]; then
	vt_check "no vpnc-client: one log line names the fallback to nobody:nogroup" grep -q \
		"there is no user 'vpnc-client', so the network process runs as nobody:nogroup" "$VT_DIR/client.log"
fi
expect "$net" network Seccomp 2
vt_check "network: its root is not the host's" other_root "$net"
expect "$VT_CLI_PID" parent Uid "0 0 0 0"
for k in CapEff CapPrm CapBnd; do
	expect "$VT_CLI_PID" parent $k 0000000000001020
done
expect "$VT_CLI_PID" parent CapAmb 0000000000000000

vt_check "vpnc status through the jailed process's control socket" \
	bash -c "'${VT_CLIENT_CMD[0]}' status --control-socket '$sock' | grep -q connected"
vt_check "ping IPv4 $VT_TUN_SRV_IP" vt_ping "$VT_TUN_SRV_IP"
vt_check "ping IPv6 $VT_TUN_SRV_IP6" vt_ping "$VT_TUN_SRV_IP6"
vt_check "pushed routes in place" vt_pushed_routes
if vt_iperf_start; then
	if up=$(vt_iperf) && down=$(vt_iperf -R); then
		vt_pass "iperf3 through the tunnel: $up Mbit/s up, $down Mbit/s down"
	else
		vt_fail "iperf3 through the tunnel, both ways"
	fi
	vt_iperf_stop
else
	vt_fail "iperf3 server started"
fi

for sig in USR1 HUP; do
	peers=$(vt_server_peers)
	kill -$sig "$VT_CLI_PID" 2>/dev/null
	if vt_wait_server_peers $((peers + 1)) 10 && vt_wait_ping "$VT_TUN_SRV_IP" 10; then
		vt_pass "SIG$sig to the parent: a new session, traffic after $VT_PING_MS ms"
	else
		vt_fail "SIG$sig to the parent: a new session and traffic within 10 s"
	fi
	vt_check "SIG$sig: the same network process" test "$(network_pid)" = "$net"
	VT_CLI_TUN=$(vt_tun_dev)
	vt_check "SIG$sig: pushed routes in place" vt_pushed_routes
done

if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
	vt_pass "SIGTERM, exit code 0 in $VT_CLI_STOP_MS ms"
else
	vt_fail "SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
fi
vt_check "client namespace clean (tun device, addresses, routes)" vt_ns_clean
vt_check "the parent removed the control socket" test ! -e "$sock"
vt_check "no seccomp kill in the log" bash -c "! grep -q 'seccomp' '$VT_DIR/client.log'"
cp "$VT_DIR/client.log" "$VT_DIR/client-run1.log"

# Second run (the profile's user): the network process is killed; the parent reverts and says so.
VT_CLIENT_ARGS="--user nobody --group nogroup"
vt_client_start
if vt_wait_tun_ipv4 15; then
	VT_CLI_TUN=$(vt_tun_dev)
	net=$(network_pid)
	kill -KILL "$net" 2>/dev/null
	if vt_client_wait_exit 5 && [ "$VT_CLI_RC" = 1 ]; then
		vt_pass "SIGKILL to the network process: the parent exits 1"
	else
		vt_fail "SIGKILL to the network process: the parent exits 1 within 5 s (rc ${VT_CLI_RC:-running})"
		vt_client_stop 2
	fi
	vt_check "... with one sentence" grep -q "The network process died of signal 9; the network settings were reverted." "$VT_DIR/client.log"
	vt_check "... and nothing left in the namespace" vt_ns_clean
else
	vt_fail "second run connected within 15 s"
	vt_client_stop 2
fi

# SIGKILL to the parent: the network process must not live on as an orphan
# (PR_SET_PDEATHSIG), so the TUN device goes with it.
vt_client_start
if vt_wait_tun_ipv4 15; then
	net=$(network_pid)
	kill -KILL "$VT_CLI_PID" 2>/dev/null
	wait "$VT_CLI_PID" 2>/dev/null
	VT_CLI_PID=""
	gone() {
		local i
		for i in $(seq 1 50); do vt_pid_alive "$net" || return 0; sleep 0.1; done
		return 1
	}
	vt_check "SIGKILL to the parent: the network process ends within 5 s" gone
	vt_check "... and the TUN device is gone" test -z "$(vt_tun_dev)"
else
	vt_fail "parent-kill run connected within 15 s"
	vt_client_stop 2
fi

# Third run: DNS (--dns-mode file) in a private mount namespace with test
# files over /etc/resolv.conf and /run, as test_scripts.sh does. The parent
# writes it, and restores it byte for byte when the network process is killed.
orig="# test original
nameserver 192.0.2.53"
real_client=("${VT_CLIENT_CMD[@]}")
vt_client_private_files "$orig" "${real_client[@]}"
VT_CLIENT_ARGS="--dns-mode file"
dns_written() {
	local i
	for i in $(seq 1 30); do grep -q "^nameserver $DNS4" "$VT_DIR/resolv.conf" && return 0; sleep 0.1; done
	return 1
}
vt_client_start
if vt_wait_tun_ipv4 15 && vt_check "dns file: the parent wrote the pushed server into resolv.conf" dns_written; then
	VT_CLI_TUN=$(vt_tun_dev)
	kill -USR1 "$VT_CLI_PID" 2>/dev/null
	sleep 1
	vt_check "dns file: still there after SIGUSR1" dns_written
	kill -KILL "$(network_pid)" 2>/dev/null
	if vt_client_wait_exit 5 && [ "$VT_CLI_RC" = 1 ]; then
		vt_pass "dns file: SIGKILL to the network process, the parent exits 1"
	else
		vt_fail "dns file: SIGKILL to the network process, the parent exits 1 within 5 s"
		vt_client_stop 2
	fi
	vt_check "dns file: resolv.conf restored byte for byte" cmp -s "$VT_DIR/resolv.conf" "$VT_DIR/resolv.orig"
	vt_check "dns file: saved copy and state file removed" eval '[ -z "$(ls -A "$VT_DIR/run/vpnc" 2>/dev/null)" ]'
	vt_check "dns file: nothing left in the namespace" vt_ns_clean
else
	vt_fail "dns file: connected within 15 s"
	vt_client_stop 2
fi
cp "$VT_DIR/client.log" "$VT_DIR/client-dns.log"
VT_CLIENT_CMD=("${real_client[@]}")

# kill-switch: the parent owns the rules; the network process still holds nothing.
has_table() { vt_cli nft list tables 2>/dev/null | grep -q '^table inet vpnc$'; }
VT_CLIENT_ARGS="--kill-switch"
vt_client_start
if vt_wait_tun_ipv4 15; then
	VT_CLI_TUN=$(vt_tun_dev)
	net=$(network_pid)
	vt_check "kill switch: the rules are in place" has_table
	vt_check "kill switch: they allow the tunnel ($VT_CLI_TUN)" \
		grep -q "\"$VT_CLI_TUN\"" <<<"$(vt_cli nft list table inet vpnc 2>/dev/null)"
	expect "$net" "kill switch: network" CapEff 0000000000000000
	expect "$net" "kill switch: network" Seccomp 2
	vt_check "kill switch: ping IPv4 $VT_TUN_SRV_IP" vt_ping "$VT_TUN_SRV_IP"
	if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "kill switch: SIGTERM, exit code 0"
	else
		vt_fail "kill switch: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
	fi
	vt_check "kill switch: the parent removed the rules" bash -c "! ip netns exec $VT_CLI_NS nft list tables 2>/dev/null | grep -q '^table inet vpnc\$'"
	vt_check "kill switch: no seccomp kill in the log" bash -c "! grep -q 'seccomp' '$VT_DIR/client.log'"
else
	vt_fail "kill switch: connected within 15 s"
	vt_client_stop 2
fi
vt_cli nft delete table inet vpnc 2>/dev/null

# Before the first packet: the remote is a port where nothing answers (the server namespace
# counts and drops what arrives there, so not even an ICMP error comes back). While vpnc is
# still sending its first packets, the network process is already jailed: no peer byte
# has arrived, so nothing a server sent can have happened before the jail.
silent_port=$((VT_PORT + 7))
vt_srv nft -f - <<EOF
table inet vt_silent {
	counter seen { }
	chain in { type filter hook input priority -10; udp dport $silent_port counter name seen drop; }
}
EOF
silent_seen() {
	local n
	n=$(vt_srv nft list counter inet vt_silent seen 2>/dev/null | sed -n 's/.*packets \([0-9]*\).*/\1/p')
	[ "${n:-0}" -gt 0 ]
}
VT_CLIENT_CONF=silent.ovpn
VT_CLIENT_REMOTES="remote $VT_SRV_IP $silent_port udp"
vt_client_conf
VT_CLIENT_REMOTES=""
VT_CLIENT_ARGS=""
vt_client_start
net=""
for i in $(seq 100); do
	net=$(network_pid)
	[ -n "$net" ] && owns_udp "$net" && silent_seen && break
	vt_pid_alive "$VT_CLI_PID" || break
	sleep 0.1
done
if vt_check "first packets: the network process (${net:-none}) sends to a port where nothing answers" \
	eval '[ -n "$net" ] && owns_udp "$net" && silent_seen'; then
	vt_check "first packets: not connected (nothing answered)" \
		bash -c "! grep -q 'Initialization Sequence Completed' '$VT_DIR/client.log'"
	vt_check "first packets: network: uid is not 0" test "$(field "$net" Uid | cut -d' ' -f1)" != 0
	expect "$net" "first packets: network" Uid "$want_uid $want_uid $want_uid $want_uid"
	for k in CapEff CapPrm CapBnd CapInh CapAmb; do
		expect "$net" "first packets: network" $k 0000000000000000
	done
	expect "$net" "first packets: network" NoNewPrivs 1
	expect "$net" "first packets: network" Seccomp 2
	vt_check "first packets: network: its root is not the host's" other_root "$net"
	vt_check "first packets: the same network process, still connecting" \
		eval '[ "$(network_pid)" = "$net" ] && ! grep -q "Initialization Sequence Completed" "$VT_DIR/client.log"'
else
	vt_dump_logs
fi
if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
	vt_pass "first packets: SIGTERM while connecting, exit code 0"
else
	vt_fail "first packets: SIGTERM while connecting, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
fi
vt_check "first packets: no seccomp kill in the log" bash -c "! grep -q 'seccomp' '$VT_DIR/client.log'"
vt_srv nft delete table inet vt_silent 2>/dev/null
VT_CLIENT_CONF=client.ovpn

# 'privsep no': one process, as before; it keeps root until the drop a 'user' asks for.
VT_CLIENT_ARGS="--privsep no"
vt_client_start
if vt_wait_tun_ipv4 15; then
	vt_check "privsep no: no network process" test -z "$(network_pid)"
	vt_check "privsep no: the vpnc started owns the UDP socket" owns_udp "$VT_CLI_PID"
	expect "$VT_CLI_PID" "privsep no: vpnc" Uid "0 0 0 0"
	vt_client_stop 5
else
	vt_fail "privsep no: connected within 15 s"
	vt_client_stop 2
fi
# Started without privileges (docs/privileges.md, "Started without privileges"), as the
# NetworkManager plugin runs vpnc: nobody, on a persistent TUN device it owns. It splits all the same: the network process keeps the uid, holds no capability
# and runs under the seccomp filter; the parent runs the up script, which the filter would not
# let the network process start. The test sets the address the script reports (no
# CAP_NET_ADMIN: --ifconfig-noexec) and pings through the tunnel.
unpriv=$(mktemp -d /tmp/vpnct-unpriv.XXXXXX)
ng=$(getent group nogroup | cut -d: -f3)
chmod 755 "$unpriv"
install -d -m 0700 -o 65534 "$unpriv/out"
printf '#!/bin/sh\necho "$dev $ifconfig_local $ifconfig_netmask" >%s/out/up\n' "$unpriv" >"$unpriv/up.sh"
chmod 755 "$unpriv/up.sh"
install -m 0600 -o 65534 "$VT_DIR/$VT_CLIENT_CONF" "$unpriv/client.ovpn"
vt_cli ip tuntap add dev vtunpriv0 mode tun user 65534 group "$ng"
unpriv_args=(--config "$unpriv/client.ovpn" --dev vtunpriv0 --dev-type tun --ifconfig-noexec --route-noexec
	--dns-mode none --script-security 2 --up "$unpriv/up.sh")
ip netns exec "$VT_CLI_NS" setpriv --reuid=65534 --regid="$ng" --clear-groups --inh-caps=-all \
	"${VT_CLIENT_CMD[@]}" "${unpriv_args[@]}" >"$VT_DIR/unpriv.log" 2>&1 &
upid=$!
for i in $(seq 150); do
	grep -q "Initialization Sequence Completed" "$VT_DIR/unpriv.log" 2>/dev/null && break
	vt_pid_alive "$upid" || break
	sleep 0.1
done
if vt_check "unprivileged: nobody on its own TUN device connects" \
	grep -q "Initialization Sequence Completed" "$VT_DIR/unpriv.log"; then
	net=$(pgrep -P "$upid" -x vpnc | head -n 1)
	vt_check "unprivileged: the vpnc started has a child, the network process (${net:-none})" test -n "$net"
	vt_check "unprivileged: the network process owns the UDP socket" owns_udp "${net:-none}"
	expect "$net" "unprivileged network" Uid "65534 65534 65534 65534"
	for k in CapEff CapPrm CapInh CapAmb; do
		expect "$net" "unprivileged network" $k 0000000000000000
	done
	expect "$net" "unprivileged network" NoNewPrivs 1
	expect "$net" "unprivileged network" Seccomp 2
	expect "$upid" "unprivileged parent" Uid "65534 65534 65534 65534"
	expect "$upid" "unprivileged parent" CapEff 0000000000000000
	read -r udev ulocal umask <"$unpriv/out/up" 2>/dev/null
	vt_check "unprivileged: the parent ran the up script (dev ${udev:-none}, $ulocal/$umask)" \
		test "${udev:-}" = vtunpriv0
	vt_cli ip addr add "$ulocal/$umask" dev vtunpriv0 2>/dev/null
	vt_cli ip link set vtunpriv0 up
	vt_check "unprivileged: ping $VT_TUN_SRV_IP through the tunnel" \
		vt_ping "$VT_TUN_SRV_IP"
	kill -TERM "$upid"
	vt_check "unprivileged: SIGTERM ends both processes" \
		bash -c 'for i in $(seq 100); do kill -0 "$1" 2>/dev/null || exit 0; sleep 0.1; done; exit 1' _ "$upid"
	vt_check "unprivileged: no seccomp kill" bash -c '! grep -q "seccomp: syscall" "$1"' _ "$VT_DIR/unpriv.log"
fi
kill -KILL "$upid" 2>/dev/null
wait "$upid" 2>/dev/null
# A 'user' it cannot become is refused at start, with why.
out=$(timeout 20 ip netns exec "$VT_CLI_NS" setpriv --reuid=65534 --regid="$ng" --clear-groups \
	"${VT_CLIENT_CMD[@]}" "${unpriv_args[@]}" --user root 2>&1)
rc=$?
vt_check "unprivileged with 'user root': exit status 2 ($rc) and why (${out##*$'\n'})" \
	bash -c '[ "$1" = 2 ] && [[ $2 == *"cannot switch to '"'"'user'"'"'/'"'"'group'"'"' root"* ]]' _ "$rc" "$out"
vt_cli ip link del vtunpriv0 2>/dev/null
rm -rf "$unpriv"

[ "$VT_FAILED" -gt 0 ] && vt_dump_logs
vt_summary $name
