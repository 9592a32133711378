#!/bin/bash
# test_resolvconf.sh: the resolvconf DNS backend on a full tunnel, with the
# real resolvconf programs against a stock OpenVPN 2.6 server.
#
# Usage: test_resolvconf.sh <client-binary>
#
# The server pushes redirect-gateway def1 and one DNS server. The client runs
# in a private mount namespace where a temporary resolv.conf, a temporary /run
# and the program under test (unpacked from Debian's package by
# contrib/install-deps.sh, its /etc and /lib paths moved into the test's
# directory) are bind-mounted over the real ones; nothing on the host changes.
#  1. openresolv: a LAN record (192.0.2.53) is there before vpnc starts; while
#     connected, resolv.conf holds only the VPN's server (vpnc asked for an
#     exclusive record with -x), no warning is logged; after SIGTERM the LAN
#     server is back alone.
#  2. The same vpnc run on a split tunnel (no redirect-gateway) keeps the LAN
#     server after the VPN's (a plain record).
#  3. Debian's resolvconf refuses "-x -a" with status 99 and records nothing,
#     which is what vpnc's fallback to a plain record relies on (the fallback
#     itself and its warning are checked in tests/unit/test_dns.c).
# Needs root. Last line: "test_resolvconf: N passed, M failed".
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

name=test_resolvconf
debs=${VPNC_TEST_DEBS:-/var/cache/vpnc-tests}
prereq() {
	vt_require_tools && command -v unshare >/dev/null &&
		[ -x "$debs/openresolv/sbin/resolvconf" ] && [ -x "$debs/resolvconf/sbin/resolvconf" ] &&
		[ -e /usr/sbin/resolvconf ] # the bind mount needs something to cover
}
if ! prereq; then
	vt_log "needs unshare, $debs/{openresolv,resolvconf} (contrib/install-deps.sh test) and a /usr/sbin/resolvconf to cover"
	vt_fail "prerequisites"
	vt_summary $name
	exit 1
fi
vt_client_resolve "${1:-}" || { vt_fail "client binary"; vt_summary $name; exit 1; }
if vt_client_is_stock; then
	vt_log "stock client: --dns-mode is vpnc's own; nothing to compare"
	vt_summary $name
	exit 1
fi
vt_init || exit 1
vt_log "$name: client is: ${VT_CLIENT_CMD[*]}"
real_client=("${VT_CLIENT_CMD[@]}")

DNS4=10.200.0.53
LAN=192.0.2.53

# The programs, their own paths moved under $VT_DIR (state stays in /run/resolvconf,
# which is the private /run).
prepare() {
	local p
	for p in openresolv resolvconf; do
		cp -a "$debs/$p" "$VT_DIR/$p" || return 1
		mkdir -p "$VT_DIR/$p/etc"
	done
	sed -i -e "s|^SYSCONFDIR=/etc|SYSCONFDIR=$VT_DIR/openresolv/etc|" \
		-e "s|^LIBEXECDIR=/lib/resolvconf|LIBEXECDIR=$VT_DIR/openresolv/lib/resolvconf|" \
		"$VT_DIR/openresolv/sbin/resolvconf" "$VT_DIR/openresolv/lib/resolvconf/"* 2>/dev/null
	grep -q "^SYSCONFDIR=$VT_DIR/openresolv/etc" "$VT_DIR/openresolv/sbin/resolvconf" || return 1
	# The libc subscriber writes resolv_conf (the default, /etc/resolv.conf: the private file).
	: >"$VT_DIR/openresolv/etc/resolvconf.conf"
	mkdir -p "$VT_DIR/run"
	# ns.sh PROGRAM CMD...: CMD in a private mount namespace with PROGRAM as resolvconf.
	cat >"$VT_DIR/ns.sh" <<-EOF
	#!/bin/sh
	prog=\$1
	shift
	mount --bind "$VT_DIR/resolv.conf" /etc/resolv.conf || exit 97
	mount --bind "$VT_DIR/run" /run || exit 97
	mount --bind "\$prog" /usr/sbin/resolvconf || exit 97
	exec "\$@"
	EOF
	chmod 755 "$VT_DIR/ns.sh"
}

# in_ns PROGRAM CMD...: runs CMD like the client will see it.
in_ns() {
	ip netns exec "$VT_CLI_NS" unshare -m --propagation private "$VT_DIR/ns.sh" "$@"
}

# nameservers: the nameserver lines of the private resolv.conf, space-separated.
nameservers() {
	awk '$1 == "nameserver" { printf "%s%s", sep, $2; sep = " " }' "$VT_DIR/resolv.conf"
}

setup() {
	vt_netns_up && vt_netns_routed && vt_pki ed25519 && prepare || return 1
	printf '# test original\nnameserver 192.0.2.1\n' >"$VT_DIR/resolv.conf"
	# The LAN's record, as a DHCP client hook would add it.
	printf 'nameserver %s\nsearch lan.example\n' "$LAN" |
		in_ns "$VT_DIR/openresolv/sbin/resolvconf" /usr/sbin/resolvconf -a vcli.dhcp || return 1
	[ "$(nameservers)" = "$LAN" ]
}
if ! vt_check "namespaces, PKI, openresolv with a LAN record" setup; then
	vt_dump_logs
	vt_summary $name
	exit 1
fi

VT_SRV_LOCAL=$VT_SRV_FAR_IP
VT_REMOTE=$VT_SRV_FAR_IP
VT_CLIENT_ARGS="--dns-mode resolvconf"
VT_CLIENT_CMD=(unshare -m --propagation private "$VT_DIR/ns.sh" "$VT_DIR/openresolv/sbin/resolvconf" "${real_client[@]}")

# run_case LABEL PUSH WANT_CONNECTED: server pushing PUSH; checks resolv.conf while connected.
run_case() {
	local label=$1 want=$3
	VT_SERVER_EXTRA="$2
push \"dhcp-option DNS $DNS4\""
	vt_server_conf
	vt_client_conf
	if ! vt_check "$label: server up" vt_server_start; then
		return 1
	fi
	vt_client_start
	if vt_check "$label: connected" vt_wait_tun_ipv4 15; then
		local got="" i
		for i in $(seq 1 50); do
			got=$(nameservers)
			[ "$got" = "$want" ] && break
			sleep 0.1
		done
		vt_check "$label: resolv.conf nameservers are '$want' (got '$got')" eval '[ "$got" = "$want" ]'
	else
		vt_dump_logs
	fi
	vt_check "$label: SIGTERM ends the client" vt_client_stop 5
	vt_check "$label: exit code 0" eval '[ "${VT_CLI_RC:-1}" = 0 ]'
	vt_check "$label: the LAN server alone again after exit" eval '[ "$(nameservers)" = "$LAN" ]'
	vt_server_stop
}

run_case "openresolv, full tunnel" 'push "redirect-gateway def1"' "$DNS4"
vt_check "openresolv, full tunnel: no warning about other links' servers" \
	eval '! grep -q "cannot make the VPN.s servers the only ones" "$VT_DIR/client.log"'
run_case "openresolv, split tunnel" 'push "route 10.201.0.0 255.255.255.0"' "$DNS4 $LAN"

# Debian's resolvconf: "-x" is not a command it knows; it must refuse before doing anything.
debian_refuses_x() {
	local rc=0
	printf 'nameserver %s\n' "$DNS4" |
		in_ns "$VT_DIR/resolvconf/sbin/resolvconf" /usr/sbin/resolvconf -x -a tun9.vpnc 2>/dev/null || rc=$?
	[ "$rc" = 99 ] && ! ls "$VT_DIR/run/resolvconf/interface/tun9.vpnc" >/dev/null 2>&1
}
vt_check "Debian's resolvconf refuses -x (status 99) and records nothing" debian_refuses_x

vt_summary $name
