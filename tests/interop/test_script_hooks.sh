#!/bin/bash
# test_script_hooks.sh: the route-pre-down, ipchange and tls-verify scripts (with x509-track and
# tls-export-cert) against a stock
# OpenVPN 2.6 server.
#
# Usage: test_script_hooks.sh <client-binary> | --stock-client
#
#  1. ipchange, up, route-pre-down and down all append to one file through
#     tests/data/scripts/dump-env.sh (route-pre-down also lists the routes
#     on the tunnel device at that moment): the order is ipchange, up,
#     route-pre-down, down; ipchange gets the server's "[AF_INET]address port"
#     as ONE argument (2.6 prints both into one), script_type=ipchange, trusted_ip
#     and trusted_port, no pushed value; route-pre-down gets up's
#     arguments and a signal, and the pushed routes are still on the device
#     when it runs. vpnc runs this with privilege separation (the default) and
#     again with 'privsep no'. With --stock-client the same checks run against
#     stock openvpn, which is how the expectations were confirmed.
#  2. ipchange given with commas ('ipchange SCRIPT,OUT') runs as with spaces.
#  3. An ipchange script that exits 3: the client connects anyway, one
#     warning, exit 0 on SIGTERM (2.6 only warns). A route-pre-down script
#     that exits 3: exit status 1 at SIGTERM, as 2.6 (fatal there, as up and
#     down), one line, nothing left behind. Without script-security 2
#     (vpnc only): route-pre-down and tls-verify keep vpnc from starting,
#     ipchange is skipped with a warning.
#  4. tls-verify: run for each certificate of the chain (depth 1, then 0)
#     with "depth subject" and the tls_id/serial/serial_hex/digest/
#     digest_sha256 values and X509_N_* subject fields of the chain so far,
#     compared byte for byte with what stock openvpn's script saw; with
#     x509-track only the tracked attributes (also compared with stock); a script that rejects depth 0 stops
#     the connection (vpnc: exit status 3, with and without privsep).
#  5. tls-export-cert: the tls-verify script finds each certificate in
#     $peer_cert, a new 0600 file openvpn_pef_<hex>.tmp in the directory,
#     removed afterwards; with a directory that does not exist the client
#     does not start.
# Needs root. Last line: "test_script_hooks: N passed, M failed".
# shellcheck disable=SC2119,SC2015,SC2016 # A && B || report: report runs when any check fails, as meant; eval and the script text expand later
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_script_hooks
dump="$here/../data/scripts/dump-env.sh"
if ! vt_require_tools; then
	vt_fail "prerequisites"
	vt_summary $name
	exit 1
fi
vt_client_resolve "${1:-}" || { vt_fail "client binary"; vt_summary $name; exit 1; }
vt_init || exit 1
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"

setup() {
	vt_netns_up || return 1
	vt_pki ed25519 || return 1
	vt_server_conf
	vt_server_start
}
if ! vt_check "namespaces, PKI and stock OpenVPN server up" setup; then
	vt_summary $name
	exit 1
fi

ipbin=$(command -v ip)
# route-pre-down: the dump, and the IPv4 routes on the device (\$1) into OUT.routes.
cat >"$VT_DIR/predown.sh" <<EOF
#!/bin/sh
out="\$1"
shift
$dump "\$out" "\$@"
$ipbin -4 route show dev "\$1" >"\$out.routes"
EOF
printf '#!/bin/sh\nexit 3\n' >"$VT_DIR/exit3.sh"
chmod 755 "$VT_DIR/predown.sh" "$VT_DIR/exit3.sh"

# has FILE LINE: FILE has exactly this line.
has() { grep -q -x -F -- "$2" "$1"; }
# section FILE N: the N-th run's block of the dump file (blocks end with "--").
section() { awk -v n="$2" 'BEGIN { b = 1 } /^--$/ { b++; next } b == n' "$1"; }

# run_all TAG EXTRA: one connect and SIGTERM with all four scripts writing to $VT_DIR/TAG.env.
run_all() {
	local out=$VT_DIR/$1.env
	rm -f "$out" "$out.routes"
	VT_CLIENT_EXTRA="script-security 2
ipchange \"$dump $out\"
up \"$dump $out\"
route-pre-down \"$VT_DIR/predown.sh $out\"
down \"$dump $out\"
$2"
	vt_client_conf
	vt_client_start
	if ! vt_wait_tun_ipv4 15; then
		vt_log "  not connected within 15 s"
		vt_client_stop 5
		return 1
	fi
	for _ in $(seq 1 30); do grep -q '^script_type=up' "$out" 2>/dev/null && break; sleep 0.1; done
	TUN=$VT_CLI_TUN
	LIP=$(ip -n "$VT_CLI_NS" -4 -o addr show dev "$TUN" | awk '{ split($4, a, "/"); print a[1]; exit }')
	vt_client_stop 10 && [ "$VT_CLI_RC" = 0 ] || { vt_log "  stop: status $VT_CLI_RC"; return 1; }
	for _ in $(seq 1 30); do grep -q '^script_type=down' "$out" 2>/dev/null && break; sleep 0.1; done
	grep -q '^script_type=down' "$out"
}

check_order() {
	local out=$VT_DIR/$1.env got
	got=$(grep '^script_type=' "$out" | tr '\n' ' ')
	[ "$got" = "script_type=ipchange script_type=up script_type=route-pre-down script_type=down " ] ||
		{ vt_log "  order: $got"; return 1; }
}
check_ipchange() {
	local f=$VT_DIR/$1.ipchange
	section "$VT_DIR/$1.env" 1 >"$f"
	has "$f" "script_type=ipchange" && has "$f" "arg1=[AF_INET]$VT_SRV_IP $VT_PORT" && ! grep -q '^arg2=' "$f" &&
		has "$f" "trusted_ip=$VT_SRV_IP" && has "$f" "trusted_port=$VT_PORT" &&
		! grep -q -e '^ifconfig_local=' -e '^route_network_' -e '^foreign_option_' "$f" ||
		{ vt_log "  ipchange saw:"; sed 's/^/    /' "$f"; return 1; }
}
check_predown() {
	local f=$VT_DIR/$1.predown
	section "$VT_DIR/$1.env" 3 >"$f"
	has "$f" "script_type=route-pre-down" && has "$f" "arg1=$TUN" && has "$f" "arg2=1500" &&
		has "$f" "arg3=0" && has "$f" "arg4=$LIP" && has "$f" "arg5=$VT_TUN_MASK" &&
		has "$f" "arg6=init" && ! grep -q '^arg7=' "$f" && grep -q '^signal=' "$f" &&
		has "$f" "ifconfig_local=$LIP" && has "$f" "route_network_1=${VT_PUSH_ROUTE%/*}" &&
		grep -q "^${VT_PUSH_ROUTE} " "$VT_DIR/$1.env.routes" ||
		{ vt_log "  route-pre-down saw:"; sed 's/^/    /' "$f"; return 1; }
}

rounds=("ps:")
vt_client_is_stock || rounds+=("one:privsep no")
for r in "${rounds[@]}"; do
	tag=${r%%:*}
	more=${r#*:}
	if ! vt_check "[$tag] connect and SIGTERM with ipchange, up, route-pre-down, down" run_all "$tag" "$more"; then
		vt_dump_logs
		continue
	fi
	vt_check "[$tag] order: ipchange, up, route-pre-down, down" check_order "$tag"
	vt_check "[$tag] ipchange: 'address port' as one argument, trusted_ip/port, nothing pushed" \
		check_ipchange "$tag"
	vt_check "[$tag] route-pre-down: up's arguments, signal, the pushed route still on the device" \
		check_predown "$tag"
	vt_check "[$tag] nothing left behind" vt_ns_clean
done

# ---- 2. commas in ipchange ----
commas() {
	local out=$VT_DIR/commas.env
	rm -f "$out"
	VT_CLIENT_EXTRA="script-security 2
ipchange $dump,$out"
	vt_client_conf
	vt_client_start
	vt_wait_tun_ipv4 15 || { vt_client_stop 5; return 1; }
	for _ in $(seq 1 30); do [ -s "$out" ] && break; sleep 0.1; done
	vt_client_stop 10
	has "$out" "arg1=[AF_INET]$VT_SRV_IP $VT_PORT" && has "$out" "script_type=ipchange"
}
vt_check "ipchange with commas: run as with spaces" commas

# ---- 3. failing scripts ----
# ipchange failing is a warning in 2.6 (its openvpn_run_script without S_FATAL); route-pre-down
# runs as up and down do, so its failure is fatal: 2.6 exits 1 (vpnc still removes what it set up).
ipchange_fails() {
	VT_CLIENT_EXTRA="script-security 2
ipchange $VT_DIR/exit3.sh"
	vt_client_conf
	vt_client_start
	vt_wait_tun_ipv4 15 || { vt_log "  did not connect"; vt_client_stop 5; return 1; }
	vt_client_stop 10 && [ "$VT_CLI_RC" = 0 ] || { vt_log "  stop: status $VT_CLI_RC"; return 1; }
	vt_client_is_stock && return 0
	[ "$(grep -c 'The ipchange script failed with status 3' "$VT_DIR/client.log")" = 1 ] && vt_ns_clean
}
vt_check "ipchange exits 3: connected anyway, one warning, exit 0" ipchange_fails
predown_fails() {
	VT_CLIENT_EXTRA="script-security 2
route-pre-down $VT_DIR/exit3.sh
$1"
	vt_client_conf
	vt_client_start
	vt_wait_tun_ipv4 15 || { vt_log "  did not connect"; vt_client_stop 5; return 1; }
	vt_client_stop 10 && [ "$VT_CLI_RC" = 1 ] || { vt_log "  stop: status $VT_CLI_RC, want 1"; return 1; }
	vt_client_is_stock && return 0
	[ "$(grep -c 'The route-pre-down script failed with status 3' "$VT_DIR/client.log")" = 1 ] && vt_ns_clean
}
# Without script-security 2 2.6 fails when it comes to run route-pre-down or tls-verify; vpnc
# says so at start (as for up and down); ipchange is only skipped with a warning, as in 2.6.
no_security() {
	VT_CLIENT_EXTRA="$1 $VT_DIR/exit3.sh"
	vt_client_conf
	vt_client_start
	vt_client_wait_exit 20 || { vt_log "  still running"; vt_client_stop 5; return 1; }
	[ "$VT_CLI_RC" = 1 ] && grep -q "The '$1' script needs 'script-security 2'" "$VT_DIR/client.log" && vt_ns_clean
}
ipchange_no_security() {
	VT_CLIENT_EXTRA="ipchange $VT_DIR/exit3.sh"
	vt_client_conf
	vt_client_start
	vt_wait_tun_ipv4 15 || { vt_log "  did not connect"; vt_client_stop 5; return 1; }
	vt_client_stop 10 && [ "$VT_CLI_RC" = 0 ] &&
		[ "$(grep -c "The ipchange script is not run: it needs 'script-security 2'" "$VT_DIR/client.log")" = 1 ]
}
if ! vt_client_is_stock; then
	vt_check "route-pre-down without script-security 2: does not start, one line" no_security route-pre-down
	vt_check "tls-verify without script-security 2: does not start, one line" no_security tls-verify
	vt_check "ipchange without script-security 2: connects, one warning, not run" ipchange_no_security
fi
vt_check "route-pre-down exits 3: exit status 1, one line, nothing left behind" predown_fails ""
vt_client_is_stock || vt_check "route-pre-down exits 3 (privsep no): the same" predown_fails "privsep no"

# ---- 4. tls-verify ----
# One run per certificate of the chain, deepest first: "CMD depth subject" and the chain's tls_*
# values so far. The values are compared with what stock openvpn's run gave (when it is there).
verify_dump() {
	local out=$1
	rm -f "$out"
	VT_CLIENT_EXTRA="script-security 2
tls-verify \"$dump $out\"
${2:-}"
	vt_client_conf
	vt_client_start
	vt_wait_tun_ipv4 15 || { vt_log "  did not connect"; vt_client_stop 5; return 1; }
	vt_client_stop 10
	# The lines both clients have: the arguments, script_type and the tls_* values.
	grep -E '^(arg[0-9]=|script_type=|tls_(id|serial|serial_hex|digest|digest_sha256)_[0-9]=|X509_[0-9]+_[A-Za-z0-9_]+=|--$)' \
		"$out" >"$out.cmp"
}
check_verify() {
	local f=$VT_DIR/verify.env.cmp a b
	a=$(section "$f" 1)
	b=$(section "$f" 2)
	[[ $a == *"arg1=1"$'\n'"arg2=CN=vpnc test CA"* ]] && [[ $a == *"script_type=tls-verify"* ]] &&
		[[ $a == *"tls_id_1=CN=vpnc test CA"* ]] && [[ $a != *"tls_id_0="* ]] &&
		[[ $b == *"arg1=0"$'\n'"arg2=CN=server"* ]] && [[ $b == *"tls_id_0=CN=server"* ]] &&
		[[ $b == *"tls_id_1=CN=vpnc test CA"* ]] && [[ $b == *"tls_digest_sha256_0="* ]] &&
		[[ $b == *"X509_0_CN=server"* ]] && [[ $b == *"X509_1_CN=vpnc test CA"* ]] &&
		[ -z "$(section "$f" 3)" ] || { vt_log "  tls-verify saw:"; sed 's/^/    /' "$f"; return 1; }
}
vt_check "tls-verify: run for depth 1 then 0, 'depth subject', the chain's tls_* values" \
	eval 'verify_dump "$VT_DIR/verify.env" && check_verify'
if ! vt_client_is_stock && command -v openvpn >/dev/null; then
	same_as_stock() {
		local mine=("${VT_CLIENT_CMD[@]}")
		VT_CLIENT_CMD=("$(command -v openvpn)")
		verify_dump "$VT_DIR/stock-verify.env"
		VT_CLIENT_CMD=("${mine[@]}")
		cmp "$VT_DIR/verify.env.cmp" "$VT_DIR/stock-verify.env.cmp" ||
			{ diff "$VT_DIR/stock-verify.env.cmp" "$VT_DIR/verify.env.cmp" | sed 's/^/    /'; return 1; }
	}
	vt_check "tls-verify: arguments, tls_* and X509_* values exactly as stock openvpn's" same_as_stock
fi
# x509-track: only the tracked attributes as X509_N_*, '+' for the whole chain.
TRACK="x509-track +SHA256
x509-track SHA1
x509-track CN
x509-track +basicConstraints
x509-track keyUsage"
check_track() {
	local f=$VT_DIR/track.env.cmp a b
	a=$(section "$f" 1)
	b=$(section "$f" 2)
	[[ $a == *"X509_1_SHA256="* ]] && [[ $a == *"X509_1_basicConstraints=CA:TRUE"* ]] &&
		[[ $a != *"X509_1_CN="* ]] && [[ $a != *"X509_1_SHA1="* ]] &&
		[[ $b == *"X509_0_CN=server"* ]] && [[ $b == *"X509_0_SHA1="* ]] && [[ $b == *"X509_0_keyUsage="* ]] &&
		[[ $b == *"X509_0_basicConstraints=CA:FALSE"* ]] ||
		{ vt_log "  tls-verify saw:"; sed 's/^/    /' "$f"; return 1; }
}
vt_check "x509-track: only the tracked attributes, '+' for the whole chain" \
	eval 'verify_dump "$VT_DIR/track.env" "$TRACK" && check_track'
if ! vt_client_is_stock && command -v openvpn >/dev/null; then
	track_as_stock() {
		local mine=("${VT_CLIENT_CMD[@]}")
		VT_CLIENT_CMD=("$(command -v openvpn)")
		verify_dump "$VT_DIR/stock-track.env" "$TRACK"
		VT_CLIENT_CMD=("${mine[@]}")
		cmp "$VT_DIR/track.env.cmp" "$VT_DIR/stock-track.env.cmp" ||
			{ diff "$VT_DIR/stock-track.env.cmp" "$VT_DIR/track.env.cmp" | sed 's/^/    /'; return 1; }
	}
	vt_check "x509-track: X509_* values exactly as stock openvpn's" track_as_stock
fi
# A script that rejects the server's own certificate (depth 0): no tunnel; vpnc ends with exit
# status 3 (the certificate failed verification) and says why; stock 2.6 keeps retrying.
printf '#!/bin/sh\n[ "$1" = 0 ] && exit 1\nexit 0\n' >"$VT_DIR/reject0.sh"
chmod 755 "$VT_DIR/reject0.sh"
verify_rejects() {
	VT_CLIENT_EXTRA="script-security 2
tls-verify $VT_DIR/reject0.sh
$1"
	vt_client_conf
	vt_client_start
	if vt_client_is_stock; then
		! vt_wait_tun_ipv4 8
		vt_client_stop 5
		grep -q 'VERIFY SCRIPT ERROR' "$VT_DIR/client.log"
		return
	fi
	vt_client_wait_exit 20 || { vt_log "  still running"; vt_client_stop 5; return 1; }
	[ "$VT_CLI_RC" = 3 ] || { vt_log "  exit status $VT_CLI_RC, want 3"; return 1; }
	grep -q 'tls-verify script rejected' "$VT_DIR/client.log" && vt_ns_clean
}
vt_check "tls-verify rejects depth 0: no tunnel, exit status 3, the reason logged" verify_rejects ""
vt_client_is_stock || vt_check "tls-verify rejects depth 0 (privsep no): the same" verify_rejects "privsep no"

# ---- 5. tls-export-cert ----
# The tls-verify script finds each certificate in $peer_cert, a new file in the directory
# (openvpn_pef_<16 to 32 hex digits>.tmp, mode 0600), removed after it ran.
mkdir -p "$VT_DIR/export"
cat >"$VT_DIR/export.sh" <<EOF
#!/bin/sh
/bin/cp "\$peer_cert" "$VT_DIR/exported.\$1.pem"
/usr/bin/stat -c '%a' "\$peer_cert" >"$VT_DIR/exported.\$1.mode"
echo "\$peer_cert" >"$VT_DIR/exported.\$1.name"
EOF
chmod 755 "$VT_DIR/export.sh"
fp() { openssl x509 -noout -fingerprint -sha256 -in "$1" 2>/dev/null; }
export_cert() {
	rm -f "$VT_DIR"/exported.*
	VT_CLIENT_EXTRA="script-security 2
tls-verify $VT_DIR/export.sh
tls-export-cert $VT_DIR/export"
	vt_client_conf
	vt_client_start
	vt_wait_tun_ipv4 15 || { vt_log "  did not connect"; vt_client_stop 5; return 1; }
	vt_client_stop 10
	[ "$(fp "$VT_DIR/exported.0.pem")" = "$(fp "$VT_DIR/pki/server.crt")" ] &&
		[ "$(fp "$VT_DIR/exported.1.pem")" = "$(fp "$VT_DIR/pki/ca.crt")" ] &&
		[ -n "$(fp "$VT_DIR/exported.0.pem")" ] &&
		grep -q -x -E "$VT_DIR/export/openvpn_pef_[0-9a-f]{16,32}\.tmp" "$VT_DIR/exported.0.name" &&
		[ "$(cat "$VT_DIR/exported.0.mode")" = 600 ] &&
		[ -z "$(ls -A "$VT_DIR/export")" ] ||
		{ vt_log "  exported: $(cat "$VT_DIR"/exported.*.name 2>&1) left: $(ls -A "$VT_DIR/export")"; return 1; }
}
vt_check "tls-export-cert: each certificate in \$peer_cert (new 0600 file) while tls-verify runs, then removed" \
	export_cert
# 2.6 checks the directory at start: the profile does not start (vpnc: exit status 2, the option named).
export_fails() {
	VT_CLIENT_EXTRA="script-security 2
tls-verify $VT_DIR/export.sh
tls-export-cert $VT_DIR/no-such-dir"
	vt_client_conf
	vt_client_start
	vt_client_wait_exit 20 || { vt_log "  still running"; vt_client_stop 5; return 1; }
	if vt_client_is_stock; then
		[ "$VT_CLI_RC" != 0 ] && grep -q "tls-export-cert fails with" "$VT_DIR/client.log"
		return
	fi
	[ "$VT_CLI_RC" = 2 ] && grep -q "option 'tls-export-cert': cannot write in '$VT_DIR/no-such-dir'" "$VT_DIR/client.log"
}
vt_check "tls-export-cert into a missing directory: does not start (vpnc: exit status 2)" export_fails

[ "$VT_FAILED" = 0 ] || vt_dump_logs
vt_summary $name
