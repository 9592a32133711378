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
#     which is what vpnc's fallback to a plain record relies on.
#  4. Debian's resolvconf as a Debian system with the package has it: its own
#     /etc/resolvconf, /etc/resolv.conf a symlink to /run/resolvconf/resolv.conf
#     (an overlay on /etc in the private mount namespace), updates enabled, a
#     LAN record. Full tunnel: while connected /etc/resolv.conf holds only the
#     VPN's server (vpnc wrote it on top of its plain record), the log has
#     the one warning line and `vpnc status` says "full tunnel"; a DHCP
#     renewal meanwhile (the LAN record changes: resolvconf rewrites the
#     file with the LAN's server after the VPN's) is seen by vpnc's watch,
#     which within 5 s puts the VPN's server back alone, logging it once;
#     after SIGTERM the LAN's current server is there alone (not the stale
#     copy), and no record, saved copy or state is left.
#  5. The same on a split tunnel: the VPN's server, then the LAN's; no warning.
#  6. --dns-mode file on a full tunnel: only the VPN's server while
#     connected, and after SIGTERM the file byte for byte as before.
# Needs root and overlayfs. Last line: "test_resolvconf: N passed, M failed".
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
host_conf=$(ls -l /etc/resolv.conf 2>&1; cat /etc/resolv.conf 2>&1)
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
	# Debian's: its helpers under $VT_DIR (the /etc/resolvconf it reads is its own, see ns_deb.sh).
	sed -i "s|/lib/resolvconf/|$VT_DIR/resolvconf/lib/resolvconf/|g" \
		"$VT_DIR/resolvconf/sbin/resolvconf" "$VT_DIR/resolvconf/etc/resolvconf/update.d/libc" || return 1
	grep -q "$VT_DIR/resolvconf/lib/resolvconf/list-records" "$VT_DIR/resolvconf/sbin/resolvconf" || return 1
	mkdir -p "$VT_DIR/rundeb/resolvconf/interface" "$VT_DIR/ovl" || return 1
	: >"$VT_DIR/rundeb/resolvconf/enable-updates"
	# ns_deb.sh CMD...: CMD on a system set up by Debian's resolvconf package. /etc is an
	# overlay (upper layer on a tmpfs of this namespace alone) with the package's
	# /etc/resolvconf (not the host's, whose hooks must not run) and /etc/resolv.conf the
	# package's symlink; the state, and the file the symlink names, are in the private /run.
	cat >"$VT_DIR/ns_deb.sh" <<-EOF
	#!/bin/sh
	mount -t tmpfs -o mode=0755 tmpfs "$VT_DIR/ovl" && mkdir "$VT_DIR/ovl/u" "$VT_DIR/ovl/w" || exit 97
	mount -t overlay overlay -o "lowerdir=/etc,upperdir=$VT_DIR/ovl/u,workdir=$VT_DIR/ovl/w" /etc || exit 97
	rm -rf /etc/resolvconf && cp -a "$VT_DIR/resolvconf/etc/resolvconf" /etc/resolvconf || exit 97
	ln -sfn /run/resolvconf/resolv.conf /etc/resolv.conf || exit 97
	mount --bind "$VT_DIR/rundeb" /run || exit 97
	mount --bind "$VT_DIR/resolvconf/sbin/resolvconf" /usr/sbin/resolvconf || exit 97
	exec "\$@"
	EOF
	chmod 755 "$VT_DIR/ns_deb.sh"
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

# in_deb CMD...: runs CMD where Debian's resolvconf manages /etc/resolv.conf.
in_deb() {
	ip netns exec "$VT_CLI_NS" unshare -m --propagation private "$VT_DIR/ns_deb.sh" "$@"
}

# conf_text: /etc/resolv.conf as the client's resolver reads it (WORLD=deb: through the symlink).
WORLD=plain
conf_text() {
	if [ "$WORLD" = deb ]; then
		in_deb cat /etc/resolv.conf
	else
		cat "$VT_DIR/resolv.conf"
	fi
}

# nameservers: the nameserver lines of that resolv.conf, space-separated.
nameservers() {
	conf_text | awk '$1 == "nameserver" { printf "%s%s", sep, $2; sep = " " }'
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

# wait_ns WANT: until the nameservers are WANT (<= 5 s); prints the last seen.
wait_ns() {
	local got="" i
	for i in $(seq 1 50); do
		got=$(nameservers)
		[ "$got" = "$1" ] && break
		sleep 0.1
	done
	printf '%s' "$got"
}

# run_case LABEL PUSH WANT_CONNECTED [WANT_AFTER]: server pushing PUSH; checks resolv.conf
# while connected (then runs the function in $DURING, if set) and after the exit.
run_case() {
	local label=$1 want=$3 after=${4:-$LAN}
	VT_SERVER_EXTRA="$2
push \"dhcp-option DNS $DNS4\""
	vt_server_conf
	vt_client_conf
	if ! vt_check "$label: server up" vt_server_start; then
		return 1
	fi
	vt_client_start
	if vt_check "$label: connected" vt_wait_tun_ipv4 15; then
		local got
		got=$(wait_ns "$want")
		vt_check "$label: resolv.conf nameservers are '$want' (got '$got')" eval '[ "$got" = "$want" ]'
		[ -n "${DURING:-}" ] && "$DURING" "$label"
	else
		vt_dump_logs
	fi
	vt_check "$label: SIGTERM ends the client" vt_client_stop 5
	vt_check "$label: exit code 0" eval '[ "${VT_CLI_RC:-1}" = 0 ]'
	vt_check "$label: the LAN server ($after) alone again after exit (got '$(nameservers)')" \
		eval '[ "$(nameservers)" = "$after" ]'
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

# Debian's resolvconf managing /etc/resolv.conf, with the LAN's record.
LAN2=192.0.2.54
deb_setup() {
	printf 'nameserver %s\nsearch lan.example\n' "$LAN" | in_deb /usr/sbin/resolvconf -a vcli.dhcp &&
		[ "$(in_deb readlink /etc/resolv.conf)" = /run/resolvconf/resolv.conf ] &&
		[ "$(WORLD=deb nameservers)" = "$LAN" ]
}
vt_check "Debian's resolvconf: /etc/resolv.conf is its symlink, with the LAN record" deb_setup
WORLD=deb
VT_CLIENT_ARGS="--dns-mode resolvconf --control-socket $VT_DIR/ctl.sock"
VT_CLIENT_CMD=(unshare -m --propagation private "$VT_DIR/ns_deb.sh" "${real_client[@]}")
WARN_LINE="this resolvconf has no exclusive mode (-x), so on this full tunnel vpnc also writes"
REWRITE_LINE="another program (resolvconf) rewrote /etc/resolv.conf; the VPN's servers alone are back"

# While connected: the warning, then a DHCP renewal (the LAN record changes; resolvconf rewrites the file).
deb_during() {
	local got n i
	for i in $(seq 1 20); do
		n=$(grep -c "$WARN_LINE" "$VT_DIR/client.log")
		[ "$n" = 0 ] || break
		sleep 0.1
	done
	vt_check "$1: one warning line says what vpnc did ($n)" [ "$n" = 1 ]
	got=$("${real_client[@]}" status --control-socket "$VT_DIR/ctl.sock" 2>&1 | sed -n 's/^dns mode: *//p')
	vt_check "$1: vpnc status: dns mode: $got" [ "$got" = "resolvconf, full tunnel (every name goes to the VPN)" ]
	vt_check "$1: and not the warning about servers outside the tunnel" \
		eval '! grep -q "cannot be written, so a lookup" "$VT_DIR/client.log"'
	vt_check "$1: vpnc's record and saved copy are there" \
		eval '[ -s "$VT_DIR/rundeb/resolvconf/interface/$VT_CLI_TUN.vpnc" ] &&
			[ -f "$VT_DIR/rundeb/vpnc/resolv.conf.$VT_CLI_TUN" ]'
	# resolvconf -a returns once its libc hook has rewritten the file (the merged list).
	printf 'nameserver %s\n' "$LAN2" | in_deb /usr/sbin/resolvconf -a vcli.dhcp
	vt_check "$1: the DHCP renewal's record is what resolvconf now holds for the LAN" \
		grep -q "^nameserver $LAN2\$" "$VT_DIR/rundeb/resolvconf/interface/vcli.dhcp"
	got=$(wait_ns "$DNS4")
	vt_check "$1: within 5 s of a DHCP renewal the file holds only the VPN's server again (got '$got')" \
		eval '[ "$got" = "$DNS4" ]'
	for i in $(seq 1 20); do
		n=$(grep -c "$REWRITE_LINE" "$VT_DIR/client.log")
		[ "$n" = 0 ] || break
		sleep 0.1
	done
	vt_check "$1: vpnc logged once that it put its servers back after resolvconf's rewrite ($n)" [ "$n" = 1 ]
	vt_check "$1: and did not give up" eval '! grep -q "stops putting the VPN.s servers back" "$VT_DIR/client.log"'
}
DURING=deb_during run_case "Debian resolvconf, full tunnel" 'push "redirect-gateway def1"' "$DNS4" "$LAN2"
vt_check "Debian resolvconf, full tunnel: no record, saved copy or state left" \
	eval '[ -z "$(ls -A "$VT_DIR/rundeb/resolvconf/interface" | grep -v -x vcli.dhcp)" ] &&
		[ -z "$(ls -A "$VT_DIR/rundeb/vpnc" 2>/dev/null)" ]'
printf 'nameserver %s\nsearch lan.example\n' "$LAN" | in_deb /usr/sbin/resolvconf -a vcli.dhcp
run_case "Debian resolvconf, split tunnel" 'push "route 10.201.0.0 255.255.255.0"' "$DNS4 $LAN"
vt_check "Debian resolvconf, split tunnel: no warning" \
	eval '! grep -q "no exclusive mode\|cannot make the VPN.s servers" "$VT_DIR/client.log"'

# --dns-mode file on a full tunnel: the VPN's servers alone, then the file exactly as before.
WORLD=plain
VT_CLIENT_ARGS="--dns-mode file"
VT_CLIENT_CMD=(unshare -m --propagation private "$VT_DIR/ns.sh" "$VT_DIR/openresolv/sbin/resolvconf" "${real_client[@]}")
cp "$VT_DIR/resolv.conf" "$VT_DIR/resolv.conf.before"
file_during() {
	vt_check "$1: resolv.conf has no server but the VPN's" \
		eval '[ "$(grep -c "^nameserver" "$VT_DIR/resolv.conf")" = 1 ] && ! grep -q "$LAN" "$VT_DIR/resolv.conf"'
}
DURING=file_during run_case "file, full tunnel" 'push "redirect-gateway def1"' "$DNS4"
vt_check "file, full tunnel: resolv.conf byte for byte as before" cmp -s "$VT_DIR/resolv.conf.before" "$VT_DIR/resolv.conf"
host_untouched() { [ "$(ls -l /etc/resolv.conf 2>&1; cat /etc/resolv.conf 2>&1)" = "$host_conf" ]; }
vt_check "the host's /etc/resolv.conf is untouched" host_untouched

vt_summary $name
