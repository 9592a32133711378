#!/bin/bash
# test_roam.sh: roaming against stock OpenVPN 2.6 (keepalive 10 60): how
# long the tunnel is down after the client's network changes.
#
# Usage: test_roam.sh <client-binary> [--kill-switch] | --stock-client  (VPNC_CLIENT_CMD overrides)
#        VT_CASES="addr tcp" test_roam.sh ...  (only those cases)
#
# Cases, each with a fresh server and client over UDP unless said otherwise:
#   addr      the client's address changes: a new address is added on its
#             veth and the old one deleted (promote_secondaries on, as a
#             DHCP renewal to a new lease does)
#   route     the route to the server moves to a second veth pair between the
#             namespaces (host route via it); the server's side of the new
#             link filters by reverse path (rp_filter 1), as an ISP's ingress
#             filter would, so packets from the old source die there
#   defroute  the server is reached at an address behind a gateway (on its
#             loopback) through the client's default route; a second veth
#             pair comes up and the default route is replaced to go through
#             it (rp_filter 1 on the server's end, as in route)
#   linkdown  the client's veth goes down for 5 s and comes back
#   carrier   (vpnc only, first) the server's end of the client's veth goes
#             down 1.5 s and back, as a cable pulled and plugged in again:
#             the client's route stays, and vpnc must wait and then just
#             carry on (nothing else changed: no probe). Then, for both
#             clients, the client's veth goes down, then comes back up 2 s before its
#             carrier (the server's end stays down until then, as a NIC's
#             link partner before autonegotiation): its routes are back
#             at once, flagged linkdown, but what is sent there is lost;
#             vpnc must wait for the carrier rather than probe into the
#             dead link (an unanswered probe would end the session), and
#             the tunnel must answer within 1 s plus the kernel's ARP
#             retransmit time (1 s) of the carrier: a packet that went into
#             the link without carrier (a keepalive, the tunnel's own
#             traffic) leaves its neighbour entry unresolved, and the kernel
#             asks again only on that timer
#   tcp       over TCP (proto tcp-server), the address changes as in addr
#   redirect  as addr, with redirect-gateway def1 pushed: vpnc's own routes
#             (0/1, 128/1 through the TUN, the host route to the server) are
#             in place and must neither trigger nor hide the change
#   redirdef  as defroute, with redirect-gateway def1 pushed: the client's
#             host route to the server (vpnc's own, through the old default
#             route) must follow the default route to the new link while the
#             old link stays up, and the session with it
#   relink    redirect-gateway def1 pushed; a second link comes up with a
#             default route of its own, then the first link goes down, taking
#             the client's host route to the server with it: the host route
#             must move to the new link and the session with it
#   deadpath  (vpnc only) the route moves to a second link that leads nowhere
#             (its far end has no address): the probe goes unanswered and vpnc
#             must reconnect within 2 s of the change; 1.5 s later (the new
#             attempt is stuck on the dead path) the route is taken away
#             again: the attempt must be replaced at once, and a new session
#             carry pings within 5 s
# For each, the time from the change (for linkdown: from the link coming
# back; for carrier: from the carrier coming) to the first ping answered through the tunnel is measured with one
# ping every 100 ms (bounded by a deadline) and printed. For vpnc it must be
# under 1 s for addr, route, defroute, redirdef, linkdown, redirect and relink (carrier: see above), with the session kept (the server
# set up no new one), and under 5 s for tcp (a new session at once). Before
# any change, vpnc's own TUN addresses and routes must not have been taken as
# a network change. After each, `vpnc status` must show the event and what
# vpnc did about it (e.g. "source address changed on vcli; socket moved,
# probe answered in 1 ms"), and the DNS mode. With --stock-client the stock client's figures are
# printed, not asserted.
#
# Packets in the clear: the client namespace has a default route to the
# server's namespace (as a home router would be), and the server's namespace
# counts (nft, before routing) the packets that arrive on its veths from the
# client for the tunnel's network ($VT_TUN_NET/24) or, when redirect-gateway
# is pushed, for an outside address ($OUT_IP, pinged every 200 ms during the
# outage): packets meant for the tunnel that left unencrypted, because the
# tunnel device was gone or its routes fell back to the default route. They
# are counted and then dropped, so a ping answered outside the tunnel never
# counts as the tunnel being back. The window is from just before the change
# (for linkdown and carrier: before the link goes down) to the first ping answered through
# the tunnel. With --kill-switch (vpnc only) the count must be 0 in every
# case. All figures are printed as one table at the end. Needs root. Last line
# is the summary.

# The vt_*_conf helpers take optional arguments.
# shellcheck disable=SC2119
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/lib.sh
[ -r "$lib" ] || lib=$here/../lib.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$lib"

name=${VT_NAME:-test_roam}
all_cases="addr route defroute redirdef linkdown carrier tcp redirect relink deadpath"
cases=${VT_CASES:-$all_cases}
VT_KEEPALIVE="10 60"
# The client's address after the change, and the second link's network.
NEW_CLI_IP="10.199.$VT_NET_OCTET.3"
ALT_SRV_IP="10.197.$VT_NET_OCTET.1"
ALT_CLI_IP="10.197.$VT_NET_OCTET.2"
ALT_SRV_VETH=vsrv2
ALT_CLI_VETH=vcli2
# vpnc's targets, in ms.
LIMIT_UDP_MS=1000
LIMIT_TCP_MS=5000
# carrier: plus the kernel's ARP retransmit time (see above).
LIMIT_CARRIER_MS=$((LIMIT_UDP_MS + 1000))

# An address outside the tunnel, on the server namespace's loopback (reached through redirect-gateway).
OUT_IP="198.18.$VT_NET_OCTET.1"

vt_start "$name" "${1:-}"
stock=0
vt_client_is_stock && stock=1
ks=0
[ "${2:-}" = --kill-switch ] && ks=1
if [ $ks = 1 ] && [ $stock = 1 ]; then
	vt_log "$name: --kill-switch is vpnc's own option; nothing to test with stock openvpn"
	vt_summary "$name"
	exit 0
fi
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}; cases: $cases; kill switch: $ks"
who=${VT_CLIENT_CMD[0]##*/}
[ $ks = 1 ] && who="$who --kill-switch"
# vpnc's control socket: `vpnc status` must show the last network event and what vpnc did.
if [ $stock = 0 ]; then
	VT_CLIENT_ARGS="--control-socket $VT_DIR/ctl.sock"
	[ $ks = 1 ] && VT_CLIENT_ARGS+=" --kill-switch"
fi
# The measuring ping gives up after this many seconds (stock over TCP waits for ping-restart).
deadline=15
[ $stock = 1 ] && deadline=75

setup() {
	vt_netns_up && vt_pki ed25519 && ip -n "$VT_SRV_NS" addr add "$OUT_IP/32" dev lo &&
		ip -n "$VT_SRV_NS" addr add "$VT_SRV_FAR_IP/32" dev lo &&
		vt_clear_counter "$VT_SRV_VETH $ALT_SRV_VETH" "$OUT_IP"
}
if ! vt_check "namespaces, PKI, outside and far addresses and the far side's counter" setup; then
	vt_summary "$name"
	exit 1
fi

# ns_sysctl NS KEY VALUE: a sysctl inside namespace NS, through /proc (no procps needed).
ns_sysctl() {
	ip netns exec "$1" sh -c "echo $3 > /proc/sys/${2//.//}"
}

# reset_net: the client's veth up with only its original IPv4 address; no second link.
reset_net() {
	ip -n "$VT_CLI_NS" link del "$ALT_CLI_VETH" 2>/dev/null
	ns_sysctl "$VT_SRV_NS" net.ipv4.conf.all.rp_filter 0
	ip -n "$VT_CLI_NS" link set "$VT_CLI_VETH" up &&
		ip -n "$VT_CLI_NS" -4 addr flush dev "$VT_CLI_VETH" &&
		ip -n "$VT_CLI_NS" addr add "$VT_CLI_IP/24" dev "$VT_CLI_VETH" &&
		ip -n "$VT_CLI_NS" route replace default via "$VT_SRV_IP" dev "$VT_CLI_VETH"
}

# clear_start: the outage window opens; with redirect-gateway, ping the outside address too.
clear_start() {
	clear_c0=$(vt_clear_count)
	bg_ping=""
	if [ "$redirect" = 1 ]; then
		# Not through vt_cli: $! must be ping itself (ip netns exec execs it), not a subshell.
		ip netns exec "$VT_CLI_NS" ping -n -q -i 0.2 -w $((deadline + 10)) "$OUT_IP" >/dev/null 2>&1 &
		bg_ping=$!
	fi
}

# clear_stop LABEL: the window closes (the tunnel answered): record the figures; with the kill switch, assert 0.
clear_stop() {
	local label=$1 c1 n
	if [ -n "$bg_ping" ]; then
		kill "$bg_ping" 2>/dev/null
		wait "$bg_ping" 2>/dev/null
	fi
	c1=$(vt_clear_count)
	n=$((${c1:-0} - ${clear_c0:-0}))
	[ -n "$c1" ] && [ -n "$clear_c0" ] || n="?"
	vt_log "  $label: $n packet(s) for the tunnel went out in the clear during the outage ($who)"
	table+=("$(vt_clear_row "$label" "$who" "${ROAM_MS:-none}" "$n")")
	if [ $ks = 1 ]; then
		vt_check "$label: with the kill switch, no packet for the tunnel in the clear (counted $n)" [ "$n" = 0 ]
	fi
}

# begin LABEL: server and client up with the current settings; one ping; and
# vpnc did not take its own addresses and routes for a network change.
begin() {
	local label=$1
	reset_net || { vt_fail "$label: client network reset"; return 1; }
	vt_session_up "$label"
	[ $? = 1 ] && return 1
	if [ $stock = 0 ]; then
		sleep 0.3 # past the debounce of the TUN set-up's notifications
		if grep -q 'Network change' "$VT_DIR/client.log"; then
			vt_fail "$label: vpnc took its own TUN set-up for a network change"
			grep 'Network change' "$VT_DIR/client.log" | sed 's/^/  /'
		else
			vt_pass "$label: vpnc's own addresses and routes are not a network change"
		fi
	fi
	peers_before=$(vt_server_peers)
	return 0
}

# measure T0_US: pings through the tunnel every 100 ms until one is answered
# (at most $deadline s); sets ROAM_MS to the time from T0_US to that answer.
measure() {
	local t0=$1 out ts
	ROAM_MS=""
	out=$(vt_cli ping -n -D -i 0.1 -c 1 -w "$deadline" -W 1 "$VT_TUN_SRV_IP" 2>&1)
	# -D: "[seconds.microseconds] 64 bytes from ..."
	ts=$(printf '%s\n' "$out" | sed -n 's/^\[\([0-9]*\)\.\([0-9]\{6\}\)\].*bytes from.*/\1\2/p' | head -n 1)
	[ -n "$ts" ] || return 1
	ROAM_MS=$(((10#$ts - t0) / 1000))
	return 0
}

# judge LABEL LIMIT-MS KEEP EVENT: prints the figure; for vpnc asserts it,
# whether the session was kept (KEEP=1) or made anew (KEEP=0), and that
# `vpnc status` shows the network event as EVENT (an ERE).
judge() {
	local label=$1 limit=$2 keep=$3 peers
	if [ -z "$ROAM_MS" ] && [ $stock = 1 ]; then
		vt_log "  $label: no ping answered within $deadline s of the change (${VT_CLIENT_CMD[0]##*/})"
		vt_pass "$label: stock client measured: no answer within $deadline s"
		return 0
	fi
	if [ -z "$ROAM_MS" ]; then
		vt_fail "$label: no ping answered within $deadline s of the change"
		vt_dump_logs
		return 1
	fi
	vt_log "  $label: first ping answered $ROAM_MS ms after the change (${VT_CLIENT_CMD[0]##*/})"
	[ $stock = 1 ] && { vt_pass "$label: stock client measured: $ROAM_MS ms"; return 0; }
	if [ "$ROAM_MS" -lt "$limit" ]; then
		vt_pass "$label: tunnel back in $ROAM_MS ms (< $limit ms)"
	else
		vt_fail "$label: tunnel back in $ROAM_MS ms (want < $limit ms)"
		vt_dump_logs
	fi
	peers=$(vt_server_peers)
	if [ "$keep" = 1 ]; then
		vt_check "$label: the session was kept (no new session on the server)" [ "$peers" -eq "$peers_before" ]
	else
		vt_check "$label: a new session was set up" [ "$peers" -gt "$peers_before" ]
	fi
	sleep 0.2 # a probe's answer is logged after the tunnel's first ping
	if grep -q 'Network change' "$VT_DIR/client.log"; then
		vt_pass "$label: vpnc logged the network change"
		grep -e 'Network change' -e 'answered on the new path' -e 'Connection reset' "$VT_DIR/client.log" |
			sed 's/^/    /'
	else
		vt_fail "$label: vpnc logged the network change"
	fi
	status_event "$label" "$4"
}

# status_event LABEL PATTERN: `vpnc status` shows the network event and what was done (ERE), and the DNS mode.
status_event() {
	local out line
	out=$("${VT_CLIENT_CMD[0]}" status --control-socket "$VT_DIR/ctl.sock" 2>&1)
	line=$(printf '%s\n' "$out" | sed -n 's/^network: *//p')
	vt_log "    status: network: $line"
	if printf '%s\n' "$line" | grep -E -q "^[0-9]+ s ago: ($2)\$"; then
		vt_pass "$1: vpnc status shows the network event and what vpnc did"
	else
		vt_fail "$1: vpnc status network line '$line' (want /$2/)"
	fi
	vt_check "$1: vpnc status shows the DNS mode" grep -q '^dns mode: *none$' <<<"$out"
}

# finish LABEL: SIGTERM, exit code 0, clean namespace, server stopped.
finish() {
	local label=$1
	if vt_client_stop 5 && [ "$VT_CLI_RC" = 0 ]; then
		vt_pass "$label: SIGTERM, exit code 0 in $VT_CLI_STOP_MS ms"
	else
		vt_fail "$label: SIGTERM, exit code ${VT_CLI_RC:-none} (want 0 within 5 s)"
	fi
	# The second link goes after the client (its exit notification may take that way).
	ip -n "$VT_CLI_NS" link del "$ALT_CLI_VETH" 2>/dev/null
	vt_check "$label: client namespace clean" vt_ns_clean
	vt_server_stop
}

# swap_addr: the client's address changes (new one first, then the old one goes).
swap_addr() {
	ns_sysctl "$VT_CLI_NS" net.ipv4.conf.all.promote_secondaries 1 &&
		ns_sysctl "$VT_CLI_NS" "net.ipv4.conf.$VT_CLI_VETH.promote_secondaries" 1 || return 1
	ip -n "$VT_CLI_NS" addr add "$NEW_CLI_IP/24" dev "$VT_CLI_VETH" &&
		ip -n "$VT_CLI_NS" addr del "$VT_CLI_IP/24" dev "$VT_CLI_VETH"
}

# dead_link: a second veth pair whose far end is up but has no address (nobody answers ARP).
dead_link() {
	ip link add "$ALT_SRV_VETH" netns "$VT_SRV_NS" type veth \
		peer name "$ALT_CLI_VETH" netns "$VT_CLI_NS" || return 1
	ip -n "$VT_CLI_NS" addr add "$ALT_CLI_IP/24" dev "$ALT_CLI_VETH" &&
		ip -n "$VT_SRV_NS" link set "$ALT_SRV_VETH" up &&
		ip -n "$VT_CLI_NS" link set "$ALT_CLI_VETH" up
}

# probe_logged: waits (at most 3 s) until vpnc logged its probe's answer. The
# probe can follow the tunnel's first ping by up to a second: vpnc probes only
# once the link is running, which the kernel's link watch may report that late.
probe_logged() {
	[ $stock = 1 ] || wait_log 'answered on the new path' 3 ||
		vt_log "  no answer to a probe logged within 3 s"
}

# not_grep PATTERN FILE: PATTERN is not in FILE (which exists).
not_grep() {
	[ -r "$2" ] && ! grep -q -e "$1" "$2"
}

# wait_log TEXT SECONDS: waits until the client log has TEXT.
wait_log() {
	local i=0 limit=$(($2 * 20))
	while [ $i -lt $limit ]; do
		grep -q "$1" "$VT_DIR/client.log" 2>/dev/null && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# host_route DEV [ADDR]: the client has a host route to the server (at ADDR) through DEV.
host_route() {
	ip -n "$VT_CLI_NS" -4 route show "${2:-$VT_SRV_IP}/32" | grep -q "dev $1"
}

# redirected: redirect-gateway's 0.0.0.0/1 goes through the tunnel.
redirected() {
	ip -n "$VT_CLI_NS" -4 route show 0.0.0.0/1 | grep -q "dev $VT_CLI_TUN"
}

# alt_link: the second veth pair, up, with strict reverse-path filtering on the server's end.
alt_link() {
	local mac
	ip link add "$ALT_SRV_VETH" netns "$VT_SRV_NS" type veth \
		peer name "$ALT_CLI_VETH" netns "$VT_CLI_NS" || return 1
	ip -n "$VT_SRV_NS" addr add "$ALT_SRV_IP/24" dev "$ALT_SRV_VETH" &&
		ip -n "$VT_CLI_NS" addr add "$ALT_CLI_IP/24" dev "$ALT_CLI_VETH" &&
		ns_sysctl "$VT_SRV_NS" net.ipv4.conf.all.rp_filter 1 &&
		ns_sysctl "$VT_SRV_NS" "net.ipv4.conf.$ALT_SRV_VETH.rp_filter" 1 &&
		ip -n "$VT_SRV_NS" link set "$ALT_SRV_VETH" up &&
		ip -n "$VT_CLI_NS" link set "$ALT_CLI_VETH" up &&
		# A link in use knows its gateway's MAC address already (DHCP, router
		# solicitation); without this, the kernel's first ARP request would borrow
		# the old source address from a queued packet and be filtered. Set, not
		# learnt by a ping: the kill switch lets no ping out of the tunnel.
		mac=$(ip -n "$VT_SRV_NS" -br link show dev "$ALT_SRV_VETH" | awk '{ print $3 }') && [ -n "$mac" ] &&
		ip -n "$VT_CLI_NS" neigh replace "$ALT_SRV_IP" lladdr "$mac" dev "$ALT_CLI_VETH" nud permanent
}

# alt_move LABEL WHAT CMD...: the second link comes up; then CMD (WHAT, timed)
# moves the way to the server onto it; the recovery is measured and judged
# (< 1 s, the session kept, the socket moved). Status 1 if the change could not be made.
alt_move() {
	local label=$1 what=$2
	shift 2
	vt_check "$label: second link $ALT_CLI_IP <-> $ALT_SRV_IP up" alt_link || return 1
	sleep 0.3 # the new link's own notifications settle first
	clear_start
	t0=$(vt_now_us)
	vt_check "$label: $what" "$@" || return 1
	measure "$t0"
	clear_stop "$label"
	judge "$label" "$LIMIT_UDP_MS" 1 "source address changed on $ALT_CLI_VETH; socket moved, probe answered in [0-9]+ ms"
	return 0 # the change was made (judge recorded its own verdicts)
}

table=()
for c in $cases; do
	failed_before=$VT_FAILED
	case "$c" in
	addr | route | defroute | redirdef | linkdown | carrier | redirect | relink | deadpath)
		VT_SRV_PROTO=udp
		VT_CLIENT_REMOTES=""
		# defroute: the server listens on, and the client goes to, the far address (via the default route).
		VT_SRV_LOCAL=$VT_SRV_IP
		case "$c" in defroute | redirdef) VT_SRV_LOCAL=$VT_SRV_FAR_IP VT_CLIENT_REMOTES="remote $VT_SRV_FAR_IP $VT_PORT" ;; esac
		VT_SERVER_EXTRA=""
		case "$c" in redirect | redirdef | relink) VT_SERVER_EXTRA='push "redirect-gateway def1"' ;; esac
		redirect=0
		case "$c" in redirect | redirdef | relink) redirect=1 ;; esac
		;;
	tcp)
		VT_SRV_PROTO=tcp-server
		VT_SRV_LOCAL=$VT_SRV_IP
		VT_CLIENT_REMOTES="remote $VT_SRV_IP $VT_PORT tcp"
		VT_SERVER_EXTRA=""
		redirect=0
		;;
	*)
		vt_fail "unknown case $c"
		continue
		;;
	esac
	if [ "$c" = deadpath ] && [ $stock = 1 ]; then
		vt_log "  $c: vpnc only (skipped for the stock client)"
		continue
	fi
	begin "$c" || continue
	case "$c" in
	addr | tcp | redirect)
		if [ "$c" = redirect ]; then
			vt_check "$c: 0.0.0.0/1 goes through $VT_CLI_TUN" redirected
		fi
		clear_start
		t0=$(vt_now_us)
		if vt_check "$c: address $VT_CLI_IP -> $NEW_CLI_IP" swap_addr; then
			measure "$t0"
			clear_stop "$c"
			if [ "$c" = tcp ]; then
				judge "$c" "$LIMIT_TCP_MS" 0 "source address changed on $VT_CLI_VETH; reconnected"
			else
				judge "$c" "$LIMIT_UDP_MS" 1 "source address changed on $VT_CLI_VETH; socket moved, probe answered in [0-9]+ ms"
			fi
		fi
		;;
	route)
		alt_move "$c" "route to $VT_SRV_IP moved to $ALT_CLI_VETH" \
			ip -n "$VT_CLI_NS" route add "$VT_SRV_IP/32" via "$ALT_SRV_IP" dev "$ALT_CLI_VETH"
		;;
	defroute | redirdef)
		vt_check "$c: $VT_SRV_FAR_IP is reached through the default route via $VT_SRV_IP" \
			grep -q "via $VT_SRV_IP dev $VT_CLI_VETH" <<<"$(ip -n "$VT_CLI_NS" -4 route get "$VT_SRV_FAR_IP")"
		if [ "$c" = redirdef ]; then
			vt_check "$c: 0.0.0.0/1 goes through $VT_CLI_TUN" redirected
			[ $stock = 0 ] && vt_check "$c: a host route to $VT_SRV_FAR_IP through $VT_CLI_VETH" \
				host_route "$VT_CLI_VETH" "$VT_SRV_FAR_IP"
		fi
		if alt_move "$c" "default route replaced: via $ALT_SRV_IP dev $ALT_CLI_VETH" \
			ip -n "$VT_CLI_NS" route replace default via "$ALT_SRV_IP" dev "$ALT_CLI_VETH" &&
			[ "$c" = redirdef ] && [ $stock = 0 ]; then
			vt_check "$c: the host route to $VT_SRV_FAR_IP moved to $ALT_CLI_VETH" \
				host_route "$ALT_CLI_VETH" "$VT_SRV_FAR_IP"
			vt_check "$c: $VT_CLI_VETH is still up" grep -q 'state UP' \
				<<<"$(ip -n "$VT_CLI_NS" link show "$VT_CLI_VETH")"
		fi
		;;
	relink)
		vt_check "$c: 0.0.0.0/1 goes through $VT_CLI_TUN" redirected
		[ $stock = 0 ] && vt_check "$c: a host route to $VT_SRV_IP through $VT_CLI_VETH" host_route "$VT_CLI_VETH"
		if vt_check "$c: second link $ALT_CLI_IP <-> $ALT_SRV_IP up, default route via it" alt_link &&
			vt_check "$c: default route via $ALT_SRV_IP" \
				ip -n "$VT_CLI_NS" route replace default via "$ALT_SRV_IP" dev "$ALT_CLI_VETH"; then
			sleep 0.3 # the new link's own notifications settle first
			clear_start
			t0=$(vt_now_us)
			if vt_check "$c: link $VT_CLI_VETH down" ip -n "$VT_CLI_NS" link set "$VT_CLI_VETH" down; then
				measure "$t0"
				clear_stop "$c"
				judge "$c" "$LIMIT_UDP_MS" 1 "(route to the server moved|source address changed) on $ALT_CLI_VETH; (socket moved, )?probe answered in [0-9]+ ms"
				[ $stock = 0 ] &&
					vt_check "$c: the host route to $VT_SRV_IP moved to $ALT_CLI_VETH" host_route "$ALT_CLI_VETH"
			fi
		fi
		;;
	deadpath)
		if vt_check "$c: second link, dead at the far end" dead_link; then
			clear_start
			t0=$(vt_now_us)
			if vt_check "$c: route to $VT_SRV_IP moved to $ALT_CLI_VETH" \
				ip -n "$VT_CLI_NS" route add "$VT_SRV_IP/32" via "$ALT_SRV_IP" dev "$ALT_CLI_VETH"; then
				if wait_log 'Connection reset: the server did not answer' 3; then
					ms=$((($(vt_now_us) - t0) / 1000))
					vt_check "$c: unanswered probe: reconnecting after $ms ms (want < 2000)" [ "$ms" -lt 2000 ]
				else
					vt_fail "$c: unanswered probe: reconnecting within 3 s"
				fi
				# The next attempt starts after the 1 s restart pause, on the dead path still.
				sleep 1.5
				t0=$(vt_now_us)
				vt_check "$c: route to $VT_SRV_IP restored" \
					ip -n "$VT_CLI_NS" route del "$VT_SRV_IP/32" via "$ALT_SRV_IP" dev "$ALT_CLI_VETH"
				measure "$t0"
				clear_stop "$c"
				judge "$c" "$LIMIT_TCP_MS" 0 "source address changed on $VT_CLI_VETH; (no answer to the probe; )?reconnected"
			fi
		fi
		;;
	linkdown)
		clear_start
		if vt_check "$c: link $VT_CLI_VETH down" ip -n "$VT_CLI_NS" link set "$VT_CLI_VETH" down; then
			sleep 5
			t0=$(vt_now_us)
			if vt_check "$c: link $VT_CLI_VETH up after 5 s" ip -n "$VT_CLI_NS" link set "$VT_CLI_VETH" up; then
				measure "$t0"
				clear_stop "$c"
				probe_logged
				judge "$c" "$LIMIT_UDP_MS" 1 "route to the server back on $VT_CLI_VETH; probe answered in [0-9]+ ms"
			fi
		fi
		;;
	carrier)
		if [ $stock = 0 ] && vt_check "$c: a cable pulled: far end $VT_SRV_VETH down, $VT_CLI_VETH loses its carrier" \
			ip -n "$VT_SRV_NS" link set "$VT_SRV_VETH" down; then
			sleep 1.5
			vt_check "$c: and plugged in again: far end $VT_SRV_VETH up" ip -n "$VT_SRV_NS" link set "$VT_SRV_VETH" up
			vt_check "$c: vpnc saw the carrier go and come back, nothing else changed (no probe)" \
				wait_log 'has its carrier back; nothing else changed' 3
			status_event "$c (cable)" "route to the server back on $VT_CLI_VETH; the connection carries on"
			vt_check "$c: the session carries on" not_grep 'Connection reset' "$VT_DIR/client.log"
		fi
		clear_start
		if vt_check "$c: link $VT_CLI_VETH down" ip -n "$VT_CLI_NS" link set "$VT_CLI_VETH" down; then
			sleep 1
			# The far end down first: the client's veth comes up without carrier.
			if vt_check "$c: far end $VT_SRV_VETH down" ip -n "$VT_SRV_NS" link set "$VT_SRV_VETH" down &&
				vt_check "$c: link $VT_CLI_VETH up, without carrier" ip -n "$VT_CLI_NS" link set "$VT_CLI_VETH" up; then
				vt_check "$c: $VT_CLI_VETH has no carrier, its route to $VT_SRV_IP is back (linkdown)" \
					grep -q linkdown <<<"$(ip -n "$VT_CLI_NS" route show dev "$VT_CLI_VETH")"
				# Longer than the probe's 1 s wait: a probe sent into the dead link would have failed by now.
				sleep 2
			fi
			t0=$(vt_now_us)
			if vt_check "$c: far end $VT_SRV_VETH up: the carrier comes" \
				ip -n "$VT_SRV_NS" link set "$VT_SRV_VETH" up; then
				measure "$t0"
				clear_stop "$c"
				probe_logged
				judge "$c" "$LIMIT_CARRIER_MS" 1 "route to the server back on $VT_CLI_VETH; probe answered in [0-9]+ ms"
				if [ $stock = 0 ]; then
					vt_check "$c: vpnc waited for the carrier" grep -q 'has no carrier yet; waiting for it' "$VT_DIR/client.log"
					vt_check "$c: and probed only after it (no probe went unanswered)" \
						not_grep 'Connection reset' "$VT_DIR/client.log"
				fi
			fi
		fi
		ip -n "$VT_SRV_NS" link set "$VT_SRV_VETH" up 2>/dev/null
		;;
	esac
	finish "$c"
	[ "$VT_FAILED" -ne "$failed_before" ] && vt_dump_logs
done

vt_log "$name: recovery and packets for the tunnel sent in the clear during the outage:"
vt_log "$(vt_clear_row case client "recovery (ms)" "in clear")"
for row in "${table[@]}"; do vt_log "$row"; done
vt_summary "$name"
