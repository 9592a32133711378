#!/bin/bash
# test_networkmanager.sh: vpnc under a real NetworkManager through the
# vpnc_ovpn VPN service plugin (contrib/networkmanager, docs/networkmanager.md).
#
# Usage: test_networkmanager.sh <vpnc-binary>     (vpnc only; needs root)
#        VPNC_NM_SERVICE_BIN=path overrides the plugin binary (default: next
#        to vpnc, contrib/networkmanager/nm-vpnc-ovpn-service in the build dir).
#
# A stock OpenVPN 2.6 server runs in one namespace. In the client namespace,
# inside a private mount namespace (so the host's /run/dbus, /run/NetworkManager,
# /var/lib/NetworkManager and plugin directory are never touched), a private
# system bus and NetworkManager run with the plugin's .name file and D-Bus
# policy from temporary locations. The test adds a connection with
# `nmcli connection add type vpn vpn-type ... vpn.data config=...` and a saved
# password (the server checks it), brings it up, pings through it, checks the
# addresses, routes (no default route: the server pushes no redirect-gateway),
# DNS v4/v6 and domain that NetworkManager applied, that the password is in
# neither vpnc's argv nor its environment, that a reconnect (SIGUSR1) re-sends
# the configuration, brings it down, and checks that vpnc exited and the tun
# device and the secret files are gone. Then again with a pushed
# `redirect-gateway def1`: now NetworkManager routes the default through the
# tunnel. Then a wrong password: the activation fails and nothing is left.
# Then a `dev tap` profile against a second stock server with `dev tap`: the
# plugin makes a TAP device (vpnc-nmtapN) owned by nm-vpnc-ovpn, vpnc runs
# with --dev-type tap, NetworkManager puts the pushed address on the TAP and
# routes the pushed route through the pushed route-gateway; pings through
# both, then down: vpnc gone, no device left.
#
# The secrets through `nmcli --ask` on a pseudo terminal (docs/networkmanager.md,
# "Secrets and the auth-dialog", "Questions during the connection"): failure
# reasons, import and export (the README's nmcli lines, run as written), the
# kill switch, a static challenge's code, a dynamic challenge (CRV1, from the
# stock server's auth script), an encrypted key's passphrase (declared at
# import, and "save password": a saved secret is not asked, a not-saved one at
# each connect and never stored; undeclared, relayed from vpnc's start-up
# question) and a PKCS#11 token's PIN (SoftHSM2 through p11-kit's proxy,
# relayed from vpnc's start-up question). Before NetworkManager starts, the
# auth-dialog's external-UI protocol is driven directly for each secret kind
# and hint.
#
# Last, the safety model (docs/networkmanager.md): an unprivileged user
# created for the test (removed at the end) owns connections
# (connection.permissions user:NAME). Its own profile, naming certificate and
# key files in a directory only it can read, connects and passes a ping, with
# vpnc running as nm-vpnc-ovpn with no capability. Profiles that add one of
# 'route-up SCRIPT', 'log ROOT-OWNED-FILE', 'auth-user-pass /etc/shadow',
# 'config ROOT-ONLY-FILE', 'control-socket PATH', each added and activated
# with the owner's own nmcli, each fail to activate with the reason in the
# plugin's log line, and nothing of them takes effect (no
# marker file, the root-owned file unchanged, nothing of /etc/shadow in any
# log, no socket). A system-wide connection (read as root) with route-up and
# a connection shared by two users are refused too.
# Skipped (exit 0, "SKIP") when NetworkManager, nmcli, dbus-daemon, python3 or
# the plugin are missing, except in CI (VPNC_CI=1, lib.sh's vt_skip_or_fail):
# there that fails.
# The last line is the summary.
# shellcheck disable=SC2119,SC2016,SC2317,SC1003
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_networkmanager
VT_NM_USER=nmuser
# The system user vpnc runs as under NetworkManager (contrib/networkmanager/nm-vpnc-ovpn.sysusers).
VT_NM_SYSUSER=nm-vpnc-ovpn
VT_NM_PASSWORD=${VT_NM_PASSWORD:-nm-Secret-$$-pw}
# The one-time code of the static-challenge round (and of the dynamic challenge round).
VT_NM_OTP=${VT_NM_OTP:-$((100000 + $$ % 900000))}
# The dynamic challenge round: the user its CRV1 challenge names, its state and question.
VT_NM_CRV1_USER=nmuser@token
VT_NM_CRV1_STATE=st-$$
VT_NM_CRV1_TEXT="Enter the token code:"
NM_SERVICE=org.freedesktop.NetworkManager.vpnc_ovpn

# ---------------------------------------------------------------------------
# Inner part: runs in the client netns, in a private mount namespace.
# ---------------------------------------------------------------------------
nm_pid=""
bus_pid=""
# nm_vpnc [PGREP-ARGS]: the vpnc processes the plugin started in this test's network namespace
# (other tests on the host may run NetworkManager's vpnc as the same user: never touch theirs).
nm_vpnc() { pgrep --ns $$ --nslist net -u "$VT_NM_SYSUSER" -f "$@" -- "--untrusted-config"; }
no_vpnc() { ! nm_vpnc >/dev/null; }
# no_tun: no TUN device in this namespace within 5 s (the plugin deletes it once it has seen vpnc exit).
no_tun() {
	local i
	for i in $(seq 50); do
		[ -z "$(ip -o link show type tun 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	return 1
}
# quiet CMD...: runs CMD with its output in the nmcli log.
quiet() { "$@" >>"$VT_DIR/nm/nmcli.log" 2>&1; }
# has TEXT PART / lacks TEXT PART: whether TEXT holds PART (no pipe: pipefail-safe).
has() { [[ $1 == *"$2"* ]]; }
lacks() { [[ $1 != *"$2"* ]]; }
# vt_wait_ping_quiet ADDR: one ping a time, for up to 15 s, until one is answered.
vt_wait_ping_quiet() {
	local i
	for i in $(seq 15); do ping -c 1 -W 1 "$1" && return 0; done
	return 1
}
# The address the server hands out after its restart (ccd ifconfig-push).
VT_NM_MOVED_IP=10.200.0.77
# ask_up PROMPT ANSWER [PROMPT ANSWER]... -- NMCLI-ARGS...: runs nmcli --ask on a pseudo
# terminal and types each ANSWER once its PROMPT shows (the auth-dialog's questions, asked by
# nmcli's agent); a PROMPT !TEXT means TEXT must not be asked (its ANSWER is not used). Returns
# nmcli's status, 3 if a PROMPT never showed, 4 if a forbidden one did (nmcli is then killed);
# its screen goes to the nmcli log.
ask_up() {
	python3 - "$@" >>"$VT_DIR/nm/nmcli.log" 2>&1 <<-'EOF'
	import os, pty, select, signal, sys, time
	sep = sys.argv.index("--")
	pairs, argv = sys.argv[1:sep], sys.argv[sep + 1:]
	want = [(pairs[i].encode(), pairs[i + 1].encode()) for i in range(0, len(pairs), 2)]
	pid, fd = pty.fork()
	if pid == 0:
	    os.execvp(argv[0], argv)
	buf, sent, bad, end = b"", set(), None, time.time() + 90
	while time.time() < end and bad is None:
	    r, _, _ = select.select([fd], [], [], 0.5)
	    if not r:
	        continue
	    try:
	        d = os.read(fd, 4096)
	    except OSError:
	        break
	    if not d:
	        break
	    buf += d
	    for i, (p, a) in enumerate(want):
	        if p.startswith(b"!") and p[1:] in buf:
	            bad = p[1:]
	        elif i not in sent and not p.startswith(b"!") and p in buf:
	            os.write(fd, a + b"\n")
	            sent.add(i)
	if bad is not None:
	    os.kill(pid, signal.SIGTERM)
	_, st = os.waitpid(pid, 0)
	need = sum(1 for p, _ in want if not p.startswith(b"!"))
	sys.stdout.write(buf.decode(errors="replace") + "\n[asked: %d of %d%s]\n" %
	                 (len(sent), need, "" if bad is None else "; asked for " + bad.decode()))
	sys.exit(4 if bad is not None else 3 if len(sent) < need else os.waitstatus_to_exitcode(st))
	EOF
}
inner() {
	local d=$VT_DIR/nm con=vt-vpnc i n pid dev out round

	inner_cleanup() {
		[ -n "$nm_pid" ] && vt_kill_wait "$nm_pid" 5
		[ -n "$bus_pid" ] && vt_kill_wait "$bus_pid" 2
	}
	trap inner_cleanup EXIT

	# Private copies of everything NetworkManager and the bus would write.
	mount -t tmpfs -o mode=0755 tmpfs /run/dbus || return 1
	mkdir -p /run/NetworkManager /var/lib/NetworkManager || return 1
	mount -t tmpfs -o mode=0755 tmpfs /run/NetworkManager || return 1
	mount -t tmpfs -o mode=0755 tmpfs /var/lib/NetworkManager || return 1
	mkdir -p /run/vpnc || return 1
	mount -t tmpfs -o mode=0700 tmpfs /run/vpnc || return 1
	mount --bind "$d/vpn" /usr/lib/NetworkManager/VPN || return 1
	# NetworkManager waits for udev unless /sys is read-only: its platform layer uses
	# udev only when /sys is writable (src/libnm-platform/nm-linux-platform.c).
	mount -o remount,ro /sys || return 1

	# The PIN round's token: NetworkManager, the plugin and vpnc inherit where it is.
	[ -n "$VT_NM_P11DIR" ] && export SOFTHSM2_CONF=$VT_NM_P11DIR/softhsm2.conf
	dbus-daemon --config-file="$d/bus.conf" --nofork --print-address=1 >"$d/bus.addr" 2>"$d/bus.log" &
	bus_pid=$!
	for i in $(seq 50); do [ -S /run/dbus/system_bus_socket ] && break; sleep 0.1; done
	NetworkManager --no-daemon --debug --config="$d/NM.conf" --config-dir="$d/conf.d" \
		--system-config-dir="$d/conf.d" --intern-config="$d/intern.conf" \
		--state-file="$d/nm.state" >"$d/nm.log" 2>&1 &
	nm_pid=$!
	for i in $(seq 100); do
		nmcli -t -f RUNNING general 2>/dev/null | grep -q running && break
		sleep 0.1
	done
	vt_check "NetworkManager runs on the private system bus" \
		sh -c 'nmcli -t -f RUNNING general | grep -q running' || return 1

	# A managed base connection on the veth with a default route: NetworkManager starts a VPN
	# over the device of the primary (default-route) connection.
	nmcli connection add type ethernet con-name vt-base ifname "$VT_CLI_VETH" \
		ipv4.method manual ipv4.addresses "$VT_CLI_IP/24" ipv4.gateway "$VT_SRV_IP" \
		ipv6.method manual ipv6.addresses "$VT_CLI_IP6/64" ipv6.gateway "$VT_SRV_IP6" >"$d/nmcli.log" 2>&1
	vt_check "base connection up" quiet timeout 30 nmcli connection up vt-base || return 1

	# The password is a saved secret (flags 0), so NetworkManager hands it to the plugin.
	vt_check "nmcli connection add type vpn vpn-type $NM_SERVICE" \
		quiet nmcli connection add type vpn con-name "$con" vpn-type "$NM_SERVICE" \
		vpn.data "config=$VT_DIR/client.ovpn, username=$VT_NM_USER, password-flags=0" \
		vpn.secrets "password=$VT_NM_PASSWORD" || return 1

	for round in plain def1; do
		vt_log "-- round $round"
		if [ "$round" = def1 ]; then
			# The server now pushes redirect-gateway def1 (see the outer part).
			cp "$VT_DIR/ccd-def1" "$VT_DIR/ccd/client" || return 1
		fi
		if ! vt_check "[$round] nmcli connection up" quiet timeout 60 nmcli connection up "$con"; then
			tail -n 30 "$d/nmcli.log" "$d/nm.log"
			return 1
		fi
		dev=$(ip -o link show type tun | awk -F': ' '{print $2; exit}')
		pid=$(nm_vpnc -n)
		vt_check "[$round] vpnc runs as $VT_NM_SYSUSER (pid ${pid:-none}, device ${dev:-none})" [ -n "$pid" ]
		vt_check "[$round] vpnc's uids are not 0 and it has no capability (CapEff and CapPrm 0)" \
			bash -c 'grep -q "^Uid:[[:space:]]*$2[[:space:]]*$2[[:space:]]*$2[[:space:]]*$2\$" /proc/$1/status &&
				grep -q "^CapEff:[[:space:]]*0*\$" /proc/$1/status && grep -q "^CapPrm:[[:space:]]*0*\$" /proc/$1/status' \
			_ "$pid" "$(id -u "$VT_NM_SYSUSER")"
		# The plugin lifts RLIMIT_MEMLOCK for vpnc, which needs CAP_SYS_RESOURCE (bit 24), which
		# some containers do not give even to root.
		if [ $(( 0x$(awk '/^CapEff:/ {print $2}' /proc/self/status) >> 24 & 1 )) = 1 ]; then
			vt_check "[$round] vpnc locked its memory (VmLck > 0: the plugin lifts RLIMIT_MEMLOCK)" \
				bash -c '[ "$(awk "/^VmLck:/ {print \$2}" /proc/$1/status)" -gt 0 ]' _ "$pid"
		else
			vt_log "[$round] not checked: memory locking (no CAP_SYS_RESOURCE here to lift RLIMIT_MEMLOCK)"
		fi
		# The kernel shows the private /proc entries (fd/) of a non-dumpable process as root's.
		vt_check "[$round] vpnc is not dumpable (another vpnc of the same user cannot ptrace it)" \
			bash -c '[ "$(stat -c %u /proc/$1/fd)" = 0 ]' _ "$pid"
		vt_check "[$round] the profile reached vpnc as /dev/fd/3 (--untrusted-config)" \
			bash -c 'tr "\0" " " </proc/$1/cmdline | grep -q -- "--config /dev/fd/3 --untrusted-config"' _ "$pid"
		vt_check "[$round] the password is in neither vpnc's argv nor its environment" \
			bash -c '! tr "\0" "\n" </proc/$1/cmdline | grep -qF "$2" && ! tr "\0" "\n" </proc/$1/environ | grep -qF "$2"' \
			_ "$pid" "$VT_NM_PASSWORD"
		# The password reaches vpnc as an inherited memfd, which the plugin empties once connected.
		vt_check "[$round] vpnc got the password as /dev/fd/4 (no file), emptied once connected" \
			bash -c 'tr "\0" " " </proc/$1/cmdline | grep -q -- "--auth-user-pass /dev/fd/4" &&
				[ "$(readlink /proc/$1/fd/4)" = "/memfd:vpnc-secret (deleted)" ] &&
				[ "$(stat -L -c %s /proc/$1/fd/4)" = 0 ]' _ "$pid"
		vt_check "[$round] the inherited profile and secret fds are close-on-exec (scripts never get them)" \
			bash -c 'for f in 3 4; do
				fl=$(awk "/^flags:/ {print \$2}" /proc/$1/fdinfo/$f) || exit 1
				[ $(( 0$fl & 02000000 )) != 0 ] || exit 1
			done' _ "$pid"
		vt_check "[$round] no secret file anywhere" \
			bash -c '! ls /run/nm-vpnc-ovpn-* /tmp/nm-vpnc-ovpn-* >/dev/null 2>&1'
		if [ "$round" = plain ] && command -v busctl >/dev/null && command -v setpriv >/dev/null; then
			# The plugin's D-Bus policy: only root may talk to it (another user could fake a config).
			out=$(busctl --system list --no-legend 2>/dev/null | awk -v s="$NM_SERVICE" 'index($1, s) == 1 {print $1; exit}')
			vt_check "[$round] the plugin owns $out" [ -n "$out" ]
			vt_check "[$round] another user may not call the plugin (access denied)" \
				bash -c 'setpriv --reuid=65534 --regid=65534 --clear-groups busctl --system call "$1" \
					/org/freedesktop/NetworkManager/VPN/Plugin org.freedesktop.NetworkManager.VPN.Plugin \
					SetFailure s test 2>&1 | grep -qi "denied"' _ "$out"
			# vpnc's user may report a configuration, nothing else (here: not SetFailure, not Disconnect).
			vt_check "[$round] $VT_NM_SYSUSER may not call SetFailure or Disconnect (access denied)" \
				bash -c 'for m in SetFailure:s:test Disconnect; do
					IFS=: read -r meth sig arg <<<"$m"
					setpriv --reuid="$2" --regid="$2" --clear-groups busctl --system call "$1" \
						/org/freedesktop/NetworkManager/VPN/Plugin org.freedesktop.NetworkManager.VPN.Plugin \
						$meth $sig $arg 2>&1 | grep -qi "denied" || exit 1
				done' _ "$out" "$VT_NM_SYSUSER"
		fi
		vt_check "[$round] ping $VT_TUN_SRV_IP through the tunnel" quiet ping -c 2 -W 2 -i 0.3 "$VT_TUN_SRV_IP"
		vt_check "[$round] ping $VT_TUN_SRV_IP6 through the tunnel" quiet ping -6 -c 2 -W 2 -i 0.3 "$VT_TUN_SRV_IP6"
		out=$(ip -4 addr show 2>/dev/null)
		vt_check "[$round] NetworkManager set a 10.200.0.x/24 address" grep -q 'inet 10\.200\.0\.[0-9]*/24' <<<"$out"
		out=$(ip -6 addr show 2>/dev/null)
		vt_check "[$round] NetworkManager set an fd00:200:: address" grep -q 'inet6 fd00:200::[0-9a-f:]*/64' <<<"$out"
		out=$(ip -4 route show table all 2>/dev/null)
		vt_check "[$round] pushed route $VT_PUSH_ROUTE applied" grep -q "^${VT_PUSH_ROUTE} .*dev vpnc-nm" <<<"$out"
		out=$(ip -6 route show table all 2>/dev/null)
		vt_check "[$round] pushed route $VT_PUSH_ROUTE6 applied" grep -q "^${VT_PUSH_ROUTE6} .*dev vpnc-nm" <<<"$out"
		out=$(ip -4 route show table all 2>/dev/null | grep '^default')
		if [ "$round" = plain ]; then
			vt_check "[$round] no default route through the tunnel (never-default)" \
				bash -c '! grep -q "dev vpnc-nm" <<<"$1"' _ "$out"
		else
			vt_check "[$round] default route through the tunnel (redirect-gateway)" \
				grep -q 'dev vpnc-nm' <<<"$out"
		fi
		out=$(nmcli -g IP4.DNS,IP6.DNS,IP4.DOMAIN connection show "$con" 2>/dev/null | tr '\n' ' ' | tr -d '\\')
		vt_check "[$round] DNS 10.200.0.53 applied ($out)" grep -q '10\.200\.0\.53' <<<"$out"
		vt_check "[$round] DNS fd00:200::53 applied" grep -q 'fd00:200::53' <<<"$out"
		vt_check "[$round] domain vpnc-test.example applied" grep -q 'vpnc-test\.example' <<<"$out"
		vt_log "tunnel device: $dev"
		if [ "$round" = plain ] && [ -n "$pid" ]; then
			# A reconnect (SIGUSR1, as on a lost connection) runs the up helper again
			# (--up-restart); NetworkManager must get the configuration again.
			n=$(grep -c 'config: reply received' "$d/nm.log")
			kill -USR1 "$pid"
			for i in $(seq 150); do
				[ "$(grep -c 'config: reply received' "$d/nm.log")" -gt "$n" ] && break
				sleep 0.1
			done
			vt_check "[$round] configuration re-sent to NetworkManager after a reconnect" \
				[ "$(grep -c 'config: reply received' "$d/nm.log")" -gt "$n" ]
			vt_check "[$round] ping $VT_TUN_SRV_IP after the reconnect" quiet ping -c 2 -W 2 -i 0.3 "$VT_TUN_SRV_IP"
			vt_check "[$round] pushed route $VT_PUSH_ROUTE still there" \
				bash -c 'ip -4 route show table all | grep -q "^$1 .*dev vpnc-nm"' _ "$VT_PUSH_ROUTE"
			vt_check "[$round] connection still active" \
				bash -c 'nmcli -g GENERAL.STATE connection show "$1" | grep -q activated' _ "$con"
			# The server restarts (SIGHUP: it forgets every client, with explicit-exit-notify it
			# tells them) and hands out another address: NetworkManager must get and apply it.
			printf 'ifconfig-push %s 255.255.255.0\n' "$VT_NM_MOVED_IP" >"$VT_DIR/ccd/client"
			kill -HUP "$(cat "$VT_DIR/server.pid")"
			for i in $(seq 300); do
				ip -4 addr show dev "$dev" 2>/dev/null | grep -q "inet $VT_NM_MOVED_IP/" && break
				sleep 0.1
			done
			vt_check "[$round] after a server restart NetworkManager has the new address $VT_NM_MOVED_IP" \
				bash -c 'ip -4 addr show dev "$1" | grep -q "inet $2/24"' _ "$dev" "$VT_NM_MOVED_IP"
			vt_check "[$round] the old address is gone" \
				bash -c '[ "$(ip -4 addr show dev "$1" | grep -c "inet ")" = 1 ]' _ "$dev"
			vt_check "[$round] ping $VT_TUN_SRV_IP after the server restart" \
				quiet vt_wait_ping_quiet "$VT_TUN_SRV_IP"
			vt_check "[$round] connection still active after the server restart" \
				bash -c 'nmcli -g GENERAL.STATE connection show "$1" | grep -q activated' _ "$con"
			: >"$VT_DIR/ccd/client"
		fi

		vt_check "[$round] nmcli connection down" quiet timeout 30 nmcli connection down "$con"
		for i in $(seq 100); do
			if [ -z "$pid" ] || ! vt_pid_alive "$pid"; then break; fi
			sleep 0.1
		done
		vt_check "[$round] vpnc exited after down" sh -c '! [ -n "$1" ] || ! [ -r "/proc/$1/stat" ]' _ "$pid"
		vt_check "[$round] no tun device left" no_tun
		vt_check "[$round] no secret directory left" sh -c '! ls -d /run/nm-vpnc-ovpn-* /tmp/nm-vpnc-ovpn-* 2>/dev/null | grep -q .'
	done

	# A wrong password: the server answers AUTH_FAILED, vpnc exits 1, the activation fails.
	vt_log "-- round badpw"
	quiet nmcli connection modify "$con" vpn.secrets "password=wrong-$VT_NM_PASSWORD"
	out=$(timeout 60 nmcli connection up "$con" 2>&1)
	vt_check "[badpw] nmcli connection up fails: ${out%%$'\n'*}" [ $? != 0 ]
	# login-failed, NetworkManager's reason LOGIN_FAILED, which nmcli prints as "Invalid secrets".
	vt_check "[badpw] NetworkManager's reason is login-failed (Invalid secrets)" \
		has "$out" "Connection activation failed: Invalid secrets"
	for i in $(seq 150); do nm_vpnc >/dev/null || break; sleep 0.1; done
	vt_check "[badpw] no vpnc left" no_vpnc
	vt_check "[badpw] no tun device left" no_tun
	vt_check "[badpw] no secret directory left" sh -c '! ls -d /run/nm-vpnc-ovpn-* /tmp/nm-vpnc-ovpn-* 2>/dev/null | grep -q .'
	vt_check "[badpw] the plugin reports login-failed (AUTH_FAILED, exit status 4)" \
		grep -qF "connection failed (login-failed): the server refused the login: AUTH_FAILED (exit status 4)" "$d/nm.log"
	quiet nmcli connection modify "$con" vpn.secrets "password=$VT_NM_PASSWORD"
	tap_round && failures && import_round && ks_round && otp_round && crv1_round && keypass_round && pin_round
}

# A `dev tap` profile (docs/networkmanager.md): the second stock server (the outer part) runs
# `dev tap` with `server 10.210.0.0 255.255.255.0`, so it pushes `ifconfig IP NETMASK` and
# `route-gateway 10.210.0.1`; its pushed route 10.201.0.0/24 has no gateway of its own.
tap_round() {
	local d=$VT_DIR/nm con=vt-tap dev pid out i
	vt_log "-- round tap"
	vt_check "[tap] nmcli connection add (dev tap profile)" \
		quiet nmcli connection add type vpn con-name "$con" vpn-type "$NM_SERVICE" \
		vpn.data "config=$VT_DIR/client-tap.ovpn, username=$VT_NM_USER, password-flags=0" \
		vpn.secrets "password=$VT_NM_PASSWORD" || return 1
	if ! vt_check "[tap] nmcli connection up" quiet timeout 60 nmcli connection up "$con"; then
		tail -n 30 "$d/nmcli.log" "$d/nm.log"
		return 1
	fi
	dev=$(ip -o link show 2>/dev/null | awk -F': ' '$2 ~ /^vpnc-nmtap[0-9]+$/ {print $2; exit}')
	pid=$(nm_vpnc -n)
	vt_check "[tap] the plugin made a TAP device (${dev:-none})" \
		bash -c 'ip -d link show dev "$1" | grep -q "tun type tap"' _ "${dev:-none}"
	out=$(ip -d link show dev "${dev:-none}" 2>/dev/null)
	vt_check "[tap] the TAP is persistent and owned by $VT_NM_SYSUSER" \
		bash -c '[[ $1 == *"persist on"* ]] && [[ $1 =~ user\ ($2|$3)([^0-9a-z-]|$) ]]' _ "$out" "$VT_NM_SYSUSER" \
		"$(id -u "$VT_NM_SYSUSER")"
	vt_check "[tap] vpnc (pid ${pid:-none}) runs with --dev ${dev:-none} --dev-type tap and no capability" \
		bash -c 'tr "\0" " " </proc/$1/cmdline | grep -q -- "--dev $2 --dev-type tap" &&
			grep -q "^CapEff:[[:space:]]*0*\$" /proc/$1/status' _ "${pid:-0}" "${dev:-none}"
	out=$(ip -4 addr show dev "${dev:-none}" 2>/dev/null)
	vt_check "[tap] NetworkManager put the pushed 10.210.0.x/24 on the TAP" grep -q 'inet 10\.210\.0\.[0-9]*/24' <<<"$out"
	vt_check "[tap] the connection is activated" \
		bash -c 'nmcli -g GENERAL.STATE connection show "$1" | grep -q activated' _ "$con"
	vt_check "[tap] ping 10.210.0.1 (the server's TAP) through the tunnel" quiet vt_wait_ping_quiet 10.210.0.1
	vt_check "[tap] ARP through the tunnel: 10.210.0.1 is a neighbour on the TAP" \
		bash -c 'ip neigh show dev "$1" | grep -q "^10\.210\.0\.1 lladdr"' _ "${dev:-none}"
	out=$(ip -4 route show table all 2>/dev/null)
	vt_check "[tap] pushed route $VT_PUSH_ROUTE through route-gateway 10.210.0.1 on the TAP" \
		grep -q "^${VT_PUSH_ROUTE} via 10\.210\.0\.1 dev ${dev:-none}" <<<"$out"
	# Bound to the TAP: without the route the packet would reach the server by the base connection.
	vt_check "[tap] ping 10.201.0.1 through the pushed route" quiet ping -I "${dev:-none}" -c 2 -W 2 -i 0.3 10.201.0.1
	vt_check "[tap] nmcli connection down" quiet timeout 30 nmcli connection down "$con"
	for i in $(seq 100); do
		if [ -z "$pid" ] || ! vt_pid_alive "$pid"; then break; fi
		sleep 0.1
	done
	vt_check "[tap] vpnc exited after down" sh -c '! [ -n "$1" ] || ! [ -r "/proc/$1/stat" ]' _ "$pid"
	vt_check "[tap] no TAP device left" no_tun
	quiet nmcli connection delete "$con"
	return 0
}

# A question vpnc asks during the connection (docs/networkmanager.md, "Questions during the
# connection"): a static challenge's one-time code, relayed by the plugin as SecretsRequired,
# asked by nmcli's agent through the auth-dialog, answered on vpnc's control socket.
otp_round() {
	local d=$VT_DIR/nm con=vt-otp out i
	vt_log "-- round one-time code (static-challenge)"
	{ cat "$VT_DIR/client.ovpn"; printf 'static-challenge "Enter the code" 1\n'; } >"$d/otp.ovpn"
	quiet nmcli connection add type vpn con-name "$con" vpn-type "$NM_SERVICE" \
		vpn.data "config=$d/otp.ovpn, username=$VT_NM_USER, password-flags=0" \
		vpn.secrets "password=$VT_NM_PASSWORD"
	out=$(env VPNC_OVPN_VPNC="$VT_NM_VPNC" nmcli connection import type vpnc_ovpn file "$d/otp.ovpn" 2>&1 &&
		nmcli -g vpn.data connection show otp 2>&1)
	vt_check "[otp] import of a static-challenge profile: the code is never saved (challenge-flags = 2)" \
		has "$out" "challenge-flags = 2"
	quiet nmcli connection delete otp
	: >"$VT_DIR/verify.log"
	vt_check "[otp] nmcli --ask connection up: nmcli shows vpnc's question, the typed code connects" \
		ask_up "Enter the code" "$VT_NM_OTP" -- nmcli --ask connection up "$con"
	vt_check "[otp] the plugin relayed vpnc's question as the secret challenge" \
		grep -qF 'vpnc asks "CHALLENGE: Enter the code" (challenge): asking NetworkManager for the secret challenge' "$d/nm.log"
	vt_check "[otp] and answered it on vpnc's control socket" grep -qF "with the secret challenge" "$d/nm.log"
	vt_check "[otp] the server got password and code as SCRV1" grep -q "^accepted scrv1" "$VT_DIR/verify.log"
	vt_check "[otp] ping $VT_TUN_SRV_IP through the tunnel" quiet vt_wait_ping_quiet "$VT_TUN_SRV_IP"
	vt_check "[otp] vpnc's control socket is in its own directory (mode 0700, vpnc's user)" \
		bash -c 'ls -d /run/vpnc-nm/vpnc-nm*/ >/dev/null && [ "$(stat -c "%a %U" /run/vpnc-nm/vpnc-nm*/)" = "700 $1" ]' _ "$VT_NM_SYSUSER"
	vt_check "[otp] nmcli connection down" quiet timeout 30 nmcli connection down "$con"
	for i in $(seq 100); do ls -d /run/vpnc-nm/vpnc-nm* >/dev/null 2>&1 || break; sleep 0.1; done
	vt_check "[otp] the control socket's directory is gone" bash -c '! ls -d /run/vpnc-nm/vpnc-nm* >/dev/null 2>&1'
	# Without an agent nothing can answer: NetworkManager's timeout ends the attempt.
	quiet nmcli connection modify "$con" vpn.timeout 10
	vt_check "[otp] without an agent the activation fails" bash -c '! timeout 60 nmcli connection up "$1" >>"$2" 2>&1' \
		_ "$con" "$d/nmcli.log"
	vt_check "[otp] the plugin relayed the question again" \
		[ "$(grep -cF 'vpnc asks "CHALLENGE: Enter the code" (challenge)' "$d/nm.log")" -ge 2 ]
	vt_check "[otp] NetworkManager found no agent to answer it" \
		grep -qF "secrets: failed to request VPN secrets #" "$d/nm.log"
	# No password up front (password-flags=4): vpnc asks the username (answered from vpn.data)
	# and then the password, which is relayed like the code.
	quiet nmcli connection modify "$con" vpn.data \
		"config=$VT_DIR/client.ovpn, username=$VT_NM_USER, password-flags=4" vpn.secrets "" vpn.timeout 0
	vt_check "[asked] nmcli --ask connection up: vpnc's own password question, typed into nmcli" \
		ask_up "Password" "$VT_NM_PASSWORD" -- nmcli --ask connection up "$con"
	vt_check "[asked] the plugin answered vpnc's username question from vpn.data" \
		grep -qF "answered vpnc's username question from vpn.data" "$d/nm.log"
	vt_check "[asked] and relayed its password question" \
		grep -qF "(password): asking NetworkManager for the secret password" "$d/nm.log"
	vt_check "[asked] ping $VT_TUN_SRV_IP through the tunnel" quiet vt_wait_ping_quiet "$VT_TUN_SRV_IP"
	quiet timeout 30 nmcli connection down "$con"
	for i in $(seq 150); do nm_vpnc >/dev/null || break; sleep 0.1; done
	vt_check "[asked] vpnc exited after down" no_vpnc
	quiet nmcli connection delete "$con"
	return 0
}

# A dynamic challenge (CRV1; docs/networkmanager.md, "Questions during the connection"): the
# saved password crv1-PASSWORD makes the server's script answer AUTH_FAILED with a CRV1
# challenge; vpnc asks it on its control socket, the plugin relays it, nmcli --ask shows it, and
# vpnc sends the typed code as CRV1::STATE::CODE under the challenge's user name.
crv1_round() {
	local d=$VT_DIR/nm con=vt-crv1 out n i
	vt_log "-- round dynamic challenge (CRV1)"
	quiet nmcli connection add type vpn con-name "$con" vpn-type "$NM_SERVICE" \
		vpn.data "config=$VT_DIR/client.ovpn, username=$VT_NM_USER, password-flags=0, challenge-flags=2" \
		vpn.secrets "password=crv1-$VT_NM_PASSWORD"
	: >"$VT_DIR/verify.log"
	n=$(grep -cF "vpnc asks \"CHALLENGE: $VT_NM_CRV1_TEXT\" (challenge)" "$d/nm.log")
	vt_check "[crv1] nmcli --ask connection up: nmcli shows the server's challenge, the typed code connects" \
		ask_up "$VT_NM_CRV1_TEXT" "$VT_NM_OTP" -- nmcli --ask connection up "$con"
	vt_check "[crv1] the plugin relayed vpnc's question as the secret challenge" \
		grep -qF "vpnc asks \"CHALLENGE: $VT_NM_CRV1_TEXT\" (challenge): asking NetworkManager for the secret challenge" "$d/nm.log"
	vt_check "[crv1] and answered it on vpnc's control socket" grep -qF "with the secret challenge" "$d/nm.log"
	out=$(tr '\n' ' ' <"$VT_DIR/verify.log")
	vt_check "[crv1] the server sent the challenge, then took CRV1::STATE::CODE from $VT_NM_CRV1_USER ($out)" \
		[ "$out" = "crv1 challenge accepted crv1 " ]
	vt_check "[crv1] ping $VT_TUN_SRV_IP through the tunnel" quiet vt_wait_ping_quiet "$VT_TUN_SRV_IP"
	vt_check "[crv1] nmcli connection down" quiet timeout 30 nmcli connection down "$con"
	for i in $(seq 150); do nm_vpnc >/dev/null || break; sleep 0.1; done
	vt_check "[crv1] vpnc exited after down" no_vpnc
	# A challenge is never saved: the next connect asks again.
	: >"$VT_DIR/verify.log"
	vt_check "[crv1] up again: the challenge is asked again" \
		ask_up "$VT_NM_CRV1_TEXT" "$VT_NM_OTP" -- nmcli --ask connection up "$con"
	vt_check "[crv1] the relay asked NetworkManager twice in all" \
		[ "$(grep -cF "vpnc asks \"CHALLENGE: $VT_NM_CRV1_TEXT\" (challenge)" "$d/nm.log")" -ge $((n + 2)) ]
	vt_check "[crv1] the code is in no log" bash -c '! grep -rqF -- "CRV1::$1::$2" "$3"' _ "$VT_NM_CRV1_STATE" "$VT_NM_OTP" "$d"
	quiet timeout 30 nmcli connection down "$con"
	for i in $(seq 150); do nm_vpnc >/dev/null || break; sleep 0.1; done
	quiet nmcli connection delete "$con"
	return 0
}

# A PKCS#11 token's PIN (docs/networkmanager.md, "Questions during the connection"): vpnc needs it
# before its loop runs and offers it on its control socket for that time; the plugin relays it,
# nmcli --ask asks it, and vpnc signs with the token (SoftHSM2, through p11-kit's proxy, as
# nm-vpnc-ovpn). The PIN is not stored (pin-flags=2: no agent offers to), and the next connect
# asks again.
pin_round() {
	local d=$VT_DIR/nm con=vt-pin f i n
	vt_log "-- round PKCS#11 PIN"
	if [ -z "$VT_NM_P11DIR" ]; then
		vt_skip_or_fail "[pin] softhsm2 or opensc (pkcs11-tool) is not installed"
		return 0
	fi
	quiet nmcli connection add type vpn con-name "$con" vpn-type "$NM_SERVICE" \
		vpn.data "config=$d/pin.ovpn, username=$VT_NM_USER, password-flags=0, pin-flags=2" \
		vpn.secrets "password=$VT_NM_PASSWORD"
	for i in 1 2; do
		if ! vt_check "[pin] connect $i: nmcli --ask asks the token's PIN (not the saved password), the typed PIN connects" \
			ask_up "(vpn.secrets.pin)" "$VT_NM_PIN" "!(vpn.secrets.password)" x -- nmcli --ask connection up "$con"; then
			tail -n 30 "$d/nm.log"
			break
		fi
		vt_check "[pin] connect $i: ping $VT_TUN_SRV_IP through the tunnel (signed by the token)" \
			quiet vt_wait_ping_quiet "$VT_TUN_SRV_IP"
		quiet timeout 30 nmcli connection down "$con"
		for n in $(seq 150); do nm_vpnc >/dev/null || break; sleep 0.1; done
	done
	vt_check "[pin] the plugin relayed vpnc's PIN question as the secret pin, twice" \
		[ "$(grep -c "(pin): asking NetworkManager for the secret pin" "$d/nm.log")" -ge 2 ]
	vt_check "[pin] and answered it on vpnc's control socket" grep -qF "with the secret pin" "$d/nm.log"
	f=$(grep -rlx "id=$con" "$d/conn")
	vt_check "[pin] the typed PIN is not in the connection's file" \
		bash -c '[ -n "$2" ] && ! grep -qF -- "$1" "$2"' _ "$VT_NM_PIN" "$f"
	vt_check "[pin] vpnc exited after down" no_vpnc
	quiet nmcli connection delete "$con"
	return 0
}

# The private key's passphrase (docs/networkmanager.md, "Secrets and the auth-dialog"): the
# import of a profile with an encrypted key declares cert-pass (cert-pass-flags=1); nmcli --ask
# asks it with the password, and vpnc gets it as --askpass /dev/fd/5. Then "save password":
# a saved password is not asked, a passphrase that is not saved (flags 2) is asked at each
# connect, and a saved one (flags 0) is not asked. Not declared at all (flags 4), vpnc asks it
# at start on its control socket and the plugin relays it.
keypass_round() {
	local d=$VT_DIR/nm con=enckey out pid kp="key-$VT_NM_PASSWORD" f i n
	local ppw="(vpn.secrets.password)" pkp="(vpn.secrets.cert-pass)"
	vt_log "-- round key passphrase"
	out=$(env VPNC_OVPN_VPNC="$VT_NM_VPNC" nmcli connection import type vpnc_ovpn file "$d/enckey.ovpn" 2>&1 &&
		nmcli -g vpn.data connection show "$con" 2>&1)
	vt_check "[keypass] import of a profile with an encrypted key: cert-pass-flags = 1, password-flags = 1" \
		bash -c '[[ $1 == *"cert-pass-flags = 1"* && $1 == *"password-flags = 1"* ]]' _ "$out"
	quiet nmcli connection modify "$con" +vpn.data "username=$VT_NM_USER"
	vt_check "[keypass] nmcli --ask connection up: asks password and key passphrase, both typed connect" \
		ask_up "$ppw" "$VT_NM_PASSWORD" "$pkp" "$kp" -- nmcli --ask connection up "$con"
	pid=$(nm_vpnc -n)
	vt_check "[keypass] vpnc (pid ${pid:-none}) got the passphrase as --askpass /dev/fd/5, in neither argv nor environment" \
		bash -c 'tr "\0" " " </proc/$1/cmdline | grep -q -- "--askpass /dev/fd/5" &&
			! tr "\0" "\n" </proc/$1/cmdline | grep -qF "$2" && ! tr "\0" "\n" </proc/$1/environ | grep -qF "$2"' \
		_ "${pid:-0}" "$kp"
	vt_check "[keypass] ping $VT_TUN_SRV_IP through the tunnel" quiet vt_wait_ping_quiet "$VT_TUN_SRV_IP"
	quiet timeout 30 nmcli connection down "$con"
	for i in $(seq 150); do nm_vpnc >/dev/null || break; sleep 0.1; done
	f=$(grep -rlx "id=$con" "$d/conn")
	vt_check "[keypass] agent-owned (flags 1): neither typed secret is in the connection's file" \
		bash -c '[ -n "$3" ] && ! grep -qF -- "$1" "$3" && ! grep -qF -- "$2" "$3"' _ "$VT_NM_PASSWORD" "$kp" "$f"

	# The password saved (flags 0), the passphrase "ask every time" (flags 2).
	quiet nmcli connection modify "$con" vpn.data \
		"config=$d/enckey.ovpn, username=$VT_NM_USER, password-flags=0, cert-pass-flags=2" \
		vpn.secrets "password=$VT_NM_PASSWORD"
	for i in 1 2; do
		vt_check "[keypass] not saved (cert-pass-flags=2), connect $i: the passphrase is asked, the saved password is not" \
			ask_up "$pkp" "$kp" "!$ppw" x -- nmcli --ask connection up "$con"
		vt_check "[keypass] connect $i: ping $VT_TUN_SRV_IP" quiet vt_wait_ping_quiet "$VT_TUN_SRV_IP"
		quiet timeout 30 nmcli connection down "$con"
		for n in $(seq 150); do nm_vpnc >/dev/null || break; sleep 0.1; done
	done
	vt_check "[keypass] the passphrase that is not saved is not in the connection's file" \
		bash -c '[ -n "$2" ] && ! grep -qF -- "$1" "$2"' _ "$kp" "$f"
	# Both saved (flags 0): nothing is asked.
	quiet nmcli connection modify "$con" vpn.data \
		"config=$d/enckey.ovpn, username=$VT_NM_USER, password-flags=0, cert-pass-flags=0" \
		vpn.secrets "password=$VT_NM_PASSWORD, cert-pass=$kp"
	vt_check "[keypass] both saved (flags 0): nmcli --ask asks nothing and connects" \
		ask_up "!$pkp" x "!$ppw" x -- nmcli --ask connection up "$con"
	vt_check "[keypass] saved: ping $VT_TUN_SRV_IP" quiet vt_wait_ping_quiet "$VT_TUN_SRV_IP"
	quiet timeout 30 nmcli connection down "$con"
	for i in $(seq 150); do nm_vpnc >/dev/null || break; sleep 0.1; done
	# Not declared up front (cert-pass-flags=4): vpnc asks at start, on its control socket,
	# and the plugin relays the question as cert-pass.
	quiet nmcli connection modify "$con" vpn.data \
		"config=$d/enckey.ovpn, username=$VT_NM_USER, password-flags=0, cert-pass-flags=4" \
		vpn.secrets "password=$VT_NM_PASSWORD"
	vt_check "[keypass] not declared (flags 4): vpnc's own question at start, relayed, typed into nmcli --ask" \
		ask_up "$pkp" "$kp" -- nmcli --ask connection up "$con"
	vt_check "[keypass] the plugin relayed vpnc's key-passphrase question" \
		grep -qF '"Enter Private Key Password:" (key-passphrase): asking NetworkManager for the secret cert-pass' "$d/nm.log"
	vt_check "[keypass] relayed: ping $VT_TUN_SRV_IP" quiet vt_wait_ping_quiet "$VT_TUN_SRV_IP"
	quiet timeout 30 nmcli connection down "$con"
	for i in $(seq 150); do nm_vpnc >/dev/null || break; sleep 0.1; done
	vt_check "[keypass] vpnc exited after down" no_vpnc
	quiet nmcli connection delete "$con"
	return 0
}

# The kill switch key (docs/networkmanager.md, "Kill switch"): the plugin installs the rules, vpnc
# stays without capabilities; a clean down removes them, a vpnc killed with SIGKILL leaves them.
ks_round() {
	local d=$VT_DIR/nm con=vt-ks uuid pid out i
	vt_log "-- round kill switch"
	if ! command -v nft >/dev/null; then
		vt_skip_or_fail "[ks] nft (to inspect the rules; nftables) is not installed"
		return 0
	fi
	quiet nmcli connection add type vpn con-name "$con" vpn-type "$NM_SERVICE" \
		vpn.data "config=$VT_DIR/client.ovpn, username=$VT_NM_USER, password-flags=0, kill-switch=yes" \
		vpn.secrets "password=$VT_NM_PASSWORD"
	uuid=$(nmcli -g connection.uuid connection show "$con")
	vt_check "[ks] the server answers a ping outside the tunnel before" quiet ping -c 1 -W 2 "$VT_SRV_IP"
	if ! vt_check "[ks] nmcli connection up (kill-switch=yes)" quiet timeout 60 nmcli connection up "$con"; then
		tail -n 20 "$d/nm.log"
		return 1
	fi
	out=$(nft list chain inet vpnc "out_nm_2d${uuid//-/_2d}" 2>&1)
	vt_check "[ks] the connection's rules are installed (instance nm-$uuid)" \
		bash -c '[[ $1 == *"oifname \"vpnc-nm"* && $1 == *"ip daddr $2 udp dport $3 accept"* ]]' _ "$out" "$VT_SRV_IP" "$VT_PORT"
	pid=$(nm_vpnc -n)
	vt_check "[ks] vpnc still has no capability (CapEff 0)" \
		bash -c 'grep -q "^CapEff:[[:space:]]*0*\$" /proc/$1/status' _ "$pid"
	vt_check "[ks] ping $VT_TUN_SRV_IP through the tunnel" quiet vt_wait_ping_quiet "$VT_TUN_SRV_IP"
	vt_check "[ks] a ping to the server outside the tunnel is dropped" bash -c '! ping -c 1 -W 1 "$1" >/dev/null 2>&1' _ "$VT_SRV_IP"
	vt_check "[ks] nmcli connection down" quiet timeout 30 nmcli connection down "$con"
	# NetworkManager reports the connection down before the plugin has stopped vpnc.
	for i in $(seq 100); do nft list table inet vpnc >/dev/null 2>&1 || break; sleep 0.1; done
	vt_check "[ks] a clean down removes the rules" bash -c '! nft list table inet vpnc >/dev/null 2>&1'
	# ... and logs it after that (NetworkManager's log may lag behind under load).
	for i in $(seq 50); do grep -qF "kill switch off (instance nm-$uuid)" "$d/nm.log" && break; sleep 0.1; done
	vt_check "[ks] the plugin logged it" grep -qF "kill switch off (instance nm-$uuid)" "$d/nm.log"
	vt_check "[ks] the server answers outside the tunnel again" quiet ping -c 1 -W 2 "$VT_SRV_IP"
	# vpnc killed: NetworkManager fails the connection, the rules stay (fail-closed).
	vt_check "[ks] nmcli connection up again" quiet timeout 60 nmcli connection up "$con"
	pid=$(nm_vpnc -n)
	[ -n "$pid" ] && kill -KILL "$pid"
	for i in $(seq 100); do
		nmcli -g GENERAL.STATE connection show "$con" 2>/dev/null | grep -q activ || break
		sleep 0.1
	done
	vt_check "[ks] vpnc killed: the connection is down" \
		bash -c '! nmcli -g GENERAL.STATE connection show "$1" 2>/dev/null | grep -q activ' _ "$con"
	vt_check "[ks] after SIGKILL the rules stay" nft list chain inet vpnc "out_nm_2d${uuid//-/_2d}"
	vt_check "[ks] after SIGKILL nothing passes outside the tunnel" bash -c '! ping -c 1 -W 1 "$1" >/dev/null 2>&1' _ "$VT_SRV_IP"
	vt_check "[ks] the plugin's log says how to remove them" \
		grep -qF "the kill switch stays on after the failure: bring the connection up and down again, or run 'vpnc kill-switch off --instance nm-$uuid' as root" "$d/nm.log"
	vt_check "[ks] vpnc kill-switch off --instance nm-$uuid" quiet "$VT_NM_VPNC" kill-switch off --instance "nm-$uuid"
	vt_check "[ks] the server answers outside the tunnel once the admin removed them" quiet ping -c 1 -W 2 "$VT_SRV_IP"
	quiet nmcli connection modify "$con" vpn.data "config=$VT_DIR/client.ovpn, username=$VT_NM_USER, password-flags=0, kill-switch=maybe"
	out=$(timeout 60 nmcli connection up "$con" 2>&1)
	vt_check "[ks] kill-switch=maybe is refused" grep -qF "vpn.data kill-switch and kill-switch-allow-lan take yes or no" "$d/nm.log"
	vt_check "[ks] no rules from the refused connection" bash -c '! nft list table inet vpnc >/dev/null 2>&1'
	quiet nmcli connection delete "$con"
	return 0
}

# reason_round NAME PROFILE EXPECT REASON [TIMEOUT]: a connection on PROFILE fails, the plugin logs
# EXPECT, and nmcli reports NetworkManager's state reason REASON (its text), never "Invalid
# secrets" (login-failed).
reason_round() {
	local con=vt-$1 prof=$2 expect=$3 reason=$4 d=$VT_DIR/nm out i
	quiet nmcli connection add type vpn con-name "$con" vpn-type "$NM_SERVICE" \
		vpn.data "config=$prof, username=$VT_NM_USER, password-flags=0" \
		vpn.secrets "password=$VT_NM_PASSWORD" ${5:+vpn.timeout "$5"}
	out=$(timeout 90 nmcli connection up "$con" 2>&1)
	vt_check "[$1] nmcli connection up fails: ${out%%$'\n'*}" [ $? != 0 ]
	vt_check "[$1] the plugin says why: $expect" grep -qF -- "$expect" "$d/nm.log"
	vt_check "[$1] NetworkManager's reason: $reason" has "$out" "Connection activation failed: $reason"
	vt_check "[$1] not login-failed (Invalid secrets)" lacks "$out" "Invalid secrets"
	# The plugin gives vpnc 10 s after SIGTERM (slow under a sanitizer), then kills it.
	for i in $(seq 150); do nm_vpnc >/dev/null || break; sleep 0.1; done
	vt_check "[$1] no vpnc left" no_vpnc
	vt_check "[$1] no tun device left" no_tun
	quiet nmcli connection delete "$con"
}

# Failures other than a refused login (docs/networkmanager.md, "Failure reasons").
failures() {
	local d=$VT_DIR/nm
	vt_log "-- round failure reasons"
	# A CA that did not sign the server's certificate: vpnc exits 3.
	awk '/^<ca>$/ {skip = 1} !skip {print} /^<\/ca>$/ {skip = 0}' "$VT_DIR/client.ovpn" >"$d/badcert.ovpn" || return 1
	printf '<ca>\n%s\n</ca>\n' "$(cat "$d/other-ca.crt")" >>"$d/badcert.ovpn"
	reason_round badcert "$d/badcert.ovpn" \
		"connection failed (connect-failed): the server's certificate failed verification (exit status 3)" \
		"Unknown reason"
	# A CA block that holds no certificate passes the owner's read but not vpnc's load: exit 2.
	awk '/^<ca>$/ {skip = 1} !skip {print} /^<\/ca>$/ {skip = 0}' "$VT_DIR/client.ovpn" >"$d/badconf.ovpn" || return 1
	printf '<ca>\nnot a certificate\n</ca>\n' >>"$d/badconf.ovpn"
	reason_round badconf "$d/badconf.ovpn" \
		"connection failed (connect-failed): vpnc refused the configuration (exit status 2, configuration error)" \
		"Unknown reason"
	# No server answers: NetworkManager's vpn.timeout ends the attempt as connect-timeout.
	sed "s/^remote .*/remote $VT_SRV_IP $((VT_PORT + 7))/" "$VT_DIR/client.ovpn" >"$d/timeout.ovpn" || return 1
	reason_round timeout "$d/timeout.ovpn" "connect timeout exceeded" "The connection attempt timed out" 8
	return 0
}

# The README's NetworkManager lines ("Install and use"), as written: nmcli's lines of that section.
readme_nm=$(awk '/^## Install and use/ { f = 1; next } /^## / { f = 0 }
	f && /^    nmcli / { sub(/^    /, ""); print }' "$here/../../README.md")
readme_nm_cmd() { grep -m 1 -e "$1" <<<"$readme_nm"; }

# Import, the auth-dialog through nmcli --ask, export (docs/networkmanager.md, "Import and export"),
# through the README's lines: import client.ovpn, set the username and the kill switch, --ask up.
# Each runs as written in bash in the profile's directory (NAME: the test's user); a README edit
# that breaks one fails here.
import_round() {
	local d=$VT_DIR/nm r=$VT_DIR/nm/readme out pid uuid i
	local cmd_import cmd_user cmd_ks cmd_up
	vt_log "-- round import (the README's lines)"
	cmd_import=$(readme_nm_cmd '^nmcli connection import type vpnc_ovpn file client\.ovpn$')
	cmd_user=$(readme_nm_cmd '^nmcli connection modify client +vpn\.data username=NAME\b')
	cmd_ks=$(readme_nm_cmd '^nmcli connection modify client +vpn\.data kill-switch=yes\b')
	cmd_up=$(readme_nm_cmd '^nmcli --ask connection up client$')
	vt_check "[import] README: the import, username, kill-switch=yes and --ask up lines found" \
		test -n "$cmd_import" -a -n "$cmd_user" -a -n "$cmd_ks" -a -n "$cmd_up" || return 1
	mkdir -p "$r" && cp "$VT_DIR/client.ovpn" "$r/client.ovpn" || return 1
	vt_check "[import] README: $cmd_import" \
		quiet env -C "$r" VPNC_OVPN_VPNC="$VT_NM_VPNC" bash -c "$cmd_import"
	out=$(nmcli -g vpn.service-type,vpn.data,connection.permissions connection show client 2>&1)
	vt_check "[import] the connection stores the profile's path, not its bytes ($out)" \
		bash -c '[[ $1 == *"config = $2"* && $1 != *"BEGIN"* ]]' _ "$out" "$r/client.ovpn"
	vt_check "[import] auth-user-pass in the profile: the password is the agent's (password-flags = 1)" \
		has "$out" "password-flags = 1"
	vt_check "[import] no static-challenge: no challenge-flags" lacks "$out" "challenge-flags"
	vt_check "[import] imported by root: a system-wide connection (no permissions)" \
		bash -c '[[ $(nmcli -g connection.permissions connection show client) == "" ]]'
	# A profile the service would refuse is refused at import, with vpnc's sentence.
	{ cat "$VT_DIR/client.ovpn"; printf 'route-up /bin/true\n'; } >"$d/refused.ovpn"
	out=$(env VPNC_OVPN_VPNC="$VT_NM_VPNC" nmcli connection import type vpnc_ovpn file "$d/refused.ovpn" 2>&1)
	vt_check "[import] a profile with route-up is refused ($out)" \
		bash -c '[[ $1 == *"option '"'"'route-up'"'"': not allowed in an untrusted profile"* ]] && ! nmcli connection show refused >/dev/null 2>&1' _ "$out"
	out=$(env VPNC_OVPN_VPNC="$VT_NM_VPNC" nmcli connection import type vpnc_ovpn file "$d/badconf.ovpn" 2>&1)
	vt_check "[import] a profile vpnc cannot load is refused (--check-config: $out)" \
		bash -c '[[ $1 == *"TLS setup failed"* ]] && ! nmcli connection show badconf >/dev/null 2>&1' _ "$out"
	# The username is the user's to set; the password comes from the auth-dialog through nmcli --ask.
	vt_check "[import] README: ${cmd_user//NAME/$VT_NM_USER}" \
		quiet env -C "$r" bash -c "${cmd_user//NAME/$VT_NM_USER}"
	vt_check "[import] README: $cmd_ks" quiet env -C "$r" bash -c "$cmd_ks"
	out=$(nmcli -g vpn.data connection show client 2>&1)
	vt_check "[import] vpn.data has username = $VT_NM_USER and kill-switch = yes ($out)" \
		bash -c '[[ $1 == *"username = $2"* && $1 == *"kill-switch = yes"* ]]' _ "$out" "$VT_NM_USER"
	vt_check "[import] README: $cmd_up: nmcli asks the auth-dialog's question, the typed password connects" \
		ask_up Password "$VT_NM_PASSWORD" -- env -C "$r" bash -c "$cmd_up"
	pid=$(nm_vpnc -n)
	vt_check "[import] vpnc runs (pid ${pid:-none}) and the tunnel answers" quiet vt_wait_ping_quiet "$VT_TUN_SRV_IP"
	uuid=$(nmcli -g connection.uuid connection show client)
	if command -v nft >/dev/null; then
		vt_check "[import] the kill switch's rules are installed (instance nm-$uuid)" \
			quiet nft list chain inet vpnc "out_nm_2d${uuid//-/_2d}"
		vt_check "[import] the kill switch drops a ping to the server outside the tunnel" \
			bash -c '! ping -c 1 -W 1 "$1" >/dev/null 2>&1' _ "$VT_SRV_IP"
	else
		vt_skip_or_fail "[import] nft (to inspect the kill switch's rules; nftables) is not installed"
	fi
	vt_check "[import] the typed password is not in the connection's file (agent-owned: NetworkManager keeps none)" \
		bash -c 'f=$(grep -rlx "id=client" "$2/conn") && [ -n "$f" ] && ! grep -qF -- "$1" $f' _ "$VT_NM_PASSWORD" "$d"
	quiet timeout 30 nmcli connection down client
	if command -v nft >/dev/null; then
		# NetworkManager reports the connection down before the plugin has stopped vpnc.
		for i in $(seq 100); do nft list table inet vpnc >/dev/null 2>&1 || break; sleep 0.1; done
		vt_check "[import] a clean down removes the kill switch's rules" bash -c '! nft list table inet vpnc >/dev/null 2>&1'
	fi
	# Export: self-contained (the files inlined), mode 0600, and vpnc loads it.
	vt_check "[import] nmcli connection export" \
		quiet env VPNC_OVPN_VPNC="$VT_NM_VPNC" nmcli connection export client "$d/exported.ovpn"
	vt_check "[import] the exported profile is mode 0600" [ "$(stat -c %a "$d/exported.ovpn" 2>/dev/null)" = 600 ]
	vt_check "[import] the exported profile is the original, self-contained" \
		bash -c 'diff <("$1" --inline-config "$2") "$3" >/dev/null' _ "$VT_NM_VPNC" "$r/client.ovpn" "$d/exported.ovpn"
	vt_check "[import] vpnc --check-config accepts the exported profile" \
		quiet "$VT_NM_VPNC" --check-config "$d/exported.ovpn"
	quiet nmcli connection delete client
	return 0
}

# ---------------------------------------------------------------------------
# The safety model: a local user's connection gets no more than that user's rights.
# ---------------------------------------------------------------------------
# up_fails NAME REASON: the activation of NAME fails, and the plugin logged REASON.
up_fails() {
	local con=$1 why=$2 d=$VT_DIR/nm out
	out=$(timeout 60 nmcli connection up "$con" 2>&1)
	vt_check "[abuse] $con: nmcli connection up fails (${out%%$'\n'*})" [ $? != 0 ]
	vt_check "[abuse] $con: the plugin says why: $why" grep -qF -- "$why" "$d/nm.log"
	vt_check "[abuse] $con: no vpnc left" no_vpnc || ps -o pid,etimes,args -u "$VT_NM_SYSUSER" | cut -c1-200
	vt_check "[abuse] $con: no tun device left" no_tun
}
# owner_up_fails NAME REASON: the owner's own nmcli activates NAME; it fails, with NetworkManager's
# generic text in nmcli, and the plugin logs REASON once more than before.
owner_up_fails() {
	local con=$1 why=$2 d=$VT_DIR/nm out n uid
	uid=$(id -u "$VT_NM_OWNER")
	n=$(grep -cF -- "$why" "$d/nm.log")
	out=$(setpriv --reuid="$uid" --regid="$(id -g "$VT_NM_OWNER")" --clear-groups \
		timeout 60 nmcli connection up "$con" 2>&1)
	vt_check "[abuse] $con: the owner's nmcli connection up fails (${out%%$'\n'*})" [ $? != 0 ]
	vt_check "[abuse] $con: the plugin's log says why: $why" [ "$(grep -cF -- "$why" "$d/nm.log")" -gt "$n" ]
	vt_check "[abuse] $con: no vpnc left" no_vpnc || ps -o pid,etimes,args -u "$VT_NM_SYSUSER" | cut -c1-200
	vt_check "[abuse] $con: no tun device left" no_tun
}
# nm_jailed_status PID: seccomp filter mode, no_new_privs, and no capability but the bounding set.
nm_jailed_status() {
	local s
	s=$(cat "/proc/$1/status") || return 1
	[[ $s == *$'\nSeccomp:\t2\n'* && $s == *$'\nNoNewPrivs:\t1\n'* ]] || return 1
	for c in CapInh CapPrm CapEff CapAmb; do
		[[ $s =~ $'\n'$c:[[:space:]]*0+$'\n' ]] || return 1
	done
}
# nm_other_root PID: the process's root is another directory than the host's, and empty.
nm_other_root() {
	[ "$(stat -Lc %d:%i "/proc/$1/root/")" != "$(stat -Lc %d:%i /)" ] && [ -z "$(ls -A "/proc/$1/root/")" ]
}
# nm_parent_nocaps PID: PID's parent is vpnc (started with --untrusted-config) and holds no capability.
nm_parent_nocaps() {
	local pp s
	pp=$(awk '/^PPid:/ {print $2}' "/proc/$1/status") && s=$(cat "/proc/$pp/status") || return 1
	[[ $(tr '\0' ' ' <"/proc/$pp/cmdline") == *--untrusted-config* ]] || return 1
	for c in CapInh CapPrm CapEff CapAmb; do
		[[ $s =~ $'\n'$c:[[:space:]]*0+$'\n' ]] || return 1
	done
}
abuse() {
	local d=$VT_DIR/nm u=$VT_NM_OWNER ud=$VT_NM_UDIR con pid out uid shadow1 i n

	vt_log "-- round abuse (connections owned by user $u)"
	uid=$(id -u "$u")
	# NetworkManager shows a connection limited to users only while one of them has a
	# login session (systemd-logind's /run/systemd/users): give the owner one, privately.
	# (Only in this private mount namespace; without /run/systemd/users, over /run/systemd.)
	if [ -d /run/systemd/users ]; then
		mount -t tmpfs -o mode=0755 tmpfs /run/systemd/users || return 1
	else
		mkdir -p /run/systemd && mount -t tmpfs -o mode=0755 tmpfs /run/systemd &&
			mkdir /run/systemd/users || return 1
	fi
	printf 'NAME=%s\nSTATE=active\nSESSIONS=vt1\nACTIVE_SESSIONS=vt1\nONLINE_SESSIONS=vt1\n' "$u" \
		>"/run/systemd/users/$uid"

	# The positive case: the owner's profile names files only the owner can read.
	quiet nmcli connection add type vpn con-name vt-own vpn-type "$NM_SERVICE" \
		connection.permissions "user:$u" \
		vpn.data "config=$ud/own.ovpn, username=$VT_NM_USER, password-flags=0" \
		vpn.secrets "password=$VT_NM_PASSWORD"
	vt_check "[abuse] the owner's files are unreadable to others" \
		bash -c '! setpriv --reuid=65534 --regid=65534 --clear-groups cat "$1/client.key" >/dev/null 2>&1' _ "$ud"
	if ! vt_check "[abuse] vt-own (the owner's own profile and key files) comes up" \
		quiet timeout 60 nmcli connection up vt-own; then
		tail -n 30 "$d/nmcli.log" "$d/nm.log"
		return 1
	fi
	pid=$(nm_vpnc -n)
	vt_check "[abuse] vt-own: vpnc runs as $VT_NM_SYSUSER (pid ${pid:-none})" [ -n "$pid" ]
	vt_check "[abuse] vt-own: vpnc's uid is not 0, CapEff 0" \
		bash -c 'grep -q "^Uid:[[:space:]]*$2[[:space:]]" /proc/$1/status && [ "$2" != 0 ] &&
			grep -q "^CapEff:[[:space:]]*0*\$" /proc/$1/status' _ "$pid" "$(id -u "$VT_NM_SYSUSER")"
	# The network process (the newest vpnc; its parent runs the up helper) is jailed as under
	# privsep, as far as an unprivileged start allows (docs/privileges.md, "Under NetworkManager").
	vt_check "[abuse] vt-own: the network process has Seccomp 2, NoNewPrivs 1, no capability in any set" \
		nm_jailed_status "$pid"
	vt_check "[abuse] vt-own: its root is empty, not the host's ($(readlink "/proc/$pid/root" 2>&1))" \
		nm_other_root "$pid"
	vt_check "[abuse] vt-own: its parent, vpnc's other process, has no capability left" nm_parent_nocaps "$pid"
	vt_check "[abuse] vt-own: ping $VT_TUN_SRV_IP through the tunnel" quiet ping -c 2 -W 2 -i 0.3 "$VT_TUN_SRV_IP"
	vt_check "[abuse] vt-own: nmcli connection down" quiet timeout 30 nmcli connection down vt-own
	for i in $(seq 100); do
		if [ -z "$pid" ] || ! vt_pid_alive "$pid"; then break; fi
		sleep 0.1
	done

	# The owner imports the profile: the connection becomes theirs, read with their rights.
	out=$(setpriv --reuid="$uid" --regid="$(id -g "$u")" --clear-groups \
		env VPNC_OVPN_VPNC="$VT_NM_VPNC" nmcli connection import type vpnc_ovpn file "$ud/own.ovpn" 2>&1)
	out=$(nmcli -g connection.permissions connection show own 2>&1)
	vt_check "[abuse] the owner imports own.ovpn: a connection of their own (permissions: $out)" has "$out" "$u"
	quiet nmcli connection delete own

	# One abuse each; the profile is the good one plus one line. The owner adds each connection
	# with their own nmcli, as any local user can.
	printf 'keep me\n' >"$VT_DIR/root-owned.log"
	chmod 600 "$VT_DIR/root-owned.log"
	touch -d '2020-01-01 00:00:00' "$VT_DIR/root-owned.log"
	printf 'route-up /bin/true\n' >"$VT_DIR/root-only.conf"
	chmod 600 "$VT_DIR/root-only.conf"
	for con in route-up log shadow config socket; do
		case $con in
		route-up) out="route-up $ud/mark.sh" ;;
		log) out="log $VT_DIR/root-owned.log" ;;
		shadow) out="auth-user-pass /etc/shadow" ;;
		config) out="config $VT_DIR/root-only.conf" ;;
		socket) out="control-socket /run/vpnct-abuse-$VT_ID.sock" ;;
		esac
		{ cat "$ud/own.ovpn"; printf '%s\n' "$out"; } >"$ud/abuse-$con.ovpn"
		chown "$u:" "$ud/abuse-$con.ovpn"
		out=$(setpriv --reuid="$uid" --regid="$(id -g "$u")" --clear-groups nmcli connection add type vpn \
			con-name "vt-$con" vpn-type "$NM_SERVICE" connection.permissions "user:$u" \
			vpn.data "config=$ud/abuse-$con.ovpn, username=$VT_NM_USER, password-flags=0" \
			vpn.secrets "password=$VT_NM_PASSWORD" 2>&1)
		vt_check "[abuse] the owner adds vt-$con with their own nmcli (${out%%$'\n'*})" \
			has "$(nmcli -g connection.permissions connection show "vt-$con" 2>&1)" "$u"
	done
	# What the user sees: NetworkManager carries no text from a VPN plugin to nmcli when an
	# activation fails (docs/networkmanager.md, "Safety model"), so the user's own import
	# refuses each profile with vpnc's sentence, naming the option, in nmcli's output.
	for con in route-up log shadow config socket; do
		out=$(setpriv --reuid="$uid" --regid="$(id -g "$u")" --clear-groups env VPNC_OVPN_VPNC="$VT_NM_VPNC" \
			nmcli connection import type vpnc_ovpn file "$ud/abuse-$con.ovpn" 2>&1)
		case $con in
		route-up) n="option 'route-up': not allowed in an untrusted profile" ;;
		log) n="option 'log': not allowed in an untrusted profile" ;;
		shadow) n="option 'auth-user-pass': cannot read '/etc/shadow'" ;;
		config) n="option 'config': cannot read '$VT_DIR/root-only.conf'" ;;
		socket) n="option 'control-socket': not allowed in an untrusted profile" ;;
		esac
		vt_check "[abuse] the owner's nmcli import of abuse-$con.ovpn says why (${out%%$'\n'*})" \
			bash -c '[[ $1 == *"abuse-$3.ovpn:"*"$2"* ]] && ! nmcli connection show "abuse-$3" >/dev/null 2>&1' \
			_ "$out" "$n" "$con"
	done
	# The owner's own nmcli activates each: it fails, with NetworkManager's generic text in nmcli
	# and the reason in the plugin's log, and has no effect.
	owner_up_fails vt-route-up "option 'route-up': not allowed in an untrusted profile (it would run a program)"
	vt_check "[abuse] vt-route-up: the script never ran (no marker file)" [ ! -e "$VT_NM_MARK" ]
	owner_up_fails vt-log "option 'log': not allowed in an untrusted profile (it would write a file)"
	vt_check "[abuse] vt-log: the root-owned file is unchanged (content and mtime)" \
		bash -c '[ "$(cat "$1")" = "keep me" ] && [ "$(stat -c %Y "$1")" = "$(date -d "2020-01-01 00:00:00" +%s)" ]' \
		_ "$VT_DIR/root-owned.log"
	owner_up_fails vt-shadow "option 'auth-user-pass': cannot read '/etc/shadow': Permission denied"
	# Its first line, whole ("root:HASH:..."), would show up if any of it had been read.
	shadow1=$(head -n1 /etc/shadow)
	vt_check "[abuse] vt-shadow: nothing of /etc/shadow in the logs" \
		bash -c '[ -n "$1" ] && ! grep -rqF -- "$1" "$2"' _ "$shadow1" "$d"
	owner_up_fails vt-config "option 'config': cannot read '$VT_DIR/root-only.conf': Permission denied"
	owner_up_fails vt-socket "option 'control-socket': not allowed in an untrusted profile (it would create a socket)"
	vt_check "[abuse] vt-socket: no socket created" [ ! -e "/run/vpnct-abuse-$VT_ID.sock" ]

	# A system-wide connection (no permissions) is read as root, but still may not run programs.
	quiet nmcli connection add type vpn con-name vt-system vpn-type "$NM_SERVICE" \
		vpn.data "config=$ud/abuse-route-up.ovpn, username=$VT_NM_USER, password-flags=0" \
		vpn.secrets "password=$VT_NM_PASSWORD"
	n=$(grep -c "option 'route-up': not allowed" "$d/nm.log")
	up_fails vt-system "(read as user root): vpnc: $ud/abuse-route-up.ovpn"
	vt_check "[abuse] vt-system: refused for its route-up too" \
		[ "$(grep -c "option 'route-up': not allowed" "$d/nm.log")" -gt "$n" ]
	vt_check "[abuse] vt-system: the script never ran (no marker file)" [ ! -e "$VT_NM_MARK" ]

	# Shared by two users: no single owner to read the profile as.
	quiet nmcli connection add type vpn con-name vt-shared vpn-type "$NM_SERVICE" \
		connection.permissions "user:$u,user:root" \
		vpn.data "config=$ud/own.ovpn, username=$VT_NM_USER, password-flags=0" \
		vpn.secrets "password=$VT_NM_PASSWORD"
	up_fails vt-shared "connection.permissions names several users"
	return 0
}

if [ "${1:-}" = --inner ]; then
	# The outer part exported the state of lib.sh that the inner part needs.
	# The password comes as an argument: in the environment, NetworkManager, the plugin
	# and vpnc would inherit it, and the check that vpnc's environment is clean would fail.
	VT_DIR=$VT_NM_OUTER_DIR
	VT_NM_PASSWORD=$2
	inner && abuse
	rc=$?
	printf 'inner: done %d\n' "$rc"
	exit 0
fi

# ---------------------------------------------------------------------------
# Outer part: namespaces, PKI, the stock server, and the inner part.
# ---------------------------------------------------------------------------
if [ -z "${1:-}" ] || [ "${1:-}" = --stock-client ]; then
	vt_log "SKIP: $name checks vpnc's NetworkManager plugin (vpnc only)"
	vt_summary $name
	exit 0
fi
# Missing pieces skip the test, except in CI (vt_skip_or_fail), where they are installed.
for t in NetworkManager nmcli dbus-daemon unshare python3; do
	if ! command -v "$t" >/dev/null 2>&1; then
		vt_skip_or_fail "$t is not installed (network-manager, dbus, util-linux, python3)"
		vt_summary $name
		exit
	fi
done
vpnc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
plugin=${VPNC_NM_SERVICE_BIN:-$(dirname "$vpnc")/contrib/networkmanager/nm-vpnc-ovpn-service}
if [ ! -x "$plugin" ]; then
	vt_skip_or_fail "the plugin $plugin was not built (libnm-dev missing?)"
	vt_summary $name
	exit
fi
VT_NM_DIALOG=$(dirname "$plugin")/nm-vpnc-ovpn-auth-dialog
VT_NM_EDITOR=$(dirname "$plugin")/libnm-vpn-plugin-vpnc-ovpn.so
if ! vt_require_tools; then
	vt_fail "prerequisites"
	vt_summary $name
	exit 1
fi
vt_init || exit 1
vt_log "$name: vpnc $vpnc, plugin $plugin"
VT_NM_OWNER=vtnm$VT_ID
# The tap round's stock server (dev tap) listens here, next to the first one.
VT_NM_TAP_PORT=$((VT_PORT + 1))
VT_NM_TAP_SRV_PID=""
VT_NM_USER_MADE=0
VT_NM_UDIR=""
VT_NM_MARK=""
# The PIN round's SoftHSM2 token (its directory, reachable by vpnc's user) and PIN.
VT_NM_P11DIR=""
VT_NM_PIN=4711-nm
# The test's user and its directory go too (lib.sh's vt_cleanup does the rest).
nm_cleanup() {
	[ -n "$VT_NM_TAP_SRV_PID" ] && vt_kill_wait "$VT_NM_TAP_SRV_PID" 5
	[ "$VT_NM_USER_MADE" = 1 ] && userdel "$VT_NM_OWNER" 2>/dev/null
	[ -n "$VT_NM_UDIR" ] && rm -rf "$VT_NM_UDIR"
	[ -n "$VT_NM_MARK" ] && rm -f "$VT_NM_MARK"
	[ -n "$VT_NM_P11DIR" ] && rm -rf "$VT_NM_P11DIR"
	vt_cleanup
}
trap nm_cleanup EXIT

# p11_setup: for the PIN round, a SoftHSM2 token with an EC client key and its certificate
# (signed by the test's CA) in a directory of vpnc's user (vpnc opens the token as that user,
# through p11-kit's proxy, which loads SoftHSM2's registered module), and the test's profile with
# that token's pkcs11-id instead of <cert> and <key>. Without softhsm2 and opensc: no round.
p11_setup() {
	local d=$VT_DIR/nm p=$VT_DIR/pki lib="" f id
	for f in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so; do
		[ -r "$f" ] && lib=$f && break
	done
	if [ -z "$lib" ] || ! command -v softhsm2-util >/dev/null || ! command -v pkcs11-tool >/dev/null; then
		vt_log "no softhsm2 or pkcs11-tool: the PIN round will not run"
		return 0
	fi
	VT_NM_P11DIR=$(mktemp -d /tmp/vpnct-nmp11.XXXXXX) || return 1
	mkdir "$VT_NM_P11DIR/tokens" || return 1
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$VT_NM_P11DIR" >"$VT_NM_P11DIR/softhsm2.conf"
	(
		export SOFTHSM2_CONF=$VT_NM_P11DIR/softhsm2.conf
		softhsm2-util --init-token --free --label vpncnm --pin "$VT_NM_PIN" --so-pin 98765432 &&
			openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$p/p11.key" \
				-out "$p/p11.csr" -subj /CN=client &&
			openssl x509 -req -sha256 -in "$p/p11.csr" -CA "$p/ca.crt" -CAkey "$p/ca.key" -CAcreateserial \
				-days 2 -extfile "$p/ext.cnf" -extensions client -out "$p/p11.crt" &&
			openssl pkcs8 -topk8 -nocrypt -in "$p/p11.key" -out "$p/p11.p8" &&
			softhsm2-util --import "$p/p11.p8" --token vpncnm --label nmkey --id 4e4d --pin "$VT_NM_PIN" &&
			openssl x509 -in "$p/p11.crt" -outform der -out "$p/p11.der" &&
			pkcs11-tool --module "$lib" --token-label vpncnm --login --pin "$VT_NM_PIN" \
				--write-object "$p/p11.der" --type cert --id 4e4d --label nmkey
	) >"$d/p11.log" 2>&1 || return 1
	rm -f "$p/p11.key" "$p/p11.p8"
	id=$(SOFTHSM2_CONF=$VT_NM_P11DIR/softhsm2.conf "$vpnc" --show-pkcs11-ids "$lib" 2>>"$d/p11.log" |
		awk '/Serialized id:/ && index($0, "/vpncnm/") { print $3; exit }')
	[ -n "$id" ] || return 1
	awk '/^<(cert|key)>$/ {skip = 1} !skip {print} /^<\/(cert|key)>$/ {skip = 0}' \
		"$VT_DIR/client.ovpn" >"$d/pin.ovpn" || return 1
	printf "pkcs11-id '%s'\n" "$id" >>"$d/pin.ovpn"
	chown -R "$VT_NM_SYSUSER:" "$VT_NM_P11DIR" || return 1
	return 0
}

setup() {
	local d=$VT_DIR/nm i
	vt_netns_up || return 1
	vt_pki ed25519 || return 1
	mkdir -p "$VT_DIR/ccd" "$d/vpn" "$d/conf.d" "$d/conn" || return 1
	# The plugin runs vpnc as this system user; created as a package would (it is left in place).
	if ! id "$VT_NM_SYSUSER" >/dev/null 2>&1; then
		systemd-sysusers "$here/../../contrib/networkmanager/nm-vpnc-ovpn.sysusers" ||
			useradd --system --no-create-home --shell /usr/sbin/nologin "$VT_NM_SYSUSER" || return 1
	fi
	: >"$VT_DIR/ccd/client"
	printf 'push "redirect-gateway def1"\n' >"$VT_DIR/ccd-def1"
	# A CA that did not sign the server's certificate (the bad certificate round).
	openssl req -x509 -newkey ed25519 -nodes -keyout /dev/null -subj /CN=vt-other-ca -days 2 \
		-out "$d/other-ca.crt" >/dev/null 2>&1 || return 1
	# The server checks a username and password too (the client profile says auth-user-pass).
	# Or, for the one-time code round, SCRV1:base64(password):base64(code) (static-challenge).
	# Or, for the dynamic challenge round, the password crv1-PASSWORD: then the answer is a CRV1
	# challenge (2.6's auth_failed_reason_file), and only "CRV1::STATE::CODE" from the user the
	# challenge names gets in.
	cat >"$VT_DIR/verify.sh" <<-EOF
	#!/bin/sh
	u=\$(sed -n 1p "\$1")
	f=\$(sed -n 2p "\$1")
	if [ "\$u" = "$VT_NM_CRV1_USER" ] && [ "\$f" = "CRV1::$VT_NM_CRV1_STATE::$VT_NM_OTP" ]; then
		echo "accepted crv1" >>"$VT_DIR/verify.log"
		exit 0
	fi
	[ "\$u" = "$VT_NM_USER" ] || exit 1
	[ "\$f" = "$VT_NM_PASSWORD" ] && exit 0
	if [ "\$f" = "crv1-$VT_NM_PASSWORD" ]; then
		echo "crv1 challenge" >>"$VT_DIR/verify.log"
		printf 'CRV1:R,E:%s:%s:%s' "$VT_NM_CRV1_STATE" "$(printf '%s' "$VT_NM_CRV1_USER" | base64 -w0)" \\
			"$VT_NM_CRV1_TEXT" >"\$auth_failed_reason_file"
		exit 1
	fi
	[ "\$f" = "SCRV1:$(printf '%s' "$VT_NM_PASSWORD" | base64 -w0):$(printf '%s' "$VT_NM_OTP" | base64 -w0)" ] || exit 1
	echo "accepted scrv1" >>"$VT_DIR/verify.log"
	EOF
	chmod 700 "$VT_DIR/verify.sh"
	VT_CLIENT_EXTRA="auth-user-pass"
	VT_SERVER_EXTRA=$(printf '%s\n' \
		'script-security 2' \
		"auth-user-pass-verify $VT_DIR/verify.sh via-file" \
		'push "dhcp-option DNS 10.200.0.53"' \
		'push "dhcp-option DNS6 fd00:200::53"' \
		'push "dhcp-option DOMAIN vpnc-test.example"' \
		"client-config-dir $VT_DIR/ccd")
	vt_server_conf
	vt_client_conf
	# The key passphrase round: the client's key encrypted (PKCS#8), inline in a copy of the profile.
	openssl pkey -in "$VT_DIR/pki/client.key" -aes-256-cbc -passout "pass:key-$VT_NM_PASSWORD" \
		-out "$d/enc.key" 2>/dev/null || return 1
	awk '/^<key>$/ {skip = 1} !skip {print} /^<\/key>$/ {skip = 0}' "$VT_DIR/client.ovpn" >"$d/enckey.ovpn" || return 1
	printf '<key>\n%s\n</key>\n' "$(cat "$d/enc.key")" >>"$d/enckey.ovpn"
	vt_server_start || return 1
	# The tap round's server: the same one with `dev tap` on its own port and subnet.
	sed -e 's/^dev tun$/dev tap/' -e "s/^port $VT_PORT\$/port $VT_NM_TAP_PORT/" \
		-e 's/^server 10\.200\.0\.0 /server 10.210.0.0 /' -e '/^server-ipv6 /d' -e '/route-ipv6/d' \
		-e '/DNS6/d' -e '/^client-config-dir /d' -e 's#/server\.\(log\|pid\|status\)#/server-tap.\1#' \
		"$VT_DIR/server.conf" >"$VT_DIR/server-tap.conf" || return 1
	sed -e 's/^dev tun$/dev tap/' -e "s/^remote \(.*\) $VT_PORT\$/remote \1 $VT_NM_TAP_PORT/" \
		"$VT_DIR/client.ovpn" >"$VT_DIR/client-tap.ovpn" || return 1
	vt_srv ip addr replace 10.201.0.1/32 dev lo || return 1
	: >"$VT_DIR/server-tap.log"
	ip netns exec "$VT_SRV_NS" openvpn --config "$VT_DIR/server-tap.conf" >"$VT_DIR/server-tap.out" 2>&1 &
	VT_NM_TAP_SRV_PID=$!
	for i in $(seq 100); do
		grep -q 'Initialization Sequence Completed' "$VT_DIR/server-tap.log" && break
		sleep 0.1
	done
	if ! grep -q 'Initialization Sequence Completed' "$VT_DIR/server-tap.log"; then
		tail -n 20 "$VT_DIR/server-tap.log" "$VT_DIR/server-tap.out"
		return 1
	fi

	# The unprivileged owner of the abuse round's connections, and its private directory.
	useradd --no-create-home --shell /usr/sbin/nologin "$VT_NM_OWNER" || return 1
	VT_NM_USER_MADE=1
	VT_NM_UDIR=$(mktemp -d /tmp/vpnct-nmu.XXXXXX) || return 1
	cp "$VT_DIR/pki/ca.crt" "$VT_DIR/pki/client.crt" "$VT_DIR/pki/client.key" "$VT_NM_UDIR/" || return 1
	# The test's profile with its <ca>, <cert> and <key> blocks turned into file names.
	awk '/^<(ca|cert|key)>$/ {skip = 1} !skip {print} /^<\/(ca|cert|key)>$/ {skip = 0}' \
		"$VT_DIR/client.ovpn" >"$VT_NM_UDIR/own.ovpn" || return 1
	printf 'ca ca.crt\ncert client.crt\nkey client.key\n' >>"$VT_NM_UDIR/own.ovpn"
	# What the abusive route-up would run: it would leave a marker in a world-writable place.
	VT_NM_MARK=$VT_NM_UDIR/../vpnct-nm-marker-$VT_ID
	printf '#!/bin/sh\ntouch %s\n' "$VT_NM_MARK" >"$VT_NM_UDIR/mark.sh"
	chmod 755 "$VT_NM_UDIR/mark.sh"
	chmod 600 "$VT_NM_UDIR"/*.crt "$VT_NM_UDIR"/*.key "$VT_NM_UDIR/own.ovpn"
	chown -R "$VT_NM_OWNER:" "$VT_NM_UDIR" || return 1
	chmod 700 "$VT_NM_UDIR"

	p11_setup || return 1

	# The plugin's .name file as installed, but pointing at a wrapper that names the vpnc to use.
	cat >"$d/nm-vpnc-ovpn-wrapper" <<-EOF
	#!/bin/sh
	VPNC_OVPN_VPNC='$vpnc' exec '$plugin' "\$@"
	EOF
	chmod 755 "$d/nm-vpnc-ovpn-wrapper"
	# The editor plugin and the auth-dialog are the built ones too.
	sed -e "s|^program=.*|program=$d/nm-vpnc-ovpn-wrapper|" \
		-e "s|^plugin=.*|plugin=$VT_NM_EDITOR|" -e "s|^auth-dialog=.*|auth-dialog=$VT_NM_DIALOG|" \
		"$(dirname "$plugin")/nm-vpnc-ovpn-service.name" >"$d/vpn/nm-vpnc-ovpn-service.name" || return 1
	# A private system bus: permissive for the test's tools, plus the plugin's own policy.
	vt_bus_conf "$d/bus.conf" "$here/../../contrib/networkmanager/nm-vpnc-ovpn-service.conf"
	cat >"$d/NM.conf" <<-EOF
	[main]
	plugins=keyfile
	no-auto-default=*
	dns=none
	rc-manager=unmanaged
	hostname-mode=none
	auth-polkit=false
	[keyfile]
	path=$d/conn
	[logging]
	level=DEBUG
	EOF
	return 0
}
if ! vt_check "namespaces, PKI, stock OpenVPN server and NM files" setup; then
	vt_summary $name
	exit 1
fi

# The auth-dialog's protocol, driven directly as an agent drives it.
dialog() { "$VT_NM_DIALOG" -u 0b9a0e3e-0000-4000-8000-000000000001 -n vt-dialog -s "$NM_SERVICE" "$@"; }
# entry KEY VALUE LABEL ASK: one secret's group as the external-UI key file holds it.
entry() { printf '[%s]\nValue=%s\nLabel=%s\nIsSecret=true\nShouldAsk=%s' "$1" "$2" "$3" "$4"; }
dialog_protocol() {
	local out pw none
	pw=$'DATA_KEY=config\nDATA_VAL=/x.ovpn\n\nDATA_KEY=username\nDATA_VAL=u\n\n'
	none=$'DATA_KEY=config\nDATA_VAL=/x.ovpn\n\n'
	# Nothing saved: the agent is told to ask (GNOME Shell and nmcli --ask read this key file).
	out=$(printf '%sDONE\nQUIT\n' "$pw" | dialog -i --external-ui-mode)
	vt_check "[dialog] external UI: [VPN Plugin UI] with Version 2, Title and Description" \
		bash -c '[[ $1 == "[VPN Plugin UI]"* && $1 == *Version=2* && $1 == *Title=* && $1 == *Description=* ]]' _ "$out"
	vt_check "[dialog] external UI: the password is asked for (IsSecret, ShouldAsk)" \
		has "$out" "$(entry password "" Password true)"
	vt_check "[dialog] external UI: no key passphrase when the connection declares none" lacks "$out" "[cert-pass]"
	# A saved password (flags 0) is offered and not asked again.
	out=$(printf '%sSECRET_KEY=password\nSECRET_VAL=saved-pw\n\nDONE\nQUIT\n' "$pw" | dialog -i --external-ui-mode)
	vt_check "[dialog] a saved password is offered (Value) and not asked (ShouldAsk=false)" \
		has "$out" "$(entry password saved-pw Password false)"
	out=$(printf '%sSECRET_KEY=password\nSECRET_VAL=saved-pw\n\nDONE\nQUIT\n' "$pw" | dialog -i -r --external-ui-mode)
	vt_check "[dialog] -r (the saved one was wrong): asked again" has "$out" "ShouldAsk=true"
	# "Ask every time" (NOT_SAVED, 2): a value NetworkManager still holds is not reused.
	out=$(printf '%sDATA_KEY=password-flags\nDATA_VAL=2\n\nSECRET_KEY=password\nSECRET_VAL=old-pw\n\nDONE\nQUIT\n' "$pw" |
		dialog -i --external-ui-mode)
	vt_check "[dialog] password-flags=2 (not saved): asked, the old value not offered" \
		bash -c '[[ $1 == *"$2"* && $1 != *old-pw* ]]' _ "$out" "$(entry password "" Password true)"
	# NOT_REQUIRED (4): not needed at all.
	out=$(printf '%sDATA_KEY=password-flags\nDATA_VAL=4\n\nDONE\nQUIT\n' "$pw" | dialog -i --external-ui-mode)
	vt_check "[dialog] password-flags=4 (not required): no password entry" lacks "$out" "[password]"
	# A key passphrase the connection declares (cert-pass-flags, as import sets it), and hints.
	out=$(printf '%sDATA_KEY=cert-pass-flags\nDATA_VAL=1\n\nDONE\nQUIT\n' "$none" | dialog -i --external-ui-mode)
	vt_check "[dialog] cert-pass-flags=1: the key passphrase is asked for" \
		has "$out" "$(entry cert-pass "" "Private key passphrase" true)"
	out=$(printf '%sDONE\nQUIT\n' "$none" | dialog -i --external-ui-mode -t cert-pass -t 'x-vpn-message:Unlock the key')
	vt_check "[dialog] hints: -t cert-pass asks for it, x-vpn-message: is the description" \
		bash -c '[[ $1 == *"Description=Unlock the key"* && $1 == *"$2"* ]]' _ "$out" \
		"$(entry cert-pass "" "Private key passphrase" true)"
	# The questions vpnc asks while it runs, as the plugin's hints name them (one secret each).
	out=$(printf '%sDONE\nQUIT\n' "$none" | dialog -i --external-ui-mode -t pin -t 'x-vpn-message:Enter the PIN of token t1')
	vt_check "[dialog] hints: -t pin asks for the PIN, nothing else" \
		bash -c '[[ $1 == *"$2"* && $1 == *"Description=Enter the PIN of token t1"* && $1 != *"[password]"* && $1 != *"[challenge]"* ]]' \
		_ "$out" "$(entry pin "" PIN true)"
	out=$(printf '%sDONE\nQUIT\n' "$none" | dialog -i --external-ui-mode -t challenge -t x-vpnc-echo \
		-t 'x-vpn-message:CHALLENGE: Enter the token code:')
	vt_check "[dialog] hints: -t challenge asks for it, labelled with the question, ForceEcho with x-vpnc-echo" \
		bash -c '[[ $1 == *"$2"* && $1 == *"ForceEcho=true"* && $1 != *"[pin]"* ]]' \
		_ "$out" "$(entry challenge "" "CHALLENGE: Enter the token code:" true)"
	out=$(printf '%sDONE\nQUIT\n' "$none" | dialog -i --external-ui-mode -t challenge -t 'x-vpn-message:Code?')
	vt_check "[dialog] a challenge without x-vpnc-echo is not echoed" lacks "$out" "ForceEcho"
	out=$(printf '%sDONE\nQUIT\n' "$none" | dialog --external-ui-mode -t pin)
	vt_check "[dialog] -t pin without -i: not asked" has "$out" "$(entry pin "" PIN false)"
	# vpnc asks for the password again (auth-retry interact): a saved one is asked anyway.
	out=$(printf '%sSECRET_KEY=password\nSECRET_VAL=saved-pw\n\nDONE\nQUIT\n' "$pw" | dialog -i --external-ui-mode -t password)
	vt_check "[dialog] -t password: asked even though one is saved" has "$out" "$(entry password saved-pw Password true)"
	# Without -i (no interaction allowed) nothing is asked.
	out=$(printf '%sDONE\nQUIT\n' "$pw" | dialog --external-ui-mode)
	vt_check "[dialog] without -i nothing is asked" has "$out" "$(entry password "" Password false)"
	# The old protocol: the saved secrets as name/value lines, an empty line, then QUIT.
	out=$(printf '%sSECRET_KEY=password\nSECRET_VAL=saved-pw\n\nDONE\nQUIT\n' "$pw" | dialog -i | od -An -c | tr -d ' \n')
	vt_check "[dialog] old protocol: password\\nsaved-pw\\n\\n\\n ($out)" [ "$out" = 'password\nsaved-pw\n\n\n' ]
	vt_check "[dialog] old protocol: a secret that must be asked fails (it has no UI of its own)" \
		bash -c '! printf "%sDONE\nQUIT\n" "$1" | "$2" -u x -n y -s "$3" -i >/dev/null 2>&1' \
		_ "$pw" "$VT_NM_DIALOG" "$NM_SERVICE"
	vt_check "[dialog] another service is refused" \
		bash -c '! printf "DONE\nQUIT\n" | "$1" -u x -n y -s org.freedesktop.NetworkManager.openvpn --external-ui-mode >/dev/null 2>&1' \
		_ "$VT_NM_DIALOG"
}
dialog_protocol

VT_NM_OUTER_DIR=$VT_DIR
VT_NM_VPNC=$vpnc
export VT_NM_P11DIR VT_NM_PIN VT_NM_VPNC VT_NM_DIALOG VT_NM_OTP VT_NM_CRV1_USER VT_NM_CRV1_STATE VT_NM_CRV1_TEXT VT_PORT VT_SRV_NS
export VT_ID VT_NM_OUTER_DIR VT_NM_USER VT_NM_SYSUSER VT_NM_OWNER VT_NM_UDIR VT_NM_MARK VT_SRV_IP VT_SRV_IP6 VT_CLI_VETH VT_CLI_IP VT_CLI_IP6 VT_TUN_SRV_IP VT_TUN_SRV_IP6 VT_PUSH_ROUTE VT_PUSH_ROUTE6
timeout 240 ip netns exec "$VT_CLI_NS" unshare -m --propagation private \
	bash "$here/test_networkmanager.sh" --inner "$VT_NM_PASSWORD" >"$VT_DIR/inner.out" 2>&1
cat "$VT_DIR/inner.out"
VT_PASSED=$((VT_PASSED + $(grep -c '^PASS:' "$VT_DIR/inner.out")))
VT_FAILED=$((VT_FAILED + $(grep -c '^FAIL:' "$VT_DIR/inner.out")))
if ! grep -q '^inner: done 0' "$VT_DIR/inner.out"; then
	vt_fail "the NetworkManager part ran to its end"
	tail -n 40 "$VT_DIR/nm/nm.log" 2>/dev/null
	tail -n 20 "$VT_DIR/server.log" 2>/dev/null
fi
vt_summary $name
