#!/bin/bash
# test_profiles_accept.sh: every corpus profile that stock OpenVPN 2.6
# accepts, vpnc accepts (vpnc --check-config exits 0).
#
# Usage: test_profiles_accept.sh <vpnc-binary>
#
# The corpus is tests/data/profiles/ (see its SOURCES.md and docs/profiles.md);
# profiles.sh fills each one with the test PKI. Each runs in a network
# namespace of its own holding only `lo`, and in a mount namespace whose
# /etc/resolv.conf is empty, so nothing reaches a real address and a name
# fails to resolve at once:
#   stock: `openvpn --config P`, up to 4 s. Accepted when it gets as far as
#          the connection attempt (it logs a resolve failure, a link or a
#          remote address) or still runs after 4 s; refused when it exits first (an "Options error",
#          a file it cannot load: exit code 1).
#   vpnc:  `vpnc --check-config P`; exit 0 accepted, 1 refused.
# A profile whose `auth-user-pass` names no file gets `--auth-user-pass FILE`
# on stock's command line: 2.6 would otherwise ask on a terminal, which a test
# has not, and stop (vpnc --check-config asks for nothing).
# Then: stock accepted => vpnc accepted, except the KNOWN_GAPS below, each of
# which must still be exactly that (stock accepts, vpnc refuses), so fixing
# one makes this test fail until the list shrinks, and the DIFFERENCES, which
# vpnc refuses on purpose (unsafe) and must keep refusing with that reason.
# Totals are printed.
# Needs root (namespaces).
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
# shellcheck source-path=SCRIPTDIR source=profiles.sh
. "$here/profiles.sh"

name=test_profiles_accept

# Profiles stock 2.6 accepts and vpnc refuses, with the reason. Big features
# that are other work; each entry must stay a gap (checked below).
declare -A KNOWN_GAPS=(
)
# Profiles stock 2.6 accepts and vpnc refuses on purpose (docs/options.md,
# "Refused on purpose"), with the reason; each must stay exactly that (checked
# below), and vpnc's first line must contain the DIFFERENCE_WORDS given.
declare -A DIFFERENCES=(
	[openvpn-samples/manual-example1-no-security]="no TLS and no static key: 2.6 tunnels in clear text, which is unsafe"
)
declare -A DIFFERENCE_WORDS=(
	[openvpn-samples/manual-example1-no-security]="clear text, without encryption or authentication"
)

vt_start "$name" "${1:-}"
if vt_client_is_stock; then
	vt_log "$name: needs the vpnc binary (it compares vpnc with stock)"
	exit 1
fi
VPNC=$(readlink -f "${VT_CLIENT_CMD[0]}")
vt_log "$name: vpnc is $VPNC"

# Each profile gets a network namespace of its own (p2p profiles bind fixed
# ports): vpnct-pfa-<pid>-<n>, removed after the run and by the exit trap.
PF_NS="vpnct-pfa-$VT_ID"
pfa_setup() { vt_pki rsa && pf_pki_extras "$VT_DIR/pki" && : >"$VT_DIR/resolv.empty"; }
# pfa_ns_kill NS: ends every process in namespace NS (ours only).
pfa_ns_kill() {
	local pid
	for pid in $(ip netns pids "$1" 2>/dev/null); do vt_kill_wait "$pid" 2; done
}
# lib.sh's cleanup knows only its two namespaces; remove ours too.
pfa_cleanup() {
	local ns
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$PF_NS-[0-9]+\$"); do
		pfa_ns_kill "$ns"
		ip netns del "$ns" 2>/dev/null
	done
	vt_cleanup
}
trap pfa_cleanup EXIT
if ! vt_check "RSA test PKI" pfa_setup; then
	vt_summary "$name"
	exit 1
fi

# pfa_run NS DIR CMD...: CMD in namespace NS with an empty resolv.conf.
pfa_run() {
	local ns=$1 dir=$2
	shift 2
	# shellcheck disable=SC2016 # expanded by the inner sh
	ip netns exec "$ns" unshare -m --propagation private sh -c \
		'mount --bind "$1" /etc/resolv.conf || exit 97; shift; cd "$0" && exec "$@"' \
		"$dir" "$VT_DIR/resolv.empty" "$@"
}

# pfa_accepted DIR: stock's output shows it went on to reach a server.
pfa_accepted() {
	grep -Eqs \
		'RESOLVE: Cannot resolve|Preserving recently used remote address|link remote:|Attempting to establish TCP|Could not determine IPv4/IPv6'  "$1/stock.out" "$1/profile.log"
}

# pfa_one NAME IDX: prepares NAME and writes DIR/result: "stock ACC|REF" and
# "vpnc ACC|REF" lines, plus each side's first error line.
pfa_one() {
	local n=$1 ns="$PF_NS-$2" dir="$VT_DIR/p/${1//\//_}" args=() pid i=0 st=REF why=""
	if ! ip netns add "$ns" || ! ip -n "$ns" link set lo up; then
		echo "stock NS" >"$dir/result"
		return
	fi
	pf_prepare "$n" "$VT_DIR/pki" "$dir" || { echo "stock PREP" >"$dir/result"; return; }
	if grep -Eq '^[[:space:]]*(--)?auth-user-pass[[:space:]]*$' <(tr -d '\r' <"$dir/profile.ovpn"); then
		args=(--auth-user-pass "$VT_DIR/pki/auth.txt")
	fi
	pfa_run "$ns" "$dir" openvpn --config "$dir/profile.ovpn" "${args[@]}" </dev/null >"$dir/stock.out" 2>&1 &
	pid=$!
	while [ $i -lt 40 ]; do
		if pfa_accepted "$dir"; then
			st=ACC
			break
		fi
		vt_pid_alive "$pid" || break
		sleep 0.1
		i=$((i + 1))
	done
	if vt_pid_alive "$pid" || pfa_accepted "$dir"; then
		# Still running after 4 s without an error: it took the profile and
		# is trying to resolve or reach a server (2.6 retries a name that does
		# not resolve quietly for seconds).
		st=ACC
	fi
	# $pid is `ip netns exec`, which forks: stop what runs in the namespace.
	pfa_ns_kill "$ns"
	vt_kill_wait "$pid" 3
	wait "$pid" 2>/dev/null
	if [ $st = REF ]; then
		# The "Options error" line, else the line before "Exiting due to fatal error".
		why=$(cat "$dir/stock.out" "$dir/profile.log" 2>/dev/null | sed 's/^[0-9: -]*\(us=[0-9]* \)\{0,1\}//' |
			grep -m 1 'Options error')
		[ -n "$why" ] || why=$(cat "$dir/stock.out" "$dir/profile.log" 2>/dev/null |
			sed 's/^[0-9: -]*\(us=[0-9]* \)\{0,1\}//' | grep -B1 -m 1 'Exiting due to fatal error' | head -n 1)
	fi
	{
		printf 'stock %s %s\n' "$st" "$why"
		if pfa_run "$ns" "$dir" timeout 30 "$VPNC" --check-config "$dir/profile.ovpn" \
			</dev/null >"$dir/vpnc.out" 2>&1; then
			printf 'vpnc ACC\n'
		else
			printf 'vpnc REF %s\n' "$(grep -v '^$' "$dir/vpnc.out" | head -n 1)"
		fi
	} >"$dir/result"
	pfa_ns_kill "$ns"
	ip netns del "$ns" 2>/dev/null
}

mapfile -t all < <(pf_list)
vt_log "$name: ${#all[@]} profiles"
mkdir -p "$VT_DIR/p"
pf_each pfa_one "${all[@]}"

# pfa_judge NAME: one profile's verdict from pf_tally's words and details (pf_tally
# itself fails a profile without a result).
pfa_judge() {
	local n=$1 swhy="" vwhy="" diff
	[ "$pf_s" = REF ] && swhy=$pf_sd
	[ "$pf_v" = REF ] && vwhy=$pf_vd
	diff=${DIFFERENCES[$n]:-}
	if [ -n "$diff" ]; then
		if [ "$pf_s" = ACC ] && [ "$pf_v" = REF ] && [[ $vwhy == *"${DIFFERENCE_WORDS[$n]}"* ]]; then
			vt_pass "$n: a deliberate difference ($diff): vpnc says: $vwhy"
		else
			vt_fail "$n: listed as a deliberate difference ($diff) but stock=$pf_s vpnc=$pf_v ($vwhy): update DIFFERENCES"
		fi
		return
	fi
	case "$pf_s/$pf_v" in
	ACC/ACC) vt_pass "$n: stock and vpnc accept" ;;
	ACC/*) vt_fail "$n: stock accepts, vpnc refuses: $vwhy" ;;
	REF/ACC) vt_pass "$n: stock refuses ($swhy); vpnc accepts" ;;
	REF/REF) vt_pass "$n: stock refuses ($swhy); vpnc refuses ($vwhy)" ;;
	esac
}
pf_tally "$name" ACC REF accepted pfa_judge 1 "${all[@]}"
vt_summary "$name"
